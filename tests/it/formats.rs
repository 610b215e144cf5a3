//! Download formats end to end, with the real `vx` binary and a loopback server: bare
//! executables (`format = "raw"`, or sniffed), tars compressed with bzip2 and zstd and
//! plain tars under every suffix they are published with, run through `vx exec` and
//! `vx CMD`; archive and installer types vx cannot unpack are manifest errors.

// Unix only: the tools are a real ELF executable and shell scripts.
#![cfg(unix)]

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use common::{Work, output_of, stdout_of};
use vx_base::format::ArchiveFormat;
use vx_fixture::{Item, Route, TestServer, sha256_hex, tar_bytes, tar_bz2, tar_gz, tar_zst};

/// A script that prints its tool's name and its arguments.
fn script(name: &str) -> Vec<u8> {
    format!("#!/bin/sh\necho \"{name}: $*\"\n").into_bytes()
}

/// A release-style archive: `NAME-1/bin/NAME`, a script.
fn items(name: &'static str) -> Vec<Item> {
    let dir: &'static str = format!("{name}-1/").leak();
    let exe: &'static str = format!("{name}-1/bin/{name}").leak();
    vec![Item::Dir(dir), Item::File(exe, script(name), 0o755)]
}

/// The real `echo` of this system: a bare ELF executable, as jq and kubectl publish.
fn elf() -> Vec<u8> {
    let bytes = std::fs::read("/bin/echo").unwrap();
    assert!(
        bytes.starts_with(b"\x7fELF"),
        "/bin/echo is not an ELF here"
    );
    bytes
}

/// One served tool: its name, the path it is served at, its bytes, and the rest of
/// its manifest table.
struct Tool {
    name: &'static str,
    path: &'static str,
    body: Vec<u8>,
    extra: &'static str,
}

fn tools() -> Vec<Tool> {
    let tar = |name, path, body| Tool {
        name,
        path,
        body,
        extra: "strip_components = 1\n",
    };
    vec![
        // No suffix, no format: sniffed as an executable.
        Tool {
            name: "elfecho",
            path: "/releases/1/elfecho-linux-amd64",
            body: elf(),
            extra: "",
        },
        // Named raw, installed at its one `bin` entry.
        Tool {
            name: "shtool",
            path: "/releases/1/shtool",
            body: script("shtool"),
            extra: "format = \"raw\"\nbin = [\"bin/shtool\"]\n",
        },
        tar("bz", "/releases/1/bz-1.tar.bz2", tar_bz2(&items("bz"))),
        tar("tbz", "/releases/1/tbz-1.tbz", tar_bz2(&items("tbz"))),
        tar("zst", "/releases/1/zst-1.tar.zst", tar_zst(&items("zst"))),
        tar("tzst", "/releases/1/tzst-1.tzst", tar_zst(&items("tzst"))),
        tar("tgz", "/releases/1/tgz-1.tgz", tar_gz(&items("tgz"))),
        tar(
            "plain",
            "/releases/1/plain-1.tar",
            tar_bytes(&items("plain")),
        ),
    ]
}

/// A project of `tools()` served from a loopback server, with its store under
/// `XDG_DATA_HOME`, as a user would run it.
struct Project {
    work: Work,
    _server: TestServer,
}

impl Project {
    fn new(tools: &[Tool]) -> Project {
        let server = TestServer::start(
            tools
                .iter()
                .map(|t| (t.path.to_owned(), Route::Ok(t.body.clone()))),
        );
        let manifest: String = tools
            .iter()
            .map(|t| {
                format!(
                    "[tools.{}]\nversion = \"1\"\nurl = \"{}\"\nsha256 = \"{}\"\n{}\n",
                    t.name,
                    server.url(t.path),
                    sha256_hex(&t.body),
                    t.extra
                )
            })
            .collect();
        let work = Work::new();
        work.write_manifest(&manifest);
        Project {
            work,
            _server: server,
        }
    }

    fn store(&self) -> PathBuf {
        self.work.dir.path().join("xdg/vx/store")
    }

    fn vx(&self) -> assert_cmd::Command {
        let mut cmd = self.work.vx();
        cmd.env("XDG_DATA_HOME", self.work.dir.path().join("xdg"));
        cmd
    }
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

#[test]
fn bare_executables_and_every_tar_format_sync_and_run() {
    let tools = tools();
    let project = Project::new(&tools);
    let out = text(stdout_of(project.vx().args(["sync", "--headless"]), 0));
    assert!(out.contains(": 8 installed, 0 cached, 0 failed"), "{out}");

    // The ELF, sniffed: the tool's executable under its name, mode 0755, with a
    // receipt whose `bin` is that file.
    let dir = crate::common::tree_in(project.store(), "elfecho", "1");
    let exe = dir.join("elfecho");
    assert_eq!(std::fs::read(&exe).unwrap(), elf());
    assert_eq!(
        std::fs::metadata(&exe).unwrap().permissions().mode() & 0o777,
        0o755
    );
    let receipt = vx_engine::store::read_receipt(&dir).unwrap();
    assert_eq!(receipt.format, Some(ArchiveFormat::Raw));
    assert_eq!(receipt.bin, ["elfecho"]);
    let out = stdout_of(
        project.vx().args(["exec", "--", "elfecho", "hello", "elf"]),
        0,
    );
    assert_eq!(text(out), "hello elf\n");
    assert_eq!(
        text(stdout_of(project.vx().args(["elfecho", "again"]), 0)),
        "again\n"
    );

    // The script named raw, at its `bin` entry.
    let which = text(stdout_of(project.vx().args(["which", "shtool"]), 0));
    assert_eq!(
        which.trim_end(),
        crate::common::tree_in(project.store(), "shtool", "1")
            .join("bin/shtool")
            .to_str()
            .unwrap()
    );
    assert_eq!(
        text(stdout_of(project.vx().args(["shtool", "a", "b"]), 0)),
        "shtool: a b\n"
    );

    // Each archive format, under each of its suffixes.
    for tool in &tools[2..] {
        let name = tool.name;
        let out = stdout_of(project.vx().args(["exec", "--", name, "x"]), 0);
        assert_eq!(text(out), format!("{name}: x\n"));
        assert_eq!(
            text(stdout_of(project.vx().args([name, "y"]), 0)),
            format!("{name}: y\n")
        );
    }

    // Cached on the next sync, bare executables included.
    let out = text(stdout_of(project.vx().args(["sync", "--headless"]), 0));
    assert!(out.contains("8 tools up to date"), "{out}");
}

#[test]
fn urls_of_archive_and_installer_types_vx_cannot_unpack_are_manifest_errors() {
    let work = Work::new();
    // A loopback server that would answer: nothing may be downloaded.
    let server = TestServer::start([("/x", Route::Ok(b"never fetched".to_vec()))]);
    for suffix in [".dmg", ".msi", ".pkg", ".7z", ".rar"] {
        let url = server.url(&format!("/x-1{suffix}"));
        work.write_manifest(&format!(
            "[tools.x]\nversion = \"1\"\nurl = \"{url}\"\nsha256 = \"{}\"\n",
            "0".repeat(64)
        ));
        let (_, stderr) = output_of(&mut work.sync(&["--headless"]), 2);
        assert!(stderr.contains("vx.toml:3:7:"), "{suffix}: {stderr}");
        assert!(
            stderr.contains(&format!("ends in `{suffix}`")) && stderr.contains("cannot unpack"),
            "{suffix}: {stderr}"
        );
        assert!(stderr.contains(".tar.zst"), "names what works: {stderr}");
    }
    assert_eq!(server.hits(), 0);
    assert!(!work.store().join("x").exists());
}

#[test]
fn vx_install_takes_a_bare_executable_named_raw_or_sniffed() {
    let body = script("bare");
    let server = TestServer::start([("/dl/bare", Route::Ok(body.clone()))]);
    let work = Work::new();
    for (version, format) in [("1", Some("raw")), ("2", None)] {
        let mut cmd = work.vx();
        cmd.args(["install", &format!("bare@{version}")])
            .args(["--url", &server.url("/dl/bare")])
            .args(["--sha256", &sha256_hex(&body)])
            .arg("--store")
            .arg(work.store());
        if let Some(format) = format {
            cmd.args(["--format", format]);
        }
        cmd.assert().code(0);
        let exe = crate::common::tree_in(work.store(), "bare", version).join("bare");
        let run = std::process::Command::new(&exe).arg("ok").output().unwrap();
        assert_eq!(text(run.stdout), "bare: ok\n", "{version}");
    }
}
