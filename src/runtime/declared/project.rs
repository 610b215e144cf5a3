//! Runtime declarations shipped with a project: `.vx/runtimes/NAME.toml` beside its
//! `vx.toml`, in the same format and read by the same strict loader as a user's own
//! ([`super::user`]), so a lock naming a company's runtime (`package =
//! "runtime:acme-jdk"`) installs on every machine that checks the project out, not only
//! on those whose user configuration holds the file.
//!
//! Whoever opens a project's manifest ([`open`]: the commands, the hook, the daemon)
//! reads its declarations once per process; from then on the project's runtimes are
//! found by name like any other ([`crate::runtime::find`]). A broken declaration is an
//! error naming the file (and the line, where TOML knows it) when the project is
//! opened; a built-in name or alias cannot be redefined. A project's declaration wins
//! over a user's of the same name: it is what the project's lock was made from.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::super::{Runtime, RuntimeError};

/// The directory beside `vx.toml`.
pub const DIR: &str = ".vx/runtimes";

/// The projects opened in this process, each with its runtimes, in opening order.
type Opened = Vec<(PathBuf, &'static [&'static dyn Runtime])>;

static OPENED: Mutex<Opened> = Mutex::new(Vec::new());

/// Reads the runtime declarations of the project whose manifest is `manifest` (none
/// when it has no `.vx/runtimes/`), once per process; `taken`: the names and aliases
/// of vx's own runtimes, which a project cannot redefine.
pub fn open(manifest: &Path, taken: &[&str]) -> Result<(), RuntimeError> {
    let dir = manifest.parent().unwrap_or_else(|| Path::new("")).join(DIR);
    let mut opened = OPENED.lock().unwrap_or_else(|e| e.into_inner());
    if opened.iter().any(|(d, _)| *d == dir) {
        return Ok(());
    }
    let declared = super::user::load(&dir, taken).map_err(RuntimeError::Declaration)?;
    let runtimes: Vec<&'static dyn Runtime> = declared
        .into_iter()
        .map(|d| &*Box::leak(Box::new(d)) as &'static dyn Runtime)
        .collect();
    opened.push((dir, Box::leak(runtimes.into_boxed_slice())));
    Ok(())
}

/// The runtimes of every project opened so far, in opening order.
pub fn opened() -> Vec<&'static dyn Runtime> {
    let opened = OPENED.lock().unwrap_or_else(|e| e.into_inner());
    opened.iter().flat_map(|(_, r)| r.iter().copied()).collect()
}
