//! `vx mirror push oci://HOST/REPO [--platform P]... [--tag T]...`: the project's locked
//! downloads, vx.lock and an OCI image manifest, uploaded to a registry
//! ([`vx::fleet::push`]).

use std::io::Write;
use std::sync::Arc;

use vx::exit::{Because, Error, INTERRUPTED, OK};
use vx::fleet::push;
use vx::fleet::push::{Push, PushError, Pushed, Target};
use vx::mirror::Source;
use vx::net::{Client, Timeouts};

use crate::cli::{ContentArgs, MirrorCommand};

/// Runs `vx mirror …`.
pub fn run(command: MirrorCommand) -> Result<i32, Error> {
    match command {
        MirrorCommand::Push { target, content } => {
            let target = match Source::parse(&target).map_err(Error::usage)? {
                Source::Oci(oci) => oci,
                other => {
                    return Err(Error::usage(format!(
                        "`vx mirror push` sends to an OCI registry (oci://HOST/REPO), not {}",
                        other.label()
                    )));
                }
            };
            let label = target.label.clone();
            let pushed = push_content(&Target::Registry(target), &content)?;
            say(&pushed, &label, content.run.json);
            Ok(OK)
        }
    }
}

/// Pushes `content`'s lock to `target` (shared with `vx bundle export`): the downloads
/// the target lacks are gathered through the sync pipeline with `content.run`'s
/// options and the project's network settings. A missing lock is a usage error (exit
/// 2), an interrupted download 130, anything else the environment's (exit 1).
pub fn push_content(target: &Target, content: &ContentArgs) -> Result<Pushed, Error> {
    let session = super::open(&vx::session::Opening::new(
        content.manifest.as_deref(),
        vx::session::Want::Project,
    ))?;
    let manifest = session.project().map_err(super::session_error)?;
    // Read once: the registry's client uses the settings, the children get the
    // project's part.
    let net = vx::settings::network::load(&manifest.network)
        .map_err(|e| Error::usage(Because::new("network settings", e)))?;
    let mut settings = super::run_settings(&content.run);
    settings.network = manifest.network.clone();
    settings.read_timeout_secs = Some(content.read_timeout);
    let timeouts = Timeouts {
        read: std::time::Duration::from_secs(u64::from(content.read_timeout)),
        ..Timeouts::default()
    };
    let client = Client::new(Arc::new(net), timeouts);
    let platforms: Vec<String> = content.platforms.iter().map(|p| p.to_string()).collect();
    let lock_path = manifest.lock_path();
    let job = Push {
        lock_path: &lock_path,
        platforms: &platforms,
        tags: &content.tags,
        settings: &settings,
        client,
    };
    push::push(target, &job, &mut std::io::stderr()).map_err(|e: PushError| match e {
        e if e.is_interrupted() => Error::with_code(INTERRUPTED, e),
        e if e.is_usage() => Error::usage(e),
        e => Error::environment(e),
    })
}

/// The final line: what was sent where (a JSON object with `--json`).
pub fn say(pushed: &Pushed, to: &str, json: bool) {
    let line = if json {
        serde_json::json!({
            "event": "pushed",
            "to": vx_tui::text::sanitize(to),
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
            vx_tui::text::count(pushed.layers as u64, "download"),
            vx_tui::text::sanitize(to),
            vx_tui::text::count(pushed.sent as u64, "blob"),
            vx_tui::text::bytes(pushed.bytes),
            pushed.skipped,
            pushed.digest,
            vx_tui::text::sanitize(&pushed.tags.join(", "))
        )
    };
    let _ = writeln!(std::io::stdout(), "{line}");
}
