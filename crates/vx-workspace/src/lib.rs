//! A monorepo as it stands: its workspaces and packages (pnpm, npm, yarn, bun, Cargo,
//! uv, Go), the graph of their dependencies on each other, its turbo.json read in place,
//! and turbo's `--filter` over the graph.
//!
//! A pure core: it reads files under the root it is given and nothing else (no
//! network, no git, no process); what it cannot know (which files changed since a
//! ref) its caller passes in.
//!
//! - [`mod@discover`] finds the workspace and its packages.
//! - [`graph`] links them into a package graph: order, cycles, closures.
//! - [`turbo`] reads turbo.json (v1 and v2, package `extends`) into a typed model.
//! - [`turbo::plan`] expands `turbo run TASK` into the task graph turbo would run.
//! - [`filter`] parses and evaluates turbo's `--filter` selectors over the graph.
//! - [`walk`] walks the graph as turbo does for `...` and for what a change reaches:
//!   the root's dependencies counted as every package's.
//! - [`lockfile`] reads each lockfile per package, so two versions of it tell which
//!   packages' resolved dependencies changed.

#![forbid(unsafe_code)]
// Only the face is `pub`; the rooms' docs link to what the crate keeps to itself, which
// `cargo doc --document-private-items` (the contributors' view) shows.
#![allow(rustdoc::private_intra_doc_links)]

pub mod discover;
pub(crate) mod error;
pub mod filter;
pub(crate) mod graph;
pub mod lockfile;
pub(crate) mod package;
pub mod turbo;
pub(crate) mod walk;

mod jsonc;
mod npm_range;
mod order;
mod patterns;
mod read;

pub use discover::{Workspace, discover};
pub use error::{Error, Result};
pub use graph::Graph;
pub use package::{Declared, DepKind, Ecosystem, Package, ROOT, Target};
pub use walk::Walk;
