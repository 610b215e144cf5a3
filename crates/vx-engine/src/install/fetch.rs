//! Downloads a URL (`http://`, `https://` or `file://`) into a file, hashing it with
//! SHA-256 as the bytes arrive and reporting progress per 64 KiB chunk.
//!
//! HTTP goes through the network's client ([`vx_net`]); a connect timeout and a per-read timeout bound
//! every wait, so a stalled server fails the install ("no data for N s") instead of
//! hanging it, and the cancel flag is polled between reads. Transient failures are
//! retried with backoff ([`FetchError::is_transient`], [`InstallOptions::retry_delays`]);
//! the network's client ([`vx_net::Client`]) follows at most
//! [`vx_net::url::MAX_REDIRECTS`] redirects, only to http or https, and never from
//! https down to http.
//!
//! [`fetch_kept`] continues a download an earlier run kept ([`super::partial`]) the
//! same way a retry continues one: `Range` + `If-Range`, the kept bytes hashed again.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use thiserror::Error;

use super::partial::{Kept, Prefix};
use super::{InstallOptions, ProgressSink, Retry};
use vx_base::validate::{self, FieldError, Scheme, hide_userinfo};
use vx_net::url::file_path;
use vx_net::{Client, NetError, Request, Timeouts};

/// Size of one read: the unit of progress reports and cancel checks.
pub(crate) const CHUNK: usize = 64 * 1024;

/// A finished, verified download.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Download {
    /// Where the bytes were written.
    pub path: PathBuf,
    /// How many bytes were downloaded.
    pub bytes: u64,
    /// Their SHA-256, lower-case hex.
    pub sha256: String,
    /// How long the download waited on the network (blocked reading the socket, not
    /// on whoever consumed the bytes): the link's speed, for [`super::packing`].
    pub waited: Duration,
}

/// Why a mirror could not serve: said as its own message, the next source tried.
#[derive(Debug, Error)]
pub enum MirrorError {
    /// The mirror as written is not one.
    #[error("{0}")]
    Source(vx_sources::mirror::source::SourceError),
    /// Its OCI registry refused, or answered what vx cannot use.
    #[error("{0}")]
    Oci(vx_sources::mirror::oci::OciError),
}

impl From<vx_sources::mirror::source::SourceError> for MirrorError {
    fn from(e: vx_sources::mirror::source::SourceError) -> MirrorError {
        MirrorError::Source(e)
    }
}

impl From<vx_sources::mirror::oci::OciError> for MirrorError {
    fn from(e: vx_sources::mirror::oci::OciError) -> MirrorError {
        MirrorError::Oci(e)
    }
}

/// Why a download failed. Messages name the URL and what to check.
#[derive(Debug, Error)]
pub enum FetchError {
    /// The URL is not one `vx` can download from.
    #[error(transparent)]
    BadUrl(#[from] FieldError),
    /// The server answered with a status other than 2xx.
    #[error("{shown_url}: the server answered HTTP {status}{}", reason_suffix(*status), shown_url = hide_userinfo(.url))]
    Status {
        /// The URL requested.
        url: String,
        /// The HTTP status code.
        status: u16,
    },
    /// The request failed before a response (DNS, connect, TLS, proxy, timeout), or a
    /// redirect was refused.
    #[error(transparent)]
    Net(NetError),
    /// The body ended (or the connection broke) before `Content-Length` bytes arrived.
    #[error("{shown_url}: the connection closed after {got} of {expected} bytes", shown_url = hide_userinfo(.url))]
    Truncated {
        /// The URL requested.
        url: String,
        /// Bytes received.
        got: u64,
        /// Bytes announced by `Content-Length`.
        expected: u64,
    },
    /// Reading the body failed with no length to compare against.
    #[error("{shown_url}: the download failed after {got} bytes: {source}", shown_url = hide_userinfo(.url))]
    Read {
        /// The URL requested.
        url: String,
        /// Bytes received before the failure.
        got: u64,
        /// The read error.
        #[source]
        source: io::Error,
    },
    /// The body is larger than [`InstallOptions::max_download_bytes`].
    #[error("{shown_url}: the download is larger than the {limit}-byte limit", shown_url = hide_userinfo(.url))]
    TooLarge {
        /// The URL requested.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// The source announces or sends more than the size the lock records.
    #[error("{shown_url}: the source has more than the {size} bytes the lock records", shown_url = hide_userinfo(.url))]
    LargerThanLocked {
        /// The URL requested.
        url: String,
        /// The size the lock records.
        size: u64,
    },
    /// A `file://` URL names a file that cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    LocalFile {
        /// The local path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The downloaded bytes could not be written into the store.
    #[error("cannot write the download to {}: {source}", path.display())]
    Write {
        /// The temporary file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The bytes do not hash to the expected SHA-256.
    // The actual hash comes first: it is what a user needs, and the board keeps only the
    // first 112 bytes of a message. The parts, `; `-separated, go on lines of their own
    // in the summary (`report::layout`).
    #[error("checksum mismatch: got sha256 {actual}; expected {expected}; from {shown_url}", shown_url = hide_userinfo(.url))]
    ChecksumMismatch {
        /// The URL downloaded.
        url: String,
        /// The sha256 the manifest asked for.
        expected: String,
        /// The sha256 of what arrived.
        actual: String,
    },
    /// The cancel flag was raised between two chunks.
    #[error("cancelled during download")]
    Cancelled,
    /// The server sent nothing for [`InstallOptions::read_timeout`].
    #[error("{shown_url}: no data for {secs} s (after {got} bytes); the server stalled", shown_url = hide_userinfo(.url))]
    Stalled {
        /// The URL requested.
        url: String,
        /// The read timeout, in seconds.
        secs: f64,
        /// Bytes received before the stall.
        got: u64,
    },
    /// The download came slower than [`MIN_RATE`] over a whole window of
    /// [`InstallOptions::read_timeout`]: a server that trickles a byte now and then,
    /// which never trips the read timeout.
    #[error(
        "{shown_url}: less than {}/s over {secs} s (after {}); the server is too slow",
        vx_text::bytes(MIN_RATE),
        vx_text::bytes(*got), shown_url = hide_userinfo(.url))]
    TooSlow {
        /// The URL requested.
        url: String,
        /// The window (the read timeout), in seconds.
        secs: f64,
        /// Bytes received in all.
        got: u64,
    },
    /// A request to continue a download was answered with a different range.
    #[error("{shown_url}: asked to resume at byte {asked}, the server sent {sent:?}", shown_url = hide_userinfo(.url))]
    BadResume {
        /// The URL requested.
        url: String,
        /// The first byte asked for.
        asked: u64,
        /// The `Content-Range` the server sent, if any.
        sent: Option<String>,
    },
    /// Offline, and no local source has the bytes.
    #[error("offline (--offline or VX_OFFLINE=1): no local copy of {}; not fetching {shown_url}; `vx bundle import` a bundle that has it, or add a file:// mirror", sha256.as_deref().map_or_else(|| "a download without a sha256".to_owned(), |s| format!("sha256 {s}")), shown_url = hide_userinfo(.url))]
    Offline {
        /// The origin's URL.
        url: String,
        /// The sha256 looked for, when known.
        sha256: Option<String>,
    },
    /// A mirror could not serve (its registry refused, or answered what vx cannot
    /// use); the next source is tried.
    #[error("{0}")]
    Mirror(MirrorError),
    /// Every attempt failed transiently; `last` is the last failure.
    #[error("{last} (gave up after {attempts} attempts)")]
    GaveUp {
        /// How many attempts were made.
        attempts: u32,
        /// The last attempt's error.
        #[source]
        last: Box<FetchError>,
    },
}

impl FetchError {
    /// True for failures worth another attempt: the connection refused, reset or
    /// dropped mid-body, a timeout, HTTP 5xx or 429. Never for another 4xx, a bad URL,
    /// a checksum mismatch, a size limit, a local file or a cancel.
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            FetchError::Status { status, .. } => *status >= 500 || *status == 429,
            FetchError::Net(source) => source.is_transient(),
            FetchError::Truncated { .. }
            | FetchError::Read { .. }
            | FetchError::Stalled { .. }
            | FetchError::TooSlow { .. }
            | FetchError::BadResume { .. } => true,
            _ => false,
        }
    }

    /// True when the download was interrupted rather than refused: cancelled, or
    /// failed transiently (after its retries). Its bytes are worth keeping for a later
    /// run; after any other failure (an HTTP 4xx, a checksum mismatch, a size limit, a
    /// write error) they are not.
    pub(crate) fn is_interruption(&self) -> bool {
        matches!(self, FetchError::Cancelled | FetchError::GaveUp { .. }) || self.is_transient()
    }

    /// Why the attempt failed, short and without the URL: what a retry announces
    /// ("HTTP 503 Service Unavailable", "no data for 30 s").
    pub(crate) fn cause(&self) -> String {
        use vx_text::bytes;
        match self {
            FetchError::Status { status, .. } => format!("HTTP {status}{}", reason_suffix(*status)),
            FetchError::Net(source) => source.cause(),
            FetchError::Truncated { got, expected, .. } => format!(
                "the connection closed after {} of {}",
                bytes(*got),
                bytes(*expected)
            ),
            FetchError::Read { source, .. } => format!("the connection failed: {source}"),
            FetchError::Stalled { secs, .. } => format!("no data for {secs} s"),
            FetchError::TooSlow { secs, .. } => {
                format!("less than {}/s over {secs} s", vx_text::bytes(MIN_RATE))
            }
            FetchError::BadResume { .. } => "the server could not resume".to_owned(),
            FetchError::LargerThanLocked { size, .. } => {
                format!("it has more than the {size} bytes the lock records")
            }
            FetchError::GaveUp { last, .. } => last.cause(),
            other => other.to_string(),
        }
    }

    /// The error of the last attempt (this one unless it is [`FetchError::GaveUp`]).
    #[cfg(test)]
    pub(crate) fn last(&self) -> &FetchError {
        match self {
            FetchError::GaveUp { last, .. } => last,
            other => other,
        }
    }
}

/// Whether a body read error is the client's per-read timeout.
fn is_timeout(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::TimedOut
        || err
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<ureq::Error>())
            .is_some_and(|e| matches!(e, ureq::Error::Timeout(_)))
}

fn reason_suffix(status: u16) -> String {
    ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| format!(" {r}"))
        .unwrap_or_default()
}

/// Downloads `url` into a new file at `dest`, verifying it against `expected` (a
/// lower-case sha256) when given. Reports `progress(done, content_length)` per chunk
/// and stops with [`FetchError::Cancelled`] when the sink asks. On error the partial
/// file is left for the caller's temporary directory to remove.
///
/// A transient failure ([`FetchError::is_transient`]) is retried after each of
/// [`InstallOptions::retry_delays`] in turn, announced with [`ProgressSink::retry`]
/// and its cause. When the server said it serves byte ranges (`Accept-Ranges: bytes`
/// with a strong `ETag` or a `Last-Modified`), the retry continues from the bytes
/// already on disk (`Range` + `If-Range`, so a changed file is sent whole); otherwise
/// it starts over. Either way the SHA-256 covers the whole file. A cancel request is
/// honoured during the waits. When every attempt failed, the error is
/// [`FetchError::GaveUp`] around the last failure.
pub(crate) fn fetch(
    url: &str,
    expected: Option<&str>,
    dest: &Path,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<Download, FetchError> {
    let request = DownloadRequest {
        url,
        expected,
        dest,
    };
    let mut cx = Context {
        sink,
        opts,
        tee: &mut NoTee,
    };
    fetch_tee(request, &mut cx)
}

/// One download: the URL, the SHA-256 its bytes must have (when known), and the file
/// they go to. What [`fetch_tee`], [`super::resume::fetch`] and
/// [`super::sources::fetch`] are asked for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DownloadRequest<'a> {
    /// Where the bytes are.
    pub url: &'a str,
    /// The SHA-256 the whole file must hash to; `None`: whatever it is (unverified).
    pub expected: Option<&'a str>,
    /// The file to write (created: it must not exist).
    pub dest: &'a Path,
}

/// Whom a download answers to while it runs: the install's progress sink (which can
/// ask for a cancel), its options (client, retries, limits), and the [`Tee`] that sees
/// the bytes as they arrive.
pub(crate) struct Context<'c> {
    /// Phases, progress, retries and cancel requests.
    pub sink: &'c mut dyn ProgressSink,
    /// The install's options.
    pub opts: &'c InstallOptions,
    /// A copy of the bytes, in order.
    pub tee: &'c mut dyn Tee,
}

/// Receives a copy of the download's bytes as they arrive, in order: the streaming
/// install unpacks them while the rest is still coming.
pub(crate) trait Tee {
    /// The next bytes of the file, after those already given.
    fn bytes(&mut self, chunk: &[u8]);
    /// Every byte given so far is void: the download starts over from zero.
    fn restart(&mut self);
}

/// A [`Tee`] that drops everything.
pub(crate) struct NoTee;

impl Tee for NoTee {
    fn bytes(&mut self, _: &[u8]) {}
    fn restart(&mut self) {}
}

/// [`fetch`], giving `tee` each chunk once it is in the file and the hash. A retry that
/// continues a download gives only the new bytes; one that starts over calls
/// [`Tee::restart`] first. Nothing tells `tee` whether the checksum matched: its
/// caller learns that from the result.
pub(crate) fn fetch_tee(
    request: DownloadRequest<'_>,
    cx: &mut Context<'_>,
) -> Result<Download, FetchError> {
    let DownloadRequest {
        url,
        expected,
        dest,
    } = request;
    let scheme = validate::url(url)?;
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(dest)
        .map_err(|source| FetchError::Write {
            path: dest.to_owned(),
            source,
        })?;
    let partial = Partial::new(file, dest, &mut *cx.tee, None);
    run(url, scheme, expected, partial, &mut *cx.sink, cx.opts)
}

/// [`fetch_tee`] into the download `kept` from an earlier run ([`Kept`]): its bytes,
/// when it has a validator for them, are hashed again (and given to `tee`, so the
/// streaming extraction sees the whole file from its first byte) and the server is
/// asked for the rest with `Range` + `If-Range`; otherwise the file is emptied first.
/// A server that answers 200 (the file changed, or no ranges any more) sends it whole:
/// [`Tee::restart`], and the download starts over. Each validator the server gives is
/// recorded with the bytes ([`Kept::record`]), so a later run can continue them.
pub(crate) fn fetch_kept(
    url: &str,
    expected: Option<&str>,
    kept: &Kept,
    cx: &mut Context<'_>,
) -> Result<Download, FetchError> {
    let scheme = validate::url(url)?;
    let path = kept.path();
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|source| FetchError::Write {
            path: path.to_owned(),
            source,
        })?;
    let mut partial = Partial::new(file, path, &mut *cx.tee, Some(kept));
    match kept.validator() {
        Some(validator) => {
            // Without a sha256 to check the whole file, only bytes sealed at their
            // interruption, unchanged since, are continued.
            let sealed = expected.is_none().then(|| kept.prefix());
            partial.continue_kept(validator, sealed, &mut *cx.sink)?;
        }
        None => partial.restart()?,
    }
    run(url, scheme, expected, partial, &mut *cx.sink, cx.opts)
}

/// The attempts of one download into `partial` (see [`fetch`]), then its check
/// against `expected`.
fn run(
    url: &str,
    scheme: Scheme,
    expected: Option<&str>,
    mut partial: Partial<'_, '_>,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<Download, FetchError> {
    if let Err(err) = attempts(url, scheme, &mut partial, sink, opts) {
        if err.is_interruption() {
            partial.seal();
        }
        return Err(err);
    }
    let sha256 = hex::encode(partial.hasher.finalize());
    if let Some(expected) = expected
        && expected != sha256
    {
        return Err(FetchError::ChecksumMismatch {
            url: url.to_owned(),
            expected: expected.to_owned(),
            actual: sha256,
        });
    }
    Ok(Download {
        path: partial.path,
        bytes: partial.done,
        sha256,
        waited: partial.waited,
    })
}

/// The attempts of one download into `partial`, retrying what is transient.
fn attempts(
    url: &str,
    scheme: Scheme,
    partial: &mut Partial<'_, '_>,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<(), FetchError> {
    let attempts = opts.retry_delays.len() as u32 + 1;
    let mut attempt = 1;
    loop {
        match fetch_once(url, scheme, partial, sink, opts) {
            Ok(()) => return Ok(()),
            Err(err) if err.is_transient() && attempt < attempts => {
                let delay = opts.retry_delays[attempt as usize - 1];
                attempt += 1;
                let resume_at = partial.resumable().then_some(partial.done);
                if resume_at.is_none() {
                    // No byte of the failed attempt may reach the file or the hash.
                    partial.restart()?;
                }
                // Announced before the backoff, so readers see it while we wait.
                sink.retry(&Retry {
                    attempt,
                    attempts,
                    cause: &err.cause(),
                    resume_at,
                });
                wait(delay, sink, opts.wait_poll)?;
            }
            Err(err) if attempt > 1 && err.is_transient() => {
                return Err(FetchError::GaveUp {
                    attempts: attempt,
                    last: Box::new(err),
                });
            }
            Err(err) => return Err(err),
        }
    }
}

/// A download in progress, kept across attempts: the file, the hash of the bytes in
/// it, their count, and how to ask the server to continue from them.
struct Partial<'t, 'k> {
    file: File,
    tee: &'t mut dyn Tee,
    path: PathBuf,
    hasher: Sha256,
    done: u64,
    /// The `If-Range` validator (a strong `ETag`, else `Last-Modified`) when the server
    /// serves byte ranges; `None`: a retry starts over.
    validator: Option<String>,
    /// Where the validator is recorded for a later run, for a download kept across
    /// runs.
    kept: Option<&'k Kept>,
    /// Time spent blocked reading the network, over every attempt.
    waited: Duration,
}

impl<'t, 'k> Partial<'t, 'k> {
    fn new(file: File, path: &Path, tee: &'t mut dyn Tee, kept: Option<&'k Kept>) -> Self {
        Partial {
            file,
            tee,
            path: path.to_owned(),
            hasher: Sha256::new(),
            done: 0,
            validator: None,
            kept,
            waited: Duration::ZERO,
        }
    }

    /// Whether a retry can continue from the bytes kept.
    fn resumable(&self) -> bool {
        self.done > 0 && self.validator.is_some()
    }

    /// Takes the bytes already in the file (from an earlier run, valid for
    /// `validator`) as the start of the download: hashed and given to the tee in
    /// order, as if they had just arrived. A file that cannot be read back is emptied
    /// instead; a cancel request stops it.
    /// `sealed`: for a download whose sha256 is not known, the length and digest
    /// recorded at the bytes' interruption (`Some(None)`: none was); bytes that are
    /// not exactly those are forgotten and the download starts over.
    fn continue_kept(
        &mut self,
        validator: &str,
        sealed: Option<Option<&Prefix>>,
        sink: &mut dyn ProgressSink,
    ) -> Result<(), FetchError> {
        let mut buf = vec![0u8; CHUNK];
        self.file
            .rewind()
            .map_err(|source| self.write_error(source))?;
        loop {
            if sink.cancel_requested() {
                return Err(FetchError::Cancelled);
            }
            let n = match self.file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return self.restart(),
            };
            self.hasher.update(&buf[..n]);
            self.done += n as u64;
            self.tee.bytes(&buf[..n]);
        }
        if let Some(sealed) = sealed {
            let same = sealed.is_some_and(|p| {
                p.bytes == self.done && p.sha256 == hex::encode(self.hasher.clone().finalize())
            });
            if !same {
                return self.restart();
            }
        }
        if self.done > 0 {
            self.validator = Some(validator.to_owned());
        }
        Ok(())
    }

    /// At an interruption, records the length and digest of the bytes in the file
    /// beside their validator, for a later run to continue them ([`Kept::seal`]).
    fn seal(&self) {
        if let (Some(kept), Some(validator)) = (self.kept, &self.validator)
            && self.done > 0
        {
            let prefix = Prefix {
                bytes: self.done,
                sha256: hex::encode(self.hasher.clone().finalize()),
            };
            kept.seal(validator, prefix);
        }
    }

    /// Forgets every byte: the file emptied, the hash restarted, the recorded
    /// validator (if any) removed, since it no longer names what the file holds.
    fn restart(&mut self) -> Result<(), FetchError> {
        if self.done > 0 {
            self.tee.restart();
        }
        self.hasher = Sha256::new();
        self.done = 0;
        self.file
            .set_len(0)
            .and_then(|()| self.file.rewind())
            .map_err(|source| self.write_error(source))?;
        self.set_validator(None);
        Ok(())
    }

    /// The validator of the bytes to come (after [`Partial::restart`] when they start
    /// a new file), recorded for a later run when the download is kept.
    fn set_validator(&mut self, validator: Option<String>) {
        if let Some(kept) = self.kept
            && (self.validator != validator || validator.is_none())
        {
            kept.record(validator.as_deref());
        }
        self.validator = validator;
    }

    /// Appends `chunk` to the file and the hash.
    fn append(&mut self, chunk: &[u8]) -> Result<(), FetchError> {
        self.hasher.update(chunk);
        self.file
            .write_all(chunk)
            .map_err(|source| self.write_error(source))?;
        self.done += chunk.len() as u64;
        self.tee.bytes(chunk);
        Ok(())
    }

    fn write_error(&self, source: io::Error) -> FetchError {
        FetchError::Write {
            path: self.path.clone(),
            source,
        }
    }
}

/// Sleeps for `delay` in steps of at most `poll`, stopping early with
/// [`FetchError::Cancelled`] when the sink asks.
fn wait(delay: Duration, sink: &mut dyn ProgressSink, poll: Duration) -> Result<(), FetchError> {
    let start = Instant::now();
    loop {
        if sink.cancel_requested() {
            return Err(FetchError::Cancelled);
        }
        let left = delay.saturating_sub(start.elapsed());
        if left.is_zero() {
            return Ok(());
        }
        std::thread::sleep(left.min(poll.max(Duration::from_millis(1))));
    }
}

/// One attempt: the rest of the download into `partial` (all of it, unless the server
/// continues from the bytes kept).
fn fetch_once(
    url: &str,
    scheme: Scheme,
    partial: &mut Partial<'_, '_>,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<(), FetchError> {
    match scheme {
        Scheme::File => {
            let path = file_path(url);
            let local_err = |source| FetchError::LocalFile {
                path: path.clone(),
                source,
            };
            // Without blocking on a FIFO; what it is is checked below.
            let mut file = vx_base::platform::fs::open_for_reading(&path).map_err(local_err)?;
            let meta = file.metadata().map_err(local_err)?;
            if !meta.is_file() {
                return Err(local_err(io::Error::other("not a regular file")));
            }
            partial.restart()?;
            // A local file is not a connection: a short or failed read will not heal on
            // a retry, so it is a (non-transient) local-file error.
            copy_hashed(url, &mut file, Some(meta.len()), partial, sink, opts).map_err(|err| {
                match err {
                    FetchError::Truncated { got, expected, .. } => {
                        local_err(io::Error::other(format!(
                            "it changed while being read ({got} bytes read, {expected} when opened)"
                        )))
                    }
                    FetchError::Read { source, .. } => local_err(source),
                    other => other,
                }
            })
        }
        Scheme::Http | Scheme::Https => {
            let resume_at = partial.resumable().then_some(partial.done);
            let mut request = Request::get(url);
            for (name, value) in &opts.source_headers {
                request = request.secret_header(name.as_str(), value.clone());
            }
            if let (Some(at), Some(validator)) = (resume_at, &partial.validator) {
                request = request
                    .header("Range", format!("bytes={at}-"))
                    .header("If-Range", validator.as_str());
            }
            // Redirects are followed by the client (at most MAX_REDIRECTS), each hop
            // checked: only http and https, and an https download stays https.
            let response = client(opts).send(request).map_err(|source| {
                if source.is_read_timeout() {
                    FetchError::Stalled {
                        url: url.to_owned(),
                        secs: opts.read_timeout.as_secs_f64(),
                        got: partial.done,
                    }
                } else {
                    FetchError::Net(source)
                }
            })?;
            let status = response.status;
            let headers = &response.headers;
            let total = match (status, resume_at) {
                (206, Some(at)) => {
                    let range = header(headers, "content-range");
                    match range.as_deref().and_then(content_range) {
                        Some((start, total)) if start == at => total,
                        _ => {
                            // Never trust this server's ranges again: start over.
                            partial.set_validator(None);
                            return Err(FetchError::BadResume {
                                url: url.to_owned(),
                                asked: at,
                                sent: range,
                            });
                        }
                    }
                }
                (416, Some(at)) => {
                    // Nothing after the bytes kept (a download whose last byte
                    // arrived, or a file that shrank): the whole file, once more.
                    partial.set_validator(None);
                    return Err(FetchError::BadResume {
                        url: url.to_owned(),
                        asked: at,
                        sent: header(headers, "content-range"),
                    });
                }
                (200..=299, _) if status != 206 => {
                    // The whole file (the first attempt, or the file changed since).
                    if partial.done > 0 {
                        partial.restart()?;
                    }
                    response.content_length()
                }
                _ => {
                    return Err(FetchError::Status {
                        url: url.to_owned(),
                        status,
                    });
                }
            };
            if let Some(validator) = range_validator(headers) {
                partial.set_validator(Some(validator));
            } else if status != 206 {
                partial.set_validator(None);
            }
            let mut body = response.into_reader();
            copy_hashed(url, &mut body, total, partial, sink, opts)
        }
    }
}

/// A header's value as text, when present and printable.
fn header(headers: &ureq::http::HeaderMap, name: &str) -> Option<String> {
    Some(headers.get(name)?.to_str().ok()?.to_owned())
}

/// The `If-Range` validator of a response that serves byte ranges: its strong `ETag`,
/// else its `Last-Modified`. `None` when ranges are not offered.
fn range_validator(headers: &ureq::http::HeaderMap) -> Option<String> {
    let ranges = header(headers, "accept-ranges")?;
    if !ranges
        .split(',')
        .any(|unit| unit.trim().eq_ignore_ascii_case("bytes"))
    {
        return None;
    }
    header(headers, "etag")
        .filter(|tag| !tag.starts_with("W/"))
        .or_else(|| header(headers, "last-modified"))
}

/// `bytes START-END/TOTAL` → (START, TOTAL); TOTAL `*` is unknown.
fn content_range(value: &str) -> Option<(u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let start: u64 = start.trim().parse().ok()?;
    let end: u64 = end.trim().parse().ok()?;
    let total = match total.trim() {
        "*" => None,
        n => Some(n.parse::<u64>().ok()?),
    };
    (start <= end && total.is_none_or(|t| end < t)).then_some((start, total))
}

/// The HTTP client for one download: the options' network settings and timeouts.
pub(crate) fn client(opts: &InstallOptions) -> Client {
    Client::new(
        opts.net.clone(),
        Timeouts {
            connect: opts.connect_timeout,
            read: opts.read_timeout,
            ..Timeouts::default()
        },
    )
}

/// The slowest a download may come, in bytes per second, averaged over each window of
/// the read timeout: slower, and a 50 MiB download would take over 14 hours.
pub(crate) const MIN_RATE: u64 = 1024;

/// Copies `src` onto the end of `partial` chunk by chunk, hashing, counting, reporting
/// and polling for cancellation, until `total` bytes (counting those kept from earlier
/// attempts) are in, or the body ends when no total is known.
fn copy_hashed(
    url: &str,
    src: &mut dyn Read,
    total: Option<u64>,
    partial: &mut Partial<'_, '_>,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<(), FetchError> {
    let too_large = || FetchError::TooLarge {
        url: url.to_owned(),
        limit: opts.max_download_bytes,
    };
    let over_locked = |got: u64| {
        opts.expected_size
            .filter(|&size| got > size)
            .map(|size| FetchError::LargerThanLocked {
                url: url.to_owned(),
                size,
            })
    };
    if let Some(err) = total.and_then(over_locked) {
        return Err(err);
    }
    if total.is_some_and(|total| total > opts.max_download_bytes) {
        return Err(too_large());
    }
    // As large as what is left to come (one byte over: the read that ends the body fits
    // too), at least a page, at most a chunk: a tiny tool's download zeroes a page, not
    // 64 KiB (issue 54). The reads, not the size announced, decide where the body ends.
    let left = total.map_or(CHUNK as u64, |total| total.saturating_sub(partial.done));
    let size = usize::try_from(left.saturating_add(1)).map_or(CHUNK, |n| n.clamp(4 << 10, CHUNK));
    let mut buf = vec![0u8; size];
    sink.progress(partial.done, total);
    let window = opts.read_timeout.max(Duration::from_secs(1));
    let window_min = MIN_RATE.saturating_mul(window.as_secs());
    let mut window_start = Instant::now();
    let mut window_bytes = 0u64;
    loop {
        if window_start.elapsed() >= window {
            if window_bytes < window_min {
                return Err(FetchError::TooSlow {
                    url: url.to_owned(),
                    secs: window.as_secs_f64(),
                    got: partial.done,
                });
            }
            window_start = Instant::now();
            window_bytes = 0;
        }
        if sink.cancel_requested() {
            return Err(FetchError::Cancelled);
        }
        let reading = Instant::now();
        let read = src.read(&mut buf);
        partial.waited += reading.elapsed();
        let n = match read {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if is_timeout(&e) => {
                return Err(FetchError::Stalled {
                    url: url.to_owned(),
                    secs: opts.read_timeout.as_secs_f64(),
                    got: partial.done,
                });
            }
            Err(source) => {
                return Err(match total {
                    Some(expected) if partial.done < expected => FetchError::Truncated {
                        url: url.to_owned(),
                        got: partial.done,
                        expected,
                    },
                    _ => FetchError::Read {
                        url: url.to_owned(),
                        got: partial.done,
                        source,
                    },
                });
            }
        };
        if let Some(err) = over_locked(partial.done + n as u64) {
            return Err(err);
        }
        if partial.done + n as u64 > opts.max_download_bytes {
            return Err(too_large());
        }
        partial.append(&buf[..n])?;
        window_bytes += n as u64;
        sink.fetched(n as u64);
        sink.progress(partial.done, total);
    }
    match total {
        Some(expected) if partial.done != expected => Err(FetchError::Truncated {
            url: url.to_owned(),
            got: partial.done,
            expected,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::install::testutil::{RecordingSink, Route, TestServer, sha256_hex};
    use vx_net::url::MAX_REDIRECTS;
    use vx_shm::Phase;

    fn fetch_into(
        url: &str,
        expected: Option<&str>,
        sink: &mut RecordingSink,
    ) -> (tempfile::TempDir, Result<Download, FetchError>) {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("download");
        let result = fetch(url, expected, &dest, sink, &fast());
        (dir, result)
    }

    /// The default options with 1 ms retry delays.
    fn fast() -> InstallOptions {
        InstallOptions {
            retry_delays: vec![Duration::from_millis(1); 2],
            ..InstallOptions::default()
        }
    }

    #[test]
    fn a_dropped_body_resumes_from_the_bytes_on_disk() {
        let body = vx_fixture::noise(300_000);
        let server = TestServer::resumable(body.clone(), vec![100_000, 200_000], true);
        let mut sink = RecordingSink::default();
        let sha = sha256_hex(&body);
        let (_dir, result) = fetch_into(&server.url("/r"), Some(&sha), &mut sink);
        let download = result.unwrap();
        assert_eq!(
            server.ranges(),
            [
                None,
                Some("bytes=100000-".to_owned()),
                Some("bytes=200000-".to_owned())
            ]
        );
        assert_eq!(sink.resumes(), [Some(100_000), Some(200_000)]);
        assert_eq!(download.sha256, sha, "the hash covers the whole file");
        assert_eq!(download.bytes, 300_000);
        assert_eq!(std::fs::read(&download.path).unwrap(), body);
    }

    /// A [`Tee`] that keeps what it is given, and how often it was told to restart.
    #[derive(Default)]
    struct KeepingTee {
        bytes: Vec<u8>,
        restarts: usize,
    }

    impl Tee for KeepingTee {
        fn bytes(&mut self, chunk: &[u8]) {
            self.bytes.extend_from_slice(chunk);
        }
        fn restart(&mut self) {
            self.bytes.clear();
            self.restarts += 1;
        }
    }

    /// `fetch_kept` of `url`, whose sha256 is `sha`, into `kept` with 1 ms retry
    /// delays, which must succeed.
    fn kept_fetch(
        url: &str,
        sha: &str,
        kept: &Kept,
        sink: &mut RecordingSink,
        tee: &mut dyn Tee,
    ) -> Download {
        let opts = fast();
        let mut cx = Context {
            sink,
            opts: &opts,
            tee,
        };
        fetch_kept(url, Some(sha), kept, &mut cx).unwrap()
    }

    /// The partial of `url` in `store`, holding `bytes` kept from an earlier run
    /// valid for the test servers' ETag.
    fn kept(store: &Path, url: &str, bytes: &[u8]) -> Kept {
        let kept = Kept::claim(store, url).unwrap();
        std::fs::write(kept.path(), bytes).unwrap();
        kept.record(Some("\"v1\""));
        drop(kept);
        Kept::claim(store, url).unwrap()
    }

    #[test]
    fn a_kept_download_continues_from_its_bytes_and_hashes_the_whole_file() {
        let body = vx_fixture::noise(300_000);
        let server = TestServer::resumable(body.clone(), Vec::new(), true);
        let store = tempfile::tempdir().unwrap();
        let url = server.url("/k");
        let kept = kept(store.path(), &url, &body[..100_000]);
        let (mut sink, mut tee) = (RecordingSink::default(), KeepingTee::default());
        let sha = sha256_hex(&body);
        let download = kept_fetch(&url, &sha, &kept, &mut sink, &mut tee);
        assert_eq!(server.ranges(), [Some("bytes=100000-".to_owned())]);
        assert_eq!(download.sha256, sha, "the hash covers the kept bytes too");
        assert_eq!(download.bytes, 300_000);
        assert_eq!(sink.fetched, 200_000, "only the rest came from the server");
        assert_eq!(tee.bytes, body, "the tee saw the file from its first byte");
        assert_eq!(tee.restarts, 0);
        assert_eq!(std::fs::read(kept.path()).unwrap(), body);
    }

    #[test]
    fn a_kept_download_the_server_will_not_continue_starts_over() {
        let body = vx_fixture::noise(300_000);
        let sha = sha256_hex(&body);
        // Ranges no longer served: the 200 is the whole file.
        let server = TestServer::resumable(body.clone(), Vec::new(), false);
        let store = tempfile::tempdir().unwrap();
        let url = server.url("/k");
        let kept = kept(store.path(), &url, &body[..100_000]);
        let (mut sink, mut tee) = (RecordingSink::default(), KeepingTee::default());
        let download = kept_fetch(&url, &sha, &kept, &mut sink, &mut tee);
        assert_eq!(server.hits(), 1);
        assert_eq!(download.sha256, sha);
        assert_eq!(sink.fetched, 300_000);
        assert_eq!((tee.bytes == body, tee.restarts), (true, 1));

        // Every byte already kept: a server answers 416 (nothing after them), and the
        // file is downloaded whole once more.
        let server = TestServer::start([("/k", Route::flaky(1, 416, body.clone()))]);
        let url = server.url("/k");
        let kept = self::kept(store.path(), &url, &body);
        let mut sink = RecordingSink::default();
        let download = kept_fetch(&url, &sha, &kept, &mut sink, &mut NoTee);
        assert_eq!(server.hits(), 2);
        assert_eq!(sink.resumes(), [None], "the retry starts over");
        assert_eq!(download.sha256, sha);

        // Bytes without a validator are not continued.
        let server = TestServer::resumable(body.clone(), Vec::new(), true);
        let url = server.url("/k");
        let kept = Kept::claim(store.path(), &url).unwrap();
        std::fs::write(kept.path(), b"junk").unwrap();
        let mut sink = RecordingSink::default();
        let download = kept_fetch(&url, &sha, &kept, &mut sink, &mut NoTee);
        assert_eq!(server.ranges(), [None]);
        assert_eq!(download.sha256, sha);
    }

    #[test]
    fn without_byte_ranges_a_retry_starts_over() {
        let body = vx_fixture::noise(300_000);
        let server = TestServer::resumable(body.clone(), vec![100_000], false);
        let mut sink = RecordingSink::default();
        let sha = sha256_hex(&body);
        let (_dir, result) = fetch_into(&server.url("/r"), Some(&sha), &mut sink);
        let download = result.unwrap();
        assert_eq!(server.ranges(), [None, None]);
        assert_eq!(sink.resumes(), [None]);
        assert_eq!(std::fs::read(&download.path).unwrap(), body);
    }

    #[test]
    fn content_ranges_are_parsed_strictly() {
        assert_eq!(content_range("bytes 10-99/100"), Some((10, Some(100))));
        assert_eq!(content_range("bytes 10-99/*"), Some((10, None)));
        for bad in [
            "bytes 10-9/100",
            "bytes 10-100/100",
            "items 1-2/3",
            "bytes x-9/10",
            "",
        ] {
            assert_eq!(content_range(bad), None, "{bad}");
        }
    }

    #[test]
    fn transient_failures_are_retried_from_scratch_and_announced() {
        let body: Vec<u8> = (0..200_000u32).map(|i| (i % 13) as u8).collect();
        let server = TestServer::start([("/f", Route::flaky(2, 503, body.clone()))]);
        let mut sink = RecordingSink::default();
        let sha = sha256_hex(&body);
        let (_dir, result) = fetch_into(&server.url("/f"), Some(&sha), &mut sink);
        let download = result.unwrap();
        assert_eq!(server.hits(), 3);
        assert_eq!(sink.attempts(), [2, 3]);
        assert_eq!(download.sha256, sha);
        assert_eq!(std::fs::read(&download.path).unwrap(), body);

        // A body dropped mid-way, every time: three attempts, then the last error.
        let server = TestServer::dropping_after(100_000, 30_000);
        let mut sink = RecordingSink::default();
        let (_dir, result) = fetch_into(&server.url("/t"), None, &mut sink);
        let err = result.unwrap_err();
        assert_eq!(server.hits(), 3);
        assert_eq!(sink.attempts(), [2, 3]);
        assert!(
            matches!(&err, FetchError::GaveUp { attempts: 3, last } if matches!(**last, FetchError::Truncated { .. })),
            "{err}"
        );
        assert!(
            err.to_string().contains("gave up after 3 attempts"),
            "{err}"
        );

        for status in [500, 502, 429] {
            let server = TestServer::start([("/s", Route::Status(status))]);
            let (_dir, result) = fetch_into(&server.url("/s"), None, &mut RecordingSink::default());
            assert!(
                matches!(result.unwrap_err().last(), FetchError::Status { status: s, .. } if *s == status)
            );
            assert_eq!(server.hits(), 3, "HTTP {status} is retried");
        }
    }

    #[test]
    fn client_errors_and_checksum_mismatches_are_not_retried() {
        for status in [404, 403, 400] {
            let server = TestServer::start([("/s", Route::Status(status))]);
            let mut sink = RecordingSink::default();
            let (_dir, result) = fetch_into(&server.url("/s"), None, &mut sink);
            assert!(matches!(result, Err(FetchError::Status { .. })));
            assert_eq!(server.hits(), 1, "HTTP {status} is not retried");
            assert!(sink.attempts().is_empty());
        }
        let server = TestServer::start([("/h", Route::Ok(b"hello".to_vec()))]);
        let mut sink = RecordingSink::default();
        let (_dir, result) = fetch_into(&server.url("/h"), Some(&"0".repeat(64)), &mut sink);
        assert!(matches!(result, Err(FetchError::ChecksumMismatch { .. })));
        assert_eq!(server.hits(), 1, "a checksum mismatch is not retried");
        assert!(sink.attempts().is_empty());
    }

    #[test]
    fn a_cancel_during_the_backoff_stops_at_once() {
        let server = TestServer::start([("/s", Route::Status(503))]);
        let opts = InstallOptions {
            retry_delays: vec![Duration::from_secs(60)],
            ..InstallOptions::default()
        };
        let dir = tempfile::tempdir().unwrap();
        let mut sink = RecordingSink::cancelling_after(Phase::Queued, 0);
        let start = Instant::now();
        let result = fetch(
            &server.url("/s"),
            None,
            &dir.path().join("d"),
            &mut sink,
            &opts,
        );
        assert!(matches!(result, Err(FetchError::Cancelled)), "{result:?}");
        assert!(start.elapsed() < Duration::from_secs(5));
        assert_eq!(server.hits(), 1);
    }

    #[test]
    fn redirects_are_followed_a_bounded_number_of_times_and_only_to_http() {
        let body = b"moved".to_vec();
        let sha = sha256_hex(&body);
        // /r0 -> /r1 -> ... -> /r{n}; /end serves the body.
        let hop = |n: usize| {
            (0..n)
                .map(|i| (format!("/r{i}"), Route::Redirect(format!("/r{}", i + 1))))
                .chain([(format!("/r{n}"), Route::Redirect("/end".into()))])
                .chain([("/end".to_owned(), Route::Ok(body.clone()))])
                .collect::<Vec<_>>()
        };
        // MAX_REDIRECTS hops in all: followed.
        let server = TestServer::start(hop(MAX_REDIRECTS as usize - 1));
        let (_d, result) = fetch_into(
            &server.url("/r0"),
            Some(&sha),
            &mut RecordingSink::default(),
        );
        assert_eq!(result.unwrap().bytes, 5);
        // One more: refused, and not retried.
        let server = TestServer::start(hop(MAX_REDIRECTS as usize));
        let (_d, result) = fetch_into(
            &server.url("/r0"),
            Some(&sha),
            &mut RecordingSink::default(),
        );
        let err = result.unwrap_err();
        assert!(
            matches!(&err, FetchError::Net(NetError::BadRedirect { reason, .. }) if reason.contains("too many")),
            "{err:?}"
        );
        assert_eq!(server.hits(), MAX_REDIRECTS as usize + 1, "not retried");

        // A redirect to a local file is not followed into the file system.
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("secret");
        std::fs::write(&secret, b"secret").unwrap();
        let server = TestServer::start([(
            "/evil",
            Route::Redirect(format!("file://{}", secret.display())),
        )]);
        let (_d, result) = fetch_into(&server.url("/evil"), None, &mut RecordingSink::default());
        let err = result.unwrap_err();
        assert!(
            matches!(err.last(), FetchError::Net(NetError::BadRedirect { .. })),
            "{err:?}"
        );
        assert_eq!(server.hits(), 1, "refused, not retried");
    }

    #[test]
    fn a_stalled_server_times_out_with_a_clear_message() {
        let server = TestServer::stalling(1000);
        let opts = InstallOptions {
            read_timeout: Duration::from_millis(500),
            retry_delays: Vec::new(),
            ..InstallOptions::default()
        };
        let dir = tempfile::tempdir().unwrap();
        let start = Instant::now();
        let result = fetch(
            &server.url("/s"),
            None,
            &dir.path().join("d"),
            &mut RecordingSink::default(),
            &opts,
        );
        let err = result.unwrap_err();
        assert!(matches!(err, FetchError::Stalled { got: 0, .. }), "{err:?}");
        assert!(err.to_string().contains("no data for 0.5 s"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_slow_but_steady_server_does_not_time_out() {
        let body = std::sync::Arc::new(vec![3u8; 300_000]);
        // ~1.5 s in total, at most 64 KiB per ~0.33 s: each wait well under 1 s.
        let server = TestServer::start([("/slow", Route::Throttled(body.clone(), 200_000))]);
        let opts = InstallOptions {
            read_timeout: Duration::from_secs(1),
            retry_delays: Vec::new(),
            ..InstallOptions::default()
        };
        let dir = tempfile::tempdir().unwrap();
        let result = fetch(
            &server.url("/slow"),
            Some(&sha256_hex(&body)),
            &dir.path().join("d"),
            &mut RecordingSink::default(),
            &opts,
        );
        assert_eq!(result.unwrap().bytes, 300_000);
    }

    #[test]
    fn http_download_streams_hashes_and_reports_each_chunk() {
        let body: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let server = TestServer::start([("/a.bin", Route::Ok(body.clone()))]);
        let mut sink = RecordingSink::default();
        let sha = sha256_hex(&body);
        let (_dir, result) = fetch_into(&server.url("/a.bin"), Some(&sha), &mut sink);
        let download = result.unwrap();
        assert_eq!(download.bytes, body.len() as u64);
        assert_eq!(download.sha256, sha);
        assert_eq!(std::fs::read(&download.path).unwrap(), body);
        let progress = sink.progress_in(Phase::Queued);
        assert_eq!(progress.first(), Some(&(0, Some(body.len() as u64))));
        assert_eq!(
            progress.last(),
            Some(&(body.len() as u64, Some(body.len() as u64)))
        );
        assert!(progress.len() > body.len() / CHUNK, "{progress:?}");
        assert!(progress.windows(2).all(|w| w[0].0 <= w[1].0), "monotonic");
    }

    #[test]
    fn unknown_length_is_reported_as_unknown() {
        let body = vec![7u8; 100_000];
        let server = TestServer::start([("/c", Route::Chunked(body.clone()))]);
        let mut sink = RecordingSink::default();
        let (_dir, result) = fetch_into(&server.url("/c"), None, &mut sink);
        assert_eq!(result.unwrap().bytes, body.len() as u64);
        assert!(
            sink.progress_in(Phase::Queued)
                .iter()
                .all(|(_, t)| t.is_none())
        );
    }

    #[test]
    fn checksum_mismatch_names_expected_and_actual() {
        let body = b"hello".to_vec();
        let server = TestServer::start([("/h", Route::Ok(body.clone()))]);
        let wrong = "0".repeat(64);
        let (_dir, result) = fetch_into(
            &server.url("/h"),
            Some(&wrong),
            &mut RecordingSink::default(),
        );
        let err = result.unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, FetchError::ChecksumMismatch { .. }), "{msg}");
        assert!(
            msg.contains(&wrong) && msg.contains(&sha256_hex(&body)),
            "{msg}"
        );
    }

    #[test]
    fn http_errors_carry_the_status() {
        let server = TestServer::start([("/x", Route::Status(500))]);
        let (_dir, result) =
            fetch_into(&server.url("/missing"), None, &mut RecordingSink::default());
        let err = result.unwrap_err();
        assert!(
            matches!(err, FetchError::Status { status: 404, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("HTTP 404 Not Found"), "{err}");
        let (_dir, result) = fetch_into(&server.url("/x"), None, &mut RecordingSink::default());
        assert!(matches!(
            result.unwrap_err().last(),
            FetchError::Status { status: 500, .. }
        ));
    }

    #[test]
    fn a_connection_dropped_mid_body_is_truncated() {
        let server = TestServer::dropping_after(100_000, 30_000);
        let (_dir, result) = fetch_into(&server.url("/t"), None, &mut RecordingSink::default());
        let err = result.unwrap_err();
        let err = err.last();
        assert!(
            matches!(err, FetchError::Truncated { expected: 100_000, got, .. } if *got <= 30_000),
            "{err}"
        );
        assert!(err.to_string().contains("closed after"), "{err}");
    }

    #[test]
    fn connection_refused_is_a_request_error() {
        // Bind then drop a listener to get a port that refuses connections.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}/a");
        let (_dir, result) = fetch_into(&url, None, &mut RecordingSink::default());
        assert!(
            matches!(result.as_ref().unwrap_err().last(), FetchError::Net(_)),
            "{result:?}"
        );
    }

    #[test]
    fn cancel_between_chunks_stops_the_download() {
        let body = vec![1u8; 1 << 20];
        let server = TestServer::start([("/big", Route::Ok(body))]);
        let mut sink = RecordingSink::cancelling_after(Phase::Queued, 2);
        let (_dir, result) = fetch_into(&server.url("/big"), None, &mut sink);
        assert!(matches!(result, Err(FetchError::Cancelled)), "{result:?}");
        let progress = sink.progress_in(Phase::Queued);
        assert!(progress.len() <= 3, "stopped promptly: {progress:?}");
    }

    #[test]
    #[cfg_attr(windows, ignore = "the file:// URL is written from a Unix path")]
    fn file_urls_are_read_with_their_size_and_percent_decoding() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("a b%.bin");
        std::fs::write(&src, b"local bytes").unwrap();
        let url = format!(
            "file://{}",
            dir.path().join("a%20b%25.bin").to_str().unwrap()
        );
        let mut sink = RecordingSink::default();
        let (_d, result) = fetch_into(&url, Some(&sha256_hex(b"local bytes")), &mut sink);
        let download = result.unwrap();
        assert_eq!(download.bytes, 11);
        assert_eq!(
            sink.progress_in(Phase::Queued).last(),
            Some(&(11, Some(11)))
        );

        let (_d, result) = fetch_into("file:///definitely/not/here.zip", None, &mut sink);
        let err = result.unwrap_err();
        assert!(matches!(err, FetchError::LocalFile { .. }), "{err}");
        assert!(
            err.to_string().contains("/definitely/not/here.zip"),
            "{err}"
        );

        let dir_url = format!("file://{}", dir.path().to_str().unwrap());
        let (_d, result) = fetch_into(&dir_url, None, &mut sink);
        assert!(matches!(result, Err(FetchError::LocalFile { .. })));
    }

    #[test]
    fn unsupported_schemes_and_size_limits_are_refused() {
        let (_d, result) = fetch_into("ftp://x.org/a", None, &mut RecordingSink::default());
        assert!(matches!(result, Err(FetchError::BadUrl(_))));

        let server = TestServer::start([
            ("/b", Route::Ok(vec![0; 5000])),
            ("/c", Route::Chunked(vec![0; 5000])),
        ]);
        let opts = InstallOptions {
            max_download_bytes: 1000,
            ..InstallOptions::default()
        };
        for path in ["/b", "/c"] {
            let dir = tempfile::tempdir().unwrap();
            let result = fetch(
                &server.url(path),
                None,
                &dir.path().join("d"),
                &mut RecordingSink::default(),
                &opts,
            );
            assert!(
                matches!(result, Err(FetchError::TooLarge { limit: 1000, .. })),
                "{path}: {result:?}"
            );
        }
    }
}
