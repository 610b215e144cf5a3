//! A task run's output segment: the sibling of its board (`vx-output-<id>` beside
//! `vx-board-<id>`), holding one bounded byte ring per task. The board keeps its
//! layout (every reader of boards still reads a task board); the rings, far larger than
//! a slot, live here. The run's creator writes every ring (it reads its tasks' pipes);
//! readers copy ring bytes in place ([`crate::ring`]) and never slow it down.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::ProcessId;
use crate::board::{RemoveOnDrop, Staged};
use crate::error::{Error, Result};
use crate::layout::{
    BYTE_ORDER_MARK, MAX_OUTPUT_SIZE, MAX_RING_CAPACITY, MAX_SLOTS, MIN_RING_CAPACITY,
    OUTPUT_HEADER_SIZE, OUTPUT_MAGIC, OUTPUT_VERSION, OutputHeader, RING_CLOSED, RING_FLAGS_OFFSET,
    RING_HEAD_OFFSET, RING_HEADER_SIZE, RING_NAME_CAPACITY, RING_RESERVED_OFFSET, RingHeader,
    load_str, output_size, ring_offset, store_str,
};
use crate::platform;
use crate::primitive::{AtomicU64, Ordering, fence};
use crate::registry::{OUTPUT_PREFIX, id_of};
use crate::ring::{self, RingControl};
use crate::segment::{Access, Mapped};

/// The name of the output segment of board `id`.
pub(crate) fn output_name(id: &str) -> String {
    format!("{OUTPUT_PREFIX}{id}")
}

/// A validated mapping of an output segment.
pub(crate) struct OutputSegment {
    mapped: Mapped,
    rings: usize,
    capacity: usize,
}

/// The atomics of one ring inside the mapping.
pub(crate) struct RingView<'a> {
    control: RingControl<'a>,
    flags: &'a AtomicU64,
    data: &'a [AtomicU64],
}

impl OutputSegment {
    /// Creates, fills in and publishes the output segment of board `session_id` in
    /// `dir`, one ring of `capacity` bytes per name. Returns the segment, its path, and
    /// the locked file whose lock marks the creator alive.
    pub(crate) fn create(
        dir: &Path,
        session_id: [u8; 16],
        names: &[&str],
        capacity: usize,
    ) -> Result<(OutputSegment, File, RemoveOnDrop)> {
        let invalid = |problem: String| Err(Error::InvalidTools(problem));
        if !capacity.is_power_of_two()
            || !(MIN_RING_CAPACITY..=MAX_RING_CAPACITY).contains(&capacity)
        {
            return invalid(format!(
                "a ring of {capacity} bytes: it must be a power of two from {MIN_RING_CAPACITY} to {MAX_RING_CAPACITY}"
            ));
        }
        let size = output_size(names.len(), capacity).filter(|size| *size <= MAX_OUTPUT_SIZE);
        let Some(size) = size else {
            return invalid(format!(
                "{} rings of {capacity} bytes are over the limit of {MAX_OUTPUT_SIZE} bytes",
                names.len()
            ));
        };
        let id = id_of(&session_id);
        let path = dir.join(output_name(&id));
        let staging = dir.join(format!(".{}.init", output_name(&id)));
        let file =
            platform::create_private(&staging).map_err(|e| Error::io("create", &staging, e))?;
        let staged = Staged(&staging);
        file.lock().map_err(|e| Error::io("lock", &staging, e))?;
        let mapped = Mapped::create(&file, &staging, size)?;
        let creator = ProcessId::current();
        let header = OutputHeader {
            magic: OUTPUT_MAGIC,
            version: OUTPUT_VERSION,
            byte_order: BYTE_ORDER_MARK,
            header_size: OUTPUT_HEADER_SIZE as u32,
            ring_header_size: RING_HEADER_SIZE as u32,
            ring_count: names.len() as u32,
            ring_capacity: capacity as u64,
            session_id,
            creator_pid: creator.pid,
            creator_start_ticks: creator.start_ticks,
            ..bytemuck::Zeroable::zeroed()
        };
        // One header a ring, each `capacity` bytes from the last.
        mapped.scattered_writes(true);
        store_words(&mapped, 0, bytemuck::cast_slice(&[header]));
        for (index, name) in names.iter().enumerate() {
            let mut ring = RingHeader {
                slot: index as u32,
                ..bytemuck::Zeroable::zeroed()
            };
            ring.name_len = store_str(&mut ring.name, name) as u32;
            store_words(
                &mapped,
                ring_offset(index, capacity),
                bytemuck::cast_slice(&[ring]),
            );
        }
        // The rings' output is written in order: read-ahead helps there.
        mapped.scattered_writes(false);
        platform::publish(&staging, &path).map_err(|e| Error::io("publish", &path, e))?;
        drop(staged);
        let segment = OutputSegment {
            mapped,
            rings: names.len(),
            capacity,
        };
        Ok((segment, file, RemoveOnDrop(path)))
    }

    /// Maps the output segment at `path` and validates its header; `session_id` is the
    /// board's, which the segment must name.
    pub(crate) fn open(path: &Path, session_id: &[u8; 16]) -> Result<OutputSegment> {
        let (min, max) = (OUTPUT_HEADER_SIZE as u64, MAX_OUTPUT_SIZE as u64);
        let (mapped, ownership) = Mapped::open(path, Access::ReadOnly, min, max)?;
        ownership.check_live(path)?;
        let words = mapped
            .words(0, OUTPUT_HEADER_SIZE / 8)
            .ok_or_else(|| corrupt(path, "shorter than its header".into()))?;
        let copy: Vec<u64> = words.iter().map(|w| w.load(Ordering::Relaxed)).collect();
        let header: OutputHeader = *bytemuck::from_bytes(bytemuck::cast_slice(&copy));
        let (rings, capacity) = validate(&header, mapped.len(), path)?;
        if header.session_id != *session_id {
            return Err(corrupt(
                path,
                format!(
                    "it holds the output of board {}, not {}",
                    id_of(&header.session_id),
                    id_of(session_id)
                ),
            ));
        }
        Ok(OutputSegment {
            mapped,
            rings,
            capacity,
        })
    }

    /// Number of rings.
    pub(crate) fn rings(&self) -> usize {
        self.rings
    }

    /// Bytes of data per ring.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Ring `index`'s atomics, `None` past the last ring.
    pub(crate) fn ring(&self, index: usize) -> Option<RingView<'_>> {
        if index >= self.rings {
            return None;
        }
        let base = ring_offset(index, self.capacity);
        let word = |offset: usize| self.mapped.words(base + offset, 1).map(|w| &w[0]);
        Some(RingView {
            control: RingControl {
                reserved: word(RING_RESERVED_OFFSET)?,
                head: word(RING_HEAD_OFFSET)?,
            },
            flags: word(RING_FLAGS_OFFSET)?,
            data: self
                .mapped
                .words(base + RING_HEADER_SIZE, self.capacity / 8)?,
        })
    }

    /// The segment's length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.mapped.len()
    }

    /// The parts of the segment that hold anything, each word loaded once (a ring
    /// being written may be caught mid-append: its reader's checks see that, as they
    /// do in place): the header, and each ring's header and the data its appends
    /// reached, by their byte offsets. The rest of every ring is zeros as the segment
    /// was made, so a copy that writes only these (a sparse file of the segment's
    /// length) reads as the whole: a run of a hundred tasks that wrote a line each
    /// keeps a few kilobytes, not a hundred rings (issue 67: the kept run cost more
    /// than restoring its tasks).
    pub(crate) fn used_parts(&self) -> Vec<(usize, Vec<u64>)> {
        let load = |offset: usize, bytes: usize| -> Option<(usize, Vec<u64>)> {
            let words = self.mapped.words(offset, bytes / 8)?;
            Some((
                offset,
                words.iter().map(|w| w.load(Ordering::Relaxed)).collect(),
            ))
        };
        let mut parts: Vec<(usize, Vec<u64>)> = load(0, OUTPUT_HEADER_SIZE).into_iter().collect();
        for index in 0..self.rings {
            let base = ring_offset(index, self.capacity);
            let Some(ring) = self.ring(index) else { break };
            // Appends write the data before they move `reserved` (and `head` after
            // it): what lies beyond `reserved` was never written.
            let reached = ring
                .control
                .reserved
                .load(Ordering::Acquire)
                .max(ring.control.head.load(Ordering::Acquire));
            let used = usize::try_from(reached)
                .unwrap_or(usize::MAX)
                .min(self.capacity)
                .next_multiple_of(8);
            parts.extend(load(base, RING_HEADER_SIZE + used));
        }
        parts
    }

    /// Ring `index`'s task name (written once at creation; untrusted: clamped, lossy).
    pub(crate) fn name(&self, index: usize) -> Option<String> {
        let base = ring_offset(index, self.capacity);
        let words = self.mapped.words(base, RING_HEADER_SIZE / 8)?;
        let copy: Vec<u64> = words.iter().map(|w| w.load(Ordering::Relaxed)).collect();
        let header: &RingHeader = bytemuck::from_bytes(bytemuck::cast_slice(&copy));
        Some(load_str(&header.name, header.name_len as usize).into_owned())
    }
}

impl RingView<'_> {
    /// Appends `bytes` (the ring's single writer only).
    pub(crate) fn append(&self, bytes: &[u8]) -> u64 {
        ring::append(&self.control, self.data, bytes)
    }

    /// Copies up to `max` bytes from `from` into `out`.
    pub(crate) fn read(&self, from: u64, max: usize, out: &mut Vec<u8>) -> ring::ReadOutcome {
        ring::read(&self.control, self.data, from, max, out)
    }

    /// Marks the ring's output ended (after its last append).
    pub(crate) fn close(&self) {
        self.flags.fetch_or(RING_CLOSED, Ordering::Release);
    }

    /// Whether the writer marked the ring's output ended. Read *before* a final read:
    /// a closed ring's head no longer moves, so what that read returns is all there is.
    pub(crate) fn closed(&self) -> bool {
        let flags = self.flags.load(Ordering::Relaxed);
        fence(Ordering::Acquire);
        flags & RING_CLOSED != 0
    }
}

/// Stores `words` at byte `offset` of a segment being created (not yet visible).
fn store_words(mapped: &Mapped, offset: usize, words: &[u64]) {
    let target = mapped
        .words(offset, words.len())
        .expect("sized for the header and every ring");
    for (word, value) in target.iter().zip(words) {
        word.store(*value, Ordering::Relaxed);
    }
}

/// Validates every header field a reader relies on; returns ring count and capacity.
fn validate(header: &OutputHeader, mapped: usize, path: &Path) -> Result<(usize, usize)> {
    crate::segment::check_identity(
        (header.magic, header.byte_order, header.version),
        (OUTPUT_MAGIC, OUTPUT_VERSION),
        path,
    )?;
    if header.header_size as usize != OUTPUT_HEADER_SIZE
        || header.ring_header_size as usize != RING_HEADER_SIZE
    {
        return Err(corrupt(
            path,
            format!(
                "header sizes {} and {} (expected {OUTPUT_HEADER_SIZE} and {RING_HEADER_SIZE})",
                header.header_size, header.ring_header_size
            ),
        ));
    }
    let rings = header.ring_count as usize;
    if rings > MAX_SLOTS {
        return Err(corrupt(
            path,
            format!("{rings} rings is over the limit of {MAX_SLOTS}"),
        ));
    }
    let capacity = usize::try_from(header.ring_capacity).unwrap_or(usize::MAX);
    if !capacity.is_power_of_two() || !(MIN_RING_CAPACITY..=MAX_RING_CAPACITY).contains(&capacity) {
        return Err(corrupt(
            path,
            format!("a ring capacity of {} bytes", header.ring_capacity),
        ));
    }
    if output_size(rings, capacity) != Some(mapped) {
        return Err(corrupt(
            path,
            format!("{rings} rings of {capacity} bytes do not fill the file's {mapped} bytes"),
        ));
    }
    Ok((rings, capacity))
}

fn corrupt(path: &Path, problem: String) -> Error {
    Error::CorruptHeader {
        path: path.into(),
        problem,
    }
}

/// Where the output segment of the board at `board_path` lives: beside it.
pub(crate) fn sibling_path(board_path: &Path, id: &str) -> PathBuf {
    board_path.with_file_name(output_name(id))
}

const _: () = assert!(RING_NAME_CAPACITY >= 128);
