//! `vx prune [--dry-run] [--all]`: removes the store's versions that no project using
//! the store pins, the work directories of installs that were killed, downloads
//! interrupted more than a week ago (`<store>/.partial`, see
//! `vx_engine::install::partial`; a recent one is kept for the next sync to continue),
//! and what `vx run` kept of projects whose directory is gone
//! ([`vx_tasks::state`]), printing what goes and how much it frees.
//!
//! The store is shared: a version this project does not use is kept while another
//! project that synced into the store (or the global toolset) pins it
//! ([`vx_engine::tracked::pins`]); `--all` removes it regardless. `--dry-run` also says what
//! is kept and who keeps it. A prune waits for no sync: while one runs, it refuses
//! (exit 1) rather than race it.

use vx_base::exit::Error;
use vx_ops::prune::{self, Request};
use vx_tui::text::sanitize;

use crate::cli::PruneArgs;

/// Runs `vx prune`.
pub(crate) fn run(args: &PruneArgs) -> Result<i32, Error> {
    let session = super::open(
        &vx_ops::session::Opening::new(
            args.project.manifest.as_deref(),
            vx_ops::session::Want::Project,
        )
        .store(args.project.store.as_deref()),
    )?;
    let request = Request {
        dry_run: args.dry_run,
        all: args.all,
    };
    let mut report = prune::prune(&session, &request)?;
    let failures = std::mem::take(&mut report.failures);
    let failed = !failures.is_empty();
    for failure in failures {
        vx_base::note!("vx: {}", sanitize(&Error::failed(failure).report()));
    }
    super::print(&crate::present::prune::text(&report, args.dry_run))?;
    if !args.dry_run && !report.nothing {
        // The commands of what was removed lose their shims.
        super::refresh_shims(&report.store);
    }
    Ok(match failed {
        true => vx_base::exit::FAILED,
        false => vx_base::exit::OK,
    })
}
