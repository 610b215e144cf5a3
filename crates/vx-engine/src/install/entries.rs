//! An archive's entries, read and judged once for everyone who walks one: unpacking
//! ([`super::extract`]) and the lock's listing ([`super::listing`]) see the same
//! entries, refused for the same reasons — a name that is not UTF-8 or holds a NUL,
//! a link without a target or one too long, a device, fifo, socket or unknown entry —
//! and count the same entries (metadata headers included) against the entry cap.
//!
//! The walk is a visit, not an `Iterator`: a tar entry's data borrows the archive's
//! reader, so each entry is handed to the [`Visit`] while it can still be read. What
//! an entry's path may be (relative, no `..`, `strip_components`) is
//! [`super::extract::relative_path`], which both visitors apply.

use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};

use super::extract::error::{ExtractError, refuse, refuse_bytes, zip_link_target};
use vx_base::platform::fs as platform_fs;

/// File-type bits of a Unix mode, as stored in zip external attributes.
const S_IFMT: u32 = 0o170000;
const S_IFDIR: u32 = 0o040000;
const S_IFREG: u32 = 0o100000;
const S_IFLNK: u32 = 0o120000;

/// What one entry is, with its data when it is a file.
pub(super) enum Kind<'r> {
    /// A directory.
    Dir,
    /// A regular file: its bytes, its Unix mode when the archive says, and the size its
    /// header claims.
    File {
        data: &'r mut dyn Read,
        mode: Option<u32>,
        size: u64,
    },
    /// A symbolic link to its target as stored.
    Symlink(PathBuf),
    /// A hard link to an earlier entry's path as stored.
    HardLink(PathBuf),
}

/// Whoever walks an archive: each entry in order, judged as above.
pub(super) trait Visit {
    /// The entry at `path` (as stored: [`super::extract::relative_path`] is the
    /// visitor's to apply, with its `strip_components`).
    fn entry(&mut self, path: &Path, kind: Kind<'_>) -> Result<(), ExtractError>;
    /// An entry that only carries metadata for the next (pax headers, GNU long
    /// names): counted against the entry cap, nothing to write or list.
    fn header(&mut self) -> Result<(), ExtractError>;
    /// The error for the archive failing to read (a corrupt archive, or a read that
    /// stopped on a cancel).
    fn corrupt(&self, source: io::Error) -> ExtractError;
}

/// Walks the tar stream `decoder` (decompressed), giving each entry to `visit`.
pub(super) fn tar(decoder: impl Read, visit: &mut dyn Visit) -> Result<(), ExtractError> {
    let mut archive = tar::Archive::new(decoder);
    let entries = archive.entries().map_err(|e| visit.corrupt(e))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| visit.corrupt(e))?;
        let raw_path = entry.path_bytes();
        let path = platform_fs::path_from_bytes(&raw_path)
            .ok_or_else(|| refuse_bytes(&raw_path, "the name is not UTF-8"))?;
        let link = match entry.link_name_bytes() {
            Some(b) => Some(
                platform_fs::path_from_bytes(&b)
                    .ok_or_else(|| refuse(&path, "the link target is not UTF-8"))?,
            ),
            None => None,
        };
        let header = entry.header();
        let kind = header.entry_type();
        let mode = header.mode().ok();
        let size = entry.size();
        use tar::EntryType as T;
        let kind = match kind {
            T::Directory => Kind::Dir,
            T::Regular if raw_path.ends_with(b"/") => Kind::Dir,
            T::Regular | T::Continuous | T::GNUSparse => Kind::File {
                data: &mut entry,
                mode,
                size,
            },
            T::Symlink => {
                Kind::Symlink(link.ok_or_else(|| refuse(&path, "symlink without a target"))?)
            }
            T::Link => {
                Kind::HardLink(link.ok_or_else(|| refuse(&path, "hard link without a target"))?)
            }
            T::XGlobalHeader | T::XHeader | T::GNULongName | T::GNULongLink => {
                visit.header()?;
                continue;
            }
            T::Char | T::Block | T::Fifo => {
                return Err(refuse(&path, "device and fifo entries are not allowed"));
            }
            _ => return Err(refuse(&path, "unsupported tar entry type")),
        };
        visit.entry(&path, kind)?;
    }
    Ok(())
}

/// Walks the zip read from `reader` (by its central directory), giving each entry to
/// `visit`. An entry's kind comes from the Unix mode its attributes hold, else from
/// its name (a trailing `/` is a directory).
pub(super) fn zip<R: Read + Seek>(reader: R, visit: &mut dyn Visit) -> Result<(), ExtractError> {
    let zip_err = |e: zip::result::ZipError| io::Error::new(io::ErrorKind::InvalidData, e);
    let mut archive = zip::ZipArchive::new(reader).map_err(|e| visit.corrupt(zip_err(e)))?;
    for index in 0..archive.len() {
        let mut file = archive
            .by_index(index)
            .map_err(|e| visit.corrupt(zip_err(e)))?;
        let name = file
            .name()
            .map_err(|e| visit.corrupt(zip_err(e)))?
            .into_owned();
        let path = PathBuf::from(&name);
        if name.contains('\0') {
            return Err(refuse(&path, "the name contains a NUL byte"));
        }
        let mode = file.unix_mode();
        let kind = match (mode.map_or(0, |m| m & S_IFMT), name.ends_with('/')) {
            (0 | S_IFREG | S_IFDIR, true) | (S_IFDIR, false) => Kind::Dir,
            (0 | S_IFREG, false) => {
                let size = file.size();
                Kind::File {
                    data: &mut file,
                    mode,
                    size,
                }
            }
            (S_IFLNK, _) => Kind::Symlink(zip_link_target(&mut file, &path, |e| visit.corrupt(e))?),
            _ => {
                return Err(refuse(
                    &path,
                    "device, fifo and socket entries are not allowed",
                ));
            }
        };
        visit.entry(&path, kind)?;
    }
    Ok(())
}
