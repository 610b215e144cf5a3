//! What a user writes after a tool's name in vx.toml (`ripgrep = "14"`), and how it
//! picks one of the package's release tags.
//!
//! The forms: `1.2.3` (exactly that version), `1` and `1.2` (the newest `1.*.*` or
//! `1.2.*`, as mise reads them; the `semver` crate alone would read `1.2` as `^1.2`),
//! `latest`, and the `semver` crate's requirements: `^1.2`, `~1.2`, `>=1.2, <2`, `*`.
//! Any other text without spaces is a tag's name (`nightly`, `2024-05-01`), matched only
//! by a tag of exactly that text.
//!
//! Tags are not versions: a tag may carry a `v` (`v14.1.1`) or the registry's
//! `version_prefix` (`cli-v2.3.0`, `jq-1.7.1`), which [`Tag::parse`] removes; a tag
//! missing its patch (`1.7`) reads as `1.7.0`. Pre-releases are picked only when the
//! constraint names one (semver's rule), so `latest` never picks `2.0.0-rc.1`.

use std::fmt;

use thiserror::Error;

/// Longest constraint accepted, in bytes.
pub(crate) const MAX_CONSTRAINT: usize = 128;

/// What a constraint may look like; every error message ends with it.
const ACCEPTED: &str = "expected an exact version (1.2.3), a prefix (1 or 1.2), latest, \
                        ^1.2, ~1.2, a comparator list (>=1.2, <2) or a tag name";

/// A constraint that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("invalid version constraint {text:?}: {reason}; {ACCEPTED}")]
pub struct ConstraintError {
    /// The text as written.
    pub text: String,
    /// What is wrong with it.
    pub reason: String,
}

/// A parsed version constraint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Constraint {
    text: String,
    kind: Kind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Latest,
    Exact(semver::Version),
    Major(u64),
    Minor(u64, u64),
    Req(semver::VersionReq),
    Tag,
}

impl Constraint {
    /// Reads a constraint as the user wrote it.
    pub fn parse(text: &str) -> Result<Constraint, ConstraintError> {
        let error = |reason: &str| ConstraintError {
            text: text.to_owned(),
            reason: reason.to_owned(),
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(error("it is empty"));
        }
        if trimmed.len() > MAX_CONSTRAINT {
            return Err(error(&format!("it is longer than {MAX_CONSTRAINT} bytes")));
        }
        let kind = if trimmed == "latest" {
            Kind::Latest
        } else if trimmed.starts_with(['^', '~', '>', '<', '=', '*']) || trimmed.contains(',') {
            for part in trimmed.split(',') {
                if !part.trim().starts_with(['^', '~', '>', '<', '=', '*']) {
                    return Err(error(&format!(
                        "{:?} in a list needs an operator (>=, <, ^, ~, =)",
                        part.trim()
                    )));
                }
            }
            Kind::Req(semver::VersionReq::parse(trimmed).map_err(|e| error(&e.to_string()))?)
        } else if let Some(kind) = short_form(trimmed.strip_prefix('v').unwrap_or(trimmed)) {
            kind
        } else if trimmed
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+' | '/'))
        {
            // A tag may hold `/` (`lts/iron`), but never a path's walk: no `..`, no
            // empty segment, no leading or trailing `/` (git refuses such a tag too:
            // `git check-ref-format`), so no version names a directory out of place.
            if trimmed.contains("..")
                || trimmed.starts_with('/')
                || trimmed.ends_with('/')
                || trimmed.contains("//")
            {
                return Err(error(
                    "a tag may not hold `..`, `//`, or start or end with `/`",
                ));
            }
            Kind::Tag
        } else {
            return Err(error("it holds a character no version or tag has"));
        };
        Ok(Constraint {
            text: trimmed.to_owned(),
            kind,
        })
    }

    /// Whether the constraint names one version or tag (`1.2.3`, `v1.2.3`, a tag that
    /// is no version), rather than a range to pick from.
    pub fn is_exact(&self) -> bool {
        matches!(self.kind, Kind::Exact(_) | Kind::Tag)
    }

    /// The constraint as written (trimmed).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `tag` satisfies the constraint.
    pub fn matches(&self, tag: &Tag) -> bool {
        let Some(v) = &tag.version else {
            // A tag that is no version matches only its own name.
            return !matches!(self.kind, Kind::Latest)
                && (tag.text == self.text || tag.unprefixed() == self.text);
        };
        match &self.kind {
            Kind::Latest => v.pre.is_empty(),
            Kind::Exact(want) => {
                (v.major, v.minor, v.patch, &v.pre)
                    == (want.major, want.minor, want.patch, &want.pre)
            }
            Kind::Major(major) => v.pre.is_empty() && v.major == *major,
            Kind::Minor(major, minor) => v.pre.is_empty() && v.major == *major && v.minor == *minor,
            Kind::Req(req) => req.matches(v),
            Kind::Tag => tag.text == self.text || tag.unprefixed() == self.text,
        }
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `1`, `1.2`, or a full version such as `1.2.3` or `1.2.3-rc.1`.
fn short_form(text: &str) -> Option<Kind> {
    let number = |s: &str| {
        (!s.is_empty()
            && s.bytes().all(|b| b.is_ascii_digit())
            && (s == "0" || !s.starts_with('0')))
        .then(|| s.parse::<u64>().ok())
        .flatten()
    };
    let parts: Vec<&str> = text.split('.').collect();
    match parts.as_slice() {
        [major] => number(major).map(Kind::Major),
        [major, minor] => Some(Kind::Minor(number(major)?, number(minor)?)),
        _ => semver::Version::parse(text).ok().map(Kind::Exact),
    }
}

/// A release tag and the version it names, if it names one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    text: String,
    prefix_len: usize,
    version: Option<semver::Version>,
}

impl Tag {
    /// Reads `tag` for a package whose tags start with `version_prefix` (`""` for none).
    /// A tag without the prefix, or whose rest is no version, has no version.
    pub fn parse(tag: &str, version_prefix: &str) -> Tag {
        let (prefix_len, version) = match tag.strip_prefix(version_prefix) {
            Some(rest) => (version_prefix.len(), lenient_version(rest)),
            None => (0, None),
        };
        Tag {
            text: tag.to_owned(),
            prefix_len,
            version,
        }
    }

    /// The tag as released.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The version it names, without `v` or prefix.
    pub fn version(&self) -> Option<&semver::Version> {
        self.version.as_ref()
    }

    fn unprefixed(&self) -> &str {
        &self.text[self.prefix_len..]
    }

    /// The version as the store and the board show it: the tag without its prefix
    /// and a leading `v` when it names a version (`go1.23.8` → `1.23.8`), else the
    /// tag without the registry's prefix.
    pub fn label(&self) -> &str {
        let rest = self.unprefixed();
        match (&self.version, rest.strip_prefix('v')) {
            (Some(_), Some(bare)) if bare.starts_with(|c: char| c.is_ascii_digit()) => bare,
            _ => rest,
        }
    }
}

/// `v1.2.3`, `1.2.3-rc.1`, `1.7` (as `1.7.0`); `None` for anything else.
fn lenient_version(text: &str) -> Option<semver::Version> {
    let text = text.strip_prefix('v').unwrap_or(text);
    if let Ok(v) = semver::Version::parse(text) {
        return Some(v);
    }
    let core_end = text.find(['-', '+']).unwrap_or(text.len());
    let (core, rest) = text.split_at(core_end);
    let (major, minor) = core.split_once('.')?;
    if major.is_empty() || minor.is_empty() || minor.contains('.') {
        return None;
    }
    semver::Version::parse(&format!("{core}.0{rest}")).ok()
}

/// The newest candidate the constraint matches: among versions, the highest (ties
/// broken by build metadata, then by the tag's text, so the order of `candidates` does
/// not matter); a tag that is no version only when no version matches.
pub fn pick<'a>(
    constraint: &Constraint,
    candidates: impl IntoIterator<Item = &'a Tag>,
) -> Option<&'a Tag> {
    let mut best: Option<&Tag> = None;
    for tag in candidates.into_iter().filter(|t| constraint.matches(t)) {
        best = match best {
            None => Some(tag),
            Some(current) => Some(if rank(tag) > rank(current) {
                tag
            } else {
                current
            }),
        };
    }
    best
}

/// The constraint that keeps a version's compatible line: `14.1.1` → `14`; `0.10.2`
/// → `0.10`; a version that is no semver stays whole (what `vx add` and `vx upgrade`
/// write into vx.toml).
pub fn major_of(version: &str) -> String {
    let mut parts = version.split('.');
    match (parts.next(), parts.next()) {
        (Some("0"), Some(minor)) if minor.chars().all(|c| c.is_ascii_digit()) => {
            format!("0.{minor}")
        }
        (Some(major), Some(_)) if major.chars().all(|c| c.is_ascii_digit()) => major.to_owned(),
        _ => version.to_owned(),
    }
}

fn rank(tag: &Tag) -> (bool, Option<&semver::Version>, &str) {
    (tag.version.is_some(), tag.version.as_ref(), &tag.text)
}

#[cfg(test)]
mod tests;
