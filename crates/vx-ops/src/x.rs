//! `vx x TOOL[@CONSTRAINT]`'s work (and `vx TOOL@VERSION`'s): any registry tool resolved
//! without a project, as `vx exec TOOL@V` resolves it
//! ([`vx_engine::resolution::Resolver::at_version`]: in a project, its own tool of that name
//! and its registries first, else the standard registry), as a toolchain of that one
//! tool in the store, with the command to run. Installing and running it is the
//! caller's (the exec target). Nothing here prints.
//!
//! A resolution is remembered for a day (`<cache>/x/`), so running an installed tool
//! again reaches no network; `--offline` uses what is remembered, however old.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::session::{Session, SessionError};
use vx_engine::resolution::ResolutionError;
use vx_engine::store;
use vx_model::manifest::{Manifest, Platform};
use vx_model::spec::ToolSpec;
use vx_project::toolchain::{Origin, Tool, Toolchain};

/// How long a remembered resolution serves before the registry is asked again.
const REMEMBERED: Duration = Duration::from_secs(24 * 3600);

/// A resolution remembered between runs.
#[derive(Serialize, Deserialize)]
struct Remembered {
    /// When it was resolved (seconds since the epoch).
    resolved_at: u64,
    /// What it resolved to on this platform.
    spec: ToolSpec,
}

/// What to run.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// `NAME[@CONSTRAINT]`.
    pub tool: &'a str,
    /// The command to run (`None`: the one named like the tool, else its first).
    pub command: Option<&'a str>,
}

/// The tool resolved: its toolchain (one tool, maybe not installed yet), the store it
/// is installed into and the command to run.
pub(crate) struct Prepared {
    /// The session's store (`--store`, else the default), not created.
    pub store: PathBuf,
    /// The tool, in the store.
    pub chain: Toolchain,
    /// The command.
    pub program: OsString,
}

/// Why a tool could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum XError {
    /// The tool is not `NAME` or `NAME@CONSTRAINT` (the user's to fix).
    #[error("`{}`: name a registry tool, optionally with a constraint: NAME or NAME@CONSTRAINT", vx_text::sanitize(.0))]
    Malformed(String),
    /// The constraint does not parse (the user's to fix).
    #[error(transparent)]
    Constraint(#[from] vx_base::version::ConstraintError),
    /// The resolved name is not a tool name (the registry's answer is refused).
    #[error(transparent)]
    Name(#[from] vx_base::validate::FieldError),
    /// `--offline`, and never resolved here.
    #[error("{0} has not been resolved on this machine yet, and --offline fetches nothing")]
    NotResolved(String),
    /// The lookup failed.
    #[error(transparent)]
    Resolution(#[from] ResolutionError),
    /// The session's store cannot be used.
    #[error(transparent)]
    Session(#[from] SessionError),
}

/// Resolves `request.tool` (`session`: the project, if any, whose tools and
/// registries count; its store, and its offline switch: nothing resolved on the
/// network, what is remembered however old) into a toolchain of that one tool.
pub(crate) fn prepare(session: &Session, request: &Request<'_>) -> Result<Prepared, XError> {
    let store = session.store()?;
    let spec = resolve(session, request.tool, &store, session.offline())?;
    let program = OsString::from(
        request
            .command
            .map_or_else(|| default_command(&spec), str::to_owned),
    );
    let chain = Toolchain {
        tools: vec![Tool::from_spec(&store, spec, Origin::Override)],
        not_here: Vec::new(),
    };
    Ok(Prepared {
        store,
        chain,
        program,
    })
}

/// Whether `name` can name a registry tool (`ripgrep`, `BurntSushi/ripgrep`,
/// `npm:@biomejs/biome`): not a path (`/bin/sh`, `../x`, `C:\\x`), no whitespace,
/// control character or escape: such a name is refused before anything is looked up.
fn looks_like_a_tool(name: &str) -> bool {
    let path_like = name.starts_with(['/', '.', '\\', '~'])
        || name.contains('\\')
        || name.split('/').any(|part| part == ".." || part == ".")
        || name.get(1..3) == Some(":\\");
    !path_like && !name.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The tool's download on this platform: remembered (installed, and resolved less
/// than a day ago, or offline), else resolved now.
fn resolve(session: &Session, tool: &str, store: &Path, offline: bool) -> Result<ToolSpec, XError> {
    // The project's own tools and registries count, as for `vx exec T@V`.
    let project = session.manifest();
    let (name, constraint) = match vx_model::package_name::split_version(tool) {
        (name, Some(constraint)) => (name, constraint.to_owned()),
        // A tool the project pins runs at the version it pins, checked as `vx sync`
        // checks it; any other name at its newest.
        (_, None) => (
            tool,
            project
                .and_then(|m| pinned_version(m, tool))
                .unwrap_or_else(|| "latest".to_owned()),
        ),
    };
    let constraint = constraint.as_str();
    if name.is_empty() || constraint.is_empty() || !looks_like_a_tool(name) {
        return Err(XError::Malformed(tool.to_owned()));
    }
    vx_base::version::Constraint::parse(constraint)?;
    let memo =
        vx_base::platform::fs::cache_dir().map(|dir| memo_path(&dir, project, name, constraint));
    let remembered = memo.as_deref().and_then(read_memo);
    if let Some(r) = remembered {
        let age = vx_base::utc::now().saturating_sub(r.resolved_at);
        let installed = store::receipt_for(store, &r.spec).is_some();
        if offline || (installed && age < REMEMBERED.as_secs()) {
            return Ok(r.spec);
        }
    }
    if offline {
        return Err(XError::NotResolved(tool.to_owned()));
    }
    let platform = Platform::current();
    let spec = session
        .on_demand(false)
        .at_version(project, name, constraint, &platform)?;
    vx_base::validate::tool_name(&spec.name)?;
    if let Some(path) = memo {
        let record = Remembered {
            resolved_at: vx_base::utc::now(),
            spec: spec.clone(),
        };
        if let Ok(json) = serde_json::to_vec(&record) {
            // Remembering is an optimisation: a cache that cannot be written is not
            // an error.
            let _ = path.parent().map(std::fs::create_dir_all);
            let _ = vx_base::atomic::write(&path, &json);
        }
    }
    Ok(spec)
}

/// The exact version `project` pins of its tool `name`: a URL tool's, or the version
/// its lock resolved a registry tool to; `None` for a name it does not list, or a
/// registry tool not locked yet.
fn pinned_version(project: &Manifest, name: &str) -> Option<String> {
    let tool = project.tool(name)?;
    if tool.registry.is_none() {
        return Some(tool.version.clone());
    }
    let lock = vx_model::lock::Lock::load(&project.lock_path())
        .ok()
        .flatten()?;
    lock.tools.get(name).map(|entry| entry.version.clone())
}

/// The command a tool runs by default: the one named like the tool, else its first.
fn default_command(spec: &ToolSpec) -> String {
    let commands: Vec<&str> = spec
        .bin
        .iter()
        .flatten()
        .map(|b| vx_base::bin_entry::command(b))
        .collect();
    commands
        .iter()
        .find(|c| vx_base::platform::fs::command_name(c).unwrap_or(c) == spec.name)
        .or(commands.first())
        .map_or_else(|| spec.name.clone(), |c| (*c).to_owned())
}

/// Where the resolution of `name` at `constraint` is remembered: per platform and
/// per project (its tools and registries decide what a name is).
fn memo_path(cache: &Path, project: Option<&Manifest>, name: &str, constraint: &str) -> PathBuf {
    use sha2::Digest;
    let project = project.map_or_else(String::new, |m| m.path.display().to_string());
    let key = format!("{}\n{name}\n{constraint}\n{project}", Platform::current());
    let hex = hex::encode(sha2::Sha256::digest(key.as_bytes()));
    cache.join("x").join(format!("{}.json", &hex[..32]))
}

/// A remembered resolution, if it reads and its spec is valid.
fn read_memo(path: &Path) -> Option<Remembered> {
    let bytes = vx_base::bounded_read::read(path, 1 << 20).ok()?;
    let mut memo: Remembered = serde_json::from_slice(&bytes).ok()?;
    memo.spec.validate().ok()?;
    Some(memo)
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // A registry tool that could not be resolved (`vx x`, `vx TOOL@VERSION`): a
    // malformed name or constraint is exit 2, `--offline` without a resolution exit
    // 1, a lookup as the resolution's error says.
    XError => |e| {
        use crate::x::XError;
        match e {
            XError::Resolution(e) => e.into(),
            XError::Session(e) => e.into(),
            e @ XError::NotResolved(_) => Error::failed(e),
            e => Error::usage(e),
        }
    };
}
