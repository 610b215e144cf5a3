//! Where tools come from: GitHub, aqua's registry, mirrors, the language registries and
//! the runtimes' publishers, and the network settings.
//!
//! Floor 4, sources: where versions and downloads come from.
//!
//! - [`github`] (4.1): the GitHub client.
//! - 4.2: [`registry`] (aqua's registry format), [`mirror`] (content-addressed mirrors),
//!   [`settings`] (the effective network settings and where each came from), [`backend`]
//!   (the language registries' formats: npm, PyPI, crates.io, Go modules).
//! - [`runtime`] (4.3): language runtimes read from their publishers' indexes; [`fuzz`]
//!   (4.3): the fuzz targets' entries (`fuzz/`), so the publishers' parsers stay the
//!   crate's own.
//!
//! Its rooms use each other by their finer floors and the floors below, never a
//! floor above (`docs/ARCHITECTURE.md`, "Floors of the library", held by
//! `tests/it/layering.rs`).
#![forbid(unsafe_code)]
// Only the face is `pub`; the rooms' docs link to what the crate keeps to itself, which
// `cargo doc --document-private-items` (the contributors' view) shows.
#![allow(rustdoc::private_intra_doc_links)]

pub mod backend;
pub mod fuzz;
pub mod github;
pub mod mirror;
pub mod registry;
pub mod runtime;
pub mod settings;
