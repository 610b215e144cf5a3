//! Arbitrary bytes as a board or dump file: opening, reading every slot, looking a tool
//! up and dumping must never panic, hang or read outside the mapping.
#![no_main]

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;

use libfuzzer_sys::fuzz_target;
use vx_shm::{Access, BoardReader};

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir_in("/dev/shm").unwrap_or_else(|_| tempfile::tempdir().unwrap());
    let path = dir.path().join("board");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .unwrap();
    file.write_all(data).unwrap();
    drop(file);
    let Ok(reader) = BoardReader::open(&path, Access::ReadOnly) else {
        return;
    };
    for read in reader.snapshot() {
        if let Ok(snap) = read {
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
    }
    let _ = reader.find("tool");
    let _ = (reader.is_finished(), reader.owner_alive(), reader.info());
    let dump = dir.path().join("dump");
    reader.dump_to(&dump).unwrap();
    BoardReader::open(&dump, Access::ReadOnly).unwrap();
});
