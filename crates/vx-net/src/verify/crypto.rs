//! The cryptography behind `sigstore-verify`: its [`CryptoProvider`] over `ring` (the
//! library rustls already links) for hashes and signatures over whole messages, and
//! RustCrypto's `p256` for ECDSA P-256 over a precomputed digest (a blob signature is
//! checked against the artifact's SHA-256, which `ring` cannot take).
//!
//! vx builds `sigstore-verify` without its default `aws-lc-rs` backend (a C library and
//! a second TLS stack); [`install`] registers this provider once per process, before the
//! first Sigstore check.

use ring::signature::{self as sig, UnparsedPublicKey, VerificationAlgorithm};
use sigstore_verify::crypto::{CryptoProvider, Error, HashContext, Result, SigningScheme};
use sigstore_verify::types::HashAlgorithm;

/// The provider `sigstore-verify` uses in vx.
#[derive(Debug)]
struct RingProvider;

static PROVIDER: RingProvider = RingProvider;

/// Registers vx's provider with `sigstore-verify` (idempotent: a second call, or one
/// racing another thread, leaves the first registration, which is this same provider).
pub(crate) fn install() {
    let _ = sigstore_verify::crypto::install_default_provider(&PROVIDER);
}

/// A running SHA-2 hash.
struct RingHash(ring::digest::Context);

impl HashContext for RingHash {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    fn finalize(self: Box<Self>) -> Vec<u8> {
        self.0.finish().as_ref().to_vec()
    }
}

/// `ring`'s algorithm for `scheme`; `None` for ML-DSA, which `ring` does not have.
fn algorithm(scheme: SigningScheme) -> Option<&'static dyn VerificationAlgorithm> {
    Some(match scheme {
        SigningScheme::EcdsaP256Sha256 => &sig::ECDSA_P256_SHA256_ASN1,
        SigningScheme::EcdsaP256Sha384 => &sig::ECDSA_P256_SHA384_ASN1,
        SigningScheme::EcdsaP384Sha256 => &sig::ECDSA_P384_SHA256_ASN1,
        SigningScheme::EcdsaP384Sha384 => &sig::ECDSA_P384_SHA384_ASN1,
        SigningScheme::Ed25519 => &sig::ED25519,
        SigningScheme::RsaPssSha256 => &sig::RSA_PSS_2048_8192_SHA256,
        SigningScheme::RsaPssSha384 => &sig::RSA_PSS_2048_8192_SHA384,
        SigningScheme::RsaPssSha512 => &sig::RSA_PSS_2048_8192_SHA512,
        SigningScheme::RsaPkcs1Sha256 => &sig::RSA_PKCS1_2048_8192_SHA256,
        SigningScheme::RsaPkcs1Sha384 => &sig::RSA_PKCS1_2048_8192_SHA384,
        SigningScheme::RsaPkcs1Sha512 => &sig::RSA_PKCS1_2048_8192_SHA512,
        _ => return None,
    })
}

/// The error for a scheme vx cannot check.
fn unsupported(scheme: SigningScheme, how: &str) -> Error {
    Error::UnsupportedAlgorithm(format!("{} {how} is not supported by vx", scheme.name()))
}

impl CryptoProvider for RingProvider {
    fn hash(&self, algorithm: HashAlgorithm) -> Result<Box<dyn HashContext>> {
        let algorithm = match algorithm {
            HashAlgorithm::Sha2256 => &ring::digest::SHA256,
            HashAlgorithm::Sha2384 => &ring::digest::SHA384,
            HashAlgorithm::Sha2512 => &ring::digest::SHA512,
            other => {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "{other:?} is not supported by vx"
                )));
            }
        };
        Ok(Box::new(RingHash(ring::digest::Context::new(algorithm))))
    }

    fn verify_raw(
        &self,
        scheme: SigningScheme,
        spki_pubkey_bytes: &[u8],
        data: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        let algorithm = algorithm(scheme).ok_or_else(|| unsupported(scheme, "verification"))?;
        UnparsedPublicKey::new(algorithm, spki_pubkey_bytes)
            .verify(data, signature)
            .map_err(|_| Error::Verification("the signature does not verify".to_owned()))
    }

    fn verify_prehashed(
        &self,
        scheme: SigningScheme,
        spki_pubkey_bytes: &[u8],
        digest: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        if !matches!(
            scheme,
            SigningScheme::EcdsaP256Sha256 | SigningScheme::EcdsaP256Sha384
        ) {
            return Err(unsupported(scheme, "over a digest"));
        }
        let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(spki_pubkey_bytes)
            .map_err(|_| Error::InvalidKey("not a P-256 public key".to_owned()))?;
        let signature = p256::ecdsa::Signature::from_der(signature)
            .map_err(|_| Error::Verification("not a DER ECDSA signature".to_owned()))?;
        key.verify_prehash(digest, &signature)
            .map_err(|_| Error::Verification("the signature does not verify".to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p256_signatures_verify_over_the_message_and_its_digest_and_nothing_else() {
        use ring::rand::SystemRandom;
        use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let public = pair.public_key().as_ref();
        let signature = pair.sign(&rng, b"artifact").unwrap();
        let scheme = SigningScheme::EcdsaP256Sha256;
        let digest = ring::digest::digest(&ring::digest::SHA256, b"artifact");
        PROVIDER
            .verify_raw(scheme, public, b"artifact", signature.as_ref())
            .unwrap();
        PROVIDER
            .verify_prehashed(scheme, public, digest.as_ref(), signature.as_ref())
            .unwrap();
        assert!(
            PROVIDER
                .verify_raw(scheme, public, b"artefact", signature.as_ref())
                .is_err()
        );
        let other = ring::digest::digest(&ring::digest::SHA256, b"artefact");
        assert!(
            PROVIDER
                .verify_prehashed(scheme, public, other.as_ref(), signature.as_ref())
                .is_err()
        );
        assert!(
            PROVIDER
                .verify_prehashed(SigningScheme::Ed25519, public, digest.as_ref(), b"")
                .is_err()
        );
    }
}
