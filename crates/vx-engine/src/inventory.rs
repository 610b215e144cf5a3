//! What is in the store and taking it out: `vx list`, `vx uninstall`, `vx prune`.
//! (`vx prune` also removes stale partial downloads: [`partial::stale`].)
//!
//! An installed version is a `<store>/<tool>/<version>-<key>` tree (or an older vx's
//! `<store>/<tool>/<version>`) with a readable receipt naming that place
//! ([`store::RECEIPT_FILE`], [`store::names_its_place`]); anything else in the store (a
//! user's directory, a tree whose receipt is broken) is neither listed nor removed. Two
//! packages of one name and version ([`store::key`]) are two entries. Removing a version takes its
//! install lock ([`store::lock_path`]) so it never races an install of it, moves the
//! tree into a work directory in one `rename` (a reader sees the whole tree or none),
//! and deletes it there: a crash mid-delete leaves a work directory that the next run
//! cleans ([`store::clean_stale_work`]).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::install::partial;
use crate::store::{self, Receipt};

/// One installed tool version.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Installed {
    /// The tool's name.
    pub tool: String,
    /// The version.
    pub version: String,
    /// Its tree in the store.
    pub path: PathBuf,
    /// Bytes the tree takes on disk (allocated blocks; apparent sizes where the file
    /// system does not say).
    pub size: u64,
    /// When it was installed, in seconds since the Unix epoch.
    pub installed_at: u64,
    /// Its executables, relative to the tree.
    pub bin: Vec<String>,
    /// Installed without a sha256 to check.
    pub unverified: bool,
    /// What its download's signatures were verified with (`minisign:KEYID`,
    /// `cosign:sha256:FINGERPRINT`), at install or when its lock entry was made;
    /// `None`: no signature was checked.
    pub verified: Option<String>,
    /// The URL it was downloaded from.
    pub url: String,
}

impl Installed {
    fn of(path: PathBuf, receipt: Receipt) -> Installed {
        Installed {
            size: disk_usage(&path),
            tool: receipt.tool,
            version: receipt.version,
            installed_at: receipt.installed_at,
            bin: receipt.bin,
            unverified: receipt.unverified,
            verified: receipt.verified,
            url: receipt.url,
            path,
        }
    }
}

/// Every installed version in `store`, sorted by tool then version (numerically
/// where the version is numbers: 9 before 10). A missing store holds nothing.
pub fn scan(store: &Path) -> Vec<Installed> {
    receipted(store)
        .into_iter()
        .map(|(tree, receipt)| Installed::of(tree, receipt))
        .collect()
}

/// Every installed version in `store` as `(tool, version)`, sorted as [`scan`] sorts
/// them, each once (two packages of one name and version are one version here),
/// without measuring their trees: what the daemon reads again each time the store
/// changes.
pub fn versions(store: &Path) -> Vec<(String, String)> {
    let mut versions: Vec<(String, String)> = receipted(store)
        .into_iter()
        .map(|(_, receipt)| (receipt.tool, receipt.version))
        .collect();
    versions.dedup();
    versions
}

/// Every installed version's receipt in `store`, sorted as [`scan`] sorts them,
/// without measuring their trees: what the shims are made from.
pub fn receipts(store: &Path) -> Vec<Receipt> {
    receipted(store).into_iter().map(|(_, r)| r).collect()
}

/// The installed versions of `tool` in `store`, oldest first, each once: what the
/// daemon reads again when that tool's directory changes.
pub fn tool_versions(store: &Path, tool: &str) -> Vec<String> {
    let mut found = Vec::new();
    receipted_in(store, tool, &mut found);
    let mut versions: Vec<String> = found.into_iter().map(|(_, r)| r.version).collect();
    versions.dedup();
    versions
}

/// The trees of `store` with a receipt naming them, and those receipts, sorted.
fn receipted(store: &Path) -> Vec<(PathBuf, Receipt)> {
    let mut found = Vec::new();
    for tool in tool_names(store) {
        receipted_in(store, &tool, &mut found);
    }
    found.sort_by(|(_, a), (_, b)| {
        a.tool
            .cmp(&b.tool)
            .then_with(|| compare_versions(&a.version, &b.version))
    });
    found
}

/// Adds the receipted trees of `tool` to `found`, oldest version first.
fn receipted_in(store: &Path, tool: &str, found: &mut Vec<(PathBuf, Receipt)>) {
    let start = found.len();
    // The receipt must name this very place: a tree copied or renamed by hand is not
    // ours to account for.
    found.extend(store::tool_trees(store, tool, |_| true));
    found[start..].sort_by(|(a_tree, a), (b_tree, b)| {
        compare_versions(&a.version, &b.version).then_with(|| a_tree.cmp(b_tree))
    });
}

/// The tool directories of `store` (its directories not starting with a dot), sorted:
/// where versions appear and disappear.
pub fn tool_names(store: &Path) -> Vec<String> {
    let mut names = dir_names(store);
    names.retain(|n| !n.starts_with('.'));
    names
}

/// The names of the directories (not links) in `dir`, sorted; none if unreadable.
fn dir_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

/// Bytes `path` takes on disk, symbolic links not followed and a file of several
/// names (hard links, as the store and Wine's prefixes make) counted once, as `du`
/// counts: counted at each name, a cache of 7.8 GiB was said to take 25.8 GiB. Walked
/// without recursion, so a deep tree costs no stack.
pub fn disk_usage(path: &Path) -> u64 {
    let mut seen = std::collections::HashSet::new();
    let (mut sum, mut paths) = (0u64, vec![path.to_path_buf()]);
    while let Some(at) = paths.pop() {
        let Ok(meta) = fs::symlink_metadata(&at) else {
            continue;
        };
        if vx_base::platform::fs::shared_id(&meta).is_some_and(|id| !seen.insert(id)) {
            continue;
        }
        sum = sum.saturating_add(allocated(&meta));
        if meta.is_dir()
            && let Ok(entries) = fs::read_dir(&at)
        {
            paths.extend(entries.flatten().map(|e| e.path()));
        }
    }
    sum
}

fn allocated(meta: &fs::Metadata) -> u64 {
    vx_base::platform::fs::allocated(meta)
}

/// Orders versions as people read them: runs of digits by value, the rest by text
/// (`1.9 < 1.10`, `1.0.0-rc1 < 1.0.0-rc2`).
pub(crate) fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(v: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let bytes = v.as_bytes();
        for i in 1..=bytes.len() {
            if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[start].is_ascii_digit() {
                out.push((bytes[start].is_ascii_digit(), &v[start..i]));
                start = i;
            }
        }
        out
    }
    let (a, b) = (chunks(a), chunks(b));
    for (x, y) in a.iter().zip(&b) {
        let order = match (x, y) {
            ((true, x), (true, y)) => {
                let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                x.len().cmp(&y.len()).then_with(|| x.cmp(y))
            }
            ((_, x), (_, y)) => x.cmp(y),
        };
        if order.is_ne() {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

/// Why a version cannot be removed.
#[derive(Debug, thiserror::Error)]
pub enum RemoveError {
    /// No receipt at `<store>/<tool>/<version>`.
    #[error("{tool} {version} is not installed in {}", store.display())]
    NotInstalled {
        /// The tool.
        tool: String,
        /// The version.
        version: String,
        /// The store.
        store: PathBuf,
    },
    /// Another process holds the tool's install lock.
    #[error("another vx is installing {tool} {version}; try again when it is done")]
    Busy {
        /// The tool.
        tool: String,
        /// The version.
        version: String,
    },
    /// The file system refused.
    #[error("cannot remove {}", path.display())]
    Io {
        /// What could not be removed.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// Removes `tool` at `version` from `store`, every package of that name and version
/// (see the module docs); returns the bytes they took on disk.
pub fn remove(store: &Path, tool: &str, version: &str) -> Result<u64, RemoveError> {
    // What is not a valid name and version was never installed by vx (and may not
    // be a plain path component: `..`, `a/b`): `trees` finds nothing of it.
    let trees = store::trees(store, tool, version);
    if trees.is_empty() {
        return Err(RemoveError::NotInstalled {
            tool: tool.to_owned(),
            version: version.to_owned(),
            store: store.to_owned(),
        });
    }
    let mut size = 0u64;
    for (tree, _) in trees {
        size = size.saturating_add(remove_tree(store, tool, version, &tree)?);
    }
    Ok(size)
}

/// Removes the tree `tree` of `tool` at `version` (one package of that name and
/// version) from `store`; returns the bytes it took on disk.
pub fn remove_tree(
    store: &Path,
    tool: &str,
    version: &str,
    tree: &Path,
) -> Result<u64, RemoveError> {
    let not_installed = || RemoveError::NotInstalled {
        tool: tool.to_owned(),
        version: version.to_owned(),
        store: store.to_owned(),
    };
    let ours = |tree: &Path| {
        store::read_receipt(tree).is_some_and(|r| {
            r.version == version
                && tree.parent() == Some(&store.join(tool))
                && store::names_its_place(&r, tool, tree)
        })
    };
    if !ours(tree) {
        return Err(not_installed());
    }
    let io_err = |path: &Path| {
        let path = path.to_owned();
        move |source| RemoveError::Io { path, source }
    };
    let lock_path = store::lock_path(store, tool, version);
    let lock = store::open_lock(&lock_path).map_err(io_err(&lock_path))?;
    if lock.try_lock().is_err() {
        return Err(RemoveError::Busy {
            tool: tool.to_owned(),
            version: version.to_owned(),
        });
    }
    // Checked again under the lock: an install may have replaced it meanwhile.
    if !ours(tree) {
        return Err(not_installed());
    }
    let size = disk_usage(tree);
    let work = store::work_dir(store).map_err(io_err(&store.join(store::TMP_DIR)))?;
    fs::rename(tree, work.path().join("removed")).map_err(io_err(tree))?;
    // Dropping the work directory deletes the tree; a left-over is cleaned later.
    drop(work);
    // The tool's directory goes with its last version (it fails harmlessly otherwise).
    let _ = fs::remove_dir(store.join(tool));
    Ok(size)
}

/// What `vx prune` would remove: the installed versions `keep` rejects, the work
/// directories of crashed runs, and the stale partial downloads.
#[derive(Clone, Debug, Default)]
pub struct Prune {
    /// Versions no longer used.
    pub versions: Vec<Installed>,
    /// Work directories left by killed installs, with their size.
    pub work: Vec<(PathBuf, u64)>,
    /// Downloads interrupted at least [`partial::STALE_AFTER`] ago that no download
    /// holds (a recent one may still be continued by the next sync).
    pub partials: Vec<partial::Stale>,
}

impl Prune {
    /// The prune of `store` keeping the installed trees for which `keep` holds.
    pub fn plan(store: &Path, keep: impl Fn(&Installed) -> bool) -> Prune {
        Prune {
            versions: scan(store).into_iter().filter(|v| !keep(v)).collect(),
            work: store::stale_work(store)
                .into_iter()
                .map(|dir| {
                    let size = disk_usage(&dir);
                    (dir, size)
                })
                .collect(),
            partials: partial::stale(store, partial::STALE_AFTER),
        }
    }

    /// Whether the plan removes nothing.
    pub fn is_empty(&self) -> bool {
        self.versions.is_empty() && self.work.is_empty() && self.partials.is_empty()
    }

    /// Bytes the plan frees.
    #[cfg(test)]
    pub(crate) fn size(&self) -> u64 {
        let versions = self.versions.iter().map(|v| v.size);
        let work = self.work.iter().map(|(_, size)| *size);
        let partials = self.partials.iter().map(|p| p.size);
        versions
            .chain(work)
            .chain(partials)
            .fold(0, u64::saturating_add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::install::testutil::{fake_install, tree_of};
    use std::cmp::Ordering;

    fn install(store: &Path, tool: &str, version: &str, payload: &[u8]) -> PathBuf {
        let sha = "ab".repeat(32);
        let tree = fake_install(store, tool, version, "https://x/a.tgz", &sha, &["bin/x"]);
        fs::write(tree.join("bin/x"), payload).unwrap();
        tree
    }

    /// A file of several names (hard links) takes its space once, as `du` says; a
    /// symbolic link to a directory is not followed into it. Unix only: on Windows a
    /// file's index is not given by std, and each name counts.
    #[cfg(unix)]
    #[test]
    fn a_hard_linked_file_is_counted_once_and_links_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let tree = dir.path().join("tree");
        fs::create_dir_all(tree.join("a")).unwrap();
        fs::write(tree.join("a/big"), vec![7u8; 1 << 20]).unwrap();
        let alone = disk_usage(&tree);
        assert!(alone >= 1 << 20, "{alone}");
        for n in 0..8 {
            fs::hard_link(tree.join("a/big"), tree.join(format!("link{n}"))).unwrap();
        }
        let linked = disk_usage(&tree);
        assert!(linked < alone + (64 << 10), "{alone} then {linked}");
        let outside = dir.path().join("outside");
        fs::create_dir(&outside).unwrap();
        fs::write(outside.join("big"), vec![7u8; 1 << 20]).unwrap();
        vx_base::platform::fs::symlink(&outside, &tree.join("to-outside")).unwrap();
        assert!(disk_usage(&tree) < alone + (64 << 10));
    }

    #[test]
    fn versions_sort_as_people_read_them() {
        let mut v = vec![
            "1.10.0",
            "1.9.2",
            "1.9.10",
            "0.9",
            "1.0.0-rc2",
            "1.0.0-rc10",
            "1.0.0",
        ];
        v.sort_by(|a, b| compare_versions(a, b));
        assert_eq!(
            v,
            [
                "0.9",
                "1.0.0",
                "1.0.0-rc2",
                "1.0.0-rc10",
                "1.9.2",
                "1.9.10",
                "1.10.0"
            ]
        );
        assert_eq!(compare_versions("007", "7"), Ordering::Equal);
    }

    #[test]
    fn scan_lists_receipted_trees_only() {
        let store = tempfile::tempdir().unwrap();
        install(store.path(), "rg", "14.1.1", &[1; 5000]);
        install(store.path(), "rg", "9.0", b"x");
        fs::create_dir_all(store.path().join("mine/1.0")).unwrap();
        // A tree whose receipt names another place.
        let moved = install(store.path(), "fd", "1", b"x");
        fs::rename(&moved, store.path().join("fd/2")).unwrap();
        let found = scan(store.path());
        let names: Vec<_> = found
            .iter()
            .map(|i| format!("{}@{}", i.tool, i.version))
            .collect();
        assert_eq!(names, ["rg@9.0", "rg@14.1.1"]);
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(t, v)| (t.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            versions(store.path()),
            pairs(&[("rg", "9.0"), ("rg", "14.1.1")])
        );
        assert_eq!(tool_versions(store.path(), "rg"), ["9.0", "14.1.1"]);
        assert!(
            tool_versions(store.path(), "fd").is_empty(),
            "moved by hand"
        );
        assert!(found[1].size >= 5000, "{}", found[1].size);
        assert_eq!(found[1].bin, ["bin/x"]);
        assert!(scan(&store.path().join("absent")).is_empty());
    }

    /// Two packages of one name and version (aqua's uv and vx's own): two entries
    /// listed, one version to the daemon, both removed by `vx uninstall uv@V`.
    #[test]
    fn two_packages_of_one_version_are_two_trees_and_one_version() {
        let store = tempfile::tempdir().unwrap();
        // uv 0.13.9 from `url`, its archive's sha256 `sha`.
        let uv = |url: &str, sha: &str| fake_install(store.path(), "uv", "0.13.9", url, sha, &[]);
        let musl = uv("https://x/musl.tgz", &"ab".repeat(32));
        let gnu = uv("https://x/gnu.tgz", &"cd".repeat(32));
        assert_ne!(musl, gnu);
        assert_eq!(scan(store.path()).len(), 2);
        assert_eq!(tool_versions(store.path(), "uv"), ["0.13.9"]);
        assert_eq!(versions(store.path()).len(), 1);
        remove(store.path(), "uv", "0.13.9").unwrap();
        assert!(!musl.exists() && !gnu.exists());
    }

    #[test]
    fn remove_takes_the_tree_and_refuses_what_is_not_there_or_busy() {
        let store = tempfile::tempdir().unwrap();
        install(store.path(), "rg", "1", b"x");
        install(store.path(), "rg", "2", b"x");
        assert!(matches!(
            remove(store.path(), "rg", "3"),
            Err(RemoveError::NotInstalled { .. })
        ));
        assert!(matches!(
            remove(store.path(), "..", "rg"),
            Err(RemoveError::NotInstalled { .. })
        ));
        let held = store::open_lock(&store::lock_path(store.path(), "rg", "1")).unwrap();
        held.lock().unwrap();
        // flock locks are per open file: a second open in this process conflicts.
        assert!(matches!(
            remove(store.path(), "rg", "1"),
            Err(RemoveError::Busy { .. })
        ));
        drop(held);
        let (one, two) = (
            tree_of(store.path(), "rg", "1"),
            tree_of(store.path(), "rg", "2"),
        );
        assert!(remove(store.path(), "rg", "1").unwrap() > 0);
        assert!(!one.exists());
        assert!(two.exists());
        remove(store.path(), "rg", "2").unwrap();
        assert!(
            !store.path().join("rg").exists(),
            "the empty tool dir goes too"
        );
        assert!(store::stale_work(store.path()).is_empty());
        assert_eq!(
            fs::read_dir(store.path().join(store::TMP_DIR))
                .unwrap()
                .count(),
            0
        );
    }

    #[test]
    fn prune_keeps_what_is_used_and_finds_dead_work() {
        let store = tempfile::tempdir().unwrap();
        install(store.path(), "rg", "1", b"x");
        install(store.path(), "rg", "2", b"x");
        let dead = store.path().join(store::TMP_DIR).join("install-dead");
        fs::create_dir_all(&dead).unwrap();
        fs::write(dead.join(store::WORK_LOCK), b"").unwrap();
        let plan = Prune::plan(store.path(), |i| i.tool == "rg" && i.version == "2");
        assert_eq!(plan.versions.len(), 1);
        assert_eq!(plan.versions[0].version, "1");
        assert_eq!(plan.work.len(), 1);
        assert!(plan.partials.is_empty());
        assert!(plan.size() >= plan.versions[0].size);
    }
}
