//! `vx registry show NAME` (a package as vx reads it, per platform) and `vx registry
//! update` (the project moves to the standard registry's newest release, recorded in
//! vx.lock): [`vx_ops::registry`].

use std::io::Write;

use vx_base::exit::{Error, OK};
use vx_ops::registry;
use vx_ops::session::{Opening, Want};
use vx_tui::text::sanitize;

use crate::cli::RegistryCommand;

/// Runs `vx registry …`.
pub(crate) fn run(command: RegistryCommand) -> Result<i32, Error> {
    match command {
        RegistryCommand::Show {
            name,
            version,
            json,
            manifest,
        } => show(&name, version.as_deref(), json, manifest.as_deref()),
        RegistryCommand::Update { manifest } => update(manifest.as_deref()),
    }
}

fn show(
    name: &str,
    version: Option<&str>,
    json: bool,
    manifest: Option<&std::path::Path>,
) -> Result<i32, Error> {
    let session = super::open(&Opening::new(manifest, Want::Optional))?;
    let shown = registry::show(&session, name, version, json)?;
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", shown.value)?;
    } else {
        // Sanitized line by line: the lines' own breaks stay line breaks, not `\x0a`.
        for line in shown.text.lines() {
            writeln!(out, "{}", sanitize(line))?;
        }
    }
    Ok(OK)
}

fn update(manifest: Option<&std::path::Path>) -> Result<i32, Error> {
    let session = super::open(&Opening::new(manifest, Want::Project))?;
    let note = |line: &str| vx_base::note!("{line}");
    registry::update(&session, &note)?;
    Ok(OK)
}
