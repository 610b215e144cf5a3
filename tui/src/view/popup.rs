//! The popups drawn over the dashboard: the key help (`?`) and the cancel prompt.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::Look;
use crate::model::Model;
use crate::text::truncate;

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

pub(super) fn confirm(frame: &mut Frame<'_>, area: Rect, model: &Model, index: usize, style: Look) {
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
                .border_style(style.paint(Style::new().fg(Color::Yellow))),
        ),
        popup,
    );
}

/// The keys, as shown by `?`.
pub const KEYS: &[(&str, &str)] = &[
    ("↑ ↓ / j k", "select a tool"),
    ("PgUp PgDn", "scroll a page"),
    ("Home End", "first / last tool"),
    ("Enter", "show / hide details"),
    ("/", "search by name (Enter keeps it)"),
    ("f", "filter: all, failed, running"),
    ("c", "cancel the selected tool"),
    ("Ctrl-C", "cancel the whole sync"),
    ("?", "show / hide this help"),
    ("Esc", "close a pane, clear a search, leave"),
    ("q", "leave"),
];

pub(super) fn help(frame: &mut Frame<'_>, area: Rect) {
    let widest = KEYS
        .iter()
        .map(|(_, what)| crate::text::width(what))
        .max()
        .unwrap_or(0);
    let popup = centered(area, widest as u16 + 16, KEYS.len() as u16 + 2);
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
