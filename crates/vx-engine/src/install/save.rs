//! A download fetched whole and checked, installing nothing: saved by its sha256
//! ([`InstallConfig::save_to`]), or kept in a work directory for a second look.

use std::path::Path;

use vx_model::config_frame::InstallConfig;
use vx_shm::Phase;

use super::error::store_err;
use super::{ChecksumFrom, InstallError, InstallOptions, Outcome, ProgressSink, fetch, sources};
use crate::store;

/// Downloads `cfg`'s URL whole into a work directory of its store (the guard removes
/// it when dropped): from vx's cache, a mirror or the origin, checked against `sha256`,
/// nothing unpacked while it arrives.
pub(super) fn download_whole(
    cfg: &InstallConfig,
    sha256: &str,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<(store::WorkDir, sources::Fetched), InstallError> {
    let work = store::work_dir_in(&cfg.store, opts.work_area.as_ref())
        .map_err(store_err("cannot create a work directory in", &cfg.store))?;
    sink.phase(Phase::Downloading, &cfg.spec.url);
    let dest = work.path().join("download");
    let request = fetch::DownloadRequest {
        url: &cfg.spec.url,
        expected: Some(sha256),
        dest: &dest,
    };
    let mut cx = fetch::Context {
        sink,
        opts,
        tee: &mut fetch::NoTee,
    };
    let fetched = sources::fetch(&cfg.store, cfg.offline, request, &mut cx)?;
    Ok((work, fetched))
}

/// Downloads `cfg`'s URL (from vx's cache, a mirror or the origin), checks it against
/// the sha256 (which must be given) and saves it as `<dir>/<sha256>`; installs nothing.
/// A file already there under that name was saved, checked, by an earlier run.
pub(super) fn save(
    cfg: &InstallConfig,
    dir: &Path,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<Outcome, InstallError> {
    let Some(sha256) = cfg.spec.sha256.as_deref() else {
        return Err(InstallError::Unverified {
            asked: ChecksumFrom::of(cfg),
            url: cfg.spec.url.clone(),
        });
    };
    let dest = dir.join(sha256);
    if let Ok(meta) = std::fs::metadata(&dest)
        && meta.is_file()
    {
        return Ok(Outcome::Saved {
            path: dest,
            bytes: meta.len(),
            source: Some(sources::CACHE_LABEL.to_owned()),
        });
    }
    let (_work, sources::Fetched { download, source }) = download_whole(cfg, sha256, sink, opts)?;
    std::fs::create_dir_all(dir).map_err(store_err("cannot create", dir))?;
    if std::fs::rename(&download.path, &dest).is_err() {
        // Another file system: copied under a temporary name, then renamed.
        let part = dir.join(format!(".{sha256}.part"));
        std::fs::copy(&download.path, &part)
            .and_then(|_| std::fs::rename(&part, &dest))
            .map_err(store_err("cannot save the download in", dir))?;
    }
    Ok(Outcome::Saved {
        path: dest,
        bytes: download.bytes,
        source,
    })
}
