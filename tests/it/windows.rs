//! Windows end to end, with the real `vx.exe` (run under Wine in CI: `.ci/windows`):
//! a tool's `.cmd` script found through `PATHEXT` and run by `vx exec`, whose exit code
//! passes through; and the process tree of a `vx install` child, a Job Object, ending
//! with the tool: a cancelled tool, a parent killed outright and a Ctrl-Break leave no
//! process of the tree running, down to a grandchild its `post_install` started. (The
//! Ctrl-Break test needs a real Windows console: Wine 8 gives a test none that carries
//! the event, so it is ignored there.)
//!
//! `vx daemon` serves over a named pipe: start, a second start, `ping`, the toolchain
//! and `vx which` through it, an over-long line refused, status and stop.
//!
//! The grandchild is this test executable itself, re-run as the ignored [`sleeper`]
//! test: it writes its pid where `VX_TEST_SLEEPER_PID` says and waits until killed.
#![cfg(windows)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::*;
use vx_fixture::{Item, tar_gz};
use vx_shm::{Access, BoardReader, Phase, ProcessId};

/// Where the sleeper writes its pid (the variable travels through `vx sync`, the child
/// and `cmd` as part of the environment).
pub(crate) const SLEEPER_PID: &str = "VX_TEST_SLEEPER_PID";

#[test]
#[ignore = "not a test: the post-install grandchild the tests below start"]
fn sleeper() {
    let Some(pid_file) = std::env::var_os(SLEEPER_PID) else {
        return;
    };
    let pid_file = PathBuf::from(pid_file);
    let staging = pid_file.with_extension("tmp");
    std::fs::write(&staging, std::process::id().to_string()).unwrap();
    std::fs::rename(&staging, &pid_file).unwrap();
    // Runs until something kills it: that is what the tests check.
    loop {
        std::thread::park();
    }
}

/// A tool archive: `pkg/bin/hello.cmd` (prints its argument, exits with code 7 when
/// asked) and a README.
fn hello_archive() -> Vec<u8> {
    let script = b"@echo off\r\necho hello %1\r\nif \"%1\"==\"fail\" exit /b 7\r\n".to_vec();
    tar_gz(&[
        Item::Dir("pkg/"),
        Item::File("pkg/bin/hello.cmd", script, 0o755),
        Item::File("pkg/README", b"a tool\r\n".to_vec(), 0o644),
    ])
}

/// `vx which hello` succeeded and printed the path of `hello.cmd`.
fn assert_found_hello(which: &std::process::Output) {
    assert_eq!(which.status.code(), Some(0), "{which:?}");
    assert!(
        String::from_utf8_lossy(&which.stdout)
            .trim()
            .ends_with("hello.cmd"),
        "{which:?}"
    );
}

/// A child killed when dropped, so a failing test leaves no process running (the
/// sync's Job Object then ends its tree).
pub(crate) struct Killed(pub(crate) Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `vx sync` of the workspace in `dir` ([`Work`]'s layout), as a plain child (stdout piped, the sleeper's pid file
/// in its environment).
fn spawn_sync(dir: &Path, pid_file: &Path, flags: u32) -> Killed {
    use std::os::windows::process::CommandExt;
    Command::new(assert_cmd::cargo::cargo_bin("vx"))
        .arg("sync")
        .arg("--manifest")
        .arg(dir.join("vx.toml"))
        .arg("--store")
        .arg(dir.join("store"))
        .arg("--headless")
        .env("VX_BOARD_DIR", dir.join("boards"))
        .env(SLEEPER_PID, pid_file)
        .creation_flags(flags)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map(Killed)
        .unwrap()
}

/// A manifest of one tool whose `post_install` runs the sleeper (so `cmd` waits on it).
fn sleeping_post_install(work: &Work) -> vx_fixture::TestServer {
    let server = work.serve_one("post", hello_archive());
    let exe = std::env::current_exe().unwrap();
    work.set_post_install(
        "post",
        &format!(
            "'\"{}\" windows::sleeper --exact --ignored --test-threads=1'",
            exe.display()
        ),
    );
    server
}

/// The sleeper's pid, once the post-install command has started it.
/// A sync of [`sleeping_post_install`]'s tool, held in its post-install command: the
/// server, the sync, the installer child's pid and the sleeper's.
fn in_post_install(work: &Work) -> (vx_fixture::TestServer, Killed, u32, u32) {
    let server = sleeping_post_install(work);
    let pid_file = work.dir.path().join("sleeper.pid");
    let sync = spawn_sync(work.dir.path(), &pid_file, 0);
    let installer = installer_pid(work.dir.path(), "post");
    (server, sync, installer, sleeper_pid(&pid_file))
}

pub(crate) fn sleeper_pid(pid_file: &Path) -> u32 {
    wait_for("the post-install command to start the sleeper", || {
        std::fs::read_to_string(pid_file).ok()?.trim().parse().ok()
    })
}

pub(crate) fn gone(pid: u32) -> bool {
    !ProcessId {
        pid,
        start_ticks: 0,
    }
    .is_alive()
}

/// The pid of the `vx install` child writing slot `tool` of the sync of the workspace
/// in `dir`, once it is in post-install.
fn installer_pid(dir: &Path, tool: &str) -> u32 {
    let board = wait_for("a board to appear", || {
        let listing = vx_shm::registry::list(&dir.join("boards"))
            .ok()?
            .into_iter()
            .next()?;
        BoardReader::open(&listing.path, Access::ReadOnly).ok()
    });
    wait_for("the tool to reach post-install", || {
        slots(&board)
            .into_iter()
            .find(|s| s.record.tool() == tool && s.record.phase() == Some(Phase::PostInstall))
            .and_then(|s| s.record.writer())
            .map(|w| w.pid)
    })
}

#[test]
fn a_cmd_script_is_found_through_pathext_and_vx_exec_passes_its_exit_code_on() {
    let work = Work::new();
    let _server = work.serve_one("hello", hello_archive());
    work.sync(&["--headless"]).assert().code(0);
    // The install's work directory went (Windows removes no directory holding an
    // open file: its lock is closed first).
    assert!(work.store_tmp().is_empty(), "{:?}", work.store_tmp());
    let receipt = crate::common::tree_in(work.store(), "hello", "1").join(".vx-receipt.json");
    let receipt: serde_json::Value =
        serde_json::from_slice(&std::fs::read(receipt).unwrap()).unwrap();
    assert_eq!(receipt["bin"], serde_json::json!(["bin/hello.cmd"]));

    let exec = |arg: &str| {
        work.vx()
            .args(["exec", "--manifest"])
            .arg(work.manifest())
            .arg("--store")
            .arg(work.store())
            .args(["--", "hello", arg])
            .output()
            .unwrap()
    };
    let ok = exec("world");
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    assert_eq!(String::from_utf8_lossy(&ok.stdout).trim(), "hello world");
    let failed = exec("fail");
    assert_eq!(failed.status.code(), Some(7), "{failed:?}");
    // Windows ignores case in file names, and so do the commands: from the activation
    // record (made by the calls above), through `vx CMD`, and `vx which`.
    let shouted = work
        .vx()
        .args(["exec", "--manifest"])
        .arg(work.manifest())
        .arg("--store")
        .arg(work.store())
        .args(["--", "HELLO", "loud"])
        .output()
        .unwrap();
    assert_eq!(shouted.status.code(), Some(0), "{shouted:?}");
    assert_eq!(
        String::from_utf8_lossy(&shouted.stdout).trim(),
        "hello loud"
    );
    // `vx CMD` with the default store (under LOCALAPPDATA): the first call installs
    // the tool that provides `Hello`, the second finds it in the record.
    for (command, word) in [("Hello", "direct"), ("HELLO", "again")] {
        let direct = work
            .vx()
            .env("LOCALAPPDATA", work.dir.path().join("appdata"))
            .args([command, word])
            .output()
            .unwrap();
        assert_eq!(direct.status.code(), Some(0), "{direct:?}");
        let said = String::from_utf8_lossy(&direct.stdout);
        assert_eq!(said.trim(), format!("hello {word}"));
    }
    let which = work
        .vx()
        .args(["which", "hello", "--manifest"])
        .arg(work.manifest())
        .arg("--store")
        .arg(work.store())
        .output()
        .unwrap();
    assert_found_hello(&which);
}

#[test]
fn cancelling_a_tool_during_post_install_leaves_no_process_behind() {
    let work = Work::new();
    let (_server, mut sync, installer, sleeper) = in_post_install(&work);

    work.cancel_tool("post");

    let status = wait_exit(&mut sync.0);
    assert_eq!(status.code(), Some(1), "the cancelled tool fails the sync");
    // The child killed its `cmd`; the parent's Job Object took the sleeper.
    wait_for("the sleeper to be killed", || gone(sleeper).then_some(()));
    assert!(gone(installer));
    assert!(!work.store().join("post").exists());
    assert!(work.board_files().is_empty(), "{:?}", work.board_files());
}

#[test]
fn a_parent_killed_outright_takes_its_children_and_their_commands_with_it() {
    let work = Work::new();
    let (_server, mut sync, installer, sleeper) = in_post_install(&work);

    // TerminateProcess: no handler runs, nothing is cleaned up by the parent. Its job
    // handle closes with it, and the job kills what it holds.
    sync.0.kill().unwrap();
    sync.0.wait().unwrap();
    wait_for("the installer and the sleeper to be killed", || {
        (gone(installer) && gone(sleeper)).then_some(())
    });
}

/// What the [`breaker`] helper is told: the workspace directory.
const BREAKER_WORK: &str = "VX_TEST_BREAKER_WORK";

#[test]
#[ignore = "not a test: the helper the Ctrl-Break test starts in a console of its own"]
fn breaker() {
    /// A console process group of its own, so the Ctrl-Break reaches vx alone.
    const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;
    let Some(dir) = std::env::var_os(BREAKER_WORK) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let report = |text: String| {
        let path = dir.join("breaker.report");
        std::fs::write(path.with_extension("tmp"), text).unwrap();
        std::fs::rename(path.with_extension("tmp"), path).unwrap();
    };
    // The console the event travels through, which the sync shares (Wine gives one to
    // a program run on a terminal); this process ignores the event.
    vx_shm::win::console::ensure_console().unwrap();
    vx_shm::win::console::add_handler(|_| true).unwrap();
    let pid_file = dir.join("sleeper.pid");
    let mut sync = spawn_sync(&dir, &pid_file, CREATE_NEW_PROCESS_GROUP);
    let installer = installer_pid(&dir, "post");
    let sleeper = sleeper_pid(&pid_file);
    if let Err(err) = vx_shm::win::console::send_break(sync.0.id()) {
        report(format!("send_break: {err}"));
        return;
    }
    let status = wait_exit(&mut sync.0);
    let stderr = std::io::read_to_string(sync.0.stderr.take().unwrap()).unwrap();
    report(format!(
        "{}\n{installer}\n{sleeper}\n{stderr}",
        status.code().unwrap_or(-1)
    ));
}

#[test]
#[ignore = "Wine 8 gives a test no console to send Ctrl-Break through (GenerateConsoleCtrlEvent: invalid handle, even on a terminal); run with --ignored on Windows"]
fn ctrl_break_interrupts_a_sync_which_exits_130_and_leaves_no_process_behind() {
    let work = Work::new();
    let _server = sleeping_post_install(&work);
    let helper = Command::new(std::env::current_exe().unwrap())
        .args(["breaker", "--exact", "--ignored", "--test-threads=1"])
        .env(BREAKER_WORK, work.dir.path())
        .env(SLEEPER_PID, work.dir.path().join("sleeper.pid"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(Killed)
        .unwrap();
    let report = wait_for("the breaker's report", || {
        std::fs::read_to_string(work.dir.path().join("breaker.report")).ok()
    });
    drop(helper);
    let mut lines = report.lines();
    let code = lines.next().unwrap_or_default();
    assert_eq!(code, "130", "{report}");
    let mut pid = || lines.next().and_then(|l| l.parse::<u32>().ok()).unwrap();
    let (installer, sleeper) = (pid(), pid());
    wait_for("the installer and the sleeper to be killed", || {
        (gone(installer) && gone(sleeper)).then_some(())
    });
    assert!(!work.store().join("post").exists());
    assert!(work.board_files().is_empty(), "{:?}", work.board_files());
}

/// Stops the daemon of `socket` when dropped, so a failing test leaves none running.
struct DaemonGuard<'a> {
    work: &'a Work,
    socket: PathBuf,
}

impl DaemonGuard<'_> {
    fn vx(&self, args: &[&str]) -> std::process::Output {
        self.work
            .vx()
            .env("VX_DAEMON_SOCKET", &self.socket)
            .args(args)
            .output()
            .unwrap()
    }
}

impl Drop for DaemonGuard<'_> {
    fn drop(&mut self) {
        let _ = self.vx(&["daemon", "stop"]);
    }
}

#[test]
fn the_daemon_serves_over_a_named_pipe_and_stops_cleanly() {
    use std::io::{BufRead, Read, Write};
    use vx_base::platform::ipc::Conn;
    use vx_daemon::{Client, LockState, Paths};

    let work = Work::new();
    let _server = work.serve_one("hello", hello_archive());
    work.sync(&["--headless"]).assert().code(0);
    let daemon = DaemonGuard {
        work: &work,
        socket: work.dir.path().join("d").join("daemon.sock"),
    };
    let store = work.store();
    let store_arg = store.to_str().unwrap();
    let started = daemon.vx(&["daemon", "start", "--store", store_arg]);
    assert_eq!(started.status.code(), Some(0), "{started:?}");
    let said = String::from_utf8_lossy(&started.stdout);
    assert!(said.contains(r"\\.\pipe\vx-daemon-"), "{said}");
    let again = daemon.vx(&["daemon", "start", "--store", store_arg]);
    assert_eq!(again.status.code(), Some(0), "{again:?}");
    assert!(String::from_utf8_lossy(&again.stdout).contains("already running"));

    let mut client = Client::connect(&daemon.socket).unwrap();
    client.ping().unwrap();
    let project = work.dir.path().to_str().unwrap();
    let toolchain = client.toolchain(project, store_arg).unwrap();
    assert!(toolchain.missing.is_empty(), "{toolchain:?}");
    assert_eq!(
        toolchain.bin_dirs,
        [crate::common::tree_in(&store, "hello", "1")
            .join("bin")
            .to_str()
            .unwrap()]
    );
    let which = daemon.vx(&["which", "hello", "--store", store_arg]);
    assert_found_hello(&which);

    // A line over the limit is answered with an error, which arrives whole although
    // the daemon closes the connection right after it.
    let conn = Conn::connect(&daemon.socket).unwrap();
    (&conn).write_all(&vec![b'x'; 70 * 1024]).unwrap();
    let mut answer = String::new();
    std::io::BufReader::new(&conn)
        .read_line(&mut answer)
        .unwrap();
    assert!(answer.contains("longer than"), "{answer}");
    assert_eq!((&conn).read(&mut [0u8; 16]).unwrap(), 0, "then the end");

    let status = daemon.vx(&["daemon", "status", "--json"]);
    assert_eq!(status.status.code(), Some(0), "{status:?}");
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["running"], true);
    assert_eq!(status["answering"], true);

    let stopped = daemon.vx(&["daemon", "stop"]);
    assert_eq!(stopped.status.code(), Some(0), "{stopped:?}");
    assert_eq!(
        Paths::at(daemon.socket.clone()).lock_state(),
        LockState::Free
    );
    assert!(Client::connect(&daemon.socket).is_err(), "nobody listens");
    let status = daemon.vx(&["daemon", "status"]);
    assert_eq!(status.status.code(), Some(1), "{status:?}");
}
