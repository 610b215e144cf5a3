//! Replacing a file whole or not at all: the project files `vx` writes (`vx.toml`,
//! `vx.lock`) are written to a temporary file beside them, synced, then renamed over.

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

/// Writes `bytes` to `path` atomically; a reader sees the old file or the new one.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new().prefix(".vx-").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
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

#[cfg(all(test, windows))]
mod tests {
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
