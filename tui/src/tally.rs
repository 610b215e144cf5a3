//! One tally of outcomes over [`Phase`], for every place that counts tools: the
//! dashboard's header, the summary table, `vx board ls`. A tool's state stays an enum
//! ([`State`]) until the moment it is printed.

use vx_shm::{Phase, SlotRead};

/// What a reader knows of one tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    /// A decoded phase.
    Phase(Phase),
    /// The slot holds a phase code no version of the layout defines.
    Unknown,
    /// The slot could not be copied (its writer died mid-write): counted as failed.
    Unreadable,
}

impl State {
    /// The state of one slot read.
    pub fn of(read: &SlotRead) -> State {
        match read {
            Ok(snap) => snap.record.phase().map_or(State::Unknown, State::Phase),
            Err(_) => State::Unreadable,
        }
    }

    /// The label printed for it: the phase's label, `unknown` or `unreadable`.
    pub fn label(self) -> &'static str {
        match self {
            State::Phase(phase) => phase.label(),
            State::Unknown => "unknown",
            State::Unreadable => "unreadable",
        }
    }

    /// Whether the tool is installed (completed or cached).
    pub fn is_success(self) -> bool {
        matches!(self, State::Phase(phase) if phase.is_success())
    }

    /// Whether it counts as failed (as [`Tally`] counts it).
    pub fn is_failure(self) -> bool {
        matches!(self, State::Unreadable | State::Phase(Phase::Failed))
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Counts of tools per outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Completed.
    pub installed: usize,
    /// Skipped (already present).
    pub cached: usize,
    /// Failed, or whose slot is unreadable.
    pub failed: usize,
    /// Cancelled.
    pub cancelled: usize,
    /// Not yet started (or in a phase this build does not know).
    pub queued: usize,
    /// Working.
    pub running: usize,
}

impl Tally {
    /// Counts one more tool.
    pub fn add(&mut self, state: State) {
        let count = match state {
            State::Unreadable | State::Phase(Phase::Failed) => &mut self.failed,
            State::Phase(Phase::Completed) => &mut self.installed,
            State::Phase(Phase::Skipped) => &mut self.cached,
            State::Phase(Phase::Cancelled) => &mut self.cancelled,
            State::Unknown | State::Phase(Phase::Queued) => &mut self.queued,
            State::Phase(_) => &mut self.running,
        };
        *count += 1;
    }

    /// Tools with an outcome.
    pub fn done(&self) -> usize {
        self.installed + self.cached + self.failed + self.cancelled
    }

    /// Tools without an outcome yet.
    pub fn unfinished(&self) -> usize {
        self.queued + self.running
    }
}

impl FromIterator<State> for Tally {
    fn from_iter<I: IntoIterator<Item = State>>(states: I) -> Tally {
        let mut tally = Tally::default();
        for state in states {
            tally.add(state);
        }
        tally
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phase_lands_in_one_bucket() {
        let mut states: Vec<State> = Phase::ALL.into_iter().map(State::Phase).collect();
        states.extend([State::Unknown, State::Unreadable]);
        let tally: Tally = states.iter().copied().collect();
        assert_eq!(
            tally,
            Tally {
                installed: 1,
                cached: 1,
                failed: 2,
                cancelled: 1,
                queued: 2,
                running: 4,
            }
        );
        assert_eq!(tally.done() + tally.unfinished(), states.len());
        assert_eq!(State::Phase(Phase::Skipped).label(), "cached");
        assert!(State::Phase(Phase::Skipped).is_success());
        assert!(!State::Unreadable.is_success());
    }
}
