//! A project's manifest and lock together: what `vx sync` installs on this platform
//! (locked checksums first, trust on first download for the rest, recorded
//! afterwards), and what `vx lock` downloads to fill the lock for any platform.

use std::path::Path;

use crate::install::store;
use crate::lock::{Asset, Lock, LockError};
use crate::manifest::{Manifest, ManifestError, Platform};
use crate::spec::ToolSpec;
use crate::sync::{self, Settings, SyncError};

/// How `vx sync` treats the lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockMode {
    /// Use fresh entries; lock stale or missing ones on this platform and write.
    Update,
    /// `--locked`: refuse to change the lock.
    Locked,
    /// `--frozen`: use the lock as it is, without checking it against the manifest.
    Frozen,
}

/// Why the manifest and the lock cannot be used together.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// The manifest has no download for this platform.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// The lock is invalid or unreadable.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// `--locked` and some entries are stale or missing.
    #[error("vx.lock is out of date for {} on {platform}; run `vx lock` (or `vx sync` without --locked)", .tools.join(", "))]
    Stale {
        /// The tools, in manifest order.
        tools: Vec<String>,
        /// The platform.
        platform: Platform,
    },
    /// `--frozen` and a tool has no entry for this platform.
    #[error("vx.lock has no {tool} for {platform}; run `vx lock` (or `vx sync` without --frozen)")]
    NotLocked {
        /// The tool.
        tool: String,
        /// The platform.
        platform: Platform,
    },
    /// The manifest's sha256 and the lock's differ for a fresh entry.
    #[error(
        "{tool}: vx.lock says sha256 {locked}, vx.toml says {manifest}; fix one (`vx lock` rewrites the lock)"
    )]
    Disagree {
        /// The tool.
        tool: String,
        /// The lock's hash.
        locked: String,
        /// The manifest's hash.
        manifest: String,
    },
    /// The sync could not run.
    #[error(transparent)]
    Sync(#[from] SyncError),
    /// No scratch store for the downloads of `vx lock`.
    #[error("cannot create a scratch store for the downloads")]
    Scratch(#[source] std::io::Error),
    /// The sync ran but its lock could not be written.
    #[error("the tools were synced but the lock was not written")]
    WriteLock(#[source] LockError),
}

impl ProjectError {
    /// Whether the user's input is at fault (manifest, lock, flags: exit 2) rather than
    /// the machine (exit 1).
    pub fn is_usage(&self) -> bool {
        !matches!(
            self,
            ProjectError::Sync(_) | ProjectError::Scratch(_) | ProjectError::WriteLock(_)
        )
    }
}

/// A project's sync, planned: what `vx sync` checks before it touches the store (the
/// manifest against its lock, per the [`LockMode`]), then runs with [`ProjectSync::run`].
#[derive(Clone, Debug)]
pub struct ProjectSync<'m> {
    manifest: &'m Manifest,
    mode: LockMode,
    lock: Option<Lock>,
    platform: Platform,
    /// What the sync installs.
    pub plan: SyncPlan,
}

impl<'m> ProjectSync<'m> {
    /// Reads the lock beside `manifest` and plans the sync on this platform.
    pub fn plan(manifest: &'m Manifest, mode: LockMode) -> Result<ProjectSync<'m>, ProjectError> {
        let lock = Lock::load(&manifest.lock_path())?;
        let platform = Platform::current();
        let plan = sync_plan(manifest, lock.as_ref(), &platform, mode)?;
        Ok(ProjectSync {
            manifest,
            mode,
            lock,
            platform,
            plan,
        })
    }

    /// Installs the plan into `store`; in [`LockMode::Update`] records what was
    /// installed on trust and writes the lock. Returns the sync's exit code.
    pub fn run(self, store: &Path, settings: &Settings) -> Result<i32, ProjectError> {
        let settings = Settings {
            first_use: self.plan.to_lock.clone(),
            ..settings.clone()
        };
        let label = self.manifest.path.display().to_string();
        let code = sync::run(&label, &self.plan.tools, store, &settings)?;
        if self.mode == LockMode::Update {
            let mut lock = self.lock.unwrap_or_default();
            record_installed(&mut lock, self.manifest, &self.platform, &self.plan, store);
            lock.retain_listed(self.manifest);
            lock.write(&self.manifest.lock_path())
                .map_err(ProjectError::WriteLock)?;
        }
        Ok(code)
    }
}

/// What one sync installs: every tool's spec (with the locked checksum where there is
/// one) and which of them are to be recorded in the lock once installed.
#[derive(Clone, Debug)]
pub struct SyncPlan {
    /// The tools, in manifest order.
    pub tools: Vec<ToolSpec>,
    /// Names of the tools without a fresh lock entry: installed on trust (the manifest's
    /// sha256 when it gives one) and recorded afterwards.
    pub to_lock: Vec<String>,
}

/// The tools `vx sync` installs on `platform`, given the lock (`None`: no lock yet).
pub fn sync_plan(
    manifest: &Manifest,
    lock: Option<&Lock>,
    platform: &Platform,
    mode: LockMode,
) -> Result<SyncPlan, ProjectError> {
    let empty = Lock::default();
    let lock = lock.unwrap_or(&empty);
    let mut tools = manifest.resolve(platform)?;
    let mut to_lock = Vec::new();
    for (spec, table) in tools.iter_mut().zip(&manifest.tools) {
        let asset = match mode {
            LockMode::Frozen => Some(
                lock.tools
                    .get(&table.name)
                    .and_then(|entry| entry.platforms.get(&platform.to_string()))
                    .ok_or_else(|| ProjectError::NotLocked {
                        tool: table.name.clone(),
                        platform: platform.clone(),
                    })?,
            ),
            LockMode::Update | LockMode::Locked => lock.fresh(table, platform),
        };
        match asset {
            Some(asset) => {
                if let Some(given) = spec.sha256.as_ref().filter(|s| **s != asset.sha256) {
                    return Err(ProjectError::Disagree {
                        tool: table.name.clone(),
                        locked: asset.sha256.clone(),
                        manifest: given.clone(),
                    });
                }
                spec.url = asset.url.clone();
                spec.sha256 = Some(asset.sha256.clone());
            }
            None => to_lock.push(table.name.clone()),
        }
    }
    if mode == LockMode::Locked && !to_lock.is_empty() {
        return Err(ProjectError::Stale {
            tools: to_lock,
            platform: platform.clone(),
        });
    }
    Ok(SyncPlan { tools, to_lock })
}

/// Records in `lock` what the installs of `plan.to_lock` on `platform` downloaded, read
/// from their receipts in `store` (tools that failed have none and stay unlocked).
pub fn record_installed(
    lock: &mut Lock,
    manifest: &Manifest,
    platform: &Platform,
    plan: &SyncPlan,
    store: &Path,
) {
    for spec in plan.tools.iter().filter(|s| plan.to_lock.contains(&s.name)) {
        let Some(table) = manifest.tool(&spec.name) else {
            continue;
        };
        let tree = store::install_dir(store, &spec.name, &spec.version);
        let Some(receipt) = store::read_receipt(&tree).filter(|r| r.url == spec.url) else {
            continue;
        };
        let asset = Asset {
            url: spec.url.clone(),
            sha256: receipt.sha256,
            size: Some(receipt.bytes),
        };
        lock.record(table, platform, asset);
    }
}

/// The tools (by name) whose lock entries are missing or stale for any of
/// `platforms`, and the names the lock holds that the manifest no longer lists.
pub fn stale(manifest: &Manifest, lock: Option<&Lock>, platforms: &[Platform]) -> Vec<String> {
    let empty = Lock::default();
    let lock = lock.unwrap_or(&empty);
    let mut names: Vec<String> = lock
        .stale(manifest, platforms)
        .iter()
        .map(|t| t.name.clone())
        .collect();
    names.extend(
        lock.tools
            .keys()
            .filter(|name| manifest.tool(name).is_none())
            .cloned(),
    );
    names
}

/// Fills `lock` for `platforms`: fresh entries stay, entries whose checksum the
/// manifest gives are recorded without a download, and the rest are downloaded (and
/// unpacked, to check the archive) into a throwaway store, one sync per platform with
/// the usual board and output, their hashes and sizes read from the receipts. Returns
/// the sync's exit code (1 when some download failed; those tools stay unlocked).
pub fn relock(
    manifest: &Manifest,
    lock: &mut Lock,
    platforms: &[Platform],
    settings: &Settings,
) -> Result<i32, ProjectError> {
    let mut code = crate::exit::OK;
    for platform in platforms {
        let mut fetch = Vec::new();
        for (spec, table) in manifest.resolve(platform)?.into_iter().zip(&manifest.tools) {
            if lock.fresh(table, platform).is_some() {
                continue;
            }
            match &spec.sha256 {
                Some(sha256) => {
                    let asset = Asset {
                        url: spec.url.clone(),
                        sha256: sha256.clone(),
                        size: None,
                    };
                    lock.record(table, platform, asset);
                }
                // Only the bytes matter: nothing of another platform runs here.
                None => fetch.push(ToolSpec {
                    post_install: None,
                    bin: None,
                    ..spec
                }),
            }
        }
        if fetch.is_empty() {
            continue;
        }
        let scratch = tempfile::Builder::new()
            .prefix("vx-lock-")
            .tempdir()
            .map_err(ProjectError::Scratch)?;
        let store = scratch.path();
        let label = format!("{} (locking {platform})", manifest.path.display());
        let settings = Settings {
            allow_unverified: true,
            ..settings.clone()
        };
        let run = sync::run(&label, &fetch, store, &settings)?;
        let plan = SyncPlan {
            to_lock: fetch.iter().map(|s| s.name.clone()).collect(),
            tools: fetch,
        };
        record_installed(lock, manifest, platform, &plan, store);
        if run != crate::exit::OK {
            code = run;
        }
        if run == crate::exit::INTERRUPTED {
            break;
        }
    }
    lock.retain_listed(manifest);
    Ok(code)
}
