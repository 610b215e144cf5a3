//! Spawning `vx install --from-parent` children, and settling their end.
//!
//! Each child is the current executable at the root of a process tree of its own
//! ([`Tree`]: a process group on Unix, a Job Object on Windows), so a Ctrl-C at the
//! terminal reaches only the parent, which relays it as cancel requests, and a kill
//! reaches anything the child started. It installs one tool or a batch of small ones
//! ([`Job`]s, one slot each): their configs go as one frame each on stdin (then
//! closed; each but the last announces the next), stdout discarded and stderr captured into a bounded ring. A small thread
//! waits for each child and sends its exit on a channel, so the supervisor reacts to
//! an exit at once instead of polling.

use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

use crossbeam_channel::Sender;
use std::time::{Duration, Instant};

use vx_shm::{Board, Phase};

use std::io::Write;

use crate::stderr_ring::StderrTail;
use vx_base::platform::process::{Tree, describe_status, status_code};
use vx_engine::child::board_sink::record_terminal;
use vx_engine::install::{Outcome, Terminal};
use vx_model::config_frame::{FrameError, InstallConfig, encode_frame};

/// How long a child's waiter thread waits, once the child exited, for its stderr to
/// reach its end (a grandchild that keeps it open is not waited for longer).
const STDERR_SETTLE: Duration = Duration::from_millis(500);

/// One tool for a child: its slot, its name and its config frame, encoded before any
/// process starts so a config that cannot be sent fails alone, with its own reason.
pub(crate) struct Job {
    /// Its slot.
    pub index: usize,
    /// Its tool and whole version, as its config names them: its stderr lines start
    /// with them (the slot may show a long version cut, `docs/LAYOUT.md`).
    name: (String, String),
    /// Its config frame.
    frame: Vec<u8>,
}

impl Job {
    /// The job of `cfg`, or why its config cannot travel as a frame.
    pub(crate) fn new(cfg: &InstallConfig) -> Result<Job, SpawnError> {
        Ok(Job {
            index: cfg.slot as usize,
            name: (cfg.spec.name.clone(), cfg.spec.version.clone()),
            frame: encode_frame(cfg)?,
        })
    }
}

/// A running child.
pub(crate) struct Running {
    /// Its first slot: the key of its [`Exit`].
    pub index: usize,
    /// Each of its tools' slot and tool name and whole version ([`Job`]), in the order
    /// it installs them: one, or a batch.
    pub slots: Vec<(usize, (String, String))>,
    /// Its process tree.
    tree: Tree,
    /// Its stderr, being captured.
    pub stderr: StderrTail,
    /// When the parent first saw all its slots in a terminal state while it ran.
    terminal_seen: Option<Instant>,
}

/// Why a child could not be started.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SpawnError {
    /// The config cannot travel as a frame (checked before any process starts).
    #[error(transparent)]
    Config(#[from] FrameError),
    /// The process could not be started.
    #[error("cannot start its installer: {0}")]
    Process(#[from] std::io::Error),
}

impl SpawnError {
    /// The slot's exit code: a bad config's, as if the child had refused it.
    pub(crate) fn code(&self) -> i32 {
        match self {
            SpawnError::Config(_) => vx_model::config_frame::EXIT_BAD_CONFIG,
            SpawnError::Process(_) => 1,
        }
    }
}

/// A child that exited, as its waiter thread reports it.
#[derive(Debug)]
pub(crate) struct Exit {
    /// Its first slot ([`Running::index`]).
    pub index: usize,
    /// How it ended (an error only if waiting itself failed).
    pub status: std::io::Result<ExitStatus>,
}

/// Stack of a waiter thread: it only calls `wait` and sends one message.
const WAITER_STACK: usize = 64 * 1024;

/// Spawns the child for `jobs` (at least one; at most
/// [`vx_model::config_frame::MAX_FRAMES`]), hands it their frames, and starts the thread
/// that sends its [`Exit`] on `exits`.
pub(crate) fn spawn(
    exe: &Path,
    jobs: Vec<Job>,
    exits: &Sender<Exit>,
) -> Result<Running, SpawnError> {
    let index = jobs.first().map_or(0, |job| job.index);
    let frames = vx_model::config_frame::batch(jobs.iter().map(|job| job.frame.as_slice()));
    let slots: Vec<_> = jobs.into_iter().map(|job| (job.index, job.name)).collect();
    let mut command = Command::new(exe);
    command
        .args(["install", "--from-parent"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // The child waits for its frame before it does anything: it is in its tree by then.
    let (mut child, tree) = Tree::spawn(&mut command)?;
    let stderr = StderrTail::capture(child.stderr.take().expect("stderr is piped"));
    if let Some(mut stdin) = child.stdin.take() {
        // A child that died before reading is settled from its exit status; a write
        // error here tells nothing more.
        let _ = stdin.write_all(&frames);
    }
    let exits = exits.clone();
    let stderr_end = stderr.end();
    let waiter = std::thread::Builder::new()
        .name("vx-wait".into())
        .stack_size(WAITER_STACK)
        .spawn(move || {
            let status = child.wait();
            // The child's last words are read before its exit is reported, so the
            // event loop settles it without waiting.
            stderr_end.wait(STDERR_SETTLE);
            let _ = exits.send(Exit { index, status });
        });
    if let Err(err) = waiter {
        // The child was moved into the closure that never ran: it is dropped, not
        // reaped. Stop it; its zombie goes with the parent.
        tree.kill();
        return Err(SpawnError::Process(err));
    }
    Ok(Running {
        index,
        slots,
        tree,
        stderr,
        terminal_seen: None,
    })
}

impl Running {
    /// Kills the child's process tree if all its slots have been terminal for `linger`
    /// while it still runs: the outcomes are published, the process is stuck.
    pub(crate) fn kill_if_lingering(&mut self, board: &Board, linger: Duration) {
        let reader = board.reader();
        let terminal = self.slots.iter().all(|(index, _)| {
            reader
                .read_slot(*index)
                .and_then(Result::ok)
                .and_then(|snap| snap.record.phase())
                .is_some_and(Phase::is_terminal)
        });
        if !terminal {
            return;
        }
        let seen = *self.terminal_seen.get_or_insert_with(Instant::now);
        if seen.elapsed() >= linger {
            self.kill_tree();
        }
    }

    /// Kills the child's whole process tree.
    pub(crate) fn kill_tree(&self) {
        self.tree.kill();
    }
}

/// What the parent did when a child ended, for one of its tools.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Settled {
    /// The slot.
    pub index: usize,
    /// The child's stderr tail: of a batch, the lines of this tool and those naming
    /// none of the batch.
    pub stderr: Vec<String>,
    /// Its tool and whole version ([`Job`]).
    pub name: (String, String),
    /// Whether the parent had to publish the slot's terminal state itself.
    pub took_over: bool,
    /// The full reason of a failure: the child's own last word on stderr, or the
    /// parent's account of a child that died without one.
    pub reason: Option<String>,
}

/// What the parent did when a child ended: each tool settled, and the tools of a batch
/// the child never started, to run again, each in a child of its own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Ended {
    /// The tools settled, in the child's order.
    pub settled: Vec<Settled>,
    /// The slots to run again.
    pub rerun: Vec<usize>,
}

/// Settles a child that exited, tool by tool. A slot holding a terminal state keeps
/// it. A slot that holds none (crash, SIGKILL, panic, or a child that never got going):
/// of a batch, a tool the child never started (its slot untouched, Queued) is run again
/// in a child of its own, so one tool's crash costs no other tool; otherwise the parent
/// publishes a terminal state — Failed with the exit status or signal and the stderr
/// tail's last line, or Cancelled when the sync was interrupted — so every tool ends
/// with exactly one terminal state.
pub(crate) fn settle(
    board: &Board,
    running: &mut Running,
    status: ExitStatus,
    interrupted: bool,
) -> Ended {
    // The waiter thread waited for the end of stderr (bounded) before reporting.
    let stderr = running.stderr.settle();
    let batch = running.slots.len() > 1;
    let mut ended = Ended::default();
    for (index, name) in &running.slots {
        let index = *index;
        let snap = board.reader().read_slot(index).and_then(Result::ok);
        let terminal = snap
            .as_ref()
            .and_then(|snap| snap.record.phase())
            .is_some_and(Phase::is_terminal);
        if batch && !interrupted && snap.as_ref().is_some_and(|snap| untouched(&snap.record)) {
            ended.rerun.push(index);
            continue;
        }
        let stderr = if batch {
            lines_of(&stderr, name, &running.slots)
        } else {
            stderr.clone()
        };
        let took_over = !terminal;
        // Its lines name the whole version, which the slot may show cut.
        let (tool, version) = name;
        let mut reason =
            snap.and_then(|_| crate::report::reasons::from_stderr(&stderr, tool, version));
        if took_over {
            let (phase, mut message) = if interrupted {
                (
                    Phase::Cancelled,
                    format!("interrupted; child {}", describe_status(status)),
                )
            } else {
                (Phase::Failed, format!("child {}", describe_status(status)))
            };
            if let Some(last) = stderr
                .iter()
                .rev()
                .map(|l| l.trim())
                .find(|l| !l.is_empty())
            {
                message.push_str(": ");
                message.push_str(last);
            }
            let code = if interrupted {
                130
            } else {
                status_code(status)
            };
            publish_terminal(board, index, phase, &message, code);
            reason = Some(message);
        }
        ended.settled.push(Settled {
            index,
            stderr,
            name: name.clone(),
            took_over,
            reason,
        });
    }
    ended
}

/// Whether a child never started the tool of `record`: Queued, never stamped.
fn untouched(record: &vx_shm::SlotRecord) -> bool {
    record.phase() == Some(Phase::Queued) && record.attempt == 0 && record.started_unix_ms == 0
}

/// The lines of a batch child's `stderr` that concern `own`: all but those starting
/// with another tool's reason, retry or notice prefix
/// ([`vx_model::config_frame::reason_prefix`]).
fn lines_of(
    stderr: &[String],
    own: &(String, String),
    batch: &[(usize, (String, String))],
) -> Vec<String> {
    let others: Vec<String> = batch
        .iter()
        .map(|(_, name)| name)
        .filter(|name| *name != own)
        .flat_map(|(tool, version)| {
            [
                vx_model::config_frame::reason_prefix(tool, version),
                vx_model::config_frame::retry_prefix(tool, version),
                vx_model::config_frame::notice_prefix(tool, version),
            ]
        })
        .collect();
    stderr
        .iter()
        .filter(|line| {
            !others
                .iter()
                .any(|prefix| line.starts_with(prefix.as_str()))
        })
        .cloned()
        .collect()
}

/// Publishes a terminal state into slot `index` as the board's creator (only for slots
/// no child writes).
pub(crate) fn publish_terminal(
    board: &Board,
    index: usize,
    phase: Phase,
    message: &str,
    code: i32,
) {
    if let Ok(mut writer) = board.writer(index) {
        writer.update(|record| {
            record.set_phase(phase);
            record.set_message(message);
            record.exit_code = code;
        });
    }
}

/// Records in slot `index` that its tool was found installed (a receipt matching the
/// config), as a child would have, without starting one.
pub(crate) fn publish_cached(board: &Board, index: usize, outcome: &Outcome) {
    if let Ok(mut writer) = board.writer(index) {
        let terminal = Terminal::of(&Ok(outcome.clone()));
        writer.update(|record| {
            record.started_unix_ms = vx_shm::now_unix_ms();
            record.attempt = 1;
            record_terminal(record, &terminal, Some(outcome), 0);
        });
    }
}
