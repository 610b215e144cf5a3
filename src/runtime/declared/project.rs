//! Runtime declarations shipped with a project: `.vx/runtimes/NAME.toml` beside its
//! `vx.toml`, and those its registries publish (`[settings] registries = [{ …,
//! runtimes = ["runtimes/corp-jdk.toml"] }]`, [`super::registry`]), in the same format
//! and read by the same strict check as a user's own ([`super::user`]), so a lock
//! naming a company's runtime (`package = "runtime:acme-jdk"`,
//! `"corp:runtime:corp-jdk"`) installs on every machine that checks the project out,
//! not only on those whose user configuration holds the file.
//!
//! Whoever opens a project's manifest ([`open`]: the commands, the hook, the daemon)
//! reads its declarations once per process; from then on the project's runtimes are
//! found by name like any other ([`crate::runtime::find`]). A broken declaration is an
//! error naming the file (and the line, where TOML knows it) when the project is
//! opened; a built-in name or alias cannot be redefined, and one name declared twice
//! (by `.vx/runtimes/` and a registry, or by two registries) is an error naming both
//! files: which one the project means is not vx's to guess. A project's declaration
//! wins over a user's of the same name: it is what the project's lock was made from.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::super::{Runtime, RuntimeError};
use super::Declared;
use super::registry::{self, How};
use crate::lock::Lock;
use crate::manifest::Manifest;

/// The directory beside `vx.toml`.
pub const DIR: &str = ".vx/runtimes";

/// The projects opened in this process, each with its runtimes, in opening order.
type Opened = Vec<(PathBuf, &'static [&'static dyn Runtime])>;

static OPENED: Mutex<Opened> = Mutex::new(Vec::new());

/// Reads the runtime declarations of the project of `manifest` (its `.vx/runtimes/`
/// and its registries' `runtimes`, pinned by its lock, fetched as `how` allows), once
/// per process; `taken`: the names and aliases of vx's own runtimes, which a project
/// cannot redefine.
pub fn open(manifest: &Manifest, how: &How<'_>, taken: &[&str]) -> Result<(), RuntimeError> {
    let dir = manifest
        .path
        .parent()
        .unwrap_or_else(|| Path::new(""))
        .join(DIR);
    let mut opened = OPENED.lock().unwrap_or_else(|e| e.into_inner());
    if opened.iter().any(|(d, _)| *d == dir) {
        return Ok(());
    }
    let local = super::user::load(&dir, taken).map_err(RuntimeError::Declaration)?;
    let mut named: Vec<(String, String)> = Vec::new();
    for runtime in &local {
        let shown = dir
            .join(format!("{}.toml", runtime.name()))
            .display()
            .to_string();
        claim(&mut named, runtime, &shown)?;
    }
    let published = if manifest.registries.iter().any(|r| !r.runtimes.is_empty()) {
        // Its pins; read only for a project whose registries publish runtimes.
        let lock = Lock::load(&manifest.lock_path()).ok().flatten();
        registry::load(manifest, lock.as_ref(), how, taken)?
    } else {
        Vec::new()
    };
    let mut runtimes: Vec<&'static dyn Runtime> = Vec::new();
    for one in published {
        claim(&mut named, &one.runtime, &one.shown)?;
        runtimes.push(Box::leak(Box::new(one.runtime)));
    }
    for runtime in local {
        runtimes.push(Box::leak(Box::new(runtime)));
    }
    opened.push((dir, Box::leak(runtimes.into_boxed_slice())));
    Ok(())
}

/// Records `runtime`'s name and aliases as declared by `shown`; one already declared
/// by another file is an error naming both.
fn claim(
    named: &mut Vec<(String, String)>,
    runtime: &Declared,
    shown: &str,
) -> Result<(), RuntimeError> {
    for name in std::iter::once(runtime.name()).chain(runtime.aliases().iter().copied()) {
        if let Some((_, first)) = named.iter().find(|(n, _)| n == name) {
            return Err(RuntimeError::Declaration(format!(
                "{shown}: the name `{name}` is also declared by {first}; a project declares each runtime once (remove one, or rename it)"
            )));
        }
        named.push((name.to_owned(), shown.to_owned()));
    }
    Ok(())
}

/// The runtimes of every project opened so far, in opening order.
pub fn opened() -> Vec<&'static dyn Runtime> {
    let opened = OPENED.lock().unwrap_or_else(|e| e.into_inner());
    opened.iter().flat_map(|(_, r)| r.iter().copied()).collect()
}
