//! The footer: key hints, a notice (a cancel sent, an error), or the search being typed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::Span;

use super::Look;
use crate::model::Model;
use crate::text::truncate;

pub(super) fn render(frame: &mut Frame<'_>, area: Rect, model: &Model, look: Look) {
    let (text, style) = if model.typing {
        (
            format!(" search: {}▏   ⏎ keep  Esc clear", model.search),
            look.paint(Style::new().fg(Color::Cyan)),
        )
    } else if let Some(notice) = &model.notice {
        (
            format!(" {notice}"),
            look.paint(Style::new().fg(Color::Yellow)),
        )
    } else if model.is_finished() || model.owner_gone {
        (
            " done — q to leave  ↑↓ inspect  ⏎ details  / search  f filter".to_owned(),
            Style::new(),
        )
    } else if model.read_only {
        (
            " ↑↓ select  ⏎ details  / search  f filter  ? keys  q quit  (read-only)".to_owned(),
            Style::new(),
        )
    } else {
        (
            " ↑↓ select  ⏎ details  / search  f filter  c cancel  ? keys  q quit".to_owned(),
            Style::new(),
        )
    };
    frame.render_widget(
        Span::styled(truncate(&text, usize::from(area.width)), style),
        area,
    );
}
