//! The API answers vx has seen, under `<cache>/github/`: one file per URL holding the
//! body, its `ETag` and the page's `next` link. A later request sends the `ETag` back
//! (`If-None-Match`) and a `304 Not Modified`, which costs no rate limit, serves the
//! file; offline, the file serves without a request. Files are replaced atomically,
//! and only answers that parsed are stored.

use std::path::{Path, PathBuf};

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
    /// The `rel="next"` link of a paginated answer.
    pub next: Option<String>,
    /// The JSON body.
    pub body: String,
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
    pub fn new(root: &Path) -> Cache {
        Cache {
            dir: root.join("github"),
        }
    }

    /// Where the answers are kept.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file that holds the answer for `url`.
    pub fn path(&self, url: &str) -> PathBuf {
        let hash = hex::encode(Sha256::digest(url.as_bytes()));
        self.dir.join(format!("{}.json", &hash[..32]))
    }

    /// The answer cached for `url`.
    pub fn get(&self, url: &str) -> Lookup {
        let path = self.path(url);
        let bytes = match crate::bounded_read::read(&path, MAX_ENTRY_BYTES) {
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
    pub fn put(&self, entry: &Entry) {
        let Ok(bytes) = serde_json::to_vec(entry) else {
            return;
        };
        if std::fs::create_dir_all(&self.dir).is_ok() {
            let _ = crate::atomic::write(&self.path(&entry.url), &bytes);
        }
    }
}
