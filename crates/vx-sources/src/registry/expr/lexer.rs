//! Splits an expression into tokens: strings (`"…"`, `'…'`, `` `…` ``), integers, names
//! (keywords such as `and` or `startsWith` are names here) and punctuation.

use super::ExprError;

/// One token and the byte offset it starts at.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Token {
    pub(super) kind: Kind,
    pub(super) at: usize,
}

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Kind {
    Name(String),
    Str(String),
    Int(i64),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    EqEq,
    NotEq,
    Bang,
    AndAnd,
    OrOr,
}

/// The tokens of `source`, or the first character that starts none.
pub(super) fn tokenize(source: &str) -> Result<Vec<Token>, ExprError> {
    let mut tokens = Vec::new();
    let mut chars = source.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        let kind = match c {
            c if c.is_whitespace() => {
                chars.next();
                continue;
            }
            '"' | '\'' => {
                chars.next();
                Kind::Str(quoted(&mut chars, at, c)?)
            }
            '`' => {
                chars.next();
                let mut text = String::new();
                loop {
                    match chars.next() {
                        Some((_, '`')) => break,
                        Some((_, c)) => text.push(c),
                        None => return Err(syntax(at, "a `…` string is not closed")),
                    }
                }
                Kind::Str(text)
            }
            c if c.is_ascii_digit() => {
                let mut end = at;
                while let Some(&(i, c)) = chars.peek() {
                    if !c.is_ascii_alphanumeric() && c != '_' {
                        break;
                    }
                    end = i + c.len_utf8();
                    chars.next();
                }
                let text = &source[at..end];
                let value = text
                    .parse::<i64>()
                    .map_err(|_| syntax(at, &format!("`{text}` is not a number")))?;
                Kind::Int(value)
            }
            c if c.is_alphabetic() || c == '_' || c == '$' => {
                let mut end = at;
                while let Some(&(i, c)) = chars.peek() {
                    if !c.is_alphanumeric() && c != '_' && c != '$' {
                        break;
                    }
                    end = i + c.len_utf8();
                    chars.next();
                }
                Kind::Name(source[at..end].to_owned())
            }
            _ => {
                chars.next();
                let next = chars.peek().map(|&(_, c)| c);
                let mut pair = |kind| {
                    chars.next();
                    kind
                };
                match (c, next) {
                    ('(', _) => Kind::LParen,
                    (')', _) => Kind::RParen,
                    ('[', _) => Kind::LBracket,
                    (']', _) => Kind::RBracket,
                    (',', _) => Kind::Comma,
                    ('=', Some('=')) => pair(Kind::EqEq),
                    ('!', Some('=')) => pair(Kind::NotEq),
                    ('!', _) => Kind::Bang,
                    ('&', Some('&')) => pair(Kind::AndAnd),
                    ('|', Some('|')) => pair(Kind::OrOr),
                    ('<' | '>', _) => {
                        return Err(syntax(
                            at,
                            "ordering operators (<, >, <=, >=) are not supported here; \
                             compare versions with semver(\">= 1.2.0\")",
                        ));
                    }
                    _ => return Err(syntax(at, &format!("unexpected character `{c}`"))),
                }
            }
        };
        tokens.push(Token { kind, at });
    }
    Ok(tokens)
}

/// The rest of a `"…"` or `'…'` string after its opening quote, with escapes resolved.
fn quoted(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    start: usize,
    quote: char,
) -> Result<String, ExprError> {
    let mut text = String::new();
    loop {
        let Some((at, c)) = chars.next() else {
            return Err(syntax(start, "a string is not closed"));
        };
        match c {
            c if c == quote => return Ok(text),
            '\n' => return Err(syntax(start, "a string is not closed on its line")),
            '\\' => {
                let Some((_, escaped)) = chars.next() else {
                    return Err(syntax(start, "a string is not closed"));
                };
                text.push(match escaped {
                    '\\' | '"' | '\'' | '/' | '`' => escaped,
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'a' => '\u{7}',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'v' => '\u{b}',
                    'u' => {
                        let hex: String = chars.by_ref().take(4).map(|(_, c)| c).collect();
                        u32::from_str_radix(&hex, 16)
                            .ok()
                            .filter(|_| hex.len() == 4)
                            .and_then(char::from_u32)
                            .ok_or_else(|| syntax(at, "`\\u` needs four hex digits"))?
                    }
                    other => {
                        return Err(syntax(
                            at,
                            &format!("unknown escape `\\{other}` in a string"),
                        ));
                    }
                });
            }
            c => text.push(c),
        }
    }
}

fn syntax(at: usize, message: &str) -> ExprError {
    ExprError::Syntax {
        at,
        message: message.to_owned(),
    }
}
