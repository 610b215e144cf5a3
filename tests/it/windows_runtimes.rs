//! Runtimes on Windows (issue 37, item 8), end to end with the real `vx.exe` (under Wine
//! in CI: `.ci/windows`): node and go locked from their publishers' real formats
//! (nodejs.org's `index.json` and `SHASUMS256.txt`, go.dev's download list) with the
//! Windows zip of each, installed from that zip laid out as the publisher ships it
//! (`node-vV-win-x64/node.exe` and `npm.cmd` at the top, `go/bin/go.exe`), and run
//! through `vx exec` and found by `vx which`.
//!
//! The executables are a stand-in (`.ci/wine/stand_in.c`, named by
//! `VX_WINE_STAND_IN`; else this test executable, far larger) that prints the name it
//! was started as: what is checked is the layout, the PATH vx builds and PATHEXT, not
//! node's or go's own code.
#![cfg(windows)]

use crate::common;

use common::publishers::{go, node};
use common::*;
use vx_fixture::{Item, zip_bytes};

/// The stand-in executable's bytes.
fn stand_in() -> Vec<u8> {
    let path = std::env::var_os("VX_WINE_STAND_IN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::current_exe().unwrap());
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What `vx exec -- COMMAND ARGS…` printed, the command having exited 0.
fn exec(project: &Project, command: &[&str]) -> String {
    let out = project
        .vx()
        .arg("exec")
        .arg("--")
        .args(command)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "vx exec {command:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The path `vx which COMMAND` printed.
fn which(project: &Project, command: &str) -> String {
    let out = project.vx().args(["which", command]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "vx which {command}: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

const PLATFORMS: &str =
    "[settings]\nplatforms = [\"windows-x86_64\", \"linux-x86_64\", \"macos-aarch64\"]\n";

#[test]
fn node_installs_from_its_windows_zip_and_runs_through_vx_exec() {
    let zip = zip_bytes(&[
        Item::Dir("node-v20.11.1-win-x64/"),
        Item::File("node-v20.11.1-win-x64/node.exe", stand_in(), 0o755),
        Item::File(
            "node-v20.11.1-win-x64/npm.cmd",
            b"@echo off\r\necho npm 10.2.4 %*\r\n".to_vec(),
            0o644,
        ),
        Item::File(
            "node-v20.11.1-win-x64/npx.cmd",
            b"@echo off\r\necho npx 10.2.4\r\n".to_vec(),
            0o644,
        ),
        Item::File(
            "node-v20.11.1-win-x64/corepack.cmd",
            b"@echo off\r\necho corepack 0.24.0\r\n".to_vec(),
            0o644,
        ),
        Item::Dir("node-v20.11.1-win-x64/node_modules/"),
    ]);
    let mut release = node::Release::listed("20.11.1", Some("Iron"));
    release
        .served
        .push(("node-v20.11.1-win-x64.zip".to_owned(), zip));
    let dist = node::serve(&[node::Release::listed("21.6.0", None), release]);
    let project = Project::new(
        &node::config(&dist),
        &format!("{PLATFORMS}\n[tools]\nnode = \"20\"\n"),
    );

    project.vx().args(["sync", "--headless"]).assert().success();
    let lock = project.lock();
    let entry = locked(&lock, "node", "windows-x86_64");
    assert_eq!(
        entry["url"].as_str(),
        Some("https://nodejs.org/dist/v20.11.1/node-v20.11.1-win-x64.zip")
    );
    // The other platforms are locked from the sums alone: their archives were never
    // asked for.
    assert!(
        dist.paths()
            .iter()
            .all(|p| !p.ends_with(".tar.xz") && !p.ends_with(".tar.gz")),
        "{:?}",
        dist.paths()
    );

    let ran = exec(&project, &["node", "--version"]);
    assert!(ran.starts_with("stand-in node.exe --version"), "{ran}");
    // npm is a `.cmd` script at the top of node's zip, found through PATHEXT.
    let npm = exec(&project, &["npm", "--version"]);
    assert_eq!(npm.trim(), "npm 10.2.4 --version");
    let node = which(&project, "node");
    assert!(
        node.ends_with("\\node.exe") && !node.contains("node-v20.11.1-win-x64"),
        "the zip's top folder is stripped: {node}"
    );
}

#[test]
fn go_installs_from_its_windows_zip_and_runs_through_vx_exec() {
    let zip = zip_bytes(&[
        Item::Dir("go/"),
        Item::File("go/bin/go.exe", stand_in(), 0o755),
        Item::File("go/bin/gofmt.exe", stand_in(), 0o755),
        Item::File("go/VERSION", b"go1.23.8\ntime 2025-04-01\n".to_vec(), 0o644),
    ]);
    let mut release = go::Release::listed("go1.23.8");
    release
        .served
        .push(("go1.23.8.windows-amd64.zip".to_owned(), zip));
    let dl = go::serve(&[go::Release::listed("go1.24.2"), release]);
    let project = Project::new(
        &go::config(&dl),
        &format!("{PLATFORMS}\n[tools]\ngo = \"1.23\"\n"),
    );

    project.vx().args(["sync", "--headless"]).assert().success();
    let lock = project.lock();
    assert_eq!(lock["tools"]["go"]["version"].as_str(), Some("1.23.8"));
    let entry = locked(&lock, "go", "windows-x86_64");
    assert_eq!(
        entry["url"].as_str(),
        Some("https://dl.google.com/go/go1.23.8.windows-amd64.zip")
    );

    let ran = exec(&project, &["go", "version"]);
    assert!(ran.starts_with("stand-in go.exe version"), "{ran}");
    let gofmt = exec(&project, &["gofmt", "-l"]);
    assert!(gofmt.starts_with("stand-in gofmt.exe -l"), "{gofmt}");
    let go = which(&project, "go");
    assert!(go.ends_with("\\bin\\go.exe"), "{go}");
}
