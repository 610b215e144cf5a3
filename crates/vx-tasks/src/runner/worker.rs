//! A started task's side of the run: its worker thread runs the task's commands in
//! order (each through the run's [`Starter`]), a reader thread per output stream passes
//! every chunk on, and its [`Control`] is how the supervisor stops it.

use std::io::Read;
use std::sync::{Arc, Mutex};

use crossbeam_channel::Sender;

use super::super::cache::{Document, Lookup, Source, miss_reason, remember, short};
use super::super::events::{Phase, PhaseChange, RestoreProgress, Stream, TaskId, TaskSink};
use super::super::launch::{GuardError, Handle, Starter, Stop};
use super::super::ready::{Checker, Tail};
use super::{Job, lock};

/// What a worker tells the supervisor.
pub(super) enum Message {
    /// The task needs the run's [`Starter`]: the supervisor answers on the channel
    /// (starting the guard, on its own thread, if nothing started it yet).
    Starter(Sender<Result<Starter, GuardError>>),
    Ready(usize),
    NotReady(usize, String),
    Ended {
        node: usize,
        phase: Phase,
        code: Option<i32>,
        reason: Option<String>,
        cache: Option<String>,
    },
}

/// A running task's handle for the supervisor: how to stop it.
#[derive(Default)]
pub(super) struct Control {
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
    pub(super) fn stop(&self, how: Stop) -> bool {
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
    pub(super) fn stopping(&self) -> bool {
        lock(&self.running).stop.is_some()
    }

    /// Holds the command that just started; a stop asked while it started reaches it
    /// now. Returns whether it did.
    pub(super) fn attach(&self, handle: Handle) -> bool {
        let mut running = lock(&self.running);
        let stopped = running.stop.inspect(|&how| handle.stop(how)).is_some();
        running.current = Some(handle);
        stopped
    }

    /// The current command has ended.
    pub(super) fn detach(&self) {
        lock(&self.running).current = None;
    }

    /// Kills the current command's tree, if one runs.
    pub(super) fn kill(&self) {
        if let Some(current) = &lock(&self.running).current {
            current.kill();
        }
    }
}

/// How a worker gets the run's [`Starter`]: given, or asked of the supervisor once
/// the task turns out to run a command. A task that may be restored asks: a run whose
/// every task is restored never starts the guard process (issue 67).
pub(super) enum Starting {
    /// The starter, ready.
    Given(Starter),
    /// Ask the supervisor through this channel.
    Ask(Sender<Message>),
}

impl Starting {
    /// The starter, or why there is none.
    fn get(&self) -> Result<Starter, String> {
        match self {
            Starting::Given(starter) => Ok(starter.clone()),
            Starting::Ask(tx) => {
                let (reply, answer) = crossbeam_channel::bounded(1);
                tx.send(Message::Starter(reply))
                    .map_err(|_| "the run is over".to_owned())?;
                answer
                    .recv()
                    .map_err(|_| "the run is over".to_owned())?
                    .map_err(|e| e.to_string())
            }
        }
    }
}

/// Where a service's "not ready" reason waits for its end.
pub(super) fn not_ready_reason(control: &Control) -> std::sync::MutexGuard<'_, Option<String>> {
    lock(&control.not_ready)
}

pub(super) fn spawn_worker(
    node: usize,
    job: Job,
    starter: Starting,
    sink: Arc<dyn TaskSink>,
    control: Arc<Control>,
    tx: Sender<Message>,
) -> Option<std::thread::JoinHandle<()>> {
    let name = job.name.clone();
    let fail_tx = tx.clone();
    let work = move || {
        let mut said = Vec::new();
        // A panic in the task's worker fails the task (and so the run), never leaves
        // the supervisor waiting for an end that does not come.
        let worked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            work(node, job, &starter, &*sink, &control, &tx, &mut said)
        }));
        let (phase, code, reason) = worked.unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            (
                Phase::Failed,
                None,
                Some(format!("vx failed while running it: {what}")),
            )
        });
        let _ = tx.send(Message::Ended {
            node,
            phase,
            code,
            reason,
            cache: (!said.is_empty()).then(|| said.join("; ")),
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
                cache: None,
            });
            None
        }
    }
}

/// Most bytes of a task's output kept as its result's log.
const MAX_LOG: usize = 4 << 20;

/// Runs one job's commands, or restores its result; returns its terminal phase, exit
/// code and reason, and what the results cache did into `said`.
fn work(
    node: usize,
    mut job: Job,
    starting: &Starting,
    sink: &dyn TaskSink,
    control: &Control,
    tx: &Sender<Message>,
    said: &mut Vec<String>,
) -> (Phase, Option<i32>, Option<String>) {
    let id = TaskId(node);
    sink.phase(id, &PhaseChange::new(Phase::Starting));
    let key = job
        .cache
        .as_ref()
        .and_then(|c| c.document.as_ref())
        .map(Document::key);
    // Another run of this task in this project (a second terminal, a watcher) holds
    // its turn: wait for it, then its result may be this one's (issue 78).
    let _turn = match &job.stamp {
        Some(stamp) => match take_turn(stamp, control, &|| {
            sink.phase(
                id,
                &PhaseChange::new(Phase::Waiting).with_reason(WAITING_FOR_ANOTHER_RUN.to_owned()),
            );
        }) {
            Turn::Ours(file, waited) => {
                if waited {
                    said.push("waited for another run of it in this project".into());
                }
                if waited && key.as_deref().is_some_and(|key| stamp.check(key)) {
                    return (
                        Phase::UpToDate,
                        None,
                        Some("another run made it meanwhile".into()),
                    );
                }
                file
            }
            Turn::Stopped => return (Phase::Cancelled, None, Some("stopped".into())),
        },
        None => None,
    };
    let cached = job.cache.as_ref().and_then(|cache| {
        Some((
            cache.results.as_ref()?,
            cache.document.as_ref()?,
            &cache.recipe,
            cache.restore,
        ))
    });
    if let Some((results, document, recipe, true)) = cached {
        let key = document.key();
        let progress = |progress: RestoreProgress| sink.restore(id, &progress);
        match results.restore(&key, &recipe.project, &recipe.outputs, &progress) {
            Lookup::Hit(restored) => {
                if !restored.log.is_empty() {
                    let log = super::super::cache::log::local(&restored.log, &recipe.project);
                    sink.output(id, Stream::Stdout, &log);
                }
                if let Some(stamp) = &job.stamp {
                    let _ = stamp.record(&key);
                }
                remember(&recipe.project, &job.name, document);
                said.push(format!(
                    "restored{} ({}key {}, {:.2} s)",
                    match restored.source {
                        Source::Local => "",
                        Source::Remote => " from the registry",
                    },
                    if recipe.outputs.is_empty() {
                        "log only, "
                    } else {
                        ""
                    },
                    short(&key),
                    restored.elapsed.as_secs_f64()
                ));
                said.extend(results.not_pushed(&restored));
                return (Phase::Done, Some(0), None);
            }
            Lookup::Miss(lines) => {
                said.extend(lines);
                said.extend(miss_reason(&recipe.project, &job.name, document));
            }
        }
    }
    let starter = match starting.get() {
        Ok(starter) => starter,
        Err(why) => return (Phase::Failed, None, Some(why)),
    };
    let starter = &starter;
    let log = cached.map(|_| Mutex::new(Vec::new()));
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
            Checker::start(
                job.ready.clone(),
                Arc::clone(&tail),
                starter.clone(),
                move |result| {
                    let _ = tx.send(match result {
                        Ok(()) => Message::Ready(node),
                        Err(why) => Message::NotReady(node, why.to_string()),
                    });
                },
            )
        });
        let pipes = started.pipes;
        let exit = started.exit;
        let status = std::thread::scope(|scope| {
            for (pipe, stream) in pipes {
                let tail = &*tail;
                let checker = checker.as_ref();
                let log = log.as_ref();
                scope.spawn(move || read_pipe(pipe, stream, id, sink, tail, checker, log));
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
    if let (Some(stamp), Some(key)) = (&job.stamp, &key)
        && let Err(e) = stamp.record(key)
    {
        vx_base::note!("vx: cannot record that `{}` is up to date: {e}", job.name);
    }
    if let Some((results, document, recipe, _)) = cached {
        let log = log.map(|l| l.into_inner().unwrap_or_else(|e| e.into_inner()));
        let log = super::super::cache::log::portable(&log.unwrap_or_default(), &recipe.project);
        said.extend(results.save(
            &document.key(),
            &job.name,
            document,
            &recipe.project,
            &recipe.outputs,
            &log,
        ));
        remember(&recipe.project, &job.name, document);
    }
    (Phase::Done, Some(0), None)
}

/// A task's turn, as [`take_turn`] ends.
enum Turn {
    /// Ours: the lock (none when it cannot be had at all: the run goes on without
    /// it) and whether we waited for another run.
    Ours(Option<std::fs::File>, bool),
    /// The run was stopped while waiting.
    Stopped,
}

/// Why a task waits while another run of it holds its turn.
const WAITING_FOR_ANOTHER_RUN: &str = "waiting for another run of it in this project";

/// Takes `stamp`'s turn, waiting (and calling `waiting` once) while another run holds
/// it; gives up when the run is stopped.
fn take_turn(stamp: &super::super::fresh::Stamp, control: &Control, waiting: &dyn Fn()) -> Turn {
    let mut waited = false;
    loop {
        match stamp.try_turn() {
            Ok(Some(file)) => return Turn::Ours(Some(file), waited),
            Ok(None) => {}
            Err(_) => return Turn::Ours(None, waited),
        }
        if control.stopping() {
            return Turn::Stopped;
        }
        if !waited {
            waited = true;
            waiting();
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
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
    log: Option<&Mutex<Vec<u8>>>,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let chunk = &buf[..n];
                sink.output(id, stream, chunk);
                tail.push(chunk);
                if let Some(log) = log {
                    let mut log = lock(log);
                    let room = MAX_LOG.saturating_sub(log.len());
                    log.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                if let Some(checker) = checker {
                    checker.saw(stream, chunk);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::process::Command;

    fn sleeper() -> (Handle, super::super::super::launch::Exit) {
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
