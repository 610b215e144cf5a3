//! `vx sync`: install every tool of a manifest (or the demo's), in parallel, checked
//! against and recorded in `vx.lock`.

use vx::exit::Error;
use vx::project::{LockMode, ProjectSync};
use vx::session::{Opening, Want};

use crate::cli::SyncArgs;

/// Runs `vx sync`; a bad manifest, lock or store is a usage error (exit 2).
pub fn run(args: &SyncArgs) -> Result<i32, Error> {
    let mut settings = super::run_settings(&args.run);
    settings.dump = args.dump.clone();
    settings.allow_unverified = args.install.allow_unverified;
    settings.read_timeout_secs = Some(args.install.read_timeout);
    if args.demo {
        return vx::demo::run(&settings).map_err(Error::environment);
    }
    let explicit = which_manifest(args)?;
    let session = super::open(
        &Opening::new(
            explicit.as_deref().or(args.manifest.as_deref()),
            Want::Project,
        )
        .offline(args.offline)
        .store(args.install.store.as_deref()),
    )?;
    let manifest = session.project().map_err(super::session_error)?;
    settings.network = super::project_network(manifest)?;
    let mode = if args.frozen {
        LockMode::Frozen
    } else if args.locked {
        LockMode::Locked
    } else {
        LockMode::Update
    };
    // The plan refuses a lost provenance unless the resolver allows it.
    let mut resolver = session.on_demand(args.run.quiet);
    resolver.options.verbose = args.run.verbose;
    resolver.options.allow_provenance_loss = args.allow_provenance_loss;
    settings.offline = resolver.options.offline;
    // `--mirror` comes before the environment's, the project's and the user's mirrors.
    settings.network.flag_mirrors = args.mirrors.clone();
    let sync = ProjectSync::plan(manifest, session.catalogue(), mode, &resolver)
        .map_err(super::project_error)?;
    not_here(&sync.plan.not_here);
    if let Some(line) = sync.tell_locked_here() {
        vx::note!("{line}");
    }
    let store = session.prepared_store().map_err(super::session_error)?;
    if settings.offline {
        offline_check(&sync.plan.tools, &store, &settings)?;
    }
    let tried = sync.plan.tools.clone();
    let outcome = sync.run(&store, &settings).map_err(super::project_error)?;
    // `vx sync` tries every tool: what it failed to install is what `vx exec` and
    // `vx run` remember now, nothing older.
    vx::toolchain::failed::Failures::none(&manifest.path).record(&store, &tried, &outcome.failed);
    tell_relocked(&outcome.relocked, manifest);
    super::refresh_shims(&store);
    let mut code = outcome.code;
    if manifest.environment.python_venv.is_some() {
        let made = session
            .own_toolchain(&store)
            .map_err(|e| e.to_string())
            .and_then(|chain| super::make_venv(Some(manifest), &chain));
        if let Err(why) = made {
            vx::note!("vx: {why}");
            code = code.max(1);
        }
    }
    Ok(code)
}

/// The global toolset's manifest when `-g` asks for it, or when no project is found
/// from here and the global toolset exists (said on stderr); `None`: the project's,
/// found as every command finds it.
fn which_manifest(args: &SyncArgs) -> Result<Option<std::path::PathBuf>, Error> {
    use vx::manifest::global;
    if args.global {
        return global::existing().map(Some).ok_or_else(|| {
            Error::usage(format!(
                "no global toolset yet ({}): `vx use -g TOOL` starts one",
                global::path().map_or_else(
                    || "no configuration directory is known".to_owned(),
                    |p| p.display().to_string()
                )
            ))
        });
    }
    if args.manifest.is_some() {
        return Ok(None);
    }
    match vx::manifest::locate(None, &super::cwd()?) {
        Err(vx::manifest::ManifestError::NotFound { .. }) => Ok(global::existing().inspect(|g| {
            vx::note!(
                "vx: no vx.toml here or above: syncing the global toolset ({})",
                g.display()
            );
        })),
        _ => Ok(None),
    }
}

/// Offline, every tool not installed yet must have its bytes on this machine (vx's
/// cache, a `file://` mirror, a `file://` origin): otherwise the sync fails before it
/// starts, naming each tool and what it lacks (exit 1).
fn offline_check(
    tools: &[vx::spec::ToolSpec],
    store: &std::path::Path,
    settings: &vx::sync::Settings,
) -> Result<(), Error> {
    let mirrors = vx::settings::network::load(&settings.network)
        .map_err(|e| Error::usage(vx::exit::Because::new("network settings", e)))?
        .mirrors;
    let missing: Vec<String> = tools
        .iter()
        .filter(|spec| {
            let cfg = vx::config_frame::InstallConfig {
                offline: true,
                ..vx::config_frame::InstallConfig::new((*spec).clone(), store.to_owned())
            };
            vx::install::cached(&cfg).is_none()
                && !vx::install::sources::available_offline(
                    &spec.url,
                    spec.sha256.as_deref(),
                    &mirrors,
                )
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
                vx::net::url::display_url(&spec.url)
            )
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::environment(format!(
        "offline (--offline or VX_OFFLINE=1), and no local copy of {}: {}; `vx bundle import` a bundle of this project (`vx bundle export`), or add a file:// mirror",
        vx_tui::text::count(missing.len() as u64, "download"),
        missing.join(", ")
    )))
}

/// Names the tools whose `os` leaves this platform out: skipped, not failed.
pub fn not_here(tools: &[String]) {
    if !tools.is_empty() {
        vx::note!(
            "vx: not for {}: {} (their `os` leaves it out)",
            vx::manifest::Platform::current(),
            tools.join(", ")
        );
    }
}

/// After a sync that re-locked a tool's other platforms: what it locked, what not.
pub fn tell_relocked(report: &vx::project::LockReport, manifest: &vx::manifest::Manifest) {
    if report.locked.is_empty() && report.failed.is_empty() {
        return;
    }
    let mut platforms: Vec<vx::manifest::Platform> = report
        .locked
        .iter()
        .chain(&report.failed)
        .map(|(_, p)| p.clone())
        .collect();
    platforms.sort();
    platforms.dedup();
    super::lock::warn_same_url(report);
    super::lock::not_locked(
        report,
        &platforms,
        "its entry of the version before stays in vx.lock, marked stale, until `vx lock` succeeds",
    );
    let mut tools: Vec<&str> = report.locked.iter().map(|(t, _)| t.as_str()).collect();
    tools.sort_unstable();
    tools.dedup();
    let mut places: Vec<String> = report.locked.iter().map(|(_, p)| p.to_string()).collect();
    places.sort();
    places.dedup();
    if !tools.is_empty() {
        vx::note!(
            "vx: re-locked {} for {} too: {} keeps every platform it covered",
            tools.join(", "),
            places.join(", "),
            manifest.lock_path().display()
        );
    }
}
