//! `sync_progress` and `task_progress`: the daemon attaches to every live board of the
//! user, read-only and zero-copy with the same [`BoardReader`] the dashboard uses, and
//! pushes each board's tool rows (a sync's) or task rows (a `vx run`'s, read through
//! [`TaskRun`]) to subscribers whenever they change, at most [`MAX_RATE_HZ`] times a
//! second per board.
//!
//! A board's last event is marked final and sent as soon as its sync has ended (its
//! finished flag, its owner gone, or its file removed), whatever the rate: its rows as
//! the sync left them, so no subscriber is left showing a download that is over. A
//! removed board is still mapped here until forgotten, so even then its rows are the
//! last its writers published.
//!
//! The thread sleeps while no subscriber wants progress. Otherwise it wakes on new
//! files in the board directory (file events) and every [`TICK`] while a board is
//! running; with no board running and no file events it looks again every
//! [`IDLE_LOOK`] only, so an idle daemon costs next to nothing.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, select};
use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode, Watcher};
use vx_shm::{Access, BoardReader, SlotError, SlotRead, TaskPhase, TaskRun, now_unix_ms, registry};

use super::protocol::{Event, EventType, TaskProgress, ToolProgress};
use super::subscribers::Subscribers;

/// The poll period while a board is running (also the minimum gap between updates).
pub(crate) const TICK: Duration = Duration::from_millis(100);
/// How often the board directory is listed when nothing runs and no file event came.
pub(crate) const IDLE_LOOK: Duration = Duration::from_secs(2);
/// Most boards followed at once.
pub(crate) const MAX_BOARDS: usize = 64;

/// What a followed board is: a sync's, or a task run's (read with its output).
enum Kind {
    Sync(BoardReader),
    Tasks(TaskRun),
}

/// One board the daemon follows.
struct Followed {
    kind: Kind,
    /// The latest copy of its slots (reused: a poll allocates nothing when idle).
    slots: Vec<SlotRead>,
    /// Each slot's sequence (or a mark for an unreadable slot) when last sent.
    sent: Vec<u64>,
    last_sent: Option<Instant>,
    /// Its sync has ended and its final event is sent: no more polling.
    done: bool,
}

/// Runs the boards thread: until the daemon exits.
pub(super) fn run(subscribers: &Subscribers, dir: &Path, wake: &Receiver<()>) {
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
        if !subscribers.wants(EventType::SyncProgress)
            && !subscribers.wants(EventType::TaskProgress)
        {
            boards.clear();
            if wake.recv().is_err() {
                return;
            }
            continue;
        }
        if !watching && let Some(w) = watcher.as_mut() {
            watching = w.watch(dir, RecursiveMode::NonRecursive).is_ok();
        }
        look(dir, &mut boards, subscribers);
        let now = Instant::now();
        let mut next: Option<Instant> = None;
        for followed in boards.values_mut().filter(|f| !f.done) {
            if let Some(at) = followed.poll(subscribers, now) {
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

/// Follows the live boards in `dir` not followed yet, and forgets those gone or whose
/// owner is (after sending the final event of any whose end was not seen yet). A board
/// whose owner is gone may still be listed: on Windows its file stays while this
/// daemon maps it, so forgetting it is what lets the file go.
fn look(dir: &Path, boards: &mut HashMap<String, Followed>, subscribers: &Subscribers) {
    let Ok(listings) = registry::list(dir) else {
        return;
    };
    boards.retain(|id, followed| {
        let live = listings.iter().any(|l| l.id == *id && l.owner_alive);
        if !live {
            followed.finish(subscribers);
        }
        live
    });
    for listing in listings {
        if boards.len() >= MAX_BOARDS || boards.contains_key(&listing.id) || !listing.owner_alive {
            continue;
        }
        let Ok(reader) = BoardReader::open(&listing.path, Access::ReadOnly) else {
            continue;
        };
        let kind = if reader.is_tasks() {
            match TaskRun::from_board(reader) {
                Ok(run) => Kind::Tasks(run),
                Err(_) => continue,
            }
        } else {
            Kind::Sync(reader)
        };
        boards.insert(
            listing.id,
            Followed {
                kind,
                slots: Vec::new(),
                sent: Vec::new(),
                last_sent: None,
                done: false,
            },
        );
    }
}

impl Followed {
    /// The board underneath.
    fn reader(&self) -> &BoardReader {
        match &self.kind {
            Kind::Sync(reader) => reader,
            Kind::Tasks(run) => run.board(),
        }
    }

    /// Copies the board and sends its rows if they changed and the rate allows, or its
    /// final event if its sync has ended; the time it wants to be polled again early
    /// (an update held back by the rate).
    fn poll(&mut self, subscribers: &Subscribers, now: Instant) -> Option<Instant> {
        // Looked at before the copy: rows written before the end are in the copy.
        if self.reader().is_finished() || !self.reader().owner_alive() {
            self.finish(subscribers);
            return None;
        }
        let reader = match &self.kind {
            Kind::Sync(reader) => reader,
            Kind::Tasks(run) => run.board(),
        };
        reader.snapshot_into(&mut self.slots);
        let seqs: Vec<u64> = self.slots.iter().map(mark).collect();
        if seqs == self.sent {
            return None;
        }
        if let Some(last) = self.last_sent
            && now.duration_since(last) < TICK
        {
            return Some(last + TICK);
        }
        subscribers.broadcast(&self.event(false));
        self.sent = seqs;
        self.last_sent = Some(now);
        None
    }

    /// Sends the board's rows as they are now, marked final, once: its sync has ended
    /// (or its file is gone; the mapping still holds what the writers last wrote).
    fn finish(&mut self, subscribers: &Subscribers) {
        if self.done {
            return;
        }
        let reader = match &self.kind {
            Kind::Sync(reader) => reader,
            Kind::Tasks(run) => run.board(),
        };
        reader.snapshot_into(&mut self.slots);
        subscribers.broadcast(&self.event(true));
        self.done = true;
    }

    /// The board's rows as a `sync_progress` or `task_progress` event, its last if
    /// `is_final`.
    fn event(&self, is_final: bool) -> Event {
        if let Kind::Tasks(run) = &self.kind {
            return task_event(run, is_final);
        }
        let info = self.reader().info();
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
            is_final,
        }
    }
}

/// A task run's rows as a `task_progress` event.
fn task_event(run: &TaskRun, is_final: bool) -> Event {
    let board = run.board();
    let info = board.info();
    let now = now_unix_ms();
    let state = if board.was_interrupted() {
        "interrupted"
    } else if board.is_finished() {
        "finished"
    } else if is_final {
        "dead"
    } else {
        "running"
    };
    let tasks = run
        .tasks()
        .into_iter()
        .map(|task| {
            let phase = match (&task.unreadable, task.phase) {
                (Some(_), _) => "unreadable",
                (None, Some(phase)) => phase.label(),
                (None, None) => "unknown",
            };
            let ran = task.started_unix_ms != 0;
            let end = if task.ended_unix_ms != 0 {
                task.ended_unix_ms
            } else {
                now
            };
            TaskProgress {
                task: task.name,
                phase: phase.to_owned(),
                exit_code: (ran && task.phase.is_some_and(TaskPhase::is_terminal))
                    .then_some(task.exit_code),
                elapsed_ms: ran.then(|| end.saturating_sub(task.started_unix_ms)),
                output_bytes: task.output_bytes,
                message: task.message,
            }
        })
        .collect();
    Event::TaskProgress {
        board: info.id.clone(),
        label: info.label.clone(),
        state: state.to_owned(),
        tasks,
        is_final,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::EventMask;
    use crate::subscribers::Queue;
    use vx_shm::{Board, Phase, ToolEntry};

    /// A subscriber to `sync_progress` only, and its queue.
    fn subscribed() -> (Subscribers, std::sync::Arc<Queue>) {
        let (wake, _) = crossbeam_channel::bounded(1);
        let subscribers = Subscribers::new(wake);
        let (_, queue) = subscribers.add(EventMask::of(&[EventType::SyncProgress]));
        (subscribers, queue)
    }

    /// The events queued so far, as (every tool's phase, final).
    fn received(queue: &Queue) -> Vec<(Vec<String>, bool)> {
        let mut out = Vec::new();
        while queue.len().0 > 0 {
            let line = queue.pop().unwrap().line();
            match serde_json::from_str(&line).unwrap() {
                Event::SyncProgress {
                    tools, is_final, ..
                } => out.push((tools.into_iter().map(|t| t.phase).collect(), is_final)),
                other => panic!("{other:?}"),
            }
        }
        out
    }

    fn board(dir: &Path) -> Board {
        let tools = [
            ToolEntry {
                name: "rg",
                version: "14",
            },
            ToolEntry {
                name: "fd",
                version: "10",
            },
        ];
        Board::create(dir, "/p/vx.toml", &tools).unwrap()
    }

    fn set(board: &Board, index: usize, phase: Phase) {
        board.writer(index).unwrap().update(|r| r.set_phase(phase));
    }

    fn poll_all(boards: &mut HashMap<String, Followed>, subscribers: &Subscribers) {
        for followed in boards.values_mut().filter(|f| !f.done) {
            followed.poll(subscribers, Instant::now());
        }
    }

    #[test]
    fn a_board_removed_before_its_end_was_seen_still_sends_its_last_rows_as_final() {
        let tmp = tempfile::tempdir().unwrap();
        let (subscribers, queue) = subscribed();
        let board = board(tmp.path());
        set(&board, 0, Phase::Downloading);
        let mut boards = HashMap::new();
        look(tmp.path(), &mut boards, &subscribers);
        poll_all(&mut boards, &subscribers);
        assert_eq!(
            received(&queue),
            [(vec!["downloading".into(), "queued".into()], false)]
        );
        // Both tools end and the sync removes its board, all between two looks.
        set(&board, 0, Phase::Completed);
        set(&board, 1, Phase::Failed);
        drop(board);
        look(tmp.path(), &mut boards, &subscribers);
        assert!(boards.is_empty(), "forgotten");
        assert_eq!(
            received(&queue),
            [(vec!["completed".into(), "failed".into()], true)]
        );
    }

    #[test]
    fn a_finished_board_sends_its_final_event_at_once_and_only_once() {
        let tmp = tempfile::tempdir().unwrap();
        let (subscribers, queue) = subscribed();
        let board = board(tmp.path());
        let mut boards = HashMap::new();
        look(tmp.path(), &mut boards, &subscribers);
        poll_all(&mut boards, &subscribers);
        assert_eq!(received(&queue).len(), 1);
        // Within the same tick as the last update: the final event is not held back.
        set(&board, 0, Phase::Completed);
        set(&board, 1, Phase::Completed);
        board.finish(false);
        poll_all(&mut boards, &subscribers);
        assert_eq!(
            received(&queue),
            [(vec!["completed".into(), "completed".into()], true)]
        );
        poll_all(&mut boards, &subscribers);
        drop(board);
        look(tmp.path(), &mut boards, &subscribers);
        assert!(boards.is_empty());
        assert_eq!(received(&queue), [], "nothing after the final event");
    }

    #[test]
    fn a_task_run_is_sent_as_task_progress_to_those_who_asked() {
        let tmp = tempfile::tempdir().unwrap();
        let (wake, _) = crossbeam_channel::bounded(1);
        let subscribers = Subscribers::new(wake);
        let (_, tasks_queue) = subscribers.add(EventMask::of(&[EventType::TaskProgress]));
        let (_, sync_queue) = subscribers.add(EventMask::of(&[EventType::SyncProgress]));
        let run =
            vx_shm::TaskBoard::create(tmp.path(), "/p/vx.toml", &["lint", "dev"], 64).unwrap();
        let mut lint = run.writer(0).unwrap();
        lint.set_phase(TaskPhase::Running);
        lint.output(b"checking\n");
        lint.finish(TaskPhase::Failed, Some(1), "exit status 1");
        run.writer(1).unwrap().set_phase(TaskPhase::Ready);
        let mut boards = HashMap::new();
        look(tmp.path(), &mut boards, &subscribers);
        poll_all(&mut boards, &subscribers);
        run.finish(true);
        poll_all(&mut boards, &subscribers);
        assert_eq!(sync_queue.len().0, 0, "not a sync");
        let mut events = Vec::new();
        while tasks_queue.len().0 > 0 {
            events.push(serde_json::from_str::<Event>(&tasks_queue.pop().unwrap().line()).unwrap());
        }
        let [first, last] = &events[..] else {
            panic!("{events:?}")
        };
        let Event::TaskProgress {
            tasks,
            state,
            is_final,
            ..
        } = first
        else {
            panic!("{first:?}")
        };
        assert_eq!((state.as_str(), *is_final), ("running", false));
        assert_eq!(tasks[0].task, "lint");
        assert_eq!(
            (tasks[0].phase.as_str(), tasks[0].exit_code),
            ("failed", Some(1))
        );
        assert_eq!(tasks[0].output_bytes, 9);
        assert_eq!(
            (tasks[1].phase.as_str(), tasks[1].exit_code),
            ("ready", None)
        );
        let Event::TaskProgress {
            state, is_final, ..
        } = last
        else {
            panic!("{last:?}")
        };
        assert_eq!((state.as_str(), *is_final), ("interrupted", true));
    }
}
