//! aqua's `aqua.yaml` (aquaproj.github.io, "Configuration", "Split the list of
//! packages"): `packages` of `name: owner/repo@tag`, or `name: owner/repo` with
//! `version:`; `import:` entries and `import_dir` naming more files of packages
//! (`import_dir: imports` is `import: imports/*.yml` and `imports/*.yaml`), which
//! [`super::read`] follows; `registries`, of which `type: local` ones (a `path` relative
//! to the file) become vx's `[settings] registries` so their packages import too.

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::{Entry, Imported, Include, Lookup, Malformed, Registries};

#[derive(Deserialize, Default)]
struct Config {
    #[serde(default)]
    packages: Vec<Spanned<Package>>,
    #[serde(default)]
    registries: Vec<Spanned<Registry>>,
    import_dir: Option<Spanned<String>>,
}

#[derive(Deserialize)]
struct Package {
    name: Option<String>,
    version: Option<String>,
    registry: Option<String>,
    import: Option<String>,
}

/// One of `registries`.
#[derive(Deserialize)]
struct Registry {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    path: Option<String>,
}

/// A registry an `aqua.yaml` declares, as vx can use it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeclaredRegistry {
    /// `type: local`: a file, its `path` as written (relative to the aqua.yaml).
    Local(String),
    /// Another type (`github_content`), named for the skip reason.
    Other(String),
}

/// An aqua file as read: its packages, the files it imports, its registries.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    /// Its packages.
    pub imported: Imported,
    /// The files it pulls in (`import:`, `import_dir`).
    pub includes: Vec<Include>,
    /// The registries it declares other than `standard`.
    pub registries: Registries,
}

/// Parses an `aqua.yaml`'s packages (its imports are [`parse_all`]'s).
pub(crate) fn parse(text: &str) -> Result<Imported, Malformed> {
    parse_all(text).map(|p| p.imported)
}

/// Parses an `aqua.yaml`.
pub(crate) fn parse_all(text: &str) -> Result<Parsed, Malformed> {
    let mut options = serde_saphyr::Options::default();
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = 100_000;
    options.budget = Some(budget);
    // As aqua's goccy/go-yaml (YAML 1.2): `no` is a string, not YAML 1.1's false.
    options.strict_booleans = true;
    let config: Option<Config> =
        serde_saphyr::from_str_with_options(text, options).map_err(|e| {
            let line = e.location().map(|l| l.line() as usize).filter(|l| *l > 0);
            let message = e.to_string();
            let first = message.lines().next().unwrap_or("").trim();
            let first = vx_base::validate::yaml_too_deep(first).unwrap_or_else(|| first.to_owned());
            Malformed::at(line, format!("not an aqua.yaml: {first}"))
        })?;
    let mut parsed = Parsed::default();
    let config = config.unwrap_or_default();
    let line_of = |at: usize| Some(at).filter(|l| *l > 0);
    for registry in config.registries {
        let line = line_of(registry.referenced.line() as usize);
        let registry = registry.value;
        let kind = registry.kind.as_deref().unwrap_or("");
        let name = match (kind, registry.name) {
            ("standard", None) => continue,
            (_, Some(name)) => name,
            (_, None) => return Err(Malformed::at(line, "a registry without `name`")),
        };
        let declared = match (kind, registry.path) {
            ("standard", _) => continue,
            ("local", Some(path)) => DeclaredRegistry::Local(path),
            ("local", None) => {
                return Err(Malformed::at(
                    line,
                    "a `type: local` registry without `path`",
                ));
            }
            (other, _) => DeclaredRegistry::Other(other.to_owned()),
        };
        parsed.registries.push((name, declared));
    }
    for package in config.packages {
        let line = line_of(package.referenced.line() as usize);
        let package = package.value;
        if let Some(import) = &package.import {
            parsed.includes.push(Include {
                pattern: import.clone(),
                line,
                optional: false,
            });
            continue;
        }
        let Some(name) = package.name.as_deref() else {
            return Err(Malformed::at(line, "a package without `name`"));
        };
        let (name, version) = match name.rsplit_once('@') {
            Some((name, tag)) => (name, tag),
            None => (name, package.version.as_deref().unwrap_or("")),
        };
        let mut entry = Entry::new(name, version, line);
        let registry = package.registry.filter(|r| r != "standard");
        // aqua names packages by their registry name only; a registry of the project's
        // own may name one without an owner (`mytool`, an `http` package).
        entry.lookup = entry.lookup.and_then(|l| match l {
            Lookup::Plugin(n) if registry.is_some() => Ok(Lookup::Package(n)),
            Lookup::Plugin(n) => Err(super::LookupError::NotPackageName { name: n }),
            package => Ok(package),
        });
        entry.registry = registry;
        parsed.imported.tools.push(entry);
    }
    // aqua reads `import_dir` in addition to `packages`, after them.
    if let Some(dir) = config.import_dir {
        let line = line_of(dir.referenced.line() as usize);
        let dir = dir.value.trim_end_matches('/');
        for ext in ["yml", "yaml"] {
            parsed.includes.push(Include {
                pattern: format!("{dir}/*.{ext}"),
                line,
                optional: true,
            });
        }
    }
    Ok(parsed)
}
