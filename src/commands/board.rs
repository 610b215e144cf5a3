//! `vx board ls | dump | watch | clean`: looking at boards from outside the sync that
//! owns them (and at dump files).

use std::io::{IsTerminal, Write};
use std::path::Path;

use serde_json::json;
use vx_base::exit::{Because, Error, FAILED, OK, USAGE};
use vx_ops::board::{self, open_target, state};
use vx_shm::{Access, BoardReader, TaskRun, now_unix_ms, registry};
use vx_sync::report::table;

use crate::cli::{BoardCommand, DashboardArgs};

/// Runs a `vx board` subcommand.
pub(crate) fn run(command: BoardCommand) -> Result<i32, Error> {
    let dir = registry::default_dir();
    match command {
        BoardCommand::Ls { json } => ls(&dir, json),
        BoardCommand::Dump { target, json } => dump(&dir, target.as_deref(), json),
        BoardCommand::Clean => clean(&dir),
        BoardCommand::Watch { id, dashboard } => watch(&dir, id.as_deref(), dashboard),
    }
}

fn ls(dir: &Path, as_json: bool) -> Result<i32, Error> {
    super::print(&crate::present::board::live(
        dir,
        &board::live(dir)?,
        as_json,
    ))?;
    Ok(OK)
}

fn dump(dir: &Path, target: Option<&str>, as_json: bool) -> Result<i32, Error> {
    let reader = open_target(dir, target, Access::ReadOnly)?;
    let mut out = std::io::stdout().lock();
    if reader.is_tasks() && !reader.is_dump() {
        let alive = reader.owner_alive();
        let run = TaskRun::from_board(reader).map_err(Error::usage)?;
        if as_json {
            writeln!(
                out,
                "{}",
                vx_sync::report::boards::run_json(&run, alive, now_unix_ms())
            )?;
        } else {
            vx_sync::report::boards::print_run(&mut out, &run, alive, now_unix_ms())?;
        }
        return Ok(OK);
    }
    if as_json {
        let info = reader.info();
        let rows = table::board_rows(&reader);
        writeln!(
            out,
            "{}",
            json!({"board": info.id, "label": info.label, "dump": reader.is_dump(),
                   "state": state(&reader), "tools": rows})
        )?;
    } else {
        print_board(&mut out, &reader)?;
    }
    Ok(OK)
}

/// A title line and the summary table of the board as it is now.
fn print_board(out: &mut impl Write, reader: &BoardReader) -> std::io::Result<()> {
    let width = super::report_width(vx_sync::Stream::Stdout);
    crate::present::board::board(out, reader, width)
}

/// `vx board watch`: the dashboard over another process's sync. With no id and several
/// live boards, lists them instead of guessing.
fn watch(dir: &Path, id: Option<&str>, dashboard: DashboardArgs) -> Result<i32, Error> {
    if id.is_none() && board::live_count(dir)? > 1 {
        ls(dir, false)?;
        vx_base::note!("vx: several live boards; pick one with `vx board watch ID`");
        return Ok(USAGE);
    }
    if !std::io::stdout().is_terminal() {
        return Err(Error::usage(
            "`vx board watch` needs a terminal; use `vx board dump` for a snapshot",
        ));
    }
    let reader = open_target(dir, id, Access::ReadWrite)?;
    let stop = vx_base::signals::stop_flag()
        .map_err(|e| Error::environment(Because::new("cannot install signal handlers", e)))?;
    if reader.is_tasks() && !reader.is_dump() {
        return watch_tasks(reader, &dashboard, stop);
    }
    let model = vx_tui::run_in_terminal(
        &reader,
        &vx_tui::Watcher,
        super::dashboard_options(&dashboard),
        dashboard.fps,
        stop,
    )
    .map_err(|e| Error::environment(Because::new("the dashboard failed", e)))?;
    let mut out = std::io::stdout().lock();
    print_board(&mut out, &reader)?;
    if model.owner_gone {
        // Scripts waiting with `--exit-on-done` must not take this for success.
        writeln!(
            out,
            "the sync that owned this board exited before finishing"
        )?;
        return Ok(FAILED);
    }
    Ok(OK)
}

/// `vx board watch` of a task run: a pane per task, the selected one's log followed
/// live (the same panes as `vx run --tui`; leaving them leaves the run going); then the
/// run's table on the normal screen.
fn watch_tasks(
    reader: BoardReader,
    dashboard: &DashboardArgs,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Result<i32, Error> {
    use vx_tui::task_panes::{PanesEnd, TaskPanes, Until, run_task_panes};
    let run = TaskRun::from_board(reader).map_err(Error::usage)?;
    let panes = TaskPanes::watching(&run, super::look());
    let until = if dashboard.exit_on_done {
        Until::Finished
    } else {
        Until::Left
    };
    let (end, _) = run_task_panes(&run, panes, dashboard.fps, stop, until)
        .map_err(|e| Error::environment(Because::new("the task view failed", e)))?;
    let mut out = std::io::stdout().lock();
    let gone = end == PanesEnd::OwnerGone;
    vx_sync::report::boards::print_run(&mut out, &run, !gone, now_unix_ms())?;
    if gone {
        writeln!(
            out,
            "the vx run that owned this board exited before finishing"
        )?;
        return Ok(FAILED);
    }
    Ok(OK)
}

fn clean(dir: &Path) -> Result<i32, Error> {
    let removed = board::clean(dir)?;
    let mut out = std::io::stdout().lock();
    if removed.is_empty() {
        writeln!(out, "nothing to clean in {}", dir.display())?;
    }
    for path in removed {
        writeln!(out, "removed {}", path.display())?;
    }
    Ok(OK)
}
