//! `vx add NAME@VERSION --url URL`: one tool table added to (or updated in) `vx.toml`,
//! comments and formatting kept, checked by the strict parser before anything is
//! written, then locked like `vx lock` would.

use vx::exit::{Because, Error};
use vx::lock::Lock;
use vx::manifest::edit::{self, NewTool};
use vx::manifest::{MANIFEST_FILE, Manifest};
use vx::project;

use crate::cli::AddArgs;

/// Runs `vx add`.
pub fn run(args: &AddArgs) -> Result<i32, Error> {
    let (name, version) = super::install::parse_tool_at_version(&args.tool)?;
    let cwd = super::cwd()?;
    let path = match vx::manifest::locate(args.manifest.as_deref(), &cwd) {
        Ok(path) => path,
        Err(vx::manifest::ManifestError::NotFound { .. }) => cwd.join(MANIFEST_FILE),
        Err(e) => return Err(Error::usage(e)),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(Error::usage(Because::new(
                format!("cannot read {}", path.display()),
                e,
            )));
        }
    };
    let tool = NewTool {
        name: name.to_owned(),
        version: version.to_owned(),
        url: args.url.clone(),
        sha256: args.sha256.clone(),
        bin: args.bins.clone(),
    };
    let edited = edit::add(&text, &tool)
        .map_err(|e| Error::usage(Because::new(path.display().to_string(), e)))?;
    let (new_text, added) = edited;
    // Nothing is written unless the result is a valid manifest.
    let manifest = Manifest::parse(&path, &new_text).map_err(Error::usage)?;
    vx::atomic::write(&path, new_text.as_bytes()).map_err(|e| {
        Error::environment(Because::new(format!("cannot write {}", path.display()), e))
    })?;
    let what = if added { "added" } else { "updated" };
    vx::note!("vx: {what} {name} {version} in {}", path.display());

    let lock_path = manifest.lock_path();
    let mut lock = Lock::load(&lock_path)
        .map_err(Error::usage)?
        .unwrap_or_default();
    let platforms = super::lock::platforms(&[], &manifest);
    let settings = super::run_settings(&args.run);
    let report = project::relock(
        &manifest,
        &mut lock,
        &platforms,
        &settings,
        &vx::resolution::Offline,
    )
    .map_err(super::project_error)?;
    lock.write(&lock_path)
        .map_err(|e| Error::environment(Because::new("cannot write the lock", e)))?;
    super::lock::tell(&report, &lock_path, &platforms);
    Ok(report.code)
}
