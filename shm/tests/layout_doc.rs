//! `docs/LAYOUT.md` is the contract for readers in other languages: its tables must give
//! exactly the offsets and sizes of the Rust types.

use std::collections::BTreeMap;
use std::mem::offset_of;

use vx_shm::layout::{
    HEADER_SIZE, OUTPUT_HEADER_SIZE, OutputHeader, RECORD_OFFSET, RING_HEADER_SIZE, RingHeader,
    SLOT_SIZE,
};
use vx_shm::{HeaderRecord, SlotRecord};

/// Rows of the table under `## {section}`: field name → (offset, size).
fn documented(section: &str) -> BTreeMap<String, (usize, usize)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/LAYOUT.md");
    let text = std::fs::read_to_string(path).expect("docs/LAYOUT.md");
    let start = text
        .find(&format!("\n## {section}\n"))
        .unwrap_or_else(|| panic!("no section {section}"));
    let body = &text[start + 1..];
    let body = &body[3..];
    let end = body.find("\n## ").unwrap_or(body.len());
    body[..end]
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // | offset | size | type | field | meaning |
            let offset = cells.get(1)?.parse().ok()?;
            let size = cells.get(2)?.parse().ok()?;
            Some((cells.get(4)?.to_string(), (offset, size)))
        })
        .collect()
}

macro_rules! fields {
    ($ty:ty, $base:expr, [$($field:ident),* $(,)?]) => {{
        let value: $ty = bytemuck::Zeroable::zeroed();
        let mut map = BTreeMap::new();
        $(
            map.insert(
                stringify!($field).to_string(),
                ($base + offset_of!($ty, $field), std::mem::size_of_val(&value.$field)),
            );
        )*
        map
    }};
}

#[test]
fn the_documented_header_is_the_rust_header() {
    let actual = fields!(
        HeaderRecord,
        0,
        [
            magic,
            version,
            byte_order,
            header_size,
            slot_size,
            slot_count,
            creator_pid,
            creator_start_ticks,
            created_unix_ms,
            session_id,
            flags,
            finished_unix_ms,
            label_len,
            reserved0,
            label,
            reserved1,
        ]
    );
    assert_eq!(documented("Header"), actual);
    let covered: usize = actual.values().map(|(_, size)| size).sum();
    assert_eq!(covered, HEADER_SIZE, "every header byte is documented");
}

#[test]
fn the_documented_slot_is_the_rust_slot() {
    let mut actual = fields!(
        SlotRecord,
        RECORD_OFFSET,
        [
            phase,
            exit_code,
            bytes_done,
            bytes_total,
            started_unix_ms,
            updated_unix_ms,
            writer_pid,
            flags,
            writer_start_ticks,
            attempt,
            tool_len,
            version_len,
            message_len,
            phases_seen,
            tool,
            version,
            message,
        ]
    );
    actual.insert("seq".into(), (0, 8));
    actual.insert("control".into(), (8, 8));
    assert_eq!(documented("Slot"), actual);
    let covered: usize = actual.values().map(|(_, size)| size).sum();
    assert_eq!(covered, SLOT_SIZE, "every slot byte is documented");
}

#[test]
fn the_documented_output_segment_is_the_rust_one() {
    let header = fields!(
        OutputHeader,
        0,
        [
            magic,
            version,
            byte_order,
            header_size,
            ring_header_size,
            ring_count,
            reserved0,
            ring_capacity,
            session_id,
            creator_pid,
            reserved1,
            creator_start_ticks,
            reserved2,
        ]
    );
    assert_eq!(documented("Output header"), header);
    let covered: usize = header.values().map(|(_, size)| size).sum();
    assert_eq!(
        covered, OUTPUT_HEADER_SIZE,
        "every header byte is documented"
    );
    let ring = fields!(
        RingHeader,
        0,
        [reserved_end, head, flags, reserved0, name_len, slot, name]
    );
    assert_eq!(documented("Ring header"), ring);
    let covered: usize = ring.values().map(|(_, size)| size).sum();
    assert_eq!(
        covered, RING_HEADER_SIZE,
        "every ring header byte is documented"
    );
}

#[test]
fn a_ring_read_at_the_documented_offsets_holds_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let board = vx_shm::TaskBoard::create(dir.path(), "vx.toml", &["build"], 64).unwrap();
    let mut writer = board.writer(0).unwrap();
    writer.output(b"hello from the task\n");
    writer.finish(vx_shm::TaskPhase::Done, Some(0), "");
    let file = std::fs::File::open(board.output_path()).unwrap();
    // SAFETY: a private segment in this test's own directory; nothing truncates it.
    let bytes = unsafe { memmap2::Mmap::map(&file) }.unwrap().to_vec();
    let word = |at: usize| u64::from_ne_bytes(bytes[at..at + 8].try_into().unwrap());
    assert_eq!(&bytes[0..8], b"VXOUTPT\0");
    assert_eq!(word(32), 64, "ring_capacity");
    let ring = OUTPUT_HEADER_SIZE;
    assert_eq!((word(ring), word(ring + 8), word(ring + 16)), (20, 20, 1));
    assert_eq!(&bytes[ring + 72..ring + 77], b"build");
    assert_eq!(&bytes[ring + 256..ring + 276], b"hello from the task\n");
    let board_bytes = std::fs::read(board.path()).unwrap_or_else(|_| {
        // SAFETY: as above.
        unsafe { memmap2::Mmap::map(&std::fs::File::open(board.path()).unwrap()) }
            .unwrap()
            .to_vec()
    });
    let flags = u64::from_ne_bytes(board_bytes[64..72].try_into().unwrap());
    assert_eq!(flags & 8, 8, "TASKS flag");
    let phase = u32::from_ne_bytes(board_bytes[272..276].try_into().unwrap());
    assert_eq!(phase, 22, "done");
}

#[test]
fn the_sequence_and_control_words_sit_where_documented_in_a_real_board() {
    // Read a real board's bytes the way a foreign reader would, at the documented offsets.
    let dir = tempfile::tempdir().unwrap();
    let tools = [vx_shm::ToolEntry {
        name: "ripgrep",
        version: "14.1.1",
    }];
    let board = vx_shm::Board::create(dir.path(), "vx.toml", &tools).unwrap();
    board.canceller().request_cancel(0).unwrap();
    // Mapped, as docs/LAYOUT.md tells a reader to (Windows refuses a locked board's
    // `ReadFile`, not its mapping).
    let file = std::fs::File::open(board.path()).unwrap();
    // SAFETY: a private board in this test's own directory; nothing truncates it.
    let bytes = unsafe { memmap2::Mmap::map(&file) }.unwrap().to_vec();
    let word = |at: usize| u64::from_ne_bytes(bytes[at..at + 8].try_into().unwrap());
    let slot = HEADER_SIZE;
    assert_eq!(&bytes[0..8], b"VXBOARD\0");
    assert_eq!(word(slot), 2, "one publish: the registration");
    assert_eq!(word(slot + 8), 1, "cancel bit");
    assert_eq!(bytes[slot + 76], 7, "tool_len");
    assert_eq!(&bytes[slot + 80..slot + 87], b"ripgrep");
    assert_eq!(&bytes[slot + 112..slot + 118], b"14.1.1");
    assert_eq!(word(slot + 32), u64::MAX, "bytes_total unknown");
}

#[test]
fn a_board_written_from_the_document_alone_reads_back() {
    // scripts/make-board-seed.py knows only docs/LAYOUT.md (it is also the fuzzing seed).
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/make-board-seed.py");
    let output = match std::process::Command::new("python3")
        .args([script, "3"])
        .output()
    {
        Ok(output) => output,
        Err(error) => {
            eprintln!("skipped: no python3 ({error})");
            return;
        }
    };
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed");
    std::fs::write(&path, &output.stdout).unwrap();
    let reader = vx_shm::BoardReader::open(&path, vx_shm::Access::ReadOnly).unwrap();
    assert!(reader.is_dump());
    assert_eq!(reader.info().label, "seed/vx.toml");
    let slots: Vec<_> = reader.snapshot().into_iter().map(Result::unwrap).collect();
    assert_eq!(slots.len(), 3);
    assert_eq!(slots[2].record.tool(), "tool-2");
    assert_eq!(slots[2].record.phase(), Some(vx_shm::Phase::Downloading));
    assert_eq!(slots[2].record.ratio(), Some(0.2));
    assert_eq!(slots[1].record.message(), "héllo");
}

#[test]
fn the_phase_table_matches_the_code_and_its_names() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/LAYOUT.md");
    let text = std::fs::read_to_string(path).expect("docs/LAYOUT.md");
    let start = text
        .find("| phase | name in code |")
        .expect("the phase table");
    let rows: Vec<Vec<&str>> = text[start..]
        .lines()
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            line.split('|')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 9, "every phase once");
    for row in rows {
        let code: u32 = row[0].parse().unwrap();
        let phase = vx_shm::Phase::from_code(code).expect("a known phase");
        assert_eq!(format!("{phase:?}"), row[1], "phase {code}");
        assert_eq!(phase.label(), row[2], "phase {code}");
    }
}
