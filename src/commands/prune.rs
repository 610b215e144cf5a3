//! `vx prune [--dry-run] [--all]`: removes the store's versions that no project using
//! the store pins, the work directories of installs that were killed, and downloads
//! interrupted more than a week ago (`<store>/.partial`, see
//! [`vx::install::partial`]; a recent one is kept for the next sync to continue),
//! printing what goes and how much it frees.
//!
//! The store is shared: a version this project does not use is kept while another
//! project that synced into the store (or the global toolset) pins it
//! ([`vx::tracked::pins`]); `--all` removes it regardless. `--dry-run` also says what
//! is kept and who keeps it. A prune waits for no sync: while one runs, it refuses
//! (exit 1) rather than race it.

use std::io::Write;

use vx::exit::Error;
use vx::ops::prune::{self, Removed, Report, Request};
use vx_tui::text::{age, bytes as human_bytes, sanitize};

use crate::cli::PruneArgs;

/// Runs `vx prune`.
pub fn run(args: &PruneArgs) -> Result<i32, Error> {
    let session = super::open(
        &vx::session::Opening::new(args.project.manifest.as_deref(), vx::session::Want::Project)
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
        vx::note!("vx: {}", sanitize(&Error::failed(failure).report()));
    }
    print(&report, args.dry_run)?;
    if !args.dry_run && !report.nothing {
        // The commands of what was removed lose their shims.
        super::refresh_shims(&report.store);
    }
    Ok(match failed {
        true => vx::exit::FAILED,
        false => vx::exit::OK,
    })
}

/// What was removed (or would be), what is kept under `--dry-run`, and what it frees.
fn print(report: &Report, dry_run: bool) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    for kept in &report.kept {
        let by: Vec<String> = kept.by.iter().map(|k| sanitize(k).into_owned()).collect();
        writeln!(
            out,
            "would keep {} {}, used by {}",
            kept.tool,
            kept.version,
            by.join(", ")
        )?;
    }
    if report.nothing {
        writeln!(out, "nothing to prune in {}", report.store.display())?;
        return Ok(());
    }
    let verb = if dry_run { "would remove" } else { "removed" };
    for removed in &report.removed {
        match removed {
            Removed::Version {
                tool,
                version,
                size,
            } => writeln!(out, "{verb} {tool} {version} ({})", human_bytes(*size))?,
            Removed::Work { dir, size } => writeln!(
                out,
                "{verb} {} ({}), left by an install that did not finish",
                dir.display(),
                human_bytes(*size)
            )?,
            Removed::Partial {
                path,
                size,
                age: ago,
            } => writeln!(
                out,
                "{verb} {} ({}), an interrupted download last written {}",
                path.display(),
                human_bytes(*size),
                age(ago.as_secs())
            )?,
        }
    }
    let verb = if dry_run { "would free" } else { "freed" };
    writeln!(out, "{verb} {}", human_bytes(report.freed))?;
    Ok(())
}
