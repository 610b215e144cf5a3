use super::*;
use crate::activity::EventKind;
use vx_shm::SlotRecord;

fn read(index: usize, seq: u64, phase: Phase, done: u64, total: Option<u64>) -> SlotRead {
    let mut record = SlotRecord::queued(&format!("tool-{index}"), "1.0");
    record.set_phase(phase);
    record.set_progress(done, total);
    record.started_unix_ms = 1_000;
    record.updated_unix_ms = 1_000;
    Ok(SlotSnapshot {
        index,
        seq,
        cancel_requested: false,
        record,
    })
}

#[test]
fn a_steady_download_converges_on_its_rate_without_jumping() {
    let mut rate = Rate::default();
    rate.observe(0, 0);
    assert_eq!(rate.bytes_per_sec(), None);
    // 1 MiB/s, sampled every 100 ms.
    for step in 1..=50u64 {
        rate.observe(step * 104_858, step * 100);
    }
    let settled = rate.bytes_per_sec().unwrap();
    assert!((settled - 1_048_580.0).abs() < 1_000.0, "{settled}");

    // One burst chunk (4x) moves the estimate only part of the way.
    rate.observe(50 * 104_858 + 4 * 104_858, 5_100);
    let after_burst = rate.bytes_per_sec().unwrap();
    assert!(
        after_burst > settled && after_burst < 1.3 * settled,
        "{after_burst}"
    );
}

#[test]
fn a_stall_decays_the_rate_and_a_restart_resets_it() {
    let mut rate = Rate::default();
    rate.observe(0, 0);
    rate.observe(1_000_000, 1_000);
    let before = rate.bytes_per_sec().unwrap();
    for second in 2..=6 {
        rate.observe(1_000_000, second * 1_000);
    }
    let stalled = rate.bytes_per_sec().unwrap();
    assert!(stalled < before * 0.15, "{stalled} vs {before}");
    rate.observe(10, 7_000); // counter went back: a new phase or a retry
    assert_eq!(rate.bytes_per_sec(), None);
    rate.observe(10, 7_000); // no time passed: ignored
    assert_eq!(rate.bytes_per_sec(), None);
}

#[test]
fn eta_follows_the_smoothed_rate_and_needs_a_known_size() {
    let mut model = Model::new("vx.toml", 0);
    model.update(
        &[read(0, 2, Phase::Downloading, 0, Some(10_000_000))],
        1_000,
    );
    assert_eq!(model.rows[0].eta_secs(), None, "one sample is no rate");
    model.update(
        &[read(0, 4, Phase::Downloading, 1_000_000, Some(10_000_000))],
        2_000,
    );
    assert_eq!(model.rows[0].eta_secs(), Some(9));
    model.update(&[read(0, 6, Phase::Downloading, 2_000_000, None)], 3_000);
    assert_eq!(model.rows[0].eta_secs(), None, "unknown size, no eta");
    model.update(
        &[read(0, 8, Phase::Completed, 2_000_000, Some(2_000_000))],
        4_000,
    );
    assert_eq!(model.rows[0].eta_secs(), None);
    assert!(model.rows[0].is_done());
}

#[test]
fn updates_report_change_only_when_something_moved() {
    let mut model = Model::new("vx.toml", 0);
    let reads = [
        read(0, 2, Phase::Queued, 0, None),
        read(1, 2, Phase::Queued, 0, None),
    ];
    assert!(model.update(&reads, 100));
    assert!(!model.update(&reads, 200), "nothing moved");
    assert!(model.update(&reads, 1_100), "the elapsed clock ticked");
    let moved = [read(0, 4, Phase::Resolving, 0, None), reads[1]];
    assert!(model.update(&moved, 1_200));
    let lost = [moved[0], Err(SlotError::WriterLost { index: 1, pid: 9 })];
    assert!(model.update(&lost, 1_300));
    assert!(!model.update(&lost, 1_400));
    assert_eq!(model.tally().failed, 1);
}

#[test]
fn the_tally_and_byte_totals_add_up() {
    let mut model = Model::new("vx.toml", 0);
    model.update(
        &[
            read(0, 2, Phase::Completed, 100, Some(100)),
            read(1, 2, Phase::Skipped, 0, None),
            read(2, 2, Phase::Failed, 5, Some(50)),
            read(3, 2, Phase::Cancelled, 0, None),
            read(4, 2, Phase::Downloading, 70, Some(60)), // past its total: clamped
            read(5, 2, Phase::Queued, 0, None),
        ],
        0,
    );
    let tally = model.tally();
    assert_eq!(
        (
            tally.installed,
            tally.cached,
            tally.failed,
            tally.cancelled,
            tally.running,
            tally.queued
        ),
        (1, 1, 1, 1, 1, 1)
    );
    assert_eq!(tally.done(), 4);
    assert_eq!(model.bytes(), (100 + 5 + 60, 100 + 50 + 60));
}

fn model_with(rows: usize) -> Model {
    let mut model = Model::new("vx.toml", 0);
    let reads: Vec<_> = (0..rows)
        .map(|i| read(i, 2, Phase::Queued, 0, None))
        .collect();
    model.update(&reads, 0);
    model
}

#[test]
fn selection_scrolls_to_stay_visible_and_stops_at_the_ends() {
    let mut model = model_with(50);
    model.move_selection(-1, 10);
    assert_eq!((model.selected, model.scroll), (0, 0));
    model.move_selection(12, 10);
    assert_eq!((model.selected, model.scroll), (12, 3));
    model.move_selection(10, 10); // PgDn
    assert_eq!((model.selected, model.scroll), (22, 13));
    model.select_edge(true, 10);
    assert_eq!((model.selected, model.scroll), (49, 40));
    model.move_selection(5, 10);
    assert_eq!(model.selected, 49);
    model.move_selection(-30, 10);
    assert_eq!((model.selected, model.scroll), (19, 19));
    model.select_edge(false, 10);
    assert_eq!((model.selected, model.scroll), (0, 0));
}

#[test]
fn a_taller_window_never_leaves_blank_rows_below_the_last_tool() {
    let mut model = model_with(50);
    model.select_edge(true, 10);
    assert_eq!(model.scroll, 40);
    model.keep_visible(30); // the terminal grew
    assert_eq!(model.scroll, 20);
    model.keep_visible(80);
    assert_eq!(model.scroll, 0);
}

#[test]
fn an_empty_board_is_harmless() {
    let mut model = Model::new("vx.toml", 0);
    model.update(&[], 0);
    model.move_selection(3, 10);
    model.select_edge(true, 10);
    assert_eq!((model.selected, model.scroll), (0, 0));
    assert!(model.selected_row().is_none());
    assert_eq!(model.bytes(), (0, 0));
}

#[test]
fn a_download_without_new_bytes_is_stalled_until_one_arrives() {
    let mut model = Model::new("t", 0);
    model.update(&[read(0, 2, Phase::Downloading, 100, Some(1000))], 10_000);
    assert_eq!(model.rows[0].stalled_secs(14_999), None);
    model.update(&[read(0, 2, Phase::Downloading, 100, Some(1000))], 16_000);
    assert_eq!(model.rows[0].stalled_secs(22_500), Some(12));
    model.update(&[read(0, 4, Phase::Downloading, 200, Some(1000))], 23_000);
    assert_eq!(model.rows[0].stalled_secs(23_100), None);
    // Extracting is not a download: it has no bytes to wait for from a server.
    model.update(&[read(0, 6, Phase::Extracting, 0, None)], 24_000);
    assert_eq!(model.rows[0].stalled_secs(60_000), None);
}

#[test]
fn the_fraction_done_counts_tools_and_partial_downloads() {
    let mut model = Model::new("t", 0);
    model.update(
        &[
            read(0, 2, Phase::Completed, 10, Some(10)),
            read(1, 2, Phase::Downloading, 50, Some(100)),
            read(2, 2, Phase::Downloading, 50, None),
            read(3, 0, Phase::Queued, 0, None),
        ],
        1,
    );
    // A download is most of a tool's way; its size unknown, it counts as nothing yet.
    let expected = (1.0 + 0.5 * DOWNLOAD_SHARE) / 4.0;
    assert!((model.fraction_done() - expected).abs() < 1e-9);
}

/// One tool's read at attempt `attempt`, with `message`.
fn attempt(seq: u64, attempt: u32, done: u64, message: &str) -> SlotRead {
    let mut read = read(0, seq, Phase::Downloading, done, Some(1000));
    if let Ok(snap) = &mut read {
        snap.record.attempt = attempt;
        snap.record.set_message(message);
    }
    read
}

#[test]
fn a_retry_never_moves_the_gauge_or_the_bytes_back_and_says_why() {
    let mut model = Model::new("t", 0);
    model.update(&[attempt(2, 1, 0, "")], 1_000);
    model.update(&[attempt(4, 1, 600, "")], 2_000);
    let before = model.fraction_done();
    // The server failed; the download starts over.
    model.update(
        &[attempt(6, 2, 0, "retry 2/3: HTTP 503 Service Unavailable")],
        2_500,
    );
    assert_eq!(model.fraction_done(), before);
    assert_eq!(model.downloaded(), 600);
    let row = &model.rows[0];
    assert_eq!(row.retry_label().as_deref(), Some("retry 2/3"));
    assert_eq!(
        row.waiting_retry().as_deref(),
        Some("HTTP 503 Service Unavailable")
    );
    let retry = model.events.latest(1).next().unwrap();
    assert_eq!(
        retry.kind,
        EventKind::Retry("retry 2/3: HTTP 503 Service Unavailable".into())
    );
    // Bytes flow again: the bar comes back, the label stays, the bytes add up.
    model.update(
        &[attempt(
            8,
            2,
            300,
            "retry 2/3: HTTP 503 Service Unavailable",
        )],
        3_000,
    );
    assert_eq!(model.rows[0].waiting_retry(), None);
    assert_eq!(model.rows[0].retry_label().as_deref(), Some("retry 2/3"));
    assert_eq!(model.downloaded(), 900);
    assert_eq!(model.fraction_done(), before);
    model.update(&[attempt(10, 2, 900, "")], 4_000);
    assert!(model.fraction_done() > before);
}

#[test]
fn the_chart_counts_bytes_per_second_including_the_tail_a_read_missed() {
    let mut model = Model::new("t", 0);
    model.update(&[read(0, 2, Phase::Downloading, 0, Some(5_000))], 1_000);
    model.update(&[read(0, 4, Phase::Downloading, 2_000, Some(5_000))], 1_500);
    model.update(&[read(0, 6, Phase::Downloading, 3_000, Some(5_000))], 2_200);
    // Finished between two reads: its final size says what the reads missed.
    model.update(&[read(0, 8, Phase::Completed, 5_000, Some(5_000))], 3_100);
    model.update(&[read(0, 8, Phase::Completed, 5_000, Some(5_000))], 4_000);
    assert_eq!(model.throughput.last_seconds(60), [2_000, 1_000, 2_000]);
    assert_eq!(model.downloaded(), 5_000);
    let kinds: Vec<&EventKind> = model.events.latest(10).map(|e| &e.kind).collect();
    assert_eq!(kinds, [&EventKind::Installed]);
}

#[test]
fn joining_late_counts_what_was_done_without_charting_it() {
    let mut model = Model::new("t", 0);
    model.update(
        &[
            read(0, 8, Phase::Completed, 7_000, Some(7_000)),
            read(1, 4, Phase::Downloading, 4_000, Some(9_000)),
        ],
        1_000,
    );
    model.update(
        &[
            read(0, 8, Phase::Completed, 7_000, Some(7_000)),
            read(1, 6, Phase::Downloading, 5_000, Some(9_000)),
        ],
        2_000,
    );
    model.update(
        &[
            read(0, 8, Phase::Completed, 7_000, Some(7_000)),
            read(1, 6, Phase::Downloading, 5_000, Some(9_000)),
        ],
        3_000,
    );
    assert_eq!(model.downloaded(), 12_000);
    assert_eq!(model.throughput.last_seconds(60), [0, 1_000]);
}

#[test]
fn failures_and_stalls_are_events_once() {
    let mut model = Model::new("t", 0);
    let mut failed = read(1, 4, Phase::Failed, 0, None);
    if let Ok(snap) = &mut failed {
        snap.record.set_message("checksum mismatch");
    }
    let downloading = read(0, 2, Phase::Downloading, 10, Some(100));
    model.update(
        &[downloading, read(1, 2, Phase::Downloading, 0, None)],
        1_000,
    );
    model.update(&[downloading, failed], 2_000);
    for now in [7_000, 8_000, 9_000] {
        model.update(&[downloading, failed], now);
    }
    let kinds: Vec<&EventKind> = model.events.latest(10).map(|e| &e.kind).collect();
    assert_eq!(
        kinds,
        [
            &EventKind::Failed("checksum mismatch".into()),
            &EventKind::Stalled
        ]
    );
}

#[test]
fn the_filter_and_the_search_narrow_rows_and_keep_the_selection_on_one() {
    let mut model = Model::new("t", 0);
    model.update(
        &[
            read(0, 2, Phase::Completed, 1, Some(1)),
            read(1, 2, Phase::Failed, 0, None),
            read(2, 2, Phase::Downloading, 1, Some(2)),
            read(3, 2, Phase::Failed, 0, None),
        ],
        1,
    );
    model.filter = Filter::Failed;
    assert_eq!(model.shown(), [1, 3]);
    model.keep_visible(10);
    assert_eq!(model.selected, 1, "the selection moves onto a shown row");
    model.move_selection(1, 10);
    assert_eq!(model.selected, 3);
    model.move_selection(1, 10);
    assert_eq!(model.selected, 3, "clamped to the shown rows");
    model.filter = Filter::Running;
    assert_eq!(model.shown(), [2]);
    model.filter = Filter::All;
    model.search = "TOOL-0".into();
    assert_eq!(model.shown(), [0], "the search ignores case");
    assert!(model.is_narrowed());
}

#[test]
fn early_rates_come_from_the_bytes_seen_not_a_slow_start() {
    // 2 MiB/s, but the first 100 ms brought only a small chunk (connection set-up).
    let mut rate = Rate::default();
    rate.observe(0, 0);
    rate.observe(20_000, 100);
    for step in 2..=10u64 {
        rate.observe(20_000 + (step - 1) * 209_715, step * 100);
    }
    // After one second the estimate is the average seen, within 10 % of the truth,
    // so the ETA is not twice too long.
    let early = rate.bytes_per_sec().unwrap();
    assert!((early - 1_907_435.0).abs() < 0.1 * 2_097_152.0, "{early}");
}
