//! One tool that cannot install never stops the project (issue 49, item 2), end to end
//! with the real `vx` binary: a project of `hello` (served over loopback) and `broken`
//! (its URL answers 404). `vx exec`, `vx CMD` and `vx run` run `hello` anyway, say
//! `broken` once with its reason, and do not download it again at every command until
//! vx.toml or vx.lock changes or `vx sync` runs; `--no-install` and `[settings]
//! auto_install = false` run with what is installed.
#![cfg(unix)]

use crate::common;

use std::path::PathBuf;

use common::Work;
use vx_fixture::{Item, Route, TestServer, sha256_hex, tar_gz};

/// `hello`: prints `hello` and its arguments.
fn hello_archive() -> Vec<u8> {
    tar_gz(&[Item::File(
        "hello/bin/hello",
        b"#!/bin/sh\necho hello \"$@\"\n".to_vec(),
        0o755,
    )])
}

/// `other`: prints `other`.
fn other_archive() -> Vec<u8> {
    tar_gz(&[Item::File(
        "other/bin/oth",
        b"#!/bin/sh\necho other\n".to_vec(),
        0o755,
    )])
}

/// A `[tools.NAME]` table of an archive at `url`.
fn table(name: &str, url: &str, sha256: &str, bin: &str) -> String {
    format!(
        "[tools.{name}]\nversion = \"1.0\"\nurl = \"{url}\"\nsha256 = \"{sha256}\"\nstrip_components = 1\nbin = [\"{bin}\"]\n\n"
    )
}

/// The project directory, its default store under `XDG_DATA_HOME`, and the server.
struct Project {
    work: Work,
    server: TestServer,
}

impl Project {
    fn new() -> Project {
        let server = TestServer::start([
            ("/hello.tar.gz", Route::Ok(hello_archive())),
            ("/other.tar.gz", Route::Ok(other_archive())),
            ("/broken.tar.gz", Route::Status(404)),
        ]);
        Project {
            work: Work::new(),
            server,
        }
    }

    fn hello(&self) -> String {
        let body = hello_archive();
        table(
            "hello",
            &self.server.url("/hello.tar.gz"),
            &sha256_hex(&body),
            "bin/hello",
        )
    }

    fn other(&self) -> String {
        table(
            "other",
            &self.server.url("/other.tar.gz"),
            &sha256_hex(&other_archive()),
            "bin/oth",
        )
    }

    fn broken(&self) -> String {
        table(
            "broken",
            &self.server.url("/broken.tar.gz"),
            &"0".repeat(64),
            "bin/broken",
        )
    }

    fn write(&self, text: &str) {
        self.work.write_manifest(text);
    }

    fn store(&self) -> PathBuf {
        self.work.dir.path().join("xdg/vx/store")
    }

    /// `vx ARGS`: its exit code, stdout and stderr.
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        self.work.outcome(args)
    }

    /// How often `path` was asked for.
    fn asked(&self, path: &str) -> usize {
        self.server.paths().iter().filter(|p| *p == path).count()
    }
}

/// The lines of `stderr` that name `tool`.
fn lines_naming<'s>(stderr: &'s str, tool: &str) -> Vec<&'s str> {
    stderr.lines().filter(|l| l.contains(tool)).collect()
}

#[test]
fn a_tool_that_cannot_install_is_tried_once_and_the_others_run() {
    let p = Project::new();
    p.write(&format!(
        "{}{}[scripts]\ngreet = \"hello from a script\"\nneeds-broken = \"LANG=C broken --version\"\n",
        p.hello(),
        p.broken()
    ));
    // The first command tries both: hello installs, broken fails, hello runs.
    let (code, stdout, stderr) = p.run(&["exec", "--", "hello", "world"]);
    assert_eq!((code, stdout.as_str()), (0, "hello world\n"), "{stderr}");
    let said: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("vx: running without broken 1.0"))
        .collect();
    assert_eq!(said.len(), 1, "{stderr}");
    assert!(said[0].contains("404"), "with its reason: {}", said[0]);
    assert_eq!(p.asked("/broken.tar.gz"), 1);

    // Every later command runs at once: one line about broken, no download, no table.
    for args in [
        &["exec", "--", "hello", "again"][..],
        &["hello", "again"][..],
        &["run", "greet"][..],
    ] {
        let (code, stdout, stderr) = p.run(args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(stdout.starts_with("hello "), "{args:?}: {stdout}");
        let about = lines_naming(&stderr, "broken");
        assert_eq!(about.len(), 1, "{args:?}: said once:\n{stderr}");
        assert!(
            about[0].contains("its install failed") && about[0].contains("404"),
            "{args:?}: {}",
            about[0]
        );
        assert!(
            !stderr.contains("TOOL"),
            "{args:?}: no sync table:\n{stderr}"
        );
        assert_eq!(
            p.asked("/broken.tar.gz"),
            1,
            "{args:?}: not downloaded again"
        );
    }

    // A script that starts with the broken tool's command needs it: refused the same
    // way, its assignments looked past.
    let (code, _, stderr) = p.run(&["run", "needs-broken"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("not installed: broken 1.0 (its install failed:"),
        "{stderr}"
    );

    // A command that needs the broken tool fails, saying why, without a download.
    let (code, _, stderr) = p.run(&["exec", "--", "broken"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("not installed: broken 1.0 (its install failed:")
            && stderr.contains("`vx sync` tries again"),
        "{stderr}"
    );
    assert_eq!(p.asked("/broken.tar.gz"), 1);

    // `vx sync` tries again (and fails: exit 1), and is remembered in turn.
    let (code, _, stderr) = p.run(&["sync", "--headless"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(p.asked("/broken.tar.gz"), 2);
    let (code, _, stderr) = p.run(&["exec", "--", "hello"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(p.asked("/broken.tar.gz"), 2);

    // An edit of vx.toml (here, of broken's source) is tried again.
    let text = p.work.dir.path().join("vx.toml");
    let edited = std::fs::read_to_string(&text)
        .unwrap()
        .replace("/broken.tar.gz", "/broken-2.tar.gz");
    std::fs::write(&text, edited).unwrap();
    let (code, _, stderr) = p.run(&["exec", "--", "hello"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(p.asked("/broken-2.tar.gz"), 1, "{stderr}");
    let (code, _, _) = p.run(&["exec", "--", "hello"]);
    assert_eq!(code, 0);
    assert_eq!(p.asked("/broken-2.tar.gz"), 1);
}

#[test]
fn no_install_and_auto_install_false_run_with_what_is_installed() {
    let p = Project::new();
    p.write(&p.hello());
    let (code, _, stderr) = p.run(&["sync", "--headless"]);
    assert_eq!(code, 0, "{stderr}");
    // Another tool added: --no-install runs hello without installing it.
    let with_other = format!(
        "{}{}[scripts]\ngreet = \"hello from a script\"\n",
        p.hello(),
        p.other()
    );
    p.write(&with_other);
    for (args, flag) in [
        (&["exec", "--no-install", "--", "hello"][..], "--no-install"),
        (&["run", "--no-install", "greet"][..], "--no-install"),
        (&["exec", "--offline", "--", "hello"][..], "--offline"),
        (&["run", "--offline", "greet"][..], "--offline"),
    ] {
        let (code, stdout, stderr) = p.run(args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(stdout.starts_with("hello"), "{args:?}: {stdout}");
        let about = lines_naming(&stderr, "other");
        assert_eq!(about.len(), 1, "{args:?}: {stderr}");
        assert!(about[0].contains(flag), "{}", about[0]);
    }
    let (code, _, stderr) = p.run(&["exec", "--no-install", "--", "oth"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("not installed: other 1.0 (--no-install)"),
        "{stderr}"
    );
    assert_eq!(p.asked("/other.tar.gz"), 0);

    // The same from vx.toml, for every command (`vx CMD` has no flags of its own).
    p.write(&format!("[settings]\nauto_install = false\n\n{with_other}"));
    let (code, stdout, stderr) = p.run(&["hello"]);
    assert_eq!((code, stdout.as_str()), (0, "hello\n"), "{stderr}");
    assert!(
        stderr.contains(
            "vx: running without other 1.0 ([settings] auto_install = false); run `vx sync`"
        ),
        "{stderr}"
    );
    let (code, _, stderr) = p.run(&["exec", "--", "oth"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(p.asked("/other.tar.gz"), 0);
    // `vx sync` installs it, as always.
    let (code, _, stderr) = p.run(&["sync", "--headless"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = p.run(&["exec", "--", "oth"]);
    assert_eq!((code, stdout.as_str()), (0, "other\n"), "{stderr}");
    assert!(
        crate::common::tree_in(p.store(), "other", "1.0")
            .join("bin/oth")
            .is_file()
    );
}

#[test]
fn a_registry_tool_that_cannot_be_resolved_does_not_stop_the_others() {
    let p = Project::new();
    let dist = common::publishers::node::serve(&[common::publishers::node::Release::listed(
        "20.11.1",
        Some("Iron"),
    )]);
    // node 99 does not exist: the sync stops at its resolution, every time.
    let with_node = format!("[tools]\nnode = \"99\"\n\n{}", p.hello());
    let project = common::Project::new(&common::publishers::node::config(&dist), &with_node);
    let run = |args: &[&str]| {
        let out = project.vx().args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, _, stderr) = run(&["sync", "--headless"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = run(&["exec", "--", "hello"]);
    assert_eq!(
        code, 1,
        "hello is not installed yet, and says why: {stderr}"
    );
    assert!(
        stderr.contains("not installed: hello 1.0 (the sync stopped: ") && stderr.contains("99"),
        "{stderr}"
    );
    // hello installed before node was added: it runs.
    project.work.write_manifest(&p.hello());
    let (code, _, stderr) = run(&["sync", "--headless"]);
    assert_eq!(code, 0, "{stderr}");
    project.work.write_manifest(&with_node);
    let (code, stdout, stderr) = run(&["exec", "--", "hello"]);
    assert_eq!((code, stdout.as_str()), (0, "hello\n"), "{stderr}");
    let about = lines_naming(&stderr, "node");
    assert_eq!(about.len(), 1, "{stderr}");
    assert!(
        about[0].starts_with("vx: running without node 99 (the sync stopped: "),
        "{}",
        about[0]
    );
}

/// A runtime whose archive cannot be downloaded (nodejs.org lists it, the download
/// answers 404): resolved and locked once, tried once, then remembered like any tool.
#[test]
fn a_runtime_whose_download_fails_is_tried_once() {
    let p = Project::new();
    let dist = common::publishers::node::serve(&[common::publishers::node::Release::listed(
        "20.11.1",
        Some("Iron"),
    )]);
    let project = common::Project::new(
        &common::publishers::node::config(&dist),
        &format!("[tools]\nnode = \"20\"\n\n{}", p.hello()),
    );
    let archive = |dist: &vx_fixture::TestServer| {
        dist.paths()
            .iter()
            // Either packing nodejs.org lists (the install picks one for the link).
            .filter(|p| p.contains("-linux-x64.tar."))
            .count()
    };
    for round in 0..3 {
        let out = project.vx().args(["exec", "--", "hello"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{round}: {stderr}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "hello\n");
        let about: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("vx: running without node 20.11.1"))
            .collect();
        assert_eq!(about.len(), 1, "{round}: {stderr}");
        assert_eq!(archive(&dist), 1, "{round}: downloaded once");
    }
}

/// A tool of the user's global toolset that cannot install (its URL answers 404)
/// does not stop a project's command either: said once, remembered, not downloaded
/// again.
#[test]
fn a_global_tool_that_cannot_install_does_not_stop_a_project() {
    let p = Project::new();
    p.write(&p.hello());
    let config = p.work.dir.path().join("user-config/vx");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("vx.toml"), p.broken()).unwrap();
    for round in 0..2 {
        let (code, stdout, stderr) = p.run(&["exec", "--", "hello"]);
        assert_eq!((code, stdout.as_str()), (0, "hello\n"), "{round}: {stderr}");
        let about: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("vx: running without broken 1.0 (its install failed:"))
            .collect();
        assert_eq!(about.len(), 1, "{round}: {stderr}");
        assert!(
            about[0].ends_with("`vx sync -g` tries again"),
            "{}",
            about[0]
        );
        assert_eq!(p.asked("/broken.tar.gz"), 1, "{round}: downloaded once");
    }
}
