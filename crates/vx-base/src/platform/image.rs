//! The image `vx sync` starts its children from: the very vx that runs the sync, even
//! once `vx self update` has put another vx at its path. A child speaks the config
//! frame of the binary it is, so a sync that started a new vx halfway through would
//! hand it a frame it may not read (issue 40).
//!
//! - On Linux, `/proc/self/exe`: the kernel keeps the running image reachable there
//!   whatever its file has become.
//! - Elsewhere (Windows, macOS), a hard link to the running file beside it,
//!   `.vx-image-SIZE-MTIME[.exe]`: `vx self update` renames a new file over the
//!   original name (macOS) or moves the running one aside first (Windows), and in both
//!   cases the link still names the old file. The name is a function of the file, so
//!   every sync of one vx shares one link instead of leaving one each; it sits in the
//!   executable's own directory because a hard link cannot leave its volume (and
//!   Windows looks for a program's DLLs beside it). A directory vx cannot write to
//!   (a system-wide install) gets no link: children then start from the path, as
//!   before.
//!
//! Each sync holds a shared lock on its link for as long as it runs. A sync sweeps
//! the links of other images (an update's leftovers) that no sync holds, so the
//! directory keeps at most one link per vx in use; on Windows a link whose image a
//! process still runs cannot be removed at all, and is left for a later sweep. The
//! names start with `.vx` so that `vx_project::shims` takes a child started through one
//! for vx itself, not for a shim.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// What every link's name starts with.
const PREFIX: &str = ".vx-image-";

/// How many times a link swept away between making it and locking it is made again.
const ATTEMPTS: usize = 3;

/// The file a sync starts its children from, held for as long as the value lives.
#[derive(Debug)]
pub struct RunningImage {
    path: PathBuf,
    /// The shared lock on the link that keeps other syncs' sweeps off it.
    _held: Option<File>,
}

impl RunningImage {
    /// The path to start a child from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The image this process runs (see the module doc): `/proc/self/exe` on Linux, a
    /// held link beside the executable elsewhere, or the executable's path where no
    /// link can be made.
    pub fn current() -> io::Result<RunningImage> {
        let proc_exe = Path::new("/proc/self/exe");
        if cfg!(target_os = "linux") && proc_exe.exists() {
            return Ok(RunningImage {
                path: proc_exe.to_owned(),
                _held: None,
            });
        }
        let exe = std::env::current_exe()?;
        Ok(RunningImage::beside(&exe).unwrap_or(RunningImage {
            path: exe,
            _held: None,
        }))
    }

    /// A held link to `exe` in its directory, after sweeping the links of other images
    /// there; `None` when no link can be made (the directory is not writable, or the
    /// file system has no hard links).
    pub(crate) fn beside(exe: &Path) -> Option<RunningImage> {
        let dir = exe.parent()?;
        sweep(dir, Some(exe));
        let link = dir.join(link_name(&fs::metadata(exe).ok()?)?);
        for _ in 0..ATTEMPTS {
            match fs::hard_link(exe, &link) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    if !same_file::is_same_file(&link, exe).unwrap_or(false) {
                        // Another file under this image's name: never started from.
                        return None;
                    }
                }
                Err(_) => return None,
            }
            let held = File::open(&link).ok()?;
            held.lock_shared().ok()?;
            // Held now, so no sweep removes it; it may have gone just before.
            if same_file::is_same_file(&link, exe).unwrap_or(false) {
                return Some(RunningImage {
                    path: link,
                    _held: Some(held),
                });
            }
        }
        None
    }
}

/// `.vx-image-SIZE-MTIME[.exe]` for the file whose metadata is `meta`: two files share
/// a name only if they share both, which a rebuilt or updated vx does not.
fn link_name(meta: &fs::Metadata) -> Option<String> {
    let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some(format!(
        "{PREFIX}{}-{}{}",
        meta.len(),
        modified.as_nanos(),
        std::env::consts::EXE_SUFFIX
    ))
}

/// Removes the links in `dir` that no sync holds, except those to `keep` (the running
/// vx's own, which the next sync reuses; `None` when vx itself goes: `vx self
/// uninstall`). Returns what was removed.
pub fn sweep(dir: &Path, keep: Option<&Path>) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let is_link = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with(PREFIX));
        let path = entry.path();
        let kept = keep.is_some_and(|exe| same_file::is_same_file(&path, exe).unwrap_or(true));
        if !is_link || kept {
            continue;
        }
        // Locked while removing, so a sync that is about to hold it finds it gone and
        // makes its own.
        if vx_shm::liveness::remove_unheld(&path) {
            removed.push(path);
        }
    }
    removed.sort();
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(dir: &Path, name: &str, content: &str) -> PathBuf {
        let path = dir.join(name);
        fs::write(&path, content).unwrap();
        path
    }

    /// Puts `new` at `exe`'s path as `vx self update` does: renamed over it on Unix;
    /// on Windows, where a file that is open (here: held through its link) cannot be
    /// replaced, the old one moved aside first.
    fn update(new: &Path, exe: &Path) {
        if cfg!(windows) {
            fs::rename(exe, exe.with_extension("old")).unwrap();
        }
        fs::rename(new, exe).unwrap();
    }

    fn links(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.starts_with(PREFIX))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_link_still_names_the_old_file_after_a_new_one_is_put_at_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let exe = program(dir.path(), "vx", "old vx");
        let image = RunningImage::beside(&exe).unwrap();
        assert_eq!(image.path().parent(), Some(dir.path()));
        let new = program(dir.path(), "vx.new", "new vx");
        update(&new, &exe);
        assert_eq!(fs::read_to_string(image.path()).unwrap(), "old vx");
        assert_eq!(fs::read_to_string(&exe).unwrap(), "new vx");
    }

    #[test]
    fn syncs_of_one_vx_share_one_link() {
        let dir = tempfile::tempdir().unwrap();
        let exe = program(dir.path(), "vx", "vx");
        let first = RunningImage::beside(&exe).unwrap();
        let second = RunningImage::beside(&exe).unwrap();
        assert_eq!(first.path(), second.path());
        assert_eq!(links(dir.path()).len(), 1);
    }

    #[test]
    fn another_images_link_goes_once_no_sync_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let exe = program(dir.path(), "vx", "old vx");
        let old = RunningImage::beside(&exe).unwrap();
        let old_link = old.path().to_owned();
        // The update: a new vx (another size, so another name) at the path.
        let new = program(dir.path(), "vx.new", "the new vx");
        update(&new, &exe);

        // The old sync still runs: its link stays while the new one is made.
        let current = RunningImage::beside(&exe).unwrap();
        assert_ne!(current.path(), old_link);
        assert!(old_link.exists());
        assert_eq!(links(dir.path()).len(), 2);

        // Once it ends, the next sync's sweep removes it, and keeps its own.
        drop(old);
        assert_eq!(sweep(dir.path(), Some(&exe)), vec![old_link.clone()]);
        assert_eq!(
            links(dir.path()),
            vec![current.path().file_name().unwrap().to_str().unwrap()]
        );
    }

    #[test]
    fn a_directory_without_the_file_gives_no_link() {
        let dir = tempfile::tempdir().unwrap();
        assert!(RunningImage::beside(&dir.path().join("vx")).is_none());
        assert!(links(dir.path()).is_empty());
    }
}
