//! SLSA provenance (`slsa-github-generator`, aqua's `slsa_provenance`): an in-toto
//! attestation whose subject digest must be the download's SHA-256, signed by a
//! certificate that chains to the trusted root and names the source repository.
//!
//! The provenance file is a Sigstore bundle (a `.sigstore.json`, or `.intoto.jsonl`
//! whose lines are bundles): it verifies as every bundle does
//! ([`super::sigstore::verify_bundle`]), its predicate type must be SLSA provenance, and
//! its certificate's Source Repository URI extension (`1.3.6.1.4.1.57264.1.12`, set by
//! Fulcio from the CI's token) must be the `source_uri` named.
//!
//! A bare DSSE envelope (the `.intoto.jsonl` of `slsa-github-generator` before its
//! bundles) carries no transparency-log entry: the time it was signed, so whether its
//! short-lived certificate was valid then, could only be learnt by searching Rekor
//! online, which vx does not do. It is refused with that reason, never recorded as
//! verified.

use serde::{Deserialize, Serialize};

use super::sigstore::{BundleError, Subject, verify_bundle};
use super::trusted_root::Root;

/// The prefix of every SLSA provenance predicate type (v0.1, v0.2, v1).
pub(crate) const SLSA_PREDICATE_PREFIX: &str = "https://slsa.dev/provenance/";

/// `slsa = { provenance, source_uri }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlsaCheck {
    /// The provenance file's URL template; `{url}` is the download's URL.
    pub provenance: String,
    /// The source repository, `github.com/owner/name` (a scheme, `git+` and `.git` are
    /// ignored when compared).
    pub source_uri: String,
}

impl SlsaCheck {
    /// What the lock records: `slsa:SOURCE` (normalised).
    pub(crate) fn record(&self) -> String {
        // A `,` (which separates the lock's records) is written `%2C`.
        format!("slsa:{}", normalise(&self.source_uri)).replace(',', "%2C")
    }
}

/// A source URI as compared: no scheme, no `git+`, no `.git` or `/` at the end.
pub(crate) fn normalise(uri: &str) -> String {
    let uri = uri.strip_prefix("git+").unwrap_or(uri);
    let uri = uri.split_once("://").map_or(uri, |(_, rest)| rest);
    let uri = uri.trim_end_matches('/');
    uri.strip_suffix(".git").unwrap_or(uri).to_owned()
}

/// Checks the provenance file `text` for the download at `path`. Returns the lock's
/// record, or why it does not verify.
pub fn verify_provenance(
    root: &Root,
    subject: Subject<'_>,
    text: &[u8],
    check: &SlsaCheck,
) -> Result<String, ProvenanceError> {
    let documents = documents(text)?;
    let mut reasons = Vec::new();
    for document in &documents {
        match verify_document(root, subject, document, check) {
            Ok(()) => return Ok(check.record()),
            Err(reason) => reasons.push(reason),
        }
    }
    reasons.dedup_by(|a, b| a.to_string() == b.to_string());
    match reasons.len() {
        0 => Err(ProvenanceError::Empty),
        _ => Err(ProvenanceError::NoneVerifies(reasons)),
    }
}

/// Why a provenance file does not verify.
#[derive(Debug, thiserror::Error)]
pub enum ProvenanceError {
    /// Neither JSON nor JSON lines.
    #[error("neither JSON nor JSON lines: {0}")]
    NotJson(#[source] serde_json::Error),
    /// No document at all.
    #[error("the file holds no provenance")]
    Empty,
    /// No document verifies: each one's reason (the same said once).
    #[error("{}", join(.0))]
    NoneVerifies(Vec<DocumentError>),
}

/// Why one document of a provenance file does not verify.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// A bare DSSE envelope (see the module's documentation).
    #[error(
        "a bare DSSE envelope, without the transparency-log entry that proves \
         when it was signed: vx verifies SLSA provenance in a Sigstore bundle only"
    )]
    BareEnvelope,
    /// The bundle does not verify.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// A bundle that signs no statement.
    #[error("the bundle holds no in-toto statement")]
    NoStatement,
    /// A statement that is not SLSA provenance.
    #[error("predicate type {0}, not SLSA provenance")]
    PredicateType(String),
    /// A certificate without the Source Repository URI extension.
    #[error("the certificate names no source repository")]
    NoSourceRepository,
    /// Built from another repository.
    #[error("built from {built}, not {expected}")]
    BuiltFrom {
        /// The repository the certificate names (normalised).
        built: String,
        /// The one expected (normalised).
        expected: String,
    },
}

/// The reasons of several documents, `; ` between them.
fn join(reasons: &[DocumentError]) -> String {
    reasons
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The JSON documents of a provenance file: one JSON value, or JSON lines.
fn documents(text: &[u8]) -> Result<Vec<serde_json::Value>, ProvenanceError> {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(text) {
        return Ok(vec![value]);
    }
    text.split(|&b| b == b'\n')
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
        .map(serde_json::from_slice)
        .collect::<Result<_, _>>()
        .map_err(ProvenanceError::NotJson)
}

/// Whether a document is a bare DSSE envelope rather than a Sigstore bundle.
fn is_bare_envelope(document: &serde_json::Value) -> bool {
    document.get("mediaType").is_none()
        && document.get("payloadType").is_some()
        && document.get("signatures").is_some()
}

/// Whether the provenance file holds only bare DSSE envelopes (`slsa-github-generator`'s
/// `.intoto.jsonl`): provenance vx cannot verify (see the module's documentation), as
/// opposed to provenance that does not verify.
pub fn only_bare_envelopes(text: &[u8]) -> bool {
    documents(text).is_ok_and(|docs| !docs.is_empty() && docs.iter().all(is_bare_envelope))
}

/// One JSON document of the provenance file.
fn verify_document(
    root: &Root,
    subject: Subject<'_>,
    document: &serde_json::Value,
    check: &SlsaCheck,
) -> Result<(), DocumentError> {
    if is_bare_envelope(document) {
        return Err(DocumentError::BareEnvelope);
    }
    let verified = verify_bundle(root, subject, document.to_string().as_bytes(), None)?;
    let Some(statement) = &verified.statement else {
        return Err(DocumentError::NoStatement);
    };
    if !statement.predicate_type.starts_with(SLSA_PREDICATE_PREFIX) {
        return Err(DocumentError::PredicateType(
            statement.predicate_type.clone(),
        ));
    }
    let source = verified
        .certificate
        .ci_claims
        .source_repository_uri
        .as_deref()
        .map(normalise)
        .ok_or(DocumentError::NoSourceRepository)?;
    let expected = normalise(&check.source_uri);
    if source != expected {
        return Err(DocumentError::BuiltFrom {
            built: source,
            expected,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_file_of_bare_envelopes_is_told_apart_from_bundles_and_garbage() {
        let envelope = r#"{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"sig":"AA=="}]}"#;
        let lines = format!("{envelope}\n{envelope}\n");
        assert!(only_bare_envelopes(envelope.as_bytes()));
        assert!(only_bare_envelopes(lines.as_bytes()));
        let bundle = r#"{"mediaType":"application/vnd.dev.sigstore.bundle+json;version=0.1","dsseEnvelope":{}}"#;
        assert!(!only_bare_envelopes(bundle.as_bytes()));
        assert!(!only_bare_envelopes(
            format!("{envelope}\n{bundle}\n").as_bytes()
        ));
        assert!(!only_bare_envelopes(b"not json"));
        assert!(!only_bare_envelopes(b""));
    }

    #[test]
    fn source_uris_compare_without_scheme_git_prefix_or_suffix() {
        assert_eq!(
            normalise("git+https://github.com/o/r.git"),
            "github.com/o/r"
        );
        assert_eq!(normalise("https://github.com/o/r/"), "github.com/o/r");
        assert_eq!(normalise("github.com/o/r"), "github.com/o/r");
    }

    #[test]
    fn records_never_hold_the_lock_s_record_separator() {
        let slsa = SlsaCheck {
            provenance: "{url}.intoto.jsonl".to_owned(),
            source_uri: "github.com/o/a,b".to_owned(),
        };
        assert_eq!(slsa.record(), "slsa:github.com/o/a%2Cb");
        let attestation = crate::verify::attestation::AttestationCheck {
            repo: "o/r".to_owned(),
            signer_workflow: "o/r/.github/workflows/a,b.yml".to_owned(),
            predicate_type: "https://slsa.dev/provenance/v1".to_owned(),
        };
        assert_eq!(
            attestation.record(),
            "github-attestation:o/r/.github/workflows/a%2Cb.yml"
        );
    }
}
