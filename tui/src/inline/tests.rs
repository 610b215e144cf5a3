use vx_shm::{SlotRecord, SlotSnapshot};

use super::*;

fn downloading(name: &str) -> ToolRow {
    let mut record = SlotRecord::queued(name, "14.1.1");
    record.set_phase(Phase::Downloading);
    record.set_progress(3 << 20, Some(6 << 20));
    record.attempt = 2;
    let mut row = ToolRow::unread(name.into(), "14.1.1".into());
    row.slot = Some(SlotSnapshot {
        index: 0,
        seq: 2,
        cancel_requested: false,
        record,
    });
    row.moved_ms = 1000;
    row.rate.observe(0, 0);
    row.rate.observe(1 << 20, 1000);
    row
}

fn text(line: &Line<'_>) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

#[test]
fn parts_drop_whole_in_a_fixed_order_as_the_width_shrinks() {
    let row = downloading("ripgrep");
    let look = Look { color: false };
    let at = |width| text(&tool_line(&row, 14, 1500, width, look));
    let wide = at(120);
    assert!(
        wide.ends_with("50%  3.0 MiB/6.0 MiB  1.0 MiB/s  ETA 3s"),
        "{wide}"
    );
    assert!(
        wide.contains("retry 2"),
        "the retry shows at every width: {wide}"
    );
    let len = wide.chars().count() as u16;
    // ETA goes first, then the rate, the bytes, the bar; the percentage stays.
    assert!(
        at(len - 1).ends_with("50%  3.0 MiB/6.0 MiB  1.0 MiB/s"),
        "{}",
        at(len - 1)
    );
    assert!(
        at(len - 12).ends_with("50%  3.0 MiB/6.0 MiB"),
        "{}",
        at(len - 12)
    );
    assert!(at(len - 25).ends_with("─   50%"), "{}", at(len - 25));
    let narrow = at(50);
    assert!(narrow.ends_with("retry 2   50%"), "{narrow}");
    for width in [20, 30, 40, 50, 60, 70, 80, 90, 120] {
        assert!(at(width).chars().count() <= usize::from(width), "{width}");
    }
}

#[test]
fn a_download_without_bytes_for_five_seconds_says_stalled() {
    let row = downloading("jq");
    let look = Look { color: false };
    let line = text(&tool_line(&row, 14, 1000 + 12_400, 200, look));
    assert!(line.ends_with("3.0 MiB/6.0 MiB  stalled 12s"), "{line}");
    assert!(!line.contains("ETA") && !line.contains("MiB/s"), "{line}");
    let narrow = text(&tool_line(&row, 14, 1000 + 12_400, 52, look));
    assert!(
        narrow.contains("stalled 12s"),
        "the stall shows at every width: {narrow}"
    );
}

#[test]
fn a_cancelled_tool_says_cancelled_once() {
    let look = Look { color: false };
    let mut row = downloading("ripgrep");
    let slot = row.slot.as_mut().unwrap();
    slot.record.set_phase(Phase::Cancelled);
    slot.record.set_message("cancelled");
    let line = text(&finished_line(&row, None, look).unwrap());
    assert_eq!(line, "⊘ ripgrep 14.1.1  cancelled");
    let line = text(&finished_line(&row, Some("cancelled during download".into()), look).unwrap());
    assert_eq!(line, "⊘ ripgrep 14.1.1  cancelled during download");
    let line = text(&finished_line(&row, Some("by the user".into()), look).unwrap());
    assert_eq!(line, "⊘ ripgrep 14.1.1  cancelled: by the user");
    let line = text(&finished_line(&row, Some(String::new()), look).unwrap());
    assert_eq!(line, "⊘ ripgrep 14.1.1  cancelled");
}
