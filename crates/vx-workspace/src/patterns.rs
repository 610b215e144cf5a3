//! Every glob this crate matches goes through here, on vx's one glob reading
//! (`vx_base::glob`: `*` and `?` within a path segment, `**` any number of segments):
//! workspace member patterns (`packages/*`, `apps/**`), `--filter` directories
//! (`./apps/*`) and package-name patterns (`@acme/*`).

use std::path::Path;

use vx_base::glob;

/// What [`matches_dir`] appends to both sides, so a pattern names exactly a directory:
/// vx's reading lets a glob naming a directory cover what is under it, which a member
/// pattern must not (`packages/*` names `packages/ui`, not `packages/ui/src`).
const LEAF: &str = "\u{1}leaf";

/// Whether the relative directory `dir` (`/`-separated, `""` for the root) is one that
/// the glob `pattern` names: `apps/*` names `apps/web`, not `apps/web/src`; `apps/**`
/// names `apps`, `apps/web` and `apps/web/src`.
pub(crate) fn matches_dir(pattern: &str, dir: &str) -> bool {
    let pattern = format!("{}/{LEAF}", pattern.trim_end_matches('/'));
    let path = if dir.is_empty() {
        LEAF.to_owned()
    } else {
        format!("{dir}/{LEAF}")
    };
    glob::matches(&pattern, Path::new(&path))
}

/// Whether the relative directory `dir` may hold (or be) a directory `pattern` names:
/// a walk need not enter a directory for which this is false.
pub(crate) fn may_hold(pattern: &str, dir: &Path) -> bool {
    glob::may_hold(pattern, dir)
}

/// Whether a package name matches a `--filter` name pattern as turbo matches it: the
/// name is one string, so `*` stands for any run of characters, `/` included
/// (`@acme/*`, `*-utils`).
pub(crate) fn name_matches(pattern: &str, name: &str) -> bool {
    glob::pattern_matches(pattern, name)
}

/// Whether `pattern` has a wildcard, so that a name matching nothing is not an error.
pub(crate) fn is_pattern(pattern: &str) -> bool {
    glob::is_glob(pattern)
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
}
