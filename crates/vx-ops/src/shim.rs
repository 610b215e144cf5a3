//! A shim's run (vx invoked under another name than its own, [`vx_project::shims`]): the
//! command as the current directory's project pins it, the user's global toolset
//! layered under it (outside a project, the global toolset alone), as `vx exec -- CMD
//! ARGS` would, replacing this process. Of a project the user has not trusted
//! ([`vx_engine::trust`]) it applies the tools alone, not the project's `[env]`, env files
//! or `[settings] path`.
//!
//! The project's recorded activation answers first ([`Shim::run_recorded`]), else the
//! opened project's toolchain ([`Shim::run`]). It never installs, never locks and
//! never reaches the network: a tool not installed as vx.toml and vx.lock say is an
//! error naming it (exit 127). A command no tool provides is looked up on the
//! inherited `PATH` without the shims' directory, passing over vx itself. Nothing here
//! prints: each way returns only the error that stopped it.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use crate::session::{Session, SessionError};
use vx_base::exit::Error;
use vx_model::project_env::Declared;
use vx_model::project_env::env_file::EnvFileError;
use vx_project::toolchain::ToolchainError;
use vx_project::toolchain::activation::{Activation, Sources};

use super::exec::{NOT_FOUND, not_here, replace_process};

/// Why a shim's command could not be run.
#[derive(Debug, thiserror::Error)]
pub enum ShimError {
    /// The store cannot be used.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The toolchain cannot be assembled.
    #[error(transparent)]
    Toolchain(#[from] ToolchainError),
    /// The project's env files cannot be read.
    #[error(transparent)]
    Declared(#[from] EnvFileError),
    /// The command is not there (exit 127), or could not replace vx: with its code.
    #[error(transparent)]
    Exec(Error),
}

/// The command a shim stands for, with its arguments and the `PATH` it inherits
/// without the shims' directory.
pub struct Shim<'a> {
    command: &'a str,
    program: OsString,
    args: &'a [OsString],
    inherited: OsString,
}

impl<'a> Shim<'a> {
    /// The shim of `command`, run with `args`.
    pub fn new(command: &'a str, args: &'a [OsString]) -> Shim<'a> {
        let shims = vx_project::shims::dir();
        let inherited =
            vx_project::shims::path_without(shims.as_deref(), std::env::var_os("PATH").as_deref());
        Shim {
            command,
            program: OsString::from(command),
            args,
            inherited,
        }
    }

    /// Runs the command with the project's `recorded` activation (made from
    /// `sources`), in place of vx; returns only why it could not.
    pub fn run_recorded(&self, recorded: &Activation, sources: &Sources) -> Error {
        let environment = match vx_engine::trust::is_trusted(sources.manifest()) {
            true => recorded.environment().clone(),
            false => recorded.environment().tools_only(),
        };
        let path = environment.search_path(recorded.bin_dirs(), Some(&self.inherited));
        let exe = match recorded.find(&self.program) {
            _ if let Some(exe) = environment.in_venv(&self.program) => Some(exe),
            Some(exe) => Some(exe.to_path_buf()),
            None => outside(&self.program, &path),
        };
        if exe.is_none() {
            return not_here(recorded.not_here(), &self.program)
                .unwrap_or_else(|| missing(self.command));
        }
        let changes = environment.changes();
        replace_process(&self.program, self.args, &path, &changes, exe)
    }

    /// Runs the command with the toolchain of `session` (opened offline, with what is
    /// at hand), in place of vx, recording the activation with `sources`; returns only
    /// why it could not.
    pub fn run(&self, session: &Session, sources: Option<&Sources>) -> ShimError {
        match self.try_run(session, sources) {
            Ok(never) => match never {},
            Err(e) => e,
        }
    }

    fn try_run(
        &self,
        session: &Session,
        sources: Option<&Sources>,
    ) -> Result<std::convert::Infallible, ShimError> {
        let (command, program) = (self.command, &self.program);
        let manifest = session.manifest();
        let store = session.store()?;
        let chain = session.toolchain(&[], &store)?;
        super::target::record_activation(&chain, manifest, sources, &store);
        if chain.find(program).is_none()
            && let Some(tool) = chain.provider(command).filter(|t| !t.installed())
        {
            let from = manifest.map_or_else(String::new, |m| format!(" ({})", m.path.display()));
            return Err(ShimError::Exec(Error::with_code(
                NOT_FOUND,
                format!(
                    "{command}: {} is not installed{from}; run `vx sync` there (the shim installs nothing)",
                    tool.label()
                ),
            )));
        }
        let declared = match &manifest {
            Some(m) => Declared::of_trusted(m, vx_engine::trust::is_trusted(&m.path))?,
            None => Declared::default(),
        }
        .with_tools(chain.env());
        let path = declared.search_path(&chain.bin_dirs(), Some(&self.inherited));
        let exe = match chain.find(program) {
            _ if let Some(exe) = declared.in_venv(program) => Some(exe),
            Some(exe) => Some(exe),
            None => outside(program, &path),
        };
        if exe.is_none() {
            let e = not_here(&chain.not_here, program).unwrap_or_else(|| missing(command));
            return Err(ShimError::Exec(e));
        }
        let e = replace_process(program, self.args, &path, &declared.changes(), exe);
        Err(ShimError::Exec(e))
    }
}

/// `program` on `path` (no tool provides it), passing over what is this very vx (a
/// link to it: a shim, the shims' directory on `PATH` again through a symbolic link,
/// which would run the shim again) to the next directory that has it.
fn outside(program: &OsString, path: &OsStr) -> Option<PathBuf> {
    let me = std::env::current_exe().and_then(|p| p.canonicalize()).ok();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(path).collect();
    loop {
        let exe =
            vx_base::platform::search::find(program, &vx_base::platform::search::join(&dirs))?;
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
    let shown = vx_text::sanitize(command).into_owned();
    Error::with_code(
        NOT_FOUND,
        format!(
            "{shown}: no tool of this directory's project or of the global toolset provides it, and it is not on PATH (vx's shims left out); `vx use -g {shown}` or `vx sync` installs it"
        ),
    )
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // A shim's command that could not run.
    ShimError => |e| {
        use crate::shim::ShimError;
        match e {
            ShimError::Session(e) => e.into(),
            ShimError::Toolchain(e) => e.into(),
            ShimError::Declared(e) => Error::usage(e),
            ShimError::Exec(e) => e,
        }
    };
}
