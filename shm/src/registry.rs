//! Finding this user's boards, telling live ones from those whose creator is gone, and
//! removing the latter.

use std::fs::{self, File};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};

/// File-name prefix of every board segment.
pub const BOARD_PREFIX: &str = "vx-board-";

/// Staging files younger than this may be a board being created: between creating its
/// staging file and locking it, a creator holds no lock (a moment; this is ample).
const STAGING_GRACE: Duration = Duration::from_secs(2);

/// The id in a board's file name: `vx-board-` and 32 lower-case hex digits, nothing
/// else (`docs/LAYOUT.md`).
fn board_id(name: &str) -> Option<&str> {
    name.strip_prefix(BOARD_PREFIX).filter(|id| is_id(id))
}

/// The id in a staging file's name: `.vx-board-<id>.init`.
fn staging_id(name: &str) -> Option<&str> {
    name.strip_prefix('.')?
        .strip_prefix(BOARD_PREFIX)?
        .strip_suffix(".init")
        .filter(|id| is_id(id))
}

fn is_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Where boards live: `$VX_BOARD_DIR` if set (tests, unusual systems), else `/dev/shm`
/// (POSIX shared memory on Linux), else the temporary directory.
pub fn default_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("VX_BOARD_DIR") {
        return PathBuf::from(dir);
    }
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// One board found in a directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    /// The board's id (from its file name).
    pub id: String,
    /// Its segment file.
    pub path: PathBuf,
    /// Whether its creator still holds it.
    pub owner_alive: bool,
}

/// Whether the creator of the board at `path` still holds its lock. The creator holds an
/// exclusive `flock` for its whole life and the OS drops it when the process dies, so
/// unlike a pid this cannot be fooled by pid reuse. Errors count as alive: never remove
/// what cannot be shown dead.
pub(crate) fn owner_alive(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    match file.try_lock_shared() {
        Ok(()) => false,
        Err(std::fs::TryLockError::WouldBlock) => true,
        Err(std::fs::TryLockError::Error(_)) => true,
    }
}

fn my_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// The boards of this user in `dir`, sorted by id; files of other users are ignored.
pub fn list(dir: &Path) -> Result<Vec<Listing>> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io("list", dir, e))?;
    let me = my_uid();
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(id) = name.to_str().and_then(board_id) else {
            continue;
        };
        if !entry.metadata().is_ok_and(|m| m.is_file() && m.uid() == me) {
            continue;
        }
        let path = entry.path();
        found.push(Listing {
            id: id.to_owned(),
            owner_alive: owner_alive(&path),
            path,
        });
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(found)
}

/// Removes this user's boards in `dir` whose creator is gone (and staging files left by
/// a creator that died while creating). Live boards are never touched. Returns what was
/// removed.
pub fn clean(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io("list", dir, e))?;
    let me = my_uid();
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let staging = staging_id(name).is_some();
        if !staging && board_id(name).is_none() {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() || meta.uid() != me {
            continue;
        }
        if staging && meta.modified().ok().and_then(|m| m.elapsed().ok()) < Some(STAGING_GRACE) {
            continue;
        }
        let path = entry.path();
        // Take the lock ourselves while removing, so a dead owner is not mistaken twice.
        let Ok(file) = File::open(&path) else {
            continue;
        };
        if file.try_lock().is_ok() && fs::remove_file(&path).is_ok() {
            removed.push(path);
        }
    }
    removed.sort();
    Ok(removed)
}

/// Finds the live board named by `id` (a whole id or an unambiguous prefix) in `dir`.
pub fn resolve(dir: &Path, id: &str) -> Result<Listing> {
    let mut matches: Vec<Listing> = list(dir)?
        .into_iter()
        .filter(|listing| listing.id.starts_with(id) && !id.is_empty())
        .collect();
    match matches.len() {
        0 => Err(Error::NotFound(id.to_owned())),
        1 => Ok(matches.remove(0)),
        count => Err(Error::Ambiguous {
            id: id.to_owned(),
            count,
        }),
    }
}
