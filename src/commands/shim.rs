//! vx run under another name than its own: a shim of `<data dir>/vx/shims`
//! ([`vx_project::shims`]; the run itself is [`vx_ops::shim`]). It runs the command as the current directory's project pins it,
//! with the user's global toolset layered under it (outside a project, the global
//! toolset alone), as `vx exec -- CMD ARGS` would, replacing this process (the exit
//! status and signals are the command's own).
//!
//! Of a project the user has not trusted ([`vx_engine::trust`]) it applies the tools alone,
//! not the project's `[env]`, env files or `[settings] path`.
//!
//! It is meant to cost little over the command itself: the project's recorded
//! activation answers while nothing it came from changed (a few `stat`s and two small
//! digests), else the manifest, lock and receipts are read. It never installs, never
//! locks and never reaches the network: a tool that is not installed as vx.toml and
//! vx.lock say (after an edit of vx.toml, before `vx sync`) is an error naming it
//! (exit 127). A command no tool provides is looked up on the inherited `PATH`
//! without the shims' directory (the system's own `python` outside a project), and
//! when that finds nothing either, the error says so (exit 127). A vx the command
//! was found as (another vx installed as `node`, handed the process by a vx that
//! looked `node` up) refuses at once (exit 126) rather than look it up again.

use std::ffi::OsString;

use vx_base::exit::Error;
use vx_ops::session::{Opening, Want};
use vx_ops::shim::Shim;

/// Runs the shim for `command` with `args` ([`vx_ops::shim`]); returns only the error
/// that stopped it.
pub(crate) fn run(command: &str, args: &[OsString]) -> Result<i32, Error> {
    if let Some(looped) = vx_ops::exec::resolved_to_vx(command) {
        return Err(looped);
    }
    let shim = Shim::new(command, args);
    let (sources, recorded) = vx_ops::session::recorded::activation(None, None).unzip();
    if let (Some(recorded), Some(sources)) = (recorded.flatten(), sources.as_ref()) {
        return Err(shim.run_recorded(&recorded, sources));
    }
    // What is at hand only: a registry's runtime declaration not cached is left out
    // (its tool then "not installed"), never fetched. Run from a directory since
    // deleted, no project is here: the global toolset's, as anywhere outside one.
    let want = match std::env::current_dir() {
        Ok(_) => Want::ProjectOrGlobal,
        Err(_) => Want::Global,
    };
    let session = super::open(&Opening {
        offline: true,
        at_hand: true,
        ..Opening::new(None, want)
    })?;
    Err(shim.run(&session, sources.as_ref()).into())
}
