//! Everyday upkeep end to end with the real `vx` binary (issue 43, items 3 to 5): a
//! `vx prune` that keeps what another project (or the global toolset) pins, `vx doctor`
//! and its findings, `vx config set`/`unset` keeping the user's comments, and
//! `vx cache`. Each test has a machine of its own (HOME and the XDG directories in a
//! temporary directory); the tools are archives of shell scripts served over loopback
//! HTTP.

// Unix only: the tools are shell scripts, and the hook is run in bash.
#![cfg(unix)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, SystemTime};

use common::{isolated, output_of};
use vx_fixture::{Item, Route, TestServer, sha256_hex, tar_gz};

const GREET: &[u8] = b"#!/bin/sh\necho greet\n";

fn greet_archive() -> Vec<u8> {
    tar_gz(&[
        Item::Dir("greet/"),
        Item::File("greet/bin/greet", GREET.to_vec(), 0o755),
    ])
}

/// A machine: a HOME with the XDG directories, a loopback server with `greet` 1.0 and
/// 2.0, and projects under it.
struct Machine {
    dir: tempfile::TempDir,
    server: TestServer,
    sha: String,
}

impl Machine {
    fn new() -> Machine {
        let archive = greet_archive();
        let sha = sha256_hex(&archive);
        let server = TestServer::start([
            ("/greet-1.0.tar.gz", Route::Ok(archive.clone())),
            ("/greet-2.0.tar.gz", Route::Ok(archive)),
        ]);
        Machine {
            dir: tempfile::tempdir().unwrap(),
            server,
            sha,
        }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn store(&self) -> PathBuf {
        self.home().join(".local/share/vx/store")
    }

    fn cache(&self) -> PathBuf {
        self.home().join(".cache/vx")
    }

    fn config(&self) -> PathBuf {
        self.home().join(".config/vx/config.toml")
    }

    /// A project `name` pinning `greet` at `version`; returns its directory.
    fn project(&self, name: &str, version: &str) -> PathBuf {
        let dir = self.dir.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let manifest = format!(
            "[tools.greet]\nversion = \"{version}\"\nurl = \"{}\"\nsha256 = \"{}\"\nstrip_components = 1\n",
            self.server.url("/greet-{version}.tar.gz"),
            self.sha
        );
        std::fs::write(dir.join("vx.toml"), manifest).unwrap();
        dir
    }

    /// `vx` on this machine, in `dir`.
    fn vx(&self, dir: &Path) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("vx").unwrap();
        isolated(&mut cmd, &self.home());
        cmd.current_dir(dir)
            .env("VX_BOARD_DIR", self.dir.path().join("boards"))
            .env_remove("VX_MANIFEST")
            .env_remove("__VX_HOOK")
            .env_remove("__VX_STATE")
            .env("SHELL", "/bin/bash");
        cmd
    }

    /// `vx ARGS` in `dir`, asserting its exit code.
    fn run(&self, dir: &Path, args: &[&str], code: i32) -> Output {
        let out = self.vx(dir).args(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "vx {args:?}: {}\n{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        out
    }

    /// The same as a plain process (to spawn, or to run in a shell).
    fn command(&self, program: &Path, dir: &Path) -> std::process::Command {
        let template = self.vx(dir);
        let mut cmd = std::process::Command::new(program);
        for (k, v) in template.get_envs() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        cmd.current_dir(dir);
        cmd
    }

    fn installed(&self, version: &str) -> bool {
        crate::common::has_tree(self.store(), "greet", version)
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

// ---- vx prune ----

#[test]
fn prune_keeps_what_another_project_pins_until_all_is_asked() {
    let m = Machine::new();
    let a = m.project("a", "1.0");
    let b = m.project("b", "2.0");
    m.run(&a, &["sync"], 0);
    m.run(&b, &["sync"], 0);
    assert!(m.installed("1.0") && m.installed("2.0"));

    // The dry run names the keeper of each kept version and removes nothing.
    let dry = text(&m.run(&a, &["prune", "--dry-run"], 0).stdout);
    let b_manifest = b.join("vx.toml");
    assert!(
        dry.contains("would keep greet 1.0, used by this project"),
        "{dry}"
    );
    assert!(
        dry.contains(&format!(
            "would keep greet 2.0, used by {}",
            b_manifest.display()
        )),
        "{dry}"
    );
    assert!(!dry.contains("would remove"), "{dry}");
    assert!(m.installed("1.0") && m.installed("2.0"));

    // A plain prune in a keeps b's tool.
    let done = text(&m.run(&a, &["prune"], 0).stdout);
    assert!(done.starts_with("nothing to prune"), "{done}");
    assert!(m.installed("2.0"));
    m.run(&b, &["exec", "--", "greet"], 0);

    // --all removes what this project does not use, whoever else does.
    let dry_all = text(&m.run(&a, &["prune", "--all", "--dry-run"], 0).stdout);
    assert!(dry_all.contains("would remove greet 2.0"), "{dry_all}");
    assert!(m.installed("2.0"));
    let all = text(&m.run(&a, &["prune", "--all"], 0).stdout);
    assert!(all.contains("removed greet 2.0"), "{all}");
    assert!(!m.installed("2.0") && m.installed("1.0"));
}

/// The global toolset syncs into the store as a project does (and is tracked so): a
/// prune names it once, as the global toolset, not also as a project.
#[test]
fn the_global_toolset_is_named_once_among_what_a_prune_keeps() {
    let m = Machine::new();
    let a = m.project("a", "1.0");
    m.run(&a, &["sync"], 0);
    let global = m.project("home/.config/vx", "2.0");
    m.run(&global, &["sync"], 0);
    let dry = text(&m.run(&a, &["prune", "--dry-run"], 0).stdout);
    let kept: Vec<&str> = dry.lines().filter(|l| l.contains("greet 2.0")).collect();
    assert_eq!(
        kept,
        [format!(
            "would keep greet 2.0, used by the global toolset ({})",
            global.join("vx.lock").display()
        )],
        "{dry}"
    );
}

#[test]
fn a_project_whose_vx_toml_is_gone_keeps_nothing_but_the_global_toolset_does() {
    let m = Machine::new();
    let a = m.project("a", "1.0");
    let b = m.project("b", "2.0");
    m.run(&a, &["sync"], 0);
    m.run(&b, &["sync"], 0);
    // The global toolset pins what b pinned: its lock in the configuration directory.
    let global = m.home().join(".config/vx/vx.lock");
    std::fs::create_dir_all(global.parent().unwrap()).unwrap();
    std::fs::copy(b.join("vx.lock"), &global).unwrap();
    std::fs::remove_file(b.join("vx.toml")).unwrap();

    let dry = text(&m.run(&a, &["prune", "--dry-run"], 0).stdout);
    assert!(
        dry.contains(&format!(
            "would keep greet 2.0, used by the global toolset ({})",
            global.display()
        )),
        "{dry}"
    );
    assert!(!dry.contains(&b.display().to_string()), "{dry}");

    std::fs::remove_file(&global).unwrap();
    let done = text(&m.run(&a, &["prune"], 0).stdout);
    assert!(done.contains("removed greet 2.0"), "{done}");
    assert!(!m.installed("2.0") && m.installed("1.0"));
}

/// The store's list of projects that use it (`.tracked.json`) written by a newer vx,
/// torn, or not a file at all is unknown, not empty: a prune refuses, naming the file,
/// rather than delete what the projects it cannot read pin (issue 53, item 5); a sync
/// leaves such a file as it is.
#[test]
fn an_unreadable_tracked_file_stops_a_prune_naming_the_file() {
    let m = Machine::new();
    let a = m.project("a", "1.0");
    let b = m.project("b", "2.0");
    m.run(&a, &["sync"], 0);
    m.run(&b, &["sync"], 0);
    let tracked = m.store().join(".tracked.json");
    let newer = format!(
        "{{\"version\":2,\"projects\":[{{\"manifest\":{:?}}}]}}\n",
        b.join("vx.toml")
    );
    for body in [newer.as_str(), "{\"version\":1,\"proj", "not json"] {
        std::fs::write(&tracked, body).unwrap();
        for args in [&["prune"][..], &["prune", "--dry-run"]] {
            let out = m.run(&a, args, 1);
            let err = text(&out.stderr);
            assert!(err.contains(&tracked.display().to_string()), "{err}");
            assert!(err.contains("--all"), "{err}");
        }
        assert!(m.installed("2.0") && m.installed("1.0"));
        // A sync does not replace what it cannot read.
        m.run(&a, &["sync"], 0);
        assert_eq!(std::fs::read_to_string(&tracked).unwrap(), body);
    }
    // --all is the way past it.
    let all = text(&m.run(&a, &["prune", "--all"], 0).stdout);
    assert!(all.contains("removed greet 2.0"), "{all}");
}

#[test]
fn a_prune_while_a_sync_installs_refuses_and_the_sync_keeps_what_it_installed() {
    let m = Machine::new();
    let a = m.project("a", "1.0");
    m.run(&a, &["sync"], 0);
    // b's greet 3.0 comes from a server that holds its download half-way.
    let archive = greet_archive();
    let (open, gate) = std::sync::mpsc::channel();
    let slow = TestServer::gated(archive.clone(), archive.len() / 2, gate);
    // Declared after the server so that a failing assertion drops it first: the
    // server's thread, waiting on the gate, then ends and the server can be dropped.
    let open = open;
    let b = m.dir.path().join("b");
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(
        b.join("vx.toml"),
        format!(
            "[tools.greet]\nversion = \"3.0\"\nurl = \"{}\"\nsha256 = \"{}\"\nstrip_components = 1\n",
            slow.url("/greet-3.0.tar.gz"),
            m.sha
        ),
    )
    .unwrap();
    let mut sync = m
        .command(&assert_cmd::cargo::cargo_bin("vx"), &b)
        .args(["sync", "--headless"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    common::wait_for("b's download to start", || {
        (!slow.ranges().is_empty()).then_some(())
    });
    let out = m.run(&a, &["prune", "--all"], 1);
    assert!(
        text(&out.stderr).contains("a vx sync is installing"),
        "{}",
        text(&out.stderr)
    );
    open.send(()).unwrap();
    assert!(common::wait_exit(&mut sync).success());
    assert!(m.installed("3.0") && m.installed("1.0"));
    // b is tracked now: a's prune keeps its tool.
    let dry = text(&m.run(&a, &["prune", "--dry-run"], 0).stdout);
    assert!(dry.contains("would keep greet 3.0, used by"), "{dry}");
    m.run(&a, &["prune"], 0);
    assert!(m.installed("3.0"));
}

// ---- vx doctor ----

/// `vx doctor ARGS` run in bash after the hook of `vx activate bash` applied the
/// project, with `before` run first (e.g. a PATH change).
fn doctor_hooked(m: &Machine, dir: &Path, before: &str, args: &str) -> Output {
    let vx = assert_cmd::cargo::cargo_bin("vx");
    let script = format!(
        "eval \"$('{vx}' activate bash)\"; __vx_hook; {before} '{vx}' doctor {args}",
        vx = vx.display()
    );
    m.command(Path::new("bash"), dir)
        .args(["--norc", "--noprofile", "-c", &script])
        .output()
        .unwrap()
}

/// `vx doctor --offline --json` in `dir` with `PATH` set to `path`.
fn doctor_with_path(m: &Machine, dir: &Path, path: &str) -> Output {
    m.vx(dir)
        .args(["doctor", "--offline", "--json"])
        .env("PATH", path)
        .output()
        .unwrap()
}

/// Another `greet` (an impostor) in a directory of its own; returns that directory.
fn impostor(m: &Machine) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let fake = m.dir.path().join("fake");
    std::fs::create_dir_all(&fake).unwrap();
    let other = fake.join("greet");
    std::fs::write(&other, "#!/bin/sh\necho impostor\n").unwrap();
    std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o755)).unwrap();
    fake
}

fn findings(out: &Output) -> Vec<serde_json::Value> {
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", text(&out.stdout), text(&out.stderr)));
    report["findings"].as_array().unwrap().clone()
}

/// The finding of `check` in a `--json` report.
fn finding(out: &Output, check: &str) -> serde_json::Value {
    findings(out)
        .into_iter()
        .find(|f| f["check"] == check)
        .unwrap_or_else(|| panic!("no {check} finding"))
}

fn problems(out: &Output) -> Vec<serde_json::Value> {
    findings(out)
        .into_iter()
        .filter(|f| f["status"] == "problem")
        .collect()
}

#[test]
fn doctor_is_healthy_in_a_synced_project_with_the_hook() {
    let m = Machine::new();
    let a = m.project("a", "1.0");
    m.run(&a, &["sync"], 0);
    let out = doctor_hooked(&m, &a, "", "--offline --json");
    assert_eq!(out.status.code(), Some(0), "{:#?}", problems(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["healthy"], true);
    let checks: Vec<String> = findings(&out)
        .iter()
        .map(|f| f["check"].as_str().unwrap().to_owned())
        .collect();
    for check in [
        "vx", "platform", "hook", "trust", "path", "store", "cache", "daemon", "github", "lock",
    ] {
        assert!(
            checks.iter().any(|c| c == check),
            "{check} missing from {checks:?}"
        );
    }
    let human = doctor_hooked(&m, &a, "", "--offline");
    assert_eq!(human.status.code(), Some(0));
    assert!(
        text(&human.stdout).ends_with("no problem found\n"),
        "{}",
        text(&human.stdout)
    );
}

/// Without the hook, a CI job (which runs its tools through `vx exec`) and a shell
/// whose PATH holds the shims are healthy: `vx doctor` exits 0 there, saying why.
#[test]
fn doctor_without_the_hook_is_healthy_in_ci_and_with_the_shims_on_path() {
    let m = Machine::new();
    let a = m.project("a", "1.0");
    m.run(&a, &["sync"], 0);
    let hook = |out: &Output| finding(out, "hook");
    let out = m.run(&a, &["doctor", "--offline", "--json"], 1);
    assert_eq!(hook(&out)["status"], "problem");

    let out = m
        .vx(&a)
        .args(["doctor", "--offline", "--json"])
        .env("CI", "true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:#?}", problems(&out));
    assert_eq!(hook(&out)["status"], "info");

    let shims = m.home().join(".local/share/vx/shims");
    let path = format!("{}:{}", shims.display(), std::env::var("PATH").unwrap());
    let out = doctor_with_path(&m, &a, &path);
    assert_eq!(out.status.code(), Some(0), "{:#?}", problems(&out));
    let found = hook(&out);
    assert_eq!(found["status"], "ok");
    assert!(found["what"].as_str().unwrap().contains("shims"), "{found}");

    // Another greet before the shims on PATH is a problem, named with the fix.
    let fake = impostor(&m);
    let path = format!(
        "{}:{}:{}",
        fake.display(),
        shims.display(),
        std::env::var("PATH").unwrap()
    );
    let out = doctor_with_path(&m, &a, &path);
    assert_eq!(out.status.code(), Some(1));
    let found = problems(&out);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["check"], "path");
    assert!(
        found[0]["what"].as_str().unwrap().contains("not vx's shim"),
        "{found:#?}"
    );
}

/// `vx doctor` says whether the project is trusted: one that declares an `[env]` of
/// its own and is not says what the hook leaves out and the fix, without calling it a
/// problem (nothing is broken: the user has not decided yet).
#[test]
fn doctor_says_whether_the_project_is_trusted() {
    let m = Machine::new();
    let a = m.project("a", "1.0");
    let text = std::fs::read_to_string(a.join("vx.toml")).unwrap();
    std::fs::write(a.join("vx.toml"), format!("{text}\n[env]\nX = \"1\"\n")).unwrap();
    m.run(&a, &["sync"], 0);
    let trust = |out: &Output| finding(out, "trust");
    let out = doctor_hooked(&m, &a, "", "--offline --json");
    let found = trust(&out);
    assert_eq!(found["status"], "info", "{found}");
    assert!(
        found["what"].as_str().unwrap().contains("not trusted"),
        "{found}"
    );
    assert!(
        found["fix"].as_str().unwrap().starts_with("vx trust"),
        "{found}"
    );
    m.run(&a, &["trust"], 0);
    let out = doctor_hooked(&m, &a, "", "--offline --json");
    assert_eq!(trust(&out)["status"], "ok");
}

#[test]
fn doctor_finds_each_problem_and_says_the_fix() {
    let m = Machine::new();
    let a = m.project("a", "1.0");
    m.run(&a, &["sync"], 0);

    // No hook in this shell.
    let out = m.run(&a, &["doctor", "--offline"], 1);
    let said = text(&out.stdout);
    assert!(said.contains("PROBLEM  hook"), "{said}");
    assert!(
        said.contains("fix: add `eval \"$(vx activate bash)\"` to ~/.bashrc"),
        "{said}"
    );

    // Another greet earlier on PATH than the project's.
    let fake = impostor(&m);
    let other = fake.join("greet");
    let out = doctor_hooked(
        &m,
        &a,
        &format!("PATH='{}':$PATH", fake.display()),
        "--offline --json",
    );
    assert_eq!(out.status.code(), Some(1));
    let found = problems(&out);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["check"], "path");
    assert!(
        found[0]["what"]
            .as_str()
            .unwrap()
            .contains(&other.display().to_string())
    );
    assert!(
        found[0]["fix"]
            .as_str()
            .unwrap()
            .contains("last in your shell's rc file")
    );

    // A stale lock: vx.toml asks for another version.
    std::fs::write(
        a.join("vx.toml"),
        std::fs::read_to_string(a.join("vx.toml"))
            .unwrap()
            .replace("1.0", "2.0"),
    )
    .unwrap();
    let out = doctor_hooked(&m, &a, "", "--offline --json");
    assert_eq!(out.status.code(), Some(1));
    let stale = problems(&out)
        .into_iter()
        .find(|f| f["check"] == "lock")
        .expect("a lock problem");
    assert!(
        stale["what"].as_str().unwrap().contains("stale for greet"),
        "{stale}"
    );
    assert_eq!(stale["fix"], "vx lock");

    // A store that cannot be used: its path is a file.
    let blocker = m.dir.path().join("not-a-dir");
    std::fs::write(&blocker, "").unwrap();
    let store = blocker.join("store");
    let out = m.run(
        &a,
        &[
            "doctor",
            "--offline",
            "--json",
            "--store",
            store.to_str().unwrap(),
        ],
        1,
    );
    let bad = problems(&out)
        .into_iter()
        .find(|f| f["check"] == "store")
        .expect("a store problem");
    assert!(
        bad["what"].as_str().unwrap().contains("is not a directory"),
        "{bad}"
    );
    assert!(bad["fix"].as_str().unwrap().contains("--store"), "{bad}");
}

#[test]
fn doctor_asks_github_for_the_rate_limit_and_never_shows_the_token() {
    let m = Machine::new();
    let a = m.project("a", "1.0");
    m.run(&a, &["sync"], 0);
    let limits = br#"{"resources":{"core":{"limit":5000,"remaining":4321,"reset":1767225600}},"rate":{"limit":5000,"remaining":4321,"reset":1767225600}}"#;
    let api = TestServer::start([("/rate_limit", Route::Ok(limits.to_vec()))]);
    let token = "ghp_doctorNeverSaysThis0123456789";
    let base = api.url("");
    let base = base.trim_end_matches('/');
    for json in [false, true] {
        let mut cmd = m.vx(&a);
        cmd.env("GITHUB_TOKEN", token)
            .env("VX_GITHUB_API_URL", base)
            .env("VX_GITHUB_URL", base)
            .env("__VX_HOOK", "bash")
            .arg("doctor");
        if json {
            cmd.arg("--json");
        }
        let out = cmd.output().unwrap();
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!all.contains(token), "{all}");
        assert!(all.contains("a token from GITHUB_TOKEN"), "{all}");
        assert!(all.contains("4321 of 5000 requests left"), "{all}");
    }
    assert_eq!(api.paths(), ["/rate_limit", "/rate_limit"]);
    // Offline, nothing is asked.
    m.vx(&a)
        .env("GITHUB_TOKEN", token)
        .env("VX_GITHUB_API_URL", base)
        .args(["doctor", "--offline"])
        .output()
        .unwrap();
    assert_eq!(api.paths().len(), 2);
}

// ---- vx config set / unset ----

#[test]
fn config_set_and_unset_keep_comments_and_refuse_what_vx_would_not_read() {
    let m = Machine::new();
    let a = m.project("a", "1.0");
    let path = m.config();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let before = "# my machine\n[github]\n# our GHE\nurl = \"https://ghe.corp\" # since 2024\n";
    std::fs::write(&path, before).unwrap();

    m.run(&a, &["config", "set", "github.url", "https://ghe2.corp"], 0);
    m.run(&a, &["config", "set", "mirrors", "[\"file:///mnt/vx\"]"], 0);
    let now = std::fs::read_to_string(&path).unwrap();
    // A new top-level key goes above the tables; each comment stays where it was.
    assert!(
        now.contains(
            "# my machine\n[github]\n# our GHE\nurl = \"https://ghe2.corp\" # since 2024\n"
        ),
        "{now}"
    );
    let got = m.run(&a, &["config", "get", "github.url"], 0);
    assert_eq!(text(&got.stdout), "https://ghe2.corp\n");
    let got = m.run(&a, &["config", "get", "mirrors"], 0);
    assert_eq!(text(&got.stdout), "file:///mnt/vx\n");

    // An unknown key, a wrong type, a bad value: refused with the reader's words
    // (exit 2), the file as it was.
    let now = std::fs::read_to_string(&path).unwrap();
    let err = text(&m.run(&a, &["config", "set", "github.tokn", "x"], 2).stderr);
    assert!(err.contains("did you mean `token`"), "{err}");
    let err = text(
        &m.run(&a, &["config", "set", "mirrors", "file:///one"], 2)
            .stderr,
    );
    assert!(err.contains("invalid type"), "{err}");
    let err = text(
        &m.run(&a, &["config", "set", "mirrors", "[\"ftp://x\"]"], 2)
            .stderr,
    );
    assert!(err.contains("unchanged"), "{err}");
    let secret = "ghp_neverEchoed000";
    let err = text(
        &m.run(&a, &["config", "set", "github.token", "[1]"], 2)
            .stderr,
    );
    assert!(err.contains("`token` must be a string"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), now);

    // A token is set without being echoed, and read back masked.
    let out = m.run(&a, &["config", "set", "github.token", secret], 0);
    assert!(!text(&out.stdout).contains(secret) && !text(&out.stderr).contains(secret));
    let listed = text(&m.run(&a, &["config", "list"], 0).stdout);
    assert!(
        !listed.contains(secret) && listed.contains("***"),
        "{listed}"
    );

    m.run(&a, &["config", "unset", "github.token"], 0);
    m.run(&a, &["config", "unset", "mirrors"], 0);
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        after,
        "# my machine\n[github]\n# our GHE\nurl = \"https://ghe2.corp\" # since 2024\n"
    );
    let err = text(&m.run(&a, &["config", "unset", "gihub.url"], 2).stderr);
    assert!(err.contains("did you mean `github`"), "{err}");
}

/// `vx config unset` keeps the comment lines above the key it removes when the key is
/// its section's last, or the last of the file (issue 66, item 19): they went with it
/// (a key followed by another kept them already).
#[test]
fn config_unset_keeps_the_comment_above_a_sections_last_key() {
    let m = Machine::new();
    let a = m.project("a", "1.0");
    let path = m.config();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let before = "# my machine\nmirrors = [\"file:///mnt/vx\"]\n\n[github]\nurl = \"https://ghe.corp\"\n# rotated monthly\ntoken = \"ghp_x\"\n";
    std::fs::write(&path, before).unwrap();
    m.run(&a, &["config", "unset", "github.token"], 0);
    m.run(&a, &["config", "unset", "mirrors"], 0);
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        after,
        "# my machine\n\n[github]\nurl = \"https://ghe.corp\"\n# rotated monthly\n"
    );
    m.run(&a, &["config", "list"], 0);
}

/// The doctor's findings of `check` that are problems, in `dir`.
fn problems_of(m: &Machine, dir: &Path, check: &str) -> Vec<serde_json::Value> {
    let out = m
        .vx(dir)
        .args(["doctor", "--offline", "--json"])
        .output()
        .unwrap();
    problems(&out)
        .into_iter()
        .filter(|f| f["check"] == check)
        .collect()
}

#[test]
fn config_set_refuses_a_network_setting_every_command_would_refuse_and_unset_is_the_way_out() {
    let m = Machine::new();
    let a = m.project("a", "1.0");
    let path = m.config();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let before = "# mine\n[github]\nurl = \"https://ghe.corp\" # ours\n";
    std::fs::write(&path, before).unwrap();
    let pem = m.dir.path().join("absent.pem");
    for (key, value, said) in [
        (
            "github.url",
            "notaurl",
            "[github] url: must be an http:// or https:// URL",
        ),
        (
            "github.api_url",
            "ftp://x",
            "[github] api_url: must be an http:// or https:// URL",
        ),
        (
            "http.headers.\"a corp\".X-Api",
            "v",
            "the key must be a host name",
        ),
        (
            "http.headers.\"a.corp\".X-Api",
            "${UNCLOSED",
            "a `${` without its `}`",
        ),
        (
            "http.ca_certificates",
            &format!("[\"{}\"]", pem.display()),
            "[http] ca_certificates",
        ),
    ] {
        let err = text(&m.run(&a, &["config", "set", key, value], 2).stderr);
        assert!(
            err.contains(said) && err.contains("is unchanged"),
            "{key}: {err}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), before, "{key}");
    }
    // A header naming a variable that is not set is fine: it is needed only by a
    // request to that host.
    m.run(
        &a,
        &[
            "config",
            "set",
            "http.headers.\"artifacts.corp\".Authorization",
            "Bearer ${ART_TOKEN_UNSET}",
        ],
        0,
    );

    // A file already holding values vx refuses (written by hand): doctor names each,
    // an edit that adds none is allowed, one that adds one is not, and unset takes
    // them out one at a time.
    std::fs::write(
        &path,
        "[github]\nurl = \"notaurl\"\napi_url = \"ftp://x\"\n",
    )
    .unwrap();
    let found = problems_of(&m, &a, "config");
    assert_eq!(found.len(), 2, "{found:#?}");
    let what = found[0]["what"].as_str().unwrap();
    assert!(
        what.contains("[github] url: must be an http:// or https:// URL")
            && what.contains(&path.display().to_string()),
        "{what}"
    );
    m.run(&a, &["config", "list"], 2);
    m.run(&a, &["config", "set", "github.token", "ghp_x"], 0);
    let before = std::fs::read_to_string(&path).unwrap();
    let err = text(
        &m.run(
            &a,
            &["config", "set", "http.headers.\"a corp\".X-Api", "v"],
            2,
        )
        .stderr,
    );
    assert!(err.contains("the key must be a host name"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    m.run(&a, &["config", "unset", "github.url"], 0);
    m.run(&a, &["config", "list"], 2);
    m.run(&a, &["config", "unset", "github.api_url"], 0);
    m.run(&a, &["config", "list"], 0);
    assert!(problems_of(&m, &a, "config").is_empty());
}

#[test]
fn a_header_whose_variable_is_unset_fails_only_a_request_to_its_host() {
    let m = Machine::new();
    let a = m.project("a", "1.0");
    let path = m.config();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    // EVERYDAY.md's own example, for a host this project never asks.
    std::fs::write(
        &path,
        "[http.headers.\"artifacts.corp\"]\nAuthorization = \"Bearer ${ART_TOKEN}\"\n",
    )
    .unwrap();
    m.run(&a, &["sync"], 0);
    assert!(m.installed("1.0"));
    // A no-op sync too.
    m.run(&a, &["sync"], 0);

    // doctor names the variable (never a value) as a problem.
    let found = problems_of(&m, &a, "network");
    assert_eq!(found.len(), 1, "{found:#?}");
    let what = found[0]["what"].as_str().unwrap();
    assert!(
        what.contains("ART_TOKEN") && what.contains("artifacts.corp"),
        "{what}"
    );
    let fix = found[0]["fix"].as_str().unwrap();
    assert!(
        fix.ends_with("vx config unset 'http.headers.\"artifacts.corp\".Authorization'"),
        "{fix}"
    );
    let out = m
        .vx(&a)
        .env("ART_TOKEN", "s3cret-art-token")
        .args(["doctor", "--offline", "--json"])
        .output()
        .unwrap();
    assert!(!text(&out.stdout).contains("s3cret-art-token"));
    assert!(
        problems(&out).iter().all(|f| f["check"] != "network"),
        "{:#?}",
        problems(&out)
    );

    // A header for the host the download is on: the request is not sent without the
    // variable, and the tool's failure names it and the host.
    let host = m.server.url("");
    let host = host
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    std::fs::write(
        &path,
        format!("[http.headers.\"{host}\"]\nAuthorization = \"Bearer ${{ART_TOKEN}}\"\n"),
    )
    .unwrap();
    let b = m.project("b", "2.0");
    let hits = m.server.hits();
    let out = m.run(&b, &["sync", "--headless"], 1);
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        said.contains("the environment variable ART_TOKEN is not set") && said.contains(&host),
        "{said}"
    );
    assert_eq!(m.server.hits(), hits, "nothing was sent");
    assert!(!m.installed("2.0"));
    let out = m
        .vx(&b)
        .env("ART_TOKEN", "s3cret-art-token")
        .args(["sync", "--headless"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(m.installed("2.0"));
}

#[test]
fn config_get_set_unset_and_list_share_one_key_syntax() {
    let m = Machine::new();
    let a = m.project("a", "1.0");
    let rule = "url_replacements.\"https://nodejs.org/\"";
    let header = "http.headers.\"artifacts.corp\".X-Api";
    m.run(
        &a,
        &["config", "set", rule, "http://127.0.0.1:9/nodejs/"],
        0,
    );
    m.run(&a, &["config", "set", header, "v"], 0);
    let got = m.run(&a, &["config", "get", rule], 0);
    assert_eq!(text(&got.stdout), "http://127.0.0.1:9/nodejs/\n");
    // Any TOML spelling of the same key.
    let got = m.run(
        &a,
        &["config", "get", "url_replacements.'https://nodejs.org/'"],
        0,
    );
    assert_eq!(text(&got.stdout), "http://127.0.0.1:9/nodejs/\n");
    assert_eq!(
        text(&m.run(&a, &["config", "get", header], 0).stdout),
        "***\n"
    );

    // `list` prints each key as get, set and unset take it: each pastes back.
    let listed = text(&m.run(&a, &["config", "list"], 0).stdout);
    let keys: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(keys.contains(&rule) && keys.contains(&header), "{listed}");
    for key in keys {
        m.run(&a, &["config", "get", key], 0);
    }
    let json: serde_json::Value =
        serde_json::from_slice(&m.run(&a, &["config", "list", "--json"], 0).stdout).unwrap();
    assert!(
        json.as_array().unwrap().iter().any(|e| e["key"] == header),
        "{json}"
    );

    // The unquoted forms name no setting: said so, with the quoted form, once.
    let before = std::fs::read_to_string(m.config()).unwrap();
    for args in [
        ["config", "unset", "http.headers.artifacts.corp.X-Api"],
        ["config", "get", "http.headers.artifacts.corp.X-Api"],
    ] {
        let err = text(&m.run(&a, &args, 2).stderr);
        assert!(
            err.contains("names no setting")
                && err.contains(&format!("did you mean `{header}`?"))
                && !err.contains("not a table")
                && err.matches("artifacts.corp.X-Api").count() == 1,
            "{err}"
        );
    }
    let err = text(
        &m.run(
            &a,
            &["config", "get", "url_replacements.https://nodejs.org/"],
            2,
        )
        .stderr,
    );
    assert!(err.contains(&format!("did you mean `{rule}`?")), "{err}");
    assert_eq!(std::fs::read_to_string(m.config()).unwrap(), before);

    m.run(&a, &["config", "unset", header], 0);
    m.run(&a, &["config", "unset", rule], 0);
    m.run(&a, &["config", "get", header], 1);
    m.run(&a, &["config", "get", rule], 1);
}

// ---- files vx edits, behind a symbolic link ----

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path)
        .unwrap()
        .file_type()
        .is_symlink()
}

#[test]
fn a_symlinked_config_or_manifest_stays_a_link_and_its_target_gets_the_edit() {
    use std::os::unix::fs::symlink;
    let m = Machine::new();
    let dotfiles = m.dir.path().join("dotfiles");
    std::fs::create_dir_all(&dotfiles).unwrap();
    let config_dir = m.config().parent().unwrap().to_owned();
    std::fs::create_dir_all(&config_dir).unwrap();
    let elsewhere = m.dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();

    // The user config, linked by a dotfiles manager.
    std::fs::write(dotfiles.join("config.toml"), "# from my dotfiles\n").unwrap();
    symlink(dotfiles.join("config.toml"), m.config()).unwrap();
    m.run(
        &elsewhere,
        &["config", "set", "github.url", "https://ghe.corp"],
        0,
    );
    assert!(is_link(&m.config()));
    let target = std::fs::read_to_string(dotfiles.join("config.toml")).unwrap();
    assert!(
        target.contains("# from my dotfiles\n") && target.contains("https://ghe.corp"),
        "{target}"
    );

    // The global toolset's vx.toml, moved into the dotfiles and linked back.
    let global = config_dir.join("vx.toml");
    let url = m.server.url("/greet-{version}.tar.gz");
    let use_global = |version: &str, code: i32| {
        m.run(
            &elsewhere,
            &[
                "use",
                "-g",
                &format!("greet@{version}"),
                "--url",
                &url,
                "--headless",
            ],
            code,
        )
    };
    use_global("1.0", 0);
    std::fs::rename(&global, dotfiles.join("vx.toml")).unwrap();
    symlink("../../../dotfiles/vx.toml", &global).unwrap();
    use_global("2.0", 0);
    assert!(is_link(&global));
    let target = std::fs::read_to_string(dotfiles.join("vx.toml")).unwrap();
    assert!(target.contains("version = \"2.0\""), "{target}");
    // A link to nothing (the dotfiles moved): said, naming both; nothing created.
    std::fs::rename(dotfiles.join("vx.toml"), dotfiles.join("moved.toml")).unwrap();
    let out = m
        .vx(&elsewhere)
        .args(["use", "-g", "greet@1.0", "--url", &url, "--headless"])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("is a symbolic link to") && err.contains("which does not exist"),
        "{err}"
    );
    assert!(is_link(&global) && !dotfiles.join("vx.toml").exists());

    // A project's vx.toml linked into the dotfiles: `vx add` edits the target.
    let p = m.project("p", "1.0");
    std::fs::rename(p.join("vx.toml"), dotfiles.join("p.toml")).unwrap();
    symlink("../dotfiles/p.toml", p.join("vx.toml")).unwrap();
    m.run(
        &p,
        &["add", "hello@2.0", "--url", &url, "--sha256", &m.sha],
        0,
    );
    assert!(is_link(&p.join("vx.toml")));
    let target = std::fs::read_to_string(dotfiles.join("p.toml")).unwrap();
    assert!(
        target.contains("[tools.hello]") && target.contains("[tools.greet]"),
        "{target}"
    );
    // No temporary file left beside the links or the targets.
    for dir in [&dotfiles, &config_dir, &p] {
        let names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.starts_with(".vx-")), "{names:?}");
    }
}

// ---- vx cache ----

fn age(path: &Path, days: u64) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::now() - Duration::from_secs(days * 86_400))
        .unwrap();
}

#[test]
fn cache_clean_older_than_removes_only_old_files_and_never_the_store() {
    let m = Machine::new();
    let a = m.project("a", "1.0");
    m.run(&a, &["sync"], 0);
    let cache = m.cache();
    let dir = text(&m.run(&a, &["cache", "dir"], 0).stdout);
    assert_eq!(dir.trim_end(), cache.display().to_string());
    let old = cache.join("github/api/old.json");
    let new = cache.join("registries/files/new.yaml");
    let blob = cache.join("blobs/sha256").join("ab".repeat(32));
    for (file, days) in [(&old, 40), (&new, 1), (&blob, 31)] {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, vec![7u8; 5000]).unwrap();
        age(file, days);
    }
    let mine = cache.join("notes.txt");
    std::fs::write(&mine, "not vx's").unwrap();
    age(&mine, 400);

    let size: serde_json::Value =
        serde_json::from_slice(&m.run(&a, &["cache", "size", "--json"], 0).stdout).unwrap();
    let areas = size["areas"].as_array().unwrap();
    let files: u64 = areas.iter().map(|a| a["files"].as_u64().unwrap()).sum();
    assert_eq!(files, 3, "{size}");
    assert!(size["bytes"].as_u64().unwrap() >= 15_000, "{size}");
    assert!(size["size"].as_str().unwrap().ends_with('B'), "{size}");

    let out = text(
        &m.run(&a, &["cache", "clean", "--older-than", "30d"], 0)
            .stdout,
    );
    assert!(
        out.starts_with("removed 2 files last written over 30d ago"),
        "{out}"
    );
    assert!(!old.exists() && !blob.exists());
    assert!(new.exists() && mine.exists());
    assert!(m.installed("1.0"));

    let out = text(&m.run(&a, &["cache", "clean"], 0).stdout);
    assert!(out.starts_with("removed 1 file,"), "{out}");
    assert!(!new.exists() && mine.exists());
    assert!(m.installed("1.0"));
    m.run(&a, &["exec", "--", "greet"], 0);

    let err = text(
        &m.run(&a, &["cache", "clean", "--older-than", "soon"], 2)
            .stderr,
    );
    assert!(err.contains("--older-than soon"), "{err}");
}

/// A file of several names in the cache (hard links) takes its space once: `vx cache
/// size` counted it at each name, and `vx doctor` said a cache of 7.8 GiB took 25.8 GiB.
#[test]
fn cache_size_counts_a_hard_linked_file_once() {
    let m = Machine::new();
    let a = m.project("a", "1.0");
    m.run(&a, &["sync"], 0);
    let blobs = m.cache().join("blobs/sha256");
    let _ = std::fs::remove_dir_all(m.cache());
    std::fs::create_dir_all(&blobs).unwrap();
    let blob = blobs.join("ab".repeat(32));
    std::fs::write(&blob, vec![7u8; 1 << 20]).unwrap();
    for n in 0..8 {
        std::fs::hard_link(&blob, blobs.join(format!("{n}{}", "cd".repeat(31)))).unwrap();
    }
    let size: serde_json::Value =
        serde_json::from_slice(&m.run(&a, &["cache", "size", "--json"], 0).stdout).unwrap();
    let bytes = size["bytes"].as_u64().unwrap();
    assert!((1 << 20..2 << 20).contains(&bytes), "{size}");
}

/// A cache area (`github/`, `blobs/`, `registries/`) or the store's interrupted
/// downloads (`.partial`) that is itself a symbolic link is never followed: `vx cache
/// clean` leaves it and what it points at as they are and says which (exit 1), `vx
/// cache size` counts nothing behind it (issue 53, item 6).
#[test]
fn cache_clean_never_follows_an_area_that_is_a_symbolic_link() {
    let m = Machine::new();
    let a = m.project("a", "1.0");
    m.run(&a, &["sync"], 0);
    let cache = m.cache();
    let elsewhere = m.dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let precious = elsewhere.join("precious.txt");
    std::fs::write(&precious, "not vx's").unwrap();
    let key = "0123456789abcdef0123456789abcdef";
    let partial_like = elsewhere.join(format!("{key}.part"));
    std::fs::write(&partial_like, "not vx's either").unwrap();
    age(&partial_like, 30);
    let api = cache.join("github");
    let _ = std::fs::remove_dir_all(&api);
    std::fs::create_dir_all(&cache).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &api).unwrap();
    let partials = m.store().join(".partial");
    let _ = std::fs::remove_dir_all(&partials);
    std::os::unix::fs::symlink(&elsewhere, &partials).unwrap();

    let size: serde_json::Value =
        serde_json::from_slice(&m.run(&a, &["cache", "size", "--json"], 0).stdout).unwrap();
    let files: u64 = size["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["files"].as_u64().unwrap())
        .sum();
    assert_eq!(files, 0, "{size}");

    let out = m.run(&a, &["cache", "clean"], 1);
    let err = text(&out.stderr);
    assert!(err.contains(&api.display().to_string()), "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert!(precious.exists() && partial_like.exists());
    assert!(api.symlink_metadata().unwrap().is_symlink());
    assert!(m.installed("1.0"));
}

/// A path to a file that is not executable is "Permission denied" (126), as a shell
/// says; it was "command not found" (127), which sent the user looking for a file that
/// is there. A path to nothing stays 127.
#[test]
fn exec_of_a_file_that_is_not_executable_is_126_not_127() {
    let work = common::Work::new();
    work.write_manifest("[tools]\n");
    std::fs::write(work.dir.path().join("notes.txt"), "not a program\n").unwrap();
    let (_, err) = output_of(
        work.vx()
            .current_dir(work.dir.path())
            .args(["exec", "--", "./notes.txt"]),
        126,
    );
    assert!(err.contains("Permission denied"), "{err}");
    let out = work
        .vx()
        .current_dir(work.dir.path())
        .args(["exec", "--", "./missing"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(127), "{}", text(&out.stderr));
}

/// A GitHub Enterprise Server with rate limiting turned off answers 404 for
/// `/rate_limit` (issue 49, item 8): `vx doctor` says there is no limit, not a
/// problem with a token or proxy to fix. The loopback GitHub serves no `/rate_limit`.
#[test]
fn doctor_takes_a_server_without_rate_limits_for_what_it_is() {
    let github = vx_fixture::github::GithubFixture::builder()
        .start()
        .unwrap();
    let m = Machine::new();
    let a = m.project("a", "1.0");
    github_is_ok_saying(
        &m,
        &a,
        |cmd| {
            cmd.env("VX_GITHUB_URL", github.web_url());
        },
        "rate limiting off",
    );
}

/// Asserts that `vx doctor --json` in project `a` of `m` (`env` setting the command's
/// environment) finds GitHub ok, saying `saying`.
fn github_is_ok_saying(
    m: &Machine,
    a: &Path,
    env: impl FnOnce(&mut assert_cmd::Command),
    saying: &str,
) {
    let mut cmd = m.vx(a);
    cmd.args(["doctor", "--json"]);
    env(&mut cmd);
    let out = cmd.output().unwrap();
    let found = finding(&out, "github");
    assert_eq!(found["status"], "ok", "{found}");
    assert!(
        found["what"].as_str().is_some_and(|m| m.contains(saying)),
        "{found}"
    );
}

/// The vx every test starts through `Work` ([`common::Work::vx_env`]) keeps to the
/// test's workspace: `vx doctor` finds its configuration, store and cache there, never
/// in the user's home (tests had installed tools into the user's own store and written
/// caches under `~/.cache/vx`).
#[test]
fn a_tests_vx_keeps_its_config_store_and_cache_in_the_workspace() {
    let work = common::Work::new();
    let out = work
        .vx()
        .args(["doctor", "--json", "--offline"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", common::both(&out)));
    let workspace = work.dir.path().display().to_string();
    for check in ["config", "store", "cache"] {
        let finding = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check"] == check)
            .unwrap_or_else(|| panic!("no {check} finding: {report:#}"));
        let what = finding["what"].as_str().unwrap();
        assert!(what.starts_with(&workspace), "{check}: {what}");
    }
}

/// Issue 63, item 9: a GitHub mirror (`url_replacements` of api.github.com) answers
/// 404 for `/rate_limit`: `vx doctor` says there is no limit to tell, not a problem
/// (it reported a false GitHub problem behind a mirror).
#[test]
fn doctor_takes_a_github_mirror_without_rate_limits_for_what_it_is() {
    let mirror = TestServer::start([("/other", Route::Ok(b"{}".to_vec()))]);
    let m = Machine::new();
    let a = m.project("a", "1.0");
    let config = m.config();
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        format!(
            "[url_replacements]\n\"https://api.github.com/\" = \"{}\"\n",
            mirror.url("/")
        ),
    )
    .unwrap();
    github_is_ok_saying(
        &m,
        &a,
        |cmd| {
            cmd.env_remove("VX_GITHUB_URL");
        },
        "a mirror",
    );
    assert!(
        mirror.paths().iter().any(|p| p == "/rate_limit"),
        "asked the mirror"
    );
}
