//! Where an install reports its progress: the [`ProgressSink`] trait, and
//! [`LineSink`], the plain-text sink of a standalone `vx install`.
//!
//! The engine only talks to this trait, so it runs the same whether its progress goes
//! into a board slot (`vx sync`), onto stderr (`vx install` by hand) or into a test's
//! recording.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use vx_shm::Phase;

/// Receives an install's progress. Implementations must be cheap: `progress` is
/// called once per chunk (64 KiB) and `cancel_requested` between chunks.
pub trait ProgressSink {
    /// The install entered `phase`; `message` says what it is doing (may be empty).
    /// The engine never reports terminal phases: its caller does, from the result.
    fn phase(&mut self, phase: Phase, message: &str);
    /// Bytes done in the current phase, out of `total` when it is known.
    fn progress(&mut self, done: u64, total: Option<u64>);
    /// True when someone asked this install to stop; polled between chunks.
    fn cancel_requested(&mut self) -> bool;
    /// `bytes` more bytes of the download came from its source in this run, as each
    /// chunk arrives (bytes kept from an earlier run are not counted): what the
    /// summary reports as downloaded.
    fn fetched(&mut self, bytes: u64) {
        let _ = bytes;
    }
    /// The download is tried again after a transient failure: from zero, or from
    /// [`Retry::resume_at`] when the server can continue it.
    fn retry(&mut self, retry: &Retry<'_>) {
        let _ = retry;
    }
    /// The install goes on another way than the lock planned, and the user should
    /// know: `message` says which way and why (`its environment is installed with
    /// python's pip: uv 0.5.11 cannot be had (…)`). Unlike a phase's message, which
    /// the next phase replaces, a notice is reported whole in every output mode and
    /// kept for the summary.
    fn notice(&mut self, message: &str) {
        let _ = message;
    }
}

/// A retry of a download, as announced to whoever watches: which attempt, why, and
/// where it continues. Shown as `retry 2/3: HTTP 503 Service Unavailable` or
/// `retry 2/3: no data for 30 s, resuming at 4.1 MiB`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retry<'a> {
    /// The attempt about to start (2, 3, …).
    pub attempt: u32,
    /// How many attempts there are in all.
    pub attempts: u32,
    /// Why the previous attempt failed, short (no URL).
    pub cause: &'a str,
    /// The bytes kept from before, when the download continues instead of restarting.
    pub resume_at: Option<u64>,
}

impl Retry<'_> {
    /// The progress the download restarts from.
    pub(crate) fn done(&self) -> u64 {
        self.resume_at.unwrap_or(0)
    }
}

impl std::fmt::Display for Retry<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "retry {}/{}: {}",
            self.attempt, self.attempts, self.cause
        )?;
        if let Some(at) = self.resume_at {
            write!(f, ", resuming at {}", vx_text::bytes(at))?;
        }
        Ok(())
    }
}

impl<S: ProgressSink + ?Sized> ProgressSink for &mut S {
    fn phase(&mut self, phase: Phase, message: &str) {
        (**self).phase(phase, message);
    }
    fn progress(&mut self, done: u64, total: Option<u64>) {
        (**self).progress(done, total);
    }
    fn cancel_requested(&mut self) -> bool {
        (**self).cancel_requested()
    }
    fn fetched(&mut self, bytes: u64) {
        (**self).fetched(bytes);
    }
    fn retry(&mut self, retry: &Retry<'_>) {
        (**self).retry(retry);
    }
    fn notice(&mut self, message: &str) {
        (**self).notice(message);
    }
}

/// A sink that reports nothing and never cancels, for callers that do not care.
#[derive(Clone, Copy, Debug, Default)]
pub struct NullSink;

impl ProgressSink for NullSink {
    fn phase(&mut self, _: Phase, _: &str) {}
    fn progress(&mut self, _: u64, _: Option<u64>) {}
    fn cancel_requested(&mut self) -> bool {
        false
    }
}

/// `inner`'s reports, with [`ProgressSink::cancel_requested`] following `flag` (e.g.
/// set by a Ctrl-C handler) as well as `inner`: a standalone `vx install`'s sink, its
/// cancel flag kept apart from how its progress is shown.
pub struct Cancellable<S> {
    inner: S,
    flag: Arc<AtomicBool>,
}

impl<S> Cancellable<S> {
    /// `inner`, cancelled once `flag` is set.
    pub fn new(inner: S, flag: Arc<AtomicBool>) -> Self {
        Cancellable { inner, flag }
    }

    /// Gives back the sink inside.
    #[cfg(test)]
    pub(crate) fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: ProgressSink> ProgressSink for Cancellable<S> {
    fn phase(&mut self, phase: Phase, message: &str) {
        self.inner.phase(phase, message);
    }
    fn progress(&mut self, done: u64, total: Option<u64>) {
        self.inner.progress(done, total);
    }
    fn cancel_requested(&mut self) -> bool {
        self.flag.load(Ordering::Relaxed) || self.inner.cancel_requested()
    }
    fn fetched(&mut self, bytes: u64) {
        self.inner.fetched(bytes);
    }
    fn retry(&mut self, retry: &Retry<'_>) {
        self.inner.retry(retry);
    }
    fn notice(&mut self, message: &str) {
        self.inner.notice(message);
    }
}

/// Plain progress lines for a standalone `vx install`, written to stderr by default.
///
/// It prints one line per phase change and, within a phase, one line per 10% of a
/// known total, or at each doubling (from 1 MiB) of an unknown one; never one per
/// chunk, never spinner frames, so its output reads well in a CI log.
pub struct LineSink<W: Write = io::Stderr> {
    out: W,
    label: String,
    phase: Phase,
    next_percent: u64,
    next_bytes: u64,
}

/// The first byte count printed for a phase whose total is unknown.
const FIRST_UNKNOWN_MARK: u64 = 1 << 20;

impl LineSink<io::Stderr> {
    /// A sink printing `vx: TOOL VERSION: …` lines on stderr.
    pub fn stderr(tool: &str, version: &str) -> Self {
        LineSink::new(io::stderr(), tool, version)
    }
}

impl<'a> LineSink<SaidLines<'a>> {
    /// A sink handing each `TOOL VERSION: …` line to `say` (a resolution's progress
    /// lines, which say them as the run says its own, or not at all under `-q`).
    pub(crate) fn through(say: &'a dyn Fn(&str), tool: &str, version: &str) -> Self {
        LineSink::new(SaidLines { say }, tool, version)
    }
}

/// What [`LineSink::through`] writes to: each line to a caller's `say`, without the
/// `vx: ` its caller adds itself.
pub struct SaidLines<'a> {
    say: &'a dyn Fn(&str),
}

impl Write for SaidLines<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // LineSink writes whole lines, one per call.
        let text = String::from_utf8_lossy(buf);
        for line in text.lines() {
            (self.say)(line.strip_prefix("vx: ").unwrap_or(line));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<W: Write> LineSink<W> {
    /// A sink printing `vx: TOOL VERSION: …` lines to `out`.
    pub(crate) fn new(out: W, tool: &str, version: &str) -> Self {
        LineSink {
            out,
            label: format!("{tool} {version}"),
            phase: Phase::Queued,
            next_percent: 10,
            next_bytes: FIRST_UNKNOWN_MARK,
        }
    }

    /// Gives back the writer (tests read what was printed).
    #[cfg(test)]
    pub(crate) fn into_inner(self) -> W {
        self.out
    }

    fn line(&mut self, text: std::fmt::Arguments<'_>) {
        // One write per line, so lines from parallel processes sharing a terminal or
        // a captured stderr never interleave mid-line. Best effort: a closed stderr
        // must not fail an install.
        // Messages can quote an archive or a server: shown escaped, never obeyed.
        let text = text.to_string();
        let line = format!("vx: {}: {}\n", self.label, vx_text::sanitize(&text));
        let _ = self.out.write_all(line.as_bytes());
    }
}

impl<W: Write> ProgressSink for LineSink<W> {
    fn phase(&mut self, phase: Phase, message: &str) {
        self.phase = phase;
        self.next_percent = 10;
        self.next_bytes = FIRST_UNKNOWN_MARK;
        // "cancelled", never "cancelled: cancelled" when the message says it already.
        if message.is_empty() {
            self.line(format_args!("{phase}"));
        } else if vx_text::repeats(&phase.to_string(), message) {
            self.line(format_args!("{message}"));
        } else {
            self.line(format_args!("{phase}: {message}"));
        }
    }

    fn progress(&mut self, done: u64, total: Option<u64>) {
        let phase = self.phase;
        match total {
            Some(total) if total > 0 => {
                let percent = (u128::from(done.min(total)) * 100 / u128::from(total)) as u64;
                if percent >= self.next_percent {
                    self.next_percent = (percent / 10 + 1) * 10;
                    self.line(format_args!(
                        "{phase} {percent}% ({} of {})",
                        vx_text::bytes(done),
                        vx_text::bytes(total)
                    ));
                }
            }
            _ => {
                if done >= self.next_bytes {
                    self.next_bytes = done.saturating_mul(2);
                    self.line(format_args!("{phase} {}", vx_text::bytes(done)));
                }
            }
        }
    }

    /// Never of its own accord: see [`Cancellable`].
    fn cancel_requested(&mut self) -> bool {
        false
    }

    fn retry(&mut self, retry: &Retry<'_>) {
        self.next_percent = 10;
        self.next_bytes = FIRST_UNKNOWN_MARK;
        let phase = self.phase;
        self.line(format_args!("{phase}: {retry}"));
    }

    fn notice(&mut self, message: &str) {
        self.line(format_args!("{message}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(sink: LineSink<Vec<u8>>) -> Vec<String> {
        String::from_utf8(sink.into_inner())
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn one_line_per_phase_and_per_tenth_never_per_chunk() {
        let mut sink = LineSink::new(Vec::new(), "rg", "14.1.1");
        sink.phase(Phase::Resolving, "");
        sink.phase(Phase::Downloading, "https://x.org/rg.tar.gz");
        let total = 10 * 1024 * 1024;
        let mut done = 0;
        while done < total {
            done = (done + 4096).min(total);
            sink.progress(done, Some(total));
        }
        sink.phase(Phase::Completed, "installed");
        let lines = lines(sink);
        assert_eq!(lines[0], "vx: rg 14.1.1: resolving");
        assert_eq!(
            lines[1],
            "vx: rg 14.1.1: downloading: https://x.org/rg.tar.gz"
        );
        assert_eq!(
            lines[2],
            "vx: rg 14.1.1: downloading 10% (1.0 MiB of 10.0 MiB)"
        );
        assert_eq!(
            lines[11],
            "vx: rg 14.1.1: downloading 100% (10.0 MiB of 10.0 MiB)"
        );
        assert_eq!(lines[12], "vx: rg 14.1.1: completed: installed");
        assert_eq!(lines.len(), 13, "2560 chunks gave {} lines", lines.len());
    }

    #[test]
    fn big_jumps_print_once_and_phases_reset_the_marks() {
        let mut sink = LineSink::new(Vec::new(), "t", "1");
        sink.phase(Phase::Downloading, "");
        sink.progress(95, Some(100));
        sink.progress(96, Some(100));
        sink.phase(Phase::Extracting, "");
        sink.progress(50, Some(100));
        let lines = lines(sink);
        assert_eq!(
            lines,
            [
                "vx: t 1: downloading",
                "vx: t 1: downloading 95% (95 B of 100 B)",
                "vx: t 1: extracting",
                "vx: t 1: extracting 50% (50 B of 100 B)",
            ]
        );
    }

    #[test]
    fn unknown_totals_print_at_doublings() {
        let mut sink = LineSink::new(Vec::new(), "t", "1");
        sink.phase(Phase::Downloading, "");
        for i in 1..=1024u64 {
            sink.progress(i * 64 * 1024, None);
        }
        // 64 MiB in 64 KiB chunks: marks at 1, 2, 4, 8, 16, 32, 64 MiB.
        let lines = lines(sink);
        assert_eq!(lines.len(), 1 + 7, "{lines:?}");
        assert_eq!(lines[1], "vx: t 1: downloading 1.0 MiB");
    }

    #[test]
    fn a_message_that_says_the_phase_is_not_said_twice() {
        let mut sink = LineSink::new(Vec::new(), "t", "1");
        sink.phase(Phase::Cancelled, "cancelled");
        sink.phase(Phase::Cancelled, "cancelled by SIGTERM");
        sink.phase(Phase::Cancelled, "the server went away");
        assert_eq!(
            lines(sink),
            [
                "vx: t 1: cancelled",
                "vx: t 1: cancelled by SIGTERM",
                "vx: t 1: cancelled: the server went away",
            ]
        );
    }

    #[test]
    fn cancel_follows_the_flag() {
        let flag = Arc::new(AtomicBool::new(false));
        let mut sink = Cancellable::new(LineSink::new(Vec::new(), "t", "1"), flag.clone());
        assert!(!sink.cancel_requested());
        flag.store(true, Ordering::Relaxed);
        assert!(sink.cancel_requested());
        assert!(lines(sink.into_inner()).is_empty());
        assert!(!LineSink::new(Vec::new(), "t", "1").cancel_requested());
        assert!(!NullSink.cancel_requested());
    }

    #[test]
    fn a_retry_prints_one_line_and_restarts_the_marks() {
        let mut sink = LineSink::new(Vec::new(), "t", "1");
        sink.phase(Phase::Downloading, "");
        sink.progress(50, Some(100));
        sink.retry(&Retry {
            attempt: 2,
            attempts: 3,
            cause: "HTTP 503",
            resume_at: None,
        });
        sink.progress(50, Some(100));
        assert_eq!(
            lines(sink),
            [
                "vx: t 1: downloading",
                "vx: t 1: downloading 50% (50 B of 100 B)",
                "vx: t 1: downloading: retry 2/3: HTTP 503",
                "vx: t 1: downloading 50% (50 B of 100 B)",
            ]
        );
    }
}
