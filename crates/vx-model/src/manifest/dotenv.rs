//! The dotenv format of `[settings] env_file`: `.env` files read as data, never run.
//!
//! The format as the common tools (docker compose, python-dotenv) define it:
//!
//! ```text
//! # a comment
//! DATABASE_URL=postgres://localhost/dev   # a comment after whitespace
//! export API_HOST = api.example.org       # `export ` and spaces around `=` allowed
//! GREETING="hello\n${USER:-you}"          # escapes; [env]'s templates expanded
//! PATTERN='${not} expanded, \n kept'      # single quotes: literal, no escapes
//! PEM="-----BEGIN KEY-----
//! …
//! -----END KEY-----"                      # a quoted value may span lines
//! ```
//!
//! An unquoted or double-quoted value is an `[env]` template (`{project}`, `${VAR}`,
//! `${VAR:-default}`), checked as `[env]`'s are; `$VAR` without braces, `$(…)` and
//! backquotes are kept as written: nothing is ever executed. Double quotes take the
//! escapes `\\`, `\"`, `\'`, `\n`, `\r`, `\t`; any other backslash stays as written.
//!
//! Errors name the line and what is wrong, never the line's text: a `.env` holds
//! secrets, and an error reaches terminals and logs.

use super::environment;
use crate::task::EnvVar;

/// Most entries one file may hold (as `[env]`).
pub const MAX_ENTRIES: usize = 4096;

/// A line that is not dotenv: its 1-based number and what is wrong, in words that
/// quote nothing of the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct SyntaxError {
    /// The 1-based line where the entry starts.
    pub line: usize,
    /// What is wrong.
    pub problem: String,
}

/// The entries of a dotenv text, in order (a name given twice: both, the later wins
/// when applied). A single-quoted value is `literal` (never expanded).
pub fn parse(text: &str) -> Result<Vec<EnvVar>, SyntaxError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split('\n').enumerate().peekable();
    let mut vars = Vec::new();
    while let Some((index, raw)) = lines.next() {
        let line = index + 1;
        let err = |problem: &str| SyntaxError {
            line,
            problem: problem.to_owned(),
        };
        let content = raw.strip_suffix('\r').unwrap_or(raw).trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let content = match content.strip_prefix("export") {
            Some(rest) if rest.starts_with([' ', '\t']) => rest.trim_start(),
            _ => content,
        };
        let Some((name, rest)) = content.split_once('=') else {
            return Err(err("expected NAME=VALUE"));
        };
        let name = name.trim_end();
        if !environment::valid_var_name(name) {
            return Err(err(
                "the name before `=` is not a variable name: use letters, digits and _ (not first a digit)",
            ));
        }
        if let Some(why) = environment::reserved_problem(name) {
            return Err(err(&why));
        }
        let rest = rest.trim_start_matches([' ', '\t']);
        let (value, literal) = match rest.chars().next() {
            Some(quote @ ('\'' | '"')) => {
                let mut body = String::new();
                let mut after = quoted(&rest[1..], quote, &mut body);
                // The value goes on over the next lines until its quote closes.
                while after.is_none() {
                    let Some((_, next)) = lines.next() else {
                        return Err(err("the quoted value is not closed"));
                    };
                    body.push('\n');
                    after = quoted(next, quote, &mut body);
                }
                let after = after.unwrap_or_default();
                let after = after.strip_suffix('\r').unwrap_or(after).trim_start();
                if !after.is_empty() && !after.starts_with('#') {
                    return Err(err("text follows the closing quote"));
                }
                (body, quote == '\'')
            }
            _ => {
                let rest = rest.strip_suffix('\r').unwrap_or(rest);
                (unquoted(rest).to_owned(), false)
            }
        };
        if value.contains('\0') {
            return Err(err("the value holds a NUL character"));
        }
        if !literal && let Some(why) = environment::template_problem(&value) {
            return Err(err(&why));
        }
        if vars.len() == MAX_ENTRIES {
            return Err(err(&format!("more than {MAX_ENTRIES} entries")));
        }
        vars.push(EnvVar {
            name: name.to_owned(),
            value: Some(value),
            line,
            literal,
        });
    }
    Ok(vars)
}

/// An unquoted value: up to a `#` that follows whitespace, trimmed.
fn unquoted(rest: &str) -> &str {
    let mut end = rest.len();
    let bytes = rest.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && (i == 0 || bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') {
            end = i;
            break;
        }
    }
    rest[..end].trim()
}

/// Reads a quoted value's text from `text` into `body` up to the closing `quote`:
/// what follows it, or `None` when the line ends first (the value goes on).
fn quoted<'t>(text: &'t str, quote: char, body: &mut String) -> Option<&'t str> {
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == quote => return Some(&text[i + 1..]),
            '\\' if quote == '"' => match chars.next() {
                Some((_, e)) => body.push_str(match e {
                    'n' => "\n",
                    'r' => "\r",
                    't' => "\t",
                    '\\' => "\\",
                    '"' => "\"",
                    '\'' => "'",
                    other => {
                        body.push('\\');
                        body.push(other);
                        continue;
                    }
                }),
                None => body.push('\\'),
            },
            '\r' if i + 1 == text.len() => {}
            c => body.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String, bool)> {
        parse(text)
            .unwrap()
            .into_iter()
            .map(|v| (v.name, v.value.unwrap(), v.literal))
            .collect()
    }

    fn one(text: &str) -> String {
        pairs(text).remove(0).1
    }

    #[test]
    fn the_common_forms_read_as_the_dotenv_tools_read_them() {
        let text = "# top\n\nA=1\nexport B = two words  # note\nC=\"x\\ny\\t\\\"q\\\" \\$\"\nD='${HOME} \\n'\nE=\nF=a#b\r\nG=\"\" # empty\n";
        assert_eq!(
            pairs(text),
            [
                ("A".into(), "1".into(), false),
                ("B".into(), "two words".into(), false),
                ("C".into(), "x\ny\t\"q\" \\$".into(), false),
                ("D".into(), "${HOME} \\n".into(), true),
                ("E".into(), String::new(), false),
                ("F".into(), "a#b".into(), false),
                ("G".into(), String::new(), false),
            ]
        );
    }

    #[test]
    fn a_quoted_value_spans_lines_and_keeps_its_line_number() {
        let vars =
            parse("A=1\nPEM=\"-----BEGIN-----\nabc\n-----END-----\"\nB='x\ny'\nC=3\n").unwrap();
        assert_eq!(
            vars[1].value.as_deref(),
            Some("-----BEGIN-----\nabc\n-----END-----")
        );
        assert_eq!(vars[1].line, 2);
        assert_eq!(vars[2].value.as_deref(), Some("x\ny"));
        assert_eq!((vars[3].name.as_str(), vars[3].line), ("C", 7));
    }

    #[test]
    fn nothing_is_ever_run_and_only_braced_templates_are_templates() {
        assert_eq!(one("A=$(rm -rf /) `id` $HOME\n"), "$(rm -rf /) `id` $HOME");
        assert_eq!(one("A=\"${HOME:-x}/{project}\""), "${HOME:-x}/{project}");
    }

    #[test]
    fn malformed_lines_are_named_by_number_without_their_text() {
        let cases = [
            ("A=1\nsecret-value-here\n", 2),
            ("A=1\n\n9X=secret\n", 3),
            ("A=\"secret\nnever closed\n", 1),
            ("A='secret' trailing\n", 1),
            ("A=${secret\n", 1),
            ("PATH=/secret\n", 1),
            ("export\n", 1),
        ];
        for (text, line) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, line, "{text:?}");
            assert!(!err.to_string().contains("secret"), "{err}");
        }
    }
}
