//! Runtime tools: a language-registry package that runs on its runtime (`npm:prettier`
//! on node, `pypi:black` on python) is installed into an environment of its own, made
//! with the project's runtime, from a dependency set pinned at lock time by the
//! registries' own hashes. This file holds what the resolver hands the installer (the
//! [`Plan`], carried in the tool's `options` under [`OPTION`]) and the package
//! managers' formats vx reads and writes: npm's `package-lock.json` (v3, npm's
//! `docs/lib/content/configuring-npm/package-lock-json.md`) and pip's hash-checking
//! requirements (`name==version --hash=sha256:HEX`, pip's "Secure installs" in
//! `docs/html/topics/secure-installs.md`).
//!
//! - npm: the lockfile is npm's own, made by vx's npm at lock time (`npm install
//!   --package-lock-only --ignore-scripts`), its `resolved` URLs at the registry
//!   dropped (npm fetches `name@version` from the registry configured at install,
//!   and checks each tarball against the lockfile's `integrity`), so the lock names
//!   no machine's mirror; installed with `npm ci --ignore-scripts`, scripts run only
//!   for the packages `allow_builds` names (`npm rebuild PKG…`).
//! - PyPI: the set is resolved by vx's python's own pip (`pip install --dry-run
//!   --report`): pip ships inside every python vx installs, so nothing else is
//!   fetched to resolve; each pinned version lists the sha256 of every file the index
//!   has of it, so the one list installs on every platform the index has wheels for.
//!   Installed into a venv with `pip install --require-hashes --no-deps`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The key of a tool's `options` that carries its [`Plan`].
pub const OPTION: &str = "environment";

/// The key of an npm runtime tool's `options` naming the project folder whose
/// `.npmrc` (with the user's) gives npm its registries and tokens at install: a path,
/// never a secret (the installer reads the tokens itself), and not compared by a
/// receipt (`crate::install::store::without_build_runtime`).
pub const NPMRC_DIR: &str = "vx_npmrc_dir";

/// The user's option naming the packages whose install scripts may run (mise's
/// `allow_builds`), a key of its table, `allow_builds = ["esbuild"]`, carried among
/// its options.
pub const ALLOW_BUILDS: &str = "allow_builds";

/// Which package manager builds the environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Manager {
    /// node's npm: `npm ci`.
    Npm,
    /// python's pip in a venv.
    Pip,
}

/// What the installer needs to build a runtime tool's environment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The package manager.
    pub manager: Manager,
    /// The package (`prettier`, `black`), as its registry names it.
    pub package: String,
    /// Its version.
    pub version: String,
    /// The project's runtime tool (`node`, `python`) and the version locked.
    pub runtime: String,
    /// The runtime's version.
    pub runtime_version: String,
    /// The registry or index URL (as configured, before `url_replacements`).
    pub registry: String,
    /// The manager's lockfile text.
    pub lockfile: String,
    /// Packages whose install scripts run.
    #[serde(default)]
    pub allow_builds: Vec<String>,
}

impl Plan {
    /// The plan `options` carries, if any.
    pub fn of(
        options: &BTreeMap<String, serde_json::Value>,
    ) -> Option<Result<Plan, serde_json::Error>> {
        let value = options.get(OPTION)?;
        Some(serde_json::from_value(value.clone()))
    }
}

/// Why a package manager's file (npm's lockfile, pip's report) is not one vx keeps. A
/// URL with credentials is named by its package's path, never written out.
#[derive(Debug, thiserror::Error)]
pub enum ManagerFileError {
    /// npm's lockfile is no JSON.
    #[error("npm's package-lock.json: {0}")]
    NpmLockfile(#[source] serde_json::Error),
    /// npm's lockfile is of a version without `packages`.
    #[error("npm's package-lock.json has no `packages` (lockfileVersion 2 or 3 expected)")]
    NoPackages,
    /// A package (its path in the lockfile) is a link.
    #[error("{0}: a linked package cannot be pinned by hash")]
    Linked(String),
    /// A package (its path in the lockfile) has no sha512 `integrity`.
    #[error("{0}: npm recorded no sha512 integrity")]
    NoIntegrity(String),
    /// A package's (its path in the lockfile) `resolved` URL carries credentials.
    #[error("{0}: its URL holds credentials (user:password@), which a lock never records")]
    Credentials(String),
    /// pip's installation report is not the JSON vx reads.
    #[error("pip's installation report: {0}")]
    PipReport(#[source] serde_json::Error),
}

/// The `package.json` of a tool's environment: one dependency, exact.
pub fn npm_package_json(package: &str, version: &str) -> String {
    let doc = serde_json::json!({
        "name": "vx-tool-environment",
        "private": true,
        "dependencies": { package: version },
    });
    format!("{doc:#}\n")
}

/// npm's lockfile as vx keeps it: `resolved` dropped where it is a tarball of one of
/// `registries` (the default and scoped ones, as configured, and as `url_replacements`
/// sent them), so the lock names no mirror (npm fetches `name@version` from the
/// registry configured where it installs); refused when a package has no sha512
/// `integrity` or a URL carries credentials. Returns the text and the `(path,
/// integrity)` of each package.
pub fn npm_lockfile(
    text: &str,
    registries: &[String],
) -> Result<(String, Vec<(String, String)>), ManagerFileError> {
    let mut doc: serde_json::Value =
        serde_json::from_str(text).map_err(ManagerFileError::NpmLockfile)?;
    let packages = doc
        .get_mut("packages")
        .and_then(|p| p.as_object_mut())
        .ok_or(ManagerFileError::NoPackages)?;
    let mut pinned = Vec::new();
    for (path, entry) in packages.iter_mut() {
        if path.is_empty() {
            continue;
        }
        let Some(entry) = entry.as_object_mut() else {
            continue;
        };
        if entry.get("link").and_then(|l| l.as_bool()) == Some(true) {
            return Err(ManagerFileError::Linked(path.clone()));
        }
        let integrity = entry
            .get("integrity")
            .and_then(|i| i.as_str())
            .filter(|i| i.starts_with("sha512-"))
            .ok_or_else(|| ManagerFileError::NoIntegrity(path.clone()))?
            .to_owned();
        if let Some(resolved) = entry.get("resolved").and_then(|r| r.as_str()) {
            if crate::validate::has_userinfo(resolved) {
                return Err(ManagerFileError::Credentials(path.clone()));
            }
            let at = |base: &str| resolved.starts_with(&format!("{}/", base.trim_end_matches('/')));
            if registries.iter().any(|r| at(r)) || at("https://registry.npmjs.org") {
                entry.remove("resolved");
            }
        }
        pinned.push((path.clone(), integrity));
    }
    Ok((format!("{doc:#}\n"), pinned))
}

/// One pinned distribution: `name==version` and the sha256 of each of its files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pin {
    /// Its name, normalized (PEP 503).
    pub name: String,
    /// Its version.
    pub version: String,
    /// The sha256 of each of its files on the index, sorted.
    pub sha256: Vec<String>,
}

/// pip's hash-checking requirements for `pins`.
pub fn requirements(pins: &[Pin]) -> String {
    let mut out = String::from("# vx: the whole dependency set, pinned by the index's sha256\n");
    for pin in pins {
        out.push_str(&format!("{}=={}", pin.name, pin.version));
        for hash in &pin.sha256 {
            out.push_str(&format!(" \\\n    --hash=sha256:{hash}"));
        }
        out.push('\n');
    }
    out
}

/// The pins of requirements [`requirements`] wrote (lines that are not `name==version`
/// with `--hash=sha256:` options are skipped).
pub fn pins_of(text: &str) -> Vec<Pin> {
    let joined = text.replace("\\\n", " ");
    let mut pins = Vec::new();
    for line in joined.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let Some((name, version)) = words.next().and_then(|w| w.split_once("==")) else {
            continue;
        };
        let sha256: Vec<String> = words
            .filter_map(|w| w.strip_prefix("--hash=sha256:"))
            .map(str::to_owned)
            .collect();
        if !sha256.is_empty() {
            pins.push(Pin {
                name: name.to_owned(),
                version: version.to_owned(),
                sha256,
            });
        }
    }
    pins
}

/// The `(name, version)` of each distribution pip's installation report
/// (`pip install --dry-run --report`, pip's `docs/html/reference/installation-report.md`)
/// would install.
pub fn pip_report(text: &str) -> Result<Vec<(String, String)>, ManagerFileError> {
    #[derive(Deserialize)]
    struct Report {
        install: Vec<Item>,
    }
    #[derive(Deserialize)]
    struct Item {
        metadata: Metadata,
    }
    #[derive(Deserialize)]
    struct Metadata {
        name: String,
        version: String,
    }
    let report: Report = serde_json::from_str(text).map_err(ManagerFileError::PipReport)?;
    Ok(report
        .install
        .into_iter()
        .map(|i| {
            (
                crate::package_name::normalize(&i.metadata.name),
                i.metadata.version,
            )
        })
        .collect())
}

/// The console scripts an installed distribution's `entry_points.txt` names.
pub fn console_scripts(entry_points: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in entry_points.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[console_scripts]";
            continue;
        }
        if inside && let Some((name, _)) = line.split_once('=') {
            let name = name.trim();
            if !name.is_empty() {
                out.push(name.to_owned());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_lockfiles_keep_integrity_and_drop_the_registrys_urls() {
        let text = r#"{"name":"x","lockfileVersion":3,"packages":{"":{"dependencies":{"prettier":"3.10.1"}},
            "node_modules/prettier":{"version":"3.10.1","resolved":"http://127.0.0.1:9/prettier/-/prettier-3.10.1.tgz","integrity":"sha512-AAAA"}}}"#;
        let registries = [
            "https://registry.npmjs.org".to_owned(),
            "http://127.0.0.1:9".to_owned(),
        ];
        let (kept, pinned) = npm_lockfile(text, &registries).unwrap();
        assert!(!kept.contains("resolved"), "{kept}");
        assert_eq!(
            pinned,
            [("node_modules/prettier".into(), "sha512-AAAA".into())]
        );
        let no_hash = text.replace("\"integrity\":\"sha512-AAAA\"", "\"x\":1");
        assert!(
            npm_lockfile(&no_hash, &[])
                .unwrap_err()
                .to_string()
                .contains("no sha512")
        );
        let secret = text.replace("http://127.0.0.1:9", "https://u:p@corp.example");
        assert!(npm_lockfile(&secret, &[]).is_err());
        // A scoped registry's tarball is left out too; another host's is kept.
        let corp = text.replace("http://127.0.0.1:9", "https://npm.corp.example/repo");
        let corp_registry = ["https://npm.corp.example/repo".to_owned()];
        assert!(
            !npm_lockfile(&corp, &corp_registry)
                .unwrap()
                .0
                .contains("resolved")
        );
        let other = ["https://npm.corp.example/other".to_owned()];
        assert!(npm_lockfile(&corp, &other).unwrap().0.contains("resolved"));
    }

    #[test]
    fn requirements_and_entry_points_read_as_pip_writes_them() {
        let text = requirements(&[Pin {
            name: "black".into(),
            version: "24.10.0".into(),
            sha256: vec!["a".repeat(64), "b".repeat(64)],
        }]);
        assert!(
            text.contains("black==24.10.0 \\\n    --hash=sha256:aaaa"),
            "{text}"
        );
        let pins = [
            Pin {
                name: "black".into(),
                version: "24.10.0".into(),
                sha256: vec!["a".repeat(64), "b".repeat(64)],
            },
            Pin {
                name: "click".into(),
                version: "8.1.7".into(),
                sha256: vec!["c".repeat(64)],
            },
        ];
        assert_eq!(pins_of(&requirements(&pins)), pins);
        assert_eq!(
            console_scripts(
                "[console_scripts]\nblack = black:patched_main\nblackd = blackd:patched_main [d]\n\n[other]\nx = y\n"
            ),
            ["black", "blackd"]
        );
        let report =
            r#"{"version":"1","install":[{"metadata":{"name":"Click","version":"8.1.7"}}]}"#;
        assert_eq!(
            pip_report(report).unwrap(),
            [("click".into(), "8.1.7".into())]
        );
    }
}
