//! The driver of the registries whose packages vx builds from their source with the
//! project's runtime (`cargo:CRATE` with its `rust`, `go:MODULE/PATH` with its `go`:
//! [`super::cargo`], [`super::go`]), each a [`FromSource`]: the versions listed, one
//! version's source pinned by the registry's own hash, release binaries where the
//! registry names them, and the build its layout runs. The same source serves every
//! platform: each locked platform gets the one download; the build is the platform's
//! own command.

use std::collections::BTreeMap;
use std::rc::Rc;

use vx_base::format::ArchiveFormat;
use vx_model::lock::{Asset, Lock};
use vx_model::manifest::{Override, Platform, ToolTable};
use vx_sources::backend::Name;
use vx_sources::runtime::{Release, RuntimeError};

use super::super::ResolutionError;
use super::{Backend, Picked, Registries};

/// A registry whose packages are built from their source, as the driver asks it.
pub(super) trait FromSource: Backend {
    /// Every version it lists of `name`, as it writes them, in any order.
    fn listed(&self, r: &Registries<'_>, name: &Name) -> Result<Vec<String>, ResolutionError>;

    /// Whether `version` is a pseudo-version of an untagged commit (Go's), which is no
    /// pre-release: `go install MODULE@latest` takes it.
    fn is_pseudo(&self, version: &str) -> bool {
        let _ = version;
        false
    }

    /// `name`'s source at `version`, with the registry's hash of it.
    fn source(
        &self,
        r: &Registries<'_>,
        name: &Name,
        version: &str,
    ) -> Result<Source, ResolutionError>;

    /// The release binaries `name` at `version` publishes for `platforms`, each locked
    /// by its digest (a platform without one builds from source); none by default.
    fn binaries(
        &self,
        r: &Registries<'_>,
        name: &Name,
        version: &str,
        source: &Source,
        platforms: &[Platform],
    ) -> Result<BTreeMap<Platform, Asset>, ResolutionError> {
        let _ = (r, name, version, source, platforms);
        Ok(BTreeMap::new())
    }

    /// How its source unpacks on `platform` and the build that makes its commands, set
    /// on `over` (from the locked URL and `h1` alone, so a locked tool installs
    /// without its registry).
    fn source_layout(&self, name: &Name, platform: &Platform, over: &mut Override);
}

/// One version's source: its URL, sha256, and (Go) `h1:` hash.
pub(super) struct Source {
    /// Its URL.
    pub url: String,
    /// Its sha256, lower-case hex.
    pub sha256: String,
    /// Go's `h1:` hash of a module's `.zip`.
    pub h1: Option<String>,
    /// Where the hash came from (`index:URL`, `proxy:URL`).
    pub checksum: String,
    /// What it is, for progress lines (`wait-timeout-0.2.1.crate`).
    pub what: String,
}

/// Every version `backend` lists of `name`, newest first; pre-releases flagged (a
/// pseudo-version is none).
pub(super) fn versions(
    backend: &dyn FromSource,
    r: &Registries<'_>,
    name: &Name,
) -> Result<Vec<Release>, ResolutionError> {
    let mut releases: Vec<(Option<semver::Version>, Release)> = backend
        .listed(r, name)?
        .into_iter()
        .map(|v| {
            let parsed = semver::Version::parse(v.trim_start_matches('v')).ok();
            let pseudo = backend.is_pseudo(&v);
            let prerelease = !pseudo && parsed.as_ref().is_some_and(|p| !p.pre.is_empty());
            let release = Release::named(v.clone(), v, prerelease);
            (parsed, release)
        })
        .collect();
    releases.sort_by(|a, b| b.0.cmp(&a.0));
    Ok(releases.into_iter().map(|(_, r)| r).collect())
}

/// The layout of `backend`'s source on `platform`, set on `over`, unless `over` is
/// unsupported or installs a release binary.
pub(super) fn layout(
    backend: &dyn FromSource,
    name: &Name,
    platform: &Platform,
    over: &mut Override,
) {
    if over.unsupported.is_some() || is_release_binary(over) {
        return;
    }
    backend.source_layout(name, platform, over);
}

impl Registries<'_> {
    /// The bytes at `url` (a module's `.zip`), through vx's client and its
    /// `url_replacements`.
    pub(super) fn bytes(&self, url: &str, limit: u64) -> Result<Rc<[u8]>, ResolutionError> {
        let fail = |reason: String| {
            super::super::runtime::error(RuntimeError::Fetch {
                url: url.to_owned(),
                reason,
                without_network: self.net.options.offline,
            })
        };
        if self.net.options.offline {
            return Err(fail(
                "offline: a Go module's .zip is read to hash it when it is locked".to_owned(),
            ));
        }
        let client = vx_net::Client::new(self.net.net.clone(), vx_net::Timeouts::default());
        let answer = client
            .send(vx_net::Request::get(url))
            .map_err(|e| fail(e.to_string()))?;
        if answer.status != 200 {
            return Err(fail(format!("the proxy answered {}", answer.status)));
        }
        let body = answer.read_to_vec(limit).map_err(|e| fail(e.to_string()))?;
        Ok(Rc::from(body))
    }
}

/// Whether `over` installs a release binary (a GitHub release asset binstall's
/// metadata named), not a source to build.
fn is_release_binary(over: &Override) -> bool {
    over.url
        .as_deref()
        .is_some_and(|url| url.contains("/releases/download/"))
}

/// Resolves the `picked` crate or Go package (its source, built with the project's
/// runtime, or a release binary); records it in `lock` and returns the concrete table.
pub(super) fn resolve(
    backend: &dyn FromSource,
    registries: &Registries<'_>,
    picked: &Picked<'_>,
    lock: &mut Lock,
) -> Result<ToolTable, ResolutionError> {
    let (name, version) = (picked.name, &picked.version);
    let source = backend.source(registries, name, version)?;
    let mut asset = Asset::new(source.url.clone(), source.sha256.clone(), None);
    asset.h1 = source.h1.clone();
    asset.checksum = Some(source.checksum.clone());
    if let Some(problem) = super::download_problem(&source.url, &asset) {
        return Err(ResolutionError::Usage(format!(
            "{name} {version} ({}): {problem}",
            source.what
        )));
    }
    let binaries = backend.binaries(registries, name, version, &source, &picked.wanted)?;
    let mut overrides = BTreeMap::new();
    let mut assets = Vec::new();
    for platform in &picked.wanted {
        if let Some(binary) = binaries.get(platform) {
            overrides.insert(
                platform.clone(),
                Override {
                    url: Some(binary.url.clone()),
                    sha256: binary.sha256.clone(),
                    format: binary.format.as_deref().and_then(ArchiveFormat::from_name),
                    ..Override::default()
                },
            );
            assets.push((platform.clone(), binary.clone()));
            continue;
        }
        let mut over = Override {
            url: Some(source.url.clone()),
            sha256: Some(source.sha256.clone()),
            h1: source.h1.clone(),
            ..Override::default()
        };
        layout(backend, name, platform, &mut over);
        let mut asset = asset.clone();
        asset.format = over.format.map(|f| f.name().to_owned());
        overrides.insert(platform.clone(), over);
        assets.push((platform.clone(), asset));
    }
    for (platform, asset) in &assets {
        if binaries.contains_key(platform) {
            registries.net.progress(&format!(
                "{}: {platform}: the release binary {}",
                picked.tool.name, asset.url
            ));
        }
    }
    let (table, entry) = super::record(lock, picked, overrides, assets);
    if let Some(entry) = entry {
        for platform in &picked.wanted {
            entry.unsupported.remove(&platform.to_string());
        }
    }
    registries.net.progress(&format!(
        "resolved {} {} to {version} ({name}: {}, built with the project's {})",
        picked.tool.name,
        picked.constraint,
        source.what,
        name.kind.runtime()
    ));
    Ok(table)
}

/// The sha256 of `bytes`, lower-case hex.
pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
