//! Headless reporting of a sync from board snapshots: progress lines for CI logs, or
//! one JSON object per event.
//!
//! The reporter sees only what the board shows (it polls snapshots, ~10 per second):
//! one line per observed phase change per tool, a periodic line of the tools still
//! running whose interval backs off 3 s → 6 → 12 → … → 60 s, never a line per chunk;
//! then the summary table of [`table`], which `vx board dump` prints too. A result's
//! reason is laid out by [`layout`] (its parts on lines of their own), and every line
//! keeps within the width asked for, if any ([`Reporter::with_width`]).
//!
//! # `--json` schema
//!
//! One JSON object per line on stdout; `event` names its kind. Times are milliseconds;
//! `elapsed_ms` in `phase` and `progress` events counts from the start of the sync.
//!
//! ```text
//! {"event":"start","board":"<id>","label":"vx.toml","tools":3,"jobs":8}
//! {"event":"phase","tool":"rg","version":"14.1.1","phase":"downloading",
//!  "message":"https://…","exit_code":0,"elapsed_ms":120,"attempt":1}
//! {"event":"progress","elapsed_ms":3000,"tools":[{"tool":"rg","phase":"downloading",
//!  "bytes_done":1048576,"bytes_total":4194304,"percent":25.0,"running_ms":2880}]}
//! {"event":"stderr","tool":"rg","lines":["vx install: rg 14.1.1: …"]}
//! {"event":"notice","tool":"black","version":"24.10.0","message":"its environment
//!  is installed with python's pip instead: uv 0.5.11 cannot be had (…)"}
//! {"event":"summary","interrupted":false,"exit_code":1,"tools":[{"tool":"rg",
//!  "version":"14.1.1","result":"completed","ok":true,"bytes":4194304,
//!  "elapsed_ms":2950,"exit_code":0,"message":"installed 4.0 MiB into …",
//!  "attempt":1,"unverified":false,"signed":false,"source":"origin"}],
//!  "notices":[],"publishes":412,"report_lines":9}
//! ```
//!
//! - `phase`: a tool entered `phase` (`resolving`, `downloading`, `extracting`,
//!   `post-install`, or a result: `completed`, `cached`, `failed`, `cancelled`), or
//!   began download attempt `attempt` (> 1 after a transient failure) within it;
//!   `exit_code` is the install's code (non-zero only for `failed`/`cancelled`);
//!   `version` is whole where the sync knows it ([`Reporter::with_versions`]), though
//!   the board's field shows a long one cut (`docs/LAYOUT.md`).
//! - `progress`: the periodic snapshot of running tools; `bytes_total` and `percent`
//!   are `null` when the size is unknown.
//! - `stderr`: the last lines a failed child wrote to its stderr (bounded).
//! - `notice`: a tool's install went on another way than the lock planned, and why
//!   (a PyPI tool's environment installed with python's pip because vx's uv could not
//!   be had); repeated in the summary's `notices` (`tool`, `version`, `message`).
//! - a `completed` phase event has `source`: `origin`, or the mirror that served the
//!   download as written (`oci://registry.corp/vx`, `cache` for vx's blob cache).
//! - `summary`: always last; `exit_code` is `vx sync`'s; one entry per tool in
//!   manifest order (fields as in [`table::Row`]): `result` is a phase label (or
//!   `unreadable`), `bytes` and `elapsed_ms` may be `null`, `message` is the slot's
//!   last message (at most 112 bytes); `publishes` counts the records written into
//!   the board's slots, `report_lines` the JSON lines printed including this one.
//!   `bytes` of a finished tool counts what its download received in this run (see
//!   [`table::Row::bytes`]), not the file's size.

pub mod boards;
pub(crate) mod layout;
pub(crate) mod reasons;
pub mod table;

use std::io::{self, Write};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::json;
use vx_shm::{BoardInfo, Phase, SlotRead, now_unix_ms};

use reasons::{FullReasons, Reason};
use table::Row;
use vx_tui::text::{bytes as human_bytes, count, duration_ms, sanitize as clean};

/// First interval of the periodic "still running" line.
pub(crate) const FIRST_INTERVAL: Duration = Duration::from_secs(3);
/// Longest interval of the periodic line.
pub(crate) const MAX_INTERVAL: Duration = Duration::from_secs(60);

/// A doubling interval, capped; or a fixed one (`--progress-interval`).
#[derive(Clone, Debug)]
pub(crate) struct Backoff {
    next: Instant,
    interval: Duration,
    fixed: bool,
}

impl Backoff {
    /// First due `FIRST_INTERVAL` after `start`, then doubling.
    pub(crate) fn new(start: Instant) -> Backoff {
        Backoff {
            next: start + FIRST_INTERVAL,
            interval: FIRST_INTERVAL,
            fixed: false,
        }
    }

    /// Due every `interval` from `start`.
    pub(crate) fn fixed(start: Instant, interval: Duration) -> Backoff {
        Backoff {
            next: start + interval,
            interval,
            fixed: true,
        }
    }

    /// True (once) when due at `now`; the next one is twice as far (up to the cap)
    /// unless the interval is fixed.
    pub(crate) fn due(&mut self, now: Instant) -> bool {
        if now < self.next {
            return false;
        }
        if !self.fixed {
            self.interval = (self.interval * 2).min(MAX_INTERVAL);
        }
        self.next = now + self.interval;
        true
    }
}

/// How much the lines say (`-q`, default, `-v`); JSON is always whole.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Verbosity {
    /// `-q`: failures and the final line only.
    Quiet,
    /// Phase changes, the periodic line and the summary table.
    #[default]
    Normal,
    /// Also URLs, exit codes in the table and the board's publish count.
    Verbose,
}

/// Output style.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// Lines for people and CI logs.
    Lines,
    /// One JSON object per line.
    Json,
}

/// What a run does with each tool, for the words its lines use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Work {
    /// Installs it (`vx sync`, `vx exec`).
    #[default]
    Install,
    /// Downloads and hashes it for the lock, installing nothing (`vx lock`).
    Lock,
}

impl Work {
    /// The run, as its first line says it: `syncing`, `locking`.
    pub(crate) const fn doing(self) -> &'static str {
        match self {
            Work::Install => "syncing",
            Work::Lock => "locking",
        }
    }

    /// What became of a tool that succeeded: `installed`, `locked`.
    pub(crate) const fn done(self) -> &'static str {
        match self {
            Work::Install => "installed",
            Work::Lock => "locked",
        }
    }
}

/// Turns a stream of board snapshots into headless output.
pub(crate) struct Reporter<W: Write> {
    out: W,
    style: Style,
    seen: Vec<Option<(Phase, u32)>>,
    /// Per slot, the phases already reported (bits of `phases_seen`).
    reported: Vec<u8>,
    start: Instant,
    backoff: Backoff,
    lines: u64,
    reasons: Arc<Mutex<FullReasons>>,
    verbosity: Verbosity,
    width: Option<usize>,
    work: Work,
    /// The notices reported ([`Reporter::noticed`]), `(tool, version, message)`, said
    /// again with the summary.
    notices: Vec<(String, String, String)>,
    /// Each slot's whole version, where the caller knows it ([`Reporter::with_versions`]).
    versions: Vec<String>,
    /// The retries a progress line showed whole, `(tool as its slot names it,
    /// message)`: not said again once the child ended ([`Reporter::retried`]).
    shown_retries: Vec<(String, String)>,
}

impl<W: Write> Reporter<W> {
    /// A reporter writing to `out`, with the sync starting now.
    pub(crate) fn new(out: W, style: Style) -> Reporter<W> {
        let start = Instant::now();
        Reporter {
            out,
            style,
            seen: Vec::new(),
            reported: Vec::new(),
            start,
            backoff: Backoff::new(start),
            lines: 0,
            reasons: Arc::default(),
            verbosity: Verbosity::Normal,
            width: None,
            work: Work::Install,
            notices: Vec::new(),
            versions: Vec::new(),
            shown_retries: Vec::new(),
        }
    }

    /// Names each slot's tool with its whole version (by slot index) in the phase
    /// events, where the board's version field shows a long one cut with `…`
    /// (`docs/LAYOUT.md`); a slot without one here is said as the board shows it.
    pub(crate) fn with_versions(mut self, versions: Vec<String>) -> Reporter<W> {
        self.versions = versions;
        self
    }

    /// Words the lines for `work` (`vx lock`'s runs say `locking` and `locked`).
    pub(crate) fn with_work(mut self, work: Work) -> Reporter<W> {
        self.work = work;
        self
    }

    /// Keeps the lines within `width` columns (`None`: as long as they are), breaking
    /// them at spaces ([`layout::fit`]); the summary table itself is as wide as its
    /// columns. JSON is never wrapped.
    pub(crate) fn with_width(mut self, width: Option<usize>) -> Reporter<W> {
        self.width = width;
        self
    }

    /// Says as much as `verbosity` asks (lines only: JSON is always whole).
    pub(crate) fn with_verbosity(mut self, verbosity: Verbosity) -> Reporter<W> {
        self.verbosity = verbosity;
        self
    }

    /// Prints the periodic line every `interval` instead of backing off.
    pub(crate) fn with_interval(mut self, interval: Duration) -> Reporter<W> {
        self.backoff = Backoff::fixed(self.start, interval);
        self
    }

    fn quiet(&self) -> bool {
        self.style == Style::Lines && self.verbosity == Verbosity::Quiet
    }

    /// Reads full failure reasons from `reasons` (shared with whoever settles the
    /// children): a failure line waits for its reason and prints it whole.
    pub(crate) fn with_reasons(mut self, reasons: Arc<Mutex<FullReasons>>) -> Reporter<W> {
        self.reasons = reasons;
        self
    }

    /// Gives back the writer.
    #[cfg(test)]
    pub(crate) fn into_inner(self) -> W {
        self.out
    }

    /// Writes `text` and a newline; lines are wrapped at the width, if any.
    fn emit(&mut self, text: &str) {
        let text = match self.style {
            Style::Lines => layout::fit(text, self.width),
            Style::Json => text.to_owned(),
        };
        // Output is best effort: a closed stdout must not stop the sync.
        let _ = self.out.write_all(text.as_bytes());
        let _ = self.out.write_all(b"\n");
        let _ = self.out.flush();
        self.lines += 1 + text.matches('\n').count() as u64;
    }

    fn elapsed_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    /// Announces the sync.
    pub(crate) fn start(&mut self, info: &BoardInfo, jobs: usize) {
        if self.quiet() {
            return;
        }
        let text = match self.style {
            Style::Lines => format!(
                "vx: {} {} from {} ({} at a time, board {})",
                self.work.doing(),
                count(info.slot_count as u64, "tool"),
                clean(&info.label),
                jobs,
                clean(&info.id)
            ),
            Style::Json => json!({
                "event": "start", "board": info.id, "label": info.label,
                "tools": info.slot_count, "jobs": jobs,
            })
            .to_string(),
        };
        self.emit(&text);
    }

    /// Reports what changed since the last snapshot, and the periodic line when due.
    pub(crate) fn observe(&mut self, snaps: &[SlotRead]) {
        self.observe_at(snaps, Instant::now(), now_unix_ms());
    }

    /// [`Reporter::observe`] at a given time (tests).
    pub(crate) fn observe_at(&mut self, snaps: &[SlotRead], now: Instant, now_ms: u64) {
        if self.seen.len() < snaps.len() {
            self.seen.resize(snaps.len(), None);
            self.reported.resize(snaps.len(), 0);
        }
        for (i, read) in snaps.iter().enumerate() {
            let Ok(snap) = read else { continue };
            let record = &snap.record;
            let Some(phase) = record.phase() else {
                continue;
            };
            if phase == Phase::Queued {
                continue;
            }
            let mut message = record.message().into_owned();
            if phase.is_terminal() {
                let reasons = self.reasons.lock().unwrap_or_else(PoisonError::into_inner);
                match reasons.get(i) {
                    // Shown once it is whole (the child is settled within a poll).
                    Reason::Waiting => continue,
                    Reason::Known(full) => message = full,
                    Reason::Board => {}
                }
            }
            // A new phase, or a new download attempt within one, is an event.
            if self.seen[i] == Some((phase, record.attempt)) {
                continue;
            }
            self.seen[i] = Some((phase, record.attempt));
            // Phases too short for any poll to see come first, in order, from the
            // slot's record of every phase it entered.
            let missed = record.phases_seen & !self.reported[i] & !phase.seen_bit();
            self.reported[i] |= record.phases_seen | phase.seen_bit();
            for short in record.phases_seen().filter(|p| missed & p.seen_bit() != 0) {
                if !short.is_terminal() {
                    self.phase_event(i, record, short, String::new());
                }
            }
            self.phase_event(i, record, phase, message);
        }
        if self.backoff.due(now) && !self.quiet() {
            self.periodic(snaps, now_ms);
        }
    }

    /// Prints one phase event (a phase entered, or a new download attempt) of slot
    /// `index`.
    fn phase_event(
        &mut self,
        index: usize,
        record: &vx_shm::SlotRecord,
        phase: Phase,
        mut message: String,
    ) {
        if self.quiet() && !matches!(phase, Phase::Failed | Phase::Cancelled) {
            return;
        }
        // The URL of a first download attempt is for `-v`; a retry's cause, or a
        // download resuming where an earlier run stopped, is news.
        if phase == Phase::Downloading
            && record.attempt <= 1
            && self.verbosity != Verbosity::Verbose
            && is_url(&message)
        {
            message.clear();
        }
        // A phase passed on the way has no code of its own.
        let exit_code = if record.phase() == Some(phase) {
            record.exit_code
        } else {
            0
        };
        let tool = record.tool();
        let version = match self.versions.get(index) {
            Some(whole) => std::borrow::Cow::Borrowed(whole.as_str()),
            None => record.version(),
        };
        let text = match self.style {
            // A result's reason may have several parts, each said on a line.
            Style::Lines if phase.is_terminal() => layout::outcome(
                &format!("vx: {} {}", clean(&tool), clean(&version)),
                Some(phase.label()),
                &clean(&message),
                None,
            ),
            Style::Lines if message.is_empty() => {
                format!("vx: {} {}: {phase}", clean(&tool), clean(&version))
            }
            Style::Lines => {
                if message.starts_with("retry ") {
                    self.shown_retries.push((tool.to_string(), message.clone()));
                }
                format!(
                    "vx: {} {}: {phase}: {}",
                    clean(&tool),
                    clean(&version),
                    clean(&message)
                )
            }
            Style::Json => {
                let mut event = json!({
                    "event": "phase", "tool": tool, "version": version,
                    "phase": phase.label(), "message": message,
                    "exit_code": exit_code, "elapsed_ms": self.elapsed_ms(),
                    "attempt": record.attempt,
                });
                if phase == Phase::Completed
                    && let Some(source) = vx_engine::install::served_by(&message)
                {
                    event["source"] = source.into();
                }
                event.to_string()
            }
        };
        self.emit(&text);
    }

    fn periodic(&mut self, snaps: &[SlotRead], now_ms: u64) {
        let running: Vec<_> = snaps
            .iter()
            .filter_map(|read| read.as_ref().ok())
            .filter(|snap| {
                snap.record
                    .phase()
                    .is_some_and(|p| p != Phase::Queued && !p.is_terminal())
            })
            .collect();
        if running.is_empty() {
            return;
        }
        let text = match self.style {
            Style::Lines => {
                let parts: Vec<String> = running
                    .iter()
                    .map(|snap| {
                        let r = &snap.record;
                        let phase = r.phase().map_or("?", Phase::label);
                        let amount = match r.ratio() {
                            Some(ratio) => format!("{:.0}%", ratio * 100.0),
                            None => human_bytes(r.bytes_done),
                        };
                        let took = now_ms.saturating_sub(r.started_unix_ms);
                        format!(
                            "{} {phase} {amount} {}",
                            clean(&r.tool()),
                            duration_ms(took)
                        )
                    })
                    .collect();
                format!("vx: running: {}", parts.join("; "))
            }
            Style::Json => {
                let tools: Vec<_> = running
                    .iter()
                    .map(|snap| {
                        let r = &snap.record;
                        json!({
                            "tool": r.tool(), "phase": r.phase().map_or("?", Phase::label),
                            "bytes_done": r.bytes_done, "bytes_total": r.bytes_total(),
                            "percent": r.ratio().map(|x| (x * 1000.0).round() / 10.0),
                            "running_ms": now_ms.saturating_sub(r.started_unix_ms),
                        })
                    })
                    .collect();
                json!({"event": "progress", "elapsed_ms": self.elapsed_ms(), "tools": tools})
                    .to_string()
            }
        };
        self.emit(&text);
    }

    /// Says that `tool` `version` had to try again (`retry 2/3: oci://…: checksum
    /// mismatch …`), whole, once its child has ended: in lines and JSON alike, so a
    /// corrupt mirror is heard of even when the origin then served. A retry a
    /// progress line already showed whole is not said twice (it would come after the
    /// line that says the install gave up).
    pub(crate) fn retried(&mut self, tool: &str, version: &str, retry: &str) {
        match self.style {
            Style::Lines
                if self.shown_retries.iter().any(|(shown, message)| {
                    message == retry && tool.starts_with(shown.as_str())
                }) => {}
            Style::Lines => {
                let text = format!("vx: {} {}: {}", clean(tool), clean(version), clean(retry));
                self.emit(&text);
            }
            Style::Json => {
                let text =
                    json!({"event": "retry", "tool": tool, "version": version, "message": retry})
                        .to_string();
                self.emit(&text);
            }
        }
    }

    /// Reports a notice of `tool` `version`: its install went on another way than the
    /// lock planned (`message` says which and why). Said at once (even when quiet: it
    /// is a warning) and again with the summary, where a user looks last.
    pub(crate) fn noticed(&mut self, tool: &str, version: &str, message: &str) {
        self.notices
            .push((tool.to_owned(), version.to_owned(), message.to_owned()));
        let text = self.notice_text(tool, version, message);
        self.emit(&text);
    }

    fn notice_text(&self, tool: &str, version: &str, message: &str) -> String {
        match self.style {
            Style::Lines => format!(
                "vx: {} {}: note: {}",
                clean(tool),
                clean(version),
                clean(message)
            ),
            Style::Json => {
                json!({"event": "notice", "tool": tool, "version": version, "message": message})
                    .to_string()
            }
        }
    }

    /// The notices again, after the summary's table or final line (JSON's summary
    /// holds them as `notices`).
    fn notices_again(&self, text: &mut Vec<u8>) -> io::Result<()> {
        for (tool, version, message) in &self.notices {
            let line = self.notice_text(tool, version, message);
            writeln!(text, "{}", layout::fit(&line, self.width))?;
        }
        Ok(())
    }

    /// Shows the stderr tail of a child that failed.
    pub(crate) fn child_stderr(&mut self, tool: &str, lines: &[String]) {
        if lines.is_empty() {
            return;
        }
        match self.style {
            Style::Lines => {
                let mut text = format!("vx: {}: last lines of its stderr:", clean(tool));
                for line in lines {
                    text.push_str("\n    ");
                    text.push_str(&clean(line));
                }
                self.emit(&text);
            }
            Style::Json => {
                let text = json!({"event": "stderr", "tool": tool, "lines": lines}).to_string();
                self.emit(&text);
            }
        }
    }

    /// The final summary: the table, or the `summary` object. `publishes` is how many
    /// records were published into the board's slots (shown next to the number of
    /// lines this reporter printed, to show how much the board absorbed); `took` is
    /// how long `vx` ran.
    pub(crate) fn summary(
        &mut self,
        rows: &[Row],
        interrupted: bool,
        exit_code: i32,
        publishes: u64,
        took: Duration,
    ) -> io::Result<()> {
        match self.style {
            Style::Lines => {
                let mut text = Vec::new();
                let verbose = self.verbosity == Verbosity::Verbose;
                table::write_table(&mut text, rows, verbose, Some(took), self.width, self.work)?;
                self.notices_again(&mut text)?;
                if interrupted {
                    let note = "interrupted: unfinished tools were cancelled";
                    writeln!(text, "{}", layout::fit(note, self.width))?;
                }
                if verbose {
                    let lines =
                        self.lines + text.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
                    let note = format!(
                        "{} published on the board; {} of report",
                        count(publishes, "progress record"),
                        count(lines, "line")
                    );
                    writeln!(text, "{}", layout::fit(&note, self.width))?;
                }
                self.out.write_all(&text)?;
                self.lines += text.iter().filter(|&&b| b == b'\n').count() as u64;
            }
            Style::Json => {
                let text = json!({
                    "event": "summary", "interrupted": interrupted,
                    "exit_code": exit_code, "publishes": publishes,
                    "report_lines": self.lines + 1, "took_ms": took.as_millis() as u64,
                    "tools": rows, "notices": self.notices.iter().map(|(tool, version, message)| {
                        json!({"tool": tool, "version": version, "message": message})
                    }).collect::<Vec<_>>(),
                })
                .to_string();
                self.emit(&text);
            }
        }
        self.out.flush()
    }

    /// The whole report of a sync that found every tool installed: one line, or the
    /// `summary` object alone. `took` is how long `vx` ran.
    pub(crate) fn up_to_date(&mut self, rows: &[Row], took: Duration) -> io::Result<()> {
        match self.style {
            Style::Lines => {
                let unverified: Vec<String> = rows
                    .iter()
                    .filter(|r| r.unverified)
                    .map(|r| clean(&r.tool).into_owned())
                    .collect();
                let mut text = format!(
                    "vx: {} up to date in {} ms",
                    count(rows.len() as u64, "tool"),
                    took.as_millis()
                );
                if !unverified.is_empty() {
                    text.push_str(&format!(
                        " ({} UNVERIFIED: no sha256)",
                        unverified.join(", ")
                    ));
                }
                self.emit(&text);
                self.out.flush()
            }
            Style::Json => self.summary(rows, false, 0, 0, took),
        }
    }

    /// The one line that ends a run whose tools were each printed already (the inline
    /// region): `vx: 8 tools in 4.7s: 7 installed, 1 failed`, counts of zero left out.
    pub(crate) fn final_line(
        &mut self,
        rows: &[Row],
        interrupted: bool,
        took: Duration,
    ) -> io::Result<()> {
        let tally = table::tally(rows);
        let counts: Vec<String> = [
            (tally.installed, self.work.done()),
            (tally.cached, "cached"),
            (tally.failed, "failed"),
            (tally.cancelled, "cancelled"),
            (tally.unfinished(), "not finished"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        let text = format!(
            "vx: {} in {}: {}{}",
            count(rows.len() as u64, "tool"),
            duration_ms(took.as_millis() as u64),
            counts.join(", "),
            if interrupted { " (interrupted)" } else { "" }
        );
        self.emit(&text);
        // The inline view muted the notices while it ran: said here, after its lines.
        let mut again = Vec::new();
        self.notices_again(&mut again)?;
        self.out.write_all(&again)?;
        self.lines += again.iter().filter(|&&b| b == b'\n').count() as u64;
        self.out.flush()
    }
}

/// Whether a message is a URL (`scheme://…`): what a download's phase says when it
/// has nothing else to say.
fn is_url(message: &str) -> bool {
    message.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    })
}

/// A consistent read of slot 0 holding `record`, for tests of what is made of reads.
#[cfg(test)]
pub(crate) fn snapshot_of(record: vx_shm::SlotRecord) -> SlotRead {
    Ok(vx_shm::SlotSnapshot {
        index: 0,
        seq: 2,
        cancel_requested: false,
        record,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use vx_shm::SlotRecord;

    /// The JSON events a `Style::Json` reporter wrote, one a line.
    fn json_events(reporter: Reporter<Vec<u8>>) -> Vec<serde_json::Value> {
        let text = String::from_utf8(reporter.into_inner()).unwrap();
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn snap(phase: Phase, done: u64) -> SlotRead {
        let mut record = SlotRecord::queued("rg", "14");
        record.set_phase(phase);
        record.started_unix_ms = 1;
        record.set_progress(done, Some(1000));
        snapshot_of(record)
    }

    #[test]
    fn the_interval_backs_off_to_a_minute() {
        let start = Instant::now();
        let mut backoff = Backoff::new(start);
        let mut at = Vec::new();
        let mut t = start;
        while t < start + Duration::from_secs(400) {
            if backoff.due(t) {
                at.push((t - start).as_secs());
            }
            t += Duration::from_millis(100);
        }
        assert_eq!(&at[..7], [3, 9, 21, 45, 93, 153, 213]);
        let mut fixed = Backoff::fixed(start, Duration::from_secs(2));
        let due: Vec<u64> = (1..=7)
            .filter(|s| fixed.due(start + Duration::from_secs(*s)))
            .collect();
        assert_eq!(due, [2, 4, 6]);
    }

    #[test]
    fn a_first_attempt_shows_a_resume_but_not_its_url() {
        let downloading = |tool: &str, message: &str| {
            let mut record = SlotRecord::queued(tool, "1");
            record.attempt = 1;
            record.set_phase(Phase::Downloading);
            record.set_message(message);
            snapshot_of(record)
        };
        let mut reporter = Reporter::new(Vec::new(), Style::Lines);
        reporter.observe_at(
            &[
                downloading("rg", "https://x.org/rg.tar.gz"),
                downloading("fd", "resuming at 4.1 MiB from an earlier run"),
            ],
            Instant::now(),
            1,
        );
        let text = String::from_utf8(reporter.into_inner()).unwrap();
        assert_eq!(
            text,
            "vx: rg 1: downloading\nvx: fd 1: downloading: resuming at 4.1 MiB from an earlier run\n"
        );
        assert!(!is_url("resuming at 4.1 MiB from an earlier run"));
        assert!(is_url("file:///a/b.zip") && !is_url("a b://c"));
    }

    #[test]
    fn one_line_per_phase_change_never_per_chunk() {
        let mut reporter = Reporter::new(Vec::new(), Style::Lines);
        let now = Instant::now();
        reporter.observe_at(&[snap(Phase::Queued, 0)], now, 1);
        for done in 0..1000 {
            reporter.observe_at(&[snap(Phase::Downloading, done)], now, 1);
        }
        reporter.observe_at(&[snap(Phase::Completed, 1000)], now, 1);
        let text = String::from_utf8(reporter.into_inner()).unwrap();
        assert_eq!(text, "vx: rg 14: downloading\nvx: rg 14: completed\n");
    }

    #[test]
    fn phases_shorter_than_a_poll_are_still_reported_in_order() {
        let mut record = vx_shm::SlotRecord::queued("rg", "14");
        for phase in [Phase::Resolving, Phase::Downloading, Phase::Extracting] {
            record.set_phase(phase);
        }
        record.set_phase(Phase::Failed);
        record.exit_code = 11;
        record.set_message("bad archive");
        let mut reporter = Reporter::new(Vec::new(), Style::Json);
        let now = Instant::now();
        // The only poll sees the outcome; the rest happened in between.
        reporter.observe_at(&[snapshot_of(record)], now, 1);
        reporter.observe_at(&[snapshot_of(record)], now, 2);
        let events = json_events(reporter);
        let phases: Vec<(&str, i64)> = events
            .iter()
            .map(|e| {
                (
                    e["phase"].as_str().unwrap(),
                    e["exit_code"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            phases,
            [
                ("resolving", 0),
                ("downloading", 0),
                ("extracting", 0),
                ("failed", 11)
            ]
        );
    }

    #[test]
    fn a_notice_is_said_at_once_made_safe_and_again_after_the_final_line() {
        let mut reporter = Reporter::new(Vec::new(), Style::Lines);
        reporter.noticed("black", "24", "installed with pip: uv \x1b[2J (mismatch)");
        reporter
            .final_line(
                &table::rows(&[snap(Phase::Completed, 1)], &[]),
                false,
                Duration::from_millis(5),
            )
            .unwrap();
        let text = String::from_utf8(reporter.into_inner()).unwrap();
        let said = "vx: black 24: note: installed with pip: uv \\x1b[2J (mismatch)";
        assert_eq!(text.matches(said).count(), 2, "{text}");
        assert!(!text.contains('\x1b'), "{text}");
        assert!(text.ends_with(&format!("{said}\n")), "{text}");

        let mut reporter = Reporter::new(Vec::new(), Style::Json);
        reporter.noticed("black", "24", "with pip");
        reporter
            .summary(&[], false, 0, 1, Duration::from_millis(5))
            .unwrap();
        let events = json_events(reporter);
        assert_eq!(
            events[0],
            serde_json::json!({"event": "notice", "tool": "black", "version": "24", "message": "with pip"})
        );
        assert_eq!(events[1]["notices"][0]["message"], "with pip");
    }

    #[test]
    fn json_events_parse() {
        let mut reporter = Reporter::new(Vec::new(), Style::Json);
        let now = Instant::now();
        reporter.observe_at(&[snap(Phase::Downloading, 500)], now, 1);
        reporter.observe_at(&[snap(Phase::Downloading, 600)], now + FIRST_INTERVAL, 2001);
        reporter
            .summary(
                &table::rows(&[snap(Phase::Completed, 1000)], &[]),
                false,
                0,
                7,
                Duration::from_millis(1_234),
            )
            .unwrap();
        let events = json_events(reporter);
        assert_eq!(events[0]["event"], "phase");
        assert_eq!(events[1]["event"], "progress");
        assert_eq!(events[1]["tools"][0]["percent"], 60.0);
        assert_eq!(events[1]["tools"][0]["running_ms"], 2000);
        assert_eq!(events[2]["event"], "summary");
        assert_eq!(events[2]["tools"][0]["result"], "completed");
        assert_eq!(events[2]["publishes"], 7);
        assert_eq!(events[2]["report_lines"], 3);
        assert_eq!(events[2]["took_ms"], 1234);
    }
}
