//! minisign signatures (<https://jedisct1.github.io/minisign/>): Ed25519 over the
//! file's BLAKE2b-512 (`ED`, what minisign makes by default) or over the file itself
//! (legacy `Ed`), with a trusted comment signed along. Verified by `minisign-verify`,
//! streaming the file.

use std::io::Read;
use std::path::Path;

use base64::Engine;

use super::VerifyError;

const KIND: &str = "minisign";

/// A minisign public key (the base64 line of `minisign.pub`, `RWQ…`).
pub struct Key {
    key: minisign_verify::PublicKey,
    id: String,
}

impl Key {
    /// Parses the base64 line of a minisign public key.
    pub fn parse(text: &str) -> Result<Key, VerifyError> {
        let bad = |reason: &str| VerifyError::BadKey {
            kind: KIND,
            reason: reason.to_owned(),
        };
        let text = text.trim();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| bad("not base64 (expected the `RWQ…` line of minisign.pub)"))?;
        if bytes.len() != 42 || &bytes[..2] != b"Ed" {
            return Err(bad(
                "not an Ed25519 minisign key (expected 42 bytes starting `Ed`)",
            ));
        }
        let key = minisign_verify::PublicKey::from_base64(text).map_err(|e| bad(&e.to_string()))?;
        // minisign prints the key id as the little-endian number its 8 bytes hold, in
        // upper-case hex without leading zeros (`PRIX64`): `1F4DC68D4C9CC05`.
        let mut number = [0u8; 8];
        number.copy_from_slice(&bytes[2..10]);
        let id = format!("{:X}", u64::from_le_bytes(number));
        Ok(Key { key, id })
    }

    /// The key's id as minisign prints it (upper-case hex, no leading zeros).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// What the lock records of a signature verified with this key.
    pub fn record(&self) -> String {
        format!("{KIND}:{}", self.id)
    }

    /// Verifies the minisign signature file `signature` (fetched from `url`) over the
    /// file at `path`, trusted comment included.
    pub fn verify_file(&self, path: &Path, signature: &[u8], url: &str) -> Result<(), VerifyError> {
        let file = std::fs::File::open(path).map_err(VerifyError::Read)?;
        self.verify_reader(file, signature, url)
    }

    /// Verifies the minisign signature file `signature` (fetched from `url`) over
    /// `bytes` (a checksum file the registry signs), trusted comment included.
    pub fn verify_bytes(
        &self,
        bytes: &[u8],
        signature: &[u8],
        url: &str,
    ) -> Result<(), VerifyError> {
        self.verify_reader(bytes, signature, url)
    }

    /// Verifies `signature` over `bytes` as [`Key::verify_bytes`] does and returns its
    /// trusted comment (signed along with the bytes): what a signer binds to them, such
    /// as the release tag of `vx-release.json`.
    pub fn verify_bytes_trusted(
        &self,
        bytes: &[u8],
        signature: &[u8],
        url: &str,
    ) -> Result<String, VerifyError> {
        self.verify_reader(bytes, signature, url)?;
        // Decoded again: it verified, so it decodes.
        let text = std::str::from_utf8(signature).unwrap_or_default();
        Ok(minisign_verify::Signature::decode(text)
            .map(|s| s.trusted_comment().to_owned())
            .unwrap_or_default())
    }

    fn verify_reader(
        &self,
        mut file: impl Read,
        signature: &[u8],
        url: &str,
    ) -> Result<(), VerifyError> {
        let url = crate::net::url::display_url(url);
        let malformed = |reason: String| VerifyError::Malformed {
            kind: KIND,
            url: url.clone(),
            reason,
        };
        let text = std::str::from_utf8(signature).map_err(|_| malformed("not text".to_owned()))?;
        let signature =
            minisign_verify::Signature::decode(text).map_err(|e| malformed(e.to_string()))?;
        let mismatch = |reason: String| VerifyError::Mismatch {
            kind: KIND,
            url: url.clone(),
            key_id: self.id.clone(),
            reason,
        };
        match self.key.verify_stream(&signature) {
            Ok(mut stream) => {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = file.read(&mut buf).map_err(VerifyError::Read)?;
                    if n == 0 {
                        break;
                    }
                    stream.update(&buf[..n]);
                }
                stream
                    .finalize()
                    .map_err(|_| mismatch("the signature is not of these bytes".to_owned()))
            }
            Err(minisign_verify::Error::UnexpectedKeyId) => {
                Err(mismatch("signed by another key".to_owned()))
            }
            Err(minisign_verify::Error::UnsupportedLegacyMode) => {
                // A legacy signature is over the bytes themselves: read them whole.
                let mut bytes = Vec::new();
                file.read_to_end(&mut bytes).map_err(VerifyError::Read)?;
                self.key
                    .verify(&bytes, &signature, true)
                    .map_err(|_| mismatch("the signature is not of these bytes".to_owned()))
            }
            Err(e) => Err(malformed(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_are_not_minisign_keys_are_refused() {
        for text in ["", "RWQ", "not base64!", "AAAA", &"A".repeat(10_000)] {
            assert!(Key::parse(text).is_err(), "{text:.20}");
        }
    }

    #[test]
    fn the_key_id_is_printed_as_minisign_does() {
        // minisign.pub of key id 0x0123456789ABCDEF (bytes little-endian): minisign
        // writes `123456789ABCDEF` in the key's comment line (no leading zero).
        let mut bytes = b"Ed".to_vec();
        bytes.extend(0x0123_4567_89AB_CDEFu64.to_le_bytes());
        bytes.extend([7u8; 32]);
        let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
        assert_eq!(Key::parse(&text).unwrap().id(), "123456789ABCDEF");
    }

    #[test]
    fn garbage_signatures_are_malformed_not_panics() {
        let mut bytes = b"Ed".to_vec();
        bytes.extend([1u8; 40]);
        let key = Key::parse(&base64::engine::general_purpose::STANDARD.encode(&bytes)).unwrap();
        let file = tempfile::NamedTempFile::new().unwrap();
        for sig in [
            &b""[..],
            b"\xff\xfe",
            b"untrusted comment: x\nAAAA\n",
            &[b'A'; 4096],
        ] {
            let err = key
                .verify_file(file.path(), sig, "http://h/x.minisig")
                .unwrap_err();
            assert!(matches!(err, VerifyError::Malformed { .. }), "{err}");
        }
    }
}
