//! `vx lock`: record each tool's download per platform in `vx.lock`, downloading what
//! the manifest gives no checksum for; `--check` only says whether that would change
//! anything; `--dry-run` what it would record ([`vx_ops::lock`] does the work).

use vx_base::exit::{Error, FAILED, OK};
use vx_model::manifest::Platform;
use vx_ops::lock as op;
use vx_ops::session::{Opening, Want};

use crate::cli::LockArgs;

/// Runs `vx lock`.
pub(crate) fn run(args: &LockArgs) -> Result<i32, Error> {
    let session = super::open(&Opening {
        refresh: true,
        store: args.store.clone(),
        ..Opening::new(args.manifest.as_deref(), Want::Project)
    })?;
    let manifest = session.project()?;
    let catalogue = session.catalogue();
    let lock_path = manifest.lock_path();
    let existing = op::existing(manifest, !args.check && !args.dry_run)?;
    if let Some(reason) = &existing.set_aside {
        vx_base::note!(
            "vx: warning: {}: every tool is resolved anew from {} and the lock written again (what it pinned is not kept)",
            vx_tui::text::sanitize(reason),
            manifest.path.display()
        );
    }
    let platforms = op::platforms(&args.platforms, manifest);
    if args.check {
        let checked = op::check(manifest, catalogue, existing.lock.as_ref(), &platforms);
        let (text, fresh) = crate::present::lock::checked(&checked, &lock_path, &platforms);
        super::print(&text)?;
        return Ok(if fresh { OK } else { FAILED });
    }
    let mut lock = existing.lock.unwrap_or_default();
    if args.dry_run {
        let options = op::Options {
            quiet: args.run.json || args.run.quiet,
            allow_provenance_loss: false,
            offline: false,
            store: args.store.clone(),
            ..super::request::lock_options(&args.run, false, false)
        };
        let tools = op::dry_run(manifest, catalogue, lock, &platforms, &options)?;
        super::print(&crate::present::lock::dry_run(&tools, args.run.json))?;
        return Ok(OK);
    }
    let options = vx_ops::lock::Options {
        store: args.store.clone(),
        ..super::request::lock_options(&args.run, args.allow_provenance_loss, false)
    };
    let report = op::relock_and_write(manifest, catalogue, &mut lock, &platforms, &options)?;
    crate::present::lock::locked(&report, &lock_path, &platforms, &super::note);
    if report.code == OK {
        let added = op::list_platforms(manifest, &args.platforms)?;
        if !added.is_empty() {
            vx_base::note!(
                "vx: added {} to [settings] platforms in {}",
                added
                    .iter()
                    .map(Platform::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                manifest.path.display()
            );
        }
    }
    Ok(report.code)
}
