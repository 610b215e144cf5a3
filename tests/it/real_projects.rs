//! A project built from archives shaped like real releases (issue 26's acceptance): an
//! npm platform package (`package/bin/…` in a `.tgz`), a PyPI wheel
//! (`NAME-VERSION.data/scripts/…` in a zip), a bare executable (a real ELF), a
//! `.tar.zst`, a `.tar.bz2` and a Windows-only zip, served from a loopback server
//! under release-style paths for three platforms: locked for all three, synced here,
//! and each tool run through `vx CMD`.
#![cfg(all(unix, target_os = "linux", target_arch = "x86_64"))]

use crate::common;

use common::*;
use vx_base::format::ArchiveFormat;
use vx_fixture::{Item, Route, TestServer, archive_bytes, sha256_hex};

/// The platforms the project is locked for, with the spellings each release uses.
const PLATFORMS: [(&str, &str, &str); 3] = [
    ("linux-x86_64", "linux", "x64"),
    ("macos-aarch64", "darwin", "arm64"),
    ("windows-x86_64", "win32", "x64"),
];

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn script(says: &str) -> Vec<u8> {
    format!("#!/bin/sh\necho \"{says} $*\"\n").into_bytes()
}

/// Every route of the project's releases, and the manifest.
fn releases() -> (Vec<(String, Route)>, impl Fn(&str) -> String) {
    let mut routes = Vec::new();
    for (platform, npm_os, npm_arch) in PLATFORMS {
        let (os, arch) = platform.split_once('-').unwrap();
        let windows = os == "windows";
        let exe = |name: &str| {
            if windows {
                format!("{name}.exe")
            } else {
                name.to_owned()
            }
        };
        // esbuild: an npm platform package, `package/bin/esbuild` (`esbuild.exe` at the
        // top on Windows, as the real one ships it).
        let esbuild_entry = if windows {
            leak("package/esbuild.exe".into())
        } else {
            "package/bin/esbuild"
        };
        routes.push((
            format!("/@esbuild/{npm_os}-{npm_arch}/-/{npm_os}-{npm_arch}-0.24.0.tgz"),
            Route::Ok(archive_bytes(
                ArchiveFormat::TarGz,
                &[
                    Item::File("package/package.json", b"{}".to_vec(), 0o644),
                    Item::File(
                        esbuild_entry,
                        script(&format!("esbuild 0.24.0 {platform}")),
                        0o755,
                    ),
                ],
            )),
        ));
        // ruff: a wheel; the Windows one holds ruff.exe.
        let wheel_tag = match platform {
            "linux-x86_64" => "manylinux_2_17_x86_64",
            "macos-aarch64" => "macosx_11_0_arm64",
            _ => "win_amd64",
        };
        routes.push((
            format!("/ruff-0.7.4-py3-none-{wheel_tag}.whl"),
            Route::Ok(archive_bytes(
                ArchiveFormat::Zip,
                &[
                    Item::File("ruff/__init__.py", b"".to_vec(), 0o644),
                    Item::File(
                        leak(format!("ruff-0.7.4.data/scripts/{}", exe("ruff"))),
                        script("ruff 0.7.4"),
                        0o755,
                    ),
                ],
            )),
        ));
        // jq: a bare executable. Here a real ELF (/bin/echo), elsewhere the first
        // bytes of a Mach-O and a PE file.
        let jq = match os {
            "linux" => std::fs::read("/bin/echo").unwrap(),
            "macos" => [&[0xcf, 0xfa, 0xed, 0xfe][..], &[7u8; 60][..]].concat(),
            _ => [&b"MZ"[..], &[0u8; 62][..]].concat(),
        };
        routes.push((
            format!("/jq-1.7.1-{os}-{arch}{}", if windows { ".exe" } else { "" }),
            Route::Ok(jq),
        ));
        // fd: a .tar.zst with the tool in a versioned directory.
        routes.push((
            format!("/fd-v10.2.0-{arch}-{os}.tar.zst"),
            Route::Ok(archive_bytes(
                ArchiveFormat::TarZst,
                &[Item::File(
                    leak(format!("fd-v10.2.0-{arch}-{os}/{}", exe("fd"))),
                    script("fd 10.2.0"),
                    0o755,
                )],
            )),
        ));
        // lua: a .tar.bz2.
        routes.push((
            format!("/lua-5.4.7-{os}-{arch}.tar.bz2"),
            Route::Ok(archive_bytes(
                ArchiveFormat::TarBz2,
                &[Item::File(
                    leak(format!("lua-5.4.7/bin/{}", exe("lua"))),
                    script("lua 5.4.7"),
                    0o755,
                )],
            )),
        ));
    }
    // winget: a Windows-only zip.
    routes.push((
        "/winget-1.9.zip".to_owned(),
        Route::Ok(archive_bytes(
            ArchiveFormat::Zip,
            &[Item::File("winget.exe", b"MZ".to_vec(), 0o755)],
        )),
    ));
    let manifest = |base: &str| {
        format!(
            r#"# a project of real-world-shaped releases
[settings]
platforms = ["linux-x86_64", "macos-aarch64", "windows-x86_64"]

[tools.esbuild]
version = "0.24.0"
url = "{base}/@esbuild/{{os}}-{{arch}}/-/{{os}}-{{arch}}-{{version}}.tgz"
replacements = {{ macos = "darwin", windows = "win32", x86_64 = "x64", aarch64 = "arm64" }}
strip_components = 1
bin = ["bin/esbuild"]

[tools.esbuild.platforms.windows-x86_64]
bin = ["esbuild"]

[tools.ruff]
version = "0.7.4"
url = "{base}/ruff-{{version}}-py3-none-{{os}}.whl"
format = "zip"
replacements = {{ linux = "manylinux_2_17_x86_64", macos = "macosx_11_0_arm64", windows = "win_amd64" }}
bin = ["ruff-{{version}}.data/scripts/ruff"]

[tools.jq]
version = "1.7.1"
url = "{base}/jq-{{version}}-{{os}}-{{arch}}"

[tools.jq.platforms.windows-x86_64]
url = "{base}/jq-{{version}}-{{os}}-{{arch}}.exe"

[tools.fd]
version = "10.2.0"
url = "{base}/fd-v{{version}}-{{arch}}-{{os}}.tar.zst"
strip_components = 1

[tools.lua]
version = "5.4.7"
url = "{base}/lua-{{version}}-{{os}}-{{arch}}.tar.bz2"
strip_components = 1

[tools.winget]
version = "1.9"
url = "{base}/winget-{{version}}.zip"
os = ["windows"]
"#
        )
    };
    (routes, manifest)
}

#[test]
fn a_project_of_real_release_shapes_locks_for_three_platforms_syncs_and_runs() {
    let (routes, manifest) = releases();
    let bodies: Vec<(String, Vec<u8>)> = routes
        .iter()
        .map(|(path, route)| match route {
            Route::Ok(body) => (path.clone(), body.clone()),
            _ => unreachable!(),
        })
        .collect();
    let server = TestServer::start(routes);
    let work = Work::new();
    work.write_manifest(&manifest(&server.url("")));
    // Every command on the project's default store, under this test's directory.
    let xdg = work.dir.path().join("xdg");
    let vx = || {
        let mut cmd = work.vx();
        cmd.env("XDG_DATA_HOME", &xdg);
        cmd
    };

    let (_, err) = output_of(vx().args(["lock", "--headless"]), 0);
    assert!(
        err.contains("locked") && err.contains("for linux-x86_64, macos-aarch64, windows-x86_64"),
        "{err}"
    );
    assert!(!err.contains("warning"), "{err}");
    let lock: toml::Table =
        toml::from_str(&std::fs::read_to_string(work.dir.path().join("vx.lock")).unwrap()).unwrap();
    for tool in ["esbuild", "ruff", "jq", "fd", "lua"] {
        let platforms = lock["tools"][tool]["platforms"].as_table().unwrap();
        assert_eq!(platforms.len(), 3, "{tool}: {platforms:?}");
        for entry in platforms.values() {
            let url = entry["url"].as_str().unwrap();
            let path = url.strip_prefix(&server.url("")).unwrap();
            let body = &bodies.iter().find(|(p, _)| p == path).unwrap().1;
            assert_eq!(
                entry["sha256"].as_str(),
                Some(sha256_hex(body).as_str()),
                "{url}"
            );
        }
    }
    let winget = lock["tools"]["winget"]["platforms"].as_table().unwrap();
    assert_eq!(winget.keys().collect::<Vec<_>>(), ["windows-x86_64"]);

    vx().args(["sync", "--locked", "--headless"])
        .assert()
        .code(0)
        .stderr(predicates::str::contains("not for linux-x86_64: winget"));
    let run = |args: &[&str], want: &str| {
        let out = stdout_of(vx().args(args), 0);
        assert_eq!(String::from_utf8_lossy(&out), want, "vx {args:?}");
    };
    run(
        &["esbuild", "--version"],
        "esbuild 0.24.0 linux-x86_64 --version\n",
    );
    run(&["ruff", "check"], "ruff 0.7.4 check\n");
    run(&["jq", "hello", "world"], "hello world\n");
    run(&["fd", "-H"], "fd 10.2.0 -H\n");
    run(&["lua", "-v"], "lua 5.4.7 -v\n");
    // A fully installed project: the next sync is a no-op.
    let again = summary(&json_lines(&stdout_of(
        vx().args(["sync", "--locked", "--json"]),
        0,
    )));
    for tool in ["esbuild", "ruff", "jq", "fd", "lua"] {
        assert_eq!(again[tool]["result"], "cached", "{tool}");
    }
}
