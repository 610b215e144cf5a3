//! Which operations two writer threads may apply at once (`super::pipe`), judged from
//! the archive's paths alone, in archive order.
//!
//! One writer applying every operation in order sees each check (`super::writer`) as
//! the archive's order makes it. Two writers keep that wherever it matters: an
//! operation whose path (or a parent of it) an earlier entry made something other
//! than a directory, or that makes a file, link or hard link where an earlier entry
//! made or implied a directory, waits until both writers have applied everything
//! before it ([`Route::InOrder`]); so does every hard link, whose target must be
//! unpacked already. Every other operation is independent of those in flight: its
//! path is new and each of its parents is a directory or not made yet, and a
//! directory once made stays one (no entry may replace a directory), so either writer
//! may apply it, in either order, with the same result.
//!
//! Paths are compared case-folded, so that on a case-insensitive file system (macOS,
//! Windows) `Bin/x` after a link `bin` waits too. A collision the folding misses (a
//! normalisation of Unicode) changes only which of two refusals is reported, never
//! what is refused: a writer never writes through a link or onto a directory,
//! whatever the other one did.

use std::collections::HashSet;
use std::path::Path;

use super::writer::Op;

/// How an operation may be applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Route {
    /// More bytes of the open file: by the writer that opened it.
    Same,
    /// After every earlier operation is applied (see the module docs).
    InOrder,
    /// By either writer; `new_dir`: in another directory than the last operation,
    /// where the other writer may take it (files of one directory stay on one writer:
    /// creating them takes the directory's lock, so two writers there would wait).
    Free {
        /// The operation's directory is not the last operation's.
        new_dir: bool,
    },
}

/// The paths the operations so far made or implied (see the module docs).
#[derive(Default)]
pub(super) struct Router {
    /// Folded paths an entry made something other than a directory.
    others: HashSet<String>,
    /// Folded paths an entry made a directory, or that are parents of an entry's path.
    dirs: HashSet<String>,
    /// The folded directory of the last operation.
    last_parent: String,
}

impl Router {
    /// How `op` may be applied, given every operation routed before it; records its
    /// path for those after it.
    pub(super) fn route(&mut self, op: &Op) -> Route {
        let (rel, is_dir, hard) = match op {
            Op::Data { .. } => return Route::Same,
            Op::Dir { rel, .. } => (rel, true, false),
            Op::File { rel, .. } | Op::Symlink { rel, .. } => (rel, false, false),
            Op::HardLink { rel, .. } => (rel, false, true),
        };
        let key = fold(rel);
        let mut in_order =
            hard || self.others.contains(&key) || (!is_dir && self.dirs.contains(&key));
        for (end, _) in key.match_indices('/') {
            let parent = &key[..end];
            in_order |= self.others.contains(parent);
            if !self.dirs.contains(parent) {
                self.dirs.insert(parent.to_owned());
            }
        }
        let parent = &key[..key.rfind('/').unwrap_or(0)];
        let new_dir = parent != self.last_parent;
        if new_dir {
            self.last_parent = parent.to_owned();
        }
        if is_dir {
            self.dirs.insert(key);
        } else {
            self.others.insert(key);
        }
        if in_order {
            Route::InOrder
        } else {
            Route::Free { new_dir }
        }
    }
}

/// `rel`'s components lower-cased (lossily for a name that is not UTF-8: two such
/// names may fold alike, which only makes an operation wait), joined by `/`.
fn fold(rel: &Path) -> String {
    let mut key = String::new();
    for part in rel.components() {
        if !key.is_empty() {
            key.push('/');
        }
        key.push_str(&part.as_os_str().to_string_lossy().to_lowercase());
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn dir(rel: &str) -> Op {
        Op::Dir {
            raw: PathBuf::from(rel),
            rel: PathBuf::from(rel),
        }
    }

    fn file(rel: &str) -> Op {
        Op::File {
            raw: PathBuf::from(rel),
            rel: PathBuf::from(rel),
            mode: None,
            data: super::super::writer::Piece {
                buffer: Vec::new(),
                len: 0,
            },
            last: true,
        }
    }

    fn link(rel: &str) -> Op {
        Op::Symlink {
            raw: PathBuf::from(rel),
            rel: PathBuf::from(rel),
            target: PathBuf::from("x"),
        }
    }

    fn hard(rel: &str) -> Op {
        Op::HardLink {
            raw: PathBuf::from(rel),
            rel: PathBuf::from(rel),
            target: PathBuf::from("a/f"),
        }
    }

    const FREE: Route = Route::Free { new_dir: false };
    const NEW_DIR: Route = Route::Free { new_dir: true };

    #[test]
    fn new_paths_are_free_and_a_directory_change_is_said() {
        let mut r = Router::default();
        assert_eq!(r.route(&dir("a")), FREE, "the top level, as the last was");
        assert_eq!(r.route(&file("a/f")), NEW_DIR);
        assert_eq!(r.route(&file("a/g")), FREE);
        assert_eq!(r.route(&dir("a/b")), FREE, "made in a/, as the last");
        assert_eq!(r.route(&file("a/b/h")), NEW_DIR);
        assert_eq!(
            r.route(&dir("a/b")),
            NEW_DIR,
            "a directory again is no collision"
        );
        assert_eq!(
            r.route(&file("c/d/e")),
            NEW_DIR,
            "parents not made yet are made by whichever writer comes first"
        );
    }

    #[test]
    fn what_an_earlier_entry_made_waits_for_it() {
        let mut r = Router::default();
        r.route(&file("a/f"));
        assert_eq!(r.route(&file("a/f")), Route::InOrder, "a file replaced");
        assert_eq!(r.route(&file("A/F")), Route::InOrder, "folded alike");
        assert_eq!(
            r.route(&dir("a/f")),
            Route::InOrder,
            "a directory onto a file"
        );
        assert_eq!(r.route(&file("a/f/g")), Route::InOrder, "through a file");
        assert_eq!(r.route(&file("a")), Route::InOrder, "a file onto a parent");
        r.route(&link("l"));
        assert_eq!(r.route(&file("L/x")), Route::InOrder, "through a link");
        assert_eq!(r.route(&link("n/b/c")), NEW_DIR, "a new link is free");
        assert_eq!(r.route(&hard("h")), Route::InOrder, "a hard link, always");
        assert_eq!(r.route(&file("n/new")), NEW_DIR);
    }
}
