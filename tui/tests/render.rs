//! What the user sees, pinned down by snapshots of the rendered screen (ratatui's
//! `TestBackend` + insta): a fresh plan, a mid-sync mix, unknown sizes, failures, 50 tools
//! in 80×24, the detail pane, the finished state, the key help and the cancel prompt.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use vx_shm::{Phase, SlotError, SlotRead, SlotRecord, SlotSnapshot};
use vx_tui::view::render;
use vx_tui::{Look, Model};

const START: u64 = 1_700_000_000_000;
const MIB: u64 = 1 << 20;

struct Slot {
    name: String,
    phase: Phase,
    done: u64,
    total: Option<u64>,
    message: &'static str,
}

fn slot(name: &str, phase: Phase, done: u64, total: Option<u64>) -> Slot {
    Slot {
        name: name.to_owned(),
        phase,
        done,
        total,
        message: "",
    }
}

fn reads(slots: &[Slot], seq: u64) -> Vec<SlotRead> {
    slots
        .iter()
        .enumerate()
        .map(|(index, s)| {
            let mut record = SlotRecord::queued(&s.name, "1.2.3");
            record.set_phase(s.phase);
            record.set_progress(s.done, s.total);
            record.set_message(s.message);
            if s.phase != Phase::Queued {
                record.started_unix_ms = START + 1_000;
                record.writer_pid = 4_000 + index as u32;
                record.attempt = 1;
            }
            if s.phase == Phase::Failed {
                record.exit_code = 11;
            }
            record.updated_unix_ms = START + 5_000;
            Ok(SlotSnapshot {
                index,
                seq,
                cancel_requested: false,
                record,
            })
        })
        .collect()
}

/// A model that has seen `before` at t=4 s and `after` at t=5 s (so rates exist).
fn model(before: &[Slot], after: &[Slot]) -> Model {
    let mut model = Model::new("/home/dev/project/vx.toml", START);
    model.update(&reads(before, 2), START + 4_000);
    model.update(&reads(after, 4), START + 5_000);
    model
}

fn screen(model: &Model, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| render(frame, model, Look { color: false }))
        .unwrap();
    terminal.backend().to_string()
}

fn mid_sync() -> (Vec<Slot>, Vec<Slot>) {
    let before = vec![
        slot("node", Phase::Downloading, 10 * MIB, Some(40 * MIB)),
        slot("go", Phase::Downloading, 2 * MIB, Some(70 * MIB)),
        slot("ripgrep", Phase::Extracting, MIB, Some(2 * MIB)),
        slot("uv", Phase::Completed, 12 * MIB, Some(12 * MIB)),
        slot("jq", Phase::Skipped, 0, None),
        slot("deno", Phase::Resolving, 0, None),
        slot("zig", Phase::Queued, 0, None),
    ];
    let mut after = vec![
        slot("node", Phase::Downloading, 13 * MIB, Some(40 * MIB)),
        slot("go", Phase::Downloading, 3 * MIB, Some(70 * MIB)),
        slot("ripgrep", Phase::Extracting, 2 * MIB, Some(2 * MIB)),
        slot("uv", Phase::Completed, 12 * MIB, Some(12 * MIB)),
        slot("jq", Phase::Skipped, 0, None),
        slot("deno", Phase::PostInstall, 0, None),
        slot("zig", Phase::Queued, 0, None),
    ];
    after[3].message = "installed in 4s";
    after[4].message = "already installed";
    (before, after)
}

#[test]
fn a_fresh_plan_shows_every_tool_queued() {
    let plan: Vec<Slot> = ["node", "go", "ripgrep", "uv"]
        .into_iter()
        .map(|n| slot(n, Phase::Queued, 0, None))
        .collect();
    let mut model = Model::new("/home/dev/project/vx.toml", START);
    model.update(&reads(&plan, 2), START);
    insta::assert_snapshot!(screen(&model, 100, 10));
}

#[test]
fn mid_sync_mix_of_phases() {
    let (before, after) = mid_sync();
    insta::assert_snapshot!(screen(&model(&before, &after), 130, 14));
}

#[test]
fn unknown_sizes_are_shown_as_such() {
    let before = [
        slot("streamed", Phase::Downloading, 3 * MIB, None),
        slot("starting", Phase::Downloading, 0, None),
    ];
    let after = [
        slot("streamed", Phase::Downloading, 5 * MIB, None),
        slot("starting", Phase::Downloading, 0, None),
    ];
    insta::assert_snapshot!(screen(&model(&before, &after), 100, 8));
}

#[test]
fn failures_stand_out_with_their_messages() {
    let mut after = vec![
        slot("node", Phase::Failed, 40 * MIB, Some(40 * MIB)),
        slot("go", Phase::Cancelled, 3 * MIB, Some(70 * MIB)),
        slot("uv", Phase::Downloading, 6 * MIB, Some(12 * MIB)),
    ];
    after[0].message = "sha256 mismatch: expected 9f86d081…, got e3b0c442…";
    after[1].message = "cancelled by user";
    let mut model = model(&after, &after);
    let mut all = reads(&after, 6);
    all[2] = Err(SlotError::WriterLost {
        index: 2,
        pid: 4002,
    });
    model.update(&all, START + 6_000);
    insta::assert_snapshot!(screen(&model, 130, 9));
}

fn fifty() -> Model {
    let slots: Vec<Slot> = (0..50)
        .map(|i| {
            let name = format!("a-rather-long-tool-name-{i:02}");
            match i % 4 {
                // Two failures out of sight from the top, one from the bottom.
                _ if [3, 41, 47].contains(&i) => slot(&name, Phase::Failed, MIB, Some(5 * MIB)),
                0 => slot(&name, Phase::Completed, 5 * MIB, Some(5 * MIB)),
                1 => slot(&name, Phase::Downloading, i * MIB / 10, Some(5 * MIB)),
                2 => slot(&name, Phase::Queued, 0, None),
                _ => slot(&name, Phase::Extracting, MIB, Some(4 * MIB)),
            }
        })
        .collect();
    model(&slots, &slots)
}

#[test]
fn fifty_tools_fit_80_by_24_with_scrolling() {
    let mut model = fifty();
    insta::assert_snapshot!("fifty_top", screen(&model, 80, 24));
    model.select_edge(true, 18);
    insta::assert_snapshot!("fifty_bottom", screen(&model, 80, 24));
}

#[test]
fn the_detail_pane_shows_every_field_and_the_stderr_tail() {
    let (before, mut after) = mid_sync();
    after[1] = Slot {
        message: "download failed: connection reset by peer",
        ..slot("go", Phase::Failed, 3 * MIB, Some(70 * MIB))
    };
    let mut model = model(&before, &after);
    model.selected = 1;
    model.detail = true;
    model.stderr_tail = vec![
        "error: connection reset by peer".into(),
        "retrying (attempt 2 of 3)".into(),
    ];
    insta::assert_snapshot!(screen(&model, 110, 22));
}

#[test]
fn the_finished_state_says_so() {
    let done = vec![
        slot("node", Phase::Completed, 40 * MIB, Some(40 * MIB)),
        slot("go", Phase::Skipped, 0, None),
        slot("uv", Phase::Failed, 1, Some(12 * MIB)),
    ];
    let mut model = model(&done, &done);
    model.finished_ms = Some(START + 62_000);
    insta::assert_snapshot!(screen(&model, 100, 9));
}

#[test]
fn help_and_cancel_prompts_overlay_the_board() {
    let (before, after) = mid_sync();
    let mut model = model(&before, &after);
    model.help = true;
    insta::assert_snapshot!("help", screen(&model, 100, 14));
    model.help = false;
    model.confirm_cancel = Some(0);
    insta::assert_snapshot!("confirm_cancel", screen(&model, 100, 14));
}

#[test]
fn a_hostile_record_renders_without_panicking() {
    let mut record = SlotRecord::queued("x", "y");
    record.phase = 99;
    record.bytes_done = u64::MAX;
    record.bytes_total = 3;
    record.tool_len = 255;
    record.started_unix_ms = u64::MAX;
    let hostile: Vec<SlotRead> = vec![Ok(SlotSnapshot {
        index: 0,
        seq: 2,
        cancel_requested: true,
        record,
    })];
    let mut model = Model::new("x", 0);
    model.update(&hostile, u64::MAX);
    for (w, h) in [(1, 1), (20, 5), (80, 24)] {
        screen(&model, w, h);
    }
}

#[test]
fn hostile_names_and_messages_are_drawn_escaped_never_as_controls() {
    const EVIL: &str = "\x1b]0;PWNED\x07\x1b[2J\r\u{9b}31m";
    let mut evil = slot(&format!("tool{EVIL}"), Phase::Failed, 1, Some(2));
    evil.message = EVIL;
    let mut model = model(&[], &[evil]);
    model.detail = true;
    let text = screen(&model, 120, 20);
    let controls: Vec<char> = text
        .chars()
        .filter(|&c| c.is_control() && c != '\n')
        .collect();
    assert!(controls.is_empty(), "{controls:?} drawn:\n{text}");
    assert!(text.contains(r"tool\x1b]0;PWNED"), "{text}");
    assert!(text.contains(r"\x1b[2J\x0d"), "{text}");
}

/// A record with every number a hostile board could hold.
fn hostile_read(
    index: usize,
    (phase, done, total, started, updated): (u32, u64, u64, u64, u64),
    seq: u64,
) -> SlotRead {
    let mut record = SlotRecord::queued(&format!("t{index}"), "1");
    record.phase = phase;
    record.bytes_done = done;
    record.bytes_total = total;
    record.started_unix_ms = started;
    record.updated_unix_ms = updated;
    record.attempt = u32::MAX;
    record.exit_code = i32::MIN;
    Ok(SlotSnapshot {
        index,
        seq,
        cancel_requested: false,
        record,
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any numbers in any rows: the model and the screen never panic (no overflow in a
    /// debug build), the overall gauge never shows more done than known, and every row
    /// is counted once.
    #[test]
    fn hostile_numbers_never_overflow_the_model_or_the_screen(
        rows in proptest::collection::vec(
            (0u32..12, proptest::num::u64::ANY, proptest::num::u64::ANY,
             proptest::num::u64::ANY, proptest::num::u64::ANY),
            1..40,
        ),
        now in proptest::num::u64::ANY,
    ) {
        let mut model = Model::new("hostile", now);
        for (round, seq) in [(0u64, 2u64), (1, u64::MAX - 1)] {
            let reads: Vec<SlotRead> = rows
                .iter()
                .enumerate()
                .map(|(i, row)| hostile_read(i, *row, seq))
                .collect();
            model.update(&reads, now.saturating_add(round * 1_000));
        }
        let (done, total) = model.bytes();
        proptest::prop_assert!(done <= total);
        let tally = model.tally();
        proptest::prop_assert_eq!(tally.done() + tally.unfinished(), rows.len());
        for (w, h) in [(80, 24), (30, 6)] {
            screen(&model, w, h);
        }
    }
}
