//! Reading a file that a project, a user or a server can name — a manifest, a lock, a
//! registry, an import file, a netrc, a CA bundle, docker's config, a trusted root, a
//! key, a signature, vx's own state — so that no such name can hang or exhaust vx.
//!
//! A cloned repository can hold `vx.lock -> /dev/zero`, a FIFO or `-> /dev/tty`; a
//! config can name any path. Every such file is opened without blocking
//! ([`crate::platform::fs::open_for_reading`]), refused unless the opened handle is a
//! regular file, refused up front when its size is over the caller's bound, and read
//! through that bound (a file that grows while it is read is still cut there). One
//! helper for all of them, so the rule holds wherever a path comes from outside.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::platform;

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Opening or reading failed (not found, permission, …).
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The path names something that is not a regular file.
    #[error("{kind}, not a regular file")]
    NotRegular {
        /// What it is, in words: `a FIFO`, `a character device`, `a directory`, …
        kind: &'static str,
    },
    /// The file is larger than the caller allows.
    #[error("larger than {}", vx_text::bytes(*limit))]
    TooLarge {
        /// The caller's bound, in bytes.
        limit: u64,
    },
}

impl ReadError {
    /// Whether the file is simply not there.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == io::ErrorKind::NotFound)
    }
}

impl From<ReadError> for io::Error {
    /// The error as an `io::Error` with its words, for callers whose errors carry one.
    fn from(error: ReadError) -> io::Error {
        match error {
            ReadError::Io(e) => e,
            other @ ReadError::NotRegular { .. } => {
                io::Error::new(io::ErrorKind::InvalidInput, other.to_string())
            }
            other @ ReadError::TooLarge { .. } => {
                io::Error::new(io::ErrorKind::FileTooLarge, other.to_string())
            }
        }
    }
}

/// Opens `path` as a regular file whose size is at most `limit`: never blocks on a
/// FIFO or a device, refuses a directory, a device and an over-size file before
/// reading a byte. The size is the one seen at open; read through [`bounded`] to keep
/// the bound if the file grows.
pub fn open(path: &Path, limit: u64) -> Result<File, ReadError> {
    let file = platform::fs::open_for_reading(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular {
            kind: platform::fs::kind_of(meta.file_type()),
        });
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(file)
}

/// A reader of at most `limit + 1` bytes of `file`: one more than allowed, so the
/// caller sees that it was over.
pub fn bounded(file: File, limit: u64) -> io::Take<File> {
    file.take(limit.saturating_add(1))
}

/// The whole of the regular file at `path`, refused when it is over `limit` bytes.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = open(path, limit)?;
    let mut bytes = Vec::new();
    bounded(file, limit).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// [`read`] as UTF-8 text; other bytes are an `InvalidData` error.
pub fn read_to_string(path: &Path, limit: u64) -> Result<String, ReadError> {
    let bytes = read(path, limit)?;
    String::from_utf8(bytes)
        .map_err(|_| ReadError::Io(io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_regular_file_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"hello").unwrap();
        assert_eq!(read(&path, 5).unwrap(), b"hello");
        assert_eq!(read_to_string(&path, 5).unwrap(), "hello");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_with_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"hello!").unwrap();
        let error = read(&path, 5).unwrap_err();
        assert!(matches!(error, ReadError::TooLarge { limit: 5 }), "{error}");
        assert_eq!(error.to_string(), "larger than 5 B");
    }

    #[test]
    fn a_directory_is_refused_as_one() {
        let dir = tempfile::tempdir().unwrap();
        let error = read(dir.path(), 5).unwrap_err();
        assert_eq!(error.to_string(), "a directory, not a regular file");
    }

    #[test]
    fn a_missing_file_is_not_found() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            read(&dir.path().join("none"), 5)
                .unwrap_err()
                .is_not_found()
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_refused_before_a_byte_is_read() {
        let error = read(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert_eq!(error.to_string(), "a character device, not a regular file");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_without_a_writer_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&path).status();
        assert!(made.unwrap().success());
        let error = read(&path, 5).unwrap_err();
        assert_eq!(error.to_string(), "a FIFO, not a regular file");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_to_a_device_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("vx.lock");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(matches!(
            read(&link, 16 << 20).unwrap_err(),
            ReadError::NotRegular { .. }
        ));
    }
}
