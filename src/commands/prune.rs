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
use vx::inventory::{self, Prune};
use vx::tracked::Pins;
use vx_tui::text::{age, bytes as human_bytes, sanitize};

use crate::cli::PruneArgs;

/// Runs `vx prune`.
pub fn run(args: &PruneArgs) -> Result<i32, Error> {
    let session = super::open(&vx::session::Opening::new(
        args.project.manifest.as_deref(),
        vx::session::Want::Project,
    ))?;
    let manifest = session.project().map_err(super::session_error)?;
    let store = super::located_store(args.project.store.as_deref())?;
    // The project's own tools: the global toolset's are kept as its own (below),
    // and not at all under --all.
    let chain = session
        .own_toolchain(&store)
        .map_err(super::toolchain_error)?;
    // Held to the end: no sync installs into the store meanwhile.
    // (A store that does not exist holds nothing, and is not created for it.)
    let hold = match store.is_dir() {
        true => vx::tracked::try_hold_exclusive(&store),
        false => Ok(None),
    };
    let _hold = match hold {
        Ok(Some(hold)) => Some(hold),
        Ok(None) if !store.is_dir() => None,
        Ok(None) => {
            return Err(Error::environment(format!(
                "a vx sync is installing into {}; run vx prune when it is done",
                store.display()
            )));
        }
        Err(err) => {
            return Err(Error::environment(vx::exit::Because::new(
                format!("cannot lock the store {}", store.display()),
                err,
            )));
        }
    };
    let pins = if args.all {
        Pins::default()
    } else {
        vx::tracked::pins(&store, Some(&manifest.path)).map_err(Error::environment)?
    };
    let plan = Prune::plan(&store, |tool, version| {
        chain.uses(tool, version) || !pins.keepers(tool, version).is_empty()
    });
    let mut out = std::io::stdout().lock();
    if args.dry_run {
        kept(&mut out, &store, &chain, &pins)?;
    }
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
    if !args.dry_run {
        // The commands of what was removed lose their shims.
        super::refresh_shims(&store);
    }
    Ok(code)
}

/// `--dry-run`'s account of what stays: each installed version this project or
/// another keeps, and who.
fn kept(
    out: &mut impl Write,
    store: &std::path::Path,
    chain: &vx::toolchain::Toolchain,
    pins: &Pins,
) -> std::io::Result<()> {
    for item in inventory::scan(store) {
        let mut who: Vec<String> = Vec::new();
        if chain.uses(&item.tool, &item.version) {
            who.push("this project".to_owned());
        }
        who.extend(
            pins.keepers(&item.tool, &item.version)
                .iter()
                .map(|k| sanitize(&k.to_string()).into_owned()),
        );
        if !who.is_empty() {
            writeln!(
                out,
                "would keep {} {}, used by {}",
                item.tool,
                item.version,
                who.join(", ")
            )?;
        }
    }
    Ok(())
}
