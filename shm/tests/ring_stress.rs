//! Output rings across processes: a writer process appends, as fast as it can, chunks
//! whose every byte is a function of its position, into a ring far smaller than what it
//! writes; reader processes follow it in place and check every byte they accept. A
//! reader that falls behind must count what it lost and never accept an overwritten
//! byte. Zero wrong bytes are allowed.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use support::{Helper, role};
use vx_shm::{TaskBoard, TaskPhase, TaskRun};

/// The byte at `position`. 251 is prime, so a byte of an older lap at the same ring
/// offset (a multiple of the power-of-two capacity away) differs from it.
fn byte_at(position: u64) -> u8 {
    (position % 251) as u8
}

const CAPACITY: usize = 4096;

/// Writer role: creates the task board, prints its path, waits for the word to start,
/// appends for the given milliseconds, then finishes the task.
#[test]
#[ignore = "helper process of the ring stress test; runs only when started by it"]
fn ring_writer_process() {
    let Some(role) = role() else { return };
    let (dir, millis) = role.split_once('#').expect("role is DIR#MILLIS");
    let board = TaskBoard::create(Path::new(dir), "stress", &["spam"], CAPACITY).unwrap();
    let mut writer = board.writer(0).unwrap();
    writer.set_phase(TaskPhase::Running);
    println!("board {}", board.path().display());
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).unwrap();
    let pattern: Vec<u8> = (0..251 + 3000).map(byte_at).collect();
    let deadline = Instant::now() + Duration::from_millis(millis.parse().unwrap());
    let (mut position, mut chunk) = (0u64, 1usize);
    while Instant::now() < deadline {
        for _ in 0..64 {
            // Chunk sizes from 1 to 2999 bytes: within a word, across words, across
            // the ring's end, most of a lap.
            chunk = (chunk * 7 + 13) % 2999 + 1;
            let at = (position % 251) as usize;
            writer.output(&pattern[at..at + chunk]);
            position += chunk as u64;
        }
    }
    writer.finish(TaskPhase::Done, Some(0), "");
    println!("wrote {position}");
    std::io::stdin().read_line(&mut line).unwrap();
}

/// Reader role: follows the ring until the task ends, checking every byte.
#[test]
#[ignore = "helper process of the ring stress test; runs only when started by it"]
fn ring_reader_process() {
    let Some(path) = role() else { return };
    let run = TaskRun::open(Path::new(&path)).unwrap();
    println!("ready");
    let (mut from, mut accepted, mut lost, mut wrong, mut reads) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut out = Vec::new();
    loop {
        out.clear();
        let read = run.read_output(0, from, 1 << 20, &mut out).unwrap();
        reads += 1;
        let first = from + read.lost;
        for (i, byte) in out.iter().enumerate() {
            if *byte != byte_at(first + i as u64) {
                wrong += 1;
            }
        }
        accepted += out.len() as u64;
        lost += read.lost;
        assert_eq!(first + out.len() as u64, read.next.max(first));
        from = read.next;
        if read.ended {
            break;
        }
        // Every few reads, stay away a while: a reader that falls behind.
        if reads % 1000 == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    println!("read {from} accepted {accepted} lost {lost} wrong {wrong} reads {reads}");
}

#[test]
fn readers_in_other_processes_never_accept_an_overwritten_byte() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = Helper::spawn(
        "ring_writer_process",
        &format!("{}#1500", dir.path().display()),
    );
    let path = writer.expect_line("board ");
    let mut readers: Vec<Helper> = (0..2)
        .map(|_| Helper::spawn("ring_reader_process", &path))
        .collect();
    for reader in &mut readers {
        reader.expect_line("ready");
    }
    {
        use std::io::Write;
        let stdin = writer.child.stdin.as_mut().unwrap();
        writeln!(stdin, "go").unwrap();
    }
    let wrote: u64 = writer.expect_line("wrote ").trim().parse().unwrap();
    assert!(
        wrote > 10 * CAPACITY as u64,
        "the ring lapped many times: {wrote}"
    );
    for reader in &mut readers {
        let report = reader.expect_line("read ");
        let fields: Vec<u64> = report
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        let [read_to, accepted, lost, wrong, _reads] = fields[..] else {
            panic!("report {report:?}");
        };
        eprintln!("reader: {report}");
        assert_eq!(wrong, 0, "wrong bytes accepted: {report}");
        assert_eq!(read_to, wrote, "followed to the end: {report}");
        assert_eq!(
            accepted + lost,
            wrote,
            "every byte read or counted lost: {report}"
        );
        assert!(accepted > 0);
    }
}
