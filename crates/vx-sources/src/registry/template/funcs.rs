//! The functions a template may call: Go's built-ins, aqua's `trimV`, and the sprig
//! functions the registry uses, each with its name, its number of arguments and what it
//! does. `and` and `or` stop at their first deciding argument, so the evaluator applies
//! them itself.

use super::MAX_OUTPUT_BYTES;
use super::semver::Version;
use super::value::Value;

/// A function a template may call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Func {
    /// `and X Y…`: the first false argument, or the last.
    And,
    /// `or X Y…`: the first true argument, or the last.
    Or,
    /// `not X`.
    Not,
    /// `eq X Y…`: whether X equals any of the others.
    Eq,
    /// `ne X Y`.
    Ne,
    /// `lt X Y`.
    Lt,
    /// `le X Y`.
    Le,
    /// `gt X Y`.
    Gt,
    /// `ge X Y`.
    Ge,
    /// `index X I…`: an element of a list, a byte of a string, an entry of `.Vars`.
    Index,
    /// `len X`.
    Len,
    /// `trimV S`: S without one leading `v` (aqua's own).
    TrimV,
    /// `trimPrefix PREFIX S`.
    TrimPrefix,
    /// `trimSuffix SUFFIX S`.
    TrimSuffix,
    /// `trim S`: without surrounding white space.
    Trim,
    /// `trimAll CUTSET S`: without leading and trailing characters of CUTSET.
    TrimAll,
    /// `replace OLD NEW S`: every OLD in S replaced by NEW.
    Replace,
    /// `title S`: each word's first letter upper-cased, as Go's `strings.Title`.
    Title,
    /// `lower S`.
    Lower,
    /// `upper S`.
    Upper,
    /// `contains SUB S`.
    Contains,
    /// `hasPrefix PREFIX S`.
    HasPrefix,
    /// `hasSuffix SUFFIX S`.
    HasSuffix,
    /// `splitList SEP S`: S's pieces between SEPs.
    SplitList,
    /// `join SEP LIST`.
    Join,
    /// `regexFind RE S`: the first match of RE in S, or "".
    RegexFind,
    /// `semver S`: S read as a semantic version (`.Major`, `.Minor`, `.Patch`…).
    Semver,
}

/// How many arguments a function takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Arity {
    /// Exactly this many.
    Exactly(usize),
    /// This many or more.
    AtLeast(usize),
}

impl Arity {
    /// Whether `given` arguments fit.
    pub(crate) fn accepts(self, given: usize) -> bool {
        match self {
            Arity::Exactly(n) => given == n,
            Arity::AtLeast(n) => given >= n,
        }
    }
}

impl std::fmt::Display for Arity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Arity::Exactly(n) => write!(f, "{n}"),
            Arity::AtLeast(n) => write!(f, "at least {n}"),
        }
    }
}

/// Every function, for lookups by name.
const ALL: [Func; 27] = [
    Func::And,
    Func::Or,
    Func::Not,
    Func::Eq,
    Func::Ne,
    Func::Lt,
    Func::Le,
    Func::Gt,
    Func::Ge,
    Func::Index,
    Func::Len,
    Func::TrimV,
    Func::TrimPrefix,
    Func::TrimSuffix,
    Func::Trim,
    Func::TrimAll,
    Func::Replace,
    Func::Title,
    Func::Lower,
    Func::Upper,
    Func::Contains,
    Func::HasPrefix,
    Func::HasSuffix,
    Func::SplitList,
    Func::Join,
    Func::RegexFind,
    Func::Semver,
];

impl Func {
    /// The function named `name`, if templates have it.
    pub(crate) fn lookup(name: &str) -> Option<Func> {
        ALL.into_iter().find(|f| f.name() == name)
    }

    /// Its name in templates.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Func::And => "and",
            Func::Or => "or",
            Func::Not => "not",
            Func::Eq => "eq",
            Func::Ne => "ne",
            Func::Lt => "lt",
            Func::Le => "le",
            Func::Gt => "gt",
            Func::Ge => "ge",
            Func::Index => "index",
            Func::Len => "len",
            Func::TrimV => "trimV",
            Func::TrimPrefix => "trimPrefix",
            Func::TrimSuffix => "trimSuffix",
            Func::Trim => "trim",
            Func::TrimAll => "trimAll",
            Func::Replace => "replace",
            Func::Title => "title",
            Func::Lower => "lower",
            Func::Upper => "upper",
            Func::Contains => "contains",
            Func::HasPrefix => "hasPrefix",
            Func::HasSuffix => "hasSuffix",
            Func::SplitList => "splitList",
            Func::Join => "join",
            Func::RegexFind => "regexFind",
            Func::Semver => "semver",
        }
    }

    /// How many arguments it takes.
    pub(crate) fn arity(self) -> Arity {
        match self {
            Func::And | Func::Or | Func::Index => Arity::AtLeast(1),
            Func::Eq => Arity::AtLeast(2),
            Func::Not
            | Func::Len
            | Func::TrimV
            | Func::Trim
            | Func::Title
            | Func::Lower
            | Func::Upper
            | Func::Semver => Arity::Exactly(1),
            Func::Replace => Arity::Exactly(3),
            Func::Ne
            | Func::Lt
            | Func::Le
            | Func::Gt
            | Func::Ge
            | Func::TrimPrefix
            | Func::TrimSuffix
            | Func::TrimAll
            | Func::Contains
            | Func::HasPrefix
            | Func::HasSuffix
            | Func::SplitList
            | Func::Join
            | Func::RegexFind => Arity::Exactly(2),
        }
    }

    /// Applies every function but `and` and `or` to its evaluated arguments (the piped
    /// value last). The parser checked the count; an error is a message in words.
    pub(crate) fn apply<'v>(self, args: Vec<Value<'v>>) -> Result<Value<'v>, FuncError> {
        let value = match self {
            Func::And | Func::Or => {
                // The evaluator applies these lazily; applied here, the same result.
                let decided = args.iter().position(|a| a.is_true() == (self == Func::Or));
                let at = decided.unwrap_or(args.len().saturating_sub(1));
                return args.into_iter().nth(at).ok_or(FuncError::NoArguments);
            }
            Func::Not => Value::Bool(!arg(&args, 0)?.is_true()),
            Func::Eq => {
                let first = arg(&args, 0)?;
                let mut any = false;
                for other in &args[1..] {
                    any |= compare(first, other)? == std::cmp::Ordering::Equal;
                }
                Value::Bool(any)
            }
            Func::Ne => Value::Bool(compare(arg(&args, 0)?, arg(&args, 1)?)?.is_ne()),
            Func::Lt => Value::Bool(ordered(&args)?.is_lt()),
            Func::Le => Value::Bool(ordered(&args)?.is_le()),
            Func::Gt => Value::Bool(ordered(&args)?.is_gt()),
            Func::Ge => Value::Bool(ordered(&args)?.is_ge()),
            Func::Index => return index(args),
            Func::Len => Value::Int(match arg(&args, 0)? {
                Value::Str(s) => s.len() as i128,
                Value::List(items) => items.len() as i128,
                Value::Map(map) => map.len() as i128,
                other => return Err(FuncError::LenOf { kind: other.kind() }),
            }),
            Func::TrimV => {
                let s = string(&args, 0)?;
                Value::Str(s.strip_prefix('v').unwrap_or(s).to_owned())
            }
            Func::TrimPrefix => {
                let (prefix, s) = (string(&args, 0)?, string(&args, 1)?);
                Value::Str(s.strip_prefix(prefix).unwrap_or(s).to_owned())
            }
            Func::TrimSuffix => {
                let (suffix, s) = (string(&args, 0)?, string(&args, 1)?);
                Value::Str(s.strip_suffix(suffix).unwrap_or(s).to_owned())
            }
            Func::Trim => Value::Str(string(&args, 0)?.trim().to_owned()),
            Func::TrimAll => {
                let (cutset, s) = (string(&args, 0)?, string(&args, 1)?);
                Value::Str(s.trim_matches(|c| cutset.contains(c)).to_owned())
            }
            Func::Replace => {
                let (old, new, s) = (string(&args, 0)?, string(&args, 1)?, string(&args, 2)?);
                Value::Str(replace(s, old, new)?)
            }
            Func::Title => Value::Str(title(string(&args, 0)?)),
            Func::Lower => Value::Str(string(&args, 0)?.to_lowercase()),
            Func::Upper => Value::Str(string(&args, 0)?.to_uppercase()),
            Func::Contains => Value::Bool(string(&args, 1)?.contains(string(&args, 0)?)),
            Func::HasPrefix => Value::Bool(string(&args, 1)?.starts_with(string(&args, 0)?)),
            Func::HasSuffix => Value::Bool(string(&args, 1)?.ends_with(string(&args, 0)?)),
            Func::SplitList => {
                let (sep, s) = (string(&args, 0)?, string(&args, 1)?);
                Value::List(if sep.is_empty() {
                    s.chars().map(String::from).collect()
                } else {
                    s.split(sep).map(str::to_owned).collect()
                })
            }
            Func::Join => {
                let sep = string(&args, 0)?;
                match arg(&args, 1)? {
                    Value::List(items) => {
                        let total = items.iter().map(String::len).sum::<usize>()
                            + sep.len().saturating_mul(items.len().saturating_sub(1));
                        within_limit(total)?;
                        Value::Str(items.join(sep))
                    }
                    Value::Str(s) => Value::Str(s.clone()),
                    other => return Err(FuncError::JoinOf { kind: other.kind() }),
                }
            }
            Func::RegexFind => {
                let (pattern, s) = (string(&args, 0)?, string(&args, 1)?);
                let regex = regex::RegexBuilder::new(pattern)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(FuncError::Regex)?;
                Value::Str(regex.find(s).map_or("", |m| m.as_str()).to_owned())
            }
            Func::Semver => Value::Version(Box::new(Version::parse(string(&args, 0)?)?)),
        };
        if let Value::Str(s) = &value {
            within_limit(s.len())?;
        }
        if let Value::List(items) = &value {
            within_limit(items.iter().map(String::len).sum())?;
        }
        Ok(value)
    }
}

/// Why a function cannot be applied to its arguments.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FuncError {
    /// `and`/`or` without arguments.
    #[error("no arguments")]
    NoArguments,
    /// Fewer arguments than the function reads.
    #[error("missing argument")]
    MissingArgument,
    /// An argument that must be a string.
    #[error("argument {position} must be a string, not a {kind}")]
    NotAString {
        /// Its 1-based position.
        position: usize,
        /// What it is.
        kind: &'static str,
    },
    /// `len` of a value without a length.
    #[error("len of a {kind}")]
    LenOf {
        /// What the value is.
        kind: &'static str,
    },
    /// `join` of a value that is not a list.
    #[error("join of a {kind}")]
    JoinOf {
        /// What the value is.
        kind: &'static str,
    },
    /// `regexFind`'s pattern is no regular expression.
    #[error("regexFind: invalid regular expression: {0}")]
    Regex(#[source] regex::Error),
    /// `semver` of a text that is no semantic version.
    #[error(transparent)]
    Semver(#[from] super::semver::SemverError),
    /// Values of two kinds compared.
    #[error("cannot compare a {a} with a {b}")]
    Compare {
        /// The first's kind.
        a: &'static str,
        /// The second's kind.
        b: &'static str,
    },
    /// `lt`, `le`, `gt` or `ge` of booleans.
    #[error("booleans have no order")]
    BooleanOrder,
    /// An index past a list's end.
    #[error("index {index} out of range for {len} items")]
    ListIndex {
        /// The index.
        index: i128,
        /// The list's length.
        len: usize,
    },
    /// An index past a string's end.
    #[error("index {index} out of range for {len} bytes")]
    ByteIndex {
        /// The index.
        index: i128,
        /// The string's length.
        len: usize,
    },
    /// A key `.Vars` does not hold.
    #[error("no entry {key:?} in .Vars")]
    NoEntry {
        /// The key.
        key: String,
    },
    /// `index` of a value by a key of the wrong kind.
    #[error("cannot index a {value} with a {key}")]
    CannotIndex {
        /// The value's kind.
        value: &'static str,
        /// The key's kind.
        key: &'static str,
    },
    /// A value past [`MAX_OUTPUT_BYTES`].
    #[error("value too large")]
    TooLarge,
}

fn within_limit(len: usize) -> Result<(), FuncError> {
    if len > MAX_OUTPUT_BYTES {
        Err(FuncError::TooLarge)
    } else {
        Ok(())
    }
}

fn arg<'a, 'v>(args: &'a [Value<'v>], i: usize) -> Result<&'a Value<'v>, FuncError> {
    args.get(i).ok_or(FuncError::MissingArgument)
}

/// Argument `i`, which must be a string (Go converts nothing to a string parameter).
fn string<'a>(args: &'a [Value<'_>], i: usize) -> Result<&'a str, FuncError> {
    match arg(args, i)? {
        Value::Str(s) => Ok(s),
        other => Err(FuncError::NotAString {
            position: i + 1,
            kind: other.kind(),
        }),
    }
}

/// Go's comparison of two basic values of the same kind.
fn compare(a: &Value<'_>, b: &Value<'_>) -> Result<std::cmp::Ordering, FuncError> {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Ok(x.cmp(y)),
        (Value::Int(x), Value::Int(y)) => Ok(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Ok(x.cmp(y)),
        _ => Err(FuncError::Compare {
            a: a.kind(),
            b: b.kind(),
        }),
    }
}

/// `lt`, `le`, `gt` and `ge` order strings and integers only.
fn ordered(args: &[Value<'_>]) -> Result<std::cmp::Ordering, FuncError> {
    let (a, b) = (arg(args, 0)?, arg(args, 1)?);
    if let Value::Bool(_) = a {
        return Err(FuncError::BooleanOrder);
    }
    compare(a, b)
}

/// Go's `index`: each index steps into the value so far.
fn index(args: Vec<Value<'_>>) -> Result<Value<'_>, FuncError> {
    let mut args = args.into_iter();
    let mut value = args.next().ok_or(FuncError::MissingArgument)?;
    for key in args {
        value = match (&value, &key) {
            (Value::List(items), Value::Int(i)) => usize::try_from(*i)
                .ok()
                .and_then(|i| items.get(i))
                .map(|item| Value::Str(item.clone()))
                .ok_or(FuncError::ListIndex {
                    index: *i,
                    len: items.len(),
                })?,
            (Value::Str(s), Value::Int(i)) => usize::try_from(*i)
                .ok()
                .and_then(|i| s.as_bytes().get(i))
                .map(|byte| Value::Int(i128::from(*byte)))
                .ok_or(FuncError::ByteIndex {
                    index: *i,
                    len: s.len(),
                })?,
            (Value::Map(map), Value::Str(k)) => map
                .get(k)
                .map(|v| Value::Str(v.clone()))
                .ok_or_else(|| FuncError::NoEntry { key: k.clone() })?,
            _ => {
                return Err(FuncError::CannotIndex {
                    value: value.kind(),
                    key: key.kind(),
                });
            }
        };
    }
    Ok(value)
}

/// `strings.Replace(s, old, new, -1)`, refusing before it allocates past the limit
/// (an empty `old` inserts `new` around every character, as in Go).
fn replace(s: &str, old: &str, new: &str) -> Result<String, FuncError> {
    let count = if old.is_empty() {
        s.chars().count() + 1
    } else {
        s.matches(old).count()
    };
    let len = (s.len() - count.saturating_mul(old.len()).min(s.len()))
        .saturating_add(count.saturating_mul(new.len()));
    within_limit(len)?;
    Ok(s.replace(old, new))
}

/// Go's `strings.Title`: a letter after a separator (in ASCII anything but a letter,
/// digit or `_`; beyond it, white space) is upper-cased.
fn title(s: &str) -> String {
    let is_separator = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else {
            c.is_whitespace()
        }
    };
    let mut out = String::with_capacity(s.len());
    let mut previous = ' ';
    for c in s.chars() {
        if is_separator(previous) {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        previous = c;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_function_is_found_by_its_own_name() {
        for func in ALL {
            assert_eq!(Func::lookup(func.name()), Some(func));
        }
        assert_eq!(Func::lookup("toLower"), None);
    }
}
