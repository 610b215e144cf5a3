//! `vx x TOOL[@CONSTRAINT] [-- ARGS]` (and `vx TOOL@VERSION ARGS`): runs any registry
//! tool without a project, like `uvx` or `npx`: resolved as `vx exec TOOL@V` resolves
//! it ([`vx::resolution::Resolver::at_version`]: in a project, its own tool of that
//! name and its registries first, else the standard registry), installed into the same store as a project's tools (progress on stderr),
//! then run in place of `vx`.
//!
//! A resolution is remembered for a day (`<cache>/x/`), so running an installed tool
//! again reaches no network; `--offline` uses what is remembered, however old.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use vx::exit::Error;
use vx::install::store;
use vx::manifest::{Manifest, Platform};
use vx::spec::ToolSpec;
use vx::toolchain::{Origin, Tool, Toolchain};

use super::exec::Target;
use crate::cli::XArgs;

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

/// Runs `vx x`; returns only the error that stopped it.
pub fn run(args: &XArgs) -> Result<i32, Error> {
    Err(run_tool(
        &args.tool,
        args.command.as_deref(),
        &args.args,
        args.store.as_deref(),
        args.offline,
    ))
}

/// Resolves, installs and runs `tool` (`NAME[@CONSTRAINT]`) with `args`.
pub fn run_tool(
    tool: &str,
    command: Option<&str>,
    args: &[OsString],
    store: Option<&Path>,
    offline: bool,
) -> Error {
    let prepared = super::located_store(store).and_then(|store| {
        let spec = resolve(tool, &store, offline)?;
        Ok((spec, store))
    });
    let (spec, store) = match prepared {
        Ok(ok) => ok,
        Err(err) => return err,
    };
    let program = OsString::from(command.map_or_else(|| default_command(&spec), str::to_owned));
    let chain = Toolchain {
        tools: vec![Tool::from_spec(&store, spec, Origin::Override)],
        not_here: Vec::new(),
    };
    let session = vx::session::Session::outside(&vx::session::Opening::default());
    let target = Target {
        session: &session,
        requests: &[],
        store: Some(&store),
        offline,
        no_install: false,
        sources: None,
    };
    target.exec_in(chain, &store, &program, args)
}

/// The tool's download on this platform: remembered (installed, and resolved less
/// than a day ago, or offline), else resolved now.
fn resolve(tool: &str, store: &Path, offline: bool) -> Result<ToolSpec, Error> {
    // The project's own tools and registries count, as for `vx exec T@V`.
    let session = super::open(&vx::session::Opening::new(
        None,
        vx::session::Want::Optional,
    ))?;
    let project = session.manifest();
    let (name, constraint) = match vx::package_name::split_version(tool) {
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
    if name.is_empty() || constraint.is_empty() {
        return Err(Error::usage(format!(
            "`{tool}`: name a registry tool, optionally with a constraint: NAME or NAME@CONSTRAINT"
        )));
    }
    vx::version::Constraint::parse(constraint).map_err(Error::usage)?;
    let memo = vx::platform::fs::cache_dir().map(|dir| memo_path(&dir, project, name, constraint));
    let remembered = memo.as_deref().and_then(read_memo);
    if let Some(r) = remembered {
        let age = vx::utc::now().saturating_sub(r.resolved_at);
        let installed = store::receipt_for(store, &r.spec).is_some();
        if offline || (installed && age < REMEMBERED.as_secs()) {
            return Ok(r.spec);
        }
    }
    if offline {
        return Err(Error::failed(format!(
            "{tool} has not been resolved on this machine yet, and --offline fetches nothing"
        )));
    }
    let platform = Platform::current();
    let spec = session
        .on_demand(false)
        .at_version(project, name, constraint, &platform)
        .map_err(super::resolution_error)?;
    vx::validate::tool_name(&spec.name).map_err(Error::usage)?;
    if let Some(path) = memo {
        let record = Remembered {
            resolved_at: vx::utc::now(),
            spec: spec.clone(),
        };
        if let Ok(json) = serde_json::to_vec(&record) {
            // Remembering is an optimisation: a cache that cannot be written is not
            // an error.
            let _ = path.parent().map(std::fs::create_dir_all);
            let _ = vx::atomic::write(&path, &json);
        }
    }
    Ok(spec)
}

/// The exact version `project` pins of its tool `name`: a URL tool's, or the version
/// its lock resolved a registry tool to; `None` for a name it does not list, or a
/// registry tool not locked yet.
fn pinned_version(project: &vx::manifest::Manifest, name: &str) -> Option<String> {
    let tool = project.tool(name)?;
    if tool.registry.is_none() {
        return Some(tool.version.clone());
    }
    let lock = vx::lock::Lock::load(&project.lock_path()).ok().flatten()?;
    lock.tools.get(name).map(|entry| entry.version.clone())
}

/// The command a tool runs by default: the one named like the tool, else its first.
fn default_command(spec: &ToolSpec) -> String {
    let commands: Vec<&str> = spec
        .bin
        .iter()
        .flatten()
        .map(|b| vx::bin_entry::command(b))
        .collect();
    commands
        .iter()
        .find(|c| vx::platform::fs::command_name(c).unwrap_or(c) == spec.name)
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

fn read_memo(path: &Path) -> Option<Remembered> {
    let bytes = vx::bounded_read::read(path, 1 << 20).ok()?;
    let mut memo: Remembered = serde_json::from_slice(&bytes).ok()?;
    memo.spec.validate().ok()?;
    Some(memo)
}
