//! The per-tool install locks, `<store>/.locks/<tool>@<version>.lock`, and the one way
//! every lock file of vx is opened (the scratch stores', the trusted list's).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Name of the directory of per-tool install locks inside the store.
pub(crate) const LOCKS_DIR: &str = ".locks";

/// The lock file of `tool@version` in `store`: held by whichever process is installing
/// it, so two `vx` runs on one store never install the same tool at once.
pub(crate) fn lock_path(store: &Path, tool: &str, version: &str) -> PathBuf {
    store.join(LOCKS_DIR).join(format!("{tool}@{version}.lock"))
}

/// Opens (creating it and its directory if needed) a lock file. The file itself stays:
/// removing it while another process waits on it would let two processes hold
/// "the" lock on different files.
pub(crate) fn open_lock(path: &Path) -> io::Result<fs::File> {
    let open = || {
        fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
    };
    // The directory is made only when missing: a `mkdir` of one that is there locks
    // its parent (the store) all the same, against every other install's.
    match open() {
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)?;
            }
            open()
        }
        opened => opened,
    }
}
