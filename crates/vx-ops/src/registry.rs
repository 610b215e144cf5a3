//! The registries as `vx registry` shows and moves them: a package as vx reads it,
//! per platform ([`show`]), and the project's standard registry moved to its newest
//! release, recorded in vx.lock, its registries named by URL fetched again
//! ([`update`]). Nothing here prints: what there is to say goes to the caller's `note`.

use crate::session::{Session, SessionError};
use vx_engine::resolution::ResolutionError;
use vx_model::lock::{Lock, LockError, RegistryPin};
use vx_model::manifest::{Manifest, Platform};
use vx_sources::github::GithubError;
use vx_sources::registry::resolve::{self as aqua, Resolution};
use vx_sources::registry::source::incremental::Route;
use vx_sources::registry::source::{self, Context, SourceError};

/// The platforms `show` renders.
const SHOWN: [&str; 6] = [
    "linux-x86_64",
    "linux-aarch64",
    "macos-x86_64",
    "macos-aarch64",
    "windows-x86_64",
    "windows-aarch64",
];

/// Why a registry cannot be shown or moved.
#[derive(Debug, thiserror::Error)]
pub enum RegistryOpError {
    /// The package cannot be found or resolved, or the network settings are wrong.
    #[error(transparent)]
    Resolution(#[from] ResolutionError),
    /// No project.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// vx.lock cannot be read (the user's).
    #[error(transparent)]
    LockRead(LockError),
    /// vx.lock cannot be written.
    #[error(transparent)]
    LockWrite(LockError),
    /// A registry cannot be fetched (the network's).
    #[error(transparent)]
    Source(#[from] SourceError),
    /// GitHub does not say which release is the newest (the network's).
    #[error(transparent)]
    Github(#[from] Box<GithubError>),
}

/// A package as vx reads it.
pub struct Shown {
    /// Everything, as `--json` prints it.
    pub value: serde_json::Value,
    /// The same in lines of words (not sanitized).
    pub text: String,
}

/// The package `name` of the registries `session` searches, at `version` (default:
/// the newest), as vx resolves it for each platform it shows.
pub fn show(
    session: &Session,
    name: &str,
    version: Option<&str>,
    json: bool,
) -> Result<Shown, RegistryOpError> {
    let net = session.network(json)?;
    let resolver = session.resolver(&net)?;
    let found = resolver.lookup(name)?;
    let candidate = resolver.pick(&found, version.unwrap_or("latest"))?;
    let mut platforms = serde_json::Map::new();
    let mut lines = Vec::new();
    for platform in SHOWN {
        let platform: Platform = platform.parse().expect("a known platform");
        let value = match aqua::resolve(&found.package, &candidate.tag, &platform, net.hosts()) {
            Err(e) => serde_json::json!({ "error": e.to_string() }),
            Ok(Resolution::Unsupported(reason)) => serde_json::json!({ "unsupported": reason }),
            Ok(Resolution::Download(d)) => serde_json::json!({
                "url": d.url,
                "asset": d.asset,
                "format": d.format.map(|f| f.name()),
                "bin": vx_engine::resolution::resolver::bins(&d),
                "checksum_file": d.checksum.as_ref().map(|c| c.url.clone()),
                "emulated": d.emulated,
            }),
        };
        lines.push(format!("  {platform}: {}", describe(&value)));
        platforms.insert(platform.to_string(), value);
    }
    let value = serde_json::json!({
        "package": found.qualified_name(),
        "tool": found.short_name,
        "registry": {
            "name": found.registry.name,
            "ref": found.registry.git_ref,
            "sha256": found.registry.digest,
        },
        "unsupported": found.unsupported,
        "description": found.package.description,
        "version": candidate.version,
        "tag": candidate.tag,
        "platforms": platforms,
    });
    let mut text = format!(
        "{} ({}) {} (tag {})\n",
        found.short_name,
        found.qualified_name(),
        candidate.version,
        candidate.tag
    );
    if let Some(about) = &found.package.description {
        text.push_str(&format!("  {about}\n"));
    }
    if let Some(reason) = &found.unsupported {
        text.push_str(&format!("  not installable by vx: {reason}\n"));
    }
    for line in lines {
        text.push_str(&line);
        text.push('\n');
    }
    Ok(Shown { value, text })
}

/// One platform of `show` in words.
fn describe(value: &serde_json::Value) -> String {
    if let Some(reason) = value.get("unsupported").and_then(|v| v.as_str()) {
        return format!("unsupported: {reason}");
    }
    if let Some(error) = value.get("error").and_then(|v| v.as_str()) {
        return format!("error: {error}");
    }
    let get = |k: &str| value.get(k).and_then(|v| v.as_str()).unwrap_or("?");
    let bins: Vec<&str> = value
        .get("bin")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|b| b.as_str()).collect())
        .unwrap_or_default();
    let mut text = format!(
        "{} [{}] bin: {}",
        get("url"),
        get("format"),
        bins.join(", ")
    );
    if let Some(file) = value.get("checksum_file").and_then(|v| v.as_str()) {
        text.push_str(&format!(" checksum: {file}"));
    }
    if let Some(how) = value.get("emulated").and_then(|v| v.as_str()) {
        text.push_str(&format!(" ({how})"));
    }
    text
}

/// Fetches each of the project's registries named by URL again (they are fetched once
/// and kept otherwise), saying for each whether it changed.
fn refetch_url_registries(
    manifest: &Manifest,
    cx: &Context<'_>,
    note: &dyn Fn(&str),
) -> Result<(), RegistryOpError> {
    for registry in &manifest.registries {
        let vx_model::manifest::RegistryWhere::Url(url) = &registry.place else {
            continue;
        };
        let (before, now) = source::refetch_url(&registry.name, url, cx)?;
        let name = vx_text::sanitize(&registry.name);
        match before {
            Some(before) if before == now => note(&format!(
                "vx: registry `{name}` is unchanged (sha256 {now})"
            )),
            Some(before) => note(&format!(
                "vx: registry `{name}` changed: sha256 {before} → {now}; tools resolve through it from now on (`vx upgrade` re-resolves them)"
            )),
            None => note(&format!("vx: registry `{name}` fetched (sha256 {now})")),
        }
    }
    Ok(())
}

/// Moves the project's standard registry to its newest release (only what changed
/// since the pinned one is fetched when GitHub's compare allows it), recorded in
/// vx.lock; its registries named by URL are fetched again first. What happens goes to
/// `note`.
pub fn update(session: &Session, note: &dyn Fn(&str)) -> Result<(), RegistryOpError> {
    let manifest = session.project()?;
    let lock_path = manifest.lock_path();
    let mut lock = Lock::load(&lock_path)
        .map_err(RegistryOpError::LockRead)?
        .unwrap_or_default();
    let net = session.network(false)?;
    let cx = Context {
        cache_dir: net.cache_dir.clone(),
        project_dir: manifest
            .path
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default(),
        github: net.hosts().clone(),
        offline: false,
        fetcher: &net,
        progress: &*net.say,
    };
    refetch_url_registries(manifest, &cx, note)?;
    let latest = net
        .github
        .latest_release("aquaproj", "aqua-registry")
        .map_err(Box::new)?;
    let pinned = lock.registries.get(source::STANDARD_NAME);
    let current = pinned
        .map_or(source::STANDARD_REF, |p| p.git_ref.as_str())
        .to_owned();
    let current_sha256 = pinned.map(|p| p.sha256.clone());
    if latest.tag == current {
        note(&format!(
            "vx: the standard registry is already at its newest release, {current}"
        ));
        return Ok(());
    }
    // Only what changed since the pinned ref when GitHub's compare allows it.
    let (opened, route) = source::incremental::update_standard(
        &current,
        current_sha256.as_deref(),
        &latest.tag,
        &cx,
    )?;
    match route {
        Route::Patched { fetched } => note(&format!(
            "vx: {} built from {current} and GitHub's compare of the two ({} fetched, not the whole file)",
            latest.tag,
            vx_text::bytes(fetched)
        )),
        Route::Whole { why } => note(&format!(
            "vx: {} fetched whole: {}",
            latest.tag,
            vx_text::sanitize(&why)
        )),
    }
    lock.registries.insert(
        source::STANDARD_NAME.to_owned(),
        RegistryPin {
            git_ref: latest.tag.clone(),
            sha256: format!("sha256:{}", opened.id.digest),
        },
    );
    lock.write(&lock_path).map_err(RegistryOpError::LockWrite)?;
    note(&format!(
        "vx: the standard registry moved from {current} to {} (sha256 {}); tools resolve through it from now on (`vx upgrade` re-resolves them)",
        latest.tag, opened.id.digest
    ));
    Ok(())
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // A registry that cannot be shown or moved.
    RegistryOpError => |e| {
        use crate::registry::RegistryOpError;
        match e {
            RegistryOpError::Resolution(e) => e.into(),
            RegistryOpError::Session(e) => e.into(),
            RegistryOpError::LockRead(e) => Error::usage(e),
            RegistryOpError::LockWrite(e) => e.into(),
            e @ (RegistryOpError::Source(_) | RegistryOpError::Github(_)) => {
                Error::environment(e)
            }
        }
    };
}
