//! Where registries come from, and the cache that keeps them: aqua's standard
//! registry at a pinned ref and sha256, and a project's extra registries (a file by
//! path, or a URL), each opened as a compact [`Index`].
//!
//! Fetching goes through a [`Fetch`] the caller passes (vx's HTTP client), so this room
//! knows no network. A fetched file is checked against the sha256 pinned for it (in
//! vx's source for the standard registry, in the lock for others) before anything is
//! cached; a mismatch is refused with both digests. The cache, under
//! `<cache_dir>/registries/`:
//!
//! - `files/<sha256>.yaml`: registry files as fetched, content-addressed;
//! - `index/<sha256>.idx`: the index of each;
//! - `urls/<sha256 of the URL>`: the digest last fetched from a URL, for a registry
//!   asked for without a pin;
//! - `paths/<sha256 of the path>.idx`: the index of a registry given by path, rebuilt
//!   when the file's stamp changes.
//!
//! An index that is missing, corrupt or another vx's is rebuilt from the cached file
//! (checked against its digest again); without that file, it is fetched again, or,
//! offline, the error says what to fetch.

mod baked;
pub mod incremental;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use thiserror::Error;

use super::index::{Index, IndexError, Origin};
use super::package::{MAX_BYTES, Registry, RegistryError};
use super::parallel;
use crate::github::hosts::GithubHosts;

/// The name of aqua's standard registry among a project's registries.
pub const STANDARD_NAME: &str = "standard";
/// The ref of aquaproj/aqua-registry this vx uses by default.
pub const STANDARD_REF: &str = "v4.554.0";
/// The sha256 of `registry.yaml` at [`STANDARD_REF`].
pub const STANDARD_SHA256: &str =
    "40c72e0caa7e3aa18893e39aad5224fa68b8b4c969af82012618cc3cbc3af9aa";

/// What a [`Fetch`] failed with: the caller's own error, shown as it displays.
pub type FetchError = Box<dyn std::error::Error + Send + Sync>;

/// Gets the bytes at a URL: vx's HTTP client (proxies, certificates, GitHub token for
/// GitHub hosts), passed in by the caller.
pub trait Fetch {
    /// The body at `url`; more than `max_bytes` bytes is an error.
    fn fetch(&self, url: &str, max_bytes: u64) -> Result<Vec<u8>, FetchError>;
}

/// A registry a project uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// aqua's standard registry at a ref of aquaproj/aqua-registry.
    Standard {
        /// The ref (a tag such as `v4.554.0`).
        git_ref: String,
        /// The sha256 its `registry.yaml` must have; `None` accepts what is fetched
        /// (and reports its digest), except at [`STANDARD_REF`], whose digest is
        /// pinned.
        sha256: Option<String>,
    },
    /// A registry file of the project.
    Path {
        /// Its name among the project's registries.
        name: String,
        /// The file, relative to the project's directory (or absolute).
        path: PathBuf,
    },
    /// A registry file at a URL.
    Url {
        /// Its name among the project's registries.
        name: String,
        /// Where it is.
        url: String,
        /// The sha256 it must have (from the lock); `None` accepts what is fetched.
        sha256: Option<String>,
    },
}

impl Source {
    /// The standard registry at the ref and digest pinned in vx.
    pub fn standard() -> Source {
        Source::Standard {
            git_ref: STANDARD_REF.to_owned(),
            sha256: Some(STANDARD_SHA256.to_owned()),
        }
    }

    /// The registry's name among the project's (`standard`, `corp`).
    pub(crate) fn name(&self) -> &str {
        match self {
            Source::Standard { .. } => STANDARD_NAME,
            Source::Path { name, .. } | Source::Url { name, .. } => name,
        }
    }
}

/// What opening a registry needs from the caller.
pub struct Context<'a> {
    /// vx's cache directory ([`vx_base::platform::fs::cache_dir`]); registries are kept
    /// under `registries/` in it.
    pub cache_dir: PathBuf,
    /// The project's directory, which registry paths are relative to.
    pub project_dir: PathBuf,
    /// Where GitHub is (the standard registry is a raw file of a repository there).
    pub github: GithubHosts,
    /// Never fetch: what is not cached is an error.
    pub offline: bool,
    /// Fetches a URL.
    pub fetcher: &'a dyn Fetch,
    /// Shows a progress line (sanitized) before a fetch.
    pub progress: &'a dyn Fn(&str),
}

/// Which registry, at which content, a package came from: what the lock pins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryId {
    /// Its name (`standard`, `corp`).
    pub name: String,
    /// The ref, for the standard registry.
    pub git_ref: Option<String>,
    /// The sha256 (lowercase hex) of the registry file indexed.
    pub digest: String,
}

/// A registry opened: what it is and its index.
#[derive(Debug)]
pub struct Opened {
    /// Which registry at which content.
    pub id: RegistryId,
    /// Its index.
    pub index: Index,
}

/// Why a registry cannot be opened.
#[derive(Debug, Error)]
pub enum SourceError {
    /// The fetcher failed.
    #[error("fetching {what} from {url}: {}", without_url(source, url))]
    Fetch {
        /// The registry (`the standard registry v4.554.0`, `registry \`corp\``).
        what: String,
        /// The URL, without credentials or query.
        url: String,
        /// The fetcher's error.
        source: FetchError,
    },
    /// The registry failed to open earlier in this run: not fetched again, the same
    /// reason said.
    #[error("{message}")]
    Failed {
        /// The first failure's message.
        message: String,
        /// Whether it was [`SourceError::unreachable`].
        unreachable: bool,
    },
    /// The fetched file is not the one pinned.
    #[error("{what} from {url} has sha256 {got}, but {expected} is pinned: refused")]
    Mismatch {
        /// The registry.
        what: String,
        /// The URL, without credentials or query.
        url: String,
        /// The pinned digest.
        expected: String,
        /// The fetched file's digest.
        got: String,
    },
    /// Offline and not cached.
    #[error(
        "{what} is not cached and vx is offline: run `vx registry update` (or any vx command with the network) to fetch it"
    )]
    Offline {
        /// The registry.
        what: String,
    },
    /// A pinned digest that is not a sha256.
    #[error("{what}: `{digest}` is not a sha256 (64 hexadecimal digits)")]
    BadDigest {
        /// The registry.
        what: String,
        /// The digest as given.
        digest: String,
    },
    /// The registry file does not parse.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The index cannot be written or read back.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// A file cannot be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
}

impl SourceError {
    /// Whether nothing answered (DNS, connect, TLS, proxy, timeout): the network, not
    /// the registry, is at fault, and the same would happen to anything else fetched
    /// from there.
    pub fn unreachable(&self) -> bool {
        match self {
            SourceError::Fetch { source, .. } => source
                .downcast_ref::<crate::github::GithubError>()
                .is_some_and(crate::github::GithubError::unreachable),
            SourceError::Failed { unreachable, .. } => *unreachable,
            _ => false,
        }
    }
}

/// The fetcher's error without the URL it starts with, which the message says already.
fn without_url(source: &FetchError, url: &str) -> String {
    let text = source.to_string();
    text.strip_prefix(url)
        .and_then(|rest| rest.strip_prefix(": "))
        .map_or_else(|| text.clone(), str::to_owned)
}

/// Opens `source`'s index: from the cache when it holds it, else fetched (online) or
/// read (a path) and indexed.
pub(crate) fn open(source: &Source, cx: &Context<'_>) -> Result<Opened, SourceError> {
    let cache = Cache {
        root: cx.cache_dir.join("registries"),
    };
    match source {
        Source::Standard { git_ref, sha256 } => {
            let pin = sha256
                .clone()
                .or_else(|| (git_ref == STANDARD_REF).then(|| STANDARD_SHA256.to_owned()));
            let url = cx
                .github
                .raw("aquaproj", "aqua-registry", git_ref, "registry.yaml");
            let what = format!("the standard registry {git_ref}");
            let (index, digest) =
                open_fetched(&cache, cx, &what, &url, pin.as_deref(), Some(git_ref))?;
            Ok(Opened {
                id: RegistryId {
                    name: STANDARD_NAME.to_owned(),
                    git_ref: Some(git_ref.clone()),
                    digest,
                },
                index,
            })
        }
        Source::Url { name, url, sha256 } => {
            let what = format!("registry `{name}`");
            let (index, digest) = open_fetched(&cache, cx, &what, url, sha256.as_deref(), None)?;
            Ok(Opened {
                id: RegistryId {
                    name: name.clone(),
                    git_ref: None,
                    digest,
                },
                index,
            })
        }
        Source::Path { name, path } => {
            let index = open_path(&cache, &cx.project_dir.join(path))?;
            Ok(Opened {
                id: RegistryId {
                    name: name.clone(),
                    git_ref: None,
                    digest: index.origin().digest.clone(),
                },
                index,
            })
        }
    }
}

/// Fetches the registry at `url` (`[settings] registries` entry `name`) again,
/// whatever the cache holds, and makes that copy the one later [`open`]s take: a
/// registry named by URL alone is otherwise fetched once and kept (`vx registry
/// update`). Returns the digest that was taken before (if one was) and the new one.
pub fn refetch_url(
    name: &str,
    url: &str,
    cx: &Context<'_>,
) -> Result<(Option<String>, String), SourceError> {
    let cache = Cache {
        root: cx.cache_dir.join("registries"),
    };
    let what = format!("registry `{name}`");
    let before = cache.recorded(url);
    let shown = shown_url(url);
    let bytes = fetch_with_progress(cx, &what, url, &shown, MAX_BYTES as u64)?;
    let (_, digest) = index_checked(&cache, url, &shown, &what, &bytes, None)?;
    Ok((before, digest))
}

/// The file `what` at `url` (`shown` as the user may see it; a registry or a file it
/// publishes), at most `max_bytes`, fetched with a progress line: an error offline.
fn fetch_with_progress(
    cx: &Context<'_>,
    what: &str,
    url: &str,
    shown: &str,
    max_bytes: u64,
) -> Result<Vec<u8>, SourceError> {
    if cx.offline {
        return Err(SourceError::Offline {
            what: what.to_owned(),
        });
    }
    (cx.progress)(&vx_text::sanitize(&format!(
        "fetching {what} from {shown} …"
    )));
    cx.fetcher
        .fetch(url, max_bytes)
        .map_err(|source| SourceError::Fetch {
            what: what.to_owned(),
            url: shown.to_owned(),
            source,
        })
}

/// Closes `opened` and removes its index file, so the next [`open`] rebuilds it (after
/// a definition in it was found corrupt). Closed first: Windows cannot replace a file
/// that is still open.
pub(crate) fn discard(opened: Opened) {
    let path = opened.index.path().to_path_buf();
    drop(opened);
    let _ = std::fs::remove_file(path);
}

/// The index of a registry fetched from `url` and its digest: cached under the pinned
/// digest (or the one last fetched from `url`), else the copy shipped in vx when it is
/// the standard one at `standard` ref and pinned digest ([`baked`]), else fetched,
/// checked and cached.
fn open_fetched(
    cache: &Cache,
    cx: &Context<'_>,
    what: &str,
    url: &str,
    pin: Option<&str>,
    standard: Option<&str>,
) -> Result<(Index, String), SourceError> {
    let pin = checked_pin(what, pin)?;
    let known = pin.clone().or_else(|| cache.recorded(url));
    if let Some(digest) = &known
        && let Some(index) = cache.cached_index(digest)?
    {
        return Ok((index, digest.clone()));
    }
    let shown = shown_url(url);
    let shipped = standard
        .and_then(baked::standard)
        .filter(|bytes| pin.as_ref().is_none_or(|p| *p == sha256_hex(bytes)));
    if let Some(bytes) = shipped {
        return index_checked(cache, url, &shown, what, &bytes, pin);
    }
    let bytes = fetch_with_progress(cx, what, url, &shown, MAX_BYTES as u64)?;
    index_checked(cache, url, &shown, what, &bytes, pin)
}

/// Why [`fetch_file`]'s caller refuses a file's bytes (not UTF-8, not the file's
/// format): said with the URL, and the bytes are not kept.
pub(crate) type Refusal = Box<dyn std::error::Error + Send + Sync>;

/// A file a registry publishes beside itself (a runtime declaration), at `url`, at most
/// `max_bytes`: the bytes and their sha256, kept like a registry file (content-addressed
/// under `files/`, the digest last fetched from the URL under `urls/`). Without
/// `refresh` it is the copy pinned (`pin`, from the lock) or last fetched from `url`
/// when the cache holds it, else fetched, a fetched file with another digest than
/// `pin` refused ([`SourceError::Mismatch`]); with `refresh` (and online) it is fetched
/// again whatever is pinned or cached, to be pinned anew. Bytes `accept` refuses (not
/// UTF-8, not the file's format) are never cached, nor taken from the cache.
pub(crate) fn fetch_file(
    cx: &Context<'_>,
    what: &str,
    url: &str,
    pin: Option<&str>,
    refresh: bool,
    max_bytes: u64,
    accept: &dyn Fn(&[u8]) -> Result<(), Refusal>,
) -> Result<(Vec<u8>, String), SourceError> {
    let cache = Cache {
        root: cx.cache_dir.join("registries"),
    };
    let pin = checked_pin(what, pin)?;
    let path_of = |digest: &str| cache.root.join("files").join(format!("{digest}.toml"));
    if !refresh || cx.offline {
        let known = pin.clone().or_else(|| cache.recorded(url));
        if let Some(digest) = known
            && let Ok(bytes) = vx_base::bounded_read::read(&path_of(&digest), max_bytes)
            && sha256_hex(&bytes) == digest
            && accept(&bytes).is_ok()
        {
            return Ok((bytes, digest));
        }
    }
    let shown = shown_url(url);
    let bytes = fetch_with_progress(cx, what, url, &shown, max_bytes)?;
    // What the caller cannot use (a captive portal's page for a TOML file) is never
    // kept: a cached copy would fail every later run until a refresh.
    if let Err(why) = accept(&bytes) {
        return Err(SourceError::Failed {
            message: format!("{what} from {shown}: {why} (not kept: fetched again next time)"),
            unreachable: false,
        });
    }
    let got = sha256_hex(&bytes);
    if let Some(expected) = pin
        && expected != got
        && !refresh
    {
        return Err(SourceError::Mismatch {
            what: what.to_owned(),
            url: shown,
            expected,
            got,
        });
    }
    write_file(&path_of(&got), &bytes)?;
    cache.record(url, &got)?;
    Ok((bytes, got))
}

/// `pin` as lowercase hex; one that is not a sha256 is refused before it names a cache
/// file.
fn checked_pin(what: &str, pin: Option<&str>) -> Result<Option<String>, SourceError> {
    pin.map(|p| {
        normal_digest(p).ok_or_else(|| SourceError::BadDigest {
            what: what.to_owned(),
            digest: p.to_owned(),
        })
    })
    .transpose()
}

/// `bytes` of the registry at `url` checked against `pin`, parsed, cached and indexed.
fn index_checked(
    cache: &Cache,
    url: &str,
    shown: &str,
    what: &str,
    bytes: &[u8],
    pin: Option<String>,
) -> Result<(Index, String), SourceError> {
    let got = sha256_hex(bytes);
    if let Some(expected) = pin
        && expected != got
    {
        return Err(SourceError::Mismatch {
            what: what.to_owned(),
            url: shown.to_owned(),
            expected,
            got,
        });
    }
    let registry = parallel::parse(bytes, Path::new(shown))?;
    cache.store(&got, bytes)?;
    let index = cache.index_of(&registry, &got)?;
    cache.record(url, &got)?;
    Ok((index, got))
}

/// The index of the registry file at `file`, rebuilt when the file's stamp is not the
/// one indexed.
fn open_path(cache: &Cache, file: &Path) -> Result<Index, SourceError> {
    let io = |source| SourceError::Io {
        path: file.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(file).map_err(io)?;
    let stamp = stamp_text(&meta);
    let key = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let index_path = cache.root.join("paths").join(format!(
        "{}.idx",
        sha256_hex(key.as_os_str().as_encoded_bytes())
    ));
    if let Ok(index) = Index::open(&index_path)
        && index.origin().stamp == stamp
    {
        return Ok(index);
    }
    // Read after the stamp was taken: an edit in between leaves an older stamp beside
    // newer content, so the next run indexes again rather than trusting stale names.
    let bytes = vx_base::bounded_read::read(file, MAX_BYTES as u64).map_err(|e| io(e.into()))?;
    let registry = parallel::parse(&bytes, file)?;
    let origin = Origin {
        digest: sha256_hex(&bytes),
        stamp,
    };
    Index::write(&index_path, &registry, &origin)?;
    Ok(Index::open(&index_path)?)
}

/// What identifies one version of a file, as text.
fn stamp_text(meta: &std::fs::Metadata) -> String {
    let s = vx_base::platform::fs::FileStamp::of(meta);
    format!(
        "{}:{}:{}:{}:{}",
        s.device, s.inode, s.size, s.modified_ns, s.changed_ns
    )
}

/// The registries' cache directory.
struct Cache {
    root: PathBuf,
}

impl Cache {
    fn file(&self, digest: &str) -> PathBuf {
        self.root.join("files").join(format!("{digest}.yaml"))
    }

    fn index_path(&self, digest: &str) -> PathBuf {
        self.root.join("index").join(format!("{digest}.idx"))
    }

    fn url_record(&self, url: &str) -> PathBuf {
        self.root.join("urls").join(sha256_hex(url.as_bytes()))
    }

    /// The digest last fetched from `url`, if recorded (and well formed).
    fn recorded(&self, url: &str) -> Option<String> {
        let text = vx_base::bounded_read::read_to_string(&self.url_record(url), 1024).ok()?;
        normal_digest(text.trim())
    }

    /// Records that `url` served `digest`.
    fn record(&self, url: &str, digest: &str) -> Result<(), SourceError> {
        write_file(&self.url_record(url), format!("{digest}\n").as_bytes())
    }

    /// Keeps a fetched registry file under its digest.
    fn store(&self, digest: &str, bytes: &[u8]) -> Result<(), SourceError> {
        write_file(&self.file(digest), bytes)
    }

    /// Indexes `registry` (whose file has `digest`) and opens the index.
    fn index_of(&self, registry: &Registry, digest: &str) -> Result<Index, SourceError> {
        let path = self.index_path(digest);
        let origin = Origin {
            digest: digest.to_owned(),
            stamp: String::new(),
        };
        Index::write(&path, registry, &origin)?;
        Ok(Index::open(&path)?)
    }

    /// The cached index of the file with `digest`: opened when intact, else rebuilt
    /// from the cached file when that is there and still has its digest; `None` when
    /// neither is cached.
    fn cached_index(&self, digest: &str) -> Result<Option<Index>, SourceError> {
        if let Ok(index) = Index::open(&self.index_path(digest))
            && index.origin().digest == digest
        {
            return Ok(Some(index));
        }
        let path = self.file(digest);
        let Ok(bytes) = vx_base::bounded_read::read(&path, MAX_BYTES as u64) else {
            return Ok(None);
        };
        if sha256_hex(&bytes) != digest {
            // Damaged in the cache: fetched again, as if absent.
            let _ = std::fs::remove_file(&path);
            return Ok(None);
        }
        let registry = parallel::parse(&bytes, &path)?;
        self.index_of(&registry, digest).map(Some)
    }
}

/// Writes `bytes` to `path` atomically, creating its directory.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), SourceError> {
    let io = |source| SourceError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    vx_base::atomic::write_cache(path, bytes).map_err(io)
}

/// The sha256 of `bytes`, lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `digest` as lowercase hex when it is a sha256 (64 hexadecimal digits).
fn normal_digest(digest: &str) -> Option<String> {
    (digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| digest.to_ascii_lowercase())
}

/// `url` as shown in messages: without credentials (`user:token@`), query or fragment.
fn shown_url(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or(url);
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = authority.rsplit('@').next().unwrap_or(authority);
            format!("{scheme}://{host}{path}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
pub(super) mod tests;
