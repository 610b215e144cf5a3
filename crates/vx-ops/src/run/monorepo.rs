//! `vx run` in a monorepo (issue 77): the packages' tasks joined to the project's, a
//! task named plainly (`build`) standing for that task of every package in scope, and
//! the scope: the packages `--filter` selects (turbo's syntax, the changes since a ref
//! asked of git), else the package the command runs in, else every package.

use std::ffi::OsString;
use std::path::Path;

use vx_model::manifest::workspace::pattern::{self, Matcher};
use vx_model::manifest::workspace::{self, Monorepo};
use vx_model::task::Task;
use vx_model::task::graph::{self, GraphError};

use super::RunError;
use super::git::Git;

/// The monorepo whose root is `project`, its problems said once through `note`;
/// `None` when `project` is no monorepo's root.
pub(crate) fn read(project: &Path, note: &dyn Fn(&str)) -> Result<Option<Monorepo>, RunError> {
    let Some(read) = workspace::read(project) else {
        return Ok(None);
    };
    let monorepo = read.map_err(|e| RunError::Monorepo(e.to_string()))?;
    for line in unsaid(project, &monorepo.problems) {
        note(&format!("vx: {}", vx_text::sanitize(&line)));
    }
    Ok(Some(monorepo))
}

/// The lines of `problems` not said before for this project (recorded in vx's data
/// directory, as a mise project's are), so a run says each once.
fn unsaid(project: &Path, problems: &[String]) -> Vec<String> {
    use sha2::Digest;
    use vx_model::manifest::in_place::{first_time, said_dir};
    let said = said_dir();
    problems
        .iter()
        .filter(|line| {
            let text = format!("monorepo {} {line}", project.display());
            first_time(said.as_deref(), &hex::encode(sha2::Sha256::digest(text)))
        })
        .cloned()
        .collect()
}

/// `vx run`'s own flags given after a task's name in a monorepo, as turbo takes them
/// (`vx run build --filter web --dry-run --json`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    /// `--filter F`, `--filter=F`, `-F F`.
    pub filters: Vec<String>,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--json`, taken with `--dry-run` only (a task may take a `--json` of its own).
    pub json: bool,
    /// `--affected` (`""`: the base found from the environment and the default branch) or
    /// `--affected=REF`.
    pub affected: Option<String>,
    /// `--exit-code`: with `--affected`, answer by the exit code (0 nothing affected,
    /// 1 something) and run nothing.
    pub exit_code: bool,
}

impl Flags {
    /// These flags with `other`'s added.
    pub(crate) fn add(&mut self, other: Flags) {
        self.filters.extend(other.filters);
        self.dry_run |= other.dry_run;
        self.json |= other.json;
        self.affected = self.affected.take().or(other.affected);
        self.exit_code |= other.exit_code;
    }

    /// Whether nothing runs: the plan is shown (`--dry-run`, or `--exit-code`).
    pub(crate) fn plans_only(&self) -> bool {
        self.dry_run || self.exit_code
    }
}

/// `words` (a task's own, those before the command line's `--`: the words after it
/// are the tasks' whatever they say, `super::words`) without the run's flags among
/// them, and those flags.
pub(crate) fn take_flags(words: &mut Vec<OsString>) -> Flags {
    let dry_run = words.iter().any(|w| w == "--dry-run" || w == "--exit-code");
    let mut flags = Flags {
        dry_run,
        ..Flags::default()
    };
    let mut kept = Vec::with_capacity(words.len());
    let mut taken = std::mem::take(words).into_iter();
    while let Some(word) = taken.next() {
        let text = word.to_string_lossy().into_owned();
        if text == "--dry-run" {
        } else if text == "--exit-code" {
            flags.exit_code = true;
        } else if text == "--affected" {
            flags.affected = Some(String::new());
        } else if let Some(base) = text.strip_prefix("--affected=") {
            flags.affected = Some(base.to_owned());
        } else if text == "--json" && dry_run {
            flags.json = true;
        } else if text == "--filter" || text == "-F" {
            if let Some(value) = taken.next() {
                flags.filters.push(value.to_string_lossy().into_owned());
            }
        } else if let Some(value) = text.strip_prefix("--filter=") {
            flags.filters.push(value.to_owned());
        } else {
            kept.push(word);
        }
    }
    *words = kept;
    flags
}

/// `tasks` with the monorepo's package tasks that no task of the project shadows. A
/// package task's dependency on the root's `//#NAME` (mise's `//:NAME`) that the
/// monorepo does not have is the project's own task `NAME` (a root vx.toml's). A
/// dependency written as mise's pattern (`//projects/...:build`, `//app:test:*`) is
/// the tasks it matches; those that match none are returned with the task naming
/// them ([`unmatched`] makes one the error when that task is run, as a dependency
/// on no task is).
pub(crate) fn join(tasks: &mut Vec<Task>, monorepo: &Monorepo) -> Vec<(String, String)> {
    let own = tasks.len();
    for task in &monorepo.tasks {
        if graph::find(tasks, &task.name).is_none() {
            tasks.push(task.clone());
        }
    }
    let root_task = |name: &str, tasks: &[Task]| {
        let own_name = name.strip_prefix("//#")?;
        (graph::find(tasks, name).is_none() && graph::find(&tasks[..own], own_name).is_some())
            .then(|| own_name.to_owned())
    };
    for i in own..tasks.len() {
        let mut task = tasks[i].clone();
        for name in dependencies(&mut task) {
            if let Some(own_name) = root_task(name, tasks) {
                *name = own_name;
            }
        }
        tasks[i] = task;
    }
    // The project's own tasks name others in mise's spellings too, as mise resolves
    // them in its monorepo root's file: `:NAME` and `//:NAME` the root's own,
    // `//dir:NAME` the package's there.
    for i in 0..own {
        let mut task = tasks[i].clone();
        for name in dependencies(&mut task) {
            if let Some(found) = root_dependency(name, tasks, own, monorepo) {
                *name = found;
            }
        }
        tasks[i] = task;
    }
    let patterned = |t: &Task| {
        [&t.depends, &t.depends_post, &t.wait_for]
            .into_iter()
            .flatten()
            .any(|d| pattern::is_pattern(d))
    };
    let mut unmatched = Vec::new();
    if !tasks.iter().any(patterned) {
        return unmatched;
    }
    let mut matcher = Matcher::new(&monorepo.workspace, tasks, monorepo.root_in_scope);
    for task in tasks.iter_mut().filter(|t| patterned(t)) {
        let name = task.name.clone();
        for list in [
            &mut task.depends,
            &mut task.depends_post,
            &mut task.wait_for,
        ] {
            let mut out = Vec::with_capacity(list.len());
            for written in list.drain(..) {
                if !pattern::is_pattern(&written) {
                    out.push(written);
                    continue;
                }
                let found = matcher.matches(&written);
                if found.is_empty() {
                    unmatched.push((name.clone(), written));
                    continue;
                }
                // A task is never its own dependency through a pattern that names it.
                out.extend(found.into_iter().filter(|f| *f != name));
            }
            *list = out;
        }
    }
    unmatched
}

/// Says once, through `note`, each task read from a mise file that depends on a name
/// the run resolves to no task, as a mise project read alone says it
/// ([`InPlace::missing`](vx_model::manifest::in_place::InPlace::missing), which leaves
/// a monorepo's to this): judged on `tasks` as [`join`] left them (`//dir:NAME`,
/// `:NAME` and `^NAME` made the tasks they name, a pattern the tasks it matches, or
/// one of `unmatched`), so a reference the run resolves is never said. The tasks read
/// from mise files: the project's own (those before `own`) when its file is one
/// (`root_in_place`), and the packages' of [`Monorepo::in_place`]; a vx.toml's are
/// not judged before they run, as a vx.toml project's are not.
pub(crate) fn say_missing(
    project: &Path,
    tasks: &[Task],
    own: usize,
    root_in_place: bool,
    monorepo: &Monorepo,
    unmatched: &[(String, String)],
    note: &dyn Fn(&str),
) {
    let judged = |i: usize| match i < own {
        true => root_in_place,
        false => monorepo.in_place.contains(&tasks[i].name),
    };
    let mut lines: Vec<(&str, &str)> = graph::unresolved(tasks, judged, project);
    for (task, pattern) in unmatched {
        let judged = tasks
            .iter()
            .position(|t| t.name == *task)
            .is_some_and(judged);
        if judged && !lines.iter().any(|(named, _)| named == task) {
            lines.push((task, pattern));
        }
    }
    let lines: Vec<String> = (lines.into_iter())
        .map(|(task, dependency)| graph::missing_line(task, dependency))
        .collect();
    for line in unsaid(project, &lines) {
        note(&format!("vx: {line}"));
    }
}

/// Each name `task` waits for or runs after (`depends`, `depends_post`, `wait_for`), to
/// be read as the monorepo names it.
fn dependencies(task: &mut Task) -> impl Iterator<Item = &mut String> {
    (task.depends.iter_mut())
        .chain(task.depends_post.iter_mut())
        .chain(task.wait_for.iter_mut())
}

/// What the dependency `written` of one of the project's own tasks (`tasks[..own]`)
/// names when it is written in mise's spellings: `:NAME` and `//:NAME` the project's
/// own `NAME` (`//:NAME`, else the root's package.json script `//#NAME`), `//dir:NAME`
/// the task of the package in `dir`; `None` for any other name, a pattern, or one
/// naming no task (it stays as written, and running it fails naming it).
fn root_dependency(
    written: &str,
    tasks: &[Task],
    own: usize,
    monorepo: &Monorepo,
) -> Option<String> {
    if pattern::is_pattern(written) {
        return None;
    }
    let root_own = written
        .strip_prefix("//:")
        .or_else(|| written.strip_prefix(':').filter(|n| !n.starts_with(':')));
    if let Some(name) = root_own.filter(|n| !n.is_empty()) {
        if let Some(found) = graph::find(&tasks[..own], name) {
            return Some(found.name.clone());
        }
        let script = format!("//#{name}");
        return (written.starts_with("//") && graph::find(tasks, &script).is_some())
            .then_some(script);
    }
    let id = mise_spelling(written, monorepo)?;
    graph::find(tasks, &id).map(|t| t.name.clone())
}

/// The first of `unmatched` ([`join`]'s) whose task the plan runs, as the error a
/// dependency on no task is: `task `PATTERN` (needed by TASK) does not exist`.
pub(crate) fn unmatched(
    unmatched: &[(String, String)],
    tasks: &[Task],
    plan: &graph::Plan,
) -> Result<(), RunError> {
    if unmatched.is_empty() {
        return Ok(());
    }
    let planned: std::collections::HashSet<&str> = (plan.nodes.iter())
        .map(|n| tasks[n.task].name.as_str())
        .collect();
    match unmatched
        .iter()
        .find(|(task, _)| planned.contains(task.as_str()))
    {
        Some((task, pattern)) => Err(GraphError::Unknown {
            name: vx_text::sanitize(pattern).into_owned(),
            path: vec![vx_text::sanitize(task).into_owned()],
            suggestion: None,
        }
        .into()),
        None => Ok(()),
    }
}

/// The packages in scope (indices of the workspace's packages): those `filters`
/// select, else the one `cwd` is in, else every package, the root only where its tasks
/// are turbo's ([`Monorepo::root_in_scope`]).
pub(crate) fn scope(
    monorepo: &Monorepo,
    project: &Path,
    filters: &[String],
    cwd: &Path,
) -> Result<Vec<usize>, RunError> {
    let ws = &monorepo.workspace;
    if !filters.is_empty() {
        let filters: Vec<&str> = filters.iter().map(String::as_str).collect();
        let mut changed = |from: &str, to: Option<&str>| changed(project, monorepo, from, to);
        return vx_workspace::filter::select(ws, &monorepo.graph, &filters, &mut changed)
            .map_err(|e| RunError::Filter(e.to_string()));
    }
    if let Some(here) = here(monorepo, project, cwd) {
        return Ok(vec![here]);
    }
    Ok((0..ws.packages.len())
        .filter(|&i| monorepo.root_in_scope || !ws.packages[i].is_root())
        .collect())
}

/// The package (an index of the workspace's packages) `cwd` is in, the nearest when
/// packages nest; `None` at the root or outside every package.
pub(crate) fn here(monorepo: &Monorepo, project: &Path, cwd: &Path) -> Option<usize> {
    let ws = &monorepo.workspace;
    let rel = cwd.strip_prefix(project).unwrap_or(Path::new(""));
    let here = ws.owners().of(&rel.to_string_lossy().replace('\\', "/"));
    (!ws.packages[here].is_root()).then_some(here)
}

/// Where a run's plain names are looked for: the packages in scope ([`scope`]),
/// whether `--filter` chose them, and the package the command runs in when no
/// `--filter` is given ([`here`]).
pub(crate) struct Scope {
    /// The packages in scope (indices of the workspace's packages).
    pub packages: Vec<usize>,
    /// Whether `--filter` chose them.
    pub filtered: bool,
    /// The package the command runs in, without `--filter`; `None` at the root.
    pub here: Option<usize>,
}

/// `requested` with each name that is no task of the project but a task of packages
/// in scope (`build`) put as those tasks (`web#build`, `ui#build`), in package
/// order, each with the words given; mise's spelling `//apps/web:build` put as the
/// package's task. Inside a package whose own file (vx.toml, mise file) defines the
/// name, that task is the name's even where the root's file defines it too: the
/// nearest definition, as mise's config hierarchy has it (`//:NAME` is still the
/// root's). A name no package in scope has stays as it is (another runner's, or
/// unknown), but for a scope `--filter` chose: there a task of other packages stands
/// for nothing, as turbo runs nothing when its filter selects no package with the
/// task (or no package at all).
pub(crate) fn expand(
    requested: Vec<(String, Vec<OsString>)>,
    tasks: &[Task],
    monorepo: &Monorepo,
    scope: &Scope,
) -> Result<Vec<(String, Vec<OsString>)>, RunError> {
    let ws = &monorepo.workspace;
    let mut matcher = None;
    let mut out = Vec::new();
    for (name, words) in requested {
        // mise's patterns (`//projects/...:build`, `//...:test*`, `//apps/web:*`): the
        // tasks they match, in every package whatever the scope; none is the error
        // naming the pattern, as an unknown name is.
        if pattern::is_pattern(&name) {
            let matcher = matcher.get_or_insert_with(|| {
                Matcher::new(&monorepo.workspace, tasks, monorepo.root_in_scope)
            });
            let found = matcher.matches(&name);
            if found.is_empty() {
                return Err(GraphError::Unknown {
                    name: vx_text::sanitize(&name).into_owned(),
                    path: Vec::new(),
                    suggestion: None,
                }
                .into());
            }
            out.extend(found.into_iter().map(|id| (id, words.clone())));
            continue;
        }
        let root_named = (name.starts_with("//#")).then(|| name.clone());
        if let Some(id) = mise_spelling(&name, monorepo).or(root_named) {
            // `//:NAME` (turbo's `//#NAME`) beside a root vx.toml: the root's own task
            // of that name, where no root package.json script is.
            let id = match id.strip_prefix("//#") {
                Some(own)
                    if graph::find(tasks, &id).is_none() && graph::find(tasks, own).is_some() =>
                {
                    own.to_owned()
                }
                _ => id,
            };
            out.push((id, words));
            continue;
        }
        if let Some(id) = scope
            .here
            .and_then(|here| own_task(tasks, monorepo, here, &name))
        {
            out.push((id, words));
            continue;
        }
        if name.contains('#') || graph::find(tasks, &name).is_some() {
            out.push((name, words));
            continue;
        }
        // mise's `:NAME`: the task of the package in scope (the one the command runs
        // in), as a plain name is.
        let name = match name.strip_prefix(':') {
            Some(name) => name.to_owned(),
            None => name,
        };
        // A package without the script is in the plan as turbo has it (`<NONEXISTENT>`,
        // a task that runs nothing): what it depends on still runs.
        let ids: Vec<String> = (scope.packages.iter())
            .map(|&i| workspace::task_id(&ws.packages[i], &name))
            .filter(|id| graph::find(tasks, id).is_some())
            .collect();
        if ids.is_empty() {
            if !(scope.filtered && package_task(&name, monorepo)) {
                out.push((name, words));
            }
        } else {
            out.extend(ids.into_iter().map(|id| (id, words.clone())));
        }
    }
    Ok(out)
}

/// The name of the task `name` (plain, or mise's `:NAME`) that the own file of the
/// package `here` declares (an alias of one too), if it does.
fn own_task(tasks: &[Task], monorepo: &Monorepo, here: usize, name: &str) -> Option<String> {
    let name = name.strip_prefix(':').unwrap_or(name);
    if name.is_empty() || name.contains('#') || name.starts_with("//") {
        return None;
    }
    let id = workspace::task_id(&monorepo.workspace.packages[here], name);
    let task = graph::find(tasks, &id)?;
    monorepo.own.contains(&task.name).then(|| task.name.clone())
}

/// Whether some package of the monorepo has a task `name` (`web#name`).
fn package_task(name: &str, monorepo: &Monorepo) -> bool {
    monorepo
        .tasks
        .iter()
        .any(|t| workspace::split_id(&t.name).is_some_and(|(_, task)| task == name))
}

/// `//apps/web:build` (mise's monorepo spelling) as `PACKAGE#build`; `//:build` is
/// the root's.
fn mise_spelling(name: &str, monorepo: &Monorepo) -> Option<String> {
    let (dir, task) = name.strip_prefix("//")?.split_once(':')?;
    let dir = dir.trim_end_matches('/');
    let package = monorepo.workspace.packages.iter().find(|p| p.dir == dir)?;
    Some(workspace::task_id(package, task))
}

/// The directories of the packages with a file changed between `from` and `to`
/// (`git diff FROM...TO`; without `to`, since `from` up to the working tree, untracked
/// files included), for `--filter=[REF]`.
fn changed(
    project: &Path,
    monorepo: &Monorepo,
    from: &str,
    to: Option<&str>,
) -> Result<Vec<String>, String> {
    let git = Git::new(project);
    let files = match to {
        Some(to) => git.changed_between(from, to)?,
        None => git.changed_since(from)?,
    };
    let ws = &monorepo.workspace;
    let owners = ws.owners();
    let mut dirs: Vec<String> = files
        .iter()
        .map(|file| ws.packages[owners.of(file)].dir.clone())
        .collect();
    dirs.sort();
    dirs.dedup();
    Ok(dirs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_runs_flags_are_taken_and_the_rest_stay_the_tasks() {
        let mut given = words(&[
            "--filter",
            "web",
            "-v",
            "--filter=ui...",
            "--dry-run",
            "--json",
        ]);
        let flags = take_flags(&mut given);
        assert_eq!(flags.filters, ["web", "ui..."]);
        assert!(flags.dry_run && flags.json);
        assert_eq!(given, words(&["-v"]));
        // Without --dry-run, --json is the task's.
        let mut given = words(&["--json", "-F", "docs"]);
        let flags = take_flags(&mut given);
        assert_eq!(
            (flags.json, flags.filters.as_slice()),
            (false, ["docs".to_owned()].as_slice())
        );
        assert_eq!(given, words(&["--json"]));
        // --affected with and without its base; --exit-code plans only, with --json.
        let mut given = words(&["--affected", "--exit-code", "--json", "x"]);
        let flags = take_flags(&mut given);
        assert_eq!(flags.affected.as_deref(), Some(""));
        assert!(flags.exit_code && flags.plans_only() && flags.json);
        assert_eq!(given, words(&["x"]));
        let flags = take_flags(&mut words(&["--affected=origin/main"]));
        assert_eq!(flags.affected.as_deref(), Some("origin/main"));
        assert!(!flags.plans_only());
    }
}
