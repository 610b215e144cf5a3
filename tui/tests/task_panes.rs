//! `vx run --tui`'s panes, drawn with ratatui's `TestBackend` from a real task board
//! (`vx_shm::TaskBoard`, as `vx run` publishes it): the list of tasks with their phases
//! beside the picked task's log, picking, following, searching; snapshots pin the
//! layout (times, which depend on the clock, are masked).

mod support;
use support::mask_times;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Color;
use vx_shm::{TaskBoard, TaskPhase, TaskRun};
use vx_tui::Look;
use vx_tui::task_panes::{PanesAction, TaskPanes};

/// A run of four tasks: `build` done, `test` failed with its output, `serve` ready and
/// printing, `lint` waiting.
fn board(dir: &std::path::Path) -> TaskBoard {
    let board = TaskBoard::create(
        dir,
        "proj/vx.toml",
        &["build", "test", "serve", "lint"],
        1 << 16,
    )
    .unwrap();
    let mut build = board.writer(0).unwrap();
    build.set_phase(TaskPhase::Running);
    build.output(b"compiling vx\nfinished\n");
    build.finish(TaskPhase::Done, Some(0), "");
    let mut test = board.writer(1).unwrap();
    test.set_phase(TaskPhase::Running);
    for i in 1..=40 {
        test.output(format!("test case {i} ... ok\n").as_bytes());
    }
    test.output(b"test needle ... \x1b[31mFAILED\x1b[0m\n\x1b]0;title\x07done\n");
    test.finish(TaskPhase::Failed, Some(101), "exit status 101");
    let mut serve = board.writer(2).unwrap();
    serve.set_phase(TaskPhase::Running);
    serve.set_phase(TaskPhase::Ready);
    serve.output(b"listening on :8080\nGET / 200\nGET /needle 404\n");
    let mut lint = board.writer(3).unwrap();
    lint.set_message("waiting for build");
    lint.set_phase(TaskPhase::Waiting);
    board
}

fn press(panes: &mut TaskPanes, code: KeyCode) -> Option<PanesAction> {
    panes.key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn type_text(panes: &mut TaskPanes, text: &str) {
    for c in text.chars() {
        press(panes, KeyCode::Char(c));
    }
}

/// The screen as text, each `N.Ns` time masked.
fn screen(panes: &mut TaskPanes, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let now = vx_shm::now_unix_ms();
    terminal.draw(|frame| panes.render_at(frame, now)).unwrap();
    mask_times(&terminal.backend().to_string())
}

#[test]
fn the_list_of_tasks_beside_the_picked_tasks_log() {
    let dir = tempfile::tempdir().unwrap();
    let board = board(dir.path());
    let run = TaskRun::open(board.path()).unwrap();
    let mut panes = TaskPanes::new(&run, Look { color: false });
    // Unpicked, the selection is the failure.
    assert_eq!(panes.selected(), 1);
    insta::assert_snapshot!("failed_task_picked_100x20", screen(&mut panes, 100, 20));
    press(&mut panes, KeyCode::Char('j'));
    let shown = screen(&mut panes, 100, 20);
    assert!(
        shown.contains("GET /needle 404") && shown.contains("serve · following"),
        "{shown}"
    );
    press(&mut panes, KeyCode::Down);
    let shown = screen(&mut panes, 100, 20);
    assert!(shown.contains("(not started)"), "{shown}");
    assert_eq!(
        press(&mut panes, KeyCode::Char('q')),
        Some(PanesAction::Leave)
    );
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(panes.key(ctrl_c), Some(PanesAction::Leave));
    insta::assert_snapshot!("waiting_task_picked_60x12", screen(&mut panes, 60, 12));
}

#[test]
fn search_finds_scrolls_to_and_highlights_matches_then_follow_returns() {
    let dir = tempfile::tempdir().unwrap();
    let board = board(dir.path());
    let run = TaskRun::open(board.path()).unwrap();
    let mut panes = TaskPanes::new(&run, Look { color: true });
    press(&mut panes, KeyCode::Char('k'));
    press(&mut panes, KeyCode::Char('j'));
    assert_eq!(panes.selected(), 1);
    // Following: the end of the log.
    let shown = screen(&mut panes, 100, 16);
    assert!(
        shown.contains("test · exit status 101 · following") && shown.contains("done"),
        "{shown}"
    );
    assert!(!shown.contains("test case 3 "), "{shown}");
    press(&mut panes, KeyCode::Home);
    let shown = screen(&mut panes, 100, 16);
    assert!(
        shown.contains("test case 1 ") && shown.contains("lines 1-12 of 42"),
        "{shown}"
    );
    press(&mut panes, KeyCode::Char('/'));
    type_text(&mut panes, "case 2");
    let shown = screen(&mut panes, 100, 16);
    assert!(
        shown.contains("/case 2"),
        "the search is typed in the footer: {shown}"
    );
    press(&mut panes, KeyCode::Enter);
    let mut terminal = Terminal::new(TestBackend::new(100, 16)).unwrap();
    terminal.draw(|frame| panes.render(frame)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    let row = (0..16)
        .find(|&y| {
            let line: String = (0..100)
                .map(|x| buffer[(x, y)].symbol().to_owned())
                .collect();
            line.contains("test case 2 ...")
        })
        .expect("the match is on screen");
    let x = (0..100)
        .find(|&x| {
            buffer[(x, row)].symbol() == "t" && buffer[(x + 1, row)].symbol() == "e" && x >= 29
        })
        .unwrap();
    assert_eq!(
        buffer[(x, row)].bg,
        Color::Yellow,
        "the current match stands out"
    );
    // n: the next match (case 20), N: back to case 2; the footer says when it wraps.
    press(&mut panes, KeyCode::Char('n'));
    let shown = screen(&mut panes, 100, 16);
    assert!(shown.contains("test case 20 "), "{shown}");
    press(&mut panes, KeyCode::Char('N'));
    press(&mut panes, KeyCode::Char('N'));
    let shown = screen(&mut panes, 100, 16);
    assert!(shown.contains("search wrapped to the bottom"), "{shown}");
    press(&mut panes, KeyCode::Char('/'));
    type_text(&mut panes, "nothing like it");
    press(&mut panes, KeyCode::Enter);
    let shown = screen(&mut panes, 100, 16);
    assert!(
        shown.contains("no match for \"nothing like it\""),
        "{shown}"
    );
    press(&mut panes, KeyCode::Char('f'));
    let shown = screen(&mut panes, 100, 16);
    assert!(
        shown.contains("test · exit status 101 · following") && shown.contains("done"),
        "{shown}"
    );
    // Task text reaches the screen made safe.
    assert!(shown.contains("\\x1b]0;title\\x07done"), "{shown}");
}
