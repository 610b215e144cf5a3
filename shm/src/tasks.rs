//! Task runs on the board: a `vx run` creates a [`TaskBoard`] — a board flagged
//! [`BOARD_TASKS`] with one slot per task (its phase, exit code and times, through the
//! same seqlock as an install's progress) and a sibling output segment with one
//! bounded ring per task (`output.rs`). Other processes open it as a [`TaskRun`]: `vx
//! ps`, `vx logs`, `vx board watch`, the daemon.
//!
//! In a task slot the record's fields mean: `tool` the task's name (cut to 32 bytes;
//! the ring holds it whole), `phase` a [`TaskPhase`] code, `exit_code` the exit status,
//! `started_unix_ms` when its process started, `updated_unix_ms` the last phase change,
//! `bytes_done` when it ended (ms since the Unix epoch, 0 before) and, before that,
//! while a kept result is restored in place of running it, the bytes restored of
//! `bytes_total` (all ones otherwise), `message` a short reason (why it failed or was
//! cancelled, what it restores). `docs/LAYOUT.md` has the table.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::board::{RemoveOnDrop, new_session_id};
use crate::error::{Error, Result};
use crate::layout::{BOARD_TASKS, MAX_SLOTS, RING_NAME_CAPACITY, SlotRecord, UNKNOWN_TOTAL};
use crate::output::{OutputSegment, sibling_path};
use crate::registry::id_of;
use crate::{Access, Board, BoardReader, ProcessId, SlotError, SlotWriter, TaskPhase, now_unix_ms};

/// Default bytes of output kept per task: its last 256 KiB.
pub const DEFAULT_RING_CAPACITY: usize = 256 << 10;

/// A task run's board, created by the process that runs the tasks. It removes both of
/// its segments when dropped (the board first, so no reader finds a board without its
/// output), including during a panic's unwinding.
pub struct TaskBoard {
    board: Board,
    output: Arc<OutputSegment>,
    output_path: PathBuf,
    // Declared after `output`: unmapped, then removed, then the lock let go.
    _remove_output: RemoveOnDrop,
    _output_lock: File,
}

impl TaskBoard {
    /// Creates a task board in `dir` labelled `label` with a slot and a ring of
    /// `ring_capacity` bytes (a power of two, 64 B to 16 MiB) per task, every task
    /// Queued. Names must be unique, 1 to 184 bytes.
    pub fn create(
        dir: &Path,
        label: &str,
        tasks: &[&str],
        ring_capacity: usize,
    ) -> Result<TaskBoard> {
        validate_names(tasks)?;
        let session_id = new_session_id(dir)?;
        let (output, output_lock, remove_output) =
            OutputSegment::create(dir, session_id, tasks, ring_capacity)?;
        let records: Vec<SlotRecord> = tasks.iter().map(|name| queued(name)).collect();
        let board = Board::create_with(dir, label, &records, BOARD_TASKS, session_id)?;
        Ok(TaskBoard {
            board,
            output: Arc::new(output),
            output_path: remove_output.0.clone(),
            _remove_output: remove_output,
            _output_lock: output_lock,
        })
    }

    /// The board's id.
    pub fn id(&self) -> &str {
        self.board.id()
    }

    /// The board segment's path.
    pub fn path(&self) -> &Path {
        self.board.path()
    }

    /// The output segment's path.
    pub fn output_path(&self) -> &Path {
        &self.output_path
    }

    /// The board underneath (to read it as any board).
    pub fn board(&self) -> &Board {
        &self.board
    }

    /// The writer of task `index`'s slot and ring. One writer per task at a time: a
    /// second would interleave its ring bytes with the first's.
    pub fn writer(&self, index: usize) -> Result<TaskWriter> {
        let slot = self.board.writer(index)?;
        Ok(TaskWriter {
            slot,
            output: Arc::clone(&self.output),
            index,
        })
    }

    /// Marks the run finished (and interrupted, if it was).
    pub fn finish(&self, interrupted: bool) {
        self.board.finish(interrupted);
    }

    /// Keeps the run as it stands in `dir`, an ordinary directory: its output segment
    /// copied, then its board as a dump, under their own names (output first, so a
    /// reader never finds the board without its output), each written atomically and
    /// private. [`TaskRun::open`] of the returned path reads it as a dead run, after
    /// this board is gone. For `vx logs` after a run ended.
    pub fn keep_in(&self, dir: &Path) -> Result<PathBuf> {
        let id = self.board.id();
        let output = dir.join(crate::output::output_name(id));
        crate::board::write_sparse_atomically(
            &output,
            self.output.len(),
            &self.output.used_parts(),
        )?;
        let board = dir.join(format!("{}{id}", crate::registry::BOARD_PREFIX));
        self.board.reader().dump_to(&board)?;
        Ok(board)
    }
}

/// Publishes one task's phase and output. Every call is a handful of stores into the
/// shared mappings: no syscall, no lock, no allocation, never a wait on a reader.
pub struct TaskWriter {
    slot: SlotWriter,
    output: Arc<OutputSegment>,
    index: usize,
}

impl TaskWriter {
    /// The task's slot (and ring) index.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Publishes `phase`, stamping the start time on the first of Starting or
    /// Running, and the end time on a terminal phase.
    pub fn set_phase(&mut self, phase: TaskPhase) {
        let now = now_unix_ms();
        self.slot.update(|record| {
            record.phase = phase.code();
            record.phases_seen |= phase.seen_bit();
            if matches!(phase, TaskPhase::Starting | TaskPhase::Running)
                && record.started_unix_ms == 0
            {
                record.started_unix_ms = now;
            }
            if phase.is_terminal() {
                record.bytes_done = now;
            }
        });
    }

    /// Publishes the task's outcome: `phase` (terminal), its exit status if it had one,
    /// and a short reason. Closes its ring: write the output first.
    pub fn finish(&mut self, phase: TaskPhase, exit_code: Option<i32>, message: &str) {
        self.slot.record_mut().exit_code = exit_code.unwrap_or(0);
        // A restore's bytes are over: `bytes_done` becomes the end time.
        self.slot.record_mut().bytes_total = UNKNOWN_TOTAL;
        self.slot.record_mut().set_message(message);
        self.set_phase(phase);
        if let Some(ring) = self.output.ring(self.index) {
            ring.close();
        }
    }

    /// Publishes a restore's progress (a kept result fetched or unpacked in place of
    /// running the task, before its terminal phase): `done` bytes of `total`, and
    /// `message` (`fetching from …`, `restoring`).
    pub fn set_restore(&mut self, done: u64, total: u64, message: &str) {
        let total = total.min(UNKNOWN_TOTAL - 1);
        self.slot.update(|record| {
            record.bytes_done = done.min(total);
            record.bytes_total = total;
            record.set_message(message);
        });
    }

    /// Sets the short message (why it waits, what it is ready on) and publishes it.
    pub fn set_message(&mut self, message: &str) {
        self.slot.update(|record| record.set_message(message));
    }

    /// Appends a chunk of the task's output to its ring. Of a chunk larger than the
    /// ring only its tail is kept.
    #[inline]
    pub fn output(&mut self, bytes: &[u8]) {
        if let Some(ring) = self.output.ring(self.index) {
            ring.append(bytes);
        }
    }

    /// Whether a reader asked this task to cancel.
    pub fn cancel_requested(&self) -> bool {
        self.slot.cancel_requested()
    }
}

fn queued(name: &str) -> SlotRecord {
    let mut record = SlotRecord::queued(name, "");
    record.phase = TaskPhase::Queued.code();
    record.bytes_total = UNKNOWN_TOTAL;
    record
}

fn validate_names(tasks: &[&str]) -> Result<()> {
    let invalid = |problem: String| Err(Error::InvalidTools(problem));
    if tasks.len() > MAX_SLOTS {
        return invalid(format!(
            "{} tasks is over the limit of {MAX_SLOTS}",
            tasks.len()
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for name in tasks {
        if name.is_empty() || name.len() > RING_NAME_CAPACITY {
            return invalid(format!(
                "task name {name:?} must be 1 to {RING_NAME_CAPACITY} bytes"
            ));
        }
        if !seen.insert(*name) {
            return invalid(format!("task {name:?} is listed twice"));
        }
    }
    Ok(())
}

/// One task of a run as a reader sees it now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskState {
    /// Slot and ring index.
    pub index: usize,
    /// The task's full name (from its ring; the slot's cut name without one).
    pub name: String,
    /// Its phase; `None` when the slot holds no task phase (corrupt) or cannot be read.
    pub phase: Option<TaskPhase>,
    /// Why the slot could not be read, if it could not (its writer died mid-write).
    pub unreadable: Option<SlotError>,
    /// Exit status (meaningful once terminal).
    pub exit_code: i32,
    /// When its process started (ms since the Unix epoch), 0 before.
    pub started_unix_ms: u64,
    /// When it ended, 0 before.
    pub ended_unix_ms: u64,
    /// The short message.
    pub message: String,
    /// Bytes of output written so far (the ring's head).
    pub output_bytes: u64,
    /// Whether a cancel was requested.
    pub cancel_requested: bool,
    /// While a kept result is fetched or restored in place of running the task
    /// (its message says which): bytes done and bytes in all.
    pub restore: Option<(u64, u64)>,
}

/// What one [`TaskRun::read_output`] produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputRead {
    /// Bytes between the position asked for and the first byte returned that the ring
    /// no longer held: the reader fell behind (or started late) by this much.
    pub lost: u64,
    /// Where the next read starts.
    pub next: u64,
    /// Whether the task's output has ended and every byte up to `next` was read: a
    /// follower stops here.
    pub ended: bool,
}

/// A task run opened by another process: its board and output, read in place.
pub struct TaskRun {
    board: BoardReader,
    output: OutputSegment,
    output_path: PathBuf,
}

impl TaskRun {
    /// Opens the task run whose board is at `path` (and its output beside it). A board
    /// that is not a task run's is an error, as is an output that does not belong to it.
    pub fn open(path: &Path) -> Result<TaskRun> {
        let board = BoardReader::open(path, Access::ReadOnly)?;
        TaskRun::from_board(board)
    }

    /// [`TaskRun::open`] over a board already opened.
    pub fn from_board(board: BoardReader) -> Result<TaskRun> {
        if !board.is_tasks() {
            return Err(Error::NotTasks {
                path: board.path().into(),
            });
        }
        let info = board.info();
        let output_path = sibling_path(board.path(), &info.id);
        let session_id = session_id_of(&info.id);
        let output = OutputSegment::open(&output_path, &session_id)?;
        if output.rings() != board.slot_count() {
            return Err(Error::CorruptHeader {
                path: output_path,
                problem: format!("{} rings for {} tasks", output.rings(), board.slot_count()),
            });
        }
        Ok(TaskRun {
            board,
            output,
            output_path,
        })
    }

    /// The board underneath.
    pub fn board(&self) -> &BoardReader {
        &self.board
    }

    /// The output segment's path.
    pub fn output_path(&self) -> &Path {
        &self.output_path
    }

    /// Bytes of output each task keeps.
    pub fn ring_capacity(&self) -> usize {
        self.output.capacity()
    }

    /// Whether the `vx run` that owns the run still runs (a lock it holds; a syscall or
    /// two). A run whose owner died without finishing is dead: nothing will change.
    pub fn owner_alive(&self) -> bool {
        self.board.owner_alive()
    }

    /// Number of tasks.
    pub fn task_count(&self) -> usize {
        self.board.slot_count()
    }

    /// Every task, in slot order.
    pub fn tasks(&self) -> Vec<TaskState> {
        (0..self.task_count())
            .filter_map(|i| self.task(i))
            .collect()
    }

    /// Task `index`, `None` past the last.
    pub fn task(&self, index: usize) -> Option<TaskState> {
        let read = self.board.read_slot(index)?;
        let ring = self.output.ring(index)?;
        let output_bytes = ring.read(u64::MAX, 0, &mut Vec::new()).head;
        let name = self
            .output
            .name(index)
            .filter(|n| !n.is_empty())
            .or_else(|| self.board.info().names.get(index).map(|n| n.tool.clone()))
            .unwrap_or_default();
        Some(match read {
            Ok(snap) => {
                let phase = TaskPhase::from_code(snap.record.phase);
                let ended = phase.is_some_and(TaskPhase::is_terminal);
                // Before its end a task's bytes are a restore's (when it has a total);
                // once it ended, `bytes_done` is when.
                let restore = (!ended && snap.record.bytes_total != UNKNOWN_TOTAL)
                    .then_some((snap.record.bytes_done, snap.record.bytes_total));
                TaskState {
                    index,
                    name,
                    phase,
                    unreadable: None,
                    exit_code: snap.record.exit_code,
                    started_unix_ms: snap.record.started_unix_ms,
                    ended_unix_ms: if ended { snap.record.bytes_done } else { 0 },
                    message: snap.record.message().into_owned(),
                    output_bytes,
                    cancel_requested: snap.cancel_requested,
                    restore,
                }
            }
            Err(error) => TaskState {
                index,
                name,
                phase: None,
                unreadable: Some(error),
                exit_code: 0,
                started_unix_ms: 0,
                ended_unix_ms: 0,
                message: String::new(),
                output_bytes,
                cancel_requested: false,
                restore: None,
            },
        })
    }

    /// The index of the task named `name` (its full name).
    pub fn find(&self, name: &str) -> Option<usize> {
        (0..self.task_count()).find(|&i| self.output.name(i).as_deref() == Some(name))
    }

    /// Copies up to `max` bytes of task `index`'s output from position `from` (0: the
    /// oldest byte the ring still holds) into `out`. Never blocks, never waits for the
    /// writer; bytes overwritten before they could be copied are counted in `lost`.
    pub fn read_output(
        &self,
        index: usize,
        from: u64,
        max: usize,
        out: &mut Vec<u8>,
    ) -> Option<OutputRead> {
        let ring = self.output.ring(index)?;
        // Closed first: once closed the head stops, so a read reaching it is the end.
        let closed = ring.closed();
        let outcome = ring.read(from, max, out);
        Some(OutputRead {
            lost: outcome.lost,
            next: outcome.next,
            ended: closed && outcome.next >= outcome.head,
        })
    }

    /// The writer of the run's slots, as the board records it (the `vx run` process).
    pub fn creator(&self) -> ProcessId {
        self.board.info().creator
    }
}

/// The session id a board id spells (32 hex digits; anything else gives zeros, which
/// no output segment holds).
fn session_id_of(id: &str) -> [u8; 16] {
    let mut bytes = [0u8; 16];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = id
            .get(2 * i..2 * i + 2)
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            .unwrap_or(0);
    }
    debug_assert!(id.len() != 32 || id_of(&bytes) == id);
    bytes
}
