//! aqua's expressions: the `version_constraint` of a registry package and of each of
//! its `version_overrides`, which pick the definition that applies to a version.
//!
//! aqua compiles them with Go's expr-lang/expr and an environment of `Version` (the
//! tag), `SemVer` (the tag without the package's `version_prefix`), `semver(c)` (does
//! `SemVer` satisfy `c`?) and `semverWithVersion(c, v)`; expr-lang adds its operators and
//! builtins such as `trimPrefix`. The standard registry uses a small part of that
//! language: `true`/`false`, `semver("<= 1.2.3")` (4 in 5 of them), `Version == "v1.2.3"`,
//! `Version in ["v1", "v2"]`, `startsWith`, `contains`, `matches`, `not (…)`,
//! `and`/`&&`, `or`/`||`, parentheses, and `semverWithVersion(">= 4.2.0",
//! trimPrefix(Version, "cli-"))`.
//!
//! This module evaluates exactly that part (plus `endsWith`, `trimSuffix`, `!`, `!=` and
//! the `not in`-style negations) with a small parser of its own rather than the
//! `expr-lang` crate: that crate implements the whole language, including ranges
//! (`0..9223372036854775807` builds the array) and loops, so a 30-byte expression from a
//! registry could allocate without bound, and its pest parser recurses without a depth
//! limit; it would also add pest's code generator to the build. Here an expression is
//! at most [`MAX_LEN`] bytes, nests at most 32 levels, is type-checked before it runs
//! (as aqua checks it when compiling), and runs in time linear in its length. Anything
//! outside the subset is a clear error naming what is supported.
//!
//! `semver(…)` follows aqua's own rules, not Masterminds/semver's: see
//! `expr/go_version.rs` (comma-separated `>=`, `<=`, `!=`, `>`, `<`, `=` comparisons;
//! `~`, `^`, `||` inside the string are errors or never match).

mod eval;
mod go_version;
mod lexer;
mod parser;

use thiserror::Error;

/// Longest expression accepted, in bytes; the standard registry's longest is ~400.
pub(crate) const MAX_LEN: usize = 1024;

/// Why an expression cannot be compiled or evaluated.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ExprError {
    /// The expression is longer than [`MAX_LEN`] bytes.
    #[error("the expression is {len} bytes long; at most {MAX_LEN} are accepted")]
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// Parentheses, lists, calls or `not`s nest deeper than 32 levels.
    #[error("the expression nests deeper than 32 levels")]
    TooDeep,
    /// The text is not an expression of the supported language.
    #[error("syntax error at byte {at}: {message}")]
    Syntax {
        /// Byte offset of the problem.
        at: usize,
        /// What is wrong there.
        message: String,
    },
    /// A call to a function this evaluator does not know.
    #[error(
        "unknown function `{name}`; the supported functions are semver, semverWithVersion, \
         trimPrefix and trimSuffix"
    )]
    UnknownFunction {
        /// The function's name.
        name: String,
    },
    /// A name that is not one of the variables aqua sets.
    #[error("unknown variable `{name}`; the variables are Version and SemVer")]
    UnknownVariable {
        /// The name.
        name: String,
    },
    /// An operator or function was given values of the wrong type.
    #[error("type error: {message}")]
    Type {
        /// What was expected and what was found.
        message: String,
    },
    /// The whole expression is not a boolean (`"true"` is a string; write `true`).
    #[error("the expression must give a bool, but it gives a {found}")]
    NotBoolean {
        /// The type it gives.
        found: &'static str,
    },
    /// A `matches` pattern is not a valid regular expression.
    #[error("invalid regular expression {pattern:?}: {reason}")]
    BadRegex {
        /// The pattern.
        pattern: String,
        /// The regex engine's explanation.
        reason: String,
    },
    /// A `semver(…)` constraint holds a comparison without an operator.
    #[error(
        "invalid comparison {comparison:?} in a semver constraint: each comma-separated \
         comparison must start with >=, <=, !=, >, < or = (aqua has no ~, ^ or ||)"
    )]
    SemverOperator {
        /// The comparison.
        comparison: String,
    },
}

/// The values an expression can read.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Vars<'a> {
    /// `Version`: the release tag as published (`cli-v2.3.0`).
    pub version: &'a str,
    /// `SemVer`: the tag without the package's `version_prefix` (`v2.3.0`); what
    /// `semver(…)` compares.
    pub semver: &'a str,
}

/// A compiled, type-checked expression, to evaluate against many versions.
#[derive(Debug)]
pub(crate) struct Expr {
    root: parser::Node,
}

impl Expr {
    /// Compiles `source`: checks its length, syntax, names and types.
    pub(crate) fn parse(source: &str) -> Result<Expr, ExprError> {
        if source.len() > MAX_LEN {
            return Err(ExprError::TooLong { len: source.len() });
        }
        let tokens = lexer::tokenize(source)?;
        Ok(Expr {
            root: parser::parse(&tokens)?,
        })
    }

    /// Evaluates the expression with these variables.
    pub(crate) fn eval(&self, vars: &Vars<'_>) -> Result<bool, ExprError> {
        eval::eval_bool(&self.root, vars)
    }
}

/// Evaluates `expr` for the tag `version` of a package without a `version_prefix`
/// (so `SemVer` is `version` too).
pub(crate) fn eval(expr: &str, version: &str) -> Result<bool, ExprError> {
    Expr::parse(expr)?.eval(&Vars {
        version,
        semver: version,
    })
}

#[cfg(test)]
mod tests;
