//! The dashboard driven in-process over a real board, with `TestBackend` and scripted
//! keys: selection, the cancel confirmation reaching the slot, Ctrl-C, leaving when the
//! sync finishes, and noticing that the board's owner is gone.

use std::cell::Cell;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use vx_shm::{Access, Board, BoardReader, Phase, SlotWriter, ToolEntry, now_unix_ms};
use vx_tui::{App, Host, Input, Look, Options, Watcher};

fn board(dir: &std::path::Path) -> Board {
    let tools = ["node", "go", "ripgrep"].map(|name| ToolEntry {
        name,
        version: "1.0",
    });
    Board::create(dir, "project/vx.toml", &tools).unwrap()
}

const OPTIONS: Options = Options {
    look: Look { color: false },
    exit_on_done: false,
};

fn screen(terminal: &Terminal<TestBackend>) -> String {
    terminal.backend().to_string()
}

#[test]
fn the_cancel_key_asks_first_then_sets_the_slots_flag() {
    let dir = tempfile::tempdir().unwrap();
    let board = board(dir.path());
    let mut writer = SlotWriter::attach(board.path(), 1, "go").unwrap();
    writer.update(|r| {
        r.set_phase(Phase::Downloading);
        r.set_progress(100, Some(1000));
    });
    let reader = BoardReader::open(board.path(), Access::ReadWrite).unwrap();
    let mut app = App::new(&reader, &Watcher, OPTIONS);
    let mut terminal = Terminal::new(TestBackend::new(100, 12)).unwrap();

    let keys = [
        Input::Tick,
        Input::key(KeyCode::Down),
        Input::key(KeyCode::Char('c')),
    ];
    app.run(&mut terminal, keys, now_unix_ms).unwrap();
    assert!(screen(&terminal).contains("Cancel go@1.0?"));
    assert!(
        !writer.cancel_requested(),
        "nothing happens before confirming"
    );

    app.run(&mut terminal, [Input::key(KeyCode::Char('n'))], now_unix_ms)
        .unwrap();
    assert!(!writer.cancel_requested());
    assert!(!screen(&terminal).contains("Cancel go@1.0?"));

    let confirm = [
        Input::key(KeyCode::Char('c')),
        Input::key(KeyCode::Char('y')),
        Input::Tick,
    ];
    app.run(&mut terminal, confirm, now_unix_ms).unwrap();
    assert!(writer.cancel_requested());
    assert!(screen(&terminal).contains("cancel requested for go"));
    assert!(screen(&terminal).contains("cancelling"));
}

#[test]
fn finished_tools_cannot_be_cancelled_and_a_read_only_board_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let board = board(dir.path());
    SlotWriter::attach(board.path(), 0, "node")
        .unwrap()
        .update(|r| r.set_phase(Phase::Completed));
    let live = BoardReader::open(board.path(), Access::ReadWrite).unwrap();
    let mut app = App::new(&live, &Watcher, OPTIONS);
    let mut terminal = Terminal::new(TestBackend::new(100, 12)).unwrap();
    app.run(&mut terminal, [Input::key(KeyCode::Char('c'))], now_unix_ms)
        .unwrap();
    assert!(screen(&terminal).contains("node has already finished"));

    let reader = BoardReader::open(board.path(), Access::ReadOnly).unwrap();
    let mut app = App::new(&reader, &Watcher, OPTIONS);
    app.run(&mut terminal, [], now_unix_ms).unwrap();
    let idle = screen(&terminal);
    assert!(
        idle.contains("(read-only)") && !idle.contains("c cancel tool"),
        "{idle}"
    );
    let keys = [Input::key(KeyCode::Down), Input::key(KeyCode::Char('c'))];
    app.run(&mut terminal, keys, now_unix_ms).unwrap();
    assert!(screen(&terminal).contains("read-only board (a dump): nothing to cancel"));
}

#[test]
fn quitting_stops_the_run_before_the_remaining_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let board = board(dir.path());
    let mut app = App::new(board.reader(), &Watcher, OPTIONS);
    let mut terminal = Terminal::new(TestBackend::new(80, 10)).unwrap();
    let mut rest = [Input::key(KeyCode::Char('q')), Input::key(KeyCode::Enter)].into_iter();
    app.run(&mut terminal, &mut rest, now_unix_ms).unwrap();
    assert_eq!(
        rest.next(),
        Some(Input::key(KeyCode::Enter)),
        "Enter was not consumed"
    );
    assert!(!app.model().detail);
}

#[test]
fn esc_closes_the_detail_pane_and_leaves_only_from_the_main_view() {
    let dir = tempfile::tempdir().unwrap();
    let board = board(dir.path());
    let mut app = App::new(board.reader(), &Watcher, OPTIONS);
    let mut terminal = Terminal::new(TestBackend::new(80, 20)).unwrap();
    let mut rest = [
        Input::key(KeyCode::Enter),
        Input::key(KeyCode::Esc),
        Input::key(KeyCode::Down),
        Input::key(KeyCode::Esc),
        Input::key(KeyCode::Enter),
    ]
    .into_iter();
    app.run(&mut terminal, &mut rest, now_unix_ms).unwrap();
    assert!(!app.model().detail, "the first Esc closed the pane");
    assert_eq!(
        app.model().selected,
        1,
        "the dashboard stayed for the Down key"
    );
    assert_eq!(
        rest.next(),
        Some(Input::key(KeyCode::Enter)),
        "the second Esc left"
    );
}

#[test]
fn slash_searches_as_typed_f_filters_and_esc_clears_before_it_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let board = board(dir.path());
    let mut writer = SlotWriter::attach(board.path(), 2, "ripgrep").unwrap();
    writer.update(|r| r.set_phase(Phase::Failed));
    let mut app = App::new(board.reader(), &Watcher, OPTIONS);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let typed = [
        Input::key(KeyCode::Char('/')),
        Input::key(KeyCode::Char('g')),
        Input::key(KeyCode::Char('o')),
        // q is text while typing, not a way out.
        Input::key(KeyCode::Char('q')),
        Input::key(KeyCode::Backspace),
    ];
    app.run(&mut terminal, typed, now_unix_ms).unwrap();
    assert_eq!(app.model().shown(), [1], "go matches, as typed");
    assert!(screen(&terminal).contains("search: go"));
    app.run(&mut terminal, [Input::key(KeyCode::Enter)], now_unix_ms)
        .unwrap();
    assert!(!app.model().typing);
    assert_eq!(app.model().search, "go", "Enter keeps the search");

    let mut rest = [
        Input::key(KeyCode::Esc),
        Input::key(KeyCode::Char('f')),
        Input::key(KeyCode::Esc),
        Input::key(KeyCode::Esc),
        Input::key(KeyCode::Enter),
    ]
    .into_iter();
    app.run(&mut terminal, rest.by_ref().take(2), now_unix_ms)
        .unwrap();
    assert_eq!(app.model().search, "", "Esc cleared the search");
    assert_eq!(app.model().shown(), [2], "f shows the failed tool only");
    assert_eq!(app.model().selected, 2, "the selection follows");
    assert!(screen(&terminal).contains("failed · 1 of 3"));
    app.run(&mut terminal, &mut rest, now_unix_ms).unwrap();
    assert_eq!(app.model().shown(), [0, 1, 2], "Esc cleared the filter");
    assert_eq!(
        rest.next(),
        Some(Input::key(KeyCode::Enter)),
        "the next Esc left"
    );
}

struct SyncHost {
    interrupted: Cell<bool>,
}

impl Host for SyncHost {
    fn stderr_tail(&self, index: usize) -> Vec<String> {
        vec![format!("stderr of slot {index}")]
    }

    fn interrupt(&self) -> bool {
        self.interrupted.set(true);
        true
    }
}

#[test]
fn ctrl_c_interrupts_a_sync_but_leaves_a_watcher() {
    let dir = tempfile::tempdir().unwrap();
    let board = board(dir.path());
    let host = SyncHost {
        interrupted: Cell::new(false),
    };
    let mut app = App::new(board.reader(), &host, OPTIONS);
    let mut terminal = Terminal::new(TestBackend::new(100, 24)).unwrap();
    app.run(&mut terminal, [Input::ctrl('c')], now_unix_ms)
        .unwrap();
    assert!(host.interrupted.get());
    assert!(screen(&terminal).contains("interrupting"));
    let mut rest = [Input::key(KeyCode::Enter)].into_iter();
    app.run(&mut terminal, &mut rest, now_unix_ms).unwrap();
    assert_eq!(rest.next(), None, "the sync's dashboard keeps running");
    assert!(
        screen(&terminal).contains("stderr of slot 0"),
        "detail pane shows the host's stderr"
    );

    let mut watcher = App::new(board.reader(), &Watcher, OPTIONS);
    let mut rest = [Input::ctrl('c'), Input::key(KeyCode::Enter)].into_iter();
    watcher.run(&mut terminal, &mut rest, now_unix_ms).unwrap();
    assert_eq!(
        rest.next(),
        Some(Input::key(KeyCode::Enter)),
        "Ctrl-C left the watcher"
    );
}

#[test]
fn with_exit_on_done_the_dashboard_leaves_when_the_sync_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let board = board(dir.path());
    let options = Options {
        exit_on_done: true,
        ..OPTIONS
    };
    let mut app = App::new(board.reader(), &Watcher, options);
    let mut terminal = Terminal::new(TestBackend::new(80, 10)).unwrap();
    let ticks = Cell::new(0u32);
    let inputs = std::iter::from_fn(|| {
        ticks.set(ticks.get() + 1);
        if ticks.get() == 3 {
            board.finish(false);
        }
        (ticks.get() < 1000).then_some(Input::Tick)
    });
    app.run(&mut terminal, inputs, now_unix_ms).unwrap();
    assert_eq!(ticks.get(), 3, "left on the first tick after finishing");
    assert!(screen(&terminal).contains("finished in"));
}

#[test]
fn a_watcher_notices_the_owner_is_gone_and_stops_polling() {
    let dir = tempfile::tempdir().unwrap();
    let board = board(dir.path());
    let reader = BoardReader::open(board.path(), Access::ReadOnly).unwrap();
    let mut app = App::new(&reader, &Watcher, OPTIONS);
    let start = now_unix_ms();
    app.tick(start);
    app.tick(start + 1_500);
    assert!(!app.model().owner_gone);
    drop(board); // the sync exits without finishing (e.g. killed)
    assert!(app.tick(start + 3_000));
    assert!(app.model().owner_gone);
    assert!(!app.tick(start + 5_000), "no more polling");
    let mut terminal = Terminal::new(TestBackend::new(80, 8)).unwrap();
    app.run(&mut terminal, [], || start + 5_000).unwrap();
    assert!(screen(&terminal).contains("the sync that owns this board has exited"));
    assert!(screen(&terminal).contains("owner gone"));
}
