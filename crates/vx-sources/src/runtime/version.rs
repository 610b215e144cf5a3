//! Runtime versions as publishers number them (`20.11.1`, `1.23.8`, `27.1.2`,
//! `21.0.5+11`) and as users ask for them: `20` and `20.11` (the newest of that line),
//! `20.11.1` (exactly), `latest`, and semver ranges (`^20.1`, `>=1.21, <1.23`) through
//! [`vx_base::version::Constraint`]. Each runtime strips its own spellings
//! first (`v20.11.1`, `go1.23.8`, `OTP-27.1.2`, `temurin-21`) and keeps its own words
//! (`lts/iron`, `stable`, `3.13t`).

use std::cmp::Ordering;

/// A dotted numeric version, compared part by part as numbers (`1.10` > `1.9`); a
/// missing part is 0 (`1.20` = `1.20.0`), and a pre-release suffix (`-rc.1`,
/// `rc1`) sorts before its release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Numeric {
    /// The numbers, as written.
    pub parts: Vec<u64>,
    /// What follows them (`rc1`, `-beta.2`), empty for a release.
    pub suffix: String,
}

impl Numeric {
    /// `text` read as numbers joined by dots, then an optional suffix; `None` when it
    /// does not start with a number or a part overflows.
    pub(crate) fn parse(text: &str) -> Option<Numeric> {
        let mut parts = Vec::new();
        let mut rest = text;
        loop {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 || digits > 18 {
                return None;
            }
            parts.push(rest[..digits].parse().ok()?);
            rest = &rest[digits..];
            match rest.strip_prefix('.') {
                Some(more) if more.starts_with(|c: char| c.is_ascii_digit()) => rest = more,
                _ => break,
            }
            if parts.len() > 8 {
                return None;
            }
        }
        Some(Numeric {
            parts,
            suffix: rest.to_owned(),
        })
    }

    /// Whether it is a release (no suffix).
    pub(crate) fn is_release(&self) -> bool {
        self.suffix.is_empty()
    }

    /// Whether its leading parts are `prefix`'s (`20.11.1` starts with `20` and
    /// `20.11`; `1.20` starts with `1.20.0`).
    pub(crate) fn starts_with(&self, prefix: &[u64]) -> bool {
        prefix
            .iter()
            .enumerate()
            .all(|(i, p)| self.parts.get(i).copied().unwrap_or(0) == *p)
    }

    /// As semver (`1.20` → `1.20.0`; a fourth part and a suffix dropped), for ranges.
    pub(crate) fn semver(&self) -> semver::Version {
        let at = |i: usize| self.parts.get(i).copied().unwrap_or(0);
        semver::Version::new(at(0), at(1), at(2))
    }
}

impl Ord for Numeric {
    fn cmp(&self, other: &Numeric) -> Ordering {
        let len = self.parts.len().max(other.parts.len());
        for i in 0..len {
            let a = self.parts.get(i).copied().unwrap_or(0);
            let b = other.parts.get(i).copied().unwrap_or(0);
            match a.cmp(&b) {
                Ordering::Equal => {}
                unequal => return unequal,
            }
        }
        // A release is newer than its pre-releases; pre-releases by their text.
        match (self.suffix.is_empty(), other.suffix.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => self.suffix.cmp(&other.suffix),
        }
    }
}

impl PartialOrd for Numeric {
    fn partial_cmp(&self, other: &Numeric) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A numeric request, after a runtime removed its own spellings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Request {
    /// The newest release.
    Latest,
    /// Exactly this version (`20.11.1`: every part the publisher uses was given).
    Exact(Numeric),
    /// The newest release whose leading parts are these (`20`, `1.23`).
    Prefix(Vec<u64>),
    /// A semver range (`^1.2`, `>=1.21, <1.23`).
    Range(semver::VersionReq),
}

impl Request {
    /// Reads `text`; `exact_parts` is how many numbers make an exact version for this
    /// publisher (3 for node, go and OTP 26+, …): fewer is a prefix. `None` when
    /// `text` is none of the forms.
    pub(crate) fn parse(text: &str, exact_parts: usize) -> Option<Request> {
        let text = text.trim();
        if text == "latest" || text == "*" {
            return Some(Request::Latest);
        }
        if text.starts_with(['^', '~', '>', '<', '=']) {
            return semver::VersionReq::parse(text).ok().map(Request::Range);
        }
        let numeric = Numeric::parse(text)?;
        if numeric.parts.len() >= exact_parts || !numeric.is_release() {
            Some(Request::Exact(numeric))
        } else {
            Some(Request::Prefix(numeric.parts))
        }
    }

    /// Whether `version` satisfies it; pre-releases only when named exactly.
    pub(crate) fn matches(&self, version: &Numeric) -> bool {
        match self {
            Request::Latest => version.is_release(),
            Request::Exact(want) => want == version,
            Request::Prefix(prefix) => version.is_release() && version.starts_with(prefix),
            Request::Range(req) => version.is_release() && req.matches(&version.semver()),
        }
    }
}

/// The newest of `versions` that `request` allows (their order does not matter).
pub(crate) fn newest<'a, T>(
    versions: impl IntoIterator<Item = &'a T>,
    numeric: impl Fn(&T) -> Option<Numeric>,
    request: &Request,
) -> Option<&'a T> {
    versions
        .into_iter()
        .filter_map(|v| Some((numeric(v)?, v)))
        .filter(|(n, _)| request.matches(n))
        .max_by(|(a, _), (b, _)| a.cmp(b))
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> Numeric {
        Numeric::parse(text).unwrap()
    }

    #[test]
    fn versions_compare_as_numbers_and_releases_beat_their_candidates() {
        assert!(n("1.10") > n("1.9"));
        assert_eq!(n("1.20").cmp(&n("1.20.0")), Ordering::Equal);
        assert!(n("1.21.0") > n("1.21rc2"));
        assert!(n("1.21rc2") > n("1.21rc1"));
        assert!(n("20.11.1") < n("21.0.0"));
        assert_eq!(Numeric::parse("v1"), None);
        assert_eq!(Numeric::parse(""), None);
        assert_eq!(Numeric::parse("99999999999999999999"), None);
    }

    #[test]
    fn requests_read_as_users_write_them() {
        assert_eq!(Request::parse("20", 3), Some(Request::Prefix(vec![20])));
        assert_eq!(
            Request::parse("1.23", 3),
            Some(Request::Prefix(vec![1, 23]))
        );
        assert_eq!(
            Request::parse("1.23.8", 3),
            Some(Request::Exact(n("1.23.8")))
        );
        assert_eq!(Request::parse("latest", 3), Some(Request::Latest));
        assert!(matches!(Request::parse("^1.2", 3), Some(Request::Range(_))));
        assert_eq!(Request::parse("lts/iron", 3), None);
        let versions = ["20.11.1", "20.9.0", "21.1.0", "22.0.0-rc.1", "18.19.0"];
        let pick = |r: &str| {
            newest(
                versions.iter(),
                |v| Numeric::parse(v),
                &Request::parse(r, 3).unwrap(),
            )
            .copied()
        };
        assert_eq!(pick("20"), Some("20.11.1"));
        assert_eq!(pick("latest"), Some("21.1.0"), "no pre-release");
        assert_eq!(pick("22.0.0-rc.1"), Some("22.0.0-rc.1"), "named exactly");
        assert_eq!(pick(">=18, <20"), Some("18.19.0"));
        assert_eq!(pick("19"), None);
    }
}
