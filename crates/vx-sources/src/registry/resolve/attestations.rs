//! What binds a download's digest to its publisher, as the registry declares it
//! (`github_artifact_attestations`, `slsa_provenance`), rendered for one version and
//! platform into what [`vx_engine::resolution`] checks when it locks the version from the
//! asset's sha256 alone, without downloading it.
//!
//! As aqua reads them: attestations are asked of the package's repository, their
//! `signer_workflow` is a regular expression over the signer's `owner/repo/path` (no
//! host, no ref) — absent, any workflow of the package's repository — and their
//! `predicate_type` defaults to SLSA provenance v1; a provenance file is a release
//! asset (of the package's repository unless it names another) or a URL, its
//! templates rendered like the checksum asset's, and its `source_uri` defaults to
//! `github.com/OWNER/REPO` of the provenance's repository.

use super::{ResolveError, Resolver};
use crate::registry::package::{AttestationsDecl, Declared, SlsaDecl};
use crate::registry::template::Vars;
use vx_net::verify::attestation::DEFAULT_PREDICATE_TYPE;

/// A check of the download's digest, ready to be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProvenanceSource {
    /// GitHub's artifact attestations of the digest.
    GithubAttestations {
        /// `owner/name`, whose attestations are asked for.
        repo: String,
        /// The signer workflow, a regular expression matched whole against
        /// `owner/repo/path`.
        signer_workflow: String,
        /// The in-toto predicate type required.
        predicate_type: String,
    },
    /// An SLSA provenance file naming the digest.
    Slsa {
        /// The provenance file's URL.
        url: String,
        /// The source repository the certificate must name (`github.com/o/r`).
        source_uri: String,
    },
    /// A declaration vx cannot check; why, for the user.
    Unverifiable(String),
}

impl Resolver<'_, '_> {
    /// The provenance declared for this download, rendered with `vars` (those of the
    /// checksum asset: the asset's name and the package's replacements).
    pub(super) fn provenance(&self, vars: &Vars) -> Result<Vec<ProvenanceSource>, ResolveError> {
        let mut out = Vec::new();
        out.extend(self.declared_attestations(self.info.attestations, ""));
        match self.info.slsa {
            Some(Declared::Read(decl)) if decl.enabled() => out.push(self.slsa(decl, vars)?),
            Some(Declared::Read(_)) | None => {}
            Some(Declared::Malformed(why)) => out.push(ProvenanceSource::Unverifiable(format!(
                "its slsa_provenance is malformed ({})",
                vx_base::validate::shorten(why)
            ))),
        }
        Ok(out)
    }

    /// What a `github_artifact_attestations` declaration (the package's, or its
    /// checksum file's: `at` is then `checksum.`) asks to be checked, if anything.
    pub(super) fn declared_attestations(
        &self,
        declared: Option<&Declared<AttestationsDecl>>,
        at: &str,
    ) -> Option<ProvenanceSource> {
        match declared? {
            Declared::Read(decl) if decl.enabled() => Some(self.attestations(decl)),
            Declared::Read(_) => None,
            Declared::Malformed(why) => Some(ProvenanceSource::Unverifiable(format!(
                "its {at}github_artifact_attestations is malformed ({})",
                vx_base::validate::shorten(why)
            ))),
        }
    }

    fn attestations(&self, decl: &AttestationsDecl) -> ProvenanceSource {
        let (Some(owner), Some(repo)) = (self.info.repo_owner, self.info.repo_name) else {
            return ProvenanceSource::Unverifiable(
                "its github_artifact_attestations has no repository to ask (no repo_owner/repo_name)"
                    .to_owned(),
            );
        };
        let signer_workflow = decl.signer_workflow().map_or_else(
            || format!("{}/{}/.+", regex::escape(owner), regex::escape(repo)),
            str::to_owned,
        );
        ProvenanceSource::GithubAttestations {
            repo: format!("{owner}/{repo}"),
            signer_workflow,
            predicate_type: decl
                .predicate_type
                .clone()
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| DEFAULT_PREDICATE_TYPE.to_owned()),
        }
    }

    fn slsa(&self, decl: &SlsaDecl, vars: &Vars) -> Result<ProvenanceSource, ResolveError> {
        if decl.file.kind.as_deref() == Some("http") && set(&decl.file.url).is_none() {
            return Ok(ProvenanceSource::Unverifiable(
                "its slsa_provenance of type http names no url".to_owned(),
            ));
        }
        let url = match self.file_url("slsa_provenance", &decl.file, vars)? {
            Ok(url) => url,
            Err(why) => return Ok(ProvenanceSource::Unverifiable(why.to_string())),
        };
        let source_uri = match decl.source_uri.as_deref().filter(|s| !s.is_empty()) {
            Some(given) => given.to_owned(),
            None => {
                let owner = set(&decl.file.repo_owner).or(self.info.repo_owner);
                let repo = set(&decl.file.repo_name).or(self.info.repo_name);
                match (owner, repo) {
                    (Some(o), Some(r)) => format!("github.com/{o}/{r}"),
                    _ => {
                        return Ok(ProvenanceSource::Unverifiable(
                            "its slsa_provenance names no source_uri and the package no repository"
                                .to_owned(),
                        ));
                    }
                }
            }
        };
        Ok(ProvenanceSource::Slsa { url, source_uri })
    }
}

fn set(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|s| !s.is_empty())
}
