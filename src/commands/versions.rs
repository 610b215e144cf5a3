//! `vx versions TOOL [--json]`: a tool's versions, newest first, marking the one
//! vx.lock pins and a runtime's LTS lines: a runtime's from its publisher's index, a
//! registry package's from its GitHub releases (else tags). TOOL is a tool of vx.toml
//! (its name there), a runtime (`node`) or any registry name.

use vx_base::exit::{Error, OK};

use crate::cli::VersionsArgs;

/// Runs `vx versions`.
pub(crate) fn run(args: &VersionsArgs) -> Result<i32, Error> {
    let session = super::open_optional(args.manifest.as_deref(), args.offline)?;
    let net = session.network(args.json)?;
    let resolver = session.resolver(&net)?;
    // A tool of vx.toml is looked up as vx.toml names it.
    let listed = session.manifest().and_then(|m| m.tool(&args.tool));
    let lookup = listed
        .and_then(|t| t.registry.as_ref())
        .map_or(args.tool.as_str(), |r| r.lookup.as_str());
    let found = resolver.named(lookup)?;
    let versions = resolver.listed(&found)?;
    let locked = listed
        .and_then(|t| session.lock()?.tools.get(&t.name).cloned())
        .and_then(|e| e.tag.clone());
    let text = crate::present::versions::text(&found, &versions, locked.as_deref(), args.json);
    super::print(&text)?;
    Ok(OK)
}
