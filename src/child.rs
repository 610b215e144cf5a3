//! `vx install`: the child a `vx sync` parent spawns (`--from-parent`), and the
//! standalone command a user runs by hand.
//!
//! A child reads exactly one config frame from stdin (a bad one: a message on stderr
//! and [`EXIT_BAD_CONFIG`], nothing installed), attaches to its slot, runs the install
//! engine with a [`BoardSink`], publishes the terminal state in one place and exits with
//! the install's code. SIGTERM/SIGINT (and, on Linux, the parent's death) count as a
//! cancel: the engine stops between chunks, cleans up and the slot says Cancelled.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Context;

use crate::board_sink::BoardSink;
use crate::cli::{InstallArgs, UsageError, prepare_store};
use crate::config_frame::{EXIT_BAD_CONFIG, InstallConfig, read_frame};
use crate::format::ArchiveFormat;
use crate::install::{self, InstallOptions, LineSink, Terminal};

/// A flag set by SIGTERM or SIGINT. Registration failures leave the default action
/// (termination), which is still safe: the parent reaps and reports the child.
pub fn cancel_on_signals() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        let _ = signal_hook::flag::register(signal, Arc::clone(&flag));
    }
    flag
}

/// Child mode: one frame on stdin, progress into the board slot. Returns the exit code.
pub fn from_parent() -> i32 {
    #[cfg(target_os = "linux")]
    {
        // If the parent dies (even by SIGKILL), we get SIGTERM and cancel.
        let _ =
            rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::TERM));
    }
    let signalled = cancel_on_signals();
    let cfg = match read_frame(&mut std::io::stdin().lock()) {
        Ok(cfg) => cfg,
        Err(err) => {
            eprintln!("vx install: bad config from the parent: {err}");
            return err.exit_code();
        }
    };
    let Some(board) = cfg.board.clone() else {
        eprintln!("vx install: bad config from the parent: no board to report into");
        return EXIT_BAD_CONFIG;
    };
    let writer = match vx_shm::SlotWriter::attach(&board, cfg.slot as usize, &cfg.tool) {
        Ok(writer) => writer,
        Err(err) => {
            eprintln!(
                "vx install: cannot attach to slot {} of {}: {err}",
                cfg.slot,
                board.display()
            );
            return EXIT_BAD_CONFIG;
        }
    };
    // The death signal only covers a parent that dies after it was set: one that died
    // earlier (between our spawn and the prctl) has left us reparented. The board's
    // creator is the parent that spawned us; if it is no longer our parent, cancel.
    #[cfg(target_os = "linux")]
    if parent_is_gone(&board) {
        signalled.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    let mut sink = BoardSink::new(writer, signalled);
    if cfg.sha256.is_none() && cfg.allow_unverified {
        sink.mark_unverified();
    }
    let result = install::install(&cfg, &mut sink, &options(&cfg));
    let terminal = Terminal::of(&result);
    sink.finish(&terminal, result.as_ref().ok());
    if terminal.code != 0 {
        eprintln!(
            "vx install: {} {}: {}",
            cfg.tool, cfg.version, terminal.message
        );
    }
    terminal.code
}

/// Whether our parent is no longer the process that created `board` (it died and we
/// were reparented). An unreadable board says nothing: the attach that follows decides.
#[cfg(target_os = "linux")]
fn parent_is_gone(board: &std::path::Path) -> bool {
    let parent = rustix::process::getppid().map_or(0, |p| p.as_raw_nonzero().get() as u32);
    vx_shm::BoardReader::open(board, vx_shm::Access::ReadOnly)
        .is_ok_and(|reader| reader.info().creator.pid != parent)
}

/// The install options for `cfg`: the defaults, with its read timeout.
fn options(cfg: &InstallConfig) -> InstallOptions {
    let mut opts = InstallOptions::default();
    if let Some(secs) = cfg.read_timeout_secs {
        opts.read_timeout = std::time::Duration::from_secs(u64::from(secs));
    }
    opts
}

/// Splits `TOOL@VERSION`.
pub fn parse_tool_at_version(spec: &str) -> Result<(&str, &str), UsageError> {
    match spec.split_once('@') {
        Some((tool, version)) if !tool.is_empty() && !version.is_empty() => Ok((tool, version)),
        _ => Err(UsageError(format!(
            "expected TOOL@VERSION (e.g. ripgrep@14.1.1), got {spec:?}"
        ))),
    }
}

/// `vx install TOOL@VERSION --url URL [--sha256 HEX] [--store DIR]`: the same engine,
/// with plain progress lines on stderr and no board.
pub fn standalone(args: &InstallArgs) -> anyhow::Result<i32> {
    let spec = args.tool.as_deref().unwrap_or_default();
    let (tool, version) = parse_tool_at_version(spec)?;
    let url = args.url.as_deref().ok_or_else(|| {
        UsageError(format!(
            "vx install {spec} needs --url URL (and --sha256 HEX); to install from a manifest, run vx sync"
        ))
    })?;
    let url = url.replace("{version}", version);
    let format = ArchiveFormat::from_url(&url).map_err(|e| UsageError(format!("{url}: {e}")))?;
    let store = prepare_store(args.install.store.clone())?;
    let mut cfg = InstallConfig {
        tool: tool.to_owned(),
        version: version.to_owned(),
        url,
        sha256: args.sha256.clone(),
        format,
        strip_components: 0,
        post_install: None,
        options: Default::default(),
        store,
        board: None,
        slot: 0,
        allow_unverified: args.install.allow_unverified,
        read_timeout_secs: Some(args.install.read_timeout),
    };
    cfg.validate()
        .map_err(|e| UsageError(e.to_string()))
        .context("invalid install")?;
    let mut sink = LineSink::stderr(tool, version).with_cancel(cancel_on_signals());
    let result = install::install(&cfg, &mut sink, &options(&cfg));
    let terminal = Terminal::of(&result);
    terminal.publish(&mut sink);
    Ok(terminal.code)
}
