//! aqua's `semver(...)` rules: a comma-separated list of `>=`, `<=`, `!=`, `>`, `<`, `=`
//! comparisons, all of which must hold, over versions read the way Go's
//! hashicorp/go-version reads them.
//!
//! This is not Masterminds/semver and not the `semver` crate: there is no `~`, `^`,
//! `||` or `x` wildcard (a comparison without one of the six operators is an error);
//! a version may have any number of numeric segments (`1.2` equals `1.2.0`, `1.2.3.4`
//! is a version); a pre-release needs no dash (`1.0b1`); and a pre-release compares with
//! releases like any other version (`1.1.0-rc1` satisfies `<= 1.2.0`).

use std::cmp::Ordering;

/// A comparison in a `semver(...)` list had none of the six operators.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InvalidOperator(pub(crate) String);

/// Whether `version` satisfies every comparison of `constraint`.
///
/// As in aqua, a version that is a 40-digit commit hash or does not parse satisfies
/// nothing, and so does any comparison whose version does not parse: the list stops at
/// the first comparison that fails or does not parse. A comparison without an operator
/// is an error (aqua panics there, which its expression engine turns into an error).
pub(crate) fn satisfies(constraint: &str, version: &str) -> Result<bool, InvalidOperator> {
    if is_commit_hash(version) {
        return Ok(false);
    }
    let Some(version) = GoVersion::parse(version) else {
        return Ok(false);
    };
    for comparison in constraint.trim().split(',') {
        let comparison = comparison.trim();
        let Some((op, rest)) = split_operator(comparison) else {
            return Err(InvalidOperator(comparison.to_owned()));
        };
        let Some(bound) = GoVersion::parse(rest.trim()) else {
            return Ok(false);
        };
        let order = version.compare(&bound);
        let holds = match op {
            ">=" => order != Ordering::Less,
            "<=" => order != Ordering::Greater,
            "!=" => order != Ordering::Equal,
            ">" => order == Ordering::Greater,
            "<" => order == Ordering::Less,
            _ => order == Ordering::Equal,
        };
        if !holds {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The operator a comparison starts with, tried in aqua's order (so `>=` wins over `>`).
fn split_operator(comparison: &str) -> Option<(&'static str, &str)> {
    [">=", "<=", "!=", ">", "<", "="]
        .into_iter()
        .find_map(|op| comparison.strip_prefix(op).map(|rest| (op, rest)))
}

fn is_commit_hash(version: &str) -> bool {
    version.len() == 40
        && version
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A version as go-version reads it: `v`? segments, pre-release, build metadata.
#[derive(Debug, PartialEq, Eq)]
struct GoVersion {
    segments: Vec<u64>,
    pre: String,
}

impl GoVersion {
    fn parse(text: &str) -> Option<GoVersion> {
        let text = text.strip_prefix('v').unwrap_or(text);
        let (main, metadata) = match text.split_once('+') {
            Some((main, metadata)) => (main, Some(metadata)),
            None => (text, None),
        };
        if metadata.is_some_and(|m| !is_dotted_identifier(m)) {
            return None;
        }
        let core_end = main
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(main.len());
        // A trailing dot belongs to no segment: `1.` is not a version.
        let (core, rest) = main.split_at(core_end);
        let segments = core
            .split('.')
            .map(|s| {
                if s.is_empty() {
                    None
                } else {
                    s.parse::<u64>().ok()
                }
            })
            .collect::<Option<Vec<u64>>>()?;
        let pre = if rest.is_empty() {
            String::new()
        } else if let Some(after) = rest.strip_prefix('-').filter(|a| is_dotted_identifier(a)) {
            after.to_owned()
        } else if rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '-' || c == '~')
            && is_dotted_identifier(rest)
        {
            rest.to_owned()
        } else {
            return None;
        };
        Some(GoVersion { segments, pre })
    }

    /// Segments first (missing ones are zeros), then a release above any of its
    /// pre-releases, then pre-releases part by part.
    fn compare(&self, other: &GoVersion) -> Ordering {
        let len = self.segments.len().max(other.segments.len());
        for i in 0..len {
            let a = self.segments.get(i).copied().unwrap_or(0);
            let b = other.segments.get(i).copied().unwrap_or(0);
            match a.cmp(&b) {
                Ordering::Equal => {}
                unequal => return unequal,
            }
        }
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => compare_prereleases(&self.pre, &other.pre),
        }
    }
}

/// Parts of `[0-9A-Za-z-~]` separated by single dots, none empty.
fn is_dotted_identifier(text: &str) -> bool {
    text.split('.').all(|part| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '~')
    })
}

fn compare_prereleases(a: &str, b: &str) -> Ordering {
    let mut a_parts = a.split('.');
    let mut b_parts = b.split('.');
    loop {
        match (a_parts.next(), b_parts.next()) {
            (None, None) => return Ordering::Equal,
            (a, b) => match compare_part(a.unwrap_or(""), b.unwrap_or("")) {
                Ordering::Equal => {}
                unequal => return unequal,
            },
        }
    }
}

/// go-version's rule for one pre-release part: numbers numerically and below words,
/// words by bytes; a missing part is below a word and above a number.
fn compare_part(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let a_num = a.parse::<i64>().ok();
    let b_num = b.parse::<i64>().ok();
    if a.is_empty() {
        return if b_num.is_some() {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    if b.is_empty() {
        return if a_num.is_some() {
            Ordering::Greater
        } else {
            Ordering::Less
        };
    }
    match (a_num, b_num) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_follow_aquas_rules() {
        // (constraint, version, satisfied)
        let table = [
            ("<= 0.10.0", "0.10.0", true),
            ("<= 0.10.0", "v0.10.0", true),
            ("<= 0.10.0", "0.10.1", false),
            ("<=0.10.0", "0.9.9", true),
            (">= 1.0.0, < 2.0.0", "1.5.0", true),
            (">= 1.0.0, < 2.0.0", "2.0.0", false),
            (">= 1.0.0, < 2.0.0", "0.9.0", false),
            ("= 1.2", "1.2.0", true),
            ("!= 1.2.0", "1.2.0", false),
            ("!= 1.2.0", "1.2.1", true),
            ("> 1.2.0", "1.2.0", false),
            ("< 1.2.0", "1.1.99", true),
            (">= v4.2.0, <= v4.9.0", "4.5.0", true),
            // Four segments and a missing patch.
            ("<= 1.2.3.4", "1.2.3.4", true),
            ("<= 1.2.3.4", "1.2.3.5", false),
            ("<= 1.2", "1.2.0", true),
            // Pre-releases compare with releases (unlike the semver crate).
            ("<= 1.2.0", "1.1.0-rc1", true),
            ("<= 1.2.0", "1.2.0-rc1", true),
            (">= 1.2.0", "1.2.0-rc1", false),
            ("<= 1.0.0-rc.2", "1.0.0-rc.10", false),
            ("<= 1.0.0-rc.10", "1.0.0-rc.2", true),
            ("<= 1.0.0-beta.2", "1.0.0-alpha.9", true),
            ("<= 1.0.0-beta", "1.0.0-beta.1", false),
            // A pre-release without a dash, and build metadata that does not count.
            ("<= 1.0b2", "1.0b1", true),
            ("<= 1.32.3+k0s.0", "1.32.3+k0s.1", true),
            (">= 1.32.0+k0s.0", "1.31.9+k0s.0", false),
            // Versions that do not parse, and commit hashes, satisfy nothing.
            ("<= 9.0.0", "nightly", false),
            (
                "<= 9.0.0",
                "35661968adb8fa29ab1d4a8713c0547d9a6007bb",
                false,
            ),
            ("<= 9.0.0", "1.", false),
            // A bound that does not parse makes the comparison false, not an error.
            ("<= 1.x", "1.0.0", false),
            ("== 1.0.0", "1.0.0", false),
            (">= 1.0 || < 0.5", "0.1.0", false),
            // The list stops at the first failure, before reaching a bad operator.
            (">= 2.0.0, ~1.0", "1.0.0", false),
        ];
        for (constraint, version, expected) in table {
            assert_eq!(
                satisfies(constraint, version),
                Ok(expected),
                "semver({constraint:?}) against {version:?}"
            );
        }
    }

    #[test]
    fn masterminds_forms_are_errors_in_aqua() {
        for constraint in ["~1.2", "^1.2", "1.2.3", "", ">= 1.0, ^1.2", "1.x"] {
            assert_eq!(
                satisfies(constraint, "1.2.3"),
                Err(InvalidOperator(
                    constraint.rsplit(',').next().unwrap().trim().to_owned()
                )),
                "{constraint:?}"
            );
        }
    }
}
