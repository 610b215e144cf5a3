//! `vx.local.toml`: one person's layer over the project's `vx.toml`, kept out of the
//! repository (as mise's `mise.local.toml`): a tool at another version or one only
//! this person uses, a variable of their own. It holds `[tools]` and `[env]` only;
//! the team's settings, registries and tasks stay in vx.toml, where everyone reads
//! them.
//!
//! Its tools are layered over vx.toml's (the same name replaces the project's entry
//! on this machine, a new name is added) and its variables over `[env]`. They are
//! locked in `vx.local.lock` beside it ([`crate::lock`]), never in vx.lock: the team's
//! lock does not change because one person pins another node.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::{MANIFEST_FILE, Manifest, ManifestError, Problem};

/// The personal layer's file name, beside vx.toml.
pub const LOCAL_FILE: &str = "vx.local.toml";

/// The tables the personal layer may hold.
const ALLOWED: [&str; 2] = ["tools", "env"];

/// The personal layer of the manifest at `manifest`: `vx.local.toml` in its directory,
/// for a manifest named `vx.toml` (a file given by another name has no layer).
pub fn beside(manifest: &Path) -> Option<PathBuf> {
    (manifest.file_name()? == MANIFEST_FILE).then(|| manifest.with_file_name(LOCAL_FILE))
}

/// Reads the layer at `path` when there is one: its tools and variables, checked as
/// vx.toml's are (errors at its own lines), and a table other than `[tools]` and
/// `[env]` refused by name. An empty file is no layer.
pub(crate) fn read(path: &Path) -> Result<Option<Manifest>, ManifestError> {
    // Another user's `vx.local.toml` beside the user's vx.toml (a shared directory)
    // is not the user's layer: its `[env]` would apply to every command.
    if let Some(refused) = vx_base::ownership::foreign(path) {
        return Err(ManifestError::NotOwn(Box::new(refused)));
    }
    let bytes = match vx_base::bounded_read::read(path, super::MAX_MANIFEST_BYTES) {
        Ok(bytes) => bytes,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(vx_base::bounded_read::ReadError::TooLarge { limit }) => {
            return Err(ManifestError::TooLarge {
                path: path.to_owned(),
                limit,
            });
        }
        Err(e) => {
            return Err(ManifestError::Read {
                path: path.to_owned(),
                source: e.into(),
            });
        }
    };
    parse(path, &bytes)
}

/// The layer `bytes` would be as the file at `path` (named in errors): as [`read`]
/// checks it, so `vx import` can check the text it is about to write.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Option<Manifest>, ManifestError> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Manifest::from_bytes(path, bytes).map(Some);
    };
    if let Ok(table) = text.parse::<toml::Table>() {
        if table.is_empty() {
            return Ok(None);
        }
        if let Some(other) = table.keys().find(|k| !ALLOWED.contains(&k.as_str())) {
            return Err(ManifestError::Invalid {
                path: path.into(),
                location: None,
                problem: Problem::Local(vx_base::validate::shorten(other)),
            });
        }
    }
    match Manifest::parse(path, text) {
        Ok(layer) => Ok(Some(layer)),
        Err(e) if e.problem() == Some(&Problem::NoTools) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The text a new layer starts from: what it is, and that it stays out of the
/// repository.
pub const STARTER: &str = "# vx.local.toml: your own layer over vx.toml, on this machine only (keep it out of\n# the repository). It holds [tools] and [env]; its tools are locked in vx.local.lock.\n";

/// `shared` with `layer` over it: a tool of the layer replaces the one of the same
/// name (where it stood) or comes after vx.toml's; a variable replaces the one of the
/// same name or comes after them. The layer's tool names are recorded
/// ([`Manifest::local_tools`]).
pub fn merge(shared: &mut Manifest, layer: Manifest) {
    for tool in layer.tools {
        shared.local_tools.push(tool.name.clone());
        match shared.tools.iter_mut().find(|t| t.name == tool.name) {
            Some(slot) => *slot = tool,
            None => shared.tools.push(tool),
        }
    }
    let vars = &mut shared.environment.vars;
    for var in layer.environment.vars {
        match vars.iter_mut().find(|v| v.name == var.name) {
            Some(slot) => *slot = var,
            None => vars.push(var),
        }
    }
}

/// The names of the tools the layer beside `dir`'s vx.toml lists (the lock splits its
/// entries by them, [`crate::lock`]); none when there is no layer or it cannot be read
/// (the manifest's reader says why).
pub(crate) fn tool_names(dir: &Path) -> BTreeSet<String> {
    read(&dir.join(LOCAL_FILE))
        .ok()
        .flatten()
        .map(|layer| layer.tools.into_iter().map(|t| t.name).collect())
        .unwrap_or_default()
}
