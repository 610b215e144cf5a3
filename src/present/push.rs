//! The final line of `vx mirror push` and `vx bundle export`
//! ([`vx_ops::push`]): what was sent where, as text or one JSON object.

use vx_project::fleet::push::Pushed;

/// What `pushed` sent to `to`, a line for stdout.
pub(crate) fn pushed(pushed: &Pushed, to: &str, json: bool) -> String {
    let line = if json {
        serde_json::json!({
            "event": "pushed",
            "to": vx_text::sanitize(to),
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
            vx_text::count(pushed.layers as u64, "download"),
            vx_text::sanitize(to),
            vx_text::count(pushed.sent as u64, "blob"),
            vx_text::bytes(pushed.bytes),
            pushed.skipped,
            pushed.digest,
            vx_text::sanitize(&pushed.tags.join(", "))
        )
    };
    format!("{line}\n")
}
