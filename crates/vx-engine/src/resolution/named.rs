//! A tool as users name it on the command line (`vx add`, `vx versions`, `vx x`,
//! `vx outdated`, `vx upgrade`, `vx search`, the daemon's `list_versions`): a
//! language runtime first (`node`, `nodejs`, `python`), else a registry package
//! (`ripgrep`, `cli/cli`). One place answers "what is it" and "which versions does it
//! have", so every command treats runtimes and packages alike. What a name at a
//! version installs is [`super::at_version`]'s.

use vx_model::manifest::ToolTable;
use vx_sources::registry::set::Found;
use vx_sources::runtime::Runtime;

use super::resolver::{Candidate, Resolver};
use super::{ResolutionError, runtime as resolve_runtime};

/// What a name designates.
pub enum Named {
    /// One of vx's language runtimes.
    Runtime(std::sync::Arc<dyn Runtime>),
    /// A package of the project's registries or the standard one.
    Package(Box<Found>),
    /// A language registry's package (`npm:esbuild`, `pypi:ruff`).
    Backend(vx_sources::backend::Name),
}

/// One version of a named tool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// The version as the store shows it.
    pub version: String,
    /// The publisher's name of it (the release tag, `v20.11.1`, `go1.23.8`).
    pub tag: String,
    /// When it was published, when known.
    pub published_at: Option<String>,
    /// Whether it is a pre-release.
    pub prerelease: bool,
    /// Its long-term-support line (`Iron`), for runtimes that have them.
    pub lts: Option<String>,
}

impl Named {
    /// The package as the lock records it: `runtime:node`, `corp:runtime:corp-jdk`,
    /// `standard:cli/cli`.
    pub fn qualified_name(&self) -> String {
        match self {
            Named::Runtime(r) => r.package(),
            Named::Package(found) => found.qualified_name(),
            Named::Backend(name) => name.to_string(),
        }
    }

    /// Its name in the store and on the board (`node`, `ripgrep`).
    pub fn short_name(&self) -> String {
        match self {
            Named::Runtime(r) => r.name().to_owned(),
            Named::Package(found) => found.short_name.clone(),
            Named::Backend(name) => name.short_name(),
        }
    }

    /// The `[tools]` table vx.toml would hold for it at `constraint` (a runtime by its
    /// name, a package by its qualified name), to resolve as any registry tool.
    pub(crate) fn table(&self, constraint: &str) -> ToolTable {
        let lookup = match self {
            Named::Runtime(runtime) => runtime.name().to_owned(),
            Named::Package(package) => package.qualified_name(),
            Named::Backend(name) => name.to_string(),
        };
        ToolTable::registry_tool(self.short_name(), lookup, constraint)
    }

    /// Why vx cannot install it, when it cannot.
    pub fn unsupported(&self) -> Option<&str> {
        match self {
            Named::Runtime(_) | Named::Backend(_) => None,
            Named::Package(found) => found.unsupported.as_deref(),
        }
    }
}

impl From<Candidate> for Listed {
    fn from(c: Candidate) -> Listed {
        Listed {
            version: c.version,
            tag: c.tag,
            published_at: c.published_at,
            prerelease: c.prerelease,
            lts: None,
        }
    }
}

impl From<vx_sources::runtime::Release> for Listed {
    fn from(r: vx_sources::runtime::Release) -> Listed {
        Listed {
            version: r.version,
            tag: r.id,
            published_at: r.published_at,
            prerelease: r.prerelease,
            lts: r.lts,
        }
    }
}

impl Resolver<'_> {
    /// What `name` designates: a runtime's name or alias, else a registry lookup.
    pub fn named(&self, name: &str) -> Result<Named, ResolutionError> {
        if let Some(backend) = vx_sources::backend::Name::parse(name)
            .map_err(|e| ResolutionError::Usage(e.to_string()))?
        {
            return Ok(Named::Backend(backend));
        }
        match self
            .catalogue()
            .find(name)
            .map_err(resolve_runtime::error)?
        {
            Some(runtime) => Ok(Named::Runtime(runtime)),
            None => match self.lookup(name) {
                Ok(found) => Ok(Named::Package(Box::new(found))),
                Err(e) => Err(super::resolver::near_runtime(name, e)),
            },
        }
    }

    /// Its versions, newest first.
    pub fn listed(&self, named: &Named) -> Result<Vec<Listed>, ResolutionError> {
        match named {
            Named::Runtime(runtime) => Ok(self
                .runtime_releases(&**runtime)
                .map_err(resolve_runtime::error)?
                .into_iter()
                .map(Listed::from)
                .collect()),
            Named::Package(found) => Ok(self
                .versions(found)?
                .into_iter()
                .map(Listed::from)
                .collect()),
            Named::Backend(name) => Ok(self
                .language_registries()
                .versions(name)?
                .into_iter()
                .map(Listed::from)
                .collect()),
        }
    }

    /// The version `constraint` picks (as the lock would).
    pub fn pick_named(&self, named: &Named, constraint: &str) -> Result<Listed, ResolutionError> {
        match named {
            Named::Runtime(runtime) => self
                .pick_runtime(&**runtime, constraint)
                .map(Listed::from)
                .map_err(resolve_runtime::error),
            Named::Package(found) => self.pick(found, constraint).map(Listed::from),
            Named::Backend(name) => self
                .language_registries()
                .pick(name, constraint)
                .map(Listed::from),
        }
    }

    /// The `[tools]` key vx.toml lists it under: a runtime's name; a package's short
    /// name when that finds the same package, else its full name (`"cli/cli"`).
    pub fn manifest_key(&self, named: &Named) -> String {
        match named {
            Named::Runtime(runtime) => runtime.name().to_owned(),
            Named::Backend(name) => name.to_string(),
            Named::Package(found) => {
                let short = &found.short_name;
                match self.lookup(short) {
                    Ok(same) if same.qualified_name() == found.qualified_name() => short.clone(),
                    _ => found.full_name.clone(),
                }
            }
        }
    }
}
