//! Tasks: vx.toml's `[tasks]` (once `[scripts]`) run as a parallel graph, each task's
//! phase and output reported through a [`events::TaskSink`].
//!
//! - [`events`]: what a run reports (phases, output chunks) and the sink trait the
//!   board, the output modes and `--json` implement.
//! - [`board_sink`]: the board as a sink: each task's phase and output published in
//!   shared memory for `vx ps`, `vx logs`, `vx board watch` and the daemon.

pub mod board_sink;
pub mod events;
