//! Building a slot record (writers) and making sense of one (readers, who trust nothing).

use std::borrow::Cow;

use crate::layout::{SLOT_SIGNED, SLOT_UNVERIFIED, SlotRecord, UNKNOWN_TOTAL, load_str, store_str};
use crate::{Phase, ProcessId};

impl SlotRecord {
    /// A fresh record for `tool` at `version`, in phase Queued. A tool name longer than
    /// its field is cut on a char boundary; a version longer than its field (a Go
    /// pseudo-version, up to 64 bytes) is cut on a char boundary and ends in `…`,
    /// so a reader sees it is not whole. The field is for display: the
    /// whole version is the writer's to know (`docs/LAYOUT.md`).
    pub fn queued(tool: &str, version: &str) -> SlotRecord {
        let mut record = SlotRecord {
            phase: Phase::Queued.code(),
            bytes_total: UNKNOWN_TOTAL,
            ..bytemuck::Zeroable::zeroed()
        };
        record.tool_len = store_str(&mut record.tool, tool) as u8;
        let shown = fit_cut(version, record.version.len());
        record.version_len = store_str(&mut record.version, &shown) as u8;
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

    /// Sets the message; one longer than the field is shortened where words end
    /// (`fit_words`), so a reader sees whole words and the reason an error puts last.
    pub fn set_message(&mut self, message: &str) {
        let fitted = fit_words(message, self.message.len());
        self.message_len = store_str(&mut self.message, &fitted) as u8;
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

/// `text` within `capacity` bytes: whole when it fits, else cut on a char boundary
/// with a final `…` (3 bytes) in the room left, so the result is valid UTF-8 of at most
/// `capacity` bytes (below 3 bytes of room, cut without the mark). What a slot's
/// version field holds of a longer version.
pub(crate) fn fit_cut(text: &str, capacity: usize) -> Cow<'_, str> {
    if text.len() <= capacity {
        return Cow::Borrowed(text);
    }
    let mark = if capacity >= '…'.len_utf8() {
        "…"
    } else {
        ""
    };
    let mut cut = capacity - mark.len();
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    Cow::Owned(format!("{}{mark}", &text[..cut]))
}

/// What stands for the words left out of a message that does not fit.
const ELLIPSIS: &str = " … ";

/// `message` within `capacity` bytes: whole when it fits, else its start and its end
/// joined by `…`, each cut where a word ends, so no word is cut in two and the end
/// (where an error says why: `URL: the server answered HTTP 404 Not Found`, `PATH: No
/// space left on device`) survives a long URL or path before it. A word ends at a
/// space; within the start, also after a `/` (a URL's or a path's directories). A
/// message without such places is cut on a char boundary and marked with `…`.
fn fit_words(message: &str, capacity: usize) -> Cow<'_, str> {
    if message.len() <= capacity {
        return Cow::Borrowed(message);
    }
    let budget = capacity.saturating_sub(ELLIPSIS.len());
    // The end: the longest run of whole words that fits in two thirds of the budget.
    let tail = message
        .match_indices(' ')
        .map(|(at, _)| &message[at + 1..])
        .find(|rest| !rest.is_empty() && rest.len() <= budget * 2 / 3);
    let Some(tail) = tail else {
        let mut cut = capacity.saturating_sub('…'.len_utf8());
        while !message.is_char_boundary(cut) {
            cut -= 1;
        }
        return Cow::Owned(format!("{}…", &message[..cut]));
    };
    let room = budget - tail.len();
    let head = message[..message.len() - tail.len()]
        .char_indices()
        .filter(|&(_, c)| c == ' ' || c == '/')
        .map(|(at, c)| if c == '/' { at + 1 } else { at })
        .take_while(|&end| end <= room)
        .last()
        .map_or("", |end| message[..end].trim_end());
    Cow::Owned(if head.is_empty() {
        format!("… {tail}")
    } else {
        format!("{head}{ELLIPSIS}{tail}")
    })
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
        assert!(message.len() <= MESSAGE_CAPACITY && message.len() > MESSAGE_CAPACITY - 6);
        let (kept, mark) = message.split_at(message.len() - '…'.len_utf8());
        assert!(kept.chars().all(|c| c == '€') && mark == "…", "{message}");
    }

    /// A Go pseudo-version (up to 64 bytes in vx) is shown cut, marked with `…`; one
    /// that fits is shown whole.
    #[test]
    fn a_long_version_is_cut_with_a_final_ellipsis() {
        use crate::layout::VERSION_CAPACITY;
        let fits = "v0.0.0-20240101120000-abcdef123456"[..VERSION_CAPACITY].to_owned();
        assert_eq!(SlotRecord::queued("t", &fits).version(), fits);
        let pseudo = "v1.2.4-0.20191109021931-daa7c04131f5";
        let record = SlotRecord::queued("t", pseudo);
        let shown = record.version();
        assert_eq!(shown, "v1.2.4-0.20191109021931-daa7c…");
        assert_eq!(shown.len(), VERSION_CAPACITY);
        assert_eq!(record.version_len as usize, VERSION_CAPACITY);
        // The raw bytes a reader copies are valid UTF-8 for every cut position,
        // multi-byte characters straddling the edge included.
        for len in 0..80 {
            for fill in ["9", "é", "€", "😀"] {
                let version: String = fill.repeat(len);
                let record = SlotRecord::queued("t", &version);
                let raw = &record.version[..record.version_len as usize];
                let text = std::str::from_utf8(raw).expect("valid UTF-8");
                assert!(text.len() <= VERSION_CAPACITY);
                if version.len() <= VERSION_CAPACITY {
                    assert_eq!(text, version);
                } else {
                    assert!(text.ends_with('…') && version.starts_with(&text[..text.len() - 3]));
                }
            }
        }
        assert_eq!(fit_cut("abcdef", 3), "…");
        assert_eq!(fit_cut("abcdef", 2), "ab", "no room for the mark");
    }

    /// A long failure keeps its reason and whole words (a dump of a failed sync
    /// showed `http://…/nope-tool-release-1.0-linux.tar.` and no reason at all).
    #[test]
    fn a_long_message_keeps_whole_words_and_its_end() {
        let mut record = SlotRecord::queued("nope", "1.0");
        let url = "http://127.0.0.1:18765/a-rather-long-directory-name/another-long-directory-name/nope-tool-release-1.0-linux.tar.gz";
        record.set_message(&format!("{url}: the server answered HTTP 404 Not Found"));
        let message = record.message();
        assert!(message.len() <= MESSAGE_CAPACITY, "{message}");
        assert_eq!(
            message,
            "http://127.0.0.1:18765/a-rather-long-directory-name/ … the server answered HTTP 404 Not Found"
        );

        let path = "/home/someone/.local/share/vx/store/.cache/downloads/.partial/aa48c0ffee0123456789abcdef0123456789abcdef0123456789abcdef012345.part";
        record.set_message(&format!(
            "cannot write the download to {path}: No space left on device"
        ));
        let message = record.message();
        assert!(message.len() <= MESSAGE_CAPACITY, "{message}");
        assert!(message.ends_with(" No space left on device"), "{message}");
        assert!(
            message.starts_with("cannot write the download to"),
            "{message}"
        );

        // Every word kept is whole: each is a word of the original, or the mark.
        let long = (0..40)
            .map(|n| format!("word{n}"))
            .collect::<Vec<_>>()
            .join(" ");
        record.set_message(&long);
        let message = record.message();
        assert!(message.len() <= MESSAGE_CAPACITY, "{message}");
        for word in message.split(' ') {
            assert!(
                word == "…" || long.split(' ').any(|w| w == word),
                "{word} in {message}"
            );
        }
        assert!(message.ends_with("word39"), "{message}");
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
