//! What `vx cache size` and `vx cache clean` print ([`vx_engine::cache`]): each area's
//! size and the total, or what a clean removed and freed; sizes human-readable, and
//! in bytes too under `--json`.

use std::path::Path;

use vx_engine::cache::{Cleaned, Usage};
use vx_text::{bytes, sanitize};

/// The areas of the cache at `dir` as stdout's text.
pub(crate) fn usage(dir: &Path, areas: &[Usage], json: bool) -> String {
    let total = areas.iter().map(|a| a.bytes).fold(0, u64::saturating_add);
    if json {
        let areas: Vec<serde_json::Value> = areas
            .iter()
            .map(|a| {
                serde_json::json!({
                    "name": a.name,
                    "path": a.path,
                    "what": a.what,
                    "bytes": a.bytes,
                    "size": bytes(a.bytes),
                    "files": a.files,
                })
            })
            .collect();
        let value = serde_json::json!({
            "dir": dir,
            "areas": areas,
            "bytes": total,
            "size": bytes(total),
        });
        return format!("{value}\n");
    }
    let mut text = String::new();
    for a in areas {
        text.push_str(&format!(
            "{:<10}  {:>10}  {}  ({})\n",
            a.name,
            bytes(a.bytes),
            sanitize(&a.path.display().to_string()),
            a.what
        ));
    }
    text.push_str(&format!("{:<10}  {:>10}\n", "total", bytes(total)));
    text
}

/// What a clean of the files older than `older_than` (as the user wrote it) removed,
/// as stdout's text.
pub(crate) fn cleaned(cleaned: &Cleaned, older_than: Option<&str>, json: bool) -> String {
    if json {
        let failed: Vec<serde_json::Value> = cleaned
            .failed
            .iter()
            .map(|(path, err)| serde_json::json!({"path": path, "error": err.to_string()}))
            .collect();
        let value = serde_json::json!({
            "files": cleaned.files,
            "bytes": cleaned.bytes,
            "size": bytes(cleaned.bytes),
            "failed": failed,
        });
        return format!("{value}\n");
    }
    let which = match older_than {
        Some(text) => format!(" last written over {} ago", sanitize(text.trim())),
        None => String::new(),
    };
    format!(
        "removed {} file{}{which}, freed {}\n",
        cleaned.files,
        if cleaned.files == 1 { "" } else { "s" },
        bytes(cleaned.bytes)
    )
}
