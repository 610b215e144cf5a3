//! The daemon's log: one line per event worth knowing (start, stop, refused peers,
//! errors), in a file beside the socket that never grows past [`MAX_LOG_BYTES`]: when
//! it would, it becomes `daemon.log.1` (replacing the previous one) and a new file
//! starts, so at most twice that is kept.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The most one log file holds.
pub(crate) const MAX_LOG_BYTES: u64 = 1 << 20;

/// A size-capped log file, shared by the daemon's threads.
#[derive(Debug)]
pub(crate) struct Log {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    file: Option<File>,
    written: u64,
    cap: u64,
}

impl Log {
    /// Appends to the log at `path` (created 0600), capped at [`MAX_LOG_BYTES`].
    pub(crate) fn open(path: &Path) -> io::Result<Log> {
        Log::with_cap(path, MAX_LOG_BYTES)
    }

    /// [`Log::open`] with another cap (tests).
    pub(crate) fn with_cap(path: &Path, cap: u64) -> io::Result<Log> {
        let file = append(path)?;
        let written = file.metadata()?.len();
        Ok(Log {
            inner: Mutex::new(Inner {
                path: path.to_path_buf(),
                file: Some(file),
                written,
                cap,
            }),
        })
    }

    /// Writes `message` as one line, stamped with the time (seconds since the epoch)
    /// and the pid. Newlines in it are escaped so a line stays a line. Failures are
    /// ignored: the daemon goes on without its log.
    pub(crate) fn line(&self, message: &str) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let text = format!(
            "{}.{:03} [{}] {}\n",
            now.as_secs(),
            now.subsec_millis(),
            std::process::id(),
            message.escape_default()
        );
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if inner.written + text.len() as u64 > inner.cap {
            inner.rotate();
        }
        let Some(file) = inner.file.as_mut() else {
            return;
        };
        if file.write_all(text.as_bytes()).is_ok() {
            inner.written += text.len() as u64;
        }
    }
}

impl Inner {
    /// Moves the full log aside and starts a new one.
    fn rotate(&mut self) {
        self.file = None;
        let mut old = self.path.clone().into_os_string();
        old.push(".1");
        let _ = fs::rename(&self.path, old);
        self.file = append(&self.path).ok();
        self.written = 0;
    }
}

/// Opens the log at `path` for appending, creating it private to the user: the
/// daemon's own handle, and the one `vx daemon start` gives the daemon's stdout and
/// stderr.
pub(crate) fn append(path: &Path) -> io::Result<File> {
    vx_base::platform::fs::new_private_file()
        .append(true)
        .create(true)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_rotates_at_its_cap_and_keeps_lines_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("daemon.log");
        let log = Log::with_cap(&path, 200).unwrap();
        for i in 0..20 {
            log.line(&format!("line {i}\nwith a newline"));
        }
        let now = fs::read_to_string(&path).unwrap();
        let old = fs::read_to_string(tmp.path().join("daemon.log.1")).unwrap();
        assert!(now.len() <= 200 && old.len() <= 200, "{now:?} {old:?}");
        assert!(now.contains("line 19\\nwith a newline\n"), "{now:?}");
        assert!(old.lines().all(|l| l.contains("with a newline")));
    }
}
