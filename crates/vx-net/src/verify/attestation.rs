//! GitHub artifact attestations (`actions/attest-build-provenance`): the Sigstore
//! bundles GitHub's API holds for an artifact's digest,
//! `GET {api}/repos/{owner}/{repo}/attestations/sha256:{hex}`.
//!
//! One attestation is enough (as `gh attestation verify`): its bundle verifies over the
//! download ([`super::sigstore::verify_bundle`], the in-toto subject digest being the
//! download's SHA-256), it was issued by GitHub Actions' OIDC issuer, its statement has
//! the predicate type asked for, and its certificate's signer workflow (the Build
//! Signer URI extension, else the SAN URI, without host and `@ref`) is the one named.

use serde::{Deserialize, Serialize};

use super::sigstore::{BundleError, Subject, Verified, verify_bundle, without_ref};
use super::trusted_root::Root;

/// GitHub Actions' OIDC issuer: the issuer of every GitHub attestation's certificate.
pub(crate) const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// The predicate type asked for when the manifest names none: SLSA provenance v1, what
/// `actions/attest-build-provenance` makes.
pub const DEFAULT_PREDICATE_TYPE: &str = "https://slsa.dev/provenance/v1";

/// `github_attestations = { repo, signer_workflow, predicate_type }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttestationCheck {
    /// `owner/name`: the repository whose attestations are asked for.
    pub repo: String,
    /// `owner/name/.github/workflows/FILE.yml`: the workflow that must have signed.
    pub signer_workflow: String,
    /// The in-toto predicate type the attestation must carry.
    pub predicate_type: String,
}

impl AttestationCheck {
    /// What the lock records: `github-attestation:SIGNER_WORKFLOW`.
    pub(crate) fn record(&self) -> String {
        // A `,` (which separates the lock's records) is written `%2C`.
        format!("github-attestation:{}", self.signer_workflow).replace(',', "%2C")
    }
}

/// `{"attestations": [{"bundle": {…}, …}]}`, GitHub's answer.
#[derive(Deserialize)]
pub(crate) struct Answer {
    /// The attestations, each with its bundle kept as JSON.
    #[serde(default)]
    pub attestations: Vec<Attestation>,
}

/// One attestation of GitHub's answer.
#[derive(Deserialize)]
pub(crate) struct Attestation {
    /// The Sigstore bundle.
    #[serde(default)]
    pub bundle: Option<serde_json::Value>,
}

/// The signer workflow of a verified certificate: `owner/name/path` of its Build Signer
/// URI (or SAN URI), without scheme, host and `@ref`.
pub(crate) fn signer_workflow(verified: &Verified) -> String {
    let uri = verified
        .certificate
        .ci_claims
        .build_signer_uri
        .clone()
        .unwrap_or_else(|| verified.identity());
    let bare = without_ref(&uri);
    let path = bare.split_once("://").map_or(bare, |(_, rest)| rest);
    path.split_once('/').map_or(path, |(_, p)| p).to_owned()
}

/// Checks GitHub's `answer` (its JSON) for the download at `path`: the first attestation
/// that verifies with `check`'s signer and predicate type wins. Returns the lock's record,
/// or why none did (the reason of each attestation, at most a few).
pub(crate) fn verify_answer(
    root: &Root,
    subject: Subject<'_>,
    answer: &[u8],
    check: &AttestationCheck,
) -> Result<String, AttestationError> {
    let signer = Signer {
        matches: &|signer: &str| signer == check.signer_workflow,
        expected: &check.signer_workflow,
    };
    verify_answer_by(root, subject, answer, &check.predicate_type, &signer)?;
    Ok(check.record())
}

/// The workflow an attestation must have been signed by: a test over its
/// `owner/repo/path`, and what it expects, for messages.
pub struct Signer<'a> {
    /// Whether this signer workflow is the one wanted.
    pub matches: &'a dyn Fn(&str) -> bool,
    /// What is wanted, for messages.
    pub expected: &'a str,
}

/// Checks GitHub's `answer` for `subject`: the first attestation whose bundle verifies,
/// with `predicate_type` and a signer workflow `signer` accepts, wins. Returns that
/// signer workflow, or why none did.
pub fn verify_answer_by(
    root: &Root,
    subject: Subject<'_>,
    answer: &[u8],
    predicate_type: &str,
    signer: &Signer<'_>,
) -> Result<String, AttestationError> {
    let answer: Answer = serde_json::from_slice(answer).map_err(AttestationError::NotAnswer)?;
    let mut reasons = Vec::new();
    for attestation in &answer.attestations {
        let Some(bundle) = &attestation.bundle else {
            reasons.push(OneError::NoBundle);
            continue;
        };
        let json = bundle.to_string();
        match verify_one(root, subject, json.as_bytes(), predicate_type, signer) {
            Ok(workflow) => return Ok(workflow),
            Err(reason) => reasons.push(reason),
        }
    }
    if reasons.is_empty() {
        return Err(AttestationError::NoAttestation);
    }
    reasons.dedup_by(|a, b| a.to_string() == b.to_string());
    Err(AttestationError::NoneVerifies(reasons))
}

/// Why GitHub's answer holds no attestation that verifies.
#[derive(Debug, thiserror::Error)]
pub enum AttestationError {
    /// Not the API's JSON.
    #[error("not GitHub's attestations answer: {0}")]
    NotAnswer(#[source] serde_json::Error),
    /// No attestation at all.
    #[error("GitHub has no attestation for this digest")]
    NoAttestation,
    /// None verifies: each one's reason (the same said once; the first three shown).
    #[error("no attestation verifies: {}", shown(.0))]
    NoneVerifies(Vec<OneError>),
}

/// The first three reasons, `; ` between them, and how many more there are.
fn shown(reasons: &[OneError]) -> String {
    let shown = reasons.len().min(3);
    let more = reasons.len() - shown;
    let first: Vec<String> = reasons[..shown].iter().map(ToString::to_string).collect();
    format!(
        "{}{}",
        first.join("; "),
        if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        }
    )
}

/// Why one attestation does not verify.
#[derive(Debug, thiserror::Error)]
pub enum OneError {
    /// No bundle in it.
    #[error("an attestation without a bundle")]
    NoBundle,
    /// Its bundle does not verify.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// A bundle that signs no statement.
    #[error("the bundle holds no in-toto statement")]
    NoStatement,
    /// Another predicate type.
    #[error("predicate type {found}, not {wanted}")]
    PredicateType {
        /// The statement's.
        found: String,
        /// The one asked for.
        wanted: String,
    },
    /// Signed by another workflow.
    #[error("signed by workflow {workflow}, not {expected}")]
    SignedBy {
        /// The workflow that signed.
        workflow: String,
        /// What was expected.
        expected: String,
    },
}

/// One attestation's bundle; its signer workflow when it verifies.
fn verify_one(
    root: &Root,
    subject: Subject<'_>,
    json: &[u8],
    predicate_type: &str,
    signer: &Signer<'_>,
) -> Result<String, OneError> {
    let verified = verify_bundle(root, subject, json, Some(GITHUB_ACTIONS_ISSUER))?;
    let Some(statement) = &verified.statement else {
        return Err(OneError::NoStatement);
    };
    if statement.predicate_type != predicate_type {
        return Err(OneError::PredicateType {
            found: statement.predicate_type.clone(),
            wanted: predicate_type.to_owned(),
        });
    }
    let workflow = signer_workflow(&verified);
    if !(signer.matches)(&workflow) {
        return Err(OneError::SignedBy {
            workflow,
            expected: signer.expected.to_owned(),
        });
    }
    Ok(workflow)
}
