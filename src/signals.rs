//! Signals, the one place they are handled: flags set by the handlers and polled by the
//! code that must wind down (no work happens in a handler), and for `vx sync` a wake-up
//! on a channel.
//!
//! - [`Interrupt`]: `vx sync` (the parent): SIGINT, SIGTERM and SIGHUP cancel the sync.
//! - [`cancel_flag`]: `vx install` (child or standalone): SIGTERM and SIGINT cancel the
//!   install between chunks.
//! - [`stop_flag`]: `vx board watch`: SIGTERM, SIGHUP and SIGINT leave the dashboard.
//! - [`on_stop`]: `vx daemon`: SIGTERM, SIGHUP and SIGINT stop the daemon cleanly.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::{Receiver, Sender};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// A flag set when any of `signals` arrives.
fn flag_on(signals: &[i32]) -> std::io::Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    for &signal in signals {
        signal_hook::flag::register(signal, Arc::clone(&flag))?;
    }
    Ok(flag)
}

/// The signals that interrupt a sync. SIGHUP too: a closed terminal must not kill the
/// parent before it cleans up.
const INTERRUPTS: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// Set once SIGINT, SIGTERM or SIGHUP arrived (or the dashboard's Ctrl-C), with a
/// channel that wakes the supervisor's event loop when it happens.
#[derive(Clone, Debug)]
pub struct Interrupt {
    flag: Arc<AtomicBool>,
    wake: Sender<()>,
    woken: Receiver<()>,
}

impl Interrupt {
    /// Registers the handlers: one sets the flag in the handler itself; a thread of
    /// signal-hook's iterator (the handler only writes to its self-pipe) sends the
    /// wake-up, since a channel cannot be used from a handler.
    pub fn register() -> std::io::Result<Interrupt> {
        let flag = flag_on(&INTERRUPTS)?;
        let (wake, woken) = crossbeam_channel::bounded(1);
        let mut signals = Signals::new(INTERRUPTS)?;
        let waker = wake.clone();
        std::thread::Builder::new()
            .name("vx-signals".into())
            .stack_size(64 * 1024)
            .spawn(move || {
                for _ in signals.forever() {
                    let _ = waker.try_send(());
                }
            })?;
        Ok(Interrupt { flag, wake, woken })
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

/// A flag set by SIGTERM or SIGINT, for an install to cancel on. A registration that
/// fails leaves the default action (termination), which is still safe: the parent reaps
/// and reports the child, and a standalone install's work directory is cleaned by the
/// next run.
pub fn cancel_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [SIGTERM, SIGINT] {
        let _ = signal_hook::flag::register(signal, Arc::clone(&flag));
    }
    flag
}

/// A flag set by SIGTERM, SIGHUP or SIGINT, for a viewer to leave on.
pub fn stop_flag() -> std::io::Result<Arc<AtomicBool>> {
    flag_on(&[SIGTERM, SIGHUP, SIGINT])
}

/// Calls `stop` (once) when SIGTERM, SIGHUP or SIGINT arrives: `vx daemon` winds down
/// (removes its socket) instead of dying with it in place. The call runs on a thread
/// of signal-hook's iterator, never in a handler.
pub fn on_stop(stop: impl FnOnce() + Send + 'static) -> std::io::Result<()> {
    let mut signals = Signals::new([SIGTERM, SIGHUP, SIGINT])?;
    std::thread::Builder::new()
        .name("vx-signals".into())
        .stack_size(64 * 1024)
        .spawn(move || {
            if signals.forever().next().is_some() {
                stop();
            }
        })?;
    Ok(())
}
