//! What `vx prune` prints of its report ([`vx_ops::prune::Report`]): what was
//! removed (or would be), what is kept under `--dry-run`, and what it frees.

use vx_ops::prune::{Removed, Report};
use vx_text::{age, bytes, sanitize};

/// The report as the lines of stdout.
pub(crate) fn text(report: &Report, dry_run: bool) -> String {
    let mut out = String::new();
    for kept in &report.kept {
        let by: Vec<String> = kept.by.iter().map(|k| sanitize(k).into_owned()).collect();
        out.push_str(&format!(
            "would keep {} {}, used by {}\n",
            kept.tool,
            kept.version,
            by.join(", ")
        ));
    }
    if report.nothing {
        out.push_str(&format!("nothing to prune in {}\n", report.store.display()));
        return out;
    }
    let verb = if dry_run { "would remove" } else { "removed" };
    for removed in &report.removed {
        out.push_str(&match removed {
            Removed::Version {
                tool,
                version,
                size,
            } => format!("{verb} {tool} {version} ({})\n", bytes(*size)),
            Removed::Work { dir, size } => format!(
                "{verb} {} ({}), left by an install that did not finish\n",
                dir.display(),
                bytes(*size)
            ),
            Removed::State { project, size } => format!(
                "{verb} what vx kept of {} ({}), a project that is gone\n",
                sanitize(&project.to_string_lossy()),
                bytes(*size)
            ),
            Removed::Partial {
                path,
                size,
                age: ago,
            } => format!(
                "{verb} {} ({}), an interrupted download last written {}\n",
                path.display(),
                bytes(*size),
                age(ago.as_secs())
            ),
        });
    }
    let verb = if dry_run { "would free" } else { "freed" };
    out.push_str(&format!("{verb} {}\n", bytes(report.freed)));
    out
}
