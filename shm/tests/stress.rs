//! Torn-read stress across processes: writer processes publish, as fast as they can,
//! records whose every field is derived from one counter, while this process reads
//! snapshots and checks each is exactly the record of some counter value. Any mix of two
//! writes is detected. Zero torn reads are allowed.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use support::{Helper, board_with, role};
use vx_shm::{Access, BoardReader, Phase, SlotRecord, SlotWriter};

/// Fills every field of `record` from `n`, leaving the tool name alone.
fn derive(record: &mut SlotRecord, n: u64) {
    record.set_phase(Phase::ALL[(n % Phase::ALL.len() as u64) as usize]);
    record.exit_code = n as i32 ^ 0x5a5a;
    record.bytes_done = n;
    record.bytes_total = n.wrapping_mul(3).wrapping_add(1);
    record.started_unix_ms = n ^ 0xdead_beef;
    record.updated_unix_ms = n.rotate_left(17);
    record.attempt = (n >> 3) as u32;
    record.flags = (n % 7) as u32;
    record.set_message(&format!("{n:016x}").repeat(1 + (n % 6) as usize));
}

/// Whether `record` is exactly what `derive` makes of its counter.
fn is_whole(record: &SlotRecord) -> bool {
    let mut expected = *record;
    derive(&mut expected, record.bytes_done);
    expected == *record
}

/// Writer role: publish derived records into one slot until cancelled.
#[test]
#[ignore = "helper process of the stress tests; runs only when started by them"]
fn stress_writer_process() {
    let Some(role) = role() else { return };
    let (path, index) = role.split_once('#').expect("role is PATH#INDEX");
    let index: usize = index.parse().unwrap();
    let mut writer = SlotWriter::attach(Path::new(path), index, &format!("tool-{index}")).unwrap();
    println!("ready");
    let mut n = 0u64;
    while !writer.cancel_requested() {
        n += 1;
        derive(writer.record_mut(), n);
        writer.publish();
    }
    println!("published {n}");
}

fn run_stress(writers: usize, duration: Duration, min_checked: u64) {
    let dir = tempfile::tempdir().unwrap();
    let board = board_with(dir.path(), writers);
    let mut children: Vec<_> = (0..writers)
        .map(|index| {
            let role = format!("{}#{index}", board.path().display());
            Helper::spawn("stress_writer_process", &role)
        })
        .collect();
    for child in &mut children {
        child.expect_line("ready");
    }

    let reader = BoardReader::open(board.path(), Access::ReadWrite).unwrap();
    let mut snapshots = Vec::new();
    let (mut checked, mut torn, mut busy) = (0u64, 0u64, 0u64);
    let mut last_seen = vec![0u64; writers];
    let mut changes = vec![0u64; writers];
    let started = Instant::now();
    while started.elapsed() < duration {
        reader.snapshot_into(&mut snapshots);
        for read in &snapshots {
            let Ok(snap) = read else {
                busy += 1;
                continue;
            };
            checked += 1;
            let n = snap.record.bytes_done;
            if n == 0 {
                continue; // still the registration record
            }
            if !is_whole(&snap.record) {
                torn += 1;
                eprintln!("torn read in slot {}: {:?}", snap.index, snap.record);
            }
            assert!(
                n >= last_seen[snap.index],
                "slot {} went back in time",
                snap.index
            );
            if n != last_seen[snap.index] {
                changes[snap.index] += 1;
            }
            last_seen[snap.index] = n;
        }
    }
    let canceller = reader.canceller().expect("opened writable");
    for index in 0..writers {
        canceller.request_cancel(index).unwrap();
    }
    for child in &mut children {
        child.expect_line("published ");
        assert!(child.child.wait().unwrap().success());
    }
    eprintln!(
        "{checked} snapshots checked, {torn} torn, {busy} busy; distinct values seen per slot: {changes:?}"
    );
    assert_eq!(torn, 0, "torn reads");
    assert!(checked >= min_checked, "only {checked} snapshots checked");
    for (index, seen) in changes.iter().enumerate() {
        assert!(
            *seen > 10,
            "slot {index} barely changed while read ({seen} values)"
        );
    }
}

#[test]
fn no_torn_reads_with_three_writer_processes() {
    run_stress(3, Duration::from_secs(3), 100_000);
}

/// The long run: `cargo test -p vx-shm --release --test stress -- --ignored long`.
#[test]
#[ignore = "long stress run (10 minutes); run explicitly"]
fn long_no_torn_reads_with_eight_writer_processes() {
    run_stress(8, Duration::from_secs(600), 10_000_000);
}
