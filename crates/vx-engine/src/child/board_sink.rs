//! A `vx install` child's slot on the board, as the engine's [`ProgressSink`].
//!
//! Each call becomes one seqlock publish into the slot (a handful of relaxed stores, no
//! syscall); a cancel is either a reader's request on the slot or a signal the child
//! received (the shared flag set by its SIGTERM/SIGINT handler).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use vx_shm::{Phase, SlotRecord, SlotWriter, now_unix_ms};

use crate::install::{Outcome, ProgressSink, Retry, Terminal};

/// Publishes an install's progress into its board slot.
pub(crate) struct BoardSink {
    writer: SlotWriter,
    signalled: Arc<AtomicBool>,
    publishes: u64,
    /// Bytes the download received in this run ([`ProgressSink::fetched`]).
    fetched: u64,
    /// Where each retry is also written, whole, for the parent to report
    /// ([`vx_model::config_frame::retry_prefix`]); `None`: nowhere.
    retry_lines: Option<String>,
    /// Where each notice is written, whole, for the parent to report and keep for
    /// the summary ([`vx_model::config_frame::notice_prefix`]); `None`: nowhere.
    notice_lines: Option<String>,
}

impl BoardSink {
    /// Wraps the slot's writer; `signalled` counts as a cancel request when set. Stamps
    /// the slot's start time and writer, and publishes them.
    pub(crate) fn new(mut writer: SlotWriter, signalled: Arc<AtomicBool>) -> BoardSink {
        writer.update(|record| {
            record.started_unix_ms = now_unix_ms();
            record.exit_code = 0;
            record.attempt = record.attempt.saturating_add(1);
        });
        BoardSink {
            writer,
            signalled,
            publishes: 1,
            fetched: 0,
            retry_lines: None,
            notice_lines: None,
        }
    }

    /// Also writes each retry to stderr after `prefix`, so the parent, which may not
    /// see the slot's message before it changes, reports it whole.
    pub(crate) fn with_retry_lines(mut self, prefix: String) -> BoardSink {
        self.retry_lines = Some(prefix);
        self
    }

    /// Also writes each notice to stderr after `prefix`, for the parent to report.
    pub(crate) fn with_notice_lines(mut self, prefix: String) -> BoardSink {
        self.notice_lines = Some(prefix);
        self
    }

    /// Publishes the install's terminal state: phase, message and exit code, with the
    /// bytes this run downloaded as the slot's byte count (see [`record_terminal`]).
    pub(crate) fn finish(&mut self, terminal: &Terminal, outcome: Option<&Outcome>) {
        self.publishes += 1;
        let fetched = self.fetched;
        self.writer
            .update(|record| record_terminal(record, terminal, outcome, fetched));
    }

    /// Marks the slot UNVERIFIED (no sha256 checks the download), for every reader.
    pub(crate) fn mark_unverified(&mut self) {
        self.publishes += 1;
        self.writer
            .update(|record| record.flags |= vx_shm::layout::SLOT_UNVERIFIED);
    }

    /// How many times this sink published into the slot.
    #[cfg(test)]
    pub(crate) fn publishes(&self) -> u64 {
        self.publishes
    }
}

impl ProgressSink for BoardSink {
    fn phase(&mut self, phase: Phase, message: &str) {
        self.publishes += 1;
        self.writer.update(|record| {
            record.set_phase(phase);
            record.set_message(message);
            record.set_progress(0, None);
        });
    }

    fn progress(&mut self, done: u64, total: Option<u64>) {
        self.publishes += 1;
        self.writer
            .update(|record| record.set_progress(done, total));
    }

    fn cancel_requested(&mut self) -> bool {
        self.signalled.load(Ordering::Relaxed) || self.writer.cancel_requested()
    }

    fn fetched(&mut self, bytes: u64) {
        self.fetched = self.fetched.saturating_add(bytes);
    }

    fn retry(&mut self, retry: &Retry<'_>) {
        if let Some(prefix) = &self.retry_lines {
            use std::io::Write as _;
            let line = vx_text::sanitize(&retry.to_string()).into_owned();
            let _ = writeln!(std::io::stderr(), "{prefix}{line}");
        }
        self.publishes += 1;
        self.writer.update(|record| {
            record.attempt = retry.attempt;
            record.set_message(&retry.to_string());
            let total = record.bytes_total();
            record.set_progress(retry.done(), retry.resume_at.and(total));
        });
    }

    fn notice(&mut self, message: &str) {
        let line = vx_text::sanitize(message).into_owned();
        if let Some(prefix) = &self.notice_lines {
            use std::io::Write as _;
            // One line (a newline is escaped): the parent reads stderr by lines.
            let _ = writeln!(std::io::stderr(), "{prefix}{line}");
        }
        self.publishes += 1;
        self.writer.update(|record| record.set_message(&line));
    }
}

/// Writes an install's terminal state into a slot record: phase, message, exit code,
/// the UNVERIFIED mark, and as its byte count `fetched`, the bytes the download
/// received in this run (a resumed download's kept bytes are not counted; a failed or
/// cancelled one counts what arrived before it stopped), out of the file's size for
/// an install. Shared by the child and by the parent, which records a tool it found
/// installed without starting one.
pub fn record_terminal(
    record: &mut SlotRecord,
    terminal: &Terminal,
    outcome: Option<&Outcome>,
    fetched: u64,
) {
    if outcome.is_some_and(Outcome::unverified) {
        record.flags |= vx_shm::layout::SLOT_UNVERIFIED;
    }
    if outcome.is_some_and(|o| o.signed().is_some()) {
        record.flags |= vx_shm::layout::SLOT_SIGNED;
    }
    let total = match outcome {
        Some(
            Outcome::Installed { bytes, .. }
            | Outcome::Probed { bytes, .. }
            | Outcome::Saved { bytes, .. },
        ) => Some(*bytes),
        _ if terminal.phase == Phase::Skipped => Some(0),
        _ => record.bytes_total(),
    };
    record.set_phase(terminal.phase);
    record.set_message(&terminal.message);
    record.exit_code = terminal.code;
    record.set_progress(fetched, total);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::install::InstallError;
    use vx_shm::{Board, ToolEntry};

    fn board(dir: &std::path::Path) -> Board {
        Board::create(
            dir,
            "test",
            &[ToolEntry {
                name: "rg",
                version: "14",
            }],
        )
        .unwrap()
    }

    #[test]
    fn phases_progress_and_the_terminal_state_reach_the_slot() {
        let dir = tempfile::tempdir().unwrap();
        let board = board(dir.path());
        let writer = SlotWriter::attach(board.path(), 0, "rg").unwrap();
        let mut sink = BoardSink::new(writer, Arc::new(AtomicBool::new(false)));
        let read = || board.reader().read_slot(0).unwrap().unwrap().record;
        assert!(read().started_unix_ms > 0);
        assert_eq!(read().writer_pid, std::process::id());

        sink.phase(Phase::Downloading, "http://x/rg.tar.gz");
        sink.progress(10, Some(40));
        let record = read();
        assert_eq!(record.phase(), Some(Phase::Downloading));
        assert_eq!(record.message(), "http://x/rg.tar.gz");
        assert_eq!((record.bytes_done, record.bytes_total()), (10, Some(40)));

        let result: Result<Outcome, InstallError> = Err(InstallError::Cancelled);
        sink.finish(&Terminal::of(&result), None);
        let record = read();
        assert_eq!(record.phase(), Some(Phase::Cancelled));
        assert_eq!(record.exit_code, 130);
        assert_eq!(sink.publishes(), 4);
        let snap = board.reader().read_slot(0).unwrap().unwrap();
        assert_eq!(
            snap.seq / 2,
            1 + 4,
            "registration plus the sink's publishes"
        );
    }

    #[test]
    fn attempts_and_the_unverified_mark_reach_the_slot() {
        let dir = tempfile::tempdir().unwrap();
        let board = board(dir.path());
        let writer = SlotWriter::attach(board.path(), 0, "rg").unwrap();
        let mut sink = BoardSink::new(writer, Arc::new(AtomicBool::new(false)));
        let read = || board.reader().read_slot(0).unwrap().unwrap().record;
        assert_eq!(read().attempt, 1);
        assert!(!read().unverified());
        sink.phase(Phase::Downloading, "http://x/rg.tar.gz");
        sink.progress(10, Some(40));
        sink.retry(&Retry {
            attempt: 2,
            attempts: 3,
            cause: "HTTP 503",
            resume_at: None,
        });
        let record = read();
        assert_eq!(record.attempt, 2);
        assert_eq!(record.message(), "retry 2/3: HTTP 503");
        assert_eq!(record.bytes_done, 0, "progress restarts");
        sink.progress(30, Some(40));
        sink.retry(&Retry {
            attempt: 3,
            attempts: 3,
            cause: "no data for 30 s",
            resume_at: Some(30),
        });
        let record = read();
        assert_eq!(
            record.message(),
            "retry 3/3: no data for 30 s, resuming at 30 B"
        );
        assert_eq!(
            record.bytes_done, 30,
            "a resumed download keeps its progress"
        );
        assert_eq!(record.bytes_total(), Some(40));
        sink.mark_unverified();
        sink.phase(Phase::Extracting, "");
        assert!(read().unverified(), "the mark survives later publishes");
    }

    #[test]
    fn the_terminal_byte_count_is_what_this_run_fetched() {
        let dir = tempfile::tempdir().unwrap();
        let board = board(dir.path());
        let writer = SlotWriter::attach(board.path(), 0, "rg").unwrap();
        let mut sink = BoardSink::new(writer, Arc::new(AtomicBool::new(false)));
        let read = || board.reader().read_slot(0).unwrap().unwrap().record;
        sink.phase(Phase::Downloading, "resuming at 30 B from an earlier run");
        // 30 bytes kept from an earlier run, 5 fetched now.
        sink.progress(30, Some(100));
        sink.fetched(5);
        sink.progress(35, Some(100));
        let result: Result<Outcome, InstallError> = Err(InstallError::Cancelled);
        sink.finish(&Terminal::of(&result), None);
        let record = read();
        assert_eq!((record.bytes_done, record.bytes_total()), (5, Some(100)));
    }

    #[test]
    fn a_reader_request_or_a_signal_cancels() {
        let dir = tempfile::tempdir().unwrap();
        let board = board(dir.path());
        let flag = Arc::new(AtomicBool::new(false));
        let writer = SlotWriter::attach(board.path(), 0, "rg").unwrap();
        let mut sink = BoardSink::new(writer, flag.clone());
        assert!(!sink.cancel_requested());
        flag.store(true, Ordering::Relaxed);
        assert!(sink.cancel_requested());
        flag.store(false, Ordering::Relaxed);
        board.canceller().request_cancel(0).unwrap();
        assert!(sink.cancel_requested());
    }
}
