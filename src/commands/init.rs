//! `vx init`: a commented vx.toml in the working directory (what each table is for,
//! in comments), then `vx import` of the version files found there.

use std::io::Write;

use vx_base::exit::{Error, OK};
use vx_model::manifest::MANIFEST_FILE;

use crate::cli::InitArgs;

/// Runs `vx init`: refuses (exit 2) when vx.toml exists here.
pub(crate) fn run(args: &InitArgs) -> Result<i32, Error> {
    let cwd = super::request::cwd()?;
    let path = cwd.join(MANIFEST_FILE);
    if path.symlink_metadata().is_ok() {
        return Err(Error::usage(format!(
            "{} exists already; `vx import` adds another manager's tools to it",
            path.display()
        )));
    }
    // A person's `mise.local.toml` is not the team's: `vx import` puts it into their
    // vx.local.toml once vx.toml exists.
    let files: Vec<_> = vx_ops::import::found_in(&cwd)
        .into_iter()
        .filter(|(_, file, _)| !vx_model::import::is_personal(file))
        .collect();
    if files.is_empty() {
        let text = vx_model::manifest::edit::starter(&vx_model::manifest::platform::default_set());
        vx_base::atomic::write(&path, text.as_bytes()).map_err(|e| {
            Error::environment(vx_base::exit::Because::new(
                format!("cannot write {}", path.display()),
                e,
            ))
        })?;
        // The user made this file: the hook and the shims apply what they add to it.
        // (A vx.toml imported from another manager's files is trusted by `vx trust`:
        // a stranger's mise.toml can carry an [env].)
        let _ = vx_engine::trust::set(&path, true);
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "created {}",
            vx_tui::text::sanitize(&path.display().to_string())
        )?;
        writeln!(
            out,
            "no version manager's file here to import; add tools with `vx use NAME` (adds, locks and installs)"
        )?;
        return Ok(OK);
    }
    let request = vx_ops::import::Request {
        path: &path,
        existing: None,
        layer: vx_ops::import::Layer::Project,
        files: &files,
        quiet: args.run.quiet,
        verbose: args.run.verbose,
        create: true,
    };
    // The names the files write are vx's runtimes and the user's.
    let session = vx_ops::session::Session::outside(
        &vx_ops::session::Opening::default().offline(args.offline),
    );
    let mut edited = vx_ops::import::edit(&session, &request)?;
    if let Some((text, code)) = crate::present::import::unwritten(&edited, &super::note) {
        super::print(&text)?;
        return Ok(code);
    }
    // A lock that fails leaves no vx.toml and no vx.lock.
    let snapshot = super::request::snapshot(&path)?;
    let options = super::request::lock_options(&args.run.run_args(), false, args.offline);
    let locked = vx_ops::import::write_and_lock(&mut edited, &options, &snapshot)?;
    // Said once it stands: a lock that failed put the files back.
    if locked.kept() {
        super::print(&crate::present::import::imported(&edited))?;
    }
    crate::present::import::settled(locked, &edited, &super::note)
}
