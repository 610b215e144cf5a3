//! What `vx self info` and `vx self uninstall` print ([`vx_engine::self_update::own`]):
//! this vx (version, path, channel, target, receipt, how to update it), as text or one
//! JSON object; what an uninstall removed and kept.

use vx_base::build_info;
use vx_engine::self_update::Receipt;
use vx_engine::self_update::own::{Uninstalled, Whereabouts};

/// `vx self info`'s answer for the vx at `here`.
pub(crate) fn info(here: &Whereabouts, json: bool) -> String {
    let update = here.how_to_update();
    let Whereabouts {
        exe,
        receipt,
        channel,
    } = here;
    if json {
        let value = serde_json::json!({
            "version": build_info::VERSION,
            "commit": build_info::COMMIT,
            "date": build_info::DATE,
            "target": build_info::TARGET,
            "release_target": build_info::RELEASE_TARGET,
            "path": exe,
            "channel": channel.name(),
            "receipt": receipt.as_ref().map(|r| serde_json::json!({
                "path": Receipt::path(),
                "install_dir": r.install_dir,
                "version": r.version,
                "source": r.source,
                "channel": r.channel,
            })),
            "update": update,
        });
        return format!("{value}\n");
    }
    let mut text = format!(
        "vx {}\npath: {}\nchannel: {}\ntarget: {} (release archive: {})\n",
        build_info::VERSION_LINE,
        exe.display(),
        channel.name(),
        build_info::TARGET,
        build_info::RELEASE_TARGET.unwrap_or("none")
    );
    if let Some(r) = receipt {
        text.push_str(&format!(
            "receipt: {} ({} {} from {})\n",
            Receipt::path().unwrap_or_default().display(),
            vx_text::sanitize(&r.channel),
            vx_text::sanitize(&r.version),
            vx_text::sanitize(&r.source),
        ));
    }
    text.push_str(&format!("update: {update}\n"));
    text
}

/// What `vx self uninstall` removed, and the tools' directory it kept.
pub(crate) fn uninstalled(done: &Uninstalled) -> String {
    let mut text = String::from("vx uninstalled; removed:\n");
    for what in &done.removed {
        text.push_str(&format!("  {what}\n"));
    }
    if let Some(data) = &done.kept {
        text.push_str(&format!(
            "kept the tools vx installed in {}: remove that directory to free its space\n",
            data.display()
        ));
    }
    text
}
