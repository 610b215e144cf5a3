//! What happened over time, beside the per-tool rows: the aggregate download throughput
//! of the last minute (the dashboard's chart), how fast the whole sync advances (its
//! ETA), and a short log of notable events (installed, failed, retried, stalled).
//! Collected by [`crate::Model::update`], drawn by the view; nothing here reads a clock.

use std::collections::VecDeque;

/// Seconds of throughput history kept (the chart's span).
pub const HISTORY_SECS: usize = 60;
/// Events kept for the events pane; older ones are dropped.
pub const EVENTS_KEPT: usize = 100;
/// How far back the sync's own speed is measured for its ETA.
const ETA_WINDOW_MS: u64 = 10_000;

/// Bytes downloaded per second over the last [`HISTORY_SECS`] seconds, across tools.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Throughput {
    /// `(second since the epoch, bytes received in it)`, oldest first, no gaps.
    buckets: VecDeque<(u64, u64)>,
}

impl Throughput {
    /// Adds `bytes` received in the second holding `now_ms`.
    pub fn add(&mut self, bytes: u64, now_ms: u64) {
        let second = now_ms / 1000;
        match self.buckets.back().map(|(s, _)| *s) {
            // A clock that went back: count it in the latest second.
            Some(last) if second <= last => {}
            Some(last) => {
                // Seconds without a byte are zeros on the chart, not gaps.
                let from = last
                    .saturating_add(1)
                    .max(second.saturating_sub(HISTORY_SECS as u64));
                for s in from..=second {
                    self.buckets.push_back((s, 0));
                }
            }
            None => self.buckets.push_back((second, 0)),
        }
        if let Some(last) = self.buckets.back_mut() {
            last.1 = last.1.saturating_add(bytes);
        }
        while self.buckets.len() > HISTORY_SECS + 1 {
            self.buckets.pop_front();
        }
    }

    /// Bytes per completed second, oldest first, at most the last `n` (the current,
    /// partial second is left out: it would always look like a dip).
    pub fn last_seconds(&self, n: usize) -> Vec<u64> {
        let complete = self.buckets.len().saturating_sub(1);
        let skip = complete.saturating_sub(n);
        self.buckets
            .iter()
            .take(complete)
            .skip(skip)
            .map(|(_, b)| *b)
            .collect()
    }

    /// The busiest completed second in the window (the chart's scale).
    pub fn peak(&self) -> u64 {
        let complete = self.buckets.len().saturating_sub(1);
        self.buckets
            .iter()
            .take(complete)
            .map(|(_, b)| *b)
            .max()
            .unwrap_or(0)
    }
}

/// How fast the sync's overall fraction advances, for its ETA: samples of the last
/// `ETA_WINDOW_MS`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pace {
    samples: VecDeque<(u64, f64)>,
}

impl Pace {
    /// Records the fraction done at `now_ms`.
    pub fn observe(&mut self, fraction: f64, now_ms: u64) {
        if self.samples.back().is_some_and(|(t, _)| *t >= now_ms) {
            return;
        }
        self.samples.push_back((now_ms, fraction));
        while self
            .samples
            .front()
            .is_some_and(|(t, _)| now_ms - t > ETA_WINDOW_MS)
        {
            self.samples.pop_front();
        }
    }

    /// Seconds until the fraction reaches 1 at the pace of the window, once at least a
    /// second of progress has been seen.
    pub fn eta_secs(&self) -> Option<u64> {
        let (t0, f0) = *self.samples.front()?;
        let (t1, f1) = *self.samples.back()?;
        if t1.saturating_sub(t0) < 1000 || f1 <= f0 || f1 >= 1.0 {
            return None;
        }
        let per_ms = (f1 - f0) / (t1 - t0) as f64;
        Some(((1.0 - f1) / per_ms / 1000.0).ceil() as u64)
    }
}

/// A notable change in one tool, for the events pane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// When it was seen (ms since the epoch).
    pub at_ms: u64,
    /// The tool (sanitized).
    pub tool: String,
    /// What happened.
    pub kind: EventKind,
}

/// What happened to a tool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// Installed.
    Installed,
    /// Failed, with the board's message (sanitized).
    Failed(String),
    /// Cancelled.
    Cancelled,
    /// A download attempt started again, with its cause (`retry 2/3: HTTP 503`).
    Retry(String),
    /// No bytes for a while.
    Stalled,
    /// Its writer died mid-publish.
    WriterLost,
}

/// The last [`EVENTS_KEPT`] events, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Events {
    kept: VecDeque<Event>,
}

impl Events {
    /// Records one event, dropping the oldest beyond [`EVENTS_KEPT`].
    pub fn push(&mut self, event: Event) {
        if self.kept.len() == EVENTS_KEPT {
            self.kept.pop_front();
        }
        self.kept.push_back(event);
    }

    /// The latest `n` events, oldest first.
    pub fn latest(&self, n: usize) -> impl Iterator<Item = &Event> {
        self.kept.iter().skip(self.kept.len().saturating_sub(n))
    }

    /// How many are kept.
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    /// Whether none happened yet.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_seconds_are_zeros_and_the_partial_second_is_left_out() {
        let mut t = Throughput::default();
        t.add(100, 10_000);
        t.add(50, 10_900);
        t.add(7, 13_200);
        // Seconds 10, 11, 12 are complete; 13 is still running.
        assert_eq!(t.last_seconds(60), [150, 0, 0]);
        assert_eq!(t.last_seconds(2), [0, 0]);
        assert_eq!(t.peak(), 150);
    }

    #[test]
    fn only_the_last_minute_is_kept_even_after_a_long_gap() {
        let mut t = Throughput::default();
        t.add(1, 0);
        t.add(2, 1_000_000);
        assert!(t.last_seconds(1000).len() <= HISTORY_SECS);
        assert!(t.last_seconds(1000).iter().all(|b| *b == 0));
        t.add(u64::MAX, 1_000_100);
        t.add(u64::MAX, 1_000_200);
        assert_eq!(t.peak(), 0, "the running second is not a peak yet");
        t.add(0, 1_001_000);
        assert_eq!(t.peak(), u64::MAX);
    }

    #[test]
    fn the_eta_follows_the_recent_pace() {
        let mut pace = Pace::default();
        assert_eq!(pace.eta_secs(), None);
        pace.observe(0.0, 0);
        pace.observe(0.1, 500);
        assert_eq!(pace.eta_secs(), None, "less than a second seen");
        pace.observe(0.2, 2_000);
        // 10 % per second, 80 % left.
        assert_eq!(pace.eta_secs(), Some(8));
        // The window forgets a slow start.
        pace.observe(0.2, 11_000);
        pace.observe(0.4, 13_000);
        // 10 % per second again, 60 % left.
        assert_eq!(pace.eta_secs(), Some(6));
    }

    #[test]
    fn events_keep_the_latest() {
        let mut events = Events::default();
        for i in 0..(EVENTS_KEPT as u64 + 5) {
            events.push(Event {
                at_ms: i,
                tool: format!("t{i}"),
                kind: EventKind::Installed,
            });
        }
        assert_eq!(events.len(), EVENTS_KEPT);
        let last: Vec<u64> = events.latest(2).map(|e| e.at_ms).collect();
        assert_eq!(last, [EVENTS_KEPT as u64 + 3, EVENTS_KEPT as u64 + 4]);
    }
}
