//! `vx sync`: install every tool of a manifest (or the demo's), in parallel, checked
//! against and recorded in `vx.lock`.

use vx_base::exit::Error;
use vx_ops::session::{Opening, Want};
use vx_ops::sync;
use vx_project::plan::LockMode;

use crate::cli::SyncArgs;

/// Runs `vx sync`; a bad manifest, lock or store is a usage error (exit 2).
pub(crate) fn run(args: &SyncArgs) -> Result<i32, Error> {
    let mut settings = super::run_settings(&args.run);
    settings.dump = args.dump.clone();
    settings.allow_unverified = args.install.allow_unverified;
    settings.read_timeout_secs = Some(args.install.read_timeout);
    if args.demo {
        return vx_project::demo::run(&settings).map_err(Error::environment);
    }
    // Where the project is searched from, when `-g` or `--manifest` does not say.
    let search = !args.global && args.manifest.is_none();
    let cwd = search.then(super::request::cwd).transpose()?;
    let global = sync::global_toolset(args.global, cwd.as_deref())?;
    if let Some((_, Some(line))) = &global {
        vx_base::note!("{line}");
    }
    let explicit = global.map(|(path, _)| path);
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
    crate::present::lock::not_here(&planned.not_here, &super::note);
    if let Some(line) = &planned.locked_here {
        vx_base::note!("{line}");
    }
    let report = planned.run()?;
    let manifest = session.project()?;
    crate::present::lock::relocked(&report.outcome.relocked, manifest, &super::note);
    super::refresh_shims(&report.store);
    let mut code = report.outcome.code;
    match sync::venv(&session, &report.store, args.run.quiet) {
        Ok(Some(line)) => vx_base::note!("{line}"),
        Ok(None) => {}
        Err(failed) => {
            vx_base::note!("vx: {}", failed.why);
            code = code.max(match failed.interrupted {
                true => vx_base::exit::INTERRUPTED,
                false => vx_base::exit::FAILED,
            });
        }
    }
    Ok(code)
}
