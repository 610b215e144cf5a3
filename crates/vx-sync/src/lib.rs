//! `vx sync`'s parent process: it plans the children, reads their board and makes the
//! reports ([`report`]).
//!
//! `vx sync`, the parent: plan the manifest onto a board, run at most `-j N`
//! `vx install` children at once, report from the board, and make sure every tool ends
//! with exactly one terminal state.
//!
//! - [`plan`]: manifest → board entries and one install config per slot.
//! - [`children`]: spawning children (own process tree, config frames on stdin,
//!   stderr into a [`stderr_ring`]) and settling their end (the parent publishes
//!   Failed for a child that died without a terminal state).
//! - Batches: while more tools wait than `-j` children can take, a child takes
//!   several small ones ([`batch_len`], [`batchable`]): a process's start costs more
//!   than a tiny tool's install. Each keeps its own slot, terminal state, receipt and
//!   failure; the tools of a batch whose child died before it started them run again,
//!   each in a child of its own (`children::settle`).
//! - SIGINT/SIGTERM ([`vx_base::signals::Interrupt`]) → cancel every slot, 3 s grace,
//!   then kill the remaining process trees; exit 130.
//!
//! The board is removed on every exit path: [`vx_shm::Board`] removes its segment when
//! dropped, also while unwinding from a panic.
#![forbid(unsafe_code)]
// Only the face is `pub`; the rooms' docs link to what the crate keeps to itself, which
// `cargo doc --document-private-items` (the contributors' view) shows.
#![allow(rustdoc::private_intra_doc_links)]

pub mod report;

pub(crate) mod children;
pub(crate) mod plan;
pub(crate) mod stderr_ring;

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use stderr_ring::StderrRing;
use vx_shm::{Access, Board, BoardReader, Phase, SlotRead, registry};

use crate::report::reasons::{
    FullReasons, line_prefix, notice_prefix, notices_from_stderr, retries_from_stderr, retry_prefix,
};
use crate::report::{Reporter, Style, Verbosity, table};
use children::{Exit, Job, Running, publish_terminal, settle, spawn};
use plan::Plan;
use vx_base::exit::{FAILED, INTERRUPTED, OK};
use vx_base::signals::Interrupt;
use vx_engine::install::Outcome;
use vx_model::spec::ToolSpec;

/// The longest the parent's event loop sleeps without an event (a child's exit, an
/// interrupt): the cadence of its board reads for reporting, of its check for stuck
/// children and of the kill after [`GRACE`].
pub(crate) const POLL: Duration = Duration::from_millis(100);
/// How long children get to stop after a cancel request before they are killed.
pub(crate) const GRACE: Duration = Duration::from_secs(3);
/// How long a child may linger after publishing its terminal state before it is
/// killed (its outcome is already on the board; this only keeps a stuck exit from
/// stalling the sync).
pub(crate) const LINGER: Duration = Duration::from_secs(10);

/// The most tools one child installs ([`batch_len`]): bounds what a crash in a batch
/// sends to be run again.
pub(crate) const MAX_BATCH: usize = 16;
// A batch fits in what a child reads.
const _: () = assert!(MAX_BATCH <= vx_model::config_frame::MAX_FRAMES);
/// How many tools a sync must have to install (not found installed) for its children to
/// take batches ([`batch_len`]): below it, a child per tool costs a few milliseconds in
/// all and keeps every download of a small project in parallel.
pub const BATCH_FROM: usize = 16;
/// The largest download (as the lock records it) a child installs in a batch; a larger
/// one, or a tool with a `post_install` step or install options, gets a child of its
/// own ([`batchable`]).
pub(crate) const BATCH_BYTES: u64 = 4 << 20;

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
    /// Tools whose failure does not fail the sync: the demo's deliberately broken one.
    pub expected_failures: Vec<String>,
    /// Tools installed without a sha256 because their download is being locked (trust
    /// on first use), whatever `allow_unverified` says.
    pub first_use: Vec<String>,
    /// Where progress lines and the summary go: stdout for `vx sync`, stderr when the
    /// sync only prepares a command whose stdout is its own (`vx exec`).
    pub report_to: Stream,
    /// When the command started: the final line says how long it took.
    pub started: Instant,
    /// How much the lines say (`-q`, `-v`).
    pub verbosity: Verbosity,
    /// `--progress-interval`: the periodic line at a fixed interval (`None`: backing
    /// off from 3 s to 60 s).
    pub progress_interval: Option<Duration>,
    /// Hash and check each download without installing it (`vx lock` filling another
    /// platform's entries): see [`vx_model::config_frame::InstallConfig::probe`].
    pub probe: bool,
    /// The columns progress lines and the summary keep within (`$COLUMNS`, else the
    /// terminal's when `report_to` is one); `None`: lines as long as they are.
    pub width: Option<usize>,
    /// The project's network settings (vx.toml's `url_replacements`, `mirrors`), for
    /// every child's config frame.
    pub network: vx_model::manifest::network::ProjectNet,
    /// `--offline` (or `VX_OFFLINE=1`): every download from a local source or none.
    pub offline: bool,
    /// Only download, into this directory (see
    /// [`vx_model::config_frame::InstallConfig::save_to`]).
    pub save_to: Option<PathBuf>,
}

/// An output stream of the process.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    #[default]
    Stdout,
    /// Standard error.
    Stderr,
}

/// Why a sync could not run (tool failures are outcomes, not errors).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The signal handlers could not be installed.
    #[error("cannot install signal handlers")]
    Signals(#[source] std::io::Error),
    /// The board directory could not be created.
    #[error("cannot create the board directory {dir}")]
    BoardDir {
        /// The directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The board could not be created or opened.
    #[error("cannot create the progress board for {label}")]
    Board {
        /// The board's label (the manifest path).
        label: String,
        /// Why.
        #[source]
        source: vx_shm::Error,
    },
    /// The `vx` executable to run children could not be found.
    #[error("cannot find the vx executable to run children")]
    Exe(#[source] std::io::Error),
}

/// How the live progress is shown on a terminal.
#[derive(Clone, Copy, Debug)]
pub struct Dashboard {
    /// Look and exit behaviour.
    pub options: vx_tui::Options,
    /// Frames per second.
    pub fps: u32,
    /// The inline region under the prompt (the default) rather than the full-screen
    /// dashboard (`--tui`).
    pub inline: bool,
}

/// Syncs `tools` (a manifest resolved for this platform; `label` names the manifest)
/// into `store` (an absolute path) and returns the exit code: [`OK`], [`FAILED`] or
/// [`INTERRUPTED`].
pub fn run(
    label: &str,
    tools: &[ToolSpec],
    store: &Path,
    settings: &Settings,
) -> Result<i32, SyncError> {
    run_with_failures(label, tools, store, settings).map(|(code, _)| code)
}

/// [`run`], also returning each tool that failed to install (not one an interrupt
/// cancelled) with its whole reason (`(name, reason)`), so a caller's later line about it can say why without relying
/// on what the report printed (a `--json` report goes to stdout, a dashboard's lines
/// leave the screen).
pub fn run_with_failures(
    label: &str,
    tools: &[ToolSpec],
    store: &Path,
    settings: &Settings,
) -> Result<(i32, Vec<(String, String)>), SyncError> {
    let plan = Plan::new(label, tools, store, settings);
    // Each receipt is read once: here, for the no-op check and for the supervisor,
    // which records these tools cached without starting a child.
    let cached: Vec<Option<Outcome>> = plan
        .configs
        .iter()
        .map(vx_engine::install::cached)
        .collect();
    // Everything already installed: one line, no board, no child. A dump needs a board.
    if settings.dump.is_none()
        && let Some(outcomes) = cached.iter().cloned().collect::<Option<Vec<_>>>()
    {
        // Boards left by crashed syncs go at every sync, this quick one too: each is
        // a file of shared memory, held until removed. (Listing a directory: cheap.)
        let _ = registry::clean(&registry::default_dir());
        up_to_date(&plan, &outcomes, settings);
        return Ok((OK, Vec::new()));
    }
    if settings.verbosity == Verbosity::Verbose {
        note_routes(&plan, &cached, settings);
    }
    let interrupt = Interrupt::register().map_err(SyncError::Signals)?;
    let dir = registry::default_dir();
    let board_dir = |source| SyncError::BoardDir {
        dir: dir.clone(),
        source,
    };
    std::fs::create_dir_all(&dir).map_err(board_dir)?;
    let dir = std::path::absolute(&dir).map_err(board_dir)?;
    // Boards left by crashed syncs go first; failing to list them is not fatal.
    let _ = registry::clean(&dir);

    // Work directories left in the store by killed installs go too: moved aside at
    // once, deleted in the background (a large one must not hold up the run or Ctrl-C).
    // The run waits for the deletions at its end (unless interrupted).
    let deleting = Mutex::new(Vec::from_iter(vx_engine::store::clean_stale_work(
        store,
        &interrupt.flag(),
    )));

    let label = plan.label.clone();
    let board_error = |source| SyncError::Board {
        label: label.clone(),
        source,
    };
    let board = Board::create(&dir, &plan.label, &plan.entries()).map_err(board_error)?;
    let plan = plan.with_board(board.path());
    // The running image, not the file's current content: a `vx self update` during
    // the sync must not make its later children another vx. Held until the sync ends.
    let image = vx_base::platform::image::RunningImage::current().map_err(SyncError::Exe)?;
    let exe = image.path();

    // While the dashboard owns the screen, progress lines are muted; if the user leaves
    // it before the sync ends, they resume.
    let muted = Arc::new(AtomicBool::new(settings.dashboard.is_some()));
    let reasons = Arc::new(Mutex::new(FullReasons::default()));
    // The whole versions: the board's field shows a long one cut (`docs/LAYOUT.md`).
    let versions = plan
        .configs
        .iter()
        .map(|cfg| cfg.spec.version.clone())
        .collect();
    let mut reporter = reporter(settings, &muted, &reasons).with_versions(versions);
    reporter.start(board.reader().info(), settings.jobs);
    let host = SyncHost {
        interrupt: interrupt.clone(),
        rings: Mutex::default(),
        reasons,
    };

    std::thread::scope(|scope| {
        let dashboard = match settings.dashboard {
            Some(dashboard) => {
                let reader =
                    BoardReader::open(board.path(), Access::ReadWrite).map_err(board_error)?;
                let (host, muted, jobs) = (&host, &muted, settings.jobs);
                Some(scope.spawn(move || {
                    // Signals interrupt the sync; the dashboard leaves once it has
                    // wound down (an interrupted board finishes).
                    let result = if dashboard.inline {
                        let look = dashboard.options.look;
                        vx_tui::run_inline(&reader, host, look, dashboard.fps, jobs)
                    } else {
                        let never = Arc::new(AtomicBool::new(false));
                        let options = dashboard.options;
                        vx_tui::run_in_terminal(&reader, host, options, dashboard.fps, never)
                            .map(drop)
                    };
                    muted.store(false, Ordering::Relaxed);
                    result
                }))
            }
            None => None,
        };
        let to_install = cached.iter().filter(|outcome| outcome.is_none()).count();
        let run = Supervisor {
            board: &board,
            plan: &plan,
            exe,
            store,
            jobs: settings.jobs,
            batching: to_install >= BATCH_FROM,
            interrupt: &interrupt,
            rings: &host.rings,
            reasons: &host.reasons,
            deleting: &deleting,
        };
        let mut snaps = Vec::new();
        let interrupted = run.supervise(&mut reporter, &mut snaps, cached);
        board.finish(interrupted);
        board.reader().snapshot_into(&mut snaps);
        reporter.observe(&snaps);
        // The dashboard shows the final state until the user leaves it.
        if let Some(dashboard) = dashboard {
            match dashboard.join() {
                Ok(Ok(_)) => {}
                Ok(Err(err)) => vx_base::note!("vx: the dashboard failed: {err}"),
                Err(_) => vx_base::note!("vx: the dashboard crashed; the sync went on without it"),
            }
        }
        let reasons = host.reasons.lock().unwrap_or_else(PoisonError::into_inner);
        let rows = summary_rows(&board, &plan, store, &snaps, &reasons);
        let code = finish(&board, settings, &mut reporter, &rows, &snaps, interrupted)?;
        let deleting =
            std::mem::take(&mut *deleting.lock().unwrap_or_else(PoisonError::into_inner));
        await_deletions(deleting, &interrupt);
        // A tool the user's interrupt cancelled did not fail: it is not among the
        // failures (a caller remembers those, and `vx exec` would not try it again).
        let failures = rows
            .iter()
            .filter(|row| !row.ok && row.result != vx_tui::State::Phase(Phase::Cancelled))
            .map(|row| (row.tool.clone(), row.message.clone()))
            .collect();
        Ok((code, failures))
    })
}

/// Under `-v`, where the children's downloads go: the rewrites, the proxy of each
/// URL, the mirrors tried first (the children fetch through the same rules). Nothing
/// when the network settings cannot be read (the children say so).
fn note_routes(plan: &Plan, cached: &[Option<Outcome>], settings: &Settings) {
    let Ok(net) = vx_sources::settings::network::load(&settings.network) else {
        return;
    };
    let urls: Vec<&str> = plan
        .configs
        .iter()
        .zip(cached)
        .filter(|(_, c)| c.is_none())
        .map(|(cfg, _)| cfg.spec.url.as_str())
        .collect();
    for line in net.rewrites.notes(urls.iter().copied()) {
        vx_base::note!("{line}");
    }
    for url in &urls {
        let url = net.rewrites.apply(url);
        if let Ok(route) = net.proxies.route(&url)
            && let Some(proxy) = route.proxy_for_display()
        {
            vx_base::note!(
                "vx: {} through the proxy {proxy}",
                vx_net::url::display_url(&url)
            );
        }
    }
    if !net.mirrors.is_empty() {
        vx_base::note!(
            "vx: mirrors tried before the origin: {}",
            vx_tui::text::sanitize(&net.mirrors.join(", "))
        );
    }
}

/// The sync's reporter as `settings` ask: JSON events or lines, on the console unless
/// `muted` (while a dashboard owns the screen), keeping each failure's whole reason in
/// `reasons`.
fn reporter(
    settings: &Settings,
    muted: &Arc<AtomicBool>,
    reasons: &Arc<Mutex<FullReasons>>,
) -> Reporter<Console> {
    let style = if settings.json {
        Style::Json
    } else {
        Style::Lines
    };
    let reporter = Reporter::new(
        Console {
            muted: Arc::clone(muted),
            stream: settings.report_to,
        },
        style,
    )
    .with_reasons(Arc::clone(reasons))
    .with_verbosity(settings.verbosity)
    .with_width(settings.width)
    .with_work(if settings.probe {
        crate::report::Work::Lock
    } else {
        crate::report::Work::Install
    });
    match settings.progress_interval {
        Some(interval) => reporter.with_interval(interval),
        None => reporter,
    }
}

/// The summary's rows: the board's final states, each failure with its whole reason and
/// each install with what it unpacked (from the receipt it wrote).
fn summary_rows(
    board: &Board,
    plan: &Plan,
    store: &Path,
    snaps: &[SlotRead],
    reasons: &FullReasons,
) -> Vec<table::Row> {
    let mut rows = table::rows(snaps, &board.reader().info().names);
    for (index, row) in rows.iter_mut().enumerate() {
        // The whole version: the slot shows a long one cut (`docs/LAYOUT.md`).
        if let Some(config) = plan.configs.get(index) {
            row.version.clone_from(&config.spec.version);
        }
        if let Some(reason) = reasons.known(index) {
            row.message = reason.to_owned();
        }
        if row.result == vx_tui::State::Phase(vx_shm::Phase::Completed)
            && let Some(config) = plan.configs.get(index)
        {
            row.unpacked = vx_engine::store::receipt_for(store, &config.spec)
                .and_then(|receipt| receipt.unpacked);
        }
    }
    rows
}

/// Writes the dump and the summary; returns the exit code. A dump that cannot be
/// written fails the run (exit 1 unless interrupted): a CI job that asked for it would
/// otherwise find nothing and no error.
fn finish(
    board: &Board,
    settings: &Settings,
    reporter: &mut Reporter<Console>,
    rows: &[table::Row],
    snaps: &[SlotRead],
    interrupted: bool,
) -> Result<i32, SyncError> {
    // The error names the path.
    let dump_failed = settings.dump.as_ref().and_then(|dest| {
        let err = board.reader().dump_to(dest).err()?;
        Some(format!("vx: cannot write the dump: {err}"))
    });
    let expected = |row: &table::Row| settings.expected_failures.contains(&row.tool);
    let code = if interrupted {
        INTERRUPTED
    } else if dump_failed.is_none() && rows.iter().all(|row| row.ok || expected(row)) {
        OK
    } else {
        FAILED
    };
    // Best effort: a closed stdout must not change the outcome. The inline region
    // already printed a line per tool: one summary line is left to say.
    let quiet = settings.verbosity == Verbosity::Quiet && !settings.json;
    if quiet || settings.dashboard.is_some_and(|d| d.inline) {
        let _ = reporter.final_line(rows, interrupted, settings.started.elapsed());
    } else {
        let took = settings.started.elapsed();
        let _ = reporter.summary(rows, interrupted, code, publish_count(snaps), took);
    }
    if let Some(message) = dump_failed {
        vx_base::note!("{}", vx_tui::text::sanitize(&message));
    }
    Ok(code)
}

/// How many records the slots took: the sequence grows by 2 per publish. Saturating,
/// since a slot's sequence is board data, not ours to trust.
fn publish_count(snaps: &[SlotRead]) -> u64 {
    snaps
        .iter()
        .filter_map(|read| read.as_ref().ok())
        .fold(0, |sum, snap| sum.saturating_add(snap.seq / 2))
}

/// Reports that every tool is installed already: one line (or the JSON summary), with
/// the rows made as the board would have shown them.
fn up_to_date(plan: &Plan, outcomes: &[Outcome], settings: &Settings) {
    let now = vx_shm::now_unix_ms();
    let snaps: Vec<SlotRead> = plan
        .configs
        .iter()
        .zip(outcomes)
        .enumerate()
        .map(|(index, (cfg, outcome))| {
            let mut record = vx_shm::SlotRecord::queued(&cfg.spec.name, &cfg.spec.version);
            record.attempt = 1;
            record.started_unix_ms = now;
            record.updated_unix_ms = now;
            let terminal = vx_engine::install::Terminal::of(&Ok(outcome.clone()));
            vx_engine::child::board_sink::record_terminal(&mut record, &terminal, Some(outcome), 0);
            Ok(vx_shm::SlotSnapshot {
                index,
                seq: 0,
                cancel_requested: false,
                record,
            })
        })
        .collect();
    let mut rows = table::rows(&snaps, &[]);
    // The whole version: the slot shows a long one cut (`docs/LAYOUT.md`).
    for (row, cfg) in rows.iter_mut().zip(&plan.configs) {
        row.version.clone_from(&cfg.spec.version);
    }
    let console = Console {
        muted: Arc::default(),
        stream: settings.report_to,
    };
    let style = if settings.json {
        Style::Json
    } else {
        Style::Lines
    };
    // Best effort: a closed stdout must not change the outcome.
    let _ = Reporter::new(console, style)
        .with_width(settings.width)
        .up_to_date(&rows, settings.started.elapsed());
}

/// Standard output (or error) that drops what is written while the dashboard owns the
/// screen.
pub(crate) struct Console {
    muted: Arc<AtomicBool>,
    stream: Stream,
}

impl Write for Console {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.muted.load(Ordering::Relaxed) {
            return Ok(buf.len());
        }
        match self.stream {
            Stream::Stdout => std::io::stdout().write(buf),
            Stream::Stderr => std::io::stderr().write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.stream {
            Stream::Stdout => std::io::stdout().flush(),
            Stream::Stderr => std::io::stderr().flush(),
        }
    }
}

/// Waits for the background deletions of stale work directories (begun before and
/// during the run, so mostly done by now), unless an interrupt comes first: the
/// directories left are the next run's to delete, and Ctrl-C is never held up.
fn await_deletions(deleting: Vec<std::thread::JoinHandle<()>>, interrupt: &Interrupt) {
    for handle in deleting {
        while !handle.is_finished() {
            if interrupt.triggered() {
                return;
            }
            let _ = interrupt.woken().recv_timeout(POLL);
        }
        let _ = handle.join();
    }
}

/// Live stderr rings by slot, for the dashboard's detail pane.
type Rings = Mutex<HashMap<usize, Arc<Mutex<StderrRing>>>>;

/// What `vx sync` offers its dashboard: the children's stderr and Ctrl-C.
struct SyncHost {
    interrupt: Interrupt,
    rings: Rings,
    reasons: Arc<Mutex<FullReasons>>,
}

impl vx_tui::Host for SyncHost {
    fn reason(&self, index: usize) -> vx_tui::Reason {
        let reasons = self.reasons.lock().unwrap_or_else(PoisonError::into_inner);
        reasons.get(index)
    }

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

/// The event loop of the parent: spawns, reaps, relays interrupts, reports.
struct Supervisor<'a> {
    board: &'a Board,
    plan: &'a Plan,
    exe: &'a Path,
    store: &'a Path,
    jobs: usize,
    /// Whether children take batches of tools ([`BATCH_FROM`]).
    batching: bool,
    interrupt: &'a Interrupt,
    rings: &'a Rings,
    reasons: &'a Mutex<FullReasons>,
    /// The background deletions of stale work directories ([`await_deletions`]).
    deleting: &'a Mutex<Vec<std::thread::JoinHandle<()>>>,
}

impl Supervisor<'_> {
    /// Runs every tool to an outcome; returns whether the sync was interrupted.
    /// `cached[i]` is slot `i`'s outcome when its tool was found installed.
    ///
    /// An event loop: it sleeps in a `select!` until a child exits (its waiter thread
    /// sends the [`Exit`]), an interrupt arrives, or [`POLL`] passes (reporting,
    /// stuck children, the kill after [`GRACE`]), and starts the next install as soon
    /// as a slot frees up.
    fn supervise(
        &self,
        reporter: &mut Reporter<Console>,
        snaps: &mut Vec<SlotRead>,
        mut cached: Vec<Option<Outcome>>,
    ) -> bool {
        let board = self.board;
        let (exit_tx, exits) = crossbeam_channel::unbounded::<Exit>();
        let mut queue: VecDeque<usize> = (0..self.plan.configs.len()).collect();
        let mut running: Vec<Running> = Vec::new();
        let mut interrupted_at: Option<Instant> = None;
        let mut killed = false;
        let mut ended: Vec<Exit> = Vec::new();
        // Slots to run in a child of their own, not in a batch.
        let mut alone: HashSet<usize> = HashSet::new();
        loop {
            if interrupted_at.is_none() && self.interrupt.triggered() {
                interrupted_at = Some(Instant::now());
                let canceller = board.canceller();
                for index in 0..self.plan.configs.len() {
                    let _ = canceller.request_cancel(index);
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

            ended.extend(exits.try_iter());
            let mut settled = Vec::new();
            for exit in ended.drain(..) {
                let Some(at) = running.iter().position(|r| r.index == exit.index) else {
                    continue;
                };
                let child = running.swap_remove(at);
                let done = self.settle(child, exit, interrupted_at.is_some());
                settled.extend(done.settled);
                // First, and alone: a batch's tools its child never started.
                for index in done.rerun.into_iter().rev() {
                    queue.push_front(index);
                    alone.insert(index);
                }
            }

            self.start(&mut queue, &mut running, &mut cached, &alone, &exit_tx);

            for child in &mut running {
                child.kill_if_lingering(board, LINGER);
            }
            if let Some(at) = interrupted_at
                && !killed
                && at.elapsed() >= GRACE
            {
                for child in &running {
                    child.kill_tree();
                }
                killed = true;
            }

            board.reader().snapshot_into(snaps);
            reporter.observe(snaps);
            for settled in settled {
                report_settled(board, reporter, settled);
            }
            if running.is_empty() && queue.is_empty() {
                return interrupted_at.is_some();
            }
            let wait = if interrupted_at.is_some() {
                POLL / 4
            } else {
                POLL
            };
            crossbeam_channel::select! {
                recv(exits) -> exit => ended.extend(exit.ok()),
                recv(self.interrupt.woken()) -> _ => {}
                default(wait) => {}
            }
        }
    }

    /// Starts installs from `queue` until `jobs` run: a tool found installed is
    /// recorded without a child; one that cannot be started fails with the reason.
    /// In a sync that batches, while more tools wait than free children can take, a
    /// child takes a batch of [`batchable`] ones ([`batch_len`]), except those in
    /// `alone`.
    fn start(
        &self,
        queue: &mut VecDeque<usize>,
        running: &mut Vec<Running>,
        cached: &mut [Option<Outcome>],
        alone: &HashSet<usize>,
        exits: &crossbeam_channel::Sender<Exit>,
    ) {
        let board = self.board;
        while running.len() < self.jobs {
            let len = if self.batching {
                batch_len(queue.len(), self.jobs - running.len())
            } else {
                1
            };
            let mut jobs: Vec<Job> = Vec::new();
            while jobs.len() < len {
                let Some(&index) = queue.front() else {
                    break;
                };
                let cfg = &self.plan.configs[index];
                let single = alone.contains(&index) || !batchable(cfg);
                if single && !jobs.is_empty() {
                    // The batch ends here; this tool starts its own child next.
                    break;
                }
                queue.pop_front();
                // Already installed: recorded here, with no child to start.
                if let Some(outcome) = cached.get_mut(index).and_then(Option::take) {
                    children::publish_cached(board, index, &outcome);
                    continue;
                }
                match Job::new(cfg) {
                    Ok(job) => jobs.push(job),
                    Err(err) => {
                        publish_terminal(board, index, Phase::Failed, &err.to_string(), err.code())
                    }
                }
                if single {
                    break;
                }
            }
            if jobs.is_empty() {
                if queue.is_empty() {
                    break;
                }
                continue;
            }
            let indices: Vec<usize> = jobs.iter().map(|job| job.index).collect();
            match spawn(self.exe, jobs, exits) {
                Ok(child) => {
                    let mut reasons = self.reasons.lock().unwrap_or_else(PoisonError::into_inner);
                    let mut rings = self.rings.lock().unwrap_or_else(PoisonError::into_inner);
                    for &index in &indices {
                        reasons.expect(index);
                        rings.insert(index, child.stderr.ring());
                    }
                    running.push(child);
                }
                Err(err) => {
                    for index in indices {
                        publish_terminal(board, index, Phase::Failed, &err.to_string(), err.code())
                    }
                }
            }
        }
    }

    /// Settles a child that exited: its tools' outcomes, their reasons, and whatever it
    /// left.
    fn settle(&self, mut child: Running, exit: Exit, interrupted: bool) -> children::Ended {
        // Waiting fails only if the child was reaped elsewhere; its slot then says how
        // it ended, or it counts as a failure.
        let status = exit
            .status
            .unwrap_or_else(|_| vx_base::platform::process::exit_status(1));
        let done = settle(self.board, &mut child, status, interrupted);
        let mut reasons = self.reasons.lock().unwrap_or_else(PoisonError::into_inner);
        for settled in &done.settled {
            reasons.settle(settled.index, settled.reason.clone());
        }
        drop(reasons);
        // Whatever it started (a post_install command and anything that forked) is in
        // its process tree: a cancelled, failed or killed installer leaves nothing
        // running behind it.
        child.kill_tree();
        if done.settled.iter().any(|settled| settled.took_over) {
            // It died without cleaning up after itself: its work dir is left.
            if let Some(deleting) =
                vx_engine::store::clean_stale_work(self.store, &self.interrupt.flag())
            {
                self.deleting
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(deleting);
            }
        }
        done
    }
}

/// How many tools the next child takes, in a sync that batches ([`BATCH_FROM`]), when
/// `waiting` tools wait and `free` more children may start: the waiting tools shared
/// evenly among the free children (all `-j` stay busy, and no more processes start
/// than needed), at least one, at most [`MAX_BATCH`].
pub(crate) fn batch_len(waiting: usize, free: usize) -> usize {
    waiting.div_ceil(free.max(1)).clamp(1, MAX_BATCH)
}

/// Whether the tool of `cfg` may share a child: no `post_install` (a command's output
/// and processes are the child's, not one tool's), no install options (the runtime a
/// tool is built with, components), no alternative packings (a runtime's archives), and
/// a download not known to be over [`BATCH_BYTES`] (a large one would hold up the tools
/// after it).
pub(crate) fn batchable(cfg: &vx_model::config_frame::InstallConfig) -> bool {
    let spec = &cfg.spec;
    spec.post_install.is_none()
        && spec.options.is_empty()
        && spec.alternatives.is_empty()
        && spec.size.is_none_or(|size| size <= BATCH_BYTES)
}

/// Reports what a settled child said beyond its slot: each retry it made and each
/// notice it gave (whatever its outcome), and, when it failed, the rest of its stderr.
fn report_settled(board: &Board, reporter: &mut Reporter<impl Write>, settled: children::Settled) {
    let Some(snap) = board.reader().read_slot(settled.index).and_then(Result::ok) else {
        return;
    };
    // The child's lines name the whole version, which the slot may show cut.
    let (tool, version) = &settled.name;
    for retry in retries_from_stderr(&settled.stderr, tool, version) {
        reporter.retried(tool, version, &retry);
    }
    for notice in notices_from_stderr(&settled.stderr, tool, version) {
        reporter.noticed(tool, version, &notice);
    }
    if snap.record.phase() == Some(Phase::Failed) {
        // The reason line itself is already in the failure line, the retries above.
        let prefix = line_prefix(tool, version);
        let retries = retry_prefix(tool, version);
        let notices = notice_prefix(tool, version);
        let rest: Vec<String> = settled
            .stderr
            .into_iter()
            .filter(|line| {
                !line.starts_with(&prefix)
                    && !line.starts_with(&retries)
                    && !line.starts_with(&notices)
            })
            .collect();
        reporter.child_stderr(tool, &rest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vx_shm::SlotRecord;

    #[test]
    fn batches_share_the_waiting_tools_among_the_free_children() {
        assert_eq!(batch_len(3, 2), 2);
        assert_eq!(batch_len(3, 4), 1);
        // 100 tools at -j 16: 16 children of 6 or 7 (100 = 4 x 7 + 12 x 6).
        let (mut waiting, mut lens) = (100, Vec::new());
        for free in (1..=16).rev() {
            let len = batch_len(waiting, free).min(waiting);
            lens.push(len);
            waiting -= len;
        }
        assert_eq!(waiting, 0, "{lens:?}");
        assert!(lens.iter().all(|len| (6..=7).contains(len)), "{lens:?}");
        // Never more than the cap, never none.
        assert_eq!(batch_len(10_000, 1), MAX_BATCH);
        assert_eq!(batch_len(BATCH_FROM, 0), MAX_BATCH);
        assert_eq!(batch_len(0, 4), 1);
    }

    #[test]
    fn publish_counts_saturate_on_hostile_sequences() {
        let snap = |seq| {
            let mut read = crate::report::snapshot_of(SlotRecord::queued("t", "1"));
            if let Ok(snap) = &mut read {
                snap.seq = seq;
            }
            read
        };
        assert_eq!(publish_count(&[snap(4), snap(6)]), 5);
        assert_eq!(publish_count(&[snap(u64::MAX - 1); 3]), u64::MAX);
    }
}
