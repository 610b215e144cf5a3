//! `vx sync`: install every tool of a manifest (or the demo's), in parallel, checked
//! against and recorded in `vx.lock`.

use vx::exit::Error;
use vx::install::store;
use vx::project::{LockMode, ProjectSync};

use crate::cli::SyncArgs;

/// Runs `vx sync`; a bad manifest, lock or store is a usage error (exit 2).
pub fn run(args: &SyncArgs) -> Result<i32, Error> {
    let mut settings = super::run_settings(&args.run);
    settings.dump = args.dump.clone();
    settings.allow_unverified = args.install.allow_unverified;
    settings.read_timeout_secs = Some(args.install.read_timeout);
    if args.demo {
        return vx::demo::run(&settings).map_err(Error::environment);
    }
    let manifest = super::manifest(args.manifest.as_deref())?;
    settings.network = super::project_network(&manifest)?;
    let mode = if args.frozen {
        LockMode::Frozen
    } else if args.locked {
        LockMode::Locked
    } else {
        LockMode::Update
    };
    let sync = ProjectSync::plan(
        &manifest,
        mode,
        &super::resolver(&manifest, false, args.run.quiet),
    )
    .map_err(super::project_error)?;
    not_here(&sync.plan.not_here);
    let store = store::prepare(args.install.store.clone()).map_err(Error::usage)?;
    let outcome = sync.run(&store, &settings).map_err(super::project_error)?;
    tell_relocked(&outcome.relocked, &manifest);
    Ok(outcome.code)
}

/// Names the tools whose `os` leaves this platform out: skipped, not failed.
pub fn not_here(tools: &[String]) {
    if !tools.is_empty() {
        vx::note!(
            "vx: not for {}: {} (their `os` leaves it out)",
            vx::manifest::Platform::current(),
            tools.join(", ")
        );
    }
}

/// After a sync that re-locked a tool's other platforms: what it locked, what not.
pub fn tell_relocked(report: &vx::project::LockReport, manifest: &vx::manifest::Manifest) {
    if report.locked.is_empty() && report.failed.is_empty() {
        return;
    }
    let mut platforms: Vec<vx::manifest::Platform> = report
        .locked
        .iter()
        .chain(&report.failed)
        .map(|(_, p)| p.clone())
        .collect();
    platforms.sort();
    platforms.dedup();
    super::lock::warn_same_url(report);
    super::lock::not_locked(
        report,
        &platforms,
        "the failures above say why; its entry of the version before stays in vx.lock, marked stale, until `vx lock` succeeds",
    );
    let mut tools: Vec<&str> = report.locked.iter().map(|(t, _)| t.as_str()).collect();
    tools.sort_unstable();
    tools.dedup();
    let mut places: Vec<String> = report.locked.iter().map(|(_, p)| p.to_string()).collect();
    places.sort();
    places.dedup();
    if !tools.is_empty() {
        vx::note!(
            "vx: re-locked {} for {} too: {} keeps every platform it covered",
            tools.join(", "),
            places.join(", "),
            manifest.lock_path().display()
        );
    }
}
