//! Telling a live process from a dead one without trusting a pid alone: a pid is paired
//! with the process's start time, so a recycled pid does not look like the old writer.

use std::fs;

/// A process as recorded in a board: its pid and when it started (clock ticks since boot,
/// as in Linux `/proc/PID/stat` field 22; 0 where the platform does not tell).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProcessId {
    /// The process id.
    pub pid: u32,
    /// Its start time in clock ticks since boot; 0 if unknown.
    pub start_ticks: u64,
}

/// What `/proc/PID/stat` says of a process.
struct ProcStat {
    state: char,
    start_ticks: u64,
}

fn proc_stat(pid: u32) -> Option<ProcStat> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "PID (COMM) STATE ..." where COMM may itself contain spaces and ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    // After STATE (field 3) comes field 4; starttime is field 22, i.e. 18 further on.
    let start_ticks = fields.nth(18)?.parse().ok()?;
    Some(ProcStat { state, start_ticks })
}

impl ProcessId {
    /// The calling process.
    pub fn current() -> ProcessId {
        let pid = std::process::id();
        ProcessId {
            pid,
            start_ticks: proc_stat(pid).map_or(0, |stat| stat.start_ticks),
        }
    }

    /// Whether this process still runs. A zombie (exited, not yet reaped) counts as gone,
    /// and so does a process with this pid that started at another time (pid reuse).
    /// This makes a syscall or two; readers call it only on the rare suspect path.
    pub fn is_alive(&self) -> bool {
        if self.pid == 0 {
            return false;
        }
        match proc_stat(self.pid) {
            Some(stat) => {
                !matches!(stat.state, 'Z' | 'X' | 'x')
                    && (self.start_ticks == 0 || stat.start_ticks == self.start_ticks)
            }
            None if std::path::Path::new("/proc/self/stat").exists() => false,
            None => signal_zero_says_alive(self.pid),
        }
    }
}

/// Fallback where there is no `/proc`: `kill(pid, 0)` tells whether the pid exists.
fn signal_zero_says_alive(pid: u32) -> bool {
    let Ok(raw) = i32::try_from(pid) else {
        return false;
    };
    let Some(pid) = rustix::process::Pid::from_raw(raw) else {
        return false;
    };
    match rustix::process::test_kill_process(pid) {
        Ok(()) => true,
        Err(err) => err == rustix::io::Errno::PERM,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn the_current_process_is_alive_and_has_a_start_time() {
        let me = ProcessId::current();
        assert!(me.is_alive());
        assert_ne!(me.start_ticks, 0, "Linux reports a start time");
    }

    #[test]
    fn a_reaped_child_is_dead_and_a_wrong_start_time_is_another_process() {
        let mut child = Command::new("true").spawn().unwrap();
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
    fn an_unreaped_zombie_counts_as_dead() {
        let mut child = Command::new("true").spawn().unwrap();
        let id = ProcessId {
            pid: child.id(),
            start_ticks: 0,
        };
        // Wait until it has exited without reaping it: poll its state, bounded.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while proc_stat(id.pid).is_some_and(|s| s.state != 'Z') {
            assert!(std::time::Instant::now() < deadline, "child never exited");
            std::thread::yield_now();
        }
        assert!(!id.is_alive());
        child.wait().unwrap();
    }
}
