//! A mise project read where it stands (docs/guide/projects.md, "A mise project as it
//! stands"): a directory with
//! `mise.toml`/`.mise.toml`, `mise.local.toml`, `.tool-versions` or a single-tool file
//! (`.python-version`, `.nvmrc`, …) and no vx.toml above it is a project, read as mise
//! reads it — tools, `[env]` and its directives, tasks with their includes and file
//! tasks — into a [`Manifest`] held in memory. The team's files stay the source of
//! truth: nothing is written into them, and vx.lock (beside them) is the only file a
//! command writes.
//!
//! The files are read by [`crate::import`], as `vx import` reads them, each tool's name
//! and version mapped by [`crate::import::names::in_place`]; what they list is mapped
//! onto vx's model in memory (`model.rs`: tools, `[env]`, `[settings]` paths,
//! `[tasks]`), each entry through the checks vx.toml's parser gives it, with no vx.toml
//! text written or parsed.
//! What cannot be mapped is kept as a problem line ([`InPlace::problems`]); the
//! command says each once for the files as they are ([`unsaid`]), and the rest works.
//! An `npm:`/`pipx:`/`cargo:`/`go:` entry swapped for a release binary keeps its own
//! backend as the fallback the resolver takes when the binary cannot be had
//! ([`super::RegistryRequest::fallback`]).

use std::path::{Path, PathBuf};

use super::{Manifest, ManifestError};
use crate::import::mise::layout::{self, MAX_CONFD};
use crate::import::{self, Imported};

mod model;
use vx_base::ownership::{self, NotOwn};

/// The line said (once: [`unsaid`]) for the platform's config files in `dir` that mise
/// reads only with `auto_env`, while that setting is unset
/// ([`super::mise_env::Environments::unread`]); `None` when there is none.
fn unread_platform_files(dir: &Path, unread: &[String]) -> Option<String> {
    let present: Vec<String> = unread
        .iter()
        .flat_map(|env| layout::environment_files(env))
        .map(|(name, _, _)| name)
        .filter(|name| dir.join(name).is_file())
        .collect();
    (!present.is_empty()).then(|| {
        format!(
            "{} not read: mise reads a platform's config file only with its auto_env setting, off by default (`auto_env = true` in .miserc.toml, or MISE_AUTO_ENV=1, reads it; `auto_env = false` keeps it unread and this unsaid)",
            present.join(", ")
        )
    })
}

/// The file that makes `name` (one of [`layout::project_names`]) present in `dir`, if
/// it is: the file, or for a directory of mise's, the first config it keeps
/// ([`layout::kept_in`]; a conf.d directory itself).
fn present(dir: &Path, name: &str) -> Option<PathBuf> {
    let mut kept = layout::kept_in(name).peekable();
    if kept.peek().is_none() {
        return Some(dir.join(name)).filter(|file| file.is_file());
    }
    kept.find_map(|file| match file.name.rsplit_once("/*") {
        Some((folder, _)) => Some(dir.join(folder)).filter(|d| d.is_dir()),
        None => Some(dir.join(file.name)).filter(|f| f.is_file()),
    })
}

/// What a project read in place was read from, and what of it vx could not take.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InPlace {
    /// Every file read, absolute where it could be made so: what the toolchain and
    /// the hook depend on beside the project's file.
    pub files: Vec<PathBuf>,
    /// What could not be mapped, a line each (`skipped node system from
    /// .tool-versions:1: …`), in file order.
    pub problems: Vec<String>,
    /// A line for each task that depends on a name no task of the project answers to
    /// (`task test depends on `:build`, which is no task here: …`). Apart from the
    /// problems because the file alone does not say it: in a monorepo (at its root, or
    /// in a package of one) a name such as `//libs/core:build`, `:build` or
    /// `//...:test` is the monorepo's to resolve, so there these are left to `vx run`,
    /// which judges the references as it resolves them ([`super::Manifest::load`]
    /// empties this list there).
    pub missing: Vec<String>,
}

/// Whether `path` names a project read in place (one of [`layout::project_names`]),
/// not a vx.toml.
pub fn is_in_place(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|name| layout::project_names().contains(&name))
}

/// The project file of `dir` when it holds one of mise's files (the first present of
/// [`layout::project_names`]: a file at the top, or a directory of mise's keeping a
/// config, which is then the project's file, so the project is the directory above it,
/// mise's `config_root`, and vx.lock sits there), and the file whose owner decides
/// whether it is the user's project: the file itself, or for a directory of mise's the
/// config it keeps ([`super::search`] judges it).
pub fn project_file(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    layout::project_names()
        .into_iter()
        .find_map(|name| present(dir, name).map(|judged| (dir.join(name), judged)))
}

/// Where vx runs, as a path from the project directory `dir` (`/`-separated; empty
/// at the project's top, or outside it).
fn below_in(dir: &Path) -> String {
    let (Ok(cwd), Ok(dir)) = (std::env::current_dir(), std::fs::canonicalize(dir)) else {
        return String::new();
    };
    let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    match cwd.strip_prefix(&dir) {
        Ok(rel) => rel
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => String::new(),
    }
}

/// The project of the file `path` (one of [`layout::project_names`]) read in place:
/// every file of mise's layout in its directory, read as mise reads it
/// ([`layout::precedence`]), made a manifest at `path`. A file
/// that does not follow its format is the error (nothing is read past it); an entry
/// that cannot be mapped is a problem line and the rest is read.
pub(crate) fn load(path: &Path) -> Result<Manifest, ManifestError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut files = Vec::new();
    let mut lists: Vec<(String, Imported)> = Vec::new();
    let mut outside = Vec::new();
    // MISE_ENV's environments and the platform's (mise's auto_env); the project's
    // miserc files they were read from count as read.
    let envs = super::mise_env::of(dir);
    files.extend(envs.read.iter().cloned());
    outside.extend(unread_platform_files(dir, &envs.unread));
    let (names, cut) = layout::precedence(dir, &envs.names);
    if cut > 0 {
        outside.push(format!(
            ".config/mise/conf.d holds {} files: the first {MAX_CONFD} by name are read, the other {cut} are not",
            MAX_CONFD + cut
        ));
    }
    for (name, format) in &names {
        let file = dir.join(name);
        if !file.is_file() {
            continue;
        }
        // Never through a link out of the project: a cloned repository's
        // `.tool-versions -> ~/.ssh/config` would put another file's lines into vx's
        // messages (and a CI job's log), as a vx.toml's `version_file` is refused. Nor
        // another user's file: a `.tool-versions` someone else put beside the
        // project's file in a shared directory is not the project's.
        match ownership::check(dir, &file) {
            Ok(()) => {}
            Err(NotOwn::Outside { real, .. }) => {
                outside.push(format!(
                    "{name} is a link out of the project ({}): not read",
                    real.display()
                ));
                continue;
            }
            Err(NotOwn::Foreign { path, uid }) => {
                let shown = path.strip_prefix(dir).unwrap_or(&path);
                outside.push(format!(
                    "{} is owned by another user (uid {uid}): not read",
                    shown.display()
                ));
                continue;
            }
        }
        let (imported, _) = import::read_all(&file, *format)?;
        files.push(std::path::absolute(&file).unwrap_or(file));
        lists.push((name.clone(), imported));
    }
    // Without a mise.toml, mise still reads the default file-task directories.
    let configured = lists
        .iter()
        .any(|(name, _)| name.ends_with(".toml") && !import::is_personal(Path::new(name)));
    if !configured {
        let tasks = import::mise::file_tasks(dir);
        if !tasks.is_empty() {
            lists.push((
                "mise's file tasks".to_owned(),
                Imported {
                    scripts: tasks,
                    ..Imported::default()
                },
            ));
        }
    }
    // mise also reads the task directories of each directory from where it runs up
    // to the project: a task of one of them is run over the project's of its name.
    let below = below_in(dir);
    if !below.is_empty() {
        let tasks = import::mise::file_tasks_below(dir, &below);
        if !tasks.is_empty() {
            lists.insert(
                0,
                (
                    format!("{below}'s file tasks"),
                    Imported {
                        scripts: tasks,
                        ..Imported::default()
                    },
                ),
            );
        }
    }
    import::mise::settle_optional(&mut lists);
    let invalid = |problem: super::Problem| ManifestError::Invalid {
        path: path.into(),
        location: None,
        problem,
    };
    let (tools, mut problems) = model::tools(&lists).map_err(invalid)?;
    problems.splice(0..0, outside);
    for (file, list) in &lists {
        for (what, line) in &list.not_honoured {
            let at = line.map_or_else(|| file.clone(), |l| format!("{file}:{l}"));
            problems.push(format!(
                "not honoured, from {at}: {}",
                vx_text::sanitize(what)
            ));
        }
    }
    let (environment, mut more) = model::environment(&lists).map_err(invalid)?;
    problems.append(&mut more);
    let missing = model::missing(dir, &environment.tasks);
    let mut manifest = Manifest::empty(path);
    manifest.platforms = super::platform::default_set();
    manifest.tools = tools;
    manifest.environment = environment;
    mise_task_env(&mut manifest);
    manifest.in_place = Some(InPlace {
        files,
        problems,
        missing,
    });
    Ok(manifest)
}

/// The variables mise gives every task of the project (mise.jdx.dev, "Tasks",
/// "Environment variables"): `MISE_PROJECT_ROOT` and `MISE_CONFIG_ROOT` (the project
/// directory) and `MISE_TASK_NAME`, first in each task's `env` so the task's own
/// entries win. A script that reads them (`${MISE_PROJECT_ROOT:?must be set by mise}`)
/// runs as under mise.
fn mise_task_env(manifest: &mut Manifest) {
    use crate::task::EnvVar;
    for task in &mut manifest.environment.tasks {
        let given = [
            ("MISE_PROJECT_ROOT", "{project}", false),
            ("MISE_CONFIG_ROOT", "{project}", false),
            ("MISE_TASK_NAME", task.name.as_str(), true),
        ]
        .map(|(name, value, literal)| EnvVar {
            name: name.to_owned(),
            value: Some(value.to_owned()),
            line: task.line,
            literal,
        });
        task.env.splice(0..0, given);
        (task.given_env)
            .extend(["MISE_PROJECT_ROOT", "MISE_CONFIG_ROOT", "MISE_TASK_NAME"].map(String::from));
    }
}

/// The lines of `manifest`'s problems ([`InPlace::problems`], then
/// [`InPlace::missing`]) not said before for its
/// files as they are now, each recorded as said (in `said`, vx's data directory's
/// `said/`, by the SHA-256 of the project, the files' contents and the line), so a
/// command says each once, and again once a file changes. Without a data directory
/// every line is new.
pub fn unsaid(manifest: &Manifest, said: Option<&Path>) -> Vec<String> {
    use sha2::Digest;
    let Some(in_place) = &manifest.in_place else {
        return Vec::new();
    };
    let mut files = sha2::Sha256::new();
    files.update(manifest.path.to_string_lossy().as_bytes());
    for file in &in_place.files {
        files.update(file.to_string_lossy().as_bytes());
        let bytes = vx_base::bounded_read::read(file, import::MAX_IMPORT_BYTES).unwrap_or_default();
        files.update(sha2::Sha256::digest(&bytes));
    }
    let mut out = Vec::new();
    for line in in_place.problems.iter().chain(&in_place.missing) {
        let mut key = files.clone();
        key.update(line.as_bytes());
        if first_time(said, &hex::encode(key.finalize())) {
            out.push(line.clone());
        }
    }
    out
}

/// Whether what `key` (a hex digest) stands for is said for the first time: recorded
/// as said (a marker file named by the key in `said`, [`said_dir`]) when it is. With no
/// directory to record it in, it is always the first time.
pub fn first_time(said: Option<&Path>, key: &str) -> bool {
    let Some(dir) = said else {
        return true;
    };
    let marker = dir.join(&key[..key.len().min(32)]);
    if marker.exists() {
        return false;
    }
    let _ = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&marker, b""));
    true
}

/// Where [`unsaid`] records what was said: `<data dir>/vx/said`.
pub fn said_dir() -> Option<PathBuf> {
    vx_base::platform::fs::data_dir().map(|d| d.join("vx").join("said"))
}
