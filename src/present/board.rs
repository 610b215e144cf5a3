//! What `vx board` and `vx ps` print of boards seen from outside their run
//! ([`vx_ops::board`]): the live boards, a line each; a sync's board as a title
//! line and its summary table (a task run's is [`vx_sync::report::boards`]'s).

use std::io::Write;
use std::path::Path;

use vx_ops::board::{Summary, state};
use vx_shm::BoardReader;
use vx_sync::report::{Work, table};
use vx_text::{duration_ms, sanitize};

/// `vx board ls`: the live boards of `dir`, a line (or a JSON object) each.
pub(crate) fn live(dir: &Path, live: &[Summary], json: bool) -> String {
    if json {
        return live
            .iter()
            .map(|b| {
                let value = serde_json::json!({"id": b.id, "pid": b.pid, "label": b.label,
                       "done": b.done, "total": b.total, "age_ms": b.age_ms});
                format!("{value}\n")
            })
            .collect();
    }
    if live.is_empty() {
        return format!("no live boards in {}\n", dir.display());
    }
    let mut text =
        String::from("ID                                PID      TOOLS  AGE     LABEL\n");
    for b in live {
        let (id, label) = (sanitize(&b.id), sanitize(&b.label));
        let tools = format!("{}/{}", b.done, b.total);
        let age = duration_ms(b.age_ms);
        text.push_str(&format!(
            "{id:<32}  {:<7}  {tools:<5}  {age:<6}  {label}\n",
            b.pid
        ));
    }
    text
}

/// A sync's board (or its dump): a title line and the summary table as it is now,
/// kept within `width` columns.
pub(crate) fn board(
    out: &mut impl Write,
    reader: &BoardReader,
    width: Option<usize>,
) -> std::io::Result<()> {
    let info = reader.info();
    let kind = if reader.is_dump() {
        "dump of board"
    } else {
        "board"
    };
    writeln!(
        out,
        "{kind} {} ({}), {}",
        sanitize(&info.id),
        sanitize(&info.label),
        state(reader)
    )?;
    let rows = table::board_rows(reader);
    table::write_table(out, &rows, true, None, width, Work::Install)
}

/// `vx ps`'s view of a sync: a line with its id, label, pid, state, tools done and
/// age, then its table (within `width` columns).
pub(crate) fn sync(
    out: &mut impl Write,
    board: &BoardReader,
    alive: bool,
    now: u64,
    width: Option<usize>,
) -> std::io::Result<()> {
    let info = board.info();
    let rows = table::board_rows(board);
    let done = table::tally(&rows).done();
    writeln!(
        out,
        "sync {} ({}), vx sync pid {}, {}, {done}/{} tools, {}",
        &info.id[..12.min(info.id.len())],
        sanitize(&info.label),
        info.creator.pid,
        if alive { "running" } else { "dead" },
        info.slot_count,
        duration_ms(now.saturating_sub(info.created_unix_ms))
    )?;
    table::write_table(out, &rows, false, None, width, Work::Install)
}
