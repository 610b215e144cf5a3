//! A lock made on one platform, used on another (issue 49, item 1): a Mac
//! developer's `vx lock` (simulated with `--platform macos-aarch64`) committed, then
//! `vx sync`, `vx exec` and `vx run` on this Linux machine lock linux-x86_64 from
//! nodejs.org's index and SHASUMS256.txt alone (no archive of another platform is
//! fetched), say so once, and install the real node without an edit; `--locked` and
//! `--frozen` refuse, naming the platform and `vx lock --platform P`.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use crate::common;

use common::publishers::node;
use common::*;

/// node 20.11.1 (the real linux-x64 archive served) in nodejs.org's layout, and a
/// project `node = "20"` locked for macos-aarch64 only, as a Mac leaves it: its
/// `vx lock --platform macos-aarch64` lists that platform alone (it is the Mac's own).
fn locked_on_a_mac() -> (vx_fixture::TestServer, Project) {
    let (dist, project) = node::real_project(MAC_MADE);
    mac_lock(&project);
    (dist, project)
}

/// A Mac developer's vx.toml after `vx lock --platform macos-aarch64`.
const MAC_MADE: &str = "[settings]\nplatforms = [\"macos-aarch64\"]\n\n[tools]\nnode = \"20\"\n\n[scripts]\nversion = \"node --version\"\n";

/// `vx lock --platform macos-aarch64`, checked to lock that platform alone.
fn mac_lock(project: &Project) {
    project
        .vx()
        .args(["lock", "--platform", "macos-aarch64"])
        .assert()
        .success();
    let lock = project.lock();
    let platforms = lock["tools"]["node"]["platforms"].as_table().unwrap();
    assert_eq!(
        platforms.keys().collect::<Vec<_>>(),
        ["macos-aarch64"],
        "{lock:#?}"
    );
}

/// The archives of other platforms the publisher was asked for.
fn foreign_archives(dist: &vx_fixture::TestServer) -> Vec<String> {
    dist.paths()
        .into_iter()
        .filter(|p| p.contains("node-v") && !p.contains("linux-x64"))
        .collect()
}

#[test]
fn a_mac_made_lock_syncs_on_linux_without_an_edit() {
    let (dist, project) = locked_on_a_mac();
    let manifest = project.manifest_text();
    let (code, _, stderr) = project.outcome(&["sync", "--headless"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr
            .matches("has no linux-x86_64 download of node")
            .count(),
        1,
        "said once: {stderr}"
    );
    let lock = project.lock();
    let linux = locked(&lock, "node", "linux-x86_64");
    assert_eq!(
        linux["url"].as_str(),
        Some("https://nodejs.org/dist/v20.11.1/node-v20.11.1-linux-x64.tar.xz")
    );
    assert_eq!(
        linux["checksum"].as_str(),
        Some("checksum-file:https://nodejs.org/dist/v20.11.1/SHASUMS256.txt")
    );
    locked(&lock, "node", "macos-aarch64");
    assert_eq!(foreign_archives(&dist), Vec::<String>::new());
    assert_eq!(project.manifest_text(), manifest, "vx.toml untouched");
    let (code, stdout, stderr) = project.outcome(&["exec", "--", "node", "--version"]);
    assert_eq!((code, stdout.trim()), (0, "v20.11.1"), "{stderr}");
    // Locked now: nothing more is said.
    let (code, _, stderr) = project.outcome(&["sync", "--headless", "--locked"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("download of node"), "{stderr}");
}

#[test]
fn exec_and_run_lock_the_missing_platform_too() {
    for args in [
        &["exec", "--", "node", "--version"][..],
        &["run", "version"][..],
        &["node", "--version"][..],
    ] {
        let (dist, project) = locked_on_a_mac();
        let (code, stdout, stderr) = project.outcome(args);
        assert_eq!((code, stdout.trim()), (0, "v20.11.1"), "{args:?}: {stderr}");
        assert_eq!(
            stderr
                .matches("has no linux-x86_64 download of node")
                .count(),
            1,
            "{args:?}: {stderr}"
        );
        locked(&project.lock(), "node", "linux-x86_64");
        assert_eq!(foreign_archives(&dist), Vec::<String>::new());
    }
}

#[test]
fn locked_and_frozen_name_the_platform_and_the_fix() {
    let (_dist, project) = locked_on_a_mac();
    let before = project.lock_text();
    for flag in ["--locked", "--frozen"] {
        let (code, _, stderr) = project.outcome(&["sync", "--headless", flag]);
        assert_eq!(code, 2, "{flag}: {stderr}");
        assert!(
            stderr.contains("vx.lock has no linux-x86_64 download of node")
                && stderr.contains("`vx lock --platform linux-x86_64`"),
            "{flag}: {stderr}"
        );
        assert_eq!(project.lock_text(), before, "{flag}");
    }
}

#[test]
fn lock_platform_adds_the_platform_to_the_settings() {
    let (_dist, project) = node::real_project("[tools]\nnode = \"20\"\n");
    mac_lock(&project);
    let settings: toml::Table = project.manifest_text().parse().unwrap();
    let listed = settings["settings"]["platforms"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        listed.iter().any(|p| p.as_str() == Some("macos-aarch64")),
        "{listed:?}"
    );
    // This machine's, which vx.toml's lack of a list meant until now, stays locked.
    let here = vx_model::manifest::Platform::current().to_string();
    assert!(
        listed.iter().any(|p| p.as_str() == Some(here.as_str())),
        "{listed:?}"
    );
    // Listed once, however often it is locked.
    project
        .vx()
        .args(["lock", "--platform", "macos-aarch64"])
        .assert()
        .success();
    let text = project.manifest_text();
    assert_eq!(text.matches("\"macos-aarch64\"").count(), 1, "{text}");
    // And a plain `vx lock` now covers them all.
    project.vx().arg("lock").assert().success();
    let lock = project.lock();
    locked(&lock, "node", "macos-aarch64");
    locked(&lock, "node", &here);
}

/// A URL tool of vx.toml's own, locked on a Mac: `--locked` refuses here, naming the
/// fix; a plain sync installs this platform's download on first use and records it,
/// the Mac's entry kept and its archive not fetched again.
#[test]
fn a_url_tool_locked_on_a_mac_is_locked_here_by_its_first_sync() {
    use vx_fixture::{Item, Route, TestServer, tar_gz};
    let archive = |os: &str| {
        tar_gz(&[Item::File(
            "tool/bin/hi",
            format!("#!/bin/sh\necho hi from {os}\n").into_bytes(),
            0o755,
        )])
    };
    let server = TestServer::start([
        ("/hi-linux-x86_64.tar.gz", Route::Ok(archive("linux"))),
        ("/hi-macos-aarch64.tar.gz", Route::Ok(archive("macos"))),
    ]);
    let project = Project::new(
        "",
        &format!(
            "[settings]\nplatforms = [\"macos-aarch64\"]\n\n[tools.hi]\nversion = \"1.0\"\nurl = \"{}\"\nstrip_components = 1\n",
            server.url("/hi-{os}-{arch}.tar.gz")
        ),
    );
    project.vx().args(["lock", "--headless"]).assert().success();
    let mac = locked(&project.lock(), "hi", "macos-aarch64").clone();
    let (code, _, stderr) = project.outcome(&["sync", "--headless", "--locked"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("vx.lock has no linux-x86_64 download of hi")
            && stderr.contains("`vx lock --platform linux-x86_64`"),
        "{stderr}"
    );
    let (code, _, stderr) = project.outcome(&["sync", "--headless"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr.matches("has no linux-x86_64 download of hi").count(),
        1,
        "{stderr}"
    );
    let lock = project.lock();
    assert!(
        locked(&lock, "hi", "linux-x86_64")["url"]
            .as_str()
            .unwrap()
            .ends_with("/hi-linux-x86_64.tar.gz")
    );
    assert_eq!(locked(&lock, "hi", "macos-aarch64"), &mac);
    let asked = server.paths();
    assert_eq!(
        asked.iter().filter(|p| p.contains("macos")).count(),
        1,
        "by the Mac's lock only: {asked:?}"
    );
    let (code, stdout, stderr) = project.outcome(&["exec", "--", "hi"]);
    assert_eq!((code, stdout.as_str()), (0, "hi from linux\n"), "{stderr}");
}

/// A URL tool locked on a Mac whose vx.toml was edited since (another version): under
/// `--locked` here it is out of date, as on the Mac, not merely locked elsewhere
/// (the order the Windows run of tests/it/lock.rs relies on).
#[test]
fn an_edited_url_tool_locked_elsewhere_is_out_of_date_first() {
    use vx_fixture::{Item, Route, TestServer, tar_gz};
    let mac = tar_gz(&[Item::File(
        "tool/bin/hi",
        b"#!/bin/sh\necho hi\n".to_vec(),
        0o755,
    )]);
    let server = TestServer::start([("/hi-macos-aarch64.tar.gz", Route::Ok(mac))]);
    let project = Project::new(
        "",
        &format!(
            "[settings]\nplatforms = [\"macos-aarch64\"]\n\n[tools.hi]\nversion = \"1.0\"\nurl = \"{0}\"\nstrip_components = 1\n\n[tools.ho]\nversion = \"3.0\"\nurl = \"{0}\"\nstrip_components = 1\n",
            server.url("/hi-{os}-{arch}.tar.gz")
        ),
    );
    project.vx().args(["lock", "--headless"]).assert().success();
    // hi is edited; ho, unchanged, lacks this platform all the same.
    let edited = project.manifest_text().replace("\"1.0\"", "\"2.0\"");
    std::fs::write(project.work.manifest(), edited).unwrap();
    let (code, _, stderr) = project.outcome(&["sync", "--headless", "--locked"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("out of date for hi"), "{stderr}");
    assert!(!stderr.contains("download of"), "{stderr}");
}
