//! A download through the store's kept partial ([`super::partial`]): bytes an earlier
//! run kept are continued, and what this download leaves is settled — moved into the
//! install when verified, kept when interrupted and continuable, removed otherwise.
//! Above both [`super::fetch`] (which downloads, given a [`Kept`]) and
//! [`super::partial`] (the area on disk).

use std::path::Path;

use vx_shm::Phase;

use super::fetch::{self, Context, Download, DownloadRequest, FetchError};
use super::partial::Kept;
use super::sink::Retry;
use vx_base::validate::{self, Scheme};

/// Downloads `request` (see [`fetch::fetch_tee`]), through `store`'s partial for the
/// URL when it is http(s) and no other download holds it: bytes an earlier run kept
/// are continued, and what this download leaves is settled ([`settle`]). Publishes
/// the Downloading phase: with the URL, or `resuming at 4.1 MiB from an earlier run`.
///
/// Kept bytes are trusted only as far as something checks them. With the sha256
/// known, the whole file is checked at the end, and a continued download that does
/// not verify is downloaded once more from the start (the kept bytes were what
/// differed, corrupted on disk or from another file), saying so. A download whose
/// sha256 is not known yet (trust on first download: what arrives becomes the lock's
/// pin) continues only bytes whose length and SHA-256 were recorded when their
/// download was interrupted ([`Kept::seal`]) and that still hash to it when read
/// back; others start from zero.
pub(crate) fn fetch(
    store: &Path,
    request: DownloadRequest<'_>,
    cx: &mut Context<'_>,
) -> Result<Download, FetchError> {
    let url = request.url;
    let kept = match validate::url(url) {
        Ok(Scheme::Http | Scheme::Https) => Kept::claim(store, url),
        _ => None,
    };
    let Some(kept) = kept else {
        cx.sink.phase(Phase::Downloading, url);
        return fetch::fetch_tee(request, cx);
    };
    let resumed = kept.resumes_at(request.expected.is_none());
    match resumed {
        0 => cx.sink.phase(Phase::Downloading, url),
        at => cx.sink.phase(
            Phase::Downloading,
            &format!("resuming at {} from an earlier run", vx_text::bytes(at)),
        ),
    }
    let result = fetch::fetch_kept(url, request.expected, &kept, cx);
    let result = settle(kept, result, request.dest);
    match result {
        Err(FetchError::ChecksumMismatch { .. }) if resumed > 0 => {
            // `settle` removed the kept bytes: this claim starts from zero.
            let Some(kept) = Kept::claim(store, url) else {
                return result;
            };
            // Said as a retry: every output mode shows one (a phase's message may
            // be gone before a reader polls).
            cx.sink.retry(&Retry {
                attempt: 2,
                attempts: 2,
                cause: "the bytes kept from an earlier run did not verify; downloading from the start",
                resume_at: None,
            });
            // What the first attempt gave (an extraction fed as it came) is void.
            cx.tee.restart();
            let again = fetch::fetch_kept(url, request.expected, &kept, cx);
            settle(kept, again, request.dest)
        }
        result => result,
    }
}

/// Settles `kept` after its download: a verified download is moved to `dest` (and
/// returned from there); an interrupted one is kept when its bytes can be continued;
/// anything else is removed.
pub(crate) fn settle(
    kept: Kept,
    result: Result<Download, FetchError>,
    dest: &Path,
) -> Result<Download, FetchError> {
    match result {
        Ok(download) => {
            kept.take(dest).map_err(|source| FetchError::Write {
                path: dest.to_owned(),
                source,
            })?;
            Ok(Download {
                path: dest.to_owned(),
                ..download
            })
        }
        Err(err) => {
            kept.after_failure(err.is_interruption());
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::install::partial::PARTIAL_DIR;
    use crate::install::partial::tests::{URL, leave};

    #[test]
    fn settling_keeps_only_an_interrupted_download_that_can_continue() {
        let store = tempfile::tempdir().unwrap();
        let cancelled = || Err(FetchError::Cancelled);
        let not_found = || {
            Err(FetchError::Status {
                url: URL.into(),
                status: 404,
            })
        };
        let dest = store.path().join("download");

        let path = leave(store.path(), b"123");
        let kept = Kept::claim(store.path(), URL).unwrap();
        assert!(settle(kept, cancelled(), &dest).is_err());
        assert_eq!(fs::read(&path).unwrap(), b"123", "a cancel keeps it");

        let kept = Kept::claim(store.path(), URL).unwrap();
        assert!(settle(kept, not_found(), &dest).is_err());
        assert!(!path.exists(), "a 404 removes it");

        // Bytes without a validator cannot continue: not kept.
        let kept = Kept::claim(store.path(), URL).unwrap();
        fs::write(kept.path(), b"123").unwrap();
        assert!(settle(kept, cancelled(), &dest).is_err());
        assert!(!path.exists());

        let path = leave(store.path(), b"whole");
        let kept = Kept::claim(store.path(), URL).unwrap();
        let done = Download {
            path: path.clone(),
            bytes: 5,
            sha256: String::new(),
            waited: std::time::Duration::ZERO,
        };
        let download = settle(kept, Ok(done), &dest).unwrap();
        assert_eq!(download.path, dest);
        assert_eq!(fs::read(&dest).unwrap(), b"whole");
        let left: Vec<_> = fs::read_dir(store.path().join(PARTIAL_DIR))
            .unwrap()
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
