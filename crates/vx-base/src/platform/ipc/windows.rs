//! The daemon's transport on Windows: a named pipe per user and endpoint
//! (`vx_shm::win::pipe`), whose name is written to the endpoint file.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use vx_shm::win::pipe::{Pipe, PipeListener, current_user_sid};

use super::Peer;

/// How long a client waits while every pipe instance is busy (the daemon makes the
/// next one right after each connection).
const BUSY_PATIENCE: Duration = Duration::from_secs(2);

pub(super) fn default_dir() -> PathBuf {
    std::env::var_os("LOCALAPPDATA")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .unwrap_or_else(std::env::temp_dir)
        .join("vx")
        .join("daemon")
}

pub(super) fn prepare_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

pub(super) fn me() -> String {
    current_user_sid().unwrap_or_else(|err| format!("an unknown user ({err})"))
}

/// `\\.\pipe\vx-daemon-<SID>-<16 hex digits of the endpoint path's SHA-256>`: one pipe
/// per user and endpoint, so daemons of other directories (tests, `VX_DAEMON_SOCKET`)
/// never meet.
pub(super) fn address(endpoint: &Path) -> String {
    let digest = Sha256::digest(endpoint.to_string_lossy().as_bytes());
    let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!(r"\\.\pipe\vx-daemon-{}-{hash}", me())
}

/// The endpoint file's creation time and size.
pub(super) type EndpointId = (Option<SystemTime>, u64);

pub(super) fn endpoint_id(endpoint: &Path) -> Option<EndpointId> {
    fs::symlink_metadata(endpoint)
        .ok()
        .map(|m| (m.created().ok(), m.len()))
}

#[derive(Debug)]
pub(super) struct Listener(PipeListener);

impl Listener {
    pub(super) fn bind(endpoint: &Path) -> io::Result<Listener> {
        let name = address(endpoint);
        let listener = PipeListener::bind(&name)?;
        // A new file each time (removed first), so a new daemon's endpoint has a new
        // identity.
        match fs::remove_file(endpoint) {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(err) => return Err(err),
        }
        fs::write(endpoint, format!("{name}\n"))?;
        Ok(Listener(listener))
    }

    pub(super) fn accept(&self) -> io::Result<Conn> {
        self.0.accept().map(|pipe| Conn(Arc::new(pipe)))
    }
}

#[derive(Debug)]
pub(super) struct Conn(Arc<Pipe>);

impl Conn {
    pub(super) fn connect(endpoint: &Path) -> io::Result<Conn> {
        let conn = Conn(Arc::new(Pipe::connect(&address(endpoint), BUSY_PATIENCE)?));
        match conn.peer()? {
            Peer::Me => Ok(conn),
            Peer::Other(server) => Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "the pipe is served by {server}, not by this user ({})",
                    me()
                ),
            )),
        }
    }

    pub(super) fn try_clone(&self) -> io::Result<Conn> {
        Ok(Conn(Arc::clone(&self.0)))
    }

    pub(super) fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.0.set_read_timeout(timeout);
        Ok(())
    }

    pub(super) fn peer(&self) -> io::Result<Peer> {
        let peer = self.0.peer_user_sid()?;
        Ok(if peer == current_user_sid()? {
            Peer::Me
        } else {
            Peer::Other(peer)
        })
    }

    pub(super) fn shutdown(&self) {
        self.0.close();
    }

    /// Named pipes have no half-close.
    pub(super) fn shutdown_write(&self) {}
}

impl Read for &Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self.0).read(buf)
    }
}

impl Write for &Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self.0).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
