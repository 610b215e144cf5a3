//! vx.toml and vx.lock as an operation found them, put back when it fails: an
//! operation that edits them (`vx add`, `use`, `remove`, `upgrade`, `import`, `init`)
//! either completes or leaves both as they were, so a failed lock never leaves a
//! constraint behind that stops every later command. Nothing here prints: what was
//! put back comes back as a [`Restored`] for the caller to say.

use std::path::{Path, PathBuf};

/// The bytes of vx.toml and its vx.lock (or their absence) before an edit.
pub struct Snapshot {
    files: Vec<(PathBuf, Option<Vec<u8>>)>,
}

/// A file of the project that could not be read before an edit.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {}", path.display())]
pub struct SnapshotError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    #[source]
    pub source: vx_base::bounded_read::ReadError,
}

/// What [`Snapshot::restore`] put back.
#[derive(Debug, Default)]
pub struct Restored {
    /// The files put back as they were (or removed, when they did not exist).
    pub put_back: Vec<PathBuf>,
    /// The files that could not be put back, with why.
    pub failed: Vec<(PathBuf, std::io::Error)>,
}

impl Snapshot {
    /// The manifest at `manifest` (vx.toml, or a person's vx.local.toml) and the files
    /// an edit of it can rewrite beside it (vx.lock, vx.local.toml, vx.local.lock), as
    /// they are now.
    pub fn take(manifest: &Path) -> Result<Snapshot, SnapshotError> {
        let mut paths = vec![manifest.to_path_buf()];
        for name in [
            vx_model::manifest::LOCK_FILE,
            vx_model::manifest::local::LOCAL_FILE,
            vx_model::lock::LOCAL_LOCK_FILE,
        ] {
            let path = manifest.with_file_name(name);
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
        let mut files = Vec::new();
        for path in paths {
            // Bounded, as every read of a project's file: a lock that is a FIFO or a
            // link to a device is refused here, by name, unread.
            let bytes = match vx_base::bounded_read::read(&path, vx_model::lock::MAX_LOCK_BYTES) {
                Ok(bytes) => Some(bytes),
                Err(e) if e.is_not_found() => None,
                Err(source) => return Err(SnapshotError { path, source }),
            };
            files.push((path, bytes));
        }
        Ok(Snapshot { files })
    }

    /// Puts every file back as it was (removing one that did not exist).
    pub fn restore(&self) -> Restored {
        let mut restored = Restored::default();
        for (path, before) in &self.files {
            let now = vx_base::bounded_read::read(path, vx_model::lock::MAX_LOCK_BYTES).ok();
            if now == *before {
                continue;
            }
            let put_back = match before {
                Some(bytes) => vx_base::atomic::write(path, bytes),
                None => std::fs::remove_file(path).or_else(|e| {
                    if e.kind() == std::io::ErrorKind::NotFound {
                        Ok(())
                    } else {
                        Err(e)
                    }
                }),
            };
            match put_back {
                Ok(()) => restored.put_back.push(path.clone()),
                Err(e) => restored.failed.push((path.clone(), e)),
            }
        }
        restored
    }
}
