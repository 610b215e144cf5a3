//! A tool as users name it on the command line (`vx add`, `vx versions`, `vx x`,
//! `vx outdated`, `vx upgrade`, `vx search`, the daemon's `list_versions`): a
//! language runtime first (`node`, `nodejs`, `python`), else a registry package
//! (`ripgrep`, `cli/cli`). One place answers "what is it" and "which versions does it
//! have", so every command treats runtimes and packages alike.

use crate::registry::set::Found;
use crate::runtime::Runtime;

use super::resolver::{Candidate, Resolver};
use super::{ResolutionError, runtime as resolve_runtime};

/// What a name designates.
pub enum Named {
    /// One of vx's language runtimes.
    Runtime(&'static dyn Runtime),
    /// A package of the project's registries or the standard one.
    Package(Box<Found>),
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
    /// The package as the lock records it: `runtime:node`, `standard:cli/cli`.
    pub fn qualified_name(&self) -> String {
        match self {
            Named::Runtime(r) => format!("{}{}", resolve_runtime::PACKAGE_PREFIX, r.name()),
            Named::Package(found) => found.qualified_name(),
        }
    }

    /// Its name in the store and on the board (`node`, `ripgrep`).
    pub fn short_name(&self) -> String {
        match self {
            Named::Runtime(r) => r.name().to_owned(),
            Named::Package(found) => found.short_name.clone(),
        }
    }

    /// A one-line description, when there is one.
    pub fn description(&self) -> Option<String> {
        match self {
            Named::Runtime(r) => Some(r.summary().to_owned()),
            Named::Package(found) => found.package.description.clone(),
        }
    }

    /// Why vx cannot install it, when it cannot.
    pub fn unsupported(&self) -> Option<&str> {
        match self {
            Named::Runtime(_) => None,
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

impl From<crate::runtime::Release> for Listed {
    fn from(r: crate::runtime::Release) -> Listed {
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
        match crate::runtime::find(name).map_err(resolve_runtime::error)? {
            Some(runtime) => Ok(Named::Runtime(runtime)),
            None => Ok(Named::Package(Box::new(self.lookup(name)?))),
        }
    }

    /// Its versions, newest first.
    pub fn listed(&self, named: &Named) -> Result<Vec<Listed>, ResolutionError> {
        match named {
            Named::Runtime(runtime) => Ok(self
                .runtime_releases(*runtime)
                .map_err(resolve_runtime::error)?
                .into_iter()
                .map(Listed::from)
                .collect()),
            Named::Package(found) => Ok(self
                .versions(found)?
                .into_iter()
                .map(Listed::from)
                .collect()),
        }
    }

    /// The version `constraint` picks (as the lock would).
    pub fn pick_named(&self, named: &Named, constraint: &str) -> Result<Listed, ResolutionError> {
        match named {
            Named::Runtime(runtime) => {
                let releases = self
                    .runtime_releases(*runtime)
                    .map_err(resolve_runtime::error)?;
                runtime
                    .pick(&releases, constraint)
                    .map(Listed::from)
                    .map_err(resolve_runtime::error)
            }
            Named::Package(found) => self.pick(found, constraint).map(Listed::from),
        }
    }

    /// The `[tools]` key vx.toml lists it under: a runtime's name; a package's short
    /// name when that finds the same package, else its full name (`"cli/cli"`).
    pub fn manifest_key(&self, named: &Named) -> String {
        match named {
            Named::Runtime(runtime) => runtime.name().to_owned(),
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
