//! `vx run [FLAGS] [TASK [ARGS...] [::: TASK [ARGS...]]...]`: runs tasks of vx.toml's
//! `[tasks]` (`[scripts]` is their old name) and the project's file tasks
//! (`.vx/tasks/`), with what they depend on, in parallel ([`vx::tasks`]); alone, lists
//! them. Missing tools are installed first, as for `vx exec` (unless `--offline`,
//! `--no-install` or `[settings] auto_install = false`).
//!
//! A run of one task with no dependency, no service, no `sources` and no output flag
//! runs it as `[scripts]` always did: its last command replaces `vx` (the terminal's
//! foreground process, Ctrl-C reaches it, its exit status is `vx run`'s). Anything
//! else goes through the runner: each task's output shown as `--output` says, a
//! failure stopping the run (named, with what it cancelled), Ctrl-C stopping every
//! task's whole process tree (exit 130).
//!
//! Tasks are reached only through `vx run`: their names never shadow vx's commands.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use std::sync::atomic::AtomicBool;
use vx::exit::{Because, Error};
use vx::manifest::Manifest;
use vx::tasks::args;
use vx::tasks::board_sink::BoardSink;
use vx::tasks::command::{Own, Shell};
use vx::tasks::events::{Fanout, Phase, TaskSink};
use vx::tasks::foreign::{self, Foreign};
use vx::tasks::graph::{self, Plan};
use vx::tasks::model::Task;
use vx::tasks::output::{Mode, Printer};
use vx::tasks::runner::{self, Job, Launcher, Options};
use vx::tasks::views::{self, Live, Viewing};
use vx::tasks::watch::{Change, Watch};
use vx_tui::text::sanitize;

use crate::cli::{ScriptArgs, TaskGuardArgs};
use vx::ops::target::Target;

/// How long a stopped task has between SIGINT/SIGTERM and SIGKILL.
const GRACE: std::time::Duration = std::time::Duration::from_secs(3);
/// Redraws a second of the live views.
const FPS: u32 = 15;
/// Separates tasks on the command line (mise's spelling).
const NEXT_TASK: &str = ":::";

/// Runs `vx run`.
pub fn run(args: &ScriptArgs) -> Result<i32, Error> {
    // The one call that opens the project.
    let session = super::open(
        &vx::session::Opening::new(args.project.manifest.as_deref(), vx::session::Want::Project)
            .offline(args.offline),
    )?;
    let manifest = session.project().map_err(super::session_error)?.clone();
    let project = manifest
        .path
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let Some(Chosen {
        tasks,
        requested,
        plan,
        values,
    }) = chosen(args, &manifest, &project)?
    else {
        return Ok(vx::exit::OK);
    };
    already_running(&plan, &tasks, &manifest)?;
    confirm(&plan, &tasks, args.yes)?;
    let shell = prepare(args, &session, &manifest, &plan, &tasks)?;
    let mode = match (args.json, args.output.as_deref()) {
        (true, _) => Some(Mode::Json),
        (_, Some("prefix")) => Some(Mode::Prefix),
        (_, Some("grouped")) => Some(Mode::Grouped),
        (_, Some("quiet")) => Some(Mode::Quiet),
        _ => None,
    };
    let jobs = || -> Result<Vec<Job>, Error> {
        plan.nodes
            .iter()
            .zip(&values)
            .map(|(node, values)| {
                let task = &tasks[node.task];
                Ok(Job {
                    name: task.name.clone(),
                    commands: shell.commands(task, values).map_err(Error::usage)?,
                    service: task.service,
                    ready: task.ready.clone(),
                    stamp: vx::tasks::fresh::Stamp::new(
                        &project,
                        &task.name,
                        &task.sources,
                        &task.outputs,
                        &format!("{:?}|{:?}|{:?}", task.run, task.file, task.env),
                    ),
                    hash: None,
                })
            })
            .collect()
    };
    let mut first = jobs()?;
    if plan.nodes.len() == 1 && mode.is_none() && !args.watch && !args.tui {
        let task = &tasks[plan.nodes[0].task];
        if !task.service && task.sources.is_empty() && !task.depends_only() {
            return in_foreground(task, std::mem::take(&mut first[0].commands));
        }
    }
    let keep_services = requested
        .iter()
        .all(|(name, _)| graph::find(&tasks, name).is_some_and(|t| t.service || t.depends_only()));
    let options = Options {
        jobs: args.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        }),
        keep_going: args.keep_going,
        grace: GRACE,
        force: args.force,
        keep_services,
        launcher: launcher(),
    };
    let quiet: Vec<String> = tasks
        .iter()
        .filter(|t| t.quiet)
        .map(|t| t.name.clone())
        .collect();
    // The board first: `vx ps`, `vx logs -f`, `vx board watch` and the daemon read the
    // run there, in place, while the printer shows it here.
    let sink = || -> Arc<dyn TaskSink> {
        Arc::new(Fanout(vec![
            Box::new(BoardSink::new(
                vx_shm::registry::default_dir(),
                manifest.path.display().to_string(),
                vx_shm::DEFAULT_RING_CAPACITY,
            )),
            Box::new(Printer::new(mode.unwrap_or(Mode::Prefix), quiet.clone())),
        ]))
    };
    let interrupt = vx::signals::Interrupt::register().map_err(Error::environment)?;
    // On a terminal (and no output flag), a live view reads the run from its board.
    let viewing = live_view(args, mode).map(|live| Viewing {
        live,
        look: super::look(),
        fps: FPS,
        board_dir: vx_shm::registry::default_dir(),
        label: manifest.path.display().to_string(),
        quiet: quiet.clone(),
        interrupted: interrupt.flag(),
    });
    let stop_run = || interrupt.trigger();
    let execute =
        |jobs: Vec<Job>, stop: Arc<AtomicBool>, woken: &crossbeam_channel::Receiver<()>| {
            match &viewing {
                Some(viewing) => views::run_viewed(viewing, &stop_run, |sink| {
                    runner::run(&plan, jobs, &options, sink, stop, woken)
                }),
                None => runner::run(&plan, jobs, &options, sink(), stop, woken),
            }
        };
    if !args.watch {
        let outcome = execute(first, interrupt.flag(), interrupt.woken());
        return report(&outcome, mode);
    }
    // --watch: run, and run again when a source changes (cancelling a run in
    // progress), until Ctrl-C.
    let globs: Vec<String> = plan
        .nodes
        .iter()
        .flat_map(|n| tasks[n.task].sources.iter().cloned())
        .collect();
    watch_runs(&project, globs, first, &jobs, &execute, &interrupt, mode)
}

/// Which live view shows the run: the panes with `--tui` (on a terminal), the inline
/// region on a terminal without an output flag, none otherwise (prefix lines).
fn live_view(args: &ScriptArgs, mode: Option<Mode>) -> Option<Live> {
    // Both, as for `vx sync`'s views: the views ask the terminal where the cursor is.
    let terminal = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    if args.tui {
        if terminal {
            return Some(Live::Panes);
        }
        vx::note!("vx: --tui needs a terminal; showing prefix lines instead");
        return None;
    }
    (mode.is_none() && terminal).then_some(Live::Inline)
}

/// `vx task-guard`: see [`vx::tasks::guard`].
#[cfg(unix)]
pub fn guard(args: &TaskGuardArgs) -> Result<i32, Error> {
    Ok(vx::tasks::guard::run(
        args.parent,
        std::time::Duration::from_millis(args.grace_ms),
    ))
}

/// `vx task-guard` is for Unix; Windows tasks live in Job Objects instead.
#[cfg(not(unix))]
pub fn guard(_: &TaskGuardArgs) -> Result<i32, Error> {
    Err(Error::usage("task-guard is not used on this platform"))
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

/// The manifest's tasks, then the file tasks of `.vx/tasks/` (a name both have is
/// an error).
fn all_tasks(manifest: &Manifest, project: &std::path::Path) -> Result<Vec<Task>, Error> {
    let mut tasks = manifest.environment.tasks.clone();
    for file_task in vx::tasks::files::discover(project).map_err(Error::usage)? {
        if let Some(other) = graph::find(&tasks, &file_task.name) {
            return Err(Error::usage(format!(
                "task `{}` is both in {} (line {}) and a file task ({}): rename one",
                file_task.name,
                manifest.path.display(),
                other.line,
                file_task.file.as_deref().unwrap_or("")
            )));
        }
        tasks.push(file_task);
    }
    Ok(tasks)
}

/// The task names and their words: `first ARGS [::: NAME ARGS]...`.
fn split(first: &str, rest: &[OsString]) -> Vec<(String, Vec<OsString>)> {
    let mut out = vec![(first.to_owned(), Vec::new())];
    let mut words = rest.iter();
    while let Some(word) = words.next() {
        if word == NEXT_TASK {
            if let Some(name) = words.next() {
                out.push((name.to_string_lossy().into_owned(), Vec::new()));
            }
            continue;
        }
        out.last_mut().expect("one at least").1.push(word.clone());
    }
    out
}

/// A service of the plan that another `vx run` of this project has up already (the
/// board says so): an error naming it and that run, rather than a second copy that
/// fails on its port.
fn already_running(plan: &Plan, tasks: &[Task], manifest: &Manifest) -> Result<(), Error> {
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
    let running = vx::report::boards::services_running(
        &vx_shm::registry::default_dir(),
        &manifest.path.display().to_string(),
        &services,
    );
    match running.first() {
        None => Ok(()),
        Some((name, pid)) => Err(Error::environment(format!(
            "{} is already running in this project (vx run, pid {pid}): `vx logs -f {}` follows it, `vx ps` lists it",
            sanitize(name),
            sanitize(name)
        ))),
    }
}

/// Asks the `confirm` questions of the plan's tasks (or takes `--yes`).
fn confirm(plan: &Plan, tasks: &[Task], yes: bool) -> Result<(), Error> {
    for node in &plan.nodes {
        let task = &tasks[node.task];
        let Some(question) = &task.confirm else {
            continue;
        };
        if yes {
            continue;
        }
        if !std::io::stdin().is_terminal() {
            return Err(Error::usage(format!(
                "task `{}` asks \"{}\" and there is no terminal to answer: pass --yes",
                task.name,
                sanitize(question)
            )));
        }
        eprint!("{} [y/N] ", sanitize(question));
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
            return Err(Error::with_code(
                vx::exit::FAILED,
                format!("task `{}` not confirmed: nothing ran", task.name),
            ));
        }
    }
    Ok(())
}

/// The toolchain ready (installing what is missing when allowed) and what every
/// task's process gets from it.
fn prepare(
    args: &ScriptArgs,
    session: &vx::session::Session,
    manifest: &Manifest,
    plan: &Plan,
    tasks: &[Task],
) -> Result<Shell, Error> {
    let store = super::located_store(args.project.store.as_deref())?;
    let chain = session
        .toolchain(&[], &store)
        .map_err(super::toolchain_error)?;
    let settings = super::install_settings();
    let target = Target {
        session,
        requests: &[],
        store: args.project.store.as_deref(),
        offline: args.offline,
        no_install: args.no_install,
        sources: None,
        settings: &settings,
        say: &super::say::Said,
    };
    // What the tasks' commands start with (after `NAME=value` assignments): the
    // tools they need.
    let programs: Vec<OsString> = plan
        .nodes
        .iter()
        .flat_map(|n| tasks[n.task].run.iter())
        .filter_map(|run| run.split_whitespace().find(|word| !word.contains('=')))
        .map(OsString::from)
        .collect();
    let chain = target
        .ready(chain, &store, &programs)
        .map_err(super::target_error)?;
    super::make_venv(Some(manifest), &chain);
    let inherited = std::env::var_os("PATH");
    let declared = super::declared(Some(manifest))?.with_tools(chain.env());
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
            .map(|(name, version)| format!("{name}@{version}").parse::<vx::toolchain::Request>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::usage(format!("task `{}`'s tools: {e}", task.name)))?;
        let target = Target {
            session,
            requests: &requests,
            store: args.project.store.as_deref(),
            offline: args.offline,
            no_install: args.no_install,
            sources: None,
            settings: &settings,
            say: &super::say::Said,
        };
        let programs: Vec<OsString> = task
            .run
            .iter()
            .filter_map(|run| run.split_whitespace().find(|word| !word.contains('=')))
            .map(OsString::from)
            .collect();
        let chain = target
            .toolchain(&store)
            .and_then(|chain| target.ready(chain, &store, &programs))
            .map_err(super::target_error)?;
        let mut dirs: Vec<std::path::PathBuf> = chain
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
        let declared = super::declared(Some(manifest))?.with_tools(chain.env());
        own.push((
            task.name.clone(),
            Own {
                path: declared.search_path(&dirs, inherited.as_deref()),
                changes: declared.changes(),
            },
        ));
    }
    Ok(Shell {
        path: declared.search_path(&chain.bin_dirs(), inherited.as_deref()),
        changes: declared.changes(),
        project: declared.project.clone(),
        own,
    })
}

/// One task as `[scripts]` ran it: its commands but the last as children in the
/// foreground (Ctrl-C is theirs; vx then stops with 130), the last replacing `vx`.
fn in_foreground(task: &Task, mut commands: Vec<std::process::Command>) -> Result<i32, Error> {
    let last = commands.pop().expect("a task that runs something");
    if !commands.is_empty() {
        let interrupted = vx::signals::interrupt_flag().map_err(Error::environment)?;
        for (i, mut command) in commands.into_iter().enumerate() {
            let status = command.status().map_err(|e| {
                Error::environment(Because::new(format!("cannot run task `{}`", task.name), e))
            })?;
            if interrupted.load(Ordering::Relaxed) {
                return Err(Error::with_code(
                    vx::exit::INTERRUPTED,
                    format!("interrupted during task `{}`", task.name),
                ));
            }
            if !status.success() {
                let code = vx::platform::process::status_code(status);
                return Err(Error::with_code(
                    if code == vx::exit::OK {
                        vx::exit::FAILED
                    } else {
                        code
                    },
                    format!(
                        "task `{}` failed: command {} exited with {}",
                        task.name,
                        i + 1,
                        vx::platform::process::describe_status(status)
                    ),
                ));
            }
        }
    }
    let program = last.get_program().to_owned();
    let err = vx::platform::exec::replace_process(last, &program);
    Err(Error::with_code(
        vx::ops::exec::NOT_RUNNABLE,
        Because::new(format!("cannot run task `{}`", task.name), err),
    ))
}

/// Says how the run ended (what failed, what it cancelled) and picks the exit code:
/// 0; the first failed task's code (1 when it had none); 130 when interrupted.
fn report(outcome: &runner::Outcome, mode: Option<Mode>) -> Result<i32, Error> {
    let json = mode == Some(Mode::Json);
    if !outcome.cancelled.is_empty() && !json {
        let running: Vec<String> = outcome
            .cancelled
            .iter()
            .filter(|c| c.1)
            .map(|c| format!("`{}`", c.0))
            .collect();
        let waiting: Vec<String> = outcome
            .cancelled
            .iter()
            .filter(|c| !c.1)
            .map(|c| format!("`{}`", c.0))
            .collect();
        let why = if outcome.interrupted {
            "interrupted".to_owned()
        } else {
            outcome
                .first_failure
                .as_ref()
                .map_or("a task failed".to_owned(), |f| format!("`{}` failed", f.0))
        };
        let mut parts = Vec::new();
        if !running.is_empty() {
            parts.push(format!("stopped {} (running)", running.join(", ")));
        }
        if !waiting.is_empty() {
            parts.push(format!("cancelled {} (not started)", waiting.join(", ")));
        }
        vx::note!("vx: {}: {why}", parts.join("; "));
    }
    if outcome.interrupted {
        return Ok(vx::exit::INTERRUPTED);
    }
    if let Some((_, code, _)) = &outcome.first_failure {
        return Ok(match code {
            Some(c) if *c != 0 => *c,
            _ => vx::exit::FAILED,
        });
    }
    if outcome.phases.contains(&Phase::Failed) || outcome.phases.contains(&Phase::Cancelled) {
        return Ok(vx::exit::FAILED);
    }
    Ok(vx::exit::OK)
}

/// Prints the tasks (hidden ones aside) with their descriptions, then the recipes
/// and scripts of other runners marked by their source; or how to add a task.
fn list(manifest: &Manifest, tasks: &[Task], foreign: &[Foreign]) -> Result<(), Error> {
    let foreign: Vec<Task> = foreign.iter().map(Foreign::task).collect();
    let tasks: Vec<Task> = tasks.iter().cloned().chain(foreign).collect();
    if tasks.is_empty() {
        vx::note!(
            "vx: {} has no tasks; add one under [tasks], e.g. `lint = \"ruff check .\"`, then `vx run lint`",
            manifest.path.display()
        );
        return Ok(());
    }
    let shown: Vec<&Task> = tasks.iter().filter(|t| !t.hide).collect();
    let width = shown.iter().map(|t| t.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for task in shown {
        let about = task.about();
        let mut about = sanitize(about.lines().next().unwrap_or("")).into_owned();
        if !task.alias.is_empty() {
            about.push_str(&format!(" (alias: {})", task.alias.join(", ")));
        }
        out.push_str(format!("{:width$}  {about}", task.name).trim_end());
        out.push('\n');
    }
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}

/// The error for a task `name` that the project does not have (exit 2).
fn unknown(name: &str, manifest: &Manifest, tasks: &[Task]) -> Error {
    let mut message = format!("no task `{name}` in {}", manifest.path.display());
    match graph::similar(tasks, name) {
        Some(similar) => message.push_str(&format!("; did you mean `{}`?", similar.name)),
        None if tasks.is_empty() => message.push_str("; it has no [tasks]"),
        None => message.push_str("; `vx run` lists them"),
    }
    Error::usage(message)
}

/// The tasks a run chose: every task of the project (file tasks and the foreign ones
/// named), what the command line asked for, the plan and each task's arguments.
struct Chosen {
    tasks: Vec<Task>,
    requested: Vec<(String, Vec<OsString>)>,
    plan: Plan,
    values: Vec<args::Values>,
}

/// What `args` asks to run of the project at `project`; `None` when nothing runs
/// (the tasks listed, or a task's help printed).
fn chosen(
    args: &ScriptArgs,
    manifest: &Manifest,
    project: &std::path::Path,
) -> Result<Option<Chosen>, Error> {
    let mut tasks = all_tasks(manifest, project)?;
    // The justfile's recipes and package.json's scripts that no task shadows: listed,
    // and run when named (they join the run by name only, never through a glob).
    let (foreign, notes) = foreign::discover(project);
    let foreign: Vec<Foreign> = foreign
        .into_iter()
        .filter(|f| graph::find(&tasks, &f.name).is_none())
        .collect();
    let Some(first) = args.script() else {
        for note in &notes {
            vx::note!("vx: {note}");
        }
        list(manifest, &tasks, &foreign)?;
        return Ok(None);
    };
    let requested = split(&first, args.args());
    for (name, _) in &requested {
        if graph::find(&tasks, name).is_some() {
            continue;
        }
        match foreign.iter().find(|f| f.name == *name) {
            Some(found) => tasks.push(found.task()),
            None => {
                for note in &notes {
                    vx::note!("vx: {note}");
                }
                let known: Vec<Task> = tasks
                    .iter()
                    .cloned()
                    .chain(foreign.iter().map(Foreign::task))
                    .collect();
                return Err(unknown(name, manifest, &known));
            }
        }
    }
    for (name, words) in &requested {
        if args::wants_help(words) {
            let task = graph::find(&tasks, name).expect("found above");
            std::io::stdout().write_all(args::help(task).as_bytes())?;
            return Ok(None);
        }
    }
    let names: Vec<String> = requested.iter().map(|(n, _)| n.clone()).collect();
    let plan = Plan::build(&tasks, &names).map_err(|e| Error::usage(e.to_string()))?;
    if let Some(cycle) = graph::cycle(&tasks) {
        return Err(Error::usage(format!(
            "the tasks' dependencies form a cycle: {}",
            cycle.join(" → ")
        )));
    }
    // Each task's argument values: the words given after it (the others: defaults).
    let mut values = Vec::with_capacity(plan.nodes.len());
    for node in &plan.nodes {
        let task = &tasks[node.task];
        let words = requested
            .iter()
            .find(|(n, _)| graph::find(&tasks, n).is_some_and(|t| t.name == task.name))
            .map(|(_, w)| w.as_slice())
            .unwrap_or(&[]);
        values.push(args::parse(task, words).map_err(Error::usage)?);
    }
    Ok(Some(Chosen {
        tasks,
        requested,
        plan,
        values,
    }))
}

/// A run of jobs: to the end, or until its stop flag is set (woken by the channel).
type Execute<'a> = dyn Fn(Vec<Job>, Arc<AtomicBool>, &crossbeam_channel::Receiver<()>) -> runner::Outcome
    + Sync
    + 'a;

/// `--watch`: runs `first`, and runs again (`jobs` made anew) when one of `globs`
/// under `project` changes, cancelling a run in progress, until Ctrl-C.
fn watch_runs(
    project: &std::path::Path,
    globs: Vec<String>,
    first: Vec<Job>,
    jobs: &dyn Fn() -> Result<Vec<Job>, Error>,
    execute: &Execute<'_>,
    interrupt: &vx::signals::Interrupt,
    mode: Option<Mode>,
) -> Result<i32, Error> {
    if globs.is_empty() {
        return Err(Error::usage(
            "--watch follows the tasks' `sources`, and none of these tasks has any",
        ));
    }
    let watch = Watch::new(project, globs)
        .map_err(|e| Error::environment(format!("cannot watch {}: {e}", project.display())))?;
    let mut next = Some(first);
    loop {
        let jobs = match next.take() {
            Some(jobs) => jobs,
            None => jobs()?,
        };
        let cancel = Arc::new(AtomicBool::new(false));
        let (wake, woken) = crossbeam_channel::bounded(1);
        let (done_tx, done) = crossbeam_channel::bounded(1);
        let (outcome, change) = std::thread::scope(|scope| {
            let cancel_flag = Arc::clone(&cancel);
            let execute = &execute;
            let run = scope.spawn(move || {
                let outcome = execute(jobs, cancel_flag, &woken);
                let _ = done_tx.send(());
                outcome
            });
            let change = watch.next(interrupt.woken(), Some(&done));
            if change != Change::Done {
                cancel.store(true, Ordering::Relaxed);
                let _ = wake.try_send(());
            }
            (run.join(), change)
        });
        let outcome = outcome.map_err(|_| Error::environment("the run's thread panicked"))?;
        let change = match change {
            Change::Done => {
                report(&outcome, mode)?;
                vx::note!("vx: watching the tasks' sources; Ctrl-C to stop");
                watch.next(interrupt.woken(), None)
            }
            other => other,
        };
        match change {
            Change::File(path) => vx::note!("vx: {} changed: running again", path.display()),
            _ => return Ok(vx::exit::INTERRUPTED),
        }
    }
}
