//! mise's model mapped onto vx's: the lists read from a project's mise files
//! ([`Imported`], in mise's precedence) made the tools, `[env]`, `[settings]` paths
//! and tasks of a [`Manifest`](super::super::Manifest), in memory, with no vx.toml
//! text written or parsed. Each entry passes the checks vx.toml's parser applies to
//! it ([`entry`]: the same functions, the same words); one that fails, or that
//! cannot be mapped, is a problem line of its own (`skipped env TOKEN from
//! mise.toml:3: …`) and costs only itself. A name two files give is taken from the
//! first, as mise takes it.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use vx_base::validate;
use vx_text::sanitize;

use super::super::environment::{EnvFile, ProjectEnvironment};
use super::super::parse::{self, entry};
use super::super::tool::ToolTable;
use super::super::{MAX_TASKS, Problem};
use crate::import::{self, EnvValue, Imported, ImportedCall, ImportedScript};
use crate::task::{ArgKind, Call, DEFAULT_READY_TIMEOUT, EnvVar, Ready, ReadyCheck, Task, TaskArg};

/// The files read, each by the name it is said by, with what it lists.
pub(super) type Lists = [(String, Imported)];

/// `FILE:LINE` of an entry, or the file alone.
fn at(file: &str, line: Option<usize>) -> String {
    line.map_or_else(|| file.to_owned(), |l| format!("{file}:{l}"))
}

/// The tools of `lists` (a tool two files name taken from the first), each with the
/// fallback of a swapped entry (its own backend) set, and a problem line for each
/// entry that cannot be mapped or that vx.toml would refuse.
pub(super) fn tools(lists: &Lists) -> Result<(Vec<ToolTable>, Vec<String>), Problem> {
    let mut tools: Vec<ToolTable> = Vec::new();
    let mut problems = Vec::new();
    for (file, list) in lists {
        for item in &list.tools {
            let at = at(file, item.line);
            // Shortened: a 1 MB name in a clone's `.tool-versions` is no 1 MB line.
            let label = sanitize(&format!(
                "{} {}",
                validate::shorten(&item.name),
                validate::shorten(&item.written)
            ))
            .trim()
            .to_owned();
            let tool = import::names::in_place(item).and_then(|mapped| {
                let tool = entry::registry_tool(
                    &mapped.key,
                    &mapped.constraint,
                    mapped.package.as_deref(),
                )
                .map_err(|problem| problem.to_string())?;
                Ok((tool, mapped.fallback))
            });
            let (mut tool, fallback) = match tool {
                Ok(mapped) => mapped,
                Err(why) => {
                    problems.push(format!("skipped {label} from {at}: {}", sanitize(&why)));
                    continue;
                }
            };
            if tools.iter().any(|t| t.name == tool.name) {
                continue;
            }
            // A swap with a fallback is said by the resolver when it falls back.
            let swap = import::names::backend_note(&item.name).filter(|_| fallback.is_some());
            // What the entry said that is not taken (a second version, mise's tool
            // options) or how it is read (a build backend's release binary).
            for note in item.notes.iter().filter(|n| swap.as_ref() != Some(*n)) {
                problems.push(format!("{label} from {at}: {}", sanitize(note)));
            }
            if let Some(request) = &mut tool.registry {
                request.fallback = fallback;
            }
            tools.push(tool);
        }
    }
    entry::tool_count(tools.len())?;
    Ok((tools, problems))
}

/// `[env]`, `[settings]`'s `path`, `env_file` and `python_venv`, and `[tasks]` of
/// `lists`, and a problem line for each entry not taken, in that order.
pub(super) fn environment(lists: &Lists) -> Result<(ProjectEnvironment, Vec<String>), Problem> {
    let mut problems = Vec::new();
    let mut environment = ProjectEnvironment {
        vars: vars(lists, &mut problems)?,
        ..ProjectEnvironment::default()
    };
    settings(lists, &mut environment, &mut problems);
    environment.tasks = tasks(lists, &mut problems);
    Ok((environment, problems))
}

/// mise's `[env]` of `lists` (a name two files set taken from the first).
fn vars(lists: &Lists, problems: &mut Vec<String>) -> Result<Vec<EnvVar>, Problem> {
    let mut vars: Vec<EnvVar> = Vec::new();
    // The names set by a file before: the first file's entry is the name's, taken or
    // refused.
    let mut seen: HashSet<&str> = HashSet::new();
    for (file, list) in lists {
        for var in &list.env {
            let skipped = |why: &str| {
                format!(
                    "skipped env {} from {}: {}",
                    sanitize(&var.name),
                    at(file, var.line),
                    sanitize(why)
                )
            };
            let value = match &var.value {
                Ok(EnvValue::Set(value)) => Some(value.clone()),
                Ok(EnvValue::Unset) => None,
                Err(why) => {
                    problems.push(skipped(&why.to_string()));
                    continue;
                }
            };
            if !seen.insert(&var.name) {
                continue;
            }
            let checked = entry::var_name("env", &var.name).and_then(|()| match &value {
                Some(value) => entry::var_value("env", &var.name, value),
                None => Ok(()),
            });
            if let Err(problem) = checked {
                problems.push(skipped(&problem.to_string()));
                continue;
            }
            vars.push(EnvVar {
                name: var.name.clone(),
                value,
                line: var.line.unwrap_or(0),
                literal: false,
            });
        }
    }
    entry::env_count("env", vars.len())?;
    Ok(vars)
}

/// mise's `_.path`, `_.file` and `_.python.venv` of `lists` into `environment`'s
/// `[settings]` entries (one listed twice taken once; the first virtual environment).
fn settings(lists: &Lists, environment: &mut ProjectEnvironment, problems: &mut Vec<String>) {
    type Take = fn(&mut ProjectEnvironment, &str, usize) -> Result<(), Problem>;
    for (file, list) in lists {
        let kinds: [(&str, &_, Take); 3] = [
            ("path", &list.path, take_path),
            ("env file", &list.env_files, take_env_file),
            ("virtual environment", &list.python_venv, take_venv),
        ];
        for (what, entries, take) in kinds {
            for (written, item, line) in entries {
                let taken = match item {
                    Ok(item) => {
                        take(environment, item, line.unwrap_or(0)).map_err(|p| p.to_string())
                    }
                    Err(why) => Err(why.to_string()),
                };
                if let Err(why) = taken {
                    problems.push(format!(
                        "skipped {what} {} from {}: {}",
                        sanitize(written),
                        at(file, *line),
                        sanitize(&why)
                    ));
                }
            }
        }
    }
}

/// A `_.path` directory, unless listed.
fn take_path(environment: &mut ProjectEnvironment, dir: &str, _: usize) -> Result<(), Problem> {
    if !environment.path.iter().any(|p| p == dir) {
        entry::path_entry(dir)?;
        environment.path.push(dir.to_owned());
    }
    Ok(())
}

/// A `_.file` dotenv file, optional (mise skips one that is not there, as a fresh
/// clone's `.env`), unless listed.
fn take_env_file(
    environment: &mut ProjectEnvironment,
    path: &str,
    line: usize,
) -> Result<(), Problem> {
    if !environment.env_files.iter().any(|f| f.path == path) {
        entry::env_file_entry(path)?;
        environment.env_files.push(EnvFile {
            path: path.to_owned(),
            optional: true,
            line,
        });
    }
    Ok(())
}

/// The virtual environment, unless one is set.
fn take_venv(environment: &mut ProjectEnvironment, dir: &str, _: usize) -> Result<(), Problem> {
    if environment.python_venv.is_none() {
        entry::python_venv(dir)?;
        environment.python_venv = Some(dir.to_owned());
    }
    Ok(())
}

/// mise's tasks of `lists` as vx's (a name two files give taken from the first), at
/// most [`MAX_TASKS`]; a task vx cannot hold, or that vx.toml would refuse (alone, or
/// with the others: a name taken, a cycle), skipped with its reason; what a task
/// leaves out said (a dependency that is no task is [`missing`]'s).
fn tasks(lists: &Lists, problems: &mut Vec<String>) -> Vec<Task> {
    let mut seen: HashSet<&str> = HashSet::new();
    // The tasks taken and those refused, each with its place among those read.
    let mut taken: Vec<(usize, Task, &ImportedScript, String)> = Vec::new();
    let mut refused: Vec<(usize, String)> = Vec::new();
    let mut count = 0usize;
    for (file, list) in lists {
        for item in &list.scripts {
            let at = item.at(file);
            let skipped = |why: &str| {
                format!(
                    "skipped task {} from {at}: {}",
                    sanitize(&item.name),
                    sanitize(why)
                )
            };
            let script = match &item.script {
                Err(why) => {
                    problems.push(skipped(&why.to_string()));
                    continue;
                }
                Ok(_) if !seen.insert(&item.name) => continue,
                Ok(script) => script,
            };
            count += 1;
            if count > MAX_TASKS {
                continue;
            }
            match task(&item.name, script, item.line.unwrap_or(0)) {
                Ok(mut task) => {
                    task.defined_in.clone_from(&item.file);
                    taken.push((count, task, script, at));
                }
                Err(problem) => refused.push((count, skipped(&problem.to_string()))),
            }
        }
    }
    if count > MAX_TASKS {
        let cut = count - MAX_TASKS;
        problems.push(format!(
            "{cut} more tasks not imported: a vx.toml holds at most {MAX_TASKS} (the first {MAX_TASKS} are)"
        ));
    }
    let mut tasks: Vec<Task> = taken.iter().map(|(_, task, _, _)| task.clone()).collect();
    let mut spared: Vec<(String, String)> = Vec::new();
    parse::spare_tasks(&mut tasks, &mut |name, problem| {
        spared.push((name.to_owned(), problem.to_string()));
    });
    let place: HashMap<&str, (usize, &str)> = taken
        .iter()
        .map(|(i, task, _, at)| (task.name.as_str(), (*i, at.as_str())))
        .collect();
    for (name, why) in &spared {
        let (i, at) = place[name.as_str()];
        refused.push((
            i,
            format!(
                "skipped task {} from {at}: {}",
                sanitize(name),
                sanitize(why)
            ),
        ));
    }
    // Said in the order the tasks were read.
    refused.sort_by_key(|(i, _)| *i);
    problems.extend(refused.into_iter().map(|(_, line)| line));
    let kept: HashSet<&str> = tasks.iter().map(|t| t.name.as_str()).collect();
    for (_, task, script, at) in &taken {
        if !script.ignored.is_empty() && kept.contains(task.name.as_str()) {
            problems.push(format!(
                "task {} from {at}: vx has no counterpart for {}: left out",
                sanitize(&task.name),
                sanitize(&script.ignored.join(", "))
            ));
        }
    }
    tasks
}

/// A line for each of `tasks` (of the project in `dir`) that depends on a name no task
/// of the project answers to: it is listed all the same, and running it fails naming
/// that name, as mise takes it. Kept apart from the other problems
/// ([`super::InPlace::missing`]): in a monorepo, the names are the run's to resolve.
pub(super) fn missing(dir: &Path, tasks: &[Task]) -> Vec<String> {
    let names = crate::task::graph::Names::of(tasks);
    tasks
        .iter()
        .filter_map(|task| {
            let first = *names.missing(task, dir).first()?;
            Some(crate::task::graph::missing_line(&task.name, first))
        })
        .collect()
}

/// A task's dependencies with words or variables of their own (`at`: its key), through
/// the checks vx.toml's parser gives its `{ task, args, env }` tables.
fn calls(at: &str, from: &[ImportedCall]) -> Result<Vec<Call>, Problem> {
    entry::list_count(at, from.len())?;
    let mut out = Vec::with_capacity(from.len());
    for call in from {
        entry::task_name(&call.task)?;
        for (var, value) in &call.env {
            entry::var_name(&format!("{at}.env"), var)?;
            entry::var_value(&format!("{at}.env"), var, value)?;
        }
        out.push(Call {
            task: call.task.clone(),
            words: call.args.clone(),
            env: call.env.clone(),
        });
    }
    Ok(out)
}

/// `script` as the task `name` (at `line` of its file), through the checks vx.toml's
/// parser gives the entry, in its order.
fn task(name: &str, script: &ImportedScript, line: usize) -> Result<Task, Problem> {
    entry::task_name(name)?;
    let at = format!("tasks.{name}");
    let mut task = Task::named(name);
    task.line = line;
    if !script.shell.is_empty() {
        entry::shell(&format!("{at}.shell"), &script.shell)?;
        task.shell.clone_from(&script.shell);
    }
    for (key, from, into) in [
        ("depends", &script.depends, &mut task.depends),
        ("depends_post", &script.depends_post, &mut task.depends_post),
        ("wait_for", &script.wait_for, &mut task.wait_for),
    ] {
        let at = format!("{at}.{key}");
        entry::list_count(&at, from.len())?;
        for dependency in from {
            entry::dependency(&at, dependency)?;
        }
        into.clone_from(from);
    }
    for (key, from, into) in [
        ("depends", &script.calls, &mut task.calls),
        ("depends_post", &script.calls_post, &mut task.calls_post),
    ] {
        *into = calls(&format!("{at}.{key}"), from)?;
    }
    let env_at = format!("{at}.env");
    let env = last_wins(&script.env);
    entry::env_count(&env_at, env.len())?;
    for (var, value) in env {
        entry::var_name(&env_at, var)?;
        entry::var_value(&env_at, var, value)?;
        task.env.push(EnvVar {
            name: var.to_owned(),
            value: Some(value.to_owned()),
            line,
            literal: false,
        });
    }
    if let Some(dir) = &script.cwd {
        entry::task_dir(&at, "dir", dir)?;
        task.dir = Some(dir.clone());
    }
    task.description.clone_from(&script.description);
    task.confirm.clone_from(&script.confirm);
    for alias in &script.alias {
        entry::task_name(alias)?;
    }
    task.alias.clone_from(&script.alias);
    (task.hide, task.quiet, task.service) = (script.hide, script.quiet, script.service);
    task.raw_args = script.raw_args;
    task.written_run.clone_from(&script.written_run);
    task.given_env.clone_from(&script.given_env);
    for (key, from, into) in [
        ("sources", &script.sources, &mut task.sources),
        ("outputs", &script.outputs, &mut task.outputs),
    ] {
        entry::list_count(&format!("{at}.{key}"), from.len())?;
        for glob in from {
            entry::task_glob(&at, key, glob)?;
        }
        into.clone_from(from);
    }
    let args_at = format!("{at}.args");
    entry::list_count(&args_at, script.args.len())?;
    for arg in &script.args {
        entry::arg_name(&args_at, &arg.name, arg.variadic, &task.args)?;
        let kind = match arg.kind {
            "option" => ArgKind::Option,
            "flag" => ArgKind::Flag,
            "count" => ArgKind::Count,
            _ => ArgKind::Positional,
        };
        let short = match arg.short {
            Some(c) => Some(entry::arg_short(
                &args_at,
                &arg.name,
                kind,
                &c.to_string(),
                &task.args,
            )?),
            None => None,
        };
        let arg = TaskArg {
            default: arg.default.clone(),
            help: arg.help.clone(),
            short,
            variadic: arg.variadic,
            env: arg.env.clone(),
            negate: arg.negate.clone(),
            required: arg.required,
            rest: arg.rest,
            ..TaskArg::new(&arg.name, kind)
        };
        entry::arg_extras(&args_at, &arg, &task.args)?;
        task.args.push(arg);
    }
    task.tools = last_wins(&script.tools)
        .into_iter()
        .map(|(tool, version)| (tool.to_owned(), version.to_owned()))
        .collect();
    if let Some(port) = script.ready_port {
        entry::ready_of_service(&at, task.service)?;
        task.ready = Some(Ready {
            check: ReadyCheck::Port(entry::ready_port(
                &format!("{at}.ready"),
                &port.to_string(),
            )?),
            timeout: DEFAULT_READY_TIMEOUT,
        });
    }
    entry::service_post(&at, task.service, &task.depends_post)?;
    match script.run.len() {
        0 => entry::runs_or_gathers(&task)?,
        1 => {}
        many => entry::commands(&format!("{at}.run"), many)?,
    }
    if let Some(timeout) = &script.timeout {
        entry::timeout_of_task(&at, task.service)?;
        task.timeout = vx_base::utc::parse_age_or_seconds(timeout).ok();
    }
    task.run.clone_from(&script.run);
    entry::list_count(&format!("{at}.run_windows"), script.run_windows.len())?;
    entry::no_nul(name, &script.run_windows)?;
    if vx_base::platform::WINDOWS && !script.run_windows.is_empty() {
        task.run.clone_from(&script.run_windows);
    }
    entry::no_nul(name, &task.run)?;
    task.refused.clone_from(&script.refused);
    Ok(task)
}

/// `NAME = VALUE` pairs as a table holds them: one entry a name, in the place it was
/// first given, with the last value given.
fn last_wins(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    let mut out: Vec<(&str, &str)> = Vec::with_capacity(pairs.len());
    for (name, value) in pairs {
        match out.iter_mut().find(|(n, _)| *n == name.as_str()) {
            Some(entry) => entry.1 = value,
            None => out.push((name, value)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::ImportedArg;
    use crate::manifest::{Manifest, edit};

    /// A task as `vx import` writes it (vx.toml text, parsed strictly) and as a
    /// project read in place maps it: the same task, or the same refusal in the same
    /// words, so the two ways in cannot drift apart.
    #[test]
    fn a_task_maps_as_the_text_import_writes_parses() {
        let full = ImportedScript {
            run: vec!["make".into(), "make check".into()],
            depends: vec!["lint:*".into()],
            depends_post: vec!["report".into()],
            wait_for: vec!["db".into()],
            env: vec![
                ("MODE".into(), "ci".into()),
                ("LEVEL".into(), "1".into()),
                ("MODE".into(), "${CI:-local}".into()),
            ],
            cwd: Some("web".into()),
            description: Some("builds it".into()),
            alias: vec!["b".into()],
            hide: true,
            sources: vec!["src/**".into()],
            outputs: vec!["out/*".into()],
            args: vec![
                ImportedArg {
                    default: Some("all".into()),
                    help: Some("what to build".into()),
                    ..ImportedArg::new("target", "positional")
                },
                ImportedArg {
                    short: Some('r'),
                    negate: Some("--debug".into()),
                    ..ImportedArg::new("release", "flag")
                },
                ImportedArg {
                    short: Some('j'),
                    env: Some("JOBS".into()),
                    ..ImportedArg::new("jobs", "option")
                },
                ImportedArg {
                    short: Some('v'),
                    ..ImportedArg::new("verbose", "count")
                },
                ImportedArg {
                    variadic: true,
                    ..ImportedArg::new("files", "positional")
                },
            ],
            confirm: Some("sure?".into()),
            quiet: true,
            tools: vec![("node".into(), "20".into()), ("node".into(), "22".into())],
            ..ImportedScript::default()
        };
        let service = ImportedScript {
            run: vec!["serve".into()],
            service: true,
            ready_port: Some(8080),
            ..ImportedScript::default()
        };
        let plain = ImportedScript {
            run: vec!["echo hi".into()],
            ..ImportedScript::default()
        };
        let gathers = ImportedScript {
            depends: vec!["a".into(), "b".into()],
            ..ImportedScript::default()
        };
        let refused = [
            ImportedScript {
                run: vec!["x".into()],
                sources: vec!["../out".into()],
                ..ImportedScript::default()
            },
            ImportedScript::default(),
            ImportedScript {
                run: vec!["x".into()],
                env: vec![("PATH".into(), "/bin".into())],
                ..ImportedScript::default()
            },
            ImportedScript {
                run: vec!["x".into()],
                ready_port: Some(0),
                service: true,
                ..ImportedScript::default()
            },
        ];
        let path = Path::new("/p/vx.toml");
        let as_written = |name: &str, script: &ImportedScript| {
            let (text, _) = edit::add_script("[tools]\n", name, script).unwrap();
            Manifest::parse(path, &text)
                .map(|m| m.environment.tasks.into_iter().next().unwrap())
                .map_err(|e| e.problem().unwrap().to_string())
        };
        for (name, script) in [
            ("build", &full),
            ("web", &service),
            ("hi", &plain),
            ("all", &gathers),
        ]
        .into_iter()
        .chain(refused.iter().map(|s| ("bad", s)))
        .chain([("two words", &plain)])
        {
            let mapped = task(name, script, 0).map_err(|p| p.to_string());
            let mut written = as_written(name, script);
            if let Ok(task) = &mut written {
                task.line = 0;
                task.env.iter_mut().for_each(|var| var.line = 0);
            }
            assert_eq!(mapped, written, "{name}: {script:?}");
        }
    }
}
