//! The Node lockfiles: pnpm-lock.yaml, package-lock.json, yarn.lock (classic and
//! berry) and bun.lock. Each walk starts at a workspace package's own entry (its
//! importer, its `packages` path, its declared ranges, its `workspace:` resolution) and
//! follows the lockfile's own links; a link to another workspace package is not
//! followed.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};

use super::{Resolved, unlocked};
use crate::discover::Workspace;
use crate::package::{Ecosystem, Target};

/// The Node packages (with the root when it is one) and their directory relative to the
/// lockfile's directory.
fn node_packages<'a>(
    ws: &'a Workspace,
    dir: &'a str,
) -> impl Iterator<Item = (usize, String)> + 'a {
    ws.packages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.ecosystem == Ecosystem::Node)
        .filter_map(move |(i, p)| {
            let rel = if dir.is_empty() {
                p.dir.clone()
            } else {
                p.dir.strip_prefix(dir)?.trim_start_matches('/').to_owned()
            };
            Some((i, rel))
        })
}

fn map(v: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    v.and_then(Value::as_object).into_iter().flat_map(Map::iter)
}

/// Follows `next` from `start`, collecting each reached entry's id once.
fn walk(
    start: Vec<String>,
    mut next: impl FnMut(&str) -> Result<Option<(String, Vec<String>)>, String>,
) -> Result<BTreeSet<String>, String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = BTreeSet::new();
    let mut stack = start;
    while let Some(key) = stack.pop() {
        if !seen.insert(key.clone()) {
            continue;
        }
        if let Some((id, more)) = next(&key)? {
            out.insert(id);
            stack.extend(more);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- pnpm

/// pnpm-lock.yaml: `importers.<dir>` lists each package's direct dependencies with
/// the version resolved; v9 links them through `snapshots`, v6 through `packages`.
pub(crate) fn pnpm(ws: &Workspace, dir: &str, text: &str) -> Result<Resolved, String> {
    let lock: Value = serde_saphyr::from_str(text).map_err(|e| format!("pnpm-lock.yaml: {e}"))?;
    let version = match lock.get("lockfileVersion") {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => String::new(),
    };
    let (graph_key, prefix) = if version.starts_with('9') {
        ("snapshots", "")
    } else if version.starts_with('6') {
        ("packages", "/")
    } else {
        return Err(format!(
            "pnpm-lock.yaml version {version:?} is not one vx reads (6 or 9)"
        ));
    };
    let graph = lock.get(graph_key);
    let packages = lock.get("packages");
    let key_of = |name: &str, version: &str| -> Option<String> {
        if version.starts_with("link:") || version.starts_with("file:") {
            return None; // a workspace package (or a local directory): not an outside entry
        }
        // An alias resolves to `real-name@version`.
        let at = version.get(1..).and_then(|v| v.find('@')).map(|i| i + 1);
        Some(match at {
            Some(_) => format!("{prefix}{version}"),
            None => format!("{prefix}{name}@{version}"),
        })
    };
    let importers = lock.get("importers");
    let mut out = Resolved::new();
    for (i, rel) in node_packages(ws, dir) {
        let key = if rel.is_empty() { "." } else { rel.as_str() };
        let Some(importer) = importers.and_then(|m| m.get(key)) else {
            out.insert(i, unlocked());
            continue;
        };
        let mut start = Vec::new();
        for table in ["dependencies", "devDependencies", "optionalDependencies"] {
            for (name, spec) in map(importer.get(table)) {
                let v = spec
                    .get("version")
                    .and_then(Value::as_str)
                    .or_else(|| spec.as_str())
                    .unwrap_or("");
                start.extend(key_of(name, v));
            }
        }
        let entries = walk(start, |key| {
            let Some(node) = graph.and_then(|g| g.get(key)) else {
                return Err(format!("pnpm-lock.yaml does not list {key}"));
            };
            let bare = key.split('(').next().unwrap_or(key);
            let resolution = packages
                .and_then(|p| p.get(bare))
                .and_then(|p| p.get("resolution"));
            let id = format!(
                "{key} {}",
                resolution.map(ToString::to_string).unwrap_or_default()
            );
            let mut more = Vec::new();
            for table in ["dependencies", "optionalDependencies"] {
                for (name, v) in map(node.get(table)) {
                    more.extend(v.as_str().and_then(|v| key_of(name, v)));
                }
            }
            Ok(Some((id, more)))
        })?;
        out.insert(i, entries);
    }
    Ok(out)
}

// ---------------------------------------------------------------- npm

/// package-lock.json v2/v3: `packages` keyed by install path; a dependency resolves
/// as Node resolves it, from the nearest `node_modules` up.
pub(crate) fn npm(ws: &Workspace, dir: &str, text: &str) -> Result<Resolved, String> {
    let lock: Value = serde_json::from_str(text).map_err(|e| format!("package-lock.json: {e}"))?;
    let version = lock
        .get("lockfileVersion")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let Some(packages) = lock
        .get("packages")
        .and_then(Value::as_object)
        .filter(|_| version >= 2)
    else {
        return Err(format!(
            "package-lock.json version {version} has no `packages` (npm 7 and later write it)"
        ));
    };
    let resolve = |from: &str, name: &str| -> Option<String> {
        let mut base = from.to_owned();
        loop {
            let candidate = if base.is_empty() {
                format!("node_modules/{name}")
            } else {
                format!("{base}/node_modules/{name}")
            };
            if packages.contains_key(&candidate) {
                return Some(candidate);
            }
            if base.is_empty() {
                return None;
            }
            base = match base.rfind("/node_modules/") {
                Some(cut) => base[..cut].to_owned(),
                None => String::new(),
            };
        }
    };
    let deps_of = |entry: &Value| -> Vec<String> {
        [
            "dependencies",
            "optionalDependencies",
            "peerDependencies",
            "devDependencies",
        ]
        .iter()
        .flat_map(|t| map(entry.get(*t)).map(|(n, _)| n.clone()))
        .collect()
    };
    let mut out = Resolved::new();
    for (i, rel) in node_packages(ws, dir) {
        let Some(entry) = packages.get(&rel) else {
            out.insert(i, unlocked());
            continue;
        };
        let start: Vec<String> = deps_of(entry)
            .iter()
            .filter_map(|n| resolve(&rel, n))
            .collect();
        let entries = walk(start, |path| {
            let e = &packages[path];
            if e.get("link").and_then(Value::as_bool) == Some(true) {
                return Ok(None); // a workspace package
            }
            let id = format!(
                "{path} {} {}",
                e.get("version")
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                e.get("integrity")
                    .map(ToString::to_string)
                    .unwrap_or_default()
            );
            let mut more = Vec::new();
            for (n, _) in ["dependencies", "optionalDependencies", "peerDependencies"]
                .iter()
                .flat_map(|t| map(e.get(*t)))
            {
                more.extend(resolve(path, n));
            }
            Ok(Some((id, more)))
        })?;
        out.insert(i, entries);
    }
    Ok(out)
}

// ---------------------------------------------------------------- yarn 1

struct YarnEntry {
    id: String,
    deps: Vec<String>,
}

/// yarn.lock of yarn 1: entries under their `name@range` descriptors.
fn yarn_classic_entries(text: &str) -> HashMap<String, std::rc::Rc<YarnEntry>> {
    fn unquote(s: &str) -> &str {
        s.trim().trim_matches('"')
    }
    let mut out = HashMap::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.starts_with('#') || line.trim().is_empty() || line.starts_with(' ') {
            continue;
        }
        let descriptors: Vec<String> = line
            .trim_end_matches(':')
            .split(", ")
            .map(|d| unquote(d).to_owned())
            .collect();
        let (mut version, mut resolved, mut integrity) = ("", "", "");
        let mut deps = Vec::new();
        let mut in_deps = false;
        while let Some(body) = lines.peek().filter(|l| l.starts_with(' ')) {
            let body = *body;
            lines.next();
            let depth = body.len() - body.trim_start().len();
            let t = body.trim();
            if depth <= 2 {
                in_deps = t == "dependencies:" || t == "optionalDependencies:";
                let (k, v) = t.split_once(' ').unwrap_or((t, ""));
                match k {
                    "version" => version = unquote(v),
                    "resolved" => resolved = unquote(v),
                    "integrity" => integrity = unquote(v),
                    _ => {}
                }
            } else if in_deps && let Some((n, r)) = t.split_once(' ') {
                deps.push(format!("{}@{}", unquote(n), unquote(r)));
            }
        }
        let name = descriptors.first().map(|d| name_of(d)).unwrap_or_default();
        let entry = std::rc::Rc::new(YarnEntry {
            id: format!("{name}@{version} {resolved} {integrity}"),
            deps,
        });
        for d in descriptors {
            out.insert(d, entry.clone());
        }
    }
    out
}

/// The name of a `name@range` descriptor (`@scope/name@^1` is `@scope/name`).
fn name_of(descriptor: &str) -> &str {
    match descriptor.get(1..).and_then(|d| d.find('@')) {
        Some(i) => &descriptor[..i + 1],
        None => descriptor,
    }
}

/// The outside ranges a package declares (`name@range`), and whether a name is one of
/// the workspace's Node packages.
fn declared_ranges(ws: &Workspace, i: usize) -> Vec<(String, String)> {
    ws.packages[i]
        .declared
        .iter()
        .filter(|d| d.ecosystem == Ecosystem::Node)
        .filter_map(|d| match &d.target {
            Target::Name {
                range: Some(r),
                workspace: false,
            } => Some((d.name.clone(), r.clone())),
            _ => None,
        })
        .collect()
}

pub(crate) fn yarn(ws: &Workspace, dir: &str, text: &str) -> Result<Resolved, String> {
    if !text.contains("# yarn lockfile v1") {
        return Err("yarn.lock is not a yarn 1 lockfile".into());
    }
    let entries = yarn_classic_entries(text);
    let workspace_names: BTreeSet<&str> = ws
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Node)
        .map(|p| p.manifest_name.as_deref().unwrap_or(&p.name))
        .collect();
    let mut out = Resolved::new();
    for (i, _) in node_packages(ws, dir) {
        // yarn 1 keeps no entry for a workspace package: its declared ranges lead in. A
        // range the lockfile lacks (the lockfile of another commit than the manifest)
        // is an entry of its own, so the package reads as changed.
        let start: Vec<String> = declared_ranges(ws, i)
            .into_iter()
            .filter(|(name, _)| !workspace_names.contains(name.as_str()))
            .map(|(name, range)| format!("{name}@{range}"))
            .collect();
        let set = walk(start, |d| {
            Ok(Some(match entries.get(d) {
                Some(e) => (e.id.clone(), e.deps.clone()),
                None => (format!("{d} (not in yarn.lock)"), Vec::new()),
            }))
        })?;
        out.insert(i, set);
    }
    Ok(out)
}

// ---------------------------------------------------------------- yarn berry

pub(crate) fn berry(ws: &Workspace, dir: &str, text: &str) -> Result<Resolved, String> {
    let lock: Map<String, Value> =
        serde_saphyr::from_str(text).map_err(|e| format!("yarn.lock: {e}"))?;
    let mut by_descriptor: HashMap<&str, &Value> = HashMap::new();
    let mut by_resolution: HashMap<&str, &Value> = HashMap::new();
    for (key, entry) in &lock {
        for d in key.split(", ") {
            by_descriptor.insert(d.trim(), entry);
        }
        if let Some(r) = entry.get("resolution").and_then(Value::as_str) {
            by_resolution.insert(r, entry);
        }
    }
    let deps_of = |entry: &Value| -> Vec<String> {
        ["dependencies", "optionalDependencies"]
            .iter()
            .flat_map(|t| map(entry.get(*t)))
            .filter_map(|(n, r)| {
                r.as_str()
                    .filter(|r| !r.starts_with("workspace:"))
                    .map(|r| format!("{n}@{r}"))
            })
            .collect()
    };
    let mut out = Resolved::new();
    for (i, rel) in node_packages(ws, dir) {
        let p = &ws.packages[i];
        let name = p.manifest_name.as_deref().unwrap_or(&p.name);
        let resolution = format!(
            "{name}@workspace:{}",
            if rel.is_empty() { "." } else { &rel }
        );
        let Some(entry) = by_resolution.get(resolution.as_str()) else {
            out.insert(i, unlocked());
            continue;
        };
        let set = walk(deps_of(entry), |d| {
            let e = by_descriptor
                .get(d)
                .ok_or_else(|| format!("yarn.lock has no entry for {d}"))?;
            let id = format!(
                "{} {}",
                e.get("resolution").and_then(Value::as_str).unwrap_or(d),
                e.get("checksum").and_then(Value::as_str).unwrap_or("")
            );
            Ok(Some((id, deps_of(e))))
        })?;
        out.insert(i, set);
    }
    Ok(out)
}

// ---------------------------------------------------------------- bun

/// bun.lock: `workspaces.<dir>` lists each package's dependencies; `packages` holds the
/// resolved entries, a nested one under `parent/name` where the hoisted one will not do.
pub(crate) fn bun(ws: &Workspace, dir: &str, text: &str) -> Result<Resolved, String> {
    let lock: Value =
        crate::read::jsonc(std::path::Path::new("bun.lock"), text).map_err(|e| e.to_string())?;
    let version = lock
        .get("lockfileVersion")
        .and_then(Value::as_u64)
        .unwrap_or(u64::MAX);
    if version > 2 {
        return Err(format!(
            "bun.lock version {version} is not one vx reads (0 to 2)"
        ));
    }
    let packages = lock
        .get("packages")
        .and_then(Value::as_object)
        .ok_or("bun.lock has no `packages`")?;
    let workspaces = lock.get("workspaces");
    // The entry key a dependency `name` of the entry `from` resolves to: the most nested
    // `from/…/name` that exists.
    let resolve = |from: &[String], name: &str| -> Option<Vec<String>> {
        (0..=from.len()).rev().find_map(|n| {
            let mut path = from[..n].to_vec();
            path.push(name.to_owned());
            packages.contains_key(&path.join("/")).then_some(path)
        })
    };
    let deps_of = |v: Option<&Value>| -> Vec<String> {
        [
            "dependencies",
            "optionalDependencies",
            "peerDependencies",
            "devDependencies",
        ]
        .iter()
        .flat_map(|t| map(v.and_then(|v| v.get(*t))).map(|(n, _)| n.clone()))
        .collect()
    };
    let mut out = Resolved::new();
    for (i, rel) in node_packages(ws, dir) {
        let Some(w) = workspaces.and_then(|w| w.get(rel.as_str())) else {
            out.insert(i, unlocked());
            continue;
        };
        let p = &ws.packages[i];
        let own = vec![p.manifest_name.clone().unwrap_or_else(|| p.name.clone())];
        let start: Vec<String> = deps_of(Some(w))
            .iter()
            .filter_map(|n| resolve(&own, n))
            .map(|path| path.join("/"))
            .collect();
        let set = walk(start, |key| {
            let entry = packages[key]
                .as_array()
                .ok_or_else(|| format!("bun.lock: {key} is not an entry"))?;
            let resolved = entry.first().and_then(Value::as_str).unwrap_or("");
            if resolved.contains("@workspace:") {
                return Ok(None);
            }
            let integrity = entry.iter().rev().find_map(Value::as_str).unwrap_or("");
            let path: Vec<String> = split_key(key);
            let meta = entry.iter().find(|v| v.is_object());
            let more = deps_of(meta)
                .iter()
                .filter_map(|n| resolve(&path, n))
                .map(|p| p.join("/"))
                .collect();
            Ok(Some((format!("{key} {resolved} {integrity}"), more)))
        })?;
        out.insert(i, set);
    }
    Ok(out)
}

/// A bun.lock key's package names (`a/@s/b/c` is `a`, `@s/b`, `c`).
fn split_key(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut parts = key.split('/');
    while let Some(p) = parts.next() {
        if p.starts_with('@') {
            out.push(format!("{p}/{}", parts.next().unwrap_or("")));
        } else {
            out.push(p.to_owned());
        }
    }
    out
}
