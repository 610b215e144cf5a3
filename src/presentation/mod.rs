//! Floor 10, what commands show.
//!
//! - [`present`]: each report as text, and every library error's exit code.
//!
//! Its rooms use each other by their finer floors and the floors below, never a
//! floor above (`docs/ARCHITECTURE.md`, "Floors of the library", held by
//! `tests/it/layering.rs`).

pub mod present;
