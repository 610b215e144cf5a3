//! `vx x TOOL[@CONSTRAINT] [-- ARGS]` (and `vx TOOL@VERSION ARGS`): runs any registry
//! tool without a project, like `uvx` or `npx`: resolved as `vx exec TOOL@V` resolves
//! it ([`vx::resolution::Resolver::at_version`]: in a project, its own tool of that
//! name and its registries first, else the standard registry), installed into the same store as a project's tools (progress on stderr),
//! then run in place of `vx`.

use std::ffi::OsString;
use std::path::Path;

use vx::exit::Error;

use super::target::Target;
use crate::cli::XArgs;

/// Runs `vx x`; returns only the error that stopped it.
pub fn run(args: &XArgs) -> Result<i32, Error> {
    Err(run_tool(
        &args.tool,
        args.command.as_deref(),
        &args.args,
        args.store.as_deref(),
        args.offline,
    ))
}

/// Resolves ([`vx::ops::x`]), installs and runs `tool` (`NAME[@CONSTRAINT]`) with
/// `args`.
fn run_tool(
    tool: &str,
    command: Option<&str>,
    args: &[OsString],
    store: Option<&Path>,
    offline: bool,
) -> Error {
    let prepared = super::located_store(store).and_then(|store| {
        // The project's own tools and registries count, as for `vx exec T@V`.
        let session = super::open(&vx::session::Opening::new(
            None,
            vx::session::Want::Optional,
        ))?;
        let request = vx::ops::x::Request {
            tool,
            command,
            store: &store,
            offline,
        };
        let prepared = vx::ops::x::prepare(&session, &request).map_err(super::x_error)?;
        Ok((prepared, store))
    });
    let (prepared, store) = match prepared {
        Ok(ok) => ok,
        Err(err) => return err,
    };
    let session = vx::session::Session::outside(&vx::session::Opening::default());
    let target = Target {
        session: &session,
        requests: &[],
        store: Some(&store),
        offline,
        no_install: false,
        sources: None,
    };
    target.exec_in(prepared.chain, &store, &prepared.program, args)
}
