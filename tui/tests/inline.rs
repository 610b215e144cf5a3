//! The inline region driven in-process over a real board with `TestBackend`: finished
//! tools printed above the region for good (a failure whole, once its reason is known),
//! running tools in it, and nothing of it left at the end.

use std::cell::RefCell;

use ratatui::backend::TestBackend;
use ratatui::{Terminal, TerminalOptions, Viewport};
use vx_shm::{Access, Board, BoardReader, Phase, SlotWriter, ToolEntry};
use vx_tui::inline::Inline;
use vx_tui::{Host, Look, Reason};

/// A host whose full reasons the test sets.
#[derive(Default)]
struct Reasons(RefCell<Vec<Reason>>);

impl Host for Reasons {
    fn reason(&self, index: usize) -> Reason {
        self.0.borrow().get(index).cloned().unwrap_or(Reason::Board)
    }
}

fn board(dir: &std::path::Path) -> Board {
    let tools = ["node", "go", "ripgrep"].map(|name| ToolEntry {
        name,
        version: "1.0",
    });
    Board::create(dir, "project/vx.toml", &tools).unwrap()
}

fn set(board: &Board, slot: usize, name: &str, phase: Phase, done: u64, message: &str) {
    let mut writer = SlotWriter::attach(board.path(), slot, name).unwrap();
    writer.update(|r| {
        r.started_unix_ms = vx_shm::now_unix_ms().saturating_sub(3_100);
        r.set_phase(phase);
        r.set_progress(done, Some(1 << 20));
        r.set_message(message);
    });
}

fn lines(terminal: &Terminal<TestBackend>) -> Vec<String> {
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            let row: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect();
            row.trim_end().to_owned()
        })
        .collect()
}

#[test]
fn finished_tools_go_above_for_good_and_the_region_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let board = board(dir.path());
    let reader = BoardReader::open(board.path(), Access::ReadOnly).unwrap();
    let host = Reasons::default();
    let look = Look { color: false };
    let mut inline = Inline::new(&reader, &host, look);
    assert_eq!(inline.height(8), 4, "the overall line and a line per tool");
    let mut terminal = Terminal::with_options(
        TestBackend::new(60, 12),
        TerminalOptions {
            viewport: Viewport::Inline(inline.height(8)),
        },
    )
    .unwrap();

    set(
        &board,
        0,
        "node",
        Phase::Downloading,
        1 << 19,
        "https://x/node.tgz",
    );
    set(&board, 1, "go", Phase::Completed, 1 << 20, "installed");
    let long = format!(
        "checksum mismatch: got sha256 {} expected …",
        "ab".repeat(32)
    );
    set(&board, 2, "ripgrep", Phase::Failed, 0, &long[..100]);
    *host.0.borrow_mut() = vec![Reason::Board, Reason::Board, Reason::Waiting];
    inline.tick(&mut terminal, 4_000).unwrap();
    let screen = lines(&terminal);
    assert_eq!(screen[0], "✓ go 1.0  1.0 MiB  3.1s", "{screen:#?}");
    assert!(
        !screen.iter().any(|l| l.contains("ripgrep 1.0  checksum")),
        "a failure waits for its whole reason: {screen:#?}"
    );
    let region = screen.iter().position(|l| l.contains("tools")).unwrap();
    assert!(screen[region].contains("2/3 tools"), "{screen:#?}");
    assert!(screen[region + 1].contains("node 1.0"), "{screen:#?}");
    assert!(screen[region + 1].contains("50%"), "{screen:#?}");

    host.0.borrow_mut()[2] = Reason::Known(long.clone());
    inline.tick(&mut terminal, 4_100).unwrap();
    // Wrapped over three lines at 60 columns, but whole.
    let text = lines(&terminal).join("\n");
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    assert!(
        squeeze(&text).contains(&squeeze(&format!("✗ ripgrep 1.0 {long}"))),
        "{text}"
    );
    assert!(!inline.done());

    set(&board, 0, "node", Phase::Completed, 1 << 20, "installed");
    board.finish(false);
    inline.tick(&mut terminal, 5_000).unwrap();
    assert!(inline.done());
    inline.finish(&mut terminal).unwrap();
    let screen = lines(&terminal);
    assert!(
        screen.iter().any(|l| l.starts_with("✓ node 1.0")),
        "{screen:#?}"
    );
    assert!(
        !screen.iter().any(|l| l.contains("tools  ")),
        "the region is gone: {screen:#?}"
    );
    let printed = screen.iter().filter(|l| l.starts_with(['✓', '✗'])).count();
    assert_eq!(printed, 3, "one permanent line per tool: {screen:#?}");
}
