//! `vx daemon start [--foreground] | stop | status [--json]`: the per-user daemon's
//! life ([`vx::daemon`]). `start` runs the daemon as a detached copy of this binary
//! (`--foreground --detach`: a new session, stdio on the log) and returns once it
//! answers `ping`; `stop` asks it to shut down and returns once its lock is free.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use vx::daemon::{Client, Config, Daemon, DaemonError, LockState, Paths};
use vx::exit::{Because, Error, FAILED, OK};
use vx::platform::{ipc, process};

use crate::cli::{DaemonCommand, DaemonStartArgs};

/// How long `start` waits for the first pong and `stop` for the exit.
const PATIENCE: Duration = Duration::from_secs(10);
/// How often they look.
const LOOK_EVERY: Duration = Duration::from_millis(5);

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
    if let LockState::Held(pid) = paths.lock_state() {
        println!("vx daemon already running{}", pid_text(pid));
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
    let daemon = match Daemon::bind(config) {
        Ok(daemon) => daemon,
        Err(DaemonError::AlreadyRunning { pid }) => {
            println!("vx daemon already running{}", pid_text(pid));
            return Ok(OK);
        }
        Err(err) => return Err(Error::environment(err)),
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

/// ` (pid N)`, or nothing when unknown.
fn pid_text(pid: Option<u32>) -> String {
    pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
}
