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

use std::collections::{HashMap, VecDeque};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::Context;
use stderr_ring::StderrRing;
use vx_shm::{Access, Board, BoardReader, Phase, SlotRead, registry};

use crate::cli::{EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, SyncArgs, UsageError, prepare_store};
use crate::manifest::Manifest;
use crate::report::{Reporter, Style, table};
use children::{Running, kill_process_group, publish_terminal, settle, spawn};
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
    /// The live dashboard, when it is shown instead of progress lines.
    pub dashboard: Option<Dashboard>,
    /// `--allow-unverified`: install tools without a sha256.
    pub allow_unverified: bool,
    /// `--read-timeout`, in seconds (`None`: the default).
    pub read_timeout_secs: Option<u32>,
}

/// How the live dashboard is shown.
#[derive(Clone, Copy, Debug)]
pub struct Dashboard {
    /// Look and exit behaviour.
    pub options: vx_tui::Options,
    /// Frames per second.
    pub fps: u32,
}

/// `vx sync`: load the manifest (a bad one is a usage error: exit 2), then sync it.
pub fn run(args: &SyncArgs) -> anyhow::Result<i32> {
    let manifest = Manifest::load(&args.manifest).map_err(|e| UsageError(e.to_string()))?;
    let store = prepare_store(args.install.store.clone())?;
    run_manifest(&manifest, &store, &settings(args))
}

/// The [`Settings`] of `vx sync`'s flags. The dashboard is the default on a terminal;
/// without one (CI, pipes), or with `--headless` or `--json`, progress goes out as lines.
pub fn settings(args: &SyncArgs) -> Settings {
    let terminal = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    if args.tui && !terminal {
        eprintln!("vx: --tui needs a terminal; showing progress lines instead");
    }
    let dashboard = (terminal && !args.headless && !args.json).then(|| Dashboard {
        options: args.dashboard.options(),
        fps: args.dashboard.fps,
    });
    Settings {
        jobs: args.jobs as usize,
        json: args.json,
        dump: args.dump.clone(),
        dashboard,
        allow_unverified: args.install.allow_unverified,
        read_timeout_secs: Some(args.install.read_timeout),
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

    let plan = Plan::new(
        manifest,
        store,
        settings.allow_unverified,
        settings.read_timeout_secs,
    );
    let board = Board::create(&dir, &plan.label, &plan.entries())
        .map_err(|e| UsageError(format!("{}: {e}", manifest.path.display())))?;
    let plan = plan.with_board(board.path());
    let exe = std::env::current_exe().context("cannot find the vx executable to run children")?;

    let style = if settings.json {
        Style::Json
    } else {
        Style::Lines
    };
    // While the dashboard owns the screen, progress lines are muted; if the user leaves
    // it before the sync ends, they resume.
    let muted = Arc::new(AtomicBool::new(settings.dashboard.is_some()));
    let mut reporter = Reporter::new(
        Console {
            muted: Arc::clone(&muted),
        },
        style,
    );
    reporter.start(board.reader().info(), settings.jobs);
    let host = SyncHost {
        interrupt: interrupt.clone(),
        rings: Mutex::default(),
    };

    std::thread::scope(|scope| {
        let dashboard = match settings.dashboard {
            Some(dashboard) => {
                let reader = BoardReader::open(board.path(), Access::ReadWrite)?;
                let (host, muted) = (&host, &muted);
                Some(scope.spawn(move || {
                    // Signals interrupt the sync; the dashboard leaves once it has
                    // wound down (an interrupted board finishes).
                    let never = Arc::new(AtomicBool::new(false));
                    let result = vx_tui::run_in_terminal(
                        &reader,
                        host,
                        dashboard.options,
                        dashboard.fps,
                        never,
                    );
                    muted.store(false, Ordering::Relaxed);
                    result
                }))
            }
            None => None,
        };
        let run = Supervisor {
            board: &board,
            plan: &plan,
            exe: &exe,
            store,
            jobs: settings.jobs,
            interrupt: &interrupt,
            rings: &host.rings,
        };
        let mut snaps = Vec::new();
        let interrupted = run.supervise(&mut reporter, &mut snaps);
        board.finish(interrupted);
        board.reader().snapshot_into(&mut snaps);
        reporter.observe(&snaps);
        // The dashboard shows the final state until the user leaves it.
        if let Some(dashboard) = dashboard {
            match dashboard.join() {
                Ok(Ok(_)) => {}
                Ok(Err(err)) => eprintln!("vx: the dashboard failed: {err}"),
                Err(_) => eprintln!("vx: the dashboard crashed; the sync went on without it"),
            }
        }
        finish(&board, settings, &mut reporter, &snaps, interrupted)
    })
}

/// Writes the dump and the summary; returns the exit code.
fn finish(
    board: &Board,
    settings: &Settings,
    reporter: &mut Reporter<Console>,
    snaps: &[SlotRead],
    interrupted: bool,
) -> anyhow::Result<i32> {
    if let Some(dest) = &settings.dump
        && let Err(err) = board.reader().dump_to(dest)
    {
        eprintln!("vx: cannot write the dump: {err}");
    }
    let rows = table::rows(snaps);
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
    Ok(code)
}

/// Standard output that drops what is written while the dashboard owns the screen.
pub struct Console {
    muted: Arc<AtomicBool>,
}

impl Write for Console {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.muted.load(Ordering::Relaxed) {
            return Ok(buf.len());
        }
        std::io::stdout().write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stdout().flush()
    }
}

/// Live stderr rings by slot, for the dashboard's detail pane.
type Rings = Mutex<HashMap<usize, Arc<Mutex<StderrRing>>>>;

/// What `vx sync` offers its dashboard: the children's stderr and Ctrl-C.
struct SyncHost {
    interrupt: Interrupt,
    rings: Rings,
}

impl vx_tui::Host for SyncHost {
    fn stderr_tail(&self, index: usize) -> Vec<String> {
        let rings = self.rings.lock().unwrap_or_else(PoisonError::into_inner);
        rings.get(&index).map_or_else(Vec::new, |ring| {
            let ring = ring.lock().unwrap_or_else(PoisonError::into_inner);
            ring.lines().map(str::to_owned).collect()
        })
    }

    fn interrupt(&self) -> bool {
        self.interrupt.trigger();
        true
    }
}

/// The poll loop of the parent: spawns, reaps, relays interrupts, reports.
struct Supervisor<'a> {
    board: &'a Board,
    plan: &'a Plan,
    exe: &'a Path,
    store: &'a Path,
    jobs: usize,
    interrupt: &'a Interrupt,
    rings: &'a Rings,
}

impl Supervisor<'_> {
    /// Runs every tool to an outcome; returns whether the sync was interrupted.
    fn supervise(&self, reporter: &mut Reporter<Console>, snaps: &mut Vec<SlotRead>) -> bool {
        let board = self.board;
        let mut queue: VecDeque<usize> = (0..self.plan.configs.len()).collect();
        let mut running: Vec<Running> = Vec::new();
        let mut interrupted_at: Option<Instant> = None;
        let mut killed = false;
        loop {
            if interrupted_at.is_none() && self.interrupt.triggered() {
                interrupted_at = Some(Instant::now());
                for index in 0..self.plan.configs.len() {
                    let _ = board.reader().request_cancel(index);
                }
                for index in queue.drain(..) {
                    publish_terminal(
                        board,
                        index,
                        Phase::Cancelled,
                        "interrupted before it started",
                        130,
                    );
                }
            }
            while running.len() < self.jobs {
                let Some(index) = queue.pop_front() else {
                    break;
                };
                match spawn(self.exe, &self.plan.configs[index]) {
                    Ok(child) => {
                        self.rings
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .insert(index, child.stderr.ring());
                        running.push(child);
                    }
                    Err(err) => publish_terminal(
                        board,
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
                        let group = child.pid();
                        let done = settle(board, child, status, interrupted_at.is_some());
                        if done.took_over {
                            // It died without cleaning up after itself: whatever it
                            // started (a post_install command) is still in its process
                            // group, and its work dir is left.
                            kill_process_group(group);
                            crate::install::store::clean_stale_work(self.store);
                        }
                        settled.push(done);
                    }
                    Ok(None) | Err(_) => i += 1,
                }
            }

            for child in &mut running {
                child.kill_if_lingering(board, LINGER);
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

            board.reader().snapshot_into(snaps);
            reporter.observe(snaps);
            for settled in settled {
                report_failure(board, reporter, settled);
            }
            if running.is_empty() && queue.is_empty() {
                return interrupted_at.is_some();
            }
            std::thread::sleep(if interrupted_at.is_some() {
                POLL / 4
            } else {
                POLL
            });
        }
    }
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
