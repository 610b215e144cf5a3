//! cosign blob signatures (`cosign sign-blob --key`): ECDSA P-256 over the file's
//! SHA-256, written base64-encoded, the signature itself DER or raw (r‖s). The key is
//! the PEM public key `cosign generate-key-pair` writes (SubjectPublicKeyInfo). The
//! download's SHA-256 is already known, so the file is not read again.

use base64::Engine;
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::{DecodePublicKey, EncodePublicKey};
use sha2::{Digest, Sha256};

use super::VerifyError;

const KIND: &str = "cosign";

/// A cosign (ECDSA P-256) public key.
pub struct Key {
    key: VerifyingKey,
    fingerprint: String,
}

impl Key {
    /// Parses a PEM public key (`-----BEGIN PUBLIC KEY-----`) of a P-256 key.
    pub fn parse(pem: &str) -> Result<Key, VerifyError> {
        let bad = |reason: String| VerifyError::BadKey { kind: KIND, reason };
        if !pem.contains("-----BEGIN PUBLIC KEY-----") {
            return Err(bad(
                "expected a PEM public key (-----BEGIN PUBLIC KEY-----)".to_owned(),
            ));
        }
        let key = VerifyingKey::from_public_key_pem(pem.trim())
            .map_err(|e| bad(format!("not an ECDSA P-256 public key ({e})")))?;
        let der = key
            .to_public_key_der()
            .map_err(|e| bad(format!("cannot encode it ({e})")))?;
        let digest = Sha256::digest(der.as_bytes());
        let fingerprint = hex::encode(&digest[..8]);
        Ok(Key { key, fingerprint })
    }

    /// What the lock records of a signature verified with this key.
    pub fn record(&self) -> String {
        format!("{KIND}:sha256:{}", self.fingerprint)
    }

    /// Verifies the base64 signature file `signature` (fetched from `url`) over bytes
    /// whose SHA-256 is `sha256` (hex).
    pub fn verify_sha256(
        &self,
        sha256: &str,
        signature: &[u8],
        url: &str,
    ) -> Result<(), VerifyError> {
        let url = crate::url::display_url(url);
        let malformed = |reason: &str| VerifyError::Malformed {
            kind: KIND,
            url: url.clone(),
            reason: reason.to_owned(),
        };
        let text: Vec<u8> = signature
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        let raw = base64::engine::general_purpose::STANDARD
            .decode(&text)
            .map_err(|_| malformed("not base64"))?;
        let signature = Signature::from_der(&raw)
            .or_else(|_| Signature::from_slice(&raw))
            .map_err(|_| malformed("not an ECDSA P-256 signature (DER or 64 bytes)"))?;
        let digest =
            hex::decode(sha256).map_err(|_| malformed("the download's sha256 is not hex"))?;
        self.key
            .verify_prehash(&digest, &signature)
            .map_err(|_| VerifyError::Mismatch {
                kind: KIND,
                url: url.clone(),
                key_id: self.record(),
                reason: "the signature is not of these bytes, or another key made it".to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_are_not_p256_pem_keys_are_refused() {
        let not_pem = "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3";
        let garbage = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
        for text in ["", not_pem, garbage] {
            assert!(Key::parse(text).is_err(), "{text}");
        }
    }
}
