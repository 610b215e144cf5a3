//! Telling a live process from a dead one without trusting a pid alone: a pid is paired
//! with the process's start time, so a recycled pid does not look like the old writer.

use crate::platform::{self, Probe};

/// A process as recorded in a board: its pid and when it started, in the platform's
/// unit (Linux: clock ticks since boot, `/proc/PID/stat` field 22; macOS: microseconds
/// since the Unix epoch; Windows: 100 ns intervals since 1601, the creation `FILETIME`);
/// 0 where the platform does not tell. Only ever compared with values taken on the same
/// machine, so the unit needs no conversion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProcessId {
    /// The process id.
    pub pid: u32,
    /// Its start time in the platform's unit; 0 if unknown.
    pub start_ticks: u64,
}

impl ProcessId {
    /// The calling process.
    pub fn current() -> ProcessId {
        ProcessId {
            pid: std::process::id(),
            start_ticks: platform::current_start_ticks(),
        }
    }

    /// Whether this process still runs. A zombie (exited, not yet reaped) counts as gone,
    /// and so does a process with this pid that started at another time (pid reuse).
    /// This makes a syscall or two; readers call it only on the rare suspect path.
    pub fn is_alive(&self) -> bool {
        if self.pid == 0 {
            return false;
        }
        match platform::probe(self.pid) {
            Probe::Gone => false,
            Probe::Running {
                start_ticks: Some(started),
            } => self.start_ticks == 0 || started == self.start_ticks,
            // The pid exists and its start time cannot be told: alive, as far as we know.
            Probe::Running { start_ticks: None } => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Child, Command, Stdio};

    /// A short-lived child on every platform: this test binary, listing its tests.
    fn short_child() -> Child {
        Command::new(std::env::current_exe().unwrap())
            .arg("--list")
            .stdout(Stdio::null())
            .spawn()
            .unwrap()
    }

    #[test]
    fn the_current_process_is_alive_and_has_a_start_time() {
        let me = ProcessId::current();
        assert!(me.is_alive());
        assert_ne!(
            me.start_ticks, 0,
            "Linux, macOS and Windows report a start time"
        );
    }

    #[test]
    fn a_reaped_child_is_dead_and_a_wrong_start_time_is_another_process() {
        let mut child = short_child();
        let id = ProcessId {
            pid: child.id(),
            start_ticks: 0,
        };
        child.wait().unwrap();
        assert!(!id.is_alive());

        let me = ProcessId::current();
        let impostor = ProcessId {
            start_ticks: me.start_ticks + 1,
            ..me
        };
        assert!(
            !impostor.is_alive(),
            "a reused pid must not pass for the writer"
        );
        assert!(
            !ProcessId {
                pid: 0,
                start_ticks: 0
            }
            .is_alive()
        );
    }

    #[test]
    fn an_exited_child_counts_as_dead_before_it_is_reaped() {
        // On Unix the child lingers as a zombie until waited for; on Windows our
        // handle keeps its process object. Either way it must read as gone.
        let mut child = short_child();
        let id = ProcessId {
            pid: child.id(),
            start_ticks: 0,
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while id.is_alive() {
            assert!(std::time::Instant::now() < deadline, "child never exited");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(child.try_wait().unwrap().is_some(), "it had exited");
    }
}
