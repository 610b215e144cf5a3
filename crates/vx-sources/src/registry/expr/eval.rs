//! Runs a checked syntax tree. Types were checked when it was parsed, so a value of an
//! unexpected type here is reported as a type error rather than trusted.

use super::go_version;
use super::parser::{Node, Pattern, TextOp, Var, compile_regex};
use super::{ExprError, Vars};

/// A value while evaluating.
#[derive(Debug, PartialEq)]
enum Value {
    Bool(bool),
    Str(String),
    Int(i64),
    List(Vec<Value>),
}

/// Evaluates `node`, which must give a bool.
pub(super) fn eval_bool(node: &Node, vars: &Vars<'_>) -> Result<bool, ExprError> {
    match eval(node, vars)? {
        Value::Bool(b) => Ok(b),
        other => Err(ExprError::NotBoolean {
            found: kind(&other),
        }),
    }
}

fn eval_str(node: &Node, vars: &Vars<'_>) -> Result<String, ExprError> {
    match eval(node, vars)? {
        Value::Str(s) => Ok(s),
        other => Err(ExprError::Type {
            message: format!("expected a string, got {}", kind(&other)),
        }),
    }
}

fn eval(node: &Node, vars: &Vars<'_>) -> Result<Value, ExprError> {
    Ok(match node {
        Node::Bool(b) => Value::Bool(*b),
        Node::Str(s) => Value::Str(s.clone()),
        Node::Int(n) => Value::Int(*n),
        Node::List(items) => Value::List(
            items
                .iter()
                .map(|item| eval(item, vars))
                .collect::<Result<_, _>>()?,
        ),
        Node::Var(Var::Version) => Value::Str(vars.version.to_owned()),
        Node::Var(Var::SemVer) => Value::Str(vars.semver.to_owned()),
        Node::Not(inner) => Value::Bool(!eval_bool(inner, vars)?),
        Node::And(a, b) => Value::Bool(eval_bool(a, vars)? && eval_bool(b, vars)?),
        Node::Or(a, b) => Value::Bool(eval_bool(a, vars)? || eval_bool(b, vars)?),
        Node::Equal {
            negate,
            left,
            right,
        } => Value::Bool((eval(left, vars)? == eval(right, vars)?) != *negate),
        Node::In { negate, item, list } => {
            let item = eval(item, vars)?;
            let found = match eval(list, vars)? {
                Value::List(items) => items.contains(&item),
                other => {
                    return Err(ExprError::Type {
                        message: format!("`in` needs an array, got {}", kind(&other)),
                    });
                }
            };
            Value::Bool(found != *negate)
        }
        Node::Text {
            op,
            negate,
            left,
            right,
        } => {
            let (text, part) = (eval_str(left, vars)?, eval_str(right, vars)?);
            let holds = match op {
                TextOp::Contains => text.contains(&part),
                TextOp::StartsWith => text.starts_with(&part),
                TextOp::EndsWith => text.ends_with(&part),
            };
            Value::Bool(holds != *negate)
        }
        Node::Matches {
            negate,
            text,
            pattern,
        } => {
            let text = eval_str(text, vars)?;
            let found = match pattern {
                Pattern::Fixed(regex) => regex.is_match(&text),
                Pattern::Computed(source) => {
                    compile_regex(&eval_str(source, vars)?)?.is_match(&text)
                }
            };
            Value::Bool(found != *negate)
        }
        Node::Semver(constraint) => semver(&eval_str(constraint, vars)?, vars.semver)?,
        Node::SemverWithVersion(constraint, version) => {
            semver(&eval_str(constraint, vars)?, &eval_str(version, vars)?)?
        }
        Node::TrimPrefix(text, prefix) => {
            let (text, prefix) = (eval_str(text, vars)?, eval_str(prefix, vars)?);
            Value::Str(
                text.strip_prefix(prefix.as_str())
                    .unwrap_or(&text)
                    .to_owned(),
            )
        }
        Node::TrimSuffix(text, suffix) => {
            let (text, suffix) = (eval_str(text, vars)?, eval_str(suffix, vars)?);
            Value::Str(
                text.strip_suffix(suffix.as_str())
                    .unwrap_or(&text)
                    .to_owned(),
            )
        }
    })
}

fn semver(constraint: &str, version: &str) -> Result<Value, ExprError> {
    go_version::satisfies(constraint, version)
        .map(Value::Bool)
        .map_err(|e| ExprError::SemverOperator { comparison: e.0 })
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Bool(_) => "bool",
        Value::Str(_) => "string",
        Value::Int(_) => "int",
        Value::List(_) => "array",
    }
}
