//! Lockfiles read per package, on the lockfiles the real tools wrote (tests/data): for
//! each, make.sh re-locked after changing one package's outside dependency and kept the
//! new lockfile under after/; exactly that package must come out as changed.

use super::common::{data, workspace};
use vx_workspace::lockfile::{self, Affected, Kind};
use vx_workspace::{Ecosystem, Workspace};

fn read(path: &str) -> String {
    std::fs::read_to_string(data(path)).unwrap()
}

fn index(ws: &Workspace, name: &str) -> usize {
    ws.packages.iter().position(|p| p.name == name).unwrap()
}

/// The entries `fixture`'s lockfile resolves for `package`, as text.
fn entries(fixture: &str, file: &str, package: &str) -> Vec<String> {
    let ws = workspace(fixture);
    let text = read(&format!("{fixture}/{file}"));
    let kind = Kind::of(file, &text).unwrap();
    let resolved =
        lockfile::resolved(&ws, kind, "", &text).unwrap_or_else(|e| panic!("{fixture}: {e}"));
    resolved[&index(&ws, package)].iter().cloned().collect()
}

/// Which packages changed between the fixture's lockfile and its after/ one.
fn changed(fixture: &str, file: &str) -> Vec<String> {
    let ws = workspace(fixture);
    let before = read(&format!("{fixture}/{file}"));
    let after = read(&format!("{fixture}/after/{file}"));
    let kind = Kind::of(file, &before).unwrap();
    match lockfile::affected(&ws, kind, "", Some(&before), Some(&after)) {
        Affected::Packages(p) => p.into_iter().map(|i| ws.packages[i].name.clone()).collect(),
        other => panic!("{fixture}: {other:?}"),
    }
}

fn mentions(entries: &[String], what: &str) -> bool {
    entries.iter().any(|e| e.contains(what))
}

#[test]
fn pnpm_importers_and_snapshots() {
    let utils = entries("pnpm", "pnpm-lock.yaml", "@acme/utils");
    assert!(
        mentions(&utils, "is-odd@3.0.1") && mentions(&utils, "is-number@6.0.0"),
        "{utils:?}"
    );
    assert!(mentions(&utils, "sha512-"), "with its integrity: {utils:?}");
    let web = entries("pnpm", "pnpm-lock.yaml", "web");
    assert!(
        mentions(&web, "is-number@7.0.0") && !mentions(&web, "is-odd"),
        "{web:?}"
    );
    assert!(
        entries("pnpm", "pnpm-lock.yaml", "@acme/ui").is_empty(),
        "ui has only workspace links"
    );
    assert!(mentions(
        &entries("pnpm", "pnpm-lock.yaml", "//"),
        "turbo@2.11.11"
    ));
    assert_eq!(changed("pnpm", "pnpm-lock.yaml"), ["web"]);
}

#[test]
fn npm_packages_resolve_as_node_does() {
    let a = entries("npm", "package-lock.json", "a");
    assert!(mentions(&a, "node_modules/is-number"), "{a:?}");
    assert!(entries("npm", "package-lock.json", "b").is_empty());
    assert_eq!(changed("npm", "package-lock.json"), ["a"]);
}

#[test]
fn yarn_classic_and_berry() {
    assert!(mentions(
        &entries("yarn1", "yarn.lock", "lib"),
        "is-number@7.0.0"
    ));
    assert!(
        entries("yarn1", "yarn.lock", "app").is_empty(),
        "app depends on the workspace's lib only"
    );
    assert_eq!(changed("yarn1", "yarn.lock"), ["lib"]);
    assert!(mentions(
        &entries("berry", "yarn.lock", "@berry/lib"),
        "is-number@npm:7.0.0"
    ));
    assert!(entries("berry", "yarn.lock", "@berry/app").is_empty());
    assert_eq!(changed("berry", "yarn.lock"), ["@berry/lib"]);
}

#[test]
fn bun_lock() {
    let core = entries("bun", "bun.lock", "core");
    assert!(
        mentions(&core, "is-odd@3.0.1") && mentions(&core, "is-number@6.0.0"),
        "{core:?}"
    );
    assert!(entries("bun", "bun.lock", "server").is_empty());
    assert_eq!(changed("bun", "bun.lock"), ["core"]);
}

#[test]
fn cargo_lock_stops_at_workspace_crates() {
    let util = entries("cargo", "Cargo.lock", "util");
    assert_eq!(util.len(), 1);
    assert!(
        mentions(&util, "itoa 1.0.10") && mentions(&util, "registry+"),
        "{util:?}"
    );
    assert!(
        entries("cargo", "Cargo.lock", "app").is_empty(),
        "util's itoa is util's, not app's"
    );
    assert_eq!(changed("cargo", "Cargo.lock"), ["util"]);
}

#[test]
fn uv_lock_members() {
    let b = entries("uv", "uv.lock", "lib-b");
    assert!(mentions(&b, "\"six\" \"1.16.0\""), "{b:?}");
    assert!(
        entries("uv", "uv.lock", "lib-a").is_empty(),
        "lib-b's six is lib-b's"
    );
    assert_eq!(changed("uv", "uv.lock"), ["lib-b"]);
}

#[test]
fn what_cannot_be_told_selects_the_whole_ecosystem() {
    let ws = workspace("pnpm");
    let before = read("pnpm/pnpm-lock.yaml");
    let old_format = before.replacen("lockfileVersion: '9.0'", "lockfileVersion: '5.4'", 1);
    for (b, a) in [
        (before.as_str(), "importers: ["),
        (before.as_str(), old_format.as_str()),
    ] {
        match lockfile::affected(&ws, Kind::Pnpm, "", Some(b), Some(a)) {
            Affected::Ecosystem { ecosystem, why } => {
                assert_eq!(ecosystem, Ecosystem::Node);
                assert!(why.contains("pnpm-lock.yaml"), "{why}");
            }
            other => panic!("{other:?}"),
        }
    }
    // A lockfile that appears: every package it locks changed.
    let Affected::Packages(all) = lockfile::affected(&ws, Kind::Pnpm, "", None, Some(&before))
    else {
        panic!()
    };
    assert_eq!(all.len(), ws.packages.len());
    assert_eq!(
        Kind::of("yarn.lock", &read("berry/yarn.lock")),
        Some(Kind::Berry)
    );
    assert_eq!(
        Kind::of("yarn.lock", &read("yarn1/yarn.lock")),
        Some(Kind::Yarn)
    );
    assert_eq!(
        Kind::of("Cargo.lock", "").map(Kind::ecosystem),
        Some(Ecosystem::Cargo)
    );
}

#[test]
fn a_package_the_old_lockfile_does_not_lock_is_the_one_changed() {
    let ws = workspace("pnpm");
    let after = read("pnpm/pnpm-lock.yaml");
    // The lockfile before web was added: no importer for it.
    let start = after.find("\n  apps/web:").unwrap();
    let end = after[start + 1..].find("\n\n").unwrap() + start + 1;
    let before = format!("{}{}", &after[..start], &after[end..]);
    let Affected::Packages(changed) =
        lockfile::affected(&ws, Kind::Pnpm, "", Some(&before), Some(&after))
    else {
        panic!()
    };
    let names: Vec<&str> = changed
        .iter()
        .map(|&i| ws.packages[i].name.as_str())
        .collect();
    assert_eq!(names, ["web"]);
}

#[test]
fn truncated_lockfiles_never_panic() {
    for (fixture, file) in [
        ("pnpm", "pnpm-lock.yaml"),
        ("npm", "package-lock.json"),
        ("yarn1", "yarn.lock"),
        ("berry", "yarn.lock"),
        ("bun", "bun.lock"),
        ("cargo", "Cargo.lock"),
        ("uv", "uv.lock"),
    ] {
        let ws = workspace(fixture);
        let text = read(&format!("{fixture}/{file}"));
        let kind = Kind::of(file, &text).unwrap();
        for cut in (0..text.len()).step_by(text.len() / 60 + 1) {
            if let Some(part) = text.get(..cut) {
                // An answer or a reason it cannot tell; never a panic.
                let _ = lockfile::resolved(&ws, kind, "", part);
            }
        }
    }
}
