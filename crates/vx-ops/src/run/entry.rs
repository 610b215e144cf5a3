//! `vx run` as one operation. [`prepare`] takes the command line's [`Request`] through
//! the steps of [`super`] in their one order (choose the tasks, refuse a service that
//! is up already, ask the `confirm` questions, ready the toolchain, open the results
//! cache, make the jobs) to what the command shows or runs ([`Prepared`]); [`execute`]
//! runs a graph once or, with `--watch`, again on each change. The command keeps what
//! is the terminal's: the prompt that answers `confirm`, the live view, the last line.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::session::Session;
use vx_base::signals::Interrupt;
use vx_model::task::Task;
use vx_tasks::cache::{Document, Results};
use vx_tasks::command::Shell;
use vx_tasks::output::Mode;
use vx_tasks::output::views::{self, Viewing};
use vx_tasks::runner::{self, Job, Options, Outcome};

use super::{Choice, Chosen, Install, RunError};

/// What `vx run` is asked, from its command line.
pub struct Request<'a> {
    /// The first task named (none: list the tasks).
    pub first: Option<&'a str>,
    /// The words after it: its arguments, and more tasks after `:::`.
    pub words: &'a [OsString],
    /// How the tasks' toolchain is installed.
    pub install: Install<'a>,
    /// How the run is shown, asked by flags.
    pub shown: Shown<'a>,
    /// `--jobs`: at most this many tasks at once.
    pub jobs: Option<usize>,
    /// `--keep-going`: a failure does not stop the others.
    pub keep_going: bool,
    /// `--force`: run what is fresh or cached too.
    pub force: bool,
    /// `--push`: upload results to the remote cache.
    pub push: bool,
    /// `--explain-key`: print the keys' documents, run nothing.
    pub explain_key: bool,
    /// The flags that choose what runs, given before the task's name: `--filter` (a
    /// monorepo's packages in scope, in turbo's syntax; several: their union),
    /// `--affected`, `--exit-code`, `--dry-run` (the plan, run nothing).
    pub asked: &'a super::Flags,
    /// `--task-env`: variables set for the tasks named (`NAME`, `VALUE`), over their
    /// own `env`, as a mise dependency's `env`: in their identity in the run and key.
    pub task_env: &'a [(String, String)],
    /// `--watch`: run again when a source changes.
    pub watch: bool,
    /// Answers a task's `confirm` question (the command's terminal, or `--yes`).
    pub confirm: &'a dyn Fn(&Task, &str) -> Answer,
    /// What there is to say meanwhile (a cache that cannot be used, a foreign file).
    pub note: &'a dyn Fn(&str),
}

/// The flags that say how a run is shown.
#[derive(Clone, Copy, Default)]
pub struct Shown<'a> {
    /// `--output`: `prefix`, `grouped` or `quiet`.
    pub output: Option<&'a str>,
    /// `--json`: events as JSON lines.
    pub json: bool,
    /// `--tui`: a pane per task.
    pub tui: bool,
}

/// An answer to a task's `confirm` question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Run it (`y`, or `--yes`).
    Yes,
    /// Do not: nothing runs.
    No,
    /// No terminal to ask on, and no `--yes`.
    NoOneToAsk,
}

/// What a `vx run` comes to before anything runs.
pub enum Prepared {
    /// No task named: the project's tasks, to list.
    List(Vec<Task>),
    /// A task's `--help`.
    Help(String),
    /// `--explain-key`: each cached task's key document, in plan order.
    Keys(Vec<(String, Document)>),
    /// `--dry-run` (or `--exit-code`): what would run, in plan order.
    Plan(Planned),
    /// `--affected` selected nothing: nothing runs.
    NothingAffected(super::Base),
    /// `--filter` selected no package with the tasks named: nothing runs. The filters.
    NothingFiltered(Vec<String>),
    /// One plain task, to run in vx's place ([`vx_tasks::foreground`]).
    Foreground(Box<Lone>),
    /// Tasks for the runner.
    Graph(Box<Graph>),
}

/// A `--dry-run`'s plan, as the command shows it.
pub struct Planned {
    /// The tasks, in plan order.
    pub rows: Vec<PlanRow>,
    /// Whether as JSON (`--json`).
    pub json: bool,
    /// With `--affected`: the base the changes are measured from.
    pub base: Option<super::Base>,
    /// `--exit-code`: the exit code says whether any task is affected.
    pub exit_code: bool,
}

/// One task of a `--dry-run`'s plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanRow {
    /// Its task's name (`web#build` in a monorepo), as a live run's `--json` names it.
    pub task: String,
    /// The node as written, its variables and words with it (`Z=1 setup --test`):
    /// what the plan's text shows.
    pub shown: String,
    /// How the live run will name it in its lines and notes
    /// ([`Plan::labels`](vx_model::task::graph::Plan::labels)).
    pub label: String,
    /// The words a dependency gives it.
    pub args: Vec<String>,
    /// The names of the variables a dependency sets for it (never their values).
    pub env: Vec<String>,
    /// Its package in a monorepo (`//` for the root), else none.
    pub package: Option<String>,
    /// The directory it runs in, relative to the project (`""`: the project's).
    pub dir: String,
    /// The tasks it waits for, by name.
    pub depends: Vec<String>,
    /// The same, as written ([`PlanRow::shown`]).
    pub depends_shown: Vec<String>,
    /// The same, by label ([`PlanRow::label`]).
    pub depends_labels: Vec<String>,
    /// What it runs (its first command), none for a task that only depends.
    pub command: Option<String>,
    /// Its key, for a task whose results are kept.
    pub key: Option<String>,
    /// `hit-local` when this machine's cache holds its key's result, else `miss` (the
    /// registry is not asked in a dry run).
    pub cache: &'static str,
    /// With `--affected`: why it is selected; none for a task in the plan only because
    /// a selected one needs it.
    pub affected: Option<super::Reason>,
}

/// One plain task to run in vx's place.
pub struct Lone {
    /// The task.
    pub task: Task,
    /// Its commands.
    pub commands: Vec<Command>,
    /// What its commands were made with, held until they run: it owns the files of
    /// its `#!` scripts, which go when it is dropped.
    pub shell: Shell,
    /// The run's ledger (taken from `shell`), for [`vx_tasks::foreground::run`].
    pub ledger: Option<vx_tasks::runner::ledger::Ledger>,
    /// The task's entry in it: claimed before it runs, marked once it succeeded.
    pub once: Option<vx_tasks::runner::ledger::Entry>,
}

/// A run's graph, ready for [`execute`].
pub struct Graph {
    chosen: Chosen,
    shell: Shell,
    results: Arc<Results>,
    first: Vec<Job>,
    project: PathBuf,
    force: bool,
    watch: bool,
    options: Options,
    /// How the tasks' output is shown when no live view is (`None`: a live view on a
    /// terminal, else [`Mode::Auto`]'s lines).
    pub mode: Option<Mode>,
    /// The run's board label: the manifest's path.
    pub label: String,
    /// Where the run is kept once it finished (`vx logs` after it).
    pub keep: Option<PathBuf>,
    /// The quiet tasks (`quiet = true`): their output is not shown.
    pub quiet: Vec<String>,
}

/// How a run ended.
pub enum Ended {
    /// It ran once to its outcome.
    Ran(Outcome),
    /// `--watch` ran until Ctrl-C.
    Watched,
}

/// The one plain task `task` of a run, its job `job`, to run in vx's place with what
/// `shell` made.
fn lone(task: &Task, job: &mut Job, mut shell: Shell) -> Result<Lone, RunError> {
    let commands = std::mem::take(&mut job.commands);
    // A lone task waits for nothing that could make its `dir`: looked for now.
    if let Some(dir) = commands.iter().find_map(vx_tasks::command::missing_dir) {
        return Err(RunError::Args(vx_tasks::args::ArgsError::NotADirectory {
            task: task.name.clone(),
            dir: dir.to_path_buf(),
        }));
    }
    Ok(Lone {
        task: task.clone(),
        commands,
        once: job.once.take(),
        ledger: shell.ledger.take(),
        shell,
    })
}

/// `vx run`'s request in `session`'s project, up to what runs ([`Prepared`]).
pub fn prepare(session: &Session, request: &Request<'_>) -> Result<Prepared, RunError> {
    let manifest = session.project()?;
    let project = manifest
        .path
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let chosen = match super::choose(
        manifest,
        &project,
        request.first,
        request.words,
        request.asked,
        request.task_env,
        request.note,
    )? {
        Choice::List(tasks) => return Ok(Prepared::List(tasks)),
        Choice::Help(text) => return Ok(Prepared::Help(text)),
        Choice::Run(chosen) => *chosen,
    };
    if chosen.plan.nodes.is_empty() && chosen.affected.is_none() && !chosen.asked.plans_only() {
        return Ok(Prepared::NothingFiltered(chosen.asked.filters.clone()));
    }
    super::services_free(
        &chosen.plan,
        &chosen.tasks,
        manifest,
        &vx_shm::registry::default_dir(),
    )?;
    confirm(&chosen, request.confirm)?;
    let shell = super::shell(session, manifest, &chosen, &request.install)?;
    let user = session.user_config().map_err(RunError::UserConfig)?;
    let (results, said) = vx_tasks::cache::open(
        &manifest.environment.task_cache,
        &manifest.network,
        user,
        request.push,
    );
    said.iter().for_each(|line| (request.note)(line));
    let results = Arc::new(results);
    let mut first = super::jobs(&project, &chosen, &shell, Some(&results), request.force)?;
    if request.explain_key {
        return Ok(Prepared::Keys(super::key_documents(&chosen, &first)));
    }
    if chosen.asked.plans_only() {
        return Ok(Prepared::Plan(Planned {
            rows: plan_rows(&chosen, &first, &results),
            json: request.shown.json || chosen.asked.json,
            base: chosen.affected.as_ref().map(|a| a.base.clone()),
            exit_code: chosen.asked.exit_code,
        }));
    }
    if let Some(selection) = &chosen.affected {
        if chosen.plan.nodes.is_empty() {
            return Ok(Prepared::NothingAffected(selection.base.clone()));
        }
        (request.note)(&format!(
            "vx: --affected: {} of the tasks named, changed since {} ({})",
            chosen.requested.len(),
            selection.base.named,
            &selection.base.commit[..selection.base.commit.len().min(12)]
        ));
    }
    let shown = request.shown;
    // A run of one plain task runs it in vx's place, its output straight to the
    // terminal, unless a flag asks for another way of showing it.
    let plain = !shown.json && shown.output.is_none() && !request.watch && !shown.tui;
    if let Some(task) = super::foreground(&chosen, plain) {
        return Ok(Prepared::Foreground(Box::new(lone(
            task,
            &mut first[0],
            shell,
        )?)));
    }
    let mode = mode(
        shown,
        manifest.environment.task_output.as_deref(),
        streams(&chosen),
    );
    Ok(Prepared::Graph(Box::new(Graph {
        options: super::options(&chosen, request.jobs, request.keep_going, request.force),
        quiet: super::quiet(&chosen),
        label: manifest.path.display().to_string(),
        keep: vx_tasks::state::last_run::dir(&manifest.path),
        mode,
        chosen,
        shell,
        results,
        first,
        project,
        force: request.force,
        watch: request.watch,
    })))
}

/// The rows of a `--dry-run`: each planned task with its package, directory,
/// dependencies, command, key and whether this machine holds its result.
fn plan_rows(chosen: &Chosen, jobs: &[vx_tasks::runner::Job], results: &Results) -> Vec<PlanRow> {
    let keys: std::collections::HashMap<String, String> = super::key_documents(chosen, jobs)
        .into_iter()
        .map(|(name, document)| (name, document.key()))
        .collect();
    let labels = chosen.plan.labels(&chosen.tasks);
    let nodes = &chosen.plan.nodes;
    let each = |of: &[usize], f: &dyn Fn(usize) -> String| of.iter().map(|&a| f(a)).collect();
    nodes
        .iter()
        .zip(jobs)
        .zip(&labels)
        .map(|((node, job), label)| {
            let task = &chosen.tasks[node.task];
            let keyed = job.cache.as_ref().is_some_and(|c| c.results.is_some());
            let key = keyed.then(|| keys.get(job.keyed_as()).cloned()).flatten();
            let held = key.as_deref().is_some_and(|key| {
                results
                    .local
                    .as_ref()
                    .is_some_and(|local| local.get(key).is_some())
            });
            PlanRow {
                task: task.name.clone(),
                shown: node.shown(&chosen.tasks),
                label: label.clone(),
                args: node.words.clone(),
                env: node.env.iter().map(|(name, _)| name.clone()).collect(),
                package: vx_model::manifest::workspace::split_id(&task.name)
                    .map(|(p, _)| p.to_owned()),
                dir: task.dir.clone().unwrap_or_default(),
                depends: each(&node.after, &|a| chosen.tasks[nodes[a].task].name.clone()),
                depends_shown: each(&node.after, &|a| nodes[a].shown(&chosen.tasks)),
                depends_labels: each(&node.after, &|a| labels[a].clone()),
                command: task.run.first().cloned(),
                key,
                cache: if held { "hit-local" } else { "miss" },
                affected: chosen
                    .affected
                    .as_ref()
                    .and_then(|a| a.reasons.get(&node.task).cloned()),
            }
        })
        .collect()
}

/// Asks the `confirm` questions of the plan's tasks through `ask`.
fn confirm(chosen: &Chosen, ask: &dyn Fn(&Task, &str) -> Answer) -> Result<(), RunError> {
    for node in &chosen.plan.nodes {
        let task = &chosen.tasks[node.task];
        let Some(question) = &task.confirm else {
            continue;
        };
        match ask(task, question) {
            Answer::Yes => {}
            Answer::No => {
                return Err(RunError::NotConfirmed {
                    task: task.name.clone(),
                });
            }
            Answer::NoOneToAsk => {
                return Err(RunError::Unanswered {
                    task: task.name.clone(),
                    question: vx_text::sanitize(question).into_owned(),
                });
            }
        }
    }
    Ok(())
}

/// Whether a run streams its lines when nothing else is asked: one with a service (a
/// server's traceback stays in view, as `mise run` shows it), or a lone task, watched
/// or not (its output as the tool printed it, as a plain task run in vx's place shows
/// it; pytest's summary stays after each run of `--watch`). Whether the lines are
/// prefixed is [`Mode::Auto`]'s to say, from the plan.
fn streams(chosen: &Chosen) -> bool {
    let has_service = chosen
        .plan
        .nodes
        .iter()
        .any(|node| chosen.tasks[node.task].service);
    has_service || chosen.plan.nodes.len() == 1
}

/// How the tasks' output is shown: `--json`; else `--output`; else (without `--tui`)
/// the project's `[settings] task_output`, else [`Mode::Auto`]'s lines when the run
/// `streams`; else `None`, a live view where there is a terminal.
fn mode(shown: Shown<'_>, setting: Option<&str>, streams: bool) -> Option<Mode> {
    let asked = match (shown.output, shown.tui) {
        (Some(output), _) => Some(output),
        (None, true) => None,
        (None, false) => setting,
    };
    match (shown.json, asked) {
        (true, _) => Some(Mode::Json),
        (_, Some("prefix")) => Some(Mode::Prefix),
        (_, Some("grouped")) => Some(Mode::Grouped),
        (_, Some("quiet")) => Some(Mode::Quiet),
        (_, None) if !shown.tui && streams => Some(Mode::Auto),
        _ => None,
    }
}

/// Runs `graph`: in `viewing`'s live view if there is one, else reporting to its
/// board and printer; once, or with `--watch` again on each change of a source until
/// Ctrl-C (`interrupt`). `done` hears each watched run's outcome; `note` what there is
/// to say meanwhile.
pub fn execute(
    graph: Graph,
    viewing: Option<&Viewing>,
    interrupt: &Interrupt,
    done: &dyn Fn(&Outcome),
    note: &dyn Fn(&str),
) -> Result<Ended, RunError> {
    let Graph {
        chosen,
        shell,
        results,
        first,
        project,
        force,
        watch,
        options,
        mode,
        label,
        keep,
        quiet,
    } = graph;
    let stop_run = || interrupt.trigger();
    let plan = &chosen.plan;
    let run = |jobs: Vec<Job>, stop: Arc<AtomicBool>, woken: &crossbeam_channel::Receiver<()>| {
        match viewing {
            Some(viewing) => views::run_viewed(viewing, &stop_run, |sink| {
                runner::run(plan, jobs, &options, sink, stop, woken)
            }),
            None => {
                let sink = super::sink(
                    &label,
                    keep.clone(),
                    mode.unwrap_or(Mode::Auto),
                    quiet.clone(),
                    options.jobs,
                );
                runner::run(plan, jobs, &options, sink, stop, woken)
            }
        }
    };
    if !watch {
        return Ok(Ended::Ran(run(first, interrupt.flag(), interrupt.woken())));
    }
    super::watch(
        &project,
        &chosen,
        &shell,
        Some(&results),
        force,
        first,
        &run,
        interrupt,
        done,
        note,
    )?;
    Ok(Ended::Watched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_then_the_setting_then_streaming_choose_how_output_shows() {
        let none = Shown::default();
        let json = Shown {
            json: true,
            output: Some("grouped"),
            ..none
        };
        let grouped = Shown {
            output: Some("grouped"),
            ..none
        };
        let tui = Shown { tui: true, ..none };
        assert_eq!(mode(json, Some("quiet"), true), Some(Mode::Json));
        assert_eq!(mode(grouped, Some("quiet"), true), Some(Mode::Grouped));
        assert_eq!(mode(none, Some("quiet"), true), Some(Mode::Quiet));
        assert_eq!(mode(none, None, true), Some(Mode::Auto));
        assert_eq!(mode(none, None, false), None);
        // The project's `live` keeps the live view, a run that streams too.
        assert_eq!(mode(none, Some("live"), true), None);
        // --tui: the panes, whatever the project's setting.
        assert_eq!(mode(tui, Some("quiet"), true), None);
        assert_eq!(mode(tui, None, true), None);
    }
}
