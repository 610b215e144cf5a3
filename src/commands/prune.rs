//! `vx prune [--dry-run]`: removes the store's versions that the project's vx.toml
//! does not use, the work directories of installs that were killed, and downloads
//! interrupted more than a week ago (`<store>/.partial`, see
//! [`vx::install::partial`]; a recent one is kept for the next sync to continue),
//! printing what goes and how much it frees. The store may be shared by other
//! projects: what they use and this one does not is removed too (`vx sync` there
//! installs it again).

use std::io::Write;

use vx::exit::Error;
use vx::inventory::{self, Prune};
use vx_tui::text::{age, bytes as human_bytes, sanitize};

use crate::cli::PruneArgs;

/// Runs `vx prune`.
pub fn run(args: &PruneArgs) -> Result<i32, Error> {
    let manifest = super::manifest(args.project.manifest.as_deref())?;
    let store = super::located_store(args.project.store.as_deref())?;
    let chain = super::toolchain(Some(&manifest), &[], &store)?;
    let plan = Prune::plan(&store, |tool, version| chain.uses(tool, version));
    let mut out = std::io::stdout().lock();
    if plan.is_empty() {
        writeln!(out, "nothing to prune in {}", store.display())?;
        return Ok(vx::exit::OK);
    }
    let verb = if args.dry_run {
        "would remove"
    } else {
        "removed"
    };
    let mut freed = 0u64;
    let mut code = vx::exit::OK;
    for item in &plan.versions {
        if args.dry_run {
            freed = freed.saturating_add(item.size);
        } else {
            match inventory::remove(&store, &item.tool, &item.version) {
                Ok(size) => freed = freed.saturating_add(size),
                Err(err) => {
                    vx::note!("vx: {}", sanitize(&vx::exit::Error::failed(err).report()));
                    code = vx::exit::FAILED;
                    continue;
                }
            }
        }
        writeln!(
            out,
            "{verb} {} {} ({})",
            item.tool,
            item.version,
            human_bytes(item.size)
        )?;
    }
    for (dir, size) in &plan.work {
        if !args.dry_run
            && let Err(err) = std::fs::remove_dir_all(dir)
        {
            vx::note!("vx: cannot remove {}: {err}", dir.display());
            code = vx::exit::FAILED;
            continue;
        }
        freed = freed.saturating_add(*size);
        writeln!(
            out,
            "{verb} {} ({}), left by an install that did not finish",
            dir.display(),
            human_bytes(*size)
        )?;
    }
    for stale in &plan.partials {
        if !args.dry_run {
            match stale.remove(&store) {
                Ok(true) => {}
                // A download took it up again meanwhile: it stays.
                Ok(false) => continue,
                Err(err) => {
                    vx::note!("vx: cannot remove {}: {err}", stale.path().display());
                    code = vx::exit::FAILED;
                    continue;
                }
            }
        }
        freed = freed.saturating_add(stale.size);
        writeln!(
            out,
            "{verb} {} ({}), an interrupted download last written {}",
            stale.path().display(),
            human_bytes(stale.size),
            age(stale.age.as_secs())
        )?;
    }
    let verb = if args.dry_run { "would free" } else { "freed" };
    writeln!(out, "{verb} {}", human_bytes(freed))?;
    Ok(code)
}
