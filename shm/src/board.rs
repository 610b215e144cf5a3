//! The three roles on a board: the creator ([`Board`]), readers ([`BoardReader`]) and the
//! single writer of a slot ([`SlotWriter`]).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};
use crate::layout::{
    BOARD_DUMP, BOARD_FINISHED, BOARD_INTERRUPTED, BOARD_TASKS, BYTE_ORDER_MARK, HEADER_SIZE,
    HeaderRecord, LAYOUT_VERSION, MAGIC, MAX_SLOTS, RECORD_WORDS, SLOT_SIZE, SlotRecord,
    TOOL_CAPACITY, load_str, store_str,
};
use crate::platform;
use crate::registry::{BOARD_PREFIX, id_of, owner_alive};
use crate::segment::{Access, Segment, Slot};
use crate::seqlock::{Attempt, CONTROL_CANCEL};
use crate::{ProcessId, SlotError, SlotRead, SlotSnapshot};

/// Attempts a reader makes before suspecting the writer.
const QUICK_ATTEMPTS: u32 = 64;
/// Further attempts when the writer is alive but always mid-write.
const PATIENT_ATTEMPTS: u32 = 4096;

/// Milliseconds since the Unix epoch, the time unit of every timestamp on the board.
pub fn now_unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The fixed facts of a board, decoded from its header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardInfo {
    /// The board's id (hex session id), as `vx board` commands name it.
    pub id: String,
    /// What the board is for, usually the manifest path.
    pub label: String,
    /// The process that created the board.
    pub creator: ProcessId,
    /// Creation time, ms since the Unix epoch.
    pub created_unix_ms: u64,
    /// Number of slots (tools).
    pub slot_count: usize,
    /// Size of the segment in bytes.
    pub size_bytes: usize,
    /// Each slot's tool and version, read once when the board is opened.
    pub names: Vec<SlotName>,
}

/// A slot's tool and version. The creator writes them before any writer starts and no
/// writer changes them, so they can be read from any copy of the slot, even a torn
/// one: a slot whose writer died mid-write keeps its name (`docs/LAYOUT.md`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SlotName {
    /// The tool.
    pub tool: String,
    /// The version.
    pub version: String,
}

impl BoardInfo {
    fn from_header(header: &HeaderRecord, slot_count: usize) -> BoardInfo {
        BoardInfo {
            id: id_of(&header.session_id),
            label: load_str(&header.label, header.label_len as usize).into_owned(),
            creator: ProcessId {
                pid: header.creator_pid,
                start_ticks: header.creator_start_ticks,
            },
            created_unix_ms: header.created_unix_ms,
            slot_count,
            size_bytes: HEADER_SIZE + slot_count * SLOT_SIZE,
            names: Vec::new(),
        }
    }
}

/// A tool to register on a new board.
#[derive(Clone, Copy, Debug)]
pub struct ToolEntry<'a> {
    /// Tool name, unique on the board, at most 32 bytes.
    pub name: &'a str,
    /// Version; one over the slot's 32-byte field is shown cut, ending in `…`.
    pub version: &'a str,
}

/// A view of a board (live segment or dump) that copies slots without locks or syscalls.
pub struct BoardReader {
    segment: Arc<Segment>,
    path: PathBuf,
    info: BoardInfo,
}

impl BoardReader {
    /// Opens a live board or a dump at `path`, validating its header. `ReadWrite` is
    /// needed only to request cancels.
    pub fn open(path: &Path, access: Access) -> Result<BoardReader> {
        let segment = Segment::open(path, access)?;
        Ok(BoardReader::from_segment(
            Arc::new(segment),
            path.to_path_buf(),
        ))
    }

    fn from_segment(segment: Arc<Segment>, path: PathBuf) -> BoardReader {
        let mut info = BoardInfo::from_header(&segment.header(), segment.slot_count());
        info.names = (0..segment.slot_count())
            .map(|index| {
                let mut words = [0u64; RECORD_WORDS];
                if let Some(slot) = segment.slot(index) {
                    slot.copy_racy(&mut words);
                }
                let record = SlotRecord::from_words(words);
                SlotName {
                    tool: record.tool().into_owned(),
                    version: record.version().into_owned(),
                }
            })
            .collect();
        BoardReader {
            segment,
            path,
            info,
        }
    }

    /// The board's fixed facts.
    pub fn info(&self) -> &BoardInfo {
        &self.info
    }

    /// The file the board was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of slots.
    pub fn slot_count(&self) -> usize {
        self.segment.slot_count()
    }

    /// Whether these bytes are a dump rather than a live board.
    pub fn is_dump(&self) -> bool {
        self.segment.flags() & BOARD_DUMP != 0
    }

    /// Whether the owning sync has finished.
    pub fn is_finished(&self) -> bool {
        self.segment.flags() & BOARD_FINISHED != 0
    }

    /// Whether this is a task run's board (`vx run`): its slots are tasks, their
    /// phases [`crate::TaskPhase`]s.
    pub fn is_tasks(&self) -> bool {
        self.segment.flags() & BOARD_TASKS != 0
    }

    /// Whether the owning sync was interrupted.
    pub fn was_interrupted(&self) -> bool {
        self.segment.flags() & BOARD_INTERRUPTED != 0
    }

    /// When the owning sync finished (ms since the Unix epoch), if it has.
    pub fn finished_unix_ms(&self) -> Option<u64> {
        self.is_finished()
            .then(|| self.segment.header().finished_unix_ms)
    }

    /// Whether the process that created the board still holds it. A syscall or two: call
    /// it once in a while, not per frame. Always false for a dump.
    pub fn owner_alive(&self) -> bool {
        !self.is_dump() && owner_alive(&self.path)
    }

    /// Copies slot `index`; `None` past the end of the table. Lock-free and free of
    /// syscalls unless the writer looks dead (then its liveness is checked once).
    #[inline]
    pub fn read_slot(&self, index: usize) -> Option<SlotRead> {
        let slot = self.segment.slot(index)?;
        let mut entry = Err(SlotError::Busy { index, pid: 0 });
        self.read_into(index, slot, &mut entry);
        Some(entry)
    }

    /// The sequence word of slot `index` (one load): it moves with every publish, so
    /// a poller can wait on this one word and copy the record only when it changed.
    /// Even while the slot is stable, odd while a write is in progress.
    pub fn slot_seq(&self, index: usize) -> Option<u64> {
        self.segment.slot(index).map(Slot::sequence)
    }

    /// Copies every slot into `out`, in table order; reuses `out`'s allocation so a
    /// polling reader allocates nothing per frame. `out` is this reader's previous
    /// snapshot (or empty): an entry whose slot's sequence has not moved since it was
    /// copied is kept as it is (its cancel flag refreshed), not copied again, so a frame
    /// costs one load per idle slot.
    pub fn snapshot_into(&self, out: &mut Vec<SlotRead>) {
        let count = self.slot_count();
        out.truncate(count);
        // A poller passes the previous frame's vector back: entries are overwritten in
        // place, the words copied straight into each record, with no temporaries.
        while out.len() < count {
            out.push(Err(SlotError::Busy {
                index: out.len(),
                pid: 0,
            }));
        }
        for (index, entry) in out.iter_mut().enumerate() {
            if let Some(slot) = self.segment.slot(index) {
                self.read_into(index, slot, entry);
            }
        }
    }

    /// Reads slot `index` into `entry`, reusing its record if it holds one.
    #[inline]
    fn read_into(&self, index: usize, slot: &Slot, entry: &mut SlotRead) {
        if entry.is_err() {
            *entry = Ok(SlotSnapshot {
                index,
                seq: 0,
                cancel_requested: false,
                record: bytemuck::Zeroable::zeroed(),
            });
        }
        let Ok(snap) = entry else { return };
        if snap.index == index && snap.seq != 0 && slot.sequence() == snap.seq {
            // Not written since this copy.
            snap.cancel_requested = slot.requested() & CONTROL_CANCEL != 0;
            return;
        }
        match self.read_cell(index, slot, bytemuck::cast_mut(&mut snap.record)) {
            Ok(seq) => {
                snap.index = index;
                snap.seq = seq;
                snap.cancel_requested = slot.requested() & CONTROL_CANCEL != 0;
            }
            Err((error, _)) => *entry = Err(error),
        }
    }

    /// Copies every slot, in table order.
    pub fn snapshot(&self) -> Vec<SlotRead> {
        let mut out = Vec::with_capacity(self.slot_count());
        self.snapshot_into(&mut out);
        out
    }

    /// The index of the slot registered for `tool`.
    pub fn find(&self, tool: &str) -> Option<usize> {
        (0..self.slot_count()).find(|&index| {
            self.read_slot(index)
                .and_then(Result::ok)
                .is_some_and(|snap| snap.record.tool() == tool)
        })
    }

    /// The right to ask this board's writers to cancel: only for a live board mapped
    /// writable (opened with [`Access::ReadWrite`]). A dump, or a board opened
    /// read-only, has none, so nothing can write into it.
    pub fn canceller(&self) -> Option<Canceller> {
        (self.segment.writable() && !self.is_dump()).then(|| Canceller {
            segment: Arc::clone(&self.segment),
        })
    }

    /// Writes the board's current bytes to `dest` atomically (a temporary file in the
    /// same directory, then a rename), marked as a dump. Each slot is copied
    /// consistently; a slot whose writer died mid-write is kept with its odd sequence so
    /// readers of the dump see it as lost.
    pub fn dump_to(&self, dest: &Path) -> Result<()> {
        let mut header = self.segment.header();
        header.flags |= BOARD_DUMP;
        let mut words: Vec<u64> = Vec::with_capacity(self.info.size_bytes / 8);
        words.extend_from_slice(&bytemuck::cast::<_, [u64; HEADER_SIZE / 8]>(header));
        for index in 0..self.slot_count() {
            let Some(slot) = self.segment.slot(index) else {
                break;
            };
            let mut record = [0u64; RECORD_WORDS];
            let seq = match self.read_cell(index, slot, &mut record) {
                Ok(seq) => seq,
                Err((_, seq)) => seq | 1,
            };
            words.push(seq);
            words.push(slot.requested());
            words.extend_from_slice(&record);
        }
        write_atomically(dest, bytemuck::cast_slice(&words))
    }

    /// The read protocol: quick attempts; if the slot stays mid-write, check whether its
    /// writer lives; if so, a bounded number of patient attempts. Leaves the copy in
    /// `words` and returns its sequence; on failure the words are the last (possibly
    /// torn) copy and the error comes with the sequence last seen, for dumps.
    #[inline]
    fn read_cell(
        &self,
        index: usize,
        slot: &Slot,
        words: &mut [u64; RECORD_WORDS],
    ) -> Result<u64, (SlotError, u64)> {
        match slot.try_read(words) {
            Attempt::Consistent(seq) => Ok(seq),
            _ => self.read_cell_contended(index, slot, words),
        }
    }

    /// [`BoardReader::read_cell`] after a first attempt failed: kept out of line so the
    /// common, uncontended copy stays small enough to inline into snapshot loops.
    #[cold]
    #[inline(never)]
    fn read_cell_contended(
        &self,
        index: usize,
        slot: &Slot,
        words: &mut [u64; RECORD_WORDS],
    ) -> Result<u64, (SlotError, u64)> {
        let first_failure = match slot.read(words, QUICK_ATTEMPTS) {
            Ok(seq) => return Ok(seq),
            Err(attempt) => attempt,
        };
        let seq = slot.copy_racy(words);
        // The writer's identity words are the same in every write of one writer, so even
        // a torn copy names it. Without one, the creator is writing (registration).
        let writer = SlotRecord::from_words(*words)
            .writer()
            .unwrap_or(self.info.creator);
        if matches!(first_failure, Attempt::WriteInProgress(_))
            && (self.is_dump() || !writer.is_alive())
        {
            let pid = writer.pid;
            return Err((SlotError::WriterLost { index, pid }, seq));
        }
        slot.read(words, PATIENT_ATTEMPTS).map_err(|_| {
            let seq = slot.copy_racy(words);
            (
                SlotError::Busy {
                    index,
                    pid: writer.pid,
                },
                seq,
            )
        })
    }
}

/// Writes `bytes` to `dest` atomically: a private temporary file in the same
/// directory, synced, then renamed over `dest`.
pub(crate) fn write_atomically(dest: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    replace_atomically(dest, |tmp| tmp.write_all(bytes))
}

/// Writes a file of `len` bytes at `dest` atomically that holds each of `parts` (words
/// at a byte offset) and zeros elsewhere, as holes where the file system has them.
pub(crate) fn write_sparse_atomically(
    dest: &Path,
    len: usize,
    parts: &[(usize, Vec<u64>)],
) -> Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    replace_atomically(dest, |tmp| {
        tmp.as_file().set_len(len as u64)?;
        for (offset, words) in parts {
            tmp.seek(SeekFrom::Start(*offset as u64))?;
            tmp.write_all(bytemuck::cast_slice(words))?;
        }
        Ok(())
    })
}

/// Replaces `dest` whole with what `fill` writes: a private temporary file in the same
/// directory, filled, synced, then renamed over `dest`.
fn replace_atomically(
    dest: &Path,
    fill: impl FnOnce(&mut tempfile::NamedTempFile) -> std::io::Result<()>,
) -> Result<()> {
    let dir = match dest.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let io = |e| Error::io("write dump to", dest, e);
    let mut tmp = tempfile::Builder::new()
        .prefix(".vx-dump-")
        .tempfile_in(dir)
        .map_err(io)?;
    fill(&mut tmp).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(dest).map_err(|e| io(e.error))?;
    Ok(())
}

/// The writer of one slot. Holds the record locally; each [`SlotWriter::publish`] copies
/// it into the slot with a handful of relaxed stores: no syscall, no lock, no allocation.
pub struct SlotWriter {
    segment: Arc<Segment>,
    index: usize,
    record: SlotRecord,
    /// What the slot holds now: the last record published (or found on attach), so a
    /// publish stores only the words that changed.
    published: [u64; RECORD_WORDS],
}

impl SlotWriter {
    /// Attaches to slot `index` of the live board at `path` as its writer, checking that
    /// the slot is registered for `tool`. The caller must be the slot's only writer.
    pub fn attach(path: &Path, index: usize, tool: &str) -> Result<SlotWriter> {
        let reader = BoardReader::open(path, Access::ReadWrite)?;
        let count = reader.slot_count();
        let slot = reader
            .segment
            .slot(index)
            .ok_or(Error::NoSuchSlot { index, count })?;
        let mut words = [0u64; RECORD_WORDS];
        slot.copy_racy(&mut words);
        let record = SlotRecord::from_words(words);
        if record.tool() != tool {
            return Err(Error::SlotMismatch {
                index,
                expected: tool.to_owned(),
                found: record.tool().into_owned(),
            });
        }
        let mut writer = SlotWriter {
            segment: reader.segment,
            index,
            record,
            published: words,
        };
        writer.record.set_writer(ProcessId::current());
        Ok(writer)
    }

    /// The slot's index.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The record as last set by this writer.
    pub fn record(&self) -> &SlotRecord {
        &self.record
    }

    /// The local record, to change before [`SlotWriter::publish`].
    pub fn record_mut(&mut self) -> &mut SlotRecord {
        &mut self.record
    }

    /// Makes the local record visible to readers.
    #[inline]
    pub fn publish(&mut self) {
        // The record is its words in place (Pod, 8-aligned): compared and stored from
        // where it is, with no copy.
        let words: &[u64; RECORD_WORDS] = bytemuck::cast_ref(&self.record);
        let slot = self
            .segment
            .slot(self.index)
            .expect("index checked when the writer was made");
        slot.write_changed(words, &mut self.published);
    }

    /// Changes the local record with `change`, stamps the heartbeat, and publishes.
    pub fn update(&mut self, change: impl FnOnce(&mut SlotRecord)) {
        change(&mut self.record);
        self.record.updated_unix_ms = now_unix_ms();
        self.publish();
    }

    /// Whether a reader asked this slot to cancel: one relaxed load.
    #[inline]
    pub fn cancel_requested(&self) -> bool {
        self.slot().requested() & CONTROL_CANCEL != 0
    }

    fn slot(&self) -> &Slot {
        self.segment
            .slot(self.index)
            .expect("index checked when the writer was made")
    }
}

/// Sends cancel requests to the writers of one live board: the only way to write into
/// a board one did not create ([`BoardReader::canceller`], [`Board::canceller`]).
#[derive(Clone)]
pub struct Canceller {
    segment: Arc<Segment>,
}

impl Canceller {
    /// Asks the writer of slot `index` to cancel; it sees the request on its next poll.
    pub fn request_cancel(&self, index: usize) -> Result<()> {
        let slot = self.segment.slot(index).ok_or(Error::NoSuchSlot {
            index,
            count: self.segment.slot_count(),
        })?;
        slot.request(CONTROL_CANCEL);
        Ok(())
    }
}

/// A board created by this process. It holds an exclusive lock on the segment for its
/// whole life (so readers can tell the owner is alive) and removes the segment when
/// dropped, including during a panic's unwinding.
///
/// Fields drop in declaration order, which is the order of the clean-up: unmap (Windows
/// refuses to delete a file while a view of it is mapped), remove the file while still
/// holding the lock (so nobody sees a dead owner on a board still in place), then
/// release the lock.
pub struct Board {
    reader: BoardReader,
    _remove: RemoveOnDrop,
    // Holds the lock that marks the owner alive; released by the OS if we die.
    _lock: File,
}

impl Board {
    /// Creates a board in `dir` with one slot per tool, every slot registered as Queued,
    /// so readers see the whole plan before any work starts. The segment is created
    /// exclusively, mode 0600, under an unguessable name, and appears under that name
    /// only once fully initialised.
    pub fn create(dir: &Path, label: &str, tools: &[ToolEntry<'_>]) -> Result<Board> {
        validate_tools(tools)?;
        let records: Vec<SlotRecord> = tools
            .iter()
            .map(|tool| SlotRecord::queued(tool.name, tool.version))
            .collect();
        Board::create_with(dir, label, &records, 0, new_session_id(dir)?)
    }

    /// Creates a board whose slots start as `records` and whose header carries `flags`,
    /// under the id of `session_id`: [`Board::create`], and task boards
    /// ([`crate::TaskBoard`]), whose output segment shares the id.
    pub(crate) fn create_with(
        dir: &Path,
        label: &str,
        records: &[SlotRecord],
        flags: u64,
        session_id: [u8; 16],
    ) -> Result<Board> {
        let id = id_of(&session_id);
        let path = dir.join(format!("{BOARD_PREFIX}{id}"));
        let staging = dir.join(format!(".{BOARD_PREFIX}{id}.init"));
        let file =
            platform::create_private(&staging).map_err(|e| Error::io("create", &staging, e))?;
        let staged = Staged(&staging);
        file.lock().map_err(|e| Error::io("lock", &staging, e))?;
        let segment = Segment::create(&file, &staging, records.len())?;
        let creator = ProcessId::current();
        let mut header = HeaderRecord {
            magic: MAGIC,
            version: LAYOUT_VERSION,
            byte_order: BYTE_ORDER_MARK,
            header_size: HEADER_SIZE as u32,
            slot_size: SLOT_SIZE as u32,
            slot_count: records.len() as u32,
            creator_pid: creator.pid,
            creator_start_ticks: creator.start_ticks,
            created_unix_ms: now_unix_ms(),
            session_id,
            flags,
            ..bytemuck::Zeroable::zeroed()
        };
        header.label_len = store_str(&mut header.label, label) as u32;
        segment.write_header(&header);
        for (index, record) in records.iter().enumerate() {
            let slot = segment.slot(index).expect("sized for every slot");
            slot.write(&record.to_words());
        }
        // Fails if the name exists: the board appears whole, or not at all.
        platform::publish(&staging, &path).map_err(|e| Error::io("publish", &path, e))?;
        drop(staged);
        let reader = BoardReader::from_segment(Arc::new(segment), path.clone());
        Ok(Board {
            reader,
            _remove: RemoveOnDrop(path),
            _lock: file,
        })
    }

    /// The board's id.
    pub fn id(&self) -> &str {
        &self.reader.info.id
    }

    /// The segment's path, which children attach to.
    pub fn path(&self) -> &Path {
        self.reader.path()
    }

    /// A reader over this board.
    pub fn reader(&self) -> &BoardReader {
        &self.reader
    }

    /// Cancel requests for this board's writers (the creator may always send them).
    pub fn canceller(&self) -> Canceller {
        Canceller {
            segment: Arc::clone(&self.reader.segment),
        }
    }

    /// A writer for slot `index`, for the creator itself: to record an outcome for a
    /// child that died without publishing one. Only while no child writes that slot.
    pub fn writer(&self, index: usize) -> Result<SlotWriter> {
        let slot = self.reader.segment.slot(index).ok_or(Error::NoSuchSlot {
            index,
            count: self.reader.slot_count(),
        })?;
        let mut words = [0u64; RECORD_WORDS];
        slot.copy_racy(&mut words);
        let mut record = SlotRecord::from_words(words);
        record.set_writer(self.reader.info.creator);
        Ok(SlotWriter {
            segment: Arc::clone(&self.reader.segment),
            index,
            record,
            published: words,
        })
    }

    /// Marks the sync finished (and interrupted, if it was); readers stop waiting.
    pub fn finish(&self, interrupted: bool) {
        let flags = BOARD_FINISHED | if interrupted { BOARD_INTERRUPTED } else { 0 };
        self.reader.segment.set_flags(flags, Some(now_unix_ms()));
    }
}

/// A new random session id; its hex form names the board (and a task board's output).
pub(crate) fn new_session_id(dir: &Path) -> Result<[u8; 16]> {
    let mut session_id = [0u8; 16];
    getrandom::fill(&mut session_id)
        .map_err(|e| Error::io("generate an id for a board in", dir, e.into()))?;
    Ok(session_id)
}

/// Removes a segment file (a board, a task run's output) when dropped.
pub(crate) struct RemoveOnDrop(pub(crate) PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        // Nothing useful to do if it is already gone (e.g. removed by hand), or, on
        // Windows, still mapped by another process: then the lock is gone with us and
        // the next `vx board clean` or `vx sync` removes it.
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Removes the staging file on every exit from [`Board::create`].
pub(crate) struct Staged<'a>(pub(crate) &'a Path);

impl Drop for Staged<'_> {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.0);
    }
}

fn validate_tools(tools: &[ToolEntry<'_>]) -> Result<()> {
    let invalid = |problem: String| Err(Error::InvalidTools(problem));
    if tools.len() > MAX_SLOTS {
        return invalid(format!(
            "{} tools is over the limit of {MAX_SLOTS}",
            tools.len()
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for tool in tools {
        if tool.name.is_empty() || tool.name.len() > TOOL_CAPACITY {
            return invalid(format!(
                "tool name {:?} must be 1 to {TOOL_CAPACITY} bytes",
                tool.name
            ));
        }
        if !seen.insert(tool.name) {
            return invalid(format!("tool {:?} is listed twice", tool.name));
        }
    }
    Ok(())
}
