//! Finding this user's boards, telling live ones from those whose creator is gone, and
//! removing the latter.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::platform::{self, User};

/// File-name prefix of every board segment.
pub const BOARD_PREFIX: &str = "vx-board-";
/// File-name prefix of a task run's output segment (`vx-output-<id>`, beside its board).
pub const OUTPUT_PREFIX: &str = "vx-output-";

/// Staging files younger than this may be a board being created: between creating its
/// staging file and locking it, a creator holds no lock (a moment; this is ample).
const STAGING_GRACE: Duration = Duration::from_secs(2);

/// The id in a board's file name: `vx-board-` and 32 lower-case hex digits, nothing
/// else (`docs/LAYOUT.md`).
pub(crate) fn board_id(name: &str) -> Option<&str> {
    name.strip_prefix(BOARD_PREFIX).filter(|id| is_id(id))
}

/// The id in an output segment's name: `vx-output-` and 32 lower-case hex digits.
fn output_id(name: &str) -> Option<&str> {
    name.strip_prefix(OUTPUT_PREFIX).filter(|id| is_id(id))
}

/// The id in a staging file's name: `.vx-board-<id>.init` or `.vx-output-<id>.init`.
fn staging_id(name: &str) -> Option<&str> {
    let name = name.strip_prefix('.')?.strip_suffix(".init")?;
    board_id(name).or_else(|| output_id(name))
}

/// A board's id as its name spells it: the 16 bytes of `session_id` in lower-case hex.
pub(crate) fn id_of(session_id: &[u8; 16]) -> String {
    session_id.iter().map(|b| format!("{b:02x}")).collect()
}

fn is_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Where boards live: `$VX_BOARD_DIR` if set (tests, unusual systems), else the
/// platform's directory: `/dev/shm` on Linux (POSIX shared memory; the temporary
/// directory where there is none), a private `vx-boards` directory in the user's
/// temporary directory on macOS, `%LOCALAPPDATA%\vx\boards` on Windows (created if
/// missing). See `docs/LAYOUT.md`.
pub fn default_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("VX_BOARD_DIR") {
        return PathBuf::from(dir);
    }
    platform::board_dir()
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
/// unlike a pid this cannot be fooled by pid reuse ([`crate::liveness::lock_held`]).
/// Errors count as alive: never remove what cannot be shown dead.
pub(crate) fn owner_alive(path: &Path) -> bool {
    File::open(path).is_ok_and(|file| crate::liveness::lock_held(&file))
}

/// Whether the file at `path` (with metadata `meta`) is a regular file of user `me`.
fn is_mine(path: &Path, meta: &fs::Metadata, me: Option<&User>) -> bool {
    meta.is_file()
        && me.is_some_and(|me| User::owner_of_path(path, meta).is_ok_and(|owner| owner == *me))
}

/// The boards of this user in `dir`, sorted by id; files of other users are ignored.
pub fn list(dir: &Path) -> Result<Vec<Listing>> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io("list", dir, e))?;
    let me = User::current().ok();
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(id) = name.to_str().and_then(board_id) else {
            continue;
        };
        let path = entry.path();
        if !entry
            .metadata()
            .is_ok_and(|m| is_mine(&path, &m, me.as_ref()))
        {
            continue;
        }
        found.push(Listing {
            id: id.to_owned(),
            owner_alive: owner_alive(&path),
            path,
        });
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(found)
}

/// Removes this user's boards in `dir` whose creator is gone, task runs' output
/// segments likewise (their creator holds their lock too), and staging files left by a
/// creator that died while creating. Live boards are never touched. Returns what was
/// removed.
pub fn clean(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io("list", dir, e))?;
    let me = User::current().ok();
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let staging = staging_id(name).is_some();
        if !staging && board_id(name).is_none() && output_id(name).is_none() {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        let path = entry.path();
        if !is_mine(&path, &meta, me.as_ref()) {
            continue;
        }
        if staging && meta.modified().ok().and_then(|m| m.elapsed().ok()) < Some(STAGING_GRACE) {
            continue;
        }
        // The lock taken while removing, so a dead owner is not mistaken twice.
        if crate::liveness::remove_unheld(&path) {
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
