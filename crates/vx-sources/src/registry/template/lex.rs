//! Splits a template's text into tokens: text, action delimiters and what is inside
//! actions, applying `{{- ` / ` -}}` trimming and dropping comments on the way.

use super::{Pos, TemplateError};

/// One token and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    /// What it is.
    pub tok: Tok,
    /// Where it starts, as a byte offset into the template.
    pub at: usize,
}

/// The kinds of token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    /// Text outside actions, already trimmed.
    Text(String),
    /// `{{`, opening an action.
    Open,
    /// `}}`, closing an action.
    Close,
    /// `.A.B`: a chain of field names. `chained` when it follows a `)` directly, as in
    /// `(semver .Version).Major`, so it reads a field of the parenthesised value.
    Field { names: Vec<String>, chained: bool },
    /// A function's name.
    Ident(String),
    /// A keyword: `if`, `else`, `end`, or one vx does not support (`range`, `with`…).
    Keyword(&'static str),
    /// A string literal, unquoted.
    Str(String),
    /// An integer literal.
    Int(i64),
    /// `true` or `false`.
    Bool(bool),
    /// `(`.
    LParen,
    /// `)`.
    RParen,
    /// `|`.
    Pipe,
}

/// Go's keywords of `text/template`.
const KEYWORDS: [&str; 10] = [
    "if", "else", "end", "range", "with", "define", "template", "block", "break", "continue",
];

/// Converts byte offsets into lines and columns.
pub(super) struct Lines<'a> {
    src: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    /// Indexes the line starts of `src`.
    pub(crate) fn new(src: &'a str) -> Lines<'a> {
        let starts = std::iter::once(0)
            .chain(src.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { src, starts }
    }

    /// The line and column of byte offset `at` (clamped to the text).
    pub(crate) fn pos(&self, at: usize) -> Pos {
        let at = at.min(self.src.len());
        let line = self.starts.partition_point(|&start| start <= at).max(1);
        let start = self.starts[line - 1];
        let column = self
            .src
            .get(start..at)
            .map_or(1, |prefix| prefix.chars().count() + 1);
        Pos { line, column }
    }
}

/// White space as Go's template lexer sees it.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// The characters that trimming removes.
fn is_space_char(c: char) -> bool {
    c.is_ascii() && is_space(c as u8)
}

/// Tokenises `src`.
pub(super) fn lex(src: &str) -> Result<Vec<Token>, TemplateError> {
    Lexer {
        src,
        bytes: src.as_bytes(),
        lines: Lines::new(src),
        out: Vec::new(),
    }
    .run()
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    lines: Lines<'a>,
    out: Vec<Token>,
}

impl Lexer<'_> {
    fn error(&self, at: usize, message: impl Into<String>) -> TemplateError {
        TemplateError::Syntax {
            pos: self.lines.pos(at),
            message: message.into(),
        }
    }

    fn push(&mut self, tok: Tok, at: usize) {
        self.out.push(Token { tok, at });
    }

    fn run(mut self) -> Result<Vec<Token>, TemplateError> {
        let mut i = 0;
        let mut trim_next = false;
        while i < self.src.len() {
            let open = self.src[i..].find("{{").map(|o| i + o);
            let mut text = &self.src[i..open.unwrap_or(self.src.len())];
            if trim_next {
                text = text.trim_start_matches(is_space_char);
            }
            let Some(open) = open else {
                if !text.is_empty() {
                    self.push(Tok::Text(text.to_owned()), i);
                }
                break;
            };
            let mut body = open + 2;
            let trims_left = self.bytes.get(body) == Some(&b'-')
                && self.bytes.get(body + 1).copied().is_some_and(is_space);
            if trims_left {
                text = text.trim_end_matches(is_space_char);
                body += 2;
            }
            if !text.is_empty() {
                self.push(Tok::Text(text.to_owned()), i);
            }
            let (end, trims_right) = if self.src[body..].starts_with("/*") {
                self.comment(open, body)?
            } else {
                self.push(Tok::Open, open);
                self.action(open, body)?
            };
            trim_next = trims_right;
            i = end;
        }
        Ok(self.out)
    }

    /// Skips the comment starting at `at`; returns where the text after it starts and
    /// whether it ends with ` -}}`.
    fn comment(&self, open: usize, at: usize) -> Result<(usize, bool), TemplateError> {
        let Some(close) = self.src[at + 2..].find("*/").map(|o| at + 2 + o + 2) else {
            return Err(self.error(open, "unclosed comment"));
        };
        if self.src[close..].starts_with("}}") {
            return Ok((close + 2, false));
        }
        if self.right_trim_at(close) {
            return Ok((close + 4, true));
        }
        Err(self.error(close, "a comment must end just before the closing \"}}\""))
    }

    /// Whether ` -}}` (any white space, a dash, the delimiter) starts at `at`.
    fn right_trim_at(&self, at: usize) -> bool {
        self.bytes.get(at).copied().is_some_and(is_space)
            && self.bytes.get(at + 1) == Some(&b'-')
            && self.src[at + 2..].starts_with("}}")
    }

    /// Tokenises an action's inside from `at` up to and including its `}}`; returns
    /// where the text after it starts and whether it ended with ` -}}`.
    fn action(&mut self, open: usize, mut at: usize) -> Result<(usize, bool), TemplateError> {
        loop {
            let Some(&c) = self.bytes.get(at) else {
                return Err(self.error(open, "unclosed action: no \"}}\""));
            };
            if self.right_trim_at(at) {
                self.push(Tok::Close, at + 2);
                return Ok((at + 4, true));
            }
            if self.src[at..].starts_with("}}") {
                self.push(Tok::Close, at);
                return Ok((at + 2, false));
            }
            at = match c {
                _ if is_space(c) => at + 1,
                b'(' => self.single(Tok::LParen, at),
                b')' => self.single(Tok::RParen, at),
                b'|' => self.single(Tok::Pipe, at),
                b'"' => self.quoted(at)?,
                b'`' => self.raw(at)?,
                b'.' => self.field(at)?,
                b'0'..=b'9' | b'-' | b'+' => self.number(at)?,
                b'a'..=b'z' | b'A'..=b'Z' | b'_' => self.word(at)?,
                b'$' => return Err(self.error(at, "variables ($name) are not supported")),
                _ => {
                    let ch = self.src[at..].chars().next().unwrap_or('?');
                    return Err(self.error(at, format!("unexpected {ch:?} in an action")));
                }
            };
        }
    }

    fn single(&mut self, tok: Tok, at: usize) -> usize {
        self.push(tok, at);
        at + 1
    }

    /// The end of an identifier starting at `at`.
    fn ident_end(&self, at: usize) -> usize {
        at + self.bytes[at..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count()
    }

    fn word(&mut self, at: usize) -> Result<usize, TemplateError> {
        let end = self.ident_end(at);
        let word = &self.src[at..end];
        let tok = match word {
            "true" => Tok::Bool(true),
            "false" => Tok::Bool(false),
            "nil" => return Err(self.error(at, "nil is not supported")),
            _ => match KEYWORDS.iter().find(|k| **k == word) {
                Some(keyword) => Tok::Keyword(keyword),
                None => Tok::Ident(word.to_owned()),
            },
        };
        self.push(tok, at);
        Ok(end)
    }

    fn field(&mut self, at: usize) -> Result<usize, TemplateError> {
        let chained = at > 0 && self.bytes[at - 1] == b')';
        let mut names = Vec::new();
        let mut i = at;
        while self.bytes.get(i) == Some(&b'.') {
            let start = i + 1;
            match self.bytes.get(start) {
                Some(b) if b.is_ascii_alphabetic() || *b == b'_' => {}
                _ if names.is_empty() => {
                    return Err(self.error(at, "\".\" alone is not supported; name a field"));
                }
                _ => return Err(self.error(i, "a field name must follow \".\"")),
            }
            i = self.ident_end(start);
            names.push(self.src[start..i].to_owned());
        }
        self.push(Tok::Field { names, chained }, at);
        Ok(i)
    }

    fn number(&mut self, at: usize) -> Result<usize, TemplateError> {
        let digits_from = if matches!(self.bytes[at], b'-' | b'+') {
            at + 1
        } else {
            at
        };
        if !self.bytes.get(digits_from).is_some_and(u8::is_ascii_digit) {
            let ch = self.bytes[at] as char;
            return Err(self.error(at, format!("unexpected {ch:?} in an action")));
        }
        let end = digits_from
            + self.bytes[digits_from..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.'))
                .count();
        let text = &self.src[at..end];
        let value = text.parse::<i64>().map_err(|_| {
            self.error(
                at,
                format!("unsupported number {text:?}: only decimal integers"),
            )
        })?;
        self.push(Tok::Int(value), at);
        Ok(end)
    }

    fn raw(&mut self, at: usize) -> Result<usize, TemplateError> {
        let Some(len) = self.src[at + 1..].find('`') else {
            return Err(self.error(at, "unterminated raw string"));
        };
        let text = self.src[at + 1..at + 1 + len].replace('\r', "");
        self.push(Tok::Str(text), at);
        Ok(at + 1 + len + 1)
    }

    /// A `"…"` literal with Go's escapes.
    fn quoted(&mut self, at: usize) -> Result<usize, TemplateError> {
        let lines = &self.lines;
        let error = |at: usize, message: &str| TemplateError::Syntax {
            pos: lines.pos(at),
            message: message.to_owned(),
        };
        let mut bytes = Vec::new();
        let mut chars = self.src[at + 1..].char_indices();
        loop {
            let Some((offset, c)) = chars.next() else {
                return Err(error(at, "unterminated string"));
            };
            match c {
                '"' => {
                    let text = String::from_utf8(bytes)
                        .map_err(|_| error(at, "the string's escapes are not valid UTF-8"))?;
                    self.out.push(Token {
                        tok: Tok::Str(text),
                        at,
                    });
                    return Ok(at + 1 + offset + 1);
                }
                '\n' => return Err(error(at, "unterminated string")),
                '\\' => {
                    let bad = || error(at + 1 + offset, "invalid escape in a string");
                    let Some((_, e)) = chars.next() else {
                        return Err(error(at, "unterminated string"));
                    };
                    let (radix, digits) = match e {
                        'x' => (16, 2),
                        'u' => (16, 4),
                        'U' => (16, 8),
                        '0'..='7' => (8, 2),
                        _ => (0, 0),
                    };
                    let mut value = if radix == 8 {
                        e.to_digit(8).unwrap_or(0)
                    } else {
                        0
                    };
                    for _ in 0..digits {
                        let digit = chars.next().and_then(|(_, d)| d.to_digit(radix));
                        value = value * radix + digit.ok_or_else(bad)?;
                    }
                    match e {
                        'a' => bytes.push(0x07),
                        'b' => bytes.push(0x08),
                        'f' => bytes.push(0x0c),
                        'n' => bytes.push(b'\n'),
                        'r' => bytes.push(b'\r'),
                        't' => bytes.push(b'\t'),
                        'v' => bytes.push(0x0b),
                        '\\' => bytes.push(b'\\'),
                        '"' => bytes.push(b'"'),
                        'x' | '0'..='7' => bytes.push(u8::try_from(value).map_err(|_| bad())?),
                        'u' | 'U' => {
                            let ch = char::from_u32(value).ok_or_else(bad)?;
                            bytes.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                        }
                        _ => return Err(bad()),
                    }
                }
                _ => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            }
        }
    }
}
