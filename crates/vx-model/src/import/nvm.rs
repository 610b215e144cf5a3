//! nvm's `.nvmrc` and the `.node-version` of nodenv, fnm and volta: one Node.js
//! version (`20.11.1`, `v20.1.0`, `20`) or alias (`node`, `lts/iron`, `lts/*`) on the
//! first line that is not a `#` comment (nvm reads no more).

use super::{Entry, Imported, Malformed};

/// Parses an `.nvmrc` or `.node-version` file: one entry for `node`.
pub(crate) fn parse(text: &str) -> Result<Imported, Malformed> {
    let first = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, super::uncommented(l)))
        .find(|(_, l)| !l.is_empty());
    let Some((line, version)) = first else {
        return Err(Malformed::at(None, "the file names no Node.js version"));
    };
    if version.split_whitespace().count() > 1 {
        return Err(Malformed::at(
            Some(line),
            "one version is expected, such as `20.11.1` or `lts/iron`",
        ));
    }
    Ok(Imported {
        tools: vec![Entry::new("node", version, Some(line))],
        ..Imported::default()
    })
}
