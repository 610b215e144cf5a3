//! Every glob this crate matches, in one place: workspace member patterns
//! (`packages/*`, `apps/**`), `--filter` directories (`./apps/*`) and package-name
//! patterns (`@acme/*`).
//!
//! Paths: `*` and `?` within one `/`-separated segment, `**` any number of segments;
//! matched whole. This module is meant to give way to vx's own matcher (`vx_base::glob`)
//! once that crate exists; every caller goes through [`matches_dir`] and
//! [`may_hold`], whose meaning does not depend on whether a matcher lets a directory
//! glob cover what lies below it.

use std::path::Path;

/// What [`matches_dir`] appends to both sides: a name no glob segment can cover
/// loosely, so a pattern names exactly the directory and never what is below it.
const LEAF: &str = "\u{1}leaf";

/// Whether the relative directory `dir` (`/`-separated, `""` for the root) is one that
/// the glob `pattern` names: `apps/*` names `apps/web`, not `apps/web/src`; `apps/**`
/// names `apps`, `apps/web` and `apps/web/src`.
pub fn matches_dir(pattern: &str, dir: &str) -> bool {
    let pattern = format!("{}/{LEAF}", pattern.trim_end_matches('/'));
    let path = if dir.is_empty() {
        LEAF.to_owned()
    } else {
        format!("{dir}/{LEAF}")
    };
    matches(&pattern, Path::new(&path))
}

/// Whether the relative directory `dir` may hold (or be) a directory `pattern` names:
/// a walk need not enter a directory for which this is false.
pub fn may_hold(pattern: &str, dir: &Path) -> bool {
    let pattern = segments(pattern);
    let parts = parts(dir);
    let mut p = 0;
    for part in &parts {
        match pattern.get(p) {
            None => return false,
            Some(&"**") => return true,
            Some(seg) if segment_matches(seg, part) => p += 1,
            Some(_) => return false,
        }
    }
    true
}

/// Whether the relative path `rel` is one that `glob` matches, whole.
fn matches(glob: &str, rel: &Path) -> bool {
    let pattern = segments(glob);
    let parts = parts(rel);
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    segments_match(&pattern, &parts)
}

/// Whether a package name matches a `--filter` name pattern as turbo matches it: `*`
/// stands for any run of characters, `/` included (`@acme/*`, `*-utils`); everything
/// else is literal.
#[allow(dead_code)] // the filter module, next
pub fn name_matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    wildcard(&p, &n, false)
}

/// Whether `pattern` has a wildcard, so that a name matching nothing is not an error.
pub fn is_pattern(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

fn segments(glob: &str) -> Vec<&str> {
    glob.split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect()
}

fn parts(rel: &Path) -> Vec<String> {
    rel.components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect()
}

/// Segment lists matched with `**` standing for any number of segments: the classic
/// greedy walk with one back-up point, linear in practice and never exponential.
fn segments_match(pattern: &[&str], path: &[&str]) -> bool {
    let (mut p, mut s) = (0, 0);
    let mut back: Option<(usize, usize)> = None;
    while s < path.len() {
        if p < pattern.len() && pattern[p] == "**" {
            back = Some((p, s));
            p += 1;
        } else if p < pattern.len() && segment_matches(pattern[p], path[s]) {
            p += 1;
            s += 1;
        } else if let Some((bp, bs)) = back {
            p = bp + 1;
            s = bs + 1;
            back = Some((bp, bs + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|seg| *seg == "**")
}

/// One segment against one name: `*` any run, `?` one character, within the segment.
fn segment_matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    wildcard(&p, &n, true)
}

/// `*` (and `?` when `question` is set) over characters, with one back-up point:
/// linear-time, never exponential.
fn wildcard(p: &[char], n: &[char], question: bool) -> bool {
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if i < p.len() && ((question && p[i] == '?') || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_pattern_names_the_directory_not_what_is_below() {
        assert!(matches_dir("packages/*", "packages/ui"));
        assert!(!matches_dir("packages/*", "packages/ui/src"));
        assert!(!matches_dir("packages/*", "packages"));
        assert!(matches_dir("packages/**", "packages"));
        assert!(matches_dir("packages/**", "packages/a/b"));
        assert!(matches_dir("./apps/web/", "apps/web"));
        assert!(matches_dir("*/lib-?", "x/lib-a"));
        assert!(!matches_dir("*/lib-?", "x/lib-ab"));
        assert!(matches_dir("**", ""));
        assert!(matches_dir(".", ""));
    }

    #[test]
    fn a_walk_enters_only_where_a_pattern_may_reach() {
        assert!(may_hold("packages/*", Path::new("packages")));
        assert!(may_hold("packages/*", Path::new("packages/ui")));
        assert!(!may_hold("packages/*", Path::new("apps")));
        assert!(may_hold("apps/**", Path::new("apps/a/b/c")));
    }

    #[test]
    fn names_match_as_turbo_matches_them() {
        assert!(name_matches("@acme/*", "@acme/ui"));
        assert!(name_matches("*", "//"));
        assert!(name_matches("*-utils", "@acme/string-utils"));
        assert!(!name_matches("web", "webapp"));
        assert!(is_pattern("@acme/*") && !is_pattern("web"));
    }

    #[test]
    fn many_stars_stay_linear() {
        let name = "a".repeat(10_000);
        let pattern = format!("{}b", "*a".repeat(50));
        assert!(!name_matches(&pattern, &name));
        let path = vec!["a"; 2000].join("/");
        assert!(!matches_dir(&format!("{}/b", "**/a".repeat(20)), &path));
    }
}
