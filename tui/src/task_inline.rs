//! The inline view of a `vx run` on a terminal, read from its board: a region under
//! the prompt with an overall line and one row per running task (its phase, elapsed
//! time and last line of output), redrawn in place (ratatui diffs the cells: only what
//! changed is written, so nothing flickers); each task that ends is printed above the
//! region for good (`✓ build  1.2s`, `✓ lint  up to date`, `✗ test  failed (exit 2)
//! 0.4s`), a failed task's tail whole under its line. When the run finishes the region
//! is cleared. It reads no keys: Ctrl-C reaches `vx run` as the signal it is.
//!
//! The data comes from a [`TaskFeed`] (what the board says); the lines are made here.
//! [`TaskInline`] is generic over the backend so tests drive it with `TestBackend`.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ratatui::backend::Backend;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use ratatui::{Terminal, TerminalOptions, Viewport};
use vx_shm::{TaskPhase, TaskRun, TaskState, now_unix_ms};

use crate::inline::{AskedOnce, clear_region, draw_rows};
use crate::task_feed::{TaskFeed, elapsed_ms};
use crate::text::{duration_ms, sanitize, truncate, width as text_width};
use crate::view::Look;

/// Most running tasks the region shows (one row each) under its overall line.
pub const MAX_TASK_ROWS: u16 = 8;
/// Lines of a failed task's output printed under its line (its last ones).
pub const FAILED_TAIL: usize = 200;
/// Bytes of a task's output read per redraw: the rows need the last line, a failure
/// its last lines.
pub const READ_WINDOW: usize = 32 << 10;
/// Spinner frames of the overall line.
const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// The inline region over one task run.
pub struct TaskInline {
    feed: TaskFeed,
    look: Look,
    frame: usize,
    quiet: Vec<String>,
}

impl TaskInline {
    /// A region over `run`, before its first poll. The tasks named in `quiet` (their
    /// `quiet = true`) get no line when they succeed; a failure is always said.
    pub fn new(run: &TaskRun, look: Look, quiet: Vec<String>) -> TaskInline {
        TaskInline {
            feed: TaskFeed::new(run, FAILED_TAIL, READ_WINDOW),
            look,
            frame: 0,
            quiet,
        }
    }

    /// The region's height for `tasks` tasks: the overall line and a row per running
    /// task, at most [`MAX_TASK_ROWS`].
    pub fn height(tasks: usize) -> u16 {
        1 + tasks.min(usize::from(MAX_TASK_ROWS)) as u16
    }

    /// Whether the run finished and every task's line is printed.
    pub fn done(&self) -> bool {
        self.feed.finished()
    }

    /// Polls the board, prints above the region the tasks that ended since (a failed
    /// one with its tail), and redraws the region as of `now_ms`.
    pub fn tick<B: Backend>(
        &mut self,
        run: &TaskRun,
        terminal: &mut Terminal<B>,
        now_ms: u64,
    ) -> Result<(), B::Error> {
        let ended = self.feed.poll(run);
        let width = terminal.get_frame().area().width.max(1);
        for index in ended {
            let quiet = self.feed.tasks().get(index).is_some_and(|task| {
                task.phase.is_some_and(TaskPhase::is_success) && self.quiet.contains(&task.name)
            });
            if quiet {
                continue;
            }
            let lines = ended_lines(&self.feed, index, self.look);
            if lines.is_empty() {
                continue;
            }
            // Lines wrap over as many rows as they need: a failure's tail is printed whole.
            let text = Paragraph::new(lines).wrap(Wrap { trim: false });
            let height = u16::try_from(text.line_count(width)).unwrap_or(u16::MAX);
            terminal.insert_before(height.max(1), |buf| text.render(buf.area, buf))?;
        }
        self.frame = self.frame.wrapping_add(1);
        let spinner = SPINNER[self.frame % SPINNER.len()];
        terminal.draw(|frame| {
            let width = frame.area().width;
            draw_rows(frame, region(&self.feed, spinner, now_ms, width, self.look));
        })?;
        Ok(())
    }

    /// Clears the region and leaves the cursor where it began.
    pub fn finish<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> Result<(), B::Error> {
        clear_region(terminal)
    }
}

/// What a task that ended prints above the region: its line, and for a failure its
/// output's last lines (indented, whole). Nothing for a task cancelled before it
/// started when the run was interrupted (the run's own note names them).
pub fn ended_lines(feed: &TaskFeed, index: usize, look: Look) -> Vec<Line<'static>> {
    let Some(task) = feed.tasks().get(index) else {
        return Vec::new();
    };
    let name = sanitize(&task.name).into_owned();
    let took = elapsed_ms(task, task.ended_unix_ms).map(duration_ms);
    let message = sanitize(&task.message).into_owned();
    let paint = |color| look.paint(Style::new().fg(color));
    let (mark, color, mut rest) = match task.phase {
        Some(TaskPhase::Done) => ('✓', Color::Green, took.unwrap_or_default()),
        Some(TaskPhase::UpToDate) => ('✓', Color::DarkGray, "up to date".to_owned()),
        Some(TaskPhase::Cancelled) if message.is_empty() => {
            ('⊘', Color::Yellow, "cancelled".to_owned())
        }
        Some(TaskPhase::Cancelled) => ('⊘', Color::Yellow, format!("cancelled: {message}")),
        Some(TaskPhase::Failed) => {
            let mut rest = "failed".to_owned();
            if let Some(took) = &took {
                rest.push_str(&format!("  {took}"));
            }
            if !message.is_empty() {
                rest.push_str(&format!("  {message}"));
            }
            ('✗', Color::Red, rest)
        }
        _ if task.unreadable.is_some() => ('✗', Color::Red, "its slot is unreadable".to_owned()),
        _ => ('?', Color::Reset, "unknown".to_owned()),
    };
    if task.phase == Some(TaskPhase::Done) && !message.is_empty() {
        rest.push_str(&format!("  {message}"));
    }
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{mark} "), paint(color)),
        Span::styled(
            name.clone(),
            look.paint(Style::new().add_modifier(Modifier::BOLD)),
        ),
        Span::raw(format!("  {rest}").trim_end().to_owned()),
    ])];
    if task.phase == Some(TaskPhase::Failed)
        && let Some(log) = feed.log(index)
        && !log.is_empty()
    {
        let tail = log.tail(FAILED_TAIL);
        let earlier = log.dropped() + (log.len() - tail.len()) as u64;
        if earlier > 0 {
            lines.push(Line::styled(
                format!("  │ [… {earlier} earlier lines]"),
                look.paint(Style::new().add_modifier(Modifier::DIM)),
            ));
        }
        for line in tail {
            lines.push(Line::from(vec![
                Span::styled("  │ ", paint(Color::Red)),
                Span::raw(line),
            ]));
        }
    }
    lines
}

/// [`ended_lines`] as plain text (no colours): what is printed after the full-screen
/// view has left.
pub fn ended_text(feed: &TaskFeed, index: usize) -> Vec<String> {
    ended_lines(feed, index, Look { color: false })
        .iter()
        .map(|line| line.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect()
}

/// The region's lines: the overall line, then a row per running task.
pub fn region(
    feed: &TaskFeed,
    spinner: char,
    now_ms: u64,
    width: u16,
    look: Look,
) -> Vec<Line<'static>> {
    let tasks = feed.tasks();
    let ended = tasks
        .iter()
        .filter(|t| t.phase.is_some_and(TaskPhase::is_terminal))
        .count();
    let running: Vec<&TaskState> = tasks.iter().filter(|t| is_live(t)).collect();
    let failed = tasks
        .iter()
        .filter(|t| t.phase == Some(TaskPhase::Failed))
        .count();
    let mut overall = format!("{spinner} {ended}/{} tasks", tasks.len());
    if !running.is_empty() {
        overall.push_str(&format!("  {} running", running.len()));
    }
    overall.push_str(&format!(
        "  {}",
        duration_ms(now_ms.saturating_sub(feed.created_unix_ms()))
    ));
    if failed > 0 {
        overall.push_str(&format!("  {failed} failed"));
    }
    if feed.interrupted() {
        overall.push_str("  stopping");
    }
    let mut lines = vec![Line::styled(
        truncate(&overall, usize::from(width)),
        look.paint(Style::new().add_modifier(Modifier::BOLD)),
    )];
    let name_width = running
        .iter()
        .map(|t| text_width(&sanitize(&t.name)))
        .max()
        .unwrap_or(0)
        .min(24);
    let shown = usize::from(MAX_TASK_ROWS);
    for task in running.iter().take(shown) {
        let line = match restore_text(task) {
            Some(restore) => restore,
            None => feed
                .log(task.index)
                .and_then(|log| log.last_line())
                .unwrap_or_default(),
        };
        lines.push(task_row(task, &line, name_width, now_ms, width, look));
    }
    if running.len() > shown {
        let last = lines.len() - 1;
        lines[last] = Line::styled(
            truncate(
                &format!("  … and {} more running", running.len() - shown + 1),
                usize::from(width),
            ),
            look.paint(Style::new().add_modifier(Modifier::DIM)),
        );
    }
    lines
}

/// A task's restore in words, while a kept result is fetched or unpacked in place of
/// running it: `restoring 12.0 KiB/64.0 KiB`.
pub fn restore_text(task: &TaskState) -> Option<String> {
    let (done, total) = task.restore?;
    let what = sanitize(&task.message);
    let what = if what.is_empty() {
        "restoring".into()
    } else {
        what
    };
    Some(format!(
        "{what} {}/{}",
        crate::text::bytes(done),
        crate::text::bytes(total)
    ))
}

/// Whether a task has a live row (its process is starting, running or ready).
fn is_live(task: &TaskState) -> bool {
    matches!(
        task.phase,
        Some(TaskPhase::Starting | TaskPhase::Running | TaskPhase::Ready)
    )
}

/// `  build   running  3.2s  compiling vx v0.1.0`, cut to `width`.
pub fn task_row(
    task: &TaskState,
    last_line: &str,
    name_width: usize,
    now_ms: u64,
    width: u16,
    look: Look,
) -> Line<'static> {
    let name = truncate(&sanitize(&task.name), name_width);
    let pad = " ".repeat(name_width.saturating_sub(text_width(&name)));
    let phase = task.phase.map_or("?", TaskPhase::label);
    let took = elapsed_ms(task, now_ms)
        .map(duration_ms)
        .unwrap_or_default();
    let head = format!("  {name}{pad}  {phase:<8}  {took:>6}");
    let color = if task.phase == Some(TaskPhase::Ready) {
        Color::Green
    } else {
        Color::Cyan
    };
    let width = usize::from(width);
    let room = width.saturating_sub(text_width(&head) + 2);
    let mut spans = vec![Span::styled(
        truncate(&head, width),
        look.paint(Style::new().fg(color)),
    )];
    if room > 0 && !last_line.trim().is_empty() {
        spans.push(Span::styled(
            format!("  {}", truncate(last_line.trim(), room)),
            look.paint(Style::new().add_modifier(Modifier::DIM)),
        ));
    }
    Line::from(spans)
}

/// Runs the inline region on stdout at `fps` until the run finishes (its board says
/// so and every task's line is printed) or `stop` is set (the run is over without
/// finishing its board), then clears it. `quiet`: as [`TaskInline::new`] says.
pub fn run_task_inline(
    run: &TaskRun,
    look: Look,
    fps: u32,
    stop: &AtomicBool,
    quiet: Vec<String>,
) -> io::Result<()> {
    let mut inline = TaskInline::new(run, look, quiet);
    let backend = AskedOnce::new(ratatui::backend::CrosstermBackend::new(io::stdout()));
    let mut terminal = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Inline(TaskInline::height(run.task_count())),
        },
    )?;
    terminal.hide_cursor()?;
    let period = Duration::from_secs_f64(1.0 / f64::from(fps.clamp(1, 120)));
    // Once `stop` is set nothing more will come: a few ticks more read what is left.
    let mut last_ticks = 8u32;
    let result = loop {
        let stopping = stop.load(Ordering::Relaxed);
        if let Err(err) = inline.tick(run, &mut terminal, now_unix_ms()) {
            break Err(err);
        }
        if inline.done() || last_ticks == 0 {
            break Ok(());
        }
        if stopping {
            last_ticks -= 1;
        } else {
            std::thread::sleep(period);
        }
    };
    let finished = inline.finish(&mut terminal);
    result.and(finished)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::TestBackend;

    fn text(line: &Line<'_>) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn running_rows_show_phase_time_and_last_line_and_ended_tasks_scroll_up() {
        let dir = tempfile::tempdir().unwrap();
        let board = vx_shm::TaskBoard::create(
            dir.path(),
            "p/vx.toml",
            &["build", "test", "serve", "lint", "quiet"],
            4096,
        )
        .unwrap();
        let run = TaskRun::open(board.path()).unwrap();
        let mut build = board.writer(0).unwrap();
        build.set_phase(TaskPhase::Running);
        build.output(b"compiling a\ncompiling \x1b]0;x\x07b\n");
        let mut serve = board.writer(2).unwrap();
        serve.set_phase(TaskPhase::Running);
        serve.set_phase(TaskPhase::Ready);
        serve.output(b"listening on :8080\n");
        let mut test = board.writer(1).unwrap();
        test.set_phase(TaskPhase::Running);
        test.output(b"case 1 ok\ncase 2 FAILED: expected 1, got 2\n");
        test.finish(TaskPhase::Failed, Some(3), "exit status 3");
        board
            .writer(3)
            .unwrap()
            .finish(TaskPhase::UpToDate, None, "");
        board
            .writer(4)
            .unwrap()
            .finish(TaskPhase::Done, Some(0), "");
        let look = Look { color: false };
        let mut inline = TaskInline::new(&run, look, vec!["quiet".into()]);
        let backend = TestBackend::new(70, 12);
        let mut terminal = Terminal::with_options(
            backend,
            TerminalOptions {
                viewport: Viewport::Inline(TaskInline::height(5)),
            },
        )
        .unwrap();
        let now = now_unix_ms();
        inline.tick(&run, &mut terminal, now).unwrap();
        let screen = format!("{:?}", terminal.backend().buffer());
        assert!(screen.contains("3/5 tasks  2 running"), "{screen}");
        assert!(
            !screen.contains("quiet"),
            "a quiet task's success is not said: {screen}"
        );
        assert!(
            screen.contains("build  running") && screen.contains("compiling \\x1b]0;x\\x07b"),
            "{screen}"
        );
        assert!(
            screen.contains("serve  ready") && screen.contains("listening on :8080"),
            "{screen}"
        );
        assert!(
            screen.contains("✗ test  failed") && screen.contains("exit status 3"),
            "{screen}"
        );
        assert!(
            screen.contains("│ case 1 ok") && screen.contains("│ case 2 FAILED"),
            "the failure's tail: {screen}"
        );
        assert!(screen.contains("✓ lint  up to date"), "{screen}");
        assert!(!inline.done());
        build.output(b"linking\n");
        build.finish(TaskPhase::Done, Some(0), "");
        serve.finish(TaskPhase::Done, Some(0), "stopped at the end of the run");
        board.finish(false);
        inline.tick(&run, &mut terminal, now + 10).unwrap();
        assert!(inline.done());
        inline.finish(&mut terminal).unwrap();
        let screen = format!("{:?}", terminal.backend().buffer());
        assert!(screen.contains("✓ build"), "{screen}");
        assert!(!screen.contains("running"), "the region is gone: {screen}");
    }

    #[test]
    fn a_row_fits_its_width_and_many_running_tasks_say_how_many_more() {
        let state = TaskState {
            index: 0,
            name: "a-very-long-task-name-that-goes-on-and-on".into(),
            phase: Some(TaskPhase::Running),
            unreadable: None,
            exit_code: 0,
            started_unix_ms: 1_000,
            ended_unix_ms: 0,
            message: String::new(),
            output_bytes: 0,
            cancel_requested: false,
            restore: None,
        };
        let look = Look { color: false };
        for width in [10u16, 30, 60, 120] {
            let row = text(&task_row(
                &state,
                "x".repeat(300).as_str(),
                24,
                4_200,
                width,
                look,
            ));
            assert!(text_width(&row) <= usize::from(width), "{width}: {row}");
        }
        let row = text(&task_row(&state, "last words", 24, 4_200, 80, look));
        assert!(
            row.contains("running") && row.contains("3.2s") && row.ends_with("last words"),
            "{row}"
        );
    }
}
