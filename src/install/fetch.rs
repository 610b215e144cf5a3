//! Downloads a URL (`http://`, `https://` or `file://`) into a file, hashing it with
//! SHA-256 as the bytes arrive and reporting progress per 64 KiB chunk.
//!
//! HTTP goes through `ureq` with rustls; a connect timeout and a per-read timeout bound
//! every wait, so a stalled server fails the install instead of hanging it, and the
//! cancel flag is polled between reads.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use thiserror::Error;

use super::{InstallOptions, ProgressSink};
use crate::validate::{self, FieldError, Scheme};

/// Size of one read: the unit of progress reports and cancel checks.
pub const CHUNK: usize = 64 * 1024;

/// A finished, verified download.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Download {
    /// Where the bytes were written.
    pub path: PathBuf,
    /// How many bytes were downloaded.
    pub bytes: u64,
    /// Their SHA-256, lower-case hex.
    pub sha256: String,
}

/// Why a download failed. Messages name the URL and what to check.
#[derive(Debug, Error)]
pub enum FetchError {
    /// The URL is not one `vx` can download from.
    #[error(transparent)]
    BadUrl(#[from] FieldError),
    /// The server answered with a status other than 2xx.
    #[error("{url}: the server answered HTTP {status}{}", reason_suffix(*status))]
    Status {
        /// The URL requested.
        url: String,
        /// The HTTP status code.
        status: u16,
    },
    /// The request failed before a response (DNS, connect, TLS, timeout, protocol).
    #[error("{url}: {source}")]
    Request {
        /// The URL requested.
        url: String,
        /// The client's error.
        #[source]
        source: Box<ureq::Error>,
    },
    /// The body ended (or the connection broke) before `Content-Length` bytes arrived.
    #[error("{url}: the connection closed after {got} of {expected} bytes")]
    Truncated {
        /// The URL requested.
        url: String,
        /// Bytes received.
        got: u64,
        /// Bytes announced by `Content-Length`.
        expected: u64,
    },
    /// Reading the body failed with no length to compare against.
    #[error("{url}: the download failed after {got} bytes: {source}")]
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
    #[error("{url}: the download is larger than the {limit}-byte limit")]
    TooLarge {
        /// The URL requested.
        url: String,
        /// The limit.
        limit: u64,
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
    // first 112 bytes of a message.
    #[error("checksum mismatch: got sha256 {actual}, expected {expected} ({url})")]
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
pub fn fetch(
    url: &str,
    expected: Option<&str>,
    dest: &Path,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<Download, FetchError> {
    let scheme = validate::url(url)?;
    let mut out = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(dest)
        .map_err(|source| FetchError::Write {
            path: dest.to_owned(),
            source,
        })?;
    let (bytes, sha256) = match scheme {
        Scheme::File => {
            let path = file_url_path(url);
            let local_err = |source| FetchError::LocalFile {
                path: path.clone(),
                source,
            };
            let mut file = File::open(&path).map_err(local_err)?;
            let meta = file.metadata().map_err(local_err)?;
            if !meta.is_file() {
                return Err(local_err(io::Error::other("not a regular file")));
            }
            copy_hashed(url, &mut file, Some(meta.len()), &mut out, dest, sink, opts)?
        }
        Scheme::Http | Scheme::Https => {
            let agent = agent(opts);
            let response = agent
                .get(url)
                .call()
                .map_err(|source| FetchError::Request {
                    url: url.to_owned(),
                    source: Box::new(source),
                })?;
            let status = response.status();
            if !status.is_success() {
                return Err(FetchError::Status {
                    url: url.to_owned(),
                    status: status.as_u16(),
                });
            }
            let total = response.body().content_length();
            let mut body = response.into_body().into_reader();
            copy_hashed(url, &mut body, total, &mut out, dest, sink, opts)?
        }
    };
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
        path: dest.to_owned(),
        bytes,
        sha256,
    })
}

/// The HTTP client: status codes are checked by us (for a clearer message), timeouts
/// come from the options, and no `Accept-Encoding` is sent so archives arrive as-is.
fn agent(opts: &InstallOptions) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_resolve(Some(opts.connect_timeout))
        .timeout_connect(Some(opts.connect_timeout))
        .timeout_per_read(Some(opts.read_timeout))
        .user_agent(concat!("vx/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// The local path of a `file://` URL (already validated), percent-decoded.
fn file_url_path(url: &str) -> PathBuf {
    let rest = &url[url.find("://").map_or(0, |i| i + 3)..];
    // Validation allowed only an empty host or `localhost` (any case).
    let rest = &rest[rest.find('/').unwrap_or(0)..];
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let raw = rest.as_bytes();
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if raw[i] == b'%'
            && i + 2 < raw.len()
            && let (Some(h), Some(l)) = (hex(raw[i + 1]), hex(raw[i + 2]))
        {
            bytes.push((h * 16 + l) as u8);
            i += 3;
        } else {
            bytes.push(raw[i]);
            i += 1;
        }
    }
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

/// Copies `src` into `out` chunk by chunk, hashing, counting, reporting and polling
/// for cancellation. Returns the byte count and the hex sha256.
fn copy_hashed(
    url: &str,
    src: &mut dyn Read,
    total: Option<u64>,
    out: &mut File,
    dest: &Path,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<(u64, String), FetchError> {
    if let Some(total) = total
        && total > opts.max_download_bytes
    {
        return Err(FetchError::TooLarge {
            url: url.to_owned(),
            limit: opts.max_download_bytes,
        });
    }
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    let mut done = 0u64;
    sink.progress(0, total);
    loop {
        if sink.cancel_requested() {
            return Err(FetchError::Cancelled);
        }
        let n = match src.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(source) => {
                return Err(match total {
                    Some(expected) if done < expected => FetchError::Truncated {
                        url: url.to_owned(),
                        got: done,
                        expected,
                    },
                    _ => FetchError::Read {
                        url: url.to_owned(),
                        got: done,
                        source,
                    },
                });
            }
        };
        done += n as u64;
        if done > opts.max_download_bytes {
            return Err(FetchError::TooLarge {
                url: url.to_owned(),
                limit: opts.max_download_bytes,
            });
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n])
            .map_err(|source| FetchError::Write {
                path: dest.to_owned(),
                source,
            })?;
        sink.progress(done, total);
    }
    if let Some(expected) = total
        && done != expected
    {
        return Err(FetchError::Truncated {
            url: url.to_owned(),
            got: done,
            expected,
        });
    }
    Ok((done, hex::encode(hasher.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::install::testutil::{RecordingSink, Route, TestServer, sha256_hex};
    use vx_shm::Phase;

    fn fetch_into(
        url: &str,
        expected: Option<&str>,
        sink: &mut RecordingSink,
    ) -> (tempfile::TempDir, Result<Download, FetchError>) {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("download");
        let result = fetch(url, expected, &dest, sink, &InstallOptions::default());
        (dir, result)
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
            result,
            Err(FetchError::Status { status: 500, .. })
        ));
    }

    #[test]
    fn a_connection_dropped_mid_body_is_truncated() {
        let server = TestServer::dropping_after(100_000, 30_000);
        let (_dir, result) = fetch_into(&server.url("/t"), None, &mut RecordingSink::default());
        let err = result.unwrap_err();
        assert!(
            matches!(err, FetchError::Truncated { expected: 100_000, got, .. } if got <= 30_000),
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
            matches!(result, Err(FetchError::Request { .. })),
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

    #[test]
    fn file_url_paths() {
        assert_eq!(file_url_path("file:///a/b.zip"), Path::new("/a/b.zip"));
        assert_eq!(file_url_path("file://localhost/a/b"), Path::new("/a/b"));
        assert_eq!(file_url_path("FILE://LocalHost/a/b"), Path::new("/a/b"));
        assert_eq!(file_url_path("file:///a%2"), Path::new("/a%2"));
        assert_eq!(file_url_path("file:///a%zz"), Path::new("/a%zz"));
        assert_eq!(file_url_path("file:///a?x#y"), Path::new("/a"));
    }
}
