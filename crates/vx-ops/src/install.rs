//! `vx install`'s work: one download installed by hand (`NAME@VERSION --url …`),
//! outside any project. Its spec is made from the request ([`config`]: the URL's
//! placeholders filled for this platform, the archive's format told from the URL
//! unless named), then it is installed into the store as a sync's child installs
//! ([`install`]), what killed installs left in the store removed meanwhile. Nothing
//! here prints: progress goes to the caller's sink.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use vx_text::sanitize;

use vx_base::format::ArchiveFormat;
use vx_base::validate::FieldError;
use vx_engine::install::{InstallOptions, ProgressSink, Terminal};
use vx_engine::store::{self, StoreError};
use vx_model::config_frame::InstallConfig;
use vx_model::manifest::Platform;
use vx_model::manifest::tool::{fill, fill_bins, unknown_placeholder};
use vx_model::spec::ToolSpec;
use vx_sources::settings::network::NetConfigError;

/// What to install.
pub struct Request<'a> {
    /// The tool's name.
    pub tool: &'a str,
    /// Its version.
    pub version: &'a str,
    /// `NAME@VERSION` as typed, for what is said of it.
    pub spec: &'a str,
    /// `--url`: its download, `{version}`, `{os}` and `{arch}` filled in.
    pub url: Option<&'a str>,
    /// `--sha256`.
    pub sha256: Option<String>,
    /// `--strip-components`.
    pub strip_components: u32,
    /// `--format`; `None`: told from the URL.
    pub format: Option<&'a str>,
    /// `--bin`: the executables, placeholders filled in.
    pub bins: &'a [String],
    /// `--store`; `None`: the default store.
    pub store: Option<PathBuf>,
    /// `--allow-unverified`.
    pub allow_unverified: bool,
    /// Seconds a read may wait.
    pub read_timeout: u32,
}

/// Why a download cannot be installed by hand: each the user's to fix (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ByHandError {
    /// No `--url`.
    #[error(
        "vx install {0} needs --url URL (and --sha256 HEX); to install from a manifest, run vx sync"
    )]
    NoUrl(String),
    /// The URL names a placeholder vx does not fill.
    #[error("--url: unknown placeholder `{{{}}}`; a url may use {{version}}, {{os}} and {{arch}}", sanitize(.0))]
    Placeholder(String),
    /// The URL names `{os}` or `{arch}`, and vx has no name for this platform's.
    #[error("--url names {{os}} or {{arch}}, which vx has no name for on {0}")]
    Unnamed(Platform),
    /// The URL's suffix is no archive format vx reads.
    #[error("{0}")]
    Suffix(String),
    /// The store cannot be prepared.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The install's settings do not hold together.
    #[error("invalid install")]
    Invalid(#[source] FieldError),
    /// The network settings cannot be used.
    #[error("network settings")]
    Network(#[source] NetConfigError),
}

/// The install `request` asks for, checked; the store prepared.
pub fn config(request: Request<'_>) -> Result<InstallConfig, ByHandError> {
    let Request {
        tool,
        version,
        spec,
        ..
    } = request;
    let url = request
        .url
        .ok_or_else(|| ByHandError::NoUrl(spec.to_owned()))?;
    if let Some((_, name)) = unknown_placeholder(url) {
        return Err(ByHandError::Placeholder(name.to_owned()));
    }
    let platform = Platform::current();
    let url = fill(url, version, &platform, &Default::default())
        .ok_or_else(|| ByHandError::Unnamed(platform.clone()))?;
    let format = match request.format {
        Some(name) => ArchiveFormat::from_name(name),
        None => ArchiveFormat::from_url(&url)
            .map_err(|suffix| ByHandError::Suffix(vx_base::format::unsupported_suffix(suffix)))?,
    };
    let store = store::prepare(request.store)?;
    let spec = ToolSpec {
        sha256: request.sha256,
        format,
        strip_components: request.strip_components,
        bin: (!request.bins.is_empty())
            .then(|| fill_bins(request.bins, version, &platform, &Default::default())),
        ..ToolSpec::new(tool, version, url)
    };
    let mut cfg = InstallConfig {
        allow_unverified: request.allow_unverified,
        read_timeout_secs: Some(request.read_timeout),
        ..InstallConfig::new(spec, store)
    };
    cfg.validate().map_err(ByHandError::Invalid)?;
    Ok(cfg)
}

/// Installs `cfg`, its progress to `sink`, until done or `cancel` is set; what killed
/// installs left in the store goes meanwhile, in the background, waited for unless
/// cancelled. Returns how the install ended (its exit code, published to `sink` by
/// the caller).
pub fn install(
    cfg: &InstallConfig,
    sink: &mut dyn ProgressSink,
    cancel: &AtomicBool,
) -> Result<Terminal, ByHandError> {
    let opts = InstallOptions::for_config(cfg).map_err(ByHandError::Network)?;
    let cleaning = store::clean_stale_work(&cfg.store, cancel);
    let result = vx_engine::install::install(cfg, sink, &opts);
    if let Some(cleaning) = cleaning
        && !cancel.load(Ordering::Relaxed)
    {
        let _ = cleaning.join();
    }
    Ok(Terminal::of(&result))
}
