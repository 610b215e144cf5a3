//! Spawning `vx install --from-parent` children, and settling their end.
//!
//! Each child is the current executable at the root of a process tree of its own
//! ([`Tree`]: a process group on Unix, a Job Object on Windows), so a Ctrl-C at the
//! terminal reaches only the parent, which relays it as cancel requests, and a kill
//! reaches anything the child started. Its config goes as one frame on stdin (then
//! closed), stdout discarded and stderr captured into a bounded ring. A small thread
//! waits for each child and sends its exit on a channel, so the supervisor reacts to
//! an exit at once instead of polling.

use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

use crossbeam_channel::Sender;
use std::time::{Duration, Instant};

use vx_shm::{Board, Phase};

use std::io::Write;

use crate::child::board_sink::record_terminal;
use crate::config_frame::{FrameError, InstallConfig, encode_frame};
use crate::install::{Outcome, Terminal};
use crate::platform::process::{Tree, describe_status, status_code};
use crate::sync::stderr_ring::StderrTail;

/// How long a child's waiter thread waits, once the child exited, for its stderr to
/// reach its end (a grandchild that keeps it open is not waited for longer).
const STDERR_SETTLE: Duration = Duration::from_millis(500);

/// A running child.
pub struct Running {
    /// Its slot.
    pub index: usize,
    /// Its process id.
    pid: u32,
    /// Its process tree.
    tree: Tree,
    /// Its stderr, being captured.
    pub stderr: StderrTail,
    /// Its tool and whole version, as its config names them: its stderr lines start
    /// with them (the slot may show a long version cut, `docs/LAYOUT.md`).
    pub name: (String, String),
    /// When the parent first saw the slot in a terminal state while the child ran.
    terminal_seen: Option<Instant>,
}

/// Why a child could not be started.
#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    /// The config cannot travel as a frame (checked before any process starts).
    #[error(transparent)]
    Config(#[from] FrameError),
    /// The process could not be started.
    #[error("cannot start its installer: {0}")]
    Process(#[from] std::io::Error),
}

impl SpawnError {
    /// The slot's exit code: a bad config's, as if the child had refused it.
    pub fn code(&self) -> i32 {
        match self {
            SpawnError::Config(_) => crate::config_frame::EXIT_BAD_CONFIG,
            SpawnError::Process(_) => 1,
        }
    }
}

/// A child that exited, as its waiter thread reports it.
#[derive(Debug)]
pub struct Exit {
    /// Its slot.
    pub index: usize,
    /// How it ended (an error only if waiting itself failed).
    pub status: std::io::Result<ExitStatus>,
}

/// Stack of a waiter thread: it only calls `wait` and sends one message.
const WAITER_STACK: usize = 64 * 1024;

/// Spawns the child for `cfg`, hands it its config, and starts the thread that sends
/// its [`Exit`] on `exits`. The frame is encoded first, so a config that cannot be sent
/// fails here with its own reason instead of a child that reads nothing.
pub fn spawn(exe: &Path, cfg: &InstallConfig, exits: &Sender<Exit>) -> Result<Running, SpawnError> {
    let frame = encode_frame(cfg)?;
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
        let _ = stdin.write_all(&frame);
    }
    let index = cfg.slot as usize;
    let pid = child.id();
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
        pid,
        tree,
        stderr,
        name: (cfg.spec.name.clone(), cfg.spec.version.clone()),
        terminal_seen: None,
    })
}

impl Running {
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Kills the child's process tree if its slot has been terminal for `linger`
    /// while it still runs: the outcome is published, the process is stuck.
    pub fn kill_if_lingering(&mut self, board: &Board, linger: Duration) {
        let terminal = board
            .reader()
            .read_slot(self.index)
            .and_then(Result::ok)
            .and_then(|snap| snap.record.phase())
            .is_some_and(Phase::is_terminal);
        if !terminal {
            return;
        }
        let seen = *self.terminal_seen.get_or_insert_with(Instant::now);
        if seen.elapsed() >= linger {
            self.kill_tree();
        }
    }

    /// Kills the child's whole process tree.
    pub fn kill_tree(&self) {
        self.tree.kill();
    }
}

/// What the parent did when a child ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settled {
    /// The slot.
    pub index: usize,
    /// The child's stderr tail.
    pub stderr: Vec<String>,
    /// Its tool and whole version ([`Running::name`]).
    pub name: (String, String),
    /// Whether the parent had to publish the slot's terminal state itself.
    pub took_over: bool,
    /// The full reason of a failure: the child's own last word on stderr, or the
    /// parent's account of a child that died without one.
    pub reason: Option<String>,
}

/// Settles a child that exited: if its slot holds no terminal state (crash, SIGKILL,
/// panic, or a child that never got going), the parent publishes one — Failed with the
/// exit status or signal and the stderr tail's last line, or Cancelled when the sync
/// was interrupted — so every tool ends with exactly one terminal state.
pub fn settle(
    board: &Board,
    running: &mut Running,
    status: ExitStatus,
    interrupted: bool,
) -> Settled {
    let index = running.index;
    // The waiter thread waited for the end of stderr (bounded) before reporting.
    let stderr = running.stderr.settle();
    let snap = board.reader().read_slot(index).and_then(Result::ok);
    let terminal = snap
        .as_ref()
        .and_then(|snap| snap.record.phase())
        .is_some_and(Phase::is_terminal);
    let took_over = !terminal;
    // Its lines name the whole version, which the slot may show cut.
    let (tool, version) = &running.name;
    let mut reason = snap.and_then(|_| crate::report::reasons::from_stderr(&stderr, tool, version));
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
    Settled {
        index,
        stderr,
        name: running.name.clone(),
        took_over,
        reason,
    }
}

/// Publishes a terminal state into slot `index` as the board's creator (only for slots
/// no child writes).
pub fn publish_terminal(board: &Board, index: usize, phase: Phase, message: &str, code: i32) {
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
pub fn publish_cached(board: &Board, index: usize, outcome: &Outcome) {
    if let Ok(mut writer) = board.writer(index) {
        let terminal = Terminal::of(&Ok(outcome.clone()));
        writer.update(|record| {
            record.started_unix_ms = vx_shm::now_unix_ms();
            record.attempt = 1;
            record_terminal(record, &terminal, Some(outcome), 0);
        });
    }
}
