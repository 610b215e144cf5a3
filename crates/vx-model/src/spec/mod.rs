//! What to install: one tool, resolved to a concrete download. The manifest produces
//! these (one per `[tools.NAME]` table), `vx install TOOL@VERSION --url …` builds one
//! from its arguments, and the config frame carries one to each child, so the fields
//! are written down once.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use vx_base::format::ArchiveFormat;
use vx_base::validate::{self, FieldError};

pub mod needs;

pub use needs::Needs;

/// One tool to install, every field checked by [`ToolSpec::validate`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolSpec {
    /// The tool's name (the manifest's table key); fits a board slot's 32-byte name
    /// field (see [`validate::tool_name`]).
    pub name: String,
    /// The version to install, at most [`validate::MAX_VERSION`] bytes (a board slot
    /// shows a longer one than its 32-byte field cut, with a final `…`).
    pub version: String,
    /// The download URL, every `{version}` already replaced by [`ToolSpec::version`].
    pub url: String,
    /// The expected SHA-256 of the download, 64 lower-case hex digits, if given.
    pub sha256: Option<String>,
    /// The download's Subresource Integrity value as a registry publishes it (npm's
    /// `sha512-<base64>`), checked after the download like `sha256`
    /// ([`vx_net::verify::integrity`]): what pins a download whose registry gives no
    /// SHA-256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity: Option<String>,
    /// A Go module's hash as `go.sum` writes it (`h1:…`), when a lock records one: the
    /// download (the module's `.zip`) is checked against it as against `sha256`
    /// ([`vx_net::verify::gosum`]), so the hash Go's build is handed is the download's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub h1: Option<String>,
    /// The archive format: named, else inferred from the URL; `None` when neither says,
    /// in which case the installer sniffs the downloaded bytes.
    pub format: Option<ArchiveFormat>,
    /// Leading path components to drop from every archive entry (default 0).
    pub strip_components: u32,
    /// The tool's executables, paths inside the install; `None`: the executable files
    /// of `bin/` if it exists, else of the top level (resolved after unpacking).
    #[serde(default)]
    pub bin: Option<Vec<String>>,
    /// A shell command run (`sh -c`) inside the unpacked tree before it is moved into
    /// the store.
    pub post_install: Option<String>,
    /// The tool's free-form options (the manifest's other keys, as JSON), passed to the
    /// installer unchanged.
    pub options: BTreeMap<String, serde_json::Value>,
    /// The signatures to check over the download before it is installed (the
    /// manifest's `[tools.NAME.verify]`); `None` once a lock pins the bytes, whose
    /// entry records what was verified when they were locked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<vx_net::verify::Checks>,
    /// What verified these bytes' signatures when the lock recorded them
    /// (`minisign:KEYID`, …), so an install from that lock is shown as signed without
    /// fetching a signature again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<String>,
    /// Variables the tool sets for whoever uses it, each a path relative to its
    /// install (empty: the install itself): a runtime's `JAVA_HOME`. The toolchain
    /// makes them absolute and sets them where it sets `PATH`, before the project's
    /// `[env]`, which wins.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// The download's size in bytes when the lock records it: any source (a mirror,
    /// the origin) that announces more is refused before a byte is read, and one that
    /// sends more is cut off there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Files written into the tree once it is unpacked (a path inside the install →
    /// its text): a runtime's own configuration, such as node's `etc/npmrc` naming
    /// npm's global prefix outside the store. Only a runtime's layout gives them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub write: BTreeMap<String, String>,
    /// Directories outside the store (absolute) that go on `PATH` right after the
    /// tool's own: where a runtime's users install commands of their own (npm's
    /// global `bin`). Only a runtime's layout gives them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path_after: Vec<String>,
    /// Other packings of the same download, each checksummed as the lock pins it
    /// (nodejs.org's `.tar.gz` beside its `.tar.xz`): the install takes the one that
    /// arrives unpacked soonest on this link ([`ToolSpec::take_alternative`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<Alternative>,
    /// What vx's planner found it needs besides the download (the runtime it is built
    /// with, its environment): never read from vx.toml ([`needs`]).
    #[serde(default, skip_serializing_if = "Needs::is_empty")]
    pub needs: Needs,
}

/// Another packing of a download: the same tree at another URL, smaller or faster to
/// unpack. A publisher's checksum file names it, so a lock pins it as it pins the
/// first without downloading either.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alternative {
    /// Its URL.
    pub url: String,
    /// Its SHA-256, lower-case hex.
    pub sha256: String,
    /// How it is packed.
    pub format: ArchiveFormat,
}

impl ToolSpec {
    /// `name` at `version` from `url`, and nothing more: no sha256, the format from the
    /// bytes, nothing stripped, the executables found, no step, option or signature.
    /// The one place a spec is spelled out field by field; callers set what differs
    /// (`ToolSpec { sha256, ..ToolSpec::new(name, version, url) }`).
    pub fn new(
        name: impl Into<String>,
        version: impl Into<String>,
        url: impl Into<String>,
    ) -> ToolSpec {
        ToolSpec {
            name: name.into(),
            version: version.into(),
            url: url.into(),
            sha256: None,
            integrity: None,
            h1: None,
            format: None,
            strip_components: 0,
            bin: None,
            post_install: None,
            options: BTreeMap::new(),
            verify: None,
            verified: None,
            env: BTreeMap::new(),
            size: None,
            write: BTreeMap::new(),
            path_after: Vec::new(),
            alternatives: Vec::new(),
            needs: Needs::default(),
        }
    }

    /// This spec downloading its alternative `index` instead: the URL, sha256 and
    /// format swapped (the first packing becomes an alternative, so the receipt of
    /// either still matches the spec). What verified the first file at lock time says
    /// nothing of the other, so that record goes; its size is unknown.
    pub fn take_alternative(&mut self, index: usize) {
        let Some(alternative) = self.alternatives.get(index).cloned() else {
            return;
        };
        let Some(format) = self.format else {
            return;
        };
        let Some(sha256) = self.sha256.clone() else {
            return;
        };
        self.alternatives[index] = Alternative {
            url: std::mem::replace(&mut self.url, alternative.url),
            sha256,
            format,
        };
        self.sha256 = Some(alternative.sha256);
        self.format = Some(alternative.format);
        self.verified = None;
        self.size = None;
    }

    /// Whether `sha256` is the hash of one of this spec's packings.
    pub fn packs_as(&self, sha256: &str) -> bool {
        self.sha256.as_deref() == Some(sha256)
            || self.alternatives.iter().any(|a| a.sha256 == sha256)
    }

    /// Checks every field with the manifest's rules, lower-casing the sha256. Used on
    /// every spec that did not come from the manifest parser (which checks each value
    /// at its line): frames from a parent, `vx install` arguments.
    pub fn validate(&mut self) -> Result<(), FieldError> {
        validate::tool_name(&self.name)?;
        validate::version(&self.version)?;
        validate::url(&self.url)?;
        if let Some(hex) = &self.sha256 {
            self.sha256 = Some(validate::sha256(hex)?);
        }
        if let Some(value) = &self.integrity {
            vx_net::verify::integrity::check(value)
                .map_err(|e| FieldError::Integrity(e.to_string()))?;
        }
        if let Some(value) = &self.h1 {
            validate::go_module_hash(value)?;
        }
        validate::strip_components(u64::from(self.strip_components))?;
        if let Some(bin) = &self.bin {
            validate::bin(bin)?;
        }
        if let Some(cmd) = &self.post_install {
            validate::command(cmd)?;
        }
        for (name, path) in &self.env {
            validate::env_entry(name, path)?;
        }
        for (path, text) in &self.write {
            validate::written_file(path, text)?;
        }
        for dir in &self.path_after {
            validate::outside_dir(dir)?;
        }
        for alternative in &mut self.alternatives {
            validate::url(&alternative.url)?;
            alternative.sha256 = validate::sha256(&alternative.sha256)?;
        }
        for needed in [&mut self.needs.runtime, &mut self.needs.installer]
            .into_iter()
            .flatten()
        {
            needed.validate()?;
        }
        validate::options(&self.options)
    }
}
