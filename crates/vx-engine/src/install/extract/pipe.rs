//! Where the judge's [`Op`]s go: straight into a [`Writer`] on the same thread
//! ([`Out::Inline`]), or over bounded channels to writer threads ([`Out::Piped`]), so
//! one thread inflates and parses the archive while others create and write the
//! files (issue 54: a JDK's last hundred megabytes were inflated and written by one
//! thread, the other core idle).
//!
//! Piped, one writer thread starts with the archive and a second once it has made
//! [`SECOND_WRITER_AFTER`] entries (a tiny tool never starts it): creating a file is
//! most of what writing node's or python's tree costs (the file system's search for a
//! free inode; issue 54), and two writers in different directories create at once.
//! `super::route` says which operations either writer may take and which must wait
//! until both have applied everything before them; files of one directory stay on
//! one writer.
//!
//! Memory stays bounded: file data travels in at most [`BUFFERS`] buffers of [`BUFFER`]
//! bytes, made as needed, that the writers hand back once written (the judge waits for
//! one when all are out),
//! and at most [`QUEUE`] operations wait in each writer's channel. A large file goes
//! through in buffer-sized pieces, never held whole, all to the writer that opened it.
//!
//! Errors keep their archive order: every operation carries its place in the archive,
//! a writer that fails records it, and a writer stops before any operation later than
//! a failure; of the writers' errors the earliest operation's is reported, whatever
//! the judge ran into after; when the judge fails first, the writers still apply what
//! they were sent, and report a failure of those instead. A cancel wins over both, and
//! stops the writers at their next operation.

use std::cell::Cell;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError};

use super::error::ExtractError;
use super::route::{Route, Router};
use super::writer::{Op, Writer};

/// Bytes of file data in one buffer.
pub(super) const BUFFER: usize = 128 << 10;
/// Buffers in flight between the judge and the writers: at most 4 MiB of file data.
const BUFFERS: usize = 32;
/// Operations waiting for each writer (most carry a buffer; directories and links do
/// not).
const QUEUE: usize = 256;
/// Most writer threads.
const WRITERS: usize = 2;
/// Entries made by the first writer alone before a second one starts.
const SECOND_WRITER_AFTER: u64 = 32;
/// How often the judge, waiting for a buffer, looks whether the writers are gone.
const GONE_POLL: Duration = Duration::from_millis(20);

/// Where the judge sends operations.
pub(super) enum Out<'a> {
    /// Applied at once, on this thread, with one buffer reused.
    Inline { writer: Writer<'a>, buffer: Vec<u8> },
    /// Sent to the writer threads.
    Piped(Pipe),
}

/// What a writer thread is sent.
enum Msg {
    /// Apply the operation, the `u64`-th of the archive.
    Op(u64, Op),
    /// Answer once everything sent before is applied.
    Sync(Sender<()>),
}

/// A writer thread's failure: the place in the archive of the operation that failed
/// ([`u64::MAX`] when it is not known), and why.
type Failure = (u64, ExtractError);

/// What the writer threads share.
struct Shared {
    dest: PathBuf,
    /// Raised when the judge ends on a cancel: each writer stops at its next operation.
    abort: AtomicBool,
    /// The place of the earliest operation that failed: a writer stops before any later
    /// one.
    failed_at: AtomicU64,
}

/// A writer thread, as the judge sees it.
struct WriterEnd {
    ops: Sender<Msg>,
    thread: JoinHandle<Result<(), Failure>>,
}

/// The judge's end of a pipeline.
pub(super) struct Pipe {
    shared: Arc<Shared>,
    writers: Vec<WriterEnd>,
    /// Buffers the writers handed back.
    free: Receiver<Vec<u8>>,
    /// The writers' end of `free`, for the second writer.
    give_back: Sender<Vec<u8>>,
    /// Buffers made so far (at most [`BUFFERS`]): made when first needed, so a small
    /// archive costs one.
    made: usize,
    router: Router,
    /// Operations sent so far: the next one's place.
    sent: u64,
    /// Entries (not pieces of files) sent so far.
    entries: u64,
    /// The writer of the last operation (the open file's, for the next piece).
    last: usize,
    /// A second writer could not be started: one writes everything.
    alone: bool,
}

impl<'a> Out<'a> {
    /// Operations applied on this thread, under `dest`.
    pub(super) fn inline(dest: &'a Path) -> Out<'a> {
        Out::Inline {
            writer: Writer::new(dest),
            buffer: Vec::new(),
        }
    }

    /// A buffer for the next piece of a file, at least `want` bytes long (at most
    /// [`BUFFER`]; a buffer is zeroed only where it grows, so one made for a small file
    /// costs its size, not 128 KiB of zeroes and page faults: issue 54, 100 tiny tools).
    /// Waits while every buffer is with the writers.
    pub(super) fn buffer(&mut self, want: usize) -> Result<Vec<u8>, SendError> {
        let mut buffer = match self {
            Out::Inline { buffer, .. } => std::mem::take(buffer),
            Out::Piped(pipe) => pipe.buffer()?,
        };
        let want = want.clamp(1, BUFFER);
        if buffer.len() < want {
            buffer.resize(want, 0);
        }
        Ok(buffer)
    }

    /// Applies or sends `op`: inline, the writer's own error; piped, only whether the
    /// writer threads still take operations.
    pub(super) fn send(&mut self, op: Op) -> Result<(), SendError> {
        match self {
            Out::Inline { writer, buffer } => {
                let result = writer.apply(&op);
                if let Some(spent) = op.into_buffer() {
                    *buffer = spent;
                }
                result.map_err(SendError::Failed)
            }
            Out::Piped(pipe) => pipe.send(op),
        }
    }
}

/// Why an operation did not go through.
pub(super) enum SendError {
    /// Applied inline, it failed.
    Failed(ExtractError),
    /// A writer thread is gone: it failed (or stopped after another's failure), and
    /// [`piped`] reports the error.
    Gone,
}

impl Pipe {
    /// A pipeline of one writer thread under `dest`; `None` when no thread can be
    /// started.
    fn start(dest: &Path) -> Option<Pipe> {
        let shared = Arc::new(Shared {
            dest: dest.to_owned(),
            abort: AtomicBool::new(false),
            failed_at: AtomicU64::new(u64::MAX),
        });
        let (give_back, free) = crossbeam_channel::bounded::<Vec<u8>>(BUFFERS);
        let first = spawn(&shared, &give_back)?;
        Some(Pipe {
            shared,
            writers: vec![first],
            free,
            give_back,
            made: 0,
            router: Router::default(),
            sent: 0,
            entries: 0,
            last: 0,
            alone: false,
        })
    }

    /// A buffer handed back, or a new one while fewer than [`BUFFERS`] are made; else
    /// waits for one.
    fn buffer(&mut self) -> Result<Vec<u8>, SendError> {
        match self.free.try_recv() {
            Ok(buffer) => return Ok(buffer),
            Err(TryRecvError::Empty) if self.made < BUFFERS => {
                self.made += 1;
                return Ok(Vec::new());
            }
            Err(_) => {}
        }
        loop {
            match self.free.recv_timeout(GONE_POLL) {
                Ok(buffer) => return Ok(buffer),
                // Every buffer is with a writer that ended (it failed): none comes back.
                Err(RecvTimeoutError::Timeout)
                    if self.writers.iter().any(|w| w.thread.is_finished()) =>
                {
                    return Err(SendError::Gone);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Err(SendError::Gone),
            }
        }
    }

    /// Sends `op` to the writer [`Router`] and the queues choose.
    fn send(&mut self, op: Op) -> Result<(), SendError> {
        let route = self.router.route(&op);
        if !matches!(op, Op::Data { .. }) {
            self.entries += 1;
        }
        let to = match route {
            Route::Same => self.last,
            Route::InOrder => {
                self.sync_others(0)?;
                0
            }
            Route::Free { new_dir: false } => self.last,
            Route::Free { new_dir: true } => self.least_busy(),
        };
        let place = self.sent;
        self.sent += 1;
        self.last = to;
        self.writers[to]
            .ops
            .send(Msg::Op(place, op))
            .map_err(|_| SendError::Gone)
    }

    /// The writer with the fewest operations waiting, starting the second once
    /// [`SECOND_WRITER_AFTER`] entries are made.
    fn least_busy(&mut self) -> usize {
        if self.writers.len() < WRITERS && self.entries > SECOND_WRITER_AFTER && !self.alone {
            match spawn(&self.shared, &self.give_back) {
                Some(writer) => self.writers.push(writer),
                None => self.alone = true,
            }
        }
        (0..self.writers.len())
            .min_by_key(|&i| self.writers[i].ops.len())
            .unwrap_or(0)
    }

    /// Waits until every writer but `except` has applied everything sent to it.
    fn sync_others(&self, except: usize) -> Result<(), SendError> {
        let (done, answers) = crossbeam_channel::bounded(WRITERS);
        let mut asked = 0;
        for (i, writer) in self.writers.iter().enumerate() {
            if i != except {
                writer
                    .ops
                    .send(Msg::Sync(done.clone()))
                    .map_err(|_| SendError::Gone)?;
                asked += 1;
            }
        }
        drop(done);
        let mut answered = 0;
        while answered < asked {
            match answers.recv_timeout(GONE_POLL) {
                Ok(()) => answered += 1,
                // A writer that ended (it failed) never answers: its queue, the request
                // in it, lives on with the channel's sending end.
                Err(RecvTimeoutError::Timeout)
                    if self.writers.iter().any(|w| w.thread.is_finished()) =>
                {
                    return Err(SendError::Gone);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Err(SendError::Gone),
            }
        }
        Ok(())
    }

    /// Closes the channels and waits for the writers: the earliest failure, if any.
    fn finish(mut self) -> Result<(), ExtractError> {
        let mut first: Option<Failure> = None;
        for WriterEnd { ops, thread } in std::mem::take(&mut self.writers) {
            drop(ops);
            let ended = thread.join().unwrap_or_else(|_| {
                Err((
                    u64::MAX,
                    ExtractError::Write {
                        path: self.shared.dest.clone(),
                        source: io::Error::other(
                            "the thread writing the files stopped unexpectedly",
                        ),
                    },
                ))
            });
            if let Err(failure) = ended
                && first.as_ref().is_none_or(|f| failure.0 < f.0)
            {
                first = Some(failure);
            }
        }
        first.map_or(Ok(()), |(_, e)| Err(e))
    }
}

/// Starts a writer thread under `shared.dest`, handing buffers back to `give_back`.
fn spawn(shared: &Arc<Shared>, give_back: &Sender<Vec<u8>>) -> Option<WriterEnd> {
    let (ops, rx) = crossbeam_channel::bounded::<Msg>(QUEUE);
    let (shared, give_back) = (Arc::clone(shared), give_back.clone());
    let thread = std::thread::Builder::new()
        .name("vx-write".into())
        .spawn(move || write(&shared, rx, give_back))
        .ok()?;
    Some(WriterEnd { ops, thread })
}

/// Runs `judge` with an [`Out::Piped`] whose writer threads unpack under `dest`, and
/// returns the judge's result merged with the writers' (see the module docs). When the
/// judge ends on a cancel (`cancelled`, or the streaming install's `stop`), the writers
/// stop at their next operation. Runs `judge` inline instead when no thread can be
/// started. The writer threads have ended when this returns, also when `judge`
/// panics.
pub(super) fn piped<'d, T>(
    dest: &'d Path,
    cancelled: &Cell<bool>,
    stop: Option<&AtomicBool>,
    judge: impl FnOnce(&mut Out<'d>) -> Result<T, ExtractError>,
) -> Result<T, ExtractError> {
    let Some(pipe) = Pipe::start(dest) else {
        return judge(&mut Out::inline(dest));
    };
    let shared = Arc::clone(&pipe.shared);
    let mut out = Out::Piped(pipe);
    let judged = judge(&mut out);
    if cancelled.get() || stop.is_some_and(|stop| stop.load(Ordering::Relaxed)) {
        shared.abort.store(true, Ordering::Relaxed);
    }
    let Out::Piped(pipe) = out else {
        unreachable!("piped stays piped")
    };
    match (judged, pipe.finish()) {
        (_, Err(e)) => Err(e),
        (judged, Ok(())) => judged,
    }
}

impl Drop for Pipe {
    /// A judge that panicked: the writers are stopped and waited for, so nothing
    /// writes into the destination once unpacking has returned.
    fn drop(&mut self) {
        self.shared.abort.store(true, Ordering::Relaxed);
        for WriterEnd { ops, thread } in self.writers.drain(..) {
            drop(ops);
            let _ = thread.join();
        }
    }
}

/// A writer thread: applies each operation in order and hands its buffer back, and
/// answers each sync; stops at its first failure (its error and place), at the end
/// of the channel, before an operation later than another writer's failure, or once
/// `abort` is raised.
fn write(shared: &Shared, ops: Receiver<Msg>, free: Sender<Vec<u8>>) -> Result<(), Failure> {
    let mut writer = Writer::new(&shared.dest);
    for msg in ops {
        let (place, op) = match msg {
            Msg::Op(place, op) => (place, op),
            Msg::Sync(done) => {
                let _ = done.send(());
                continue;
            }
        };
        if shared.abort.load(Ordering::Relaxed) {
            return Err((place, ExtractError::Cancelled));
        }
        if shared.failed_at.load(Ordering::Relaxed) < place {
            return Ok(());
        }
        if let Err(e) = writer.apply(&op) {
            shared.failed_at.fetch_min(place, Ordering::Relaxed);
            return Err((place, e));
        }
        if let Some(buffer) = op.into_buffer() {
            let _ = free.send(buffer);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The length of the buffer `out` hands out for `want` bytes.
    fn len(out: &mut Out<'_>, want: usize) -> usize {
        match out.buffer(want) {
            Ok(buffer) => buffer.len(),
            Err(_) => panic!("an inline buffer is always there"),
        }
    }

    #[test]
    fn a_buffer_is_as_long_as_the_piece_wants_within_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        // Inline, a buffer handed out and not given back is made anew each time.
        let mut out = Out::inline(dir.path());
        assert_eq!(len(&mut out, 21), 21, "a small file's buffer is its size");
        assert_eq!(
            len(&mut out, 0),
            1,
            "never empty: an empty read ends the file"
        );
        assert_eq!(len(&mut out, usize::MAX), BUFFER, "never above the bound");

        // A buffer given back keeps its length: it is not zeroed again for a smaller
        // piece, and grows (zeroed once) for a larger one.
        let mut out = Out::inline(dir.path());
        let Out::Inline { buffer, .. } = &mut out else {
            unreachable!()
        };
        *buffer = vec![7; 100];
        assert_eq!(len(&mut out, 10), 100);
        let Out::Inline { buffer, .. } = &mut out else {
            unreachable!()
        };
        *buffer = vec![7; 100];
        match out.buffer(200) {
            Ok(grown) => {
                assert_eq!(grown.len(), 200);
                assert!(grown[..100].iter().all(|&b| b == 7));
                assert!(grown[100..].iter().all(|&b| b == 0));
            }
            Err(_) => panic!("an inline buffer is always there"),
        }
    }

    /// A file operation at `rel`, whole in one piece.
    fn file(out: &mut Out<'_>, rel: &str) -> Op {
        let Ok(buffer) = out.buffer(4) else {
            panic!("the writers are there")
        };
        Op::File {
            raw: PathBuf::from(rel),
            rel: PathBuf::from(rel),
            mode: None,
            data: super::super::writer::Piece { buffer, len: 4 },
            last: true,
        }
    }

    /// Two writers: the error of the earliest operation that failed is reported,
    /// whichever writer failed, and whatever failed after it; the second writer
    /// started once enough entries were made.
    #[test]
    #[cfg_attr(windows, ignore = "a name longer than Unix file systems hold")]
    fn the_earliest_failure_of_two_writers_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let long = format!("long/{}", "n".repeat(300));
        let cancelled = Cell::new(false);
        let mut writers = 0;
        let result = piped(dir.path(), &cancelled, None, |out| {
            for i in 0..SECOND_WRITER_AFTER + 8 {
                let op = file(out, &format!("d{}/f{i}", i % 7));
                out.send(op).map_err(|_| ExtractError::Cancelled)?;
            }
            if let Out::Piped(pipe) = out {
                writers = pipe.writers.len();
            }
            let op = file(out, &long);
            out.send(op).map_err(|_| ExtractError::Cancelled)?;
            // Under a file: refused, by the first writer once both caught up.
            let op = file(out, "d0/f0/under");
            let _ = out.send(op);
            Err::<(), _>(ExtractError::Cancelled)
        });
        assert_eq!(writers, WRITERS, "the second writer started");
        match result {
            Err(ExtractError::Write { path, .. }) => {
                assert!(path.ends_with(&long), "{}", path.display());
            }
            other => panic!("{other:?}"),
        }
    }
}
