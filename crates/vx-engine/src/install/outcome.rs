//! What a finished install says: [`Outcome`] (installed, probed, saved or cached) and
//! [`Terminal`], the one mapping of a result to the phase, message and exit code the
//! board, the lines and the child's status share; [`served_by`] reads the source back.

use std::path::{Path, PathBuf};

use vx_shm::Phase;

use super::{InstallError, ProgressSink, sources};

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
    /// Downloaded, hashed and checked, not installed
    /// ([`vx_model::config_frame::InstallConfig::probe`]): only a receipt is left, at the
    /// tool's place in the (scratch) store.
    Probed {
        /// Where the receipt was written.
        path: PathBuf,
        /// Bytes downloaded.
        bytes: u64,
        /// SHA-256 of the download.
        sha256: String,
    },
    /// Downloaded and checked, saved as `<save_to>/<sha256>`, not installed
    /// ([`vx_model::config_frame::InstallConfig::save_to`]).
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
    pub(crate) const fn phase(&self) -> Phase {
        match self {
            Outcome::Installed { .. } | Outcome::Probed { .. } | Outcome::Saved { .. } => {
                Phase::Completed
            }
            Outcome::Cached { .. } => Phase::Skipped,
        }
    }

    /// The tool's directory in the store.
    pub(crate) fn path(&self) -> &Path {
        match self {
            Outcome::Installed { path, .. }
            | Outcome::Probed { path, .. }
            | Outcome::Saved { path, .. }
            | Outcome::Cached { path, .. } => path,
        }
    }

    /// True when nothing checked the download against a sha256.
    pub(crate) const fn unverified(&self) -> bool {
        match self {
            Outcome::Installed { unverified, .. } | Outcome::Cached { unverified, .. } => {
                *unverified
            }
            Outcome::Probed { .. } | Outcome::Saved { .. } => false,
        }
    }

    /// What verified the installed bytes' signatures, if anything did.
    pub(crate) fn signed(&self) -> Option<&str> {
        match self {
            Outcome::Installed { signed, .. } | Outcome::Cached { signed, .. } => signed.as_deref(),
            Outcome::Probed { .. } | Outcome::Saved { .. } => None,
        }
    }

    /// A one-line summary for the terminal phase's message.
    pub(crate) fn message(&self) -> String {
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
