//! What `vx run` and its task guard say to each other: typed requests and replies, each
//! one frame — a 4-byte little-endian length, then a body of at most [`MAX_FRAME`]
//! bytes whose first byte names its kind.
//!
//! A spawn request carries the task's three standard streams (stdin, stdout, stderr) as
//! file descriptors beside its bytes (`SCM_RIGHTS`, see [`super::transport`]); they
//! arrive with the frame's first byte, so once a frame is whole its descriptors have
//! come, queued in the order they were sent.
//!
//! Decoding trusts nothing: every length is checked against what is left of the frame
//! before anything is allocated, an unknown kind or bytes left over are errors, and no
//! input makes it panic.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

/// The largest body a frame may have: room for a command line and an environment as
/// large as Linux lets one `exec` take (`ARG_MAX` is a quarter of an 8 MiB stack).
pub(crate) const MAX_FRAME: usize = 4 << 20;

/// How many descriptors a spawn request carries: stdin, stdout, stderr.
pub(crate) const STDIO: usize = 3;

/// Why a frame could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProtocolError {
    /// A frame announced a body over [`MAX_FRAME`].
    #[error("a frame of {0} bytes is over the limit of {MAX_FRAME}")]
    TooLarge(u64),
    /// A body ended before one of its fields.
    #[error("a frame ends inside its {0}")]
    Short(&'static str),
    /// A body's kind, or a field's value, is not one this version knows.
    #[error("unknown {what} {value}")]
    Unknown {
        /// What was read.
        what: &'static str,
        /// The value found.
        value: u8,
    },
    /// A body had bytes after its last field.
    #[error("{0} bytes after the end of a frame")]
    Trailing(usize),
    /// A spawn request whose descriptors did not come with it.
    #[error("a spawn request came without its {STDIO} descriptors")]
    MissingDescriptors,
    /// The stream ended inside a frame.
    #[error("the stream ended inside a frame")]
    Truncated,
}

/// The signal a stop request sends to a task's process group and every process it
/// started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StopSignal {
    /// SIGINT: the user pressed Ctrl-C.
    Interrupt,
    /// SIGTERM: a failure elsewhere, or the end of the run for a service.
    Terminate,
    /// SIGKILL: the grace period is over.
    Kill,
}

impl StopSignal {
    fn code(self) -> u8 {
        match self {
            StopSignal::Interrupt => 1,
            StopSignal::Terminate => 2,
            StopSignal::Kill => 3,
        }
    }

    fn from_code(code: u8) -> Result<Self, ProtocolError> {
        Ok(match code {
            1 => StopSignal::Interrupt,
            2 => StopSignal::Terminate,
            3 => StopSignal::Kill,
            value => {
                return Err(ProtocolError::Unknown {
                    what: "signal",
                    value,
                });
            }
        })
    }

    /// The signal itself.
    pub(crate) fn signal(self) -> rustix::process::Signal {
        use rustix::process::Signal;
        match self {
            StopSignal::Interrupt => Signal::INT,
            StopSignal::Terminate => Signal::TERM,
            StopSignal::Kill => Signal::KILL,
        }
    }
}

/// A command for the guard to start: what `std::process::Command` holds, as data.
#[derive(Debug, PartialEq, Eq)]
pub struct Spawn {
    /// The run's number for this process (one per command, never reused in a run).
    pub id: u64,
    /// The program (looked up on `PATH` as `Command` does).
    pub program: OsString,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// Changes to the guard's environment (which is `vx run`'s): a value to set, or
    /// `None` to remove the variable.
    pub env: Vec<(OsString, Option<OsString>)>,
    /// Its working directory, when not the guard's.
    pub cwd: Option<PathBuf>,
    /// Whether it leads a process group of its own (always, from `vx run`: that is the
    /// group a stop signals).
    pub own_group: bool,
}

/// A request from `vx run`.
#[derive(Debug)]
pub(crate) enum Request {
    /// Start a command; its stdin, stdout and stderr come beside the frame.
    Spawn(Spawn, Vec<OwnedFd>),
    /// Send a signal to a task's process group and every process it started.
    Signal {
        /// The task's process.
        id: u64,
        /// Which signal.
        signal: StopSignal,
    },
}

/// A reply from the guard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// The command started as process `pid`.
    Started {
        /// The request's number.
        id: u64,
        /// The process id.
        pid: u32,
    },
    /// The command could not start.
    Failed {
        /// The request's number.
        id: u64,
        /// Why, as the system said.
        error: String,
    },
    /// The command has exited and every process it left running is gone: its exit code,
    /// or 128 + N for signal N.
    Ended {
        /// The request's number.
        id: u64,
        /// The exit code.
        code: i32,
    },
}

/// A frame's body being written.
#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn new(kind: u8) -> Self {
        let mut w = Writer(vec![0; 4]);
        w.0.push(kind);
        w
    }
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, v: &[u8]) {
        self.u32(u32::try_from(v.len()).unwrap_or(u32::MAX));
        self.0.extend_from_slice(v);
    }
    /// The whole frame, its length in front.
    fn finish(mut self) -> Vec<u8> {
        let len = u32::try_from(self.0.len() - 4).unwrap_or(u32::MAX);
        self.0[..4].copy_from_slice(&len.to_le_bytes());
        self.0
    }
}

/// A frame's body being read: every read checked against what is left.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], ProtocolError> {
        if self.0.len() < n {
            return Err(ProtocolError::Short(what));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u8(&mut self, what: &'static str) -> Result<u8, ProtocolError> {
        Ok(self.take(1, what)?[0])
    }
    fn u32(&mut self, what: &'static str) -> Result<u32, ProtocolError> {
        let mut b = [0; 4];
        b.copy_from_slice(self.take(4, what)?);
        Ok(u32::from_le_bytes(b))
    }
    fn u64(&mut self, what: &'static str) -> Result<u64, ProtocolError> {
        let mut b = [0; 8];
        b.copy_from_slice(self.take(8, what)?);
        Ok(u64::from_le_bytes(b))
    }
    fn bytes(&mut self, what: &'static str) -> Result<&'a [u8], ProtocolError> {
        let n = self.u32(what)? as usize;
        self.take(n, what)
    }
    fn os(&mut self, what: &'static str) -> Result<OsString, ProtocolError> {
        Ok(OsString::from_vec(self.bytes(what)?.to_vec()))
    }
    fn flag(&mut self, what: &'static str) -> Result<bool, ProtocolError> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            value => Err(ProtocolError::Unknown { what, value }),
        }
    }
    /// A count of items each at least `min` bytes long: never more than could fit in
    /// what is left, so a lying count allocates nothing.
    fn count(&mut self, min: usize, what: &'static str) -> Result<usize, ProtocolError> {
        let n = self.u32(what)? as usize;
        if n.saturating_mul(min) > self.0.len() {
            return Err(ProtocolError::Short(what));
        }
        Ok(n)
    }
    fn end(self) -> Result<(), ProtocolError> {
        match self.0.len() {
            0 => Ok(()),
            n => Err(ProtocolError::Trailing(n)),
        }
    }
}

const SPAWN: u8 = 1;
const SIGNAL: u8 = 2;
const STARTED: u8 = 1;
const FAILED: u8 = 2;
const ENDED: u8 = 3;

impl Spawn {
    /// The request as a frame (its descriptors go beside it).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new(SPAWN);
        w.u64(self.id);
        w.u8(u8::from(self.own_group));
        w.bytes(self.program.as_bytes());
        w.u32(u32::try_from(self.args.len()).unwrap_or(u32::MAX));
        for arg in &self.args {
            w.bytes(arg.as_bytes());
        }
        w.u32(u32::try_from(self.env.len()).unwrap_or(u32::MAX));
        for (key, value) in &self.env {
            w.bytes(key.as_bytes());
            match value {
                Some(value) => {
                    w.u8(1);
                    w.bytes(value.as_bytes());
                }
                None => w.u8(0),
            }
        }
        match &self.cwd {
            Some(cwd) => {
                w.u8(1);
                w.bytes(cwd.as_os_str().as_bytes());
            }
            None => w.u8(0),
        }
        w.finish()
    }

    fn decode(r: &mut Reader<'_>) -> Result<Self, ProtocolError> {
        let id = r.u64("id")?;
        let own_group = r.flag("group flag")?;
        let program = r.os("program")?;
        let n = r.count(4, "arguments")?;
        let args = (0..n).map(|_| r.os("argument")).collect::<Result<_, _>>()?;
        let n = r.count(5, "environment")?;
        let env = (0..n)
            .map(|_| {
                let key = r.os("variable name")?;
                let value = if r.flag("variable flag")? {
                    Some(r.os("variable value")?)
                } else {
                    None
                };
                Ok((key, value))
            })
            .collect::<Result<_, ProtocolError>>()?;
        let cwd = if r.flag("directory flag")? {
            Some(PathBuf::from(r.os("directory")?))
        } else {
            None
        };
        Ok(Spawn {
            id,
            program,
            args,
            env,
            cwd,
            own_group,
        })
    }
}

/// A signal request as a frame.
pub(crate) fn encode_signal(id: u64, signal: StopSignal) -> Vec<u8> {
    let mut w = Writer::new(SIGNAL);
    w.u64(id);
    w.u8(signal.code());
    w.finish()
}

impl Request {
    /// Reads a request from a frame's body, taking a spawn request's descriptors from
    /// the front of `fds`.
    pub(crate) fn decode(body: &[u8], fds: &mut VecDeque<OwnedFd>) -> Result<Self, ProtocolError> {
        let mut r = Reader(body);
        let request = match r.u8("kind")? {
            SPAWN => {
                let spawn = Spawn::decode(&mut r)?;
                if fds.len() < STDIO {
                    return Err(ProtocolError::MissingDescriptors);
                }
                Request::Spawn(spawn, fds.drain(..STDIO).collect())
            }
            SIGNAL => Request::Signal {
                id: r.u64("id")?,
                signal: StopSignal::from_code(r.u8("signal")?)?,
            },
            value => {
                return Err(ProtocolError::Unknown {
                    what: "request",
                    value,
                });
            }
        };
        r.end()?;
        Ok(request)
    }
}

impl Reply {
    /// The request this answers.
    pub(crate) fn id(&self) -> u64 {
        match self {
            Reply::Started { id, .. } | Reply::Failed { id, .. } | Reply::Ended { id, .. } => *id,
        }
    }

    /// The reply as a frame.
    pub(crate) fn encode(&self) -> Vec<u8> {
        match self {
            Reply::Started { id, pid } => {
                let mut w = Writer::new(STARTED);
                w.u64(*id);
                w.u32(*pid);
                w.finish()
            }
            Reply::Failed { id, error } => {
                let mut w = Writer::new(FAILED);
                w.u64(*id);
                w.bytes(error.as_bytes());
                w.finish()
            }
            Reply::Ended { id, code } => {
                let mut w = Writer::new(ENDED);
                w.u64(*id);
                w.u32(*code as u32);
                w.finish()
            }
        }
    }

    /// Reads a reply from a frame's body.
    pub fn decode(body: &[u8]) -> Result<Self, ProtocolError> {
        let mut r = Reader(body);
        let reply = match r.u8("kind")? {
            STARTED => Reply::Started {
                id: r.u64("id")?,
                pid: r.u32("pid")?,
            },
            FAILED => Reply::Failed {
                id: r.u64("id")?,
                error: String::from_utf8_lossy(r.bytes("error")?).into_owned(),
            },
            ENDED => Reply::Ended {
                id: r.u64("id")?,
                code: r.u32("code")? as i32,
            },
            value => {
                return Err(ProtocolError::Unknown {
                    what: "reply",
                    value,
                });
            }
        };
        r.end()?;
        Ok(reply)
    }
}

/// What has come in on the stream and is not yet read: bytes, and the descriptors
/// that came with them, in order.
#[derive(Default)]
pub struct Inbox {
    /// Bytes received, from the start of the next frame.
    pub bytes: Vec<u8>,
    /// Descriptors received and not yet taken by a spawn request.
    pub fds: VecDeque<OwnedFd>,
}

impl Inbox {
    /// The next whole frame's body, if it has all come. A length over [`MAX_FRAME`] is
    /// an error as soon as the length is read.
    pub fn next_frame(&mut self) -> Result<Option<Vec<u8>>, ProtocolError> {
        let Some(head) = self.bytes.get(..4) else {
            return Ok(None);
        };
        let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
        if len > MAX_FRAME {
            return Err(ProtocolError::TooLarge(len as u64));
        }
        if self.bytes.len() < 4 + len {
            return Ok(None);
        }
        let body = self.bytes[4..4 + len].to_vec();
        self.bytes.drain(..4 + len);
        Ok(Some(body))
    }

    /// At the end of the stream: an error if a frame was cut short.
    pub(crate) fn at_end(&self) -> Result<(), ProtocolError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(ProtocolError::Truncated)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spawn() -> Spawn {
        Spawn {
            id: 7,
            program: "sh".into(),
            args: vec!["-c".into(), "echo hi".into()],
            env: vec![("A".into(), Some("1".into())), ("B".into(), None)],
            cwd: Some("/tmp".into()),
            own_group: true,
        }
    }

    fn fds(n: usize) -> VecDeque<OwnedFd> {
        (0..n)
            .map(|_| std::fs::File::open("/dev/null").unwrap().into())
            .collect()
    }

    fn frames(bytes: &[u8]) -> Result<Vec<Vec<u8>>, ProtocolError> {
        let mut inbox = Inbox {
            bytes: bytes.to_vec(),
            ..Inbox::default()
        };
        let mut out = Vec::new();
        while let Some(frame) = inbox.next_frame()? {
            out.push(frame);
        }
        inbox.at_end()?;
        Ok(out)
    }

    #[test]
    fn a_spawn_request_round_trips_with_its_descriptors() {
        let frame = spawn().encode();
        let body = frames(&frame).unwrap().remove(0);
        let mut queue = fds(4);
        match Request::decode(&body, &mut queue).unwrap() {
            Request::Spawn(got, stdio) => {
                assert_eq!(got, spawn());
                assert_eq!(stdio.len(), 3);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(queue.len(), 1, "the next request's descriptor stays queued");
    }

    #[test]
    fn replies_and_signals_round_trip() {
        for reply in [
            Reply::Started { id: 1, pid: 42 },
            Reply::Failed {
                id: 2,
                error: "no such file".into(),
            },
            Reply::Ended { id: 3, code: -1 },
        ] {
            let body = frames(&reply.encode()).unwrap().remove(0);
            assert_eq!(Reply::decode(&body).unwrap(), reply);
        }
        let body = frames(&encode_signal(9, StopSignal::Kill))
            .unwrap()
            .remove(0);
        match Request::decode(&body, &mut VecDeque::new()).unwrap() {
            Request::Signal { id, signal } => assert_eq!((id, signal), (9, StopSignal::Kill)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_spawn_request_without_descriptors_is_an_error() {
        let body = frames(&spawn().encode()).unwrap().remove(0);
        let err = Request::decode(&body, &mut fds(2)).unwrap_err();
        assert_eq!(err, ProtocolError::MissingDescriptors);
    }

    #[test]
    fn an_oversized_length_is_refused_before_its_body_comes() {
        let mut bytes = u32::MAX.to_le_bytes().to_vec();
        bytes.push(SPAWN);
        assert_eq!(
            frames(&bytes).unwrap_err(),
            ProtocolError::TooLarge(u64::from(u32::MAX))
        );
    }

    #[test]
    fn a_lying_count_or_kind_is_an_error() {
        // An argument count of 2^32 - 1 in a frame of a few bytes.
        let mut w = Writer::new(SPAWN);
        w.u64(1);
        w.u8(1);
        w.bytes(b"sh");
        w.u32(u32::MAX);
        let body = frames(&w.finish()).unwrap().remove(0);
        assert_eq!(
            Request::decode(&body, &mut fds(3)).unwrap_err(),
            ProtocolError::Short("arguments")
        );
        let body = frames(&Writer::new(99).finish()).unwrap().remove(0);
        assert!(matches!(
            Request::decode(&body, &mut fds(3)),
            Err(ProtocolError::Unknown { value: 99, .. })
        ));
        let mut w = Writer::new(SIGNAL);
        w.u64(1);
        w.u8(2);
        w.u8(0);
        let body = frames(&w.finish()).unwrap().remove(0);
        assert_eq!(
            Request::decode(&body, &mut fds(0)).unwrap_err(),
            ProtocolError::Trailing(1)
        );
        assert_eq!(frames(&[3, 0, 0]).unwrap_err(), ProtocolError::Truncated);
    }

    proptest::proptest! {
        /// Any bytes at all: an error or a request, never a panic.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::arbitrary::any::<u8>(), 0..256)) {
            if let Ok(frames) = frames(&bytes) {
                for body in frames {
                    let _ = Request::decode(&body, &mut VecDeque::new());
                    let _ = Reply::decode(&body);
                }
            }
        }
    }
}
