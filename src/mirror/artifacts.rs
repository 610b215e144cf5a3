//! A lock's downloads as the content of an OCI image manifest: vx.lock itself as the
//! config blob, one layer per locked artifact (tool × platform) annotated with what it
//! is, tagged with the lock's digest. What `vx mirror push` sends to a registry and
//! `vx bundle export` writes as a layout.

use std::collections::BTreeMap;

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::lock::Lock;

/// The config blob's media type: vx.lock, as TOML.
pub const LOCK_MEDIA_TYPE: &str = "application/vnd.vx.lock.v1+toml";
/// A layer's media type: a tool's download, as its origin serves it.
pub const ARTIFACT_MEDIA_TYPE: &str = "application/vnd.vx.artifact.v1";
/// The manifest's `artifactType`.
pub const ARTIFACT_TYPE: &str = "application/vnd.vx.toolchain.v1";

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
}

impl Artifact {
    /// `sha256:<hex>`.
    pub fn digest(&self) -> String {
        format!("sha256:{}", self.sha256)
    }

    /// The file name of the download: its URL's last path segment.
    pub fn file_name(&self) -> String {
        let path = self.url.split(['?', '#']).next().unwrap_or(&self.url);
        let name = path.rsplit('/').next().unwrap_or(path);
        String::from_utf8_lossy(&crate::validate::percent_decoded(name)).into_owned()
    }
}

/// The artifacts of `lock` for `platforms` (all locked platforms when empty), stale
/// entries left out, in the lock's order (tool, then platform).
pub fn of_lock(lock: &Lock, platforms: &[String]) -> Vec<Artifact> {
    let mut out = Vec::new();
    for (tool, entry) in &lock.tools {
        for (platform, asset) in &entry.platforms {
            if asset.stale || (!platforms.is_empty() && !platforms.contains(platform)) {
                continue;
            }
            // A download pinned by a registry's integrity alone (npm's sha512) has no
            // content address here: it is fetched from its registry.
            let Some(sha256) = asset.sha256.clone() else {
                continue;
            };
            out.push(Artifact {
                tool: tool.clone(),
                version: entry.version.clone(),
                platform: platform.clone(),
                url: asset.url.clone(),
                sha256,
                size: asset.size,
            });
        }
    }
    out
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
            let annotations: BTreeMap<&str, String> = [
                ("org.opencontainers.image.title", artifact.file_name()),
                ("dev.vx.tool", artifact.tool.clone()),
                ("dev.vx.version", artifact.version.clone()),
                ("dev.vx.platform", artifact.platform.clone()),
                ("dev.vx.url", artifact.url.clone()),
            ]
            .into_iter()
            .collect();
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
}
