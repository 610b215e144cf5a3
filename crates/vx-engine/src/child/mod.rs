//! `vx install --from-parent`: the child a `vx sync` parent spawns for a tool, or for
//! a batch of small ones.
//!
//! A child reads its config frames from stdin (one per tool, each but the last
//! announcing the next, [`read_frames`]; a bad one: a message on stderr and [`EXIT_BAD_CONFIG`], nothing
//! installed), then installs the tools one after another: for each it attaches to the
//! tool's slot, runs the install engine with a [`BoardSink`], publishes the terminal
//! state in one place and writes a failure's reason line. Each tool is on its own: a
//! failure ends that tool only, and the next one starts. The exit code is the first
//! failing tool's, else 0 (the parent reads each tool's outcome from its slot).
//! SIGTERM/SIGINT (and, on Linux, the parent's death) count as a cancel: the engine
//! stops between chunks, cleans up and the slot says Cancelled, and so does every slot
//! of the batch not yet started. A child whose parent died then ends its own process
//! tree with SIGKILL, itself last: what a `post_install` forked and that ignored the
//! cancel has nobody else to end it. A build the engine waits for (`npm ci`, pip, uv)
//! does not wait for the engine: a watch thread gives the tree SIGTERM as soon as the
//! parent is gone and SIGKILL a grace period later ([`vx_base::tie`], the same tie
//! the project venv's maker runs under).
//! (On Windows: Ctrl-Break and the console's close; the parent's Job Object ends a
//! child whose parent died.)

pub mod board_sink;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::install::{self, InstallError, InstallOptions, ProgressSink, Terminal};
use board_sink::BoardSink;
use vx_base::platform::process;
use vx_model::config_frame::{EXIT_BAD_CONFIG, InstallConfig, read_frames};

/// Child mode: the frames on stdin, each tool's progress into its board slot. Returns
/// the exit code.
pub fn from_parent() -> i32 {
    // If the parent dies (even by SIGKILL), we get SIGTERM and cancel (Linux; on
    // Windows the parent's Job Object ends us with it).
    let tie = vx_base::tie::Tie::to_parent();
    let parent = process::parent_id();
    let signalled = tie.signalled();
    let batch = match read_frames(&mut std::io::stdin().lock()) {
        Ok(batch) => batch,
        Err(err) => {
            vx_base::note!("vx install: bad config from the parent: {err}");
            return err.exit_code();
        }
    };
    // Every frame names the same board (`read_frames` checks).
    let Some(board) = batch[0].board.clone() else {
        vx_base::note!("vx install: bad config from the parent: no board to report into");
        return EXIT_BAD_CONFIG;
    };
    // The death signal only covers a parent that dies after it was set: one that died
    // earlier (between our spawn and the prctl) has left us reparented. The board's
    // creator is the parent that spawned us; if it is no longer our parent, cancel.
    if tie.tied() && parent_is_gone(&board) {
        signalled.store(true, Ordering::Relaxed);
    }
    // The parent starts each child as the root of a process tree of its own.
    let own_tree = tie.own_tree();
    // Gone: reparented, or our parent is not the board's creator.
    let watched = board.clone();
    let gone = move || process::parent_id() != parent || parent_is_gone(&watched);
    // What a tool's build starts (`npm ci`, pip, uv) runs while the engine waits for
    // it, out of reach of the cancel: once the parent is gone, the watch ends it.
    tie.watch(gone.clone());
    let mut code = 0;
    // Dropped (its work directory removed) before the tree is ended below.
    let mut shared = Shared::default();
    for cfg in &batch {
        let tool = install_one(cfg, &board, signalled, own_tree, &mut shared);
        if code == 0 {
            code = tool;
        }
    }
    drop(shared);
    // A live parent ends our tree once it has reaped us; a dead one cannot.
    tie.end_if_orphaned(gone);
    code
}

/// Installs the tool of `cfg` into its slot of `board` and returns its exit code. A tool
/// whose cancel was asked (the child `signalled`, or a reader of its slot) before it
/// starts is published Cancelled at once.
fn install_one(
    cfg: &InstallConfig,
    board: &std::path::Path,
    signalled: &Arc<AtomicBool>,
    own_tree: bool,
    shared: &mut Shared,
) -> i32 {
    let writer = match vx_shm::SlotWriter::attach(board, cfg.slot as usize, &cfg.spec.name) {
        Ok(writer) => writer,
        Err(err) => {
            vx_base::note!(
                "vx install: cannot attach to slot {} of {}: {err}",
                cfg.slot,
                board.display()
            );
            return EXIT_BAD_CONFIG;
        }
    };
    let mut sink = BoardSink::new(writer, Arc::clone(signalled))
        .with_retry_lines(vx_model::config_frame::retry_prefix(
            &cfg.spec.name,
            &cfg.spec.version,
        ))
        .with_notice_lines(vx_model::config_frame::notice_prefix(
            &cfg.spec.name,
            &cfg.spec.version,
        ));
    if cfg.spec.sha256.is_none()
        && cfg.spec.integrity.is_none()
        && cfg.allow_unverified
        && !cfg.probe
    {
        sink.mark_unverified();
    }
    // A tool of a batch cancelled (the child signalled, or its slot asked) before it
    // started: nothing to stop.
    let result = if sink.cancel_requested() {
        Ok(Err(InstallError::Cancelled))
    } else {
        shared.options(cfg).map(|opts| {
            let opts = InstallOptions {
                own_process_group: own_tree,
                ..opts
            };
            install::install(cfg, &mut sink, &opts)
        })
    };
    let terminal = match &result {
        Ok(result) => Terminal::of(result),
        // Settings this tool's download cannot go by: a bad config, for this tool.
        Err(err) => Terminal {
            phase: vx_shm::Phase::Failed,
            message: err.to_string(),
            code: EXIT_BAD_CONFIG,
        },
    };
    let outcome = result.as_ref().ok().and_then(|result| result.as_ref().ok());
    sink.finish(&terminal, outcome);
    if terminal.code != 0 {
        // The parent shows this line; it is sanitized there, and here too for a
        // child run by hand.
        let prefix = vx_model::config_frame::reason_prefix(&cfg.spec.name, &cfg.spec.version);
        let _ = writeln!(
            std::io::stderr(),
            "{prefix}{}",
            vx_text::sanitize(&terminal.message)
        );
    }
    terminal.code
}

/// What the tools of one child share, made once: the work directory they take turns in
/// ([`crate::store::WorkArea`]: one directory and lock per child, not per
/// tool) and the network settings of their project (the user config and netrc, read
/// once per batch rather than per tool).
#[derive(Default)]
struct Shared {
    area: Arc<crate::store::WorkArea>,
    net: Option<(
        vx_model::manifest::network::ProjectNet,
        Arc<vx_net::NetConfig>,
    )>,
}

impl Shared {
    /// The install options of `cfg`, with the shared work area; the network settings
    /// made for an earlier tool when its project's are the same.
    fn options(
        &mut self,
        cfg: &InstallConfig,
    ) -> Result<InstallOptions, vx_sources::settings::network::NetConfigError> {
        let net = match &self.net {
            Some((project, net)) if *project == cfg.network => Arc::clone(net),
            _ => {
                let net = Arc::new(vx_sources::settings::network::load(&cfg.network)?);
                self.net = Some((cfg.network.clone(), Arc::clone(&net)));
                net
            }
        };
        Ok(InstallOptions {
            work_area: Some(Arc::clone(&self.area)),
            ..InstallOptions::for_config_with(cfg, net)
        })
    }
}

/// Whether our parent is no longer the process that created `board` (it died and we
/// were reparented). An unreadable board says nothing: the attach that follows decides.
fn parent_is_gone(board: &std::path::Path) -> bool {
    let Some(parent) = process::parent_id() else {
        return false;
    };
    vx_shm::BoardReader::open(board, vx_shm::Access::ReadOnly)
        .is_ok_and(|reader| reader.info().creator.pid != parent)
}
