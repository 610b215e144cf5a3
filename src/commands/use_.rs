//! `vx use [-g] TOOL[@VERSION]... [--url URL …]`: adds the tools to the project's
//! `vx.toml` (with `-g`, to the user's global toolset: the `vx.toml` beside
//! `config.toml`, created when missing), locks them and installs them, in one step,
//! as `mise use` does. The adding is `vx add`'s ([`vx_ops::edit::Edited`]), the locking
//! `vx lock`'s and the installing `vx sync`'s; the shims are refreshed after.
//!
//! Without `-g` and outside any project it refuses (exit 2) and says what to do:
//! `-g` for the global toolset, `vx init` for a project here. A file is not created
//! in whatever directory the user happens to be in (mise does that; a stray vx.toml
//! in a home directory would then be every subdirectory's project).

use vx_base::exit::{Because, Error};
use vx_ops::session::{Opening, Want};
use vx_project::plan::LockMode;

use crate::cli::{RunArgs, UseArgs};

/// Runs `vx use`.
pub(crate) fn run(args: &UseArgs) -> Result<i32, Error> {
    if args.source.url.is_some() && args.tools.len() != 1 {
        return Err(Error::usage(
            "--url names one tool's download: give one NAME@VERSION with it",
        ));
    }
    let path = if args.global {
        let path = vx_model::manifest::global::path().ok_or_else(|| {
            Error::usage(format!(
                "no configuration directory for the global toolset: {}",
                "set XDG_CONFIG_HOME or HOME"
            ))
        })?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                Error::environment(Because::new(format!("cannot create {}", dir.display()), e))
            })?;
        }
        path
    } else {
        let opening =
            Opening::new(args.manifest.as_deref(), Want::Optional).cwd(&super::request::cwd()?);
        match vx_ops::session::locate_editable(&opening)? {
            Some(path) => path,
            None => {
                return Err(Error::usage(format!(
                    "no vx.toml here or in a parent directory: `vx use -g {}` adds to your global toolset ({}), `vx init` starts a project here",
                    args.tools.join(" "),
                    vx_model::manifest::global::path().map_or_else(
                        || "vx.toml beside config.toml".to_owned(),
                        |p| p.display().to_string()
                    )
                )));
            }
        }
    };
    if args.tools.is_empty() {
        return Err(Error::usage("name a tool: vx use NAME[@VERSION]"));
    }
    // A tool that cannot be locked or installed leaves vx.toml and vx.lock as they were.
    let snapshot = super::request::snapshot(&path)?;
    let result = add_and_install(&path, args);
    super::unless_ok(snapshot, result)
}

/// Adds the tools to the manifest at `path`, locks and installs them.
fn add_and_install(path: &std::path::Path, args: &UseArgs) -> Result<i32, Error> {
    let run = focused(&args.run);
    let mut edited = vx_ops::edit::Edited::read(path)?;
    let source = args.source.as_source();
    for tool in &args.tools {
        edited.add(tool, &source, &super::progress)?;
    }
    let options = super::request::lock_options(&run, false, false);
    let written = edited.lock_and_write(&options, &super::progress)?;
    let code = crate::present::edit::written(&written, path, &super::note);
    if code != vx_base::exit::OK {
        return Ok(code);
    }
    let manifest = edited.manifest()?;
    let session = super::open_manifest(manifest, &vx_ops::session::Opening::default())?;
    install(&session, &run)
}

/// How `vx use` reports: it names a tool or two, so piped (no live view) it says what
/// it did, failures and each run's final line, not a line and a row for every tool the
/// project has; `-v`, `--headless` or `--json` ask for the whole report.
fn focused(run: &RunArgs) -> RunArgs {
    use std::io::IsTerminal;
    let mut run = run.clone();
    if !std::io::stdout().is_terminal() && !run.verbose && !run.headless && !run.json {
        run.quiet = true;
    }
    run
}

/// Installs what `manifest` lists and is missing, as `vx sync` would (its lock is
/// fresh by now), then refreshes the shims.
fn install(session: &vx_ops::session::Session, run: &RunArgs) -> Result<i32, Error> {
    let manifest = session.project()?;
    let request = vx_ops::sync::Request {
        mode: LockMode::Update,
        settings: super::run_settings(run),
        quiet: run.quiet,
        verbose: false,
        allow_provenance_loss: false,
        mirrors: Vec::new(),
        remember_failures: false,
    };
    let planned = vx_ops::sync::plan(session, &request)?;
    crate::present::lock::not_here(&planned.not_here, &super::note);
    let report = planned.run()?;
    crate::present::lock::relocked(&report.outcome.relocked, manifest, &super::note);
    super::refresh_shims(&report.store);
    Ok(report.outcome.code)
}
