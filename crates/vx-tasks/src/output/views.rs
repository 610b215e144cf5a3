//! The live views of a run on a terminal: the inline region (the default) and the
//! pane per task (`--tui`). Both read the run from its board, as `vx board watch` and
//! `vx logs` do from another terminal: the run publishes there ([`BoardSink`]), a
//! viewer thread reads in place (`vx_tui::task_inline`, `vx_tui::task_panes`). The
//! task's pipe never waits for the view: publishing is a copy into the ring, and the
//! view reads at its own pace, skipping ahead when it falls behind.
//!
//! When the board cannot be made (no shared memory), the run falls back to the lines of
//! [`Mode::Auto`] ([`Fallback`]) rather than showing nothing.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender};
use vx_shm::TaskRun;
use vx_tui::Look;

use crate::events::board_sink::BoardSink;
use crate::events::{Fanout, PhaseChange, PlannedTask, RunSummary, Stream, TaskId, TaskSink};
use crate::output::{Mode, Printer};
use crate::runner::Outcome;

/// Which live view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Live {
    /// A row per running task under the prompt; ended tasks scroll up as lines.
    Inline,
    /// Full screen, a pane per task (`--tui`).
    Panes,
}

/// How a run is watched live.
pub struct Viewing {
    /// Which view.
    pub live: Live,
    /// Colours or not.
    pub look: Look,
    /// Redraws a second.
    pub fps: u32,
    /// Where the run's board goes, and its label (the manifest's path).
    pub board_dir: PathBuf,
    /// The board's label.
    pub label: String,
    /// Where the run is kept once it finished (for `vx logs` after it).
    pub keep: Option<PathBuf>,
    /// Tasks (`quiet = true`) whose success vx says nothing about.
    pub quiet: Vec<String>,
    /// Set by a signal: the panes leave (the run stops by itself).
    pub interrupted: Arc<AtomicBool>,
}

/// Runs `run` (the runner, given the sink to report to) while `viewing`'s view shows
/// it; `cancel` stops the run (the panes' q while it runs). Returns the run's outcome.
pub fn run_viewed(
    viewing: &Viewing,
    cancel: &(dyn Fn() + Sync),
    run: impl FnOnce(Arc<dyn TaskSink>) -> Outcome,
) -> Outcome {
    let board = Arc::new(
        BoardSink::new(
            viewing.board_dir.clone(),
            viewing.label.clone(),
            vx_shm::DEFAULT_RING_CAPACITY,
        )
        .keeping(viewing.keep.clone()),
    );
    let (planned_tx, planned) = crossbeam_channel::bounded(1);
    let sink: Arc<dyn TaskSink> = Arc::new(Fanout(vec![
        Box::new(Arc::clone(&board)),
        Box::new(Fallback::new(Arc::clone(&board), viewing.quiet.clone())),
        Box::new(Planned(planned_tx)),
    ]));
    let over = AtomicBool::new(false);
    let (outcome, summary) = std::thread::scope(|scope| {
        let viewer = scope.spawn(|| view(viewing, &board, &planned, &over, cancel));
        let outcome = run(sink);
        over.store(true, Ordering::Relaxed);
        let summary = viewer.join().unwrap_or_else(|_| {
            vx_base::note!("vx: the task view crashed; the run went on without it");
            Vec::new()
        });
        (outcome, summary)
    });
    if !summary.is_empty() {
        let mut text = summary.join("\n");
        text.push('\n');
        let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
    }
    outcome
}

/// The viewer thread: waits for the board, then shows it until the run is over.
/// Returns the lines to print after a full-screen view (what each task ended with).
fn view(
    viewing: &Viewing,
    board: &BoardSink,
    planned: &Receiver<()>,
    over: &AtomicBool,
    cancel: &(dyn Fn() + Sync),
) -> Vec<String> {
    // The board exists once the plan came (or never, when the run ended first).
    loop {
        if planned.recv_timeout(Duration::from_millis(50)).is_ok() {
            break;
        }
        if over.load(Ordering::Relaxed) {
            return Vec::new();
        }
    }
    let Some((path, _)) = board.board_path() else {
        return Vec::new(); // the fallback printer shows the run
    };
    let run = match TaskRun::open(&path) {
        Ok(run) => run,
        Err(error) => {
            vx_base::note!("vx: cannot show the run live ({error}); it goes on");
            return Vec::new();
        }
    };
    match viewing.live {
        Live::Inline => {
            let quiet = viewing.quiet.clone();
            let shown =
                vx_tui::task_inline::run_task_inline(&run, viewing.look, viewing.fps, over, quiet);
            if let Err(error) = shown {
                vx_base::note!("vx: the task view failed: {error}");
            }
            Vec::new()
        }
        Live::Panes => {
            let shown = vx_tui::task_panes::run_task_panes(
                &run,
                vx_tui::task_panes::TaskPanes::new(&run, viewing.look),
                viewing.fps,
                Arc::clone(&viewing.interrupted),
                vx_tui::task_panes::Until::Left,
            );
            let mut panes = match shown {
                Ok((_, panes)) => panes,
                Err(error) => {
                    vx_base::note!("vx: the task view failed: {error}; stopping the run");
                    cancel();
                    return Vec::new();
                }
            };
            if !over.load(Ordering::Relaxed) {
                cancel();
            }
            // What each task ended with, once the run is over (the board stays mapped
            // after its files go).
            while !over.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20));
            }
            panes.poll(&run);
            let feed = panes.feed();
            (0..feed.tasks().len())
                .flat_map(|i| vx_tui::task_inline::ended_text(feed, i))
                .collect()
        }
    }
}

/// Tells the viewer that the plan came (the board exists, or could not be made).
struct Planned(Sender<()>);

impl TaskSink for Planned {
    fn plan(&self, _: &[PlannedTask]) {
        let _ = self.0.try_send(());
    }
    fn phase(&self, _: TaskId, _: &PhaseChange) {}
    fn output(&self, _: TaskId, _: Stream, _: &[u8]) {}
}

/// The lines of [`Mode::Auto`] (prefixed, or a lone task's as it wrote them), only when
/// the run has no board (it comes after the board in the fanout, so at the plan it
/// knows whether the board was made).
pub(crate) struct Fallback {
    board: Arc<BoardSink>,
    printer: Printer,
    on: AtomicBool,
}

impl Fallback {
    /// A fallback for `board`'s run.
    pub(crate) fn new(board: Arc<BoardSink>, quiet: Vec<String>) -> Fallback {
        Fallback {
            board,
            printer: Printer::new(Mode::Auto, quiet),
            on: AtomicBool::new(false),
        }
    }

    fn on(&self) -> bool {
        self.on.load(Ordering::Relaxed)
    }
}

impl TaskSink for Fallback {
    fn plan(&self, tasks: &[PlannedTask]) {
        let missing = self.board.board_path().is_none();
        self.on.store(missing, Ordering::Relaxed);
        if missing {
            self.printer.plan(tasks);
        }
    }

    fn phase(&self, task: TaskId, change: &PhaseChange) {
        if self.on() {
            self.printer.phase(task, change);
        }
    }

    fn output(&self, task: TaskId, stream: Stream, bytes: &[u8]) {
        if self.on() {
            self.printer.output(task, stream, bytes);
        }
    }

    fn finished(&self, summary: &RunSummary) {
        if self.on() {
            self.printer.finished(summary);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Phase;

    #[test]
    fn the_fallback_speaks_only_when_there_is_no_board() {
        let dir = tempfile::tempdir().unwrap();
        let board = Arc::new(BoardSink::new(dir.path().into(), "x".into(), 4096));
        let fallback = Fallback::new(Arc::clone(&board), Vec::new());
        let both = Fanout(vec![
            Box::new(Arc::clone(&board)),
            Box::new(Fallback::new(Arc::clone(&board), Vec::new())),
        ]);
        both.plan(&PlannedTask::plain(&["a"]));
        fallback.plan(&PlannedTask::plain(&["a"]));
        assert!(!fallback.on(), "the board was made");
        // Below a regular file: no board directory can be made there.
        let file = tempfile::NamedTempFile::new().unwrap();
        let none = Arc::new(BoardSink::new(file.path().join("boards"), "x".into(), 4096));
        let fallback = Fallback::new(Arc::clone(&none), Vec::new());
        none.plan(&PlannedTask::plain(&["a"]));
        fallback.plan(&PlannedTask::plain(&["a"]));
        assert!(fallback.on(), "no board: the printer's lines");
        fallback.phase(TaskId(0), &PhaseChange::new(Phase::Done));
    }
}
