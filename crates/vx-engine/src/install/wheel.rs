//! A wheel installed as an archive of its own (a PyPI program's `.whl`, or a tool whose
//! `url` names one): it must be the project its file name says. pip and uv refuse a
//! wheel whose `.dist-info/METADATA` `Name` is another project's; so does vx (issue
//! 66, item 10: a `ruff-…whl` holding `Name: evil-other` installed as ruff). Names
//! are compared normalized (PEP 503). A `.whl` with no `.dist-info` at all installs as
//! before: what it holds is still pinned by its sha256.

use std::path::Path;

/// The most of a `METADATA` file read: its headers come first, and a real one is a
/// few kilobytes (its long description after them).
const METADATA_LIMIT: u64 = 4 << 20;

/// Why a wheel is refused.
#[derive(Debug, thiserror::Error)]
pub enum WheelError {
    /// Its metadata names another project than its file name.
    #[error(
        "the wheel {file} is not the project it is named for: its {dist_info}/METADATA says `Name: {named}` (pip and uv refuse it too)"
    )]
    OtherProject {
        /// The wheel's file name.
        file: String,
        /// Its `.dist-info` folder.
        dist_info: String,
        /// The name its metadata gives (made safe to show).
        named: String,
    },
    /// Its metadata cannot be read, or gives no name.
    #[error("the wheel {file}'s {dist_info}/METADATA {problem}")]
    Unreadable {
        /// The wheel's file name.
        file: String,
        /// Its `.dist-info` folder.
        dist_info: String,
        /// What is wrong with it.
        problem: String,
    },
}

/// The wheel's file name when `url` names one (its last path segment ends `.whl`).
pub(crate) fn file_of(url: &str) -> Option<&str> {
    let path = url.split(['?', '#']).next()?;
    let file = path.rsplit('/').next()?;
    file.to_ascii_lowercase().ends_with(".whl").then_some(file)
}

/// Checks the unpacked wheel `tree` (downloaded as `file`): each `.dist-info` at its
/// top must name the project of the file's name in its `METADATA`.
pub(crate) fn check(file: &str, tree: &Path) -> Result<(), WheelError> {
    let project = vx_model::package_name::normalize(file.split('-').next().unwrap_or(file));
    let Ok(entries) = std::fs::read_dir(tree) else {
        return Ok(());
    };
    let shown = |s: &str| vx_text::sanitize(&vx_base::validate::shorten(s)).into_owned();
    for entry in entries.flatten() {
        let folder = entry.file_name().to_string_lossy().into_owned();
        if !folder.ends_with(".dist-info") || !entry.path().is_dir() {
            continue;
        }
        let unreadable = |problem: String| WheelError::Unreadable {
            file: shown(file),
            dist_info: shown(&folder),
            problem,
        };
        let bytes = vx_base::bounded_read::read(&entry.path().join("METADATA"), METADATA_LIMIT)
            .map_err(|e| unreadable(format!("cannot be read: {e}")))?;
        let named = name_in(&String::from_utf8_lossy(&bytes))
            .ok_or_else(|| unreadable("gives no `Name`".to_owned()))?;
        if vx_model::package_name::normalize(&named) != project {
            return Err(WheelError::OtherProject {
                file: shown(file),
                dist_info: shown(&folder),
                named: shown(&named),
            });
        }
    }
    Ok(())
}

/// The `Name` header of a core metadata file (RFC 822 headers up to the first blank
/// line).
fn name_in(metadata: &str) -> Option<String> {
    metadata
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case("name")
                .then(|| value.trim().to_owned())
        })
        .filter(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wheel(metadata: Option<&str>) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let info = dir.path().join("ruff-0.8.4.dist-info");
        std::fs::create_dir(&info).unwrap();
        if let Some(text) = metadata {
            std::fs::write(info.join("METADATA"), text).unwrap();
        }
        dir
    }

    #[test]
    fn a_wheel_naming_its_own_project_passes_and_another_is_refused() {
        let file = "ruff-0.8.4-py3-none-any.whl";
        let own = wheel(Some(
            "Metadata-Version: 2.3\nName: Ruff\nVersion: 0.8.4\n\nName: x\n",
        ));
        check(file, own.path()).unwrap();
        let other = wheel(Some("Metadata-Version: 2.3\nName: evil_other\n"));
        let err = check(file, other.path()).unwrap_err().to_string();
        assert!(err.contains("`Name: evil_other`"), "{err}");
        let nameless = wheel(Some("Metadata-Version: 2.3\n\nName: ruff\n"));
        assert!(check(file, nameless.path()).is_err());
        let missing = wheel(None);
        assert!(check(file, missing.path()).is_err());
    }

    #[test]
    fn only_a_url_ending_in_whl_is_a_wheel() {
        assert_eq!(
            file_of("https://h/p/ruff-0.8.4-py3-none-any.whl#sha256=ab"),
            Some("ruff-0.8.4-py3-none-any.whl")
        );
        assert_eq!(file_of("https://h/ruff.tar.gz"), None);
        assert_eq!(file_of("https://h/x.WHL?x=1"), Some("x.WHL"));
    }
}
