//! `vx run` on Windows, end to end with the real `vx.exe` and real `cmd` processes (run
//! under Wine in CI: `.ci/windows`): a task graph runs in dependency order and a failure
//! cancels its dependents with the reason; a failing task stops a running service whose
//! command started a grandchild, and the grandchild dies with it (the task's Job
//! Object); a `vx run` killed outright (TerminateProcess: no handler of vx's runs) takes
//! its tasks' whole process trees with it.
//!
//! The grandchild is this test executable re-run as the ignored `windows::sleeper` test
//! (tests/it/windows.rs): it writes its pid where `VX_TEST_SLEEPER_PID` says and waits
//! until killed.
#![cfg(windows)]

use crate::common;

use std::process::Stdio;

use common::{DEADLINE, Work, wait_exit, wait_for};

// The sleeper's pid file, the process checks and the child killed on drop are
// tests/it/windows.rs's.
use crate::windows::{Killed, SLEEPER_PID, gone, sleeper_pid};

/// The `cmd` command line that starts the sleeper, as a TOML basic string's content.
fn sleeper_command() -> String {
    let exe = std::env::current_exe().unwrap();
    format!(
        "\\\"{}\\\" windows::sleeper --exact --ignored --test-threads=1",
        exe.display().to_string().replace('\\', "\\\\")
    )
}

#[test]
fn a_graph_runs_in_order_and_a_failure_cancels_its_dependents_with_the_reason() {
    let work = Work::with_tasks(
        r#"[tasks]
a = "echo a>>order"
b = { run = "echo b>>order", depends = ["a"] }
ci = { depends = ["b"] }
bad = "exit /b 3"
after = { run = "echo after>>order", depends = ["bad"] }
"#,
    );
    let (code, _, stderr) = work.outcome(&["run", "--output", "grouped", "ci"]);
    assert_eq!(code, 0, "{stderr}");
    let order = std::fs::read_to_string(work.dir.path().join("order")).unwrap();
    assert_eq!(
        order.lines().map(str::trim).collect::<Vec<_>>(),
        ["a", "b"],
        "{order:?}"
    );

    let (code, _, stderr) = work.outcome(&["run", "--output", "grouped", "after"]);
    assert_eq!(code, 3, "the failed task's status is the run's: {stderr}");
    assert!(stderr.contains("task `bad` failed"), "{stderr}");
    assert!(
        stderr.contains("cancelled `after` (not started)"),
        "{stderr}"
    );
    let order = std::fs::read_to_string(work.dir.path().join("order")).unwrap();
    assert!(!order.contains("after"), "{order:?}");
}

#[test]
fn a_failure_stops_a_running_service_and_the_grandchild_its_command_started() {
    let work = Work::with_tasks(&format!(
        r#"[tasks]
slow = {{ run = "{}", service = true, ready = {{ command = "if exist sleeper.pid (exit /b 0) else (exit /b 1)" }} }}
bad = {{ run = "exit /b 3", depends = ["slow"] }}
"#,
        sleeper_command()
    ));
    let pid_file = work.dir.path().join("sleeper.pid");
    let out = work
        .vx()
        .env("XDG_DATA_HOME", work.dir.path().join("xdg"))
        .env(SLEEPER_PID, &pid_file)
        .timeout(DEADLINE)
        .args(["run", "--output", "grouped", "bad"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("task `bad` failed"), "{stderr}");
    assert!(
        stderr.contains("`slow`"),
        "the stopped service is named: {stderr}"
    );
    // `bad` ran only once the service was ready, so the sleeper had started; vx has
    // exited, and the service's Job Object took the sleeper with its `cmd`.
    let sleeper = sleeper_pid(&pid_file);
    wait_for("the sleeper to be killed", || gone(sleeper).then_some(()));
    assert!(work.board_files().is_empty(), "{:?}", work.board_files());
}

#[test]
fn a_run_killed_outright_takes_its_tasks_and_their_children_with_it() {
    let work = Work::with_tasks(&format!(
        "[tasks]\nslow = \"{}\"\nquick = \"echo quick\"\nall = {{ depends = [\"slow\", \"quick\"] }}\n",
        sleeper_command()
    ));
    let pid_file = work.dir.path().join("sleeper.pid");
    let mut run = work
        .vx_process(&["run", "--output", "prefix", "all"])
        .env(SLEEPER_PID, &pid_file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(Killed)
        .unwrap();
    let sleeper = sleeper_pid(&pid_file);
    assert!(!gone(sleeper));

    // TerminateProcess: vx cleans nothing up itself. The task's Job Object closes with
    // vx's handle to it and ends the tree: `cmd` and the sleeper it started.
    run.0.kill().unwrap();
    wait_exit(&mut run.0);
    wait_for("the sleeper to be killed", || gone(sleeper).then_some(()));
}

/// A task's `run_windows` is what runs on Windows, through `cmd`, instead of `run`.
#[test]
fn run_windows_runs_instead_of_run() {
    let work = Work::with_tasks(
        "[tasks.t]\nrun = \"echo unix>>which\"\nrun_windows = \"echo windows>>which\"\n",
    );
    let (code, _, stderr) = work.outcome(&["run", "t"]);
    assert_eq!(code, 0, "{stderr}");
    let which = std::fs::read_to_string(work.dir.path().join("which")).unwrap();
    assert_eq!(which.trim(), "windows", "{which:?}");
}
