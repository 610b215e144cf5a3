//! The driver of the registries whose packages ship their command as per-platform
//! packages or run on their runtime (npm, PyPI: [`super::npm`], [`super::pypi`]), each
//! a [`Package`]. Binary first: a package that ships its command per platform
//! installs like any tool, with no runtime. A package that needs its runtime
//! (`npm:prettier`, `pypi:black`) is a runtime tool: its own archive is locked as the
//! download (the registry's hash), and its whole dependency set is resolved at lock
//! time by the project's runtime (installed first by the engine's one installer of a
//! build runtime, `crate::install::build_with::prepare`) with its own package manager,
//! and kept in the lock entry's `environment`.

use std::collections::BTreeMap;
use std::path::Path;

use vx_base::format::ArchiveFormat;
use vx_model::lock::{Asset, Environment, Lock};
use vx_model::manifest::{Override, Platform, ToolTable};
use vx_sources::backend::Name;
use vx_sources::backend::environment;
use vx_sources::runtime::Release;

use super::super::ResolutionError;
use super::{Backend, Checked, Picked, Registries, own_constraint};

/// A registry whose packages ship per-platform programs or run on their runtime, as
/// the driver asks it.
pub(super) trait Package: Backend {
    /// Every version of `name`, newest first.
    fn versions(&self, r: &Registries<'_>, name: &Name) -> Result<Vec<Release>, ResolutionError>;

    /// The layout its archive has on `platform`, set on `over` (known from the
    /// format alone, so a locked tool installs without its registry).
    fn layout(&self, name: &Name, platform: &Platform, over: &mut Override);

    /// The runtime `name` at `version` runs on (`node`, `python`), or `None` when it
    /// ships its command as a per-platform program.
    fn runs_on(
        &self,
        r: &Registries<'_>,
        name: &Name,
        version: &str,
    ) -> Result<Option<&'static str>, ResolutionError>;

    /// Each platform's program of `name` at `version` (npm: the platform package's
    /// tarball and its integrity; PyPI: the wheel and its sha256), or why there is
    /// none.
    fn downloads(
        &self,
        r: &Registries<'_>,
        name: &Name,
        version: &str,
        platforms: &[Platform],
    ) -> Result<Vec<(Platform, Download)>, ResolutionError>;

    /// A runtime tool's own archive on each of `platforms`, with the registry's hash:
    /// the file its package manager installs there with the runtime at
    /// `runtime_version` (npm's one tarball everywhere; PyPI's wheel that fits the
    /// platform and that python best). vx downloads and checks it, and the manager
    /// installs it from that file.
    fn main_archives(
        &self,
        r: &Registries<'_>,
        name: &Name,
        version: &str,
        runtime_version: &str,
        platforms: &[Platform],
    ) -> Result<Vec<(Platform, Download)>, ResolutionError>;

    /// The whole dependency set of `name` at `version`, pinned by its package manager
    /// run from the runtime installed at `runtime_dir`, working in `scratch`: the
    /// registry as the lock may record it, and the manager's lockfile text.
    fn pin(
        &self,
        r: &Registries<'_>,
        name: &Name,
        version: &str,
        runtime_dir: &Path,
        scratch: &Path,
    ) -> Result<(String, String), ResolutionError>;

    /// The installer its environment is built with (vx's uv for PyPI), locked for
    /// `platforms`; none by default (npm's own builds it).
    fn installer(
        &self,
        r: &Registries<'_>,
        name: &Name,
        platforms: &[Platform],
        kept: Option<&vx_model::lock::LockedTool>,
    ) -> Option<Box<vx_model::lock::LockedTool>> {
        let _ = (r, name, platforms, kept);
        None
    }
}

/// One platform's download of a language-registry tool.
#[derive(Clone, Debug)]
pub(super) enum Download {
    /// A registry package's archive.
    Package {
        /// Its URL.
        url: String,
        /// The registry's hash of it.
        hash: Hash,
        /// Where that came from (`index:URL`).
        source: String,
        /// The package or file that holds it (`@esbuild/linux-x64`, a wheel's name).
        package: String,
        /// How it is packed.
        format: ArchiveFormat,
        /// Its commands, when the format says where they are (a wheel's
        /// `.data/scripts/`); `None`: found in it.
        bin: Option<Vec<String>>,
    },
    /// None: why.
    Unsupported(String),
}

/// A registry's hash of a download.
#[derive(Clone, Debug)]
pub(super) enum Hash {
    /// An SRI value (npm's `sha512-…`).
    Integrity(String),
    /// A sha256, hex (PyPI's).
    Sha256(String),
}

/// The version `constraint` picks of `name`, when this vx can install it on
/// `platform` (a program for it, or its runtime: the project's, or vx's own).
pub(super) fn check(
    package: &dyn Package,
    r: &Registries<'_>,
    name: &Name,
    constraint: &str,
    platform: &Platform,
) -> Result<Checked, ResolutionError> {
    let checked = |release| Checked {
        release,
        own_runtime: None,
    };
    let release = package.pick(r, name, constraint)?;
    if let Some(runtime) = package.runs_on(r, name, &release.version)? {
        // Installed into an environment of its own with the project's runtime,
        // else with vx's own (locked with the tool).
        let expected = r.expected_runtimes.iter().any(|e| e == runtime);
        return Ok(match runtime_tool(&r.tools, runtime) {
            Some(_) => checked(release),
            None if expected => checked(release),
            None => Checked {
                release,
                own_runtime: Some(runtime),
            },
        });
    }
    let downloads = package.downloads(r, name, &release.version, std::slice::from_ref(platform))?;
    match downloads.first() {
        Some((_, Download::Unsupported(why))) => Err(ResolutionError::Usage(why.clone())),
        _ => Ok(checked(release)),
    }
}

/// Resolves the `picked` package (per-platform programs, or its archive and an
/// environment on its runtime); records it in `lock` and returns the concrete table.
pub(super) fn resolve(
    package: &dyn Package,
    registries: &Registries<'_>,
    picked: &Picked<'_>,
    lock: &mut Lock,
) -> Result<ToolTable, ResolutionError> {
    let Picked {
        name,
        tool,
        constraint,
        ref version,
        ref wanted,
    } = *picked;
    let (downloads, environment) = match package.runs_on(registries, name, version)? {
        None => (package.downloads(registries, name, version, wanted)?, None),
        Some(runtime) => {
            let environment = runtime_environment(package, registries, picked, runtime, lock)?;
            let downloads = package.main_archives(
                registries,
                name,
                version,
                &environment.runtime_version,
                wanted,
            )?;
            (downloads, Some(environment))
        }
    };
    if !downloads.is_empty()
        && downloads
            .iter()
            .all(|(_, d)| matches!(d, Download::Unsupported(_)))
    {
        return Err(ResolutionError::Usage(format!(
            "{name} {version} has a platform package for none of the platforms locked ({})",
            wanted
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let (overrides, assets) = overrides_and_assets(name, version, &downloads)?;
    let (table, entry) = super::record(lock, picked, overrides, assets);
    if let Some(entry) = entry {
        entry.environment = environment;
        for (platform, download) in &downloads {
            let key = platform.to_string();
            if let Download::Unsupported(reason) = download {
                entry.platforms.remove(&key);
                entry.unsupported.insert(key, reason.clone());
            } else {
                entry.unsupported.remove(&key);
            }
        }
    }
    for (platform, download) in &downloads {
        match download {
            Download::Unsupported(reason) => registries
                .net
                .progress(&format!("{}: {platform}: {reason}", tool.name)),
            Download::Package { package, .. } => registries
                .net
                .progress(&format!("{}: {platform}: {package}", tool.name)),
        }
    }
    registries.net.progress(&format!(
        "resolved {} {constraint} to {version} ({name})",
        tool.name
    ));
    Ok(table)
}

/// The environment the `picked` tool (which runs on `runtime`) is installed into: the
/// one its lock entry holds while it was built on the same runtime, builds and own
/// runtime, else resolved afresh; a PyPI tool's installer resolved for the platforms
/// wanted plus the host.
fn runtime_environment(
    package: &dyn Package,
    registries: &Registries<'_>,
    picked: &Picked<'_>,
    runtime: &'static str,
    lock: &Lock,
) -> Result<Environment, ResolutionError> {
    let Picked {
        name,
        tool,
        ref version,
        ref wanted,
        ..
    } = *picked;
    let builds = allow_builds(tool)?;
    let held = lock
        .tools
        .get(&tool.name)
        .filter(|e| e.version == *version)
        .and_then(|e| e.environment.clone());
    let platforms = with_host(wanted);
    let (runtime_table, own) = runtime_table(
        registries,
        name,
        version,
        runtime,
        &platforms,
        held.as_ref(),
    )?;
    let held_installer = held.as_ref().and_then(|e| e.installer.clone());
    let held_installer = held_installer.as_deref();
    let kept = held.filter(|e| {
        e.runtime == runtime_table.name
            && e.runtime_version == runtime_table.version
            && e.allow_builds == builds
            && e.own_runtime.is_some() == own.is_some()
    });
    let mut environment = match kept {
        Some(environment) => environment,
        None => registries.environment(package, name, version, &runtime_table, builds)?,
    };
    environment.own_runtime = own;
    environment.installer = package.installer(registries, name, &with_host(wanted), held_installer);
    Ok(environment)
}

/// `platforms` plus the host's, when they do not hold it.
fn with_host(platforms: &[Platform]) -> Vec<Platform> {
    let mut platforms = platforms.to_vec();
    let host = Platform::current();
    if !platforms.contains(&host) {
        platforms.push(host);
    }
    platforms
}

/// The concrete table of the `runtime` `name` at `version` runs on, for
/// `platforms`: the project's when it locked one; else vx's own, resolved here
/// (its lock entry returned with it) at the project's declared constraint or at
/// [`own_constraint`], keeping the own runtime `held` was locked with.
fn runtime_table(
    registries: &Registries<'_>,
    name: &Name,
    version: &str,
    runtime: &str,
    platforms: &[Platform],
    held: Option<&Environment>,
) -> Result<(ToolTable, Option<Box<vx_model::lock::LockedTool>>), ResolutionError> {
    match runtime_tool(&registries.tools, runtime) {
        // Declared, not locked yet (`vx x npm:prettier` in a project never
        // locked): the project's constraint resolved for this run, carried in
        // the tool's entry as vx's own would be; `vx lock` pins the project's.
        Some(table) if table.registry.is_some() && table.platforms.is_empty() => {
            let declared = table.registry.as_ref().map(|r| r.constraint.clone());
            let (Some(own), Some(constraint)) = (registries.own_runtime, declared) else {
                return Err(ResolutionError::Usage(format!(
                    "{name} {version} runs on the project's {runtime}, which is not locked yet: run `vx lock` first"
                )));
            };
            let (table, entry) = own(runtime, &constraint, platforms, None)?;
            registries.net.progress(&format!(
                "{name}: runs on the project's {runtime} ({runtime} = \"{constraint}\"), which is not locked yet: {runtime} {} resolved for this run (`vx lock` pins it)",
                table.version
            ));
            Ok((table, Some(Box::new(entry))))
        }
        Some(table) => Ok((table.clone(), None)),
        None => {
            let own = registries
                .own_runtime
                .ok_or_else(|| no_runtime(name, version, runtime))?;
            let kept = held.and_then(|e| e.own_runtime.as_deref());
            let (table, entry) = own(runtime, own_constraint(runtime), platforms, kept)?;
            registries.net.progress(&format!(
                "{name}: runs on {runtime}, which the project does not name: vx's own {runtime} {} ({runtime} = \"{}\"), locked with it",
                table.version,
                own_constraint(runtime)
            ));
            Ok((table, Some(Box::new(entry))))
        }
    }
}

/// A tool's platform overrides, and the lock's assets of its downloads.
type OverridesAndAssets = (BTreeMap<Platform, Override>, Vec<(Platform, Asset)>);

/// The platform overrides of `downloads`, and the lock's asset of each download a
/// registry package has; an asset a later read of the lock would refuse (a URL
/// that is not http(s), a `bin` escaping the install) is refused here, by the
/// package's name.
fn overrides_and_assets(
    name: &Name,
    version: &str,
    downloads: &[(Platform, Download)],
) -> Result<OverridesAndAssets, ResolutionError> {
    let mut overrides = BTreeMap::new();
    let mut assets = Vec::new();
    for (platform, download) in downloads {
        let mut over = override_of(download);
        super::layout(name, platform, &mut over);
        if let Download::Package {
            url,
            hash,
            source,
            package,
            format,
            ..
        } = download
        {
            let mut asset = match hash {
                Hash::Integrity(value) => Asset::with_integrity(url.clone(), value.clone()),
                Hash::Sha256(hex) => Asset::new(url.clone(), hex.clone(), None),
            };
            asset.format = Some(format.name().to_owned());
            asset.bin = over.bin.clone();
            asset.checksum = Some(source.clone());
            if let Some(problem) = super::download_problem(url, &asset) {
                return Err(ResolutionError::Usage(format!(
                    "{name} {version} on {platform} ({package}): {problem}"
                )));
            }
            assets.push((platform.clone(), asset));
        }
        overrides.insert(platform.clone(), over);
    }
    Ok((overrides, assets))
}

/// The platform override `download` locks, before its registry's layout is set:
/// its URL, hash, format and `bin`, or why it is unsupported.
fn override_of(download: &Download) -> Override {
    match download {
        Download::Unsupported(reason) => Override {
            unsupported: Some(reason.clone()),
            ..Override::default()
        },
        Download::Package {
            url,
            hash,
            format,
            bin,
            ..
        } => Override {
            url: Some(url.clone()),
            sha256: match hash {
                Hash::Sha256(hex) => Some(hex.clone()),
                Hash::Integrity(_) => None,
            },
            integrity: match hash {
                Hash::Integrity(value) => Some(value.clone()),
                Hash::Sha256(_) => None,
            },
            format: Some(*format),
            bin: bin.clone(),
            ..Override::default()
        },
    }
}

/// The project's tool that is the runtime `runtime` (`node`, `python`), by the one rule
/// of [`vx_model::package_name::is_runtime`].
fn runtime_tool<'t>(tools: &'t [ToolTable], runtime: &str) -> Option<&'t ToolTable> {
    tools.iter().find(|t| {
        let lookup = t.registry.as_ref().map(|r| r.lookup.as_str());
        vx_model::package_name::is_runtime(&t.name, lookup, runtime)
    })
}

/// The refusal of a runtime tool in a project without its runtime.
fn no_runtime(name: &Name, version: &str, runtime: &str) -> ResolutionError {
    ResolutionError::Usage(format!(
        "{name} {version} runs on {runtime}: add {runtime} to the project's tools (`vx use {runtime}`), and vx installs {name} into an environment of its own with it"
    ))
}

/// A tool's `allow_builds` (`allow_builds = ["esbuild"]` in its table, an option
/// once parsed): the packages whose install scripts may run.
fn allow_builds(tool: &ToolTable) -> Result<Vec<String>, ResolutionError> {
    let Some(value) = tool.options.get(environment::ALLOW_BUILDS) else {
        return Ok(Vec::new());
    };
    let list = value.as_array().and_then(|l| {
        l.iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
    });
    let list = list.ok_or_else(|| {
        ResolutionError::Usage(format!(
            "{}: `{}` must be a list of package names",
            tool.name,
            environment::ALLOW_BUILDS
        ))
    })?;
    for package in &list {
        if package.is_empty() || package.starts_with('-') || package.contains(char::is_whitespace) {
            return Err(ResolutionError::Usage(format!(
                "{}: `{}`: {package:?} is not a package name",
                tool.name,
                environment::ALLOW_BUILDS
            )));
        }
    }
    Ok(list)
}

impl Registries<'_> {
    /// The environment of the runtime tool `name` at `version`: `runtime` (the
    /// project's node or python) installed by vx's engine, its package manager run to
    /// pin the whole dependency set by the registries' hashes.
    fn environment(
        &self,
        package: &dyn Package,
        name: &Name,
        version: &str,
        runtime: &ToolTable,
        allow_builds: Vec<String>,
    ) -> Result<Environment, ResolutionError> {
        let fail = |why: String| ResolutionError::Environment(format!("{name} {version}: {why}"));
        let host = Platform::current();
        let spec = runtime.resolve(&host).map_err(|e| fail(e.to_string()))?;
        // Into the run's store (`--store`), by the installer a child uses
        // (`crate::install::build_with::prepare`), its progress among the run's lines.
        let store = crate::store::prepare(self.net.options.store.clone())
            .map_err(|e| fail(e.to_string()))?;
        let mut cfg = vx_model::config_frame::InstallConfig::new(
            vx_model::spec::ToolSpec::new(name.short_name(), version, ""),
            store,
        );
        cfg.offline = self.net.options.offline;
        let opts = crate::install::InstallOptions {
            net: self.net.net.clone(),
            ..crate::install::InstallOptions::default()
        };
        self.net.progress(&format!(
            "{name}: runs on {} {}: installing it to resolve its dependencies",
            runtime.name, runtime.version
        ));
        let say = |line: &str| self.net.progress(line);
        let mut sink = crate::install::LineSink::through(&say, &name.short_name(), version);
        let runtime_dir = crate::install::build_with::prepare(spec, &cfg, &mut sink, &opts)
            .map_err(|e| fail(format!("installing {}: {e}", runtime.name)))?
            .dir;
        let scratch = crate::scratch::new("environment").map_err(|e| fail(e.to_string()))?;
        let (registry, lockfile) =
            package.pin(self, name, version, &runtime_dir, scratch.path())?;
        Ok(Environment {
            runtime: runtime.name.clone(),
            runtime_version: runtime.version.clone(),
            registry,
            allow_builds,
            lockfile,
            own_runtime: None,
            installer: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runtime_tool_finds_the_projects_runtime_and_its_allowed_builds() {
        let manifest = vx_model::manifest::Manifest::parse(
            std::path::Path::new("vx.toml"),
            "[tools]\nnode = \"20\"\n[tools.fmt]\npackage = \"npm:prettier\"\nversion = \"3\"\nallow_builds = [\"@parcel/watcher\"]\n[tools.bad]\npackage = \"npm:x\"\nversion = \"1\"\nallow_builds = [\"--script\"]\n",
        )
        .unwrap();
        assert_eq!(
            runtime_tool(&manifest.tools, "node").map(|t| t.name.as_str()),
            Some("node")
        );
        assert!(runtime_tool(&manifest.tools, "python").is_none());
        let fmt = manifest.tool("fmt").unwrap();
        assert_eq!(allow_builds(fmt).unwrap(), ["@parcel/watcher"]);
        let err = allow_builds(manifest.tool("bad").unwrap()).unwrap_err();
        assert!(err.to_string().contains("not a package name"), "{err}");
        let name = Name::parse("npm:prettier").unwrap().unwrap();
        let err = no_runtime(&name, "3.10.1", "node").to_string();
        assert!(err.contains("runs on node: add node"), "{err}");
    }
}
