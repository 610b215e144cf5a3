//! `url_replacements`: prefix keys and `regex:` keys that rewrite every URL vx fetches
//! (a company's artifact proxy in place of github.com).

use std::borrow::Cow;

/// The rewrites in force, in the order they are tried. `Default`: none.
#[derive(Clone, Debug, Default)]
pub struct UrlRewrites {}

impl UrlRewrites {
    /// `url` after the first rewrite that matches it; unchanged when none does.
    pub fn apply<'a>(&self, url: &'a str) -> Cow<'a, str> {
        Cow::Borrowed(url)
    }

    /// Whether there are no rewrites.
    pub fn is_empty(&self) -> bool {
        true
    }
}
