//! Floor 9, ways in: what reaches a project besides a command.
//!
//! - 9.1: [`daemon`] (`vx daemon`, the per-user process that answers editors and pushes
//!   store, project and sync events), [`hook`] (the shell hook that applies a project as
//!   `cd` enters and leaves it).
//! - [`doctor`] (9.2): `vx doctor`'s checks.
//!
//! Its rooms use each other by their finer floors and the floors below, never a
//! floor above (`docs/ARCHITECTURE.md`, "Floors of the library", held by
//! `tests/it/layering.rs`).

pub mod daemon;
pub mod doctor;
pub mod hook;
