//! Globs as vx.toml writes them, one implementation for every reader: a task's
//! `sources` and `outputs` (what its key hashes and what a restore may write), the
//! watcher, task names (`lint:*`), and the workspace's package patterns. `*` and `?`
//! match within a path segment, `**` any number of segments; a glob naming a
//! directory covers what is under it.

use std::path::{Component, Path, PathBuf};

/// Whether `pattern` (a name, or a glob where `*` is any run of characters, `?` one)
/// matches `name`.
pub fn pattern_matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    wildcard(&p, &n, |c| *c == '*', |c, x| *c == '?' || c == x)
}

/// Whether `pattern` matches all of `text`, where an item that `is_star` matches any
/// run of items (none too) and any other item one item that `one` accepts: `*` over a
/// name's characters, `**` over a path's segments. The last star is moved on one item
/// at a time when what follows it fails (the classic greedy matcher), so the time is
/// at most the product of the two lengths: a hostile glob (`*a*a*a…b` against a long
/// name) cannot make it exponential, as trying every split at every star would.
fn wildcard<P, T>(
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

/// Most globs one glob's braces expand into ([`expand_braces`]).
pub(crate) const MAX_BRACE_EXPANSION: usize = 256;

/// The globs `glob`'s braces stand for, as turbo (and a shell) reads them:
/// `*.{ts,tsx}` is `*.ts` and `*.tsx`, `{app,pages}/**/*.{md,mdx}` four globs;
/// nested braces too. A glob without a closed brace is itself; at most
/// [`MAX_BRACE_EXPANSION`] globs (the first ones), so that a hostile glob cannot
/// multiply without end.
pub fn expand_braces(glob: &str) -> Vec<String> {
    let mut out = Vec::new();
    expand_braces_into(glob, &mut out);
    out
}

fn expand_braces_into(glob: &str, out: &mut Vec<String>) {
    if out.len() >= MAX_BRACE_EXPANSION {
        return;
    }
    let Some((open, close, commas)) = first_brace(glob) else {
        out.push(glob.to_owned());
        return;
    };
    let (head, tail) = (&glob[..open], &glob[close + 1..]);
    let mut start = open + 1;
    for end in commas.into_iter().chain([close]) {
        expand_braces_into(&format!("{head}{}{tail}", &glob[start..end]), out);
        start = end + 1;
    }
}

/// The first `{…}` group of `glob` with a top-level comma: where it opens and closes
/// and where its top-level commas are. A group without a comma (`{a}`) is literal.
fn first_brace(glob: &str) -> Option<(usize, usize, Vec<usize>)> {
    let bytes = glob.as_bytes();
    let mut from = 0;
    while let Some(rel) = glob[from..].find('{') {
        let open = from + rel;
        let (mut depth, mut commas) = (0usize, Vec::new());
        for (i, &b) in bytes.iter().enumerate().skip(open) {
            match b {
                b'{' => depth += 1,
                b',' if depth == 1 => commas.push(i),
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        if !commas.is_empty() {
                            return Some((open, i, commas));
                        }
                        break;
                    }
                }
                _ => {}
            }
        }
        from = open + 1;
    }
    None
}

/// Whether `pattern` is a glob rather than a name.
pub fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

/// Whether `path` (under `project`) is inside the project once its links are resolved.
fn inside(project: &Path, path: &Path) -> bool {
    let root = project
        .canonicalize()
        .unwrap_or_else(|_| project.to_owned());
    path.canonicalize().is_ok_and(|real| real.starts_with(root))
}

/// [`expand_except`] with no exception (the tests' shorthand).
#[cfg(test)]
pub(crate) fn expand(project: &Path, glob: &str, limit: usize) -> Vec<PathBuf> {
    expand_except(project, glob, &[], limit)
}

/// A set of globs as a task's `sources` write it: each glob's files (`*` and `?` within a
/// path segment, `**` any number of segments; hidden `.git` directories not entered) but
/// those a `!glob` of the set matches (a directory it names is not entered: `!apps/web/
/// node_modules` spares the walk of a package's dependencies). Sorted, each once.
pub fn expand_all(project: &Path, globs: &[String], limit: usize) -> Vec<PathBuf> {
    let except: Vec<&str> = globs.iter().filter_map(|g| g.strip_prefix('!')).collect();
    let mut files: Vec<PathBuf> = globs
        .iter()
        .filter(|g| !g.starts_with('!'))
        .flat_map(|glob| expand_except(project, glob, &except, limit))
        .filter(|rel| !except.iter().any(|not| matches(not, rel)))
        .collect();
    files.sort();
    files.dedup();
    files
}

/// Whether `rel` is matched by the set `globs` as [`expand_all`] reads it: by a glob
/// of it and by no `!glob`.
pub fn matches_all(globs: &[String], rel: &Path) -> bool {
    let (except, globs): (Vec<&String>, Vec<&String>) =
        globs.iter().partition(|g| g.starts_with('!'));
    globs.iter().any(|g| matches(g, rel)) && !except.iter().any(|not| matches(&not[1..], rel))
}

/// The files (relative paths) under `project` that `glob` matches, at most `limit`:
/// `*` and `?` within a path segment, `**` any number of segments. Hidden `.git`
/// directories are not entered, nor a directory that one of `except` matches.
fn expand_except(project: &Path, glob: &str, except: &[&str], limit: usize) -> Vec<PathBuf> {
    let segments = glob_segments(glob);
    // Walk from the longest literal prefix.
    let literal = segments
        .iter()
        .take_while(|s| !s.contains(['*', '?']))
        .count();
    let mut base = PathBuf::new();
    for s in &segments[..literal] {
        base.push(s);
    }
    let mut out = Vec::new();
    let start = project.join(&base);
    if !inside(project, &start) {
        // Out of the project through a link (or `..`), or not there: never walked. A
        // link named whole still counts (by its target's text).
        if literal == segments.len() && std::fs::symlink_metadata(&start).is_ok() {
            out.push(base);
        }
        return out;
    }
    if literal == segments.len() {
        if start.is_file() {
            out.push(base);
        } else if start.is_dir() {
            walk(
                project,
                &base,
                except,
                &mut |rel| out.push(rel.to_owned()),
                limit,
            );
        }
        return out;
    }
    let rest = &segments[literal..];
    walk(
        project,
        &base,
        except,
        &mut |rel| {
            let tail = path_parts(rel.strip_prefix(&base).unwrap_or(rel));
            let tail: Vec<&str> = tail.iter().map(String::as_str).collect();
            if segments_match(rest, &tail) {
                out.push(rel.to_owned());
            }
        },
        limit,
    );
    out
}

/// Whether the relative path `rel` is one that `glob` matches.
pub fn matches(glob: &str, rel: &Path) -> bool {
    let pattern = glob_segments(glob);
    let parts = path_parts(rel);
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    // A glob naming a directory covers what is under it.
    segments_match(&pattern, &parts)
        || (1..parts.len()).any(|n| segments_match(&pattern, &parts[..n]))
}

/// Whether the directory `rel` may hold a path that `glob` matches (or is one): the
/// directories on the way to an output, which a result's archive may name.
pub fn may_hold(glob: &str, rel: &Path) -> bool {
    fn go(pattern: &[&str], path: &[&str]) -> bool {
        match (pattern.split_first(), path.split_first()) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some((&"**", _)), Some(_)) => true,
            (Some((p, rest)), Some((part, below))) => pattern_matches(p, part) && go(rest, below),
        }
    }
    let pattern = glob_segments(glob);
    let parts = path_parts(rel);
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    matches(glob, rel) || go(&pattern, &parts)
}

/// Whether a path that `a` matches may be one that `b` matches, or lie below it (or
/// above): `false` only when they surely name apart trees (`src/**` and `dist/**`),
/// read segment by segment; `**`, and a wildcard against a wildcard, may always meet.
pub fn may_overlap(a: &str, b: &str) -> bool {
    let (a, b) = (glob_segments(a), glob_segments(b));
    for (x, y) in a.iter().zip(&b) {
        if *x == "**" || *y == "**" {
            return true;
        }
        let meet = match (is_glob(x), is_glob(y)) {
            (false, false) => x == y,
            (true, false) => pattern_matches(x, y),
            (false, true) => pattern_matches(y, x),
            (true, true) => true,
        };
        if !meet {
            return false;
        }
    }
    // One names a directory the other lies in (or the same path).
    true
}

/// A glob's segments (`/`-separated; empty and `.` segments dropped).
fn glob_segments(glob: &str) -> Vec<&str> {
    glob.split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect()
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

/// Whether the glob's segments match the path's, `**` any run of segments.
fn segments_match(pattern: &[&str], path: &[&str]) -> bool {
    wildcard(
        pattern,
        path,
        |p| *p == "**",
        |p, part| pattern_matches(p, part),
    )
}

/// Calls `found` with every file under `project/dir` (relative to `project`): every
/// entry that is not a directory, links included; a link to a directory is not entered,
/// nor a directory one of `except` matches.
fn walk(project: &Path, dir: &Path, except: &[&str], found: &mut dyn FnMut(&Path), limit: usize) {
    let mut todo = vec![dir.to_owned()];
    let mut seen = 0usize;
    while let Some(dir) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(project.join(&dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name == ".git" {
                continue;
            }
            let rel = dir.join(&name);
            match entry.file_type() {
                Ok(t) if t.is_dir() => {
                    if !except.iter().any(|not| matches(not, &rel)) {
                        todo.push(rel);
                    }
                }
                Ok(_) => {
                    seen += 1;
                    if seen > limit {
                        return;
                    }
                    found(&rel);
                }
                Err(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_expand_into_each_alternative() {
        assert_eq!(expand_braces("*.{ts,tsx}"), ["*.ts", "*.tsx"]);
        assert_eq!(
            expand_braces("{app,pages}/**/*.{md,mdx}"),
            [
                "app/**/*.md",
                "app/**/*.mdx",
                "pages/**/*.md",
                "pages/**/*.mdx"
            ]
        );
        assert_eq!(expand_braces("a/{b,{c,d}e}"), ["a/b", "a/ce", "a/de"]);
        assert_eq!(expand_braces("src/**"), ["src/**"]);
        assert_eq!(expand_braces("{single}/x"), ["{single}/x"]);
        assert_eq!(expand_braces("open{a,b"), ["open{a,b"]);
        let many = "{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}";
        assert_eq!(expand_braces(many).len(), MAX_BRACE_EXPANSION);
    }

    #[test]
    fn patterns_match_names_and_globs() {
        assert!(pattern_matches("lint:*", "lint:rust"));
        assert!(pattern_matches("lint:*", "lint:"));
        assert!(!pattern_matches("lint:*", "lint"));
        assert!(pattern_matches("*:test", "unit:test"));
        assert!(pattern_matches("t?st", "test"));
        assert!(pattern_matches("build", "build"));
        assert!(!pattern_matches("build", "builds"));
    }

    #[test]
    fn a_hostile_glob_is_matched_in_bounded_time() {
        // Tried split by split, each of these took longer than 100 s.
        let pattern = "*a".repeat(12) + "b";
        assert!(!pattern_matches(&pattern, &"a".repeat(60)));
        assert!(pattern_matches(&pattern, &("a".repeat(60) + "b")));
        let glob = "**/a/".repeat(8) + "b";
        let path = vec!["a"; 40].join("/");
        assert!(!matches(&glob, Path::new(&path)));
        assert!(matches(&glob, Path::new(&(path + "/b"))));
    }

    /// Every split at every star, as the matcher used to try them: the meaning the
    /// greedy one must keep.
    fn by_every_split(p: &[char], n: &[char]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some(('*', rest)) => (0..=n.len()).any(|i| by_every_split(rest, &n[i..])),
            Some(('?', rest)) => !n.is_empty() && by_every_split(rest, &n[1..]),
            Some((c, rest)) => n.first() == Some(c) && by_every_split(rest, &n[1..]),
        }
    }

    proptest::proptest! {
        #[test]
        fn the_greedy_matcher_means_what_every_split_meant(
            pattern in "[ab*?]{0,8}",
            name in "[ab]{0,10}",
        ) {
            let p: Vec<char> = pattern.chars().collect();
            let n: Vec<char> = name.chars().collect();
            proptest::prop_assert_eq!(pattern_matches(&pattern, &name), by_every_split(&p, &n));
        }
    }

    #[test]
    fn globs_overlap_unless_they_surely_name_apart_trees() {
        for (a, b) in [
            ("src/**", "src/gen/**"),
            ("src", "src/gen/a.ts"),
            ("**/*.ts", "dist/**"),
            ("packages/*/src/**", "packages/ui/src/**"),
            ("gen/*.txt", "gen/a.txt"),
            ("*.c", "*.o"),
        ] {
            assert!(may_overlap(a, b) && may_overlap(b, a), "{a} {b}");
        }
        for (a, b) in [
            ("src/**", "dist/**"),
            ("gen.txt", "gen/**"),
            ("packages/ui/src/**", "packages/web/dist/**"),
            ("src/*.ts", "out/*.ts"),
        ] {
            assert!(!may_overlap(a, b) && !may_overlap(b, a), "{a} {b}");
        }
    }

    #[test]
    fn globs_match_segments_and_double_stars() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["src/a.rs", "src/sub/b.rs", "src/c.txt", "Cargo.toml"] {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, f).unwrap();
        }
        let mut rs = expand(dir.path(), "src/**/*.rs", 100);
        rs.sort();
        assert_eq!(
            rs,
            [PathBuf::from("src/a.rs"), PathBuf::from("src/sub/b.rs")]
        );
        assert_eq!(
            expand(dir.path(), "*.toml", 100),
            [PathBuf::from("Cargo.toml")]
        );
        assert_eq!(expand(dir.path(), "src", 100).len(), 4 - 1);
        assert!(expand(dir.path(), "nothing/*", 100).is_empty());
    }

    #[test]
    fn a_negated_glob_takes_its_files_away_and_its_directories_are_not_walked() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in [
            "web/src/a.ts",
            "web/node_modules/x/index.js",
            "web/dist/a.js",
            "web/package.json",
        ] {
            std::fs::create_dir_all(root.join(file).parent().unwrap()).unwrap();
            std::fs::write(root.join(file), "x").unwrap();
        }
        let globs: Vec<String> = ["web/**", "!web/node_modules", "!web/dist/**"]
            .map(String::from)
            .into();
        assert_eq!(
            expand_all(root, &globs, 100),
            [
                PathBuf::from("web/package.json"),
                PathBuf::from("web/src/a.ts")
            ]
        );
        assert!(matches_all(&globs, Path::new("web/src/a.ts")));
        assert!(!matches_all(&globs, Path::new("web/dist/a.js")));
        assert!(!matches_all(
            &globs,
            Path::new("web/node_modules/x/index.js")
        ));
        // What a negation takes away is gone even when a glob names it.
        assert_eq!(
            expand_all(
                root,
                &[
                    "web/node_modules/**".to_owned(),
                    "!web/node_modules".to_owned()
                ],
                100
            ),
            Vec::<PathBuf>::new()
        );
    }
}
