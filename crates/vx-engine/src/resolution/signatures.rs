//! Checking the signatures a registry declares over a checksum file, when a version is
//! locked from that file.
//!
//! A registry tool is locked without downloading it: its sha256 comes from the
//! release's checksum file. When the registry says the publisher signs that file
//! (aqua's `checksum.minisign` and `checksum.cosign`), the signature is fetched and
//! checked over the very bytes the sha256 was read from, so the locked sha256 is the
//! publisher's and the lock records by what (`minisign:KEYID`,
//! `cosign:sha256:FINGERPRINT`, or for a keyless cosign signature the signer without
//! its version's ref, `sigstore:https://github.com/o/r/.github/workflows/release.yml`).
//! An install from that lock checks the sha256 only.
//!
//! A keyless signature is a Sigstore bundle checked against the trusted root
//! ([`vx_net::verify::trusted_root`]: the user config's, else vx's own), read only when
//! such a signature is to be checked. A signature that does not verify, or cannot be
//! fetched, refuses the version: a declared signature that is missing is what an
//! attacker who swapped the checksum file would arrange. A declaration vx cannot check
//! soundly (a cosign option it does not know, a certificate without a bundle, an issuer
//! given as a pattern) is named and records nothing.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use vx_net::verify::sigstore::{self, Subject};
use vx_net::verify::trusted_root::{self, Root};
use vx_net::verify::{MAX_SIGNATURE_BYTES, cosign, minisign};
use vx_sources::github::Github;
use vx_sources::registry::resolve::{Identity, SignatureSource};

/// What checking a checksum file's signatures gave.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// What verified it, as the lock records it.
    pub records: Vec<String>,
    /// Declarations that were not checked, and why.
    pub unchecked: Vec<String>,
}

/// What the signatures are over.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Signed<'a> {
    /// A checksum file fetched from `url`, whose bytes are at hand.
    ChecksumFile {
        /// Where it was fetched from.
        url: &'a str,
        /// Its bytes.
        bytes: &'a [u8],
    },
    /// A release asset that is not downloaded, known by its SHA-256 (hex): signatures
    /// over a digest (cosign's, keyed or keyless) can be checked; minisign's, over the
    /// bytes themselves, cannot.
    Asset {
        /// The asset's name.
        name: &'a str,
        /// Its SHA-256, from the verified checksum file or GitHub's digest.
        sha256: &'a str,
    },
}

impl Signed<'_> {
    /// The thing signed, for messages: `checksum file URL`, `asset NAME`.
    fn shown(&self) -> String {
        match self {
            Signed::ChecksumFile { url, .. } => {
                format!("checksum file {}", vx_net::url::display_url(url))
            }
            Signed::Asset { name, .. } => format!("asset {}", vx_text::sanitize(name)),
        }
    }

    /// Its SHA-256 (hex).
    fn sha256(&self) -> String {
        match self {
            Signed::ChecksumFile { bytes, .. } => hex::encode(Sha256::digest(bytes)),
            Signed::Asset { sha256, .. } => (*sha256).to_owned(),
        }
    }

    /// What a Sigstore bundle's signature must cover.
    fn subject(&self) -> Subject<'_> {
        match self {
            Signed::ChecksumFile { bytes, .. } => Subject::Bytes(bytes),
            Signed::Asset { sha256, .. } => Subject::Sha256(sha256),
        }
    }
}

/// Checks every signature in `signatures` over `signed`, fetching each signature and
/// key through `github`; `root` is the run's trusted root, read at the first keyless
/// signature. `Err` says which signature failed and why.
pub(crate) fn check(
    github: &Github,
    root: &std::sync::OnceLock<Result<Root, SharedRootError>>,
    signed: Signed<'_>,
    signatures: &[SignatureSource],
) -> Result<Verdict, CheckError> {
    let mut verdict = Verdict::default();
    let shown = signed.shown();
    for signature in signatures {
        match signature {
            SignatureSource::Minisign { url, public_key } => {
                let Signed::ChecksumFile { bytes, .. } = signed else {
                    verdict.unchecked.push(format!(
                        "minisign signature of {shown} not checked: it is over the archive's bytes, and vx locks a registry tool from its sha256 without downloading it"
                    ));
                    continue;
                };
                let key =
                    minisign::Key::parse(public_key).map_err(|source| CheckError::MinisignKey {
                        shown: shown.clone(),
                        source,
                    })?;
                let text = fetch(github, url, "minisign signature", MAX_SIGNATURE_BYTES)?;
                key.verify_bytes(bytes, &text, url)
                    .map_err(|source| CheckError::Signature {
                        shown: shown.clone(),
                        source,
                    })?;
                verdict.records.push(key.record());
            }
            SignatureSource::CosignKey {
                key_url,
                signature_url,
            } => {
                let pem = fetch(github, key_url, "cosign public key", MAX_SIGNATURE_BYTES)?;
                let pem = String::from_utf8(pem).map_err(|_| CheckError::KeyNotText {
                    url: vx_net::url::display_url(key_url),
                })?;
                let key = cosign::Key::parse(&pem).map_err(|source| CheckError::CosignKey {
                    url: vx_net::url::display_url(key_url),
                    source,
                })?;
                let text = fetch(github, signature_url, "cosign signature", MAX_SIGNATURE_BYTES)?;
                key.verify_sha256(&signed.sha256(), &text, signature_url)
                    .map_err(|source| CheckError::Signature {
                        shown: shown.clone(),
                        source,
                    })?;
                verdict.records.push(key.record());
            }
            SignatureSource::CosignKeyless {
                bundle_url: Some(bundle_url),
                identity,
                issuer: Identity::Exact(issuer),
                ..
            } => {
                let json = fetch(github, bundle_url, "Sigstore bundle", sigstore::MAX_BUNDLE_BYTES)?;
                let root = root
                    .get_or_init(load_root)
                    .as_ref()
                    .map_err(|e| CheckError::Root(e.clone()))?;
                let failed = |reason: BundleReason| CheckError::Bundle {
                    shown: shown.clone(),
                    url: vx_net::url::display_url(bundle_url),
                    reason,
                };
                let verified =
                    sigstore::verify_bundle(root, signed.subject(), &json, Some(issuer))
                        .map_err(|e| failed(BundleReason::Bundle(e)))?;
                if verified.statement.is_some() {
                    return Err(failed(BundleReason::SignsAttestation));
                }
                let signer = verified.identity();
                let (exact, pattern) = match identity {
                    Identity::Exact(e) => (Some(e.clone()), None),
                    Identity::Regexp(p) => (None, Some(p.clone())),
                };
                let wanted = sigstore::SigstoreCheck {
                    bundle: bundle_url.clone(),
                    identity: exact,
                    identity_regexp: pattern,
                    issuer: issuer.clone(),
                };
                if !wanted
                    .matches(&signer)
                    .map_err(|e| failed(BundleReason::Pattern(e)))?
                {
                    return Err(failed(BundleReason::SignedBy {
                        expected: wanted.expected(),
                        signer,
                    }));
                }
                // The signer as it is, without the version's ref: the same workflow
                // signs the next version, so provenance stays comparable.
                verdict
                    .records
                    .push(format!("sigstore:{}", sigstore::without_ref(&signer)).replace(',', "%2C"));
            }
            SignatureSource::CosignKeyless {
                bundle_url: None, ..
            } => verdict.unchecked.push(format!(
                "keyless cosign signature of {shown} not checked: a signature and certificate without a Sigstore bundle carry no transparency-log proof vx can check offline"
            )),
            SignatureSource::CosignKeyless { .. } => verdict.unchecked.push(format!(
                "keyless cosign signature of {shown} not checked: vx matches an exact OIDC issuer only"
            )),
            SignatureSource::Unverifiable(why) => verdict
                .unchecked
                .push(format!("signature of {shown} not checked: {why}")),
        }
    }
    Ok(verdict)
}

/// The Sigstore trusted root of the user config's `[verify] trusted_root`, else vx's
/// own: read once per run, and only when a Sigstore bundle is to be checked.
pub(super) fn load_root() -> Result<Root, SharedRootError> {
    let user =
        vx_model::user_config::UserConfig::load().map_err(|e| Arc::new(RootError::from(e)))?;
    trusted_root::load(user.verify.trusted_root.as_deref()).map_err(|e| Arc::new(e.into()))
}

/// A signature, key or bundle file, at most `max` bytes.
fn fetch(github: &Github, url: &str, what: &'static str, max: u64) -> Result<Vec<u8>, CheckError> {
    // GitHub's error names the URL.
    github.fetch(url, max).map_err(|source| CheckError::Fetch {
        what,
        source: Box::new(source),
    })
}

/// Why the run's Sigstore trusted root cannot be had; read once, kept for the run.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RootError {
    /// The user config (which may name a root) cannot be read.
    #[error("{0}")]
    Config(#[from] vx_model::user_config::UserConfigError),
    /// The root cannot be read.
    #[error("{0}")]
    Root(#[from] vx_net::verify::VerifyError),
}

/// A [`RootError`] kept for the run.
pub(crate) type SharedRootError = Arc<RootError>;

/// Why what a registry declares over a download does not verify (its signatures,
/// attestations or provenance), or cannot be checked: the version is refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CheckError {
    /// The trusted root cannot be had.
    #[error("{0}")]
    Root(SharedRootError),
    /// The registry's minisign key is not one.
    #[error("the registry's minisign key for {shown}: {source}")]
    MinisignKey {
        /// The thing signed.
        shown: String,
        /// Why.
        source: vx_net::verify::VerifyError,
    },
    /// A signature does not verify.
    #[error("{shown}: {source}")]
    Signature {
        /// The thing signed.
        shown: String,
        /// Why.
        source: vx_net::verify::VerifyError,
    },
    /// A signature, key or bundle cannot be fetched.
    #[error("cannot fetch the {what}: {source}")]
    Fetch {
        /// What (`cosign signature`).
        what: &'static str,
        /// GitHub's client's error (it names the URL).
        source: Box<vx_sources::github::GithubError>,
    },
    /// A cosign public key that is not text.
    #[error("the cosign public key {url} is not text")]
    KeyNotText {
        /// The key's URL, as shown.
        url: String,
    },
    /// A cosign public key that is not one.
    #[error("{url}: {source}")]
    CosignKey {
        /// The key's URL, as shown.
        url: String,
        /// Why.
        source: vx_net::verify::VerifyError,
    },
    /// A Sigstore bundle that does not verify.
    #[error(
        "{shown}: the Sigstore bundle {url} does not verify: {}",
        vx_text::sanitize(&reason.to_string())
    )]
    Bundle {
        /// The thing signed.
        shown: String,
        /// The bundle's URL, as shown.
        url: String,
        /// Why.
        reason: BundleReason,
    },
    /// GitHub's attestations do not verify.
    #[error(
        "GitHub's attestations of {asset} (sha256:{sha256}) in {}: {}",
        vx_text::sanitize(repo),
        vx_text::sanitize(&reason.to_string())
    )]
    Attestations {
        /// The asset.
        asset: String,
        /// Its SHA-256.
        sha256: String,
        /// The repository asked.
        repo: String,
        /// Why.
        reason: AttestationReason,
    },
    /// GitHub's attestations API cannot be asked.
    #[error(
        "GitHub's attestations API cannot answer for {asset} (sha256:{sha256}) in {}: {}; {unreachable}",
        vx_text::sanitize(repo),
        vx_text::sanitize(&source.to_string())
    )]
    AttestationsApi {
        /// The asset.
        asset: String,
        /// Its SHA-256.
        sha256: String,
        /// The repository asked.
        repo: String,
        /// GitHub's client's error.
        source: Box<vx_sources::github::GithubError>,
        /// The settings that skip the check.
        unreachable: String,
    },
    /// A provenance file cannot be fetched.
    #[error("cannot fetch the SLSA provenance of {asset}: {source}; {unreachable}")]
    ProvenanceFetch {
        /// The asset.
        asset: String,
        /// GitHub's client's error.
        source: Box<vx_sources::github::GithubError>,
        /// The settings that skip the check.
        unreachable: String,
    },
    /// A provenance file that does not verify.
    #[error(
        "the SLSA provenance {shown} of {asset} (sha256:{sha256}) does not verify: {}",
        vx_text::sanitize(&source.to_string())
    )]
    Provenance {
        /// The provenance file's URL, as shown.
        shown: String,
        /// The asset.
        asset: String,
        /// Its SHA-256.
        sha256: String,
        /// Why.
        source: vx_net::verify::slsa::ProvenanceError,
    },
}

/// Why a Sigstore bundle over a registry's file does not verify.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BundleReason {
    /// The bundle itself does not verify.
    #[error(transparent)]
    Bundle(vx_net::verify::sigstore::BundleError),
    /// The registry's identity pattern is not one.
    #[error(transparent)]
    Pattern(vx_net::verify::sigstore::PatternError),
    /// It signs an attestation.
    #[error("it signs an attestation, not the file itself")]
    SignsAttestation,
    /// Another signer.
    #[error("signed by {signer}, not by {expected}")]
    SignedBy {
        /// Who signed.
        signer: String,
        /// Who was expected.
        expected: String,
    },
}

/// Why GitHub's attestations of a registry's file do not verify.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AttestationReason {
    /// The registry's `signer_workflow` is not a pattern.
    #[error("its signer_workflow {pattern}: {source}")]
    SignerWorkflow {
        /// The pattern as declared.
        pattern: String,
        /// Why.
        source: vx_net::verify::sigstore::PatternError,
    },
    /// No attestation verifies.
    #[error(transparent)]
    Answer(#[from] vx_net::verify::attestation::AttestationError),
}
