//! The projects that use a store, so that `vx prune` in one project does not delete
//! another's tools (the store is shared by every project of the user).
//!
//! Every sync records its manifest's path in `<store>/.tracked.json` ([`track`]), as
//! mise keeps its tracked configs. [`pins`] reads back each tracked project's `vx.lock`
//! (and the global toolset's lock, `vx.lock` in vx's configuration directory, when it
//! exists) and says which store entries each pins; a project whose manifest is gone is
//! dropped from the file then. The file lives in the store rather than beside the user
//! config because what it answers is "who uses this store": a `--store` elsewhere has
//! its own, and the demo's temporary store takes its own away with it.
//!
//! Concurrency: a sync holds the store's hold ([`hold_shared`], a shared file lock on
//! `<store>/.locks/store.lock`) from before it installs until its lock is written, and
//! prune takes it exclusively ([`try_hold_exclusive`]): a prune never sees a version
//! that a running sync has installed but not yet recorded. The file itself is rewritten
//! whole ([`vx_base::atomic::write`]) under its own lock, so two syncs recording at once
//! both stay.

use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::store::{self, LOCKS_DIR};
use vx_model::lock::{Lock, LockError};
use vx_model::manifest::LOCK_FILE;

/// The file of tracked projects, in the store.
pub(crate) const TRACKED_FILE: &str = ".tracked.json";
/// The lock a sync holds shared and a prune exclusively, in the store's lock directory.
const HOLD_FILE: &str = "store.lock";
/// The lock of [`TRACKED_FILE`]'s read-modify-write, in the store's lock directory.
const TRACKED_LOCK: &str = "tracked.lock";
/// The largest tracked file read: a path is a few hundred bytes.
const MAX_TRACKED_BYTES: u64 = 4 << 20;
/// The version of the file's format.
const FORMAT: u32 = 1;

/// The file as written.
#[derive(Debug, Default, Deserialize, Serialize)]
struct Tracked {
    version: u32,
    /// Absolute paths of the manifests that synced into this store, sorted.
    projects: Vec<PathBuf>,
}

/// A lock on the store held while it lives: shared by syncs, exclusive for a prune.
#[derive(Debug)]
pub struct Hold {
    _file: File,
}

/// Why the tracked projects' pins could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TrackedError {
    /// The tracked file exists and cannot be read (a newer vx's format, a torn or
    /// foreign file, not a regular file): which projects use the store is unknown, so
    /// nothing is pruned and a sync does not replace it.
    #[error(
        "cannot read {}, the list of projects that use this store: {reason} (a prune cannot tell what other projects pin; fix or remove the file, or pass --all to prune regardless)",
        path.display()
    )]
    File {
        /// The tracked file.
        path: PathBuf,
        /// Why, in words.
        reason: String,
    },
    /// The tracked file could not be rewritten.
    #[error("cannot write {}", path.display())]
    Write {
        /// The tracked file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A tracked project's lock exists and cannot be read: what it pins is unknown, so
    /// nothing is pruned.
    #[error(
        "{} is tracked as using this store, but its lock cannot be read (fix it, or pass --all to prune regardless)",
        manifest.display()
    )]
    Lock {
        /// The tracked manifest.
        manifest: PathBuf,
        /// Why.
        #[source]
        source: LockError,
    },
}

/// Who keeps a store entry.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Keeper {
    /// A tracked project, by its manifest.
    Project(PathBuf),
    /// The global toolset, by its lock.
    Global(PathBuf),
}

impl std::fmt::Display for Keeper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Keeper::Project(manifest) => write!(f, "{}", manifest.display()),
            Keeper::Global(lock) => write!(f, "the global toolset ({})", lock.display()),
        }
    }
}

/// What the tracked projects pin: (tool, version) → who.
#[derive(Clone, Debug, Default)]
pub struct Pins {
    /// Each pinned store entry and its keepers, sorted.
    pub entries: BTreeMap<(String, String), Vec<Keeper>>,
}

impl Pins {
    /// Who keeps `tool` at `version` (empty: nobody tracked).
    pub fn keepers(&self, tool: &str, version: &str) -> &[Keeper] {
        self.entries
            .get(&(tool.to_owned(), version.to_owned()))
            .map_or(&[], Vec::as_slice)
    }

    fn add(&mut self, lock: &Lock, keeper: &Keeper) {
        for (name, tool) in &lock.tools {
            let who = self
                .entries
                .entry((name.clone(), tool.version.clone()))
                .or_default();
            if !who.contains(keeper) {
                who.push(keeper.clone());
            }
        }
    }
}

fn open(store: &Path, name: &str) -> io::Result<File> {
    store::open_lock(&store.join(LOCKS_DIR).join(name))
}

/// The store's hold, shared: waits while a prune runs, then lets any number of syncs
/// in at once.
pub fn hold_shared(store: &Path) -> io::Result<Hold> {
    let file = open(store, HOLD_FILE)?;
    file.lock_shared()?;
    Ok(Hold { _file: file })
}

/// The store's hold, exclusive, without waiting: `None` while a sync holds it.
pub fn try_hold_exclusive(store: &Path) -> io::Result<Option<Hold>> {
    let file = open(store, HOLD_FILE)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(Hold { _file: file })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Reads the tracked file; a missing one is no project. One that exists and cannot be
/// read is an error, never "no project": what it lists would lose its pins.
fn read(store: &Path) -> Result<Tracked, TrackedError> {
    let path = store.join(TRACKED_FILE);
    let fail = |reason: String| TrackedError::File {
        path: path.clone(),
        reason,
    };
    let bytes = match vx_base::bounded_read::read(&path, MAX_TRACKED_BYTES) {
        Ok(bytes) => bytes,
        Err(e) if e.is_not_found() => return Ok(Tracked::default()),
        Err(e) => return Err(fail(e.to_string())),
    };
    #[derive(Deserialize)]
    struct Version {
        version: u32,
    }
    match serde_json::from_slice::<Version>(&bytes) {
        Ok(Version { version: FORMAT }) => {}
        Ok(Version { version }) => {
            return Err(fail(format!(
                "its format is version {version}, this vx reads version {FORMAT} (written by a newer vx?)"
            )));
        }
        Err(e) => return Err(fail(format!("not vx's JSON ({e})"))),
    }
    serde_json::from_slice::<Tracked>(&bytes).map_err(|e| fail(format!("not vx's JSON ({e})")))
}

fn write(store: &Path, tracked: &Tracked) -> io::Result<()> {
    let mut text = serde_json::to_vec_pretty(tracked).map_err(io::Error::other)?;
    text.push(b'\n');
    vx_base::atomic::write(&store.join(TRACKED_FILE), &text)
}

/// Rewrites the tracked file through `change` under its lock; written only when
/// `change` says it changed something.
fn update(
    store: &Path,
    change: impl FnOnce(&mut Vec<PathBuf>) -> bool,
) -> Result<(), TrackedError> {
    let failed = |source| TrackedError::Write {
        path: store.join(TRACKED_FILE),
        source,
    };
    let lock = open(store, TRACKED_LOCK).map_err(failed)?;
    lock.lock().map_err(failed)?;
    let mut tracked = read(store)?;
    if change(&mut tracked.projects) {
        tracked.version = FORMAT;
        tracked.projects.sort();
        tracked.projects.dedup();
        write(store, &tracked).map_err(failed)?;
    }
    Ok(())
}

/// Records that the project of `manifest` syncs into `store`; a tracked file that
/// cannot be read is left as it is (and the error says so).
pub fn track(store: &Path, manifest: &Path) -> Result<(), TrackedError> {
    let manifest = std::path::absolute(manifest).map_err(|source| TrackedError::Write {
        path: store.join(TRACKED_FILE),
        source,
    })?;
    update(store, |projects| {
        if projects.contains(&manifest) {
            false
        } else {
            projects.push(manifest);
            true
        }
    })
}

/// The tracked projects of `store` (dropping, from the file, those whose manifest is
/// gone).
pub fn projects(store: &Path) -> Result<Vec<PathBuf>, TrackedError> {
    let mut kept = Vec::new();
    update(store, |projects| {
        let before = projects.len();
        projects.retain(|manifest| manifest.is_file());
        kept.clone_from(projects);
        projects.len() != before
    })?;
    Ok(kept)
}

/// The global toolset's lock, when it exists: `vx.lock` in vx's configuration
/// directory.
pub(crate) fn global_lock() -> Option<PathBuf> {
    let path = vx_base::platform::fs::config_dir()?.join(LOCK_FILE);
    path.is_file().then_some(path)
}

/// What every tracked project of `store` but `except` (this project's manifest, whose
/// own toolchain the caller keeps) pins, and the global toolset's lock. A tracked
/// project without a lock pins nothing; one whose lock cannot be read is an error.
pub fn pins(store: &Path, except: Option<&Path>) -> Result<Pins, TrackedError> {
    let except = except.and_then(|p| std::path::absolute(p).ok());
    // A store whose file cannot be rewritten is still read; one that cannot be read
    // stops the prune.
    let projects = match projects(store) {
        Ok(projects) => projects,
        Err(TrackedError::Write { .. }) => read(store)?.projects,
        Err(other) => return Err(other),
    };
    let mut pins = Pins::default();
    let global = global_lock();
    for manifest in projects {
        if Some(&manifest) == except.as_ref() {
            continue;
        }
        let lock_path = manifest.with_file_name(LOCK_FILE);
        // The global toolset syncs into the store as a project does; it is named once,
        // as itself, below.
        if global.as_ref() == Some(&lock_path) {
            continue;
        }
        match Lock::load(&lock_path) {
            Ok(Some(lock)) => pins.add(&lock, &Keeper::Project(manifest)),
            Ok(None) => {}
            Err(source) => return Err(TrackedError::Lock { manifest, source }),
        }
    }
    if let Some(path) = global {
        match Lock::load(&path) {
            Ok(Some(lock)) => pins.add(&lock, &Keeper::Global(path)),
            Ok(None) => {}
            Err(source) => {
                return Err(TrackedError::Lock {
                    manifest: path,
                    source,
                });
            }
        }
    }
    Ok(pins)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_keeps_each_project_once_and_drops_one_whose_manifest_is_gone() {
        let store = tempfile::tempdir().unwrap();
        let projects = tempfile::tempdir().unwrap();
        let a = projects.path().join("a/vx.toml");
        let b = projects.path().join("b/vx.toml");
        for m in [&a, &b] {
            std::fs::create_dir_all(m.parent().unwrap()).unwrap();
            std::fs::write(m, "[tools]\n").unwrap();
            track(store.path(), m).unwrap();
            track(store.path(), m).unwrap();
        }
        assert_eq!(projects_of(store.path()), [a.clone(), b.clone()]);
        std::fs::remove_file(&b).unwrap();
        assert_eq!(projects_of(store.path()), std::slice::from_ref(&a));
        // Dropped from the file itself, not only from the answer.
        assert_eq!(read(store.path()).unwrap().projects, [a]);
    }

    fn projects_of(store: &Path) -> Vec<PathBuf> {
        projects(store).unwrap()
    }

    #[test]
    fn a_torn_or_newer_tracked_file_is_an_error_naming_it_and_is_kept() {
        let store = tempfile::tempdir().unwrap();
        let file = store.path().join(TRACKED_FILE);
        for body in ["{\"version\":1,\"proj", "{\"version\":2,\"projects\":{}}"] {
            std::fs::write(&file, body).unwrap();
            let err = projects(store.path()).unwrap_err().to_string();
            assert!(err.contains(&file.display().to_string()), "{err}");
            assert!(track(store.path(), &store.path().join("vx.toml")).is_err());
            assert_eq!(std::fs::read_to_string(&file).unwrap(), body);
        }
    }

    #[test]
    fn a_prune_cannot_hold_the_store_while_a_sync_does() {
        let store = tempfile::tempdir().unwrap();
        let sync = hold_shared(store.path()).unwrap();
        let other_sync = hold_shared(store.path()).unwrap();
        assert!(try_hold_exclusive(store.path()).unwrap().is_none());
        drop((sync, other_sync));
        assert!(try_hold_exclusive(store.path()).unwrap().is_some());
    }
}
