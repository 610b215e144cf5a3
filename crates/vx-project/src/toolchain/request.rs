//! `TOOL[@VERSION]` on the command line (`vx exec node@20 -- node -v`): a tool of the
//! manifest, the manifest's tool at another version, or a version in the store.

use std::path::Path;

use vx_base::validate::{self, FieldError};
use vx_engine::inventory;
use vx_engine::resolution::{self, ResolutionError};
use vx_engine::store;
use vx_model::manifest::{Manifest, Platform, ResolveError};

use super::{Origin, Tool};

/// One tool named on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The tool's name.
    pub name: String,
    /// The version, when given (else the manifest's, else the newest installed).
    pub version: Option<String>,
}

/// Why a named tool cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// Not `TOOL` or `TOOL@VERSION` with a valid name and version.
    #[error("`{text}` is not TOOL or TOOL@VERSION: {source}")]
    Invalid {
        /// The argument.
        text: String,
        /// What is wrong.
        #[source]
        source: FieldError,
    },
    /// Neither the manifest nor the store has the tool.
    #[error("{name} is not in vx.toml and no version of it is installed")]
    Unknown {
        /// The tool.
        name: String,
    },
    /// Not in the manifest, and the store lacks that version.
    #[error(
        "{name} {version} is not installed, and vx.toml has no {name} to install it from; run `vx install {name}@{version} --url …`"
    )]
    NotInstalled {
        /// The tool.
        name: String,
        /// The version.
        version: String,
    },
    /// A registry tool of the manifest at a version the store lacks, where nothing
    /// could resolve it.
    #[error("{name} {version} is not installed; `vx exec {name}@{version} -- …` installs it")]
    NotResolved {
        /// The tool.
        name: String,
        /// The version.
        version: String,
    },
    /// The manifest's tool has no download at that version on this platform.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// A registry could not say what that version is.
    #[error(transparent)]
    Resolution(#[from] ResolutionError),
}

impl std::str::FromStr for Request {
    type Err = RequestError;

    fn from_str(text: &str) -> Result<Request, RequestError> {
        let invalid = |source| RequestError::Invalid {
            text: text.to_owned(),
            source,
        };
        // A language registry's package (`cargo:cargo-insta@1.40`, `npm:@scope/x@1`),
        // as mise names a task's tools: resolved by its backend, as `vx x` resolves it.
        if let Ok(Some(_)) =
            vx_model::package_name::Name::parse(vx_model::package_name::split_version(text).0)
        {
            let (name, version) = vx_model::package_name::split_version(text);
            if let Some(version) = version {
                validate::version(version).map_err(invalid)?;
            }
            return Ok(Request {
                name: name.to_owned(),
                version: version.map(str::to_owned),
            });
        }
        let (name, version) = match text.split_once('@') {
            Some((name, version)) => (name, Some(version)),
            None => (text, None),
        };
        validate::tool_name(name).map_err(invalid)?;
        if let Some(version) = version {
            validate::version(version).map_err(invalid)?;
        }
        Ok(Request {
            name: name.to_owned(),
            version: version.map(str::to_owned),
        })
    }
}

impl Request {
    /// Whether `tool` (of the manifest) is what this asks for.
    pub(crate) fn picks(&self, tool: &Tool) -> bool {
        tool.name == self.name && self.version.as_ref().is_none_or(|v| *v == tool.version)
    }

    /// The tool when the manifest's own does not answer: the manifest's URL tool at
    /// the asked version (its checksums belong to its own version, so none is kept),
    /// else the store's; a version neither has (a registry tool's other version, a
    /// name of the registries) is asked of `resolve`, when given, as `vx x` asks it
    /// ([`resolution::Resolver::at_version`]).
    pub(super) fn resolve(
        &self,
        manifest: Option<&Manifest>,
        platform: &Platform,
        store: &Path,
        resolve: Option<&resolution::OnDemand>,
    ) -> Result<Tool, RequestError> {
        let listed = manifest.and_then(|m| m.tool(&self.name));
        if let (Some(table), Some(version)) = (listed, self.version.as_ref())
            && table.registry.is_none()
        {
            let spec = table.at_version(version).resolve(platform)?;
            return Ok(Tool::from_spec(store, spec, Origin::Override));
        }
        match (
            self.in_store(listed.is_some(), store),
            resolve,
            &self.version,
        ) {
            (Err(_), Some(resolve), Some(version)) => {
                let spec = resolve.at_version(manifest, &self.name, version, platform)?;
                Ok(Tool::from_spec(store, spec, Origin::Override))
            }
            (found, _, _) => found,
        }
    }

    /// The version the store holds (the newest when none is asked).
    fn in_store(&self, listed: bool, store: &Path) -> Result<Tool, RequestError> {
        let version = match &self.version {
            Some(version) => version.clone(),
            None => inventory::tool_versions(store, &self.name)
                .pop()
                .ok_or_else(|| RequestError::Unknown {
                    name: self.name.clone(),
                })?,
        };
        let (tree, receipt) = store::newest_tree(store, &self.name, &version).ok_or_else(|| {
            let (name, version) = (self.name.clone(), version.clone());
            if listed {
                RequestError::NotResolved { name, version }
            } else {
                RequestError::NotInstalled { name, version }
            }
        })?;
        Ok(Tool {
            name: self.name.clone(),
            version,
            origin: Origin::Store,
            spec: None,
            tree,
            receipt: Some(receipt),
        })
    }
}
