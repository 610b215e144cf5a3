//! What vx keeps of a project between runs, outside the project: one directory per
//! kind and project, `<data>/vx/state/<what>/<project>` (`runs`: the last run, for
//! `vx logs`; `tasks`: the `sources`/`outputs` stamps; `keys`: each task's last key
//! document), `<project>` a hash of the project directory's path.
//!
//! The hash does not say whose the state is, so each project that has some is also
//! recorded once, `<data>/vx/state/projects/<project>` holding its path: `vx prune`
//! then finds the state of a project that is gone ([`gone`]) and removes it
//! ([`remove`]), where it once stayed for ever.

pub mod last_run;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The kinds of state kept per project.
pub(crate) const KINDS: [&str; 3] = ["runs", "tasks", "keys"];

/// The directory of the records (`projects/<hash>`: a project's path).
const RECORDS: &str = "projects";

/// The largest record read (a path).
const MAX_RECORD: u64 = 64 << 10;

/// `<data>/vx/state`; `None` without a data directory.
fn root() -> Option<PathBuf> {
    Some(vx_base::platform::fs::data_dir()?.join("vx/state"))
}

/// Where vx keeps `what` (one of [`KINDS`]) of the project at `project`:
/// `<data>/vx/state/<what>/<hash of the project's path>`; `None` without a data
/// directory. The project is recorded as having state (once: a file written when
/// missing), so its state can be found again once the project is gone.
pub(crate) fn project_dir(what: &str, project: &Path) -> Option<PathBuf> {
    let root = root()?;
    let key = hex::encode(&Sha256::digest(project.to_string_lossy().as_bytes())[..8]);
    let record = root.join(RECORDS).join(&key);
    if !record.exists()
        && let Some(dir) = record.parent()
        && std::fs::create_dir_all(dir).is_ok()
    {
        // Best effort: without its record the state is kept as before, never lost.
        let _ = vx_base::atomic::write_cache(&record, project.to_string_lossy().as_bytes());
    }
    Some(root.join(what).join(key))
}

/// The state of a project whose directory is gone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gone {
    /// The project's directory, as recorded.
    pub project: PathBuf,
    /// Its state's directories that exist.
    pub dirs: Vec<PathBuf>,
    /// Its record.
    record: PathBuf,
}

/// The state of every recorded project whose directory no longer exists, by path.
/// A record that cannot be read is passed over (its state stays).
pub fn gone() -> Vec<Gone> {
    let Some(root) = root() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(root.join(RECORDS)) else {
        return Vec::new();
    };
    let mut gone: Vec<Gone> = entries
        .flatten()
        .filter_map(|entry| {
            let key = entry.file_name().to_str()?.to_owned();
            let record = entry.path();
            let bytes = vx_base::bounded_read::read(&record, MAX_RECORD).ok()?;
            let project = PathBuf::from(String::from_utf8(bytes).ok()?);
            // A relative path is no record of vx's: left alone.
            if !project.is_absolute() || project.is_dir() {
                return None;
            }
            let dirs = KINDS
                .iter()
                .map(|what| root.join(what).join(&key))
                .filter(|dir| dir.is_dir())
                .collect();
            Some(Gone {
                project,
                dirs,
                record,
            })
        })
        .collect();
    gone.sort_by(|a, b| a.project.cmp(&b.project));
    gone
}

/// Removes `gone`'s state, then its record (kept if a directory could not go, so a
/// later prune tries again).
pub fn remove(gone: &Gone) -> std::io::Result<()> {
    for dir in &gone.dirs {
        match std::fs::remove_dir_all(dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    match std::fs::remove_file(&gone.record) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}
