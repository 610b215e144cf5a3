//! `vx` as a library: everything the `vx` binary does, in testable pieces.
//!
//! The binary (`src/main.rs`, `src/cli.rs`, `src/commands/`) turns a command line into
//! settings and calls these modules; nothing here knows the command line. See
//! `docs/ARCHITECTURE.md` for the layers and which room a change belongs in.
//!
//! - [`spec`]: what to install (one resolved tool); [`manifest`] parses `vx.toml` into
//!   an ordered list of them; [`mod@format`] and [`validate`] hold the rules they share.
//! - [`config_frame`]: the one framed message a `vx sync` parent writes to a child.
//! - [`install`]: download, verify, extract, post-install and move into the store
//!   (whose layout and preparation live in [`install::store`]), reporting through a
//!   [`install::ProgressSink`].
//! - [`tasks`]: `[tasks]` run as a parallel graph, reporting through a sink.
//! - [`sync`]: the parent that runs one child per tool; [`child`]: the child side
//!   (`vx install --from-parent`), publishing into its board slot.
//! - [`report`]: headless lines, JSON events and summary tables from board snapshots.
//! - [`toolchain`]: a project's installed tools, their executables and the `PATH`
//!   that puts them first (`vx exec`, `vx which`, `vx env`); [`inventory`]: what the
//!   store holds (`vx list`, `vx uninstall`, `vx prune`); [`hook`]: the shell hook
//!   that applies a project's tools and `[env]` as `cd` enters and leaves it.
//! - [`daemon`]: `vx daemon`, the per-user process that answers `resolve` over a
//!   Unix socket and pushes store, project and sync events to subscribers.
//! - [`demo`]: `vx sync --demo`, with the generated archives and loopback server the
//!   tests share.
//! - [`signals`] and [`exit`]: interrupt flags, exit codes and the top-level error.
//! - [`registry`]: aqua's registry format, so a tool can be named; [`resolution`]:
//!   a name and a constraint to a locked download per platform.
//! - [`net`]: the one HTTP client (trust, proxies, credentials, URL rewrites,
//!   redirects); [`mirror`]: content-addressed mirrors (OCI registries, URL templates,
//!   directories); [`fleet`]: pushing a project's downloads to a registry or a bundle.
//! - [`user_config`]: the user's `config.toml` (`[http]`, `[github]`, `[registry]`,
//!   `url_replacements`, `mirrors`); [`settings`]: the effective network settings and
//!   every setting with where it came from, for `vx config`.
//! - [`platform`]: process trees, interruption, `exec` and file rules, one
//!   implementation per platform chosen at compile time.
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
