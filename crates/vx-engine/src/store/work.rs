//! Where an install works: `<store>/.tmp/install-<random>` ([`WorkDir`], locked while
//! its process lives, lent in turn by a [`WorkArea`]), the directories dead processes
//! left ([`clean_stale_work`]), and the finished tree renamed into place ([`commit`]).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tempfile::TempDir;

use super::receipt::RECEIPT_FILE;

/// Name of the temporary work area inside the store (tool names cannot start with a
/// dot, so it never collides with a tool).
pub const TMP_DIR: &str = ".tmp";

/// Whether an I/O error is the store's file system refusing a write (full, over quota,
/// read-only, not permitted) rather than something the input caused.
pub(crate) fn is_storage_failure(err: &io::Error) -> bool {
    use io::ErrorKind as K;
    matches!(
        err.kind(),
        K::StorageFull | K::QuotaExceeded | K::ReadOnlyFilesystem | K::PermissionDenied
    )
}

/// Name of the lock file inside a work directory: held (`flock`) by the installing
/// process for the directory's whole life, so a work directory whose lock is free was
/// left by a process that died (SIGKILL, crash) and can be removed.
pub const WORK_LOCK: &str = ".lock";
/// Work-directory name prefix.
const WORK_PREFIX: &str = "install-";
/// A work directory without its lock file younger than this may be being created.
const WORK_GRACE: Duration = Duration::from_secs(60);

/// An install's private temporary directory `<store>/.tmp/install-XXXX`, locked while
/// this process lives (see [`WORK_LOCK`], [`clean_stale_work`]) and, on drop, removed —
/// or, when it was lent by a [`WorkArea`], emptied and given back for the process's next
/// install.
///
/// The lock is released before the directory is removed: Windows cannot remove a
/// directory while a file in it is open. Another `vx` that takes the free directory for
/// a dead install's in between only removes it first.
#[derive(Debug)]
pub struct WorkDir {
    path: PathBuf,
    /// The lock and the directory; taken when dropped.
    held: Option<Held>,
    /// Where the directory goes back, emptied, when dropped; `None`: it is removed.
    area: Option<Arc<WorkArea>>,
}

/// A work directory's lock and the directory (dropped in this order: see [`WorkDir`]).
#[derive(Debug)]
struct Held {
    _lock: fs::File,
    dir: TempDir,
    /// The store it is in.
    store: PathBuf,
}

impl WorkDir {
    fn new(held: Held, area: Option<Arc<WorkArea>>) -> WorkDir {
        WorkDir {
            path: held.dir.path().to_path_buf(),
            held: Some(held),
            area,
        }
    }

    /// The directory.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let Some(held) = self.held.take() else {
            return;
        };
        if let Some(area) = &self.area
            && empty_work(held.dir.path()).is_ok()
        {
            area.give_back(held);
        }
        // Otherwise `held` drops here: the lock, then the directory.
    }
}

/// The work directory of one process's installs, one after another (a `vx sync` child's
/// batch): each install borrows it ([`work_dir_in`]) and gives it back emptied, so a
/// batch of small tools makes and removes one work directory and its lock, not one per
/// tool (each a new inode, and a few syscalls, on the store's file system). Held, it is
/// locked like any [`WorkDir`]: a process killed mid-batch leaves it to
/// [`clean_stale_work`]. Removed when the area is dropped.
#[derive(Debug, Default)]
pub struct WorkArea {
    /// The directory between two installs, for the store it is in.
    spare: Mutex<Option<Held>>,
}

impl WorkArea {
    /// Keeps the emptied directory of `held` for the next install, unless another one is
    /// kept already (an install within an install borrowed a second one): that one is
    /// removed.
    fn give_back(&self, held: Held) {
        let mut spare = self.spare.lock().unwrap_or_else(PoisonError::into_inner);
        if spare.is_none() {
            *spare = Some(held);
        }
    }

    /// The kept directory, when there is one in `store`.
    fn take(&self, store: &Path) -> Option<Held> {
        let mut spare = self.spare.lock().unwrap_or_else(PoisonError::into_inner);
        spare.take_if(|held| held.store == store)
    }
}

/// Removes everything in the work directory `dir` but its lock, so another install can
/// work in it.
fn empty_work(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == WORK_LOCK {
            continue;
        }
        if entry.file_type()?.is_dir() {
            fs::remove_dir_all(entry.path())?;
        } else {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// Creates a [`WorkDir`] in `<store>/.tmp`. The lock file is locked under a staging
/// name and then renamed, so a cleaner never sees it unlocked.
pub fn work_dir(store: &Path) -> io::Result<WorkDir> {
    Ok(WorkDir::new(new_work(store)?, None))
}

/// A [`WorkDir`] in `<store>/.tmp` lent by `area` (its kept directory, else a new one
/// it keeps afterwards), or, without an area, a new one of its own ([`work_dir`]).
pub fn work_dir_in(store: &Path, area: Option<&Arc<WorkArea>>) -> io::Result<WorkDir> {
    let Some(area) = area else {
        return work_dir(store);
    };
    let held = match area.take(store) {
        Some(held) => held,
        None => new_work(store)?,
    };
    Ok(WorkDir::new(held, Some(Arc::clone(area))))
}

/// Makes and locks a new work directory in `<store>/.tmp`.
fn new_work(store: &Path) -> io::Result<Held> {
    let tmp = store.join(TMP_DIR);
    fs::create_dir_all(&tmp)?;
    let dir = tempfile::Builder::new()
        .prefix(WORK_PREFIX)
        .tempdir_in(&tmp)?;
    let staging = dir.path().join(".lock.init");
    let lock = fs::File::create(&staging)?;
    lock.try_lock().map_err(io::Error::other)?;
    fs::rename(&staging, dir.path().join(WORK_LOCK))?;
    Ok(Held {
        _lock: lock,
        dir,
        store: store.to_path_buf(),
    })
}

/// Name prefix of a stale work directory moved aside to be deleted
/// ([`clean_stale_work`]): nothing works in one, so it is always stale.
const TRASH_PREFIX: &str = "trash-";

/// Removes the work directories in `<store>/.tmp` whose installing process is gone
/// (their lock is free), e.g. after a child was killed with SIGKILL, without making the
/// caller wait on a large tree (a killed prune can leave hundreds of MiB): each is
/// renamed to `trash-…` (one rename; `stop` is checked between them, so Ctrl-C is never
/// held up) and the renamed trees are deleted on a background thread, whose handle is
/// returned (`None` when there was nothing to delete). A process that ends before the
/// thread is done leaves `trash-` directories to the next clean. Directories of live
/// installs are never touched.
pub fn clean_stale_work(store: &Path, stop: &AtomicBool) -> Option<JoinHandle<()>> {
    let tmp = store.join(TMP_DIR);
    let mut trash = Vec::new();
    for path in stale_work(store) {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.starts_with(TRASH_PREFIX) {
            trash.push(path);
            continue;
        }
        let aside = tmp.join(format!(
            "{TRASH_PREFIX}{}",
            name.trim_start_matches(WORK_PREFIX)
        ));
        // Another run may have taken it first: then it is that run's to delete.
        if fs::rename(&path, &aside).is_ok() {
            trash.push(aside);
        }
    }
    if trash.is_empty() {
        return None;
    }
    std::thread::Builder::new()
        .name("vx-trash".into())
        .spawn(move || {
            for dir in trash {
                let _ = fs::remove_dir_all(dir);
            }
        })
        .ok()
}

/// The work directories in `<store>/.tmp` left by installs whose process is gone, and
/// those moved aside to be deleted (see [`clean_stale_work`]), sorted; nothing is
/// removed.
pub(crate) fn stale_work(store: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(store.join(TMP_DIR)) else {
        return Vec::new();
    };
    let mut stale_dirs = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_str().unwrap_or("");
        let is_work = name.starts_with(WORK_PREFIX) || name.starts_with(TRASH_PREFIX);
        if !is_work || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let stale = name.starts_with(TRASH_PREFIX)
            || match fs::File::open(path.join(WORK_LOCK)) {
                Ok(lock) => !vx_shm::liveness::lock_held(&lock),
                Err(e) if e.kind() == io::ErrorKind::NotFound => entry
                    .metadata()
                    .ok()
                    .and_then(|m| m.modified().ok())
                    .and_then(|m| m.elapsed().ok())
                    .is_some_and(|age| age > WORK_GRACE),
                Err(_) => false,
            };
        if stale {
            stale_dirs.push(path);
        }
    }
    stale_dirs.sort();
    stale_dirs
}

/// Refuses to let an install replace what is at `final_dir` unless `vx` put it there:
/// nothing, an empty directory, or a tree with a receipt may be replaced; anything
/// else (a user's files, a link) is never deleted.
pub fn check_replaceable(final_dir: &Path) -> io::Result<()> {
    let Ok(meta) = fs::symlink_metadata(final_dir) else {
        return Ok(());
    };
    let ours = meta.is_dir()
        && (fs::symlink_metadata(final_dir.join(RECEIPT_FILE)).is_ok()
            || fs::read_dir(final_dir)?.next().is_none());
    if ours {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("not installed by vx (no {RECEIPT_FILE}); move it away"),
        ))
    }
}

/// Moves the finished `tree` to `final_dir` with `rename`. An existing tree at
/// `final_dir` (an older or different install, see [`check_replaceable`]) is first
/// moved into `scratch` (inside the work directory, so it is deleted with it) and put
/// back if the second rename fails.
pub fn commit(tree: &Path, final_dir: &Path, scratch: &Path) -> io::Result<()> {
    if let Some(parent) = final_dir.parent() {
        fs::create_dir_all(parent)?;
    }
    match fs::rename(tree, final_dir) {
        Ok(()) => return Ok(()),
        Err(e) if fs::symlink_metadata(final_dir).is_err() => return Err(e),
        Err(_) => {}
    }
    check_replaceable(final_dir)?;
    let old = scratch.join("replaced");
    fs::rename(final_dir, &old)?;
    if let Err(e) = fs::rename(tree, final_dir) {
        let _ = fs::rename(&old, final_dir);
        return Err(e);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_work_dirs_are_cleaned_and_live_ones_kept() {
        let store = tempfile::tempdir().unwrap();
        let live = work_dir(store.path()).unwrap();
        fs::write(live.path().join("download"), b"partial").unwrap();
        assert!(live.path().join(WORK_LOCK).is_file());
        // What a killed process leaves: the directory and an unlocked lock file.
        let dead = store.path().join(TMP_DIR).join("install-dead");
        fs::create_dir(&dead).unwrap();
        fs::write(dead.join(WORK_LOCK), b"").unwrap();
        fs::write(dead.join("download"), b"partial").unwrap();
        // A directory being created (no lock file yet, young): kept.
        let young = store.path().join(TMP_DIR).join("install-young");
        fs::create_dir(&young).unwrap();

        // A tree a killed cleaner had moved aside: deleted too.
        let trash = store.path().join(TMP_DIR).join("trash-old");
        fs::create_dir_all(trash.join("tree")).unwrap();

        let go = AtomicBool::new(false);
        let deleting = clean_stale_work(store.path(), &go).expect("a thread deletes them");
        // Moved aside before the call returns, deleted by the thread.
        assert!(!dead.exists());
        assert!(live.path().is_dir() && young.is_dir());
        deleting.join().unwrap();
        let left: Vec<String> = fs::read_dir(store.path().join(TMP_DIR))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(TRASH_PREFIX))
            .collect();
        assert!(left.is_empty(), "{left:?}");
        assert!(!trash.exists());
        let path = live.path().to_owned();
        drop(live);
        assert!(!path.exists());
        assert!(clean_stale_work(Path::new("/nonexistent"), &go).is_none());
    }

    /// An interrupt before the clean touches nothing: the caller is not held up, and
    /// the leftover stays for the next run.
    #[test]
    fn an_interrupted_clean_stops_before_the_next_directory() {
        let store = tempfile::tempdir().unwrap();
        let dead = store.path().join(TMP_DIR).join("install-dead");
        fs::create_dir_all(&dead).unwrap();
        fs::write(dead.join(WORK_LOCK), b"").unwrap();
        let stopped = AtomicBool::new(true);
        assert!(clean_stale_work(store.path(), &stopped).is_none());
        assert!(dead.is_dir());
        assert_eq!(stale_work(store.path()), vec![dead]);
    }

    #[test]
    fn a_work_area_lends_one_directory_in_turn_emptied_and_removes_it_at_the_end() {
        let store = tempfile::tempdir().unwrap();
        let area = Arc::new(WorkArea::default());
        let first = work_dir_in(store.path(), Some(&area)).unwrap();
        let path = first.path().to_owned();
        assert!(path.starts_with(store.path().join(TMP_DIR)));
        fs::create_dir_all(path.join("tree/bin")).unwrap();
        fs::write(path.join("tree/bin/tool"), b"x").unwrap();
        fs::write(path.join("download"), b"x").unwrap();
        // Lent, it is locked like any other: no clean takes it.
        assert!(stale_work(store.path()).is_empty());
        // An install within the install borrows another one, removed when dropped.
        let nested = work_dir_in(store.path(), Some(&area)).unwrap();
        assert_ne!(nested.path(), path);
        drop(first);
        let nested_path = nested.path().to_owned();
        drop(nested);
        assert!(!nested_path.exists());
        // Given back emptied but for its lock, still locked, and lent again.
        let names: Vec<_> = fs::read_dir(&path)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [WORK_LOCK]);
        assert!(stale_work(store.path()).is_empty());
        let again = work_dir_in(store.path(), Some(&area)).unwrap();
        assert_eq!(again.path(), path);
        drop(again);
        // Another store's install makes its own.
        let other = tempfile::tempdir().unwrap();
        let elsewhere = work_dir_in(other.path(), Some(&area)).unwrap();
        assert!(elsewhere.path().starts_with(other.path()));
        drop(elsewhere);
        // The area's end removes what it kept.
        drop(area);
        assert!(!path.exists());
        let left = fs::read_dir(store.path().join(TMP_DIR)).unwrap().count();
        assert_eq!(left, 0);
    }

    #[test]
    fn work_dirs_are_inside_the_store_and_removed_on_drop() {
        let store = tempfile::tempdir().unwrap();
        let work = work_dir(store.path()).unwrap();
        assert!(work.path().starts_with(store.path().join(TMP_DIR)));
        fs::write(work.path().join("f"), b"x").unwrap();
        let path = work.path().to_owned();
        drop(work);
        assert!(!path.exists());
    }

    #[test]
    fn commit_renames_into_place_and_replaces_an_old_tree() {
        let store = tempfile::tempdir().unwrap();
        let final_dir = store.path().join("rg").join("1-0123456789ab");
        for generation in ["one", "two"] {
            let work = work_dir(store.path()).unwrap();
            let tree = work.path().join("tree");
            fs::create_dir(&tree).unwrap();
            fs::write(tree.join("gen"), generation).unwrap();
            fs::write(tree.join(RECEIPT_FILE), b"{}").unwrap();
            commit(&tree, &final_dir, work.path()).unwrap();
            assert!(!tree.exists());
            assert_eq!(
                fs::read_to_string(final_dir.join("gen")).unwrap(),
                generation
            );
        }
        assert_eq!(fs::read_dir(store.path().join(TMP_DIR)).unwrap().count(), 0);
    }

    #[test]
    fn commit_never_replaces_a_tree_without_a_receipt() {
        let store = tempfile::tempdir().unwrap();
        let final_dir = store.path().join("rg").join("1-0123456789ab");
        fs::create_dir_all(&final_dir).unwrap();
        fs::write(final_dir.join("mine"), b"user data").unwrap();
        let work = work_dir(store.path()).unwrap();
        let tree = work.path().join("tree");
        fs::create_dir(&tree).unwrap();
        fs::write(tree.join(RECEIPT_FILE), b"{}").unwrap();
        let err = commit(&tree, &final_dir, work.path()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists, "{err}");
        assert_eq!(fs::read(final_dir.join("mine")).unwrap(), b"user data");
        // An empty directory holds nothing to lose: it is replaced.
        fs::remove_file(final_dir.join("mine")).unwrap();
        commit(&tree, &final_dir, work.path()).unwrap();
        assert!(final_dir.join(RECEIPT_FILE).is_file());
    }
}
