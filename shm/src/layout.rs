//! The byte layout of a board: a 256-byte header followed by `slot_count` 256-byte slots.
//! `docs/LAYOUT.md` documents the same layout for readers in other languages; a test
//! checks the two against each other.

use bytemuck::{Pod, Zeroable};

/// First eight bytes of every board and dump.
pub const MAGIC: [u8; 8] = *b"VXBOARD\0";
/// The layout version this crate writes and the only one it reads.
pub const LAYOUT_VERSION: u32 = 1;
/// Written in native byte order; a reader on the other byte order sees `0x0403_0201`.
pub const BYTE_ORDER_MARK: u32 = 0x0102_0304;
/// Size of the header in bytes.
pub const HEADER_SIZE: usize = 256;
/// Size of one slot in bytes: sequence word, control word, record.
pub const SLOT_SIZE: usize = 256;
/// The most slots a board may hold; attach refuses more, whatever the header says.
pub const MAX_SLOTS: usize = 4096;
/// Capacity of the tool-name field of a slot, in bytes.
pub const TOOL_CAPACITY: usize = 32;
/// Capacity of the version field of a slot, in bytes.
pub const VERSION_CAPACITY: usize = 32;
/// Capacity of the message field of a slot, in bytes.
pub const MESSAGE_CAPACITY: usize = 112;
/// Capacity of the label (manifest path) field of the header, in bytes.
pub const LABEL_CAPACITY: usize = 160;
/// `bytes_total` value meaning "size not known".
pub const UNKNOWN_TOTAL: u64 = u64::MAX;

/// Header flag: the sync that owns the board has finished (every tool is terminal).
pub const BOARD_FINISHED: u64 = 1 << 0;
/// Header flag: these bytes are a dump, frozen; nobody will write them again.
pub const BOARD_DUMP: u64 = 1 << 1;
/// Header flag: the sync was interrupted (Ctrl-C or a signal).
pub const BOARD_INTERRUPTED: u64 = 1 << 2;

/// Header flag: the board is a task run's (`vx run`): its slots are tasks, their
/// `phase` codes are [`crate::TaskPhase`]s, and its output rings live in the sibling
/// output segment ([`OutputHeader`]).
pub const BOARD_TASKS: u64 = 1 << 3;

/// Slot flag: installed without a checksum, at the user's explicit request.
pub const SLOT_UNVERIFIED: u32 = 1 << 0;
/// Slot flag: the installed bytes' signatures were verified (at this install, or when
/// the lock that pinned them was written).
pub const SLOT_SIGNED: u32 = 1 << 1;

/// The board header as stored at offset 0. Every field but `flags` and `finished_unix_ms`
/// is written once, before the board becomes visible under its name.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct HeaderRecord {
    /// [`MAGIC`].
    pub magic: [u8; 8],
    /// [`LAYOUT_VERSION`].
    pub version: u32,
    /// [`BYTE_ORDER_MARK`].
    pub byte_order: u32,
    /// [`HEADER_SIZE`].
    pub header_size: u32,
    /// [`SLOT_SIZE`].
    pub slot_size: u32,
    /// Number of slots after the header.
    pub slot_count: u32,
    /// Process id of the creator (`vx sync`).
    pub creator_pid: u32,
    /// The creator's start time, so a reused pid is not mistaken for the creator; 0 when
    /// unknown. Its unit is the writing platform's (Linux: clock ticks since boot,
    /// `/proc/PID/stat` field 22; macOS: µs since the Unix epoch; Windows: 100 ns since
    /// 1601), see `docs/LAYOUT.md`.
    pub creator_start_ticks: u64,
    /// When the board was created, in milliseconds since the Unix epoch.
    pub created_unix_ms: u64,
    /// Random session id; its hex form is the board's id.
    pub session_id: [u8; 16],
    /// [`BOARD_FINISHED`], [`BOARD_DUMP`], [`BOARD_INTERRUPTED`].
    pub flags: u64,
    /// When the sync finished, in milliseconds since the Unix epoch; 0 while running.
    pub finished_unix_ms: u64,
    /// Number of meaningful bytes in `label`.
    pub label_len: u32,
    /// Reserved, zero.
    pub reserved0: u32,
    /// What the board is for, usually the manifest path; UTF-8.
    pub label: [u8; LABEL_CAPACITY],
    /// Reserved, zero.
    pub reserved1: u64,
}

/// The progress record of one tool, as stored in a slot after its sequence and control
/// words. All fields are plain integers and byte arrays, so any bit pattern is a valid
/// value; accessors on [`crate::SlotSnapshot`] validate what the fields mean.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Pod, Zeroable)]
pub struct SlotRecord {
    /// A [`crate::Phase`] code.
    pub phase: u32,
    /// Exit or error code of the install; 0 while running or on success.
    pub exit_code: i32,
    /// Bytes processed in the current phase.
    pub bytes_done: u64,
    /// Bytes expected in the current phase, or [`UNKNOWN_TOTAL`].
    pub bytes_total: u64,
    /// When the install started, ms since the Unix epoch; 0 while queued.
    pub started_unix_ms: u64,
    /// Last publish (heartbeat), ms since the Unix epoch.
    pub updated_unix_ms: u64,
    /// Process id of the slot's current writer; 0 when none.
    pub writer_pid: u32,
    /// [`SLOT_UNVERIFIED`], [`SLOT_SIGNED`].
    pub flags: u32,
    /// The writer's start time, in the unit of `creator_start_ticks`.
    pub writer_start_ticks: u64,
    /// Download attempt, 1-based; 0 before the first.
    pub attempt: u32,
    /// Meaningful bytes in `tool`.
    pub tool_len: u8,
    /// Meaningful bytes in `version`.
    pub version_len: u8,
    /// Meaningful bytes in `message`.
    pub message_len: u8,
    /// Every phase the slot has entered, Resolving to Skipped: bit `code - 1` per phase
    /// (see [`SlotRecord::phases_seen`]), so a reader polling slower than a phase lasts
    /// still learns it happened. Zero from a writer that does not record it.
    pub phases_seen: u8,
    /// Tool name, UTF-8.
    pub tool: [u8; TOOL_CAPACITY],
    /// Tool version, UTF-8.
    pub version: [u8; VERSION_CAPACITY],
    /// Latest human-readable message (an error, a note), UTF-8.
    pub message: [u8; MESSAGE_CAPACITY],
}

/// First eight bytes of a task run's output segment.
pub const OUTPUT_MAGIC: [u8; 8] = *b"VXOUTPT\0";
/// The output segment layout version this crate writes and the only one it reads.
pub const OUTPUT_VERSION: u32 = 1;
/// Size of the output segment's header in bytes.
pub const OUTPUT_HEADER_SIZE: usize = 256;
/// Size of the header of each ring (its control words and task name) in bytes.
pub const RING_HEADER_SIZE: usize = 256;
/// The smallest data area a ring may have, in bytes.
pub const MIN_RING_CAPACITY: usize = 64;
/// The largest data area a ring may have, in bytes.
pub const MAX_RING_CAPACITY: usize = 16 << 20;
/// The largest output segment a reader maps, whatever its header says.
pub const MAX_OUTPUT_SIZE: usize = 1 << 30;
/// Capacity of a ring header's task-name field, in bytes.
pub const RING_NAME_CAPACITY: usize = 184;
/// Ring flag: the task's output has ended; nothing more will be appended.
pub const RING_CLOSED: u64 = 1 << 0;

/// The header of a task run's output segment, at offset 0. Written once, before the
/// segment becomes visible under its name.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct OutputHeader {
    /// [`OUTPUT_MAGIC`].
    pub magic: [u8; 8],
    /// [`OUTPUT_VERSION`].
    pub version: u32,
    /// [`BYTE_ORDER_MARK`].
    pub byte_order: u32,
    /// [`OUTPUT_HEADER_SIZE`].
    pub header_size: u32,
    /// [`RING_HEADER_SIZE`].
    pub ring_header_size: u32,
    /// Number of rings: the board's slot count, ring `i` for slot `i`.
    pub ring_count: u32,
    /// Reserved, zero.
    pub reserved0: u32,
    /// Bytes of data per ring: a power of two from [`MIN_RING_CAPACITY`] to
    /// [`MAX_RING_CAPACITY`].
    pub ring_capacity: u64,
    /// The board's session id: the segment belongs to the board of the same id.
    pub session_id: [u8; 16],
    /// Process id of the creator (`vx run`), the writer of every ring.
    pub creator_pid: u32,
    /// Reserved, zero.
    pub reserved1: u32,
    /// The creator's start time, as the board header's `creator_start_ticks`.
    pub creator_start_ticks: u64,
    /// Reserved, zero.
    pub reserved2: [u64; 23],
}

/// The header of one ring, before its data. `reserved_end`, `head` and `flags` change
/// while the task runs (atomically, see `ring.rs`); the name is written once.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct RingHeader {
    /// End position of the append in progress (or the last one).
    pub reserved_end: u64,
    /// End position of the last complete append: bytes written so far.
    pub head: u64,
    /// [`RING_CLOSED`].
    pub flags: u64,
    /// Reserved, zero.
    pub reserved0: [u64; 5],
    /// Meaningful bytes in `name`.
    pub name_len: u32,
    /// The board slot this ring belongs to (equal to the ring's index).
    pub slot: u32,
    /// The task's full name, UTF-8 (the slot holds it cut to 32 bytes).
    pub name: [u8; RING_NAME_CAPACITY],
}

/// Offset of a ring header's `reserved_end` word.
pub const RING_RESERVED_OFFSET: usize = std::mem::offset_of!(RingHeader, reserved_end);
/// Offset of a ring header's `head` word.
pub const RING_HEAD_OFFSET: usize = std::mem::offset_of!(RingHeader, head);
/// Offset of a ring header's `flags` word.
pub const RING_FLAGS_OFFSET: usize = std::mem::offset_of!(RingHeader, flags);

/// Size in bytes of an output segment of `rings` rings of `capacity` bytes each, or
/// `None` if it overflows.
pub const fn output_size(rings: usize, capacity: usize) -> Option<usize> {
    match (RING_HEADER_SIZE + capacity).checked_mul(rings) {
        Some(rings) => rings.checked_add(OUTPUT_HEADER_SIZE),
        None => None,
    }
}

/// Offset of ring `index`'s header in an output segment of rings of `capacity` bytes.
pub const fn ring_offset(index: usize, capacity: usize) -> usize {
    OUTPUT_HEADER_SIZE + index * (RING_HEADER_SIZE + capacity)
}

/// Words in a slot's record.
pub const RECORD_WORDS: usize = size_of::<SlotRecord>() / 8;
/// Offset of the record inside a slot (after the sequence and control words).
pub const RECORD_OFFSET: usize = 16;

const _: () = {
    assert!(size_of::<HeaderRecord>() == HEADER_SIZE);
    assert!(RECORD_OFFSET + size_of::<SlotRecord>() == SLOT_SIZE);
    assert!(size_of::<SlotRecord>().is_multiple_of(8));
    assert!(align_of::<SlotRecord>() <= 8 && align_of::<HeaderRecord>() <= 8);
    assert!(size_of::<OutputHeader>() == OUTPUT_HEADER_SIZE);
    assert!(size_of::<RingHeader>() == RING_HEADER_SIZE);
    assert!(RING_HEADER_SIZE.is_multiple_of(64) && MIN_RING_CAPACITY.is_multiple_of(64));
};

/// Size in bytes of a board with `slots` slots.
pub const fn board_size(slots: usize) -> usize {
    HEADER_SIZE + slots * SLOT_SIZE
}

/// Copies `text` into `field`, cut on a char boundary so the field stays valid UTF-8,
/// and returns the number of bytes used.
pub(crate) fn store_str(field: &mut [u8], text: &str) -> usize {
    let mut len = text.len().min(field.len());
    while !text.is_char_boundary(len) {
        len -= 1;
    }
    field[..len].copy_from_slice(&text.as_bytes()[..len]);
    field[len..].fill(0);
    len
}

/// Reads a string field of untrusted length: the length is clamped to the field and
/// invalid UTF-8 is replaced, so any bytes give a printable answer.
pub(crate) fn load_str(field: &[u8], len: usize) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(&field[..len.min(field.len())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_cut_on_char_boundaries() {
        let mut field = [0xffu8; 5];
        // "héé": h(1) é(2) é(2) = 5 bytes fits; "hééé" (7) must cut to 5, not 6.
        assert_eq!(store_str(&mut field, "hééé"), 5);
        assert_eq!(load_str(&field, 5), "héé");
        assert_eq!(store_str(&mut field, "ab"), 2);
        assert_eq!(field, [b'a', b'b', 0, 0, 0]);
    }

    #[test]
    fn untrusted_lengths_and_bytes_never_panic() {
        let field = [0xff, b'x', 0xc3];
        assert_eq!(load_str(&field, 200), "\u{fffd}x\u{fffd}");
        assert_eq!(load_str(&field, 0), "");
    }
}
