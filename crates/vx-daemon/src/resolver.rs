//! Answers to `resolve`, `get_environment` and `list_versions`, from what the daemon
//! keeps in memory: the store's inventory (tool → installed versions) and, per
//! project, its parsed manifest and assembled toolchain. File events invalidate them
//! ([`Resolver::update_inventory`], [`Resolver::project_changed`]); a generation number
//! keeps an answer computed before an invalidation from being cached after it.
//!
//! Every environment answered holds the project's `[env]` (expanded against the
//! daemon's own environment) and `[settings] path` after the tools' directories, as
//! [`vx_model::project_env`] computes them for every way in.
//!
//! A request's `runtime` is a tool's name. In a project (the nearest `vx.toml` from the
//! request's `cwd`) the project's tool at the version its lock pins (or the version
//! asked, installed); outside one, the version asked, else the newest installed.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use vx_base::validate;
use vx_base::validate::FieldError;
use vx_engine::resolution::ResolutionError;
use vx_model::manifest::{self, Manifest, ManifestError};
use vx_model::project_env::Declared;
use vx_model::project_env::EnvFileError;
use vx_ops::session::SessionError;
use vx_ops::session::{Opening, Session};
use vx_project::toolchain::ToolchainError;
use vx_project::toolchain::{Request, Tool, Toolchain};

/// Most projects kept parsed; past it the cache is emptied and refills on demand.
pub(crate) const MAX_PROJECTS: usize = 256;

/// A tool resolved for a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Resolution {
    /// Its executable.
    pub executable: String,
    /// Its version.
    pub version: String,
    /// The environment to run it in.
    pub env: BTreeMap<String, String>,
    /// Variables to remove from it (`[env]`'s `NAME = false`).
    pub unset: Vec<String>,
    /// For a registry tool of the project: its package, as the lock records it.
    pub package: Option<String>,
}

/// The versions listed for `runtime` (a tool not installed yet), newest first: a
/// language runtime's from its publisher, else the standard registry's (or the user
/// config's) package's GitHub releases through the cache (a revalidation costs no rate limit). An error when no registry knows the
/// name or none can be reached.
pub(crate) fn registry_versions(
    runtime: &str,
) -> Result<(Vec<String>, BTreeMap<String, String>), ResolutionError> {
    let net = vx_engine::resolution::Network::from_env(vx_engine::resolution::Options::from_env(
        false, true,
    ))?;
    // Outside a project: vx's own runtimes and the user's.
    let session = Session::outside(&Opening::default());
    let resolver = session.resolver(&net)?;
    let found = resolver.named(runtime)?;
    let versions = resolver.listed(&found)?;
    // The publisher's LTS lines (node's `Iron`), sanitized: they come from outside.
    let lts = versions
        .iter()
        .filter_map(|c| {
            let line = c.lts.as_deref()?;
            Some((c.version.clone(), vx_text::sanitize(line).into_owned()))
        })
        .collect();
    Ok((versions.into_iter().map(|c| c.version).collect(), lts))
}

/// A project's toolchain as `vx which` and `vx env` need it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ToolchainAnswer {
    /// The manifest; none outside a project.
    pub manifest: Option<String>,
    /// The installed tools' executable directories, in `PATH` order.
    pub bin_dirs: Vec<String>,
    /// The tools not installed: `(label, commands)`.
    pub missing: Vec<(String, Vec<String>)>,
    /// The project's `[env]` and `[settings] path`; `None` outside a project (and
    /// from a daemon that predates it). Of a project the user has not trusted, only
    /// what its tools set (see `trusted`).
    pub environment: Option<Declared>,
    /// Whether the user trusts the project (`vx trust`), so that `environment` holds
    /// its own `[env]`, env files and `[settings] path`; `None` outside a project (and
    /// from a daemon that predates it).
    pub trusted: Option<bool>,
}

/// An environment answered: variables set, and variables removed.
type Env = (BTreeMap<String, String>, Vec<String>);

/// Why the daemon cannot answer a request: said to the client as the answer's
/// `message`.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ResolveError {
    /// The runtime's name is not one.
    #[error("bad runtime {runtime:?}: {source}")]
    BadRuntime {
        /// The name asked.
        runtime: String,
        /// What is wrong with it.
        source: FieldError,
    },
    /// The version is not one.
    #[error("bad version {version:?}: {source}")]
    BadVersion {
        /// The version asked.
        version: String,
        /// What is wrong with it.
        source: FieldError,
    },
    /// `cwd` is relative.
    #[error("cwd must be an absolute path, not {cwd:?}")]
    RelativeCwd {
        /// The directory asked.
        cwd: PathBuf,
    },
    /// Another store than the daemon's.
    #[error("this daemon serves the store {}, not {asked}", serves.display())]
    OtherStore {
        /// The daemon's store.
        serves: PathBuf,
        /// The one asked.
        asked: String,
    },
    /// No version of the runtime is installed.
    #[error("no version of {runtime} is installed")]
    NoVersion {
        /// The runtime.
        runtime: String,
    },
    /// The toolchain names nothing for the runtime.
    #[error("{runtime} is not installed")]
    NotInstalled {
        /// The runtime.
        runtime: String,
    },
    /// The tool is not installed: the toolchain's own message, which says what to
    /// run ([`vx_project::toolchain::Tool::not_installed`]).
    #[error("{0}")]
    Missing(String),
    /// The tool has no executables.
    #[error("{label} has no executables")]
    NoExecutables {
        /// The tool's label.
        label: String,
    },
    /// A path that JSON cannot carry.
    #[error(transparent)]
    NotUtf8(#[from] NotUtf8),
    /// A thread panicked holding the daemon's state.
    #[error("the daemon's state is lost")]
    StateLost,
    /// The manifest cannot be read.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// The project cannot be opened.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The toolchain cannot be put together.
    #[error(transparent)]
    Toolchain(#[from] ToolchainError),
    /// An env file of the project cannot be read.
    #[error(transparent)]
    EnvFile(#[from] EnvFileError),
}

/// A path that is not UTF-8, which a JSON answer cannot hold.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{path} is not UTF-8")]
pub(crate) struct NotUtf8 {
    /// The path, lossily.
    pub path: String,
}

/// A project as the daemon keeps it.
#[derive(Debug)]
struct Project {
    /// Its `vx.toml` and `vx.lock` as they were when read.
    stamps: Stamps,
    /// Its manifest and the runtimes it can name (vx's own, its declarations and the
    /// user's), read when it was read: its own, whatever other projects declare.
    session: Session,
    chain: Toolchain,
    /// What it declares of the environment (its own only when trusted: what an
    /// editor applies on its own, as the shell hook does, follows `vx trust`).
    declared: Declared,
    /// The environment of its tools (`PATH` with their directories first, its
    /// `[env]`), worked out once: every `resolve` in the project answers with it.
    env: Result<Env, NotUtf8>,
    /// The answer to `toolchain`, worked out once.
    answer: Result<ToolchainAnswer, NotUtf8>,
    /// Registry tools' packages, by tool, as the lock records them.
    packages: BTreeMap<String, String>,
}

impl Project {
    /// Its manifest (a project the daemon keeps is opened from one).
    fn manifest(&self) -> Option<&Manifest> {
        self.session.manifest()
    }
}

#[derive(Debug, Default)]
struct State {
    /// Tool → its installed versions, oldest first.
    inventory: BTreeMap<String, Vec<String>>,
    /// Manifest path → project.
    projects: HashMap<PathBuf, Arc<Project>>,
    /// Bumped by every invalidation.
    generation: u64,
}

/// The daemon's resolver and its caches.
pub(crate) struct Resolver {
    store: PathBuf,
    /// The `PATH` the environments extend: the daemon's own.
    inherited_path: Option<std::ffi::OsString>,
    state: Mutex<State>,
    /// Watches a project's directory (its `vx.toml`/`vx.lock`) before it is first
    /// read; false when it cannot be, and then the project is not cached.
    watch: Box<dyn Fn(&Path) -> bool + Send + Sync>,
}

impl Resolver {
    /// A resolver of `store`, whose installed versions are `inventory`; `watch`
    /// watches a project's directory (see the field).
    pub(crate) fn new(
        store: PathBuf,
        inventory: Vec<(String, String)>,
        watch: impl Fn(&Path) -> bool + Send + Sync + 'static,
    ) -> Resolver {
        let resolver = Resolver {
            inherited_path: std::env::var_os("PATH"),
            state: Mutex::new(State::default()),
            store,
            watch: Box::new(watch),
        };
        resolver.set_inventory(inventory);
        resolver
    }

    /// The store it serves.
    #[cfg(test)]
    pub(crate) fn store(&self) -> &Path {
        &self.store
    }

    /// Replaces the inventory (after the store changed) and forgets every project's
    /// toolchain, whose receipts may be stale.
    pub(crate) fn set_inventory(&self, versions: Vec<(String, String)>) {
        let mut inventory: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (tool, version) in versions {
            inventory.entry(tool).or_default().push(version);
        }
        if let Ok(mut state) = self.state.lock() {
            state.inventory = inventory;
            state.projects.clear();
            state.generation += 1;
        }
    }

    /// Replaces the versions of some tools (their directories changed; an empty list:
    /// none left) and forgets every project's toolchain.
    pub(crate) fn update_inventory(&self, tools: Vec<(String, Vec<String>)>) {
        if let Ok(mut state) = self.state.lock() {
            for (tool, versions) in tools {
                if versions.is_empty() {
                    state.inventory.remove(&tool);
                } else {
                    state.inventory.insert(tool, versions);
                }
            }
            state.projects.clear();
            state.generation += 1;
        }
    }

    /// Forgets the project of `manifest` (its `vx.toml` or `vx.lock` changed).
    pub(crate) fn project_changed(&self, manifest: &Path) {
        if let Ok(mut state) = self.state.lock() {
            state.projects.remove(manifest);
            state.generation += 1;
        }
    }

    /// Tool versions in the inventory.
    pub(crate) fn cached_runtimes(&self) -> usize {
        self.state
            .lock()
            .map_or(0, |s| s.inventory.values().map(Vec::len).sum())
    }

    /// The installed versions of `runtime`, oldest first.
    pub(crate) fn list_versions(&self, runtime: &str) -> Vec<String> {
        self.state
            .lock()
            .ok()
            .and_then(|s| s.inventory.get(runtime).cloned())
            .unwrap_or_default()
    }

    /// `runtime` (at `version`, from `cwd`'s project): see the module docs.
    pub(crate) fn resolve(
        &self,
        runtime: &str,
        version: Option<&str>,
        cwd: Option<&str>,
    ) -> Result<Resolution, ResolveError> {
        validate::tool_name(runtime).map_err(|source| ResolveError::BadRuntime {
            runtime: runtime.to_owned(),
            source,
        })?;
        if let Some(version) = version {
            validate::version(version).map_err(|source| ResolveError::BadVersion {
                version: version.to_owned(),
                source,
            })?;
        }
        let project = match cwd {
            Some(cwd) => self.project(cwd)?,
            None => None,
        };
        let picked = |chain: &Toolchain| {
            chain
                .tools
                .iter()
                .find(|t| t.name == runtime && version.is_none_or(|v| v == t.version))
                .cloned()
        };
        let (tool, env) = match project.as_ref().and_then(|p| Some((picked(&p.chain)?, p))) {
            Some((tool, project)) => (tool, project.env.clone()?),
            None => {
                let version = match (version, &project) {
                    (Some(version), _) => Some(version.to_owned()),
                    // A tool of the project is asked at the project's version.
                    (None, Some(p)) if p.manifest().is_some_and(|m| m.tool(runtime).is_some()) => {
                        None
                    }
                    (None, _) => Some(self.newest(runtime)?),
                };
                let request = Request {
                    name: runtime.to_owned(),
                    version,
                };
                let outside;
                let session = match &project {
                    Some(p) => &p.session,
                    None => {
                        outside = Session::outside(&Opening::default());
                        &outside
                    }
                };
                let chain = session.toolchain(&[request], &self.store)?;
                let tool = picked(&chain)
                    .or_else(|| chain.tools.first().cloned())
                    .ok_or_else(|| ResolveError::NotInstalled {
                        runtime: runtime.to_owned(),
                    })?;
                let declared = project.as_ref().map(|p| p.declared.clone());
                (tool, self.env(&chain, &declared.unwrap_or_default())?)
            }
        };
        if !tool.installed() {
            let manifest = project.as_ref().and_then(|p| p.manifest());
            return Err(ResolveError::Missing(
                tool.not_installed(manifest.map(|m| m.path.as_path())),
            ));
        }
        let executable = executable(&tool)?;
        let package = project
            .as_ref()
            .and_then(|p| p.packages.get(&tool.name).cloned());
        let (env, unset) = env;
        Ok(Resolution {
            executable: text(executable.as_os_str())?,
            version: tool.version,
            env,
            unset,
            package,
        })
    }

    /// The environment `chain`'s tools run in, in a project that declares
    /// `declared`: `PATH` with their directories first, then `[settings] path`, then
    /// the daemon's own; the variables `[env]` sets, and those it removes.
    fn env(&self, chain: &Toolchain, declared: &Declared) -> Result<Env, NotUtf8> {
        let declared = &declared.clone().with_tools(chain.env());
        let path = declared.search_path(&chain.bin_dirs(), self.inherited_path.as_deref());
        let mut env = BTreeMap::from([("PATH".to_owned(), text(path.as_ref())?)]);
        let mut unset = Vec::new();
        let changes = declared.changes();
        for (name, value) in changes.resolved() {
            match value {
                Some(value) => {
                    env.insert(name.to_owned(), value.to_owned());
                }
                None => unset.push(name.to_owned()),
            }
        }
        Ok((env, unset))
    }

    /// The toolchain of `cwd`'s project, when `store` is the store this daemon
    /// serves or not given (else an error: the client resolves by itself).
    pub(crate) fn toolchain(
        &self,
        cwd: &str,
        store: Option<&str>,
    ) -> Result<ToolchainAnswer, ResolveError> {
        if let Some(store) = store
            && Path::new(store) != self.store
        {
            return Err(ResolveError::OtherStore {
                serves: self.store.clone(),
                asked: store.to_owned(),
            });
        }
        match self.project(cwd)? {
            Some(project) => Ok(project.answer.clone()?),
            None => Ok(ToolchainAnswer::default()),
        }
    }

    /// The newest installed version of `runtime`.
    fn newest(&self, runtime: &str) -> Result<String, ResolveError> {
        self.list_versions(runtime)
            .pop()
            .ok_or_else(|| ResolveError::NoVersion {
                runtime: runtime.to_owned(),
            })
    }

    /// The project of `cwd` (the nearest `vx.toml`), from the cache or loaded.
    fn project(&self, cwd: &str) -> Result<Option<Arc<Project>>, ResolveError> {
        let cwd = Path::new(cwd);
        if !cwd.is_absolute() {
            return Err(ResolveError::RelativeCwd {
                cwd: cwd.to_path_buf(),
            });
        }
        let Some(path) = manifest::global::find_or_global(cwd) else {
            return Ok(None);
        };
        // Taken before anything is read: a change while reading shows next time.
        let stamps = Stamps::of(&path);
        let generation = {
            let state = self.state.lock().map_err(|_| ResolveError::StateLost)?;
            // The env files are read again (small, bounded) to tell an edit.
            if let Some(project) = state.projects.get(&path)
                && project.stamps == stamps
                && project.session.catalogue().is_current(&path)
                && project.declared.files_unchanged()
            {
                return Ok(Some(Arc::clone(project)));
            }
            state.generation
        };
        // Watched before it is read, so a change while reading is not missed.
        let watched = path.parent().is_some_and(|dir| (self.watch)(dir));
        let manifest = Manifest::load(&path)?;
        // What is at hand only: a declaration not fetched yet waits for a command.
        let opening = Opening {
            offline: true,
            at_hand: true,
            ..Opening::default()
        };
        let session = Session::with_manifest(manifest, &opening, &|_| {})?;
        let manifest = session.project()?;
        let chain = session.toolchain(&[], &self.store)?;
        let packages = vx_model::lock::Lock::load(&manifest.lock_path())
            .ok()
            .flatten()
            .map(|lock| {
                lock.tools
                    .into_iter()
                    .filter_map(|(name, entry)| Some((name, entry.package?)))
                    .collect()
            })
            .unwrap_or_default();
        // Editors apply what the daemon answers on their own, as the shell hook does:
        // a project's own environment only once the user trusts it.
        let trusted = vx_engine::trust::is_trusted(&path);
        let declared = Declared::of_trusted(manifest, trusted)?.with_tools(chain.env());
        let env = self.env(&chain, &declared);
        let answer = answer(manifest, &chain, &declared, trusted);
        let project = Arc::new(Project {
            packages,
            stamps,
            session,
            env,
            answer,
            declared,
            chain,
        });
        if let Ok(mut state) = self.state.lock()
            && watched
            && state.generation == generation
        {
            if state.projects.len() >= MAX_PROJECTS {
                state.projects.clear();
            }
            state.projects.insert(path, Arc::clone(&project));
        }
        Ok(Some(project))
    }
}

/// A file's identity and last change (device, inode, size, modification time in
/// nanoseconds); `None` for a file that is not there.
type Stamp = Option<vx_base::platform::fs::FileStamp>;

/// The stamps of a project's `vx.toml` and `vx.lock` (and of the global toolset's
/// layered under it, and of the file of trusted projects, which decides what of its
/// environment is answered). A cached project is used only
/// while they are unchanged: two `stat`s per answer make it exact at once, where the
/// file events that also drop it arrive a few milliseconds late (a script's
/// `vx add … && vx env` must see the new tool).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamps([Stamp; 5]);

impl Stamps {
    fn of(manifest: &Path) -> Stamps {
        let stamp = |path: &Path| -> Stamp {
            let m = std::fs::metadata(path).ok()?;
            Some(vx_base::platform::fs::FileStamp::of(&m))
        };
        // The global toolset layered under the project counts as its files do.
        let global = manifest::global::under(manifest).map(|g| manifest::global::files(&g));
        let global = |i: usize| global.as_ref().and_then(|files| stamp(&files[i]));
        Stamps([
            stamp(manifest),
            stamp(&manifest.with_file_name(manifest::LOCK_FILE)),
            global(0),
            global(1),
            vx_engine::trust::file().and_then(|f| stamp(&f)),
        ])
    }
}

/// The answer to `toolchain` for a project.
fn answer(
    manifest: &Manifest,
    chain: &Toolchain,
    declared: &Declared,
    trusted: bool,
) -> Result<ToolchainAnswer, NotUtf8> {
    let bin_dirs = chain
        .bin_dirs()
        .iter()
        .map(|dir| text(dir.as_os_str()))
        .collect::<Result<_, _>>()?;
    let missing = chain
        .missing()
        .iter()
        .map(|tool| (tool.label(), tool.commands()))
        .collect();
    Ok(ToolchainAnswer {
        manifest: Some(text(manifest.path.as_os_str())?),
        bin_dirs,
        missing,
        environment: Some(declared.clone()),
        trusted: Some(trusted),
    })
}

/// The executable of `tool` that is named like it, else its first.
fn executable(tool: &Tool) -> Result<PathBuf, ResolveError> {
    let all = tool.executables();
    let named = all
        .iter()
        .position(|exe| exe.file_name().is_some_and(|n| *n == *tool.name));
    named
        .or((!all.is_empty()).then_some(0))
        .and_then(|at| all.into_iter().nth(at))
        .ok_or_else(|| ResolveError::NoExecutables {
            label: tool.label(),
        })
}

/// A path as JSON text: paths that are not UTF-8 cannot be answered.
fn text(path: &std::ffi::OsStr) -> Result<String, NotUtf8> {
    path.to_str().map(str::to_owned).ok_or_else(|| NotUtf8 {
        path: path.to_string_lossy().into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file system's root (`/`, `C:\`): outside every project.
    fn root() -> String {
        let temp = std::env::temp_dir();
        let root = temp.ancestors().last().expect("a path has a root");
        root.to_str().unwrap().to_owned()
    }

    /// `rel` with the platform's separator (what the resolver's paths hold).
    fn native(rel: &str) -> std::path::PathBuf {
        rel.split('/').collect()
    }
    use vx_engine::install::test_support::{fake_install, tree_of};

    const MANIFEST: &str = r#"
[tools.ripgrep]
version = "14.1.1"
url = "https://x.org/rg-{version}.tar.gz"
sha256 = "abababababababababababababababababababababababababababababababab"
bin = ["bin/rg"]

[tools.node]
version = "20.1.0"
url = "https://x.org/node-{version}.tar.gz"
"#;

    /// The directories the resolver asked to watch.
    type Watched = std::sync::Arc<Mutex<Vec<PathBuf>>>;

    fn setup() -> (tempfile::TempDir, PathBuf, Resolver, Watched) {
        let tmp = tempfile::tempdir().unwrap();
        let store = tmp.path().join("store");
        let sha = "ab".repeat(32);
        for v in ["13.0.0", "14.1.1"] {
            let url = format!("https://x.org/rg-{v}.tar.gz");
            fake_install(&store, "ripgrep", v, &url, &sha, &["bin/rg", "bin/extra"]);
        }
        fake_install(&store, "jq", "1.6", "https://x/jq", &sha, &["jq"]);
        let project = tmp.path().join("proj");
        std::fs::create_dir_all(project.join("sub")).unwrap();
        std::fs::write(project.join("vx.toml"), MANIFEST).unwrap();
        let watched = Watched::default();
        let log = std::sync::Arc::clone(&watched);
        let inventory = vx_engine::inventory::versions(&store);
        let resolver = Resolver::new(store, inventory, move |dir| {
            log.lock().unwrap().push(dir.to_path_buf());
            true
        });
        (tmp, project, resolver, watched)
    }

    #[test]
    fn outside_a_project_the_newest_or_the_asked_version() {
        let (_tmp, _project, resolver, _rx) = setup();
        assert_eq!(resolver.list_versions("ripgrep"), ["13.0.0", "14.1.1"]);
        assert!(resolver.list_versions("nope").is_empty());
        assert_eq!(resolver.cached_runtimes(), 3);
        let got = resolver.resolve("ripgrep", None, None).unwrap();
        assert_eq!(got.version, "14.1.1");
        let rg = |v: &str| tree_of(resolver.store(), "ripgrep", v);
        assert_eq!(
            Path::new(&got.executable),
            rg("14.1.1").join(native("bin/rg"))
        );
        assert!(got.env["PATH"].starts_with(&format!("{}", rg("14.1.1").join("bin").display())));
        let old = resolver.resolve("ripgrep", Some("13.0.0"), None).unwrap();
        assert_eq!(
            Path::new(&old.executable),
            rg("13.0.0").join(native("bin/rg"))
        );
        // Not named like the tool: its first executable.
        let jq = resolver.resolve("jq", None, Some(&root())).unwrap();
        assert_eq!(
            Path::new(&jq.executable),
            tree_of(resolver.store(), "jq", "1.6").join("jq"),
            "{jq:?}"
        );
        for (runtime, version) in [("nope", None), ("ripgrep", Some("9")), ("../x", None)] {
            assert!(resolver.resolve(runtime, version, None).is_err());
        }
        assert!(
            resolver
                .resolve("ripgrep", Some("../../etc"), None)
                .is_err()
        );
        assert!(resolver.resolve("ripgrep", None, Some("relative")).is_err());
    }

    #[test]
    fn in_a_project_its_version_and_its_path_and_a_missing_tool_says_so() {
        let (_tmp, project, resolver, rx) = setup();
        let cwd = project.join("sub");
        let got = resolver.resolve("ripgrep", None, cwd.to_str()).unwrap();
        assert_eq!(got.version, "14.1.1");
        assert_eq!(
            *rx.lock().unwrap(),
            std::slice::from_ref(&project),
            "the project is watched"
        );
        let err = resolver
            .resolve("node", None, cwd.to_str())
            .unwrap_err()
            .to_string();
        assert!(err.contains("node 20.1.0 is not installed"), "{err}");
        // Another version than the project's, installed.
        let old = resolver
            .resolve("ripgrep", Some("13.0.0"), cwd.to_str())
            .unwrap();
        assert_eq!(old.version, "13.0.0");
        // A tool the project does not have: the store's newest.
        assert_eq!(
            resolver.resolve("jq", None, cwd.to_str()).unwrap().version,
            "1.6"
        );
        // A change is seen at once, before any file event.
        std::fs::write(project.join("vx.toml"), "not toml [").unwrap();
        assert!(resolver.resolve("ripgrep", None, cwd.to_str()).is_err());
        std::fs::write(project.join("vx.toml"), MANIFEST).unwrap();
        assert!(resolver.resolve("ripgrep", None, cwd.to_str()).is_ok());
        std::fs::write(project.join("vx.lock"), "not a lock [").unwrap();
        assert!(resolver.resolve("ripgrep", None, cwd.to_str()).is_err());
    }

    #[test]
    fn the_toolchain_of_a_project_for_the_cli() {
        let (_tmp, project, resolver, _rx) = setup();
        let store = resolver.store().to_str().unwrap().to_owned();
        let cwd = project.join("sub");
        let got = resolver
            .toolchain(cwd.to_str().unwrap(), Some(&store))
            .unwrap();
        assert_eq!(
            resolver.toolchain(cwd.to_str().unwrap(), None).unwrap(),
            got,
            "no store named: the daemon's"
        );
        assert_eq!(
            got.manifest.unwrap(),
            project.join("vx.toml").to_str().unwrap()
        );
        assert_eq!(
            got.bin_dirs,
            [tree_of(resolver.store(), "ripgrep", "14.1.1")
                .join("bin")
                .to_str()
                .unwrap()]
        );
        assert_eq!(
            got.missing,
            [("node 20.1.0".to_owned(), vec!["node".to_owned()])]
        );
        assert!(
            resolver
                .toolchain(cwd.to_str().unwrap(), Some("/other"))
                .is_err()
        );
        let outside = resolver.toolchain(&root(), Some(&store)).unwrap();
        assert_eq!(outside, ToolchainAnswer::default());
    }

    #[test]
    fn a_store_change_refreshes_the_inventory_and_the_toolchains() {
        let (_tmp, project, resolver, _rx) = setup();
        let cwd = project.to_str().unwrap().to_owned();
        assert!(resolver.resolve("node", None, Some(&cwd)).is_err());
        let sha = "ab".repeat(32);
        fake_install(
            resolver.store(),
            "node",
            "20.1.0",
            "https://x.org/node-20.1.0.tar.gz",
            &sha,
            &["bin/node"],
        );
        let versions = vx_engine::inventory::tool_versions(resolver.store(), "node");
        resolver.update_inventory(vec![("node".into(), versions)]);
        let node = resolver.resolve("node", None, Some(&cwd)).unwrap();
        assert_eq!(
            Path::new(&node.executable),
            tree_of(resolver.store(), "node", "20.1.0").join(native("bin/node"))
        );
        assert_eq!(resolver.cached_runtimes(), 4);
        resolver.update_inventory(vec![("jq".into(), Vec::new())]);
        assert_eq!(resolver.cached_runtimes(), 3);
        assert!(resolver.list_versions("jq").is_empty());
    }
}
