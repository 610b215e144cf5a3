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

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use std::sync::atomic::AtomicBool;
use vx::exit::{Because, Error};
use vx::manifest::Manifest;
use vx::tasks::board_sink::BoardSink;
use vx::tasks::events::{Fanout, TaskSink};
use vx::tasks::graph::{self, Plan};
use vx::tasks::model::Task;
use vx::tasks::output::{Mode, Printer};
use vx::tasks::runner::{self, Job, Launcher, Options};
use vx::tasks::views::{self, Live, Viewing};
use vx::tasks::watch::{Change, Watch};
use vx_tui::text::sanitize;

use crate::cli::{ScriptArgs, TaskGuardArgs};
use vx::ops::run::{self, Choice, Chosen, RunError};

/// How long a stopped task has between SIGINT/SIGTERM and SIGKILL.
const GRACE: std::time::Duration = std::time::Duration::from_secs(3);
/// Redraws a second of the live views.
const FPS: u32 = 15;

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
    let note = |line: &str| vx::note!("{line}");
    let first = args.script();
    let chosen = match run::choose(&manifest, &project, first.as_deref(), args.args(), &note)
        .map_err(error)?
    {
        Choice::List(tasks) => return list(&manifest, &tasks).map(|()| vx::exit::OK),
        Choice::Help(text) => {
            std::io::stdout().write_all(text.as_bytes())?;
            return Ok(vx::exit::OK);
        }
        Choice::Run(chosen) => chosen,
    };
    run::services_free(
        &chosen.plan,
        &chosen.tasks,
        &manifest,
        &vx_shm::registry::default_dir(),
    )
    .map_err(error)?;
    confirm(&chosen.plan, &chosen.tasks, args.yes)?;
    let settings = super::install_settings();
    let install = run::Install {
        store: args.project.store.as_deref(),
        offline: args.offline,
        no_install: args.no_install,
        settings: &settings,
        say: &super::say::Said,
    };
    let shell = run::shell(&session, &manifest, &chosen, &install).map_err(error)?;
    let Chosen {
        tasks,
        requested,
        plan,
        values,
    } = chosen;
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
                    commands: shell
                        .commands(task, values)
                        .map_err(|e| error(RunError::Args(e)))?,
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

/// Says how the run ended (what failed, what it cancelled) and picks the exit code
/// ([`run::exit_code`]).
fn report(outcome: &runner::Outcome, mode: Option<Mode>) -> Result<i32, Error> {
    if mode != Some(Mode::Json)
        && let Some(line) = run::cancelled(outcome)
    {
        vx::note!("vx: {line}");
    }
    Ok(run::exit_code(outcome))
}

/// A run whose tasks cannot be chosen or prepared, as its exit code says.
fn error(e: RunError) -> Error {
    match e {
        RunError::Target(e) => super::target_error(e),
        RunError::Toolchain(e) => super::toolchain_error(e),
        e if e.is_usage() => Error::usage(e),
        e => Error::environment(e),
    }
}

/// Prints the tasks (hidden ones aside) with their descriptions, then the recipes
/// and scripts of other runners marked by their source; or how to add a task.
fn list(manifest: &Manifest, tasks: &[Task]) -> Result<(), Error> {
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
