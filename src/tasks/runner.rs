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
//! Commands start through the run's [`Launch`]: on Unix one guard process for the whole
//! run, started at the first task.

use std::io::Read;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use super::events::{Phase, PhaseChange, PlannedTask, RunSummary, Stream, TaskId, TaskSink};
use super::fresh::Stamp;
pub use super::launch::Launcher;
use super::launch::{Handle, Launch, Starter, Stop};
use super::ready::{Checker, Tail};
use crate::manifest::environment::task::Ready;
use crate::manifest::environment::task_graph::Plan;

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
    /// Its sources' stamp, when it declares `sources`: checked before it starts
    /// (unchanged and outputs present: up to date), recorded after it succeeds.
    pub stamp: Option<Stamp>,
    /// The sources' hash when it started (set by the runner).
    pub hash: Option<String>,
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
    /// The first failure: the task's name, its exit code (if it ran) and why.
    pub first_failure: Option<(String, Option<i32>, String)>,
    /// Whether an interrupt stopped the run.
    pub interrupted: bool,
    /// Tasks stopped because of a failure or an interrupt: (name, whether it was
    /// running, why).
    pub cancelled: Vec<(String, bool, String)>,
}

/// What a worker tells the supervisor.
enum Message {
    Ready(usize),
    NotReady(usize, String),
    Ended {
        node: usize,
        phase: Phase,
        code: Option<i32>,
        reason: Option<String>,
    },
}

/// A running task's handle for the supervisor: how to stop it.
#[derive(Default)]
struct Control {
    /// The stop asked for and the current command, under one lock: a stop and a
    /// command's start see each other, so that the command gets its stop signal once,
    /// from one of them. (Apart, a stop that came as a command started could signal it
    /// twice, from the supervisor and from its worker; a shell runs its trap again for a
    /// second signal that comes while the first one's runs.)
    running: Mutex<Running>,
    /// Why a service failed its ready check, once it did.
    not_ready: Mutex<Option<String>>,
}

/// What [`Control`] guards.
#[derive(Default)]
struct Running {
    /// The first stop asked for, if any: no next command starts.
    stop: Option<Stop>,
    /// The current command's process.
    current: Option<Handle>,
}

impl Control {
    /// Asks the task to stop: no next command, and the polite signal to the current
    /// one (the kill comes from the supervisor after the grace). Only the first ask
    /// counts (a task is signalled once); returns whether this one was it.
    fn stop(&self, how: Stop) -> bool {
        let mut running = lock(&self.running);
        if running.stop.is_some() {
            return false;
        }
        running.stop = Some(how);
        if let Some(current) = &running.current {
            current.stop(how);
        }
        true
    }

    /// Whether a stop was asked for.
    fn stopping(&self) -> bool {
        lock(&self.running).stop.is_some()
    }

    /// Holds the command that just started; a stop asked while it started reaches it
    /// now. Returns whether it did.
    fn attach(&self, handle: Handle) -> bool {
        let mut running = lock(&self.running);
        let stopped = running.stop.inspect(|&how| handle.stop(how)).is_some();
        running.current = Some(handle);
        stopped
    }

    /// The current command has ended.
    fn detach(&self) {
        lock(&self.running).current = None;
    }

    /// Kills the current command's tree, if one runs.
    fn kill(&self) {
        if let Some(current) = &lock(&self.running).current {
            current.kill();
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Pending,
    Running,
    Ready,
    Ended(Phase),
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
            service: job.service,
            depends: node.after.iter().map(|&a| TaskId(a)).collect(),
        })
        .collect();
    sink.plan(&planned);
    let names: Vec<String> = jobs.iter().map(|j| j.name.clone()).collect();
    let services: Vec<bool> = jobs.iter().map(|j| j.service).collect();
    let mut jobs: Vec<Option<Job>> = jobs.into_iter().map(Some).collect();
    let mut state = vec![State::Pending; n];
    let mut waiting_said = vec![false; n];
    let controls: Vec<Arc<Control>> = (0..n).map(|_| Arc::default()).collect();
    let mut stop_sent: Vec<Option<Instant>> = vec![None; n];
    let (tx, rx) = crossbeam_channel::unbounded::<Message>();
    let mut outcome = Outcome {
        phases: Vec::new(),
        first_failure: None,
        interrupted: false,
        cancelled: Vec::new(),
    };
    let mut halted = false; // a failure (without keep_going) or an interrupt
    let mut workers: Vec<std::thread::JoinHandle<()>> = Vec::new();
    // Started here, on the supervising thread, at the first task that runs a command.
    let launch = Launch::new(&options.launcher, options.grace);
    let end = |state: &mut Vec<State>, i: usize, change: PhaseChange| {
        state[i] = State::Ended(change.phase);
        sink.phase(TaskId(i), &change);
    };
    loop {
        // Interrupted: stop everything.
        if interrupt.load(Ordering::Relaxed) && !outcome.interrupted {
            outcome.interrupted = true;
            halted = true;
            for i in 0..n {
                match state[i] {
                    State::Pending => {
                        outcome
                            .cancelled
                            .push((names[i].clone(), false, "interrupted".into()));
                        end(
                            &mut state,
                            i,
                            PhaseChange::new(Phase::Cancelled).with_reason("interrupted"),
                        );
                    }
                    State::Running | State::Ready => {
                        outcome
                            .cancelled
                            .push((names[i].clone(), true, "interrupted".into()));
                        controls[i].stop(Stop::Interrupt);
                        stop_sent[i].get_or_insert_with(Instant::now);
                    }
                    State::Ended(_) => {}
                }
            }
        }
        // Start what can start.
        if !halted {
            let busy = (0..n)
                .filter(|&i| state[i] == State::Running && !services[i])
                .count();
            let mut free = options.jobs.max(1).saturating_sub(busy);
            for i in 0..n {
                if state[i] != State::Pending {
                    continue;
                }
                let after = &plan.nodes[i].after;
                if let Some(&bad) = after
                    .iter()
                    .find(|&&a| matches!(state[a], State::Ended(Phase::Failed | Phase::Cancelled)))
                {
                    let why = format!("`{}` did not succeed", names[bad]);
                    outcome
                        .cancelled
                        .push((names[i].clone(), false, why.clone()));
                    end(
                        &mut state,
                        i,
                        PhaseChange::new(Phase::Cancelled).with_reason(why),
                    );
                    continue;
                }
                let blocker = after.iter().find(|&&a| {
                    !matches!(
                        state[a],
                        State::Ready | State::Ended(Phase::Done | Phase::UpToDate)
                    )
                });
                if let Some(&b) = blocker {
                    if !waiting_said[i] {
                        waiting_said[i] = true;
                        sink.phase(
                            TaskId(i),
                            &PhaseChange::new(Phase::Waiting)
                                .with_reason(format!("waiting for {}", names[b])),
                        );
                    }
                    continue;
                }
                let job = jobs[i].as_ref().expect("a pending job is still here");
                if job.commands.is_empty() {
                    end(&mut state, i, PhaseChange::new(Phase::Done));
                    continue;
                }
                let hash = job.stamp.as_ref().map(Stamp::check);
                if !options.force && hash.as_ref().is_some_and(|(current, _)| *current) {
                    end(&mut state, i, PhaseChange::new(Phase::UpToDate));
                    continue;
                }
                if !job.service && free == 0 {
                    if !waiting_said[i] {
                        waiting_said[i] = true;
                        sink.phase(
                            TaskId(i),
                            &PhaseChange::new(Phase::Waiting).with_reason("waiting for a free job"),
                        );
                    }
                    continue;
                }
                if !job.service {
                    free -= 1;
                }
                state[i] = State::Running;
                let mut job = jobs[i].take().expect("taken once");
                job.hash = hash.map(|(_, h)| h);
                let starter = match launch.starter() {
                    Ok(starter) => starter,
                    Err(why) => {
                        let _ = tx.send(Message::Ended {
                            node: i,
                            phase: Phase::Failed,
                            code: None,
                            reason: Some(why),
                        });
                        continue;
                    }
                };
                workers.extend(spawn_worker(
                    i,
                    job,
                    starter,
                    Arc::clone(&sink),
                    Arc::clone(&controls[i]),
                    tx.clone(),
                ));
            }
        }
        // Services alone are left: keep them, or stop them.
        let others_done = (0..n).all(|i| services[i] || matches!(state[i], State::Ended(_)));
        let live_services: Vec<usize> = (0..n)
            .filter(|&i| services[i] && matches!(state[i], State::Running | State::Ready))
            .collect();
        if others_done && !live_services.is_empty() && !options.keep_services {
            for &i in &live_services {
                if stop_sent[i].is_none() {
                    controls[i].stop(Stop::Terminate);
                    stop_sent[i] = Some(Instant::now());
                }
            }
        }
        if state.iter().all(|s| matches!(s, State::Ended(_))) {
            break;
        }
        // Wait for news.
        let message = crossbeam_channel::select! {
            recv(rx) -> m => m.ok(),
            recv(woken) -> _ => None,
            default(Duration::from_millis(100)) => None,
        };
        // A stop not obeyed within the grace (plus a margin): kill the tree.
        for i in 0..n {
            if let Some(at) = stop_sent[i]
                && at.elapsed() > options.grace + Duration::from_secs(2)
            {
                controls[i].kill();
            }
        }
        let Some(message) = message else { continue };
        match message {
            Message::Ready(i) => {
                if state[i] == State::Running {
                    state[i] = State::Ready;
                    sink.phase(TaskId(i), &PhaseChange::new(Phase::Ready));
                }
            }
            Message::NotReady(i, why) => {
                if matches!(state[i], State::Running) && stop_sent[i].is_none() {
                    controls[i].stop(Stop::Terminate);
                    stop_sent[i] = Some(Instant::now());
                    // The worker reports Failed with this reason when it ends.
                    *not_ready_reason(&controls[i]) = Some(why);
                }
            }
            Message::Ended {
                node: i,
                phase,
                code,
                reason,
            } => {
                let mut phase = phase;
                let mut reason = reason;
                let mut code = code;
                if let Some(why) = not_ready_reason(&controls[i]).take() {
                    phase = Phase::Failed;
                    reason = Some(why);
                    code = None;
                } else if stop_sent[i].is_some() && phase == Phase::Failed {
                    // Stopped by us: cancelled (or, for a service stopped at the end
                    // of the run, done).
                    phase = if services[i] && !halted {
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
                    if outcome.first_failure.is_none() && !outcome.interrupted {
                        outcome.first_failure = Some((names[i].clone(), code, why));
                    }
                    if !options.keep_going && !halted {
                        halted = true;
                        let cause = format!("`{}` failed", names[i]);
                        for j in 0..n {
                            match state[j] {
                                State::Pending => {
                                    outcome.cancelled.push((
                                        names[j].clone(),
                                        false,
                                        cause.clone(),
                                    ));
                                    end(
                                        &mut state,
                                        j,
                                        PhaseChange::new(Phase::Cancelled)
                                            .with_reason(cause.clone()),
                                    );
                                }
                                State::Running | State::Ready if j != i => {
                                    outcome
                                        .cancelled
                                        .push((names[j].clone(), true, cause.clone()));
                                    controls[j].stop(Stop::Terminate);
                                    stop_sent[j].get_or_insert_with(Instant::now);
                                }
                                _ => {}
                            }
                        }
                    }
                }
                let mut change = PhaseChange::new(phase).with_elapsed(started.elapsed());
                if let Some(code) = code {
                    change = change.with_exit_code(code);
                }
                if let Some(reason) = reason {
                    change = change.with_reason(reason);
                }
                end(&mut state, i, change);
            }
        }
    }
    // Every worker has reported its end; wait for their threads too, so that the
    // sinks they hold (the board) are dropped with the run's last reference.
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

/// Where a service's "not ready" reason waits for its end.
fn not_ready_reason(control: &Control) -> std::sync::MutexGuard<'_, Option<String>> {
    lock(&control.not_ready)
}

fn spawn_worker(
    node: usize,
    job: Job,
    starter: Starter,
    sink: Arc<dyn TaskSink>,
    control: Arc<Control>,
    tx: Sender<Message>,
) -> Option<std::thread::JoinHandle<()>> {
    let name = job.name.clone();
    let fail_tx = tx.clone();
    let work = move || {
        let (phase, code, reason) = work(node, job, &starter, &*sink, &control, &tx);
        let _ = tx.send(Message::Ended {
            node,
            phase,
            code,
            reason,
        });
    };
    match std::thread::Builder::new()
        .name(format!("vx-task-{name}"))
        .spawn(work)
    {
        Ok(handle) => Some(handle),
        Err(e) => {
            let _ = fail_tx.send(Message::Ended {
                node,
                phase: Phase::Failed,
                code: None,
                reason: Some(format!("cannot start a thread for it: {e}")),
            });
            None
        }
    }
}

/// Runs one job's commands; returns its terminal phase, exit code and reason.
fn work(
    node: usize,
    mut job: Job,
    starter: &Starter,
    sink: &dyn TaskSink,
    control: &Control,
    tx: &Sender<Message>,
) -> (Phase, Option<i32>, Option<String>) {
    let id = TaskId(node);
    sink.phase(id, &PhaseChange::new(Phase::Starting));
    let tail = Arc::new(Tail::default());
    let count = job.commands.len();
    let mut said_running = false;
    for (index, command) in job.commands.iter_mut().enumerate() {
        if control.stopping() {
            return (Phase::Cancelled, None, Some("stopped".into()));
        }
        let started = match starter.start(command) {
            Ok(started) => started,
            Err(e) => return (Phase::Failed, None, Some(format!("cannot start: {e}"))),
        };
        let pid = started.handle.pid();
        control.attach(started.handle);
        if !said_running {
            said_running = true;
            sink.phase(id, &PhaseChange::new(Phase::Running).with_pid(pid));
        }
        let checker = (job.service && index + 1 == count).then(|| {
            let tx = tx.clone();
            Checker::start(job.ready.clone(), Arc::clone(&tail), move |result| {
                let _ = tx.send(match result {
                    Ok(()) => Message::Ready(node),
                    Err(why) => Message::NotReady(node, why.to_string()),
                });
            })
        });
        let pipes = started.pipes;
        let exit = started.exit;
        let status = std::thread::scope(|scope| {
            for (pipe, stream) in pipes {
                let tail = &*tail;
                let checker = checker.as_ref();
                scope.spawn(move || read_pipe(pipe, stream, id, sink, tail, checker));
            }
            exit.wait()
        });
        drop(checker);
        control.detach();
        let code = match status {
            Ok(code) => code,
            Err(e) => {
                return (
                    Phase::Failed,
                    None,
                    Some(format!("cannot wait for it: {e}")),
                );
            }
        };
        if code != 0 {
            let reason = if count > 1 {
                format!("command {} of {count} exited with status {code}", index + 1)
            } else {
                format!("exit status {code}")
            };
            return (Phase::Failed, Some(code), Some(reason));
        }
    }
    if job.service && !control.stopping() {
        return (Phase::Done, Some(0), Some("the service exited".into()));
    }
    if let (Some(stamp), Some(hash)) = (&job.stamp, &job.hash)
        && let Err(e) = stamp.record(hash)
    {
        crate::note!("vx: cannot record that `{}` is up to date: {e}", job.name);
    }
    (Phase::Done, Some(0), None)
}

/// Reads one output stream to its end: each chunk to the sink, to the tail, and to a
/// log-line ready check.
fn read_pipe(
    mut pipe: Box<dyn Read + Send>,
    stream: Stream,
    id: TaskId,
    sink: &dyn TaskSink,
    tail: &Tail,
    checker: Option<&Checker>,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let chunk = &buf[..n];
                sink.output(id, stream, chunk);
                tail.push(chunk);
                if let Some(checker) = checker {
                    checker.saw(stream, chunk);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sleeper() -> (Handle, super::super::launch::Exit) {
        let mut command = Command::new("sleep");
        command.arg("30");
        let started = Starter::Direct.start(&mut command).expect("sleep starts");
        (started.handle, started.exit)
    }

    /// A stop and a command's start, in either order, signal the command once: the
    /// stop asked while it started is sent when it is attached, a stop asked while it
    /// runs is sent then, and a second ask sends nothing (a shell runs its trap again
    /// for a second signal that comes while the first one's runs).
    #[test]
    fn a_task_is_signalled_once_whatever_the_order_of_stop_and_start() {
        let control = Control::default();
        assert!(control.stop(Stop::Terminate), "the first ask counts");
        let (handle, exit) = sleeper();
        assert!(control.attach(handle), "a stop asked before the start");
        assert!(
            !control.stop(Stop::Interrupt),
            "a second ask signals nothing"
        );
        assert_eq!(exit.wait().unwrap(), 128 + 15, "SIGTERM, the first ask's");
        control.detach();

        let control = Control::default();
        let (handle, exit) = sleeper();
        assert!(!control.attach(handle), "no stop yet");
        assert!(!control.stopping());
        assert!(control.stop(Stop::Interrupt));
        assert!(control.stopping());
        assert!(
            !control.stop(Stop::Terminate),
            "a second ask signals nothing"
        );
        assert_eq!(exit.wait().unwrap(), 128 + 2, "SIGINT, the first ask's");
    }
}
