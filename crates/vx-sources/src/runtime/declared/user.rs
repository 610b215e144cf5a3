//! A user's own runtime declarations: `runtimes/NAME.toml` in vx's configuration
//! directory (`~/.config/vx/runtimes/acme-jdk.toml`), each read strictly and bounded.
//! A file's name is its runtime's name, so a name is never declared twice; a name or
//! alias that one of vx's own runtimes or another declaration already has is refused,
//! so `node` always means vx's node. A broken declaration is an error naming the file
//! whenever a runtime is looked up, as a broken `config.toml` is.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::{Declared, format};
use vx_base::platform::fs::FileStamp;

/// The directory, under vx's configuration directory.
pub(crate) const DIR: &str = "runtimes";

/// The most declarations read.
const MAX_FILES: usize = 256;

/// The entries of a declarations directory `dir` with their stamps, in file-name order
/// (none when it does not exist): a few `stat`s that tell a change (a file added,
/// removed or edited) without reading a declaration.
pub(crate) type Stamps = Vec<(OsString, Option<FileStamp>)>;

/// The [`Stamps`] of `dir`.
pub(crate) fn stamps(dir: &Path) -> Stamps {
    let mut entries: Stamps = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| {
            let stamp = std::fs::metadata(entry.path())
                .ok()
                .map(|meta| FileStamp::of(&meta));
            (entry.file_name(), stamp)
        })
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries
}

/// The user's declarations directory (`runtimes/` in vx's configuration directory).
pub(crate) fn dir() -> Option<PathBuf> {
    vx_base::platform::fs::config_dir().map(|d| d.join(DIR))
}

/// Every declaration in `dir` (none when it does not exist), in file-name order.
/// `taken`: names and aliases already in use.
pub(crate) fn load(dir: &Path, taken: &[&str]) -> Result<Vec<Declared>, DeclarationError> {
    let unreadable = |source| DeclarationError::Dir {
        dir: dir.to_path_buf(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(unreadable(e)),
    };
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(unreadable)?.path();
        if path.extension().is_some_and(|e| e == "toml") {
            paths.push(path);
            if paths.len() > MAX_FILES {
                return Err(DeclarationError::TooMany {
                    dir: dir.to_path_buf(),
                });
            }
        }
    }
    paths.sort();
    let mut taken: Vec<String> = taken.iter().map(|t| (*t).to_owned()).collect();
    let mut out = Vec::with_capacity(paths.len());
    for path in paths {
        let shown = path.display().to_string();
        let text = vx_base::bounded_read::read_to_string(&path, format::MAX_DECLARATION_BYTES)
            .map_err(|source| DeclarationError::Read {
                shown: shown.clone(),
                source,
            })?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        out.push(read(&text, &shown, stem, &mut taken)?);
    }
    Ok(out)
}

/// The declaration `text` of the file `shown` (a path or URL, for messages) whose name
/// without `.toml` is `stem`, read strictly: the one check every declaration passes,
/// wherever it comes from (a user's, a project's, a registry's). Its names and aliases
/// are added to `taken`, where none of them may be yet.
pub(crate) fn read(
    text: &str,
    shown: &str,
    stem: &str,
    taken: &mut Vec<String>,
) -> Result<Declared, DeclarationError> {
    let spec = format::parse(text).map_err(|source| DeclarationError::Spec {
        shown: shown.to_owned(),
        source,
    })?;
    if spec.name != stem {
        return Err(DeclarationError::NamedAfter {
            shown: shown.to_owned(),
            name: spec.name,
        });
    }
    for name in std::iter::once(&spec.name).chain(&spec.aliases) {
        if taken.iter().any(|t| t == name) {
            return Err(DeclarationError::Taken {
                shown: shown.to_owned(),
                name: name.clone(),
            });
        }
        taken.push(name.clone());
    }
    Ok(Declared::new(spec))
}

/// Why a declaration file (or the directory of the user's) cannot be read; said after
/// `runtime declaration ` ([`crate::runtime::RuntimeError::DeclarationFile`]).
#[derive(Debug, thiserror::Error)]
pub enum DeclarationError {
    /// The directory cannot be listed.
    #[error("{}: {source}", dir.display())]
    Dir {
        /// The directory.
        dir: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// More files than are read.
    #[error("{}: more than {MAX_FILES} runtime declarations", dir.display())]
    TooMany {
        /// The directory.
        dir: PathBuf,
    },
    /// A file that cannot be read.
    #[error("{shown}: {source}")]
    Read {
        /// The file, as messages show it.
        shown: String,
        /// Why.
        source: vx_base::bounded_read::ReadError,
    },
    /// A file that is not a declaration.
    #[error("{shown}: {source}")]
    Spec {
        /// The file, as messages show it.
        shown: String,
        /// What is wrong.
        source: format::SpecError,
    },
    /// A file not named after the runtime it declares.
    #[error(
        "{shown}: declares `{}`; a declaration's file is named after its runtime ({name}.toml)",
        vx_base::validate::shorten(name)
    )]
    NamedAfter {
        /// The file, as messages show it.
        shown: String,
        /// The runtime it declares.
        name: String,
    },
    /// A name or alias already a runtime's.
    #[error("{shown}: the name `{name}` is already a runtime's; choose another")]
    Taken {
        /// The file, as messages show it.
        shown: String,
        /// The name.
        name: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::Runtime;

    /// The shared minimal declaration, with an alias.
    fn acme() -> String {
        crate::runtime::declared::format::tests::MINIMAL.replacen(
            "summary",
            "aliases = [\"acmejdk\"]\nsummary",
            1,
        )
    }

    #[test]
    fn declarations_are_read_by_file_name_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(&dir.path().join("none"), &[]).unwrap().is_empty());
        std::fs::write(dir.path().join("acme-jdk.toml"), acme()).unwrap();
        std::fs::write(dir.path().join("README.md"), "not a declaration").unwrap();
        let loaded = load(dir.path(), &["node"]).unwrap();
        assert_eq!(loaded.len(), 1);
        assert_eq!(loaded[0].name(), "acme-jdk");
        assert_eq!(loaded[0].aliases(), ["acmejdk"]);

        let e = load(dir.path(), &["acmejdk"]).err().unwrap().to_string();
        assert!(
            e.contains("the name `acmejdk` is already a runtime's"),
            "{e}"
        );

        std::fs::rename(
            dir.path().join("acme-jdk.toml"),
            dir.path().join("jdk.toml"),
        )
        .unwrap();
        let e = load(dir.path(), &[]).err().unwrap().to_string();
        assert!(e.contains("jdk.toml: declares `acme-jdk`"), "{e}");

        std::fs::write(dir.path().join("jdk.toml"), "name = 1").unwrap();
        let e = load(dir.path(), &[]).err().unwrap().to_string();
        assert!(e.contains("jdk.toml") && e.contains("line 1"), "{e}");
    }
}
