//! A tree's receipt, `<tree>/.vx-receipt.json`: what was installed, from where, with
//! which executables; read bounded, written before the tree moves into place, and
//! replaced atomically when its bytes are pinned or verified later.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use vx_base::format::ArchiveFormat;
use vx_model::config_frame::InstallConfig;
use vx_model::spec::ToolSpec;

/// Name of the receipt file inside an installed tree.
pub const RECEIPT_FILE: &str = ".vx-receipt.json";
/// Largest receipt read back; a real one is a few hundred bytes.
pub(super) const MAX_RECEIPT_BYTES: u64 = 256 * 1024;

/// What was installed, from where: written as `<tree>/.vx-receipt.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    /// The tool's name.
    pub tool: String,
    /// The installed version.
    pub version: String,
    /// The URL the archive came from.
    pub url: String,
    /// The SHA-256 of the downloaded archive (computed, so also present for
    /// unverified installs).
    pub sha256: String,
    /// The archive format that was unpacked.
    pub format: Option<ArchiveFormat>,
    /// The `strip_components` applied.
    pub strip_components: u32,
    /// The `post_install` command that ran, if any.
    pub post_install: Option<String>,
    /// The tool's options at install time.
    pub options: BTreeMap<String, serde_json::Value>,
    /// Bytes downloaded.
    pub bytes: u64,
    /// When the install finished, in seconds since the Unix epoch.
    pub installed_at: u64,
    /// Installed without a sha256 to check (`--allow-unverified`).
    #[serde(default)]
    pub unverified: bool,
    /// The tool's executables, relative to the install (see [`crate::install::bins`]).
    #[serde(default)]
    pub bin: Vec<String>,
    /// Bytes the archive unpacked into files (absent in receipts of older builds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unpacked: Option<u64>,
    /// What the download's signatures were verified with (`minisign:KEYID`,
    /// `cosign:sha256:FINGERPRINT`), for the lock; absent when none was checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<String>,
    /// Variables the tool sets for its users, each a path relative to the install
    /// (a runtime's `JAVA_HOME`), as its spec gave them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// The package identity the tree is kept under ([`super::key`]): its directory is
    /// `<version>-<key>`. Absent in trees an older vx left at `<store>/<tool>/<version>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The files written into the tree after unpacking, as its spec gave them
    /// (`crate::install::written`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub write: BTreeMap<String, String>,
    /// Directories outside the store on `PATH` after the tool's own, as its spec gave
    /// them (npm's global `bin`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path_after: Vec<String>,
    /// The environment its package manager built (a runtime tool's, as the lock
    /// pinned it: `vx_model::spec::needs::Plan`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<vx_model::spec::needs::Plan>,
}

impl Receipt {
    /// A receipt for `cfg`'s install of an archive of `bytes` bytes hashing to
    /// `sha256`, timestamped now.
    pub(crate) fn new(
        cfg: &InstallConfig,
        sha256: &str,
        format: Option<ArchiveFormat>,
        bytes: u64,
    ) -> Self {
        Receipt {
            tool: cfg.spec.name.clone(),
            version: cfg.spec.version.clone(),
            url: cfg.spec.url.clone(),
            sha256: sha256.to_owned(),
            format,
            strip_components: cfg.spec.strip_components,
            post_install: cfg.spec.post_install.clone(),
            options: cfg.spec.options.clone(),
            bytes,
            installed_at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            unverified: false,
            bin: Vec::new(),
            unpacked: None,
            verified: None,
            env: cfg.spec.env.clone(),
            key: None,
            write: BTreeMap::new(),
            path_after: Vec::new(),
            environment: cfg.spec.needs.environment.clone(),
        }
    }

    /// This receipt as today's vx writes it: a runtime tool's environment that an
    /// older vx recorded among the options (under `environment`) moved to its field.
    fn upgraded(mut self) -> Receipt {
        if self.environment.is_none()
            && let Some(plan) = self
                .options
                .get(OLD_ENVIRONMENT_OPTION)
                .and_then(|v| serde_json::from_value(v.clone()).ok())
        {
            self.options.remove(OLD_ENVIRONMENT_OPTION);
            self.environment = Some(plan);
        }
        self
    }

    /// True when this receipt records the install `spec` asks for: same tool, version
    /// and options, the same `strip_components`, `post_install` and written files
    /// (which shape the tree), and the same bytes. The bytes are identified by content: when `spec`
    /// names a sha256, the receipt's must equal it and the URL does not matter (a
    /// mirror's copy of the same archive is the same install; the URL is provenance);
    /// without one, only the same URL can vouch for the bytes.
    pub(crate) fn matches_spec(&self, spec: &ToolSpec) -> bool {
        // Any packing the lock names is the same tree (`ToolSpec::alternatives`).
        let same_bytes = match &spec.sha256 {
            Some(_) => spec.packs_as(&self.sha256),
            None => self.url == spec.url,
        };
        self.tool == spec.name
            && self.version == spec.version
            && same_bytes
            && self.options == spec.options
            && self.environment == spec.needs.environment
            && self.strip_components == spec.strip_components
            && self.post_install == spec.post_install
            && self.write == spec.write
    }
}

/// Where a receipt of an older vx recorded a runtime tool's environment: among the
/// options, which now hold the user's keys only ([`Receipt::upgraded`]).
pub(super) const OLD_ENVIRONMENT_OPTION: &str = "environment";

/// Reads the receipt of an installed tree; `None` when absent, unreadable, oversized
/// or malformed (the tree is then treated as not installed and replaced).
pub fn read_receipt(tree: &Path) -> Option<Receipt> {
    let bytes = vx_base::bounded_read::read(&tree.join(RECEIPT_FILE), MAX_RECEIPT_BYTES).ok()?;
    serde_json::from_slice::<Receipt>(&bytes)
        .ok()
        .map(Receipt::upgraded)
}

/// Writes `receipt` into `tree` (before the tree is renamed into place).
pub fn write_receipt(tree: &Path, receipt: &Receipt) -> io::Result<()> {
    let json = serde_json::to_vec_pretty(receipt).map_err(io::Error::other)?;
    fs::write(tree.join(RECEIPT_FILE), json)
}

/// Clears the UNVERIFIED mark of the installed `tree` once its bytes are pinned: a
/// lock now records `sha256`, and the receipt's hash (computed from the bytes that were
/// installed) is that one. Replaces the receipt atomically; a receipt that is missing,
/// already verified or of other bytes is left alone. Best effort: `false` when nothing
/// was changed.
pub fn mark_pinned(tree: &Path, sha256: &str) -> bool {
    let Some(mut receipt) = read_receipt(tree).filter(|r| r.unverified && r.sha256 == sha256)
    else {
        return false;
    };
    receipt.unverified = false;
    replace_receipt(tree, &receipt).is_ok()
}

/// Replaces the receipt of the installed `tree` with `receipt`, atomically.
pub(crate) fn replace_receipt(tree: &Path, receipt: &Receipt) -> io::Result<()> {
    let json = serde_json::to_vec_pretty(receipt).map_err(io::Error::other)?;
    vx_base::atomic::write(&tree.join(RECEIPT_FILE), &json)
}

/// Records in the installed `tree`'s receipt that its bytes (`sha256`) were verified
/// with `verified` (a lock entry's record: the install from that entry fetched no
/// signature). A receipt that is missing, of other bytes or already saying so is left
/// alone. Best effort: `false` when nothing was changed.
pub fn mark_verified(tree: &Path, sha256: &str, verified: &str) -> bool {
    let Some(mut receipt) = read_receipt(tree)
        .filter(|r| r.sha256 == sha256 && r.verified.as_deref() != Some(verified))
    else {
        return false;
    };
    receipt.verified = Some(verified.to_owned());
    replace_receipt(tree, &receipt).is_ok()
}
