//! One tool from a name to the store: the store, resolution, install, the `vx install`
//! child, the store's inventory, trust and self update.
//!
//! Floor 5, the engine: one tool from a name to the store.
//!
//! - [`store`] (5.1): the store on disk, every user's (install, prune, list, the daemon,
//!   the shims): where it is, its trees and their receipts, the install locks, the work
//!   area an install commits from.
//! - [`install`] (5.2): download, verify, extract, post-install and move into the store,
//!   reporting through an [`install::ProgressSink`].
//! - 5.3: [`child`] (the child side, `vx install --from-parent`, publishing into its
//!   board slot), [`inventory`] (what the store holds), [`tracked`] (the projects that
//!   use a store), [`trust`] (the projects whose own settings apply), [`scratch`] (stores
//!   of runs that download aside), [`cache`] (`vx cache`), [`resolution`] (a name and a
//!   constraint to a locked download per platform), [`self_update`] (vx itself).
//!
//! Its rooms use each other by their finer floors and the floors below, never a
//! floor above (`docs/ARCHITECTURE.md`, "Floors of the library", held by
//! `tests/it/layering.rs`).
#![forbid(unsafe_code)]
// Only the face is `pub`; the rooms' docs link to what the crate keeps to itself, which
// `cargo doc --document-private-items` (the contributors' view) shows.
#![allow(rustdoc::private_intra_doc_links)]

pub mod cache;
pub mod child;
pub mod install;
pub mod inventory;
pub mod resolution;
pub mod scratch;
pub mod self_update;
pub mod store;
pub mod tracked;
pub mod trust;
