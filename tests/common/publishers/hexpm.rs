//! builds.hex.pm's precompiled Erlang/OTP and Elixir: `builds/otp/{amd64,arm64}/
//! ubuntu-NN.04/builds.txt` and `builds/elixir/builds.txt`, each line `NAME REF DATE
//! [SHA256]` as hexpm/bob writes them (sorted by name; old lines without a sha256).
//!
//! The archives served are made of real files in the publishers' layouts: OTP's
//! release tree `OTP-V/` with its real `Install` (Debian's Erlang/OTP, with the
//! release tree's files that OTP's build makes from its sources: see
//! [`otp_archive`]), and Elixir's precompiled zip (Debian's Elixir: see
//! [`elixir_zip`]).
use std::path::{Path, PathBuf};

use vx_fixture::{Route, TestServer, noise_seeded, sha256_hex};

/// One OTP build line: the version, the Ubuntu releases and arches it is listed for,
/// whether the line has a sha256, and the archive served (else made-up bytes).
pub struct Otp {
    pub version: String,
    pub ubuntu: Vec<&'static str>,
    pub sha256: bool,
    pub served: Option<Vec<u8>>,
}

impl Otp {
    pub fn listed(version: &str, ubuntu: &[&'static str]) -> Otp {
        Otp {
            version: version.to_owned(),
            ubuntu: ubuntu.to_vec(),
            sha256: true,
            served: None,
        }
    }
}

/// One Elixir build: `v{elixir}-otp-{otp}` and the zip served (else made-up bytes).
pub struct Elixir {
    pub name: String,
    pub served: Option<Vec<u8>>,
}

/// builds.hex.pm with `otp` (for amd64 and arm64) and `elixir`, at `/builds/`.
pub fn serve(otp: &[Otp], elixir: &[Elixir]) -> TestServer {
    let mut routes: Vec<(String, Route)> = Vec::new();
    for arch in ["amd64", "arm64"] {
        for ubuntu in ["ubuntu-20.04", "ubuntu-22.04", "ubuntu-24.04"] {
            let mut lines = vec![
                "maint 4f1b2c0d 2024-11-20T04:10:11Z".to_owned(),
                format!("master 9a8b7c6d 2024-11-20T04:12:13Z {}", sha256_hex(b"m")),
            ];
            for (n, build) in otp.iter().enumerate() {
                if !build.ubuntu.contains(&ubuntu) {
                    continue;
                }
                let body = build
                    .served
                    .clone()
                    .unwrap_or_else(|| noise_seeded(64, n as u64 + arch.len() as u64));
                let mut line = format!("OTP-{} 0cd2d5{n:02} 2024-10-17T09:28:13Z", build.version);
                if build.sha256 {
                    line.push_str(&format!(" {}", sha256_hex(&body)));
                }
                lines.push(line);
                routes.push((
                    format!("/builds/otp/{arch}/{ubuntu}/OTP-{}.tar.gz", build.version),
                    Route::Ok(body),
                ));
            }
            lines.sort();
            routes.push((
                format!("/builds/otp/{arch}/{ubuntu}/builds.txt"),
                Route::Ok(format!("{}\n", lines.join("\n")).into_bytes()),
            ));
        }
    }
    let mut lines = vec![format!(
        "main-otp-27 5e6f7a8b 2024-11-21T10:00:00Z {} ",
        sha256_hex(b"main")
    )];
    for (n, build) in elixir.iter().enumerate() {
        let body = build
            .served
            .clone()
            .unwrap_or_else(|| noise_seeded(64, 100 + n as u64));
        // bob leaves a space after the sha256.
        lines.push(format!(
            "{} 6a5e4d3c 2024-09-18T12:00:00Z {} ",
            build.name,
            sha256_hex(&body)
        ));
        routes.push((
            format!("/builds/elixir/{}.zip", build.name),
            Route::Ok(body),
        ));
    }
    lines.sort();
    routes.push((
        "/builds/elixir/builds.txt".to_owned(),
        Route::Ok(format!("{}\n", lines.join("\n")).into_bytes()),
    ));
    TestServer::start(routes)
}

/// The user config line sending builds.hex.pm to `server`.
pub fn config(server: &TestServer) -> String {
    format!(
        "[url_replacements]\n{}",
        super::replacement("https://builds.hex.pm/builds/", &server.url("/builds/"))
    )
}

/// Debian's Erlang/OTP on this machine (`erlang-base` and the packages of the
/// commands vx links: `erlang-dialyzer`, `erlang-common-test`), as
/// installed by OTP's `Install` at `/usr/lib/erlang`.
pub struct DebianOtp {
    /// `/usr/lib/erlang`.
    pub root: PathBuf,
    /// `releases/{major}/OTP_VERSION` (`25.2.3`).
    pub version: String,
    /// The release's directory under `releases/` (`25`: OTP's `SYSTEM_VSN`).
    pub major: String,
    /// The runtime system's version (`13.1.5`: `erts-13.1.5/`).
    pub erts: String,
    /// `erlang-base`'s Debian version, whose source package carries OTP's sources.
    package: String,
}

/// This machine's Debian Erlang/OTP (see [`DebianOtp`]); fails the test with what to
/// install where there is none.
pub fn debian_otp() -> DebianOtp {
    let root = PathBuf::from("/usr/lib/erlang");
    let missing = |what: &str| -> ! {
        panic!(
            "the Erlang tests install a real Erlang/OTP laid out as builds.hex.pm ships it, made \
             from Debian's erlang packages (apt-get install erlang-base erlang-dialyzer \
             erlang-common-test): {what}"
        )
    };
    let named = |prefix: &str| -> Option<String> {
        std::fs::read_dir(&root)
            .ok()?
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .find_map(|n| n.strip_prefix(prefix).map(str::to_owned))
    };
    let erts = named("erts-").unwrap_or_else(|| missing("no /usr/lib/erlang/erts-*"));
    let major = std::fs::read_dir(root.join("releases"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("OTP_VERSION").is_file())
        .find_map(|e| e.file_name().into_string().ok())
        .unwrap_or_else(|| missing("no /usr/lib/erlang/releases/*/OTP_VERSION"));
    let version = std::fs::read_to_string(root.join("releases").join(&major).join("OTP_VERSION"))
        .unwrap()
        .trim()
        .to_owned();
    for command in ["dialyzer", "ct_run", "erlc", "escript"] {
        if !root.join(format!("erts-{erts}/bin/{command}")).is_file() {
            missing(&format!("no erts-{erts}/bin/{command}"));
        }
    }
    let out = std::process::Command::new("dpkg-query")
        .args(["-W", "-f=${Version}", "erlang-base"])
        .output()
        .unwrap();
    DebianOtp {
        root,
        version,
        major,
        erts,
        package: String::from_utf8(out.stdout).unwrap(),
    }
}

/// The files of OTP's source tree that its build turns into the release tree's
/// `Install`, `erts-V/bin/*.src` and `misc/`, under `erts/etc/unix/`: taken once
/// from Debian's source package of the installed version (`apt-get source
/// --download-only`, with the machine's Debian sources as `deb-src` in a private
/// apt state, leaving the machine's apt configuration as it is).
fn otp_sources(otp: &DebianOtp) -> PathBuf {
    super::built_once(&format!("otp-sources-{}", otp.version), |out| {
        let apt = tempfile::tempdir().unwrap();
        let parts = apt.path().join("parts");
        let lists = apt.path().join("lists");
        let download = apt.path().join("download");
        for dir in [&parts, &lists.join("partial"), &download] {
            std::fs::create_dir_all(dir).unwrap();
        }
        for entry in std::fs::read_dir("/etc/apt/sources.list.d")
            .unwrap()
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".sources") {
                let text = std::fs::read_to_string(entry.path()).unwrap();
                std::fs::write(
                    parts.join(&name),
                    text.replace("Types: deb\n", "Types: deb-src\n"),
                )
                .unwrap();
            }
        }
        if let Ok(text) = std::fs::read_to_string("/etc/apt/sources.list") {
            let lines: Vec<String> = text
                .lines()
                .filter_map(|l| l.strip_prefix("deb ").map(|rest| format!("deb-src {rest}")))
                .collect();
            std::fs::write(parts.join("sources.list"), lines.join("\n") + "\n").unwrap();
        }
        let options = [
            "-o".to_owned(),
            "Dir::Etc::SourceList=/dev/null".to_owned(),
            "-o".to_owned(),
            format!("Dir::Etc::SourceParts={}", parts.display()),
            "-o".to_owned(),
            format!("Dir::State::Lists={}", lists.display()),
            "-qq".to_owned(),
        ];
        let apt_get = |args: &[&str]| {
            let mut all: Vec<&str> = options.iter().map(String::as_str).collect();
            all.extend_from_slice(args);
            super::run("apt-get", &all, &download);
        };
        apt_get(&["update"]);
        apt_get(&[
            "source",
            "--download-only",
            &format!("erlang={}", otp.package),
        ]);
        let orig = std::fs::read_dir(&download)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().contains(".orig.tar."))
            .expect("apt-get source erlang downloaded the upstream tarball");
        std::fs::create_dir_all(out).unwrap();
        super::run(
            "tar",
            &[
                "xf",
                orig.to_str().unwrap(),
                "--strip-components=1",
                "--wildcards",
                "*/erts/etc/unix/Install.src",
                "*/erts/etc/unix/erl.src.src",
                "*/erts/etc/unix/start.src",
                "*/erts/etc/unix/start_erl.src",
                "*/erts/etc/unix/format_man_pages",
                "*/erts/etc/unix/makewhatis",
            ],
            out,
        );
    })
}

/// `OTP-{version}.tar.gz` as builds.hex.pm packs OTP's release tree, made of this
/// machine's real Erlang/OTP ([`debian_otp`]; `version` is the one it is served as,
/// its commands say their own). Made once per machine and version.
///
/// The layout is the publisher's, read from its build script (hexpm/bob at 17c581fa,
/// the newest stored snapshot, `priv/scripts/otp/build_otp_ubuntu.sh`): l.21-35 build
/// OTP with `./configure`, `make` and `make release`, l.42-44 move the release tree
/// (`release/{target}/`) to `OTP-{V}/` and pack it whole with `tar -zcf`. The release
/// tree is OTP's, not yet installed: `Install`, `erts-E/` (with `bin/erl.src`,
/// `start.src` and `start_erl.src` still holding `%FINAL_ROOTDIR%`), `lib/`,
/// `misc/`, `releases/` (with `RELEASES.src`) and `usr/`; no `bin/`. Those files come
/// from OTP's sources of the installed version as its build makes them (erlang/otp
/// `erts/etc/common/Makefile.in` at OTP-25.2.3, l.509-514: `Install` is
/// `erts/etc/unix/Install.src` with `%I_VSN%`, `%EMULATOR%`, `%EMULATOR_NUMBER%` and
/// `%I_SYSTEM_VSN%` filled in; l.516-522: `erl.src` likewise from `erl.src.src`;
/// l.530-575 (`release_spec`) install them, `start.src`, `start_erl.src` and `misc/`). The rest is
/// Debian's installed tree less what `Install` made of it (`bin/`, `erts-E/bin/erl`,
/// `start`, `start_erl`, `releases/RELEASES` and `start_erl.data`), which vx's
/// install step runs the real `Install` to make again; Debian's links to its shared
/// files (`/usr/share/javascript`) are the files themselves, as in OTP's tree.
pub fn otp_archive(version: &str) -> Vec<u8> {
    let otp = debian_otp();
    let sources = otp_sources(&otp);
    let name = format!("OTP-{version}-from-debian-{}.tar.gz", otp.version);
    let path = super::built_once(&name, |out| {
        let work = tempfile::tempdir().unwrap();
        let top_name = format!("OTP-{version}");
        let top = work.path().join(&top_name);
        super::run(
            "cp",
            &["-a", otp.root.to_str().unwrap(), top.to_str().unwrap()],
            work.path(),
        );
        super::resolve_outside_links(&top);
        let erts_bin = top.join(format!("erts-{}/bin", otp.erts));
        std::fs::remove_dir_all(top.join("bin")).unwrap();
        for made in [
            erts_bin.join("erl"),
            erts_bin.join("start"),
            erts_bin.join("start_erl"),
            top.join("releases/start_erl.data"),
        ] {
            std::fs::remove_file(made).unwrap();
        }
        let releases = std::fs::read_to_string(top.join("releases/RELEASES")).unwrap();
        std::fs::remove_file(top.join("releases/RELEASES")).unwrap();
        let root = format!("\"{}/", otp.root.display());
        std::fs::write(
            top.join("releases/RELEASES.src"),
            releases.replace(&root, "\"%ERL_ROOT%/"),
        )
        .unwrap();
        let unix = sources.join("erts/etc/unix");
        let made_from = |source: &str, to: &Path, fills: &[(&str, &str)]| {
            let mut text = std::fs::read_to_string(unix.join(source)).unwrap();
            for (from, by) in fills {
                text = text.replace(from, by);
            }
            std::fs::write(to, text).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o755)).unwrap();
        };
        let erts = otp.erts.as_str();
        made_from(
            "Install.src",
            &top.join("Install"),
            &[
                ("%I_VSN%", erts),
                ("%EMULATOR%", "beam"),
                ("%EMULATOR_NUMBER%", ""),
                ("%I_SYSTEM_VSN%", &otp.major),
            ],
        );
        let dyn_erl = format!("../erts-{erts}/bin/dyn_erl");
        made_from(
            "erl.src.src",
            &erts_bin.join("erl.src"),
            &[
                ("%EMULATOR%", "beam"),
                ("%EMULATOR_NUMBER%", ""),
                ("%VSN%", erts),
                ("%DYN_ERL_PATH%", &dyn_erl),
                ("%DYN_ROOTDIR_BASE_EXT%", ""),
            ],
        );
        made_from("start.src", &erts_bin.join("start.src"), &[]);
        made_from("start_erl.src", &erts_bin.join("start_erl.src"), &[]);
        std::fs::create_dir_all(top.join("misc")).unwrap();
        made_from("format_man_pages", &top.join("misc/format_man_pages"), &[]);
        made_from("makewhatis", &top.join("misc/makewhatis"), &[]);
        super::run(
            "tar",
            &["-zcf", out.to_str().unwrap(), &top_name],
            work.path(),
        );
    });
    std::fs::read(path).unwrap()
}

/// Debian's Elixir on this machine (the `elixir` package): its home
/// (`/usr/lib/elixir`) and version (`1.14.0`, its `bin/elixir`'s `ELIXIR_VERSION`).
pub fn debian_elixir() -> (PathBuf, String) {
    let home = PathBuf::from("/usr/lib/elixir");
    let script = std::fs::read_to_string(home.join("bin/elixir")).unwrap_or_else(|e| {
        panic!(
            "the Elixir tests install a real Elixir laid out as its precompiled zip is, made \
             from Debian's elixir package (apt-get install elixir): /usr/lib/elixir/bin/elixir: {e}"
        )
    });
    let version = script
        .lines()
        .find_map(|l| l.strip_prefix("ELIXIR_VERSION="))
        .expect("bin/elixir sets ELIXIR_VERSION")
        .trim()
        .to_owned();
    (home, version)
}

/// The build of Elixir `version` builds.hex.pm serves (`v{V}-otp-{OTP}.zip`), made
/// of this machine's real Elixir ([`debian_elixir`]; `version` is the one it is
/// served as, its commands say their own). Made once per machine and version.
///
/// The layout is the publisher's (elixir-lang/elixir at 63a7a054, the newest stored
/// snapshot): `.github/workflows/release_pre_built/action.yml` l.29-30 build
/// `make Precompiled.zip` and rename it `elixir-otp-{OTP}.zip`; `Makefile` l.244-247
/// zip, with no top directory, `bin CHANGELOG.md lib/*/ebin lib/*/lib LICENSE
/// Makefile man README.md VERSION`; `.github/workflows/release.yml` l.349-356 upload
/// each zip to builds.hex.pm as `builds/elixir/{tag}-otp-{OTP}.zip`. Debian's package
/// gives `bin/`, `lib/*/ebin`, the man pages (gzipped in `/usr/share/man`, here as
/// the zip has them) and the changelog; `VERSION` holds the version as Elixir's own
/// does. Left out: `LICENSE`, `README.md` and `Makefile` (Debian keeps none of them),
/// and the Windows scripts of `bin/` (Debian's is a Unix package).
pub fn elixir_zip(version: &str) -> Vec<u8> {
    let (home, real) = debian_elixir();
    let name = format!("elixir-{version}-from-debian-{real}.zip");
    let path = super::built_once(&name, |out| {
        let work = tempfile::tempdir().unwrap();
        let at = work.path();
        super::run(
            "cp",
            &[
                "-a",
                home.join("bin").to_str().unwrap(),
                at.to_str().unwrap(),
            ],
            at,
        );
        for entry in std::fs::read_dir(home.join("lib")).unwrap().flatten() {
            let app = at.join("lib").join(entry.file_name());
            std::fs::create_dir_all(&app).unwrap();
            super::run(
                "cp",
                &[
                    "-a",
                    entry.path().join("ebin").to_str().unwrap(),
                    app.to_str().unwrap(),
                ],
                at,
            );
        }
        std::fs::create_dir_all(at.join("man")).unwrap();
        for page in ["elixir", "elixirc", "iex", "mix"] {
            let gz = format!("/usr/share/man/man1/{page}.1.gz");
            if Path::new(&gz).exists() {
                let out = std::process::Command::new("gzip")
                    .args(["-dc", &gz])
                    .output()
                    .unwrap();
                std::fs::write(at.join(format!("man/{page}.1")), out.stdout).unwrap();
            }
        }
        let changelog = "/usr/share/doc/elixir/changelog.gz";
        let mut files = vec!["bin", "lib", "man", "VERSION"];
        if Path::new(changelog).exists() {
            let text = std::process::Command::new("gzip")
                .args(["-dc", changelog])
                .output()
                .unwrap();
            std::fs::write(at.join("CHANGELOG.md"), text.stdout).unwrap();
            files.push("CHANGELOG.md");
        }
        std::fs::write(at.join("VERSION"), format!("{real}\n")).unwrap();
        let mut args = vec!["-9", "-qr", out.to_str().unwrap()];
        args.extend(files);
        super::run("zip", &args, at);
    });
    std::fs::read(path).unwrap()
}
