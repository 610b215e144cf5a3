//! Runtime tools: a language-registry package that runs on its runtime (`npm:prettier`
//! on node, `pypi:black` on python) is installed into an environment of its own, made
//! with the project's runtime, from a dependency set pinned at lock time by the
//! registries' own hashes. This file holds the package managers' formats vx reads and
//! writes (what the resolver hands the installer is a [`vx_model::spec::needs::Plan`]):
//! npm's `package-lock.json` (v3, npm's
//! `docs/lib/content/configuring-npm/package-lock-json.md`) and pip's hash-checking
//! requirements (`name==version --hash=sha256:HEX`, pip's "Secure installs" in
//! `docs/html/topics/secure-installs.md`).
//!
//! - npm: the lockfile is npm's own, made by vx's npm at lock time (`npm install
//!   --package-lock-only --ignore-scripts`), its `resolved` URLs at the registry
//!   dropped (npm fetches `name@version` from the registry configured at install,
//!   and checks each tarball against the lockfile's `integrity`), so the lock names
//!   no machine's mirror; installed with `npm ci --ignore-scripts`, scripts run only
//!   for the packages `allow_builds` names (`npm rebuild PKG…`). A package whose
//!   tarball an imported bundle carried (by its integrity, [`npm_carried_name`]) is
//!   installed from that file ([`npm_with_carried`]).
//! - PyPI: the set is resolved by vx's python's own pip (`pip install --dry-run
//!   --report`): pip ships inside every python vx installs, so nothing else is
//!   fetched to resolve; each pinned version lists the sha256 of every file the index
//!   has of it, so the one list installs on every platform the index has wheels for.
//!   Installed into a venv with `pip install --require-hashes --no-deps`.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The user's option naming the packages whose install scripts may run (mise's
/// `allow_builds`), a key of its table, `allow_builds = ["esbuild"]`, carried among
/// its options.
pub const ALLOW_BUILDS: &str = "allow_builds";

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
            if vx_base::validate::has_userinfo(resolved) {
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

/// One package of npm's lockfile, pinned by its `integrity`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NpmPin {
    /// Its path in the lockfile (`node_modules/a/node_modules/@s/b`).
    pub path: String,
    /// The package's name as its registry knows it (the entry's `name` for an
    /// alias, else the path's last `node_modules/` part).
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its SRI value (`sha512-<base64>`).
    pub integrity: String,
    /// The `os`, `cpu` and `libc` it is for (empty: every one), as its `package.json`
    /// says and npm's lockfile keeps them.
    pub os: Vec<String>,
    /// See [`NpmPin::os`].
    pub cpu: Vec<String>,
    /// See [`NpmPin::os`].
    pub libc: Vec<String>,
}

/// The packages npm's lockfile `text` pins by a sha512 `integrity` (links, the root
/// and entries without one skipped).
pub fn npm_pins(text: &str) -> Vec<NpmPin> {
    #[derive(Deserialize)]
    struct Lockfile {
        #[serde(default)]
        packages: BTreeMap<String, Entry>,
    }
    #[derive(Deserialize)]
    struct Entry {
        name: Option<String>,
        version: Option<String>,
        integrity: Option<String>,
        #[serde(default)]
        link: bool,
        #[serde(default)]
        os: Vec<String>,
        #[serde(default)]
        cpu: Vec<String>,
        #[serde(default)]
        libc: Vec<String>,
    }
    let Ok(lockfile) = serde_json::from_str::<Lockfile>(text) else {
        return Vec::new();
    };
    lockfile
        .packages
        .into_iter()
        .filter(|(path, entry)| !path.is_empty() && !entry.link)
        .filter_map(|(path, entry)| {
            let integrity = entry.integrity.filter(|i| i.starts_with("sha512-"))?;
            let name = match entry.name {
                Some(name) => name,
                None => path.rsplit_once("node_modules/")?.1.to_owned(),
            };
            Some(NpmPin {
                path,
                name,
                version: entry.version?,
                integrity,
                os: entry.os,
                cpu: entry.cpu,
                libc: entry.libc,
            })
        })
        .collect()
}

/// The name a bundle carries an npm package's tarball by (`vx bundle export`), found
/// again by its `integrity` when the environment is installed: `npm-<sha512 hex>.tgz`.
pub fn npm_carried_name(integrity: &str) -> Option<String> {
    let sha512 = vx_net::verify::integrity::sha512_of(integrity).ok()?;
    Some(format!("npm-{}.tgz", hex::encode(sha512)))
}

/// npm's lockfile `text` with each package that has no `resolved` and whose tarball
/// `carried` finds (by its [`npm_carried_name`]: the files imported bundles carried)
/// resolved to that file (`file:/path`), so `npm ci` installs it from there, with no
/// registry and no cache, still checked against its `integrity`; and how many were.
/// (Without a `resolved`, npm asks the registry for the package's document first,
/// offline too: its cache holds none on a fresh machine, whatever `npm cache add`
/// put in it.) Text that does not read as a lockfile is given back as it is.
pub fn npm_with_carried(
    text: &str,
    carried: &dyn Fn(&str) -> Option<std::path::PathBuf>,
) -> (String, usize) {
    let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(text) else {
        return (text.to_owned(), 0);
    };
    let Some(packages) = doc.get_mut("packages").and_then(|p| p.as_object_mut()) else {
        return (text.to_owned(), 0);
    };
    let mut count = 0;
    for (path, entry) in packages.iter_mut() {
        let Some(entry) = entry.as_object_mut().filter(|_| !path.is_empty()) else {
            continue;
        };
        if entry.contains_key("resolved") {
            continue;
        }
        let Some(file) = entry
            .get("integrity")
            .and_then(|i| i.as_str())
            .and_then(npm_carried_name)
            .and_then(|name| carried(&name))
        else {
            continue;
        };
        // npm reads a `file:` spec as a URL-like path: forward slashes on Windows too.
        let path = file.to_string_lossy();
        let path = if cfg!(windows) {
            path.replace('\\', "/")
        } else {
            path.into_owned()
        };
        let resolved = format!("file:{path}");
        entry.insert("resolved".to_owned(), resolved.into());
        count += 1;
    }
    if count == 0 {
        return (text.to_owned(), 0);
    }
    (format!("{doc:#}\n"), count)
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

/// `text` (requirements [`requirements`] wrote) with the pin of `project` at
/// `version` taken from the file at `file_url` instead of the index (pip's and uv's
/// `NAME @ URL --hash=sha256:…`, checked by `sha256`): the package's own file, which
/// vx downloaded and checked, so the installer fetches it no more. `None` when the
/// list has no such pin.
pub fn requirements_from_file(
    text: &str,
    project: &str,
    version: &str,
    file_url: &str,
    sha256: &str,
) -> Option<String> {
    let normalized = vx_model::package_name::normalize(project);
    let mut pins = pins_of(text);
    let own = pins.iter().position(|p| {
        vx_model::package_name::normalize(&p.name) == normalized && p.version == version
    })?;
    let pin = pins.remove(own);
    let mut out = requirements(&pins);
    out.push_str(&format!(
        "{} @ {file_url} \\\n    --hash=sha256:{sha256}\n",
        pin.name
    ));
    Some(out)
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
                vx_model::package_name::normalize(&i.metadata.name),
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
    fn the_packages_own_pin_is_taken_from_vxs_checked_file() {
        let pins = [
            Pin {
                name: "black".into(),
                version: "24.10.0".into(),
                sha256: vec!["aa".into(), "bb".into()],
            },
            Pin {
                name: "click".into(),
                version: "8.1.7".into(),
                sha256: vec!["cc".into()],
            },
        ];
        let text = requirements(&pins);
        let url = "file:///w/black-24.10.0-py3-none-any.whl";
        let from_file = requirements_from_file(&text, "Black", "24.10.0", url, "bb").unwrap();
        assert!(from_file.contains(&format!("black @ {url} \\\n    --hash=sha256:bb\n")));
        assert!(!from_file.contains("black=="), "{from_file}");
        // The rest stays pinned by name, from the index.
        assert_eq!(pins_of(&from_file), pins[1..]);
        // Another version (a lock not of this list): the list as it is.
        assert_eq!(
            requirements_from_file(&text, "black", "23.1.0", url, "bb"),
            None
        );
    }

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
    fn an_npm_lockfiles_packages_are_found_by_integrity_and_resolved_to_carried_files() {
        // prettier's integrity, as registry.npmjs.org publishes it.
        let integrity = "sha512-70vp3ZUYoPlFbF9uiTdXHUUCGEIp7d4+6p+8DYbkm2jP7x/3i/paXVF6dopSI3zd/CEitrZN1rc4i85xWmmXlg==";
        let text = format!(
            r#"{{"lockfileVersion":3,"packages":{{"":{{"dependencies":{{"prettier":"3.10.1"}}}},
            "node_modules/prettier":{{"version":"3.10.1","integrity":"{integrity}"}},
            "node_modules/x":{{"name":"@s/y","version":"1.0.0","integrity":"sha1-AAAA"}},
            "node_modules/a/node_modules/@e/linux-x64":{{"version":"2.0.0","integrity":"{integrity}","os":["linux"],"cpu":["x64"]}},
            "node_modules/l":{{"link":true,"resolved":"../l"}}}}}}"#
        );
        let pins = npm_pins(&text);
        let names: Vec<(&str, &str)> = pins
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(names, [("@e/linux-x64", "2.0.0"), ("prettier", "3.10.1")]);
        assert_eq!(pins[0].os, ["linux"]);
        let name = npm_carried_name(integrity).unwrap();
        assert_eq!(name.len(), "npm-".len() + 128 + ".tgz".len());
        assert!(name.starts_with("npm-ef4be9dd"), "{name}");
        assert_eq!(npm_carried_name("sha1-AAAA"), None);
        assert_eq!(npm_carried_name("sha512-notbase64!"), None);
        let dir = std::path::Path::new("/carried");
        let (resolved, count) = npm_with_carried(&text, &|n| Some(dir.join(n)));
        assert_eq!(count, 2);
        let doc: serde_json::Value = serde_json::from_str(&resolved).unwrap();
        assert_eq!(
            doc["packages"]["node_modules/prettier"]["resolved"].as_str(),
            Some(format!("file:/carried/{name}").as_str())
        );
        assert_eq!(doc["packages"]["node_modules/l"]["resolved"], "../l");
        assert_eq!(npm_with_carried(&text, &|_| None), (text.clone(), 0));
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
