//! The files of runtime tools' environments in an imported bundle, put by name where
//! their installers find them offline: each layer of the bundle's manifests annotated
//! with [`FILE_ANNOTATION`] (a wheel of a PyPI tool's pinned set,
//! `click-8.1.7-py3-none-any.whl`; an npm tarball by its integrity,
//! `npm-<sha512 hex>.tgz`) is linked from vx's blob cache (`<cache>/blobs/sha256/<hex>`,
//! already checked against its digest) to `<cache>/`[`ENVIRONMENT_FILES`]`/<name>`, the
//! `--find-links` directory of vx's uv (`vx_engine::install::uv`) and where an install
//! finds an npm tarball by the lock's integrity (`vx_engine::install::sources::carried`).
//! uv checks each file against the lock's sha256 (`--require-hashes`), npm and vx
//! against the integrity, so a name is only a name.

use std::fs;
use std::path::Path;

use serde::Deserialize;

use super::artifacts::{ENVIRONMENT_FILES, FILE_ANNOTATION};
use super::layout_error::LayoutError;

/// Longest manifest read.
const MAX_MANIFEST: u64 = 16 << 20;

#[derive(Deserialize)]
struct Index {
    #[serde(default)]
    manifests: Vec<Descriptor>,
}

#[derive(Deserialize)]
struct Manifest {
    #[serde(default)]
    layers: Vec<Descriptor>,
}

#[derive(Deserialize)]
struct Descriptor {
    digest: String,
    #[serde(default)]
    annotations: std::collections::BTreeMap<String, String>,
}

/// Names the environment files of the manifests `index` (a layout's `index.json`)
/// lists, their blobs in the layout root `into` (vx's cache); returns how many were
/// named. A name that is not a plain file name (a path, `..`, a control character) is
/// refused: the bundle is not one vx wrote. An index or manifest that does not read as
/// JSON names nothing (its blobs are imported all the same).
pub(crate) fn name_files(index: &[u8], layout: &Path, into: &Path) -> Result<usize, LayoutError> {
    let Ok(index) = serde_json::from_slice::<Index>(index) else {
        return Ok(0);
    };
    let blobs = into.join("blobs").join("sha256");
    let dir = into.join(ENVIRONMENT_FILES);
    let mut named = 0;
    for manifest in &index.manifests {
        let Some(sha) = manifest.digest.strip_prefix("sha256:") else {
            continue;
        };
        let path = blobs.join(sha);
        let Ok(bytes) = vx_base::bounded_read::read(&path, MAX_MANIFEST) else {
            continue;
        };
        let Ok(manifest) = serde_json::from_slice::<Manifest>(&bytes) else {
            continue;
        };
        for layer in &manifest.layers {
            let Some(name) = layer.annotations.get(FILE_ANNOTATION) else {
                continue;
            };
            if !plain_name(name) {
                return Err(LayoutError::NotALayout {
                    path: layout.to_owned(),
                    why: format!(
                        "a layer's {FILE_ANNOTATION} is {}, not a file name",
                        vx_text::sanitize(name)
                    ),
                });
            }
            let Some(sha) = layer.digest.strip_prefix("sha256:") else {
                continue;
            };
            let blob = blobs.join(sha);
            if !blob.is_file() {
                continue;
            }
            fs::create_dir_all(&dir).map_err(|source| LayoutError::Io {
                path: dir.clone(),
                source,
            })?;
            let dest = dir.join(name);
            // Another bundle's file of that name is replaced: names are the index's,
            // one file each.
            let _ = fs::remove_file(&dest);
            if fs::hard_link(&blob, &dest).is_err() {
                fs::copy(&blob, &dest).map_err(|source| LayoutError::Io {
                    path: dest.clone(),
                    source,
                })?;
            }
            named += 1;
        }
    }
    Ok(named)
}

/// Whether `name` is a plain file name: not empty, no separator, not `.` or `..` nor
/// hidden, no control character, at most 255 bytes.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('.')
        && !name.contains(['/', '\\', ':'])
        && !name.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_file_names_are_taken() {
        assert!(plain_name("click-8.1.7-py3-none-any.whl"));
        assert!(plain_name("black-24.10.0.tar.gz"));
        for bad in [
            "", "..", "../x.whl", "a/b.whl", "a\\b.whl", "C:x.whl", ".hidden", "a\nb",
        ] {
            assert!(!plain_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_manifests_file_layers_are_linked_by_name_and_a_path_is_refused() {
        let cache = tempfile::tempdir().unwrap();
        let blobs = cache.path().join("blobs/sha256");
        fs::create_dir_all(&blobs).unwrap();
        let wheel = "a".repeat(64);
        fs::write(blobs.join(&wheel), b"wheel bytes").unwrap();
        let manifest = |name: &str| {
            serde_json::json!({"layers": [
                {"digest": format!("sha256:{wheel}"), "annotations": {FILE_ANNOTATION: name}},
                {"digest": format!("sha256:{}", "b".repeat(64)), "annotations": {}},
            ]})
            .to_string()
        };
        let m = "c".repeat(64);
        fs::write(blobs.join(&m), manifest("click-8.1.7-py3-none-any.whl")).unwrap();
        let index =
            serde_json::json!({"manifests": [{"digest": format!("sha256:{m}")}]}).to_string();
        let layout = Path::new("bundle");
        assert_eq!(
            name_files(index.as_bytes(), layout, cache.path()).unwrap(),
            1
        );
        let named = cache
            .path()
            .join(ENVIRONMENT_FILES)
            .join("click-8.1.7-py3-none-any.whl");
        assert_eq!(fs::read(named).unwrap(), b"wheel bytes");

        fs::write(blobs.join(&m), manifest("../../evil.whl")).unwrap();
        let err = name_files(index.as_bytes(), layout, cache.path()).unwrap_err();
        assert!(err.to_string().contains("not a file name"), "{err}");
        assert!(!cache.path().join("evil.whl").exists());
        assert_eq!(name_files(b"not json", layout, cache.path()).unwrap(), 0);
    }
}
