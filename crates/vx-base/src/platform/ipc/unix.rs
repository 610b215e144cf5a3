//! The daemon's transport on Unix: a Unix socket in a private directory.

use std::fs;
use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::Peer;

pub(super) fn default_dir() -> PathBuf {
    std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .map_or_else(
            || std::env::temp_dir().join(format!("vx-{}", my_uid())),
            |dir| dir.join("vx"),
        )
}

pub(super) fn prepare_dir(dir: &Path) -> io::Result<()> {
    match fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
    {
        Ok(()) => {}
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
        Err(err) => return Err(err),
    }
    let meta = fs::symlink_metadata(dir)?;
    if !meta.is_dir() {
        return Err(io::Error::other("not a directory"));
    }
    let me = my_uid();
    if meta.uid() != me {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "it belongs to uid {}, not to this user (uid {me})",
                meta.uid()
            ),
        ));
    }
    if meta.mode() & 0o077 != 0 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Refuses an `endpoint` that is not this user's (see [`Conn::connect`]); a missing one
/// is `NotFound`, as connecting to it would be.
fn check_endpoint(endpoint: &Path) -> io::Result<()> {
    let me = my_uid();
    let socket = fs::metadata(endpoint)?;
    if !socket.file_type().is_socket() {
        return Err(refused(format!("{} is not a socket", endpoint.display())));
    }
    if socket.uid() != me {
        return Err(refused(format!(
            "{} belongs to uid {}, not to this user (uid {me})",
            endpoint.display(),
            socket.uid()
        )));
    }
    let dir = endpoint
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let meta = fs::metadata(dir)?;
    if meta.uid() != me {
        return Err(refused(format!(
            "its directory {} belongs to uid {}, not to this user (uid {me})",
            dir.display(),
            meta.uid()
        )));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(refused(format!(
            "its directory {} can be written by other users (mode {:o})",
            dir.display(),
            meta.mode() & 0o7777
        )));
    }
    Ok(())
}

/// A refusal to talk to a daemon that is not this user's.
fn refused(why: String) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("{why}: refusing to talk to another user's daemon"),
    )
}

fn my_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

pub(super) fn me() -> String {
    format!("uid {}", my_uid())
}

pub(super) fn address(endpoint: &Path) -> String {
    endpoint.display().to_string()
}

/// The socket file's device and inode.
pub(super) type EndpointId = (u64, u64);

pub(super) fn endpoint_id(endpoint: &Path) -> Option<EndpointId> {
    fs::symlink_metadata(endpoint)
        .ok()
        .map(|m| (m.dev(), m.ino()))
}

#[derive(Debug)]
pub(super) struct Listener(UnixListener);

impl Listener {
    pub(super) fn bind(endpoint: &Path) -> io::Result<Listener> {
        match fs::remove_file(endpoint) {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(err) => return Err(err),
        }
        let listener = UnixListener::bind(endpoint)?;
        fs::set_permissions(endpoint, fs::Permissions::from_mode(0o600))?;
        Ok(Listener(listener))
    }

    pub(super) fn accept(&self) -> io::Result<Conn> {
        self.0.accept().map(|(stream, _)| Conn(stream))
    }
}

#[derive(Debug)]
pub(super) struct Conn(UnixStream);

impl Conn {
    /// Connects to `endpoint` once it is this user's: a socket this user owns, in a
    /// directory this user owns that no one else can write to; and, where the kernel
    /// says who listens (`SO_PEERCRED`), a process of this user. Another local user
    /// who made `/tmp/vx-<uid>/daemon.sock` first is refused (`PermissionDenied`)
    /// before a byte is sent or an answer read.
    pub(super) fn connect(endpoint: &Path) -> io::Result<Conn> {
        check_endpoint(endpoint)?;
        let conn = Conn(UnixStream::connect(endpoint)?);
        if let Peer::Other(who) = conn.peer()? {
            return Err(refused(format!(
                "the process listening at {} runs as {who}, not as this user ({})",
                endpoint.display(),
                me()
            )));
        }
        Ok(conn)
    }

    pub(super) fn try_clone(&self) -> io::Result<Conn> {
        self.0.try_clone().map(Conn)
    }

    pub(super) fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.0.set_read_timeout(timeout)
    }

    /// The peer's uid from `SO_PEERCRED`.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub(super) fn peer(&self) -> io::Result<Peer> {
        let uid = rustix::net::sockopt::socket_peercred(&self.0)?.uid.as_raw();
        Ok(if uid == my_uid() {
            Peer::Me
        } else {
            Peer::Other(format!("uid {uid}"))
        })
    }

    /// Without `SO_PEERCRED` (macOS has `LOCAL_PEERCRED`, which rustix does not wrap)
    /// the socket's 0700 directory and its own 0600 mode are the check: only this user
    /// can connect at all.
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    pub(super) fn peer(&self) -> io::Result<Peer> {
        Ok(Peer::Me)
    }

    pub(super) fn shutdown(&self) {
        let _ = self.0.shutdown(Shutdown::Both);
    }

    pub(super) fn shutdown_write(&self) {
        let _ = self.0.shutdown(Shutdown::Write);
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
        Ok(())
    }
}
