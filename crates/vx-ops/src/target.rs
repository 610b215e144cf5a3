//! The exec target: what `vx exec`, `vx CMD`, `vx x` and `vx run` run a command with
//! (the session, the tools named, the store, whether to install), and the one place
//! that decides what a command needs and whether it is installed ([`Target::ready`]):
//! missing tools installed through the project's sync (its lock included), a tool
//! whose install failed remembered ([`vx_project::toolchain::failed`]) so one that cannot
//! install is tried once, then the command run in place of vx ([`super::exec`]).
//! Nothing here prints: what there is to say goes to the caller's [`Say`], and the
//! installs' progress as the caller's [`Settings`] say.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;
use std::sync::Arc;

use crate::session::{Opening, Session, SessionError, Want};
use vx_engine::store::{self, StoreError};
use vx_model::manifest::Manifest;
use vx_model::project_env::Declared;
use vx_model::project_env::env_file::EnvFileError;
use vx_model::project_env::venv::VenvError;
use vx_project::plan::{LockMode, LockReport, ProjectError, ProjectSync};
use vx_project::toolchain::activation::Sources;
use vx_project::toolchain::failed::Failures;
use vx_project::toolchain::{Origin, Request, Tool, Toolchain, ToolchainError, search};
use vx_sync::Settings;

use super::exec::{not_here, replace_process};

/// What a target has to say as it goes, for the caller to print.
pub trait Say {
    /// A line for the user (`vx: …`), beside the command's own output.
    fn note(&self, line: &str);
    /// A sync re-locked other platforms of `manifest`'s tools.
    fn relocked(&self, report: &LockReport, manifest: &Manifest);
    /// Something was installed into `store` (the shims follow it).
    fn installed(&self, store: &Path);
}

/// Why a command could not run.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// The store cannot be used (the user's: they named it).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The toolchain could not be assembled.
    #[error(transparent)]
    Toolchain(#[from] ToolchainError),
    /// The project's sync could not run.
    #[error(transparent)]
    Project(#[from] ProjectError),
    /// The network settings cannot be used (the user's).
    #[error("network settings")]
    Network(#[from] vx_sources::settings::network::NetConfigError),
    /// The global toolset could not be opened.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The versions named on the command line could not be installed (the machine's).
    #[error(transparent)]
    Install(vx_sync::SyncError),
    /// What the command needs is not installed (exit 1), each with why.
    #[error("not installed: {0}")]
    NotInstalled(String),
    /// An install was interrupted (exit 130).
    #[error("interrupted")]
    Interrupted,
    /// The project's env files cannot be read (the user's).
    #[error(transparent)]
    Declared(#[from] EnvFileError),
    /// The command could not be run in place of vx (its own exit code).
    #[error(transparent)]
    Exec(vx_base::exit::Error),
}

/// What `vx exec` runs a command with.
pub struct Target<'a> {
    /// The project (or the global toolset, or none) and the runtimes it names.
    pub session: &'a Session,
    /// Tools named on the command line.
    pub requests: &'a [Request],
    /// `--store`.
    pub store: Option<&'a Path>,
    /// `--offline`: install nothing, reach no network.
    pub offline: bool,
    /// `--no-install`: install nothing.
    pub no_install: bool,
    /// The project's sources stamped before they were read: the toolchain's
    /// activation is recorded once it is complete (`None`: not recorded).
    pub sources: Option<&'a Sources>,
    /// How installs report (on stderr: stdout is the command's); its network is set
    /// from the manifest.
    pub settings: &'a Settings,
    /// What the target says, and what follows an install.
    pub say: &'a dyn Say,
    /// A tool the command needs that is still missing does not stop it: it runs with
    /// what is on PATH, the missing tool said once. A mise project's tasks (read in
    /// place) run so, as mise runs a task whose tools it did not install.
    pub on_path: bool,
}

impl Target<'_> {
    /// The project's manifest (or the global toolset's), if any.
    fn manifest(&self) -> Option<&Manifest> {
        self.session.manifest()
    }

    /// Installs what is missing (unless offline) and replaces this process with
    /// `program`; returns only the error that stopped it.
    pub fn exec(&self, program: &OsString, args: &[OsString]) -> TargetError {
        let chain = store::locate(self.store.map(Path::to_path_buf))
            .map_err(TargetError::from)
            .and_then(|store| self.toolchain(&store).map(|chain| (chain, store)));
        match chain {
            Ok((chain, store)) => self.exec_in(chain, &store, program, args),
            Err(err) => err,
        }
    }

    /// [`Target::exec`] with the toolchain already assembled from `store`.
    pub fn exec_in(
        &self,
        chain: Toolchain,
        store: &Path,
        program: &OsString,
        args: &[OsString],
    ) -> TargetError {
        match self.ready(chain, store, std::slice::from_ref(program)) {
            Ok(chain) => {
                // A virtual environment that cannot be made is said; the command may
                // not need it.
                let network = self
                    .session
                    .options(true)
                    .offline(self.offline || self.no_install);
                match ensure_venv(self.manifest(), &chain, store, &network) {
                    Ok(Some(line)) => self.say.note(&line),
                    Ok(None) => {}
                    Err(why) => self.say.note(&format!("vx: {why}")),
                }
                record_activation(&chain, self.manifest(), self.sources, store);
                let declared = match self.declared() {
                    Ok(declared) => declared.with_tools(chain.env()),
                    Err(err) => return err.into(),
                };
                let path =
                    declared.search_path(&chain.bin_dirs(), std::env::var_os("PATH").as_deref());
                let exe = search::find(program, &path);
                if exe.is_none()
                    && let Some(err) = not_here(&chain.not_here, program)
                {
                    return TargetError::Exec(err);
                }
                TargetError::Exec(replace_process(
                    program,
                    args,
                    &path,
                    &declared.changes(),
                    exe,
                ))
            }
            Err(err) => err,
        }
    }

    /// The project's toolchain and the tools named on the command line: a version
    /// that vx.toml's URL tools and the store do not answer is resolved as `vx x`
    /// resolves it (the project's registries, then the standard one).
    pub(crate) fn toolchain(&self, store: &Path) -> Result<Toolchain, TargetError> {
        let resolve = vx_engine::resolution::OnDemand {
            options: self
                .session
                .options(false)
                .store(self.store)
                .offline(self.offline),
            catalogue: Arc::clone(self.session.catalogue()),
        };
        self.session
            .toolchain_resolving(self.requests, store, &resolve)
            .map_err(TargetError::from)
    }

    /// What the project declares of the environment (nothing outside a project).
    pub(crate) fn declared(&self) -> Result<Declared, EnvFileError> {
        declared(self.manifest())
    }

    /// Why nothing is installed for this command: `--offline`, `--no-install` or
    /// `[settings] auto_install = false` (`None`: missing tools are installed first).
    fn not_installing(&self) -> Option<&'static str> {
        if self.offline {
            Some("--offline")
        } else if self.no_install {
            Some("--no-install")
        } else if self.manifest().is_some_and(|m| !m.auto_install) {
            Some("[settings] auto_install = false")
        } else {
            None
        }
    }

    /// The toolchain a command runs with: the one place that decides what the
    /// command needs and whether it is installed. Missing tools are installed first
    /// (unless `Target::not_installing` says why not), except those whose install
    /// failed before and is remembered ([`vx_project::toolchain::failed`]): one tool that
    /// cannot install is tried once, not at every command. Then the command runs
    /// when what it needs is installed — the tools named on the command line and
    /// those providing `programs` (a script's: the first word of each of its
    /// commands) — whatever else is missing; each missing tool is said once on
    /// stderr with why. A missing tool the command needs is the error (exit 1), with
    /// why.
    pub(crate) fn ready(
        &self,
        mut chain: Toolchain,
        store: &Path,
        programs: &[OsString],
    ) -> Result<Toolchain, TargetError> {
        if chain.missing().is_empty() {
            return Ok(chain);
        }
        let not_installing = self.not_installing();
        let why: BTreeMap<String, String> = match not_installing {
            Some(flag) => chain
                .missing()
                .iter()
                .map(|t| (t.name.clone(), flag.to_owned()))
                .collect(),
            None => {
                let store = store::prepare(Some(store.to_path_buf()))?;
                let failed = self.install(&chain, &store)?;
                if chain.tools.iter().any(|t| {
                    t.spec.is_none() && matches!(t.origin, Origin::Manifest | Origin::Global)
                }) {
                    // Registry tools the sync resolved: the lock now pins them.
                    chain = self.toolchain(&store)?;
                } else {
                    chain.refresh(&store);
                }
                failed
                    .into_iter()
                    .map(|(name, reason)| (name, vx_text::sanitize(&reason).into_owned()))
                    .collect()
            }
        };
        let missing = chain.missing();
        if missing.is_empty() {
            return Ok(chain);
        }
        // `LABEL (why); what to do`: `vx sync` installs the project's tools, `vx sync
        // -g` the global toolset's; a version named on the command line is its own.
        let said = |t: &Tool| {
            let global = t.origin == Origin::Global;
            let advice = match (t.origin.clone(), why.contains_key(&t.name)) {
                (Origin::Override | Origin::Store, _) => "",
                (_, true) if not_installing.is_none() && global => "; `vx sync -g` tries again",
                (_, true) if not_installing.is_none() => "; `vx sync` tries again",
                _ if global => "; run `vx sync -g`",
                _ => "; run `vx sync`",
            };
            match why.get(&t.name) {
                Some(why) => format!("{} ({why}){advice}", t.label()),
                None => format!("{}{advice}", t.label()),
            }
        };
        let providers: Vec<&str> = programs
            .iter()
            .filter_map(|p| chain.provider(&p.to_string_lossy()))
            .map(|t| t.name.as_str())
            .collect();
        let (needed, unneeded): (Vec<&Tool>, Vec<&Tool>) = missing.iter().partition(|t| {
            matches!(t.origin, Origin::Override | Origin::Store)
                || providers.contains(&t.name.as_str())
        });
        if !needed.is_empty() {
            let needed: Vec<String> = needed.iter().map(|t| said(t)).collect();
            if !self.on_path {
                return Err(TargetError::NotInstalled(needed.join("; ")));
            }
            self.say.note(&format!(
                "vx: not installed: {}; the commands run with what is on PATH, as mise runs them",
                needed.join("; ")
            ));
        }
        for tool in unneeded {
            self.say
                .note(&format!("vx: running without {}", said(tool)));
        }
        Ok(chain)
    }

    /// Syncs the project when one of its tools is missing (leaving out those whose
    /// failure is remembered), then the global toolset and the named versions that
    /// are; progress goes to stderr (stdout is the command's). Returns why each tool
    /// that is still missing failed, when known (remembered failures included), and
    /// remembers the project's new failures.
    fn install(
        &self,
        chain: &Toolchain,
        store: &Path,
    ) -> Result<BTreeMap<String, String>, TargetError> {
        // Outside a project (`vx x`) the children read the user's settings alone.
        let network = match self.manifest() {
            Some(_) => self.session.checked_network()?,
            None => Default::default(),
        };
        let settings = Settings {
            network,
            ..self.settings.clone()
        };
        let missing = chain.missing();
        let mut code = vx_base::exit::OK;
        let mut why = BTreeMap::new();
        let of = |origin: Origin| -> Vec<&Tool> {
            missing
                .iter()
                .copied()
                .filter(|t| t.origin == origin)
                .collect()
        };
        if let Some(manifest) = self.manifest()
            && !of(Origin::Manifest).is_empty()
        {
            let (c, w) = sync_remembering(
                self.session,
                manifest,
                &of(Origin::Manifest),
                store,
                &settings,
                self.offline,
                self.say,
            )?;
            (code, why) = (c, w);
        }
        if code != vx_base::exit::INTERRUPTED && !of(Origin::Global).is_empty() {
            let progress = |line: &str| self.say.note(&format!("vx: {line}"));
            let global = Session::open(&Opening::new(None, Want::Global), &progress)?;
            if let Some(manifest) = global.manifest() {
                let settings = Settings {
                    network: global.checked_network()?,
                    ..settings.clone()
                };
                let (c, w) = sync_remembering(
                    &global,
                    manifest,
                    &of(Origin::Global),
                    store,
                    &settings,
                    self.offline,
                    self.say,
                )?;
                why.extend(w);
                if code == vx_base::exit::OK {
                    code = c;
                }
            }
        }
        let named: Vec<_> = missing
            .iter()
            .filter(|t| t.origin == Origin::Override)
            .filter_map(|t| t.spec.clone())
            .collect();
        if code != vx_base::exit::INTERRUPTED && !named.is_empty() {
            let settings = Settings {
                // No checksum is known for a version the manifest does not pin.
                first_use: named.iter().map(|s| s.name.clone()).collect(),
                ..settings
            };
            let (named_code, failed) =
                vx_sync::run_with_failures("the command line", &named, store, &settings)
                    .map_err(TargetError::Install)?;
            for (name, reason) in failed {
                why.insert(name, format!("its install failed: {reason}"));
            }
            code = named_code;
        }
        self.say.installed(store);
        // A tool that failed is still missing: the caller names it.
        if code == vx_base::exit::INTERRUPTED {
            Err(TargetError::Interrupted)
        } else {
            Ok(why)
        }
    }
}

/// Installs `missing` (tools of `manifest`, the project's or the global toolset's,
/// opened as `session`) through the manifest's sync, for a command about to run: a tool whose failure is
/// remembered ([`Failures`]) is left out, and what fails now is remembered. Returns
/// the sync's exit code and why each tool it could not install is missing (`its install
/// failed: …`). A registry tool that cannot be resolved stops the sync, not the
/// command: every missing tool is then said with that reason. A manifest or lock
/// that cannot be used is the error.
fn sync_remembering(
    session: &Session,
    manifest: &Manifest,
    missing: &[&Tool],
    store: &Path,
    settings: &Settings,
    offline: bool,
    say: &dyn Say,
) -> Result<(i32, BTreeMap<String, String>), TargetError> {
    let failures = Failures::load(store, &manifest.path);
    // The lock failed for this vx.toml and vx.lock already, and that was said then.
    if failures.stopped().is_some() {
        let why = missing
            .iter()
            .map(|t| {
                let said = "the project's lock failed when a command tried it; `vx lock` says why";
                (t.name.clone(), said.to_owned())
            })
            .collect();
        return Ok((vx_base::exit::OK, why));
    }
    let mut why: BTreeMap<String, String> = missing
        .iter()
        .filter_map(|t| {
            let failure = match &t.spec {
                Some(spec) => failures.of(spec)?,
                None => failures.named(&t.name)?,
            };
            Some((
                t.name.clone(),
                format!("its install failed: {}", failure.reason),
            ))
        })
        .collect();
    if missing.iter().all(|t| why.contains_key(&t.name)) {
        return Ok((vx_base::exit::OK, why));
    }
    let catalogue = session.catalogue();
    let resolver = vx_engine::resolution::OnDemand {
        options: session.options(false).store(Some(store)).offline(offline),
        catalogue: Arc::clone(catalogue),
    };
    let mut sync = match ProjectSync::plan(manifest, catalogue, LockMode::Update, &resolver) {
        Ok(sync) => sync,
        Err(ProjectError::Resolution(err)) => {
            let reason = format!("the sync stopped: {err}");
            // An unreachable network is no verdict on the lock: tried again next time.
            if !matches!(err, vx_engine::resolution::ResolutionError::Unreachable(_)) {
                failures.record_stopped(store, &reason);
            }
            for tool in missing {
                why.entry(tool.name.clone())
                    .or_insert_with(|| reason.clone());
            }
            return Ok((vx_base::exit::FAILED, why));
        }
        Err(err) => return Err(err.into()),
    };
    let remembered: Vec<String> = why.keys().cloned().collect();
    sync.skip(&remembered);
    if let Some(line) = sync.tell_locked_here() {
        say.note(&line);
    }
    let tried = sync.plan.tools.clone();
    let outcome = sync.run(store, settings)?;
    say.relocked(&outcome.relocked, manifest);
    failures.record(store, &tried, &outcome.failed);
    for (name, reason) in outcome.failed {
        why.insert(name, format!("its install failed: {reason}"));
    }
    Ok((outcome.code, why))
}

/// Resolves ([`super::x`]) `tool` (`NAME[@CONSTRAINT]`) in the session `opening`
/// opens (the project's own tools and registries count, as for `vx exec T@V`),
/// installs it and runs it with `args` in place of vx: `vx x`, and `vx TOOL@VERSION`.
/// Returns only the error that stopped it.
pub fn run_registry_tool(
    opening: &Opening,
    request: &super::x::Request<'_>,
    args: &[OsString],
    settings: &Settings,
    say: &dyn Say,
) -> RegistryToolError {
    let progress = |line: &str| say.note(&format!("vx: {line}"));
    let prepared = Session::open(opening, &progress)
        .map_err(RegistryToolError::Session)
        .and_then(|session| super::x::prepare(&session, request).map_err(RegistryToolError::X));
    let super::x::Prepared {
        store,
        chain,
        program,
    } = match prepared {
        Ok(ok) => ok,
        Err(err) => return err,
    };
    let session = Session::outside(&Opening::default());
    let target = Target {
        session: &session,
        requests: &[],
        store: Some(&store),
        offline: opening.offline,
        no_install: false,
        sources: None,
        settings,
        say,
        on_path: false,
    };
    RegistryToolError::Target(target.exec_in(chain, &store, &program, args))
}

/// Why `vx x` (or `vx TOOL@VERSION`) stopped.
#[derive(Debug, thiserror::Error)]
pub enum RegistryToolError {
    /// The project could not be opened.
    #[error(transparent)]
    Session(SessionError),
    /// The tool could not be resolved.
    #[error(transparent)]
    X(super::x::XError),
    /// It could not be installed or run.
    #[error(transparent)]
    Target(TargetError),
}

/// Makes `manifest`'s virtual environment (`[settings] python_venv`) with the python
/// of `chain` when it is missing, or again when the python it was made with is gone or
/// is not the project's ([`vx_model::project_env::venv::ensure`]): `Ok(Some(line))`, the
/// lines to say, when it was made; `Ok(None)` when it is there or the project names
/// none. Made with the project's uv when its toolchain has one, else with vx's own uv
/// (found in `store`, where a PyPI tool installed it, else fetched into it through
/// `network`: [`vx_engine::resolution::backend::uv::fetch`]) and pip from the python's
/// own wheel, else (offline, or uv cannot be had), said with why, with `python -I -m
/// venv` ([`vx_engine::install::venv::make_project`]); a Ctrl-C meanwhile ends what
/// makes it.
pub(crate) fn ensure_venv(
    manifest: Option<&Manifest>,
    chain: &Toolchain,
    store: &Path,
    network: &vx_engine::resolution::network::Options,
) -> Result<Option<String>, VenvError> {
    use vx_engine::install::venv::{Maker, make_project};
    use vx_model::project_env::venv::{self, Ensured};
    let Some(manifest) = manifest else {
        return Ok(None);
    };
    let Some(dir) = &manifest.environment.python_venv else {
        return Ok(None);
    };
    let project = vx_model::project_env::project_dir(&manifest.path);
    let venv = project.join(dir);
    // A uv project's packages are uv's to install: said where the venv is new.
    let uv_sync = match project.join("uv.lock").is_file() {
        true => "; uv.lock is here: `vx exec -- uv sync` installs the project's packages into it",
        false => "",
    };
    let notes = std::cell::RefCell::new(Vec::<String>::new());
    let make = |making: &venv::Making<'_>| {
        let maker = match making.project_uv {
            Some(uv) => Maker::ProjectUv(uv.to_owned()),
            None => match vx_engine::resolution::backend::uv::fetch(network.clone(), store) {
                Ok(dir) => Maker::VxUv(dir),
                Err(why) => {
                    notes.borrow_mut().push(format!(
                        "vx: making {dir} with python -m venv (seconds): vx's own uv, which makes it in a fraction of that, cannot be had ({})",
                        vx_text::sanitize(&why.to_string())
                    ));
                    Maker::Python
                }
            },
        };
        // A Ctrl-C (SIGINT, SIGTERM, SIGHUP) while it is made ends what makes it.
        let interrupt = vx_base::signals::Interrupt::register().ok();
        let stop = interrupt
            .as_ref()
            .map_or_else(|| std::sync::Arc::new(Default::default()), |i| i.flag());
        let said = make_project(making, &maker, &stop)?;
        notes.borrow_mut().extend(said);
        Ok(())
    };
    let ensured = venv::ensure(&venv, &project, &chain.bin_dirs(), &make)?;
    let mut lines = notes.into_inner();
    match ensured {
        Ensured::Present => {}
        Ensured::Made => lines.push(format!(
            "vx: made the virtual environment {dir} ([settings] python_venv){uv_sync}"
        )),
        Ensured::Remade(why) => lines.push(format!(
            "vx: made the virtual environment {dir} again: {why}; what was installed in it is to install again (uv sync, pip install){uv_sync}"
        )),
    }
    Ok((!lines.is_empty()).then(|| lines.join("\n")))
}

/// What `manifest` declares of the environment (nothing outside a project), its env
/// files read.
pub fn declared(manifest: Option<&Manifest>) -> Result<Declared, EnvFileError> {
    match manifest {
        Some(manifest) => Declared::of(manifest),
        None => Ok(Declared::default()),
    }
}

/// Records `chain`'s activation in `store` when it is complete, with what `manifest`
/// declares of the environment (best effort: a store that cannot be written only
/// means the next call resolves in full again).
pub fn record_activation(
    chain: &Toolchain,
    manifest: Option<&Manifest>,
    sources: Option<&Sources>,
    store: &Path,
) {
    let (Some(manifest), Some(sources)) = (manifest, sources) else {
        return;
    };
    // A project that names env files is never recorded (the record would copy their
    // values): they are not read for it, nor opened at all where no one asked for them
    // (the hook and the shims of a project not trusted).
    if !manifest.environment.env_files.is_empty() {
        return;
    }
    let Ok(declared) = Declared::of(manifest) else {
        return;
    };
    let declared = declared.with_tools(chain.env());
    if let Some(activation) =
        vx_project::toolchain::activation::Activation::of(chain, &declared, sources, store)
    {
        let _ = activation.save(store);
    }
}

/// The labels of `chain`'s tools that are not installed and declare no `bin`: which
/// commands they provide is not known until they are (`vx CMD` says so).
pub fn unknown_commands(chain: &Toolchain) -> Vec<String> {
    chain
        .missing()
        .iter()
        .filter(|t| t.spec.as_ref().is_some_and(|s| s.bin.is_none()))
        .map(|t| t.label())
        .collect()
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // A command that could not run (`vx exec`, `vx CMD`, `vx x`, `vx run`).
    TargetError => |e| {
        use crate::target::TargetError;
        match e {
            TargetError::Toolchain(e) => e.into(),
            TargetError::Project(e) => e.into(),
            TargetError::Session(e) => e.into(),
            TargetError::Exec(e) => e,
            e @ TargetError::NotInstalled(_) => Error::failed(e),
            e @ TargetError::Interrupted => Error::with_code(INTERRUPTED, e),
            e @ TargetError::Install(_) => Error::environment(e),
            e @ (TargetError::Store(_) | TargetError::Network(_) | TargetError::Declared(_)) => {
                Error::usage(e)
            }
        }
    };
    // A registry tool that could not be resolved, installed or run.
    RegistryToolError => |e| {
        use crate::target::RegistryToolError;
        match e {
            RegistryToolError::Session(e) => e.into(),
            RegistryToolError::X(e) => e.into(),
            RegistryToolError::Target(e) => e.into(),
        }
    };
}
