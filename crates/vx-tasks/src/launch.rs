//! How the runner starts a task's command (and a service's ready-check command, so that
//! it ends with the run as tasks do) and holds it while it runs: through the run's
//! [guard](super::guard) on Unix (one for the whole run, started at the first task),
//! directly otherwise (Windows: the command's own Job Object). Either way the runner
//! gets the same things back: a [`Handle`] to stop or kill the task, an [`Exit`] to wait
//! for, and the two output pipes.

use std::io::{self, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use vx_base::platform::process::Polite;

/// How a task's command is started.
#[derive(Clone, Debug)]
pub enum Launcher {
    /// As it is, as the root of a process tree of its own (Windows: a Job Object).
    Direct,
    /// Through the run's guard, `EXE task-guard --parent PID --grace-ms N` (Unix).
    Guard {
        /// The `vx` executable.
        exe: std::path::PathBuf,
    },
}

/// Why the run's guard did not start: each task that would have run under it fails
/// with it (the guard is started once a run, so the error is shared).
#[derive(Clone, Debug, thiserror::Error)]
#[error("cannot start the task guard: {0}")]
pub(crate) struct GuardError(#[source] std::sync::Arc<std::io::Error>);

/// Which polite signal a stop sends.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Stop {
    /// SIGINT: the user interrupted.
    Interrupt,
    /// SIGTERM: a failure elsewhere, or a service at the end of the run.
    Terminate,
}

/// One run's way of starting commands; the guard, once started, lives as long as it.
pub(crate) struct Launch {
    launcher: Launcher,
    #[cfg_attr(not(unix), allow(dead_code))]
    grace: Duration,
    #[cfg(unix)]
    guard: std::cell::OnceCell<Result<std::sync::Arc<super::guard::client::Client>, GuardError>>,
}

/// What a worker starts its task's commands with.
#[derive(Clone)]
pub(crate) enum Starter {
    /// Each command directly.
    Direct,
    /// Each through the run's guard.
    #[cfg(unix)]
    Guard(std::sync::Arc<super::guard::client::Client>),
}

/// A started command.
pub(crate) struct Started {
    /// How to stop it.
    pub handle: Handle,
    /// How to wait for it.
    pub exit: Exit,
    /// Its stdout and stderr, to read to their end.
    pub pipes: Vec<(Box<dyn Read + Send>, super::events::Stream)>,
}

/// How to stop a running command: shareable, so that the supervisor can while its
/// worker waits.
pub(crate) struct Handle {
    pid: u32,
    inner: HandleInner,
}

enum HandleInner {
    Direct(vx_base::platform::process::Tree),
    #[cfg(unix)]
    Guard(super::guard::client::Guarded),
}

/// How to wait for a command's end.
pub(crate) enum Exit {
    /// A child of `vx`.
    Direct(std::process::Child),
    /// A child of the guard.
    #[cfg(unix)]
    Guard(super::guard::client::Exit),
}

impl Launch {
    /// A run's launch; nothing starts yet.
    pub(crate) fn new(launcher: &Launcher, grace: Duration) -> Launch {
        Launch {
            launcher: launcher.clone(),
            grace,
            #[cfg(unix)]
            guard: std::cell::OnceCell::new(),
        }
    }

    /// What the next task starts its commands with: the guard, started now if it is not
    /// yet. Call it on the run's supervising thread (the guard's parent-death signal
    /// follows the thread that started it).
    pub(crate) fn starter(&self) -> Result<Starter, GuardError> {
        match &self.launcher {
            Launcher::Direct => Ok(Starter::Direct),
            #[cfg(unix)]
            Launcher::Guard { exe } => self
                .guard
                .get_or_init(|| {
                    super::guard::client::Client::start(exe, self.grace)
                        .map_err(|e| GuardError(std::sync::Arc::new(e)))
                })
                .clone()
                .map(Starter::Guard),
            #[cfg(not(unix))]
            Launcher::Guard { .. } => Ok(Starter::Direct),
        }
    }
}

impl Starter {
    /// Starts `command` (its program, arguments, environment changes and directory),
    /// stdin empty, stdout and stderr piped to us. Directly, `command` itself starts,
    /// never a copy: a copy made through `get_args` loses how an argument was given, and
    /// `cmd`'s command line is given raw (re-quoted, every Windows task failed as "not
    /// recognized"). The guard gets the same parts `get_args` gives, as Unix has them.
    pub(crate) fn start(&self, command: &mut Command) -> io::Result<Started> {
        match self {
            Starter::Direct => start_direct(command),
            #[cfg(unix)]
            Starter::Guard(client) => {
                use super::events::Stream;
                use std::os::fd::AsFd;
                let stdin = std::fs::File::open("/dev/null")?;
                let (out_r, out_w) = io::pipe()?;
                let (err_r, err_w) = io::pipe()?;
                let (guarded, exit) =
                    client.spawn(command, [stdin.as_fd(), out_w.as_fd(), err_w.as_fd()])?;
                // The task holds the write ends now; ours close so that its end is the
                // pipes' end.
                drop((stdin, out_w, err_w));
                Ok(Started {
                    handle: Handle {
                        pid: guarded.pid(),
                        inner: HandleInner::Guard(guarded),
                    },
                    exit: Exit::Guard(exit),
                    pipes: vec![
                        (Box::new(out_r) as Box<dyn Read + Send>, Stream::Stdout),
                        (Box::new(err_r), Stream::Stderr),
                    ],
                })
            }
        }
    }
}

fn start_direct(command: &mut Command) -> io::Result<Started> {
    use super::events::Stream;
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let (mut child, tree) = vx_base::platform::process::Tree::spawn(command)?;
    let pipes = [
        child
            .stdout
            .take()
            .map(|p| (Box::new(p) as Box<dyn Read + Send>, Stream::Stdout)),
        child
            .stderr
            .take()
            .map(|p| (Box::new(p) as Box<dyn Read + Send>, Stream::Stderr)),
    ]
    .into_iter()
    .flatten()
    .collect();
    Ok(Started {
        handle: Handle {
            pid: child.id(),
            inner: HandleInner::Direct(tree),
        },
        exit: Exit::Direct(child),
        pipes,
    })
}

impl Handle {
    /// The command's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.pid
    }

    /// The polite signal, to the command and (through the guard) all it started;
    /// Windows has none, so there it is the kill.
    pub(crate) fn stop(&self, how: Stop) {
        match &self.inner {
            #[cfg(unix)]
            HandleInner::Guard(guarded) => {
                use super::guard::protocol::StopSignal;
                guarded.signal(match how {
                    Stop::Interrupt => StopSignal::Interrupt,
                    Stop::Terminate => StopSignal::Terminate,
                })
            }
            HandleInner::Direct(tree) => tree.stop(match how {
                Stop::Interrupt => Polite::Interrupt,
                Stop::Terminate => Polite::Terminate,
            }),
        }
    }

    /// Kills the command and all it started, now.
    pub(crate) fn kill(&self) {
        match &self.inner {
            HandleInner::Direct(tree) => tree.kill(),
            #[cfg(unix)]
            HandleInner::Guard(guarded) => guarded.signal(super::guard::protocol::StopSignal::Kill),
        }
    }
}

impl Exit {
    /// Waits for the command's end (through the guard: and the end of all it left
    /// running); its exit code.
    pub(crate) fn wait(self) -> io::Result<i32> {
        match self {
            Exit::Direct(mut child) => child.wait().map(vx_base::platform::process::status_code),
            #[cfg(unix)]
            Exit::Guard(exit) => exit.wait(),
        }
    }
}

/// The guard watching a lone task run in the foreground ([`super::foreground`]): the
/// task's processes carry its [mark](Self::mark); dropped, it ends what carries the mark
/// (SIGTERM, SIGKILL after the grace) and exits, and should vx be killed it does so by
/// itself. Unix only: elsewhere there is none ([`LoneGuard::start`] is `None`).
pub(crate) struct LoneGuard {
    #[cfg(unix)]
    client: std::sync::Arc<super::guard::client::Client>,
}

impl LoneGuard {
    /// The guard `exe` (`vx task-guard --scan`) started to watch a lone task, `grace`
    /// between SIGTERM and SIGKILL; `None` when it cannot start, or where there is none.
    pub(crate) fn start(exe: &Path, grace: Duration) -> Option<LoneGuard> {
        #[cfg(unix)]
        let started = super::guard::client::Client::start_watching(exe, grace)
            .ok()
            .map(|client| LoneGuard { client });
        #[cfg(not(unix))]
        let started = {
            let _ = (exe, grace);
            None
        };
        started
    }

    /// Marks `command` as one of the watched task's processes.
    pub(crate) fn mark(&self, command: &mut Command) {
        let _ = &command;
        #[cfg(unix)]
        command.env(super::guard::tree::MARK, self.client.watch_mark());
    }
}
