//! SIGINT/SIGTERM/SIGHUP in the parent: a flag the poll loop checks (no work in the handler).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once SIGINT or SIGTERM arrived.
#[derive(Clone, Debug)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// Registers the handlers.
    pub fn register() -> std::io::Result<Interrupt> {
        let flag = Arc::new(AtomicBool::new(false));
        // SIGHUP too: a closed terminal must not kill the parent before it cleans up.
        for signal in [
            signal_hook::consts::SIGINT,
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGHUP,
        ] {
            signal_hook::flag::register(signal, Arc::clone(&flag))?;
        }
        Ok(Interrupt(flag))
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
