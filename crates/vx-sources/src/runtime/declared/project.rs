//! Runtime declarations shipped with a project: `.vx/runtimes/NAME.toml` beside its
//! `vx.toml`, and those its registries publish (`[settings] registries = [{ …,
//! runtimes = ["runtimes/corp-jdk.toml"] }]`, [`super::registry`]), in the same format
//! and read by the same strict check as a user's own ([`super::user`]), so a lock
//! naming a company's runtime (`package = "runtime:acme-jdk"`,
//! `"corp:runtime:corp-jdk"`) installs on every machine that checks the project out,
//! not only on those whose user configuration holds the file.
//!
//! Whoever opens a project (its session, the daemon) reads its declarations
//! ([`load`]) into the project's catalogue ([`crate::runtime::catalogue`]), and reads
//! them again only when they changed ([`Sources`]: a long-lived daemon sees a
//! declaration a pull added); through it the project's runtimes are found by name
//! like any other. A broken
//! declaration is an error naming the file (and the line, where TOML knows it) when
//! the project is opened; a built-in name or alias cannot be redefined, and one name
//! declared twice (by `.vx/runtimes/` and a registry, or by two registries) is an
//! error naming both files: which one the project means is not vx's to guess. A
//! project's declaration wins over a user's of the same name: it is what the
//! project's lock was made from.

use std::ffi::OsString;
use std::path::Path;

use super::super::{Runtime, RuntimeError};
use super::Declared;
use super::registry::{self, How};
use super::user;
use vx_base::platform::fs::FileStamp;
use vx_model::lock::Lock;
use vx_model::manifest::Manifest;

/// The directory beside `vx.toml`.
pub(crate) const DIR: &str = ".vx/runtimes";

/// What a project's declarations are read from, to tell a change without reading
/// them: each entry of `.vx/runtimes/` with its stamp, the stamps of vx.toml (which
/// names the registries publishing runtimes) and vx.lock (which pins them), and the
/// entries of the user's own declarations directory (through which the project's
/// other runtime names resolve).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Sources(user::Stamps);

/// The [`Sources`] of the project whose manifest is `manifest` (a few `stat`s).
pub(crate) fn sources(manifest: &Path) -> Sources {
    let stamp = |path: &Path| {
        std::fs::metadata(path)
            .ok()
            .map(|meta| FileStamp::of(&meta))
    };
    let lock = manifest.with_file_name(vx_model::manifest::LOCK_FILE);
    let mut seen = vec![
        (OsString::from("vx.toml"), stamp(manifest)),
        (OsString::from("vx.lock"), stamp(&lock)),
    ];
    let dir = manifest.parent().unwrap_or_else(|| Path::new("")).join(DIR);
    seen.extend(user::stamps(&dir));
    // A separator no file name can be: the user's entries never pass for the project's.
    seen.push((OsString::from("/"), None));
    seen.extend(user::dir().map(|d| user::stamps(&d)).unwrap_or_default());
    Sources(seen)
}

/// Reads the runtime declarations of the project of `manifest`: its registries'
/// `runtimes` (pinned by its lock, fetched as `how` allows), then its `.vx/runtimes/`;
/// `taken`: the names and aliases of vx's own runtimes, which a project cannot
/// redefine. Whoever keeps them (a [`crate::runtime::catalogue::Catalogue`]) tells a
/// change by their [`sources`], taken before this reads anything.
pub(crate) fn load(
    manifest: &Manifest,
    how: &How<'_>,
    taken: &[&str],
) -> Result<Vec<Declared>, RuntimeError> {
    let dir = manifest
        .path
        .parent()
        .unwrap_or_else(|| Path::new(""))
        .join(DIR);
    let local = user::load(&dir, taken)?;
    let mut named: Vec<(String, String)> = Vec::new();
    for runtime in &local {
        let shown = dir
            .join(format!("{}.toml", runtime.name()))
            .display()
            .to_string();
        claim(&mut named, runtime, &shown)?;
    }
    let published = if manifest.registries.iter().any(|r| !r.runtimes.is_empty()) {
        // Its pins; read only for a project whose registries publish runtimes.
        let lock = Lock::load(&manifest.lock_path()).ok().flatten();
        registry::load(manifest, lock.as_ref(), how, taken)?
    } else {
        Vec::new()
    };
    let mut runtimes = Vec::with_capacity(published.len() + local.len());
    for one in published {
        claim(&mut named, &one.runtime, &one.shown)?;
        runtimes.push(one.runtime);
    }
    runtimes.extend(local);
    Ok(runtimes)
}

/// Records `runtime`'s name and aliases as declared by `shown`; one already declared
/// by another file is an error naming both.
fn claim(
    named: &mut Vec<(String, String)>,
    runtime: &Declared,
    shown: &str,
) -> Result<(), RuntimeError> {
    for name in std::iter::once(runtime.name()).chain(runtime.aliases()) {
        if let Some((_, first)) = named.iter().find(|(n, _)| n == name) {
            return Err(RuntimeError::Declaration(format!(
                "{shown}: the name `{name}` is also declared by {first}; a project declares each runtime once (remove one, or rename it)"
            )));
        }
        named.push((name.to_owned(), shown.to_owned()));
    }
    Ok(())
}
