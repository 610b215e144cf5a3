//! uv.lock: each workspace member's outside dependencies (entries from an index, git or
//! a URL), all the way down, through its normal, optional and development ones; a walk
//! stops at another workspace member.

use std::collections::{BTreeSet, HashMap};

use toml::{Table, Value};

use super::{Resolved, unlocked};
use crate::discover::{Workspace, normalise_python_name};
use crate::package::Ecosystem;

fn local_source(entry: &Table) -> Option<&str> {
    let source = entry.get("source")?.as_table()?;
    ["editable", "virtual", "directory"]
        .iter()
        .find_map(|k| source.get(*k).and_then(Value::as_str))
}

fn id(entry: &Table) -> String {
    let text = |k: &str| entry.get(k).map(ToString::to_string).unwrap_or_default();
    let sdist = entry
        .get("sdist")
        .and_then(|s| s.get("hash"))
        .map(ToString::to_string)
        .unwrap_or_default();
    format!(
        "{} {} {} {sdist}",
        text("name"),
        text("version"),
        text("source")
    )
}

/// Every `{ name = … }` a package entry depends on, whatever the table.
fn deps(entry: &Table) -> Vec<String> {
    let mut lists: Vec<&Value> = entry.get("dependencies").into_iter().collect();
    for key in ["optional-dependencies", "dev-dependencies"] {
        if let Some(groups) = entry.get(key).and_then(Value::as_table) {
            lists.extend(groups.values());
        }
    }
    lists
        .into_iter()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|d| d.get("name").and_then(Value::as_str))
        .map(normalise_python_name)
        .collect()
}

pub(crate) fn resolved(ws: &Workspace, text: &str) -> Result<Resolved, String> {
    let lock: Table = toml::from_str(text).map_err(|e| format!("uv.lock: {e}"))?;
    let entries: Vec<&Table> = lock
        .get("package")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_table).collect())
        .unwrap_or_default();
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        if let Some(n) = e.get("name").and_then(Value::as_str) {
            by_name.entry(normalise_python_name(n)).or_default().push(i);
        }
    }
    let mut out = Resolved::new();
    for (pi, p) in ws.packages.iter().enumerate() {
        if p.ecosystem != Ecosystem::Uv {
            continue;
        }
        let dir = if p.dir.is_empty() {
            "."
        } else {
            p.dir.as_str()
        };
        let Some(start) = entries.iter().position(|e| local_source(e) == Some(dir)) else {
            out.insert(pi, unlocked());
            continue;
        };
        let mut seen = vec![false; entries.len()];
        let mut set = BTreeSet::new();
        let mut stack: Vec<usize> = Vec::new();
        let push = |stack: &mut Vec<usize>, names: Vec<String>| -> Result<(), String> {
            for n in names {
                let found = by_name
                    .get(&n)
                    .ok_or_else(|| format!("uv.lock does not list {n}"))?;
                stack.extend(found.iter().copied());
            }
            Ok(())
        };
        push(&mut stack, deps(entries[start]))?;
        while let Some(i) = stack.pop() {
            if seen[i] || local_source(entries[i]).is_some() {
                continue;
            }
            seen[i] = true;
            set.insert(id(entries[i]));
            push(&mut stack, deps(entries[i]))?;
        }
        out.insert(pi, set);
    }
    Ok(out)
}
