//! The shared-memory progress board of `vx`.
//!
//! `vx sync` creates a [`Board`]: a named shared-memory segment holding a versioned
//! header and one fixed-size slot per tool, every slot registered (Queued) before any
//! work starts. Each `vx install` child attaches a [`SlotWriter`] to its own slot and
//! publishes progress records into it through a seqlock: a handful of relaxed atomic
//! stores, no syscall, no lock. Any number of [`BoardReader`]s (the dashboard, the
//! headless reporter, `vx board dump`, another terminal) copy the slots in place without
//! locks or syscalls and never wait on a writer. A board can be dumped atomically to a
//! file and the dump read through the same reader.
//!
//! A task run (`vx run`) is a [`TaskBoard`]: a board whose slots are tasks, plus a
//! sibling output segment with one bounded ring of output per task that any process
//! reads in place ([`TaskRun`]) without slowing the writer.
//!
//! The byte layout is documented for other languages in `docs/LAYOUT.md`.
//!
//! On Windows the crate also holds `win`: the Job Object and console control calls
//! the `vx` binary's platform layer needs; on macOS `procs`, the process listing of the
//! task guard's scan: here because the project keeps all its unsafe code in this crate.
#![deny(unsafe_op_in_unsafe_fn)]

mod coded;
mod phase;
mod primitive;
mod ring;
mod seqlock;
mod task_phase;

#[cfg(not(loom))]
mod board;
#[cfg(not(loom))]
mod error;
#[cfg(not(loom))]
pub mod layout;
#[cfg(not(loom))]
pub mod liveness;
#[cfg(not(loom))]
mod output;
#[cfg(not(loom))]
mod platform;
#[cfg(all(unix, not(loom)))]
pub mod procs;
#[cfg(not(loom))]
mod record;
#[cfg(not(loom))]
pub mod registry;
#[cfg(not(loom))]
mod segment;
#[cfg(not(loom))]
mod tasks;
#[cfg(not(loom))]
#[doc(hidden)]
pub mod testing;
#[cfg(all(windows, not(loom)))]
pub mod win;

/// What the unit tests of this crate share: a lock held by each test that starts a
/// process and by each that needs no process to start meanwhile. A child holds the
/// parent's open files between its fork and its exec (close-on-exec closes them only
/// at the exec), so a `flock` the test just let go can read as held by that child.
#[cfg(all(test, not(loom)))]
pub(crate) mod unit {
    use std::sync::{Mutex, MutexGuard};

    static STARTING: Mutex<()> = Mutex::new(());

    /// Held while a test starts a process, or while it needs none to start.
    pub fn no_other_start() -> MutexGuard<'static, ()> {
        STARTING
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub use phase::Phase;
pub use task_phase::TaskPhase;

#[cfg(not(loom))]
pub use board::{
    Board, BoardInfo, BoardReader, Canceller, SlotName, SlotWriter, ToolEntry, now_unix_ms,
};
#[cfg(not(loom))]
pub use error::{Error, Result};
#[cfg(not(loom))]
pub use layout::{HeaderRecord, SlotRecord};
#[cfg(not(loom))]
pub use liveness::ProcessId;
#[cfg(not(loom))]
pub use record::{SlotError, SlotRead, SlotSnapshot};
#[cfg(not(loom))]
pub use segment::Access;
#[cfg(not(loom))]
pub use tasks::{DEFAULT_RING_CAPACITY, OutputRead, TaskBoard, TaskRun, TaskState, TaskWriter};
