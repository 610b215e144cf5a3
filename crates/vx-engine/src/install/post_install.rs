//! A tool's `post_install` command run in its unpacked tree, ended when the install
//! is cancelled.

use std::path::Path;
use std::process::Stdio;

use vx_model::config_frame::InstallConfig;

use super::{InstallError, InstallOptions, ProgressSink};

/// How long a cancelled `post_install` command has to end after SIGTERM before it is
/// killed.
const POST_INSTALL_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// The first wait before a running `post_install` command is checked again; each
/// later wait doubles, up to [`InstallOptions::post_install_poll`].
const POST_INSTALL_FIRST_CHECK: std::time::Duration = std::time::Duration::from_millis(1);

/// Runs `sh -c COMMAND` (`cmd /C` on Windows: [`vx_base::platform::process::shell`]) in
/// the unpacked tree, with its output on our stderr (which
/// `vx sync` captures) and `VX_TOOL`, `VX_VERSION`, `VX_INSTALL_DIR` (the final
/// location) in its environment. A cancel request kills it.
pub(super) fn run_post_install(
    command: &str,
    tree: &Path,
    cfg: &InstallConfig,
    final_dir: &Path,
    path: Option<std::ffi::OsString>,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<(), InstallError> {
    let spawn_err = |source| InstallError::PostInstallSpawn {
        command: command.to_owned(),
        source,
    };
    let stdout = vx_base::platform::process::stderr_stdio();
    let mut shell = vx_base::platform::process::shell(command);
    shell
        .current_dir(tree)
        .stdin(Stdio::null())
        .stdout(stdout)
        .env("VX_TOOL", &cfg.spec.name)
        .env("VX_VERSION", &cfg.spec.version)
        .env("VX_INSTALL_DIR", final_dir);
    if let Some(path) = path {
        shell.env("PATH", path);
    }
    let mut child = vx_base::platform::process::spawn(&mut shell).map_err(spawn_err)?;
    // Checked after 1 ms, then twice as long each time up to the poll: a short command
    // (python's marker step takes a few milliseconds) is seen done at once, where a
    // first wait of the whole poll cost every python install 50 ms (issue 54).
    let mut pause = POST_INSTALL_FIRST_CHECK;
    loop {
        if let Some(status) = child.try_wait().map_err(spawn_err)? {
            return if status.success() {
                Ok(())
            } else {
                Err(InstallError::PostInstall {
                    command: command.to_owned(),
                    status,
                })
            };
        }
        if sink.cancel_requested() {
            if opts.own_process_group {
                // This process takes SIGTERM as a cancel request, which it already is.
                // The command gets a grace to wind down; what ignores SIGTERM is
                // SIGKILLed with the tree (by the parent, or by a child whose parent
                // is gone as its last act: `crate::child`).
                vx_base::platform::process::term_own_tree();
                let grace = std::time::Instant::now();
                while grace.elapsed() < POST_INSTALL_GRACE
                    && child.try_wait().map_err(spawn_err)?.is_none()
                {
                    std::thread::sleep(opts.post_install_poll);
                }
            }
            let _ = child.kill();
            let _ = child.wait();
            return Err(InstallError::Cancelled);
        }
        std::thread::sleep(pause.min(opts.post_install_poll));
        pause = pause.saturating_mul(2);
    }
}
