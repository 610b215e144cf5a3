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
//! The trusted manifests are kept by path (the directory's real path and the file's
//! name) in `<data dir>/vx/trusted.json`; the global toolset (the user's own file) and a
//! manifest `vx init` created are trusted.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The file of trusted manifests, in vx's data directory.
pub(crate) const FILE: &str = "trusted.json";
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
    vx_base::platform::fs::data_dir().map(|data| data.join("vx").join(FILE))
}

/// The path a manifest is trusted by: its directory's real path (links resolved, so
/// a project entered through a linked directory is the same project) and the file's
/// own name, not what a link of that name points at. A project's environment is read
/// relative to the directory its vx.toml is found in (`{project}`, env files,
/// `[settings] path`): a cloned repository whose vx.toml links to a trusted one (or
/// to the global toolset's) is another project, untrusted.
fn key(manifest: &Path) -> PathBuf {
    let absolute = std::path::absolute(manifest).unwrap_or_else(|_| manifest.to_owned());
    match (absolute.parent(), absolute.file_name()) {
        (Some(dir), Some(name)) => dir
            .canonicalize()
            .unwrap_or_else(|_| dir.to_owned())
            .join(name),
        _ => absolute,
    }
}

/// Reads the trusted file: a missing one trusts nothing; one that cannot be read or
/// is not this format is an error (it trusts nothing either, and `vx trust` does not
/// write over it, which would lose every entry it held).
fn read(file: &Path) -> io::Result<Trusted> {
    let bytes = match vx_base::bounded_read::read(file, MAX_BYTES) {
        Ok(bytes) => bytes,
        Err(e) if e.is_not_found() => return Ok(Trusted::default()),
        Err(e) => return Err(io::Error::other(e.to_string())),
    };
    serde_json::from_slice::<Trusted>(&bytes)
        .ok()
        .filter(|t| t.version == FORMAT)
        .ok_or_else(|| {
            io::Error::other(format!(
                "{} is not a file of trusted projects this vx reads (remove it, then trust your projects again)",
                file.display()
            ))
        })
}

/// Whether the project of `manifest` is trusted: the global toolset always is (by
/// its own path, not through a link to it).
pub fn is_trusted(manifest: &Path) -> bool {
    let key = key(manifest);
    if vx_model::manifest::global::path().is_some_and(|global| self::key(&global) == key) {
        return true;
    }
    file()
        .and_then(|file| read(&file).ok())
        .is_some_and(|trusted| trusted.manifests.contains(&key))
}

/// Trusts (`trusted`) or stops trusting the project of `manifest`; returns whether
/// that changed anything. Written atomically under a lock beside the file, so two
/// calls at once both count; a file that cannot be read is an error, never
/// overwritten.
pub fn set(manifest: &Path, trusted: bool) -> io::Result<bool> {
    let file = file().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "no data directory is known: {}",
                vx_base::platform::fs::DATA_DIR_UNSET
            ),
        )
    })?;
    let lock = crate::store::open_lock(&file.with_extension("lock"))?;
    lock.lock()?;
    let mut held = read(&file)?;
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
    vx_base::atomic::write(&file, &text)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corrupt_or_foreign_file_is_an_error_and_a_missing_one_trusts_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(FILE);
        assert!(read(&file).unwrap().manifests.is_empty());
        for text in [
            "",
            "{",
            "[1,2]",
            "{\"version\":9,\"manifests\":[\"/x/vx.toml\"]}",
        ] {
            std::fs::write(&file, text).unwrap();
            assert!(read(&file).is_err(), "{text}");
        }
        std::fs::write(&file, "{\"version\":1,\"manifests\":[\"/x/vx.toml\"]}").unwrap();
        assert_eq!(
            read(&file).unwrap().manifests,
            [PathBuf::from("/x/vx.toml")]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_manifest_is_keyed_by_its_real_directory_and_its_own_name() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("app");
        std::fs::create_dir_all(&real).unwrap();
        std::fs::write(real.join("vx.toml"), "").unwrap();
        // Entered through a linked directory: the same project.
        std::os::unix::fs::symlink(&real, dir.path().join("linked")).unwrap();
        assert_eq!(
            key(&dir.path().join("linked/vx.toml")),
            key(&real.join("vx.toml"))
        );
        // A vx.toml that links to the app's, in another directory: another project.
        let evil = dir.path().join("evil");
        std::fs::create_dir_all(&evil).unwrap();
        std::os::unix::fs::symlink(real.join("vx.toml"), evil.join("vx.toml")).unwrap();
        assert_ne!(key(&evil.join("vx.toml")), key(&real.join("vx.toml")));
    }
}
