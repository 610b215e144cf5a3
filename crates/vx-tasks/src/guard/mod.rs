//! The task guard: one small `vx` process beside `vx run` that starts every task's
//! command and makes sure nothing a task starts outlives the run, even when `vx` itself
//! is SIGKILLed.
//!
//! `vx run` starts `vx task-guard --parent PID --grace-ms N` (hidden command) once, at
//! its first task, as the leader of a process group of its own (so the terminal's
//! Ctrl-C reaches `vx` alone, which decides), its stdin one end of a Unix socket pair.
//! Over it `vx run` sends a [spawn request](protocol::Spawn) per command — program,
//! arguments, environment changes, directory — with the task's stdin, stdout and stderr
//! as file descriptors beside it ([`transport`]: `SCM_RIGHTS`), and signal requests; the
//! guard answers with the process id, then, once the command has exited and nothing it
//! started is left, its exit code ([`protocol::Reply`]). Output never passes through
//! the guard: the task writes to `vx run`'s pipes. The guard:
//!
//! - asks for SIGTERM when its parent dies (`PR_SET_PDEATHSIG`, set on itself: no
//!   `pre_exec`, no unsafe code) and checks the parent is still the one it was given
//!   (the parent may have died before the request);
//! - makes itself a *child subreaper* (`PR_SET_CHILD_SUBREAPER`): every process a task
//!   starts that loses its parent — a daemonizing grandchild that called `setsid` or
//!   started its own process group — is re-parented to the guard instead of init, so it
//!   stays among the guard's descendants; each task's processes carry a mark of their
//!   own in their environment ([`tree::MARK`]) that tells whose such a process is;
//! - starts each command in a new process group and reaps everything;
//! - on a signal request (SIGINT when the user pressed Ctrl-C, SIGTERM after a failure
//!   elsewhere) signals the task's group and every process it started, and after the
//!   grace period SIGKILLs what is left;
//! - when a task's command exits, stops what it left running the same way (SIGTERM,
//!   then SIGKILL after the grace), then reports the command's code (128 + N for a
//!   signal);
//! - when the socket closes (the run is over, or `vx` died), a request cannot be read
//!   (an error, never a panic: [`protocol`] trusts no size), its parent dies, or it gets
//!   SIGINT, SIGTERM or SIGHUP, stops every task's group and every descendant the same
//!   way and exits.
//!
//! The guard itself SIGKILLed (nothing stops a process of the same user doing so): its
//! socket's end, which `vx run` did not ask for, makes `vx run` end what the guard
//! answered for ([`client`]: every task's group not yet ended and every process that
//! carries one of the guard's marks, found by the [`scan`], SIGKILLed), so the run ends
//! (its tasks failed) instead of waiting for ever on pipes an orphaned task holds
//! (issue 66, item 7).
//!
//! Why a guard rather than `vx` as the subreaper: a subreaper that is SIGKILLed hands
//! its orphans to init and nobody is left to kill them; the guard is a separate process
//! that survives `vx`'s death just long enough to clean up. Why one for the run rather
//! than one per task (as before issue 51's graph of 100 tasks): a guard per task cost a
//! second process start per task, the larger part of `vx run`'s overhead.
//!
//! macOS and the other Unixes have neither request nor `/proc`: an orphan goes to
//! `launchd` or `init`, out of the guard's tree, and nothing tells the guard its parent
//! died but the socket's end (`vx` gone) and a changed `getppid`. There the guard
//! [scans](scan) this user's processes for its marks (the environment each was exec'd
//! with: `KERN_PROCARGS2` through `vx_shm::procs` on macOS, the `sysinfo` crate
//! elsewhere) whenever it would look at its children on Linux — a task's end, a signal
//! request, the run's stop — and stops what carries a task's mark, and what descends from it, as above. What the scan
//! cannot find: a process that emptied its environment and left its task's group (on
//! Linux it is still the guard's child, and stopped with the run), another user's
//! process (a setuid program's), and anything on a Unix the crate does not read (it
//! reads macOS, FreeBSD and NetBSD; elsewhere only process groups are ended). A look
//! reads every process on the machine, so each task's end costs more there than on
//! Linux. `vx task-guard --scan` runs the scan on Linux instead of the subreaper: that
//! is how the tests exercise it, and how a lone task in the foreground is watched on
//! every Unix ([`client::Client::start_watching`]: the task is `vx run`'s own child,
//! not the guard's, and carries a mark of the guard's all the same, so the guard ends
//! it with the run, even when `vx` is SIGKILLed); macOS itself is compiled, linted and
//! linked here (`.ci/windows`, `.ci/dist`), not run. With the scan, the run's stop
//! lasts until no marked process is left (SIGKILL after the grace), not only until
//! the guard's own tasks have ended.
//!
//! Windows does not use the guard: each task is in a Job Object whose last handle (held
//! by `vx`) kills it on close.

#![cfg(unix)]

pub(crate) mod client;
pub mod protocol;
pub(crate) mod scan;
mod serve;
pub mod transport;
pub(crate) mod tree;

use std::time::Duration;

/// Runs the guard (`vx task-guard`) for the `vx run` process `parent`, on the socket
/// it got as its stdin; returns the guard's exit code. `scan`: find what tasks leave
/// behind by [`scan`] on Linux too, as on the other Unixes (for the tests).
pub fn run(parent: u32, grace: Duration, scan: bool) -> i32 {
    match serve::socket_from_stdin() {
        Ok(socket) => serve::serve(socket, parent, grace, scan),
        Err(e) => {
            eprintln!("vx task-guard: no socket on stdin: {e}");
            2
        }
    }
}
