//! Downloads kept across runs, so a download interrupted in one `vx sync` (Ctrl-C, a
//! cancel, a connection that stayed dead through the retries) continues in the next
//! `vx sync` or `vx install`, of any process, instead of starting from zero.
//!
//! An http(s) download is written to `<store>/.partial/<key>.part`, where `<key>` is the
//! first 32 hex digits of the SHA-256 of its URL: the URL is what a server can
//! continue, and it is known before any lock entry or sha256 is. Beside the bytes,
//! `<key>.json` records the URL and the `If-Range` validator (a strong `ETag`, else
//! `Last-Modified`) of the response they came from; it exists only while the bytes
//! can be continued, and is removed before a file is emptied to start over, so the
//! bytes are always a prefix of what the recorded validator names. The bytes so far
//! are the file's length (true even after a SIGKILL mid-write), and the time is its
//! modification time. An interrupted download also records the bytes' length and
//! SHA-256 ([`Kept::seal`]): a download whose sha256 is not known (trusted on first
//! download) continues only bytes that still hash to it, since nothing checks the
//! whole file afterwards.
//!
//! The next download of the URL hashes the kept bytes again (the SHA-256 covers the
//! whole file) and asks for the rest with `Range` + `If-Range` ([`super::fetch::fetch_kept`]);
//! a server that answers 200 instead (the file changed, no ranges any more) sends the
//! whole file and the download starts over.
//!
//! Writing a partial takes `<store>/.locks/partial-<key>.lock`: the per-tool install
//! lock does not cover two tools or versions downloading one URL. The second of those
//! downloads into its own work directory, keeping nothing ([`super::resume::fetch`]).
//!
//! A verified download is moved into the install's work directory (the partial is
//! gone); an interrupted one ([`super::FetchError::is_interruption`]) is kept when it can be
//! continued; after any other failure (an HTTP 4xx, a checksum mismatch, a size limit,
//! a full disk) it is removed, so no later run continues bad bytes. `vx prune` removes
//! partials untouched for [`STALE_AFTER`] that no download holds ([`stale`]).

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::store;

/// Name of the directory of kept downloads inside the store.
pub(crate) const PARTIAL_DIR: &str = ".partial";
/// A partial untouched for this long is stale: `vx prune` removes it.
pub(crate) const STALE_AFTER: Duration = Duration::from_secs(7 * 86_400);
/// Suffix of a kept download's bytes.
const DATA_SUFFIX: &str = ".part";
/// Suffix of its record (URL and validator).
const META_SUFFIX: &str = ".json";
/// Largest record read back; a real one is a URL and a validator.
const MAX_META_BYTES: u64 = 64 * 1024;

/// What `<key>.json` holds.
#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    /// The URL the bytes came from (the key is a hash of it: this rules out a
    /// collision).
    url: String,
    /// The `If-Range` validator of the response the bytes came from.
    validator: String,
    /// The length and SHA-256 of the bytes when the download that kept them was
    /// interrupted; absent while a download writes them (or after a SIGKILL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    prefix: Option<Prefix>,
}

/// What the kept bytes were when their download stopped: a download whose sha256 is
/// not known (trusted on first download) continues them only when they still are
/// these bytes, since nothing would check them afterwards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Prefix {
    /// How many bytes.
    pub bytes: u64,
    /// Their SHA-256 (hex).
    pub sha256: String,
}

/// The key of `url`'s partial: 128 bits of the SHA-256 of the URL, in hex.
fn key(url: &str) -> String {
    hex::encode(&Sha256::digest(url.as_bytes())[..16])
}

/// The lock of the partial `key` in `store`.
fn lock_path(store: &Path, key: &str) -> PathBuf {
    // No `@`: it cannot be a tool's install lock (`TOOL@VERSION.lock`).
    store
        .join(store::LOCKS_DIR)
        .join(format!("partial-{key}.lock"))
}

/// Takes the lock of the partial `key`: `None` when another process holds it or it
/// cannot be taken.
fn try_lock(store: &Path, key: &str) -> Option<File> {
    let lock = store::open_lock(&lock_path(store, key)).ok()?;
    lock.try_lock().ok()?;
    Some(lock)
}

/// Whether a download holds the partial `key` now (without creating its lock file).
fn held(store: &Path, key: &str) -> bool {
    match File::open(lock_path(store, key)) {
        Ok(lock) => vx_shm::liveness::lock_held(&lock),
        Err(_) => false,
    }
}

/// The partial download of one URL, locked by this process while it lives.
#[derive(Debug)]
pub(crate) struct Kept {
    _lock: File,
    data: PathBuf,
    meta: PathBuf,
    /// Whether the record may exist: `false` only when it is known not to (read as
    /// absent under the lock, or removed since), so removing it is skipped.
    meta_present: AtomicBool,
    url: String,
    /// The recorded validator of the kept bytes, when there is one for this URL.
    validator: Option<String>,
    /// The recorded length and digest of the kept bytes, when their download was
    /// interrupted ([`Kept::seal`]).
    prefix: Option<Prefix>,
}

impl Kept {
    /// Claims the partial of `url` in `store` (creating `<store>/.partial`). `None`
    /// when another download holds it, or the area cannot be used: the download then
    /// goes to its work directory as if nothing could be kept.
    pub(crate) fn claim(store: &Path, url: &str) -> Option<Kept> {
        let key = key(url);
        let lock = try_lock(store, &key)?;
        let dir = store.join(PARTIAL_DIR);
        // Looked at before it is made: a `mkdir` of a directory that is there locks the
        // store's directory all the same, against every other install's.
        if !dir.is_dir() {
            fs::create_dir_all(&dir).ok()?;
        }
        let meta = dir.join(format!("{key}{META_SUFFIX}"));
        let (found, present) = read_meta(&meta);
        let (validator, prefix) = match found.filter(|m| m.url == url) {
            Some(m) => (Some(m.validator), m.prefix),
            None => (None, None),
        };
        Some(Kept {
            _lock: lock,
            data: dir.join(format!("{key}{DATA_SUFFIX}")),
            meta,
            meta_present: AtomicBool::new(present),
            url: url.to_owned(),
            validator,
            prefix,
        })
    }

    /// The file the bytes are written to.
    pub(crate) fn path(&self) -> &Path {
        &self.data
    }

    /// The validator of the bytes kept from an earlier run, if they can be continued.
    pub(crate) fn validator(&self) -> Option<&str> {
        self.validator.as_deref()
    }

    /// The length and digest recorded when the kept bytes' download was interrupted.
    pub(crate) fn prefix(&self) -> Option<&Prefix> {
        self.prefix.as_ref()
    }

    /// How many bytes an earlier run kept that this download continues from (0: it
    /// starts from zero). `sealed_only`: for a download nothing checks afterwards,
    /// only bytes whose length was recorded at their interruption ([`Kept::seal`]);
    /// their digest is checked when they are read back.
    pub(crate) fn resumes_at(&self, sealed_only: bool) -> u64 {
        let len = match self.validator {
            Some(_) => fs::metadata(&self.data).map_or(0, |m| m.len()),
            None => 0,
        };
        match &self.prefix {
            _ if !sealed_only => len,
            Some(prefix) if prefix.bytes == len => len,
            _ => 0,
        }
    }

    /// Records `validator` as naming the bytes in the file (`None`: they cannot be
    /// continued). Best effort: a record that cannot be written only means a later
    /// run starts over (the record is replaced atomically, never half written).
    pub(crate) fn record(&self, validator: Option<&str>) {
        match validator {
            Some(validator) => self.write_meta(validator, None),
            None => self.remove_meta(),
        }
    }

    /// Records, with `validator`, the length and digest of the bytes in the file at
    /// an interruption: a later download that nothing checks continues them only
    /// while they are still these bytes.
    pub(crate) fn seal(&self, validator: &str, prefix: Prefix) {
        self.write_meta(validator, Some(prefix));
    }

    /// Replaces the record atomically; one that cannot be written is removed (a later
    /// run starts over).
    fn write_meta(&self, validator: &str, prefix: Option<Prefix>) {
        let meta = Meta {
            url: self.url.clone(),
            validator: validator.to_owned(),
            prefix,
        };
        let staging = self.meta.with_extension("json.new");
        self.meta_present.store(true, Ordering::Relaxed);
        let written = serde_json::to_vec(&meta)
            .map_err(io::Error::other)
            .and_then(|json| fs::write(&staging, json))
            .and_then(|()| fs::rename(&staging, &self.meta));
        if written.is_err() {
            let _ = fs::remove_file(&staging);
            self.remove_meta();
        }
    }

    /// Removes the record, unless it is known not to be there (a removal of nothing
    /// still locks the directory of every partial, against the other installs).
    fn remove_meta(&self) {
        if !self.meta_present.load(Ordering::Relaxed) {
            return;
        }
        match fs::remove_file(&self.meta) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => {}
            _ => self.meta_present.store(false, Ordering::Relaxed),
        }
    }

    /// Moves the bytes of a verified download to `dest`: the partial is gone.
    pub(crate) fn take(self, dest: &Path) -> io::Result<()> {
        fs::rename(&self.data, dest)?;
        self.remove_meta();
        Ok(())
    }

    /// After a download that failed: keeps the bytes when it was `interrupted` and
    /// they can be continued, else removes them (no later run continues bad bytes).
    pub(crate) fn after_failure(self, interrupted: bool) {
        if !(interrupted && self.can_continue()) {
            self.discard();
        }
    }

    /// Whether the file holds bytes and a validator records what they are.
    fn can_continue(&self) -> bool {
        self.meta.is_file() && fs::metadata(&self.data).is_ok_and(|m| m.len() > 0)
    }

    /// Removes the bytes and their record.
    fn discard(&self) {
        self.remove_meta();
        let _ = fs::remove_file(&self.data);
    }
}

/// Reads a partial's record: `None` when absent, oversized or malformed; and whether
/// a file may be there (anything but "not found").
fn read_meta(path: &Path) -> (Option<Meta>, bool) {
    match vx_base::bounded_read::read(path, MAX_META_BYTES) {
        Ok(bytes) => (serde_json::from_slice(&bytes).ok(), true),
        Err(err) => (None, !err.is_not_found()),
    }
}

/// A stale partial download (see [`stale`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stale {
    /// Its key.
    key: String,
    /// Its files (the bytes, the record, either may be missing).
    pub files: Vec<PathBuf>,
    /// Bytes they take on disk.
    pub size: u64,
    /// How long since it was last written.
    pub age: Duration,
}

impl Stale {
    /// The file of the downloaded bytes (what a listing names).
    pub fn path(&self) -> &Path {
        &self.files[0]
    }

    /// Removes it under its lock, unless a download took it meanwhile: `Ok(false)`.
    pub fn remove(&self, store: &Path) -> io::Result<bool> {
        self.remove_older(store, STALE_AFTER)
    }

    /// [`Stale::remove`], for a partial untouched for `older_than` (`vx cache clean`'s
    /// own age) rather than [`STALE_AFTER`].
    pub(crate) fn remove_older(&self, store: &Path, older_than: Duration) -> io::Result<bool> {
        let Some(_lock) = try_lock(store, &self.key) else {
            return Ok(false);
        };
        // Checked again under the lock: a download may have continued it meanwhile.
        if newest_write(&self.files).is_some_and(|at| age(at) < older_than) {
            return Ok(false);
        }
        for file in &self.files {
            match fs::remove_file(file) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(true)
    }
}

/// The partials of `store` untouched for at least `older_than` that no download holds
/// (a free lock), sorted by key; nothing is removed.
pub(crate) fn stale(store: &Path, older_than: Duration) -> Vec<Stale> {
    let dir = store.join(PARTIAL_DIR);
    // Never through a link out of the store (see `crate::cache::own_dir`).
    if !fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir()) {
        return Vec::new();
    }
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut keys: Vec<String> = entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter_map(|name| {
            let key = name
                .strip_suffix(DATA_SUFFIX)
                .or_else(|| name.strip_suffix(META_SUFFIX))
                .or_else(|| name.strip_suffix(".json.new"))?;
            is_key(key).then(|| key.to_owned())
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| {
            let files: Vec<PathBuf> = [DATA_SUFFIX, META_SUFFIX, ".json.new"]
                .iter()
                .map(|suffix| dir.join(format!("{key}{suffix}")))
                .filter(|path| path.symlink_metadata().is_ok_and(|m| m.is_file()))
                .collect();
            let age = age(newest_write(&files)?);
            if age < older_than || held(store, &key) {
                return None;
            }
            let size = files
                .iter()
                .filter_map(|f| f.metadata().ok())
                .map(|m| vx_base::platform::fs::allocated(&m))
                .fold(0, u64::saturating_add);
            Some(Stale {
                key,
                files,
                size,
                age,
            })
        })
        .collect()
}

/// Whether `name` is a key this module makes (so nothing else in the directory is
/// ever removed).
fn is_key(name: &str) -> bool {
    name.len() == 32 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// When the newest of `files` was last written; `None` when none can be read.
fn newest_write(files: &[PathBuf]) -> Option<SystemTime> {
    files
        .iter()
        .filter_map(|f| f.metadata().and_then(|m| m.modified()).ok())
        .max()
}

/// How long ago `at` was (zero for a time in the future).
fn age(at: SystemTime) -> Duration {
    at.elapsed().unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The URL of the partials the tests leave.
    pub(crate) const URL: &str = "https://x.org/t-1.tar.gz";

    fn backdate(files: &[PathBuf], by: Duration) {
        let at = SystemTime::now() - by;
        for file in files {
            File::options()
                .write(true)
                .open(file)
                .unwrap()
                .set_modified(at)
                .unwrap();
        }
    }

    /// A partial of `URL` as an interrupted download leaves it.
    pub(crate) fn leave(store: &Path, bytes: &[u8]) -> PathBuf {
        let kept = Kept::claim(store, URL).unwrap();
        fs::write(kept.path(), bytes).unwrap();
        kept.record(Some("\"v1\""));
        kept.path().to_owned()
    }

    #[test]
    fn a_record_that_is_there_is_removed_even_when_it_is_unreadable_or_another_urls() {
        let store = tempfile::tempdir().unwrap();
        let kept = Kept::claim(store.path(), URL).unwrap();
        let (data, meta) = (kept.data.clone(), kept.meta.clone());
        drop(kept);
        for record in [
            &b"not json"[..],
            br#"{"url":"https://elsewhere/t","validator":"v"}"#,
        ] {
            fs::write(&data, b"bytes").unwrap();
            fs::write(&meta, record).unwrap();
            let kept = Kept::claim(store.path(), URL).unwrap();
            assert_eq!(kept.validator(), None);
            kept.after_failure(false);
            assert!(!meta.exists() && !data.exists());
        }
        // Written by this download, then taken: gone with the bytes.
        let kept = Kept::claim(store.path(), URL).unwrap();
        fs::write(&data, b"bytes").unwrap();
        kept.record(Some("\"etag\""));
        assert!(meta.is_file());
        let dest = store.path().join("dest");
        kept.take(&dest).unwrap();
        assert!(!meta.exists() && dest.is_file());
    }

    #[test]
    fn a_partial_is_keyed_by_url_and_locked_while_claimed() {
        let store = tempfile::tempdir().unwrap();
        let first = Kept::claim(store.path(), URL).unwrap();
        assert!(first.path().starts_with(store.path().join(PARTIAL_DIR)));
        assert!(
            Kept::claim(store.path(), URL).is_none(),
            "a second download of the URL does not share the file"
        );
        let other = Kept::claim(store.path(), "https://x.org/t-2.tar.gz").unwrap();
        assert_ne!(first.path(), other.path());
        drop(first);
        assert!(Kept::claim(store.path(), URL).is_some(), "free again");
    }

    #[test]
    fn the_kept_bytes_continue_only_with_their_validator_and_url() {
        let store = tempfile::tempdir().unwrap();
        leave(store.path(), b"12345");
        let kept = Kept::claim(store.path(), URL).unwrap();
        assert_eq!(kept.validator(), Some("\"v1\""));
        assert_eq!(kept.resumes_at(false), 5);
        // A record naming another URL (a key collision) is not this URL's.
        let meta = Meta {
            url: "https://elsewhere/".into(),
            validator: "\"v1\"".into(),
            prefix: None,
        };
        fs::write(&kept.meta, serde_json::to_vec(&meta).unwrap()).unwrap();
        drop(kept);
        let kept = Kept::claim(store.path(), URL).unwrap();
        assert_eq!(kept.validator(), None);
        assert_eq!(kept.resumes_at(false), 0);
        // No record at all: nothing to continue.
        kept.record(None);
        drop(kept);
        assert_eq!(Kept::claim(store.path(), URL).unwrap().resumes_at(false), 0);
    }

    #[test]
    fn stale_partials_are_old_and_free_and_removed_under_their_lock() {
        let store = tempfile::tempdir().unwrap();
        let path = leave(store.path(), b"old bytes");
        let files = [path.clone(), path.with_extension("json")];
        assert!(stale(store.path(), STALE_AFTER).is_empty(), "recent");
        backdate(&files, STALE_AFTER + Duration::from_secs(60));
        // Not a partial of ours: never listed.
        fs::write(store.path().join(PARTIAL_DIR).join("notes.txt"), b"x").unwrap();

        let held = Kept::claim(store.path(), URL).unwrap();
        assert!(stale(store.path(), STALE_AFTER).is_empty(), "in use");
        let found = {
            drop(held);
            stale(store.path(), STALE_AFTER)
        };
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].path(), path);
        assert_eq!(found[0].files.len(), 2);
        assert!(found[0].age >= STALE_AFTER);

        // A download that takes it between the listing and the removal keeps it.
        let held = Kept::claim(store.path(), URL).unwrap();
        assert!(!found[0].remove(store.path()).unwrap());
        drop(held);
        assert!(path.exists());
        assert!(found[0].remove(store.path()).unwrap());
        assert!(!path.exists() && !files[1].exists());
        assert!(store.path().join(PARTIAL_DIR).join("notes.txt").exists());
    }
}
