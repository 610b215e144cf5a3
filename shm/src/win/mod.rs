//! The few Windows calls the `vx` binary needs beyond `std` that take unsafe code:
//! [`Job`] (a Job Object, for `vx sync`'s process trees), [`console`] (console control
//! events, Windows' Ctrl-C, Ctrl-Break and window close) and [`pipe`] (the daemon's
//! per-user named pipe). The project confines unsafe code to this crate, so they live
//! here, each call with its `// SAFETY:` argument, behind safe types that own their
//! handles. Nothing of the board uses them.
//!
//! Why not a crate: `win32job` takes raw handles in safe functions and cannot terminate
//! a job; `process-wrap`'s job object belongs to a child it owns and waits for the whole
//! tree, where `vx sync` waits for its child on one thread and kills the tree from
//! another; `ctrlc` allows one handler per process and answers a window close at once,
//! after which Windows ends the process before the board is removed.

pub mod console;
mod job;
pub mod pipe;

pub use job::Job;
