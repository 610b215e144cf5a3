//! The lifecycle phase of one task of a `vx run`, as published in its slot of a task
//! board. Its codes (16 to 24) do not overlap an install's [`crate::Phase`] codes (0 to
//! 8), so a reader that does not know task boards shows a task as "unknown", never as
//! a wrong install phase.

use crate::coded::coded_phases;

coded_phases! {
    /// Where one task of a run stands. Stored in a slot's `phase` as a `u32` code;
    /// readers decode it with [`TaskPhase::from_code`] because the segment is untrusted.
    pub enum TaskPhase from 16 {
        /// In the plan; nothing has happened to it yet.
        Queued = 16 => "queued",
        /// Waiting for a task it depends on (or a free job slot).
        Waiting = 17 => "waiting",
        /// Its process is being started.
        Starting = 18 => "starting",
        /// Its process runs.
        Running = 19 => "running",
        /// A service whose readiness check passed; it keeps running.
        Ready = 20 => "ready",
        /// Skipped: its sources are unchanged since its last success (`"up_to_date"`,
        /// as the runner's events spell it).
        UpToDate = 21 => "up_to_date",
        /// Ended with status 0.
        Done = 22 => "done",
        /// Ended with another status, or could not start; `exit_code` and the message
        /// say.
        Failed = 23 => "failed",
        /// Stopped or never started because the run was cancelled or a dependency
        /// failed.
        Cancelled = 24 => "cancelled",
    }
    terminal: UpToDate | Done | Failed | Cancelled;
    success: UpToDate | Done;
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
