//! The run's supervisor: the state of every task of the plan, and the steps of the
//! supervising loop ([`run`](super::run)) — stop everything on an interrupt, start what
//! can start, stop services left alone, kill what ignored its stop, take in a worker's
//! news, and sum the run up.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use super::super::events::{Phase, PhaseChange, PlannedTask, RunSummary, TaskId, TaskSink};
use super::super::launch::{Launch, Stop};
use super::worker::{Control, Message, Starting, failure_reason, spawn_worker};
use super::{Job, Options, Outcome};
use vx_model::task::graph::Plan;

/// Where a task of the run is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Pending,
    Running,
    Ready,
    Ended(Phase),
}

/// One run's tasks as the supervising loop sees them.
pub(super) struct Supervisor<'a> {
    plan: &'a Plan,
    options: &'a Options,
    sink: Arc<dyn TaskSink>,
    started: Instant,
    /// Each task as the run names it to a user ([`Job::label`]): in the reasons and
    /// the outcome.
    names: Vec<String>,
    /// How each job is named in its dependents' keys ([`Job::keyed_as`]).
    keyed: Vec<String>,
    services: Vec<bool>,
    /// Each task's `timeout`.
    timeouts: Vec<Option<Duration>>,
    /// Each task's job until it starts.
    jobs: Vec<Option<Job>>,
    state: Vec<State>,
    /// Whether a task was said to wait (said once).
    waiting_said: Vec<bool>,
    controls: Vec<Arc<Control>>,
    /// When each task was asked to stop.
    stop_sent: Vec<Option<Instant>>,
    tx: Sender<Message>,
    rx: Receiver<Message>,
    outcome: Outcome,
    /// A failure (without `keep_going`) or an interrupt: nothing more starts.
    halted: bool,
    workers: Vec<std::thread::JoinHandle<()>>,
    /// Started here, on the supervising thread, at the first task that runs a command.
    launch: Launch,
    /// Each task's key, once it was about to start.
    keys: Vec<Option<String>>,
    /// Each task's up-to-date check, made once its dependencies ended: a task waiting
    /// for a free job is not looked at again.
    checked: Vec<Option<bool>>,
}

impl<'a> Supervisor<'a> {
    /// A run of `jobs` (one per node of `plan`), its plan told to `sink`.
    pub(super) fn new(
        plan: &'a Plan,
        jobs: Vec<Job>,
        options: &'a Options,
        sink: Arc<dyn TaskSink>,
    ) -> Supervisor<'a> {
        let started = Instant::now();
        let n = jobs.len();
        let planned: Vec<PlannedTask> = plan
            .nodes
            .iter()
            .zip(&jobs)
            .enumerate()
            .map(|(i, (node, job))| PlannedTask {
                id: TaskId(i),
                name: job.name.clone(),
                label: job.label.clone(),
                args: node.words.clone(),
                env: node.env.iter().map(|(name, _)| name.clone()).collect(),
                service: job.service,
                depends: node.after.iter().map(|&a| TaskId(a)).collect(),
            })
            .collect();
        sink.plan(&planned);
        let (tx, rx) = crossbeam_channel::unbounded::<Message>();
        Supervisor {
            plan,
            options,
            sink,
            started,
            names: jobs.iter().map(|j| j.label.clone()).collect(),
            keyed: jobs.iter().map(|j| j.keyed_as().to_owned()).collect(),
            services: jobs.iter().map(|j| j.service).collect(),
            timeouts: jobs.iter().map(|j| j.timeout).collect(),
            jobs: jobs.into_iter().map(Some).collect(),
            state: vec![State::Pending; n],
            waiting_said: vec![false; n],
            controls: (0..n).map(|_| Arc::default()).collect(),
            stop_sent: vec![None; n],
            tx,
            rx,
            outcome: Outcome {
                phases: Vec::new(),
                first_failure: None,
                interrupted: false,
                cancelled: Vec::new(),
            },
            halted: false,
            workers: Vec::new(),
            launch: Launch::new(&options.launcher, options.grace),
            keys: vec![None; n],
            checked: vec![None; n],
        }
    }

    fn n(&self) -> usize {
        self.state.len()
    }

    /// Task `i` has ended: its state, and the sink told.
    fn end(&mut self, i: usize, change: PhaseChange) {
        self.state[i] = State::Ended(change.phase);
        self.sink.phase(TaskId(i), &change);
    }

    /// Says once that task `i` waits, and why.
    fn say_waiting(&mut self, i: usize, why: String) {
        if !self.waiting_said[i] {
            self.waiting_said[i] = true;
            self.sink.phase(
                TaskId(i),
                &PhaseChange::new(Phase::Waiting).with_reason(why),
            );
        }
    }

    /// Asks running task `i` to stop (once), noted as cancelled for `why`.
    fn cancel_running(&mut self, i: usize, how: Stop, why: &str) {
        self.outcome
            .cancelled
            .push((self.names[i].clone(), true, why.to_owned()));
        self.controls[i].stop(how);
        self.stop_sent[i].get_or_insert_with(Instant::now);
    }

    /// Ends pending task `i` as cancelled for `why`.
    fn cancel_pending(&mut self, i: usize, why: String) {
        self.outcome
            .cancelled
            .push((self.names[i].clone(), false, why.clone()));
        self.end(i, PhaseChange::new(Phase::Cancelled).with_reason(why));
    }

    /// The user interrupted: nothing more starts, everything running is stopped
    /// (SIGINT). Once.
    pub(super) fn interrupt(&mut self) {
        if self.outcome.interrupted {
            return;
        }
        self.outcome.interrupted = true;
        self.halted = true;
        for i in 0..self.n() {
            match self.state[i] {
                State::Pending => self.cancel_pending(i, "interrupted".into()),
                State::Running | State::Ready => {
                    self.cancel_running(i, Stop::Interrupt, "interrupted");
                }
                State::Ended(_) => {}
            }
        }
    }

    /// Starts every pending task whose dependencies allow it, as far as free jobs go
    /// (services take none); ends those a failed dependency cancels, those with
    /// nothing to run, and those up to date.
    pub(super) fn start_what_can(&mut self) {
        if self.halted {
            return;
        }
        let busy = (0..self.n())
            .filter(|&i| self.state[i] == State::Running && !self.services[i])
            .count();
        let mut free = self.options.jobs.max(1).saturating_sub(busy);
        for i in 0..self.n() {
            if self.state[i] == State::Pending {
                self.try_start(i, &mut free);
            }
        }
    }

    /// Pending task `i`'s turn: cancelled, still waiting, ended without running, or
    /// started (taking one of `free` jobs, unless a service).
    fn try_start(&mut self, i: usize, free: &mut usize) {
        let plan = self.plan;
        let after = &plan.nodes[i].after;
        if let Some(&bad) = after.iter().find(|&&a| {
            matches!(
                self.state[a],
                State::Ended(Phase::Failed | Phase::Cancelled)
            )
        }) {
            let why = format!("`{}` did not succeed", self.names[bad]);
            self.cancel_pending(i, why);
            return;
        }
        let blocker = after.iter().find(|&&a| {
            !matches!(
                self.state[a],
                State::Ready | State::Ended(Phase::Done | Phase::UpToDate)
            )
        });
        if let Some(&b) = blocker {
            let why = format!("waiting for {}", self.names[b]);
            self.say_waiting(i, why);
            return;
        }
        self.make_key(i);
        let job = self.jobs[i].as_ref().expect("a pending job is still here");
        if job.commands.is_empty() {
            self.end(i, PhaseChange::new(Phase::Done));
            return;
        }
        // The key is the one judge (issue 75): up to date only when it is the key of
        // the task's last success here (and its outputs are present). Checked once:
        // a task waiting for a free job is not looked at again.
        if self.checked[i].is_none() {
            let key = self.keys[i].as_deref();
            let keyed = !job.cache.as_ref().is_some_and(|c| {
                (c.document.as_ref()).is_some_and(|d| c.recipe.matches_no_source(d))
            });
            self.checked[i] = Some(
                keyed
                    && job
                        .stamp
                        .as_ref()
                        .zip(key)
                        .is_some_and(|(stamp, key)| stamp.check(key)),
            );
        }
        if !self.options.force && self.checked[i] == Some(true) {
            self.end(i, PhaseChange::new(Phase::UpToDate));
            return;
        }
        let service = job.service;
        if !service && *free == 0 {
            self.say_waiting(i, "waiting for a free job".into());
            return;
        }
        if !service {
            *free -= 1;
        }
        self.state[i] = State::Running;
        let job = self.jobs[i].take().expect("taken once");
        self.spawn(i, job);
    }

    /// Task `i`'s key, now that its dependencies have ended: its document made from its
    /// sources as they are and its dependencies' keys (once).
    fn make_key(&mut self, i: usize) {
        let depends = self.plan.nodes[i]
            .after
            .iter()
            .filter_map(|&a| Some((self.keyed[a].clone(), self.keys[a].clone()?)))
            .collect();
        let job = self.jobs[i].as_mut().expect("a pending job is still here");
        // Made once: a task waiting for a free job is looked at again each turn.
        let Some(cache) = job.cache.as_mut().filter(|c| c.document.is_none()) else {
            return;
        };
        let document = cache.recipe.document(depends);
        self.keys[i] = Some(document.key());
        cache.document = Some(document);
    }

    /// Starts task `i`'s worker, or reports why it cannot start. A task that may be
    /// restored gets its starter when it asks (only if it runs a command after all).
    fn spawn(&mut self, i: usize, job: Job) {
        let may_restore = job
            .cache
            .as_ref()
            .is_some_and(|c| c.restore && c.results.is_some());
        let starter = if may_restore {
            Starting::Ask(self.tx.clone())
        } else {
            match self.launch.starter() {
                Ok(starter) => Starting::Given(starter),
                Err(why) => {
                    let _ = self.tx.send(Message::Ended {
                        node: i,
                        phase: Phase::Failed,
                        code: None,
                        reason: Some(why.to_string()),
                        cache: None,
                    });
                    return;
                }
            }
        };
        self.workers.extend(spawn_worker(
            i,
            job,
            starter,
            Arc::clone(&self.sink),
            Arc::clone(&self.controls[i]),
            self.tx.clone(),
        ));
    }

    /// Services alone are left: keep them (`keep_services`), or stop them.
    pub(super) fn stop_lone_services(&mut self) {
        let n = self.n();
        let others_done =
            (0..n).all(|i| self.services[i] || matches!(self.state[i], State::Ended(_)));
        if !others_done || self.options.keep_services {
            return;
        }
        for i in 0..n {
            if self.services[i]
                && matches!(self.state[i], State::Running | State::Ready)
                && self.stop_sent[i].is_none()
            {
                self.controls[i].stop(Stop::Terminate);
                self.stop_sent[i] = Some(Instant::now());
            }
        }
    }

    /// Whether every task has ended.
    pub(super) fn all_ended(&self) -> bool {
        self.state.iter().all(|s| matches!(s, State::Ended(_)))
    }

    /// Waits (at most a tenth of a second) for a worker's news, or for `woken`.
    pub(super) fn next_message(&self, woken: &Receiver<()>) -> Option<Message> {
        crossbeam_channel::select! {
            recv(self.rx) -> m => m.ok(),
            recv(woken) -> _ => None,
            default(Duration::from_millis(100)) => None,
        }
    }

    /// A stop not obeyed within the grace (plus a margin): kills the tree.
    pub(super) fn kill_overdue(&self) {
        for (at, control) in self.stop_sent.iter().zip(&self.controls) {
            if at.is_some_and(|at| at.elapsed() > self.options.grace + Duration::from_secs(2)) {
                control.kill();
            }
        }
    }

    /// A task running longer than its `timeout` since its first command started: stopped
    /// (its tree killed after the grace, as any stop), and failed with the reason, as
    /// mise fails it (`timed out after 30s`).
    pub(super) fn time_out(&mut self) {
        for i in 0..self.n() {
            let Some(limit) = self.timeouts[i] else {
                continue;
            };
            let over = self.controls[i]
                .running_for()
                .is_some_and(|ran| ran > limit);
            if over && self.state[i] == State::Running && self.stop_sent[i].is_none() {
                *failure_reason(&self.controls[i]) =
                    Some(format!("timed out after {}", shown(limit)));
                self.controls[i].stop(Stop::Terminate);
                self.stop_sent[i] = Some(Instant::now());
            }
        }
    }

    /// Takes in a worker's news.
    pub(super) fn handle(&mut self, message: Message) {
        match message {
            // Started here: the guard's parent-death signal follows this thread.
            Message::Starter(reply) => {
                let _ = reply.send(self.launch.starter());
            }
            Message::Ready(i) => {
                if self.state[i] == State::Running {
                    self.state[i] = State::Ready;
                    self.sink.phase(TaskId(i), &PhaseChange::new(Phase::Ready));
                }
            }
            Message::NotReady(i, why) => {
                if matches!(self.state[i], State::Running) && self.stop_sent[i].is_none() {
                    self.controls[i].stop(Stop::Terminate);
                    self.stop_sent[i] = Some(Instant::now());
                    // The worker reports Failed with this reason when it ends.
                    *failure_reason(&self.controls[i]) = Some(why);
                }
            }
            Message::Ended {
                node,
                phase,
                code,
                reason,
                cache,
            } => self.ended(node, phase, code, reason, cache),
        }
    }

    /// Task `i`'s worker reports its end: its terminal phase as the run sees it (a
    /// service that failed its ready check failed; a task we stopped was cancelled, or
    /// done for a service stopped at the end of the run); a failure halts the run
    /// (unless `keep_going`).
    fn ended(
        &mut self,
        i: usize,
        phase: Phase,
        code: Option<i32>,
        reason: Option<String>,
        cache: Option<String>,
    ) {
        let (mut phase, mut code, mut reason) = (phase, code, reason);
        if let Some(why) = failure_reason(&self.controls[i]).take() {
            phase = Phase::Failed;
            reason = Some(why);
            code = None;
        } else if self.stop_sent[i].is_some() && phase == Phase::Failed {
            phase = if self.services[i] && !self.halted {
                Phase::Done
            } else {
                Phase::Cancelled
            };
            if phase == Phase::Done {
                reason = Some("stopped at the end of the run".into());
            }
        }
        if phase == Phase::Failed {
            let why = reason.clone().unwrap_or_else(|| "failed".into());
            if self.outcome.first_failure.is_none() && !self.outcome.interrupted {
                self.outcome.first_failure = Some((self.names[i].clone(), code, why));
            }
            if !self.options.keep_going && !self.halted {
                self.halt_after_failure(i);
            }
        }
        let mut change = PhaseChange::new(phase).with_elapsed(self.started.elapsed());
        if let Some(code) = code {
            change = change.with_exit_code(code);
        }
        if let Some(reason) = reason {
            change = change.with_reason(reason);
        }
        change.cache = cache;
        self.end(i, change);
    }

    /// Task `failed` failed: nothing more starts, and every other running task is
    /// stopped (SIGTERM).
    fn halt_after_failure(&mut self, failed: usize) {
        self.halted = true;
        let cause = format!("`{}` failed", self.names[failed]);
        for j in 0..self.n() {
            match self.state[j] {
                State::Pending => self.cancel_pending(j, cause.clone()),
                State::Running | State::Ready if j != failed => {
                    self.cancel_running(j, Stop::Terminate, &cause);
                }
                _ => {}
            }
        }
    }

    /// The run is over: waits for the workers' threads (so that the sinks they hold,
    /// the board, go with the run's last reference) and the guard, tells the sink the
    /// summary; the outcome.
    pub(super) fn finish(self) -> Outcome {
        let Supervisor {
            sink,
            started,
            state,
            mut outcome,
            workers,
            launch,
            ..
        } = self;
        for worker in workers {
            let _ = worker.join();
        }
        // The guard goes with the run (it exits once the socket closes).
        drop(launch);
        let phases: Vec<Phase> = state
            .iter()
            .map(|s| match s {
                State::Ended(p) => *p,
                _ => Phase::Cancelled,
            })
            .collect();
        let count = |p: Phase| phases.iter().filter(|&&q| q == p).count();
        sink.finished(&RunSummary {
            done: count(Phase::Done),
            up_to_date: count(Phase::UpToDate),
            failed: count(Phase::Failed),
            cancelled: count(Phase::Cancelled),
            interrupted: outcome.interrupted,
            elapsed: started.elapsed(),
        });
        outcome.phases = phases;
        outcome
    }
}

/// A task's `timeout` as said: in seconds (`30s`), or milliseconds when it is not whole
/// seconds (`500ms`).
fn shown(limit: Duration) -> String {
    match limit.subsec_millis() {
        0 => format!("{}s", limit.as_secs()),
        _ => format!("{}ms", limit.as_millis()),
    }
}
