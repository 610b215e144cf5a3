//! The npm tarballs a bundle or a mirror carries: the whole locked package set of each
//! npm runtime tool's environment (`npm:prettier`'s lockfile) and every download the
//! lock pins by npm's `integrity` alone (a tool's own tarball). A bundle's layers are
//! addressed by sha256, while npm pins by sha512 and vx's lock keeps no `resolved`
//! URL of the environment's packages (it names no machine's registry). So the export
//! finds each tarball at its registry: a package of an environment through its
//! document (`GET REGISTRY/NAME`, the registry the project's `.npmrc` names for it,
//! else the lock's; its token, if one is configured), the version whose
//! `dist.integrity` is the lockfile's, and its `dist.tarball`; a tool's own download
//! at its locked URL. Each is fetched once, refused unless its sha512 is the lock's,
//! and kept in vx's blob cache under its sha256, where the gathering sync (which
//! knows no npm token) then takes it. Each layer carries its
//! [`npm_carried_name`] (`npm-<sha512 hex>.tgz`, the name of its integrity): `vx
//! bundle import` names it so in vx's cache, where the install finds it by the lock's
//! integrity (the tool's own download; an environment's lockfile resolved to the
//! carried files, `vx_sources::backend::environment::npm_with_carried`).
//!
//! Only what npm installs on a platform pushed: an optional platform package of
//! another OS or CPU is left out.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;

use sha2::{Digest, Sha256, Sha512};

use vx_base::secret::Secret;
use vx_model::lock::Lock;
use vx_net::{Client, Request};
use vx_sources::backend::environment::{NpmPin, npm_carried_name, npm_pins};
use vx_sources::backend::npm::{self, Packument, Target};
use vx_sources::backend::npmrc::{Npmrc, Registry};
use vx_sources::mirror::artifacts::Artifact;

use super::error::PushError;

/// Longest package document read.
const MAX_DOCUMENT: u64 = 64 << 20;
/// Longest tarball read.
const MAX_TARBALL: u64 = 1 << 30;

/// The npm tarballs of `lock` for `platforms` (every locked one when empty), each
/// once, through `client` (the project's network settings), with the registries and
/// tokens of the `.npmrc` files of `project` (when trusted) and the user's.
pub(crate) fn of_lock(
    lock: &Lock,
    project: Option<vx_sources::backend::npmrc::Project<'_>>,
    platforms: &[String],
    client: &Client,
) -> Result<Vec<Artifact>, PushError> {
    let mut reader = Reader {
        client,
        blobs: vx_base::platform::fs::cache_dir().map(|c| c.join("blobs").join("sha256")),
        documents: BTreeMap::new(),
    };
    let mut out: Vec<Artifact> = Vec::new();
    for (tool, entry) in &lock.tools {
        let wanted: Vec<&String> = entry
            .platforms
            .keys()
            .filter(|p| platforms.is_empty() || platforms.contains(p))
            .collect();
        // A download pinned by its integrity alone: at its locked URL.
        for platform in &wanted {
            let asset = &entry.platforms[*platform];
            let Some(integrity) = asset
                .integrity
                .as_deref()
                .filter(|_| asset.sha256.is_none())
            else {
                continue;
            };
            if asset.stale || out.iter().any(|a| same(a, integrity)) {
                continue;
            }
            let npmrc = Npmrc::load(project, &|k| std::env::var(k).ok());
            let auth = npmrc.auth_for(&asset.url);
            let what = format!("{tool} {}", entry.version);
            let (sha256, size) = reader.tarball(&what, &asset.url, auth, integrity)?;
            out.push(artifact(
                tool,
                &entry.version,
                platform,
                &asset.url,
                sha256,
                size,
                integrity,
            ));
        }
        let Some(environment) = entry.environment.as_ref().filter(|e| e.runtime == "node") else {
            continue;
        };
        let targets: Vec<(&String, Option<Target>)> = wanted
            .iter()
            .map(|p| (*p, super::environment::target_of(p)))
            .collect();
        let package = entry
            .package
            .as_deref()
            .and_then(|p| p.strip_prefix("npm:"))
            .unwrap_or(tool);
        let npmrc = Npmrc::load(project, &|k| std::env::var(k).ok())
            .or_registry_of(package, &environment.registry);
        for pin in npm_pins(&environment.lockfile) {
            // The first platform pushed that npm installs it on.
            let Some((platform, _)) = targets.iter().find(|(_, t)| {
                t.as_ref()
                    .is_none_or(|t| npm::installs_on(&pin.os, &pin.cpu, &pin.libc, t))
            }) else {
                continue;
            };
            if out.iter().any(|a| same(a, &pin.integrity)) {
                continue;
            }
            let what = format!("{tool}'s environment: {} {}", pin.name, pin.version);
            let registry = npmrc.registry_for(&pin.name);
            let url = reader.find(&what, &registry, &pin)?;
            let auth = npmrc.auth_for(&url);
            let (sha256, size) = reader.tarball(&what, &url, auth, &pin.integrity)?;
            out.push(artifact(
                &download_name(&pin.name, &sha256),
                &pin.version,
                platform,
                &url,
                sha256,
                size,
                &pin.integrity,
            ));
        }
    }
    Ok(out)
}

/// Whether `artifact` is the tarball of `integrity`.
fn same(artifact: &Artifact, integrity: &str) -> bool {
    artifact.file.is_some() && artifact.file == npm_carried_name(integrity)
}

fn artifact(
    tool: &str,
    version: &str,
    platform: &str,
    url: &str,
    sha256: String,
    size: u64,
    integrity: &str,
) -> Artifact {
    Artifact {
        tool: tool.to_owned(),
        version: version.to_owned(),
        platform: platform.to_owned(),
        url: url.to_owned(),
        sha256,
        size: Some(size),
        file: npm_carried_name(integrity),
    }
}

/// The name a tarball's download goes by in the gathering sync, where names are
/// unique: the package's, without its scope, and the start of its sha256.
fn download_name(package: &str, sha256: &str) -> String {
    let name = format!("{}.{}", npm::unscoped(package), &sha256[..12]);
    if vx_base::validate::tool_name(&name).is_ok() {
        name
    } else {
        format!("npm.{}", &sha256[..12])
    }
}

/// Reads documents and tarballs, each document once.
struct Reader<'a> {
    client: &'a Client,
    /// vx's blob cache, where each tarball is kept by its sha256.
    blobs: Option<PathBuf>,
    /// Package documents read, by URL.
    documents: BTreeMap<String, Packument>,
}

impl Reader<'_> {
    /// `request` sent with the registry's `auth`, its answer if that is a 200; else
    /// the reason, through `failed`.
    fn get_ok(
        &self,
        mut request: Request,
        auth: Option<Secret>,
        failed: &dyn Fn(String) -> PushError,
    ) -> Result<vx_net::Response, PushError> {
        if let Some(auth) = auth {
            request = request.secret_header("Authorization", auth);
        }
        let answer = self
            .client
            .send(request)
            .map_err(|e| failed(e.to_string()))?;
        if answer.status != 200 {
            return Err(failed(format!("the registry answered {}", answer.status)));
        }
        Ok(answer)
    }

    /// The URL of `pin`'s tarball: its version's `dist.tarball` in its document at
    /// `registry`, that version's `dist.integrity` the lockfile's.
    fn find(&mut self, what: &str, registry: &Registry, pin: &NpmPin) -> Result<String, PushError> {
        let url = npm::packument_url(&registry.url, &pin.name);
        let failed = |why: String| {
            PushError::EnvironmentFiles(format!(
                "{what}: cannot find its tarball at {}: {why}",
                vx_base::validate::hide_userinfo(&url)
            ))
        };
        if !self.documents.contains_key(&url) {
            let request = Request::get(&url).header(
                "Accept",
                "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8",
            );
            let answer = self.get_ok(request, registry.authorization.clone(), &failed)?;
            let body = answer
                .read_to_vec(MAX_DOCUMENT)
                .map_err(|e| failed(e.to_string()))?;
            let doc: Packument = serde_json::from_slice(&body)
                .map_err(|e| failed(format!("not a package document: {e}")))?;
            self.documents.insert(url.clone(), doc);
        }
        let want = vx_net::verify::integrity::sha512_of(&pin.integrity)
            .map_err(|e| failed(e.to_string()))?;
        self.documents[&url]
            .versions
            .get(&pin.version)
            .filter(|doc| {
                doc.dist
                    .integrity
                    .as_deref()
                    .and_then(|i| vx_net::verify::integrity::sha512_of(i).ok())
                    == Some(want)
            })
            .map(|doc| doc.dist.tarball.clone())
            .ok_or_else(|| {
                failed(format!(
                    "it lists no version {} with the lock's integrity",
                    pin.version
                ))
            })
    }

    /// Fetches `url`, refused unless its sha512 is `integrity`'s; keeps it in vx's blob
    /// cache; returns its sha256 and size.
    fn tarball(
        &self,
        what: &str,
        url: &str,
        auth: Option<Secret>,
        integrity: &str,
    ) -> Result<(String, u64), PushError> {
        let failed = |why: String| {
            PushError::EnvironmentFiles(format!(
                "{what}: {}: {why}",
                vx_base::validate::hide_userinfo(url)
            ))
        };
        let want =
            vx_net::verify::integrity::sha512_of(integrity).map_err(|e| failed(e.to_string()))?;
        let answer = self.get_ok(Request::get(url), auth, &failed)?;
        let dir = match &self.blobs {
            Some(dir) => dir.clone(),
            None => std::env::temp_dir(),
        };
        std::fs::create_dir_all(&dir).map_err(|source| PushError::Io {
            path: dir.clone(),
            source,
        })?;
        let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(|source| PushError::Io {
            path: dir.clone(),
            source,
        })?;
        let (mut sha512, mut sha256, mut size) = (Sha512::new(), Sha256::new(), 0u64);
        let mut reader = answer.into_reader().take(MAX_TARBALL + 1);
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(failed(e.to_string())),
            };
            sha512.update(&buf[..n]);
            sha256.update(&buf[..n]);
            size += n as u64;
            tmp.write_all(&buf[..n]).map_err(|source| PushError::Io {
                path: dir.clone(),
                source,
            })?;
        }
        if size > MAX_TARBALL {
            return Err(failed(format!(
                "larger than {}",
                vx_text::bytes(MAX_TARBALL)
            )));
        }
        if sha512.finalize()[..] != want[..] {
            return Err(failed(format!(
                "not the tarball the lock's integrity {integrity} names; nothing was carried"
            )));
        }
        let sha256 = hex::encode(sha256.finalize());
        if self.blobs.is_some() {
            let dest = dir.join(&sha256);
            if !dest.is_file() {
                tmp.persist(&dest).map_err(|e| PushError::Io {
                    path: dest,
                    source: e.error,
                })?;
            }
        }
        Ok((sha256, size))
    }
}
