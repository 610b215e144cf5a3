//! mise's `mise.toml` / `.mise.toml` (mise.jdx.dev, "Configuration"): `[tools]`, whose
//! values are a version (`"20"`), several (`["20", "18"]` or `"20 18"`: the first is
//! imported, the rest noted), or a table with `version` (its other options noted), its
//! keys a tool or `BACKEND:TOOL` ([`super::names`]); and `[env]`, whose strings become
//! vx's `[env]` (mise's `{{config_root}}` as `{project}`, `{{env.VAR}}` as `${VAR}`),
//! `false` unsets, and the directives `_.path` and `_.file` become `[settings] path` and
//! `[settings] env_file`, `_.python.venv` (and a python's `virtualenv` option)
//! `[settings] python_venv` (`_.source` is reported: vx runs no script); and `[tasks]`
//! and file tasks (`mise-tasks/`, `.mise/tasks/` with `#MISE` headers), each a vx
//! `[tasks]` entry (`task.rs`; a task mise runs from the config's directory runs from
//! the project's). `[settings]` is mise's own and left out.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

mod depends;
mod header;
mod kdl;
pub(crate) mod layout;
pub(crate) mod monorepo;
pub(crate) mod monorepo_tables;
mod read_file;
mod shell_vars;
mod task_config;
mod task_files;
mod usage;

pub(crate) use depends::settle_optional;
pub(crate) use read_file::Place;
pub(crate) use task_files::{file_and_included_tasks, file_tasks, file_tasks_below};

use super::why::{DirError, EnvError, TaskError, VersionError};
use super::{
    Entry, EnvEntry, EnvValue, Imported, ImportedArg, ImportedScript, Malformed, ScriptEntry,
};

/// Parses a `mise.toml` read from no file: a `{{ read_file(…) }}` in its `[env]` has
/// nothing to read beside and is refused.
pub fn parse(text: &str) -> Result<Imported, Malformed> {
    parse_at(text, None)
}

/// Parses a `mise.toml` kept at `place`, where its `[env]`'s `{{ read_file(…) }}`
/// reads.
pub(crate) fn parse_at(text: &str, place: Option<Place<'_>>) -> Result<Imported, Malformed> {
    let root = DeTable::parse(text).map_err(|e| {
        let line = e.span().map(|s| super::line_of(text, s.start));
        let message = e.message().trim().replace('\n', "; ");
        Malformed::at(line, format!("invalid TOML: {message}"))
    })?;
    let root = root.get_ref();
    let lines = super::Lines::of(text);
    let line_of = |_: &str, offset: usize| lines.line(offset);
    let mut imported = Imported::default();
    if let Some(tools) = root.get("tools") {
        let line = line_of(text, tools.span().start);
        let DeValue::Table(tools) = tools.get_ref() else {
            return Err(Malformed::at(Some(line), "`tools` must be a table"));
        };
        // The table is sorted by key; the file's order is the spans'.
        let mut tools: Vec<_> = tools.iter().collect();
        tools.sort_by_key(|(key, _)| key.span().start);
        for (key, value) in tools {
            let line = Some(line_of(text, key.span().start));
            imported.tools.push(tool(key.get_ref(), value, line));
            if let Some(venv) = virtualenv(key.get_ref(), value.get_ref()) {
                let relative = venv_dir(&venv);
                imported.python_venv.push((venv, relative, line));
            }
        }
    }
    if let Some(env) = root.get("env") {
        let line = line_of(text, env.span().start);
        let DeValue::Table(env) = env.get_ref() else {
            return Err(Malformed::at(Some(line), "`env` must be a table"));
        };
        let mut env: Vec<_> = env.iter().collect();
        env.sort_by_key(|(key, _)| key.span().start);
        for (key, value) in env {
            let line = Some(line_of(text, key.span().start));
            if key.get_ref() == "_" {
                directives(value.get_ref(), line, &mut imported);
                continue;
            }
            imported.env.push(EnvEntry {
                name: key.get_ref().to_string(),
                value: env_value(key.get_ref(), value.get_ref(), place),
                line,
            });
        }
    }
    not_honoured(text, root, &mut imported);
    let vars = vars_of(root);
    if let Some(tasks) = root.get("tasks") {
        let line = line_of(text, tasks.span().start);
        let DeValue::Table(tasks) = tasks.get_ref() else {
            return Err(Malformed::at(Some(line), "`tasks` must be a table"));
        };
        let mut tasks: Vec<_> = tasks.iter().collect();
        tasks.sort_by_key(|(key, _)| key.span().start);
        let templates = match root.get("task_templates").map(|t| t.get_ref()) {
            Some(DeValue::Table(templates)) => Some(templates),
            _ => None,
        };
        // `[task_config] dir` and `shell`, for a task that sets neither itself.
        let defaults = task_config::Defaults::of(root);
        for (key, value) in tasks {
            let script = extended(value.get_ref(), templates).and_then(|merged| {
                let value = merged.as_ref().unwrap_or(value.get_ref());
                let given = defaults.given(value);
                task(given.as_ref().unwrap_or(value), &vars)
            });
            imported.scripts.push(ScriptEntry {
                name: key.get_ref().to_string(),
                script,
                line: Some(line_of(text, key.span().start)),
                file: None,
            });
        }
    }
    imported.scripts.extend(daemons(text, root));
    Ok(imported)
}

/// mise's `[daemons.NAME]` (mise 2026.9, run by pitchfork) as vx services: `run` the
/// command, `ready_port` its readiness (a port on localhost accepting connections),
/// `depends` what starts first; a task's `daemons = ["NAME"]` depends on it. `auto`
/// (mise starts it on entering the directory) and the rest are said as left out; a
/// preset (`db = "postgres"`, or `preset = …`) is not honoured, said with why.
fn daemons(text: &str, root: &DeTable<'_>) -> Vec<ScriptEntry> {
    let Some(DeValue::Table(daemons)) = root.get("daemons").map(|d| d.get_ref()) else {
        return Vec::new();
    };
    let mut daemons: Vec<_> = daemons.iter().collect();
    daemons.sort_by_key(|(key, _)| key.span().start);
    daemons
        .into_iter()
        .map(|(key, value)| ScriptEntry {
            name: key.get_ref().to_string(),
            script: daemon(value.get_ref()),
            line: Some(super::line_of(text, key.span().start)),
            file: None,
        })
        .collect()
}

/// One `[daemons]` entry as a service.
fn daemon(value: &DeValue<'_>) -> Result<ImportedScript, TaskError> {
    let table = match value {
        DeValue::String(preset) => {
            return Err(TaskError::DaemonPreset {
                preset: preset.to_string(),
            });
        }
        DeValue::Table(table) => table,
        _ => return Err(TaskError::NotATable { key: "daemons" }),
    };
    if let Some(preset) = table.get("preset") {
        let preset = match preset.get_ref() {
            DeValue::String(p) => p.to_string(),
            _ => "?".to_owned(),
        };
        return Err(TaskError::DaemonPreset { preset });
    }
    let run = match table.get("run").map(|r| r.get_ref()) {
        Some(DeValue::String(run)) => run.to_string(),
        Some(_) => return Err(TaskError::NotAString { key: "run" }),
        None => return Err(TaskError::DaemonWithoutRun),
    };
    let mut script = ImportedScript {
        run: vec![run],
        cwd: Some(".".to_owned()),
        service: true,
        ..ImportedScript::default()
    };
    if let Some(depends) = table.get("depends") {
        script.depends = strings(depends.get_ref(), "depends")?;
    }
    if let Some(port) = table.get("ready_port") {
        let DeValue::Integer(port) = port.get_ref() else {
            return Err(TaskError::NotAString { key: "ready_port" });
        };
        script.ready_port = u16::from_str_radix(port.as_str(), port.radix()).ok();
    }
    let mut ignored: Vec<String> = table
        .iter()
        .map(|(key, _)| key.get_ref().to_string())
        .filter(|key| !matches!(key.as_str(), "run" | "depends" | "ready_port"))
        .collect();
    ignored.sort();
    script.ignored = ignored;
    given_variables(&mut script, None);
    Ok(script)
}

/// A task that `extends` a template of `[task_templates]` (mise 2026.9), made whole as
/// mise merges it (jdx/mise, src/task/task_template.rs, `merge_template`): the task's
/// own fields, then the template's; `env`, `tools` and `vars` merged (the task's
/// entries over the template's), every other key (lists included) the task's when it
/// has one; `run`/`file` the template's only when the task has neither. `None`: the
/// task extends nothing.
fn extended<'a>(
    value: &DeValue<'a>,
    templates: Option<&DeTable<'a>>,
) -> Result<Option<DeValue<'a>>, TaskError> {
    let DeValue::Table(own) = value else {
        return Ok(None);
    };
    let Some(extends) = own.get("extends") else {
        return Ok(None);
    };
    let DeValue::String(name) = extends.get_ref() else {
        return Err(TaskError::NotAString { key: "extends" });
    };
    let template = templates
        .and_then(|t| t.get(name.as_ref()))
        .map(|t| t.get_ref());
    let Some(DeValue::Table(template)) = template else {
        return Err(TaskError::NoTemplate {
            name: name.to_string(),
        });
    };
    let mut merged = template.clone();
    if own.contains_key("run") || own.contains_key("file") {
        merged.remove("run");
        merged.remove("file");
    }
    for (key, value) in own.iter() {
        if key.get_ref() == "extends" {
            continue;
        }
        let deep = matches!(key.get_ref().as_ref(), "env" | "tools" | "vars");
        match (merged.get_mut(key.get_ref().as_ref()), value.get_ref()) {
            (Some(existing), DeValue::Table(mine)) if deep => {
                if let DeValue::Table(theirs) = existing.get_mut() {
                    for (k, v) in mine.iter() {
                        theirs.insert(k.clone(), v.clone());
                    }
                } else {
                    *existing = value.clone();
                }
            }
            _ => {
                merged.insert(key.clone(), value.clone());
            }
        }
    }
    Ok(Some(DeValue::Table(merged)))
}

/// What of the file vx does not honour (mise.jdx.dev, "Hooks" and "Settings"): its
/// `[hooks]` (scripts mise runs on entering or leaving the directory, around
/// installs), which vx never runs, and the `[settings]` that change how its tasks run:
/// `jobs` (`vx run -j N` says it instead) and `task.output` (`task_output`; `vx run
/// --output` says it instead), or how its `[env]` reads: `env_shell_expand = false`
/// (vx expands `$VAR` as mise's default does: [`shell_vars`]).
fn not_honoured(text: &str, root: &DeTable<'_>, imported: &mut Imported) {
    let line = |span: std::ops::Range<usize>| Some(super::line_of(text, span.start));
    if let Some(hooks) = root.get("hooks") {
        let names: Vec<String> = match hooks.get_ref() {
            DeValue::Table(t) => t.iter().map(|(k, _)| k.get_ref().to_string()).collect(),
            _ => Vec::new(),
        };
        imported.not_honoured.push((
            format!(
                "[hooks] {}: vx runs no hook of mise's (on entering or leaving the directory, around installs)",
                names.join(", ")
            )
            .replace("] :", "]:"),
            line(hooks.span()),
        ));
    }
    let Some(DeValue::Table(settings)) = root.get("settings").map(|s| s.get_ref()) else {
        return;
    };
    if let Some(off) = settings
        .get("env_shell_expand")
        .filter(|v| matches!(v.get_ref(), DeValue::Boolean(false)))
    {
        imported.not_honoured.push((
            "[settings] env_shell_expand = false: vx expands `$VAR` in [env] as mise does by default (`$$` is a `$`)".to_owned(),
            line(off.span()),
        ));
    }
    if let Some(jobs) = settings.get("jobs") {
        imported.not_honoured.push((
            "[settings] jobs: vx run runs as many tasks at once as the machine has cores; `vx run -j N` sets it".to_owned(),
            line(jobs.span()),
        ));
    }
    let output =
        settings
            .get("task_output")
            .or_else(|| match settings.get("task").map(|t| t.get_ref()) {
                Some(DeValue::Table(task)) => task.get("output"),
                _ => None,
            });
    if let Some(output) = output {
        imported.not_honoured.push((
            "[settings] task.output: vx run shows tasks' output as its own --output says (prefix, grouped, quiet)".to_owned(),
            line(output.span()),
        ));
    }
}

/// Leaves out each alias of `tasks` that another task has as its name, or that an
/// earlier task has as an alias (a file task's name without its extension beside a
/// task of that name: mise runs the task of that name), saying so in its task's
/// `ignored`, so the task imports without it.
pub(crate) fn settle_aliases(tasks: &mut [ScriptEntry]) {
    let names: Vec<String> = tasks.iter().map(|t| t.name.clone()).collect();
    let mut claimed: Vec<String> = Vec::new();
    for (i, entry) in tasks.iter_mut().enumerate() {
        let Ok(script) = &mut entry.script else {
            continue;
        };
        let mut kept = Vec::new();
        for alias in std::mem::take(&mut script.alias) {
            let named = names
                .iter()
                .enumerate()
                .any(|(j, name)| j != i && *name == alias);
            if named || claimed.contains(&alias) {
                script
                    .ignored
                    .push(format!("alias `{alias}` (another task answers to it)"));
            } else {
                claimed.push(alias.clone());
                kept.push(alias);
            }
        }
        script.alias = kept;
    }
}

/// A task both of the file's `[tasks]` (`scripts[..own]`) and a file task or an
/// included one (after them), as mise 2026.9.15 keeps it: a block with a command of
/// its own (`run`, `file`) is the task, the other not read (its aliases neither); a
/// block without one is laid over it (its description when it has one, its aliases,
/// dependencies and variables added), in the TOML task's place (jdx/mise,
/// src/config/mod.rs, `merge_file_and_config_tasks`, and `Task::merge_toml_overlay`).
/// A block vx cannot take keeps its reason: the task is not the other one either.
pub(crate) fn overlay_file_tasks(scripts: &mut Vec<ScriptEntry>, own: usize) {
    let mut at = own;
    while at < scripts.len() {
        let name = scripts[at].name.clone();
        let Some(block) = scripts[..own.min(at)].iter().position(|e| e.name == name) else {
            at += 1;
            continue;
        };
        let file = scripts.remove(at);
        let (mut base, overlay) = match (file.script, scripts[block].script.clone()) {
            (Ok(base), Ok(overlay)) if overlay.commandless => (base, overlay),
            _ => continue,
        };
        if overlay.description.is_some() {
            base.description = overlay.description;
        }
        for (mine, theirs) in [
            (&mut base.alias, overlay.alias),
            (&mut base.depends, overlay.depends),
            (&mut base.depends_post, overlay.depends_post),
            (&mut base.wait_for, overlay.wait_for),
        ] {
            for item in theirs {
                if !mine.contains(&item) {
                    mine.push(item);
                }
            }
        }
        for (mine, theirs) in [
            (&mut base.calls, overlay.calls),
            (&mut base.calls_post, overlay.calls_post),
        ] {
            for item in theirs {
                if !mine.contains(&item) {
                    mine.push(item);
                }
            }
        }
        base.env.extend(overlay.env);
        base.optional_depends.extend(overlay.optional_depends);
        scripts[block].script = Ok(base);
    }
}

/// Each task of `scripts` with neither a command nor a dependency of its own (a
/// `[tasks]` block that only describes, and no file task it was laid over, as
/// [`overlay_file_tasks`] lays it): no task vx can run, said why.
pub(crate) fn settle_commandless(scripts: &mut [ScriptEntry]) {
    for entry in scripts {
        let empty = entry.script.as_ref().is_ok_and(|s| {
            s.commandless
                && s.run.is_empty()
                && s.depends.is_empty()
                && s.calls.is_empty()
                && !s.service
        });
        if empty {
            entry.script = Err(TaskError::NothingToRun);
        }
    }
}

/// The keys of a mise task that vx's `[tasks]` has a counterpart for: vx's own keys
/// of the same name (held to vx.toml's list by a test of `manifest::parse::tasks`)
/// and mise's own (`extends`, `daemons`, `file`, `usage`), mapped onto others.
pub(crate) const TASK_KEYS: &[&str] = &[
    "extends",
    "daemons",
    "run",
    "file",
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
    "usage",
    "confirm",
    "quiet",
    "raw_args",
    "tools",
    "shell",
    "run_windows",
    "timeout",
];

/// One `[tasks]` entry as a vx task, or why it cannot be one (mise.jdx.dev, "Tasks",
/// "TOML-based tasks": `run` a command or a list run in order, `file` a script,
/// `depends`/`depends_post`/`wait_for` names or globs, `env`, `dir` (by default the
/// config's own directory), `alias`, `hide`, `sources`/`outputs`, `usage` and the
/// `{{arg()}}`/`{{option()}}`/`{{flag()}}` templates as declared arguments).
fn task(value: &DeValue<'_>, vars: &Vars) -> Result<ImportedScript, TaskError> {
    let mut script = ImportedScript {
        cwd: Some(".".to_owned()),
        ..ImportedScript::default()
    };
    let table = match value {
        DeValue::String(_) | DeValue::Array(_) => {
            let none = usage::Declares::default();
            script.run = task_run(value, &mut script.args, &none, vars, true)?;
            script.written_run = Some(written_run(value));
            given_variables(&mut script, None);
            return Ok(script);
        }
        DeValue::Table(table) => table,
        _ => return Err(TaskError::NotATask),
    };
    let mut usage_notes = Vec::new();
    // A usage spec mise refuses: the task is listed, its dependencies run, and it
    // fails (exit 1) saying why, as under mise.
    let mut invalid_usage = None;
    // What the field declares, which the templates of `run` (or `file`) then read.
    let mut declares = usage::Declares::default();
    if let Some(usage) = table.get("usage") {
        let DeValue::String(spec) = usage.get_ref() else {
            return Err(TaskError::NotAString { key: "usage" });
        };
        match usage::spec(spec, &mut script.args, &mut usage_notes) {
            Ok(declared) => declares = declared,
            Err(refused @ TaskError::UsageRefused { .. }) => invalid_usage = Some(refused),
            Err(other) => return Err(other),
        }
    }
    let shell = match table.get("shell").map(|shell| shell.get_ref()) {
        Some(DeValue::String(line)) => Some(line.to_string()),
        Some(_) => return Err(TaskError::NotAString { key: "shell" }),
        None => None,
    };
    let mut file_command = None;
    match (table.get("run"), table.get("file")) {
        (Some(_), Some(_)) => return Err(TaskError::RunAndFile),
        (Some(run), None) => {
            // mise's `-o errexit` is its default shell's (`sh -c -o errexit`): a task's
            // own `shell` runs its lines without it.
            let errexit = shell.is_none();
            let args = &mut script.args;
            script.run = task_run(run.get_ref(), args, &declares, vars, errexit)?;
            script.written_run = Some(written_run(run.get_ref()));
            // What mise runs on Windows instead: through `cmd`, no `set -e` there.
            if let Some(windows) = table.get("run_windows") {
                let windows = windows.get_ref();
                script.run_windows = task_run(windows, args, &declares, vars, false)?;
            }
        }
        (None, Some(file)) => {
            let DeValue::String(file) = file.get_ref() else {
                return Err(TaskError::NotAString { key: "file" });
            };
            file_command = Some(task_command(file, &mut script.args, &declares, vars)?);
        }
        // No command of its own: laid over a file task of its name, if there is
        // one ([`overlay_file_tasks`]), else it gathers its dependencies, or is none
        // ([`settle_commandless`]).
        (None, None) => script.commandless = true,
    }
    for (key, list) in [
        ("alias", &mut script.alias),
        ("sources", &mut script.sources),
        ("outputs", &mut script.outputs),
    ] {
        if let Some(value) = table.get(key) {
            if key == "outputs" && auto_outputs(value.get_ref()) {
                continue;
            }
            *list = strings(value.get_ref(), key)?;
            if matches!(key, "sources" | "outputs") {
                for glob in list.iter() {
                    vx_base::glob::check(glob).map_err(|error| TaskError::Glob { key, error })?;
                }
            }
        }
    }
    let waits_by_name = depends::of_task(table, &mut script)?;
    let runs_file = file_command.is_some();
    task_env_and_dir(table, &mut script, vars)?;
    if let Some(file) = file_command {
        // mise gives it the file's path (`MISE_TASK_FILE`, which the file, not read
        // here, may read), from the project as a file task's: no path of this machine.
        let named = !file.contains(['$', '{', '}']);
        if named && !script.env.iter().any(|(set, _)| set == "MISE_TASK_FILE") {
            let given = match file.starts_with('/') {
                false => format!("{{project}}/{}", file.trim_start_matches("./")),
                true => file.clone(),
            };
            script.env.push(("MISE_TASK_FILE".to_owned(), given));
            script.given_env.push("MISE_TASK_FILE".to_owned());
        }
        // The file gets the words as its arguments, as mise passes them; named by its
        // full path from the project, as mise starts it (its `$0`), wherever it runs.
        let file = match file.starts_with('/') {
            false => format!("\"${{{CONFIG_ROOT}}}\"/{file}"),
            true => file,
        };
        script.run = vec![format!("{file} {{args}}")];
        script.written_run = Some(Vec::new());
    }
    let runs_tasks = table
        .get("run")
        .is_some_and(|run| runs_steps(run.get_ref()));
    let notes = task_shell_and_timeout(table, &mut script, shell, runs_file || runs_tasks)?;
    task_texts_tools_and_flags(table, &mut script, vars)?;
    let mut ignored: Vec<String> = table
        .iter()
        .map(|(key, _)| key.get_ref().to_string())
        .filter(|key| !TASK_KEYS.contains(&key.as_str()))
        .collect();
    ignored.sort();
    ignored.extend(notes);
    ignored.extend(waits_by_name);
    ignored.extend(usage_notes);
    script.ignored = ignored;
    if script.run.iter().any(|run| run.contains("usage_")) {
        usage_variables(&mut script);
    }
    given_variables(&mut script, None);
    if let Some(refused) = invalid_usage {
        refuse(&mut script, &refused);
    }
    Ok(script)
}

/// A mise task's `env` and `dir`.
fn task_env_and_dir(
    table: &DeTable<'_>,
    script: &mut ImportedScript,
    vars: &Vars,
) -> Result<(), TaskError> {
    if let Some(env) = table.get("env") {
        let DeValue::Table(env) = env.get_ref() else {
            return Err(TaskError::NotATable { key: "env" });
        };
        for (name, value) in env.iter() {
            match env_value(name.get_ref(), value.get_ref(), None)? {
                EnvValue::Set(value) => script.env.push((name.get_ref().to_string(), value)),
                EnvValue::Unset => {
                    return Err(TaskError::UnsetsVariable {
                        name: name.get_ref().to_string(),
                    });
                }
            }
        }
    }
    if let Some(dir) = table.get("dir") {
        let DeValue::String(dir) = dir.get_ref() else {
            return Err(TaskError::NotAString { key: "dir" });
        };
        let dir = dir.trim();
        // `{{cwd}}`: where the user ran it from, vx's own default for a task.
        if is_cwd(dir) {
            script.cwd = None;
        } else {
            script.cwd = Some(task_dir(dir, vars)?);
        }
    }
    Ok(())
}

/// A mise task's `description` and `confirm`, its `tools`, and its `hide` and `quiet`.
fn task_texts_tools_and_flags(
    table: &DeTable<'_>,
    script: &mut ImportedScript,
    vars: &Vars,
) -> Result<(), TaskError> {
    for (key, slot) in [
        ("description", &mut script.description),
        ("confirm", &mut script.confirm),
    ] {
        if let Some(value) = table.get(key) {
            let DeValue::String(text) = value.get_ref() else {
                return Err(TaskError::NotAString { key });
            };
            // A description of several lines: its first is what mise lists.
            let text = match key {
                "description" => text
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty())
                    .unwrap_or(""),
                _ => text.as_ref(),
            };
            if text.chars().any(char::is_control) {
                return Err(TaskError::ControlCharacters { key });
            }
            *slot = Some(text.to_string());
        }
    }
    if let Some(tools) = table.get("tools") {
        let DeValue::Table(tools) = tools.get_ref() else {
            return Err(TaskError::NotATable { key: "tools" });
        };
        for (name, version) in tools.iter() {
            let DeValue::String(version) = version.get_ref() else {
                return Err(TaskError::NotAString { key: "tools" });
            };
            // mise renders its templates in a task's tools too (`rust =
            // "{{vars.rust_version}}"`, as rust-lang/rustup's mise.toml writes it).
            let version = tool_version(version, vars)?;
            script.tools.push((task_tool_name(name.get_ref()), version));
        }
    }
    for (key, slot) in [
        ("hide", &mut script.hide),
        ("quiet", &mut script.quiet),
        ("raw_args", &mut script.raw_args),
    ] {
        match table.get(key).map(|v| v.get_ref()) {
            None => {}
            Some(DeValue::Boolean(b)) => *slot = *b,
            Some(_) => return Err(TaskError::NotABoolean { key }),
        }
    }
    Ok(())
}

/// `script` made to fail as mise fails a task whose usage spec it refuses: a run that
/// holds it fails before anything runs ([`ImportedScript::refused`]); written into
/// vx.toml, which has no counterpart, its dependencies run, then it says why on
/// stderr and exits 1.
fn refuse(script: &mut ImportedScript, why: &TaskError) {
    let TaskError::UsageRefused { why: usage } = why else {
        return;
    };
    let said: String = (why.to_string().chars())
        .filter(|c| *c != '\'' && !c.is_control())
        .collect();
    script.args.clear();
    script.run = vec![format!(
        ": {{args}}; echo 'vx: {said}: the task fails as under mise' >&2; exit 1"
    )];
    script.refused = Some(said);
    script.ignored.push(format!(
        "its usage spec, which mise refuses ({usage}): a run of it fails before anything runs, as under mise"
    ));
}

/// mise gives a task its arguments' values as `usage_NAME` variables too (`-` as `_`),
/// what its commands (or its file) may read: each command exports them first, from
/// the declared arguments vx fills in (`{{read.NAME}}`, nothing when the words are
/// passed on unread, as mise then sets none; a variadic one's words quoted as
/// mise quotes them, [`variadic_value`]), then unsets those with no value, as mise
/// leaves an argument or flag not given (and with no default) unset
/// ([`ImportedArg::unset_without_value`]): a script's `set -q usage_dry_run` (fish)
/// or `${usage_x-…}` tells them apart.
fn usage_variables(script: &mut ImportedScript) {
    if script.args.is_empty() {
        return;
    }
    // They are given by a line of `sh` before each command: a task whose own `shell`
    // is no POSIX shell (`node -e`) would read that line as its own language.
    if let Some(program) = script.shell.first()
        && !shell_shebang(program)
    {
        (script.ignored).push(format!(
            "`$usage_*` variables under `shell = {:?}`, which is no POSIX shell",
            script.shell.join(" ")
        ));
        return;
    }
    // A variadic argument's value is made first, then exported as it is.
    let mut first = String::new();
    let mut names = String::new();
    let mut unset = Vec::new();
    for arg in &script.args {
        let var = format!("usage_{}", arg.name.replace('-', "_"));
        match arg.variadic {
            true => {
                first.push_str(&variadic_value(&var, &arg.name));
                names.push_str(&format!(" {var}"));
            }
            false => names.push_str(&format!(" {var}={}", read_value(&arg.name))),
        }
        if arg.unset_without_value {
            // A flag not given is `false` (its value in mise's templates), unset here.
            let valued = match (arg.kind, arg.default.as_deref()) {
                ("flag", Some("false")) => format!("[ \"${var}\" = true ]"),
                _ => format!("[ -n \"${var}\" ]"),
            };
            // Its variable set, its value is that variable's, even empty or off.
            let from_env = (arg.env.as_deref())
                .filter(|v| v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                .map(|v| format!(" || [ -n \"${{{v}+set}}\" ]"))
                .unwrap_or_default();
            unset.push(format!("{valued}{from_env} || unset {var}"));
        }
    }
    // Words passed on unread (`-- --help`): mise sets none of them ([`READ`]).
    let all: Vec<String> = (script.args.iter())
        .map(|a| format!("usage_{}", a.name.replace('-', "_")))
        .collect();
    unset.push(format!("[ -n \"{READ}\" ] || unset {}", all.join(" ")));
    let unset: String = unset.iter().map(|line| format!("; {line}")).collect();
    let names = format!("{names}{unset}");
    for run in &mut script.run {
        *run = match run.split_once('\n') {
            // A script with its own `#!` line: the line stays first, the variables
            // next, where its interpreter is a shell that reads them.
            Some((shebang, body)) if shebang.starts_with("#!") => {
                if !shell_shebang(shebang) {
                    continue;
                }
                format!("{shebang}\n{first}export{names}\n{body}")
            }
            _ if run.starts_with("#!") => continue,
            _ => format!("{first}export{names}; {run}"),
        };
    }
}

/// The characters that make mise quote a word of a variadic argument's value: usage-lib
/// joins its words with `shell_words::join` (usage-lib, `lib/src/parse.rs`, `impl
/// Display for ParseValue`), whose `quote` leaves a word with none of them as it is
/// (mise 2026.9.15 gives the words `a,b`, `é`, `~` and `a=b` as `a,b é '~' 'a=b'`).
#[cfg(test)]
const MISE_QUOTES: &str = "|&;<>()$`\\\"' \t\n*?[#~=%";

/// The `sh` that sets the variable `var` to the words of the variadic argument `arg`
/// (`{{read.arg}}`: those given, else its default; none when the words are passed on
/// unread) as mise gives its value: each word as
/// [`mise_quoted`] quotes it, joined by spaces; empty with none (which
/// [`usage_variables`] then unsets, as mise leaves it unset). POSIX `sh` (`case`
/// patterns, `${x%%…}`): the tab and newline that need quoting made by `printf`, the
/// names it uses unset after it.
fn variadic_value(var: &str, arg: &str) -> String {
    const QUOTE_WORDS: &str = concat!(
        r#"__vx_s=$(printf '\t\n.'); __vx_s=${__vx_s%.}; <VAR>=; for __vx_w in <WORDS>; do "#,
        r#"case $__vx_w in ''|*[\|\&\;\<\>\(\)\$\`\\\"\'\ \*\?\[\#\~\=\%]*|*["$__vx_s"]*) "#,
        r#"__vx_q=; while :; do case $__vx_w in "#,
        r#"*\'*) __vx_p=${__vx_w%%\'*}; __vx_q=$__vx_q$__vx_p"'\\''"; __vx_w=${__vx_w#*\'};; "#,
        r#"*) break;; esac; done; __vx_w="'$__vx_q$__vx_w'";; esac; "#,
        r#"<VAR>="${<VAR>:+$<VAR> }$__vx_w"; done; unset __vx_w __vx_q __vx_p __vx_s; "#,
    );
    (QUOTE_WORDS.replace("<VAR>", var)).replace("<WORDS>", &read_value(arg))
}

/// `word` as mise quotes a word of a variadic argument's value: as it is when it has
/// none of [`MISE_QUOTES`], else in single quotes (`''` when empty, a `'` as `'\''`).
#[cfg(test)]
fn mise_quoted(word: &str) -> String {
    match word.is_empty() || word.contains(|c| MISE_QUOTES.contains(c)) {
        true => sh_quoted(word),
        false => word.to_owned(),
    }
}

/// `word` in single quotes, one word to `sh` whatever it holds (a `'` as `'\''`).
#[cfg(test)]
fn sh_quoted(word: &str) -> String {
    format!("'{}'", word.replace('\'', "'\\''"))
}

/// The name a task's tool is run by: mise's registry backends (`aqua:koalaman/shellcheck`,
/// `github:owner/repo`, `ubi:…`, `core:node`, `asdf:…`, `vfox:…`) name the package's
/// tool (`shellcheck`), as the project's `[tools]` entry of that package is named; a
/// language registry's package (`cargo:cargo-insta`, `npm:…`) stays as written, vx
/// resolving it by its backend.
fn task_tool_name(name: &str) -> String {
    match name.split_once(':') {
        Some(("aqua" | "github" | "ubi" | "core" | "asdf" | "vfox", package)) => {
            let package = package.split(['[', '@']).next().unwrap_or(package);
            package
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(package)
                .to_owned()
        }
        _ => name.to_owned(),
    }
}

/// A task's tool version with the file's `{{vars.NAME}}` written in, as mise renders
/// it; any other template cannot be taken.
fn tool_version(version: &str, vars: &Vars) -> Result<String, TaskError> {
    let mut out = String::new();
    let mut rest = version;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or(TaskError::UnclosedTemplate)?;
        let inner = after[..end].trim();
        let value = inner
            .strip_prefix("vars.")
            .and_then(|name| vars.get(name.trim()))
            .ok_or_else(|| TaskError::Template {
                inner: inner.to_owned(),
            })?;
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out.trim().to_owned())
}

/// Whether a `#!` line starts a POSIX-like shell (its last word `sh`, `bash`, `zsh`,
/// `dash` or `ksh`, by name or path), which reads `export NAME=…` lines.
fn shell_shebang(line: &str) -> bool {
    line.split_whitespace()
        .next_back()
        .map(|w| w.rsplit('/').next().unwrap_or(w))
        .is_some_and(|w| matches!(w, "sh" | "bash" | "zsh" | "dash" | "ksh"))
}

/// Whether a task's `dir` is mise's `{{cwd}}` (with or without spaces inside).
fn is_cwd(dir: &str) -> bool {
    dir.strip_prefix("{{")
        .and_then(|d| d.strip_suffix("}}"))
        .is_some_and(|inner| inner.trim() == "cwd")
}

/// A task's `dir` relative to the project (`{{config_root}}/` dropped, the file's
/// `{{vars.NAME}}` replaced by their values), or why vx cannot take it.
fn task_dir(dir: &str, vars: &Vars) -> Result<String, TaskError> {
    let mut dir = dir.to_owned();
    for (name, value) in vars {
        for written in [
            format!("{{{{vars.{name}}}}}"),
            format!("{{{{ vars.{name} }}}}"),
        ] {
            dir = dir.replace(&written, value);
        }
    }
    let dir = dir.as_str();
    let relative = match dir.strip_prefix("{{config_root}}") {
        Some(rest) => rest.trim_start_matches('/'),
        None => dir,
    };
    let relative = if relative.is_empty() { "." } else { relative };
    if relative.contains("{{") {
        return Err(TaskError::DirTemplate {
            dir: dir.to_owned(),
        });
    }
    Ok(relative.to_owned())
}

/// A file's `[vars]` (mise.jdx.dev, "Tasks", "Vars"): its plain string values, which
/// `{{vars.NAME}}` in a task's commands is replaced with at import. A value that is a
/// template itself, or not a string, is left out (a task naming it cannot be taken).
type Vars = std::collections::BTreeMap<String, String>;

/// The `[vars]` of a mise file's root table.
fn vars_of(root: &DeTable<'_>) -> Vars {
    let Some(DeValue::Table(vars)) = root.get("vars").map(|v| v.get_ref()) else {
        return Vars::new();
    };
    vars.iter()
        .filter_map(|(name, value)| match value.get_ref() {
            DeValue::String(text) if !text.contains("{{") && !text.contains('\0') => {
                Some((name.get_ref().to_string(), text.to_string()))
            }
            _ => None,
        })
        .collect()
}

/// The variable a task's `{{config_root}}` becomes in its commands, set for it to the
/// project directory (mise sets it for its tasks too).
const CONFIG_ROOT: &str = "MISE_CONFIG_ROOT";

/// Sets the variables mise gives every task that vx gives under its own names or not
/// at all (mise.jdx.dev, "Tasks", "Environment variables") in a task's `env`, each
/// when the task's commands (a file task's file: `file`, its text and its path from
/// the project) name it, so a script that reads one runs as under mise:
/// - [`CONFIG_ROOT`] (what `{{config_root}}` becomes): the project directory;
/// - `MISE_ORIGINAL_CWD`: where the run started, vx's `VX_CWD` (the task's key then
///   holds that place, as a path from the project);
/// - `MISE_TASK_DIR`: a file task's directory, else the project directory;
/// - `MISE_TASK_FILE`: a file task's file (a task of a mise file gets the file it
///   is defined in: [`given_file`]).
///
/// A variable the task's `env` sets already keeps its value.
fn given_variables(script: &mut ImportedScript, file: Option<(&str, &str)>) {
    // A file's path with a template's characters in it is given as nothing.
    let file = file.map(|(text, path)| (text, path.replace('\\', "/")));
    let path = file
        .as_ref()
        .map(|(_, path)| path.as_str())
        .filter(|path| !path.contains(['$', '{', '}']));
    let dir = match path.map(|path| path.rsplit_once('/').map_or("", |(dir, _)| dir)) {
        Some("") | None => "{project}".to_owned(),
        Some(dir) => format!("{{project}}/{dir}"),
    };
    let given = [
        (CONFIG_ROOT, Some("{project}".to_owned())),
        ("MISE_ORIGINAL_CWD", Some("${VX_CWD}".to_owned())),
        ("MISE_TASK_DIR", Some(dir)),
        (
            "MISE_TASK_FILE",
            path.map(|path| format!("{{project}}/{path}")),
        ),
    ];
    for (name, value) in given {
        if let Some(value) = value {
            give(script, name, value, file.as_ref().map(|(text, _)| *text));
        }
    }
}

/// Gives the tasks of `scripts`, a mise file's own `[tasks]` or an included TOML
/// file's, `MISE_TASK_FILE`: the file they are defined in (`file`, its path from the
/// project), as mise gives it, `{project}/mise.toml` (so their key holds no path of
/// this machine's). A path with a template's characters in it is given as nothing.
pub(crate) fn given_file(scripts: &mut [ScriptEntry], file: &std::path::Path) {
    let file = file.to_string_lossy().replace('\\', "/");
    if file.contains(['$', '{', '}']) {
        return;
    }
    for entry in scripts {
        if let Ok(script) = &mut entry.script
            && !script.service
        {
            give(
                script,
                "MISE_TASK_FILE",
                format!("{{project}}/{file}"),
                None,
            );
        }
    }
}

/// Sets `name` to `value` in `script`'s `env` when its commands (or `text`, a file
/// task's file) name it and its `env` does not set it already.
fn give(script: &mut ImportedScript, name: &str, value: String, text: Option<&str>) {
    let named = script.run.iter().any(|run| run.contains(name))
        || text.is_some_and(|text| text.contains(name));
    if named && !script.env.iter().any(|(set, _)| set == name) {
        script.env.push((name.to_owned(), value));
        script.given_env.push(name.to_owned());
    }
}

/// Whether a task's `outputs` is mise's `{ auto = true }`: no files named, the task
/// skipped while its `sources` are as at its last success (mise touches a file of its
/// own to compare them with). vx's up-to-date check does that for a task with `sources`
/// and no `outputs`, so it maps to none.
fn auto_outputs(value: &DeValue) -> bool {
    let DeValue::Table(table) = value else {
        return false;
    };
    table.len() == 1
        && table
            .get("auto")
            .is_some_and(|auto| matches!(auto.get_ref(), DeValue::Boolean(true)))
}

/// A string or a list of strings.
fn strings(value: &DeValue<'_>, key: &'static str) -> Result<Vec<String>, TaskError> {
    match value {
        DeValue::String(one) => Ok(vec![one.to_string()]),
        DeValue::Array(many) => many
            .iter()
            .map(|d| match d.get_ref() {
                DeValue::String(one) => Ok(one.to_string()),
                _ => Err(TaskError::NotStrings { key }),
            })
            .collect(),
        _ => Err(TaskError::NotStringOrList { key }),
    }
}

/// A task's `run`: one command, or a list run in order (vx runs a list in order too,
/// stopping at the first failure, as mise does). Each command stops at its first
/// failing line, as mise runs it (`sh -o errexit -c`): one of several lines or
/// commands gets `set -e` first ([`errexit`]).
fn task_run(
    run: &DeValue<'_>,
    args: &mut Vec<ImportedArg>,
    declares: &usage::Declares,
    vars: &Vars,
    exits_on_error: bool,
) -> Result<Vec<String>, TaskError> {
    let line = |command: String| match exits_on_error {
        true => errexit(command),
        false => command,
    };
    match run {
        DeValue::String(one) => Ok(vec![line(task_command(one, args, declares, vars)?)]),
        DeValue::Array(many) if !many.is_empty() => many
            .iter()
            .map(|c| match c.get_ref() {
                DeValue::String(one) => task_command(one, args, declares, vars).map(line),
                DeValue::Table(step) => task_step(step),
                _ => Err(TaskError::RunStep),
            })
            .collect(),
        _ => Err(TaskError::RunShape),
    }
}

/// A task's `run` as written, each command as it is and each step table as mise's
/// `tasks info` shows it (`task: a`, `tasks: a, b`, with its `args` after), for `vx
/// tasks info`.
fn written_run(run: &DeValue<'_>) -> Vec<String> {
    let one = |item: &DeValue<'_>| match item {
        DeValue::String(command) => command.to_string(),
        DeValue::Table(step) => written_step(step),
        _ => String::new(),
    };
    match run {
        DeValue::Array(many) => many.iter().map(|c| one(c.get_ref())).collect(),
        single => vec![one(single)],
    }
}

/// A `run` step table as mise's `tasks info` shows it: `task: a`, `tasks: a, b`.
fn written_step(step: &DeTable<'_>) -> String {
    let text = |value: &DeValue<'_>| match value {
        DeValue::String(one) => one.to_string(),
        DeValue::Array(many) => (many.iter())
            .filter_map(|v| match v.get_ref() {
                DeValue::String(one) => Some(one.to_string()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(", "),
        _ => String::new(),
    };
    let mut parts = Vec::new();
    for key in ["task", "tasks", "args"] {
        if let Some(value) = step.get(key) {
            parts.push(format!("{key}: {}", text(value.get_ref())));
        }
    }
    parts.join(" ")
}

/// A task's `shell` (its words, `line`; none for a task that runs a file or tasks,
/// `sh_only`, whose commands vx starts under `sh`), `timeout` and `run_windows` taken
/// into `script`: the notes of what is left out.
fn task_shell_and_timeout(
    table: &DeTable<'_>,
    script: &mut ImportedScript,
    line: Option<String>,
    sh_only: bool,
) -> Result<Vec<String>, TaskError> {
    let mut notes = Vec::new();
    let has_run = table.get("run").is_some();
    if let Some(line) = line {
        match shlex::split(&line).filter(|words| !words.is_empty()) {
            // A file is started by its `#!` line: mise passes it no shell.
            _ if sh_only && !has_run => {}
            _ if sh_only => notes.push(
                "`shell` of a task that runs tasks (vx starts those under `sh`; its commands run there too)"
                    .to_owned(),
            ),
            Some(words) => script.shell = words,
            None => notes.push(format!("`shell` {line:?}, which is no program")),
        }
    }
    match table.get("timeout").map(|timeout| timeout.get_ref()) {
        Some(DeValue::String(written)) if vx_base::utc::parse_age_or_seconds(written).is_ok() => {
            script.timeout = Some(written.to_string());
        }
        Some(DeValue::String(written)) => notes.push(format!(
            "`timeout = {written:?}`, which is no duration (vx reads seconds, \"90s\", \"1h 30m\")"
        )),
        Some(_) => return Err(TaskError::NotAString { key: "timeout" }),
        None => {}
    }
    if table.get("run_windows").is_some() && !has_run {
        notes.push("`run_windows` of a task without `run`".to_owned());
    }
    Ok(notes)
}

/// Whether a task's `run` holds a step that runs tasks (`{ task = "a" }`).
fn runs_steps(run: &DeValue<'_>) -> bool {
    matches!(run, DeValue::Array(many) if many.iter().any(|c| matches!(c.get_ref(), DeValue::Table(_))))
}

/// A `run` step that runs tasks at that point (mise.jdx.dev, "Task configuration",
/// `run`): `{ task = "NAME" }` runs the task with what it depends on (`args` its
/// words, `env` its variables: [`step_env`]), `{ tasks = ["A", "B"] }` runs them at
/// once. As vx takes it: a command running them (`vx_run`).
fn task_step(step: &DeTable<'_>) -> Result<String, TaskError> {
    let args = match step.get("args") {
        Some(args) => strings(args.get_ref(), "args")?,
        None => Vec::new(),
    };
    let env = match step.get("env") {
        Some(env) => step_env(env.get_ref())?,
        None => String::new(),
    };
    let keys = 1 + usize::from(step.get("args").is_some()) + usize::from(step.get("env").is_some());
    let names = match (step.get("task"), step.get("tasks")) {
        (Some(one), None) if step.len() == keys => strings(one.get_ref(), "task")?,
        (None, Some(many)) if step.len() == 1 => strings(many.get_ref(), "tasks")?,
        _ => return Err(TaskError::RunStep),
    };
    if (!args.is_empty() || !env.is_empty()) && names.len() != 1 {
        return Err(TaskError::RunStep);
    }
    if names.is_empty() {
        return Err(TaskError::RunStep);
    }
    for name in &names {
        let plain = !name.is_empty()
            && !name.starts_with('-')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
        if !plain {
            return Err(TaskError::RunTaskName { name: name.clone() });
        }
    }
    // `{ task = "NAME", args = [...] }`: the task run with those words, each a plain
    // one (nothing a shell would read otherwise), as a dependency's arguments are.
    if let Some(arg) = args.iter().find(|a| !plain_word(a)) {
        return Err(TaskError::DependsWithArguments {
            name: format!("{} {arg}", names[0]),
        });
    }
    let mut words = env;
    words.push_str(&names.join(" ::: "));
    for arg in &args {
        words.push(' ');
        words.push_str(arg);
    }
    Ok(vx_run(&words))
}

/// A `run` step's `env` (`{ task = "a", env = { Z = "1" } }`, mise's `SingleTask`
/// entry's) as `vx run`'s words: `--task-env Z=1 ` for each, set for that task alone
/// and part of what makes it this run of it, as mise judges it by its name, `args`
/// and `env`. A value is quoted for the shell; one vx's fill would read (braces) or
/// with control characters, or a name no variable has, cannot be taken.
fn step_env(value: &DeValue<'_>) -> Result<String, TaskError> {
    let DeValue::Table(env) = value else {
        return Err(TaskError::RunStep);
    };
    let mut words = String::new();
    for (name, value) in env.iter() {
        let name = name.get_ref();
        let DeValue::String(value) = value.get_ref() else {
            return Err(TaskError::NotAString { key: "env" });
        };
        let valid = vx_base::validate::var_name(name) && name != "PATH";
        let quoted = (!value.contains(['{', '}']) && !value.chars().any(char::is_control))
            .then(|| shlex::try_quote(value).ok())
            .flatten();
        let (true, Some(quoted)) = (valid, quoted) else {
            return Err(TaskError::RunStep);
        };
        words.push_str(&format!("--task-env {name}={quoted} "));
    }
    Ok(words)
}

/// Whether `word` is a plain argument: one a shell reads as written.
fn plain_word(word: &str) -> bool {
    !word.is_empty()
        && word.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '_' | '-' | '.' | ':' | '=' | '/' | '@' | ',' | '+')
        })
}

/// The command that runs `args` (`NAME [ARGS] [::: NAME…]`) with the vx that runs the
/// task (`$VX`, as make's `$(MAKE)`), on the project's file (`$VX_PROJECT_FILE`, which
/// vx gives every task: vx.toml, or mise's file of a project read in place).
fn vx_run(args: &str) -> String {
    format!("\"${{VX}}\" run --manifest \"${{VX_PROJECT_FILE}}\" {args}")
}

/// `command` as mise runs it, with `sh -o errexit -c` (mise's `unix_default_inline_shell_args`):
/// a command of several lines (or `;`-separated commands) gets `set -e` first, so a
/// failing line stops it instead of the next line running; one simple command is
/// left as it is.
fn errexit(command: String) -> String {
    let trimmed = command.trim();
    // A script with its own `#!` line runs as that line says (vx writes it to a file,
    // as mise does): its interpreter's flags are the script's.
    if trimmed.starts_with("set -e") || command.starts_with("#!") {
        command
    } else if trimmed.contains('\n') {
        format!("set -e\n{command}")
    } else if trimmed.contains(';') {
        format!("set -e; {command}")
    } else {
        command
    }
}

/// One command of a task, mise's argument templates made vx's: `{{arg(name="x")}}`,
/// `{{option(name="x")}}`, `{{flag(name="x")}}` and `{{usage.x}}` become `{{x}}` with
/// `x` declared in `args`, or, of a kind the task's `usage` field declares
/// (`declares`), what the field says of `x` ([`declared_by_usage`]); any other
/// template cannot be mapped.
fn task_command(
    command: &str,
    args: &mut Vec<ImportedArg>,
    declares: &usage::Declares,
    vars: &Vars,
) -> Result<String, TaskError> {
    if command.trim().is_empty() {
        return Err(TaskError::EmptyCommand);
    }
    if command.contains('\0') {
        return Err(TaskError::Nul);
    }
    let mut out = String::with_capacity(command.len());
    let mut rest = command;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or(TaskError::UnclosedTemplate)?;
        let inner = after[..end].trim();
        rest = &after[end + 2..];
        // The file's `[vars]`, its directory and the environment, as mise renders them.
        if let Some(name) = inner.strip_prefix("vars.") {
            let value = vars.get(name.trim()).ok_or_else(|| TaskError::Template {
                inner: inner.to_owned(),
            })?;
            out.push_str(value);
            continue;
        }
        if inner == "config_root" {
            out.push_str(&format!("${{{CONFIG_ROOT}}}"));
            continue;
        }
        // Where the user ran the task from: vx gives every task's commands it (`VX_CWD`,
        // `tasks::command::CWD_VARIABLE`, whose test holds the two together).
        if inner == "cwd" {
            out.push_str("${VX_CWD}");
            continue;
        }
        if let Some(name) = inner.strip_prefix("env.").map(str::trim)
            && !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            out.push_str(&format!("${{{name}}}"));
            continue;
        }
        // Tera's `get_env(name='X', default='')`: the variable, else its default.
        if let Some(expansion) = get_env(inner) {
            out.push_str(&expansion);
            continue;
        }
        let params = params_in(inner);
        if let Some(word) = declared_by_usage(inner, &params, args, declares) {
            out.push_str(&word);
            continue;
        }
        let name = template_arg(inner, args)?;
        // `{{usage.NAME}}` is the value even when the words are passed on unread
        // (`-- --help`); an `arg()` (`option()`, `flag()`) is then empty, as mise
        // renders them ([`read_value`]).
        match inner.starts_with("usage.") {
            true => out.push_str(&format!("{{{{{name}}}}}")),
            false => out.push_str(&read_value(&name)),
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// What a template `arg()` (`option()`, `flag()`) becomes when the task's `usage` field
/// declares arguments (flags) itself (`declares`): mise reads the template against
/// the field's declarations alone, whatever its own `var` or `default` say
/// ([`usage::Declares`]). A name the field declares is its value (`{{NAME}}`: a
/// variadic one's words); any other name what mise renders for a name it was not
/// given: nothing (`false` for a `flag()`). `None` for a template of a kind the field
/// does not declare (the template declares it itself) or with no `name`.
fn declared_by_usage(
    inner: &str,
    params: &[(String, String)],
    args: &[ImportedArg],
    declares: &usage::Declares,
) -> Option<String> {
    let kind = ["arg", "option", "flag"]
        .into_iter()
        .find(|kind| (inner.strip_prefix(kind)).is_some_and(|p| p.trim_start().starts_with('(')))?;
    let positional = kind == "arg";
    if !(positional && declares.args || !positional && declares.flags) {
        return None;
    }
    let name = params.iter().find(|(k, _)| k == "name").map(|(_, v)| v)?;
    if (args.iter()).any(|a| a.name == *name && (a.kind == "positional") == positional) {
        return Some(read_value(name));
    }
    Some(if kind == "flag" { "false" } else { "" }.to_owned())
}

/// vx's template that is `1` when a task's words were read against its arguments,
/// and empty when they were passed on unread (`vx run t -- --help`).
const READ: &str = "{{read.*}}";

/// vx's template of the argument `name`'s value as the words gave it, `{{read.NAME}}`:
/// empty when they are passed on unread (`vx run t -- --help`), where mise's usage
/// parser never ran, so its `$usage_NAME` is unset and an `arg()` renders nothing.
fn read_value(name: &str) -> String {
    format!("{{{{read.{name}}}}}")
}

/// Tera's `get_env(name="X", default="D")` (mise renders its templates with Tera) as
/// the shell expansion of the same meaning, `${X-D}` (the variable when set, else the
/// default; `${X}` without one); `None` for anything else, or a default that is not
/// one plain word.
fn get_env(inner: &str) -> Option<String> {
    let call = inner.strip_prefix("get_env")?.trim_start();
    if !call.starts_with('(') {
        return None;
    }
    let params = params_of(call.strip_prefix('(')?.strip_suffix(')')?).ok()?;
    let name = params.iter().find(|(k, _)| k == "name").map(|(_, v)| v)?;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    if params.iter().any(|(k, _)| k != "name" && k != "default") {
        return None;
    }
    match params.iter().find(|(k, _)| k == "default").map(|(_, v)| v) {
        None => Some(format!("${{{name}}}")),
        Some(default) if default.is_empty() || plain_word(default) => {
            Some(format!("${{{name}-{default}}}"))
        }
        Some(_) => None,
    }
}

/// The argument a template names, declared in `args` when it is new.
fn template_arg(inner: &str, args: &mut Vec<ImportedArg>) -> Result<String, TaskError> {
    if let Some(name) = inner.strip_prefix("usage.") {
        if !args.iter().any(|a| a.name == name) {
            return Err(TaskError::UsageArgument {
                name: name.to_owned(),
            });
        }
        return Ok(name.to_owned());
    }
    let (kind, params) = ["arg", "option", "flag"]
        .iter()
        .find_map(|k| {
            inner
                .strip_prefix(k)
                .map(str::trim_start)
                .and_then(|p| p.strip_prefix('('))
                .and_then(|p| p.strip_suffix(')'))
                .map(|p| (*k, p))
        })
        .ok_or_else(|| TaskError::Template {
            inner: inner.to_owned(),
        })?;
    let mut name = None;
    let kind = match kind {
        "arg" => "positional",
        other => other,
    };
    let mut arg = ImportedArg::new("", kind);
    for (key, value) in params_of(params)? {
        match key.as_str() {
            "name" => name = Some(value),
            "default" => arg.default = Some(value),
            "help" => arg.help = Some(value),
            "i" | "index" => {}
            // A variadic argument: every positional word left (`{{NAME}}` the words).
            "var" if kind == "positional" => arg.variadic = value == "true",
            other => {
                return Err(TaskError::TemplateParameter {
                    inner: inner.to_owned(),
                    param: other.to_owned(),
                });
            }
        }
    }
    let name = name.ok_or_else(|| TaskError::TemplateName {
        inner: inner.to_owned(),
    })?;
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(TaskError::ArgumentName { name });
    }
    // Not given, mise renders a flag `false`, and leaves its `$usage_NAME` unset.
    if arg.kind == "flag" {
        arg.default = Some("false".to_owned());
        arg.unset_without_value = true;
    }
    // mise's option without a default is optional, and empty when not given.
    if arg.kind == "option" && arg.default.is_none() {
        arg.default = Some(String::new());
        arg.unset_without_value = true;
    }
    if !args.iter().any(|a| a.name == name) {
        arg.name = name.clone();
        args.push(arg);
    }
    Ok(name)
}

/// The parameters of a template call `NAME(…)`, none when it is not one.
fn params_in(inner: &str) -> Vec<(String, String)> {
    inner
        .split_once('(')
        .and_then(|(_, p)| p.strip_suffix(')'))
        .and_then(|p| params_of(p).ok())
        .unwrap_or_default()
}

/// `key="value", key='value', key=true` pairs of a template call.
fn params_of(text: &str) -> Result<Vec<(String, String)>, TaskError> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let eq = rest.find('=').ok_or_else(|| TaskError::Parameters {
            text: text.to_owned(),
        })?;
        let key = rest[..eq].trim().to_owned();
        let after = rest[eq + 1..].trim_start();
        let (value, tail) = match after.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let close = after[1..].find(q).ok_or_else(|| TaskError::UnclosedQuote {
                    text: text.to_owned(),
                })?;
                (after[1..1 + close].to_owned(), &after[close + 2..])
            }
            _ => {
                let end = after.find(',').unwrap_or(after.len());
                (after[..end].trim().to_owned(), &after[end..])
            }
        };
        out.push((key, value));
        rest = tail.trim_start().trim_start_matches(',').trim_start();
    }
    Ok(out)
}

/// One `[tools]` entry.
fn tool(name: &str, value: &Spanned<DeValue<'_>>, line: Option<usize>) -> Entry {
    let not_a_version = |what: &'static str| {
        let mut entry = Entry::new(name, "", line);
        entry.version = Err(VersionError::NotAString { what });
        entry
    };
    match value.get_ref() {
        DeValue::String(s) => {
            let versions: Vec<&str> = s.split_whitespace().collect();
            match versions.split_first() {
                Some((first, others)) => Entry::new(name, first, line).also_listed(others),
                None => Entry::new(name, "", line),
            }
        }
        DeValue::Array(items) => {
            let versions: Vec<Option<String>> =
                items.iter().map(|v| version_of(v.get_ref())).collect();
            match versions.split_first() {
                Some((Some(first), others)) => {
                    let others: Vec<&str> = others.iter().flatten().map(String::as_str).collect();
                    Entry::new(name, first, line).also_listed(&others)
                }
                Some((None, _)) => not_a_version("the first version is not a string"),
                None => Entry::new(name, "", line),
            }
        }
        DeValue::Table(table) => match table.get("version").map(|v| v.get_ref()) {
            Some(DeValue::String(version)) => {
                let mut entry = Entry::new(name, version, line);
                let options: Vec<&str> = table
                    .keys()
                    .map(|k| k.get_ref().as_ref())
                    .filter(|k| *k != "version" && *k != "virtualenv")
                    .collect();
                if !options.is_empty() {
                    entry
                        .notes
                        .push(format!("mise options not imported: {}", options.join(", ")));
                }
                entry
            }
            Some(_) => not_a_version("`version` is not a string"),
            None => not_a_version("a table without `version`"),
        },
        _ => not_a_version("the version is not a string"),
    }
}

/// A version in an array: a string or a table's `version`.
fn version_of(value: &DeValue<'_>) -> Option<String> {
    match value {
        DeValue::String(s) => Some(s.to_string()),
        DeValue::Table(t) => match t.get("version").map(|v| v.get_ref()) {
            Some(DeValue::String(s)) => Some(s.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// mise's `[env]` directives (`_.path`, `_.file`, `_.source`): `_.path` (a directory or
/// a list) becomes vx's `[settings] path` and `_.file` (a dotenv file, a list, or a
/// table with `path`) its `[settings] env_file`, each relative to the project
/// (`{{config_root}}/` dropped); `_.source` runs a script, which vx never does: said so.
fn directives(value: &DeValue<'_>, line: Option<usize>, imported: &mut Imported) {
    let DeValue::Table(table) = value else {
        imported.env.push(EnvEntry {
            name: "_".to_owned(),
            value: Err(EnvError::DirectivesTable),
            line,
        });
        return;
    };
    for (key, value) in table.iter() {
        let name = key.get_ref();
        if name.as_ref() == "python" {
            python_directive(value.get_ref(), line, imported);
            continue;
        }
        let (into, what) = match name.as_ref() {
            "path" => (
                &mut imported.path,
                "[settings] path takes project directories",
            ),
            "file" => (
                &mut imported.env_files,
                "[settings] env_file takes files in the project",
            ),
            _ => {
                imported.env.push(EnvEntry {
                    name: format!("_.{name}"),
                    value: Err(EnvError::Directive {
                        name: name.to_string(),
                    }),
                    line,
                });
                continue;
            }
        };
        // mise's `_.file` may be a table whose `path` names the files.
        let value = match value.get_ref() {
            DeValue::Table(t) if name == "file" => match t.get("path") {
                Some(path) => path.get_ref(),
                None => value.get_ref(),
            },
            other => other,
        };
        let items: Vec<&DeValue<'_>> = match value {
            DeValue::Array(many) => many.iter().map(|d| d.get_ref()).collect(),
            one => vec![one],
        };
        for item in items {
            let (written, relative) = match item {
                DeValue::String(item) if name == "file" && !is_dotenv(item) => (
                    item.to_string(),
                    Err(DirError::NotDotenv {
                        file: item.to_string(),
                    }),
                ),
                DeValue::String(item) => (item.to_string(), project_relative(item, what)),
                _ => (
                    String::new(),
                    Err(DirError::NotStrings {
                        name: name.to_string(),
                    }),
                ),
            };
            into.push((written, relative, line));
        }
    }
}

/// A python's `virtualenv` option (`python = { version = "3.12", virtualenv = ".venv" }`,
/// mise.jdx.dev "Python": the venv mise makes and activates).
fn virtualenv(name: &str, value: &DeValue<'_>) -> Option<String> {
    let runtime = name.rsplit(':').next().unwrap_or(name);
    let DeValue::Table(table) = value else {
        return None;
    };
    if runtime != "python" {
        return None;
    }
    match table.get("virtualenv")?.get_ref() {
        DeValue::String(dir) => Some(dir.to_string()),
        _ => None,
    }
}

/// mise's `_.python` directive: `venv = ".venv"` or `venv = { path = ".venv", create =
/// true }` becomes `[settings] python_venv` (vx makes a missing one always).
fn python_directive(value: &DeValue<'_>, line: Option<usize>, imported: &mut Imported) {
    let venv = match value {
        DeValue::Table(t) => t.get("venv").map(|v| v.get_ref()),
        _ => None,
    };
    let dir = match venv {
        Some(DeValue::String(dir)) => Some(dir.to_string()),
        Some(DeValue::Table(t)) => match t.get("path").map(|p| p.get_ref()) {
            Some(DeValue::String(dir)) => Some(dir.to_string()),
            _ => None,
        },
        _ => None,
    };
    match dir {
        Some(dir) => {
            let relative = venv_dir(&dir);
            imported.python_venv.push((dir, relative, line));
        }
        None => imported
            .python_venv
            .push((String::new(), Err(DirError::Venv), line)),
    }
}

/// A virtual environment's directory as `[settings] python_venv` takes it.
fn venv_dir(dir: &str) -> Result<String, DirError> {
    project_relative(
        dir,
        "[settings] python_venv takes a directory in the project",
    )
}

/// Whether mise reads `file` as dotenv: not by a `.json`, `.yaml`, `.yml` or `.toml`
/// extension, which mise parses as those formats.
fn is_dotenv(file: &str) -> bool {
    let lower = file.to_ascii_lowercase();
    ![".json", ".yaml", ".yml", ".toml"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// A `_.path` directory or `_.file` file as vx's `[settings]` holds it: relative to the
/// project, `{{config_root}}/` and `./` dropped; absolute, templated or escaping ones
/// refused (`what` says what the setting takes).
fn project_relative(dir: &str, what: &'static str) -> Result<String, DirError> {
    let dir = dir.trim();
    let rest = match dir.strip_prefix("{{config_root}}") {
        Some(rest) => rest.trim_start_matches('/'),
        None => dir,
    };
    let rest = rest.trim_start_matches("./");
    if rest.contains("{{") || rest.contains('$') || rest.starts_with('~') {
        return Err(DirError::Template {
            dir: dir.to_owned(),
            what,
        });
    }
    if rest.is_empty()
        || rest.starts_with('/')
        || rest.contains("..")
        || rest.chars().any(char::is_control)
    {
        return Err(DirError::Outside {
            dir: dir.to_owned(),
            what,
        });
    }
    Ok(rest.to_owned())
}

/// One `[env]` variable as vx's `[env]` holds it, or why it cannot be; `place`: where
/// its file is, for a `read_file` (a task's `env` passes none).
fn env_value(
    name: &str,
    value: &DeValue<'_>,
    place: Option<Place<'_>>,
) -> Result<EnvValue, EnvError> {
    if name == "_" {
        return Err(EnvError::Directives);
    }
    if !vx_base::validate::var_name(name) || name.len() > 200 {
        return Err(EnvError::NotAName);
    }
    match value {
        DeValue::String(s) => templates(s, place).map(EnvValue::Set),
        DeValue::Integer(i) => Ok(EnvValue::Set(i.as_str().to_owned())),
        DeValue::Boolean(false) => Ok(EnvValue::Unset),
        DeValue::Boolean(true) => Ok(EnvValue::Set("true".to_owned())),
        DeValue::Table(t) => match t.get("value").map(|v| v.get_ref()) {
            Some(DeValue::String(s)) => templates(s, place).map(EnvValue::Set),
            _ => Err(EnvError::NoValue),
        },
        _ => Err(EnvError::CannotHold),
    }
}

/// mise's templates in an env value as vx's: `{{config_root}}` → `{project}`,
/// `{{env.VAR}}` → `${VAR}`, `{{ read_file(path=…) }}` → the file's text (read from
/// `place`, the config file's directory: [`read_file`]), and its shell-style `$VAR`
/// and `$$` around them and in a file's text ([`shell_vars`]); any other template, or
/// a control character, refused.
fn templates(value: &str, place: Option<Place<'_>>) -> Result<String, EnvError> {
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(EnvError::ControlCharacters);
    }
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("{{") {
        out.push_str(&shell_vars::template(&rest[..start])?);
        let Some(end) = rest[start..].find("}}") else {
            return Err(EnvError::UnclosedTemplate);
        };
        let inner = rest[start + 2..start + end].trim();
        match inner.strip_prefix("env.") {
            // A literal `$` before `{project}` would read as `${project}`.
            _ if inner == "config_root" && out.ends_with('$') => {
                return Err(EnvError::LiteralDollarBrace);
            }
            _ if inner == "config_root" => out.push_str("{project}"),
            // mise expands a file's text as it expands the value's own.
            _ if read_file::call(inner).is_some() => {
                let (path, trim) = read_file::call(inner).unwrap_or_default();
                let text = read_file::text(path, trim, place)?;
                out.push_str(&shell_vars::template(&text)?);
            }
            // `get_env(…)`: vx's `${X}`, or `${X:-D}` with a default.
            _ if get_env(inner).is_some() => {
                out.push_str(&get_env(inner).unwrap_or_default().replacen('-', ":-", 1));
            }
            Some(var)
                if !var.is_empty()
                    && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                out.push_str(&format!("${{{var}}}"));
            }
            _ => {
                return Err(EnvError::Template {
                    inner: inner.to_owned(),
                });
            }
        }
        rest = &rest[start + end + 2..];
    }
    out.push_str(&shell_vars::template(rest)?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words as mise 2026.9.15 gives them in a variadic argument's `$usage_NAME`
    /// (`mise run greet WORD…`, `printf '%s' "$usage_names"`).
    #[test]
    fn a_variadic_arguments_words_are_quoted_as_mise_quotes_them() {
        for (word, quoted) in [
            ("", "''"),
            ("plain", "plain"),
            ("a,b@c+d:/x.y-_", "a,b@c+d:/x.y-_"),
            ("é!{}^]\r", "é!{}^]\r"),
            ("a b", "'a b'"),
            ("it's", "'it'\\''s'"),
            ("a=b", "'a=b'"),
            ("~", "'~'"),
            ("$HOME", "'$HOME'"),
            ("a\tb", "'a\tb'"),
            ("a\nb", "'a\nb'"),
        ] {
            assert_eq!(mise_quoted(word), quoted, "{word:?}");
        }
        // The `sh` that quotes the words given at run time asks for the same
        // characters (a tab and a newline by `printf`).
        let sh = variadic_value("usage_x", "x");
        let (_, pattern) = sh.split_once("''|*[").unwrap();
        let (pattern, _) = pattern.split_once("]*|").unwrap();
        // Each character escaped: `\|\&…`.
        let mut chars = pattern.chars();
        let mut asked = Vec::new();
        while let Some(backslash) = chars.next() {
            assert_eq!(backslash, '\\', "{pattern}");
            asked.extend(chars.next());
        }
        let mut quoted: Vec<char> = MISE_QUOTES
            .chars()
            .filter(|c| !"\t\n".contains(*c))
            .collect();
        asked.sort_unstable();
        quoted.sort_unstable();
        assert_eq!(asked, quoted);
        assert!(sh.contains(r#"printf '\t\n.'"#), "{sh}");
    }
}
