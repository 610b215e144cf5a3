//! Test helpers: a recording sink, plus (re-exported from [`vx_fixture`]) a
//! loopback HTTP server and archive builders that can also write hostile entries the
//! archive crates' safe builders would refuse.

use vx_shm::Phase;

use super::ProgressSink;

pub(crate) use vx_fixture::*;

/// A tree as [`tree`] shows it, from (path, what it is) pairs: what a test expects.
pub(crate) fn entries(pairs: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// One thing a sink was told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// `phase(phase, message)`.
    Phase(Phase, String),
    /// `progress(done, total)`.
    Progress(u64, Option<u64>),
    /// `retry(..)`: the attempt, and where it resumes.
    Retry(u32, Option<u64>),
}

/// Records every call; optionally asks to cancel once `n` progress reports arrived in
/// a given phase (deterministic: no timing involved).
pub(crate) struct RecordingSink {
    pub events: Vec<Event>,
    /// The bytes reported as fetched ([`ProgressSink::fetched`]), in all.
    pub fetched: u64,
    current: Phase,
    in_phase: usize,
    cancel_at: Option<(Phase, usize)>,
}

impl Default for RecordingSink {
    fn default() -> Self {
        RecordingSink {
            events: Vec::new(),
            fetched: 0,
            current: Phase::Queued,
            in_phase: 0,
            cancel_at: None,
        }
    }
}

impl RecordingSink {
    /// Requests cancellation once `n` progress reports were made in `phase`.
    pub(crate) fn cancelling_after(phase: Phase, n: usize) -> Self {
        RecordingSink {
            cancel_at: Some((phase, n)),
            ..RecordingSink::default()
        }
    }

    /// The phases reported, in order.
    pub(crate) fn phases(&self) -> Vec<Phase> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Phase(p, _) => Some(*p),
                Event::Progress(..) | Event::Retry(..) => None,
            })
            .collect()
    }

    /// Where each retry resumed (`None`: from zero), in order.
    pub(crate) fn resumes(&self) -> Vec<Option<u64>> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Retry(_, at) => Some(*at),
                _ => None,
            })
            .collect()
    }

    /// The attempts announced, in order.
    pub(crate) fn attempts(&self) -> Vec<u32> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Retry(n, _) => Some(*n),
                _ => None,
            })
            .collect()
    }

    /// The progress reports made while in `phase` (Queued = before any phase call).
    pub(crate) fn progress_in(&self, phase: Phase) -> Vec<(u64, Option<u64>)> {
        let mut current = Phase::Queued;
        let mut out = Vec::new();
        for event in &self.events {
            match event {
                Event::Phase(p, _) => current = *p,
                Event::Progress(d, t) if current == phase => out.push((*d, *t)),
                Event::Progress(..) | Event::Retry(..) => {}
            }
        }
        out
    }
}

impl ProgressSink for RecordingSink {
    fn phase(&mut self, phase: Phase, message: &str) {
        self.current = phase;
        self.in_phase = 0;
        self.events.push(Event::Phase(phase, message.to_owned()));
    }
    fn progress(&mut self, done: u64, total: Option<u64>) {
        self.in_phase += 1;
        self.events.push(Event::Progress(done, total));
    }
    fn retry(&mut self, retry: &super::Retry<'_>) {
        self.events
            .push(Event::Retry(retry.attempt, retry.resume_at));
    }
    fn fetched(&mut self, bytes: u64) {
        self.fetched += bytes;
    }
    fn cancel_requested(&mut self) -> bool {
        self.cancel_at
            .is_some_and(|(phase, n)| self.current == phase && self.in_phase >= n)
    }
}

pub(crate) use super::test_support::{fake_install, tree_of};
