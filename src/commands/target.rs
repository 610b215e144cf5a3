//! The exec target: what `vx exec`, `vx CMD`, `vx x` and `vx run` run a command with
//! (the session, the tools named, the store, whether to install), and the one place
//! that decides what a command needs and whether it is installed ([`Target::ready`]).
//! A helper of those commands, not a command: each of them uses it, none calls
//! another. Running the command in place of vx is [`vx::ops::exec`].

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;

use vx::exit::Error;
use vx::install::store;
use vx::manifest::Manifest;
use vx::ops::exec::{not_here, replace_process};
use vx::project::{LockMode, ProjectError, ProjectSync};
use vx::project_env::Declared;
use vx::session::Session;
use vx::sync::{Settings, Stream};
use vx::toolchain::activation::Sources;
use vx::toolchain::failed::Failures;
use vx::toolchain::{Origin, Request, Tool, Toolchain, search};

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
}

impl Target<'_> {
    /// The project's manifest (or the global toolset's), if any.
    fn manifest(&self) -> Option<&Manifest> {
        self.session.manifest()
    }

    /// Installs what is missing (unless offline) and replaces this process with
    /// `program`; returns only the error that stopped it.
    pub fn exec(&self, program: &OsString, args: &[OsString]) -> Error {
        let chain = super::located_store(self.store)
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
    ) -> Error {
        match self.ready(chain, store, std::slice::from_ref(program)) {
            Ok(chain) => {
                // A virtual environment that cannot be made is said; the command may
                // not need it.
                if let Err(why) = super::make_venv(self.manifest(), &chain) {
                    vx::note!("vx: {why}");
                }
                super::record_activation(&chain, self.manifest(), self.sources, store);
                let declared = match self.declared() {
                    Ok(declared) => declared.with_tools(chain.env()),
                    Err(err) => return err,
                };
                let path =
                    declared.search_path(&chain.bin_dirs(), std::env::var_os("PATH").as_deref());
                let exe = search::find(program, &path);
                if exe.is_none()
                    && let Some(err) = not_here(&chain.not_here, program)
                {
                    return err;
                }
                replace_process(program, args, &path, &declared.changes(), exe)
            }
            Err(err) => err,
        }
    }

    /// The project's toolchain and the tools named on the command line: a version
    /// that vx.toml's URL tools and the store do not answer is resolved as `vx x`
    /// resolves it (the project's registries, then the standard one).
    pub fn toolchain(&self, store: &Path) -> Result<Toolchain, Error> {
        let resolve = vx::resolution::OnDemand {
            options: vx::resolution::Options {
                project: self
                    .manifest()
                    .map(|m| m.network.clone())
                    .unwrap_or_default(),
                ..vx::resolution::Options::from_env(self.offline, false)
            },
            catalogue: std::sync::Arc::clone(self.session.catalogue()),
        };
        self.session
            .toolchain_resolving(self.requests, store, &resolve)
            .map_err(super::toolchain_error)
    }

    /// What the project declares of the environment (nothing outside a project).
    pub fn declared(&self) -> Result<Declared, Error> {
        super::declared(self.manifest())
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
    /// (unless [`Target::not_installing`] says why not), except those whose install
    /// failed before and is remembered ([`vx::toolchain::failed`]): one tool that
    /// cannot install is tried once, not at every command. Then the command runs
    /// when what it needs is installed — the tools named on the command line and
    /// those providing `programs` (a script's: the first word of each of its
    /// commands) — whatever else is missing; each missing tool is said once on
    /// stderr with why. A missing tool the command needs is the error (exit 1), with
    /// why.
    pub fn ready(
        &self,
        mut chain: Toolchain,
        store: &Path,
        programs: &[OsString],
    ) -> Result<Toolchain, Error> {
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
                let store = store::prepare(Some(store.to_path_buf())).map_err(Error::usage)?;
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
                    .map(|(name, reason)| (name, vx_tui::text::sanitize(&reason).into_owned()))
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
        let needed: Vec<String> = missing
            .iter()
            .filter(|t| {
                matches!(t.origin, Origin::Override | Origin::Store)
                    || providers.contains(&t.name.as_str())
            })
            .map(|t| said(t))
            .collect();
        if !needed.is_empty() {
            return Err(Error::failed(format!(
                "not installed: {}",
                needed.join("; ")
            )));
        }
        for tool in &missing {
            vx::note!("vx: running without {}", said(tool));
        }
        Ok(chain)
    }

    /// Syncs the project when one of its tools is missing (leaving out those whose
    /// failure is remembered), then the global toolset and the named versions that
    /// are; progress goes to stderr (stdout is the command's). Returns why each tool
    /// that is still missing failed, when known (remembered failures included), and
    /// remembers the project's new failures.
    fn install(&self, chain: &Toolchain, store: &Path) -> Result<BTreeMap<String, String>, Error> {
        // Outside a project (`vx x`) the children read the user's settings alone.
        let network = match self.manifest() {
            Some(_) => self
                .session
                .checked_network()
                .map_err(|e| Error::usage(vx::exit::Because::new("network settings", e)))?,
            None => Default::default(),
        };
        let settings = Settings {
            report_to: Stream::Stderr,
            width: super::report_width(Stream::Stderr),
            network,
            ..super::run_settings(&crate::cli::RunArgs::headless())
        };
        let missing = chain.missing();
        let mut code = vx::exit::OK;
        let mut why = BTreeMap::new();
        let of = |origin: Origin| -> Vec<&Tool> {
            missing
                .iter()
                .copied()
                .filter(|t| t.origin == origin)
                .collect()
        };
        let catalogue = self.session.catalogue();
        if let Some(manifest) = self.manifest()
            && !of(Origin::Manifest).is_empty()
        {
            let (c, w) = sync_remembering(
                manifest,
                catalogue,
                &of(Origin::Manifest),
                store,
                &settings,
                self.offline,
            )?;
            (code, why) = (c, w);
        }
        if code != vx::exit::INTERRUPTED && !of(Origin::Global).is_empty() {
            let global = super::open(&vx::session::Opening::new(None, vx::session::Want::Global))?;
            if let Some(manifest) = global.manifest() {
                let settings = Settings {
                    network: global
                        .checked_network()
                        .map_err(|e| Error::usage(vx::exit::Because::new("network settings", e)))?,
                    ..settings.clone()
                };
                let (c, w) = sync_remembering(
                    manifest,
                    global.catalogue(),
                    &of(Origin::Global),
                    store,
                    &settings,
                    self.offline,
                )?;
                why.extend(w);
                if code == vx::exit::OK {
                    code = c;
                }
            }
        }
        let named: Vec<_> = missing
            .iter()
            .filter(|t| t.origin == Origin::Override)
            .filter_map(|t| t.spec.clone())
            .collect();
        if code != vx::exit::INTERRUPTED && !named.is_empty() {
            let settings = Settings {
                // No checksum is known for a version the manifest does not pin.
                first_use: named.iter().map(|s| s.name.clone()).collect(),
                ..settings
            };
            let (named_code, failed) =
                vx::sync::run_with_failures("the command line", &named, store, &settings)
                    .map_err(Error::environment)?;
            for (name, reason) in failed {
                why.insert(name, format!("its install failed: {reason}"));
            }
            code = named_code;
        }
        super::refresh_shims(store);
        // A tool that failed is still missing: the caller names it.
        if code == vx::exit::INTERRUPTED {
            Err(Error::with_code(code, "interrupted"))
        } else {
            Ok(why)
        }
    }
}

/// Installs `missing` (tools of `manifest`, the project's or the global toolset's)
/// through the manifest's sync, for a command about to run: a tool whose failure is
/// remembered ([`Failures`]) is left out, and what fails now is remembered. Returns
/// the sync's exit code and why each tool it could not install is missing (`its install
/// failed: …`). A registry tool that cannot be resolved stops the sync, not the
/// command: every missing tool is then said with that reason. A manifest or lock
/// that cannot be used is the error.
fn sync_remembering(
    manifest: &Manifest,
    catalogue: &std::sync::Arc<vx::runtime::catalogue::Catalogue>,
    missing: &[&Tool],
    store: &Path,
    settings: &Settings,
    offline: bool,
) -> Result<(i32, BTreeMap<String, String>), Error> {
    let failures = Failures::load(store, &manifest.path);
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
        return Ok((vx::exit::OK, why));
    }
    let resolver = vx::resolution::OnDemand {
        options: vx::resolution::Options {
            project: manifest.network.clone(),
            ..vx::resolution::Options::from_env(offline, false)
        },
        catalogue: std::sync::Arc::clone(catalogue),
    };
    let mut sync = match ProjectSync::plan(manifest, catalogue, LockMode::Update, &resolver) {
        Ok(sync) => sync,
        Err(ProjectError::Resolution(err)) => {
            let reason = format!("the sync stopped: {err}");
            for tool in missing {
                why.entry(tool.name.clone())
                    .or_insert_with(|| reason.clone());
            }
            return Ok((vx::exit::FAILED, why));
        }
        Err(err) => return Err(super::project_error(err)),
    };
    let remembered: Vec<String> = why.keys().cloned().collect();
    sync.skip(&remembered);
    if let Some(line) = sync.tell_locked_here() {
        vx::note!("{line}");
    }
    let tried = sync.plan.tools.clone();
    let outcome = sync.run(store, settings).map_err(super::project_error)?;
    super::say::relocked(&outcome.relocked, manifest);
    failures.record(store, &tried, &outcome.failed);
    for (name, reason) in outcome.failed {
        why.insert(name, format!("its install failed: {reason}"));
    }
    Ok((outcome.code, why))
}

/// Resolves ([`vx::ops::x`]), installs and runs `tool` (`NAME[@CONSTRAINT]`) with
/// `args`: `vx x`, and `vx TOOL@VERSION`.
pub fn run_registry_tool(
    tool: &str,
    command: Option<&str>,
    args: &[OsString],
    store: Option<&Path>,
    offline: bool,
) -> Error {
    // The project's own tools and registries count, as for `vx exec T@V`.
    let opening = vx::session::Opening::new(None, vx::session::Want::Optional)
        .store(store)
        .offline(offline);
    let prepared = super::open(&opening).and_then(|session| {
        let request = vx::ops::x::Request { tool, command };
        vx::ops::x::prepare(&session, &request).map_err(super::x_error)
    });
    let vx::ops::x::Prepared {
        store,
        chain,
        program,
    } = match prepared {
        Ok(ok) => ok,
        Err(err) => return err,
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
