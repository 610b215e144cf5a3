//! A started task's side of the run: its worker thread runs the task's commands in
//! order (each through the run's [`Starter`]), a reader thread per output stream passes
//! every chunk on, and its [`Control`] is how the supervisor stops it.

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;

use super::super::cache::streams::Log;
use super::super::cache::{
    Document, Lookup, Recipe, Results, Source, miss_reason, remember, short,
};
use super::super::events::{Phase, PhaseChange, RestoreProgress, Stream, TaskId, TaskSink};
use super::super::launch::{GuardError, Handle, Starter, Stop};
use super::super::ready::{Checker, Tail};
use crate::runner::ledger::{Claim, Held, LedgerError};
use std::process::Command;

use vx_model::task::Ready;

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
    /// Why the supervisor stopped it as a failure, once it did: a service's failed
    /// ready check, a task over its `timeout`.
    failed_because: Mutex<Option<String>>,
}

/// What [`Control`] guards.
#[derive(Default)]
struct Running {
    /// The first stop asked for, if any: no next command starts.
    stop: Option<Stop>,
    /// The current command's process.
    current: Option<Handle>,
    /// When its first command started.
    started: Option<Instant>,
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
        running.started.get_or_insert_with(Instant::now);
        stopped
    }

    /// How long since its first command started, while one of its commands runs (none
    /// before the first, between two, and once the last ended: what is left then is
    /// vx's, keeping its result).
    pub(super) fn running_for(&self) -> Option<Duration> {
        let running = lock(&self.running);
        running
            .current
            .as_ref()
            .and(running.started)
            .map(|at| at.elapsed())
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

/// Where the reason the supervisor stopped a task as a failure (a service not ready,
/// a task over its `timeout`) waits for its end.
pub(super) fn failure_reason(control: &Control) -> std::sync::MutexGuard<'_, Option<String>> {
    lock(&control.failed_because)
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

/// Most bytes of a task's output kept as its result's log (as kept: each chunk's
/// stream and length included).
const MAX_LOG: usize = 4 << 20;

/// Runs one job's commands, or restores its result; returns its terminal phase, exit
/// code and reason, and what the results cache did into `said`.
fn work(
    node: usize,
    job: Job,
    starting: &Starting,
    sink: &dyn TaskSink,
    control: &Control,
    tx: &Sender<Message>,
    said: &mut Vec<String>,
) -> Ending {
    let id = TaskId(node);
    sink.phase(id, &PhaseChange::new(Phase::Starting));
    // Once in the run: a `vx run` that started this one (or one it started) may have
    // run it, or be running it now (issue 79, item 7).
    let held = match claim(id, &job, sink, control, said) {
        Ok(held) => held,
        Err(end) => return end,
    };
    let ended = work_claimed(node, job, starting, sink, control, tx, said);
    if let (Some(held), (Phase::Done, _, _)) = (held, &ended) {
        held.succeeded();
    }
    ended
}

/// Claims `job`'s entry in the run's ledger: the lock to hold while it runs (`None`
/// without an entry), or how it ends (it already ran in this run; it runs itself).
fn claim(
    id: TaskId,
    job: &Job,
    sink: &dyn TaskSink,
    control: &Control,
    said: &mut Vec<String>,
) -> Result<Option<Held>, Ending> {
    let Some(entry) = &job.once else {
        return Ok(None);
    };
    let waiting = || {
        sink.phase(
            id,
            &PhaseChange::new(Phase::Waiting).with_reason(WAITING_FOR_THIS_RUN.to_owned()),
        );
    };
    match entry.claim(&|| control.stopping(), &waiting) {
        Ok(Claim::Done) => Err((
            Phase::Done,
            Some(0),
            Some("already ran in this run".to_owned()),
        )),
        Ok(Claim::Ours(held, waited)) => {
            if waited {
                said.push("waited for the vx run that ran it first in this run".into());
            }
            Ok(Some(held))
        }
        Ok(Claim::Unrecorded) => Ok(None),
        Err(e @ LedgerError::Stopped { .. }) => Err((Phase::Cancelled, None, Some(e.to_string()))),
        Err(e @ LedgerError::Itself { .. }) => Err((Phase::Failed, None, Some(e.to_string()))),
    }
}

/// Why a task waits while a `vx run` of this run (the one that started this one) runs it.
const WAITING_FOR_THIS_RUN: &str = "waiting for the vx run that started this one to run it";

/// [`work`] once the task is this run's to run.
fn work_claimed(
    node: usize,
    mut job: Job,
    starting: &Starting,
    sink: &dyn TaskSink,
    control: &Control,
    tx: &Sender<Message>,
    said: &mut Vec<String>,
) -> Ending {
    let id = TaskId(node);
    let key = job
        .cache
        .as_ref()
        .and_then(|c| c.document.as_ref())
        .map(Document::key);
    // Sources that matched no file key nothing of the task's own: it runs, and its
    // result is neither restored, kept nor recorded as up to date.
    let unkeyed = job.cache.as_ref().and_then(|c| {
        let document = c.document.as_ref()?;
        c.recipe
            .matches_no_source(document)
            .then(|| c.recipe.no_source_note())
    });
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
                if waited && unkeyed.is_none() && key.as_deref().is_some_and(|key| stamp.check(key))
                {
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
    let cached = job
        .cache
        .as_ref()
        .filter(|_| unkeyed.is_none())
        .and_then(|cache| {
            Some((
                cache.results.as_deref()?,
                cache.document.as_ref()?,
                &cache.recipe,
                cache.restore,
            ))
        });
    if let Some(cached @ (_, _, _, true)) = cached
        && let Some(end) = restored(id, &job, cached, sink, said)
    {
        return end;
    }
    let starter = match starting.get() {
        Ok(starter) => starter,
        Err(why) => return (Phase::Failed, None, Some(why)),
    };
    let starter = &starter;
    let log = cached.map(|_| Mutex::new(Log::new(MAX_LOG)));
    let service = job.service.then_some(&job.ready);
    // Its `dir` is looked for now, once what it waits for has run (and may have made it).
    if let Some(dir) = job.commands.iter().find_map(crate::command::missing_dir) {
        let why = format!("its dir {} is not a directory", dir.display());
        return (Phase::Failed, None, Some(why));
    }
    if let Err(end) = run_commands(
        node,
        &mut job.commands,
        service,
        starter,
        sink,
        control,
        tx,
        log.as_ref(),
    ) {
        return end;
    }
    if job.service && !control.stopping() {
        return (Phase::Done, Some(0), Some("the service exited".into()));
    }
    match unkeyed {
        Some(note) => said.push(note),
        None => keep(&job, key.as_deref(), cached, log, said),
    }
    (Phase::Done, Some(0), None)
}

/// How a job ended: its terminal phase, exit code and reason.
type Ending = (Phase, Option<i32>, Option<String>);

/// What the results cache holds for a job: the results, the key's document, the recipe
/// and whether to restore.
type Cached<'a> = (&'a Results, &'a Document, &'a Recipe, bool);

/// The job's result restored from the cache (a hit ends the job), or why not into
/// `said`.
fn restored(
    id: TaskId,
    job: &Job,
    cached: Cached<'_>,
    sink: &dyn TaskSink,
    said: &mut Vec<String>,
) -> Option<Ending> {
    let (results, document, recipe, _) = cached;
    let key = document.key();
    let progress = |progress: RestoreProgress| sink.restore(id, &progress);
    match results.restore(&key, &recipe.project, &recipe.outputs, &progress) {
        Lookup::Hit(restored) => {
            if !restored.log.is_empty() {
                let mut log = super::super::cache::log::local(&restored.log, &recipe.project);
                // A log from a registry (now, or kept here before) is text from outside.
                if !restored
                    .entry
                    .as_ref()
                    .is_some_and(|entry| entry.made_here())
                {
                    log = super::super::cache::log::made_safe(&log);
                }
                // Each chunk to the stream it came from, in order, as a run shows it.
                for chunk in log.chunks() {
                    sink.output(id, chunk.stream, &chunk.bytes);
                }
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
                if crate::cache::outputs::Outputs::of(&recipe.outputs)
                    .roots
                    .is_empty()
                {
                    "log only, "
                } else {
                    ""
                },
                short(&key),
                restored.elapsed.as_secs_f64()
            ));
            said.extend(results.not_pushed(&restored));
            return Some((Phase::Done, Some(0), None));
        }
        Lookup::Miss(lines) => {
            said.extend(lines);
            said.extend(miss_reason(&recipe.project, &job.name, document));
        }
    }
    None
}

/// Runs the job's commands one after the other, its output read into the sink (and
/// `log`); the first that cannot start or fails ends the job.
#[allow(clippy::too_many_arguments)]
fn run_commands(
    node: usize,
    commands: &mut [Command],
    service: Option<&Option<Ready>>,
    starter: &Starter,
    sink: &dyn TaskSink,
    control: &Control,
    tx: &Sender<Message>,
    log: Option<&Mutex<Log>>,
) -> Result<(), Ending> {
    let id = TaskId(node);
    let tail = Arc::new(Tail::default());
    let count = commands.len();
    let mut said_running = false;
    for (index, command) in commands.iter_mut().enumerate() {
        if control.stopping() {
            return Err((Phase::Cancelled, None, Some("stopped".into())));
        }
        let started = match starter.start(command) {
            Ok(started) => started,
            Err(e) => return Err((Phase::Failed, None, Some(format!("cannot start: {e}")))),
        };
        let pid = started.handle.pid();
        control.attach(started.handle);
        if !said_running {
            said_running = true;
            sink.phase(id, &PhaseChange::new(Phase::Running).with_pid(pid));
        }
        let checker = service.filter(|_| index + 1 == count).map(|ready| {
            let tx = tx.clone();
            Checker::start(
                ready.clone(),
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
                scope.spawn(move || read_pipe(pipe, stream, id, sink, tail, checker, log));
            }
            exit.wait()
        });
        drop(checker);
        control.detach();
        let code = match status {
            Ok(code) => code,
            Err(e) => {
                return Err((
                    Phase::Failed,
                    None,
                    Some(format!("cannot wait for it: {e}")),
                ));
            }
        };
        if code != 0 {
            let reason = if count > 1 {
                format!("command {} of {count} exited with status {code}", index + 1)
            } else {
                format!("exit status {code}")
            };
            return Err((Phase::Failed, Some(code), Some(reason)));
        }
    }
    Ok(())
}

/// A job that ran to success: its key recorded as up to date, and its result kept
/// when the cache takes it.
fn keep(
    job: &Job,
    key: Option<&str>,
    cached: Option<Cached<'_>>,
    log: Option<Mutex<Log>>,
    said: &mut Vec<String>,
) {
    if let (Some(stamp), Some(key)) = (&job.stamp, key)
        && let Err(e) = stamp.record(key)
    {
        // Said with the task's end (`vx: `NAME` …`, and in its `--json` event): the
        // next run runs it again.
        said.push(format!("ran, but is not recorded as up to date: {e}"));
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
fn take_turn(stamp: &crate::runner::fresh::Stamp, control: &Control, waiting: &dyn Fn()) -> Turn {
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

/// Reads one output stream to its end: each chunk to the sink, to the tail, to the
/// log (with its stream) and to a log-line ready check. The log is held while the sink
/// takes a chunk, so the log keeps the two streams' chunks in the order the run showed
/// them, which is the order a restore shows them in.
fn read_pipe(
    mut pipe: Box<dyn Read + Send>,
    stream: Stream,
    id: TaskId,
    sink: &dyn TaskSink,
    tail: &Tail,
    checker: Option<&Checker>,
    log: Option<&Mutex<Log>>,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let chunk = &buf[..n];
                match log {
                    Some(log) => {
                        let mut log = lock(log);
                        sink.output(id, stream, chunk);
                        log.push(stream, chunk);
                    }
                    None => sink.output(id, stream, chunk),
                }
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
        // A run holds SIGINT with a handler (`vx_base::signals::Interrupt`), so its
        // tasks start with SIGINT at its default action even when vx itself was
        // started with it ignored (a script's background job, `vx run dev &`). This
        // process holds it as a run does: a test harness started in the background
        // handed `sleep` an ignored SIGINT, and it slept its 30 s.
        let _run = vx_base::signals::Interrupt::register().expect("SIGINT held");
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
