//! One task run as `[scripts]` always ran it (`vx run TASK` of a lone task with no
//! dependency, service, `sources` or output flag): its commands but the last as
//! children in the foreground (Ctrl-C is theirs; the run then stops), the last
//! replacing vx, so the terminal's foreground process is the task's and its exit
//! status is `vx run`'s. A task whose commands run script files vx wrote (`run`
//! scripts with their own `#!`) runs its last as a child too ([`Last::Child`]): vx
//! stays to remove the files once it has ended, and ends with its status. On Unix the
//! last is always a child of vx, watched by the [guard](super::guard) the other modes
//! use (and on Linux also adopted by vx, a child subreaper), so that nothing of it
//! outlives the run, even a SIGKILLed vx ([`run`]). Nothing here prints.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::Ordering;

use super::launch::LoneGuard;
use crate::runner::ledger::Ledger;
use vx_model::task::Task;

/// Why a task run in the foreground ended without replacing vx.
#[derive(Debug, thiserror::Error)]
pub enum ForegroundError {
    /// Ctrl-C cannot be listened for (the machine's).
    #[error(transparent)]
    Signals(std::io::Error),
    /// A command before the last cannot be started (the machine's).
    #[error("cannot run task `{task}`")]
    Spawn {
        /// The task.
        task: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Ctrl-C during a command before the last (exit 130).
    #[error("interrupted during task `{task}`")]
    Interrupted {
        /// The task.
        task: String,
    },
    /// A command before the last failed: the run ends with `code` (its own, else 1).
    #[error("task `{task}` failed: command {number} exited with {status}")]
    Failed {
        /// The task.
        task: String,
        /// Which command (from 1).
        number: usize,
        /// Its exit status, in words.
        status: String,
        /// The code the run ends with.
        code: i32,
    },
    /// The last command cannot replace vx (not found, or not runnable).
    #[error("cannot run task `{task}`")]
    Replace {
        /// The task.
        task: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// How the last command of a task runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Last {
    /// In place of vx (the task's status is the process's).
    InPlace,
    /// As a child in the foreground, vx waiting for it: something vx holds must
    /// outlive the command (the script files it runs).
    Child,
}

/// Runs `task`'s `commands` (at least one) in the foreground, the last as `last`
/// says. In place, returns only why it could not replace vx; as a child, its exit
/// code (128 + the signal that ended it, on Unix). `guard`: the vx executable that
/// runs the [guard](super::guard) watching the task (Unix). `ledger`: the run's
/// ledger, kept until the task has ended (removed before the last command replaces
/// vx, when it does).
///
/// Nothing of the task outlives it, as in every other mode of `vx run`: where a guard
/// can watch the task (Unix: `vx task-guard --scan`, started once, the task's
/// processes carrying its mark) or this process can adopt its descendants' orphans
/// (Linux: a child subreaper), every command runs as a child in the foreground, the
/// last too. Once the last has ended, what the task left running (a daemon it started
/// with `setsid`, a server sent to the background) is ended (SIGTERM, then SIGKILL
/// after the grace, by the guard, which finds it by its mark; then SIGKILL for what vx
/// adopted and the guard missed) before vx exits with the task's status; and should vx
/// be killed (SIGKILL gives it no say), the guard sees its parent gone and ends the
/// task's processes the same way. Elsewhere (Windows: a child, in vx's Job Object; or where
/// neither can be had) the last replaces vx as before.
pub fn run(
    task: &Task,
    mut commands: Vec<Command>,
    last: Last,
    guard: Option<&Path>,
    ledger: Option<Ledger>,
) -> Result<i32, ForegroundError> {
    let adopting = vx_base::platform::process::adopt_orphans();
    // The guard ends with this block: it stops what carries the mark (SIGTERM, SIGKILL
    // after the grace) and exits, waited for; then what vx adopted that it missed (a
    // process that cleared its environment) is SIGKILLed.
    let ended = {
        let watching = guard.and_then(|exe| LoneGuard::start(exe, GRACE));
        if let Some(watching) = &watching {
            commands
                .iter_mut()
                .for_each(|command| watching.mark(command));
        }
        let child = adopting.is_some() || watching.is_some();
        let last = if child { Last::Child } else { last };
        run_commands(task, commands, last, child, ledger)
    };
    if let Some(adopting) = &adopting {
        adopting.end_orphans();
    }
    ended
}

/// How long what a lone task left running has between SIGTERM and SIGKILL (the
/// runner's grace).
pub(crate) const GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// [`run`]'s commands, the last as `last` says; `pass`: SIGTERM and SIGHUP sent to vx
/// are passed on to the last (run as a child in vx's stead). `ledger` is dropped before
/// the last replaces vx.
fn run_commands(
    task: &Task,
    mut commands: Vec<Command>,
    last: Last,
    pass: bool,
    ledger: Option<Ledger>,
) -> Result<i32, ForegroundError> {
    let final_command = commands.pop().expect("a task that runs something");
    if !commands.is_empty() || last == Last::Child {
        let interrupted = vx_base::signals::interrupt_flag().map_err(ForegroundError::Signals)?;
        let spawn = |source| ForegroundError::Spawn {
            task: task.name.clone(),
            source,
        };
        for (i, mut command) in commands.into_iter().enumerate() {
            let status = command.status().map_err(spawn)?;
            if interrupted.load(Ordering::Relaxed) {
                return Err(ForegroundError::Interrupted {
                    task: task.name.clone(),
                });
            }
            if !status.success() {
                let code = vx_base::platform::process::status_code(status);
                return Err(ForegroundError::Failed {
                    task: task.name.clone(),
                    number: i + 1,
                    status: vx_base::platform::process::describe_status(status),
                    code: if code == vx_base::exit::OK {
                        vx_base::exit::FAILED
                    } else {
                        code
                    },
                });
            }
        }
        if last == Last::Child {
            let mut command = final_command;
            let mut child = command.spawn().map_err(spawn)?;
            // A SIGTERM or SIGHUP sent to vx (a supervisor stopping `vx run`, a closed
            // terminal) is the task's, as when it ran in vx's place.
            let pid = child.id();
            let passing = pass.then(|| {
                vx_base::signals::on_end_request(move || {
                    let _ = vx_base::platform::process::terminate(pid);
                })
            });
            let status = child.wait().map_err(spawn)?;
            drop(passing);
            return Ok(vx_base::platform::process::status_code(status));
        }
    }
    // Replaced, vx removes nothing after: the ledger's directory goes now (a `vx run`
    // the task starts makes one of its own).
    drop(ledger);
    let program = final_command.get_program().to_owned();
    let source = vx_base::platform::exec::replace_process(final_command, &program);
    Err(ForegroundError::Replace {
        task: task.name.clone(),
        source,
    })
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // A lone task run in the foreground that could not replace vx: the failed
    // command's own code, 130 interrupted, 126 not runnable, else the machine's.
    ForegroundError => |e| {
        use crate::foreground::ForegroundError;
        match e {
            ForegroundError::Failed { code, .. } => Error::with_code(code, e),
            e @ ForegroundError::Interrupted { .. } => Error::with_code(INTERRUPTED, e),
            e @ ForegroundError::Replace { .. } => {
                Error::with_code(NOT_RUNNABLE, e)
            }
            e @ (ForegroundError::Signals(_) | ForegroundError::Spawn { .. }) => {
                Error::environment(e)
            }
        }
    };
}
