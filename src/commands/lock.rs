//! `vx lock`: record each tool's download per platform in `vx.lock`, downloading what
//! the manifest gives no checksum for; `--check` only says whether that would change
//! anything.

use std::io::Write;

use vx::exit::{Because, Error, FAILED, OK};
use vx::lock::Lock;
use vx::manifest::{Manifest, Platform};
use vx::project;

use crate::cli::LockArgs;

/// The platforms to lock: `explicit` (`--platform`) when given, else the manifest's
/// `[settings] platforms`, else this machine's.
pub fn platforms(explicit: &[Platform], manifest: &Manifest) -> Vec<Platform> {
    if !explicit.is_empty() {
        explicit.to_vec()
    } else if !manifest.platforms.is_empty() {
        manifest.platforms.clone()
    } else {
        vec![Platform::current()]
    }
}

/// Runs `vx lock`.
pub fn run(args: &LockArgs) -> Result<i32, Error> {
    let manifest = super::manifest(args.manifest.as_deref())?;
    let lock_path = manifest.lock_path();
    let existing = Lock::load(&lock_path).map_err(Error::usage)?;
    let platforms = platforms(&args.platforms, &manifest);
    let names: Vec<String> = platforms.iter().map(Platform::to_string).collect();
    if args.check {
        let stale = project::stale(&manifest, existing.as_ref(), &platforms);
        let mut out = std::io::stdout().lock();
        return if existing.is_none() {
            writeln!(out, "{} is missing; run `vx lock`", lock_path.display())?;
            Ok(FAILED)
        } else if stale.is_empty() {
            writeln!(
                out,
                "{} is up to date for {}",
                lock_path.display(),
                names.join(", ")
            )?;
            Ok(OK)
        } else {
            writeln!(
                out,
                "{} is stale for {} ({}); run `vx lock`",
                lock_path.display(),
                stale.join(", "),
                names.join(", ")
            )?;
            Ok(FAILED)
        };
    }
    let mut lock = existing.unwrap_or_default();
    let settings = super::run_settings(&args.run);
    let code =
        project::relock(&manifest, &mut lock, &platforms, &settings).map_err(super::sync::usage)?;
    lock.write(&lock_path)
        .map_err(|e| Error::environment(Because::new("cannot write the lock", e)))?;
    vx::note!(
        "vx: locked {} for {}",
        lock_path.display(),
        names.join(", ")
    );
    Ok(code)
}
