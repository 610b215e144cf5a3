//! Processes dying at the worst moment: a writer SIGKILLed in the middle of a publish,
//! and a creator SIGKILLed while its board is live.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::{Helper, board_with, role};
use vx_shm::{Access, Board, BoardReader, Phase, SlotError, SlotWriter, registry};

/// Writer role: publish into one slot in a tight loop until killed, so a SIGKILL lands
/// in the middle of a publish most of the time.
#[test]
#[ignore = "helper process of the crash tests; runs only when started by them"]
fn hammering_writer_process() {
    let Some(role) = role() else { return };
    let mut writer = SlotWriter::attach(Path::new(&role), 0, "tool-0").unwrap();
    writer.update(|r| {
        r.set_phase(Phase::Downloading);
        r.set_message("hammering");
    });
    println!("ready");
    loop {
        writer.record_mut().bytes_done += 1;
        writer.publish();
    }
}

/// Creator role: create a board in the given directory, say where, and wait forever.
#[test]
#[ignore = "helper process of the crash tests; runs only when started by them"]
fn creating_process() {
    let Some(dir) = role() else { return };
    let board = board_with(Path::new(&dir), 2);
    println!("board {}", board.path().display());
    // Block until killed (stdin stays open while the test holds it).
    let _ = std::io::stdin().read(&mut [0u8; 1]);
}

#[test]
fn a_writer_killed_mid_publish_is_reported_lost_not_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let board = board_with(dir.path(), 1);
    let role = board.path().display().to_string();
    let (mut lost, mut whole) = (0, 0);
    for _ in 0..200 {
        let mut writer = Helper::spawn("hammering_writer_process", &role);
        writer.expect_line("ready");
        let pid = writer.child.id();
        writer.kill();

        let started = Instant::now();
        let read = board.reader().read_slot(0).unwrap();
        // A hang, not a slow read on a loaded machine: the bound is generous.
        assert!(started.elapsed() < Duration::from_secs(10), "read hung");
        match read {
            Err(SlotError::WriterLost {
                index: 0,
                pid: seen,
            }) => {
                assert_eq!(seen, pid);
                lost += 1;
            }
            Ok(snap) => {
                assert_eq!(snap.record.phase(), Some(Phase::Downloading));
                assert_eq!(snap.record.message(), "hammering");
                whole += 1;
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
        if lost >= 3 {
            break;
        }
    }
    eprintln!("{lost} kills landed mid-publish, {whole} between publishes");
    assert!(lost >= 1, "no kill landed mid-publish in 200 tries");

    // A dump keeps the lost slot lost.
    let dump = dir.path().join("dump");
    board.reader().dump_to(&dump).unwrap();
    let frozen = BoardReader::open(&dump, Access::ReadOnly).unwrap();
    // The last kill may have landed between publishes; only a lost live slot must stay lost.
    if board.reader().read_slot(0).unwrap().is_err() {
        assert!(matches!(
            frozen.read_slot(0).unwrap(),
            Err(SlotError::WriterLost { .. })
        ));
    }

    // The creator takes the slot over and records the outcome: readable again.
    let mut parent = board.writer(0).unwrap();
    parent.update(|r| {
        r.set_phase(Phase::Failed);
        r.set_message("killed by signal 9");
    });
    let snap = board.reader().read_slot(0).unwrap().unwrap();
    assert_eq!(snap.record.phase(), Some(Phase::Failed));
    assert_eq!(snap.record.tool(), "tool-0");
}

#[test]
fn a_crashed_creators_board_is_cleaned_and_a_live_one_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let live: Board = board_with(dir.path(), 1);
    let mut creator = Helper::spawn("creating_process", &dir.path().display().to_string());
    let orphan = PathBuf::from(creator.expect_line("board ").trim());
    assert!(orphan.exists());

    let alive = |path: &Path| {
        registry::list(dir.path())
            .unwrap()
            .into_iter()
            .find(|l| l.path == path)
            .map(|l| l.owner_alive)
    };
    assert_eq!(alive(&orphan), Some(true), "creator still running");
    assert_eq!(registry::clean(dir.path()).unwrap(), Vec::<PathBuf>::new());

    creator.kill();
    assert!(orphan.exists(), "SIGKILL skips the creator's clean-up");
    assert_eq!(alive(&orphan), Some(false));
    assert_eq!(alive(live.path()), Some(true));
    // Dropped before the clean: Windows keeps a removed file's name while it is open.
    assert!(
        !BoardReader::open(&orphan, Access::ReadOnly)
            .unwrap()
            .owner_alive()
    );
    assert!(
        BoardReader::open(live.path(), Access::ReadOnly)
            .unwrap()
            .owner_alive()
    );

    assert_eq!(registry::clean(dir.path()).unwrap(), vec![orphan.clone()]);
    assert!(!orphan.exists());
    assert!(live.path().exists());
    let remaining = registry::list(dir.path()).unwrap();
    assert_eq!(remaining.len(), 1);
    assert_eq!(remaining[0].path, live.path());
    assert_eq!(
        registry::resolve(dir.path(), &live.id()[..8]).unwrap().path,
        live.path()
    );
}

/// A liveness probe runs while the same process starts children (a sync, the daemon).
/// A child holds copies of the parent's descriptors from fork until exec, so a probe
/// that let its lock go by closing the file left the lock with the child for that
/// window, and a dead board looked alive to the next `clean` (a CI run hit exactly
/// this). Probes release their lock explicitly, which frees it for every copy.
#[cfg(unix)]
#[test]
fn a_liveness_probe_leaves_no_lock_behind_in_children_started_meanwhile() {
    use std::fs::File;
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let board = dir.path().join(format!("vx-board-{}", "0".repeat(32)));
    File::create(&board).unwrap();
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                let _ = std::process::Command::new("true").status();
            }
        });
        let mut held = 0;
        for _ in 0..3000 {
            let listed = registry::list(dir.path()).unwrap();
            assert_eq!(listed.len(), 1);
            let file = File::open(&board).unwrap();
            match file.try_lock() {
                // Released by hand too: this check must not leak the lock either.
                Ok(()) => file.unlock().unwrap(),
                Err(_) => held += 1,
            }
        }
        stop.store(true, Ordering::Relaxed);
        assert_eq!(
            held, 0,
            "a dead board's lock was held after a probe {held} times"
        );
    });
}
