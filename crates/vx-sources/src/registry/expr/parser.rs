//! Turns tokens into a checked syntax tree, with the precedence of Go's expr-lang:
//! `or`/`||` below `and`/`&&` below the comparisons (`==`, `!=`, `in`, `contains`,
//! `startsWith`, `endsWith`, `matches` and their `not …` forms, left to right), and
//! `not`/`!` binding tightest (so `not Version startsWith "v"` negates `Version`, a type
//! error, as in aqua). Types are checked here, before anything runs, as aqua checks them
//! when it compiles the expression: an error in a branch that would not run is still an
//! error.

use super::ExprError;
use super::lexer::{Kind, Token};
use regex::Regex;

/// How deep parentheses, lists, calls and `not`s may nest: the registry's deepest
/// expression nests two levels; this keeps the recursion small whatever the input.
pub(super) const MAX_DEPTH: usize = 32;

/// Largest compiled `matches` pattern, in bytes of the regex engine's program.
const MAX_REGEX_SIZE: usize = 1 << 20;

/// A variable aqua sets for a version constraint.
#[derive(Clone, Copy, Debug)]
pub(super) enum Var {
    /// The tag as released (`cli-v2.3.0`).
    Version,
    /// The tag without the package's `version_prefix` (`v2.3.0`).
    SemVer,
}

/// A string operator.
#[derive(Clone, Copy, Debug)]
pub(super) enum TextOp {
    Contains,
    StartsWith,
    EndsWith,
}

/// A `matches` pattern: compiled now when it is a literal, else when it runs.
#[derive(Debug)]
pub(super) enum Pattern {
    Fixed(Regex),
    Computed(Box<Node>),
}

/// A checked expression.
#[derive(Debug)]
pub(super) enum Node {
    Bool(bool),
    Str(String),
    Int(i64),
    List(Vec<Node>),
    Var(Var),
    Not(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Equal {
        negate: bool,
        left: Box<Node>,
        right: Box<Node>,
    },
    In {
        negate: bool,
        item: Box<Node>,
        list: Box<Node>,
    },
    Text {
        op: TextOp,
        negate: bool,
        left: Box<Node>,
        right: Box<Node>,
    },
    Matches {
        negate: bool,
        text: Box<Node>,
        pattern: Pattern,
    },
    Semver(Box<Node>),
    SemverWithVersion(Box<Node>, Box<Node>),
    TrimPrefix(Box<Node>, Box<Node>),
    TrimSuffix(Box<Node>, Box<Node>),
}

/// The static type of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Type {
    Bool,
    Str,
    Int,
    List,
}

impl Type {
    pub(super) fn name(self) -> &'static str {
        match self {
            Type::Bool => "bool",
            Type::Str => "string",
            Type::Int => "int",
            Type::List => "array",
        }
    }
}

/// Parses and checks `tokens`, whose whole must be a boolean expression.
pub(super) fn parse(tokens: &[Token]) -> Result<Node, ExprError> {
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let (node, ty) = parser.or()?;
    if let Some(token) = parser.peek() {
        return Err(unexpected(token));
    }
    if ty != Type::Bool {
        return Err(ExprError::NotBoolean { found: ty.name() });
    }
    Ok(node)
}

struct Parser<'t> {
    tokens: &'t [Token],
    pos: usize,
    depth: usize,
}

type Typed = (Node, Type);

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_kind(&self, offset: usize) -> Option<&Kind> {
        self.tokens.get(self.pos + offset).map(|t| &t.kind)
    }

    fn is_name(&self, offset: usize, names: &[&str]) -> bool {
        matches!(self.peek_kind(offset), Some(Kind::Name(n)) if names.contains(&n.as_str()))
    }

    fn next(&mut self) -> Option<&Token> {
        let token = self.tokens.get(self.pos);
        self.pos += 1;
        token
    }

    fn expect(&mut self, kind: &Kind, what: &str) -> Result<(), ExprError> {
        match self.next() {
            Some(token) if &token.kind == kind => Ok(()),
            Some(token) => Err(ExprError::Syntax {
                at: token.at,
                message: format!("expected {what}, found {}", describe(&token.kind)),
            }),
            None => Err(ExprError::Syntax {
                at: self.end(),
                message: format!("expected {what} before the end"),
            }),
        }
    }

    fn end(&self) -> usize {
        self.tokens.last().map_or(0, |t| t.at + 1)
    }

    /// Runs `f` one nesting level deeper, or fails past [`MAX_DEPTH`].
    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, ExprError>,
    ) -> Result<T, ExprError> {
        if self.depth >= MAX_DEPTH {
            return Err(ExprError::TooDeep);
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn or(&mut self) -> Result<Typed, ExprError> {
        let mut left = self.and()?;
        while matches!(self.peek_kind(0), Some(Kind::OrOr)) || self.is_name(0, &["or"]) {
            self.next();
            let right = self.and()?;
            both_bool("or", &left, &right)?;
            left = (Node::Or(Box::new(left.0), Box::new(right.0)), Type::Bool);
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Typed, ExprError> {
        let mut left = self.comparison()?;
        while matches!(self.peek_kind(0), Some(Kind::AndAnd)) || self.is_name(0, &["and"]) {
            self.next();
            let right = self.comparison()?;
            both_bool("and", &left, &right)?;
            left = (Node::And(Box::new(left.0), Box::new(right.0)), Type::Bool);
        }
        Ok(left)
    }

    fn comparison(&mut self) -> Result<Typed, ExprError> {
        const WORDS: [&str; 5] = ["in", "contains", "startsWith", "endsWith", "matches"];
        let mut left = self.unary()?;
        loop {
            let (op, negate) = match self.peek_kind(0) {
                Some(Kind::EqEq) => ("==", false),
                Some(Kind::NotEq) => ("==", true),
                Some(Kind::Name(n)) if WORDS.contains(&n.as_str()) => (word(n), false),
                Some(Kind::Name(n)) if n == "not" => match self.peek_kind(1) {
                    Some(Kind::Name(w)) if WORDS.contains(&w.as_str()) => {
                        let op = word(w);
                        self.next();
                        (op, true)
                    }
                    _ => return Err(unexpected(&self.tokens[self.pos])),
                },
                _ => return Ok(left),
            };
            self.next();
            let right = self.unary()?;
            left = (binary(op, negate, left, right)?, Type::Bool);
        }
    }

    fn unary(&mut self) -> Result<Typed, ExprError> {
        if matches!(self.peek_kind(0), Some(Kind::Bang)) || self.is_name(0, &["not"]) {
            self.next();
            let (node, ty) = self.nested(Self::unary)?;
            if ty != Type::Bool {
                return Err(type_error(format!("`not` needs a bool, got {}", ty.name())));
            }
            return Ok((Node::Not(Box::new(node)), Type::Bool));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Typed, ExprError> {
        let Some(token) = self.next().cloned() else {
            return Err(ExprError::Syntax {
                at: self.end(),
                message: "the expression ends early".into(),
            });
        };
        match token.kind.clone() {
            Kind::Str(s) => Ok((Node::Str(s), Type::Str)),
            Kind::Int(n) => Ok((Node::Int(n), Type::Int)),
            Kind::LParen => {
                let inner = self.nested(Self::or)?;
                self.expect(&Kind::RParen, "`)`")?;
                Ok(inner)
            }
            Kind::LBracket => self.nested(Self::list),
            Kind::Name(name) => match name.as_str() {
                "true" => Ok((Node::Bool(true), Type::Bool)),
                "false" => Ok((Node::Bool(false), Type::Bool)),
                _ if matches!(self.peek_kind(0), Some(Kind::LParen)) => {
                    self.next();
                    let args = self.nested(Self::arguments)?;
                    call(&name, args)
                }
                "Version" => Ok((Node::Var(Var::Version), Type::Str)),
                "SemVer" => Ok((Node::Var(Var::SemVer), Type::Str)),
                "and" | "or" | "not" | "in" | "contains" | "startsWith" | "endsWith"
                | "matches" => Err(unexpected(&token)),
                _ => Err(ExprError::UnknownVariable { name }),
            },
            _ => Err(unexpected(&token)),
        }
    }

    /// The items of a `[…]` after its opening bracket.
    fn list(&mut self) -> Result<Typed, ExprError> {
        let mut items = Vec::new();
        while !matches!(self.peek_kind(0), Some(Kind::RBracket)) {
            items.push(self.or()?.0);
            if !matches!(self.peek_kind(0), Some(Kind::Comma)) {
                break;
            }
            self.next();
        }
        self.expect(&Kind::RBracket, "`]`")?;
        Ok((Node::List(items), Type::List))
    }

    /// The arguments of a call after its opening parenthesis.
    fn arguments(&mut self) -> Result<Vec<Typed>, ExprError> {
        let mut args = Vec::new();
        while !matches!(self.peek_kind(0), Some(Kind::RParen)) {
            args.push(self.or()?);
            if !matches!(self.peek_kind(0), Some(Kind::Comma)) {
                break;
            }
            self.next();
        }
        self.expect(&Kind::RParen, "`)`")?;
        Ok(args)
    }
}

fn word(name: &str) -> &'static str {
    match name {
        "in" => "in",
        "contains" => "contains",
        "startsWith" => "startsWith",
        "endsWith" => "endsWith",
        _ => "matches",
    }
}

fn binary(op: &'static str, negate: bool, left: Typed, right: Typed) -> Result<Node, ExprError> {
    let (l, r) = (Box::new(left.0), Box::new(right.0));
    match op {
        "==" => {
            if left.1 != right.1 || left.1 == Type::List {
                return Err(type_error(format!(
                    "cannot compare {} with {}",
                    left.1.name(),
                    right.1.name()
                )));
            }
            Ok(Node::Equal {
                negate,
                left: l,
                right: r,
            })
        }
        "in" => {
            if right.1 != Type::List {
                return Err(type_error(format!(
                    "`in` needs an array on its right, got {}",
                    right.1.name()
                )));
            }
            Ok(Node::In {
                negate,
                item: l,
                list: r,
            })
        }
        _ => {
            if left.1 != Type::Str || right.1 != Type::Str {
                return Err(type_error(format!(
                    "`{op}` needs two strings, got {} and {}",
                    left.1.name(),
                    right.1.name()
                )));
            }
            Ok(match op {
                "contains" => Node::Text {
                    op: TextOp::Contains,
                    negate,
                    left: l,
                    right: r,
                },
                "startsWith" => Node::Text {
                    op: TextOp::StartsWith,
                    negate,
                    left: l,
                    right: r,
                },
                "endsWith" => Node::Text {
                    op: TextOp::EndsWith,
                    negate,
                    left: l,
                    right: r,
                },
                _ => {
                    let pattern = match *r {
                        Node::Str(source) => Pattern::Fixed(compile_regex(&source)?),
                        computed => Pattern::Computed(Box::new(computed)),
                    };
                    Node::Matches {
                        negate,
                        text: l,
                        pattern,
                    }
                }
            })
        }
    }
}

/// Compiles a `matches` pattern (Go's RE2 syntax, which the regex crate shares) with a
/// size bound, so a short pattern cannot ask for an unbounded program.
pub(super) fn compile_regex(source: &str) -> Result<Regex, ExprError> {
    regex::RegexBuilder::new(source)
        .size_limit(MAX_REGEX_SIZE)
        .build()
        .map_err(|e| ExprError::BadRegex {
            pattern: source.to_owned(),
            reason: e.to_string(),
        })
}

fn call(name: &str, args: Vec<Typed>) -> Result<Typed, ExprError> {
    let (arity, result, usage) = match name {
        "semver" => (
            1,
            Type::Bool,
            "semver(CONSTRAINT), e.g. semver(\">= 1.2.0\")",
        ),
        "semverWithVersion" => (
            2,
            Type::Bool,
            "semverWithVersion(CONSTRAINT, VERSION), e.g. semverWithVersion(\">= 1.2.0\", trimPrefix(Version, \"cli-\"))",
        ),
        "trimPrefix" => (2, Type::Str, "trimPrefix(STRING, PREFIX)"),
        "trimSuffix" => (2, Type::Str, "trimSuffix(STRING, SUFFIX)"),
        _ => {
            return Err(ExprError::UnknownFunction {
                name: name.to_owned(),
            });
        }
    };
    let usage_error = |args: &[Typed]| {
        let got: Vec<&str> = args.iter().map(|(_, ty)| ty.name()).collect();
        type_error(format!(
            "{name} takes {arity} string argument{} ({usage}), got ({})",
            if arity == 1 { "" } else { "s" },
            got.join(", ")
        ))
    };
    if args.len() != arity || args.iter().any(|(_, ty)| *ty != Type::Str) {
        return Err(usage_error(&args));
    }
    let error = usage_error(&args);
    let mut nodes = args.into_iter().map(|(node, _)| Box::new(node));
    let node = match (name, nodes.next(), nodes.next()) {
        ("semver", Some(constraint), None) => Node::Semver(constraint),
        ("semverWithVersion", Some(constraint), Some(version)) => {
            Node::SemverWithVersion(constraint, version)
        }
        ("trimPrefix", Some(text), Some(prefix)) => Node::TrimPrefix(text, prefix),
        ("trimSuffix", Some(text), Some(suffix)) => Node::TrimSuffix(text, suffix),
        _ => return Err(error),
    };
    Ok((node, result))
}

fn both_bool(op: &str, left: &Typed, right: &Typed) -> Result<(), ExprError> {
    if left.1 == Type::Bool && right.1 == Type::Bool {
        Ok(())
    } else {
        Err(type_error(format!(
            "`{op}` needs two bools, got {} and {}",
            left.1.name(),
            right.1.name()
        )))
    }
}

fn type_error(message: String) -> ExprError {
    ExprError::Type { message }
}

fn unexpected(token: &Token) -> ExprError {
    ExprError::Syntax {
        at: token.at,
        message: format!("unexpected {}", describe(&token.kind)),
    }
}

fn describe(kind: &Kind) -> String {
    match kind {
        Kind::Name(n) => format!("`{n}`"),
        Kind::Str(s) => format!("string {s:?}"),
        Kind::Int(n) => format!("number {n}"),
        Kind::LParen => "`(`".into(),
        Kind::RParen => "`)`".into(),
        Kind::LBracket => "`[`".into(),
        Kind::RBracket => "`]`".into(),
        Kind::Comma => "`,`".into(),
        Kind::EqEq => "`==`".into(),
        Kind::NotEq => "`!=`".into(),
        Kind::Bang => "`!`".into(),
        Kind::AndAnd => "`&&`".into(),
        Kind::OrOr => "`||`".into(),
    }
}
