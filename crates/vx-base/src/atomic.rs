//! Replacing a file whole or not at all: the project files `vx` writes (`vx.toml`,
//! `vx.lock`) are written to a temporary file beside them, synced, then renamed over.
//! They are meant to be committed and shared, so the new file keeps the access of the
//! one it replaces (mode bits, and group where allowed), and a file written for the
//! first time is created as any other would be (0666 less the umask on Unix), never
//! with the owner-only mode of a temporary file. Cache files whose readers verify them
//! are replaced the same way without the sync ([`write_cache`]).
//!
//! A path that is a symbolic link (a dotfiles manager's: stow, chezmoi, home-manager
//! link `~/.config/vx/config.toml` and the global `vx.toml` into a repository) is
//! followed to the file it names, and that file is replaced, beside itself: the link
//! stays a link and the repository's copy holds the edit. A link to nothing is an
//! error naming the link and the target, not a file created wherever it points: for a
//! dotfiles link it means the repository moved or lost the file (the user wants to
//! know, not a copy written where they no longer look), and a cloned repository's
//! dangling `vx.lock` link must not make vx create files outside the project. A link
//! to anything but a regular file (a device, a directory) or a loop of links is
//! refused the same way.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A file that could not be written (replaced, or written plainly): its path and why.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}", path.display())]
pub struct WriteError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    #[source]
    pub source: io::Error,
}

/// The most links followed from one path (Linux's own limit).
const MAX_LINKS: usize = 40;

/// Writes `bytes` to `path` atomically; a reader sees the old file or the new one,
/// and the new one has the old one's access (or, for a new file, the default's).
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace(path, bytes, true)
}

/// [`write()`] without syncing to disk first: for cache files whose readers check them
/// (a digest, a checksum) and rebuild them when a crash left them torn, so a
/// multi-megabyte cache entry does not wait on the disk (the registry index).
pub fn write_cache(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace(path, bytes, false)
}

/// The file `path` names: `path` itself, or the regular file at the end of the chain
/// of symbolic links that starts there (a relative target taken from its link's
/// directory). A link to nothing, or to anything but a regular file (a device, a
/// directory), is an error naming the link and its target: vx writes through a link
/// only to replace a file that is there.
pub(crate) fn target(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_owned();
    for _ in 0..MAX_LINKS {
        let followed = current != path;
        let refuse = |why: &str| {
            Err(io::Error::other(format!(
                "{} is a symbolic link to {}, {why}",
                path.display(),
                current.display()
            )))
        };
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let to = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            Ok(meta) if followed && !meta.is_file() => {
                return refuse("which is not a regular file");
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound && followed => {
                return refuse(
                    "which does not exist: restore it, or remove the link for vx to write a file of its own",
                );
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "{}: more than {MAX_LINKS} symbolic links in a row (a loop?)",
        path.display()
    )))
}

fn replace(path: &Path, bytes: &[u8], sync: bool) -> io::Result<()> {
    let path = &target(path)?;
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let replaced = std::fs::metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_file);
    let mut builder = tempfile::Builder::new();
    builder.prefix(".vx-");
    if replaced.is_none()
        && let Some(permissions) = crate::platform::fs::new_shared_file_permissions()
    {
        builder.permissions(permissions);
    }
    let mut tmp = builder.tempfile_in(dir)?;
    if let Some(replaced) = &replaced {
        crate::platform::fs::keep_access(tmp.as_file(), replaced)?;
    }
    tmp.write_all(bytes)?;
    if sync {
        tmp.as_file().sync_all()?;
    }
    // On Windows a rename over a file another process is replacing or scanning at that
    // moment (a second `vx sync` writing the same `vx.lock`, an antivirus) fails for a
    // moment: try again, briefly.
    let mut waited = Duration::ZERO;
    loop {
        match tmp.persist(path) {
            Ok(_) => return Ok(()),
            Err(failed)
                if waited < RENAME_PATIENCE
                    && crate::platform::fs::is_transient_rename_error(&failed.error) =>
            {
                tmp = failed.file;
                std::thread::sleep(RENAME_RETRY);
                waited += RENAME_RETRY;
            }
            Err(failed) => return Err(failed.error),
        }
    }
}

/// How long a transiently refused rename is retried in all.
const RENAME_PATIENCE: Duration = Duration::from_secs(1);
/// The pause between two tries.
const RENAME_RETRY: Duration = Duration::from_millis(20);

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    use super::*;

    /// A group other than this process's that it may give a file: any for root, else
    /// one of its supplementary groups.
    fn another_group() -> Option<u32> {
        let own = rustix::process::getegid().as_raw();
        if rustix::process::geteuid().is_root() {
            return Some(own + 1);
        }
        let groups = rustix::process::getgroups().ok()?;
        groups.iter().map(|g| g.as_raw()).find(|&g| g != own)
    }

    #[test]
    fn a_replaced_file_keeps_its_mode_and_group() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vx.toml");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o664)).unwrap();
        let group = another_group();
        if let Some(group) = group {
            std::os::unix::fs::chown(&path, None, Some(group)).unwrap();
        }
        write(&path, b"new").unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(format!("{:o}", meta.mode() & 0o7777), "664");
        match group {
            Some(group) => assert_eq!(meta.gid(), group),
            None => eprintln!("no second group to give a file: its group is not checked"),
        }
    }
}

#[cfg(all(test, unix))]
mod link_tests {
    use super::*;

    #[test]
    fn a_link_is_kept_and_its_target_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let dotfiles = dir.path().join("dotfiles");
        std::fs::create_dir(&dotfiles).unwrap();
        std::fs::write(dotfiles.join("config.toml"), "old").unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir(&home).unwrap();
        // A relative link to a relative link: each taken from its own directory.
        std::os::unix::fs::symlink("../dotfiles/config.toml", home.join("second")).unwrap();
        std::os::unix::fs::symlink("second", home.join("config.toml")).unwrap();
        write(&home.join("config.toml"), b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(home.join("config.toml"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            std::fs::read_to_string(dotfiles.join("config.toml")).unwrap(),
            "new"
        );
        // No temporary file left beside the link or the target.
        assert_eq!(std::fs::read_dir(&dotfiles).unwrap().count(), 1);
        assert_eq!(std::fs::read_dir(&home).unwrap().count(), 2);

        // Dangling: refused, naming both, and nothing is created; so is a link to
        // something other than a regular file.
        std::fs::remove_file(dotfiles.join("config.toml")).unwrap();
        let err = write(&home.join("config.toml"), b"again")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("is a symbolic link to") && err.contains("which does not exist"),
            "{err}"
        );
        assert!(!dotfiles.join("config.toml").exists());
        std::os::unix::fs::symlink(&dotfiles, home.join("vx.toml")).unwrap();
        let err = write(&home.join("vx.toml"), b"x").unwrap_err().to_string();
        assert!(err.contains("which is not a regular file"), "{err}");
        assert!(dotfiles.is_dir());

        // A loop.
        std::os::unix::fs::symlink("b", home.join("a")).unwrap();
        std::os::unix::fs::symlink("a", home.join("b")).unwrap();
        let err = write(&home.join("a"), b"x").unwrap_err().to_string();
        assert!(err.contains("symbolic links in a row"), "{err}");
    }
}

#[cfg(all(test, windows))]
mod windows_tests {
    use super::*;

    #[test]
    fn a_target_held_for_a_moment_by_another_handle_is_replaced_once_free() {
        use std::os::windows::fs::OpenOptionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vx.lock");
        std::fs::write(&path, "old").unwrap();
        // Opened without FILE_SHARE_DELETE: nobody can rename over it while it is open,
        // as while another process replaces or scans the file.
        let holder = std::fs::OpenOptions::new()
            .read(true)
            .share_mode(1) // FILE_SHARE_READ
            .open(&path)
            .unwrap();
        // The scenario itself: the other party lets go after a moment.
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(150));
            drop(holder);
        });
        write(&path, b"new").unwrap();
        release.join().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
crate::exit_code! {
    // A file a command could not write (vx.toml by an import; exit 1).
    WriteError => |e| Error::environment(Because::new(
        format!("cannot write {}", e.path.display()),
        e.source,
    ));
}
