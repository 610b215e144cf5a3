//! What `vx tasks` prints beside the listing `vx run` alone prints
//! ([`super::run::tasks`]): one task as `vx tasks info TASK` shows it (its name,
//! aliases, description, source, what it depends on, directory, sources, outputs,
//! file, properties, commands, environment and usage, laid out as mise's `tasks
//! info`), and the tasks or one task as JSON (`--json`).

use vx_model::task::ArgKind;
use vx_ops::run::Described;
use vx_text::sanitize;

/// `vx tasks info TASK`: the task as stdout's text, every line from the project made
/// safe for a terminal.
pub(crate) fn info(described: &Described) -> String {
    let Described { task, source } = described;
    let mut out = String::new();
    let mut inline = |label: &str, value: &str| {
        out.push_str(format!("{label}: {}", line(value)).trim_end());
        out.push('\n');
    };
    inline("Task", &task.name);
    if !task.alias.is_empty() {
        inline("Aliases", &task.alias.join(", "));
    }
    inline("Description", task.description.as_deref().unwrap_or(""));
    if let Some(source) = source {
        inline("Source", &source.display().to_string());
    }
    // A dependency with words or variables of its own as written: `Z=1 check --test`.
    let depends = with_calls(&task.depends, &task.calls);
    let depends_post = with_calls(&task.depends_post, &task.calls_post);
    let lists = [
        ("Depends on", &depends),
        ("Depends post", &depends_post),
        ("Waits for", &task.wait_for),
        ("Sources", &task.sources),
        ("Outputs", &task.outputs),
    ];
    for (label, list) in lists {
        if !list.is_empty() {
            inline(label, &list.join(", "));
        }
    }
    if let Some(dir) = &task.dir {
        inline("Directory", dir);
    }
    if let Some(file) = &task.file {
        inline("File", file);
    }
    let properties: Vec<&str> = [
        (task.hide, "hide"),
        (task.service, "service"),
        (task.quiet, "quiet"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    if !properties.is_empty() {
        inline("Properties", &properties.join(", "));
    }
    let run = written_run(task);
    if !run.is_empty() {
        section(&mut out, "Run", &run.join("\n"));
    }
    let env = written_env(task);
    if !env.is_empty() {
        section(&mut out, "Environment Variables", &env.join("\n"));
    }
    // What vx sets itself, as mise does, apart from what the user wrote.
    if !task.given_env.is_empty() {
        let mut given: Vec<&str> = Vec::new();
        for name in &task.given_env {
            if !given.contains(&name.as_str()) {
                given.push(name);
            }
        }
        section(&mut out, "Set by vx, as mise sets them", &given.join("\n"));
    }
    // How `vx run` takes its arguments, as `vx run TASK --help` shows them (its
    // description and aliases said above).
    let mut bare = task.clone();
    (bare.description, bare.alias) = (None, Vec::new());
    out.push('\n');
    for text in vx_tasks::args::help(&bare).lines() {
        out.push_str(&line(text));
        out.push('\n');
    }
    out
}

/// `vx tasks info TASK --json`: one JSON object, pretty-printed.
pub(crate) fn info_json(described: &Described) -> String {
    let mut text = serde_json::to_string_pretty(&object(described)).expect("JSON serializes");
    text.push('\n');
    text
}

/// `vx tasks ls --json`: one JSON array of the tasks, each as `info_json` prints it.
pub(crate) fn list_json(tasks: &[&Described]) -> String {
    let all: Vec<serde_json::Value> = tasks.iter().map(|d| object(d)).collect();
    let mut text = serde_json::to_string_pretty(&all).expect("JSON serializes");
    text.push('\n');
    text
}

/// One task as JSON: mise's `tasks info --json` keys where vx has the concept (`env`
/// as `NAME=value` lines, `shell` one string or `null`), and vx's `service` and
/// `args`.
fn object(described: &Described) -> serde_json::Value {
    let Described { task, source } = described;
    let tools: serde_json::Map<String, serde_json::Value> = (task.tools.iter())
        .map(|(name, version)| (name.clone(), version.clone().into()))
        .collect();
    serde_json::json!({
        "name": task.name,
        "aliases": task.alias,
        "description": task.description.clone().unwrap_or_default(),
        "source": source.as_ref().map(|s| s.display().to_string()),
        "depends": with_calls(&task.depends, &task.calls),
        "depends_post": with_calls(&task.depends_post, &task.calls_post),
        "wait_for": task.wait_for,
        "env": written_env(task),
        "given_env": task.given_env,
        "dir": task.dir,
        "hide": task.hide,
        "sources": task.sources,
        "outputs": task.outputs,
        "run": written_run(task),
        "file": task.file,
        "shell": (!task.shell.is_empty()).then(|| task.shell.join(" ")),
        "quiet": task.quiet,
        "tools": tools,
        "service": task.service,
        "args": task.args.iter().map(arg).collect::<Vec<_>>(),
    })
}

/// A declared argument as JSON.
fn arg(arg: &vx_model::task::TaskArg) -> serde_json::Value {
    let kind = match arg.kind {
        ArgKind::Positional => "positional",
        ArgKind::Option => "option",
        ArgKind::Flag => "flag",
        ArgKind::Count => "count",
    };
    serde_json::json!({
        "name": arg.name,
        "kind": kind,
        "default": arg.default,
        "help": arg.help,
        "short": arg.short.map(String::from),
        "variadic": arg.variadic,
        "env": arg.env,
        "negate": arg.negate,
        "required": arg.required,
    })
}

/// The task's commands as its user wrote them (a mise task's, without the lines vx
/// runs them with).
fn written_run(task: &vx_model::task::Task) -> &[String] {
    task.written_run.as_deref().unwrap_or(&task.run)
}

/// The task's `env` as its user wrote it, as `NAME=value` lines: the variables vx
/// gives it itself ([`vx_model::task::Task::given_env`]) left out, unless the user
/// wrote one too (the last entry of that name, which wins).
fn written_env(task: &vx_model::task::Task) -> Vec<String> {
    let env = &task.env;
    (env.iter().enumerate())
        .filter(|(at, var)| {
            let given = task.given_env.contains(&var.name);
            let count = env.iter().filter(|v| v.name == var.name).count();
            let last = env[at + 1..].iter().all(|v| v.name != var.name);
            !given || (last && count > given_count(task, &var.name))
        })
        .map(|(_, var)| env_line(var))
        .collect()
}

/// How many entries of `env` named `name` vx gave the task itself.
fn given_count(task: &vx_model::task::Task, name: &str) -> usize {
    task.given_env.iter().filter(|g| *g == name).count()
}

/// A task's `env` entry as written: `NAME=value`, `NAME=false` for one it removes.
fn env_line(var: &vx_model::task::EnvVar) -> String {
    format!("{}={}", var.name, var.value.as_deref().unwrap_or("false"))
}

/// `text` (one line) made safe for a terminal.
fn line(text: &str) -> String {
    sanitize(text).into_owned()
}

/// A titled block after a blank line, each of `text`'s lines indented and made safe.
fn section(out: &mut String, title: &str, text: &str) {
    out.push_str(&format!("\n{title}:\n"));
    for text in text.lines() {
        out.push_str(format!("  {}", line(text)).trim_end());
        out.push('\n');
    }
}

/// A task's `depends` (or `depends_post`) as shown: its names and globs, then each
/// dependency with words or variables of its own as mise writes it (`Z=1 check --test`).
fn with_calls(names: &[String], calls: &[vx_model::task::Call]) -> Vec<String> {
    (names.iter().cloned())
        .chain(calls.iter().map(vx_model::task::Call::shown))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use vx_model::task::Task;

    #[test]
    fn a_tasks_lines_are_made_safe_and_its_usage_follows() {
        let mut task = Task::named("a");
        task.run = vec!["echo \x1b]0;owned\x07\necho two".into()];
        task.description = Some("says\x1b[2J hi".into());
        task.alias = vec!["x".into()];
        let text = info(&Described {
            task,
            source: Some("/p/vx.toml".into()),
        });
        assert!(!text.contains('\x1b'), "{text}");
        assert_eq!(
            text,
            "Task: a\nAliases: x\nDescription: says\\x1b[2J hi\nSource: /p/vx.toml\n\n\
             Run:\n  echo \\x1b]0;owned\\x07\n  echo two\n\nUsage: vx run a [ARGS]...\n"
        );
    }
}
