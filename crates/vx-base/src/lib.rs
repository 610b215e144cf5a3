//! The ground every vx crate stands on: the OS beyond `std` (platform), formats,
//! versions, globs, atomic files, bounded reads, exit codes, and `note!`.
//!
//! Floor 1, the foundation: what every room stands on.
//!
//! - [`platform`]: everything of the OS beyond `std`, one implementation per platform
//!   chosen at compile time.
//! - [`mod@format`]: the download formats. [`version`]: the constraint syntax.
//! - [`bin_entry`]: a `bin` entry. [`glob`]: globs as vx.toml writes them (classes and
//!   braces too), one reading for task sources and outputs, the watcher, task names and
//!   workspace patterns.
//! - [`secret`]: values that never print. [`utc`]: calendar dates. [`exit`]: exit codes
//!   and the top-level error. [`build_info`]: what this binary is.
//! - On those (1.2): [`atomic`] (a file replaced whole or not at all), [`bounded_read`]
//!   (a file others can name, read within a bound), [`signals`] (interrupt flags),
//!   [`validate`] (the field rules the manifest and the frame share), [`launch`] (a
//!   program with leading arguments, Windows' stand-in for `#!`; a file it cannot
//!   write is an [`atomic::WriteError`], as any file a command cannot write),
//!   [`ownership`] (whose a file read on a project's behalf is: another user's, or one
//!   leading out of the project, is refused), [`gitignore`] (which files of a project
//!   git leaves out, read within the project only), [`tie`] (a process that ends with the
//!   vx that started it, even a SIGKILLed one: install children and `vx tied`).
//!
//! Its rooms use each other by their finer floors and the floors below, never a
//! floor above (`docs/ARCHITECTURE.md`, "Floors of the library", held by
//! `tests/it/layering.rs`).
#![forbid(unsafe_code)]
// Only the face is `pub`; the rooms' docs link to what the crate keeps to itself, which
// `cargo doc --document-private-items` (the contributors' view) shows.
#![allow(rustdoc::private_intra_doc_links)]

pub mod atomic;
pub mod bin_entry;
pub mod bounded_read;
pub mod build_info;
pub mod exit;
pub mod format;
pub mod gitignore;
pub mod glob;
pub mod launch;
pub mod ownership;
pub mod platform;
pub mod secret;
pub mod signals;
pub mod tie;
pub mod utc;
pub mod validate;
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
