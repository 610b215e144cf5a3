//! Rendering: a pure function of the [`Model`]. Nothing here reads the board or the
//! clock, so snapshot tests pin down exactly what a user sees.
//!
//! The screen is a stack of bordered panes, one module each: `header` (counts, the
//! overall gauge, rate and ETA), `table` (one row per tool), then either
//! `activity` (the throughput chart and the recent events) or `detail` (the
//! selected tool), and the `footer`'s key hints; `popup` draws the key help and
//! the cancel prompt over them.

mod activity;
mod detail;
mod footer;
mod header;
mod popup;
mod table;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;

use crate::model::Model;

pub use popup::KEYS;

/// How the dashboard is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Look {
    /// Whether to use colour (off when `NO_COLOR` is set).
    pub color: bool,
}

impl Look {
    /// `style` when colours are on, the terminal's default otherwise.
    pub fn paint(self, style: Style) -> Style {
        if self.color { style } else { Style::default() }
    }
}

/// Rows the detail pane takes, borders included.
const DETAIL_HEIGHT: u16 = 10;
/// Rows of the header pane, borders included (tally line, gauge).
const HEADER_HEIGHT: u16 = 4;
/// The smallest screen that also gets the throughput and events panes.
const ACTIVITY_MIN: (u16, u16) = (60, 20);

/// Where each pane goes on a screen of `area`.
struct Panes {
    header: Rect,
    table: Rect,
    /// The detail pane or the activity panes, when there is room (or none).
    below: Rect,
    footer: Rect,
}

fn panes(model: &Model, area: Rect) -> Panes {
    let below = if model.detail {
        DETAIL_HEIGHT
    } else if area.width >= ACTIVITY_MIN.0 && area.height >= ACTIVITY_MIN.1 {
        (area.height / 4).clamp(6, 12)
    } else {
        0
    };
    let [header, table, below, footer] = Layout::vertical([
        Constraint::Length(HEADER_HEIGHT),
        Constraint::Min(3),
        Constraint::Length(below),
        Constraint::Length(1),
    ])
    .areas(area);
    Panes {
        header,
        table,
        below,
        footer,
    }
}

/// Number of tool rows that fit in a frame of `area`, given the model's panes. The
/// application uses it to keep the selection visible.
pub fn visible_rows(model: &Model, area: Rect) -> usize {
    // The table's borders and its header row.
    panes(model, area).table.height.saturating_sub(3) as usize
}

/// Draws the whole dashboard.
pub fn render(frame: &mut Frame<'_>, model: &Model, look: Look) {
    let area = frame.area();
    let panes = panes(model, area);
    header::render(frame, panes.header, model, look);
    table::render(frame, panes.table, model, look);
    if model.detail {
        detail::render(frame, panes.below, model, look);
    } else if panes.below.height > 0 {
        activity::render(frame, panes.below, model, look);
    }
    footer::render(frame, panes.footer, model, look);
    if let Some(index) = model.confirm_cancel {
        popup::confirm(frame, area, model, index, look);
    }
    if model.help {
        popup::help(frame, area);
    }
}
