//! What `vx which` and `vx env` need of a project's toolchain: its installed tools'
//! executable directories, the tools missing and the project's environment, from a
//! running daemon when it can answer (measured faster than assembling it, see
//! docs/BENCHMARKS.md, "Daemon"), else from a toolchain assembled here. Nothing here
//! prints.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use vx_model::project_env::env_file::EnvFileError;
use vx_ops::session::Session;
use vx_project::toolchain::ToolchainError;
use vx_project::toolchain::activation::Sources;

/// What `vx which` and `vx env` need of a project's toolchain, from a running daemon
/// or assembled here.
pub struct ActiveTools {
    /// The project's manifest; none outside a project.
    pub manifest: Option<std::path::PathBuf>,
    /// The installed tools' executable directories, in `PATH` order.
    pub bin_dirs: Vec<std::path::PathBuf>,
    /// The tools not installed: what to say of each (`NAME VERSION is not installed;
    /// run …`) and the commands they would provide.
    pub missing: Vec<(String, Vec<String>)>,
    /// The project's tools whose `os` leaves this platform out.
    pub not_here: Vec<String>,
    /// The project's `[env]` and `[settings] path` (empty outside a project).
    pub environment: vx_model::project_env::Declared,
}

impl ActiveTools {
    /// `command` in the project's virtual environment, else among the installed
    /// tools' executables: what `vx exec -- COMMAND` runs of them.
    pub fn find(&self, command: &std::ffi::OsStr) -> Option<std::path::PathBuf> {
        // The project's virtual environment first, as `vx exec` puts it on PATH.
        self.environment.in_venv(command).or_else(|| {
            vx_project::toolchain::search::find(
                command,
                &vx_project::toolchain::search::join(&self.bin_dirs),
            )
        })
    }

    /// The tools of an assembled toolchain.
    pub(crate) fn of(
        chain: &vx_project::toolchain::Toolchain,
        manifest: Option<&vx_model::manifest::Manifest>,
    ) -> Result<ActiveTools, EnvFileError> {
        Ok(ActiveTools {
            manifest: manifest.map(|m| m.path.clone()),
            bin_dirs: chain.bin_dirs(),
            missing: chain
                .missing()
                .iter()
                .map(|tool| {
                    let path = manifest.map(|m| m.path.as_path());
                    (tool.not_installed(path), tool.commands())
                })
                .collect(),
            not_here: chain.not_here.clone(),
            environment: vx_ops::target::declared(manifest)?.with_tools(chain.env()),
        })
    }

    /// The tools a running daemon holds for this directory's project in `store`
    /// (cached manifest, lock and receipts, refreshed by file events: measured faster
    /// than assembling it, see docs/BENCHMARKS.md, "Daemon"). `None`, to assemble it
    /// here, with `--manifest` or `$VX_MANIFEST` (the daemon finds projects from a
    /// directory only), when no daemon runs, when it serves another store or cannot
    /// answer, and when it says a tool is missing: the daemon learns of an install a
    /// few milliseconds after it happened (`vx sync && vx env` must not see the tools
    /// missing), so only an answer of a complete toolchain is taken as it is (and one
    /// that holds the project's environment).
    /// What there is to say (a daemon not asked, and why) goes to `note`.
    pub(crate) fn from_daemon(
        explicit: Option<&std::path::Path>,
        store: &std::path::Path,
        note: &dyn Fn(&str),
    ) -> Option<ActiveTools> {
        let named = std::env::var_os("VX_MANIFEST").is_some_and(|m| !m.is_empty());
        if explicit.is_some() || named {
            return None;
        }
        let cwd = std::env::current_dir().ok()?;
        let socket = super::Paths::from_env().socket;
        let patience = std::time::Duration::from_millis(500);
        let mut client = match super::Client::connect_with_timeout(&socket, patience) {
            Ok(client) => client,
            // Another user's socket (or directory, or listener): said, never asked.
            Err(super::DaemonError::Connect { source, .. })
                if source.kind() == std::io::ErrorKind::PermissionDenied =>
            {
                note(&format!("vx: not asking the daemon: {source}"));
                return None;
            }
            Err(_) => return None,
        };
        let answer = client.toolchain(cwd.to_str()?, store.to_str()?).ok()?;
        // A daemon older than the project environment does not say it, and of a
        // project not trusted it answers what the hook applies (its tools): both
        // resolved here, where the user asked for the project by name.
        if !answer.missing.is_empty()
            || (answer.manifest.is_some() && answer.environment.is_none())
            || answer.trusted == Some(false)
        {
            return None;
        }
        Some(ActiveTools {
            manifest: answer.manifest.map(Into::into),
            bin_dirs: answer.bin_dirs.into_iter().map(Into::into).collect(),
            missing: Vec::new(),
            not_here: Vec::new(),
            environment: answer.environment.unwrap_or_default(),
        })
    }
}

/// What a command needs of the toolchain, which decides which quick answer serves.
#[derive(Debug, Clone, Copy)]
pub enum Need<'a> {
    /// All of it (`vx env`): the daemon's answer only for a project (outside one the
    /// full path says the manifest is missing) and while every directory it names
    /// exists (one gone was uninstalled a moment ago: the daemon has not seen it yet);
    /// the record only when it is of a complete toolchain.
    Toolchain,
    /// One command's executable (`vx which`): a quick answer only when it has the
    /// command (the daemon may not have seen a change of the last few milliseconds).
    Command(&'a OsStr),
}

/// Where to look: the command's `--manifest` and `--store` as given, the store they
/// locate, and what is needed.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// `--manifest`, if given.
    pub manifest: Option<&'a Path>,
    /// `--store`, if given.
    pub store_arg: Option<&'a Path>,
    /// The store located from it.
    pub store: &'a Path,
    /// What the command needs.
    pub need: Need<'a>,
}

/// A quick answer, or what the full path needs.
pub enum Quick {
    /// The daemon's or the record's tools ([`Need::Toolchain`]).
    Tools(ActiveTools),
    /// The command's executable ([`Need::Command`]).
    Found(PathBuf),
    /// Neither answered: open the project and call [`full`] with these sources (to
    /// record the activation afresh; none when there is nothing to record against).
    Full(Option<Sources>),
}

/// Why the toolchain could not be assembled.
#[derive(Debug, thiserror::Error)]
pub enum ActiveError {
    /// The manifest, lock or a resolution could not be used.
    #[error(transparent)]
    Toolchain(#[from] ToolchainError),
    /// An env file the project names could not be read.
    #[error(transparent)]
    EnvFile(#[from] EnvFileError),
}

/// The quick answers, in order: the daemon's, then the recorded activation's.
/// `note` says what the daemon's client has to say (another user's socket, …).
pub fn quick(request: &Request, note: &dyn Fn(&str)) -> Quick {
    let daemon = ActiveTools::from_daemon(request.manifest, request.store, note);
    match request.need {
        Need::Toolchain => {
            if let Some(tools) = daemon
                && tools.manifest.is_some()
                && tools.bin_dirs.iter().all(|d| d.is_dir())
            {
                return Quick::Tools(tools);
            }
        }
        Need::Command(command) => {
            if let Some(exe) = daemon.and_then(|a| a.find(command)) {
                return Quick::Found(exe);
            }
        }
    }
    let (sources, recorded) =
        vx_ops::session::recorded::activation(request.manifest, request.store_arg).unzip();
    let Some(recorded) = recorded.flatten() else {
        return Quick::Full(sources);
    };
    match request.need {
        // The record of a complete toolchain, while nothing it came from changed.
        Need::Toolchain => Quick::Tools(ActiveTools {
            manifest: None,
            bin_dirs: recorded.bin_dirs().to_vec(),
            missing: Vec::new(),
            not_here: Vec::new(),
            environment: recorded.environment().clone(),
        }),
        Need::Command(command) => {
            // The project's virtual environment first, as `vx exec` puts it on PATH.
            let venv = recorded.environment().in_venv(command);
            match venv.or_else(|| recorded.find(command).map(std::path::Path::to_path_buf)) {
                Some(exe) => Quick::Found(exe),
                None => Quick::Full(sources),
            }
        }
    }
}

/// The toolchain of `session` assembled in full, its activation recorded in `store`
/// with `sources` (when complete), as [`ActiveTools`].
pub fn full(
    session: &Session,
    store: &Path,
    sources: Option<&Sources>,
) -> Result<ActiveTools, ActiveError> {
    let manifest = session.manifest();
    let chain = session.toolchain(&[], store)?;
    vx_ops::target::record_activation(&chain, manifest, sources, store);
    Ok(ActiveTools::of(&chain, manifest)?)
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // A toolchain `vx env` or `vx which` could not assemble, or an env file that
    // cannot be read (exit 2).
    ActiveError => |e| match e {
        crate::active::ActiveError::Toolchain(e) => e.into(),
        crate::active::ActiveError::EnvFile(e) => Error::usage(e),
    };
}
