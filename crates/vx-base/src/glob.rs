//! Globs as vx.toml writes them, one implementation for every reader: a task's
//! `sources` and `outputs` (what its key hashes and what a restore may write), the
//! watcher, task names (`lint:*`, by mise's rule: [`task_matches`]), and the
//! workspace's package patterns.
//!
//! The syntax is what mise's and turbo's globs take in those places: `*` and `?`
//! within a path segment, `**` any number of segments, character classes (`[abc]`,
//! `[a-z]`, `[!x]` or `[^x]`), `{a,b}` alternatives (nested, an empty one kept:
//! [`braces`]) and `\` escaping the next character. A glob naming a directory covers
//! what is under it. A glob that cannot be read (`{` never closed, `[` never closed, a
//! range backwards) is a [`GlobError`], which the readers of vx.toml and of a mise
//! file report where the glob is written ([`check`]), never a glob that matches
//! nothing.
//!
//! How: braces are expanded first ([`braces`], bounded), then each glob is read
//! segment by segment ([`segment`]), and a segment with wildcards or classes is
//! compiled by `globset` (ripgrep's, the crate mise builds its matchers with): it
//! compiles to a regex automaton that matches in time linear in the name, and its
//! classes, ranges and escapes are a maintained parser's rather than one more written
//! here. `globset` matches whole paths, but vx's readers need more than a yes: where a
//! walk may start (`src/` for `src/**/*.rs`), whether a directory may hold a match (a
//! restore's directories, the watcher's roots), whether two globs may meet; so the
//! segments stay vx's, and `**` across them is the greedy matcher of
//! [`segment::wildcard`], at most the product of the two lengths. A hostile glob is
//! bounded: at most [`MAX_GLOB_LEN`] bytes, [`braces::MAX_ALTERNATIVES`] expansions
//! and [`braces::MAX_DEPTH`] nested braces, and `globset`'s own size limit.
//!
//! The functions taking a glob as text ([`matches()`], [`may_hold`], …) compile it on
//! each call through a small per-thread memo of the last globs seen, so a reader that
//! asks one glob about thousands of paths compiles it once; [`Glob`] and [`GlobSet`]
//! are the compiled forms for a reader that keeps them.

mod braces;
mod segment;
mod task_name;
mod walk;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use globset::GlobMatcher;

use segment::{Segment, Segments};

/// Longest glob read (a path is at most 4096 bytes on Linux; a glob with
/// alternatives may be longer than what it matches).
pub(crate) const MAX_GLOB_LEN: usize = 8192;

/// A glob that cannot be read, and why.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "{:?} is not a glob vx can read: {kind}",
    crate::validate::shorten(glob)
)]
pub struct GlobError {
    /// The glob as written.
    pub glob: String,
    /// What is wrong with it.
    pub kind: ErrorKind,
}

/// What is wrong with a glob.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum ErrorKind {
    /// A `{` without its `}`.
    #[error("a `{{` is never closed (write `[{{]` or `\\{{` for the character)")]
    UnclosedBrace,
    /// A `}` without its `{`.
    #[error("a `}}` closes no `{{` (write `[}}]` or `\\}}` for the character)")]
    UnopenedBrace,
    /// Braces nested too deep.
    #[error("its braces are nested more than {} deep", braces::MAX_DEPTH)]
    TooDeep,
    /// Too many alternatives.
    #[error("its braces stand for more than {} globs", braces::MAX_ALTERNATIVES)]
    TooManyAlternatives,
    /// Longer than [`MAX_GLOB_LEN`].
    #[error("it is longer than {MAX_GLOB_LEN} bytes")]
    TooLong,
    /// A segment's pattern `globset` refuses (an unclosed class, a backwards range).
    #[error("{0}")]
    Pattern(String),
}

/// The brace-free globs `glob` stands for (`*.{ts,tsx}` is `*.ts` and `*.tsx`;
/// a literal brace comes out escaped, `\{`).
pub fn expand_braces(glob: &str) -> Result<Vec<String>, GlobError> {
    let error = |kind| GlobError {
        glob: glob.to_owned(),
        kind,
    };
    if glob.len() > MAX_GLOB_LEN {
        return Err(error(ErrorKind::TooLong));
    }
    braces::expand(glob).map_err(error)
}

/// Whether `glob` (one entry of `sources` or `outputs`, a leading `!` taking away) can
/// be read: the check a manifest's reader makes where the glob is written.
pub fn check(glob: &str) -> Result<(), GlobError> {
    Glob::new(glob.strip_prefix('!').unwrap_or(glob)).map(drop)
}

/// One glob, read and compiled (no leading `!`: a set reads those, [`GlobSet`]).
#[derive(Clone, Debug)]
pub struct Glob {
    alternatives: Vec<Segments>,
}

impl Glob {
    /// `text` read as the module says.
    pub fn new(text: &str) -> Result<Glob, GlobError> {
        let alternatives = expand_braces(text)?
            .iter()
            .map(|alt| Segments::new(alt))
            .collect::<Result<_, _>>()
            .map_err(|kind| GlobError {
                glob: text.to_owned(),
                kind,
            })?;
        Ok(Glob { alternatives })
    }

    /// Whether the relative path `rel` is one this glob matches, or lies under one.
    pub(crate) fn matches(&self, rel: &Path) -> bool {
        let parts = path_parts(rel);
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        self.alternatives.iter().any(|alt| alt.covers(&parts))
    }

    /// Whether the directory `rel` may hold a path this glob matches (or is one): the
    /// directories on the way to an output, which a result's archive may name.
    pub(crate) fn may_hold(&self, rel: &Path) -> bool {
        let parts = path_parts(rel);
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        self.alternatives.iter().any(|alt| alt.may_hold(&parts))
    }

    /// Whether a path this glob matches may be one `other` matches, or lie below it
    /// (or above): `false` only when they surely name apart trees (`src/**` and
    /// `dist/**`), read segment by segment; `**`, and a wildcard against a wildcard,
    /// may always meet.
    pub(crate) fn may_overlap(&self, other: &Glob) -> bool {
        self.alternatives
            .iter()
            .any(|a| other.alternatives.iter().any(|b| a.may_overlap(b)))
    }

    /// How this glob reaches the top-level directory `name`: by naming it
    /// ([`Reach::Named`]: `node_modules/**`), by a wildcard ([`Reach::Wildcard`]:
    /// `**/*.rs`, `*/src/**`), or not at all (`src/**`, or `*.rs`, which names the
    /// project's own files).
    pub fn reaches(&self, name: &str) -> Reach {
        let mut reach = Reach::No;
        for alt in &self.alternatives {
            match alt.all().first() {
                Some(Segment::Literal(first)) if first == name => return Reach::Named,
                Some(Segment::Any) => reach = Reach::Wildcard,
                _ => {
                    if alt.first_of_several().is_some_and(|s| s.matches(name)) {
                        reach = Reach::Wildcard;
                    }
                }
            }
        }
        reach
    }
}

/// How a glob reaches a directory ([`Glob::reaches`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Its first segment is the directory's name.
    Named,
    /// A wildcard of its first segment matches the directory.
    Wildcard,
    /// It never looks inside the directory.
    No,
}

/// A set of globs as a task's `sources` write it: each glob's files but those a
/// `!glob` of the set matches (a directory it names is not entered: `!apps/web/
/// node_modules` spares the walk of a package's dependencies).
#[derive(Clone, Debug, Default)]
pub struct GlobSet {
    globs: Vec<Arc<Glob>>,
    except: Vec<Arc<Glob>>,
}

impl GlobSet {
    /// The set `globs`, a glob that cannot be read left out (it matches nothing): for
    /// globs a manifest's reader has already checked ([`check`]).
    pub fn lossy(globs: &[String]) -> GlobSet {
        let mut set = GlobSet::default();
        for glob in globs {
            match glob.strip_prefix('!') {
                Some(not) => set.except.extend(compiled(not)),
                None => set.globs.extend(compiled(glob)),
            }
        }
        set
    }

    /// Whether `rel` is matched by a glob of the set and by no `!glob`.
    pub fn matches(&self, rel: &Path) -> bool {
        self.globs.iter().any(|g| g.matches(rel)) && !self.except.iter().any(|g| g.matches(rel))
    }

    /// The files under `project` the set matches (`.git` directories not entered, nor
    /// a directory a `!glob` matches; at most `limit` files looked at from each
    /// directory a walk starts in), sorted, each once.
    pub(crate) fn expand(&self, project: &Path, limit: usize) -> Vec<PathBuf> {
        walk::expand(project, &self.globs, &self.except, limit)
    }
}

/// [`GlobSet::expand`] of the set `globs` read by [`GlobSet::lossy`].
pub fn expand_all(project: &Path, globs: &[String], limit: usize) -> Vec<PathBuf> {
    GlobSet::lossy(globs).expand(project, limit)
}

/// [`GlobSet::matches`] of the set `globs` read by [`GlobSet::lossy`].
pub fn matches_all(globs: &[String], rel: &Path) -> bool {
    GlobSet::lossy(globs).matches(rel)
}

/// Whether the relative path `rel` is one that `glob` matches, or lies under one
/// ([`Glob::matches`]; a glob that cannot be read matches nothing).
pub fn matches(glob: &str, rel: &Path) -> bool {
    compiled(glob).is_some_and(|g| g.matches(rel))
}

/// Whether the directory `rel` may hold a path that `glob` matches ([`Glob::may_hold`];
/// a glob that cannot be read holds nothing).
pub fn may_hold(glob: &str, rel: &Path) -> bool {
    compiled(glob).is_some_and(|g| g.may_hold(rel))
}

/// Whether a path `a` matches may be one `b` matches ([`Glob::may_overlap`]); a glob
/// that cannot be read may meet anything (the answer that assumes least).
pub fn may_overlap(a: &str, b: &str) -> bool {
    match (compiled(a), compiled(b)) {
        (Some(a), Some(b)) => a.may_overlap(&b),
        _ => true,
    }
}

/// Whether `pattern` is a glob rather than a name.
pub fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '[', '{'])
}

/// A name pattern (a package's, a variable's): a glob where `*` is any run
/// of characters and `?` one, with classes and alternatives as [`Glob`]'s; a pattern
/// that cannot be read is the name it spells.
#[derive(Clone, Debug)]
pub(crate) struct NamePattern {
    literal: String,
    alternatives: Option<Vec<GlobMatcher>>,
}

impl NamePattern {
    /// `pattern` read as the type says.
    pub(crate) fn new(pattern: &str) -> NamePattern {
        let alternatives = (is_glob(pattern) || pattern.contains('\\'))
            .then(|| {
                let alts = expand_braces(pattern).ok()?;
                alts.iter()
                    .map(|alt| segment::compile(alt, false).ok())
                    .collect::<Option<Vec<_>>>()
            })
            .flatten();
        NamePattern {
            literal: pattern.to_owned(),
            alternatives,
        }
    }

    /// Whether `name` is one this pattern names.
    pub(crate) fn matches(&self, name: &str) -> bool {
        match &self.alternatives {
            Some(alts) => alts.iter().any(|m| m.is_match(name)),
            None => self.literal == name,
        }
    }
}

/// Whether `pattern` ([`NamePattern`]) matches `name`.
pub fn pattern_matches(pattern: &str, name: &str) -> bool {
    if !is_glob(pattern) && !pattern.contains('\\') {
        return pattern == name;
    }
    thread_local! {
        static NAMES: RefCell<HashMap<String, Rc<NamePattern>>> = RefCell::default();
    }
    let compiled = NAMES.with(|memo| {
        remember(&mut memo.borrow_mut(), pattern, || {
            Rc::new(NamePattern::new(pattern))
        })
    });
    compiled.matches(name)
}

/// Whether the task-name pattern `pattern` names the task `name`, by mise's rule
/// ([`task_name`]): `*` within one `:` group (`lint:*` is `lint:rust`, not
/// `lint:rust:clippy`), `**` any number of groups (`lint:**`). What `vx run 'lint:*'`
/// and a task's `depends` glob both match by.
pub fn task_matches(pattern: &str, name: &str) -> bool {
    if !is_glob(pattern) {
        return pattern == name;
    }
    thread_local! {
        static TASKS: RefCell<HashMap<String, Rc<task_name::TaskPattern>>> = RefCell::default();
    }
    let compiled = TASKS.with(|memo| {
        remember(&mut memo.borrow_mut(), pattern, || {
            Rc::new(task_name::TaskPattern::new(pattern))
        })
    });
    compiled.matches(name)
}

/// Most compiled globs (and name patterns) a thread keeps: enough for a project's
/// globs; past it the memo starts again.
const MEMO: usize = 256;

/// `glob` compiled, through the thread's memo; `None` when it cannot be read.
fn compiled(glob: &str) -> Option<Arc<Glob>> {
    thread_local! {
        static GLOBS: RefCell<HashMap<String, Option<Arc<Glob>>>> = RefCell::default();
    }
    GLOBS.with(|memo| {
        remember(&mut memo.borrow_mut(), glob, || {
            Glob::new(glob).ok().map(Arc::new)
        })
    })
}

/// `memo`'s value for `key`, made by `make` the first time (the memo emptied when it
/// holds [`MEMO`] already).
fn remember<T: Clone>(memo: &mut HashMap<String, T>, key: &str, make: impl FnOnce() -> T) -> T {
    if let Some(value) = memo.get(key) {
        return value.clone();
    }
    if memo.len() >= MEMO {
        memo.clear();
    }
    let value = make();
    memo.insert(key.to_owned(), value.clone());
    value
}

/// A relative path's normal parts, as text.
fn path_parts(rel: &Path) -> Vec<String> {
    rel.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests;
