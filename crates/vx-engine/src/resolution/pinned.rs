//! A registry tool as its lock pins it: the concrete table (the exact version, and
//! each locked platform's URL, checksum, format and executables) built from the lock
//! entry alone, so a sync of a locked project needs neither a registry nor GitHub.

use std::collections::BTreeMap;

use vx_base::format::ArchiveFormat;
use vx_model::lock::{Asset, Lock};
use vx_model::manifest::{Manifest, Override, Platform, ToolTable};
use vx_sources::runtime::catalogue::Catalogue;

/// The concrete table of the registry tool `tool` as `lock` pins it: `None` when the
/// tool is not a registry tool, or its entry was locked from another name or
/// constraint (or never).
pub(crate) fn from_lock(tool: &ToolTable, lock: &Lock, catalogue: &Catalogue) -> Option<ToolTable> {
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
    // A language registry's package: its archive's layout is its format's.
    if let Some(name) = entry
        .package
        .as_deref()
        .and_then(|p| vx_sources::backend::Name::parse(p).ok().flatten())
    {
        for (platform, over) in &mut platforms {
            super::backend::layout(&name, platform, over);
        }
        return Some(super::concrete::concrete(tool, &entry.version, platforms));
    }
    match entry
        .package
        .as_deref()
        .and_then(|package| super::runtime::of_package(catalogue, package))
    {
        // A runtime no longer known: resolved again, which says why.
        Some(None) => None,
        // A registry's declaration other than the one locked: resolved again.
        Some(Some(runtime)) if super::runtime::pin_of(&*runtime) != entry.registry => None,
        Some(Some(runtime)) => Some(super::runtime::concrete(
            &*runtime,
            tool,
            &entry.version,
            platforms,
        )),
        None => Some(super::concrete::concrete(tool, &entry.version, platforms)),
    }
}

/// A locked asset as the platform override that installs it.
fn over(tool: &ToolTable, asset: &Asset) -> Override {
    Override {
        alternatives: asset.alternatives.clone(),
        url: Some(asset.url.clone()),
        sha256: asset.sha256.clone(),
        integrity: asset.integrity.clone(),
        h1: asset.h1.clone(),
        format: asset.format.as_deref().and_then(ArchiveFormat::from_name),
        strip_components: None,
        bin: if tool.bin.is_some() {
            None
        } else {
            asset.bin.clone()
        },
        ..Override::default()
    }
}

/// `manifest` with every registry tool the lock pins made concrete, and the names of
/// those it does not (new tools, edited constraints): they need resolving.
pub fn pin(
    manifest: &Manifest,
    lock: Option<&Lock>,
    catalogue: &Catalogue,
) -> (Manifest, Vec<String>) {
    let mut pinned = manifest.clone();
    let mut unresolved = Vec::new();
    for tool in &mut pinned.tools {
        if tool.registry.is_none() {
            continue;
        }
        match lock.and_then(|lock| from_lock(tool, lock, catalogue)) {
            Some(concrete) => *tool = concrete,
            None => unresolved.push(tool.name.clone()),
        }
    }
    (pinned, unresolved)
}

/// The registry tools of `pinned` (made concrete by [`pin`]) that are for `platform`
/// but whose lock entry has no download for it, nor a reason it has none: a lock made
/// on another machine. They are resolved again for `platform` at their locked version.
pub fn lacking(pinned: &Manifest, platform: &Platform) -> Vec<String> {
    pinned
        .tools
        .iter()
        .filter(|t| t.registry.is_some() && t.is_for(platform))
        .filter(|t| !t.platforms.contains_key(platform))
        .map(|t| t.name.clone())
        .collect()
}

/// What `vx sync` would install of `project`'s own tool `name` on `platform`, when
/// the command line names it at the very version the project pins (`vx x rg@14.1.1`,
/// `vx rg@14.1.1` in a project that locked ripgrep 14.1.1): the lock's fresh entry
/// (URL, sha256, size, what verified it), else vx.toml's own checksums. `None` when
/// the project does not list the tool, or pins another version (that one installs on
/// trust, or by what its registry publishes).
pub(crate) fn spec_at(
    project: &Manifest,
    lock: Option<&Lock>,
    catalogue: &Catalogue,
    name: &str,
    version: &str,
    platform: &Platform,
) -> Option<vx_model::spec::ToolSpec> {
    let tool = project.tool(name)?;
    let concrete = match &tool.registry {
        Some(_) => from_lock(tool, lock?, catalogue)?,
        None => tool.clone(),
    };
    let tag = lock
        .and_then(|l| l.tools.get(name))
        .and_then(|entry| entry.tag.as_deref());
    if concrete.version != version && tag != Some(version) {
        return None;
    }
    let mut spec = concrete.resolve(platform).ok()?;
    if let Some(asset) = lock.and_then(|l| l.fresh(&concrete, platform)) {
        if spec
            .sha256
            .as_ref()
            .is_some_and(|given| Some(given) != asset.sha256.as_ref())
        {
            // vx.toml and the lock disagree: `vx sync` says so; nothing is taken here.
            return None;
        }
        asset.apply_to(&mut spec);
    }
    Some(spec)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::resolution::concrete::concrete;
    use vx_model::lock::RegistryPin;

    const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn manifest(text: &str) -> Manifest {
        Manifest::parse(Path::new("vx.toml"), text).unwrap()
    }

    fn platform(name: &str) -> Platform {
        name.parse().unwrap()
    }

    #[test]
    fn a_registry_entry_round_trips_and_pins_its_tool_offline() {
        let m = manifest("[tools]\nripgrep = \"14\"\n");
        let tool = &m.tools[0];
        let linux = platform("linux-x86_64");
        let mut lock = Lock::default();
        lock.registries.insert(
            "standard".into(),
            RegistryPin {
                git_ref: "v4.554.0".into(),
                sha256: format!("sha256:{SHA}"),
            },
        );
        let mut over = BTreeMap::new();
        over.insert(
            linux.clone(),
            Override {
                url: Some("https://x.org/rg.tar.gz".into()),
                format: Some(ArchiveFormat::TarGz),
                bin: Some(vec!["rg-14/rg".into()]),
                ..Default::default()
            },
        );
        let concrete = concrete(tool, "14.1.1", over);
        let mut asset = Asset::new("https://x.org/rg.tar.gz".into(), SHA.into(), None);
        asset.format = Some("tar.gz".into());
        asset.bin = Some(vec!["rg-14/rg".into()]);
        asset.checksum = Some("checksum-file:https://x.org/rg.tar.gz.sha256".into());
        lock.record(&concrete, &linux, asset);
        let entry = lock.tools.get_mut("ripgrep").unwrap();
        entry.constraint = Some("14".into());
        entry.package = Some("standard:BurntSushi/ripgrep".into());
        entry.tag = Some("14.1.1".into());
        entry
            .unsupported
            .insert("windows-aarch64".into(), "no asset".into());

        let text = lock.to_text();
        assert!(
            text.contains("[registries.standard]\nref = \"v4.554.0\""),
            "{text}"
        );
        assert!(text.contains("constraint = \"14\""), "{text}");
        assert!(text.contains("[tools.ripgrep.unsupported]"), "{text}");
        let back = Lock::parse(Path::new("vx.lock"), &text).unwrap();
        assert_eq!(back, lock);

        // Offline, the lock alone makes the tool concrete, for every platform it says.
        let pinned = from_lock(tool, &back, &Catalogue::builtin_only()).expect("pinned");
        let spec = pinned.resolve(&linux).unwrap();
        assert_eq!(spec.version, "14.1.1");
        assert_eq!(spec.sha256.as_deref(), Some(SHA));
        assert_eq!(spec.bin.as_deref(), Some(&["rg-14/rg".to_owned()][..]));
        let err = pinned.resolve(&platform("windows-aarch64")).unwrap_err();
        assert!(
            err.to_string()
                .contains("not available for windows-aarch64: no asset"),
            "{err}"
        );
        assert!(
            back.stale(&m, std::slice::from_ref(&linux)).len() == 1,
            "the raw table is not what was locked"
        );
        let (pinned_m, unresolved) = pin(&m, Some(&back), &Catalogue::builtin_only());
        assert!(unresolved.is_empty());
        assert!(
            back.stale(&pinned_m, &[linux, platform("windows-aarch64")])
                .is_empty()
        );

        // Another constraint is another resolution: not pinned.
        let bumped = manifest("[tools]\nripgrep = \"15\"\n");
        assert!(from_lock(&bumped.tools[0], &back, &Catalogue::builtin_only()).is_none());
        // A bad format in a lock is refused at its place.
        let broken = text.replace("format = \"tar.gz\"", "format = \"rar\"");
        let err = Lock::parse(Path::new("vx.lock"), &broken).unwrap_err();
        assert!(
            err.to_string().contains("unknown archive format \"rar\""),
            "{err}"
        );
    }
}
