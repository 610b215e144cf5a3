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

use super::sigstore::{Subject, Verified, verify_bundle, without_ref};
use super::trusted_root::Root;

/// GitHub Actions' OIDC issuer: the issuer of every GitHub attestation's certificate.
pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";

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
    pub fn record(&self) -> String {
        // A `,` (which separates the lock's records) is written `%2C`.
        format!("github-attestation:{}", self.signer_workflow).replace(',', "%2C")
    }
}

/// `{"attestations": [{"bundle": {…}, …}]}`, GitHub's answer.
#[derive(Deserialize)]
pub struct Answer {
    /// The attestations, each with its bundle kept as JSON.
    #[serde(default)]
    pub attestations: Vec<Attestation>,
}

/// One attestation of GitHub's answer.
#[derive(Deserialize)]
pub struct Attestation {
    /// The Sigstore bundle.
    #[serde(default)]
    pub bundle: Option<serde_json::Value>,
}

/// The signer workflow of a verified certificate: `owner/name/path` of its Build Signer
/// URI (or SAN URI), without scheme, host and `@ref`.
pub fn signer_workflow(verified: &Verified) -> String {
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
pub fn verify_answer(
    root: &Root,
    subject: Subject<'_>,
    answer: &[u8],
    check: &AttestationCheck,
) -> Result<String, String> {
    let signer = Signer {
        matches: &|signer: &str| Ok(signer == check.signer_workflow),
        expected: &check.signer_workflow,
    };
    verify_answer_by(root, subject, answer, &check.predicate_type, &signer)?;
    Ok(check.record())
}

/// The workflow an attestation must have been signed by: a test over its
/// `owner/repo/path` (`Err`: the test itself is bad), and what it expects, for messages.
pub struct Signer<'a> {
    /// Whether this signer workflow is the one wanted.
    pub matches: &'a dyn Fn(&str) -> Result<bool, String>,
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
) -> Result<String, String> {
    let answer: Answer = serde_json::from_slice(answer)
        .map_err(|e| format!("not GitHub's attestations answer: {e}"))?;
    let mut reasons = Vec::new();
    for attestation in &answer.attestations {
        let Some(bundle) = &attestation.bundle else {
            reasons.push("an attestation without a bundle".to_owned());
            continue;
        };
        let json = bundle.to_string();
        match verify_one(root, subject, json.as_bytes(), predicate_type, signer) {
            Ok(workflow) => return Ok(workflow),
            Err(reason) => reasons.push(reason),
        }
    }
    if reasons.is_empty() {
        return Err("GitHub has no attestation for this digest".to_owned());
    }
    reasons.dedup();
    let shown = reasons.len().min(3);
    let more = reasons.len() - shown;
    Err(format!(
        "no attestation verifies: {}{}",
        reasons[..shown].join("; "),
        if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        }
    ))
}

/// One attestation's bundle; its signer workflow when it verifies.
fn verify_one(
    root: &Root,
    subject: Subject<'_>,
    json: &[u8],
    predicate_type: &str,
    signer: &Signer<'_>,
) -> Result<String, String> {
    let verified = verify_bundle(root, subject, json, Some(GITHUB_ACTIONS_ISSUER))?;
    let Some(statement) = &verified.statement else {
        return Err("the bundle holds no in-toto statement".to_owned());
    };
    if statement.predicate_type != predicate_type {
        return Err(format!(
            "predicate type {}, not {predicate_type}",
            statement.predicate_type
        ));
    }
    let workflow = signer_workflow(&verified);
    if !(signer.matches)(&workflow)? {
        return Err(format!(
            "signed by workflow {workflow}, not {}",
            signer.expected
        ));
    }
    Ok(workflow)
}
