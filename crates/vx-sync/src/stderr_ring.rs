//! A child's stderr, kept as a bounded ring of its last lines: a runaway child cannot
//! exhaust the parent's memory, and a failure is shown with the lines that explain it.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError};

/// Lines kept.
pub(crate) const MAX_LINES: usize = 40;
/// Bytes kept across all lines.
pub(crate) const MAX_BYTES: usize = 16 * 1024;
/// Longest line kept; the rest of a longer line is dropped.
pub(crate) const MAX_LINE: usize = 512;

/// The last lines of a stream, bounded in count and bytes.
#[derive(Debug, Default)]
pub(crate) struct StderrRing {
    lines: VecDeque<String>,
    bytes: usize,
    partial: Vec<u8>,
    dropped: u64,
}

impl StderrRing {
    /// An empty ring.
    pub(crate) fn new() -> StderrRing {
        StderrRing::default()
    }

    /// Feeds bytes as they arrive; complete lines enter the ring.
    pub(crate) fn push_bytes(&mut self, mut chunk: &[u8]) {
        while let Some(pos) = chunk.iter().position(|&b| b == b'\n') {
            self.extend_partial(&chunk[..pos]);
            self.end_line();
            chunk = &chunk[pos + 1..];
        }
        self.extend_partial(chunk);
    }

    /// Ends the stream: a last line without a newline enters the ring.
    pub(crate) fn finish(&mut self) {
        if !self.partial.is_empty() {
            self.end_line();
        }
    }

    /// The kept lines, oldest first.
    pub(crate) fn lines(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().map(String::as_str)
    }

    /// The last non-empty kept line.
    #[cfg(test)]
    pub(crate) fn last_line(&self) -> Option<&str> {
        self.lines
            .iter()
            .rev()
            .map(|l| l.trim())
            .find(|l| !l.is_empty())
    }

    /// Lines pushed out of the ring (or never kept).
    #[cfg(test)]
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }

    fn extend_partial(&mut self, bytes: &[u8]) {
        let room = MAX_LINE.saturating_sub(self.partial.len());
        self.partial
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    fn end_line(&mut self) {
        let line = String::from_utf8_lossy(&self.partial).into_owned();
        self.partial.clear();
        self.bytes += line.len();
        self.lines.push_back(line);
        while self.lines.len() > MAX_LINES || self.bytes > MAX_BYTES {
            if let Some(old) = self.lines.pop_front() {
                self.bytes -= old.len();
                self.dropped += 1;
            }
        }
    }
}

/// A thread reading one child's stderr into a [`StderrRing`].
pub(crate) struct StderrTail {
    ring: Arc<Mutex<StderrRing>>,
    thread: Option<JoinHandle<()>>,
    ended: StderrEnd,
}

/// Tells when a child's stderr reached its end: the reader thread holds the sending
/// side and drops it when the stream ends, so waiting takes no polling.
#[derive(Clone, Debug)]
pub(crate) struct StderrEnd(Receiver<()>);

impl StderrEnd {
    /// Waits at most `wait` for the stream to end (it ends when the child and
    /// everything it started that shares the stream have exited); whether it did.
    pub(crate) fn wait(&self, wait: Duration) -> bool {
        matches!(
            self.0.recv_timeout(wait),
            Err(RecvTimeoutError::Disconnected) | Ok(())
        )
    }
}

impl StderrTail {
    /// Starts reading `stream` until it ends.
    pub(crate) fn capture(mut stream: impl Read + Send + 'static) -> StderrTail {
        let ring = Arc::new(Mutex::new(StderrRing::new()));
        let shared = Arc::clone(&ring);
        let (end_tx, end_rx) = crossbeam_channel::bounded::<()>(0);
        let thread = std::thread::spawn(move || {
            // Dropped when this thread ends, which is what `StderrEnd` waits for.
            let _ended = end_tx;
            let mut buf = [0u8; 4096];
            loop {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => shared
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push_bytes(&buf[..n]),
                }
            }
            shared
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .finish();
        });
        StderrTail {
            ring,
            thread: Some(thread),
            ended: StderrEnd(end_rx),
        }
    }

    /// What tells when the stream ended (for the child's waiter thread).
    pub(crate) fn end(&self) -> StderrEnd {
        self.ended.clone()
    }

    /// The ring being filled, for live readers (the dashboard's detail pane).
    pub(crate) fn ring(&self) -> Arc<Mutex<StderrRing>> {
        Arc::clone(&self.ring)
    }

    /// The kept lines, without waiting: the sync's waiter threads wait (bounded) for
    /// the end of the stream ([`StderrEnd::wait`]) before they report an exit, so the
    /// event loop never blocks here. A stream still open (a grandchild holding it) is
    /// left to its thread.
    pub(crate) fn settle(&mut self) -> Vec<String> {
        if self.ended.wait(Duration::ZERO)
            && let Some(thread) = self.thread.take()
        {
            let _ = thread.join();
        }
        let ring = self.ring.lock().unwrap_or_else(PoisonError::into_inner);
        ring.lines().map(str::to_owned).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_lines_within_the_caps() {
        let mut ring = StderrRing::new();
        for i in 0..100 {
            ring.push_bytes(format!("line {i}\n").as_bytes());
        }
        assert_eq!(ring.lines().count(), MAX_LINES);
        assert_eq!(ring.lines().next(), Some("line 60"));
        assert_eq!(ring.last_line(), Some("line 99"));
        assert_eq!(ring.dropped(), 60);
    }

    #[test]
    fn runaway_lines_and_bytes_are_capped() {
        let mut ring = StderrRing::new();
        let big = vec![b'x'; 1 << 20];
        ring.push_bytes(&big);
        ring.push_bytes(b"\n");
        for _ in 0..100 {
            ring.push_bytes(&big[..1000]);
            ring.push_bytes(b"\n");
        }
        assert!(ring.lines().all(|l| l.len() <= MAX_LINE));
        assert!(ring.lines().map(str::len).sum::<usize>() <= MAX_BYTES);
    }

    #[test]
    fn split_lines_and_a_last_line_without_newline() {
        let mut ring = StderrRing::new();
        ring.push_bytes(b"hel");
        ring.push_bytes(b"lo\nwor");
        ring.push_bytes(b"ld");
        ring.finish();
        assert_eq!(ring.lines().collect::<Vec<_>>(), ["hello", "world"]);
    }

    #[test]
    fn a_tail_reads_a_stream_to_its_end() {
        let mut tail = StderrTail::capture(std::io::Cursor::new(b"a\nb\n".to_vec()));
        assert!(tail.end().wait(Duration::from_secs(5)));
        assert_eq!(tail.settle(), ["a", "b"]);
    }

    #[test]
    fn a_stream_still_open_is_waited_for_no_longer_than_asked() {
        use std::io::Write;
        let (reader, writer) = std::io::pipe().unwrap();
        let mut tail = StderrTail::capture(reader);
        let end = tail.end();
        assert!(!end.wait(Duration::from_millis(20)), "still open");
        (&writer).write_all(b"last words\n").unwrap();
        drop(writer);
        assert!(end.wait(Duration::from_secs(5)), "ended once closed");
        assert_eq!(tail.settle(), ["last words"]);
    }
}
