//! mise's task dependencies (`depends`, `depends_post`, `wait_for`, and `daemons`;
//! jdx/mise, src/task/task_dep.rs) as vx takes them. An entry is a task name or glob,
//! or a name with arguments (`"build --release"`), whose words may be the task's own
//! usage values (`"unpack {{usage.target}}"`, rendered when the task runs, as mise
//! renders them). vx's `depends` name tasks only: an entry with arguments runs as a
//! command of the task, `"$VX" run NAME ARGS` (first for `depends`, last for
//! `depends_post`); a `wait_for` entry with arguments waits for the task by its name.

use toml::de::DeTable;

use super::super::why::TaskError;
use super::super::{ImportedArg, ImportedScript};
use super::{plain_word, strings, vx_run};

/// What a mise task's dependencies with arguments become: the commands run first and
/// last, and the notes for waits named with arguments.
pub(super) type Dependencies = (Vec<String>, Vec<String>, Vec<String>);

/// A mise task's `depends`, `depends_post`, `wait_for` and `daemons` into `script`
/// (whose `args` are its usage's, read first): the plain names and globs into its
/// lists, and what runs first and last as commands, with the notes for waits on a
/// task named with its arguments.
pub(super) fn of_task(
    table: &DeTable<'_>,
    script: &mut ImportedScript,
) -> Result<Dependencies, TaskError> {
    for (key, list) in [
        ("depends", &mut script.depends),
        ("depends_post", &mut script.depends_post),
        ("wait_for", &mut script.wait_for),
    ] {
        if let Some(value) = table.get(key) {
            *list = strings(value.get_ref(), key)?;
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
    // A dependency with arguments (`"build --release"`) runs first, as a command:
    // vx's `depends` name tasks without arguments.
    let (plain, with_arguments): (Vec<String>, Vec<String>) = std::mem::take(&mut script.depends)
        .into_iter()
        .partition(|name| !name.trim().contains(char::is_whitespace));
    script.depends = plain;
    let first = with_arguments
        .iter()
        .map(|name| step(name, &script.args))
        .collect::<Result<Vec<String>, TaskError>>()?;
    // One to run after it with arguments runs as its last command, the same way.
    let (plain, with_arguments): (Vec<String>, Vec<String>) =
        std::mem::take(&mut script.depends_post)
            .into_iter()
            .partition(|name| !name.trim().contains(char::is_whitespace));
    script.depends_post = plain;
    let last = with_arguments
        .iter()
        .map(|name| step(name, &script.args))
        .collect::<Result<Vec<String>, TaskError>>()?;
    // A task waited for with arguments is waited for by its name: vx's `wait_for`
    // names a task, whatever words it runs with in the run.
    let mut waits_by_name = Vec::new();
    for name in &mut script.wait_for {
        let words: Vec<&str> = name.split_whitespace().collect();
        if words.len() > 1 {
            waits_by_name.push(format!(
                "wait_for `{}` (vx waits for `{}` whatever its arguments)",
                words.join(" "),
                words[0]
            ));
            *name = words[0].to_owned();
        }
    }
    Ok((first, last, waits_by_name))
}

/// A dependency with arguments (`"build --release"`, mise.jdx.dev "Task
/// configuration", `depends`) as the command that runs it: the task's name, and its
/// words each a plain one (nothing a shell would read otherwise) or the task's own
/// usage value (`{{usage.NAME}}`, which vx fills in quoted when the task runs), or it
/// cannot be taken. The words given to the task are no words of this command (`:
/// {args}` takes them, so they are not appended to it).
fn step(dependency: &str, args: &[ImportedArg]) -> Result<String, TaskError> {
    let dependency = spaced_templates(dependency);
    let words: Vec<&str> = dependency.split_whitespace().collect();
    let refused = || TaskError::DependsWithArguments {
        name: dependency.clone(),
    };
    let Some((name, rest)) = words.split_first() else {
        return Err(refused());
    };
    if name.starts_with('-') || !plain_word(name) {
        return Err(refused());
    }
    let mut line = (*name).to_owned();
    for word in rest {
        line.push(' ');
        line.push_str(&usage_word(word, args)?.ok_or_else(refused)?);
    }
    // Its failure names it, as mise names the dependency that failed (the task that
    // asked for it fails with the same status).
    Ok(format!(
        ": {{args}}; {} || {{ s=$?; echo \"vx: task \\`{name}\\` failed: exit status $s\" >&2; exit $s; }}",
        vx_run(&line),
    ))
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
        ImportedArg {
            name: name.to_owned(),
            kind: "positional",
            default: None,
            help: None,
            short: None,
        }
    }

    /// A dependency's words from the task's usage values are its arguments, filled in
    /// when the task runs (firezone's `#MISE depends=["unpack {{usage.target}}"]`);
    /// an argument it does not declare, or another template, is said.
    #[test]
    fn a_dependency_takes_the_tasks_usage_values() {
        let args = [arg("target")];
        let line = step("unpack {{ usage.target }} --fast", &args).unwrap();
        assert!(line.starts_with(": {args}; "), "{line}");
        let runs = " run --manifest \"${VX_PROJECT_FILE}\" unpack {{target}} --fast || ";
        assert!(line.contains(runs), "{line}");
        let line = step("u --out={{usage.target}}", &args).unwrap();
        assert!(line.contains(" u --out={{target}} || "), "{line}");
        assert_eq!(
            step("unpack {{usage.other}}", &args),
            Err(TaskError::UsageArgument {
                name: "other".into()
            })
        );
        assert_eq!(
            step("unpack {{env.HOME}}", &args),
            Err(TaskError::Template {
                inner: "env.HOME".into()
            })
        );
        assert!(matches!(
            step("unpack $(id)", &args),
            Err(TaskError::DependsWithArguments { .. })
        ));
    }
}
