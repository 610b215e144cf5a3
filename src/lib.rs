//! `vx` as a library: everything the `vx` binary does, in testable pieces.
//!
//! The binary (`src/main.rs`, `src/cli.rs`, `src/commands/`) turns a command line into
//! a [`operations::session::Session`] and an operation's request, then prints what
//! [`presentation::present`] makes of the report; nothing here knows the command line.
//! The library stands on ten floors, one folder of `src/` each, its rooms inside: a
//! room uses its own floor and those below, never above (`docs/ARCHITECTURE.md`,
//! "Floors of the library", which `tests/it/layering.rs` holds, with what each room
//! owns). From the top:
//!
//! - 10, [`presentation`]: what commands show.
//! - 9, [`ways_in`]: the daemon, the shell hook, `vx doctor`.
//! - 8, [`operations`]: the session (a project opened once) and one operation per file.
//! - 7, [`projects`]: a manifest and its lock together: sync plans, the toolchain on
//!   `PATH`, fleets, shims, the demo, tasks.
//! - 6, [`parent`]: `vx sync`'s parent and the reports made from its board.
//! - 5, [`engine`]: one tool from a name to the store: resolution, install, the child.
//! - 4, [`sources`]: GitHub, aqua's registry, mirrors, the language registries, the
//!   runtimes' publishers, the network settings.
//! - 3, [`files`]: vx.toml (or a mise project in place), vx.lock, other managers'
//!   files, the user's config, the parent's frame.
//! - 2, [`network`]: the HTTP client and the checks of what it fetches.
//! - 1, [`foundation`]: the OS beyond `std`, formats, versions, atomic files, bounded
//!   reads, exit codes.
#![forbid(unsafe_code)]

pub mod engine;
pub mod files;
pub mod foundation;
pub mod network;
pub mod operations;
pub mod parent;
pub mod presentation;
pub mod projects;
pub mod sources;
pub mod ways_in;

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
