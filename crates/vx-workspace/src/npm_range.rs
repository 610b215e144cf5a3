//! npm's version ranges (node-semver syntax: `^1.2.0`, `~1.2`, `1.x`, `>=1 <2`,
//! `1.0.0 - 2.0.0`, `a || b`, a bare `1.2.3` meaning exactly it) decided with the semver
//! crate, for one question: does a workspace package's version satisfy a dependent's
//! range (then the package manager links the workspace's own package).

use semver::{Version, VersionReq};

/// Whether `version` satisfies the npm `range`; `None` when either is not semver (a
/// dist-tag such as `latest`, a malformed range): the caller then treats the dependency
/// as an outside one.
pub(crate) fn satisfies(range: &str, version: &str) -> Option<bool> {
    let version = Version::parse(version.trim().trim_start_matches('v')).ok()?;
    let mut any_parsed = false;
    for alternative in range.split("||") {
        let req = to_cargo(alternative)?;
        any_parsed = true;
        if req.matches(&version) {
            return Some(true);
        }
    }
    any_parsed.then_some(false)
}

/// One comparator set (space-separated comparators, or a hyphen range) as a
/// `VersionReq`.
fn to_cargo(set: &str) -> Option<VersionReq> {
    let set = set.trim();
    if set.is_empty() || set == "*" || set.eq_ignore_ascii_case("x") {
        return Some(VersionReq::STAR);
    }
    let tokens: Vec<&str> = set.split_whitespace().collect();
    let mut comparators = Vec::new();
    if let [low, "-", high] = tokens.as_slice() {
        comparators.push(format!(">={}", version_part(low)));
        comparators.push(format!("<={}", version_part(high)));
    } else {
        let mut i = 0;
        while i < tokens.len() {
            let mut tok = tokens[i].to_owned();
            // `>= 1.2.3`: an operator written apart from its version.
            if tok
                .chars()
                .all(|c| matches!(c, '<' | '>' | '=' | '^' | '~'))
                && i + 1 < tokens.len()
            {
                i += 1;
                tok.push_str(tokens[i]);
            }
            comparators.push(comparator(&tok));
            i += 1;
        }
    }
    VersionReq::parse(&comparators.join(", ")).ok()
}

fn version_part(v: &str) -> String {
    v.trim_start_matches(['v', '=']).replace(['x', 'X'], "*")
}

fn comparator(tok: &str) -> String {
    let op_len = tok
        .find(|c: char| !matches!(c, '<' | '>' | '=' | '^' | '~'))
        .unwrap_or(tok.len());
    let (op, v) = tok.split_at(op_len);
    let v = version_part(v);
    match op {
        // npm's bare version is exact (`1.2.3`) or an x-range (`1.2`, `1.x`): Cargo's
        // `=` prefix means the same; a bare one would mean a caret range in Cargo.
        "" if v.contains('*') => v,
        "" => format!("={v}"),
        op => format!("{op}{v}"),
    }
}

#[cfg(test)]
mod tests {
    use super::satisfies;

    #[test]
    fn ranges_read_as_npm_reads_them() {
        for (range, version, want) in [
            ("^1.0.0", "1.2.0", Some(true)),
            ("^1.0.0", "2.0.0", Some(false)),
            ("1.0.0", "1.0.1", Some(false)),
            ("1.0", "1.0.9", Some(true)),
            ("1.0", "1.1.0", Some(false)),
            ("1.x", "1.9.0", Some(true)),
            ("2.x", "1.2.0", Some(false)),
            ("*", "0.0.1", Some(true)),
            ("", "3.0.0", Some(true)),
            (">=1.0.0 <2", "1.5.0", Some(true)),
            (">= 1.0.0 < 2", "2.0.0", Some(false)),
            ("1.0.0 - 1.2.0", "1.1.0", Some(true)),
            ("1.0.0 - 1.2.0", "1.3.0", Some(false)),
            ("^2 || ^1.1", "1.4.0", Some(true)),
            ("~0.1.0", "0.1.7", Some(true)),
            ("latest", "1.0.0", None),
            ("^1.0.0", "not-a-version", None),
        ] {
            assert_eq!(satisfies(range, version), want, "{range} vs {version}");
        }
    }
}
