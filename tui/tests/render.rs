//! What the user sees, pinned down by snapshots of the rendered screen (ratatui's
//! `TestBackend` + insta) at 80×24, 120×35 and 200×60: a mid-sync mix, a stalled and a
//! retrying download, a long failure reason, 300 tools scrolled; and at one size, a
//! fresh plan, unknown sizes, the detail pane, the finished state, a filter and a
//! search, the key help and the cancel prompt. Colours are checked cell by cell.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use vx_shm::{Phase, SlotError, SlotRead, SlotRecord, SlotSnapshot};
use vx_tui::model::Filter;
use vx_tui::view::{render, visible_rows};
use vx_tui::{Look, Model};

const START: u64 = 1_700_000_000_000;
const MIB: u64 = 1 << 20;
/// The sizes every layout is pinned at.
const SIZES: [(u16, u16); 3] = [(80, 24), (120, 35), (200, 60)];

#[derive(Clone)]
struct Slot {
    name: String,
    phase: Phase,
    done: u64,
    total: Option<u64>,
    message: String,
    attempt: u32,
}

fn slot(name: &str, phase: Phase, done: u64, total: Option<u64>) -> Slot {
    Slot {
        name: name.to_owned(),
        phase,
        done,
        total,
        message: String::new(),
        attempt: 1,
    }
}

impl Slot {
    fn says(mut self, message: &str) -> Slot {
        self.message = message.to_owned();
        self
    }

    fn attempt(mut self, attempt: u32) -> Slot {
        self.attempt = attempt;
        self
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
            record.set_message(&s.message);
            if s.phase != Phase::Queued {
                record.started_unix_ms = START + 1_000;
                record.writer_pid = 4_000 + index as u32;
                record.attempt = s.attempt;
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

/// A model that has seen each state at its time (ms after the start).
fn seen(steps: &[(&[Slot], u64)]) -> Model {
    let mut model = Model::new("/home/dev/project/vx.toml", START);
    for (seq, (slots, at)) in steps.iter().enumerate() {
        model.update(&reads(slots, 2 * seq as u64 + 2), START + at);
    }
    model
}

/// A model that has seen `before` at t=4 s and `after` at t=5 s (so rates exist).
fn model(before: &[Slot], after: &[Slot]) -> Model {
    seen(&[(before, 4_000), (after, 5_000)])
}

fn draw(model: &Model, width: u16, height: u16, look: Look) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| render(frame, model, look)).unwrap();
    terminal.backend().buffer().clone()
}

fn screen(model: &Model, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| render(frame, model, Look { color: false }))
        .unwrap();
    terminal.backend().to_string()
}

/// Snapshots `model` at every size in [`SIZES`], as `NAME_WxH`, with the selection
/// kept on screen as the application keeps it.
fn at_every_size(name: &str, model: &Model) {
    for (width, height) in SIZES {
        let mut model = model.clone();
        model.keep_visible(visible_rows(
            &model,
            ratatui::layout::Rect::new(0, 0, width, height),
        ));
        insta::assert_snapshot!(
            format!("{name}_{width}x{height}"),
            screen(&model, width, height)
        );
    }
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
        slot("shellcheck", Phase::Downloading, MIB, Some(3 * MIB)),
        slot("kubectl", Phase::Queued, 0, None),
    ];
    let after = vec![
        slot("node", Phase::Downloading, 13 * MIB, Some(40 * MIB)),
        slot("go", Phase::Downloading, 3 * MIB, Some(70 * MIB)),
        slot("ripgrep", Phase::Extracting, 2 * MIB, Some(2 * MIB)),
        slot("uv", Phase::Completed, 12 * MIB, Some(12 * MIB)).says("installed in 4s"),
        slot("jq", Phase::Skipped, 0, None).says("already installed"),
        slot("deno", Phase::PostInstall, 0, None),
        slot("zig", Phase::Queued, 0, None),
        slot("shellcheck", Phase::Failed, 2 * MIB, Some(3 * MIB))
            .says("download failed: connection reset by peer"),
        slot("kubectl", Phase::Queued, 0, None),
    ];
    (before, after)
}

#[test]
fn mid_sync_mix_of_phases() {
    let (before, after) = mid_sync();
    at_every_size("mixed", &model(&before, &after));
}

#[test]
fn a_stalled_and_a_retrying_download_say_so_at_every_width() {
    let t0 = vec![
        slot("node", Phase::Downloading, 10 * MIB, Some(40 * MIB)),
        slot("go", Phase::Downloading, 20 * MIB, Some(70 * MIB)),
        slot("deno", Phase::Downloading, 5 * MIB, Some(30 * MIB)),
    ];
    let t1 = vec![
        slot("node", Phase::Downloading, 12 * MIB, Some(40 * MIB)),
        slot("go", Phase::Downloading, 0, Some(70 * MIB))
            .says("retry 2/3: HTTP 503 Service Unavailable")
            .attempt(2),
        slot("deno", Phase::Downloading, 5 * MIB, Some(30 * MIB))
            .says("retry 3/3: no data for 30 s, resuming at 5.0 MiB")
            .attempt(3),
    ];
    let mut t2 = t1.clone();
    t2[2].done = 9 * MIB;
    let mut t3 = t2.clone();
    t3[2].done = 14 * MIB;
    // node got nothing more for 7 s; go waits for its retry; deno resumed.
    let model = seen(&[(&t0, 1_000), (&t1, 2_000), (&t2, 3_000), (&t3, 9_000)]);
    let row = |name: &str| model.rows.iter().find(|r| r.name == name).unwrap();
    assert_eq!(row("node").stalled_secs(model.now_ms), Some(7));
    at_every_size("stalled_and_retrying", &model);
    for (width, height) in SIZES.into_iter().chain([(60, 15)]) {
        let text = screen(&model, width, height);
        assert!(text.contains("stalled 7s"), "{width}x{height}:\n{text}");
        assert!(text.contains("retry 2/3"), "{width}x{height}:\n{text}");
        assert!(text.contains("HTTP 503"), "{width}x{height}:\n{text}");
    }
}

#[test]
fn a_long_failure_reason_is_cut_with_an_ellipsis_never_mid_cell() {
    let reason = "sha256 mismatch for https://example.com/releases/download/v1.2.3/tool-x86_64-unknown-linux-musl.tar.gz: expected 9f86d081, got e3b0c442";
    let slots = vec![
        slot("tool-with-a-long-reason", Phase::Failed, MIB, Some(MIB)).says(reason),
        slot("node", Phase::Completed, 40 * MIB, Some(40 * MIB)),
        slot("go", Phase::Downloading, 3 * MIB, Some(70 * MIB)),
    ];
    let model = model(&slots, &slots);
    at_every_size("long_reason", &model);
    let text = screen(&model, 200, 60);
    assert!(
        text.contains("sha256 mismatch for https://example.com/"),
        "{text}"
    );
    assert!(text.contains('…'), "a cut reason shows it was cut:\n{text}");
}

fn many(count: u64) -> Model {
    let slots: Vec<Slot> = (0..count)
        .map(|i| {
            let name = format!("a-rather-long-tool-name-{i:03}");
            match i % 4 {
                // Failures above and below the middle of the list.
                _ if [3, 41, 47, 260].contains(&i) => {
                    slot(&name, Phase::Failed, MIB, Some(5 * MIB)).says("HTTP 404 Not Found")
                }
                0 => slot(&name, Phase::Completed, 5 * MIB, Some(5 * MIB)),
                1 => slot(
                    &name,
                    Phase::Downloading,
                    (i % 50) * MIB / 10,
                    Some(5 * MIB),
                ),
                2 => slot(&name, Phase::Queued, 0, None),
                _ => slot(&name, Phase::Extracting, MIB, Some(4 * MIB)),
            }
        })
        .collect();
    model(&slots, &slots)
}

#[test]
fn three_hundred_tools_scrolled_to_the_middle_mark_failures_out_of_sight() {
    let mut model = many(300);
    model.selected = 150;
    at_every_size("three_hundred", &model);
    model.keep_visible(visible_rows(
        &model,
        ratatui::layout::Rect::new(0, 0, 80, 24),
    ));
    let text = screen(&model, 80, 24);
    assert!(text.contains("3 failed above ↑"), "{text}");
    assert!(text.contains("1 failed below ↓"), "{text}");
}

#[test]
fn no_color_draws_no_colour_and_colour_marks_failures_red() {
    let (before, after) = mid_sync();
    let model = model(&before, &after);
    for (width, height) in SIZES {
        let plain = draw(&model, width, height, Look { color: false });
        for cell in plain.content() {
            assert_eq!(
                (cell.fg, cell.bg),
                (Color::Reset, Color::Reset),
                "{width}x{height}: a coloured cell under NO_COLOR: {cell:?}"
            );
        }
        let coloured = draw(&model, width, height, Look { color: true });
        let failed = (0..height)
            .find(|&y| {
                let line: String = (0..width).map(|x| coloured[(x, y)].symbol()).collect();
                line.contains("shellcheck")
            })
            .unwrap();
        let line: String = (0..width).map(|x| coloured[(x, failed)].symbol()).collect();
        let x = line.find("failed").unwrap();
        let x = line[..x].chars().count() as u16;
        assert_eq!(coloured[(x, failed)].fg, Color::Red, "{width}x{height}");
    }
}

#[test]
fn a_fresh_plan_shows_every_tool_queued() {
    let plan: Vec<Slot> = ["node", "go", "ripgrep", "uv"]
        .into_iter()
        .map(|n| slot(n, Phase::Queued, 0, None))
        .collect();
    let mut model = Model::new("/home/dev/project/vx.toml", START);
    model.update(&reads(&plan, 2), START);
    insta::assert_snapshot!(screen(&model, 80, 24));
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
    insta::assert_snapshot!(screen(&model(&before, &after), 100, 12));
}

#[test]
fn an_unreadable_slot_is_a_failure_with_its_cause() {
    let after = vec![
        slot("node", Phase::Failed, 40 * MIB, Some(40 * MIB))
            .says("sha256 mismatch: expected 9f86d081…, got e3b0c442…"),
        slot("go", Phase::Cancelled, 3 * MIB, Some(70 * MIB)).says("cancelled by user"),
        slot("uv", Phase::Downloading, 6 * MIB, Some(12 * MIB)),
    ];
    let mut model = model(&after, &after);
    let mut all = reads(&after, 6);
    all[2] = Err(SlotError::WriterLost {
        index: 2,
        pid: 4002,
    });
    model.update(&all, START + 6_000);
    insta::assert_snapshot!(screen(&model, 120, 16));
}

#[test]
fn the_filter_and_the_search_show_what_they_keep() {
    let mut model = many(50);
    model.filter = Filter::Failed;
    model.keep_visible(20);
    insta::assert_snapshot!("filter_failed", screen(&model, 80, 24));
    model.filter = Filter::All;
    model.search = "name-04".into();
    model.typing = true;
    insta::assert_snapshot!("search_typing", screen(&model, 80, 24));
    model.search = "nothing-like-this".into();
    assert!(screen(&model, 80, 24).contains("no tool matches"));
}

#[test]
fn the_detail_pane_shows_every_field_and_the_stderr_tail() {
    let (before, mut after) = mid_sync();
    after[1] = slot("go", Phase::Failed, 3 * MIB, Some(70 * MIB))
        .says("download failed: connection reset by peer");
    let mut model = model(&before, &after);
    model.selected = 1;
    model.detail = true;
    model.stderr_tail = vec![
        "error: connection reset by peer".into(),
        "retrying (attempt 2 of 3)".into(),
    ];
    insta::assert_snapshot!(screen(&model, 110, 24));
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
    insta::assert_snapshot!(screen(&model, 100, 20));
}

#[test]
fn help_and_cancel_prompts_overlay_the_board() {
    let (before, after) = mid_sync();
    let mut model = model(&before, &after);
    model.help = true;
    insta::assert_snapshot!("help", screen(&model, 80, 24));
    model.help = false;
    model.confirm_cancel = Some(0);
    insta::assert_snapshot!("confirm_cancel", screen(&model, 80, 24));
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
    let evil = slot(&format!("tool{EVIL}"), Phase::Failed, 1, Some(2)).says(EVIL);
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
