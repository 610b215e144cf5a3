//! The Node side of a workspace: member patterns from `pnpm-workspace.yaml` or the root
//! package.json's `workspaces` (npm, yarn classic and berry, bun; the array or the
//! object form `{ "packages": [...] }`), each package.json read into a [`Package`], and
//! the package manager from `packageManager`, then the lockfile present.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::walk::{self, Members};
use crate::error::{Error, Result};
use crate::package::{Declared, DepKind, Ecosystem, Package, Target, join_rel};
use crate::read;

/// Which package manager runs the Node workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PackageManagerKind {
    /// npm.
    Npm,
    /// pnpm.
    Pnpm,
    /// Yarn 1 (classic).
    Yarn,
    /// Yarn 2 and later (berry).
    Berry,
    /// Bun.
    Bun,
}

/// How the package manager was told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detected {
    /// The root package.json's `packageManager` field.
    PackageManagerField,
    /// The lockfile present at the root (its file name).
    Lockfile(&'static str),
    /// `pnpm-workspace.yaml`, with neither of the above.
    WorkspaceFile,
}

/// The Node workspace's package manager.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageManager {
    /// Which one.
    pub kind: PackageManagerKind,
    /// Its version, from `packageManager` (`9.15.9` of `pnpm@9.15.9+sha512…`).
    pub version: Option<String>,
    /// How it was told.
    pub detected: Detected,
}

/// A package.json, as far as this crate reads it.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PackageJson {
    name: Option<Value>,
    version: Option<Value>,
    #[serde(default)]
    scripts: Option<Value>,
    dependencies: Option<Value>,
    dev_dependencies: Option<Value>,
    peer_dependencies: Option<Value>,
    optional_dependencies: Option<Value>,
    workspaces: Option<Value>,
    package_manager: Option<Value>,
}

#[derive(Deserialize, Default)]
struct PnpmWorkspace {
    #[serde(default)]
    packages: Option<Vec<String>>,
}

/// The root package.json, read once: the root package and the workspace's patterns.
pub(crate) struct Root {
    json: PackageJson,
    file: std::path::PathBuf,
}

/// The root package.json, if there is one.
pub(crate) fn read_root(root: &Path) -> Result<Option<Root>> {
    let found = read::manifest_if_present(root.join("package.json"), read::json)?;
    Ok(found.map(|(json, file)| Root { json, file }))
}

fn invalid(file: &Path, message: String) -> Error {
    Error::Invalid {
        file: file.to_owned(),
        message,
    }
}

fn string_list(file: &Path, field: &str, value: &Value) -> Result<Vec<String>> {
    let Value::Array(items) = value else {
        return Err(invalid(
            file,
            format!("`{field}` is not a list of patterns"),
        ));
    };
    items
        .iter()
        .map(|v| match v {
            Value::String(s) => Ok(s.clone()),
            _ => Err(invalid(
                file,
                format!("`{field}` has an entry that is not a string"),
            )),
        })
        .collect()
}

/// The member patterns and which file gave them (`pnpm-workspace.yaml` first, as pnpm
/// reads it and not package.json's `workspaces`), or `None` when this is no Node
/// workspace.
pub(crate) fn members(root: &Path, pkg: Option<&Root>) -> Result<Option<(Members, &'static str)>> {
    let pnpm = root.join("pnpm-workspace.yaml");
    let patterns = if let Some(text) = read::text_if_present(&pnpm, read::MAX_MANIFEST_BYTES)? {
        let ws: Option<PnpmWorkspace> = read::yaml(&pnpm, &text)?;
        Some((
            ws.unwrap_or_default().packages.unwrap_or_default(),
            "pnpm-workspace.yaml",
        ))
    } else if let Some(root_pkg) = pkg {
        match &root_pkg.json.workspaces {
            None | Some(Value::Null) => None,
            Some(v @ Value::Array(_)) => Some((
                string_list(&root_pkg.file, "workspaces", v)?,
                "package.json",
            )),
            Some(Value::Object(o)) => match o.get("packages") {
                Some(v) => Some((
                    string_list(&root_pkg.file, "workspaces.packages", v)?,
                    "package.json",
                )),
                None => Some((Vec::new(), "package.json")),
            },
            Some(_) => {
                return Err(invalid(
                    &root_pkg.file,
                    "`workspaces` is neither a list of patterns nor `{ \"packages\": [...] }`"
                        .into(),
                ));
            }
        }
    } else {
        None
    };
    Ok(patterns.map(|(patterns, from)| {
        let mut members = Members::default();
        for p in patterns {
            match p.trim().strip_prefix('!') {
                Some(neg) => members.exclude_globs.push(walk::normalise(neg)),
                None => members.include.push(walk::normalise(&p)),
            }
        }
        (members, from)
    }))
}

/// What pnpm never looks in for packages, beside `node_modules` (pnpm 9 does look in
/// `test` directories).
pub(crate) const PNPM_SKIP: &[&str] = &["bower_components"];

/// The root package (`//`) from the root package.json.
pub(crate) fn root_package(root: &Root) -> Result<Package> {
    let mut pkg = package(&root.file, "", &root.json)?;
    pkg.manifest_name = Some(pkg.name.clone()).filter(|n| !n.is_empty());
    pkg.name = crate::package::ROOT.into();
    Ok(pkg)
}

/// The member package in `dir`.
pub(crate) fn member(root: &Path, dir: &str) -> Result<Package> {
    let file = root.join(dir).join("package.json");
    let text = read::text(&file, read::MAX_MANIFEST_BYTES)?;
    let json: PackageJson = read::json(&file, &text)?;
    let pkg = package(&file, dir, &json)?;
    if pkg.name.is_empty() {
        return Err(invalid(&file, "a workspace package needs a `name`".into()));
    }
    Ok(pkg)
}

fn opt_string(file: &Path, field: &str, v: &Option<Value>) -> Result<Option<String>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(file, format!("`{field}` is not a string"))),
    }
}

fn string_map(file: &Path, field: &str, v: &Option<Value>) -> Result<Vec<(String, String)>> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                _ => Err(invalid(file, format!("`{field}.{k}` is not a string"))),
            })
            .collect(),
        Some(_) => Err(invalid(file, format!("`{field}` is not an object"))),
    }
}

fn package(file: &Path, dir: &str, json: &PackageJson) -> Result<Package> {
    let name = opt_string(file, "name", &json.name)?.unwrap_or_default();
    let version = opt_string(file, "version", &json.version)?;
    let scripts: BTreeMap<String, String> = string_map(file, "scripts", &json.scripts)?
        .into_iter()
        .collect();
    let mut declared = Vec::new();
    for (field, kind, value) in [
        ("dependencies", DepKind::Normal, &json.dependencies),
        ("devDependencies", DepKind::Dev, &json.dev_dependencies),
        ("peerDependencies", DepKind::Peer, &json.peer_dependencies),
        (
            "optionalDependencies",
            DepKind::Optional,
            &json.optional_dependencies,
        ),
    ] {
        for (dep, spec) in string_map(file, field, value)? {
            // pnpm's aliased workspace dependency, `workspace:react-email@*`: the
            // package named after the protocol.
            let (name, spec) = match aliased(&spec) {
                Some((name, spec)) => (name, spec),
                None => {
                    let spec = unaliased(&dep, spec);
                    (dep, spec)
                }
            };
            if let Some(target) = target(dir, &spec) {
                declared.push(Declared {
                    ecosystem: Ecosystem::Node,
                    name,
                    target,
                    kind,
                });
            }
        }
    }
    Ok(Package {
        name,
        dir: dir.into(),
        ecosystem: Ecosystem::Node,
        manifest_name: None,
        version,
        scripts,
        declared,
    })
}

/// `workspace:NAME@RANGE` (pnpm's alias of a workspace package) as `NAME` and
/// `workspace:RANGE`; `None` for any other specifier.
fn aliased(spec: &str) -> Option<(String, String)> {
    let rest = spec.trim().strip_prefix("workspace:")?;
    // `@scope/name@range`: the `@` that ends the name is not the first character.
    let at = rest.char_indices().skip(1).find(|&(_, c)| c == '@')?.0;
    let (name, range) = (&rest[..at], &rest[at + 1..]);
    (!name.is_empty() && !name.starts_with('.'))
        .then(|| (name.to_owned(), format!("workspace:{range}")))
}

/// `npm:NAME` with no range, aliasing the dependency's own name, as the plain range
/// `*`: turbo links it as it links a plain range (trpc/trpc's examples depend on
/// `"@trpc/server": "npm:@trpc/server"`). An alias with a range (`npm:zod@^3`) or of
/// another name stays as it is, never a workspace package, as turbo has it.
fn unaliased(dep: &str, spec: String) -> String {
    match spec.trim().strip_prefix("npm:") {
        Some(name) if name == dep => "*".to_owned(),
        _ => spec,
    }
}

/// What an npm dependency specifier may point at in the workspace; `None` for what
/// never does (an `npm:` alias, a git or tarball URL).
fn target(dir: &str, spec: &str) -> Option<Target> {
    let spec = spec.trim();
    if let Some(rest) = spec.strip_prefix("workspace:") {
        if rest.starts_with('.') || rest.starts_with('/') {
            return join_rel(dir, rest).map(Target::Dir);
        }
        let range = match rest {
            "" | "*" | "^" | "~" => None,
            r => Some(r.to_owned()),
        };
        return Some(Target::Name {
            range,
            workspace: true,
        });
    }
    for proto in ["file:", "link:", "portal:"] {
        if let Some(path) = spec.strip_prefix(proto) {
            return join_rel(dir, path).map(Target::Dir);
        }
    }
    if spec.contains(':') || spec.contains('/') {
        // npm:, git+…, https://…, github:user/repo, user/repo: never a workspace package.
        return None;
    }
    Some(Target::Name {
        range: Some(spec.to_owned()),
        workspace: false,
    })
}

/// The package manager: `packageManager` first, then the lockfile present, then a
/// `pnpm-workspace.yaml`.
pub(crate) fn package_manager(root: &Path, pkg: Option<&Root>) -> Result<Option<PackageManager>> {
    if let Some(root_pkg) = pkg
        && let Some(field) = opt_string(
            &root_pkg.file,
            "packageManager",
            &root_pkg.json.package_manager,
        )?
    {
        let (name, version) = field.split_once('@').unwrap_or((field.as_str(), ""));
        let version = version.split('+').next().unwrap_or("").to_owned();
        let major: Option<u64> = version.split('.').next().and_then(|m| m.parse().ok());
        let kind = match name {
            "npm" => PackageManagerKind::Npm,
            "pnpm" => PackageManagerKind::Pnpm,
            "bun" => PackageManagerKind::Bun,
            "yarn" if major.is_some_and(|m| m >= 2) => PackageManagerKind::Berry,
            "yarn" => PackageManagerKind::Yarn,
            other => {
                return Err(invalid(
                    &root_pkg.file,
                    format!("`packageManager` names {other:?}, not npm, pnpm, yarn or bun"),
                ));
            }
        };
        return Ok(Some(PackageManager {
            kind,
            version: Some(version).filter(|v| !v.is_empty()),
            detected: Detected::PackageManagerField,
        }));
    }
    let by_lockfile = |kind, file: &'static str| PackageManager {
        kind,
        version: None,
        detected: Detected::Lockfile(file),
    };
    for (file, kind) in [
        ("pnpm-lock.yaml", PackageManagerKind::Pnpm),
        ("bun.lock", PackageManagerKind::Bun),
        ("bun.lockb", PackageManagerKind::Bun),
        ("package-lock.json", PackageManagerKind::Npm),
        ("npm-shrinkwrap.json", PackageManagerKind::Npm),
    ] {
        if root.join(file).is_file() {
            return Ok(Some(by_lockfile(kind, file)));
        }
    }
    let yarn_lock = root.join("yarn.lock");
    if let Some(text) = read::text_if_present(&yarn_lock, read::MAX_LOCKFILE_BYTES)? {
        // Berry's lockfile is YAML with a `__metadata` entry; classic's is its own format.
        let kind = if text.contains("\n__metadata:") {
            PackageManagerKind::Berry
        } else {
            PackageManagerKind::Yarn
        };
        return Ok(Some(by_lockfile(kind, "yarn.lock")));
    }
    if root.join("pnpm-workspace.yaml").is_file() {
        return Ok(Some(PackageManager {
            kind: PackageManagerKind::Pnpm,
            version: None,
            detected: Detected::WorkspaceFile,
        }));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specifiers_point_at_names_or_directories() {
        let name = |range: Option<&str>, workspace| Target::Name {
            range: range.map(str::to_owned),
            workspace,
        };
        assert_eq!(target("apps/web", "workspace:*"), Some(name(None, true)));
        assert_eq!(
            aliased("workspace:react-email@*"),
            Some(("react-email".to_owned(), "workspace:*".to_owned()))
        );
        assert_eq!(
            aliased("workspace:@acme/ui@^1"),
            Some(("@acme/ui".to_owned(), "workspace:^1".to_owned()))
        );
        assert_eq!(aliased("workspace:^1.2.0"), None);
        assert_eq!(
            target("apps/web", "workspace:^1.2.0"),
            Some(name(Some("^1.2.0"), true))
        );
        assert_eq!(
            target("apps/web", "workspace:../../packages/ui"),
            Some(Target::Dir("packages/ui".into()))
        );
        assert_eq!(
            target("apps/web", "file:../docs"),
            Some(Target::Dir("apps/docs".into()))
        );
        assert_eq!(
            target("apps/web", "^1.0.0"),
            Some(name(Some("^1.0.0"), false))
        );
        assert_eq!(target("apps/web", "npm:react@18"), None);
        assert_eq!(target("apps/web", "github:acme/ui"), None);
        assert_eq!(target("apps/web", "https://x.org/a.tgz"), None);
    }
}
