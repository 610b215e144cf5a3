//! Tasks: vx.toml's `[tasks]` (once `[scripts]`) run as a parallel graph, each task's
//! phase and output reported through a [`events::TaskSink`].
//!
//! - [`events`]: what a run reports (phases, output chunks) and the sink trait the
//!   board, the output modes and `--json` implement.
//! - [`model`]: one task as declared; [`graph`]: what a run runs, in which order.
//! - [`files`]: file tasks, executables under `.vx/tasks/`.
//! - [`board_sink`]: the board as a sink: each task's phase and output published in
//!   shared memory for `vx ps`, `vx logs`, `vx board watch` and the daemon.

pub mod args;
pub mod board_sink;
pub mod command;
pub mod events;
pub mod files;
pub mod fresh;
pub mod graph;
pub mod guard;
pub mod model;
pub mod output;
pub mod ready;
pub mod runner;
