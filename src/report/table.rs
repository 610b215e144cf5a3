//! The final summary: one row per tool, as a table for people or as JSON. Used at the
//! end of `vx sync` and by `vx board dump`.

use std::io::{self, Write};

use serde::Serialize;
use vx_shm::{Phase, SlotRead};

use crate::install::human_bytes;

/// One tool's outcome (or current state, for a live board).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    /// Tool name.
    pub tool: String,
    /// Version.
    pub version: String,
    /// The phase label (`completed`, `cached`, `failed`, `cancelled`, or a running
    /// phase on a live board), or `unreadable` for a slot that could not be copied.
    pub result: String,
    /// Whether the tool is installed (completed or cached).
    pub ok: bool,
    /// Bytes downloaded (or of the current phase), when known.
    pub bytes: Option<u64>,
    /// Time from the child's start to its last update, in milliseconds.
    pub elapsed_ms: Option<u64>,
    /// The slot's exit code (0 on success).
    pub exit_code: i32,
    /// The slot's last message.
    pub message: String,
    /// The download attempt (1-based; 0 before the first, >1 after retries).
    pub attempt: u32,
    /// Installed without a sha256 to check (`--allow-unverified`).
    pub unverified: bool,
}

/// The rows of a snapshot, in slot order.
pub fn rows(snaps: &[SlotRead]) -> Vec<Row> {
    snaps.iter().map(row).collect()
}

fn row(read: &SlotRead) -> Row {
    match read {
        Ok(snap) => {
            let record = &snap.record;
            let phase = record.phase();
            let bytes = match record.bytes_total() {
                Some(total) if total > 0 => Some(total),
                _ if record.bytes_done > 0 => Some(record.bytes_done),
                _ => None,
            };
            let elapsed_ms = (record.started_unix_ms != 0).then(|| {
                record
                    .updated_unix_ms
                    .saturating_sub(record.started_unix_ms)
            });
            Row {
                tool: record.tool().into_owned(),
                version: record.version().into_owned(),
                result: phase.map_or("unknown", Phase::label).to_owned(),
                ok: phase.is_some_and(Phase::is_success),
                bytes,
                elapsed_ms,
                exit_code: record.exit_code,
                message: record.message().into_owned(),
                attempt: record.attempt,
                unverified: record.unverified(),
            }
        }
        Err(err) => Row {
            tool: String::new(),
            version: String::new(),
            result: "unreadable".to_owned(),
            ok: false,
            bytes: None,
            elapsed_ms: None,
            exit_code: 0,
            message: err.to_string(),
            attempt: 0,
            unverified: false,
        },
    }
}

/// `1.2s`, `2m05s`.
pub fn human_duration_ms(ms: u64) -> String {
    if ms < 60_000 {
        format!("{:.1}s", ms as f64 / 1000.0)
    } else {
        format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60)
    }
}

/// Counts by outcome: `(installed, cached, failed, cancelled, other)`.
pub fn counts(rows: &[Row]) -> [usize; 5] {
    let mut counts = [0; 5];
    for row in rows {
        let i = match row.result.as_str() {
            "completed" => 0,
            "cached" => 1,
            "failed" | "unreadable" => 2,
            "cancelled" => 3,
            _ => 4,
        };
        counts[i] += 1;
    }
    counts
}

/// Writes the table: TOOL, VERSION, RESULT, SIZE, TIME, MESSAGE, then a totals line.
pub fn write_table(out: &mut dyn Write, rows: &[Row]) -> io::Result<()> {
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|row| {
            [
                row.tool.clone(),
                row.version.clone(),
                if row.ok && row.unverified {
                    format!("{} UNVERIFIED", row.result)
                } else if row.ok || row.result == "unknown" {
                    row.result.clone()
                } else if row.exit_code != 0 {
                    format!("{} ({})", row.result.to_uppercase(), row.exit_code)
                } else {
                    row.result.to_uppercase()
                },
                row.bytes.map_or("-".to_owned(), human_bytes),
                row.elapsed_ms.map_or("-".to_owned(), human_duration_ms),
                row.message.clone(),
            ]
        })
        .collect();
    let header = ["TOOL", "VERSION", "RESULT", "SIZE", "TIME", "MESSAGE"].map(str::to_owned);
    let mut widths = header.clone().map(|h| h.chars().count());
    for line in &cells {
        for (w, cell) in widths.iter_mut().zip(line) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for line in std::iter::once(&header).chain(&cells) {
        let mut l = String::new();
        for (i, cell) in line.iter().enumerate() {
            if i + 1 == line.len() {
                l.push_str(cell);
            } else {
                l.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        text.push_str(l.trim_end());
        text.push('\n');
    }
    let [installed, cached, failed, cancelled, other] = counts(rows);
    text.push_str(&format!(
        "{} tools: {installed} installed, {cached} cached, {failed} failed, {cancelled} cancelled",
        rows.len()
    ));
    if other > 0 {
        text.push_str(&format!(", {other} not finished"));
    }
    text.push('\n');
    out.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use vx_shm::{SlotRecord, SlotSnapshot};

    fn snap(tool: &str, phase: Phase, code: i32, message: &str) -> SlotRead {
        let mut record = SlotRecord::queued(tool, "1.0");
        record.set_phase(phase);
        record.set_message(message);
        record.exit_code = code;
        record.started_unix_ms = 1_000;
        record.updated_unix_ms = 3_500;
        record.set_progress(2048, Some(2048));
        Ok(SlotSnapshot {
            index: 0,
            seq: 2,
            cancel_requested: false,
            record,
        })
    }

    #[test]
    fn the_table_lines_up_and_makes_failures_loud() {
        let rows = rows(&[
            snap("ripgrep", Phase::Completed, 0, "installed"),
            snap("bad", Phase::Failed, 11, "checksum mismatch"),
        ]);
        let mut out = Vec::new();
        write_table(&mut out, &rows).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "TOOL     VERSION  RESULT       SIZE     TIME  MESSAGE"
        );
        assert_eq!(
            lines[1],
            "ripgrep  1.0      completed    2.0 KiB  2.5s  installed"
        );
        assert_eq!(
            lines[2],
            "bad      1.0      FAILED (11)  2.0 KiB  2.5s  checksum mismatch"
        );
        assert_eq!(
            lines[3],
            "2 tools: 1 installed, 0 cached, 1 failed, 0 cancelled"
        );
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration_ms(1234), "1.2s");
        assert_eq!(human_duration_ms(125_000), "2m05s");
    }
}
