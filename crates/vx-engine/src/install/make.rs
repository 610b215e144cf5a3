//! The unpacked tree made the tool: its components merged, the runtime it is made
//! with installed, its environment built when planned, its post-install run.

use std::path::Path;

use vx_model::config_frame::InstallConfig;
use vx_shm::Phase;

use super::post_install::run_post_install;
use super::{InstallError, InstallOptions, ProgressSink, build_with, components, environment};

/// What a tool is made with after it is unpacked, taken out of its spec before
/// the spec is validated ([`build_with`]).
pub(super) struct Make {
    /// The runtime it is built with (a runtime tool's environment, a crate's or a
    /// module's build), installed first.
    pub(super) build_runtime: Option<vx_model::spec::ToolSpec>,
    /// A PyPI tool's installer (vx's uv).
    pub(super) installer: Option<vx_model::spec::ToolSpec>,
    /// The package identity the tree is kept under ([`store::key`]), recorded in its
    /// receipt.
    pub(super) key: String,
}

/// Makes the unpacked `tree` the tool: merges its components, installs the runtime
/// it is made with, builds its environment when planned, and runs its
/// post-install command.
pub(super) fn make_tree(
    cfg: &InstallConfig,
    tree: &Path,
    final_dir: &Path,
    make: Make,
    kept: Option<&Path>,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<(), InstallError> {
    if let Some(value) = cfg.spec.options.get(components::OPTION) {
        components::merge(tree, &components::patterns(value)?)?;
    }
    // The runtime it is made with (a runtime tool's environment, a crate's or a
    // module's build), installed first.
    let runtime = match make.build_runtime {
        Some(runtime) => Some(build_with::prepare(runtime, cfg, sink, opts)?),
        None => None,
    };
    let made = environment::Made {
        runtime: runtime.as_ref(),
        installer: make.installer,
        archive: kept,
    };
    environment::build_if_planned(cfg, tree, final_dir, made, sink, opts)?;

    if let Some(command) = &cfg.spec.post_install {
        let path = runtime.map(|r| r.path);
        sink.phase(Phase::PostInstall, command);
        run_post_install(command, tree, cfg, final_dir, path, sink, opts)?;
    }
    Ok(())
}
