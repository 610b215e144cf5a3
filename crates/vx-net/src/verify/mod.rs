//! Signatures over a tool's download, checked when a version is locked: minisign
//! ([`minisign`]), cosign blob signatures with a key ([`cosign`]), and Sigstore
//! bundles against a trusted root ([`trusted_root`]): cosign keyless signatures
//! ([`sigstore`]), GitHub artifact attestations ([`attestation`]) and SLSA provenance
//! ([`slsa`]), as a manifest's `[tools.NAME.verify]` declares them ([`Checks`]).
//!
//! The keys are parsed when the manifest is read (a bad key is an error at its line);
//! the checks travel to the `vx install` child in its `vx_model::spec::ToolSpec`, and
//! the child verifies the very bytes it downloaded and hashed, before anything is
//! installed or recorded. What was verified goes into the receipt and from there into
//! the lock (`verified = "minisign:KEYID"`), so an install from that lock checks the
//! sha256 only and never fetches a signature: a signing service's outage never breaks
//! a locked install.

pub mod attestation;
pub mod cosign;
pub(crate) mod crypto;
pub mod gosum;
pub mod integrity;
pub mod minisign;
pub mod provenance;
pub mod sigstore;
pub mod slsa;
pub mod trusted_root;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{Client, NetError, Request};

/// The largest signature file fetched: both formats are a few hundred bytes.
pub const MAX_SIGNATURE_BYTES: u64 = 64 * 1024;

/// The default signature URL of a minisign check: beside the download.
pub const MINISIGN_DEFAULT: &str = "{url}.minisig";
/// The default signature URL of a cosign check: beside the download.
pub const COSIGN_DEFAULT: &str = "{url}.sig";

/// `[settings] verify`: what to do with a tool that declares no signature.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Policy {
    /// Refuse to lock or install a tool with nothing to verify.
    Require,
    /// Install it, marked as having no verified signature.
    #[default]
    Warn,
    /// Say nothing.
    Off,
}

impl Policy {
    /// The policy of a `[settings] verify` value.
    pub fn from_name(name: &str) -> Option<Policy> {
        match name {
            "require" => Some(Policy::Require),
            "warn" => Some(Policy::Warn),
            "off" => Some(Policy::Off),
            _ => None,
        }
    }
}

/// `[verify] attestations_unavailable` (`VX_ATTESTATIONS_UNAVAILABLE`): what a
/// declared attestation or provenance check whose source cannot answer (GitHub's
/// attestations API behind a mirror, a provenance file not served) means.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unavailable {
    /// Refuse the version: nothing is locked unchecked.
    #[default]
    Refuse,
    /// Lock it without that check, and say so (a check that answers and fails still
    /// refuses).
    Warn,
}

impl Unavailable {
    /// The variable that sets it for a machine or a CI job.
    pub const ENV: &str = "VX_ATTESTATIONS_UNAVAILABLE";

    /// The setting of a `refuse`/`warn` value.
    pub(crate) fn from_name(name: &str) -> Option<Unavailable> {
        match name {
            "refuse" => Some(Unavailable::Refuse),
            "warn" => Some(Unavailable::Warn),
            _ => None,
        }
    }

    /// Its name in the user config.
    pub fn name(self) -> &'static str {
        match self {
            Unavailable::Refuse => "refuse",
            Unavailable::Warn => "warn",
        }
    }

    /// The setting in force: `$VX_ATTESTATIONS_UNAVAILABLE` (refused by name when it
    /// is neither value), else the user config's, else refuse.
    pub fn in_force(env: Option<&str>, user: Option<Unavailable>) -> Result<Unavailable, String> {
        match env.filter(|v| !v.is_empty()) {
            Some(value) => Unavailable::from_name(value).ok_or_else(|| {
                format!(
                    "{}={}: expected refuse or warn",
                    Unavailable::ENV,
                    vx_text::sanitize(value)
                )
            }),
            None => Ok(user.unwrap_or_default()),
        }
    }
}

/// A tool's `[tools.NAME.verify]` table: the signatures its downloads must carry
/// (every one given must verify).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checks {
    /// A minisign signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minisign: Option<Check>,
    /// A cosign blob signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cosign: Option<Check>,
    /// A cosign keyless signature: a Sigstore bundle beside the download.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigstore: Option<sigstore::SigstoreCheck>,
    /// GitHub artifact attestations for the download's digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github_attestations: Option<attestation::AttestationCheck>,
    /// SLSA provenance naming the download's digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slsa: Option<slsa::SlsaCheck>,
}

/// One signature to check: the public key and where the signature file is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// The public key: minisign's base64 (`RWQ…`), or cosign's PEM text (a path in
    /// vx.toml is read when the manifest is parsed).
    pub public_key: String,
    /// The signature's URL template; `{url}` is the download's URL.
    pub signature: String,
}

impl Checks {
    /// Whether the table names no signature at all.
    pub fn is_empty(&self) -> bool {
        self.minisign.is_none() && self.cosign.is_none() && !self.uses_sigstore()
    }

    /// Whether a check needs the Sigstore trusted root.
    pub(crate) fn uses_sigstore(&self) -> bool {
        self.sigstore.is_some() || self.github_attestations.is_some() || self.slsa.is_some()
    }

    /// What [`verify_download`] returns when every signature verifies: a receipt
    /// recording exactly this was verified with these keys.
    pub fn records(&self) -> Result<String, VerifyError> {
        let mut records = Vec::new();
        if let Some(check) = &self.minisign {
            records.push(minisign::Key::parse(&check.public_key)?.record());
        }
        if let Some(check) = &self.cosign {
            records.push(cosign::Key::parse(&check.public_key)?.record());
        }
        records.extend(self.sigstore.as_ref().map(sigstore::SigstoreCheck::record));
        records.extend(
            self.github_attestations
                .as_ref()
                .map(attestation::AttestationCheck::record),
        );
        records.extend(self.slsa.as_ref().map(slsa::SlsaCheck::record));
        Ok(records.join(","))
    }
}

/// Why a download's signature does not verify, or could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// A public key that is not one (bad base64, wrong length or algorithm, not PEM).
    #[error("not a {kind} public key: {reason}")]
    BadKey {
        /// `minisign` or `cosign`.
        kind: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The signature file could not be fetched.
    #[error("cannot fetch the {kind} signature {url}: {reason}")]
    Fetch {
        /// `minisign` or `cosign`.
        kind: &'static str,
        /// The signature's URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The signature file is not a signature of its kind.
    #[error("the {kind} signature {url} is malformed: {reason}")]
    Malformed {
        /// `minisign` or `cosign`.
        kind: &'static str,
        /// The signature's URL.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The signature is well formed but does not verify with the key.
    #[error("{kind} signature {url} does not verify with key {key_id}: {reason}")]
    Mismatch {
        /// `minisign` or `cosign`.
        kind: &'static str,
        /// The signature's URL.
        url: String,
        /// The key's id as the lock records it.
        key_id: String,
        /// Why (another key signed it, the bytes differ).
        reason: String,
    },
    /// `--offline` and the signature is on a server.
    #[error("cannot fetch the {kind} signature {url}: --offline fetches nothing from a server")]
    Offline {
        /// `minisign` or `cosign`.
        kind: &'static str,
        /// The signature's URL.
        url: String,
    },
    /// A Sigstore bundle, attestation or provenance that does not verify.
    #[error("{kind} {what} does not verify: {reason}")]
    Sigstore {
        /// `the Sigstore bundle`, `the SLSA provenance` or `GitHub's attestation in`.
        kind: &'static str,
        /// The bundle's URL, or the repository asked.
        what: String,
        /// What did not match (sanitized).
        reason: String,
    },
    /// The Sigstore trusted root cannot be read.
    #[error("cannot use the Sigstore trusted root {root}: {reason}")]
    TrustedRoot {
        /// The file, or vx's own root.
        root: String,
        /// Why.
        reason: String,
    },
    /// The user config (which names the trusted root and GitHub) cannot be read.
    #[error("{0}")]
    Config(#[source] ContextError),
    /// GitHub's attestations could not be fetched.
    #[error("cannot fetch the GitHub attestations of {repo}: {reason}")]
    Github {
        /// `owner/name`.
        repo: String,
        /// Why.
        reason: String,
    },
    /// The downloaded file could not be read back.
    #[error("cannot read the download to verify it: {0}")]
    Read(#[source] std::io::Error),
}

/// Why the program around a check could not give it what it needs.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    /// Offline: nothing is fetched from a server.
    #[error("--offline fetches nothing from a server")]
    Offline,
    /// The program's own error (its user config, its GitHub client), as it says it.
    #[error("{0}")]
    Program(Box<dyn std::error::Error + Send + Sync>),
}

/// What a check needs from the program around it: the HTTP client, the user's
/// trusted root and GitHub's attestations. The caller (the `vx install` child) supplies
/// them, so this room knows neither the user config nor the GitHub client.
pub trait Context {
    /// The client signatures are fetched through; `None`: offline, only a `file://`
    /// signature can be read.
    fn client(&self) -> Option<&Client>;
    /// The Sigstore trusted root to use (`None`: vx's own), read only when a
    /// Sigstore check runs.
    fn trusted_root(&self) -> Result<Option<std::path::PathBuf>, ContextError>;
    /// GitHub's answer (JSON, at most `max` bytes) listing the attestations of
    /// `owner/name` for the artifact whose SHA-256 is `sha256`.
    fn attestations(
        &self,
        owner: &str,
        name: &str,
        sha256: &str,
        max: u64,
    ) -> Result<Vec<u8>, ContextError>;
}

/// A [`Context`] of signatures on this machine only: no client, vx's own trusted root,
/// no GitHub (benchmarks, tools with `file://` signatures).
pub struct Local;

impl Context for Local {
    fn client(&self) -> Option<&Client> {
        None
    }

    fn trusted_root(&self) -> Result<Option<std::path::PathBuf>, ContextError> {
        Ok(None)
    }

    fn attestations(&self, _: &str, _: &str, _: &str, _: u64) -> Result<Vec<u8>, ContextError> {
        Err(ContextError::Offline)
    }
}

/// Verifies the download at `path` (whose SHA-256 is `sha256`, hex) fetched from
/// `url` against every signature `checks` names, fetching each signature through
/// `cx`'s client. Returns what was verified, as the lock records it
/// (`minisign:KEYID`, `cosign:sha256:FINGERPRINT`, comma-separated).
pub fn verify_download(
    path: &Path,
    sha256: &str,
    url: &str,
    checks: &Checks,
    cx: &dyn Context,
) -> Result<String, VerifyError> {
    let client = cx.client();
    let mut verified = Vec::new();
    if let Some(check) = &checks.minisign {
        let key = minisign::Key::parse(&check.public_key)?;
        let sig_url = signature_url(&check.signature, url);
        let text = fetch_signature(client, &sig_url, "minisign")?;
        key.verify_file(path, &text, &sig_url)?;
        verified.push(key.record());
    }
    if let Some(check) = &checks.cosign {
        let key = cosign::Key::parse(&check.public_key)?;
        let sig_url = signature_url(&check.signature, url);
        let text = fetch_signature(client, &sig_url, "cosign")?;
        key.verify_sha256(sha256, &text, &sig_url)?;
        verified.push(key.record());
    }
    if checks.uses_sigstore() {
        verified.extend(verify_sigstore(path, sha256, url, checks, cx)?);
    }
    Ok(verified.join(","))
}

/// The Sigstore checks of `checks` (the trusted root read from the user config's
/// `[verify] trusted_root`, or vx's own, only now), in [`Checks::records`]' order.
fn verify_sigstore(
    path: &Path,
    sha256: &str,
    url: &str,
    checks: &Checks,
    cx: &dyn Context,
) -> Result<Vec<String>, VerifyError> {
    let client = cx.client();
    let root = trusted_root::load(cx.trusted_root().map_err(VerifyError::Config)?.as_deref())?;
    let refused = |kind: &'static str, what: &str, reason: String| VerifyError::Sigstore {
        kind,
        what: crate::url::display_url(what),
        reason: vx_text::sanitize(&reason).into_owned(),
    };
    let mut verified = Vec::new();
    if let Some(check) = &checks.sigstore {
        let bundle_url = signature_url(&check.bundle, url);
        let json = fetch_capped(
            client,
            &bundle_url,
            "Sigstore bundle",
            sigstore::MAX_BUNDLE_BYTES,
        )?;
        let record = sigstore::verify_signature(&root, sigstore::Subject::File(path), &json, check)
            .map_err(|reason| refused("the Sigstore bundle", &bundle_url, reason.to_string()))?;
        verified.push(record);
    }
    if let Some(check) = &checks.github_attestations {
        let answer = github_attestations(cx, &check.repo, sha256)?;
        let record =
            attestation::verify_answer(&root, sigstore::Subject::File(path), &answer, check)
                .map_err(|reason| VerifyError::Sigstore {
                    kind: "GitHub's attestation in",
                    what: vx_text::sanitize(&check.repo).into_owned(),
                    reason: vx_text::sanitize(&reason.to_string()).into_owned(),
                })?;
        verified.push(record);
    }
    if let Some(check) = &checks.slsa {
        let provenance_url = signature_url(&check.provenance, url);
        let text = fetch_capped(
            client,
            &provenance_url,
            "SLSA provenance",
            sigstore::MAX_BUNDLE_BYTES,
        )?;
        let record = slsa::verify_provenance(&root, sigstore::Subject::File(path), &text, check)
            .map_err(|reason| {
                refused("the SLSA provenance", &provenance_url, reason.to_string())
            })?;
        verified.push(record);
    }
    Ok(verified)
}

/// GitHub's answer (JSON) listing the attestations of `repo` for the artifact whose
/// SHA-256 is `sha256`, through `cx` (the GitHub client, its hosts and token rules).
fn github_attestations(cx: &dyn Context, repo: &str, sha256: &str) -> Result<Vec<u8>, VerifyError> {
    let failed = |reason: String| VerifyError::Github {
        repo: vx_text::sanitize(repo).into_owned(),
        reason,
    };
    let (owner, name) = repo
        .split_once('/')
        .ok_or_else(|| failed("not owner/name".to_owned()))?;
    cx.attestations(owner, name, sha256, sigstore::MAX_ATTESTATIONS_BYTES)
        .map_err(|e| failed(e.to_string()))
}

/// The kinds of signature in a lock's or receipt's records (`minisign:ID,sigstore:…` →
/// `minisign+sigstore`): what a summary, the board and `vx list` show; empty for none.
pub fn kinds(records: &str) -> String {
    let mut kinds: Vec<&str> = records
        .split(',')
        .filter(|r| !r.is_empty())
        .map(|r| r.split(':').next().unwrap_or(r))
        .collect();
    kinds.dedup();
    kinds.join("+")
}

/// The signature's URL: `template` with `{url}` replaced by the download's URL.
pub fn signature_url(template: &str, url: &str) -> String {
    template.replace("{url}", url)
}

/// The signature file at `url`, at most [`MAX_SIGNATURE_BYTES`].
fn fetch_signature(
    client: Option<&Client>,
    url: &str,
    kind: &'static str,
) -> Result<Vec<u8>, VerifyError> {
    fetch_capped(client, url, kind, MAX_SIGNATURE_BYTES)
}

/// The file at `url` (`file://` read directly), at most `max` bytes: a larger one is
/// refused, never read whole.
fn fetch_capped(
    client: Option<&Client>,
    url: &str,
    kind: &'static str,
    max: u64,
) -> Result<Vec<u8>, VerifyError> {
    let failed = |reason: String| VerifyError::Fetch {
        kind,
        url: crate::url::display_url(url),
        reason,
    };
    if url
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("file://"))
    {
        let bytes = match vx_base::bounded_read::read(&crate::url::file_path(url), max) {
            Ok(bytes) => bytes,
            Err(vx_base::bounded_read::ReadError::TooLarge { .. }) => {
                return Err(failed(format!(
                    "larger than {max} bytes: not a {kind} file"
                )));
            }
            Err(e) => return Err(failed(e.to_string())),
        };
        return Ok(bytes);
    }
    let Some(client) = client else {
        return Err(VerifyError::Offline {
            kind,
            url: crate::url::display_url(url),
        });
    };
    let response = client
        .send(Request::get(url))
        .map_err(|e: NetError| failed(e.to_string()))?;
    if response.status != 200 {
        return Err(failed(format!("HTTP {}", response.status)));
    }
    if response.content_length().is_some_and(|n| n > max) {
        return Err(failed(format!(
            "larger than {max} bytes: not a {kind} file"
        )));
    }
    response.read_to_vec(max).map_err(|e| failed(e.to_string()))
}
