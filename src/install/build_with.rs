//! A tool made with a runtime of the project, installed first by this same engine: a
//! `cargo:` crate built by its `post_install` (`cargo install`) with the project's
//! rust, a `go:` module by `go install` with its go, and a runtime tool's environment
//! (`npm:prettier` with node's npm, `pypi:black` with python's venv and pip:
//! [`super::environment`]) (`crate::resolution::backend`).
//!
//! The runtime's own spec rides in the tool's `options` under [`OPTION`] (put there by
//! the sync plan, never by vx.toml), so a child installing the tool installs the runtime
//! first through this same engine (taken as cached when it is there, waited for when
//! another child is installing it) and runs the build or the package manager with the
//! runtime's commands first on `PATH`. The option is not part of the tool's identity:
//! it is taken out before the receipt is written or compared ([`without`]).

use std::ffi::OsString;

use vx_shm::Phase;

use super::{InstallError, InstallOptions, ProgressSink};
use crate::config_frame::InstallConfig;
use crate::spec::ToolSpec;

pub use super::store::{BUILD_WITH as OPTION, INSTALLER, without_build_runtime as without};

/// Takes the runtime's spec out of `spec`'s options: `None` when it builds with none.
pub fn take(spec: &mut ToolSpec) -> Result<Option<ToolSpec>, InstallError> {
    take_at(spec, OPTION)
}

/// Takes the spec of the installer its environment is built with (vx's uv, installed
/// by [`prepare`] as the runtime is) out of `spec`'s options: `None` when the plan
/// names none.
pub fn take_installer(spec: &mut ToolSpec) -> Result<Option<ToolSpec>, InstallError> {
    take_at(spec, INSTALLER)
}

fn take_at(spec: &mut ToolSpec, key: &str) -> Result<Option<ToolSpec>, InstallError> {
    let Some(value) = spec.options.remove(key) else {
        return Ok(None);
    };
    serde_json::from_value(value)
        .map(Some)
        .map_err(|e| InstallError::BuildRuntime {
            runtime: "?".to_owned(),
            reason: format!("`{key}` is not a tool spec: {e}"),
        })
}

/// A runtime installed for a tool to be made with.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// Its directory in the store.
    pub dir: std::path::PathBuf,
    /// The `PATH` the build runs with: the runtime's command folders, then the
    /// inherited `PATH`.
    pub path: OsString,
}

/// Installs `runtime` into `cfg`'s store (or takes it as installed): its directory and
/// the `PATH` to run with.
pub fn prepare(
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
    let mut quiet = Quiet { outer: sink };
    let outcome = super::install(&runtime_cfg, &mut quiet, opts).map_err(|e| match e {
        InstallError::Cancelled => InstallError::Cancelled,
        other => InstallError::BuildRuntime {
            runtime: name.clone(),
            reason: other.to_string(),
        },
    })?;
    let tree = outcome.path().to_owned();
    let receipt = super::store::read_receipt(&tree).ok_or_else(|| InstallError::BuildRuntime {
        runtime: name.clone(),
        reason: format!("no receipt in {}", tree.display()),
    })?;
    let mut dirs: Vec<std::path::PathBuf> = Vec::new();
    for bin in &receipt.bin {
        let path = crate::bin_entry::path(bin);
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

/// The runtime's install seen through the tool's sink: only a cancel passes.
struct Quiet<'s> {
    outer: &'s mut dyn ProgressSink,
}

impl ProgressSink for Quiet<'_> {
    fn phase(&mut self, _phase: Phase, _message: &str) {}

    fn progress(&mut self, _done: u64, _total: Option<u64>) {}

    fn cancel_requested(&mut self) -> bool {
        self.outer.cancel_requested()
    }
}
