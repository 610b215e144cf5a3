//! `vx run [FLAGS] [TASK [ARGS...] [::: TASK [ARGS...]]...]`: runs tasks of vx.toml's
//! `[tasks]` (`[scripts]` is their old name) and the project's file tasks
//! (`.vx/tasks/`), with what they depend on, in parallel ([`vx_tasks`]); alone, lists
//! them. Missing tools are installed first, as for `vx exec` (unless `--offline`,
//! `--no-install` or `[settings] auto_install = false`).
//!
//! A run of one task with no dependency, no service, no `sources` and no output flag
//! runs it as `[scripts]` always did: its last command replaces `vx` (the terminal's
//! foreground process, Ctrl-C reaches it, its exit status is `vx run`'s). Anything
//! else goes through the runner: each task's output shown as `--output` says (a lone
//! task's, by default, as it wrote it, as when it runs in vx's place), a
//! failure stopping the run (named, with what it cancelled), Ctrl-C stopping every
//! task's whole process tree (exit 130).
//!
//! Tasks are reached only through `vx run`: their names never shadow vx's commands.

use std::io::{IsTerminal, Write};

use vx_base::exit::Error;
use vx_model::task::Task;
use vx_ops::run::{self, Answer, Ended, Prepared, Shown};
use vx_tasks::output::Mode;
use vx_tasks::output::views::{Live, Viewing};
use vx_tasks::runner;
use vx_tui::text::sanitize;

use crate::cli::{ScriptArgs, TaskGuardArgs};

/// Redraws a second of the live views.
const FPS: u32 = 15;

/// Runs `vx run`: the request to [`run::prepare`], then what it comes to shown, run in
/// vx's place or run by [`run::execute`] in the live view a terminal gets.
pub(crate) fn run(args: &ScriptArgs) -> Result<i32, Error> {
    // `--offline`, or a task of an offline run starting this one (`VX_OFFLINE=1`).
    let offline = args.offline || vx_engine::resolution::network::offline_env();
    // The one call that opens the project.
    let session = super::open(
        &vx_ops::session::Opening::new(
            args.project.manifest.as_deref(),
            vx_ops::session::Want::Tasks,
        )
        .offline(offline),
    )?;
    let settings = super::install_settings();
    let note = |line: &str| vx_base::note!("{line}");
    let first = args.script();
    let words = args.task_words();
    let asked = run::Flags {
        filters: args.filters.clone(),
        dry_run: args.dry_run,
        affected: args.affected.clone(),
        exit_code: args.exit_code,
        ..run::Flags::default()
    };
    let confirm = |_: &Task, question: &str| ask(question, args.yes);
    let request = run::Request {
        first: first.as_deref(),
        words: &words,
        install: run::Install {
            store: args.project.store.as_deref(),
            offline,
            no_install: args.no_install,
            settings: &settings,
            say: &super::Said,
        },
        shown: Shown {
            output: args.output.as_deref(),
            json: args.json,
            tui: args.tui,
        },
        jobs: args.jobs,
        keep_going: args.keep_going,
        force: args.force,
        push: args.push,
        explain_key: args.explains_key(),
        asked: &asked,
        task_env: &args.task_env,
        watch: args.watch,
        confirm: &confirm,
        note: &note,
    };
    let graph = match run::prepare(&session, &request)? {
        Prepared::List(tasks) => {
            let manifest = &session.project()?.path;
            let text = crate::present::run::tasks(manifest, &tasks, false, &super::note);
            std::io::stdout().write_all(text.as_bytes())?;
            return Ok(vx_base::exit::OK);
        }
        Prepared::Help(text) => {
            std::io::stdout().write_all(text.as_bytes())?;
            return Ok(vx_base::exit::OK);
        }
        Prepared::Plan(planned) => {
            let text = match planned.json {
                true => crate::present::run::plan_json(&planned),
                false => crate::present::run::plan_text(&planned),
            };
            std::io::stdout().write_all(text.as_bytes())?;
            // `--exit-code`: whether anything is affected.
            let affected = planned.rows.iter().any(|row| row.affected.is_some());
            return Ok(match planned.exit_code && affected {
                true => vx_base::exit::FAILED,
                false => vx_base::exit::OK,
            });
        }
        Prepared::NothingAffected(base) => {
            super::note(&format!(
                "vx: nothing affected since {} ({})",
                base.named,
                &base.commit[..base.commit.len().min(12)]
            ));
            return Ok(vx_base::exit::OK);
        }
        Prepared::NothingFiltered(filters) => {
            let filters: Vec<String> = filters.iter().map(|f| format!("--filter={f}")).collect();
            super::note(&format!(
                "vx: {} selects no package with the tasks named: nothing to run",
                sanitize(&filters.join(" "))
            ));
            return Ok(vx_base::exit::OK);
        }
        Prepared::Keys(documents) => {
            let text = crate::present::run::key_documents(&documents);
            std::io::stdout().write_all(text.as_bytes())?;
            return Ok(vx_base::exit::OK);
        }
        Prepared::Foreground(lone) => return in_place(*lone, &note),
        Prepared::Graph(graph) => graph,
    };
    let mode = graph.mode;
    let interrupt = vx_base::signals::Interrupt::register().map_err(Error::environment)?;
    // On a terminal (and no output flag), a live view reads the run from its board.
    let viewing = live_view(args, mode).map(|live| Viewing {
        live,
        look: super::look(),
        fps: FPS,
        board_dir: vx_shm::registry::default_dir(),
        label: graph.label.clone(),
        keep: graph.keep.clone(),
        quiet: graph.quiet.clone(),
        interrupted: interrupt.flag(),
    });
    let done = |outcome: &runner::Outcome| {
        report(outcome, mode);
    };
    match run::execute(*graph, viewing.as_ref(), &interrupt, &done, &note)? {
        Ended::Ran(outcome) => Ok(report(&outcome, mode)),
        Ended::Watched => Ok(vx_base::exit::INTERRUPTED),
    }
}

/// A lone task run in vx's place ([`vx_tasks::foreground`]), once in the run: a `vx run`
/// that started this one may have run it already.
fn in_place(lone: run::Lone, note: &dyn Fn(&str)) -> Result<i32, Error> {
    let run::Lone {
        task,
        commands,
        shell,
        ledger,
        once,
    } = lone;
    // Once in the run: a `vx run` that started this one may have run it.
    use vx_tasks::runner::ledger::Claim;
    let waiting = || {
        note(&format!(
            "vx: waiting for the vx run that started this one to run `{}`",
            sanitize(&task.name)
        ))
    };
    let held = match once.map(|once| once.claim(&|| false, &waiting)).transpose() {
        Ok(Some(Claim::Done)) => {
            note(&format!(
                "vx: `{}` already ran in this run",
                sanitize(&task.name)
            ));
            return Ok(vx_base::exit::OK);
        }
        Ok(Some(Claim::Ours(held, _))) => Some(held),
        Ok(Some(Claim::Unrecorded) | None) => None,
        Err(e) => return Err(Error::with_code(vx_base::exit::FAILED, e)),
    };
    // The shell lives until the task has run: its `#!` scripts are files it
    // owns, so a task that runs one keeps vx, which removes them after.
    use vx_tasks::foreground::{self, Last};
    let last = if shell.has_scripts() {
        Last::Child
    } else {
        Last::InPlace
    };
    let guard = std::env::current_exe().ok();
    let ended = foreground::run(&task, commands, last, guard.as_deref(), ledger);
    if let (Some(held), Ok(vx_base::exit::OK)) = (held, &ended) {
        held.succeeded();
    }
    drop(shell);
    Ok(ended?)
}

/// Which live view shows the run: the panes with `--tui` (on a terminal), the inline
/// region on a terminal when the run asked no mode (`mode` is none: not a lone task, nor
/// a run with a service), none otherwise (the printer's lines).
fn live_view(args: &ScriptArgs, mode: Option<Mode>) -> Option<Live> {
    // Both, as for `vx sync`'s views: the views ask the terminal where the cursor is.
    let terminal = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    if args.tui {
        if terminal {
            return Some(Live::Panes);
        }
        vx_base::note!("vx: --tui needs a terminal; showing prefix lines instead");
        return None;
    }
    (mode.is_none() && terminal).then_some(Live::Inline)
}

/// `vx task-guard`: see [`vx_tasks::guard`].
#[cfg(unix)]
pub(crate) fn guard(args: &TaskGuardArgs) -> Result<i32, Error> {
    Ok(vx_tasks::guard::run(
        args.parent,
        std::time::Duration::from_millis(args.grace_ms),
        args.scan,
    ))
}

/// `vx task-guard` is for Unix; Windows tasks live in Job Objects instead.
#[cfg(not(unix))]
pub(crate) fn guard(_: &TaskGuardArgs) -> Result<i32, Error> {
    Err(Error::usage("task-guard is not used on this platform"))
}

/// Answers a task's `confirm` question: yes with `--yes`, else the terminal's answer
/// (`y`/`yes`), no one to ask without a terminal.
fn ask(question: &str, yes: bool) -> Answer {
    if yes {
        return Answer::Yes;
    }
    if !std::io::stdin().is_terminal() {
        return Answer::NoOneToAsk;
    }
    eprint!("{} [y/N] ", sanitize(question));
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return Answer::No;
    }
    match answer.trim() {
        "y" | "Y" | "yes" | "Yes" => Answer::Yes,
        _ => Answer::No,
    }
}

/// Says how the run ended (what failed, what it cancelled) and picks the exit code
/// ([`run::exit_code`]).
fn report(outcome: &runner::Outcome, mode: Option<Mode>) -> i32 {
    if mode != Some(Mode::Json)
        && let Some(line) = run::cancelled(outcome)
    {
        vx_base::note!("vx: {line}");
    }
    run::exit_code(outcome)
}
