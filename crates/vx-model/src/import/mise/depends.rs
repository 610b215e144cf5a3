//! mise's task dependencies (`depends`, `depends_post`, `wait_for`, and `daemons`;
//! jdx/mise, src/task/task_dep.rs) as vx takes them. An entry is a task name or glob,
//! a name with arguments (`"build --release"`), a list (`["build", "--release"]`), or
//! a table `{ task = "build", args = ["--release"], env = { MODE = "ci" }, optional =
//! true }`; an argument or a variable's value may be the task's own usage value
//! (`"unpack {{usage.target}}"`, filled in when the run is planned, as mise renders
//! it). An entry with arguments or variables is vx.toml's `depends` table `{ task,
//! args, env }` ([`ImportedCall`]): a node of the run's graph of its own, run beside
//! the task's other dependencies, as mise runs it; a `wait_for` entry with them waits
//! for the task by its name. An optional entry is a dependency only when a task of
//! the project answers to it ([`settle_optional`]), as mise skips one that matches no
//! task.

use toml::de::{DeTable, DeValue};

use super::super::why::TaskError;
use super::super::{Imported, ImportedArg, ImportedCall, ImportedScript};
use super::{plain_word, strings};

/// The keys that list a task's dependencies.
const KEYS: [&str; 3] = ["depends", "depends_post", "wait_for"];

/// One dependency as mise reads it (its `TaskDep`).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Dependency {
    /// The task: a name or a glob.
    task: String,
    /// The words it runs with.
    args: Vec<String>,
    /// The variables it runs with, in order.
    env: Vec<(String, String)>,
    /// Whether one that matches no task is left out rather than a failure.
    optional: bool,
}

impl Dependency {
    /// A dependency written as a string, split as mise splits it (its
    /// `parse_shell_style_env`): shell words, of which, when there are several, the
    /// leading `NAME=value` ones are its variables (`"NODE_ENV=test setup"`), the next
    /// the task and the rest its words; one word is the task, `=` and all. No task
    /// after the variables leaves it empty (refused by [`of_task`]).
    fn written(text: &str) -> Dependency {
        let text = spaced_templates(text);
        let words = shlex::split(&text)
            .unwrap_or_else(|| text.split_whitespace().map(str::to_owned).collect());
        let mut dependency = Dependency {
            task: String::new(),
            args: Vec::new(),
            env: Vec::new(),
            optional: false,
        };
        if let [one] = &words[..] {
            dependency.task.clone_from(one);
            return dependency;
        }
        for word in words {
            if !dependency.task.is_empty() {
                dependency.args.push(word);
                continue;
            }
            match word.split_once('=') {
                Some((name, value))
                    if !name.is_empty()
                        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
                {
                    dependency.env.push((name.to_owned(), value.to_owned()));
                }
                _ => dependency.task = word,
            }
        }
        dependency
    }

    /// Whether it runs with neither words nor variables: a name vx's lists hold.
    fn plain(&self) -> bool {
        self.args.is_empty() && self.env.is_empty()
    }

    /// As mise writes it (`MODE=ci build --release`), for messages.
    fn shown(&self) -> String {
        let env = self.env.iter().map(|(k, v)| format!("{k}={v}"));
        let words: Vec<String> = env
            .chain([self.task.clone()])
            .chain(self.args.iter().cloned())
            .collect();
        words.join(" ")
    }
}

/// A `depends`-like key's entries: one entry (a string, a table) or a list of them,
/// each glob's `/` read as mise reads it ([`groups`]).
fn entries(value: &DeValue<'_>, key: &'static str) -> Result<Vec<Dependency>, TaskError> {
    let read = |value: &DeValue<'_>| {
        entry(value, key).map(|dependency| Dependency {
            task: groups(dependency.task.clone()),
            ..dependency
        })
    };
    match value {
        DeValue::Array(many) => many.iter().map(|d| read(d.get_ref())).collect(),
        one => Ok(vec![read(one)?]),
    }
}

/// One entry: a string, a list (the task and its words) or a table (`task`, `args`,
/// `env`, `optional`: mise refuses any other key).
fn entry(value: &DeValue<'_>, key: &'static str) -> Result<Dependency, TaskError> {
    let shape = || TaskError::DependencyShape { key };
    let mut dependency = match value {
        DeValue::String(text) => return Ok(Dependency::written(text)),
        DeValue::Array(_) => {
            let mut words = strings(value, key)?.into_iter();
            let task = words.next().ok_or_else(shape)?;
            return Ok(Dependency {
                task,
                args: words.collect(),
                env: Vec::new(),
                optional: false,
            });
        }
        DeValue::Table(table) => {
            let task = match table.get("task").map(|t| t.get_ref()) {
                Some(DeValue::String(task)) => task.to_string(),
                _ => return Err(shape()),
            };
            let mut dependency = Dependency {
                task,
                args: Vec::new(),
                env: Vec::new(),
                optional: false,
            };
            for (name, value) in table.iter() {
                match (name.get_ref().as_ref(), value.get_ref()) {
                    ("task", _) => {}
                    ("args", DeValue::Array(_)) => {
                        dependency.args = strings(value.get_ref(), "args")?;
                    }
                    ("env", DeValue::Table(env)) => {
                        for (var, value) in env.iter() {
                            let DeValue::String(value) = value.get_ref() else {
                                return Err(TaskError::NotAString { key: "env" });
                            };
                            (dependency.env).push((var.get_ref().to_string(), value.to_string()));
                        }
                    }
                    ("optional", DeValue::Boolean(optional)) => dependency.optional = *optional,
                    _ => return Err(shape()),
                }
            }
            dependency
        }
        _ => return Err(shape()),
    };
    // A table's task with words, and neither `args` nor `env`, is split as mise splits
    // a string.
    if dependency.plain() {
        let optional = dependency.optional;
        dependency = Dependency {
            optional,
            ..Dependency::written(&dependency.task)
        };
    }
    Ok(dependency)
}

/// A glob's `/` as the `:` (a group's end) mise reads it as: mise 2026.9.15 runs
/// `lint:a` and `lint:b` for `depends = ["lint/*"]` (its task-name glob reads either
/// as a group's end, as vx's [`vx_base::glob::task_matches`] does), so the entry is
/// vx's `lint:*`. A name that is no glob keeps its `/` (mise finds no task `lint/a`),
/// as does a monorepo's `//dir:task` and a package's `@scope/pkg#task`.
fn groups(task: String) -> String {
    let monorepo = task.starts_with("//") || task.contains('#');
    match vx_base::glob::is_glob(&task) && !monorepo {
        true => task.replace('/', ":"),
        false => task,
    }
}

/// A mise task's `depends`, `depends_post`, `wait_for` and `daemons` into `script`
/// (whose `args` are its usage's, read first): the plain names and globs into its
/// lists (an optional one aside, [`settle_optional`]), those with arguments or
/// variables into its calls; the notes for what vx takes otherwise.
pub(super) fn of_task(
    table: &DeTable<'_>,
    script: &mut ImportedScript,
) -> Result<Vec<String>, TaskError> {
    let mut notes = Vec::new();
    for key in KEYS {
        let Some(value) = table.get(key) else {
            continue;
        };
        for dependency in entries(value.get_ref(), key)? {
            if dependency.task.is_empty() && !dependency.env.is_empty() {
                return Err(TaskError::DependencyWithoutTask {
                    written: dependency.shown().trim().to_owned(),
                });
            }
            if dependency.task.is_empty() {
                return Err(TaskError::DependencyShape { key });
            }
            if dependency.plain() && dependency.optional {
                (script.optional_depends).push((key, dependency.task));
                continue;
            }
            if dependency.plain() {
                listed(script, key).push(dependency.task);
                continue;
            }
            if dependency.optional && key != "wait_for" {
                notes.push(format!(
                    "`optional` of {key} `{}` (vx runs it, and fails when there is no such task)",
                    dependency.shown()
                ));
            }
            match key {
                "depends" => script.calls.push(call(&dependency, &script.args)?),
                "depends_post" => script.calls_post.push(call(&dependency, &script.args)?),
                // A task waited for with arguments is waited for by its name: vx's
                // `wait_for` names a task, whatever words it runs with in the run.
                _ => {
                    notes.push(format!(
                        "wait_for `{}` (vx waits for `{}` whatever its arguments)",
                        dependency.shown(),
                        dependency.task
                    ));
                    script.wait_for.push(dependency.task);
                }
            }
        }
    }
    // The daemons it needs (mise 2026.9's `daemons = ["db"]`): services it depends on.
    if let Some(value) = table.get("daemons") {
        for daemon in strings(value.get_ref(), "daemons")? {
            if !script.depends.contains(&daemon) {
                script.depends.push(daemon);
            }
        }
    }
    Ok(notes)
}

/// The list of `script` that `key` (one of [`KEYS`]) names.
fn listed<'s>(script: &'s mut ImportedScript, key: &str) -> &'s mut Vec<String> {
    match key {
        "depends" => &mut script.depends,
        "depends_post" => &mut script.depends_post,
        _ => &mut script.wait_for,
    }
}

/// The optional dependencies of the tasks of `lists` (all the project's files, in
/// mise's precedence) made dependencies where a task answers to them (a name or an
/// alias, a glob matching a name), the others left out, as mise skips them: the
/// project's whole set of tasks is known only once every file is read.
pub(crate) fn settle_optional<S>(lists: &mut [(S, Imported)]) {
    let mut names: Vec<String> = Vec::new();
    let mut aliases: Vec<String> = Vec::new();
    for (_, list) in lists.iter() {
        for entry in &list.scripts {
            if let Ok(script) = &entry.script {
                names.push(entry.name.clone());
                aliases.extend(script.alias.iter().cloned());
            }
        }
    }
    let answers = |pattern: &str| {
        let glob = vx_base::glob::is_glob(pattern);
        names
            .iter()
            .any(|n| vx_base::glob::task_matches(pattern, n))
            || (!glob && aliases.iter().any(|a| a == pattern))
    };
    for (_, list) in lists.iter_mut() {
        for entry in &mut list.scripts {
            let Ok(script) = &mut entry.script else {
                continue;
            };
            for (key, pattern) in std::mem::take(&mut script.optional_depends) {
                if answers(&pattern) && !listed(script, key).contains(&pattern) {
                    listed(script, key).push(pattern);
                }
            }
        }
    }
}

/// A dependency with arguments or variables (mise.jdx.dev "Task configuration",
/// `depends`) as vx.toml's table `{ task, args, env }`: each word and value as
/// written, or the task's own usage value (`{{usage.NAME}}` is `{{NAME}}`, filled in
/// when the run is planned), or it cannot be taken (a word with other braces or
/// control characters, a variable that is no name).
fn call(dependency: &Dependency, args: &[ImportedArg]) -> Result<ImportedCall, TaskError> {
    let refused = || TaskError::DependsWithArguments {
        name: dependency.shown(),
    };
    let name = &dependency.task;
    if name.starts_with('-') || !plain_word(name) || vx_base::glob::is_glob(name) {
        return Err(refused());
    }
    let mut env = Vec::new();
    for (var, value) in &dependency.env {
        let valid = vx_base::validate::var_name(var) && var != "PATH";
        if !valid {
            return Err(refused());
        }
        env.push((var.clone(), word(value, args)?.ok_or_else(refused)?));
    }
    let mut words = Vec::new();
    for arg in &dependency.args {
        words.push(word(arg, args)?.ok_or_else(refused)?);
    }
    Ok(ImportedCall {
        task: name.clone(),
        args: words,
        env,
    })
}

/// A dependency's word (or a variable's value) as the run takes it: [`usage_word`]'s,
/// else the word as written (one without braces, which vx's fill reads, or control
/// characters); `None` when it is neither.
fn word(text: &str, args: &[ImportedArg]) -> Result<Option<String>, TaskError> {
    if let Some(word) = usage_word(text, args)? {
        return Ok(Some(word));
    }
    if text.contains(['{', '}']) || text.chars().any(char::is_control) {
        return Ok(None);
    }
    Ok(Some(text.to_owned()))
}

/// `text` with the spaces inside its `{{ … }}` templates taken out (`{{ usage.x }}`
/// is `{{usage.x}}`), so a template is one word of it.
fn spaced_templates(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(end) = rest[start..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str("{{");
        out.push_str(rest[start + 2..start + end].trim());
        out.push_str("}}");
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

/// A dependency's word as vx runs it: plain as it is, each `{{usage.NAME}}` in it the
/// task's argument `NAME` (`{{NAME}}`, filled in when the task runs); `None` when it
/// is neither (a shell would read it otherwise), an error naming a template vx has no
/// counterpart for or an argument the task does not declare.
fn usage_word(word: &str, args: &[ImportedArg]) -> Result<Option<String>, TaskError> {
    let mut out = String::new();
    let mut rest = word;
    while let Some(start) = rest.find("{{") {
        let literal = &rest[..start];
        if !literal.is_empty() && !plain_word(literal) {
            return Ok(None);
        }
        out.push_str(literal);
        let end = rest[start..]
            .find("}}")
            .ok_or(TaskError::UnclosedTemplate)?;
        let inner = rest[start + 2..start + end].trim();
        let Some(name) = inner.strip_prefix("usage.") else {
            return Err(TaskError::Template {
                inner: inner.to_owned(),
            });
        };
        if !args.iter().any(|a| a.name == name) {
            return Err(TaskError::UsageArgument {
                name: name.to_owned(),
            });
        }
        out.push_str(&format!("{{{{{name}}}}}"));
        rest = &rest[start + end + 2..];
    }
    if !rest.is_empty() && !plain_word(rest) {
        return Ok(None);
    }
    out.push_str(rest);
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg(name: &str) -> ImportedArg {
        ImportedArg::new(name, "positional")
    }

    /// The dependency written `text` (a string) as vx.toml's table.
    fn call_of(text: &str, args: &[ImportedArg]) -> Result<ImportedCall, TaskError> {
        call(&Dependency::written(text), args)
    }

    /// A dependency's words from the task's usage values are its arguments, filled in
    /// when the run is planned (firezone's `#MISE depends=["unpack {{usage.target}}"]`);
    /// an argument it does not declare, or another template, is said.
    #[test]
    fn a_dependency_takes_the_tasks_usage_values() {
        let args = [arg("target")];
        let called = call_of("unpack {{ usage.target }} --fast", &args).unwrap();
        assert_eq!(called.task, "unpack");
        assert_eq!(called.args, ["{{target}}", "--fast"]);
        let called = call_of("u --out={{usage.target}}", &args).unwrap();
        assert_eq!(called.args, ["--out={{target}}"]);
        assert_eq!(
            call_of("unpack {{usage.other}}", &args),
            Err(TaskError::UsageArgument {
                name: "other".into()
            })
        );
        assert_eq!(
            call_of("unpack {{env.HOME}}", &args),
            Err(TaskError::Template {
                inner: "env.HOME".into()
            })
        );
    }

    /// The forms of an entry mise reads (jdx/mise, src/task/task_dep.rs): a string,
    /// a list, a table with `task`, `args`, `env` and `optional` (no other key).
    #[test]
    fn every_form_of_an_entry_is_read_as_mise_reads_it() {
        let read = |toml: &str| {
            let table: toml::de::DeTable<'_> = toml::de::DeTable::parse(toml).unwrap().into_inner();
            let value = table.get("d").unwrap().get_ref().clone();
            entries(&value, "depends")
        };
        let plain = |task: &str, args: &[&str]| Dependency {
            task: task.into(),
            args: args.iter().map(|a| a.to_string()).collect(),
            env: Vec::new(),
            optional: false,
        };
        assert_eq!(read(r#"d = "a q""#), Ok(vec![plain("a", &["q"])]));
        assert_eq!(
            read(r#"d = [["a", "q r"], "b"]"#),
            Ok(vec![plain("a", &["q r"]), plain("b", &[])])
        );
        assert_eq!(
            read(r#"d = [{ task = "*:clean", optional = true }]"#),
            Ok(vec![Dependency {
                optional: true,
                ..plain("*:clean", &[])
            }])
        );
        assert_eq!(
            read(r#"d = { task = "a", args = ["q"], env = { Z = "1" } }"#),
            Ok(vec![Dependency {
                env: vec![("Z".into(), "1".into())],
                ..plain("a", &["q"])
            }])
        );
        assert_eq!(
            read(r#"d = { task = "a b" }"#),
            Ok(vec![plain("a", &["b"])])
        );
        assert_eq!(
            read(r#"d = "NODE_ENV=test A_1= setup 'x y' K=v""#),
            Ok(vec![Dependency {
                env: vec![
                    ("NODE_ENV".into(), "test".into()),
                    ("A_1".into(), "".into())
                ],
                ..plain("setup", &["x y", "K=v"])
            }])
        );
        assert_eq!(
            read(r#"d = "build=release""#),
            Ok(vec![plain("build=release", &[])])
        );
        assert_eq!(
            read(r#"d = ["lint/*", { task = "a/**", optional = true }, "x/y"]"#),
            Ok(vec![
                plain("lint:*", &[]),
                Dependency {
                    optional: true,
                    ..plain("a:**", &[])
                },
                plain("x/y", &[])
            ]),
            "a glob's `/` is a group's end, as mise reads it"
        );
        assert_eq!(
            read(r#"d = ["//apps/web:b*", "@s/p#b*"]"#),
            Ok(vec![plain("//apps/web:b*", &[]), plain("@s/p#b*", &[])])
        );
        for bad in [
            r#"d = [{ task = "a", opt = true }]"#,
            r#"d = [{ args = ["x"] }]"#,
            "d = [1]",
            "d = [[]]",
        ] {
            assert_eq!(
                read(bad),
                Err(TaskError::DependencyShape { key: "depends" }),
                "{bad}"
            );
        }
    }

    /// Variables and words are taken as written (never through a shell); a word vx's
    /// fill would read, or a variable that is no name, is refused.
    #[test]
    fn a_dependencys_variables_and_words_are_taken_as_written() {
        let dependency = Dependency {
            task: "a".into(),
            args: vec!["x y".into(), "$HOME".into()],
            env: vec![("Z".into(), "1 2".into())],
            optional: false,
        };
        assert_eq!(
            call(&dependency, &[]),
            Ok(ImportedCall {
                task: "a".into(),
                args: vec!["x y".into(), "$HOME".into()],
                env: vec![("Z".into(), "1 2".into())],
            })
        );
        for (env, args) in [("Z-1", "x"), ("Z", "{args}"), ("PATH", "x")] {
            let bad = Dependency {
                env: vec![(env.into(), "1".into())],
                args: vec![args.into()],
                ..dependency.clone()
            };
            assert!(matches!(
                call(&bad, &[]),
                Err(TaskError::DependsWithArguments { .. })
            ));
        }
    }
}
