//! What a task run reports, and to whom: the [`TaskSink`] trait the runner calls for
//! every task of the graph.
//!
//! The runner knows nothing of where events go. A run hands it one sink (several are
//! joined with [`Fanout`]): the output modes (`--output prefix|grouped|quiet`, the
//! inline view, `--json`) are sinks, and so is the board, which publishes each task's
//! phase into its slot and its output into the slot's bounded ring.
//!
//! The contract every sink may rely on:
//!
//! - [`TaskSink::plan`] comes first, once, with every task of the graph in graph order
//!   (dependencies before dependents); each is [`Phase::Queued`] until told otherwise.
//!   A [`TaskId`] is the task's index in that list.
//! - Each task then gets phase changes in this order, each at most once, some skipped:
//!   `Queued → Waiting → Starting → Running → Ready → (terminal)`. A task that never
//!   starts goes straight to its terminal phase (up to date, or cancelled because a
//!   dependency failed).
//! - Exactly one terminal phase per task: [`Phase::UpToDate`], [`Phase::Done`],
//!   [`Phase::Failed`] or [`Phase::Cancelled`].
//! - All of a task's [`TaskSink::output`] is delivered before its terminal phase; none
//!   after. Chunks of one stream arrive in order; stdout and stderr chunks may
//!   interleave in any order (they are read by separate threads).
//! - [`TaskSink::finished`] comes last, once, after every task's terminal phase.
//! - Calls come from several threads (the runner's and one reader per output stream),
//!   so a sink is `Send + Sync` and takes `&self`. A sink must not block for long:
//!   `output` is called on the path of a task's pipe, and a slow sink slows the task.

pub mod board_sink;

use std::time::Duration;

/// A task of a run: its index in the plan given to [`TaskSink::plan`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(pub usize);

/// Where a task is. The names are the board's (`vx ps`, `--json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Part of the run, not yet considered.
    Queued,
    /// Waiting for a dependency to finish (or a service to be ready), or for a free
    /// job slot (`-j`).
    Waiting,
    /// Its process is being started (its `ready` clock starts here for a service).
    Starting,
    /// Its process runs.
    Running,
    /// A service whose `ready` check passed: its dependents may start. It keeps
    /// running.
    Ready,
    /// Terminal: skipped, its sources unchanged since its last success and its
    /// outputs present.
    UpToDate,
    /// Terminal: every command exited 0 (or a depends-only task whose dependencies
    /// are done).
    Done,
    /// Terminal: a command exited non-zero or could not start, or a service never
    /// became ready.
    Failed,
    /// Terminal: stopped before or while running, because another task failed, the
    /// user interrupted the run (Ctrl-C, a closed terminal), or a watch restarted it.
    Cancelled,
}

impl Phase {
    /// Whether this is the last phase a task gets.
    pub(crate) fn is_terminal(self) -> bool {
        matches!(
            self,
            Phase::UpToDate | Phase::Done | Phase::Failed | Phase::Cancelled
        )
    }

    /// The phase's name as `--json` and `vx ps` spell it (`up_to_date`, …).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Phase::Queued => "queued",
            Phase::Waiting => "waiting",
            Phase::Starting => "starting",
            Phase::Running => "running",
            Phase::Ready => "ready",
            Phase::UpToDate => "up_to_date",
            Phase::Done => "done",
            Phase::Failed => "failed",
            Phase::Cancelled => "cancelled",
        }
    }
}

/// One phase change of a task, with what a viewer needs to show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhaseChange {
    /// The phase the task is in now.
    pub phase: Phase,
    /// The process id of the task's current command (its process group's leader):
    /// set from [`Phase::Running`] on while a process runs.
    pub pid: Option<u32>,
    /// For a terminal phase of a task that ran: the shell-style exit code of the
    /// command that ended it (the code, or 128 + a signal).
    pub exit_code: Option<i32>,
    /// Why, in a short sentence for a person: what it waits for (`waiting for
    /// build`), why it failed (`exit status 2`, `not ready after 30s: no line
    /// matched ...`) or was cancelled (`build failed`, `interrupted`).
    pub reason: Option<String>,
    /// Time since the task started (its first command), for terminal phases of a
    /// task that ran.
    pub elapsed: Option<Duration>,
    /// What the results cache did, for a terminal phase (`restored (key 3f2a…,
    /// 0.04 s)`, `kept (key …); pushed to …`, a refused result and why).
    pub cache: Option<String>,
}

impl PhaseChange {
    /// A bare change to `phase`.
    pub(crate) fn new(phase: Phase) -> Self {
        PhaseChange {
            phase,
            pid: None,
            exit_code: None,
            reason: None,
            elapsed: None,
            cache: None,
        }
    }

    /// The same change with a reason.
    pub(crate) fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// The same change with the current command's process id.
    pub(crate) fn with_pid(mut self, pid: u32) -> Self {
        self.pid = Some(pid);
        self
    }

    /// The same change with an exit code.
    pub(crate) fn with_exit_code(mut self, code: i32) -> Self {
        self.exit_code = Some(code);
        self
    }

    /// The same change with the task's elapsed time.
    pub(crate) fn with_elapsed(mut self, elapsed: Duration) -> Self {
        self.elapsed = Some(elapsed);
        self
    }
}

/// Which of a task's output streams a chunk came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stream {
    /// The task's standard output.
    Stdout,
    /// The task's standard error.
    Stderr,
}

/// What a restore is doing ([`TaskSink::restore`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestoreStage {
    /// Its archives come from the team's registry.
    Fetching,
    /// Its archives are unpacked into the project.
    Unpacking,
}

impl RestoreStage {
    /// The stage's name as `--json` spells it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            RestoreStage::Fetching => "fetching",
            RestoreStage::Unpacking => "restoring",
        }
    }
}

/// Bytes of a kept result restored in place of running a task: the archives' bytes
/// fetched or unpacked so far, of `total`. Each stage counts from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RestoreProgress {
    /// Fetching or unpacking.
    pub stage: RestoreStage,
    /// Bytes done in this stage.
    pub done: u64,
    /// Bytes of this stage in all.
    pub total: u64,
}

/// A task as the plan lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedTask {
    /// Its index in the plan.
    pub id: TaskId,
    /// The task's name (`lint:rust`).
    pub name: String,
    /// How the run names it to a user (its lines' prefix, the notes about it, its
    /// slot on the board): its name, or, when the run holds its task more than once,
    /// its name and words (`setup a`), with its variables when only they tell it apart
    /// (`Z=1 setup`), so that no two tasks of a plan share a label ([`crate::runner::Job::label`]).
    pub label: String,
    /// The words a dependency gave it (`depends = ["setup a"]`: `a`), none for the
    /// task's plain node: with [`PlannedTask::env`], what tells two tasks of one name
    /// apart to a machine (`--json`).
    pub args: Vec<String>,
    /// The names of the variables a dependency set for it (`"Z=1 setup"`: `Z`); their
    /// values are not told.
    pub env: Vec<String>,
    /// Whether it is a service (stays running once ready).
    pub service: bool,
    /// Its direct dependencies (`depends` and `wait_for`), as ids of this plan.
    pub depends: Vec<TaskId>,
}

#[cfg(test)]
impl PlannedTask {
    /// A plan of independent tasks (no service, no dependency) named `names`, in order.
    pub(crate) fn plain(names: &[&str]) -> Vec<PlannedTask> {
        names
            .iter()
            .enumerate()
            .map(|(i, name)| PlannedTask {
                id: TaskId(i),
                name: (*name).to_owned(),
                label: (*name).to_owned(),
                args: Vec::new(),
                env: Vec::new(),
                service: false,
                depends: Vec::new(),
            })
            .collect()
    }
}

/// How a run ended, for [`TaskSink::finished`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunSummary {
    /// Tasks that ended [`Phase::Done`].
    pub done: usize,
    /// Tasks that ended [`Phase::UpToDate`].
    pub up_to_date: usize,
    /// Tasks that ended [`Phase::Failed`].
    pub failed: usize,
    /// Tasks that ended [`Phase::Cancelled`].
    pub cancelled: usize,
    /// Whether the user interrupted the run (Ctrl-C, SIGHUP, SIGTERM).
    pub interrupted: bool,
    /// The run's wall time.
    pub elapsed: Duration,
}

/// Receives a run's events. See the module's documentation for the order and
/// threading guarantees.
pub trait TaskSink: Send + Sync {
    /// The whole run, before anything starts: every task in graph order.
    fn plan(&self, tasks: &[PlannedTask]) {
        let _ = tasks;
    }

    /// `task` moved to a new phase.
    fn phase(&self, task: TaskId, change: &PhaseChange);

    /// A chunk of `task`'s output, as its process wrote it (raw bytes: not
    /// necessarily UTF-8, not necessarily whole lines).
    fn output(&self, task: TaskId, stream: Stream, bytes: &[u8]);

    /// A kept result is being restored into `task`'s outputs (between its starting
    /// and its terminal phase): how far. Called often (for each chunk read); a sink
    /// keeps what it shows cheap.
    fn restore(&self, task: TaskId, progress: &RestoreProgress) {
        let _ = (task, progress);
    }

    /// The run is over: every task has had its terminal phase.
    fn finished(&self, summary: &RunSummary) {
        let _ = summary;
    }
}

/// A shared sink is a sink (the board, read by a view while the runner publishes).
impl<T: TaskSink + ?Sized> TaskSink for std::sync::Arc<T> {
    fn plan(&self, tasks: &[PlannedTask]) {
        (**self).plan(tasks);
    }

    fn phase(&self, task: TaskId, change: &PhaseChange) {
        (**self).phase(task, change);
    }

    fn output(&self, task: TaskId, stream: Stream, bytes: &[u8]) {
        (**self).output(task, stream, bytes);
    }

    fn restore(&self, task: TaskId, progress: &RestoreProgress) {
        (**self).restore(task, progress);
    }

    fn finished(&self, summary: &RunSummary) {
        (**self).finished(summary);
    }
}

/// Several sinks as one: each event goes to each, in order.
#[derive(Default)]
pub struct Fanout(pub Vec<Box<dyn TaskSink>>);

impl TaskSink for Fanout {
    fn plan(&self, tasks: &[PlannedTask]) {
        self.0.iter().for_each(|s| s.plan(tasks));
    }

    fn phase(&self, task: TaskId, change: &PhaseChange) {
        self.0.iter().for_each(|s| s.phase(task, change));
    }

    fn output(&self, task: TaskId, stream: Stream, bytes: &[u8]) {
        self.0.iter().for_each(|s| s.output(task, stream, bytes));
    }

    fn restore(&self, task: TaskId, progress: &RestoreProgress) {
        self.0.iter().for_each(|s| s.restore(task, progress));
    }

    fn finished(&self, summary: &RunSummary) {
        self.0.iter().for_each(|s| s.finished(summary));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Record(Mutex<Vec<String>>);

    impl TaskSink for Record {
        fn phase(&self, task: TaskId, change: &PhaseChange) {
            self.0
                .lock()
                .unwrap()
                .push(format!("{} {}", task.0, change.phase.name()));
        }
        fn output(&self, task: TaskId, _: Stream, bytes: &[u8]) {
            self.0
                .lock()
                .unwrap()
                .push(format!("{} {}", task.0, String::from_utf8_lossy(bytes)));
        }
    }

    #[test]
    fn terminal_phases_are_the_four_ends() {
        let terminal: Vec<&str> = [
            Phase::Queued,
            Phase::Waiting,
            Phase::Starting,
            Phase::Running,
            Phase::Ready,
            Phase::UpToDate,
            Phase::Done,
            Phase::Failed,
            Phase::Cancelled,
        ]
        .into_iter()
        .filter(|p| p.is_terminal())
        .map(Phase::name)
        .collect();
        assert_eq!(terminal, ["up_to_date", "done", "failed", "cancelled"]);
    }

    #[test]
    fn fanout_reaches_every_sink() {
        let sinks = std::sync::Arc::new(Record::default());
        struct Shared(std::sync::Arc<Record>);
        impl TaskSink for Shared {
            fn phase(&self, t: TaskId, c: &PhaseChange) {
                self.0.phase(t, c)
            }
            fn output(&self, t: TaskId, s: Stream, b: &[u8]) {
                self.0.output(t, s, b)
            }
        }
        let fan = Fanout(vec![
            Box::new(Shared(sinks.clone())),
            Box::new(Shared(sinks.clone())),
        ]);
        fan.phase(TaskId(1), &PhaseChange::new(Phase::Done));
        fan.output(TaskId(0), Stream::Stdout, b"hi");
        assert_eq!(
            *sinks.0.lock().unwrap(),
            ["1 done", "1 done", "0 hi", "0 hi"]
        );
    }
}
