//! `pyproject.toml`'s `requires-python` (PEP 621's `[project] requires-python`, PEP 440
//! specifiers) against the project's python: a python the project says it cannot run
//! on is said by `vx doctor`, as uv refuses to make such a project's environment. The
//! specifiers are read with `pep440_rs` (astral's, the parser uv uses), never by hand.

use std::path::Path;
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};

/// The largest pyproject.toml read.
const MAX_PYPROJECT_BYTES: u64 = 1 << 20;

/// What `requires-python` says of a python.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The python satisfies it.
    Met(String),
    /// It does not: the specifiers, as written.
    Unmet(String),
    /// The file or its specifiers cannot be read: why.
    Unreadable(String),
}

/// `requires-python` of the `pyproject.toml` in `project`, judged for python
/// `version`; `None` where there is no such file or key.
pub fn judge(project: &Path, version: &str) -> Option<Verdict> {
    let path = project.join("pyproject.toml");
    let bytes = vx_base::bounded_read::read(&path, MAX_PYPROJECT_BYTES).ok()?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(_) => return Some(Verdict::Unreadable("pyproject.toml is not UTF-8".into())),
    };
    let doc: toml::Table = match toml::from_str(&text) {
        Ok(doc) => doc,
        Err(e) => {
            let first = e.message().lines().next().unwrap_or("").to_owned();
            return Some(Verdict::Unreadable(format!("pyproject.toml: {first}")));
        }
    };
    let written = doc
        .get("project")?
        .get("requires-python")?
        .as_str()?
        .to_owned();
    Some(verdict(&written, version))
}

/// `written` (PEP 440 specifiers) judged for `version`.
fn verdict(written: &str, version: &str) -> Verdict {
    let shown = vx_text::sanitize(written).into_owned();
    let specifiers = match VersionSpecifiers::from_str(written) {
        Ok(specifiers) => specifiers,
        Err(e) => return Verdict::Unreadable(format!("requires-python {shown}: {e}")),
    };
    match Version::from_str(version) {
        Ok(v) if specifiers.contains(&v) => Verdict::Met(shown),
        Ok(_) => Verdict::Unmet(shown),
        Err(e) => Verdict::Unreadable(format!("python {}: {e}", vx_text::sanitize(version))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_python_is_judged_as_pep_440_reads_the_specifiers() {
        assert_eq!(verdict(">=3.12", "3.12.15"), Verdict::Met(">=3.12".into()));
        assert_eq!(verdict(">=3.12", "3.11.9"), Verdict::Unmet(">=3.12".into()));
        assert!(matches!(
            verdict(">=3.10,<3.13", "3.13.0"),
            Verdict::Unmet(_)
        ));
        assert!(matches!(verdict("~=3.11", "3.12.1"), Verdict::Met(_)));
        assert!(matches!(verdict("==3.12.*", "3.12.7"), Verdict::Met(_)));
        assert!(matches!(
            verdict(">=3.12 and more", "3.12.0"),
            Verdict::Unreadable(_)
        ));
    }

    #[test]
    fn the_file_is_read_bounded_and_a_bad_one_is_said() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(judge(dir.path(), "3.12.1"), None);
        let file = dir.path().join("pyproject.toml");
        std::fs::write(&file, "[project]\nname = \"x\"\n").unwrap();
        assert_eq!(judge(dir.path(), "3.12.1"), None);
        std::fs::write(&file, "[project]\nrequires-python = \">=3.13\"\n").unwrap();
        assert_eq!(
            judge(dir.path(), "3.12.1"),
            Some(Verdict::Unmet(">=3.13".into()))
        );
        std::fs::write(&file, "[project\n").unwrap();
        assert!(matches!(
            judge(dir.path(), "3.12.1"),
            Some(Verdict::Unreadable(_))
        ));
    }
}
