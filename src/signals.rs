//! Signals, the one place they are handled: flags set by the handlers and polled by the
//! code that must wind down (no work happens in a handler).
//!
//! - [`Interrupt`]: `vx sync` (the parent): SIGINT, SIGTERM and SIGHUP cancel the sync.
//! - [`cancel_flag`]: `vx install` (child or standalone): SIGTERM and SIGINT cancel the
//!   install between chunks.
//! - [`stop_flag`]: `vx board watch`: SIGTERM, SIGHUP and SIGINT leave the dashboard.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// A flag set when any of `signals` arrives.
fn flag_on(signals: &[i32]) -> std::io::Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    for &signal in signals {
        signal_hook::flag::register(signal, Arc::clone(&flag))?;
    }
    Ok(flag)
}

/// Set once SIGINT, SIGTERM or SIGHUP arrived (or the dashboard's Ctrl-C).
#[derive(Clone, Debug)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// Registers the handlers. SIGHUP too: a closed terminal must not kill the parent
    /// before it cleans up.
    pub fn register() -> std::io::Result<Interrupt> {
        flag_on(&[SIGINT, SIGTERM, SIGHUP]).map(Interrupt)
    }

    /// Whether a signal arrived (or the dashboard's Ctrl-C).
    pub fn triggered(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Interrupts as a signal would: the dashboard's Ctrl-C, which raw mode delivers as
    /// a key rather than SIGINT.
    pub fn trigger(&self) {
        self.0.store(true, Ordering::Relaxed);
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
