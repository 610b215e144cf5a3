//! Which files of an unpacked tool are its executables: the manifest's `bin` list,
//! checked against the tree, or, without one, the executable regular files of `bin/`
//! (when it exists), else of a wheel's `DIST-VERSION.data/scripts/` (a PyPI program's
//! commands, whose names are not the package's: `rust-just`'s is `just`), else of the
//! top level: with an execute bit on Unix, with an extension of `PATHEXT` (`.exe`,
//! `.cmd`, …) on Windows ([`vx_base::platform::fs::looks_executable`]). The result goes
//! into the receipt, where
//! `vx list` and the activation commands read it. A bare executable (`format = "raw"`)
//! is placed at [`raw_name`] and is its tool's executable.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::Path;

use crate::store::RECEIPT_FILE;

/// Why a `bin` entry cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("bin `{entry}` {reason}")]
pub struct BinError {
    /// The entry as the manifest wrote it.
    pub entry: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// The executables of the unpacked `tree`: `listed` checked (each must be a file inside
/// the tree, links followed only while they stay inside), or found as described in the
/// module docs. Paths are relative to the tree, `/`-separated, sorted when found.
pub(crate) fn resolve(tree: &Path, listed: Option<&[String]>) -> Result<Vec<String>, BinError> {
    match listed {
        Some(entries) => entries.iter().map(|entry| named(tree, entry)).collect(),
        None => Ok(found(tree)),
    }
}

/// [`resolve`], and when it finds nothing in `tree` (a listed entry missing, or no
/// executable found) while the tree is one directory alone, [`resolve`] inside that
/// directory: an archive wrapped in a top-level folder (`tool-1.2-linux/…`) and
/// installed without `strip_components`, which aqua and mise unwrap as well. Returns
/// the executables (relative to the folder when one is returned) and the folder to
/// unwrap ([`unwrap_folder`]).
pub(crate) fn resolve_unwrapping(
    tree: &Path,
    listed: Option<&[String]>,
) -> Result<(Vec<String>, Option<OsString>), BinError> {
    let at_root = resolve(tree, listed);
    if matches!(&at_root, Ok(found) if !found.is_empty() || listed.is_some()) {
        return at_root.map(|found| (found, None));
    }
    let Some(folder) = lone_folder(tree) else {
        return at_root.map(|found| (found, None));
    };
    match resolve(&tree.join(&folder), listed) {
        Ok(found) if !found.is_empty() => Ok((found, Some(folder))),
        _ => at_root.map(|found| (found, None)),
    }
}

/// The one entry of `tree` when it is a directory (not a link) and alone.
fn lone_folder(tree: &Path) -> Option<OsString> {
    let mut entries = fs::read_dir(tree).ok()?;
    let first = entries.next()?.ok()?;
    if entries.next().is_some() {
        return None;
    }
    let is_dir = first.file_type().is_ok_and(|t| t.is_dir());
    is_dir.then(|| first.file_name())
}

/// Makes `tree/folder` the tree itself, through `scratch` (a path beside `tree` on the
/// same file system that does not exist yet): `strip_components` applied after the
/// fact.
pub(crate) fn unwrap_folder(tree: &Path, folder: &OsStr, scratch: &Path) -> std::io::Result<()> {
    fs::rename(tree.join(folder), scratch)?;
    fs::remove_dir(tree)?;
    fs::rename(scratch, tree)
}

/// Up to `limit` paths of `tree`, depth first in name order (`dir/` for a directory),
/// and whether there are more: what an archive holds, for an install that found no
/// executable in it.
pub(crate) fn first_entries(tree: &Path, limit: usize) -> (Vec<String>, bool) {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>, limit: usize) -> bool {
        let Ok(entries) = fs::read_dir(dir) else {
            return false;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(fs::DirEntry::file_name);
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if out.len() == limit {
                return true;
            }
            let path = format!("{prefix}{name}{}", if is_dir { "/" } else { "" });
            out.push(path.clone());
            if is_dir && walk(&entry.path(), &path, out, limit) {
                return true;
            }
        }
        false
    }
    let mut out = Vec::new();
    let more = walk(tree, "", &mut out, limit);
    (out, more)
}

/// Where a bare executable goes in the tree: at the one entry of `listed` when it has
/// exactly one (its path, for `NAME=PATH`), else at the tool's name.
pub(crate) fn raw_name<'a>(tool: &'a str, listed: Option<&'a [String]>) -> &'a str {
    match listed {
        Some([one]) => vx_base::bin_entry::path(one),
        _ => tool,
    }
}

/// Checks one entry; for `NAME=PATH` whose file is not called `NAME`, also makes the
/// command `NAME` beside the file (a relative symbolic link on Unix, a hard link on
/// Windows; for `NAME==PATH` a hard link everywhere, else a copy), so the command has
/// the name the entry gives it, unless the archive has a file of that name beside it
/// already: then that file is the command. Returns the command's path.
fn named(tree: &Path, entry: &str) -> Result<String, BinError> {
    let found = check(tree, vx_base::bin_entry::path(entry)).map_err(|e| BinError {
        entry: entry.to_owned(),
        reason: e.reason,
    })?;
    let Some((name, _)) = entry.split_once('=') else {
        return Ok(found);
    };
    let (dir, file) = found.rsplit_once('/').unwrap_or(("", &found));
    // The file's extension (`.exe`) stays: Windows finds commands by it.
    let ext = vx_base::platform::fs::command_name(file).map(|stem| &file[stem.len()..]);
    let command = format!("{name}{}", ext.unwrap_or(""));
    if command == file {
        return Ok(found);
    }
    let at = if dir.is_empty() {
        command.clone()
    } else {
        format!("{dir}/{command}")
    };
    let refuse = |reason| BinError {
        entry: entry.to_owned(),
        reason,
    };
    if fs::symlink_metadata(tree.join(&at)).is_ok() {
        // The archive has the command already (python-build-standalone's `bin/python`
        // beside `bin/python3`, pip's `bin/pip` beside `bin/pip3`): it is used as it
        // is, checked as a listed entry would be, so nothing of the archive is
        // overwritten and a command that cannot run is refused under its own path.
        return check(tree, &at);
    }
    let (file, link) = (tree.join(&found), tree.join(&at));
    if vx_base::bin_entry::is_hard(entry) {
        vx_base::platform::fs::hard_link_or_copy(&file, &link)
    } else {
        vx_base::platform::fs::link_beside(&file, &link)
    }
    .map_err(|_| refuse("cannot be linked under its command name"))?;
    Ok(at)
}

/// Checks one listed entry and returns it as found: itself, or on Windows itself with
/// an extension of `PATHEXT` when the archive holds `ruff.exe` for a listed `ruff`
/// ([`vx_base::platform::fs::executable_names`]).
fn check(tree: &Path, entry: &str) -> Result<String, BinError> {
    let refuse = |reason| BinError {
        entry: entry.to_owned(),
        reason,
    };
    let root = fs::canonicalize(tree).map_err(|_| refuse("cannot be checked"))?;
    let (dir, name) = entry.rsplit_once('/').unwrap_or(("", entry));
    let entry = vx_base::platform::fs::executable_names(name.as_ref())
        .into_iter()
        .filter_map(|n| n.into_string().ok())
        .map(|n| {
            if dir.is_empty() {
                n
            } else {
                format!("{dir}/{n}")
            }
        })
        .find(|candidate| fs::symlink_metadata(tree.join(candidate)).is_ok())
        .unwrap_or_else(|| entry.to_owned());
    let target = fs::canonicalize(tree.join(&entry)).map_err(|_| {
        // There, but leading nowhere: a link loop, or a link to what the archive lacks.
        if fs::symlink_metadata(tree.join(&entry)).is_ok() {
            refuse("is a link that leads nowhere (a loop, or a missing target)")
        } else {
            refuse("is not in the archive")
        }
    })?;
    if !target.starts_with(&root) {
        return Err(refuse("leads outside the install"));
    }
    match fs::metadata(&target) {
        // A listed executable is one: the execute bit an archive left out is set
        // (inside the install, as checked above).
        Ok(meta) if meta.is_file() => vx_base::platform::fs::mark_executable(&target)
            .map(|()| entry)
            .map_err(|_| refuse("cannot be made executable")),
        _ => Err(refuse("is not a file")),
    }
}

/// The executable regular files of `tree/bin` (if it is a directory) or else of `tree`.
fn found(tree: &Path) -> Vec<String> {
    let bin_dir = tree.join("bin");
    let (dir, prefix) = match fs::symlink_metadata(&bin_dir) {
        Ok(meta) if meta.is_dir() => (bin_dir, "bin/".to_owned()),
        _ => match wheel_scripts(tree) {
            Some(scripts) => {
                let prefix = format!("{scripts}/");
                (tree.join(scripts), prefix)
            }
            None => (tree.to_path_buf(), String::new()),
        },
    };
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|entry| {
            // Regular files only (no links, which could lead anywhere), executable.
            entry.metadata().is_ok_and(|m| {
                m.is_file() && vx_base::platform::fs::looks_executable(&entry.path(), &m)
            })
        })
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name != RECEIPT_FILE)
        .map(|name| format!("{prefix}{name}"))
        .collect();
    names.sort();
    names
}

/// An unpacked wheel's scripts directory, `DIST-VERSION.data/scripts` (PEP 427: a
/// program the wheel installs on `PATH`), when the tree is a wheel's (one `.data`
/// directory beside its `.dist-info`) and has one.
fn wheel_scripts(tree: &Path) -> Option<String> {
    let mut data = fs::read_dir(tree)
        .ok()?
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| name.ends_with(".data"));
    let dir = data.next()?;
    let scripts = format!("{dir}/scripts");
    let is_dir = |path: &str| fs::symlink_metadata(tree.join(path)).is_ok_and(|m| m.is_dir());
    (data.next().is_none() && is_dir(&dir) && is_dir(&scripts)).then_some(scripts)
}

// Unix: the trees are made with mode bits and symbolic links.
#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn file(path: &Path, mode: u32) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, b"#!/bin/sh\n").unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn without_a_list_the_executables_of_bin_or_the_top_level_are_found() {
        let tree = tempfile::tempdir().unwrap();
        let t = tree.path();
        file(&t.join("rg"), 0o755);
        file(&t.join("README"), 0o644);
        fs::write(t.join(RECEIPT_FILE), b"{}").unwrap();
        assert_eq!(resolve(t, None).unwrap(), ["rg"]);
        file(&t.join("bin/b"), 0o755);
        file(&t.join("bin/a"), 0o700);
        file(&t.join("bin/data"), 0o644);
        symlink("/bin/sh", t.join("bin/sh")).unwrap();
        assert_eq!(
            resolve(t, None).unwrap(),
            ["bin/a", "bin/b"],
            "bin/ wins, sorted"
        );
    }

    #[test]
    fn listed_entries_must_be_files_inside_the_tree() {
        let tree = tempfile::tempdir().unwrap();
        let t = tree.path();
        file(&t.join("bin/rg"), 0o755);
        file(&t.join("complete/rg.bash"), 0o644);
        symlink("bin/rg", t.join("rg")).unwrap();
        symlink("/etc/passwd", t.join("evil")).unwrap();
        symlink("loop", t.join("loop")).unwrap();
        let list = |entries: &[&str]| entries.iter().map(|e| (*e).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            resolve(t, Some(&list(&["bin/rg", "complete/rg.bash", "rg"]))).unwrap(),
            ["bin/rg", "complete/rg.bash", "rg"]
        );
        // A listed file the archive left without its execute bit gets it.
        let mode = fs::metadata(t.join("complete/rg.bash"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
        for (entry, reason) in [
            ("missing", "is not in the archive"),
            (
                "loop",
                "is a link that leads nowhere (a loop, or a missing target)",
            ),
            ("evil", "leads outside the install"),
            ("bin", "is not a file"),
        ] {
            let err = resolve(t, Some(&list(&[entry]))).unwrap_err();
            assert_eq!(err.reason, reason, "{entry}");
        }
    }

    #[test]
    fn a_lone_top_level_folder_is_looked_into_only_when_the_root_has_nothing() {
        let tree = tempfile::tempdir().unwrap();
        let t = tree.path();
        file(&t.join("rg-14-linux/rg"), 0o755);
        file(&t.join("rg-14-linux/doc/rg.1"), 0o644);
        let (found, folder) = resolve_unwrapping(t, None).unwrap();
        assert_eq!(
            (found, folder),
            (vec!["rg".to_owned()], Some("rg-14-linux".into()))
        );
        let listed = vec!["rg".to_owned()];
        let (found, folder) = resolve_unwrapping(t, Some(&listed)).unwrap();
        assert_eq!(
            (found, folder),
            (listed.clone(), Some("rg-14-linux".into()))
        );
        unwrap_folder(t, OsStr::new("rg-14-linux"), &t.with_extension("scratch")).unwrap();
        assert!(t.join("rg").is_file() && t.join("doc/rg.1").is_file());
        // Two folders and no executable: nothing is unwrapped; what is there is listed.
        let other = tempfile::tempdir().unwrap();
        file(&other.path().join("a/README"), 0o644);
        file(&other.path().join("b/README"), 0o644);
        assert_eq!(
            resolve_unwrapping(other.path(), None).unwrap(),
            (vec![], None)
        );
        assert_eq!(
            first_entries(other.path(), 3),
            (
                vec!["a/".to_owned(), "a/README".to_owned(), "b/".to_owned()],
                true
            )
        );
    }

    #[test]
    fn a_named_entry_makes_the_command_beside_its_file() {
        let tree = tempfile::tempdir().unwrap();
        let t = tree.path();
        file(&t.join("yq_linux_amd64"), 0o755);
        file(&t.join("dist/gh_2_linux/bin/gh"), 0o755);
        file(&t.join("taken"), 0o755);
        file(&t.join("other"), 0o755);
        let list = |entries: &[&str]| entries.iter().map(|e| (*e).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            resolve(
                t,
                Some(&list(&["yq=yq_linux_amd64", "gh=dist/gh_2_linux/bin/gh"]))
            )
            .unwrap(),
            ["yq", "dist/gh_2_linux/bin/gh"]
        );
        assert_eq!(
            fs::read_link(t.join("yq")).unwrap(),
            Path::new("yq_linux_amd64")
        );
        assert_eq!(fs::read(t.join("yq")).unwrap(), b"#!/bin/sh\n");
        // The archive's own `taken` is the command: used, not overwritten.
        assert_eq!(
            resolve(t, Some(&list(&["taken=other"]))).unwrap(),
            ["taken"]
        );
        assert!(fs::symlink_metadata(t.join("taken")).unwrap().is_file());
        // One the archive has that cannot run is refused under its own path, and
        // nothing is made in its place.
        fs::create_dir(t.join("dir")).unwrap();
        symlink("/etc/passwd", t.join("outside")).unwrap();
        for (entry, at, reason) in [
            ("dir=other", "dir", "is not a file"),
            ("outside=other", "outside", "leads outside the install"),
        ] {
            let err = resolve(t, Some(&list(&[entry]))).unwrap_err();
            assert_eq!((err.entry.as_str(), err.reason), (at, reason), "{entry}");
        }
        assert!(fs::symlink_metadata(t.join("dir")).unwrap().is_dir());
        let err = resolve(t, Some(&list(&["x=missing"]))).unwrap_err();
        assert_eq!(
            (err.entry.as_str(), err.reason),
            ("x=missing", "is not in the archive")
        );
        assert_eq!(raw_name("tool", Some(&list(&["jq=jq-linux"]))), "jq-linux");
    }

    #[test]
    fn a_hard_entry_makes_the_command_the_same_file_not_a_link() {
        use std::os::unix::fs::MetadataExt;
        let tree = tempfile::tempdir().unwrap();
        let t = tree.path();
        file(&t.join("pnpm"), 0o755);
        let list = vec!["pnpm".to_owned(), "pnpx==pnpm".to_owned()];
        assert_eq!(resolve(t, Some(&list)).unwrap(), ["pnpm", "pnpx"]);
        let (file, command) = (
            fs::metadata(t.join("pnpm")).unwrap(),
            fs::symlink_metadata(t.join("pnpx")).unwrap(),
        );
        assert!(command.file_type().is_file(), "not a symbolic link");
        assert_eq!((command.dev(), command.ino()), (file.dev(), file.ino()));
    }
}
