//! `vx sync`: install every tool of a manifest (or the demo's), in parallel, checked
//! against and recorded in `vx.lock`.

use vx::exit::{Because, Error};
use vx::install::store;
use vx::lock::Lock;
use vx::manifest::Platform;
use vx::project::{self, LockMode, ProjectError};

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
    let manifest = super::manifest(args.manifest.as_deref())?;
    let lock_path = manifest.lock_path();
    let lock = Lock::load(&lock_path).map_err(Error::usage)?;
    let mode = if args.frozen {
        LockMode::Frozen
    } else if args.locked {
        LockMode::Locked
    } else {
        LockMode::Update
    };
    let platform = Platform::current();
    let plan = project::sync_plan(&manifest, lock.as_ref(), &platform, mode).map_err(usage)?;
    let store = store::prepare(args.install.store.clone()).map_err(Error::usage)?;
    settings.first_use = plan.to_lock.clone();
    let label = manifest.path.display().to_string();
    let code = vx::sync::run(&label, &plan.tools, &store, &settings).map_err(Error::environment)?;
    if mode == LockMode::Update {
        let mut lock = lock.unwrap_or_default();
        project::record_installed(&mut lock, &manifest, &platform, &plan, &store);
        lock.retain_listed(&manifest);
        lock.write(&lock_path).map_err(|e| {
            Error::environment(Because::new(
                "the tools were synced but the lock was not written",
                e,
            ))
        })?;
    }
    Ok(code)
}

/// A project error is the user's to fix (exit 2), but for a sync that could not run.
pub fn usage(err: ProjectError) -> Error {
    match err {
        ProjectError::Sync(_) | ProjectError::Scratch(_) => Error::environment(err),
        other => Error::usage(other),
    }
}
