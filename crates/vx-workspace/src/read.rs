//! Bounded reading of the files a workspace is described by: each read is capped in
//! size (a manifest is a few kilobytes; a lockfile may be megabytes), so a stray huge or
//! endless file (a FIFO, `/dev/zero` behind a link) never stalls or exhausts discovery.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// The most bytes read of a manifest (package.json, Cargo.toml, turbo.json, …).
pub(crate) const MAX_MANIFEST_BYTES: u64 = 4 << 20;
/// The most bytes read of a lockfile.
pub(crate) const MAX_LOCKFILE_BYTES: u64 = 256 << 20;

/// The text of `file`, or an error naming it when it is missing, unreadable, not UTF-8,
/// not a regular file or larger than `limit`.
pub(crate) fn text(file: &Path, limit: u64) -> Result<String> {
    let read_err = |source| Error::Read {
        file: file.to_owned(),
        source,
    };
    let handle = File::open(file).map_err(read_err)?;
    let meta = handle.metadata().map_err(read_err)?;
    if !meta.is_file() {
        return Err(read_err(std::io::Error::other("not a regular file")));
    }
    if meta.len() > limit {
        return Err(Error::TooLarge {
            file: file.to_owned(),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // `take` bounds the read even if the file grows while we read it.
    handle
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > limit {
        return Err(Error::TooLarge {
            file: file.to_owned(),
            limit,
        });
    }
    String::from_utf8(bytes).map_err(|_| Error::Parse {
        file: file.to_owned(),
        message: "not UTF-8 text".into(),
    })
}

/// `text` for a file that may be absent: `None` when there is no such file.
pub(crate) fn text_if_present(file: &Path, limit: u64) -> Result<Option<String>> {
    match text(file, limit) {
        Err(Error::Read { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            Ok(None)
        }
        other => other.map(Some),
    }
}

/// The manifest `file` parsed by `parse`, with its path; `None` when there is no such
/// file.
pub(crate) fn manifest_if_present<T>(
    file: PathBuf,
    parse: fn(&Path, &str) -> Result<T>,
) -> Result<Option<(T, PathBuf)>> {
    let Some(text) = text_if_present(&file, MAX_MANIFEST_BYTES)? else {
        return Ok(None);
    };
    Ok(Some((parse(&file, &text)?, file)))
}

fn parse_error(file: &Path, message: impl ToString) -> Error {
    Error::Parse {
        file: file.to_owned(),
        message: message.to_string(),
    }
}

/// `text` read as JSON into `T`.
pub(crate) fn json<T: DeserializeOwned>(file: &Path, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| parse_error(file, e))
}

/// `text` read as JSONC (JSON with `//` and `/* */` comments and trailing commas, as
/// turbo.json and bun.lock are written) into `T`.
pub(crate) fn jsonc<T: DeserializeOwned>(file: &Path, text: &str) -> Result<T> {
    json(file, &crate::jsonc::to_json(text))
}

/// `text` read as TOML into `T`.
pub(crate) fn toml<T: DeserializeOwned>(file: &Path, text: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| parse_error(file, e))
}

/// `text` read as YAML into `T`, with serde-saphyr's bounds on depth and aliases.
pub(crate) fn yaml<T: DeserializeOwned>(file: &Path, text: &str) -> Result<T> {
    serde_saphyr::from_str(text).map_err(|e| parse_error(file, e))
}
