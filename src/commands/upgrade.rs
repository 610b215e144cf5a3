//! `vx upgrade [TOOL...] [--latest]`: re-resolves registry tools within their
//! constraints (all of them, or those named) and locks the result for every platform
//! the lock covers; `--latest` first moves each constraint in vx.toml to the newest
//! version's major (comments and formatting kept). The work is
//! [`vx_ops::edit::upgrade`].

use vx_base::exit::Error;
use vx_ops::session::{Opening, Want};

use crate::cli::UpgradeArgs;

/// Runs `vx upgrade`.
pub(crate) fn run(args: &UpgradeArgs) -> Result<i32, Error> {
    let session = super::open(&Opening::new(args.manifest.as_deref(), Want::Project))?;
    let path = session.project()?.path.clone();
    // `--latest` rewrites constraints in vx.toml: never in a mise project's files.
    if args.latest {
        vx_model::manifest::editable(path.clone()).map_err(Error::usage)?;
    }
    // A lock that fails leaves vx.toml (its moved constraints) and vx.lock as they were.
    let snapshot = super::request::snapshot(&path)?;
    let result = upgrade(&session, args);
    super::unless_ok(snapshot, result)
}

/// Upgrades the session's tools as `args` say, saying what changed.
fn upgrade(session: &vx_ops::session::Session, args: &UpgradeArgs) -> Result<i32, Error> {
    let options = super::request::lock_options(&args.run, args.allow_provenance_loss, false);
    let request = vx_ops::edit::Upgrade {
        tools: &args.tools,
        latest: args.latest,
        options: &options,
    };
    let upgraded = vx_ops::edit::upgrade(session, &request, &super::progress)?;
    crate::present::edit::upgraded(&upgraded, &super::note);
    Ok(upgraded.report.code)
}
