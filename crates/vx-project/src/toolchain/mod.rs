//! A project's toolchain on this machine: which store trees its tools are, whether
//! they are installed, their executables, and the `PATH` that puts them first. Shared
//! by `vx exec`, `vx CMD`, `vx which` and `vx env` (and `vx list`, for which versions
//! the manifest uses).
//!
//! - [`activation`]: the record of a fully installed project's toolchain that spares
//!   `vx exec` reading every file again.
//! - [`request`]: `TOOL[@VERSION]` arguments naming tools beyond (or instead of) the
//!   manifest's.
//! - [`search`]: finding a command on a `PATH`, as `execvp` would.
//! - [`shell`]: `vx env` output for each shell.

pub mod activation;
pub mod failed;
pub(crate) mod request;
/// `PATH`'s search, a leaf of the platform layer (`project_env` joins `PATH` with it
/// too); kept here under its old name.
pub use vx_base::platform::search;
pub mod shell;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::plan::{self, LockMode, ProjectError};
pub use request::{Request, RequestError};
use vx_engine::resolution;
use vx_engine::store::{self, Receipt};
use vx_model::lock::Lock;
use vx_model::manifest::global::under as global_under;
use vx_model::manifest::{Manifest, Platform};
use vx_model::spec::ToolSpec;
use vx_sources::runtime::catalogue::Catalogue;

/// Where a tool of the toolchain comes from, which decides how a missing one is
/// installed.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// A tool of the manifest, as it (and its lock) says: installed by the project's
    /// sync, which records it in the lock.
    Manifest,
    /// A tool of the manifest at another version named on the command line: installed
    /// from the manifest's URL with that version, on trust (no checksum is known for
    /// it), and not recorded in the lock.
    Override,
    /// A version named on the command line that only the store has.
    Store,
    /// A tool of the user's global toolset ([`vx_model::manifest::global`]) that the
    /// project does not list: installed by the global set's own sync.
    Global,
}

/// One tool of a toolchain.
#[derive(Clone, Debug)]
pub struct Tool {
    /// The tool's name.
    pub name: String,
    /// The version.
    pub version: String,
    /// Where it comes from.
    pub origin: Origin,
    /// How to install it ([`Origin::Store`] tools have none).
    pub spec: Option<ToolSpec>,
    /// Its tree in the store.
    pub tree: PathBuf,
    /// Its receipt when it is installed as `spec` asks.
    pub receipt: Option<Receipt>,
}

impl Tool {
    /// The tool `spec` describes, as `store` holds it (or not yet).
    pub fn from_spec(store: &Path, spec: ToolSpec, origin: Origin) -> Tool {
        // Where the store holds it (its own directory, or an older vx's tree read in
        // place), else where an install puts it.
        let (tree, receipt) = match store::find(store, &spec) {
            Some((tree, receipt)) => (tree, Some(receipt)),
            None => (store::install_dir(store, &spec), None),
        };
        Tool {
            name: spec.name.clone(),
            version: spec.version.clone(),
            origin,
            tree,
            receipt,
            spec: Some(spec),
        }
    }

    /// Whether it is installed.
    pub fn installed(&self) -> bool {
        self.receipt.is_some()
    }

    /// Its executables (absolute paths), from its receipt; none when not installed.
    pub fn executables(&self) -> Vec<PathBuf> {
        let Some(receipt) = &self.receipt else {
            return Vec::new();
        };
        receipt.bin.iter().map(|bin| self.tree.join(bin)).collect()
    }

    /// The directories holding its executables, in the receipt's order, each once,
    /// then the directories outside the store its runtime puts after them (npm's
    /// global `bin`, where `npm i -g` links a package's commands).
    pub fn bin_dirs(&self) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = Vec::new();
        for exe in self.executables() {
            if let Some(dir) = exe.parent().filter(|d| !dirs.iter().any(|x| x == d)) {
                dirs.push(dir.to_path_buf());
            }
        }
        if let Some(receipt) = &self.receipt {
            for dir in receipt.path_after.iter().map(PathBuf::from) {
                if !dirs.contains(&dir) {
                    dirs.push(dir);
                }
            }
        }
        dirs
    }

    /// The command names it provides: its executables' file names once installed;
    /// before that, those of the manifest's `bin` list, else its own name (the usual
    /// case: `[tools.node]` provides `node`).
    ///
    /// On Windows an executable also provides its name without the extension (`rg.exe`
    /// provides `rg` too).
    pub fn commands(&self) -> Vec<String> {
        let file_name = |path: &str| path.rsplit('/').next().unwrap_or(path).to_owned();
        let files: Vec<String> = match (
            &self.receipt,
            self.spec.as_ref().and_then(|s| s.bin.as_ref()),
        ) {
            (Some(receipt), _) => receipt.bin.iter().map(|b| file_name(b)).collect(),
            (None, Some(listed)) => listed
                .iter()
                .map(|b| vx_base::bin_entry::command(b).to_owned())
                .collect(),
            (None, None) => return vec![self.name.clone()],
        };
        let mut commands = Vec::with_capacity(files.len());
        for file in files {
            if let Some(command) = vx_base::platform::fs::command_name(&file) {
                commands.push(command.to_owned());
            }
            commands.push(file);
        }
        commands
    }

    /// `name version`, for messages.
    pub fn label(&self) -> String {
        format!("{} {}", self.name, self.version)
    }

    /// What a missing tool's message says: `NAME VERSION is not installed; run `vx
    /// sync`` — `vx sync -g` for a tool of the global toolset (layered under the
    /// project of `manifest`, or the toolchain itself outside any project), whose
    /// project sync would not install it.
    pub fn not_installed(&self, manifest: Option<&Path>) -> String {
        let global = self.origin == Origin::Global
            || manifest.is_some_and(|m| {
                vx_model::manifest::global::path()
                    .is_some_and(|g| vx_model::manifest::global::is_global(m, &g))
            });
        let sync = if global { "vx sync -g" } else { "vx sync" };
        if self.spec.is_none() && self.origin != Origin::Store {
            // A registry tool vx.lock does not pin here as vx.toml now asks (added, its
            // constraint edited, or locked on another platform only): no version is
            // known for this platform yet, whatever the store holds.
            return format!(
                "{} \"{}\" is not locked for {} yet (vx.toml asks for it, vx.lock does not pin it here); run `{sync}`",
                self.name,
                self.version,
                vx_model::manifest::Platform::current()
            );
        }
        format!("{} is not installed; run `{sync}`", self.label())
    }
}

/// Why a toolchain cannot be put together.
#[derive(Debug, thiserror::Error)]
pub enum ToolchainError {
    /// The manifest or its lock cannot be used.
    #[error(transparent)]
    Project(#[from] ProjectError),
    /// A tool named on the command line cannot be found.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The global toolset's `vx.toml` cannot be read.
    #[error(transparent)]
    Global(vx_model::manifest::ManifestError),
}

/// The tools of a project (and any named on the command line), in the order they go
/// on `PATH`: named tools first, then the manifest's.
#[derive(Clone, Debug, Default)]
pub struct Toolchain {
    /// The tools.
    pub tools: Vec<Tool>,
    /// The manifest's tools whose `os` leaves this platform out: not part of it, and
    /// not missing either.
    pub not_here: Vec<String>,
}

impl Toolchain {
    /// The toolchain of `manifest` (its tools as its lock pins them on this platform)
    /// plus `requests`, in `store`; `resolve`, where given, answers the requests that
    /// vx.toml's URL tools and the store do not ([`Request`]: a registry tool at
    /// another version, a name only the registries know).
    pub fn assemble(
        manifest: Option<&Manifest>,
        catalogue: &Catalogue,
        requests: &[Request],
        store: &Path,
        resolve: Option<&resolution::OnDemand>,
    ) -> Result<Toolchain, ToolchainError> {
        let platform = Platform::current();
        let mut project = Vec::new();
        let mut not_here = Vec::new();
        if let Some(manifest) = manifest {
            let lock = Lock::load(&manifest.lock_path()).map_err(ProjectError::from)?;
            let (mut pinned, mut unresolved) =
                resolution::pinned::pin(manifest, lock.as_ref(), catalogue);
            // A registry tool the lock does not pin yet (or pins for other platforms
            // only) is missing: the sync that installs it resolves it first.
            unresolved.extend(resolution::pinned::lacking(&pinned, &platform));
            let unpinned: Vec<Tool> = pinned
                .tools
                .iter()
                .filter(|t| unresolved.contains(&t.name) && t.is_for(&platform))
                .map(|t| Tool {
                    name: t.name.clone(),
                    version: t.version.clone(),
                    origin: Origin::Manifest,
                    spec: None,
                    tree: store.join(&t.name),
                    receipt: None,
                })
                .collect();
            pinned.tools.retain(|t| !unresolved.contains(&t.name));
            let plan = plan::sync_plan(&pinned, lock.as_ref(), &platform, LockMode::Update)?;
            not_here = plan.not_here;
            project = plan
                .tools
                .into_iter()
                .map(|spec| Tool::from_spec(store, spec, Origin::Manifest))
                .chain(unpinned)
                .collect();
        }
        let mut tools = Vec::new();
        for req in requests {
            let tool = match project.iter().position(|t| req.picks(t)) {
                Some(at) => project.remove(at),
                None => req.resolve(manifest, &platform, store, resolve)?,
            };
            // A named version replaces the manifest's own.
            project.retain(|t| t.name != tool.name);
            tools.push(tool);
        }
        tools.extend(project);
        Ok(Toolchain { tools, not_here })
    }

    /// [`Toolchain::assemble`] with the user's global toolset layered under
    /// `manifest`'s tools ([`Toolchain::underlay`]), unless `manifest` is the global
    /// `vx.toml` itself or there is none (outside a project the caller passes the
    /// global manifest as the project's: [`global::find_or_global`]); `resolve` answers
    /// the requests as in [`Toolchain::assemble`].
    ///
    /// [`global::find_or_global`]: vx_model::manifest::global::find_or_global
    pub fn layered(
        manifest: Option<&Manifest>,
        catalogue: &Catalogue,
        requests: &[Request],
        store: &Path,
        resolve: Option<&resolution::OnDemand>,
    ) -> Result<Toolchain, ToolchainError> {
        let mut chain = Toolchain::assemble(manifest, catalogue, requests, store, resolve)?;
        let global = manifest.and_then(|m| global_under(&m.path));
        if let Some(global) = global.filter(|g| vx_model::manifest::global::is_there(g)) {
            let global = Manifest::load(&global).map_err(ToolchainError::Global)?;
            // The global toolset names vx's own runtimes and the user's: the project's
            // catalogue holds both.
            chain.underlay(Toolchain::assemble(
                Some(&global),
                catalogue,
                &[],
                store,
                None,
            )?);
        }
        Ok(chain)
    }

    /// Adds `global`'s tools whose names this toolchain lacks, after its own (so the
    /// project's version wins both the name and `PATH`), as [`Origin::Global`].
    pub(crate) fn underlay(&mut self, global: Toolchain) {
        for mut tool in global.tools {
            if !self.tools.iter().any(|t| t.name == tool.name) {
                tool.origin = Origin::Global;
                self.tools.push(tool);
            }
        }
    }

    /// Reads every tool's receipt again (after a sync installed some).
    pub fn refresh(&mut self, store: &Path) {
        for tool in &mut self.tools {
            if let Some(spec) = &tool.spec {
                let found = store::find(store, spec);
                if let Some((tree, _)) = &found {
                    tool.tree = tree.clone();
                }
                tool.receipt = found.map(|(_, receipt)| receipt);
            }
        }
    }

    /// Whether one of its installed tools is the store's tree at `tree` (not merely a
    /// tool of the same name and version: another package's tree is not used).
    pub fn uses_tree(&self, tree: &Path) -> bool {
        self.tools.iter().any(|t| t.installed() && t.tree == tree)
    }

    /// The tools that are not installed.
    pub fn missing(&self) -> Vec<&Tool> {
        self.tools.iter().filter(|t| !t.installed()).collect()
    }

    /// The installed tools' executable directories, in toolchain order, each once.
    pub fn bin_dirs(&self) -> Vec<PathBuf> {
        let mut seen = std::collections::HashSet::new();
        let all = self.tools.iter().flat_map(Tool::bin_dirs);
        all.filter(|dir| seen.insert(dir.clone())).collect()
    }

    /// The variables the installed tools set (a runtime's `JAVA_HOME`), each an
    /// absolute path into its tree, in toolchain order: the first tool to set a name
    /// wins it, as the first on `PATH` wins a command.
    pub fn env(&self) -> Vec<(String, PathBuf)> {
        let mut out: Vec<(String, PathBuf)> = Vec::new();
        for tool in &self.tools {
            let Some(receipt) = &tool.receipt else {
                continue;
            };
            for (name, relative) in &receipt.env {
                // A receipt of an older vx may name what no declaration may set now.
                if out.iter().any(|(n, _)| n == name)
                    || vx_sources::runtime::declared::format::runs_code(name)
                {
                    continue;
                }
                let path = if relative.is_empty() {
                    tool.tree.clone()
                } else {
                    tool.tree.join(relative)
                };
                out.push((name.clone(), path));
            }
        }
        out
    }

    /// The tool that provides `command` (see [`Tool::commands`]), first in order.
    pub fn provider(&self, command: &str) -> Option<&Tool> {
        self.tools.iter().find(|t| {
            t.commands()
                .iter()
                .any(|c| vx_base::platform::fs::same_command(c, command))
        })
    }

    /// The executable `command` names on the tools' directories alone.
    pub fn find(&self, command: &OsStr) -> Option<PathBuf> {
        search::find(command, &search::join(&self.bin_dirs()))
    }
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // A toolchain that could not be assembled: a manifest, lock or request that cannot
    // be used is a usage error; a resolution's as its own error says.
    ToolchainError => |e| {
        use crate::toolchain::{RequestError, ToolchainError};
        match e {
            ToolchainError::Project(e) => e.into(),
            ToolchainError::Request(RequestError::Resolution(e)) => e.into(),
            other => Error::usage(other),
        }
    };
}

#[cfg(test)]
mod tests;
