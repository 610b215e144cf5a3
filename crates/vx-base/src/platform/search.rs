//! Finding a command on a `PATH` the way `execvp` does, and building `PATH` values.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// The executable `command` runs with `path` as `PATH`: a command with a `/` is that
/// file; otherwise the first executable regular file `dir/command` of `path`'s
/// directories (empty entries mean the working directory, as in POSIX). On Windows
/// `rg` is also `rg.exe`, `rg.cmd`, … as `PATHEXT` lists them
/// ([`crate::platform::fs::executable_names`]).
pub fn find(command: &OsStr, path: &OsStr) -> Option<PathBuf> {
    if command.is_empty() {
        return None;
    }
    let as_path = Path::new(command);
    if as_path.components().count() > 1 {
        if is_executable(as_path) {
            return Some(as_path.to_path_buf());
        }
        // Windows: `tools\rg` is `tools\rg.exe`.
        let dir = as_path.parent().unwrap_or(Path::new(""));
        let file = as_path.file_name()?;
        return crate::platform::fs::executable_names(file)
            .iter()
            .filter(|name| name.as_os_str() != file)
            .map(|name| dir.join(name))
            .find(|candidate| is_executable(candidate));
    }
    let names = crate::platform::fs::executable_names(command);
    std::env::split_paths(path)
        .flat_map(|dir| {
            let dir = if dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                dir
            };
            names.iter().map(move |name| dir.join(name))
        })
        .find(|candidate| is_executable(candidate))
}

/// Whether `path` is a regular file (links followed) this user may execute.
pub fn is_executable(path: &Path) -> bool {
    crate::platform::fs::is_executable(path)
}

/// The character an entry of `PATH` cannot hold: `:`, the separator, on Unix; `"` on
/// Windows (where an entry holding `;` is written in quotes, as `std` joins it).
pub const NOT_IN_PATH: char = if cfg!(windows) { '"' } else { ':' };

/// Whether `dir` can be an entry of `PATH` (it does not hold [`NOT_IN_PATH`]).
pub fn fits_in_path(dir: &Path) -> bool {
    std::env::join_paths([dir]).is_ok()
}

/// `dirs` joined as a `PATH` value. Directories holding the separator cannot be in a
/// `PATH`; they are left out (store paths never do: the store is refused when it would
/// (`vx_engine::store::locate`), and tool names and versions are checked).
pub fn join(dirs: &[PathBuf]) -> OsString {
    std::env::join_paths(dirs.iter().filter(|d| fits_in_path(d))).unwrap_or_default()
}

/// `dirs` followed by the entries of `inherited` that are not among them.
pub fn prepend(dirs: &[PathBuf], inherited: Option<&OsStr>) -> OsString {
    let mut all: Vec<PathBuf> = dirs.to_vec();
    if let Some(inherited) = inherited.filter(|p| !p.is_empty()) {
        let ours: std::collections::HashSet<&Path> = dirs.iter().map(PathBuf::as_path).collect();
        all.extend(std::env::split_paths(inherited).filter(|d| !ours.contains(d.as_path())));
    }
    join(&all)
}

// Unix: the executables are told by their mode bits, the paths by `/` and `:`.
#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn finds_the_first_executable_like_execvp() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(a.join("tool"), "not executable").unwrap();
        std::fs::write(b.join("tool"), "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(b.join("tool"), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::create_dir(a.join("dir")).unwrap();
        let path = join(&[a.clone(), b.clone()]);
        assert_eq!(find(OsStr::new("tool"), &path), Some(b.join("tool")));
        assert_eq!(find(OsStr::new("dir"), &path), None);
        assert_eq!(find(OsStr::new("absent"), &path), None);
        assert_eq!(find(OsStr::new(""), &path), None);
        let direct = b.join("tool");
        assert_eq!(find(direct.as_os_str(), OsStr::new("")), Some(direct));
    }

    #[test]
    fn prepending_twice_changes_nothing() {
        let dirs = [PathBuf::from("/s/a/bin"), PathBuf::from("/s/b")];
        let once = prepend(&dirs, Some(OsStr::new("/usr/bin:/s/b:/bin")));
        assert_eq!(once, "/s/a/bin:/s/b:/usr/bin:/bin");
        assert_eq!(prepend(&dirs, Some(&once)), once);
        assert_eq!(prepend(&dirs, None), "/s/a/bin:/s/b");
        assert_eq!(join(&[PathBuf::from("/x:y"), PathBuf::from("/z")]), "/z");
    }
}
