//! vx updating itself (`vx self update`, `vx self info`, `vx self uninstall`):
//!
//! - **Where releases are** ([`Source`]): the GitHub repository `vx-toolchain/vx` on
//!   `VX_GITHUB_URL` / `[github] url`'s host, or the repository URL of the user config's
//!   `[self_update] url` (a GitHub Enterprise mirror). The newest release is found
//!   through `releases/latest/download/vx-release.json`, a redirect that costs no API
//!   rate limit; a pinned version through `releases/download/vVERSION/…`.
//! - **What is trusted** ([`manifest`]): `vx-release.json` must carry a minisign
//!   signature (`vx-release.json.minisig`) by the key compiled in ([`RELEASE_KEY`]) or a
//!   key of `[self_update] keys`, and its trusted comment must name the manifest's tag,
//!   so an older signed manifest served under a newer tag is refused. The archive must
//!   have the manifest's size and sha256, hold `vx-VERSION-TARGET/vx`, and that binary
//!   must report the manifest's version before it replaces the running one
//!   ([`update`], with the `self-replace` crate).
//! - **Where this vx came from** ([`channel`], [`receipt`]): the installer's receipt,
//!   or the path of the executable (pip, npm, Homebrew, cargo); a vx a package manager
//!   owns is updated by that package manager, and one placed by hand only with
//!   `--force`.
//!
//! Every request goes through vx's one HTTP client: proxies, CAs, credentials and
//! `url_replacements` apply, and a rate limit or a proxy error says so. Nothing is
//! replaced until every check has passed.

pub mod channel;
pub(crate) mod manifest;
pub mod own;
pub mod receipt;
pub(crate) mod uninstall;
pub(crate) mod update;

use std::path::PathBuf;

use thiserror::Error;

use vx_net::verify::VerifyError;
use vx_sources::github::GithubError;

pub use channel::Channel;
pub use receipt::Receipt;
pub(crate) use update::{Found, Source};

/// The GitHub repository releases come from, `OWNER/NAME`.
pub(crate) const REPOSITORY: &str = "vx-toolchain/vx";
/// The release manifest's file name.
pub(crate) const MANIFEST: &str = "vx-release.json";
/// The minisign public key vx releases are signed with (the project's release key;
/// its secret half is kept off the repository by the maintainers).
pub(crate) const RELEASE_KEY: &str = "RWSXmWzYcxUA6lg926av07P0aGDQ6u9kNGf0O9kRfSHEhUICsTZcaDMb";

/// The largest release manifest or signature read.
pub(crate) const MAX_MANIFEST_BYTES: u64 = 1 << 20;
/// The largest archive accepted (the manifest's size must be below it).
pub(crate) const MAX_ARCHIVE_BYTES: u64 = 1 << 30;

/// Why vx could not update, inspect or uninstall itself. Nothing was replaced.
#[derive(Debug, Error)]
pub enum SelfUpdateError {
    /// A setting (`[self_update]`, `VX_GITHUB_URL`) is wrong: the user's to fix.
    #[error("{0}")]
    Setting(String),
    /// A request failed: rate limit, proxy, TLS, not found, …
    #[error("cannot fetch {what}: {source}")]
    Fetch {
        /// What was asked for (`the latest release manifest`).
        what: String,
        /// Why (boxed: GitHub's errors are large).
        #[source]
        source: Box<GithubError>,
    },
    /// The release has no signature file.
    #[error(
        "{url} has no signature ({url}.minisig is missing): an unsigned release is not installed"
    )]
    Unsigned {
        /// The manifest's URL.
        url: String,
    },
    /// No trusted key verifies the manifest's signature.
    #[error("the release manifest {url} is not signed by a trusted key: {reasons}")]
    Untrusted {
        /// The manifest's URL.
        url: String,
        /// Each key's answer, `; `-separated.
        reasons: String,
    },
    /// A trusted key of the user config is not a minisign key.
    #[error("[self_update] keys: {0}")]
    BadKey(#[source] Box<VerifyError>),
    /// The manifest is not what a release manifest is, or not the release asked for.
    #[error("the release manifest {url} {problem}")]
    Manifest {
        /// Its URL.
        url: String,
        /// What is wrong.
        problem: String,
    },
    /// The release has no archive for this platform.
    #[error("release {tag} has no archive for {target}")]
    NoTarget {
        /// The release's tag.
        tag: String,
        /// This platform's release target.
        target: String,
    },
    /// No release is built for this platform at all.
    #[error("no vx release is built for this platform ({0})")]
    UnsupportedPlatform(&'static str),
    /// The archive is not what the manifest says.
    #[error("the archive {url} {problem}: nothing was replaced")]
    Archive {
        /// Its URL.
        url: String,
        /// What is wrong (size, sha256, content).
        problem: String,
    },
    /// The new binary does not run or reports another version.
    #[error("the new vx {problem}: nothing was replaced")]
    NewBinary {
        /// What it did.
        problem: String,
    },
    /// The release is older than this vx.
    #[error(
        "{target} is older than this vx ({current}): nothing was replaced (--allow-downgrade installs it)"
    )]
    Downgrade {
        /// This version.
        current: String,
        /// The release's.
        target: String,
    },
    /// This vx was installed by a package manager, or by hand.
    #[error("{0}")]
    Channel(String),
    /// A file could not be read, written or replaced.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// SIGINT, SIGTERM or SIGHUP arrived while the new binary was staged: it was
    /// removed and its check stopped (exit 130).
    #[error("interrupted: nothing was replaced")]
    Interrupted,
    /// The receipt exists but is not one.
    #[error("{}: not an installer receipt: {problem}", path.display())]
    BadReceipt {
        /// The file.
        path: PathBuf,
        /// Why.
        problem: String,
    },
}

impl SelfUpdateError {
    /// Whether the user can fix it with a setting or a flag (a usage error) rather
    /// than it being the network's or the release's fault.
    pub(crate) fn is_usage(&self) -> bool {
        matches!(
            self,
            SelfUpdateError::Setting(_)
                | SelfUpdateError::BadKey(_)
                | SelfUpdateError::Downgrade { .. }
                | SelfUpdateError::Channel(_)
                | SelfUpdateError::BadReceipt { .. }
        )
    }

    fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> SelfUpdateError {
        let what = what.into();
        move |source| SelfUpdateError::Io { what, source }
    }
}

// The exit code of each error of this file ([`vx_base::exit::Code`]).
vx_base::exit_code! {
    // vx itself could not be updated or removed: settings, flags and channels are the
    // user's (exit 2), the network's and the release's are not (exit 1), an interrupt
    // is 130.
    SelfUpdateError => |e| match e {
        e @ crate::self_update::SelfUpdateError::Interrupted => Error::with_code(INTERRUPTED, e),
        e => by_kind(e.is_usage(), e),
    };
}
