//! Which projects' own environment vx applies without being asked. A project's
//! `[env]`, env files (`[settings] env_file`) and `[settings] path` can run code in the
//! user's shell (`PS1` with `$(…)`, `PROMPT_COMMAND`, `LD_PRELOAD`, a `bin/ls` put first
//! on `PATH`): the shell hook, which applies a project on `cd` alone, and the shims,
//! which apply it to whatever command they stand for, apply them only for a project
//! the user trusted (`vx trust`), as mise's `trust` and direnv's `allow` do. Without
//! it they still put the project's tools (from the store, installed by an explicit
//! `vx sync`) first on `PATH`. What the user asks of a project by name (`vx exec`,
//! `vx run`, `vx env`) needs no trust: running it is the user's decision.
//!
//! The trusted manifests are kept by path (the file's real path, links resolved) in
//! `<data dir>/vx/trusted.json`; the global toolset (the user's own file) and a
//! manifest `vx init` created are trusted.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The file of trusted manifests, in vx's data directory.
pub const FILE: &str = "trusted.json";
/// The largest trusted file read: a path is a few hundred bytes.
const MAX_BYTES: u64 = 4 << 20;
/// Its format version.
const FORMAT: u32 = 1;

#[derive(Default, Serialize, Deserialize)]
struct Trusted {
    version: u32,
    /// The real paths of the trusted manifests, sorted.
    manifests: Vec<PathBuf>,
}

/// Where the trusted manifests are recorded: `<data dir>/vx/trusted.json`; `None`
/// when no data directory is known.
pub fn file() -> Option<PathBuf> {
    crate::platform::fs::data_dir().map(|data| data.join("vx").join(FILE))
}

/// The path a manifest is trusted by: its real path (links resolved), else its
/// absolute path.
fn key(manifest: &Path) -> PathBuf {
    manifest
        .canonicalize()
        .or_else(|_| std::path::absolute(manifest))
        .unwrap_or_else(|_| manifest.to_owned())
}

/// Reads the trusted file; a missing, unreadable or foreign one trusts nothing.
fn read(file: &Path) -> Trusted {
    crate::bounded_read::read(file, MAX_BYTES)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Trusted>(&bytes).ok())
        .filter(|t| t.version == FORMAT)
        .unwrap_or_default()
}

/// Whether the project of `manifest` is trusted: the global toolset always is.
pub fn is_trusted(manifest: &Path) -> bool {
    if crate::manifest::global::path()
        .is_some_and(|global| crate::manifest::global::is_global(manifest, &global))
    {
        return true;
    }
    let Some(file) = file() else {
        return false;
    };
    read(&file).manifests.contains(&key(manifest))
}

/// Trusts (`trusted`) or stops trusting the project of `manifest`; returns whether
/// that changed anything. Written atomically under a lock beside the file, so two
/// calls at once both count.
pub fn set(manifest: &Path, trusted: bool) -> io::Result<bool> {
    let file = file().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "no data directory is known (set {})",
                crate::platform::fs::DATA_DIR_VARIABLES
            ),
        )
    })?;
    let lock = crate::install::store::open_lock(&file.with_extension("lock"))?;
    lock.lock()?;
    let mut held = read(&file);
    let key = key(manifest);
    let had = held.manifests.contains(&key);
    if had == trusted {
        return Ok(false);
    }
    if trusted {
        held.manifests.push(key);
        held.manifests.sort();
    } else {
        held.manifests.retain(|m| *m != key);
    }
    held.version = FORMAT;
    let mut text = serde_json::to_vec_pretty(&held).map_err(io::Error::other)?;
    text.push(b'\n');
    crate::atomic::write(&file, &text)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_foreign_or_corrupt_file_trusts_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(FILE);
        for text in [
            "",
            "{",
            "[1,2]",
            "{\"version\":9,\"manifests\":[\"/x/vx.toml\"]}",
        ] {
            std::fs::write(&file, text).unwrap();
            assert!(read(&file).manifests.is_empty(), "{text}");
        }
        std::fs::write(&file, "{\"version\":1,\"manifests\":[\"/x/vx.toml\"]}").unwrap();
        assert_eq!(read(&file).manifests, [PathBuf::from("/x/vx.toml")]);
    }
}
