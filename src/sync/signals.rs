//! SIGINT/SIGTERM in the parent: a flag the poll loop checks (no work in the handler).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once SIGINT or SIGTERM arrived.
#[derive(Clone, Debug)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// Registers the handlers.
    pub fn register() -> std::io::Result<Interrupt> {
        let flag = Arc::new(AtomicBool::new(false));
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            signal_hook::flag::register(signal, Arc::clone(&flag))?;
        }
        Ok(Interrupt(flag))
    }

    /// Whether a signal arrived.
    pub fn triggered(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}
