//! The lists of other managers' files ([`crate::import::Imported`]) written into the
//! text of a vx.toml by `vx import`: mise's `[env]` into `[env]`, its `_.path`,
//! `_.file` and `_.python.venv` into `[settings]`, its tasks into `[tasks]`, through
//! [`super::edit`] (comments and existing entries kept), the text then read by the
//! strict parser. A project read in place maps the same lists onto vx's model in
//! memory instead ([`super::in_place`]), through the parser's own checks of each
//! entry; a test there holds a task mapped both ways to the same result. Nothing here
//! prints: each entry's fate is a line in the [`Draft`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use vx_text::sanitize;

use super::edit;
use super::{Manifest, Problem};
use crate::import::{EnvValue, Imported, ImportedScript};

/// vx.toml's text as it is being written (`path`), a line for each entry, how many
/// entries were skipped for a reason, and those lines with the others worth saying
/// where nobody reads the lines of an import (a project read in place).
pub struct Draft<'p> {
    /// The manifest the text is for (its directory is the project's).
    pub path: &'p Path,
    /// The text so far.
    pub text: String,
    /// What happened to each entry, in order.
    pub lines: Vec<String>,
    /// Entries skipped for a reason that is not "already listed".
    pub failed: usize,
    /// The lines of what could not be taken as written (skipped for a reason, a
    /// task's keys left out, a dependency that is no task), in order.
    pub problems: Vec<String>,
}

impl<'p> Draft<'p> {
    /// A draft of `text` for the manifest at `path`.
    pub fn new(path: &'p Path, text: String) -> Draft<'p> {
        Draft {
            path,
            text,
            lines: Vec::new(),
            failed: 0,
            problems: Vec::new(),
        }
    }

    /// An entry skipped for a reason: said, counted, and a problem.
    fn fail(&mut self, line: String) {
        self.failed += 1;
        self.problems.push(line.clone());
        self.lines.push(line);
    }
}

/// The text could not take an edit.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct EditFailed {
    /// The manifest the text is for.
    pub path: PathBuf,
    /// Why.
    #[source]
    pub source: edit::EditError,
}

/// What makes an edit error of the manifest at `path`.
fn edit_error(path: &Path) -> impl Fn(edit::EditError) -> EditFailed + Copy + '_ {
    move |source| EditFailed {
        path: path.to_owned(),
        source,
    }
}

/// Imports the variables of `lists` into `text`'s `[env]`, a line for each in
/// `lines`; returns how many were added.
pub fn import_env(draft: &mut Draft<'_>, lists: &[(&str, Imported)]) -> Result<usize, EditFailed> {
    let edit_error = edit_error(draft.path);
    let mut env_added = 0usize;
    let mut env_seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (file, list) in lists {
        for var in &list.env {
            let name = sanitize(&var.name);
            let at = match var.line {
                Some(line) => format!("{file}:{line}"),
                None => (*file).to_owned(),
            };
            let value = match &var.value {
                Ok(value) => value,
                Err(why) => {
                    draft.fail(format!(
                        "skipped env {name} from {at}: {}",
                        sanitize(&why.to_string())
                    ));
                    continue;
                }
            };
            if let Some(first) = env_seen.get(var.name.as_str()) {
                draft.lines.push(format!(
                    "skipped env {name} from {at}: imported from {first}, which comes first"
                ));
                continue;
            }
            env_seen.insert(&var.name, file);
            let set = match value {
                EnvValue::Set(v) => Some(v.as_str()),
                EnvValue::Unset => None,
            };
            let (new_text, added) =
                edit::add_env(&draft.text, &var.name, set).map_err(edit_error)?;
            if added {
                draft.text = new_text;
                env_added += 1;
                draft.lines.push(format!("imported env {name} from {file}"));
            } else {
                draft.lines.push(format!(
                    "skipped env {name} from {at}: vx.toml sets it already; left as it is"
                ));
            }
        }
    }
    Ok(env_added)
}

/// Imports mise's `_.path`, `_.file` and `_.python.venv` of `lists` into `text`'s
/// `[settings]`, a line for each in `lines`; returns how many were added.
pub fn import_settings(
    draft: &mut Draft<'_>,
    lists: &[(&str, Imported)],
) -> Result<usize, EditFailed> {
    let edit_error = edit_error(draft.path);
    let mut paths_added = 0usize;
    // mise's `_.path`, `_.file` and `_.python.venv` (or a python's `virtualenv`):
    // project-relative entries of `[settings]`.
    type Add = fn(&str, &str) -> Result<(String, bool), edit::EditError>;
    for (file, list) in lists {
        let settings: [(&str, &str, &_, Add); 3] = [
            ("path", "path", &list.path, edit::add_path),
            // mise skips a `_.file` that is not there (a fresh clone's `.env`).
            (
                "env file",
                "env_file",
                &list.env_files,
                edit::add_optional_env_file,
            ),
            (
                "virtual environment",
                "python_venv",
                &list.python_venv,
                edit::set_python_venv,
            ),
        ];
        for (what, key, entries, add) in settings {
            for (written, item, line) in entries {
                let at = match line {
                    Some(line) => format!("{file}:{line}"),
                    None => (*file).to_owned(),
                };
                match item {
                    Err(why) => draft.fail(format!(
                        "skipped {what} {} from {at}: {}",
                        sanitize(written),
                        sanitize(&why.to_string())
                    )),
                    Ok(item) => {
                        let (new_text, added) = add(&draft.text, item).map_err(edit_error)?;
                        if added {
                            draft.text = new_text;
                            paths_added += 1;
                            draft.lines.push(format!(
                                "imported {what} {} from {file} into [settings] {key}",
                                sanitize(item)
                            ));
                        }
                    }
                }
            }
        }
    }
    Ok(paths_added)
}

/// mise's tasks added to `text`'s `[tasks]`, each said in `lines`; a task vx cannot
/// hold (`failed` counts it) or whose entry vx.toml would refuse (a name, a dependency
/// not imported) is skipped with its reason. Tasks are tried again while any is added,
/// so one may depend on a task written after it. Returns how many were added.
pub fn import_scripts(
    draft: &mut Draft<'_>,
    lists: &[(&str, Imported)],
) -> Result<usize, EditFailed> {
    let path = draft.path;
    // mise's optional dependencies, settled against every file's tasks.
    let mut lists = lists.to_vec();
    crate::import::mise::settle_optional(&mut lists);
    let lists = &lists[..];
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    let mut pending: Vec<Pending<'_>> = Vec::new();
    for (file, list) in lists {
        for entry in &list.scripts {
            let name = sanitize(&entry.name);
            let at = entry.at(file);
            match &entry.script {
                Err(why) => draft.fail(format!(
                    "skipped task {name} from {at}: {}",
                    sanitize(&why.to_string())
                )),
                Ok(_) if seen.contains_key(entry.name.as_str()) => draft.lines.push(format!(
                    "skipped task {name} from {at}: imported from {}, which comes first",
                    sanitize(seen[entry.name.as_str()])
                )),
                Ok(script) => {
                    // A file task's own file, else the config file holding it.
                    let from = entry.file.as_deref().unwrap_or(file);
                    seen.insert(&entry.name, from);
                    pending.push((entry, script, at, from));
                }
            }
        }
    }
    // The manifest's cap, applied before anything is written: the tasks past it are
    // said once, not tried one by one against a text that can hold none of them.
    let cap = super::MAX_TASKS;
    if pending.len() > cap {
        let cut = pending.len() - cap;
        pending.truncate(cap);
        draft.failed += cut;
        let line = format!(
            "{cut} more tasks not imported: a vx.toml holds at most {cap} (the first {cap} are)"
        );
        draft.problems.push(line.clone());
        draft.lines.push(line);
    }
    // Tasks vx.toml has already are left as they are.
    let (_, new) = edit::add_scripts(&draft.text, &batch(&pending)).map_err(edit_error(path))?;
    if new.iter().any(|n| !n) {
        let mut kept = Vec::with_capacity(pending.len());
        for (task, is_new) in pending.into_iter().zip(new) {
            if is_new {
                kept.push(task);
            } else {
                draft.lines.push(format!(
                    "skipped task {} from {}: vx.toml has a task of that name already; left as it is",
                    sanitize(&task.0.name),
                    task.2
                ));
            }
        }
        pending = kept;
    }
    // All at once, in one parse that leaves out (and says) each task vx.toml would
    // refuse, however many: never a parse per task (issue 78, item 6: 2,500 tasks and
    // one refused took 41 s).
    let (mut all, _) =
        edit::add_scripts(&draft.text, &batch(&pending)).map_err(edit_error(path))?;
    if all.len() as u64 > super::MAX_MANIFEST_BYTES {
        let fits = fitting(&draft.text, &pending).map_err(edit_error(path))?;
        let cut = pending.len() - fits;
        pending.truncate(fits);
        draft.failed += cut;
        let line = format!(
            "{cut} more tasks not imported: the first {fits} fill a vx.toml's {} bytes",
            super::MAX_MANIFEST_BYTES
        );
        draft.problems.push(line.clone());
        draft.lines.push(line);
        all = edit::add_scripts(&draft.text, &batch(&pending))
            .map_err(edit_error(path))?
            .0;
    }
    let (parsed, spared) = Manifest::parse_sparing_tasks(path, &all);
    let names: std::collections::HashSet<&str> =
        pending.iter().map(|task| task.0.name.as_str()).collect();
    let ours = |name: &str| names.contains(name);
    let parsed_whole = match &parsed {
        Ok(_) => true,
        Err(e) => e.problem() == Some(&Problem::NoTools),
    };
    if !parsed_whole || spared.iter().any(|s| !ours(&s.name)) {
        // Not the tasks' doing (a vx.toml `vx import` writes into, whose own tasks
        // clash with these): task by task, as before.
        return one_by_one(draft, pending);
    }
    if !spared.is_empty() {
        let refused: BTreeMap<&str, &str> = spared
            .iter()
            .map(|s| (s.name.as_str(), s.problem.as_str()))
            .collect();
        let mut kept = Vec::with_capacity(pending.len());
        for task in pending {
            match refused.get(task.0.name.as_str()) {
                Some(why) => draft.fail(format!(
                    "skipped task {} from {}: {}",
                    sanitize(&task.0.name),
                    task.2,
                    sanitize(why)
                )),
                None => kept.push(task),
            }
        }
        pending = kept;
        all = edit::add_scripts(&draft.text, &batch(&pending))
            .map_err(edit_error(path))?
            .0;
    }
    draft.text = all;
    let mut imported: Vec<&str> = Vec::new();
    for (entry, script, at, file) in &pending {
        let name = sanitize(&entry.name);
        let ignored = left_out(draft, &name, at, script);
        draft.lines.push(format!(
            "imported task {name} from {}{ignored}",
            sanitize(file)
        ));
        imported.push(entry.name.as_str());
    }
    missing_dependencies(draft, &imported);
    Ok(pending.len())
}

/// A task waiting to be written: its entry, its script, where it was read (`file:line`)
/// and its file.
type Pending<'l> = (
    &'l crate::import::ScriptEntry,
    &'l ImportedScript,
    String,
    &'l str,
);

/// The tasks of `pending` as [`edit::add_scripts`] takes them.
fn batch<'l>(pending: &[Pending<'l>]) -> Vec<(&'l str, &'l ImportedScript)> {
    pending
        .iter()
        .map(|(entry, script, _, _)| (entry.name.as_str(), *script))
        .collect()
}

/// How many of `pending`'s first tasks `text` can take within a vx.toml's size (a
/// search over the count: a few writes of the text, not one per task).
fn fitting(text: &str, pending: &[Pending<'_>]) -> Result<usize, edit::EditError> {
    let (mut fits, mut over) = (0, pending.len());
    while over - fits > 1 {
        let mid = fits + (over - fits) / 2;
        let (all, _) = edit::add_scripts(text, &batch(&pending[..mid]))?;
        match all.len() as u64 > super::MAX_MANIFEST_BYTES {
            true => over = mid,
            false => fits = mid,
        }
    }
    Ok(fits)
}

/// The tasks of `pending` added one at a time, each kept when the text still parses:
/// for what one parse of them all cannot tell apart (a vx.toml's own tasks among them).
fn one_by_one(draft: &mut Draft<'_>, mut pending: Vec<Pending<'_>>) -> Result<usize, EditFailed> {
    let path = draft.path;
    let mut added = 0;
    let mut imported: Vec<&str> = Vec::new();
    loop {
        let mut refused = Vec::new();
        let before = pending.len();
        for (entry, script, at, file) in pending {
            let name = sanitize(&entry.name);
            let (new_text, is_new) =
                edit::add_script(&draft.text, &entry.name, script).map_err(edit_error(path))?;
            if !is_new {
                draft.lines.push(format!(
                    "skipped task {name} from {at}: vx.toml has a task of that name already; left as it is"
                ));
                continue;
            }
            match Manifest::parse(path, &new_text) {
                Err(e) if e.problem() != Some(&Problem::NoTools) => {
                    refused.push((entry, script, at, file, e.to_string()));
                }
                _ => {
                    draft.text = new_text;
                    added += 1;
                    let ignored = left_out(draft, &name, &at, script);
                    draft.lines.push(format!(
                        "imported task {name} from {}{ignored}",
                        sanitize(file)
                    ));
                    imported.push(entry.name.as_str());
                }
            }
        }
        if refused.is_empty() || refused.len() == before {
            for (entry, _, at, _, why) in refused {
                draft.fail(format!(
                    "skipped task {} from {at}: {}",
                    sanitize(&entry.name),
                    sanitize(&why)
                ));
            }
            missing_dependencies(draft, &imported);
            return Ok(added);
        }
        pending = refused
            .into_iter()
            .map(|(entry, script, at, file, _)| (entry, script, at, file))
            .collect();
    }
}

/// What a task taken leaves out (its keys vx has no counterpart for), as the end of
/// its line (` (… left out)`), and a problem of `draft`; empty when nothing is.
fn left_out(draft: &mut Draft<'_>, name: &str, at: &str, script: &ImportedScript) -> String {
    if script.ignored.is_empty() {
        return String::new();
    }
    let left_out = format!(
        "vx has no counterpart for {}: left out",
        sanitize(&script.ignored.join(", "))
    );
    draft
        .problems
        .push(format!("task {name} from {at}: {left_out}"));
    format!(" ({left_out})")
}

/// A line for each imported task (`imported`, by name) that depends on a task vx.toml
/// (its `text` at `path`) does not have: it is imported all the same, listed, and
/// fails when run, naming the missing one, as mise takes it.
fn missing_dependencies(draft: &mut Draft<'_>, imported: &[&str]) {
    let Ok(manifest) = Manifest::parse(draft.path, &draft.text) else {
        return;
    };
    let project = draft.path.parent().unwrap_or(Path::new("."));
    let tasks = &manifest.environment.tasks;
    let names = crate::task::graph::Names::of(tasks);
    let imported: std::collections::HashSet<&str> = imported.iter().copied().collect();
    for task in tasks.iter().filter(|t| imported.contains(t.name.as_str())) {
        let missing = names.missing(task, project);
        // A monorepo's spellings (`^build`, `web#build`, `//apps/web:build`) name tasks
        // of other packages, which a monorepo's package file leaves to the monorepo.
        let missing: Vec<&str> = (missing.into_iter())
            .filter(|name| !(name.starts_with('^') || name.starts_with("//") || name.contains('#')))
            .filter(|name| {
                name.strip_prefix(':')
                    .is_none_or(|own| names.position(own).is_none())
            })
            .collect();
        if let Some(first) = missing.first() {
            let line = format!(
                "task {} depends on `{}`, which is no task here: it is listed, and running it fails naming it (as in mise)",
                sanitize(&task.name),
                sanitize(first)
            );
            draft.problems.push(line.clone());
            draft.lines.push(line);
        }
    }
}
