//! The checks of one entry on its values, each saying what is wrong as a [`Problem`]:
//! shared by the vx.toml parser, which puts each at the span of what it checked, and a
//! mise project read in place ([`crate::manifest::in_place`]), whose entries come
//! typed from mise's files and are never written as vx.toml text. One check each, so
//! both refuse the same entries with the same words.

use super::super::environment;
use super::super::tool::ToolTable;
use super::super::{MAX_TOOLS, Problem};
use super::MAX_ENVIRONMENT_ENTRIES;
use crate::task::{ArgKind, TaskArg};
use vx_base::validate;

/// Most commands in one task's `run`, arguments, globs or dependencies.
pub(in crate::manifest) const MAX_LIST: usize = 1024;

/// A registry tool's key as written (`ripgrep`, `cli/cli`, `npm:@biomejs/biome`): the
/// name it goes by and what it is looked up by.
pub(in crate::manifest) fn registry_key(written: &str) -> Result<(String, String), Problem> {
    // A language registry's package (`"npm:@biomejs/biome" = "1"`): named by its
    // command, looked up as vx spells it (`crate::package_name`).
    let backend = crate::package_name::Name::parse(written)
        .map_err(|e| Problem::BackendName(e.to_string()))?;
    if let Some(backend) = &backend {
        return Ok((backend.short_name(), backend.to_string()));
    }
    if !segments_ok(written) {
        validate::tool_name(written)?;
    }
    let name = written.rsplit('/').next().unwrap_or(written).to_owned();
    Ok((name, written.to_owned()))
}

/// A version constraint as written (`14`, `^1.2`, `latest`).
pub(in crate::manifest) fn constraint(text: &str) -> Result<(), Problem> {
    vx_base::version::Constraint::parse(text)
        .map(|_| ())
        .map_err(|e| Problem::Constraint(e.to_string()))
}

/// A tool's `package`: what it is looked up by (`npm:…`, `OWNER/REPO[/…]`).
pub(in crate::manifest) fn package_lookup(package: &str) -> Result<String, Problem> {
    match crate::package_name::Name::parse(package) {
        Ok(Some(backend)) => Ok(backend.to_string()),
        Err(e) => Err(Problem::BackendName(e.to_string())),
        Ok(None) if !package.contains('/') || !segments_ok(package) => {
            Err(Problem::Package(validate::shorten(package)))
        }
        Ok(None) => Ok(package.to_owned()),
    }
}

/// `written = { version = constraint, package = … }` as the parser reads it: the
/// registry tool, or why vx.toml would refuse it.
pub(in crate::manifest) fn registry_tool(
    written: &str,
    constraint: &str,
    package: Option<&str>,
) -> Result<ToolTable, Problem> {
    let (name, mut lookup) = registry_key(written)?;
    self::constraint(constraint)?;
    if let Some(package) = package {
        lookup = package_lookup(package)?;
    }
    Ok(ToolTable::registry_tool(name, lookup, constraint))
}

/// Whether `text` is at most four `/`-separated segments, each a tool name.
fn segments_ok(text: &str) -> bool {
    text.split('/').count() <= 4 && text.split('/').all(|seg| validate::tool_name(seg).is_ok())
}

/// Most tools a manifest lists.
pub(in crate::manifest) fn tool_count(count: usize) -> Result<(), Problem> {
    match count > MAX_TOOLS {
        true => Err(Problem::TooManyTools(count)),
        false => Ok(()),
    }
}

/// How many entries `[at]` (`[env]`, a task's `env`) holds.
pub(in crate::manifest) fn env_count(at: &str, count: usize) -> Result<(), Problem> {
    if count <= MAX_ENVIRONMENT_ENTRIES {
        return Ok(());
    }
    Err(Problem::Environment(format!(
        "[{at}] has {count} entries; at most {MAX_ENVIRONMENT_ENTRIES} are allowed"
    )))
}

/// The name of a variable of `[at]`: not vx's own, a name every shell takes.
pub(in crate::manifest) fn var_name(at: &str, name: &str) -> Result<(), Problem> {
    if let Some(why) = environment::reserved_problem(name) {
        return Err(Problem::Environment(format!("[{at}]: {why}")));
    }
    if !environment::valid_var_name(name) {
        return Err(Problem::Environment(format!(
            "`{}` is not a variable name: use letters, digits and _ (not first a digit)",
            validate::shorten(name)
        )));
    }
    Ok(())
}

/// The value of the variable `name` of `[at]` (a template: `${VAR}`, `{project}`).
pub(in crate::manifest) fn var_value(at: &str, name: &str, value: &str) -> Result<(), Problem> {
    match environment::template_problem(value) {
        Some(why) => Err(Problem::Environment(format!("{at}.{name}: {why}"))),
        None => Ok(()),
    }
}

/// An entry of `[settings] path`: a directory inside the project.
pub(in crate::manifest) fn path_entry(dir: &str) -> Result<(), Problem> {
    match environment::relative_dir_problem(dir) {
        None => Ok(()),
        Some(why) => Err(Problem::Environment(format!(
            "[settings] path entry {:?} {why}",
            validate::shorten(dir)
        ))),
    }
}

/// An entry of `[settings] env_file`: a path, not empty.
pub(in crate::manifest) fn env_file_entry(path: &str) -> Result<(), Problem> {
    if path.is_empty() || path.contains('\0') {
        return Err(Problem::Environment(format!(
            "[settings.env_file] entry {:?} is empty or holds a NUL character",
            validate::shorten(path)
        )));
    }
    Ok(())
}

/// `[settings] python_venv`: a directory inside the project.
pub(in crate::manifest) fn python_venv(dir: &str) -> Result<(), Problem> {
    match environment::relative_dir_problem(dir) {
        None => Ok(()),
        Some(why) => Err(Problem::Environment(format!(
            "[settings] python_venv {:?} {why}",
            validate::shorten(dir)
        ))),
    }
}

/// A task's name (or an alias): what a user types after `vx run`.
pub(in crate::manifest) fn task_name(name: &str) -> Result<(), Problem> {
    if environment::valid_script_name(name) {
        return Ok(());
    }
    Err(Problem::Environment(format!(
        "task name `{}` is invalid: use letters, digits, _ - . : (1 to 64, not first -)",
        validate::shorten(name)
    )))
}

/// How many items the list `at` holds.
pub(in crate::manifest) fn list_count(at: &str, count: usize) -> Result<(), Problem> {
    if count <= MAX_LIST {
        return Ok(());
    }
    Err(Problem::Environment(format!(
        "{at} has {count} entries; at most {MAX_LIST}"
    )))
}

/// An entry of a `depends`-like list `at`: a task name or a glob of them.
pub(in crate::manifest) fn dependency(at: &str, name: &str) -> Result<(), Problem> {
    let plain = name.replace(['*', '?'], "x");
    if environment::valid_dependency_name(&plain) {
        return Ok(());
    }
    Err(Problem::Environment(format!(
        "{at}: `{}` is not a task name or a glob of them",
        validate::shorten(name)
    )))
}

/// A task's `dir` (or `cwd`: `key`): a directory inside the project.
pub(in crate::manifest) fn task_dir(at: &str, key: &str, dir: &str) -> Result<(), Problem> {
    match environment::relative_dir_problem(dir) {
        Some(why) => Err(Problem::Environment(format!("{at}.{key} {why}"))),
        None => Ok(()),
    }
}

/// An entry of a task's `sources` or `outputs` (`key`): a glob inside the project.
pub(in crate::manifest) fn task_glob(at: &str, key: &str, glob: &str) -> Result<(), Problem> {
    if let Some(why) = environment::inside_project_problem(glob) {
        return Err(Problem::Environment(format!("{at}.{key}: {glob:?} {why}")));
    }
    // A glob that cannot be read is said here, where it is written, rather than
    // matching nothing (a task whose sources match nothing would never run again).
    vx_base::glob::check(glob).map_err(|e| Problem::Environment(format!("{at}.{key}: {e}")))
}

/// The name of a task's argument, beside those declared before it (`declared`): not
/// `help` (`--help`), nor `args` (`{{args}}`, every word given) but for a variadic
/// argument, whose words `{{args}}` then is (mise's `arg "[args]..."`).
pub(in crate::manifest) fn arg_name(
    at: &str,
    name: &str,
    variadic: bool,
    declared: &[TaskArg],
) -> Result<(), Problem> {
    if !environment::valid_var_name(&name.replace('-', "_")) {
        return Err(Problem::Environment(format!(
            "{at}: `{}` is not an argument name: use letters, digits, _ and -",
            validate::shorten(name)
        )));
    }
    let reserved = name == "help" || name == "args" && !variadic;
    if declared.iter().any(|a| a.name == name) || reserved {
        return Err(Problem::Environment(format!(
            "{at}: argument `{name}` is declared twice or is reserved (args but for a variadic argument, help)"
        )));
    }
    Ok(())
}

/// What an argument says beyond its name, kind and short form: `variadic` only of a
/// positional argument, `negate` only of a flag and a word of its own that starts with
/// `-` (`--no-color`) and no other argument takes, `env` a variable's name, `required`
/// only of a flag without a default.
pub(in crate::manifest) fn arg_extras(
    at: &str,
    arg: &TaskArg,
    declared: &[TaskArg],
) -> Result<(), Problem> {
    let name = &arg.name;
    if arg.variadic && arg.kind != ArgKind::Positional {
        return Err(Problem::Environment(format!(
            "{at}: argument `{name}` is variadic: only a positional argument takes every word left"
        )));
    }
    if arg.rest && arg.kind != ArgKind::Positional {
        return Err(Problem::Environment(format!(
            "{at}: argument `{name}` has `rest`: only a positional argument takes the words after it"
        )));
    }
    if arg.required && (arg.kind != ArgKind::Flag || arg.default.is_some()) {
        return Err(Problem::Environment(format!(
            "{at}: argument `{name}` has `required`: only a flag without a default is required so (a positional argument or an option is required by having no default)"
        )));
    }
    if let Some(negate) = &arg.negate {
        if arg.kind != ArgKind::Flag {
            return Err(Problem::Environment(format!(
                "{at}: argument `{name}` has `negate`: only a flag is turned off"
            )));
        }
        let word = negate.strip_prefix('-').unwrap_or_default();
        let plain = !word.is_empty()
            && word != "-"
            && (word.chars()).all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        // Another spelling of an argument (this one's too), or another flag's negate.
        let spells = |a: &TaskArg| {
            negate.strip_prefix("--") == Some(a.name.as_str())
                || a.short.is_some_and(|c| *negate == format!("-{c}"))
        };
        let taken =
            (declared.iter()).any(|a| spells(a) || a.negate.as_deref() == Some(negate.as_str()));
        if !plain || taken || spells(arg) {
            return Err(Problem::Environment(format!(
                "{at}: argument `{name}`'s negate is a word of its own that starts with - (`--no-{name}`), not `{}`",
                validate::shorten(negate)
            )));
        }
    }
    if let Some(var) = &arg.env
        && !environment::valid_var_name(var)
    {
        return Err(Problem::Environment(format!(
            "{at}: argument `{name}`'s env `{}` is not a variable name: use letters, digits and _ (not first a digit)",
            validate::shorten(var)
        )));
    }
    Ok(())
}

/// An argument's `short`: one ASCII letter or digit, of an option or a flag, given to
/// no other argument of the task.
pub(in crate::manifest) fn arg_short(
    at: &str,
    name: &str,
    kind: ArgKind,
    short: &str,
    declared: &[TaskArg],
) -> Result<char, Problem> {
    let mut chars = short.chars();
    let letter = match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii_alphanumeric() => c,
        _ => {
            return Err(Problem::Environment(format!(
                "{at}: argument `{name}`'s short is one letter or digit (`n` for -n), not `{}`",
                validate::shorten(short)
            )));
        }
    };
    if kind == ArgKind::Positional {
        return Err(Problem::Environment(format!(
            "{at}: argument `{name}` is positional: only an option or a flag has a short form"
        )));
    }
    if let Some(other) = declared.iter().find(|a| a.short == Some(letter)) {
        return Err(Problem::Environment(format!(
            "{at}: -{letter} is the short form of both `{}` and `{name}`",
            other.name
        )));
    }
    Ok(letter)
}

/// A task's `ready`: only a service's.
pub(in crate::manifest) fn ready_of_service(at: &str, service: bool) -> Result<(), Problem> {
    match service {
        true => Ok(()),
        false => Err(Problem::Environment(format!(
            "{at}.ready: only a service has a ready check; add `service = true`"
        ))),
    }
}

/// A ready check's port, as written.
pub(in crate::manifest) fn ready_port(at: &str, port: &str) -> Result<u16, Problem> {
    match port.parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(Problem::Environment(format!(
            "{at}.port must be 1 to 65535"
        ))),
    }
}

/// A task's `depends_post`, which a service cannot have.
pub(in crate::manifest) fn service_post(
    at: &str,
    service: bool,
    post: &[String],
) -> Result<(), Problem> {
    match service && !post.is_empty() {
        true => Err(Problem::Environment(format!(
            "{at}.depends_post: a service runs until the run ends, so nothing can run after it"
        ))),
        false => Ok(()),
    }
}

/// A task's `run` as a list `at`: at least one command.
pub(in crate::manifest) fn commands(at: &str, count: usize) -> Result<(), Problem> {
    list_count(at, count)?;
    match count {
        0 => Err(Problem::Environment(format!(
            "{at} is empty: give at least one command"
        ))),
        _ => Ok(()),
    }
}

/// A task's `timeout` `at`: a service runs until the run ends (its `ready` has a
/// timeout of its own).
pub(in crate::manifest) fn timeout_of_task(at: &str, service: bool) -> Result<(), Problem> {
    match service {
        true => Err(Problem::Environment(format!(
            "{at}.timeout is a task's time to finish; a service runs until the run ends (`ready` has its own `timeout`)"
        ))),
        false => Ok(()),
    }
}

/// Most words a task's `shell` may have.
const MAX_SHELL_WORDS: usize = 64;

/// A task's `shell` `at`, split into `words`: a program first (a line a shell cannot
/// split, an unclosed quote, is no words), no more than [`MAX_SHELL_WORDS`], no NUL.
pub(in crate::manifest) fn shell(at: &str, words: &[String]) -> Result<(), Problem> {
    let problem = match words.first() {
        None => "is no program: give one and its words, as `shell = \"bash -c\"`".to_owned(),
        Some(program) if program.is_empty() => "starts with an empty program".to_owned(),
        Some(_) if words.len() > MAX_SHELL_WORDS => {
            format!("has more than {MAX_SHELL_WORDS} words")
        }
        Some(_) if words.iter().any(|w| w.contains('\0')) => "holds a NUL character".to_owned(),
        Some(_) => return Ok(()),
    };
    Err(Problem::Environment(format!("{at} {problem}")))
}

/// A task that runs nothing: it must gather others (`depends`).
pub(in crate::manifest) fn runs_or_gathers(task: &crate::task::Task) -> Result<(), Problem> {
    let name = &task.name;
    match task.depends.is_empty() && task.calls.is_empty() {
        true => Err(Problem::Environment(format!(
            "task `{name}` has neither `run` nor `depends`: give it a command, or the tasks it gathers"
        ))),
        false => Ok(()),
    }
}

/// A task's commands: no NUL.
pub(in crate::manifest) fn no_nul(name: &str, run: &[String]) -> Result<(), Problem> {
    match run.iter().any(|r| r.contains('\0')) {
        true => Err(Problem::Environment(format!(
            "task `{name}` holds a NUL character"
        ))),
        false => Ok(()),
    }
}
