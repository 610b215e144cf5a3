//! What `vx versions` prints of a tool's versions ([`vx_engine::resolution::Listed`]):
//! newest first, the locked one, pre-releases and LTS lines marked; or one JSON
//! object.

use vx_engine::resolution::{Listed, Named};
use vx_text::{columns, sanitize};

/// `found`'s `versions` as stdout's text; `locked` is the tag vx.lock pins.
pub(crate) fn text(found: &Named, versions: &[Listed], locked: Option<&str>, json: bool) -> String {
    if json {
        let items: Vec<serde_json::Value> = versions
            .iter()
            .map(|v| {
                serde_json::json!({
                    "version": v.version,
                    "tag": v.tag,
                    "published_at": v.published_at,
                    "prerelease": v.prerelease,
                    "lts": v.lts,
                    "locked": locked == Some(v.tag.as_str()),
                })
            })
            .collect();
        let value = serde_json::json!({
            "tool": found.short_name(),
            "package": found.qualified_name(),
            "versions": items,
        });
        return format!("{value}\n");
    }
    let rows: Vec<[String; 3]> = versions
        .iter()
        .map(|v| {
            let mut notes = Vec::new();
            if locked == Some(v.tag.as_str()) {
                notes.push("locked".to_owned());
            }
            if v.prerelease {
                notes.push("pre-release".to_owned());
            }
            if let Some(line) = &v.lts {
                notes.push(format!("LTS {}", sanitize(line)));
            }
            let date = v
                .published_at
                .as_deref()
                .map_or(String::new(), |d| d.chars().take(10).collect());
            [
                sanitize(&v.version).into_owned(),
                sanitize(&date).into_owned(),
                notes.join(", "),
            ]
        })
        .collect();
    format!(
        "{} ({})\n{}",
        sanitize(&found.short_name()),
        sanitize(&found.qualified_name()),
        columns(["VERSION", "PUBLISHED", ""], &rows)
    )
}
