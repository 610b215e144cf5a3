//! Which files of a project git leaves out: the `.gitignore` files from the project's
//! root down to a file's directory, and the repository's `.git/info/exclude`. turbo's
//! default inputs are the files git tracks or would track, so a monorepo package
//! task's key leaves out what the project ignores (`coverage/`, `.eslintcache`,
//! `*.tsbuildinfo`): hashed, each run's leftovers would make the next key differ and
//! the task never hit.
//!
//! The rules are git's as ripgrep's `ignore` crate reads them, fed lines read here:
//! each file bounded ([`MAX_FILE`]), a regular file only (a FIFO or a device named
//! `.gitignore` is no rule, never a hang), and only files inside the project (a
//! parent directory's, which another user may have written, is never read). The
//! user's global excludes are not read either, so a key is the same on every machine.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// Most bytes of one ignore file read; a larger one counts as no rule.
pub(crate) const MAX_FILE: u64 = 1 << 20;

/// The ignore rules of one project, each directory's read once, when first asked.
#[derive(Debug)]
pub struct Ignored {
    root: PathBuf,
    /// Each directory's rules (relative to the root), `None` where it has none.
    dirs: HashMap<PathBuf, Option<Gitignore>>,
}

impl Ignored {
    /// The rules of the project at `root`.
    pub fn new(root: &Path) -> Ignored {
        Ignored {
            root: root.to_owned(),
            dirs: HashMap::new(),
        }
    }

    /// Whether git leaves out the file `rel` (relative to the root): the deepest
    /// directory's rule that speaks of it, or of a directory it is in, decides (a
    /// `!pattern` there takes it back), as a deeper `.gitignore` overrides a higher one.
    pub fn is_ignored(&mut self, rel: &Path) -> bool {
        let path = self.root.join(rel);
        let mut dirs: Vec<PathBuf> = rel.ancestors().skip(1).map(Path::to_owned).collect();
        dirs.reverse();
        let mut decided = false;
        for dir in dirs {
            let Some(rules) = self.rules(&dir) else {
                continue;
            };
            match rules.matched_path_or_any_parents(&path, false) {
                Match::Ignore(_) => decided = true,
                Match::Whitelist(_) => decided = false,
                Match::None => {}
            }
        }
        decided
    }

    /// The rules of `dir` (relative to the root): its `.gitignore`, and at the root the
    /// repository's `.git/info/exclude` before it (a `.gitignore` line overrides it).
    fn rules(&mut self, dir: &Path) -> Option<&Gitignore> {
        if !self.dirs.contains_key(dir) {
            let base = self.root.join(dir);
            let mut builder = GitignoreBuilder::new(&base);
            let mut any = false;
            if dir.as_os_str().is_empty() {
                any |= add_file(&mut builder, &base.join(".git/info/exclude"));
            }
            any |= add_file(&mut builder, &base.join(".gitignore"));
            let rules = any.then(|| builder.build().ok()).flatten();
            self.dirs.insert(dir.to_owned(), rules);
        }
        self.dirs.get(dir).and_then(Option::as_ref)
    }
}

/// Adds the lines of the ignore file at `path` to `builder`; whether there were any.
/// A line git would not take (an invalid glob) is left out alone.
fn add_file(builder: &mut GitignoreBuilder, path: &Path) -> bool {
    let Ok(text) = crate::bounded_read::read_to_string(path, MAX_FILE) else {
        return false;
    };
    let mut any = false;
    for line in text.lines() {
        any |= builder.add_line(Some(path.to_owned()), line).is_ok();
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn a_file_is_ignored_as_git_ignores_it_from_the_root_down() {
        let dir = project(&[
            (".gitignore", "coverage/\n*.tsbuildinfo\n.env*\n"),
            ("apps/web/.gitignore", ".next/\n!.env.example\n"),
            (".git/info/exclude", "scratch.txt\n"),
        ]);
        let mut ignored = Ignored::new(dir.path());
        let is = |ignored: &mut Ignored, rel: &str| ignored.is_ignored(Path::new(rel));
        assert!(is(&mut ignored, "apps/web/coverage/lcov.info"));
        assert!(is(&mut ignored, "apps/web/tsconfig.tsbuildinfo"));
        assert!(is(&mut ignored, "apps/web/.next/cache/x"));
        assert!(is(&mut ignored, "scratch.txt"));
        assert!(is(&mut ignored, "apps/web/.env.local"));
        // A deeper `!pattern` takes back what a higher file ignores.
        assert!(!is(&mut ignored, "apps/web/.env.example"));
        assert!(!is(&mut ignored, "apps/web/src/index.ts"));
        // `.next/` is web's rule only.
        assert!(!is(&mut ignored, "apps/docs/.next/x"));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_named_gitignore_is_no_rule_and_never_blocks() {
        let dir = project(&[]);
        let fifo = dir.path().join(".gitignore");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let mut ignored = Ignored::new(dir.path());
        assert!(!ignored.is_ignored(Path::new("src/a.ts")));
    }
}
