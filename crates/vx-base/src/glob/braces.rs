//! A glob's `{a,b}` alternatives, expanded into the brace-free globs they stand for
//! before anything is matched: `{cli/,}src/**/*.rs` is `cli/src/**/*.rs` and
//! `src/**/*.rs`. Expanded first, rather than left to the matcher, because an
//! alternative may hold a `/` (as that one does), and every reader of a glob (the walk
//! from its literal directory, what a directory may hold, the watcher's roots) reads
//! it segment by segment.
//!
//! Read as a shell and turbo read braces: nested groups, an empty alternative kept (so
//! `{cli/,}src` is both; mise drops an empty alternative, as its `globset` does by
//! default, and would watch `cli/src` alone there), a group without a comma literal
//! (`{a}` is the three characters, as in mise and bash), a `\` escaping the next
//! character, and braces inside `[…]` literal. A `{` never closed or a `}` never
//! opened is an error, as in mise. Parsed into a tree first, so that what the glob
//! would expand into is counted before it is built: a hostile glob
//! (`{a,b}{a,b}{a,b}…`) is refused at [`MAX_ALTERNATIVES`] without building any, and
//! one nested deeper than [`MAX_DEPTH`] without recursing that deep.

use super::ErrorKind;

/// Most globs one glob may stand for (mise's bound too).
pub(crate) const MAX_ALTERNATIVES: usize = 1024;
/// Deepest nesting of braces.
pub(crate) const MAX_DEPTH: usize = 32;

/// One piece of a glob: text as written (escapes and classes kept), or a group of
/// alternatives, each a sequence of pieces.
#[derive(Debug)]
enum Piece {
    Text(String),
    Group(Vec<Vec<Piece>>),
}

/// The brace-free globs `glob` stands for, in the order written. A literal brace
/// comes out escaped (`\{`), so that the matcher reads it as the character.
pub(crate) fn expand(glob: &str) -> Result<Vec<String>, ErrorKind> {
    let mut parser = Parser {
        chars: glob.chars().collect(),
        at: 0,
    };
    // At the top, a `,` is text and a `}` an error: the sequence reads to the end.
    let pieces = parser.sequence(0)?;
    if count(&pieces) > MAX_ALTERNATIVES {
        return Err(ErrorKind::TooManyAlternatives);
    }
    Ok(build(&pieces))
}

/// How many globs `pieces` stand for, at most [`MAX_ALTERNATIVES`] + 1.
fn count(pieces: &[Piece]) -> usize {
    let mut product = 1usize;
    for piece in pieces {
        if let Piece::Group(alternatives) = piece {
            let sum = alternatives
                .iter()
                .fold(0usize, |sum, alt| sum.saturating_add(count(alt)));
            product = product.saturating_mul(sum).min(MAX_ALTERNATIVES + 1);
        }
    }
    product
}

/// Every glob `pieces` stand for (their number counted first: [`count`]).
fn build(pieces: &[Piece]) -> Vec<String> {
    let mut out = vec![String::new()];
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.iter_mut().for_each(|glob| glob.push_str(text)),
            Piece::Group(alternatives) => {
                let tails: Vec<String> = alternatives.iter().flat_map(|a| build(a)).collect();
                out = out
                    .iter()
                    .flat_map(|head| tails.iter().map(move |tail| format!("{head}{tail}")))
                    .collect();
            }
        }
    }
    out
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    /// Pieces up to the end, or (inside a group, `depth` > 0) up to a `,` or `}` of
    /// this group, which is left for the caller.
    fn sequence(&mut self, depth: usize) -> Result<Vec<Piece>, ErrorKind> {
        let mut pieces = Vec::new();
        let mut text = String::new();
        while let Some(&c) = self.chars.get(self.at) {
            match c {
                '\\' => {
                    text.push(c);
                    self.at += 1;
                    if let Some(&next) = self.chars.get(self.at) {
                        text.push(next);
                        self.at += 1;
                    }
                }
                '[' => self.class(&mut text),
                '{' => {
                    if depth >= MAX_DEPTH {
                        return Err(ErrorKind::TooDeep);
                    }
                    self.at += 1;
                    match self.group(depth + 1)? {
                        Group::Alternatives(alternatives) => {
                            pieces.push(Piece::Text(std::mem::take(&mut text)));
                            pieces.push(Piece::Group(alternatives));
                        }
                        Group::Literal(inner) => {
                            // `{a}` is the text it is, with what is inside expanded.
                            text.push_str("\\{");
                            pieces.push(Piece::Text(std::mem::take(&mut text)));
                            pieces.extend(inner);
                            text.push_str("\\}");
                        }
                    }
                }
                ',' | '}' if depth > 0 => break,
                '}' => return Err(ErrorKind::UnopenedBrace),
                _ => {
                    text.push(c);
                    self.at += 1;
                }
            }
        }
        pieces.push(Piece::Text(text));
        Ok(pieces)
    }

    /// A group, its `{` read: its alternatives up to its `}`.
    fn group(&mut self, depth: usize) -> Result<Group, ErrorKind> {
        let mut alternatives = vec![self.sequence(depth)?];
        loop {
            match self.chars.get(self.at) {
                Some(',') => {
                    self.at += 1;
                    alternatives.push(self.sequence(depth)?);
                }
                Some('}') => {
                    self.at += 1;
                    return Ok(match alternatives.len() {
                        1 => Group::Literal(alternatives.pop().unwrap_or_default()),
                        _ => Group::Alternatives(alternatives),
                    });
                }
                _ => return Err(ErrorKind::UnclosedBrace),
            }
        }
    }

    /// A character class (`[…]`) copied as written: what is inside is literal to
    /// braces. A `]` first (or after `!`/`^`) is a member, as in a shell; a `[` never
    /// closed is copied as a character, and the matcher says it is unclosed.
    fn class(&mut self, text: &mut String) {
        let start = self.at;
        let mut end = start + 1;
        if matches!(self.chars.get(end), Some('!' | '^')) {
            end += 1;
        }
        if self.chars.get(end) == Some(&']') {
            end += 1;
        }
        while let Some(&c) = self.chars.get(end) {
            if c == ']' {
                text.extend(&self.chars[start..=end]);
                self.at = end + 1;
                return;
            }
            end += 1;
        }
        text.push('[');
        self.at = start + 1;
    }
}

/// A group as read: alternatives, or (without a comma) literal braces around pieces.
enum Group {
    Alternatives(Vec<Vec<Piece>>),
    Literal(Vec<Piece>),
}
