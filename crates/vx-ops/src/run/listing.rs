//! `vx tasks`: the project's tasks as `vx run` knows them, without running any: all
//! of them ([`listed`], what `vx run` alone and `vx tasks ls` show) or one with where
//! it comes from ([`described`], `vx tasks info NAME`, as mise's `tasks info`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::session::Session;
use vx_model::manifest::Manifest;
use vx_model::task::Task;
use vx_model::task::foreign::{Foreign, Source};
use vx_model::task::graph;

use super::{Known, RunError};

/// One task as `vx tasks info` shows it.
pub struct Described {
    /// The task.
    pub task: Task,
    /// The file it comes from: a file task's own file, the justfile or package.json of
    /// another runner's task, else the project's file (vx.toml, or the mise file of a
    /// project read in place); none for a monorepo's package task.
    pub source: Option<PathBuf>,
}

/// The project's tasks as `vx tasks ls` lists them (hidden ones too: the caller
/// chooses), the other runners' that no task shadows after its own, each with the file
/// it comes from, in [`in_listing_order`]. What their files say (one that cannot be
/// read) goes to `note`.
pub fn listed(session: &Session, note: &dyn Fn(&str)) -> Result<Vec<Described>, RunError> {
    let (manifest, project) = opened(session)?;
    let Known {
        mut tasks,
        foreign,
        notes,
        ..
    } = super::known(manifest, &project, &super::Flags::default(), note)?;
    in_listing_order(manifest, &mut tasks);
    notes.iter().for_each(|n| note(&format!("vx: {n}")));
    let own = tasks.into_iter().map(|task| Described {
        source: source(&task, manifest, &project),
        task,
    });
    let others = foreign.iter().map(|f| Described {
        task: f.task(),
        source: Some(project.join(foreign_file(f))),
    });
    Ok(own.chain(others).collect())
}

/// `tasks` (of `manifest`) in the order a listing shows them: a vx.toml's in its
/// order; a mise project's read in place by name, as `mise tasks ls` sorts them (by
/// the names' bytes: `Beta`, `_x`, `a10`, `a9`, `m`, `m-a`, `m:b`), its file tasks
/// among the others.
pub(super) fn in_listing_order(manifest: &Manifest, tasks: &mut [Task]) {
    if manifest.in_place.is_some() {
        tasks.sort_by(|a, b| a.name.cmp(&b.name));
    }
}

/// The task called (or aliased) `name`, with the file it comes from; a name the
/// project has no task of is the error `vx run NAME` gives (exit 2, "did you mean").
pub fn described(
    session: &Session,
    name: &str,
    note: &dyn Fn(&str),
) -> Result<Described, RunError> {
    let (manifest, project) = opened(session)?;
    let Known {
        mut tasks,
        foreign,
        notes,
        ..
    } = super::known(manifest, &project, &super::Flags::default(), note)?;
    let say_notes = || notes.iter().for_each(|n| note(&format!("vx: {n}")));
    let requested: [(String, Vec<OsString>); 1] = [(name.to_owned(), Vec::new())];
    super::adopt_foreign(
        &requested, &mut tasks, &foreign, manifest, &project, &say_notes,
    )?;
    let task = graph::find(&tasks, name)
        .ok_or_else(|| super::unknown(name, manifest, &tasks))?
        .clone();
    let source = match foreign.iter().find(|f| f.name == task.name) {
        Some(f) => Some(project.join(foreign_file(f))),
        None => source(&task, manifest, &project),
    };
    Ok(Described { task, source })
}

/// The file a task of the project's own (`task`, of `manifest` at `project`) comes
/// from: a file task's file (vx.toml's `file =`, or a mise file task's own), the
/// TOML file of a task directory or an include that defines it, else the project's
/// file; none for a monorepo's package task.
fn source(task: &Task, manifest: &Manifest, project: &Path) -> Option<PathBuf> {
    match task.file.as_ref().or(task.defined_in.as_ref()) {
        Some(file) => Some(project.join(file)),
        None if vx_model::manifest::workspace::split_id(&task.name).is_some() => None,
        None => Some(manifest.path.clone()),
    }
}

/// The session's project and its directory.
fn opened(session: &Session) -> Result<(&Manifest, PathBuf), RunError> {
    let manifest = session.project()?;
    let project = manifest
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    Ok((manifest, project))
}

/// The file another runner's task comes from, relative to the project.
fn foreign_file(task: &Foreign) -> &str {
    match &task.source {
        Source::Just(file) => file,
        Source::Package(_) => "package.json",
    }
}
