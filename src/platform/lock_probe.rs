//! Whether another process holds a file lock, asked without keeping one.
//!
//! vx marks what a live process owns (a daemon, a partial download, a store work
//! directory, a running image) with a lock its owner holds for its whole life; the
//! kernel drops it when the owner dies, so a lock, unlike a pid, cannot be fooled by
//! reuse. A probe takes a shared lock and lets it go at once, *explicitly*: a child
//! that any thread of this process forks meanwhile holds a copy of the descriptor until
//! it execs, and a lock left to the file's close would live on in that copy, so a dead
//! owner's file would look held to the next process that asks (a sync starts children
//! all the time).

use std::fs::{File, TryLockError};

/// Whether some process holds an exclusive lock on `file` now. Errors count as held:
/// never treat as dead what cannot be shown dead.
pub fn held(file: &File) -> bool {
    match file.try_lock_shared() {
        Ok(()) => {
            let _ = file.unlock();
            false
        }
        Err(TryLockError::WouldBlock | TryLockError::Error(_)) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_reads_held_and_a_probe_keeps_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        let owner = File::create(&path).unwrap();
        let other = File::open(&path).unwrap();
        owner.lock().unwrap();
        assert!(held(&other));
        drop(owner);
        assert!(!held(&other));
        // The probe let its shared lock go while `other` stays open.
        File::open(&path).unwrap().try_lock().unwrap();
    }
}
