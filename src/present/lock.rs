//! What a lock run says ([`vx_project::plan::LockReport`]): what was locked for which
//! platforms and what was not, each with why, for `vx lock`, `vx add`, `vx use`,
//! `vx upgrade`, `vx import`, `vx init`, and a sync that re-locked other platforms;
//! and `vx lock --check`'s and `--dry-run`'s answers. Lines go to the caller's `note`
//! (stderr) or come back as text (stdout).

use std::io::Write;
use std::path::Path;

use vx_model::manifest::{Manifest, Platform};
use vx_ops::lock::{Checked, DryPlatform, DryTool};
use vx_project::plan::LockReport;

/// What a lock run did: a warning for each tool whose one URL was locked for several
/// platforms, then what was locked for which platforms and what was not, each with why.
pub(crate) fn locked(
    report: &LockReport,
    lock_path: &Path,
    platforms: &[Platform],
    note: &dyn Fn(&str),
) {
    same_url(report, note);
    let why = "run `vx lock` again once that is fixed";
    let (whole, partial) = not_locked(report, platforms, why, note);
    let list = |ps: &[&Platform]| {
        ps.iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let lock = lock_path.display();
    note(&match (whole.is_empty(), partial.is_empty()) {
        (_, true) => format!("vx: locked {lock} for {}", list(&whole)),
        (true, false) => format!("vx: {lock} is incomplete for {}", list(&partial)),
        (false, false) => format!(
            "vx: locked {lock} for {}; incomplete for {}",
            list(&whole),
            list(&partial)
        ),
    });
}

/// One warning per tool whose one URL was locked for several platforms.
pub(crate) fn same_url(report: &LockReport, note: &dyn Fn(&str)) {
    for (tool, locked_for) in &report.same_url {
        let names: Vec<String> = locked_for.iter().map(Platform::to_string).collect();
        note(&format!(
            "vx: warning: {tool} has one url for {} (no {{os}} or {{arch}} in it): the same download is locked for each; if it runs on some only, list them with `os = [...]` in its table",
            names.join(", ")
        ));
    }
}

/// Names, per platform, the tools not locked there, each with its reason (`why`, in
/// brackets, says what follows for them all), and returns `platforms` split into those
/// locked whole and the others.
pub(crate) fn not_locked<'p>(
    report: &LockReport,
    platforms: &'p [Platform],
    why: &str,
    note: &dyn Fn(&str),
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
            let reason = vx_text::sanitize(reason);
            note(&format!(
                "vx: not locked for {platform}: {tool}: {reason} ({why})"
            ));
        }
    }
    (whole, partial)
}

/// Names the tools whose `os` leaves this platform out: skipped, not failed.
pub(crate) fn not_here(tools: &[String], note: &dyn Fn(&str)) {
    if !tools.is_empty() {
        note(&format!(
            "vx: not for {}: {} (their `os` leaves it out)",
            Platform::current(),
            tools.join(", ")
        ));
    }
}

/// After a sync that re-locked a tool's other platforms: what it locked, what not.
pub(crate) fn relocked(report: &LockReport, manifest: &Manifest, note: &dyn Fn(&str)) {
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
    same_url(report, note);
    let why =
        "its entry of the version before stays in vx.lock, marked stale, until `vx lock` succeeds";
    not_locked(report, &platforms, why, note);
    let mut tools: Vec<&str> = report.locked.iter().map(|(t, _)| t.as_str()).collect();
    tools.sort_unstable();
    tools.dedup();
    let mut places: Vec<String> = report.locked.iter().map(|(_, p)| p.to_string()).collect();
    places.sort();
    places.dedup();
    if !tools.is_empty() {
        note(&format!(
            "vx: re-locked {} for {} too: {} keeps every platform it covered",
            tools.join(", "),
            places.join(", "),
            manifest.lock_path().display()
        ));
    }
}

/// `vx lock --check`'s line for the lock at `lock_path` and `platforms`, and whether
/// the lock is up to date.
pub(crate) fn checked(
    checked: &Checked,
    lock_path: &Path,
    platforms: &[Platform],
) -> (String, bool) {
    let shown = vx_text::sanitize(&lock_path.display().to_string()).into_owned();
    let names: Vec<String> = platforms.iter().map(Platform::to_string).collect();
    match checked {
        Checked::Missing => (format!("{shown} is missing; run `vx lock`\n"), false),
        Checked::UpToDate => (
            format!("{shown} is up to date for {}\n", names.join(", ")),
            true,
        ),
        Checked::Stale(stale) => (
            format!(
                "{shown} is stale for {} ({}); run `vx lock`\n",
                stale.join(", "),
                names.join(", ")
            ),
            false,
        ),
    }
}

/// `vx lock --dry-run`'s answer: per tool and platform, what would be downloaded and
/// where its checksum would come from (text, or one JSON object).
pub(crate) fn dry_run(tools: &[DryTool], json: bool) -> String {
    if json {
        let tools: Vec<serde_json::Value> = tools.iter().map(dry_tool_json).collect();
        return format!("{}\n", serde_json::json!({ "tools": tools }));
    }
    let mut text = Vec::new();
    for tool in tools {
        let package = tool.package.as_deref().map(|p| format!(" ({p})"));
        let _ = writeln!(
            text,
            "{} {}{}",
            tool.name,
            tool.version,
            package.unwrap_or_default()
        );
        for (platform, what) in &tool.platforms {
            let _ = match what {
                DryPlatform::Download {
                    url,
                    checksum_source,
                } => writeln!(text, "  {platform}: {url} (checksum: {checksum_source})"),
                DryPlatform::Unsupported(reason) => {
                    writeln!(text, "  {platform}: unsupported: {reason}")
                }
            };
        }
    }
    // Each line sanitized on its own: what a registry or publisher sent cannot move the
    // terminal, and the lines stay lines.
    String::from_utf8_lossy(&text)
        .lines()
        .map(|line| format!("{}\n", vx_text::sanitize(line)))
        .collect()
}

/// One tool of `--dry-run --json`.
fn dry_tool_json(tool: &DryTool) -> serde_json::Value {
    let platforms: serde_json::Map<String, serde_json::Value> = tool
        .platforms
        .iter()
        .map(|(platform, what)| {
            let value = match what {
                DryPlatform::Download {
                    url,
                    checksum_source,
                } => serde_json::json!({ "url": url, "checksum_source": checksum_source }),
                DryPlatform::Unsupported(reason) => serde_json::json!({ "unsupported": reason }),
            };
            (platform.to_string(), value)
        })
        .collect();
    serde_json::json!({
        "name": tool.name,
        "package": tool.package,
        "version": tool.version,
        "platforms": platforms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    fn said(f: impl FnOnce(&dyn Fn(&str))) -> Vec<String> {
        let lines = RefCell::new(Vec::new());
        f(&|line: &str| lines.borrow_mut().push(line.to_owned()));
        lines.into_inner()
    }

    #[test]
    fn a_lock_run_names_what_it_could_not_lock_and_why() {
        let (linux, mac): (Platform, Platform) = (
            "linux-x86_64".parse().unwrap(),
            "macos-aarch64".parse().unwrap(),
        );
        let report = LockReport {
            locked: vec![("rg".into(), linux.clone())],
            failed: vec![("rg".into(), mac.clone())],
            why_failed: vec![("rg".into(), mac.clone(), "HTTP 404".into())],
            ..LockReport::default()
        };
        let lines = said(|note| locked(&report, Path::new("vx.lock"), &[linux, mac], note));
        assert_eq!(
            lines,
            [
                "vx: not locked for macos-aarch64: rg: HTTP 404 (run `vx lock` again once that is fixed)",
                "vx: locked vx.lock for linux-x86_64; incomplete for macos-aarch64",
            ]
        );
    }

    #[test]
    fn a_dry_run_s_lines_are_made_safe_one_by_one() {
        let tools = [DryTool {
            name: "rg".into(),
            version: "14.1.1".into(),
            package: Some("BurntSushi/ripgrep".into()),
            platforms: vec![(
                "linux-x86_64".parse().unwrap(),
                DryPlatform::Unsupported("no \x1b[31masset".into()),
            )],
        }];
        assert_eq!(
            dry_run(&tools, false),
            "rg 14.1.1 (BurntSushi/ripgrep)\n  linux-x86_64: unsupported: no \\x1b[31masset\n"
        );
    }
}
