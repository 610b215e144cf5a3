//! The layout is the same on every platform: a dump written by the Windows build (under
//! Wine, committed as `tests/fixtures/windows-board.dump`) reads on every platform with
//! its tool rows intact, and this platform writes the very same bytes for the same
//! board, but for the fields that name a process, a moment or a random id.
//!
//! To write the fixture again (from Linux, with `.ci/windows`'s tools installed):
//!
//! ```text
//! CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=.ci/wine/run \
//!   cargo test -p vx-shm --target x86_64-pc-windows-gnu --test fixture -- --ignored write_the_fixture
//! ```

use std::path::Path;

use vx_shm::layout::{HEADER_SIZE, SLOT_SIZE};
use vx_shm::{Access, Board, BoardReader, Phase, ToolEntry};

/// The committed dump, written by the Windows build.
const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/windows-board.dump"
);

/// One tool's row on the board: what the scenario publishes and the reader must see.
struct Row {
    tool: &'static str,
    version: &'static str,
    phase: Phase,
    exit_code: i32,
    done: u64,
    total: Option<u64>,
    attempt: u32,
    unverified: bool,
    message: &'static str,
}

/// A finished sync shaped like `vx sync --demo`'s: installed tools, a cached one, a
/// checksum failure, a cancel, and one still downloading when the dump was taken.
const ROWS: [Row; 8] = [
    Row {
        tool: "ripgrep",
        version: "14.1.1",
        phase: Phase::Completed,
        exit_code: 0,
        done: 2_048_000,
        total: Some(2_048_000),
        attempt: 1,
        unverified: false,
        message: "",
    },
    Row {
        tool: "fd",
        version: "10.2.0",
        phase: Phase::Completed,
        exit_code: 0,
        done: 1_000,
        total: Some(1_000),
        attempt: 2,
        unverified: false,
        message: "retried once",
    },
    Row {
        tool: "jq",
        version: "1.7.1",
        phase: Phase::Skipped,
        exit_code: 0,
        done: 0,
        total: Some(0),
        attempt: 0,
        unverified: false,
        message: "cached",
    },
    Row {
        tool: "bat",
        version: "0.24.0",
        phase: Phase::Completed,
        exit_code: 0,
        done: 4_096,
        total: None,
        attempt: 1,
        unverified: true,
        message: "no sha256: unverified",
    },
    Row {
        tool: "broken-checksum",
        version: "0.0.1",
        phase: Phase::Failed,
        exit_code: 3,
        done: 512,
        total: Some(512),
        attempt: 1,
        unverified: false,
        message: "sha256 mismatch: expected 00ff…, got 1234…",
    },
    Row {
        tool: "cmake",
        version: "3.31.0",
        phase: Phase::Cancelled,
        exit_code: 130,
        done: 10,
        total: Some(100),
        attempt: 1,
        unverified: false,
        message: "cancelled",
    },
    Row {
        tool: "node",
        version: "22.11.0",
        phase: Phase::Downloading,
        exit_code: 0,
        done: 7,
        total: Some(30),
        attempt: 1,
        unverified: false,
        message: "héllo wörld ✓",
    },
    Row {
        tool: "msvc",
        version: "17.12",
        phase: Phase::Queued,
        exit_code: 0,
        done: 0,
        total: None,
        attempt: 0,
        unverified: false,
        message: "",
    },
];

/// The label says which platform wrote the board.
fn label(os: &str) -> String {
    format!("fixture/{os}/vx.toml")
}

/// Creates the scenario's board in `dir`, every row published by the creator with fixed
/// timestamps, and the sync marked finished.
fn scenario(dir: &Path) -> Board {
    let tools: Vec<ToolEntry<'_>> = ROWS
        .iter()
        .map(|row| ToolEntry {
            name: row.tool,
            version: row.version,
        })
        .collect();
    let board = Board::create(dir, &label(std::env::consts::OS), &tools).unwrap();
    for (index, row) in ROWS.iter().enumerate() {
        if row.phase == Phase::Queued {
            continue;
        }
        let mut writer = board.writer(index).unwrap();
        let record = writer.record_mut();
        if row.phase != Phase::Skipped {
            record.set_phase(Phase::Resolving);
            record.set_phase(Phase::Downloading);
        }
        record.set_phase(row.phase);
        record.exit_code = row.exit_code;
        record.set_progress(row.done, row.total);
        record.attempt = row.attempt;
        record.flags = u32::from(row.unverified);
        record.set_message(row.message);
        record.started_unix_ms = 1_700_000_000_000 + index as u64;
        record.updated_unix_ms = 1_700_000_060_000 + index as u64;
        writer.publish();
    }
    board.finish(false);
    board
}

/// Zeroes the bytes that differ between any two runs of the scenario: the creator's and
/// writers' pid and start time (whose unit is the platform's, see `docs/LAYOUT.md`),
/// the creation and finish times, and the random session id.
fn mask(bytes: &mut [u8]) {
    for range in [28..48, 48..64, 72..80] {
        bytes[range].fill(0);
    }
    let mut slot = HEADER_SIZE;
    while slot + SLOT_SIZE <= bytes.len() {
        bytes[slot + 56..slot + 60].fill(0);
        bytes[slot + 64..slot + 72].fill(0);
        slot += SLOT_SIZE;
    }
}

#[test]
fn the_windows_dump_reads_back_with_its_tool_rows() {
    let reader = BoardReader::open(Path::new(FIXTURE), Access::ReadOnly).unwrap();
    assert!(reader.is_dump());
    assert!(reader.is_finished() && !reader.was_interrupted());
    let info = reader.info();
    assert_eq!(info.label, label("windows"), "written by the Windows build");
    assert_eq!(info.slot_count, ROWS.len());
    // Windows records a start time as a FILETIME: 100 ns intervals since 1601, so any
    // process started after 1970 has at least this many.
    assert!(
        info.creator.start_ticks > 116_444_736_000_000_000,
        "{info:?}"
    );
    let slots = reader.snapshot();
    for (slot, row) in slots.iter().zip(&ROWS) {
        let snap = slot.as_ref().unwrap();
        let record = &snap.record;
        assert_eq!(record.tool(), row.tool);
        assert_eq!(record.version(), row.version);
        assert_eq!(record.phase(), Some(row.phase), "{}", row.tool);
        assert_eq!(record.exit_code, row.exit_code, "{}", row.tool);
        assert_eq!(record.bytes_done, row.done, "{}", row.tool);
        assert_eq!(record.bytes_total(), row.total, "{}", row.tool);
        assert_eq!(record.attempt, row.attempt, "{}", row.tool);
        assert_eq!(record.unverified(), row.unverified, "{}", row.tool);
        assert_eq!(record.message(), row.message, "{}", row.tool);
        if row.phase != Phase::Queued {
            assert_eq!(record.writer(), Some(info.creator), "{}", row.tool);
        }
        assert!(!snap.cancel_requested);
    }
    assert_eq!(reader.find("broken-checksum"), Some(4));
}

#[test]
fn this_platform_writes_the_same_bytes_as_windows() {
    let dir = tempfile::tempdir().unwrap();
    let board = scenario(dir.path());
    let dump = dir.path().join("dump");
    board.reader().dump_to(&dump).unwrap();
    let mut ours = std::fs::read(&dump).unwrap();
    let mut theirs = std::fs::read(FIXTURE).unwrap();
    mask(&mut ours);
    mask(&mut theirs);
    // Only the label's platform name may differ.
    let (ours_label, theirs_label) = (label(std::env::consts::OS), label("windows"));
    let at = 88;
    assert_eq!(
        &theirs[at..at + theirs_label.len()],
        theirs_label.as_bytes()
    );
    theirs[80..84].copy_from_slice(&(ours_label.len() as u32).to_ne_bytes());
    theirs[at..at + 160].fill(0);
    theirs[at..at + ours_label.len()].copy_from_slice(ours_label.as_bytes());
    assert_eq!(ours.len(), theirs.len());
    if let Some(first) = (0..ours.len()).find(|&i| ours[i] != theirs[i]) {
        panic!(
            "byte {first} differs (slot {:?}): here {:#04x}, Windows {:#04x}",
            first
                .checked_sub(HEADER_SIZE)
                .map(|o| (o / SLOT_SIZE, o % SLOT_SIZE)),
            ours[first],
            theirs[first]
        );
    }
}

/// Writes the fixture; run under Wine (see the module's documentation).
#[test]
#[ignore = "writes tests/fixtures/windows-board.dump; run by hand under Wine"]
fn write_the_fixture() {
    assert_eq!(
        std::env::consts::OS,
        "windows",
        "the fixture is Windows-made"
    );
    let dir = tempfile::tempdir().unwrap();
    let board = scenario(dir.path());
    board.reader().dump_to(Path::new(FIXTURE)).unwrap();
    println!("wrote {FIXTURE}");
}
