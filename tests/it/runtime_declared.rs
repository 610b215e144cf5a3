//! Runtimes as declarations (issue 37, item 7): a company's own runtime declared in
//! `~/.config/vx/runtimes/NAME.toml` (crates/vx-sources/src/runtime/declared/) is named, locked for three
//! platforms from its version list and sums file alone, installed from a loopback
//! server (reached as the company's host through `url_replacements`) and run through
//! `vx exec`, with its variables set; a broken declaration is a clear error that
//! writes nothing.
#![cfg(unix)]

use crate::common;

use common::*;
use vx_fixture::{Item, Route, TestServer, sha256_hex, tar_gz};

const THREE: &str =
    "[settings]\nplatforms = [\"linux-x86_64\", \"macos-aarch64\", \"windows-x86_64\"]\n";

/// An in-house tool build: a version list, archives per platform, a SHA256SUMS per
/// version; no Windows build of 1.4.2 is served, only listed (`tests/data/acme-tool.toml`,
/// which scripts/measure-daemon-declarations.sh declares too).
pub const DECLARATION: &str = include_str!("../data/acme-tool.toml");

/// The Linux archive of `version`: `acme-tool-V/bin/acme` printing its version and
/// `ACME_HOME`.
pub fn archive(version: &'static str) -> Vec<u8> {
    let script = format!("#!/bin/sh\necho \"acme {version} home=$ACME_HOME\"\n");
    let top: &'static str = Box::leak(format!("acme-tool-{version}/").into_boxed_str());
    let bin: &'static str = Box::leak(format!("acme-tool-{version}/bin/").into_boxed_str());
    let exe: &'static str = Box::leak(format!("acme-tool-{version}/bin/acme").into_boxed_str());
    tar_gz(&[
        Item::Dir(top),
        Item::Dir(bin),
        Item::File(exe, script.into_bytes(), 0o755),
    ])
}

/// The company's server: versions 1.3.0 and 1.4.2 (and a line that is no release).
fn serve() -> TestServer {
    TestServer::start(routes())
}

/// The routes of [`serve`]: the version list under `/tool/`, each version's
/// SHA256SUMS and Linux archive.
pub fn routes() -> Vec<(String, Route)> {
    let mut routes: Vec<(String, Route)> = vec![(
        "/tool/versions.txt".to_owned(),
        Route::Ok(
            b"# ACME tool releases\nrelease-1.3.0 2025-01-10\nrelease-1.4.2 2025-06-02\nnightly\n"
                .to_vec(),
        ),
    )];
    for version in ["1.3.0", "1.4.2"] {
        let linux = archive(version);
        let mut sums = format!(
            "{}  acme-tool-{version}-linux-amd64.tar.gz\n",
            sha256_hex(&linux)
        );
        for (other, seed) in [("darwin-arm64.tar.gz", "mac"), ("windows-amd64.zip", "win")] {
            let made_up = sha256_hex(format!("{version}{seed}").as_bytes());
            sums.push_str(&format!("{made_up}  acme-tool-{version}-{other}\n"));
        }
        routes.push((
            format!("/tool/release-{version}/SHA256SUMS"),
            Route::Ok(sums.into_bytes()),
        ));
        routes.push((
            format!("/tool/release-{version}/acme-tool-{version}-linux-amd64.tar.gz"),
            Route::Ok(linux),
        ));
    }
    routes
}

/// A project whose user config sends dl.acme.corp to `server` and declares the
/// runtime as `declaration`.
fn project(server: &TestServer, declaration: &str, manifest: &str) -> Project {
    declared_in("home/.config/vx/runtimes", server, declaration, manifest)
}

/// A project whose user config sends dl.acme.corp to `server`, with `declaration`
/// as `acme-tool.toml` in `dir` (relative to the project's directory).
fn declared_in(dir: &str, server: &TestServer, declaration: &str, manifest: &str) -> Project {
    let config = format!(
        "[url_replacements]\n\"https://dl.acme.corp/\" = \"{}\"\n",
        server.url("/")
    );
    let project = Project::new(&config, manifest);
    let dir = project.work.dir.path().join(dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("acme-tool.toml"), declaration).unwrap();
    project
}

#[test]
fn a_company_runtime_declared_in_toml_locks_installs_and_runs() {
    let server = serve();
    let project = project(
        &server,
        DECLARATION,
        &format!("{THREE}[tools]\nacme-tool = \"1\"\n"),
    );
    project.vx().arg("lock").assert().success();
    let lock = project.lock();
    let entry = &lock["tools"]["acme-tool"];
    assert_eq!(entry["version"].as_str(), Some("1.4.2"));
    assert_eq!(entry["package"].as_str(), Some("runtime:acme-tool"));
    assert_eq!(entry["tag"].as_str(), Some("release-1.4.2"));
    assert_1_4_2_locked_for_three_platforms(&lock);
    // Locked from the version list and the sums alone: no archive fetched.
    assert!(
        server.paths().iter().all(|p| !p.ends_with(".tar.gz")),
        "{:?}",
        server.paths()
    );

    project.vx().args(["sync", "--headless"]).assert().success();
    let said = acme_says(&project);
    assert!(
        crate::common::unkeyed(said.trim_end()).ends_with("/acme-tool/1.4.2"),
        "{said}"
    );

    // Its alias names it on the command line too, with its versions listed.
    let (listed, _) = output_of(project.vx().args(["versions", "acmetool"]), 0);
    assert!(
        listed.contains("1.4.2") && listed.contains("1.3.0"),
        "{listed}"
    );
}

/// What `vx exec -- acme` prints in `project`, once asserted to be acme 1.4.2's.
pub fn acme_says(project: &Project) -> String {
    let out = project.vx().args(["exec", "--", "acme"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && said.starts_with("acme 1.4.2 home=/"),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    said
}

/// Asserts that the hook, with no activation record and no state of its own, puts
/// acme-tool 1.4.2 on `PATH` in `project`: pinned from the lock.
pub fn assert_the_hook_pins_1_4_2(project: &Project) {
    let store = project.work.dir.path().join("home/.local/share/vx/store");
    let _ = std::fs::remove_dir_all(store.join(".cache/activation"));
    let out = project.hook_env();
    let hook = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && crate::common::unkeyed(&hook).contains("acme-tool/1.4.2/bin"),
        "{hook}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `lock` holds acme-tool 1.4.2 for linux-x86_64, macos-aarch64 and windows-x86_64,
/// each archive's URL on the company's host and its sha256 from the version's sums
/// (the Linux one that of [`archive`]).
pub fn assert_1_4_2_locked_for_three_platforms(lock: &toml::Table) {
    for (platform, asset) in [
        ("linux-x86_64", "acme-tool-1.4.2-linux-amd64.tar.gz"),
        ("macos-aarch64", "acme-tool-1.4.2-darwin-arm64.tar.gz"),
        ("windows-x86_64", "acme-tool-1.4.2-windows-amd64.zip"),
    ] {
        let one = locked(lock, "acme-tool", platform);
        assert_eq!(
            one["url"].as_str().unwrap(),
            format!("https://dl.acme.corp/tool/release-1.4.2/{asset}")
        );
        assert_eq!(one["sha256"].as_str().unwrap().len(), 64);
        assert_eq!(
            one["checksum"].as_str(),
            Some("checksum-file:https://dl.acme.corp/tool/release-1.4.2/SHA256SUMS")
        );
    }
    assert_eq!(
        locked(lock, "acme-tool", "linux-x86_64")["sha256"].as_str(),
        Some(sha256_hex(&archive("1.4.2")).as_str())
    );
}

#[test]
fn a_broken_declaration_is_a_clear_error_and_writes_nothing() {
    let server = serve();
    let broken = DECLARATION.replace("checksums =", "checksum =");
    let project = project(&server, &broken, "[tools]\nacme-tool = \"1\"\n");
    let before = project.manifest_text();
    let out = project.vx().arg("lock").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("acme-tool.toml") && stderr.contains("unknown field `checksum`"),
        "{stderr}"
    );
    assert!(project.lock_text().is_none());
    assert_eq!(project.manifest_text(), before);

    // A declaration may not take a name vx's own runtimes have.
    let taken = DECLARATION.replace("aliases = [\"acmetool\"]", "aliases = [\"nodejs\"]");
    let project = project_with(&server, &taken);
    let out = project.vx().arg("lock").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the name `nodejs` is already a runtime's"),
        "{stderr}"
    );
}

fn project_with(server: &TestServer, declaration: &str) -> Project {
    project(server, declaration, "[tools]\nacme-tool = \"1\"\n")
}

/// A project that carries the declaration itself (`.vx/runtimes/acme-tool.toml`
/// beside vx.toml) on a machine whose user config only sends dl.acme.corp to `server`.
fn carried(server: &TestServer, declaration: &str, manifest: &str) -> Project {
    declared_in(".vx/runtimes", server, declaration, manifest)
}

#[test]
fn a_runtime_the_project_carries_locks_installs_and_runs_without_a_user_declaration() {
    let server = serve();
    let project = carried(
        &server,
        DECLARATION,
        &format!("{THREE}[tools]\nacme-tool = \"1\"\n"),
    );
    // A user's declaration of the same name (pointing nowhere) is shadowed by the
    // project's, which its lock is made from.
    let user = project.work.dir.path().join("home/.config/vx/runtimes");
    std::fs::create_dir_all(&user).unwrap();
    std::fs::write(
        user.join("acme-tool.toml"),
        DECLARATION.replace("https://dl.acme.corp/tool/", "https://nowhere.invalid/"),
    )
    .unwrap();
    project.vx().arg("lock").assert().success();
    let lock = project.lock();
    assert_eq!(
        lock["tools"]["acme-tool"]["package"].as_str(),
        Some("runtime:acme-tool")
    );
    for platform in ["linux-x86_64", "macos-aarch64", "windows-x86_64"] {
        let one = locked(&lock, "acme-tool", platform);
        assert!(
            one["url"]
                .as_str()
                .unwrap()
                .starts_with("https://dl.acme.corp/tool/release-1.4.2/"),
            "{one:?}"
        );
    }
    std::fs::remove_dir_all(&user).unwrap();

    project.vx().args(["sync", "--headless"]).assert().success();
    acme_says(&project);

    // The hook, without the activation record, pins it from the lock too.
    assert_the_hook_pins_1_4_2(&project);
}

#[test]
fn a_broken_or_usurping_project_declaration_is_a_clear_error_naming_the_file() {
    let server = serve();
    let broken = DECLARATION.replace("checksums =", "checksum =");
    let project = carried(&server, &broken, "[tools]\nacme-tool = \"1\"\n");
    let out = project.vx().arg("lock").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(".vx/runtimes/acme-tool.toml")
            && stderr.contains("line ")
            && stderr.contains("unknown field `checksum`")
            && !stderr.contains("\\x0a"),
        "{stderr}"
    );
    assert!(project.lock_text().is_none());

    let usurping = DECLARATION.replace("aliases = [\"acmetool\"]", "aliases = [\"node\"]");
    let project = carried(&server, &usurping, "[tools]\nacme-tool = \"1\"\n");
    let out = project.vx().arg("lock").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the name `node` is already a runtime's"),
        "{stderr}"
    );
    assert!(project.lock_text().is_none());
}

/// Stops the daemon a test started, whatever the test's outcome.
struct Stopping<'p>(&'p Project);

impl Drop for Stopping<'_> {
    fn drop(&mut self) {
        let _ = self.0.vx().args(["daemon", "stop"]).output();
    }
}

/// The running daemon's `toolchain` answer for `project` (started on its store and
/// stopped again).
pub fn daemon_toolchain(project: &Project) -> serde_json::Value {
    let _stop = start_daemon(project);
    ask_toolchain(project)
}

/// Starts the daemon on `project`'s store; it stops when the guard is dropped.
fn start_daemon(project: &Project) -> Stopping<'_> {
    let store = project.work.dir.path().join("home/.local/share/vx/store");
    project
        .vx()
        .args(["daemon", "start", "--store"])
        .arg(&store)
        .assert()
        .success();
    Stopping(project)
}

/// The running daemon's `toolchain` answer for `project`.
fn ask_toolchain(project: &Project) -> serde_json::Value {
    ask_toolchain_in(project, project.work.dir.path())
}

/// The running daemon's `toolchain` answer for the project of `cwd`, on `project`'s
/// machine.
fn ask_toolchain_in(project: &Project, cwd: &std::path::Path) -> serde_json::Value {
    use std::io::{BufRead, BufReader, Write};
    let store = project.work.dir.path().join("home/.local/share/vx/store");
    let socket = project.work.dir.path().join("no-daemon.sock");
    let stream = std::os::unix::net::UnixStream::connect(&socket).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let request = serde_json::json!({
        "type": "toolchain",
        "cwd": cwd,
        "store": store,
    });
    (&stream)
        .write_all(format!("{request}\n").as_bytes())
        .unwrap();
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line).unwrap();
    serde_json::from_str(&line).unwrap()
}

/// Declares `acme-other` (acme-tool's declaration renamed) in `dir`, names it in
/// vx.toml beside acme-tool, and syncs.
fn add_acme_other(project: &Project, dir: &std::path::Path) {
    let other = DECLARATION
        .replace("name = \"acme-tool\"", "name = \"acme-other\"")
        .replace("aliases = [\"acmetool\"]", "aliases = []");
    std::fs::write(dir.join("acme-other.toml"), other).unwrap();
    project.work.write_manifest(&format!(
        "{THREE}[tools]\nacme-tool = \"1\"\nacme-other = \"1.3\"\n"
    ));
    project.vx().args(["sync", "--headless"]).assert().success();
}

/// Breaks acme-tool's declaration in `dir` (a misspelt key) and asserts that the
/// running daemon's answer names the file and the key.
fn break_acme_tool(project: &Project, dir: &std::path::Path) {
    let broken = DECLARATION.replace("checksums =", "checksum =");
    std::fs::write(dir.join("acme-tool.toml"), broken).unwrap();
    let broken = ask_toolchain(project).to_string();
    assert!(
        broken.contains("acme-tool.toml") && broken.contains("unknown field `checksum`"),
        "{broken}"
    );
}

/// The daemon answers with the runtime a project carries; and with a declaration added
/// while it runs (a teammate's commit pulled, then `vx sync`), as every command does.
#[test]
fn the_daemon_answers_with_the_runtimes_the_project_carries_and_gains_while_it_runs() {
    let server = serve();
    let project = carried(
        &server,
        DECLARATION,
        &format!("{THREE}[tools]\nacme-tool = \"1\"\n"),
    );
    project.vx().args(["sync", "--headless"]).assert().success();
    let _stop = start_daemon(&project);
    let bin_dirs = |answer: &serde_json::Value| -> Vec<String> {
        assert_eq!(answer["type"], "toolchain", "{answer}");
        let dirs = answer["bin_dirs"].as_array().unwrap();
        dirs.iter()
            .map(|d| d.as_str().unwrap().to_owned())
            .collect()
    };
    let before = bin_dirs(&ask_toolchain(&project));
    assert!(
        before
            .iter()
            .any(|d| crate::common::unkeyed(d).ends_with("/acme-tool/1.4.2/bin")),
        "{before:?}"
    );

    let dir = project.work.dir.path().join(".vx/runtimes");
    add_acme_other(&project, &dir);

    let after = bin_dirs(&ask_toolchain(&project));
    assert!(
        after
            .iter()
            .any(|d| crate::common::unkeyed(d).ends_with("/acme-other/1.3.0/bin")),
        "{after:?}"
    );

    // A declaration edited alone (vx.toml and vx.lock as they were) is read again too:
    // broken, the daemon says so, naming the file, as a command would.
    break_acme_tool(&project, &dir);
}

/// One daemon serving two projects that each carry their own declaration of the same
/// runtime name answers each with its own: the runtimes a project can name are its
/// catalogue, not every declaration the daemon has read (it once searched every
/// project opened, in opening order, so the second project got the first's).
#[test]
fn one_daemon_answers_two_projects_each_with_its_own_declaration_of_a_name() {
    let server = serve();
    let first = carried(
        &server,
        DECLARATION,
        &format!("{THREE}[tools]\nacme-tool = \"1.4\"\n"),
    );
    let second = first.work.dir.path().join("second");
    let declarations = second.join(".vx/runtimes");
    std::fs::create_dir_all(&declarations).unwrap();
    // The same runtime laid out otherwise: an install step of its own (which its
    // receipt records: under the first project's layout it is not installed), and it
    // says where it is as ACME_ROOT.
    let own = DECLARATION.replace(
        "env = { ACME_HOME = \"\" }",
        "env = { ACME_ROOT = \"\" }\npost_install = \"touch installed-for-the-second\"",
    );
    assert_ne!(own, DECLARATION);
    std::fs::write(declarations.join("acme-tool.toml"), own).unwrap();
    std::fs::write(
        second.join("vx.toml"),
        format!("{THREE}[tools]\nacme-tool = \"1.3\"\n"),
    )
    .unwrap();
    first.synced();
    output_of(
        first.vx().args(["sync", "--headless"]).current_dir(&second),
        0,
    );

    let _stop = start_daemon(&first);
    // What the project's runtimes set, by name, once they are installed.
    let variables = |answer: &serde_json::Value| -> Vec<String> {
        assert_eq!(answer["type"], "toolchain", "{answer}");
        assert_eq!(answer["missing"], serde_json::json!([]), "{answer}");
        let tools = answer["environment"]["tools"].as_array();
        let tools = tools.unwrap_or_else(|| panic!("{answer}"));
        tools
            .iter()
            .map(|pair| pair[0].as_str().unwrap().to_owned())
            .collect()
    };
    // Each asked twice, in both orders: whichever the daemon read first.
    for _ in 0..2 {
        assert_eq!(variables(&ask_toolchain(&first)), ["ACME_HOME"]);
        assert_eq!(variables(&ask_toolchain_in(&first, &second)), ["ACME_ROOT"]);
    }
}

/// The daemon sees the user's own declarations as they change while it runs (one
/// added with a tool that names it, then one broken alone), as every command does:
/// it read them once, at its first answer, and then named an added runtime unknown;
/// and a broken one is an error naming the file, not a tool "not installed".
#[test]
fn the_daemon_answers_with_the_runtimes_the_user_declares_while_it_runs() {
    let server = serve();
    let project = project(
        &server,
        DECLARATION,
        &format!("{THREE}[tools]\nacme-tool = \"1\"\n"),
    );
    project.vx().args(["sync", "--headless"]).assert().success();
    let _stop = start_daemon(&project);
    let answer = ask_toolchain(&project).to_string();
    assert!(
        crate::common::unkeyed(&answer).contains("/acme-tool/1.4.2/bin"),
        "{answer}"
    );

    let dir = project.work.dir.path().join("home/.config/vx/runtimes");
    add_acme_other(&project, &dir);
    let answer = ask_toolchain(&project).to_string();
    assert!(
        crate::common::unkeyed(&answer).contains("/acme-tool/1.4.2/bin")
            && crate::common::unkeyed(&answer).contains("/acme-other/1.3.0/bin"),
        "{answer}"
    );

    break_acme_tool(&project, &dir);
    // And `vx env` (which does not resolve) says so too, not "not installed".
    let out = project.vx().arg("env").output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success()
            && said.contains("acme-tool.toml")
            && said.contains("unknown field `checksum`"),
        "{said}"
    );
}

/// What a runtime declaration may set is an allow-list: a variable that says where
/// the runtime is (`…_HOME`, `…_ROOT`, `GOROOT`), never one that makes a shell, a
/// pager, git, an interpreter or the XDG directories behave otherwise, the ten the
/// deny-list missed among them (issue 53, item 10).
#[test]
fn a_declaration_may_set_only_variables_that_say_where_the_runtime_is() {
    let server = serve();
    for name in [
        "PERLLIB",
        "PYTHONUSERBASE",
        "LUA_INIT",
        "GIT_CONFIG_SYSTEM",
        "XDG_CONFIG_HOME",
        "GIT_PAGER",
        "GIT_EDITOR",
        "LESSOPEN",
        "MANPAGER",
        "BROWSER",
        "PYTHONHOME",
        "GIT_DIR",
    ] {
        let declaration = DECLARATION.replace("ACME_HOME", name);
        let project = project_with(&server, &declaration);
        let out = project.vx().arg("lock").output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("`{name}` is not a variable a runtime may set")),
            "{stderr}"
        );
        assert!(project.lock_text().is_none());
    }
    for name in ["ACME_ROOT", "GOROOT"] {
        let declaration = DECLARATION.replace("ACME_HOME", name);
        let project = project_with(&server, &declaration);
        let out = project.vx().arg("lock").output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{name}: {stderr}");
    }
}
