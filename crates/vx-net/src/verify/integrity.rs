//! Subresource Integrity (W3C SRI) values as registries publish them: npm's
//! `dist.integrity` (`sha512-<base64>`), which package-lock.json and vx.lock record
//! as they are. A lock entry may pin a download by its SRI value alone (a registry that
//! publishes no SHA-256, so nothing is downloaded to lock it); the install then checks
//! the downloaded file against it before anything of it enters the store.
//!
//! Only `sha512` is read: it is what npm has published for every tarball since 2017
//! (its older `sha1` `shasum` is too weak to pin anything).

use std::io::Read;
use std::path::Path;

use base64::Engine;
use sha2::Digest;

/// The algorithm vx reads, as SRI names it.
const SHA512: &str = "sha512-";

/// Why an SRI value cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("integrity {shown:?} is not sha512-<base64 of 64 bytes> (npm's dist.integrity)")]
pub struct IntegrityError {
    /// The value, shortened.
    pub shown: String,
}

/// The 64 bytes a `sha512-<base64>` value names. A value listing several hashes
/// (`sha512-… sha1-…`, allowed by SRI) is read by its sha512 one.
pub fn sha512_of(value: &str) -> Result<[u8; 64], IntegrityError> {
    let refused = || IntegrityError {
        shown: vx_base::validate::shorten(value),
    };
    let encoded = value
        .split_ascii_whitespace()
        .find_map(|part| part.strip_prefix(SHA512))
        .ok_or_else(refused)?;
    // SRI allows `?options` after the digest.
    let encoded = encoded.split('?').next().unwrap_or(encoded);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| refused())?;
    bytes.try_into().map_err(|_| refused())
}

/// Checks an SRI value (see [`sha512_of`]).
pub fn check(value: &str) -> Result<(), IntegrityError> {
    sha512_of(value).map(|_| ())
}

/// The `sha512-<base64>` value of `bytes`.
#[cfg(test)]
pub(crate) fn of_bytes(bytes: &[u8]) -> String {
    sri(&sha2::Sha512::digest(bytes))
}

fn sri(digest: &[u8]) -> String {
    format!(
        "{SHA512}{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The `sha512-<base64>` value of the file at `path`.
pub(crate) fn of_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = sha2::Sha512::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(sri(&hasher.finalize()))
}

/// Whether the file at `path` has the sha512 `expected` names: `Ok(None)` when it
/// does, `Ok(Some(actual))` (its own SRI value) when it does not.
pub fn verify_file(path: &Path, expected: &str) -> std::io::Result<Option<String>> {
    let want = sha512_of(expected).map_err(std::io::Error::other)?;
    let actual = of_file(path)?;
    let got = sha512_of(&actual).map_err(std::io::Error::other)?;
    Ok((got != want).then_some(actual))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_values_are_read_and_checked() {
        // npm's own value for @esbuild/linux-x64@0.24.0
        // (https://registry.npmjs.org/@esbuild/linux-x64/0.24.0, dist.integrity).
        let npm = "sha512-vbutsFqQ+foy3wSSbmjBXXIJ6PL3scghJoM8zCL142cGaZKAdCZHyf+Bpu/MmX9zT9Q0zFBVKb36Ma5Fzfa8xA==";
        assert!(check(npm).is_ok());
        assert!(check(&format!("{npm} sha1-abc")).is_ok());
        for bad in [
            "sha1-3q2+7w==",
            "sha512-",
            "sha512-!!",
            "sha512-3q2+7w==",
            "",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"hello").unwrap();
        let value = of_bytes(b"hello");
        assert_eq!(verify_file(&file, &value).unwrap(), None);
        assert_eq!(
            verify_file(&file, npm).unwrap().as_deref(),
            Some(value.as_str())
        );
    }
}
