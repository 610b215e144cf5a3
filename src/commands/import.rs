//! `vx import [FILE]`: the tools of another version manager's files (asdf, mise, nvm,
//! pyenv, aqua; read by [`vx::import`]) looked up in the project's registries and
//! written into vx.toml as short-form `[tools]` entries (as `vx add` writes them;
//! mise's `[env]` into `[env]`), comments and existing entries kept, then locked as
//! `vx lock` would. Each entry gets a line: imported, or skipped and why. mise's
//! personal `mise.local.toml` goes into the person's `vx.local.toml` beside vx.toml
//! (its tools and variables; its tools locked in `vx.local.lock`), never into the
//! team's files.

use std::path::{Path, PathBuf};

use vx::exit::{Because, Error};
use vx::import::{self, Format};
use vx::manifest::{MANIFEST_FILE, ManifestError, local};
use vx::ops::import::{self as op, Layer};
use vx::session::{Opening, Session};
use vx_tui::text::sanitize;

use crate::cli::ImportArgs;

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
    let (personal, team): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|(_, file, _)| import::is_personal(file));
    // One command: when the person's part fails, the team's part is put back too.
    let snapshot = super::snapshot(&path)?;
    let mut code = vx::exit::OK;
    if !team.is_empty() {
        let existing = read_existing(&path)?;
        let into = Layer::Project;
        code = import_into(&path, existing, &team, into, args, &snapshot)?;
    }
    if let Some((shown, _, _)) = personal.first() {
        let personal_code = personal_layer(&path, shown).and_then(|layer| {
            let existing = read_existing(&layer)?;
            let into = Layer::Personal { project: &path };
            import_into(&layer, existing, &personal, into, args, &snapshot)
        });
        if personal_code.is_err() {
            super::restore(&snapshot);
        }
        code = code.max(personal_code?);
    }
    Ok(code)
}

/// The text of the manifest at `path`, `None` when there is none yet.
fn read_existing(path: &Path) -> Result<Option<String>, Error> {
    match vx::bounded_read::read_to_string(path, vx::manifest::MAX_MANIFEST_BYTES) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(Error::usage(Because::new(
            format!("cannot read {}", path.display()),
            e,
        ))),
    }
}

/// The person's `vx.local.toml` a personal file (`shown`) is imported into: beside the
/// project's vx.toml at `project`, which must exist, since the layer lies over it.
fn personal_layer(project: &Path, shown: &str) -> Result<PathBuf, Error> {
    let Some(layer) = local::beside(project) else {
        return Err(Error::usage(format!(
            "{}: a person's file is imported into vx.local.toml beside a vx.toml, and {} is not named vx.toml",
            sanitize(shown),
            project.display()
        )));
    };
    if !project.is_file() {
        return Err(Error::usage(format!(
            "{}: a person's file is imported into vx.local.toml, a layer over the project's vx.toml, and there is none at {}; import the team's files first (`vx import mise.toml`) or start one with `vx init`",
            sanitize(shown),
            project.display()
        )));
    }
    Ok(layer)
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
    layer: Layer<'_>,
    args: &ImportArgs,
    snapshot: &vx::ops::snapshot::Snapshot,
) -> Result<i32, Error> {
    let request = op::Request {
        path,
        existing,
        layer,
        files,
        quiet: args.run.quiet,
        verbose: args.run.verbose,
        create: false,
    };
    // The names the files write are vx's runtimes and the user's.
    let session = Session::outside(&Opening::default().offline(args.offline));
    let edited = op::edit(&session, &request).map_err(super::import_error)?;
    super::say::unreachable(&edited);
    if !edited.write {
        return Ok(super::say::not_imported(&edited)?);
    }
    // A lock that fails leaves the files as they were (`snapshot`).
    let options = super::lock_options(&args.run, false, args.offline);
    let locked =
        op::write_and_lock(&edited, &options, snapshot).map_err(super::import_write_error)?;
    super::say::imported(&edited)?;
    let code = super::say::import_locked(locked, &edited)?;
    super::say::skipped(edited.failed);
    Ok(code)
}
