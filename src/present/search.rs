//! What `vx search` prints of its results ([`vx_ops::search::Searched`]): a table
//! of the best matches (runtimes first, then packages, at most [`SHOWN`] of those),
//! or one JSON object with them all.

use vx_ops::search::Found;
use vx_text::{columns, sanitize, truncate};

/// Most results printed as text (JSON has them all).
pub(crate) const SHOWN: usize = 30;

/// The results (`runtimes` of them runtimes) found for `term`, as stdout's text.
pub(crate) fn text(found: &[Found], runtimes: usize, term: &str, json: bool) -> String {
    if json {
        let results: Vec<serde_json::Value> = found.iter().map(found_json).collect();
        return format!("{}\n", serde_json::json!({ "results": results }));
    }
    if found.is_empty() {
        return format!("no package matches `{}`\n", sanitize(term));
    }
    let more = found.len().saturating_sub(SHOWN + runtimes);
    let rows: Vec<[String; 3]> = found
        .iter()
        .take(SHOWN + runtimes)
        .map(|f| match f {
            Found::Runtime(r) => [r.package(), r.name().to_owned(), truncate(r.summary(), 70)],
            Found::Package(h) => {
                let mut name = sanitize(&h.hit.full_name).into_owned();
                if h.registry != vx_sources::registry::source::STANDARD_NAME {
                    name = format!("{}:{name}", sanitize(&h.registry));
                }
                let about = match &h.hit.unsupported {
                    Some(_) => "(not installable by vx)".to_owned(),
                    None => sanitize(h.hit.description.as_deref().unwrap_or("")).into_owned(),
                };
                [
                    name,
                    sanitize(&h.hit.short_name).into_owned(),
                    truncate(&about, 70),
                ]
            }
        })
        .collect();
    let mut text = columns(["PACKAGE", "TOOL", "DESCRIPTION"], &rows);
    if more > 0 {
        text.push_str(&format!("… and {more} more (--json lists all)\n"));
    }
    text
}

/// One result of `--json`.
fn found_json(found: &Found) -> serde_json::Value {
    match found {
        Found::Runtime(r) => serde_json::json!({
            "name": r.name(),
            "short_name": r.name(),
            "registry": "runtime",
            "description": r.summary(),
            "supported": true,
            "unsupported": null,
        }),
        Found::Package(h) => serde_json::json!({
            "name": h.hit.full_name,
            "short_name": h.hit.short_name,
            "registry": h.registry,
            "description": h.hit.description,
            "supported": h.hit.unsupported.is_none(),
            "unsupported": h.hit.unsupported,
        }),
    }
}
