//! The final summary: one row per tool, as a table for people or as JSON. Used at the
//! end of `vx sync` and by `vx board dump`.

use std::io::{self, Write};
use std::time::Duration;

use serde::{Serialize, Serializer};
use vx_shm::{BoardReader, Phase, SlotName, SlotRead};
use vx_tui::text::{bytes as human_bytes, count, duration_ms, sanitize, truncate, truncate_middle};
use vx_tui::{State, Tally};

use super::layout;

/// One tool's outcome (or current state, for a live board).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    /// Tool name.
    pub tool: String,
    /// Version.
    pub version: String,
    /// The tool's state, printed as its label (`completed`, `cached`, `failed`,
    /// `cancelled`, or a running phase on a live board; `unreadable` for a slot that
    /// could not be copied, `unknown` for a phase code this build does not know).
    #[serde(serialize_with = "label")]
    pub result: State,
    /// Whether the tool is installed (completed or cached).
    pub ok: bool,
    /// Bytes downloaded by this run, for a finished tool (a resumed download's kept
    /// bytes not counted; a failed or cancelled one's what arrived before it stopped);
    /// for a running one, the size of its current phase, when known.
    pub bytes: Option<u64>,
    /// Bytes the archive unpacked into files, for a tool installed by this run (from
    /// its receipt).
    pub unpacked: Option<u64>,
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
    /// Its signatures were verified (now, or when the lock was written).
    pub signed: bool,
    /// Where an install of this run got its bytes: `origin`, or the mirror as written
    /// ([`vx_engine::install::served_by`]); `None` when nothing was installed.
    pub source: Option<String>,
}

/// The rows of a snapshot, in slot order; `names` (the board's, [`vx_shm::BoardInfo`])
/// name the slots that could not be read.
pub(crate) fn rows(snaps: &[SlotRead], names: &[SlotName]) -> Vec<Row> {
    snaps
        .iter()
        .map(|read| {
            let mut row = row(read);
            if let Err(err) = read
                && let Some(name) = names.get(err.index())
            {
                row.tool.clone_from(&name.tool);
                row.version.clone_from(&name.version);
            }
            row
        })
        .collect()
}

/// The rows of `reader`'s board as it is now.
pub fn board_rows(reader: &BoardReader) -> Vec<Row> {
    rows(&reader.snapshot(), &reader.info().names)
}

/// Serializes a [`State`] as its label.
fn label<S: Serializer>(state: &State, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(state.label())
}

fn row(read: &SlotRead) -> Row {
    let result = State::of(read);
    match read {
        Ok(snap) => {
            let record = &snap.record;
            let bytes = match record.phase() {
                // A finished tool's count is what its download received in this run
                // (`record_terminal`), not the file's size: a cancelled download shows
                // what it got, a resumed one what it fetched now.
                Some(Phase::Completed) => Some(record.bytes_done),
                Some(phase) if phase.is_terminal() => {
                    (record.bytes_done > 0).then_some(record.bytes_done)
                }
                _ => match record.bytes_total() {
                    Some(total) if total > 0 => Some(total),
                    _ if record.bytes_done > 0 => Some(record.bytes_done),
                    _ => None,
                },
            };
            let elapsed_ms = (record.started_unix_ms != 0).then(|| {
                record
                    .updated_unix_ms
                    .saturating_sub(record.started_unix_ms)
            });
            Row {
                tool: record.tool().into_owned(),
                version: record.version().into_owned(),
                result,
                ok: result.is_success(),
                bytes,
                unpacked: None,
                elapsed_ms,
                exit_code: record.exit_code,
                message: record.message().into_owned(),
                attempt: record.attempt,
                unverified: record.unverified(),
                signed: record.signed(),
                source: (record.phase() == Some(Phase::Completed))
                    .then(|| vx_engine::install::served_by(&record.message()).map(str::to_owned))
                    .flatten(),
            }
        }
        Err(err) => Row {
            tool: String::new(),
            version: String::new(),
            result,
            ok: false,
            bytes: None,
            unpacked: None,
            elapsed_ms: None,
            exit_code: 0,
            message: err.to_string(),
            attempt: 0,
            unverified: false,
            signed: false,
            source: None,
        },
    }
}

/// The tally of `rows`.
pub fn tally(rows: &[Row]) -> Tally {
    rows.iter().map(|row| row.result).collect()
}

/// The RESULT cell: successes as they are (UNVERIFIED marked: no sha256; SIGNED: a
/// signature verified the bytes), failures loud, with their exit code when `verbose`.
fn result_cell(row: &Row, verbose: bool) -> String {
    let label = row.result.label();
    if row.ok && row.unverified {
        format!("{label} UNVERIFIED")
    } else if row.ok && row.signed {
        format!("{label} SIGNED")
    } else if row.ok || row.result == State::Unknown {
        label.to_owned()
    } else if verbose && row.exit_code != 0 {
        format!("{} ({})", label.to_uppercase(), row.exit_code)
    } else {
        label.to_uppercase()
    }
}

/// Widest TOOL and VERSION cells of the table without `-v`: with the other columns
/// it keeps to 80 columns (names are cut in the middle, with `…`).
const TOOL_CELL: usize = 24;
const VERSION_CELL: usize = 14;

/// Writes the table and a totals line. `verbose` (`-v`, `vx board dump`): TOOL,
/// VERSION, RESULT with exit codes, DOWNLOAD, UNPACKED, TIME and every row's MESSAGE.
/// Otherwise the table keeps to 80 columns (no MESSAGE: a success's is a store path)
/// and the tools that did not install follow it, each with its whole reason (its parts
/// on lines of their own, [`layout`]; nothing is cut), unless the reason only repeats
/// the result (`cancelled`). `took` is the run's wall time; the lines below the table
/// keep within `width` columns when one is given.
pub fn write_table(
    out: &mut dyn Write,
    rows: &[Row],
    verbose: bool,
    took: Option<Duration>,
    width: Option<usize>,
    work: super::Work,
) -> io::Result<()> {
    let size = |n: Option<u64>| n.map_or("-".to_owned(), human_bytes);
    let cell = |row: &Row| {
        let (tool, version) = (sanitize(&row.tool), sanitize(&row.version));
        [
            if verbose {
                tool.into_owned()
            } else {
                truncate_middle(&tool, TOOL_CELL)
            },
            if verbose {
                version.into_owned()
            } else {
                truncate(&version, VERSION_CELL)
            },
            result_cell(row, verbose),
            size(row.bytes),
            size(row.unpacked),
            row.elapsed_ms.map_or("-".to_owned(), duration_ms),
        ]
    };
    const HEADER: [&str; 6] = ["TOOL", "VERSION", "RESULT", "DOWNLOAD", "UNPACKED", "TIME"];
    let mut text = if verbose {
        let cells: Vec<[String; 7]> = rows
            .iter()
            .map(|row| {
                let [tool, version, result, download, unpacked, time] = cell(row);
                [
                    tool,
                    version,
                    result,
                    download,
                    unpacked,
                    time,
                    sanitize(&row.message).into_owned(),
                ]
            })
            .collect();
        let [a, b, c, d, e, f] = HEADER;
        vx_tui::text::columns([a, b, c, d, e, f, "MESSAGE"], &cells)
    } else {
        let cells: Vec<[String; 6]> = rows.iter().map(cell).collect();
        let mut text = vx_tui::text::columns(HEADER, &cells);
        for row in rows.iter().filter(|row| !row.ok && adds_to_result(row)) {
            let who = format!("{} {}", sanitize(&row.tool), sanitize(&row.version));
            text.push_str(&layout::outcome(&who, None, &sanitize(&row.message), width));
            text.push('\n');
        }
        text
    };
    text.push_str(&layout::fit(&totals(rows, took, work), width));
    text.push('\n');
    out.write_all(text.as_bytes())
}

/// Whether a row's message says more than its RESULT cell: not empty, not the result
/// again (a cancelled tool's `cancelled`).
fn adds_to_result(row: &Row) -> bool {
    let message = row.message.trim();
    !message.is_empty() && !message.eq_ignore_ascii_case(row.result.label())
}

/// `8 tools in 4.7s: 7 installed, 0 cached, 1 failed, 0 cancelled; 20.1 MiB
/// downloaded, 48.0 MiB unpacked`.
fn totals(rows: &[Row], took: Option<Duration>, work: super::Work) -> String {
    let tally = tally(rows);
    let mut text = count(rows.len() as u64, "tool");
    if let Some(took) = took {
        text.push_str(&format!(" in {}", duration_ms(took.as_millis() as u64)));
    }
    text.push_str(&format!(
        ": {} {}, {} cached, {} failed, {} cancelled",
        tally.installed,
        work.done(),
        tally.cached,
        tally.failed,
        tally.cancelled
    ));
    if tally.unfinished() > 0 {
        text.push_str(&format!(", {} not finished", tally.unfinished()));
    }
    let sum = |pick: fn(&Row) -> Option<u64>| {
        rows.iter().filter_map(pick).fold(0u64, u64::saturating_add)
    };
    // Every finished tool's bytes: a failed or cancelled download cost them too.
    let downloaded = sum(|row| {
        row.bytes
            .filter(|_| matches!(row.result, State::Phase(phase) if phase.is_terminal()))
    });
    let unpacked = sum(|row| row.unpacked);
    if downloaded > 0 || unpacked > 0 {
        text.push_str(&format!("; {} downloaded", human_bytes(downloaded)));
        if unpacked > 0 {
            text.push_str(&format!(", {} unpacked", human_bytes(unpacked)));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use vx_shm::{Phase, SlotRecord};

    /// The table of an install's `rows`, `verbose` or not, having `took` that long.
    fn install_table(rows: &[Row], verbose: bool, took: Option<Duration>) -> String {
        let mut out = Vec::new();
        write_table(
            &mut out,
            rows,
            verbose,
            took,
            None,
            crate::report::Work::Install,
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    fn snap(tool: &str, phase: Phase, code: i32, message: &str) -> SlotRead {
        let mut record = SlotRecord::queued(tool, "1.0");
        record.set_phase(phase);
        record.set_message(message);
        record.exit_code = code;
        record.started_unix_ms = 1_000;
        record.updated_unix_ms = 3_500;
        record.set_progress(2048, Some(2048));
        crate::report::snapshot_of(record)
    }

    #[test]
    fn the_table_lines_up_and_makes_failures_loud() {
        let rows = rows(
            &[
                snap("ripgrep", Phase::Completed, 0, "installed"),
                snap("bad", Phase::Failed, 11, "checksum mismatch"),
            ],
            &[],
        );
        let text = install_table(&rows, true, None);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "TOOL     VERSION  RESULT       DOWNLOAD  UNPACKED  TIME  MESSAGE"
        );
        assert_eq!(
            lines[1],
            "ripgrep  1.0      completed    2.0 KiB   -         2.5s  installed"
        );
        assert_eq!(
            lines[2],
            "bad      1.0      FAILED (11)  2.0 KiB   -         2.5s  checksum mismatch"
        );
        assert_eq!(
            lines[3],
            "2 tools: 1 installed, 0 cached, 1 failed, 0 cancelled; 4.0 KiB downloaded"
        );
    }

    #[test]
    fn a_finished_tool_shows_the_bytes_it_downloaded_not_the_file_size() {
        let mut cancelled = SlotRecord::queued("big", "1.0");
        cancelled.set_phase(Phase::Cancelled);
        // 1 MiB arrived of a 14 MiB file.
        cancelled.set_progress(1 << 20, Some(14 << 20));
        let mut resumed = SlotRecord::queued("resumed", "1.0");
        resumed.set_phase(Phase::Completed);
        // 10 MiB fetched now; the other 4 MiB were kept from an earlier run.
        resumed.set_progress(10 << 20, Some(14 << 20));
        let mut running = SlotRecord::queued("running", "1.0");
        running.set_phase(Phase::Downloading);
        running.set_progress(1 << 20, Some(14 << 20));
        let snaps: Vec<SlotRead> = [cancelled, resumed, running]
            .into_iter()
            .map(crate::report::snapshot_of)
            .collect();
        let rows = rows(&snaps, &[]);
        assert_eq!(rows[0].bytes, Some(1 << 20));
        assert_eq!(rows[1].bytes, Some(10 << 20));
        assert_eq!(
            rows[2].bytes,
            Some(14 << 20),
            "a running tool: its phase's size"
        );
        let text = install_table(&rows, false, None);
        let big = text.lines().find(|l| l.starts_with("big ")).unwrap();
        assert!(big.contains(" 1.0 MiB ") && !big.contains("14.0"), "{text}");
        assert!(text.ends_with("; 11.0 MiB downloaded\n"), "{text}");
    }

    #[test]
    fn without_v_the_table_fits_80_columns_and_says_what_was_unpacked_and_how_long() {
        let long = "a-tool-with-a-name-far-too-long-for-any-table";
        let mut rows = rows(
            &[
                snap(
                    long,
                    Phase::Completed,
                    0,
                    "installed into /a/very/long/store/path",
                ),
                snap(
                    "bad",
                    Phase::Failed,
                    11,
                    "checksum mismatch: expected 9f86d081884c7d65, got e3b0c44298fc1c14",
                ),
            ],
            &[],
        );
        rows[0].unpacked = Some(5 << 20);
        let took = Some(Duration::from_millis(4_700));
        let text = install_table(&rows, false, took);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[..3],
            [
                "TOOL                      VERSION  RESULT     DOWNLOAD  UNPACKED  TIME",
                "a-tool-with…ar-too-long-  1.0      completed  2.0 KiB   5.0 MiB   2.5s",
                "bad                       1.0      FAILED     2.0 KiB   -         2.5s",
            ]
        );
        assert!(lines[..3].iter().all(|l| vx_tui::text::width(l) <= 80));
        // The failure's reason whole, after the table; then the totals.
        assert_eq!(
            lines[3],
            "bad 1.0: checksum mismatch: expected 9f86d081884c7d65, got e3b0c44298fc1c14"
        );
        assert_eq!(
            lines[4],
            "2 tools in 4.7s: 1 installed, 0 cached, 1 failed, 0 cancelled; 4.0 KiB downloaded, 5.0 MiB unpacked"
        );
    }
}
