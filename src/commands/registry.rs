//! `vx registry show NAME` (a package as vx reads it, per platform) and `vx registry
//! update` (the project moves to the standard registry's newest release, recorded in
//! vx.lock).

use std::io::Write;

use vx::exit::{Error, OK};
use vx::lock::{Lock, RegistryPin};
use vx::manifest::Platform;
use vx::registry::resolve::{self as aqua, Resolution};
use vx::registry::source::incremental::Route;
use vx::registry::source::{self, Context};
use vx::session::{Opening, Want};
use vx_tui::text::sanitize;

use crate::cli::RegistryCommand;

/// The platforms `show` renders.
const SHOWN: [&str; 6] = [
    "linux-x86_64",
    "linux-aarch64",
    "macos-x86_64",
    "macos-aarch64",
    "windows-x86_64",
    "windows-aarch64",
];

/// Runs `vx registry …`.
pub fn run(command: RegistryCommand) -> Result<i32, Error> {
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
    let net = session.network(json).map_err(super::resolution_error)?;
    let resolver = session.resolver(&net).map_err(super::resolution_error)?;
    let found = resolver.lookup(name).map_err(super::resolution_error)?;
    let candidate = resolver
        .pick(&found, version.unwrap_or("latest"))
        .map_err(super::resolution_error)?;
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
                "bin": vx::resolution::resolver::bins(&d),
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
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{value}")?;
    } else {
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
        // Sanitized line by line: the lines' own breaks stay line breaks, not `\x0a`.
        for line in text.lines() {
            writeln!(out, "{}", sanitize(line))?;
        }
    }
    Ok(OK)
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
    manifest: &vx::manifest::Manifest,
    cx: &Context<'_>,
) -> Result<(), Error> {
    for registry in &manifest.registries {
        let vx::manifest::RegistryWhere::Url(url) = &registry.place else {
            continue;
        };
        let (before, now) =
            source::refetch_url(&registry.name, url, cx).map_err(Error::environment)?;
        let name = sanitize(&registry.name);
        match before {
            Some(before) if before == now => {
                vx::note!("vx: registry `{name}` is unchanged (sha256 {now})")
            }
            Some(before) => vx::note!(
                "vx: registry `{name}` changed: sha256 {before} → {now}; tools resolve through it from now on (`vx upgrade` re-resolves them)"
            ),
            None => vx::note!("vx: registry `{name}` fetched (sha256 {now})"),
        }
    }
    Ok(())
}

fn update(manifest: Option<&std::path::Path>) -> Result<i32, Error> {
    let session = super::open(&Opening::new(manifest, Want::Project))?;
    let manifest = session.project().map_err(super::session_error)?;
    let lock_path = manifest.lock_path();
    let mut lock = Lock::load(&lock_path)
        .map_err(Error::usage)?
        .unwrap_or_default();
    let net = session.network(false).map_err(super::resolution_error)?;
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
    refetch_url_registries(manifest, &cx)?;
    let latest = net
        .github
        .latest_release("aquaproj", "aqua-registry")
        .map_err(Error::environment)?;
    let pinned = lock.registries.get(source::STANDARD_NAME);
    let current = pinned
        .map_or(source::STANDARD_REF, |p| p.git_ref.as_str())
        .to_owned();
    let current_sha256 = pinned.map(|p| p.sha256.clone());
    if latest.tag == current {
        vx::note!("vx: the standard registry is already at its newest release, {current}");
        return Ok(OK);
    }
    // Only what changed since the pinned ref when GitHub's compare allows it.
    let (opened, route) =
        source::incremental::update_standard(&current, current_sha256.as_deref(), &latest.tag, &cx)
            .map_err(Error::environment)?;
    match route {
        Route::Patched { fetched } => vx::note!(
            "vx: {} built from {current} and GitHub's compare of the two ({} fetched, not the whole file)",
            latest.tag,
            vx_tui::text::bytes(fetched)
        ),
        Route::Whole { why } => vx::note!("vx: {} fetched whole: {}", latest.tag, sanitize(&why)),
    }
    lock.registries.insert(
        source::STANDARD_NAME.to_owned(),
        RegistryPin {
            git_ref: latest.tag.clone(),
            sha256: format!("sha256:{}", opened.id.digest),
        },
    );
    lock.write(&lock_path).map_err(super::lock_write_error)?;
    vx::note!(
        "vx: the standard registry moved from {current} to {} (sha256 {}); tools resolve through it from now on (`vx upgrade` re-resolves them)",
        latest.tag,
        opened.id.digest
    );
    Ok(OK)
}
