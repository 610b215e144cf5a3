//! An archive's listing, read without unpacking it: how `vx lock` checks another
//! platform's download (its `bin` entries exist, `strip_components` leaves something)
//! while it hashes it, instead of unpacking every archive into a scratch store.
//!
//! A tar is read as a stream (headers, with the data skipped); a zip by its central
//! directory; both through `entries`, the walk unpacking uses, so an entry the
//! installer refuses is refused here too. Entry paths follow the unpacking rules (`extract::relative_path`:
//! no absolute paths, no `..`) and so do link targets (`extract::check_symlink`,
//! `extract::hard_link_target`), so an archive the installer would refuse is refused
//! at lock time too, and the entry count and the sizes the headers claim are capped
//! by the same [`ExtractLimits`].

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader};
use std::path::{Component, Path, PathBuf};

use super::InstallError;
use super::bins::BinError;
use super::entries::{self, Kind, Visit};
use super::extract::{self, ExtractError, ExtractLimits};
use vx_base::format::ArchiveFormat;

/// What an entry of the listing is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A directory.
    Dir,
    /// A regular file (or a hard link to one).
    File,
    /// A symbolic link with its target as stored.
    Symlink(PathBuf),
}

/// An archive's entries after `strip_components`, by path (`/`-separated).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listing {
    /// The format read (given or sniffed).
    pub format: Option<ArchiveFormat>,
    /// The entries; a later entry of the same path wins, as when unpacking.
    pub entries: BTreeMap<String, Entry>,
    /// Entries in the archive, stripped ones included.
    pub total: u64,
}

/// What [`check`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Checked {
    /// The format read.
    pub format: Option<ArchiveFormat>,
    /// The `bin` entries as found (`ruff.exe` for a listed `ruff`); empty when no
    /// `bin` was listed.
    pub bin: Vec<String>,
}

/// Lists `archive` and checks `bin` (when given) and `strip_components` against it.
pub(crate) fn check(
    archive: &Path,
    format: Option<ArchiveFormat>,
    strip_components: u32,
    bin: Option<&[String]>,
    tool: &str,
    limits: ExtractLimits,
) -> Result<Checked, InstallError> {
    let raw_name = super::bins::raw_name(tool, bin);
    let listing = list(archive, format, strip_components, raw_name, limits)?;
    if listing.entries.is_empty() {
        return Err(ExtractError::NothingLeft {
            entries: listing.total,
            strip_components,
        }
        .into());
    }
    let bin = match bin {
        Some(entries) => entries
            .iter()
            .map(|entry| listing.executable(vx_base::bin_entry::path(entry)))
            .collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    Ok(Checked {
        format: listing.format,
        bin,
    })
}

/// The listing of `archive` (`format` `None`: sniffed from its first bytes); a bare
/// executable lists as the one file `raw_name` (with `.exe` when it is a Windows
/// binary, as it is installed there).
pub fn list(
    archive: &Path,
    format: Option<ArchiveFormat>,
    strip_components: u32,
    raw_name: &str,
    limits: ExtractLimits,
) -> Result<Listing, ExtractError> {
    let (file, head, size) = extract::open_archive(archive)?;
    let format = match format {
        Some(format) => format,
        None => extract::sniff(&head)?,
    };
    let mut lister = Lister {
        listing: Listing {
            format: Some(format),
            ..Listing::default()
        },
        strip: strip_components as usize,
        limits,
        claimed: 0,
        format,
    };
    match format {
        ArchiveFormat::Zip => entries::zip(file, &mut lister)?,
        ArchiveFormat::Raw => {
            let name = extract::executable_path(raw_name, &head, true);
            lister.strip = 0;
            lister.add(Path::new(&name), Entry::File, size, None)?;
        }
        compressed if compressed.is_one_file() => {
            let reader = BufReader::with_capacity(super::fetch::CHUNK, file);
            let decoder =
                extract::tar_decoder(compressed, reader).map_err(|e| lister.corrupt(e))?;
            let mut decoded = BufReader::with_capacity(super::fetch::CHUNK, decoder);
            let head = decoded.fill_buf().map_err(|e| lister.corrupt(e))?;
            let name = extract::executable_path(raw_name, head, true);
            lister.strip = 0;
            lister.add(Path::new(&name), Entry::File, 0, None)?;
        }
        tar => {
            let reader = BufReader::with_capacity(super::fetch::CHUNK, file);
            let decoder = extract::tar_decoder(tar, reader).map_err(|e| lister.corrupt(e))?;
            entries::tar(decoder, &mut lister)?;
        }
    }
    Ok(lister.listing)
}

/// A listing's key for the relative path `rel`: its parts joined by `/`.
fn key(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

struct Lister {
    listing: Listing,
    strip: usize,
    limits: ExtractLimits,
    /// Bytes the headers claim so far.
    claimed: u64,
    format: ArchiveFormat,
}

impl Lister {
    /// One more entry, within the cap.
    fn count(&mut self) -> Result<(), ExtractError> {
        self.listing.total += 1;
        if self.listing.total > self.limits.max_entries {
            return Err(ExtractError::TooManyEntries {
                limit: self.limits.max_entries,
            });
        }
        Ok(())
    }

    /// One more entry at `raw` (a hard link's target in `hard_link`), judged as
    /// unpacking judges it where the listing can: its path, a symlink's target
    /// ([`extract::check_symlink`]), a hard link's target a file listed before it.
    fn add(
        &mut self,
        raw: &Path,
        entry: Entry,
        size: u64,
        hard_link: Option<&Path>,
    ) -> Result<(), ExtractError> {
        self.count()?;
        self.claimed = self.claimed.saturating_add(size);
        if self.claimed > self.limits.max_bytes {
            return Err(ExtractError::TooLarge {
                limit: self.limits.max_bytes,
            });
        }
        if let Some(rel) = extract::relative_path(raw, self.strip)? {
            if let Entry::Symlink(target) = &entry {
                extract::check_symlink(raw, &rel, target)?;
            }
            if let Some(target) = hard_link {
                let target = extract::hard_link_target(raw, target, self.strip)?;
                if self.listing.entries.get(&key(&target)) != Some(&Entry::File) {
                    return Err(extract::refuse(raw, extract::HARD_LINK_NOT_A_FILE));
                }
            }
            self.listing.entries.insert(key(&rel), entry);
        }
        Ok(())
    }
}

/// Listing is one walk of [`entries`]: each entry checked and recorded, no data read
/// (a hard link lists as the file it names).
impl Visit for Lister {
    fn entry(&mut self, path: &Path, kind: Kind<'_>) -> Result<(), ExtractError> {
        let (entry, size, hard_link) = match kind {
            Kind::Dir => (Entry::Dir, 0, None),
            Kind::File { size, .. } => (Entry::File, size, None),
            Kind::HardLink(target) => (Entry::File, 0, Some(target)),
            Kind::Symlink(target) => (Entry::Symlink(target), 0, None),
        };
        self.add(path, entry, size, hard_link.as_deref())
    }

    fn header(&mut self) -> Result<(), ExtractError> {
        self.count()
    }

    fn corrupt(&self, source: io::Error) -> ExtractError {
        ExtractError::Corrupt {
            format: self.format,
            source,
        }
    }
}

/// Extensions a listed `bin` entry may lack on Windows (`PATHEXT`'s default).
const WINDOWS_EXTENSIONS: [&str; 4] = [".exe", ".cmd", ".bat", ".com"];
/// Most symbolic links followed from one `bin` entry.
const MAX_HOPS: usize = 40;

impl Listing {
    /// The listed `bin` entry as the archive holds it: the path itself, or with a
    /// Windows executable extension (a listed `ruff` is `ruff.exe` in a Windows zip),
    /// leading (through links that stay inside) to a file.
    pub(crate) fn executable(&self, entry: &str) -> Result<String, BinError> {
        let refuse = |reason| BinError {
            entry: entry.to_owned(),
            reason,
        };
        let found = std::iter::once(entry.to_owned())
            .chain(WINDOWS_EXTENSIONS.iter().map(|ext| format!("{entry}{ext}")))
            .find(|candidate| self.entries.contains_key(candidate) || self.is_parent(candidate))
            .ok_or_else(|| refuse("is not in the archive"))?;
        let mut at = found.clone();
        for _ in 0..MAX_HOPS {
            match self.entries.get(&at) {
                Some(Entry::File) => return Ok(found),
                Some(Entry::Dir) => return Err(refuse("is not a file")),
                Some(Entry::Symlink(target)) => {
                    at = follow(&at, target).ok_or_else(|| refuse("leads outside the install"))?;
                }
                None if self.is_parent(&at) => return Err(refuse("is not a file")),
                None => return Err(refuse("is not in the archive")),
            }
        }
        Err(refuse("is a chain of too many links"))
    }
}

impl Listing {
    /// Whether `path` is a directory implied by deeper entries (archives need not list
    /// their directories).
    fn is_parent(&self, path: &str) -> bool {
        let prefix = format!("{path}/");
        self.entries
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(key, _)| key.starts_with(&prefix))
    }
}

/// Where the link at `link` (a listing path) pointing to `target` leads, as a listing
/// path; `None` when it leaves the tree or is absolute.
fn follow(link: &str, target: &Path) -> Option<String> {
    let mut parts: Vec<String> = link.split('/').map(str::to_owned).collect();
    parts.pop();
    for component in target.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_gz(entries: &[(&str, Option<&str>)]) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        let gz = flate2::write::GzEncoder::new(file.reopen().unwrap(), Default::default());
        let mut builder = tar::Builder::new(gz);
        for (path, link) in entries {
            let mut header = tar::Header::new_gnu();
            match link {
                Some(target) => {
                    header.set_entry_type(tar::EntryType::Symlink);
                    header.set_size(0);
                    header.set_mode(0o777);
                    builder.append_link(&mut header, path, target).unwrap();
                }
                None => {
                    header.set_size(3);
                    header.set_mode(0o755);
                    builder.append_data(&mut header, path, &b"abc"[..]).unwrap();
                }
            }
        }
        builder.into_inner().unwrap().finish().unwrap();
        file
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn bin_entries_are_checked_against_the_listing_after_stripping() {
        let archive = tar_gz(&[
            ("package/bin/esbuild", None),
            ("package/README.md", None),
            ("package/bin/alias", Some("esbuild")),
        ]);
        let limits = ExtractLimits::default();
        let ok = check(
            archive.path(),
            None,
            1,
            Some(&names(&["bin/esbuild", "bin/alias"])),
            "esbuild",
            limits,
        )
        .unwrap();
        assert_eq!(ok.bin, ["bin/esbuild", "bin/alias"]);
        assert_eq!(ok.format, Some(ArchiveFormat::TarGz));
        for (entry, reason) in [
            ("nope/esbuild", "is not in the archive"),
            ("bin", "is not a file"),
        ] {
            let err =
                check(archive.path(), None, 1, Some(&names(&[entry])), "x", limits).unwrap_err();
            match err {
                InstallError::Bin(e) => assert_eq!(e.reason, reason, "{entry}"),
                other => panic!("{entry}: {other}"),
            }
        }
        let err = check(archive.path(), None, 3, None, "x", limits).unwrap_err();
        assert!(
            matches!(err, InstallError::Extract(ExtractError::NothingLeft { .. })),
            "{err}"
        );
    }

    #[test]
    fn a_link_the_unpacker_refuses_is_refused_by_the_listing() {
        for (target, reason) in [
            (
                "../../../etc/passwd",
                "symlink target points outside the destination",
            ),
            ("/etc/passwd", "symlink target is an absolute path"),
            (
                "bin/../../x",
                "symlink target uses `..` after a directory name",
            ),
        ] {
            let archive = tar_gz(&[
                ("package/bin/esbuild", None),
                ("package/bin/escape", Some(target)),
            ]);
            let err =
                check(archive.path(), None, 1, None, "x", ExtractLimits::default()).unwrap_err();
            match err {
                InstallError::Extract(ExtractError::Unsafe { entry, reason: why }) => {
                    assert_eq!((entry.as_str(), why), ("package/bin/escape", reason));
                }
                other => panic!("{target}: {other}"),
            }
        }
    }

    #[test]
    fn a_windows_zip_serves_a_listed_name_without_its_extension() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut zip = zip::ZipWriter::new(file.reopen().unwrap());
        zip.start_file("ruff.exe", zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut zip, b"MZ").unwrap();
        zip.finish().unwrap();
        let ok = check(
            file.path(),
            None,
            0,
            Some(&names(&["ruff"])),
            "ruff",
            ExtractLimits::default(),
        )
        .unwrap();
        assert_eq!(ok.bin, ["ruff.exe"]);
    }

    #[test]
    fn a_bare_executable_lists_as_the_tools_one_file() {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), [&b"MZ"[..], &[0u8; 62][..]].concat()).unwrap();
        let ok = check(
            file.path(),
            None,
            0,
            Some(&names(&["jq"])),
            "jq",
            ExtractLimits::default(),
        )
        .unwrap();
        assert_eq!(ok.format, Some(ArchiveFormat::Raw));
        assert_eq!(
            ok.bin,
            ["jq.exe"],
            "a Windows binary is installed with .exe"
        );
        std::fs::write(file.path(), b"#!/bin/sh\necho hi\n").unwrap();
        let ok = check(file.path(), None, 1, None, "jq", ExtractLimits::default()).unwrap();
        assert_eq!(
            ok.format,
            Some(ArchiveFormat::Raw),
            "strip_components ignored"
        );
    }

    #[test]
    fn too_many_entries_or_claimed_bytes_are_refused_when_listing() {
        let archive = tar_gz(&[("a", None), ("b", None), ("c", None)]);
        let few = ExtractLimits {
            max_bytes: 1 << 20,
            max_entries: 2,
        };
        let err = list(archive.path(), None, 0, "x", few).unwrap_err();
        assert!(matches!(err, ExtractError::TooManyEntries { .. }), "{err}");
        let small = ExtractLimits {
            max_bytes: 5,
            max_entries: 10,
        };
        let err = list(archive.path(), None, 0, "x", small).unwrap_err();
        assert!(matches!(err, ExtractError::TooLarge { .. }), "{err}");
    }
}
