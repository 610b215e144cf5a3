//! A lock's downloads as the content of an OCI image manifest: vx.lock itself as the
//! config blob, one layer per locked artifact (tool × platform) annotated with what it
//! is, tagged with the lock's digest. What `vx mirror push` sends to a registry and
//! `vx bundle export` writes as a layout.

use std::collections::BTreeMap;

use serde_json::json;
use sha2::{Digest, Sha256};

use vx_model::lock::Lock;

/// The config blob's media type: vx.lock, as TOML.
pub const LOCK_MEDIA_TYPE: &str = "application/vnd.vx.lock.v1+toml";
/// A layer's media type: a tool's download, as its origin serves it.
pub(crate) const ARTIFACT_MEDIA_TYPE: &str = "application/vnd.vx.artifact.v1";
/// The manifest's `artifactType`.
pub(crate) const ARTIFACT_TYPE: &str = "application/vnd.vx.toolchain.v1";

/// One locked download.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artifact {
    /// The tool.
    pub tool: String,
    /// Its locked version.
    pub version: String,
    /// The platform (`linux-x86_64`).
    pub platform: String,
    /// The origin's URL.
    pub url: String,
    /// The sha256 (lower-case hex).
    pub sha256: String,
    /// Its size, when the lock knows it.
    pub size: Option<u64>,
    /// A file a runtime tool's environment installs (a wheel of its pinned set; an npm
    /// tarball, by its integrity), by the name its installer finds it by: `vx bundle
    /// import` puts it under that name where uv and vx's npm installs find it offline
    /// ([`ENVIRONMENT_FILES`]). `None`: a tool's own download.
    pub file: Option<String>,
}

/// The annotation of a layer that is an environment's file ([`Artifact::file`]).
pub(crate) const FILE_ANNOTATION: &str = "dev.vx.file";

/// Where in vx's cache `vx bundle import` puts the environments' files by name (a flat
/// directory, the `--find-links` of uv's offline installs).
pub const ENVIRONMENT_FILES: &str = "environment-files";

impl Artifact {
    /// `sha256:<hex>`.
    pub fn digest(&self) -> String {
        format!("sha256:{}", self.sha256)
    }

    /// The file name of the download: its URL's last path segment.
    pub(crate) fn file_name(&self) -> String {
        let path = self.url.split(['?', '#']).next().unwrap_or(&self.url);
        let name = path.rsplit('/').next().unwrap_or(path);
        String::from_utf8_lossy(&vx_base::validate::percent_decoded(name)).into_owned()
    }
}

/// The artifacts of `lock` for `platforms` (all locked platforms when empty), stale
/// entries left out, in the lock's order (tool, then platform). A runtime tool's
/// environment brings what it is built with, after the tool: vx's own runtime
/// (`own_runtime`, a project naming no node or python) and vx's uv (`installer`), so
/// that a bundle installs the tool offline as it installs online (not with pip for
/// want of uv). Those are shared by several tools: each download is listed once.
pub fn of_lock(lock: &Lock, platforms: &[String]) -> Vec<Artifact> {
    let mut out: Vec<Artifact> = Vec::new();
    for (tool, entry) in &lock.tools {
        push_entry(&mut out, tool, entry, platforms);
        let Some(environment) = &entry.environment else {
            continue;
        };
        if let Some(runtime) = &environment.own_runtime {
            push_entry(&mut out, &environment.runtime, runtime, platforms);
        }
        if let Some(installer) = &environment.installer {
            push_entry(
                &mut out,
                vx_model::lock::INSTALLER_NAME,
                installer,
                platforms,
            );
        }
    }
    out
}

/// The downloads of `entry` (the lock's `tool`, or one an environment holds) for
/// `platforms`, those already listed (by sha256 and platform) left out.
fn push_entry(
    out: &mut Vec<Artifact>,
    tool: &str,
    entry: &vx_model::lock::LockedTool,
    platforms: &[String],
) {
    for (platform, asset) in &entry.platforms {
        if asset.stale || (!platforms.is_empty() && !platforms.contains(platform)) {
            continue;
        }
        // A download pinned by a registry's integrity alone (npm's sha512) has no
        // content address here: it is fetched from its registry.
        let Some(sha256) = asset.sha256.clone() else {
            continue;
        };
        if out
            .iter()
            .any(|a| a.sha256 == sha256 && a.platform == *platform)
        {
            continue;
        }
        out.push(Artifact {
            tool: tool.to_owned(),
            version: entry.version.clone(),
            platform: platform.clone(),
            url: asset.url.clone(),
            sha256,
            size: asset.size,
            file: None,
        });
    }
}

/// The tag of a lock: `lock-` and the first 16 hex digits of its sha256.
pub fn lock_tag(lock_bytes: &[u8]) -> String {
    let digest = hex::encode(Sha256::digest(lock_bytes));
    format!("lock-{}", &digest[..16])
}

/// The OCI image manifest (JSON bytes) of `artifacts` (with each one's size, known by
/// now) and the lock's bytes as its config.
pub fn manifest(lock_bytes: &[u8], artifacts: &[(Artifact, u64)]) -> Vec<u8> {
    let layers: Vec<_> = artifacts
        .iter()
        .map(|(artifact, size)| {
            let mut annotations: BTreeMap<&str, String> = [
                ("org.opencontainers.image.title", artifact.file_name()),
                ("dev.vx.tool", artifact.tool.clone()),
                ("dev.vx.version", artifact.version.clone()),
                ("dev.vx.platform", artifact.platform.clone()),
                ("dev.vx.url", artifact.url.clone()),
            ]
            .into_iter()
            .collect();
            if let Some(file) = &artifact.file {
                annotations.insert(FILE_ANNOTATION, file.clone());
            }
            json!({
                "mediaType": ARTIFACT_MEDIA_TYPE,
                "digest": artifact.digest(),
                "size": size,
                "annotations": annotations,
            })
        })
        .collect();
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": super::oci::MANIFEST_MEDIA_TYPE,
        "artifactType": ARTIFACT_TYPE,
        "config": {
            "mediaType": LOCK_MEDIA_TYPE,
            "digest": format!("sha256:{}", hex::encode(Sha256::digest(lock_bytes))),
            "size": lock_bytes.len(),
        },
        "layers": layers,
    });
    serde_json::to_vec_pretty(&manifest).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_names_each_layer_and_the_lock_is_its_config() {
        let artifact = Artifact {
            tool: "rg".into(),
            version: "14.1.1".into(),
            platform: "linux-x86_64".into(),
            url: "https://x.org/dl/rg%2014.tar.gz?x=1".into(),
            sha256: "ab".repeat(32),
            size: None,
            file: None,
        };
        assert_eq!(artifact.file_name(), "rg 14.tar.gz");
        let bytes = manifest(b"version = 1\n", &[(artifact.clone(), 42)]);
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(value["config"]["mediaType"], LOCK_MEDIA_TYPE);
        assert_eq!(value["config"]["size"], 12);
        let layer = &value["layers"][0];
        assert_eq!(layer["digest"], artifact.digest());
        assert_eq!(layer["size"], 42);
        assert_eq!(layer["annotations"]["dev.vx.platform"], "linux-x86_64");
        assert_eq!(
            layer["annotations"]["org.opencontainers.image.title"],
            "rg 14.tar.gz"
        );
        assert!(lock_tag(b"version = 1\n").starts_with("lock-"));
        assert_eq!(lock_tag(b"x").len(), 5 + 16);
    }

    #[test]
    fn a_runtime_tools_own_runtime_and_uv_are_carried_once() {
        use vx_model::lock::{Asset, Environment, LockedTool};
        let entry = |version: &str, url: &str, sha: char| {
            let mut asset = Asset::new(url.to_owned(), sha.to_string().repeat(64), None);
            asset.format = Some("tar.gz".into());
            LockedTool {
                version: version.into(),
                inputs: format!("sha256:{}", "0".repeat(64)),
                layout: None,
                constraint: None,
                package: None,
                tag: None,
                registry: None,
                provenance_loss: None,
                platforms: [("linux-x86_64".to_owned(), asset)].into_iter().collect(),
                unsupported: Default::default(),
                environment: None,
            }
        };
        let with_environment = |name: &str, sha: char| {
            let mut tool = entry("1", &format!("https://x.org/{name}.whl"), sha);
            tool.environment = Some(Environment {
                runtime: "python".into(),
                runtime_version: "3.12.8".into(),
                registry: "https://pypi.org/simple".into(),
                allow_builds: Vec::new(),
                lockfile: String::new(),
                own_runtime: Some(Box::new(entry(
                    "3.12.8",
                    "https://x.org/python.tar.gz",
                    'p',
                ))),
                installer: Some(Box::new(entry("0.5.11", "https://x.org/uv.tar.gz", 'u'))),
            });
            tool
        };
        let mut lock = Lock::default();
        lock.tools
            .insert("black".into(), with_environment("black", 'b'));
        lock.tools
            .insert("ruff".into(), with_environment("ruff", 'r'));
        let names: Vec<(String, String)> = of_lock(&lock, &[])
            .into_iter()
            .map(|a| (a.tool, a.version))
            .collect();
        let names: Vec<(&str, &str)> = names
            .iter()
            .map(|(t, v)| (t.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("black", "1"),
                ("python", "3.12.8"),
                ("uv", "0.5.11"),
                ("ruff", "1")
            ]
        );
        assert!(of_lock(&lock, &["macos-aarch64".into()]).is_empty());
    }
}
