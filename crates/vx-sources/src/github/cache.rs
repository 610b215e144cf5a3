//! The API answers vx has seen, under `<cache>/github/`: one file per URL holding the
//! body, its validators (`ETag`, `Last-Modified`), when it was fetched and the page's
//! `next` link. Within the freshness window ([`super::GithubConfig::fresh_for`]) the
//! file serves without a request; after it, a request sends the validators back
//! (`If-None-Match`, `If-Modified-Since`) and a `304 Not Modified`, which costs no rate
//! limit, serves the file (and restarts its window); offline, the file serves without
//! a request. Files are replaced atomically, and only answers that parsed are stored.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Largest cached answer read back: a page of releases is at most 32 MiB, and the
/// entry holds it with its URL and validators.
const MAX_ENTRY_BYTES: u64 = 64 << 20;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A cached answer.
#[derive(Serialize, Deserialize)]
pub(super) struct Entry {
    /// The URL it answers (a check against the unlikely hash collision).
    pub url: String,
    /// Its validator, when the server gave one.
    pub etag: Option<String>,
    /// Its `Last-Modified` date, when the server gave one: sent back as
    /// `If-Modified-Since` (what a server without `ETag`s revalidates by).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// When the server last gave or confirmed it (seconds since the Unix epoch): an
    /// answer younger than the freshness window is used without a request. Absent in
    /// files of an older vx, which are revalidated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched: Option<u64>,
    /// The `rel="next"` link of a paginated answer.
    pub next: Option<String>,
    /// The JSON body.
    pub body: String,
}

impl Entry {
    /// Whether the server gave or confirmed this answer less than `window` before
    /// `now`. A date in the future (a clock set back) is not fresh.
    pub(crate) fn is_fresh(&self, window: Duration, now: SystemTime) -> bool {
        let Some(fetched) = self.fetched else {
            return false;
        };
        let Ok(now) = now.duration_since(UNIX_EPOCH) else {
            return false;
        };
        now.as_secs()
            .checked_sub(fetched)
            .is_some_and(|age| Duration::from_secs(age) < window)
    }
}

/// Seconds since the Unix epoch at `now`, for [`Entry::fetched`].
pub(super) fn epoch_secs(now: SystemTime) -> Option<u64> {
    now.duration_since(UNIX_EPOCH).ok().map(|d| d.as_secs())
}

/// The cache directory of GitHub answers.
pub(super) struct Cache {
    dir: PathBuf,
}

/// What reading a cache file found.
pub(super) enum Lookup {
    /// Nothing for this URL.
    Miss,
    /// An answer.
    Hit(Entry),
    /// A file that does not hold one (edited by hand, or from another vx).
    Unreadable(PathBuf, String),
}

impl Cache {
    /// The cache under `root` (vx's cache directory): `root/github`.
    pub(crate) fn new(root: &Path) -> Cache {
        Cache {
            dir: root.join("github"),
        }
    }

    /// Where the answers are kept.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file that holds the answer for `url`.
    pub(crate) fn path(&self, url: &str) -> PathBuf {
        let hash = hex::encode(Sha256::digest(url.as_bytes()));
        self.dir.join(format!("{}.json", &hash[..32]))
    }

    /// The answer cached for `url`.
    pub(crate) fn get(&self, url: &str) -> Lookup {
        let path = self.path(url);
        let bytes = match vx_base::bounded_read::read(&path, MAX_ENTRY_BYTES) {
            Ok(bytes) => bytes,
            Err(e) if e.is_not_found() => return Lookup::Miss,
            Err(e) => return Lookup::Unreadable(path, e.to_string()),
        };
        match serde_json::from_slice::<Entry>(&bytes) {
            Ok(entry) if entry.url == url => Lookup::Hit(entry),
            Ok(_) => Lookup::Miss,
            Err(e) => Lookup::Unreadable(path, e.to_string()),
        }
    }

    /// Keeps `entry` for its URL. Best effort: a cache that cannot be written costs
    /// only a later request (or, offline, says what is missing).
    pub(crate) fn put(&self, entry: &Entry) {
        let Ok(bytes) = serde_json::to_vec(entry) else {
            return;
        };
        if std::fs::create_dir_all(&self.dir).is_ok() {
            let _ = vx_base::atomic::write(&self.path(&entry.url), &bytes);
        }
    }
}
