//! `vx daemon start [--foreground] | stop | status [--json]`: the per-user daemon's
//! life ([`vx::daemon::control`]). `start` runs the daemon as a detached copy of this
//! binary (`--foreground --detach`: a new session, stdio on the log) and returns once
//! it answers `ping`; a daemon counts as already running only when it answers `ping`
//! (a lock still held by a daemon just killed is waited for); `stop` asks it to shut
//! down and returns once its lock is free.

use std::io::Write;
use std::path::PathBuf;

use serde_json::json;
use vx::daemon::control::{self, Bound, Stopped, pid_text};
use vx::daemon::{Config, Paths};
use vx::exit::{Error, FAILED, OK};
use vx::platform::{ipc, process};

use crate::cli::{DaemonCommand, DaemonStartArgs};

/// Runs a `vx daemon` subcommand.
pub fn run(command: DaemonCommand) -> Result<i32, Error> {
    let paths = Paths::from_env();
    match command {
        DaemonCommand::Start(args) => start(&paths, &args),
        DaemonCommand::Stop => stop(&paths),
        DaemonCommand::Status { json } => status(&paths, json),
    }
}

/// Says a daemon answers already.
fn already(pid: Option<u32>) -> i32 {
    println!("vx daemon already running{}", pid_text(pid));
    OK
}

fn start(paths: &Paths, args: &DaemonStartArgs) -> Result<i32, Error> {
    let store = super::located_store(args.store.as_deref())?;
    if args.foreground {
        return foreground(paths.clone(), store, args.detach);
    }
    if let Some(pid) = control::answering(paths)? {
        return Ok(already(pid));
    }
    let pid = control::spawn(paths, &store)?;
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
    let daemon = match control::bind(&config)? {
        Bound::Running(pid) => return Ok(already(pid)),
        Bound::Bound(daemon) => *daemon,
    };
    control::serve(daemon, || {
        if !detach {
            println!(
                "vx daemon listening on {} (pid {}); log {}",
                ipc::address(&paths.socket),
                std::process::id(),
                paths.log.display()
            );
        }
    })?;
    Ok(OK)
}

fn stop(paths: &Paths) -> Result<i32, Error> {
    match control::stop(paths)? {
        Stopped::NotRunning => println!("vx daemon is not running"),
        Stopped::Stopped(pid) => println!("vx daemon stopped{}", pid_text(pid)),
    }
    Ok(OK)
}

fn status(paths: &Paths, as_json: bool) -> Result<i32, Error> {
    let control::Status { running, pid, pong } = control::status(paths);
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
