//! Nothing of a `vx run` outlives it: Ctrl-C (SIGINT), a closed terminal (SIGHUP) and
//! `vx` itself being SIGKILLed each leave no process of the run alive, including a
//! grandchild that detached into a session of its own (`setsid`). Every process the
//! run starts carries a marker variable; after the signal the test scans `/proc` for
//! processes with it in their environment.

#![cfg(target_os = "linux")]

use crate::common;

use std::process::{Child, Stdio};

use common::{Work, wait_for};

/// A run whose tasks start a child in their group and a grandchild that leaves it
/// (`setsid`), both sleeping for minutes, then say they are up.
fn start(work: &Work, marker: &str) -> Child {
    work.write_manifest(
        r#"[tools]

[tasks]
one = { run = "sleep 300 & setsid sh -c 'sleep 300' & touch one.up; wait" }
two = { run = "setsid sh -c 'sleep 300 & wait' & touch two.up; while :; do sleep 1; done" }
dev = { depends = ["one", "two"] }
"#,
    );
    let child = work
        .vx_process(&["run", "dev"])
        .env("VX_TEST_CLEANUP_MARK", marker)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for("the tasks to be up", || {
        (work.dir.path().join("one.up").exists() && work.dir.path().join("two.up").exists())
            .then_some(())
    });
    child
}

/// The live processes (zombies aside) whose environment holds `VX_TEST_CLEANUP_MARK=marker`.
fn marked(marker: &str) -> Vec<String> {
    let needle = format!("VX_TEST_CLEANUP_MARK={marker}");
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else {
            continue;
        };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let zombie = stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'));
        if !zombie && environ.split(|&b| b == 0).any(|v| v == needle.as_bytes()) {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            out.push(format!(
                "{pid} {}",
                String::from_utf8_lossy(&cmdline).replace('\0', " ")
            ));
        }
    }
    out
}

fn check(signal: rustix::process::Signal, tag: &str) -> Option<i32> {
    let work = Work::new();
    let marker = format!("{tag}-{}", std::process::id());
    let mut vx = start(&work, &marker);
    assert!(
        marked(&marker).len() >= 6,
        "the run is up: {:?}",
        marked(&marker)
    );
    let pid = rustix::process::Pid::from_raw(vx.id() as i32).unwrap();
    rustix::process::kill_process(pid, signal).unwrap();
    let status = common::wait_exit(&mut vx);
    // The guards stop their trees within the grace period (3 s) after the signal.
    wait_for("every process of the run to be gone", || {
        marked(&marker).is_empty().then_some(())
    });
    // A vx that could wind down removed its board (a SIGKILLed one cannot: `vx board
    // clean` and the next run remove what it left).
    if signal != rustix::process::Signal::KILL {
        let left: Vec<_> = std::fs::read_dir(work.boards())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert!(left.is_empty(), "the run's board is removed: {left:?}");
    }
    status.code()
}

#[test]
fn ctrl_c_leaves_nothing() {
    assert_eq!(check(rustix::process::Signal::INT, "int"), Some(130));
}

#[test]
fn a_closed_terminal_leaves_nothing() {
    assert_eq!(check(rustix::process::Signal::HUP, "hup"), Some(130));
}

#[test]
fn a_killed_vx_leaves_nothing() {
    // SIGKILL: vx gets no say; each guard's parent-death signal makes it stop its
    // tree, and the detached grandchildren were re-parented to the guards.
    assert_eq!(check(rustix::process::Signal::KILL, "kill"), None);
}
