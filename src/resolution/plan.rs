//! From a lock to what the installer runs: each runtime tool's (`npm:prettier`,
//! `pypi:black`) [`environment::Plan`], with the spec of the runtime it is built with —
//! the project's own, or vx's own runtime locked inside the tool's entry. Planned after
//! resolution, apart from it: the resolvers never need it, and it needs their tables.

use std::collections::BTreeMap;

use crate::backend::environment;
use crate::lock::Lock;
use crate::manifest::Platform;

/// Puts in each of `specs` (one platform's, in manifest order) whose lock entry keeps
/// an environment the [`environment::Plan`] that builds it, with the runtime's spec when the runtime
/// is among `specs` (so the installer installs it first, by the same engine). An npm
/// tool is given the folder of the project's `manifest`, whose `.npmrc` is read there
/// ([`environment::NPMRC_DIR`]), when the user trusts the project (`vx trust`): a
/// cloned project's `.npmrc` is not read until then.
pub fn plan_specs(
    specs: &mut [crate::spec::ToolSpec],
    lock: &Lock,
    platform: &Platform,
    manifest: Option<&std::path::Path>,
) {
    let project_dir = manifest
        .filter(|m| crate::trust::is_trusted(m))
        .and_then(std::path::Path::parent);
    let all: BTreeMap<String, crate::spec::ToolSpec> =
        specs.iter().map(|s| (s.name.clone(), s.clone())).collect();
    for spec in specs.iter_mut() {
        let Some(entry) = lock.tools.get(&spec.name) else {
            continue;
        };
        let (Some(environment), Some(package)) = (&entry.environment, &entry.package) else {
            continue;
        };
        let Ok(Some(name)) = crate::package_name::Name::parse(package) else {
            continue;
        };
        let manager = match name.kind {
            crate::package_name::Kind::Npm => environment::Manager::Npm,
            crate::package_name::Kind::Pypi => environment::Manager::Pip,
            _ => continue,
        };
        let runtime_spec = match &environment.own_runtime {
            Some(entry) => own_runtime_spec(&environment.runtime, entry, platform),
            None => all
                .get(&environment.runtime)
                .filter(|r| r.version == environment.runtime_version)
                .cloned(),
        };
        let plan = environment::Plan {
            manager,
            package: name.package.clone(),
            version: entry.version.clone(),
            runtime: environment.runtime.clone(),
            runtime_version: environment.runtime_version.clone(),
            registry: environment.registry.clone(),
            lockfile: environment.lockfile.clone(),
            allow_builds: environment.allow_builds.clone(),
        };
        if let Ok(value) = serde_json::to_value(&plan) {
            spec.options.insert(environment::OPTION.to_owned(), value);
        }
        if let (environment::Manager::Npm, Some(dir)) = (manager, project_dir) {
            spec.options.insert(
                environment::NPMRC_DIR.to_owned(),
                serde_json::Value::String(dir.to_string_lossy().into_owned()),
            );
        }
        // Installed first by the same engine, as a crate's rust is
        // (`crate::install::build_with`).
        if let Some(value) = runtime_spec.and_then(|r| serde_json::to_value(&r).ok()) {
            spec.options
                .insert(crate::install::build_with::OPTION.to_owned(), value);
        }
        // A PyPI tool's installer, vx's uv, installed first the same way; without one
        // for this platform, python's pip builds the environment.
        let installer = environment
            .installer
            .as_deref()
            .filter(|_| manager == environment::Manager::Pip)
            .and_then(|entry| super::backend::uv::spec(entry, platform));
        if let Some(value) = installer.and_then(|u| serde_json::to_value(&u).ok()) {
            spec.options
                .insert(crate::install::build_with::INSTALLER.to_owned(), value);
        }
    }
}

/// vx's own `runtime` as `entry` (an environment's `own_runtime`) locks it, on
/// `platform`: its download by the locked checksum, laid out as vx's built-in runtime
/// of that name lays it out. `None` when the entry has no download for `platform`.
fn own_runtime_spec(
    runtime: &str,
    entry: &crate::lock::LockedTool,
    platform: &Platform,
) -> Option<crate::spec::ToolSpec> {
    let catalogue = crate::runtime::catalogue::Catalogue::builtin_only();
    let found = catalogue.find(runtime).ok()??;
    let table = super::named::Named::Runtime(found).table(entry.constraint.as_deref()?);
    let mut lock = Lock::default();
    lock.tools.insert(table.name.clone(), entry.clone());
    let concrete = super::pinned::from_lock(&table, &lock, &catalogue)?;
    let mut spec = concrete.resolve(platform).ok()?;
    lock.fresh(&concrete, platform)?.apply_to(&mut spec);
    Some(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, version: &str) -> crate::spec::ToolSpec {
        crate::spec::ToolSpec::new(name, version, format!("https://example.org/{name}.tgz"))
    }

    #[test]
    fn a_locked_environment_plans_the_install_with_the_runtimes_spec() {
        let lock = Lock::parse(
            std::path::Path::new("vx.lock"),
            &format!("version = 1\n\n[tools.prettier]\nversion = \"3.10.1\"\ninputs = \"sha256:{}\"\npackage = \"npm:prettier\"\n\n[tools.prettier.environment]\nruntime = \"node\"\nruntime_version = \"20.11.1\"\nregistry = \"https://registry.npmjs.org\"\nlockfile = \"{{}}\"\n", "0".repeat(64)),
        )
        .unwrap();
        let mut specs = vec![spec("node", "20.11.1"), spec("prettier", "3.10.1")];
        plan_specs(&mut specs, &lock, &"linux-x86_64".parse().unwrap(), None);
        assert!(environment::Plan::of(&specs[0].options).is_none());
        let plan = environment::Plan::of(&specs[1].options).unwrap().unwrap();
        assert_eq!(plan.manager, environment::Manager::Npm);
        assert_eq!(
            (plan.package.as_str(), plan.version.as_str()),
            ("prettier", "3.10.1")
        );
        // The runtime's spec, installed first as a crate's rust is.
        let mut tool = specs[1].clone();
        let runtime = crate::install::build_with::take(&mut tool)
            .unwrap()
            .unwrap();
        assert_eq!(
            (runtime.name.as_str(), runtime.version.as_str()),
            ("node", "20.11.1")
        );
        // Another node than the one the set was resolved with is not taken for it.
        let mut specs = vec![spec("node", "22.12.0"), spec("prettier", "3.10.1")];
        plan_specs(&mut specs, &lock, &"linux-x86_64".parse().unwrap(), None);
        assert!(environment::Plan::of(&specs[1].options).is_some());
        assert!(
            crate::install::build_with::take(&mut specs[1])
                .unwrap()
                .is_none()
        );
    }
}
