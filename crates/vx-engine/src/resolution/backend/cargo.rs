//! crates.io (`cargo:CRATE`): versions from the sparse index Cargo reads
//! ([`cargo::index_url`], a project's `.cargo/config.toml` read), the `.crate` locked
//! with the index's `cksum`, built by `cargo install --locked --path` of that checked
//! source with the project's `rust` ([`cargo::build_command`]); a platform for which
//! the crate publishes a release binary (cargo-binstall's metadata or default names)
//! takes that binary instead, locked by the GitHub API's digest. The driver is
//! [`super::source`]'s.

use std::collections::BTreeMap;
use std::rc::Rc;

use vx_base::format::ArchiveFormat;
use vx_model::lock::Asset;
use vx_model::manifest::{Override, Platform};
use vx_sources::backend::Name;
use vx_sources::backend::binstall;
use vx_sources::backend::cargo::{self, IndexLine};

use super::super::ResolutionError;
use super::source::{FromSource, Source, sha256_hex};
use super::{Backend, Driver, Registries};

/// crates.io, or the registry a project's Cargo configuration names.
pub(super) struct Cargo;

impl Backend for Cargo {
    fn driver(&self) -> Driver<'_> {
        Driver::Source(self)
    }
}

impl FromSource for Cargo {
    fn listed(&self, r: &Registries<'_>, name: &Name) -> Result<Vec<String>, ResolutionError> {
        let (_, lines) = r.crate_index(name)?;
        Ok(lines
            .into_iter()
            .filter(|l| !l.yanked)
            .map(|l| l.vers)
            .collect())
    }

    fn source(
        &self,
        r: &Registries<'_>,
        name: &Name,
        version: &str,
    ) -> Result<Source, ResolutionError> {
        let (index, lines) = r.crate_index(name)?;
        let line = lines
            .into_iter()
            .find(|l| l.vers == version)
            .ok_or_else(|| {
                ResolutionError::Usage(format!(
                    "{name}: the index lists no version {version}; run `vx lock` to pick again"
                ))
            })?;
        vx_base::validate::sha256(&line.cksum).map_err(|e| {
            ResolutionError::Environment(format!(
                "{index}: {name} {version}: its cksum: {e}; nothing was locked"
            ))
        })?;
        let config_url = format!("{index}config.json");
        let config: cargo::IndexConfig = serde_json::from_str(
            &r.cx
                .text(&config_url)
                .map_err(super::super::runtime::error)?,
        )
        .map_err(|e| {
            ResolutionError::Environment(format!("{config_url}: not a registry's config.json: {e}"))
        })?;
        Ok(Source {
            url: cargo::download_url(&config, &line),
            sha256: line.cksum.clone(),
            h1: None,
            checksum: format!("index:{index}{}", cargo::index_path(&name.package)),
            what: format!("{}-{}.crate", line.name, line.vers),
        })
    }

    fn binaries(
        &self,
        r: &Registries<'_>,
        name: &Name,
        version: &str,
        source: &Source,
        platforms: &[Platform],
    ) -> Result<BTreeMap<Platform, Asset>, ResolutionError> {
        r.binstall(name, version, source, platforms)
    }

    fn source_layout(&self, _name: &Name, platform: &Platform, over: &mut Override) {
        let windows = platform.os == "windows";
        over.format = Some(ArchiveFormat::TarGz);
        over.strip_components = Some(1);
        over.post_install = Some(cargo::build_command(windows));
    }
}

impl Registries<'_> {
    /// The sparse index Cargo reads, and `name`'s lines in it.
    fn crate_index(&self, name: &Name) -> Result<(String, Vec<IndexLine>), ResolutionError> {
        let env = |k: &str| std::env::var(k).ok();
        let index = cargo::index_url(Some(&self.project_dir), &env)
            .map_err(|e| ResolutionError::Usage(e.to_string()))?;
        let url = format!("{index}{}", cargo::index_path(&name.package));
        let text = self.cx.text(&url).map_err(super::super::runtime::error)?;
        let lines = cargo::parse_index(&text).map_err(|reason| {
            ResolutionError::Environment(format!("{url}: not a sparse index file: {reason}"))
        })?;
        Ok((index, lines))
    }

    /// The release binaries the crate `name` at `version` publishes for `platforms`
    /// by its `[package.metadata.binstall]` (read from the `.crate`, refused unless
    /// its sha256 is the index's `cksum`), else by cargo-binstall's own guesses of
    /// their names on its GitHub repository's releases ([`binstall::default_guesses`]),
    /// each locked by the GitHub API's digest of the asset; a platform without one
    /// builds from source.
    fn binstall(
        &self,
        name: &Name,
        version: &str,
        source: &Source,
        platforms: &[Platform],
    ) -> Result<BTreeMap<Platform, Asset>, ResolutionError> {
        let bytes = self.bytes(&source.url, binstall::MAX_CRATE_BYTES)?;
        let actual = sha256_hex(&bytes);
        if actual != source.sha256 {
            return Err(ResolutionError::Environment(format!(
                "{}: the .crate has sha256 {actual}, not the index's cksum {}; nothing was locked",
                source.url, source.sha256
            )));
        }
        let manifest = binstall::cargo_toml(&bytes, &name.package, version)
            .map_err(|e| ResolutionError::Environment(format!("{}: {e}", source.url)))?;
        let web = self.cx.github().hosts().web.clone();
        let repository = binstall::repository(&manifest);
        // Each release read once, a missing one too (the guesses name two tags).
        let mut releases: BTreeMap<String, Option<Rc<vx_sources::github::Release>>> =
            BTreeMap::new();
        let mut out = BTreeMap::new();
        for platform in platforms {
            let Some(target) = binstall::target(&platform.os, &platform.arch, platform.is_musl())
            else {
                continue;
            };
            let windows = platform.os == "windows";
            let meta = binstall::read(&manifest, &target)
                .map_err(|e| ResolutionError::Environment(format!("{}: {e}", source.what)))?;
            let declared = meta.is_some();
            let guesses: Vec<(String, String)> = match meta {
                Some(meta) => binstall::urls(&meta, &name.package, version, &target, windows)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|url| (url, meta.pkg_fmt.clone()))
                    .collect(),
                None => match &repository {
                    Some(repo)
                        if binstall::github_asset(
                            &format!("{repo}/releases/download/t/a"),
                            &web,
                        )
                        .is_some() =>
                    {
                        binstall::default_guesses(repo, &name.package, version, &target, windows)
                            .into_iter()
                            .map(|(url, fmt)| (url, fmt.to_owned()))
                            .collect()
                    }
                    // binstall guesses only on a repository it knows the host of.
                    _ => continue,
                },
            };
            let mut found = None;
            for (url, pkg_fmt) in guesses {
                let Some((format, _)) = binstall::format_of(&pkg_fmt) else {
                    continue;
                };
                let Some((owner, repo, tag, file)) = binstall::github_asset(&url, &web) else {
                    continue;
                };
                let key = format!("{owner}/{repo}/{tag}");
                if !releases.contains_key(&key) {
                    let release = match self.cx.github_release(owner, repo, tag) {
                        Ok(release) => Some(release),
                        Err(e) => {
                            if declared {
                                self.net.progress(&format!(
                                    "{name}: {platform}: no release binary ({e}); built from source"
                                ));
                            }
                            None
                        }
                    };
                    releases.insert(key.clone(), release);
                }
                let Some(release) = releases.get(&key).cloned().flatten() else {
                    if declared {
                        break;
                    }
                    continue;
                };
                let asset = release
                    .assets
                    .iter()
                    .find(|a| a.name == file)
                    .and_then(|a| Some((a, a.sha256()?)));
                if let Some((asset, sha256)) = asset {
                    let mut locked = Asset::new(asset.url.clone(), sha256, None);
                    locked.format = Some(format.name().to_owned());
                    locked.checksum = Some("github-digest".to_owned());
                    if !declared {
                        self.net.progress(&format!(
                            "{name}: {platform}: {file}, by cargo-binstall's default names (the crate has no [package.metadata.binstall])"
                        ));
                    }
                    found = Some(locked);
                    break;
                }
            }
            match found {
                Some(locked) => {
                    out.insert(platform.clone(), locked);
                }
                None if !declared => self.net.progress(&format!(
                    "{name}: {platform}: no release asset by cargo-binstall's default names; built from source"
                )),
                None => {}
            }
        }
        Ok(out)
    }
}
