//! `vx exec [TOOL[@VERSION]...] [--offline] -- CMD [ARGS...]`: runs `CMD` with the
//! toolchain's directories first on `PATH` (then the project's `[settings] path`) and
//! the project's `[env]` set, installing missing tools first (through
//! the project's sync, lock included), and replacing the `vx` process so the pid,
//! signals, stdio and exit status are the command's own ([`vx_ops::exec`]).
//!
//! One tool that cannot install never stops a command that does not need it
//! ([`vx_ops::target::Target::ready`] decides what a command needs and whether it is installed): the
//! command runs with what is installed, the missing tool said once with why, and its
//! failure remembered ([`vx_project::toolchain::failed`]) so the next command does not
//! download it again. `--no-install`, `--offline` and `[settings] auto_install =
//! false` install nothing.

use vx_base::exit::Error;
use vx_ops::exec::exec_recorded;

use crate::cli::ExecArgs;
use vx_ops::target::Target;

/// Runs `vx exec`. Returns only when the command could not be started.
pub(crate) fn run(args: &ExecArgs) -> Result<i32, Error> {
    let Some((program, rest)) = args.command.split_first() else {
        return Err(Error::usage("vx exec needs a command after `--`"));
    };
    let (manifest_arg, store_arg) = (
        args.project.manifest.as_deref(),
        args.project.store.as_deref(),
    );
    // Tools named on the command line are resolved in full every time.
    let sources = if args.tools.is_empty() {
        match vx_ops::session::recorded::activation(manifest_arg, store_arg) {
            // A virtual environment to make (missing, or its python not the project's)
            // is made on the full path.
            Some((_, Some(recorded)))
                if !recorded.environment().venv_to_make(recorded.bin_dirs()) =>
            {
                return Err(exec_recorded(&recorded, program, rest));
            }
            Some((sources, _)) => Some(sources),
            None => None,
        }
    } else {
        None
    };
    let session = super::open(
        &vx_ops::session::Opening::new(manifest_arg, vx_ops::session::Want::ProjectOrGlobal)
            .offline(args.offline),
    )?;
    if session.manifest().is_none() && args.tools.is_empty() {
        return Err(Error::usage(
            "no vx.toml here or in a parent directory, and no global toolset: pass --manifest, name the tools (`vx exec ripgrep@14.1.1 -- rg`), or add global ones (`vx use -g ripgrep`)",
        ));
    }
    let target = Target {
        session: &session,
        requests: &args.tools,
        store: store_arg,
        offline: args.offline,
        no_install: args.no_install,
        sources: sources.as_ref(),
        settings: &super::install_settings(),
        say: &super::Said,
        on_path: false,
    };
    Err(target.exec(program, rest).into())
}
