//! The inline live region, the default on a terminal (as uv and cargo show progress):
//! a few lines under the prompt — the overall line and one line per running tool —
//! with each finished tool printed above it for good (`✓ ripgrep 14.1.1  6.0 MiB
//! 3.1s`, `✗ jq 1.7.1  <the whole reason>`). When the board finishes, the region is
//! cleared and the caller prints its one-line summary where it was. It reads no keys:
//! Ctrl-C reaches the sync as the signal it is.
//!
//! Same model as the dashboard ([`Model`]); [`Inline`] is generic over the backend so
//! tests drive it with `TestBackend`.

use std::io;
use std::time::Duration;

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::Rect;
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use ratatui::{Terminal, TerminalOptions, Viewport};
use vx_shm::{BoardReader, Phase, SlotRead, now_unix_ms};

use crate::app::{Host, Reason};
use crate::model::{Model, ToolRow};
use crate::taskbar;
use crate::text::{
    bytes, duration, duration_ms, rate, repeats, sanitize, truncate_middle, width as text_width,
};
use crate::view::Look;

/// Most running tools the region shows (one line each) below its overall line.
pub const MAX_TOOL_LINES: u16 = 8;
/// Spinner frames of the overall line.
const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// The inline region over one board.
pub struct Inline<'a> {
    reader: &'a BoardReader,
    host: &'a dyn Host,
    look: Look,
    model: Model,
    reads: Vec<SlotRead>,
    printed: Vec<bool>,
    frame: usize,
}

impl<'a> Inline<'a> {
    /// A region over `reader`, before its first poll.
    pub fn new(reader: &'a BoardReader, host: &'a dyn Host, look: Look) -> Inline<'a> {
        let info = reader.info();
        let mut model = Model::new(sanitize(&info.label).into_owned(), info.created_unix_ms);
        model.name_rows(&info.names);
        Inline {
            reader,
            host,
            look,
            model,
            reads: Vec::with_capacity(info.slot_count),
            printed: vec![false; info.slot_count],
            frame: 0,
        }
    }

    /// The height the region needs for `jobs` installs at once: the overall line and
    /// a line per running tool, at most [`MAX_TOOL_LINES`].
    pub fn height(&self, jobs: usize) -> u16 {
        let tools = self
            .model
            .rows
            .len()
            .min(jobs)
            .min(usize::from(MAX_TOOL_LINES));
        1 + tools as u16
    }

    /// Whether the board finished and every tool's line is printed: the region can go.
    pub fn done(&self) -> bool {
        self.model.is_finished() && self.printed.iter().all(|p| *p)
    }

    /// Polls the board at `now_ms`, prints above the region the tools that finished
    /// since (in slot order; a failure once its whole reason is known), and redraws it.
    pub fn tick<B: Backend>(
        &mut self,
        terminal: &mut Terminal<B>,
        now_ms: u64,
    ) -> Result<(), B::Error> {
        self.reader.snapshot_into(&mut self.reads);
        self.model.update(&self.reads, now_ms);
        if self.model.finished_ms.is_none() {
            self.model.finished_ms = self.reader.finished_unix_ms();
        }
        let width = terminal.get_frame().area().width.max(1);
        for index in 0..self.model.rows.len() {
            if self.printed[index] {
                continue;
            }
            let row = &self.model.rows[index];
            let over = self.model.is_finished();
            let reason = match self.host.reason(index) {
                Reason::Waiting if !over => continue,
                Reason::Known(reason) => Some(sanitize(&reason).into_owned()),
                Reason::Waiting | Reason::Board => None,
            };
            let Some(line) = finished_line(row, reason, self.look) else {
                continue;
            };
            // A long reason wraps over as many lines as it needs: it is printed whole.
            let text = Paragraph::new(line).wrap(Wrap { trim: false });
            let height = u16::try_from(text.line_count(width)).unwrap_or(u16::MAX);
            terminal.insert_before(height.max(1), |buf| text.render(buf.area, buf))?;
            self.printed[index] = true;
        }
        self.frame = self.frame.wrapping_add(1);
        let spinner = SPINNER[self.frame % SPINNER.len()];
        terminal.draw(|frame| {
            let lines = region(&self.model, spinner, frame.area().width, self.look);
            draw_rows(frame, lines);
        })?;
        Ok(())
    }

    /// Clears the region and leaves the cursor where it began, for the summary line.
    ///
    /// From the region's own origin, without asking the terminal where the cursor is
    /// (ratatui's `Terminal::clear` does; see [`AskedOnce`]).
    pub fn finish<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> Result<(), B::Error> {
        clear_region(terminal)
    }
}

/// Draws `lines` into the inline region, one a row from its top, as many as it holds:
/// the live rows of the sync's and the task run's inline views.
pub(crate) fn draw_rows(frame: &mut ratatui::Frame<'_>, lines: Vec<Line<'_>>) {
    let area = frame.area();
    for (y, line) in lines.into_iter().take(usize::from(area.height)).enumerate() {
        let row = Rect::new(area.x, area.y + y as u16, area.width, 1);
        frame.render_widget(line, row);
    }
}

/// Clears an inline region and leaves the cursor where it began: from the region's own
/// origin, without asking the terminal where the cursor is (ratatui's
/// `Terminal::clear` does; see [`AskedOnce`]).
pub(crate) fn clear_region<B: Backend>(terminal: &mut Terminal<B>) -> Result<(), B::Error> {
    terminal.draw(|_| {})?;
    let area = terminal.get_frame().area();
    terminal.set_cursor_position(area.as_position())?;
    terminal
        .backend_mut()
        .clear_region(ClearType::AfterCursor)?;
    terminal.show_cursor()
}

/// The permanent line of a finished tool; `None` while it runs. `reason` replaces the
/// board's short message of a failure.
pub fn finished_line(row: &ToolRow, reason: Option<String>, look: Look) -> Option<Line<'static>> {
    let slot = row.slot?;
    let record = slot.record;
    let phase = record.phase().filter(|p| p.is_terminal())?;
    let name = format!("{} {}", row.name, row.version);
    // The installer's own clock, as the summary table measures it.
    let took = duration_ms(
        record
            .updated_unix_ms
            .saturating_sub(record.started_unix_ms),
    );
    let message = reason.unwrap_or_else(|| sanitize(&record.message()).into_owned());
    let (mark, color, rest) = match phase {
        Phase::Completed => {
            let size = record.bytes_total().map(bytes).unwrap_or_default();
            let mut rest = format!("{size}  {took}");
            if record.unverified() {
                rest.push_str("  UNVERIFIED (no sha256)");
            }
            ('✓', Color::Green, rest)
        }
        Phase::Skipped => ('✓', Color::DarkGray, "cached".to_owned()),
        // "cancelled", never "cancelled: cancelled" when the reason says it already.
        Phase::Cancelled if message.is_empty() => ('⊘', Color::Yellow, "cancelled".to_owned()),
        Phase::Cancelled if repeats("cancelled", &message) => ('⊘', Color::Yellow, message),
        Phase::Cancelled => ('⊘', Color::Yellow, format!("cancelled: {message}")),
        _ => ('✗', Color::Red, message),
    };
    Some(Line::from(vec![
        Span::styled(format!("{mark} "), look.paint(Style::new().fg(color))),
        Span::styled(name, look.paint(Style::new().add_modifier(Modifier::BOLD))),
        Span::raw(format!("  {rest}")),
    ]))
}

/// The region's lines: the overall line, then each running tool.
pub fn region(model: &Model, spinner: char, width: u16, look: Look) -> Vec<Line<'static>> {
    let tally = model.tally();
    let (done, total) = model.bytes();
    let finished = model.rows.iter().filter(|r| r.is_done()).count();
    let elapsed = model.now_ms.saturating_sub(model.started_ms) / 1000;
    let mut overall = format!(
        "{spinner} {finished}/{} tools  {}",
        model.rows.len(),
        if total > 0 {
            format!("{}/{}", bytes(done), bytes(total))
        } else {
            bytes(done)
        }
    );
    if model.rate() > 0.0 {
        overall.push_str(&format!("  {}", rate(model.rate())));
    }
    overall.push_str(&format!("  {}", duration(elapsed)));
    if tally.failed > 0 {
        overall.push_str(&format!("  {} failed", tally.failed));
    }
    let mut lines = vec![Line::styled(
        fit(&overall, width),
        look.paint(Style::new().add_modifier(Modifier::BOLD)),
    )];
    let running = model.rows.iter().filter(|r| {
        r.phase()
            .is_some_and(|p| p != Phase::Queued && !p.is_terminal())
    });
    let name_width = model
        .rows
        .iter()
        .map(|r| text_width(&r.name) + 1 + text_width(&r.version))
        .max()
        .unwrap_or(0)
        .min(28);
    for row in running.take(usize::from(MAX_TOOL_LINES)) {
        lines.push(tool_line(row, name_width, model.now_ms, width, look));
    }
    lines
}

/// `  ripgrep 14.1.1  downloading  ━━━━━╸────  45%  2.7/6.0 MiB  1.2 MiB/s  ETA 3s`.
/// When the width is short, whole parts go in a fixed order (ETA, rate, bytes, bar,
/// percent), never a number cut in two; `name_width` aligns the names.
fn tool_line(
    row: &ToolRow,
    name_width: usize,
    now_ms: u64,
    width: u16,
    look: Look,
) -> Line<'static> {
    let Some(slot) = row.slot else {
        return Line::raw("");
    };
    let record = slot.record;
    let phase = record.phase().map_or("?", Phase::label);
    let name = truncate_middle(&format!("{} {}", row.name, row.version), name_width);
    // (text, drop rank: higher goes first; 0 never).
    let mut parts: Vec<(String, u8)> = vec![
        (
            format!(
                "  {name}{}",
                " ".repeat(name_width.saturating_sub(text_width(&name)))
            ),
            0,
        ),
        (format!("{phase:<11}"), 0),
    ];
    if record.attempt > 1 {
        parts.push((format!("retry {}", record.attempt), 0));
    }
    if let Some(ratio) = record.ratio() {
        let cells = 16;
        let full = ((ratio * cells as f64).round() as usize).min(cells);
        parts.push((
            format!("{}{}", "━".repeat(full), "─".repeat(cells - full)),
            2,
        ));
        parts.push((format!("{:>3.0}%", ratio * 100.0), 1));
    }
    let amount = match record.bytes_total() {
        Some(total) => format!("{}/{}", bytes(record.bytes_done.min(total)), bytes(total)),
        None => bytes(record.bytes_done),
    };
    parts.push((amount, 3));
    if let Some(stalled) = row.stalled_secs(now_ms) {
        parts.push((format!("stalled {}", duration(stalled)), 0));
    } else {
        if let Some(r) = row.rate.bytes_per_sec().filter(|r| *r > 0.0) {
            parts.push((rate(r), 4));
        }
        if let Some(eta) = row.eta_secs() {
            parts.push((format!("ETA {}", duration(eta)), 5));
        }
    }
    let width = usize::from(width);
    let len = |parts: &[(String, u8)]| {
        let texts: Vec<&str> = parts.iter().map(|(t, _)| t.as_str()).collect();
        text_width(&texts.join("  "))
    };
    while len(&parts) > width {
        let Some(worst) = parts.iter().map(|(_, rank)| *rank).max().filter(|r| *r > 0) else {
            break;
        };
        let at = parts
            .iter()
            .rposition(|(_, rank)| *rank == worst)
            .unwrap_or(0);
        parts.remove(at);
    }
    let texts: Vec<&str> = parts.iter().map(|(t, _)| t.as_str()).collect();
    Line::styled(
        fit(&texts.join("  "), width as u16),
        look.paint(Style::new().fg(Color::Cyan)),
    )
}

/// One install's progress as a single line redrawn in place: `vx install` on a
/// terminal. The same line as a running tool's in the region, and the same permanent
/// line once it is done.
pub struct LiveLine {
    row: ToolRow,
    look: Look,
    downloaded: u64,
}

impl LiveLine {
    /// The line of `tool` `version`, queued.
    pub fn new(tool: &str, version: &str, look: Look) -> LiveLine {
        let record = vx_shm::SlotRecord::queued(tool, version);
        let mut row = ToolRow::unread(sanitize(tool).into_owned(), sanitize(version).into_owned());
        row.slot = Some(vx_shm::SlotSnapshot {
            index: 0,
            seq: 0,
            cancel_requested: false,
            record,
        });
        LiveLine {
            row,
            look,
            downloaded: 0,
        }
    }

    fn record(&mut self) -> &mut vx_shm::SlotRecord {
        let slot = self.row.slot.get_or_insert(vx_shm::SlotSnapshot {
            index: 0,
            seq: 0,
            cancel_requested: false,
            record: vx_shm::SlotRecord::queued("", ""),
        });
        &mut slot.record
    }

    /// The install entered `phase` at `now_ms`.
    pub fn phase(&mut self, phase: Phase, now_ms: u64) {
        let record = self.record();
        if record.started_unix_ms == 0 {
            record.started_unix_ms = now_ms;
        }
        record.set_phase(phase);
        record.set_progress(0, None);
        record.updated_unix_ms = now_ms;
        self.row.rate.reset();
        self.row.moved_ms = now_ms;
    }

    /// Bytes done of the phase at `now_ms`.
    pub fn progress(&mut self, done: u64, total: Option<u64>, now_ms: u64) {
        let record = self.record();
        let moved = record.bytes_done != done;
        record.set_progress(done, total);
        record.updated_unix_ms = now_ms;
        if record.phase() == Some(Phase::Downloading) {
            self.downloaded = self.downloaded.max(done);
        }
        if moved {
            self.row.moved_ms = now_ms;
        }
        self.row.rate.observe(done, now_ms);
    }

    /// Download attempt `attempt` begins, from `done` bytes.
    pub fn retry(&mut self, attempt: u32, done: u64, now_ms: u64) {
        let record = self.record();
        record.attempt = attempt;
        record.bytes_done = done;
        self.row.rate.reset();
        self.row.moved_ms = now_ms;
    }

    /// The line as it is at `now_ms`, cut to `width` columns (plain text: the caller
    /// redraws it in place).
    pub fn running(&self, now_ms: u64, width: u16) -> String {
        let name_width = text_width(&self.row.name) + 1 + text_width(&self.row.version);
        let line = tool_line(&self.row, name_width, now_ms, width, self.look);
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    /// The permanent line of the finished install (`phase` terminal, `message` its
    /// whole reason or result), at `now_ms`.
    pub fn finished(&mut self, phase: Phase, message: &str, now_ms: u64) -> String {
        let downloaded = self.downloaded;
        let record = self.record();
        record.set_phase(phase);
        record.updated_unix_ms = now_ms;
        if phase == Phase::Completed {
            record.set_progress(downloaded, Some(downloaded));
        }
        let reason = Some(sanitize(message).into_owned());
        finished_line(&self.row, reason, self.look)
            .map(|line| line.spans.iter().map(|s| s.content.as_ref()).collect())
            .unwrap_or_default()
    }
}

/// The terminal's width in columns (80 when it cannot be read, or reads 0: a pty
/// nobody sized, as `script` or a CI runner makes, is no terminal one column wide).
pub fn terminal_width() -> u16 {
    match ratatui::crossterm::terminal::size() {
        Ok((width, _)) if width > 0 => width,
        _ => 80,
    }
}

/// `text` cut to `width` characters.
fn fit(text: &str, width: u16) -> String {
    crate::text::truncate(text, usize::from(width))
}

/// Runs the inline region on stdout at `fps` until the board finishes, then clears it.
/// `jobs` sizes the region. Only the board's owner runs it (`vx sync`), so the board
/// always finishes.
pub fn run_inline(
    reader: &BoardReader,
    host: &dyn Host,
    look: Look,
    fps: u32,
    jobs: usize,
) -> io::Result<()> {
    let mut inline = Inline::new(reader, host, look);
    let backend = AskedOnce::new(ratatui::backend::CrosstermBackend::new(io::stdout()));
    let mut terminal = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Inline(inline.height(jobs)),
        },
    )?;
    terminal.hide_cursor()?;
    let taskbar = taskbar::supported(|name| std::env::var(name).ok());
    let period = Duration::from_secs_f64(1.0 / f64::from(fps.clamp(1, 120)));
    let result = loop {
        if let Err(err) = inline.tick(&mut terminal, now_unix_ms()) {
            break Err(err);
        }
        if taskbar {
            let percent = inline.model.fraction_done() * 100.0;
            let failed = inline.model.tally().failed > 0;
            let _ = io::Write::write_all(
                &mut io::stdout(),
                taskbar::progress(percent, failed).as_bytes(),
            );
        }
        if inline.done() {
            break Ok(());
        }
        std::thread::sleep(period);
    };
    if taskbar {
        let _ = io::Write::write_all(&mut io::stdout(), taskbar::CLEAR.as_bytes());
    }
    let finished = inline.finish(&mut terminal);
    result.and(finished)
}

/// A backend that asks the terminal where the cursor is once, when the region is
/// placed, and afterwards answers from the last position it moved the cursor to.
///
/// Asking is not free: crossterm puts the terminal in raw mode and reads stdin up to
/// the reply, so whatever the user had typed by then is read too, and lost. Ratatui
/// asks again each time a line is inserted above the region (`insert_before` clears
/// the region through `Terminal::clear`, which saves and restores the cursor), so every
/// finished tool ate what the user was typing. The region draws every cell at an
/// absolute position and moves the cursor itself before it appends lines, so the
/// remembered position serves those saves and restores as well as the real one.
pub struct AskedOnce<B: Backend> {
    inner: B,
    cursor: Option<Position>,
}

impl<B: Backend> AskedOnce<B> {
    /// `inner`, not asked anything yet.
    pub fn new(inner: B) -> AskedOnce<B> {
        AskedOnce {
            inner,
            cursor: None,
        }
    }
}

impl<B: Backend> Backend for AskedOnce<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.inner.draw(content)
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        match self.cursor {
            Some(position) => Ok(position),
            None => {
                let position = self.inner.get_cursor_position()?;
                self.cursor = Some(position);
                Ok(position)
            }
        }
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        let position = position.into();
        self.cursor = Some(position);
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests;
