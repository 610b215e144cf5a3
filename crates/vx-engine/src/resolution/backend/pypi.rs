//! PyPI (`pypi:PKG`, mise's `pipx:PKG`): versions from the project's page at the index
//! pip and uv are configured with (PEP 503 HTML or PEP 691 JSON); a package whose
//! wheels are a native program (`py3-none-PLATFORM`) installs each platform's wheel by
//! the index's sha256, with no python; one of Python code installs into a venv of its
//! own, its set pinned by the project's python's pip (`pip install --dry-run
//! --report`), every file of each pinned version by the index's sha256, and installed
//! with vx's uv where the lock has one. The driver is [`super::package`]'s.

use std::path::Path;

use vx_base::format::ArchiveFormat;
use vx_model::manifest::{Override, Platform};
use vx_sources::backend::Name;
use vx_sources::backend::environment;
use vx_sources::backend::pypi;
use vx_sources::runtime::{Release, RuntimeError};

use super::super::ResolutionError;
use super::package::{Download, Hash, Package};
use super::{Backend, Driver, Registries, uv};

/// PyPI, or the index pip and uv are configured with.
pub(super) struct Pypi;

impl Backend for Pypi {
    fn driver(&self) -> Driver<'_> {
        Driver::Package(self)
    }
}

impl Package for Pypi {
    fn versions(&self, r: &Registries<'_>, name: &Name) -> Result<Vec<Release>, ResolutionError> {
        let (_, files) = r
            .pypi_page(&name.package)
            .map_err(super::super::runtime::error)?;
        Ok(pypi_releases(&name.package, &files))
    }

    /// A wheel is a zip of the package's files: nothing to strip.
    fn layout(&self, _name: &Name, _platform: &Platform, _over: &mut Override) {}

    fn runs_on(
        &self,
        r: &Registries<'_>,
        name: &Name,
        version: &str,
    ) -> Result<Option<&'static str>, ResolutionError> {
        let (_, files) = r
            .pypi_page(&name.package)
            .map_err(super::super::runtime::error)?;
        let native = wheels_of(&files, name, version)
            .iter()
            .any(|(w, _)| w.is_native_program());
        Ok((!native).then_some("python"))
    }

    fn downloads(
        &self,
        r: &Registries<'_>,
        name: &Name,
        version: &str,
        platforms: &[Platform],
    ) -> Result<Vec<(Platform, Download)>, ResolutionError> {
        r.pypi_downloads(name, version, platforms)
    }

    /// Each platform's wheel of the package that fits it and the project's python at
    /// `runtime_version` best (black's `cp312-…-manylinux` before its pure wheel),
    /// else its pure wheel or sdist: the file uv installs there, from vx's checked
    /// copy, so each byte is fetched once.
    fn main_archives(
        &self,
        r: &Registries<'_>,
        name: &Name,
        version: &str,
        runtime_version: &str,
        platforms: &[Platform],
    ) -> Result<Vec<(Platform, Download)>, ResolutionError> {
        let (page, files) = r
            .pypi_page(&name.package)
            .map_err(super::super::runtime::error)?;
        let of_version = |f: &&pypi::File| {
            !f.yanked && pypi::version_of(&f.filename, &name.package).as_deref() == Some(version)
        };
        let pure = files.iter().filter(of_version).find(|f| {
            pypi::Wheel::parse(&f.filename).is_some_and(|w| w.platforms.iter().any(|p| p == "any"))
        });
        let sdist = files
            .iter()
            .filter(of_version)
            .find(|f| f.filename.ends_with(".tar.gz"));
        let wheels = wheels_of(&files, name, version);
        let python = python_version(runtime_version);
        let mut out = Vec::new();
        for platform in platforms {
            let best = python
                .zip(super::npm::target(platform))
                .and_then(|(python, target)| {
                    wheels
                        .iter()
                        .filter_map(|(w, f)| Some((w.fit_python(&target, python)?, *f)))
                        .min_by_key(|(fit, f)| (*fit, f.filename.clone()))
                        .map(|(_, f)| f)
                });
            let file = best.or(pure).or(sdist).ok_or_else(|| {
                ResolutionError::Usage(format!(
                    "{name} {version}: the index has no wheel for {platform} with python {runtime_version}, no pure wheel (py3-none-any) and no sdist of it"
                ))
            })?;
            out.push((platform.clone(), file_download(&page, file)?));
        }
        Ok(out)
    }

    fn pin(
        &self,
        r: &Registries<'_>,
        name: &Name,
        version: &str,
        runtime_dir: &Path,
        scratch: &Path,
    ) -> Result<(String, String), ResolutionError> {
        let fail = |why: String| ResolutionError::Environment(format!("{name} {version}: {why}"));
        let index = vx_sources::backend::pipconf::index(&|k| std::env::var(k).ok());
        // Recorded as shown (`${PIP_INDEX_URL}`), fetched as configured.
        let registry = index.shown;
        let fetched = r
            .net
            .net
            .rewrites
            .apply(&format!("{}/", index.url))
            .into_owned();
        let requirement = match name.extras.is_empty() {
            true => format!("{}=={version}", name.package),
            false => format!("{}[{}]=={version}", name.package, name.extras.join(",")),
        };
        let report =
            crate::install::environment::pip_resolve(runtime_dir, &requirement, &fetched, scratch)
                .map_err(|e| fail(e.to_string()))?;
        let mut pins = Vec::new();
        for (project, pinned) in
            environment::pip_report(&report).map_err(|e| fail(e.to_string()))?
        {
            let (page, files) = r
                .pypi_page(&project)
                .map_err(super::super::runtime::error)?;
            let mut sha256: Vec<String> = files
                .iter()
                .filter(|f| !f.yanked)
                .filter(|f| pypi::version_of(&f.filename, &project).as_deref() == Some(&pinned))
                .filter_map(|f| f.sha256.clone())
                .filter(|h| vx_base::validate::sha256(h).is_ok())
                .collect();
            sha256.sort();
            sha256.dedup();
            if sha256.is_empty() {
                return Err(fail(format!(
                    "{page}: no file of {project} {pinned} has a sha256"
                )));
            }
            r.net.progress(&format!(
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
        Ok((registry, environment::requirements(&pins)))
    }

    fn installer(
        &self,
        r: &Registries<'_>,
        name: &Name,
        platforms: &[Platform],
        kept: Option<&vx_model::lock::LockedTool>,
    ) -> Option<Box<vx_model::lock::LockedTool>> {
        r.installer(name, platforms, kept)
    }
}

impl Registries<'_> {
    /// vx's uv locked for a PyPI runtime tool's environment (`kept`, when it covers
    /// `platforms`); `None`, said plainly, when uv cannot be had (its releases cannot
    /// be read, a mirror lacks them): the tool then installs with python's pip.
    fn installer(
        &self,
        name: &Name,
        platforms: &[Platform],
        kept: Option<&vx_model::lock::LockedTool>,
    ) -> Option<Box<vx_model::lock::LockedTool>> {
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

    /// A PyPI project's page at the configured index: its URL as it may be shown
    /// ([`Registry::shown`]: what the lock's `index:` records) and its files.
    fn pypi_page(&self, project: &str) -> Result<(String, Vec<pypi::File>), RuntimeError> {
        let located = vx_sources::backend::pipconf::located(&|k| std::env::var(k).ok());
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
            .map_err(super::super::runtime::error)?;
        let wheels = wheels_of(&files, name, version);
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
            let best = super::npm::target(platform).and_then(|t| {
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
                Some((_, _, file)) => file_download(&page, file)?,
            };
            out.push((platform.clone(), download));
        }
        Ok(out)
    }
}

/// The wheels of `name` at `version` that `files` (its index page) lists, not
/// yanked, each with its file: another project's wheel on the page is never one.
fn wheels_of<'f>(
    files: &'f [pypi::File],
    name: &Name,
    version: &str,
) -> Vec<(pypi::Wheel, &'f pypi::File)> {
    files
        .iter()
        .filter(|f| !f.yanked)
        .filter_map(|f| Some((pypi::Wheel::parse(&f.filename)?, f)))
        .filter(|(w, _)| w.version == version && w.is_of(&name.package))
        .collect()
}

/// `file` of the index page `page` as a download, by the page's sha256: a wheel
/// (a zip) or an sdist (a `.tar.gz`). Its commands, if any, are found once it is
/// unpacked (a wheel's scripts: `rust-just`'s is `just`, not the package's name).
fn file_download(page: &str, file: &pypi::File) -> Result<Download, ResolutionError> {
    let format = match file.filename.ends_with(".whl") {
        true => ArchiveFormat::Zip,
        false => ArchiveFormat::TarGz,
    };
    Ok(Download::Package {
        url: file.url.clone(),
        hash: Hash::Sha256(indexed_sha256(page, file)?),
        source: format!("index:{page}"),
        package: file.filename.clone(),
        format,
        bin: None,
    })
}

/// A python's `major.minor` from its version (`3.12.15` → `(3, 12)`).
fn python_version(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
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
            let tag = vx_base::version::Tag::parse(&v, "");
            let parsed = tag.version().cloned();
            let prerelease = pypi::is_prerelease(&v);
            let release = Release::named(v.clone(), v, prerelease);
            (parsed, release)
        })
        .collect();
    releases.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.version.cmp(&a.1.version)));
    releases.into_iter().map(|(_, r)| r).collect()
}

/// The sha256 PyPI's `page` gives for `file`, checked as one: a file without it cannot
/// be locked.
fn indexed_sha256(page: &str, file: &pypi::File) -> Result<String, ResolutionError> {
    file.sha256
        .clone()
        .filter(|h| vx_base::validate::sha256(h).is_ok())
        .ok_or_else(|| {
            ResolutionError::Environment(format!(
                "{page}: {} has no sha256; nothing was locked",
                file.filename
            ))
        })
}
