//! The uv side of a workspace: the root pyproject.toml's `[tool.uv.workspace]`
//! `members` and `exclude`, each member's `[project]`, and its dependencies on other
//! members: those whose `[tool.uv.sources]` entry (the member's own, else the root's)
//! is `{ workspace = true }` or a `path` inside the workspace.

use std::path::Path;

use toml::{Table, Value};

use super::walk::{self, Members};
use crate::error::{Error, Result};
use crate::package::{Declared, DepKind, Ecosystem, Package, Target, join_rel};
use crate::read;

/// The root pyproject.toml, read once.
pub(crate) struct Root {
    table: Table,
    file: std::path::PathBuf,
}

impl Root {
    fn uv(&self) -> Option<&Table> {
        self.table.get("tool")?.get("uv")?.as_table()
    }

    /// Whether the root pyproject.toml declares a uv workspace.
    pub(crate) fn is_workspace(&self) -> bool {
        self.uv().is_some_and(|uv| uv.contains_key("workspace"))
    }

    /// Whether the root pyproject.toml is a project (`[project]`).
    pub(crate) fn is_project(&self) -> bool {
        self.table.contains_key("project")
    }

    fn sources(&self) -> Option<&Table> {
        self.uv()?.get("sources")?.as_table()
    }
}

/// The root pyproject.toml, if there is one.
pub(crate) fn read_root(root: &Path) -> Result<Option<Root>> {
    let found = read::manifest_if_present(root.join("pyproject.toml"), read::toml)?;
    Ok(found.map(|(table, file)| Root { table, file }))
}

fn invalid(file: &Path, message: String) -> Error {
    Error::Invalid {
        file: file.to_owned(),
        message,
    }
}

/// A Python package name normalised as PEP 503 does (`Lib_A` and `lib.a` are `lib-a`).
pub(crate) fn normalise_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// The name a PEP 508 requirement (`lib-b[extra]>=1; python_version>'3'`) is about.
fn requirement_name(req: &str) -> &str {
    let req = req.trim_start();
    let end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(req.len());
    &req[..end]
}

/// The member projects (the root's own `[project]` aside: that is the root package).
pub(crate) fn members(root: &Path, uv: &Root) -> Result<Vec<Package>> {
    let Some(ws) = uv
        .uv()
        .and_then(|u| u.get("workspace"))
        .and_then(Value::as_table)
    else {
        return Ok(Vec::new());
    };
    let list = |key: &str| -> Result<Vec<String>> {
        match ws.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str().map(walk::normalise).ok_or_else(|| {
                        invalid(
                            &uv.file,
                            format!("`tool.uv.workspace.{key}` has an entry that is not a string"),
                        )
                    })
                })
                .collect(),
            Some(_) => Err(invalid(
                &uv.file,
                format!("`tool.uv.workspace.{key}` is not a list"),
            )),
        }
    };
    let members = Members {
        include: list("members")?,
        exclude_globs: list("exclude")?,
        exclude_dirs: Vec::new(),
    };
    let mut out = Vec::new();
    for dir in walk::member_dirs(root, &members, "pyproject.toml", &[".venv", "__pycache__"])? {
        let file = root.join(&dir).join("pyproject.toml");
        let text = read::text(&file, read::MAX_MANIFEST_BYTES)?;
        let table: Table = read::toml(&file, &text)?;
        match project(&file, &dir, &table, uv.sources())? {
            Some(p) => out.push(p),
            None => {
                return Err(invalid(
                    &file,
                    "a uv workspace member needs a `[project]`".into(),
                ));
            }
        }
    }
    Ok(out)
}

/// The root project, for the root package (`//`), when the root pyproject.toml has one.
pub(crate) fn root_project(uv: &Root) -> Result<Option<Package>> {
    project(&uv.file, "", &uv.table, None)
}

fn project(
    file: &Path,
    dir: &str,
    table: &Table,
    root_sources: Option<&Table>,
) -> Result<Option<Package>> {
    let Some(project) = table.get("project") else {
        return Ok(None);
    };
    let Some(name) = project.get("name").and_then(Value::as_str) else {
        return Err(invalid(
            file,
            "`project.name` is missing or not a string".into(),
        ));
    };
    let version = project
        .get("version")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let own_sources = table
        .get("tool")
        .and_then(|t| t.get("uv"))
        .and_then(|u| u.get("sources"))
        .and_then(Value::as_table);
    let mut requirements: Vec<(&str, DepKind)> = Vec::new();
    fn add_list<'a>(out: &mut Vec<(&'a str, DepKind)>, v: Option<&'a Value>, kind: DepKind) {
        for item in v.and_then(Value::as_array).into_iter().flatten() {
            if let Some(s) = item.as_str() {
                out.push((requirement_name(s), kind));
            }
        }
    }
    add_list(
        &mut requirements,
        project.get("dependencies"),
        DepKind::Normal,
    );
    if let Some(extras) = project
        .get("optional-dependencies")
        .and_then(Value::as_table)
    {
        for list in extras.values() {
            add_list(&mut requirements, Some(list), DepKind::Optional);
        }
    }
    if let Some(groups) = table.get("dependency-groups").and_then(Value::as_table) {
        for list in groups.values() {
            add_list(&mut requirements, Some(list), DepKind::Dev);
        }
    }
    add_list(
        &mut requirements,
        table
            .get("tool")
            .and_then(|t| t.get("uv"))
            .and_then(|u| u.get("dev-dependencies")),
        DepKind::Dev,
    );
    let mut declared = Vec::new();
    for (req, kind) in requirements {
        let source = own_sources
            .and_then(|s| s.get(req))
            .or_else(|| root_sources.and_then(|s| s.get(req)));
        let Some(source) = source.and_then(Value::as_table) else {
            continue; // from an index: not the workspace's
        };
        let target = if source.get("workspace").and_then(Value::as_bool) == Some(true) {
            Some(Target::Name {
                range: None,
                workspace: true,
            })
        } else {
            source
                .get("path")
                .and_then(Value::as_str)
                .and_then(|p| join_rel(dir, p))
                .map(Target::Dir)
        };
        if let Some(target) = target {
            declared.push(Declared {
                ecosystem: Ecosystem::Uv,
                name: normalise_name(req),
                target,
                kind,
            });
        }
    }
    Ok(Some(Package {
        name: normalise_name(name),
        dir: dir.into(),
        ecosystem: Ecosystem::Uv,
        manifest_name: None,
        version,
        scripts: Default::default(),
        declared,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_as_pep_503_says() {
        assert_eq!(normalise_name("Lib_A"), "lib-a");
        assert_eq!(normalise_name("lib..--b"), "lib-b");
        assert_eq!(requirement_name("lib-b[x]>=1; python_version>'3'"), "lib-b");
        assert_eq!(requirement_name("  Lib.C ==1"), "Lib.C");
    }
}
