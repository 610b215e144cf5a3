//! Checking what a registry declares binds a release asset's digest to its publisher
//! (`github_artifact_attestations`, `slsa_provenance`), when a version is locked from
//! the asset's sha256 alone (its checksum file's, or GitHub's digest): no archive is
//! downloaded, the bundles are verified over that sha256
//! ([`vx_net::verify::sigstore::Subject::Sha256`]).
//!
//! GitHub's attestations are asked of the package's repository through the GitHub
//! client; one must verify against the trusted root, carry the predicate type, and be
//! signed by a workflow the registry's `signer_workflow` pattern matches whole. The
//! lock records that workflow, `github-attestation:OWNER/REPO/PATH`. The provenance
//! file is fetched (capped) and must verify with the source repository named; the lock
//! records `slsa:SOURCE`. A check that fails, or whose file or answer cannot be had,
//! refuses the version. A declaration vx cannot check (malformed, an `http` provenance
//! with no URL, a provenance of bare DSSE envelopes) is named and records nothing.

use std::sync::OnceLock;

use vx_net::verify::Unavailable;
use vx_net::verify::attestation::{self, Signer};
use vx_net::verify::sigstore::{self, Subject};
use vx_net::verify::slsa::{self, SlsaCheck};
use vx_net::verify::trusted_root::Root;
use vx_sources::github::Github;
use vx_sources::registry::resolve::ProvenanceSource;

use super::signatures::{AttestationReason, CheckError, SharedRootError, Verdict, load_root};

/// The file whose provenance is checked: its name and SHA-256 (hex).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Checked<'a> {
    /// The asset's (or checksum file's) name.
    pub name: &'a str,
    /// Its SHA-256 (hex).
    pub sha256: &'a str,
}

/// Checks every declaration of `sources` for `subject`, fetching through `github`;
/// `root` is the run's trusted root, read at the first check that needs it. `Err`
/// says which check failed and why; when GitHub's attestations API or a provenance
/// file cannot be had, it ends with `unreachable` (the settings that skip the check),
/// unless `unavailable` is [`Unavailable::Warn`]: then that check is left out and
/// said among the verdict's unchecked notes.
pub(crate) fn check(
    github: &Github,
    root: &OnceLock<Result<Root, SharedRootError>>,
    subject: Checked<'_>,
    sources: &[ProvenanceSource],
    unreachable: &str,
    unavailable: Unavailable,
) -> Result<Verdict, CheckError> {
    let Checked {
        name: asset,
        sha256,
    } = subject;
    let mut verdict = Verdict::default();
    let root = || {
        root.get_or_init(load_root)
            .as_ref()
            .map_err(|e| CheckError::Root(e.clone()))
    };
    for source in sources {
        match source {
            ProvenanceSource::GithubAttestations {
                repo,
                signer_workflow,
                predicate_type,
            } => {
                let failed = |reason: AttestationReason| CheckError::Attestations {
                    asset: asset.to_owned(),
                    sha256: sha256.to_owned(),
                    repo: repo.clone(),
                    reason,
                };
                let pattern = whole(signer_workflow).map_err(failed)?;
                let (owner, name) = repo.split_once('/').unwrap_or((repo, ""));
                let answer = match github.attestations(
                    owner,
                    name,
                    sha256,
                    sigstore::MAX_ATTESTATIONS_BYTES,
                ) {
                    Ok(answer) => answer,
                    Err(source) if unavailable == Unavailable::Warn => {
                        verdict.unchecked.push(format!(
                            "GitHub's attestations of {asset} in {repo} not checked: the API cannot answer ({source}); [verify] attestations_unavailable = \"warn\""
                        ));
                        continue;
                    }
                    Err(source) => {
                        return Err(CheckError::AttestationsApi {
                            asset: asset.to_owned(),
                            sha256: sha256.to_owned(),
                            repo: repo.clone(),
                            source: Box::new(source),
                            unreachable: unreachable.to_owned(),
                        });
                    }
                };
                let signer = Signer {
                    matches: &|workflow: &str| pattern.is_match(workflow),
                    expected: &format!("a workflow matching {signer_workflow}"),
                };
                let workflow = attestation::verify_answer_by(
                    root()?,
                    Subject::Sha256(sha256),
                    &answer,
                    predicate_type,
                    &signer,
                )
                .map_err(|e| failed(e.into()))?;
                verdict
                    .records
                    .push(format!("github-attestation:{workflow}").replace(',', "%2C"));
            }
            ProvenanceSource::Slsa { url, source_uri } => {
                let shown = vx_net::url::display_url(url);
                let text = match github.fetch(url, sigstore::MAX_BUNDLE_BYTES) {
                    Ok(text) => text,
                    Err(source) if unavailable == Unavailable::Warn => {
                        verdict.unchecked.push(format!(
                            "SLSA provenance {shown} not checked: it cannot be had ({source}); [verify] attestations_unavailable = \"warn\""
                        ));
                        continue;
                    }
                    Err(source) => {
                        return Err(CheckError::ProvenanceFetch {
                            asset: asset.to_owned(),
                            source: Box::new(source),
                            unreachable: unreachable.to_owned(),
                        });
                    }
                };
                if slsa::only_bare_envelopes(&text) {
                    verdict.unchecked.push(format!(
                        "SLSA provenance {shown} not checked: it holds bare DSSE envelopes, without the transparency-log entry that proves when they were signed"
                    ));
                    continue;
                }
                let check = SlsaCheck {
                    provenance: url.clone(),
                    source_uri: source_uri.clone(),
                };
                let record =
                    slsa::verify_provenance(root()?, Subject::Sha256(sha256), &text, &check)
                        .map_err(|source| CheckError::Provenance {
                            shown: shown.clone(),
                            asset: asset.to_owned(),
                            sha256: sha256.to_owned(),
                            source,
                        })?;
                verdict.records.push(record);
            }
            ProvenanceSource::Unverifiable(why) => verdict
                .unchecked
                .push(format!("provenance of {asset} not checked: {why}")),
        }
    }
    Ok(verdict)
}

/// `signer_workflow` as `gh attestation verify` takes it, anchored at both ends: the
/// whole `owner/repo/path` must match, not a part of it.
fn whole(pattern: &str) -> Result<regex::Regex, AttestationReason> {
    sigstore::identity_pattern(&format!("^(?:{pattern})$")).map_err(|source| {
        AttestationReason::SignerWorkflow {
            pattern: pattern.to_owned(),
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::whole;

    #[test]
    fn the_signer_workflow_pattern_matches_the_whole_workflow_path() {
        let pattern = whole(r"acme/tool/\.github/workflows/release\.ya?ml").unwrap();
        assert!(pattern.is_match("acme/tool/.github/workflows/release.yml"));
        assert!(pattern.is_match("acme/tool/.github/workflows/release.yaml"));
        assert!(!pattern.is_match("mallory/acme/tool/.github/workflows/release.yml"));
        assert!(!pattern.is_match("acme/tool/.github/workflows/release.yml.evil"));
        // An alternation stays inside the anchors.
        let either = whole("a/b/x.yml|c/d/y.yml").unwrap();
        assert!(!either.is_match("a/b/x.yml/../z"));
        assert!(either.is_match("c/d/y.yml"));
        assert!(whole("(").is_err());
    }
}
