//! `vx sync`, the parent: plan the manifest onto a board, run at most `-j N`
//! `vx install` children at once, report from the board, and make sure every tool ends
//! with exactly one terminal state.
//!
//! - [`plan`]: manifest → board entries and one install config per slot.
//! - [`children`]: spawning children (own process group, config frame on stdin,
//!   stderr into a [`stderr_ring`]) and settling their end (the parent publishes
//!   Failed for a child that died without a terminal state).
//! - [`signals`]: SIGINT/SIGTERM → cancel every slot, 3 s grace, then kill the
//!   remaining process groups; exit 130.
//!
//! The board is removed on every exit path: [`vx_shm::Board`] removes its segment when
//! dropped, also while unwinding from a panic.

pub mod children;
pub mod plan;
pub mod signals;
pub mod stderr_ring;

use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use vx_shm::{Board, Phase, SlotRead, registry};

use crate::cli::{EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, SyncArgs, UsageError, prepare_store};
use crate::manifest::Manifest;
use crate::report::{Reporter, Style, table};
use children::{Running, publish_terminal, settle, spawn};
use plan::Plan;
use signals::Interrupt;

/// How often the parent polls children and the board.
pub const POLL: Duration = Duration::from_millis(100);
/// How long children get to stop after a cancel request before they are killed.
pub const GRACE: Duration = Duration::from_secs(3);
/// How long a child may linger after publishing its terminal state before it is
/// killed (its outcome is already on the board; this only keeps a stuck exit from
/// stalling the sync).
pub const LINGER: Duration = Duration::from_secs(10);

/// How a sync runs, beyond its manifest and store.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Children at once.
    pub jobs: usize,
    /// JSON events instead of lines.
    pub json: bool,
    /// Where to dump the board at the end.
    pub dump: Option<PathBuf>,
}

/// `vx sync`: load the manifest (a bad one is a usage error: exit 2), then sync it.
pub fn run(args: &SyncArgs) -> anyhow::Result<i32> {
    let manifest = Manifest::load(&args.manifest).map_err(|e| UsageError(e.to_string()))?;
    let store = prepare_store(args.store.clone())?;
    run_manifest(&manifest, &store, &settings(args))
}

/// The [`Settings`] of `vx sync`'s flags. The dashboard (`--tui`, and the default on
/// a terminal) is not built yet: headless output stands in for it, with a note when it
/// was asked for explicitly.
pub fn settings(args: &SyncArgs) -> Settings {
    if args.tui && !args.json {
        eprintln!("vx: the dashboard is not available yet; showing headless output");
    }
    Settings {
        jobs: args.jobs as usize,
        json: args.json,
        dump: args.dump.clone(),
    }
}

/// Syncs `manifest` into `store` (an absolute path) and returns the exit code:
/// [`EXIT_OK`], [`EXIT_FAILED`] or [`EXIT_INTERRUPTED`].
pub fn run_manifest(manifest: &Manifest, store: &Path, settings: &Settings) -> anyhow::Result<i32> {
    let interrupt = Interrupt::register().context("cannot install signal handlers")?;
    let dir = registry::default_dir();
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the board directory {}", dir.display()))?;
    let dir = std::path::absolute(&dir)?;
    // Boards left by crashed syncs go first; failing to list them is not fatal.
    let _ = registry::clean(&dir);

    // Work directories left in the store by killed installs go too.
    crate::install::store::clean_stale_work(store);

    let plan = Plan::new(manifest, store);
    let board = Board::create(&dir, &plan.label, &plan.entries())
        .map_err(|e| UsageError(format!("{}: {e}", manifest.path.display())))?;
    let plan = plan.with_board(board.path());
    let exe = std::env::current_exe().context("cannot find the vx executable to run children")?;

    let style = if settings.json {
        Style::Json
    } else {
        Style::Lines
    };
    let mut reporter = Reporter::new(std::io::stdout().lock(), style);
    reporter.start(board.reader().info(), settings.jobs);

    let mut queue: VecDeque<usize> = (0..plan.configs.len()).collect();
    let mut running: Vec<Running> = Vec::new();
    let mut snaps: Vec<SlotRead> = Vec::new();
    let mut interrupted_at: Option<Instant> = None;
    let mut killed = false;
    loop {
        if interrupted_at.is_none() && interrupt.triggered() {
            interrupted_at = Some(Instant::now());
            for index in 0..plan.configs.len() {
                let _ = board.reader().request_cancel(index);
            }
            for index in queue.drain(..) {
                publish_terminal(
                    &board,
                    index,
                    Phase::Cancelled,
                    "interrupted before it started",
                    130,
                );
            }
        }
        while running.len() < settings.jobs {
            let Some(index) = queue.pop_front() else {
                break;
            };
            match spawn(&exe, &plan.configs[index]) {
                Ok(child) => running.push(child),
                Err(err) => publish_terminal(
                    &board,
                    index,
                    Phase::Failed,
                    &format!("cannot start its installer: {err}"),
                    1,
                ),
            }
        }

        let mut settled = Vec::new();
        let mut i = 0;
        while i < running.len() {
            match running[i].child.try_wait() {
                Ok(Some(status)) => {
                    let child = running.swap_remove(i);
                    let done = settle(&board, child, status, interrupted_at.is_some());
                    if done.took_over {
                        // It died without cleaning up after itself.
                        crate::install::store::clean_stale_work(store);
                    }
                    settled.push(done);
                }
                Ok(None) | Err(_) => i += 1,
            }
        }

        for child in &mut running {
            child.kill_if_lingering(&board, LINGER);
        }

        if let Some(at) = interrupted_at
            && !killed
            && at.elapsed() >= GRACE
        {
            for child in &running {
                child.kill_group();
            }
            killed = true;
        }

        board.reader().snapshot_into(&mut snaps);
        reporter.observe(&snaps);
        for settled in settled {
            report_failure(&board, &mut reporter, settled);
        }
        if running.is_empty() && queue.is_empty() {
            break;
        }
        std::thread::sleep(if interrupted_at.is_some() {
            POLL / 4
        } else {
            POLL
        });
    }

    let interrupted = interrupted_at.is_some();
    board.finish(interrupted);
    board.reader().snapshot_into(&mut snaps);
    reporter.observe(&snaps);
    if let Some(dest) = &settings.dump
        && let Err(err) = board.reader().dump_to(dest)
    {
        eprintln!("vx: cannot write the dump: {err}");
    }
    let rows = table::rows(&snaps);
    let code = if interrupted {
        EXIT_INTERRUPTED
    } else if rows.iter().all(|row| row.ok) {
        EXIT_OK
    } else {
        EXIT_FAILED
    };
    // The sequence grows by 2 per publish, so it counts the records each slot took.
    let publishes = snaps
        .iter()
        .filter_map(|read| read.as_ref().ok())
        .map(|snap| snap.seq / 2)
        .sum();
    // Best effort: a closed stdout must not change the outcome.
    let _ = reporter.summary(&rows, interrupted, code, publishes);
    drop(board);
    Ok(code)
}

fn report_failure(board: &Board, reporter: &mut Reporter<impl Write>, settled: children::Settled) {
    let failed = board
        .reader()
        .read_slot(settled.index)
        .and_then(Result::ok)
        .filter(|snap| snap.record.phase() == Some(Phase::Failed));
    if let Some(snap) = failed {
        reporter.child_stderr(&snap.record.tool(), &settled.stderr);
    }
}
