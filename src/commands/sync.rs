//! `vx sync`: install every tool of a manifest (or the demo's), in parallel, checked
//! against and recorded in `vx.lock`.

use vx_base::exit::Error;
use vx_ops::session::{Opening, Want};
use vx_ops::sync;
use vx_project::plan::LockMode;

use crate::cli::SyncArgs;

/// Runs `vx sync`; a bad manifest, lock or store is a usage error (exit 2).
pub fn run(args: &SyncArgs) -> Result<i32, Error> {
    let mut settings = super::run_settings(&args.run);
    settings.dump = args.dump.clone();
    settings.allow_unverified = args.install.allow_unverified;
    settings.read_timeout_secs = Some(args.install.read_timeout);
    if args.demo {
        return vx_project::demo::run(&settings).map_err(Error::environment);
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
    let request = sync::Request {
        mode: if args.frozen {
            LockMode::Frozen
        } else if args.locked {
            LockMode::Locked
        } else {
            LockMode::Update
        },
        settings,
        quiet: args.run.quiet,
        verbose: args.run.verbose,
        allow_provenance_loss: args.allow_provenance_loss,
        mirrors: args.mirrors.clone(),
        remember_failures: true,
    };
    let planned = sync::plan(&session, &request)?;
    vx::present::lock::not_here(&planned.not_here, &super::note);
    if let Some(line) = &planned.locked_here {
        vx_base::note!("{line}");
    }
    let report = planned.run()?;
    let manifest = session.project()?;
    vx::present::lock::relocked(&report.outcome.relocked, manifest, &super::note);
    super::refresh_shims(&report.store);
    let mut code = report.outcome.code;
    if manifest.environment.python_venv.is_some() {
        let made = session
            .own_toolchain(&report.store)
            .map_err(|e| (e.to_string(), false))
            .and_then(|chain| {
                let network = session.options(args.run.quiet);
                vx_ops::target::ensure_venv(Some(manifest), &chain, &report.store, &network)
                    .map_err(|e| {
                        let interrupted = matches!(
                            e,
                            vx_model::project_env::venv::VenvError::Interrupted { .. }
                        );
                        (e.to_string(), interrupted)
                    })
            });
        match made {
            Ok(Some(line)) => vx_base::note!("{line}"),
            Ok(None) => {}
            Err((why, interrupted)) => {
                vx_base::note!("vx: {why}");
                code = code.max(if interrupted {
                    vx_base::exit::INTERRUPTED
                } else {
                    1
                });
            }
        }
    }
    Ok(code)
}

/// The global toolset's manifest when `-g` asks for it, or when no project is found
/// from here and the global toolset exists (said on stderr); `None`: the project's,
/// found as every command finds it.
fn which_manifest(args: &SyncArgs) -> Result<Option<std::path::PathBuf>, Error> {
    use vx_model::manifest::global;
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
    let opening = Opening::new(None, Want::Optional).cwd(&super::request::cwd()?);
    match vx_ops::session::locate(&opening) {
        Ok(None) => Ok(global::existing().inspect(|g| {
            vx_base::note!(
                "vx: no vx.toml here or above: syncing the global toolset ({})",
                g.display()
            );
        })),
        _ => Ok(None),
    }
}
