//! What `vx outdated` prints ([`vx_ops::outdated`]): a table of each tool's
//! constraint and its locked, wanted and latest versions (`-` for none), or one JSON
//! object.

use std::path::Path;

use vx_ops::outdated::Outdated;
use vx_text::{columns, sanitize};

/// `tools` of the manifest at `manifest` as stdout's text.
pub(crate) fn text(tools: &[Outdated], manifest: &Path, json: bool) -> String {
    if json {
        let items: Vec<serde_json::Value> = tools
            .iter()
            .map(|t| {
                serde_json::json!({
                    "name": t.name,
                    "package": t.package,
                    "constraint": t.constraint,
                    "locked": t.locked,
                    "wanted": t.wanted,
                    "latest": t.latest,
                })
            })
            .collect();
        return format!("{}\n", serde_json::json!({ "tools": items }));
    }
    if tools.is_empty() {
        return format!("no registry tools in {}\n", manifest.display());
    }
    let show = |v: &Option<String>| {
        v.as_deref()
            .map_or("-".to_owned(), |v| sanitize(v).into_owned())
    };
    let rows: Vec<[String; 5]> = tools
        .iter()
        .map(|t| {
            [
                t.name.clone(),
                sanitize(&t.constraint).into_owned(),
                show(&t.locked),
                show(&t.wanted),
                show(&t.latest),
            ]
        })
        .collect();
    columns(["TOOL", "CONSTRAINT", "LOCKED", "WANTED", "LATEST"], &rows)
}
