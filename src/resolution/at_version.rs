//! What a name at a version on the command line installs (`vx exec T@V`, `vx x T@V`,
//! `vx T@V`): the project's own tool first, else the name as `vx add` finds it, its
//! runtime tool's environment planned ([`super::plan`]). Apart from [`super::named`],
//! which only names and lists, so naming never depends on planning.

use crate::lock::Lock;
use crate::manifest::{Manifest, Platform};
use crate::spec::ToolSpec;

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
    pub fn at_version(
        &self,
        project: Option<&Manifest>,
        name: &str,
        constraint: &str,
        platform: &Platform,
    ) -> Result<ToolSpec, ResolutionError> {
        // The project's own pin of that very version: installed as `vx sync` would,
        // checked against the sha256 the project locked.
        if let Some(spec) = project.and_then(|m| {
            super::pinned::spec_at(
                m,
                self.lock.as_ref(),
                self.catalogue(),
                name,
                constraint,
                platform,
            )
        }) {
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
        // A runtime tool (`npm:prettier`): the environment just resolved, built with
        // its runtime when it is installed.
        super::plan::plan_specs(
            std::slice::from_mut(&mut spec),
            &scratch,
            platform,
            project.map(|m| m.path.as_path()),
        );
        Ok(spec)
    }
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
        if let Some(spec) = project.and_then(|m| {
            super::pinned::spec_at(
                m,
                lock.as_ref(),
                &self.catalogue,
                name,
                constraint,
                platform,
            )
        }) {
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
