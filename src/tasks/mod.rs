//! Tasks: vx.toml's `[tasks]` (once `[scripts]`) run as a parallel graph, each task's
//! phase and output reported through a [`events::TaskSink`].
//!
//! - [`events`]: what a run reports (phases, output chunks) and the sink trait the
//!   board, the output modes and `--json` implement.
//! - [`board_sink`]: the board as a sink: each task's phase and output published in
//!   shared memory for `vx ps`, `vx logs`, `vx board watch` and the daemon.
//! - [`model`]: one task as declared; [`graph`]: what a run runs, in which order;
//!   [`files`]: file tasks, executables under `.vx/tasks/`; [`args`]: a task's
//!   arguments; [`command`]: its commands as processes.
//! - [`runner`]: the parallel run; [`guard`]: the process between vx and each task
//!   that ends its whole tree; [`ready`]: services' readiness; [`fresh`]: up to date;
//!   [`output`]: the output modes; [`watch`]: `--watch`.

pub mod args;
pub mod board_sink;
pub mod command;
pub mod events;
pub mod files;
pub mod fresh;
pub mod graph;
pub mod guard;
/// The task model lives with the manifest that declares it.
pub use crate::manifest::environment::task as model;
pub mod output;
pub mod ready;
pub mod runner;
pub mod watch;
