//! A tool made with a runtime of the project, installed first by this same engine: a
//! `cargo:` crate built by its `post_install` (`cargo install`) with the project's
//! rust, a `go:` module by `go install` with its go, and a runtime tool's environment
//! (`npm:prettier` with node's npm, `pypi:black` with python's venv and pip:
//! [`super::environment`]) (`crate::resolution::backend`).
//!
//! The runtime's own spec rides in the tool's [`vx_model::spec::Needs`] (put there by the
//! planner, `crate::resolution::needs`, never by vx.toml), so a child installing the
//! tool installs the runtime first through this same engine (taken as cached when it
//! is there, waited for when another child is installing it) and runs the build or
//! the package manager with the runtime's commands first on `PATH`. What a tree is
//! built with is not its identity: the store's key leaves it out.

use std::ffi::OsString;

use vx_shm::Phase;

use super::{InstallError, InstallOptions, ProgressSink};
use vx_model::config_frame::InstallConfig;
use vx_model::spec::ToolSpec;

/// A runtime installed for a tool to be made with.
#[derive(Clone, Debug)]
pub(crate) struct Prepared {
    /// Its directory in the store.
    pub dir: std::path::PathBuf,
    /// The `PATH` the build runs with: the runtime's command folders, then the
    /// inherited `PATH`.
    pub path: OsString,
}

/// Installs `runtime` into `cfg`'s store (or takes it as installed) for `cfg`'s tool
/// to be made with: its directory and the `PATH` to run with. The one installer of a
/// build runtime: the installing child calls it (the tool's board slot shows the
/// runtime's install), and so does the resolver when a lock needs the runtime to pin
/// an environment (its progress lines show it, into the run's store).
pub(crate) fn prepare(
    runtime: ToolSpec,
    cfg: &InstallConfig,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<Prepared, InstallError> {
    let name = format!("{} {}", runtime.name, runtime.version);
    sink.phase(
        Phase::PostInstall,
        &format!("{name}: installed first, to make {} with", cfg.spec.name),
    );
    let runtime_cfg = InstallConfig {
        spec: runtime,
        board: None,
        probe: false,
        save_to: None,
        ..cfg.clone()
    };
    let mut shown = Shown {
        outer: sink,
        label: &name,
    };
    let outcome = super::install(&runtime_cfg, &mut shown, opts).map_err(|e| match e {
        InstallError::Cancelled => InstallError::Cancelled,
        other => InstallError::BuildRuntime {
            runtime: name.clone(),
            reason: other.to_string(),
        },
    })?;
    let tree = outcome.path().to_owned();
    let receipt = crate::store::read_receipt(&tree).ok_or_else(|| InstallError::BuildRuntime {
        runtime: name.clone(),
        reason: format!("no receipt in {}", tree.display()),
    })?;
    let mut dirs: Vec<std::path::PathBuf> = Vec::new();
    for bin in &receipt.bin {
        let path = vx_base::bin_entry::path(bin);
        let dir = tree
            .join(path)
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_else(|| tree.clone());
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    if let Some(inherited) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&inherited));
    }
    let path = std::env::join_paths(dirs).map_err(|e| InstallError::BuildRuntime {
        runtime: name,
        reason: e.to_string(),
    })?;
    Ok(Prepared { dir: tree, path })
}

/// The runtime's install seen through the tool's sink: its phases as the tool's
/// post-install step, named (`node 20.11.1: downloading`), so the tool's own phase
/// never goes back; its progress, bytes, retries, notices and a cancel pass.
struct Shown<'s> {
    outer: &'s mut dyn ProgressSink,
    label: &'s str,
}

impl ProgressSink for Shown<'_> {
    fn phase(&mut self, phase: Phase, message: &str) {
        let what = match message.is_empty() {
            true => format!("{}: {phase}", self.label),
            false => format!("{}: {phase}: {message}", self.label),
        };
        self.outer.phase(Phase::PostInstall, &what);
    }

    fn progress(&mut self, done: u64, total: Option<u64>) {
        self.outer.progress(done, total);
    }

    fn cancel_requested(&mut self) -> bool {
        self.outer.cancel_requested()
    }

    fn fetched(&mut self, bytes: u64) {
        self.outer.fetched(bytes);
    }

    fn retry(&mut self, retry: &super::Retry<'_>) {
        self.outer.retry(retry);
    }

    fn notice(&mut self, message: &str) {
        self.outer.notice(&format!("{}: {message}", self.label));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::install::testutil::RecordingSink;

    /// The runtime's phases reach the tool's sink as its post-install step, named.
    #[test]
    fn the_runtimes_install_is_shown_as_the_tools_step() {
        let mut outer = RecordingSink::default();
        let mut shown = Shown {
            outer: &mut outer,
            label: "node 20.11.1",
        };
        shown.phase(Phase::Downloading, "https://nodejs.org/x.tar.xz");
        shown.progress(5, Some(10));
        assert_eq!(outer.phases(), vec![Phase::PostInstall]);
        assert_eq!(outer.progress_in(Phase::PostInstall), vec![(5, Some(10))]);
        let said = format!("{:?}", outer.events);
        assert!(
            said.contains("node 20.11.1: downloading: https://nodejs.org/x.tar.xz"),
            "{said}"
        );
    }
}
