//! `vx run` end to end with the real binary and the real `sh`: arguments reaching the
//! program exactly (appended and at `{args}`), dependencies in order and each once, a
//! cycle, exit statuses, `[env]` with a script's `env` and `cwd`, `--offline` with a
//! missing tool, the listing, an unknown script, and Ctrl-C typed into a real terminal
//! (tmux) reaching the script. The tool, `argv`, is a raw shell script served over
//! loopback HTTP and installed by the run itself.

// Unix only: the tool is a shell script, and Ctrl-C is a terminal's.
#![cfg(unix)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Work, wait_for};
use vx_fixture::{Route, TestServer, sha256_hex};

/// Prints each argument on a line of its own, in brackets.
const ARGV: &str = "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]\\n' \"$a\"; done\n";

/// A project whose vx.toml lists `argv` (served by `server`) and `scripts`.
struct Project {
    work: Work,
    _server: TestServer,
}

impl Project {
    fn new(scripts: &str) -> Project {
        let server = TestServer::start([("/argv", Route::Ok(ARGV.as_bytes().to_vec()))]);
        let work = Work::new();
        work.write_manifest(&format!(
            "[tools.argv]\nversion = \"1.0\"\nurl = \"{}\"\nsha256 = \"{}\"\nformat = \"raw\"\n\n\
             [env]\nFROM_ENV = \"project {{project}}\"\n\n{scripts}",
            server.url("/argv"),
            sha256_hex(ARGV.as_bytes()),
        ));
        Project {
            work,
            _server: server,
        }
    }

    fn dir(&self) -> &Path {
        self.work.dir.path()
    }

    fn xdg(&self) -> PathBuf {
        self.dir().join("xdg")
    }

    /// `vx ARGS` in the project directory, with its store as the default.
    fn vx(&self) -> assert_cmd::Command {
        let mut cmd = self.work.vx();
        cmd.env("XDG_DATA_HOME", self.xdg())
            .timeout(common::DEADLINE);
        cmd
    }

    /// `vx run ARGS`, asserting its exit code; stdout and stderr.
    fn run(&self, args: &[&str], code: i32) -> (String, String) {
        let out = self.vx().arg("run").args(args).assert().code(code);
        let out = out.get_output();
        (text(&out.stdout), text(&out.stderr))
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const SCRIPTS: &str = r#"[scripts]
args = { run = "argv", description = "prints its arguments" }
placed = "argv first {args} last"
a = { run = "echo a >> order", depends = ["b", "c"] }
b = { run = "echo b >> order", depends = ["c"] }
c = "echo c >> order"
seven = "exit 7"
after-seven = { run = "echo never", depends = ["seven"] }
envs = { run = "printf '%s|%s|%s|%s\\n' \"$FROM_ENV\" \"$CI\" \"$PWD\" \"$0\"", env = { CI = "yes ${VX_TEST_UNSET:-dflt}" }, cwd = "sub" }
"#;

#[test]
fn arguments_reach_the_program_exactly() {
    let project = Project::new(SCRIPTS);
    let tricky = [
        "two words",
        "it's",
        "\"double\"",
        "$HOME",
        "back\\slash",
        "line\nbreak",
        "",
        "-n",
    ];
    // The first run installs argv (not offline), then runs it.
    let mut args = vec!["args"];
    args.extend(tricky);
    let (stdout, stderr) = project.run(&args, 0);
    let expected: String = tricky.iter().map(|a| format!("[{a}]\n")).collect();
    assert_eq!(stdout, expected, "{stderr}");

    let (stdout, _) = project.run(&["placed", "a b", "it's"], 0);
    assert_eq!(stdout, "[first]\n[a b]\n[it's]\n[last]\n");
    let (stdout, _) = project.run(&["placed"], 0);
    assert_eq!(stdout, "[first]\n[last]\n");
}

#[test]
fn dependencies_run_first_each_once_and_failures_stop_the_run() {
    let project = Project::new(SCRIPTS);
    project.run(&["a"], 0);
    let order = std::fs::read_to_string(project.dir().join("order")).unwrap();
    assert_eq!(order, "c\nb\na\n");

    let (_, stderr) = project.run(&["seven"], 7);
    assert_eq!(stderr, "", "the script's status is vx's, nothing said");
    let (stdout, stderr) = project.run(&["after-seven"], 7);
    assert_eq!(stdout, "");
    // Through the runner: the failure and what it cancelled, named.
    assert_eq!(
        stderr,
        "vx: task `seven` failed: exit status 7\n\
         vx: cancelled `after-seven` (not started): `seven` failed\n"
    );
}

#[test]
fn scripts_see_the_toolchain_the_project_env_their_env_and_cwd() {
    // `$0` is `sh` as the task gave it, though the guard starts it by the path it found
    // on the task's `PATH`.
    let project = Project::new(SCRIPTS);
    std::fs::create_dir(project.dir().join("sub")).unwrap();
    let (stdout, stderr) = project.run(&["envs"], 0);
    let dir = project.dir().canonicalize().unwrap();
    assert_eq!(
        stdout,
        format!(
            "project {}|yes dflt|{}|sh\n",
            project.dir().display(),
            dir.join("sub").display()
        ),
        "{stderr}"
    );
    // A missing cwd is said, not a crash; the task fails (exit 1, as mise's does).
    std::fs::remove_dir(project.dir().join("sub")).unwrap();
    let (_, stderr) = project.run(&["envs"], 1);
    assert!(stderr.contains("is not a directory"), "{stderr}");
}

/// A command of a vx.toml task that starts with `#!` gets the words after the task's
/// name as its own arguments (`$1`…), as mise gives a script them; they were pasted
/// into its text, where they ran as a command of it.
#[test]
fn a_shebang_command_gets_the_words_as_its_arguments() {
    let work = Work::with_tasks(
        r#"[tasks.argv]
run = '''
#!/bin/sh
for a in "$@"; do printf "[%s]" "$a"; done
echo
'''
"#,
    );
    let (code, stdout, stderr) = work.run_tasks(&["argv", "two words", "it's", "$HOME"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "[two words][it's][$HOME]\n", "{stderr}");
    let (code, stdout, stderr) = work.run_tasks(&["argv"]);
    assert_eq!((code, stdout.as_str()), (0, "\n"), "{stderr}");
}

/// The words after a vx.toml task of several commands go to its last command, as mise
/// gives them, where every command got them; a task that places them (`{args}`) gets
/// them nowhere else, and a step that runs tasks (`"$VX" run …`) is not the command
/// that gets them.
#[test]
fn the_words_go_to_the_last_command_of_a_task() {
    let work = Work::with_tasks(
        r#"[tasks.two]
run = ["echo first", "echo second"]

[tasks.placed]
run = ["echo placed {args}", "echo plain"]

[tasks.other]
run = "echo other"

[tasks.stepped]
run = ["echo own", '"$VX" run other']
"#,
    );
    let out = |args: &[&str]| {
        let (code, stdout, stderr) = work.run_tasks(args);
        assert_eq!(code, 0, "{stderr}");
        stdout
    };
    assert_eq!(out(&["two", "A", "B"]), "first\nsecond A B\n");
    assert_eq!(out(&["placed", "A"]), "placed A\nplain\n");
    assert_eq!(out(&["stepped", "A"]), "own A\nother\n");
}

/// A `--` after the task's name is dropped, as mise drops it: the words after it are
/// the task's as they are (`--help` and `--explain-key` too, which before it are
/// vx's), given to each task named; a second `--` is one of them. The `--` reached the
/// task.
#[test]
fn the_dashes_after_a_task_are_dropped() {
    let work = Work::with_tasks(
        "[tasks.argv]\nrun = \"printf '[%s]' {args}; echo\"\n\n\
         [tasks.also]\nrun = \"printf 'also[%s]' {args}; echo\"\n",
    );
    let out = |args: &[&str]| {
        let (code, stdout, stderr) = work.run_tasks(args);
        assert_eq!(code, 0, "{stderr}");
        stdout
    };
    assert_eq!(out(&["argv", "--", "-k", "a b"]), "[-k][a b]\n");
    assert_eq!(out(&["argv", "a", "--", "--", "b"]), "[a][--][b]\n");
    assert_eq!(
        out(&["argv", "--", "--help", "--explain-key"]),
        "[--help][--explain-key]\n"
    );
    assert!(out(&["argv", "--help"]).starts_with("Usage: vx run argv"));
    let (code, stdout, stderr) =
        work.run_tasks(&["--output", "prefix", "argv", ":::", "also", "--", "x"]);
    assert_eq!(code, 0, "{stderr}");
    let mut lines: Vec<&str> = stdout.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["[also] also[x]", "[argv] [x]"], "{stderr}");
}

/// A task's `env` sees the project's: `${BASE}` in it is `[env]`'s `BASE` (or an env
/// file's), as mise's task `env` sees `{{env.BASE}}`, and an entry of its own above it;
/// vx's environment only where the project sets nothing. (It read vx's environment
/// only, so `URL = "${BASE}/api"` ran with `URL=/api`.)
#[test]
fn a_tasks_env_sees_the_projects_env_and_its_env_file() {
    let work = Work::with_tasks(
        "[settings]\nenv_file = \".env\"\n\n[env]\nBASE = \"https://${HOST}\"\n\n\
         [tasks.show]\nenv = { URL = \"${BASE}/api\", FULL = \"${URL}?q=${OUTSIDE}\" }\n\
         run = \"echo \\\"$FULL\\\"\"\n",
    );
    std::fs::write(work.dir.path().join(".env"), "HOST=h.example\n").unwrap();
    let (code, stdout, stderr) = work.outcome_with(&["run", "show"], |cmd| {
        cmd.env("BASE", "from-vx").env("OUTSIDE", "1");
    });
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "https://h.example/api?q=1\n", "{stderr}");
}

/// A task's `env` may read where `vx run` started (`${VX_CWD}`, which its commands
/// get): it was expanded against vx's own environment, where it is unset, so the
/// task saw an empty value.
#[test]
fn a_tasks_env_reads_where_the_run_started() {
    let work = Work::with_tasks(
        "[tasks.show]\nenv = { HERE = \"${VX_CWD}/x\" }\ndir = \".\"\nrun = \"echo \\\"$HERE\\\"\"\n",
    );
    let sub = work.dir.path().join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    let (code, stdout, stderr) = work.outcome_with(&["run", "show"], |cmd| {
        cmd.current_dir(&sub).env_remove("VX_CWD");
    });
    assert_eq!(code, 0, "{stderr}");
    let real = sub.canonicalize().unwrap();
    assert_eq!(stdout, format!("{}/x\n", real.display()), "{stderr}");
}

/// A task's `shell` is what its commands start under (`bash -c`: bash's `[[`, which
/// `sh` lacks), and part of its key: another shell runs it again. A `shell` that is
/// no program is a manifest error naming the task and the key.
#[test]
fn a_tasks_shell_runs_its_commands_and_is_in_its_key() {
    let task = |shell: &str| {
        format!(
            "[tasks.b]\nshell = {shell}\nsources = [\"in.txt\"]\noutputs = [\"out.txt\"]\n\
             run = \"[[ -n $BASH_VERSION ]] && echo under-bash | tee out.txt && echo ran >> log\"\n"
        )
    };
    let work = Work::with_tasks(&task("\"bash -c\""));
    let dir = work.dir.path();
    std::fs::write(dir.join("in.txt"), "1\n").unwrap();
    let (code, stdout, stderr) = work.run_tasks(&["b"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("under-bash"), "{stdout}{stderr}");
    let (code, _, stderr) = work.run_tasks(&["b"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("up to date"), "{stderr}");
    work.write_manifest(&format!(
        "[tools]\n\n{}",
        task("[\"bash\", \"-e\", \"-c\"]")
    ));
    let (code, _, stderr) = work.run_tasks(&["b"]);
    assert_eq!(code, 0, "{stderr}");
    let log = std::fs::read_to_string(dir.join("log")).unwrap();
    assert_eq!(log, "ran\nran\n", "another shell runs it again: {stderr}");

    for bad in ["\"bash 'unclosed\"", "\"\"", "[]"] {
        work.write_manifest(&format!("[tools]\n\n{}", task(bad)));
        let (code, _, stderr) = work.run_tasks(&["b"]);
        assert_eq!(code, 2, "{bad}: {stderr}");
        assert!(stderr.contains("tasks.b.shell"), "{bad}: {stderr}");
    }
}

/// `run_windows` runs on Windows instead of `run` (tests/it/windows_tasks.rs runs it
/// there); here `run` runs. One without `run` is a manifest error on every platform,
/// as is a malformed one.
#[test]
fn run_windows_is_windows_own_and_needs_run_beside_it() {
    let work = Work::with_tasks(
        "[tasks.t]\nrun = \"echo unix\"\nrun_windows = [\"echo windows\", \"echo again\"]\n",
    );
    let (code, stdout, stderr) = work.run_tasks(&["t"]);
    assert_eq!((code, stdout.as_str()), (0, "unix\n"), "{stderr}");
    for bad in [
        "[tasks.t]\nrun_windows = \"echo windows\"\n",
        "[tasks.t]\nrun = \"echo unix\"\nrun_windows = []\n",
    ] {
        work.write_manifest(&format!("[tools]\n\n{bad}"));
        let (code, _, stderr) = work.run_tasks(&["t"]);
        assert_eq!(code, 2, "{bad}: {stderr}");
        assert!(stderr.contains("tasks.t.run_windows"), "{bad}: {stderr}");
    }
}

/// A task past its `timeout` is stopped and fails, `timed out after 1s`, as mise
/// fails it (exit 1); its process tree goes with it. A service takes no `timeout`.
#[test]
fn a_task_past_its_timeout_is_stopped_and_fails() {
    let work = Work::with_tasks(
        "[tasks.slow]\ntimeout = \"1s\"\nrun = \"echo $$ > pid; echo start; sleep 60; echo end\"\n\
         [tasks.after]\nrun = \"echo after\"\ndepends = [\"slow\"]\n",
    );
    let (code, stdout, stderr) = work.run_tasks(&["after"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("timed out after 1s"), "{stderr}");
    assert!(
        stdout.contains("start") && !stdout.contains("end"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("after"),
        "its dependent never ran: {stdout}"
    );
    let pid: i32 = std::fs::read_to_string(work.dir.path().join("pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "the task's shell is gone"
    );

    work.write_manifest("[tools]\n\n[tasks.s]\nrun = \"sleep 60\"\nservice = true\ntimeout = 5\n");
    let (code, _, stderr) = work.run_tasks(&["s"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("tasks.s.timeout"), "{stderr}");
}

#[test]
fn offline_fails_naming_the_missing_tool() {
    let project = Project::new(SCRIPTS);
    let (stdout, stderr) = project.run(&["--offline", "args", "x"], 1);
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("argv 1.0") && stderr.contains("--offline"),
        "{stderr}"
    );
    assert!(!crate::common::has_tree(
        project.xdg().join("vx/store"),
        "argv",
        "1.0"
    ));
}

#[test]
fn run_alone_lists_the_scripts_and_unknown_ones_get_a_suggestion() {
    let project = Project::new(SCRIPTS);
    let (stdout, _) = project.run(&[], 0);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "args         prints its arguments");
    assert_eq!(lines[1], "placed       argv first {args} last");
    assert_eq!(lines.len(), 8, "{stdout}");

    let (_, stderr) = project.run(&["arsg"], 2);
    assert!(stderr.contains("no task `arsg`"), "{stderr}");
    assert!(stderr.contains("did you mean `args`?"), "{stderr}");
    // A script is never a subcommand, nor a subcommand a script.
    let (_, stderr) = project.run(&["sync"], 2);
    assert!(stderr.contains("no task `sync`"), "{stderr}");

    let empty = Project::new("");
    let (stdout, stderr) = empty.run(&[], 0);
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("has no tasks; add one under [tasks]"),
        "{stderr}"
    );
}

#[test]
fn a_dependency_cycle_is_a_manifest_error_at_its_line() {
    let project = Project::new(
        "[scripts]\nx = { run = \"true\", depends = [\"y\"] }\ny = { run = \"true\", depends = [\"x\"] }\n",
    );
    let (_, stderr) = project.run(&["x"], 2);
    let manifest = project.work.manifest();
    assert!(
        stderr.contains(&format!("{}:", manifest.display())) && stderr.contains("cycle"),
        "{stderr}"
    );
    let line: usize = stderr
        .split(&format!("{}:", manifest.display()))
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no line in {stderr}"));
    let toml = std::fs::read_to_string(&manifest).unwrap();
    let at = toml.lines().nth(line - 1).unwrap();
    assert!(
        at.starts_with("x = ") || at.starts_with("y = "),
        "line {line}: {at}"
    );
}

/// A tmux session of its own (own socket), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(tag: &str, dir: &Path, command: &str) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            eprintln!("skipped: no tmux");
            return None;
        }
        let tmux = Tmux {
            socket: format!("vx-run-{tag}-{}", std::process::id()),
        };
        let status = tmux
            .command()
            .args([
                "new-session",
                "-d",
                "-s",
                "vx",
                "-x",
                "100",
                "-y",
                "20",
                "-c",
            ])
            .arg(dir)
            .arg(command)
            .status();
        assert!(status.unwrap().success(), "tmux new-session failed");
        Some(tmux)
    }

    fn command(&self) -> Command {
        let mut command = Command::new("tmux");
        command.args(["-L", &self.socket]);
        command
    }

    fn keys(&self, keys: &str) {
        let status = self
            .command()
            .args(["send-keys", "-t", "vx", keys])
            .status();
        assert!(status.unwrap().success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.command().arg("kill-server").status();
    }
}

/// The script `trap`: says it is ready in file `ready`, then waits; Ctrl-C makes it
/// write `interrupted` and exit 3. `then` depends on it.
const TRAP: &str = r#"[scripts]
trap = "trap 'echo interrupted > interrupted; exit 3' INT; echo ready > ready; while :; do sleep 1; done"
then = { run = "echo ran > then", depends = ["trap"] }
"#;

/// Runs `vx run SCRIPT` in a terminal, types Ctrl-C once the trap is set, and returns
/// vx's exit status.
fn ctrl_c(project: &Project, script: &str) -> Option<i32> {
    let vx = assert_cmd::cargo::cargo_bin("vx");
    let command = format!(
        "env XDG_DATA_HOME='{}' VX_BOARD_DIR='{}' VX_DAEMON_SOCKET=none '{}' run {script} 2> stderr; echo $? > status",
        project.xdg().display(),
        project.work.boards().display(),
        vx.display()
    );
    let tmux = Tmux::start(script, project.dir(), &command)?;
    wait_for("the script to be ready", || {
        project.dir().join("ready").exists().then_some(())
    });
    tmux.keys("C-c");
    let status = wait_for("vx to exit", || {
        let status = std::fs::read_to_string(project.dir().join("status")).ok()?;
        status.trim().parse::<i32>().ok()
    });
    Some(status)
}

#[test]
fn ctrl_c_reaches_the_script() {
    let project = Project::new(TRAP);
    project.vx().args(["sync", "--headless"]).assert().success();
    let Some(status) = ctrl_c(&project, "trap") else {
        return;
    };
    let marked = std::fs::read_to_string(project.dir().join("interrupted")).unwrap();
    assert_eq!(marked, "interrupted\n");
    assert_eq!(status, 3, "the script's own status");
}

#[test]
fn ctrl_c_in_a_dependency_reaches_it_and_ends_the_run_with_130() {
    let project = Project::new(TRAP);
    project.vx().args(["sync", "--headless"]).assert().success();
    let Some(status) = ctrl_c(&project, "then") else {
        return;
    };
    let marked = std::fs::read_to_string(project.dir().join("interrupted")).unwrap();
    assert_eq!(marked, "interrupted\n");
    assert_eq!(status, 130);
    assert!(!project.dir().join("then").exists(), "the run stopped");
    // vx passed the Ctrl-C on to the dependency (in a process group of its own, so
    // the terminal's SIGINT reached vx alone), waited for it, then said what stopped.
    let stderr = std::fs::read_to_string(project.dir().join("stderr")).unwrap();
    assert_eq!(
        stderr,
        "vx: stopped `trap` (running); cancelled `then` (not started): interrupted\n"
    );
}

#[test]
fn a_project_of_scripts_alone_runs_and_removing_every_tool_empties_the_lock() {
    let p = Project::new("[scripts]\nhi = \"echo hi {args}\"\n");
    p.vx().arg("sync").arg("--headless").assert().code(0);
    assert!(
        std::fs::read_to_string(p.dir().join("vx.lock"))
            .unwrap()
            .contains("[tools.argv]")
    );

    // vx.toml as `vx init` leaves it, with a script: no tools.
    p.work
        .write_manifest("[tools]\n\n[scripts]\nhi = \"echo hi {args}\"\n");
    let out = p.vx().arg("sync").arg("--headless").assert().code(0);
    assert!(text(&out.get_output().stdout).contains("0 tools up to date"));
    let lock = std::fs::read_to_string(p.dir().join("vx.lock")).unwrap();
    assert!(
        !lock.contains("argv"),
        "the lock follows the manifest: {lock}"
    );
    assert_eq!(p.run(&["hi", "there"], 0).0, "hi there\n");
}

/// `deploy` asks before it runs; `after` depends on it.
const CONFIRM: &str = r#"[scripts]
deploy = { run = "echo deployed > deployed", confirm = "Deploy now?" }
after = { run = "echo after > after", depends = ["deploy"] }
"#;

#[test]
fn a_confirm_question_without_a_terminal_runs_nothing_and_yes_answers_it() {
    let project = Project::new(CONFIRM);
    // No terminal to ask on (stdin is not one): a usage error naming --yes.
    let (_, stderr) = project.run(&["after"], 2);
    assert!(
        stderr.contains(
            "task `deploy` asks \"Deploy now?\" and there is no terminal to answer: pass --yes"
        ),
        "{stderr}"
    );
    assert!(!project.dir().join("deployed").exists());
    assert!(!project.dir().join("after").exists());
    project.run(&["--yes", "after"], 0);
    assert!(project.dir().join("deployed").exists());
    assert!(project.dir().join("after").exists());
}

/// Runs `vx run TASK` in a terminal, answers its question with `answer` once it is
/// asked, and returns vx's exit status and stderr.
fn answered(project: &Project, task: &str, answer: &str) -> Option<(i32, String)> {
    let vx = assert_cmd::cargo::cargo_bin("vx");
    let command = format!(
        "env XDG_DATA_HOME='{}' VX_BOARD_DIR='{}' VX_DAEMON_SOCKET=none '{}' run {task} 2> stderr; echo $? > status",
        project.xdg().display(),
        project.work.boards().display(),
        vx.display()
    );
    let tmux = Tmux::start(&format!("{task}-{answer}"), project.dir(), &command)?;
    wait_for("the question", || {
        let said = std::fs::read_to_string(project.dir().join("stderr")).ok()?;
        said.contains("Deploy now? [y/N] ").then_some(())
    });
    tmux.keys(answer);
    tmux.keys("Enter");
    let status = wait_for("vx to exit", || {
        let status = std::fs::read_to_string(project.dir().join("status")).ok()?;
        status.trim().parse::<i32>().ok()
    });
    let stderr = std::fs::read_to_string(project.dir().join("stderr")).unwrap();
    Some((status, stderr))
}

#[test]
fn a_confirm_question_is_asked_on_the_terminal_and_only_yes_runs() {
    let project = Project::new(CONFIRM);
    project.vx().args(["sync", "--headless"]).assert().success();
    let Some((status, stderr)) = answered(&project, "after", "n") else {
        return;
    };
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stderr.contains("task `deploy` not confirmed: nothing ran"),
        "{stderr}"
    );
    assert!(!project.dir().join("deployed").exists());
    for file in ["status", "stderr"] {
        std::fs::remove_file(project.dir().join(file)).unwrap();
    }
    let Some((status, stderr)) = answered(&project, "after", "y") else {
        return;
    };
    assert_eq!(status, 0, "{stderr}");
    assert!(project.dir().join("deployed").exists());
    assert!(project.dir().join("after").exists());
}
