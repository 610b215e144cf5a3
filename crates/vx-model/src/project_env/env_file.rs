//! `[settings] env_file`: the project's dotenv files read (bounded, never run) into
//! entries that go under `[env]`'s, with what identifies each file's content so a
//! cached answer (the daemon's) can tell when one changed.
//!
//! A file that is not there is an error unless its entry says `optional = true`: a
//! name in vx.toml that finds nothing is more often a typo or a missing step than a
//! choice. Errors name the file and the line, never a value.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::manifest::dotenv::{self, SyntaxError};
use crate::manifest::environment::EnvFile;
use crate::task::EnvVar;
use vx_base::bounded_read::{self, ReadError};

/// The largest env file read: far over any real one, small enough to hold.
pub(crate) const MAX_BYTES: u64 = 1 << 20;

/// Why the project's env files could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EnvFileError {
    /// A file named without `optional = true` is not there.
    #[error(
        "{}: no such file (vx.toml line {line}, [settings] env_file); create it, or write {{ path = \"…\", optional = true }} to skip it while it is absent",
        shown(path)
    )]
    Missing {
        /// The file.
        path: PathBuf,
        /// Its entry's line in vx.toml.
        line: usize,
    },
    /// It could not be read (not a regular file, too large, no permission).
    #[error("{}: cannot be read as an env file: {source}", shown(path))]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: ReadError,
    },
    /// It is another user's, or a link out of the project: not read, so a shared
    /// directory's or a clone's link never puts another file's values into the
    /// project's environment (and `vx env`'s output).
    #[error("{refused}: not read as an env file")]
    NotOwn {
        /// Why.
        refused: vx_base::ownership::NotOwn,
    },
    /// It is not UTF-8 text.
    #[error("{}: is not UTF-8 text", shown(path))]
    NotText {
        /// The file.
        path: PathBuf,
    },
    /// A line is not dotenv.
    #[error("{}, {source}", shown(path))]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The line and what is wrong with it.
        source: SyntaxError,
    },
}

/// A path as a terminal may show it.
fn shown(path: &Path) -> String {
    vx_text::sanitize(&path.display().to_string()).into_owned()
}

/// One env file as it was read: where, and the SHA-256 of what was read (`None`: an
/// optional file that was not there).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Read {
    /// The file, absolute.
    pub path: PathBuf,
    /// The SHA-256 of its bytes, hex; `None` while it is absent.
    pub digest: Option<String>,
}

impl Read {
    /// Whether the file still holds what was read (or is still absent).
    pub(crate) fn unchanged(&self) -> bool {
        let now = match bounded_read::read(&self.path, MAX_BYTES) {
            Ok(bytes) => Some(hex::encode(Sha256::digest(bytes))),
            Err(e) if e.is_not_found() => None,
            Err(_) => return false,
        };
        now == self.digest
    }
}

/// The files of `entries`, absolute under `project`, in order.
pub(crate) fn paths(entries: &[EnvFile], project: &Path) -> Vec<PathBuf> {
    entries.iter().map(|e| project.join(&e.path)).collect()
}

/// Reads `entries` (relative to `project`): their variables in order, and what was
/// read of each file.
pub(crate) fn load(
    entries: &[EnvFile],
    project: &Path,
) -> Result<(Vec<EnvVar>, Vec<Read>), EnvFileError> {
    let mut vars = Vec::new();
    let mut read = Vec::with_capacity(entries.len());
    for (entry, path) in entries.iter().zip(paths(entries, project)) {
        vx_base::ownership::check(project, &path)
            .map_err(|refused| EnvFileError::NotOwn { refused })?;
        let bytes = match bounded_read::read(&path, MAX_BYTES) {
            Ok(bytes) => bytes,
            Err(e) if e.is_not_found() && entry.optional => {
                read.push(Read { path, digest: None });
                continue;
            }
            Err(e) if e.is_not_found() => {
                return Err(EnvFileError::Missing {
                    path,
                    line: entry.line,
                });
            }
            Err(source) => return Err(EnvFileError::Read { path, source }),
        };
        let digest = Some(hex::encode(Sha256::digest(&bytes)));
        let Ok(text) = std::str::from_utf8(&bytes) else {
            return Err(EnvFileError::NotText { path });
        };
        match dotenv::parse(text) {
            Ok(parsed) => vars.extend(parsed),
            Err(source) => return Err(EnvFileError::Syntax { path, source }),
        }
        read.push(Read { path, digest });
    }
    Ok((vars, read))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, optional: bool) -> EnvFile {
        EnvFile {
            path: path.to_owned(),
            optional,
            line: 7,
        }
    }

    #[test]
    fn files_are_read_in_order_and_an_optional_one_may_be_absent() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".env"), "A=1\nB=2\n").unwrap();
        std::fs::write(dir.path().join(".env.local"), "B=3\n").unwrap();
        let entries = [
            entry(".env", false),
            entry(".env.absent", true),
            entry(".env.local", false),
        ];
        let (vars, read) = load(&entries, dir.path()).unwrap();
        let names: Vec<_> = vars
            .iter()
            .map(|v| (v.name.as_str(), v.value.as_deref()))
            .collect();
        assert_eq!(
            names,
            [("A", Some("1")), ("B", Some("2")), ("B", Some("3"))]
        );
        assert!(read.iter().all(Read::unchanged));
        assert_eq!(read[1].digest, None);
        std::fs::write(dir.path().join(".env.absent"), "C=4\n").unwrap();
        assert!(!read[1].unchanged(), "a file that appeared is a change");
        std::fs::write(dir.path().join(".env"), "A=2\nB=2\n").unwrap();
        assert!(!read[0].unchanged());
    }

    #[test]
    fn a_missing_file_or_a_bad_line_is_named_without_a_value() {
        let dir = tempfile::tempdir().unwrap();
        let err = load(&[entry(".env", false)], dir.path()).unwrap_err();
        assert!(
            matches!(err, EnvFileError::Missing { line: 7, .. }),
            "{err}"
        );
        std::fs::write(dir.path().join(".env"), "TOKEN=ok\nhunter2\n").unwrap();
        let err = load(&[entry(".env", false)], dir.path())
            .unwrap_err()
            .to_string();
        assert!(err.ends_with(".env, line 2: expected NAME=VALUE"), "{err}");
        assert!(!err.contains("hunter2"));
    }
}
