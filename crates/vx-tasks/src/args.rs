//! A task's arguments: the words after `vx run TASK`, read against its declared
//! `args` (positional ones in order, `--NAME VALUE` options, `--NAME` flags), put into
//! its commands, and shown by `vx run TASK --help`.
//!
//! In a command, `{{NAME}}` is a declared argument's value and `{args}` (or
//! `{{args}}`) all the words as given; each is quoted for the shell, so it reaches the
//! program as one word, unchanged. A task that declares no arguments and places them
//! nowhere passes them on ([`passed_on`]): `crate::command` gives them to its command;
//! so does a task whose words are left [`unread`] (`vx run t -- --help`, as mise).

use std::collections::BTreeMap;
use std::ffi::OsString;

use vx_model::task::{ArgKind, Task, TaskArg};

/// The values of a task's declared arguments (every one: given, taken from the
/// environment, or its default).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Values {
    /// Each declared argument's value by name (a flag: `true`, `false` when turned
    /// off, or its default, else empty; a variadic argument: its words joined by
    /// spaces).
    pub named: BTreeMap<String, String>,
    /// The words as given, for `{args}` (and, for a task without declared
    /// arguments, the words appended).
    pub raw: Vec<String>,
    /// A variadic argument's words, by its name.
    words: BTreeMap<String, Vec<String>>,
    /// The arguments whose value was taken from the environment, each with the
    /// variable's name: what a task's key holds as `${VAR}` and the value's hash.
    from_env: BTreeMap<String, String>,
    /// The words were not read against the declared arguments ([`unread`]): they are
    /// passed on as they are, as a task that declares none passes them on.
    pub(crate) unread: bool,
}

impl Values {
    /// The variable the value of the argument `name` was taken from, if it was.
    pub(crate) fn env_source(&self, name: &str) -> Option<&str> {
        self.from_env.get(name).map(String::as_str)
    }

    /// These values as a task's key holds them: each taken from the environment as
    /// the variable's template (`${VAR}`), never the value itself (which the key
    /// holds hashed, [`env()`]).
    pub fn keyed(&self) -> Values {
        let mut keyed = self.clone();
        for (name, var) in &self.from_env {
            let template = format!("${{{var}}}");
            if let Some(words) = keyed.words.get_mut(name) {
                *words = vec![template.clone()];
            }
            keyed.named.insert(name.clone(), template);
        }
        keyed
    }
}

/// Whether the words ask for the task's help: `--help`, or `-h` unless the task
/// gives `-h` to an argument of its own (usage's `flag "-h --host <host>"`).
pub fn wants_help(task: &Task, words: &[OsString]) -> bool {
    let h_is_help = !task.args.iter().any(|a| a.short == Some('h'));
    words
        .iter()
        .any(|w| w == "--help" || (h_is_help && w == "-h"))
}

/// Why a task's words are not the arguments it takes, or its commands cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ArgsError {
    /// A word that is not UTF-8.
    #[error("the argument {word} is not valid UTF-8")]
    NotUtf8 {
        /// The word, lossily.
        word: String,
    },
    /// An option the task does not declare (`name` as written after its dashes).
    #[error("task `{task}` has no option --{name}; `vx run {task} --help` lists its arguments")]
    NoOption {
        /// The task.
        task: String,
        /// The option.
        name: String,
    },
    /// A `-x` whose letter no option or flag of the task has (later in a cluster: `-nz`).
    #[error("task `{task}` has no option -{letter}; `vx run {task} --help` lists its arguments")]
    NoShort {
        /// The task.
        task: String,
        /// The letter.
        letter: char,
    },
    /// `--count=value` (a counted flag).
    #[error("--{name} of task `{task}` takes no value")]
    TakesNoValue {
        /// The task.
        task: String,
        /// The flag.
        name: String,
    },
    /// `--flag=VALUE` with a value other than `true` or `1`: mise takes any value as
    /// the flag given (`--verbose=false` on), which vx does not copy silently.
    #[error(
        "--{name}={value}: --{name} of task `{task}` is a flag; it takes `=true` or `=1` (on), \
         not `{value}`, which mise would take as on too"
    )]
    FlagValue {
        /// The task.
        task: String,
        /// The flag.
        name: String,
        /// The value given.
        value: String,
    },
    /// An option last, without its value.
    #[error("--{name} of task `{task}` needs a value")]
    NeedsValue {
        /// The task.
        task: String,
        /// The option.
        name: String,
    },
    /// More positional words than the task declares.
    #[error(
        "task `{task}` takes {takes} positional argument{}; `{word}` is one too many",
        if *takes == 1 { "" } else { "s" }
    )]
    TooMany {
        /// The task.
        task: String,
        /// How many it takes.
        takes: usize,
        /// The first word too many.
        word: String,
    },
    /// A declared argument without a default, not given.
    #[error("task `{task}` needs its argument `{name}`; `vx run {task} --help` lists them")]
    Missing {
        /// The task.
        task: String,
        /// The argument.
        name: String,
    },
    /// A `run` script starting with `#!` could not be written to its file.
    #[error("task `{task}`: its script could not be written to a temporary file: {source}")]
    Script {
        /// The task.
        task: String,
        /// Why.
        source: std::io::Error,
    },
    /// The task's `dir` is not a directory.
    #[error("task `{task}`: its dir {} is not a directory", dir.display())]
    NotADirectory {
        /// The task.
        task: String,
        /// The directory.
        dir: std::path::PathBuf,
    },
}

/// Reads `words` against `task`'s declared arguments; an argument not given takes its
/// `env` variable's value (`lookup`: the value the task would see) before its default.
pub fn parse(
    task: &Task,
    words: &[OsString],
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Values, ArgsError> {
    let raw = utf8(words)?;
    let mut values = Values {
        raw: raw.clone(),
        ..Values::default()
    };
    if task.args.is_empty() {
        return Ok(values);
    }
    let positional: Vec<&TaskArg> = task
        .args
        .iter()
        .filter(|a| a.kind == ArgKind::Positional)
        .collect();
    let mut next_positional = 0;
    let mut words = raw.iter();
    let mut only_positional = false;
    // A `--` read: one more is a word (a `--` after a `rest` argument's first word is
    // still dropped, as mise drops it).
    let mut dashed = false;
    while let Some(word) = words.next() {
        if !dashed && word == "--" {
            only_positional = true;
            dashed = true;
            continue;
        }
        // The next positional argument, when it takes every word left.
        let variadic = positional.get(next_positional).is_some_and(|a| a.variadic);
        if !only_positional && let Some(arg) = negated(task, word) {
            values.named.insert(arg.name.clone(), "false".to_owned());
            continue;
        }
        if !only_positional
            && let Some(option) = word.strip_prefix("--")
            && !(variadic && long(task, option).is_none())
        {
            option_or_flag(task, option, &mut words, &mut values)?;
            continue;
        }
        if !only_positional && let Some(cluster) = short_cluster(task, word) {
            shorts(task, cluster, &mut words, &mut values)?;
            continue;
        }
        let Some(arg) = positional.get(next_positional) else {
            return Err(ArgsError::TooMany {
                task: task.name.clone(),
                takes: positional.len(),
                word: word.clone(),
            });
        };
        // After its first word, an argument with `rest` takes the words left as
        // after `--` (mise's `double_dash="automatic"`).
        only_positional |= arg.rest;
        if arg.variadic {
            values
                .words
                .entry(arg.name.clone())
                .or_default()
                .push(word.clone());
            continue;
        }
        next_positional += 1;
        values.named.insert(arg.name.clone(), word.clone());
    }
    for arg in &task.args {
        unless_given(task, arg, lookup, &mut values)?;
    }
    Ok(values)
}

/// `task`'s words not read against its declared arguments, as mise takes them when
/// the words after `--` hold `--help` or `-h` (its `should_bypass_usage_parser`: `mise
/// run pytest -- --help` reaches pytest): every word is passed on as it is, as to a
/// task that declares no arguments ([`passed_on`]), and each declared argument is its
/// default (empty without one), never missing.
pub fn unread(task: &Task, words: &[OsString]) -> Result<Values, ArgsError> {
    let mut values = Values {
        raw: utf8(words)?,
        unread: true,
        ..Values::default()
    };
    for arg in &task.args {
        let value = arg.default.clone().unwrap_or_default();
        if arg.variadic {
            let words = (!value.is_empty()).then(|| value.clone());
            values
                .words
                .insert(arg.name.clone(), words.into_iter().collect());
        }
        values.named.insert(arg.name.clone(), value);
    }
    Ok(values)
}

/// `words` as text; one that is not UTF-8 is an error naming it.
fn utf8(words: &[OsString]) -> Result<Vec<String>, ArgsError> {
    words
        .iter()
        .map(|w| {
            w.to_str()
                .map(str::to_owned)
                .ok_or_else(|| ArgsError::NotUtf8 {
                    word: w.to_string_lossy().into_owned(),
                })
        })
        .collect()
}

/// The declared option or flag that `name` (after its `--`, before any `=`) spells.
fn long<'t>(task: &'t Task, option: &str) -> Option<&'t TaskArg> {
    let name = option.split_once('=').map_or(option, |(name, _)| name);
    (task.args.iter()).find(|a| a.name == name && a.kind != ArgKind::Positional)
}

/// The flag whose `negate` word `word` is (`--no-color`).
fn negated<'t>(task: &'t Task, word: &str) -> Option<&'t TaskArg> {
    (task.args.iter()).find(|a| a.kind == ArgKind::Flag && a.negate.as_deref() == Some(word))
}

/// `--NAME`, `--NAME=VALUE` or `--NAME VALUE` (`option`: after the dashes).
fn option_or_flag<'w>(
    task: &Task,
    option: &str,
    words: &mut impl Iterator<Item = &'w String>,
    values: &mut Values,
) -> Result<(), ArgsError> {
    let (name, inline) = match option.split_once('=') {
        Some((n, v)) => (n, Some(v.to_owned())),
        None => (option, None),
    };
    let Some(arg) = long(task, option) else {
        return Err(ArgsError::NoOption {
            task: task.name.clone(),
            name: name.to_owned(),
        });
    };
    let value = match (arg.kind, inline.as_deref()) {
        // `--flag=true` (`=1`) is the flag given, as mise takes it.
        (ArgKind::Flag, Some("true" | "1")) => "true".to_owned(),
        // mise 2026.9.15 takes any other value as on too, `--verbose=false` and
        // `--force=0` alike: refused, never read against what it says.
        (ArgKind::Flag, Some(value)) => {
            return Err(ArgsError::FlagValue {
                task: task.name.clone(),
                name: name.to_owned(),
                value: value.to_owned(),
            });
        }
        (ArgKind::Count, Some(_)) => {
            return Err(ArgsError::TakesNoValue {
                task: task.name.clone(),
                name: name.to_owned(),
            });
        }
        (ArgKind::Count, None) => counted(values, &arg.name),
        (ArgKind::Flag, None) => "true".to_owned(),
        _ => option_value(task, arg, inline, words)?,
    };
    values.named.insert(arg.name.clone(), value);
    Ok(())
}

/// A counted flag's count with one more.
fn counted(values: &Values, name: &str) -> String {
    let before: u64 = (values.named.get(name))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    before.saturating_add(1).to_string()
}

/// `arg`'s value when it was not given: its `env` variable's (a flag's on when `1` or
/// `true`, as usage reads it), else its default (a variadic argument's one word),
/// else empty for a flag (unless it is `required`) and an optional variadic one; else
/// it is missing.
fn unless_given(
    task: &Task,
    arg: &TaskArg,
    lookup: &dyn Fn(&str) -> Option<String>,
    values: &mut Values,
) -> Result<(), ArgsError> {
    if let Some(words) = values.words.get(&arg.name) {
        let joined = words.join(" ");
        values.named.insert(arg.name.clone(), joined);
        return Ok(());
    }
    if values.named.contains_key(&arg.name) {
        return Ok(());
    }
    let from_env = arg.env.as_ref().and_then(|var| Some((var, lookup(var)?)));
    let value = match (from_env, &arg.default, arg.kind) {
        (Some((var, value)), _, kind) => {
            values.from_env.insert(arg.name.clone(), var.clone());
            match kind {
                ArgKind::Flag | ArgKind::Count => {
                    matches!(value.as_str(), "1" | "true" | "True" | "TRUE").to_string()
                }
                _ => value,
            }
        }
        (None, Some(d), _) => d.clone(),
        (None, None, ArgKind::Flag) if arg.required => {
            return Err(ArgsError::Missing {
                task: task.name.clone(),
                name: format!("--{}", arg.name),
            });
        }
        (None, None, ArgKind::Flag | ArgKind::Count) => String::new(),
        (None, None, _) => {
            return Err(ArgsError::Missing {
                task: task.name.clone(),
                name: arg.name.clone(),
            });
        }
    };
    if arg.variadic {
        let words = if value.is_empty() {
            Vec::new()
        } else {
            vec![value.clone()]
        };
        values.words.insert(arg.name.clone(), words);
    }
    values.named.insert(arg.name.clone(), value);
    Ok(())
}

/// The letters after `-` when `word` starts with a short form the task declares
/// (`-n`, `-nv`, `-jVALUE`); a word like `-5` or `-` is a positional word.
fn short_cluster<'w>(task: &Task, word: &'w str) -> Option<&'w str> {
    let cluster = word.strip_prefix('-').filter(|c| !c.starts_with('-'))?;
    let first = cluster.chars().next()?;
    task.args
        .iter()
        .any(|a| a.short == Some(first))
        .then_some(cluster)
}

/// Reads a cluster of short forms, as getopt does: flags (`-nv`), the last of which may
/// be an option taking the rest of the word (`-jVALUE`, `-j=VALUE`) or the next word.
fn shorts<'w>(
    task: &Task,
    cluster: &str,
    words: &mut impl Iterator<Item = &'w String>,
    values: &mut Values,
) -> Result<(), ArgsError> {
    for (at, letter) in cluster.char_indices() {
        let Some(arg) = task.args.iter().find(|a| a.short == Some(letter)) else {
            return Err(ArgsError::NoShort {
                task: task.name.clone(),
                letter,
            });
        };
        if arg.kind == ArgKind::Flag {
            values.named.insert(arg.name.clone(), "true".to_owned());
            continue;
        }
        if arg.kind == ArgKind::Count {
            let count = counted(values, &arg.name);
            values.named.insert(arg.name.clone(), count);
            continue;
        }
        let rest = &cluster[at + letter.len_utf8()..];
        let rest = rest.strip_prefix('=').unwrap_or(rest);
        let inline = (!rest.is_empty()).then(|| rest.to_owned());
        let value = option_value(task, arg, inline, words)?;
        values.named.insert(arg.name.clone(), value);
        return Ok(());
    }
    Ok(())
}

/// An option's value, long or short: the one its word gives (`--name=V`, `-nV`), else
/// the next word.
fn option_value<'w>(
    task: &Task,
    arg: &TaskArg,
    inline: Option<String>,
    words: &mut impl Iterator<Item = &'w String>,
) -> Result<String, ArgsError> {
    inline
        .or_else(|| words.next().cloned())
        .ok_or_else(|| ArgsError::NeedsValue {
            task: task.name.clone(),
            name: arg.name.clone(),
        })
}

/// The words given, each quoted for the shell by `quote`, one space apart: what
/// `{args}` stands for, and what a command the words are passed on to gets appended.
pub(crate) fn joined(values: &Values, quote: &dyn Fn(&str) -> String) -> String {
    values
        .raw
        .iter()
        .map(|w| quote(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the words given to `task` are passed on as they are rather than read or
/// placed: none of its commands says `{args}` (nor `{{args}}`, which places them),
/// and it declares no arguments or they were left [`unread`]. `crate::command` then
/// gives them to a command of it, as mise does.
pub(crate) fn passed_on(task: &Task, values: &Values) -> bool {
    (values.unread || task.args.is_empty()) && !task.run.iter().any(|run| run.contains("{args}"))
}

/// `run` with the values put in: `{{NAME}}` for declared arguments (`{{read.NAME}}`
/// the same, but empty when the words were passed on [`unread`]; `{{read.*}}` `1`,
/// empty then), `{args}` or
/// `{{args}}` for all words. `quote` quotes one word for the shell. (The words a task
/// passes on, [`passed_on`], are not put in here.)
pub fn fill(run: &str, task: &Task, values: &Values, quote: &dyn Fn(&str) -> String) -> String {
    let all = joined(values, quote);
    let mut line = run.to_owned();
    // `{{read.NAME}}`: the value as the words gave it, nothing when they were passed
    // on unread (mise's `$usage_NAME` and `{{arg()}}` then), else `{{NAME}}`'s;
    // `{{read.*}}` whether they were read (`1`) or not (nothing).
    line = line.replace("{{read.*}}", if values.unread { "" } else { "1" });
    for name in values.named.keys() {
        let read = if values.unread {
            String::new()
        } else {
            format!("{{{{{name}}}}}")
        };
        line = line.replace(&format!("{{{{read.{name}}}}}"), &read);
    }
    for (name, value) in &values.named {
        // An optional argument given nothing (its default empty) is no word at all,
        // as mise renders it: the command gets one argument fewer, not `''`.
        let absent = value.is_empty()
            && task.args.iter().any(|a| {
                a.name == *name
                    && !matches!(a.kind, ArgKind::Flag | ArgKind::Count)
                    && a.default.as_deref() == Some("")
            });
        // A variadic argument: each of its words, quoted.
        let word = match values.words.get(name) {
            Some(words) => words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" "),
            None if absent => String::new(),
            None => quote(value),
        };
        line = line.replace(&format!("{{{{{name}}}}}", name = name), &word);
    }
    if line.contains("{{args}}") {
        line.replace("{{args}}", &all)
    } else {
        line.replace("{args}", &all)
    }
}

/// The environment variables that carry the values too (`VX_ARG_NAME`, the name
/// upper-cased, `-` as `_`): what a file task reads. Each with the variable its value
/// was taken from, if it was ([`Values::from_env`]).
pub fn env(values: &Values) -> Vec<(String, String, Option<&str>)> {
    values
        .named
        .iter()
        .map(|(name, value)| {
            (
                format!("VX_ARG_{}", name.to_ascii_uppercase().replace('-', "_")),
                value.clone(),
                values.env_source(name),
            )
        })
        .collect()
}

/// An option's or flag's spelling in the help: `-n, --dry-run`, or `--dry-run` (and
/// the word that turns it off: `--color, --no-color`).
fn spelled(arg: &TaskArg) -> String {
    let mut spelled = match arg.short {
        Some(c) => format!("-{c}, --{}", arg.name),
        None => format!("--{}", arg.name),
    };
    if let Some(negate) = &arg.negate {
        spelled.push_str(&format!(", {negate}"));
    }
    spelled
}

/// `vx run TASK --help`: the task, its description and its arguments.
pub fn help(task: &Task) -> String {
    let mut out = String::new();
    let mut usage = format!("Usage: vx run {}", task.name);
    for arg in &task.args {
        usage.push(' ');
        let dots = if arg.variadic { "..." } else { "" };
        usage.push_str(&match (arg.kind, arg.default.is_some()) {
            (ArgKind::Positional, false) => format!("<{}>{dots}", arg.name),
            (ArgKind::Positional, true) => format!("[{}]{dots}", arg.name),
            (ArgKind::Option, _) => format!("[{} <VALUE>]", spelled(arg)),
            (ArgKind::Flag, _) if arg.required => spelled(arg),
            (ArgKind::Flag, _) => format!("[{}]", spelled(arg)),
            (ArgKind::Count, _) => format!("[{}]...", spelled(arg)),
        });
    }
    if task.args.is_empty() {
        usage.push_str(" [ARGS]...");
    }
    if let Some(d) = &task.description {
        out.push_str(&vx_text::sanitize(d));
        out.push_str("\n\n");
    }
    out.push_str(&usage);
    out.push('\n');
    if !task.alias.is_empty() {
        out.push_str(&format!("Aliases: {}\n", task.alias.join(", ")));
    }
    if !task.args.is_empty() {
        out.push_str("\nArguments:\n");
        let shown: Vec<(String, String)> = task
            .args
            .iter()
            .map(|arg| {
                let left = match arg.kind {
                    ArgKind::Positional if arg.variadic => format!("{}...", arg.name),
                    ArgKind::Positional => arg.name.clone(),
                    ArgKind::Option => format!("{} <VALUE>", spelled(arg)),
                    ArgKind::Flag | ArgKind::Count => spelled(arg),
                };
                let mut right = arg.help.clone().unwrap_or_default();
                match (&arg.default, arg.kind) {
                    // A flag is off unless given: its default `false` says nothing.
                    (Some(d), ArgKind::Flag) if d == "false" => {}
                    (Some(d), _) => right.push_str(&format!(" [default: {d}]")),
                    (None, ArgKind::Flag) if arg.required => right.push_str(" (required)"),
                    (None, ArgKind::Flag | ArgKind::Count) => {}
                    (None, _) => right.push_str(" (required)"),
                }
                if let Some(var) = &arg.env {
                    right.push_str(&format!(" [env: {var}]"));
                }
                (left, vx_text::sanitize(right.trim()).into_owned())
            })
            .collect();
        let width = shown.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
        for (left, right) in shown {
            out.push_str(format!("  {left:width$}  {right}").trim_end());
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn greet() -> Task {
        let mut t = Task::named("greet");
        t.run = vec!["echo {{greeting}} {{name}}".into()];
        t.args = vec![
            TaskArg {
                default: Some("world".into()),
                help: Some("who".into()),
                ..TaskArg::new("name", ArgKind::Positional)
            },
            TaskArg {
                default: Some("hello".into()),
                ..TaskArg::new("greeting", ArgKind::Option)
            },
            TaskArg::new("loud", ArgKind::Flag),
        ];
        t
    }

    /// No variable set.
    fn unset(_: &str) -> Option<String> {
        None
    }

    fn parse(task: &Task, words: &[OsString]) -> Result<Values, ArgsError> {
        super::parse(task, words, &unset)
    }

    fn words(w: &[&str]) -> Vec<OsString> {
        w.iter().map(OsString::from).collect()
    }

    #[test]
    fn declared_arguments_take_values_and_defaults() {
        let task = greet();
        let q = |s: &str| format!("'{s}'");
        let v = parse(&task, &words(&[])).unwrap();
        assert_eq!(fill(&task.run[0], &task, &v, &q), "echo 'hello' 'world'");
        let v = parse(&task, &words(&["you", "--greeting=hi", "--loud"])).unwrap();
        assert_eq!(fill(&task.run[0], &task, &v, &q), "echo 'hi' 'you'");
        assert_eq!(v.named["loud"], "true");
        assert!(
            parse(&task, &words(&["a", "b"]))
                .unwrap_err()
                .to_string()
                .contains("one too many")
        );
        assert!(
            parse(&task, &words(&["--nope"]))
                .unwrap_err()
                .to_string()
                .contains("no option --nope")
        );
        let help = help(&task);
        assert!(
            help.contains("Usage: vx run greet [name] [--greeting <VALUE>] [--loud]"),
            "{help}"
        );
        assert!(help.contains("who [default: world]"), "{help}");
    }

    #[test]
    fn short_forms_are_read_alone_clustered_and_with_their_value() {
        let mut task = greet();
        task.args[1].short = Some('g');
        task.args[2].short = Some('l');
        let named = |w: &[&str]| parse(&task, &words(w)).map(|v| v.named);
        let v = named(&["-l", "you"]).unwrap();
        assert_eq!((v["loud"].as_str(), v["name"].as_str()), ("true", "you"));
        for given in [&["-g", "hi"][..], &["-ghi"], &["-g=hi"], &["-lg", "hi"]] {
            assert_eq!(named(given).unwrap()["greeting"], "hi", "{given:?}");
        }
        assert_eq!(named(&["-lghi"]).unwrap()["loud"], "true");
        // A word whose first letter is no short form stays positional (`-5`).
        assert_eq!(named(&["-5"]).unwrap()["name"], "-5");
        assert_eq!(named(&["--", "-l"]).unwrap()["name"], "-l");
        let err = |w: &[&str]| named(w).unwrap_err().to_string();
        assert!(err(&["-lz"]).contains("no option -z"), "{}", err(&["-lz"]));
        assert!(err(&["-g"]).contains("--greeting of task `greet` needs a value"));
        let help = help(&task);
        assert!(
            help.contains("Usage: vx run greet [name] [-g, --greeting <VALUE>] [-l, --loud]"),
            "{help}"
        );
        assert!(help.contains("  -l, --loud"), "{help}");
        assert!(wants_help(&task, &words(&["-h"])));
        task.args[2].short = Some('h');
        assert!(!wants_help(&task, &words(&["-h"])));
        assert!(wants_help(&task, &words(&["--help"])));
    }

    /// An argument with `rest` (mise's `double_dash="automatic"`) takes, after its
    /// first word, every word as positional, an option's name too, as mise 2026.9.15
    /// reads railwayapp/railpack's `retry`: `retry echo --attempts 5` runs `echo
    /// --attempts 5`; an option before its first word is still the option.
    #[test]
    fn an_argument_with_rest_takes_every_word_after_its_first() {
        let mut task = Task::named("retry");
        task.run = vec!["run {{attempts}} {{command}}".into()];
        task.args = vec![
            TaskArg {
                default: Some("3".into()),
                ..TaskArg::new("attempts", ArgKind::Option)
            },
            TaskArg {
                variadic: true,
                rest: true,
                ..TaskArg::new("command", ArgKind::Positional)
            },
        ];
        let filled = |w: &[&str]| {
            let v = parse(&task, &words(w)).unwrap();
            fill(&task.run[0], &task, &v, &|s: &str| format!("'{s}'"))
        };
        assert_eq!(
            filled(&["echo", "--attempts", "5"]),
            "run '3' 'echo' '--attempts' '5'"
        );
        assert_eq!(
            filled(&["--attempts", "2", "echo", "--", "x", "--"]),
            "run '2' 'echo' 'x' '--'"
        );
    }

    /// A variadic argument after others takes every positional word left (a flag
    /// among them still a flag, a word that is no option one of them), else its
    /// default as one word; required, it is missing without one.
    #[test]
    fn a_variadic_argument_takes_the_positional_words_left() {
        let mut task = Task::named("retry");
        task.run = vec!["run {{target}} {{tools}}".into()];
        task.args = vec![
            TaskArg::new("target", ArgKind::Positional),
            TaskArg {
                variadic: true,
                ..TaskArg::new("tools", ArgKind::Positional)
            },
            TaskArg {
                default: Some("false".into()),
                ..TaskArg::new("grace", ArgKind::Flag)
            },
        ];
        let filled = |task: &Task, w: &[&str]| {
            let v = parse(task, &words(w)).unwrap();
            let q = |s: &str| format!("'{s}'");
            (fill(&task.run[0], task, &v, &q), v.named["grace"].clone())
        };
        assert_eq!(
            filled(&task, &["t", "a b", "--grace", "--x", "-y"]),
            ("run 't' 'a b' '--x' '-y'".into(), "true".into())
        );
        assert_eq!(
            filled(&task, &["t", "a", "--", "--grace"]).0,
            "run 't' 'a' '--grace'"
        );
        let missing = parse(&task, &words(&["t"])).unwrap_err().to_string();
        assert!(missing.contains("needs its argument `tools`"), "{missing}");
        task.args[1].default = Some("x y".into());
        assert_eq!(
            filled(&task, &["t"]),
            ("run 't' 'x y'".into(), "false".into())
        );
        task.args[1].default = Some(String::new());
        assert_eq!(filled(&task, &["t"]).0, "run 't' ");
        // Before the variadic one, an unknown option is still refused.
        let err = parse(&task, &words(&["--x"])).unwrap_err().to_string();
        assert!(err.contains("no option --x"), "{err}");
        let help = help(&task);
        assert!(
            help.contains("Usage: vx run retry <target> [tools]... [--grace]"),
            "{help}"
        );
    }

    /// A `required` flag (mise's guard `flag "--yes" required=#true`) must be given:
    /// without it the run fails before anything runs, and the help says so.
    #[test]
    fn a_required_flag_not_given_is_missing() {
        let mut task = Task::named("reset");
        task.run = vec!["drop {{yes}}".into()];
        task.args = vec![TaskArg {
            required: true,
            short: Some('y'),
            ..TaskArg::new("yes", ArgKind::Flag)
        }];
        let missing = parse(&task, &words(&[])).unwrap_err().to_string();
        assert!(missing.contains("needs its argument `--yes`"), "{missing}");
        assert_eq!(parse(&task, &words(&["-y"])).unwrap().named["yes"], "true");
        let help = help(&task);
        assert!(help.contains("Usage: vx run reset -y, --yes\n"), "{help}");
        assert!(help.contains("-y, --yes  (required)"), "{help}");
    }

    /// A counted flag counts (`-vvv`, `-v --verbose`), a negated one is `false`, and an
    /// argument not given takes its `env` variable's value before its default (a
    /// flag's on when it is `1` or `true`); a task's key holds that variable's template.
    #[test]
    fn counts_negations_and_values_from_the_environment() {
        let mut task = Task::named("f");
        task.run = vec!["echo {{profile}} {{verbose}}".into()];
        task.args = vec![
            TaskArg {
                short: Some('v'),
                ..TaskArg::new("verbose", ArgKind::Count)
            },
            TaskArg {
                negate: Some("--no-on".into()),
                default: Some("true".into()),
                ..TaskArg::new("on", ArgKind::Flag)
            },
            TaskArg {
                env: Some("PROFILE".into()),
                default: Some("coverage.out".into()),
                ..TaskArg::new("profile", ArgKind::Positional)
            },
            TaskArg {
                env: Some("FAST".into()),
                ..TaskArg::new("fast", ArgKind::Flag)
            },
        ];
        let env = |name: &str| match name {
            "PROFILE" => Some("env.out".to_owned()),
            "FAST" => Some("yes".to_owned()),
            _ => None,
        };
        let named = |w: &[&str]| super::parse(&task, &words(w), &env).unwrap().named;
        let v = named(&["-vvv", "--no-on"]);
        assert_eq!((v["verbose"].as_str(), v["on"].as_str()), ("3", "false"));
        assert_eq!(named(&["-v", "--verbose"])["verbose"], "2");
        let v = named(&[]);
        let values = (
            v["verbose"].as_str(),
            v["on"].as_str(),
            v["profile"].as_str(),
            v["fast"].as_str(),
        );
        assert_eq!(values, ("", "true", "env.out", "false"));
        assert_eq!(named(&["given"])["profile"], "given");
        assert!(parse(&task, &words(&["--verbose=2"])).is_err());
        let v = super::parse(&task, &words(&[]), &env).unwrap();
        assert_eq!(v.env_source("profile"), Some("PROFILE"));
        let q = |s: &str| format!("'{s}'");
        assert_eq!(
            fill(&task.run[0], &task, &v.keyed(), &q),
            "echo '${PROFILE}' ''"
        );
        assert_eq!(fill(&task.run[0], &task, &v, &q), "echo 'env.out' ''");
        let keyed = env_of(&v);
        assert!(keyed.contains(&("VX_ARG_PROFILE".into(), "env.out".into(), Some("PROFILE"))));
        assert!(keyed.contains(&("VX_ARG_ON".into(), "true".into(), None)));
    }

    fn env_of(values: &Values) -> Vec<(String, String, Option<&str>)> {
        super::env(values)
    }

    #[test]
    fn undeclared_arguments_are_placed_or_passed_on() {
        let mut task = Task::named("t");
        task.run = vec!["argv first {args} last".into(), "argv".into()];
        let q = |s: &str| format!("'{s}'");
        let v = parse(&task, &words(&["a b", "c"])).unwrap();
        assert_eq!(
            fill(&task.run[0], &task, &v, &q),
            "argv first 'a b' 'c' last"
        );
        // Placed somewhere: not passed on to another command too.
        assert_eq!(fill(&task.run[1], &task, &v, &q), "argv");
        assert!(!passed_on(&task, &v));
        task.run = vec!["argv".into()];
        assert!(passed_on(&task, &v));
        assert_eq!(joined(&v, &q), "'a b' 'c'");
        // Declared arguments are read, never passed on.
        let v = parse(&greet(), &words(&["you"])).unwrap();
        assert!(!passed_on(&greet(), &v));
    }

    /// mise 2026.9.15 with `-- --help`: the usage spec is not read, the words reach the
    /// task's last script as they are, an argument without a value is no error.
    #[test]
    fn unread_words_are_passed_on_and_arguments_take_their_defaults() {
        let mut task = greet();
        task.args
            .push(TaskArg::new("required", ArgKind::Positional));
        let v = unread(&task, &words(&["a", "--help"])).unwrap();
        assert!(passed_on(&task, &v));
        assert_eq!(v.raw, ["a", "--help"]);
        assert_eq!(v.named["name"], "world");
        assert_eq!(v.named["greeting"], "hello");
        assert_eq!(v.named["required"], "");
        assert_eq!(v.named["loud"], "");
        let q = |s: &str| format!("'{s}'");
        assert_eq!(fill(&task.run[0], &task, &v, &q), "echo 'hello' 'world'");
    }

    /// `--flag=true` and `--flag=1` give the flag, as mise 2026.9.15 does; any other
    /// value, which mise also takes as on (`--verbose=false` on), is refused.
    #[test]
    fn a_flag_takes_true_or_1_and_refuses_a_value_mise_would_read_as_on() {
        let task = greet();
        for on in ["--loud=true", "--loud=1"] {
            assert_eq!(parse(&task, &words(&[on])).unwrap().named["loud"], "true");
        }
        for off in ["--loud=false", "--loud=0", "--loud=yes", "--loud="] {
            let err = parse(&task, &words(&[off])).unwrap_err();
            assert!(matches!(err, ArgsError::FlagValue { .. }), "{off}: {err}");
            assert!(err.to_string().contains("takes `=true` or `=1`"), "{err}");
        }
    }

    /// `{{read.NAME}}` (what mise's `$usage_NAME` and `{{arg()}}` become) is the value
    /// as the words gave it, and nothing when they are passed on unread, as mise
    /// 2026.9.15 leaves `$usage_NAME` unset under `-- --help`; `{{NAME}}` (mise's
    /// `{{usage.NAME}}`) is the default then. Words a command places with `{args}`
    /// are not appended to it again.
    #[test]
    fn a_read_value_is_empty_when_the_words_are_unread() {
        let mut task = greet();
        task.run = vec!["echo {{read.name}}/{{name}}".into()];
        let q = |s: &str| format!("'{s}'");
        let read = parse(&task, &words(&["you"])).unwrap();
        assert_eq!(fill(&task.run[0], &task, &read, &q), "echo 'you'/'you'");
        let read = parse(&task, &words(&[])).unwrap();
        assert_eq!(fill(&task.run[0], &task, &read, &q), "echo 'world'/'world'");
        task.run = vec!["echo {{read.name}}/{{name}}/{{read.*}}".into()];
        assert_eq!(
            fill(&task.run[0], &task, &read, &q),
            "echo 'world'/'world'/1"
        );
        let v = unread(&task, &words(&["--help"])).unwrap();
        assert_eq!(fill(&task.run[0], &task, &v, &q), "echo /'world'/");
        assert!(passed_on(&task, &v));
        task.run = vec!["run {args}".into()];
        assert!(
            !passed_on(&task, &v),
            "placed by {{args}}, not appended again"
        );
        assert_eq!(fill(&task.run[0], &task, &v, &q), "run '--help'");
    }
}
