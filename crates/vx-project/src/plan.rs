//! A project's manifest and lock together: what `vx sync` installs on this platform
//! (locked checksums first, trust on first download for the rest, recorded
//! afterwards), and what `vx lock` downloads to fill the lock for any platform.

use std::path::Path;

use vx_engine::resolution::{self, ResolutionError, Resolve};
use vx_engine::store;
use vx_model::lock::{Asset, Lock, LockError};
use vx_model::manifest::{Manifest, ManifestError, Platform, ToolTable};
use vx_model::spec::ToolSpec;
use vx_sources::runtime::catalogue::Catalogue;
use vx_sync::{Settings, SyncError};

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
    /// `--locked` or `--frozen`, and the lock holds these tools for other platforms
    /// only (made on another machine): the fix is to lock this one too.
    #[error(
        "vx.lock has no {platform} download of {} (it was locked on another platform); run `vx lock --platform {platform}` and commit vx.lock (or sync without --locked/--frozen, which locks it)",
        .tools.join(", ")
    )]
    MissingPlatform {
        /// The tools, in manifest order.
        tools: Vec<String>,
        /// This platform.
        platform: Platform,
    },
    /// `--frozen` and a tool has no usable entry for this platform.
    #[error(
        "vx.lock has no {tool} for {platform}; run `vx lock --platform {platform}` (or `vx sync` without --frozen)"
    )]
    NotLocked {
        /// The tool.
        tool: String,
        /// The platform.
        platform: Platform,
    },
    /// `--frozen` and the lock holds another version than the manifest asks for:
    /// installing it would put one version's bytes under the other's name.
    #[error(
        "vx.lock has {tool} {locked} but vx.toml asks for {tool} {wanted}; run `vx lock` (or `vx sync` without --frozen)"
    )]
    OtherVersion {
        /// The tool.
        tool: String,
        /// The version the lock holds.
        locked: String,
        /// The version the manifest asks for.
        wanted: String,
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
    /// `[settings] verify = "require"` and these tools declare no signature to verify.
    #[error(
        "[settings] verify = \"require\" but {} declare{} no signature vx verifies: give a URL tool a [tools.NAME.verify] table (minisign, cosign, sigstore, github_attestations or slsa), or set verify = \"warn\"",
        .tools.join(", "),
        if .tools.len() == 1 { "s" } else { "" }
    )]
    NothingToVerify {
        /// The tools, in manifest order.
        tools: Vec<String>,
    },
    /// A tool named by a registry could not be resolved (an unknown name, no version
    /// matching its constraint, no network and nothing cached, …).
    #[error(transparent)]
    Resolution(#[from] ResolutionError),
    /// A re-lock would lose the verification of these URL tools' locked versions, and
    /// the loss is not allowed ([`Resolve::allows_provenance_loss`]).
    #[error(
        "provenance loss: {}; vx.lock is unchanged (pass --allow-provenance-loss to vx lock or vx sync to lock it anyway)",
        .losses.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    ProvenanceLoss {
        /// Each tool's loss, in manifest order.
        losses: Vec<ProvenanceLoss>,
    },
}

impl ProjectError {
    /// Whether the user's input is at fault (manifest, lock, flags: exit 2) rather than
    /// the machine (exit 1).
    pub(crate) fn is_usage(&self) -> bool {
        match self {
            ProjectError::Sync(_) | ProjectError::Scratch(_) | ProjectError::WriteLock(_) => false,
            ProjectError::Resolution(e) => e.is_usage(),
            _ => true,
        }
    }
}

/// A project's sync, planned: what `vx sync` checks before it touches the store (the
/// manifest against its lock, per the [`LockMode`]), then runs with [`ProjectSync::run`].
#[derive(Clone, Debug)]
pub struct ProjectSync {
    /// The manifest with its registry tools pinned (concrete tables).
    manifest: Manifest,
    mode: LockMode,
    lock: Option<Lock>,
    platform: Platform,
    /// The provenance losses allowed, recorded in the lock the run writes.
    losses: Vec<ProvenanceLoss>,
    /// What the sync installs.
    pub plan: SyncPlan,
    /// Tools the lock held for other platforms only, locked for this one by this sync
    /// ([`LockMode::Update`]): said once by the command ([`ProjectSync::tell_locked_here`]).
    pub locked_here: Vec<String>,
}

/// What [`ProjectSync::run`] did.
#[derive(Clone, Debug)]
pub struct SyncOutcome {
    /// The exit code: the sync's, or [`vx_base::exit::FAILED`] when a platform the lock
    /// covered could not be re-locked.
    pub code: i32,
    /// What re-locking the other platforms of re-locked tools did (empty when nothing
    /// had to be).
    pub relocked: LockReport,
    /// The tools of this platform whose install failed (not one an interrupt
    /// cancelled), each with its whole reason.
    pub failed: Vec<(String, String)>,
}

impl ProjectSync {
    /// Reads the lock beside `manifest` and plans the sync on this platform. Registry
    /// tools the lock pins are taken from it; in [`LockMode::Update`] the others are
    /// resolved through `resolve` (and recorded in the lock the run writes), else they
    /// are not locked. In [`LockMode::Update`] a URL tool that would lose its locked
    /// version's verification is refused first ([`provenance_gate`]), whichever
    /// command asks: `vx sync`, or `vx exec`, `vx CMD` and `vx run` installing what is
    /// missing.
    pub fn plan(
        manifest: &Manifest,
        catalogue: &Catalogue,
        mode: LockMode,
        resolve: &dyn Resolve,
    ) -> Result<ProjectSync, ProjectError> {
        let mut lock = Lock::load(&manifest.lock_path())?;
        let platform = Platform::current();
        let losses = match mode {
            LockMode::Update => provenance_gate(manifest, lock.as_ref(), resolve)?,
            LockMode::Locked | LockMode::Frozen => Vec::new(),
        };
        let (mut pinned, unresolved) = resolution::pinned::pin(manifest, lock.as_ref(), catalogue);
        // Registry tools for this platform that the lock does not pin.
        let mut unresolved: Vec<String> = unresolved
            .into_iter()
            .filter(|name| pinned.tool(name).is_some_and(|t| t.is_for(&platform)))
            .collect();
        // Tools the lock holds for other platforms only (a lock made on another
        // machine): this platform is locked now, at the locked version, from the
        // index and checksum files (registry tools) or by this sync's download (URL
        // tools); `--locked` and `--frozen` refuse, naming the fix.
        let registry_lacking = resolution::pinned::lacking(&pinned, &platform);
        let locked_here: Vec<String> = pinned
            .tools
            .iter()
            .filter(|t| t.is_for(&platform) && !unresolved.contains(&t.name))
            .filter(|t| match t.registry {
                Some(_) => registry_lacking.contains(&t.name),
                None => lock.as_ref().is_some_and(|l| lacks(l, t, &platform)),
            })
            .map(|t| t.name.clone())
            .collect();
        if !locked_here.is_empty() && mode != LockMode::Update {
            // What vx.toml changed since the lock was made is said first, under
            // `--locked`: `vx lock` is the fix for it whatever the platforms.
            let stale: Vec<String> = unresolved
                .iter()
                .cloned()
                .chain(
                    pinned
                        .tools
                        .iter()
                        .filter(|t| t.is_for(&platform) && t.registry.is_none())
                        .filter(|t| {
                            lock.as_ref()
                                .and_then(|l| l.tools.get(&t.name))
                                .is_none_or(|e| e.inputs != t.download_inputs())
                        })
                        .map(|t| t.name.clone()),
                )
                .collect();
            if mode == LockMode::Locked && !stale.is_empty() {
                return Err(ProjectError::Stale {
                    tools: stale,
                    platform,
                });
            }
            return Err(ProjectError::MissingPlatform {
                tools: locked_here,
                platform,
            });
        }
        unresolved.extend(
            locked_here
                .iter()
                .filter(|name| pinned.tool(name).is_some_and(|t| t.registry.is_some()))
                .cloned(),
        );
        match (unresolved.first(), mode) {
            (None, _) => {}
            (Some(_), LockMode::Update) => {
                let mut platforms = manifest.platforms.clone();
                if !platforms.contains(&platform) {
                    platforms.push(platform.clone());
                }
                let into = lock.get_or_insert_with(Lock::default);
                resolve.resolve(&mut pinned, &unresolved, &platforms, into)?;
            }
            (Some(_), LockMode::Locked) => {
                return Err(ProjectError::Stale {
                    tools: unresolved,
                    platform,
                });
            }
            (Some(first), LockMode::Frozen) => {
                // A lock entry of another constraint (vx.toml edited since): both
                // versions named, as for a URL tool.
                let wanted = manifest.tool(first).map(|t| match &t.registry {
                    Some(request) => request.constraint.clone(),
                    None => t.version.clone(),
                });
                return Err(
                    match (lock.as_ref().and_then(|l| l.tools.get(first)), wanted) {
                        (Some(entry), Some(wanted)) => ProjectError::OtherVersion {
                            tool: first.clone(),
                            locked: entry.version.clone(),
                            wanted,
                        },
                        _ => ProjectError::NotLocked {
                            tool: first.clone(),
                            platform,
                        },
                    },
                );
            }
        }
        require_signatures(
            &pinned,
            pinned.tools.iter().filter(|t| t.is_for(&platform)),
            lock.as_ref(),
            std::slice::from_ref(&platform),
        )?;
        let plan = sync_plan(&pinned, lock.as_ref(), &platform, mode)?;
        Ok(ProjectSync {
            manifest: pinned,
            mode,
            lock,
            platform,
            losses,
            plan,
            locked_here,
        })
    }

    /// Leaves the tools named `names` out of this sync: not installed, not locked
    /// here (`vx exec` skipping a tool whose install failed before, see
    /// [`crate::toolchain::failed`]).
    pub fn skip(&mut self, names: &[String]) {
        self.plan.tools.retain(|t| !names.contains(&t.name));
        self.plan.to_lock.retain(|n| !names.contains(n));
    }

    /// The line a command says once before this sync runs when it locks this
    /// platform for tools the lock held for other platforms only (`None`: nothing
    /// to say).
    pub fn tell_locked_here(&self) -> Option<String> {
        (!self.locked_here.is_empty()).then(|| {
            format!(
                "vx: {} has no {} download of {}: locking it now (registry tools from their index and checksum files); commit it, or list the platform in [settings] platforms",
                self.manifest.lock_path().display(),
                self.platform,
                self.locked_here.join(", ")
            )
        })
    }

    /// Installs the plan into `store`; in [`LockMode::Update`] records what was
    /// installed on trust, re-locks the other platforms the lock covered for the tools
    /// re-locked here (downloading and hashing, not unpacking), and writes the lock.
    pub fn run(self, store: &Path, settings: &Settings) -> Result<SyncOutcome, ProjectError> {
        let sync_settings = Settings {
            first_use: self.plan.to_lock.clone(),
            ..settings.clone()
        };
        let manifest = &self.manifest;
        // Held until the lock is written, so a prune never removes what this sync
        // installed before the lock pins it; the project is tracked as a user of the
        // store before anything is installed. Both best effort: a store whose lock
        // directory cannot be written fails the installs themselves.
        let _hold = vx_engine::tracked::hold_shared(store).ok();
        // A tracked file that cannot be read is kept as it is, and said: prune stops at
        // it until it is fixed.
        if let Err(err @ vx_engine::tracked::TrackedError::File { .. }) =
            vx_engine::tracked::track(store, &manifest.path)
        {
            vx_base::note!("vx: {err}");
        }
        let label = manifest.path.display().to_string();
        let (mut code, failed) =
            vx_sync::run_with_failures(&label, &self.plan.tools, store, &sync_settings)?;
        if let Some(lock) = &self.lock {
            record_verified(lock, manifest, &self.platform, &self.plan, store);
        }
        let mut relocked = LockReport::default();
        if self.mode == LockMode::Update {
            let mut lock = self.lock.unwrap_or_default();
            // The platforms each re-locked tool's entry covered before this sync.
            let elsewhere: Vec<(&ToolTable, Vec<Platform>)> = self
                .plan
                .to_lock
                .iter()
                .filter_map(|name| manifest.tool(name))
                .map(|tool| {
                    let mut platforms = lock.platforms_of(&tool.name);
                    platforms.retain(|p| *p != self.platform && tool.is_for(p));
                    platforms.sort();
                    platforms.dedup();
                    (tool, platforms)
                })
                .collect();
            record_installed(&mut lock, manifest, &self.platform, &self.plan, store);
            record_provenance_losses(&mut lock, &self.losses);
            for tool in &manifest.tools {
                lock.renew_layout(tool);
            }
            lock.retain_listed(manifest);
            // Tools that covered the same platforms are re-locked together, each only
            // for the platforms its entry held.
            let mut groups: Vec<(Vec<Platform>, Vec<String>)> = Vec::new();
            for (tool, platforms) in elsewhere.into_iter().filter(|(_, p)| !p.is_empty()) {
                match groups.iter_mut().find(|(p, _)| *p == platforms) {
                    Some((_, names)) => names.push(tool.name.clone()),
                    None => groups.push((platforms, vec![tool.name.clone()])),
                }
            }
            for (platforms, names) in groups {
                if code == vx_base::exit::INTERRUPTED || relocked.code == vx_base::exit::INTERRUPTED
                {
                    break;
                }
                let report = relock_tools(manifest, &mut lock, &platforms, Some(&names), settings)?;
                relocked.merge(report);
            }
            if relocked.code != vx_base::exit::OK && code == vx_base::exit::OK {
                code = relocked.code;
            }
            lock.write_for(manifest).map_err(ProjectError::WriteLock)?;
        }
        Ok(SyncOutcome {
            code,
            relocked,
            failed,
        })
    }
}

/// What one sync installs: every tool's spec (with the locked checksum where there is
/// one) and which of them are to be recorded in the lock once installed.
#[derive(Clone, Debug)]
pub struct SyncPlan {
    /// The tools for this platform, in manifest order.
    pub tools: Vec<ToolSpec>,
    /// Names of the tools without a fresh lock entry: installed on trust (the manifest's
    /// sha256 when it gives one) and recorded afterwards.
    pub to_lock: Vec<String>,
    /// Names of the tools whose `os` leaves this platform out: not installed, not a
    /// failure.
    pub not_here: Vec<String>,
}

/// The tools `vx sync` installs on `platform`, given the lock (`None`: no lock yet).
pub(crate) fn sync_plan(
    manifest: &Manifest,
    lock: Option<&Lock>,
    platform: &Platform,
    mode: LockMode,
) -> Result<SyncPlan, ProjectError> {
    let empty = Lock::default();
    let lock = lock.unwrap_or(&empty);
    let mut tools = Vec::new();
    let mut to_lock = Vec::new();
    let mut not_here = Vec::new();
    let mut layout_stale = Vec::new();
    for table in &manifest.tools {
        if !table.is_for(platform) {
            not_here.push(table.name.clone());
            continue;
        }
        let mut spec = table
            .resolve(platform)
            .map_err(|source| ManifestError::Resolve {
                path: manifest.path.clone(),
                source: Box::new(source),
            })?;
        let asset = match mode {
            LockMode::Frozen => Some(frozen_asset(lock, table, platform)?),
            LockMode::Update | LockMode::Locked => lock.fresh(table, platform),
        };
        match asset {
            Some(asset) => {
                if let (Some(given), Some(locked)) = (&spec.sha256, &asset.sha256)
                    && given != locked
                {
                    return Err(ProjectError::Disagree {
                        tool: table.name.clone(),
                        locked: locked.clone(),
                        manifest: given.clone(),
                    });
                }
                // The lock pins the bytes, verified (and recorded) when they were
                // locked: no signature is fetched again.
                asset.apply_to(&mut spec);
                if !lock.layout_fresh(table) {
                    layout_stale.push(table.name.clone());
                }
            }
            None => to_lock.push(table.name.clone()),
        }
        tools.push(spec);
    }
    // What each tool needs besides its download: a runtime tool's environment as its
    // lock entry pins it, a crate's or a Go module's runtime to build with.
    let project = resolution::needs::ProjectTools::of(&tools, lock, Some(&manifest.path));
    resolution::needs::plan(&mut tools, &project, lock, platform)?;
    if mode == LockMode::Locked && !(to_lock.is_empty() && layout_stale.is_empty()) {
        let mut stale = to_lock;
        stale.extend(layout_stale);
        return Err(ProjectError::Stale {
            tools: stale,
            platform: platform.clone(),
        });
    }
    Ok(SyncPlan {
        tools,
        to_lock,
        not_here,
    })
}

/// Under `[settings] verify = "require"`, refuses `tools` that have nothing to verify
/// ([`ProjectError::NothingToVerify`], naming them all): a URL tool without a `verify`
/// table, a registry tool whose lock entry for one of `platforms` records no
/// verification. (A registry tool not locked yet is checked when it is resolved: the
/// resolver refuses it there.)
fn require_signatures<'t>(
    manifest: &Manifest,
    tools: impl Iterator<Item = &'t ToolTable>,
    lock: Option<&Lock>,
    platforms: &[Platform],
) -> Result<(), ProjectError> {
    if manifest.verify != vx_net::verify::Policy::Require {
        return Ok(());
    }
    let unverified = |t: &ToolTable| {
        if t.registry.is_none() {
            return t.verify.as_ref().is_none_or(|c| c.is_empty());
        }
        let entry = lock.and_then(|l| l.tools.get(&t.name));
        t.platforms_of(platforms).iter().any(|p| {
            entry
                .and_then(|e| e.platforms.get(&p.to_string()))
                .is_some_and(|asset| asset.verified.is_none())
        })
    };
    let tools: Vec<String> = tools
        .filter(|t| unverified(t))
        .map(|t| t.name.clone())
        .collect();
    if tools.is_empty() {
        Ok(())
    } else {
        Err(ProjectError::NothingToVerify { tools })
    }
}

/// Whether `lock` holds the URL tool `tool` for other platforms but has no entry for
/// `platform` (neither a download nor a reason it has none): a lock made on another
/// machine. (A registry tool's is [`resolution::pinned::lacking`].)
fn lacks(lock: &Lock, tool: &ToolTable, platform: &Platform) -> bool {
    let key = platform.to_string();
    // An entry made from other inputs (vx.toml edited since) is out of date, not
    // locked elsewhere: said as stale, as on a platform it covers.
    lock.tools.get(&tool.name).is_some_and(|entry| {
        entry.inputs == tool.download_inputs()
            && !entry.platforms.is_empty()
            && !entry.platforms.contains_key(&key)
            && !entry.unsupported.contains_key(&key)
    })
}

/// The lock's entry of `table` on `platform` under `--frozen`: it must exist, be of
/// the manifest's version, and not be kept stale.
fn frozen_asset<'l>(
    lock: &'l Lock,
    table: &ToolTable,
    platform: &Platform,
) -> Result<&'l Asset, ProjectError> {
    let not_locked = || ProjectError::NotLocked {
        tool: table.name.clone(),
        platform: platform.clone(),
    };
    let entry = lock.tools.get(&table.name).ok_or_else(not_locked)?;
    if entry.version != table.version {
        return Err(ProjectError::OtherVersion {
            tool: table.name.clone(),
            locked: entry.version.clone(),
            wanted: table.version.clone(),
        });
    }
    entry
        .platforms
        .get(&platform.to_string())
        .filter(|asset| !asset.stale)
        .ok_or_else(not_locked)
}

/// Records in `lock` what the installs of `plan.to_lock` on `platform` downloaded, read
/// from their receipts in `store` (tools that failed have none and stay unlocked), and
/// clears the UNVERIFIED mark of those receipts: their hash is now pinned.
pub(crate) fn record_installed(
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
        let Some((tree, receipt)) = store::find(store, spec) else {
            continue;
        };
        let mut asset = Asset::new(
            spec.url.clone(),
            receipt.sha256.clone(),
            Some(receipt.bytes),
        );
        if table.registry.is_some() {
            // What an install needs besides the URL, so the lock alone installs it.
            let over = table.platforms.get(platform);
            asset.format = over.and_then(|o| o.format).map(|f| f.name().to_owned());
            asset.bin = over.and_then(|o| o.bin.clone());
            asset.checksum = Some("download".to_owned());
        }
        asset.verified = receipt.verified.clone();
        lock.record(table, platform, asset);
        store::mark_pinned(&tree, &receipt.sha256);
    }
}

/// Copies into the receipts of the tools `plan` installed from fresh lock entries what
/// those entries record as verified, so `vx list` says it of a tree whose install
/// fetched no signature.
fn record_verified(
    lock: &Lock,
    manifest: &Manifest,
    platform: &Platform,
    plan: &SyncPlan,
    store: &Path,
) {
    for spec in plan
        .tools
        .iter()
        .filter(|s| !plan.to_lock.contains(&s.name))
    {
        let Some(asset) = manifest
            .tool(&spec.name)
            .and_then(|t| lock.fresh(t, platform))
        else {
            continue;
        };
        if let (Some(verified), Some(sha256)) = (&asset.verified, &asset.sha256)
            && let Some((tree, _)) = store::find(store, spec)
        {
            store::mark_verified(&tree, sha256, verified);
        }
    }
}

pub(crate) use vx_net::verify::provenance::ProvenanceLoss;

/// The provenance `manifest` would lose against `lock`: each URL tool whose locked
/// version was verified (any platform's `verified`) and whose new version's `verify`
/// table would not verify it with every one of the same signers. Decided from the
/// keys alone, before anything is downloaded. (Registry tools are judged by the
/// resolver, once it has checked the new version's checksum file.)
pub(crate) fn provenance_losses(manifest: &Manifest, lock: Option<&Lock>) -> Vec<ProvenanceLoss> {
    let Some(lock) = lock else {
        return Vec::new();
    };
    let mut losses = Vec::new();
    for tool in &manifest.tools {
        let Some(entry) = lock.tools.get(&tool.name) else {
            continue;
        };
        if tool.registry.is_some() || entry.version == tool.version {
            continue;
        }
        let locked = entry.verified_records();
        if locked.is_empty() {
            continue;
        }
        let new_by = tool
            .verify
            .as_ref()
            .filter(|checks| !checks.is_empty())
            .and_then(|checks| checks.records().ok());
        if vx_net::verify::provenance::keeps(&locked, new_by.as_deref()) {
            continue;
        }
        losses.push(ProvenanceLoss {
            tool: tool.name.clone(),
            locked_version: entry.version.clone(),
            locked_by: locked.join(","),
            new_version: tool.version.clone(),
            new_by,
        });
    }
    losses
}

/// The gate every re-lock passes before it resolves or downloads anything: the
/// [`provenance_losses`] of `manifest` against `lock`, refused
/// ([`ProjectError::ProvenanceLoss`], naming each tool, what verified it and what its
/// new version offers) unless `resolve` allows them; allowed, each is said and
/// returned for the lock to record ([`record_provenance_losses`]).
pub(crate) fn provenance_gate(
    manifest: &Manifest,
    lock: Option<&Lock>,
    resolve: &dyn Resolve,
) -> Result<Vec<ProvenanceLoss>, ProjectError> {
    let losses = provenance_losses(manifest, lock);
    if losses.is_empty() {
        return Ok(losses);
    }
    if !resolve.allows_provenance_loss() {
        return Err(ProjectError::ProvenanceLoss { losses });
    }
    for loss in &losses {
        vx_base::note!("vx: provenance loss allowed (--allow-provenance-loss): {loss}");
    }
    Ok(losses)
}

/// Records each allowed loss on its tool's entry in `lock` (where the entry now holds
/// the new version).
pub(crate) fn record_provenance_losses(lock: &mut Lock, losses: &[ProvenanceLoss]) {
    for loss in losses {
        if let Some(entry) = lock.tools.get_mut(&loss.tool)
            && entry.version == loss.new_version
        {
            entry.provenance_loss = Some(loss.record());
        }
    }
}

/// The tools (by name) whose lock entries are missing or stale for any of
/// `platforms`, and the names the lock holds that the manifest no longer lists.
pub fn stale(
    manifest: &Manifest,
    lock: Option<&Lock>,
    catalogue: &Catalogue,
    platforms: &[Platform],
) -> Vec<String> {
    let empty = Lock::default();
    let lock = lock.unwrap_or(&empty);
    let (manifest, _) = resolution::pinned::pin(manifest, Some(lock), catalogue);
    let manifest = &manifest;
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

/// What filling a lock did, per tool and platform, for the closing line of `vx lock`
/// and of a sync that re-locked other platforms.
#[derive(Clone, Debug, Default)]
pub struct LockReport {
    /// The worst exit code of the downloads (OK, FAILED, INTERRUPTED).
    pub code: i32,
    /// `(tool, platform)` pairs recorded in this run.
    pub locked: Vec<(String, Platform)>,
    /// `(tool, platform)` pairs that could not be locked (their downloads failed; the
    /// sync's output says why), or were not tried after an interrupt.
    pub failed: Vec<(String, Platform)>,
    /// Tools whose one URL serves every platform they were locked for, although they
    /// name no `os`: probably a download for one platform only (a Linux wheel locked
    /// for macOS). Said once per tool.
    pub same_url: Vec<(String, Vec<Platform>)>,
    /// `(tool, platform, reason)`: registry tools with no download for a platform.
    pub unsupported: Vec<(String, Platform, String)>,
    /// Why each of [`LockReport::failed`] was not locked, when known: its download's
    /// or install's whole reason, or what kept a finished install out of the lock.
    pub why_failed: Vec<(String, Platform, String)>,
}

impl LockReport {
    /// Why `tool` was not locked for `platform`, when known.
    pub fn why_failed(&self, tool: &str, platform: &Platform) -> Option<&str> {
        self.why_failed
            .iter()
            .find(|(t, p, _)| t == tool && p == platform)
            .map(|(_, _, why)| why.as_str())
    }
}

impl LockReport {
    /// Adds what another lock run did (its worst exit code wins).
    fn merge(&mut self, other: LockReport) {
        if self.code == vx_base::exit::OK || other.code == vx_base::exit::INTERRUPTED {
            self.code = other.code;
        }
        self.locked.extend(other.locked);
        self.failed.extend(other.failed);
        self.same_url.extend(other.same_url);
        self.unsupported.extend(other.unsupported);
        self.why_failed.extend(other.why_failed);
    }
}

/// Fills `lock` for `platforms` (each tool only for the platforms it is for): fresh
/// entries stay, an outdated layout is re-recorded without a download, entries whose
/// checksum the manifest gives are recorded without a download, and the rest are
/// downloaded and hashed (not unpacked: see [`Settings::probe`]), one sync per platform
/// with the usual board and output. A URL tool that would lose its locked version's
/// verification is refused before anything is resolved or downloaded
/// ([`provenance_gate`]); an allowed loss is recorded on its entry.
pub fn relock(
    manifest: &Manifest,
    catalogue: &Catalogue,
    lock: &mut Lock,
    platforms: &[Platform],
    settings: &Settings,
    resolve: &dyn Resolve,
) -> Result<LockReport, ProjectError> {
    let losses = provenance_gate(manifest, Some(lock), resolve)?;
    let pinned = pin_for(manifest, catalogue, lock, platforms, resolve)?;
    let report = relock_tools(&pinned, lock, platforms, None, settings)?;
    lock.retain_listed(&pinned);
    record_provenance_losses(lock, &losses);
    Ok(report)
}

/// `manifest` with every registry tool concrete for `platforms`: pinned by the lock,
/// else resolved through `resolve` (recorded in `lock`). A pinned tool whose entry
/// lacks one of `platforms` is resolved again for it (at its locked version).
pub fn pin_for(
    manifest: &Manifest,
    catalogue: &Catalogue,
    lock: &mut Lock,
    platforms: &[Platform],
    resolve: &dyn Resolve,
) -> Result<Manifest, ProjectError> {
    let (mut pinned, mut names) = resolution::pinned::pin(manifest, Some(lock), catalogue);
    for tool in pinned.tools.iter().filter(|t| t.registry.is_some()) {
        let lacking = tool
            .platforms_of(platforms)
            .iter()
            .any(|p| !tool.platforms.contains_key(*p));
        if lacking && !names.contains(&tool.name) {
            names.push(tool.name.clone());
        }
    }
    if !names.is_empty() {
        resolve.resolve(&mut pinned, &names, platforms, lock)?;
    }
    Ok(pinned)
}

/// [`relock`] for the tools named in `only` (all when `None`).
fn relock_tools(
    manifest: &Manifest,
    lock: &mut Lock,
    platforms: &[Platform],
    only: Option<&[String]>,
    settings: &Settings,
) -> Result<LockReport, ProjectError> {
    let mut report = LockReport {
        code: vx_base::exit::OK,
        ..LockReport::default()
    };
    let chosen: Vec<&ToolTable> = manifest
        .tools
        .iter()
        .filter(|t| only.is_none_or(|names| names.contains(&t.name)))
        .collect();
    require_signatures(manifest, chosen.iter().copied(), Some(lock), platforms)?;
    for tool in &chosen {
        let ours = tool.platforms_of(platforms);
        let to_fill = ours.iter().any(|p| lock.fresh(tool, p).is_none());
        if to_fill && tool.os.is_empty() && ours.len() > 1 {
            let urls: Vec<Option<String>> = ours
                .iter()
                .map(|p| tool.resolve(p).ok().map(|s| s.url))
                .collect();
            if urls.iter().all(|u| u.is_some() && *u == urls[0]) {
                report
                    .same_url
                    .push((tool.name.clone(), ours.into_iter().cloned().collect()));
            }
        }
        if lock.tools.contains_key(&tool.name) {
            lock.renew(tool);
        }
    }
    for platform in platforms {
        let mut fetch = Vec::new();
        for tool in chosen.iter().filter(|t| t.is_for(platform)) {
            if lock.fresh(tool, platform).is_some() {
                continue;
            }
            if let Some(reason) = tool
                .platforms
                .get(platform)
                .and_then(|o| o.unsupported.as_ref())
            {
                report
                    .unsupported
                    .push((tool.name.clone(), platform.clone(), reason.clone()));
                continue;
            }
            let spec = tool
                .resolve(platform)
                .map_err(|source| ManifestError::Resolve {
                    path: manifest.path.clone(),
                    source: Box::new(source),
                })?;
            match &spec.sha256 {
                // A signature is checked over the bytes: they are downloaded even
                // when their checksum is known.
                Some(sha256) if spec.verify.is_none() => {
                    let asset = Asset::new(spec.url.clone(), sha256.clone(), None);
                    lock.record(tool, platform, asset);
                    report.locked.push((tool.name.clone(), platform.clone()));
                }
                // Only the bytes and the archive's listing matter: nothing of
                // another platform runs here.
                _ => fetch.push(ToolSpec {
                    // Executables an install step makes (OTP's `Install`) are not in
                    // the archive: they are checked when the tree is installed.
                    bin: spec.bin.clone().filter(|_| spec.post_install.is_none()),
                    post_install: None,
                    ..spec
                }),
            }
        }
        if fetch.is_empty() {
            continue;
        }
        if report.code == vx_base::exit::INTERRUPTED {
            for spec in &fetch {
                report.failed.push((spec.name.clone(), platform.clone()));
                report.why_failed.push((
                    spec.name.clone(),
                    platform.clone(),
                    "not tried: the run was interrupted".to_owned(),
                ));
            }
            continue;
        }
        let scratch = vx_engine::scratch::new("vx-lock-").map_err(ProjectError::Scratch)?;
        let store = scratch.path();
        let label = format!("{} for {platform}", manifest.path.display());
        let settings = Settings {
            allow_unverified: true,
            probe: true,
            ..settings.clone()
        };
        let (run, failures) = vx_sync::run_with_failures(&label, &fetch, store, &settings)?;
        let plan = SyncPlan {
            to_lock: fetch.iter().map(|s| s.name.clone()).collect(),
            tools: fetch,
            not_here: Vec::new(),
        };
        record_installed(lock, manifest, platform, &plan, store);
        for spec in &plan.tools {
            let tool = manifest.tool(&spec.name);
            let pair = (spec.name.clone(), platform.clone());
            match tool.and_then(|t| lock.fresh(t, platform)) {
                Some(_) => report.locked.push(pair),
                None => {
                    let why = failures
                        .iter()
                        .find(|(name, _)| *name == spec.name)
                        .map(|(_, why)| why.clone())
                        .filter(|why| !why.is_empty())
                        .unwrap_or_else(|| {
                            "it installed, but no receipt of it could be recorded in the lock"
                                .to_owned()
                        });
                    report
                        .why_failed
                        .push((spec.name.clone(), platform.clone(), why));
                    report.failed.push(pair);
                }
            }
        }
        if run != vx_base::exit::OK && report.code != vx_base::exit::INTERRUPTED {
            report.code = run;
        }
    }
    Ok(report)
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // A manifest or lock error is the user's to fix (exit 2), but for a sync that
    // could not run (exit 1); a resolution's as its own error says.
    ProjectError => |e| match e {
        crate::plan::ProjectError::Resolution(e) => e.into(),
        e => by_kind(e.is_usage(), e),
    };
}
