//! A manifest and its lock together: the sync plan ([`plan`]), the toolchain on `PATH`,
//! fleets, shims and the demo.
//!
//! Floor 7, projects: a manifest and its lock together.
//!
//! - [`plan`] (7.1): the sync plan and its run.
//! - 7.2: [`toolchain`] (a project's installed tools and the `PATH` that puts them
//!   first), [`fleet`] (a project's downloads pushed to a registry or a bundle), [`demo`]
//!   (`vx sync --demo`), [`shims`] (one link per installed command).
//! - `vx_tasks` (7.3): `[tasks]` run as a parallel graph, reporting through a sink, and the
//!   guard process that leaves nothing of a run behind; results cached by their inputs.
//!
//! Its rooms use each other by their finer floors and the floors below, never a
//! floor above (`docs/ARCHITECTURE.md`, "Floors of the library", held by
//! `tests/it/layering.rs`).
#![forbid(unsafe_code)]
// Only the face is `pub`; the rooms' docs link to what the crate keeps to itself, which
// `cargo doc --document-private-items` (the contributors' view) shows.
#![allow(rustdoc::private_intra_doc_links)]

pub mod demo;
pub mod fleet;
pub mod plan;
pub mod shims;
pub mod toolchain;
