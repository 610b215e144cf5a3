//! vx.toml and vx.lock as a command found them, put back when it fails: a command that
//! edits them (`vx add`, `use`, `remove`, `upgrade`, `import`, `init`) either
//! completes or leaves both as they were, so a failed lock never leaves a constraint
//! behind that stops every later command.

use std::path::{Path, PathBuf};

use vx::exit::{Because, Error, OK};

/// The bytes of vx.toml and its vx.lock (or their absence) before an edit.
pub struct Snapshot {
    files: Vec<(PathBuf, Option<Vec<u8>>)>,
}

impl Snapshot {
    /// The manifest at `manifest` (vx.toml, or a person's vx.local.toml) and the files
    /// an edit of it can rewrite beside it (vx.lock, vx.local.toml, vx.local.lock), as
    /// they are now.
    pub fn take(manifest: &Path) -> Result<Snapshot, Error> {
        let mut paths = vec![manifest.to_path_buf()];
        for name in [
            vx::manifest::LOCK_FILE,
            vx::manifest::local::LOCAL_FILE,
            vx::lock::LOCAL_LOCK_FILE,
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
            let bytes = match vx::bounded_read::read(&path, vx::lock::MAX_LOCK_BYTES) {
                Ok(bytes) => Some(bytes),
                Err(e) if e.is_not_found() => None,
                Err(e) => {
                    return Err(Error::environment(Because::new(
                        format!("cannot read {}", path.display()),
                        e,
                    )));
                }
            };
            files.push((path, bytes));
        }
        Ok(Snapshot { files })
    }

    /// `result` as it is, the files put back first unless it is a success (exit 0).
    pub fn unless_ok(self, result: Result<i32, Error>) -> Result<i32, Error> {
        if !matches!(result, Ok(OK)) {
            self.restore();
        }
        result
    }

    /// Puts every file back as it was (removing one that did not exist), saying so;
    /// a file that cannot be put back is named.
    pub fn restore(&self) {
        let mut restored = Vec::new();
        for (path, before) in &self.files {
            let now = vx::bounded_read::read(path, vx::lock::MAX_LOCK_BYTES).ok();
            if now == *before {
                continue;
            }
            let put_back = match before {
                Some(bytes) => vx::atomic::write(path, bytes),
                None => std::fs::remove_file(path).or_else(|e| {
                    if e.kind() == std::io::ErrorKind::NotFound {
                        Ok(())
                    } else {
                        Err(e)
                    }
                }),
            };
            match put_back {
                Ok(()) => restored.push(path.display().to_string()),
                Err(e) => vx::note!("vx: cannot put {} back as it was: {e}", path.display()),
            }
        }
        if !restored.is_empty() {
            vx::note!(
                "vx: {} {} as {} before this command",
                restored.join(" and "),
                if restored.len() == 1 { "is" } else { "are" },
                if restored.len() == 1 {
                    "it was"
                } else {
                    "they were"
                }
            );
        }
    }
}
