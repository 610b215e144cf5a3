//! The boards of this user's runs and syncs as `vx ps` and `vx logs` find them (only
//! the live ones unless asked), and a task's phase as they name it. Shared by both
//! commands, so neither calls the other.

use std::path::{Path, PathBuf};

use vx_shm::{Access, BoardReader, TaskState, registry};

/// The boards' directory could not be listed.
#[derive(Debug, thiserror::Error)]
#[error("cannot list boards in {}", dir.display())]
pub struct ListError {
    /// The directory.
    pub dir: PathBuf,
    /// Why.
    #[source]
    pub source: vx_shm::Error,
}

/// This user's boards in `dir` (only live ones unless `all`), opened read-only, oldest
/// first. Boards that vanish or cannot be read between listing and opening are
/// skipped; a directory that does not exist has none.
pub fn listed(dir: &Path, all: bool) -> Result<Vec<(registry::Listing, BoardReader)>, ListError> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let listings = registry::list(dir).map_err(|source| ListError {
        dir: dir.to_owned(),
        source,
    })?;
    let mut found: Vec<_> = listings
        .into_iter()
        .filter(|l| all || l.owner_alive)
        .filter_map(|l| {
            let reader = BoardReader::open(&l.path, Access::ReadOnly).ok()?;
            Some((l, reader))
        })
        .collect();
    found.sort_by_key(|(_, reader)| reader.info().created_unix_ms);
    Ok(found)
}

/// A task's phase as `vx ps` and `vx logs` name it.
pub fn phase_name(task: &TaskState) -> &'static str {
    match (&task.unreadable, task.phase) {
        (Some(_), _) => "unreadable",
        (None, Some(phase)) => phase.label(),
        (None, None) => "unknown",
    }
}
