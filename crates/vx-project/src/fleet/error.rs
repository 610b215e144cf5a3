//! Why a push or an export failed.

use std::path::PathBuf;

use thiserror::Error;

use vx_sources::mirror::layout::LayoutError;
use vx_sources::mirror::oci::OciError;
use vx_sync::SyncError;

/// Why a push failed.
#[derive(Debug, Error)]
pub enum PushError {
    /// vx.lock is missing or unreadable.
    #[error("{}: {why}", path.display())]
    Lock {
        /// The lock's path.
        path: PathBuf,
        /// Why.
        why: String,
    },
    /// A download failed or was interrupted (the sync said which and why); nothing
    /// was pushed past the blobs already sent.
    #[error(
        "the lock's downloads for {platform} did not all arrive (exit {code}); no image manifest was written"
    )]
    Downloads {
        /// The platform whose sync failed.
        platform: String,
        /// The sync's exit code (1 failed, 130 interrupted).
        code: i32,
    },
    /// SIGINT, SIGTERM or SIGHUP arrived: the push stopped where it was (exit 130).
    #[error("interrupted: {sent} of {blobs} blobs were sent; no image manifest was written")]
    Interrupted {
        /// Blobs sent before the interrupt.
        sent: usize,
        /// Blobs the target lacked.
        blobs: usize,
    },
    /// The files of a runtime tool's environment could not be listed (its index).
    #[error("{0}")]
    EnvironmentFiles(String),
    /// The sync that gathers the downloads could not run.
    #[error(transparent)]
    Sync(Box<SyncError>),
    /// The registry failed.
    #[error(transparent)]
    Registry(#[from] OciError),
    /// The layout failed.
    #[error(transparent)]
    Layout(#[from] LayoutError),
    /// A local file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl PushError {
    /// Whether the user's input is at fault (a missing lock): exit 2.
    pub fn is_usage(&self) -> bool {
        matches!(self, PushError::Lock { .. })
    }

    /// Whether the push was interrupted (its downloads or its uploads): exit 130.
    pub fn is_interrupted(&self) -> bool {
        match self {
            PushError::Interrupted { .. } => true,
            PushError::Downloads { code, .. } => *code == vx_base::exit::INTERRUPTED,
            _ => false,
        }
    }
}
