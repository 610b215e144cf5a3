//! A blocking client: one connection, one request at a time. The CLI uses it for
//! `vx daemon stop|status`, `start`'s look for a running daemon ([`presence`]) and its
//! wait for the first `pong`, and the toolchain that `vx which` and `vx env` ask a
//! running daemon for.

use std::io::{BufReader, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use super::DaemonError;
use super::connection::{Line, read_line};
use super::paths::{LockState, Paths};
use super::protocol::{Incoming, MAX_LINE, Request, Response, encode};
use super::resolver::ToolchainAnswer;
use vx_base::platform::ipc::Conn;

/// How long the client waits for one answer.
pub(crate) const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest line the client reads (a 4096-tool `sync_progress` fits).
const MAX_ANSWER: usize = 64 * MAX_LINE;

/// How often [`presence`] looks again.
const LOOK_EVERY: Duration = Duration::from_millis(5);

/// Whether a daemon runs, as [`presence`] found out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// A daemon answers `ping`; its pid when the lock file names one.
    Answering(Option<u32>),
    /// Nobody holds the lock: a daemon may start.
    Absent,
    /// The lock stayed held for the whole wait and nothing answered `ping` (a daemon
    /// that hangs); its pid when the lock file names one.
    Silent(Option<u32>),
}

/// Whether a daemon runs at `paths`, where running means answering `ping`. The lock
/// alone does not say: it is also held by a daemon still starting (not listening yet)
/// and, for a moment, by one just killed (a SIGKILLed process's other threads exit
/// after its main one, and hold the lock until they have). So while the lock is held
/// and nothing answers, this looks again, until a daemon answers, the lock is free, or
/// `patience` has passed.
pub fn presence(paths: &Paths, patience: Duration) -> Presence {
    let deadline = Instant::now() + patience;
    loop {
        let LockState::Held(pid) = paths.lock_state() else {
            return Presence::Absent;
        };
        let left = deadline.saturating_duration_since(Instant::now());
        let answered = Client::connect_with_timeout(&paths.socket, left.max(LOOK_EVERY))
            .and_then(|mut client| client.ping());
        if answered.is_ok() {
            return Presence::Answering(pid);
        }
        if Instant::now() >= deadline {
            return Presence::Silent(pid);
        }
        std::thread::sleep(LOOK_EVERY);
    }
}

/// A connection to the daemon.
pub struct Client {
    reader: BufReader<Conn>,
    writer: Conn,
    line: Vec<u8>,
}

impl Client {
    /// Connects to the daemon listening at `socket`, waiting at most
    /// [`ANSWER_TIMEOUT`] for each answer.
    pub fn connect(socket: &Path) -> Result<Client, DaemonError> {
        Client::connect_with_timeout(socket, ANSWER_TIMEOUT)
    }

    /// [`Client::connect`], waiting at most `patience` for each answer: a CLI that
    /// can do the work itself does not wait long on a daemon that hangs.
    pub(crate) fn connect_with_timeout(
        socket: &Path,
        patience: Duration,
    ) -> Result<Client, DaemonError> {
        let connect_err = |source| DaemonError::Connect {
            socket: socket.to_path_buf(),
            source,
        };
        let stream = Conn::connect(socket).map_err(connect_err)?;
        stream
            .set_read_timeout(Some(patience))
            .map_err(connect_err)?;
        let writer = stream.try_clone().map_err(connect_err)?;
        Ok(Client {
            reader: BufReader::new(stream),
            writer,
            line: Vec::new(),
        })
    }

    /// Sends `request` and returns its response (events that arrive first are
    /// skipped). A [`Response::Error`] is returned as it is.
    pub fn request(&mut self, request: &Request) -> Result<Response, DaemonError> {
        self.writer.write_all(encode(request).as_bytes())?;
        loop {
            match self.receive()? {
                Incoming::Response(response) => return Ok(response),
                Incoming::Event(_) => continue,
            }
        }
    }

    /// The next line from the daemon, a response or an event.
    pub(crate) fn receive(&mut self) -> Result<Incoming, DaemonError> {
        match read_line(&mut self.reader, &mut self.line, MAX_ANSWER)? {
            Line::Complete => serde_json::from_slice(&self.line).map_err(|_| {
                DaemonError::Unexpected(String::from_utf8_lossy(&self.line).into_owned())
            }),
            Line::End => Err(DaemonError::Io(std::io::ErrorKind::UnexpectedEof.into())),
            Line::TooLong => Err(DaemonError::Unexpected("an over-long line".to_owned())),
        }
    }

    /// `ping`: the daemon's uptime and cached runtimes.
    pub fn ping(&mut self) -> Result<(u64, usize), DaemonError> {
        match self.request(&Request::Ping)? {
            Response::Pong {
                uptime_secs,
                cached_runtimes,
                ..
            } => Ok((uptime_secs, cached_runtimes)),
            other => Err(DaemonError::Unexpected(format!("{other:?}"))),
        }
    }

    /// `toolchain` (a vx extension of the protocol): `cwd`'s project toolchain in
    /// `store`, for `vx which` and `vx env`.
    pub fn toolchain(&mut self, cwd: &str, store: &str) -> Result<ToolchainAnswer, DaemonError> {
        let request = Request::Toolchain {
            cwd: cwd.to_owned(),
            store: Some(store.to_owned()),
        };
        match self.request(&request)? {
            Response::Toolchain {
                manifest,
                bin_dirs,
                missing,
                environment,
                trusted,
            } => Ok(ToolchainAnswer {
                manifest,
                bin_dirs,
                environment: environment.map(|e| *e),
                trusted,
                missing: missing
                    .into_iter()
                    .map(|tool| (tool.label, tool.commands))
                    .collect(),
            }),
            Response::Error { message } => Err(DaemonError::Refused(message)),
            other => Err(DaemonError::Unexpected(format!("{other:?}"))),
        }
    }

    /// `shutdown`: answered with a pong, then the daemon exits.
    pub(crate) fn shutdown(&mut self) -> Result<(), DaemonError> {
        match self.request(&Request::Shutdown)? {
            Response::Pong { .. } => Ok(()),
            other => Err(DaemonError::Unexpected(format!("{other:?}"))),
        }
    }
}
