//! `vx.lock`: per tool and platform, the URL, SHA-256 and size `vx` downloaded, plus two
//! hashes of the tool's manifest table so that editing one tool marks only that tool
//! stale, and only as stale as the edit: `inputs` covers what decides the downloaded
//! bytes (version, URLs, checksums, formats), `layout` what shapes the tree unpacked from
//! them (`bin`, `strip_components`, `post_install`, `options`), which is re-recorded
//! without downloading anything. Written atomically, sorted, byte-identical when nothing
//! changed, never empty; read strictly (unknown keys, a bad hash or an unknown format
//! version are errors at file:line:col).
//!
//! ```toml
//! # vx.lock — written by `vx lock` / `vx sync`; do not edit
//! version = 1
//!
//! [tools.ripgrep]
//! version = "14.1.1"
//! inputs = "sha256:…"
//! layout = "sha256:…"
//!
//! [tools.ripgrep.platforms.linux-x86_64]
//! url = "https://…"
//! sha256 = "…"
//! size = 2566310
//!
//! [tools.ripgrep.platforms.macos-aarch64]   # an older version's entry that a sync
//! url = "https://…"                         # could not re-lock: kept, never used
//! sha256 = "…"
//! stale = true
//! ```
//!
//! A sync never removes a platform from the lock: a tool re-locked for a new version is
//! re-locked for every platform its entry covered, and an entry that could not be is
//! kept with `stale = true` (which no install uses) until `vx lock` succeeds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::manifest::{Location, Manifest, Platform, ToolTable};
use vx_base::validate;

/// The newest format version this `vx` reads and writes. Version 2 marks a lock holding
/// a language-registry tool (`npm:`, `pypi:`, `cargo:`, `go:` packages: their
/// `integrity`, `h1`, `environment` and the layouts only their resolvers know), which a
/// vx of version 1 must refuse rather than take for a plain download; a lock without
/// one is still written as version 1, byte for byte as before, and every version up to
/// this one is read.
pub(crate) const LOCK_VERSION: i64 = 2;
/// The version of a lock that holds no language-registry tool.
const PLAIN_LOCK_VERSION: i64 = 1;
/// Largest lock file read.
pub const MAX_LOCK_BYTES: u64 = 16 << 20;
/// The first line of every lock file.
const HEADER: &str = "# vx.lock — written by `vx lock` / `vx sync`; do not edit\n";

/// One platform's locked download.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Asset {
    /// The resolved URL.
    pub url: String,
    /// Its SHA-256, lower-case hex; absent only when `integrity` pins the bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// The registry's Subresource Integrity value of the download (npm's
    /// `sha512-<base64>`, as its packument and package-lock.json write it), for a
    /// language registry that publishes no SHA-256: the download is checked against
    /// it ([`vx_net::verify::integrity`]), and the lock needs no download to be made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrity: Option<String>,
    /// A `go:` tool's module hash as Go's `go.sum` writes it (`h1:<base64 sha256>`,
    /// [`vx_net::verify::gosum`]), computed from the module's `.zip` when it was
    /// locked: the build checks Go's own record of the module against it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub h1: Option<String>,
    /// Its size in bytes, when `vx` downloaded it (not when the manifest gave the hash).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// An entry of an older resolution of the tool, kept because re-locking this
    /// platform failed: recorded so that no platform silently drops out of the lock,
    /// never installed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stale: bool,
    /// A registry tool's archive format on this platform (the registry's, so an
    /// install needs no registry).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// A registry tool's executables on this platform: paths inside the install, or
    /// `NAME=PATH` where the command's name differs from the file's (`NAME==PATH` for a
    /// hard link, [`vx_base::bin_entry`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bin: Option<Vec<String>>,
    /// Where a registry tool's sha256 came from: `checksum-file:URL`, `github-digest`
    /// or `download` (vx fetched the archive and hashed it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
    /// What this platform's download was verified with when it was locked
    /// (`minisign:KEYID`, `cosign:sha256:FINGERPRINT`, comma-separated): an install
    /// from this entry checks the sha256 only and fetches no signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<String>,
    /// The registry `variants` that chose this platform's download (aqua's
    /// `libc musl`), when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// The same tree packed otherwise, each with its sha256 from the same checksum
    /// file (nodejs.org's `.tar.gz` beside the `.tar.xz`): an install takes whichever
    /// unpacks soonest on its link, so one lock serves a laptop and a CI runner alike.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<crate::spec::Alternative>,
}

impl Asset {
    /// A fresh entry.
    pub fn new(url: String, sha256: String, size: Option<u64>) -> Asset {
        Asset {
            url,
            sha256: Some(sha256),
            integrity: None,
            h1: None,
            size,
            stale: false,
            format: None,
            bin: None,
            checksum: None,
            verified: None,
            variant: None,
            alternatives: Vec::new(),
        }
    }

    /// A fresh entry pinned by a registry's SRI `integrity` alone (npm's sha512): the
    /// registry publishes no sha256, and nothing is downloaded to lock it.
    pub fn with_integrity(url: String, integrity: String) -> Asset {
        Asset {
            sha256: None,
            integrity: Some(integrity),
            ..Asset::new(url, String::new(), None)
        }
    }

    /// Makes `spec` install this entry: its URL, sha256 and size, and what verified
    /// it when it was locked (no signature is fetched again: the lock pins the bytes).
    pub fn apply_to(&self, spec: &mut crate::spec::ToolSpec) {
        spec.url = self.url.clone();
        spec.sha256 = self.sha256.clone();
        spec.integrity = self.integrity.clone();
        spec.size = self.size;
        spec.verify = None;
        spec.verified = self.verified.clone();
    }

    /// What [`Lock::parse`] would refuse in this entry (credentials in its URLs, its
    /// sha256, format or `bin`), said without a location: checked before an entry is
    /// recorded and again before a lock is written, so `vx lock` never writes a lock
    /// that every later command refuses, nor a secret into a shared file.
    pub fn problem(&self) -> Option<String> {
        if let Some(problem) = credentials_of(&self.url, self.checksum.as_deref()) {
            return Some(problem);
        }
        for alt in &self.alternatives {
            if let Some(problem) = credentials_of(&alt.url, None) {
                return Some(problem);
            }
            if let Err(e) = validate::sha256(&alt.sha256) {
                return Some(e.to_string());
            }
        }
        if let Some(Err(problem)) = self.h1.as_deref().map(vx_base::validate::go_module_hash) {
            return Some(problem.to_string());
        }
        match (&self.sha256, &self.integrity) {
            (None, None) => return Some("neither a sha256 nor an integrity".to_owned()),
            (Some(sha256), _) if validate::sha256(sha256).is_err() => {
                return validate::sha256(sha256).err().map(|e| e.to_string());
            }
            (_, Some(value)) if vx_net::verify::integrity::check(value).is_err() => {
                return vx_net::verify::integrity::check(value)
                    .err()
                    .map(|e| e.to_string());
            }
            _ => {}
        }
        if let Some(format) = &self.format
            && vx_base::format::ArchiveFormat::from_name(format).is_none()
        {
            return Some(format!("unknown archive format {format:?}"));
        }
        if let Some(bin) = &self.bin
            && let Err(e) = validate::bin(bin)
        {
            return Some(e.to_string());
        }
        None
    }
}

/// Why a URL (or a `checksum-file:URL` source) cannot go into a lock: it carries a user
/// name, password or token (`user:password@host`). A lock is committed and shared;
/// credentials belong in the user's own files. The URL is shown with them hidden.
pub fn credentials_in(url: &str) -> Option<String> {
    validate::has_userinfo(url).then(|| {
        format!(
            "{} holds credentials (user:password@), which a lock never records (it is shared): give them in a netrc file or the user config's [http.headers.\"HOST\"]",
            vx_text::sanitize(&validate::shorten(&validate::hide_userinfo(url)))
        )
    })
}

/// [`credentials_in`] of an entry's URL, then of its checksum source.
fn credentials_of(url: &str, checksum: Option<&str>) -> Option<String> {
    std::iter::once(url)
        .chain(checksum)
        .find_map(credentials_in)
}

/// Which registry a tool was resolved from, and at what: pinned so that the same lock
/// resolves the same way (`vx registry update` moves it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryPin {
    /// The registry's ref (`v4.554.0` for the standard one; a path registry's path).
    #[serde(rename = "ref")]
    pub git_ref: String,
    /// `sha256:` of the registry file it was read from.
    pub sha256: String,
}

/// One tool's entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LockedTool {
    /// The version locked.
    pub version: String,
    /// [`ToolTable::download_inputs`] when it was locked.
    pub inputs: String,
    /// [`ToolTable::layout_inputs`] when it was locked (absent in locks of older
    /// builds: then re-recorded, without a download).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layout: Option<String>,
    /// A registry tool's version constraint as vx.toml wrote it when locked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
    /// A registry tool's package: `REGISTRY:NAME` (`standard:BurntSushi/ripgrep`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// A registry tool's release tag (`v2.63.0`), which `version` names without its
    /// prefix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// The registry the package was read from, and at what.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry: Option<RegistryPin>,
    /// A loss of provenance allowed when this version was locked
    /// (`--allow-provenance-loss`): what verified the version before, and what this
    /// one offers (`minisign:1F4DC68D4C9CC05 (1.0) → nothing (2.0)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance_loss: Option<String>,
    /// The downloads, by `os-arch`.
    pub platforms: BTreeMap<String, Asset>,
    /// Platforms a registry tool has no download for, with the registry's reason.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub unsupported: BTreeMap<String, String>,
    /// A language-registry tool that runs on its runtime: the environment it is
    /// installed into, its whole dependency set pinned by hash
    /// (`vx_engine::resolution::backend`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
}

/// The environment of a tool that runs on a language runtime (`npm:prettier` on node,
/// `pypi:black` on python): the runtime's tool and the dependency set its package
/// manager installs, as that manager's own lockfile text (npm's `package-lock.json`;
/// pip's `--require-hashes` requirements), every file pinned by its registry's hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Environment {
    /// The project's tool that is its runtime (`node`, `python`).
    pub runtime: String,
    /// The runtime's version the set was resolved with.
    pub runtime_version: String,
    /// The registry or index it was resolved from, as configured (before
    /// `url_replacements`; never with credentials).
    pub registry: String,
    /// Packages whose install scripts run (npm's `allow_builds`); empty: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_builds: Vec<String>,
    /// The package manager's lockfile, as it wrote it.
    pub lockfile: String,
    /// When the project names no such runtime: vx's own (`runtime:node` at `lts`,
    /// `runtime:python` at `latest`), locked here as a tool's entry is, so the tool
    /// installs with the same runtime bytes everywhere (`vx_engine::resolution::backend`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub own_runtime: Option<Box<LockedTool>>,
    /// A PyPI tool's installer: vx's uv (astral-sh/uv's release build), locked here as
    /// a tool's entry is, which builds the environment from `lockfile`; absent (or
    /// without a build for a platform): python's own pip does
    /// (`vx_engine::install::environment`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installer: Option<Box<LockedTool>>,
}

/// The name the installer of an [`Environment`] goes by, as a tool: vx's uv. Here, below
/// the mirrors that carry it in a bundle and the backend that locks it.
pub const INSTALLER_NAME: &str = "uv";

/// [`Environment`] as read: its runtime's entry checked as any tool's.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnvironment {
    runtime: String,
    runtime_version: String,
    registry: String,
    #[serde(default)]
    allow_builds: Vec<String>,
    lockfile: String,
    own_runtime: Option<Box<RawTool>>,
    installer: Option<Box<RawTool>>,
}

impl LockedTool {
    /// Whether this entry was locked from `tool`'s current download inputs (or, in a
    /// lock of an earlier build, from the same whole table).
    fn downloads_current(&self, tool: &ToolTable) -> bool {
        self.version == tool.version
            && (self.inputs == tool.download_inputs() || self.is_legacy_of(tool))
    }

    /// Every record of what verified this entry's downloads (`minisign:KEYID`, …), over
    /// its platforms that are not kept stale: sorted, each once.
    pub fn verified_records(&self) -> Vec<&str> {
        let mut records: Vec<&str> = self
            .platforms
            .values()
            .filter(|asset| !asset.stale)
            .filter_map(|asset| asset.verified.as_deref())
            .flat_map(|records| records.split(','))
            .collect();
        records.sort_unstable();
        records.dedup();
        records
    }

    /// Whether this entry comes from a lock of an earlier build (no `layout`) whose
    /// `inputs` hashed `tool`'s table as it is now.
    fn is_legacy_of(&self, tool: &ToolTable) -> bool {
        self.layout.is_none() && tool.legacy_inputs().is_some_and(|l| l == self.inputs)
    }
}

/// A whole lock file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lock {
    /// The registries the project resolves through, pinned (`[registries.standard]`).
    pub registries: BTreeMap<String, RegistryPin>,
    /// The tools, by name.
    pub tools: BTreeMap<String, LockedTool>,
}

/// Why a lock file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// It could not be read.
    #[error("{}: cannot read the lock: {source}", path.display())]
    Read {
        /// The lock path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Its content is invalid (a merge's conflict markers, bad TOML, a format this vx
    /// does not read): `vx lock` writes it again from vx.toml, which the message says.
    #[error("{}{}: {problem}; run `vx lock` to write it again", path.display(), location.map(|l| format!(":{}:{}", l.line, l.column)).unwrap_or_default())]
    Invalid {
        /// The lock path.
        path: PathBuf,
        /// Where, when somewhere in particular.
        location: Option<Location>,
        /// What is wrong.
        problem: String,
    },
    /// An entry vx was about to write is one no later read would take (or holds
    /// credentials): nothing is written.
    #[error("{}: not written: {entry}: {problem}", path.display())]
    Refused {
        /// The lock path.
        path: PathBuf,
        /// `TOOL on PLATFORM`.
        entry: String,
        /// What is wrong with it.
        problem: String,
    },
    /// It was written by a newer vx, in a format this one does not know: refused
    /// rather than misread (and `vx lock` does not write it over in an older format).
    #[error("{}:{}:{}: lock format version {found} was written by a newer vx (this one reads versions 1 to {LOCK_VERSION}): update vx (`vx self-update`)", path.display(), location.line, location.column)]
    Newer {
        /// The lock path.
        path: PathBuf,
        /// Where its `version` is.
        location: Location,
        /// The version it says.
        found: i64,
    },
    /// It could not be written.
    #[error("{}: cannot write the lock: {source}", path.display())]
    Write {
        /// The lock path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl LockError {
    /// Where and why the lock's content is invalid (`PATH:LINE:COL: why`), without the
    /// advice to run `vx lock`: for `vx lock` itself, which writes it again. `None`
    /// for a lock that could not be read or written at all.
    pub fn invalid_content(&self) -> Option<String> {
        match self {
            LockError::Invalid {
                path,
                location,
                problem,
            } => Some(format!(
                "{}{}: {problem}",
                path.display(),
                location
                    .map(|l| format!(":{}:{}", l.line, l.column))
                    .unwrap_or_default()
            )),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLock {
    version: Spanned<i64>,
    #[serde(default)]
    registries: BTreeMap<String, RegistryPin>,
    #[serde(default)]
    tools: BTreeMap<String, RawTool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTool {
    version: String,
    inputs: Spanned<String>,
    layout: Option<Spanned<String>>,
    constraint: Option<String>,
    package: Option<String>,
    tag: Option<String>,
    registry: Option<RegistryPin>,
    provenance_loss: Option<String>,
    #[serde(default)]
    platforms: BTreeMap<Spanned<String>, RawAsset>,
    #[serde(default)]
    unsupported: BTreeMap<Spanned<String>, String>,
    environment: Option<RawEnvironment>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAsset {
    url: Spanned<String>,
    sha256: Option<Spanned<String>>,
    integrity: Option<Spanned<String>>,
    h1: Option<Spanned<String>>,
    size: Option<u64>,
    #[serde(default)]
    stale: bool,
    format: Option<Spanned<String>>,
    bin: Option<Vec<String>>,
    checksum: Option<String>,
    verified: Option<String>,
    variant: Option<String>,
    #[serde(default)]
    alternatives: Vec<RawAlternative>,
}

/// The most other packings one locked download may list (a publisher has two or three).
const MAX_ALTERNATIVES: usize = 4;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlternative {
    url: Spanned<String>,
    sha256: Spanned<String>,
    format: Spanned<String>,
}

#[derive(Serialize)]
struct Written<'a> {
    version: i64,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    registries: &'a BTreeMap<String, RegistryPin>,
    tools: &'a BTreeMap<String, LockedTool>,
}

/// What makes a lock error at a span of `text` (the lock at `path`; `None`: no place).
fn invalid_in<'a>(
    text: &'a str,
    path: &'a Path,
) -> impl Fn(Option<std::ops::Range<usize>>, String) -> LockError + 'a {
    move |span, problem| LockError::Invalid {
        path: path.to_owned(),
        location: span.map(|s| Location::from_offset(text, s.start)),
        problem,
    }
}

/// One tool's entry as read, checked (its hashes, platforms, formats, URLs).
fn tool_of(tool: RawTool, text: &str, path: &Path) -> Result<LockedTool, LockError> {
    let invalid = invalid_in(text, path);
    if !is_input_hash(tool.inputs.get_ref()) {
        return Err(invalid(
            Some(tool.inputs.span()),
            "`inputs` must be sha256: and 64 hex digits".to_owned(),
        ));
    }
    if let Some(layout) = tool.layout.as_ref().filter(|l| !is_input_hash(l.get_ref())) {
        return Err(invalid(
            Some(layout.span()),
            "`layout` must be sha256: and 64 hex digits".to_owned(),
        ));
    }
    let mut platforms = BTreeMap::new();
    for (platform, asset) in tool.platforms {
        platform
            .get_ref()
            .parse::<Platform>()
            .map_err(|e| invalid(Some(platform.span()), e.to_string()))?;
        platforms.insert(platform.into_inner(), asset_of(asset, text, path)?);
    }
    let mut unsupported = BTreeMap::new();
    for (platform, reason) in tool.unsupported {
        platform
            .get_ref()
            .parse::<Platform>()
            .map_err(|e| invalid(Some(platform.span()), e.to_string()))?;
        unsupported.insert(platform.into_inner(), reason);
    }
    let environment = match tool.environment {
        None => None,
        Some(raw) => Some(Environment {
            runtime: raw.runtime,
            runtime_version: raw.runtime_version,
            registry: raw.registry,
            allow_builds: raw.allow_builds,
            lockfile: raw.lockfile,
            own_runtime: match raw.own_runtime {
                None => None,
                Some(entry) => Some(Box::new(tool_of(*entry, text, path)?)),
            },
            installer: match raw.installer {
                None => None,
                Some(entry) => Some(Box::new(tool_of(*entry, text, path)?)),
            },
        }),
    };
    Ok(LockedTool {
        version: tool.version,
        inputs: tool.inputs.into_inner(),
        layout: tool.layout.map(Spanned::into_inner),
        constraint: tool.constraint,
        package: tool.package,
        tag: tool.tag,
        registry: tool.registry,
        provenance_loss: tool.provenance_loss,
        platforms,
        unsupported,
        environment,
    })
}

/// One platform's asset of a lock entry, each field checked where `text` (the lock at
/// `path`) has it: its URL without credentials, a hash it can be checked by, a known
/// archive format, at most [`MAX_ALTERNATIVES`] alternatives, each checked alike.
fn asset_of(asset: RawAsset, text: &str, path: &Path) -> Result<Asset, LockError> {
    let invalid = invalid_in(text, path);
    if let Some(problem) = credentials_of(asset.url.get_ref(), asset.checksum.as_deref()) {
        return Err(invalid(Some(asset.url.span()), problem));
    }
    let sha256 = match &asset.sha256 {
        Some(hex) => Some(
            validate::sha256(hex.get_ref())
                .map_err(|e| invalid(Some(hex.span()), e.to_string()))?,
        ),
        None => None,
    };
    if let Some(value) = &asset.integrity {
        vx_net::verify::integrity::check(value.get_ref())
            .map_err(|e| invalid(Some(value.span()), e.to_string()))?;
    }
    if let Some(value) = &asset.h1 {
        vx_base::validate::go_module_hash(value.get_ref())
            .map_err(|e| invalid(Some(value.span()), e.to_string()))?;
    }
    if sha256.is_none() && asset.integrity.is_none() {
        return Err(invalid(
            Some(asset.url.span()),
            "the entry has neither `sha256` nor `integrity`".to_owned(),
        ));
    }
    if let Some(format) = &asset.format
        && vx_base::format::ArchiveFormat::from_name(format.get_ref()).is_none()
    {
        return Err(invalid(
            Some(format.span()),
            format!("unknown archive format {:?}", format.get_ref()),
        ));
    }
    if let Some(bin) = &asset.bin {
        validate::bin(bin).map_err(|e| invalid(None, e.to_string()))?;
    }
    if asset.alternatives.len() > MAX_ALTERNATIVES {
        return Err(invalid(
            Some(asset.url.span()),
            format!("more than {MAX_ALTERNATIVES} alternatives"),
        ));
    }
    let mut alternatives = Vec::new();
    for alt in asset.alternatives {
        if let Some(problem) = credentials_of(alt.url.get_ref(), None) {
            return Err(invalid(Some(alt.url.span()), problem));
        }
        validate::url(alt.url.get_ref())
            .map_err(|e| invalid(Some(alt.url.span()), e.to_string()))?;
        let sha256 = validate::sha256(alt.sha256.get_ref())
            .map_err(|e| invalid(Some(alt.sha256.span()), e.to_string()))?;
        let format =
            vx_base::format::ArchiveFormat::from_name(alt.format.get_ref()).ok_or_else(|| {
                invalid(
                    Some(alt.format.span()),
                    format!("unknown archive format {:?}", alt.format.get_ref()),
                )
            })?;
        alternatives.push(crate::spec::Alternative {
            url: alt.url.into_inner(),
            sha256,
            format,
        });
    }
    Ok(Asset {
        url: asset.url.into_inner(),
        sha256,
        integrity: asset.integrity.map(Spanned::into_inner),
        h1: asset.h1.map(Spanned::into_inner),
        size: asset.size,
        stale: asset.stale,
        format: asset.format.map(Spanned::into_inner),
        bin: asset.bin,
        checksum: asset.checksum,
        verified: asset.verified,
        variant: asset.variant,
        alternatives,
    })
}

/// The line (from 1) of the first merge conflict marker in `text`, if any: a line that
/// starts with seven `<`, `=`, `|` or `>` (git's markers, diff3's too), which no TOML
/// line does.
fn conflict_marker(text: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            ["<<<<<<<", "=======", "|||||||", ">>>>>>>"]
                .iter()
                .any(|marker| line.starts_with(marker))
        })
        .map(|i| i + 1)
}

/// Whether `value` is `sha256:` and 64 hex digits.
fn is_input_hash(value: &str) -> bool {
    value
        .strip_prefix("sha256:")
        .is_some_and(|hex| validate::sha256(hex).is_ok())
}

impl Lock {
    /// Reads the lock at `path`; `Ok(None)` when there is none.
    pub fn load(path: &Path) -> Result<Option<Lock>, LockError> {
        let shared = Lock::load_file(path)?;
        let Some(local) = local_beside(path) else {
            return Ok(shared);
        };
        // The person's layer (`vx.local.toml`) is locked beside: its entries win.
        match Lock::load_file(&local)? {
            None => Ok(shared),
            Some(layer) => {
                let mut lock = shared.unwrap_or_default();
                lock.registries.extend(layer.registries);
                lock.tools.extend(layer.tools);
                Ok(Some(lock))
            }
        }
    }

    /// One lock file as it is, without the personal layer's.
    fn load_file(path: &Path) -> Result<Option<Lock>, LockError> {
        let read_err = |source| LockError::Read {
            path: path.to_owned(),
            source,
        };
        let invalid = |location, problem: String| LockError::Invalid {
            path: path.to_owned(),
            location,
            problem,
        };
        let bytes = match vx_base::bounded_read::read(path, MAX_LOCK_BYTES) {
            Ok(bytes) => bytes,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(vx_base::bounded_read::ReadError::TooLarge { .. }) => {
                return Err(invalid(None, format!("over {MAX_LOCK_BYTES} bytes")));
            }
            Err(e) => return Err(read_err(e.into())),
        };
        let text =
            String::from_utf8(bytes).map_err(|_| invalid(None, "not valid UTF-8".to_owned()))?;
        Lock::parse(path, &text).map(Some)
    }

    /// Parses lock text; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Lock, LockError> {
        let at = |span: std::ops::Range<usize>| Some(Location::from_offset(text, span.start));
        let invalid = |location, problem: String| LockError::Invalid {
            path: path.to_owned(),
            location,
            problem,
        };
        if let Some(line) = conflict_marker(text) {
            return Err(invalid(
                Some(Location { line, column: 1 }),
                "holds a merge's conflict markers (<<<<<<<, =======, >>>>>>>)".to_owned(),
            ));
        }
        let raw: RawLock = toml::from_str(text).map_err(|e| {
            invalid(
                e.span().and_then(at),
                e.message().trim().replace('\n', "; "),
            )
        })?;
        if *raw.version.get_ref() > LOCK_VERSION {
            return Err(LockError::Newer {
                path: path.to_owned(),
                location: Location::from_offset(text, raw.version.span().start),
                found: *raw.version.get_ref(),
            });
        }
        if *raw.version.get_ref() < PLAIN_LOCK_VERSION {
            return Err(invalid(
                at(raw.version.span()),
                format!(
                    "lock format version {} is not one this vx reads (it reads 1 to {LOCK_VERSION})",
                    raw.version.get_ref()
                ),
            ));
        }
        let mut tools = BTreeMap::new();
        for (name, tool) in raw.tools {
            tools.insert(name, tool_of(tool, text, path)?);
        }
        Ok(Lock {
            registries: raw.registries,
            tools,
        })
    }

    /// The format version the lock is written in: [`LOCK_VERSION`] when it holds a
    /// language-registry tool, which an older vx must refuse, else 1.
    pub(crate) fn format_version(&self) -> i64 {
        let language = self.tools.values().any(|t| {
            t.package
                .as_deref()
                .is_some_and(|p| matches!(crate::package_name::Name::parse(p), Ok(Some(_))))
        });
        if language {
            LOCK_VERSION
        } else {
            PLAIN_LOCK_VERSION
        }
    }

    /// The lock as its file's text: the header, then sorted TOML.
    pub fn to_text(&self) -> String {
        let body = toml::to_string(&Written {
            version: self.format_version(),
            registries: &self.registries,
            tools: &self.tools,
        })
        .expect("a lock serializes");
        format!("{HEADER}{body}")
    }

    /// Writes the lock to `path` atomically (a temporary file beside it, then a
    /// rename); leaves the file untouched when its bytes would not change, and writes
    /// nothing when the lock records no download ([`Lock::is_empty`]).
    pub fn write(&self, path: &Path) -> Result<(), LockError> {
        // A lock that records nothing (a first sync that failed or was interrupted)
        // is not written: an empty file would only look like a lock. One that existed
        // is emptied, though: the manifest no longer lists what it held.
        if self.is_empty() && !path.exists() {
            return Ok(());
        }
        self.write_text(path)
    }

    /// [`Lock::write`] for `manifest`, beside it: a manifest that lists no tools (only
    /// `[env]` or `[scripts]`) gets its lock too, empty, since that is the whole truth
    /// (as cargo writes a Cargo.lock for a crate without dependencies); `vx lock
    /// --check` and `vx doctor` then find it.
    pub fn write_for(&self, manifest: &crate::manifest::Manifest) -> Result<(), LockError> {
        let path = manifest.lock_path();
        if manifest.tools.is_empty() {
            self.write_text(&path)
        } else {
            self.write(&path)
        }
    }

    /// The lock's text written to `path`, unless the file holds it already. An entry
    /// that a later read would refuse, or that holds credentials, is not written: the
    /// error names its tool and platform.
    fn write_text(&self, path: &Path) -> Result<(), LockError> {
        for (name, tool) in &self.tools {
            for (platform, asset) in &tool.platforms {
                if let Some(problem) = asset.problem() {
                    return Err(LockError::Refused {
                        path: path.to_owned(),
                        entry: format!("{name} on {platform}"),
                        problem,
                    });
                }
            }
        }
        let Some(local) = local_beside(path) else {
            return write_if_changed(path, &self.to_text());
        };
        // The tools of the person's `vx.local.toml` go to `vx.local.lock`; vx.lock keeps
        // what it held for a tool the layer replaces, so the team's lock never changes
        // because of one person's layer.
        let names = crate::manifest::local::tool_names(path.parent().unwrap_or(Path::new(".")));
        let on_disk = Lock::load_file(path).ok().flatten().unwrap_or_default();
        let mut shared = Lock {
            registries: self.registries.clone(),
            tools: BTreeMap::new(),
        };
        let mut layer = shared.clone();
        for (name, tool) in &self.tools {
            if names.contains(name) {
                layer.tools.insert(name.clone(), tool.clone());
                if let Some(team) = on_disk.tools.get(name) {
                    shared.tools.insert(name.clone(), team.clone());
                }
            } else {
                shared.tools.insert(name.clone(), tool.clone());
            }
        }
        write_if_changed(path, &shared.to_text())?;
        if layer.tools.is_empty() {
            return match std::fs::remove_file(&local) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(LockError::Write {
                    path: local,
                    source: e,
                }),
                _ => Ok(()),
            };
        }
        write_if_changed(&local, &layer.to_text())
    }

    /// The locked download of `tool` on `platform`, when the entry's download is fresh:
    /// same version, the same download inputs as when it was locked, and not kept
    /// stale. (Its layout may differ: see [`Lock::layout_fresh`].)
    pub fn fresh(&self, tool: &ToolTable, platform: &Platform) -> Option<&Asset> {
        let entry = self.tools.get(&tool.name)?;
        if !entry.downloads_current(tool) {
            return None;
        }
        let usable = |p: &Platform| entry.platforms.get(&p.to_string()).filter(|a| !a.stale);
        // A URL of the user's own is the same on a musl platform as on its glibc
        // twin (see `ToolTable::platform_override`): so is its locked download.
        usable(platform).or_else(|| {
            (platform.is_musl() && tool.registry.is_none())
                .then(|| usable(&platform.default_libc()))
                .flatten()
        })
    }

    /// Whether the entry of `tool` records its current layout (`bin`,
    /// `strip_components`, …).
    pub fn layout_fresh(&self, tool: &ToolTable) -> bool {
        self.tools.get(&tool.name).is_some_and(|e| match &e.layout {
            Some(layout) => *layout == tool.layout_inputs(),
            None => e.is_legacy_of(tool),
        })
    }

    /// The tools of `manifest` whose entry is not fresh for every one of `platforms`
    /// the tool is for (a download missing or stale, or an outdated layout), in
    /// manifest order.
    pub fn stale<'m>(&self, manifest: &'m Manifest, platforms: &[Platform]) -> Vec<&'m ToolTable> {
        manifest
            .tools
            .iter()
            .filter(|tool| {
                let ours = tool.platforms_of(platforms);
                // A registry tool's platform without a download has nothing to lock.
                let unsupported = |p: &Platform| {
                    tool.platforms
                        .get(p)
                        .is_some_and(|o| o.unsupported.is_some())
                };
                (!ours.is_empty() && !self.layout_fresh(tool))
                    || ours
                        .iter()
                        .any(|p| !unsupported(p) && self.fresh(tool, p).is_none())
            })
            .collect()
    }

    /// The platforms the entry of `name` holds (fresh or not), by name.
    pub fn platforms_of(&self, name: &str) -> Vec<Platform> {
        self.tools.get(name).map_or_else(Vec::new, |entry| {
            entry
                .platforms
                .keys()
                .filter_map(|p| p.parse().ok())
                .collect()
        })
    }

    /// Records `asset` for `tool` on `platform`. When the entry was locked from other
    /// download inputs, it starts over at the tool's current version; the platforms it
    /// held are kept, marked stale, until each is recorded again: a platform never
    /// drops out of the lock unsaid.
    pub fn record(&mut self, tool: &ToolTable, platform: &Platform, asset: Asset) {
        self.renew(tool);
        if let Some(entry) = self.tools.get_mut(&tool.name) {
            entry.platforms.insert(platform.to_string(), asset);
        }
    }

    /// Makes the entry of `tool` current: created when missing; when its download
    /// inputs changed, moved to the new version with every platform it held marked
    /// stale; its layout recorded as the manifest's.
    pub fn renew(&mut self, tool: &ToolTable) {
        let inputs = tool.download_inputs();
        let layout = Some(tool.layout_inputs());
        let entry = self
            .tools
            .entry(tool.name.clone())
            .or_insert_with(|| LockedTool {
                version: tool.version.clone(),
                inputs: inputs.clone(),
                layout: layout.clone(),
                constraint: None,
                package: None,
                tag: None,
                registry: None,
                provenance_loss: None,
                platforms: BTreeMap::new(),
                unsupported: BTreeMap::new(),
                environment: None,
            });
        if !entry.downloads_current(tool) {
            entry.version = tool.version.clone();
            entry.provenance_loss = None;
            for asset in entry.platforms.values_mut() {
                asset.stale = true;
            }
        }
        entry.inputs = inputs;
        entry.layout = layout;
    }

    /// Records the manifest's layout of `tool` when its entry's download is current
    /// (a layout-only edit needs no download); an entry of other download inputs is
    /// left as it is, stale, for `vx lock` to renew.
    pub fn renew_layout(&mut self, tool: &ToolTable) {
        if let Some(entry) = self.tools.get_mut(&tool.name)
            && entry.downloads_current(tool)
        {
            entry.inputs = tool.download_inputs();
            entry.layout = Some(tool.layout_inputs());
        }
    }

    /// Drops the platforms of `tool`'s entry the tool is no longer for (its `os`).
    pub(crate) fn retain_platforms(&mut self, tool: &ToolTable) {
        if let Some(entry) = self.tools.get_mut(&tool.name) {
            entry
                .platforms
                .retain(|p, _| p.parse::<Platform>().is_ok_and(|p| tool.is_for(&p)));
        }
    }

    /// Whether the lock holds nothing (a file is never written then): no download
    /// and no registry pin.
    pub(crate) fn is_empty(&self) -> bool {
        self.registries.is_empty() && self.tools.values().all(|t| t.platforms.is_empty())
    }

    /// Drops the entries of tools the manifest no longer lists, and the platforms of
    /// each tool it is no longer for.
    pub fn retain_listed(&mut self, manifest: &Manifest) {
        self.tools.retain(|name, _| manifest.tool(name).is_some());
        for tool in &manifest.tools {
            self.retain_platforms(tool);
        }
    }
}

/// The lock of the personal layer beside the lock at `path` (`vx.local.lock` beside
/// `vx.lock`), while the layer (`vx.local.toml`) is there.
fn local_beside(path: &Path) -> Option<PathBuf> {
    if path.file_name()? != crate::manifest::LOCK_FILE {
        return None;
    }
    path.with_file_name(crate::manifest::local::LOCAL_FILE)
        .is_file()
        .then(|| path.with_file_name(LOCAL_LOCK_FILE))
}

/// Writes `text` to `path` unless the file holds it already.
fn write_if_changed(path: &Path, text: &str) -> Result<(), LockError> {
    if vx_base::bounded_read::read(path, MAX_LOCK_BYTES).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(());
    }
    vx_base::atomic::write(path, text.as_bytes()).map_err(|source| LockError::Write {
        path: path.to_owned(),
        source,
    })
}

/// The lock of the tools a person's `vx.local.toml` layers over the project
/// ([`crate::manifest::local`]), beside vx.lock and out of the repository as it is.
pub const LOCAL_LOCK_FILE: &str = "vx.local.lock";

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // A lock that could not be written, said once (the error names the file): an
    // entry no later read would take is the project's or its registry's fault (exit
    // 2), anything else the machine's.
    LockError => |e| match e {
        crate::lock::LockError::Refused { .. } => Error::usage(e),
        _ => Error::environment(e),
    };
}

#[cfg(test)]
mod tests;
