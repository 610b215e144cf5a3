//! Runtime tools (`node = "20"`) resolved and pinned: the name and constraint to the
//! publisher's version, each platform's archive and sha256 (`vx_sources::runtime`),
//! recorded in the lock as any registry tool's entry is (`package = "runtime:node"`,
//! `tag` the publisher's id), and back from the lock with the runtime's layout
//! (what to strip, the commands, its install step), which the runtime derives from the
//! version alone: a locked runtime installs without its index.

use std::collections::BTreeMap;

use std::sync::Arc;
use vx_model::lock::{Asset, Lock};
use vx_model::manifest::{Override, Platform, ToolTable};

use vx_sources::runtime::catalogue::Catalogue;
use vx_sources::runtime::{self, Context, Release, Resolved, Runtime};

use super::ResolutionError;

/// The lock's `package` of a runtime: `runtime:NAME` (`REGISTRY:runtime:NAME` for one
/// a project's registry publishes).
pub const PACKAGE_PREFIX: &str = runtime::PACKAGE_PREFIX;

/// The runtime a lock entry's `package` names: `None` when it names none (a registry
/// package), `Some(None)` when it names a runtime this vx does not know or cannot
/// read the declaration of, or one that now comes from elsewhere than the registry
/// the package names (the tool is then resolved again, which says why).
pub(crate) fn of_package(catalogue: &Catalogue, package: &str) -> Option<Option<Arc<dyn Runtime>>> {
    let (name, registry) = runtime::package_name(package)?;
    Some(
        catalogue
            .find(name)
            .ok()
            .flatten()
            .filter(|r| r.origin().map(|o| o.registry.as_str()) == registry),
    )
}

/// The lock's pin of `runtime`'s declaration, for one a project's registry publishes:
/// the registry's name as `ref`, the declaration's sha256.
pub(crate) fn pin_of(runtime: &dyn Runtime) -> Option<vx_model::lock::RegistryPin> {
    runtime.origin().map(|o| vx_model::lock::RegistryPin {
        git_ref: o.registry.clone(),
        sha256: format!("sha256:{}", o.digest),
    })
}

/// `tool`'s concrete table at `version`, each platform as `downloads` gives it with
/// the runtime's layout for that very platform (what to strip, the commands, the
/// variables, the install step, the files written, the directories after its own on
/// `PATH`), vx.toml's own `bin`, `strip_components` and `post_install` winning. None
/// of the layout is hashed into the lock's entry (a registry tool's layout digest is
/// vx.toml's alone), so the lock is the same on every host that makes it.
pub(crate) fn concrete(
    runtime: &dyn Runtime,
    tool: &ToolTable,
    version: &str,
    downloads: BTreeMap<Platform, Override>,
) -> ToolTable {
    let data = vx_base::platform::fs::data_dir().map(|d| d.join("vx"));
    let mut platforms = BTreeMap::new();
    for (platform, mut over) in downloads {
        if over.unsupported.is_none() {
            let layout = runtime.layout(version, &platform);
            over.strip_components = Some(layout.strip_components);
            over.bin = Some(layout.bin);
            over.env = (!layout.env.is_empty()).then_some(layout.env);
            over.post_install = layout.post_install;
            // Without a data directory (no HOME) nothing outside the store is named:
            // the runtime keeps its publisher's defaults.
            if let Some(data) = data.as_deref().and_then(|d| d.to_str()) {
                let fill = |text: &str| text.replace(runtime::DATA_PLACEHOLDER, data);
                over.write = layout
                    .write
                    .iter()
                    .map(|(path, text)| (path.clone(), fill(text)))
                    .collect();
                over.path_after = layout.path_after.iter().map(|d| fill(d)).collect();
            }
        }
        platforms.insert(platform, over);
    }
    let mut table = super::concrete::concrete(tool, version, platforms);
    for (key, value) in runtime.install_options(version) {
        table.options.entry(key).or_insert(value);
    }
    table
}

/// What a resolution of one runtime tool gives.
pub(crate) struct Resolution {
    /// The release picked.
    pub release: Release,
    /// Each platform's download, or why there is none.
    pub downloads: Vec<(Platform, Resolved)>,
}

/// Resolves `tool` (a runtime's name and constraint) for `platforms` plus the
/// platforms its entry held (picking with the versions of the project's other
/// runtimes the context knows, see [`Runtime::pick_with`]), keeping the locked version while the name and constraint
/// are those it was locked from; records it in `lock` and returns the concrete table.
pub(crate) fn resolve_tool(
    runtime: &dyn Runtime,
    cx: &Context,
    releases: &dyn Fn() -> Result<Vec<Release>, runtime::RuntimeError>,
    tool: &ToolTable,
    constraint: &str,
    platforms: &[Platform],
    lock: &mut Lock,
) -> Result<(ToolTable, Resolution), ResolutionError> {
    let entry = lock.tools.get(&tool.name);
    let kept = entry
        .filter(|e| e.inputs == tool.download_inputs() && e.constraint.is_some())
        .and_then(|e| Some(Release::named(e.version.clone(), e.tag.clone()?, false)));
    let release = match kept {
        Some(release) => release,
        None => runtime
            .pick_with(cx, &releases().map_err(error)?, constraint, &cx.siblings())
            .map_err(error)?,
    };
    vx_base::validate::version(&release.version).map_err(|e| {
        ResolutionError::Usage(format!(
            "{} {} is not a version vx can name: {e}",
            runtime.name(),
            release.id
        ))
    })?;
    let mut wanted: Vec<Platform> = tool.platforms_of(platforms).into_iter().cloned().collect();
    for held in lock.platforms_of(&tool.name) {
        if tool.is_for(&held) && !wanted.contains(&held) {
            wanted.push(held);
        }
    }
    let mut downloads = Vec::with_capacity(wanted.len());
    for platform in wanted {
        let resolved = runtime.download(cx, &release, &platform).map_err(error)?;
        downloads.push((platform, resolved));
    }
    // As for a registry package: a version no locked platform can install is an
    // error, not a lock of nothing that says it locked.
    if let Some(why) = super::concrete::nowhere_of(downloads.iter().map(|(_, r)| match r {
        Resolved::Unsupported(reason) => Some(reason.as_str()),
        Resolved::Download(_) => None,
    })) {
        return Err(ResolutionError::Usage(format!(
            "{} {} cannot be installed by vx on any platform locked ({}): {why}",
            runtime.name(),
            release.version,
            downloads
                .iter()
                .map(|(p, _)| p.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let overrides = downloads
        .iter()
        .map(|(platform, resolved)| (platform.clone(), over(resolved)))
        .collect();
    let table = concrete(runtime, tool, &release.version, overrides);
    // Every entry checked before any is recorded, as for a registry package.
    let mut assets = Vec::new();
    for (platform, resolved) in &downloads {
        if let Resolved::Download(download) = resolved {
            // Checked for a download `vx lock` hashes too: its URL is recorded alike.
            // A publisher's URL (from its index, its API, its channel manifest) is a
            // web address, fit for a lock: never `file://` (the installing machine's
            // disk), nor one with control characters a later read would refuse.
            let problem = match vx_base::validate::url(&download.url) {
                Err(e) => Some(e.to_string()),
                Ok(vx_base::validate::Scheme::File) => Some(format!(
                    "{}: a publisher's download must be an http(s) URL, not a file on this machine",
                    vx_base::validate::shorten(&download.url)
                )),
                Ok(_) => vx_model::lock::credentials_in(&download.url),
            };
            if let Some(problem) = problem {
                return Err(ResolutionError::Usage(format!(
                    "{} {} on {platform}: {problem}",
                    runtime.name(),
                    release.version
                )));
            }
            if download.sha256.is_empty() {
                // No sha256 from the publisher: `vx lock` downloads and hashes it.
                continue;
            }
            let mut asset = Asset::new(download.url.clone(), download.sha256.clone(), None);
            asset.format = Some(download.format.name().to_owned());
            asset.bin = table.platforms[platform].bin.clone();
            asset.checksum = Some(download.checksum.clone());
            asset.alternatives = download.alternatives.clone();
            if let Some(problem) = asset.problem() {
                return Err(ResolutionError::Usage(format!(
                    "{} {} on {platform}: {problem}",
                    runtime.name(),
                    release.version
                )));
            }
            assets.push((platform, asset));
        }
    }
    lock.renew(&table);
    for (platform, asset) in assets {
        lock.record(&table, platform, asset);
    }
    if let Some(entry) = lock.tools.get_mut(&tool.name) {
        entry.constraint = Some(constraint.to_owned());
        entry.package = Some(runtime.package());
        entry.tag = Some(release.id.clone());
        entry.registry = pin_of(runtime);
        for (platform, resolved) in &downloads {
            let key = platform.to_string();
            if let Resolved::Unsupported(reason) = resolved {
                entry.platforms.remove(&key);
                entry.unsupported.insert(key, reason.clone());
            } else {
                entry.unsupported.remove(&key);
            }
        }
    }
    Ok((table, Resolution { release, downloads }))
}

/// The platform override that installs a resolved download (the layout is added by
/// [`concrete`]).
fn over(resolved: &Resolved) -> Override {
    match resolved {
        Resolved::Unsupported(reason) => Override {
            unsupported: Some(reason.clone()),
            ..Override::default()
        },
        Resolved::Download(download) => Override {
            url: Some(download.url.clone()),
            sha256: (!download.sha256.is_empty()).then(|| download.sha256.clone()),
            format: Some(download.format),
            alternatives: download.alternatives.clone(),
            ..Override::default()
        },
    }
}

/// A runtime's error as a resolution error: a request no version satisfies is the
/// manifest's fault (exit 2), anything else the publisher's or the network's.
pub fn error(e: runtime::RuntimeError) -> ResolutionError {
    if e.is_request() {
        ResolutionError::Usage(e.to_string())
    } else {
        ResolutionError::Environment(e.to_string())
    }
}
