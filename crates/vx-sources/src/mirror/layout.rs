//! An OCI image layout on disk (`oci-layout`, `index.json`, `blobs/sha256/<hex>`), as a
//! directory or a tar of one: what `vx bundle export` writes and `vx bundle import`
//! reads. Importing copies each blob, checked against its digest, into vx's blob cache
//! (`<cache>/blobs/sha256/<hex>`), which every install consults first (the install
//! engine's `sources`), so an imported bundle serves `vx sync --offline`.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde_json::json;
use sha2::{Digest, Sha256};

use super::source::blob_path;

/// The `oci-layout` file's content.
const OCI_LAYOUT: &str = r#"{"imageLayoutVersion":"1.0.0"}"#;
/// Longest `index.json` read on import.
const MAX_INDEX: u64 = 16 << 20;
/// The annotation of `index.json` that names a manifest's tag.
const REF_NAME: &str = "org.opencontainers.image.ref.name";

pub use super::layout_error::LayoutError;

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> LayoutError + '_ {
    move |source| LayoutError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A layout directory being written.
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// Creates (or opens) the layout at `root`: `oci-layout` and `blobs/sha256/`.
    pub fn create(root: &Path) -> Result<Layout, LayoutError> {
        let blobs = root.join("blobs").join("sha256");
        fs::create_dir_all(&blobs).map_err(io_err(&blobs))?;
        let marker = root.join("oci-layout");
        fs::write(&marker, OCI_LAYOUT).map_err(io_err(&marker))?;
        Ok(Layout {
            root: root.to_owned(),
        })
    }

    /// The root directory.
    #[cfg(test)]
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// The path of the blob `sha256` (present or not).
    pub fn blob(&self, sha256: &str) -> PathBuf {
        blob_path(&self.root, sha256)
    }

    /// Writes `bytes` as a blob; returns its sha256.
    pub fn put_bytes(&self, bytes: &[u8]) -> Result<String, LayoutError> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let path = self.blob(&sha256);
        vx_base::atomic::write(&path, bytes).map_err(io_err(&path))?;
        Ok(sha256)
    }

    /// Writes `index.json`: the manifest `sha256` of `size` bytes under each of `tags`.
    pub fn write_index(
        &self,
        sha256: &str,
        size: usize,
        tags: &[String],
    ) -> Result<(), LayoutError> {
        let manifests: Vec<_> = tags
            .iter()
            .map(|tag| {
                json!({
                    "mediaType": super::oci::MANIFEST_MEDIA_TYPE,
                    "digest": format!("sha256:{sha256}"),
                    "size": size,
                    "annotations": { REF_NAME: tag },
                })
            })
            .collect();
        let index = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": manifests,
        });
        let path = self.root.join("index.json");
        let bytes = serde_json::to_vec_pretty(&index).unwrap_or_default();
        vx_base::atomic::write(&path, &bytes).map_err(io_err(&path))
    }

    /// Packs the layout into the tar `to` (its entries at the tar's root, as
    /// `skopeo copy oci-archive:` reads them).
    pub fn pack(&self, to: &Path) -> Result<(), LayoutError> {
        let parent = to.parent().unwrap_or(Path::new("."));
        let tmp = tempfile::NamedTempFile::new_in(parent).map_err(io_err(to))?;
        let mut builder = tar::Builder::new(io::BufWriter::new(tmp.as_file()));
        builder.mode(tar::HeaderMode::Deterministic);
        for name in ["oci-layout", "index.json"] {
            let path = self.root.join(name);
            builder
                .append_path_with_name(&path, name)
                .map_err(io_err(&path))?;
        }
        builder
            .append_dir_all("blobs", self.root.join("blobs"))
            .map_err(io_err(&self.root))?;
        builder
            .into_inner()
            .and_then(|mut w| w.flush())
            .map_err(io_err(to))?;
        tmp.persist(to).map_err(|e| io_err(to)(e.error))?;
        Ok(())
    }
}

/// What an import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    /// Blobs copied into the cache.
    pub copied: usize,
    /// Blobs the cache already had.
    pub present: usize,
    /// Bytes copied.
    pub bytes: u64,
    /// Files of runtime tools' environments put by name where their installers find them
    /// ([`super::named`]).
    pub named: usize,
}

/// vx's blob cache: `<cache>` as a layout root (`<cache>/blobs/sha256/<hex>`).
pub fn cache_root() -> Option<PathBuf> {
    vx_base::platform::fs::cache_dir()
}

/// Imports the layout at `from` (a directory or a tar) into the layout root `into`
/// (vx's cache): every blob, checked against its name's sha256 as it is copied; a
/// blob already there is kept. Anything else in the tar is ignored.
pub fn import(from: &Path, into: &Path) -> Result<Imported, LayoutError> {
    let blobs = into.join("blobs").join("sha256");
    fs::create_dir_all(&blobs).map_err(io_err(&blobs))?;
    let mut imported = Imported::default();
    let meta = fs::metadata(from).map_err(io_err(from))?;
    if meta.is_dir() {
        for name in ["oci-layout", "index.json"] {
            if !from.join(name).is_file() {
                return Err(LayoutError::NotALayout {
                    path: from.to_owned(),
                    why: format!("no {name}"),
                });
            }
        }
        let dir = from.join("blobs").join("sha256");
        for entry in fs::read_dir(&dir).map_err(io_err(&dir))? {
            let entry = entry.map_err(io_err(&dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !is_sha256(&name) || !entry.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            let path = entry.path();
            let mut file = File::open(&path).map_err(io_err(&path))?;
            copy_blob(&mut file, &name, from, &blobs, &mut imported)?;
        }
        let path = from.join("index.json");
        let index =
            vx_base::bounded_read::read(&path, MAX_INDEX).map_err(|e| io_err(&path)(e.into()))?;
        imported.named = super::named::name_files(&index, from, into)?;
    } else {
        let file = File::open(from).map_err(io_err(from))?;
        let mut archive = tar::Archive::new(io::BufReader::new(file));
        let mut saw_layout = false;
        let mut index = Vec::new();
        for entry in archive.entries().map_err(io_err(from))? {
            let mut entry = entry.map_err(io_err(from))?;
            let path = entry.path().map_err(io_err(from))?.into_owned();
            let parts: Vec<String> = path
                .components()
                .filter_map(|c| match c {
                    std::path::Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
                    _ => None,
                })
                .collect();
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            match parts.as_slice() {
                ["oci-layout"] => saw_layout = true,
                ["index.json"] if entry.header().entry_type().is_file() => {
                    (&mut entry)
                        .take(MAX_INDEX)
                        .read_to_end(&mut index)
                        .map_err(io_err(from))?;
                }
                ["blobs", "sha256", name]
                    if is_sha256(name) && entry.header().entry_type().is_file() =>
                {
                    let name = (*name).to_owned();
                    copy_blob(&mut entry, &name, from, &blobs, &mut imported)?;
                }
                _ => {}
            }
        }
        if !saw_layout {
            return Err(LayoutError::NotALayout {
                path: from.to_owned(),
                why: "no oci-layout in the tar".to_owned(),
            });
        }
        imported.named = super::named::name_files(&index, from, into)?;
    }
    Ok(imported)
}

/// Copies one blob named `sha256` from `reader` into `blobs`, through a temporary file
/// renamed into place once its bytes hash to its name.
fn copy_blob(
    reader: &mut dyn Read,
    sha256: &str,
    layout: &Path,
    blobs: &Path,
    imported: &mut Imported,
) -> Result<(), LayoutError> {
    let dest = blobs.join(sha256);
    if dest.is_file() {
        imported.present += 1;
        return Ok(());
    }
    let mut tmp = tempfile::NamedTempFile::new_in(blobs).map_err(io_err(blobs))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_err(layout)(e)),
        };
        hasher.update(&buf[..n]);
        tmp.write_all(&buf[..n]).map_err(io_err(blobs))?;
        bytes += n as u64;
    }
    let actual = hex::encode(hasher.finalize());
    if actual != sha256 {
        return Err(LayoutError::Corrupt {
            path: layout.to_owned(),
            name: sha256.to_owned(),
            actual,
        });
    }
    tmp.persist(&dest).map_err(|e| io_err(&dest)(e.error))?;
    imported.copied += 1;
    imported.bytes += bytes;
    Ok(())
}

/// Whether `name` is 64 lower-case hex digits.
fn is_sha256(name: &str) -> bool {
    name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_layout_packed_as_a_tar_imports_like_the_directory_and_refuses_a_bad_blob() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::create(&dir.path().join("l")).unwrap();
        let a = layout.put_bytes(b"alpha").unwrap();
        let m = layout.put_bytes(b"{}").unwrap();
        layout.write_index(&m, 2, &["lock-1".into()]).unwrap();
        let tar = dir.path().join("b.tar");
        layout.pack(&tar).unwrap();

        let cache = dir.path().join("cache");
        let got = import(&tar, &cache).unwrap();
        assert_eq!((got.copied, got.present, got.bytes), (2, 0, 7));
        assert_eq!(fs::read(blob_path(&cache, &a)).unwrap(), b"alpha");
        let again = import(layout.root(), &cache).unwrap();
        assert_eq!((again.copied, again.present), (0, 2));

        fs::write(layout.blob(&a), b"tampered").unwrap();
        let other = dir.path().join("other");
        let err = import(layout.root(), &other).unwrap_err().to_string();
        assert!(err.contains("refused"), "{err}");
        assert!(!blob_path(&other, &a).exists());
        let not = import(&dir.path().join("cache"), &other).unwrap_err();
        assert!(matches!(not, LayoutError::NotALayout { .. }), "{not}");
    }
}
