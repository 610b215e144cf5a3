//! The board end to end within one process: create, register, publish, read, look up,
//! cancel, finish, dump, and removal on drop (also when unwinding from a panic).

mod support;

use std::path::PathBuf;

use support::board_with;
use vx_shm::{Access, Board, BoardReader, Error, Phase, SlotWriter, ToolEntry, registry};

#[test]
fn a_new_board_shows_the_whole_plan_queued() {
    let dir = tempfile::tempdir().unwrap();
    let board = board_with(dir.path(), 5);
    let reader = BoardReader::open(board.path(), Access::ReadOnly).unwrap();
    assert_eq!(reader.slot_count(), 5);
    assert_eq!(reader.info().label, "test/vx.toml");
    assert_eq!(reader.info().id, board.id());
    assert_eq!(reader.info().creator.pid, std::process::id());
    for (index, read) in reader.snapshot().into_iter().enumerate() {
        let snap = read.unwrap();
        assert_eq!(snap.index, index);
        assert_eq!(snap.record.tool(), format!("tool-{index}"));
        assert_eq!(snap.record.version(), "1.2.3");
        assert_eq!(snap.record.phase(), Some(Phase::Queued));
    }
    assert_eq!(reader.find("tool-3"), Some(3));
    assert_eq!(reader.find("nope"), None);
    assert!(reader.read_slot(5).is_none());
    assert!(reader.owner_alive());
    assert!(!reader.is_finished());
}

#[test]
fn the_segment_is_private_and_named_unguessably() {
    let dir = tempfile::tempdir().unwrap();
    let a = board_with(dir.path(), 1);
    let b = board_with(dir.path(), 1);
    // Windows has no mode bits: a board there is private by its directory's ACL, and
    // its owner SID is checked on attach (the platform layer's own tests).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(a.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_ne!(a.id(), b.id());
    assert_eq!(a.id().len(), 32, "128 random bits");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "no staging files left: {names:?}");
}

#[test]
fn a_writer_publishes_and_readers_see_it_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let board = board_with(dir.path(), 3);
    let mut writer = SlotWriter::attach(board.path(), 1, "tool-1").unwrap();
    writer.update(|record| {
        record.set_phase(Phase::Downloading);
        record.set_progress(512, Some(2048));
        record.set_message("fetching");
    });
    let snap = board.reader().read_slot(1).unwrap().unwrap();
    assert_eq!(snap.record.phase(), Some(Phase::Downloading));
    assert_eq!(snap.record.ratio(), Some(0.25));
    assert_eq!(snap.record.message(), "fetching");
    assert_eq!(snap.record.writer().unwrap().pid, std::process::id());
    assert!(snap.record.updated_unix_ms > 0);
    let before = snap.seq;
    writer.update(|record| record.set_progress(2048, Some(2048)));
    let after = board.reader().read_slot(1).unwrap().unwrap();
    assert_eq!(after.seq, before + 2);
    assert_eq!(after.record.ratio(), Some(1.0));
    // The neighbours are untouched.
    let other = board.reader().read_slot(0).unwrap().unwrap();
    assert_eq!(other.record.phase(), Some(Phase::Queued));
}

#[test]
fn a_repeated_snapshot_copies_only_the_slots_that_moved() {
    let dir = tempfile::tempdir().unwrap();
    let board = board_with(dir.path(), 3);
    let reader = board.reader();
    let mut writer = SlotWriter::attach(board.path(), 1, "tool-1").unwrap();
    writer.update(|record| record.set_phase(Phase::Downloading));
    let mut frame = Vec::new();
    reader.snapshot_into(&mut frame);
    assert_eq!(reader.slot_seq(1), Some(frame[1].as_ref().unwrap().seq));
    // Mark the copies: a slot copied again loses the mark.
    for entry in &mut frame {
        entry.as_mut().unwrap().record.bytes_done = 999;
    }
    writer.update(|record| record.set_progress(5, Some(10)));
    board.canceller().request_cancel(2).unwrap();
    reader.snapshot_into(&mut frame);
    let snap = |i: usize| *frame[i].as_ref().unwrap();
    assert_eq!(
        snap(0).record.bytes_done,
        999,
        "an idle slot is not copied again"
    );
    assert_eq!(snap(1).record.bytes_done, 5, "a slot that moved is");
    assert_eq!(snap(1).seq, reader.slot_seq(1).unwrap());
    assert!(
        snap(2).cancel_requested,
        "the cancel flag is read every time"
    );
    assert_eq!(reader.slot_seq(3), None);
}

#[test]
fn a_writer_must_name_the_tool_its_slot_was_registered_for() {
    let dir = tempfile::tempdir().unwrap();
    let board = board_with(dir.path(), 2);
    match SlotWriter::attach(board.path(), 1, "tool-0") {
        Err(Error::SlotMismatch { index: 1, .. }) => {}
        other => panic!("expected a slot mismatch, got {:?}", other.err()),
    }
    assert!(matches!(
        SlotWriter::attach(board.path(), 7, "tool-7"),
        Err(Error::NoSuchSlot { index: 7, count: 2 })
    ));
}

#[test]
fn a_cancel_request_reaches_the_writer_and_shows_on_the_board() {
    let dir = tempfile::tempdir().unwrap();
    let board = board_with(dir.path(), 2);
    let writer = SlotWriter::attach(board.path(), 0, "tool-0").unwrap();
    let watcher = BoardReader::open(board.path(), Access::ReadWrite).unwrap();
    assert!(!writer.cancel_requested());
    let canceller = watcher.canceller().expect("a live board opened writable");
    canceller.request_cancel(0).unwrap();
    assert!(writer.cancel_requested());
    assert!(
        board
            .reader()
            .read_slot(0)
            .unwrap()
            .unwrap()
            .cancel_requested
    );
    assert!(
        !board
            .reader()
            .read_slot(1)
            .unwrap()
            .unwrap()
            .cancel_requested
    );
    let read_only = BoardReader::open(board.path(), Access::ReadOnly).unwrap();
    assert!(
        read_only.canceller().is_none(),
        "read-only: no way to cancel"
    );
    assert!(matches!(
        canceller.request_cancel(2),
        Err(Error::NoSuchSlot { index: 2, .. })
    ));
}

#[test]
fn the_creator_can_take_over_a_slot_to_record_an_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let board = board_with(dir.path(), 1);
    let mut child = SlotWriter::attach(board.path(), 0, "tool-0").unwrap();
    child.update(|r| r.set_phase(Phase::Downloading));
    drop(child);
    let mut parent = board.writer(0).unwrap();
    parent.update(|r| {
        r.set_phase(Phase::Failed);
        r.exit_code = -9;
        r.set_message("killed by signal 9");
    });
    let snap = board.reader().read_slot(0).unwrap().unwrap();
    assert_eq!(snap.record.phase(), Some(Phase::Failed));
    assert_eq!(snap.record.tool(), "tool-0", "the registration survives");
    assert_eq!(snap.record.exit_code, -9);
}

#[test]
fn finishing_is_visible_to_readers() {
    let dir = tempfile::tempdir().unwrap();
    let board = board_with(dir.path(), 1);
    let reader = BoardReader::open(board.path(), Access::ReadOnly).unwrap();
    board.finish(true);
    assert!(reader.is_finished());
    assert!(reader.was_interrupted());
    assert!(reader.finished_unix_ms().unwrap() >= reader.info().created_unix_ms);
}

#[test]
fn a_dump_reads_back_through_the_same_reader_and_is_frozen() {
    let dir = tempfile::tempdir().unwrap();
    let board = board_with(dir.path(), 3);
    let mut writer = SlotWriter::attach(board.path(), 2, "tool-2").unwrap();
    writer.update(|r| {
        r.set_phase(Phase::Completed);
        r.set_progress(10, Some(10));
    });
    board.canceller().request_cancel(1).ok();
    board.finish(false);
    let dump_path = dir.path().join("out/final.board");
    std::fs::create_dir(dir.path().join("out")).unwrap();
    board.reader().dump_to(&dump_path).unwrap();
    let live: Vec<_> = board.reader().snapshot();
    drop(writer);
    drop(board);

    // Asked for writable, a dump is still mapped read-only and offers no cancel.
    let before = std::fs::read(&dump_path).unwrap();
    let writable = BoardReader::open(&dump_path, Access::ReadWrite).unwrap();
    assert!(writable.canceller().is_none(), "a dump is frozen");
    drop(writable);
    assert_eq!(std::fs::read(&dump_path).unwrap(), before);
    let dump = BoardReader::open(&dump_path, Access::ReadOnly).unwrap();
    assert!(dump.is_dump());
    assert!(dump.is_finished());
    assert!(!dump.owner_alive(), "a dump has no owner");
    assert_eq!(dump.snapshot(), live);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("final.board")]);
}

#[test]
fn the_creator_removes_its_segment_when_dropped_and_when_unwinding() {
    let dir = tempfile::tempdir().unwrap();
    let board = board_with(dir.path(), 1);
    let path: PathBuf = board.path().to_path_buf();
    drop(board);
    assert!(!path.exists());

    let dir_path = dir.path().to_path_buf();
    let result = std::panic::catch_unwind(move || {
        let board = board_with(&dir_path, 1);
        assert!(board.path().exists());
        panic!("sync failed");
    });
    assert!(result.is_err());
    assert_eq!(registry::list(dir.path()).unwrap(), vec![]);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn invalid_tool_lists_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let tool = |name| ToolEntry { name, version: "1" };
    let long = "x".repeat(33);
    for tools in [
        vec![tool("a"), tool("a")],
        vec![tool("")],
        vec![tool(&long)],
    ] {
        assert!(matches!(
            Board::create(dir.path(), "x", &tools),
            Err(Error::InvalidTools(_))
        ));
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// A version over the slot's 32-byte field (a Go pseudo-version) is no error: the board
/// shows it cut, ending in `…`, and every reader (the names read at open, a slot's
/// snapshot) sees valid UTF-8 of at most 32 bytes.
#[test]
fn a_long_version_is_shown_cut_with_an_ellipsis() {
    let dir = tempfile::tempdir().unwrap();
    let pseudo = "v1.2.4-0.20191109021931-daa7c04131f5";
    let board = Board::create(
        dir.path(),
        "x",
        &[ToolEntry {
            name: "gotool",
            version: pseudo,
        }],
    )
    .unwrap();
    let reader = BoardReader::open(board.path(), Access::ReadOnly).unwrap();
    let shown = "v1.2.4-0.20191109021931-daa7c\u{2026}";
    assert_eq!(reader.info().names[0].version, shown);
    let snap = reader.read_slot(0).unwrap().unwrap();
    assert_eq!(snap.record.version(), shown);
    let raw = &snap.record.version[..snap.record.version_len as usize];
    assert_eq!(std::str::from_utf8(raw), Ok(shown));
}

#[test]
fn a_board_holds_a_thousand_tools() {
    let dir = tempfile::tempdir().unwrap();
    let board = board_with(dir.path(), 1024);
    assert_eq!(board.reader().info().size_bytes, 256 + 1024 * 256);
    assert_eq!(board.reader().find("tool-1023"), Some(1023));
    assert!(board.reader().snapshot().iter().all(Result::is_ok));
}

#[test]
fn clean_removes_exactly_dead_boards_and_dead_staging_files() {
    use std::fs::File;
    use std::time::{Duration, SystemTime};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = "0123456789abcdef0123456789abcdef";
    let aged = |name: &str| {
        let file = File::create(d.join(name)).unwrap();
        file.set_modified(SystemTime::now() - Duration::from_secs(600))
            .unwrap();
    };
    // Dead: a board nobody locks, and a staging file left by a crashed creator.
    aged(&format!("vx-board-{id}"));
    aged(&format!(".vx-board-{id}.init"));
    // Not names of LAYOUT.md: upper-case or short ids, other suffixes. On a file system
    // that ignores case (Windows) the upper-case name is the dead board itself.
    let upper = format!("vx-board-{}", id.to_uppercase());
    let mut strangers = vec![
        "vx-board-abc".to_owned(),
        format!("vx-board-{id}.bak"),
        format!(".vx-board-{id}.init.old"),
    ];
    if !d.join(&upper).exists() {
        strangers.push(upper);
    }
    for name in &strangers {
        aged(name);
    }
    // Alive: a staging file its creator still locks, and one created just now.
    let held = format!(".vx-board-{}.init", "f".repeat(32));
    aged(&held);
    let lock = File::open(d.join(&held)).unwrap();
    lock.lock().unwrap();
    File::create(d.join(format!(".vx-board-{}.init", "e".repeat(32)))).unwrap();
    let live = support::board_with(d, 1);

    let removed: Vec<String> = registry::clean(d)
        .unwrap()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        removed,
        [format!(".vx-board-{id}.init"), format!("vx-board-{id}")]
    );
    for name in strangers.iter().chain([&held]) {
        assert!(d.join(name).exists(), "{name} kept");
    }
    assert!(live.path().exists());
}
