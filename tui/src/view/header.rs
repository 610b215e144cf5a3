//! The header pane: what the board is for and how long it ran (on the border), counts
//! per outcome in their colours with the overall rate, ETA and bytes downloaded, and a
//! gauge of the whole sync that never goes backwards.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Gauge};

use super::Look;
use crate::model::Model;
use crate::text::{bytes, duration, rate, truncate, width};

pub(super) fn render(frame: &mut Frame<'_>, area: Rect, model: &Model, look: Look) {
    let status = status(model);
    let room = usize::from(area.width).saturating_sub(width(&status) + 16);
    let block = Block::bordered()
        .title_top(Line::from(vec![
            Span::styled(
                " vx sync ",
                look.paint(Style::new().add_modifier(Modifier::BOLD)),
            ),
            Span::raw(format!("{} ", truncate(&model.label, room))),
        ]))
        .title_top(Line::raw(format!(" {status} ")).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [tally_area, gauge_area] = Layout::vertical([Constraint::Length(1); 2]).areas(inner);
    render_tally(frame, tally_area, model, look);
    let tally = model.tally();
    let fraction = model.fraction_done();
    let color = if tally.failed > 0 {
        Color::Red
    } else if model.is_finished() {
        Color::Green
    } else {
        Color::Blue
    };
    frame.render_widget(
        Gauge::default()
            .ratio(fraction)
            .label(format!(
                "{}%  {}/{} tools",
                (fraction * 100.0).floor() as u32,
                tally.done(),
                model.rows.len()
            ))
            .gauge_style(look.paint(Style::new().fg(color).bg(Color::Black))),
        gauge_area,
    );
}

fn status(model: &Model) -> String {
    let elapsed_to = model.finished_ms.unwrap_or(model.now_ms);
    let elapsed = duration(elapsed_to.saturating_sub(model.started_ms) / 1000);
    if model.owner_gone && !model.is_finished() {
        "owner gone".to_string()
    } else if model.interrupted {
        format!("interrupted after {elapsed}")
    } else if model.is_finished() {
        format!("finished in {elapsed}")
    } else {
        format!("elapsed {elapsed}")
    }
}

/// `2/7 done  1 installed  1 failed  4 running` on the left, `5.0 MiB/s · ETA 12s ·
/// 30.0 MiB downloaded` on the right; the right side's parts go (downloaded, then ETA,
/// then rate) before they would touch the counts.
fn render_tally(frame: &mut Frame<'_>, area: Rect, model: &Model, look: Look) {
    let tally = model.tally();
    let mut counts = vec![Span::raw(format!(
        "{}/{} done",
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
                look.paint(Style::new().fg(color)),
            ));
        }
    }
    let counts = Line::from(counts);
    let mut stats = Vec::new();
    let speed = model.rate();
    if speed >= 1.0 && !model.is_finished() {
        stats.push(rate(speed));
    }
    if let Some(eta) = model.eta_secs() {
        stats.push(format!("ETA {}", duration(eta)));
    }
    let downloaded = model.downloaded();
    if downloaded > 0 {
        stats.push(format!("{} downloaded", bytes(downloaded)));
    }
    let room = usize::from(area.width).saturating_sub(counts.width() + 2);
    while !stats.is_empty() && width(&stats.join(" · ")) > room {
        stats.pop();
    }
    frame.render_widget(counts, area);
    if !stats.is_empty() {
        frame.render_widget(Line::raw(stats.join(" · ")).right_aligned(), area);
    }
}
