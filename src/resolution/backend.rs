//! Language-registry tools (`"npm:esbuild" = "0.24"`, `crate::backend`) resolved and
//! pinned: the name and constraint to the registry's version, each platform's
//! download with the registry's own hash (npm's `integrity`), recorded in the lock as
//! any registry tool's entry is (`package = "npm:esbuild"`, `tag` the version), and
//! back from the lock with the layout the registry's format fixes (an npm tarball's
//! `package/` folder), so a locked tool installs without its registry.
//!
//! Binary first: a package that ships its command as a per-platform package (npm's
//! `optionalDependencies` matched by their `os`/`cpu`) installs like any tool, with
//! no node. A package that needs its runtime (`npm:prettier`, `pypi:black`) is a
//! runtime tool ([`crate::backend::environment`]): its own archive is locked as the
//! download (the registry's hash), and its whole dependency set is resolved at lock
//! time by the project's runtime (installed first by the same engine) with its own
//! package manager, and kept in the lock entry's `environment`.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::backend::environment;
use crate::backend::npm::{self, Packument, VersionDoc};
use crate::backend::npmrc::{Npmrc, Registry};
use crate::backend::pypi;
use crate::backend::{Kind, Name};
use crate::format::ArchiveFormat;
use crate::lock::{Asset, Environment, Lock};
use crate::manifest::{Override, Platform, ToolTable};
use crate::runtime::{Context, Release, RuntimeError};

use super::ResolutionError;

mod own_runtime;
mod source;
pub mod uv;

/// Reads the language registries for one run: the runtimes' [`Context`] (vx's one
/// client, its cache and `url_replacements`), and npm's configuration.
pub struct Registries<'a> {
    cx: &'a Context<'a>,
    net: &'a super::Network,
    npmrc: Npmrc,
    /// The project's folder (Cargo's `.cargo/config.toml` is read there).
    project_dir: std::path::PathBuf,
    /// `[settings] min_release_age`: versions published more recently are not picked
    /// (npm says when each was; a PyPI page in PEP 503's HTML does not).
    min_release_age: Option<std::time::Duration>,
    /// The project's tools (the runtimes concrete once resolved): where a runtime tool
    /// finds its runtime.
    tools: Vec<ToolTable>,
    /// Runtimes the run is adding to the project (`vx import`).
    expected_runtimes: Vec<String>,
    /// Resolves vx's own runtime for a runtime tool of a project that names none
    /// ([`OwnRuntime`]); `None`: such a tool is refused, naming what to add.
    own_runtime: Option<&'a OwnRuntime<'a>>,
}

/// What [`Registries::check`] found: the version picked, and the runtime the tool
/// runs on when it gets vx's own (the project names none).
#[derive(Clone, Debug)]
pub struct Checked {
    /// The version picked.
    pub release: Release,
    /// `node` or `python` when the tool runs on vx's own ([`own_constraint`]).
    pub own_runtime: Option<&'static str>,
}

/// Resolves vx's own `runtime` (`node`, `python`) at a constraint ([`own_constraint`],
/// or the one a project declares but has not locked yet) for the platforms given,
/// keeping the version of the entry given (locked before): the concrete table and its
/// lock entry.
pub type OwnRuntime<'a> = dyn Fn(
        &str,
        &str,
        &[Platform],
        Option<&crate::lock::LockedTool>,
    ) -> Result<(ToolTable, crate::lock::LockedTool), ResolutionError>
    + 'a;

/// The version of vx's own runtime a runtime tool gets when the project names none:
/// node's newest LTS line, python's newest stable release.
pub fn own_constraint(runtime: &str) -> &'static str {
    match runtime {
        "node" => "lts",
        _ => "latest",
    }
}

impl<'a> Registries<'a> {
    /// The registries as `project` (its `.npmrc` read only when it is trusted) and
    /// the environment configure them.
    pub fn new(
        cx: &'a Context<'a>,
        net: &'a super::Network,
        project: crate::backend::npmrc::Project<'_>,
        min_release_age: Option<std::time::Duration>,
    ) -> Registries<'a> {
        let env = |k: &str| std::env::var(k).ok();
        Registries {
            cx,
            net,
            npmrc: Npmrc::load(Some(project), &env),
            project_dir: project.dir.to_owned(),
            min_release_age,
            tools: Vec::new(),
            expected_runtimes: Vec::new(),
            own_runtime: None,
        }
    }

    /// With vx's own runtimes for a runtime tool of a project that names none.
    pub fn with_own_runtime(mut self, own: &'a OwnRuntime<'a>) -> Registries<'a> {
        self.own_runtime = Some(own);
        self
    }

    /// With runtimes the run is adding to the project (`node` from a mise file that
    /// also names `npm:prettier`).
    pub fn expecting(mut self, runtimes: Vec<String>) -> Registries<'a> {
        self.expected_runtimes = runtimes;
        self
    }

    /// With the project's tools as resolved so far (a runtime tool's runtime among
    /// them).
    pub fn with_tools(mut self, tools: Vec<ToolTable>) -> Registries<'a> {
        self.tools = tools;
        self
    }

    /// vx's uv locked for a PyPI runtime tool's environment (`kept`, when it covers
    /// `platforms`); `None`, said plainly, when uv cannot be had (its releases cannot
    /// be read, a mirror lacks them): the tool then installs with python's pip.
    fn installer(
        &self,
        name: &Name,
        platforms: &[Platform],
        kept: Option<&crate::lock::LockedTool>,
    ) -> Option<Box<crate::lock::LockedTool>> {
        match uv::lock(self.cx, platforms, kept) {
            Ok(entry) => {
                if kept != Some(&entry) {
                    self.net.progress(&format!(
                        "{name}: its environment is installed with uv {} (astral-sh/uv's release, locked with it)",
                        entry.version
                    ));
                }
                Some(Box::new(entry))
            }
            // The uv locked before is kept: a platform it does not cover installs
            // with pip.
            Err(e) if kept.is_some() => {
                self.net.progress(&format!(
                    "{name}: uv cannot be had ({e}): the uv locked before is kept, and a platform it has no build for installs with python's pip"
                ));
                kept.cloned().map(Box::new)
            }
            Err(e) => {
                self.net.progress(&format!(
                    "{name}: uv cannot be had ({e}): its environment installs with python's pip"
                ));
                None
            }
        }
    }

    /// npm's configuration, what it left out said once a run (the first time an npm
    /// registry is read).
    fn npm(&self) -> &Npmrc {
        for note in self.npmrc.notes() {
            self.net.note_once(note);
        }
        &self.npmrc
    }

    /// What may be picked now.
    fn age(&self) -> Age {
        Age {
            min: self.min_release_age,
            now: crate::utc::now(),
        }
    }

    /// The text at `url` from `registry`: through the run's cache when the registry
    /// needs no credentials; with its `Authorization` header (never shown) when it
    /// does, uncached.
    fn text(&self, registry: &Registry, url: &str) -> Result<Rc<str>, RuntimeError> {
        self.text_unshown(registry, url)
            .map_err(|e| shown_in(registry, e))
    }

    /// [`Registries::text`], its errors naming the URL as fetched.
    fn text_unshown(&self, registry: &Registry, url: &str) -> Result<Rc<str>, RuntimeError> {
        let Some(auth) = &registry.authorization else {
            return self.cx.text(url);
        };
        let fail = |reason: String| RuntimeError::Fetch {
            url: url.to_owned(),
            reason,
            without_network: false,
        };
        if self.net.options.offline {
            return Err(RuntimeError::Fetch {
                url: url.to_owned(),
                reason: "offline: a registry read with credentials is not cached".to_owned(),
                without_network: true,
            });
        }
        let client = crate::net::Client::new(self.net.net.clone(), crate::net::Timeouts::default());
        let request = crate::net::Request::get(url)
            .secret_header("Authorization", auth.clone())
            .header("Accept", "application/json");
        let answer = client.send(request).map_err(|e| fail(e.to_string()))?;
        if answer.status != 200 {
            return Err(fail(format!("the registry answered {}", answer.status)));
        }
        let body = answer
            .read_to_vec(crate::runtime::MAX_INDEX_BYTES)
            .map_err(|e| fail(e.to_string()))?;
        String::from_utf8(body)
            .map(Rc::from)
            .map_err(|_| fail("the answer is not UTF-8 text".to_owned()))
    }

    /// npm's document of `package`.
    fn packument(&self, package: &str) -> Result<(Registry, Packument), RuntimeError> {
        let registry = self.npm().registry_for(package);
        let url = npm::packument_url(&registry.url, package);
        let text = self.text(&registry, &url)?;
        let doc = serde_json::from_str(&text).map_err(|e| RuntimeError::Format {
            url: registry.show(&url),
            what: "npm packument".into(),
            reason: e.to_string(),
        })?;
        Ok((registry, doc))
    }

    /// npm's document of `package` at `version`.
    fn version_doc(
        &self,
        package: &str,
        version: &str,
    ) -> Result<(String, VersionDoc), RuntimeError> {
        let registry = self.npm().registry_for(package);
        let url = npm::version_url(&registry.url, package, version);
        let text = self.text(&registry, &url)?;
        let shown = registry.show(&url);
        let doc = serde_json::from_str(&text).map_err(|e| RuntimeError::Format {
            url: shown.clone(),
            what: "npm version document".into(),
            reason: e.to_string(),
        })?;
        Ok((shown, doc))
    }

    /// A PyPI project's page at the configured index: its URL as it may be shown
    /// ([`Registry::shown`]: what the lock's `index:` records) and its files.
    fn pypi_page(&self, project: &str) -> Result<(String, Vec<pypi::File>), RuntimeError> {
        let located = crate::backend::pipconf::located(&|k| std::env::var(k).ok());
        self.net.note_pip_index(&located);
        let registry = located.registry;
        let url = format!("{}/{project}/", registry.url);
        let text = self.text(&registry, &url)?;
        let files = pypi::parse_page(&url, &text).map_err(|reason| RuntimeError::Format {
            url: registry.show(&url),
            what: "PyPI simple index page (PEP 503/691)".into(),
            reason: reason.to_string(),
        })?;
        Ok((registry.show(&url), files))
    }

    /// Every version of `name`, newest first.
    pub fn versions(&self, name: &Name) -> Result<Vec<Release>, ResolutionError> {
        match name.kind {
            Kind::Npm => {
                let (_, doc) = self
                    .packument(&name.package)
                    .map_err(super::runtime::error)?;
                Ok(npm_releases(&doc))
            }
            Kind::Pypi => {
                let (_, files) = self
                    .pypi_page(&name.package)
                    .map_err(super::runtime::error)?;
                Ok(pypi_releases(&name.package, &files))
            }
            Kind::Cargo | Kind::Go => self.source_versions(name),
        }
    }

    /// The version `constraint` picks of `name`.
    pub fn pick(&self, name: &Name, constraint: &str) -> Result<Release, ResolutionError> {
        match name.kind {
            Kind::Npm => {
                let (_, doc) = self
                    .packument(&name.package)
                    .map_err(super::runtime::error)?;
                pick_npm(name, &doc, constraint, self.age())
            }
            Kind::Pypi => {
                let (_, files) = self
                    .pypi_page(&name.package)
                    .map_err(super::runtime::error)?;
                pick_among(
                    name,
                    &pypi_releases(&name.package, &files),
                    constraint,
                    self.age(),
                )
            }
            Kind::Cargo | Kind::Go => self.source_pick(name, constraint, self.age()),
        }
    }

    /// Each platform's wheel of the PyPI project `name` at `version`: the native
    /// program's (`py3-none-PLATFORM`) that fits it best, with the index's sha256.
    fn pypi_downloads(
        &self,
        name: &Name,
        version: &str,
        platforms: &[Platform],
    ) -> Result<Vec<(Platform, Download)>, ResolutionError> {
        let (page, files) = self
            .pypi_page(&name.package)
            .map_err(super::runtime::error)?;
        let wheels: Vec<(pypi::Wheel, &pypi::File)> = files
            .iter()
            .filter(|f| !f.yanked)
            .filter_map(|f| Some((pypi::Wheel::parse(&f.filename)?, f)))
            .filter(|(w, _)| w.version == version && w.is_of(&name.package))
            .collect();
        if wheels.is_empty() {
            return Err(ResolutionError::Usage(format!(
                "{name}: the index lists no wheel of version {version}; run `vx lock` to pick again"
            )));
        }
        if !wheels.iter().any(|(w, _)| w.is_native_program()) {
            return Err(ResolutionError::Usage(format!(
                "{name} {version} runs on python (its wheels are Python code, none a native program tagged py3-none-PLATFORM): it installs into an environment of its own with the project's python"
            )));
        }
        let mut out = Vec::new();
        for platform in platforms {
            let best = target(platform).and_then(|t| {
                wheels
                    .iter()
                    .filter(|(w, _)| w.is_native_program())
                    .filter_map(|(w, f)| Some((w.fit(&t)?, w, *f)))
                    .min_by_key(|(fit, _, f)| (*fit, f.filename.clone()))
            });
            let download = match best {
                None => Download::Unsupported(format!(
                    "{} {version} has no wheel for {platform}",
                    name.package
                )),
                Some((_, wheel, file)) => {
                    let sha256 = indexed_sha256(&page, file)?;
                    let command = match platform.os.as_str() {
                        "windows" => format!("{}.exe", name.short_name()),
                        _ => name.short_name(),
                    };
                    Download::Package {
                        url: file.url.clone(),
                        hash: Hash::Sha256(sha256),
                        source: format!("index:{page}"),
                        package: file.filename.clone(),
                        format: ArchiveFormat::Zip,
                        bin: Some(vec![wheel.script(&command)]),
                    }
                }
            };
            out.push((platform.clone(), download));
        }
        Ok(out)
    }

    /// The version `constraint` picks of `name`, when this vx can install it on
    /// `platform` (a binary for it, or its runtime: the project's, or vx's own): what
    /// `vx import` checks before it writes an entry a lock would refuse.
    pub fn check(
        &self,
        name: &Name,
        constraint: &str,
        platform: &Platform,
    ) -> Result<Checked, ResolutionError> {
        let checked = |release| Checked {
            release,
            own_runtime: None,
        };
        if !matches!(name.kind, Kind::Npm | Kind::Pypi) {
            // Built from source on any platform (with the project's runtime).
            return self.pick(name, constraint).map(checked);
        }
        let release = self.pick(name, constraint)?;
        if let Some(runtime) = self.runtime_of(name, &release.version)? {
            // Installed into an environment of its own with the project's runtime,
            // else with vx's own (locked with the tool).
            let expected = self.expected_runtimes.iter().any(|r| r == runtime);
            return Ok(match runtime_tool(&self.tools, runtime) {
                Some(_) => checked(release),
                None if expected => checked(release),
                None => Checked {
                    release,
                    own_runtime: Some(runtime),
                },
            });
        }
        let downloads = self.downloads(name, &release.version, std::slice::from_ref(platform))?;
        match downloads.first() {
            Some((_, Download::Unsupported(why))) => Err(ResolutionError::Usage(why.clone())),
            _ => Ok(checked(release)),
        }
    }

    /// Each platform's download of `name` at `version` (npm: the platform package's
    /// tarball and its integrity; PyPI: the wheel and its sha256), or why there is
    /// none.
    fn downloads(
        &self,
        name: &Name,
        version: &str,
        platforms: &[Platform],
    ) -> Result<Vec<(Platform, Download)>, ResolutionError> {
        match name.kind {
            Kind::Npm => self.npm_downloads(name, version, platforms),
            Kind::Pypi => self.pypi_downloads(name, version, platforms),
            _ => Err(not_yet(name)),
        }
    }

    /// Each platform's npm download of `name` at `version`.
    fn npm_downloads(
        &self,
        name: &Name,
        version: &str,
        platforms: &[Platform],
    ) -> Result<Vec<(Platform, Download)>, ResolutionError> {
        let (_, doc) = self
            .packument(&name.package)
            .map_err(super::runtime::error)?;
        let main = doc.versions.get(version).ok_or_else(|| {
            ResolutionError::Usage(format!(
                "{name}: the registry lists no version {version} (it was unpublished?); run `vx lock` to pick again"
            ))
        })?;
        let platform_packages = main
            .optional_dependencies
            .keys()
            .any(|dep| dep.contains('/') || dep.contains('-'));
        if !platform_packages {
            return Err(needs_runtime(name, main));
        }
        let mut out = Vec::new();
        let mut any = false;
        for platform in platforms {
            let found = self.platform_package(main, platform)?;
            let download = match found {
                Some((url, doc)) => {
                    any = true;
                    let integrity = doc
                        .dist
                        .integrity
                        .clone()
                        .filter(|v| crate::verify::integrity::check(v).is_ok());
                    let Some(integrity) = integrity else {
                        return Err(ResolutionError::Environment(format!(
                            "{url}: {}@{} has no sha512 integrity; nothing was locked",
                            doc.name, doc.version
                        )));
                    };
                    Download::Package {
                        url: doc.dist.tarball.clone(),
                        hash: Hash::Integrity(integrity),
                        source: format!("index:{url}"),
                        package: doc.name.clone(),
                        format: ArchiveFormat::TarGz,
                        bin: None,
                    }
                }
                None => Download::Unsupported(match target(platform) {
                    Some(t) => format!(
                        "{} {version} has no platform package for {platform} (npm os {}, cpu {})",
                        name.package, t.os, t.cpu
                    ),
                    None => format!("npm has no name for {platform}"),
                }),
            };
            out.push((platform.clone(), download));
        }
        if !any && !platforms.is_empty() {
            // No platform package fits any platform asked for: the optional
            // dependencies are something else (a package that runs on node).
            let probe = self.platform_package(main, &Platform::new("linux", "x86_64"))?;
            if probe.is_none() {
                return Err(needs_runtime(name, main));
            }
        }
        Ok(out)
    }

    /// The optional dependency of `main` whose `os`/`cpu`/`libc` fit `platform`, with
    /// the URL of its version document; reads the likeliest first
    /// ([`npm::candidates`]) and stops at the first that fits.
    fn platform_package(
        &self,
        main: &VersionDoc,
        platform: &Platform,
    ) -> Result<Option<(String, VersionDoc)>, ResolutionError> {
        let Some(target) = target(platform) else {
            return Ok(None);
        };
        for (dep, range) in npm::candidates(main, &target) {
            let Some(version) = npm::exact(range) else {
                continue;
            };
            let (url, doc) = self
                .version_doc(dep, version)
                .map_err(super::runtime::error)?;
            if doc.is_for(&target) {
                return Ok(Some((url, doc)));
            }
        }
        Ok(None)
    }

    /// The runtime `name` at `version` runs on (`node`, `python`), or `None` when it
    /// ships its command as a per-platform binary.
    fn runtime_of(
        &self,
        name: &Name,
        version: &str,
    ) -> Result<Option<&'static str>, ResolutionError> {
        match name.kind {
            Kind::Npm => {
                let (_, doc) = self
                    .packument(&name.package)
                    .map_err(super::runtime::error)?;
                let Some(main) = doc.versions.get(version) else {
                    return Ok(None);
                };
                let platform_packages = main
                    .optional_dependencies
                    .keys()
                    .any(|dep| dep.contains('/') || dep.contains('-'));
                if !platform_packages {
                    return Ok(Some("node"));
                }
                let probe = self.platform_package(main, &Platform::new("linux", "x86_64"))?;
                Ok(probe.is_none().then_some("node"))
            }
            Kind::Pypi => {
                let (_, files) = self
                    .pypi_page(&name.package)
                    .map_err(super::runtime::error)?;
                let native = files
                    .iter()
                    .filter(|f| !f.yanked)
                    .filter_map(|f| pypi::Wheel::parse(&f.filename))
                    .any(|w| {
                        w.version == version && w.is_of(&name.package) && w.is_native_program()
                    });
                Ok((!native).then_some("python"))
            }
            _ => Err(not_yet(name)),
        }
    }

    /// A runtime tool's own archive (the same on every platform): npm's tarball and its
    /// integrity; PyPI's pure wheel (`py3-none-any`), else its sdist, and its sha256.
    fn main_archive(&self, name: &Name, version: &str) -> Result<Download, ResolutionError> {
        match name.kind {
            Kind::Npm => {
                let (registry, doc) = self
                    .packument(&name.package)
                    .map_err(super::runtime::error)?;
                let main = doc.versions.get(version).ok_or_else(|| {
                    ResolutionError::Usage(format!(
                        "{name}: the registry lists no version {version}; run `vx lock` to pick again"
                    ))
                })?;
                let integrity = main
                    .dist
                    .integrity
                    .clone()
                    .filter(|v| crate::verify::integrity::check(v).is_ok())
                    .ok_or_else(|| {
                        ResolutionError::Environment(format!(
                            "{name} {version} has no sha512 integrity; nothing was locked"
                        ))
                    })?;
                Ok(Download::Package {
                    url: main.dist.tarball.clone(),
                    hash: Hash::Integrity(integrity),
                    source: format!(
                        "index:{}",
                        npm::version_url(&registry.shown, &name.package, version)
                    ),
                    package: name.package.clone(),
                    format: ArchiveFormat::TarGz,
                    bin: None,
                })
            }
            Kind::Pypi => {
                let (page, files) = self
                    .pypi_page(&name.package)
                    .map_err(super::runtime::error)?;
                let of_version = |f: &&pypi::File| {
                    !f.yanked
                        && pypi::version_of(&f.filename, &name.package).as_deref() == Some(version)
                };
                let pure = files.iter().filter(of_version).find(|f| {
                    pypi::Wheel::parse(&f.filename)
                        .is_some_and(|w| w.platforms.iter().any(|p| p == "any"))
                });
                let sdist = files
                    .iter()
                    .filter(of_version)
                    .find(|f| f.filename.ends_with(".tar.gz"));
                let file = pure.or(sdist).ok_or_else(|| {
                    ResolutionError::Usage(format!(
                        "{name} {version}: the index has no pure wheel (py3-none-any) or sdist of it"
                    ))
                })?;
                let sha256 = indexed_sha256(&page, file)?;
                let format = if file.filename.ends_with(".whl") {
                    ArchiveFormat::Zip
                } else {
                    ArchiveFormat::TarGz
                };
                Ok(Download::Package {
                    url: file.url.clone(),
                    hash: Hash::Sha256(sha256),
                    source: format!("index:{page}"),
                    package: file.filename.clone(),
                    format,
                    bin: None,
                })
            }
            _ => Err(not_yet(name)),
        }
    }

    /// The environment of the runtime tool `name` at `version`: `runtime` (the
    /// project's node or python) installed by vx's engine, its package manager run to
    /// pin the whole dependency set by the registries' hashes.
    fn environment(
        &self,
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
        let store = crate::install::store::prepare(self.net.options.store.clone())
            .map_err(|e| fail(e.to_string()))?;
        let mut cfg = crate::config_frame::InstallConfig::new(
            crate::spec::ToolSpec::new(name.short_name(), version, ""),
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
        let (registry, lockfile) = match name.kind {
            Kind::Npm => {
                // As the user wrote it: no token of a URL's path reaches the lock.
                let registry = self.npm().registry_for(&name.package).shown;
                // npm resolves the dependencies against the registries (and with the
                // tokens) the `.npmrc` files name, as vx read the package itself.
                let given = self
                    .npm()
                    .for_npm(&|url| self.net.net.rewrites.apply(url).into_owned());
                let text = crate::install::environment::npm_lockfile(
                    &runtime_dir,
                    &name.package,
                    version,
                    &given,
                    scratch.path(),
                )
                .map_err(|e| fail(e.to_string()))?;
                let (kept, pinned) = environment::npm_lockfile(&text, &given.registries)
                    .map_err(|e| fail(e.to_string()))?;
                for (path, integrity) in &pinned {
                    self.net
                        .progress(&format!("{}: {path}: {integrity}", name.short_name()));
                }
                (registry, kept)
            }
            Kind::Pypi => {
                let index = crate::backend::pipconf::index(&|k| std::env::var(k).ok());
                // Recorded as shown (`${PIP_INDEX_URL}`), fetched as configured.
                let registry = index.shown;
                let fetched = self
                    .net
                    .net
                    .rewrites
                    .apply(&format!("{}/", index.url))
                    .into_owned();
                let requirement = match name.extras.is_empty() {
                    true => format!("{}=={version}", name.package),
                    false => format!("{}[{}]=={version}", name.package, name.extras.join(",")),
                };
                let report = crate::install::environment::pip_resolve(
                    &runtime_dir,
                    &requirement,
                    &fetched,
                    scratch.path(),
                )
                .map_err(|e| fail(e.to_string()))?;
                let mut pins = Vec::new();
                for (project, pinned) in
                    environment::pip_report(&report).map_err(|e| fail(e.to_string()))?
                {
                    let (page, files) = self.pypi_page(&project).map_err(super::runtime::error)?;
                    let mut sha256: Vec<String> = files
                        .iter()
                        .filter(|f| !f.yanked)
                        .filter(|f| {
                            pypi::version_of(&f.filename, &project).as_deref() == Some(&pinned)
                        })
                        .filter_map(|f| f.sha256.clone())
                        .filter(|h| crate::validate::sha256(h).is_ok())
                        .collect();
                    sha256.sort();
                    sha256.dedup();
                    if sha256.is_empty() {
                        return Err(fail(format!(
                            "{page}: no file of {project} {pinned} has a sha256"
                        )));
                    }
                    self.net.progress(&format!(
                        "{}: {project} {pinned}: {} files pinned by sha256",
                        name.short_name(),
                        sha256.len()
                    ));
                    pins.push(environment::Pin {
                        name: project,
                        version: pinned,
                        sha256,
                    });
                }
                (registry, environment::requirements(&pins))
            }
            _ => return Err(not_yet(name)),
        };
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

/// `error` naming `registry`'s URLs as they may be shown ([`Registry::shown`]): a
/// token in a registry URL's path reaches no message.
fn shown_in(registry: &Registry, error: RuntimeError) -> RuntimeError {
    if registry.shown == registry.url {
        return error;
    }
    let hide = |text: &str| text.replace(&registry.url, &registry.shown);
    match error {
        RuntimeError::Fetch {
            url,
            reason,
            without_network,
        } => RuntimeError::Fetch {
            url: hide(&url),
            reason: hide(&reason),
            without_network,
        },
        RuntimeError::Format { url, what, reason } => RuntimeError::Format {
            url: hide(&url),
            what,
            reason: hide(&reason),
        },
        other => other,
    }
}

/// The project's tool that is the runtime `runtime` (`node`, `python`), by the one rule
/// of [`crate::package_name::is_runtime`].
fn runtime_tool<'t>(tools: &'t [ToolTable], runtime: &str) -> Option<&'t ToolTable> {
    tools.iter().find(|t| {
        let lookup = t.registry.as_ref().map(|r| r.lookup.as_str());
        crate::package_name::is_runtime(&t.name, lookup, runtime)
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

/// npm's names of `platform`.
fn target(platform: &Platform) -> Option<npm::Target> {
    npm::Target::of(&platform.os, &platform.arch, platform.is_musl())
}

/// One platform's download of a language-registry tool.
#[derive(Clone, Debug)]
enum Download {
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
enum Hash {
    /// An SRI value (npm's `sha512-…`).
    Integrity(String),
    /// A sha256, hex (PyPI's).
    Sha256(String),
}

/// The refusal of a package that needs its runtime.
fn needs_runtime(name: &Name, main: &VersionDoc) -> ResolutionError {
    ResolutionError::Usage(format!(
        "{name} {} runs on node (it ships no per-platform binary package): it installs into an environment of its own with the project's node",
        main.version
    ))
}

/// What is not there yet.
fn not_yet(name: &Name) -> ResolutionError {
    ResolutionError::Usage(format!(
        "{name}: tools from {} are not supported by this vx yet (npm packages that ship a binary are)",
        name.kind.registry()
    ))
}

/// npm's versions as releases, newest first: pre-releases flagged, deprecated ones
/// left out.
fn npm_releases(doc: &Packument) -> Vec<Release> {
    let mut releases: Vec<(Option<semver::Version>, Release)> = doc
        .versions
        .values()
        .filter(|v| v.deprecated.is_none())
        .map(|v| {
            let parsed = semver::Version::parse(&v.version).ok();
            let release = Release {
                version: v.version.clone(),
                id: v.version.clone(),
                lts: None,
                published_at: doc.time.get(&v.version).cloned(),
                prerelease: parsed.as_ref().is_some_and(|p| !p.pre.is_empty()),
            };
            (parsed, release)
        })
        .collect();
    releases.sort_by(|a, b| b.0.cmp(&a.0));
    releases.into_iter().map(|(_, r)| r).collect()
}

/// A PyPI project's versions (of files not yanked) as releases, newest first.
fn pypi_releases(project: &str, files: &[pypi::File]) -> Vec<Release> {
    let mut versions: Vec<String> = files
        .iter()
        .filter(|f| !f.yanked)
        .filter_map(|f| pypi::version_of(&f.filename, project))
        .collect();
    versions.sort();
    versions.dedup();
    let mut releases: Vec<(Option<semver::Version>, Release)> = versions
        .into_iter()
        .map(|v| {
            let tag = crate::version::Tag::parse(&v, "");
            let parsed = tag.version().cloned();
            let release = Release {
                prerelease: pypi::is_prerelease(&v),
                id: v.clone(),
                version: v,
                lts: None,
                published_at: None,
            };
            (parsed, release)
        })
        .collect();
    releases.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.version.cmp(&a.1.version)));
    releases.into_iter().map(|(_, r)| r).collect()
}

/// The version `constraint` means: `latest` is npm's `latest` dist-tag, another
/// dist-tag names its version, else the newest version the constraint allows.
fn pick_npm(
    name: &Name,
    doc: &Packument,
    constraint: &str,
    age: Age,
) -> Result<Release, ResolutionError> {
    let mut releases = npm_releases(doc);
    let tagged = doc
        .dist_tags
        .get(constraint.trim())
        .and_then(|v| releases.iter().find(|r| r.version == *v))
        .cloned();
    match tagged {
        Some(release) if !age.too_young(&release) => return Ok(release),
        // A dist-tag's version too young: the newest older one of its line is.
        Some(release) => {
            let tagged = semver::Version::parse(&release.version).ok();
            releases.retain(|r| semver::Version::parse(&r.version).ok() <= tagged);
            return pick_among(name, &releases, "*", age);
        }
        None => {}
    }
    pick_among(name, &releases, constraint, age)
}

/// `[settings] min_release_age` at this moment.
#[derive(Clone, Copy, Debug)]
struct Age {
    /// The age a release must have.
    min: Option<std::time::Duration>,
    /// Now, in seconds since the epoch.
    now: u64,
}

impl Age {
    /// Whether `release` was published less than the minimum age ago (never, when its
    /// registry does not say when it was).
    fn too_young(&self, release: &Release) -> bool {
        self.min.is_some_and(|age| {
            release
                .published_at
                .as_deref()
                .and_then(crate::utc::parse_rfc3339)
                .is_some_and(|t| self.now.saturating_sub(t) < age.as_secs())
        })
    }
}

/// The newest of `releases` that `constraint` allows (pre-releases only when named).
fn pick_among(
    name: &Name,
    releases: &[Release],
    constraint: &str,
    age: Age,
) -> Result<Release, ResolutionError> {
    let parsed = crate::version::Constraint::parse(constraint)
        .map_err(|e| ResolutionError::Usage(e.to_string()))?;
    let young = releases.iter().filter(|r| age.too_young(r)).count();
    let releases: Vec<&Release> = releases.iter().filter(|r| !age.too_young(r)).collect();
    // An untagged Go module's one version is its `@latest` pseudo-version
    // (`source_versions`), which `latest` names as `go install MODULE@latest` does,
    // though semver calls it a pre-release.
    if name.kind == Kind::Go
        && constraint == "latest"
        && let [only] = releases.as_slice()
        && crate::backend::go::is_pseudo(&only.version)
    {
        return Ok((*only).clone());
    }
    let tags: Vec<crate::version::Tag> = releases
        .iter()
        .map(|r| crate::version::Tag::parse(&r.version, ""))
        .collect();
    let picked = crate::version::pick(&parsed, &tags).ok_or_else(|| {
        let newest: Vec<&str> = releases
            .iter()
            .filter(|r| !r.prerelease)
            .take(5)
            .map(|r| r.version.as_str())
            .collect();
        let young = match young {
            0 => String::new(),
            n => format!(" ({n} newer skipped by min_release_age)"),
        };
        ResolutionError::Usage(format!(
            "{name} has no version matching {constraint:?}; the newest: {}{young}",
            newest.join(", ")
        ))
    })?;
    let release = releases
        .iter()
        .find(|r| r.version == picked.as_str())
        .map(|r| (*r).clone())
        .expect("picked among them");
    Ok(release)
}

/// The layout a registry's archive has on `platform`, set on `over` (known from
/// the format alone, so a locked tool installs without its registry): npm's tarballs
/// hold the package in `package/`; a crate's or a Go module's source is built
/// (`source::layout`).
pub fn layout(name: &Name, platform: &Platform, over: &mut Override) {
    if over.unsupported.is_none() && name.kind == Kind::Npm {
        over.strip_components = Some(1);
    }
    source::layout(name, platform, over);
}

/// Resolves `tool` (the language-registry package `name` at `constraint`) for
/// `platforms` plus those its lock entry held, keeping the locked version while the
/// name and constraint are those it was locked from; records it in `lock` and returns
/// the concrete table.
pub fn resolve_tool(
    registries: &Registries<'_>,
    name: &Name,
    tool: &ToolTable,
    constraint: &str,
    platforms: &[Platform],
    lock: &mut Lock,
) -> Result<ToolTable, ResolutionError> {
    if matches!(name.kind, Kind::Cargo | Kind::Go) {
        return source::resolve_tool(registries, name, tool, constraint, platforms, lock);
    }
    let (version, wanted) =
        version_and_platforms(registries, name, tool, constraint, platforms, lock)?;
    let (downloads, environment) = match registries.runtime_of(name, &version)? {
        None => (registries.downloads(name, &version, &wanted)?, None),
        Some(runtime) => {
            let environment =
                runtime_environment(registries, name, tool, &version, &wanted, runtime, lock)?;
            let main = registries.main_archive(name, &version)?;
            let downloads = wanted.iter().map(|p| (p.clone(), main.clone())).collect();
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
    let (overrides, assets) = overrides_and_assets(name, &version, &downloads)?;
    let table = super::concrete::concrete(tool, &version, overrides);
    lock.renew(&table);
    for (platform, asset) in assets {
        lock.record(&table, &platform, asset);
    }
    if let Some(entry) = lock.tools.get_mut(&tool.name) {
        entry.constraint = Some(constraint.to_owned());
        entry.package = Some(name.to_string());
        entry.tag = Some(version.clone());
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

/// The environment `tool` (`name` at `version`, which runs on `runtime`) is
/// installed into: the one its lock entry holds while it was built on the same
/// runtime, builds and own runtime, else resolved afresh; a PyPI tool's installer
/// resolved for `wanted` plus the host.
fn runtime_environment(
    registries: &Registries<'_>,
    name: &Name,
    tool: &ToolTable,
    version: &str,
    wanted: &[Platform],
    runtime: &'static str,
    lock: &Lock,
) -> Result<Environment, ResolutionError> {
    let builds = allow_builds(tool)?;
    let held = lock
        .tools
        .get(&tool.name)
        .filter(|e| e.version == version)
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
        None => registries.environment(name, version, &runtime_table, builds)?,
    };
    environment.own_runtime = own;
    if name.kind == Kind::Pypi {
        environment.installer = registries.installer(name, &with_host(wanted), held_installer);
    }
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
) -> Result<(ToolTable, Option<Box<crate::lock::LockedTool>>), ResolutionError> {
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
        layout(name, platform, &mut over);
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
            let problem = match crate::validate::url(url) {
                Err(e) => Some(e.to_string()),
                Ok(crate::validate::Scheme::File) => {
                    Some("a registry's download must be an http(s) URL".to_owned())
                }
                Ok(_) => asset.problem(),
            };
            if let Some(problem) = problem {
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

/// The sha256 PyPI's `page` gives for `file`, checked as one: a file without it cannot
/// be locked.
fn indexed_sha256(page: &str, file: &pypi::File) -> Result<String, ResolutionError> {
    file.sha256
        .clone()
        .filter(|h| crate::validate::sha256(h).is_ok())
        .ok_or_else(|| {
            ResolutionError::Environment(format!(
                "{page}: {} has no sha256; nothing was locked",
                file.filename
            ))
        })
}

/// The version a registry tool locks (the lock's, while its inputs and constraint hold,
/// else the registry's pick for `constraint`), checked as a name vx can use, and the
/// platforms to lock it for: those asked, and those the lock holds it for already.
fn version_and_platforms(
    registries: &Registries<'_>,
    name: &Name,
    tool: &ToolTable,
    constraint: &str,
    platforms: &[Platform],
    lock: &Lock,
) -> Result<(String, Vec<Platform>), ResolutionError> {
    let kept = lock
        .tools
        .get(&tool.name)
        .filter(|e| e.inputs == tool.download_inputs() && e.constraint.is_some())
        .map(|e| e.version.clone());
    let version = match kept {
        Some(version) => version,
        None => registries.pick(name, constraint)?.version,
    };
    crate::validate::version(&version).map_err(|e| {
        ResolutionError::Usage(format!(
            "{name} {version} is not a version vx can name: {e}"
        ))
    })?;
    let mut wanted: Vec<Platform> = tool.platforms_of(platforms).into_iter().cloned().collect();
    for held in lock.platforms_of(&tool.name) {
        if tool.is_for(&held) && !wanted.contains(&held) {
            wanted.push(held);
        }
    }
    Ok((version, wanted))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packument() -> Packument {
        let path = format!("{}/tests/data/npm/esbuild.json", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn a_runtime_tool_finds_the_projects_runtime_and_its_allowed_builds() {
        let manifest = crate::manifest::Manifest::parse(
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

    #[test]
    fn npm_versions_are_picked_as_users_write_them() {
        let name = Name::parse("npm:esbuild").unwrap().unwrap();
        let doc = packument();
        let now = Age { min: None, now: 0 };
        let pick = |c: &str| pick_npm(&name, &doc, c, now).map(|r| r.version);
        assert_eq!(pick("latest").unwrap(), doc.dist_tags["latest"]);
        assert_eq!(pick("0.24").unwrap(), "0.24.0");
        assert_eq!(pick("^0.23.0").unwrap(), "0.23.1");
        assert_eq!(pick("0.24.0").unwrap(), "0.24.0");
        let err = pick("0.99").unwrap_err().to_string();
        assert!(
            err.contains("no version matching \"0.99\"") && err.contains("0.24.0"),
            "{err}"
        );
        // min_release_age: on 2026-11-25, 200 days leave 0.28.2 (2026-08-08) out.
        let aged = Age {
            min: Some(std::time::Duration::from_secs(200 * 86_400)),
            now: crate::utc::parse_rfc3339("2026-11-25T00:00:00Z").unwrap(),
        };
        let pick = |c: &str| pick_npm(&name, &doc, c, aged).map(|r| r.version);
        assert_eq!(pick("latest").unwrap(), "0.24.0");
        assert_eq!(pick("0.24").unwrap(), "0.24.0");
        let err = pick("0.28").unwrap_err().to_string();
        assert!(err.contains("1 newer skipped by min_release_age"), "{err}");
    }
}
