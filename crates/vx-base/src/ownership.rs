//! Whose a file is, for every file vx reads on a project's behalf (its vx.toml or mise
//! files, `.tool-versions` and the single-tool files, env files, includes, task
//! directories, version files): one rule, decided here.
//!
//! A file another local user owns (root aside: system files are root's, and root can
//! change anything of ours anyway) is not the user's project, however it got into a
//! directory above them: anyone may write `mise.toml` into the system's temporary
//! directory, and every directory below it would otherwise take its `[env]` and its
//! tasks. git refuses a repository another user owns for the same reason
//! (`safe.directory`). A file whose real path leaves the project (a link to
//! `~/.ssh/config`) is not the project's either.

use std::path::{Component, Path, PathBuf};

use crate::platform;

/// Why a file is not read on a project's behalf.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotOwn {
    /// Another user than this one (and not root) owns it, a directory on the way to
    /// it, or the file a link there leads to.
    #[error(
        "{} is another user's (uid {uid}): vx reads no project file of another user's, as git refuses a repository another user owns",
        shown(path)
    )]
    Foreign {
        /// The file (or the directory of mise's, or the link) another user owns.
        path: PathBuf,
        /// Its owner.
        uid: u32,
    },
    /// Its real path leaves the project.
    #[error("{} is a link out of the project (to {})", shown(path), shown(real))]
    Outside {
        /// The file as the project names it.
        path: PathBuf,
        /// Where it really is.
        real: PathBuf,
    },
}

/// A path as a terminal may show it.
fn shown(path: &Path) -> String {
    vx_text::sanitize(&path.display().to_string()).into_owned()
}

/// The refusal of `path` when another user owns it: the entry itself, and where it
/// leads when it is a link. `None` for this user's and root's files, and for a path
/// with nothing at it.
pub fn foreign(path: &Path) -> Option<NotOwn> {
    let entry = std::fs::symlink_metadata(path).ok()?;
    let uid = platform::fs::owned_by_another(&entry).or_else(|| {
        entry
            .file_type()
            .is_symlink()
            .then(|| std::fs::metadata(path).ok())
            .flatten()
            .and_then(|target| platform::fs::owned_by_another(&target))
    })?;
    Some(NotOwn::Foreign {
        path: path.to_owned(),
        uid,
    })
}

/// Whether `path`, a file of the project in `root`, may be read on its behalf: each
/// step below `root` (`.config`, `.config/mise`, the file) this user's or root's
/// ([`foreign`]), and its real path inside `root`'s. A path with nothing at it passes
/// (the caller says what is missing); `root` itself is not judged.
pub fn check(root: &Path, path: &Path) -> Result<(), NotOwn> {
    let mut at = root.to_owned();
    match path.strip_prefix(root) {
        Ok(relative) => {
            for part in relative.components() {
                match part {
                    Component::Normal(name) => at.push(name),
                    // `..` or an absolute part: judged by its real path below.
                    _ => break,
                }
                if let Some(refused) = foreign(&at) {
                    return Err(refused);
                }
            }
        }
        Err(_) => {
            if let Some(refused) = foreign(path) {
                return Err(refused);
            }
        }
    }
    if let (Ok(real), Ok(top)) = (path.canonicalize(), root.canonicalize())
        && !real.starts_with(&top)
    {
        return Err(NotOwn::Outside {
            path: path.to_owned(),
            real,
        });
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A file chowned to `nobody` (the tests run as root where they can chown;
    /// elsewhere the case cannot be made and is skipped).
    fn chowned(path: &Path) -> bool {
        std::os::unix::fs::chown(path, Some(65534), Some(65534)).is_ok()
    }

    #[test]
    fn a_file_of_another_user_or_one_leading_out_is_refused_and_ones_own_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        std::fs::create_dir_all(root.join(".config/mise")).unwrap();
        let own = root.join("mise.toml");
        std::fs::write(&own, "").unwrap();
        assert_eq!(check(&root, &own), Ok(()));
        assert_eq!(check(&root, &root.join("absent.toml")), Ok(()));
        let outside = dir.path().join("secret.toml");
        std::fs::write(&outside, "").unwrap();
        let link = root.join(".tool-versions");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        assert!(
            matches!(check(&root, &link), Err(NotOwn::Outside { .. })),
            "{:?}",
            check(&root, &link)
        );
        let nested = root.join(".config/mise/config.toml");
        std::fs::write(&nested, "").unwrap();
        assert_eq!(check(&root, &nested), Ok(()));
        if !chowned(&root.join(".config")) {
            return;
        }
        let refused = check(&root, &nested).unwrap_err();
        assert_eq!(
            refused,
            NotOwn::Foreign {
                path: root.join(".config"),
                uid: 65534
            }
        );
        assert!(refused.to_string().contains("uid 65534"), "{refused}");
        assert!(chowned(&own));
        assert!(foreign(&own).is_some());
        // A link of one's own to another user's file is theirs too.
        let to_theirs = root.join("vx.toml");
        std::os::unix::fs::symlink(&own, &to_theirs).unwrap();
        assert!(foreign(&to_theirs).is_some());
    }
}
