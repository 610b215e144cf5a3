//! The board as a [`TaskSink`]: each task's phase goes into its slot and its output
//! into its ring on a task board (`vx_shm::TaskBoard`), where `vx ps`, `vx logs -f`,
//! `vx board watch`, the daemon and the editor read them in place.
//!
//! The board is made when the plan arrives (the tasks are known then) and removed when
//! the sink is dropped; a later plan (a watch's re-run) replaces it with a new one.
//! Publishing is a few stores into shared memory per event: the task's pipe is never
//! slowed by who watches. A sink told where ([`BoardSink::keeping`]) keeps the run
//! there when it finishes ([`crate::state::last_run`]), for `vx logs` after the run.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use vx_shm::{TaskBoard, TaskPhase, TaskWriter};

use crate::events::{
    Phase, PhaseChange, PlannedTask, RestoreProgress, RunSummary, Stream, TaskId, TaskSink,
};

/// Publishes a run on a task board in `dir`.
pub struct BoardSink {
    dir: PathBuf,
    label: String,
    ring_capacity: usize,
    board: RwLock<Option<Arc<Published>>>,
    keep: Option<PathBuf>,
}

/// The board of a run and one writer per task (the runner's thread and a task's two
/// output readers may publish for the same task at once: the lock keeps one writer).
struct Published {
    board: TaskBoard,
    writers: Vec<Mutex<TaskWriter>>,
}

impl BoardSink {
    /// A sink that will publish into a board in `dir` labelled `label` (the manifest's
    /// path), keeping the last `ring_capacity` bytes of each task's output.
    pub fn new(dir: PathBuf, label: String, ring_capacity: usize) -> BoardSink {
        BoardSink {
            dir,
            label,
            ring_capacity,
            board: RwLock::new(None),
            keep: None,
        }
    }

    /// The same sink, keeping each run in `dir` once it finished (the project's
    /// [`crate::state::last_run::dir`]; `None`: kept nowhere).
    pub fn keeping(mut self, dir: Option<PathBuf>) -> BoardSink {
        self.keep = dir;
        self
    }

    /// The board's segment path and id, once the plan made it.
    pub(crate) fn board_path(&self) -> Option<(PathBuf, String)> {
        self.published()
            .map(|p| (p.board.path().to_path_buf(), p.board.id().to_owned()))
    }

    fn published(&self) -> Option<Arc<Published>> {
        self.board
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Makes the board for `tasks`: an error leaves the run without one (it still
    /// runs; only other terminals cannot watch it), and says so once.
    fn publish(&self, tasks: &[PlannedTask]) {
        let names: Vec<&str> = tasks.iter().map(|t| t.label.as_str()).collect();
        // A board directory that is not there yet is made, private, as `vx sync`
        // makes its own (`VX_BOARD_DIR` naming a new directory); one that cannot be
        // made is said below, by the board's own error.
        let _ = vx_base::platform::ipc::prepare_dir(&self.dir);
        let made = TaskBoard::create(&self.dir, &self.label, &names, self.ring_capacity).and_then(
            |board| {
                let writers = (0..names.len())
                    .map(|i| board.writer(i).map(Mutex::new))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Published { board, writers })
            },
        );
        // The previous run's board (if any) goes: its readers see it end.
        let mut board = self.board.write().unwrap_or_else(PoisonError::into_inner);
        *board = None;
        match made {
            Ok(published) => *board = Some(Arc::new(published)),
            Err(error) => warn(&format!(
                "this run has no board (`vx ps` will not show it): {error}"
            )),
        }
    }

    fn with_writer(&self, task: TaskId, f: impl FnOnce(&mut TaskWriter)) {
        let board = self.board.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(writer) = board.as_ref().and_then(|p| p.writers.get(task.0)) {
            f(&mut writer.lock().unwrap_or_else(PoisonError::into_inner));
        }
    }
}

/// The board's code for a runner phase.
pub(crate) fn board_phase(phase: Phase) -> TaskPhase {
    match phase {
        Phase::Queued => TaskPhase::Queued,
        Phase::Waiting => TaskPhase::Waiting,
        Phase::Starting => TaskPhase::Starting,
        Phase::Running => TaskPhase::Running,
        Phase::Ready => TaskPhase::Ready,
        Phase::UpToDate => TaskPhase::UpToDate,
        Phase::Done => TaskPhase::Done,
        Phase::Failed => TaskPhase::Failed,
        Phase::Cancelled => TaskPhase::Cancelled,
    }
}

impl TaskSink for BoardSink {
    fn plan(&self, tasks: &[PlannedTask]) {
        self.publish(tasks);
    }

    fn phase(&self, task: TaskId, change: &PhaseChange) {
        let phase = board_phase(change.phase);
        // A terminal phase without a reason shows what the results cache did
        // (`restored (key 3f2a…, 0.04 s)`): the inline view, `--tui` and `vx ps` read it.
        let reason = change
            .reason
            .as_deref()
            .or(change.cache.as_deref())
            .unwrap_or("");
        self.with_writer(task, |writer| {
            if phase.is_terminal() {
                writer.finish(phase, change.exit_code, reason);
            } else {
                // A new phase's reason, or none: "waiting for build" ends with waiting.
                writer.set_message(reason);
                writer.set_phase(phase);
            }
        });
    }

    fn output(&self, task: TaskId, _stream: Stream, bytes: &[u8]) {
        self.with_writer(task, |writer| writer.output(bytes));
    }

    fn restore(&self, task: TaskId, progress: &RestoreProgress) {
        self.with_writer(task, |writer| {
            writer.set_restore(progress.done, progress.total, progress.stage.name());
        });
    }

    fn finished(&self, summary: &RunSummary) {
        let Some(published) = self.published() else {
            return;
        };
        published.board.finish(summary.interrupted);
        if let Some(dir) = &self.keep
            && let Err(error) = crate::state::last_run::keep(&published.board, dir)
        {
            warn(&format!(
                "this run's output is not kept (`vx logs` cannot read it once the run ends): {error}"
            ));
        }
    }
}

/// Says what the board cannot do for this run (the run goes on).
fn warn(what: &str) {
    vx_base::note!("vx: {what}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use vx_shm::TaskRun;

    #[test]
    fn a_run_is_published_as_it_goes_and_removed_with_the_sink() {
        let dir = tempfile::tempdir().unwrap();
        let sink = BoardSink::new(dir.path().into(), "p/vx.toml".into(), 4096);
        sink.plan(&PlannedTask::plain(&["build", "test"]));
        let (path, _) = sink.board_path().unwrap();
        let run = TaskRun::open(&path).unwrap();
        sink.phase(
            TaskId(1),
            &PhaseChange::new(Phase::Waiting).with_reason("waiting for build"),
        );
        sink.phase(TaskId(0), &PhaseChange::new(Phase::Running).with_pid(42));
        sink.output(TaskId(0), Stream::Stdout, b"compiling\n");
        sink.output(TaskId(0), Stream::Stderr, b"warning: x\n");
        sink.phase(
            TaskId(0),
            &PhaseChange::new(Phase::Failed)
                .with_exit_code(2)
                .with_reason("exit status 2"),
        );
        sink.phase(
            TaskId(1),
            &PhaseChange::new(Phase::Cancelled).with_reason("build failed"),
        );
        let tasks = run.tasks();
        assert_eq!(tasks[0].phase, Some(TaskPhase::Failed));
        assert_eq!(
            (tasks[0].exit_code, tasks[0].message.as_str()),
            (2, "exit status 2")
        );
        assert_eq!(tasks[1].phase, Some(TaskPhase::Cancelled));
        assert_eq!(tasks[1].message, "build failed");
        let mut out = Vec::new();
        let read = run.read_output(0, 0, usize::MAX, &mut out).unwrap();
        assert_eq!(out, b"compiling\nwarning: x\n");
        assert!(read.ended);
        sink.finished(&RunSummary {
            done: 0,
            up_to_date: 0,
            failed: 1,
            cancelled: 1,
            interrupted: false,
            elapsed: std::time::Duration::ZERO,
        });
        assert!(run.board().is_finished());
        // Dropped first: Windows keeps a removed file's name while it is open.
        drop(run);
        // A watch's re-run: a new board, the old one gone.
        sink.plan(&PlannedTask::plain(&["build"]));
        let (again, _) = sink.board_path().unwrap();
        assert_ne!(again, path);
        assert!(!path.exists() && again.exists());
        drop(sink);
        assert!(!again.exists());
    }

    #[test]
    fn a_restores_bytes_are_on_the_board_until_the_task_ends() {
        use crate::events::RestoreStage;
        let dir = tempfile::tempdir().unwrap();
        let sink = BoardSink::new(dir.path().into(), "p/vx.toml".into(), 4096);
        sink.plan(&PlannedTask::plain(&["build"]));
        let (path, _) = sink.board_path().unwrap();
        let run = TaskRun::open(&path).unwrap();
        sink.phase(TaskId(0), &PhaseChange::new(Phase::Starting));
        assert_eq!(run.tasks()[0].restore, None, "nothing restored yet");
        sink.restore(
            TaskId(0),
            &RestoreProgress {
                stage: RestoreStage::Unpacking,
                done: 4096,
                total: 65536,
            },
        );
        let task = &run.tasks()[0];
        assert_eq!(task.restore, Some((4096, 65536)));
        assert_eq!(task.message, "restoring");
        assert_eq!(task.ended_unix_ms, 0, "not ended");
        sink.phase(TaskId(0), &PhaseChange::new(Phase::Done).with_exit_code(0));
        let task = &run.tasks()[0];
        assert_eq!(task.restore, None, "over once it ended");
        assert!(task.ended_unix_ms > 0);
    }

    #[test]
    fn a_board_that_cannot_be_made_leaves_the_run_running() {
        // Below a regular file: no directory can be made there (a missing board
        // directory is made, as `vx sync` makes it).
        let file = tempfile::NamedTempFile::new().unwrap();
        let sink = BoardSink::new(file.path().join("vx-boards"), "x".into(), 4096);
        sink.plan(&PlannedTask::plain(&["a"]));
        assert!(sink.board_path().is_none());
        sink.phase(TaskId(0), &PhaseChange::new(Phase::Running));
        sink.output(TaskId(0), Stream::Stdout, b"fine");
    }
}
