//! `vx daemon start [--foreground] | stop | status [--json]`: the per-user daemon's
//! life ([`vx_daemon::control`]). `start` runs the daemon as a detached copy of this
//! binary (`--foreground --detach`: a new session, stdio on the log) and returns once
//! it answers `ping`; a daemon counts as already running only when it answers `ping`
//! (a lock still held by a daemon just killed is waited for); `stop` asks it to shut
//! down and returns once its lock is free.

use std::path::PathBuf;

use vx_base::exit::{Error, FAILED, OK};
use vx_base::platform::{ipc, process};
use vx_daemon::control::{self, Bound, Stopped, pid_text};
use vx_daemon::{Config, Paths};

use crate::cli::{DaemonCommand, DaemonStartArgs};

/// Runs a `vx daemon` subcommand.
pub(crate) fn run(command: DaemonCommand) -> Result<i32, Error> {
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
    let store = super::request::located_store(args.store.as_deref())?;
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
    let status = control::status(paths);
    super::print(&crate::present::daemon::status(&status, paths, as_json))?;
    Ok(if status.pong.is_some() { OK } else { FAILED })
}
