//! vx's own runtime for a runtime tool (`npm:prettier`, `pypi:black`) of a project
//! that names no node or python, or of none (`vx x npm:prettier`): as uv picks a
//! python and mise a node, vx takes its built-in runtime at [`super::own_constraint`]
//! (node's newest LTS line, python's newest stable release), resolved like a
//! project's runtime and locked inside the tool's environment entry
//! (`vx_model::lock::Environment::own_runtime`), its version kept while that entry is.

use crate::resolution::ResolutionError;
use crate::resolution::named::Named;
use crate::resolution::resolver::Resolver;
use vx_model::lock::{Lock, LockedTool};
use vx_model::manifest::{Platform, ToolTable};
use vx_sources::runtime::catalogue::Catalogue;

impl Resolver<'_> {
    /// vx's own `runtime` at `constraint` resolved for `platforms` (the version of
    /// `kept`, when it was locked at the same constraint): the concrete table and its
    /// lock entry.
    pub(crate) fn own_runtime(
        &self,
        runtime: &str,
        constraint: &str,
        platforms: &[Platform],
        kept: Option<&LockedTool>,
    ) -> Result<(ToolTable, LockedTool), ResolutionError> {
        let found = Catalogue::builtin_only()
            .find(runtime)
            .map_err(crate::resolution::runtime::error)?
            .ok_or_else(|| ResolutionError::Usage(format!("vx has no runtime named {runtime}")))?;
        let table = Named::Runtime(found.clone()).table(constraint);
        let mut scratch = Lock::default();
        if let Some(entry) = kept {
            scratch.tools.insert(table.name.clone(), entry.clone());
        }
        let concrete =
            self.resolve_runtime(&*found, &table, constraint, platforms, &mut scratch)?;
        let entry = scratch.tools.remove(&table.name).ok_or_else(|| {
            ResolutionError::Environment(format!("{runtime} {constraint}: nothing was locked"))
        })?;
        Ok((concrete, entry))
    }
}
