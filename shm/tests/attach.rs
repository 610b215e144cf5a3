//! Every validation on attach and dump open: anything off is a typed, clear error, never
//! a panic. Boards are copied to files and corrupted one field at a time.

mod support;

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use support::board_with;
use vx_shm::layout::{HEADER_SIZE, MAX_SLOTS, SLOT_SIZE, board_size};
use vx_shm::{Access, BoardReader, Error, HeaderRecord};

/// The bytes of a real two-tool board.
fn board_bytes() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let board = board_with(dir.path(), 2);
    support::live_bytes(board.path())
}

/// Writes `bytes` to a new file private to the user (mode 0600 on Unix; on Windows the
/// temporary directory is the user's own).
fn write_private(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    use std::io::Write;
    let path = dir.join(name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).unwrap();
    file.write_all(bytes).unwrap();
    path
}

/// Applies `change` to the header of a valid board and opens the result.
fn open_with_header(change: impl FnOnce(&mut HeaderRecord)) -> Result<BoardReader, Error> {
    let mut bytes = board_bytes();
    let header: &mut HeaderRecord = bytemuck::from_bytes_mut(&mut bytes[..HEADER_SIZE]);
    change(header);
    open_bytes(&bytes)
}

fn open_bytes(bytes: &[u8]) -> Result<BoardReader, Error> {
    let dir = tempfile::tempdir().unwrap();
    let path = write_private(dir.path(), "board", bytes);
    BoardReader::open(&path, Access::ReadOnly)
}

#[test]
fn an_intact_copy_opens() {
    let reader = open_bytes(&board_bytes()).unwrap();
    assert_eq!(reader.slot_count(), 2);
    assert_eq!(reader.find("tool-1"), Some(1));
}

#[test]
fn a_live_board_under_another_boards_name_is_refused() {
    let bytes = board_bytes();
    let dir = tempfile::tempdir().unwrap();
    let other = "0123456789abcdef0123456789abcdef";
    let path = write_private(dir.path(), &format!("vx-board-{other}"), &bytes);
    let err = BoardReader::open(&path, Access::ReadOnly)
        .err()
        .expect("refused");
    assert!(matches!(err, Error::CorruptHeader { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains(&format!("named for board {other}")),
        "{err}"
    );
    // Under its own name it opens.
    let header: &HeaderRecord = bytemuck::from_bytes(&bytes[..HEADER_SIZE]);
    let own: String = header
        .session_id
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let path = write_private(dir.path(), &format!("vx-board-{own}"), &bytes);
    assert_eq!(
        BoardReader::open(&path, Access::ReadOnly)
            .unwrap()
            .slot_count(),
        2
    );
}

#[test]
fn a_truncated_file_is_refused() {
    let bytes = board_bytes();
    for len in [0, 1, 100, HEADER_SIZE - 1] {
        let err = open_bytes(&bytes[..len]).err().unwrap();
        assert!(matches!(err, Error::TooSmall { .. }), "{len}: {err}");
    }
    // Header intact, table cut short: the slot count no longer adds up.
    let err = open_bytes(&bytes[..HEADER_SIZE + SLOT_SIZE]).err().unwrap();
    assert!(matches!(err, Error::CorruptHeader { .. }), "{err}");
    assert!(err.to_string().contains("2 slots need"), "{err}");
}

#[test]
fn a_file_larger_than_any_board_is_refused_before_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_private(dir.path(), "huge", b"");
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(board_size(MAX_SLOTS) as u64 + 8)
        .unwrap();
    let err = BoardReader::open(&path, Access::ReadOnly).err().unwrap();
    assert!(matches!(err, Error::TooLarge { .. }), "{err}");
}

#[test]
fn wrong_magic_is_not_a_board() {
    let err = open_with_header(|h| h.magic = *b"NOTABORD").err().unwrap();
    assert!(matches!(err, Error::BadMagic { .. }), "{err}");
    assert!(err.to_string().contains("not a vx board"));
}

#[test]
fn a_future_layout_version_is_refused_by_name() {
    let err = open_with_header(|h| h.version = 2).err().unwrap();
    assert!(
        matches!(
            err,
            Error::UnsupportedVersion {
                found: 2,
                supported: 1,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn the_other_byte_order_is_recognised() {
    let err = open_with_header(|h| h.byte_order = h.byte_order.swap_bytes())
        .err()
        .unwrap();
    assert!(matches!(err, Error::ByteOrder { .. }), "{err}");
    let err = open_with_header(|h| h.byte_order = 7).err().unwrap();
    assert!(matches!(err, Error::CorruptHeader { .. }), "{err}");
}

#[test]
fn sizes_that_disagree_with_the_layout_or_the_file_are_refused() {
    for change in [
        (|h: &mut HeaderRecord| h.header_size = 128) as fn(&mut HeaderRecord),
        |h| h.slot_size = 64,
        |h| h.slot_count = 3,
        |h| h.slot_count = 1,
        |h| h.slot_count = u32::MAX,
        |h| h.slot_count = MAX_SLOTS as u32 + 1,
    ] {
        let err = open_with_header(change).err().unwrap();
        assert!(matches!(err, Error::CorruptHeader { .. }), "{err}");
    }
}

/// Mode bits are Unix's; Windows boards are private by their directory's ACL.
#[cfg(unix)]
#[test]
fn a_board_open_to_other_users_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = write_private(dir.path(), "board", &board_bytes());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = BoardReader::open(&path, Access::ReadOnly).err().unwrap();
    assert!(
        matches!(err, Error::NotPrivate { mode: 0o644, .. }),
        "{err}"
    );
}

/// Staged with chown as root; on Windows, making a file owned by another SID needs
/// SeRestorePrivilege and a second account, which Wine does not model.
#[cfg(unix)]
#[test]
fn a_board_of_another_user_is_refused_but_their_dump_can_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_private(dir.path(), "board", &board_bytes());
    // Handing a file to another user needs root; elsewhere this case cannot be staged.
    if rustix::process::geteuid().as_raw() != 0 {
        eprintln!("skipped: not root, cannot make a file owned by another user");
        return;
    }
    let nobody = 65534;
    std::os::unix::fs::chown(&path, Some(nobody), Some(nobody)).unwrap();
    for access in [Access::ReadOnly, Access::ReadWrite] {
        let err = BoardReader::open(&path, access).err().unwrap();
        assert!(
            matches!(
                &err,
                Error::ForeignOwner { owner, me, .. } if owner == "uid 65534" && me == "uid 0"
            ),
            "{err}"
        );
    }

    let mut dump = board_bytes();
    let header: &mut HeaderRecord = bytemuck::from_bytes_mut(&mut dump[..HEADER_SIZE]);
    header.flags |= vx_shm::layout::BOARD_DUMP;
    let dump_path = write_private(dir.path(), "dump", &dump);
    std::os::unix::fs::chown(&dump_path, Some(nobody), Some(nobody)).unwrap();
    let reader = BoardReader::open(&dump_path, Access::ReadOnly).unwrap();
    assert!(reader.is_dump());
    assert_eq!(reader.find("tool-0"), Some(0));
    // Read from a private copy: truncating the file cannot pull pages from under us.
    std::fs::File::options()
        .write(true)
        .open(&dump_path)
        .unwrap()
        .set_len(0)
        .unwrap();
    assert_eq!(reader.snapshot().len(), 2);
}

#[test]
fn directories_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = BoardReader::open(dir.path(), Access::ReadOnly)
        .err()
        .unwrap();
    assert!(matches!(err, Error::NotAFile { .. }), "{err}");
}

/// FIFOs and `/dev/null` are Unix's (opening a FIFO would block: it must be refused
/// from its metadata alone).
#[cfg(unix)]
#[test]
fn devices_and_fifos_are_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for path in [Path::new("/dev/null"), fifo.as_path()] {
        let err = BoardReader::open(path, Access::ReadOnly).err().unwrap();
        assert!(
            matches!(err, Error::NotAFile { .. }),
            "{}: {err}",
            path.display()
        );
    }
}

#[test]
fn a_missing_file_names_itself() {
    let err = BoardReader::open(Path::new("/nonexistent/vx-board-x"), Access::ReadOnly)
        .err()
        .unwrap();
    assert!(err.to_string().contains("/nonexistent/vx-board-x"), "{err}");
}

/// A valid header with the given slot count, then `tail` as the slot table.
fn header_then(slots: u32, tail: &[u8]) -> Vec<u8> {
    let mut bytes = board_bytes()[..HEADER_SIZE].to_vec();
    let header: &mut HeaderRecord = bytemuck::from_bytes_mut(&mut bytes[..]);
    header.slot_count = slots;
    bytes.extend_from_slice(tail);
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary bytes: open either refuses them or yields a reader whose every query
    /// answers without panicking.
    #[test]
    fn arbitrary_files_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(reader) = open_bytes(&bytes) {
            exercise(&reader);
        }
    }

    /// A valid header over arbitrary slot bytes: it always opens, and every slot decodes
    /// to something printable (or is reported unreadable), never a panic or a hang.
    #[test]
    fn arbitrary_slot_tables_decode(slots in 0u32..4, seed in proptest::collection::vec(any::<u8>(), SLOT_SIZE * 3)) {
        let table: Vec<u8> = seed.iter().copied().cycle().take(slots as usize * SLOT_SIZE).collect();
        let reader = open_bytes(&header_then(slots, &table)).unwrap();
        prop_assert_eq!(reader.snapshot().len(), slots as usize);
        exercise(&reader);
    }
}

fn exercise(reader: &BoardReader) {
    let _ = reader.info();
    let _ = (reader.is_dump(), reader.is_finished(), reader.owner_alive());
    for snap in reader.snapshot().into_iter().flatten() {
        let r = snap.record;
        let _ = (
            r.tool(),
            r.version(),
            r.message(),
            r.phase(),
            r.ratio(),
            r.writer(),
        );
    }
    let _ = reader.find("tool-0");
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump");
    reader.dump_to(&dump).unwrap();
    let again = BoardReader::open(&dump, Access::ReadOnly).unwrap();
    assert_eq!(again.slot_count(), reader.slot_count());
}
