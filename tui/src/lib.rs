//! The live dashboard of a vx progress board: `vx sync --tui` and `vx board watch`;
//! and the views of a task run (`vx run`): [`task_inline`], [`task_panes`] (`--tui`, and
//! `vx board watch` of a task run), both drawn from a [`task_feed::TaskFeed`].
//!
//! It reads the board only through `vx-shm`'s reader API, never talks to children, and
//! keeps data and drawing apart: [`model::Model`] is updated from board snapshots,
//! [`view::render`] draws it, and [`app::App`] wires keys and ticks to both.
#![forbid(unsafe_code)]

pub mod activity;
pub mod app;
pub mod inline;
pub mod model;
pub mod tally;
pub mod task_feed;
pub mod task_inline;
pub mod task_panes;
pub mod taskbar;
/// Human text and `sanitize`: the leaf crate `vx-text`, under its old path.
pub use vx_text as text;
pub mod view;

pub use app::{App, Host, Input, Options, Reason, Watcher, run_in_terminal, terminal_inputs};
pub use inline::run_inline;
pub use model::{Action, Model};
pub use tally::{State, Tally};
pub use view::Look;
