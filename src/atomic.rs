//! Replacing a file whole or not at all: the project files `vx` writes (`vx.toml`,
//! `vx.lock`) are written to a temporary file beside them, synced, then renamed over.

use std::io::{self, Write};
use std::path::Path;

/// Writes `bytes` to `path` atomically; a reader sees the old file or the new one.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new().prefix(".vx-").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
