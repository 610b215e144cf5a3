//! Go's module hash, as `go.sum` and the checksum database write it: `h1:` and the
//! base64 of the SHA-256 of a summary of the module's files.
//!
//! golang.org/x/mod's `sumdb/dirhash` `Hash1` over the entries of the module's `.zip`
//! (`HashZip`): every entry's name, sorted; one line `"<sha256 hex>  <name>\n"` per
//! entry; the hash of those lines. vx computes it from the proxy's `.zip` when it locks
//! a `go:` tool (the checksum database's answer needs its signed tree checked to be
//! worth more than that, and a private module is not in it), and the build checks
//! Go's own record of the module against it.

use std::io::Read;

use base64::Engine;
use sha2::{Digest, Sha256};

/// Largest module `.zip` read (Go's own limit, `MaxZipFile` in golang.org/x/mod/zip).
pub const MAX_ZIP_BYTES: u64 = 500 << 20;

/// The `h1:` hash of the module zip `bytes`.
pub fn hash_zip(bytes: &[u8]) -> Result<String, ZipError> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(ZipError::NotZip)?;
    let mut files: Vec<(String, String)> = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let mut file = archive
            .by_index(index)
            .map_err(|source| ZipError::Entry { index, source })?;
        let name = file
            .name()
            .map_err(|source| ZipError::Entry { index, source })?
            .into_owned();
        if name.contains('\n') {
            return Err(ZipError::Newline { name });
        }
        let mut hasher = Sha256::new();
        let mut buf = [0u8; 64 * 1024];
        loop {
            let n = file.read(&mut buf).map_err(|source| ZipError::Read {
                name: name.clone(),
                source,
            })?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        files.push((name, hex(&hasher.finalize())));
    }
    Ok(hash_lines(files))
}

/// Why a module zip has no `h1:` hash.
#[derive(Debug, thiserror::Error)]
pub enum ZipError {
    /// Not a zip archive.
    #[error("not a zip archive: {0}")]
    NotZip(#[source] zip::result::ZipError),
    /// An entry that cannot be read.
    #[error("entry {index}: {source}")]
    Entry {
        /// The entry's index.
        index: usize,
        /// The zip error.
        source: zip::result::ZipError,
    },
    /// An entry whose name holds a newline (Go refuses it: the hash's lines).
    #[error("entry {name:?} has a newline in its name")]
    Newline {
        /// The entry's name.
        name: String,
    },
    /// An entry whose bytes cannot be read.
    #[error("{name}: {source}")]
    Read {
        /// The entry's name.
        name: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// `Hash1` of `(name, sha256 hex)` pairs.
fn hash_lines(mut files: Vec<(String, String)>) -> String {
    files.sort();
    let mut summary = Sha256::new();
    for (name, sum) in &files {
        summary.update(format!("{sum}  {name}\n").as_bytes());
    }
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(summary.finalize())
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use vx_base::validate::go_module_hash as check;

    /// golang.org/x/mod's own test of `Hash1` (sumdb/dirhash/hash_test.go,
    /// `TestHash1`): files `xyz` = "data for xyz" and `abc` = "data for abc".
    #[test]
    fn hash1_is_dirhash_s() {
        let sum = |data: &str| hex(&Sha256::digest(data.as_bytes()));
        let h = hash_lines(vec![
            ("xyz".to_owned(), sum("data for xyz")),
            ("abc".to_owned(), sum("data for abc")),
        ]);
        let mut want = Sha256::new();
        want.update(format!(
            "{}  abc\n{}  xyz\n",
            sum("data for abc"),
            sum("data for xyz")
        ));
        assert_eq!(
            h,
            format!(
                "h1:{}",
                base64::engine::general_purpose::STANDARD.encode(want.finalize())
            )
        );
        assert!(check(&h).is_ok());
        assert!(check("h1:abc").is_err());
        assert!(check("h1:'; rm -rf /; '").is_err());
    }
}
