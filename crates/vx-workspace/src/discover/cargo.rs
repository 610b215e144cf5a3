//! The Cargo side of a workspace: the root Cargo.toml's `[workspace]` `members` and
//! `exclude`, each member's `[package]` and its path dependencies (every dependency
//! table, target-specific ones too, and `workspace = true` resolved through
//! `[workspace.dependencies]`). As Cargo does, a path dependency inside the workspace
//! directory is a member even when no pattern lists it.

use std::collections::{BTreeSet, VecDeque};
use std::path::Path;

use toml::{Table, Value};

use super::walk::{self, Members};
use crate::error::{Error, Result};
use crate::package::{Declared, DepKind, Ecosystem, Package, Target, join_rel};
use crate::read;

/// The root Cargo.toml, read once.
pub(crate) struct Root {
    table: Table,
    file: std::path::PathBuf,
}

impl Root {
    fn workspace(&self) -> Option<&Table> {
        self.table.get("workspace").and_then(Value::as_table)
    }

    /// Whether the root Cargo.toml declares a `[workspace]`.
    pub(crate) fn is_workspace(&self) -> bool {
        self.workspace().is_some()
    }

    /// Whether the root Cargo.toml is also a crate (`[package]`).
    pub(crate) fn is_package(&self) -> bool {
        self.table.contains_key("package")
    }
}

/// The root Cargo.toml, if there is one.
pub(crate) fn read_root(root: &Path) -> Result<Option<Root>> {
    let found = read::manifest_if_present(root.join("Cargo.toml"), read::toml)?;
    Ok(found.map(|(table, file)| Root { table, file }))
}

fn invalid(file: &Path, message: String) -> Error {
    Error::Invalid {
        file: file.to_owned(),
        message,
    }
}

fn strings(file: &Path, table: &Table, key: &str) -> Result<Vec<String>> {
    match table.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str().map(str::to_owned).ok_or_else(|| {
                    invalid(
                        file,
                        format!("`workspace.{key}` has an entry that is not a string"),
                    )
                })
            })
            .collect(),
        Some(_) => Err(invalid(file, format!("`workspace.{key}` is not a list"))),
    }
}

/// The member crates (the root's own `[package]` aside: that is the root package).
pub(crate) fn members(root: &Path, cargo: &Root) -> Result<Vec<Package>> {
    let Some(ws) = cargo.workspace() else {
        return Ok(Vec::new());
    };
    let mut members = Members::default();
    let listed = strings(&cargo.file, ws, "members")?;
    for m in &listed {
        members.include.push(walk::normalise(m));
    }
    for e in strings(&cargo.file, ws, "exclude")? {
        members.exclude_dirs.push(walk::normalise(&e));
    }
    let mut dirs: BTreeSet<String> = walk::member_dirs(root, &members, "Cargo.toml", &[])?
        .into_iter()
        .collect();
    // A member named without a wildcard must be there, as Cargo requires.
    for m in &listed {
        let dir = walk::normalise(m);
        if !crate::patterns::is_pattern(&dir)
            && dir != "."
            && !members.excluded(&dir)
            && !root.join(&dir).join("Cargo.toml").is_file()
        {
            return Err(invalid(
                &cargo.file,
                format!("workspace member {dir:?} has no Cargo.toml"),
            ));
        }
    }
    let ctx = Ctx {
        root: cargo,
        ws: Some(ws),
    };
    let mut packages = Vec::new();
    let mut queue: VecDeque<String> = dirs.iter().cloned().collect();
    while let Some(dir) = queue.pop_front() {
        let file = root.join(&dir).join("Cargo.toml");
        let text = read::text(&file, read::MAX_MANIFEST_BYTES)?;
        let table: Table = read::toml(&file, &text)?;
        let Some(pkg) = crate_package(&file, &dir, &table, &ctx)? else {
            continue; // a virtual manifest below the root: not a crate
        };
        for d in &pkg.declared {
            if let Target::Dir(path) = &d.target
                && !path.is_empty()
                && !members.excluded(path)
                && root.join(path).join("Cargo.toml").is_file()
                && dirs.insert(path.clone())
            {
                queue.push_back(path.clone());
            }
        }
        packages.push(pkg);
        if packages.len() > super::MAX_PACKAGES {
            return Err(Error::TooMany {
                what: "packages",
                limit: super::MAX_PACKAGES,
                root: root.to_owned(),
            });
        }
    }
    packages.sort_by(|a, b| a.dir.cmp(&b.dir));
    Ok(packages)
}

/// The root crate's dependencies, for the root package (`//`), when the root
/// Cargo.toml is a crate.
pub(crate) fn root_crate(cargo: &Root) -> Result<Option<Package>> {
    let ctx = Ctx {
        root: cargo,
        ws: cargo.workspace(),
    };
    crate_package(&cargo.file, "", &cargo.table, &ctx)
}

struct Ctx<'a> {
    root: &'a Root,
    ws: Option<&'a Table>,
}

impl Ctx<'_> {
    fn inherited(&self, section: &str, key: &str) -> Option<&Value> {
        self.ws?.get(section)?.as_table()?.get(key)
    }
}

fn crate_package(file: &Path, dir: &str, table: &Table, ctx: &Ctx) -> Result<Option<Package>> {
    let Some(package) = table.get("package") else {
        return Ok(None);
    };
    let Some(package) = package.as_table() else {
        return Err(invalid(file, "`package` is not a table".into()));
    };
    let Some(name) = package.get("name").and_then(Value::as_str) else {
        return Err(invalid(
            file,
            "`package.name` is missing or not a string".into(),
        ));
    };
    let version = match package.get("version") {
        Some(Value::String(v)) => Some(v.clone()),
        Some(Value::Table(t)) if t.get("workspace").and_then(Value::as_bool) == Some(true) => ctx
            .inherited("package", "version")
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    };
    let mut declared = Vec::new();
    deps_of(file, dir, table, ctx, &mut declared)?;
    if let Some(targets) = table.get("target").and_then(Value::as_table) {
        for (_cfg, t) in targets {
            if let Some(t) = t.as_table() {
                deps_of(file, dir, t, ctx, &mut declared)?;
            }
        }
    }
    Ok(Some(Package {
        name: name.to_owned(),
        dir: dir.into(),
        ecosystem: Ecosystem::Cargo,
        manifest_name: None,
        version,
        scripts: Default::default(),
        declared,
    }))
}

fn deps_of(
    file: &Path,
    dir: &str,
    table: &Table,
    ctx: &Ctx,
    out: &mut Vec<Declared>,
) -> Result<()> {
    for (key, alt, kind) in [
        ("dependencies", "", DepKind::Normal),
        ("dev-dependencies", "dev_dependencies", DepKind::Dev),
        ("build-dependencies", "build_dependencies", DepKind::Build),
    ] {
        let Some(deps) = table.get(key).or_else(|| table.get(alt)) else {
            continue;
        };
        let Some(deps) = deps.as_table() else {
            return Err(invalid(file, format!("`{key}` is not a table")));
        };
        for (name, spec) in deps {
            let Some(spec) = spec.as_table() else {
                continue;
            }; // "1.0": from a registry
            let path = if spec.get("workspace").and_then(Value::as_bool) == Some(true) {
                let Some(inherited) = ctx.inherited("dependencies", name) else {
                    return Err(invalid(
                        file,
                        format!(
                            "`{name}` is `workspace = true` but {} has no `workspace.dependencies.{name}`",
                            ctx.root.file.display()
                        ),
                    ));
                };
                // Paths in `[workspace.dependencies]` are relative to the root.
                inherited
                    .get("path")
                    .and_then(Value::as_str)
                    .and_then(|p| join_rel("", p))
            } else {
                spec.get("path")
                    .and_then(Value::as_str)
                    .and_then(|p| join_rel(dir, p))
            };
            if let Some(path) = path {
                out.push(Declared {
                    ecosystem: Ecosystem::Cargo,
                    name: name.clone(),
                    target: Target::Dir(path),
                    kind,
                });
            }
        }
    }
    Ok(())
}
