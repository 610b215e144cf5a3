//! vx's files and their models: vx.toml (or a mise project in place), vx.lock, the task
//! model, other managers' files, the user's config, the parent's frame.
//!
//! Floor 3, project files: what a project and its user write.
//!
//! - [`spec`]: one resolved tool to install. [`import`]: other version managers' files
//!   (mise's file layout in one table: `import::mise::layout`).
//!   [`package_name`]: `npm:PKG`, `pypi:PKG`, … as written.
//! - [`task`] (3.2): what a task is (`Task`, its graph, the tasks of a `justfile` or
//!   `package.json`), as vx.toml, a file task or a mise file declares it.
//! - [`manifest`] (3.3): `vx.toml`, or a mise project read in place (mapped in memory,
//!   `manifest::in_place`), or a monorepo's root with its packages' tasks
//!   (`manifest::workspace`).
//! - On those (3.4): [`config_frame`] (the parent's one framed message to a child),
//!   [`lock`] (`vx.lock`), [`project_env`] (a project's environment applied),
//!   [`user_config`] (the user's `config.toml`).
//!
//! Its rooms use each other by their finer floors and the floors below, never a
//! floor above (`docs/ARCHITECTURE.md`, "Floors of the library", held by
//! `tests/it/layering.rs`).
#![forbid(unsafe_code)]
// Only the face is `pub`; the rooms' docs link to what the crate keeps to itself, which
// `cargo doc --document-private-items` (the contributors' view) shows.
#![allow(rustdoc::private_intra_doc_links)]

pub mod config_frame;
pub mod import;
pub mod lock;
pub mod manifest;
pub mod package_name;
pub mod project_env;
pub mod spec;
pub mod task;
pub mod user_config;
