//! The boards of this user's runs and syncs as `vx ps` and `vx logs` find them (only
//! the live ones unless asked), a task's phase as they name it, and a run as `vx ps`
//! and `vx board` print it. Shared by those commands, so none calls another.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::json;
use vx_shm::{Access, BoardReader, TaskRun, TaskState, registry};
use vx_text::{bytes, duration_ms, sanitize};

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

/// The boards in `dir`, live or not, unopened (none when `dir` does not exist).
pub fn list(dir: &Path) -> Result<Vec<registry::Listing>, ListError> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    registry::list(dir).map_err(|source| ListError {
        dir: dir.to_owned(),
        source,
    })
}

/// This user's boards in `dir` (only live ones unless `all`), opened read-only, oldest
/// first. Boards that vanish or cannot be read between listing and opening are
/// skipped; a directory that does not exist has none.
pub fn listed(dir: &Path, all: bool) -> Result<Vec<(registry::Listing, BoardReader)>, ListError> {
    let mut found: Vec<_> = list(dir)?
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

/// The services among `names` that a live run of the project labelled `label` (its
/// manifest's path, as `vx run` labels its board) has running or ready: each with that
/// run's process id. What a second `vx run dev` says instead of a port clash.
pub fn services_running(dir: &Path, label: &str, names: &[String]) -> Vec<(String, u32)> {
    let Ok(boards) = listed(dir, false) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (_, board) in boards {
        if !board.is_tasks() || board.info().label != label {
            continue;
        }
        let pid = board.info().creator.pid;
        let Ok(run) = TaskRun::from_board(board) else {
            continue;
        };
        for task in run.tasks() {
            let live = matches!(
                task.phase,
                Some(vx_shm::TaskPhase::Running | vx_shm::TaskPhase::Ready)
            );
            if live && names.contains(&task.name) {
                found.push((task.name, pid));
            }
        }
    }
    found
}

/// A task's phase as `vx ps` and `vx logs` name it.
pub fn phase_name(task: &TaskState) -> &'static str {
    match (&task.unreadable, task.phase) {
        (Some(_), _) => "unreadable",
        (None, Some(phase)) => phase.label(),
        (None, None) => "unknown",
    }
}

/// What became of a run: `running`, `finished`, `interrupted`, or `dead` when its
/// `vx run` is gone without finishing.
pub(crate) fn run_state(run: &TaskRun, alive: bool) -> &'static str {
    let board = run.board();
    if board.was_interrupted() {
        "interrupted"
    } else if board.is_finished() {
        "finished"
    } else if !alive {
        "dead"
    } else {
        "running"
    }
}

/// How long the task has run (or ran), if it started.
fn elapsed_ms(task: &TaskState, now: u64) -> Option<u64> {
    (task.started_unix_ms != 0).then(|| {
        let end = if task.ended_unix_ms != 0 {
            task.ended_unix_ms
        } else {
            now
        };
        end.saturating_sub(task.started_unix_ms)
    })
}

/// A run as `vx ps --json` and `vx board` print it: one JSON object, its tasks'
/// phases, times and output.
pub fn run_json(run: &TaskRun, alive: bool, now: u64) -> serde_json::Value {
    let info = run.board().info();
    let tasks: Vec<_> = run
        .tasks()
        .iter()
        .map(|task| {
            json!({"name": task.name, "phase": phase_name(task),
                   "exit_code": task.phase.filter(|p| p.is_terminal()).map(|_| task.exit_code),
                   "elapsed_ms": elapsed_ms(task, now), "output_bytes": task.output_bytes,
                   "message": task.message,
                   "restore": task.restore.map(|(done, total)| json!({"done": done, "total": total}))})
        })
        .collect();
    json!({"kind": "run", "id": info.id, "pid": info.creator.pid, "label": info.label,
           "state": run_state(run, alive), "alive": alive,
           "age_ms": now.saturating_sub(info.created_unix_ms), "tasks": tasks})
}

/// A run as `vx ps` and `vx board` print it: a line for the run, a column table of
/// its tasks.
pub fn print_run(
    out: &mut impl Write,
    run: &TaskRun,
    alive: bool,
    now: u64,
) -> std::io::Result<()> {
    let info = run.board().info();
    writeln!(
        out,
        "run {} ({}), vx run pid {}, {}, {}",
        &info.id[..12.min(info.id.len())],
        sanitize(&info.label),
        info.creator.pid,
        run_state(run, alive),
        duration_ms(now.saturating_sub(info.created_unix_ms))
    )?;
    let rows: Vec<[String; 5]> = run
        .tasks()
        .iter()
        .map(|task| {
            let phase = match task.phase {
                Some(p) if p.is_terminal() && !p.is_success() && task.exit_code != 0 => {
                    format!("{} ({})", phase_name(task), task.exit_code)
                }
                _ => phase_name(task).to_owned(),
            };
            [
                format!("  {}", sanitize(&task.name)),
                phase,
                elapsed_ms(task, now).map(duration_ms).unwrap_or_default(),
                if task.output_bytes == 0 {
                    String::new()
                } else {
                    bytes(task.output_bytes)
                },
                // A restore's bytes so far, as the inline view shows them.
                vx_tui::task_inline::restore_text(task)
                    .unwrap_or_else(|| sanitize(&task.message).into_owned()),
            ]
        })
        .collect();
    write!(
        out,
        "{}",
        vx_text::columns(["  TASK", "PHASE", "TIME", "OUTPUT", "NOTE"], &rows)
    )
}
