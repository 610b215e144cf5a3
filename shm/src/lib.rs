//! The shared-memory progress board of `vx` (work in progress).
#![deny(unsafe_op_in_unsafe_fn)]

mod phase;

pub use phase::Phase;
