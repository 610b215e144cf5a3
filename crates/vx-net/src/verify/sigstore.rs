//! Sigstore bundles: a cosign keyless blob signature (`cosign sign-blob --bundle`) beside
//! the download, and the common core every Sigstore check shares ([`verify_bundle`]).
//!
//! A bundle verifies when, with `sigstore-verify` against the trusted root
//! ([`super::trusted_root`]): its signing certificate chains to one of the root's Fulcio
//! CAs and has the code-signing usage; its SCT verifies with the root's CT log keys
//! (when the root names any); its transparency-log entry verifies with the root's Rekor
//! key (the signed entry timestamp of Rekor v1, or the inclusion proof and the signed
//! checkpoint) and matches the bundle; the certificate was valid at the signing time
//! that entry (or a timestamp authority's token) proves; and its signature covers the
//! very bytes downloaded (a message signature over their SHA-256, or a DSSE envelope
//! whose in-toto statement names their SHA-256 as a subject). vx then matches the
//! certificate's identity (its SAN) and the OIDC issuer (Fulcio's issuer extension,
//! `1.3.6.1.4.1.57264.1.8`, or the legacy `.1.1`) against what the manifest names.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sigstore_verify::VerificationPolicy;
use sigstore_verify::crypto::CertificateInfo;
use sigstore_verify::types::{Bundle, SignatureContent, Statement};

use super::trusted_root::Root;

/// The largest bundle (or provenance file) fetched: a bundle is a few KiB; an SLSA
/// provenance naming hundreds of subjects some hundreds.
pub const MAX_BUNDLE_BYTES: u64 = 4 << 20;

/// The largest answer of GitHub's attestations API read (one page of up to 30
/// attestations of a few dozen KiB each).
pub const MAX_ATTESTATIONS_BYTES: u64 = 16 << 20;

/// The default bundle URL of a `sigstore` check: beside the download, as
/// `cosign sign-blob --bundle` names it.
pub const SIGSTORE_DEFAULT: &str = "{url}.sigstore.json";

/// `sigstore = { bundle, identity | identity_regexp, issuer }`: a cosign keyless blob
/// signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigstoreCheck {
    /// The bundle's URL template; `{url}` is the download's URL.
    pub bundle: String,
    /// The certificate's identity (SAN), exactly: a workflow URI with its ref, or an
    /// email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// Or a regular expression (RE2 syntax, unanchored unless it says `^…$`) the
    /// identity must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_regexp: Option<String>,
    /// The OIDC issuer the certificate must name.
    pub issuer: String,
}

impl SigstoreCheck {
    /// What the lock records for this signer: `sigstore:IDENTITY` without the
    /// version-specific `@ref`, so that the next version's record compares equal
    /// (`sigstore:~REGEXP` for a regular expression).
    /// A `,` (which separates the lock's records) is written `%2C`.
    pub(crate) fn record(&self) -> String {
        let record = match (&self.identity, &self.identity_regexp) {
            (Some(identity), _) => format!("sigstore:{}", without_ref(identity)),
            (None, Some(pattern)) => format!("sigstore:~{pattern}"),
            (None, None) => "sigstore:".to_owned(),
        };
        record.replace(',', "%2C")
    }

    /// Whether `identity` is the signer this check names; `Err` is a bad pattern.
    pub fn matches(&self, identity: &str) -> Result<bool, PatternError> {
        if let Some(expected) = &self.identity {
            return Ok(identity == expected);
        }
        match &self.identity_regexp {
            Some(pattern) => Ok(identity_pattern(pattern)?.is_match(identity)),
            None => Ok(false),
        }
    }

    /// What it expects, for messages.
    pub fn expected(&self) -> String {
        match (&self.identity, &self.identity_regexp) {
            (Some(identity), _) => identity.clone(),
            (None, Some(pattern)) => format!("an identity matching {pattern}"),
            (None, None) => "an identity".to_owned(),
        }
    }
}

/// The compiled `identity_regexp` (checked when the manifest is read).
pub fn identity_pattern(pattern: &str) -> Result<regex::Regex, PatternError> {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map_err(PatternError)
}

/// An identity pattern that is not a regular expression.
#[derive(Clone, Debug, thiserror::Error)]
#[error("not a regular expression: {0}")]
pub struct PatternError(#[source] pub regex::Error);

/// Why a Sigstore bundle does not verify, or verifies for another signer.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Not UTF-8.
    #[error("not a Sigstore bundle (not UTF-8)")]
    NotUtf8,
    /// Not a bundle's JSON.
    #[error("not a Sigstore bundle: {0}")]
    NotBundle(#[source] sigstore_verify::types::Error),
    /// A DSSE envelope whose payload is no in-toto statement.
    #[error("the envelope holds no in-toto statement: {0}")]
    NoStatement(#[source] serde_json::Error),
    /// The download cannot be read.
    #[error("cannot read the download: {0}")]
    Download(#[source] std::io::Error),
    /// The subject's digest is no SHA-256.
    #[error("not a sha256: {0}")]
    NotSha256(#[source] sigstore_verify::types::Error),
    /// The verifier refused it.
    #[error("{}", explain(.0))]
    Refused(#[source] sigstore_verify::Error),
    /// No verified certificate.
    #[error("the bundle has no verified signing certificate")]
    NoCertificate,
    /// A signature over an attestation where the download itself was to be signed.
    #[error("the bundle signs an attestation, not the download itself")]
    SignsAttestation,
    /// Signed by another identity.
    #[error("signed by {identity}, not by {expected}")]
    SignedBy {
        /// Who signed.
        identity: String,
        /// Who was expected.
        expected: String,
    },
    /// The identity pattern is bad.
    #[error(transparent)]
    Pattern(#[from] PatternError),
}

/// A URI identity without its `@ref` (`…/release.yml@refs/tags/v1.2.3` →
/// `…/release.yml`); an email address, or a URI without a ref, as it is.
pub fn without_ref(identity: &str) -> &str {
    let Some(scheme_end) = identity.find("://") else {
        return identity;
    };
    match identity[scheme_end + 3..].rfind('@') {
        Some(at) => &identity[..scheme_end + 3 + at],
        None => identity,
    }
}

/// What a bundle's signature must cover: a downloaded file, bytes held in memory (a
/// checksum file a registry signs), or only the SHA-256 of bytes not downloaded (an
/// attestation of a release asset, whose sha256 the lock already has).
#[derive(Clone, Copy, Debug)]
pub enum Subject<'a> {
    /// The file at this path.
    File(&'a Path),
    /// These bytes.
    Bytes(&'a [u8]),
    /// Bytes with this SHA-256 (hex).
    Sha256(&'a str),
}

/// What a verified bundle tells: the signing certificate and, for a DSSE envelope,
/// the in-toto statement whose subject the verifier matched against the download.
pub struct Verified {
    /// The verified signing certificate.
    pub certificate: CertificateInfo,
    /// The statement, when the bundle signs one.
    pub statement: Option<Statement>,
}

impl Verified {
    /// The certificate's identity (SAN), or `""`.
    pub fn identity(&self) -> String {
        self.certificate
            .identity
            .as_ref()
            .map(|i| i.as_str().to_owned())
            .unwrap_or_default()
    }
}

/// Verifies the bundle `json` over `subject` against `root` (everything the module's
/// documentation lists), with the OIDC issuer `issuer` when one is required. The `Err`
/// is the reason, for a message.
pub fn verify_bundle(
    root: &Root,
    subject: Subject<'_>,
    json: &[u8],
    issuer: Option<&str>,
) -> Result<Verified, BundleError> {
    let text = std::str::from_utf8(json).map_err(|_| BundleError::NotUtf8)?;
    let bundle = Bundle::from_json(text).map_err(BundleError::NotBundle)?;
    let statement = match &bundle.content {
        SignatureContent::DsseEnvelope(envelope) => Some(
            serde_json::from_slice::<Statement>(envelope.payload.as_bytes())
                .map_err(BundleError::NoStatement)?,
        ),
        _ => None,
    };
    let mut policy = VerificationPolicy::any_identity();
    if !root.has_ct_logs {
        policy = policy.skip_sct();
    }
    if let Some(issuer) = issuer {
        policy = policy.require_issuer(issuer);
    }
    let result = match subject {
        Subject::File(path) => {
            let file = std::fs::File::open(path).map_err(BundleError::Download)?;
            root.verifier
                .verify_reader(std::io::BufReader::new(file), &bundle, &policy)
        }
        Subject::Bytes(bytes) => root.verifier.verify(bytes, &bundle, &policy),
        Subject::Sha256(hex) => {
            let digest = sigstore_verify::types::Sha256Hash::from_hex(hex)
                .map_err(BundleError::NotSha256)?;
            root.verifier.verify(digest, &bundle, &policy)
        }
    }
    .map_err(BundleError::Refused)?;
    let certificate = match result.certificate() {
        Some(certificate) if result.certificate_verified() => certificate.clone(),
        _ => return Err(BundleError::NoCertificate),
    };
    Ok(Verified {
        certificate,
        statement,
    })
}

/// `sigstore-verify`'s reason, with the plain words for a certificate used outside
/// its validity (webpki names it `CertExpired`/`CertNotValidYet`).
fn explain(e: &sigstore_verify::Error) -> String {
    let reason = e.to_string();
    if reason.contains("CertExpired") || reason.contains("CertNotValidYet") {
        format!(
            "the signing certificate was not valid when the transparency log recorded the \
             signature ({reason})"
        )
    } else {
        reason
    }
}

/// Checks a cosign keyless signature: the bundle verifies over the download, with the
/// issuer and identity `check` names. Returns the lock's record.
pub fn verify_signature(
    root: &Root,
    subject: Subject<'_>,
    json: &[u8],
    check: &SigstoreCheck,
) -> Result<String, BundleError> {
    let verified = verify_bundle(root, subject, json, Some(&check.issuer))?;
    if verified.statement.is_some() {
        return Err(BundleError::SignsAttestation);
    }
    let identity = verified.identity();
    if !check.matches(&identity)? {
        return Err(BundleError::SignedBy {
            identity,
            expected: check.expected(),
        });
    }
    Ok(check.record())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real cosign keyless bundle from Sigstore's public-good instance
    /// (tests/data/sigstore/SOURCE.md), checked with the root vx ships.
    #[test]
    fn a_real_public_good_bundle_verifies_with_the_shipped_root_and_nothing_else_does() {
        let data =
            Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("tests/data/sigstore");
        let bundle = std::fs::read(data.join("cosign-v3-blob.sigstore.json")).unwrap();
        let root = super::super::trusted_root::load(None).unwrap();
        let check = SigstoreCheck {
            bundle: SIGSTORE_DEFAULT.to_owned(),
            identity: Some("w.vollprecht@gmail.com".to_owned()),
            identity_regexp: None,
            issuer: "https://github.com/login/oauth".to_owned(),
        };
        let blob = data.join("cosign-v3-blob.txt");
        assert_eq!(
            verify_signature(&root, Subject::File(&blob), &bundle, &check).unwrap(),
            "sigstore:w.vollprecht@gmail.com"
        );

        let dir = tempfile::tempdir().unwrap();
        let tampered = dir.path().join("blob");
        let mut bytes = std::fs::read(&blob).unwrap();
        bytes[0] ^= 1;
        std::fs::write(&tampered, bytes).unwrap();
        let err = verify_signature(&root, Subject::File(&tampered), &bundle, &check)
            .unwrap_err()
            .to_string();
        assert!(err.contains("does not match"), "{err}");

        let someone_else = SigstoreCheck {
            identity: Some("someone@example.org".to_owned()),
            ..check.clone()
        };
        let err = verify_signature(&root, Subject::File(&blob), &bundle, &someone_else)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("signed by w.vollprecht@gmail.com, not by someone@example.org"),
            "{err}"
        );

        let other_issuer = SigstoreCheck {
            issuer: "https://token.actions.githubusercontent.com".to_owned(),
            ..check
        };
        assert!(verify_signature(&root, Subject::File(&blob), &bundle, &other_issuer).is_err());
    }

    #[test]
    fn the_record_drops_the_version_specific_ref_of_a_uri_only() {
        assert_eq!(
            without_ref("https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1.2.3"),
            "https://github.com/o/r/.github/workflows/release.yml"
        );
        assert_eq!(without_ref("dev@example.org"), "dev@example.org");
        assert_eq!(
            without_ref("https://example.org/x"),
            "https://example.org/x"
        );
        let check = SigstoreCheck {
            bundle: SIGSTORE_DEFAULT.to_owned(),
            identity: None,
            identity_regexp: Some("^https://github.com/o/r/".to_owned()),
            issuer: "https://token.actions.githubusercontent.com".to_owned(),
        };
        assert_eq!(check.record(), "sigstore:~^https://github.com/o/r/");
        let counted = SigstoreCheck {
            identity_regexp: Some("^https://github.com/o/r{1,2}/".to_owned()),
            ..check.clone()
        };
        assert_eq!(
            counted.record(),
            "sigstore:~^https://github.com/o/r{1%2C2}/"
        );
        assert!(
            check
                .matches("https://github.com/o/r/.github/workflows/a.yml@refs/tags/v1")
                .unwrap()
        );
        assert!(
            !check
                .matches("https://github.com/o/rr/.github/workflows/a.yml")
                .unwrap()
        );
    }
}
