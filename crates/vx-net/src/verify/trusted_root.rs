//! The Sigstore trusted root a bundle is checked against: the Fulcio certificate
//! authorities its signing certificate must chain to, the Rekor keys its
//! transparency-log entry must be signed with, the certificate-transparency log keys
//! of its SCT and the timestamp authorities.
//!
//! vx ships Sigstore's public-good root (the one `sigstore-verify` embeds, from
//! Sigstore's TUF repository at the crate's release). The user config's
//! `[verify] trusted_root` replaces it: a newer root (`cosign trusted-root create`, or
//! `trusted_root.json` from Sigstore's TUF repository, <https://tuf-repo-cdn.sigstore.dev>
//! `targets/`), GitHub's own instance for private-repository attestations, or a
//! company's Sigstore. It is read only when a Sigstore check runs, never on an install
//! from a fresh lock.

use std::path::Path;

use sigstore_verify::Verifier;
use sigstore_verify::trust_root::{SIGSTORE_PRODUCTION_TRUSTED_ROOT, TrustedRoot};

use super::VerifyError;

/// The largest `trusted_root.json` read (the public-good one is about 10 KiB).
pub(crate) const MAX_TRUSTED_ROOT_BYTES: u64 = 4 << 20;

/// A trusted root ready to verify bundles with.
pub struct Root {
    /// The verifier holding the root's keys and certificates.
    pub(crate) verifier: Verifier,
    /// Whether the root names certificate-transparency logs: a root without any (a
    /// private Sigstore without CT, a test's) cannot check a certificate's SCT, so
    /// none is asked for; every other check still runs.
    pub(crate) has_ct_logs: bool,
}

/// Where the root comes from, for messages: the file, or vx's own.
fn source(path: Option<&Path>) -> String {
    path.map_or_else(
        || "vx's Sigstore public-good trusted root".to_owned(),
        |p| vx_text::sanitize(&p.display().to_string()).into_owned(),
    )
}

/// The root at `path` (the user config's `[verify] trusted_root`), or the public-good
/// root vx ships when `None`.
pub fn load(path: Option<&Path>) -> Result<Root, VerifyError> {
    super::crypto::install();
    let bad = |reason: String| VerifyError::TrustedRoot {
        root: source(path),
        reason,
    };
    let text = match path {
        None => SIGSTORE_PRODUCTION_TRUSTED_ROOT.to_owned(),
        Some(path) => {
            let bytes = match vx_base::bounded_read::read(path, MAX_TRUSTED_ROOT_BYTES) {
                Ok(bytes) => bytes,
                Err(vx_base::bounded_read::ReadError::TooLarge { .. }) => {
                    return Err(bad(format!(
                        "larger than {MAX_TRUSTED_ROOT_BYTES} bytes, not a trusted root"
                    )));
                }
                Err(e) => return Err(bad(e.to_string())),
            };
            String::from_utf8(bytes).map_err(|_| bad("not UTF-8 JSON".to_owned()))?
        }
    };
    let root = TrustedRoot::from_json(&text).map_err(|e| bad(e.to_string()))?;
    let verifier = Verifier::new(&root).map_err(|e| bad(e.to_string()))?;
    Ok(Root {
        verifier,
        has_ct_logs: !root.ctlogs.is_empty(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_root_loads_and_a_bad_file_is_named_with_its_reason() {
        let root = load(None).unwrap();
        assert!(root.has_ct_logs, "public-good has a CT log");
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.json");
        let err = load(Some(&missing)).err().unwrap().to_string();
        assert!(err.contains("missing.json"), "{err}");
        let garbage = dir.path().join("garbage.json");
        std::fs::write(&garbage, "{\"tlogs\": 7}").unwrap();
        let err = load(Some(&garbage)).err().unwrap().to_string();
        assert!(
            err.contains("garbage.json") && err.contains("trusted root"),
            "{err}"
        );
    }
}
