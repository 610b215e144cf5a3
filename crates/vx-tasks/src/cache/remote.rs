//! Results in the team's OCI registry (`[settings] task_cache = "oci://HOST/REPO"`),
//! through vx's one OCI client (`vx_sources::mirror::oci`: docker's credentials, bearer
//! tokens, and the HTTP client's CAs, proxies and `url_replacements`).
//!
//! One result is one OCI image manifest tagged `vxt-<key>`, `artifactType`
//! [`ARTIFACT_TYPE`]: its config blob is the key's document (so the config's digest
//! is `sha256:<key>`), its layers one archive per output root ([`OUTPUTS_TYPE`], each
//! annotated with its `outputs` glob, in order) and the log twice: with each chunk's
//! stream ([`LOG_V2_TYPE`], [`super::streams`]), which this vx reads, and both streams
//! run together ([`LOG_TYPE`]), which a vx before it reads (it requires that layer: a
//! result without it would be refused there). A result an earlier vx pushed has only
//! the plain layer, replayed to stdout as that vx replayed it. Both layers are in the
//! manifest the signature names, so each is checked by its digest.
//!
//! Beside it, for each signer, a second manifest tagged `vxt-<key>.sig-<KEYID>`
//! ([`SIGNATURE_ARTIFACT_TYPE`]): its config the statement
//! `{"format","key","manifest","project"}` (the result manifest's digest and the
//! repository it was pushed for), its one layer the minisign signature of that
//! statement. A reader looks only at the tags of the keys it trusts, then fetches the
//! result manifest *by the digest the signature names*: whoever else can push to the
//! repository (a pull request's job) may overwrite `vxt-<key>` or plant their own
//! signature tag, and is never restored — no first writer, no last writer, only a
//! trusted signer. Every blob is checked by its digest as it streams; nothing is used
//! before its digest matched.

use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::CacheError;
use super::streams::Log;
use vx_net::verify::minisign::{Key, SecretKey};
use vx_sources::mirror::oci::{BlobHead, MANIFEST_MEDIA_TYPE, Registry};

/// The result manifest's `artifactType`.
pub(crate) const ARTIFACT_TYPE: &str = "application/vnd.vx.task-result.v1+json";
/// The config blob's media type: the key's document.
pub(crate) const CONFIG_TYPE: &str = "application/vnd.vx.task-key.v1+json";
/// The outputs' archive layer.
pub(crate) const OUTPUTS_TYPE: &str = "application/vnd.vx.task-result.outputs.v1.tar+zstd";
/// The log layer as an earlier vx reads it: both streams run together.
pub(crate) const LOG_TYPE: &str = "application/vnd.vx.task-result.log.v1";
/// The log layer with each chunk's stream ([`super::streams`]).
pub(crate) const LOG_V2_TYPE: &str = "application/vnd.vx.task-result.log.v2";
/// The signature manifest's `artifactType`.
pub(crate) const SIGNATURE_ARTIFACT_TYPE: &str = "application/vnd.vx.task-result.signature.v1+json";
/// The statement blob's media type.
pub(crate) const STATEMENT_TYPE: &str = "application/vnd.vx.task-result.statement.v1+json";
/// The minisign signature layer.
pub(crate) const MINISIGN_TYPE: &str = "application/vnd.vx.minisign.signature.v1";
/// The statement's `format`.
const STATEMENT_FORMAT: &str = "vx.task-result-statement.v1";

/// Largest statement, signature or key document read.
const MAX_SMALL: u64 = 1 << 20;
/// Largest log read.
const MAX_LOG: u64 = super::local::MAX_LOG;
/// Largest outputs' archives read, in all.
const MAX_OUTPUTS: u64 = 8 << 30;
/// Most output roots (layers) a result may have.
const MAX_ROOTS: usize = 1024;

/// A result to push: its key and task, its key's `document`, the archives of its
/// output roots with their `outputs` globs, and its `log`.
#[derive(Clone, Copy)]
pub(crate) struct Upload<'a> {
    /// The key.
    pub key: &'a str,
    /// The task's name (an annotation).
    pub task: &'a str,
    /// The key's document, canonical.
    pub document: &'a [u8],
    /// One archive per output root, in order.
    pub archives: &'a [std::path::PathBuf],
    /// The `outputs` globs, in the same order.
    pub outputs: &'a [String],
    /// The log.
    pub log: &'a Log,
}

/// What a signer signs of a result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Statement {
    /// `vx.task-result-statement.v1`.
    pub format: String,
    /// The result's key.
    pub key: String,
    /// The result manifest's digest (`sha256:…`).
    pub manifest: String,
    /// The repository it was pushed for (`REPO` of `oci://HOST/REPO`): a signature
    /// for one project's results is not one for another's.
    pub project: String,
}

#[derive(Deserialize)]
struct Descriptor {
    #[serde(rename = "mediaType")]
    media_type: String,
    digest: String,
    size: u64,
    /// The blob itself, base64, when the manifest carries it inline (OCI 1.1's
    /// descriptor `data`): checked by its digest as a fetched blob is, and fetched
    /// from the registry only when absent.
    #[serde(default)]
    data: Option<String>,
}

#[derive(Deserialize)]
struct Manifest {
    #[serde(rename = "artifactType", default)]
    artifact_type: Option<String>,
    config: Descriptor,
    layers: Vec<Descriptor>,
}

/// What the registry had for a key.
pub(crate) enum Found {
    /// Nothing under the key.
    Absent,
    /// A result signed by a trusted key, its outputs' archive written where asked:
    /// its log and the bytes fetched.
    Hit {
        /// The key's document (its digest checked: it is the key).
        document: Vec<u8>,
        /// The log.
        log: Log,
    },
}

/// The team's repository of results.
pub struct Remote {
    registry: Registry,
    /// The longest a fetch may take in all (a registry that trickles bytes never trips
    /// a read timeout; this it does), give or take one read timeout.
    deadline: Duration,
}

/// [`Remote`]'s deadline when `VX_TASK_CACHE_TIMEOUT` (seconds) does not say.
pub(crate) const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);
/// The longest deadline `VX_TASK_CACHE_TIMEOUT` may set (a day): a larger number is
/// read as this, never as a time past what `Instant` can hold.
pub(crate) const MAX_DEADLINE: Duration = Duration::from_secs(24 * 3600);

impl Remote {
    /// The repository behind `registry`; a fetch takes at most `deadline`.
    pub(crate) fn new(registry: Registry, deadline: Duration) -> Remote {
        Remote { registry, deadline }
    }

    /// The repository as the messages name it (no credentials).
    pub(crate) fn label(&self) -> &str {
        &self.registry.target().label
    }

    /// The project a statement names: the repository's path.
    fn project(&self) -> &str {
        &self.registry.target().repo
    }

    /// The result of `key`, signed by one of `trusted`, its archives (one per output
    /// root) written into the directory `archives`. A result there that no trusted key signed, a signature that does not
    /// verify, a blob whose digest differs: [`CacheError::Refused`], saying why.
    ///
    /// `progress` hears the outputs' bytes fetched, of their layers' sizes in all.
    pub(crate) fn fetch(
        &self,
        key: &str,
        trusted: &[Key],
        archives: &Path,
        progress: &dyn Fn(u64, u64),
    ) -> Result<Found, CacheError> {
        let until = Instant::now() + self.deadline;
        let mut refusal = None;
        for signer in trusted {
            let tag = signature_tag(key, signer.id());
            let Some(bytes) = self.registry.get_manifest(&tag, MANIFEST_MEDIA_TYPE)? else {
                continue;
            };
            match self.signed_manifest(key, signer, &bytes, until) {
                Ok(digest) => return self.result(key, &digest, archives, until, progress),
                Err(why) => refusal = Some(why),
            }
        }
        if let Some(why) = refusal {
            return Err(why);
        }
        match self
            .registry
            .get_manifest(&result_tag(key), MANIFEST_MEDIA_TYPE)?
        {
            None => Ok(Found::Absent),
            Some(_) if trusted.is_empty() => Err(CacheError::Refused(
                "the project trusts no key to sign results ([settings] task_cache_keys)".into(),
            )),
            Some(_) => Err(CacheError::Refused(
                "it is signed by no key the project trusts".into(),
            )),
        }
    }

    /// The result manifest's digest that `signer`'s signature manifest `bytes` vouches
    /// for, once its statement verified and names `key` and this project.
    fn signed_manifest(
        &self,
        key: &str,
        signer: &Key,
        bytes: &[u8],
        until: Instant,
    ) -> Result<String, CacheError> {
        let manifest: Manifest = serde_json::from_slice(bytes)
            .map_err(|e| CacheError::Refused(format!("its signature manifest: {e}")))?;
        if manifest.artifact_type.as_deref() != Some(SIGNATURE_ARTIFACT_TYPE) {
            return Err(CacheError::Refused(
                "its signature manifest is not a vx signature".into(),
            ));
        }
        let statement = self.small_blob(&manifest.config, until)?;
        let signature = manifest
            .layers
            .iter()
            .find(|l| l.media_type == MINISIGN_TYPE)
            .ok_or_else(|| CacheError::Refused("its signature manifest has no signature".into()))?;
        let signature = self.small_blob(signature, until)?;
        signer
            .verify_bytes(&statement, &signature, &signature_tag(key, signer.id()))
            .map_err(|e| CacheError::Refused(format!("its signature: {e}")))?;
        let statement: Statement = serde_json::from_slice(&statement)
            .map_err(|e| CacheError::Refused(format!("its signed statement: {e}")))?;
        if statement.format != STATEMENT_FORMAT || statement.key != key {
            return Err(CacheError::Refused(
                "its signature is for another key".into(),
            ));
        }
        if statement.project != self.project() {
            return Err(CacheError::Refused(format!(
                "its signature is for another project ({})",
                vx_text::sanitize(&statement.project)
            )));
        }
        Ok(statement.manifest)
    }

    /// The result manifest `digest` of `key`: checked, then its outputs into `archive`.
    fn result(
        &self,
        key: &str,
        digest: &str,
        archives: &Path,
        until: Instant,
        progress: &dyn Fn(u64, u64),
    ) -> Result<Found, CacheError> {
        let bytes = self
            .registry
            .get_manifest(digest, MANIFEST_MEDIA_TYPE)?
            .ok_or_else(|| CacheError::Refused("the signed manifest is gone".into()))?;
        if format!("sha256:{}", hex::encode(Sha256::digest(&bytes))) != digest {
            return Err(CacheError::Refused(
                "its manifest is not the one signed".into(),
            ));
        }
        let manifest: Manifest = serde_json::from_slice(&bytes)
            .map_err(|e| CacheError::Refused(format!("its manifest: {e}")))?;
        if manifest.artifact_type.as_deref() != Some(ARTIFACT_TYPE)
            || manifest.config.digest != format!("sha256:{key}")
        {
            return Err(CacheError::Refused(
                "its manifest is not a result of this key".into(),
            ));
        }
        // The log with its streams; else, from an earlier vx, the plain one.
        let log = (manifest.layers.iter())
            .find(|l| l.media_type == LOG_V2_TYPE)
            .or_else(|| manifest.layers.iter().find(|l| l.media_type == LOG_TYPE))
            .ok_or_else(|| CacheError::Refused(format!("its manifest has no {LOG_TYPE}")))?;
        let roots: Vec<&Descriptor> = manifest
            .layers
            .iter()
            .filter(|l| l.media_type == OUTPUTS_TYPE)
            .collect();
        let total: u64 = roots.iter().map(|l| l.size).sum();
        if total > MAX_OUTPUTS || log.size > MAX_LOG || roots.len() > MAX_ROOTS {
            return Err(CacheError::Refused("its layers are too large".into()));
        }
        let document = self.small_blob(&manifest.config, until)?;
        let mut before = 0;
        progress(0, total);
        for (i, root) in roots.iter().enumerate() {
            let path = archives.join(super::archive::root_file(i));
            let mut file = std::fs::File::create(&path).map_err(|source| CacheError::Io {
                what: "write a fetched result",
                path: path.clone(),
                source,
            })?;
            self.blob_into(root, &mut file, until, &|seen| {
                progress(before + seen, total)
            })?;
            before += root.size;
        }
        let mut log_bytes = Vec::new();
        self.blob_into(log, &mut log_bytes, until, &|_| {})?;
        let log = Log::kept(&log_bytes, log.media_type == LOG_V2_TYPE)?;
        Ok(Found::Hit { document, log })
    }

    /// A small blob (a statement, a signature), checked.
    fn small_blob(&self, descriptor: &Descriptor, until: Instant) -> Result<Vec<u8>, CacheError> {
        if descriptor.size > MAX_SMALL {
            return Err(CacheError::Refused(
                "a blob of its signature is too large".into(),
            ));
        }
        let mut out = Vec::new();
        self.blob_into(descriptor, &mut out, until, &|_| {})?;
        Ok(out)
    }

    /// Streams the blob `descriptor` names into `out`, hashing as it goes; refused
    /// when it is longer than its descriptor says or its digest differs, given up at
    /// `until`. `seen_so_far` hears the bytes streamed so far.
    fn blob_into(
        &self,
        descriptor: &Descriptor,
        out: &mut dyn Write,
        until: Instant,
        seen_so_far: &dyn Fn(u64),
    ) -> Result<(), CacheError> {
        let digest = &descriptor.digest;
        if !digest.starts_with("sha256:") || digest.len() != 71 {
            return Err(CacheError::Refused(format!(
                "a blob's digest is not sha256: {}",
                vx_text::sanitize(&vx_base::validate::shorten(digest))
            )));
        }
        if let Some(data) = &descriptor.data {
            let bytes = inline(data, descriptor)?;
            out.write_all(&bytes)
                .map_err(|e| CacheError::Remote(e.to_string()))?;
            seen_so_far(bytes.len() as u64);
            return Ok(());
        }
        let (reader, _) = self
            .registry
            .get_blob(digest)?
            .ok_or_else(|| CacheError::Refused(format!("its blob {digest} is missing")))?;
        let mut reader = reader.take(descriptor.size + 1);
        let mut hasher = Sha256::new();
        let mut seen = 0u64;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            if Instant::now() > until {
                return Err(CacheError::Remote(format!(
                    "gave up after {} s (VX_TASK_CACHE_TIMEOUT)",
                    self.deadline.as_secs()
                )));
            }
            let n = reader
                .read(&mut buf)
                .map_err(|e| CacheError::Remote(format!("reading blob {digest}: {e}")))?;
            if n == 0 {
                break;
            }
            seen += n as u64;
            if seen > descriptor.size {
                return Err(CacheError::Refused(format!(
                    "its blob {digest} is longer than its manifest says"
                )));
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n])
                .map_err(|e| CacheError::Remote(e.to_string()))?;
            seen_so_far(seen);
        }
        if format!("sha256:{}", hex::encode(hasher.finalize())) != *digest {
            return Err(CacheError::Refused(format!(
                "its blob {digest} does not match its digest"
            )));
        }
        Ok(())
    }

    /// Pushes `result` and `signer`'s signature of it.
    pub(crate) fn push(&self, result: &Upload<'_>, signer: &SecretKey) -> Result<(), CacheError> {
        let Upload {
            key,
            task,
            document,
            archives,
            outputs,
            log,
        } = *result;
        let config = self.put_bytes(document)?;
        let roots = super::outputs::Outputs::of(outputs).roots;
        let mut layers = Vec::new();
        for (i, archive) in archives.iter().enumerate() {
            let (digest, size) = self.put_file(archive)?;
            layers.push(serde_json::json!({
                "mediaType": OUTPUTS_TYPE, "digest": digest, "size": size,
                "annotations": {
                    "org.opencontainers.image.title": super::archive::root_file(i),
                    "dev.vx.output": roots.get(i),
                },
            }));
        }
        layers.push(self.log_layer(LOG_V2_TYPE, "log.v2", &log.encode())?);
        layers.push(self.log_layer(LOG_TYPE, "log", &log.flattened())?);
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": MANIFEST_MEDIA_TYPE,
            "artifactType": ARTIFACT_TYPE,
            "config": {
                "mediaType": CONFIG_TYPE, "digest": config.0, "size": config.1,
                "data": base64_of(document),
            },
            "layers": layers,
            "annotations": { "dev.vx.task": task, "dev.vx.key": key },
        });
        let manifest = serde_json::to_vec(&manifest).expect("JSON serializes");
        self.registry
            .put_manifest(&result_tag(key), MANIFEST_MEDIA_TYPE, &manifest)?;
        let statement = Statement {
            format: STATEMENT_FORMAT.to_owned(),
            key: key.to_owned(),
            manifest: format!("sha256:{}", hex::encode(Sha256::digest(&manifest))),
            project: self.project().to_owned(),
        };
        let statement_bytes = serde_json::to_vec(&statement).expect("JSON serializes");
        let signature_text = signer.sign(&statement_bytes, &format!("vx task result {key}"));
        let statement = self.put_bytes(&statement_bytes)?;
        let signature = self.put_bytes(signature_text.as_bytes())?;
        let signed = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": MANIFEST_MEDIA_TYPE,
            "artifactType": SIGNATURE_ARTIFACT_TYPE,
            "config": {
                "mediaType": STATEMENT_TYPE, "digest": statement.0, "size": statement.1,
                "data": base64_of(&statement_bytes),
            },
            "layers": [
                {
                    "mediaType": MINISIGN_TYPE, "digest": signature.0, "size": signature.1,
                    "data": base64_of(signature_text.as_bytes()),
                },
            ],
            "annotations": { "dev.vx.key": key, "dev.vx.signer": signer.id() },
        });
        let signed = serde_json::to_vec(&signed).expect("JSON serializes");
        self.registry.put_manifest(
            &signature_tag(key, &signer.id()),
            MANIFEST_MEDIA_TYPE,
            &signed,
        )?;
        Ok(())
    }

    /// A log layer of `media_type` holding `bytes` (uploaded; inline too when small).
    fn log_layer(
        &self,
        media_type: &str,
        title: &str,
        bytes: &[u8],
    ) -> Result<serde_json::Value, CacheError> {
        let (digest, size) = self.put_bytes(bytes)?;
        let mut layer = serde_json::json!({
            "mediaType": media_type, "digest": digest, "size": size,
            "annotations": { "org.opencontainers.image.title": title },
        });
        if bytes.len() <= MAX_INLINE {
            layer["data"] = serde_json::json!(base64_of(bytes));
        }
        Ok(layer)
    }

    /// Uploads `bytes` unless the registry has them: their digest and size.
    fn put_bytes(&self, bytes: &[u8]) -> Result<(String, u64), CacheError> {
        let digest = format!("sha256:{}", hex::encode(Sha256::digest(bytes)));
        let len = bytes.len() as u64;
        if self.registry.blob_head(&digest)? != BlobHead::Present(Some(len)) {
            self.registry.upload_blob(&digest, &mut &bytes[..], len)?;
        }
        Ok((digest, len))
    }

    /// Uploads the file at `path` unless the registry has it: its digest and size.
    fn put_file(&self, path: &Path) -> Result<(String, u64), CacheError> {
        let io_err = |source| CacheError::Io {
            what: "read an outputs' archive",
            path: path.to_owned(),
            source,
        };
        let mut file = std::fs::File::open(path).map_err(io_err)?;
        let mut hasher = Sha256::new();
        let len = std::io::copy(&mut file, &mut hasher).map_err(io_err)?;
        let digest = format!("sha256:{}", hex::encode(hasher.finalize()));
        if self.registry.blob_head(&digest)? != BlobHead::Present(Some(len)) {
            let mut file = std::fs::File::open(path).map_err(io_err)?;
            self.registry.upload_blob(&digest, &mut file, len)?;
        }
        Ok((digest, len))
    }
}

/// The largest log a manifest carries inline (the key document, the statement and the
/// signature always are: they are small).
const MAX_INLINE: usize = 16 << 10;

/// `bytes` in standard base64, as a descriptor's `data` holds them.
fn base64_of(bytes: &[u8]) -> String {
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes)
}

/// The blob a descriptor carries inline (`data`), once its length and digest are the
/// descriptor's: a manifest's word is checked as a fetched blob is.
fn inline(data: &str, descriptor: &Descriptor) -> Result<Vec<u8>, CacheError> {
    // Base64 of at most the largest blob read inline: a longer text is refused before
    // it is decoded.
    if data.len() as u64 > MAX_LOG.div_ceil(3) * 4 {
        return Err(CacheError::Refused("an inline blob is too large".into()));
    }
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, data)
        .map_err(|e| CacheError::Refused(format!("an inline blob is not base64: {e}")))?;
    if bytes.len() as u64 != descriptor.size
        || format!("sha256:{}", hex::encode(Sha256::digest(&bytes))) != descriptor.digest
    {
        return Err(CacheError::Refused(format!(
            "its inline blob {} does not match its digest",
            descriptor.digest
        )));
    }
    Ok(bytes)
}

/// The tag of `key`'s result manifest.
pub(crate) fn result_tag(key: &str) -> String {
    format!("vxt-{key}")
}

/// The tag of the signature of `key`'s result by the key whose id is `id`.
pub(crate) fn signature_tag(key: &str, id: &str) -> String {
    format!("vxt-{key}.sig-{}", id.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn descriptor(bytes: &[u8]) -> Descriptor {
        Descriptor {
            media_type: LOG_TYPE.into(),
            digest: format!("sha256:{}", hex::encode(Sha256::digest(bytes))),
            size: bytes.len() as u64,
            data: Some(base64_of(bytes)),
        }
    }

    /// A blob a manifest carries inline is believed only when its length and digest
    /// are the descriptor's, as a fetched blob is.
    #[test]
    fn an_inline_blob_is_checked_by_its_digest() {
        let good = descriptor(b"no problems found\n");
        assert_eq!(
            inline(good.data.as_deref().unwrap(), &good).unwrap(),
            b"no problems found\n"
        );
        let forged = base64_of(b"owned\n");
        assert!(matches!(
            inline(&forged, &good),
            Err(CacheError::Refused(_))
        ));
        assert!(matches!(
            inline("not base64!", &good),
            Err(CacheError::Refused(_))
        ));
        let huge = "A".repeat(usize::try_from(MAX_LOG).unwrap() * 2);
        assert!(matches!(inline(&huge, &good), Err(CacheError::Refused(_))));
    }
}
