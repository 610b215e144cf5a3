//! The install engine: one tool from URL to `<store>/<tool>/<version>`.
//!
//! [`install`] runs Resolving → (cached) | Downloading → verify → Extracting →
//! PostInstall → atomic rename, reporting through a [`ProgressSink`]. It is
//! independent of the board: `vx install` wires the sink to its slot (or to stderr with
//! [`LineSink`]), tests to a recording.
//!
//! Terminal phases are published in one place, by the caller, from the result:
//! [`Terminal::of`] maps it to Completed or Skipped ([`Outcome::phase`]) or Failed or
//! Cancelled ([`InstallError::phase`]), with a message and [`InstallError::code`] as
//! the slot's exit code (and the child's exit status).
//!
//! | code | meaning |
//! |-----:|---------|
//! | 0    | installed or cached |
//! | 3    | bad config ([`vx_model::config_frame::EXIT_BAD_CONFIG`]) |
//! | 10   | download failed (network, HTTP status, truncated, stalled, too large; after retries when transient) |
//! | 11   | checksum mismatch |
//! | 12   | no sha256 given and unverified downloads not allowed |
//! | 13   | archive refused or corrupt, nothing left after `strip_components`, a `bin` entry not in it, or no executable in it |
//! | 14   | post-install command failed |
//! | 15   | store error: the disk full, read-only or not permitted; a directory at the install path that vx did not create |
//! | 16   | a signature the manifest asks for ([`vx_net::verify`]) is missing or does not verify |
//! | 130  | cancelled |

pub mod bins;
pub mod build_with;
pub mod components;
mod entries;
pub mod environment;
pub mod extract;
pub mod fetch;
pub mod listing;
pub mod live;
pub mod packing;
pub mod partial;
mod program;
pub mod resume;
mod signatures;
mod sink;
pub mod sources;
pub mod store;
pub mod stream;
mod uv;
pub mod venv;
pub mod wheel;
pub mod written;

#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
#[cfg(test)]
pub(crate) mod testutil;

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;
use vx_shm::Phase;

pub use extract::{ExtractError, ExtractLimits};
pub use fetch::FetchError;
pub use live::LiveSink;
pub use sink::{Cancellable, LineSink, NullSink, ProgressSink, Retry, SaidLines};

use vx_base::validate::FieldError;
use vx_model::config_frame::{EXIT_BAD_CONFIG, InstallConfig};
use vx_net::NetConfig;
use vx_sources::settings::network::NetConfigError;

/// Tunables of an install that are not part of the tool's config: timeouts and the
/// safety caps. [`Default`] is what `vx` uses.
#[derive(Clone, Debug)]
pub struct InstallOptions {
    /// Longest wait to resolve and connect to a server.
    pub connect_timeout: Duration,
    /// Longest wait for any single read from a server (a stalled download fails).
    pub read_timeout: Duration,
    /// Largest download accepted.
    pub max_download_bytes: u64,
    /// The download's exact size when the lock records it ([`vx_model::spec::ToolSpec::size`]): a
    /// larger `Content-Length` is refused up front, a longer body cut off at it.
    pub expected_size: Option<u64>,
    /// Caps on what the archive may unpack to.
    pub extract: ExtractLimits,
    /// How often a running post-install command is checked for cancellation.
    pub post_install_poll: Duration,
    /// The waits before each retry of a download that failed transiently (connection
    /// refused or reset, dropped mid-body, timeout, HTTP 5xx or 429): one more attempt
    /// per entry, so the default two give three attempts.
    pub retry_delays: Vec<Duration>,
    /// How often a wait (backoff, another vx's lock) checks for cancellation.
    pub wait_poll: Duration,
    /// This process leads a process tree of its own (a `vx sync` child on Unix:
    /// [`vx_base::platform::process::leads_own_tree`]): a cancelled `post_install` is
    /// ended by a SIGTERM to the whole group, which reaches whatever the command forked
    /// even when no parent is left to kill the group. (On Windows the parent's Job
    /// Object ends what the command leaves once the child has exited.)
    pub own_process_group: bool,
    /// The network's settings (trust, proxies, credentials, URL rewrites).
    pub net: Arc<NetConfig>,
    /// Secret headers sent with the download, to its first origin only (a mirror's
    /// registry token: [`vx_sources::mirror`]). Empty for a tool's own URL, which gets the
    /// configured credentials ([`vx_net::Client`]).
    pub source_headers: Vec<(String, vx_base::secret::Secret)>,
    /// The work directory this process's installs take turns in (a `vx sync` child's
    /// batch, [`store::WorkArea`]); `None`: each install makes its own.
    pub work_area: Option<Arc<store::WorkArea>>,
}

impl Default for InstallOptions {
    fn default() -> Self {
        InstallOptions {
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(30),
            max_download_bytes: 8 << 30,
            expected_size: None,
            extract: ExtractLimits::default(),
            post_install_poll: Duration::from_millis(50),
            retry_delays: vec![Duration::from_millis(250), Duration::from_secs(1)],
            wait_poll: Duration::from_millis(50),
            own_process_group: false,
            net: Arc::default(),
            source_headers: Vec::new(),
            work_area: None,
        }
    }
}

impl InstallOptions {
    /// The options for `cfg`: the defaults, with its read timeout and the network
    /// settings of its project, this process's environment and the user config.
    pub fn for_config(cfg: &InstallConfig) -> Result<InstallOptions, NetConfigError> {
        let net = Arc::new(vx_sources::settings::network::load(&cfg.network)?);
        Ok(InstallOptions::for_config_with(cfg, net))
    }

    /// [`InstallOptions::for_config`] with the network settings `net` already made from
    /// `cfg.network` (a batch's tools share them: the user config, read once).
    pub(crate) fn for_config_with(cfg: &InstallConfig, net: Arc<NetConfig>) -> InstallOptions {
        let mut opts = InstallOptions {
            net,
            ..InstallOptions::default()
        };
        if let Some(secs) = cfg.read_timeout_secs {
            opts.read_timeout = Duration::from_secs(u64::from(secs));
        }
        opts.expected_size = cfg.spec.size;
        opts
    }
}

/// A successful install.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Downloaded, verified, unpacked and moved into place.
    Installed {
        /// The tool's directory in the store.
        path: PathBuf,
        /// Bytes downloaded.
        bytes: u64,
        /// SHA-256 of the download.
        sha256: String,
        /// No sha256 was given (`--allow-unverified`): nothing checked the bytes.
        unverified: bool,
        /// The mirror that served the bytes, as written; `None`: the origin.
        source: Option<String>,
        /// What verified the bytes' signatures: now, or when the lock recorded them.
        signed: Option<String>,
    },
    /// Downloaded, hashed and checked, not installed ([`InstallConfig::probe`]): only a
    /// receipt is left, at the tool's place in the (scratch) store.
    Probed {
        /// Where the receipt was written.
        path: PathBuf,
        /// Bytes downloaded.
        bytes: u64,
        /// SHA-256 of the download.
        sha256: String,
    },
    /// Downloaded and checked, saved as `<save_to>/<sha256>`, not installed
    /// ([`InstallConfig::save_to`]).
    Saved {
        /// The file.
        path: PathBuf,
        /// Its size.
        bytes: u64,
        /// The mirror that served it (as written, or `cache`); `None`: the origin.
        source: Option<String>,
    },
    /// Already in the store with a matching receipt; nothing was downloaded.
    Cached {
        /// The tool's directory in the store.
        path: PathBuf,
        /// The receipt says it was installed without a sha256 to check.
        unverified: bool,
        /// Another `vx` was installing it; this one waited for it to finish.
        waited: bool,
        /// What verified the tree's signatures (its receipt, or the lock's record).
        signed: Option<String>,
    },
}

impl Outcome {
    /// The terminal phase to publish: Completed or Skipped.
    pub const fn phase(&self) -> Phase {
        match self {
            Outcome::Installed { .. } | Outcome::Probed { .. } | Outcome::Saved { .. } => {
                Phase::Completed
            }
            Outcome::Cached { .. } => Phase::Skipped,
        }
    }

    /// The tool's directory in the store.
    pub fn path(&self) -> &Path {
        match self {
            Outcome::Installed { path, .. }
            | Outcome::Probed { path, .. }
            | Outcome::Saved { path, .. }
            | Outcome::Cached { path, .. } => path,
        }
    }

    /// True when nothing checked the download against a sha256.
    pub const fn unverified(&self) -> bool {
        match self {
            Outcome::Installed { unverified, .. } | Outcome::Cached { unverified, .. } => {
                *unverified
            }
            Outcome::Probed { .. } | Outcome::Saved { .. } => false,
        }
    }

    /// What verified the installed bytes' signatures, if anything did.
    pub fn signed(&self) -> Option<&str> {
        match self {
            Outcome::Installed { signed, .. } | Outcome::Cached { signed, .. } => signed.as_deref(),
            Outcome::Probed { .. } | Outcome::Saved { .. } => None,
        }
    }

    /// A one-line summary for the terminal phase's message.
    pub fn message(&self) -> String {
        match self {
            // The mark comes before the path: the board keeps only the first 112 bytes.
            Outcome::Installed {
                path,
                bytes,
                unverified,
                source,
                signed,
                ..
            } => format!(
                "installed {}{}{}{} into {}",
                vx_text::bytes(*bytes),
                if *unverified {
                    " (UNVERIFIED: no sha256)"
                } else {
                    ""
                },
                signed_mark(signed.as_deref()),
                source
                    .as_deref()
                    .map(|s| format!("{SERVED_BY}{s}"))
                    .unwrap_or_default(),
                path.display()
            ),
            Outcome::Probed { bytes, sha256, .. } => format!(
                "locked {} sha256 {}",
                vx_text::bytes(*bytes),
                sha256.get(..16).unwrap_or(sha256)
            ),
            Outcome::Saved {
                path,
                bytes,
                source,
            } => format!(
                "downloaded {}{} to {}",
                vx_text::bytes(*bytes),
                source
                    .as_deref()
                    .map(|s| format!("{SERVED_BY}{s}"))
                    .unwrap_or_default(),
                path.display()
            ),
            Outcome::Cached {
                path,
                unverified,
                waited,
                signed,
            } => format!(
                "{}{}{} in {}",
                if *waited {
                    "installed by another vx"
                } else {
                    "already installed"
                },
                if *unverified {
                    " (UNVERIFIED: no sha256)"
                } else {
                    ""
                },
                signed_mark(signed.as_deref()),
                path.display()
            ),
        }
    }
}

/// ` signed (minisign)` for a message, when a signature verified the bytes: the kinds
/// only, so the path still fits the board's 112 bytes.
fn signed_mark(signed: Option<&str>) -> String {
    match signed.map(vx_net::verify::kinds) {
        Some(kinds) if !kinds.is_empty() => format!(" signed ({kinds})"),
        _ => String::new(),
    }
}

/// What an install's message puts before the mirror that served its bytes
/// (`installed 4.0 MiB from oci://registry.corp/vx into …`).
const SERVED_BY: &str = " from ";

/// The source that served a download, read back from a terminal message of
/// [`Outcome::message`] (the board carries it from the child to the parent):
/// the mirror as written, [`sources::ORIGIN`] for an install (or a saved download)
/// from the origin, `None` when the message is neither (cached, failed).
pub fn served_by(message: &str) -> Option<&str> {
    let (rest, before_path) = if let Some(rest) = message.strip_prefix("installed ") {
        (rest, " into ")
    } else {
        (message.strip_prefix("downloaded ")?, " to ")
    };
    let Some(at) = rest.find(SERVED_BY) else {
        return Some(sources::ORIGIN);
    };
    let source = &rest[at + SERVED_BY.len()..];
    Some(source.rsplit_once(before_path).map_or(source, |(s, _)| s))
}

/// Why an install failed. Each message says what went wrong and what to check.
#[derive(Debug, Error)]
pub enum InstallError {
    /// The config breaks a field rule (only when built without the frame reader).
    #[error("invalid install config: {0}")]
    Config(#[from] FieldError),
    /// A setting of the environment vx does not understand
    /// ([`packing::PREFERENCE_ENV`]).
    #[error(transparent)]
    Setting(#[from] packing::PreferenceError),
    /// No sha256 was given and unverified downloads were not allowed.
    #[error("no sha256 to verify the download: {asked}, or pass --allow-unverified ({url})")]
    Unverified {
        /// The URL that would have been downloaded.
        url: String,
        /// Where the sha256 would have been given: what the message tells to do.
        asked: ChecksumFrom,
    },
    /// Downloading or verifying failed.
    #[error(transparent)]
    Fetch(FetchError),
    /// The download is not what the registry's `integrity` (sha512) says it is:
    /// nothing of it is installed.
    #[error("checksum mismatch: got {actual}; expected {expected} (the registry's integrity); from {}", vx_base::validate::hide_userinfo(.url))]
    Integrity {
        /// The SRI value the lock pins.
        expected: String,
        /// The SRI value of what arrived.
        actual: String,
        /// Where it came from.
        url: String,
    },
    /// A Go module's download is not the module whose `h1:` hash the lock records:
    /// nothing of it is installed.
    #[error("module hash mismatch: got {actual}; expected {expected} (vx.lock's h1); from {}", vx_base::validate::hide_userinfo(.url))]
    ModuleHash {
        /// The hash the lock pins.
        expected: String,
        /// The download's.
        actual: String,
        /// Where it came from.
        url: String,
    },
    /// The archive was refused or could not be unpacked.
    #[error(transparent)]
    Extract(ExtractError),
    /// The post-install command could not be started.
    #[error("post_install `{command}` could not be started: {source}")]
    PostInstallSpawn {
        /// The command.
        command: String,
        /// The spawn error.
        #[source]
        source: std::io::Error,
    },
    /// The runtime a tool builds with ([`build_with`]) could not be installed.
    #[error("the runtime it is made with, {runtime}, could not be installed: {reason}")]
    BuildRuntime {
        /// The runtime and its version.
        runtime: String,
        /// Why.
        reason: String,
    },
    /// The post-install command exited unsuccessfully.
    #[error("post_install `{command}` failed with {status}")]
    PostInstall {
        /// The command.
        command: String,
        /// Its exit status (code or signal).
        status: ExitStatus,
    },
    /// A runtime tool's environment could not be built ([`environment`]).
    #[error("{0}")]
    Environment(String),
    /// The store could not be written.
    #[error("{what} {}: {source}", path.display())]
    Store {
        /// What was being done.
        what: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A `bin` entry of the manifest does not fit the unpacked tree.
    #[error(transparent)]
    Bin(#[from] bins::BinError),
    /// Nothing of the unpacked tree is an executable (no `bin` list, none found in
    /// `bin/` or at the top level, or in a lone top-level folder): installing it would
    /// give the project no command. Unix only: Windows has no mode that says what runs.
    #[error(
        "no executable found in the download (none in bin/ or at its top level); it holds: {}{}; name its commands with `bin = [...]` (`bin = []` for a tool that has none), or set `strip_components`",
        if entries.is_empty() { "nothing".to_owned() } else { vx_text::sanitize(&entries.join(", ")).into_owned() },
        if *more { ", …" } else { "" }
    )]
    NoExecutable {
        /// The first paths of the tree (`dir/` for a directory).
        entries: Vec<String>,
        /// Whether it holds more than those.
        more: bool,
    },
    /// A wheel's metadata names another project than its file name ([`wheel`]).
    #[error(transparent)]
    Wheel(#[from] wheel::WheelError),
    /// A rust-installer package's components could not be merged into one tree.
    #[error(transparent)]
    Components(#[from] components::ComponentsError),
    /// The install was cancelled; nothing was left behind.
    #[error("cancelled")]
    Cancelled,
    /// A signature the tool's `verify` table asks for is missing or does not verify:
    /// nothing is installed and nothing is locked.
    #[error("signature check failed: {0}")]
    Verify(#[from] vx_net::verify::VerifyError),
}

/// How many of a tree's paths [`InstallError::NoExecutable`] shows.
const NO_EXECUTABLE_SHOWN: usize = 6;

/// Where an install's expected sha256 comes from, so that a missing one is asked for
/// there: a `vx sync` child installs a project's tool, a standalone install is
/// `vx install` on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChecksumFrom {
    /// The tool's table in `vx.toml` (or the lock made from it).
    Manifest,
    /// `vx install`'s `--sha256`.
    CommandLine,
}

impl ChecksumFrom {
    /// Where `cfg`'s sha256 comes from: a config without a board is a standalone
    /// install ([`InstallConfig::board`]).
    pub fn of(cfg: &InstallConfig) -> ChecksumFrom {
        if cfg.board.is_some() {
            ChecksumFrom::Manifest
        } else {
            ChecksumFrom::CommandLine
        }
    }
}

impl std::fmt::Display for ChecksumFrom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ChecksumFrom::Manifest => "add `sha256 = \"…\"` to the tool in vx.toml",
            ChecksumFrom::CommandLine => "pass --sha256 HEX",
        })
    }
}

impl From<FetchError> for InstallError {
    fn from(e: FetchError) -> Self {
        match e {
            FetchError::Cancelled => InstallError::Cancelled,
            e => InstallError::Fetch(e),
        }
    }
}

impl From<ExtractError> for InstallError {
    fn from(e: ExtractError) -> Self {
        match e {
            ExtractError::Cancelled => InstallError::Cancelled,
            e => InstallError::Extract(e),
        }
    }
}

impl InstallError {
    /// The short exit code for the slot and the child's exit status (table in the
    /// module docs).
    pub fn code(&self) -> i32 {
        match self {
            InstallError::Config(_) | InstallError::Setting(_) => EXIT_BAD_CONFIG,
            InstallError::Fetch(FetchError::ChecksumMismatch { .. })
            | InstallError::Integrity { .. }
            | InstallError::ModuleHash { .. } => 11,
            // Writing into the store failed for a reason of the disk's, not the
            // server's or the archive's.
            InstallError::Fetch(FetchError::Write { source, .. })
            | InstallError::Extract(ExtractError::Write { source, .. })
                if store::is_storage_failure(source) =>
            {
                15
            }
            InstallError::Fetch(_) => 10,
            InstallError::Unverified { .. } => 12,
            InstallError::Extract(_)
            | InstallError::Bin(_)
            | InstallError::NoExecutable { .. }
            | InstallError::Wheel(_)
            | InstallError::Components(_) => 13,
            InstallError::PostInstall { .. }
            | InstallError::PostInstallSpawn { .. }
            | InstallError::Environment(_)
            | InstallError::BuildRuntime { .. } => 14,
            InstallError::Store { .. } => 15,
            InstallError::Verify(_) => 16,
            InstallError::Cancelled => 130,
        }
    }

    /// The terminal phase to publish: Cancelled or Failed.
    pub const fn phase(&self) -> Phase {
        match self {
            InstallError::Cancelled => Phase::Cancelled,
            _ => Phase::Failed,
        }
    }
}

/// The terminal state to publish for an install's result: the one mapping from
/// result to (phase, message, exit code), so the board, the line output and the
/// child's exit status always agree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terminal {
    /// Completed, Skipped, Failed or Cancelled.
    pub phase: Phase,
    /// The one-line message for the slot or the last line of output.
    pub message: String,
    /// The exit code: 0 on success, else [`InstallError::code`].
    pub code: i32,
}

impl Terminal {
    /// Maps an install result to its terminal state.
    pub fn of(result: &Result<Outcome, InstallError>) -> Terminal {
        match result {
            Ok(outcome) => Terminal {
                phase: outcome.phase(),
                message: outcome.message(),
                code: 0,
            },
            Err(err) => Terminal {
                phase: err.phase(),
                message: err.to_string(),
                code: err.code(),
            },
        }
    }

    /// Publishes this state to `sink` as its final phase change.
    pub fn publish(&self, sink: &mut dyn ProgressSink) {
        sink.phase(self.phase, &self.message);
    }
}

fn store_err(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> InstallError {
    let path = path.to_owned();
    move |source| InstallError::Store { what, path, source }
}

/// The outcome for `cfg` when its tool is already in the store with a matching
/// receipt: nothing to download. A cached tree counts as verified when the config now
/// names a sha256: the receipt's hash (computed from the bytes installed) matched it.
/// A question only: the store is left as it is ([`install`] pins what it takes).
pub fn cached(cfg: &InstallConfig) -> Option<Outcome> {
    installed(cfg).map(|tree| tree.outcome(cfg, false))
}

/// A tree of `cfg`'s tool in the store, and the receipt that answers for it.
struct Installed {
    receipt: store::Receipt,
    path: PathBuf,
}

/// `cfg`'s tool as the store holds it, when it can be taken as it is: not for a
/// download to save (never "installed"), nor while its signatures are still to be
/// checked ([`verify_installed`]).
fn installed(cfg: &InstallConfig) -> Option<Installed> {
    if cfg.save_to.is_some() {
        return None;
    }
    let (path, receipt) = store::find(&cfg.store, &cfg.spec)?;
    if !signatures_recorded(cfg, &receipt) {
        return None;
    }
    Some(Installed { receipt, path })
}

impl Installed {
    /// Taken as installed for `cfg` (`waited`: after another vx's install of it): a tree
    /// installed on trust whose bytes `cfg` now names is pinned first ([`pin_receipt`]).
    fn take(self, cfg: &InstallConfig, waited: bool) -> Outcome {
        pin_receipt(&self.receipt, &self.path, cfg);
        self.outcome(cfg, waited)
    }

    fn outcome(&self, cfg: &InstallConfig, waited: bool) -> Outcome {
        Outcome::Cached {
            path: self.path.clone(),
            unverified: self.receipt.unverified && !pins_bytes(&cfg.spec),
            waited,
            signed: signed_by(&self.receipt, cfg),
        }
    }
}

/// What verified the signatures of the tree `receipt` describes: its receipt's record,
/// else the lock's (`cfg.spec.verified`) when the lock pins the very bytes installed.
fn signed_by(receipt: &store::Receipt, cfg: &InstallConfig) -> Option<String> {
    receipt
        .verified
        .clone()
        .filter(|v| !v.is_empty())
        .or_else(|| {
            cfg.spec
                .verified
                .clone()
                .filter(|_| cfg.spec.sha256.as_deref() == Some(receipt.sha256.as_str()))
        })
}

/// A tree installed on trust whose bytes `cfg` now names (a lock pinned them) loses its
/// UNVERIFIED mark for good, so `vx list` stops showing it.
fn pin_receipt(receipt: &store::Receipt, path: &Path, cfg: &InstallConfig) {
    if let Some(sha256) = cfg.spec.sha256.as_deref().filter(|_| receipt.unverified) {
        store::mark_pinned(path, sha256);
    }
}

/// Installs `cfg`'s tool into `cfg.store`, reporting non-terminal phases and progress
/// to `sink`. Returns the outcome or the error for the caller to publish; on every
/// error (including cancel) the temporary work directory is already removed and the
/// store is unchanged, but for the bytes of an interrupted download, kept for a later
/// run to continue ([`partial`]).
pub fn install(
    cfg: &InstallConfig,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<Outcome, InstallError> {
    let mut cfg = cfg.clone();
    let build_runtime = cfg.spec.needs.runtime.take().map(|spec| *spec);
    let installer = cfg.spec.needs.installer.take().map(|spec| *spec);
    cfg.validate()?;
    sink.phase(Phase::Resolving, "");
    // The package's identity, taken before another packing may be chosen: the tree
    // goes under it whichever packing arrives.
    let key = store::key(&cfg.spec);
    let final_dir = store::install_dir(&cfg.store, &cfg.spec);
    if let Some(dir) = cfg.save_to.clone() {
        return save(&cfg, &dir, sink, opts);
    }
    if cfg.probe {
        return probe(&cfg, &final_dir, &key, sink, opts);
    }
    verify_installed(&cfg, sink, opts)?;
    if let Some(tree) = installed(&cfg) {
        return Ok(tree.take(&cfg, false));
    }
    if !pins_bytes(&cfg.spec) && !cfg.allow_unverified {
        return Err(InstallError::Unverified {
            asked: ChecksumFrom::of(&cfg),
            url: cfg.spec.url,
        });
    }
    choose_packing(&mut cfg, opts)?;
    if sink.cancel_requested() {
        return Err(InstallError::Cancelled);
    }
    // One install of TOOL@VERSION per store at a time: another vx holding the lock is
    // waited for, and what it installed is then taken as cached. (The receipt is read
    // again under the lock: another vx may have finished just before we took it.)
    let (_lock, waited) = lock_tool(&cfg, sink, opts)?;
    if let Some((path, receipt)) = store::find(&cfg.store, &cfg.spec) {
        let tree = Installed { receipt, path };
        return Ok(tree.take(&cfg, waited));
    }
    let made = Make {
        build_runtime,
        installer,
        key,
    };
    install_new(&cfg, final_dir, made, sink, opts)
}

/// What a tool is made with after it is unpacked, taken out of its spec before
/// the spec is validated ([`build_with`]).
struct Make {
    /// The runtime it is built with (a runtime tool's environment, a crate's or a
    /// module's build), installed first.
    build_runtime: Option<vx_model::spec::ToolSpec>,
    /// A PyPI tool's installer (vx's uv).
    installer: Option<vx_model::spec::ToolSpec>,
    /// The package identity the tree is kept under ([`store::key`]), recorded in its
    /// receipt.
    key: String,
}

/// The packing this link unpacks soonest, when the lock names several: taken as
/// `cfg`'s download. A packing whose bytes are on this machine (vx's cache, where
/// `vx bundle import` puts a bundle's, which holds the first packing only; a
/// `file://` mirror) is taken before any link is considered: no link is faster, and
/// offline it is the one there is.
fn choose_packing(cfg: &mut InstallConfig, opts: &InstallOptions) -> Result<(), InstallError> {
    let preference = packing::Preference::from_env().map_err(InstallError::Setting)?;
    if !cfg.spec.alternatives.is_empty() {
        let here = |url: &str, sha256: &str| {
            sources::available_offline(url, Some(sha256), &opts.net.mirrors)
        };
        if cfg
            .spec
            .sha256
            .as_deref()
            .is_some_and(|sha256| here(&cfg.spec.url, sha256))
        {
            return Ok(());
        }
        if let Some(index) = cfg
            .spec
            .alternatives
            .iter()
            .position(|a| here(&a.url, &a.sha256))
        {
            cfg.spec.take_alternative(index);
            return Ok(());
        }
        let fetched_from = opts.net.rewrites.apply(&cfg.spec.url);
        let links = packing::Links::read(&cfg.store);
        if let Some(index) = packing::choose(&cfg.spec, &fetched_from, preference, &links) {
            cfg.spec.take_alternative(index);
        }
    }
    Ok(())
}

/// Installs `cfg`'s tool, not in the store yet, into `final_dir` (the tool's lock
/// held): downloads and unpacks it in a work directory, makes it, writes its
/// receipt and moves the tree into the store.
fn install_new(
    cfg: &InstallConfig,
    final_dir: PathBuf,
    make: Make,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<Outcome, InstallError> {
    // Checked before downloading too, so a refusal costs nothing.
    store::check_replaceable(&final_dir).map_err(store_err("refusing to replace", &final_dir))?;
    let work = store::work_dir_in(&cfg.store, opts.work_area.as_ref())
        .map_err(store_err("cannot create a work directory in", &cfg.store))?;
    let tree = work.path().join("tree");
    std::fs::create_dir(&tree).map_err(store_err("cannot create", &tree))?;
    let Unpacked {
        download,
        source,
        verified,
        stats,
        kept,
    } = fetch_and_unpack(cfg, work.path(), &tree, sink, opts)?;
    // A wheel is the project its name says (never for a planned environment, whose
    // installer checks it and whose archive is not unpacked here).
    if let Some(file) = wheel::file_of(&cfg.spec.url)
        && !environment::is_planned(cfg)
    {
        wheel::check(file, &tree)?;
    }
    let key = make.key.clone();
    make_tree(cfg, &tree, &final_dir, make, kept.as_deref(), sink, opts)?;
    if sink.cancel_requested() {
        return Err(InstallError::Cancelled);
    }

    let mut receipt = store::Receipt::new(cfg, &download.sha256, stats.format, download.bytes);
    receipt.key = Some(key);
    receipt.unverified = !pins_bytes(&cfg.spec);
    // A runtime tool's tree is its environment, which its package manager made: vx
    // unpacked nothing of it.
    receipt.unpacked = (!environment::is_planned(cfg)).then_some(stats.bytes);
    receipt.verified = verified;
    // Where the bytes match the sha256 the lock pinned (the download was checked
    // against it), what verified them then holds.
    let signed = signed_by(&receipt, cfg);
    receipt.bin = executables(cfg, &tree, work.path(), &stats)?;
    // Last, into the tree as it will be (after any unwrapping): a runtime's own
    // configuration, such as node's `etc/npmrc`.
    written::write(&tree, &cfg.spec.write)
        .map_err(store_err("cannot write the runtime's files in", &tree))?;
    receipt.write = cfg.spec.write.clone();
    receipt.path_after = cfg.spec.path_after.clone();
    store::write_receipt(&tree, &receipt)
        .map_err(store_err("cannot write the receipt in", &tree))?;
    store::commit(&tree, &final_dir, work.path())
        .map_err(store_err("cannot move the tool into", &final_dir))?;
    drop(work);
    // What this link did, for the next choice of packing: only of an install that
    // landed (a failed one leaves the store as it was).
    if source.is_none() {
        let fetched_from = opts.net.rewrites.apply(&cfg.spec.url);
        packing::Links::record(&cfg.store, &fetched_from, download.bytes, download.waited);
    }
    Ok(Outcome::Installed {
        path: final_dir,
        bytes: download.bytes,
        sha256: download.sha256,
        unverified: !pins_bytes(&cfg.spec),
        source,
        signed,
    })
}

/// A download checked and unpacked into the work tree.
struct Unpacked {
    /// The download (its file already removed).
    download: fetch::Download,
    /// The mirror it came from; `None` for the origin.
    source: Option<String>,
    /// What verified its signatures, when any were checked.
    verified: Option<String>,
    /// What unpacking it produced.
    stats: extract::ExtractStats,
    /// A runtime tool's npm tarball, checked and kept in the work directory instead
    /// of unpacked: npm installs the package from this file.
    kept: Option<PathBuf>,
}

/// Downloads `cfg`'s tool into `work` and unpacks it into `tree`: while it
/// downloads when its format streams, else whole once downloaded and checked. The
/// archive is removed once unpacked, freeing its space before post-install runs.
/// A runtime tool's archive (its environment planned) is checked and kept instead,
/// never unpacked: its package manager builds the tree from the pinned set, this
/// package with the rest ([`environment::kept_archive`]).
fn fetch_and_unpack(
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

/// Makes the unpacked `tree` the tool: merges its components, installs the runtime
/// it is made with, builds its environment when planned, and runs its
/// post-install command.
fn make_tree(
    cfg: &InstallConfig,
    tree: &Path,
    final_dir: &Path,
    make: Make,
    kept: Option<&Path>,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<(), InstallError> {
    if let Some(value) = cfg.spec.options.get(components::OPTION) {
        components::merge(tree, &components::patterns(value)?)?;
    }
    // The runtime it is made with (a runtime tool's environment, a crate's or a
    // module's build), installed first.
    let runtime = match make.build_runtime {
        Some(runtime) => Some(build_with::prepare(runtime, cfg, sink, opts)?),
        None => None,
    };
    let made = environment::Made {
        runtime: runtime.as_ref(),
        installer: make.installer,
        archive: kept,
    };
    environment::build_if_planned(cfg, tree, final_dir, made, sink, opts)?;

    if let Some(command) = &cfg.spec.post_install {
        let path = runtime.map(|r| r.path);
        sink.phase(Phase::PostInstall, command);
        run_post_install(command, tree, cfg, final_dir, path, sink, opts)?;
    }
    Ok(())
}

/// The executables of the unpacked `tree`, as its receipt lists them: a bare
/// executable's file, else those `bin` lists or the tree holds (its lone top-level
/// folder unwrapped first, through `work`). A tree with none is refused where a
/// file's mode says what runs.
fn executables(
    cfg: &InstallConfig,
    tree: &Path,
    work: &Path,
    stats: &extract::ExtractStats,
) -> Result<Vec<String>, InstallError> {
    let listed = cfg.spec.bin.as_deref();
    Ok(match (&stats.executable, listed) {
        // A bare executable: its file is the tool's one executable.
        (Some(path), None | Some([_])) => vec![path.clone()],
        _ => {
            let (found, folder) = bins::resolve_unwrapping(tree, listed)?;
            if let Some(folder) = folder {
                bins::unwrap_folder(tree, &folder, &work.join("unwrapped"))
                    .map_err(store_err("cannot unwrap the top-level folder of", tree))?;
            }
            // Only where a file's mode says what runs: on Windows a tree without a
            // `.exe` or `.cmd` (a Unix-style archive's `bin/tool`) installs as before,
            // its commands then named by `bin`.
            if found.is_empty() && listed.is_none() && cfg!(unix) {
                let (entries, more) = bins::first_entries(tree, NO_EXECUTABLE_SHOWN);
                return Err(InstallError::NoExecutable { entries, more });
            }
            found
        }
    })
}

/// Whether `spec` names the bytes it downloads: a sha256, or a registry's SRI
/// `integrity` ([`vx_net::verify::integrity`]).
fn pins_bytes(spec: &vx_model::spec::ToolSpec) -> bool {
    spec.sha256.is_some() || spec.integrity.is_some()
}

/// Checks the download against the spec's SRI `integrity` (npm's sha512), when it
/// names one: a mismatch is refused before anything of it enters the store.
fn check_integrity(cfg: &InstallConfig, download: &fetch::Download) -> Result<(), InstallError> {
    check_module_hash(cfg, download)?;
    let Some(expected) = &cfg.spec.integrity else {
        return Ok(());
    };
    match vx_net::verify::integrity::verify_file(&download.path, expected) {
        Ok(None) => Ok(()),
        Ok(Some(actual)) => Err(InstallError::Integrity {
            expected: expected.clone(),
            actual,
            url: cfg.spec.url.clone(),
        }),
        Err(source) => Err(InstallError::Store {
            what: "cannot read the download to check its integrity",
            path: download.path.clone(),
            source,
        }),
    }
}

/// A Go module's download checked against the `h1:` hash the lock records (issue 66,
/// item 11: an edited `h1` was handed to Go's build as the module's hash, unchecked).
fn check_module_hash(cfg: &InstallConfig, download: &fetch::Download) -> Result<(), InstallError> {
    let Some(expected) = &cfg.spec.h1 else {
        return Ok(());
    };
    let bytes = vx_base::bounded_read::read(&download.path, vx_net::verify::gosum::MAX_ZIP_BYTES)
        .map_err(|e| InstallError::Store {
        what: "cannot read the download to check its module hash",
        path: download.path.clone(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let actual = vx_net::verify::gosum::hash_zip(&bytes).map_err(|e| InstallError::ModuleHash {
        expected: expected.clone(),
        actual: format!("no Go module zip ({e})"),
        url: cfg.spec.url.clone(),
    })?;
    if actual != *expected {
        return Err(InstallError::ModuleHash {
            expected: expected.clone(),
            actual,
            url: cfg.spec.url.clone(),
        });
    }
    Ok(())
}

/// [`InstallConfig::probe`]: downloads and hashes the archive (verifying it when a
/// sha256 is given), reads its listing without unpacking it and checks `bin` and
/// `strip_components` against it ([`listing`]), and leaves only a receipt at
/// `final_dir`, from which `vx lock` records the checksum.
fn probe(
    cfg: &InstallConfig,
    final_dir: &Path,
    key: &str,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<Outcome, InstallError> {
    let work = store::work_dir_in(&cfg.store, opts.work_area.as_ref())
        .map_err(store_err("cannot create a work directory in", &cfg.store))?;
    sink.phase(Phase::Downloading, &cfg.spec.url);
    let download_path = work.path().join("download");
    let download = fetch::fetch(
        &cfg.spec.url,
        cfg.spec.sha256.as_deref(),
        &download_path,
        sink,
        opts,
    )?;
    let verified = verify(cfg, &download, sink, opts)?;
    sink.phase(Phase::Extracting, "checking the archive's listing");
    // Executables an install step makes (OTP's `Install`, merged components) are not
    // in the archive's listing: they are checked when the tree is installed.
    let made = cfg.spec.post_install.is_some()
        || cfg.spec.options.contains_key(components::OPTION)
        || cfg.spec.needs.environment.is_some();
    let checked = listing::check(
        &download.path,
        cfg.spec.format,
        cfg.spec.strip_components,
        cfg.spec.bin.as_deref().filter(|_| !made),
        &cfg.spec.name,
        opts.extract,
    )?;
    let mut receipt = store::Receipt::new(cfg, &download.sha256, checked.format, download.bytes);
    receipt.bin = if made {
        cfg.spec.bin.clone().unwrap_or_default()
    } else {
        checked.bin
    };
    receipt.verified = verified;
    receipt.key = Some(key.to_owned());
    std::fs::create_dir_all(final_dir).map_err(store_err("cannot create", final_dir))?;
    store::write_receipt(final_dir, &receipt)
        .map_err(store_err("cannot write the receipt in", final_dir))?;
    Ok(Outcome::Probed {
        path: final_dir.to_owned(),
        bytes: download.bytes,
        sha256: download.sha256,
    })
}

/// Checks the signatures `cfg`'s tool must carry ([`vx_net::verify`]) over the bytes
/// just downloaded and hashed, before anything is unpacked into the store or recorded;
/// returns what was verified, for the receipt (and from it the lock).
fn verify(
    cfg: &InstallConfig,
    download: &fetch::Download,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<Option<String>, InstallError> {
    let Some(checks) = cfg.spec.verify.as_ref().filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    sink.phase(Phase::Downloading, "checking the signature");
    let cx = signatures::ChildContext {
        client: (!cfg.offline).then(|| fetch::client(opts)),
        user: std::sync::OnceLock::new(),
    };
    let verified = vx_net::verify::verify_download(
        &download.path,
        &download.sha256,
        &cfg.spec.url,
        checks,
        &cx,
    )?;
    Ok(Some(verified))
}

/// Whether `receipt` records every signature `cfg` asks to check, with the same keys
/// (true when it asks for none).
fn signatures_recorded(cfg: &InstallConfig, receipt: &store::Receipt) -> bool {
    let Some(checks) = cfg.spec.verify.as_ref().filter(|c| !c.is_empty()) else {
        return true;
    };
    checks
        .records()
        .is_ok_and(|records| receipt.verified.as_deref() == Some(records.as_str()))
}

/// A tree already installed for `cfg` whose receipt does not record the signatures
/// `cfg` asks for (installed before the tool's `verify` table was written, or with
/// other keys): its bytes are fetched again (from a mirror, the cache or the origin,
/// checked against the receipt's sha256) and verified, and the receipt then records
/// it, so that the lock never records a signature no one checked. Nothing to do for
/// a tree not installed, or already verified with these keys.
fn verify_installed(
    cfg: &InstallConfig,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<(), InstallError> {
    let Some((tree, mut receipt)) = store::find(&cfg.store, &cfg.spec) else {
        return Ok(());
    };
    if signatures_recorded(cfg, &receipt) {
        return Ok(());
    }
    let sha256 = receipt.sha256.clone();
    let (_work, sources::Fetched { download, .. }) = download_whole(cfg, &sha256, sink, opts)?;
    receipt.verified = verify(cfg, &download, sink, opts)?;
    store::replace_receipt(&tree, &receipt).map_err(store_err("cannot write the receipt in", &tree))
}

/// Downloads `cfg`'s URL whole into a work directory of its store (the guard removes
/// it when dropped): from vx's cache, a mirror or the origin, checked against `sha256`,
/// nothing unpacked while it arrives.
fn download_whole(
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
fn save(
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

/// Takes `<store>/.locks/<tool>@<version>.lock` (an exclusive `flock`, released when
/// the file is dropped or the process dies). When another process holds it, publishes
/// that it waits and polls until it is free or the install is cancelled. Returns the
/// locked file and whether it had to wait.
fn lock_tool(
    cfg: &InstallConfig,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<(std::fs::File, bool), InstallError> {
    let path = store::lock_path(&cfg.store, &cfg.spec.name, &cfg.spec.version);
    let file = store::open_lock(&path).map_err(store_err("cannot create the lock", &path))?;
    match file.try_lock() {
        Ok(()) => return Ok((file, false)),
        Err(std::fs::TryLockError::WouldBlock) => {}
        Err(std::fs::TryLockError::Error(source)) => {
            return Err(store_err("cannot lock", &path)(source));
        }
    }
    sink.phase(
        Phase::Resolving,
        &format!(
            "waiting for another vx installing {}@{}",
            cfg.spec.name, cfg.spec.version
        ),
    );
    loop {
        if sink.cancel_requested() {
            return Err(InstallError::Cancelled);
        }
        std::thread::sleep(opts.wait_poll.max(Duration::from_millis(1)) * 2);
        match file.try_lock() {
            Ok(()) => return Ok((file, true)),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(source)) => {
                return Err(store_err("cannot lock", &path)(source));
            }
        }
    }
}

/// How long a cancelled `post_install` command has to end after SIGTERM before it is
/// killed.
const POST_INSTALL_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// The first wait before a running `post_install` command is checked again; each
/// later wait doubles, up to [`InstallOptions::post_install_poll`].
const POST_INSTALL_FIRST_CHECK: std::time::Duration = std::time::Duration::from_millis(1);

/// Runs `sh -c COMMAND` (`cmd /C` on Windows: [`vx_base::platform::process::shell`]) in
/// the unpacked tree, with its output on our stderr (which
/// `vx sync` captures) and `VX_TOOL`, `VX_VERSION`, `VX_INSTALL_DIR` (the final
/// location) in its environment. A cancel request kills it.
fn run_post_install(
    command: &str,
    tree: &Path,
    cfg: &InstallConfig,
    final_dir: &Path,
    path: Option<std::ffi::OsString>,
    sink: &mut dyn ProgressSink,
    opts: &InstallOptions,
) -> Result<(), InstallError> {
    let spawn_err = |source| InstallError::PostInstallSpawn {
        command: command.to_owned(),
        source,
    };
    let stdout = vx_base::platform::process::stderr_stdio();
    let mut shell = vx_base::platform::process::shell(command);
    shell
        .current_dir(tree)
        .stdin(Stdio::null())
        .stdout(stdout)
        .env("VX_TOOL", &cfg.spec.name)
        .env("VX_VERSION", &cfg.spec.version)
        .env("VX_INSTALL_DIR", final_dir);
    if let Some(path) = path {
        shell.env("PATH", path);
    }
    let mut child = vx_base::platform::process::spawn(&mut shell).map_err(spawn_err)?;
    // Checked after 1 ms, then twice as long each time up to the poll: a short command
    // (python's marker step takes a few milliseconds) is seen done at once, where a
    // first wait of the whole poll cost every python install 50 ms (issue 54).
    let mut pause = POST_INSTALL_FIRST_CHECK;
    loop {
        if let Some(status) = child.try_wait().map_err(spawn_err)? {
            return if status.success() {
                Ok(())
            } else {
                Err(InstallError::PostInstall {
                    command: command.to_owned(),
                    status,
                })
            };
        }
        if sink.cancel_requested() {
            if opts.own_process_group {
                // This process takes SIGTERM as a cancel request, which it already is.
                // The command gets a grace to wind down; what ignores SIGTERM is
                // SIGKILLed with the tree (by the parent, or by a child whose parent
                // is gone as its last act: `crate::child`).
                vx_base::platform::process::term_own_tree();
                let grace = std::time::Instant::now();
                while grace.elapsed() < POST_INSTALL_GRACE
                    && child.try_wait().map_err(spawn_err)?.is_none()
                {
                    std::thread::sleep(opts.post_install_poll);
                }
            }
            let _ = child.kill();
            let _ = child.wait();
            return Err(InstallError::Cancelled);
        }
        std::thread::sleep(pause.min(opts.post_install_poll));
        pause = pause.saturating_mul(2);
    }
}

#[cfg(test)]
mod tests;
