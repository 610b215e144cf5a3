//! `vx import [FILE]`: the tools of another version manager's files (asdf, mise, nvm,
//! pyenv, aqua; read by [`vx::import`]) looked up in the project's registries and
//! written into vx.toml as short-form `[tools]` entries (as `vx add` writes them;
//! mise's `[env]` into `[env]`), comments and existing entries kept, then locked as
//! `vx lock` would. Each entry gets a line: imported, or skipped and why.

use std::path::{Path, PathBuf};

use vx::exit::{Because, Error};
use vx::import::{self, Format};
use vx::manifest::{MANIFEST_FILE, ManifestError};
use vx::ops::import as op;
use vx_tui::text::sanitize;

use crate::cli::{ImportArgs, RunArgs};

/// Runs `vx import`: exit 0 when it wrote what it could (the entries it skipped said,
/// each with its reason, and counted on stderr), 1 when it skipped entries and wrote
/// nothing, 2 when a file is malformed (nothing written then).
pub fn run(args: &ImportArgs) -> Result<i32, Error> {
    let cwd = super::cwd()?;
    let files = match &args.file {
        Some(file) => vec![(
            file.display().to_string(),
            file.clone(),
            format_of(file, args.format.as_deref())?,
        )],
        None => {
            let found = op::found_in(&cwd);
            if found.is_empty() {
                let names: Vec<&str> = import::KNOWN_FILES.iter().map(|(n, _)| *n).collect();
                return Err(Error::usage(format!(
                    "nothing to import in {}: none of {} is there",
                    cwd.display(),
                    names.join(", ")
                )));
            }
            found
        }
    };
    let path = match vx::manifest::locate(args.manifest.as_deref(), &cwd) {
        Ok(path) => path,
        Err(ManifestError::NotFound { .. }) => cwd.join(MANIFEST_FILE),
        Err(e) => return Err(Error::usage(e)),
    };
    let existing = match vx::bounded_read::read_to_string(&path, vx::manifest::MAX_MANIFEST_BYTES) {
        Ok(text) => Some(text),
        Err(e) if e.is_not_found() => None,
        Err(e) => {
            return Err(Error::usage(Because::new(
                format!("cannot read {}", path.display()),
                e,
            )));
        }
    };
    import_into(&path, existing, &files, args.offline, &args.run)
}

/// FILE's format: `--format` when given, else from its name.
fn format_of(file: &Path, named: Option<&str>) -> Result<Format, Error> {
    match named {
        Some(name) => Format::from_name(name).ok_or_else(|| {
            Error::usage(format!(
                "--format {}: vx imports {}",
                sanitize(name),
                import::FORMAT_NAMES
            ))
        }),
        None => Format::of_file(file).ok_or_else(|| {
            Error::usage(format!(
                "{}: vx cannot tell its kind from its name; pass --format ({})",
                file.display(),
                import::FORMAT_NAMES
            ))
        }),
    }
}

/// Imports `files` into the manifest at `path` (its text `existing`) and locks: every
/// file is read first (a malformed one is exit 2 with nothing written).
fn import_into(
    path: &Path,
    existing: Option<String>,
    files: &[(String, PathBuf, Format)],
    offline: bool,
    run: &RunArgs,
) -> Result<i32, Error> {
    let request = op::Request {
        path,
        existing,
        files,
        offline,
        quiet: run.quiet,
        verbose: run.verbose,
        create: false,
    };
    let edited = op::edit(&request).map_err(super::import_error)?;
    super::say::unreachable(&edited);
    if !edited.write {
        return Ok(super::say::not_imported(&edited)?);
    }
    // A lock that fails leaves vx.toml and vx.lock as they were.
    let snapshot = super::rollback::Snapshot::take(path)?;
    let options = super::lock_options(run, false, offline);
    let locked = op::write_and_lock(&edited, &options).map_err(super::import_write_error)?;
    super::say::imported(&edited)?;
    let code = super::import_locked(locked, &edited, snapshot)?;
    super::say::skipped(edited.failed);
    Ok(code)
}
