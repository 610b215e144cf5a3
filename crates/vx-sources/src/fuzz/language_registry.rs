//! Arbitrary bytes as a language registry's document or a package manager's
//! configuration, the first byte choosing which, each read as `vx` reads it:
//!
//! 0. an npm packument (`backend::npm::Packument`, as `resolution::backend` parses
//!    it), then each version's commands, platforms and candidates;
//! 1. an npm version document (`backend::npm::VersionDoc`), the same;
//! 2. a PyPI project page, JSON (PEP 691) or HTML (PEP 503)
//!    (`backend::pypi::parse_page`), then each file's wheel tags and version;
//! 3. an `.npmrc` (`backend::npmrc::Npmrc::read`), then the registry and token for
//!    a scoped and an unscoped package;
//! 4. a `pip.conf` (`backend::pipconf::index_url`, `split_credentials`).
//!
//! Nothing may panic or hang; a page's file URLs are absolute, a registry URL has no
//! credentials left in it once they are split off.

use crate::backend::npm::{self, Packument, Target, VersionDoc};
use crate::backend::npmrc::Npmrc;
use crate::backend::{pipconf, pypi};

/// The npm platforms vx installs for.
fn targets() -> Vec<Target> {
    [
        ("linux", "x86_64", false),
        ("linux", "aarch64", true),
        ("macos", "aarch64", false),
        ("windows", "x86_64", false),
    ]
    .iter()
    .filter_map(|(os, arch, musl)| Target::of(os, arch, *musl))
    .collect()
}

/// What vx asks of one version's document.
fn version_doc(doc: &VersionDoc) {
    let _ = doc.commands();
    let _ = npm::unscoped(&doc.name);
    for target in targets() {
        let _ = doc.is_for(&target);
        for (name, range) in npm::candidates(doc, &target) {
            let _ = npm::exact(range);
            let _ = npm::version_url("https://registry.npmjs.org", name, range);
        }
    }
    for range in doc.optional_dependencies.values() {
        let _ = npm::exact(range);
    }
}

/// No environment: `${VAR}` in an `.npmrc` expands to nothing.
fn no_env(_: &str) -> Option<String> {
    None
}

/// The target's bytes, read as this module's docs say.
pub fn language_registry(data: &[u8]) {
    let Some((which, text)) = super::choice_and_text(data) else {
        return;
    };
    match which % 5 {
        0 => {
            if let Ok(doc) = serde_json::from_str::<Packument>(text) {
                let _ = npm::packument_url("https://registry.npmjs.org", &doc.name);
                for version in doc.versions.values() {
                    version_doc(version);
                }
            }
        }
        1 => {
            if let Ok(doc) = serde_json::from_str::<VersionDoc>(text) {
                version_doc(&doc);
            }
        }
        2 => {
            let page = "https://pypi.org/simple/ruff/";
            if let Ok(files) = pypi::parse_page(page, text) {
                for file in &files {
                    assert!(file.url.contains("://"), "url {:?}", file.url);
                    if let Some(wheel) = pypi::Wheel::parse(&file.filename) {
                        let _ = wheel.is_native_program();
                        for target in targets() {
                            let _ = wheel.fit(&target);
                        }
                    }
                    if let Some(version) = pypi::version_of(&file.filename, "ruff") {
                        let _ = pypi::is_prerelease(&version);
                    }
                }
            }
        }
        3 => {
            let mut rc = Npmrc::default();
            rc.read(text, &no_env);
            for package in ["@esbuild/linux-x64", "prettier"] {
                let registry = rc.registry_for(package);
                let _ = rc.auth_for(&npm::packument_url(&registry.url, package));
            }
            let _ = rc.auth_prefixes();
        }
        _ => {
            if let Some(url) = pipconf::index_url(text) {
                let registry = pipconf::split_credentials(&url);
                if registry.authorization.is_some() {
                    let authority = registry.url.split_once("://").map_or("", |(_, r)| r);
                    let authority = authority.split('/').next().unwrap_or("");
                    assert!(
                        !authority.contains('@'),
                        "credentials left in {:?}",
                        registry.url
                    );
                }
            }
        }
    }
}
