//! Task boards: a `vx run`'s slots and output rings, read in place by other processes.

mod support;

use std::path::Path;

use support::Helper;
use vx_shm::{Access, BoardReader, Error, TaskBoard, TaskPhase, TaskRun, registry, testing};

fn read_all(run: &TaskRun, index: usize, from: u64) -> (Vec<u8>, vx_shm::OutputRead) {
    let mut out = Vec::new();
    let read = run.read_output(index, from, usize::MAX, &mut out).unwrap();
    (out, read)
}

#[test]
fn phases_times_and_output_are_read_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let board = TaskBoard::create(dir.path(), "proj/vx.toml", &["lint", "test"], 4096).unwrap();
    let run = TaskRun::open(board.path()).unwrap();
    assert!(run.board().is_tasks());
    assert_eq!(run.task_count(), 2);
    assert!(run.owner_alive());
    let tasks = run.tasks();
    assert_eq!(tasks[0].name, "lint");
    assert_eq!(tasks[1].phase, Some(TaskPhase::Queued));

    let mut lint = board.writer(0).unwrap();
    lint.set_phase(TaskPhase::Running);
    lint.output(b"checking 3 files\n");
    lint.output(b"all good\n");
    let state = run.task(0).unwrap();
    assert_eq!(state.phase, Some(TaskPhase::Running));
    assert_ne!(state.started_unix_ms, 0);
    assert_eq!(state.ended_unix_ms, 0);
    assert_eq!(state.output_bytes, 26);
    let (bytes, read) = read_all(&run, 0, 0);
    assert_eq!(bytes, b"checking 3 files\nall good\n");
    assert!(!read.ended, "still running");

    lint.finish(TaskPhase::Failed, Some(3), "exit status 3");
    let state = run.task(0).unwrap();
    assert_eq!(
        (state.phase, state.exit_code, state.message.as_str()),
        (Some(TaskPhase::Failed), 3, "exit status 3")
    );
    assert!(state.ended_unix_ms >= state.started_unix_ms);
    let (bytes, read) = read_all(&run, 0, read.next);
    assert!(bytes.is_empty());
    assert!(read.ended, "closed and read to the end");
    assert_eq!(run.find("test"), Some(1));
    assert_eq!(run.find("nope"), None);
}

#[test]
fn a_reader_behind_the_ring_is_told_what_it_lost() {
    let dir = tempfile::tempdir().unwrap();
    let board = TaskBoard::create(dir.path(), "x", &["spam"], 64).unwrap();
    let run = TaskRun::open(board.path()).unwrap();
    let mut writer = board.writer(0).unwrap();
    let text: Vec<u8> = (0..200u32).map(|i| b'a' + (i % 26) as u8).collect();
    writer.output(&text);
    let (bytes, read) = read_all(&run, 0, 0);
    assert_eq!(read.lost, 136);
    assert_eq!(bytes, &text[136..]);
    assert_eq!(read.next, 200);
}

#[test]
fn long_names_live_whole_in_the_ring_and_bad_lists_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let long = "build:frontend:components:storybook:static";
    let board = TaskBoard::create(dir.path(), "x", &[long], 64).unwrap();
    let run = TaskRun::open(board.path()).unwrap();
    assert_eq!(run.tasks()[0].name, long);
    assert_eq!(run.find(long), Some(0));
    for (names, capacity) in [
        (&["a", "a"][..], 64),
        (&[""][..], 64),
        (&["a"][..], 100),
        (&["a"][..], 32),
        (&["a"][..], 1 << 30),
    ] {
        let error = TaskBoard::create(dir.path(), "x", names, capacity).err();
        assert!(
            matches!(error, Some(Error::InvalidTools(_))),
            "{names:?} {capacity}"
        );
    }
}

#[test]
fn a_sync_board_is_not_a_task_run_and_install_readers_see_unknown_phases() {
    let dir = tempfile::tempdir().unwrap();
    let sync = testing::board_with(dir.path(), 1, "x");
    assert!(matches!(
        TaskRun::open(sync.path()),
        Err(Error::NotTasks { .. })
    ));
    let tasks = TaskBoard::create(dir.path(), "x", &["t"], 64).unwrap();
    let reader = BoardReader::open(tasks.path(), Access::ReadOnly).unwrap();
    let snap = reader.read_slot(0).unwrap().unwrap();
    assert_eq!(snap.record.phase(), None, "no install phase");
    assert_eq!(snap.record.tool(), "t");
}

#[test]
fn both_segments_go_when_the_board_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let board = TaskBoard::create(dir.path(), "x", &["t"], 64).unwrap();
    let (path, output) = (board.path().to_owned(), board.output_path().to_owned());
    assert!(output.exists());
    let listed = registry::list(dir.path()).unwrap();
    assert_eq!(
        listed.len(),
        1,
        "the output segment is not a board: {listed:?}"
    );
    drop(board);
    assert!(!path.exists() && !output.exists());
}

/// Corrupting the output segment's header: each is a clear error, never a panic.
#[test]
fn a_corrupt_or_foreign_output_segment_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let board = TaskBoard::create(dir.path(), "x", &["t"], 64).unwrap();
    let (path, output) = (board.path().to_owned(), board.output_path().to_owned());
    let (slots, original) = (support::live_bytes(&path), support::live_bytes(&output));
    // A run that ended, its two segments copied back: on Windows a live run's files
    // are locked and mapped, and cannot be replaced under it.
    drop(board);
    write_private(&path, &slots);
    let cases: [(usize, &[u8], &str); 6] = [
        (0, b"NOTVXOUT", "bad magic"),
        (8, &2u32.to_ne_bytes(), "version"),
        (24, &5u32.to_ne_bytes(), "rings"),
        (32, &100u64.to_ne_bytes(), "capacity"),
        (32, &(1u64 << 40).to_ne_bytes(), "capacity"),
        (40, &[0u8; 16], "output of board"),
    ];
    for (offset, bytes, expected) in cases {
        let mut copy = original.clone();
        copy[offset..offset + bytes.len()].copy_from_slice(bytes);
        write_private(&output, &copy);
        let error = TaskRun::open(&path).err().expect(expected).to_string();
        assert!(error.contains(expected), "{expected}: {error}");
    }
    write_private(&output, &original);
    assert!(
        TaskRun::open(&path).is_ok(),
        "the copied run opens as it was"
    );
    write_private(&output, &original[..100]);
    assert!(TaskRun::open(&path).is_err());
    std::fs::remove_file(&output).unwrap();
    assert!(TaskRun::open(&path).is_err(), "missing output");
}

fn write_private(path: &Path, bytes: &[u8]) {
    // Replace the file (a new inode) with the user's own private one: the creator's
    // mapping keeps the old one.
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    std::fs::rename(&tmp, path).unwrap();
}

/// Helper role: creates a task board, prints its path, writes some output, then waits
/// to be killed.
#[test]
#[ignore = "helper process of the task tests; runs only when started by them"]
fn task_run_process() {
    let Some(dir) = support::role() else { return };
    let board = TaskBoard::create(Path::new(&dir), "killed/vx.toml", &["serve"], 4096).unwrap();
    let mut writer = board.writer(0).unwrap();
    writer.set_phase(TaskPhase::Running);
    writer.output(b"listening on 8080\n");
    println!("board {}", board.path().display());
    std::thread::sleep(std::time::Duration::from_secs(120));
}

#[test]
fn a_killed_run_reads_as_dead_and_clean_removes_both_segments() {
    let dir = tempfile::tempdir().unwrap();
    let mut helper = Helper::spawn("task_run_process", &dir.path().display().to_string());
    let path = helper.expect_line("board ");
    let run = TaskRun::open(Path::new(&path)).unwrap();
    assert!(run.owner_alive());
    helper.kill();
    assert!(!run.owner_alive(), "the run's lock went with it");
    let task = run.task(0).unwrap();
    assert_eq!(task.phase, Some(TaskPhase::Running), "what it last said");
    assert_eq!(read_all(&run, 0, 0).0, b"listening on 8080\n");
    // Dropped before the clean: Windows keeps a removed file's name while it is open.
    drop(run);
    let removed = registry::clean(dir.path()).unwrap();
    assert_eq!(removed.len(), 2, "{removed:?}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_kept_run_reads_as_a_dead_run_after_its_board_is_gone() {
    let live = tempfile::tempdir().unwrap();
    let kept = tempfile::tempdir().unwrap();
    let board = TaskBoard::create(live.path(), "proj/vx.toml", &["web", "worker"], 64).unwrap();
    let mut worker = board.writer(1).unwrap();
    worker.set_phase(TaskPhase::Running);
    // More than the ring holds: the kept copy holds the last 64 bytes, as the ring did.
    for line in 0..20 {
        worker.output(format!("line {line}\n").as_bytes());
    }
    worker.output(b"Traceback: boom\n");
    worker.finish(TaskPhase::Cancelled, None, "interrupted");
    board.finish(true);
    let path = board.keep_in(kept.path()).unwrap();
    drop(worker);
    drop(board);
    assert_eq!(
        std::fs::read_dir(live.path()).unwrap().count(),
        0,
        "the live board went"
    );

    let run = TaskRun::open(&path).unwrap();
    assert!(
        !run.owner_alive(),
        "a kept run is never taken for a live one"
    );
    assert!(run.board().is_finished());
    assert_eq!(run.find("worker"), Some(1));
    let state = run.task(1).unwrap();
    assert_eq!(
        (state.phase, state.message.as_str()),
        (Some(TaskPhase::Cancelled), "interrupted")
    );
    let mut out = Vec::new();
    let read = run.read_output(1, 0, usize::MAX, &mut out).unwrap();
    assert!(read.ended);
    assert!(read.lost > 0, "what the ring had lost is said");
    assert!(out.ends_with(b"Traceback: boom\n"), "{out:?}");
    // Listed as a board of that directory, as `vx logs` finds it.
    let listed = registry::list(kept.path()).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(!listed[0].owner_alive);
}
