//! `vx remove [-g] NAME`: the tool's table out of `vx.toml` (with `-g`, the global
//! toolset's `vx.toml` that `vx use -g` writes; the rest of the file kept as written)
//! and its entry out of the `vx.lock` beside it.

use vx::exit::{Because, Error, OK};
use vx::lock::Lock;
use vx::manifest::edit;

use crate::cli::RemoveArgs;

/// Runs `vx remove`.
pub fn run(args: &RemoveArgs) -> Result<i32, Error> {
    let path = if args.global {
        let path = vx::manifest::global::path().ok_or_else(|| {
            Error::usage(
                "no configuration directory for the global toolset: set HOME or XDG_CONFIG_HOME",
            )
        })?;
        if !path.is_file() {
            return Err(Error::usage(format!(
                "there is no global toolset ({}); `vx use -g NAME` starts one",
                path.display()
            )));
        }
        path
    } else {
        let cwd = super::cwd()?;
        vx::manifest::locate(args.manifest.as_deref(), &cwd).map_err(Error::usage)?
    };
    let text = vx::bounded_read::read_to_string(&path, vx::manifest::MAX_MANIFEST_BYTES)
        .map_err(|e| Error::usage(Because::new(format!("cannot read {}", path.display()), e)))?;
    let new_text = edit::remove(&text, &args.name)
        .map_err(|e| Error::usage(Because::new(path.display().to_string(), e)))?;
    let snapshot = super::rollback::Snapshot::take(&path)?;
    snapshot.unless_ok(write_both(&path, &new_text, args))
}

/// Writes vx.toml's `new_text` at `path` and the lock beside it without the tool.
fn write_both(path: &std::path::Path, new_text: &str, args: &RemoveArgs) -> Result<i32, Error> {
    vx::atomic::write(path, new_text.as_bytes()).map_err(|e| {
        Error::environment(Because::new(format!("cannot write {}", path.display()), e))
    })?;
    let lock_path = path.with_file_name(vx::manifest::LOCK_FILE);
    if let Some(mut lock) = Lock::load(&lock_path).map_err(Error::usage)?
        && lock
            .tools
            .remove(args.name.rsplit('/').next().unwrap_or(&args.name))
            .is_some()
    {
        lock.write(&lock_path).map_err(super::lock_write_error)?;
    }
    vx::note!("vx: removed {} from {}", args.name, path.display());
    Ok(OK)
}
