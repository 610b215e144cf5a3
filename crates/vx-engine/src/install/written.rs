//! The files a runtime's layout writes into its unpacked tree (`ToolSpec::write`):
//! node's `etc/npmrc`, which names npm's global prefix outside the store so that
//! `npm i -g` never writes into the entry every project shares. Each file replaces
//! what the archive had at its path; a path that passes through a link, or a link or
//! directory where the file goes, is refused, so an archive cannot turn the write
//! into one outside the tree.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

/// Writes `files` (a path inside `tree`, `/`-separated and already checked by
/// `validate::written_file` → its text) into `tree`, creating the directories they
/// need.
pub(crate) fn write(tree: &Path, files: &BTreeMap<String, String>) -> io::Result<()> {
    for (relative, text) in files {
        let mut parts: Vec<&str> = relative.split('/').collect();
        let Some(name) = parts.pop() else {
            continue;
        };
        let mut dir = tree.to_path_buf();
        for part in parts {
            dir.push(part);
            match std::fs::symlink_metadata(&dir) {
                // A link's own metadata is never a directory's: only real ones pass.
                Ok(meta) if meta.is_dir() => {}
                Ok(_) => return Err(refused(relative, "a part of its path is not a directory")),
                Err(e) if e.kind() == io::ErrorKind::NotFound => std::fs::create_dir(&dir)?,
                Err(e) => return Err(e),
            }
        }
        let file = dir.join(name);
        match std::fs::symlink_metadata(&file) {
            Ok(meta) if meta.is_file() => std::fs::remove_file(&file)?,
            Ok(_) => {
                return Err(refused(
                    relative,
                    "the archive has a link or a directory there",
                ));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        std::fs::write(&file, text)?;
    }
    Ok(())
}

/// The error for a file that cannot be written where the layout says.
fn refused(relative: &str, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("`{relative}` is not written: {why}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(path: &str, text: &str) -> BTreeMap<String, String> {
        [(path.to_owned(), text.to_owned())].into()
    }

    #[test]
    fn a_file_is_written_and_replaces_the_archives() {
        let tree = tempfile::tempdir().unwrap();
        write(tree.path(), &files("etc/npmrc", "prefix=/p\n")).unwrap();
        let path = tree.path().join("etc/npmrc");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "prefix=/p\n");
        write(tree.path(), &files("etc/npmrc", "prefix=/q\n")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "prefix=/q\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_the_archive_cannot_send_the_write_outside_the_tree() {
        let outside = tempfile::tempdir().unwrap();
        let tree = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), tree.path().join("etc")).unwrap();
        let err = write(tree.path(), &files("etc/npmrc", "x")).unwrap_err();
        assert!(err.to_string().contains("not a directory"), "{err}");
        std::fs::remove_file(tree.path().join("etc")).unwrap();
        std::fs::create_dir(tree.path().join("etc")).unwrap();
        let target = outside.path().join("victim");
        std::fs::write(&target, "mine").unwrap();
        std::os::unix::fs::symlink(&target, tree.path().join("etc/npmrc")).unwrap();
        let err = write(tree.path(), &files("etc/npmrc", "x")).unwrap_err();
        assert!(err.to_string().contains("a link or a directory"), "{err}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "mine");
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 1);
    }
}
