//! Building a slot record (writers) and making sense of one (readers, who trust nothing).

use std::borrow::Cow;

use crate::layout::{SLOT_SIGNED, SLOT_UNVERIFIED, SlotRecord, UNKNOWN_TOTAL, load_str, store_str};
use crate::{Phase, ProcessId};

impl SlotRecord {
    /// A fresh record for `tool` at `version`, in phase Queued. Names longer than their
    /// fields are cut on a char boundary.
    pub fn queued(tool: &str, version: &str) -> SlotRecord {
        let mut record = SlotRecord {
            phase: Phase::Queued.code(),
            bytes_total: UNKNOWN_TOTAL,
            ..bytemuck::Zeroable::zeroed()
        };
        record.tool_len = store_str(&mut record.tool, tool) as u8;
        record.version_len = store_str(&mut record.version, version) as u8;
        record
    }

    /// The tool name; invalid bytes are replaced, lengths clamped.
    pub fn tool(&self) -> Cow<'_, str> {
        load_str(&self.tool, self.tool_len.into())
    }

    /// The tool version; invalid bytes are replaced, lengths clamped.
    pub fn version(&self) -> Cow<'_, str> {
        load_str(&self.version, self.version_len.into())
    }

    /// The latest message; invalid bytes are replaced, lengths clamped.
    pub fn message(&self) -> Cow<'_, str> {
        load_str(&self.message, self.message_len.into())
    }

    /// Sets the message, cut on a char boundary to fit.
    pub fn set_message(&mut self, message: &str) {
        self.message_len = store_str(&mut self.message, message) as u8;
    }

    /// The phase, or `None` for a code this build does not know.
    pub fn phase(&self) -> Option<Phase> {
        Phase::from_code(self.phase)
    }

    /// Sets the phase, and records it in `phases_seen`.
    pub fn set_phase(&mut self, phase: Phase) {
        self.phase = phase.code();
        self.phases_seen |= phase.seen_bit();
    }

    /// Every phase after Queued this slot has entered, in code order (lifecycle order
    /// up to the outcome), as the writer recorded them in `phases_seen`.
    pub fn phases_seen(&self) -> impl Iterator<Item = Phase> + '_ {
        Phase::ALL[1..]
            .iter()
            .copied()
            .filter(|phase| self.phases_seen & phase.seen_bit() != 0)
    }

    /// The expected byte count of the current phase, if known.
    pub fn bytes_total(&self) -> Option<u64> {
        (self.bytes_total != UNKNOWN_TOTAL).then_some(self.bytes_total)
    }

    /// Sets done and expected bytes of the current phase.
    pub fn set_progress(&mut self, done: u64, total: Option<u64>) {
        self.bytes_done = done;
        self.bytes_total = total.unwrap_or(UNKNOWN_TOTAL);
    }

    /// Progress of the current phase in `0.0..=1.0`, whatever the record says (done past
    /// total is 1.0); `None` when the total is unknown or zero.
    pub fn ratio(&self) -> Option<f64> {
        let total = self.bytes_total().filter(|t| *t > 0)?;
        Some((self.bytes_done as f64 / total as f64).clamp(0.0, 1.0))
    }

    /// The process currently writing this slot, if any.
    pub fn writer(&self) -> Option<ProcessId> {
        (self.writer_pid != 0).then_some(ProcessId {
            pid: self.writer_pid,
            start_ticks: self.writer_start_ticks,
        })
    }

    /// Records `writer` as the slot's writer.
    pub fn set_writer(&mut self, writer: ProcessId) {
        self.writer_pid = writer.pid;
        self.writer_start_ticks = writer.start_ticks;
    }

    /// Whether the install skipped checksum verification.
    pub fn unverified(&self) -> bool {
        self.flags & SLOT_UNVERIFIED != 0
    }

    /// Whether the installed bytes' signatures were verified.
    pub fn signed(&self) -> bool {
        self.flags & SLOT_SIGNED != 0
    }

    /// The record as the words the seqlock stores.
    pub(crate) fn to_words(self) -> [u64; crate::layout::RECORD_WORDS] {
        bytemuck::cast(self)
    }

    /// A record from the words the seqlock stored; any words make a record.
    pub(crate) fn from_words(words: [u64; crate::layout::RECORD_WORDS]) -> SlotRecord {
        bytemuck::cast(words)
    }
}

/// A consistent copy of one slot, taken without locks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotSnapshot {
    /// Position of the slot in the table (manifest order).
    pub index: usize,
    /// The (even) sequence value the copy was taken at; it grows by 2 per publish, so
    /// two snapshots with the same value hold the same record.
    pub seq: u64,
    /// Whether a reader has asked the writer to cancel.
    pub cancel_requested: bool,
    /// The record itself.
    pub record: SlotRecord,
}

/// Why a slot could not be copied consistently. Readers never wait on a writer: they get
/// one of these after a bounded number of attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SlotError {
    /// The writer died in the middle of a publish: the slot was left half-written.
    #[error("slot {index}: its writer (pid {pid}) died in the middle of an update")]
    WriterLost {
        /// The slot.
        index: usize,
        /// The last writer's pid (0 if unknown).
        pid: u32,
    },
    /// The writer is alive but every attempt met a write in progress (e.g. it is stopped
    /// mid-write); try again later.
    #[error("slot {index}: its writer (pid {pid}) is in the middle of an update; try again")]
    Busy {
        /// The slot.
        index: usize,
        /// The writer's pid (0 if unknown).
        pid: u32,
    },
}

impl SlotError {
    /// The slot the error is about.
    pub fn index(&self) -> usize {
        match self {
            SlotError::WriterLost { index, .. } | SlotError::Busy { index, .. } => *index,
        }
    }
}

/// The outcome of reading one slot.
pub type SlotRead = Result<SlotSnapshot, SlotError>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::{MESSAGE_CAPACITY, RECORD_WORDS, TOOL_CAPACITY};

    #[test]
    fn a_queued_record_names_its_tool_and_knows_no_size() {
        let record = SlotRecord::queued("ripgrep", "14.1.1");
        assert_eq!(record.tool(), "ripgrep");
        assert_eq!(record.version(), "14.1.1");
        assert_eq!(record.phase(), Some(Phase::Queued));
        assert_eq!(record.bytes_total(), None);
        assert_eq!(record.ratio(), None);
        assert_eq!(record.writer(), None);
    }

    #[test]
    fn long_texts_are_cut_to_their_fields() {
        let mut record = SlotRecord::queued(&"t".repeat(100), "1");
        assert_eq!(record.tool().len(), TOOL_CAPACITY);
        record.set_message(&"€".repeat(100));
        let message = record.message();
        assert!(message.len() <= MESSAGE_CAPACITY && message.len() > MESSAGE_CAPACITY - 3);
        assert!(message.chars().all(|c| c == '€'));
    }

    #[test]
    fn ratios_are_clamped_whatever_the_record_says() {
        let mut record = SlotRecord::queued("a", "1");
        record.set_progress(50, Some(200));
        assert_eq!(record.ratio(), Some(0.25));
        record.set_progress(500, Some(200));
        assert_eq!(record.ratio(), Some(1.0));
        record.set_progress(5, Some(0));
        assert_eq!(record.ratio(), None);
    }

    #[test]
    fn hostile_words_decode_without_panicking() {
        let record = SlotRecord::from_words([u64::MAX; RECORD_WORDS]);
        assert_eq!(record.phase(), None);
        assert_eq!(record.tool().chars().count(), TOOL_CAPACITY);
        assert!(record.message().chars().all(|c| c == '\u{fffd}'));
        assert_eq!(record.ratio(), None);
        let round = SlotRecord::from_words(SlotRecord::queued("x", "y").to_words());
        assert_eq!(round, SlotRecord::queued("x", "y"));
    }
}
