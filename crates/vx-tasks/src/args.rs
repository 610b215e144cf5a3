//! A task's arguments: the words after `vx run TASK`, read against its declared
//! `args` (positional ones in order, `--NAME VALUE` options, `--NAME` flags), put into
//! its commands, and shown by `vx run TASK --help`.
//!
//! In a command, `{{NAME}}` is a declared argument's value and `{args}` (or
//! `{{args}}`) all the words as given; each is quoted for the shell, so it reaches the
//! program as one word, unchanged. A task that declares no arguments and places them
//! nowhere passes them on ([`passed_on`]): `crate::command` gives them to its command.

use std::collections::BTreeMap;
use std::ffi::OsString;

use vx_model::task::{ArgKind, Task};

/// The values of a task's declared arguments (every one: given, or its default).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Values {
    /// Each declared argument's value by name (a flag: `true` or empty).
    pub named: BTreeMap<String, String>,
    /// The words as given, for `{args}` (and, for a task without declared
    /// arguments, the words appended).
    pub raw: Vec<String>,
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
    /// `--flag=value`.
    #[error("--{name} of task `{task}` takes no value")]
    TakesNoValue {
        /// The task.
        task: String,
        /// The flag.
        name: String,
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

/// Reads `words` against `task`'s declared arguments.
pub fn parse(task: &Task, words: &[OsString]) -> Result<Values, ArgsError> {
    let raw = words
        .iter()
        .map(|w| {
            w.to_str()
                .map(str::to_owned)
                .ok_or_else(|| ArgsError::NotUtf8 {
                    word: w.to_string_lossy().into_owned(),
                })
        })
        .collect::<Result<Vec<String>, ArgsError>>()?;
    let mut values = Values {
        named: BTreeMap::new(),
        raw: raw.clone(),
    };
    if task.args.is_empty() {
        return Ok(values);
    }
    let positional: Vec<&vx_model::task::TaskArg> = task
        .args
        .iter()
        .filter(|a| a.kind == ArgKind::Positional)
        .collect();
    let mut next_positional = 0;
    let mut words = raw.iter();
    let mut only_positional = false;
    while let Some(word) = words.next() {
        if !only_positional && word == "--" {
            only_positional = true;
            continue;
        }
        if !only_positional && let Some(option) = word.strip_prefix("--") {
            let (name, inline) = match option.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (option, None),
            };
            let Some(arg) = task
                .args
                .iter()
                .find(|a| a.name == name && a.kind != ArgKind::Positional)
            else {
                return Err(ArgsError::NoOption {
                    task: task.name.clone(),
                    name: name.to_owned(),
                });
            };
            let value = match arg.kind {
                ArgKind::Flag => {
                    if inline.is_some() {
                        return Err(ArgsError::TakesNoValue {
                            task: task.name.clone(),
                            name: name.to_owned(),
                        });
                    }
                    "true".to_owned()
                }
                _ => option_value(task, arg, inline, &mut words)?,
            };
            values.named.insert(arg.name.clone(), value);
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
        next_positional += 1;
        values.named.insert(arg.name.clone(), word.clone());
    }
    for arg in &task.args {
        if values.named.contains_key(&arg.name) {
            continue;
        }
        match (&arg.default, arg.kind) {
            (Some(d), _) => {
                values.named.insert(arg.name.clone(), d.clone());
            }
            (None, ArgKind::Flag) => {
                values.named.insert(arg.name.clone(), String::new());
            }
            (None, _) => {
                return Err(ArgsError::Missing {
                    task: task.name.clone(),
                    name: arg.name.clone(),
                });
            }
        }
    }
    Ok(values)
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
    arg: &vx_model::task::TaskArg,
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
pub fn joined(values: &Values, quote: &dyn Fn(&str) -> String) -> String {
    values
        .raw
        .iter()
        .map(|w| quote(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the words given to `task` are passed on as they are rather than read or
/// placed: it declares no arguments and none of its commands says `{args}` (nor
/// `{{args}}`). `crate::command` then gives them to a command of it, as mise does.
pub fn passed_on(task: &Task) -> bool {
    task.args.is_empty() && !task.run.iter().any(|run| run.contains("{args}"))
}

/// `run` with the values put in: `{{NAME}}` for declared arguments, `{args}` or
/// `{{args}}` for all words. `quote` quotes one word for the shell. (The words a task
/// passes on, [`passed_on`], are not put in here.)
pub fn fill(run: &str, task: &Task, values: &Values, quote: &dyn Fn(&str) -> String) -> String {
    let all = joined(values, quote);
    let mut line = run.to_owned();
    for (name, value) in &values.named {
        // An optional argument given nothing (its default empty) is no word at all,
        // as mise renders it: the command gets one argument fewer, not `''`.
        let absent = value.is_empty()
            && task.args.iter().any(|a| {
                a.name == *name && a.kind != ArgKind::Flag && a.default.as_deref() == Some("")
            });
        let word = if absent { String::new() } else { quote(value) };
        line = line.replace(&format!("{{{{{name}}}}}", name = name), &word);
    }
    if line.contains("{{args}}") {
        line.replace("{{args}}", &all)
    } else {
        line.replace("{args}", &all)
    }
}

/// The environment variables that carry the values too (`VX_ARG_NAME`, the name
/// upper-cased, `-` as `_`): what a file task reads.
pub fn env(values: &Values) -> Vec<(String, String)> {
    values
        .named
        .iter()
        .map(|(name, value)| {
            (
                format!("VX_ARG_{}", name.to_ascii_uppercase().replace('-', "_")),
                value.clone(),
            )
        })
        .collect()
}

/// An option's or flag's spelling in the help: `-n, --dry-run`, or `--dry-run`.
fn spelled(arg: &vx_model::task::TaskArg) -> String {
    match arg.short {
        Some(c) => format!("-{c}, --{}", arg.name),
        None => format!("--{}", arg.name),
    }
}

/// `vx run TASK --help`: the task, its description and its arguments.
pub fn help(task: &Task) -> String {
    let mut out = String::new();
    let mut usage = format!("Usage: vx run {}", task.name);
    for arg in &task.args {
        usage.push(' ');
        usage.push_str(&match (arg.kind, arg.default.is_some()) {
            (ArgKind::Positional, false) => format!("<{}>", arg.name),
            (ArgKind::Positional, true) => format!("[{}]", arg.name),
            (ArgKind::Option, _) => format!("[{} <VALUE>]", spelled(arg)),
            (ArgKind::Flag, _) => format!("[{}]", spelled(arg)),
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
                    ArgKind::Positional => arg.name.clone(),
                    ArgKind::Option => format!("{} <VALUE>", spelled(arg)),
                    ArgKind::Flag => spelled(arg),
                };
                let mut right = arg.help.clone().unwrap_or_default();
                match (&arg.default, arg.kind) {
                    (Some(d), _) => right.push_str(&format!(" [default: {d}]")),
                    (None, ArgKind::Flag) => {}
                    (None, _) => right.push_str(" (required)"),
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
    use vx_model::task::TaskArg;

    fn greet() -> Task {
        let mut t = Task::named("greet");
        t.run = vec!["echo {{greeting}} {{name}}".into()];
        t.args = vec![
            TaskArg {
                name: "name".into(),
                kind: ArgKind::Positional,
                default: Some("world".into()),
                help: Some("who".into()),
                short: None,
            },
            TaskArg {
                name: "greeting".into(),
                kind: ArgKind::Option,
                default: Some("hello".into()),
                help: None,
                short: None,
            },
            TaskArg {
                name: "loud".into(),
                kind: ArgKind::Flag,
                default: None,
                help: None,
                short: None,
            },
        ];
        t
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
        assert!(!passed_on(&task));
        task.run = vec!["argv".into()];
        assert!(passed_on(&task));
        assert_eq!(joined(&v, &q), "'a b' 'c'");
        // Declared arguments are read, never passed on.
        assert!(!passed_on(&greet()));
    }
}
