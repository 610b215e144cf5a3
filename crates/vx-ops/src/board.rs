//! Boards looked at from outside the sync or run that owns them (`vx board`, `vx ps`):
//! the live ones summed up, the runs and syncs read whole ([`runs`]), the one a command
//! names (a dump file, a segment, a live board's id or
//! prefix, or the only live board) opened, what became of a board's sync, and the
//! boards of dead owners removed. Nothing here prints.

use std::path::{Path, PathBuf};

use vx_shm::{Access, BoardReader, TaskPhase, TaskRun, now_unix_ms, registry};

use vx_sync::report::boards::{self, ListError};
use vx_sync::report::table;

/// Why a board cannot be listed, opened or cleaned.
#[derive(Debug, thiserror::Error)]
pub enum BoardError {
    /// The board directory cannot be listed (the machine's).
    #[error(transparent)]
    List(#[from] ListError),
    /// The id names no board, or several (the error names the id).
    #[error(transparent)]
    Resolve(vx_shm::Error),
    /// The id cannot be looked up.
    #[error("no board {id:?}")]
    NoBoard {
        /// The id asked for.
        id: String,
        /// Why.
        #[source]
        source: vx_shm::Error,
    },
    /// No board named and none live.
    #[error("no live board; name a board id or a dump file")]
    NoneLive,
    /// No board named and several live.
    #[error("{0} live boards; name one (see `vx board ls`)")]
    SeveralLive(usize),
    /// The board cannot be opened (the error names its path).
    #[error(transparent)]
    Open(vx_shm::Error),
    /// The board directory cannot be cleaned (the machine's).
    #[error("cannot clean {}", dir.display())]
    Clean {
        /// The directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: vx_shm::Error,
    },
}

impl BoardError {
    /// Whether what the user named is at fault (exit 2), not the machine (exit 1).
    pub(crate) fn is_usage(&self) -> bool {
        !matches!(self, BoardError::List(_) | BoardError::Clean { .. })
    }
}

/// The boards in `dir` (none when it does not exist), live or not.
pub(crate) fn list(dir: &Path) -> Result<Vec<registry::Listing>, BoardError> {
    Ok(boards::list(dir)?)
}

/// A board as `vx ps` shows it ([`runs`]).
pub enum Seen {
    /// A task run's board, read whole.
    Run(TaskRun),
    /// A sync's board.
    Sync(BoardReader),
    /// A task run's board that cannot be read as one.
    Unreadable(vx_shm::Error),
}

/// This user's runs and syncs in `dir` (only those with a live owner unless `all`),
/// oldest first, each with its listing (its id, whether its owner is alive): what
/// `vx ps` shows. Boards that vanish between listing and opening are skipped.
pub fn runs(dir: &Path, all: bool) -> Result<Vec<(registry::Listing, Seen)>, BoardError> {
    let seen = boards::listed(dir, all)?
        .into_iter()
        .map(|(listing, board)| {
            let seen = if !board.is_tasks() {
                Seen::Sync(board)
            } else {
                match TaskRun::from_board(board) {
                    Ok(run) => Seen::Run(run),
                    Err(error) => Seen::Unreadable(error),
                }
            };
            (listing, seen)
        })
        .collect();
    Ok(seen)
}

/// How many boards in `dir` have a live owner.
pub fn live_count(dir: &Path) -> Result<usize, BoardError> {
    Ok(list(dir)?.iter().filter(|l| l.owner_alive).count())
}

/// A live board summed up (`vx board ls`).
pub struct Summary {
    /// The board's id.
    pub id: String,
    /// Its creator's process id.
    pub pid: u32,
    /// Its label (the project's manifest).
    pub label: String,
    /// How many of its tools (or tasks) are done.
    pub done: usize,
    /// How many slots it has.
    pub total: usize,
    /// Milliseconds since it was created.
    pub age_ms: u64,
}

/// The live boards of `dir`, summed up; those that cannot be opened are skipped.
pub fn live(dir: &Path) -> Result<Vec<Summary>, BoardError> {
    let mut found = Vec::new();
    for listing in list(dir)?.into_iter().filter(|l| l.owner_alive) {
        let Ok(reader) = BoardReader::open(&listing.path, Access::ReadOnly) else {
            continue;
        };
        let info = reader.info();
        let done = if reader.is_tasks() {
            task_outcomes(&reader)
        } else {
            table::tally(&table::board_rows(&reader)).done()
        };
        found.push(Summary {
            id: info.id.clone(),
            pid: info.creator.pid,
            label: info.label.clone(),
            done,
            total: info.slot_count,
            age_ms: now_unix_ms().saturating_sub(info.created_unix_ms),
        });
    }
    Ok(found)
}

/// Opens what `target` names: an existing path (dump file or segment), else a live
/// board id or prefix; without a target, the only live board.
pub fn open_target(
    dir: &Path,
    target: Option<&str>,
    access: Access,
) -> Result<BoardReader, BoardError> {
    let path = match target {
        Some(t) if Path::new(t).exists() => Path::new(t).to_path_buf(),
        Some(id) => {
            registry::resolve(dir, id)
                .map_err(|e| match e {
                    // These name the id already.
                    vx_shm::Error::NotFound(_) | vx_shm::Error::Ambiguous { .. } => {
                        BoardError::Resolve(e)
                    }
                    source => BoardError::NoBoard {
                        id: id.to_owned(),
                        source,
                    },
                })?
                .path
        }
        None => {
            let live: Vec<_> = list(dir)?.into_iter().filter(|l| l.owner_alive).collect();
            match live.len() {
                1 => live.into_iter().next().map(|l| l.path).unwrap_or_default(),
                0 => return Err(BoardError::NoneLive),
                n => return Err(BoardError::SeveralLive(n)),
            }
        }
    };
    // The board's errors name its path.
    BoardReader::open(&path, access).map_err(BoardError::Open)
}

/// How many tasks of a task run's board have an outcome.
fn task_outcomes(reader: &BoardReader) -> usize {
    reader
        .snapshot()
        .iter()
        .filter_map(|read| read.as_ref().ok())
        .filter(|snap| TaskPhase::from_code(snap.record.phase).is_some_and(TaskPhase::is_terminal))
        .count()
}

/// What became of the board's sync: `abandoned` when it neither finished nor was
/// interrupted and its creator is gone (killed), so a dead board never reads as
/// running; a dump's is what it was when dumped.
pub fn state(reader: &BoardReader) -> &'static str {
    if reader.was_interrupted() {
        "interrupted"
    } else if reader.is_finished() {
        "finished"
    } else if !reader.is_dump() && !reader.owner_alive() {
        "abandoned"
    } else {
        "running"
    }
}

/// Removes the boards of `dir` whose owners are gone; what was removed (nothing when
/// `dir` does not exist).
pub fn clean(dir: &Path) -> Result<Vec<PathBuf>, BoardError> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    registry::clean(dir).map_err(|source| BoardError::Clean {
        dir: dir.to_owned(),
        source,
    })
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // A board that cannot be listed, opened or cleaned (`vx board`, `vx ps`).
    BoardError => |e| by_kind(e.is_usage(), e);
}
