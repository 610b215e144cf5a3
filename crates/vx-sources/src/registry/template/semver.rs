//! sprig's `semver`: a version read as Masterminds/semver's `NewVersion` reads it
//! (`v` allowed, minor and patch optional), with the fields templates use.

use std::fmt;

/// A version's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Version {
    /// The major number.
    pub major: u64,
    /// The minor number (0 when absent).
    pub minor: u64,
    /// The patch number (0 when absent).
    pub patch: u64,
    /// What follows `-`, without it.
    pub prerelease: String,
    /// What follows `+`, without it.
    pub metadata: String,
    /// The text as given.
    pub original: String,
}

/// Why a text is not a semantic version.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SemverError {
    /// Not `MAJOR[.MINOR[.PATCH]][-PRE][+META]`.
    #[error("{text:?} is not a semantic version")]
    Invalid {
        /// The text.
        text: String,
    },
    /// A numeric pre-release identifier with a leading zero.
    #[error("{text:?}: a numeric pre-release part starts with 0")]
    LeadingZero {
        /// The text.
        text: String,
    },
}

/// Whether `part` is a dot-separated list of non-empty `[0-9A-Za-z-]` identifiers.
fn identifiers(part: &str) -> bool {
    part.split('.')
        .all(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

impl Version {
    /// Reads `text`, or says why not.
    pub(crate) fn parse(text: &str) -> Result<Version, SemverError> {
        let invalid = || SemverError::Invalid {
            text: text.to_owned(),
        };
        let rest = text.strip_prefix('v').unwrap_or(text);
        let (rest, metadata) = match rest.split_once('+') {
            Some((rest, meta)) if identifiers(meta) => (rest, meta),
            Some(_) => return Err(invalid()),
            None => (rest, ""),
        };
        let (core, prerelease) = match rest.split_once('-') {
            Some((core, pre)) if identifiers(pre) => (core, pre),
            Some(_) => return Err(invalid()),
            None => (rest, ""),
        };
        let parts: Vec<&str> = core.split('.').collect();
        if parts.len() > 3 {
            return Err(invalid());
        }
        let mut numbers = [0u64; 3];
        for (number, part) in numbers.iter_mut().zip(parts) {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            *number = part.parse().map_err(|_| invalid())?;
        }
        let leading_zero = prerelease.split('.').any(|id| {
            id.len() > 1 && id.starts_with('0') && id.bytes().all(|b| b.is_ascii_digit())
        });
        if leading_zero {
            return Err(SemverError::LeadingZero {
                text: text.to_owned(),
            });
        }
        Ok(Version {
            major: numbers[0],
            minor: numbers[1],
            patch: numbers[2],
            prerelease: prerelease.to_owned(),
            metadata: metadata.to_owned(),
            original: text.to_owned(),
        })
    }
}

impl fmt::Display for Version {
    /// As Masterminds' `String()`: `MAJOR.MINOR.PATCH[-PRE][+META]`, without a `v`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.prerelease.is_empty() {
            write!(f, "-{}", self.prerelease)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}
