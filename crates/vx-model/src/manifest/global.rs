//! The user's global toolset: a `vx.toml` (and its `vx.lock`) in vx's configuration
//! directory ([`vx_base::platform::fs::config_dir`], beside `config.toml`), written by
//! `vx use -g` and read like any project's. Outside a project it is the toolchain;
//! inside one it is layered under the project's: a tool the project lists comes from
//! the project, a tool only the global set lists is added after the project's.

use std::path::{Path, PathBuf};

use super::{LOCK_FILE, MANIFEST_FILE};

/// Where the global `vx.toml` is (it may not exist); `None` when no configuration
/// directory is known (neither `XDG_CONFIG_HOME` nor `HOME`).
pub fn path() -> Option<PathBuf> {
    vx_base::platform::fs::config_dir().map(|dir| dir.join(MANIFEST_FILE))
}

/// The global `vx.toml` when there is anything at its path: a FIFO, a device or a
/// link to one is there too, and refused by name when it is read, never taken for
/// "no global toolset".
pub fn existing() -> Option<PathBuf> {
    path().filter(|p| is_there(p))
}

/// Whether anything is at `path` (a link counts, even a dangling one: reading it then
/// says what is wrong).
pub fn is_there(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// The manifest of the toolchain at `start`: the nearest project's `vx.toml`, else
/// the global one when it exists.
pub fn find_or_global(start: &Path) -> Option<PathBuf> {
    search_or_global(start).manifest
}

/// [`find_or_global`], and the file of another user's the search for the project
/// stopped at ([`super::search::Found::stopped`]), for the caller to say.
pub fn search_or_global(start: &Path) -> super::search::Found {
    let found = super::search::search(start);
    super::search::Found {
        manifest: found.manifest.or_else(existing),
        stopped: found.stopped,
        monorepo: found.monorepo,
    }
}

/// The global `vx.toml` layered under the project of `manifest` (`None` when that
/// manifest is the global one itself, or no configuration directory is known). It
/// need not exist: its absence is a state too, watched like its presence.
pub fn under(manifest: &Path) -> Option<PathBuf> {
    let global = path()?;
    (!is_global(manifest, &global)).then_some(global)
}

/// Whether `manifest` is the global `vx.toml` (compared as absolute paths, and as
/// the files they name when both exist).
pub fn is_global(manifest: &Path, global: &Path) -> bool {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    if absolute(manifest) == absolute(global) {
        return true;
    }
    match (manifest.canonicalize(), global.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The files a toolchain layered over the global set also depends on: the global
/// `vx.toml` and its lock (either may be absent).
pub fn files(global: &Path) -> [PathBuf; 2] {
    [global.to_owned(), global.with_file_name(LOCK_FILE)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_global_manifest_is_recognised_by_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let global = dir.path().join("cfg/vx.toml");
        assert!(is_global(&global, &global));
        assert!(!is_global(&dir.path().join("p/vx.toml"), &global));
        assert_eq!(
            files(&global)[1],
            dir.path().join("cfg").join(LOCK_FILE),
            "the lock sits beside it"
        );
    }
}
