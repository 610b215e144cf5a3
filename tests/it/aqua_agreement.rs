//! vx's registry resolution against the real aqua (issue 27's acceptance): for every
//! package, tag and platform that `scripts/aqua-agreement` ran aqua for, the URL vx
//! resolves must be the URL aqua downloads, and aqua's "no asset" must be vx's
//! `Unsupported`. A package vx does not support (an unsupported key, type or format)
//! is counted, not failed.
//!
//! Needs files that are not part of the repository (aqua's registry, aqua's output),
//! so it is ignored by default:
//!
//! ```text
//! scripts/aqua-agreement --out /tmp/aqua-urls.json
//! VX_AQUA_REGISTRY=/path/registry.yaml VX_AQUA_URLS=/tmp/aqua-urls.json \
//!     cargo test --test aqua_agreement -- --ignored --nocapture
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use vx_model::manifest::platform::Platform;
use vx_sources::github::hosts::GithubHosts;
use vx_sources::registry::package::{Package, Registry};
use vx_sources::registry::resolve::{Resolution, resolve};

/// aqua's answer when it would download nothing.
const NO_ASSET: &str = "no asset";

fn env_path(var: &str, what: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!(
            "set {var} to {what} (see this file's docs: scripts/aqua-agreement writes the \
             URLs, VX_AQUA_REGISTRY is the registry.yaml they were made from)"
        )
    })
}

fn find<'r>(registry: &'r Registry, name: &str) -> Option<&'r Package> {
    registry
        .packages
        .iter()
        .find(|p| p.full_name().as_deref() == Some(name))
        .or_else(|| {
            registry
                .packages
                .iter()
                .find(|p| p.aliases.iter().any(|a| a.name == name))
        })
}

#[derive(Default)]
struct Tally {
    agree: usize,
    both_none: usize,
    disagree: Vec<String>,
    vx_unsupported: BTreeMap<String, usize>,
    aqua_unknown: usize,
    errors: Vec<String>,
}

#[test]
#[ignore = "needs aqua's output and registry: VX_AQUA_URLS and VX_AQUA_REGISTRY"]
fn vx_resolves_the_urls_aqua_downloads() {
    let registry_path = env_path(
        "VX_AQUA_REGISTRY",
        "a copy of aqua-registry's registry.yaml",
    );
    let urls_path = env_path("VX_AQUA_URLS", "the JSON scripts/aqua-agreement wrote");
    let bytes = std::fs::read(&registry_path).expect("VX_AQUA_REGISTRY is readable");
    let registry = Registry::from_slice(&bytes, Path::new(&registry_path)).unwrap();
    let text = std::fs::read_to_string(&urls_path).expect("VX_AQUA_URLS is readable");
    let aqua: BTreeMap<String, BTreeMap<String, String>> =
        serde_json::from_str(&text).expect("VX_AQUA_URLS holds aqua-urls.py's --json output");
    assert!(!aqua.is_empty(), "VX_AQUA_URLS lists no package");
    let hosts = GithubHosts::default();

    let mut t = Tally::default();
    let mut packages = std::collections::BTreeSet::new();
    for (key, platforms) in &aqua {
        let (name, tag) = key.split_once('@').expect("NAME@TAG keys");
        packages.insert(name);
        let Some(pkg) = find(&registry, name) else {
            t.errors.push(format!("{key}: not in the registry"));
            continue;
        };
        for (platform, want) in platforms {
            let platform: Platform = platform.parse().expect("a vx platform name");
            let at = format!("{key} {platform}");
            if want.starts_with("unknown") {
                t.aqua_unknown += 1;
                continue;
            }
            match resolve(pkg, tag, &platform, &hosts) {
                Err(e) => t.errors.push(format!("{at}: {e}")),
                Ok(Resolution::Download(d)) if d.url == *want => t.agree += 1,
                Ok(Resolution::Download(d)) => t
                    .disagree
                    .push(format!("{at}\n    aqua: {want}\n    vx:   {}", d.url)),
                Ok(Resolution::Unsupported(_)) if want == NO_ASSET => t.both_none += 1,
                Ok(Resolution::Unsupported(reason)) => {
                    let reason = reason.split(": ").skip(1).collect::<Vec<_>>().join(": ");
                    *t.vx_unsupported.entry(reason).or_default() += 1;
                }
            }
        }
    }

    let unsupported: usize = t.vx_unsupported.values().sum();
    eprintln!(
        "{} packages, {} package@tag pairs: {} agree ({} same URL, {} no asset in both), {} \
         disagree, {} vx-unsupported (aqua has a URL), {} aqua errors (skipped), {} vx errors",
        packages.len(),
        aqua.len(),
        t.agree + t.both_none,
        t.agree,
        t.both_none,
        t.disagree.len(),
        unsupported,
        t.aqua_unknown,
        t.errors.len()
    );
    let mut reasons: Vec<_> = t.vx_unsupported.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1));
    for (reason, n) in reasons.iter().take(25) {
        eprintln!("  unsupported x{n}: {reason}");
    }
    for d in &t.disagree {
        eprintln!("DISAGREE {d}");
    }
    for e in &t.errors {
        eprintln!("ERROR {e}");
    }
    assert!(
        t.disagree.is_empty() && t.errors.is_empty(),
        "{} disagreements, {} errors (listed above)",
        t.disagree.len(),
        t.errors.len()
    );
}
