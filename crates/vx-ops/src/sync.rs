//! `vx sync`: every tool of the project installed, in parallel, checked against and
//! recorded in `vx.lock`. Two steps, so the caller can say what the plan holds before
//! the installs start: [`plan`] (the lock read, what is not for this platform, what
//! must be locked here first, the store made), then [`Planned::run`] (the children,
//! reporting through the request's [`Settings`]: the dashboard, lines or JSON on the
//! stream the caller chose; this module prints nothing itself).

use std::path::{Path, PathBuf};

use crate::session::{Session, SessionError};
use vx_project::plan::{LockMode, ProjectError, ProjectSync, SyncOutcome};
use vx_project::toolchain::failed::Failures;
use vx_sources::settings::network::NetConfigError;
use vx_sync::Settings;

/// What to sync, and how.
#[derive(Clone, Debug)]
pub struct Request {
    /// Lock what is stale (`Update`), refuse to (`Locked`), or use the lock as it is.
    pub mode: LockMode,
    /// How the installs report, and how they run (jobs, timeouts, dump).
    pub settings: Settings,
    /// No progress lines from a resolution (`-q`).
    pub quiet: bool,
    /// Say where `url_replacements` sent each URL (`-v`).
    pub verbose: bool,
    /// Lock a version that lost the verification its locked version had.
    pub allow_provenance_loss: bool,
    /// `--mirror`s, tried before the environment's, the project's and the user's.
    pub mirrors: Vec<String>,
    /// Remember what failed to install, for `vx exec` and `vx run` (what `vx sync`
    /// failed to install is what they remember, nothing older).
    pub remember_failures: bool,
}

/// A sync planned, ready to run.
pub struct Planned {
    sync: ProjectSync,
    settings: Settings,
    manifest: PathBuf,
    remember_failures: bool,
    /// The store to install into (made when missing), or why it cannot be: said
    /// when the sync runs, after what the plan tells.
    store: Result<PathBuf, SessionError>,
    /// The tools whose `os` leaves this platform out: skipped, not failed.
    pub not_here: Vec<String>,
    /// What is locked for this platform first (a lock made on another machine).
    pub locked_here: Option<String>,
}

/// What a sync did.
#[derive(Debug)]
pub struct Report {
    /// The installs' outcome: the exit code, the tools that failed with why, and what
    /// re-locking other platforms did.
    pub outcome: SyncOutcome,
    /// The store installed into.
    pub store: PathBuf,
}

/// Why a sync could not run.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The project or the store cannot be used.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The effective network settings cannot be used (exit 2).
    #[error("network settings: {0}")]
    Network(#[from] NetConfigError),
    /// The manifest, the lock or a resolution refused the plan.
    #[error(transparent)]
    Project(#[from] ProjectError),
    /// Offline, and what is not installed has no copy on this machine (exit 1).
    #[error(
        "offline (--offline or VX_OFFLINE=1), and no local copy of {}: {}; `vx bundle import` a bundle of this project (`vx bundle export`), or add a file:// mirror",
        vx_text::count(.0.len() as u64, "download"),
        .0.join(", ")
    )]
    NotHere(Vec<String>),
    /// `-g`, and the user has no global toolset (exit 2).
    #[error("no global toolset yet ({0}): `vx use -g TOOL` starts one")]
    NoGlobal(String),
}

/// Plans the sync of `session`'s project as `request` says: the lock read (and, in
/// [`LockMode::Update`], what it lacks resolved), nothing installed yet.
pub fn plan(session: &Session, request: &Request) -> Result<Planned, SyncError> {
    let manifest = session.project()?;
    let mut settings = request.settings.clone();
    settings.network = session.checked_network()?;
    // The plan refuses a lost provenance unless the resolver allows it.
    let mut resolver = session.on_demand(request.quiet);
    resolver.options.verbose = request.verbose;
    resolver.options.allow_provenance_loss = request.allow_provenance_loss;
    settings.offline = resolver.options.offline;
    settings.network.flag_mirrors = request.mirrors.clone();
    let sync = ProjectSync::plan(manifest, session.catalogue(), request.mode, &resolver)?;
    let not_here = sync.plan.not_here.clone();
    let locked_here = sync.tell_locked_here();
    Ok(Planned {
        sync,
        settings,
        manifest: manifest.path.clone(),
        remember_failures: request.remember_failures,
        store: session.prepared_store(),
        not_here,
        locked_here,
    })
}

impl Planned {
    /// Runs the installs; what failed is remembered when the request says so.
    pub fn run(self) -> Result<Report, SyncError> {
        let store = self.store?;
        if self.settings.offline {
            offline_check(&self.sync.plan.tools, &store, &self.settings)?;
        }
        let tried = self.sync.plan.tools.clone();
        let outcome = self.sync.run(&store, &self.settings)?;
        if self.remember_failures {
            Failures::none(&self.manifest).record(&store, &tried, &outcome.failed);
        }
        Ok(Report { outcome, store })
    }
}

/// The global toolset's manifest to sync in place of a project's, and the line that
/// says so: with `-g` (`global`), or when no project is found from `search_from` (the
/// working directory; `None` when `--manifest` names the project) and the global
/// toolset exists; `None`: the project's, found as every command finds it.
pub fn global_toolset(
    global: bool,
    search_from: Option<&Path>,
) -> Result<Option<(PathBuf, Option<String>)>, SyncError> {
    use crate::session::{Opening, Want};
    use vx_model::manifest::global;
    if global {
        return match global::existing() {
            Some(path) => Ok(Some((path, None))),
            None => Err(SyncError::NoGlobal(global::path().map_or_else(
                || "no configuration directory is known".to_owned(),
                |p| p.display().to_string(),
            ))),
        };
    }
    let Some(cwd) = search_from else {
        return Ok(None);
    };
    let opening = Opening::new(None, Want::Optional).cwd(cwd);
    match crate::session::locate(&opening) {
        Ok(None) => Ok(global::existing().map(|path| {
            let said = format!(
                "vx: no vx.toml here or above: syncing the global toolset ({})",
                path.display()
            );
            (path, Some(said))
        })),
        _ => Ok(None),
    }
}

/// Why the project's venv could not be made after a sync: the reason, and whether it
/// was Ctrl-C.
#[derive(Debug)]
pub struct VenvFailed {
    /// What went wrong, to say.
    pub why: String,
    /// Interrupted (exit 130) rather than failed (exit 1).
    pub interrupted: bool,
}

/// After a sync into `store`, the project's venv (`[settings] python_venv`) made or
/// checked with the toolchain just installed: the line that says what was done, if
/// anything; `quiet` as `-q`.
pub fn venv(session: &Session, store: &Path, quiet: bool) -> Result<Option<String>, VenvFailed> {
    let failed = |why: String, interrupted| VenvFailed { why, interrupted };
    let manifest = session
        .project()
        .map_err(|e| failed(e.to_string(), false))?;
    if manifest.environment.python_venv.is_none() {
        return Ok(None);
    }
    let chain = (session.own_toolchain(store)).map_err(|e| failed(e.to_string(), false))?;
    let network = session.options(quiet);
    crate::target::ensure_venv(Some(manifest), &chain, store, &network).map_err(|e| {
        let interrupted = matches!(
            e,
            vx_model::project_env::venv::VenvError::Interrupted { .. }
        );
        failed(e.to_string(), interrupted)
    })
}

/// Offline, every tool not installed yet must have its bytes on this machine (vx's
/// cache, a `file://` mirror, a `file://` origin, an npm tarball a bundle carried by
/// its integrity): otherwise the sync fails before it
/// starts, naming each tool and what it lacks.
fn offline_check(
    tools: &[vx_model::spec::ToolSpec],
    store: &std::path::Path,
    settings: &Settings,
) -> Result<(), SyncError> {
    let mirrors = vx_sources::settings::network::load(&settings.network)?.mirrors;
    let missing: Vec<String> = tools
        .iter()
        .filter(|spec| {
            let cfg = vx_model::config_frame::InstallConfig {
                offline: true,
                ..vx_model::config_frame::InstallConfig::new((*spec).clone(), store.to_owned())
            };
            vx_engine::install::cached(&cfg).is_none()
                && !vx_engine::install::sources::available_offline(
                    &spec.url,
                    spec.sha256.as_deref(),
                    &mirrors,
                )
                // Pinned by npm's integrity alone, carried by an imported bundle.
                && !(spec.sha256.is_none()
                    && spec
                        .integrity
                        .as_deref()
                        .and_then(vx_engine::install::sources::carried)
                        .is_some())
        })
        .map(|spec| {
            let what = match &spec.sha256 {
                Some(sha) => format!("sha256 {}…", sha.get(..16).unwrap_or(sha)),
                None => "no sha256 locked".to_owned(),
            };
            format!(
                "{} {} ({what}, {})",
                spec.name,
                spec.version,
                vx_net::url::display_url(&spec.url)
            )
        })
        .collect();
    match missing.is_empty() {
        true => Ok(()),
        false => Err(SyncError::NotHere(missing)),
    }
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // A sync that could not run.
    SyncError => |e| {
        use crate::sync::SyncError;
        match e {
            SyncError::Session(e) => e.into(),
            SyncError::Project(e) => e.into(),
            e @ SyncError::Network(_) => Error::usage(e),
            e @ SyncError::NotHere(_) => Error::environment(e),
            e @ SyncError::NoGlobal(_) => Error::usage(e),
        }
    };
}
