//! `vx run [FLAGS] [TASK [ARGS...] [::: TASK [ARGS...]]...]`: runs tasks of vx.toml's
//! `[tasks]` (`[scripts]` is their old name) and the project's file tasks
//! (`.vx/tasks/`), with what they depend on, in parallel ([`vx::projects::tasks`]); alone, lists
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
use std::sync::atomic::AtomicBool;

use vx::foundation::exit::Error;
use vx::projects::tasks::graph::Plan;
use vx::projects::tasks::model::Task;
use vx::projects::tasks::output::Mode;
use vx::projects::tasks::runner::{self, Job};
use vx::projects::tasks::views::{self, Live, Viewing};
use vx_tui::text::sanitize;

use crate::cli::{ScriptArgs, TaskGuardArgs};
use vx::operations::ops::run::{self, Choice};

/// Redraws a second of the live views.
const FPS: u32 = 15;

/// Runs `vx run`.
pub fn run(args: &ScriptArgs) -> Result<i32, Error> {
    // The one call that opens the project.
    let session = super::open(
        &vx::operations::session::Opening::new(
            args.project.manifest.as_deref(),
            vx::operations::session::Want::Project,
        )
        .offline(args.offline),
    )?;
    let manifest = session.project()?.clone();
    let project = manifest
        .path
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let note = |line: &str| vx::note!("{line}");
    let first = args.script();
    let words = args.task_words();
    let chosen = match run::choose(&manifest, &project, first.as_deref(), &words, &note)? {
        Choice::List(tasks) => {
            let text = vx::presentation::present::run::tasks(&manifest.path, &tasks, &super::note);
            std::io::stdout().write_all(text.as_bytes())?;
            return Ok(vx::foundation::exit::OK);
        }
        Choice::Help(text) => {
            std::io::stdout().write_all(text.as_bytes())?;
            return Ok(vx::foundation::exit::OK);
        }
        Choice::Run(chosen) => chosen,
    };
    run::services_free(
        &chosen.plan,
        &chosen.tasks,
        &manifest,
        &vx_shm::registry::default_dir(),
    )?;
    confirm(&chosen.plan, &chosen.tasks, args.yes)?;
    let settings = super::install_settings();
    let install = run::Install {
        store: args.project.store.as_deref(),
        offline: args.offline,
        no_install: args.no_install,
        settings: &settings,
        say: &super::Said,
    };
    let shell = run::shell(&session, &manifest, &chosen, &install)?;
    // The flag, else (without --tui) the project's `[settings] task_output`, else a
    // run with a service streams its lines (a server's traceback stays in view, as
    // `mise run` shows it), as does a lone task watched (pytest's summary stays after
    // each run, as it does when run once), else the live view on a terminal.
    let has_service = chosen
        .plan
        .nodes
        .iter()
        .any(|node| chosen.tasks[node.task].service);
    let streams = has_service || (args.watch && chosen.plan.nodes.len() == 1);
    let asked = match (args.output.as_deref(), args.tui) {
        (Some(output), _) => Some(output),
        (None, true) => None,
        (None, false) => match manifest.environment.task_output.as_deref() {
            Some(setting) => Some(setting),
            None => streams.then_some("prefix"),
        },
    };
    let mode = match (args.json, asked) {
        (true, _) => Some(Mode::Json),
        (_, Some("prefix")) => Some(Mode::Prefix),
        (_, Some("grouped")) => Some(Mode::Grouped),
        (_, Some("quiet")) => Some(Mode::Quiet),
        _ => None,
    };
    let (results, said) = vx::projects::tasks::cache::open(
        &manifest.environment.task_cache,
        &manifest.network,
        args.push,
    );
    said.iter().for_each(|line| note(line));
    let results = Arc::new(results);
    let mut first = run::jobs(&project, &chosen, &shell, Some(&results), args.force)?;
    if args.explains_key() {
        let text =
            vx::presentation::present::run::key_documents(&run::key_documents(&chosen, &first));
        std::io::stdout().write_all(text.as_bytes())?;
        return Ok(vx::foundation::exit::OK);
    }
    // A run of one plain task runs it in vx's place, its output straight to the
    // terminal, unless a flag asks for another way of showing it.
    let flagged = args.json || args.output.is_some();
    let plain = !flagged && !args.watch && !args.tui;
    if let Some(task) = run::foreground(&chosen, plain) {
        let commands = std::mem::take(&mut first[0].commands);
        return Err(vx::projects::tasks::foreground::run(task, commands).into());
    }
    let options = run::options(&chosen, args.jobs, args.keep_going, args.force);
    let quiet = run::quiet(&chosen);
    let label = manifest.path.display().to_string();
    let keep = vx::projects::tasks::last_run::dir(&manifest.path);
    let interrupt = vx::foundation::signals::Interrupt::register().map_err(Error::environment)?;
    // On a terminal (and no output flag), a live view reads the run from its board.
    let viewing = live_view(args, mode).map(|live| Viewing {
        live,
        look: super::look(),
        fps: FPS,
        board_dir: vx_shm::registry::default_dir(),
        label: label.clone(),
        keep: keep.clone(),
        quiet: quiet.clone(),
        interrupted: interrupt.flag(),
    });
    let stop_run = || interrupt.trigger();
    let plan = &chosen.plan;
    let execute =
        |jobs: Vec<Job>, stop: Arc<AtomicBool>, woken: &crossbeam_channel::Receiver<()>| {
            match &viewing {
                Some(viewing) => views::run_viewed(viewing, &stop_run, |sink| {
                    runner::run(plan, jobs, &options, sink, stop, woken)
                }),
                None => {
                    let sink = run::sink(
                        &label,
                        keep.clone(),
                        mode.unwrap_or(Mode::Prefix),
                        quiet.clone(),
                    );
                    runner::run(plan, jobs, &options, sink, stop, woken)
                }
            }
        };
    if !args.watch {
        let outcome = execute(first, interrupt.flag(), interrupt.woken());
        return Ok(report(&outcome, mode));
    }
    // --watch: run, and run again when a source changes (cancelling a run in
    // progress), until Ctrl-C.
    let done = |outcome: &runner::Outcome| {
        report(outcome, mode);
    };
    run::watch(
        &project,
        &chosen,
        &shell,
        Some(&results),
        args.force,
        first,
        &execute,
        &interrupt,
        &done,
        &note,
    )?;
    Ok(vx::foundation::exit::INTERRUPTED)
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

/// `vx task-guard`: see [`vx::projects::tasks::guard`].
#[cfg(unix)]
pub fn guard(args: &TaskGuardArgs) -> Result<i32, Error> {
    Ok(vx::projects::tasks::guard::run(
        args.parent,
        std::time::Duration::from_millis(args.grace_ms),
        args.scan,
    ))
}

/// `vx task-guard` is for Unix; Windows tasks live in Job Objects instead.
#[cfg(not(unix))]
pub fn guard(_: &TaskGuardArgs) -> Result<i32, Error> {
    Err(Error::usage("task-guard is not used on this platform"))
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
                vx::foundation::exit::FAILED,
                format!("task `{}` not confirmed: nothing ran", task.name),
            ));
        }
    }
    Ok(())
}

/// Says how the run ended (what failed, what it cancelled) and picks the exit code
/// ([`run::exit_code`]).
fn report(outcome: &runner::Outcome, mode: Option<Mode>) -> i32 {
    if mode != Some(Mode::Json)
        && let Some(line) = run::cancelled(outcome)
    {
        vx::note!("vx: {line}");
    }
    run::exit_code(outcome)
}
