//! Shims: one entry per command of the installed tools in
//! `<data dir>/vx/shims` ([`dir`]), for what never runs a shell hook (IDEs, cron,
//! `ssh host cmd`). Each entry is a link to the vx binary itself (a symbolic link on
//! Unix; a hard link, else a copy, of `vx.exe` named `CMD.exe` on Windows); vx invoked
//! under another name than its own ([`command_of`]) runs that command as the current
//! directory's project (else the user's global toolset) pins it: the binary's
//! `commands/shim.rs`.
//!
//! The set is every command of every tool version the store holds (as mise does):
//! which version runs is decided when the shim runs, by the directory it runs in, so
//! the set only has to cover them all. [`refresh`] makes the directory match the store
//! (after a sync, `vx use`, an install, an uninstall or a prune); an entry left for a
//! command nothing provides any more says so when run.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::io;
use std::path::{Path, PathBuf};

use crate::platform::fs as pfs;

/// The shims' directory under vx's data directory.
pub const DIR: &str = "shims";

/// `<data dir>/vx/shims` (`$XDG_DATA_HOME/vx/shims`, `~/.local/share/vx/shims`,
/// `%LOCALAPPDATA%\vx\shims`); `None` when no data directory is known.
pub fn dir() -> Option<PathBuf> {
    pfs::data_dir().map(|data| data.join("vx").join(DIR))
}

/// The command a shim named `argv0` (a program's `argv[0]`: a name or a path) stands
/// for; `None` when it is vx itself: a name starting with `vx` (`vx`, `vx.exe`,
/// `vx-1.4`), so vx renamed or versioned still works and no shim can shadow it, or
/// how `vx sync` starts its children: `/proc/self/exe` on Linux, a `.vx-image-…` link
/// elsewhere ([`crate::platform::image`]).
pub fn command_of(argv0: &OsStr) -> Option<String> {
    // `vx sync` starts its children through the image it runs
    // ([`crate::platform::image`]): that is vx too.
    if Path::new(argv0) == Path::new("/proc/self/exe") {
        return None;
    }
    let file = Path::new(argv0).file_name()?.to_str()?;
    let command = pfs::command_name(file).unwrap_or(file);
    (!is_reserved(command)).then(|| command.to_owned())
}

/// Whether `command` is a name no shim may have: vx's own, or its running-image
/// link's (`.vx-image-…`).
fn is_reserved(command: &str) -> bool {
    let key = pfs::command_key(command);
    key.starts_with("vx") || key.starts_with(".vx") || command.is_empty()
}

/// What a [`refresh`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refreshed {
    /// Entries made (new, or pointing elsewhere before).
    pub made: Vec<String>,
    /// Entries removed: no installed tool provides them any more.
    pub removed: Vec<String>,
}

/// Why the shims could not follow the store ([`follow`]).
#[derive(Debug, thiserror::Error)]
#[error("cannot refresh the shims in {}", dir.display())]
pub struct FollowError {
    /// The shims' directory.
    pub dir: PathBuf,
    /// Why.
    #[source]
    pub source: io::Error,
}

/// Makes the shims match what `store` holds, after something was installed or
/// removed there ([`refresh`] of [`dir`], linking to the vx the user reaches,
/// [`crate::self_update::own::invoked_exe`]). Only for the default store (a shim runs
/// what that one holds): any other store, no data directory or no readable own path
/// leaves the shims alone (`Ok(None)`). Best effort for the caller: a directory that
/// cannot be written is the error, and the command's own result stands.
pub fn follow(store: &Path) -> Result<Option<Refreshed>, FollowError> {
    if crate::install::store::locate(None).ok().as_deref() != Some(store) {
        return Ok(None);
    }
    let (Some(dir), Ok(program)) = (dir(), crate::self_update::own::invoked_exe()) else {
        return Ok(None);
    };
    match refresh(&dir, store, &program) {
        Ok(done) => Ok(Some(done)),
        Err(source) => Err(FollowError { dir, source }),
    }
}

/// Makes `shims` hold one entry linking to `program` (the vx binary) for each command
/// of the tools `store` holds, and nothing else. Entries already right are left as
/// they are, so a refresh with nothing new writes nothing.
pub fn refresh(shims: &Path, store: &Path, program: &Path) -> io::Result<Refreshed> {
    let wanted = commands(store);
    std::fs::create_dir_all(shims)?;
    let mut done = Refreshed::default();
    let mut present = BTreeSet::new();
    for entry in std::fs::read_dir(shims)?.flatten() {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let command = pfs::command_name(&name).unwrap_or(&name).to_owned();
        // What vx did not make stays as it is, wanted or not.
        if !is_shim(&entry.path(), &name, program) || wanted.contains(&command) {
            present.insert(command);
        } else {
            std::fs::remove_file(entry.path())?;
            done.removed.push(command);
        }
    }
    for command in &wanted {
        let link = shims.join(pfs::program_file_name(command));
        if present.contains(command)
            && (pfs::links_to(&link, program) || !link_is_ours(&link, program))
        {
            continue;
        }
        // Made beside it and renamed over it: a shim running meanwhile never finds
        // its name missing.
        let tmp = shims.join(format!(".{}.new", pfs::program_file_name(command)));
        let _ = std::fs::remove_file(&tmp);
        pfs::link_program(program, &tmp)?;
        std::fs::rename(&tmp, &link)?;
        done.made.push(command.clone());
    }
    Ok(done)
}

/// Whether the entry `name` at `path` is one vx made: a link to `program`, a
/// symbolic link to any vx binary (one since moved or replaced), or on Windows a
/// program file (`CMD.exe`: vx's hard links and copies cannot be told apart).
fn is_shim(path: &Path, name: &str, program: &Path) -> bool {
    pfs::links_to(path, program)
        || std::fs::read_link(path).is_ok_and(|target| command_of(target.as_os_str()).is_none())
        || pfs::command_name(name).is_some()
}

/// [`is_shim`] for a wanted entry's path.
fn link_is_ours(link: &Path, program: &Path) -> bool {
    let name = link.file_name().and_then(OsStr::to_str).unwrap_or_default();
    is_shim(link, name, program)
}

/// The command names of every installed tool in `store`: its executables' file names
/// (`rg` for `rg.exe` on Windows), those a shim cannot have left out.
pub fn commands(store: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for receipt in crate::inventory::receipts(store) {
        for bin in &receipt.bin {
            let file = bin.rsplit('/').next().unwrap_or(bin);
            let command = pfs::command_name(file).unwrap_or(file);
            if !is_reserved(command) && plain(command) {
                out.insert(command.to_owned());
            }
        }
    }
    out
}

/// Whether `command` can name a file of the shims' directory as it is: no separator,
/// no control character, not hidden (the directory's own temporary names are).
fn plain(command: &str) -> bool {
    !command.starts_with('.')
        && !command
            .chars()
            .any(|c| c == '/' || c == '\\' || c == ':' || c.is_control())
}

/// `inherited` (a `PATH` value) without `shims`: what a shim searches for a command
/// no tool provides, so it never finds itself again.
pub fn path_without(shims: Option<&Path>, inherited: Option<&OsStr>) -> std::ffi::OsString {
    let dirs: Vec<PathBuf> = inherited
        .map(|p| std::env::split_paths(p).collect())
        .unwrap_or_default();
    let Some(shims) = shims else {
        return crate::platform::search::join(&dirs);
    };
    // As `vx activate --shims` wrote it, or as it resolves: one lookup, not one per
    // entry (a shim runs on every call of the tool).
    let real = shims.canonicalize().ok();
    let same = |dir: &Path| dir == shims || real.as_deref() == Some(dir);
    let kept: Vec<PathBuf> = dirs.into_iter().filter(|d| !same(d)).collect();
    crate::platform::search::join(&kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vx_under_its_own_names_is_no_shim() {
        for name in [
            "vx",
            "/usr/local/bin/vx",
            "vx-1.4",
            "./vx",
            "/proc/self/exe",
            "/Applications/bin/.vx-image-1000-17000",
            ".vx-image-1000-17000.exe",
        ] {
            assert_eq!(command_of(OsStr::new(name)), None, "{name}");
        }
        assert_eq!(
            command_of(OsStr::new("/home/u/.local/share/vx/shims/node")).as_deref(),
            Some("node")
        );
        assert_eq!(command_of(OsStr::new("rg")).as_deref(), Some("rg"));
    }

    /// A store holding tool `t` 1 whose receipt lists `bin/t` and `bin/t2`.
    #[cfg(unix)]
    fn store_with_tool(root: &Path) -> PathBuf {
        let store = root.join("store");
        let tree = store.join("t/1");
        std::fs::create_dir_all(tree.join("bin")).unwrap();
        let receipt = serde_json::json!({
            "tool": "t", "version": "1", "url": "file:///t", "sha256": "0", "format": null,
            "strip_components": 0, "post_install": null, "options": {}, "bytes": 0,
            "installed_at": 0, "bin": ["bin/t", "bin/t2"]
        });
        std::fs::write(
            tree.join(crate::install::store::RECEIPT_FILE),
            receipt.to_string(),
        )
        .unwrap();
        store
    }

    #[cfg(unix)]
    #[test]
    fn a_refresh_links_every_command_removes_stale_shims_and_keeps_the_users_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_tool(dir.path());
        let program = dir.path().join("bin/vx");
        std::fs::create_dir_all(program.parent().unwrap()).unwrap();
        std::fs::write(&program, "vx").unwrap();
        let shims = dir.path().join("shims");
        std::fs::create_dir_all(&shims).unwrap();
        std::os::unix::fs::symlink(&program, shims.join("gone")).unwrap();
        std::fs::write(shims.join("mine"), "a user's file").unwrap();

        let done = refresh(&shims, &store, &program).unwrap();
        assert_eq!(done.made, ["t", "t2"]);
        assert_eq!(done.removed, ["gone"]);
        assert_eq!(std::fs::read_link(shims.join("t")).unwrap(), program);
        assert_eq!(
            std::fs::read_to_string(shims.join("mine")).unwrap(),
            "a user's file"
        );
        // Nothing new: nothing written.
        assert_eq!(
            refresh(&shims, &store, &program).unwrap(),
            Refreshed::default()
        );
    }

    #[test]
    fn the_shims_directory_is_left_out_of_the_path_searched() {
        let dir = tempfile::tempdir().unwrap();
        let shims = dir.path().join("shims");
        std::fs::create_dir(&shims).unwrap();
        let path = crate::platform::search::join(&[
            PathBuf::from("/a"),
            shims.clone(),
            PathBuf::from("/b"),
        ]);
        let left = path_without(Some(&shims), Some(&path));
        assert_eq!(
            std::env::split_paths(&left).collect::<Vec<_>>(),
            [PathBuf::from("/a"), PathBuf::from("/b")]
        );
    }
}
