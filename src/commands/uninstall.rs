//! `vx uninstall TOOL@VERSION`: removes one version from the store, under its install
//! lock (refused while another `vx` installs it).

use vx_base::exit::Error;
use vx_engine::inventory::{self, RemoveError};
use vx_tui::text::bytes as human_bytes;

use crate::cli::UninstallArgs;

/// Runs `vx uninstall`.
pub(crate) fn run(args: &UninstallArgs) -> Result<i32, Error> {
    let (tool, version) = super::request::parse_tool_at_version(&args.tool)?;
    let store = super::request::located_store(args.store.as_deref())?;
    match inventory::remove(&store, tool, version) {
        Ok(size) => {
            println!("removed {tool} {version} ({})", human_bytes(size));
            super::refresh_shims(&store);
            Ok(vx_base::exit::OK)
        }
        Err(err @ (RemoveError::NotInstalled { .. } | RemoveError::Busy { .. })) => {
            Err(Error::failed(err))
        }
        Err(err) => Err(Error::environment(err)),
    }
}
