//! Cargo.lock: each workspace crate's outside dependencies (entries with a `source`),
//! all the way down; a walk stops at a path crate, whose own entries are its own.

use std::collections::{BTreeSet, HashMap};

use serde::Deserialize;

use super::{Resolved, unlocked};
use crate::discover::Workspace;
use crate::package::Ecosystem;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

impl Entry {
    fn id(&self) -> String {
        format!(
            "{} {} {} {}",
            self.name,
            self.version,
            self.source.as_deref().unwrap_or(""),
            self.checksum.as_deref().unwrap_or("")
        )
    }
}

pub(crate) fn resolved(ws: &Workspace, text: &str) -> Result<Resolved, String> {
    let lock: Lock = toml::from_str(text).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, e) in lock.package.iter().enumerate() {
        by_name.entry(&e.name).or_default().push(i);
    }
    // `name`, `name version` or `name version (source)`.
    let find = |dep: &str| -> Option<usize> {
        let mut parts = dep.splitn(3, ' ');
        let name = parts.next()?;
        let version = parts.next();
        let source = parts
            .next()
            .map(|s| s.trim_start_matches('(').trim_end_matches(')'));
        by_name.get(name)?.iter().copied().find(|&i| {
            let e = &lock.package[i];
            version.is_none_or(|v| v == e.version)
                && source.is_none_or(|s| Some(s) == e.source.as_deref())
        })
    };
    let mut out = Resolved::new();
    for (pi, p) in ws.packages.iter().enumerate() {
        let name = p.manifest_name.as_deref().unwrap_or(&p.name);
        // The root is a crate only when its Cargo.toml has a `[package]` (then it has a
        // manifest name); a virtual manifest locks nothing of its own.
        let is_crate = if pi == 0 {
            p.manifest_name.is_some()
        } else {
            p.ecosystem == Ecosystem::Cargo
        };
        if !is_crate {
            continue;
        }
        let Some(start) = by_name.get(name).and_then(|v| {
            v.iter().copied().find(|&i| {
                lock.package[i].source.is_none()
                    && p.version
                        .as_deref()
                        .is_none_or(|ver| ver == lock.package[i].version)
            })
        }) else {
            if pi != 0 {
                out.insert(pi, unlocked());
            }
            continue;
        };
        let mut seen = vec![false; lock.package.len()];
        let mut stack: Vec<usize> = Vec::new();
        let mut entries = BTreeSet::new();
        for d in &lock.package[start].dependencies {
            stack.push(find(d).ok_or_else(|| {
                format!("Cargo.lock: {name} depends on {d}, which it does not list")
            })?);
        }
        while let Some(i) = stack.pop() {
            let e = &lock.package[i];
            if seen[i] || e.source.is_none() {
                continue;
            }
            seen[i] = true;
            entries.insert(e.id());
            for d in &e.dependencies {
                stack.push(find(d).ok_or_else(|| {
                    format!(
                        "Cargo.lock: {} depends on {d}, which it does not list",
                        e.name
                    )
                })?);
            }
        }
        out.insert(pi, entries);
    }
    Ok(out)
}
