//! A registry tool as its lock pins it: the concrete table (the exact version, and
//! each locked platform's URL, checksum, format and executables) built from the lock
//! entry alone, so a sync of a locked project needs neither a registry nor GitHub.

use std::collections::BTreeMap;

use crate::format::ArchiveFormat;
use crate::lock::{Asset, Lock};
use crate::manifest::{Manifest, Override, Platform, ToolTable};

/// The concrete table of the registry tool `tool` as `lock` pins it: `None` when the
/// tool is not a registry tool, or its entry was locked from another name or
/// constraint (or never).
pub fn from_lock(tool: &ToolTable, lock: &Lock) -> Option<ToolTable> {
    tool.registry.as_ref()?;
    let entry = lock.tools.get(&tool.name)?;
    if entry.constraint.is_none() || entry.inputs != tool.download_inputs() {
        return None;
    }
    let mut platforms: BTreeMap<Platform, Override> = entry
        .platforms
        .iter()
        .filter(|(_, asset)| !asset.stale)
        .filter_map(|(platform, asset)| {
            let platform: Platform = platform.parse().ok()?;
            Some((platform, over(tool, asset)))
        })
        .collect();
    for (platform, reason) in &entry.unsupported {
        if let Ok(platform) = platform.parse::<Platform>() {
            platforms.entry(platform).or_insert_with(|| Override {
                unsupported: Some(reason.clone()),
                ..Override::default()
            });
        }
    }
    match entry
        .package
        .as_deref()
        .and_then(super::runtime::of_package)
    {
        Some(runtime) => Some(super::runtime::concrete(
            runtime,
            tool,
            &entry.version,
            platforms,
        )),
        None => Some(concrete(tool, &entry.version, platforms)),
    }
}

/// A registry tool made concrete: its resolved version and per-platform downloads,
/// everything else as vx.toml says. The user's `bin` wins over the registry's.
pub fn concrete(
    tool: &ToolTable,
    version: &str,
    mut platforms: BTreeMap<Platform, Override>,
) -> ToolTable {
    if tool.bin.is_some() {
        for over in platforms.values_mut() {
            over.bin = None;
        }
    }
    ToolTable {
        version: version.to_owned(),
        platforms,
        ..tool.clone()
    }
}

/// A locked asset as the platform override that installs it.
fn over(tool: &ToolTable, asset: &Asset) -> Override {
    Override {
        url: Some(asset.url.clone()),
        sha256: Some(asset.sha256.clone()),
        format: asset.format.as_deref().and_then(ArchiveFormat::from_name),
        strip_components: None,
        bin: if tool.bin.is_some() {
            None
        } else {
            asset.bin.clone()
        },
        unsupported: None,
        env: None,
    }
}

/// `manifest` with every registry tool the lock pins made concrete, and the names of
/// those it does not (new tools, edited constraints): they need resolving.
pub fn pin(manifest: &Manifest, lock: Option<&Lock>) -> (Manifest, Vec<String>) {
    let mut pinned = manifest.clone();
    let mut unresolved = Vec::new();
    for tool in &mut pinned.tools {
        if tool.registry.is_none() {
            continue;
        }
        match lock.and_then(|lock| from_lock(tool, lock)) {
            Some(concrete) => *tool = concrete,
            None => unresolved.push(tool.name.clone()),
        }
    }
    (pinned, unresolved)
}
