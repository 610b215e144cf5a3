//! `vx` as a library: what the `vx` binary shows, over the crates of its floors.
//!
//! The binary (`src/main.rs`, `src/cli.rs`, `src/commands/`) turns a command line into
//! a [`vx_ops::session::Session`] and an operation's request, then prints what
//! [`present`] makes of the report; nothing here knows the command line. The library
//! stands on the workspace's crates, each a floor named by what it holds, each standing
//! on those below it (`docs/ARCHITECTURE.md`, "Floors of the library"). From the top:
//!
//! - [`present`]: what commands show; [`doctor`]: `vx doctor`'s checks.
//! - `vx_daemon`, `vx_hook`: the daemon and the shell hook.
//! - `vx_ops`: the session (a project opened once) and one operation per file.
//! - `vx_tasks`: the project's tasks.
//! - `vx_project`: a manifest and its lock together: the sync plan, the toolchain on
//!   `PATH`, fleets, shims, the demo.
//! - `vx_sync`: `vx sync`'s parent and the reports made from its board.
//! - `vx_engine`: one tool from a name to the store: resolution, install, the child.
//! - `vx_sources`: GitHub, aqua's registry, mirrors, the language registries, the
//!   runtimes' publishers, the network settings.
//! - `vx_model`: vx.toml (or a mise project in place), vx.lock, the task model, other
//!   managers' files, the user's config, the parent's frame.
//! - `vx_net`: the HTTP client and the checks of what it fetches.
//! - `vx_base`: the OS beyond `std`, formats, versions, atomic files, bounded reads,
//!   exit codes, `note!`.
#![forbid(unsafe_code)]
// Only the face is `pub`; the rooms' docs link to what the crate keeps to itself, which
// `cargo doc --document-private-items` (the contributors' view) shows.
#![allow(rustdoc::private_intra_doc_links)]

pub mod doctor;
pub mod present;
