//! The atomics the seqlock is built from, swapped for loom's model-checked versions under
//! `--cfg loom` (as crossbeam-utils does) so the protocol code itself is what loom checks.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicU64, Ordering, fence};

#[cfg(not(loom))]
pub(crate) use core::sync::atomic::{AtomicU64, Ordering, fence};

/// A hint to the CPU that the caller is in a retry loop.
#[inline]
pub(crate) fn spin_hint() {
    #[cfg(loom)]
    loom::thread::yield_now();
    #[cfg(not(loom))]
    core::hint::spin_loop();
}
