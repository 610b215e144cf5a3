//! `vx mirror push` and `vx bundle export`: every locked artifact of a project, the
//! lock as config and an OCI image manifest, to a registry or an OCI image layout.
//! A blob the target already has is skipped (a HEAD on a registry); the others are
//! gathered first, in parallel, through the sync pipeline ([`super::download`]: vx's
//! cache, a mirror or the origin, each checked against the lock's sha256), then sent;
//! the manifest goes last, once every layer is there.
//!
//! SIGINT, SIGTERM and SIGHUP stop a push at every phase (exit 130): the gathering
//! sync cancels its downloads, the checks and uploads stop between blobs and an upload
//! between chunks, and the scratch directory of gathered blobs is removed; no manifest
//! is pushed then.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sha2::{Digest, Sha256};

use vx_base::signals::Interrupt;
use vx_model::lock::Lock;
use vx_net::Client;
use vx_sources::mirror::artifacts::{self, Artifact, LOCK_MEDIA_TYPE};
use vx_sources::mirror::layout::Layout;
use vx_sources::mirror::oci::{BlobHead, MANIFEST_MEDIA_TYPE, Registry};
use vx_sources::mirror::source::OciRef;
use vx_sync::{Settings, SyncError};

pub use super::error::PushError;

/// Where the content goes.
pub enum Target {
    /// A registry's repository.
    Registry(OciRef),
    /// An OCI image layout: a directory, or a tar when `tar` is set.
    Layout {
        /// The directory or tar file.
        path: PathBuf,
        /// Write a tar.
        tar: bool,
    },
}

/// What to push.
pub struct Push<'a> {
    /// vx.lock's path.
    pub lock_path: &'a Path,
    /// Whether the user trusts the project (`vx trust`): only then is the `.npmrc`
    /// beside its lock read.
    pub trusted: bool,
    /// The platforms (empty: every locked one).
    pub platforms: &'a [String],
    /// Tags besides the lock's (`lock-<16 hex>`).
    pub tags: &'a [String],
    /// How the downloads run and report (`-j`, `--json`, the project's network
    /// settings for the children).
    pub settings: &'a Settings,
    /// The HTTP client for the registry.
    pub client: Client,
}

/// What a push did.
#[derive(Debug, Default)]
pub struct Pushed {
    /// Blobs sent (or written).
    pub sent: usize,
    /// Bytes sent.
    pub bytes: u64,
    /// Blobs the target already had.
    pub skipped: usize,
    /// The manifest's digest.
    pub digest: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// How many artifacts (layers).
    pub layers: usize,
}

/// Pushes `push`'s content to `target`, saying what it does on `out`. A layout
/// directory this call created is removed again when the push fails or is
/// interrupted: half a layout (an `oci-layout` without `index.json`) is no bundle.
pub fn push(target: &Target, push: &Push<'_>, out: &mut dyn Write) -> Result<Pushed, PushError> {
    let created = match target {
        Target::Layout { path, tar: false } => {
            (path.symlink_metadata().is_err()).then(|| path.clone())
        }
        _ => None,
    };
    let result = push_to(target, push, out);
    if let (Err(_), Some(dir)) = (&result, created) {
        let _ = std::fs::remove_dir_all(dir);
    }
    result
}

/// The lock's bytes and what a push of it sends: the lock's downloads for the pushed
/// platforms, the files its PyPI environments install and its npm tarballs (its npm
/// environments' sets and the downloads pinned by npm's integrity alone,
/// [`super::npm_files`]; a file that is also a tool's own download named on that
/// tool's layers); an error where there is none.
fn listed(push: &Push<'_>) -> Result<(Vec<u8>, Vec<Artifact>), PushError> {
    let lock_err = |why: String| PushError::Lock {
        path: push.lock_path.to_owned(),
        why,
    };
    let lock_bytes = vx_base::bounded_read::read(push.lock_path, vx_model::lock::MAX_LOCK_BYTES)
        .map_err(|e| {
            lock_err(if e.is_not_found() {
                "no vx.lock: run `vx lock` first".to_owned()
            } else {
                e.to_string()
            })
        })?;
    let lock = Lock::load(push.lock_path)
        .map_err(|e| lock_err(e.to_string()))?
        .ok_or_else(|| lock_err("no vx.lock: run `vx lock` first".to_owned()))?;
    let mut list = artifacts::of_lock(&lock, push.platforms);
    let project = push
        .lock_path
        .parent()
        .map(|dir| vx_sources::backend::npmrc::Project {
            dir,
            trusted: push.trusted,
        });
    let carried = super::environment::of_lock(&lock, push.platforms, &push.client)?
        .into_iter()
        .chain(super::npm_files::of_lock(
            &lock,
            project,
            push.platforms,
            &push.client,
        )?);
    for file in carried {
        let mut same = list
            .iter_mut()
            .filter(|a| a.sha256 == file.sha256)
            .peekable();
        if same.peek().is_none() {
            list.push(file);
        } else {
            for artifact in same.filter(|a| a.file.is_none()) {
                artifact.file.clone_from(&file.file);
            }
        }
    }
    if list.is_empty() {
        return Err(lock_err(if push.platforms.is_empty() {
            "the lock has no download: run `vx lock`".to_owned()
        } else {
            format!(
                "the lock has no download for {}: run `vx lock --platform …`",
                push.platforms.join(", ")
            )
        }));
    }
    Ok((lock_bytes, list))
}

fn push_to(target: &Target, push: &Push<'_>, out: &mut dyn Write) -> Result<Pushed, PushError> {
    let (lock_bytes, list) = listed(push)?;
    // For the whole push, the gathering sync's own handlers included: once that sync
    // is done, a signal must still stop the push (not set a flag nobody reads).
    let interrupt =
        Interrupt::register().map_err(|e| PushError::Sync(Box::new(SyncError::Signals(e))))?;
    let stop = interrupt.flag();
    let scratch = vx_engine::scratch::new("vx-push-").map_err(|source| PushError::Io {
        path: std::env::temp_dir(),
        source,
    })?;
    let mut sink: Box<dyn Blobs> = match target {
        Target::Registry(oci) => Box::new(Remote {
            registry: Arc::new(Registry::new(push.client.clone(), oci.clone(), true)?),
            interrupt: interrupt.clone(),
        }),
        Target::Layout { path, tar } => {
            let root = if *tar {
                scratch.path().join("layout")
            } else {
                path.clone()
            };
            Box::new(Layout::create(&root)?)
        }
    };
    let mut pushed = Pushed::default();
    // What the target lacks, each blob once (two platforms may share a download).
    let mut sizes: Vec<(String, u64)> = Vec::new();
    let mut missing: Vec<&Artifact> = Vec::new();
    for artifact in &list {
        stopped(&stop, &pushed, 0)?;
        let known = |sha: &str| sizes.iter().any(|(s, _)| s == sha);
        if known(&artifact.sha256) || missing.iter().any(|m| m.sha256 == artifact.sha256) {
            continue;
        }
        let claimed = sink
            .has(&artifact.digest())
            .map_err(|e| or_stopped(e, &stop, &pushed, 0))?;
        // A registry that says it has a blob at another size than the lock's (or none)
        // does not have it: it is sent again, not taken at its word.
        let claimed = match (claimed, artifact.size) {
            (Some(size), Some(locked)) if size != locked => {
                let _ = writeln!(
                    out,
                    "vx: {} {} {}: the registry says it has {} at {size} bytes, not the {locked} the lock records; sending it",
                    artifact.tool,
                    artifact.version,
                    artifact.platform,
                    artifact.digest()
                );
                None
            }
            (claimed, _) => claimed,
        };
        if let Some(size) = claimed {
            pushed.skipped += 1;
            let _ = writeln!(
                out,
                "vx: {} {} {}: already there ({})",
                artifact.tool,
                artifact.version,
                artifact.platform,
                artifact.digest()
            );
            sizes.push((artifact.sha256.clone(), artifact.size.unwrap_or(size)));
        } else {
            missing.push(artifact);
        }
    }
    let blobs = scratch.path().join("blobs");
    if !missing.is_empty() {
        super::download::gather(push.lock_path, &missing, &blobs, push.settings, &stop)?;
    }
    for artifact in &missing {
        stopped(&stop, &pushed, missing.len())?;
        let file = blobs.join(&artifact.sha256);
        let size = sink
            .put_file(&artifact.digest(), &file, &stop)
            .map_err(|e| or_stopped(e, &stop, &pushed, missing.len()))?;
        let _ = std::fs::remove_file(&file);
        pushed.sent += 1;
        pushed.bytes += size;
        let _ = writeln!(
            out,
            "vx: {} {} {}: sent {}",
            artifact.tool,
            artifact.version,
            artifact.platform,
            vx_text::bytes(size)
        );
        sizes.push((artifact.sha256.clone(), size));
    }
    let layers: Vec<(Artifact, u64)> = list
        .iter()
        .map(|artifact| {
            let size = sizes
                .iter()
                .find(|(sha, _)| *sha == artifact.sha256)
                .map_or(0, |(_, size)| *size);
            (artifact.clone(), size)
        })
        .collect();
    stopped(&stop, &pushed, missing.len())?;
    let config_digest = format!("sha256:{}", hex::encode(Sha256::digest(&lock_bytes)));
    let cut = |e| or_stopped(e, &stop, &pushed, missing.len());
    if sink.has(&config_digest).map_err(cut)? != Some(lock_bytes.len() as u64) {
        sink.put_bytes(&config_digest, LOCK_MEDIA_TYPE, &lock_bytes)
            .map_err(cut)?;
    }
    let manifest = artifacts::manifest(&lock_bytes, &layers);
    let mut tags = vec![artifacts::lock_tag(&lock_bytes)];
    for tag in push.tags {
        if !tags.contains(tag) {
            tags.push(tag.clone());
        }
    }
    stopped(&stop, &pushed, missing.len())?;
    pushed.digest = sink
        .put_manifest(&manifest, &tags)
        .map_err(|e| or_stopped(e, &stop, &pushed, missing.len()))?;
    if let Target::Layout { path, tar: true } = target {
        let layout = Layout::create(&scratch.path().join("layout"))?;
        layout.pack(path)?;
    }
    pushed.tags = tags;
    pushed.layers = layers.len();
    Ok(pushed)
}

/// [`PushError::Interrupted`] once `stop` is set, with what `pushed` has sent of the
/// `blobs` the target lacked.
fn stopped(stop: &AtomicBool, pushed: &Pushed, blobs: usize) -> Result<(), PushError> {
    if stop.load(Ordering::Relaxed) {
        return Err(PushError::Interrupted {
            sent: pushed.sent,
            blobs,
        });
    }
    Ok(())
}

/// `error`, unless `stop` is set: then [`PushError::Interrupted`], the reason an
/// upload or a request was cut short (it fails as whatever the cut left).
fn or_stopped(error: PushError, stop: &AtomicBool, pushed: &Pushed, blobs: usize) -> PushError {
    match stopped(stop, pushed, blobs) {
        Err(interrupted) => interrupted,
        Ok(()) => error,
    }
}

/// A reader that fails once `stop` is set, so an upload stops between chunks rather
/// than sending the rest of a large blob. Not [`std::io::ErrorKind::Interrupted`],
/// which readers retry.
struct Stoppable<'a, R> {
    inner: R,
    stop: &'a AtomicBool,
}

impl<R: Read> Read for Stoppable<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.stop.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("interrupted"));
        }
        self.inner.read(buf)
    }
}

/// Where blobs and the manifest go: a registry or a layout.
trait Blobs {
    /// The size of the blob `digest` when the target has it.
    fn has(&mut self, digest: &str) -> Result<Option<u64>, PushError>;
    /// Stores the file `path` as `digest`, stopping early once `stop` is set; returns
    /// its size.
    fn put_file(&mut self, digest: &str, path: &Path, stop: &AtomicBool) -> Result<u64, PushError>;
    /// Stores `bytes` as `digest`.
    fn put_bytes(&mut self, digest: &str, media_type: &str, bytes: &[u8]) -> Result<(), PushError>;
    /// Stores the manifest under each tag; returns its digest.
    fn put_manifest(&mut self, manifest: &[u8], tags: &[String]) -> Result<String, PushError>;
}

/// A registry as a push's target. Each request runs on a thread of its own while the
/// push waits for its answer or the interrupt, whichever comes first: a blocked
/// write does not see the [`Stoppable`] reader's flag, and the kernel wakes a writer
/// only once a third of a full send buffer drained (about 20 s of a slow registry's
/// pace), so waiting for the request would not stop "soon". A request left behind
/// ends with the process.
struct Remote {
    registry: Arc<Registry>,
    interrupt: Interrupt,
}

impl Remote {
    /// `request(registry)`'s answer, or an error as soon as the interrupt fires (the
    /// caller names it: [`or_stopped`]).
    fn cut<T: Send + 'static>(
        &self,
        request: impl FnOnce(&Registry) -> Result<T, PushError> + Send + 'static,
    ) -> Result<T, PushError> {
        let interrupted = || PushError::Interrupted { sent: 0, blobs: 0 };
        if self.interrupt.triggered() {
            return Err(interrupted());
        }
        let (done, answer) = crossbeam_channel::bounded(1);
        let registry = Arc::clone(&self.registry);
        std::thread::Builder::new()
            .name("vx-push-request".into())
            .spawn(move || {
                let _ = done.send(request(&registry));
            })
            .map_err(|source| PushError::Io {
                path: PathBuf::from("<thread>"),
                source,
            })?;
        crossbeam_channel::select! {
            recv(answer) -> result => result.unwrap_or_else(|_| Err(interrupted())),
            recv(self.interrupt.woken()) -> _ => Err(interrupted()),
        }
    }
}

impl Blobs for Remote {
    /// A blob claimed at no size is not taken as there: it is sent.
    fn has(&mut self, digest: &str) -> Result<Option<u64>, PushError> {
        let digest = digest.to_owned();
        self.cut(move |registry| {
            Ok(match registry.blob_head(&digest)? {
                BlobHead::Present(size) => size,
                BlobHead::Missing => None,
            })
        })
    }

    fn put_file(
        &mut self,
        digest: &str,
        path: &Path,
        _stop: &AtomicBool,
    ) -> Result<u64, PushError> {
        let io = |source| PushError::Io {
            path: path.to_owned(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        // `_stop` is the interrupt's own flag: `cut` checks it, and the thread reads
        // it through its clone.
        let (digest, flag) = (digest.to_owned(), self.interrupt.flag());
        self.cut(move |registry| {
            let mut reader = Stoppable {
                inner: file,
                stop: &flag,
            };
            registry.upload_blob(&digest, &mut reader, len)?;
            Ok(len)
        })
    }

    fn put_bytes(&mut self, digest: &str, _: &str, bytes: &[u8]) -> Result<(), PushError> {
        let (digest, bytes) = (digest.to_owned(), bytes.to_vec());
        self.cut(move |registry| {
            let mut reader = bytes.as_slice();
            Ok(registry.upload_blob(&digest, &mut reader, bytes.len() as u64)?)
        })
    }

    fn put_manifest(&mut self, manifest: &[u8], tags: &[String]) -> Result<String, PushError> {
        let (manifest, tags) = (manifest.to_vec(), tags.to_vec());
        self.cut(move |registry| {
            for tag in &tags {
                registry.put_manifest(tag, MANIFEST_MEDIA_TYPE, &manifest)?;
            }
            Ok(format!("sha256:{}", hex::encode(Sha256::digest(&manifest))))
        })
    }
}

impl Blobs for Layout {
    fn has(&mut self, digest: &str) -> Result<Option<u64>, PushError> {
        let sha = digest.trim_start_matches("sha256:");
        Ok(std::fs::metadata(self.blob(sha)).ok().map(|m| m.len()))
    }

    fn put_file(&mut self, digest: &str, path: &Path, _: &AtomicBool) -> Result<u64, PushError> {
        let dest = self.blob(digest.trim_start_matches("sha256:"));
        let io = |source| PushError::Io {
            path: dest.clone(),
            source,
        };
        let len = std::fs::metadata(path).map_err(io)?.len();
        if std::fs::rename(path, &dest).is_err() {
            std::fs::copy(path, &dest).map_err(io)?;
        }
        Ok(len)
    }

    fn put_bytes(&mut self, _: &str, _: &str, bytes: &[u8]) -> Result<(), PushError> {
        Layout::put_bytes(self, bytes)?;
        Ok(())
    }

    fn put_manifest(&mut self, manifest: &[u8], tags: &[String]) -> Result<String, PushError> {
        let sha = Layout::put_bytes(self, manifest)?;
        self.write_index(&sha, manifest.len(), tags)?;
        Ok(format!("sha256:{sha}"))
    }
}
