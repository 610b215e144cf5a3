//! Using what was installed, end to end with the real `vx` binary: `vx exec`, `vx CMD`,
//! `vx which`, `vx env`, `vx list`, `vx uninstall`, `vx prune`, `vx completions`, and
//! the one-line no-op sync. The tools are archives of small shell scripts served over
//! loopback HTTP; the project is found from the working directory and the store is the
//! default one under `XDG_DATA_HOME`, as a user would run it.

// Unix only: the tools are shell scripts with execute bits, and the tests check
// signals passing through `exec`.
#![cfg(unix)]

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::{Work, assert_says, json_lines, output_of, slots, wait_exit, wait_for};
use vx_fixture::{Item, Route, TestServer, sha256_hex, tar_gz};
use vx_shm::Phase;

/// `greet`: prints its arguments, a line of stdin, its pid and the first `PATH` entry,
/// then exits with `$GREET_EXIT` (default 7). `greet-die` kills itself with SIGTERM.
const GREET: &str = r#"#!/bin/sh
echo "args:$*"
IFS= read -r line && echo "stdin:$line"
echo "pid:$$"
echo "path:${PATH%%:*}"
exit "${GREET_EXIT:-7}"
"#;

fn greet_archive() -> Vec<u8> {
    tar_gz(&[
        Item::Dir("greet/"),
        Item::File("greet/bin/greet", GREET.as_bytes().to_vec(), 0o755),
        Item::File(
            "greet/bin/greet-die",
            b"#!/bin/sh\nkill -TERM $$\n".to_vec(),
            0o755,
        ),
        Item::File("greet/README", b"not a tool\n".to_vec(), 0o644),
    ])
}

fn other_archive() -> Vec<u8> {
    tar_gz(&[Item::File(
        "oth",
        b"#!/bin/sh\necho other\n".to_vec(),
        0o755,
    )])
}

/// A project directory with `vx.toml` listing `greet` 1.0 (and `other` 2.0, whose
/// executable the manifest names), a loopback server for both, and a store under
/// `XDG_DATA_HOME`.
struct Project {
    work: Work,
    server: TestServer,
}

impl Project {
    fn new() -> Project {
        let (greet, other) = (greet_archive(), other_archive());
        let (greet_sha, other_sha) = (sha256_hex(&greet), sha256_hex(&other));
        let manifest = |server: &TestServer| {
            format!(
                "[tools.greet]\nversion = \"1.0\"\nurl = \"{}\"\nsha256 = \"{}\"\nstrip_components = 1\n\n\
                 [tools.other]\nversion = \"2.0\"\nurl = \"{}\"\nsha256 = \"{}\"\nbin = [\"oth\"]\n",
                server.url("/greet-{version}.tar.gz"),
                greet_sha,
                server.url("/other.tar.gz"),
                other_sha,
            )
        };
        let server = TestServer::start([
            ("/greet-1.0.tar.gz", Route::Ok(greet.clone())),
            ("/greet-0.9.tar.gz", Route::Ok(greet)),
            ("/other.tar.gz", Route::Ok(other)),
        ]);
        let work = Work::new();
        work.write_manifest(&manifest(&server));
        Project { work, server }
    }

    fn store(&self) -> PathBuf {
        self.work.dir.path().join("xdg/vx/store")
    }

    fn bin(&self, tool: &str, version: &str, exe: &str) -> PathBuf {
        // Where the store holds it; a path that does not exist while it is not there.
        match vx_engine::store::newest_tree(&self.store(), tool, version) {
            Some((tree, _)) => tree.join(exe),
            None => self
                .store()
                .join(tool)
                .join(format!("{version}-absent"))
                .join(exe),
        }
    }

    /// `vx ARGS` in the project directory, with its store as the default.
    fn vx(&self) -> assert_cmd::Command {
        let mut cmd = self.work.vx();
        cmd.env("XDG_DATA_HOME", self.work.dir.path().join("xdg"));
        cmd
    }

    /// `vx ARGS` run to its end, asserting its exit code.
    fn run(&self, args: &[&str], code: i32) -> std::process::Output {
        self.vx()
            .args(args)
            .assert()
            .code(code)
            .get_output()
            .clone()
    }

    /// The same as a plain process, for signals and pipes.
    fn command(&self) -> Command {
        self.work.vx_process(&[])
    }

    /// `bash -c SCRIPT` in the project directory, with its store as the default.
    fn bash(&self, script: &str) -> Command {
        let mut cmd = Command::new("bash");
        cmd.args(["-c", script])
            .env("VX_BOARD_DIR", self.work.boards())
            .env("XDG_DATA_HOME", self.work.dir.path().join("xdg"))
            .env("XDG_CONFIG_HOME", self.work.dir.path().join("user-config"))
            .current_dir(self.work.dir.path());
        cmd
    }

    fn sync(&self) {
        self.vx().args(["sync", "--headless"]).assert().success();
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn exec_installs_what_is_missing_then_becomes_the_tool() {
    let project = Project::new();
    let mut child = project
        .command()
        .args(["exec", "--", "greet", "a", "b c"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"hello\n").unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(7), "the tool's exit code");
    let bin_dir = project.bin("greet", "1.0", "bin");
    assert_eq!(
        text(&out.stdout),
        format!(
            "args:a b c\nstdin:hello\npid:{pid}\npath:{}\n",
            bin_dir.display()
        ),
        "stdout is the tool's alone, its pid is vx's, its dir first on PATH"
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("greet 1.0: completed"), "{stderr}");
    assert!(stderr.contains("other 2.0: completed"), "{stderr}");
    // The project's sync ran, lock included.
    assert!(project.work.dir.path().join("vx.lock").is_file());

    // Installed now: nothing is printed but the tool's own output.
    let (stdout, stderr) = output_of(
        project
            .vx()
            .args(["exec", "--", "greet"])
            .env("GREET_EXIT", "0")
            .write_stdin(""),
        0,
    );
    assert!(stderr.is_empty(), "{stderr}");
    assert!(stdout.starts_with("args:\n"));
}

#[test]
fn a_tool_killed_by_a_signal_kills_vx_exec_with_it() {
    let project = Project::new();
    project.sync();
    let status = project
        .command()
        .args(["exec", "--", "greet-die"])
        .status()
        .unwrap();
    assert_eq!(status.signal(), Some(libc_sigterm()), "{status:?}");
}

fn libc_sigterm() -> i32 {
    rustix::process::Signal::TERM.as_raw()
}

#[test]
fn signals_reach_the_tool_with_their_default_dispositions() {
    // Rust ignores SIGPIPE in its own processes; the tool must not inherit that, or
    // `vx exec -- yes | head -1` would print "Broken pipe" errors instead of ending.
    let project = Project::new();
    project.sync();
    let mut child = project
        .command()
        .args(["exec", "--", "yes"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "y\n");
    // The pipe is closed here (the reader was dropped).
    let status = wait_exit(&mut child);
    assert_eq!(
        status.signal(),
        Some(rustix::process::Signal::PIPE.as_raw()),
        "{status:?}"
    );
}

#[test]
fn vx_cmd_runs_a_project_executable_and_unknown_commands_stay_errors() {
    let project = Project::new();
    // Not installed yet and no `bin` list: `greet` is known by the tool's name.
    let (stdout, _) = output_of(
        project
            .vx()
            .args(["greet", "--flag", "x"])
            .write_stdin("in\n"),
        7,
    );
    assert!(stdout.starts_with("args:--flag x\nstdin:in\n"));
    // `oth` is known from the manifest's `bin` list of `other`, now installed.
    project.vx().arg("oth").assert().code(0).stdout("other\n");
    // `greet-die` is known only from greet's receipt.
    assert_eq!(
        project
            .command()
            .arg("greet-die")
            .status()
            .unwrap()
            .signal(),
        Some(libc_sigterm())
    );

    let typo = project.run(&["synk"], 2);
    let stderr = text(&typo.stderr);
    assert!(
        stderr.contains("unrecognized subcommand 'synk'"),
        "{stderr}"
    );
    assert!(
        stderr.contains("similar subcommand exists: 'sync'"),
        "{stderr}"
    );
    // A system command is not a project tool: `vx cat` is no shortcut for it (`vx ls`
    // is `vx list`, as mise users type it).
    project.vx().arg("cat").assert().code(2);
}

#[test]
fn which_prints_the_tools_path_or_says_to_sync() {
    let project = Project::new();
    let missing = project.run(&["which", "oth"], 1);
    assert_eq!(
        text(&missing.stderr),
        "vx: other 2.0 is not installed; run `vx sync`\n"
    );
    project
        .vx()
        .args(["exec", "--offline", "--", "oth"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            // What `oth` needs is named; greet, which it does not, is not.
            "not installed: other 2.0 (--offline)",
        ));
    assert!(!project.store().exists(), "--offline installed nothing");

    project.sync();
    let found = project.run(&["which", "oth"], 0);
    assert_eq!(
        text(&found.stdout),
        format!("{}\n", project.bin("other", "2.0", "oth").display())
    );
    let greet = project.run(&["which", "greet"], 0);
    assert_eq!(
        text(&greet.stdout),
        format!("{}\n", project.bin("greet", "1.0", "bin/greet").display())
    );
    // Not a project tool: the inherited PATH answers, as `vx exec` would.
    let sh = project.run(&["which", "sh"], 0);
    assert!(text(&sh.stdout).ends_with("/sh\n"));
    assert_says(
        project.vx().args(["which", "no-such-command-anywhere"]),
        1,
        "not on PATH",
    );
}

#[test]
fn exec_with_a_named_version_installs_it_beside_the_manifests() {
    let project = Project::new();
    project.sync();
    let (stdout, stderr) = output_of(
        project
            .vx()
            .args(["exec", "greet@0.9", "--", "greet"])
            .write_stdin(""),
        7,
    );
    let path_line = format!("path:{}\n", project.bin("greet", "0.9", "bin").display());
    assert!(stdout.contains(&path_line), "{stdout}");
    assert!(stderr.contains("UNVERIFIED"), "{stderr}");
    // The lock still pins the manifest's version only.
    let lock = std::fs::read_to_string(project.work.dir.path().join("vx.lock")).unwrap();
    assert!(!lock.contains("0.9"), "{lock}");
    // Now in the store, it is found there without the manifest.
    let elsewhere = tempfile::tempdir().unwrap();
    project
        .vx()
        .current_dir(elsewhere.path())
        .args(["exec", "greet@0.9", "--", "greet"])
        .env("GREET_EXIT", "3")
        .write_stdin("")
        .assert()
        .code(3);
    assert_says(
        project
            .vx()
            .current_dir(elsewhere.path())
            .args(["exec", "--", "greet"]),
        2,
        "no vx.toml",
    );
}

#[test]
fn env_puts_the_tools_on_path_for_each_shell() {
    let project = Project::new();
    let missing = project.run(&["env", "--shell", "bash"], 1);
    assert!(text(&missing.stderr).contains("greet 1.0 is not installed"));
    project.sync();

    let vx = assert_cmd::cargo::cargo_bin("vx");
    let script = format!(
        "eval \"$('{}' env --shell bash)\" && eval \"$('{}' env --shell bash)\" && greet x </dev/null; echo \"status:$?\"; echo \"$PATH\"",
        vx.display(),
        vx.display()
    );
    let bash = project
        .bash(&script)
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    let stdout = text(&bash.stdout);
    let greet_dir = project.bin("greet", "1.0", "bin");
    let other_dir = crate::common::tree_in(project.store(), "other", "2.0");
    assert!(
        stdout.starts_with("args:x\npid:"),
        "{stdout}{}",
        text(&bash.stderr)
    );
    assert!(stdout.contains("status:7\n"), "{stdout}");
    assert!(
        stdout.ends_with(&format!(
            "{}:{}:/usr/bin:/bin\n",
            greet_dir.display(),
            other_dir.display()
        )),
        "evaluated twice, PATH holds each directory once: {stdout}"
    );

    let json = project.run(&["env", "--shell", "json"], 0);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(
        value["PATH"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}:", greet_dir.display()))
    );
    let github = project.run(&["env", "--shell", "github"], 0);
    assert_eq!(
        text(&github.stdout),
        format!("{}\n{}\n", other_dir.display(), greet_dir.display())
    );
}

#[test]
fn list_shows_every_version_and_what_the_project_uses() {
    let project = Project::new();
    project
        .vx()
        .arg("list")
        .assert()
        .code(0)
        .stdout(predicates::str::starts_with("no tools installed"));
    project.sync();
    project.run(&["exec", "greet@0.9", "--", "true"], 0);
    let out = project.run(&["list", "--json"], 0);
    let items = json_lines(&out.stdout);
    let summary: Vec<(String, String, bool, bool)> = items
        .iter()
        .map(|i| {
            (
                i["tool"].as_str().unwrap().to_owned(),
                i["version"].as_str().unwrap().to_owned(),
                i["used"].as_bool().unwrap(),
                i["unverified"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("greet".into(), "0.9".into(), false, true),
            ("greet".into(), "1.0".into(), true, false),
            ("other".into(), "2.0".into(), true, false),
        ]
    );
    let greet = &items[1];
    assert_eq!(
        greet["bin"],
        serde_json::json!(["bin/greet", "bin/greet-die"])
    );
    assert!(greet["size"].as_u64().unwrap() > 0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(now - greet["installed_at"].as_u64().unwrap() < 600);
    assert_eq!(
        greet["path"].as_str().unwrap(),
        crate::common::tree_in(project.store(), "greet", "1.0")
            .to_str()
            .unwrap()
    );

    let table = text(&project.run(&["list"], 0).stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("TOOL"), "{table}");
    assert!(
        lines[1].starts_with("greet") && lines[1].contains("UNVERIFIED"),
        "{table}"
    );
    assert!(
        lines[2].contains(" yes ") && lines[2].ends_with("greet, greet-die"),
        "{table}"
    );
    assert!(lines[4].starts_with("3 versions"), "{table}");
}

#[test]
fn prune_dry_run_then_prune_removes_what_the_project_does_not_use() {
    let project = Project::new();
    project.sync();
    project.run(&["exec", "greet@0.9", "--", "true"], 0);
    // What a killed install leaves: a work directory whose lock nobody holds.
    let dead = project.store().join(".tmp/install-dead");
    std::fs::create_dir_all(&dead).unwrap();
    std::fs::write(dead.join(".lock"), b"").unwrap();
    std::fs::write(dead.join("download"), vec![0u8; 10_000]).unwrap();

    let dry = text(&project.run(&["prune", "--dry-run"], 0).stdout);
    assert!(dry.contains("would remove greet 0.9"), "{dry}");
    assert!(dry.contains("install-dead"), "{dry}");
    assert!(
        dry.lines().last().unwrap().starts_with("would free "),
        "{dry}"
    );
    assert!(crate::common::has_tree(project.store(), "greet", "0.9") && dead.is_dir());

    let done = text(&project.run(&["prune"], 0).stdout);
    assert!(done.contains("removed greet 0.9"), "{done}");
    assert!(done.lines().last().unwrap().starts_with("freed "), "{done}");
    assert!(!crate::common::has_tree(project.store(), "greet", "0.9") && !dead.exists());
    assert!(crate::common::has_tree(project.store(), "greet", "1.0"));
    assert!(crate::common::has_tree(project.store(), "other", "2.0"));
    let again = text(&project.run(&["prune"], 0).stdout);
    assert!(again.starts_with("nothing to prune"), "{again}");
}

#[test]
fn uninstall_removes_a_version_but_not_while_another_vx_installs_it() {
    let project = Project::new();
    project.sync();
    assert_says(
        project.vx().args(["uninstall", "greet@9"]),
        1,
        "greet 9 is not installed",
    );

    // Another sync reinstalls greet 1.0, rebuilt (other bytes: the same bytes from
    // another URL would be the same install), from a slow server: it holds the tool's
    // install lock while it downloads.
    let archive = greet_archive();
    let rebuilt = tar_gz(&[
        Item::File("greet/bin/greet", GREET.as_bytes().to_vec(), 0o755),
        Item::File("greet/README", b"rebuilt\n".to_vec(), 0o644),
    ]);
    let slow = common::slow_server("/greet-new.tar.gz", rebuilt.clone());
    let manifest = std::fs::read_to_string(project.work.manifest()).unwrap();
    let manifest = manifest
        .replace(
            &project.server.url("/greet-{version}.tar.gz"),
            &slow.url("/greet-new.tar.gz"),
        )
        .replace(&sha256_hex(&archive), &sha256_hex(&rebuilt));
    project.work.write_manifest(&manifest);
    let mut sync = project
        .command()
        .args(["sync", "--headless"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let board = project.work.wait_board();
    wait_for("greet to download", || {
        slots(&board)
            .iter()
            .any(|s| s.record.tool() == "greet" && s.record.phase() == Some(Phase::Downloading))
            .then_some(())
    });
    project
        .vx()
        .args(["uninstall", "greet@1.0"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "another vx is installing greet 1.0",
        ));
    assert!(wait_exit(&mut sync).success());

    let out = text(&project.run(&["uninstall", "greet@1.0"], 0).stdout);
    assert!(out.starts_with("removed greet 1.0 ("), "{out}");
    assert!(!project.store().join("greet").exists());
    project.vx().args(["which", "greet"]).assert().code(1);
}

#[test]
fn a_fully_installed_project_syncs_in_one_line_without_a_board() {
    let project = Project::new();
    project.sync();
    let out = text(&project.run(&["sync", "--headless"], 0).stdout);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("vx: 2 tools up to date in "), "{out}");
    assert!(project.work.board_files().is_empty());
    let json = project.run(&["sync", "--json"], 0);
    let events = json_lines(&json.stdout);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "summary");
    assert_eq!(events[0]["tools"][0]["result"], "cached");
}

#[test]
fn completion_scripts_load_in_bash() {
    let project = Project::new();
    let vx = assert_cmd::cargo::cargo_bin("vx");
    let out = project
        .bash(&format!(
            "source <('{}' completions bash) && complete -p vx",
            vx.display()
        ))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("vx"), "{}", text(&out.stdout));
    // Each script asks this vx for completions (tests/it/terminal.rs runs them).
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let script = text(&project.run(&["completions", shell], 0).stdout);
        assert!(script.contains("VX_COMPLETE"), "{shell}: {script}");
        assert!(
            script.contains(&vx.display().to_string()),
            "{shell}: {script}"
        );
    }
}

/// The recorded activation (what `vx exec`, `vx CMD` and `vx which` reuse instead of
/// reading the manifest, the lock and every receipt) never answers for a project that
/// changed since: each step below runs right after a call that recorded it.
#[test]
fn a_recorded_toolchain_follows_edits_installs_and_removals() {
    let project = Project::new();
    project.sync();
    let greet =
        |version: &str| format!("{}\n", project.bin("greet", version, "bin/greet").display());
    assert_eq!(
        text(&project.run(&["which", "greet"], 0).stdout),
        greet("1.0")
    );
    let cache = project.store().join(".cache/activation");
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 1, "recorded");
    // Twice more from the record, as a user runs it: the same answers.
    assert_eq!(
        text(&project.run(&["which", "greet"], 0).stdout),
        greet("1.0")
    );
    let out = project.run(&["exec", "--", "greet", "x"], 7);
    assert!(text(&out.stdout).contains("args:x"));

    // An edit of vx.toml: the next exec installs and runs the new version.
    let manifest = project.work.dir.path().join("vx.toml");
    let edited = std::fs::read_to_string(&manifest).unwrap().replacen(
        "version = \"1.0\"",
        "version = \"0.9\"",
        1,
    );
    std::fs::write(&manifest, edited).unwrap();
    let out = project.run(&["exec", "--", "greet"], 7);
    let path_line = format!("path:{}", project.bin("greet", "0.9", "bin").display());
    assert!(
        text(&out.stdout).contains(&path_line),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        text(&project.run(&["which", "greet"], 0).stdout),
        greet("0.9")
    );

    // An executable added to a tool's directory is found.
    let extra = project.bin("greet", "0.9", "bin/greet-extra");
    std::fs::write(&extra, "#!/bin/sh\necho extra\n").unwrap();
    std::fs::set_permissions(&extra, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    assert_eq!(
        text(&project.run(&["which", "greet-extra"], 0).stdout),
        format!("{}\n", extra.display())
    );

    // An uninstalled tool is not run from the record: offline, it is missing.
    project.run(&["uninstall", "greet@0.9"], 0);
    assert_says(
        project.vx().args(["exec", "--offline", "--", "greet"]),
        1,
        "not installed: greet 0.9",
    );
    let env = project.run(&["env", "--shell", "bash"], 1);
    assert!(text(&env.stderr).contains("greet 0.9 is not installed"));

    // A damaged record is ignored and written again.
    project.sync();
    for entry in std::fs::read_dir(&cache).unwrap() {
        std::fs::write(entry.unwrap().path(), b"{not json").unwrap();
    }
    assert_eq!(
        text(&project.run(&["which", "greet"], 0).stdout),
        greet("0.9")
    );
    let out = project.run(&["greet", "y"], 7);
    assert!(text(&out.stdout).contains("args:y"));
}

#[test]
fn vx_cmd_in_a_project_whose_manifest_or_lock_is_broken_says_what_is_wrong() {
    let project = Project::new();
    project.sync();
    let manifest = project.work.manifest();
    let good = std::fs::read_to_string(&manifest).unwrap();

    // A typo in vx.toml: its own error at file:line:col, as `vx exec -- greet` gives.
    std::fs::write(&manifest, good.replacen("version = ", "verson = ", 1)).unwrap();
    for args in [&["greet"][..], &["exec", "--", "greet"]] {
        let out = project.run(args, 2);
        let stderr = text(&out.stderr);
        assert!(stderr.contains("vx.toml:2:1:"), "{args:?}: {stderr}");
        assert!(
            stderr.contains("did you mean `version`?"),
            "{args:?}: {stderr}"
        );
        assert!(
            !stderr.contains("unrecognized subcommand"),
            "{args:?}: {stderr}"
        );
    }
    std::fs::write(&manifest, &good).unwrap();

    // A corrupt vx.lock: its own error too.
    let lock = project.work.dir.path().join("vx.lock");
    let locked = std::fs::read_to_string(&lock).unwrap();
    std::fs::write(&lock, format!("{locked}\n[broken\n")).unwrap();
    let out = project.run(&["greet"], 2);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("vx.lock:"), "{stderr}");
    assert!(!stderr.contains("unrecognized subcommand"), "{stderr}");

    // Fine again: the tool runs.
    std::fs::write(&lock, &locked).unwrap();
    project.run(&["greet"], 7);
}

#[test]
fn a_tool_removed_from_the_project_is_not_taken_for_a_misspelt_subcommand() {
    let work = Work::new();
    let ninja = tar_gz(&[Item::File(
        "ninja",
        b"#!/bin/sh\necho ninja\n".to_vec(),
        0o755,
    )]);
    let server = TestServer::start([
        ("/ninja.tar.gz", Route::Ok(ninja.clone())),
        ("/other.tar.gz", Route::Ok(other_archive())),
    ]);
    // `other` stays: a manifest lists at least one tool.
    work.write_manifest(&format!(
        "[tools.ninja]\nversion = \"1.12.1\"\nurl = \"{}\"\nsha256 = \"{}\"\n\n\
         [tools.other]\nversion = \"2.0\"\nurl = \"{}\"\nsha256 = \"{}\"\n",
        server.url("/ninja.tar.gz"),
        sha256_hex(&ninja),
        server.url("/other.tar.gz"),
        sha256_hex(&other_archive()),
    ));
    let vx = || {
        let mut cmd = work.vx();
        cmd.env("XDG_DATA_HOME", work.dir.path().join("xdg"));
        cmd
    };
    vx().arg("ninja").assert().code(0).stdout("ninja\n");
    vx().args(["remove", "ninja"]).assert().code(0);

    let out = vx().arg("ninja").assert().code(2).get_output().clone();
    let stderr = text(&out.stderr);
    // `uninstall` only looks alike by edit distance: no tip for a tool's name.
    assert!(!stderr.contains("uninstall"), "{stderr}");
    assert!(stderr.contains("no tool or subcommand `ninja`"), "{stderr}");
    // What the store holds is said, and how to run it.
    assert!(stderr.contains("ninja 1.12.1"), "{stderr}");
    assert!(stderr.contains("vx exec ninja@1.12.1 -- ninja"), "{stderr}");
}

/// `vx x T@V`, `vx T@V` and `vx x T` at the very version the project pins install
/// what the project pins, checked against its sha256 (vx.toml's, else vx.lock's): a
/// server that serves other bytes is refused, as `vx sync` refuses it; they were run
/// unverified.
#[test]
fn naming_the_pinned_version_on_the_command_line_keeps_its_checksum() {
    let project = Project::new();
    let manifest = project.work.manifest();
    let genuine = sha256_hex(&greet_archive());
    let other = "ab".repeat(32);
    let written = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, written.replace(&genuine, &other)).unwrap();
    let refused = |args: &[&str]| {
        let out = project.vx().args(args).write_stdin("").output().unwrap();
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(!out.status.success(), "{args:?}: {stdout}{stderr}");
        assert!(!stdout.contains("args:"), "{args:?} ran it: {stdout}");
        assert!(stderr.contains("checksum mismatch"), "{args:?}: {stderr}");
        assert!(!project.bin("greet", "1.0", "bin").exists(), "{args:?}");
    };
    refused(&["x", "greet@1.0", "--", "greet"]);
    refused(&["greet@1.0"]);
    refused(&["x", "greet", "--", "greet"]);

    // Pinned by the lock alone (vx.toml gives no sha256): the lock's is checked.
    let written = std::fs::read_to_string(&manifest).unwrap();
    let unpinned = written.replace(&format!("sha256 = \"{other}\"\n"), "");
    std::fs::write(&manifest, unpinned).unwrap();
    project.run(&["lock"], 0);
    let lock_path = project.work.dir.path().join("vx.lock");
    let lock = std::fs::read_to_string(&lock_path).unwrap();
    assert!(lock.contains(&genuine), "{lock}");
    std::fs::write(&lock_path, lock.replace(&genuine, &other)).unwrap();
    refused(&["x", "greet@1.0", "--", "greet"]);
    refused(&["greet@1.0"]);
}

/// `vx which` finds what `vx exec` runs from the project's `[settings] path` too (it
/// said no tool provided it and it was not on PATH).
#[test]
fn which_finds_a_command_of_the_projects_settings_path() {
    let project = Project::new();
    let bin = project.work.dir.path().join("scripts");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(bin.join("deploy"), "#!/bin/sh\necho ran\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("deploy"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let manifest = project.work.manifest();
    let written = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        format!("[settings]\npath = [\"scripts\"]\n\n{written}"),
    )
    .unwrap();
    project.sync();
    let out = project.run(&["exec", "--", "deploy"], 0);
    assert_eq!(text(&out.stdout), "ran\n");
    let out = project.run(&["which", "deploy"], 0);
    assert_eq!(
        text(&out.stdout),
        format!("{}\n", bin.join("deploy").display())
    );
}

/// A listed executable the archive left without its execute bit is made executable
/// when installed: `vx CMD` ran another program of that name on PATH (or none) while
/// the sync said it installed the tool.
#[test]
fn a_listed_executable_without_its_execute_bit_runs() {
    let body = tar_gz(&[Item::File(
        "bin/true",
        b"#!/bin/sh\necho the project true\n".to_vec(),
        0o644,
    )]);
    let server = TestServer::start([("/t.tar.gz", Route::Ok(body.clone()))]);
    let work = Work::new();
    work.write_manifest(&format!(
        "[tools.t]\nversion = \"1\"\nurl = \"{}\"\nsha256 = \"{}\"\nbin = [\"bin/true\"]\n",
        server.url("/t.tar.gz"),
        sha256_hex(&body)
    ));
    let xdg = work.dir.path().join("xdg");
    work.vx()
        .env("XDG_DATA_HOME", &xdg)
        .args(["sync", "--headless"])
        .assert()
        .success();
    let out = work
        .vx()
        .env("XDG_DATA_HOME", &xdg)
        .arg("true")
        .output()
        .unwrap();
    assert_eq!(
        text(&out.stdout),
        "the project true\n",
        "{}",
        text(&out.stderr)
    );
}
