//! `vx lock`: record each tool's download per platform in `vx.lock`, downloading what
//! the manifest gives no checksum for; `--check` only says whether that would change
//! anything.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use vx::exit::{Error, FAILED, OK};
use vx::lock::Lock;
use vx::manifest::{Manifest, Platform};
use vx::project::{self, LockReport};
use vx::runtime::catalogue::Catalogue;

use crate::cli::LockArgs;

/// The platforms to lock: `explicit` (`--platform`) when given, else the manifest's
/// `[settings] platforms`, else this machine's.
pub fn platforms(explicit: &[Platform], manifest: &Manifest) -> Vec<Platform> {
    if !explicit.is_empty() {
        explicit.to_vec()
    } else if !manifest.platforms.is_empty() {
        manifest.platforms.clone()
    } else {
        vec![Platform::current()]
    }
}

/// Runs `vx lock`.
pub fn run(args: &LockArgs) -> Result<i32, Error> {
    let session = super::open(&vx::session::Opening {
        refresh: true,
        ..vx::session::Opening::new(args.manifest.as_deref(), vx::session::Want::Project)
    })?;
    let manifest = session.project().map_err(super::session_error)?;
    let catalogue = session.catalogue();
    let lock_path = manifest.lock_path();
    let existing = match Lock::load(&lock_path) {
        Ok(existing) => existing,
        // A lock whose content cannot be read (a merge's conflict markers) is what
        // `vx lock` is for: every other command sends the user here, so this one
        // starts afresh and says so (what the old file pinned is not kept), as cargo
        // and npm regenerate theirs. `--check` and `--dry-run` only tell.
        // Not through a link, though: the lock is written where a link points, and a
        // file that is no lock (`vx.lock -> ~/.bashrc` in a cloned repository) is not
        // vx's to overwrite.
        Err(e) if std::fs::symlink_metadata(&lock_path).is_ok_and(|m| m.is_symlink()) => {
            return Err(Error::usage(format!(
                "{e}; {} is a link, and vx does not write over what it points to when that cannot be read as a lock: fix the file it points to, or remove the link",
                lock_path.display()
            )));
        }
        Err(e) if !args.check && !args.dry_run && e.invalid_content().is_some() => {
            vx::note!(
                "vx: warning: {}: every tool is resolved anew from {} and the lock written again (what it pinned is not kept)",
                vx_tui::text::sanitize(&e.invalid_content().unwrap_or_default()),
                manifest.path.display()
            );
            None
        }
        Err(e) => return Err(Error::usage(e)),
    };
    let platforms = platforms(&args.platforms, manifest);
    let names: Vec<String> = platforms.iter().map(Platform::to_string).collect();
    if args.check {
        let stale = project::stale(manifest, existing.as_ref(), catalogue, &platforms);
        let shown = vx_tui::text::sanitize(&lock_path.display().to_string()).into_owned();
        let mut out = std::io::stdout().lock();
        return if existing.is_none() {
            writeln!(out, "{shown} is missing; run `vx lock`")?;
            Ok(FAILED)
        } else if stale.is_empty() {
            writeln!(out, "{shown} is up to date for {}", names.join(", "))?;
            Ok(OK)
        } else {
            writeln!(
                out,
                "{shown} is stale for {} ({}); run `vx lock`",
                stale.join(", "),
                names.join(", ")
            )?;
            Ok(FAILED)
        };
    }
    let mut lock = existing.unwrap_or_default();
    if args.dry_run {
        return dry_run(manifest, catalogue, lock, &platforms, args);
    }
    let code = relock_and_write(
        manifest,
        catalogue,
        &mut lock,
        &platforms,
        &args.run,
        args.allow_provenance_loss,
        false,
    )?;
    if code == OK {
        list_platforms(manifest, &args.platforms)?;
    }
    Ok(code)
}

/// Adds the platforms `--platform` locked to vx.toml's `[settings] platforms`, so the
/// next `vx lock` (and every machine's) keeps them: a vx.toml without the list gets one
/// with this machine's platform too, which was what it meant without one. Said once.
fn list_platforms(manifest: &Manifest, locked: &[Platform]) -> Result<(), Error> {
    let mut wanted: Vec<Platform> = Vec::new();
    let here = (manifest.platforms.is_empty() && !locked.is_empty()).then(Platform::current);
    for platform in here.iter().chain(locked) {
        if !manifest.platforms.contains(platform) && !wanted.contains(platform) {
            wanted.push(platform.clone());
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let path = &manifest.path;
    let cannot = |e: &dyn std::fmt::Display| {
        Error::usage(format!(
            "{}: cannot add {} to [settings] platforms: {e}",
            path.display(),
            wanted
                .iter()
                .map(Platform::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    };
    let mut text = vx::bounded_read::read_to_string(path, vx::manifest::MAX_MANIFEST_BYTES)
        .map_err(|e| cannot(&e))?;
    for platform in &wanted {
        text = vx::manifest::edit::add_platform(&text, &platform.to_string())
            .map_err(|e| cannot(&e))?
            .0;
    }
    Manifest::parse(path, &text).map_err(|e| cannot(&e))?;
    vx::atomic::write(path, text.as_bytes()).map_err(|e| cannot(&e))?;
    vx::note!(
        "vx: added {} to [settings] platforms in {}",
        wanted
            .iter()
            .map(Platform::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        path.display()
    );
    Ok(())
}

/// Fills `lock` for `platforms` (registry tools resolved where the lock does not pin
/// them), writes it beside `manifest`, says what was done and returns the exit code:
/// `vx lock`, and `vx add`, `vx upgrade` and `vx import` after their edits (`offline`:
/// from the cache only, as `--offline` asks).
pub fn relock_and_write(
    manifest: &Manifest,
    catalogue: &Arc<Catalogue>,
    lock: &mut Lock,
    platforms: &[Platform],
    run: &crate::cli::RunArgs,
    allow_provenance_loss: bool,
    offline: bool,
) -> Result<i32, Error> {
    let lock_path = manifest.lock_path();
    let report = relock(
        manifest,
        catalogue,
        lock,
        platforms,
        run,
        allow_provenance_loss,
        offline,
    )?;
    lock.write_for(manifest).map_err(super::lock_write_error)?;
    tell(&report, &lock_path, platforms);
    Ok(report.code)
}

/// [`relock_and_write`] without the writing and the telling: `lock` filled in memory,
/// for a caller that writes only when the result is what it wanted (`vx add`).
pub fn relock(
    manifest: &Manifest,
    catalogue: &Arc<Catalogue>,
    lock: &mut Lock,
    platforms: &[Platform],
    run: &crate::cli::RunArgs,
    allow_provenance_loss: bool,
    offline: bool,
) -> Result<LockReport, Error> {
    let mut resolver = on_demand(manifest, catalogue, offline, run.quiet);
    resolver.options.verbose = run.verbose;
    resolver.options.allow_provenance_loss = allow_provenance_loss;
    let mut settings = vx::sync::Settings {
        network: super::project_network(manifest)?,
        ..super::run_settings(run)
    };
    // Only an explicit `--offline` keeps the lock's downloads from the network, as
    // before `vx import` passed one.
    settings.offline = offline;
    project::relock(manifest, catalogue, lock, platforms, &settings, &resolver)
        .map_err(super::project_error)
}

/// What resolves `manifest`'s registry tools (as edited by the command) through its
/// network settings and `catalogue`'s runtimes (`offline`, or `VX_OFFLINE=1`: only
/// what is cached).
fn on_demand(
    manifest: &Manifest,
    catalogue: &Arc<Catalogue>,
    offline: bool,
    quiet: bool,
) -> vx::resolution::OnDemand {
    vx::resolution::OnDemand {
        options: vx::resolution::Options {
            project: manifest.network.clone(),
            ..vx::resolution::Options::from_env(offline, quiet)
        },
        catalogue: Arc::clone(catalogue),
    }
}

/// `vx lock --dry-run`: every tool resolved for `platforms` as a lock run would (the
/// registries and GitHub asked, checksum files read), printed per tool and platform
/// with where its checksum would come from; no archive downloaded, nothing written.
fn dry_run(
    manifest: &Manifest,
    catalogue: &Arc<Catalogue>,
    mut lock: Lock,
    platforms: &[Platform],
    args: &LockArgs,
) -> Result<i32, Error> {
    let mut resolver = on_demand(manifest, catalogue, false, args.run.json || args.run.quiet);
    resolver.options.verbose = args.run.verbose;
    let pinned = project::pin_for(manifest, catalogue, &mut lock, platforms, &resolver)
        .map_err(super::project_error)?;
    let mut tools = Vec::new();
    let mut text = Vec::new();
    for tool in &pinned.tools {
        let entry = lock.tools.get(&tool.name);
        let mut per_platform = serde_json::Map::new();
        writeln!(
            text,
            "{} {}{}",
            tool.name,
            tool.version,
            entry
                .and_then(|e| e.package.as_deref())
                .map(|p| format!(" ({p})"))
                .unwrap_or_default()
        )?;
        for platform in tool.platforms_of(platforms) {
            let value = match tool.resolve(platform) {
                Ok(spec) => {
                    let source = match lock.fresh(tool, platform) {
                        Some(asset) => asset.checksum.clone().unwrap_or_else(|| "lock".to_owned()),
                        None if spec.sha256.is_some() => "manifest".to_owned(),
                        None => "download".to_owned(),
                    };
                    writeln!(text, "  {platform}: {} (checksum: {source})", spec.url)?;
                    serde_json::json!({ "url": spec.url, "checksum_source": source })
                }
                Err(e) => {
                    let reason = match &e {
                        vx::manifest::ResolveError::Unsupported { reason, .. } => reason.clone(),
                        other => other.to_string(),
                    };
                    writeln!(text, "  {platform}: unsupported: {reason}")?;
                    serde_json::json!({ "unsupported": reason })
                }
            };
            per_platform.insert(platform.to_string(), value);
        }
        tools.push(serde_json::json!({
            "name": tool.name,
            "package": entry.and_then(|e| e.package.clone()),
            "version": tool.version,
            "platforms": per_platform,
        }));
    }
    let mut out = std::io::stdout().lock();
    if args.run.json {
        writeln!(out, "{}", serde_json::json!({ "tools": tools }))?;
    } else {
        out.write_all(
            &vx_tui::text::sanitize(&String::from_utf8_lossy(&text))
                .into_owned()
                .into_bytes(),
        )?;
    }
    Ok(OK)
}

/// Says what a lock run did: a warning for each tool whose one URL was locked for
/// several platforms, then what was locked for which platforms and what was not, each
/// with why. Shared by `vx lock` and `vx add`.
pub fn tell(report: &LockReport, lock_path: &Path, platforms: &[Platform]) {
    warn_same_url(report);
    let (whole, partial) = not_locked(report, platforms, "run `vx lock` again once that is fixed");
    let list = |ps: &[&Platform]| {
        ps.iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (whole.is_empty(), partial.is_empty()) {
        (_, true) => vx::note!("vx: locked {} for {}", lock_path.display(), list(&whole)),
        (true, false) => vx::note!(
            "vx: {} is incomplete for {}",
            lock_path.display(),
            list(&partial)
        ),
        (false, false) => vx::note!(
            "vx: locked {} for {}; incomplete for {}",
            lock_path.display(),
            list(&whole),
            list(&partial)
        ),
    }
}

/// One warning per tool whose one URL was locked for several platforms.
pub fn warn_same_url(report: &LockReport) {
    for (tool, locked_for) in &report.same_url {
        let names: Vec<String> = locked_for.iter().map(Platform::to_string).collect();
        vx::note!(
            "vx: warning: {tool} has one url for {} (no {{os}} or {{arch}} in it): the same download is locked for each; if it runs on some only, list them with `os = [...]` in its table",
            names.join(", ")
        );
    }
}

/// Names, per platform, the tools not locked there, each with its reason (`why`, in
/// brackets, says what follows for them all), and returns `platforms` split into those
/// locked whole and the others.
pub fn not_locked<'p>(
    report: &LockReport,
    platforms: &'p [Platform],
    why: &str,
) -> (Vec<&'p Platform>, Vec<&'p Platform>) {
    let failed_on = |p: &Platform| -> Vec<&str> {
        report
            .failed
            .iter()
            .filter(|(_, q)| q == p)
            .map(|(t, _)| t.as_str())
            .collect()
    };
    let (whole, partial): (Vec<&Platform>, Vec<&Platform>) =
        platforms.iter().partition(|p| failed_on(p).is_empty());
    for platform in &partial {
        for tool in failed_on(platform) {
            let reason = report
                .why_failed(tool, platform)
                .unwrap_or("its download or install failed");
            vx::note!(
                "vx: not locked for {platform}: {tool}: {} ({why})",
                vx_tui::text::sanitize(reason)
            );
        }
    }
    (whole, partial)
}
