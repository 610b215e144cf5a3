//! `[tasks]` (and `[scripts]`, its old name) and the `#VX` headers of file tasks, read
//! into [`crate::task::Task`]: every key checked, every error pointing at the
//! task and key.
//!
//! It lives beside the rest of the manifest parser (not in `vx_tasks`) because it
//! shares that parser's span-based errors: a bad entry is reported at its line.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Entry, Parser, Table, as_table, entry};
use crate::manifest::{ManifestError, Problem};
use crate::task::{ArgKind, Call, DEFAULT_READY_TIMEOUT, Ready, ReadyCheck, Task, TaskArg};

/// Keys of a task written as a table: `run`, `cwd` (`dir`'s old name), `shell` (what
/// `run` starts under), `run_windows` (what runs on Windows instead), then those a
/// file task's `#VX` header takes too ([`FILE_TASK_KEYS`]). The one list: the guide's
/// table of a task's keys (docs/guide/tasks.md, "An entry") and mise's keys vx takes
/// (`import::mise`, a floor below, which cannot name it) are held to it by the tests
/// below.
const TASK_KEYS: &[&str] = &[
    "run",
    "cwd",
    "shell",
    "run_windows",
    "depends",
    "depends_post",
    "wait_for",
    "env",
    "dir",
    "description",
    "alias",
    "hide",
    "sources",
    "outputs",
    "args",
    "tools",
    "service",
    "ready",
    "timeout",
    "quiet",
    "raw_args",
    "confirm",
    "cache",
];
/// Keys of a file task's `#VX` header: a task's, less `run`, `shell` and
/// `run_windows` (the file is the run, started by its `#!` line) and the old `cwd`.
const FILE_TASK_KEYS: &[&str] = TASK_KEYS.split_at(4).1;
/// Keys of an `args` entry.
const ARG_KEYS: &[&str] = &[
    "name", "default", "help", "option", "flag", "short", "variadic", "count", "negate", "env",
    "required", "rest",
];
/// Keys of `ready`.
const READY_KEYS: &[&str] = &["log", "port", "http", "command", "timeout"];
/// Most tasks one `[tasks]` (or `[scripts]`) table may hold: far over a real
/// project's, so that a mise project's long list (10,000 one-line tasks) is read
/// whole, and a bound all the same.
pub const MAX_TASKS: usize = 16_384;

impl Parser<'_> {
    /// `[tasks]` or `[scripts]` (`table` says which): each a command string, an array
    /// of commands, or a table.
    pub(super) fn tasks(
        &self,
        value: &Spanned<DeValue<'_>>,
        table_name: &str,
    ) -> Result<Vec<Task>, ManifestError> {
        let table = as_table(value)
            .ok_or_else(|| self.wrong_type(value, table_name.to_owned(), "a table"))?;
        if table.len() > MAX_TASKS {
            return Err(self.err(
                Some(value.span()),
                Problem::Environment(format!(
                    "[{table_name}] has {} entries; at most {MAX_TASKS} are allowed",
                    table.len()
                )),
            ));
        }
        let mut entries: Vec<Entry<'_>> = table.iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        let mut tasks = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            match self.task(key, value, table_name) {
                Ok(task) => tasks.push(task),
                Err(error) if self.spare(key.get_ref().as_ref(), &error) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(tasks)
    }

    /// One entry of `[tasks]` (or `[scripts]`: `table_name`).
    fn task(
        &self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Spanned<DeValue<'_>>,
        table_name: &str,
    ) -> Result<Task, ManifestError> {
        {
            let name = key.get_ref().as_ref();
            self.task_name(name, key.span())?;
            let at = format!("{table_name}.{name}");
            let mut task = Task::named(name);
            task.line = self.line_of(key.span().start);
            match value.get_ref() {
                DeValue::String(run) => task.run = vec![run.as_ref().to_owned()],
                DeValue::Array(_) => task.run = self.commands(value, &at)?,
                DeValue::Table(_) => {
                    let fields = as_table(value).expect("a table");
                    self.known_keys(fields, TASK_KEYS, &at)?;
                    self.task_fields(&mut task, fields, &at)?;
                    if let Some(shell) = fields.get("shell") {
                        task.shell = self.shell(shell, &format!("{at}.shell"))?;
                    }
                    // Read on every platform (an error in it is said everywhere),
                    // run on Windows.
                    let windows = match fields.get("run_windows") {
                        Some(run) if fields.contains_key("run") => {
                            let windows = self.commands(run, &format!("{at}.run_windows"))?;
                            entry::no_nul(name, &windows)
                                .map_err(|p| self.err(Some(run.span()), p))?;
                            Some(windows)
                        }
                        Some(run) => {
                            return Err(self.err(
                                Some(run.span()),
                                Problem::Environment(format!(
                                    "{at}.run_windows is what runs on Windows instead of `run`: give `run` too"
                                )),
                            ));
                        }
                        None => None,
                    };
                    if let Some(run) = fields.get("run") {
                        task.run = self.commands(run, &format!("{at}.run"))?;
                        if let Some(windows) = windows.filter(|_| vx_base::platform::WINDOWS) {
                            task.run = windows;
                        }
                    } else {
                        entry::runs_or_gathers(&task).map_err(|p| self.err(Some(key.span()), p))?;
                    }
                }
                _ => {
                    return Err(self.wrong_type(
                        value,
                        at,
                        "a command string, an array of commands, or a table",
                    ));
                }
            }
            entry::no_nul(name, &task.run).map_err(|p| self.err(Some(value.span()), p))?;
            Ok(task)
        }
    }

    /// A file task's `#VX` header, as a TOML table in `self.text` (the file's other
    /// lines blanked, so lines match the file's).
    pub(in crate::manifest) fn file_task(
        &self,
        name: &str,
        file: &str,
    ) -> Result<Task, ManifestError> {
        let root = DeTable::parse(self.text).map_err(|e| {
            let message = e.message().trim().replace('\n', "; ");
            self.err(Some(e.span().unwrap_or(0..0)), Problem::Syntax(message))
        })?;
        let fields = root.get_ref();
        let at = format!("task {name}");
        self.known_keys(fields, FILE_TASK_KEYS, &at)?;
        let mut task = Task::named(name);
        task.file = Some(file.to_owned());
        self.task_fields(&mut task, fields, &at)?;
        Ok(task)
    }

    fn task_name(&self, name: &str, span: Range<usize>) -> Result<(), ManifestError> {
        entry::task_name(name).map_err(|p| self.err(Some(span), p))
    }

    /// Every key of a task table but `run`.
    fn task_fields(
        &self,
        task: &mut Task,
        fields: &Table<'_>,
        at: &str,
    ) -> Result<(), ManifestError> {
        for (key, list, calls) in [
            ("depends", &mut task.depends, &mut task.calls),
            ("depends_post", &mut task.depends_post, &mut task.calls_post),
        ] {
            if let Some(value) = fields.get(key) {
                (*list, *calls) = self.dependencies(value, &format!("{at}.{key}"))?;
            }
        }
        if let Some(value) = fields.get("wait_for") {
            task.wait_for = self.names(value, &format!("{at}.wait_for"))?;
        }
        if let Some(env) = fields.get("env") {
            task.env = self.env_table(env, &format!("{at}.env"))?;
        }
        if fields.contains_key("dir") && fields.contains_key("cwd") {
            return Err(self.err(
                Some(fields.get("cwd").expect("present").span()),
                Problem::Environment(format!(
                    "{at}: `cwd` is the old name of `dir`; give one of them"
                )),
            ));
        }
        for key in ["dir", "cwd"] {
            if let Some((dir, span)) = self.string(fields, key, at)? {
                entry::task_dir(at, key, dir).map_err(|p| self.err(Some(span), p))?;
                task.dir = Some(dir.to_owned());
            }
        }
        if let Some((text, _)) = self.string(fields, "description", at)? {
            task.description = Some(text.to_owned());
        }
        if let Some((text, _)) = self.string(fields, "confirm", at)? {
            task.confirm = Some(text.to_owned());
        }
        if let Some(value) = fields.get("alias") {
            task.alias = match value.get_ref() {
                DeValue::String(one) => {
                    self.task_name(one, value.span())?;
                    vec![one.as_ref().to_owned()]
                }
                _ => {
                    let mut out = Vec::new();
                    for (alias, span) in self.string_list(value, &format!("{at}.alias"))? {
                        self.task_name(alias, span)?;
                        out.push(alias.to_owned());
                    }
                    out
                }
            };
        }
        task.hide = self.boolean(fields, "hide", at)?;
        task.quiet = self.boolean(fields, "quiet", at)?;
        task.raw_args = self.boolean(fields, "raw_args", at)?;
        task.service = self.boolean(fields, "service", at)?;
        task.cache = fields.get("cache").is_none() || self.boolean(fields, "cache", at)?;
        for (key, list) in [
            ("sources", &mut task.sources),
            ("outputs", &mut task.outputs),
        ] {
            if let Some(value) = fields.get(key) {
                let items = self.string_list(value, &format!("{at}.{key}"))?;
                self.at_most(items.len(), value, &format!("{at}.{key}"))?;
                for (glob, span) in items {
                    entry::task_glob(at, key, glob).map_err(|p| self.err(Some(span), p))?;
                    list.push(glob.to_owned());
                }
            }
        }
        if let Some(value) = fields.get("args") {
            task.args = self.task_args(value, &format!("{at}.args"))?;
        }
        if let Some(value) = fields.get("tools") {
            let table = as_table(value).ok_or_else(|| {
                self.wrong_type(
                    value,
                    format!("{at}.tools"),
                    "a table of tool = \"version\"",
                )
            })?;
            let mut entries: Vec<Entry<'_>> = table.iter().collect();
            entries.sort_by_key(|(key, _)| key.span().start);
            for (key, version) in entries {
                let tool = key.get_ref().as_ref();
                let DeValue::String(version) = version.get_ref() else {
                    return Err(self.wrong_type(
                        version,
                        format!("{at}.tools.{tool}"),
                        "a version string",
                    ));
                };
                task.tools
                    .push((tool.to_owned(), version.as_ref().to_owned()));
            }
        }
        if let Some(value) = fields.get("timeout") {
            entry::timeout_of_task(at, task.service)
                .map_err(|p| self.err(Some(value.span()), p))?;
            task.timeout = Some(self.duration(value, &format!("{at}.timeout"))?);
        }
        if let Some(value) = fields.get("ready") {
            entry::ready_of_service(at, task.service)
                .map_err(|p| self.err(Some(value.span()), p))?;
            task.ready = Some(self.ready(value, &format!("{at}.ready"))?);
        }
        entry::service_post(at, task.service, &task.depends_post)
            .map_err(|p| self.err(Some(fields.get("depends_post").expect("present").span()), p))?;
        Ok(())
    }

    /// `shell`: a program and its words, written as a shell line (`"bash -c"`, split
    /// as `sh` splits words) or a list (`["bash", "-c"]`); at least the program.
    fn shell(&self, value: &Spanned<DeValue<'_>>, at: &str) -> Result<Vec<String>, ManifestError> {
        let words = match value.get_ref() {
            DeValue::String(line) => shlex::split(line).unwrap_or_default(),
            _ => self
                .string_list(value, at)?
                .into_iter()
                .map(|(word, _)| word.to_owned())
                .collect(),
        };
        entry::shell(at, &words).map_err(|p| self.err(Some(value.span()), p))?;
        Ok(words)
    }

    /// A duration `at`: a number of seconds, or a string (`"30s"`, `"2m"`).
    fn duration(
        &self,
        value: &Spanned<DeValue<'_>>,
        at: &str,
    ) -> Result<std::time::Duration, ManifestError> {
        let parsed = match value.get_ref() {
            DeValue::Integer(n) => n
                .as_str()
                .parse::<u64>()
                .ok()
                .map(std::time::Duration::from_secs),
            DeValue::String(s) => vx_base::utc::parse_age_or_seconds(s).ok(),
            _ => None,
        };
        parsed.ok_or_else(|| {
            self.err(
                Some(value.span()),
                Problem::Environment(format!(
                    "{at} must be seconds or a duration (\"30s\", \"2m\")"
                )),
            )
        })
    }

    /// `run` as an array: commands, at least one.
    fn commands(
        &self,
        value: &Spanned<DeValue<'_>>,
        at: &str,
    ) -> Result<Vec<String>, ManifestError> {
        if let DeValue::String(one) = value.get_ref() {
            return Ok(vec![one.as_ref().to_owned()]);
        }
        let items = self.string_list(value, at)?;
        entry::commands(at, items.len()).map_err(|p| self.err(Some(value.span()), p))?;
        Ok(items.into_iter().map(|(s, _)| s.to_owned()).collect())
    }

    /// A `depends`-like list: task names or globs (a single string is a list of one).
    fn names(&self, value: &Spanned<DeValue<'_>>, at: &str) -> Result<Vec<String>, ManifestError> {
        let items = match value.get_ref() {
            DeValue::String(one) => vec![(one.as_ref(), value.span())],
            _ => self.string_list(value, at)?,
        };
        self.at_most(items.len(), value, at)?;
        let mut out = Vec::new();
        for (name, span) in items {
            entry::dependency(at, name).map_err(|p| self.err(Some(span), p))?;
            out.push(name.to_owned());
        }
        Ok(out)
    }

    /// A `depends` or `depends_post` list `at`: task names and globs, and tables
    /// `{ task, args, env }` that run a task with words or variables of their own
    /// ([`Call`]: a node of the run's graph of its own). A table with neither is its
    /// task's name.
    fn dependencies(
        &self,
        value: &Spanned<DeValue<'_>>,
        at: &str,
    ) -> Result<(Vec<String>, Vec<Call>), ManifestError> {
        let DeValue::Array(items) = value.get_ref() else {
            return Ok((self.names(value, at)?, Vec::new()));
        };
        self.at_most(items.len(), value, at)?;
        let (mut names, mut calls) = (Vec::new(), Vec::new());
        for item in items {
            match item.get_ref() {
                DeValue::String(name) => {
                    entry::dependency(at, name).map_err(|p| self.err(Some(item.span()), p))?;
                    names.push(name.as_ref().to_owned());
                }
                DeValue::Table(table) => match self.call(item, table, at)? {
                    call if call.words.is_empty() && call.env.is_empty() => names.push(call.task),
                    call => calls.push(call),
                },
                _ => {
                    let expected = "an array of task names and tables { task, args, env }";
                    return Err(self.wrong_type(item, at.to_owned(), expected));
                }
            }
        }
        Ok((names, calls))
    }

    /// A dependency written `{ task = "check", args = ["--test"], env = { Z = "1" } }`
    /// (mise's table form): the task by its name or alias (no glob), its words, and
    /// variables set for it alone, each a string taken as written.
    fn call(
        &self,
        item: &Spanned<DeValue<'_>>,
        table: &Table<'_>,
        at: &str,
    ) -> Result<Call, ManifestError> {
        self.known_keys(table, &["task", "args", "env"], at)?;
        let Some((task, span)) = self.string(table, "task", at)? else {
            let expected = "a table with `task` (and `args`, `env`)";
            return Err(self.wrong_type(item, at.to_owned(), expected));
        };
        self.task_name(task, span)?;
        let words = match table.get("args") {
            Some(value) => (self.string_list(value, &format!("{at}.args"))?.into_iter())
                .map(|(word, _)| word.to_owned())
                .collect(),
            None => Vec::new(),
        };
        let mut env = Vec::new();
        if let Some(value) = table.get("env") {
            for var in self.env_table(value, &format!("{at}.env"))? {
                let Some(set) = var.value else {
                    return Err(self.wrong_type(
                        value,
                        format!("{at}.env.{}", var.name),
                        "a string",
                    ));
                };
                env.push((var.name, set));
            }
        }
        Ok(Call {
            task: task.to_owned(),
            words,
            env,
        })
    }

    fn boolean(&self, fields: &Table<'_>, key: &str, at: &str) -> Result<bool, ManifestError> {
        match fields.get(key) {
            None => Ok(false),
            Some(v) => match v.get_ref() {
                DeValue::Boolean(b) => Ok(*b),
                _ => Err(self.wrong_type(v, format!("{at}.{key}"), "a boolean")),
            },
        }
    }

    fn at_most(
        &self,
        count: usize,
        value: &Spanned<DeValue<'_>>,
        at: &str,
    ) -> Result<(), ManifestError> {
        entry::list_count(at, count).map_err(|p| self.err(Some(value.span()), p))
    }

    /// `args = [{ name, default, help, option, flag, short, variadic, count, negate,
    /// env }, …]`.
    fn task_args(
        &self,
        value: &Spanned<DeValue<'_>>,
        at: &str,
    ) -> Result<Vec<TaskArg>, ManifestError> {
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.wrong_type(value, at.to_owned(), "an array of argument tables"));
        };
        self.at_most(items.len(), value, at)?;
        let mut out: Vec<TaskArg> = Vec::new();
        for item in items {
            let fields =
                as_table(item).ok_or_else(|| self.wrong_type(item, at.to_owned(), "a table"))?;
            self.known_keys(fields, ARG_KEYS, at)?;
            let (name, span) = self.string(fields, "name", at)?.ok_or_else(|| {
                self.err(
                    Some(item.span()),
                    Problem::Environment(format!("{at}: an argument has no `name`")),
                )
            })?;
            let variadic = self.boolean(fields, "variadic", at)?;
            entry::arg_name(at, name, variadic, &out).map_err(|p| self.err(Some(span), p))?;
            let option = self.boolean(fields, "option", at)?;
            let flag = self.boolean(fields, "flag", at)?;
            let count = self.boolean(fields, "count", at)?;
            let kind = match (option, flag || count) {
                (true, true) => {
                    return Err(self.err(
                        Some(item.span()),
                        Problem::Environment(format!(
                            "{at}: argument `{name}` is either an option or a flag, not both"
                        )),
                    ));
                }
                (true, false) => ArgKind::Option,
                (false, true) if count => ArgKind::Count,
                (false, true) => ArgKind::Flag,
                (false, false) => ArgKind::Positional,
            };
            let short = match self.string(fields, "short", at)? {
                None => None,
                Some((text, span)) => Some(
                    entry::arg_short(at, name, kind, text, &out)
                        .map_err(|p| self.err(Some(span), p))?,
                ),
            };
            let owned =
                |field: Option<(&str, Range<usize>)>| field.map(|(text, _)| text.to_owned());
            let arg = TaskArg {
                default: owned(self.string(fields, "default", at)?),
                help: owned(self.string(fields, "help", at)?),
                short,
                variadic,
                env: owned(self.string(fields, "env", at)?),
                negate: owned(self.string(fields, "negate", at)?),
                required: self.boolean(fields, "required", at)?,
                rest: self.boolean(fields, "rest", at)?,
                ..TaskArg::new(name, kind)
            };
            entry::arg_extras(at, &arg, &out).map_err(|p| self.err(Some(item.span()), p))?;
            out.push(arg);
        }
        Ok(out)
    }

    /// `ready = { log | port | http | command, timeout }` (exactly one check).
    fn ready(&self, value: &Spanned<DeValue<'_>>, at: &str) -> Result<Ready, ManifestError> {
        let fields = as_table(value).ok_or_else(|| {
            self.wrong_type(
                value,
                at.to_owned(),
                "a table with one of log, port, http, command",
            )
        })?;
        self.known_keys(fields, READY_KEYS, at)?;
        let mut checks = Vec::new();
        if let Some((re, span)) = self.string(fields, "log", at)? {
            if let Err(e) = regex::Regex::new(re) {
                let why = e.to_string().replace('\n', " ");
                return Err(self.err(
                    Some(span),
                    Problem::Environment(format!("{at}.log is not a regular expression: {why}")),
                ));
            }
            checks.push(ReadyCheck::Log(re.to_owned()));
        }
        if let Some(port) = fields.get("port") {
            match port.get_ref() {
                DeValue::Integer(n) => checks.push(ReadyCheck::Port(
                    entry::ready_port(at, n.as_str())
                        .map_err(|p| self.err(Some(port.span()), p))?,
                )),
                _ => return Err(self.wrong_type(port, format!("{at}.port"), "a port number")),
            }
        }
        if let Some((url, span)) = self.string(fields, "http", at)? {
            if !url.starts_with("http://") {
                return Err(self.err(
                    Some(span),
                    Problem::Environment(format!(
                        "{at}.http must be an http:// URL (a local dev server)"
                    )),
                ));
            }
            checks.push(ReadyCheck::Http(url.to_owned()));
        }
        if let Some((command, _)) = self.string(fields, "command", at)? {
            checks.push(ReadyCheck::Command(command.to_owned()));
        }
        let timeout = match fields.get("timeout") {
            None => DEFAULT_READY_TIMEOUT,
            Some(t) => self.duration(t, &format!("{at}.timeout"))?,
        };
        match checks.len() {
            1 => Ok(Ready {
                check: checks.remove(0),
                timeout,
            }),
            0 => Err(self.err(
                Some(value.span()),
                Problem::Environment(format!("{at} needs one check: log, port, http or command")),
            )),
            _ => Err(self.err(
                Some(value.span()),
                Problem::Environment(format!(
                    "{at} has several checks; give one of log, port, http, command"
                )),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TASK_KEYS;
    use std::collections::BTreeSet;

    /// mise's task keys vx takes are vx's own, but for those only mise has (each made
    /// into vx's keys otherwise: `file` into `run`, `usage` into `args`, `daemons` into
    /// `depends`, `extends` merged away); a key added to vx's list fails this until it
    /// is said whether mise has it.
    #[test]
    fn mises_task_keys_are_vxs_but_for_its_own() {
        const MISE_ONLY: [&str; 4] = ["extends", "daemons", "file", "usage"];
        const VX_ONLY: [&str; 5] = ["cwd", "args", "service", "ready", "cache"];
        let mise: BTreeSet<&str> = crate::import::mise::TASK_KEYS.iter().copied().collect();
        let expected: BTreeSet<&str> = TASK_KEYS
            .iter()
            .copied()
            .filter(|key| !VX_ONLY.contains(key))
            .chain(MISE_ONLY)
            .collect();
        assert_eq!(mise, expected);
        assert!(VX_ONLY.iter().all(|key| TASK_KEYS.contains(key)));
    }

    /// An argument's `variadic`, `count`, `negate` and `env` (what a mise usage spec
    /// says of it, as `vx import` writes it) are read, each only where it means
    /// something: a manifest error otherwise, naming why.
    #[test]
    fn an_arguments_variadic_count_negate_and_env_are_read_where_they_mean_something() {
        use crate::task::ArgKind;
        let parse = |args: &str| {
            let text = format!("[tasks.t]\nrun = \"x\"\nargs = [{args}]\n");
            crate::manifest::Manifest::parse(std::path::Path::new("/p/vx.toml"), &text)
                .map(|mut m| m.environment.tasks.remove(0).args)
                .map_err(|e| e.to_string())
        };
        let args = parse(
            r#"{ name = "args", variadic = true }, { name = "v", count = true, short = "v" },
               { name = "color", flag = true, negate = "--no-color" },
               { name = "region", option = true, env = "AWS_REGION" }"#,
        )
        .unwrap();
        let read: Vec<_> = (args.iter())
            .map(|a| (a.kind, a.variadic, a.negate.as_deref(), a.env.as_deref()))
            .collect();
        let yes = parse(r#"{ name = "yes", flag = true, required = true }"#).unwrap();
        assert!(yes[0].required);
        assert_eq!(
            read,
            [
                (ArgKind::Positional, true, None, None),
                (ArgKind::Count, false, None, None),
                (ArgKind::Flag, false, Some("--no-color"), None),
                (ArgKind::Option, false, None, Some("AWS_REGION")),
            ]
        );
        for (args, said) in [
            (
                r#"{ name = "o", option = true, variadic = true }"#,
                "only a positional argument",
            ),
            (
                r#"{ name = "o", option = true, negate = "--no-o" }"#,
                "only a flag is turned off",
            ),
            (
                r#"{ name = "f", flag = true, negate = "no-f" }"#,
                "not `no-f`",
            ),
            (
                r#"{ name = "f", flag = true, negate = "--f" }"#,
                "not `--f`",
            ),
            (
                r#"{ name = "g", flag = true, negate = "--x" }, { name = "y", flag = true, negate = "--x" }"#,
                "not `--x`",
            ),
            (
                r#"{ name = "f", flag = true, env = "A-B" }"#,
                "`A-B` is not a variable name",
            ),
            (
                r#"{ name = "c", count = true, option = true }"#,
                "either an option or a flag",
            ),
            (r#"{ name = "args" }"#, "is reserved"),
            (
                r#"{ name = "o", option = true, required = true }"#,
                "only a flag without a default is required so",
            ),
            (
                r#"{ name = "y", flag = true, default = "false", required = true }"#,
                "only a flag without a default is required so",
            ),
        ] {
            let err = parse(args).unwrap_err();
            assert!(err.contains(said), "{args}: {err}");
        }
    }

    /// The guide's table of a task's keys names every key vx.toml takes, and no other.
    #[test]
    fn the_guide_lists_every_task_key() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/guide/tasks.md");
        let guide = std::fs::read_to_string(path).unwrap();
        let section = guide
            .split("\n## An entry\n")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("the guide has its section \"An entry\"");
        let listed: BTreeSet<&str> = section
            .lines()
            .filter(|line| line.starts_with("| `"))
            .filter_map(|line| line.split('|').nth(1))
            .flat_map(|cell| cell.split('`').skip(1).step_by(2))
            .collect();
        let keys: BTreeSet<&str> = TASK_KEYS.iter().copied().collect();
        assert_eq!(listed, keys);
    }
}
