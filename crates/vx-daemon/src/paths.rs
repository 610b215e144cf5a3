//! Where the daemon lives: its socket, the lock file that marks the live daemon, and
//! its log, all in one directory private to the user.
//!
//! The socket is `$VX_DAEMON_SOCKET` if set, else `daemon.sock` in the platform's
//! directory ([`vx_base::platform::ipc::default_dir`]: `$XDG_RUNTIME_DIR/vx`, else
//! `/tmp/vx-<uid>`; on Windows `%LOCALAPPDATA%\vx\daemon`, where `daemon.sock` names
//! the named pipe); `daemon.lock` and `daemon.log` sit beside it. On Unix the directory
//! is made 0700 (an existing one must be this user's and is tightened to 0700): in
//! `/tmp` anyone could have made it first.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use vx_base::platform;

use super::DaemonError;

/// The socket's file name in its directory (when not given by `VX_DAEMON_SOCKET`).
pub(crate) const SOCKET_FILE: &str = "daemon.sock";
/// The lock file: held (`flock`, exclusive) by the live daemon for its whole life.
pub(crate) const LOCK_FILE: &str = "daemon.lock";
/// The log file.
pub(crate) const LOG_FILE: &str = "daemon.log";

/// The daemon's files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    /// The directory holding them.
    pub dir: PathBuf,
    /// The endpoint clients connect to: the Unix socket, or on Windows the file naming
    /// the pipe ([`platform::ipc`]).
    pub socket: PathBuf,
    /// The lock file marking the live daemon (its content: the daemon's pid).
    pub lock: PathBuf,
    /// The log.
    pub log: PathBuf,
}

/// Whether a daemon holds the lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockState {
    /// No daemon: no lock file, or nobody holds it (a killed daemon's is free).
    Free,
    /// A live daemon holds it; its pid when the lock file names one.
    Held(Option<u32>),
}

impl Paths {
    /// The paths the environment gives (see the module docs).
    pub fn from_env() -> Paths {
        if let Some(socket) = std::env::var_os("VX_DAEMON_SOCKET").filter(|s| !s.is_empty()) {
            let socket = PathBuf::from(socket);
            return Paths::at(std::path::absolute(&socket).unwrap_or(socket));
        }
        Paths::at(platform::ipc::default_dir().join(SOCKET_FILE))
    }

    /// The paths for a socket at `socket`: the lock and log beside it.
    pub fn at(socket: PathBuf) -> Paths {
        let dir = socket
            .parent()
            .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
        Paths {
            lock: dir.join(LOCK_FILE),
            log: dir.join(LOG_FILE),
            socket,
            dir,
        }
    }

    /// Makes the directory exist and be this user's alone
    /// ([`platform::ipc::prepare_dir`]): on Unix 0700, and a link or a directory of
    /// someone else is refused.
    pub(crate) fn prepare_dir(&self) -> Result<(), DaemonError> {
        platform::ipc::prepare_dir(&self.dir).map_err(|source| DaemonError::Dir {
            path: self.dir.clone(),
            source,
        })
    }

    /// Opens (creating it, private to the user) the lock file, for the daemon to lock.
    pub(crate) fn open_lock(&self) -> io::Result<File> {
        platform::fs::new_private_file()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&self.lock)
    }

    /// Whether a daemon holds the lock: a shared lock can be taken exactly when no
    /// daemon holds its exclusive one. The kernel drops a dead process's lock, so a
    /// killed daemon's files read as free.
    pub fn lock_state(&self) -> LockState {
        let Ok(mut file) = File::open(&self.lock) else {
            return LockState::Free;
        };
        // Errors count as held: never start a second daemon on a doubt.
        if !vx_shm::liveness::lock_held(&file) {
            return LockState::Free;
        }
        let mut text = String::new();
        let pid = (&mut file)
            .take(32)
            .read_to_string(&mut text)
            .ok()
            .and_then(|_| text.trim().parse().ok());
        LockState::Held(pid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_and_log_sit_beside_the_socket() {
        let paths = Paths::at(PathBuf::from("/run/user/1/vx/daemon.sock"));
        assert_eq!(paths.dir, Path::new("/run/user/1/vx"));
        assert_eq!(paths.lock, Path::new("/run/user/1/vx/daemon.lock"));
        assert_eq!(paths.log, Path::new("/run/user/1/vx/daemon.log"));
    }

    #[test]
    #[cfg(unix)]
    fn the_directory_is_made_private() {
        use std::fs;
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let tmp = tempfile::tempdir().unwrap();
        let paths = Paths::at(tmp.path().join("d/daemon.sock"));
        paths.prepare_dir().unwrap();
        let mode = fs::metadata(&paths.dir).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o700);
        fs::set_permissions(&paths.dir, fs::Permissions::from_mode(0o755)).unwrap();
        paths.prepare_dir().unwrap();
        assert_eq!(fs::metadata(&paths.dir).unwrap().mode() & 0o777, 0o700);
    }

    #[test]
    fn a_held_lock_is_seen() {
        let tmp = tempfile::tempdir().unwrap();
        let paths = Paths::at(tmp.path().join("d/daemon.sock"));
        paths.prepare_dir().unwrap();
        assert_eq!(paths.lock_state(), LockState::Free);
        let lock = paths.open_lock().unwrap();
        assert_eq!(
            paths.lock_state(),
            LockState::Free,
            "a lock file nobody holds"
        );
        lock.try_lock().unwrap();
        // Windows' locks keep others from reading the file: the pid is then unknown.
        let pid = std::fs::write(&paths.lock, "4242\n")
            .is_ok()
            .then_some(4242);
        assert_eq!(paths.lock_state(), LockState::Held(pid));
        drop(lock);
        assert_eq!(paths.lock_state(), LockState::Free);
    }

    #[test]
    #[cfg(unix)]
    fn a_link_is_not_a_daemon_directory() {
        let tmp = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(tmp.path(), tmp.path().join("link")).unwrap();
        let paths = Paths::at(tmp.path().join("link/daemon.sock"));
        assert!(paths.prepare_dir().is_err());
    }
}
