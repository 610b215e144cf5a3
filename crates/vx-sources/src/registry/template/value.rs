//! The values a template computes with, Go's truth over them, and how each prints.

use std::collections::BTreeMap;

use super::semver::Version;

/// A value during rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Value<'v> {
    /// A string: every field, literal and string function's result.
    Str(String),
    /// A comparison's or `contains`'s result, or a literal.
    Bool(bool),
    /// An integer literal, a length, or a version's number.
    Int(i128),
    /// `splitList`'s result.
    List(Vec<String>),
    /// `semver`'s result, whose fields are `.Major`, `.Minor`, `.Patch`…
    Version(Box<Version>),
    /// `.Vars`: the package's variables.
    Map(&'v BTreeMap<String, String>),
}

impl Value<'_> {
    /// The kind's name, for errors.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::List(_) => "list",
            Value::Version(_) => "version",
            Value::Map(_) => "map",
        }
    }

    /// Go's truth: false, 0, and an empty string, list or map are false.
    pub(crate) fn is_true(&self) -> bool {
        match self {
            Value::Str(s) => !s.is_empty(),
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::List(items) => !items.is_empty(),
            Value::Version(_) => true,
            Value::Map(map) => !map.is_empty(),
        }
    }

    /// The value as Go's `fmt.Print` writes it, or `None` for a map: printing `.Vars`
    /// whole is never part of a URL.
    pub(crate) fn printed(&self) -> Option<String> {
        Some(match self {
            Value::Str(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::List(items) => format!("[{}]", items.join(" ")),
            Value::Version(version) => version.to_string(),
            Value::Map(_) => return None,
        })
    }
}
