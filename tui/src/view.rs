//! Rendering: a pure function of the [`Model`]. Nothing here reads the board or the
//! clock, so snapshot tests pin down exactly what a user sees.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Gauge, Paragraph, Row, Table, Wrap};
use vx_shm::{Phase, SlotError};

use crate::model::{Model, ToolRow};
use crate::text::{bytes, duration, rate, sanitize, truncate, truncate_middle};

/// How the dashboard is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Look {
    /// Whether to use colour (off when `NO_COLOR` is set).
    pub color: bool,
}

/// Rows the detail pane takes, borders included.
const DETAIL_HEIGHT: u16 = 10;
/// Rows above the table (title, tally, overall gauge).
const HEADER_HEIGHT: u16 = 3;

/// Number of tool rows that fit in a frame of `area`, given the model's panes. The
/// application uses it to keep the selection visible.
pub fn visible_rows(model: &Model, area: Rect) -> usize {
    let detail = if model.detail { DETAIL_HEIGHT } else { 0 };
    // Header, table header row, footer.
    area.height.saturating_sub(HEADER_HEIGHT + 1 + 1 + detail) as usize
}

/// Draws the whole dashboard.
pub fn render(frame: &mut Frame<'_>, model: &Model, style: Look) {
    let area = frame.area();
    let detail = if model.detail { DETAIL_HEIGHT } else { 0 };
    let [header, table, detail_area, footer] = Layout::vertical([
        Constraint::Length(HEADER_HEIGHT),
        Constraint::Min(2),
        Constraint::Length(detail),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(frame, header, model, style);
    render_table(frame, table, model, style);
    if model.detail {
        render_detail(frame, detail_area, model, style);
    }
    render_footer(frame, footer, model, style);
    if let Some(index) = model.confirm_cancel {
        render_confirm(frame, area, model, index, style);
    }
    if model.help {
        render_help(frame, area);
    }
}

fn paint(style: Look, s: Style) -> Style {
    if style.color { s } else { Style::default() }
}

fn render_header(frame: &mut Frame<'_>, area: Rect, model: &Model, style: Look) {
    let [title, tally_area, gauge_area] = Layout::vertical([Constraint::Length(1); 3]).areas(area);
    let tally = model.tally();
    let elapsed_to = model.finished_ms.unwrap_or(model.now_ms);
    let elapsed = duration(elapsed_to.saturating_sub(model.started_ms) / 1000);
    let status = if model.owner_gone && !model.is_finished() {
        "owner gone".to_string()
    } else if model.interrupted {
        format!("interrupted after {elapsed}")
    } else if model.is_finished() {
        format!("finished in {elapsed}")
    } else {
        format!("elapsed {elapsed}")
    };
    let width = area.width as usize;
    let label = truncate(&model.label, width.saturating_sub(status.len() + 12));
    let pad = width.saturating_sub(9 + label.chars().count() + status.len());
    frame.render_widget(
        Line::from(vec![
            Span::styled(
                " vx sync ",
                paint(style, Style::new().add_modifier(Modifier::BOLD)),
            ),
            Span::raw(label),
            Span::raw(" ".repeat(pad)),
            Span::raw(status),
        ]),
        title,
    );
    let mut counts = vec![Span::raw(format!(
        " {}/{} done",
        tally.done(),
        model.rows.len()
    ))];
    for (n, what, color) in [
        (tally.installed, "installed", Color::Green),
        (tally.cached, "cached", Color::Green),
        (tally.failed, "failed", Color::Red),
        (tally.cancelled, "cancelled", Color::Yellow),
        (tally.running, "running", Color::Cyan),
        (tally.queued, "queued", Color::DarkGray),
    ] {
        if n > 0 {
            counts.push(Span::styled(
                format!("  {n} {what}"),
                paint(style, Style::new().fg(color)),
            ));
        }
    }
    frame.render_widget(Line::from(counts), tally_area);
    let (done, total) = model.bytes();
    let ratio = if total == 0 {
        0.0
    } else {
        (done as f64 / total as f64).clamp(0.0, 1.0)
    };
    let label = format!("{} / {}  {}", bytes(done), bytes(total), rate(model.rate()));
    frame.render_widget(
        Gauge::default()
            .ratio(ratio)
            .label(label)
            .gauge_style(paint(style, Style::new().fg(Color::Blue).bg(Color::Black))),
        gauge_area,
    );
}

/// Which columns fit: narrow terminals drop the least useful ones first.
struct Columns {
    version: bool,
    elapsed: bool,
    message: bool,
}

impl Columns {
    fn for_width(width: u16) -> Columns {
        Columns {
            version: width >= 96,
            elapsed: width >= 104,
            message: width >= 128,
        }
    }
}

fn render_table(frame: &mut Frame<'_>, area: Rect, model: &Model, style: Look) {
    let columns = Columns::for_width(area.width);
    let name_width = model
        .rows
        .iter()
        .map(|row| row.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(6, if area.width >= 100 { 24 } else { 14 }) as u16;
    let mut widths = vec![Constraint::Length(name_width)];
    let mut titles = vec!["tool"];
    if columns.version {
        widths.push(Constraint::Length(10));
        titles.push("version");
    }
    widths.extend([
        Constraint::Length(12),
        Constraint::Fill(1),
        Constraint::Length(19),
        Constraint::Length(10),
        Constraint::Length(6),
    ]);
    titles.extend(["phase", "progress", "bytes", "rate", "eta"]);
    if columns.elapsed {
        widths.push(Constraint::Length(7));
        titles.push("time");
    }
    if columns.message {
        widths.push(Constraint::Fill(2));
        titles.push("message");
    }
    let visible = area.height.saturating_sub(1) as usize;
    // The progress column's real width, laid out as the table will lay it out.
    let progress_column = if columns.version { 3 } else { 2 };
    let bar_width =
        Layout::horizontal(widths.clone()).spacing(1).split(area)[progress_column].width as usize;
    let rows = model
        .rows
        .iter()
        .enumerate()
        .skip(model.scroll)
        .take(visible)
        .map(|(index, row)| {
            let mut cells = vec![Cell::from(truncate_middle(&row.name, name_width as usize))];
            if columns.version {
                cells.push(Cell::from(truncate(&row.version, 10)));
            }
            let (phase_text, phase_style) = phase_cell(row);
            cells.push(Cell::from(phase_text).style(paint(style, phase_style)));
            let phase_style = phase_style.remove_modifier(Modifier::BOLD);
            // Without a message column, a failed or cancelled row says why in place of
            // its (empty) gauge.
            let failed = matches!(row.phase(), Some(Phase::Failed | Phase::Cancelled))
                || matches!(row.problem, Some(SlotError::WriterLost { .. }));
            if failed && !columns.message {
                let why = truncate(&message_of(row), bar_width);
                cells.push(Cell::from(why).style(paint(style, phase_style)));
            } else {
                cells.push(Cell::from(bar(row, bar_width)));
            }
            cells.push(Cell::from(size_text(row)));
            let moving = matches!(row.phase(), Some(Phase::Downloading | Phase::Extracting));
            if let Some(stalled) = row.stalled_secs(model.now_ms) {
                let warn = paint(style, Style::new().fg(Color::Yellow));
                cells.push(Cell::from(format!("stalled {}", duration(stalled))).style(warn));
                cells.push(Cell::from(String::new()));
            } else {
                cells.push(Cell::from(match row.rate.bytes_per_sec() {
                    Some(r) if moving => rate(r),
                    _ => String::new(),
                }));
                cells.push(Cell::from(row.eta_secs().map(duration).unwrap_or_default()));
            }
            if columns.elapsed {
                cells.push(Cell::from(
                    row.elapsed_secs(model.now_ms)
                        .map(duration)
                        .unwrap_or_default(),
                ));
            }
            if columns.message {
                cells.push(Cell::from(message_of(row)));
            }
            let mut line = Row::new(cells);
            if index == model.selected {
                line = line.style(if style.color {
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
        area,
    );
}

fn phase_cell(row: &ToolRow) -> (String, Style) {
    match row.problem {
        Some(SlotError::WriterLost { .. }) => {
            return (
                "writer lost".into(),
                Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            );
        }
        Some(SlotError::Busy { .. }) if row.slot.is_none() => {
            return ("busy".into(), Style::new().fg(Color::Yellow));
        }
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
    let style = match phase {
        Phase::Queued => Style::new().fg(Color::DarkGray),
        Phase::Resolving | Phase::Downloading => Style::new().fg(Color::Cyan),
        Phase::Extracting => Style::new().fg(Color::Blue),
        Phase::PostInstall => Style::new().fg(Color::Magenta),
        Phase::Completed | Phase::Skipped => Style::new().fg(Color::Green),
        Phase::Failed => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        Phase::Cancelled => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
    };
    let mut text = phase.label().to_string();
    if slot.cancel_requested && !phase.is_terminal() {
        text = "cancelling".into();
    } else if slot.record.attempt > 1 && !phase.is_terminal() {
        text = format!("{text} #{}", slot.record.attempt);
    }
    (text, style)
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

fn message_of(row: &ToolRow) -> String {
    match row.problem {
        Some(error) => error.to_string(),
        None => row
            .slot
            .map(|s| sanitize(&s.record.message()).into_owned())
            .unwrap_or_default(),
    }
}

fn render_detail(frame: &mut Frame<'_>, area: Rect, model: &Model, style: Look) {
    let Some(row) = model.selected_row() else {
        return;
    };
    let block = Block::default()
        .borders(Borders::TOP)
        .title(format!(" {} {} ", row.name, row.version));
    let mut lines = Vec::new();
    if let Some(slot) = row.slot {
        let r = slot.record;
        let (phase, phase_style) = phase_cell(row);
        lines.push(Line::from(vec![
            Span::raw("phase "),
            Span::styled(phase, paint(style, phase_style)),
            Span::raw(format!(
                "   exit {}   attempt {}   writer {}   seq {}",
                r.exit_code,
                r.attempt,
                r.writer()
                    .map_or("none".into(), |w| format!("pid {}", w.pid)),
                slot.seq
            )),
        ]));
        lines.push(Line::raw(format!(
            "bytes {} of {}   {}   last update {} ago{}{}",
            r.bytes_done,
            r.bytes_total().map_or("unknown".into(), |t| t.to_string()),
            match (row.elapsed_secs(model.now_ms), row.is_done()) {
                (None, _) => "not started".to_string(),
                (Some(s), true) => format!("took {}", duration(s)),
                (Some(s), false) => format!("running for {}", duration(s)),
            },
            duration(
                model.now_ms.saturating_sub(
                    r.updated_unix_ms
                        .max(r.started_unix_ms)
                        .max(model.started_ms)
                ) / 1000
            ),
            if r.unverified() { "   UNVERIFIED" } else { "" },
            if slot.cancel_requested {
                "   cancel requested"
            } else {
                ""
            },
        )));
    }
    // The board's message is a short status; the host may know the whole reason.
    let message = model
        .selected_reason
        .clone()
        .unwrap_or_else(|| message_of(row));
    if !message.is_empty() {
        lines.push(Line::raw(format!("message: {message}")));
    }
    if !model.stderr_tail.is_empty() {
        lines.push(Line::styled(
            "stderr:",
            Style::new().add_modifier(Modifier::BOLD),
        ));
        let room = (area.height as usize).saturating_sub(lines.len() + 1);
        let skip = model.stderr_tail.len().saturating_sub(room);
        lines.extend(
            model
                .stderr_tail
                .iter()
                .skip(skip)
                .map(|l| Line::raw(format!("  {l}"))),
        );
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn render_footer(frame: &mut Frame<'_>, area: Rect, model: &Model, style: Look) {
    let (text, text_style) = if let Some(notice) = &model.notice {
        (
            format!(" {notice}"),
            paint(style, Style::new().fg(Color::Yellow)),
        )
    } else if model.is_finished() || model.owner_gone {
        (
            " done — q to leave, ↑↓ to inspect, ⏎ details".to_owned(),
            Style::new(),
        )
    } else if model.read_only {
        (
            " ↑↓ select  ⏎ details  ? keys  q quit  (read-only)".to_owned(),
            Style::new(),
        )
    } else {
        (
            " ↑↓ select  ⏎ details  c cancel tool  ? keys  q quit".to_owned(),
            Style::new(),
        )
    };
    // Where the table is scrolled, and failures out of sight, on the right; it wins
    // over the key hints when both do not fit, and never covers the table's header.
    let marker = scroll_marker(model, visible_rows(model, frame.area()));
    let marker_width = marker
        .as_ref()
        .map_or(0, |(text, _)| crate::text::width(text) as u16);
    let room = usize::from(area.width.saturating_sub(marker_width));
    frame.render_widget(Span::styled(truncate(&text, room), text_style), area);
    if let Some((more, loud)) = marker {
        let look = if loud {
            paint(
                style,
                Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            )
        } else {
            Style::new().add_modifier(Modifier::DIM)
        };
        let x = area.right().saturating_sub(marker_width);
        let at = Rect::new(x, area.y, marker_width, 1).intersection(area);
        frame.render_widget(Span::styled(more, look), at);
    }
}

/// ` 1-19 of 50 · 2 failed below ↓ ` when the table does not show every row (and
/// whether failures are out of sight).
fn scroll_marker(model: &Model, visible: usize) -> Option<(String, bool)> {
    if model.rows.len() <= visible || visible == 0 {
        return None;
    }
    let end = (model.scroll + visible).min(model.rows.len());
    let failed = |rows: &[ToolRow]| rows.iter().filter(|r| r.state().is_failure()).count();
    let above = failed(&model.rows[..model.scroll]);
    let below = failed(&model.rows[end..]);
    let mut more = format!(" {}-{end} of {}", model.scroll + 1, model.rows.len());
    if above > 0 {
        more.push_str(&format!(" · {above} failed above ↑"));
    }
    if below > 0 {
        more.push_str(&format!(" · {below} failed below ↓"));
    }
    more.push(' ');
    Some((more, above + below > 0))
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

fn render_confirm(frame: &mut Frame<'_>, area: Rect, model: &Model, index: usize, style: Look) {
    let Some(row) = model.rows.get(index) else {
        return;
    };
    let popup = centered(area, 44, 5);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(vec![
            Line::raw(format!(
                "Cancel {}@{}?",
                truncate(&row.name, 20),
                truncate(&row.version, 10)
            )),
            Line::raw("y: cancel it   n/Esc: keep going"),
        ])
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(" cancel ")
                .border_style(paint(style, Style::new().fg(Color::Yellow))),
        ),
        popup,
    );
}

/// The keys, as shown by `?`.
pub const KEYS: &[(&str, &str)] = &[
    ("↑ ↓ / j k", "select a tool"),
    ("PgUp PgDn", "scroll a page"),
    ("Home End", "first / last tool"),
    ("Enter / Esc", "show / hide details"),
    ("c", "cancel the selected tool"),
    ("Ctrl-C", "cancel the whole sync"),
    ("?", "show / hide this help"),
    ("q / Esc", "leave"),
];

fn render_help(frame: &mut Frame<'_>, area: Rect) {
    let popup = centered(area, 46, KEYS.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    let lines: Vec<Line<'_>> = KEYS
        .iter()
        .map(|(key, what)| Line::raw(format!(" {key:<11} {what}")))
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" keys ")),
        popup,
    );
}
