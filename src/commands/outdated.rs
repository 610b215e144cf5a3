//! `vx outdated [--json]`: for each registry tool and runtime of vx.toml, the version vx.lock pins,
//! the newest its constraint allows, and the newest there is. Exit 0 whatever is
//! outdated: it informs, `vx upgrade` acts; a network that fails is exit 1, said.

use vx_base::exit::{Error, OK};

use crate::cli::OutdatedArgs;

/// Runs `vx outdated`.
pub(crate) fn run(args: &OutdatedArgs) -> Result<i32, Error> {
    let session = super::open(&vx_ops::session::Opening::new(
        args.manifest.as_deref(),
        vx_ops::session::Want::Project,
    ))?;
    let tools = vx_ops::outdated::outdated(&session, args.json)?;
    let manifest = &session.project()?.path;
    super::print(&crate::present::outdated::text(&tools, manifest, args.json))?;
    Ok(OK)
}
