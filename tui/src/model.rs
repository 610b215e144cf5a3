//! What the dashboard knows: a plain model updated from board snapshots. Rates, ETAs,
//! selection and scrolling live here, so rendering is a pure function of the model and
//! both can be tested without a terminal.

use vx_shm::{Phase, SlotError, SlotName, SlotRead, SlotRecord, SlotSnapshot};

use crate::activity::{Event, EventKind, Events, Pace, Throughput};
use crate::tally::{State, Tally};
use crate::text::sanitize;

/// Share of a tool's progress its download stands for; the rest is unpacking. Only
/// for the overall gauge: a tool's own bar shows its current phase.
const DOWNLOAD_SHARE: f64 = 0.85;

/// Time constant of the rate smoothing: how long, in seconds, a rate change takes to
/// show about two thirds of its effect. Long enough to hide chunk jitter, short enough to
/// follow a real slowdown.
const RATE_TAU_SECS: f64 = 2.0;

/// A download with no new bytes for this long is shown as stalled, not slow.
pub const STALL_MS: u64 = 5_000;

/// Byte rate of one tool's current phase: for its first `2 × RATE_TAU_SECS`, the
/// plain average of the bytes seen since the first observation (an exponential average
/// started from the first, often slow, chunk would take seconds to catch up and make
/// early ETAs far too long); after that, exponentially smoothed, to follow changes
/// without jitter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rate {
    first: Option<(u64, u64)>,
    last: Option<(u64, u64)>,
    bytes_per_sec: Option<f64>,
}

impl Rate {
    /// Feeds one observation: `done` bytes at `now_ms`. A counter that went backwards
    /// (a new phase, a retry) restarts the estimate.
    pub fn observe(&mut self, done: u64, now_ms: u64) {
        match (self.first, self.last) {
            (Some((first_done, first_ms)), Some((prev_done, prev_ms))) if done >= prev_done => {
                if now_ms <= prev_ms {
                    return;
                }
                let span = (now_ms - first_ms) as f64 / 1000.0;
                self.bytes_per_sec = Some(if span < 2.0 * RATE_TAU_SECS {
                    (done - first_done) as f64 / span
                } else {
                    let dt = (now_ms - prev_ms) as f64 / 1000.0;
                    let instant = (done - prev_done) as f64 / dt;
                    let alpha = 1.0 - (-dt / RATE_TAU_SECS).exp();
                    let old = self.bytes_per_sec.unwrap_or(instant);
                    old + alpha * (instant - old)
                });
            }
            _ => {
                self.bytes_per_sec = None;
                self.first = Some((done, now_ms));
            }
        }
        self.last = Some((done, now_ms));
    }

    /// Forgets everything (the phase changed).
    pub fn reset(&mut self) {
        *self = Rate::default();
    }

    /// Bytes per second, once two observations exist.
    pub fn bytes_per_sec(&self) -> Option<f64> {
        self.bytes_per_sec
    }
}

/// One tool as the dashboard shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolRow {
    /// Tool name.
    pub name: String,
    /// Version.
    pub version: String,
    /// The latest consistent copy of the slot, if one was ever read.
    pub slot: Option<SlotSnapshot>,
    /// Set when the latest read failed (writer lost or busy).
    pub problem: Option<SlotError>,
    /// Smoothed rate of the current phase.
    pub rate: Rate,
    /// When the tool reached a terminal phase (ms since the epoch), as first seen.
    pub finished_ms: Option<u64>,
    /// When its byte count or phase last changed, as seen (ms since the epoch).
    pub moved_ms: u64,
    /// The furthest this tool has been seen, 0 to 1 (see [`Model::fraction_done`]):
    /// never goes back, so a retry does not move the overall gauge backwards.
    pub best: f64,
    /// Bytes this tool has been seen to download, every attempt included.
    pub downloaded: u64,
    /// When the current retry attempt was first seen (ms since the epoch).
    pub retry_ms: Option<u64>,
    /// Whether the current stall is already in the events.
    stall_noted: bool,
}

impl ToolRow {
    /// A row not read yet.
    pub fn unread(name: String, version: String) -> ToolRow {
        ToolRow {
            name,
            version,
            slot: None,
            problem: None,
            rate: Rate::default(),
            finished_ms: None,
            moved_ms: 0,
            best: 0.0,
            downloaded: 0,
            retry_ms: None,
            stall_noted: false,
        }
    }

    /// Whether the current retry attempt still waits for its first byte.
    pub fn awaits_retry(&self) -> bool {
        self.retry_ms
            .is_some_and(|since| self.moved_ms <= since && self.slot.is_some() && !self.is_done())
    }

    /// The cause of a retry still waiting for its first byte (`HTTP 503`, from the
    /// writer's `retry 2/3: HTTP 503`), shown in place of the row's bar until bytes
    /// flow again.
    pub fn waiting_retry(&self) -> Option<String> {
        if !self.awaits_retry() {
            return None;
        }
        let record = self.slot?.record;
        let message = record.message();
        let cause = retry_parts(&message).map_or(&*message, |(_, cause)| cause);
        Some(sanitize(cause).into_owned())
    }

    /// `retry 2/3` (from the writer's message) or `retry 2` for a download on a later
    /// attempt that has not finished.
    pub fn retry_label(&self) -> Option<String> {
        let record = self.slot?.record;
        if record.attempt <= 1 || self.is_done() {
            return None;
        }
        Some(match retry_parts(&record.message()) {
            Some((count, _)) => format!("retry {count}"),
            None => format!("retry {}", record.attempt),
        })
    }

    /// Seconds a download has gone without a byte, once that is [`STALL_MS`] or more:
    /// shown as `stalled 12s` instead of a decaying rate and a growing ETA.
    pub fn stalled_secs(&self, now_ms: u64) -> Option<u64> {
        let quiet = now_ms.saturating_sub(self.moved_ms);
        (self.phase() == Some(Phase::Downloading) && self.moved_ms != 0 && quiet >= STALL_MS)
            .then_some(quiet / 1000)
    }

    /// The phase, if known.
    pub fn phase(&self) -> Option<Phase> {
        self.slot.and_then(|s| s.record.phase())
    }

    /// What the dashboard knows of the tool, for the tally.
    pub fn state(&self) -> State {
        if matches!(self.problem, Some(SlotError::WriterLost { .. })) {
            return State::Unreadable;
        }
        match &self.slot {
            None => State::Phase(Phase::Queued),
            Some(slot) => slot.record.phase().map_or(State::Unknown, State::Phase),
        }
    }

    /// Whether the tool has an outcome.
    pub fn is_done(&self) -> bool {
        self.phase().is_some_and(Phase::is_terminal)
    }

    /// Seconds left at the smoothed rate, when size and rate are known.
    pub fn eta_secs(&self) -> Option<u64> {
        let record = self.slot?.record;
        if record.phase()?.is_terminal() {
            return None;
        }
        let total = record.bytes_total()?;
        let rate = self.rate.bytes_per_sec().filter(|r| *r > 0.0)?;
        Some((total.saturating_sub(record.bytes_done) as f64 / rate).ceil() as u64)
    }

    /// Seconds since the install started (to its end, once finished).
    pub fn elapsed_secs(&self, now_ms: u64) -> Option<u64> {
        let started = self.slot?.record.started_unix_ms;
        if started == 0 {
            return None;
        }
        let end = self.finished_ms.unwrap_or(now_ms);
        Some(end.saturating_sub(started) / 1000)
    }
}

/// A request from the user that the application must carry out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Ask the writer of this slot to cancel.
    Cancel(usize),
    /// Cancel the whole sync (Ctrl-C).
    Interrupt,
    /// Leave the dashboard.
    Quit,
}

/// The dashboard's state.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// What the board is for (the manifest path).
    pub label: String,
    /// One row per slot, in manifest order.
    pub rows: Vec<ToolRow>,
    /// Index of the selected row.
    pub selected: usize,
    /// Index of the first visible row.
    pub scroll: usize,
    /// Whether the detail pane is open.
    pub detail: bool,
    /// Whether the key help is shown.
    pub help: bool,
    /// A cancel waiting for confirmation.
    pub confirm_cancel: Option<usize>,
    /// When the board was created (ms since the epoch).
    pub started_ms: u64,
    /// The latest time the model was updated with (ms since the epoch).
    pub now_ms: u64,
    /// When the sync finished, if it has.
    pub finished_ms: Option<u64>,
    /// Whether the sync was interrupted.
    pub interrupted: bool,
    /// Set when the board's owner is gone before finishing (watch mode).
    pub owner_gone: bool,
    /// The board cannot be written (a dump, or opened read-only): no cancel offered.
    pub read_only: bool,
    /// A one-line notice for the footer (e.g. "cancel requested for node").
    pub notice: Option<String>,
    /// The captured stderr of the selected tool, when the host has it.
    pub stderr_tail: Vec<String>,
    /// The selected row's full failure reason, when the host has it (sanitized).
    pub selected_reason: Option<String>,
    /// Bytes downloaded per second over the last minute, for the chart.
    pub throughput: Throughput,
    /// How fast the whole sync advances, for its ETA.
    pub pace: Pace,
    /// Notable changes, for the events pane.
    pub events: Events,
    /// Which rows the table shows.
    pub filter: Filter,
    /// Only rows whose name contains this (case-insensitive) are shown, when not empty.
    pub search: String,
    /// Whether keys are typed into the search.
    pub typing: bool,
}

/// Which rows the table shows (`f` cycles through them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Filter {
    /// Every tool.
    #[default]
    All,
    /// Failed tools (and unreadable slots).
    Failed,
    /// Tools being worked on.
    Running,
}

impl Filter {
    /// The next filter in the cycle.
    pub fn next(self) -> Filter {
        match self {
            Filter::All => Filter::Failed,
            Filter::Failed => Filter::Running,
            Filter::Running => Filter::All,
        }
    }

    /// How the filter is named on screen.
    pub fn label(self) -> &'static str {
        match self {
            Filter::All => "all",
            Filter::Failed => "failed",
            Filter::Running => "running",
        }
    }

    fn keeps(self, row: &ToolRow) -> bool {
        match self {
            Filter::All => true,
            Filter::Failed => row.state().is_failure(),
            Filter::Running => row
                .phase()
                .is_some_and(|p| p != Phase::Queued && !p.is_terminal()),
        }
    }
}

impl Model {
    /// A model for a board labelled `label`, created at `started_ms`, before any snapshot.
    pub fn new(label: impl Into<String>, started_ms: u64) -> Model {
        Model {
            label: label.into(),
            rows: Vec::new(),
            selected: 0,
            scroll: 0,
            detail: false,
            help: false,
            confirm_cancel: None,
            started_ms,
            now_ms: started_ms,
            finished_ms: None,
            interrupted: false,
            owner_gone: false,
            read_only: false,
            notice: None,
            stderr_tail: Vec::new(),
            selected_reason: None,
            throughput: Throughput::default(),
            pace: Pace::default(),
            events: Events::default(),
            filter: Filter::All,
            search: String::new(),
            typing: false,
        }
    }

    /// Indices of the rows the table shows, in order (the filter and the search).
    pub fn shown(&self) -> Vec<usize> {
        let needle = self.search.to_lowercase();
        self.rows
            .iter()
            .enumerate()
            .filter(|(_, row)| self.filter.keeps(row))
            .filter(|(_, row)| needle.is_empty() || row.name.to_lowercase().contains(&needle))
            .map(|(index, _)| index)
            .collect()
    }

    /// Whether a filter or a search hides rows.
    pub fn is_narrowed(&self) -> bool {
        self.filter != Filter::All || !self.search.is_empty()
    }

    /// Starts one row per slot with its name (the board's [`SlotName`]s), so a slot
    /// that can never be read still shows which tool it is.
    pub fn name_rows(&mut self, names: &[SlotName]) {
        self.rows = names
            .iter()
            .map(|n| {
                ToolRow::unread(
                    sanitize(&n.tool).into_owned(),
                    sanitize(&n.version).into_owned(),
                )
            })
            .collect();
    }

    /// Folds in one snapshot of the whole board, taken at `now_ms`. Returns whether
    /// anything visible changed, so an idle dashboard can skip redrawing.
    pub fn update(&mut self, reads: &[SlotRead], now_ms: u64) -> bool {
        let mut changed = self.rows.len() != reads.len();
        self.rows.truncate(reads.len());
        let mut received = 0u64;
        for (index, read) in reads.iter().enumerate() {
            if index == self.rows.len() {
                self.rows
                    .push(ToolRow::unread(String::new(), String::new()));
            }
            let row = &mut self.rows[index];
            let seen = update_row(row, read, now_ms, &mut self.events);
            changed |= seen.changed;
            received = received.saturating_add(seen.received);
        }
        self.throughput.add(received, now_ms);
        self.pace.observe(self.fraction_done(), now_ms);
        // Elapsed times tick once per second even when no slot moved.
        changed |= now_ms / 1000 != self.now_ms / 1000;
        self.now_ms = now_ms;
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        changed
    }

    /// Counts per outcome. A row never read counts as queued; one whose writer was
    /// lost, as failed.
    pub fn tally(&self) -> Tally {
        self.rows.iter().map(ToolRow::state).collect()
    }

    /// Bytes done and known total across the tools downloading or done downloading.
    /// Saturating: the values come from the board, which any process of the user can
    /// write, so two rows near `u64::MAX` must not overflow.
    pub fn bytes(&self) -> (u64, u64) {
        self.rows
            .iter()
            .filter_map(|row| row.slot)
            .filter_map(|slot| {
                let record = slot.record;
                let total = record.bytes_total()?;
                Some((record.bytes_done.min(total), total))
            })
            .fold((0u64, 0u64), |(d, t), (done, total)| {
                (d.saturating_add(done), t.saturating_add(total))
            })
    }

    /// How far the whole sync is, 0 to 1: each tool counts as one, a running one by
    /// how far it has been seen to get (its download as `DOWNLOAD_SHARE`, unpacking
    /// as the rest; a download of unknown size as nothing until it unpacks). Never
    /// goes back: a retry keeps what its tool had reached.
    pub fn fraction_done(&self) -> f64 {
        if self.rows.is_empty() {
            return 1.0;
        }
        let sum: f64 = self.rows.iter().map(|row| row.best).sum();
        (sum / self.rows.len() as f64).clamp(0.0, 1.0)
    }

    /// Bytes downloaded so far, every tool and attempt (never goes back).
    pub fn downloaded(&self) -> u64 {
        self.rows
            .iter()
            .fold(0u64, |sum, row| sum.saturating_add(row.downloaded))
    }

    /// Seconds until the sync is done at its pace of the last seconds.
    pub fn eta_secs(&self) -> Option<u64> {
        if self.is_finished() {
            return None;
        }
        self.pace.eta_secs()
    }

    /// Sum of the smoothed rates of the tools still working.
    pub fn rate(&self) -> f64 {
        self.rows
            .iter()
            .filter(|row| !row.is_done())
            .filter_map(|row| row.rate.bytes_per_sec())
            .sum()
    }

    /// Whether every tool has an outcome or the board says the sync finished.
    pub fn is_finished(&self) -> bool {
        self.finished_ms.is_some()
    }

    /// The selected row.
    pub fn selected_row(&self) -> Option<&ToolRow> {
        self.rows.get(self.selected)
    }

    /// Moves the selection by `delta` shown rows (clamped) and keeps it within the
    /// `visible` rows on screen.
    pub fn move_selection(&mut self, delta: isize, visible: usize) {
        let shown = self.shown();
        let Some(last) = shown.len().checked_sub(1) else {
            return;
        };
        let at = shown.iter().position(|&i| i == self.selected).unwrap_or(0);
        self.selected = shown[at.saturating_add_signed(delta).min(last)];
        self.keep_visible(visible);
    }

    /// Selects the first or last shown row.
    pub fn select_edge(&mut self, last: bool, visible: usize) {
        let shown = self.shown();
        let edge = if last { shown.last() } else { shown.first() };
        if let Some(&index) = edge {
            self.selected = index;
        }
        self.keep_visible(visible);
    }

    /// Scrolls so the selection lies among the `visible` rows on screen, never past
    /// the end. A selection the filter or search hides moves to the first shown row.
    /// `scroll` counts shown rows.
    pub fn keep_visible(&mut self, visible: usize) {
        let visible = visible.max(1);
        let shown = self.shown();
        let at = match shown.iter().position(|&i| i == self.selected) {
            Some(at) => at,
            None => {
                if let Some(&first) = shown.first() {
                    self.selected = first;
                }
                0
            }
        };
        if at < self.scroll {
            self.scroll = at;
        } else if at >= self.scroll + visible {
            self.scroll = at + 1 - visible;
        }
        self.scroll = self.scroll.min(shown.len().saturating_sub(visible));
    }
}

/// Splits a writer's retry message (`retry 2/3: HTTP 503`, see the installer's
/// `Retry`) into its count and its cause.
fn retry_parts(message: &str) -> Option<(&str, &str)> {
    let (count, cause) = message.strip_prefix("retry ")?.split_once(": ")?;
    let counted = count.len() <= 11 && count.chars().all(|c| c.is_ascii_digit() || c == '/');
    counted.then_some((count, cause))
}

/// What one slot read brought.
struct Seen {
    /// Something visible changed.
    changed: bool,
    /// Bytes downloaded since the previous read.
    received: u64,
}

/// How far a tool is, 0 to 1, by its phase and its phase's bytes.
fn reached(record: &SlotRecord) -> f64 {
    match record.phase() {
        None | Some(Phase::Queued | Phase::Resolving) => 0.0,
        Some(Phase::Downloading) => record.ratio().unwrap_or(0.0) * DOWNLOAD_SHARE,
        Some(Phase::Extracting) => {
            DOWNLOAD_SHARE + record.ratio().unwrap_or(0.0) * (1.0 - DOWNLOAD_SHARE)
        }
        Some(Phase::PostInstall) => 1.0 - f64::EPSILON,
        Some(_) => 1.0,
    }
}

fn update_row(row: &mut ToolRow, read: &SlotRead, now_ms: u64, events: &mut Events) -> Seen {
    let snap = match read {
        Ok(snap) => snap,
        Err(error) => {
            let changed = row.problem != Some(*error);
            if changed && matches!(error, SlotError::WriterLost { .. }) {
                events.push(Event {
                    at_ms: now_ms,
                    tool: row.name.clone(),
                    kind: EventKind::WriterLost,
                });
            }
            row.problem = Some(*error);
            return Seen {
                changed,
                received: 0,
            };
        }
    };
    let previous = row.slot.replace(*snap);
    let had_problem = row.problem.take().is_some();
    let record = snap.record;
    let phase = record.phase();
    if previous.map(|p| p.record.phase) != Some(record.phase) {
        row.rate.reset();
        row.moved_ms = now_ms;
        row.stall_noted = false;
    } else if previous.map(|p| p.record.bytes_done) != Some(record.bytes_done) {
        row.moved_ms = now_ms;
        row.stall_noted = false;
    }
    let received = note_activity(row, previous.map(|p| p.record), &record, now_ms, events);
    if phase.is_some_and(Phase::is_terminal) {
        row.finished_ms.get_or_insert(match record.updated_unix_ms {
            0 => now_ms,
            updated => updated,
        });
    } else {
        row.finished_ms = None;
        // Observed every tick, not only when the slot moved, so a stall decays the rate.
        row.rate.observe(record.bytes_done, now_ms);
    }
    let same =
        previous.is_some_and(|p| p.seq == snap.seq && p.cancel_requested == snap.cancel_requested);
    if !same {
        // Names come from the board: shown, never obeyed (see `text::sanitize`).
        row.name = sanitize(&record.tool()).into_owned();
        row.version = sanitize(&record.version()).into_owned();
    }
    Seen {
        changed: !same || had_problem,
        received,
    }
}

/// Follows one tool from its previous record to this one: bytes downloaded since, how
/// far it got, and the events (outcome, retry, stall). Returns the bytes downloaded.
fn note_activity(
    row: &mut ToolRow,
    previous: Option<SlotRecord>,
    record: &SlotRecord,
    now_ms: u64,
    events: &mut Events,
) -> u64 {
    let phase = record.phase();
    let mut received = 0;
    match (previous, phase) {
        (Some(before), Some(Phase::Downloading))
            if before.phase() == Some(Phase::Downloading) && before.attempt == record.attempt =>
        {
            received = record.bytes_done.saturating_sub(before.bytes_done);
        }
        // Joined mid-download: what came before is counted, not charted.
        (None, Some(Phase::Downloading)) => row.downloaded = record.bytes_done,
        // A finished install says how much it downloaded: the tail the last read
        // missed is charted now.
        (Some(_), Some(Phase::Completed)) if row.finished_ms.is_none() => {
            received = record.bytes_done.saturating_sub(row.downloaded);
        }
        (None, Some(Phase::Completed)) => row.downloaded = record.bytes_done,
        _ => {}
    }
    row.downloaded = row.downloaded.saturating_add(received);
    row.best = row.best.max(reached(record));
    let mut event = |kind| {
        events.push(Event {
            at_ms: now_ms,
            tool: sanitize(&record.tool()).into_owned(),
            kind,
        })
    };
    let was = previous.and_then(|p| p.phase());
    if phase != was && row.finished_ms.is_none() {
        match phase {
            Some(Phase::Completed) => event(EventKind::Installed),
            Some(Phase::Failed) => {
                event(EventKind::Failed(sanitize(&record.message()).into_owned()))
            }
            Some(Phase::Cancelled) => event(EventKind::Cancelled),
            _ => {}
        }
    }
    let retried = previous.is_some_and(|p| record.attempt > p.attempt.max(1));
    if retried && !phase.is_some_and(Phase::is_terminal) {
        row.retry_ms = Some(now_ms);
        event(EventKind::Retry(sanitize(&record.message()).into_owned()));
    }
    if row.stalled_secs(now_ms).is_some() && !row.stall_noted && !row.awaits_retry() {
        row.stall_noted = true;
        event(EventKind::Stalled);
    }
    received
}

#[cfg(test)]
mod tests;
