//! The session (a project opened once: [`session`]) and one operation per file, each
//! taking a request and returning a report.
//!
//! What the commands do, as a library: one file per operation. Each takes an opened
//! project ([`crate::session::Session`]) and a request struct, does the work and
//! returns a report, or a typed error; none prints, none reads the command line. A
//! command is then thin: its arguments → `Session::open` → `ops::X` → what it prints
//! → its exit code (see CONTRIBUTING.md, "Writing a command").
//!
//! - [`board`]: boards looked at from outside their sync or run (`vx board`).
//! - [`prune`]: the store's versions no project uses, killed installs' work
//!   directories and stale partial downloads, removed (or listed).
//! - [`exec`]: a command run in place of vx, in a toolchain's environment.
//! - [`install`]: one download installed by hand, outside any project (`vx install`).
//! - [`import`]: another version manager's files imported into vx.toml's text.
//! - [`push`]: the project's lock and its downloads sent to an OCI registry or an
//!   image layout.
//! - [`lock`]: the lock filled for a set of platforms, or checked.
//! - [`x`]: a registry tool resolved without a project (`vx x`, `vx TOOL@VERSION`).
//! - [`sync`]: every tool of the project installed, checked against its lock.
//! - [`edit`]: vx.toml edited (`vx add`, `use`, `upgrade`, `remove`), locked and
//!   written with its lock, or neither.
//! - [`target`]: what a command run in a toolchain needs installed, installed first
//!   (`vx exec`, `vx CMD`, `vx x`, `vx run`).
//! - [`logs`]: a task's output read from its run's board (`vx logs`).
//! - [`registry`]: a registry package shown per platform; the standard registry moved.
//! - [`run`]: the tasks a `vx run` chose, their plan and the toolchain they run in.
//! - [`snapshot`]: vx.toml and vx.lock as an edit found them, to put back.
//! - [`search`]: runtimes and registry packages matching a term, ranked.
//! - [`shim`]: a shim's command run as the directory's project pins it.
#![forbid(unsafe_code)]
// Only the face is `pub`; the rooms' docs link to what the crate keeps to itself, which
// `cargo doc --document-private-items` (the contributors' view) shows.
#![allow(rustdoc::private_intra_doc_links)]

pub mod session;

pub mod board;
pub mod edit;
pub mod exec;
pub mod import;
pub mod install;
pub mod lock;
pub mod logs;
pub mod outdated;
pub mod prune;
pub mod push;
pub mod registry;
pub mod run;
pub mod search;
pub mod shim;
pub mod snapshot;
pub mod sync;
pub mod target;
pub mod x;
