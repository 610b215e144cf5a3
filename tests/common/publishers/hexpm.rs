//! builds.hex.pm's precompiled Erlang/OTP and Elixir: `builds/otp/{amd64,arm64}/
//! ubuntu-NN.04/builds.txt` and `builds/elixir/builds.txt`, each line `NAME REF DATE
//! [SHA256]` as hexpm/bob writes them (sorted by name; old lines without a sha256).
//!
//! The archives served are written here in the publishers' layouts: an OTP release
//! tree `OTP-V/` (`Install`, `erts-E/bin/erl.src` with `%FINAL_ROOTDIR%`, `lib/`,
//! `releases/`) whose `Install` follows OTP's documented interface (`Install [-cross]
//! [-minimal|-sasl] ERL_ROOT`: `bin/erl` and friends made from `erts-E/bin`, the root
//! written into `erl`), and an Elixir zip (`bin/elixir`, `bin/mix`, … scripts that run
//! the `erl` on PATH).

use std::path::Path;

use vx::demo::fixture::{Route, TestServer, noise_seeded, sha256_hex};

/// One OTP build line: the version, the Ubuntu releases and arches it is listed for,
/// whether the line has a sha256, and the archive served (else made-up bytes).
pub struct Otp {
    pub version: &'static str,
    pub ubuntu: Vec<&'static str>,
    pub sha256: bool,
    pub served: Option<Vec<u8>>,
}

impl Otp {
    pub fn listed(version: &'static str, ubuntu: &[&'static str]) -> Otp {
        Otp {
            version,
            ubuntu: ubuntu.to_vec(),
            sha256: true,
            served: None,
        }
    }
}

/// One Elixir build: `v{elixir}-otp-{otp}` and the zip served (else made-up bytes).
pub struct Elixir {
    pub name: &'static str,
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

/// `OTP-{version}.tar.gz` as builds.hex.pm packs OTP's release tree. Its `erl` says
/// the root `Install` wrote into it and its arguments.
pub fn otp_archive(version: &str) -> Vec<u8> {
    let work = tempfile::tempdir().unwrap();
    let top = work.path().join(format!("OTP-{version}"));
    let erts = top.join("erts-15.1.2/bin");
    std::fs::create_dir_all(&erts).unwrap();
    std::fs::create_dir_all(top.join("lib/stdlib-6.1.2/ebin")).unwrap();
    std::fs::create_dir_all(top.join(format!("releases/{version}"))).unwrap();
    let script = |path: &Path, text: &str| {
        std::fs::write(path, text).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    script(
        &erts.join("erl.src"),
        &format!(
            "#!/bin/sh\nROOTDIR=\"%FINAL_ROOTDIR%\"\necho \"Erlang/OTP {version} root=$ROOTDIR args=$*\"\n"
        ),
    );
    for tool in [
        "erlc", "escript", "dialyzer", "typer", "ct_run", "epmd", "run_erl", "to_erl",
    ] {
        script(
            &erts.join(tool),
            &format!("#!/bin/sh\necho {tool} {version}\n"),
        );
    }
    // OTP's interface: `Install [-cross] [-minimal|-sasl] ERL_ROOT`; with -cross the
    // tree is the current directory and ERL_ROOT where it will run.
    script(
        &top.join("Install"),
        "#!/bin/sh\n\
         cross=; root=\n\
         for a in \"$@\"; do case $a in -cross) cross=1;; -minimal|-sasl) ;; *) root=$a;; esac; done\n\
         here=$root; [ -n \"$cross\" ] && here=$(pwd)\n\
         [ -d \"$here/erts-15.1.2/bin\" ] || { echo \"Install: no erts in $here\" >&2; exit 1; }\n\
         mkdir -p \"$here/bin\"\n\
         sed \"s;%FINAL_ROOTDIR%;$root;\" \"$here/erts-15.1.2/bin/erl.src\" > \"$here/bin/erl\"\n\
         chmod 755 \"$here/bin/erl\"\n\
         for t in erlc escript dialyzer typer ct_run epmd run_erl to_erl; do cp -p \"$here/erts-15.1.2/bin/$t\" \"$here/bin/\"; done\n",
    );
    super::run(
        "tar",
        &["czf", "out.tar.gz", &format!("OTP-{version}")],
        work.path(),
    );
    std::fs::read(work.path().join("out.tar.gz")).unwrap()
}

/// An Elixir build's zip: `bin/elixir` and friends run the `erl` on PATH.
pub fn elixir_zip(version: &str) -> Vec<u8> {
    let work = tempfile::tempdir().unwrap();
    let bin = work.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(work.path().join("lib/elixir/ebin")).unwrap();
    std::fs::write(work.path().join("VERSION"), version).unwrap();
    for tool in ["elixir", "elixirc", "iex", "mix"] {
        let path = bin.join(tool);
        std::fs::write(
            &path,
            format!("#!/bin/sh\necho \"{tool} {version}\"\nexec erl -noshell \"$@\"\n"),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    super::run(
        "zip",
        &["-qr", "out.zip", "bin", "lib", "VERSION"],
        work.path(),
    );
    std::fs::read(work.path().join("out.zip")).unwrap()
}
