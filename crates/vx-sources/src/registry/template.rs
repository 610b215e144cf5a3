//! aqua's template language: the Go `text/template` subset that the standard registry's
//! `asset`, `url`, `files[].src`, `checksum.asset` and friends are written in, e.g.
//! `ripgrep-{{.Version}}-{{.Arch}}-{{.OS}}.{{.Format}}` or
//! `{{.AssetWithoutExt}}/rg{{if eq .GOOS "windows"}}.exe{{end}}`.
//!
//! A template is parsed once ([`Template::parse`]) and rendered per platform
//! ([`Template::render`]) with that platform's [`Vars`]. The subset:
//!
//! - text outside `{{ … }}` is copied verbatim; `{{- ` and ` -}}` trim the white space
//!   before and after an action, and `{{/* … */}}` is a comment;
//! - fields `.Version`, `.SemVer`, `.OS`, `.Arch`, `.GOOS`, `.GOARCH`, `.Format`,
//!   `.Asset`, `.AssetWithoutExt`, `.FileName` and `.Vars.NAME`; string literals (`"…"`
//!   with Go's escapes, raw `` `…` ``), integers, `true` and `false`;
//! - calls with arguments, parenthesised pipelines (`(semver .Version).Major`) and
//!   pipelines `x | f a`, where the piped value is the last argument, as in Go;
//! - `if` / `else if` / `else` / `end`, with Go's truth (an empty string is false);
//! - Go's `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `and`, `or`, `not`, `index`, `len`, and
//!   the functions aqua gives templates that the registry uses: its own `trimV`, and
//!   sprig's `trimPrefix`, `trimSuffix`, `trim`, `trimAll`, `replace`, `title`, `lower`,
//!   `upper`, `contains`, `hasPrefix`, `hasSuffix`, `splitList`, `join`, `regexFind` and
//!   `semver` (with sprig's argument orders: `trimPrefix PREFIX STR`,
//!   `replace OLD NEW STR`).
//!
//! Where Go would print `<no value>` for a field the data lacks, this is an error: a
//! wrong URL must never be fetched. An unknown field or function, a wrong number of
//! arguments, or an action vx does not support (`range`, `with`, variables) is a parse
//! error, so a registry's mistakes surface when it is read, not at install time.
//!
//! A registry is untrusted input: a template longer than [`MAX_TEMPLATE_BYTES`], nested
//! deeper than [`MAX_DEPTH`] or producing more than [`MAX_OUTPUT_BYTES`] is an error, and
//! no input makes parsing or rendering panic or loop.

mod eval;
mod funcs;
mod lex;
mod parse;
mod semver;
#[cfg(test)]
mod tests;
mod value;

use std::collections::BTreeMap;
use std::fmt;

/// The longest template accepted, in bytes (the registry's longest is under 300).
pub(crate) const MAX_TEMPLATE_BYTES: usize = 4 * 1024;
/// The deepest nesting accepted: `if` blocks and parentheses together.
pub(crate) const MAX_DEPTH: usize = 32;
/// The most a render may produce, in bytes, for its output and for any value on the way.
pub(crate) const MAX_OUTPUT_BYTES: usize = 64 * 1024;

/// A parsed template, ready to render with any [`Vars`].
#[derive(Debug, Clone)]
pub(crate) struct Template {
    nodes: Vec<parse::Node>,
}

impl Template {
    /// Parses `text`, checking every function's name and number of arguments and every
    /// field's name.
    pub(crate) fn parse(text: &str) -> Result<Template, TemplateError> {
        if text.len() > MAX_TEMPLATE_BYTES {
            return Err(TemplateError::TooLong {
                len: text.len(),
                limit: MAX_TEMPLATE_BYTES,
            });
        }
        let tokens = lex::lex(text)?;
        let nodes = parse::parse(text, &tokens)?;
        Ok(Template { nodes })
    }

    /// Renders the template with `vars`: an error if it uses a field `vars` leaves
    /// unset, a function fails (a bad regular expression, a version `semver` cannot
    /// read, an index out of range), or the output grows past [`MAX_OUTPUT_BYTES`].
    pub(crate) fn render(&self, vars: &Vars) -> Result<String, TemplateError> {
        eval::render(&self.nodes, vars)
    }
}

/// The values a template may read, as aqua passes them. A field left `None` is not
/// available where this template is rendered (aqua gives `url` no `.Asset`, for
/// instance): a template that reads it fails to render, naming it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Vars {
    /// `.Version`: the release's tag as the registry names it (`v14.1.0`).
    pub version: Option<String>,
    /// `.SemVer`: the version with the package's `version_prefix` removed.
    pub semver: Option<String>,
    /// `.OS`: `.GOOS` after the package's `replacements`.
    pub os: Option<String>,
    /// `.Arch`: `.GOARCH` after `replacements` (and `rosetta2`, `windows_arm_emulation`).
    pub arch: Option<String>,
    /// `.GOOS`: Go's name of the target OS (`linux`, `darwin`, `windows`).
    pub goos: Option<String>,
    /// `.GOARCH`: Go's name of the target architecture (`amd64`, `arm64`).
    pub goarch: Option<String>,
    /// `.Format`: the package's archive format for this platform (`tar.gz`, `raw`).
    pub format: Option<String>,
    /// `.Asset`: the rendered asset name (in `files[].src` and `checksum` templates).
    pub asset: Option<String>,
    /// `.AssetWithoutExt`: the asset name without its archive extension.
    pub asset_without_ext: Option<String>,
    /// `.FileName`: the `files[].name` being located (in `files[].src`).
    pub file_name: Option<String>,
    /// `.Vars.NAME`: the package's `vars`, as the project set them.
    pub vars: BTreeMap<String, String>,
}

/// A line and column (both from 1, the column in characters) in a template's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    /// The line, from 1.
    pub line: usize,
    /// The column in characters, from 1.
    pub column: usize,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Why a template could not be parsed or rendered; each names where and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The template is longer than [`MAX_TEMPLATE_BYTES`].
    #[error("the template is {len} bytes long; the limit is {limit}")]
    TooLong {
        /// The template's length in bytes.
        len: usize,
        /// [`MAX_TEMPLATE_BYTES`].
        limit: usize,
    },
    /// The text is not a template of the supported syntax.
    #[error("{pos}: {message}")]
    Syntax {
        /// Where.
        pos: Pos,
        /// What is wrong, in words.
        message: String,
    },
    /// `if` blocks and parentheses nest deeper than [`MAX_DEPTH`].
    #[error("{pos}: nested deeper than {limit} levels")]
    TooDeep {
        /// Where the level past the limit opens.
        pos: Pos,
        /// [`MAX_DEPTH`].
        limit: usize,
    },
    /// A function aqua's templates do not have (or vx does not support).
    #[error("{pos}: unknown function {name:?}")]
    UnknownFunction {
        /// Where it is called.
        pos: Pos,
        /// Its name.
        name: String,
    },
    /// A field aqua never passes to a template (`.Foo`).
    #[error("{pos}: unknown field .{name}")]
    UnknownField {
        /// Where it is read.
        pos: Pos,
        /// Its name.
        name: String,
    },
    /// A function called with the wrong number of arguments (the piped value counts).
    #[error("{pos}: {name} takes {expected} argument(s), given {given}")]
    Arity {
        /// Where it is called.
        pos: Pos,
        /// The function.
        name: &'static str,
        /// How many it takes (`2`, `at least 2`).
        expected: String,
        /// How many it was given.
        given: usize,
    },
    /// A field that exists but has no value where this template is rendered, or a
    /// `.Vars` entry the package does not set.
    #[error("{pos}: {field} has no value here")]
    Unset {
        /// Where it is read.
        pos: Pos,
        /// The field as written (`.Asset`, `.Vars.channel`).
        field: String,
    },
    /// A function or field met a value it cannot work with, or failed.
    #[error("{pos}: {message}")]
    Eval {
        /// Where.
        pos: Pos,
        /// What went wrong, in words.
        message: String,
    },
    /// The output, or a value on the way to it, grew past [`MAX_OUTPUT_BYTES`].
    #[error("{pos}: the output would exceed {limit} bytes")]
    TooLarge {
        /// The action that grew too large.
        pos: Pos,
        /// [`MAX_OUTPUT_BYTES`].
        limit: usize,
    },
}
