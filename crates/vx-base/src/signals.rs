//! Interruption, the one place it is handled: flags set by the handlers and polled by
//! the code that must wind down (no work happens in a handler), and for `vx sync` a
//! wake-up on a channel. What interrupts (signals on Unix, console control events on
//! Windows) is [`crate::platform::interrupt`]'s business.
//!
//! - [`Interrupt`]: `vx sync` (the parent), `vx mirror push`, `vx bundle export` and
//!   `vx self update` while its new binary is staged:
//!   SIGINT, SIGTERM and SIGHUP cancel the run, for as long as the [`Interrupt`] (or a
//!   clone) lives; after that they end the process again (a flag nobody polls must not
//!   swallow them).
//! - [`cancel_flag`]: `vx install` (child or standalone): SIGTERM, SIGINT and SIGHUP
//!   cancel the install between chunks.
//! - [`interrupt_flag`]: `vx run` waiting for a script: SIGINT is the script's.
//! - [`stop_flag`]: `vx board watch`: SIGTERM, SIGHUP and SIGINT leave the dashboard.
//! - [`on_stop`]: `vx daemon`: SIGTERM, SIGHUP and SIGINT stop the daemon cleanly.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::{Receiver, Sender};

use crate::platform::interrupt::{self as platform, Registration, Stopping};

/// Set once SIGINT, SIGTERM or SIGHUP arrived (or the dashboard's Ctrl-C), with a
/// channel that wakes the supervisor's event loop when it happens. The handlers are
/// removed when the last clone is dropped.
#[derive(Clone, Debug)]
pub struct Interrupt {
    flag: Arc<AtomicBool>,
    wake: Sender<()>,
    woken: Receiver<()>,
    _handlers: Arc<Registration>,
}

impl Interrupt {
    /// Registers the handlers: they set the flag and send the wake-up.
    pub fn register() -> std::io::Result<Interrupt> {
        let flag = Arc::new(AtomicBool::new(false));
        let (wake, woken) = crossbeam_channel::bounded(1);
        let handlers = platform::on_stop(Stopping::Sync, Arc::clone(&flag), Some(wake.clone()))?;
        Ok(Interrupt {
            flag,
            wake,
            woken,
            _handlers: Arc::new(handlers),
        })
    }

    /// The flag the handlers set, for a loop that only polls (a reader that stops an
    /// upload between chunks).
    pub fn flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.flag)
    }

    /// Whether a signal arrived (or the dashboard's Ctrl-C).
    pub fn triggered(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }

    /// Interrupts as a signal would: the dashboard's Ctrl-C, which raw mode delivers as
    /// a key rather than SIGINT.
    pub fn trigger(&self) {
        self.flag.store(true, Ordering::Relaxed);
        let _ = self.wake.try_send(());
    }

    /// Receives a message each time the interrupt fires (at most one pending), for a
    /// `select!` that must not sleep through it.
    pub fn woken(&self) -> &Receiver<()> {
        &self.woken
    }
}

/// A flag set by SIGTERM, SIGINT or SIGHUP, for an install to cancel on. A registration that
/// fails leaves the default action (termination), which is still safe: the parent reaps
/// and reports the child, and a standalone install's work directory is cleaned by the
/// next run.
pub fn cancel_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    if let Ok(handlers) = platform::on_stop(Stopping::Install, Arc::clone(&flag), None) {
        handlers.keep();
    }
    flag
}

/// A flag set by SIGINT (Ctrl-C), which then no longer ends this process: for `vx
/// run` while a script it waits for runs in the foreground and takes Ctrl-C itself;
/// vx then ends with 130 once the script is done. Registration is for the life of the
/// process, but `exec` restores the default for the program that replaces it.
pub fn interrupt_flag() -> std::io::Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    platform::on_stop(Stopping::Waiting, Arc::clone(&flag), None)?.keep();
    Ok(flag)
}

/// Calls `pass` each time SIGTERM or SIGHUP arrives, for as long as the registration lives: `vx run` passes them on to the
/// lone task it waits for. The call runs on a thread of its own, never in a handler.
pub fn on_end_request(pass: impl Fn() + Send + 'static) -> std::io::Result<Registration> {
    let flag = Arc::new(AtomicBool::new(false));
    let (wake, woken) = crossbeam_channel::bounded::<()>(1);
    let registration = platform::on_stop(Stopping::Passing, flag, Some(wake))?;
    std::thread::Builder::new()
        .name("vx-pass-signals".into())
        .stack_size(64 * 1024)
        .spawn(move || {
            for () in woken.iter() {
                pass();
            }
        })?;
    Ok(registration)
}

/// A flag set by SIGTERM, SIGHUP or SIGINT, for a viewer to leave on.
pub fn stop_flag() -> std::io::Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    platform::on_stop(Stopping::Viewer, Arc::clone(&flag), None)?.keep();
    Ok(flag)
}

/// Calls `stop` (once) when SIGTERM, SIGHUP or SIGINT arrives (a viewer's stops):
/// `vx daemon` winds down (removes its socket) instead of dying with it in place. The
/// call runs on a thread of its own, woken by the platform's handler, never in one.
pub fn on_stop(stop: impl FnOnce() + Send + 'static) -> std::io::Result<()> {
    let (wake, woken) = crossbeam_channel::bounded(1);
    platform::on_stop(
        Stopping::Viewer,
        Arc::new(AtomicBool::new(false)),
        Some(wake),
    )?
    .keep();
    std::thread::Builder::new()
        .name("vx-stop".into())
        .stack_size(64 * 1024)
        .spawn(move || {
            if woken.recv().is_ok() {
                stop();
            }
        })?;
    Ok(())
}
