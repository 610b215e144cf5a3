//! A tool made concrete for installing: its resolved version with each platform's
//! download, and why it can be installed nowhere. Shared by the resolver, the lock's
//! pins ([`super::pinned`]) and runtimes ([`super::runtime`]), which all stand on it.

use std::collections::BTreeMap;

use vx_model::manifest::{Override, Platform, ToolTable};

/// A registry tool made concrete: its resolved version and per-platform downloads,
/// everything else as vx.toml says. The user's `bin` wins over the registry's.
pub(crate) fn concrete(
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

/// Why a tool can be installed on none of its platforms, given each platform's
/// reason (`None` where it can be): the reason, or the first with a note that others
/// differ; `None` when some platform can install it, or there is none. Shared by
/// registry packages and runtimes.
pub(crate) fn nowhere_of<'a>(reasons: impl Iterator<Item = Option<&'a str>>) -> Option<String> {
    let reasons: Vec<&str> = reasons.collect::<Option<_>>()?;
    let first = reasons.first()?;
    Some(if reasons.iter().all(|r| r == first) {
        (*first).to_owned()
    } else {
        format!("{first} (and other reasons elsewhere)")
    })
}
