//! Language runtimes by name (docs/guide/runtimes.md): `node`,
//! `python`, `go`, `java`, `ruby`, `rust`, `erlang`, `elixir`, each read from its
//! publisher's own index (nodejs.org's `index.json`, go.dev's download list, …) rather
//! than from a registry. A runtime answers three questions, each without downloading an
//! archive: which versions exist ([`Runtime::versions`]), which one a user's request
//! means ([`Runtime::pick`]), and what each platform downloads with its sha256 from the
//! publisher's checksums ([`Runtime::download`]); and one more from the lock alone: how
//! the archive is laid out once unpacked ([`Runtime::layout`]: what to strip, the
//! commands, variables such as `JAVA_HOME`, an install step).
//!
//! This room knows publishers' formats only. `vx_engine::resolution::runtime` turns its
//! answers into lock entries of the same shape as every other tool's, and the install
//! engine never learns that a tool was a runtime. Every URL goes through the caller's
//! client ([`Context`]), so proxies, CAs, `url_replacements`, mirrors and `--offline`
//! apply as to any request; indexes and checksum files are kept in vx's cache with
//! their `ETag`s, so `--offline` reads what an earlier run fetched. One small file per
//! runtime; a runtime that is only an index, a URL pattern and a checksum file is a
//! declaration instead ([`declared`]: `node`, and a company's own runtimes). Which
//! runtimes a project can name is its [`catalogue::Catalogue`], a value its session
//! holds.

pub mod catalogue;
pub mod declared;
pub(crate) mod distinct;
pub(crate) mod elixir;
pub(crate) mod erlang;
pub(crate) mod go;
pub(crate) mod hexbuilds;
pub(crate) mod java;
pub(crate) mod python;
pub(crate) mod resolver;
pub(crate) mod ruby;
pub(crate) mod rust;
pub(crate) mod version;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use crate::github::Github;
use vx_base::format::ArchiveFormat;
use vx_model::manifest::Platform;

/// Largest index or checksum file read (go.dev's full list is about 2 MiB).
pub const MAX_INDEX_BYTES: u64 = 32 << 20;
/// The most a run reads of publishers' files in all (each at most
/// [`MAX_INDEX_BYTES`]): a pick that reads many (python's `SHA256SUMS` of up to 60
/// releases, Adoptium's pages) stops there, rather than holding gigabytes a hostile
/// mirror serves (real ones read a few MiB).
pub(crate) const MAX_RUN_BYTES: u64 = 128 << 20;

/// One runtime: its names, its publisher's index and its archives' layout.
pub trait Runtime: Send + Sync {
    /// Its names and what it is: the one place a runtime says them.
    fn about(&self) -> About<'_>;
    /// Its name in vx.toml and the store (`node`).
    fn name(&self) -> &str {
        self.about().name
    }
    /// Other names users write for it (`nodejs`: asdf's plugin, mise's alias).
    fn aliases(&self) -> Vec<&str> {
        self.about().aliases
    }
    /// One line saying what it is and where it comes from, for `vx search`.
    fn summary(&self) -> &str {
        self.about().summary
    }
    /// Whether `name` is its name or one of its aliases, as written.
    fn is_named(&self, name: &str) -> bool {
        self.name() == name || self.aliases().contains(&name)
    }
    /// Every version the publisher lists, newest first.
    fn versions(&self, cx: &Context) -> Result<Vec<Release>, RuntimeError>;
    /// The release `request` (as the user wrote it) means among `releases`.
    fn pick(&self, releases: &[Release], request: &str) -> Result<Release, RuntimeError>;
    /// [`Runtime::pick`] knowing the versions of the project's other runtimes
    /// (`siblings`: runtime name → version, `erlang` → `27.1.2`), for a runtime whose
    /// build depends on another's (elixir's on the OTP major).
    /// Also given the run's [`Context`], for a request only the publisher's own files
    /// can date (rust's `beta`, `nightly`).
    fn pick_with(
        &self,
        cx: &Context,
        releases: &[Release],
        request: &str,
        siblings: &BTreeMap<String, String>,
    ) -> Result<Release, RuntimeError> {
        let _ = (cx, siblings);
        self.pick(releases, request)
    }
    /// What `release` downloads on `platform`, with its sha256 from the publisher's
    /// checksums (never the archive's bytes).
    fn download(
        &self,
        cx: &Context,
        release: &Release,
        platform: &Platform,
    ) -> Result<Resolved, RuntimeError>;
    /// How `version`'s archive for `platform` is laid out once unpacked: known from
    /// the version alone, so a locked runtime installs without its index.
    fn layout(&self, version: &str, platform: &Platform) -> Layout;
    /// The runtime it needs to run (elixir needs erlang), said when it is added.
    fn needs(&self) -> Option<&str> {
        None
    }
    /// Install options the engine reads from the tool's `options` (see
    /// `vx_engine::install::components`: rust's combined package names the components to
    /// merge into one tree), known from the version alone like [`Runtime::layout`].
    fn install_options(&self, version: &str) -> BTreeMap<String, serde_json::Value> {
        let _ = version;
        BTreeMap::new()
    }
    /// The registry that published this runtime's declaration, with the declaration's
    /// sha256 (what the lock pins); `None` for vx's own and for a user's or a
    /// project's `.vx/runtimes/` declaration.
    fn origin(&self) -> Option<&declared::registry::Origin> {
        None
    }
    /// The lock's `package` of this runtime ([`package`]): `runtime:node`, or
    /// `corp:runtime:corp-jdk` for one its [`Runtime::origin`] registry publishes.
    fn package(&self) -> String {
        package(self.origin().map(|o| o.registry.as_str()), self.name())
    }
    /// What to tell about a download when it is locked (erlang: which Ubuntu build,
    /// for which glibc).
    fn note(&self, download: &Download) -> Option<String> {
        let _ = download;
        None
    }
}

/// A runtime's names and what it is ([`Runtime::about`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct About<'a> {
    /// Its name in vx.toml and the store (`node`).
    pub name: &'a str,
    /// Other names users write for it (`nodejs`: asdf's plugin, mise's alias).
    pub aliases: Vec<&'a str>,
    /// One line saying what it is and where it comes from, for `vx search`.
    pub summary: &'a str,
}

impl<'a> About<'a> {
    /// `name`, also called `aliases`: `summary`.
    pub(crate) fn new(name: &'a str, aliases: &[&'a str], summary: &'a str) -> About<'a> {
        About {
            name,
            aliases: aliases.to_vec(),
            summary,
        }
    }
}

/// What a runtime's answer is: `T`, or why it could not answer.
pub(crate) type Answer<T> = Result<T, RuntimeError>;

/// One version a publisher lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    /// The version as the store and the board show it (`20.11.1`).
    pub version: String,
    /// The publisher's own name of it (`v20.11.1`, `go1.23.8`, `20241206`), locked as
    /// the entry's `tag`.
    pub id: String,
    /// Its long-term-support line (`Iron`), when the publisher names one.
    pub lts: Option<String>,
    /// When it was published (a date or RFC 3339 time), when known.
    pub published_at: Option<String>,
    /// Whether it is a pre-release (picked only when named exactly).
    pub prerelease: bool,
}

impl Release {
    /// The release the publisher names `id`, shown as `version`: no long-term-support
    /// line and no publication date known (a version listing says neither).
    pub fn named(version: String, id: String, prerelease: bool) -> Release {
        Release {
            version,
            id,
            lts: None,
            published_at: None,
            prerelease,
        }
    }
}

/// A platform's download.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// The archive, its sha256 and where that came from.
    Download(Download),
    /// No build for that platform: why (`ruby: no precompiled build for
    /// windows-x86_64`).
    Unsupported(String),
}

/// An archive to install.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Download {
    /// Its URL at the publisher.
    pub url: String,
    /// Its SHA-256, lower-case hex; empty when the publisher's index names the archive
    /// without one (builds.hex.pm's oldest lines): the archive is then hashed when
    /// `vx lock` downloads it (`checksum = "download"`), with a warning.
    pub sha256: String,
    /// Where the sha256 came from, as the lock records it (`checksum-file:URL`,
    /// `index:URL`, `github-digest`).
    pub checksum: String,
    /// How it is packed.
    pub format: ArchiveFormat,
    /// The same tree packed otherwise, checksummed by the same file (nodejs.org's
    /// `.tar.gz` beside the `.tar.xz`): the install picks by the link
    /// (`vx_engine::install::packing`).
    pub alternatives: Vec<vx_model::spec::Alternative>,
}

/// How an unpacked archive becomes an installed runtime.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// Leading path components to drop (`node-v20.11.1-linux-x64/`).
    pub strip_components: u32,
    /// The commands, as `bin` entries (`bin/node`, `python=bin/python3`).
    pub bin: Vec<String>,
    /// Variables the runtime sets for whoever uses it, each a path inside the install
    /// (`JAVA_HOME` = `Contents/Home`; empty: the install itself).
    pub env: BTreeMap<String, String>,
    /// A step run inside the unpacked tree before it moves into the store
    /// (`$VX_INSTALL_DIR` is where it will be).
    pub post_install: Option<String>,
    /// Files written into the tree (a path inside the install → its text), where
    /// [`DATA_PLACEHOLDER`] stands for vx's data directory on the installing machine
    /// (node's `etc/npmrc`, naming npm's global prefix outside the store).
    pub write: BTreeMap<String, String>,
    /// Directories outside the store put on `PATH` after the runtime's own (npm's
    /// global `bin`), [`DATA_PLACEHOLDER`] as in `write`.
    pub path_after: Vec<String>,
}

/// What stands for vx's data directory (`$XDG_DATA_HOME/vx`) in a [`Layout`]'s
/// `write` and `path_after`: filled in on the machine that installs, never locked, so
/// a lock is the same whoever made it.
pub const DATA_PLACEHOLDER: &str = "{data}";

/// Why a runtime could not answer.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// A publisher's file could not be fetched. The client's own errors begin with
    /// the URL they fetched (after `url_replacements`): then it is not said again.
    #[error("{}", if names_a_url(reason) { reason.clone() } else { format!("{url}: {reason}") })]
    Fetch {
        /// What was asked for.
        url: String,
        /// Why it failed.
        reason: String,
        /// Whether no answer could be had without the network (offline and not
        /// cached, or nothing answered), rather than the publisher answering wrong.
        without_network: bool,
    },
    /// A publisher's file is not in the format it publishes.
    #[error("{url}: not a valid {what}: {reason}")]
    Format {
        /// The file.
        url: String,
        /// What it should have been (`nodejs.org release index`).
        what: std::borrow::Cow<'static, str>,
        /// What is wrong.
        reason: String,
    },
    /// A checksum source that does not give the archive's sha256.
    #[error("{file} has no sha256 for {asset}; nothing was locked")]
    NoChecksum {
        /// The checksum file (or index).
        file: String,
        /// The archive it lacks.
        asset: String,
    },
    /// A request no version satisfies, or that is not a version at all (exit 2).
    #[error("{0}")]
    Request(String),
    /// A user's runtime declaration that cannot be read (exit 2): the file and why.
    #[error("runtime declaration {0}")]
    Declaration(String),
    /// A runtime declaration's file (the user's, a project's or a registry's) that
    /// cannot be read (exit 2): the file and why; shared, as a catalogue keeps it.
    #[error("runtime declaration {0}")]
    DeclarationFile(#[source] std::sync::Arc<declared::user::DeclarationError>),
}

impl From<declared::user::DeclarationError> for RuntimeError {
    fn from(e: declared::user::DeclarationError) -> RuntimeError {
        RuntimeError::DeclarationFile(std::sync::Arc::new(e))
    }
}

impl RuntimeError {
    /// What the GitHub client (which fetches every publisher's file) said about
    /// `what`, as a [`RuntimeError::Fetch`].
    pub fn from_github(what: String, e: &crate::github::GithubError) -> RuntimeError {
        RuntimeError::Fetch {
            url: what,
            reason: e.to_string(),
            without_network: e.without_network(),
        }
    }

    /// Whether the publisher could not be read without the network (offline and not
    /// cached, or nothing answered): what a later run with the network mends.
    pub fn without_network(&self) -> bool {
        matches!(
            self,
            RuntimeError::Fetch {
                without_network: true,
                ..
            }
        )
    }

    /// Whether the user is at fault (exit 2: the request, or their own runtime
    /// declaration) rather than the publisher or the network.
    pub fn is_request(&self) -> bool {
        matches!(
            self,
            RuntimeError::Request(_)
                | RuntimeError::Declaration(_)
                | RuntimeError::DeclarationFile(_)
        )
    }
}

/// What runtimes fetch through: the run's one HTTP client (GitHub's settings for
/// GitHub-hosted files), each file once per run.
pub struct Context<'a> {
    github: &'a Github,
    texts: RefCell<BTreeMap<String, Rc<str>>>,
    /// URLs the publisher answered 404 for in this run (a release without a checksum
    /// list, asked for once per platform of a lock): not asked again.
    missing: RefCell<std::collections::BTreeSet<String>>,
    /// GitHub releases asked for in this run, by `owner/repo/tag`: each platform of a
    /// lock asks for its release, which is fetched once.
    releases: RefCell<BTreeMap<String, Rc<crate::github::Release>>>,
    /// GitHub tag lists asked for in this run, by `owner/repo`.
    tags: RefCell<BTreeMap<String, Rc<[String]>>>,
    /// The versions of the project's runtimes known so far in this run (runtime name
    /// → version), for [`Runtime::pick_with`].
    siblings: RefCell<BTreeMap<String, String>>,
    /// Bytes of publishers' files read in this run, and the most it may read
    /// ([`MAX_RUN_BYTES`]).
    read: std::cell::Cell<u64>,
    budget: u64,
}

impl<'a> Context<'a> {
    /// A context fetching through `github`'s client.
    pub fn new(github: &'a Github) -> Context<'a> {
        Context {
            github,
            texts: RefCell::new(BTreeMap::new()),
            missing: RefCell::new(std::collections::BTreeSet::new()),
            releases: RefCell::new(BTreeMap::new()),
            tags: RefCell::new(BTreeMap::new()),
            siblings: RefCell::new(BTreeMap::new()),
            read: std::cell::Cell::new(0),
            budget: MAX_RUN_BYTES,
        }
    }

    /// Counts `text`, read from `url`, against the run's budget: an error once the
    /// publishers' files read pass it.
    fn spend(&self, url: &str, text: &str) -> Result<(), RuntimeError> {
        let read = self.read.get().saturating_add(text.len() as u64);
        self.read.set(read);
        if read > self.budget {
            return Err(RuntimeError::Fetch {
                url: url.to_owned(),
                reason: format!(
                    "the publisher's files read in this run pass {} in all; real indexes are far smaller, so no more is read",
                    vx_text::bytes(self.budget)
                ),
                without_network: false,
            });
        }
        Ok(())
    }

    /// Records that the project's runtime `runtime` is at `version` in this run.
    pub fn set_sibling(&self, runtime: &str, version: &str) {
        self.siblings
            .borrow_mut()
            .insert(runtime.to_owned(), version.to_owned());
    }

    /// The versions of the project's runtimes known so far (runtime name → version).
    pub fn siblings(&self) -> BTreeMap<String, String> {
        self.siblings.borrow().clone()
    }

    /// The GitHub client (release listings of GitHub-hosted publishers).
    pub fn github(&self) -> &Github {
        self.github
    }

    /// Release `tag` of `owner/repo` on GitHub, fetched once per run.
    pub fn github_release(
        &self,
        owner: &str,
        repo: &str,
        tag: &str,
    ) -> Result<Rc<crate::github::Release>, crate::github::GithubError> {
        once(&self.releases, format!("{owner}/{repo}/{tag}"), || {
            self.github.release(owner, repo, tag).map(Rc::new)
        })
    }

    /// The tag names of `owner/repo` on GitHub, fetched once per run.
    pub fn github_tags(
        &self,
        owner: &str,
        repo: &str,
    ) -> Result<Rc<[String]>, crate::github::GithubError> {
        once(&self.tags, format!("{owner}/{repo}"), || {
            self.github.tags(owner, repo).map(Rc::from)
        })
    }

    /// The text at `url` (at most [`MAX_INDEX_BYTES`]), fetched once per run and kept
    /// in vx's cache with its `ETag` (revalidated online; what `--offline` reads).
    pub fn text(&self, url: &str) -> Result<Rc<str>, RuntimeError> {
        if let Some(text) = self.texts.borrow().get(url) {
            return Ok(text.clone());
        }
        let text = self
            .github
            .fetch_text_cached(url, MAX_INDEX_BYTES)
            .map_err(|e| fetch_error(url, &e))?;
        self.spend(url, &text)?;
        Ok(self.keep(url, text))
    }

    /// `text` fetched from `url`, kept for the rest of the run.
    fn keep(&self, url: &str, text: String) -> Rc<str> {
        let text: Rc<str> = text.into();
        self.texts.borrow_mut().insert(url.to_owned(), text.clone());
        text
    }

    /// The text at `url`, or `None` when the publisher answers 404 (a page past the
    /// end of a paged listing, a release without a checksum list); any other failure is
    /// an error. Either answer is kept for the run.
    pub(crate) fn text_unless_missing(&self, url: &str) -> Result<Option<Rc<str>>, RuntimeError> {
        if let Some(text) = self.texts.borrow().get(url) {
            return Ok(Some(text.clone()));
        }
        if self.missing.borrow().contains(url) {
            return Ok(None);
        }
        match self.github.fetch_text_cached(url, MAX_INDEX_BYTES) {
            Ok(text) => {
                self.spend(url, &text)?;
                Ok(Some(self.keep(url, text)))
            }
            Err(crate::github::GithubError::NotFound { .. }) => {
                self.missing.borrow_mut().insert(url.to_owned());
                Ok(None)
            }
            Err(e) => Err(fetch_error(url, &e)),
        }
    }

    /// A context whose files are `texts` (URL, text), answering nothing else: for
    /// unit tests of a runtime's `download` without a network.
    #[cfg(test)]
    pub(crate) fn seeded(github: &'a Github, texts: &[(&str, &str)]) -> Context<'a> {
        let cx = Context::new(github);
        for (url, text) in texts {
            cx.texts
                .borrow_mut()
                .insert((*url).to_owned(), (*text).into());
        }
        cx
    }

    /// The sha256 `file` (a `sha256sum`-style list at `url`) gives for `asset`: an
    /// error when the file cannot be had or lacks the asset (never a silent
    /// trust-on-first-download).
    pub fn sha256_from_list(&self, url: &str, asset: &str) -> Result<String, RuntimeError> {
        let text = self.text(url)?;
        let format = crate::registry::checksum::ChecksumFormat::Raw;
        match crate::registry::checksum::find_sha256(&text, asset, &format) {
            Ok(Some(hex)) => Ok(hex),
            Ok(None) => Err(RuntimeError::NoChecksum {
                file: url.to_owned(),
                asset: asset.to_owned(),
            }),
            Err(e) => Err(RuntimeError::Format {
                url: url.to_owned(),
                what: "checksum list".into(),
                reason: e.to_string(),
            }),
        }
    }
}

/// Whether an error's text begins with the URL it is about, as the HTTP client's do.
fn names_a_url(reason: &str) -> bool {
    ["http://", "https://", "file://"]
        .iter()
        .any(|scheme| reason.starts_with(scheme))
}

/// A publisher's file that could not be had.
fn fetch_error(url: &str, e: &crate::github::GithubError) -> RuntimeError {
    RuntimeError::from_github(url.to_owned(), e)
}

/// The name of vx's own runtime that `name` is a near miss of (`nodee`, `pyhton`), by
/// its name or an alias: one edit, two from six letters on.
pub fn similar(name: &str) -> Option<&'static str> {
    let allowed = if name.chars().count() >= 6 { 2 } else { 1 };
    catalogue::builtin()
        .iter()
        .flat_map(|r| {
            std::iter::once(r.name())
                .chain(r.aliases())
                .map(move |n| (strsim::damerau_levenshtein(name, n), r.name()))
        })
        .filter(|(distance, _)| (1..=allowed).contains(distance))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, runtime)| runtime)
}

/// The lock's `package` prefix of a runtime (`runtime:node`).
pub const PACKAGE_PREFIX: &str = "runtime:";

/// The lock's `package` of runtime `name`: `runtime:NAME`, or `REGISTRY:runtime:NAME`
/// for one a project's registry publishes (`corp:runtime:corp-jdk`).
pub(crate) fn package(registry: Option<&str>, name: &str) -> String {
    match registry {
        Some(registry) => format!("{registry}:{PACKAGE_PREFIX}{name}"),
        None => format!("{PACKAGE_PREFIX}{name}"),
    }
}

/// The runtime name and the registry (if any) a lock's `package` names: `None` for a
/// registry package (`standard:BurntSushi/ripgrep`).
pub fn package_name(package: &str) -> Option<(&str, Option<&str>)> {
    if let Some(name) = package.strip_prefix(PACKAGE_PREFIX) {
        return Some((name, None));
    }
    let (registry, rest) = package.split_once(':')?;
    Some((rest.strip_prefix(PACKAGE_PREFIX)?, Some(registry)))
}

/// An offline GitHub client (every fetch an error), for [`Context::seeded`].
#[cfg(test)]
pub(crate) fn offline_github() -> Github {
    test_github(true)
}

/// A GitHub client of default settings, without a cache, `offline` or not.
#[cfg(test)]
fn test_github(offline: bool) -> Github {
    let config = crate::github::GithubConfig {
        hosts: crate::github::hosts::GithubHosts::default(),
        token: None,
        token_source: None,
        fresh_for: std::time::Duration::ZERO,
    };
    let client = vx_net::Client::new(std::sync::Arc::default(), vx_net::Timeouts::default());
    Github::new(config, client, None, offline)
}

/// The value `cache` keeps under `key`, else `fetch`'s, kept for the rest of the run
/// (an error is not kept: the next asker tries again).
fn once<T: Clone, E>(
    cache: &RefCell<BTreeMap<String, T>>,
    key: String,
    fetch: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    if let Some(value) = cache.borrow().get(&key) {
        return Ok(value.clone());
    }
    let value = fetch()?;
    cache.borrow_mut().insert(key, value.clone());
    Ok(value)
}

/// The error for a request that names no version of `runtime`: what was asked and the
/// newest versions that exist, of the line the request is in when there is one
/// (`20.99.1`: the newest 20.x, not 26.x).
pub(crate) fn no_such_version(runtime: &str, request: &str, releases: &[Release]) -> RuntimeError {
    let released: Vec<&Release> = releases.iter().filter(|r| !r.prerelease).collect();
    let (line, listed) = nearest_line(request, &released);
    let newest: Vec<&str> = listed.iter().take(5).map(|r| r.version.as_str()).collect();
    RuntimeError::Request(format!(
        "no version of {runtime} matches `{}`; the newest {}are {}",
        vx_base::validate::shorten(request),
        line.map(|l| format!("{l}.x ")).unwrap_or_default(),
        if newest.is_empty() {
            "none (the publisher lists no release)".to_owned()
        } else {
            newest.join(", ")
        }
    ))
}

/// The releases of the longest leading part of `request` (`20.99` then `20` of
/// `20.99.1`) that some release has and not every one does, with that part; else all
/// of them and `None`.
fn nearest_line<'r>(request: &str, released: &[&'r Release]) -> (Option<String>, Vec<&'r Release>) {
    let numbers: Vec<&str> = request
        .trim()
        .trim_start_matches(['v', 'V'])
        .split('.')
        .take_while(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    for len in (1..numbers.len()).rev() {
        let prefix = &numbers[..len];
        let within: Vec<&Release> = released
            .iter()
            .copied()
            .filter(|r| {
                let parts: Vec<&str> = r.version.split('.').collect();
                parts.len() >= len && parts[..len] == *prefix
            })
            .collect();
        if !within.is_empty() && within.len() < released.len() {
            return (Some(prefix.join(".")), within);
        }
    }
    (None, released.to_vec())
}

/// The release of `releases` (newest first) that `request` picks by number, after
/// `strip` took the runtime's own spelling off it; `exact_parts` numbers make an
/// exact version. `None` when the request is not numeric.
pub(crate) fn pick_numeric<'r>(
    releases: &'r [Release],
    request: &str,
    exact_parts: usize,
) -> Option<Result<&'r Release, ()>> {
    let parsed = version::Request::parse(request, exact_parts)?;
    Some(
        version::newest(
            releases.iter(),
            |r| version::Numeric::parse(&r.version),
            &parsed,
        )
        .ok_or(()),
    )
}

#[cfg(test)]
mod names_tests {
    #[test]
    fn the_import_table_knows_every_runtime_by_every_name() {
        let mut table: Vec<(&str, &str)> = Vec::new();
        for runtime in super::catalogue::builtin() {
            table.push((runtime.name(), runtime.name()));
            for alias in runtime.aliases() {
                table.push((alias, runtime.name()));
            }
        }
        let mut listed = vx_model::import::names::RUNTIMES.to_vec();
        table.sort_unstable();
        listed.sort_unstable();
        assert_eq!(table, listed);
    }
}

#[cfg(test)]
mod budget_tests {
    use super::*;
    use vx_fixture::{Route, TestServer};

    #[test]
    fn a_run_reads_no_more_than_its_budget_of_publishers_files() {
        let page = "x".repeat(600 << 10);
        let server = TestServer::start([
            ("/a", Route::Ok(page.clone().into_bytes())),
            ("/b", Route::Ok(page.clone().into_bytes())),
        ]);
        let github = test_github(false);
        let cx = Context {
            budget: 1 << 20,
            ..Context::new(&github)
        };
        assert!(cx.text(&server.url("/a")).is_ok());
        // Read once per run: asking again costs nothing.
        assert!(cx.text(&server.url("/a")).is_ok());
        let err = cx.text(&server.url("/b")).unwrap_err().to_string();
        assert!(err.contains("pass 1.0 MiB in all"), "{err}");
    }
}

#[cfg(test)]
mod no_such_version_tests {
    use super::{Release, no_such_version};

    fn releases(versions: &[&str]) -> Vec<Release> {
        versions
            .iter()
            .map(|v| Release::named((*v).to_owned(), format!("v{v}"), false))
            .collect()
    }

    #[test]
    fn a_missing_version_names_the_newest_of_its_own_line() {
        let listed = releases(&[
            "26.1.0", "24.11.1", "22.12.0", "20.18.1", "20.18.0", "20.11.1",
        ]);
        let said = |request| no_such_version("node", request, &listed).to_string();
        assert_eq!(
            said("20.99.1"),
            "no version of node matches `20.99.1`; the newest 20.x are 20.18.1, 20.18.0, 20.11.1"
        );
        assert_eq!(
            said("v20.18.9"),
            "no version of node matches `v20.18.9`; the newest 20.18.x are 20.18.1, 20.18.0"
        );
        // A line no release has, or one every release is in: the newest of all.
        assert_eq!(
            said("19.1.0"),
            "no version of node matches `19.1.0`; the newest are 26.1.0, 24.11.1, 22.12.0, 20.18.1, 20.18.0"
        );
        let python = releases(&["3.13.1", "3.12.8"]);
        assert_eq!(
            no_such_version("python", "3.9", &python).to_string(),
            "no version of python matches `3.9`; the newest are 3.13.1, 3.12.8"
        );
    }
}
