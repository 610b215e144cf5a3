//! `url_replacements`: prefix keys and `regex:` keys that rewrite every URL vx fetches
//! (a company's artifact proxy in place of github.com).
//!
//! ```toml
//! [url_replacements]
//! "https://github.com/" = "https://artifacts.corp/github/"
//! "regex:^https://([^/]+)\\.s3\\.amazonaws\\.com/(.*)" = "https://s3-proxy.corp/$1/$2"
//! ```
//!
//! A plain key is a prefix: a URL starting with it has that prefix replaced. A
//! `regex:` key is a pattern of the [`regex`] crate (RE2 syntax, linear-time matching,
//! so a pattern cannot hang vx); its first match is replaced, with `$1`, `${name}`
//! naming groups. The rules are tried in order (the project's, then the user's) and the
//! first that matches wins; a URL no rule matches is fetched as it is.

use std::borrow::Cow;

use regex::Regex;

/// The prefix of a key that is a regular expression.
pub(crate) const REGEX_PREFIX: &str = "regex:";

/// The largest compiled pattern accepted (bytes of the regex crate's program): a
/// rewrite rule is a line, not a grammar.
const MAX_PATTERN_SIZE: usize = 1 << 20;

/// One rule: what it matches and what replaces it.
#[derive(Clone, Debug)]
enum Rule {
    /// A URL starting with `.0` has it replaced by `.1`.
    Prefix(String, String),
    /// The first match of `.0` is replaced by `.1` (`$1` … name its groups).
    Pattern(Regex, String),
}

/// The rewrites in force, in the order they are tried. `Default`: none.
#[derive(Clone, Debug, Default)]
pub struct UrlRewrites {
    rules: Vec<Rule>,
}

/// A rule that cannot be used; the message says why (never quoting the replacement).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RuleError(pub String);

impl UrlRewrites {
    /// The rules of `pairs` (key, replacement), in order; the first bad rule is an
    /// error.
    pub fn new<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<UrlRewrites, RuleError> {
        let rules = pairs
            .into_iter()
            .map(|(key, to)| rule(key, to))
            .collect::<Result<_, _>>()?;
        Ok(UrlRewrites { rules })
    }

    /// `url` after the first rewrite that matches it; unchanged when none does.
    pub fn apply<'a>(&self, url: &'a str) -> Cow<'a, str> {
        for rule in &self.rules {
            match rule {
                Rule::Prefix(prefix, to) => {
                    if let Some(rest) = url.strip_prefix(prefix.as_str()) {
                        return Cow::Owned(format!("{to}{rest}"));
                    }
                }
                Rule::Pattern(re, to) => {
                    if re.is_match(url) {
                        return Cow::Owned(re.replace(url, to.as_str()).into_owned());
                    }
                }
            }
        }
        Cow::Borrowed(url)
    }

    /// The [`UrlRewrites::note`] of each of `urls` a rule rewrites, each URL once.
    pub fn notes<'a>(&self, urls: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let mut seen: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        for url in urls {
            if seen.contains(&url) {
                continue;
            }
            seen.push(url);
            out.extend(self.note(url));
        }
        out
    }

    /// The line `-v` shows for `url` when a rule rewrites it (`vx: FROM → TO`, both
    /// without credentials or query, sanitized); `None` when no rule does.
    pub fn note(&self, url: &str) -> Option<String> {
        match self.apply(url) {
            Cow::Owned(to) if to != url => Some(format!(
                "vx: {} → {}",
                super::url::display_url(url),
                super::url::display_url(&to)
            )),
            _ => None,
        }
    }
}

/// Whether a replacement names a web URL (`http://` or `https://`, any case), or is
/// only a `regex:` rule's group (`$1…`), which the client checks once it is applied.
pub fn is_web_target(to: &str) -> bool {
    super::url::is_web(to) || to.starts_with('$')
}

/// Checks one rule: a non-empty key and replacement; a `regex:` key must compile.
/// Used where a rule is read (the user config, vx.toml) so that a bad one is an error
/// at its line, and again here when the rules are made.
pub fn check(key: &str, to: &str) -> Result<(), RuleError> {
    rule(key, to).map(|_| ())
}

fn rule(key: &str, to: &str) -> Result<Rule, RuleError> {
    if to.is_empty() {
        return Err(RuleError("a replacement must not be empty".to_owned()));
    }
    match key.strip_prefix(REGEX_PREFIX) {
        Some(pattern) => {
            if pattern.is_empty() {
                return Err(RuleError("`regex:` needs a pattern after it".to_owned()));
            }
            let re = regex::RegexBuilder::new(pattern)
                .size_limit(MAX_PATTERN_SIZE)
                .build()
                .map_err(|e| {
                    let why = e.to_string();
                    // The regex crate draws the pattern over several lines; its last
                    // line says what is wrong.
                    let why = why.lines().last().unwrap_or("").trim();
                    RuleError(vx_text::sanitize(&format!("bad regex: {why}")).into_owned())
                })?;
            Ok(Rule::Pattern(re, to.to_owned()))
        }
        None if key.is_empty() => Err(RuleError(
            "a key must be a URL prefix or `regex:PATTERN`".to_owned(),
        )),
        None => Ok(Rule::Prefix(key.to_owned(), to.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrites(pairs: &[(&str, &str)]) -> UrlRewrites {
        UrlRewrites::new(pairs.iter().copied()).unwrap()
    }

    #[test]
    fn a_prefix_is_replaced_and_other_urls_are_left_alone() {
        let r = rewrites(&[("https://github.com/", "https://artifacts.corp/github/")]);
        assert_eq!(
            r.apply("https://github.com/o/r/releases/download/v1/a.tgz"),
            "https://artifacts.corp/github/o/r/releases/download/v1/a.tgz"
        );
        assert_eq!(r.apply("https://example.org/a"), "https://example.org/a");
        assert!(matches!(r.apply("https://example.org/a"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_regex_fills_its_groups() {
        let r = rewrites(&[(
            r"regex:^https://([^/]+)\.s3\.amazonaws\.com/(.*)",
            "https://s3-proxy.corp/$1/$2",
        )]);
        assert_eq!(
            r.apply("https://bucket.s3.amazonaws.com/dir/file.tar.gz"),
            "https://s3-proxy.corp/bucket/dir/file.tar.gz"
        );
        assert_eq!(r.apply("https://s3.example/x"), "https://s3.example/x");
    }

    #[test]
    fn the_first_matching_rule_wins() {
        let r = rewrites(&[
            ("https://github.com/cli/", "https://first/"),
            ("https://github.com/", "https://second/"),
        ]);
        assert_eq!(r.apply("https://github.com/cli/cli"), "https://first/cli");
        assert_eq!(r.apply("https://github.com/o/r"), "https://second/o/r");
    }

    #[test]
    fn bad_rules_say_why() {
        let err = UrlRewrites::new([("regex:([", "x")]).unwrap_err();
        assert!(err.0.starts_with("bad regex:"), "{err}");
        assert!(UrlRewrites::new([("", "x")]).is_err());
        assert!(UrlRewrites::new([("regex:", "x")]).is_err());
        assert!(UrlRewrites::new([("https://a/", "")]).is_err());
    }

    #[test]
    fn the_note_hides_credentials_and_queries() {
        let r = rewrites(&[("https://a.org/", "https://u:pw@b.corp/")]);
        assert_eq!(
            r.note("https://a.org/x.tgz?sig=s").as_deref(),
            Some("vx: https://a.org/x.tgz → https://b.corp/x.tgz")
        );
        assert_eq!(r.note("https://c.org/x"), None);
    }
}
