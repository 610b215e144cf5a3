//! aqua's `aqua.yaml` (aquaproj.github.io, "Configuration"): `packages` of
//! `name: owner/repo@tag`, or `name: owner/repo` with `version:`. Its `registries` are
//! aqua's own; a package from a registry other than `standard` and an `import:` of
//! other files are reported, not followed.

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::{Entry, Imported, Lookup, Malformed};

#[derive(Deserialize, Default)]
struct Config {
    #[serde(default)]
    packages: Vec<Spanned<Package>>,
}

#[derive(Deserialize)]
struct Package {
    name: Option<String>,
    version: Option<String>,
    registry: Option<String>,
    import: Option<String>,
}

/// Parses an `aqua.yaml`.
pub fn parse(text: &str) -> Result<Imported, Malformed> {
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
            let first =
                crate::registry::package::too_deep(first).unwrap_or_else(|| first.to_owned());
            Malformed::at(line, format!("not an aqua.yaml: {first}"))
        })?;
    let mut imported = Imported::default();
    for package in config.unwrap_or_default().packages {
        let line = Some(package.referenced.line() as usize).filter(|l| *l > 0);
        let package = package.value;
        if let Some(import) = &package.import {
            let mut entry = Entry::new(import, "", line);
            entry.lookup = Err(format!(
                "`import: {import}` includes other files; run `vx import` on each"
            ));
            imported.tools.push(entry);
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
        // aqua names packages by their registry name only.
        entry.lookup = entry.lookup.and_then(|l| match l {
            Lookup::Plugin(n) => Err(format!("`{n}` is not a package name such as `owner/repo`")),
            package => Ok(package),
        });
        if let Some(registry) = package.registry.as_deref().filter(|r| *r != "standard") {
            entry.lookup = Err(format!(
                "from aqua's registry `{registry}`; add it to [settings] registries and `vx add` the package"
            ));
        }
        imported.tools.push(entry);
    }
    Ok(imported)
}
