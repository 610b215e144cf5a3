//! pyenv's `.python-version`: one version a line (`3.12.1`, `3.11`), `#` comments;
//! pyenv puts every listed version on PATH, the first winning: vx imports the first and
//! notes the rest.

use super::{Entry, Imported, Malformed};

/// Parses a `.python-version` file: one entry for `python`.
pub(crate) fn parse(text: &str) -> Result<Imported, Malformed> {
    let versions: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, super::uncommented(l)))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    let Some(((line, first), others)) = versions.split_first() else {
        return Err(Malformed::at(None, "the file names no Python version"));
    };
    if let Some((line, _)) = versions
        .iter()
        .find(|(_, v)| v.contains(char::is_whitespace))
    {
        return Err(Malformed::at(Some(*line), "one version a line is expected"));
    }
    let others: Vec<&str> = others.iter().map(|(_, v)| *v).collect();
    Ok(Imported {
        tools: vec![Entry::new("python", first, Some(*line)).also_listed(&others)],
        ..Imported::default()
    })
}
