//! One brace-free glob ([`super::braces`] expanded it) read segment by segment: `**`
//! any number of segments, a segment without `*`, `?`, `[` or `\` the name it is, and
//! any other segment a pattern `globset` compiles (`*` and `?` within the segment,
//! `[abc]`, `[a-z]`, `[!x]` and `[^x]`, `\` escaping the next character).

use std::path::PathBuf;

use globset::{GlobBuilder, GlobMatcher};

use super::ErrorKind;

/// One segment of a glob.
#[derive(Clone, Debug)]
pub(crate) enum Segment {
    /// `**`: any number of segments, none too.
    Any,
    /// A name, matched as written.
    Literal(String),
    /// A pattern matched against one segment.
    Pattern(GlobMatcher),
}

impl Segment {
    fn new(text: &str) -> Result<Segment, ErrorKind> {
        Ok(match text {
            "**" => Segment::Any,
            _ if !text.contains(['*', '?', '[', '\\']) => Segment::Literal(text.to_owned()),
            _ => Segment::Pattern(compile(text, true)?),
        })
    }

    /// Whether this segment (not `**`) matches the path segment `name`.
    pub(crate) fn matches(&self, name: &str) -> bool {
        match self {
            Segment::Any => true,
            Segment::Literal(literal) => literal == name,
            Segment::Pattern(pattern) => pattern.is_match(name),
        }
    }
}

/// `pattern` (brace-free) compiled by `globset`: `*` and `?` stay within a segment
/// when `within_segment`, else they match any character; `\` always escapes (globs
/// are written with `/` on every platform, as turbo's and mise's are).
pub(crate) fn compile(pattern: &str, within_segment: bool) -> Result<GlobMatcher, ErrorKind> {
    GlobBuilder::new(pattern)
        .literal_separator(within_segment)
        .backslash_escape(true)
        .build()
        .map(|glob| glob.compile_matcher())
        .map_err(|e| ErrorKind::Pattern(e.kind().to_string()))
}

/// A brace-free glob's segments (`/`-separated; empty and `.` segments dropped).
#[derive(Clone, Debug)]
pub(crate) struct Segments(Vec<Segment>);

impl Segments {
    pub(crate) fn new(glob: &str) -> Result<Segments, ErrorKind> {
        glob.split('/')
            .filter(|s| !s.is_empty() && *s != ".")
            .map(Segment::new)
            .collect::<Result<_, _>>()
            .map(Segments)
    }

    pub(crate) fn all(&self) -> &[Segment] {
        &self.0
    }

    /// The leading literal segments as a path (where a walk starts), and whether they
    /// are the whole glob (it names one path).
    pub(crate) fn literal_prefix(&self) -> (PathBuf, bool) {
        let mut base = PathBuf::new();
        for segment in &self.0 {
            match segment {
                Segment::Literal(name) => base.push(name),
                _ => return (base, false),
            }
        }
        (base, true)
    }

    /// Whether the path `parts` is one this glob matches, whole.
    pub(crate) fn matches_exactly(&self, parts: &[&str]) -> bool {
        wildcard(
            &self.0,
            parts,
            |s| matches!(s, Segment::Any),
            |s, part| s.matches(part),
        )
    }

    /// Whether the path `parts` is one this glob matches, or lies under one: a glob
    /// naming a directory covers what is under it.
    pub(crate) fn covers(&self, parts: &[&str]) -> bool {
        self.matches_exactly(parts) || (1..parts.len()).any(|n| self.matches_exactly(&parts[..n]))
    }

    /// Whether the directory `parts` may hold a path this glob matches (or is one).
    pub(crate) fn may_hold(&self, parts: &[&str]) -> bool {
        fn go(pattern: &[Segment], path: &[&str]) -> bool {
            match (pattern.split_first(), path.split_first()) {
                (_, None) => true,
                (None, Some(_)) => false,
                (Some((Segment::Any, _)), Some(_)) => true,
                (Some((s, rest)), Some((part, below))) => s.matches(part) && go(rest, below),
            }
        }
        self.covers(parts) || go(&self.0, parts)
    }

    /// Whether a path this glob matches may be one `other` matches, or lie below it
    /// (or above): `false` only when they surely name apart trees, read segment by
    /// segment; `**`, and a pattern against a pattern, may always meet.
    pub(crate) fn may_overlap(&self, other: &Segments) -> bool {
        for (x, y) in self.0.iter().zip(&other.0) {
            let meet = match (x, y) {
                (Segment::Any, _) | (_, Segment::Any) => return true,
                (Segment::Literal(a), Segment::Literal(b)) => a == b,
                (Segment::Pattern(p), Segment::Literal(name))
                | (Segment::Literal(name), Segment::Pattern(p)) => p.is_match(name),
                (Segment::Pattern(_), Segment::Pattern(_)) => true,
            };
            if !meet {
                return false;
            }
        }
        // One names a directory the other lies in (or the same path).
        true
    }

    /// The first segment, when the glob has more than one (it reaches into a
    /// directory that segment matches).
    pub(crate) fn first_of_several(&self) -> Option<&Segment> {
        (self.0.len() > 1).then(|| &self.0[0])
    }
}

/// Whether `pattern` matches all of `text`, where an item that `is_star` matches any
/// run of items (none too) and any other item one item that `one` accepts: `**` over
/// a path's segments. The last star is moved on one item at a time when what follows
/// it fails (the classic greedy matcher), so the time is at most the product of the
/// two lengths: a hostile glob (`**/a/**/a/…/b` against a deep path) cannot make it
/// exponential, as trying every split at every star would.
pub(crate) fn wildcard<P, T>(
    pattern: &[P],
    text: &[T],
    is_star: impl Fn(&P) -> bool,
    one: impl Fn(&P, &T) -> bool,
) -> bool {
    let (mut p, mut t) = (0, 0);
    // After the last star seen: where its rest begins, and where its run ends now.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && is_star(&pattern[p]) {
            p += 1;
            star = Some((p, t));
        } else if p < pattern.len() && one(&pattern[p], &text[t]) {
            p += 1;
            t += 1;
        } else if let Some((rest, end)) = star {
            p = rest;
            t = end + 1;
            star = Some((rest, end + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(is_star)
}
