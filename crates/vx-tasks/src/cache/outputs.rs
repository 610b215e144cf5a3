//! A task's `outputs` as a result holds them: its roots and its `!glob`s. A file of
//! its own, on nothing of the crate, so the archive, the up-to-date check and the
//! worker all read `outputs` through it without naming each other.

use std::path::{Path, PathBuf};

/// A task's `outputs` as a result holds them, as turbo's `outputs` reads a `!`: its
/// roots (each glob but a `!glob`, in order: one archive each) and its `!glob`s, which
/// take the files they match out of every root (`[".next/**", "!.next/cache/**"]`).
#[derive(Clone, Debug)]
pub struct Outputs<'a> {
    /// The globs that are no `!glob`, in order.
    pub roots: Vec<&'a str>,
    /// The `!glob`s, as written.
    except: Vec<&'a str>,
}

impl<'a> Outputs<'a> {
    /// `outputs` read as the module says.
    pub fn of(outputs: &'a [String]) -> Outputs<'a> {
        let (except, roots) = outputs
            .iter()
            .map(String::as_str)
            .partition(|g| g.starts_with('!'));
        Outputs { roots, except }
    }

    /// Root `glob` with the `!glob`s after it: a set as [`vx_base::glob::expand_all`]
    /// reads one.
    fn set(&self, glob: &str) -> Vec<String> {
        std::iter::once(glob)
            .chain(self.except.iter().copied())
            .map(str::to_owned)
            .collect()
    }

    /// The files of the project at `project` that root `glob` holds (matched by it and
    /// by no `!glob`), as sorted relative paths, at most `limit`.
    pub(crate) fn files(&self, project: &Path, glob: &str, limit: usize) -> Vec<PathBuf> {
        vx_base::glob::expand_all(project, &self.set(glob), limit)
    }

    /// Whether root `glob` holds the relative path `rel` (asked of each member of an
    /// archive: no set is built for it).
    pub(crate) fn holds(&self, glob: &str, rel: &Path) -> bool {
        use vx_base::glob::matches;
        matches(glob, rel) && !self.except.iter().any(|not| matches(&not[1..], rel))
    }

    /// Whether every root holds a file in the project at `project`: one file found
    /// shows it, unless a `!glob` may take that one out (then up to `limit` are looked
    /// at).
    pub(crate) fn each_holds_a_file(&self, project: &Path, limit: usize) -> bool {
        let limit = if self.except.is_empty() { 1 } else { limit };
        (self.roots.iter()).all(|glob| !self.files(project, glob, limit).is_empty())
    }
}
