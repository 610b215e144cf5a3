//! `vx board watch` of a task run (`vx run`): a table of its tasks with their phases,
//! times and output sizes, and below it the latest output of the selected task, read
//! in place from its ring. The same terminal handling as the sync dashboard
//! ([`crate::app`]); the data comes only through `vx-shm`'s [`TaskRun`].

use std::collections::VecDeque;
use std::io;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState};
use vx_shm::{TaskPhase, TaskRun, TaskState, now_unix_ms};
use vx_text::{bytes, duration_ms, sanitize};

use crate::app::{Input, enter, terminal_inputs};

/// Lines of output kept per task for the view.
const KEPT_LINES: usize = 500;
/// Bytes of a line kept (a task printing one endless line is cut, not stored whole).
const LINE_CAP: usize = 4096;

/// How the watch ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskWatchEnd {
    /// The user left (q, Esc, Ctrl-C).
    Left,
    /// The run finished (every task has an outcome).
    Finished,
    /// The run's `vx run` died without finishing.
    OwnerGone,
}

/// The latest output of one task, followed from its ring.
#[derive(Default)]
struct TaskLog {
    next: u64,
    lost: u64,
    lines: VecDeque<String>,
    partial: Vec<u8>,
}

impl TaskLog {
    /// Reads what the ring gained since the last call.
    fn follow(&mut self, run: &TaskRun, index: usize, buffer: &mut Vec<u8>) {
        loop {
            buffer.clear();
            let Some(read) = run.read_output(index, self.next, 1 << 20, buffer) else {
                return;
            };
            if read.lost > 0 {
                self.lost += read.lost;
                self.partial.clear();
                self.push(format!("[… {} not kept]", bytes(read.lost)));
            }
            self.next = read.next;
            for byte in buffer.iter() {
                if *byte == b'\n' {
                    let line = std::mem::take(&mut self.partial);
                    self.push(plain(&String::from_utf8_lossy(&line)));
                } else if self.partial.len() < LINE_CAP {
                    self.partial.push(*byte);
                }
            }
            if buffer.len() < 1 << 20 {
                return;
            }
        }
    }

    fn push(&mut self, line: String) {
        if self.lines.len() == KEPT_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
    }

    /// The last `count` lines, the unfinished one included.
    fn tail(&self, count: usize) -> Vec<String> {
        let mut lines: Vec<String> = self.lines.iter().cloned().collect();
        if !self.partial.is_empty() {
            lines.push(plain(&String::from_utf8_lossy(&self.partial)));
        }
        let skip = lines.len().saturating_sub(count);
        lines.split_off(skip)
    }
}

/// A line of task output as plain text for a cell: colour sequences (`ESC [ … m`)
/// dropped, a carriage return ending what came before it, every other control
/// character shown escaped ([`sanitize`]).
pub fn plain(line: &str) -> String {
    let line = line
        .rsplit('\r')
        .find(|part| !part.is_empty())
        .unwrap_or("");
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("\x1b[") {
        out.push_str(&rest[..at]);
        let params = &rest[at + 2..];
        let len = params.len()
            - params
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == ';')
                .len();
        if params[len..].starts_with('m') {
            rest = &params[len + 1..];
        } else {
            out.push('\x1b');
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    sanitize(&out).into_owned()
}

/// What the view shows: the run's tasks now and the followed output of each.
pub struct TaskWatch {
    label: String,
    created_unix_ms: u64,
    tasks: Vec<TaskState>,
    logs: Vec<TaskLog>,
    table: TableState,
    picked: bool,
    state: &'static str,
    buffer: Vec<u8>,
}

impl TaskWatch {
    /// A view of `run`, read once.
    pub fn new(run: &TaskRun) -> TaskWatch {
        let info = run.board().info();
        let mut watch = TaskWatch {
            label: sanitize(&info.label).into_owned(),
            created_unix_ms: info.created_unix_ms,
            tasks: Vec::new(),
            logs: (0..run.task_count()).map(|_| TaskLog::default()).collect(),
            table: TableState::default(),
            picked: false,
            state: "running",
            buffer: Vec::new(),
        };
        watch.refresh(run, true);
        watch
    }

    /// Reads the tasks and their new output. Until the user picks a task, the
    /// selection follows the first running one.
    pub fn refresh(&mut self, run: &TaskRun, owner_alive: bool) {
        self.tasks = run.tasks();
        for (index, log) in self.logs.iter_mut().enumerate() {
            log.follow(run, index, &mut self.buffer);
        }
        let board = run.board();
        self.state = if board.was_interrupted() {
            "interrupted"
        } else if board.is_finished() {
            "finished"
        } else if !owner_alive {
            "dead: its vx run is gone"
        } else {
            "running"
        };
        if !self.picked {
            let running = self.tasks.iter().position(|t| {
                matches!(
                    t.phase,
                    Some(TaskPhase::Running | TaskPhase::Ready | TaskPhase::Starting)
                )
            });
            let failed = self
                .tasks
                .iter()
                .position(|t| t.phase == Some(TaskPhase::Failed));
            self.table
                .select(running.or(failed).or(self.table.selected()).or(Some(0)));
        }
    }

    /// Applies a key; false when it means leave.
    fn key(&mut self, code: KeyCode, modifiers: KeyModifiers) -> bool {
        let last = self.tasks.len().saturating_sub(1);
        let selected = self.table.selected().unwrap_or(0);
        match code {
            KeyCode::Char('q') | KeyCode::Esc => return false,
            KeyCode::Char('c') if modifiers.contains(KeyModifiers::CONTROL) => return false,
            KeyCode::Up | KeyCode::Char('k') => {
                self.picked = true;
                self.table.select(Some(selected.saturating_sub(1)));
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.picked = true;
                self.table.select(Some((selected + 1).min(last)));
            }
            _ => {}
        }
        true
    }

    /// Draws the view.
    pub fn render(&mut self, frame: &mut Frame<'_>) {
        let now = now_unix_ms();
        let area = frame.area();
        let table_height = (self.tasks.len() as u16 + 3).min(area.height / 2).max(4);
        let [title, table, log, help] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(table_height),
            Constraint::Min(3),
            Constraint::Length(1),
        ])
        .areas(area);
        frame.render_widget(
            Line::from(format!(
                "vx run · {} · {} · {}",
                self.label,
                self.state,
                duration_ms(now.saturating_sub(self.created_unix_ms))
            ))
            .bold(),
            title,
        );
        let rows: Vec<Row<'_>> = self
            .tasks
            .iter()
            .map(|task| {
                let phase = phase_text(task);
                let style = match task.phase {
                    Some(TaskPhase::Failed) => Style::new().red(),
                    Some(TaskPhase::Cancelled) => Style::new().yellow(),
                    Some(p) if p.is_success() => Style::new().green(),
                    Some(TaskPhase::Running | TaskPhase::Ready) => Style::new().cyan(),
                    _ => Style::new(),
                };
                Row::new(vec![
                    sanitize(&task.name).into_owned(),
                    phase,
                    elapsed(task, now),
                    if task.output_bytes == 0 {
                        String::new()
                    } else {
                        bytes(task.output_bytes)
                    },
                    sanitize(&task.message).into_owned(),
                ])
                .style(style)
            })
            .collect();
        let widths = [
            Constraint::Max(32),
            Constraint::Length(14),
            Constraint::Length(8),
            Constraint::Length(10),
            Constraint::Fill(1),
        ];
        let table_widget = Table::new(rows, widths)
            .header(Row::new(["TASK", "PHASE", "TIME", "OUTPUT", "NOTE"]).bold())
            .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
            .block(Block::bordered().title(" tasks "));
        frame.render_stateful_widget(table_widget, table, &mut self.table);
        let selected = self.table.selected().unwrap_or(0);
        let name = self
            .tasks
            .get(selected)
            .map(|t| sanitize(&t.name).into_owned())
            .unwrap_or_default();
        let inner = log.height.saturating_sub(2) as usize;
        let shown: Vec<Line<'_>> = self
            .logs
            .get(selected)
            .map(|log| log.tail(inner))
            .unwrap_or_default()
            .into_iter()
            .map(Line::from)
            .collect();
        frame.render_widget(
            Paragraph::new(shown).block(Block::bordered().title(format!(" output of {name} "))),
            log,
        );
        frame.render_widget(
            Line::from("↑/↓ pick a task   q leave (the run goes on)").dim(),
            help,
        );
    }

    /// Whether every task has an outcome or the run is over.
    fn done(&self, run: &TaskRun) -> bool {
        run.board().is_finished()
    }
}

/// The PHASE cell: the phase, with the exit code of a failure.
fn phase_text(task: &TaskState) -> String {
    match (task.unreadable.is_some(), task.phase) {
        (true, _) => "unreadable".into(),
        (false, Some(TaskPhase::Failed)) if task.exit_code != 0 => {
            format!("failed ({})", task.exit_code)
        }
        (false, Some(phase)) => phase.label().into(),
        (false, None) => "unknown".into(),
    }
}

fn elapsed(task: &TaskState, now: u64) -> String {
    if task.started_unix_ms == 0 {
        return String::new();
    }
    let end = if task.ended_unix_ms != 0 {
        task.ended_unix_ms
    } else {
        now
    };
    duration_ms(end.saturating_sub(task.started_unix_ms))
}

/// Runs the view in the real terminal until the user leaves (or, with
/// `exit_on_done`, until the run finishes or its owner dies), always restoring the
/// terminal.
pub fn watch_tasks_in_terminal(
    run: &TaskRun,
    fps: u32,
    stop: Arc<AtomicBool>,
    exit_on_done: bool,
) -> io::Result<TaskWatchEnd> {
    let mut terminal = enter()?;
    let mut watch = TaskWatch::new(run);
    let mut owner_alive = true;
    let mut ticks = 0u32;
    let result: io::Result<TaskWatchEnd> = (|| {
        terminal.draw(|frame| watch.render(frame))?;
        for input in terminal_inputs(fps, stop) {
            match input {
                Input::Key(key)
                    if key.kind != KeyEventKind::Release && !watch.key(key.code, key.modifiers) =>
                {
                    return Ok(TaskWatchEnd::Left);
                }
                Input::Tick => {
                    ticks += 1;
                    // Liveness costs a syscall or two: twice a second is enough.
                    if ticks.is_multiple_of(fps.div_ceil(2).max(1)) {
                        owner_alive = run.owner_alive();
                    }
                    watch.refresh(run, owner_alive);
                    if exit_on_done && watch.done(run) {
                        terminal.draw(|frame| watch.render(frame))?;
                        return Ok(TaskWatchEnd::Finished);
                    }
                    if exit_on_done && !owner_alive {
                        terminal.draw(|frame| watch.render(frame))?;
                        return Ok(TaskWatchEnd::OwnerGone);
                    }
                }
                _ => {}
            }
            terminal.draw(|frame| watch.render(frame))?;
        }
        Ok(TaskWatchEnd::Left)
    })();
    let _ = ratatui::try_restore();
    let end = result?;
    Ok(
        if end == TaskWatchEnd::Left && !owner_alive && !run.board().is_finished() {
            TaskWatchEnd::OwnerGone
        } else {
            end
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    #[test]
    fn plain_drops_colours_and_escapes_the_rest() {
        assert_eq!(plain("\x1b[1;31merror\x1b[0m: x"), "error: x");
        assert_eq!(plain("\x1b]0;title\x07ok"), "\\x1b]0;title\\x07ok");
        assert_eq!(plain("10%\r50%\r100%"), "100%");
        assert_eq!(plain("\x1b[2Jgone"), "\\x1b[2Jgone");
    }

    #[test]
    fn the_view_shows_each_task_and_the_selected_tasks_output() {
        let dir = tempfile::tempdir().unwrap();
        let board = vx_shm::TaskBoard::create(dir.path(), "proj/vx.toml", &["lint", "serve"], 4096)
            .unwrap();
        let mut lint = board.writer(0).unwrap();
        lint.set_phase(TaskPhase::Running);
        lint.output(b"checked\n");
        lint.finish(TaskPhase::Failed, Some(2), "exit status 2");
        let mut serve = board.writer(1).unwrap();
        serve.set_phase(TaskPhase::Running);
        serve.output(b"\x1b[32mlistening\x1b[0m on :8080\nGET /\npartial");
        let run = TaskRun::open(board.path()).unwrap();
        let mut watch = TaskWatch::new(&run);
        let mut terminal = Terminal::new(TestBackend::new(100, 16)).unwrap();
        terminal.draw(|frame| watch.render(frame)).unwrap();
        let screen = format!("{}", terminal.backend());
        assert!(
            screen.contains("vx run · proj/vx.toml · running"),
            "{screen}"
        );
        assert!(
            screen.contains("failed (2)") && screen.contains("exit status 2"),
            "{screen}"
        );
        assert!(
            screen.contains("output of serve"),
            "the running task is picked: {screen}"
        );
        assert!(screen.contains("listening on :8080"), "{screen}");
        assert!(screen.contains("partial"), "{screen}");
        assert!(!screen.contains("\x1b"), "{screen}");
        watch.key(KeyCode::Up, KeyModifiers::NONE);
        watch.refresh(&run, true);
        terminal.draw(|frame| watch.render(frame)).unwrap();
        let screen = format!("{}", terminal.backend());
        assert!(
            screen.contains("output of lint") && screen.contains("checked"),
            "{screen}"
        );
    }
}
