//! A download checked and unpacked into the work tree: streamed into it while it
//! arrives where its format allows, else unpacked whole; a runtime tool's archive kept
//! for its package manager instead.

use std::path::{Path, PathBuf};

use vx_model::config_frame::InstallConfig;
use vx_shm::Phase;

use super::error::store_err;
use super::integrity::check_integrity;
use super::signatures::verify;
use super::{
    InstallError, InstallOptions, ProgressSink, bins, environment, extract, fetch, sources, stream,
};

/// A download checked and unpacked into the work tree.
pub(super) struct Unpacked {
    /// The download (its file already removed).
    pub(super) download: fetch::Download,
    /// The mirror it came from; `None` for the origin.
    pub(super) source: Option<String>,
    /// What verified its signatures, when any were checked.
    pub(super) verified: Option<String>,
    /// What unpacking it produced.
    pub(super) stats: extract::ExtractStats,
    /// A runtime tool's npm tarball, checked and kept in the work directory instead
    /// of unpacked: npm installs the package from this file.
    pub(super) kept: Option<PathBuf>,
}

/// Downloads `cfg`'s tool into `work` and unpacks it into `tree`: while it
/// downloads when its format streams, else whole once downloaded and checked. The
/// archive is removed once unpacked, freeing its space before post-install runs.
/// A runtime tool's archive (its environment planned) is checked and kept instead,
/// never unpacked: its package manager builds the tree from the pinned set, this
/// package with the rest ([`environment::kept_archive`]).
pub(super) fn fetch_and_unpack(
    cfg: &InstallConfig,
    work: &Path,
    tree: &Path,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<Unpacked, InstallError> {
    let planned = environment::is_planned(cfg);
    // Dropped (its thread stopped) before the caller removes the work directory.
    let mut streaming = if planned {
        None
    } else {
        stream::Streaming::start(
            cfg.spec.format,
            tree,
            cfg.spec.strip_components,
            opts.extract,
        )
    };
    let tee: &mut dyn fetch::Tee = match &mut streaming {
        Some(streaming) => streaming,
        None => &mut fetch::NoTee,
    };
    // From a mirror that has the bytes, else the origin through the store's partial
    // for the URL (continued when an earlier run kept it).
    let dest = work.join("download");
    // A download pinned by npm's integrity alone, which an imported bundle carried:
    // from that file (checked against the integrity all the same), offline too.
    let carried = match (&cfg.spec.sha256, &cfg.spec.integrity) {
        (None, Some(integrity)) => sources::carried(integrity),
        _ => None,
    };
    let url = match &carried {
        Some(path) => vx_sources::mirror::source::file_url(path),
        None => cfg.spec.url.clone(),
    };
    let request = fetch::DownloadRequest {
        url: &url,
        expected: cfg.spec.sha256.as_deref(),
        dest: &dest,
    };
    let mut cx = fetch::Context { sink, opts, tee };
    let sources::Fetched {
        download,
        mut source,
    } = sources::fetch(&cfg.store, cfg.offline, request, &mut cx)?;
    if carried.is_some() {
        source = Some(sources::CACHE_LABEL.to_owned());
    }
    check_integrity(cfg, &download)?;
    let verified = verify(cfg, &download, sink, opts)?;
    if planned {
        let kept = environment::kept_archive(cfg, work, &download.path)
            .map_err(store_err("cannot keep the download in", work))?;
        return Ok(Unpacked {
            download,
            source,
            verified,
            stats: extract::ExtractStats {
                format: cfg.spec.format,
                ..Default::default()
            },
            kept,
        });
    }

    sink.phase(Phase::Extracting, "");
    let streamed = match streaming {
        Some(streaming) => streaming.finish(sink)?,
        None => None,
    };
    let stats = match streamed {
        Some(stats) => stats,
        None => {
            // Whatever a void attempt unpacked goes; the file is unpacked whole.
            std::fs::remove_dir_all(tree)
                .and_then(|()| std::fs::create_dir(tree))
                .map_err(store_err("cannot empty", tree))?;
            extract::extract(
                &download.path,
                cfg.spec.format,
                tree,
                cfg.spec.strip_components,
                bins::raw_name(&cfg.spec.name, cfg.spec.bin.as_deref()),
                opts.extract,
                sink,
            )?
        }
    };
    // The archive is no longer needed; free its space before post-install runs.
    let _ = std::fs::remove_file(&download.path);
    Ok(Unpacked {
        download,
        source,
        verified,
        stats,
        kept: None,
    })
}
