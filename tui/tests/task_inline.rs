//! `vx run`'s inline view drawn with ratatui's `TestBackend` from a real task board:
//! the rows of the running tasks under the lines of those that ended, a failure's tail
//! whole. A snapshot pins the layout (clock-dependent times masked).

mod support;
use support::mask_times;

use ratatui::backend::TestBackend;
use ratatui::{Terminal, TerminalOptions, Viewport};
use vx_shm::{TaskBoard, TaskPhase, TaskRun};
use vx_tui::Look;
use vx_tui::task_inline::TaskInline;

#[test]
fn rows_of_running_tasks_under_the_lines_of_ended_ones() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["lint", "test", "build", "api", "docs"];
    let board = TaskBoard::create(dir.path(), "proj/vx.toml", &names, 1 << 16).unwrap();
    let run = TaskRun::open(board.path()).unwrap();
    let mut lint = board.writer(0).unwrap();
    lint.set_phase(TaskPhase::Running);
    lint.finish(TaskPhase::Done, Some(0), "");
    let mut test = board.writer(1).unwrap();
    test.set_phase(TaskPhase::Running);
    test.output(b"running 2 tests\ntest parse::empty ... \x1b[31mFAILED\x1b[0m\n");
    test.finish(TaskPhase::Failed, Some(101), "exit status 101");
    let mut build = board.writer(2).unwrap();
    build.set_phase(TaskPhase::Running);
    build.output(b"   Compiling vx v0.1.0\r   Building [=====>    ] 120/200: vx");
    let mut api = board.writer(3).unwrap();
    api.set_phase(TaskPhase::Running);
    api.set_phase(TaskPhase::Ready);
    api.output(b"listening on :8080\n");
    let mut docs = board.writer(4).unwrap();
    docs.set_message("waiting for build");
    docs.set_phase(TaskPhase::Waiting);
    let mut inline = TaskInline::new(&run, Look { color: false }, Vec::new());
    let mut terminal = Terminal::with_options(
        TestBackend::new(80, 10),
        TerminalOptions {
            viewport: Viewport::Inline(TaskInline::height(names.len())),
        },
    )
    .unwrap();
    inline
        .tick(&run, &mut terminal, vx_shm::now_unix_ms())
        .unwrap();
    insta::assert_snapshot!(
        "inline_mid_run_80x10",
        mask_times(&terminal.backend().to_string())
    );
}
