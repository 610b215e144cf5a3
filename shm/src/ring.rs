//! The output ring: one writer appends bytes, any number of readers copy them in place,
//! with no lock, no syscall and no data race in the Rust memory model. A writer never
//! waits for readers; a reader that falls behind by more than the ring holds is told
//! how many bytes it lost instead of being handed overwritten ones.
//!
//! Positions count every byte ever appended (`u64`, never wrapping in practice); byte
//! `p` lives at `p % capacity` of the data words. Two control words, both positions:
//!
//! - `reserved`: the end of the append in progress (or of the last one). The writer
//!   stores it, then a release fence, before it stores any data word of that append.
//! - `head`: the end of the last complete append, stored with release after its data.
//!
//! A reader loads `head` (relaxed, then an acquire fence), copies the data words of the
//! positions it wants below `head` (relaxed loads), issues an acquire fence and loads
//! `reserved` (relaxed). Every byte below `reserved - capacity` may have been overwritten
//! during the copy and is dropped, counted as lost. The argument is the seqlock's
//! (`seqlock.rs`): if a data load saw a word of a later append, the acquire fence
//! synchronises with that append's release fence, so the reader's `reserved` load sees
//! that append's reservation (or a later one), which covers every position whose byte
//! that store could have replaced. `docs/LAYOUT.md` spells it out for other languages.

use crate::primitive::{AtomicU64, Ordering, fence};

/// Bytes per data word.
const WORD: usize = 8;

/// The two positions of a ring, as the writer publishes them.
pub(crate) struct RingControl<'a> {
    /// End of the append in progress (or of the last one).
    pub(crate) reserved: &'a AtomicU64,
    /// End of the last complete append.
    pub(crate) head: &'a AtomicU64,
}

/// What one [`read`] produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ReadOutcome {
    /// Bytes between the position asked for and the first byte returned that the ring no
    /// longer held (overwritten before or while they were copied).
    pub(crate) lost: u64,
    /// The position after the last byte returned: where the next read starts.
    pub(crate) next: u64,
    /// The ring's head when the read started: bytes up to here were written.
    pub(crate) head: u64,
}

/// Appends `bytes` to the ring: only the ring's single writer may call this (two
/// writers would interleave their words); it never waits. Of a chunk longer than the
/// ring only its last `capacity` bytes are stored: the rest would be overwritten at
/// once. Returns the new head.
pub(crate) fn append(control: &RingControl<'_>, data: &[AtomicU64], bytes: &[u8]) -> u64 {
    let capacity = data.len() * WORD;
    if bytes.is_empty() || capacity == 0 {
        return control.head.load(Ordering::Relaxed);
    }
    // Only this writer stores `head`: its own last value.
    let head = control.head.load(Ordering::Relaxed);
    let end = head.wrapping_add(bytes.len() as u64);
    let skip = bytes.len().saturating_sub(capacity);
    control.reserved.store(end, Ordering::Relaxed);
    // Release fence: orders the reservation before every data store below, so a reader
    // whose acquire fence follows a load of any new data word sees the reservation.
    fence(Ordering::Release);
    let mut position = head.wrapping_add(skip as u64);
    let mut rest = &bytes[skip..];
    // In spans that do not cross the ring's end: one division per span, not per word.
    while !rest.is_empty() {
        let offset = (position % capacity as u64) as usize;
        let take = rest.len().min(capacity - offset);
        store_span(data, offset, &rest[..take]);
        position = position.wrapping_add(take as u64);
        rest = &rest[take..];
    }
    // Release store: a reader that sees the new head sees every data word above.
    control.head.store(end, Ordering::Release);
    end
}

/// Stores `bytes` at byte `offset` of the data words (`offset + bytes.len()` within
/// them): whole words as they are, a word only partly covered merged with its other
/// bytes (this writer's own earlier bytes, or older ones a reader may still be
/// copying), every store relaxed.
fn store_span(data: &[AtomicU64], offset: usize, bytes: &[u8]) {
    let (mut index, within) = (offset / WORD, offset % WORD);
    let mut bytes = bytes;
    if within != 0 {
        let take = bytes.len().min(WORD - within);
        merge(&data[index], within, &bytes[..take]);
        index += 1;
        bytes = &bytes[take..];
    }
    let mut words = bytes.chunks_exact(WORD);
    for (word, chunk) in data[index..].iter().zip(&mut words) {
        word.store(
            u64::from_ne_bytes(chunk.try_into().expect("eight bytes")),
            Ordering::Relaxed,
        );
    }
    let tail = words.remainder();
    if !tail.is_empty() {
        merge(&data[index + bytes.len() / WORD], 0, tail);
    }
}

/// Stores `bytes` into `word` from byte `within`, keeping its other bytes.
fn merge(word: &AtomicU64, within: usize, bytes: &[u8]) {
    let mut merged = word.load(Ordering::Relaxed).to_ne_bytes();
    merged[within..within + bytes.len()].copy_from_slice(bytes);
    word.store(u64::from_ne_bytes(merged), Ordering::Relaxed);
}

/// Copies up to `max` bytes from position `from` onwards into `out` (appended), never
/// blocking and never looping. Bytes the ring no longer holds are skipped and counted
/// in [`ReadOutcome::lost`]; a `from` past the head (a position from another run of the
/// ring, or a hostile one) reads nothing. Any values of the control words give an
/// answer within the ring's bounds: a corrupt ring yields wrong bytes, never a panic.
pub(crate) fn read(
    control: &RingControl<'_>,
    data: &[AtomicU64],
    from: u64,
    max: usize,
    out: &mut Vec<u8>,
) -> ReadOutcome {
    let capacity = (data.len() * WORD) as u64;
    // A relaxed load then an acquire fence is an acquire load that is also sound on a
    // read-only mapping (see `seqlock.rs`).
    let head = control.head.load(Ordering::Relaxed);
    fence(Ordering::Acquire);
    if from >= head || capacity == 0 {
        return ReadOutcome {
            lost: 0,
            next: from,
            head,
        };
    }
    let start = from.max(head.saturating_sub(capacity));
    let end = head.min(start.saturating_add(max as u64));
    let copied_from = out.len();
    out.reserve((end - start) as usize);
    let mut position = start;
    // In spans that do not cross the ring's end, as the writer stores them.
    while position < end {
        let offset = (position % capacity) as usize;
        let take = ((capacity as usize - offset) as u64).min(end - position) as usize;
        load_span(data, offset, take, out);
        position += take as u64;
    }
    // Acquire fence: if any load above saw a word of a later append, that append's
    // reservation is visible to the load below.
    fence(Ordering::Acquire);
    let reserved = control.reserved.load(Ordering::Relaxed);
    let valid_from = start.max(reserved.saturating_sub(capacity));
    if valid_from >= end {
        // Everything copied was overwritten meanwhile: the reader is a lap behind.
        out.truncate(copied_from);
        return ReadOutcome {
            lost: valid_from - from,
            next: valid_from,
            head,
        };
    }
    let dropped = (valid_from - start) as usize;
    out.drain(copied_from..copied_from + dropped);
    ReadOutcome {
        lost: valid_from - from,
        next: end,
        head,
    }
}

/// Appends the `len` bytes at byte `offset` of the data words to `out` (within them),
/// every load relaxed.
fn load_span(data: &[AtomicU64], offset: usize, len: usize, out: &mut Vec<u8>) {
    let (first, within) = (offset / WORD, offset % WORD);
    let last = (offset + len).div_ceil(WORD);
    let mut skip = within;
    let mut left = len;
    for word in &data[first..last] {
        let bytes = word.load(Ordering::Relaxed).to_ne_bytes();
        let take = (WORD - skip).min(left);
        out.extend_from_slice(&bytes[skip..skip + take]);
        left -= take;
        skip = 0;
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    struct Ring {
        reserved: AtomicU64,
        head: AtomicU64,
        data: Vec<AtomicU64>,
    }

    impl Ring {
        fn new(words: usize) -> Ring {
            Ring {
                reserved: AtomicU64::new(0),
                head: AtomicU64::new(0),
                data: (0..words).map(|_| AtomicU64::new(0)).collect(),
            }
        }
        fn control(&self) -> RingControl<'_> {
            RingControl {
                reserved: &self.reserved,
                head: &self.head,
            }
        }
        fn append(&self, bytes: &[u8]) -> u64 {
            append(&self.control(), &self.data, bytes)
        }
        fn read(&self, from: u64, max: usize) -> (Vec<u8>, ReadOutcome) {
            let mut out = Vec::new();
            let outcome = read(&self.control(), &self.data, from, max, &mut out);
            (out, outcome)
        }
    }

    #[test]
    fn bytes_come_back_in_order_across_word_and_ring_boundaries() {
        let ring = Ring::new(2); // 16 bytes
        ring.append(b"hello ");
        ring.append(b"world");
        let (bytes, outcome) = ring.read(0, usize::MAX);
        assert_eq!(bytes, b"hello world");
        assert_eq!((outcome.lost, outcome.next, outcome.head), (0, 11, 11));
        ring.append(b", and more");
        // 21 bytes written into 16: the first 5 are gone.
        let (bytes, outcome) = ring.read(0, usize::MAX);
        assert_eq!(bytes, b" world, and more");
        assert_eq!((outcome.lost, outcome.next), (5, 21));
        let (bytes, outcome) = ring.read(11, 4);
        assert_eq!(bytes, b", an");
        assert_eq!((outcome.lost, outcome.next), (0, 15));
    }

    #[test]
    fn a_chunk_larger_than_the_ring_keeps_its_tail() {
        let ring = Ring::new(1);
        let head = ring.append(b"0123456789abcdef-xyz");
        assert_eq!(head, 20);
        let (bytes, outcome) = ring.read(0, usize::MAX);
        assert_eq!(bytes, b"cdef-xyz", "exactly the last 8 bytes");
        assert_eq!((outcome.lost, outcome.next), (12, 20));
    }

    #[test]
    fn a_position_past_the_head_reads_nothing_and_empty_appends_change_nothing() {
        let ring = Ring::new(2);
        ring.append(b"abc");
        ring.append(b"");
        let (bytes, outcome) = ring.read(99, 10);
        assert!(bytes.is_empty());
        assert_eq!((outcome.lost, outcome.next, outcome.head), (0, 99, 3));
    }

    proptest::proptest! {
        /// Any sequence of appends and reads, without concurrency, gives exactly what a
        /// plain model says: the bytes still held, and what was lost before them.
        #[test]
        fn reads_agree_with_a_model_of_the_last_capacity_bytes(
            words in 1usize..6,
            steps in proptest::collection::vec((0usize..70, 0u64..200, 0usize..80), 1..40),
        ) {
            let ring = Ring::new(words);
            let capacity = (words * 8) as u64;
            let mut written: Vec<u8> = Vec::new();
            for (append, from, max) in steps {
                let chunk: Vec<u8> = (0..append).map(|i| (written.len() + i) as u8 ^ 0xa5).collect();
                written.extend_from_slice(&chunk);
                ring.append(&chunk);
                let head = written.len() as u64;
                let (bytes, outcome) = ring.read(from, max);
                if from >= head {
                    proptest::prop_assert!(bytes.is_empty());
                    proptest::prop_assert_eq!(outcome.next, from);
                    continue;
                }
                let first = from.max(head.saturating_sub(capacity));
                let end = head.min(first + max as u64);
                proptest::prop_assert_eq!(outcome.lost, first - from);
                proptest::prop_assert_eq!(outcome.next, end);
                proptest::prop_assert_eq!(&bytes[..], &written[first as usize..end as usize]);
            }
        }
    }

    #[test]
    fn hostile_control_words_stay_in_bounds() {
        let ring = Ring::new(2);
        for (reserved, head) in [
            (0, u64::MAX),
            (u64::MAX, 5),
            (3, 1 << 40),
            (u64::MAX, u64::MAX),
        ] {
            ring.reserved.store(reserved, Ordering::Relaxed);
            ring.head.store(head, Ordering::Relaxed);
            for from in [0, 1, head.saturating_sub(3), u64::MAX] {
                let (bytes, outcome) = ring.read(from, 1 << 20);
                assert!(bytes.len() <= 16);
                assert!(outcome.next >= from);
            }
        }
    }
}

#[cfg(all(test, loom))]
mod loom_model {
    //! Loom explores the interleavings of a writer appending bytes whose value is a
    //! function of their position against a reader: every byte the reader accepts must
    //! be the one written at its position, and what it does not get it must count as
    //! lost.
    use super::*;
    use loom::sync::Arc;

    fn byte_at(position: u64) -> u8 {
        (position % 251) as u8 ^ 0x5a
    }

    struct Ring {
        reserved: AtomicU64,
        head: AtomicU64,
        data: [AtomicU64; 2],
    }

    #[test]
    fn a_reader_never_accepts_an_overwritten_byte() {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = builder.preemption_bound.or(Some(3));
        builder.check(|| {
            let ring = Arc::new(Ring {
                reserved: AtomicU64::new(0),
                head: AtomicU64::new(0),
                data: [AtomicU64::new(0), AtomicU64::new(0)],
            });
            let writer = {
                let ring = Arc::clone(&ring);
                loom::thread::spawn(move || {
                    let control = RingControl {
                        reserved: &ring.reserved,
                        head: &ring.head,
                    };
                    // 12, 9, then 7 bytes into a 16-byte ring: each laps part of the one before.
                    let mut position = 0u64;
                    for len in [12u64, 9, 7] {
                        let chunk: Vec<u8> = (position..position + len).map(byte_at).collect();
                        append(&control, &ring.data, &chunk);
                        // A point where loom may switch threads between appends.
                        loom::thread::yield_now();
                        position += len;
                    }
                })
            };
            let control = RingControl {
                reserved: &ring.reserved,
                head: &ring.head,
            };
            let mut from = 0;
            for _ in 0..3 {
                // Without a yield loom runs the reader straight through; with one it
                // interleaves it with every step of the writer (a broken check, such as
                // ignoring `reserved`, fails within a few executions).
                loom::thread::yield_now();
                let mut out = Vec::new();
                let outcome = read(&control, &ring.data, from, usize::MAX, &mut out);
                let first = from + outcome.lost;
                for (i, byte) in out.iter().enumerate() {
                    assert_eq!(
                        *byte,
                        byte_at(first + i as u64),
                        "byte {}",
                        first + i as u64
                    );
                }
                assert_eq!(first + out.len() as u64, outcome.next.max(first));
                from = outcome.next;
            }
            writer.join().unwrap();
        });
    }
}
