//! Checking the signatures a registry declares over a checksum file, when a version is
//! locked from that file.
//!
//! A registry tool is locked without downloading it: its sha256 comes from the
//! release's checksum file. When the registry says the publisher signs that file
//! (aqua's `checksum.minisign` and `checksum.cosign`), the signature is fetched and
//! checked over the very bytes the sha256 was read from, so the locked sha256 is the
//! publisher's and the lock records by what (`minisign:KEYID`,
//! `cosign:sha256:FINGERPRINT`). An install from that lock checks the sha256 only.
//!
//! A signature that does not verify, or cannot be fetched, refuses the version: a
//! declared signature that is missing is what an attacker who swapped the checksum file
//! would arrange. A declaration vx cannot check soundly is named and records nothing.

use sha2::{Digest, Sha256};

use crate::registry::github::Github;
use crate::registry::resolve::SignatureSource;
use crate::verify::{MAX_SIGNATURE_BYTES, cosign, minisign};

/// What checking a checksum file's signatures gave.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// What verified it, as the lock records it.
    pub records: Vec<String>,
    /// Declarations that were not checked, and why.
    pub unchecked: Vec<String>,
}

/// Checks every signature in `signatures` over `checksum_file` (fetched from
/// `file_url`), fetching each signature and key through `github`. `Err` says which
/// signature failed and why.
pub fn check(
    github: &Github,
    file_url: &str,
    checksum_file: &[u8],
    signatures: &[SignatureSource],
) -> Result<Verdict, String> {
    let mut verdict = Verdict::default();
    let shown = crate::net::url::display_url(file_url);
    for signature in signatures {
        match signature {
            SignatureSource::Minisign { url, public_key } => {
                let key = minisign::Key::parse(public_key)
                    .map_err(|e| format!("the registry's minisign key for {shown}: {e}"))?;
                let text = fetch(github, url, "minisign signature")?;
                key.verify_bytes(checksum_file, &text, url)
                    .map_err(|e| format!("checksum file {shown}: {e}"))?;
                verdict.records.push(key.record());
            }
            SignatureSource::CosignKey {
                key_url,
                signature_url,
            } => {
                let pem = fetch(github, key_url, "cosign public key")?;
                let pem = String::from_utf8(pem).map_err(|_| {
                    format!(
                        "the cosign public key {} is not text",
                        crate::net::url::display_url(key_url)
                    )
                })?;
                let key = cosign::Key::parse(&pem)
                    .map_err(|e| format!("{}: {e}", crate::net::url::display_url(key_url)))?;
                let text = fetch(github, signature_url, "cosign signature")?;
                let sha256 = hex::encode(Sha256::digest(checksum_file));
                key.verify_sha256(&sha256, &text, signature_url)
                    .map_err(|e| format!("checksum file {shown}: {e}"))?;
                verdict.records.push(key.record());
            }
            SignatureSource::CosignKeyless { .. } => verdict.unchecked.push(format!(
                "keyless cosign signature of {shown}: Sigstore bundles are not verified by this vx"
            )),
            SignatureSource::Unverifiable(why) => verdict
                .unchecked
                .push(format!("signature of {shown} not checked: {why}")),
        }
    }
    Ok(verdict)
}

/// A signature or key file, at most [`MAX_SIGNATURE_BYTES`].
fn fetch(github: &Github, url: &str, what: &str) -> Result<Vec<u8>, String> {
    // GitHub's error names the URL.
    github
        .fetch(url, MAX_SIGNATURE_BYTES)
        .map_err(|e| format!("cannot fetch the {what}: {e}"))
}
