//! Builds a template's tree from its tokens, checking what can be checked before any
//! value is known: functions exist and get the right number of arguments, fields are
//! ones aqua passes, `if` blocks are closed, nesting stays within [`MAX_DEPTH`].

use super::funcs::Func;
use super::lex::{Lines, Tok, Token};
use super::{MAX_DEPTH, Pos, TemplateError};

/// The fields aqua passes to templates (`.Vars` holds the package's variables).
pub(super) const FIELDS: [&str; 11] = [
    "Version",
    "SemVer",
    "OS",
    "Arch",
    "GOOS",
    "GOARCH",
    "Format",
    "Asset",
    "AssetWithoutExt",
    "FileName",
    "Vars",
];

/// A piece of a template.
#[derive(Debug, Clone)]
pub(super) enum Node {
    /// Text, copied verbatim.
    Text(String, Pos),
    /// `{{ pipeline }}`: its value is printed.
    Action(Pipeline),
    /// `{{if A}}…{{else if B}}…{{else}}…{{end}}`: the first branch whose condition is
    /// true, else `otherwise`.
    If {
        /// Each condition and its body, in order.
        branches: Vec<(Pipeline, Vec<Node>)>,
        /// The `else` body (empty without one).
        otherwise: Vec<Node>,
    },
}

/// `cmd | cmd | …`: each command's value is the last argument of the next.
#[derive(Debug, Clone)]
pub(super) struct Pipeline {
    /// At least one.
    pub commands: Vec<Command>,
    /// Where it starts.
    pub pos: Pos,
}

/// One stage of a pipeline.
#[derive(Debug, Clone)]
pub(super) enum Command {
    /// A function called with these arguments (and the piped value, if any).
    Call {
        /// The function.
        func: Func,
        /// Its written arguments.
        args: Vec<Operand>,
        /// Where its name is.
        pos: Pos,
    },
    /// A plain value (only first in a pipeline).
    Value(Operand),
}

/// An argument or a plain value.
#[derive(Debug, Clone)]
pub(super) enum Operand {
    /// `.A.B`.
    Field {
        /// The chain of names, the first one of [`FIELDS`].
        names: Vec<String>,
        /// Where it is.
        pos: Pos,
    },
    /// A string literal.
    Str(String),
    /// An integer literal.
    Int(i64),
    /// `true` or `false`.
    Bool(bool),
    /// `(pipeline).A.B`.
    Group {
        /// The parenthesised pipeline.
        pipeline: Box<Pipeline>,
        /// Fields read from its value (often none).
        fields: Vec<String>,
        /// Where the `(` is.
        pos: Pos,
    },
}

/// What ended a list of nodes.
enum Ending {
    /// The end of the template.
    Eof,
    /// `{{end}}`.
    End,
    /// `{{else}}`, its keyword at this byte offset.
    Else(usize),
    /// `{{else if …}}`, with its condition, its `else` at this byte offset.
    ElseIf(Pipeline, usize),
}

/// Parses the tokens of `src`.
pub(super) fn parse(src: &str, tokens: &[Token]) -> Result<Vec<Node>, TemplateError> {
    let mut parser = Parser {
        lines: Lines::new(src),
        tokens,
        next: 0,
        depth: 0,
    };
    let (nodes, _) = parser.list(None)?;
    Ok(nodes)
}

struct Parser<'a> {
    lines: Lines<'a>,
    tokens: &'a [Token],
    next: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn pos(&self, at: usize) -> Pos {
        self.lines.pos(at)
    }

    /// The next token's byte offset (the end of the text past the last one).
    fn here(&self) -> usize {
        self.tokens.get(self.next).map_or(usize::MAX, |t| t.at)
    }

    fn syntax(&self, at: usize, message: impl Into<String>) -> TemplateError {
        TemplateError::Syntax {
            pos: self.pos(at),
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<&'a Tok> {
        self.tokens.get(self.next).map(|t| &t.tok)
    }

    fn bump(&mut self) -> Option<&'a Token> {
        let token = self.tokens.get(self.next);
        self.next += 1;
        token
    }

    fn enter(&mut self, at: usize) -> Result<(), TemplateError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(TemplateError::TooDeep {
                pos: self.pos(at),
                limit: MAX_DEPTH,
            });
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn expect_close(&mut self) -> Result<(), TemplateError> {
        let at = self.here();
        match self.bump().map(|t| &t.tok) {
            Some(Tok::Close) => Ok(()),
            Some(tok) => {
                let message = format!("expected \"}}}}\", found {}", describe(tok));
                Err(self.syntax(at, message))
            }
            None => Err(self.syntax(at, "unclosed action")),
        }
    }

    /// Nodes up to the end of the template, or (inside the `if` opened at `inside`) up
    /// to its `else` or `end`.
    fn list(&mut self, inside: Option<usize>) -> Result<(Vec<Node>, Ending), TemplateError> {
        let mut nodes = Vec::new();
        loop {
            let Some(token) = self.bump() else {
                return match inside {
                    Some(at) => Err(self.syntax(at, "{{if}} without {{end}}")),
                    None => Ok((nodes, Ending::Eof)),
                };
            };
            let at = token.at;
            match &token.tok {
                Tok::Text(text) => nodes.push(Node::Text(text.clone(), self.pos(at))),
                Tok::Open => {}
                tok => {
                    let message = format!("unexpected {}", describe(tok));
                    return Err(self.syntax(at, message));
                }
            }
            if !matches!(token.tok, Tok::Open) {
                continue;
            }
            let at = self.here();
            match self.peek() {
                Some(Tok::Keyword("if")) => {
                    self.bump();
                    nodes.push(self.if_block(at)?);
                }
                Some(Tok::Keyword(word @ ("else" | "end"))) => {
                    let word = *word;
                    if inside.is_none() {
                        return Err(self.syntax(at, format!("{{{{{word}}}}} without {{{{if}}}}")));
                    }
                    self.bump();
                    if word == "end" {
                        self.expect_close()?;
                        return Ok((nodes, Ending::End));
                    }
                    if let Some(Tok::Keyword("if")) = self.peek() {
                        self.bump();
                        let condition = self.pipeline()?;
                        self.expect_close()?;
                        return Ok((nodes, Ending::ElseIf(condition, at)));
                    }
                    self.expect_close()?;
                    return Ok((nodes, Ending::Else(at)));
                }
                Some(Tok::Keyword(word)) => {
                    let message = format!("{{{{{word}}}}} is not supported in aqua's templates");
                    return Err(self.syntax(at, message));
                }
                Some(Tok::Close) => return Err(self.syntax(at, "empty action")),
                _ => {
                    let pipeline = self.pipeline()?;
                    self.expect_close()?;
                    nodes.push(Node::Action(pipeline));
                }
            }
        }
    }

    /// The rest of an `if` whose keyword was at `at`.
    fn if_block(&mut self, at: usize) -> Result<Node, TemplateError> {
        self.enter(at)?;
        let mut condition = self.pipeline()?;
        self.expect_close()?;
        let mut branches = Vec::new();
        let otherwise = loop {
            let (body, end) = self.list(Some(at))?;
            branches.push((condition, body));
            match end {
                Ending::End | Ending::Eof => break Vec::new(),
                Ending::ElseIf(next, _) => condition = next,
                Ending::Else(_) => {
                    let (body, end) = self.list(Some(at))?;
                    if let Ending::Else(again) | Ending::ElseIf(_, again) = end {
                        return Err(self.syntax(again, "{{else}} after the last {{else}}"));
                    }
                    break body;
                }
            }
        };
        self.leave();
        Ok(Node::If {
            branches,
            otherwise,
        })
    }

    /// A pipeline, up to (not including) the `}}` or `)` that ends it.
    fn pipeline(&mut self) -> Result<Pipeline, TemplateError> {
        let pos = self.pos(self.here());
        let mut commands = Vec::new();
        loop {
            let piped = !commands.is_empty();
            commands.push(self.command(piped)?);
            if let Some(Tok::Pipe) = self.peek() {
                self.bump();
            } else {
                return Ok(Pipeline { commands, pos });
            }
        }
    }

    /// One command; `piped` when a value is piped into it.
    fn command(&mut self, piped: bool) -> Result<Command, TemplateError> {
        let at = self.here();
        let command = match self.peek() {
            Some(Tok::Ident(name)) => {
                let name = name.clone();
                self.bump();
                let func = Func::lookup(&name).ok_or_else(|| TemplateError::UnknownFunction {
                    pos: self.pos(at),
                    name,
                })?;
                let mut args = Vec::new();
                while let Some(operand) = self.operand()? {
                    args.push(operand);
                }
                let given = args.len() + usize::from(piped);
                if !func.arity().accepts(given) {
                    return Err(TemplateError::Arity {
                        pos: self.pos(at),
                        name: func.name(),
                        expected: func.arity().to_string(),
                        given,
                    });
                }
                Command::Call {
                    func,
                    args,
                    pos: self.pos(at),
                }
            }
            _ => {
                let Some(operand) = self.operand()? else {
                    let message = match self.peek() {
                        Some(tok) => format!("expected a value, found {}", describe(tok)),
                        None => "unclosed action".to_owned(),
                    };
                    return Err(self.syntax(at, message));
                };
                if piped {
                    return Err(self.syntax(at, "a value is piped into something not a function"));
                }
                if self.operand()?.is_some() {
                    return Err(self.syntax(at, "only a function can take arguments"));
                }
                Command::Value(operand)
            }
        };
        Ok(command)
    }

    /// The next operand, or `None` at a `|`, `)`, `}}` or the end.
    fn operand(&mut self) -> Result<Option<Operand>, TemplateError> {
        let at = self.here();
        let Some(tok) = self.peek() else {
            return Ok(None);
        };
        let operand = match tok {
            Tok::Pipe | Tok::RParen | Tok::Close => return Ok(None),
            Tok::Field { names, .. } => {
                let names = names.clone();
                if !FIELDS.contains(&names[0].as_str()) {
                    return Err(TemplateError::UnknownField {
                        pos: self.pos(at),
                        name: names[0].clone(),
                    });
                }
                Operand::Field {
                    names,
                    pos: self.pos(at),
                }
            }
            Tok::Str(s) => Operand::Str(s.clone()),
            Tok::Int(i) => Operand::Int(*i),
            Tok::Bool(b) => Operand::Bool(*b),
            Tok::Ident(name) => {
                // A function as an argument is called with no arguments, which none takes.
                let name = name.clone();
                let func = Func::lookup(&name).ok_or_else(|| TemplateError::UnknownFunction {
                    pos: self.pos(at),
                    name,
                })?;
                return Err(TemplateError::Arity {
                    pos: self.pos(at),
                    name: func.name(),
                    expected: func.arity().to_string(),
                    given: 0,
                });
            }
            Tok::LParen => {
                self.bump();
                self.enter(at)?;
                let pipeline = self.pipeline()?;
                let close_at = self.here();
                if !matches!(self.bump().map(|t| &t.tok), Some(Tok::RParen)) {
                    return Err(self.syntax(close_at, "unclosed \"(\""));
                }
                self.leave();
                let mut fields = Vec::new();
                if let Some(Tok::Field {
                    names,
                    chained: true,
                }) = self.peek()
                {
                    fields = names.clone();
                    self.bump();
                }
                return Ok(Some(Operand::Group {
                    pipeline: Box::new(pipeline),
                    fields,
                    pos: self.pos(at),
                }));
            }
            tok => {
                let message = format!("unexpected {} in a pipeline", describe(tok));
                return Err(self.syntax(at, message));
            }
        };
        self.bump();
        Ok(Some(operand))
    }
}

/// A token in words, for errors.
fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Text(_) => "text".to_owned(),
        Tok::Open => "\"{{\"".to_owned(),
        Tok::Close => "\"}}\"".to_owned(),
        Tok::Field { names, .. } => format!(".{}", names.join(".")),
        Tok::Ident(name) => format!("function {name:?}"),
        Tok::Keyword(word) => format!("keyword {word:?}"),
        Tok::Str(s) => format!("string {s:?}"),
        Tok::Int(i) => format!("number {i}"),
        Tok::Bool(b) => b.to_string(),
        Tok::LParen => "\"(\"".to_owned(),
        Tok::RParen => "\")\"".to_owned(),
        Tok::Pipe => "\"|\"".to_owned(),
    }
}
