//! Floor 8, the session: a project opened once, and the operations over it.
//!
//! - [`session`]: a project opened once: its manifest, runtimes, store and network
//!   settings, and every lower layer's context made from them. The one door: every
//!   command and operation opens its project here.
//! - [`ops`] (8.1): one operation per file: a `&Session` and a request in, a report or a
//!   typed error out, nothing printed.
//!
//! Its rooms use each other by their finer floors and the floors below, never a
//! floor above (`docs/ARCHITECTURE.md`, "Floors of the library", held by
//! `tests/it/layering.rs`).

pub mod ops;
pub mod session;
