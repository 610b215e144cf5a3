//! Reading a release's checksum file for one asset's SHA-256, as aqua reads it
//! (aqua's `pkg/checksum/parser.go`), so a lock can be filled without downloading the
//! asset itself.
//!
//! Two shapes, named by the registry's `checksum.file_format`:
//!
//! - [`ChecksumFormat::Raw`] (aqua's default and `raw`): a file of just the checksum
//!   (a per-asset `tool.tar.gz.sha256`), or lines `<hex> <file>` as `sha256sum` writes
//!   them (`checksums.txt`, `SHA256SUMS`; one or more spaces or a tab, `*` before the
//!   name in binary mode, the name's directories ignored). A name listed twice takes
//!   its last line, as aqua's map does.
//! - [`ChecksumFormat::Regexp`]: per line, the first capture group of `checksum` is the
//!   checksum and that of `file` the file name; without `file`, the first line that
//!   yields a checksum is the asset's.
//!
//! The file comes from the network: it is refused past [`MAX_BYTES`], patterns are
//! compiled with a size limit (the `regex` crate matches in linear time), and what is
//! found must be 64 hex digits, returned in lower case.

use regex::{Regex, RegexBuilder};
use thiserror::Error;

/// Largest checksum file read, in bytes (big projects' `checksums.txt` are ~100 KiB).
pub(crate) const MAX_BYTES: usize = 4 * 1024 * 1024;

/// Largest compiled pattern accepted, in bytes of the regex crate's program.
const MAX_PATTERN_SIZE: usize = 1024 * 1024;

/// How a checksum file is laid out (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChecksumFormat {
    /// The checksum alone, or `sha256sum`-style `<hex> <file>` lines.
    Raw,
    /// aqua's `regexp` format: the first capture group of each pattern, line by line.
    Regexp {
        /// The pattern capturing a line's checksum.
        checksum: String,
        /// The pattern capturing the line's file name; without it the first checksum
        /// found is the asset's.
        file: Option<String>,
    },
}

/// Why a checksum file cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ChecksumError {
    /// The file is larger than [`MAX_BYTES`].
    #[error("the checksum file is {len} bytes; at most {MAX_BYTES} are read")]
    TooLarge {
        /// Its length in bytes.
        len: usize,
    },
    /// A `regexp` pattern does not compile.
    #[error("the checksum file's `{which}` pattern is invalid: {reason}")]
    BadPattern {
        /// `checksum` or `file`.
        which: &'static str,
        /// The regex engine's explanation.
        reason: String,
    },
    /// What the file gives for the asset is not a SHA-256.
    #[error(
        "the checksum file gives {len} characters for the asset, not a SHA-256 (64 hexadecimal digits)"
    )]
    NotSha256 {
        /// The length of what was found, in characters.
        len: usize,
    },
    /// The file lists the asset more than once, with different checksums: which one
    /// holds cannot be told, so neither is taken.
    #[error("the checksum file lists {asset} more than once, with different checksums")]
    Ambiguous {
        /// The asset.
        asset: String,
    },
}

/// The lower-case SHA-256 that `text` gives for `asset`, `None` when it names none.
pub fn find_sha256(
    text: &str,
    asset: &str,
    format: &ChecksumFormat,
) -> Result<Option<String>, ChecksumError> {
    if text.len() > MAX_BYTES {
        return Err(ChecksumError::TooLarge { len: text.len() });
    }
    let text = text.replace("\r\n", "\n");
    let found = match format {
        ChecksumFormat::Raw => lines(&text, asset),
        ChecksumFormat::Regexp { checksum, file } => {
            let checksum = compile("checksum", checksum)?;
            match file.as_deref().filter(|f| !f.is_empty()) {
                None => text
                    .split('\n')
                    .find_map(|l| capture(&checksum, l))
                    .into_iter()
                    .collect(),
                Some(file) => regexp_lines(&text, asset, &checksum, &compile("file", file)?),
            }
        }
    };
    let mut sums = found.into_iter().map(sha256);
    let Some(first) = sums.next().transpose()? else {
        return Ok(None);
    };
    for other in sums {
        if other? != first {
            return Err(ChecksumError::Ambiguous {
                asset: vx_base::validate::shorten(asset),
            });
        }
    }
    Ok(Some(first))
}

/// aqua's default format: one bare checksum, or `<hex> <file>` lines: every
/// checksum given for `asset` (by its file name, whatever directory a line names).
fn lines<'t>(text: &'t str, asset: &str) -> Vec<&'t str> {
    let trimmed = text.trim();
    if !trimmed.contains(['\n', ' ', '\t']) {
        return Some(trimmed)
            .filter(|t| !t.is_empty())
            .into_iter()
            .collect();
    }
    let mut found = Vec::new();
    for line in trimmed.split('\n') {
        let Some(at) = line.find(' ').or_else(|| line.find('\t')) else {
            continue;
        };
        let name = line[at..].trim();
        let base = name.rsplit('/').next().unwrap_or(name);
        if base.strip_prefix('*').unwrap_or(base) == asset {
            found.push(&line[..at]);
        }
    }
    found
}

/// Every checksum the `regexp` format's lines give for `asset`.
fn regexp_lines<'t>(text: &'t str, asset: &str, checksum: &Regex, file: &Regex) -> Vec<&'t str> {
    text.split('\n')
        .filter_map(|line| Some((capture(checksum, line)?, line)))
        .filter(|(_, line)| capture(file, line) == Some(asset))
        .map(|(sum, _)| sum)
        .collect()
}

/// The first capture group of `re` in `line`, when it matched something (aqua's
/// `extractByRegex`: an empty or missing group is no match).
fn capture<'t>(re: &Regex, line: &'t str) -> Option<&'t str> {
    re.captures(line)?
        .get(1)
        .map(|m| m.as_str())
        .filter(|s| !s.is_empty())
}

fn compile(which: &'static str, pattern: &str) -> Result<Regex, ChecksumError> {
    RegexBuilder::new(pattern)
        .size_limit(MAX_PATTERN_SIZE)
        .build()
        .map_err(|e| ChecksumError::BadPattern {
            which,
            reason: e.to_string(),
        })
}

fn sha256(found: &str) -> Result<String, ChecksumError> {
    let found = found.trim();
    if found.len() == 64 && found.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(found.to_ascii_lowercase())
    } else {
        Err(ChecksumError::NotSha256 {
            len: found.chars().count(),
        })
    }
}

#[cfg(test)]
mod tests;
