//! The filesystem half of unpacking: the [`Op`]s the judge (`super::Unpacker`) sends
//! after checking an entry lexically (its path, a link's target, the caps), applied in
//! archive order by one [`Writer`], which does every check that looks at the tree:
//! nothing is written through a symbolic link or onto a directory, a hard link's
//! target is a regular file unpacked earlier, a later file or link replaces an earlier
//! one (as with `tar`) but never a directory.
//!
//! Because the writer applies the operations one at a time and in order, it may run on
//! its own thread (`super::pipe`) while the judge inflates and parses the next entries:
//! what each check sees is exactly what it saw when both halves ran on one thread. Two
//! writers may run at once on operations `super::route` finds independent: each still
//! checks every parent it has not seen itself, and a directory the other made in the
//! meantime is taken as found ([`make_dir`]).

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::error::{ExtractError, refuse};
use super::{HARD_LINK_NOT_A_FILE, platform_fs};

/// One step of unpacking, judged already: `raw` is the entry's path as stored (for
/// refusals), `rel` its path under the destination once stripped.
pub(super) enum Op {
    /// Make the directory `rel` (and its parents).
    Dir { raw: PathBuf, rel: PathBuf },
    /// Create the file `rel` (its parents made) and write `data`, its first bytes;
    /// `last`: the file is whole, set its `mode`. Otherwise [`Op::Data`] follows.
    File {
        raw: PathBuf,
        rel: PathBuf,
        mode: Option<u32>,
        data: Piece,
        last: bool,
    },
    /// More bytes of the file the last [`Op::File`] opened; `last` as there.
    Data { data: Piece, last: bool },
    /// Make the symbolic link `rel` to `target` (checked to stay inside).
    Symlink {
        raw: PathBuf,
        rel: PathBuf,
        target: PathBuf,
    },
    /// Make the hard link `rel` to `target` (a path under the destination).
    HardLink {
        raw: PathBuf,
        rel: PathBuf,
        target: PathBuf,
    },
}

/// Bytes of a file: the first `len` of `buffer`. The buffer keeps its full length, so
/// reusing it never fills it with zeros again.
pub(super) struct Piece {
    pub buffer: Vec<u8>,
    pub len: usize,
}

impl Piece {
    fn bytes(&self) -> &[u8] {
        &self.buffer[..self.len.min(self.buffer.len())]
    }
}

impl Op {
    /// The buffer this operation carries, for reuse once applied.
    pub(super) fn into_buffer(self) -> Option<Vec<u8>> {
        match self {
            Op::File { data, .. } | Op::Data { data, .. } => Some(data.buffer),
            _ => None,
        }
    }
}

/// The file being written: what the next [`Op::Data`] goes to.
struct Open {
    path: PathBuf,
    file: File,
    mode: Option<u32>,
}

/// What is at a path once [`make_dir`] made a directory there.
enum Made {
    /// A directory: made, or made by the other writer thread (`super::pipe`) in the
    /// meantime.
    Dir,
    /// Something else, made by the other writer in the meantime.
    Other(fs::FileType),
}

/// Makes the directory `path`, whose parent is a real directory. When the name is
/// taken meanwhile (two writer threads making one parent of their files), says what
/// took it, never following a link.
fn make_dir(path: &Path) -> Result<Made, ExtractError> {
    let write_err = |source| ExtractError::Write {
        path: path.to_owned(),
        source,
    };
    match fs::create_dir(path) {
        Ok(()) => Ok(Made::Dir),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => match fs::symlink_metadata(path) {
            Ok(meta) if meta.is_dir() => Ok(Made::Dir),
            Ok(meta) => Ok(Made::Other(meta.file_type())),
            Err(_) => Err(write_err(e)),
        },
        Err(source) => Err(write_err(source)),
    }
}

/// Applies [`Op`]s under `dest` (see the module docs).
pub(super) struct Writer<'a> {
    dest: &'a Path,
    /// The directories under `dest` this unpacking made or found to be real
    /// directories: checked once, not again for every entry beneath them. Sound
    /// because nothing else writes into `dest` (a fresh private directory) and no
    /// entry may replace a directory (see [`Writer::clear`]), so a directory seen
    /// stays one.
    verified: HashSet<PathBuf>,
    open: Option<Open>,
}

impl<'a> Writer<'a> {
    pub(super) fn new(dest: &'a Path) -> Writer<'a> {
        Writer {
            dest,
            verified: HashSet::new(),
            open: None,
        }
    }

    /// Applies `op`, in archive order.
    pub(super) fn apply(&mut self, op: &Op) -> Result<(), ExtractError> {
        match op {
            Op::Dir { raw, rel } => self.dir(raw, rel),
            Op::File {
                raw,
                rel,
                mode,
                data,
                last,
            } => {
                let path = self.parents(raw, rel)?;
                let file = self.create(raw, &path, |p| {
                    platform_fs::new_private_file()
                        .write(true)
                        .create_new(true)
                        .open(p)
                })?;
                self.open = Some(Open {
                    path,
                    file,
                    mode: *mode,
                });
                self.data(data.bytes(), *last)
            }
            Op::Data { data, last } => self.data(data.bytes(), *last),
            Op::Symlink { raw, rel, target } => {
                let path = self.parents(raw, rel)?;
                self.create(raw, &path, |p| platform_fs::symlink(target, p))
            }
            Op::HardLink { raw, rel, target } => {
                let source_path = self.dest.join(target);
                // The target's parents must be real directories and the target a
                // regular file: a link to anything else could reach outside.
                self.walk_parents(raw, target, false)?;
                match fs::symlink_metadata(&source_path) {
                    Ok(meta) if meta.is_file() => {}
                    _ => return Err(refuse(raw, HARD_LINK_NOT_A_FILE)),
                }
                let path = self.parents(raw, rel)?;
                self.create(raw, &path, |p| fs::hard_link(&source_path, p))
            }
        }
    }

    fn dir(&mut self, raw: &Path, rel: &Path) -> Result<(), ExtractError> {
        let path = self.parents(raw, rel)?;
        if self.verified.contains(&path) {
            return Ok(());
        }
        let replaces = || refuse(raw, "a directory entry would replace a file or link");
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(replaces()),
            Err(_) => match make_dir(&path)? {
                Made::Dir => {}
                Made::Other(_) => return Err(replaces()),
            },
        }
        self.verified.insert(path);
        Ok(())
    }

    /// Writes `data` into the open file; `last` closes it with its mode (permission
    /// bits only: no setuid, setgid or sticky bits from an archive, and no write bit
    /// for the group or others).
    fn data(&mut self, data: &[u8], last: bool) -> Result<(), ExtractError> {
        let Some(open) = self.open.as_mut() else {
            return Err(ExtractError::Write {
                path: self.dest.to_owned(),
                source: io::Error::other("file data without a file"),
            });
        };
        let write_err = |path: &Path, source| ExtractError::Write {
            path: path.to_owned(),
            source,
        };
        open.file
            .write_all(data)
            .map_err(|e| write_err(&open.path, e))?;
        if last {
            let open = self.open.take().expect("checked above");
            platform_fs::set_unpacked_mode(&open.file, open.mode)
                .map_err(|e| write_err(&open.path, e))?;
        }
        Ok(())
    }

    /// Checks (and with `create`, creates) every parent of `rel` under `dest` as a
    /// real directory, never following a symlink. Returns the full path of `rel`.
    fn walk_parents(
        &mut self,
        raw: &Path,
        rel: &Path,
        create: bool,
    ) -> Result<PathBuf, ExtractError> {
        let mut path = self.dest.to_path_buf();
        let mut parts = rel.components().peekable();
        while let Some(part) = parts.next() {
            path.push(part);
            if parts.peek().is_none() {
                break;
            }
            if self.verified.contains(&path) {
                continue;
            }
            match fs::symlink_metadata(&path) {
                Ok(meta) if meta.is_dir() => {}
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(refuse(raw, "the path goes through a symbolic link"));
                }
                Ok(_) => return Err(refuse(raw, "a parent of the path is a file")),
                Err(e) if e.kind() == io::ErrorKind::NotFound && create => match make_dir(&path)? {
                    Made::Dir => {}
                    Made::Other(kind) if kind.is_symlink() => {
                        return Err(refuse(raw, "the path goes through a symbolic link"));
                    }
                    Made::Other(_) => return Err(refuse(raw, "a parent of the path is a file")),
                },
                Err(_) => return Err(refuse(raw, "a parent of the path does not exist")),
            }
            self.verified.insert(path.clone());
        }
        Ok(path)
    }

    fn parents(&mut self, raw: &Path, rel: &Path) -> Result<PathBuf, ExtractError> {
        self.walk_parents(raw, rel, true)
    }

    /// Makes the file or link at `path` (its parents made) with `make`, which fails
    /// with `AlreadyExists` when something is there: then an earlier file or link is
    /// removed and `make` runs again (later entries win, as with `tar`); a directory is
    /// never replaced. No look before the common case, a path not taken yet.
    fn create<T>(
        &self,
        raw: &Path,
        path: &Path,
        make: impl Fn(&Path) -> io::Result<T>,
    ) -> Result<T, ExtractError> {
        let write_err = |source| ExtractError::Write {
            path: path.to_owned(),
            source,
        };
        match make(path) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                self.clear(raw, path)?;
                make(path).map_err(write_err)
            }
            made => made.map_err(write_err),
        }
    }

    /// Clears `path` (a hard link's, or a file or link entry's that is taken) of an
    /// earlier file or link (later entries win, as with `tar`); a directory is never
    /// replaced.
    fn clear(&self, raw: &Path, path: &Path) -> Result<(), ExtractError> {
        match fs::symlink_metadata(path) {
            Ok(meta) if meta.is_dir() => Err(refuse(raw, "the entry would replace a directory")),
            Ok(_) => fs::remove_file(path).map_err(|source| ExtractError::Write {
                path: path.to_owned(),
                source,
            }),
            Err(_) => Ok(()),
        }
    }
}
