//! `vx sync`: install every tool of a manifest (or the demo's), in parallel, checked
//! against and recorded in `vx.lock`.

use vx::exit::Error;
use vx::install::store;
use vx::project::{LockMode, ProjectError, ProjectSync};

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
    let mode = if args.frozen {
        LockMode::Frozen
    } else if args.locked {
        LockMode::Locked
    } else {
        LockMode::Update
    };
    let sync = ProjectSync::plan(&manifest, mode).map_err(usage)?;
    let store = store::prepare(args.install.store.clone()).map_err(Error::usage)?;
    sync.run(&store, &settings).map_err(usage)
}

/// A project error is the user's to fix (exit 2), but for a sync that could not run.
pub fn usage(err: ProjectError) -> Error {
    if err.is_usage() {
        Error::usage(err)
    } else {
        Error::environment(err)
    }
}
