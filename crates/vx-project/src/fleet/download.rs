//! The downloads a push or an export needs, gathered through `vx sync`'s own pipeline:
//! one `vx install` child per download (at most `-j` at once), the progress board and
//! the usual output (the inline view, progress lines, `--json` events), each download
//! taken from vx's cache, a mirror or the origin and checked against the lock's sha256,
//! then saved as `<dir>/<sha256>` ([`vx_model::config_frame::InstallConfig::save_to`]).
//! One sync per platform, as `vx lock` probes other platforms: a tool's name is unique
//! within one.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use vx_base::exit::{INTERRUPTED, OK};
use vx_model::spec::ToolSpec;
use vx_sources::mirror::artifacts::Artifact;
use vx_sync::Settings;

use super::error::PushError;

/// Downloads `artifacts` into `dir` (see the module's doc). `lock` names the lock in
/// the board's label. Stops at the first platform whose sync did not succeed, and
/// before the next platform once `stop` is set (an interrupt between two syncs).
pub(crate) fn gather(
    lock: &Path,
    artifacts: &[&Artifact],
    dir: &Path,
    settings: &Settings,
    stop: &AtomicBool,
) -> Result<(), PushError> {
    let mut platforms: Vec<&str> = Vec::new();
    for artifact in artifacts {
        if !platforms.contains(&artifact.platform.as_str()) {
            platforms.push(&artifact.platform);
        }
    }
    let settings = Settings {
        save_to: Some(dir.to_owned()),
        allow_unverified: false,
        probe: false,
        first_use: Vec::new(),
        expected_failures: Vec::new(),
        ..settings.clone()
    };
    for platform in platforms {
        if stop.load(Ordering::Relaxed) {
            return Err(PushError::Downloads {
                platform: platform.to_owned(),
                code: INTERRUPTED,
            });
        }
        let specs: Vec<ToolSpec> = artifacts
            .iter()
            .filter(|a| a.platform == platform)
            .map(|a| spec(a))
            .collect();
        let scratch = vx_engine::scratch::new("vx-fleet-").map_err(|source| PushError::Io {
            path: std::env::temp_dir(),
            source,
        })?;
        let label = format!("{} for {platform}", lock.display());
        let code = vx_sync::run(&label, &specs, scratch.path(), &settings)
            .map_err(|e| PushError::Sync(Box::new(e)))?;
        if code != OK {
            return Err(PushError::Downloads {
                platform: platform.to_owned(),
                code,
            });
        }
    }
    Ok(())
}

/// The download of `artifact` as a sync sees a tool: its URL and sha256 (nothing of
/// it is unpacked or run).
fn spec(artifact: &Artifact) -> ToolSpec {
    ToolSpec {
        sha256: Some(artifact.sha256.clone()),
        size: artifact.size,
        ..ToolSpec::new(&artifact.tool, &artifact.version, &artifact.url)
    }
}
