//! `vx daemon` where it has no transport yet (Windows: a per-user named pipe is to
//! come, issue 16): the command says so, and `vx which`/`vx env` resolve by themselves.

use vx::exit::Error;

use crate::cli::DaemonCommand;

/// Refuses every `vx daemon` subcommand with the reason.
pub fn run(_command: DaemonCommand) -> Result<i32, Error> {
    Err(Error::failed(
        "vx daemon is not available on this platform yet: its transport here (a per-user named pipe) is not written",
    ))
}

/// No daemon to ask: `vx which` and `vx env` assemble the toolchain themselves.
pub fn complete_toolchain(
    _cwd: &std::path::Path,
    _store: &std::path::Path,
) -> Option<super::ActiveTools> {
    None
}
