//! What the commands say on stderr about a lock or sync run, shared by the commands
//! that lock or install (`vx lock`, `vx add`, `vx upgrade`, `vx import`, `vx sync`,
//! `vx use`, `vx exec`) and about a push (`vx mirror push`, `vx bundle export`):
//! output helpers, not commands.

use std::io::Write;

use vx::manifest::Platform;
use vx::project::LockReport;

/// Says what a lock run did: a warning for each tool whose one URL was locked for
/// several platforms, then what was locked for which platforms and what was not, each
/// with why. Shared by `vx lock` and `vx add`.
pub fn locked(report: &LockReport, lock_path: &std::path::Path, platforms: &[Platform]) {
    same_url(report);
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
pub fn same_url(report: &LockReport) {
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
pub fn relocked(report: &LockReport, manifest: &vx::manifest::Manifest) {
    if report.locked.is_empty() && report.failed.is_empty() {
        return;
    }
    let mut platforms: Vec<Platform> = report
        .locked
        .iter()
        .chain(&report.failed)
        .map(|(_, p)| p.clone())
        .collect();
    platforms.sort();
    platforms.dedup();
    same_url(report);
    not_locked(
        report,
        &platforms,
        "its entry of the version before stays in vx.lock, marked stale, until `vx lock` succeeds",
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

/// The final line of a push: what was sent where (a JSON object with `--json`), on
/// stdout. Shared by `vx mirror push` and `vx bundle export`.
pub fn pushed(pushed: &vx::fleet::push::Pushed, to: &str, json: bool) {
    let line = if json {
        serde_json::json!({
            "event": "pushed",
            "to": vx_tui::text::sanitize(to),
            "layers": pushed.layers,
            "sent": pushed.sent,
            "bytes": pushed.bytes,
            "skipped": pushed.skipped,
            "digest": pushed.digest,
            "tags": pushed.tags,
        })
        .to_string()
    } else {
        format!(
            "vx: {} of the lock to {}: {} sent ({}), {} already there; manifest {} tagged {}",
            vx_tui::text::count(pushed.layers as u64, "download"),
            vx_tui::text::sanitize(to),
            vx_tui::text::count(pushed.sent as u64, "blob"),
            vx_tui::text::bytes(pushed.bytes),
            pushed.skipped,
            pushed.digest,
            vx_tui::text::sanitize(&pushed.tags.join(", "))
        )
    };
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// An import's warning that the network failed (nothing answered), if it did.
pub fn unreachable(edited: &vx::ops::import::Edited) {
    if edited.unreachable {
        vx::note!(
            "vx: the network failed (nothing answered), so the entries that needed it were skipped and the rest is written; {}",
            vx::resolution::UNREACHABLE_HELP
        );
    }
}

/// An import that writes nothing: each entry's line (a registry alone is not
/// written, so not said), then that vx.toml is unchanged. Returns the exit code: 1
/// when entries were skipped.
pub fn not_imported(edited: &vx::ops::import::Edited) -> std::io::Result<i32> {
    let mut out = std::io::stdout().lock();
    for line in edited
        .lines
        .iter()
        .filter(|l| !l.starts_with("imported registry "))
    {
        writeln!(out, "{line}")?;
    }
    writeln!(
        out,
        "nothing imported; {} is unchanged",
        vx_tui::text::sanitize(&edited.path.display().to_string())
    )?;
    Ok(if edited.failed > 0 {
        vx::exit::FAILED
    } else {
        vx::exit::OK
    })
}

/// An import written: vx.toml created (if it was), then each entry's line.
pub fn imported(edited: &vx::ops::import::Edited) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if edited.created {
        writeln!(
            out,
            "created {}",
            vx_tui::text::sanitize(&edited.path.display().to_string())
        )?;
    }
    for line in &edited.lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// The entries an import skipped, counted (what was written stands: `vx init && vx
/// sync` goes on).
pub fn skipped(failed: usize) {
    if failed > 0 {
        vx::note!(
            "vx: {failed} entr{} skipped (the lines above say why); the rest is written",
            if failed == 1 { "y was" } else { "ies were" }
        );
    }
}

/// Says what became of an import's lock ([`vx::ops::import::write_and_lock`]) and
/// of the files it put back, and returns the exit code: a lock that only waits for
/// the network is a success with a note. Shared by `vx import` and `vx init`.
pub fn import_locked(
    settled: vx::ops::import::Settled,
    edited: &vx::ops::import::Edited,
) -> Result<i32, vx::exit::Error> {
    use vx::ops::import::Settled;
    match settled {
        Settled::Nothing => Ok(vx::exit::OK),
        Settled::Unreadable(e, put_back) => {
            restored(&put_back);
            Err(vx::exit::Error::usage(e))
        }
        Settled::Locked {
            report,
            platforms,
            restored: put_back,
        } => {
            if let Some(lock) = edited.lock_path() {
                locked(&report, &lock, &platforms);
            }
            if let Some(put_back) = put_back {
                restored(&put_back);
            }
            Ok(report.code)
        }
        Settled::Waiting(e) => {
            let e = vx::exit::Error::from(e);
            vx::note!(
                "vx: vx.lock is not filled yet: {e}; run `vx lock` when the publishers can be reached"
            );
            Ok(vx::exit::OK)
        }
        Settled::Failed(e, put_back) => {
            restored(&put_back);
            Err(e.into())
        }
    }
}

/// Says what a snapshot put back ([`vx::ops::snapshot::Snapshot::restore`]): the
/// files restored, and each that could not be, with why.
pub fn restored(restored: &vx::ops::snapshot::Restored) {
    for (path, e) in &restored.failed {
        vx::note!("vx: cannot put {} back as it was: {e}", path.display());
    }
    let put_back: Vec<String> = restored
        .put_back
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    if !put_back.is_empty() {
        let one = put_back.len() == 1;
        vx::note!(
            "vx: {} {} as {} before this command",
            put_back.join(" and "),
            if one { "is" } else { "are" },
            if one { "it was" } else { "they were" }
        );
    }
}

/// Says what `vx add` or `vx use` wrote ([`vx::ops::edit::Written`]) and returns its
/// exit code: each tool added or updated, then the lock; or, when a tool added could
/// not be locked, that nothing was written.
pub fn written(written: &vx::ops::edit::Written, path: &std::path::Path) -> i32 {
    use vx::ops::edit::Written;
    match written {
        Written::NotLocked { failed, code } => {
            vx::note!(
                "vx: {} could not be locked (the failures above say why); {} and {} are left as they were",
                failed.join(", "),
                path.display(),
                path.with_file_name(vx::manifest::LOCK_FILE).display()
            );
            if *code == vx::exit::OK {
                vx::exit::FAILED
            } else {
                *code
            }
        }
        Written::Locked {
            report,
            lock_path,
            platforms,
            added,
        } => {
            for added in added {
                let what = if added.new { "added" } else { "updated" };
                vx::note!("vx: {what} {} in {}", added.label, path.display());
            }
            locked(report, lock_path, platforms);
            report.code
        }
    }
}

/// What an exec target says ([`vx::ops::target::Say`]): its lines on stderr, a sync's
/// re-locking as [`relocked`] says it, and the shims refreshed after an install.
pub struct Said;

impl vx::ops::target::Say for Said {
    fn note(&self, line: &str) {
        vx::note!("{line}");
    }

    fn relocked(&self, report: &LockReport, manifest: &vx::manifest::Manifest) {
        relocked(report, manifest);
    }

    fn installed(&self, store: &std::path::Path) {
        super::refresh_shims(store);
    }
}
