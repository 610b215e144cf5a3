//! `cargo:CRATE` and `go:MODULE/PATH` tools: built from their registry's source with
//! the project's runtime, the source pinned by the registry's own hash.
//!
//! - **cargo**: versions from the sparse index Cargo reads ([`cargo::index_url`]), the
//!   `.crate` locked with the index's `cksum` (its sha256, which the install checks
//!   before a byte is unpacked), built by `cargo install --locked --path` of that
//!   checked source with the project's `rust` ([`cargo::build_command`]): nothing
//!   unchecked is built, and the dependencies are the crate's own `Cargo.lock`'s,
//!   which Cargo checks against their index checksums. (`cargo install CRATE@VER`
//!   from the registry would download the crate again, checked by Cargo alone.)
//! - **go**: versions from the module proxy `GOPROXY` names ([`go::proxies`]), the
//!   module found as `go install` finds it (the longest prefix of the path the proxy
//!   knows), its `.zip` downloaded once at lock time and locked by its sha256 and by
//!   Go's `h1:` hash of it ([`gosum`]); built by `go install PATH@VERSION` with the
//!   project's `go` from a module cache holding that checked `.zip`
//!   ([`go::build_command`]).
//!
//! The same source serves every platform: each locked platform gets the one
//! download; the build is the platform's own command.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::backend::binstall;
use crate::backend::cargo::{self, IndexLine};
use crate::backend::{Kind, Name, go};
use crate::format::ArchiveFormat;
use crate::lock::{Asset, Lock};
use crate::manifest::{Override, Platform, ToolTable};
use crate::runtime::{Release, RuntimeError};
use crate::verify::gosum;

use super::super::ResolutionError;
use super::{Age, Registries, pick_among};

/// Why `name`, in `module` with no tagged release, cannot be locked at its `latest`:
/// a version vx cannot hold (over [`crate::validate::MAX_VERSION`] bytes, or with
/// characters a store directory does not take).
fn untagged(name: &Name, module: &str, latest: &str) -> String {
    let what = if go::is_pseudo(latest) {
        "the pseudo-version of an untagged commit"
    } else {
        "a version"
    };
    format!(
        "{name}: {module} has no tagged release; its latest is {what}, {latest} ({} bytes), and a version in vx is at most {} bytes of A-Z a-z 0-9 . _ + - (it names a directory in the store), so vx cannot lock it: ask for a tagged release, or install it with `go install` yourself",
        latest.len(),
        crate::validate::MAX_VERSION
    )
}

/// One version's source: its URL, sha256, and (Go) `h1:` hash.
struct Source {
    url: String,
    sha256: String,
    h1: Option<String>,
    /// Where the hash came from (`index:URL`, `proxy:URL`).
    checksum: String,
    /// What it is, for progress lines (`wait-timeout-0.2.1.crate`).
    what: String,
}

impl Registries<'_> {
    /// The sparse index Cargo reads, and `name`'s lines in it.
    fn crate_index(&self, name: &Name) -> Result<(String, Vec<IndexLine>), ResolutionError> {
        let env = |k: &str| std::env::var(k).ok();
        let index = cargo::index_url(Some(&self.project_dir), &env)
            .map_err(|e| ResolutionError::Usage(e.to_string()))?;
        let url = format!("{index}{}", cargo::index_path(&name.package));
        let text = self.cx.text(&url).map_err(super::super::runtime::error)?;
        let lines = cargo::parse_index(&text).map_err(|reason| {
            ResolutionError::Environment(format!("{url}: not a sparse index file: {reason}"))
        })?;
        Ok((index, lines))
    }

    /// The proxy's module of the Go package `name` and its versions (at least one).
    fn go_module(&self, name: &Name) -> Result<(String, String, Vec<String>), ResolutionError> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        if let Some(why) = go::fetched_directly(&name.package, &env) {
            return Err(ResolutionError::Usage(format!("{name}: {why}")));
        }
        let goproxy = std::env::var("GOPROXY").ok();
        let proxies =
            go::proxies(goproxy.as_deref()).map_err(|e| ResolutionError::Usage(e.to_string()))?;
        for proxy in &proxies {
            for module in go::candidates(&name.package) {
                let url = go::url(proxy, module, "list");
                // Not found, as a proxy says it (404 or 410): the next shorter path.
                let Some(text) = self.proxy_file(&url)? else {
                    continue;
                };
                let versions = go::versions(&text);
                if !versions.is_empty() {
                    return Ok((proxy.clone(), module.to_owned(), versions));
                }
                // No tagged release: the proxy's `@latest` names the default branch's
                // pseudo-version, when this path is a module at all.
                if let Some(latest) = self.go_latest(proxy, module)? {
                    if crate::validate::version(&latest).is_ok() {
                        return Ok((proxy.clone(), module.to_owned(), vec![latest]));
                    }
                    return Err(ResolutionError::Usage(untagged(name, module, &latest)));
                }
            }
        }
        Err(ResolutionError::Usage(format!(
            "{name}: no module with a tagged version holds this package at {}",
            proxies.join(", ")
        )))
    }

    /// The version the proxy's `@latest` of `module` names; `None` when the proxy has
    /// no such module (404, 410) or names none.
    fn go_latest(&self, proxy: &str, module: &str) -> Result<Option<String>, ResolutionError> {
        let url = go::latest_url(proxy, module);
        Ok(self
            .proxy_file(&url)?
            .and_then(|text| go::info_version(&text)))
    }

    /// A Go proxy's file at `url`; `None` when the proxy says it is not there (404 or
    /// 410, as the GOPROXY protocol has it).
    fn proxy_file(&self, url: &str) -> Result<Option<String>, ResolutionError> {
        match self
            .cx
            .github()
            .fetch_text_cached(url, crate::runtime::MAX_INDEX_BYTES)
        {
            Ok(text) => Ok(Some(text)),
            Err(crate::github::GithubError::NotFound { .. })
            | Err(crate::github::GithubError::Status { status: 410, .. }) => Ok(None),
            Err(e) => Err(super::super::runtime::error(RuntimeError::from_github(
                url.to_owned(),
                &e,
            ))),
        }
    }

    /// Every version of the crate or Go package `name`, newest first.
    pub(super) fn source_versions(&self, name: &Name) -> Result<Vec<Release>, ResolutionError> {
        let versions: Vec<String> = match name.kind {
            Kind::Cargo => {
                let (_, lines) = self.crate_index(name)?;
                lines
                    .into_iter()
                    .filter(|l| !l.yanked)
                    .map(|l| l.vers)
                    .collect()
            }
            Kind::Go => self.go_module(name)?.2,
            Kind::Npm | Kind::Pypi => return Err(super::not_yet(name)),
        };
        let mut releases: Vec<(Option<semver::Version>, Release)> = versions
            .into_iter()
            .map(|v| {
                let parsed = semver::Version::parse(v.trim_start_matches('v')).ok();
                // A Go pseudo-version is here only as an untagged module's `@latest`,
                // which `go install MODULE@latest` takes too: it is no pre-release.
                let pseudo = name.kind == Kind::Go && go::is_pseudo(&v);
                let release = Release {
                    prerelease: !pseudo && parsed.as_ref().is_some_and(|p| !p.pre.is_empty()),
                    id: v.clone(),
                    version: v,
                    lts: None,
                    published_at: None,
                };
                (parsed, release)
            })
            .collect();
        releases.sort_by(|a, b| b.0.cmp(&a.0));
        Ok(releases.into_iter().map(|(_, r)| r).collect())
    }

    /// The version `constraint` picks of the crate or Go package `name`.
    pub(super) fn source_pick(
        &self,
        name: &Name,
        constraint: &str,
        age: Age,
    ) -> Result<Release, ResolutionError> {
        if name.kind == Kind::Go
            && let Some(query) = go::query(constraint)
        {
            return self.go_query(name, &query);
        }
        pick_among(name, &self.source_versions(name)?, constraint, age)
    }

    /// The version a pseudo-version or a commit `query` of the Go package `name` names,
    /// as the proxy's `@v/QUERY.info` says (`go help goproxy`; what `go install
    /// MODULE@QUERY` asks): an older pseudo-version is in no `@v/list` and is not the
    /// `@latest`. A commit the proxy cannot resolve (one of static files has no
    /// version control to ask) is refused, naming what to write instead.
    fn go_query(&self, name: &Name, query: &go::Query) -> Result<Release, ResolutionError> {
        let (proxy, module, listed) = self.go_module(name)?;
        let (asked, pseudo) = match query {
            go::Query::Pseudo(v) => (v.as_str(), true),
            go::Query::Commit(c) => (c.as_str(), false),
        };
        let release = |version: String| Release {
            prerelease: false,
            id: version.clone(),
            version,
            lts: None,
            published_at: None,
        };
        if pseudo && listed.iter().any(|v| v == asked) {
            return Ok(release(asked.to_owned()));
        }
        let url = go::url(&proxy, &module, &format!("{}.info", go::escape(asked)));
        let Some(text) = self.proxy_file(&url)? else {
            return Err(ResolutionError::Usage(if pseudo {
                format!(
                    "{name}: the proxy {proxy} knows no version {asked} of {module} ({url} is not there); check the pseudo-version (`go list -m {module}@{asked}`)"
                )
            } else {
                format!(
                    "{name}: the proxy {proxy} cannot resolve the commit {asked} of {module} (a proxy of static files has no version control to ask); write its pseudo-version instead, which `go list -m {module}@{asked}` prints (such as v0.0.0-20231010123456-0123456789ab: the commit's time and its first 12 hex digits)"
                )
            }));
        };
        let version = go::info_version(&text).ok_or_else(|| {
            ResolutionError::Environment(format!(
                "{url}: not a proxy's .info answer (a JSON object with its Version); nothing was locked"
            ))
        })?;
        // A pseudo-version is its own canonical form; a proxy that names another
        // answers a question that was not asked.
        if pseudo && version != asked {
            return Err(ResolutionError::Environment(format!(
                "{url}: names the version {version}, not {asked}; nothing was locked"
            )));
        }
        if let Err(e) = crate::validate::version(&version) {
            return Err(ResolutionError::Usage(format!(
                "{name}: {asked} is {version} at {proxy}, not a version vx can name: {e}"
            )));
        }
        Ok(release(version))
    }

    /// `name`'s source at `version`, with the registry's hash of it.
    fn source(&self, name: &Name, version: &str) -> Result<Source, ResolutionError> {
        match name.kind {
            Kind::Cargo => {
                let (index, lines) = self.crate_index(name)?;
                let line = lines
                    .into_iter()
                    .find(|l| l.vers == version)
                    .ok_or_else(|| {
                        ResolutionError::Usage(format!(
                            "{name}: the index lists no version {version}; run `vx lock` to pick again"
                        ))
                    })?;
                crate::validate::sha256(&line.cksum).map_err(|e| {
                    ResolutionError::Environment(format!(
                        "{index}: {name} {version}: its cksum: {e}; nothing was locked"
                    ))
                })?;
                let config_url = format!("{index}config.json");
                let config: cargo::IndexConfig = serde_json::from_str(
                    &self
                        .cx
                        .text(&config_url)
                        .map_err(super::super::runtime::error)?,
                )
                .map_err(|e| {
                    ResolutionError::Environment(format!(
                        "{config_url}: not a registry's config.json: {e}"
                    ))
                })?;
                Ok(Source {
                    url: cargo::download_url(&config, &line),
                    sha256: line.cksum.clone(),
                    h1: None,
                    checksum: format!("index:{index}{}", cargo::index_path(&name.package)),
                    what: format!("{}-{}.crate", line.name, line.vers),
                })
            }
            Kind::Go => {
                let (proxy, module, _) = self.go_module(name)?;
                let url = go::url(&proxy, &module, &format!("{}.zip", go::escape(version)));
                let bytes = self.bytes(&url, gosum::MAX_ZIP_BYTES)?;
                let h1 = gosum::hash_zip(&bytes).map_err(|reason| {
                    ResolutionError::Environment(format!(
                        "{url}: not a Go module zip: {reason}; nothing was locked"
                    ))
                })?;
                Ok(Source {
                    url,
                    sha256: sha256_hex(&bytes),
                    h1: Some(h1),
                    checksum: format!("proxy:{proxy}"),
                    what: format!("{module}@{version}"),
                })
            }
            Kind::Npm | Kind::Pypi => Err(super::not_yet(name)),
        }
    }

    /// The release binaries the crate `name` at `version` publishes for `platforms`
    /// by its `[package.metadata.binstall]` (read from the `.crate`, refused unless
    /// its sha256 is the index's `cksum`), else by cargo-binstall's own guesses of
    /// their names on its GitHub repository's releases ([`binstall::default_guesses`]),
    /// each locked by the GitHub API's digest of the asset; a platform without one
    /// builds from source.
    fn binstall(
        &self,
        name: &Name,
        version: &str,
        source: &Source,
        platforms: &[Platform],
    ) -> Result<BTreeMap<Platform, Asset>, ResolutionError> {
        let bytes = self.bytes(&source.url, binstall::MAX_CRATE_BYTES)?;
        let actual = sha256_hex(&bytes);
        if actual != source.sha256 {
            return Err(ResolutionError::Environment(format!(
                "{}: the .crate has sha256 {actual}, not the index's cksum {}; nothing was locked",
                source.url, source.sha256
            )));
        }
        let manifest = binstall::cargo_toml(&bytes, &name.package, version)
            .map_err(|e| ResolutionError::Environment(format!("{}: {e}", source.url)))?;
        let web = self.cx.github().hosts().web.clone();
        let repository = binstall::repository(&manifest);
        // Each release read once, a missing one too (the guesses name two tags).
        let mut releases: BTreeMap<String, Option<Rc<crate::github::Release>>> = BTreeMap::new();
        let mut out = BTreeMap::new();
        for platform in platforms {
            let Some(target) = binstall::target(&platform.os, &platform.arch, platform.is_musl())
            else {
                continue;
            };
            let windows = platform.os == "windows";
            let meta = binstall::read(&manifest, &target)
                .map_err(|e| ResolutionError::Environment(format!("{}: {e}", source.what)))?;
            let declared = meta.is_some();
            let guesses: Vec<(String, String)> = match meta {
                Some(meta) => binstall::urls(&meta, &name.package, version, &target, windows)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|url| (url, meta.pkg_fmt.clone()))
                    .collect(),
                None => match &repository {
                    Some(repo)
                        if binstall::github_asset(
                            &format!("{repo}/releases/download/t/a"),
                            &web,
                        )
                        .is_some() =>
                    {
                        binstall::default_guesses(repo, &name.package, version, &target, windows)
                            .into_iter()
                            .map(|(url, fmt)| (url, fmt.to_owned()))
                            .collect()
                    }
                    // binstall guesses only on a repository it knows the host of.
                    _ => continue,
                },
            };
            let mut found = None;
            for (url, pkg_fmt) in guesses {
                let Some((format, _)) = binstall::format_of(&pkg_fmt) else {
                    continue;
                };
                let Some((owner, repo, tag, file)) = binstall::github_asset(&url, &web) else {
                    continue;
                };
                let key = format!("{owner}/{repo}/{tag}");
                if !releases.contains_key(&key) {
                    let release = match self.cx.github_release(owner, repo, tag) {
                        Ok(release) => Some(release),
                        Err(e) => {
                            if declared {
                                self.net.progress(&format!(
                                    "{name}: {platform}: no release binary ({e}); built from source"
                                ));
                            }
                            None
                        }
                    };
                    releases.insert(key.clone(), release);
                }
                let Some(release) = releases.get(&key).cloned().flatten() else {
                    if declared {
                        break;
                    }
                    continue;
                };
                let asset = release
                    .assets
                    .iter()
                    .find(|a| a.name == file)
                    .and_then(|a| Some((a, a.sha256()?)));
                if let Some((asset, sha256)) = asset {
                    let mut locked = Asset::new(asset.url.clone(), sha256, None);
                    locked.format = Some(format.name().to_owned());
                    locked.checksum = Some("github-digest".to_owned());
                    if !declared {
                        self.net.progress(&format!(
                            "{name}: {platform}: {file}, by cargo-binstall's default names (the crate has no [package.metadata.binstall])"
                        ));
                    }
                    found = Some(locked);
                    break;
                }
            }
            match found {
                Some(locked) => {
                    out.insert(platform.clone(), locked);
                }
                None if !declared => self.net.progress(&format!(
                    "{name}: {platform}: no release asset by cargo-binstall's default names; built from source"
                )),
                None => {}
            }
        }
        Ok(out)
    }

    /// The bytes at `url` (a module's `.zip`), through vx's client and its
    /// `url_replacements`.
    fn bytes(&self, url: &str, limit: u64) -> Result<Rc<[u8]>, ResolutionError> {
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
        let client = crate::net::Client::new(self.net.net.clone(), crate::net::Timeouts::default());
        let answer = client
            .send(crate::net::Request::get(url))
            .map_err(|e| fail(e.to_string()))?;
        if answer.status != 200 {
            return Err(fail(format!("the proxy answered {}", answer.status)));
        }
        let body = answer.read_to_vec(limit).map_err(|e| fail(e.to_string()))?;
        Ok(Rc::from(body))
    }
}

/// The layout of a crate's or a module's source on `platform`, set on `over` (from
/// the locked URL and `h1` alone, so a locked tool installs without its registry):
/// how it unpacks and the build that makes its commands.
pub fn layout(name: &Name, platform: &Platform, over: &mut Override) {
    if over.unsupported.is_some() || is_release_binary(over) {
        return;
    }
    let windows = platform.os == "windows";
    match name.kind {
        Kind::Cargo => {
            over.format = Some(ArchiveFormat::TarGz);
            over.strip_components = Some(1);
            over.post_install = Some(cargo::build_command(windows));
        }
        Kind::Go => {
            over.format = Some(ArchiveFormat::Zip);
            over.strip_components = Some(0);
            let built = over.url.as_deref().and_then(|url| {
                let (module, version) = go::of_zip_url(url, &name.package)?;
                let h1 = over.h1.as_deref()?;
                go::build_command(module, &name.package, &version, h1, windows)
            });
            // A lock entry without what the build needs fails its install, saying so.
            over.post_install = Some(built.unwrap_or_else(|| {
                "echo 'vx.lock holds no module hash (h1) for this go: tool; run `vx lock`' >&2; exit 1"
                    .to_owned()
            }));
        }
        Kind::Npm | Kind::Pypi => {}
    }
}

/// Whether `over` installs a release binary (a GitHub release asset binstall's
/// metadata named), not a source to build.
fn is_release_binary(over: &Override) -> bool {
    over.url
        .as_deref()
        .is_some_and(|url| url.contains("/releases/download/"))
}

/// Resolves the crate or Go package `name` at `constraint` for `platforms` (and those
/// its lock entry held), keeping the locked version while the name and constraint are
/// those it was locked from; records it in `lock` and returns the concrete table.
pub fn resolve_tool(
    registries: &Registries<'_>,
    name: &Name,
    tool: &ToolTable,
    constraint: &str,
    platforms: &[Platform],
    lock: &mut Lock,
) -> Result<ToolTable, ResolutionError> {
    let (version, wanted) =
        super::version_and_platforms(registries, name, tool, constraint, platforms, lock)?;
    let source = registries.source(name, &version)?;
    let mut asset = Asset::new(source.url.clone(), source.sha256.clone(), None);
    asset.h1 = source.h1.clone();
    asset.checksum = Some(source.checksum.clone());
    let problem = match crate::validate::url(&source.url) {
        Err(e) => Some(e.to_string()),
        Ok(crate::validate::Scheme::File) => {
            Some("a registry's download must be an http(s) URL".to_owned())
        }
        Ok(_) => asset.problem(),
    };
    if let Some(problem) = problem {
        return Err(ResolutionError::Usage(format!(
            "{name} {version} ({}): {problem}",
            source.what
        )));
    }
    let binaries = match name.kind {
        Kind::Cargo => registries.binstall(name, &version, &source, &wanted)?,
        _ => BTreeMap::new(),
    };
    let mut overrides = BTreeMap::new();
    let mut assets = Vec::new();
    for platform in &wanted {
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
        layout(name, platform, &mut over);
        let mut asset = asset.clone();
        asset.format = over.format.map(|f| f.name().to_owned());
        overrides.insert(platform.clone(), over);
        assets.push((platform.clone(), asset));
    }
    let table = super::super::concrete::concrete(tool, &version, overrides);
    lock.renew(&table);
    for (platform, asset) in assets {
        if binaries.contains_key(&platform) {
            registries.net.progress(&format!(
                "{}: {platform}: the release binary {}",
                tool.name, asset.url
            ));
        }
        lock.record(&table, &platform, asset);
    }
    if let Some(entry) = lock.tools.get_mut(&tool.name) {
        entry.constraint = Some(constraint.to_owned());
        entry.package = Some(name.to_string());
        entry.tag = Some(version.clone());
        for platform in &wanted {
            entry.unsupported.remove(&platform.to_string());
        }
    }
    registries.net.progress(&format!(
        "resolved {} {constraint} to {version} ({name}: {}, built with the project's {})",
        tool.name,
        source.what,
        name.kind.runtime()
    ));
    Ok(table)
}

/// The sha256 of `bytes`, lower-case hex.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
