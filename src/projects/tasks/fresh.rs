//! Up to date: a task with `sources` is skipped when its key ([`super::cache::key`]: its
//! sources' content, its commands after templating and so its arguments, its declared
//! env, its tools' lock entries, its dependencies' keys, the platform and the salt) is
//! the key of its last success on this machine, and every `outputs` glob matches a
//! file. The key is the one judge: what changes it changes whether the task is up to
//! date, so the same commit is up to date (or not) on every machine alike (issue 75).
//!
//! The key of the last success is kept under vx's data directory, per project and
//! task: `$XDG_DATA_HOME/vx/state/tasks/<project>/<task>` (`<project>`: a hash of the
//! project directory's path), written after the task succeeded or was restored.
//!
//! Only what is the project's own is read: a regular file's content (streamed, never
//! held whole), up to [`MAX_SOURCE_BYTES`] (a larger one counts by its size and
//! modification time). A FIFO, a device or a socket that a glob matches counts by its
//! kind alone and is never opened for reading (it could block or never end); a link
//! counts by its target's content when that is a regular file inside the project, and
//! by the text of its target otherwise, so a link to `/dev/zero` or out of the project
//! is never read or walked. A linked directory is not entered.

use std::io;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::files::manifest::environment::task::{is_glob, pattern_matches};

/// Most files a task's globs may match (a larger tree is hashed up to here and said).
const MAX_FILES: usize = 100_000;
/// Largest source whose content is hashed; a larger one counts by size and mtime.
pub const MAX_SOURCE_BYTES: u64 = 1 << 30;
/// What a stamp's line starts with: a stamp of the rules before the key judged (a
/// hash of the sources alone) never reads as a key.
const STAMP_PREFIX: &str = "key ";

/// Where one task's last success is recorded, and what else "up to date" asks.
#[derive(Clone, Debug)]
pub struct Stamp {
    project: PathBuf,
    outputs: Vec<String>,
    state: PathBuf,
}

impl Stamp {
    /// The stamp of task `name` of the project at `project`, or `None` when it has no
    /// `sources` (such a task always runs) or there is no data directory.
    pub fn new(
        project: &Path,
        name: &str,
        sources: &[String],
        outputs: &[String],
    ) -> Option<Stamp> {
        if sources.is_empty() {
            return None;
        }
        let file = name.replace([':', '/', '\\'], "_");
        Some(Stamp {
            project: project.to_owned(),
            outputs: outputs.to_vec(),
            state: super::state::project_dir("tasks", project)?.join(file),
        })
    }

    /// Whether the task is up to date: `key` (its key now) is the key of its last
    /// success here, and every output glob matches a file.
    pub fn check(&self, key: &str) -> bool {
        std::fs::read_to_string(&self.state)
            .is_ok_and(|recorded| recorded.trim().strip_prefix(STAMP_PREFIX) == Some(key))
            && self
                .outputs
                .iter()
                .all(|glob| !expand(&self.project, glob, 1).is_empty())
    }

    /// Records `key` (the task's key when it started) as its last success. Replaced
    /// whole but not synced to disk: a stamp a crash tore reads as another key, and the
    /// task runs again (a hundred restored tasks do not wait on the disk a hundred
    /// times).
    pub fn record(&self, key: &str) -> io::Result<()> {
        let line = format!("{STAMP_PREFIX}{key}\n");
        // A task restored or run again with the key of its last success: the stamp
        // says so already (a hundred restores write nothing).
        if std::fs::read(&self.state).is_ok_and(|kept| kept == line.as_bytes()) {
            return Ok(());
        }
        if let Some(dir) = self.state.parent() {
            std::fs::create_dir_all(dir)?;
        }
        crate::foundation::atomic::write_cache(&self.state, line.as_bytes())
    }

    /// The task's turn in this project: a lock beside its stamp, held by the run that
    /// restores or runs it (two runs of one task at once would write the same outputs
    /// at once). `None` when it is another run's turn now.
    pub fn try_turn(&self) -> io::Result<Option<std::fs::File>> {
        if let Some(dir) = self.state.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut path = self.state.clone().into_os_string();
        path.push(".lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(file)),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }
}

/// The files a task's `sources` globs match under its project, sorted, each with what
/// it contributes to a hash (the module's rules): read once a run, for both the
/// up-to-date stamp and the task's key.
#[derive(Clone, Debug)]
pub struct Sources {
    project: PathBuf,
    globs: Vec<String>,
    files: Vec<(PathBuf, Vec<u8>)>,
}

impl Sources {
    /// Reads the files `globs` match under `project` (at most `MAX_FILES` a glob).
    pub fn read(project: &Path, globs: &[String]) -> Sources {
        let mut files: Vec<PathBuf> = globs
            .iter()
            .flat_map(|glob| expand(project, glob, MAX_FILES))
            .collect();
        files.sort();
        files.dedup();
        let root = project
            .canonicalize()
            .unwrap_or_else(|_| project.to_owned());
        let files = files
            .into_iter()
            .map(|rel| {
                let digest = source_digest(&root, &project.join(&rel));
                (rel, digest)
            })
            .collect();
        Sources {
            project: project.to_owned(),
            globs: globs.to_vec(),
            files,
        }
    }

    /// Whether these are the sources of `globs` under `project`.
    pub fn are(&self, project: &Path, globs: &[String]) -> bool {
        self.project == project && self.globs == globs
    }

    /// Each file (relative to the project) with its [`source_id`].
    pub fn ids(&self) -> impl Iterator<Item = (&Path, String)> {
        self.files
            .iter()
            .map(|(rel, digest)| (rel.as_path(), id_of(digest)))
    }
}

/// What the source `rel` of the project at `project` is, in words a key document
/// holds: `sha256:HEX` of a regular file's content (or of the file inside the project
/// a link names), else what `source_digest`'s rules make of it (`link to …`, `not a
/// regular file: fifo`, `large: …`). Never blocks and never reads outside the project.
pub fn source_id(project: &Path, rel: &Path) -> String {
    let root = project
        .canonicalize()
        .unwrap_or_else(|_| project.to_owned());
    id_of(&source_digest(&root, &project.join(rel)))
}

/// A source's digest in words ([`source_id`]).
fn id_of(digest: &[u8]) -> String {
    if digest.len() == 32 {
        format!("sha256:{}", hex::encode(digest))
    } else {
        String::from_utf8_lossy(digest).into_owned()
    }
}

/// What one matched path contributes to a task's hash (see the module's rules): a
/// regular file's content digest, a link's target inside the project or its target's
/// text, or the kind of anything else. Never blocks and never reads outside `root`.
fn source_digest(root: &Path, path: &Path) -> Vec<u8> {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return b"unreadable".to_vec();
    };
    if meta.file_type().is_symlink() {
        return match std::fs::canonicalize(path) {
            Ok(target) if target.starts_with(root) => content_digest(&target),
            _ => {
                let target = std::fs::read_link(path).unwrap_or_default();
                [b"link to ".as_slice(), target.to_string_lossy().as_bytes()].concat()
            }
        };
    }
    content_digest(path)
}

/// The digest of the regular file at `path`, read as a stream through
/// [`crate::foundation::bounded_read`] (opened without blocking, a regular file only).
fn content_digest(path: &Path) -> Vec<u8> {
    use crate::foundation::bounded_read::{self, ReadError};
    match bounded_read::open(path, MAX_SOURCE_BYTES) {
        Ok(file) => {
            let mut hasher = Sha256::new();
            match io::copy(
                &mut bounded_read::bounded(file, MAX_SOURCE_BYTES),
                &mut hasher,
            ) {
                Ok(_) => hasher.finalize().to_vec(),
                Err(_) => b"unreadable".to_vec(),
            }
        }
        Err(ReadError::NotRegular { kind }) => format!("not a regular file: {kind}").into_bytes(),
        Err(ReadError::TooLarge { .. }) => {
            let meta = std::fs::metadata(path).ok();
            let size = meta.as_ref().map_or(0, |m| m.len());
            let modified = meta
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("large: {size} bytes, modified {modified}").into_bytes()
        }
        Err(ReadError::Io(_)) => b"unreadable".to_vec(),
    }
}

/// Whether `path` (under `project`) is inside the project once its links are resolved.
fn inside(project: &Path, path: &Path) -> bool {
    let root = project
        .canonicalize()
        .unwrap_or_else(|_| project.to_owned());
    path.canonicalize().is_ok_and(|real| real.starts_with(root))
}

/// The files (relative paths) under `project` that `glob` matches, at most `limit`:
/// `*` and `?` within a path segment, `**` any number of segments. Hidden `.git`
/// directories are not entered.
pub fn expand(project: &Path, glob: &str, limit: usize) -> Vec<PathBuf> {
    let segments = glob_segments(glob);
    // Walk from the longest literal prefix.
    let literal = segments
        .iter()
        .take_while(|s| !s.contains(['*', '?']))
        .count();
    let mut base = PathBuf::new();
    for s in &segments[..literal] {
        base.push(s);
    }
    let mut out = Vec::new();
    let start = project.join(&base);
    if !inside(project, &start) {
        // Out of the project through a link (or `..`), or not there: never walked. A
        // link named whole still counts (by its target's text).
        if literal == segments.len() && std::fs::symlink_metadata(&start).is_ok() {
            out.push(base);
        }
        return out;
    }
    if literal == segments.len() {
        if start.is_file() {
            out.push(base);
        } else if start.is_dir() {
            walk(project, &base, &mut |rel| out.push(rel.to_owned()), limit);
        }
        return out;
    }
    let rest = &segments[literal..];
    walk(
        project,
        &base,
        &mut |rel| {
            let tail = path_parts(rel.strip_prefix(&base).unwrap_or(rel));
            let tail: Vec<&str> = tail.iter().map(String::as_str).collect();
            if segments_match(rest, &tail) {
                out.push(rel.to_owned());
            }
        },
        limit,
    );
    out
}

/// Whether the relative path `rel` is one that `glob` matches.
pub fn matches(glob: &str, rel: &Path) -> bool {
    let pattern = glob_segments(glob);
    let parts = path_parts(rel);
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    // A glob naming a directory covers what is under it.
    segments_match(&pattern, &parts)
        || (1..parts.len()).any(|n| segments_match(&pattern, &parts[..n]))
}

/// Whether the directory `rel` may hold a path that `glob` matches (or is one): the
/// directories on the way to an output, which a result's archive may name.
pub fn may_hold(glob: &str, rel: &Path) -> bool {
    fn go(pattern: &[&str], path: &[&str]) -> bool {
        match (pattern.split_first(), path.split_first()) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some((&"**", _)), Some(_)) => true,
            (Some((p, rest)), Some((part, below))) => pattern_matches(p, part) && go(rest, below),
        }
    }
    let pattern = glob_segments(glob);
    let parts = path_parts(rel);
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    matches(glob, rel) || go(&pattern, &parts)
}

/// Whether a path that `a` matches may be one that `b` matches, or lie below it (or
/// above): `false` only when they surely name apart trees (`src/**` and `dist/**`),
/// read segment by segment; `**`, and a wildcard against a wildcard, may always meet.
pub fn may_overlap(a: &str, b: &str) -> bool {
    let (a, b) = (glob_segments(a), glob_segments(b));
    for (x, y) in a.iter().zip(&b) {
        if *x == "**" || *y == "**" {
            return true;
        }
        let meet = match (is_glob(x), is_glob(y)) {
            (false, false) => x == y,
            (true, false) => pattern_matches(x, y),
            (false, true) => pattern_matches(y, x),
            (true, true) => true,
        };
        if !meet {
            return false;
        }
    }
    // One names a directory the other lies in (or the same path).
    true
}

/// A glob's segments (`/`-separated; empty and `.` segments dropped).
fn glob_segments(glob: &str) -> Vec<&str> {
    glob.split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect()
}

/// A relative path's normal parts, as text.
fn path_parts(rel: &Path) -> Vec<String> {
    rel.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect()
}

fn segments_match(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|i| segments_match(rest, &path[i..])),
        Some((p, rest)) => {
            !path.is_empty() && pattern_matches(p, path[0]) && segments_match(rest, &path[1..])
        }
    }
}

/// Calls `found` with every file under `project/dir` (relative to `project`): every
/// entry that is not a directory, links included; a link to a directory is not entered.
fn walk(project: &Path, dir: &Path, found: &mut dyn FnMut(&Path), limit: usize) {
    let mut todo = vec![dir.to_owned()];
    let mut seen = 0usize;
    while let Some(dir) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(project.join(&dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name == ".git" {
                continue;
            }
            let rel = dir.join(&name);
            match entry.file_type() {
                Ok(t) if t.is_dir() => todo.push(rel),
                Ok(_) => {
                    seen += 1;
                    if seen > limit {
                        return;
                    }
                    found(&rel);
                }
                Err(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_overlap_unless_they_surely_name_apart_trees() {
        for (a, b) in [
            ("src/**", "src/gen/**"),
            ("src", "src/gen/a.ts"),
            ("**/*.ts", "dist/**"),
            ("packages/*/src/**", "packages/ui/src/**"),
            ("gen/*.txt", "gen/a.txt"),
            ("*.c", "*.o"),
        ] {
            assert!(may_overlap(a, b) && may_overlap(b, a), "{a} {b}");
        }
        for (a, b) in [
            ("src/**", "dist/**"),
            ("gen.txt", "gen/**"),
            ("packages/ui/src/**", "packages/web/dist/**"),
            ("src/*.ts", "out/*.ts"),
        ] {
            assert!(!may_overlap(a, b) && !may_overlap(b, a), "{a} {b}");
        }
    }

    #[test]
    fn globs_match_segments_and_double_stars() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["src/a.rs", "src/sub/b.rs", "src/c.txt", "Cargo.toml"] {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, f).unwrap();
        }
        let mut rs = expand(dir.path(), "src/**/*.rs", 100);
        rs.sort();
        assert_eq!(
            rs,
            [PathBuf::from("src/a.rs"), PathBuf::from("src/sub/b.rs")]
        );
        assert_eq!(
            expand(dir.path(), "*.toml", 100),
            [PathBuf::from("Cargo.toml")]
        );
        assert_eq!(expand(dir.path(), "src", 100).len(), 4 - 1);
        assert!(expand(dir.path(), "nothing/*", 100).is_empty());
    }
}
