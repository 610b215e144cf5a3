//! A result's outputs as one archive: a tar of the files the `outputs` globs match
//! (regular files with their permission bits, links as links), compressed with zstd
//! (`ruzstd`'s encoder, the crate vx already decodes `.tar.zst` downloads with).
//!
//! Restoring treats the archive as hostile, whoever made it: it is judged whole by the
//! install engine's walk of entries (`vx_engine::install::listing`, the one that refuses
//! absolute paths, `..`, links leading out, devices and bombs) before anything is
//! written, then unpacked in place by the install engine's unpacker, never through a
//! link that is already in the project. What is restored is written now, so it has a
//! fresh mtime: a build tool that compares times sees it as new.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::CacheError;
use vx_base::format::ArchiveFormat;
use vx_engine::install::listing::Entry;
use vx_engine::install::{ExtractLimits, ProgressSink};

/// Most files one result may hold.
const MAX_FILES: usize = 200_000;

/// What went into an archive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Packed {
    /// Files (and links) archived.
    pub files: u64,
    /// Their bytes, before compression.
    pub bytes: u64,
}

pub use super::outputs::Outputs;

/// The files of the project at `project` that `outputs` match (a `!glob` of them
/// taking its files out), as sorted relative paths.
pub fn matched(project: &Path, outputs: &[String]) -> Vec<PathBuf> {
    vx_base::glob::expand_all(project, outputs, MAX_FILES)
}

/// Archives the files of `project` that `outputs` hold, one archive per output root
/// ([`Outputs`]: each glob but a `!glob`, in order; a file two roots hold goes with the
/// first) into `dir` as `0.tar.zst`, `1.tar.zst`, …; what went in, in all.
pub fn pack_roots(project: &Path, outputs: &[String], dir: &Path) -> Result<Packed, CacheError> {
    let outputs = Outputs::of(outputs);
    let mut seen = std::collections::HashSet::new();
    let mut packed = Packed::default();
    for (i, glob) in outputs.roots.iter().enumerate() {
        let files: Vec<PathBuf> = outputs
            .files(project, glob, MAX_FILES)
            .into_iter()
            .filter(|f| seen.insert(f.clone()))
            .collect();
        let one = pack(project, &files, &dir.join(root_file(i)))?;
        packed.files += one.files;
        packed.bytes += one.bytes;
    }
    Ok(packed)
}

/// The archive of the output root at `index` in a result's directory.
pub fn root_file(index: usize) -> String {
    format!("{index}.tar.zst")
}

/// The archives of a result's directory `dir`, in their roots' order (`0.tar.zst`,
/// `1.tar.zst`, … up to the first missing).
pub(crate) fn roots_in(dir: &Path) -> Vec<PathBuf> {
    (0..)
        .map(|i| dir.join(root_file(i)))
        .take_while(|p| p.is_file())
        .collect()
}

/// Archives `files` (relative to `project`) into `dest` (tar, zstd).
pub fn pack(project: &Path, files: &[PathBuf], dest: &Path) -> Result<Packed, CacheError> {
    let io_err = |source| CacheError::Io {
        what: "write the outputs' archive",
        path: dest.to_owned(),
        source,
    };
    let mut packed = Packed::default();
    let tar_file =
        tempfile::NamedTempFile::new_in(dest.parent().unwrap_or(Path::new("."))).map_err(io_err)?;
    {
        let mut builder = tar::Builder::new(BufWriter::new(tar_file.as_file()));
        for rel in files {
            let path = project.join(rel);
            let name = super::key::slashed(rel);
            let meta = std::fs::symlink_metadata(&path).map_err(io_err)?;
            let mut header = tar::Header::new_gnu();
            header.set_mtime(0);
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).map_err(io_err)?;
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_size(0);
                header.set_mode(0o777);
                builder
                    .append_link(&mut header, &name, &target)
                    .map_err(io_err)?;
            } else if meta.is_file() {
                let mode = vx_base::platform::fs::mode_bits(&meta).unwrap_or(0o644) & 0o777;
                header.set_entry_type(tar::EntryType::Regular);
                header.set_size(meta.len());
                header.set_mode(mode);
                let file = File::open(&path).map_err(io_err)?;
                builder
                    .append_data(&mut header, &name, file.take(meta.len()))
                    .map_err(io_err)?;
                packed.bytes += meta.len();
            } else {
                // A fifo, a socket or a device among the outputs: not a result's.
                continue;
            }
            packed.files += 1;
        }
        builder
            .into_inner()
            .and_then(|mut w| w.flush())
            .map_err(io_err)?;
    }
    let source = File::open(tar_file.path()).map_err(io_err)?;
    let target = File::create(dest).map_err(io_err)?;
    compress(source, target).map_err(io_err)?;
    Ok(packed)
}

/// zstd of `source` into `target`. ruzstd's encoder panics on an I/O error, so both
/// ends are wrapped: the first error is kept (and the rest of the work is a no-op),
/// then returned.
fn compress(source: File, target: File) -> io::Result<()> {
    struct Keep<T> {
        inner: T,
        error: Option<io::Error>,
    }
    impl<T: Read> Read for Keep<T> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.error.is_some() {
                return Ok(0);
            }
            self.inner.read(buf).or_else(|e| {
                self.error = Some(e);
                Ok(0)
            })
        }
    }
    impl<T: Write> Write for Keep<T> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.error.is_none()
                && let Err(e) = self.inner.write_all(buf)
            {
                self.error = Some(e);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut reader = Keep {
        inner: io::BufReader::new(source),
        error: None,
    };
    let mut writer = Keep {
        inner: BufWriter::new(target),
        error: None,
    };
    ruzstd::encoding::compress(
        &mut reader,
        &mut writer,
        ruzstd::encoding::CompressionLevel::Fastest,
    );
    if let Some(e) = reader.error.or(writer.error) {
        return Err(e);
    }
    writer.inner.flush()?;
    writer.inner.get_ref().sync_all()
}

/// Unpacks the archive at `archive`, the output root of the glob `glob`, into the
/// project at `project` (see the module): the number of files restored. `read` hears
/// the archive's bytes read so far.
///
/// The archive is judged whole first ([`vx_engine::install::listing::list`] walks its
/// entries as unpacking does and refuses what unpacking would: `..`, absolute names,
/// links out, devices, bombs), and each member against its root `glob` of `outputs`
/// (matched by it and by no `!glob`): a result for `dist/**` that also holds
/// `.git/hooks/pre-commit` or `vx.toml` is refused whole
/// (issue 78), so a hostile archive writes nothing; the way to each
/// entry is then cleared (a link of the project on it refused, a file where a
/// directory goes or a directory where a file goes removed) and the archive unpacked
/// in place, on this thread. No staging directory: making and removing one, and moving
/// each file out of it, cost more than the whole rest of a small restore (issue 67).
pub fn unpack(
    archive: &Path,
    outputs: &Outputs,
    glob: &str,
    project: &Path,
    read: &dyn Fn(u64),
) -> Result<u64, CacheError> {
    let refused = |e: vx_engine::install::ExtractError| {
        CacheError::Refused(format!("its outputs' archive: {e}"))
    };
    let listing = vx_engine::install::listing::list(
        archive,
        Some(ArchiveFormat::TarZst),
        0,
        "",
        ExtractLimits::default(),
    )
    .map_err(refused)?;
    if let Some((name, _)) = listing.entries.iter().find(|(name, entry)| {
        let rel = Path::new(name);
        match entry {
            Entry::Dir => !vx_base::glob::may_hold(glob, rel),
            _ => !outputs.holds(glob, rel),
        }
    }) {
        return Err(CacheError::Refused(format!(
            "its outputs' archive holds {}, which its output `{}` does not name",
            vx_text::sanitize(&vx_base::validate::shorten(name)),
            vx_text::sanitize(glob)
        )));
    }
    let mut cleared = std::collections::HashSet::new();
    let mut files = 0;
    for (name, entry) in &listing.entries {
        let rel = Path::new(name);
        clear_parents(project, rel, &mut cleared)?;
        if !matches!(entry, Entry::Dir) {
            clear_place(project, rel)?;
            files += 1;
        }
    }
    vx_engine::install::extract::extract_here(
        archive,
        ArchiveFormat::TarZst,
        project,
        ExtractLimits::default(),
        &mut BytesRead(read),
    )
    .map_err(refused)?;
    Ok(files)
}

/// The unpacker's progress as bytes of the archive read.
struct BytesRead<'a>(&'a dyn Fn(u64));

impl ProgressSink for BytesRead<'_> {
    fn phase(&mut self, _: vx_shm::Phase, _: &str) {}

    fn progress(&mut self, done: u64, _: Option<u64>) {
        (self.0)(done);
    }

    fn cancel_requested(&mut self) -> bool {
        false
    }
}

/// Makes the way to `project/rel` ready: each parent a directory of the project's
/// own, never a link (a `dist` that links to `/etc` is refused, not followed; the
/// unpacker's writer refuses it too), a file where a directory goes removed. Parents
/// already seen (`cleared`) are not looked at again.
fn clear_parents(
    project: &Path,
    rel: &Path,
    cleared: &mut std::collections::HashSet<PathBuf>,
) -> Result<(), CacheError> {
    let io_err = |path: &Path| {
        let path = path.to_owned();
        move |source| CacheError::Io {
            what: "restore an output",
            path,
            source,
        }
    };
    let mut at = project.to_path_buf();
    let parents: Vec<_> = rel
        .parent()
        .map(|p| p.components().collect())
        .unwrap_or_default();
    for part in parents {
        at.push(part);
        if cleared.contains(&at) {
            continue;
        }
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(CacheError::Refused(format!(
                    "{} is a link in the project: outputs are not restored through it",
                    super::key::slashed(at.strip_prefix(project).unwrap_or(&at))
                )));
            }
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => std::fs::remove_file(&at).map_err(io_err(&at))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(&at)(e)),
        }
        cleared.insert(at.clone());
    }
    Ok(())
}

/// A directory where the file or link `project/rel` goes is removed (the unpacker
/// replaces a file or a link, never a directory).
fn clear_place(project: &Path, rel: &Path) -> Result<(), CacheError> {
    let to = project.join(rel);
    match std::fs::symlink_metadata(&to) {
        Ok(meta) if meta.is_dir() => {
            std::fs::remove_dir_all(&to).map_err(|source| CacheError::Io {
                what: "restore an output",
                path: to.clone(),
                source,
            })
        }
        _ => Ok(()),
    }
}
