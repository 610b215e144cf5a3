//! mise's shell-style variables in an `[env]` value (or a task's `env`), written as
//! vx's templates. mise expands them after its Tera templates, by default
//! (`env_shell_expand`, on unless a file's `[settings]` turns it off; mise's
//! `settings.toml` and `src/config/env_directive/mod.rs`, `shell_expand_env`):
//!
//! - `$NAME` (a letter or `_`, then letters, digits and `_`) is the variable's value
//!   as the entries above it and the environment give it, and stays `$NAME` as written
//!   when it is unset (mise warns): vx's `${NAME-$NAME}`, whose word is kept as written;
//! - `$$` is one `$`;
//! - `${…}` is read by vx's `[env]` rules as before (`${NAME}`, `${NAME:-default}`),
//!   its word written as a value is (`${CACHE:-$HOME/.cache}` is mise's
//!   `$HOME/.cache` when `CACHE` is unset or empty);
//! - any other `$` (`$1`, `$(…)`, a `$` at the end) is itself.
//!
//! A literal `$` that would stand before a `{` (`$${NAME}`, which mise keeps as the
//! text `${NAME}`) has no spelling in vx's templates, and is refused with why.

use crate::import::EnvError;

/// How deep words are written anew: as deep as vx's `[env]` reads references nested
/// (its `MAX_NESTING`); deeper, the rest is kept and vx's check says how deep it goes.
const MAX_DEPTH: usize = 8;

/// `text` (a value's text outside mise's `{{…}}`) with its shell-style variables as
/// vx's templates.
pub(super) fn template(text: &str) -> Result<String, EnvError> {
    template_at(text, 0)
}

/// [`template`] of a text `depth` words deep: past vx's nesting bound the rest is kept
/// as written (vx's check of the value then says how deep it goes).
fn template_at(text: &str, depth: usize) -> Result<String, EnvError> {
    if !text.contains('$') {
        return Ok(text.to_owned());
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let next = after.chars().next();
        rest = match next {
            Some('$') => {
                if after[1..].starts_with('{') {
                    return Err(EnvError::LiteralDollarBrace);
                }
                out.push('$');
                &after[1..]
            }
            Some('{') => {
                // Read by vx's own rules (checked where the file is read); only a
                // word is written anew.
                let end = braced_end(after).unwrap_or(after.len());
                out.push('$');
                out.push_str(&braced(&after[..end], depth)?);
                &after[end..]
            }
            Some(c) if c == '_' || c.is_ascii_alphabetic() => {
                let end = name_end(after);
                let name = &after[..end];
                out.push_str(&format!("${{{name}-${name}}}"));
                &after[end..]
            }
            _ => {
                out.push('$');
                after
            }
        };
    }
    out.push_str(rest);
    Ok(out)
}

/// A `{…}` after a `$` (its braces included) with its default's word, if it has one,
/// written as [`template`] writes a value: the rest as written.
fn braced(text: &str, depth: usize) -> Result<String, EnvError> {
    let inner = text.strip_prefix('{').and_then(|t| t.strip_suffix('}'));
    match inner.and_then(default_word) {
        Some((form, word)) if depth < MAX_DEPTH => {
            Ok(format!("{{{form}{}}}", template_at(word, depth + 1)?))
        }
        _ => Ok(text.to_owned()),
    }
}

/// `NAME-word` or `NAME:-word` (what is between the braces of `${…}`, the forms whose
/// word mise expands) split before the word; `None` for any other form.
fn default_word(inner: &str) -> Option<(&str, &str)> {
    let name = Some(name_end(inner)).filter(|&end| end > 0)?;
    let rest = &inner[name..];
    let op = match () {
        _ if rest.starts_with(":-") => 2,
        _ if rest.starts_with('-') => 1,
        _ => return None,
    };
    Some(inner.split_at(name + op))
}

/// Where the variable's name `text` starts with ends: past its letters, digits and
/// `_` (the whole text when it is all name).
fn name_end(text: &str) -> usize {
    text.find(|c: char| c != '_' && !c.is_ascii_alphanumeric())
        .unwrap_or(text.len())
}

/// Where the `${…}` that `after` (what follows its `$`, a `{` first) starts ends: just
/// past the `}` that closes it, braces opened inside closing first, as vx's `[env]`
/// reads it.
fn braced_end(after: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in after.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_variables_become_templates_that_keep_an_unset_one_as_written() {
        assert_eq!(template("$HOME/x").unwrap(), "${HOME-$HOME}/x");
        assert_eq!(template("a$B_2c.d").unwrap(), "a${B_2c-$B_2c}.d");
        assert_eq!(
            template("$A:$B").unwrap(),
            "${A-$A}:${B-$B}",
            "each of several"
        );
        assert_eq!(template("${HOME}/y").unwrap(), "${HOME}/y");
        assert_eq!(
            template("${A:-${B}}x$C").unwrap(),
            "${A:-${B}}x${C-$C}",
            "a braced one kept"
        );
        assert_eq!(
            template("${CACHE:-$HOME/.cache}").unwrap(),
            "${CACHE:-${HOME-$HOME}/.cache}",
            "a word's bare variable"
        );
        assert_eq!(
            template("${A-${B:-$C}}").unwrap(),
            "${A-${B:-${C-$C}}}",
            "a word's word"
        );
        assert_eq!(
            template("${A:?$B}").unwrap(),
            "${A:?$B}",
            "a refused form kept"
        );
        let deep = format!("{}$B{}", "${A:-".repeat(100_000), "}".repeat(100_000));
        assert!(
            template(&deep).unwrap().contains("${A:-$B}"),
            "kept past the bound"
        );
        assert_eq!(template("$$HOME and $$").unwrap(), "$HOME and $");
        assert_eq!(template("$1 $(x) $ end$").unwrap(), "$1 $(x) $ end$");
        assert_eq!(template("$$$HOME").unwrap(), "$${HOME-$HOME}");
        assert_eq!(template("${open").unwrap(), "${open");
        assert_eq!(template("plain {project}").unwrap(), "plain {project}");
        assert_eq!(template("$é").unwrap(), "$é");
    }

    #[test]
    fn a_literal_dollar_before_a_brace_is_refused() {
        assert_eq!(template("$${HOME}"), Err(EnvError::LiteralDollarBrace));
    }
}
