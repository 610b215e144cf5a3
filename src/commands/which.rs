//! `vx which CMD`: the absolute path of the executable `vx exec -- CMD` would run: a
//! project tool's, else the one in the project's `[settings] path` or on the inherited
//! `PATH`. A project tool that would provide it but is not installed is an error (exit
//! 1) saying to run `vx sync`.
//!
//! The quick answers first: a running daemon's ([`vx_daemon::active::ActiveTools`]; measured
//! faster than the record at 300 tools, the same at 10: docs/BENCHMARKS.md,
//! "Daemon"), else the project's recorded activation while nothing it was made from
//! changed; a command neither finds is looked up in full (the daemon may not have seen
//! a change of the last few milliseconds yet).

use std::ffi::OsStr;
use std::io::Write;
use std::path::PathBuf;

use vx_base::exit::Error;
use vx_project::toolchain::search;

use crate::cli::WhichArgs;
use vx_daemon::active::{self, ActiveTools, Need, Quick, Request};

/// Runs `vx which`.
pub(crate) fn run(args: &WhichArgs) -> Result<i32, Error> {
    let (manifest_arg, store_arg) = (
        args.project.manifest.as_deref(),
        args.project.store.as_deref(),
    );
    let command = args.command.as_os_str();
    let store = super::request::located_store(store_arg)?;
    let request = Request {
        manifest: manifest_arg,
        store_arg,
        store: &store,
        need: Need::Command(command),
    };
    let sources = match active::quick(&request, &|line| vx_base::note!("{line}")) {
        Quick::Found(exe) => return print(exe),
        Quick::Full(sources) => sources,
        // Only `Need::Toolchain` is answered with tools; the command is then still
        // looked up in full.
        Quick::Tools(_) => None,
    };
    let session = super::open(&vx_ops::session::Opening::new(
        manifest_arg,
        vx_ops::session::Want::ProjectOrGlobal,
    ))?;
    let tools = active::full(&session, &store, sources.as_ref())?;
    match tools.find(command) {
        Some(exe) => print(exe),
        None => print(outside(command, &tools)?),
    }
}

/// `command` when no installed tool of the project has it: an error if a missing one
/// would, else the inherited `PATH`'s.
fn outside(command: &OsStr, tools: &ActiveTools) -> Result<PathBuf, Error> {
    let name = command.to_str().unwrap_or_default();
    let provider = tools.missing.iter().find(|(_, commands)| {
        commands
            .iter()
            .any(|c| vx_base::platform::fs::same_command(c, name))
    });
    if let Some((said, _)) = provider {
        return Err(Error::failed(said.clone()));
    }
    if let Some(tool) = tools
        .not_here
        .iter()
        .find(|t| vx_base::platform::fs::same_command(t, name))
    {
        return Err(Error::failed(format!(
            "{tool} is not for {} (its `os` in vx.toml leaves it out)",
            vx_model::manifest::Platform::current()
        )));
    }
    // As `vx exec` searches: the project's `[settings] path`, then the inherited PATH.
    let inherited = std::env::var_os("PATH");
    let path = tools.environment.search_path(&[], inherited.as_deref());
    search::find(command, &path).ok_or_else(|| {
        let shown = vx_tui::text::sanitize(&command.to_string_lossy()).into_owned();
        Error::failed(format!(
            "{shown}: no tool of the project provides it and it is not on PATH"
        ))
    })
}

/// Prints `exe` as an absolute path.
fn print(exe: PathBuf) -> Result<i32, Error> {
    let exe: PathBuf = std::path::absolute(&exe).unwrap_or(exe);
    let mut out = std::io::stdout().lock();
    out.write_all(exe.as_os_str().as_encoded_bytes())?;
    out.write_all(b"\n")?;
    Ok(vx_base::exit::OK)
}
