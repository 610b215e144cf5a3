//! The tools pane: one row per shown tool, with a gauge coloured by phase. Columns
//! that do not fit drop whole, in a fixed order (message, version, time, ETA, bytes,
//! rate), so a number or a unit is never cut; a stalled download and a retry with its
//! cause show at every width. The border carries the filter, the search, and where
//! the table is scrolled, with failures out of sight called out.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table};
use vx_shm::{Phase, SlotError};

use super::Look;
use crate::model::{Model, ToolRow};
use crate::text::{bytes, duration, rate, sanitize, truncate, truncate_middle, width};

/// Columns that may drop, most wanted first: a narrow screen keeps the head of this
/// list.
const OPTIONAL: [Column; 6] = [
    Column::Rate,
    Column::Bytes,
    Column::Eta,
    Column::Time,
    Column::Version,
    Column::Message,
];
/// The phase column: fits `post-install` and `stalled 1m05s`.
const PHASE_WIDTH: u16 = 13;
/// The narrowest progress gauge (bar and percentage).
const MIN_BAR: u16 = 12;
/// The narrowest message column worth showing.
const MIN_MESSAGE: u16 = 24;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Version,
    Bytes,
    Rate,
    Eta,
    Time,
    Message,
}

impl Column {
    fn title(self) -> &'static str {
        match self {
            Column::Version => "version",
            Column::Bytes => "bytes",
            Column::Rate => "rate",
            Column::Eta => "eta",
            Column::Time => "time",
            Column::Message => "message",
        }
    }
}

/// The text of one row's cells, before the columns are chosen.
struct Cells {
    name: String,
    version: String,
    phase: (String, Style),
    bytes: String,
    rate: String,
    eta: String,
    time: String,
    message: String,
}

impl Cells {
    fn of(row: &ToolRow, now_ms: u64) -> Cells {
        let moving = matches!(row.phase(), Some(Phase::Downloading | Phase::Extracting));
        let stalled = row.stalled_secs(now_ms).is_some();
        Cells {
            name: row.name.clone(),
            version: row.version.clone(),
            phase: phase_cell(row, now_ms),
            bytes: size_text(row),
            rate: match row.rate.bytes_per_sec() {
                Some(r) if moving && !stalled => rate(r),
                _ => String::new(),
            },
            eta: if stalled {
                String::new()
            } else {
                row.eta_secs().map(duration).unwrap_or_default()
            },
            time: row.elapsed_secs(now_ms).map(duration).unwrap_or_default(),
            message: message_of(row),
        }
    }

    fn get(&self, column: Column) -> &str {
        match column {
            Column::Version => &self.version,
            Column::Bytes => &self.bytes,
            Column::Rate => &self.rate,
            Column::Eta => &self.eta,
            Column::Time => &self.time,
            Column::Message => &self.message,
        }
    }
}

pub(super) fn render(frame: &mut Frame<'_>, area: Rect, model: &Model, look: Look) {
    let shown = model.shown();
    let visible = usize::from(area.height.saturating_sub(3));
    let mut block = Block::bordered().title_top(format!(" tools {} ", model.rows.len()));
    if let Some(what) = narrowed(model, shown.len()) {
        block = block.title_top(Line::raw(what).right_aligned());
    }
    if let Some((text, loud)) = scroll_marker(model, &shown, visible) {
        let style = if loud {
            look.paint(Style::new().fg(Color::Red).add_modifier(Modifier::BOLD))
        } else {
            Style::new().add_modifier(Modifier::DIM)
        };
        block = block.title_bottom(Line::styled(text, style).right_aligned());
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if shown.is_empty() && model.is_narrowed() {
        frame.render_widget(Paragraph::new(" no tool matches"), inner);
        return;
    }
    let page: Vec<usize> = shown
        .iter()
        .copied()
        .skip(model.scroll)
        .take(visible)
        .collect();
    let cells: Vec<Cells> = page
        .iter()
        .map(|&index| Cells::of(&model.rows[index], model.now_ms))
        .collect();
    let name_width = model
        .rows
        .iter()
        .map(|row| width(&row.name))
        .max()
        .unwrap_or(4)
        .clamp(6, if inner.width >= 100 { 24 } else { 14 }) as u16;
    let columns = choose(inner.width, name_width, &cells);
    let mut widths = vec![Constraint::Length(name_width)];
    let mut titles = vec!["tool"];
    for &(column, w) in columns.iter().filter(|(c, _)| *c == Column::Version) {
        widths.push(Constraint::Length(w));
        titles.push(column.title());
    }
    widths.extend([Constraint::Length(PHASE_WIDTH), Constraint::Fill(1)]);
    titles.extend(["phase", "progress"]);
    for &(column, w) in columns.iter().filter(|(c, _)| *c != Column::Version) {
        widths.push(if column == Column::Message {
            Constraint::Fill(2)
        } else {
            Constraint::Length(w)
        });
        titles.push(column.title());
    }
    // The gauge's and the message's real widths, laid out as the table will.
    let laid = Layout::horizontal(widths.clone()).spacing(1).split(inner);
    let progress_at = titles.iter().position(|t| *t == "progress").unwrap_or(0);
    let bar_width = usize::from(laid[progress_at].width);
    let message_shown = columns.iter().any(|(c, _)| *c == Column::Message);
    let message_width = laid.last().map_or(0, |r| usize::from(r.width));
    let rows = page.iter().zip(&cells).map(|(&index, text)| {
        let row = &model.rows[index];
        let mut line = vec![Cell::from(truncate_middle(&text.name, name_width as usize))];
        if let Some(&(_, w)) = columns.iter().find(|(c, _)| *c == Column::Version) {
            line.push(Cell::from(truncate(&text.version, usize::from(w))));
        }
        let (phase_text, phase_style) = &text.phase;
        line.push(Cell::from(phase_text.clone()).style(look.paint(*phase_style)));
        line.push(progress_cell(row, text, bar_width, message_shown, look));
        for &(column, _) in columns.iter().filter(|(c, _)| *c != Column::Version) {
            line.push(Cell::from(match column {
                Column::Message => truncate(&text.message, message_width),
                _ => text.get(column).to_owned(),
            }));
        }
        let mut line = Row::new(line);
        if index == model.selected {
            line = line.style(if look.color {
                Style::new().bg(Color::DarkGray)
            } else {
                Style::new().add_modifier(Modifier::REVERSED)
            });
        }
        line
    });
    let header = Row::new(titles).style(Style::new().add_modifier(Modifier::BOLD));
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        inner,
    );
}

/// The optional columns that fit `width` beside the name, phase and the narrowest
/// gauge, each as wide as its widest cell (or title): whole columns, most wanted
/// first, stopping at the first that does not fit so they always drop in one order.
fn choose(width: u16, name_width: u16, cells: &[Cells]) -> Vec<(Column, u16)> {
    let mut used = name_width + 1 + PHASE_WIDTH + 1 + MIN_BAR;
    let mut chosen = Vec::new();
    for column in OPTIONAL {
        let widest = cells
            .iter()
            .map(|c| width_of(c.get(column)))
            .max()
            .unwrap_or(0)
            .max(width_of(column.title()));
        let need = match column {
            Column::Message => MIN_MESSAGE,
            Column::Version => widest.min(14),
            _ => widest,
        };
        if used + 1 + need > width {
            break;
        }
        used += 1 + need;
        chosen.push((column, need));
    }
    chosen
}

fn width_of(text: &str) -> u16 {
    u16::try_from(width(text)).unwrap_or(u16::MAX)
}

/// The gauge, coloured by phase; in its place, why a failed row failed (when there is
/// no message column) or the cause of a retry waiting for its first byte.
fn progress_cell(
    row: &ToolRow,
    text: &Cells,
    bar_width: usize,
    message_shown: bool,
    look: Look,
) -> Cell<'static> {
    let (_, phase_style) = &text.phase;
    let phase_style = phase_style.remove_modifier(Modifier::BOLD);
    let failed = matches!(row.phase(), Some(Phase::Failed | Phase::Cancelled))
        || matches!(row.problem, Some(SlotError::WriterLost { .. }));
    if failed && !message_shown {
        return Cell::from(truncate(&text.message, bar_width)).style(look.paint(phase_style));
    }
    if let Some(cause) = row.waiting_retry() {
        let warn = look.paint(Style::new().fg(Color::Yellow));
        return Cell::from(truncate(&cause, bar_width)).style(warn);
    }
    Cell::from(Line::from(Span::styled(
        bar(row, bar_width),
        look.paint(phase_style),
    )))
}

/// The phase column's text and colour: the phase, or what matters more right now
/// (`writer lost`, `cancelling`, `stalled 12s`, `retry 2/3`).
pub(super) fn phase_cell(row: &ToolRow, now_ms: u64) -> (String, Style) {
    let warn = Style::new().fg(Color::Yellow);
    match row.problem {
        Some(SlotError::WriterLost { .. }) => {
            return (
                "writer lost".into(),
                Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            );
        }
        Some(SlotError::Busy { .. }) if row.slot.is_none() => return ("busy".into(), warn),
        _ => {}
    }
    let Some(slot) = row.slot else {
        return ("?".into(), Style::new());
    };
    let Some(phase) = slot.record.phase() else {
        return (
            format!("? ({})", slot.record.phase),
            Style::new().fg(Color::Red),
        );
    };
    if slot.cancel_requested && !phase.is_terminal() {
        return ("cancelling".into(), warn.add_modifier(Modifier::BOLD));
    }
    // A retry waiting for its first byte is a retry, not a stall; once it has bytes
    // again, a stall is the news.
    let stalled = row.stalled_secs(now_ms).filter(|_| !row.awaits_retry());
    if let Some(secs) = stalled {
        return (format!("stalled {}", duration(secs)), warn);
    }
    if let Some(retry) = row.retry_label() {
        return (retry, warn);
    }
    (phase.label().to_string(), phase_style(phase))
}

/// The colour of a phase, shared by its label and its gauge.
pub(super) fn phase_style(phase: Phase) -> Style {
    match phase {
        Phase::Queued => Style::new().fg(Color::DarkGray),
        Phase::Resolving | Phase::Downloading => Style::new().fg(Color::Cyan),
        Phase::Extracting => Style::new().fg(Color::Blue),
        Phase::PostInstall => Style::new().fg(Color::Magenta),
        Phase::Completed | Phase::Skipped => Style::new().fg(Color::Green),
        Phase::Failed => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        Phase::Cancelled => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
    }
}

/// A text gauge: eighth blocks and a percentage; a clear marker when the size is unknown.
fn bar(row: &ToolRow, width: usize) -> String {
    let Some(slot) = row.slot else {
        return String::new();
    };
    let record = slot.record;
    match record.phase() {
        Some(Phase::Queued) | None => return String::new(),
        Some(Phase::Completed | Phase::Skipped) => {
            return "█".repeat(width.saturating_sub(5)) + " 100%";
        }
        Some(phase) if phase.is_terminal() => return String::new(),
        _ => {}
    }
    let inner = width.saturating_sub(5);
    let Some(ratio) = record.ratio() else {
        let text = "size unknown";
        return if record.bytes_done == 0 {
            String::new()
        } else {
            format!(
                "{:·^inner$}",
                format!(" {} ", truncate(text, inner.saturating_sub(2)))
            )
        };
    };
    let eighths = (ratio * inner as f64 * 8.0).round() as usize;
    let mut out = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        out.push([' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'][eighths % 8]);
    }
    let used = out.chars().count();
    out.push_str(&" ".repeat(inner.saturating_sub(used)));
    out.push_str(&format!(" {:>3}%", (ratio * 100.0).floor() as u32));
    out
}

fn size_text(row: &ToolRow) -> String {
    let Some(slot) = row.slot else {
        return String::new();
    };
    let record = slot.record;
    if record.bytes_done == 0 && record.bytes_total().is_none() {
        return String::new();
    }
    match record.bytes_total() {
        Some(total) => format!("{}/{}", bytes(record.bytes_done.min(total)), bytes(total)),
        None => bytes(record.bytes_done),
    }
}

/// The row's board message, or why its slot cannot be read.
pub(super) fn message_of(row: &ToolRow) -> String {
    match row.problem {
        Some(error) => error.to_string(),
        None => row
            .slot
            .map(|s| sanitize(&s.record.message()).into_owned())
            .unwrap_or_default(),
    }
}

/// ` failed · "no" 3 of 50 ` when a filter or a search narrows the table.
fn narrowed(model: &Model, shown: usize) -> Option<String> {
    if !model.is_narrowed() {
        return None;
    }
    let mut parts = Vec::new();
    if model.filter != crate::model::Filter::All {
        parts.push(model.filter.label().to_owned());
    }
    if !model.search.is_empty() {
        parts.push(format!("/{}", model.search));
    }
    parts.push(format!("{shown} of {}", model.rows.len()));
    Some(format!(" {} ", parts.join(" · ")))
}

/// ` 1-19 of 50 · 2 failed below ↓ ` when the table does not show every shown row
/// (and whether failures are out of sight).
fn scroll_marker(model: &Model, shown: &[usize], visible: usize) -> Option<(String, bool)> {
    if shown.len() <= visible || visible == 0 {
        return None;
    }
    let start = model.scroll.min(shown.len());
    let end = (start + visible).min(shown.len());
    let failed = |indices: &[usize]| {
        indices
            .iter()
            .filter(|&&i| model.rows[i].state().is_failure())
            .count()
    };
    let above = failed(&shown[..start]);
    let below = failed(&shown[end..]);
    let mut more = format!(" {}-{end} of {}", start + 1, shown.len());
    if above > 0 {
        more.push_str(&format!(" · {above} failed above ↑"));
    }
    if below > 0 {
        more.push_str(&format!(" · {below} failed below ↓"));
    }
    more.push(' ');
    Some((more, above + below > 0))
}
