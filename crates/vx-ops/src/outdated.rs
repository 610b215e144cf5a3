//! `vx outdated`'s work: for each registry tool and runtime of vx.toml, the version
//! vx.lock pins, the newest its constraint allows and the newest there is. Nothing
//! here prints ([`vx::present::outdated`] does).

use crate::session::{Session, SessionError};
use vx_engine::resolution::ResolutionError;

/// One tool of vx.toml and its versions.
pub struct Outdated {
    /// Its name in vx.toml.
    pub name: String,
    /// Its registry package.
    pub package: String,
    /// Its constraint in vx.toml.
    pub constraint: String,
    /// The version vx.lock pins for this constraint, if it does.
    pub locked: Option<String>,
    /// The newest version the constraint allows, if any does.
    pub wanted: Option<String>,
    /// The newest version there is, if any.
    pub latest: Option<String>,
}

/// Why the versions could not be looked up.
#[derive(Debug, thiserror::Error)]
pub enum OutdatedError {
    /// The project could not be opened.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// A registry or publisher could not be read (a network that fails is said, not
    /// shown as "no version").
    #[error(transparent)]
    Resolution(#[from] ResolutionError),
}

/// The session's registry tools and runtimes, in vx.toml's order; `quiet` keeps the
/// network's notes out of a JSON answer.
pub fn outdated(session: &Session, quiet: bool) -> Result<Vec<Outdated>, OutdatedError> {
    let manifest = session.project()?;
    let lock = session.lock();
    let net = session.network(quiet)?;
    let resolver = session.resolver(&net)?;
    let mut tools = Vec::new();
    for tool in &manifest.tools {
        let Some(request) = &tool.registry else {
            continue;
        };
        let found = resolver.named(&request.lookup)?;
        let locked = lock
            .as_ref()
            .and_then(|l| l.tools.get(&tool.name))
            .filter(|e| e.constraint.as_deref() == Some(request.constraint.as_str()))
            .map(|e| e.version.clone());
        // No version matching is a "-"; a network that failed is an error.
        let pick = |constraint: &str| match resolver.pick_named(&found, constraint) {
            Ok(candidate) => Ok(Some(candidate.version)),
            Err(e) if e.is_usage() => Ok(None),
            Err(e) => Err(e),
        };
        tools.push(Outdated {
            name: tool.name.clone(),
            package: found.qualified_name(),
            constraint: request.constraint.clone(),
            locked,
            wanted: pick(&request.constraint)?,
            latest: pick("latest")?,
        });
    }
    Ok(tools)
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // Versions that could not be looked up (`vx outdated`).
    OutdatedError => |e| match e {
        crate::outdated::OutdatedError::Session(e) => e.into(),
        crate::outdated::OutdatedError::Resolution(e) => e.into(),
    };
}
