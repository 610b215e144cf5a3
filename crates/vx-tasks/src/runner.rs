//! The runner: runs a [`Plan`]'s jobs in parallel, each once, reporting every phase
//! and output chunk to a [`TaskSink`].
//!
//! One supervising loop (the caller's thread) decides what starts, at most `jobs`
//! at once (services do not count: they run until the run ends); each started task
//! gets a worker thread that runs its commands in order and a reader thread per output
//! stream. A failure cancels what has not started and stops what runs (unless
//! `keep_going`, when only what depends on it is cancelled); an interrupt stops
//! everything. A stopped task gets SIGINT (an interrupt) or SIGTERM (a failure
//! elsewhere) through its [guard](super::guard), then SIGKILL after the grace
//! period; every process is reaped before the task's terminal phase is reported.
//! Commands start through the run's launch (`launch::Launch`): on Unix one
//! guard process for the whole run, started when the first task is about to run a
//! command (a task that may be restored asks for it only on a miss, so a run whose
//! every task is restored starts none).

mod ahead;
pub mod fresh;
pub mod ledger;
mod supervisor;
mod worker;

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossbeam_channel::Receiver;

use super::cache::{Document, Recipe, Results};
use super::events::{Phase, TaskSink};
pub use super::launch::Launcher;
use fresh::Stamp;
use supervisor::Supervisor;
use vx_model::task::Ready;
use vx_model::task::graph::Plan;

/// One task of the run, ready to run: what the plan's node at the same index does.
pub struct Job {
    /// The task's name.
    pub name: String,
    /// Its commands, each ready to spawn (program, arguments, environment, working
    /// directory); run in order, each after the previous exited 0. Empty: a
    /// depends-only task, done when its dependencies are.
    pub commands: Vec<Command>,
    /// A service: stays running; its dependents start when it is ready.
    pub service: bool,
    /// When a service is ready.
    pub ready: Option<Ready>,
    /// How long it may run, from its first command's start, before it is stopped and
    /// fails (its `timeout`).
    pub timeout: Option<Duration>,
    /// Where its last success is recorded, when it declares `sources`: checked before
    /// it starts (its key that of its last success and its outputs present: up to
    /// date), its key recorded after it succeeds or is restored.
    pub stamp: Option<Stamp>,
    /// Its key and, when its results are kept, where (`crate::cache`).
    pub cache: Option<JobCache>,
    /// When a dependency gave its task words or variables of its own (a node of the
    /// plan apart from the task's plain one): that dependency as written (`Z=1 setup
    /// --test`), which names it in its dependents' keys, so that two nodes of one task
    /// both count there. None: the task's name does.
    pub call: Option<String>,
    /// How the run names it to a user: its lines' prefix, the notes about it, its row
    /// in the live views and on the board (`vx_model::task::graph::Plan::labels`):
    /// the task's name, or, when the run holds the task more than once, its name and
    /// words (`setup a`), with its variables when only they tell it apart.
    pub label: String,
    /// Its entry in the run's [ledger]: claimed before it starts, so
    /// that it runs once in the run and the `vx run`s its tasks start (none for a
    /// service).
    pub once: Option<crate::runner::ledger::Entry>,
}

impl Job {
    /// How its dependents' keys name it: its [`call`](Job::call), else its name.
    pub fn keyed_as(&self) -> &str {
        self.call.as_deref().unwrap_or(&self.name)
    }
}

/// A job's part in the results cache.
pub struct JobCache {
    /// What its key is made of; the key itself is made when the task is about to start
    /// (its dependencies' keys known, their outputs written).
    pub recipe: Recipe,
    /// Where its results are kept; `None`: it has a key (its dependents' keys name
    /// it) but no results (no `outputs`, `cache = false`, a service).
    pub results: Option<Arc<Results>>,
    /// Whether a kept result may stand in for running it (not with `--force`).
    pub restore: bool,
    /// Its key's document (set by the runner).
    pub document: Option<Document>,
}

/// How to run.
pub struct Options {
    /// At most this many tasks run at once (services aside); at least 1.
    pub jobs: usize,
    /// After a failure, still run what does not depend on it.
    pub keep_going: bool,
    /// How long a stopped task has between the polite signal and SIGKILL.
    pub grace: Duration,
    /// Run every task, up to date or not.
    pub force: bool,
    /// Keep running services in the foreground once everything else has ended
    /// (until interrupted); otherwise they are stopped then.
    pub keep_services: bool,
    /// How tasks' commands are started (through the guard on Unix).
    pub launcher: Launcher,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The terminal phase of each node, in plan order.
    pub phases: Vec<Phase>,
    /// The first failure: the task's label ([`Job::label`]), its exit code (if it ran)
    /// and why.
    pub first_failure: Option<(String, Option<i32>, String)>,
    /// Whether an interrupt stopped the run.
    pub interrupted: bool,
    /// Tasks stopped because of a failure or an interrupt: (label, whether it was
    /// running, why).
    pub cancelled: Vec<(String, bool, String)>,
}

/// Runs `jobs` (one per node of `plan`, same order). `interrupt` is set (and `woken`
/// receives) when the user interrupts.
pub fn run(
    plan: &Plan,
    jobs: Vec<Job>,
    options: &Options,
    sink: Arc<dyn TaskSink>,
    interrupt: Arc<AtomicBool>,
    woken: &Receiver<()>,
) -> Outcome {
    ahead::start(plan, &jobs);
    let mut run = Supervisor::new(plan, jobs, options, sink);
    loop {
        if interrupt.load(Ordering::Relaxed) {
            run.interrupt();
        }
        run.start_what_can();
        run.stop_lone_services();
        if run.all_ended() {
            break;
        }
        let message = run.next_message(woken);
        run.kill_overdue();
        run.time_out();
        if let Some(message) = message {
            run.handle(message);
        }
    }
    run.finish()
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
