//! The project's tasks: the runner, the guard, the results cache, and the data of the
//! live views.
//!
//! Tasks: vx.toml's `[tasks]` (once `[scripts]`) run as a parallel graph, each task's
//! phase and output reported through a [`events::TaskSink`].
//!
//! - [`events`]: what a run reports (phases, output chunks) and the sink trait the
//!   board, the output modes and `--json` implement.
//! - [`model`]: one task as declared; [`graph`]: what a run runs, in which order.
//! - [`files`]: file tasks, executables under `.vx/tasks/`; [`foreign`]: the
//!   project's `justfile` recipes and `package.json` scripts; [`foreground`]: a lone
//!   task run as `[scripts]` ran it, in place of vx.
//! - [`board_sink`]: the board as a sink: each task's phase and output published in
//!   shared memory for `vx ps`, `vx logs`, `vx board watch` and the daemon;
//!   [`last_run`]: a project's last run kept after it ends, for `vx logs`;
//!   [`state`]: what is kept of a project between runs, and whose it is.
//! - [`runner`]: the parallel run; [`launch`]: how it starts a command and holds it;
//!   [`guard`]: the one process beside vx that starts every task and ends each one's
//!   whole tree; [`ready`]: services' readiness; [`fresh`]: up to date;
//!   [`cache`]: results kept by their inputs' key, here and in the team's registry;
//!   [`ledger`]: what a run (and the `vx run`s its tasks start) has run, each task once;
//!   [`output`]: the output modes; [`views`]: the live views on a terminal (inline,
//!   `--tui`); [`watch`]: `--watch`; [`args`]: a task's
//!   arguments; [`command`]: its commands as processes.
#![forbid(unsafe_code)]

pub mod args;
pub mod board_sink;
pub mod cache;
pub mod command;
pub mod events;
pub mod foreground;
pub mod foreign;
pub mod fresh;
pub mod guard;
pub mod last_run;
pub mod launch;
pub mod ledger;
pub mod output;
pub mod ready;
pub mod runner;
pub mod state;
pub mod views;
pub mod watch;

// The model, its graph and the file tasks are what vx.toml says, read with it
// (`vx_model::manifest::environment`); named here too, as the runner's vocabulary.
pub use vx_model::manifest::environment::{
    task as model, task_files as files, task_graph as graph,
};
