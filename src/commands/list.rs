//! `vx list [--json]`: every tool version in the store, with its size on disk, when it
//! was installed, its executables, the UNVERIFIED mark, and whether the project's
//! vx.toml (if there is one here) uses it.

use vx_base::exit::Error;
use vx_engine::inventory::{self, Installed};

use crate::cli::ListArgs;

/// Runs `vx list`.
pub(crate) fn run(args: &ListArgs) -> Result<i32, Error> {
    let session = super::open(
        &vx_ops::session::Opening::new(
            args.project.manifest.as_deref(),
            vx_ops::session::Want::ProjectOrGlobal,
        )
        .store(args.project.store.as_deref()),
    )?;
    let store = session.store()?;
    let chain = session.toolchain(&[], &store)?;
    let used = |item: &Installed| chain.uses_tree(&item.path);
    let installed = inventory::scan(&store);
    let text = crate::present::list::text(&installed, &used, &store, args.json)
        .map_err(Error::environment)?;
    super::print(&text)?;
    Ok(vx_base::exit::OK)
}
