//! The compact index of a registry: what looking a tool up by name needs, built once
//! from a parsed [`Registry`] and cached on disk, so a lookup reads a few hundred
//! kilobytes of names instead of parsing megabytes of YAML.
//!
//! Per package it keeps the names a user may type (full name, aliases, short name,
//! `repo_name`, command names), the description (for search), why vx cannot install it
//! (if so), and the package's definition serialized on its own (compact JSON), read
//! back by offset when the package is chosen.
//!
//! The file: a fixed header (magic, format version, lengths, CRC-32 of the header and
//! of the name table), the name table (a string pool and fixed-width records), then the
//! packages' definitions, each with its own CRC-32 in the table. Opening reads the
//! header and the table only; [`Index::package`] reads one definition. Anything that
//! does not add up (another file's magic, another format version, another vx's build,
//! a length past the end, a checksum mismatch, a string off the pool) is
//! [`IndexError::Invalid`]: the caller rebuilds, never trusts it. CRC-32 (`crc32fast`,
//! already built for the archive formats) detects corruption at memory speed; the cache
//! is the user's own, so no adversary is assumed there.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use thiserror::Error;

use super::package::{Fields, Package, Registry};

/// The index format's version; bump it when the layout changes.
pub(crate) const FORMAT_VERSION: u32 = 4;

/// The first bytes of every index file. The high byte and the CR LF catch a file
/// mangled as text, as PNG's signature does.
const MAGIC: [u8; 8] = *b"\x89VXIDX\r\n";

/// Magic, version, table length, table CRC, blobs length, header CRC.
const HEADER_LEN: usize = 8 + 4 + 4 + 4 + 8 + 4;

/// The vx that builds an index: a package model that changed between versions could
/// read an older definition differently, so another version's index is rebuilt.
const BUILT_BY: &str = env!("CARGO_PKG_VERSION");

/// Why an index cannot be built, opened or read.
#[derive(Debug, Error)]
pub enum IndexError {
    /// The file cannot be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The index file.
        path: PathBuf,
        /// The failure.
        source: io::Error,
    },
    /// The file is not an index this vx wrote intact: foreign, of another format version
    /// or vx, truncated or corrupt. It is to be rebuilt.
    #[error("{}: not a usable registry index: {reason}", path.display())]
    Invalid {
        /// The index file.
        path: PathBuf,
        /// What does not add up.
        reason: String,
    },
    /// A package could not be serialized into the index.
    #[error("cannot index package `{package}`: {message}")]
    Build {
        /// The package's full name.
        package: String,
        /// The serializer's message.
        message: String,
    },
}

/// What an index was built from, so a stale one is noticed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// The sha256 (lowercase hex) of the registry file.
    pub digest: String,
    /// The registry file's stamp when it was indexed (a registry given by path), empty
    /// for a content-addressed one.
    pub stamp: String,
}

/// A `(start, len)` range of the string pool.
#[derive(Clone, Copy, Debug, Default)]
struct Span {
    start: u32,
    len: u32,
}

/// One package's record in the name table.
#[derive(Clone, Debug)]
struct Record {
    full_name: Span,
    short_name: Span,
    repo_name: Span,
    description: Span,
    unsupported: Span,
    /// Range of `Index::lists` holding the aliases.
    aliases: (u32, u32),
    /// Range of `Index::lists` holding the command names.
    commands: (u32, u32),
    blob_offset: u64,
    blob_len: u32,
    blob_crc: u32,
}

/// An opened index: its names in memory, the definitions on disk.
pub struct Index {
    path: PathBuf,
    file: Mutex<File>,
    /// Where the definitions start in the file.
    blobs_at: u64,
    pool: String,
    lists: Vec<Span>,
    records: Vec<Record>,
    origin: Origin,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("path", &self.path)
            .field("packages", &self.records.len())
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// One package as the index knows it, without its definition.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry<'a> {
    index: &'a Index,
    record: &'a Record,
}

impl<'a> Entry<'a> {
    fn text(&self, span: Span) -> &'a str {
        self.index.text(span)
    }

    fn optional(&self, span: Span) -> Option<&'a str> {
        Some(self.text(span)).filter(|s| !s.is_empty())
    }

    fn list(&self, (start, end): (u32, u32)) -> impl Iterator<Item = &'a str> + 'a {
        let index = self.index;
        index.lists[start as usize..end as usize]
            .iter()
            .map(move |&span| index.text(span))
    }

    /// `name`, else `repo_owner/repo_name` (`kubernetes/kubernetes/kubectl`,
    /// `BurntSushi/ripgrep`).
    pub(crate) fn full_name(&self) -> &'a str {
        self.text(self.record.full_name)
    }

    /// The last segment of the full name (`kubectl`, `ripgrep`).
    pub(crate) fn short_name(&self) -> &'a str {
        self.text(self.record.short_name)
    }

    /// `repo_name`, when the package has one.
    pub(crate) fn repo_name(&self) -> Option<&'a str> {
        self.optional(self.record.repo_name)
    }

    /// The one-line description, when the package has one.
    pub(crate) fn description(&self) -> Option<&'a str> {
        self.optional(self.record.description)
    }

    /// Why vx cannot install the package, or `None` when it can.
    pub(crate) fn unsupported(&self) -> Option<&'a str> {
        self.optional(self.record.unsupported)
    }

    /// The package's other names (`aliases[].name`).
    pub(crate) fn aliases(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.list(self.record.aliases)
    }

    /// The commands it installs (`files[].name` of the package, its overrides and its
    /// version overrides, each once).
    pub(crate) fn commands(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.list(self.record.commands)
    }
}

impl Index {
    /// The index file of `registry` built from `origin`, as bytes to write. Packages
    /// without a name (neither `name` nor `repo_owner` and `repo_name`) cannot be asked
    /// for and are left out.
    pub fn build(registry: &Registry, origin: &Origin) -> Result<Vec<u8>, IndexError> {
        let mut table = Table::default();
        let mut blobs = Vec::new();
        table.string(BUILT_BY);
        table.string(&origin.digest);
        table.string(&origin.stamp);
        let named: Vec<(&Package, String)> = registry
            .packages
            .iter()
            .filter_map(|p| Some((p, p.full_name()?)))
            .collect();
        table.u32(named.len() as u32);
        for (package, full_name) in named {
            let blob = serde_json::to_vec(package).map_err(|e| IndexError::Build {
                package: full_name.clone(),
                message: e.to_string(),
            })?;
            let short = full_name
                .rsplit('/')
                .next()
                .unwrap_or(&full_name)
                .to_owned();
            table.string(&full_name);
            table.string(&short);
            table.string(package.fields.repo_name.as_deref().unwrap_or(""));
            table.string(package.description.as_deref().unwrap_or(""));
            table.string(package.unsupported().as_deref().unwrap_or(""));
            let aliases: Vec<&str> = package.aliases.iter().map(|a| a.name.as_str()).collect();
            table.strings(&aliases);
            table.strings(&commands(package));
            table.u64(blobs.len() as u64);
            table.u32(blob.len() as u32);
            table.u32(crc32fast::hash(&blob));
            blobs.extend_from_slice(&blob);
        }
        let table = table.finish();
        let mut out = Vec::with_capacity(HEADER_LEN + table.len() + blobs.len());
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(table.len() as u32).to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(&table).to_le_bytes());
        out.extend_from_slice(&(blobs.len() as u64).to_le_bytes());
        let header_crc = crc32fast::hash(&out);
        out.extend_from_slice(&header_crc.to_le_bytes());
        out.extend_from_slice(&table);
        out.extend_from_slice(&blobs);
        Ok(out)
    }

    /// Builds the index of `registry` and writes it to `path` atomically (a reader sees
    /// the old index or the new one), creating its directory.
    pub(crate) fn write(
        path: &Path,
        registry: &Registry,
        origin: &Origin,
    ) -> Result<(), IndexError> {
        let bytes = Index::build(registry, origin)?;
        let io = |source| IndexError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        vx_base::atomic::write_cache(path, &bytes).map_err(io)
    }

    /// Opens the index at `path`, reading and checking its header and name table.
    pub fn open(path: &Path) -> Result<Index, IndexError> {
        let io = |source| IndexError::Io {
            path: path.to_path_buf(),
            source,
        };
        let invalid = |reason: String| IndexError::Invalid {
            path: path.to_path_buf(),
            reason,
        };
        let mut file = File::open(path).map_err(io)?;
        let file_len = file.metadata().map_err(io)?.len();
        let mut header = [0u8; HEADER_LEN];
        if file_len < HEADER_LEN as u64 {
            return Err(invalid(format!("{file_len} bytes, shorter than a header")));
        }
        file.read_exact(&mut header).map_err(io)?;
        if header[..8] != MAGIC {
            return Err(invalid("not an index file (wrong signature)".to_owned()));
        }
        let word = |at: usize| {
            u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
        };
        if crc32fast::hash(&header[..HEADER_LEN - 4]) != word(HEADER_LEN - 4) {
            return Err(invalid("the header's checksum does not match".to_owned()));
        }
        let version = word(8);
        if version != FORMAT_VERSION {
            return Err(invalid(format!(
                "format version {version}; this vx reads version {FORMAT_VERSION}"
            )));
        }
        let table_len = word(12) as u64;
        let table_crc = word(16);
        let mut blobs_len = [0u8; 8];
        blobs_len.copy_from_slice(&header[20..28]);
        let blobs_len = u64::from_le_bytes(blobs_len);
        let expected = (HEADER_LEN as u64)
            .checked_add(table_len)
            .and_then(|n| n.checked_add(blobs_len));
        if expected != Some(file_len) {
            return Err(invalid(format!(
                "{file_len} bytes where the header announces {}",
                expected.map_or_else(|| "more than can be".to_owned(), |n| n.to_string())
            )));
        }
        let mut table = vec![0u8; table_len as usize];
        file.read_exact(&mut table).map_err(io)?;
        if crc32fast::hash(&table) != table_crc {
            return Err(invalid(
                "the name table's checksum does not match".to_owned(),
            ));
        }
        let decoded = decode(&table, blobs_len).map_err(|reason| invalid(reason.to_owned()))?;
        if decoded.built_by != BUILT_BY {
            return Err(invalid(format!(
                "built by vx {}; this is vx {BUILT_BY}",
                decoded.built_by
            )));
        }
        Ok(Index {
            path: path.to_path_buf(),
            file: Mutex::new(file),
            blobs_at: HEADER_LEN as u64 + table_len,
            pool: decoded.pool,
            lists: decoded.lists,
            records: decoded.records,
            origin: decoded.origin,
        })
    }

    /// The index file's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// What the index was built from.
    pub(crate) fn origin(&self) -> &Origin {
        &self.origin
    }

    /// How many packages it holds.
    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether it holds no package.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The `i`-th package's names, in registry order.
    pub(crate) fn entry(&self, i: usize) -> Option<Entry<'_>> {
        self.records.get(i).map(|record| Entry {
            index: self,
            record,
        })
    }

    /// Every package's names, in registry order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = Entry<'_>> {
        self.records.iter().map(|record| Entry {
            index: self,
            record,
        })
    }

    /// Reads the `i`-th package's definition from the file, checking its checksum.
    pub fn package(&self, i: usize) -> Result<Package, IndexError> {
        let invalid = |reason: String| IndexError::Invalid {
            path: self.path.clone(),
            reason,
        };
        let record = self
            .records
            .get(i)
            .ok_or_else(|| invalid(format!("no package number {i}")))?;
        let mut blob = vec![0u8; record.blob_len as usize];
        {
            // A poisoned lock only means another reader panicked mid-read; the seek
            // below puts the file where this read needs it regardless.
            let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
            file.seek(SeekFrom::Start(self.blobs_at + record.blob_offset))
                .and_then(|_| file.read_exact(&mut blob))
                .map_err(|source| IndexError::Io {
                    path: self.path.clone(),
                    source,
                })?;
        }
        let name = self.text(record.full_name);
        if crc32fast::hash(&blob) != record.blob_crc {
            return Err(invalid(format!("the definition of `{name}` is corrupt")));
        }
        serde_json::from_slice(&blob)
            .map_err(|e| invalid(format!("the definition of `{name}` does not read: {e}")))
    }

    fn text(&self, span: Span) -> &str {
        // Spans were checked against the pool (bounds and char boundaries) on open.
        &self.pool[span.start as usize..(span.start + span.len) as usize]
    }
}

/// The commands a package installs: `files[].name` everywhere in it, first occurrence
/// order, each once.
fn commands(package: &Package) -> Vec<&str> {
    let mut all: Vec<&Fields> = vec![&package.fields];
    all.extend(package.overrides.iter().map(|o| &o.fields));
    for vo in &package.version_overrides {
        all.push(&vo.fields);
        all.extend(vo.overrides.iter().flatten().map(|o| &o.fields));
    }
    let mut names: Vec<&str> = Vec::new();
    for file in all.into_iter().flat_map(|f| f.files.iter().flatten()) {
        if !names.contains(&file.name.as_str()) {
            names.push(&file.name);
        }
    }
    names
}

/// The name table being written: a string pool and the records referring to it.
#[derive(Default)]
struct Table {
    pool: String,
    records: Vec<u8>,
}

impl Table {
    fn u32(&mut self, n: u32) {
        self.records.extend_from_slice(&n.to_le_bytes());
    }

    fn u64(&mut self, n: u64) {
        self.records.extend_from_slice(&n.to_le_bytes());
    }

    fn string(&mut self, s: &str) {
        self.u32(self.pool.len() as u32);
        self.u32(s.len() as u32);
        self.pool.push_str(s);
    }

    fn strings(&mut self, list: &[&str]) {
        self.u32(list.len() as u32);
        for s in list {
            self.string(s);
        }
    }

    /// `pool length, pool, records`.
    fn finish(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + self.pool.len() + self.records.len());
        out.extend_from_slice(&(self.pool.len() as u32).to_le_bytes());
        out.extend_from_slice(self.pool.as_bytes());
        out.extend_from_slice(&self.records);
        out
    }
}

/// A name table read back.
struct Decoded {
    built_by: String,
    origin: Origin,
    pool: String,
    lists: Vec<Span>,
    records: Vec<Record>,
}

/// Reads the name table, checking every span against the pool and every definition's
/// range against `blobs_len`.
fn decode(table: &[u8], blobs_len: u64) -> Result<Decoded, &'static str> {
    let mut r = Reader { bytes: table };
    let pool_len = r.u32()? as usize;
    let pool = r.take(pool_len)?;
    let pool = std::str::from_utf8(pool).map_err(|_| "the string pool is not UTF-8")?;
    let span = |r: &mut Reader| -> Result<Span, &'static str> {
        let (start, len) = (r.u32()?, r.u32()?);
        let end = start.checked_add(len).ok_or("a string past the pool")? as usize;
        if end > pool.len() || !pool.is_char_boundary(start as usize) || !pool.is_char_boundary(end)
        {
            return Err("a string past the pool");
        }
        Ok(Span { start, len })
    };
    let text = |s: Span| pool[s.start as usize..(s.start + s.len) as usize].to_owned();
    let built_by = text(span(&mut r)?);
    let origin = Origin {
        digest: text(span(&mut r)?),
        stamp: text(span(&mut r)?),
    };
    let count = r.u32()? as usize;
    // Each record takes at least 64 bytes: a count past what is left is corrupt, and
    // is refused before it sizes an allocation.
    if count > r.bytes.len() / 64 {
        return Err("more packages announced than the table holds");
    }
    let mut lists = Vec::new();
    let mut records = Vec::with_capacity(count);
    for _ in 0..count {
        let full_name = span(&mut r)?;
        let short_name = span(&mut r)?;
        let repo_name = span(&mut r)?;
        let description = span(&mut r)?;
        let unsupported = span(&mut r)?;
        let mut list = |r: &mut Reader| -> Result<(u32, u32), &'static str> {
            let n = r.u32()? as usize;
            if n > r.bytes.len() / 8 {
                return Err("a list longer than the table");
            }
            let start = lists.len() as u32;
            for _ in 0..n {
                lists.push(span(r)?);
            }
            Ok((start, lists.len() as u32))
        };
        let aliases = list(&mut r)?;
        let commands = list(&mut r)?;
        let blob_offset = r.u64()?;
        let blob_len = r.u32()?;
        let blob_crc = r.u32()?;
        if blob_offset
            .checked_add(blob_len as u64)
            .is_none_or(|end| end > blobs_len)
        {
            return Err("a definition past the end of the file");
        }
        if full_name.len == 0 {
            return Err("a package without a name");
        }
        records.push(Record {
            full_name,
            short_name,
            repo_name,
            description,
            unsupported,
            aliases,
            commands,
            blob_offset,
            blob_len,
            blob_crc,
        });
    }
    if !r.bytes.is_empty() {
        return Err("bytes after the last record");
    }
    Ok(Decoded {
        built_by,
        origin,
        pool: pool.to_owned(),
        lists,
        records,
    })
}

/// A cursor over the name table; running out is an error, never a panic.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], &'static str> {
        if n > self.bytes.len() {
            return Err("the name table ends early");
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn u32(&mut self) -> Result<u32, &'static str> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, &'static str> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
}

/// The fixture registry of the name, search and index tests
/// (`tests/data/registry/names.yaml`) and an index of it in a temporary directory.
#[cfg(test)]
pub(super) fn fixture_index() -> (tempfile::TempDir, Index) {
    let yaml = include_str!("../../../../tests/data/registry/names.yaml");
    let registry = Registry::from_str(yaml, Path::new("names.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("names.idx");
    Index::write(&path, &registry, &Origin::default()).unwrap();
    let index = Index::open(&path).unwrap();
    (dir, index)
}

#[cfg(test)]
mod tests;
