//! The one planner of what a tool needs besides its download ([`vx_model::spec::Needs`]):
//! the runtime a `cargo:` crate or a `go:` module is built with, and a runtime tool's
//! (`npm:prettier`, `pypi:black`) environment with the runtime and the installer that
//! build it. Called after resolution, apart from it, by every path that hands a spec
//! to the installer: the sync plan (`vx_project::plan`), `vx x`, `vx exec T@V` and
//! `vx T@V` ([`super::at_version`]).
//!
//! One rule answers "the project's runtime": the project's tool named so, or whose
//! package is that runtime (`runtime:node`, a registry's `REGISTRY:runtime:node`)
//! ([`vx_model::package_name::is_runtime`]), first in the project's order; the resolver
//! picks a runtime tool's runtime at lock time by the same rule
//! (`super::backend::Registries::check`).

use vx_model::lock::Lock;
use vx_model::manifest::{Manifest, Platform};
use vx_model::package_name::{Name, is_runtime};
use vx_model::spec::ToolSpec;
use vx_model::spec::needs::{Manager, Plan};

use super::ResolutionError;

/// The project's tools a planned tool may be built with, each resolved for the
/// platform with its lock entry's package, and the project's folder when the user
/// trusts it (its `.npmrc` is read by npm only then: `vx trust`).
#[derive(Debug, Default)]
pub struct ProjectTools {
    tools: Vec<(ToolSpec, Option<String>)>,
    trusted_dir: Option<std::path::PathBuf>,
}

impl ProjectTools {
    /// `tools` (one platform's specs, in the project's order) with their packages in
    /// `lock`, of the project whose manifest is at `manifest`.
    pub fn of(tools: &[ToolSpec], lock: &Lock, manifest: Option<&std::path::Path>) -> ProjectTools {
        let package = |name: &str| lock.tools.get(name).and_then(|e| e.package.clone());
        ProjectTools {
            tools: tools
                .iter()
                .map(|t| (t.clone(), package(&t.name)))
                .collect(),
            trusted_dir: trusted_dir(manifest),
        }
    }

    /// `project`'s tools as `lock` pins them on `platform` (what a name on the command
    /// line is built with): the registry tools the lock does not pin are left out.
    pub(crate) fn pinned(
        project: &Manifest,
        lock: Option<&Lock>,
        catalogue: &vx_sources::runtime::catalogue::Catalogue,
        platform: &Platform,
    ) -> ProjectTools {
        let (pinned, unresolved) = super::pinned::pin(project, lock, catalogue);
        let mut tools = Vec::new();
        for table in pinned
            .tools
            .iter()
            .filter(|t| !unresolved.contains(&t.name))
        {
            let Ok(mut spec) = table.resolve(platform) else {
                continue;
            };
            if let Some(asset) = lock.and_then(|l| l.fresh(table, platform)) {
                asset.apply_to(&mut spec);
            }
            let package = lock
                .and_then(|l| l.tools.get(&table.name))
                .and_then(|e| e.package.clone())
                .or_else(|| table.registry.as_ref().map(|r| r.lookup.clone()));
            tools.push((spec, package));
        }
        ProjectTools {
            tools,
            trusted_dir: trusted_dir(Some(&project.path)),
        }
    }

    /// The project's runtime `runtime` ([`is_runtime`]), first in the project's order.
    fn runtime(&self, runtime: &str) -> Option<&ToolSpec> {
        self.tools
            .iter()
            .find(|(spec, package)| is_runtime(&spec.name, package.as_deref(), runtime))
            .map(|(spec, _)| spec)
    }
}

/// The folder of `manifest` when the user trusts the project.
fn trusted_dir(manifest: Option<&std::path::Path>) -> Option<std::path::PathBuf> {
    manifest
        .filter(|m| crate::trust::is_trusted(m))
        .and_then(std::path::Path::parent)
        .map(std::path::Path::to_path_buf)
}

/// Fills the [`vx_model::spec::Needs`] of each of `specs` (one platform's) whose entry in
/// `lock` is a language-registry package that needs a runtime: a runtime tool's
/// environment as the lock pins it, built with the project's runtime at the version
/// it was locked with (else vx's own runtime locked inside the entry, else the one
/// the store holds, found at install), and for a PyPI tool vx's uv; a crate or a Go
/// module built from source with the project's `rust` or `go`, which the project must
/// have (an error names it).
pub fn plan(
    specs: &mut [ToolSpec],
    project: &ProjectTools,
    lock: &Lock,
    platform: &Platform,
) -> Result<(), ResolutionError> {
    for spec in specs.iter_mut() {
        let Some(entry) = lock.tools.get(&spec.name) else {
            continue;
        };
        let Some(name) = registry_package(entry) else {
            continue;
        };
        let runtime = name.kind.runtime();
        match (name.kind.manager(), &entry.environment) {
            (Some(manager), Some(environment)) => {
                let built_with = match &environment.own_runtime {
                    Some(own) => own_runtime_spec(&environment.runtime, own, platform),
                    None => project
                        .runtime(runtime)
                        .filter(|r| r.version == environment.runtime_version)
                        .cloned(),
                };
                spec.needs.runtime = built_with.map(Box::new);
                spec.needs.environment = Some(Plan {
                    manager,
                    package: name.package.clone(),
                    version: entry.version.clone(),
                    runtime: environment.runtime.clone(),
                    runtime_version: environment.runtime_version.clone(),
                    registry: environment.registry.clone(),
                    lockfile: environment.lockfile.clone(),
                    allow_builds: environment.allow_builds.clone(),
                });
                spec.needs.npmrc_dir = project
                    .trusted_dir
                    .clone()
                    .filter(|_| manager == Manager::Npm);
                // Without vx's uv for this platform, python's pip builds it.
                spec.needs.installer = environment
                    .installer
                    .as_deref()
                    .filter(|_| manager == Manager::Pip)
                    .and_then(|entry| super::backend::uv::spec(entry, platform))
                    .map(Box::new);
            }
            // A package whose download is its program (esbuild's platform package, a
            // native program's wheel): nothing to build it with.
            (Some(_), None) => {}
            (None, _) if spec.post_install.is_some() => {
                let built_with = project.runtime(runtime).ok_or_else(|| {
                    ResolutionError::Usage(format!(
                        "{}: {name} is built from source with {runtime}: add it to [tools] (`vx use {runtime}`)",
                        spec.name
                    ))
                })?;
                spec.needs.runtime = Some(Box::new(built_with.clone()));
            }
            (None, _) => {}
        }
    }
    Ok(())
}

/// The language-registry package (`npm:prettier`, `cargo:ripgrep`) a lock entry is of,
/// if it is one: the only entries [`plan`] fills needs for.
fn registry_package(entry: &vx_model::lock::LockedTool) -> Option<Name> {
    entry
        .package
        .as_deref()
        .and_then(|p| Name::parse(p).ok().flatten())
}

/// Whether [`plan`] may need the project's tools for `spec` (its entry in `lock` is a
/// language-registry package): the caller resolves them only then.
pub(crate) fn may_need_project(spec: &ToolSpec, lock: &Lock) -> bool {
    lock.tools
        .get(&spec.name)
        .and_then(registry_package)
        .is_some()
}

/// vx's own `runtime` as `entry` (an environment's `own_runtime`) locks it, on
/// `platform`: its download by the locked checksum, laid out as vx's built-in runtime
/// of that name lays it out. `None` when the entry has no download for `platform`.
fn own_runtime_spec(
    runtime: &str,
    entry: &vx_model::lock::LockedTool,
    platform: &Platform,
) -> Option<ToolSpec> {
    let catalogue = vx_sources::runtime::catalogue::Catalogue::builtin_only();
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

    fn spec(name: &str, version: &str) -> ToolSpec {
        ToolSpec::new(name, version, format!("https://example.org/{name}.tgz"))
    }

    fn plan_with(specs: &mut [ToolSpec], lock: &Lock) -> Result<(), ResolutionError> {
        let project = ProjectTools::of(specs, lock, None);
        plan(specs, &project, lock, &"linux-x86_64".parse().unwrap())
    }

    #[test]
    fn a_locked_environment_plans_the_install_with_the_runtimes_spec() {
        let lock = Lock::parse(
            std::path::Path::new("vx.lock"),
            &format!("version = 1\n\n[tools.prettier]\nversion = \"3.10.1\"\ninputs = \"sha256:{}\"\npackage = \"npm:prettier\"\n\n[tools.prettier.environment]\nruntime = \"node\"\nruntime_version = \"20.11.1\"\nregistry = \"https://registry.npmjs.org\"\nlockfile = \"{{}}\"\n", "0".repeat(64)),
        )
        .unwrap();
        let mut specs = vec![spec("node", "20.11.1"), spec("prettier", "3.10.1")];
        plan_with(&mut specs, &lock).unwrap();
        assert!(specs[0].needs.is_empty());
        let plan = specs[1].needs.environment.clone().unwrap();
        assert_eq!(plan.manager, Manager::Npm);
        assert_eq!(
            (plan.package.as_str(), plan.version.as_str()),
            ("prettier", "3.10.1")
        );
        // The runtime's spec, installed first as a crate's rust is.
        let runtime = specs[1].needs.runtime.clone().unwrap();
        assert_eq!(
            (runtime.name.as_str(), runtime.version.as_str()),
            ("node", "20.11.1")
        );
        // An untrusted project's `.npmrc` is not named.
        assert_eq!(specs[1].needs.npmrc_dir, None);
        // Another node than the one the set was resolved with is not taken for it.
        let mut specs = vec![spec("node", "22.12.0"), spec("prettier", "3.10.1")];
        plan_with(&mut specs, &lock).unwrap();
        assert!(specs[1].needs.environment.is_some());
        assert!(specs[1].needs.runtime.is_none());
    }

    /// A crate is built with the project's rust, found by the same rule as a runtime
    /// tool's node: by its package (`runtime:rust`) under another name too; without
    /// one, the error says what to add.
    #[test]
    fn a_crate_is_built_with_the_projects_rust_by_the_one_rule() {
        let text = format!(
            "version = 1\n\n[tools.toolchain]\nversion = \"1.82.0\"\ninputs = \"sha256:{zero}\"\npackage = \"runtime:rust\"\n\n[tools.ripgrep]\nversion = \"14.1.1\"\ninputs = \"sha256:{zero}\"\npackage = \"cargo:ripgrep\"\n",
            zero = "0".repeat(64)
        );
        let lock = Lock::parse(std::path::Path::new("vx.lock"), &text).unwrap();
        let mut crate_tool = spec("ripgrep", "14.1.1");
        crate_tool.post_install = Some("cargo install".to_owned());
        let mut specs = vec![spec("toolchain", "1.82.0"), crate_tool.clone()];
        plan_with(&mut specs, &lock).unwrap();
        assert_eq!(
            specs[1].needs.runtime.as_deref().map(|r| r.name.as_str()),
            Some("toolchain")
        );
        let mut alone = vec![crate_tool];
        let err = plan_with(&mut alone, &lock).unwrap_err();
        assert!(err.to_string().contains("`vx use rust`"), "{err}");
    }

    #[test]
    fn the_rule_names_a_runtime_by_its_name_or_its_package() {
        assert!(is_runtime("node", None, "node"));
        assert!(is_runtime("nodejs", Some("runtime:node"), "node"));
        assert!(is_runtime("n", Some("corp:runtime:node"), "node"));
        assert!(is_runtime("n", Some("node"), "node"));
        assert!(!is_runtime("n", Some("runtime:nodejs"), "node"));
        assert!(!is_runtime("deno", Some("npm:node"), "node"));
    }
}
