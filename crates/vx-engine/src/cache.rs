//! What `vx cache` shows and cleans: everything vx keeps that can be fetched again.
//! In vx's cache directory ([`vx_base::platform::fs::cache_dir`]) the downloads kept by
//! sha256 (`blobs/`, the first source an install tries), the registries' files and
//! their compact indexes (`registries/`) and the answers of GitHub's API and the
//! runtimes' publishers, kept with their `ETag` (`github/`), and the cache of vx's
//! uv (`uv/`: the wheels it installs PyPI tools' environments from, offline too:
//! `crate::install::uv`); in the store, the
//! downloads an interrupted install left to be continued (`<store>/.partial`, removed
//! under their own locks by [`partial`]). Never an installed tool: the store's trees
//! are `vx prune`'s and `vx uninstall`'s. Only these named areas are walked, so a cache
//! directory pointed somewhere unexpected (`VX_CACHE_DIR=~`) loses nothing else.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::install::partial;

/// An area of the cache: its name in output, its directory under the cache directory,
/// and what it holds.
const AREAS: &[(&str, &str, &str)] = &[
    ("downloads", "blobs", "downloads kept by sha256"),
    (
        "registries",
        "registries",
        "registry files and their indexes",
    ),
    ("api", "github", "GitHub API answers and runtime indexes"),
    ("tasks", TASKS, "task results kept by their key"),
    (UV, "uv", "vx's uv's cache of PyPI tools' wheels"),
    (
        "bundled",
        vx_sources::mirror::artifacts::ENVIRONMENT_FILES,
        "PyPI tools' files from imported bundles, by name",
    ),
];

/// The name of the area of vx's uv's cache. uv keeps entries that point at one
/// another (an index's answer names an unpacked wheel's directory), so the area is
/// cleaned whole, never file by file: with an age, only when nothing in it was written
/// since (a half-removed wheel uv still points at would install broken).
pub(crate) const UV: &str = "uv";

/// The directory of task results under the cache directory (`vx_tasks::cache`
/// keeps them; `vx cache clean` removes them whole, entry by entry).
pub const TASKS: &str = "tasks";

/// The name of the store's area of interrupted downloads.
pub(crate) const PARTIALS: &str = "partials";

/// One area's use of the disk.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Usage {
    /// Its name (`downloads`, `registries`, `api`, `uv`, `bundled`, `partials`).
    pub name: &'static str,
    /// Its directory (it may not exist).
    pub path: PathBuf,
    /// What it holds.
    pub what: &'static str,
    /// Bytes its files take on disk.
    pub bytes: u64,
    /// How many files.
    pub files: u64,
}

/// What [`clean`] removed and what it could not.
#[derive(Debug, Default)]
pub struct Cleaned {
    /// Files removed.
    pub files: u64,
    /// Bytes they took on disk.
    pub bytes: u64,
    /// What could not be removed, and why.
    pub failed: Vec<(PathBuf, io::Error)>,
}

/// The store whose partial downloads count: the one `explicit` names (`--store`, an
/// error when it cannot be used), else the default one when it can be located (none:
/// only the cache directory's areas count).
pub fn store(explicit: Option<PathBuf>) -> Result<Option<PathBuf>, crate::store::StoreError> {
    match explicit {
        Some(store) => crate::store::locate(Some(store)).map(Some),
        None => Ok(crate::store::locate(None).ok()),
    }
}

/// The areas of `cache` (vx's cache directory, if known) and of `store`'s partial
/// downloads, with their sizes.
pub fn usage(cache: Option<&Path>, store: Option<&Path>) -> Vec<Usage> {
    areas(cache, store)
        .into_iter()
        .map(|(name, path, what)| {
            let (files, bytes) = walk(&path, None);
            Usage {
                name,
                path,
                what,
                bytes,
                files,
            }
        })
        .collect()
}

fn areas(cache: Option<&Path>, store: Option<&Path>) -> Vec<(&'static str, PathBuf, &'static str)> {
    let mut out: Vec<_> = cache
        .into_iter()
        .flat_map(|cache| AREAS.iter().map(move |(n, d, w)| (*n, cache.join(d), *w)))
        .collect();
    if let Some(store) = store {
        out.push((
            PARTIALS,
            store.join(partial::PARTIAL_DIR),
            "interrupted downloads kept to be continued",
        ));
    }
    out
}

/// Removes the files of every area last written at least `older_than` ago
/// (`Duration::ZERO`: all), and the directories they leave empty; a partial download
/// only when no download holds it.
pub fn clean(cache: Option<&Path>, store: Option<&Path>, older_than: Duration) -> Cleaned {
    let mut cleaned = Cleaned::default();
    for (name, path, _) in areas(cache, store) {
        if let Err(e) = own_dir(&path) {
            cleaned.failed.push((path, e));
            continue;
        }
        if name == PARTIALS {
            continue;
        }
        // uv's cache goes whole or not at all: kept while anything in it is younger.
        let keep = name == UV && newest(&path).is_some_and(|young| young < older_than);
        let mut remove = |file: &Path, meta: &std::fs::Metadata| {
            if keep || age(meta) < older_than {
                return false;
            }
            match std::fs::remove_file(file) {
                Ok(()) => true,
                Err(e) if e.kind() == io::ErrorKind::NotFound => false,
                Err(e) => {
                    cleaned.failed.push((file.to_owned(), e));
                    false
                }
            }
        };
        let (files, bytes) = walk(&path, Some(&mut remove));
        cleaned.files += files;
        cleaned.bytes = cleaned.bytes.saturating_add(bytes);
    }
    if let Some(store) = store {
        for stale in partial::stale(store, older_than) {
            match stale.remove_older(store, older_than) {
                Ok(true) => {
                    cleaned.files += stale.files.len() as u64;
                    cleaned.bytes = cleaned.bytes.saturating_add(stale.size);
                }
                Ok(false) => {}
                Err(e) => cleaned.failed.push((stale.path().to_owned(), e)),
            }
        }
    }
    cleaned
}

/// Whether `dir` is one of vx's own directories to walk: `Ok` when it is a directory
/// itself or is not there, an error saying what it is otherwise. A link is never
/// followed out of vx's directories, so an area that is a symbolic link (to the home
/// directory, say) loses nothing where it points.
pub(crate) fn own_dir(dir: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(meta) if meta.is_symlink() => {
            let target = std::fs::read_link(dir)
                .map(|t| format!(" (to {})", t.display()))
                .unwrap_or_default();
            Err(io::Error::other(format!(
                "it is a symbolic link{target}, not a directory of vx's; vx follows no link out of its own directories, so it is left as it is (remove the link)"
            )))
        }
        Ok(meta) => Err(io::Error::other(format!(
            "it is {}, not a directory; left as it is",
            vx_base::platform::fs::kind_of(meta.file_type())
        ))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// How long ago a file was last written; zero when the clock or the file system does
/// not say, so a file of unknown age goes only when everything is cleaned.
fn age(meta: &std::fs::Metadata) -> Duration {
    meta.modified()
        .ok()
        .and_then(|at| SystemTime::now().duration_since(at).ok())
        .unwrap_or_default()
}

/// The age of the most recently written file under `dir` (`None`: no file).
/// Links are not followed, as in [`walk`]; nothing is removed.
fn newest(dir: &Path) -> Option<Duration> {
    if own_dir(dir).is_err() {
        return None;
    }
    let mut young: Option<Duration> = None;
    let mut dirs = vec![dir.to_owned()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
                continue;
            };
            if meta.is_dir() {
                dirs.push(entry.path());
            } else {
                let this = age(&meta);
                young = Some(young.map_or(this, |y| y.min(this)));
            }
        }
    }
    young
}

/// What [`walk`] does with each file: counts it, or removes it when the closure says
/// so (returning whether it removed it).
type Take<'a> = Option<&'a mut dyn FnMut(&Path, &std::fs::Metadata) -> bool>;

/// Walks the files under `dir` (a symbolic link is a file here: never followed, nor is
/// `dir` itself when it is one: see [`own_dir`]) and
/// returns how many and their size: every file when `take` is `None`, else those it
/// removed, and then the directories left empty go too (not `dir` itself).
fn walk(dir: &Path, mut take: Take<'_>) -> (u64, u64) {
    let mut total = (0u64, 0u64);
    if own_dir(dir).is_err() {
        return total;
    }
    walk_into(dir, &mut take, &mut total, &mut HashSet::new(), false);
    total
}

/// [`walk`] below `dir`; `seen` holds the files of several names (hard links) already
/// counted, whose space is counted once.
fn walk_into(
    dir: &Path,
    take: &mut Take<'_>,
    total: &mut (u64, u64),
    seen: &mut HashSet<(u64, u64)>,
    removable: bool,
) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk_into(&path, take, total, seen, true);
            continue;
        }
        let size = vx_base::platform::fs::allocated(&meta);
        let counted = match take {
            Some(take) => take(&path, &meta),
            None => true,
        };
        let again = vx_base::platform::fs::shared_id(&meta).is_some_and(|id| !seen.insert(id));
        if counted {
            total.0 += 1;
            total.1 = total.1.saturating_add(if again { 0 } else { size });
        }
    }
    if removable && take.is_some() {
        // Fails, harmlessly, while anything is left in it.
        let _ = std::fs::remove_dir(dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_everything_keeps_what_is_not_an_area() {
        let cache = tempfile::tempdir().unwrap();
        let c = cache.path();
        std::fs::create_dir_all(c.join("github/api.github.com")).unwrap();
        std::fs::write(c.join("github/api.github.com/x.json"), "{}").unwrap();
        std::fs::create_dir_all(c.join("blobs/sha256")).unwrap();
        std::fs::write(c.join("blobs/sha256/ab"), "bytes").unwrap();
        std::fs::write(c.join("notes.txt"), "mine").unwrap();
        let before = usage(Some(c), None);
        assert_eq!(before.iter().map(|u| u.files).sum::<u64>(), 2);
        let cleaned = clean(Some(c), None, Duration::ZERO);
        assert_eq!(cleaned.files, 2, "{cleaned:?}");
        assert!(c.join("notes.txt").exists());
        assert!(!c.join("github/api.github.com").exists());
        assert!(c.join("github").exists());
        assert_eq!(usage(Some(c), None).iter().map(|u| u.files).sum::<u64>(), 0);
    }

    #[test]
    fn uvs_cache_goes_whole_or_not_at_all() {
        let cache = tempfile::tempdir().unwrap();
        let c = cache.path();
        let old = c.join("uv/archive-v0/abc/black");
        std::fs::create_dir_all(&old).unwrap();
        std::fs::write(old.join("__init__.py"), "").unwrap();
        let long_ago = SystemTime::now() - Duration::from_secs(90 * 86_400);
        std::fs::File::options()
            .write(true)
            .open(old.join("__init__.py"))
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        std::fs::create_dir_all(c.join("uv/wheels-v5")).unwrap();
        std::fs::write(c.join("uv/wheels-v5/black.http"), "points at abc").unwrap();
        let uv = |c: &Path| {
            usage(Some(c), None)
                .into_iter()
                .find(|u| u.name == UV)
                .unwrap()
        };
        assert_eq!(uv(c).files, 2);
        // One file is new: nothing of the area goes, not even the old one.
        let cleaned = clean(Some(c), None, Duration::from_secs(30 * 86_400));
        assert_eq!(cleaned.files, 0, "{cleaned:?}");
        assert!(old.join("__init__.py").is_file());
        // Without an age, all of it.
        let cleaned = clean(Some(c), None, Duration::ZERO);
        assert_eq!(cleaned.files, 2, "{cleaned:?}");
        assert_eq!(uv(c).files, 0);
    }
}
