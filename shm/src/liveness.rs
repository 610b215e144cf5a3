//! Telling a live process from a dead one without trusting a pid alone: a pid is paired
//! with the process's start time, so a recycled pid does not look like the old writer.
//!
//! Or by a lock its owner holds for its whole life (a board's creator; in `vx`, the
//! daemon, a partial download, a store work directory, a running image): the OS drops
//! it when the process dies, so unlike a pid it cannot be fooled by reuse. Whoever asks
//! takes the lock for a moment and lets it go *by hand*: a child that any thread of the
//! asking process forks meanwhile holds a copy of the descriptor until it execs, and a
//! lock left to the file's close would live on in that copy, so a dead owner's file
//! would look held to the next process that asks.

use std::fs::{self, File, TryLockError};
use std::path::Path;

use crate::platform::{self, Probe};

/// Whether some process holds an exclusive lock on `file` now (see the module's doc).
/// Errors count as held: never treat as dead what cannot be shown dead.
pub fn lock_held(file: &File) -> bool {
    match file.try_lock_shared() {
        Ok(()) => {
            let _ = file.unlock();
            false
        }
        Err(TryLockError::WouldBlock | TryLockError::Error(_)) => true,
    }
}

/// Removes the file at `path` when no process holds a lock on it, holding its lock
/// exclusively while removing (so an owner about to take it finds it gone and makes its
/// own) and letting it go by hand (see the module's doc). Whether it was removed.
pub fn remove_unheld(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    if file.try_lock().is_err() {
        return false;
    }
    let removed = fs::remove_file(path).is_ok();
    let _ = file.unlock();
    removed
}

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

    #[test]
    fn a_held_lock_reads_held_and_a_probe_keeps_none() {
        // No other test's child may share `owner`'s open file while it is let go.
        let _alone = crate::unit::no_other_start();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        let owner = File::create(&path).unwrap();
        let other = File::open(&path).unwrap();
        owner.lock().unwrap();
        assert!(lock_held(&other));
        assert!(!remove_unheld(&path), "a held file is kept");
        // Let go by closing: Wine's `UnlockFile` refuses std's second unlock call.
        drop(owner);
        assert!(!lock_held(&other));
        // The probe let its shared lock go while `other` stays open.
        File::open(&path).unwrap().try_lock().unwrap();
        drop(other);
        assert!(remove_unheld(&path));
        assert!(!path.exists());
    }
    use std::process::{Child, Command, Stdio};

    /// A short-lived child on every platform: this test binary, listing its tests.
    fn short_child() -> Child {
        let _starting = crate::unit::no_other_start();
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
