//! Where the judge's [`Op`]s go: straight into a [`Writer`] on the same thread
//! ([`Out::Inline`]), or over a bounded channel to a writer thread ([`Out::Piped`]), so
//! one thread inflates and parses the archive while another creates and writes the
//! files (issue 54: a JDK's last hundred megabytes were inflated and written by one
//! thread, the other core idle).
//!
//! Memory stays bounded: file data travels in at most [`BUFFERS`] buffers of [`BUFFER`]
//! bytes, made as needed, that the writer hands back once written (the judge waits for
//! one when all are out),
//! and at most [`QUEUE`] operations wait in the channel. A large file goes through in
//! buffer-sized pieces, never held whole.
//!
//! Errors keep their archive order: the writer applies what was sent before it looks
//! at anything later, so when it fails, its error (about an earlier entry) is the one
//! reported, whatever the judge ran into after; when the judge fails first, the writer
//! still applies what it was sent, and reports a failure of those instead. A cancel
//! wins over both, and stops the writer at its next operation.

use std::cell::Cell;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::{Receiver, Sender, TryRecvError};

use super::error::ExtractError;
use super::writer::{Op, Writer};

/// Bytes of file data in one buffer.
pub(super) const BUFFER: usize = 128 << 10;
/// Buffers in flight between the judge and the writer: at most 4 MiB of file data.
const BUFFERS: usize = 32;
/// Operations waiting for the writer (most carry a buffer; directories and links do
/// not).
const QUEUE: usize = 256;

/// Where the judge sends operations.
pub(super) enum Out<'a> {
    /// Applied at once, on this thread, with one buffer reused.
    Inline { writer: Writer<'a>, buffer: Vec<u8> },
    /// Sent to the writer thread.
    Piped(Pipe),
}

/// The judge's end of a pipeline.
pub(super) struct Pipe {
    ops: Sender<Op>,
    /// Buffers the writer handed back.
    free: Receiver<Vec<u8>>,
    /// Buffers made so far (at most [`BUFFERS`]): made when first needed, so a small
    /// archive costs one.
    made: usize,
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
    /// Waits while every buffer is with the writer.
    pub(super) fn buffer(&mut self, want: usize) -> Result<Vec<u8>, SendError> {
        let mut buffer = match self {
            Out::Inline { buffer, .. } => std::mem::take(buffer),
            Out::Piped(pipe) => match pipe.free.try_recv() {
                Ok(buffer) => buffer,
                Err(TryRecvError::Empty) if pipe.made < BUFFERS => {
                    pipe.made += 1;
                    Vec::new()
                }
                Err(TryRecvError::Empty) => pipe.free.recv().map_err(|_| SendError::Gone)?,
                Err(TryRecvError::Disconnected) => return Err(SendError::Gone),
            },
        };
        let want = want.clamp(1, BUFFER);
        if buffer.len() < want {
            buffer.resize(want, 0);
        }
        Ok(buffer)
    }

    /// Applies or sends `op`: inline, the writer's own error; piped, only whether the
    /// writer thread still takes operations.
    pub(super) fn send(&mut self, op: Op) -> Result<(), SendError> {
        match self {
            Out::Inline { writer, buffer } => {
                let result = writer.apply(&op);
                if let Some(spent) = op.into_buffer() {
                    *buffer = spent;
                }
                result.map_err(SendError::Failed)
            }
            Out::Piped(pipe) => pipe.ops.send(op).map_err(|_| SendError::Gone),
        }
    }
}

/// Why an operation did not go through.
pub(super) enum SendError {
    /// Applied inline, it failed.
    Failed(ExtractError),
    /// The writer thread is gone: it failed, and [`piped`] reports its error.
    Gone,
}

/// Runs `judge` with an [`Out::Piped`] whose writer thread unpacks under `dest`, and
/// returns the judge's result merged with the writer's (see the module docs). When the
/// judge ends on a cancel (`cancelled`, or the streaming install's `stop`), the writer
/// stops at its next operation. Runs `judge` inline instead when no thread can be
/// started. The writer thread has ended when this returns.
pub(super) fn piped<'d, T>(
    dest: &'d Path,
    cancelled: &Cell<bool>,
    stop: Option<&AtomicBool>,
    judge: impl FnOnce(&mut Out<'d>) -> Result<T, ExtractError>,
) -> Result<T, ExtractError> {
    let abort = AtomicBool::new(false);
    let abort = &abort;
    let (ops_tx, ops_rx) = crossbeam_channel::bounded::<Op>(QUEUE);
    let (free_tx, free_rx) = crossbeam_channel::bounded::<Vec<u8>>(BUFFERS);
    std::thread::scope(|scope| {
        let writer = std::thread::Builder::new()
            .name("vx-write".into())
            .spawn_scoped(scope, move || write(dest, ops_rx, free_tx, abort));
        let Ok(writer) = writer else {
            return judge(&mut Out::inline(dest));
        };
        let mut out = Out::Piped(Pipe {
            ops: ops_tx,
            free: free_rx,
            made: 0,
        });
        let judged = judge(&mut out);
        if cancelled.get() || stop.is_some_and(|stop| stop.load(Ordering::Relaxed)) {
            abort.store(true, Ordering::Relaxed);
        }
        // Closing the channel ends the writer once it applied what it holds.
        drop(out);
        let written = writer.join().unwrap_or_else(|_| {
            Err(ExtractError::Write {
                path: dest.to_owned(),
                source: io::Error::other("the thread writing the files stopped unexpectedly"),
            })
        });
        match (judged, written) {
            (_, Err(e)) => Err(e),
            (judged, Ok(())) => judged,
        }
    })
}

/// The writer thread: applies each operation in order and hands its buffer back; stops
/// at the first failure (its error), at the end of the channel, or once `abort` is
/// raised.
fn write(
    dest: &Path,
    ops: Receiver<Op>,
    free: Sender<Vec<u8>>,
    abort: &AtomicBool,
) -> Result<(), ExtractError> {
    let mut writer = Writer::new(dest);
    for op in ops {
        if abort.load(Ordering::Relaxed) {
            return Err(ExtractError::Cancelled);
        }
        writer.apply(&op)?;
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
}
