//! The mapped bytes of a board and the only place that turns them into atomics. All the
//! crate's `unsafe` for memory access is here: every pointer handed out is bounds-checked
//! against a mapping whose header was validated first.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use memmap2::{Mmap, MmapOptions, MmapRaw};

use crate::error::{Error, Result};
use crate::layout::{
    BOARD_DUMP, BYTE_ORDER_MARK, HEADER_SIZE, HeaderRecord, LAYOUT_VERSION, MAGIC, MAX_SLOTS,
    RECORD_WORDS, SLOT_SIZE, board_size,
};
use crate::platform::{self, User};
use crate::primitive::{AtomicU64, Ordering};
use crate::registry::{board_id, id_of};
use crate::seqlock::SeqCell;

/// One slot of the table as it lies in the mapping.
pub(crate) type Slot = SeqCell<RECORD_WORDS>;

const HEADER_WORDS: usize = HEADER_SIZE / 8;
/// Offset of the header's `flags` word.
const FLAGS_WORD: usize = std::mem::offset_of!(HeaderRecord, flags) / 8;
/// Offset of the header's `finished_unix_ms` word.
const FINISHED_WORD: usize = std::mem::offset_of!(HeaderRecord, finished_unix_ms) / 8;

const _: () = {
    assert!(size_of::<Slot>() == SLOT_SIZE);
    assert!(align_of::<Slot>() <= 8);
    // Slots start and end on cache-line boundaries, so two writers never share a line.
    assert!(HEADER_SIZE.is_multiple_of(64) && SLOT_SIZE.is_multiple_of(64));
};

/// How a board is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Read slots and also write: a slot writer, or a reader that may request cancel.
    ReadWrite,
    /// Read only: dumps, and watchers that must not change anything.
    ReadOnly,
}

enum Mapping {
    /// The file itself, shared with every other process that maps it.
    Shared(MmapRaw),
    /// A private read-only copy, for dump files owned by another user: they could truncate
    /// a shared mapping under us (SIGBUS), a copy cannot change.
    Copy(Mmap),
}

/// A mapped file of ours (a board, or a task run's output segment), before its header is
/// validated: the part of create and attach that does not depend on the layout. Every
/// pointer into a mapping is made here, bounds-checked against its length.
pub(crate) struct Mapped {
    mapping: Mapping,
    writable: bool,
}

/// Who owns a file [`Mapped::open`] mapped, to decide whether to trust it: a live
/// segment must be the user's own and private.
pub(crate) struct Ownership {
    owner: User,
    me: User,
    meta: std::fs::Metadata,
}

impl Ownership {
    /// Checks what a live segment must be: the user's own, with no group or other
    /// permission bits.
    pub(crate) fn check_live(&self, path: &Path) -> Result<()> {
        if self.owner != self.me {
            return Err(foreign(path, &self.owner, &self.me));
        }
        if let Some(mode) = platform::private_mode(&self.meta) {
            return Err(Error::NotPrivate {
                path: path.into(),
                mode,
            });
        }
        Ok(())
    }
}

impl Mapped {
    /// Gives a freshly created, exclusively owned file `len` bytes and maps it writable.
    pub(crate) fn create(file: &File, path: &Path, len: usize) -> Result<Mapped> {
        platform::reserve(file, len as u64).map_err(|e| {
            if e.kind() == std::io::ErrorKind::StorageFull {
                Error::NoSpace {
                    dir: path.parent().unwrap_or(path).to_path_buf(),
                    needed: len as u64,
                }
            } else {
                Error::io("size", path, e)
            }
        })?;
        let raw = MmapRaw::map_raw(file).map_err(|e| Error::io("map", path, e))?;
        check_mapping(raw.as_mut_ptr(), raw.len(), len, path)?;
        Ok(Mapped {
            mapping: Mapping::Shared(raw),
            writable: true,
        })
    }

    /// Tells the system whether the next writes land pages apart (`true`: one word
    /// here and there, as a new output segment's ring headers, one a ring), so that a
    /// write's page fault brings in that page alone rather than the read-ahead window
    /// around it; `false` goes back to the default. On a disk-backed directory (macOS's
    /// `$TMPDIR`, a `VX_BOARD_DIR` on disk) read-ahead over a freshly reserved file
    /// zero-fills the window around every fault: 5 % of a 100-task run's CPU samples
    /// (docs/BENCHMARKS.md §19), before its first task could start. Advice only: where
    /// it cannot be given, nothing changes.
    pub(crate) fn scattered_writes(&self, scattered: bool) {
        #[cfg(unix)]
        if let Mapping::Shared(raw) = &self.mapping {
            let advice = if scattered {
                memmap2::Advice::Random
            } else {
                memmap2::Advice::Normal
            };
            let _ = raw.advise(advice);
        }
        #[cfg(not(unix))]
        let _ = scattered;
    }

    /// Maps the file at `path` of `min..=max` bytes: shared when it is the user's own,
    /// else (read-only access only) as a private copy; a file of another user asked for
    /// read-write is refused. The caller validates the contents.
    pub(crate) fn open(
        path: &Path,
        access: Access,
        min: u64,
        max: u64,
    ) -> Result<(Mapped, Ownership)> {
        // Opening a FIFO would block until someone writes to it: look before opening.
        let kind = std::fs::metadata(path).map_err(|e| Error::io("open", path, e))?;
        if !kind.is_file() {
            return Err(Error::NotAFile { path: path.into() });
        }
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(access == Access::ReadWrite)
            .open(path)
            .map_err(|e| Error::io("open", path, e))?;
        let meta = file.metadata().map_err(|e| Error::io("stat", path, e))?;
        if !meta.is_file() {
            return Err(Error::NotAFile { path: path.into() });
        }
        let len = meta.len();
        if len < min {
            return Err(Error::TooSmall {
                path: path.into(),
                len,
                min,
            });
        }
        if len > max {
            return Err(Error::TooLarge {
                path: path.into(),
                len,
                max,
            });
        }
        let me = User::current().map_err(|e| Error::io("identify the user opening", path, e))?;
        let owner =
            User::owner_of(&file, &meta).map_err(|e| Error::io("find the owner of", path, e))?;
        let ours = owner == me;
        let mapping = if ours {
            let raw = match access {
                Access::ReadWrite => MmapRaw::map_raw(&file),
                Access::ReadOnly => MmapOptions::new().map_raw_read_only(&file),
            }
            .map_err(|e| Error::io("map", path, e))?;
            Mapping::Shared(raw)
        } else if access == Access::ReadOnly {
            let mut copy = MmapOptions::new()
                .len(len as usize)
                .map_anon()
                .map_err(|e| Error::io("map", path, e))?;
            file.read_exact(&mut copy)
                .map_err(|e| Error::io("read", path, e))?;
            Mapping::Copy(
                copy.make_read_only()
                    .map_err(|e| Error::io("map", path, e))?,
            )
        } else {
            return Err(foreign(path, &owner, &me));
        };
        let mapped = Mapped {
            mapping,
            writable: access == Access::ReadWrite,
        };
        check_mapping(mapped.base(), mapped.len(), len as usize, path)?;
        Ok((mapped, Ownership { owner, me, meta }))
    }

    fn base(&self) -> *mut u8 {
        match &self.mapping {
            Mapping::Shared(raw) => raw.as_mut_ptr(),
            Mapping::Copy(copy) => copy.as_ptr().cast_mut(),
        }
    }

    /// The mapping's length in bytes.
    pub(crate) fn len(&self) -> usize {
        match &self.mapping {
            Mapping::Shared(raw) => raw.len(),
            Mapping::Copy(copy) => copy.len(),
        }
    }

    /// The `count` words starting at byte `offset`, or `None` when they do not lie
    /// wholly inside the mapping or `offset` is not a multiple of 8.
    pub(crate) fn words(&self, offset: usize, count: usize) -> Option<&[AtomicU64]> {
        let end = count.checked_mul(8)?.checked_add(offset)?;
        if end > self.len() || !offset.is_multiple_of(8) {
            return None;
        }
        // SAFETY: `offset..end` lies inside the mapping (checked above) and the base is
        // page-aligned (`check_mapping`), so `offset`, a multiple of 8, is aligned for
        // `AtomicU64`, which has the size and alignment of `u64`. Every bit pattern is a
        // valid `AtomicU64`, and shared references to atomics allow the concurrent
        // changes other processes make. The mapping lives as long as `self`, which the
        // returned slice borrows. A read-only mapping is only ever loaded from (stores go
        // through writers, made only over writable mappings).
        Some(unsafe {
            std::slice::from_raw_parts(self.base().add(offset).cast::<AtomicU64>(), count)
        })
    }
}

/// A validated mapping of a board.
pub(crate) struct Segment {
    mapped: Mapped,
    slot_count: usize,
}

impl Segment {
    /// Maps a freshly created, exclusively owned file of `len` bytes for initialisation.
    pub(crate) fn create(file: &File, path: &Path, slot_count: usize) -> Result<Segment> {
        let mapped = Mapped::create(file, path, board_size(slot_count))?;
        Ok(Segment { mapped, slot_count })
    }

    /// Maps an existing board or dump and validates its header against the mapping.
    pub(crate) fn open(path: &Path, access: Access) -> Result<Segment> {
        let (min, max) = (HEADER_SIZE as u64, board_size(MAX_SLOTS) as u64);
        let (mapped, ownership) = Mapped::open(path, access, min, max)?;
        let mut segment = Segment {
            mapped,
            slot_count: 0,
        };
        let header = segment.header();
        segment.slot_count = validate_header(&header, segment.mapped.len(), path)?;
        let is_dump = header.flags & BOARD_DUMP != 0;
        if is_dump && segment.mapped.writable {
            // A dump is frozen: never mapped writable, whatever was asked.
            return Segment::open(path, Access::ReadOnly);
        }
        if !is_dump {
            // A live board's name is its id: a file named for another board is not it
            // (a link or copy under a wrong name; `vx board cancel ID` must reach ID).
            let id = id_of(&header.session_id);
            if let Some(named) = path.file_name().and_then(|n| n.to_str()).and_then(board_id)
                && named != id
            {
                return Err(corrupt(
                    path,
                    format!("the file is named for board {named} but holds board {id}"),
                ));
            }
            ownership.check_live(path)?;
        }
        Ok(segment)
    }

    fn base(&self) -> *mut u8 {
        self.mapped.base()
    }

    fn len(&self) -> usize {
        self.mapped.len()
    }

    /// Whether stores are allowed (the mapping is writable).
    pub(crate) fn writable(&self) -> bool {
        self.mapped.writable
    }

    /// Number of slots, as validated against the mapping's length.
    pub(crate) fn slot_count(&self) -> usize {
        self.slot_count
    }

    /// Word `index` of the header.
    fn header_word(&self, index: usize) -> &AtomicU64 {
        assert!(index < HEADER_WORDS, "header word {index} out of range");
        // SAFETY: the mapping is at least HEADER_SIZE bytes and page-aligned
        // (`check_mapping`), so word `index < HEADER_WORDS` is in bounds and 8-aligned.
        // `AtomicU64` has the size and alignment of `u64`, and shared references to
        // atomics allow concurrent mutation by other processes. The mapping lives as long
        // as `self`, which the returned reference borrows.
        unsafe { AtomicU64::from_ptr(self.base().add(index * 8).cast::<u64>()) }
    }

    /// A copy of the header, each word read with a relaxed atomic load.
    pub(crate) fn header(&self) -> HeaderRecord {
        let mut words = [0u64; HEADER_WORDS];
        for (index, word) in words.iter_mut().enumerate() {
            *word = self.header_word(index).load(Ordering::Relaxed);
        }
        bytemuck::cast(words)
    }

    /// Writes the whole header; only while creating, before the board is visible.
    pub(crate) fn write_header(&self, header: &HeaderRecord) {
        assert!(self.mapped.writable);
        let words: [u64; HEADER_WORDS] = bytemuck::cast(*header);
        for (index, word) in words.iter().enumerate() {
            self.header_word(index).store(*word, Ordering::Relaxed);
        }
    }

    /// The header flags, read live.
    pub(crate) fn flags(&self) -> u64 {
        // A relaxed load and an acquire fence, as docs/LAYOUT.md says: an acquire load
        // is not promised to work on a read-only mapping (a dump), a relaxed one is.
        let flags = self.header_word(FLAGS_WORD).load(Ordering::Relaxed);
        crate::primitive::fence(Ordering::Acquire);
        flags
    }

    /// Sets header flags and stamps the finish time; the creator's call.
    pub(crate) fn set_flags(&self, flags: u64, finished_unix_ms: Option<u64>) {
        assert!(self.mapped.writable);
        if let Some(ms) = finished_unix_ms {
            self.header_word(FINISHED_WORD).store(ms, Ordering::Relaxed);
        }
        self.header_word(FLAGS_WORD)
            .fetch_or(flags, Ordering::Release);
    }

    /// Slot `index`, or `None` past the table.
    pub(crate) fn slot(&self, index: usize) -> Option<&Slot> {
        if index >= self.slot_count {
            return None;
        }
        let offset = HEADER_SIZE + index * SLOT_SIZE;
        debug_assert!(offset + SLOT_SIZE <= self.len());
        // SAFETY: `slot_count` was validated so that HEADER_SIZE + slot_count * SLOT_SIZE
        // equals the mapping's length, hence this slot lies inside the mapping; the base
        // is page-aligned and offsets are multiples of 8, meeting `Slot`'s alignment.
        // `Slot` is `#[repr(C)]` and made only of `AtomicU64`s, so every bit pattern is
        // valid and other processes may change it under a shared reference. The mapping
        // lives as long as `self`.
        Some(unsafe { &*self.base().add(offset).cast::<Slot>() })
    }
}

/// Checks what every pointer into the mapping relies on: the length is the expected one
/// and the base is aligned for atomics.
fn check_mapping(ptr: *mut u8, mapped: usize, expected: usize, path: &Path) -> Result<()> {
    if mapped != expected || !(ptr as usize).is_multiple_of(64) {
        return Err(Error::CorruptHeader {
            path: path.into(),
            problem: format!(
                "mapping of {mapped} bytes at {ptr:p} does not match the file's {expected} bytes"
            ),
        });
    }
    Ok(())
}

/// The first checks of any file vx maps (a board, a task run's output): its magic,
/// that it was written in this machine's byte order, and its layout version —
/// `found` as `(magic, byte_order, version)` against `expected` `(magic, version)`.
pub(crate) fn check_identity(
    (magic, byte_order, version): ([u8; 8], u32, u32),
    (expected_magic, expected_version): ([u8; 8], u32),
    path: &Path,
) -> Result<()> {
    if magic != expected_magic {
        return Err(Error::BadMagic { path: path.into() });
    }
    if byte_order != BYTE_ORDER_MARK {
        return Err(if byte_order == BYTE_ORDER_MARK.swap_bytes() {
            Error::ByteOrder { path: path.into() }
        } else {
            corrupt(path, format!("byte-order mark {byte_order:#x}"))
        });
    }
    if version != expected_version {
        return Err(Error::UnsupportedVersion {
            path: path.into(),
            found: version,
            supported: expected_version,
        });
    }
    Ok(())
}

/// Validates every header field a reader relies on and returns the slot count.
pub(crate) fn validate_header(header: &HeaderRecord, mapped: usize, path: &Path) -> Result<usize> {
    check_identity(
        (header.magic, header.byte_order, header.version),
        (MAGIC, LAYOUT_VERSION),
        path,
    )?;
    if header.header_size as usize != HEADER_SIZE {
        return Err(corrupt(
            path,
            format!(
                "header size {} (expected {HEADER_SIZE})",
                header.header_size
            ),
        ));
    }
    if header.slot_size as usize != SLOT_SIZE {
        return Err(corrupt(
            path,
            format!("slot size {} (expected {SLOT_SIZE})", header.slot_size),
        ));
    }
    let count = header.slot_count as usize;
    if count > MAX_SLOTS {
        return Err(corrupt(
            path,
            format!("{count} slots is over the limit of {MAX_SLOTS}"),
        ));
    }
    if board_size(count) != mapped {
        return Err(corrupt(
            path,
            format!(
                "{count} slots need {} bytes but the file has {mapped}",
                board_size(count)
            ),
        ));
    }
    Ok(count)
}

fn foreign(path: &Path, owner: &User, me: &User) -> Error {
    Error::ForeignOwner {
        path: path.into(),
        owner: owner.to_string(),
        me: me.to_string(),
    }
}

fn corrupt(path: &Path, problem: String) -> Error {
    Error::CorruptHeader {
        path: path.into(),
        problem,
    }
}
