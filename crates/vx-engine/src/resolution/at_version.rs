//! What a name at a version on the command line installs (`vx exec T@V`, `vx x T@V`,
//! `vx T@V`): the project's own tool first, else the name as `vx add` finds it, its
//! what it needs besides its download planned ([`super::needs`]). Apart from [`super::named`],
//! which only names and lists, so naming never depends on planning.

use vx_model::lock::Lock;
use vx_model::manifest::{Manifest, Platform};
use vx_model::spec::ToolSpec;

use super::resolver::Resolver;
use super::{Network, OnDemand, ResolutionError};

impl Resolver<'_> {
    /// What `name` at `constraint` installs on `platform`, for every command that names
    /// a tool at a version on the command line (`vx exec T@V`, `vx x T@V`, `vx T@V`):
    /// `project`'s own tool of that name at that version (a URL tool's table at it, a
    /// registry tool's package at it, through the project's registries), else the
    /// name as `vx add` finds it (a runtime first, then the project's registries and
    /// the standard one). Nothing is recorded: no checksum is known for a version the
    /// lock does not pin, unless the registry publishes one.
    pub(crate) fn at_version(
        &self,
        project: Option<&Manifest>,
        name: &str,
        constraint: &str,
        platform: &Platform,
    ) -> Result<ToolSpec, ResolutionError> {
        let pinned = self.lock.as_ref();
        if let Some(spec) = pinned_at(
            project,
            pinned,
            self.catalogue(),
            name,
            constraint,
            platform,
        )? {
            return Ok(spec);
        }
        let table = match project.and_then(|m| m.tool(name)) {
            Some(tool) => tool.at_version(constraint),
            None => {
                let named = self.named(name)?;
                if let Some(reason) = named.unsupported() {
                    return Err(ResolutionError::Usage(format!(
                        "{} cannot be installed by vx: {reason}",
                        named.qualified_name()
                    )));
                }
                named.table(constraint)
            }
        };
        let mut scratch = Lock::default();
        let concrete = match table.registry {
            Some(_) => {
                self.resolve_tool(&table, None, std::slice::from_ref(platform), &mut scratch)?
            }
            None => table,
        };
        let mut spec = concrete
            .resolve(platform)
            .map_err(|e| ResolutionError::Usage(e.to_string()))?;
        // A runtime tool (`npm:prettier`): the environment just resolved; a crate or a
        // module: the project's runtime to build it with.
        plan(
            &mut spec,
            project,
            pinned,
            &scratch,
            self.catalogue(),
            platform,
        )?;
        Ok(spec)
    }
}

/// The project's own pin of `name` at that very `constraint` (its lock `pinned`):
/// installed as `vx sync` would, checked against the sha256 the project locked, with
/// what it needs planned from that lock; `None` when the project pins no such version.
fn pinned_at(
    project: Option<&Manifest>,
    pinned: Option<&Lock>,
    catalogue: &vx_sources::runtime::catalogue::Catalogue,
    name: &str,
    constraint: &str,
    platform: &Platform,
) -> Result<Option<ToolSpec>, ResolutionError> {
    let Some(mut spec) = project
        .and_then(|m| super::pinned::spec_at(m, pinned, catalogue, name, constraint, platform))
    else {
        return Ok(None);
    };
    if let Some(lock) = pinned {
        plan(&mut spec, project, pinned, lock, catalogue, platform)?;
    }
    Ok(Some(spec))
}

/// What `spec` needs besides its download, as `entries` (the lock that holds its
/// entry) says, built with `project`'s runtimes as its lock `pinned` pins them
/// ([`super::needs::plan`], the sync plan's planner).
fn plan(
    spec: &mut ToolSpec,
    project: Option<&Manifest>,
    pinned: Option<&Lock>,
    entries: &Lock,
    catalogue: &vx_sources::runtime::catalogue::Catalogue,
    platform: &Platform,
) -> Result<(), ResolutionError> {
    // The project's tools are resolved only for a tool that may be built with one of
    // them (most tools named on the command line are not).
    let tools = match project {
        Some(m) if super::needs::may_need_project(spec, entries) => {
            super::needs::ProjectTools::pinned(m, pinned, catalogue, platform)
        }
        _ => super::needs::ProjectTools::default(),
    };
    super::needs::plan(std::slice::from_mut(spec), &tools, entries, platform)
}

impl OnDemand {
    /// [`Resolver::at_version`] through a network set up for this call: a URL tool of
    /// `project` reaches no registry and no GitHub.
    pub fn at_version(
        &self,
        project: Option<&Manifest>,
        name: &str,
        constraint: &str,
        platform: &Platform,
    ) -> Result<ToolSpec, ResolutionError> {
        let lock = project.and_then(|m| Lock::load(&m.lock_path()).ok().flatten());
        if let Some(spec) = pinned_at(
            project,
            lock.as_ref(),
            &self.catalogue,
            name,
            constraint,
            platform,
        )? {
            return Ok(spec);
        }
        if let Some(tool) = project
            .and_then(|m| m.tool(name))
            .filter(|t| t.registry.is_none())
        {
            return tool
                .at_version(constraint)
                .resolve(platform)
                .map_err(|e| ResolutionError::Usage(e.to_string()));
        }
        let net = Network::from_env(self.options.clone())?;
        let resolver = Resolver::new(&net, project, lock.as_ref(), &self.catalogue)?;
        resolver.at_version(project, name, constraint, platform)
    }
}
