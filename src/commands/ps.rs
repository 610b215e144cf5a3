//! `vx ps`: the task runs (and syncs) alive on this machine, each with its tasks (or
//! tools) and their phases, read in place from their boards as `vx board ls` finds
//! them. A run whose `vx run` died is not alive: `--all` shows it, marked dead.

use std::io::Write;

use serde_json::json;
use vx_base::exit::{Error, OK};
use vx_ops::board::{self, Seen};
use vx_shm::{now_unix_ms, registry};
use vx_sync::report::table;

use crate::cli::PsArgs;
use vx_sync::report::boards::{print_run, run_json};

/// Runs `vx ps`.
pub(crate) fn run(args: &PsArgs) -> Result<i32, Error> {
    let dir = registry::default_dir();
    let mut out = std::io::stdout().lock();
    let boards = board::runs(&dir, args.all)?;
    if boards.is_empty() && !args.json {
        writeln!(
            out,
            "nothing running (no live run or sync in {})",
            dir.display()
        )?;
        return Ok(OK);
    }
    let now = now_unix_ms();
    for (listing, seen) in boards {
        let alive = listing.owner_alive;
        match seen {
            Seen::Unreadable(error) => {
                vx_base::note!("vx: run {} cannot be read: {error}", listing.id);
            }
            Seen::Run(run) if args.json => writeln!(out, "{}", run_json(&run, alive, now))?,
            Seen::Run(run) => print_run(&mut out, &run, alive, now)?,
            Seen::Sync(board) if args.json => {
                let info = board.info();
                writeln!(
                    out,
                    "{}",
                    json!({"kind": "sync", "id": info.id, "pid": info.creator.pid,
                           "label": info.label, "alive": alive,
                           "age_ms": now.saturating_sub(info.created_unix_ms),
                           "tools": table::board_rows(&board)})
                )?;
            }
            Seen::Sync(board) => {
                let width = super::report_width(vx_sync::Stream::Stdout);
                crate::present::board::sync(&mut out, &board, alive, now, width)?;
            }
        }
    }
    Ok(OK)
}
