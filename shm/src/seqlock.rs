//! The seqlock that lets one writer publish a record while any number of readers copy it,
//! with no lock, no syscall and no data race in the Rust memory model.
//!
//! Every word of the record is an [`AtomicU64`]; the writer stores them with relaxed
//! ordering between two updates of the sequence word, and readers load them with relaxed
//! ordering between two loads of it. The fences make a reader that saw any word of a newer
//! write also see the sequence change, so a copy that raced with a write is detected and
//! retried instead of being returned torn. `docs/LAYOUT.md` spells out each ordering.

use crate::primitive::{AtomicU64, Ordering, fence, spin_hint};

/// One seqlock-protected record of `N` payload words, preceded by its sequence word and a
/// control word that readers may write (the cancel request). `#[repr(C)]` because this is
/// the byte layout inside the shared segment.
#[repr(C)]
pub(crate) struct SeqCell<const N: usize> {
    /// Even: the payload is stable. Odd: a write is in progress. Grows by 2 per write.
    pub(crate) seq: AtomicU64,
    /// Bit flags written by readers and polled by the writer ([`CONTROL_CANCEL`]).
    pub(crate) control: AtomicU64,
    /// The record, one atomic word at a time.
    pub(crate) words: [AtomicU64; N],
}

/// Control-word bit: a reader asks the slot's writer to stop.
#[cfg_attr(loom, allow(dead_code))]
pub(crate) const CONTROL_CANCEL: u64 = 1;

/// What one attempt to copy a cell produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Attempt {
    /// A consistent copy, taken while the sequence held this (even) value.
    Consistent(u64),
    /// A write was in progress (odd sequence) when the copy started.
    WriteInProgress(u64),
    /// The sequence moved while copying: the copy may be torn and was discarded.
    Raced,
}

impl<const N: usize> SeqCell<N> {
    /// A zeroed cell (sequence 0, empty record), for tests and loom models.
    #[cfg(any(test, loom))]
    pub(crate) fn new() -> Self {
        SeqCell {
            seq: AtomicU64::new(0),
            control: AtomicU64::new(0),
            words: core::array::from_fn(|_| AtomicU64::new(0)),
        }
    }

    /// Publishes `record`. Only the slot's single writer may call this; it never waits.
    ///
    /// If a previous writer died mid-write (odd sequence), the write starts from the next
    /// even value, so a writer taking over a slot (the parent after a crashed child)
    /// leaves it consistent again.
    #[inline]
    pub(crate) fn write(&self, record: &[u64; N]) {
        let current = self.seq.load(Ordering::Relaxed);
        let base = current.wrapping_add(current & 1);
        self.seq.store(base.wrapping_add(1), Ordering::Relaxed);
        // Release fence: orders the odd store above before every payload store below, so
        // a reader whose acquire fence follows a load of any new word sees the odd value.
        fence(Ordering::Release);
        for (word, value) in self.words.iter().zip(record) {
            word.store(*value, Ordering::Relaxed);
        }
        // Release store: a reader that acquires the new even value sees every word above.
        self.seq.store(base.wrapping_add(2), Ordering::Release);
    }

    /// Publishes `record` when the cell holds `previous` (the last record this writer
    /// published), and makes `previous` equal to `record`: the same protocol as
    /// [`SeqCell::write`], but only the words that differ are stored, here and in
    /// `previous`. A progress update changes two words of thirty, so this keeps a
    /// publish to one or two cache lines and copies nothing else. Readers see no
    /// difference: the unchanged words already hold their values.
    #[inline]
    pub(crate) fn write_changed(&self, record: &[u64; N], previous: &mut [u64; N]) {
        let current = self.seq.load(Ordering::Relaxed);
        let base = current.wrapping_add(current & 1);
        self.seq.store(base.wrapping_add(1), Ordering::Relaxed);
        // Same fences as `write`; see there.
        fence(Ordering::Release);
        for ((word, value), old) in self.words.iter().zip(record).zip(previous) {
            if value != old {
                word.store(*value, Ordering::Relaxed);
                *old = *value;
            }
        }
        self.seq.store(base.wrapping_add(2), Ordering::Release);
    }

    /// The sequence word alone (one relaxed load, sound on a read-only mapping): equal
    /// to a consistent copy's sequence means the record has not been written since that
    /// copy, so a poller need not copy it again. Seeing an older value is only
    /// staleness; the next load sees the write.
    #[cfg_attr(loom, allow(dead_code))]
    #[inline]
    pub(crate) fn sequence(&self) -> u64 {
        self.seq.load(Ordering::Relaxed)
    }

    /// One attempt to copy the record into `out`; never blocks and never loops.
    #[inline]
    pub(crate) fn try_read(&self, out: &mut [u64; N]) -> Attempt {
        // A relaxed load then an acquire fence acts as an acquire load (if this is the value
        // a completed write released, its words are visible below), and unlike an acquire
        // load it is sound on a read-only mapping such as a dump: std only promises that
        // small relaxed atomic loads work on read-only memory.
        let before = self.seq.load(Ordering::Relaxed);
        fence(Ordering::Acquire);
        if before & 1 == 1 {
            return Attempt::WriteInProgress(before);
        }
        for (value, word) in out.iter_mut().zip(&self.words) {
            *value = word.load(Ordering::Relaxed);
        }
        // Acquire fence: if any load above saw a word of a later write, the later write's
        // odd sequence store is visible to the load below, so the copy is rejected.
        fence(Ordering::Acquire);
        let after = self.seq.load(Ordering::Relaxed);
        if before == after {
            Attempt::Consistent(before)
        } else {
            Attempt::Raced
        }
    }

    #[cfg_attr(loom, allow(dead_code))]
    /// Copies the record, retrying at most `max_attempts` times; `None` when every attempt
    /// met a write in progress or a race. The caller decides what a persistent failure
    /// means (a dead writer or a very busy one).
    pub(crate) fn read(&self, out: &mut [u64; N], max_attempts: u32) -> Result<u64, Attempt> {
        let mut last = Attempt::Raced;
        for _ in 0..max_attempts {
            match self.try_read(out) {
                Attempt::Consistent(seq) => return Ok(seq),
                other => last = other,
            }
            spin_hint();
        }
        Err(last)
    }

    #[cfg_attr(loom, allow(dead_code))]
    /// Copies the words with no consistency check: the result may mix two writes. Only for
    /// diagnosing a slot whose writer died mid-write (its pid) and for dumping such a slot.
    pub(crate) fn copy_racy(&self, out: &mut [u64; N]) -> u64 {
        for (value, word) in out.iter_mut().zip(&self.words) {
            *value = word.load(Ordering::Relaxed);
        }
        self.seq.load(Ordering::Relaxed)
    }

    #[cfg_attr(loom, allow(dead_code))]
    /// Sets control bits (a reader's request); the writer sees them on its next poll.
    pub(crate) fn request(&self, bits: u64) {
        self.control.fetch_or(bits, Ordering::Relaxed);
    }

    #[cfg_attr(loom, allow(dead_code))]
    /// The control bits currently requested; one relaxed load, cheap enough per chunk.
    pub(crate) fn requested(&self) -> u64 {
        self.control.load(Ordering::Relaxed)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_write_is_read_back_whole_and_the_sequence_advances_by_two() {
        let cell = SeqCell::<4>::new();
        cell.write(&[1, 2, 3, 4]);
        let mut out = [0; 4];
        assert_eq!(cell.read(&mut out, 4), Ok(2));
        assert_eq!(out, [1, 2, 3, 4]);
        cell.write(&[5, 6, 7, 8]);
        assert_eq!(cell.read(&mut out, 4), Ok(4));
        assert_eq!(out, [5, 6, 7, 8]);
    }

    #[test]
    fn a_changed_word_publish_leaves_the_same_record_as_a_full_one() {
        let cell = SeqCell::<4>::new();
        cell.write(&[1, 2, 3, 4]);
        let mut previous = [1, 2, 3, 4];
        cell.write_changed(&[1, 9, 3, 8], &mut previous);
        assert_eq!(previous, [1, 9, 3, 8], "the writer's copy follows");
        let mut out = [0; 4];
        assert_eq!(cell.read(&mut out, 1), Ok(4));
        assert_eq!(out, [1, 9, 3, 8]);
    }

    #[test]
    fn a_write_left_half_done_is_reported_not_returned() {
        let cell = SeqCell::<2>::new();
        cell.write(&[1, 1]);
        // A writer that died between its odd store and its even store.
        cell.seq.store(3, Ordering::Relaxed);
        cell.words[0].store(9, Ordering::Relaxed);
        let mut out = [0; 2];
        assert_eq!(cell.read(&mut out, 3), Err(Attempt::WriteInProgress(3)));
    }

    #[test]
    fn a_sequence_at_the_end_of_its_range_wraps_instead_of_overflowing() {
        // A hostile board can leave any sequence; the parent taking over such a slot
        // must still publish (a debug build used to panic on `u64::MAX + 1`).
        for start in [u64::MAX, u64::MAX - 1] {
            let cell = SeqCell::<2>::new();
            cell.seq.store(start, Ordering::Relaxed);
            cell.write(&[7, 7]);
            cell.write_changed(&[7, 8], &mut [7, 7]);
            let mut out = [0; 2];
            let seq = cell.read(&mut out, 1).expect("a consistent copy");
            assert_eq!(seq & 1, 0, "{seq}");
            assert_eq!(out, [7, 8]);
        }
    }

    #[test]
    fn a_new_writer_repairs_a_slot_left_odd() {
        let cell = SeqCell::<2>::new();
        cell.seq.store(5, Ordering::Relaxed);
        cell.write(&[7, 7]);
        let mut out = [0; 2];
        assert_eq!(cell.read(&mut out, 1), Ok(8));
        assert_eq!(out, [7, 7]);
    }

    #[test]
    fn cancel_requests_accumulate_and_are_visible_to_the_writer() {
        let cell = SeqCell::<1>::new();
        assert_eq!(cell.requested() & CONTROL_CANCEL, 0);
        cell.request(CONTROL_CANCEL);
        cell.request(CONTROL_CANCEL);
        assert_eq!(cell.requested(), CONTROL_CANCEL);
    }
}

#[cfg(all(test, loom))]
mod loom_model {
    //! Loom explores every interleaving (and every weak-memory outcome loom models) of a
    //! writer publishing records whose words all equal one counter, against a reader.
    use super::*;
    use loom::sync::Arc;

    fn check_reader_never_sees_a_torn_record(
        writes: u64,
        reads: usize,
        preemptions: Option<usize>,
    ) {
        // `Builder::new` reads LOOM_MAX_PREEMPTIONS and friends from the environment.
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = builder.preemption_bound.or(preemptions);
        builder.check(move || {
            let cell = Arc::new(SeqCell::<3>::new());
            let writer = {
                let cell = Arc::clone(&cell);
                loom::thread::spawn(move || {
                    for n in 1..=writes {
                        cell.write(&[n; 3]);
                    }
                })
            };
            let mut last_seen = 0;
            for _ in 0..reads {
                let mut out = [u64::MAX; 3];
                if let Attempt::Consistent(seq) = cell.try_read(&mut out) {
                    assert!(out.iter().all(|w| *w == out[0]), "torn read: {out:?}");
                    assert_eq!(out[0], seq / 2, "record does not match its sequence");
                    assert!(out[0] >= last_seen, "went back in time");
                    last_seen = out[0];
                }
            }
            writer.join().unwrap();
            let mut out = [0; 3];
            assert_eq!(cell.try_read(&mut out), Attempt::Consistent(2 * writes));
            assert_eq!(out, [writes; 3]);
        });
    }

    /// Publishes that store only changed words: the middle word never changes, the outer
    /// two follow the counter. A reader must never see outer words that disagree.
    #[test]
    fn changed_word_publishes_against_two_reads() {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = builder.preemption_bound.or(Some(3));
        builder.check(|| {
            let cell = Arc::new(SeqCell::<3>::new());
            cell.write(&[0, 7, 0]);
            let writer = {
                let cell = Arc::clone(&cell);
                loom::thread::spawn(move || {
                    let mut previous = [0, 7, 0];
                    cell.write_changed(&[1, 7, 1], &mut previous);
                    cell.write_changed(&[2, 7, 2], &mut previous);
                })
            };
            for _ in 0..2 {
                let mut out = [u64::MAX; 3];
                if let Attempt::Consistent(seq) = cell.try_read(&mut out) {
                    assert_eq!(out[1], 7);
                    assert_eq!(out[0], out[2], "torn read: {out:?}");
                    assert_eq!(out[0], seq / 2 - 1);
                }
            }
            writer.join().unwrap();
        });
    }

    /// Exhaustive: every interleaving of one publish against two reads.
    #[test]
    fn one_write_against_two_reads() {
        check_reader_never_sees_a_torn_record(1, 2, None);
    }

    /// Two publishes against two reads, with loom's usual bound on preemptions (the
    /// exhaustive run takes about eight minutes; set LOOM_MAX_PREEMPTIONS to widen it).
    #[test]
    fn two_writes_against_two_reads() {
        check_reader_never_sees_a_torn_record(2, 2, Some(3));
    }
}
