//! vx run under another name than its own: a shim of `<data dir>/vx/shims`
//! ([`vx::shims`]). It runs the command as the current directory's project pins it,
//! with the user's global toolset layered under it (outside a project, the global
//! toolset alone), as `vx exec -- CMD ARGS` would, replacing this process (the exit
//! status and signals are the command's own).
//!
//! Of a project the user has not trusted ([`vx::trust`]) it applies the tools alone,
//! not the project's `[env]`, env files or `[settings] path`.
//!
//! It is meant to cost little over the command itself: the project's recorded
//! activation answers while nothing it came from changed (a few `stat`s and two small
//! digests), else the manifest, lock and receipts are read. It never installs, never
//! locks and never reaches the network: a tool that is not installed as vx.toml and
//! vx.lock say (after an edit of vx.toml, before `vx sync`) is an error naming it
//! (exit 127). A command no tool provides is looked up on the inherited `PATH`
//! without the shims' directory (the system's own `python` outside a project), and
//! when that finds nothing either, the error says so (exit 127).

use std::ffi::OsString;
use std::path::PathBuf;

use vx::exit::Error;
use vx::session::{Opening, Want};
use vx::toolchain::search;

use vx::ops::exec::{NOT_FOUND, not_here, replace_process};

/// Runs the shim for `command` with `args`; returns only the error that stopped it.
pub fn run(command: &str, args: &[OsString]) -> Result<i32, Error> {
    let program = OsString::from(command);
    let shims = vx::shims::dir();
    let inherited = vx::shims::path_without(shims.as_deref(), std::env::var_os("PATH").as_deref());
    let (sources, recorded) = vx::session::recorded::activation(None, None).unzip();
    // A project the user has not trusted lends the command its tools, not its own
    // environment ([`vx::trust`]).
    if let (Some(recorded), Some(sources)) = (recorded.flatten(), sources.as_ref()) {
        let environment = match vx::trust::is_trusted(sources.manifest()) {
            true => recorded.environment().clone(),
            false => recorded.environment().tools_only(),
        };
        let path = environment.search_path(recorded.bin_dirs(), Some(&inherited));
        let exe = match recorded.find(&program) {
            _ if let Some(exe) = environment.in_venv(&program) => Some(exe),
            Some(exe) => Some(exe.to_path_buf()),
            None => outside(&program, &path),
        };
        if exe.is_none() {
            return Err(not_here(recorded.not_here(), &program).unwrap_or_else(|| missing(command)));
        }
        let changes = environment.changes();
        return Err(replace_process(&program, args, &path, &changes, exe));
    }
    // What is at hand only: a registry's runtime declaration not cached is left out
    // (its tool then "not installed"), never fetched. Run from a directory since
    // deleted, no project is here: the global toolset's, as anywhere outside one.
    let want = match std::env::current_dir() {
        Ok(_) => Want::ProjectOrGlobal,
        Err(_) => Want::Global,
    };
    let session = super::open(&Opening {
        offline: true,
        at_hand: true,
        ..Opening::new(None, want)
    })?;
    let manifest = session.manifest();
    let store = session.store().map_err(super::session_error)?;
    let chain = session
        .toolchain(&[], &store)
        .map_err(super::toolchain_error)?;
    vx::ops::target::record_activation(&chain, manifest, sources.as_ref(), &store);
    if chain.find(&program).is_none()
        && let Some(tool) = chain.provider(command).filter(|t| !t.installed())
    {
        let from = manifest.map_or_else(String::new, |m| format!(" ({})", m.path.display()));
        return Err(Error::with_code(
            NOT_FOUND,
            format!(
                "{command}: {} is not installed{from}; run `vx sync` there (the shim installs nothing)",
                tool.label()
            ),
        ));
    }
    let declared = match &manifest {
        Some(m) => vx::project_env::Declared::of_trusted(m, vx::trust::is_trusted(&m.path))
            .map_err(Error::usage)?,
        None => vx::project_env::Declared::default(),
    }
    .with_tools(chain.env());
    let path = declared.search_path(&chain.bin_dirs(), Some(&inherited));
    let exe = match chain.find(&program) {
        _ if let Some(exe) = declared.in_venv(&program) => Some(exe),
        Some(exe) => Some(exe),
        None => outside(&program, &path),
    };
    if exe.is_none() {
        return Err(not_here(&chain.not_here, &program).unwrap_or_else(|| missing(command)));
    }
    Err(replace_process(
        &program,
        args,
        &path,
        &declared.changes(),
        exe,
    ))
}

/// `program` on `path` (no tool provides it), passing over what is this very vx (a
/// link to it: a shim, the shims' directory on `PATH` again through a symbolic link,
/// which would run the shim again) to the next directory that has it.
fn outside(program: &OsString, path: &std::ffi::OsStr) -> Option<PathBuf> {
    let me = std::env::current_exe().and_then(|p| p.canonicalize()).ok();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(path).collect();
    loop {
        let exe = search::find(program, &vx::platform::search::join(&dirs))?;
        match (exe.canonicalize().ok(), &me) {
            (Some(found), Some(me)) if found == *me => {
                let before = dirs.len();
                dirs.retain(|dir| Some(dir.as_path()) != exe.parent());
                if dirs.len() == before {
                    return None;
                }
            }
            _ => return Some(exe),
        }
    }
}

/// A shim's "command not found": no tool of the project or the global toolset
/// provides it, and the `PATH` outside the shims does not have it.
fn missing(command: &str) -> Error {
    let shown = vx_tui::text::sanitize(command).into_owned();
    Error::with_code(
        NOT_FOUND,
        format!(
            "{shown}: no tool of this directory's project or of the global toolset provides it, and it is not on PATH (vx's shims left out); `vx use -g {shown}` or `vx sync` installs it"
        ),
    )
}
