//! A download whose sha256 is known, from wherever has its bytes: vx's blob cache
//! (where `vx bundle import` puts them), then each mirror in the order configured, then
//! the origin. Every source goes through the install engine ([`super::fetch`]),
//! which hashes, checks the sha256 and streams into the extraction, and through the
//! store's kept partials ([`super::resume`]): a download from a mirror interrupted in
//! one run continues in the next, as one from the origin does. A mirror that does not
//! have the blob (404, no file) is passed over quietly; one that fails (refused, down,
//! corrupted bytes) is announced as a new attempt (`retry 2/3: oci://…: checksum
//! mismatch…`) and the next source is tried. Mirrors get no retries of their own: the
//! next source is the retry.

use std::path::Path;

use vx_shm::Phase;

use super::fetch::{self, Context, Download, DownloadRequest, FetchError, MirrorError, Tee};
use super::{InstallOptions, ProgressSink, Retry, resume};
use vx_sources::mirror::oci::{BlobHead, Registry};
use vx_sources::mirror::source::{Source, file_url};

/// What the JSON `source` field says of a download from the origin.
pub(crate) const ORIGIN: &str = "origin";
/// The label of vx's blob cache as a source.
pub(crate) const CACHE_LABEL: &str = "cache";

/// A download and the source that served it (`None`: the origin).
#[derive(Debug)]
pub(crate) struct Fetched {
    /// The verified download.
    pub download: Download,
    /// The mirror as written (or [`CACHE_LABEL`]); `None` for the origin.
    pub source: Option<String>,
}

/// The sources tried before the origin, in order: vx's blob cache (when there is a
/// cache directory), then `mirrors` as parsed (a mirror that does not parse is kept
/// as its error, announced when its turn comes).
pub(crate) fn sources(mirrors: &[String]) -> Vec<Result<Source, MirrorError>> {
    let mut out = Vec::new();
    if let Some(cache) = vx_base::platform::fs::cache_dir() {
        out.push(Ok(Source::Dir {
            dir: cache,
            label: CACHE_LABEL.to_owned(),
        }));
    }
    for mirror in mirrors {
        out.push(Source::parse(mirror).map_err(MirrorError::from));
    }
    out
}

/// The file an imported bundle carried of the download whose npm `integrity` this is
/// (`vx bundle import` names it in vx's cache by its integrity,
/// [`vx_sources::backend::environment::npm_carried_name`]): a download pinned by its
/// integrity alone has no sha256 to find it by in a blob cache.
pub fn carried(integrity: &str) -> Option<std::path::PathBuf> {
    carried_named(&vx_sources::backend::environment::npm_carried_name(
        integrity,
    )?)
}

/// The file named `name` of those imported bundles carried, if there is one.
pub(crate) fn carried_named(name: &str) -> Option<std::path::PathBuf> {
    let path = vx_base::platform::fs::cache_dir()?
        .join(vx_sources::mirror::artifacts::ENVIRONMENT_FILES)
        .join(name);
    path.is_file().then_some(path)
}

/// Downloads `request`: from the first of [`sources`] that has its bytes (when their
/// sha256 is known), else from the origin through `store`'s kept partials. `offline`:
/// only local sources (and a `file://` origin) are tried; anything else is
/// [`FetchError::Offline`].
pub(crate) fn fetch(
    store: &Path,
    offline: bool,
    request: DownloadRequest<'_>,
    cx: &mut Context<'_>,
) -> Result<Fetched, FetchError> {
    let DownloadRequest {
        url,
        expected,
        dest,
    } = request;
    let (opts, tee) = (cx.opts, &mut *cx.tee);
    let origin_is_local = url
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("file://"));
    let offline_error = || FetchError::Offline {
        url: url.to_owned(),
        sha256: expected.map(str::to_owned),
    };
    let mut sink = Attempts {
        inner: &mut *cx.sink,
        by: 0,
        swallow_phase: false,
    };
    if let Some(sha256) = expected {
        let candidates: Vec<_> = sources(&opts.net.mirrors)
            .into_iter()
            .filter(|s| !offline || s.as_ref().is_ok_and(Source::is_local))
            .collect();
        let total = candidates.len() as u32 + 1;
        for candidate in candidates {
            let (label, tried) = match candidate {
                Ok(source) => {
                    let mut counted = Counted {
                        inner: &mut *tee,
                        given: false,
                    };
                    let mut cx = Context {
                        sink: &mut sink,
                        opts,
                        tee: &mut counted,
                    };
                    let tried = try_source(store, &source, sha256, dest, &mut cx);
                    if counted.given && !matches!(tried, Tried::Served(_)) {
                        tee.restart();
                    }
                    (source.label().to_owned(), tried)
                }
                Err(why) => (
                    "a mirror".to_owned(),
                    Tried::Failed(FetchError::Mirror(why)),
                ),
            };
            match tried {
                Tried::Served(download) => {
                    return Ok(Fetched {
                        download,
                        source: Some(label),
                    });
                }
                Tried::Miss => {}
                Tried::Failed(FetchError::Cancelled) => return Err(FetchError::Cancelled),
                Tried::Failed(err) => {
                    sink.fall_back(&format!("{label}: {}", err.cause()), total);
                }
            }
            let _ = std::fs::remove_file(dest);
        }
    }
    if offline && !origin_is_local {
        return Err(offline_error());
    }
    let mut cx = Context {
        sink: &mut sink,
        opts,
        tee,
    };
    let download = from_origin(store, request, &mut cx)?;
    Ok(Fetched {
        download,
        source: None,
    })
}

/// What one source did.
enum Tried {
    /// It served the bytes, checked.
    Served(Download),
    /// It does not have them (no file, HTTP 404): passed over quietly.
    Miss,
    /// It failed.
    Failed(FetchError),
}

/// Tries `source` for the blob of `sha256`, into `dest`, through `store`'s kept
/// partial for its URL (an http(s) mirror's bytes kept by an interrupted run are
/// continued).
fn try_source(
    store: &Path,
    source: &Source,
    sha256: &str,
    dest: &Path,
    cx: &mut Context<'_>,
) -> Tried {
    let opts = cx.opts;
    // A mirror's failure falls back to the next source at once.
    let mut quick = InstallOptions {
        retry_delays: Vec::new(),
        ..opts.clone()
    };
    let url = match source {
        Source::Dir { .. } => match source.local_blob(sha256) {
            Some(path) => file_url(&path),
            None => return Tried::Miss,
        },
        Source::Template { template, .. } => {
            template.replace(vx_sources::mirror::source::SHA256_PLACEHOLDER, sha256)
        }
        Source::Oci(oci) => {
            let digest = format!("sha256:{sha256}");
            let registry = match Registry::new(fetch::client(opts), oci.clone(), false) {
                Ok(registry) => registry,
                Err(err) => return Tried::Failed(FetchError::Mirror(err.into())),
            };
            match registry.blob_head(&digest) {
                Ok(BlobHead::Present(_)) => {}
                Ok(BlobHead::Missing) => return Tried::Miss,
                Err(err) => return Tried::Failed(FetchError::Mirror(err.into())),
            }
            if let Some(auth) = registry.authorization() {
                quick
                    .source_headers
                    .push(("Authorization".to_owned(), auth));
            }
            registry.blob_url(&digest)
        }
    };
    cx.sink.phase(Phase::Downloading, source.label());
    let _ = std::fs::remove_file(dest);
    let request = DownloadRequest {
        url: &url,
        expected: Some(sha256),
        dest,
    };
    let mut quick_cx = Context {
        sink: &mut *cx.sink,
        opts: &quick,
        tee: &mut *cx.tee,
    };
    match resume::fetch(store, request, &mut quick_cx) {
        Ok(download) => Tried::Served(download),
        Err(FetchError::Status { status: 404, .. }) => Tried::Miss,
        Err(err) => Tried::Failed(err),
    }
}

/// The origin: through the store's kept partial for the URL ([`resume::fetch`]).
fn from_origin(
    store: &Path,
    request: DownloadRequest<'_>,
    cx: &mut Context<'_>,
) -> Result<Download, FetchError> {
    let _ = std::fs::remove_file(request.dest);
    resume::fetch(store, request, cx)
}

/// The install's sink, counting each fallback to another source as an attempt: a
/// fallback is announced as a retry (`retry 2/3: oci://…: HTTP 500`) and the next
/// source's own "downloading" message is not let over it, so readers see why; the
/// origin's own retries are numbered after the fallbacks.
struct Attempts<'s> {
    inner: &'s mut dyn ProgressSink,
    by: u32,
    swallow_phase: bool,
}

impl Attempts<'_> {
    fn fall_back(&mut self, cause: &str, total: u32) {
        self.by += 1;
        self.inner.retry(&Retry {
            attempt: self.by + 1,
            attempts: total.max(self.by + 1),
            cause,
            resume_at: None,
        });
        self.swallow_phase = true;
    }
}

impl ProgressSink for Attempts<'_> {
    fn phase(&mut self, phase: Phase, message: &str) {
        if self.swallow_phase && phase == Phase::Downloading {
            self.swallow_phase = false;
            return;
        }
        self.inner.phase(phase, message);
    }
    fn progress(&mut self, done: u64, total: Option<u64>) {
        self.inner.progress(done, total);
    }
    fn cancel_requested(&mut self) -> bool {
        self.inner.cancel_requested()
    }
    fn fetched(&mut self, bytes: u64) {
        self.inner.fetched(bytes);
    }
    fn retry(&mut self, retry: &Retry<'_>) {
        self.inner.retry(&Retry {
            attempt: retry.attempt + self.by,
            attempts: retry.attempts + self.by,
            ..*retry
        });
    }
    fn notice(&mut self, message: &str) {
        self.inner.notice(message);
    }
}

/// A tee that remembers whether it was given any byte (so that a failed source's
/// bytes are voided only when there were some).
struct Counted<'t> {
    inner: &'t mut dyn Tee,
    given: bool,
}

impl Tee for Counted<'_> {
    fn bytes(&mut self, chunk: &[u8]) {
        self.given |= !chunk.is_empty();
        self.inner.bytes(chunk);
    }
    fn restart(&mut self) {
        self.inner.restart();
    }
}

/// Whether a download can be had with no network: its bytes (by `sha256`) in vx's
/// cache or a `file://` mirror of `mirrors`, or an origin `url` that is a local file.
pub fn available_offline(url: &str, sha256: Option<&str>, mirrors: &[String]) -> bool {
    if url
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("file://"))
    {
        return true;
    }
    let Some(sha256) = sha256 else {
        return false;
    };
    sources(mirrors)
        .iter()
        .flatten()
        .any(|source| source.local_blob(sha256).is_some())
}
