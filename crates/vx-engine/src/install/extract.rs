//! Unpacks a download into a directory, defensively: a tar (plain or compressed with
//! gzip, xz, bzip2 or zstd) or a zip, or a bare executable, copied in as the tool's
//! executable.
//!
//! The archive is untrusted even when its checksum matches (the manifest author may
//! not have looked inside), so every entry is checked before anything is written:
//!
//! - paths must be relative and free of `..`; `strip_components` is applied after;
//! - nothing is ever written through a symbolic link or onto a directory, so a link
//!   planted by an earlier entry cannot redirect a later one;
//! - a symbolic link's target must be relative, of the form `../../dir/name` (all
//!   `..` first), and stay inside the destination from where the link sits; with the
//!   previous rule this bounds every chain of links, not just each one lexically;
//! - hard links must point at a regular file already unpacked inside the destination;
//! - device, fifo and unknown entries are refused;
//! - names the platform cannot hold are refused: on Windows names that are not UTF-8,
//!   hold `:` or end in a dot or space, and device names such as `NUL`
//!   ([`vx_base::platform::fs::refused_component`]);
//! - the bytes actually written (not the sizes headers claim) and the entry count are
//!   capped, so a decompression bomb stops at the cap.
//!
//! Formats are read with their crates (`tar` + `flate2`/`liblzma`/`bzip2`/`ruzstd`,
//! `zip`) and their entries judged by `super::entries` (the walk the lock's listing
//! uses too); only the writing is ours, so those rules hold for every format alike. A bare
//! executable is one file entry written through the same checks (its path, the caps).

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};

use super::ProgressSink;
use super::entries::{self, Kind, Visit};
pub use error::ExtractError;
pub(crate) use error::refuse;
use vx_base::format::{ArchiveFormat, Executable, SNIFF_LEN};
use vx_base::platform::fs as platform_fs;
use writer::Op;

/// Caps on what one archive may unpack to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExtractLimits {
    /// Most bytes written across all files.
    pub max_bytes: u64,
    /// Most entries (files, directories, links).
    pub max_entries: u64,
}

impl Default for ExtractLimits {
    fn default() -> Self {
        ExtractLimits {
            max_bytes: 8 << 30,
            max_entries: 1_000_000,
        }
    }
}

/// What an extraction produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExtractStats {
    /// The format that was unpacked (given or sniffed).
    pub format: Option<ArchiveFormat>,
    /// Entries processed (including skipped and stripped ones).
    pub entries: u64,
    /// Bytes written into files.
    pub bytes: u64,
    /// Entries unpacked (what `strip_components` left).
    pub unpacked: u64,
    /// A bare executable's path in the destination (`/`-separated): its only file.
    pub executable: Option<String>,
}

/// Unpacks `archive` into the existing directory `dest`. `format` `None` sniffs the
/// format from the first bytes. An archive's entries lose their first
/// `strip_components` path components; a bare executable ([`ArchiveFormat::Raw`]) is
/// copied to `dest/<executable>` with mode 0755 ([`executable_path`]: `.exe` added for
/// a Windows binary on Windows), one compressed executable (`gz`, `xz`, `bz2`, `zst`)
/// is decompressed there, and `strip_components` does not apply to either.
/// Progress is archive bytes read out of the archive's size; the cancel flag is polled
/// per read (64 KiB) and per entry.
pub(crate) fn extract(
    archive: &Path,
    format: Option<ArchiveFormat>,
    dest: &Path,
    strip_components: u32,
    executable: &str,
    limits: ExtractLimits,
    sink: &mut dyn ProgressSink,
) -> Result<ExtractStats, ExtractError> {
    let (file, head, total) = open_archive(archive)?;
    let format = match format {
        Some(f) => f,
        None => sniff(&head)?,
    };
    let cancelled = Cell::new(false);
    let counting = Counting::new(file, total, sink, &cancelled);
    let strip = if format.is_one_file() {
        0
    } else {
        strip_components
    };
    let inline = |walk: &mut dyn FnMut(&mut Unpacker<'_, '_>) -> Result<(), ExtractError>| {
        unpack_inline(dest, strip, limits, format, &cancelled, walk)
    };
    match format {
        ArchiveFormat::Zip => unpack_piped(dest, strip, limits, format, &cancelled, None, |u| {
            entries::zip(counting, u)
        }),
        ArchiveFormat::Raw => {
            let path = executable_path(executable, &head, cfg!(windows));
            let mut counting = Some(counting);
            inline(&mut |u| match counting.take() {
                Some(counting) => u.executable(path.clone(), counting, total),
                None => Ok(()),
            })
        }
        compressed if compressed.is_one_file() => {
            let mut reader = Some(BufReader::with_capacity(super::fetch::CHUNK, counting));
            inline(&mut |u| match reader.take() {
                Some(reader) => u.compressed_executable(compressed, reader, executable),
                None => Ok(()),
            })
        }
        tar => {
            let reader = BufReader::with_capacity(super::fetch::CHUNK, counting);
            unpack_piped(dest, strip, limits, format, &cancelled, None, |u| {
                u.tar_compressed(tar, reader)
            })
        }
    }
}

/// Unpacks the tar `archive` (compressed as `format` says) into the existing
/// directory `dest` on this thread alone, judged and written as [`extract`] does but
/// with no writer thread: for a caller that unpacks many small archives at once, each
/// on a thread of its own already (the task cache's restores), where a second thread
/// per archive costs more than it saves. Progress is archive bytes read out of its
/// size.
pub fn extract_here(
    archive: &Path,
    format: ArchiveFormat,
    dest: &Path,
    limits: ExtractLimits,
    sink: &mut dyn ProgressSink,
) -> Result<ExtractStats, ExtractError> {
    let (file, _, total) = open_archive(archive)?;
    let cancelled = Cell::new(false);
    let counting = Counting::new(file, total, sink, &cancelled);
    let mut reader = Some(BufReader::with_capacity(super::fetch::CHUNK, counting));
    unpack_inline(
        dest,
        0,
        limits,
        format,
        &cancelled,
        &mut |u| match reader.take() {
            Some(reader) => u.tar_compressed(format, reader),
            None => Ok(()),
        },
    )
}

/// The most bytes of an unrecognised download's head that an error quotes.
pub(crate) const UNKNOWN_HEAD: usize = 16;

/// Opens a downloaded archive: the file (at its start), its first [`SNIFF_LEN`] bytes
/// (to sniff its format) and its size. Shared by unpacking and listing.
pub(crate) fn open_archive(archive: &Path) -> Result<(File, Vec<u8>, u64), ExtractError> {
    let open_err = |source| ExtractError::ReadArchive {
        path: archive.to_owned(),
        source,
    };
    let mut file = File::open(archive).map_err(open_err)?;
    let size = file.metadata().map_err(open_err)?.len();
    let mut head = Vec::with_capacity(SNIFF_LEN);
    (&mut file)
        .take(SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .map_err(open_err)?;
    file.seek(SeekFrom::Start(0)).map_err(open_err)?;
    Ok((file, head, size))
}

/// The format of a download from its first bytes ([`ArchiveFormat::sniff`]), or the
/// error that quotes them.
pub(super) fn sniff(head: &[u8]) -> Result<ArchiveFormat, ExtractError> {
    ArchiveFormat::sniff(head).ok_or_else(|| ExtractError::UnknownFormat {
        head: head[..head.len().min(UNKNOWN_HEAD)].to_vec(),
    })
}

/// Where a bare executable whose first bytes are `head` goes: `name` (the tool's name
/// or its one `bin` entry), with `.exe` added when `windows` (the platform vx runs
/// on) and the file is a Windows binary whose name lacks it: Windows runs nothing
/// else from `PATH`.
pub(crate) fn executable_path(name: &str, head: &[u8], windows: bool) -> String {
    let pe = Executable::sniff(head) == Some(Executable::Pe);
    if windows && pe && !name.to_ascii_lowercase().ends_with(".exe") {
        format!("{name}.exe")
    } else {
        name.to_owned()
    }
}

/// Unpacks a tar, compressed or not (`format` is one that
/// [streams](ArchiveFormat::streams)), read from `reader` as it arrives: the streaming
/// install feeds it the download's bytes. The same rules and limits as [`extract`] apply;
/// `cancelled` is set by the reader when it stops on a cancel request, so the error
/// is reported as [`ExtractError::Cancelled`]; `stop`, raised by the install's thread,
/// is also looked at before each entry.
pub(crate) fn extract_tar_stream(
    reader: impl BufRead,
    format: ArchiveFormat,
    dest: &Path,
    strip_components: u32,
    limits: ExtractLimits,
    cancelled: &Cell<bool>,
    stop: &std::sync::atomic::AtomicBool,
) -> Result<ExtractStats, ExtractError> {
    unpack_piped(
        dest,
        strip_components,
        limits,
        format,
        cancelled,
        Some(stop),
        |u| u.tar_compressed(format, reader),
    )
}

/// Validates an archive entry's path and strips `strip` leading components: refused
/// when empty, absolute, holding `..` or NUL, or a name the platform cannot hold;
/// `Ok(None)` when stripping leaves nothing (the entry is skipped, as
/// `tar --strip-components` does). Shared by unpacking and by listing
/// ([`super::listing`]).
pub(crate) fn relative_path(raw: &Path, strip: usize) -> Result<Option<PathBuf>, ExtractError> {
    if raw.as_os_str().is_empty() {
        return Err(refuse(raw, "empty path"));
    }
    if raw.as_os_str().as_encoded_bytes().contains(&0) {
        return Err(refuse(raw, "the name contains a NUL byte"));
    }
    let mut parts = Vec::new();
    for component in raw.components() {
        match component {
            Component::Normal(part) => {
                if let Some(reason) = platform_fs::refused_component(part) {
                    return Err(refuse(raw, reason));
                }
                parts.push(part);
            }
            Component::CurDir => {}
            Component::ParentDir => return Err(refuse(raw, "the path contains `..`")),
            Component::RootDir | Component::Prefix(_) => {
                return Err(refuse(raw, "absolute paths are not allowed"));
            }
        }
    }
    if parts.len() <= strip {
        return Ok(None);
    }
    Ok(Some(parts[strip..].iter().collect()))
}

/// The decompressed stream of a `format` download read from `reader`: a tar's, or
/// one compressed executable's ([`ArchiveFormat::is_one_file`]); an error for a zip or
/// a bare executable. Shared by unpacking and listing.
pub(crate) fn tar_decoder<'r>(
    format: ArchiveFormat,
    reader: impl BufRead + 'r,
) -> io::Result<Box<dyn Read + 'r>> {
    match format {
        ArchiveFormat::TarGz | ArchiveFormat::Gz => {
            Ok(Box::new(flate2::bufread::MultiGzDecoder::new(reader)))
        }
        ArchiveFormat::TarXz | ArchiveFormat::Xz => Ok(Box::new(xz::Streams::new(reader)?)),
        ArchiveFormat::TarBz2 | ArchiveFormat::Bz2 => {
            Ok(Box::new(bzip2::bufread::MultiBzDecoder::new(reader)))
        }
        ArchiveFormat::TarZst | ArchiveFormat::Zst => Ok(Box::new(zstd::Frames::new(reader))),
        ArchiveFormat::Tar => Ok(Box::new(reader)),
        ArchiveFormat::Zip | ArchiveFormat::Raw => {
            Err(io::Error::other("only a tar can be read as a stream"))
        }
    }
}

/// Wraps the archive file: counts bytes read for progress and turns a cancel request
/// into a read error (remembered in `cancelled`, since decoders rewrap errors).
struct Counting<'a, R> {
    inner: R,
    sink: &'a mut dyn ProgressSink,
    done: u64,
    total: u64,
    cancelled: &'a Cell<bool>,
}

impl<'a, R> Counting<'a, R> {
    /// Counts the `total` bytes of `inner` into `sink`, nothing read yet.
    fn new(
        inner: R,
        total: u64,
        sink: &'a mut dyn ProgressSink,
        cancelled: &'a Cell<bool>,
    ) -> Self {
        Counting {
            inner,
            sink,
            done: 0,
            total,
            cancelled,
        }
    }
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancelled.get() || self.sink.cancel_requested() {
            self.cancelled.set(true);
            return Err(io::Error::other("cancelled"));
        }
        let n = self.inner.read(buf)?;
        self.done = (self.done + n as u64).min(self.total);
        self.sink.progress(self.done, Some(self.total));
        Ok(n)
    }
}

impl<R: Seek> Seek for Counting<'_, R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// Judges entries (their paths, links' targets, the caps) and sends what they make to
/// its [`pipe::Out`], where a [`writer::Writer`] checks them against the tree and
/// writes them (see [`pipe`]: on this thread or on another).
struct Unpacker<'a, 'o> {
    strip: usize,
    limits: ExtractLimits,
    stats: ExtractStats,
    format: ArchiveFormat,
    cancelled: &'a Cell<bool>,
    /// The streaming install's stop flag, raised from another thread: looked at for
    /// every entry, since one chunk of the download can hold thousands of them.
    stop: Option<&'a std::sync::atomic::AtomicBool>,
    out: &'o mut pipe::Out<'a>,
}

/// Unpacks with `walk` (`strip` components stripped) into `dest`, the entries judged on
/// this thread and written by another ([`pipe::piped`]).
fn unpack_piped(
    dest: &Path,
    strip: u32,
    limits: ExtractLimits,
    format: ArchiveFormat,
    cancelled: &Cell<bool>,
    stop: Option<&std::sync::atomic::AtomicBool>,
    walk: impl FnOnce(&mut Unpacker<'_, '_>) -> Result<(), ExtractError>,
) -> Result<ExtractStats, ExtractError> {
    let result = pipe::piped(dest, cancelled, stop, |out| {
        let mut unpacker = Unpacker::new(strip, limits, format, cancelled, out);
        unpacker.stop = stop;
        walk(&mut unpacker).map(|()| unpacker.stats)
    });
    finish(result, cancelled, strip)
}

/// Unpacks with `walk` into `dest` on this thread alone: a bare or compressed
/// executable, one file that gains nothing from a second thread.
fn unpack_inline(
    dest: &Path,
    strip: u32,
    limits: ExtractLimits,
    format: ArchiveFormat,
    cancelled: &Cell<bool>,
    walk: &mut dyn FnMut(&mut Unpacker<'_, '_>) -> Result<(), ExtractError>,
) -> Result<ExtractStats, ExtractError> {
    let mut out = pipe::Out::inline(dest);
    let mut unpacker = Unpacker::new(strip, limits, format, cancelled, &mut out);
    let result = walk(&mut unpacker).map(|()| unpacker.stats);
    finish(result, cancelled, strip)
}

/// The result of a whole archive: a cancel wins over the error it caused, and an
/// archive that left nothing to install is an error.
fn finish(
    result: Result<ExtractStats, ExtractError>,
    cancelled: &Cell<bool>,
    strip: u32,
) -> Result<ExtractStats, ExtractError> {
    match result {
        Err(_) if cancelled.get() => Err(ExtractError::Cancelled),
        Err(e) => Err(e),
        Ok(stats) if stats.unpacked == 0 => Err(ExtractError::NothingLeft {
            entries: stats.entries,
            strip_components: strip,
        }),
        Ok(stats) => Ok(stats),
    }
}

impl<'a, 'o> Unpacker<'a, 'o> {
    fn new(
        strip_components: u32,
        limits: ExtractLimits,
        format: ArchiveFormat,
        cancelled: &'a Cell<bool>,
        out: &'o mut pipe::Out<'a>,
    ) -> Unpacker<'a, 'o> {
        Unpacker {
            strip: strip_components as usize,
            limits,
            stats: ExtractStats {
                format: Some(format),
                ..ExtractStats::default()
            },
            format,
            cancelled,
            stop: None,
            out,
        }
    }

    /// Unpacks a tar compressed with `format` (gzip, xz, bzip2, zstd or none; a zip
    /// or a bare executable is refused as corrupt, which the callers never pass).
    fn tar_compressed(
        &mut self,
        format: ArchiveFormat,
        reader: impl BufRead,
    ) -> Result<(), ExtractError> {
        let decoder = tar_decoder(format, reader).map_err(|e| self.corrupt(e))?;
        entries::tar(decoder, self)
    }

    /// Decompresses one executable compressed with `format` (gzip, xz, bzip2 or zstd)
    /// into `name` (with `.exe` for a Windows binary on Windows, judged by its first
    /// decompressed bytes), mode 0755: aqua's `format: gz` and its kin. Its size is
    /// unknown until written, so the byte cap applies as it is written.
    fn compressed_executable(
        &mut self,
        format: ArchiveFormat,
        reader: impl BufRead,
        name: &str,
    ) -> Result<(), ExtractError> {
        let decoder = tar_decoder(format, reader).map_err(|e| self.corrupt(e))?;
        let mut decoded = BufReader::with_capacity(super::fetch::CHUNK, decoder);
        let head = decoded.fill_buf().map_err(|e| self.corrupt(e))?;
        let path = executable_path(name, head, cfg!(windows));
        self.executable(path, decoded, 0)
    }

    /// Writes a bare executable of `size` bytes read from `data` as the one file
    /// `path`, mode 0755, with the rules and caps of any archive entry.
    fn executable(
        &mut self,
        path: String,
        mut data: impl Read,
        size: u64,
    ) -> Result<(), ExtractError> {
        self.entry(
            Path::new(&path),
            Kind::File {
                data: &mut data,
                mode: Some(0o755),
                size,
            },
        )?;
        self.stats.executable = Some(path);
        Ok(())
    }
}

/// Unpacking is one walk of [`entries`]: each entry checked and written.
impl Visit for Unpacker<'_, '_> {
    fn entry(&mut self, path: &Path, kind: Kind<'_>) -> Result<(), ExtractError> {
        Unpacker::entry(self, path, kind)
    }

    fn header(&mut self) -> Result<(), ExtractError> {
        self.count_entry()
    }

    fn corrupt(&self, source: io::Error) -> ExtractError {
        Unpacker::corrupt(self, source)
    }
}

impl Unpacker<'_, '_> {
    fn corrupt(&self, source: io::Error) -> ExtractError {
        if self.cancelled.get() {
            ExtractError::Cancelled
        } else {
            ExtractError::Corrupt {
                format: self.format,
                source,
            }
        }
    }

    fn count_entry(&mut self) -> Result<(), ExtractError> {
        if self
            .stop
            .is_some_and(|stop| stop.load(std::sync::atomic::Ordering::Relaxed))
        {
            self.cancelled.set(true);
        }
        if self.cancelled.get() {
            return Err(ExtractError::Cancelled);
        }
        self.stats.entries += 1;
        if self.stats.entries > self.limits.max_entries {
            return Err(ExtractError::TooManyEntries {
                limit: self.limits.max_entries,
            });
        }
        Ok(())
    }

    /// [`relative_path`] with this archive's `strip_components`.
    fn relative(&self, raw: &Path) -> Result<Option<PathBuf>, ExtractError> {
        relative_path(raw, self.strip)
    }

    /// Hands `op` to the writer.
    fn send(&mut self, op: Op) -> Result<(), ExtractError> {
        self.out.send(op).map_err(sent)
    }

    fn entry(&mut self, raw: &Path, kind: Kind<'_>) -> Result<(), ExtractError> {
        self.count_entry()?;
        let Some(rel) = self.relative(raw)? else {
            return Ok(());
        };
        self.stats.unpacked += 1;
        let raw = raw.to_owned();
        match kind {
            Kind::Dir => self.send(Op::Dir { raw, rel }),
            Kind::File { data, mode, size } => {
                let remaining = self.limits.max_bytes.saturating_sub(self.stats.bytes);
                if size > remaining {
                    return Err(ExtractError::TooLarge {
                        limit: self.limits.max_bytes,
                    });
                }
                self.file(raw, rel, data, mode, size)
            }
            Kind::Symlink(target) => {
                check_symlink(&raw, &rel, &target)?;
                self.send(Op::Symlink { raw, rel, target })
            }
            Kind::HardLink(target) => {
                let target = hard_link_target(&raw, &target, self.strip)?;
                self.send(Op::HardLink { raw, rel, target })
            }
        }
    }

    /// Reads a file's bytes from `data` in buffer-sized pieces, counting them against
    /// the byte cap, and sends each to the writer: the first with the file, the last
    /// marked so. `size` (what the archive declares) only sizes the first piece's
    /// buffer, one byte over so a file that is what it says ends in that piece; the
    /// bytes read decide everything else, whatever the archive declared.
    fn file(
        &mut self,
        raw: PathBuf,
        rel: PathBuf,
        data: &mut dyn Read,
        mode: Option<u32>,
        size: u64,
    ) -> Result<(), ExtractError> {
        let mut opening = Some((raw, rel));
        loop {
            let want = match opening {
                Some(_) => usize::try_from(size.saturating_add(1)).unwrap_or(pipe::BUFFER),
                None => pipe::BUFFER,
            };
            let mut buffer = self.out.buffer(want).map_err(sent)?;
            let mut filled = 0;
            while filled < buffer.len() {
                match data.read(&mut buffer[filled..]) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted && !self.cancelled.get() => {}
                    Err(e) => return Err(self.corrupt(e)),
                }
            }
            self.stats.bytes += filled as u64;
            if self.stats.bytes > self.limits.max_bytes {
                return Err(ExtractError::TooLarge {
                    limit: self.limits.max_bytes,
                });
            }
            // A piece that is not full ends the file; a full one may have more behind.
            let last = filled < buffer.len();
            let data = writer::Piece {
                buffer,
                len: filled,
            };
            let op = match opening.take() {
                Some((raw, rel)) => Op::File {
                    raw,
                    rel,
                    mode,
                    data,
                    last,
                },
                None => Op::Data { data, last },
            };
            self.send(op)?;
            if last {
                return Ok(());
            }
        }
    }
}

/// The judge's error for an operation the writer did not take: its own failure inline;
/// piped, the writer thread is gone and [`pipe::piped`] reports its error instead of
/// this placeholder.
fn sent(e: pipe::SendError) -> ExtractError {
    match e {
        pipe::SendError::Failed(e) => e,
        pipe::SendError::Gone => ExtractError::Cancelled,
    }
}

/// A link at `rel` may point to `(..)*(name)*` (all `..` first) and must not climb
/// above the destination from the link's directory. Unpacking and the lock's listing
/// ([`super::listing`]) both apply it.
pub(super) fn check_symlink(raw: &Path, rel: &Path, target: &Path) -> Result<(), ExtractError> {
    if target.as_os_str().is_empty() {
        return Err(refuse(raw, "symlink with an empty target"));
    }
    let mut depth = rel.components().count() - 1;
    let mut seen_name = false;
    for component in target.components() {
        match component {
            Component::Normal(_) => seen_name = true,
            Component::CurDir => {}
            Component::ParentDir if seen_name => {
                return Err(refuse(
                    raw,
                    "symlink target uses `..` after a directory name",
                ));
            }
            Component::ParentDir => {
                if depth == 0 {
                    return Err(refuse(raw, "symlink target points outside the destination"));
                }
                depth -= 1;
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(refuse(raw, "symlink target is an absolute path"));
            }
        }
    }
    Ok(())
}

/// Why a hard link's target is refused when it is not a regular file met earlier.
pub(super) const HARD_LINK_NOT_A_FILE: &str = "hard link target is not a file unpacked earlier";

/// Where the hard link entry `raw` points, relative to the destination once `strip`
/// components are taken off: refused when absolute, empty, with `..`, or stripped away
/// (refusals name the entry, not its target). Unpacking and the listing apply it.
pub(super) fn hard_link_target(
    raw: &Path,
    target: &Path,
    strip: usize,
) -> Result<PathBuf, ExtractError> {
    relative_path(target, strip)
        .map_err(|_| refuse(raw, "hard link target is absolute, empty or has `..`"))?
        .ok_or_else(|| refuse(raw, "hard link target is stripped away"))
}

pub(crate) mod error;
mod pipe;
mod route;
mod writer;
mod xz;
mod zstd;

#[cfg(test)]
mod tests;
