//! The task guard: a small `vx` process between `vx run` and each task's command, so
//! that nothing a task starts outlives the run, even when `vx` itself is SIGKILLed.
//!
//! `vx run` starts `vx task-guard --parent PID --grace-ms N -- PROGRAM ARGS…` (hidden
//! command) as the leader of a process group of its own (so the terminal's Ctrl-C
//! reaches `vx` alone, which decides). The guard:
//!
//! - asks for SIGTERM when its parent dies (`PR_SET_PDEATHSIG`, set on itself: no
//!   `pre_exec`, no unsafe code) and checks the parent is still the one it was given
//!   (the parent may have died before the request);
//! - makes itself a *child subreaper* (`PR_SET_CHILD_SUBREAPER`): every process the
//!   task starts that loses its parent — a daemonizing grandchild that called `setsid`
//!   or started its own process group — is re-parented to the guard instead of init,
//!   so it stays among the guard's descendants, found by walking `/proc`;
//! - starts the command in a new process group, its stdio the guard's own (the pipes
//!   of `vx run`: output never passes through the guard), and reaps everything;
//! - on SIGINT, SIGTERM or SIGHUP (from `vx run` cancelling, or its parent's death)
//!   passes the signal on to the task's group and every descendant, and after the
//!   grace period SIGKILLs what is left;
//! - when the command exits, stops what it left running the same way (SIGTERM, then
//!   SIGKILL after the grace), and exits with the command's code (128 + N for a
//!   signal).
//!
//! Why a guard per task rather than `vx` as the subreaper: a subreaper that is
//! SIGKILLed hands its orphans to init and nobody is left to kill them; the guard is
//! a separate process that survives `vx`'s death just long enough to clean up. macOS
//! and the other Unixes have neither request: there the guard still ends the task's
//! process group when `vx run` asks or the command exits, and a descendant that left
//! the group is not found. Windows does not use the guard: each task is in a Job
//! Object whose last handle (held by `vx`) kills it on close.

#![cfg(unix)]

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::io::Read;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, WaitOptions};

/// The exit code of a guard that could not start the command.
pub const CANNOT_START: i32 = 127;
/// The longest the guard waits before it looks at its command, its signals and its
/// parent again. A child's exit or a signal wakes it at once (SIGCHLD, SIGINT, SIGTERM
/// and SIGHUP write to its wake pipe): a task that runs 1 ms costs no more than that,
/// where a sleep of this length cost up to 20 ms a task (issue 51's 100-task graph).
/// The tick remains for what sends no signal: a parent that died where there is no
/// parent-death signal, and the end of the grace period.
const TICK: Duration = Duration::from_millis(20);

/// Runs the guard: starts `program` with `args`, supervises it, and returns the exit
/// code the guard exits with.
pub fn run(parent: u32, grace: Duration, program: &OsString, args: &[OsString]) -> i32 {
    // As a subreaper the guard is the parent of every orphan of the task, so with no
    // child left it has no descendant left, and `/proc` need not be read to know it.
    #[cfg(target_os = "linux")]
    let subreaper = {
        let _ = rustix::process::set_parent_process_death_signal(Some(Signal::TERM));
        rustix::process::set_child_subreaper(Some(rustix::process::getpid())).is_ok()
    };
    #[cfg(not(target_os = "linux"))]
    let subreaper = false;
    let flags: Vec<(Signal, Arc<AtomicBool>)> = [Signal::INT, Signal::TERM, Signal::HUP]
        .into_iter()
        .map(|signal| {
            let flag = Arc::new(AtomicBool::new(false));
            let _ = signal_hook::flag::register(signal.as_raw(), Arc::clone(&flag));
            (signal, flag)
        })
        .collect();
    // The wake pipe: a byte for every signal above and every child's exit.
    let wake = UnixStream::pair().and_then(|(rx, tx)| {
        rx.set_nonblocking(true)?;
        tx.set_nonblocking(true)?;
        for signal in [Signal::CHILD, Signal::INT, Signal::TERM, Signal::HUP] {
            signal_hook::low_level::pipe::register(signal.as_raw(), tx.try_clone()?)?;
        }
        Ok(rx)
    });
    let parent_gone =
        || rustix::process::getppid().map(|p| p.as_raw_nonzero().get() as u32) != Some(parent);

    let child = match Command::new(program).args(args).process_group(0).spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("vx: cannot run {}: {e}", program.to_string_lossy());
            return CANNOT_START;
        }
    };
    let root = child.id();
    // `child` is reaped by `waitpid` below, never by `Child::wait`.
    drop(child);
    let mut code: Option<i32> = None;
    let mut stopping: Option<Instant> = None;
    loop {
        // Reap whatever ended: the command, or an orphan handed to us.
        let mut childless = false;
        loop {
            match rustix::process::wait(WaitOptions::NOHANG) {
                Ok(Some((pid, status))) => {
                    if pid.as_raw_nonzero().get() as u32 == root {
                        code = Some(
                            status
                                .exit_status()
                                .or_else(|| status.terminating_signal().map(|s| 128 + s))
                                .unwrap_or(1),
                        );
                    }
                }
                Err(rustix::io::Errno::CHILD) => {
                    childless = true;
                    break;
                }
                _ => break,
            }
        }
        let descendants = || {
            if subreaper && childless {
                Vec::new()
            } else {
                descendants()
            }
        };
        let asked = flags
            .iter()
            .find(|(_, flag)| flag.swap(false, Ordering::Relaxed))
            .map(|(signal, _)| *signal)
            .or_else(|| parent_gone().then_some(Signal::TERM));
        if let Some(signal) = asked
            && stopping.is_none()
        {
            signal_tree(root, signal);
            stopping = Some(Instant::now());
        }
        if code.is_some() && stopping.is_none() {
            // The command is done; what it left running is stopped.
            if descendants().is_empty() {
                break;
            }
            signal_tree(root, Signal::TERM);
            stopping = Some(Instant::now());
        }
        if let Some(since) = stopping {
            let left = descendants();
            if left.is_empty() && code.is_some() {
                break;
            }
            if since.elapsed() >= grace {
                signal_tree(root, Signal::KILL);
                if code.is_some() && descendants().is_empty() {
                    break;
                }
            }
        }
        match &wake {
            Ok(wake) => wait_for_wake(wake, TICK),
            Err(_) => std::thread::sleep(TICK),
        }
    }
    code.unwrap_or(1)
}

/// Waits until a signal or a child's exit writes to `wake`, or `at_most` passes, then
/// empties it. A byte written between the guard's last look and this wait stays in the
/// pipe, so no wake-up is lost.
fn wait_for_wake(wake: &UnixStream, at_most: Duration) {
    use rustix::event::{PollFd, PollFlags, Timespec};
    let timeout = Timespec::try_from(at_most).ok();
    let mut fds = [PollFd::new(wake, PollFlags::IN)];
    let _ = rustix::event::poll(&mut fds, timeout.as_ref());
    let mut buf = [0u8; 64];
    while matches!((&*wake).read(&mut buf), Ok(n) if n > 0) {}
}

/// Sends `signal` to the command's process group and to every descendant of the
/// guard (those that left the group).
fn signal_tree(root: u32, signal: Signal) {
    if let Some(group) = Pid::from_raw(root as i32) {
        let _ = rustix::process::kill_process_group(group, signal);
    }
    for pid in descendants() {
        if let Some(pid) = Pid::from_raw(pid as i32) {
            let _ = rustix::process::kill_process(pid, signal);
        }
    }
}

/// The guard's live descendants (not zombies), from `/proc`; empty where there is no
/// `/proc`.
fn descendants() -> Vec<u32> {
    let me = std::process::id();
    let mut children: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`: comm may hold anything, so read after its `)`.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let mut fields = after.split_whitespace();
        let state = fields.next().unwrap_or("");
        let Some(ppid) = fields.next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if state == "Z" || state == "X" {
            continue;
        }
        children.entry(ppid).or_default().push(pid);
    }
    let mut out = BTreeSet::new();
    let mut todo = vec![me];
    while let Some(pid) = todo.pop() {
        for &child in children.get(&pid).into_iter().flatten() {
            if out.insert(child) {
                todo.push(child);
            }
        }
    }
    out.into_iter().collect()
}
