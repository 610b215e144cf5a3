//! Task-name patterns as mise reads them (`mise run 'lint:*'`, `depends = ["lint:*"]`):
//! a task's name is groups separated by `:`, and a pattern is a glob over those groups.
//! `*` and `?` stay within one group (`lint:*` is `lint:rust`, never `lint:rust:clippy`),
//! `**` as a whole group is any number of groups (`lint:**` takes both; `**:test` is
//! `test` too), classes and `{a,b}` alternatives as [`super::Glob`]'s.
//!
//! How: as mise 2026.9 does it (its `task_name_glob`), each `:` of the pattern and of
//! the name is read as `/` and the pattern compiled by `globset` with `*` stopping at
//! `/` ([`super::segment::compile`]); so a `/` separates groups too, as in mise. The
//! braces are expanded first by vx's bounded reader ([`super::expand_braces`]).

use globset::GlobMatcher;

use super::{expand_braces, is_glob, segment};

/// A task-name pattern, read as the module says; one that cannot be read (an unclosed
/// `[`) is the name it spells.
#[derive(Clone, Debug)]
pub(crate) struct TaskPattern {
    literal: String,
    alternatives: Option<Vec<GlobMatcher>>,
}

impl TaskPattern {
    /// `pattern` read as the module says.
    pub(crate) fn new(pattern: &str) -> TaskPattern {
        let alternatives = is_glob(pattern)
            .then(|| {
                let alts = expand_braces(pattern).ok()?;
                alts.iter()
                    .map(|alt| segment::compile(&groups(alt), true).ok())
                    .collect::<Option<Vec<_>>>()
            })
            .flatten();
        TaskPattern {
            literal: pattern.to_owned(),
            alternatives,
        }
    }

    /// Whether the task called `name` is one this pattern names.
    pub(crate) fn matches(&self, name: &str) -> bool {
        match &self.alternatives {
            Some(alts) => {
                let name = groups(name);
                alts.iter().any(|m| m.is_match(&name))
            }
            None => self.literal == name,
        }
    }
}

/// `text` with each `:` (a group's end) read as `/`, which `globset` keeps `*` within.
fn groups(text: &str) -> String {
    text.replace(':', "/")
}

#[cfg(test)]
mod tests {
    use super::super::task_matches;

    /// What mise 2026.9.15 runs for each pattern, of tasks `lint:a`, `lint:b`,
    /// `lint:b:deep`, `lint:c:d:e`, `lintx`, `x:lint` (`mise run PATTERN`).
    #[test]
    fn a_star_stays_within_one_group_and_two_stars_span_groups() {
        let names = [
            "lint:a",
            "lint:b",
            "lint:b:deep",
            "lint:c:d:e",
            "lintx",
            "x:lint",
        ];
        let matched = |pattern: &str| -> Vec<&str> {
            (names.iter().copied())
                .filter(|name| task_matches(pattern, name))
                .collect()
        };
        assert_eq!(matched("lint:*"), ["lint:a", "lint:b"]);
        assert_eq!(
            matched("lint:**"),
            ["lint:a", "lint:b", "lint:b:deep", "lint:c:d:e"]
        );
        assert_eq!(matched("lint:**:e"), ["lint:c:d:e"]);
        assert_eq!(matched("lint:*:*"), ["lint:b:deep"]);
        assert_eq!(matched("lint*"), ["lintx"]);
        assert_eq!(matched("lint**"), ["lintx"], "`**` inside a group is `*`");
        assert_eq!(matched("*:lint"), ["x:lint"]);
        assert_eq!(matched("**:lint"), ["x:lint"]);
        assert_eq!(matched("*"), ["lintx"]);
        assert_eq!(matched("**"), names);
        assert_eq!(matched("lint:?"), ["lint:a", "lint:b"]);
        assert_eq!(matched("lint:{a,b}"), ["lint:a", "lint:b"]);
        assert_eq!(matched("lint:[ab]"), ["lint:a", "lint:b"]);
        assert_eq!(
            matched("lint/*"),
            ["lint:a", "lint:b"],
            "`/` is a group's end too"
        );
        assert!(matched("lint:**e").is_empty());
    }

    /// A `*` is any run of characters but a `:` (monorepo patterns' task part,
    /// `//app:test:*`, read by the same matcher).
    #[test]
    fn a_star_is_any_run_of_characters_but_a_colon() {
        assert!(task_matches("*", "build"));
        assert!(!task_matches("*", "test:unit"));
        assert!(task_matches("test*", "test"));
        assert!(task_matches("test*", "tests"));
        assert!(!task_matches("test*", "test:unit"));
        assert!(task_matches("test:*", "test:unit"));
        assert!(task_matches("*:*", "test:unit"));
        assert!(task_matches("b*l*d", "build"));
        assert!(!task_matches("b*i*d", "bold"));
        assert!(task_matches("a*a", "aa"));
        assert!(!task_matches("a*a", "a"));
        assert!(task_matches("lint", "lint"));
    }

    /// mise's answers where a group is empty or `**` stands for no group.
    #[test]
    fn two_stars_may_stand_for_no_group_and_a_group_may_be_empty() {
        assert!(task_matches("**:lint", "lint"));
        assert!(task_matches("lint:**:e", "lint:e"));
        assert!(!task_matches("lint:**", "lint"));
        assert!(task_matches("lint:*", "lint:"));
        assert!(task_matches("lint:*:x", "lint::x"));
        assert!(task_matches("a:*{,:c}", "a:b:c"), "a brace may hold a `:`");
        // A plain name is that name; one that cannot be read too.
        assert!(task_matches("lint:a", "lint:a"));
        assert!(!task_matches("lint", "lint:a"));
        assert!(task_matches("odd[", "odd["));
    }
}
