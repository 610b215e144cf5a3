//! Scratch directories of runs that download into a store of their own (`vx lock`
//! hashing what no checksum file gives, `vx bundle export` and `vx mirror push`
//! gathering a lock's downloads): a temporary directory that goes when the run ends,
//! and, when the run was killed before it could remove it (SIGKILL, a power cut),
//! by the next such run. Each is made under `<cache dir>/scratch/` (else the system's
//! temporary directory) and holds an exclusive lock on its `.lock` file while in use;
//! a scratch directory whose lock is free belongs to no live run and is removed.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

/// The lock file inside each scratch directory.
const LOCK_FILE: &str = ".lock";

/// A scratch directory in use: removed on drop.
pub struct Scratch {
    dir: tempfile::TempDir,
    // Held until the directory is gone: a sweep by another run leaves it alone.
    _lock: File,
}

impl Scratch {
    /// Its path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Where scratch directories go: `<cache dir>/scratch`, else the system's temporary
/// directory.
fn base() -> PathBuf {
    vx_base::platform::fs::cache_dir()
        .map(|cache| cache.join("scratch"))
        .unwrap_or_else(std::env::temp_dir)
}

/// A new scratch directory named `PREFIX…`, after removing those of earlier runs
/// that are gone (those whose lock no live run holds).
pub fn new(prefix: &str) -> io::Result<Scratch> {
    let base = base();
    fs::create_dir_all(&base)?;
    sweep(&base, prefix);
    let dir = tempfile::Builder::new().prefix(prefix).tempdir_in(&base)?;
    let lock = crate::store::open_lock(&dir.path().join(LOCK_FILE))?;
    lock.lock()?;
    Ok(Scratch { dir, _lock: lock })
}

/// Removes the directories `PREFIX…` of `base` whose lock no live run holds (best
/// effort: one that cannot be removed stays for the next sweep). A directory without a
/// lock file is left alone: it may be a run's that has not taken its lock yet.
fn sweep(base: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let ours = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(prefix));
        if !ours || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let Ok(lock) = File::options()
            .read(true)
            .write(true)
            .open(path.join(LOCK_FILE))
        else {
            continue;
        };
        // Closed before the removal: Windows removes no file that is open. (No run
        // takes a dead run's directory meanwhile: each run makes its own.)
        let stale = lock.try_lock().is_ok();
        drop(lock);
        if stale {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_runs_scratch_is_swept_and_a_live_ones_kept() {
        let base = tempfile::tempdir().unwrap();
        // A dead run's: its lock file is there and free.
        let dead = base.path().join("vx-lock-dead");
        fs::create_dir_all(dead.join(".partial")).unwrap();
        fs::write(dead.join(LOCK_FILE), "").unwrap();
        fs::write(dead.join(".partial/x.part"), vec![0u8; 1024]).unwrap();
        // A live run's: its lock held.
        let live = base.path().join("vx-lock-live");
        fs::create_dir_all(&live).unwrap();
        let held = crate::store::open_lock(&live.join(LOCK_FILE)).unwrap();
        held.lock().unwrap();
        // Another prefix's, and one that has no lock yet.
        let other = base.path().join("vx-fleet-dead");
        fs::create_dir_all(&other).unwrap();
        fs::write(other.join(LOCK_FILE), "").unwrap();
        let young = base.path().join("vx-lock-young");
        fs::create_dir_all(&young).unwrap();
        sweep(base.path(), "vx-lock-");
        assert!(!dead.exists());
        assert!(live.exists() && other.exists() && young.exists());
    }
}
