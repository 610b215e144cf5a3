//! The lifecycle phase of one task of a `vx run`, as published in its slot of a task
//! board. Its codes (16 to 24) do not overlap an install's [`crate::Phase`] codes (0 to
//! 8), so a reader that does not know task boards shows a task as "unknown", never as
//! a wrong install phase.

/// Where one task of a run stands. Stored in a slot's `phase` as a `u32` code; readers
/// decode it with [`TaskPhase::from_code`] because the segment is untrusted.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaskPhase {
    /// In the plan; nothing has happened to it yet.
    Queued = 16,
    /// Waiting for a task it depends on (or a free job slot).
    Waiting = 17,
    /// Its process is being started.
    Starting = 18,
    /// Its process runs.
    Running = 19,
    /// A service whose readiness check passed; it keeps running.
    Ready = 20,
    /// Skipped: its sources are unchanged since its last success.
    UpToDate = 21,
    /// Ended with status 0.
    Done = 22,
    /// Ended with another status, or could not start; `exit_code` and the message say.
    Failed = 23,
    /// Stopped or never started because the run was cancelled or a dependency failed.
    Cancelled = 24,
}

impl TaskPhase {
    /// Every phase, in code order.
    pub const ALL: [TaskPhase; 9] = [
        TaskPhase::Queued,
        TaskPhase::Waiting,
        TaskPhase::Starting,
        TaskPhase::Running,
        TaskPhase::Ready,
        TaskPhase::UpToDate,
        TaskPhase::Done,
        TaskPhase::Failed,
        TaskPhase::Cancelled,
    ];

    /// The code stored in a slot.
    pub const fn code(self) -> u32 {
        self as u32
    }

    /// The phase's bit in a slot's `phases_seen`: bit `code - 17`, none for Queued.
    pub const fn seen_bit(self) -> u8 {
        match self {
            TaskPhase::Queued => 0,
            phase => 1 << (phase.code() - 17),
        }
    }

    /// Decodes a stored code; `None` for a code that is not a task phase.
    pub fn from_code(code: u32) -> Option<TaskPhase> {
        TaskPhase::ALL.get(code.checked_sub(16)? as usize).copied()
    }

    /// True once the task has an outcome; its slot will not change again.
    pub const fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskPhase::UpToDate | TaskPhase::Done | TaskPhase::Failed | TaskPhase::Cancelled
        )
    }

    /// True for the outcomes that count as success.
    pub const fn is_success(self) -> bool {
        matches!(self, TaskPhase::UpToDate | TaskPhase::Done)
    }

    /// A short lower-case label for `vx ps`, JSON and the daemon (`"up_to_date"`, as the runner's events spell it).
    pub const fn label(self) -> &'static str {
        match self {
            TaskPhase::Queued => "queued",
            TaskPhase::Waiting => "waiting",
            TaskPhase::Starting => "starting",
            TaskPhase::Running => "running",
            TaskPhase::Ready => "ready",
            TaskPhase::UpToDate => "up_to_date",
            TaskPhase::Done => "done",
            TaskPhase::Failed => "failed",
            TaskPhase::Cancelled => "cancelled",
        }
    }
}

impl std::fmt::Display for TaskPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_install_codes_are_not_task_phases() {
        for phase in TaskPhase::ALL {
            assert_eq!(TaskPhase::from_code(phase.code()), Some(phase));
        }
        for code in [0, 8, 15, 25, u32::MAX] {
            assert_eq!(TaskPhase::from_code(code), None, "{code}");
        }
        for phase in crate::Phase::ALL {
            assert_eq!(TaskPhase::from_code(phase.code()), None);
        }
        let bits: u32 = TaskPhase::ALL.iter().map(|p| u32::from(p.seen_bit())).sum();
        assert_eq!(bits, 0xff, "one bit per phase after Queued");
    }
}
