//! The fast way into a project for what runs often and must start at once (`vx exec`,
//! `vx which`, `vx env`, a shim, `vx CMD`): its toolchain as last recorded in the
//! store ([`Activation`]), taken when nothing it was made from has changed, before the
//! project is opened in full. Nothing here prints.

use std::path::Path;

use vx_engine::store;
use vx_model::manifest::{self, ManifestError};
use vx_project::toolchain::activation::{Activation, Sources};

/// The project's toolchain sources (`--manifest` as `manifest`, else the `vx.toml`
/// found from the working directory, else the user's global one), taken before
/// anything parses them, with its recorded [`Activation`] in the store (`store`, else
/// the default) when nothing it was made from has changed. `None` outside a project
/// when there is no global toolset either, or when the working directory, the
/// manifest or the store cannot be read: the caller then opens the project in full
/// ([`super::Session::open`]), which says why. A caller without a fresh record
/// resolves in full and records with the sources.
pub fn activation(
    manifest: Option<&Path>,
    store: Option<&Path>,
) -> Option<(Sources, Option<Activation>)> {
    let cwd = std::env::current_dir().ok()?;
    let manifest = match manifest::locate_saying(manifest, &cwd) {
        Ok((path, None)) => path,
        // Another user's file above: the full way says so.
        Ok((_, Some(_))) => return None,
        // Another user's file stopped the search: the full way says so.
        Err(ManifestError::NotFound { stopped: None, .. }) => manifest::global::existing()?,
        Err(_) => return None,
    };
    let store = store::locate(store.map(Path::to_path_buf)).ok()?;
    Some(Activation::lookup(&store, &manifest))
}
