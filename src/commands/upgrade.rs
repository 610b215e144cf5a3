//! `vx upgrade [TOOL...] [--latest]`: re-resolves registry tools within their
//! constraints (all of them, or those named) and locks the result for every platform
//! the lock covers; `--latest` first moves each constraint in vx.toml to the newest
//! version's major (comments and formatting kept).

use std::sync::Arc;
use vx::exit::{Because, Error};
use vx::lock::Lock;
use vx::manifest::{Manifest, edit};

use vx::resolution::Resolver;
use vx::runtime::catalogue::Catalogue;
use vx::session::{Opening, Want};

use crate::cli::UpgradeArgs;

/// Runs `vx upgrade`.
pub fn run(args: &UpgradeArgs) -> Result<i32, Error> {
    let session = super::open(&Opening::new(args.manifest.as_deref(), Want::Project))?;
    let manifest = session.project().map_err(super::session_error)?.clone();
    // A lock that fails leaves vx.toml (its moved constraints) and vx.lock as they were.
    let snapshot = super::rollback::Snapshot::take(&manifest.path)?;
    snapshot.unless_ok(upgrade(manifest, session.catalogue(), args))
}

/// Upgrades the tools of `manifest` as `args` say.
fn upgrade(
    mut manifest: Manifest,
    catalogue: &Arc<Catalogue>,
    args: &UpgradeArgs,
) -> Result<i32, Error> {
    let lock_path = manifest.lock_path();
    let mut lock = Lock::load(&lock_path)
        .map_err(Error::usage)?
        .unwrap_or_default();
    for name in &args.tools {
        match manifest.tool(name) {
            Some(tool) if tool.registry.is_some() => {}
            Some(_) => {
                return Err(Error::usage(format!(
                    "{name} has a url of its own: change its version in vx.toml"
                )));
            }
            None => return Err(Error::usage(format!("no tool `{name}` in vx.toml"))),
        }
    }
    let chosen: Vec<String> = manifest
        .tools
        .iter()
        .filter(|t| t.registry.is_some())
        .filter(|t| args.tools.is_empty() || args.tools.contains(&t.name))
        .map(|t| t.name.clone())
        .collect();
    if args.latest {
        manifest = move_constraints(&manifest, catalogue, &chosen, &lock)?;
    }
    let before: Vec<(String, Option<String>)> = chosen
        .iter()
        .map(|n| (n.clone(), lock.tools.get(n).map(|e| e.version.clone())))
        .collect();
    // An entry without its constraint is not pinned: it is resolved again.
    for name in &chosen {
        if let Some(entry) = lock.tools.get_mut(name) {
            entry.constraint = None;
        }
    }
    let mut platforms = vx::ops::lock::platforms(&[], &manifest);
    for name in &chosen {
        for held in lock.platforms_of(name) {
            if !platforms.contains(&held) {
                platforms.push(held);
            }
        }
    }
    let options = super::lock_options(&args.run, args.allow_provenance_loss, false);
    let report =
        vx::ops::lock::relock_and_write(&manifest, catalogue, &mut lock, &platforms, &options)
            .map_err(super::lock_error)?;
    super::say::locked(&report, &manifest.lock_path(), &platforms);
    let code = report.code;
    for (name, old) in before {
        let new = lock.tools.get(&name).map(|e| e.version.as_str());
        match (old.as_deref(), new) {
            (Some(old), Some(new)) if old != new => vx::note!("vx: upgraded {name} {old} → {new}"),
            (_, Some(new)) => vx::note!("vx: {name} {new} is the newest its constraint allows"),
            _ => {}
        }
    }
    Ok(code)
}

/// vx.toml with each chosen tool's constraint moved to the newest version's major,
/// written; the manifest re-read.
fn move_constraints(
    manifest: &Manifest,
    catalogue: &Catalogue,
    chosen: &[String],
    lock: &Lock,
) -> Result<Manifest, Error> {
    let net = vx::resolution::Network::from_env(vx::resolution::Options {
        project: manifest.network.clone(),
        ..vx::resolution::Options::from_env(false, false)
    })
    .map_err(super::resolution_error)?;
    let resolver = Resolver::new(&net, Some(manifest), Some(lock), catalogue)
        .map_err(super::resolution_error)?;
    let path = &manifest.path;
    let mut text = vx::bounded_read::read_to_string(path, vx::manifest::MAX_MANIFEST_BYTES)
        .map_err(|e| {
            Error::environment(Because::new(format!("cannot read {}", path.display()), e))
        })?;
    for name in chosen {
        let Some(request) = manifest.tool(name).and_then(|t| t.registry.as_ref()) else {
            continue;
        };
        let found = resolver
            .named(&request.lookup)
            .map_err(super::resolution_error)?;
        let newest = resolver
            .pick_named(&found, "latest")
            .map_err(super::resolution_error)?;
        let constraint = vx::version::major_of(&newest.version);
        if constraint == request.constraint {
            continue;
        }
        let (edited, _) = edit::set_constraint(&text, name, &constraint)
            .map_err(|e| Error::usage(Because::new(path.display().to_string(), e)))?;
        text = edited;
        vx::note!(
            "vx: {name}: constraint {} → {constraint}",
            request.constraint
        );
    }
    let updated = Manifest::parse(path, &text).map_err(Error::usage)?;
    vx::atomic::write(path, text.as_bytes()).map_err(|e| {
        Error::environment(Because::new(format!("cannot write {}", path.display()), e))
    })?;
    Ok(updated)
}
