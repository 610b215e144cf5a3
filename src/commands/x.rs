//! `vx x TOOL[@CONSTRAINT] [-- ARGS]` (and `vx TOOL@VERSION ARGS`): runs any registry
//! tool without a project, like `uvx` or `npx`: resolved as `vx exec TOOL@V` resolves
//! it ([`vx_engine::resolution::Resolver::at_version`]: in a project, its own tool of that
//! name and its registries first, else the standard registry), installed into the same store as a project's tools (progress on stderr),
//! then run in place of `vx`.

use vx_base::exit::Error;
use vx_ops::session::{Opening, Want};

use crate::cli::XArgs;

/// Runs `vx x`; returns only the error that stopped it.
pub(crate) fn run(args: &XArgs) -> Result<i32, Error> {
    let opening = Opening::new(None, Want::Optional)
        .store(args.store.as_deref())
        .offline(args.offline);
    let request = vx_ops::x::Request {
        tool: &args.tool,
        command: args.command.as_deref(),
    };
    let settings = super::install_settings();
    let said = super::Said;
    let e = vx_ops::target::run_registry_tool(&opening, &request, &args.args, &settings, &said);
    Err(e.into())
}
