//! The activity panes under the table: the download throughput of the last minute as
//! a chart (one bar per second, newest on the right), and the latest events.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Sparkline};

use super::Look;
use crate::activity::{Event, EventKind, HISTORY_SECS};
use crate::model::{Model, STALL_MS};
use crate::text::{duration, rate, truncate, width};

pub(super) fn render(frame: &mut Frame<'_>, area: Rect, model: &Model, look: Look) {
    let chart_width = (area.width / 3).clamp(24, HISTORY_SECS as u16 + 2);
    let [chart, events] =
        Layout::horizontal([Constraint::Length(chart_width), Constraint::Fill(1)]).areas(area);
    render_chart(frame, chart, model, look);
    render_events(frame, events, model, look);
}

fn render_chart(frame: &mut Frame<'_>, area: Rect, model: &Model, look: Look) {
    let peak = model.throughput.peak();
    let mut block = Block::bordered().title_top(" download rate ");
    if peak > 0 {
        block =
            block.title_bottom(Line::raw(format!(" peak {} ", rate(peak as f64))).right_aligned());
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // Padded on the left so the newest second is always at the right edge.
    let columns = usize::from(inner.width);
    let seconds = model.throughput.last_seconds(columns);
    let mut data = vec![0; columns.saturating_sub(seconds.len())];
    data.extend(seconds);
    frame.render_widget(
        Sparkline::default()
            .data(&data)
            .max(peak.max(1))
            .style(look.paint(Style::new().fg(Color::Cyan))),
        inner,
    );
}

fn render_events(frame: &mut Frame<'_>, area: Rect, model: &Model, look: Look) {
    let block = Block::bordered().title_top(" events ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if model.events.is_empty() {
        frame.render_widget(Paragraph::new(" nothing yet").style(dim(look)), inner);
        return;
    }
    let lines: Vec<Line<'_>> = model
        .events
        .latest(usize::from(inner.height))
        .map(|event| event_line(event, model.started_ms, inner.width, look))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// ` 1m05s ✗ jq  checksum mismatch: …`, cut to `width`.
fn event_line(event: &Event, started_ms: u64, width_cols: u16, look: Look) -> Line<'static> {
    let (symbol, color, text) = match &event.kind {
        EventKind::Installed => ('✓', Color::Green, "installed".to_owned()),
        EventKind::Failed(why) if why.is_empty() => ('✗', Color::Red, "failed".to_owned()),
        EventKind::Failed(why) => ('✗', Color::Red, why.clone()),
        EventKind::Cancelled => ('⊘', Color::Yellow, "cancelled".to_owned()),
        EventKind::Retry(why) => ('↻', Color::Yellow, why.clone()),
        EventKind::Stalled => (
            '…',
            Color::Yellow,
            format!("stalled: no data for {}", duration(STALL_MS / 1000)),
        ),
        EventKind::WriterLost => ('✗', Color::Red, "its writer died mid-publish".to_owned()),
    };
    let at = format!(
        "{:>6} ",
        duration(event.at_ms.saturating_sub(started_ms) / 1000)
    );
    let head = format!("{symbol} {} ", event.tool);
    let room = usize::from(width_cols).saturating_sub(width(&at) + width(&head));
    Line::from(vec![
        Span::styled(at, dim(look)),
        Span::styled(head, look.paint(Style::new().fg(color))),
        Span::raw(truncate(&text, room)),
    ])
}

/// Dim grey when colours are on.
fn dim(look: Look) -> Style {
    look.paint(Style::new().fg(Color::DarkGray))
}
