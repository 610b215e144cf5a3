//! A kept log as the task wrote it: each chunk of its output with the stream it came
//! from (stdout or stderr), in the order a live run showed them, so a restore writes
//! stdout's bytes to stdout and stderr's to stderr, in that order. (A log kept by a vx
//! before this one is every byte of both streams run together, and is replayed to
//! stdout, as that vx replayed it: [`Log::plain`].)
//!
//! On disk (the local entry's `log.v2` file, the registry's
//! [`LOG_V2_TYPE`](super::remote::LOG_V2_TYPE) layer) a log is [`MAGIC`], a version
//! byte ([`VERSION`]), then its chunks one after the other: a stream byte (`1` stdout,
//! `2` stderr), the chunk's length as a little-endian `u32`, and its bytes. A file that
//! does not start so, names another version, names another stream or ends inside a
//! chunk is refused ([`LogError`]), never guessed at: its result is not restored.

use super::super::events::Stream;

/// What a kept log's bytes start with.
pub(crate) const MAGIC: &[u8; 6] = b"\x00vxlog";
/// The format's version, after [`MAGIC`].
pub(crate) const VERSION: u8 = 2;
/// The bytes of a chunk's head: its stream and its length.
const HEAD: usize = 5;

/// Why a kept log cannot be read.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum LogError {
    /// It does not start with [`MAGIC`].
    #[error("it is not a vx log")]
    NotALog,
    /// A version this vx does not know (a newer vx kept it).
    #[error("its format (version {0}) is not one this vx reads")]
    Version(u8),
    /// A chunk names a stream that is neither stdout nor stderr.
    #[error("a chunk names no stream (byte {0})")]
    Stream(u8),
    /// It ends inside a chunk.
    #[error("it is cut short")]
    Truncated,
}

/// One chunk of a task's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Chunk {
    /// The stream it was written to.
    pub stream: Stream,
    /// Its bytes (never empty).
    pub bytes: Vec<u8>,
}

/// A task's output as kept: its chunks in order, consecutive chunks of one stream
/// merged, at most `cap` bytes in all as [`Log::encode`] writes it. Two logs are equal
/// when they hold the same chunks, whatever their caps.
#[derive(Clone, Debug)]
pub(crate) struct Log {
    chunks: Vec<Chunk>,
    /// Its size as encoded.
    size: usize,
    /// The most it takes, encoded: what comes past it is left out.
    cap: usize,
}

impl PartialEq for Log {
    fn eq(&self, other: &Log) -> bool {
        self.chunks == other.chunks
    }
}

impl Eq for Log {}

impl Default for Log {
    fn default() -> Log {
        Log::new(usize::MAX)
    }
}

impl Log {
    /// An empty log taking at most `cap` bytes, as encoded.
    pub(crate) fn new(cap: usize) -> Log {
        Log {
            chunks: Vec::new(),
            size: MAGIC.len() + 1,
            cap,
        }
    }

    /// A log kept by a vx before this one: both streams' bytes run together, replayed
    /// to stdout as that vx replayed them.
    pub(crate) fn plain(bytes: &[u8]) -> Log {
        let mut log = Log::default();
        log.push(Stream::Stdout, bytes);
        log
    }

    /// Appends `bytes` written to `stream`: to the last chunk when it is the same
    /// stream's, else as a new chunk; what passes the cap is left out.
    pub(crate) fn push(&mut self, stream: Stream, bytes: &[u8]) {
        let merge = self.chunks.last().is_some_and(|c| c.stream == stream);
        let head = if merge { 0 } else { HEAD };
        let room = self.cap.saturating_sub(self.size.saturating_add(head));
        // A chunk's length is a u32 on disk: a longer run of one stream is a new chunk.
        let room = match self.chunks.last() {
            Some(last) if merge => room.min(u32::MAX as usize - last.bytes.len()),
            _ => room.min(u32::MAX as usize),
        };
        let bytes = &bytes[..bytes.len().min(room)];
        if bytes.is_empty() {
            return;
        }
        self.size += head + bytes.len();
        match self.chunks.last_mut() {
            Some(last) if merge => last.bytes.extend_from_slice(bytes),
            _ => self.chunks.push(Chunk {
                stream,
                bytes: bytes.to_vec(),
            }),
        }
    }

    /// Its chunks, in the order they were written.
    pub(crate) fn chunks(&self) -> &[Chunk] {
        &self.chunks
    }

    /// Whether it holds no output.
    pub(crate) fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// The same log, under the same cap, with each chunk's bytes passed through `f`
    /// (paths to markers and back, [`super::log`]).
    pub(crate) fn map(&self, f: impl Fn(&[u8]) -> Vec<u8>) -> Log {
        let mut out = Log::new(self.cap);
        for chunk in &self.chunks {
            out.push(chunk.stream, &f(&chunk.bytes));
        }
        out
    }

    /// Both streams' bytes run together, in order: the log as a vx that keeps no
    /// streams reads it (the registry's `log.v1` layer).
    pub(crate) fn flattened(&self) -> Vec<u8> {
        self.chunks
            .iter()
            .flat_map(|c| c.bytes.iter().copied())
            .collect()
    }

    /// Its bytes as kept (see the module).
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.size);
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        for chunk in &self.chunks {
            out.push(stream_byte(chunk.stream));
            // `push` keeps every chunk under u32::MAX bytes.
            out.extend_from_slice(&(chunk.bytes.len() as u32).to_le_bytes());
            out.extend_from_slice(&chunk.bytes);
        }
        out
    }

    /// A kept log's `bytes`, as a local entry's file or a registry's layer holds them:
    /// a log with its streams ([`Log::decode`]) when `with_streams`, else an earlier
    /// vx's, both streams run together ([`Log::plain`]).
    pub(crate) fn kept(bytes: &[u8], with_streams: bool) -> Result<Log, LogError> {
        match with_streams {
            true => Log::decode(bytes),
            false => Ok(Log::plain(bytes)),
        }
    }

    /// The log `bytes` hold (see the module); anything else is refused. It takes no
    /// more memory than `bytes` do.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Log, LogError> {
        let rest = bytes.strip_prefix(MAGIC).ok_or(LogError::NotALog)?;
        let (&version, mut rest) = rest.split_first().ok_or(LogError::NotALog)?;
        if version != VERSION {
            return Err(LogError::Version(version));
        }
        let mut log = Log::default();
        while let Some((&byte, after)) = rest.split_first() {
            let stream = match byte {
                1 => Stream::Stdout,
                2 => Stream::Stderr,
                other => return Err(LogError::Stream(other)),
            };
            let (len, after) = after.split_first_chunk::<4>().ok_or(LogError::Truncated)?;
            let len = u32::from_le_bytes(*len) as usize;
            if after.len() < len {
                return Err(LogError::Truncated);
            }
            log.push(stream, &after[..len]);
            rest = &after[len..];
        }
        Ok(log)
    }
}

/// A stream as a chunk's head names it.
fn stream_byte(stream: Stream) -> u8 {
    match stream {
        Stream::Stdout => 1,
        Stream::Stderr => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Log {
        let mut log = Log::default();
        log.push(Stream::Stdout, b"OUT 1\n");
        log.push(Stream::Stderr, b"ERR 1\n");
        log.push(Stream::Stdout, b"OUT 2");
        log.push(Stream::Stdout, b" and more\n");
        log.push(Stream::Stderr, b"\x00binary\xff");
        log
    }

    /// What is written is read back: each chunk's stream and bytes, in order (one
    /// stream's consecutive chunks as one).
    #[test]
    fn a_log_round_trips_with_its_streams_in_order() {
        let log = sample();
        let read = Log::decode(&log.encode()).unwrap();
        let chunks: Vec<(Stream, &[u8])> = read
            .chunks()
            .iter()
            .map(|c| (c.stream, c.bytes.as_slice()))
            .collect();
        assert_eq!(
            chunks,
            [
                (Stream::Stdout, &b"OUT 1\n"[..]),
                (Stream::Stderr, &b"ERR 1\n"[..]),
                (Stream::Stdout, &b"OUT 2 and more\n"[..]),
                (Stream::Stderr, &b"\x00binary\xff"[..]),
            ]
        );
        assert_eq!(Log::decode(&Log::default().encode()).unwrap().chunks(), []);
    }

    /// A log the vx before this one kept (plain bytes) is never read as this format:
    /// it is refused here, and [`Log::plain`] replays it to stdout as that vx did.
    #[test]
    fn an_old_log_is_not_this_format_and_is_replayed_to_stdout() {
        let old = b"ERR\nOUT\n";
        assert_eq!(Log::decode(old), Err(LogError::NotALog));
        assert_eq!(Log::decode(b""), Err(LogError::NotALog));
        let log = Log::plain(old);
        assert_eq!(log.chunks().len(), 1);
        assert_eq!(log.chunks()[0].stream, Stream::Stdout);
        assert_eq!(log.chunks()[0].bytes, old);
        assert!(Log::plain(b"").is_empty());
    }

    /// A log cut anywhere inside a chunk's head or bytes, one naming another version or
    /// a stream that is not one, is refused; a cut between chunks reads what it holds.
    #[test]
    fn a_truncated_or_corrupt_log_is_refused() {
        let bytes = sample().encode();
        for cut in MAGIC.len() + 1..bytes.len() {
            match Log::decode(&bytes[..cut]) {
                Ok(log) => assert!(sample().encode().starts_with(&log.encode())),
                Err(e) => assert_eq!(e, LogError::Truncated, "cut at {cut}"),
            }
        }
        assert_eq!(Log::decode(&bytes[..MAGIC.len()]), Err(LogError::NotALog));
        let mut newer = bytes.clone();
        newer[MAGIC.len()] = 3;
        assert_eq!(Log::decode(&newer), Err(LogError::Version(3)));
        let mut stream = bytes.clone();
        stream[MAGIC.len() + 1] = 7;
        assert_eq!(Log::decode(&stream), Err(LogError::Stream(7)));
        // A length past the end is refused before anything is allocated for it.
        let mut huge = bytes[..MAGIC.len() + 1].to_vec();
        huge.extend_from_slice(&[1, 0xff, 0xff, 0xff, 0xff, b'x']);
        assert_eq!(Log::decode(&huge), Err(LogError::Truncated));
    }

    /// A log is kept under its cap as encoded, chunk heads included: a task that
    /// switches streams at every byte cannot grow it past the cap.
    #[test]
    fn a_log_stays_under_its_cap_heads_included() {
        let mut log = Log::new(64);
        for i in 0..100 {
            let stream = if i % 2 == 0 {
                Stream::Stdout
            } else {
                Stream::Stderr
            };
            log.push(stream, b"x");
        }
        let bytes = log.encode();
        assert!(bytes.len() <= 64, "{}", bytes.len());
        assert!(bytes.len() > 64 - HEAD - 1, "filled: {}", bytes.len());
        let mut one = Log::new(16);
        one.push(Stream::Stdout, &[b'y'; 100]);
        assert_eq!(one.encode().len(), 16);
    }

    /// Both streams run together, for a vx that reads a log as plain bytes.
    #[test]
    fn a_flattened_log_holds_both_streams_in_order() {
        assert_eq!(
            sample().flattened(),
            b"OUT 1\nERR 1\nOUT 2 and more\n\x00binary\xff"
        );
    }
}
