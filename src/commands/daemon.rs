//! `vx daemon start [--foreground] | stop | status [--json]`: the per-user daemon's
//! life ([`vx::daemon`]). `start` runs the daemon as a detached copy of this binary
//! (`--foreground --detach`: a new session, stdio on the log) and returns once it
//! answers `ping`; a daemon counts as already running only when it answers `ping`
//! (a lock still held by a daemon just killed is waited for); `stop` asks it to shut
//! down and returns once its lock is free.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use vx::daemon::{Client, Config, Daemon, DaemonError, LockState, Paths, Presence};
use vx::exit::{Because, Error, FAILED, OK};
use vx::platform::{ipc, process};

use crate::cli::{DaemonCommand, DaemonStartArgs};

/// How long `start` waits for the first pong and `stop` for the exit.
const PATIENCE: Duration = Duration::from_secs(10);
/// How often they look.
const LOOK_EVERY: Duration = Duration::from_millis(5);
/// How long `start` waits on a lock whose holder does not answer (a daemon starting,
/// or one killed a moment ago whose threads are still exiting).
const LOCK_PATIENCE: Duration = Duration::from_secs(5);
/// How many times `--foreground` looks again when another `start` took the lock
/// between its look and its own try.
const BIND_TRIES: usize = 3;

/// Runs a `vx daemon` subcommand.
pub fn run(command: DaemonCommand) -> Result<i32, Error> {
    let paths = Paths::from_env();
    match command {
        DaemonCommand::Start(args) => start(&paths, &args),
        DaemonCommand::Stop => stop(&paths),
        DaemonCommand::Status { json } => status(&paths, json),
    }
}

fn start(paths: &Paths, args: &DaemonStartArgs) -> Result<i32, Error> {
    let store = super::located_store(args.store.as_deref())?;
    if args.foreground {
        return foreground(paths.clone(), store, args.detach);
    }
    if already_running(paths)? {
        return Ok(OK);
    }
    paths.prepare_dir().map_err(Error::environment)?;
    let cannot = |what: &str| {
        let what = what.to_owned();
        move |err| Error::environment(Because::new(what, err))
    };
    let log = vx::daemon::log::append(&paths.log)
        .map_err(cannot(&format!("cannot open {}", paths.log.display())))?;
    let exe = std::env::current_exe().map_err(cannot("cannot find the vx executable"))?;
    let mut child = process::detached(&mut Command::new(exe))
        .args(["daemon", "start", "--foreground", "--detach", "--store"])
        .arg(&store)
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(cannot("cannot share the log"))?)
        .stderr(log)
        .spawn()
        .map_err(cannot("cannot start the daemon"))?;
    let started = Instant::now();
    loop {
        if Client::connect(&paths.socket)
            .and_then(|mut c| c.ping())
            .is_ok()
        {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            // Another `start` may have won the race: then its daemon answers.
            if Client::connect(&paths.socket)
                .and_then(|mut c| c.ping())
                .is_ok()
            {
                break;
            }
            return Err(Error::failed(format!(
                "the daemon exited ({status}) before answering; see {}",
                paths.log.display()
            )));
        }
        if started.elapsed() > PATIENCE {
            return Err(Error::failed(format!(
                "the daemon did not answer within {}s; see {}",
                PATIENCE.as_secs(),
                paths.log.display()
            )));
        }
        std::thread::sleep(LOOK_EVERY);
    }
    let pid = match paths.lock_state() {
        LockState::Held(pid) => pid,
        LockState::Free => None,
    };
    println!(
        "vx daemon started{}; socket {}; log {}",
        pid_text(pid),
        ipc::address(&paths.socket),
        paths.log.display()
    );
    Ok(OK)
}

/// The daemon itself, in this process.
fn foreground(paths: Paths, store: PathBuf, detach: bool) -> Result<i32, Error> {
    if detach {
        // Out of the starter's session: no terminal's SIGHUP or Ctrl-C reaches it.
        process::leave_session();
    }
    let config = Config {
        paths: paths.clone(),
        store,
        board_dir: vx_shm::registry::default_dir(),
    };
    let mut tries = 0;
    let daemon = loop {
        if already_running(&paths)? {
            return Ok(OK);
        }
        tries += 1;
        match Daemon::bind(config.clone()) {
            Ok(daemon) => break daemon,
            // Another `start` took the lock since the look: look again (its daemon is
            // waited for until it answers).
            Err(DaemonError::AlreadyRunning { .. }) if tries < BIND_TRIES => {}
            Err(err @ DaemonError::AlreadyRunning { .. }) => return Err(Error::failed(err)),
            Err(err) => return Err(Error::environment(err)),
        }
    };
    let stopper = daemon.stopper();
    vx::signals::on_stop(move || stopper.stop())
        .map_err(|e| Error::environment(Because::new("cannot install signal handlers", e)))?;
    if !detach {
        println!(
            "vx daemon listening on {} (pid {}); log {}",
            ipc::address(&paths.socket),
            std::process::id(),
            paths.log.display()
        );
    }
    daemon.serve().map_err(Error::environment)?;
    Ok(OK)
}

fn stop(paths: &Paths) -> Result<i32, Error> {
    let LockState::Held(pid) = paths.lock_state() else {
        println!("vx daemon is not running");
        return Ok(OK);
    };
    let asked = Client::connect(&paths.socket).and_then(|mut c| c.shutdown());
    if let Err(err) = asked {
        // Alive (it holds the lock) but not answering: SIGTERM stops it cleanly too.
        let pid =
            pid.ok_or_else(|| Error::failed(Because::new("cannot ask the daemon to stop", err)))?;
        process::terminate(pid)
            .map_err(|e| Error::failed(Because::new("cannot signal the daemon", e)))?;
    }
    let asked_at = Instant::now();
    while paths.lock_state() != LockState::Free {
        if asked_at.elapsed() > PATIENCE {
            return Err(Error::failed(format!(
                "the daemon{} did not exit within {}s",
                pid_text(pid),
                PATIENCE.as_secs()
            )));
        }
        std::thread::sleep(LOOK_EVERY);
    }
    println!("vx daemon stopped{}", pid_text(pid));
    Ok(OK)
}

fn status(paths: &Paths, as_json: bool) -> Result<i32, Error> {
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
    let mut out = std::io::stdout().lock();
    if as_json {
        writeln!(
            out,
            "{}",
            json!({
                "running": running,
                "answering": pong.is_some(),
                "pid": pid,
                "uptime_secs": pong.map(|p| p.0),
                "cached_runtimes": pong.map(|p| p.1),
                "socket": ipc::address(&paths.socket),
                "lock": paths.lock,
                "log": paths.log,
            })
        )?;
    } else {
        match (running, pong) {
            (true, Some((uptime, cached))) => writeln!(
                out,
                "vx daemon running{}, up {}, {cached} runtimes cached",
                pid_text(pid),
                vx_tui::text::duration_ms(uptime.saturating_mul(1000)),
            )?,
            (true, None) => writeln!(out, "vx daemon running{} but not answering", pid_text(pid))?,
            (false, _) => writeln!(out, "vx daemon is not running")?,
        }
        writeln!(out, "socket: {}", ipc::address(&paths.socket))?;
        writeln!(out, "log:    {}", paths.log.display())?;
    }
    Ok(if pong.is_some() { OK } else { FAILED })
}

/// Whether a daemon already answers at `paths` (then says so): one that holds the
/// lock without answering is waited for, at most [`LOCK_PATIENCE`], to answer or to
/// let the lock go; one that does neither is an error.
fn already_running(paths: &Paths) -> Result<bool, Error> {
    match vx::daemon::presence(paths, LOCK_PATIENCE) {
        Presence::Answering(pid) => {
            println!("vx daemon already running{}", pid_text(pid));
            Ok(true)
        }
        Presence::Absent => Ok(false),
        Presence::Silent(pid) => Err(Error::failed(format!(
            "a vx daemon{} holds {} but has not answered on {} for {}s; see {}",
            pid_text(pid),
            paths.lock.display(),
            ipc::address(&paths.socket),
            LOCK_PATIENCE.as_secs(),
            paths.log.display()
        ))),
    }
}

/// ` (pid N)`, or nothing when unknown.
fn pid_text(pid: Option<u32>) -> String {
    pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
}
