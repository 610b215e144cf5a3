//! `vx.lock`: per tool and platform, the URL, SHA-256 and size `vx` downloaded, plus a
//! hash of the tool's manifest table (`inputs`) so that editing one tool marks only that
//! tool stale. Written atomically, sorted, byte-identical when nothing changed; read
//! strictly (unknown keys, a bad hash or an unknown format version are errors at
//! file:line:col).
//!
//! ```toml
//! # vx.lock — written by `vx lock` / `vx sync`; do not edit
//! version = 1
//!
//! [tools.ripgrep]
//! version = "14.1.1"
//! inputs = "sha256:…"
//!
//! [tools.ripgrep.platforms.linux-x86_64]
//! url = "https://…"
//! sha256 = "…"
//! size = 2566310
//! ```

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::manifest::{Location, Manifest, Platform, ToolTable};
use crate::validate;

/// The format version this `vx` reads and writes.
pub const LOCK_VERSION: i64 = 1;
/// Largest lock file read.
const MAX_LOCK_BYTES: u64 = 16 << 20;
/// The first line of every lock file.
const HEADER: &str = "# vx.lock — written by `vx lock` / `vx sync`; do not edit\n";

/// One platform's locked download.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Asset {
    /// The resolved URL.
    pub url: String,
    /// Its SHA-256, lower-case hex.
    pub sha256: String,
    /// Its size in bytes, when `vx` downloaded it (not when the manifest gave the hash).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// One tool's entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LockedTool {
    /// The version locked.
    pub version: String,
    /// `sha256:<hex>` of the tool's manifest table ([`inputs`]).
    pub inputs: String,
    /// The downloads, by `os-arch`.
    pub platforms: BTreeMap<String, Asset>,
}

/// A whole lock file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lock {
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
    /// Its content is invalid.
    #[error("{}{}: {problem}", path.display(), location.map(|l| format!(":{}:{}", l.line, l.column)).unwrap_or_default())]
    Invalid {
        /// The lock path.
        path: PathBuf,
        /// Where, when somewhere in particular.
        location: Option<Location>,
        /// What is wrong; regenerate with `vx lock`.
        problem: String,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLock {
    version: Spanned<i64>,
    #[serde(default)]
    tools: BTreeMap<String, RawTool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTool {
    version: String,
    inputs: Spanned<String>,
    #[serde(default)]
    platforms: BTreeMap<Spanned<String>, RawAsset>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAsset {
    url: String,
    sha256: Spanned<String>,
    size: Option<u64>,
}

#[derive(Serialize)]
struct Written<'a> {
    version: i64,
    tools: &'a BTreeMap<String, LockedTool>,
}

/// `sha256:<hex>` of the tool's manifest table (as canonical JSON): any change to the
/// table (version, URL, replacements, overrides, options…) changes it.
pub fn inputs(tool: &ToolTable) -> String {
    let json = serde_json::to_vec(tool).expect("a tool table serializes");
    format!("sha256:{}", hex::encode(Sha256::digest(json)))
}

impl Lock {
    /// Reads the lock at `path`; `Ok(None)` when there is none.
    pub fn load(path: &Path) -> Result<Option<Lock>, LockError> {
        let read_err = |source| LockError::Read {
            path: path.to_owned(),
            source,
        };
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(read_err(e)),
        };
        let mut bytes = Vec::new();
        file.take(MAX_LOCK_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(read_err)?;
        let invalid = |location, problem: String| LockError::Invalid {
            path: path.to_owned(),
            location,
            problem,
        };
        if bytes.len() as u64 > MAX_LOCK_BYTES {
            return Err(invalid(None, format!("over {MAX_LOCK_BYTES} bytes")));
        }
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
            problem: format!("{problem}; run `vx lock` to write it again"),
        };
        let raw: RawLock = toml::from_str(text).map_err(|e| {
            invalid(
                e.span().and_then(at),
                e.message().trim().replace('\n', "; "),
            )
        })?;
        if *raw.version.get_ref() != LOCK_VERSION {
            return Err(invalid(
                at(raw.version.span()),
                format!(
                    "lock format version {} is not one this vx reads (it reads {LOCK_VERSION})",
                    raw.version.get_ref()
                ),
            ));
        }
        let mut tools = BTreeMap::new();
        for (name, tool) in raw.tools {
            let inputs_ok = tool
                .inputs
                .get_ref()
                .strip_prefix("sha256:")
                .is_some_and(|hex| validate::sha256(hex).is_ok());
            if !inputs_ok {
                return Err(invalid(
                    at(tool.inputs.span()),
                    "`inputs` must be sha256: and 64 hex digits".to_owned(),
                ));
            }
            let mut platforms = BTreeMap::new();
            for (platform, asset) in tool.platforms {
                platform
                    .get_ref()
                    .parse::<Platform>()
                    .map_err(|e| invalid(at(platform.span()), e.to_string()))?;
                let sha256 = validate::sha256(asset.sha256.get_ref())
                    .map_err(|e| invalid(at(asset.sha256.span()), e.to_string()))?;
                platforms.insert(
                    platform.into_inner(),
                    Asset {
                        url: asset.url,
                        sha256,
                        size: asset.size,
                    },
                );
            }
            tools.insert(
                name,
                LockedTool {
                    version: tool.version,
                    inputs: tool.inputs.into_inner(),
                    platforms,
                },
            );
        }
        Ok(Lock { tools })
    }

    /// The lock as its file's text: the header, then sorted TOML.
    pub fn to_text(&self) -> String {
        let body = toml::to_string(&Written {
            version: LOCK_VERSION,
            tools: &self.tools,
        })
        .expect("a lock serializes");
        format!("{HEADER}{body}")
    }

    /// Writes the lock to `path` atomically (a temporary file beside it, then a
    /// rename); leaves the file untouched when its bytes would not change.
    pub fn write(&self, path: &Path) -> Result<(), LockError> {
        let text = self.to_text();
        if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
            return Ok(());
        }
        crate::atomic::write(path, text.as_bytes()).map_err(|source| LockError::Write {
            path: path.to_owned(),
            source,
        })
    }

    /// The locked download of `tool` on `platform`, when the entry is fresh: same
    /// version and the same manifest table as when it was locked.
    pub fn fresh(&self, tool: &ToolTable, platform: &Platform) -> Option<&Asset> {
        let entry = self.tools.get(&tool.name)?;
        (entry.version == tool.version && entry.inputs == inputs(tool))
            .then(|| entry.platforms.get(&platform.to_string()))
            .flatten()
    }

    /// The tools of `manifest` without a fresh entry for every one of `platforms`, in
    /// manifest order.
    pub fn stale<'m>(&self, manifest: &'m Manifest, platforms: &[Platform]) -> Vec<&'m ToolTable> {
        manifest
            .tools
            .iter()
            .filter(|tool| platforms.iter().any(|p| self.fresh(tool, p).is_none()))
            .collect()
    }

    /// Records `asset` for `tool` on `platform`, starting the tool's entry over when it
    /// was locked from a different manifest table.
    pub fn record(&mut self, tool: &ToolTable, platform: &Platform, asset: Asset) {
        let inputs = inputs(tool);
        let entry = self
            .tools
            .entry(tool.name.clone())
            .or_insert_with(|| LockedTool {
                version: tool.version.clone(),
                inputs: inputs.clone(),
                platforms: BTreeMap::new(),
            });
        if entry.version != tool.version || entry.inputs != inputs {
            *entry = LockedTool {
                version: tool.version.clone(),
                inputs,
                platforms: BTreeMap::new(),
            };
        }
        entry.platforms.insert(platform.to_string(), asset);
    }

    /// Drops the entries of tools the manifest no longer lists.
    pub fn retain_listed(&mut self, manifest: &Manifest) {
        self.tools.retain(|name, _| manifest.tool(name).is_some());
    }
}

#[cfg(test)]
mod tests;
