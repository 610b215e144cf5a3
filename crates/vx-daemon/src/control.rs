//! The daemon's life as `vx daemon start | stop | status` drives it: a detached copy
//! of this binary started and waited for until it answers `ping`; the daemon bound in
//! this process (another `start` that wins the race is waited for); a running one asked
//! to stop (or signalled, when it holds the lock without answering) and waited for until
//! its lock is free; and what a status shows. Nothing here prints: the caller says what
//! happened.

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::{Client, Config, Daemon, DaemonError, LockState, Paths, Presence};
use vx_base::platform::{ipc, process};

/// How long `start` waits for the first pong and `stop` for the exit.
pub(crate) const PATIENCE: Duration = Duration::from_secs(10);
/// How often they look.
const LOOK_EVERY: Duration = Duration::from_millis(5);
/// How long `start` waits on a lock whose holder does not answer (a daemon starting,
/// or one killed a moment ago whose threads are still exiting).
pub(crate) const LOCK_PATIENCE: Duration = Duration::from_secs(5);
/// How many times a foreground daemon looks again when another `start` took the lock
/// between its look and its own try.
const BIND_TRIES: usize = 3;

/// Why the daemon could not be started, stopped or served.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// A daemon holds the lock but does not answer.
    #[error(
        "a vx daemon{} holds {} but has not answered on {} for {}s; see {}",
        pid_text(*pid),
        lock.display(),
        ipc::address(socket),
        LOCK_PATIENCE.as_secs(),
        log.display()
    )]
    Silent {
        /// Its pid, when the lock names it.
        pid: Option<u32>,
        /// The lock file.
        lock: PathBuf,
        /// The socket.
        socket: PathBuf,
        /// The log.
        log: PathBuf,
    },
    /// The daemon's files cannot be set up, or it cannot be bound or served.
    #[error(transparent)]
    Daemon(DaemonError),
    /// Something the start needs cannot be done (`what` says what).
    #[error("{what}")]
    Cannot {
        /// What could not be done.
        what: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The started daemon exited before it answered.
    #[error("the daemon exited ({status}) before answering; see {}", log.display())]
    Exited {
        /// How it exited.
        status: ExitStatus,
        /// Its log.
        log: PathBuf,
    },
    /// The started daemon did not answer in time.
    #[error("the daemon did not answer within {}s; see {}", PATIENCE.as_secs(), log.display())]
    NoAnswer {
        /// Its log.
        log: PathBuf,
    },
    /// Another daemon took the lock each time this one tried.
    #[error(transparent)]
    Taken(DaemonError),
    /// A running daemon could not be asked to stop, and its pid is unknown.
    #[error("cannot ask the daemon to stop")]
    Ask(#[source] DaemonError),
    /// A running daemon could not be signalled.
    #[error("cannot signal the daemon")]
    Signal(#[source] io::Error),
    /// A daemon asked to stop did not exit in time.
    #[error("the daemon{} did not exit within {}s", pid_text(*pid), PATIENCE.as_secs())]
    NoExit {
        /// Its pid, when the lock names it.
        pid: Option<u32>,
    },
}

impl ControlError {
    /// Whether the command could not do what was asked (exit 1 with its own message),
    /// rather than the machine failing it.
    pub(crate) fn is_failure(&self) -> bool {
        !matches!(self, ControlError::Daemon(_) | ControlError::Cannot { .. })
    }
}

/// ` (pid N)`, or nothing when unknown.
pub fn pid_text(pid: Option<u32>) -> String {
    pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
}

/// The pid of the daemon answering at `paths` (itself `None` when the lock does not
/// name it), or `None` when there is none: one that holds the lock without answering is
/// waited for, at most [`LOCK_PATIENCE`], to answer or to let the lock go; one that
/// does neither is an error.
pub fn answering(paths: &Paths) -> Result<Option<Option<u32>>, ControlError> {
    match super::presence(paths, LOCK_PATIENCE) {
        Presence::Answering(pid) => Ok(Some(pid)),
        Presence::Absent => Ok(None),
        Presence::Silent(pid) => Err(ControlError::Silent {
            pid,
            lock: paths.lock.clone(),
            socket: paths.socket.clone(),
            log: paths.log.clone(),
        }),
    }
}

/// Whether a daemon answers `ping` at `socket`.
fn pings(socket: &Path) -> bool {
    Client::connect(socket).and_then(|mut c| c.ping()).is_ok()
}

/// Starts the daemon as a detached copy of this binary (`daemon start --foreground
/// --detach --store STORE`, stdio on its log) and waits until it answers; the pid its
/// lock names.
pub fn spawn(paths: &Paths, store: &Path) -> Result<Option<u32>, ControlError> {
    paths.prepare_dir().map_err(ControlError::Daemon)?;
    let cannot = |what: String| move |source| ControlError::Cannot { what, source };
    let log = super::log::append(&paths.log)
        .map_err(cannot(format!("cannot open {}", paths.log.display())))?;
    let exe =
        std::env::current_exe().map_err(cannot("cannot find the vx executable".to_owned()))?;
    let mut child = process::detached(&mut Command::new(exe))
        .args(["daemon", "start", "--foreground", "--detach", "--store"])
        .arg(store)
        .stdin(Stdio::null())
        .stdout(
            log.try_clone()
                .map_err(cannot("cannot share the log".to_owned()))?,
        )
        .stderr(log)
        .spawn()
        .map_err(cannot("cannot start the daemon".to_owned()))?;
    let started = Instant::now();
    while !pings(&paths.socket) {
        if let Ok(Some(status)) = child.try_wait() {
            // Another `start` may have won the race: then its daemon answers.
            if pings(&paths.socket) {
                break;
            }
            return Err(ControlError::Exited {
                status,
                log: paths.log.clone(),
            });
        }
        if started.elapsed() > PATIENCE {
            return Err(ControlError::NoAnswer {
                log: paths.log.clone(),
            });
        }
        std::thread::sleep(LOOK_EVERY);
    }
    Ok(match paths.lock_state() {
        LockState::Held(pid) => pid,
        LockState::Free => None,
    })
}

/// What binding the daemon in this process found.
pub enum Bound {
    /// Another daemon answers already (its pid, when known).
    Running(Option<u32>),
    /// This process holds the lock and the socket.
    Bound(Box<Daemon>),
}

/// Binds the daemon of `config` in this process, unless another already answers (one
/// that takes the lock between the look and the try is looked at again).
pub fn bind(config: &Config) -> Result<Bound, ControlError> {
    let mut tries = 0;
    loop {
        if let Some(pid) = answering(&config.paths)? {
            return Ok(Bound::Running(pid));
        }
        tries += 1;
        match Daemon::bind(config.clone()) {
            Ok(daemon) => return Ok(Bound::Bound(Box::new(daemon))),
            // Another `start` took the lock since the look: look again (its daemon is
            // waited for until it answers).
            Err(DaemonError::AlreadyRunning { .. }) if tries < BIND_TRIES => {}
            Err(err @ DaemonError::AlreadyRunning { .. }) => return Err(ControlError::Taken(err)),
            Err(err) => return Err(ControlError::Daemon(err)),
        }
    }
}

/// Serves `daemon` until it is asked to stop or this process gets SIGINT/SIGTERM;
/// `listening` runs once the signals are handled, before the first client is served.
pub fn serve(daemon: Daemon, listening: impl FnOnce()) -> Result<(), ControlError> {
    let stopper = daemon.stopper();
    vx_base::signals::on_stop(move || stopper.stop()).map_err(|source| ControlError::Cannot {
        what: "cannot install signal handlers".to_owned(),
        source,
    })?;
    listening();
    daemon.serve().map_err(ControlError::Daemon)
}

/// What a stop found.
pub enum Stopped {
    /// No daemon was running.
    NotRunning,
    /// The daemon (its pid, when known) stopped.
    Stopped(Option<u32>),
}

/// Asks the daemon at `paths` to shut down (SIGTERM when it holds the lock without
/// answering) and waits until its lock is free.
pub fn stop(paths: &Paths) -> Result<Stopped, ControlError> {
    let LockState::Held(pid) = paths.lock_state() else {
        return Ok(Stopped::NotRunning);
    };
    let asked = Client::connect(&paths.socket).and_then(|mut c| c.shutdown());
    if let Err(err) = asked {
        // Alive (it holds the lock) but not answering: SIGTERM stops it cleanly too.
        let pid = pid.ok_or(ControlError::Ask(err))?;
        process::terminate(pid).map_err(ControlError::Signal)?;
    }
    let asked_at = Instant::now();
    while paths.lock_state() != LockState::Free {
        if asked_at.elapsed() > PATIENCE {
            return Err(ControlError::NoExit { pid });
        }
        std::thread::sleep(LOOK_EVERY);
    }
    Ok(Stopped::Stopped(pid))
}

/// The daemon's state as `vx daemon status` shows it.
pub struct Status {
    /// Whether a daemon holds the lock.
    pub running: bool,
    /// Its pid, when the lock names it.
    pub pid: Option<u32>,
    /// Its answer to `ping` (uptime in seconds, runtimes cached), if it answered.
    pub pong: Option<(u64, usize)>,
}

/// The daemon's state at `paths`: the lock, and a ping when it is held.
pub fn status(paths: &Paths) -> Status {
    let state = paths.lock_state();
    let running = state != LockState::Free;
    let pid = match state {
        LockState::Held(pid) => pid,
        LockState::Free => None,
    };
    let pong = if running {
        Client::connect(&paths.socket)
            .and_then(|mut c| c.ping())
            .ok()
    } else {
        None
    };
    Status { running, pid, pong }
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // The daemon's life could not be handled (exit 1 either way).
    ControlError => |e| {
        if e.is_failure() {
            Error::failed(e)
        } else {
            Error::environment(e)
        }
    };
}
