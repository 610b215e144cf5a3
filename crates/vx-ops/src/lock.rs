//! `vx lock`: each tool's download per platform recorded in `vx.lock` (registry tools
//! resolved where the lock does not pin them, URL tools downloaded where vx.toml gives
//! no checksum); [`check`] only says whether that would change anything, and
//! [`dry_run`] what it would record. [`relock`] is also how `vx add`, `vx upgrade` and
//! `vx import` lock what they edited. Nothing here prints: the downloads report through
//! the options' [`Settings`], and each step returns what the caller says.

use std::path::PathBuf;
use std::sync::Arc;

use vx_engine::resolution::{OnDemand, Options as Resolving};
use vx_model::lock::{Lock, LockError};
use vx_model::manifest::{Manifest, Platform};
use vx_project::plan::{self, LockReport, ProjectError};
use vx_sources::runtime::catalogue::Catalogue;
use vx_sync::Settings;

/// How a lock run resolves and downloads.
#[derive(Clone, Debug)]
pub struct Options {
    /// How the downloads report and run; its `network` is set from the manifest.
    pub settings: Settings,
    /// No progress lines from a resolution (`-q`).
    pub quiet: bool,
    /// Say where `url_replacements` sent each URL (`-v`).
    pub verbose: bool,
    /// Lock a version that lost the verification its locked version had.
    pub allow_provenance_loss: bool,
    /// Fetch nothing (`--offline`; `VX_OFFLINE=1` counts for the resolution): only an
    /// explicit `--offline` keeps the lock's downloads from the network.
    pub offline: bool,
    /// The store a runtime is installed into when an environment needs it to be
    /// pinned (`vx lock --store`); `None`: the default store.
    pub store: Option<PathBuf>,
}

/// Why a lock run could not do its work.
#[derive(Debug, thiserror::Error)]
pub enum LockOpError {
    /// The lock cannot be read (exit 2).
    #[error(transparent)]
    Read(LockError),
    /// The lock is a link to what cannot be read as a lock: not vx's to overwrite.
    #[error("{source}; {} is a link, and vx does not write over what it points to when that cannot be read as a lock: fix the file it points to, or remove the link", path.display())]
    Link {
        /// The lock's path.
        path: PathBuf,
        /// Why it cannot be read.
        source: LockError,
    },
    /// The effective network settings cannot be used (exit 2).
    #[error("network settings: {0}")]
    Network(#[from] vx_sources::settings::network::NetConfigError),
    /// The manifest, the lock or a resolution refused the run.
    #[error(transparent)]
    Project(#[from] ProjectError),
    /// The lock could not be written.
    #[error(transparent)]
    Write(LockError),
    /// `[settings] platforms` could not be extended in vx.toml (exit 2).
    #[error("{}: cannot add {} to [settings] platforms: {reason}", path.display(), names(platforms))]
    ListPlatforms {
        /// vx.toml.
        path: PathBuf,
        /// The platforms to add.
        platforms: Vec<Platform>,
        /// Why not.
        reason: String,
    },
}

/// `platforms` as a list for a sentence.
fn names(platforms: &[Platform]) -> String {
    platforms
        .iter()
        .map(Platform::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The platforms to lock: `explicit` (`--platform`) when given, else the manifest's
/// `[settings] platforms`, else this machine's.
pub fn platforms(explicit: &[Platform], manifest: &Manifest) -> Vec<Platform> {
    if !explicit.is_empty() {
        explicit.to_vec()
    } else if !manifest.platforms.is_empty() {
        manifest.platforms.clone()
    } else {
        vec![Platform::current()]
    }
}

/// The lock beside `manifest` as a lock run reads it.
#[derive(Debug)]
pub struct Existing {
    /// The lock, when there is one that reads.
    pub lock: Option<Lock>,
    /// Why the file there was set aside (its content cannot be read as a lock: a
    /// merge's conflict markers), to be said: every tool is resolved anew.
    pub set_aside: Option<String>,
}

/// Reads the lock beside `manifest`. A lock whose content cannot be read is what `vx
/// lock` is for: every other command sends the user here, so when it is to be
/// `rewritten` the run starts afresh and says so (what the old file pinned is not
/// kept), as cargo and npm regenerate theirs. Not through a link, though: the lock is
/// written where a link points, and a file that is no lock (`vx.lock -> ~/.bashrc`
/// in a cloned repository) is not vx's to overwrite.
pub fn existing(manifest: &Manifest, rewritten: bool) -> Result<Existing, LockOpError> {
    let path = manifest.lock_path();
    match Lock::load(&path) {
        Ok(lock) => Ok(Existing {
            lock,
            set_aside: None,
        }),
        Err(source) if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_symlink()) => {
            Err(LockOpError::Link { path, source })
        }
        Err(e) if rewritten && e.invalid_content().is_some() => Ok(Existing {
            lock: None,
            set_aside: e.invalid_content(),
        }),
        Err(e) => Err(LockOpError::Read(e)),
    }
}

/// What `vx lock --check` finds.
#[derive(Debug, PartialEq, Eq)]
pub enum Checked {
    /// There is no lock.
    Missing,
    /// The lock holds every tool for every platform, as vx.toml says it.
    UpToDate,
    /// These tools' entries are missing or stale (or the lock holds tools vx.toml no
    /// longer lists).
    Stale(Vec<String>),
}

/// Whether `existing` (the lock beside `manifest`) is up to date for `platforms`.
pub fn check(
    manifest: &Manifest,
    catalogue: &Catalogue,
    existing: Option<&Lock>,
    platforms: &[Platform],
) -> Checked {
    let Some(lock) = existing else {
        return Checked::Missing;
    };
    let stale = plan::stale(manifest, Some(lock), catalogue, platforms);
    match stale.is_empty() {
        true => Checked::UpToDate,
        false => Checked::Stale(stale),
    }
}

/// What resolves `manifest`'s registry tools (as the caller edited it) through its
/// network settings and `catalogue`'s runtimes.
fn on_demand(
    manifest: &Manifest,
    catalogue: &Arc<Catalogue>,
    options: &Options,
    quiet: bool,
) -> OnDemand {
    OnDemand {
        options: Resolving::from_env(options.offline, quiet)
            .project(Some(manifest))
            .store(options.store.as_deref())
            .verbose(options.verbose)
            .allow_provenance_loss(options.allow_provenance_loss),
        catalogue: Arc::clone(catalogue),
    }
}

/// Fills `lock` for `platforms` in memory, as `vx lock` would (registry tools resolved
/// where it does not pin them, downloads where no checksum is known): for a caller
/// that writes only when the result is what it wanted (`vx add`).
pub(crate) fn relock(
    manifest: &Manifest,
    catalogue: &Arc<Catalogue>,
    lock: &mut Lock,
    platforms: &[Platform],
    options: &Options,
) -> Result<LockReport, LockOpError> {
    let resolver = on_demand(manifest, catalogue, options, options.quiet);
    vx_sources::settings::network::load(&manifest.network)?;
    let settings = Settings {
        network: manifest.network.clone(),
        offline: options.offline,
        ..options.settings.clone()
    };
    Ok(plan::relock(
        manifest, catalogue, lock, platforms, &settings, &resolver,
    )?)
}

/// [`relock`], then the lock written beside `manifest`.
pub fn relock_and_write(
    manifest: &Manifest,
    catalogue: &Arc<Catalogue>,
    lock: &mut Lock,
    platforms: &[Platform],
    options: &Options,
) -> Result<LockReport, LockOpError> {
    let report = relock(manifest, catalogue, lock, platforms, options)?;
    lock.write_for(manifest).map_err(LockOpError::Write)?;
    Ok(report)
}

/// What a lock run would record for one tool (`vx lock --dry-run`).
#[derive(Debug)]
pub struct DryTool {
    /// Its name in vx.toml.
    pub name: String,
    /// The version it would be locked at.
    pub version: String,
    /// Its registry package, as the lock records it.
    pub package: Option<String>,
    /// Per platform: what would be downloaded, or why nothing.
    pub platforms: Vec<(Platform, DryPlatform)>,
}

/// What a lock run would record for one platform of a tool.
#[derive(Debug)]
pub enum DryPlatform {
    /// The archive's URL and where its checksum would come from (`lock`, `manifest`,
    /// `download`, or the lock's recorded source).
    Download {
        /// The URL.
        url: String,
        /// Where its checksum comes from.
        checksum_source: String,
    },
    /// No download for that platform, and why.
    Unsupported(String),
}

/// Every tool of `manifest` resolved for `platforms` as a lock run would (the
/// registries and GitHub asked, checksum files read): no archive downloaded, nothing
/// written.
pub fn dry_run(
    manifest: &Manifest,
    catalogue: &Arc<Catalogue>,
    mut lock: Lock,
    platforms: &[Platform],
    options: &Options,
) -> Result<Vec<DryTool>, LockOpError> {
    let resolver = on_demand(manifest, catalogue, options, options.quiet);
    let pinned = plan::pin_for(manifest, catalogue, &mut lock, platforms, &resolver)?;
    let mut tools = Vec::new();
    for tool in &pinned.tools {
        let entry = lock.tools.get(&tool.name);
        let mut per_platform = Vec::new();
        for platform in tool.platforms_of(platforms) {
            let value = match tool.resolve(platform) {
                Ok(spec) => DryPlatform::Download {
                    checksum_source: match lock.fresh(tool, platform) {
                        Some(asset) => asset.checksum.clone().unwrap_or_else(|| "lock".to_owned()),
                        None if spec.sha256.is_some() => "manifest".to_owned(),
                        None => "download".to_owned(),
                    },
                    url: spec.url,
                },
                Err(vx_model::manifest::ResolveError::Unsupported { reason, .. }) => {
                    DryPlatform::Unsupported(reason)
                }
                Err(other) => DryPlatform::Unsupported(other.to_string()),
            };
            per_platform.push((platform.clone(), value));
        }
        tools.push(DryTool {
            name: tool.name.clone(),
            version: tool.version.clone(),
            package: entry.and_then(|e| e.package.clone()),
            platforms: per_platform,
        });
    }
    Ok(tools)
}

/// Adds the platforms `locked` (`--platform`) to vx.toml's `[settings] platforms`, so
/// the next `vx lock` (and every machine's) keeps them: a vx.toml without the list
/// gets one with this machine's platform too, which was what it meant without one.
/// Returns what was added (none: nothing to do).
pub fn list_platforms(
    manifest: &Manifest,
    locked: &[Platform],
) -> Result<Vec<Platform>, LockOpError> {
    let mut wanted: Vec<Platform> = Vec::new();
    let here = (manifest.platforms.is_empty() && !locked.is_empty()).then(Platform::current);
    for platform in here.iter().chain(locked) {
        if !manifest.platforms.contains(platform) && !wanted.contains(platform) {
            wanted.push(platform.clone());
        }
    }
    if wanted.is_empty() {
        return Ok(wanted);
    }
    let path = &manifest.path;
    let cannot = |reason: &dyn std::fmt::Display| LockOpError::ListPlatforms {
        path: path.clone(),
        platforms: wanted.clone(),
        reason: reason.to_string(),
    };
    let mut text =
        vx_base::bounded_read::read_to_string(path, vx_model::manifest::MAX_MANIFEST_BYTES)
            .map_err(|e| cannot(&e))?;
    for platform in &wanted {
        text = vx_model::manifest::edit::add_platform(&text, &platform.to_string())
            .map_err(|e| cannot(&e))?
            .0;
    }
    Manifest::parse(path, &text).map_err(|e| cannot(&e))?;
    vx_base::atomic::write(path, text.as_bytes()).map_err(|e| cannot(&e))?;
    Ok(wanted)
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // A lock run that could not do its work.
    LockOpError => |e| {
        use crate::lock::LockOpError;
        match e {
            LockOpError::Project(e) => e.into(),
            LockOpError::Write(e) => e.into(),
            e => Error::usage(e),
        }
    };
}
