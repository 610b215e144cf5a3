//! A project opened once: its manifest (or the user's global toolset, or none), the
//! runtimes it can name (its [`Catalogue`]), the store, the offline switch and the
//! network settings, from which every layer's context is made in one place (the
//! resolver's options and network, the toolchain, the lock). [`Session::open`] is the
//! one way a project is opened: by the commands, the shims, doctor; the hook and the
//! daemon read the same catalogue ([`Catalogue::open`]) for what is at hand. What
//! must start at once reads the toolchain last recorded first ([`recorded`]).
//!
//! Nothing here prints: what opening has to say (a fetch's progress) goes to the
//! caller's `progress`, and an error is a [`SessionError`] the binary maps to an exit
//! code.

pub(crate) mod fetch;
pub mod recorded;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use vx_base::ownership::NotOwn;
use vx_engine::resolution::{Network, OnDemand, Options, ResolutionError, Resolver};
use vx_engine::store::{self, StoreError};
use vx_model::lock::Lock;
use vx_model::manifest::{self, Manifest, ManifestError};
use vx_model::user_config::{UserConfig, UserConfigError};
use vx_project::toolchain::{Request, Toolchain, ToolchainError};
use vx_sources::runtime::RuntimeError;
use vx_sources::runtime::catalogue::Catalogue;
use vx_sources::runtime::declared::registry::How;

/// Which manifest a command works on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Want {
    /// The project's: `--manifest`, else `$VX_MANIFEST`, else the nearest `vx.toml`
    /// from the working directory up; none is an error.
    #[default]
    Project,
    /// The project's, or none outside a project (`vx x`, `vx versions`).
    Optional,
    /// The project's, else the nearest monorepo's root read where it stands (`vx run`:
    /// its packages' tasks); neither is an error.
    Tasks,
    /// The project's, else the user's global `vx.toml` when there is one, else none
    /// (`vx exec`, `vx which`, `vx list`).
    ProjectOrGlobal,
    /// The user's global `vx.toml` alone, else none (a shim run from a directory
    /// since deleted: no project is there).
    Global,
}

/// How to open a project.
#[derive(Clone, Debug, Default)]
pub struct Opening {
    /// `--manifest`.
    pub manifest: Option<PathBuf>,
    /// Which manifest.
    pub want: Want,
    /// Where the manifest search starts; `None`: the working directory.
    pub cwd: Option<PathBuf>,
    /// `--store`; `None`: the default store.
    pub store: Option<PathBuf>,
    /// Fetch the runtime declarations the project's registries publish again and take
    /// them as they are now, whatever the lock pins (`vx lock`, which then pins them).
    pub refresh: bool,
    /// Fetch nothing (`--offline`; `VX_OFFLINE=1` counts as well): a declaration not
    /// cached is an error, and resolving reads only what is cached.
    pub offline: bool,
    /// Read what is at hand only, as the hook and the daemon do (a shim, which must
    /// never reach the network): a declaration not cached is left out, so its tool
    /// is "not installed" with the way to get it.
    pub at_hand: bool,
}

impl Opening {
    /// The project of `--manifest` (else the one found from here), as `want` says.
    pub fn new(manifest: Option<&Path>, want: Want) -> Opening {
        Opening {
            manifest: manifest.map(Path::to_path_buf),
            want,
            ..Opening::default()
        }
    }

    /// The same, fetching nothing when `offline`.
    pub fn offline(mut self, offline: bool) -> Opening {
        self.offline = offline;
        self
    }

    /// The same, with `--store`.
    pub fn store(mut self, store: Option<&Path>) -> Opening {
        self.store = store.map(Path::to_path_buf);
        self
    }

    /// Searches from `cwd` rather than the process's working directory.
    pub fn cwd(mut self, cwd: &Path) -> Opening {
        self.cwd = Some(cwd.to_path_buf());
        self
    }
}

/// Why a project could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The working directory, where the manifest search starts, cannot be read.
    #[error("cannot read the working directory: {0}")]
    Cwd(std::io::Error),
    /// No manifest, or one that cannot be read.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// A runtime declaration of the project's (or the user's) that cannot be read or
    /// fetched.
    #[error(transparent)]
    Runtimes(#[from] RuntimeError),
    /// The store cannot be used.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A command that needs a project was opened without one.
    #[error("no project is open here")]
    NoProject,
}

impl SessionError {
    /// Whether the user is at fault (exit 2: a manifest, a declaration, the store
    /// named) rather than the machine or the network (exit 1).
    pub(crate) fn is_usage(&self) -> bool {
        match self {
            SessionError::Cwd(_) => false,
            SessionError::Runtimes(e) => e.is_request(),
            SessionError::Manifest(_) | SessionError::Store(_) | SessionError::NoProject => true,
        }
    }
}

/// An opened project (or the global toolset, or none).
#[derive(Debug)]
pub struct Session {
    manifest: Option<Manifest>,
    /// Whether `manifest` is a project's own (not the global toolset's).
    project: bool,
    catalogue: Arc<Catalogue>,
    store: Option<PathBuf>,
    offline: bool,
    /// Another user's project file the search stopped at.
    stopped: Option<NotOwn>,
    /// The user's `config.toml`, read once when first asked for.
    user: std::sync::OnceLock<Result<UserConfig, Arc<UserConfigError>>>,
}

/// The project's manifest `opening` names, found but not read: `--manifest`, else
/// `$VX_MANIFEST`, else the nearest `vx.toml` from where the search starts; `None`
/// where `opening.want` allows no project (or wants the global toolset alone).
pub fn locate(opening: &Opening) -> Result<Option<PathBuf>, SessionError> {
    located(opening).map(|(path, _)| path)
}

/// [`locate`], and the file of another user's the search stopped at (for
/// [`Session::stopped`]).
fn located(opening: &Opening) -> Result<(Option<PathBuf>, Option<NotOwn>), SessionError> {
    if opening.want == Want::Global {
        return Ok((None, None));
    }
    let cwd = match &opening.cwd {
        Some(cwd) => cwd.clone(),
        None => std::env::current_dir().map_err(SessionError::Cwd)?,
    };
    let locate = match opening.want {
        Want::Tasks => manifest::locate_tasks,
        _ => manifest::locate_saying,
    };
    match locate(opening.manifest.as_deref(), &cwd) {
        Ok((path, stopped)) => Ok((Some(path), stopped)),
        Err(ManifestError::NotFound {
            stopped,
            monorepo: Some(root),
            ..
        }) if opening.want == Want::Tasks => Ok((Some(root), stopped.map(|s| *s))),
        Err(ManifestError::NotFound { stopped, .. })
            if !matches!(opening.want, Want::Project | Want::Tasks) =>
        {
            Ok((None, stopped.map(|s| *s)))
        }
        Err(e) => Err(e.into()),
    }
}

/// The vx.toml `opening` names, for a command that edits it: found as [`locate`]
/// finds it, and refused when it is a mise project read in place (those files are the
/// team's; `vx import` writes a vx.toml beside them).
pub fn locate_editable(opening: &Opening) -> Result<Option<PathBuf>, SessionError> {
    Ok(locate(opening)?.map(manifest::editable).transpose()?)
}

impl Session {
    /// Opens the project `opening` names: its manifest read, its runtime declarations
    /// (and the user's) read into its catalogue, fetched as `opening` allows, each
    /// fetch said through `progress`.
    pub fn open(opening: &Opening, progress: &dyn Fn(&str)) -> Result<Session, SessionError> {
        let offline = Options::from_env(opening.offline, true).offline;
        let (located, stopped) = located(opening)?;
        let (manifest, project) = match located {
            Some(path) => (Some(Manifest::load(&path)?), true),
            None if matches!(opening.want, Want::ProjectOrGlobal | Want::Global) => {
                match manifest::global::existing() {
                    Some(path) => (Some(Manifest::load(&path)?), false),
                    None => (None, false),
                }
            }
            None => (None, false),
        };
        match manifest {
            Some(manifest) if project => Ok(Session {
                stopped,
                ..Session::with_manifest(manifest, opening, progress)?
            }),
            // The global toolset (and no project) names vx's runtimes and the user's.
            manifest => Ok(Session {
                manifest,
                project: false,
                catalogue: Arc::new(Catalogue::user()),
                store: opening.store.clone(),
                offline,
                stopped,
                user: Default::default(),
            }),
        }
    }

    /// The session of a project whose `manifest` the caller read (or edited in
    /// memory: `vx add` before it writes): its runtime declarations read as
    /// `opening` says.
    pub fn with_manifest(
        manifest: Manifest,
        opening: &Opening,
        progress: &dyn Fn(&str),
    ) -> Result<Session, SessionError> {
        let offline = Options::from_env(opening.offline, true).offline;
        let fetch = fetch::LazyFetch::new(manifest.network.clone());
        let how = match opening.at_hand {
            true => How::at_hand(),
            false => How {
                cache_dir: vx_base::platform::fs::cache_dir(),
                fetcher: Some(&fetch),
                offline,
                refresh: opening.refresh,
                progress,
            },
        };
        let catalogue = Catalogue::open(&manifest, &how)?;
        Ok(Session {
            manifest: Some(manifest),
            project: true,
            catalogue: Arc::new(catalogue),
            store: opening.store.clone(),
            offline,
            stopped: None,
            user: Default::default(),
        })
    }

    /// A session outside any project: vx's runtimes and the user's, the user's
    /// network settings (`vx add` in a directory whose vx.toml it is about to make).
    pub fn outside(opening: &Opening) -> Session {
        Session {
            manifest: None,
            project: false,
            catalogue: Arc::new(Catalogue::user()),
            store: opening.store.clone(),
            offline: Options::from_env(opening.offline, true).offline,
            stopped: None,
            user: Default::default(),
        }
    }

    /// Another user's project file the search for the project stopped at (the caller
    /// says it: [`vx_model::manifest::search::unsaid`]).
    pub fn stopped(&self) -> Option<&NotOwn> {
        self.stopped.as_ref()
    }

    /// The manifest: the project's, or the global toolset's; none outside both.
    pub fn manifest(&self) -> Option<&Manifest> {
        self.manifest.as_ref()
    }

    /// The project's manifest, for a command that opened one ([`Want::Project`]).
    pub fn project(&self) -> Result<&Manifest, SessionError> {
        self.manifest.as_ref().ok_or(SessionError::NoProject)
    }

    /// Whether the manifest is a project's own, not the global toolset's.
    pub fn is_project(&self) -> bool {
        self.project && self.manifest.is_some()
    }

    /// The runtimes the project can name.
    pub fn catalogue(&self) -> &Arc<Catalogue> {
        &self.catalogue
    }

    /// Whether nothing is fetched (`--offline`, `VX_OFFLINE=1`).
    pub(crate) fn offline(&self) -> bool {
        self.offline
    }

    /// The user's `config.toml`, read once for the session (the defaults when there is
    /// none); a file that does not read is the caller's error to say, never a config
    /// quietly left out.
    pub(crate) fn user_config(&self) -> Result<&UserConfig, Arc<UserConfigError>> {
        let user = self
            .user
            .get_or_init(|| UserConfig::load().map_err(Arc::new));
        user.as_ref().map_err(Arc::clone)
    }

    /// The store the toolchain commands read (`--store`, else the default), not
    /// created.
    pub fn store(&self) -> Result<PathBuf, SessionError> {
        Ok(store::locate(self.store.clone())?)
    }

    /// The store, created when missing (what installs into it).
    pub(crate) fn prepared_store(&self) -> Result<PathBuf, SessionError> {
        Ok(store::prepare(self.store.clone())?)
    }

    /// The lock beside the manifest, when there is one that reads.
    pub fn lock(&self) -> Option<Lock> {
        self.manifest
            .as_ref()
            .and_then(|m| Lock::load(&m.lock_path()).ok().flatten())
    }

    /// How a resolution runs in this session: the project's network settings, the
    /// store, the offline switch, progress lines unless `quiet`. The one place an
    /// operation's resolution options start from; what an operation does otherwise
    /// (another manifest's network, its own `--store`, `-v`) it says with
    /// [`Options`]' builder calls.
    pub(crate) fn options(&self, quiet: bool) -> Options {
        Options::from_env(self.offline, quiet)
            .project(self.manifest.as_ref())
            .store(self.store.as_deref())
    }

    /// What resolves the registry tools a lock does not pin yet, reached only if one
    /// needs resolving.
    pub(crate) fn on_demand(&self, quiet: bool) -> OnDemand {
        OnDemand {
            options: self.options(quiet),
            catalogue: Arc::clone(&self.catalogue),
        }
    }

    /// The project's network settings (vx.toml's `url_replacements` and `mirrors`)
    /// for a sync's children, once the effective settings they make with the
    /// environment and the user config are known to be usable: a bad user config,
    /// netrc or header variable is said once, not by every child.
    pub(crate) fn checked_network(
        &self,
    ) -> Result<
        vx_model::manifest::network::ProjectNet,
        vx_sources::settings::network::NetConfigError,
    > {
        let project = self
            .manifest
            .as_ref()
            .map(|m| m.network.clone())
            .unwrap_or_default();
        vx_sources::settings::network::load(&project)?;
        Ok(project)
    }

    /// GitHub and the cache, through the project's network settings.
    pub fn network(&self, quiet: bool) -> Result<Network, ResolutionError> {
        Network::from_env(self.options(quiet))
    }

    /// The resolver of the project's registries and runtimes through `net`, with the
    /// standard registry at the ref its lock pins.
    pub fn resolver<'n>(&'n self, net: &'n Network) -> Result<Resolver<'n>, ResolutionError> {
        Resolver::new(net, self.manifest(), self.lock().as_ref(), &self.catalogue)
    }

    /// The toolchain of the manifest and `requests` in `store`, the user's global
    /// toolset layered under a project's.
    pub fn toolchain(
        &self,
        requests: &[Request],
        store: &Path,
    ) -> Result<Toolchain, ToolchainError> {
        Toolchain::layered(self.manifest(), &self.catalogue, requests, store, None)
    }

    /// [`Session::toolchain`], with the versions named on the command line that
    /// neither vx.toml's URL tools nor the store answer resolved through `resolve`.
    pub(crate) fn toolchain_resolving(
        &self,
        requests: &[Request],
        store: &Path,
        resolve: &OnDemand,
    ) -> Result<Toolchain, ToolchainError> {
        Toolchain::layered(
            self.manifest(),
            &self.catalogue,
            requests,
            store,
            Some(resolve),
        )
    }

    /// The toolchain of the manifest alone, without the global toolset layered under
    /// it: what this project itself uses (`vx prune`).
    pub fn own_toolchain(&self, store: &Path) -> Result<Toolchain, ToolchainError> {
        Toolchain::assemble(self.manifest(), &self.catalogue, &[], store, None)
    }
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // A project that could not be opened: a manifest, a runtime declaration, the
    // store named are the user's (exit 2); else the machine's or network's (exit 1).
    SessionError => |e| by_kind(e.is_usage(), e);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A session of a project whose vx.toml names a mirror, in `dir`, with `--store`.
    fn session_in(dir: &Path, store: &Path) -> Session {
        let path = dir.join("vx.toml");
        let text = "[settings]\nmirrors = [\"https://cache.corp/{sha256}\"]\n\n[tools]\n";
        std::fs::write(&path, text).unwrap();
        let manifest = Manifest::load(&path).unwrap();
        let opening = Opening::default().store(Some(store)).offline(true);
        Session::with_manifest(manifest, &opening, &|_| {}).unwrap()
    }

    /// Every operation's resolution starts from the session: its project's network
    /// settings, its store and its offline switch.
    #[test]
    fn resolution_options_are_the_sessions_project_store_and_offline_switch() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("elsewhere");
        let session = session_in(dir.path(), &store);
        let options = session.options(true);
        assert_eq!(options.project.mirrors, ["https://cache.corp/{sha256}"]);
        assert_eq!(options.store.as_deref(), Some(store.as_path()));
        assert!(options.offline && options.quiet && !options.verbose);
        assert!(!session.options(false).quiet);
    }

    /// What an operation does otherwise it says by a builder call: another manifest's
    /// network (none outside a project), its own store, `-v`; an `--offline` of its own
    /// never makes an offline session's options fetch.
    #[test]
    fn an_operations_variations_are_builder_calls_on_the_sessions_options() {
        let dir = tempfile::tempdir().unwrap();
        let session = session_in(dir.path(), &dir.path().join("store"));
        let own = dir.path().join("own");
        let options = session
            .options(false)
            .project(None)
            .store(Some(&own))
            .offline(false)
            .verbose(true)
            .allow_provenance_loss(true);
        assert_eq!(options.project, Default::default());
        assert_eq!(options.store.as_deref(), Some(own.as_path()));
        assert!(options.offline && options.verbose && options.allow_provenance_loss);
        assert!(Options::from_env(false, false).offline(true).offline);
    }
}
