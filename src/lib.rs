//! `vx` as a library: everything the `vx` binary does, in testable pieces.
//!
//! The binary (`src/main.rs`, `src/cli.rs`, `src/commands/`) turns a command line into
//! a [`session::Session`] and an operation's request, then prints what [`present`]
//! makes of the report; nothing here knows the command line. The modules stand on
//! floors: each uses its own floor and those below, never above (`docs/ARCHITECTURE.md`,
//! "Floors of the library", which `tests/it/layering.rs` holds, with what each room
//! owns). From the top:
//!
//! - **10, what commands show**: [`present`], each report as text and every library
//!   error's exit code.
//! - **9, ways in**: [`doctor`] (`vx doctor`'s checks); [`daemon`] (`vx daemon`, the
//!   per-user process that answers editors and pushes store, project and sync events);
//!   [`hook`] (the shell hook that applies a project as `cd` enters and leaves it).
//! - **8, the session**: [`session`] (a project opened once: its manifest, runtimes,
//!   store and network settings, and every lower layer's context made from them);
//!   [`ops`] (one operation per file: a `&Session` and a request in, a report or a typed
//!   error out, nothing printed).
//! - **7, projects**: [`project`] (a manifest and its lock together: the sync plan and
//!   its run); [`toolchain`] (a project's installed tools and the `PATH` that puts them
//!   first); [`fleet`] (a project's downloads pushed to a registry or a bundle);
//!   [`demo`] (`vx sync --demo`); [`shims`] (one link per installed command);
//!   [`tasks`] (`[tasks]` run as a parallel graph, reporting through a sink, and the
//!   guard process that leaves nothing of a run behind).
//! - **6, the parent**: [`report`] (headless lines, JSON events and summaries from board
//!   snapshots); [`sync`] (the parent that runs one child per tool).
//! - **5, the engine**: [`install`] (download, verify, extract, post-install and move
//!   into the store, reporting through an [`install::ProgressSink`]); [`child`] (the
//!   child side, `vx install --from-parent`, publishing into its board slot);
//!   [`inventory`] (what the store holds); [`tracked`] (the projects that use a store);
//!   [`trust`] (the projects whose own settings apply); [`scratch`] (stores of runs that
//!   download aside); [`cache`] (`vx cache`); [`resolution`] (a name and a constraint to
//!   a locked download per platform); [`self_update`] (vx itself).
//! - **4, sources**: [`github`] (the GitHub client); [`registry`] (aqua's registry
//!   format); [`mirror`] (content-addressed mirrors); [`settings`] (the effective network
//!   settings and where each came from); [`backend`] (the language registries' formats:
//!   npm, PyPI, crates.io, Go modules); [`runtime`] (language runtimes read from their
//!   publishers' indexes).
//! - **3, project files**: [`spec`] (one resolved tool to install); [`import`] (other
//!   version managers' files); [`package_name`] (`npm:PKG`, `pypi:PKG`, … as written);
//!   [`manifest`] (`vx.toml`, or a mise project read in place); [`config_frame`] (the parent's one framed message to a
//!   child); [`lock`] (`vx.lock`); [`project_env`] (a project's environment applied);
//!   [`user_config`] (the user's `config.toml`).
//! - **2, network and signatures**: [`net`] (the one HTTP client: trust, proxies,
//!   credentials, URL rewrites, redirects); [`verify`] (signatures and attestations).
//! - **1, foundation**: [`atomic`] (a file replaced whole or not at all);
//!   [`bounded_read`] (a file others can name, read within a bound); [`signals`]
//!   (interrupt flags); [`validate`] (the field rules the manifest and the frame share);
//!   [`platform`] (everything of the OS beyond `std`, one implementation per platform
//!   chosen at compile time); [`mod@format`] (the download formats); [`version`] (the
//!   constraint syntax); [`bin_entry`] (a `bin` entry); [`launch`] (a program with
//!   leading arguments, Windows' stand-in for `#!`); [`secret`] (values that never
//!   print); [`utc`] (calendar dates); [`exit`] (exit codes and the top-level error);
//!   [`build_info`] (what this binary is).
#![forbid(unsafe_code)]

pub mod atomic;
pub mod backend;
pub mod bin_entry;
pub mod bounded_read;
pub mod build_info;
pub mod cache;
pub mod child;
pub mod config_frame;
pub mod daemon;
pub mod demo;
pub mod doctor;
pub mod exit;
pub mod fleet;
pub mod format;
pub mod github;
pub mod hook;
pub mod import;
pub mod install;
pub mod inventory;
pub mod launch;
pub mod lock;
pub mod manifest;
pub mod mirror;
pub mod net;
pub mod ops;
pub mod package_name;
pub mod platform;
pub mod present;
pub mod project;
pub mod project_env;
pub mod registry;
pub mod report;
pub mod resolution;
pub mod runtime;
pub mod scratch;
pub mod secret;
pub mod self_update;
pub mod session;
pub mod settings;
pub mod shims;
pub mod signals;
pub mod spec;
pub mod sync;
pub mod tasks;
pub mod toolchain;
pub mod tracked;
pub mod trust;
pub mod user_config;
pub mod utc;
pub mod validate;
pub mod verify;
pub mod version;

/// Prints a line on stderr like `eprintln!`, but never panics: with stderr closed
/// (`vx … 2>&1 | head`) the line is lost and the work goes on, as in ripgrep. The
/// line is sanitized as a whole ([`vx_text::sanitize`]): a path, a name or a server's
/// word in it cannot move the cursor or retitle the terminal, whoever forgot to.
#[macro_export]
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let line = format!($($arg)*);
        let _ = writeln!(std::io::stderr(), "{}", $crate::sanitize_line(&line));
    }};
}

/// [`note!`]'s sanitizer, reachable from the macro wherever it expands.
#[doc(hidden)]
pub fn sanitize_line(line: &str) -> std::borrow::Cow<'_, str> {
    vx_text::sanitize(line)
}
