//! `vx install --from-parent`: the child a `vx sync` parent spawns for each tool.
//!
//! A child reads exactly one config frame from stdin (a bad one: a message on stderr
//! and [`EXIT_BAD_CONFIG`], nothing installed), attaches to its slot, runs the install
//! engine with a [`BoardSink`], publishes the terminal state in one place and exits with
//! the install's code. SIGTERM/SIGINT (and, on Linux, the parent's death) count as a
//! cancel: the engine stops between chunks, cleans up and the slot says Cancelled.
//! A child whose parent died then ends its own process tree with SIGKILL, itself
//! last: what a `post_install` forked and that ignored the cancel has nobody else to
//! end it.
//! (On Windows: Ctrl-Break and the console's close; the parent's Job Object ends a
//! child whose parent died.)

pub mod board_sink;

use std::io::Write;

use crate::config_frame::{EXIT_BAD_CONFIG, read_frame};
use crate::install::{self, InstallOptions, Terminal};
use crate::platform::process;
use board_sink::BoardSink;

/// Child mode: one frame on stdin, progress into the board slot. Returns the exit code.
pub fn from_parent() -> i32 {
    // If the parent dies (even by SIGKILL), we get SIGTERM and cancel (Linux; on
    // Windows the parent's Job Object ends us with it).
    let tied = process::cancel_on_parent_death();
    let parent = process::parent_id();
    let signalled = crate::signals::cancel_flag();
    let cfg = match read_frame(&mut std::io::stdin().lock()) {
        Ok(cfg) => cfg,
        Err(err) => {
            crate::note!("vx install: bad config from the parent: {err}");
            return err.exit_code();
        }
    };
    let Some(board) = cfg.board.clone() else {
        crate::note!("vx install: bad config from the parent: no board to report into");
        return EXIT_BAD_CONFIG;
    };
    let writer = match vx_shm::SlotWriter::attach(&board, cfg.slot as usize, &cfg.spec.name) {
        Ok(writer) => writer,
        Err(err) => {
            crate::note!(
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
    if tied && parent_is_gone(&board) {
        signalled.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    let mut sink = BoardSink::new(writer, signalled)
        .with_retry_lines(crate::config_frame::retry_prefix(
            &cfg.spec.name,
            &cfg.spec.version,
        ))
        .with_notice_lines(crate::config_frame::notice_prefix(
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
    // The parent starts each child as the root of a process tree of its own.
    let opts = match InstallOptions::for_config(&cfg) {
        Ok(opts) => InstallOptions {
            own_process_group: process::leads_own_tree(),
            ..opts
        },
        Err(err) => {
            crate::note!("vx install: {err}");
            return EXIT_BAD_CONFIG;
        }
    };
    let result = install::install(&cfg, &mut sink, &opts);
    let terminal = Terminal::of(&result);
    sink.finish(&terminal, result.as_ref().ok());
    if terminal.code != 0 {
        // The parent shows this line; it is sanitized there, and here too for a
        // child run by hand.
        let prefix = crate::config_frame::reason_prefix(&cfg.spec.name, &cfg.spec.version);
        let _ = writeln!(
            std::io::stderr(),
            "{prefix}{}",
            vx_text::sanitize(&terminal.message)
        );
    }
    // A live parent ends our tree once it has reaped us; a dead one cannot.
    if opts.own_process_group && tied && (process::parent_id() != parent || parent_is_gone(&board))
    {
        process::kill_own_tree();
    }
    terminal.code
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
