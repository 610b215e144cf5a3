//! npm (`npm:PKG`): versions and dist-tags from the packument of the registry the
//! `.npmrc` files name; a package that ships its command as per-platform packages
//! (`optionalDependencies` matched by their `os`/`cpu`/`libc`) installs each
//! platform's package by the registry's `integrity`, with no node; one that runs on
//! node installs into an environment of its own, its set pinned by the project's npm
//! (`npm install --package-lock-only`). The driver is [`super::package`]'s.

use std::path::Path;

use vx_base::format::ArchiveFormat;
use vx_model::manifest::{Override, Platform};
use vx_sources::backend::Name;
use vx_sources::backend::environment;
use vx_sources::backend::npm::{self, Packument, VersionDoc};
use vx_sources::backend::npmrc::{Npmrc, Registry};
use vx_sources::runtime::{Release, RuntimeError};

use super::super::ResolutionError;
use super::package::{Download, Hash, Package};
use super::{Age, Backend, Driver, Registries, pick_among};

/// npm's registry, or those the `.npmrc` files name.
pub(super) struct Npm;

impl Backend for Npm {
    fn driver(&self) -> Driver<'_> {
        Driver::Package(self)
    }

    /// `latest` is npm's `latest` dist-tag, another dist-tag names its version.
    fn pick(
        &self,
        r: &Registries<'_>,
        name: &Name,
        constraint: &str,
    ) -> Result<Release, ResolutionError> {
        let (_, doc) = r
            .packument(&name.package)
            .map_err(super::super::runtime::error)?;
        pick_npm(name, &doc, constraint, r.age())
    }
}

impl Npm {
    /// The package's tarball at `version`, pinned by the registry's sha512 integrity.
    fn tarball(
        &self,
        r: &Registries<'_>,
        name: &Name,
        version: &str,
    ) -> Result<Download, ResolutionError> {
        let (registry, doc) = r
            .packument(&name.package)
            .map_err(super::super::runtime::error)?;
        let main = doc.versions.get(version).ok_or_else(|| {
            ResolutionError::Usage(format!(
                "{name}: the registry lists no version {version}; run `vx lock` to pick again"
            ))
        })?;
        let integrity = main
            .dist
            .integrity
            .clone()
            .filter(|v| vx_net::verify::integrity::check(v).is_ok())
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
}

impl Package for Npm {
    fn versions(&self, r: &Registries<'_>, name: &Name) -> Result<Vec<Release>, ResolutionError> {
        let (_, doc) = r
            .packument(&name.package)
            .map_err(super::super::runtime::error)?;
        Ok(npm_releases(&doc))
    }

    /// npm's tarballs hold the package in `package/`.
    fn layout(&self, _name: &Name, _platform: &Platform, over: &mut Override) {
        if over.unsupported.is_none() {
            over.strip_components = Some(1);
        }
    }

    fn runs_on(
        &self,
        r: &Registries<'_>,
        name: &Name,
        version: &str,
    ) -> Result<Option<&'static str>, ResolutionError> {
        let (_, doc) = r
            .packument(&name.package)
            .map_err(super::super::runtime::error)?;
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
        let probe = r.platform_package(main, &Platform::new("linux", "x86_64"))?;
        Ok(probe.is_none().then_some("node"))
    }

    fn downloads(
        &self,
        r: &Registries<'_>,
        name: &Name,
        version: &str,
        platforms: &[Platform],
    ) -> Result<Vec<(Platform, Download)>, ResolutionError> {
        r.npm_downloads(name, version, platforms)
    }

    /// The package's one tarball, on every platform.
    fn main_archives(
        &self,
        r: &Registries<'_>,
        name: &Name,
        version: &str,
        _runtime_version: &str,
        platforms: &[Platform],
    ) -> Result<Vec<(Platform, Download)>, ResolutionError> {
        let main = self.tarball(r, name, version)?;
        Ok(platforms
            .iter()
            .map(|p| (p.clone(), main.clone()))
            .collect())
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
        // As the user wrote it: no token of a URL's path reaches the lock.
        let registry = r.npm().registry_for(&name.package).shown;
        // npm resolves the dependencies against the registries (and with the
        // tokens) the `.npmrc` files name, as vx read the package itr.
        let given = r
            .npm()
            .for_npm(&|url| r.net.net.rewrites.apply(url).into_owned());
        let text = crate::install::environment::npm_lockfile(
            runtime_dir,
            &name.package,
            version,
            &given,
            scratch,
        )
        .map_err(|e| fail(e.to_string()))?;
        let (kept, pinned) =
            environment::npm_lockfile(&text, &given.registries).map_err(|e| fail(e.to_string()))?;
        for (path, integrity) in &pinned {
            r.net
                .progress(&format!("{}: {path}: {integrity}", name.short_name()));
        }
        Ok((registry, kept))
    }
}

impl Registries<'_> {
    /// npm's configuration, what it left out said once a run (the first time an npm
    /// registry is read).
    fn npm(&self) -> &Npmrc {
        for note in self.npmrc.notes() {
            self.net.note_once(note);
        }
        &self.npmrc
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

    /// Each platform's npm download of `name` at `version`.
    fn npm_downloads(
        &self,
        name: &Name,
        version: &str,
        platforms: &[Platform],
    ) -> Result<Vec<(Platform, Download)>, ResolutionError> {
        let (_, doc) = self
            .packument(&name.package)
            .map_err(super::super::runtime::error)?;
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
                        .filter(|v| vx_net::verify::integrity::check(v).is_ok());
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
                .map_err(super::super::runtime::error)?;
            if doc.is_for(&target) {
                return Ok(Some((url, doc)));
            }
        }
        Ok(None)
    }
}

/// npm's names of `platform`.
pub(super) fn target(platform: &Platform) -> Option<npm::Target> {
    npm::Target::of(&platform.os, &platform.arch, platform.is_musl())
}

/// The refusal of a package that needs its runtime.
fn needs_runtime(name: &Name, main: &VersionDoc) -> ResolutionError {
    ResolutionError::Usage(format!(
        "{name} {} runs on node (it ships no per-platform binary package): it installs into an environment of its own with the project's node",
        main.version
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

#[cfg(test)]
mod tests {
    use super::*;

    fn packument() -> Packument {
        let path = format!(
            "{}/tests/data/npm/esbuild.json",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../..")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
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
            now: vx_base::utc::parse_rfc3339("2026-11-25T00:00:00Z").unwrap(),
        };
        let pick = |c: &str| pick_npm(&name, &doc, c, aged).map(|r| r.version);
        assert_eq!(pick("latest").unwrap(), "0.24.0");
        assert_eq!(pick("0.24").unwrap(), "0.24.0");
        let err = pick("0.28").unwrap_err().to_string();
        assert!(err.contains("1 newer skipped by min_release_age"), "{err}");
    }
}
