//! The daemon's local transport, one API over a Unix socket (Unix) and a per-user
//! named pipe (Windows). The same newline-delimited JSON flows over either.
//!
//! | | Unix | Windows |
//! |---|---|---|
//! | endpoint | the socket file (`daemon.sock`), mode 0600, in a 0700 directory of the user's | the pipe `\\.\pipe\vx-daemon-<SID>-<hash of the endpoint path>`; the endpoint path holds its name, as a marker that the daemon watches |
//! | who may connect | the directory and file modes; the daemon then checks the peer's uid (`SO_PEERCRED`; on macOS, which rustix does not wrap `LOCAL_PEERCRED` for, the modes alone) | the pipe's DACL grants the user's SID alone, and the daemon checks the client process's user; remote clients are rejected |
//! | who the client talks to | the directory is the user's (checked when the daemon makes it) | the client checks that the server process runs as the user: a pipe another user made first is refused |
//! | read timeouts | `SO_RCVTIMEO` | an overlapped read, cancelled when it expires |
//! | half-close | `shutdown(Write)` | none (the other end sees the end when the connection closes) |

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// The directory the daemon's files go in by default: `$XDG_RUNTIME_DIR/vx`, else
/// `<temp>/vx-<uid>` on Unix; `%LOCALAPPDATA%\vx\daemon` on Windows.
pub fn default_dir() -> PathBuf {
    imp::default_dir()
}

/// Makes `dir` exist and be the user's alone. On Unix: mode 0700 (tightened if
/// needed); a link, or a directory of another user, is refused (someone could have
/// made it first in `/tmp`). On Windows: created (the user's local app-data directory
/// is private by its ACL).
pub fn prepare_dir(dir: &Path) -> io::Result<()> {
    imp::prepare_dir(dir)
}

/// Who this process runs as, for messages: `uid 1000`, or a SID on Windows.
pub fn me() -> String {
    imp::me()
}

/// What the endpoint is called where a client finds it: the socket's path, or the
/// pipe's name.
pub fn address(endpoint: &Path) -> String {
    imp::address(endpoint)
}

/// The identity of the endpoint file at `endpoint`: a daemon whose endpoint was
/// removed or replaced is unreachable and stops. `None` when it is gone.
pub fn endpoint_id(endpoint: &Path) -> Option<EndpointId> {
    imp::endpoint_id(endpoint).map(EndpointId)
}

/// See [`endpoint_id`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointId(imp::EndpointId);

/// The user at the other end of a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Peer {
    /// This process's user.
    Me,
    /// Someone else, as [`me`] would name them.
    Other(String),
}

/// A listening endpoint.
#[derive(Debug)]
pub struct Listener(imp::Listener);

impl Listener {
    /// Listens at `endpoint`, replacing what a dead daemon left there: the caller holds
    /// the daemon's lock, so nothing live can be listening.
    pub fn bind(endpoint: &Path) -> io::Result<Listener> {
        imp::Listener::bind(endpoint).map(Listener)
    }

    /// Waits for the next client.
    pub fn accept(&self) -> io::Result<Conn> {
        self.0.accept().map(Conn)
    }
}

/// One connection, either end. `&Conn` reads and writes, and [`Conn::try_clone`]
/// gives another handle on the same connection (a reader and a writer thread).
#[derive(Debug)]
pub struct Conn(imp::Conn);

impl Conn {
    /// Connects to the daemon at `endpoint`. On Windows a pipe served by another user's
    /// process is refused ([`io::ErrorKind::PermissionDenied`]).
    pub fn connect(endpoint: &Path) -> io::Result<Conn> {
        imp::Conn::connect(endpoint).map(Conn)
    }

    /// Another handle on the same connection.
    pub fn try_clone(&self) -> io::Result<Conn> {
        self.0.try_clone().map(Conn)
    }

    /// How long a read waits; `None` for as long as it takes.
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.0.set_read_timeout(timeout)
    }

    /// The user at the other end.
    pub fn peer(&self) -> io::Result<Peer> {
        self.0.peer()
    }

    /// Ends the connection both ways: reads and writes blocked on other handles of it
    /// return.
    pub fn shutdown(&self) {
        self.0.shutdown();
    }

    /// Says this end will write no more, where the transport can (Unix); the other end
    /// reads the end of the stream after what was written.
    pub fn shutdown_write(&self) {
        self.0.shutdown_write();
    }
}

impl Read for &Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&self.0).read(buf)
    }
}

impl Write for &Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&self.0).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        (&self.0).flush()
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self).read(buf)
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        (&*self).flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_and_the_daemon_end_talk_and_the_peer_is_this_user() {
        let dir = tempfile::tempdir().unwrap();
        let endpoint = dir.path().join("daemon.sock");
        let listener = Listener::bind(&endpoint).unwrap();
        let id = endpoint_id(&endpoint).expect("the endpoint exists");
        let server = std::thread::spawn(move || {
            let conn = listener.accept().unwrap();
            assert_eq!(conn.peer().unwrap(), Peer::Me);
            let mut line = String::new();
            io::BufRead::read_line(&mut io::BufReader::new(&conn), &mut line).unwrap();
            (&conn).write_all(line.to_uppercase().as_bytes()).unwrap();
            conn.shutdown_write();
        });
        let conn = Conn::connect(&endpoint).unwrap();
        assert_eq!(conn.peer().unwrap(), Peer::Me);
        conn.try_clone().unwrap().write_all(b"ping\n").unwrap();
        let mut answer = String::new();
        (&conn).read_to_string(&mut answer).unwrap();
        assert_eq!(answer, "PING\n");
        server.join().unwrap();
        assert_eq!(endpoint_id(&endpoint), Some(id));
        std::fs::remove_file(&endpoint).unwrap();
        assert_eq!(endpoint_id(&endpoint), None);
    }

    #[test]
    fn a_read_with_a_timeout_ends_and_nobody_listening_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let endpoint = dir.path().join("daemon.sock");
        assert!(Conn::connect(&endpoint).is_err());
        let listener = Listener::bind(&endpoint).unwrap();
        let server = std::thread::spawn(move || listener.accept().unwrap());
        let conn = Conn::connect(&endpoint).unwrap();
        let _held = server.join().unwrap();
        conn.set_read_timeout(Some(Duration::from_millis(30)))
            .unwrap();
        let error = (&conn).read(&mut [0u8; 4]).unwrap_err();
        assert!(
            matches!(
                error.kind(),
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
            ),
            "{error:?}"
        );
    }
}
