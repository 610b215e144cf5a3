//! mise's `mise.toml` / `.mise.toml` (mise.jdx.dev, "Configuration"): `[tools]`, whose
//! values are a version (`"20"`), several (`["20", "18"]` or `"20 18"`: the first is
//! imported, the rest noted), or a table with `version` (its other options noted), its
//! keys a tool or `BACKEND:TOOL` ([`super::names`]); and `[env]`, whose strings become
//! vx's `[env]` (mise's `{{config_root}}` as `{project}`, `{{env.VAR}}` as `${VAR}`),
//! `false` unsets, and the directives `_.path` and `_.file` become `[settings] path` and
//! `[settings] env_file`, `_.python.venv` (and a python's `virtualenv` option)
//! `[settings] python_venv` (`_.source` is reported: vx runs no script); and `[tasks]`,
//! each a vx `[scripts]` entry (`run`, `depends`, `env`, `dir`, `description`; a task
//! mise runs from the config's directory runs from the project's). `[settings]` is
//! mise's own and left out.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Entry, EnvEntry, EnvValue, Imported, ImportedScript, Malformed, ScriptEntry};

/// Parses a `mise.toml`.
pub fn parse(text: &str) -> Result<Imported, Malformed> {
    let root = DeTable::parse(text).map_err(|e| {
        let line = e.span().map(|s| super::line_of(text, s.start));
        let message = e.message().trim().replace('\n', "; ");
        Malformed::at(line, format!("invalid TOML: {message}"))
    })?;
    let root = root.get_ref();
    let mut imported = Imported::default();
    if let Some(tools) = root.get("tools") {
        let line = super::line_of(text, tools.span().start);
        let DeValue::Table(tools) = tools.get_ref() else {
            return Err(Malformed::at(Some(line), "`tools` must be a table"));
        };
        // The table is sorted by key; the file's order is the spans'.
        let mut tools: Vec<_> = tools.iter().collect();
        tools.sort_by_key(|(key, _)| key.span().start);
        for (key, value) in tools {
            let line = Some(super::line_of(text, key.span().start));
            imported.tools.push(tool(key.get_ref(), value, line));
            if let Some(venv) = virtualenv(key.get_ref(), value.get_ref()) {
                let relative = venv_dir(&venv);
                imported.python_venv.push((venv, relative, line));
            }
        }
    }
    if let Some(env) = root.get("env") {
        let line = super::line_of(text, env.span().start);
        let DeValue::Table(env) = env.get_ref() else {
            return Err(Malformed::at(Some(line), "`env` must be a table"));
        };
        let mut env: Vec<_> = env.iter().collect();
        env.sort_by_key(|(key, _)| key.span().start);
        for (key, value) in env {
            let line = Some(super::line_of(text, key.span().start));
            if key.get_ref() == "_" {
                directives(value.get_ref(), line, &mut imported);
                continue;
            }
            imported.env.push(EnvEntry {
                name: key.get_ref().to_string(),
                value: env_value(key.get_ref(), value.get_ref()),
                line,
            });
        }
    }
    if let Some(tasks) = root.get("tasks") {
        let line = super::line_of(text, tasks.span().start);
        let DeValue::Table(tasks) = tasks.get_ref() else {
            return Err(Malformed::at(Some(line), "`tasks` must be a table"));
        };
        let mut tasks: Vec<_> = tasks.iter().collect();
        tasks.sort_by_key(|(key, _)| key.span().start);
        for (key, value) in tasks {
            imported.scripts.push(ScriptEntry {
                name: key.get_ref().to_string(),
                script: task(value.get_ref()),
                line: Some(super::line_of(text, key.span().start)),
            });
        }
    }
    Ok(imported)
}

/// The keys of a mise task that vx's `[scripts]` has a counterpart for.
const TASK_KEYS: &[&str] = &["run", "depends", "env", "dir", "description"];

/// One `[tasks]` entry as a vx script, or why it cannot be one (mise.jdx.dev, "Tasks":
/// `run` a command or a list run in order, `depends` a name or a list, `env` a table,
/// `dir` the working directory, by default the config's own).
fn task(value: &DeValue<'_>) -> Result<ImportedScript, String> {
    let mut script = ImportedScript {
        cwd: Some(".".to_owned()),
        ..ImportedScript::default()
    };
    let table = match value {
        DeValue::String(run) => {
            script.run = task_command(run)?;
            return Ok(script);
        }
        DeValue::Array(_) => {
            script.run = task_run(value)?;
            return Ok(script);
        }
        DeValue::Table(table) => table,
        _ => return Err("a task is a command, a list of commands or a table".to_owned()),
    };
    if table.get("file").is_some() {
        return Err("a file task (`file`): name the file in a script's `run` instead".to_owned());
    }
    let run = table
        .get("run")
        .ok_or("a task without `run` (vx runs commands, not mise's task files)")?;
    script.run = task_run(run.get_ref())?;
    if let Some(depends) = table.get("depends") {
        script.depends = match depends.get_ref() {
            DeValue::String(one) => vec![one.to_string()],
            DeValue::Array(many) => many
                .iter()
                .map(|d| match d.get_ref() {
                    DeValue::String(one) => Ok(one.to_string()),
                    _ => Err("`depends` names tasks (strings)".to_owned()),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err("`depends` names tasks (a string or a list)".to_owned()),
        };
    }
    if let Some(env) = table.get("env") {
        let DeValue::Table(env) = env.get_ref() else {
            return Err("`env` must be a table".to_owned());
        };
        for (name, value) in env.iter() {
            match env_value(name.get_ref(), value.get_ref())? {
                EnvValue::Set(value) => script.env.push((name.get_ref().to_string(), value)),
                EnvValue::Unset => {
                    return Err(format!(
                        "`env.{}` unsets a variable, which a vx script cannot",
                        name.get_ref()
                    ));
                }
            }
        }
    }
    if let Some(dir) = table.get("dir") {
        let DeValue::String(dir) = dir.get_ref() else {
            return Err("`dir` must be a string".to_owned());
        };
        let dir = dir.trim();
        let relative = match dir.strip_prefix("{{config_root}}") {
            Some(rest) => rest.trim_start_matches('/'),
            None => dir,
        };
        let relative = if relative.is_empty() { "." } else { relative };
        if relative.contains("{{") {
            return Err(format!("`dir` holds a template vx does not know: {dir}"));
        }
        script.cwd = Some(relative.to_owned());
    }
    if let Some(description) = table.get("description") {
        let DeValue::String(description) = description.get_ref() else {
            return Err("`description` must be a string".to_owned());
        };
        if description.chars().any(char::is_control) {
            return Err("`description` holds control characters".to_owned());
        }
        script.description = Some(description.to_string());
    }
    let mut ignored: Vec<String> = table
        .iter()
        .map(|(key, _)| key.get_ref().to_string())
        .filter(|key| !TASK_KEYS.contains(&key.as_str()))
        .collect();
    ignored.sort();
    script.ignored = ignored;
    Ok(script)
}

/// A task's `run`: one command, or a list run in order, stopping at the first failure
/// as mise does (joined with `&&`).
fn task_run(run: &DeValue<'_>) -> Result<String, String> {
    match run {
        DeValue::String(one) => task_command(one),
        DeValue::Array(many) if !many.is_empty() => {
            let commands = many
                .iter()
                .map(|c| match c.get_ref() {
                    DeValue::String(one) => task_command(one),
                    _ => Err("`run` lists commands (strings)".to_owned()),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(commands.join(" && "))
        }
        _ => Err("`run` is a command or a list of commands".to_owned()),
    }
}

/// One command of a task, which vx runs as written; mise's templates (`{{arg()}}`,
/// usage specs) have no counterpart.
fn task_command(command: &str) -> Result<String, String> {
    if command.trim().is_empty() {
        return Err("an empty command".to_owned());
    }
    if command.contains("{{") {
        return Err(
            "mise's templates in a command (`{{…}}`); vx appends a script's arguments, or puts them at {args}"
                .to_owned(),
        );
    }
    if command.contains('\0') {
        return Err("the command holds a NUL character".to_owned());
    }
    Ok(command.to_owned())
}

/// One `[tools]` entry.
fn tool(name: &str, value: &Spanned<DeValue<'_>>, line: Option<usize>) -> Entry {
    let not_a_version = |what: &str| {
        let mut entry = Entry::new(name, "", line);
        entry.version = Err(format!("{what}; mise's versions are strings"));
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
            value: Err("mise's directives (`_.path`, `_.file`, `_.source`) are a table".to_owned()),
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
                    value: Err(format!(
                        "mise's `_.{name}` directive has no counterpart in vx's [env] (vx runs no script to make an environment)"
                    )),
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
                    Err(format!(
                        "mise reads `{item}` by its extension (JSON, YAML or TOML); vx's [settings] env_file reads dotenv files"
                    )),
                ),
                DeValue::String(item) => (item.to_string(), project_relative(item, what)),
                _ => (
                    String::new(),
                    Err(format!("`_.{name}` lists paths (strings)")),
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
        None => imported.python_venv.push((
            String::new(),
            Err("mise's `_.python` directive names its virtual environment as `venv = \"DIR\"` or `venv = { path = \"DIR\" }`".to_owned()),
            line,
        )),
    }
}

/// A virtual environment's directory as `[settings] python_venv` takes it.
fn venv_dir(dir: &str) -> Result<String, String> {
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
fn project_relative(dir: &str, what: &str) -> Result<String, String> {
    let dir = dir.trim();
    let rest = match dir.strip_prefix("{{config_root}}") {
        Some(rest) => rest.trim_start_matches('/'),
        None => dir,
    };
    let rest = rest.trim_start_matches("./");
    if rest.contains("{{") || rest.contains('$') || rest.starts_with('~') {
        return Err(format!("`{dir}` holds a template or variable; vx's {what}"));
    }
    if rest.is_empty()
        || rest.starts_with('/')
        || rest.contains("..")
        || rest.chars().any(char::is_control)
    {
        return Err(format!("`{dir}` is not inside the project; vx's {what}"));
    }
    Ok(rest.to_owned())
}

/// One `[env]` variable as vx's `[env]` holds it, or why it cannot be.
fn env_value(name: &str, value: &DeValue<'_>) -> Result<EnvValue, String> {
    if name == "_" {
        return Err(
            "mise's directives (`_.path`, `_.file`, `_.source`) have no counterpart here; `_.path` is vx's [settings] path, `_.file` its env_file"
                .to_owned(),
        );
    }
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid || name.len() > 200 {
        return Err("not an environment variable name (letters, digits and `_`)".to_owned());
    }
    match value {
        DeValue::String(s) => templates(s).map(EnvValue::Set),
        DeValue::Integer(i) => Ok(EnvValue::Set(i.as_str().to_owned())),
        DeValue::Boolean(false) => Ok(EnvValue::Unset),
        DeValue::Boolean(true) => Ok(EnvValue::Set("true".to_owned())),
        DeValue::Table(t) => match t.get("value").map(|v| v.get_ref()) {
            Some(DeValue::String(s)) => templates(s).map(EnvValue::Set),
            _ => Err("a table without a string `value`".to_owned()),
        },
        _ => Err("a value vx's [env] cannot hold (a string, or false to unset)".to_owned()),
    }
}

/// mise's templates in an env value as vx's: `{{config_root}}` → `{project}`,
/// `{{env.VAR}}` → `${VAR}`; any other template, or a control character, refused.
fn templates(value: &str) -> Result<String, String> {
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err("the value holds control characters".to_owned());
    }
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}") else {
            return Err("an unclosed `{{` template".to_owned());
        };
        let inner = rest[start + 2..start + end].trim();
        match inner.strip_prefix("env.") {
            _ if inner == "config_root" => out.push_str("{project}"),
            Some(var)
                if !var.is_empty()
                    && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                out.push_str(&format!("${{{var}}}"));
            }
            _ => {
                return Err(format!(
                    "mise's template `{{{{ {inner} }}}}`; vx's [env] knows {{project}}, ${{VAR}} and ${{VAR:-default}}"
                ));
            }
        }
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}
