//! `vx import [FILE]`: the tools of another version manager's files (asdf, mise, nvm,
//! pyenv, aqua; read by [`vx::import`]) looked up in the project's registries and
//! written into vx.toml as short-form `[tools]` entries (as `vx add` writes them;
//! mise's `[env]` into `[env]`), comments and existing entries kept, then locked as
//! `vx lock` would. Each entry gets a line: imported, or skipped and why.

use std::io::Write;
use std::path::{Path, PathBuf};

use vx::exit::{Because, Error, FAILED, OK};
use vx::import::{self, Format};
use vx::lock::Lock;
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
            let found = found_in(&cwd);
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
    import_into(&path, existing, &files, args.offline, &args.run, false)
}

/// The known files of `dir` ([`import::found_in`]) as `(shown name, path, format)`.
pub fn found_in(dir: &Path) -> Vec<(String, PathBuf, Format)> {
    import::found_in(dir)
        .into_iter()
        .map(|(path, format)| {
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            (name, path, format)
        })
        .collect()
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

/// Imports `files` into the manifest at `path` (its text `existing`; `None`: it is
/// created with [`vx::manifest::edit::starter`] if anything is imported) and locks: what
/// `vx import` and `vx init` share. Every file is read first: a malformed one is
/// exit 2 with nothing written. `create`: a new vx.toml is written even when nothing
/// is imported (`vx init`).
pub fn import_into(
    path: &Path,
    existing: Option<String>,
    files: &[(String, PathBuf, Format)],
    offline: bool,
    run: &RunArgs,
    create: bool,
) -> Result<i32, Error> {
    let request = op::Request {
        path,
        existing,
        files,
        offline,
        quiet: run.quiet,
        verbose: run.verbose,
        create,
    };
    let edited = op::edit(&request).map_err(error)?;
    if edited.unreachable {
        vx::note!(
            "vx: the network failed (nothing answered), so the entries that needed it were skipped and the rest is written; {}",
            vx::resolution::UNREACHABLE_HELP
        );
    }
    let mut out = std::io::stdout().lock();
    if !edited.write {
        // A registry alone is not written.
        for line in edited
            .lines
            .iter()
            .filter(|l| !l.starts_with("imported registry "))
        {
            writeln!(out, "{line}")?;
        }
        writeln!(
            out,
            "nothing imported; {} is unchanged",
            sanitize(&path.display().to_string())
        )?;
        return Ok(if edited.failed > 0 { FAILED } else { OK });
    }
    // A lock that fails leaves vx.toml and vx.lock as they were (none, for `vx init`).
    let snapshot = super::rollback::Snapshot::take(path)?;
    vx::atomic::write(path, edited.text.as_bytes()).map_err(|e| {
        Error::environment(Because::new(format!("cannot write {}", path.display()), e))
    })?;
    if edited.created {
        writeln!(out, "created {}", sanitize(&path.display().to_string()))?;
    }
    for line in &edited.lines {
        writeln!(out, "{line}")?;
    }
    drop(out);
    let mut code = OK;
    if let (Some(manifest), true) = (&edited.manifest, edited.imported > 0) {
        let mut lock = Lock::load(&manifest.lock_path())
            .map_err(Error::usage)?
            .unwrap_or_default();
        let platforms = vx::ops::lock::platforms(&[], manifest);
        let options = super::lock_options(run, false, offline);
        let written = vx::ops::lock::relock_and_write(
            manifest,
            &edited.catalogue,
            &mut lock,
            &platforms,
            &options,
        )
        .map_err(super::lock_error);
        code = match written {
            Ok(report) => {
                super::say::locked(&report, &manifest.lock_path(), &platforms);
                report.code
            }
            // Pins written without their index: the lock waits for the network, and
            // what was written stands.
            Err(e) if edited.unchecked > 0 => {
                vx::note!(
                    "vx: vx.lock is not filled yet: {e}; run `vx lock` when the publishers can be reached"
                );
                OK
            }
            Err(e) => {
                snapshot.restore();
                return Err(e);
            }
        };
        if code != OK {
            snapshot.restore();
        }
    }
    let failed = edited.failed;
    if failed > 0 {
        // What was written stands (`vx init && vx sync` goes on): the skips are said.
        vx::note!(
            "vx: {failed} entr{} skipped (the lines above say why); the rest is written",
            if failed == 1 { "y was" } else { "ies were" }
        );
    }
    Ok(code)
}

/// An import that could not be made, as its exit code says: the files' or vx.toml's
/// fault (exit 2), or the network's.
fn error(e: op::ImportError) -> Error {
    match e {
        op::ImportError::Resolution(e) => super::resolution_error(e),
        e => Error::usage(e),
    }
}
