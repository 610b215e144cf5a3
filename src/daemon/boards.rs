//! `sync_progress`: the daemon attaches to every live board of the user, read-only and
//! zero-copy with the same [`BoardReader`] the dashboard uses, and pushes each board's
//! tool rows to subscribers whenever they change, at most [`MAX_RATE_HZ`] times a
//! second per board.
//!
//! The thread sleeps while no subscriber wants progress. Otherwise it wakes on new
//! files in the board directory (file events) and every [`TICK`] while a board is
//! running; with no board running and no file events it looks again every
//! [`IDLE_LOOK`] only, so an idle daemon costs next to nothing.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, select};
use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode, Watcher};
use vx_shm::{Access, BoardReader, SlotError, SlotRead, registry};

use super::protocol::{Event, EventType, ToolProgress};
use super::shared::Shared;

/// Most updates per second per board.
pub const MAX_RATE_HZ: u32 = 10;
/// The poll period while a board is running (also the minimum gap between updates).
pub const TICK: Duration = Duration::from_millis(100);
/// How often the board directory is listed when nothing runs and no file event came.
pub const IDLE_LOOK: Duration = Duration::from_secs(2);
/// Most boards followed at once.
pub const MAX_BOARDS: usize = 64;

/// One board the daemon follows.
struct Followed {
    reader: BoardReader,
    /// The latest copy of its slots (reused: a poll allocates nothing when idle).
    slots: Vec<SlotRead>,
    /// Each slot's sequence (or a mark for an unreadable slot) when last sent.
    sent: Vec<u64>,
    last_sent: Option<Instant>,
    /// Finished or its owner gone, and its last state sent: no more polling.
    done: bool,
}

/// Runs the boards thread: until the daemon exits.
pub(super) fn run(shared: &Arc<Shared>, dir: &Path, wake: &Receiver<()>) {
    let (tx, files) = crossbeam_channel::bounded::<()>(1);
    let handler = move |event: notify::Result<notify::Event>| {
        let read_only = matches!(&event, Ok(e) if matches!(e.kind, EventKind::Access(k) if k != AccessKind::Close(AccessMode::Write)));
        if !read_only {
            let _ = tx.try_send(());
        }
    };
    let mut watcher = notify::recommended_watcher(handler).ok();
    let mut watching = false;
    let mut boards: HashMap<String, Followed> = HashMap::new();
    loop {
        if !shared.subscribers.wants(EventType::SyncProgress) {
            boards.clear();
            if wake.recv().is_err() {
                return;
            }
            continue;
        }
        if !watching && let Some(w) = watcher.as_mut() {
            watching = w.watch(dir, RecursiveMode::NonRecursive).is_ok();
        }
        look(dir, &mut boards);
        let now = Instant::now();
        let mut next: Option<Instant> = None;
        for followed in boards.values_mut().filter(|f| !f.done) {
            if let Some(at) = followed.poll(shared, now) {
                next = Some(next.map_or(at, |n| n.min(at)));
            }
        }
        let running = boards.values().any(|f| !f.done);
        let idle = if watching { IDLE_LOOK } else { TICK };
        let timer = crossbeam_channel::at(next.unwrap_or(now + if running { TICK } else { idle }));
        select! {
            recv(files) -> _ => {}
            recv(wake) -> woken => if woken.is_err() { return },
            recv(timer) -> _ => {}
        }
    }
}

/// Follows the live boards in `dir` not followed yet, and forgets those gone.
fn look(dir: &Path, boards: &mut HashMap<String, Followed>) {
    let Ok(listings) = registry::list(dir) else {
        return;
    };
    boards.retain(|id, _| listings.iter().any(|l| l.id == *id));
    for listing in listings {
        if boards.len() >= MAX_BOARDS || boards.contains_key(&listing.id) || !listing.owner_alive {
            continue;
        }
        let Ok(reader) = BoardReader::open(&listing.path, Access::ReadOnly) else {
            continue;
        };
        boards.insert(
            listing.id,
            Followed {
                reader,
                slots: Vec::new(),
                sent: Vec::new(),
                last_sent: None,
                done: false,
            },
        );
    }
}

impl Followed {
    /// Copies the board and sends its rows if they changed and the rate allows; the
    /// time it wants to be polled again early (an update held back by the rate).
    fn poll(&mut self, shared: &Shared, now: Instant) -> Option<Instant> {
        let ended = self.reader.is_finished() || !self.reader.owner_alive();
        self.reader.snapshot_into(&mut self.slots);
        let seqs: Vec<u64> = self.slots.iter().map(mark).collect();
        if seqs == self.sent {
            self.done = ended;
            return None;
        }
        if let Some(last) = self.last_sent
            && now.duration_since(last) < TICK
        {
            return Some(last + TICK);
        }
        shared.subscribers.broadcast(&self.event());
        self.sent = seqs;
        self.last_sent = Some(now);
        self.done = ended;
        None
    }

    /// The board's rows as a `sync_progress` event.
    fn event(&self) -> Event {
        let info = self.reader.info();
        let tools = self
            .slots
            .iter()
            .enumerate()
            .map(|(index, slot)| match slot {
                Ok(snap) => ToolProgress {
                    tool: snap.record.tool().into_owned(),
                    phase: snap
                        .record
                        .phase()
                        .map_or("unknown", |p| p.label())
                        .to_owned(),
                    bytes_done: snap.record.bytes_done,
                    bytes_total: snap.record.bytes_total(),
                },
                Err(err) => ToolProgress {
                    tool: info
                        .names
                        .get(index)
                        .map(|n| n.tool.clone())
                        .unwrap_or_default(),
                    phase: match err {
                        SlotError::WriterLost { .. } => "lost",
                        SlotError::Busy { .. } => "busy",
                    }
                    .to_owned(),
                    bytes_done: 0,
                    bytes_total: None,
                },
            })
            .collect();
        Event::SyncProgress {
            board: info.id.clone(),
            label: info.label.clone(),
            tools,
        }
    }
}

/// A slot's sequence, or a mark no sequence has (they are even) for an unreadable one.
fn mark(slot: &SlotRead) -> u64 {
    match slot {
        Ok(snap) => snap.seq,
        Err(SlotError::WriterLost { .. }) => 1,
        Err(SlotError::Busy { .. }) => 3,
    }
}
