//! [`LiveSink`]: a standalone `vx install` on a terminal shows one progress line
//! redrawn in place (phase, bar, percentage, bytes, rate, ETA; the same line a running
//! tool has under `vx sync`), retries as permanent lines, and a permanent `✓`/`✗`
//! line at the end. Off a terminal, [`super::LineSink`] prints plain lines instead.

use std::io::{self, Write};

use vx_shm::{Phase, now_unix_ms};
use vx_tui::Look;
use vx_tui::inline::{LiveLine, terminal_width};

use super::sink::{ProgressSink, Retry};

/// Redraws at most this often (ms) between phase changes.
const REDRAW_MS: u64 = 100;

/// The live progress line of one install, on stderr by default.
pub struct LiveSink<W: Write = io::Stderr> {
    out: W,
    line: LiveLine,
    drawn_ms: u64,
    width: u16,
}

impl LiveSink<io::Stderr> {
    /// The line of `tool` `version` on stderr, as wide as the terminal.
    pub fn stderr(tool: &str, version: &str, look: Look) -> Self {
        LiveSink::new(io::stderr(), tool, version, look, terminal_width())
    }
}

impl<W: Write> LiveSink<W> {
    /// The line of `tool` `version` written to `out`, `width` columns wide.
    pub(crate) fn new(out: W, tool: &str, version: &str, look: Look, width: u16) -> Self {
        LiveSink {
            out,
            line: LiveLine::new(tool, version, look),
            drawn_ms: 0,
            width,
        }
    }

    /// Gives back the writer.
    #[cfg(test)]
    pub(crate) fn into_inner(self) -> W {
        self.out
    }

    /// Replaces the line in place (carriage return, clear line). Best effort: a closed
    /// stderr must not fail an install.
    fn redraw(&mut self, now_ms: u64) {
        self.drawn_ms = now_ms;
        let text = self.line.running(now_ms, self.width);
        let _ = write!(self.out, "\r\x1b[2K{text}");
        let _ = self.out.flush();
    }

    /// Prints `text` for good where the live line was.
    fn settle(&mut self, text: &str) {
        let _ = writeln!(self.out, "\r\x1b[2K{text}");
        let _ = self.out.flush();
    }
}

impl<W: Write> ProgressSink for LiveSink<W> {
    fn phase(&mut self, phase: Phase, message: &str) {
        let now = now_unix_ms();
        if phase.is_terminal() {
            let text = self.line.finished(phase, message, now);
            self.settle(&text);
        } else {
            self.line.phase(phase, now);
            self.redraw(now);
        }
    }

    fn progress(&mut self, done: u64, total: Option<u64>) {
        let now = now_unix_ms();
        self.line.progress(done, total, now);
        if now.saturating_sub(self.drawn_ms) >= REDRAW_MS {
            self.redraw(now);
        }
    }

    /// Never of its own accord: see [`super::Cancellable`].
    fn cancel_requested(&mut self) -> bool {
        false
    }

    fn retry(&mut self, retry: &Retry<'_>) {
        let now = now_unix_ms();
        let text = vx_text::sanitize(&retry.to_string()).into_owned();
        self.settle(&format!("  {text}"));
        self.line.retry(retry.attempt, retry.done(), now);
        self.redraw(now);
    }

    fn notice(&mut self, message: &str) {
        let text = vx_text::sanitize(message).into_owned();
        self.settle(&format!("  {text}"));
        self.redraw(now_unix_ms());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_redrawn_in_place_then_a_permanent_one() {
        let look = Look { color: false };
        let mut sink = LiveSink::new(Vec::new(), "rg", "14.1.1", look, 100);
        sink.phase(Phase::Downloading, "https://x/rg.tgz");
        for done in (0..=4u64 << 20).step_by(64 << 10) {
            sink.progress(done, Some(4 << 20));
        }
        sink.retry(&Retry {
            attempt: 2,
            attempts: 3,
            cause: "HTTP 503",
            resume_at: Some(1 << 20),
        });
        sink.phase(Phase::Completed, "installed 4.0 MiB into /s/rg/14.1.1");
        let text = String::from_utf8(sink.into_inner()).unwrap();
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(
            lines.len(),
            3,
            "two permanent lines and nothing after: {text:?}"
        );
        assert!(lines[0].contains("rg 14.1.1") && lines[0].contains("downloading"));
        assert!(lines[0].ends_with("\r\x1b[2K  retry 2/3: HTTP 503, resuming at 1.0 MiB"));
        assert!(
            lines[1].ends_with("\r\x1b[2K✓ rg 14.1.1  4.0 MiB  0.0s"),
            "{:?}",
            lines[1]
        );
        // Redrawn at most every 100 ms, not per chunk.
        assert!(text.matches("\r\x1b[2K").count() < 10, "{text:?}");
    }
}
