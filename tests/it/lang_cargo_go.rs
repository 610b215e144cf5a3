//! `cargo:CRATE` and `go:MODULE/PATH` tools (issue 52, items 1, 4, 5 and 6), with the
//! real `vx` against loopback registries in their real formats:
//!
//! - a sparse crates index (Cargo's "Registry index" documentation: `config.json` with
//!   `dl`, one file per crate at `<prefix>/<name>` of JSON lines) whose lines are
//!   crates.io's own for `wait-timeout`, taken from this machine's Cargo cache of
//!   crates.io's index (`~/.cargo/registry/index/index.crates.io-*/.cache/wa/it/
//!   wait-timeout`, in Cargo's cache format: rust-lang/cargo
//!   `src/cargo/sources/registry/index/cache.rs`, a header then `VERSION\0JSON\0`
//!   pairs), and its real `.crate` from `~/.cargo/registry/cache/`, reached the way a
//!   user's Cargo configuration replaces crates.io (`[source.crates-io] replace-with`);
//!   crates of vx's own packed by the real `cargo package` (one with cargo-binstall's
//!   metadata, its binary released on a loopback GitHub);
//! - a Go module proxy as static files per the GOPROXY protocol (`go help goproxy`:
//!   `<module>/@v/list`, `.info`, `.mod`, `.zip`) holding a small module whose `.zip`
//!   is laid out as golang.org/x/mod/zip makes it (`zip.Create`: every file under
//!   `MODULE@VERSION/`, no directory entries), its `h1:` checked against what the
//!   machine's real Go computes of it (`go mod download -json`'s `Sum`).
#![cfg(unix)]

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::common;

use common::project::{Project, locked};
use vx_fixture::{Route, TestServer, sha256_hex};

const PLATFORMS: &str =
    "[settings]\nplatforms = [\"linux-x86_64\", \"macos-aarch64\", \"windows-x86_64\"]\n";

/// The folder of a Cargo-home subdirectory of crates.io's (`registry/cache/index.crates.io-…`).
fn crates_io_dir(kind: &str) -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"));
    let parent = home.join("registry").join(kind);
    std::fs::read_dir(&parent)
        .unwrap_or_else(|e| panic!("{}: {e}", parent.display()))
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("index.crates.io-"))
        })
        .unwrap_or_else(|| panic!("no crates.io folder in {}", parent.display()))
}

/// crates.io's index lines of `name`, from Cargo's cache of the index.
fn real_index_lines(prefix: &str, name: &str) -> String {
    let path = crates_io_dir("index")
        .join(".cache")
        .join(prefix)
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = String::new();
    for chunk in bytes.split(|b| *b == 0) {
        if chunk.first() == Some(&b'{') {
            lines.push_str(std::str::from_utf8(chunk).unwrap());
            lines.push('\n');
        }
    }
    assert!(!lines.is_empty(), "{}: no index lines", path.display());
    lines
}

/// A real `.crate` from Cargo's download cache.
fn real_crate(file: &str) -> Vec<u8> {
    std::fs::read(crates_io_dir("cache").join(file)).unwrap()
}

/// crates.io's own `config.json` (https://index.crates.io/config.json).
const CRATES_IO_CONFIG: &str =
    "{\n  \"dl\": \"https://static.crates.io/crates\",\n  \"api\": \"https://crates.io\"\n}";

/// A sparse index at `/index/` holding `files` (path under the index → body), and
/// `.crate` downloads under `/crates/`.
fn crates_server(files: Vec<(String, Vec<u8>)>) -> TestServer {
    let mut routes: Vec<(String, Route)> = vec![(
        "/index/config.json".to_owned(),
        Route::Ok(CRATES_IO_CONFIG.as_bytes().to_vec()),
    )];
    for (path, body) in files {
        routes.push((path, Route::Ok(body)));
    }
    TestServer::start(routes)
}

/// A project whose Cargo configuration replaces crates.io by the loopback index (as a
/// user's mirror is configured), crates.io's downloads sent there by vx's
/// `url_replacements`.
/// A project whose crates come from `server`, and whose GitHub is a loopback one with
/// no release (a crate's repository is asked for the release assets cargo-binstall
/// would guess: none here, so it builds from source), kept alive by the caller.
fn crates_project(
    server: &TestServer,
    manifest: &str,
) -> (Project, vx_fixture::github::GithubFixture) {
    let github = vx_fixture::github::GithubFixture::builder()
        .start()
        .unwrap();
    let config = crates_config(&github, server);
    let project = Project::new(&config, manifest);
    cargo_mirror(&project, server);
    (project, github)
}

/// The user config of a project whose GitHub is `github` and whose crates.io
/// downloads `crates` serves (vx's `url_replacements`).
fn crates_config(github: &vx_fixture::github::GithubFixture, crates: &TestServer) -> String {
    format!(
        "[github]\nurl = \"{}\"\n\n[url_replacements]\n{}",
        github.web_url(),
        common::publishers::replacement(
            "https://static.crates.io/crates/",
            &crates.url("/crates/")
        )
    )
}

/// `project`'s Cargo configuration replacing crates.io by the index `crates` serves.
fn cargo_mirror(project: &Project, crates: &TestServer) {
    let cargo_home = project.work.dir.path().join("home/.cargo");
    std::fs::create_dir_all(&cargo_home).unwrap();
    std::fs::write(
        cargo_home.join("config.toml"),
        format!(
            "[source.crates-io]\nreplace-with = \"mirror\"\n[source.mirror]\nregistry = \"sparse+{}\"\n",
            crates.url("/index/")
        ),
    )
    .unwrap();
}

/// `vx ARGS` with this project's Cargo home and no Go settings of the machine's.
fn vx(project: &Project) -> assert_cmd::Command {
    let mut cmd = project.vx();
    cmd.env("CARGO_HOME", project.work.dir.path().join("home/.cargo"));
    for var in ["GOPROXY", "GOFLAGS", "GONOSUMDB", "GOPRIVATE", "GONOPROXY"] {
        cmd.env_remove(var);
    }
    cmd
}

#[test]
fn a_crate_locks_every_platform_with_the_index_cksum() {
    let lines = real_index_lines("wa/it", "wait-timeout");
    let server = crates_server(vec![
        ("/index/wa/it/wait-timeout".to_owned(), lines.into_bytes()),
        (
            "/crates/wait-timeout/0.2.1/download".to_owned(),
            real_crate("wait-timeout-0.2.1.crate"),
        ),
    ]);
    let (project, github) = crates_project(
        &server,
        &format!("{PLATFORMS}\n[tools]\n\"cargo:wait-timeout\" = \"0.2\"\n"),
    );
    vx(&project).arg("lock").assert().success();
    // wait-timeout has no binstall metadata: binstall's guesses are looked for on its
    // repository's releases (its two possible tags), and none is there.
    let asked: Vec<String> = github.requests().iter().map(|r| format!("{r:?}")).collect();
    assert!(
        asked
            .iter()
            .any(|r| r.contains("alexcrichton/wait-timeout/releases/tags/0.2.1"))
            && asked
                .iter()
                .any(|r| r.contains("alexcrichton/wait-timeout/releases/tags/v0.2.1")),
        "{asked:?}"
    );
    let lock = project.lock();
    let entry = lock["tools"]["wait-timeout"].as_table().unwrap();
    assert_eq!(entry["version"].as_str(), Some("0.2.1"));
    assert_eq!(entry["package"].as_str(), Some("cargo:wait-timeout"));
    let real = sha256_hex(&real_crate("wait-timeout-0.2.1.crate"));
    for platform in ["linux-x86_64", "macos-aarch64", "windows-x86_64"] {
        let asset = locked(&lock, "wait-timeout", platform);
        assert_eq!(
            asset["url"].as_str(),
            Some("https://static.crates.io/crates/wait-timeout/0.2.1/download"),
            "crates.io's own URL, by its config.json's dl"
        );
        assert_eq!(
            asset["sha256"].as_str(),
            Some(real.as_str()),
            "the index's cksum, which is the real .crate's sha256"
        );
        assert_eq!(
            asset["checksum"].as_str().unwrap(),
            format!("index:{}wa/it/wait-timeout", server.url("/index/"))
        );
    }
    // The .crate is read once, for binstall's metadata (wait-timeout has none: it is
    // built from source on every platform).
    assert_eq!(
        server
            .paths()
            .iter()
            .filter(|p| p.starts_with("/crates/"))
            .count(),
        1,
        "{:?}",
        server.paths()
    );
    // `vx versions` lists the index's versions, newest first (yanked ones left out).
    let out = vx(&project)
        .args(["versions", "cargo:wait-timeout"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let listed = common::versions_listed(&stdout, "0.");
    assert_eq!(listed.first(), Some(&"0.2.1"), "{stdout}");
    assert!(listed.contains(&"0.1.5"), "{stdout}");
    assert!(!listed.contains(&"0.1.1"), "0.1.1 is yanked: {stdout}");
    // Without the project's rust to build it with, a sync says what to add.
    let out = vx(&project).args(["sync", "--headless"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("add it to [tools] (`vx use rust`)"),
        "{stderr}"
    );
}

/// The files of the module `example.com/vxhello` at `version`: a command printing a
/// greeting, as golang.org/x/mod/zip lays out a module's `.zip`.
fn module_files(version: &str) -> Vec<(String, String)> {
    vec![
        (
            "go.mod".to_owned(),
            "module example.com/vxhello\n\ngo 1.19\n".to_owned(),
        ),
        (
            "cmd/vxhello/main.go".to_owned(),
            format!(
                "package main\n\nimport \"fmt\"\n\nfunc main() {{\n\tfmt.Println(\"hello from vxhello {version}\")\n}}\n"
            ),
        ),
    ]
}

/// The module's `.zip` (stored entries under `MODULE@VERSION/`, no directories).
fn module_zip(version: &str) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (path, text) in module_files(version) {
            zip.start_file(format!("example.com/vxhello@{version}/{path}"), options)
                .unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

/// The proxy's files of `example.com/vxhello` v0.9.0 and v1.0.0 (the `.zip` of v1.0.0
/// is `zip_v1`, another one for a tampered proxy).
fn proxy(zip_v1: Vec<u8>) -> TestServer {
    TestServer::start(proxy_routes(zip_v1))
}

/// [`proxy`]'s routes.
fn proxy_routes(zip_v1: Vec<u8>) -> Vec<(String, Route)> {
    let base = "/proxy/example.com/vxhello/@v";
    let mut routes: Vec<(String, Route)> = vec![
        (
            format!("{base}/list"),
            Route::Ok(b"v0.9.0\nv1.0.0\n".to_vec()),
        ),
        // A path that is no module: 410 Gone, one of the two answers (with 404) Go
        // takes as "not here" (golang/go `src/cmd/go/internal/modfetch/proxy.go`).
        (
            "/proxy/example.com/vxhello/cmd/@v/list".to_owned(),
            Route::Status(410),
        ),
    ];
    for version in ["v0.9.0", "v1.0.0"] {
        routes.push((
            format!("{base}/{version}.info"),
            Route::Ok(
                format!("{{\"Version\":\"{version}\",\"Time\":\"2026-01-01T00:00:00Z\"}}")
                    .into_bytes(),
            ),
        ));
        routes.push((
            format!("{base}/{version}.mod"),
            Route::Ok(module_files(version)[0].1.clone().into_bytes()),
        ));
        let zip = if version == "v1.0.0" {
            zip_v1.clone()
        } else {
            module_zip(version)
        };
        routes.push((format!("{base}/{version}.zip"), Route::Ok(zip)));
    }
    routes
}

/// What the machine's real Go says the `h1:` of `module@version` at `goproxy` is.
fn go_sum_of(goproxy: &str, module: &str) -> String {
    go_downloaded(goproxy, module)["Sum"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// What the machine's real Go reports (`go mod download -json QUERY`) after
/// downloading `query` (`module@version` or `module@latest`) from `goproxy`.
fn go_downloaded(goproxy: &str, query: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("go")
        .args(["mod", "download", "-json", query])
        .env("GOPROXY", goproxy)
        .env("GOSUMDB", "off")
        .env("GOFLAGS", "-modcacherw")
        .env("GOMODCACHE", dir.path().join("mod"))
        .env("GOPATH", dir.path().join("gopath"))
        .env("GOCACHE", dir.path().join("cache"))
        .env("GOTOOLCHAIN", "local")
        .current_dir(dir.path())
        .output()
        .expect("go runs (Debian's golang-go)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_go_module_locks_every_platform_with_gos_own_h1_hash() {
    let zip = module_zip("v1.0.0");
    let server = proxy(zip.clone());
    let goproxy = server.url("/proxy");
    let project = Project::new(
        "",
        &format!("{PLATFORMS}\n[tools]\n\"go:example.com/vxhello/cmd/vxhello\" = \"1\"\n"),
    );
    vx(&project)
        .env("GOPROXY", format!("{goproxy},direct"))
        .arg("lock")
        .assert()
        .success();
    let lock = project.lock();
    let entry = lock["tools"]["vxhello"].as_table().unwrap();
    assert_eq!(entry["version"].as_str(), Some("v1.0.0"));
    assert_eq!(
        entry["package"].as_str(),
        Some("go:example.com/vxhello/cmd/vxhello")
    );
    let go_sum = go_sum_of(&goproxy, "example.com/vxhello@v1.0.0");
    for platform in locked_vxhello(&lock, &goproxy, "v1.0.0", &go_sum, &zip) {
        assert_eq!(platform["format"].as_str(), Some("zip"));
    }
    // The module found as `go install` finds it: the longest prefix the proxy knows.
    let paths = server.paths();
    assert!(
        paths.contains(&"/proxy/example.com/vxhello/cmd/vxhello/@v/list".to_owned()),
        "{paths:?}"
    );
    // GOPROXY=direct alone: vx says it reads modules from a proxy.
    let out = vx(&project)
        .env("GOPROXY", "direct")
        .args(["upgrade"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not directly from version control"),
        "{stderr}"
    );
}

/// Asserts that `lock` pins `vxhello` at `version` for linux-x86_64, macos-aarch64
/// and windows-x86_64 by the module `zip`'s URL on the proxy `goproxy`, its sha256 and
/// Go's own `h1:` (`go_sum`): the three platforms' entries.
fn locked_vxhello<'l>(
    lock: &'l toml::Table,
    goproxy: &str,
    version: &str,
    go_sum: &str,
    zip: &[u8],
) -> Vec<&'l toml::Table> {
    let platforms = ["linux-x86_64", "macos-aarch64", "windows-x86_64"];
    platforms
        .into_iter()
        .map(|platform| {
            let asset = locked(lock, "vxhello", platform);
            assert_eq!(
                asset["url"].as_str().unwrap(),
                format!("{goproxy}/example.com/vxhello/@v/{version}.zip")
            );
            assert_eq!(asset["h1"].as_str(), Some(go_sum), "Go's own h1");
            assert_eq!(asset["sha256"].as_str().unwrap(), sha256_hex(zip));
            asset
        })
        .collect()
}

/// A crate with one binary and no dependencies, packed by the real `cargo package`
/// (the `.crate` crates.io stores is its output): its `.crate` bytes.
fn packaged_crate() -> Vec<u8> {
    let path = common::publishers::built_once("vxgreet-0.1.0.crate", |out| {
        cargo_package_vxgreet("0.1.0", "", out);
    });
    std::fs::read(path).unwrap()
}

/// `vxgreet` at `version` (a binary printing `hello from vxgreet VERSION`, no
/// dependencies) packed by the real `cargo package` into `out`, its Cargo.toml's
/// `[package]` ending with `more` (more lines of Cargo.toml).
fn cargo_package_vxgreet(version: &str, more: &str, out: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("vxgreet");
    std::fs::create_dir_all(src.join("src")).unwrap();
    std::fs::write(
        src.join("Cargo.toml"),
        format!(
            "[package]\nname = \"vxgreet\"\nversion = \"{version}\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"vx's test crate\"\n{more}"
        ),
    )
    .unwrap();
    std::fs::write(
        src.join("src/main.rs"),
        format!("fn main() {{\n    println!(\"hello from vxgreet {version}\");\n}}\n"),
    )
    .unwrap();
    common::publishers::run("cargo", &["generate-lockfile", "--offline"], &src);
    common::publishers::run(
        "cargo",
        &[
            "package",
            // Here, whatever CARGO_TARGET_DIR the tests run with: the copy below
            // reads it from the crate's own target/.
            "--target-dir",
            "target",
            "--offline",
            "--allow-dirty",
            "--no-verify",
            "--quiet",
        ],
        &src,
    );
    std::fs::copy(
        src.join(format!("target/package/vxgreet-{version}.crate")),
        out,
    )
    .unwrap();
}

/// The index line crates.io would write for `vxgreet` 0.1.0 (the fields of the real
/// lines above, `deps` empty).
fn vxgreet_line(cksum: &str) -> String {
    format!(
        "{{\"name\":\"vxgreet\",\"vers\":\"0.1.0\",\"deps\":[],\"cksum\":\"{cksum}\",\"features\":{{}},\"yanked\":false,\"v\":2}}\n"
    )
}

/// The rust runtime (this machine's toolchain in rust-installer's format) served
/// with the crates, and the config lines reaching both.
fn rust_and_crates(
    crate_bytes: Vec<u8>,
    cksum: &str,
) -> (
    TestServer,
    vx_fixture::github::GithubFixture,
    TestServer,
    String,
) {
    use common::publishers::rustlang;
    let real = rustlang::machine_rust();
    let version = real.version.clone();
    let dist = rustlang::serve(&[rustlang::Toolchain {
        id: version.clone(),
        version: version.clone(),
        date: "2024-11-28",
        served: vec![("x86_64-unknown-linux-gnu", rustlang::archive(&version))],
    }]);
    let github = rustlang::github(&[&version]);
    let crates = crates_server(vec![
        (
            "/index/vx/gr/vxgreet".to_owned(),
            vxgreet_line(cksum).into_bytes(),
        ),
        ("/crates/vxgreet/0.1.0/download".to_owned(), crate_bytes),
    ]);
    let config = format!(
        "{}{}",
        rustlang::config(&dist, &github),
        common::publishers::replacement(
            "https://static.crates.io/crates/",
            &crates.url("/crates/")
        )
    );
    (dist, github, crates, config)
}

/// A project of `manifest` reaching `crates` (and the rust of `config`), its Cargo
/// configuration replacing crates.io by the loopback index.
fn rust_project(config: &str, crates: &TestServer, manifest: &str) -> Project {
    let project = Project::new(config, manifest);
    cargo_mirror(&project, crates);
    project
}

/// `vx ARGS` in `project`, which must fail: stdout and stderr.
fn fails(project: &Project, args: &[&str]) -> String {
    let out = vx(project).args(args).output().unwrap();
    let text = common::both(&out);
    assert!(!out.status.success(), "{text}");
    text
}

#[test]
fn a_crate_builds_with_the_projects_rust_and_a_tampered_crate_installs_nothing() {
    let good = packaged_crate();
    let cksum = sha256_hex(&good);
    let manifest = "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\nrust = \"stable\"\n\"cargo:vxgreet\" = \"0.1\"\n";

    // Built by cargo install with the project's rust, run through vx exec.
    let (_dist, _github, crates, config) = rust_and_crates(good.clone(), &cksum);
    let project = rust_project(&config, &crates, manifest);
    common::succeeded(vx(&project).args(["sync", "--headless"]));
    assert_eq!(
        locked(&project.lock(), "vxgreet", "linux-x86_64")["sha256"].as_str(),
        Some(cksum.as_str()),
        "the lock holds the index's cksum"
    );
    prints(vx(&project), "vxgreet", "hello from vxgreet 0.1.0\n");

    // The index names the real bytes; this server sends others.
    let mut tampered = good;
    let last = tampered.len() - 1;
    tampered[last] ^= 0xff;
    let (_dist2, _github2, bad, bad_config) = rust_and_crates(tampered, &cksum);
    // Locking reads the .crate (for binstall's metadata): refused, nothing locked.
    let fresh = rust_project(&bad_config, &bad, manifest);
    let text = fails(&fresh, &["lock"]);
    assert!(text.contains("not the index's cksum"), "{text}");
    assert_eq!(fresh.lock_text(), None);
    // Installing the locked .crate from it: a checksum mismatch, nothing installed.
    let locked_elsewhere = rust_project(&bad_config, &bad, manifest);
    std::fs::write(
        locked_elsewhere.work.dir.path().join("vx.lock"),
        project.lock_text().unwrap(),
    )
    .unwrap();
    let text = fails(&locked_elsewhere, &["sync", "--headless", "--locked"]);
    says_checksum_mismatch(&text, "vxgreet");
    assert!(
        installed(&locked_elsewhere, "vxgreet")
            .iter()
            .all(|p| !crate::common::has_tree(p.parent().unwrap(), "vxgreet", "0.1.0")),
        "nothing of the tampered crate installed"
    );
}

/// `vx exec -- COMMAND` by `vx` (a vx command of the project) prints `expected`, all
/// of its stdout (its stderr the message otherwise).
fn prints(mut vx: assert_cmd::Command, command: &str, expected: &str) {
    let said = vx.args(["exec", "--", command]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&said.stdout),
        expected,
        "{}",
        String::from_utf8_lossy(&said.stderr)
    );
}

/// Asserts that `text` (what vx said) names `tool` and a checksum mismatch.
fn says_checksum_mismatch(text: &str, tool: &str) {
    assert!(
        text.contains(tool) && text.contains("checksum mismatch"),
        "{text}"
    );
}

/// The directories named `tool` under `project`'s data directory (its store's trees
/// among them).
fn installed(project: &Project, tool: &str) -> Vec<PathBuf> {
    find(&project.work.dir.path().join("home/.local/share"), tool)
}

/// Directories named `name` under `dir`.
fn find(dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            if entry.file_name() == name {
                found.push(path.clone());
            }
            found.extend(find(&path, name));
        }
    }
    found
}

/// go.dev's `go{V}.linux-amd64.tar.gz` made of Debian's Go with its standard
/// library's sources (`src/`, which go.dev's archive holds: golang/go
/// `src/cmd/distpack/pack.go` packs GOROOT's `src/` beside `bin/` and `pkg/tool/`),
/// what `go install` compiles a command with. Made once.
fn go_archive_with_sources() -> (String, PathBuf) {
    let (root, version) = common::publishers::go::debian_go();
    let name = format!("go{version}.linux-amd64.with-src.tar.gz");
    let archive = common::publishers::built_once(&name, |out| {
        let work = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(work.path().join("go/pkg")).unwrap();
        let from = |p: &str| root.join(p).to_str().unwrap().to_owned();
        let run = |args: &[&str]| common::publishers::run("cp", args, work.path());
        run(&["-rL", &from("bin"), "go/"]);
        run(&["-rL", &from("src"), "go/"]);
        run(&["-rL", &from("pkg/tool"), "go/pkg/"]);
        run(&["-rL", &from("pkg/include"), "go/pkg/"]);
        run(&["-L", &from("VERSION"), "go/"]);
        common::publishers::run("tar", &["czf", out.to_str().unwrap(), "go"], work.path());
    });
    (version, archive)
}

/// vx.toml for linux-x86_64 naming go at `id` and the Go package `go:PACKAGE` at
/// `constraint`.
fn go_manifest(id: &str, package: &str, constraint: &str) -> String {
    format!(
        "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\ngo = \"{id}\"\n\"go:{package}\" = \"{constraint}\"\n"
    )
}

/// `vx` in `project` through the module proxy `goproxy`, its go using no other
/// toolchain (`GOTOOLCHAIN=local`).
fn go_vx(project: &Project, goproxy: &str) -> assert_cmd::Command {
    let mut cmd = vx(project);
    cmd.env("GOPROXY", goproxy).env("GOTOOLCHAIN", "local");
    cmd
}

/// A project for linux-x86_64 naming go (a real toolchain, its sources included,
/// served as go.dev serves it) and `go:example.com/vxhello/cmd/vxhello` at `1`: go's
/// server (kept by the caller), the user config reaching it, and vx.toml's text.
fn the_projects_go() -> (TestServer, String, String) {
    use common::publishers::go;
    let (version, archive) = go_archive_with_sources();
    let (dl, id) = go::serve_linux(&version, &archive);
    let manifest = go_manifest(&id, "example.com/vxhello/cmd/vxhello", "1");
    let config = go::config(&dl);
    (dl, config, manifest)
}

#[test]
fn a_go_module_builds_with_the_projects_go_and_a_tampered_zip_installs_nothing() {
    let (_dl, config, manifest) = the_projects_go();
    let good = proxy(module_zip("v1.0.0"));
    let project = Project::new(&config, &manifest);
    let with_proxy = |project: &Project, server: &TestServer| go_vx(project, &server.url("/proxy"));
    common::succeeded(with_proxy(&project, &good).args(["sync", "--headless"]));
    prints(
        with_proxy(&project, &good),
        "vxhello",
        "hello from vxhello v1.0.0\n",
    );
    // Go's build info names the module and version, as `go install PATH@VERSION` stamps it.
    let built = find(
        &project.work.dir.path().join("home/.local/share"),
        "vxhello",
    )
    .into_iter()
    .filter_map(|dir| vx_engine::store::newest_tree(dir.parent().unwrap(), "vxhello", "v1.0.0"))
    .map(|(tree, _)| tree.join("bin/vxhello"))
    .find(|p| p.is_file())
    .expect("the command is in the store");
    let info = with_proxy(&project, &good)
        .args(["exec", "--", "go", "version", "-m"])
        .arg(&built)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(
        text.contains("mod\texample.com/vxhello\tv1.0.0"),
        "{text}{} ({:?}, {})",
        String::from_utf8_lossy(&info.stderr),
        info.status,
        built.display()
    );

    // Another project locked the same, its proxy now serving other bytes for v1.0.0.
    let other = module_zip("v1.0.0")
        .into_iter()
        .chain(b"tampered".iter().copied())
        .collect::<Vec<u8>>();
    let bad = proxy(other);
    let tampered = Project::new(&config, &manifest);
    std::fs::write(
        tampered.work.dir.path().join("vx.lock"),
        project
            .lock_text()
            .unwrap()
            .replace(&good.url("/proxy"), &bad.url("/proxy")),
    )
    .unwrap();
    let out = with_proxy(&tampered, &bad)
        .args(["sync", "--headless"])
        .output()
        .unwrap();
    let text = common::both(&out);
    assert!(!out.status.success(), "{text}");
    says_checksum_mismatch(&text, "vxhello");
    assert!(
        installed(&tampered, "vxhello")
            .iter()
            .all(|p| !p.join("v1.0.0").exists()),
        "nothing of the tampered module installed"
    );
}

/// vx.lock's `h1:` of a `go:` tool edited (issue 66, item 11): `vx sync --locked`
/// refuses the module, its `.zip` (whose sha256 is still the lock's) not the module the
/// `h1` names, and installs nothing of it; the `h1` was never checked, and Go's build
/// was handed the edited one.
#[test]
fn an_edited_h1_in_the_lock_installs_nothing() {
    let (_dl, config, manifest) = the_projects_go();
    let server = proxy(module_zip("v1.0.0"));
    let project = Project::new(&config, &manifest);
    let goproxy = server.url("/proxy");
    let with_proxy = || go_vx(&project, &goproxy);
    with_proxy().arg("lock").assert().success();
    let lock = project.lock_text().unwrap();
    let table = project.lock();
    let h1 = locked(&table, "vxhello", "linux-x86_64")["h1"]
        .as_str()
        .unwrap()
        .to_owned();
    // Another module's hash (the empty zip's), well formed.
    let other = "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    assert_ne!(h1, other);
    let path = project.work.dir.path().join("vx.lock");
    std::fs::write(&path, lock.replace(&h1, other)).unwrap();
    let out = with_proxy()
        .args(["sync", "--locked", "--headless"])
        .output()
        .unwrap();
    let text = common::both(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("module hash mismatch") && text.contains(other),
        "{text}"
    );
    let store = project.work.dir.path().join("home/.local/share");
    assert!(
        find(&store, "vxhello")
            .iter()
            .all(|p| !p.join("v1.0.0").exists()),
        "nothing of the module installed"
    );
}

/// The lock was made without downloading the release binary (its digest is GitHub's);
/// then `vx sync` installs vxgreet and it runs, saying its `version`.
fn locked_by_digest_then_greets(
    project: &Project,
    github: &vx_fixture::github::GithubFixture,
    version: &str,
) {
    assert!(
        !github.requests().iter().any(|r| r.is_download()),
        "the binary is locked by its digest, not downloaded"
    );
    vx(project).args(["sync", "--headless"]).assert().success();
    prints(
        vx(project),
        "vxgreet",
        &format!("hello from vxgreet {version}\n"),
    );
}

/// `vxgreet` at `version` on a loopback crates.io (its sparse index line and its
/// `.crate`, cargo pointed there) and its repository's `release` on the loopback
/// GitHub, in a project naming `cargo:vxgreet` at that version for linux-x86_64 and
/// macos-aarch64, with no rust: the crates server, the GitHub and the project.
fn vxgreet_world(
    version: &str,
    crate_bytes: Vec<u8>,
    release: vx_fixture::github::FixtureRelease,
) -> (TestServer, vx_fixture::github::GithubFixture, Project) {
    let line = vxgreet_line(&sha256_hex(&crate_bytes)).replace("0.1.0", version);
    let crates = crates_server(vec![
        ("/index/vx/gr/vxgreet".to_owned(), line.into_bytes()),
        (format!("/crates/vxgreet/{version}/download"), crate_bytes),
    ]);
    let github = vx_fixture::github::GithubFixture::builder()
        .release("vx-test", "vxgreet", release)
        .start()
        .unwrap();
    let config = crates_config(&github, &crates);
    let minor = version.rsplit_once('.').map_or(version, |(minor, _)| minor);
    // No rust in [tools]: the platform with a release binary needs none.
    let project = Project::new(
        &config,
        &format!(
            "[settings]\nplatforms = [\"linux-x86_64\", \"macos-aarch64\"]\n[tools]\n\"cargo:vxgreet\" = \"{minor}\"\n"
        ),
    );
    cargo_mirror(&project, &crates);
    (crates, github, project)
}

/// `vxgreet` 0.2.0 with binstall's metadata naming its GitHub release's archives, as
/// `cargo package` packs it, and its Linux binary built by `cargo build` and packed as
/// binstall's default `bin-dir` lays it out (`{ name }-{ target }-v{ version }/{ bin }`,
/// cargo-bins/cargo-binstall `SUPPORT.md`): (`.crate`, `.tgz`).
fn binstall_crate() -> (Vec<u8>, Vec<u8>) {
    let crate_file = packaged_vxgreet(
        "0.2.0",
        r#"
[package.metadata.binstall]
pkg-url = "{ repo }/releases/download/v{ version }/{ name }-{ target }-v{ version }{ archive-suffix }"
pkg-fmt = "tgz"
"#,
    );
    let top = "vxgreet-x86_64-unknown-linux-gnu-v0.2.0";
    let binary = released_vxgreet(&crate_file, "0.2.0", top, &format!("{top}.tgz"), &[]);
    (
        std::fs::read(crate_file).unwrap(),
        std::fs::read(binary).unwrap(),
    )
}

#[test]
fn a_crate_with_binstall_metadata_locks_its_release_binary_and_runs_without_rust() {
    let (crate_bytes, binary) = binstall_crate();
    let cksum = sha256_hex(&crate_bytes);
    let asset = "vxgreet-x86_64-unknown-linux-gnu-v0.2.0.tgz";
    let (_crates, github, project) = vxgreet_world(
        "0.2.0",
        crate_bytes,
        vx_fixture::github::FixtureRelease::new("v0.2.0").asset(asset, binary.clone()),
    );
    vx(&project).arg("lock").assert().success();
    let lock = project.lock();
    let linux = locked(&lock, "vxgreet", "linux-x86_64");
    assert_eq!(
        linux["url"].as_str().unwrap(),
        github.url(&format!(
            "/vx-test/vxgreet/releases/download/v0.2.0/{asset}"
        ))
    );
    assert_eq!(linux["sha256"].as_str().unwrap(), sha256_hex(&binary));
    assert_eq!(linux["checksum"].as_str(), Some("github-digest"));
    // No release binary for macos-aarch64: its .crate, built from source there.
    let macos = locked(&lock, "vxgreet", "macos-aarch64");
    assert_eq!(
        macos["url"].as_str(),
        Some("https://static.crates.io/crates/vxgreet/0.2.0/download")
    );
    assert_eq!(macos["sha256"].as_str(), Some(cksum.as_str()));
    locked_by_digest_then_greets(&project, &github, "0.2.0");
}

#[test]
fn a_mise_file_s_cargo_and_go_entries_import_as_vx_tools_and_lock() {
    let good = packaged_crate();
    let cksum = sha256_hex(&good);
    let crates = crates_server(vec![
        (
            "/index/vx/gr/vxgreet".to_owned(),
            vxgreet_line(&cksum).into_bytes(),
        ),
        ("/crates/vxgreet/0.1.0/download".to_owned(), good),
    ]);
    let goproxy = proxy(module_zip("v1.0.0"));
    let (project, _github) = crates_project(&crates, "");
    let mise = project.mise_instead(
        "[tools]\n\"cargo:vxgreet\" = \"0.1\"\n\"go:example.com/vxhello/cmd/vxhello\" = \"latest\"\n",
    );
    let out = vx(&project)
        .env("GOPROXY", goproxy.url("/proxy"))
        .arg("import")
        .arg(&mise)
        .output()
        .unwrap();
    let text = common::both(&out);
    assert!(text.contains("imported cargo:vxgreet 0.1"), "{text}");
    assert!(
        text.contains("imported go:example.com/vxhello/cmd/vxhello latest"),
        "{text}"
    );
    let manifest = project.manifest_text();
    assert!(
        manifest.contains("\"cargo:vxgreet\" = { version_file = \"mise.toml\" }"),
        "{manifest}"
    );
    let lock = project.lock();
    assert_eq!(
        locked(&lock, "vxgreet", "linux-x86_64")["sha256"].as_str(),
        Some(cksum.as_str())
    );
    assert_eq!(
        locked(&lock, "vxhello", "linux-x86_64")["h1"].as_str(),
        Some(go_sum_of(&goproxy.url("/proxy"), "example.com/vxhello@v1.0.0").as_str())
    );
}

/// `vxgreet` 0.3.0 as `cargo package` packs it, with a `repository` on GitHub and no
/// `[package.metadata.binstall]`, and its Linux binary built by `cargo build`, packed
/// as ripgrep releases its binaries (BurntSushi/ripgrep's release assets, e.g.
/// `releases/download/14.1.1/ripgrep-14.1.1-x86_64-unknown-linux-musl.tar.gz`: the
/// tag without a `v`, the archive `{ name }-{ version }-{ target }.tar.gz` holding one
/// folder of that name with the binary): (`.crate`, `.tar.gz`).
fn guessed_crate() -> (Vec<u8>, Vec<u8>) {
    let crate_file = packaged_vxgreet("0.3.0", "");
    let top = "vxgreet-0.3.0-x86_64-unknown-linux-gnu";
    let binary = released_vxgreet(
        &crate_file,
        "0.3.0",
        top,
        &format!("{top}.tar.gz"),
        &[("README.md", "vxgreet\n")],
    );
    (
        std::fs::read(crate_file).unwrap(),
        std::fs::read(binary).unwrap(),
    )
}

/// `vxgreet` at `version` (a binary printing `hello from vxgreet VERSION`) as `cargo
/// package` packs it, its Cargo.toml's `[package]` naming a `repository` on GitHub,
/// then `metadata` (more of Cargo.toml): the `.crate`, built once.
fn packaged_vxgreet(version: &str, metadata: &str) -> std::path::PathBuf {
    common::publishers::built_once(&format!("vxgreet-{version}.crate"), |out| {
        let more = format!("repository = \"https://github.com/vx-test/vxgreet\"\n{metadata}");
        cargo_package_vxgreet(version, &more, out);
    })
}

/// The Linux binary of `crate_file` (vxgreet at `version`) built by `cargo build`,
/// packed as `archive` (a `.tar.gz`) holding the folder `top` with the binary and
/// `extra` files: built once.
fn released_vxgreet(
    crate_file: &std::path::Path,
    version: &str,
    top: &str,
    archive: &str,
    extra: &[(&str, &str)],
) -> std::path::PathBuf {
    common::publishers::built_once(archive, |out| {
        let dir = tempfile::tempdir().unwrap();
        common::publishers::run("tar", &["xzf", crate_file.to_str().unwrap()], dir.path());
        let src = dir.path().join(format!("vxgreet-{version}"));
        common::publishers::run(
            "cargo",
            &[
                "build",
                "--offline",
                "--quiet",
                "--release",
                "--target-dir",
                "target",
            ],
            &src,
        );
        let packed = dir.path().join(top);
        std::fs::create_dir_all(&packed).unwrap();
        std::fs::copy(src.join("target/release/vxgreet"), packed.join("vxgreet")).unwrap();
        for (name, text) in extra {
            std::fs::write(packed.join(name), text).unwrap();
        }
        common::publishers::run("tar", &["czf", out.to_str().unwrap(), top], dir.path());
    })
}

/// A crate with no binstall metadata (issue 52): vx guesses its release assets by
/// cargo-binstall's own default names on its GitHub repository, locks the one the
/// release holds by the API's digest, and it runs without rust; a platform with no
/// such asset builds from the `.crate` as before.
#[test]
fn a_crate_without_binstall_metadata_locks_the_release_asset_binstall_would_guess() {
    let (crate_bytes, binary) = guessed_crate();
    let asset = "vxgreet-0.3.0-x86_64-unknown-linux-gnu.tar.gz";
    let (_crates, github, project) = vxgreet_world(
        "0.3.0",
        crate_bytes,
        vx_fixture::github::FixtureRelease::new("0.3.0")
            .asset(asset, binary.clone())
            .asset("vxgreet-0.3.0.sha256sums", b"unrelated\n".to_vec()),
    );
    let out = vx(&project).args(["lock", "-v"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains(&format!(
            "linux-x86_64: {asset}, by cargo-binstall's default names"
        )),
        "{said}"
    );
    assert!(
        said.contains(
            "macos-aarch64: no release asset by cargo-binstall's default names; built from source"
        ),
        "{said}"
    );
    let lock = project.lock();
    let linux = locked(&lock, "vxgreet", "linux-x86_64");
    assert_eq!(
        linux["url"].as_str().unwrap(),
        github.url(&format!("/vx-test/vxgreet/releases/download/0.3.0/{asset}"))
    );
    assert_eq!(linux["sha256"].as_str().unwrap(), sha256_hex(&binary));
    assert_eq!(linux["checksum"].as_str(), Some("github-digest"));
    assert_eq!(linux["format"].as_str(), Some("tar.gz"));
    let macos = locked(&lock, "vxgreet", "macos-aarch64");
    assert_eq!(
        macos["url"].as_str(),
        Some("https://static.crates.io/crates/vxgreet/0.3.0/download")
    );
    locked_by_digest_then_greets(&project, &github, "0.3.0");
}

/// A module with no tagged release as a proxy serves one (`go help goproxy`): an empty
/// `@v/list`, and at `@latest` the `.info` of its default branch's pseudo-version
/// (golang/mod `module/pseudo.go`'s first form, `vX.0.0-yyyymmddhhmmss-abcdef123456`),
/// with that version's `.info`, `.mod` and `.zip`.
fn untagged_proxy(pseudo: &str) -> TestServer {
    let base = "/proxy/example.com/vxuntagged/@v";
    let info = format!("{{\"Version\":\"{pseudo}\",\"Time\":\"2024-01-01T12:00:00Z\"}}");
    let module = "module example.com/vxuntagged\n\ngo 1.19\n";
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default();
        for (path, text) in [
            ("go.mod", module),
            (
                "cmd/vxuntagged/main.go",
                "package main\n\nfunc main() { println(\"untagged\") }\n",
            ),
        ] {
            zip.start_file(format!("example.com/vxuntagged@{pseudo}/{path}"), options)
                .unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
    }
    TestServer::start(vec![
        (format!("{base}/list"), Route::Ok(Vec::new())),
        (
            "/proxy/example.com/vxuntagged/@latest".to_owned(),
            Route::Ok(info.clone().into_bytes()),
        ),
        (
            format!("{base}/{pseudo}.info"),
            Route::Ok(info.into_bytes()),
        ),
        (format!("{base}/{pseudo}.mod"), Route::Ok(module.into())),
        (format!("{base}/{pseudo}.zip"), Route::Ok(out.into_inner())),
    ])
}

/// A module with no tagged release locks and installs at its default branch's
/// pseudo-version, asked for as `latest` or by that pseudo-version itself: 34 bytes or
/// more, within vx's 64 (the board's 32-byte version field shows it cut, with `…`).
#[test]
fn an_untagged_modules_pseudo_version_locks_installs_and_runs() {
    use common::publishers::go;
    let pseudo = "v0.0.0-20240101120000-abcdef123456";
    let server = untagged_proxy(pseudo);
    let goproxy = server.url("/proxy");
    // The machine's real Go takes the fake for a proxy: its latest is the pseudo-version,
    // and its `h1:` is what the lock must hold.
    let json = go_downloaded(&goproxy, "example.com/vxuntagged@latest");
    assert_eq!(json["Version"].as_str(), Some(pseudo));
    let h1 = json["Sum"].as_str().unwrap().to_owned();

    let (version, archive) = go_archive_with_sources();
    let (dl, id) = go::serve_linux(&version, &archive);
    for asked in ["latest", pseudo] {
        let project = Project::new(
            &go::config(&dl),
            &go_manifest(&id, "example.com/vxuntagged/cmd/vxuntagged", asked),
        );
        let with_proxy = || go_vx(&project, &goproxy);
        // Its lines (`latest`) and its JSON events (the pseudo-version) name the whole
        // version, not the board's cut one.
        let json = asked == pseudo;
        let args: &[&str] = if json {
            &["sync", "--headless", "--json"]
        } else {
            &["sync", "--headless"]
        };
        let out = with_proxy().args(args).output().unwrap();
        let text = common::both(&out);
        assert!(out.status.success(), "{asked}: {text}");
        // (Without `-v`, only the summary table's 14-column VERSION cell is cut; a
        // message may cut the store path it ends with, never the version before it.)
        let whole = format!("vx: vxuntagged {pseudo}: ");
        assert!(
            text.lines()
                .filter(|line| line.starts_with("vx: vxuntagged"))
                .all(|line| line.starts_with(&whole)),
            "{asked}: a version said cut: {text}"
        );
        assert!(
            text.lines()
                .filter(|line| line.starts_with('{') && line.contains("\"vxuntagged\""))
                .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
                .filter(|event| event["tool"] == "vxuntagged")
                .all(|event| event["version"] == pseudo),
            "{asked}: a version said cut: {text}"
        );
        if json {
            let events: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter_map(|line| serde_json::from_str(line).ok())
                .collect();
            let phases: Vec<&serde_json::Value> = events
                .iter()
                .filter(|e| e["event"] == "phase" && e["tool"] == "vxuntagged")
                .collect();
            assert!(phases.iter().any(|e| e["phase"] == "completed"), "{text}");
            for event in phases {
                assert_eq!(event["version"].as_str(), Some(pseudo), "{event}");
            }
        } else {
            assert!(
                text.contains(&format!("vx: vxuntagged {pseudo}")),
                "{asked}: {text}"
            );
        }
        let lock = project.lock_text().expect("locked");
        assert!(
            lock.contains(&format!("version = \"{pseudo}\"")) && lock.contains(&h1),
            "{asked}: the pseudo-version and Go's own h1: {h1}\n{lock}"
        );
        let said = with_proxy()
            .args(["exec", "--", "vxuntagged"])
            .output()
            .unwrap();
        assert!(
            said.status.success(),
            "{asked}: {}",
            String::from_utf8_lossy(&said.stderr)
        );
        // Go's `println` writes to stderr.
        assert_eq!(
            String::from_utf8_lossy(&said.stderr),
            "untagged\n",
            "{asked}"
        );
        let store = project.work.dir.path().join("home/.local/share");
        assert!(
            find(&store, "vxuntagged").iter().any(|dir| {
                vx_engine::store::newest_tree(dir.parent().unwrap(), "vxuntagged", pseudo)
                    .is_some_and(|(tree, _)| tree.join("bin/vxuntagged").is_file())
            }),
            "{asked}: the store names the whole pseudo-version"
        );
    }
}

/// A project for [`PLATFORMS`] naming the Go package `go:PACKAGE` at `constraint`, and
/// what `vx lock` through the module proxy `goproxy` did.
fn go_locked(goproxy: &str, package: &str, constraint: &str) -> (Project, std::process::Output) {
    let project = Project::new(
        "",
        &format!("{PLATFORMS}\n[tools]\n\"go:{package}\" = \"{constraint}\"\n"),
    );
    let out = vx(&project)
        .env("GOPROXY", goproxy)
        .arg("lock")
        .output()
        .unwrap();
    (project, out)
}

/// A version longer than vx's 64 bytes (here a pseudo-version after a long
/// pre-release, golang/mod `module/pseudo.go`'s `vX.Y.Z-pre.0.yyyymmddhhmmss-abcdef123456`)
/// is refused with the reason, both as an untagged module's latest and as asked for.
#[test]
fn a_version_over_64_bytes_is_refused_plainly() {
    let long = "v1.2.3-a.rather.long.pre.release.name.0.20240101120000-abcdef123456";
    assert!(long.len() > 64, "{}", long.len());
    let server = untagged_proxy(long);
    let goproxy = server.url("/proxy");
    // `vx lock` of the module at `constraint`: refused, nothing locked; its stderr.
    let refused = |constraint: &str| {
        let module = "example.com/vxuntagged/cmd/vxuntagged";
        let (project, out) = go_locked(&goproxy, module, constraint);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.status.success(), "{stderr}");
        assert!(project.lock_text().is_none(), "nothing was locked");
        stderr
    };
    let stderr = refused("latest");
    assert!(
        stderr.contains("example.com/vxuntagged has no tagged release")
            && stderr.contains(&format!(
                "the pseudo-version of an untagged commit, {long} ({} bytes)",
                long.len()
            ))
            && stderr.contains("a version in vx is at most 64 bytes"),
        "{stderr}"
    );
    // Asked for by that version itself: the manifest says why.
    let stderr = refused(long);
    assert!(stderr.contains("64"), "{stderr}");
}

/// An older commit of `example.com/vxhello` that no tag names, at its pseudo-version
/// `OLD`: absent from `@v/list` and not the `@latest`, served as a proxy serves any
/// version it has (`go help goproxy`: `@v/OLD.info`, `.mod`, `.zip`); and, as
/// proxy.golang.org answers a commit query (`@v/REV.info` naming the pseudo-version,
/// golang/go `src/cmd/go/internal/modfetch/proxy.go`'s `Stat`), its hash prefix
/// `abcdef1`. Another prefix, `1234abc`, the proxy does not know.
const OLD: &str = "v0.0.0-20231010123456-abcdef123456";

fn proxy_with_an_older_commit() -> TestServer {
    let base = "/proxy/example.com/vxhello/@v";
    let info = format!("{{\"Version\":\"{OLD}\",\"Time\":\"2023-10-10T12:34:56Z\"}}");
    let mut routes = proxy_routes(module_zip("v1.0.0"));
    routes.extend([
        (format!("{base}/{OLD}.info"), Route::Ok(info.clone().into())),
        (
            format!("{base}/{OLD}.mod"),
            Route::Ok(module_files(OLD)[0].1.clone().into_bytes()),
        ),
        (format!("{base}/{OLD}.zip"), Route::Ok(module_zip(OLD))),
        (format!("{base}/abcdef1.info"), Route::Ok(info.into())),
    ]);
    TestServer::start(routes)
}

/// A pseudo-version the user names that is neither listed nor the latest resolves
/// through the proxy's `@v/VERSION.info`, locks with Go's own `h1:` of its `.zip`
/// for every platform, installs and runs; a commit's hash prefix locks at the
/// pseudo-version the proxy names for it, or, when the proxy cannot resolve it, is
/// refused naming what to write instead.
#[test]
fn an_older_pseudo_version_locks_through_the_proxys_info_and_installs() {
    use common::publishers::go;
    let server = proxy_with_an_older_commit();
    let goproxy = server.url("/proxy");
    let go_sum = go_sum_of(&goproxy, &format!("example.com/vxhello@{OLD}"));
    for asked in [OLD, "abcdef1"] {
        let (project, out) = go_locked(&goproxy, "example.com/vxhello/cmd/vxhello", asked);
        assert!(
            out.status.success(),
            "{asked}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lock = project.lock();
        assert_eq!(
            lock["tools"]["vxhello"]["version"].as_str(),
            Some(OLD),
            "{asked}"
        );
        locked_vxhello(&lock, &goproxy, OLD, &go_sum, &module_zip(OLD));
    }
    assert!(
        server
            .paths()
            .contains(&format!("/proxy/example.com/vxhello/@v/{OLD}.info")),
        "the version found through its .info"
    );

    // A commit the proxy cannot resolve: refused, saying what to write.
    let project = Project::new(
        "",
        &format!("{PLATFORMS}\n[tools]\n\"go:example.com/vxhello/cmd/vxhello\" = \"1234abc\"\n"),
    );
    let out = vx(&project)
        .env("GOPROXY", &goproxy)
        .arg("lock")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("cannot resolve the commit 1234abc of example.com/vxhello")
            && stderr.contains("write its pseudo-version instead")
            && stderr.contains("go list -m example.com/vxhello@1234abc"),
        "{stderr}"
    );
    assert!(project.lock_text().is_none(), "nothing was locked");

    // Installed with the project's go, it is the older commit that runs.
    let (version, archive) = go_archive_with_sources();
    let (dl, id) = go::serve_linux(&version, &archive);
    let project = Project::new(
        &go::config(&dl),
        &go_manifest(&id, "example.com/vxhello/cmd/vxhello", OLD),
    );
    let with_proxy = || go_vx(&project, &goproxy);
    let out = with_proxy().args(["sync", "--headless"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(project.lock_text().unwrap().contains(&go_sum));
    prints(
        with_proxy(),
        "vxhello",
        &format!("hello from vxhello {OLD}\n"),
    );
}
