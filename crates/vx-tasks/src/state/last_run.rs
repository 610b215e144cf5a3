//! The last run of a project, kept after it ends, so `vx logs TASK` still reads what a
//! task wrote once its `vx run` is over (a worker's traceback after Ctrl-C), as mise's
//! and process-compose's users expect of a log.
//!
//! One run per project: when a run finishes, its board and output are copied
//! ([`vx_shm::TaskBoard::keep_in`]) into `$XDG_DATA_HOME/vx/state/runs/<project>/`
//! (`<project>`: the hash [`crate::state::project_dir`] gives), and the run kept before goes. It is
//! bounded as the run's rings are: the last 256 KiB of each task's output. The files
//! are the user's alone (mode 0600), as the live board is.

use std::path::{Path, PathBuf};

use vx_shm::{TaskBoard, TaskRun, registry};

/// Where the last run of the project whose manifest is `manifest` is kept.
pub fn dir(manifest: &Path) -> Option<PathBuf> {
    crate::state::project_dir("runs", manifest.parent().unwrap_or(manifest))
}

/// Keeps `board` (a run that just finished) in `dir` in place of the run kept before.
pub(crate) fn keep(board: &TaskBoard, dir: &Path) -> Result<PathBuf, vx_shm::Error> {
    std::fs::create_dir_all(dir).map_err(|source| vx_shm::Error::Io {
        action: "create",
        path: dir.to_owned(),
        source,
    })?;
    // Every run kept there is dead (nobody holds a kept file's lock): all go.
    registry::clean(dir)?;
    board.keep_in(dir)
}

/// The run kept in `dir`, if one is there and reads (the newest, should two runs of
/// the project have finished at once).
pub fn last(dir: &Path) -> Option<TaskRun> {
    registry::list(dir)
        .ok()?
        .into_iter()
        .filter_map(|listing| {
            let modified = std::fs::metadata(&listing.path).ok()?.modified().ok()?;
            Some((modified, listing.path))
        })
        .max()
        .and_then(|(_, path)| TaskRun::open(&path).ok())
}
