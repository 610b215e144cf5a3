//! A blocking client: one connection, one request at a time. The CLI uses it for
//! `vx daemon stop|status`, `start`'s wait for the first `pong`, and the toolchain
//! that `vx which` and `vx env` ask a running daemon for.

use std::io::{BufReader, Write};
use std::path::Path;
use std::time::Duration;

use super::DaemonError;
use super::connection::{Line, read_line};
use super::protocol::{Incoming, MAX_LINE, Request, Response, encode};
use super::resolver::ToolchainAnswer;
use crate::platform::ipc::Conn;

/// How long the client waits for one answer.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest line the client reads (a 4096-tool `sync_progress` fits).
const MAX_ANSWER: usize = 64 * MAX_LINE;

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
    pub fn connect_with_timeout(socket: &Path, patience: Duration) -> Result<Client, DaemonError> {
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
    pub fn receive(&mut self) -> Result<Incoming, DaemonError> {
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
            } => Ok((uptime_secs, cached_runtimes)),
            other => Err(DaemonError::Unexpected(format!("{other:?}"))),
        }
    }

    /// `toolchain` (a vx extension of the protocol): `cwd`'s project toolchain in
    /// `store`, for `vx which` and `vx env`.
    pub fn toolchain(&mut self, cwd: &str, store: &str) -> Result<ToolchainAnswer, DaemonError> {
        let request = Request::Toolchain {
            cwd: cwd.to_owned(),
            store: store.to_owned(),
        };
        match self.request(&request)? {
            Response::Toolchain {
                manifest,
                bin_dirs,
                missing,
            } => Ok(ToolchainAnswer {
                manifest,
                bin_dirs,
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
    pub fn shutdown(&mut self) -> Result<(), DaemonError> {
        match self.request(&Request::Shutdown)? {
            Response::Pong { .. } => Ok(()),
            other => Err(DaemonError::Unexpected(format!("{other:?}"))),
        }
    }
}
