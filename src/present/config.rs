//! What `vx config list` prints ([`vx_sources::settings::view`]): each effective setting,
//! its value and the layers it came from, aligned; or one JSON array.

use vx_sources::settings::view::Entry;
use vx_text::sanitize;

/// `entries` as stdout's text.
pub(crate) fn list(entries: &[Entry], json: bool) -> String {
    if json {
        let values: Vec<serde_json::Value> = entries
            .iter()
            .map(|e| {
                serde_json::json!({
                    "key": e.key,
                    "value": e.value,
                    "sources": e.sources.iter().map(ToString::to_string).collect::<Vec<_>>(),
                })
            })
            .collect();
        return format!("{}\n", serde_json::Value::Array(values));
    }
    let width = entries
        .iter()
        .map(|e| e.key.chars().count())
        .max()
        .unwrap_or(0);
    entries
        .iter()
        .map(|e| {
            let value = match &e.value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!(
                "{:width$}  {}  ({})\n",
                sanitize(&e.key),
                sanitize(&value),
                sanitize(&e.source_text())
            )
        })
        .collect()
}
