//! `vx registry update` without the whole file: the standard registry at a newer ref
//! built from its `registry.yaml` at the pinned ref (cached, or shipped inside vx) and
//! GitHub's compare of the two refs (`/repos/aquaproj/aqua-registry/compare/OLD...NEW`),
//! which lists every changed file with its git blob id and, for a diff GitHub is
//! willing to show, its patch.
//!
//! `registry.yaml`'s patch is applied to the old bytes (with `diffy`), and the result
//! is taken only when its git blob id (SHA-1 of `blob LEN\0` and the bytes, as git
//! names every file) is the one the compare gives for the new `registry.yaml`: the
//! bytes are then exactly upstream's, so the lock's sha256 is the one any other
//! machine fetching the whole file at that ref gets. Anything else — the old file not
//! at hand, the compare unavailable or truncated (GitHub lists at most 300 files), no
//! patch (too large to show), a patch that does not apply or whose result is not the
//! named blob — falls back to fetching the whole file, and says why.

use serde::Deserialize;
use sha1::{Digest, Sha1};

use super::{
    Cache, Context, Opened, RegistryId, STANDARD_NAME, STANDARD_REF, STANDARD_SHA256, Source,
    SourceError, baked, index_checked, normal_digest, sha256_hex, shown_url,
};

/// The most files GitHub's compare lists; a list this long may be cut.
pub(crate) const COMPARE_MAX_FILES: usize = 300;

/// The largest compare answer read (its patches included).
const MAX_COMPARE_BYTES: u64 = 16 << 20;

/// How the new registry was obtained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// From the old file and the compare's patch: the bytes fetched (the compare).
    Patched {
        /// Bytes of the compare answer.
        fetched: u64,
    },
    /// The whole file fetched (or found cached): why the patch route was not taken.
    Whole {
        /// Why, for people.
        why: String,
    },
}

/// The part of GitHub's compare answer read here.
#[derive(Deserialize)]
struct Compare {
    #[serde(default)]
    files: Vec<ChangedFile>,
}

/// One changed file of a compare.
#[derive(Deserialize)]
struct ChangedFile {
    filename: String,
    status: String,
    sha: Option<String>,
    patch: Option<String>,
}

/// The standard registry at `new_ref`, from its file at `old_ref` (pinned `old_sha256`,
/// or vx's own pin at [`STANDARD_REF`]) patched by GitHub's compare when that works,
/// else fetched whole; with the route taken.
pub fn update_standard(
    old_ref: &str,
    old_sha256: Option<&str>,
    new_ref: &str,
    cx: &Context<'_>,
) -> Result<(Opened, Route), SourceError> {
    let cache = Cache {
        root: cx.cache_dir.join("registries"),
    };
    let url = cx
        .github
        .raw("aquaproj", "aqua-registry", new_ref, "registry.yaml");
    let what = format!("the standard registry {new_ref}");
    let patched = match patched(&cache, old_ref, old_sha256, new_ref, cx) {
        Ok(patched) => patched,
        Err(why) => {
            let opened = super::open(
                &Source::Standard {
                    git_ref: new_ref.to_owned(),
                    sha256: None,
                },
                cx,
            )?;
            return Ok((
                opened,
                Route::Whole {
                    why: why.to_string(),
                },
            ));
        }
    };
    let (bytes, fetched) = patched;
    let (index, digest) = index_checked(&cache, &url, &shown_url(&url), &what, &bytes, None)?;
    let opened = Opened {
        id: RegistryId {
            name: STANDARD_NAME.to_owned(),
            git_ref: Some(new_ref.to_owned()),
            digest,
        },
        index,
    };
    Ok((opened, Route::Patched { fetched }))
}

/// The new file's bytes and the bytes fetched for them, or why not.
fn patched(
    cache: &Cache,
    old_ref: &str,
    old_sha256: Option<&str>,
    new_ref: &str,
    cx: &Context<'_>,
) -> Result<(Vec<u8>, u64), PatchError> {
    let old = old_bytes(cache, old_ref, old_sha256).ok_or_else(|| PatchError::NotCached {
        old_ref: old_ref.to_owned(),
    })?;
    let url = cx
        .github
        .compare("aquaproj", "aqua-registry", old_ref, new_ref);
    (cx.progress)(&vx_text::sanitize(&format!(
        "comparing the standard registry {old_ref} with {new_ref} on {} …",
        shown_url(&url)
    )));
    let answer = cx
        .fetcher
        .fetch(&url, MAX_COMPARE_BYTES)
        .map_err(PatchError::Compare)?;
    let fetched = answer.len() as u64;
    let compare: Compare = serde_json::from_slice(&answer).map_err(PatchError::NotCompare)?;
    if compare.files.len() >= COMPARE_MAX_FILES {
        return Err(PatchError::TooManyFiles {
            count: compare.files.len(),
        });
    }
    let Some(file) = compare.files.iter().find(|f| f.filename == "registry.yaml") else {
        // Every changed file is listed: registry.yaml did not change.
        return Ok((old, fetched));
    };
    let (Some(sha), Some(patch)) = (file.sha.as_deref(), file.patch.as_deref()) else {
        return Err(PatchError::NoPatch);
    };
    if file.status != "modified" {
        return Err(PatchError::Status {
            status: file.status.clone(),
        });
    }
    let new = apply(&old, patch)?;
    if git_blob_id(&new) != sha.to_ascii_lowercase() {
        return Err(PatchError::NotTheFile);
    }
    Ok((new, fetched))
}

/// The standard registry's bytes at `git_ref` with `sha256` (default: vx's pin at
/// [`STANDARD_REF`]): cached, or shipped inside vx; checked against the digest.
fn old_bytes(cache: &Cache, git_ref: &str, sha256: Option<&str>) -> Option<Vec<u8>> {
    let digest = match sha256 {
        Some(pin) => normal_digest(pin.trim_start_matches("sha256:"))?,
        None if git_ref == STANDARD_REF => STANDARD_SHA256.to_owned(),
        None => return None,
    };
    let cached = vx_base::bounded_read::read(&cache.file(&digest), super::MAX_BYTES as u64).ok();
    cached
        .or_else(|| baked::standard(git_ref))
        .filter(|bytes| sha256_hex(bytes) == digest)
}

/// `old` with GitHub's `patch` (hunks only, no file header) applied.
fn apply(old: &[u8], patch: &str) -> Result<Vec<u8>, PatchError> {
    let old = std::str::from_utf8(old).map_err(|_| PatchError::NotUtf8)?;
    let whole = format!("--- a/registry.yaml\n+++ b/registry.yaml\n{patch}\n");
    let patch = diffy::Patch::from_str(&whole).map_err(PatchError::Parse)?;
    diffy::apply(old, &patch)
        .map(String::into_bytes)
        .map_err(PatchError::Apply)
}

/// Why the new registry cannot be made from the old one and GitHub's compare (it is
/// then fetched whole, and this said: [`Route::Whole`]).
#[derive(Debug, thiserror::Error)]
enum PatchError {
    /// The old file is not at hand.
    #[error("registry.yaml at {old_ref} is not cached")]
    NotCached {
        /// The old ref.
        old_ref: String,
    },
    /// The compare could not be fetched.
    #[error("GitHub's compare failed: {0}")]
    Compare(#[source] super::FetchError),
    /// The compare is not GitHub's JSON.
    #[error("GitHub's compare is not what it should be: {0}")]
    NotCompare(#[source] serde_json::Error),
    /// Too many files for the compare to list them all.
    #[error("{count} files changed, more than GitHub's compare lists in full")]
    TooManyFiles {
        /// How many.
        count: usize,
    },
    /// No patch (too large for the compare).
    #[error("GitHub's compare shows no patch for registry.yaml (too large)")]
    NoPatch,
    /// Added, removed or renamed rather than modified.
    #[error("registry.yaml was {status} between the refs")]
    Status {
        /// The compare's status.
        status: String,
    },
    /// The old file is not UTF-8.
    #[error("registry.yaml is not UTF-8")]
    NotUtf8,
    /// The patch does not parse.
    #[error("GitHub's patch of registry.yaml does not parse: {0}")]
    Parse(#[source] diffy::ParsePatchError),
    /// The patch does not apply.
    #[error("GitHub's patch of registry.yaml does not apply: {0}")]
    Apply(#[source] diffy::ApplyError),
    /// The patched file's git blob id is not the one GitHub names.
    #[error("the patched registry.yaml is not the file GitHub names")]
    NotTheFile,
}

/// The id git gives a file of `bytes`: SHA-1 of `blob LEN\0` then the bytes, hex.
pub(crate) fn git_blob_id(bytes: &[u8]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(format!("blob {}\0", bytes.len()).as_bytes());
    hasher.update(bytes);
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_id_is_git_s() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            git_blob_id(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }

    #[test]
    fn a_patch_without_its_header_applies_and_a_stale_one_does_not() {
        let old = b"packages:\n  - name: a\n  - name: b\n  - name: c\n";
        let patch =
            "@@ -2,3 +2,3 @@ packages:\n   - name: a\n-  - name: b\n+  - name: b2\n   - name: c";
        assert_eq!(
            apply(old, patch).unwrap(),
            b"packages:\n  - name: a\n  - name: b2\n  - name: c\n"
        );
        assert!(apply(b"packages:\n  - name: x\n", patch).is_err());
    }
}
