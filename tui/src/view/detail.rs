//! The detail pane: every field of the selected tool's slot, its full failure reason
//! (from the host when it has one) and the tail of its captured stderr.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::Look;
use super::table::{message_of, phase_cell};
use crate::model::Model;
use crate::text::duration;

pub(super) fn render(frame: &mut Frame<'_>, area: Rect, model: &Model, style: Look) {
    let Some(row) = model.selected_row() else {
        return;
    };
    let block = Block::bordered().title(format!(" {} {} ", row.name, row.version));
    let mut lines = Vec::new();
    if let Some(slot) = row.slot {
        let r = slot.record;
        let (phase, phase_style) = phase_cell(row, model.now_ms);
        lines.push(Line::from(vec![
            Span::raw("phase "),
            Span::styled(phase, style.paint(phase_style)),
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
