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
    pub(crate) fn verify_file(
        &self,
        path: &Path,
        signature: &[u8],
        url: &str,
    ) -> Result<(), VerifyError> {
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
        let url = crate::url::display_url(url);
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

/// A minisign secret key, unencrypted (`minisign -G -W`), for vx to sign with (task
/// results: `vx_tasks::cache`). Signatures are minisign's legacy `Ed` kind, Ed25519
/// over the bytes themselves (what a small signed statement needs; the prehashed `ED`
/// kind would need BLAKE2b, which vx does not build), with a trusted comment signed
/// along; [`Key`] verifies them, as `minisign -V` does. Signing is `ring`'s Ed25519,
/// already built for TLS.
pub struct SecretKey {
    id: [u8; 8],
    pair: ring::signature::Ed25519KeyPair,
}

impl SecretKey {
    /// Reads the text of a minisign secret key file (its comment line, then the base64
    /// line). An encrypted key is refused with how to make one vx can use.
    pub fn parse(text: &str) -> Result<SecretKey, VerifyError> {
        let bad = |reason: &str| VerifyError::BadKey {
            kind: KIND,
            reason: reason.to_owned(),
        };
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
            .ok_or_else(|| bad("an empty secret key file"))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(line)
            .map_err(|_| bad("the secret key is not base64"))?;
        // sig_alg 2, kdf_alg 2, chk_alg 2, salt 32, opslimit 8, memlimit 8, then the
        // key number 8, the secret key 64 (seed, public key) and a checksum 32.
        if bytes.len() != 158 || &bytes[..2] != b"Ed" {
            return Err(bad("not a minisign Ed25519 secret key (158 bytes)"));
        }
        if bytes[2..4] != [0, 0] {
            return Err(bad(
                "the secret key is encrypted: vx signs with an unencrypted key (`minisign -G -W`), kept as a CI secret",
            ));
        }
        let mut id = [0u8; 8];
        id.copy_from_slice(&bytes[54..62]);
        let (seed, public) = (&bytes[62..94], &bytes[94..126]);
        let pair = ring::signature::Ed25519KeyPair::from_seed_and_public_key(seed, public)
            .map_err(|_| bad("the secret key's halves do not match"))?;
        Ok(SecretKey { id, pair })
    }

    /// The public key as `minisign.pub`'s second line has it (`RW…`).
    #[cfg(test)]
    pub(crate) fn public(&self) -> String {
        use ring::signature::KeyPair;
        let mut bytes = b"Ed".to_vec();
        bytes.extend(self.id);
        bytes.extend(self.pair.public_key().as_ref());
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    /// The key id as minisign prints it.
    pub fn id(&self) -> String {
        format!("{:X}", u64::from_le_bytes(self.id))
    }

    /// A minisign signature file over `bytes`, `trusted` its trusted comment (one
    /// line).
    pub fn sign(&self, bytes: &[u8], trusted: &str) -> String {
        let engine = base64::engine::general_purpose::STANDARD;
        let trusted = trusted.replace(['\r', '\n'], " ");
        let signature = self.pair.sign(bytes);
        let mut first = b"Ed".to_vec();
        first.extend(self.id);
        first.extend(signature.as_ref());
        let mut global = signature.as_ref().to_vec();
        global.extend(trusted.as_bytes());
        let global = self.pair.sign(&global);
        format!(
            "untrusted comment: signature from vx\n{}\ntrusted comment: {trusted}\n{}\n",
            engine.encode(first),
            engine.encode(global.as_ref())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A secret key file as `minisign -G -W` writes it, from `seed` and key id `id`.
    fn secret_file(seed: [u8; 32], id: u64) -> String {
        use ring::signature::KeyPair;
        let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(&seed).unwrap();
        let mut bytes = b"Ed\0\0B2".to_vec();
        bytes.extend([0u8; 48]);
        bytes.extend(id.to_le_bytes());
        bytes.extend(seed);
        bytes.extend(pair.public_key().as_ref());
        bytes.extend([0u8; 32]);
        format!(
            "untrusted comment: minisign secret key\n{}\n",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        )
    }

    #[test]
    fn what_a_secret_key_signs_its_public_key_verifies_and_no_other() {
        let secret = SecretKey::parse(&secret_file([3; 32], 0xAB)).unwrap();
        assert_eq!(secret.id(), "AB");
        let signature = secret.sign(b"statement", "vx task result");
        let key = Key::parse(&secret.public()).unwrap();
        let trusted = key
            .verify_bytes_trusted(b"statement", signature.as_bytes(), "sig")
            .unwrap();
        assert_eq!(trusted, "vx task result");
        assert!(
            key.verify_bytes(b"statemenT", signature.as_bytes(), "sig")
                .is_err()
        );
        let other = SecretKey::parse(&secret_file([4; 32], 0xCD)).unwrap();
        let other = Key::parse(&other.public()).unwrap();
        assert!(
            other
                .verify_bytes(b"statement", signature.as_bytes(), "sig")
                .is_err()
        );
        // `Sc` as the KDF: minisign's scrypt-encrypted key.
        let file = secret_file([3; 32], 1);
        let line = file.lines().nth(1).unwrap();
        let mut bytes = base64::engine::general_purpose::STANDARD
            .decode(line.trim())
            .unwrap();
        bytes[2..4].copy_from_slice(b"Sc");
        let text = base64::engine::general_purpose::STANDARD.encode(bytes);
        assert!(SecretKey::parse(&text).is_err());
    }

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
