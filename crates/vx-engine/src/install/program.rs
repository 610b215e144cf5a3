//! Runs a package manager's program for a runtime tool's environment (node's npm,
//! python's pip, vx's uv: [`super::environment`], [`super::uv`]) and turns its failure
//! into one message: its status and the end of what it wrote to stderr. Also why
//! building an environment fails ([`EnvironmentError`]), which those two share.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

use thiserror::Error;

use vx_base::validate::FieldError;

/// Why a runtime tool's environment (or the lock's run of its package manager) could
/// not be made. No secret is in a message: the tokens npm is given travel in its
/// environment only, never in an argument.
#[derive(Debug, Error)]
pub(crate) enum EnvironmentError {
    /// The program could not be started.
    #[error("cannot run {}: {source}", program.display())]
    Spawn {
        /// The program.
        program: PathBuf,
        /// Why it did not start.
        #[source]
        source: std::io::Error,
    },
    /// The program ran and failed.
    #[error("`{program} {first}` failed ({status}): {stderr}")]
    Failed {
        /// The program's file name.
        program: String,
        /// Its first argument.
        first: String,
        /// How it ended.
        status: ExitStatus,
        /// The last lines it wrote to stderr.
        stderr: String,
    },
    /// A file or directory of the environment could not be read or written.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// `PATH` with the runtime's `bin` first cannot be made.
    #[error(transparent)]
    Path(#[from] std::env::JoinPathsError),
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file (as the message names it).
        path: PathBuf,
        /// Why not.
        #[source]
        source: std::io::Error,
    },
    /// A file could not be removed.
    #[error("cannot remove {name}: {source}")]
    Remove {
        /// The file's name.
        name: &'static str,
        /// Why not.
        #[source]
        source: std::io::Error,
    },
    /// The package manager ran but did not write what it was asked for.
    #[error("{manager} wrote no {what}: {source}")]
    NotWritten {
        /// `npm`, `pip`.
        manager: &'static str,
        /// `package-lock.json`, `report`.
        what: &'static str,
        /// Reading it failed so.
        #[source]
        source: std::io::Error,
    },
    /// npm installed the set but not the package itself.
    #[error("npm installed no {0}")]
    NotInstalled(String),
    /// The npm package has no `bin`.
    #[error("{0} has no `bin`: it names no command")]
    NoBin(String),
    /// A `bin` of the npm package names no file inside the package (absolute, with
    /// `..`, through a link out of it, or not there), as an archive's entry may not.
    #[error(
        "{package}: the `bin` `{command}` names {script}, which is not a file inside the package: refused"
    )]
    BinOutside {
        /// The package.
        package: String,
        /// The command.
        command: String,
        /// The file it names, as package.json writes it (sanitized).
        script: String,
    },
    /// The PyPI distribution names no console script.
    #[error("{0} names no console script")]
    NoConsoleScript(String),
    /// A command the package names is no name vx puts in a `bin/`.
    #[error("{package}'s command {command:?}: {source}")]
    Command {
        /// The package.
        package: String,
        /// The command's name as the package gives it.
        command: String,
        /// Why it is refused.
        #[source]
        source: FieldError,
    },
    /// A file of `[http] ca_certificates` (or the bundle they join) cannot be read.
    #[error("cannot read the CA file {}: {source}", path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// Why not.
        #[source]
        source: std::io::Error,
    },
    /// The temporary file of uv's CA bundle cannot be made.
    #[error("cannot make a file for uv's CA bundle: {0}")]
    CaBundle(#[source] std::io::Error),
    /// A command's `.cmd` and launch record (Windows) could not be written.
    #[error(transparent)]
    Launch(#[from] vx_base::atomic::WriteError),
    /// On Windows a PyPI tool's environment is made by vx's uv alone: pip's launchers
    /// (`Scripts\NAME.exe`) name the venv's python by the path it was made at, which
    /// the store's entry moves from.
    #[error("on Windows a PyPI tool's environment is made with vx's uv, which cannot be had here")]
    PipOnWindows,
}

impl EnvironmentError {
    /// [`EnvironmentError::Write`] of `path`.
    pub(super) fn write(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| EnvironmentError::Write { path, source }
    }
}

/// Runs `command` (`program` with `first` its first argument, for the message), its
/// stdin empty: its stdout, or why not (its status and the end of its stderr).
pub(crate) fn output_of(
    mut command: Command,
    program: &Path,
    first: &str,
) -> Result<String, EnvironmentError> {
    let out = command
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|source| EnvironmentError::Spawn {
            program: program.to_path_buf(),
            source,
        })?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(12).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(EnvironmentError::Failed {
        program: program
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        first: first.to_owned(),
        status: out.status,
        stderr: tail.join("\n"),
    })
}
