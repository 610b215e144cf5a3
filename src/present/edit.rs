//! What `vx add`, `vx use` and `vx upgrade` say of their edit of vx.toml
//! ([`vx_ops::edit`]), and what a snapshot put back when a command failed
//! ([`vx_ops::snapshot`]), through the caller's `note` (stderr).

use std::path::Path;

use vx_base::exit::{FAILED, OK};
use vx_ops::edit::{Upgraded, Written};
use vx_ops::snapshot::Restored;

/// Says what `vx add` or `vx use` wrote and returns its exit code: each tool added or
/// updated, then the lock; or, when a tool added could not be locked, that nothing
/// was written.
pub(crate) fn written(written: &Written, path: &Path, note: &dyn Fn(&str)) -> i32 {
    match written {
        Written::NotLocked { failed, code } => {
            note(&format!(
                "vx: {} could not be locked (the failures above say why); {} and {} are left as they were",
                failed.join(", "),
                path.display(),
                path.with_file_name(vx_model::manifest::LOCK_FILE).display()
            ));
            if *code == OK { FAILED } else { *code }
        }
        Written::Locked {
            report,
            lock_path,
            platforms,
            added,
        } => {
            for added in added {
                let what = if added.new { "added" } else { "updated" };
                note(&format!("vx: {what} {} in {}", added.label, path.display()));
            }
            super::lock::locked(report, lock_path, platforms, note);
            report.code
        }
    }
}

/// Says what `vx upgrade` locked and which versions moved.
pub(crate) fn upgraded(upgraded: &Upgraded, note: &dyn Fn(&str)) {
    let Upgraded {
        report,
        lock_path,
        platforms,
        versions,
    } = upgraded;
    super::lock::locked(report, lock_path, platforms, note);
    for (name, old, new) in versions {
        match (old.as_deref(), new.as_deref()) {
            (Some(old), Some(new)) if old != new => {
                note(&format!("vx: upgraded {name} {old} → {new}"));
            }
            (_, Some(new)) => {
                note(&format!(
                    "vx: {name} {new} is the newest its constraint allows"
                ));
            }
            _ => {}
        }
    }
}

/// Says what a snapshot put back: the files restored, and each that could not be,
/// with why.
pub(crate) fn restored(restored: &Restored, note: &dyn Fn(&str)) {
    for (path, e) in &restored.failed {
        note(&format!(
            "vx: cannot put {} back as it was: {e}",
            path.display()
        ));
    }
    let put_back: Vec<String> = restored
        .put_back
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    if !put_back.is_empty() {
        let one = put_back.len() == 1;
        note(&format!(
            "vx: {} {} as {} before this command",
            put_back.join(" and "),
            if one { "is" } else { "are" },
            if one { "it was" } else { "they were" }
        ));
    }
}
