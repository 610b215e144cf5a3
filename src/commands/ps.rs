//! `vx ps`: the task runs (and syncs) alive on this machine, each with its tasks (or
//! tools) and their phases, read in place from their boards as `vx board ls` finds
//! them. A run whose `vx run` died is not alive: `--all` shows it, marked dead.

use std::io::Write;

use serde_json::json;
use vx::exit::{Error, OK};
use vx::report::table;
use vx_shm::{BoardReader, TaskRun, TaskState, now_unix_ms, registry};
use vx_text::{bytes, duration_ms, sanitize};

use crate::cli::PsArgs;
use vx::report::boards::{listed, phase_name};

/// Runs `vx ps`.
pub fn run(args: &PsArgs) -> Result<i32, Error> {
    let dir = registry::default_dir();
    let mut out = std::io::stdout().lock();
    let boards = listed(&dir, args.all).map_err(Error::environment)?;
    if boards.is_empty() && !args.json {
        writeln!(
            out,
            "nothing running (no live run or sync in {})",
            dir.display()
        )?;
        return Ok(OK);
    }
    let now = now_unix_ms();
    for (listing, board) in boards {
        let alive = listing.owner_alive;
        if board.is_tasks() {
            let run = match TaskRun::from_board(board) {
                Ok(run) => run,
                Err(error) => {
                    vx::note!("vx: run {} cannot be read: {error}", listing.id);
                    continue;
                }
            };
            if args.json {
                writeln!(out, "{}", run_json(&run, alive, now))?;
            } else {
                print_run(&mut out, &run, alive, now)?;
            }
        } else if args.json {
            let info = board.info();
            writeln!(
                out,
                "{}",
                json!({"kind": "sync", "id": info.id, "pid": info.creator.pid,
                       "label": info.label, "alive": alive,
                       "age_ms": now.saturating_sub(info.created_unix_ms),
                       "tools": table::board_rows(&board)})
            )?;
        } else {
            print_sync(&mut out, &board, alive, now)?;
        }
    }
    Ok(OK)
}

/// What became of a run: `running`, `finished`, `interrupted`, or `dead` when its
/// `vx run` is gone without finishing.
pub fn run_state(run: &TaskRun, alive: bool) -> &'static str {
    let board = run.board();
    if board.was_interrupted() {
        "interrupted"
    } else if board.is_finished() {
        "finished"
    } else if !alive {
        "dead"
    } else {
        "running"
    }
}

/// How long the task has run (or ran), if it started.
fn elapsed_ms(task: &TaskState, now: u64) -> Option<u64> {
    (task.started_unix_ms != 0).then(|| {
        let end = if task.ended_unix_ms != 0 {
            task.ended_unix_ms
        } else {
            now
        };
        end.saturating_sub(task.started_unix_ms)
    })
}

pub fn run_json(run: &TaskRun, alive: bool, now: u64) -> serde_json::Value {
    let info = run.board().info();
    let tasks: Vec<_> = run
        .tasks()
        .iter()
        .map(|task| {
            json!({"name": task.name, "phase": phase_name(task),
                   "exit_code": task.phase.filter(|p| p.is_terminal()).map(|_| task.exit_code),
                   "elapsed_ms": elapsed_ms(task, now), "output_bytes": task.output_bytes,
                   "message": task.message})
        })
        .collect();
    json!({"kind": "run", "id": info.id, "pid": info.creator.pid, "label": info.label,
           "state": run_state(run, alive), "alive": alive,
           "age_ms": now.saturating_sub(info.created_unix_ms), "tasks": tasks})
}

pub fn print_run(
    out: &mut impl Write,
    run: &TaskRun,
    alive: bool,
    now: u64,
) -> std::io::Result<()> {
    let info = run.board().info();
    writeln!(
        out,
        "run {} ({}), vx run pid {}, {}, {}",
        &info.id[..12.min(info.id.len())],
        sanitize(&info.label),
        info.creator.pid,
        run_state(run, alive),
        duration_ms(now.saturating_sub(info.created_unix_ms))
    )?;
    let rows: Vec<[String; 5]> = run
        .tasks()
        .iter()
        .map(|task| {
            let phase = match task.phase {
                Some(p) if p.is_terminal() && !p.is_success() && task.exit_code != 0 => {
                    format!("{} ({})", phase_name(task), task.exit_code)
                }
                _ => phase_name(task).to_owned(),
            };
            [
                format!("  {}", sanitize(&task.name)),
                phase,
                elapsed_ms(task, now).map(duration_ms).unwrap_or_default(),
                if task.output_bytes == 0 {
                    String::new()
                } else {
                    bytes(task.output_bytes)
                },
                sanitize(&task.message).into_owned(),
            ]
        })
        .collect();
    write!(
        out,
        "{}",
        vx_text::columns(["  TASK", "PHASE", "TIME", "OUTPUT", "NOTE"], &rows)
    )
}

fn print_sync(
    out: &mut impl Write,
    board: &BoardReader,
    alive: bool,
    now: u64,
) -> std::io::Result<()> {
    let info = board.info();
    let rows = table::board_rows(board);
    let done = table::tally(&rows).done();
    writeln!(
        out,
        "sync {} ({}), vx sync pid {}, {}, {done}/{} tools, {}",
        &info.id[..12.min(info.id.len())],
        sanitize(&info.label),
        info.creator.pid,
        if alive { "running" } else { "dead" },
        info.slot_count,
        duration_ms(now.saturating_sub(info.created_unix_ms))
    )?;
    let width = super::report_width(vx::sync::Stream::Stdout);
    table::write_table(out, &rows, false, None, width, vx::report::Work::Install)
}
