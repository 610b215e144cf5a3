//! Results kept on this machine: `<cache dir>/tasks/<key>/` (vx's cache directory,
//! where `vx cache` sees them as the `tasks` area) holding the key's document
//! (`key.json`), the outputs' archives, one per output root (`outputs/0.tar.zst`, …),
//! the task's log with each chunk's stream (`log.v2`, [`super::streams`]; an entry kept
//! by an earlier vx holds `log`, both streams run together, replayed to stdout as that
//! vx replayed it), and who made it (`origin`: a run here, or a registry it was
//! restored from once believed; a run with `--push` never signs an entry it did not make).
//!
//! An entry is made in a scratch directory beside the others and renamed into place
//! whole, so a reader never sees half of one; two runs storing one key keep the first.
//! Bounded: after each store the least recently used entries go until the area is under
//! its size (`[settings] task_cache_size`, default [`DEFAULT_SIZE`]); an entry's last
//! use is the modification time of its `used` file, set when it is stored or restored.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::CacheError;
use super::streams::Log;

/// The area's directory under vx's cache directory (`vx cache`'s `tasks` area).
pub(crate) const AREA: &str = vx_engine::cache::TASKS;
/// The size the area is kept under when the project does not say: 4 GiB.
pub(crate) const DEFAULT_SIZE: u64 = vx_model::manifest::environment::DEFAULT_TASK_CACHE_SIZE;

/// The key document's file in an entry.
pub(crate) const DOCUMENT: &str = "key.json";
/// The directory of the outputs' archives in an entry: one per output root
/// (`0.tar.zst`, `1.tar.zst`, …).
pub(crate) const OUTPUTS: &str = "outputs";
/// The task's log in an entry, each chunk with its stream ([`super::streams`]).
pub(crate) const LOG: &str = "log.v2";
/// The task's log in an entry an earlier vx kept: both streams' bytes run together.
/// A vx that reads only this file finds no whole entry in one this vx keeps (a miss:
/// it runs the task and keeps its own), never a log it would misread.
pub(crate) const PLAIN_LOG: &str = "log";
/// The most bytes of a log read: a log is kept under 4 MiB (the runner's cap), and
/// the registry's are read up to this too.
pub(crate) const MAX_LOG: u64 = 16 << 20;
/// The file whose mtime is the entry's last use.
const USED: &str = "used";
/// The file that says who made the entry ([`Origin`]).
const ORIGIN: &str = "origin";
/// A scratch directory (`.archives-*`, `.new-*`) left this long untouched is one a
/// killed run left: removed at the next keep, so a killed keep costs no space for good.
const STALE: Duration = Duration::from_secs(3600);

/// Who made an entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A run of the task on this machine.
    Run,
    /// Restored from this registry (named as messages name it), signed by a key the
    /// project trusts.
    Registry(String),
}

impl Origin {
    /// As the `origin` file holds it (one line).
    fn line(&self) -> String {
        match self {
            Origin::Run => "run\n".to_owned(),
            Origin::Registry(label) => format!("registry {label}\n"),
        }
    }
}

/// The results kept on this machine.
#[derive(Clone, Debug)]
pub struct Local {
    dir: PathBuf,
    limit: u64,
}

/// One result kept here.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Its directory.
    pub dir: PathBuf,
}

impl Entry {
    /// Its outputs' archives, one per output root, in order.
    pub(crate) fn outputs(&self) -> Vec<PathBuf> {
        super::archive::roots_in(&self.dir.join(OUTPUTS))
    }

    /// Its log: `log.v2`, else an earlier vx's `log` (to stdout, as that vx replayed
    /// it). One that cannot be read, is over [`MAX_LOG`] or is not a log: refused.
    pub(crate) fn log(&self) -> Result<Log, CacheError> {
        let (path, plain) = match self.dir.join(LOG) {
            path if path.is_file() => (path, false),
            _ => (self.dir.join(PLAIN_LOG), true),
        };
        let bytes = vx_base::bounded_read::read(&path, MAX_LOG)
            .map_err(|e| CacheError::Refused(format!("its log: {e}")))?;
        Ok(Log::kept(&bytes, !plain)?)
    }

    /// Whether a run on this machine made it (its `origin` says `run`): its log is
    /// replayed as the task wrote it; any other's is text from outside
    /// ([`super::log::made_safe`]).
    pub(crate) fn made_here(&self) -> bool {
        vx_base::bounded_read::read(&self.dir.join(ORIGIN), 4096)
            .is_ok_and(|bytes| bytes.trim_ascii() == b"run")
    }

    /// Who made it, in words: `made by a run here`, `restored from REGISTRY`, or
    /// `made by an older vx` (an entry kept before entries said so).
    pub(crate) fn origin(&self) -> String {
        let line = vx_base::bounded_read::read(&self.dir.join(ORIGIN), 4096)
            .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_owned())
            .unwrap_or_default();
        match line.split_once(' ') {
            _ if line == "run" => "made by a run here".to_owned(),
            Some(("registry", label)) => format!("restored from {}", vx_text::sanitize(label)),
            _ => "made by an older vx".to_owned(),
        }
    }
}

impl Local {
    /// The results under `dir`, kept under `limit` bytes.
    pub(crate) fn new(dir: PathBuf, limit: u64) -> Local {
        Local { dir, limit }
    }

    /// The results in vx's cache directory, if there is one.
    pub(crate) fn in_cache_dir(limit: Option<u64>) -> Option<Local> {
        let dir = vx_base::platform::fs::cache_dir()?.join(AREA);
        Some(Local::new(dir, limit.unwrap_or(DEFAULT_SIZE)))
    }

    /// The directory results are kept in (their scratch directories too).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The entry of `key`, when a whole one is here (its use recorded).
    pub fn get(&self, key: &str) -> Option<Entry> {
        let dir = self.dir.join(key);
        let whole = dir.join(DOCUMENT).is_file()
            && [LOG, PLAIN_LOG].iter().any(|f| dir.join(f).is_file())
            && dir.join(OUTPUTS).is_dir();
        if !whole {
            return None;
        }
        touch(&dir.join(USED));
        Some(Entry { dir })
    }

    /// Keeps a result under `key`: its document, the directory of archives at
    /// `archives` (moved), `log` and who made it; then evicts what is over the limit
    /// and what killed runs left. An entry already there stays.
    pub(crate) fn put(
        &self,
        key: &str,
        document: &[u8],
        archives: &Path,
        log: &Log,
        origin: &Origin,
    ) -> Result<Entry, CacheError> {
        let io_err = |path: &Path| {
            let path = path.to_owned();
            move |source| CacheError::Io {
                what: "keep a task's result",
                path,
                source,
            }
        };
        std::fs::create_dir_all(&self.dir).map_err(io_err(&self.dir))?;
        let dir = self.dir.join(key);
        // What a run made replaces what was kept under its key (it may be what another
        // job planted there: issue 78); a result restored from a registry does not.
        let replace = *origin == Origin::Run && dir.exists();
        if replace || self.get(key).is_none() {
            let scratch = tempfile::Builder::new()
                .prefix(".new-")
                .tempdir_in(&self.dir)
                .map_err(io_err(&self.dir))?;
            let at = scratch.path();
            std::fs::write(at.join(DOCUMENT), document).map_err(io_err(at))?;
            std::fs::write(at.join(LOG), log.encode()).map_err(io_err(at))?;
            std::fs::rename(archives, at.join(OUTPUTS)).map_err(io_err(archives))?;
            std::fs::write(at.join(ORIGIN), origin.line()).map_err(io_err(at))?;
            std::fs::write(at.join(USED), b"").map_err(io_err(at))?;
            let kept = scratch.keep();
            if replace {
                self.remove(key);
            }
            if std::fs::rename(&kept, &dir).is_err() {
                // Another run kept this key first: its entry stays.
                let _ = std::fs::remove_dir_all(&kept);
            }
        }
        self.remove_stale();
        self.evict(key);
        Ok(Entry { dir })
    }

    /// Removes the scratch directories (`.archives-*`, `.new-*`) that nothing touched
    /// for an hour (`STALE`): what a keep or a fetch killed mid-way left, outside the size
    /// bound. One in use is written to, so its newest file is recent.
    pub(crate) fn remove_stale(&self) -> usize {
        let Ok(read) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        let now = SystemTime::now();
        let stale = |path: &Path| {
            let newest = std::iter::once(path.to_owned())
                .chain(
                    std::fs::read_dir(path)
                        .into_iter()
                        .flatten()
                        .flatten()
                        .map(|e| e.path()),
                )
                .filter_map(|p| std::fs::symlink_metadata(p).and_then(|m| m.modified()).ok())
                .max();
            newest.is_some_and(|t| now.duration_since(t).is_ok_and(|age| age > STALE))
        };
        read.flatten()
            .filter(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                name.starts_with(".archives-") || name.starts_with(".new-")
            })
            .filter(|e| stale(&e.path()))
            .filter(|e| std::fs::remove_dir_all(e.path()).is_ok())
            .count()
    }

    /// Removes the entry of `key` (one that was refused, or is replaced): moved aside
    /// whole first, so a reader never sees half of one.
    pub(crate) fn remove(&self, key: &str) {
        let dir = self.dir.join(key);
        let Ok(aside) = tempfile::Builder::new()
            .prefix(".new-gone-")
            .tempdir_in(&self.dir)
        else {
            return;
        };
        let aside = aside.keep();
        let moved = aside.join("entry");
        if std::fs::rename(&dir, &moved).is_err() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        let _ = std::fs::remove_dir_all(&aside);
    }

    /// A scratch directory for archives about to be kept (in the area, so the move
    /// into an entry is a rename).
    pub(crate) fn scratch(&self) -> Result<tempfile::TempDir, CacheError> {
        std::fs::create_dir_all(&self.dir).map_err(|source| CacheError::Io {
            what: "make the results' directory",
            path: self.dir.clone(),
            source,
        })?;
        tempfile::Builder::new()
            .prefix(".archives-")
            .tempdir_in(&self.dir)
            .map_err(|source| CacheError::Io {
                what: "make a scratch file",
                path: self.dir.clone(),
                source,
            })
    }

    /// Removes the least recently used entries (never `keep`) until the area holds at
    /// most the limit; returns how many went.
    pub(crate) fn evict(&self, keep: &str) -> usize {
        let Ok(read) = std::fs::read_dir(&self.dir) else {
            return 0;
        };
        let mut entries: Vec<(SystemTime, u64, PathBuf)> = read
            .flatten()
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| {
                let dir = e.path();
                let used = std::fs::metadata(dir.join(USED))
                    .and_then(|m| m.modified())
                    .unwrap_or(SystemTime::UNIX_EPOCH);
                (used, size_of(&dir), dir)
            })
            .collect();
        let mut total: u64 = entries.iter().map(|e| e.1).sum();
        entries.sort_by_key(|e| e.0);
        let mut gone = 0;
        for (_, size, dir) in entries {
            if total <= self.limit {
                break;
            }
            if dir.file_name().is_some_and(|n| n == keep) {
                continue;
            }
            if std::fs::remove_dir_all(&dir).is_ok() {
                total -= size;
                gone += 1;
            }
        }
        gone
    }
}

/// The bytes of the files in `dir` and its `outputs` directory.
fn size_of(dir: &Path) -> u64 {
    let files = |dir: &Path| -> u64 {
        std::fs::read_dir(dir)
            .map(|read| {
                read.flatten()
                    .filter_map(|e| e.metadata().ok())
                    .filter(std::fs::Metadata::is_file)
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    };
    files(dir) + files(&dir.join(OUTPUTS))
}

/// Sets `path`'s mtime to now (made when missing).
fn touch(path: &Path) {
    if let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
    {
        let _ = file.set_modified(SystemTime::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A keep killed mid-way leaves its scratch; the next keep removes it once nothing
    /// touched it for an hour, and leaves a scratch in use (issue 78). (Unix: setting a
    /// directory's mtime through a handle opened for reading is refused on Windows.)
    #[cfg(unix)]
    #[test]
    fn stale_scratch_is_removed_at_the_next_keep() {
        let dir = tempfile::tempdir().unwrap();
        let local = Local::new(dir.path().join("tasks"), u64::MAX);
        let old = local.scratch().unwrap().keep();
        std::fs::write(old.join("0.tar.zst"), vec![0u8; 4096]).unwrap();
        let hours_ago = SystemTime::now() - Duration::from_secs(2 * 3600);
        for path in [old.join("0.tar.zst"), old.clone()] {
            std::fs::File::open(&path)
                .unwrap()
                .set_modified(hours_ago)
                .unwrap();
        }
        let busy = local.scratch().unwrap();
        std::fs::write(busy.path().join("0.tar.zst"), b"being written").unwrap();

        let archives = local.scratch().unwrap().keep();
        let entry = local
            .put("k", b"{}", &archives, &Log::plain(b"log"), &Origin::Run)
            .unwrap();
        assert!(!old.exists(), "the killed keep's scratch is gone");
        assert!(busy.path().exists(), "a scratch in use stays");
        assert_eq!(entry.origin(), "made by a run here");
    }

    /// What a run made replaces what was kept under its key; what a registry gave does
    /// not (issue 78).
    #[test]
    fn a_runs_result_replaces_the_kept_entry() {
        let dir = tempfile::tempdir().unwrap();
        let local = Local::new(dir.path().join("tasks"), u64::MAX);
        let put = |log: &[u8], origin: &Origin| {
            let archives = local.scratch().unwrap().keep();
            local
                .put("k", b"{}", &archives, &Log::plain(log), origin)
                .unwrap()
        };
        put(b"planted", &Origin::Run);
        assert_eq!(
            put(b"made", &Origin::Run).log().unwrap(),
            Log::plain(b"made")
        );
        let entry = put(b"fetched", &Origin::Registry("oci://r/x".into()));
        assert_eq!(entry.log().unwrap(), Log::plain(b"made"));
        assert_eq!(entry.origin(), "made by a run here");
    }

    /// An entry is kept with its log's streams and read back so; an entry an earlier
    /// vx kept (`log`, plain bytes) is whole and its log replayed to stdout, as that
    /// vx replayed it; a `log.v2` that is cut short, corrupt or over the bound is
    /// refused, never read as something else.
    #[test]
    fn an_entrys_log_keeps_its_streams_and_an_earlier_vxs_is_read_as_stdout() {
        use crate::events::Stream;
        let dir = tempfile::tempdir().unwrap();
        let local = Local::new(dir.path().join("tasks"), u64::MAX);
        let mut log = Log::default();
        log.push(Stream::Stdout, b"OUT\n");
        log.push(Stream::Stderr, b"ERR\n");
        let archives = local.scratch().unwrap().keep();
        let entry = local
            .put("k", b"{}", &archives, &log, &Origin::Run)
            .unwrap();
        assert_eq!(entry.log().unwrap(), log);
        assert!(
            !entry.dir.join(PLAIN_LOG).exists(),
            "an earlier vx finds no whole entry"
        );

        // As an earlier vx kept it: `log`, no `log.v2`.
        std::fs::remove_file(entry.dir.join(LOG)).unwrap();
        std::fs::write(entry.dir.join(PLAIN_LOG), b"ERR\nOUT\n").unwrap();
        let old = local.get("k").expect("an earlier vx's entry is whole");
        assert_eq!(old.log().unwrap(), Log::plain(b"ERR\nOUT\n"));

        // A `log.v2` cut short is refused, whatever `log` beside it says.
        let bytes = log.encode();
        std::fs::write(entry.dir.join(LOG), &bytes[..bytes.len() - 2]).unwrap();
        let cut = local.get("k").unwrap().log().unwrap_err().to_string();
        assert_eq!(cut, "its log: it is cut short");
        std::fs::write(entry.dir.join(LOG), b"ERR\nOUT\n").unwrap();
        let corrupt = local.get("k").unwrap().log().unwrap_err().to_string();
        assert_eq!(corrupt, "its log: it is not a vx log");
        let huge = std::fs::File::create(entry.dir.join(LOG)).unwrap();
        huge.set_len(MAX_LOG + 1).unwrap();
        let over = local.get("k").unwrap().log().unwrap_err().to_string();
        assert!(over.starts_with("its log: larger than"), "{over}");
    }
}
