//! Up to date: a task with `sources` is skipped when its key ([`crate::cache::key`]: its
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
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use vx_base::glob::{GlobSet, expand_all};

/// Most files a task's globs may match (a larger tree is hashed up to here and said).
const MAX_FILES: usize = 100_000;
/// Largest source whose content is hashed; a larger one counts by size and mtime.
pub(crate) const MAX_SOURCE_BYTES: u64 = 1 << 30;
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
            state: crate::state::project_dir("tasks", project)?.join(file),
        })
    }

    /// Whether the task is up to date: `key` (its key now) is the key of its last
    /// success here, and every output root holds a file (a `!glob` of `outputs` taking
    /// its files out: [`crate::cache::outputs::Outputs`]).
    pub(crate) fn check(&self, key: &str) -> bool {
        std::fs::read_to_string(&self.state)
            .is_ok_and(|recorded| recorded.trim().strip_prefix(STAMP_PREFIX) == Some(key))
            && crate::cache::outputs::Outputs::of(&self.outputs)
                .each_holds_a_file(&self.project, MAX_FILES)
    }

    /// Records `key` (the task's key when it started) as its last success. Replaced
    /// whole but not synced to disk: a stamp a crash tore reads as another key, and the
    /// task runs again (a hundred restored tasks do not wait on the disk a hundred
    /// times).
    pub(crate) fn record(&self, key: &str) -> io::Result<()> {
        let line = format!("{STAMP_PREFIX}{key}\n");
        // A task restored or run again with the key of its last success: the stamp
        // says so already (a hundred restores write nothing).
        if std::fs::read(&self.state).is_ok_and(|kept| kept == line.as_bytes()) {
            return Ok(());
        }
        if let Some(dir) = self.state.parent() {
            std::fs::create_dir_all(dir)?;
        }
        vx_base::atomic::write_cache(&self.state, line.as_bytes())
    }

    /// The task's turn in this project: a lock beside its stamp, held by the run that
    /// restores or runs it (two runs of one task at once would write the same outputs
    /// at once). `None` when it is another run's turn now.
    pub(crate) fn try_turn(&self) -> io::Result<Option<std::fs::File>> {
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
pub(crate) struct Sources {
    project: PathBuf,
    globs: Vec<String>,
    tracked: Vec<String>,
    files: Vec<(PathBuf, Vec<u8>)>,
}

impl Sources {
    /// Reads the files `globs` match under `project` (at most `MAX_FILES` a glob), but
    /// those a `!glob` of them takes away ([`expand_all`]), and those only `tracked`
    /// globs (some of `globs`) match that the project's `.gitignore` files ignore.
    pub(crate) fn read(project: &Path, globs: &[String], tracked: &[String]) -> Sources {
        let mut files = expand_all(project, globs, MAX_FILES);
        if !tracked.is_empty() {
            let named: Vec<String> = globs
                .iter()
                .filter(|g| !g.starts_with('!') && !tracked.contains(g))
                .cloned()
                .collect();
            let mut ignored = vx_base::gitignore::Ignored::new(project);
            let named = GlobSet::lossy(&named);
            files.retain(|rel| !ignored.is_ignored(rel) || named.matches(rel));
        }
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
            tracked: tracked.to_vec(),
            files,
        }
    }

    /// Whether these are the sources of `globs` (`tracked` among them) under `project`.
    pub(crate) fn are(&self, project: &Path, globs: &[String], tracked: &[String]) -> bool {
        self.project == project && self.globs == globs && self.tracked == tracked
    }

    /// Each file (relative to the project) with its [`source_id`].
    pub(crate) fn ids(&self) -> impl Iterator<Item = (&Path, String)> {
        self.files
            .iter()
            .map(|(rel, digest)| (rel.as_path(), id_of(digest)))
    }
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
/// [`vx_base::bounded_read`] (opened without blocking, a regular file only).
fn content_digest(path: &Path) -> Vec<u8> {
    use vx_base::bounded_read::{self, ReadError};
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
