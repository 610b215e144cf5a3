//! Why an archive was not (fully) unpacked, and the refusals of single entries that
//! unpacking ([`super`]) and the lock's listing (`install::entries`) share: kept apart
//! from the unpacker so the entry walk can name them without naming the unpacker.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use thiserror::Error;

use vx_base::format::ArchiveFormat;
use vx_base::platform::fs as platform_fs;

/// Why an archive was not (fully) unpacked.
#[derive(Debug, Error)]
pub enum ExtractError {
    /// No format was given and the bytes are neither a supported archive nor an
    /// executable.
    #[error(
        "the download is neither an archive vx can unpack (tar.gz, tar.xz, tar.bz2, tar.zst, tar, zip) nor an executable (ELF, Mach-O, PE, #! script); it starts with {head:02x?}"
    )]
    UnknownFormat {
        /// The first bytes of the file (at most [`super::UNKNOWN_HEAD`]).
        head: Vec<u8>,
    },
    /// The archive is damaged or not of the stated format.
    #[error("the {format} archive is corrupt or not a {format} archive: {source}")]
    Corrupt {
        /// The format being read.
        format: ArchiveFormat,
        /// The reader's error.
        #[source]
        source: io::Error,
    },
    /// An entry that could write outside the destination, or of a refused kind.
    #[error("refusing archive entry {entry:?}: {reason}")]
    Unsafe {
        /// The entry's path as stored in the archive.
        entry: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The archive unpacks to more than [`super::ExtractLimits::max_bytes`].
    #[error(
        "the archive unpacks to more than {limit} bytes (the limit); refusing a possible decompression bomb"
    )]
    TooLarge {
        /// The byte cap.
        limit: u64,
    },
    /// The archive has more than [`super::ExtractLimits::max_entries`] entries.
    #[error("the archive has more than {limit} entries (the limit)")]
    TooManyEntries {
        /// The entry cap.
        limit: u64,
    },
    /// The downloaded archive could not be opened or read.
    #[error("cannot read the downloaded archive {}: {source}", path.display())]
    ReadArchive {
        /// The archive's path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// Writing into the destination failed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The path being written.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The cancel flag was raised.
    #[error("cancelled during extraction")]
    Cancelled,
    /// Nothing was left to install: the archive is empty, or `strip_components` is at
    /// least as deep as every entry.
    #[error(
        "nothing left to install: {entries} archive entries, none deeper than strip_components = {strip_components}"
    )]
    NothingLeft {
        /// Entries in the archive.
        entries: u64,
        /// The `strip_components` applied.
        strip_components: u32,
    },
}

/// Longest symbolic-link target accepted (Linux's PATH_MAX).
const MAX_LINK_TARGET: u64 = 4096;

/// The target of the zip entry at `path` that is a symbolic link, read from its data
/// (`data`): at most [`MAX_LINK_TARGET`] bytes, UTF-8. A read error goes through
/// `corrupt`. Shared by unpacking and listing.
pub(crate) fn zip_link_target(
    data: &mut dyn Read,
    path: &Path,
    corrupt: impl FnOnce(io::Error) -> ExtractError,
) -> Result<PathBuf, ExtractError> {
    let mut target = Vec::new();
    data.take(MAX_LINK_TARGET + 1)
        .read_to_end(&mut target)
        .map_err(corrupt)?;
    if target.len() as u64 > MAX_LINK_TARGET {
        return Err(refuse(path, "symlink target is too long"));
    }
    platform_fs::path_from_bytes(&target)
        .ok_or_else(|| refuse(path, "the link target is not UTF-8"))
}

/// A refusal for an entry whose name cannot even be a path here.
pub(crate) fn refuse_bytes(entry: &[u8], reason: &'static str) -> ExtractError {
    ExtractError::Unsafe {
        entry: vx_base::validate::shorten(&String::from_utf8_lossy(entry)),
        reason,
    }
}

pub(crate) fn refuse(entry: &Path, reason: &'static str) -> ExtractError {
    ExtractError::Unsafe {
        entry: vx_base::validate::shorten(&entry.to_string_lossy()),
        reason,
    }
}
