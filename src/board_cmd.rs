//! `vx board ls | dump | clean`: looking at boards from outside the sync that owns
//! them (and at dump files).

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use anyhow::Context;
use serde_json::json;
use vx_shm::{Access, BoardReader, now_unix_ms, registry};

use crate::cli::{BoardCommand, DashboardArgs, EXIT_OK, EXIT_USAGE, UsageError};
use crate::report::table::{self, human_duration_ms};

/// Runs a `vx board` subcommand.
pub fn run(command: BoardCommand) -> anyhow::Result<i32> {
    let dir = registry::default_dir();
    match command {
        BoardCommand::Ls { json } => ls(&dir, json),
        BoardCommand::Dump { target, json } => dump(&dir, target.as_deref(), json),
        BoardCommand::Clean => clean(&dir),
        BoardCommand::Watch { id, dashboard } => watch(&dir, id.as_deref(), dashboard),
    }
}

fn list(dir: &Path) -> anyhow::Result<Vec<registry::Listing>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    registry::list(dir).with_context(|| format!("cannot list boards in {}", dir.display()))
}

fn ls(dir: &Path, as_json: bool) -> anyhow::Result<i32> {
    let mut out = std::io::stdout().lock();
    let mut rows = Vec::new();
    for listing in list(dir)?.into_iter().filter(|l| l.owner_alive) {
        let Ok(reader) = BoardReader::open(&listing.path, Access::ReadOnly) else {
            continue;
        };
        let info = reader.info();
        let rows_now = table::rows(&reader.snapshot());
        let done = rows_now
            .iter()
            .filter(|r| {
                matches!(
                    r.result.as_str(),
                    "completed" | "cached" | "failed" | "cancelled"
                )
            })
            .count();
        let age_ms = now_unix_ms().saturating_sub(info.created_unix_ms);
        if as_json {
            writeln!(
                out,
                "{}",
                json!({"id": info.id, "pid": info.creator.pid, "label": info.label,
                       "done": done, "total": info.slot_count, "age_ms": age_ms})
            )?;
        } else {
            rows.push([
                info.id.clone(),
                info.creator.pid.to_string(),
                info.label.clone(),
                format!("{done}/{}", info.slot_count),
                human_duration_ms(age_ms),
            ]);
        }
    }
    if !as_json {
        if rows.is_empty() {
            writeln!(out, "no live boards in {}", dir.display())?;
        } else {
            writeln!(
                out,
                "ID                                PID      TOOLS  AGE     LABEL"
            )?;
            for [id, pid, label, tools, age] in rows {
                writeln!(out, "{id:<32}  {pid:<7}  {tools:<5}  {age:<6}  {label}")?;
            }
        }
    }
    Ok(EXIT_OK)
}

/// Opens what `target` names: an existing path (dump file or segment), else a live
/// board id or prefix; without a target, the only live board.
pub fn open_target(
    dir: &Path,
    target: Option<&str>,
    access: Access,
) -> anyhow::Result<BoardReader> {
    let path = match target {
        Some(t) if Path::new(t).exists() => Path::new(t).to_path_buf(),
        Some(id) => {
            registry::resolve(dir, id)
                .map_err(|e| UsageError(format!("no board {id:?}: {e}")))?
                .path
        }
        None => {
            let live: Vec<_> = list(dir)?.into_iter().filter(|l| l.owner_alive).collect();
            match live.len() {
                1 => live.into_iter().next().map(|l| l.path).unwrap_or_default(),
                0 => {
                    return Err(
                        UsageError("no live board; name a board id or a dump file".into()).into(),
                    );
                }
                n => {
                    return Err(UsageError(format!(
                        "{n} live boards; name one (see `vx board ls`)"
                    ))
                    .into());
                }
            }
        }
    };
    BoardReader::open(&path, access)
        .map_err(|e| UsageError(format!("{}: {e}", path.display())).into())
}

fn dump(dir: &Path, target: Option<&str>, as_json: bool) -> anyhow::Result<i32> {
    let reader = open_target(dir, target, Access::ReadOnly)?;
    let mut out = std::io::stdout().lock();
    if as_json {
        let info = reader.info();
        let rows = table::rows(&reader.snapshot());
        writeln!(
            out,
            "{}",
            json!({"board": info.id, "label": info.label, "dump": reader.is_dump(),
                   "state": state(&reader), "tools": rows})
        )?;
    } else {
        print_board(&mut out, &reader)?;
    }
    Ok(EXIT_OK)
}

fn state(reader: &BoardReader) -> &'static str {
    if reader.was_interrupted() {
        "interrupted"
    } else if reader.is_finished() {
        "finished"
    } else {
        "running"
    }
}

/// A title line and the summary table of the board as it is now.
fn print_board(out: &mut impl Write, reader: &BoardReader) -> std::io::Result<()> {
    let info = reader.info();
    let kind = if reader.is_dump() {
        "dump of board"
    } else {
        "board"
    };
    writeln!(
        out,
        "{kind} {} ({}), {}",
        info.id,
        info.label,
        state(reader)
    )?;
    table::write_table(out, &table::rows(&reader.snapshot()))
}

/// `vx board watch`: the dashboard over another process's sync. With no id and several
/// live boards, lists them instead of guessing.
fn watch(dir: &Path, id: Option<&str>, dashboard: DashboardArgs) -> anyhow::Result<i32> {
    if id.is_none() && list(dir)?.iter().filter(|l| l.owner_alive).count() > 1 {
        ls(dir, false)?;
        eprintln!("vx: several live boards; pick one with `vx board watch ID`");
        return Ok(EXIT_USAGE);
    }
    if !std::io::stdout().is_terminal() {
        return Err(UsageError(
            "`vx board watch` needs a terminal; use `vx board dump` for a snapshot".into(),
        )
        .into());
    }
    let reader = open_target(dir, id, Access::ReadWrite)?;
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [SIGTERM, SIGHUP, SIGINT] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .context("cannot install signal handlers")?;
    }
    let model = vx_tui::run_in_terminal(
        &reader,
        &vx_tui::Watcher,
        dashboard.options(),
        dashboard.fps,
        stop,
    )
    .context("the dashboard failed")?;
    let mut out = std::io::stdout().lock();
    print_board(&mut out, &reader)?;
    if model.owner_gone {
        writeln!(
            out,
            "the sync that owned this board exited before finishing"
        )?;
    }
    Ok(EXIT_OK)
}

fn clean(dir: &Path) -> anyhow::Result<i32> {
    let mut out = std::io::stdout().lock();
    if !dir.exists() {
        writeln!(out, "nothing to clean in {}", dir.display())?;
        return Ok(EXIT_OK);
    }
    let removed =
        registry::clean(dir).with_context(|| format!("cannot clean {}", dir.display()))?;
    if removed.is_empty() {
        writeln!(out, "nothing to clean in {}", dir.display())?;
    }
    for path in removed {
        writeln!(out, "removed {}", path.display())?;
    }
    Ok(EXIT_OK)
}
