//! Subscribers and their queues: every event is encoded once and handed to each
//! subscriber that wants it through a bounded queue, so a subscriber that reads slowly
//! (or never) costs at most its queue and never holds up the others or the daemon.
//!
//! A push into a full queue drops the event and counts it; the count goes out as one
//! `lagged{dropped}` event in the place of the events it stands for (after those that
//! were queued before, before those queued after).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use crossbeam_channel::Sender;

use super::protocol::{Event, EventMask, EventType, encode};

/// Most events one subscriber's queue holds.
pub(crate) const QUEUE_EVENTS: usize = 512;
/// Most bytes of encoded events one subscriber's queue holds (a 300-tool
/// `sync_progress` is about 25 KiB). A single event larger than this still goes
/// into an empty queue.
pub(crate) const QUEUE_BYTES: usize = 256 * 1024;

/// What a subscriber's writer takes from its queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Out {
    /// An encoded event line.
    Line(Arc<str>),
    /// This many events were dropped here: send `lagged{dropped}`.
    Lagged(u64),
}

impl Out {
    /// The line to write.
    pub(crate) fn line(&self) -> Arc<str> {
        match self {
            Out::Line(line) => Arc::clone(line),
            Out::Lagged(dropped) => encode(&Event::Lagged { dropped: *dropped }).into(),
        }
    }
}

/// One subscriber's bounded queue, between the daemon's event sources (which never
/// wait on it) and the subscriber's writer thread (which waits for events).
#[derive(Debug)]
pub(crate) struct Queue {
    state: Mutex<State>,
    ready: Condvar,
    max_events: usize,
    max_bytes: usize,
}

#[derive(Debug, Default)]
struct State {
    items: VecDeque<Out>,
    /// Events among the items (the rest are lag markers).
    events: usize,
    bytes: usize,
    closed: bool,
    dropped: u64,
}

impl Queue {
    /// A queue of at most `max_events` events and `max_bytes` bytes.
    pub(crate) fn new(max_events: usize, max_bytes: usize) -> Queue {
        Queue {
            state: Mutex::new(State::default()),
            ready: Condvar::new(),
            max_events: max_events.max(1),
            max_bytes,
        }
    }

    /// Queues `line`, or drops it (counted) when the queue is full; never waits.
    /// Returns whether it was queued.
    pub(crate) fn push(&self, line: &Arc<str>) -> bool {
        let Ok(mut state) = self.state.lock() else {
            return false;
        };
        if state.closed {
            return false;
        }
        let full = state.events >= self.max_events
            || (!state.items.is_empty() && state.bytes + line.len() > self.max_bytes);
        if full {
            state.dropped += 1;
            // The last item may already stand for dropped events: count this one in.
            // Otherwise a new marker goes after the queued events (a marker is added
            // only behind an event, so markers never outnumber events).
            match state.items.back_mut() {
                Some(Out::Lagged(n)) => *n += 1,
                _ => state.items.push_back(Out::Lagged(1)),
            }
            return false;
        }
        state.bytes += line.len();
        state.events += 1;
        state.items.push_back(Out::Line(Arc::clone(line)));
        drop(state);
        self.ready.notify_one();
        true
    }

    /// The next item, waiting for one; `None` once the queue is closed.
    pub(crate) fn pop(&self) -> Option<Out> {
        let mut state = self.state.lock().ok()?;
        loop {
            if state.closed {
                return None;
            }
            if let Some(item) = state.items.pop_front() {
                if let Out::Line(line) = &item {
                    state.bytes -= line.len();
                    state.events -= 1;
                }
                return Some(item);
            }
            state = self.ready.wait(state).ok()?;
        }
    }

    /// Closes the queue: pushes are refused and the writer's [`Queue::pop`] returns.
    pub(crate) fn close(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.closed = true;
            state.items.clear();
            state.events = 0;
            state.bytes = 0;
        }
        self.ready.notify_all();
    }

    /// Events dropped so far.
    #[cfg(test)]
    pub(crate) fn dropped(&self) -> u64 {
        self.state.lock().map_or(0, |s| s.dropped)
    }

    /// Items (events and lag markers) queued now, and the events' bytes.
    #[cfg(test)]
    pub(crate) fn len(&self) -> (usize, usize) {
        self.state
            .lock()
            .map_or((0, 0), |s| (s.items.len(), s.bytes))
    }
}

struct Entry {
    id: u64,
    mask: EventMask,
    queue: Arc<Queue>,
}

/// Every subscription of the daemon.
pub(crate) struct Subscribers {
    entries: Mutex<Vec<Entry>>,
    next_id: AtomicU64,
    /// Told when a subscription for `sync_progress` starts (the boards thread sleeps
    /// while no one wants progress).
    wake: Sender<()>,
}

impl Subscribers {
    /// No subscribers yet; `wake` gets a message when one wants `sync_progress`.
    pub(crate) fn new(wake: Sender<()>) -> Subscribers {
        Subscribers {
            entries: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
            wake,
        }
    }

    /// Adds a subscriber to the events of `mask`; its id and queue.
    pub(crate) fn add(&self, mask: EventMask) -> (u64, Arc<Queue>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let queue = Arc::new(Queue::new(QUEUE_EVENTS, QUEUE_BYTES));
        if let Ok(mut entries) = self.entries.lock() {
            entries.push(Entry {
                id,
                mask,
                queue: Arc::clone(&queue),
            });
        }
        if mask.has(EventType::SyncProgress) || mask.has(EventType::TaskProgress) {
            let _ = self.wake.try_send(());
        }
        (id, queue)
    }

    /// Changes what subscriber `id` receives.
    pub(crate) fn set_mask(&self, id: u64, mask: EventMask) {
        if let Ok(mut entries) = self.entries.lock()
            && let Some(entry) = entries.iter_mut().find(|e| e.id == id)
        {
            entry.mask = mask;
        }
        if mask.has(EventType::SyncProgress) || mask.has(EventType::TaskProgress) {
            let _ = self.wake.try_send(());
        }
    }

    /// Removes subscriber `id` and closes its queue.
    pub(crate) fn remove(&self, id: u64) {
        if let Ok(mut entries) = self.entries.lock()
            && let Some(at) = entries.iter().position(|e| e.id == id)
        {
            entries.swap_remove(at).queue.close();
        }
    }

    /// Hands `event` to every subscriber that wants it, encoded once; never waits.
    pub(crate) fn broadcast(&self, event: &Event) {
        let Ok(entries) = self.entries.lock() else {
            return;
        };
        let mut line: Option<Arc<str>> = None;
        for entry in entries.iter().filter(|e| e.mask.wants(event)) {
            let line = line.get_or_insert_with(|| encode(event).into());
            entry.queue.push(line);
        }
    }

    /// Whether any subscriber wants events of `kind`.
    pub(crate) fn wants(&self, kind: EventType) -> bool {
        self.entries
            .lock()
            .is_ok_and(|entries| entries.iter().any(|e| e.mask.has(kind)))
    }

    /// How many subscribers there are.
    #[cfg(test)]
    pub(crate) fn count(&self) -> usize {
        self.entries.lock().map_or(0, |entries| entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> Arc<str> {
        Arc::from(text)
    }

    fn drain(queue: &Queue) -> Vec<Out> {
        let mut out = Vec::new();
        while queue.len().0 > 0 {
            out.extend(queue.pop());
        }
        out
    }

    #[test]
    fn a_full_queue_drops_and_reports_the_count_in_place() {
        let queue = Queue::new(3, 1 << 20);
        for i in 0..3 {
            assert!(queue.push(&line(&format!("e{i}"))));
        }
        for i in 3..8 {
            assert!(!queue.push(&line(&format!("e{i}"))), "full: dropped");
        }
        assert_eq!(queue.len().0, 4, "three events and one marker");
        assert_eq!(queue.dropped(), 5);
        assert_eq!(queue.pop(), Some(Out::Line(line("e0"))));
        // Room again: the next event goes after the marker.
        assert!(queue.push(&line("e8")));
        assert_eq!(
            drain(&queue),
            [
                Out::Line(line("e1")),
                Out::Line(line("e2")),
                Out::Lagged(5),
                Out::Line(line("e8"))
            ]
        );
        assert_eq!(
            &*Out::Lagged(5).line(),
            "{\"type\":\"lagged\",\"dropped\":5}\n"
        );
    }

    #[test]
    fn the_queue_never_holds_more_than_its_cap_and_a_marker_for_each() {
        let queue = Queue::new(4, 1 << 20);
        let mut dropped = 0;
        for round in 0..50 {
            for i in 0..(round % 7) {
                if !queue.push(&line(&format!("{round}.{i}"))) {
                    dropped += 1;
                }
                assert!(queue.len().0 <= 9);
            }
            for _ in 0..(round % 3) {
                if queue.len().0 > 0 {
                    queue.pop();
                }
            }
        }
        let markers: u64 = drain(&queue)
            .iter()
            .filter_map(|o| match o {
                Out::Lagged(n) => Some(*n),
                Out::Line(_) => None,
            })
            .sum();
        assert!(markers <= dropped);
        assert_eq!(queue.dropped(), dropped);
    }

    #[test]
    fn the_byte_budget_bounds_the_queue_but_one_big_event_passes() {
        let queue = Queue::new(100, 10);
        assert!(queue.push(&line(&"x".repeat(50))), "alone, it goes");
        assert!(!queue.push(&line("y")));
        queue.pop();
        assert!(queue.push(&line("12345")));
        assert!(queue.push(&line("12345")));
        assert!(!queue.push(&line("1")));
        // The marker for "y", two events, the marker for "1".
        assert_eq!(queue.len(), (4, 10));
    }

    #[test]
    fn closing_wakes_the_writer_and_refuses_pushes() {
        let queue = Arc::new(Queue::new(4, 1024));
        let writer = {
            let queue = Arc::clone(&queue);
            std::thread::spawn(move || {
                let mut got = Vec::new();
                while let Some(out) = queue.pop() {
                    got.push(out);
                }
                got
            })
        };
        assert!(queue.push(&line("a")));
        // Wait until the writer took it, then close.
        while queue.len().0 > 0 {
            std::thread::yield_now();
        }
        queue.close();
        assert_eq!(writer.join().unwrap(), [Out::Line(line("a"))]);
        assert!(!queue.push(&line("b")));
    }

    #[test]
    fn broadcast_reaches_those_who_want_it_and_a_stuck_one_only_lags() {
        let (wake, woken) = crossbeam_channel::bounded(1);
        let subs = Subscribers::new(wake);
        let (_all, all) = subs.add(EventMask::of(&[]));
        let (_cfg, cfg) = subs.add(EventMask::of(&[EventType::ConfigChanged]));
        assert!(
            woken.try_recv().is_ok(),
            "a progress subscriber wakes the boards"
        );
        assert!(subs.wants(EventType::SyncProgress));
        let installed = Event::RuntimeInstalled {
            runtime: "rg".into(),
            version: "1".into(),
        };
        for _ in 0..(QUEUE_EVENTS + 10) {
            subs.broadcast(&installed);
        }
        subs.broadcast(&Event::ConfigChanged {
            path: "/p/vx.toml".into(),
        });
        assert_eq!(cfg.len().0, 1, "only what it asked for");
        assert_eq!(all.dropped(), 11);
        assert_eq!(all.len().0, QUEUE_EVENTS + 1);
        subs.remove(_all);
        assert_eq!(subs.count(), 1);
        assert!(all.pop().is_none(), "removed: closed");
        assert!(!subs.wants(EventType::SyncProgress));
    }
}
