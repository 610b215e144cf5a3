//! `vx import [FILE]`: the tools of another version manager's files (asdf, mise, nvm,
//! pyenv, aqua; read by [`vx_model::import`]) looked up in the project's registries and
//! written into vx.toml as short-form `[tools]` entries (as `vx add` writes them;
//! mise's `[env]` into `[env]`), comments and existing entries kept, then locked as
//! `vx lock` would. Each entry gets a line: imported, or skipped and why. mise's
//! personal `mise.local.toml` goes into the person's `vx.local.toml` beside vx.toml
//! (its tools and variables; its tools locked in `vx.local.lock`), never into the
//! team's files.

use std::path::{Path, PathBuf};

use vx_base::exit::Error;
use vx_model::import::Format;
use vx_ops::import::{self as op, Layer};
use vx_ops::session::{Opening, Session};

use crate::cli::ImportArgs;

/// Runs `vx import`: exit 0 when it wrote what it could (the entries it skipped said,
/// each with its reason, and counted on stderr), 1 when it skipped entries and wrote
/// nothing, 2 when a file is malformed (nothing written then).
pub(crate) fn run(args: &ImportArgs) -> Result<i32, Error> {
    let cwd = super::request::cwd()?;
    let file = args.file.as_deref();
    let plan = op::plan(&cwd, file, args.format.as_deref(), args.manifest.as_deref())
        .map_err(Error::usage)?;
    let path = &plan.path;
    // One command: when the person's part fails, the team's part is put back too.
    let snapshot = super::request::snapshot(path)?;
    let mut code = vx_base::exit::OK;
    if !plan.team.is_empty() {
        let existing = op::existing(path).map_err(Error::usage)?;
        let into = Layer::Project;
        code = import_into(path, existing, &plan.team, into, args, &snapshot)?;
    }
    if let Some((shown, _, _)) = plan.personal.first() {
        let personal_code = op::personal_layer(path, shown)
            .and_then(|layer| Ok((op::existing(&layer)?, layer)))
            .map_err(Error::usage)
            .and_then(|(existing, layer)| {
                let into = Layer::Personal { project: path };
                import_into(&layer, existing, &plan.personal, into, args, &snapshot)
            });
        if personal_code.is_err() {
            super::restore(&snapshot);
        }
        code = code.max(personal_code?);
    }
    Ok(code)
}

/// Imports `files` into the manifest at `path` (its text `existing`) and locks: every
/// file is read first (a malformed one is exit 2 with nothing written).
fn import_into(
    path: &Path,
    existing: Option<String>,
    files: &[(String, PathBuf, Format)],
    layer: Layer<'_>,
    args: &ImportArgs,
    snapshot: &vx_ops::snapshot::Snapshot,
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
    let mut edited = op::edit(&session, &request)?;
    if let Some((text, code)) = crate::present::import::unwritten(&edited, &super::note) {
        super::print(&text)?;
        return Ok(code);
    }
    // A lock that fails leaves the files as they were (`snapshot`).
    let options = super::request::lock_options(&args.run, false, args.offline);
    let locked = op::write_and_lock(&mut edited, &options, snapshot)?;
    // Said once it stands: a lock that failed put the files back.
    if locked.kept() {
        super::print(&crate::present::import::imported(&edited))?;
    }
    crate::present::import::settled(locked, &edited, &super::note)
}
