//! `vx run`, one operation: [`prepare`] (a [`Request`] to what runs, [`Prepared`]) and
//! [`execute`] (a graph run once, or again on each change with `--watch`), in
//! `run/entry.rs`. The steps they take, in order, are this file's private functions:
//! the project's tasks (vx.toml's, then the file tasks of `.vx/tasks/`, then the
//! justfile's recipes and package.json's scripts no task shadows), the ones the command
//! line names with their arguments (its words read in `run/words.rs`) and the plan they
//! make (`choose`); a service another
//! run of the project has up already refused (`services_free`); the toolchain the tasks
//! need, installed when allowed, and what every task's process starts with (`shell`);
//! the runner's jobs and options (`jobs`, `options`, `sink`) or the lone task run in
//! the foreground (`foreground`); `--watch`'s runs again (`watch`); and how a run's
//! outcome becomes an exit code ([`exit_code`], [`cancelled`]). Nothing here prints:
//! what there is to say goes to the caller's [`Say`] (or `note`).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::session::Session;
use vx_engine::store::{self, StoreError};
use vx_model::manifest::{Manifest, ManifestError};
use vx_model::project_env::env_file::EnvFileError;
use vx_model::task::Task;
use vx_model::task::foreign::{self, Foreign};
use vx_model::task::graph::{self, GraphError, Plan};
use vx_project::toolchain::{Request as ToolRequest, RequestError, ToolchainError};
use vx_sync::Settings;
use vx_tasks::args;
use vx_tasks::cache::{Document, Results, ToolPin};
use vx_tasks::command::{Keyed, Own, Shell};
use vx_tasks::events::Phase;
use vx_tasks::events::board_sink::BoardSink;
use vx_tasks::events::{Fanout, TaskSink};
use vx_tasks::output::{Mode, Printer};
use vx_tasks::runner::{Job, JobCache, Launcher, Options, Outcome};
use vx_tasks::watch::{Change, Unwatched, Watch};

use super::target::{Say, Target, TargetError};

mod affected;
mod entry;
mod git;
mod listing;
mod monorepo;
mod task_env;
mod words;
pub use affected::{AffectedError, Base, Reason};
pub use entry::{
    Answer, Ended, Graph, Lone, PlanRow, Planned, Prepared, Request, Shown, execute, prepare,
};
pub use listing::{Described, described, listed};
pub use monorepo::Flags;

/// Why tasks cannot be chosen or prepared.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The file tasks cannot be read.
    #[error(transparent)]
    Files(ManifestError),
    /// A task is both in vx.toml and a file task.
    #[error(
        "task `{name}` is both in {} (line {line}) and a file task ({file}): rename one",
        manifest.display()
    )]
    Twice {
        /// The task.
        name: String,
        /// vx.toml.
        manifest: PathBuf,
        /// Its line there.
        line: usize,
        /// The file task.
        file: String,
    },
    /// The task is mise's, and vx.toml does not have it: no other runner's task of
    /// that name runs in its place.
    #[error(
        "`{name}` is a task of {file} that {} does not have{}; vx runs no other runner's task in its place: `vx import` brings mise's tasks into vx.toml",
        manifest.display(),
        why_not.as_ref().map(|why| format!(" (vx cannot take it as written: {why})")).unwrap_or_default()
    )]
    Mise {
        /// The task.
        name: String,
        /// vx.toml.
        manifest: PathBuf,
        /// The mise file that has it.
        file: String,
        /// Why `vx import` cannot take it, when it cannot.
        why_not: Option<String>,
    },
    /// The task is in the mise project read in place, and vx cannot take it as
    /// written: no other runner's task of that name runs in its place.
    #[error(
        "`{name}` is a task of {file} that vx cannot run as written ({why}); vx runs no other runner's task in its place"
    )]
    MiseInPlace {
        /// The task.
        name: String,
        /// The mise file that has it.
        file: String,
        /// Why vx cannot take it.
        why: String,
    },
    /// A glob on the command line that matches no task of the project.
    #[error("no task matches `{glob}` in {}; `vx run` lists them", manifest.display())]
    NoMatch {
        /// The glob as given.
        glob: String,
        /// vx.toml, or the directory of a project read in place.
        manifest: PathBuf,
    },
    /// The project has no task of that name.
    #[error("no task `{name}` in {}; {hint}", manifest.display())]
    Unknown {
        /// The name asked for.
        name: String,
        /// vx.toml, or the directory of a project read in place.
        manifest: PathBuf,
        /// A similar name, or where the tasks are listed.
        hint: String,
    },
    /// The plan cannot be made.
    #[error("{0}")]
    Plan(#[from] GraphError),
    /// The tasks' dependencies form a cycle.
    #[error("the tasks' dependencies form a cycle: {}", .0.join(" → "))]
    Cycle(Vec<String>),
    /// The monorepo's workspace, turbo.json or a package's own vx.toml or mise file
    /// cannot be read.
    #[error("{0}")]
    Monorepo(String),
    /// A `--filter` that cannot be read or evaluated, or given outside a monorepo.
    #[error("{0}")]
    Filter(String),
    /// `--affected` cannot tell what changed.
    #[error(transparent)]
    Affected(#[from] AffectedError),
    /// The run's flags do not go together.
    #[error("{0}")]
    Flag(String),
    /// A task's arguments, or its commands made of them, are not what it takes.
    #[error(transparent)]
    Args(vx_tasks::args::ArgsError),
    /// A task of a mise project read in place run without a required argument: the
    /// task failing, as mise fails it (exit 1), not vx's usage error.
    #[error(transparent)]
    MiseArgs(vx_tasks::args::ArgsError),
    /// A task of the plan whose usage spec mise refuses: the run fails before anything
    /// runs (exit 1), as mise's check of the tasks fails it.
    #[error("task `{task}` cannot run: {why}; nothing ran, as under mise")]
    MiseRefused {
        /// The task (sanitized).
        task: String,
        /// Why (sanitized).
        why: String,
    },
    /// A service of the plan runs already in another `vx run` of this project.
    #[error(
        "{name} is already running in this project (vx run, pid {pid}): `vx logs -f {name}` follows it, `vx ps` lists it"
    )]
    Running {
        /// The service (sanitized).
        name: String,
        /// That run's process.
        pid: u32,
    },
    /// The store cannot be used.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The toolchain cannot be assembled.
    #[error(transparent)]
    Toolchain(#[from] ToolchainError),
    /// What the tasks need could not be installed.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// The project's env files cannot be read.
    #[error(transparent)]
    Declared(#[from] EnvFileError),
    /// `--watch` of tasks without `sources`.
    #[error("--watch follows the tasks' `sources`, and none of these tasks has any")]
    NoSources,
    /// The project cannot be watched (the machine's).
    #[error("cannot watch {}: {error}", project.display())]
    Watch {
        /// The project's directory.
        project: PathBuf,
        /// Why (said in the message, as the watcher words it).
        error: Box<notify::Error>,
    },
    /// A watched run's thread panicked.
    #[error("the run's thread panicked")]
    Panicked,
    /// The session has no project.
    #[error(transparent)]
    Session(#[from] crate::session::SessionError),
    /// The user's config.toml does not read: its settings (the task cache's
    /// repository) are not left out without a word.
    #[error(transparent)]
    UserConfig(std::sync::Arc<vx_model::user_config::UserConfigError>),
    /// A task's `confirm` question was answered no: nothing ran.
    #[error("task `{task}` not confirmed: nothing ran")]
    NotConfirmed {
        /// The task.
        task: String,
    },
    /// A task asks its `confirm` question and no one can answer it.
    #[error("task `{task}` asks \"{question}\" and there is no terminal to answer: pass --yes")]
    Unanswered {
        /// The task.
        task: String,
        /// Its question (sanitized).
        question: String,
    },
    /// A task's own `tools` are not `NAME = VERSION` requests.
    #[error("task `{task}`'s tools: {source}")]
    TaskTools {
        /// The task.
        task: String,
        /// Why.
        #[source]
        source: Box<RequestError>,
    },
}

impl RunError {
    /// Whether the project or the command line is at fault (exit 2): all but a
    /// service already running (the machine's state) and the toolchain's errors, which
    /// say for themselves.
    pub(crate) fn is_usage(&self) -> bool {
        !matches!(
            self,
            RunError::Running { .. }
                | RunError::Toolchain(_)
                | RunError::Target(_)
                | RunError::Watch { .. }
                | RunError::Panicked
                | RunError::Session(_)
                | RunError::NotConfirmed { .. }
                | RunError::MiseArgs(_)
                | RunError::MiseRefused { .. }
                // A task's `dir` missing on this machine is the task failing (exit 1,
                // as mise fails it), not vx.toml's error: the manifest is well formed.
                | RunError::Args(
                    vx_tasks::args::ArgsError::NotADirectory { .. }
                        | vx_tasks::args::ArgsError::Script { .. }
                )
        )
    }
}

/// The tasks a run chose: every task of the project (file tasks and the foreign ones
/// named), what the command line asked for, the plan and each task's arguments.
struct Chosen {
    /// The project's tasks.
    pub tasks: Vec<Task>,
    /// The run's flags as asked, before the task's name or (in a monorepo) after it.
    pub asked: monorepo::Flags,
    /// With `--affected`: the base, and why each selected task is.
    pub affected: Option<affected::Selection>,
    /// The tasks named, each with its words.
    pub requested: Vec<(String, Vec<OsString>)>,
    /// The plan.
    pub plan: Plan,
    /// Each planned task's argument values.
    pub values: Vec<args::Values>,
    /// The other runners' tasks named (a justfile's recipe, a package.json script),
    /// each with the program that runs it (`just`, `npm`, `pnpm`, `yarn`, `bun`).
    pub foreign: Vec<(String, String)>,
}

/// What the command line asks of the tasks.
enum Choice {
    /// No task named: these are the project's tasks (hidden ones included), the
    /// foreign ones after its own.
    List(Vec<Task>),
    /// A task's `--help`: its help text.
    Help(String),
    /// Tasks to run.
    Run(Box<Chosen>),
}

/// The manifest's tasks, then the file tasks of `.vx/tasks/` (a name both have is
/// an error).
fn all_tasks(manifest: &Manifest, project: &Path) -> Result<Vec<Task>, RunError> {
    let mut tasks = manifest.environment.tasks.clone();
    for file_task in vx_model::manifest::task_files::discover(project).map_err(RunError::Files)? {
        if let Some(other) = graph::find(&tasks, &file_task.name) {
            return Err(RunError::Twice {
                name: file_task.name.clone(),
                manifest: manifest.path.clone(),
                line: other.line,
                file: file_task.file.clone().unwrap_or_default(),
            });
        }
        tasks.push(file_task);
    }
    Ok(tasks)
}

/// The error for a task `name` that the project does not have, or a glob that
/// matches none of its tasks (exit 2), naming vx.toml, or for a project read in place
/// (its file may be a `.nvmrc` beside a workspace's package.json) the project's
/// directory.
fn unknown(name: &str, manifest: &Manifest, tasks: &[Task]) -> RunError {
    let in_place = manifest.in_place.is_some();
    let dir = manifest.path.parent().filter(|_| in_place);
    let manifest_named = dir.map_or_else(|| manifest.path.clone(), Path::to_path_buf);
    if vx_base::glob::is_glob(name) {
        return RunError::NoMatch {
            glob: name.to_owned(),
            manifest: manifest_named,
        };
    }
    let hint = match graph::similar(tasks, name) {
        Some(similar) => format!("did you mean `{}`?", similar.name),
        None if tasks.is_empty() && in_place => "it has no tasks".to_owned(),
        None if tasks.is_empty() => "it has no [tasks]".to_owned(),
        None => "`vx run` lists them".to_owned(),
    };
    RunError::Unknown {
        name: name.to_owned(),
        manifest: manifest_named,
        hint,
    }
}

/// What a project has to run: its tasks (vx.toml's, its file tasks, and at a
/// monorepo's root its packages'), the monorepo, the package dependencies that match
/// no task (`monorepo::join`), the other runners' tasks that no task shadows, and what
/// reading their files had to say.
struct Known {
    tasks: Vec<Task>,
    monorepo: Option<vx_model::manifest::workspace::Monorepo>,
    unmatched: Vec<(String, String)>,
    foreign: Vec<Foreign>,
    notes: Vec<String>,
}

/// What the project of `manifest` at `project` has to run ([`Known`]); `--filter`
/// (`flags`) outside a monorepo is refused.
fn known(
    manifest: &Manifest,
    project: &Path,
    flags: &monorepo::Flags,
    note: &dyn Fn(&str),
) -> Result<Known, RunError> {
    let mut tasks = all_tasks(manifest, project)?;
    // A monorepo's root: its packages' tasks too (`web#build`), and the root's own
    // package.json scripts only as the monorepo names them (`//#lint`), never as
    // another runner's scripts of their plain names.
    let monorepo = monorepo::read(project, note)?;
    let mut unmatched = Vec::new();
    if let Some(monorepo) = &monorepo {
        let own = tasks.len();
        unmatched = monorepo::join(&mut tasks, monorepo);
        // A mise file's tasks (not a vx.toml's, nor those of a root with no file of vx's
        // or mise's).
        let root_in_place = vx_model::manifest::in_place::is_in_place(&manifest.path);
        monorepo::say_missing(
            project,
            &tasks,
            own,
            root_in_place,
            monorepo,
            &unmatched,
            note,
        );
    } else if !flags.filters.is_empty() {
        return Err(RunError::Filter(format!(
            "--filter selects a monorepo's packages, and {} is no monorepo's root \
             (no turbo.json, pnpm-workspace.yaml or package.json `workspaces`)",
            project.display()
        )));
    }
    // The justfile's recipes and package.json's scripts that no task shadows: listed,
    // and run when named (they join the run by name only, never through a glob).
    let (foreign, notes) = foreign::discover(project);
    let foreign: Vec<Foreign> = foreign
        .into_iter()
        .filter(|f| monorepo.is_none() || !matches!(f.source, foreign::Source::Package(_)))
        .collect();
    // In a mise project read in place, a task of mise's that vx cannot take is not
    // listed as another runner's script of its name either.
    let foreign: Vec<Foreign> = foreign
        .into_iter()
        .filter(|f| graph::find(&tasks, &f.name).is_none())
        .filter(|f| manifest.in_place.is_none() || foreign::mise_task(project, &f.name).is_none())
        .collect();
    Ok(Known {
        tasks,
        monorepo,
        unmatched,
        foreign,
        notes,
    })
}

/// What the command line (`first` and the words after it, or no task, and `given`,
/// its `--task-env` variables) asks of the project of `manifest` at `project`. What the foreign runners' files say (one that
/// cannot be read) goes to `note` when the tasks are listed or a name is unknown.
fn choose(
    manifest: &Manifest,
    project: &Path,
    first: Option<&str>,
    rest: &[OsString],
    flags: &monorepo::Flags,
    given: &[(String, String)],
    note: &dyn Fn(&str),
) -> Result<Choice, RunError> {
    let Known {
        mut tasks,
        monorepo,
        unmatched,
        foreign,
        notes,
    } = known(manifest, project, flags, note)?;
    let say_notes = || notes.iter().for_each(|n| note(&format!("vx: {n}")));
    let Some(first) = first else {
        say_notes();
        listing::in_listing_order(manifest, &mut tasks);
        tasks.extend(foreign.iter().map(Foreign::task));
        return Ok(Choice::List(tasks));
    };
    // The words after a `--` are the tasks' as they are: no flag, no `--help`.
    let named = words::Named::read(first, rest);
    let unread = named.help_passed_through();
    let words::Named {
        tasks: mut requested,
        trailing,
    } = named;
    // In a monorepo, the run's flags written after a task's name, as turbo takes them.
    let mut flags = flags.clone();
    if monorepo.is_some() {
        for (_, words) in &mut requested {
            flags.add(monorepo::take_flags(words));
        }
    }
    if flags.exit_code && flags.affected.is_none() {
        return Err(RunError::Flag(
            "--exit-code answers --affected: pass --affected too".to_owned(),
        ));
    }
    let requested = match &monorepo {
        Some(monorepo) => {
            let cwd = std::env::current_dir().unwrap_or_else(|_| project.to_owned());
            let filtered = !flags.filters.is_empty();
            let scope = monorepo::Scope {
                packages: monorepo::scope(monorepo, project, &flags.filters, &cwd)?,
                filtered,
                here: (!filtered)
                    .then(|| monorepo::here(monorepo, project, &cwd))
                    .flatten(),
            };
            monorepo::expand(requested, &tasks, monorepo, &scope)?
        }
        None => words::globbed(requested, &tasks),
    };
    let runners = adopt_foreign(
        &requested, &mut tasks, &foreign, manifest, project, &say_notes,
    )?;
    for (name, words) in &requested {
        let task = graph::find(&tasks, name).expect("found above");
        if !task.raw_args && args::wants_help(task, words) {
            return Ok(Choice::Help(args::help(task)));
        }
    }
    let mut requested = words::Named::joined(requested, &trailing);
    task_env::give(&mut tasks, &requested, given);
    let names: Vec<String> = requested.iter().map(|(n, _)| n.clone()).collect();
    let mut plan = Plan::build(&tasks, &names)?;
    monorepo::unmatched(&unmatched, &tasks, &plan)?;
    if let Some(cycle) = graph::cycle(&tasks) {
        return Err(RunError::Cycle(cycle));
    }
    // `--affected`: of the tasks named, those a change can affect, with what they need.
    let affected = match &flags.affected {
        Some(base) => {
            let selection = affected::select(
                project,
                &tasks,
                &plan,
                monorepo.as_ref(),
                &own_global_inputs(manifest, project),
                base,
                &|name: &str| std::env::var(name).ok(),
            )?;
            requested.retain(|(name, _)| {
                graph::find(&tasks, name)
                    .and_then(|t| tasks.iter().position(|x| x.name == t.name))
                    .is_some_and(|i| selection.reasons.contains_key(&i))
            });
            let names: Vec<String> = requested.iter().map(|(n, _)| n.clone()).collect();
            plan = Plan::build(&tasks, &names)?;
            Some(selection)
        }
        None => None,
    };
    // A task whose usage spec mise refuses fails the run before anything runs.
    let planned = plan.nodes.iter().map(|node| &tasks[node.task]);
    if let Some((task, why)) = planned
        .filter_map(|task| Some((task, task.refused.as_ref()?)))
        .next()
    {
        return Err(RunError::MiseRefused {
            task: vx_text::sanitize(&task.name).into_owned(),
            why: vx_text::sanitize(why).into_owned(),
        });
    }
    let values = argument_values(&mut plan, &tasks, &requested, manifest, unread)?;
    Ok(Choice::Run(Box::new(Chosen {
        tasks,
        requested,
        plan,
        values,
        foreign: runners,
        asked: flags,
        affected,
    })))
}

/// The requested names no task has, each taken from another runner's file (a justfile
/// recipe, a package.json script: added to `tasks`, and returned with its runner), or
/// refused: a mise task vx could not take, or no task of that name at all.
fn adopt_foreign(
    requested: &[(String, Vec<OsString>)],
    tasks: &mut Vec<Task>,
    foreign: &[Foreign],
    manifest: &Manifest,
    project: &Path,
    say_notes: &dyn Fn(),
) -> Result<Vec<(String, String)>, RunError> {
    let mut runners = Vec::new();
    for (name, _) in requested {
        if graph::find(tasks, name).is_some() {
            continue;
        }
        // A mise user's task is theirs: never a justfile's or package.json's instead.
        if let Some(mise) = foreign::mise_task(project, name) {
            if manifest.in_place.is_some() {
                return Err(RunError::MiseInPlace {
                    name: name.clone(),
                    file: mise.file,
                    why: mise
                        .why_not
                        .unwrap_or_else(|| "vx could not take it".to_owned()),
                });
            }
            return Err(RunError::Mise {
                name: name.clone(),
                manifest: manifest.path.clone(),
                file: mise.file,
                why_not: mise.why_not,
            });
        }
        let Some(found) = foreign.iter().find(|f| f.name == *name) else {
            say_notes();
            let known: Vec<Task> = (tasks.iter().cloned())
                .chain(foreign.iter().map(Foreign::task))
                .collect();
            return Err(unknown(name, manifest, &known));
        };
        tasks.push(found.task());
        runners.push((found.name.clone(), found.runner().to_owned()));
    }
    Ok(runners)
}

/// Each planned task's argument values: the words given after it (the others: their
/// `env` variable's value, else defaults); with `unread` (`-- --help`), a named task's
/// words passed on as they are ([`args::unread`]). A node a dependency gave words of
/// its own ([`graph::Node::called`]) gets those, the asking task's arguments in them
/// filled in first ([`task_env::fill_call`]), never the command line's.
fn argument_values(
    plan: &mut Plan,
    tasks: &[Task],
    requested: &[(String, Vec<OsString>)],
    manifest: &Manifest,
    unread: bool,
) -> Result<Vec<args::Values>, RunError> {
    // The project's environment, read when an argument of the plan takes a variable.
    let reads = |task: &Task| task.args.iter().any(|arg| arg.env.is_some());
    let environment = match plan.nodes.iter().any(|node| reads(&tasks[node.task])) {
        true => {
            let declared = super::target::declared(Some(manifest))?;
            Some((declared.changes(), declared.project))
        }
        false => None,
    };
    let count = plan.nodes.len();
    let mut values: Vec<Option<args::Values>> = (0..count).map(|_| None).collect();
    // A dependency's words that are the asking task's arguments (`{{target}}`) are
    // filled in from that task's values, read first.
    for templated in [false, true] {
        let order: Vec<usize> = match templated {
            false => (0..count).collect(),
            true => (0..count).rev().collect(),
        };
        for n in order {
            if task_env::templated(&plan.nodes[n]) != templated {
                continue;
            }
            if templated {
                task_env::fill_call(plan, n, tasks, &values);
            }
            let node = &plan.nodes[n];
            let words = match node.called() {
                true => Some(node.words.iter().map(OsString::from).collect::<Vec<_>>()),
                false => (requested.iter())
                    .find(|(r, _)| {
                        graph::find(tasks, r).is_some_and(|t| t.name == tasks[node.task].name)
                    })
                    .map(|(_, w)| w.clone()),
            };
            let task = task_env::of_node(tasks, node);
            let unread = unread && !node.called();
            values[n] = Some(node_values(
                &task,
                words.as_deref(),
                &environment,
                manifest,
                unread,
            )?);
        }
    }
    Ok(values.into_iter().flatten().collect())
}

/// The argument values of `task` given `words` (none: not named on the command line,
/// its defaults), read as `unread` says ([`argument_values`]).
fn node_values(
    task: &Task,
    words: Option<&[OsString]>,
    environment: &Option<(vx_model::project_env::Changes, PathBuf)>,
    manifest: &Manifest,
    unread: bool,
) -> Result<args::Values, RunError> {
    // `-- --help`: a named task's words passed on unread, as mise passes them (a
    // task that declares no arguments passes them on, or places them, anyway); a
    // `raw_args` task's always, named or not, as mise reads no usage of it (its
    // `$usage_NAME` unset even when no word is given).
    if !task.args.is_empty() && (task.raw_args || unread && words.is_some()) {
        return args::unread(task, words.unwrap_or(&[])).map_err(RunError::Args);
    }
    let words = words.unwrap_or(&[]);
    let lookup = |var: &str| seen_by(task, environment, var);
    args::parse(task, words, &lookup).map_err(|e| match e {
        e if manifest.in_place.is_some() && mise_usage_error(&e) => RunError::MiseArgs(e),
        e => RunError::Args(e),
    })
}

/// Whether `e` is one of the words a mise task's usage does not take, which mise fails
/// as the task failing (exit 1: `unexpected word: --zz`, `Missing required arg: <x>`,
/// `Invalid flag `--name`: requires an argument`), where a vx.toml task's is vx's
/// usage error (exit 2).
fn mise_usage_error(e: &args::ArgsError) -> bool {
    matches!(
        e,
        args::ArgsError::Missing { .. }
            | args::ArgsError::NoOption { .. }
            | args::ArgsError::NoShort { .. }
            | args::ArgsError::TooMany { .. }
            | args::ArgsError::NeedsValue { .. }
            | args::ArgsError::TakesNoValue { .. }
            | args::ArgsError::FlagValue { .. }
    )
}

/// The value `task` sees of the variable `var`: its own `env`, over the project's
/// (`environment`: its `[env]` and env files), over the environment vx runs in, as
/// its commands see it. (A tool's own variables, known once the toolchain is, are
/// not among them.)
fn seen_by(
    task: &Task,
    environment: &Option<(vx_model::project_env::Changes, PathBuf)>,
    var: &str,
) -> Option<String> {
    let outer = |name: &str| match environment.as_ref().and_then(|(p, _)| p.value(name)) {
        Some(value) => value.map(str::to_owned),
        None => std::env::var(name).ok(),
    };
    let dir = environment
        .as_ref()
        .map_or(Path::new("."), |(_, dir)| dir.as_path());
    let own = vx_model::project_env::Changes::of(&task.env, dir, &outer);
    match own.value(var) {
        Some(value) => value.map(str::to_owned),
        None => outer(var),
    }
}

/// A plain project's files a change of which may change every task (`--affected`):
/// its manifest and lock, relative to the project.
fn own_global_inputs(manifest: &Manifest, project: &Path) -> Vec<String> {
    let mut global = vec![vx_model::manifest::LOCK_FILE.to_owned()];
    if let Ok(rel) = manifest.path.strip_prefix(project) {
        global.push(rel.to_string_lossy().replace('\\', "/"));
    }
    global
}

/// A service of the plan that another `vx run` of this project has up already (the
/// board in `board_dir` says so): an error naming it and that run, rather than a
/// second copy that fails on its port.
fn services_free(
    plan: &Plan,
    tasks: &[Task],
    manifest: &Manifest,
    board_dir: &Path,
) -> Result<(), RunError> {
    let services: Vec<String> = plan
        .nodes
        .iter()
        .map(|node| &tasks[node.task])
        .filter(|task| task.service)
        .map(|task| task.name.clone())
        .collect();
    if services.is_empty() {
        return Ok(());
    }
    let running = vx_sync::report::boards::services_running(
        board_dir,
        &manifest.path.display().to_string(),
        &services,
    );
    match running.first() {
        None => Ok(()),
        Some((name, pid)) => Err(RunError::Running {
            name: vx_text::sanitize(name).into_owned(),
            pid: *pid,
        }),
    }
}

/// How the tasks' toolchain is installed.
pub struct Install<'a> {
    /// `--store`.
    pub store: Option<&'a Path>,
    /// `--offline`: install nothing, reach no network.
    pub offline: bool,
    /// `--no-install`: install nothing.
    pub no_install: bool,
    /// How installs report.
    pub settings: &'a Settings,
    /// What the installs have to say.
    pub say: &'a dyn Say,
}

impl<'a> Install<'a> {
    /// The exec target installing `requests` (none: the project's tools) this way.
    fn target(&self, session: &'a Session, requests: &'a [ToolRequest]) -> Target<'a> {
        Target {
            session,
            requests,
            store: self.store,
            offline: self.offline,
            no_install: self.no_install,
            sources: None,
            settings: self.settings,
            say: self.say,
            on_path: session.manifest().is_some_and(|m| m.in_place.is_some()),
        }
    }
}

/// The programs `run` lines start with (after `NAME=value` assignments): the tools
/// they need.
fn programs<'t>(runs: impl Iterator<Item = &'t String>) -> Vec<OsString> {
    runs.filter_map(|run| run.split_whitespace().find(|word| !word.contains('=')))
        .map(OsString::from)
        .collect()
}

/// The toolchain of the planned tasks ready (installing what is missing when
/// `install` allows) and what every task's process gets from it: the project's, and
/// for a task with its own `tools`, those first on its PATH.
fn shell(
    session: &Session,
    manifest: &Manifest,
    chosen: &Chosen,
    install: &Install<'_>,
) -> Result<Shell, RunError> {
    let Chosen { tasks, plan, .. } = chosen;
    let store = store::locate(install.store.map(Path::to_path_buf))?;
    let chain = session.toolchain(&[], &store)?;
    let wanted = programs(plan.nodes.iter().flat_map(|n| tasks[n.task].run.iter()));
    let chain = install.target(session, &[]).ready(chain, &store, &wanted)?;
    let network = session
        .options(true)
        .offline(install.offline || install.no_install);
    match super::target::ensure_venv(Some(manifest), &chain, &store, &network) {
        Ok(Some(line)) => install.say.note(&line),
        Ok(None) => {}
        Err(why) => install.say.note(&format!("vx: {why}")),
    }
    let inherited = std::env::var_os("PATH");
    let declared = super::target::declared(Some(manifest))?.with_tools(chain.env());
    // Another runner's task needs that runner: said before it fails with `not found`.
    let path = declared.search_path(&chain.bin_dirs(), inherited.as_deref());
    for (task, runner) in &chosen.foreign {
        if vx_project::toolchain::search::find(std::ffi::OsStr::new(runner), &path).is_none() {
            install.say.note(&format!(
                "vx: {task} is {}'s task, and {runner} is not installed: `vx use {runner}` adds it to the project",
                match runner.as_str() {
                    "just" => "the justfile",
                    _ => "package.json",
                }
            ));
        }
    }
    // A task's own `tools`: installed as `vx exec TOOL@VERSION` installs them, first on
    // that task's PATH only.
    let mut own = Vec::new();
    for task in plan.nodes.iter().map(|n| &tasks[n.task]) {
        if task.tools.is_empty() {
            continue;
        }
        let requests = task
            .tools
            .iter()
            .map(|(name, version)| format!("{name}@{version}").parse::<ToolRequest>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|source| RunError::TaskTools {
                task: task.name.clone(),
                source: Box::new(source),
            })?;
        let target = install.target(session, &requests);
        let chain = match target
            .toolchain(&store)
            .and_then(|chain| target.ready(chain, &store, &programs(task.run.iter())))
        {
            Ok(chain) => chain,
            // A mise project's task whose own tools cannot be had (offline, say, and
            // not resolved before) runs with what is on PATH, as mise runs it and as
            // the project's missing tools are treated.
            Err(why) if target.on_path => {
                install.say.note(&format!(
                    "vx: running `{}` without its own tools: {}",
                    vx_text::sanitize(&task.name),
                    vx_text::sanitize(&why.to_string())
                ));
                continue;
            }
            Err(why) => return Err(why.into()),
        };
        let mut dirs: Vec<PathBuf> = chain
            .tools
            .iter()
            .filter(|tool| task.tools.iter().any(|(name, _)| *name == tool.name))
            .flat_map(|tool| tool.bin_dirs())
            .collect();
        for dir in chain.bin_dirs() {
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        let declared = super::target::declared(Some(manifest))?.with_tools(chain.env());
        own.push((
            task.name.clone(),
            Own {
                path: declared.search_path(&dirs, inherited.as_deref()),
                changes: declared.changes(),
                tools: pins(&chain),
            },
        ));
    }
    Ok(Shell {
        path: declared.search_path(&chain.bin_dirs(), inherited.as_deref()),
        changes: declared.changes(),
        project: declared.project.clone(),
        manifest: std::path::absolute(&manifest.path).unwrap_or_else(|_| manifest.path.clone()),
        own,
        keyed: Keyed {
            env: manifest.environment.vars.clone(),
            tools: pins(&chain),
            platform: vx_model::manifest::platform::Platform::current().to_string(),
            salt: manifest.environment.task_cache.salt.clone(),
        },
        scripts: Default::default(),
        offline: install.offline,
        ledger: vx_tasks::runner::ledger::Ledger::for_run(),
    })
}

/// The tools of `chain` as a task's key names them: each by its lock entry for this
/// platform (URL and checksum), not its version string.
fn pins(chain: &vx_project::toolchain::Toolchain) -> BTreeMap<String, ToolPin> {
    chain
        .tools
        .iter()
        .map(|tool| {
            let pin = match &tool.spec {
                Some(spec) => ToolPin {
                    url: spec.url.clone(),
                    sha256: spec
                        .sha256
                        .as_ref()
                        .map(|h| format!("sha256:{h}"))
                        .or_else(|| spec.integrity.clone())
                        .or_else(|| spec.h1.clone()),
                },
                None => ToolPin {
                    url: format!("store:{}", tool.version),
                    sha256: None,
                },
            };
            (tool.name.clone(), pin)
        })
        .collect()
}

/// How long a stopped task has between SIGINT/SIGTERM and SIGKILL.
pub(crate) const GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// The runner's jobs: each planned task of `chosen` with its commands (made by `shell`
/// of its argument values), when it declares `sources` their stamp under `project`,
/// and its part in the results cache: a key for each, and `results` for those whose
/// results are kept (`sources`, not `cache = false`, not a service);
/// restored unless `force`.
fn jobs(
    project: &Path,
    chosen: &Chosen,
    shell: &Shell,
    results: Option<&Arc<Results>>,
    force: bool,
) -> Result<Vec<Job>, RunError> {
    let Chosen {
        tasks,
        plan,
        values,
        ..
    } = chosen;
    let labels = plan.labels(tasks);
    (plan.nodes.iter().zip(values).zip(labels))
        .map(|((node, values), label)| {
            let task = task_env::of_node(tasks, node);
            let task = task.as_ref();
            Ok(Job {
                name: task.name.clone(),
                call: node.called().then(|| node.shown(tasks)),
                label,
                commands: shell.commands(task, values).map_err(RunError::Args)?,
                service: task.service,
                ready: task.ready.clone(),
                timeout: task.timeout,
                stamp: vx_tasks::runner::fresh::Stamp::new(
                    project,
                    &task.name,
                    &task.sources,
                    &task.outputs,
                ),
                cache: Some(JobCache {
                    recipe: shell.recipe(task, values),
                    results: results.filter(|_| cacheable(task)).map(Arc::clone),
                    restore: !force,
                    document: None,
                }),
                once: shell.once(task, values),
            })
        })
        .collect()
}

/// Whether `task`'s results are kept by their key: it declares `sources`, is no
/// service, and does not say `cache = false`. One without `outputs` (a test, a lint)
/// is kept as its log and status.
fn cacheable(task: &Task) -> bool {
    task.cache && !task.service && !task.sources.is_empty()
}

/// The documents of the keys of `jobs` (made by [`jobs`] for `chosen`) as they are
/// now, in plan order, each with its dependencies' keys: what `--explain-key` prints.
fn key_documents(chosen: &Chosen, jobs: &[Job]) -> Vec<(String, Document)> {
    let mut keys: Vec<Option<String>> = vec![None; jobs.len()];
    let mut out = Vec::new();
    for (i, (node, job)) in chosen.plan.nodes.iter().zip(jobs).enumerate() {
        let Some(cache) = &job.cache else { continue };
        let depends = node
            .after
            .iter()
            .filter_map(|&a| Some((jobs[a].keyed_as().to_owned(), keys[a].clone()?)))
            .collect();
        let document = cache.recipe.document(depends);
        keys[i] = Some(document.key());
        out.push((job.keyed_as().to_owned(), document));
    }
    out
}

/// The task a run of `chosen` runs as `[scripts]` always did, in the foreground
/// ([`vx_tasks::foreground`]): the one planned task, when it has no dependency,
/// is no service, has no `sources` and no `timeout` (the runner keeps its time), and
/// the run is `plain` (no output flag, no `--watch`, no `--tui`).
fn foreground(chosen: &Chosen, plain: bool) -> Option<&Task> {
    let [node] = chosen.plan.nodes.as_slice() else {
        return None;
    };
    let task = &chosen.tasks[node.task];
    let lone = !task.service && task.sources.is_empty() && task.timeout.is_none();
    (plain && lone && !task.depends_only()).then_some(task)
}

/// How the runner runs `chosen`'s tasks: at most `jobs` at once (default: the
/// machine's parallelism), services kept running at the end when only services (or
/// tasks that only depend) were asked for, through the guard on Unix.
fn options(chosen: &Chosen, jobs: Option<usize>, keep_going: bool, force: bool) -> Options {
    let keep_services = chosen.requested.iter().all(|(name, _)| {
        graph::find(&chosen.tasks, name).is_some_and(|t| t.service || t.depends_only())
    });
    Options {
        jobs: jobs.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        }),
        keep_going,
        grace: GRACE,
        force,
        keep_services,
        launcher: launcher(),
    }
}

/// How tasks' commands start: through the guard on Unix (the running image of vx
/// itself), directly on Windows (a Job Object ends the tree).
fn launcher() -> Launcher {
    if cfg!(unix)
        && let Ok(exe) = std::env::current_exe()
    {
        return Launcher::Guard { exe };
    }
    Launcher::Direct
}

/// The names of `chosen`'s quiet tasks (`quiet = true`): their output is not shown.
fn quiet(chosen: &Chosen) -> Vec<String> {
    chosen
        .tasks
        .iter()
        .filter(|t| t.quiet)
        .map(|t| t.name.clone())
        .collect()
}

/// Where a run without a live view reports: its board first (`vx ps`, `vx logs -f`,
/// `vx board watch` and the daemon read the run there, in place, labelled with the
/// manifest's path `label`, and kept in `keep` once it finished), then the printer of
/// `mode` (the quiet tasks' output left out) for a run of at most `jobs` tasks at once.
fn sink(
    label: &str,
    keep: Option<PathBuf>,
    mode: Mode,
    quiet: Vec<String>,
    jobs: usize,
) -> Arc<dyn TaskSink> {
    Arc::new(Fanout(vec![
        Box::new(
            BoardSink::new(
                vx_shm::registry::default_dir(),
                label.to_owned(),
                vx_shm::DEFAULT_RING_CAPACITY,
            )
            .keeping(keep),
        ),
        Box::new(Printer::new(mode, quiet).jobs(jobs)),
    ]))
}

/// A run of jobs: to the end, or until its stop flag is set (woken by the channel).
type Execute<'a> =
    dyn Fn(Vec<Job>, Arc<AtomicBool>, &crossbeam_channel::Receiver<()>) -> Outcome + Sync + 'a;

/// `--watch`: runs `first` (the jobs of `chosen`), and runs again (its [`jobs`] made
/// anew through `shell`, with `results` unless `force`) when one of the planned tasks' `sources` under `project` changes, cancelling a run
/// in progress, until Ctrl-C (`interrupt`), which ends it with `Ok`. `done` hears
/// each run's outcome that ended by itself; `note` what there is to say meanwhile.
#[allow(clippy::too_many_arguments)]
fn watch(
    project: &Path,
    chosen: &Chosen,
    shell: &Shell,
    results: Option<&Arc<Results>>,
    force: bool,
    first: Vec<Job>,
    execute: &Execute<'_>,
    interrupt: &vx_base::signals::Interrupt,
    done: &dyn Fn(&Outcome),
    note: &dyn Fn(&str),
) -> Result<(), RunError> {
    let globs: Vec<String> = chosen
        .plan
        .nodes
        .iter()
        .flat_map(|n| chosen.tasks[n.task].sources.iter().cloned())
        .collect();
    if globs.is_empty() {
        return Err(RunError::NoSources);
    }
    let watch = Watch::new(project, globs, unwatched(chosen, results)).map_err(|error| {
        RunError::Watch {
            project: project.to_path_buf(),
            error: Box::new(error),
        }
    })?;
    let mut next = Some(first);
    loop {
        let jobs = match next.take() {
            Some(jobs) => jobs,
            None => {
                // A run again: nothing of it has run yet.
                if let Some(ledger) = &shell.ledger {
                    ledger.next_run();
                }
                jobs(project, chosen, shell, results, force)?
            }
        };
        let cancel = Arc::new(AtomicBool::new(false));
        let (wake, woken) = crossbeam_channel::bounded(1);
        let (done_tx, finished) = crossbeam_channel::bounded(1);
        let (outcome, change) = std::thread::scope(|scope| {
            let cancel_flag = Arc::clone(&cancel);
            let execute = &execute;
            let run = scope.spawn(move || {
                let outcome = execute(jobs, cancel_flag, &woken);
                let _ = done_tx.send(());
                outcome
            });
            let change = watch.next(interrupt.woken(), Some(&finished));
            if change != Change::Done {
                cancel.store(true, Ordering::Relaxed);
                let _ = wake.try_send(());
            }
            (run.join(), change)
        });
        let outcome = outcome.map_err(|_| RunError::Panicked)?;
        let change = match change {
            Change::Done => {
                done(&outcome);
                note("vx: watching the tasks' sources; Ctrl-C to stop");
                watch.next(interrupt.woken(), None)
            }
            other => other,
        };
        match change {
            Change::File(path) => note(&format!("vx: {} changed: running again", path.display())),
            _ => return Ok(()),
        }
    }
}

/// What the runs of `--watch` write themselves, which never starts them again: the
/// planned tasks' `outputs`, and vx's own directories (its data, where task state is
/// kept; its cache, with the results and their scratch; the boards, which a run writes
/// while it runs; the temporary directory, where the run's ledger and script files
/// go), for when one lies in the project.
fn unwatched(chosen: &Chosen, results: Option<&Arc<Results>>) -> Unwatched {
    let outputs = chosen
        .plan
        .nodes
        .iter()
        .flat_map(|n| chosen.tasks[n.task].outputs.iter().cloned())
        .collect();
    let mut dirs: Vec<PathBuf> = [
        vx_base::platform::fs::data_dir().map(|d| d.join("vx")),
        vx_base::platform::fs::cache_dir(),
        results
            .and_then(|r| r.local.as_ref())
            .map(|l| l.dir().to_owned()),
        Some(vx_shm::registry::default_dir()),
    ]
    .into_iter()
    .flatten()
    .collect();
    dirs.push(std::env::temp_dir());
    Unwatched { outputs, dirs }
}

/// What a run that did not end well stopped and cancelled, and why, in words; `None`
/// when it cancelled nothing.
pub fn cancelled(outcome: &Outcome) -> Option<String> {
    if outcome.cancelled.is_empty() {
        return None;
    }
    let named = |running: bool| -> Vec<String> {
        outcome
            .cancelled
            .iter()
            .filter(|c| c.1 == running)
            .map(|c| format!("`{}`", vx_text::sanitize(&c.0)))
            .collect()
    };
    let (running, waiting) = (named(true), named(false));
    let why = if outcome.interrupted {
        "interrupted".to_owned()
    } else {
        outcome
            .first_failure
            .as_ref()
            .map_or("a task failed".to_owned(), |f| {
                format!("`{}` failed", vx_text::sanitize(&f.0))
            })
    };
    let mut parts = Vec::new();
    if !running.is_empty() {
        parts.push(format!("stopped {} (running)", running.join(", ")));
    }
    if !waiting.is_empty() {
        parts.push(format!("cancelled {} (not started)", waiting.join(", ")));
    }
    Some(format!("{}: {why}", parts.join("; ")))
}

/// A run's exit code: 0; the first failed task's code (1 when it had none); 130 when
/// interrupted.
pub fn exit_code(outcome: &Outcome) -> i32 {
    if outcome.interrupted {
        return vx_base::exit::INTERRUPTED;
    }
    if let Some((_, code, _)) = &outcome.first_failure {
        return match code {
            Some(c) if *c != 0 => *c,
            _ => vx_base::exit::FAILED,
        };
    }
    if outcome.phases.contains(&Phase::Failed) || outcome.phases.contains(&Phase::Cancelled) {
        return vx_base::exit::FAILED;
    }
    vx_base::exit::OK
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // A run whose tasks cannot be chosen or prepared.
    RunError => |e| {
        use crate::run::RunError;
        match e {
            RunError::Target(e) => e.into(),
            RunError::Toolchain(e) => e.into(),
            RunError::Session(e) => e.into(),
            e @ RunError::NotConfirmed { .. } => Error::with_code(FAILED, e),
            e => by_kind(e.is_usage(), e),
        }
    };
}
