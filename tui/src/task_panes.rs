//! A pane per task, for `vx run --tui` and for `vx board watch` of a task run from
//! another terminal. The run's tasks with their phases on the left, the selected
//! task's log on the right, read from the board (a [`TaskFeed`]) as the other task
//! views do. Keys: ↑/↓ or k/j pick a task; PgUp/PgDn and Home scroll its log; f or End
//! follow it again; `/` searches it (Enter), n and N go to the next and previous match;
//! q or Ctrl-C leave — which, for the run's own view, stops the run when it still runs
//! (the caller cancels it), and for a watcher leaves the run going.
//!
//! The same terminal handling as the sync dashboard ([`crate::app`]: raw mode, the
//! alternate screen, a terminal always restored); [`TaskPanes`] keeps state, keys and
//! drawing apart from the terminal so tests drive it with `TestBackend`.

use std::io;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph};
use vx_shm::{TaskPhase, TaskRun, TaskState, now_unix_ms};

use crate::app::{Input, enter, terminal_inputs};
use crate::task_feed::{TaskFeed, elapsed_ms};
use crate::text::{duration_ms, sanitize, truncate, width as text_width};
use crate::view::Look;

/// Lines of output kept per task for the panes.
pub const KEPT_LINES: usize = 10_000;

/// What a key asks of the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanesAction {
    /// Leave the view (and stop the run if it still runs).
    Leave,
}

/// The panes' state: the feed, the picked task, how its log is scrolled, the search.
pub struct TaskPanes {
    feed: TaskFeed,
    look: Look,
    list: ListState,
    /// Whether the user picked a task (until then the selection follows the first
    /// running one, then the first failure).
    picked: bool,
    /// Following the selected log's end; otherwise `top` is its first shown line.
    follow: bool,
    top: usize,
    /// The search being typed, while `/` is open.
    typing: Option<String>,
    /// The last search, and the line its current match is on.
    query: Option<String>,
    found: Option<usize>,
    /// A short note in the footer (no match, search wrapped).
    note: String,
    /// Rows of the log pane at the last draw (PgUp/PgDn move by it).
    log_rows: usize,
    /// A watcher's view (`vx board watch`): leaving does not stop the run.
    watching: bool,
}

impl TaskPanes {
    /// Panes over `run`, polled once.
    pub fn new(run: &TaskRun, look: Look) -> TaskPanes {
        let mut panes = TaskPanes {
            feed: TaskFeed::new(run, KEPT_LINES, crate::task_feed::READ_WINDOW),
            look,
            list: ListState::default(),
            picked: false,
            follow: true,
            top: 0,
            typing: None,
            query: None,
            found: None,
            note: String::new(),
            log_rows: 10,
            watching: false,
        };
        panes.poll(run);
        panes
    }

    /// Panes over another process's run (`vx board watch`): leaving them leaves the
    /// run going, and the footer says so.
    pub fn watching(run: &TaskRun, look: Look) -> TaskPanes {
        TaskPanes {
            watching: true,
            ..TaskPanes::new(run, look)
        }
    }

    /// Reads the board again.
    pub fn poll(&mut self, run: &TaskRun) {
        self.feed.poll(run);
        if !self.picked {
            let tasks = self.feed.tasks();
            let live = tasks.iter().position(|t| {
                matches!(
                    t.phase,
                    Some(TaskPhase::Running | TaskPhase::Ready | TaskPhase::Starting)
                )
            });
            let failed = tasks
                .iter()
                .position(|t| t.phase == Some(TaskPhase::Failed));
            self.list
                .select(failed.or(live).or(self.list.selected()).or(Some(0)));
        }
    }

    /// The feed the panes draw.
    pub fn feed(&self) -> &TaskFeed {
        &self.feed
    }

    /// The selected task's index.
    pub fn selected(&self) -> usize {
        self.list.selected().unwrap_or(0)
    }

    /// How many lines the selected task's log keeps.
    fn selected_len(&self) -> usize {
        self.feed.log(self.selected()).map_or(0, |log| log.len())
    }

    fn selected_lines(&self) -> Vec<String> {
        self.feed
            .log(self.selected())
            .map(|log| log.lines())
            .unwrap_or_default()
    }

    /// Applies a key press.
    pub fn key(&mut self, key: KeyEvent) -> Option<PanesAction> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        let ctrl_c =
            key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl_c {
            return Some(PanesAction::Leave);
        }
        if let Some(typing) = &mut self.typing {
            match key.code {
                KeyCode::Enter => {
                    let query = std::mem::take(typing);
                    self.typing = None;
                    if !query.is_empty() {
                        self.query = Some(query);
                        self.search(true, true);
                    }
                }
                KeyCode::Esc => self.typing = None,
                KeyCode::Backspace => {
                    typing.pop();
                }
                KeyCode::Char(c) if typing.len() < 200 => typing.push(c),
                _ => {}
            }
            return None;
        }
        self.note.clear();
        let count = self.feed.tasks().len();
        let selected = self.selected();
        match key.code {
            KeyCode::Char('q') | KeyCode::Esc => return Some(PanesAction::Leave),
            KeyCode::Up | KeyCode::Char('k') => self.pick(selected.saturating_sub(1)),
            KeyCode::Down | KeyCode::Char('j') => {
                self.pick((selected + 1).min(count.saturating_sub(1)));
            }
            KeyCode::Char('f') | KeyCode::End | KeyCode::Char('G') => {
                self.follow = true;
                self.found = None;
            }
            KeyCode::PageUp => self.scroll(-(self.log_rows.max(1) as isize)),
            KeyCode::PageDown => self.scroll(self.log_rows.max(1) as isize),
            KeyCode::Home | KeyCode::Char('g') => {
                self.follow = false;
                self.top = 0;
            }
            KeyCode::Char('/') => self.typing = Some(String::new()),
            KeyCode::Char('n') => self.search(true, false),
            KeyCode::Char('N') => self.search(false, false),
            _ => {}
        }
        None
    }

    fn pick(&mut self, index: usize) {
        self.picked = true;
        if Some(index) != self.list.selected() {
            self.list.select(Some(index));
            self.follow = true;
            self.found = None;
        }
    }

    /// The first shown line now (following: the last screenful).
    fn current_top(&self, len: usize) -> usize {
        if self.follow {
            len.saturating_sub(self.log_rows)
        } else {
            self.top.min(len.saturating_sub(1))
        }
    }

    fn scroll(&mut self, by: isize) {
        let len = self.selected_len();
        let top = self.current_top(len) as isize + by;
        let last_top = len.saturating_sub(self.log_rows);
        let top = top.clamp(0, last_top as isize) as usize;
        self.follow = top >= last_top;
        self.top = top;
    }

    /// Moves to the next (`forward`) or previous match of the query, from the current
    /// match (or, `fresh`, from the first shown line), wrapping around.
    fn search(&mut self, forward: bool, fresh: bool) {
        let Some(query) = self.query.clone() else {
            self.note = "no search yet: / to search".into();
            return;
        };
        let lines = self.selected_lines();
        let needle = query.to_lowercase();
        let matches: Vec<usize> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.to_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect();
        if matches.is_empty() {
            self.found = None;
            self.note = format!("no match for {:?}", sanitize(&query));
            return;
        }
        let from = match (self.found, fresh) {
            (Some(found), false) => found,
            _ => self.current_top(lines.len()),
        };
        let next = if forward {
            let start = if fresh { from } else { from + 1 };
            matches.iter().copied().find(|&m| m >= start).or_else(|| {
                self.note = "search wrapped to the top".into();
                matches.first().copied()
            })
        } else {
            matches
                .iter()
                .copied()
                .rev()
                .find(|&m| m < from)
                .or_else(|| {
                    self.note = "search wrapped to the bottom".into();
                    matches.last().copied()
                })
        };
        if let Some(line) = next {
            self.found = Some(line);
            self.follow = false;
            // The match a third of the way down the pane.
            self.top = line.saturating_sub(self.log_rows / 3);
        }
    }

    /// Draws the panes as of now.
    pub fn render(&mut self, frame: &mut Frame<'_>) {
        self.render_at(frame, now_unix_ms());
    }

    /// Draws the panes as of `now` (ms since the epoch: elapsed times count to it).
    pub fn render_at(&mut self, frame: &mut Frame<'_>, now: u64) {
        let area = frame.area();
        let [title, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(1),
        ])
        .areas(area);
        self.render_title(frame, title, now);
        let list_width = self
            .feed
            .tasks()
            .iter()
            .map(|t| text_width(&sanitize(&t.name)))
            .max()
            .unwrap_or(4)
            .clamp(4, 28) as u16
            + 24;
        let [list, log] = Layout::horizontal([
            Constraint::Length(list_width.min(area.width / 2)),
            Constraint::Min(10),
        ])
        .areas(body);
        self.render_list(frame, list, now);
        self.render_log(frame, log);
        self.render_footer(frame, footer);
    }

    fn render_title(&self, frame: &mut Frame<'_>, area: Rect, now: u64) {
        let state = if self.feed.interrupted() {
            "stopping"
        } else if self.feed.finished() {
            "finished"
        } else {
            "running"
        };
        let text = format!(
            "vx run · {} · {state} · {}",
            self.feed.label(),
            duration_ms(now.saturating_sub(self.feed.created_unix_ms()))
        );
        frame.render_widget(
            Line::styled(
                truncate(&text, usize::from(area.width)),
                self.look.paint(Style::new().add_modifier(Modifier::BOLD)),
            ),
            area,
        );
    }

    fn render_list(&mut self, frame: &mut Frame<'_>, area: Rect, now: u64) {
        let inner = usize::from(area.width.saturating_sub(4));
        let items: Vec<ListItem<'_>> = self
            .feed
            .tasks()
            .iter()
            .map(|task| {
                let (mark, color) = mark(task);
                let took = elapsed_ms(task, now).map(duration_ms).unwrap_or_default();
                let phase = phase_text(task);
                let right = format!("{phase} {took}");
                let name_room = inner.saturating_sub(text_width(&right) + 3);
                let name = truncate(&sanitize(&task.name), name_room);
                let pad = inner.saturating_sub(2 + text_width(&name) + text_width(&right));
                ListItem::new(Line::from(vec![
                    Span::styled(format!("{mark} "), self.look.paint(Style::new().fg(color))),
                    Span::raw(name),
                    Span::raw(" ".repeat(pad)),
                    Span::styled(right, self.look.paint(Style::new().fg(color))),
                ]))
            })
            .collect();
        let list = List::new(items)
            .block(Block::bordered().title(" tasks "))
            .highlight_style(Style::new().add_modifier(Modifier::REVERSED))
            .highlight_symbol("▌");
        frame.render_stateful_widget(list, area, &mut self.list);
    }

    fn render_log(&mut self, frame: &mut Frame<'_>, area: Rect) {
        self.log_rows = usize::from(area.height.saturating_sub(2)).max(1);
        let len = self.selected_len();
        let top = self.current_top(len);
        let log = self.feed.log(self.selected());
        let task = self.feed.tasks().get(self.selected());
        let name = task
            .map(|t| sanitize(&t.name).into_owned())
            .unwrap_or_default();
        let width = usize::from(area.width.saturating_sub(2));
        let needle = self.query.as_ref().map(|q| q.to_lowercase());
        // Only the lines on screen are read (a log keeps up to KEPT_LINES).
        let shown: Vec<Line<'_>> = (top..len.min(top + self.log_rows))
            .filter_map(|i| Some((i, log?.line(i)?)))
            .map(|(i, line)| {
                let text = truncate(&line, width);
                let hit = needle
                    .as_ref()
                    .is_some_and(|n| line.to_lowercase().contains(n.as_str()));
                let style = if Some(i) == self.found {
                    Style::new().fg(Color::Black).bg(Color::Yellow)
                } else if hit {
                    Style::new().fg(Color::Yellow)
                } else {
                    Style::new()
                };
                Line::styled(text, self.look.paint(style))
            })
            .collect();
        let position = if self.follow {
            "following".to_owned()
        } else {
            format!(
                "lines {}-{} of {}",
                top + 1,
                (top + self.log_rows).min(len),
                len
            )
        };
        let message = task
            .map(|t| {
                crate::task_inline::restore_text(t)
                    .unwrap_or_else(|| sanitize(&t.message).into_owned())
            })
            .filter(|m| !m.is_empty())
            .map(|m| format!(" · {m}"))
            .unwrap_or_default();
        let title = truncate(&format!(" {name}{message} · {position} "), width);
        let empty = shown.is_empty();
        let mut paragraph = Paragraph::new(shown).block(Block::bordered().title(title));
        if empty {
            let waiting = match task.and_then(|t| t.phase) {
                Some(TaskPhase::Queued | TaskPhase::Waiting) => "(not started)",
                Some(TaskPhase::UpToDate) => "(up to date: it did not run)",
                _ => "(no output)",
            };
            paragraph = Paragraph::new(Line::styled(
                waiting,
                self.look.paint(Style::new().add_modifier(Modifier::DIM)),
            ))
            .block(Block::bordered().title(truncate(&format!(" {name}{message} "), width)));
        }
        frame.render_widget(paragraph, area);
    }

    fn render_footer(&self, frame: &mut Frame<'_>, area: Rect) {
        let width = usize::from(area.width);
        let line = if let Some(typing) = &self.typing {
            Line::from(format!("/{typing}▏  (Enter: search, Esc: cancel)"))
        } else if !self.note.is_empty() {
            Line::styled(
                truncate(&self.note, width),
                self.look.paint(Style::new().fg(Color::Yellow)),
            )
        } else {
            let leave = if self.feed.finished() {
                "q leave"
            } else if self.watching {
                "q leave (the run goes on)"
            } else {
                "q stop the run"
            };
            Line::styled(
                truncate(
                    &format!(
                        "↑/↓ pick  PgUp/PgDn scroll  f follow  / search  n/N next/prev  {leave}"
                    ),
                    width,
                ),
                self.look.paint(Style::new().add_modifier(Modifier::DIM)),
            )
        };
        frame.render_widget(line, area);
    }
}

/// A task's mark and colour in the list.
fn mark(task: &TaskState) -> (char, Color) {
    match task.phase {
        Some(TaskPhase::Done) => ('✓', Color::Green),
        Some(TaskPhase::UpToDate) => ('✓', Color::DarkGray),
        Some(TaskPhase::Failed) => ('✗', Color::Red),
        Some(TaskPhase::Cancelled) => ('⊘', Color::Yellow),
        Some(TaskPhase::Ready) => ('●', Color::Green),
        Some(TaskPhase::Running | TaskPhase::Starting) => ('●', Color::Cyan),
        Some(TaskPhase::Queued | TaskPhase::Waiting) => ('·', Color::DarkGray),
        None => ('?', Color::Red),
    }
}

/// The phase as the list shows it: with the exit code of a failure.
fn phase_text(task: &TaskState) -> String {
    match task.phase {
        _ if task.unreadable.is_some() => "unreadable".into(),
        Some(TaskPhase::Failed) if task.exit_code != 0 => format!("failed ({})", task.exit_code),
        Some(TaskPhase::UpToDate) => "up to date".into(),
        Some(phase) => phase.label().into(),
        None => "unknown".into(),
    }
}

/// How the panes ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanesEnd {
    /// The user left (q, Esc, Ctrl-C).
    Left,
    /// `stop` was set (the run was interrupted by a signal).
    Stopped,
    /// The run finished (with [`Until::Finished`]).
    Finished,
    /// The run's `vx run` died without finishing (a watcher's view).
    OwnerGone,
}

/// When the panes end by themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Until {
    /// Only when the user leaves or `stop` is set.
    Left,
    /// Also once the run finishes or its owner dies (`vx board watch --exit-on-done`).
    Finished,
}

/// Runs `panes` in the real terminal until the user leaves, `stop` is set or, with
/// [`Until::Finished`], the run is over; the terminal is restored on every way out.
/// Returns how it ended and the panes (their feed holds what the tasks wrote, for a
/// summary). A watcher that leaves while the run's owner is dead and the run
/// unfinished gets [`PanesEnd::OwnerGone`], so a script does not take it for success.
pub fn run_task_panes(
    run: &TaskRun,
    mut panes: TaskPanes,
    fps: u32,
    stop: Arc<AtomicBool>,
    until: Until,
) -> io::Result<(PanesEnd, TaskPanes)> {
    let mut terminal = enter()?;
    let mut owner_alive = true;
    let mut ticks = 0u32;
    let result: io::Result<PanesEnd> = (|| {
        terminal.draw(|frame| panes.render(frame))?;
        for input in terminal_inputs(fps, stop) {
            match input {
                Input::Key(key) => {
                    if panes.key(key) == Some(PanesAction::Leave) {
                        return Ok(PanesEnd::Left);
                    }
                }
                Input::Tick => {
                    panes.poll(run);
                    ticks = ticks.wrapping_add(1);
                    // Liveness costs a syscall or two: twice a second is enough.
                    if panes.watching && ticks.is_multiple_of(fps.div_ceil(2).max(1)) {
                        owner_alive = run.owner_alive();
                    }
                    let end = match until {
                        Until::Finished if run.board().is_finished() => Some(PanesEnd::Finished),
                        Until::Finished if !owner_alive => Some(PanesEnd::OwnerGone),
                        _ => None,
                    };
                    if let Some(end) = end {
                        terminal.draw(|frame| panes.render(frame))?;
                        return Ok(end);
                    }
                }
                Input::Resize => {}
            }
            terminal.draw(|frame| panes.render(frame))?;
        }
        Ok(PanesEnd::Stopped)
    })();
    let _ = ratatui::try_restore();
    let end = result?;
    let abandoned = panes.watching && !owner_alive && !run.board().is_finished();
    if end == PanesEnd::Left && abandoned {
        return Ok((PanesEnd::OwnerGone, panes));
    }
    Ok((end, panes))
}
