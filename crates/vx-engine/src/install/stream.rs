//! Unpacking while downloading: a tar (plain, or compressed with gzip, xz, bzip2 or
//! zstd) is extracted by a second thread from the download's bytes as they arrive, so an install takes about the
//! longer of the download and the extraction instead of their sum.
//!
//! [`Streaming`] is the download's [`Tee`]: each chunk, once written to the download
//! file and hashed, goes over a bounded channel (a slow extraction holds the download
//! back instead of buffering it) to the thread, which reads it through `Chunks` and
//! unpacks into the work directory's tree with the same rules and limits as
//! [`extract::extract`]. Nothing is trusted before the checksum: the caller asks for
//! the result only after the download verified, and on any error the work directory,
//! tree and all, is discarded.
//!
//! The download file is still written. The install falls back to unpacking it when
//! streaming could not be used: a zip (its directory is at the end), a bare executable
//! (copied from the file), a format only known once the bytes are sniffed as one of
//! those, or a retry that started over (the tree holds bytes of a void attempt; a
//! retry that continues keeps streaming). A download continued from bytes an earlier
//! run kept gives those bytes first, as they are hashed again, so the extraction sees
//! the file from its first byte; if the server then sends the whole file instead, that
//! is a restart like any other.

use std::cell::Cell;
use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use super::ProgressSink;
use super::extract::{self, ExtractError, ExtractLimits, ExtractStats};
use super::fetch::Tee;
use vx_base::format::{ArchiveFormat, SNIFF_LEN};

/// Chunks in flight between the download and the extraction (64 KiB each).
const QUEUE_CHUNKS: usize = 32;
/// How often [`Streaming::finish`] reports progress and checks for a cancel.
const FINISH_POLL: Duration = Duration::from_millis(50);

/// What the extraction thread ends with: the stats of a streamed extraction, `None`
/// when the format turned out not to stream (zip, a bare executable), or the
/// extraction's error.
type Outcome = Result<Option<ExtractStats>, ExtractError>;

/// An extraction fed by the download (see the module docs). Dropping it stops the
/// thread and waits for it, so nothing writes into the work directory once the
/// install returns.
pub(crate) struct Streaming {
    /// The next chunks; `None` once the thread stopped reading or streaming was given
    /// up.
    tx: Option<Sender<Vec<u8>>>,
    /// Raised to make the thread stop at its next read: a cancel, a restart, a drop.
    stop: Arc<AtomicBool>,
    /// Bytes the thread has taken in, for the progress of [`Streaming::finish`].
    consumed: Arc<AtomicU64>,
    /// Bytes handed to the thread.
    given: u64,
    /// A retry started over: what the thread unpacked is void.
    abandoned: bool,
    done: Receiver<Outcome>,
    thread: Option<JoinHandle<()>>,
}

impl Streaming {
    /// Starts extracting into the existing, empty directory `dest` what the download
    /// will give. `format` `None` sniffs it from the first bytes. `None` for a format
    /// that does not [stream](ArchiveFormat::streams) (a zip, a bare executable), which
    /// is unpacked from the file instead; also when no thread can be started.
    pub(crate) fn start(
        format: Option<ArchiveFormat>,
        dest: &Path,
        strip_components: u32,
        limits: ExtractLimits,
    ) -> Option<Streaming> {
        if format.is_some_and(|f| !f.streams()) {
            return None;
        }
        let (tx, rx) = crossbeam_channel::bounded(QUEUE_CHUNKS);
        let (done_tx, done) = crossbeam_channel::bounded(1);
        let stop = Arc::new(AtomicBool::new(false));
        let consumed = Arc::new(AtomicU64::new(0));
        let job = Job {
            rx,
            stop: Arc::clone(&stop),
            consumed: Arc::clone(&consumed),
            format,
            dest: dest.to_owned(),
            strip_components,
            limits,
        };
        let thread = std::thread::Builder::new()
            .name("vx-extract".into())
            .spawn(move || {
                let _ = done_tx.send(job.run());
            })
            .ok()?;
        Some(Streaming {
            tx: Some(tx),
            stop,
            consumed,
            given: 0,
            abandoned: false,
            done,
            thread: Some(thread),
        })
    }

    /// Ends the input (the download is complete and verified) and waits for the
    /// extraction, reporting its progress through `sink` and stopping it on a cancel
    /// request. `Ok(None)`: nothing usable was streamed (see the module docs); the
    /// caller empties the directory and unpacks the downloaded file.
    pub(crate) fn finish(
        mut self,
        sink: &mut dyn ProgressSink,
    ) -> Result<Option<ExtractStats>, ExtractError> {
        self.tx = None;
        let outcome = loop {
            sink.progress(self.consumed.load(Ordering::Relaxed), Some(self.given));
            if sink.cancel_requested() {
                self.stop.store(true, Ordering::Relaxed);
            }
            match self.done.recv_timeout(FINISH_POLL) {
                Ok(outcome) => break outcome,
                Err(RecvTimeoutError::Timeout) => {}
                // The thread ended without a word (it panicked): unpack the file.
                Err(RecvTimeoutError::Disconnected) => break Ok(None),
            }
        };
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if self.abandoned && !sink.cancel_requested() {
            return Ok(None);
        }
        outcome
    }
}

impl Tee for Streaming {
    fn bytes(&mut self, chunk: &[u8]) {
        if let Some(tx) = &self.tx {
            if tx.send(chunk.to_vec()).is_ok() {
                self.given += chunk.len() as u64;
            } else {
                // The thread stopped reading: it failed, or the format does not stream.
                self.tx = None;
            }
        }
    }

    fn restart(&mut self) {
        self.abandoned = true;
        self.stop.store(true, Ordering::Relaxed);
        self.tx = None;
    }
}

impl Drop for Streaming {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.tx = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What the extraction thread needs.
struct Job {
    rx: Receiver<Vec<u8>>,
    stop: Arc<AtomicBool>,
    consumed: Arc<AtomicU64>,
    format: Option<ArchiveFormat>,
    dest: PathBuf,
    strip_components: u32,
    limits: ExtractLimits,
}

impl Job {
    fn run(self) -> Outcome {
        let cancelled = Cell::new(false);
        let mut input = Chunks {
            rx: self.rx,
            chunk: Vec::new(),
            pos: 0,
            stop: &self.stop,
            consumed: &self.consumed,
            cancelled: &cancelled,
        };
        let format = match self.format {
            Some(format) => format,
            None => {
                let head = input.head(SNIFF_LEN).map_err(|_| ExtractError::Cancelled)?;
                extract::sniff(&head[..head.len().min(SNIFF_LEN)])?
            }
        };
        if !format.streams() {
            return Ok(None);
        }
        extract::extract_tar_stream(
            &mut input,
            format,
            &self.dest,
            self.strip_components,
            self.limits,
            &cancelled,
            &self.stop,
        )
        .map(Some)
    }
}

/// The chunks from the download as one [`BufRead`]: the end of the channel is the end
/// of the input, and a raised stop flag is an error (remembered in `cancelled`, since
/// decoders rewrap errors).
struct Chunks<'a> {
    rx: Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    pos: usize,
    stop: &'a AtomicBool,
    consumed: &'a AtomicU64,
    cancelled: &'a Cell<bool>,
}

impl Chunks<'_> {
    /// Waits for the next chunk: `false` at the end of the input.
    fn next_chunk(&mut self) -> io::Result<bool> {
        let next = self.rx.recv();
        // A drop or a cancel also ends the channel: tell that apart from the end.
        if self.stop.load(Ordering::Relaxed) {
            self.cancelled.set(true);
            return Err(io::Error::other("cancelled"));
        }
        match next {
            Ok(chunk) if self.pos == self.chunk.len() => {
                self.chunk = chunk;
                self.pos = 0;
                Ok(true)
            }
            Ok(chunk) => {
                self.chunk.drain(..self.pos);
                self.pos = 0;
                self.chunk.extend_from_slice(&chunk);
                Ok(true)
            }
            Err(_) => Ok(false),
        }
    }

    /// At least `n` bytes ahead, unless the input ends first; nothing is consumed.
    fn head(&mut self, n: usize) -> io::Result<&[u8]> {
        while self.chunk.len() - self.pos < n {
            if !self.next_chunk()? {
                break;
            }
        }
        Ok(&self.chunk[self.pos..])
    }
}

impl Read for Chunks<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = {
            let rest = self.fill_buf()?;
            let n = rest.len().min(buf.len());
            buf[..n].copy_from_slice(&rest[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Chunks<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos == self.chunk.len() {
            if !self.next_chunk()? {
                break;
            }
        }
        Ok(&self.chunk[self.pos..])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.chunk.len());
        self.consumed.fetch_add(n as u64, Ordering::Relaxed);
    }
}
