//! Language runtimes by name (issue 37), end to end with the real `vx`: each runtime
//! read from a loopback stand-in of its publisher in the publisher's real format
//! (tests/common/publishers/), reached through the user config's `url_replacements`;
//! locked for several platforms without fetching an archive; installed from the real
//! runtime binaries package registries ship, laid out as the publisher's archive, and
//! run through `vx exec`. Bad indexes, missing checksums and versions that do not
//! exist are clear errors that leave vx.toml and vx.lock as they were.
#![cfg(unix)]

use crate::common;

use common::publishers::{self, node};
use common::*;
use vx_fixture::TestServer;

const THREE: &str =
    "[settings]\nplatforms = [\"linux-x86_64\", \"macos-aarch64\", \"windows-x86_64\"]\n";

fn node_index() -> Vec<node::Release> {
    vec![
        node::Release::listed("23.3.0", None),
        node::Release::listed("22.12.0", Some("Jod")),
        node::Release::listed("20.11.1", Some("Iron")),
        node::Release::listed("20.9.0", Some("Iron")),
    ]
}

#[test]
fn node_locks_every_platform_from_the_index_and_sums_alone() {
    let dist = node::serve(&node_index());
    let project = Project::new(
        &node::config(&dist),
        &format!("{THREE}\n[tools]\nnode = \"lts/iron\"\n"),
    );
    project.vx().arg("lock").assert().success();
    let lock = project.lock();
    let entry = &lock["tools"]["node"];
    assert_eq!(entry["version"].as_str(), Some("20.11.1"));
    assert_eq!(entry["package"].as_str(), Some("runtime:node"));
    assert_eq!(entry["tag"].as_str(), Some("v20.11.1"));
    assert_eq!(entry["constraint"].as_str(), Some("lts/iron"));
    for (platform, asset) in [
        ("linux-x86_64", "node-v20.11.1-linux-x64.tar.xz"),
        ("macos-aarch64", "node-v20.11.1-darwin-arm64.tar.gz"),
        ("windows-x86_64", "node-v20.11.1-win-x64.zip"),
    ] {
        let one = locked(&lock, "node", platform);
        assert_eq!(
            one["url"].as_str().unwrap(),
            format!("https://nodejs.org/dist/v20.11.1/{asset}"),
            "the publisher's URL is locked, not the mirror's"
        );
        let sums = dist.paths();
        assert!(
            sums.iter().all(|p| !p.ends_with(asset)),
            "{asset} fetched: {sums:?}"
        );
        assert_eq!(
            one["checksum"].as_str(),
            Some("checksum-file:https://nodejs.org/dist/v20.11.1/SHASUMS256.txt")
        );
        assert_eq!(one["sha256"].as_str().unwrap().len(), 64);
    }
    // One index and one checksum file: nothing else was asked for.
    let mut asked = dist.paths();
    asked.sort();
    assert_eq!(asked, ["/dist/index.json", "/dist/v20.11.1/SHASUMS256.txt"]);
}

#[test]
fn node_versions_as_users_write_them() {
    let dist = node::serve(&node_index());
    for (written, version) in [
        ("20", "20.11.1"),
        ("v20.9.0", "20.9.0"),
        ("lts", "22.12.0"),
        ("latest", "23.3.0"),
    ] {
        let project = Project::new(
            &node::config(&dist),
            &format!(
                "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\nnodejs = \"{written}\"\n"
            ),
        );
        project.vx().arg("lock").assert().success();
        let lock = project.lock();
        assert_eq!(
            lock["tools"]["nodejs"]["version"].as_str(),
            Some(version),
            "{written}"
        );
    }
}

#[test]
fn a_node_version_that_does_not_exist_names_the_newest_and_writes_nothing() {
    let dist = node::serve(&node_index());
    let manifest = "[tools]\nnode = \"19\"\n";
    let project = Project::new(&node::config(&dist), manifest);
    let stderr = project.lock_exit(2);
    assert!(
        stderr.contains("no version of node matches `19`; the newest are 23.3.0, 22.12.0, 20.11.1"),
        "{stderr}"
    );
    assert_eq!(project.manifest_text(), manifest);
    assert_eq!(project.lock_text(), None);
}

#[test]
fn a_corrupt_index_or_sums_without_the_asset_are_errors_that_write_nothing() {
    let broken = TestServer::start([(
        "/dist/index.json",
        vx_fixture::Route::Ok(b"[{\"version\": \"v20.11.1\", \"files\": [".to_vec()),
    )]);
    let project = Project::new(&node::config(&broken), "[tools]\nnode = \"20\"\n");
    project.lock_refused(1, "index.json: not a valid node release index");

    // An index listing 20.11.1 whose SHASUMS256.txt lacks the linux archive.
    let dist = node::serve(&node_index());
    let sums = dist.url("/dist/v20.11.1/SHASUMS256.txt");
    let text = String::from_utf8(
        std::process::Command::new("curl")
            .args(["-sf", &sums])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let without: String = text
        .lines()
        .filter(|l| !l.contains("linux-x64"))
        .map(|l| format!("{l}\n"))
        .collect();
    let index = String::from_utf8(
        std::process::Command::new("curl")
            .args(["-sf", &dist.url("/dist/index.json")])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let lacking = TestServer::start([
        (
            "/dist/index.json",
            vx_fixture::Route::Ok(index.into_bytes()),
        ),
        (
            "/dist/v20.11.1/SHASUMS256.txt",
            vx_fixture::Route::Ok(without.into_bytes()),
        ),
    ]);
    let project = Project::new(
        &node::config(&lacking),
        "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\nnode = \"20.11.1\"\n",
    );
    project.lock_refused(
        1,
        "SHASUMS256.txt has no sha256 for node-v20.11.1-linux-x64.tar.xz",
    );
}

#[test]
fn real_node_installs_and_node_npm_and_npx_run_through_vx_exec() {
    let (_dist, project) =
        node::real_project("[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\nnode = \"20\"\n");
    project.vx().args(["sync", "--headless"]).assert().success();
    assert_eq!(
        project.run(&["node", "--version"]),
        format!("v{}", node::REAL)
    );
    assert_eq!(project.run(&["npm", "--version"]), node::REAL_NPM);
    assert_eq!(project.run(&["npx", "--version"]), node::REAL_NPM);
    assert_eq!(
        project.run(&[
            "node",
            "-e",
            "console.log(/\\/node\\/20\\.11\\.1-[0-9a-f]{12}\\//.test(process.execPath))"
        ]),
        "true"
    );
    // `vx node …` runs the project's node too.
    let out = project.vx().args(["node", "--version"]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("v{}", node::REAL)
    );
    // `vx x` runs a runtime without a project, `vx node@V` the same.
    let elsewhere = tempfile::tempdir().unwrap();
    let (stdout, _) = output_of(
        project.vx().current_dir(elsewhere.path()).args([
            "x",
            "node@20",
            "--",
            "-e",
            "console.log(process.version)",
        ]),
        0,
    );
    assert_eq!(stdout.trim(), format!("v{}", node::REAL));
    let out = project
        .vx()
        .current_dir(elsewhere.path())
        .args(["node@20.11.1", "--version"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("v{}", node::REAL)
    );
    assert!(publishers::fixtures_dir().is_dir());
}

#[test]
fn a_tool_keeps_its_version_in_an_idiomatic_file_read_by_lock_and_outdated() {
    let dist = node::serve(&node_index());
    let project = Project::new(
        &node::config(&dist),
        "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\nnode = { version_file = \".nvmrc\" }\n",
    );
    let nvmrc = project.work.dir.path().join(".nvmrc");
    std::fs::write(&nvmrc, "# the team's Node\nlts/iron\n").unwrap();
    project.vx().arg("lock").assert().success();
    assert_eq!(
        project.lock()["tools"]["node"]["version"].as_str(),
        Some("20.11.1")
    );
    // The file is the one source of truth: editing it moves the lock.
    std::fs::write(&nvmrc, "22\n").unwrap();
    project.vx().arg("lock").assert().success();
    assert_eq!(
        project.lock()["tools"]["node"]["version"].as_str(),
        Some("22.12.0")
    );
    let out = project.vx().args(["outdated", "--json"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = &report["tools"][0];
    assert_eq!(row["constraint"], "22");
    assert_eq!(row["locked"], "22.12.0");
    assert_eq!(row["latest"], "23.3.0");
    // A file that names no version is an error at vx.toml's line, nothing written.
    std::fs::write(&nvmrc, "# nothing\n").unwrap();
    let before = project.lock_text();
    let stderr = project.lock_exit(2);
    assert!(
        stderr.contains("vx.toml:4:") && stderr.contains("names no Node.js version"),
        "{stderr}"
    );
    assert_eq!(project.lock_text(), before);
}

#[test]
fn runtimes_are_named_everywhere_versions_search_add_and_import() {
    let dist = node::serve(&node_index());
    let project = Project::new(&node::config(&dist), "[tools]\n");
    let out = common::succeeded(project.vx().args(["versions", "node"]));
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("20.11.1"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("LTS Iron"), "{text}");
    assert!(
        !text
            .lines()
            .find(|l| l.starts_with("23.3.0"))
            .unwrap()
            .contains("LTS")
    );

    let out = project
        .vx()
        .args(["search", "nodejs", "--json"])
        .output()
        .unwrap();
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found["results"][0]["name"], "node");
    assert_eq!(found["results"][0]["registry"], "runtime");

    project.vx().args(["add", "nodejs@20"]).assert().success();
    assert!(
        project
            .manifest_text()
            .ends_with("[tools]\nnode = \"20\"\n"),
        "{}",
        project.manifest_text()
    );
    assert_eq!(
        project.lock()["tools"]["node"]["version"].as_str(),
        Some("20.11.1")
    );

    // asdf's name and version, from a .tool-versions: the runtime, not a registry.
    let fresh = Project::new(&node::config(&dist), "[tools]\n");
    std::fs::write(
        fresh.work.dir.path().join(".tool-versions"),
        "nodejs 20.9.0\n",
    )
    .unwrap();
    output_of(fresh.vx().args(["import", ".tool-versions"]), 0);
    assert!(
        fresh
            .manifest_text()
            .contains("node = { version_file = \".tool-versions\" }"),
        "{}",
        fresh.manifest_text()
    );
    assert_eq!(
        fresh.lock()["tools"]["node"]["version"].as_str(),
        Some("20.9.0")
    );
}

#[test]
fn a_musl_host_gets_the_musl_build_or_is_told_there_is_none() {
    let mut with_musl = node::Release::listed("20.11.1", Some("Iron"));
    with_musl.musl = true;
    let dist = node::serve(&[node::Release::listed("23.3.0", None), with_musl]);
    let project = Project::new(&node::config(&dist), "[tools]\nnode = \"20\"\n");
    project
        .vx()
        .env("VX_LIBC", "musl")
        .arg("lock")
        .assert()
        .success();
    let lock = project.lock();
    let musl = locked(&lock, "node", "linux-x86_64-musl");
    assert_eq!(
        musl["url"].as_str(),
        Some(
            "https://unofficial-builds.nodejs.org/download/release/v20.11.1/node-v20.11.1-linux-x64-musl.tar.xz"
        )
    );
    assert!(
        lock["tools"]["node"]["platforms"]
            .get("linux-x86_64")
            .is_none()
    );

    // 23.3.0 has no musl build: unsupported with the reason, and a sync on the musl
    // host installs nothing rather than the glibc build.
    let none = Project::new(&node::config(&dist), "[tools]\nnode = \"23\"\n");
    let out = none
        .vx()
        .env("VX_LIBC", "musl")
        .arg("lock")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        said.contains(
            "no build for linux-x86_64-musl (musl builds come from unofficial-builds.nodejs.org)"
        ),
        "{said}"
    );
    let out = none
        .vx()
        .env("VX_LIBC", "musl")
        .args(["sync", "--headless"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("no build for linux-x86_64-musl"),
        "{stderr}"
    );
    assert!(
        !none.work.store().exists()
            || std::fs::read_dir(none.work.store())
                .unwrap()
                .all(|e| e.unwrap().file_name() != "node")
    );
    assert!(dist.paths().iter().all(|p| !p.ends_with(".tar.xz")));
}

/// A project that locked `node = "20"` from `dist`, whose vx.toml then asks for
/// `constraint` (the lock left as it was).
fn locked_then_edited(dist: &TestServer, constraint: &str) -> Project {
    let manifest =
        |c: &str| format!("[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\nnode = \"{c}\"\n");
    let project = Project::new(&node::config(dist), &manifest("20"));
    project.vx().arg("lock").assert().success();
    project.work.write_manifest(&manifest(constraint));
    project
}

/// `vx sync --frozen` after vx.toml's constraint moved on names both versions (the
/// lock's and vx.toml's), as for a URL tool; it said the lock had no such tool.
#[test]
fn frozen_after_a_constraint_edit_names_both_versions() {
    let dist = node::serve(&node_index());
    let project = locked_then_edited(&dist, "22");
    let (_, stderr) = output_of(project.vx().args(["sync", "--frozen", "--headless"]), 2);
    assert!(
        stderr.contains("vx.lock has node 20.11.1 but vx.toml asks for node 22"),
        "{stderr}"
    );
}

/// A tool whose constraint was edited since the lock is said as not locked yet, not
/// as "not installed" (its old version may well be installed).
#[test]
fn an_edited_constraint_is_said_as_not_locked_yet() {
    let dist = node::serve(&node_index());
    let project = locked_then_edited(&dist, "lts");
    let out = project.vx().args(["which", "node"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("node \"lts\" is not locked for") && stderr.contains("run `vx sync`"),
        "{stderr}"
    );
}

/// Issue 54, item 2: nodejs.org packs each Unix build as `.tar.xz` and `.tar.gz`.
/// The lock pins both from SHASUMS256.txt alone; the install takes gzip from a link
/// as fast as this loopback one and xz when told to take the smallest; either
/// receipt answers for the lock, and a value of `VX_DOWNLOAD_FORMAT` vx does not know
/// is said, naming it.
#[test]
fn a_lock_pins_both_packings_and_the_install_takes_the_one_its_link_unpacks_soonest() {
    let dist = node::serve(&[node::Release::real(&node::REAL_20, Some("Iron"))]);
    let manifest =
        "[settings]\nplatforms = [\"linux-x86_64\", \"macos-aarch64\"]\n[tools]\nnode = \"20\"\n";
    let project = Project::new(&node::config(&dist), manifest);
    project.vx().arg("lock").assert().success();
    let lock = project.lock();
    let linux = locked(&lock, "node", "linux-x86_64");
    let base = "https://nodejs.org/dist/v20.11.1";
    assert_eq!(
        linux["url"].as_str(),
        Some(format!("{base}/node-v20.11.1-linux-x64.tar.xz").as_str())
    );
    let alternatives = linux["alternatives"].as_array().expect("alternatives");
    assert_eq!(alternatives.len(), 1, "{alternatives:?}");
    let gz = std::fs::read(node::real_gz_archive_of(&node::REAL_20)).unwrap();
    assert_eq!(
        alternatives[0]["url"].as_str(),
        Some(format!("{base}/node-v20.11.1-linux-x64.tar.gz").as_str())
    );
    assert_eq!(
        alternatives[0]["sha256"].as_str(),
        Some(vx_fixture::sha256_hex(&gz).as_str())
    );
    assert_eq!(alternatives[0]["format"].as_str(), Some("tar.gz"));
    let mac = locked(&lock, "node", "macos-aarch64");
    assert_eq!(mac["alternatives"][0]["format"].as_str(), Some("tar.xz"));
    // Locked from the index and the sums alone.
    assert!(dist.paths().iter().all(|p| !p.contains("linux-x64.tar")));

    let fetched = |dist: &TestServer| -> Vec<String> {
        dist.paths()
            .into_iter()
            .filter(|p| p.contains("linux-x64.tar"))
            .collect()
    };
    // A link as fast as this one: gzip, which unpacks several times sooner.
    project.vx().args(["sync", "--headless"]).assert().success();
    assert_eq!(
        fetched(&dist),
        ["/dist/v20.11.1/node-v20.11.1-linux-x64.tar.gz"]
    );
    assert_eq!(
        project.run(&["node", "--version"]),
        format!("v{}", node::REAL)
    );
    // The gzip's receipt answers for the lock, which names the xz first: nothing again.
    project.vx().args(["sync", "--headless"]).assert().success();
    assert_eq!(fetched(&dist).len(), 1, "{:?}", fetched(&dist));

    // Told to take the fewest bytes: the xz.
    let smallest = Project::new(&node::config(&dist), manifest);
    std::fs::write(
        smallest.work.dir.path().join("vx.lock"),
        project.lock_text().unwrap(),
    )
    .unwrap();
    smallest
        .vx()
        .args(["sync", "--headless", "--frozen"])
        .env("VX_DOWNLOAD_FORMAT", "smallest")
        .assert()
        .success();
    assert_eq!(
        fetched(&dist).last().map(String::as_str),
        Some("/dist/v20.11.1/node-v20.11.1-linux-x64.tar.xz")
    );
    assert_eq!(
        smallest.run(&["node", "--version"]),
        format!("v{}", node::REAL)
    );

    // A value vx does not know: said, naming the variable and the values it takes.
    let unknown = Project::new(&node::config(&dist), manifest);
    let out = unknown
        .vx()
        .args(["sync", "--headless"])
        .env("VX_DOWNLOAD_FORMAT", "quickest")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = both(&out);
    assert!(
        said.contains("VX_DOWNLOAD_FORMAT=quickest") && said.contains("smallest, fastest or auto"),
        "{said}"
    );
}

/// `vx lock --dry-run` says per tool and platform what would be locked, one line each
/// (it printed one line with every newline escaped as `\x0a`), and writes nothing.
#[test]
fn a_dry_run_lock_prints_a_line_per_platform_and_writes_nothing() {
    let dist = node::serve(&node_index());
    let project = Project::new(
        &node::config(&dist),
        &format!("{THREE}\n[tools]\nnode = \"20\"\n"),
    );
    let out = common::succeeded(project.vx().args(["lock", "--dry-run"]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("\\x0a"), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "node 20.11.1 (runtime:node)", "{text}");
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[1].starts_with("  linux-x86_64: https://nodejs.org/dist/v20.11.1/node-v20.11.1-linux-x64.tar.xz (checksum: checksum-file:"),
        "{text}"
    );
    assert_eq!(project.lock_text(), None, "a dry run writes no lock");
}

/// Issue 64: a directory with `.tool-versions` alone (asdf's, which mise reads) is a
/// project read in place: `vx lock` resolves its runtimes as `vx import` names them
/// (`nodejs` is the node runtime, an LTS line kept) and writes vx.lock beside it, and
/// nothing else.
#[test]
fn a_tool_versions_project_locks_in_place_writing_only_vx_lock() {
    let dist = node::serve(&node_index());
    let project = Project::new(&node::config(&dist), "");
    let dir = project.work.dir.path().to_owned();
    std::fs::remove_file(dir.join("vx.toml")).unwrap();
    std::fs::write(dir.join(".tool-versions"), "nodejs lts/iron\n").unwrap();
    project.vx().arg("lock").assert().success();
    let lock = project.lock();
    assert_eq!(lock["tools"]["node"]["version"].as_str(), Some("20.11.1"));
    assert_eq!(
        lock["tools"]["node"]["constraint"].as_str(),
        Some("lts/iron")
    );
    assert!(!dir.join("vx.toml").exists());
    assert_eq!(
        std::fs::read_to_string(dir.join(".tool-versions")).unwrap(),
        "nodejs lts/iron\n"
    );
}
