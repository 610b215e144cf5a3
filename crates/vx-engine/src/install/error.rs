//! Why an install failed ([`InstallError`], each with its exit code) and where its
//! missing sha256 is asked for ([`ChecksumFrom`]).

use std::path::{Path, PathBuf};
use std::process::ExitStatus;

use thiserror::Error;
use vx_base::validate::FieldError;
use vx_model::config_frame::{EXIT_BAD_CONFIG, InstallConfig};
use vx_shm::Phase;

use super::{ExtractError, FetchError, bins, components, packing, wheel};
use crate::store;

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
    /// The runtime a tool builds with ([`super::build_with`]) could not be installed.
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
    /// A runtime tool's environment could not be built ([`super::environment`]).
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
pub(super) const NO_EXECUTABLE_SHOWN: usize = 6;

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
    pub(crate) fn of(cfg: &InstallConfig) -> ChecksumFrom {
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
    pub(crate) fn code(&self) -> i32 {
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
    pub(crate) const fn phase(&self) -> Phase {
        match self {
            InstallError::Cancelled => Phase::Cancelled,
            _ => Phase::Failed,
        }
    }
}

pub(super) fn store_err(
    what: &'static str,
    path: &Path,
) -> impl FnOnce(std::io::Error) -> InstallError {
    let path = path.to_owned();
    move |source| InstallError::Store { what, path, source }
}
