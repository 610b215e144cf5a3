//! One install of a tool version per store at a time: its lock taken, or waited for
//! while another vx installs it.

use std::time::Duration;

use vx_model::config_frame::InstallConfig;
use vx_shm::Phase;

use super::error::store_err;
use super::{InstallError, InstallOptions, ProgressSink};
use crate::store;

/// Takes `<store>/.locks/<tool>@<version>.lock` (an exclusive `flock`, released when
/// the file is dropped or the process dies). When another process holds it, publishes
/// that it waits and polls until it is free or the install is cancelled. Returns the
/// locked file and whether it had to wait.
pub(super) fn lock_tool(
    cfg: &InstallConfig,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<(std::fs::File, bool), InstallError> {
    let path = store::lock_path(&cfg.store, &cfg.spec.name, &cfg.spec.version);
    let file = store::open_lock(&path).map_err(store_err("cannot create the lock", &path))?;
    match file.try_lock() {
        Ok(()) => return Ok((file, false)),
        Err(std::fs::TryLockError::WouldBlock) => {}
        Err(std::fs::TryLockError::Error(source)) => {
            return Err(store_err("cannot lock", &path)(source));
        }
    }
    sink.phase(
        Phase::Resolving,
        &format!(
            "waiting for another vx installing {}@{}",
            cfg.spec.name, cfg.spec.version
        ),
    );
    loop {
        if sink.cancel_requested() {
            return Err(InstallError::Cancelled);
        }
        std::thread::sleep(opts.wait_poll.max(Duration::from_millis(1)) * 2);
        match file.try_lock() {
            Ok(()) => return Ok((file, true)),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(source)) => {
                return Err(store_err("cannot lock", &path)(source));
            }
        }
    }
}
