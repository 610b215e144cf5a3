//! The project's tasks run: the runner, the guard, the results cache, and the data of
//! the live views. What a task is (vx.toml's `[tasks]`, file tasks, a `justfile`'s or
//! `package.json`'s) is `vx_model::task`'s; this crate runs it.
//!
//! Its face, ten rooms:
//! - [`runner`]: the parallel run of a plan's jobs, each once; [`runner::fresh`] up to
//!   date, [`runner::ledger`] once per run across nested `vx run`s.
//! - [`events`]: what a run reports (phases, output chunks) and the sink trait the
//!   board ([`events::board_sink`]), the output modes and `--json` implement.
//! - [`output`]: the output modes; [`output::views`] the live views on a terminal
//!   (inline, `--tui`).
//! - [`command`]: a task's commands as processes; [`args`]: its arguments.
//! - [`cache`]: results kept by their inputs' key, here and in the team's registry.
//! - [`foreground`]: a lone task run as `[scripts]` ran it, in place of vx.
//! - [`guard`]: the one process beside vx that starts every task and ends each one's
//!   whole tree.
//! - `--watch`: [`watch`].
//! - [`state`]: what is kept of a project between runs, and whose it is;
//!   [`state::last_run`] a project's last run kept after it ends, for `vx logs`.
//!
//! Inside, not offered above: how a command is started and held (`launch`), services'
//! readiness (`ready`).
#![forbid(unsafe_code)]
// Only the face is `pub`; the rooms' docs link to what the crate keeps to itself, which
// `cargo doc --document-private-items` (the contributors' view) shows.
#![allow(rustdoc::private_intra_doc_links)]

pub mod args;
pub mod cache;
pub mod command;
pub mod events;
pub mod foreground;
pub mod guard;
mod launch;
pub mod output;
mod ready;
pub mod runner;
pub mod state;
pub mod watch;
