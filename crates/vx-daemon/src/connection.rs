//! One client connection: the peer check, then request lines answered in order, and,
//! once subscribed, events written by a second thread from the subscriber's queue.
//!
//! Lines are read with a bound ([`MAX_LINE`]): a longer one is answered with an error
//! and the connection closed; a malformed one is answered with an error and the
//! connection goes on. Responses and events share the socket through a mutex, each
//! written whole.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Write};
use std::sync::{Arc, Mutex};

use super::protocol::{
    EventMask, MAX_LINE, MissingTool, PROTOCOL_VERSION, Request, Response, decode_request, encode,
};
use super::shared::Shared;
use vx_base::platform::ipc::{Conn, Peer};

/// What reading one line gave.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// A line (its newline removed) is in the buffer; at the end of the stream, the
    /// last unterminated line.
    Complete,
    /// The stream ended.
    End,
    /// The line is longer than the limit.
    TooLong,
}

/// Reads one line into `buf` (cleared first), never holding more than `max` bytes.
pub(crate) fn read_line(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<Line> {
    buf.clear();
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        if available.is_empty() {
            return Ok(if buf.is_empty() {
                Line::End
            } else {
                Line::Complete
            });
        }
        let (take, done) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (at, true),
            None => (available.len(), false),
        };
        if buf.len() + take > max {
            return Ok(Line::TooLong);
        }
        buf.extend_from_slice(&available[..take]);
        reader.consume(if done { take + 1 } else { take });
        if done {
            return Ok(Line::Complete);
        }
    }
}

/// How long a refused peer's connection is kept open for its first request to
/// arrive: closing with a request unread would make the peer's write fail before it
/// could read why.
const REFUSAL_LINGER: std::time::Duration = std::time::Duration::from_secs(2);

/// Answers `stream` with one error line and closes it. With `linger`, the peer's
/// first bytes are read (and ignored) until it closes, for at most
/// [`REFUSAL_LINGER`] and [`MAX_LINE`] bytes, so it can read the error.
pub(super) fn refuse(stream: Conn, why: &str, linger: bool) {
    let line = encode(&Response::Error {
        message: why.to_owned(),
    });
    if (&stream).write_all(line.as_bytes()).is_err() || !linger {
        return;
    }
    stream.shutdown_write();
    if stream.set_read_timeout(Some(REFUSAL_LINGER)).is_ok() {
        let _ = io::copy(
            &mut io::Read::take(&stream, MAX_LINE as u64),
            &mut io::sink(),
        );
    }
}

/// Serves one client until it hangs up, sends a line too long, or the daemon stops.
pub(super) fn serve(stream: Conn, shared: &Arc<Shared>) {
    match stream.peer() {
        Ok(Peer::Me) => {}
        Ok(Peer::Other(peer)) => {
            shared.log.line(&format!(
                "refused a peer of {peer} (the daemon's is {})",
                shared.me
            ));
            refuse(
                stream,
                &format!(
                    "refused: this daemon serves {} only, and the peer is {peer}",
                    shared.me
                ),
                true,
            );
            return;
        }
        Err(err) => {
            refuse(
                stream,
                &format!("refused: cannot check the peer: {err}"),
                true,
            );
            return;
        }
    }
    let Ok(writer) = stream.try_clone() else {
        return;
    };
    let writer = Arc::new(Mutex::new(writer));
    let mut reader = BufReader::with_capacity(8 * 1024, &stream);
    let mut subscription: Option<u64> = None;
    let mut buf = Vec::new();
    loop {
        let line = match read_line(&mut reader, &mut buf, MAX_LINE) {
            Ok(Line::Complete) => &buf,
            Ok(Line::End) | Err(_) => break,
            Ok(Line::TooLong) => {
                let message =
                    format!("request line longer than {MAX_LINE} bytes; closing the connection");
                let _ = send(&writer, &Response::Error { message });
                break;
            }
        };
        if line.trim_ascii().is_empty() {
            continue;
        }
        let request = decode_request(line);
        let stop = matches!(request, Ok(Request::Shutdown));
        let response = match request {
            Ok(request) => answer(request, shared, &writer, &mut subscription),
            Err(error) => error,
        };
        if send(&writer, &response).is_err() {
            break;
        }
        if stop {
            shared.log.line("shutdown requested");
            let _ = shared.stop.try_send(());
        }
    }
    if let Some(id) = subscription {
        shared.subscribers.remove(id);
    }
    stream.shutdown();
}

/// Writes one message line under the connection's write lock.
fn send(writer: &Mutex<Conn>, response: &Response) -> io::Result<()> {
    let line = encode(response);
    let mut stream = writer
        .lock()
        .map_err(|_| io::Error::other("connection writer poisoned"))?;
    stream.write_all(line.as_bytes())
}

/// The response to one request.
fn answer(
    request: Request,
    shared: &Arc<Shared>,
    writer: &Arc<Mutex<Conn>>,
    subscription: &mut Option<u64>,
) -> Response {
    let resolver = &shared.resolver;
    match request {
        Request::Resolve {
            runtime,
            version,
            cwd,
        } => match resolver.resolve(&runtime, version.as_deref(), cwd.as_deref()) {
            Ok(found) => Response::Resolved {
                executable: found.executable,
                version: found.version,
                env: found.env,
                unset: found.unset,
                package: found.package,
            },
            Err(e) => Response::Error {
                message: e.to_string(),
            },
        },
        Request::GetEnvironment {
            runtime,
            version,
            cwd,
        } => match resolver.resolve(&runtime, version.as_deref(), cwd.as_deref()) {
            Ok(found) => Response::Environment {
                env: found.env,
                unset: found.unset,
            },
            Err(e) => Response::Error {
                message: e.to_string(),
            },
        },
        Request::ListVersions { runtime } => {
            let installed = resolver.list_versions(&runtime);
            if installed.is_empty() {
                // No registry knows it, or none can be reached: nothing to pick from,
                // as for any tool nothing is known of.
                match super::resolver::registry_versions(&runtime) {
                    Ok((versions, lts)) => Response::Versions {
                        versions,
                        source: Some("registry".to_owned()),
                        lts,
                    },
                    Err(_) => Response::Versions {
                        versions: Vec::new(),
                        source: None,
                        lts: BTreeMap::new(),
                    },
                }
            } else {
                Response::Versions {
                    versions: installed,
                    source: None,
                    lts: BTreeMap::new(),
                }
            }
        }
        Request::Subscribe { event_types } => {
            let mask = EventMask::of(&event_types);
            let id = match *subscription {
                Some(id) => {
                    shared.subscribers.set_mask(id, mask);
                    id
                }
                None => match start_writer(shared, writer, mask) {
                    Ok(id) => {
                        *subscription = Some(id);
                        id
                    }
                    Err(err) => {
                        return Response::Error {
                            message: format!("cannot subscribe: {err}"),
                        };
                    }
                },
            };
            Response::Subscribed {
                subscription_id: id.to_string(),
            }
        }
        Request::Toolchain { cwd, store } => match resolver.toolchain(&cwd, store.as_deref()) {
            Ok(found) => Response::Toolchain {
                manifest: found.manifest,
                bin_dirs: found.bin_dirs,
                missing: found
                    .missing
                    .into_iter()
                    .map(|(label, commands)| MissingTool { label, commands })
                    .collect(),
                environment: found.environment.map(Box::new),
                trusted: found.trusted,
            },
            Err(e) => Response::Error {
                message: e.to_string(),
            },
        },
        Request::Ping | Request::Shutdown => Response::Pong {
            uptime_secs: shared.started.elapsed().as_secs(),
            cached_runtimes: resolver.cached_runtimes(),
            protocol: PROTOCOL_VERSION,
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
    }
}

/// Registers a subscriber and starts the thread that writes its events (it ends when
/// the subscriber is removed, which closes its queue); the subscriber's id.
fn start_writer(
    shared: &Arc<Shared>,
    writer: &Arc<Mutex<Conn>>,
    mask: EventMask,
) -> io::Result<u64> {
    let (id, queue) = shared.subscribers.add(mask);
    let writer = Arc::clone(writer);
    let drained = queue;
    let spawned = std::thread::Builder::new()
        .name("vx-daemon-events".to_owned())
        .stack_size(128 * 1024)
        .spawn(move || {
            while let Some(out) = drained.pop() {
                let line = out.line();
                let written = writer
                    .lock()
                    .map_err(|_| io::Error::other("poisoned"))
                    .and_then(|mut stream| stream.write_all(line.as_bytes()));
                if written.is_err() {
                    drained.close();
                }
            }
        });
    match spawned {
        Ok(_) => Ok(id),
        Err(err) => {
            shared.subscribers.remove(id);
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<(Line, Vec<u8>)> {
        let mut reader = BufReader::with_capacity(4, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            let line = read_line(&mut reader, &mut buf, max).unwrap();
            let stop = matches!(line, Line::End | Line::TooLong);
            out.push((line, buf.clone()));
            if stop {
                return out;
            }
        }
    }

    #[test]
    fn lines_are_split_bounded_and_the_last_one_may_lack_its_newline() {
        let got = lines(b"ab\n\ncdefg\nhi", 8);
        let texts: Vec<_> = got.iter().map(|(_, b)| b.as_slice()).collect();
        assert_eq!(texts, [&b"ab"[..], b"", b"cdefg", b"hi", b""]);
        assert_eq!(got.last().unwrap().0, Line::End);
        let got = lines(b"ok\n0123456789\nnever", 8);
        assert_eq!(got[0], (Line::Complete, b"ok".to_vec()));
        assert_eq!(got[1].0, Line::TooLong);
        assert_eq!(got.len(), 2);
        // Exactly the limit is fine.
        assert_eq!(
            lines(b"12345678\n", 8)[0],
            (Line::Complete, b"12345678".to_vec())
        );
    }
}
