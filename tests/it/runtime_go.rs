//! The `go` runtime (issue 37) end to end with the real `vx`: go.dev's download list
//! served in its real format by a loopback stand-in (tests/common/publishers/go.rs),
//! reached through the user config's `url_replacements`; locked for several platforms
//! from the list alone; the real Go of Debian's `golang-go` package laid out as
//! go.dev's tarball, installed and run through `vx exec`.
#![cfg(unix)]

use crate::common;

use common::publishers::go;
use common::*;

fn list() -> Vec<go::Release> {
    [
        "go1.24rc1",
        "go1.23.8",
        "go1.23.7",
        "go1.21.0",
        "go1.20.14",
        "go1.20",
    ]
    .into_iter()
    .map(go::Release::listed)
    .collect()
}

const INDEX: &str = "index:https://go.dev/dl/?mode=json&include=all";

#[test]
fn go_locks_every_platform_from_the_download_list_alone() {
    let dl = go::serve(&list());
    let project = Project::new(
        &go::config(&dl),
        "[settings]\nplatforms = [\"linux-x86_64\", \"linux-x86_64-musl\", \"macos-aarch64\", \"windows-x86_64\", \"macos-x86_64\"]\n\
         [tools]\ngolang = \"1.23\"\n",
    );
    project.vx().arg("lock").assert().success();
    let lock = project.lock();
    let entry = &lock["tools"]["golang"];
    assert_eq!(entry["version"].as_str(), Some("1.23.8"));
    assert_eq!(entry["package"].as_str(), Some("runtime:go"));
    assert_eq!(entry["tag"].as_str(), Some("go1.23.8"));
    assert_eq!(entry["constraint"].as_str(), Some("1.23"));
    for (platform, file) in [
        ("linux-x86_64", "go1.23.8.linux-amd64.tar.gz"),
        ("linux-x86_64-musl", "go1.23.8.linux-amd64.tar.gz"),
        ("macos-aarch64", "go1.23.8.darwin-arm64.tar.gz"),
        ("windows-x86_64", "go1.23.8.windows-amd64.zip"),
    ] {
        let one = entry["platforms"][platform]
            .as_table()
            .unwrap_or_else(|| panic!("{platform} not locked: {entry:#?}"));
        assert_eq!(
            one["url"].as_str().unwrap(),
            format!("https://dl.google.com/go/{file}"),
            "{platform}: the publisher's URL is locked, not the mirror's"
        );
        assert_eq!(one["checksum"].as_str(), Some(INDEX), "{platform}");
        assert_eq!(one["sha256"].as_str().unwrap().len(), 64);
    }
    let win = &entry["platforms"]["windows-x86_64"]["bin"];
    assert_eq!(
        win.as_array().unwrap(),
        &vec![toml::Value::from("bin/go.exe"), "bin/gofmt.exe".into()]
    );
    // go.dev publishes no darwin-amd64 archive in this list: said, not guessed.
    assert!(
        entry["unsupported"]["macos-x86_64"]
            .as_str()
            .is_some_and(|r| r.contains("no build for macos-x86_64")),
        "{entry:#?}"
    );
    // The list is all that was asked for: no archive fetched.
    assert_eq!(dl.paths(), [go::LIST_PATH]);
}

#[test]
fn go_versions_as_users_write_them() {
    let dl = go::serve(&list());
    for (written, version, tag) in [
        ("1.23.7", "1.23.7", "go1.23.7"),
        ("go1.23.7", "1.23.7", "go1.23.7"),
        ("1.20", "1.20.14", "go1.20.14"),
        ("go1.20", "1.20", "go1.20"),
        ("1.21", "1.21.0", "go1.21.0"),
        ("latest", "1.23.8", "go1.23.8"),
    ] {
        let project = Project::new(
            &go::config(&dl),
            &format!("[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\ngo = \"{written}\"\n"),
        );
        project.vx().arg("lock").assert().success();
        let lock = project.lock();
        assert_eq!(
            lock["tools"]["go"]["version"].as_str(),
            Some(version),
            "{written}"
        );
        assert_eq!(lock["tools"]["go"]["tag"].as_str(), Some(tag), "{written}");
    }
}

#[test]
fn a_go_version_that_does_not_exist_names_the_newest_and_writes_nothing() {
    let dl = go::serve(&list());
    let manifest = "[tools]\ngo = \"1.22\"\n";
    let project = Project::new(&go::config(&dl), manifest);
    let (code, stderr) = project.lock_fails();
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("no version of go matches `1.22`; the newest are 1.23.8, 1.23.7, 1.21.0"),
        "{stderr}"
    );
    assert_eq!(project.manifest_text(), manifest);
    assert_eq!(project.lock_text(), None);
}

#[test]
fn a_corrupt_list_or_a_file_without_its_sha256_is_an_error_that_writes_nothing() {
    let broken = go::serve_list(b"[{\"version\": \"go1.23.8\", \"files\": [".to_vec());
    let project = Project::new(&go::config(&broken), "[tools]\ngo = \"1.23\"\n");
    let (code, stderr) = project.lock_fails();
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("not a valid Go download list"), "{stderr}");
    assert_eq!(project.lock_text(), None);

    // The linux archive listed with an empty sha256.
    let text = String::from_utf8(go::list(&list())).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    for file in value[1]["files"].as_array_mut().unwrap() {
        if file["filename"] == "go1.23.8.linux-amd64.tar.gz" {
            file["sha256"] = "".into();
        }
    }
    let lacking = go::serve_list(serde_json::to_vec(&value).unwrap());
    let project = Project::new(
        &go::config(&lacking),
        "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\ngo = \"1.23.8\"\n",
    );
    let (code, stderr) = project.lock_fails();
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("has no sha256 for go1.23.8.linux-amd64.tar.gz; nothing was locked"),
        "{stderr}"
    );
    assert_eq!(project.lock_text(), None);
}

#[test]
fn real_go_installs_and_go_and_gofmt_run_through_vx_exec() {
    let (version, archive) = go::real_archive();
    let (dl, id) = go::serve_linux(&version, &archive);
    let project = Project::new(
        &go::config(&dl),
        &format!("[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\ngo = \"{id}\"\n"),
    );
    project.vx().args(["sync", "--headless"]).assert().success();
    let run = |args: &[&str]| {
        let out = project
            .vx()
            .env("GOTOOLCHAIN", "local")
            .arg("exec")
            .arg("--")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    assert_eq!(
        run(&["go", "version"]),
        format!("go version {id} linux/amd64")
    );
    // Go finds its root from where it runs: the store entry, not Debian's.
    let goroot = run(&["go", "env", "GOROOT"]);
    assert!(
        crate::common::unkeyed(&goroot).ends_with(&format!("/go/{version}"))
            && !goroot.starts_with("/usr/lib"),
        "{goroot}"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.go"), "package a\nfunc  F( ) {}\n").unwrap();
    let unformatted = run(&["gofmt", "-l", dir.path().to_str().unwrap()]);
    assert!(unformatted.ends_with("a.go"), "{unformatted}");
}
