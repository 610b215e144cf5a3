//! Floor 6, the parent: `vx sync`'s parent process and what is made of its board.
//!
//! - [`report`] (6.1): headless lines, JSON events and summaries from board snapshots.
//! - [`sync`] (6.2): the parent that runs one child per tool.
//!
//! Its rooms use each other by their finer floors and the floors below, never a
//! floor above (`docs/ARCHITECTURE.md`, "Floors of the library", held by
//! `tests/it/layering.rs`).

pub mod report;
pub mod sync;
