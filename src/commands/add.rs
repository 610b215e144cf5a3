//! `vx add NAME[@CONSTRAINT]`: a registry tool added to (or its constraint changed in)
//! `vx.toml` as `NAME = "CONSTRAINT"`; `vx add NAME@VERSION --url URL`: a tool table of
//! its own (`vx add NAME@VERSION` alone then moves it to another version, its URL
//! kept). Comments and formatting are kept, the result is checked by the strict
//! parser, then locked for every configured platform like `vx lock` would; vx.toml and
//! vx.lock are written only when the new tool could be locked (a failed add leaves both
//! as they were).

use vx_base::exit::Error;
use vx_model::manifest::MANIFEST_FILE;

use vx_ops::edit::Edited;
use vx_ops::session::{Opening, Want};

use crate::cli::AddArgs;

/// Runs `vx add`.
pub(crate) fn run(args: &AddArgs) -> Result<i32, Error> {
    let cwd = super::request::cwd()?;
    let opening = Opening::new(args.manifest.as_deref(), Want::Optional).cwd(&cwd);
    let path =
        vx_ops::session::locate_editable(&opening)?.unwrap_or_else(|| cwd.join(MANIFEST_FILE));
    let snapshot = super::request::snapshot(&path)?;
    let result = add(&path, args);
    super::unless_ok(snapshot, result)
}

/// Adds the tool to the manifest at `path`, locks it and writes both.
fn add(path: &std::path::Path, args: &AddArgs) -> Result<i32, Error> {
    let mut edited = Edited::read(path)?;
    edited.add(&args.tool, &args.source.as_source(), &super::progress)?;
    let options = super::request::lock_options(&args.run, false, false);
    let written = edited.lock_and_write(&options, &super::progress)?;
    Ok(crate::present::edit::written(&written, path, &super::note))
}
