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
//!
//! Its rooms, one job each: `pipeline` the steps of one install ([`install`]), `options`,
//! `outcome` and `error` what goes in and comes out, `installed` a tree the store
//! already holds ([`cached`]), `unpack` (downloaded and unpacked), `make` (components, build runtime,
//! environment, `post_install`), `probe` and `save` (installing nothing), `tool_lock`,
//! `integrity` and `signatures` (the checks of a download); below them the download
//! ([`fetch`], [`sources`], [`resume`], [`partial`]), the unpacking ([`extract`],
//! [`stream`], [`listing`]) and what a tree is made of ([`bins`], [`environment`],
//! [`components`], [`build_with`], [`written`]). The store they install into is a room
//! of its own, [`crate::store`].

pub(crate) mod bins;
pub(crate) mod build_with;
pub(crate) mod components;
mod entries;
pub(crate) mod environment;
mod error;
pub mod extract;
pub(crate) mod fetch;
mod installed;
mod integrity;
pub mod listing;
pub(crate) mod live;
mod make;
mod options;
mod outcome;
pub(crate) mod packing;
pub(crate) mod partial;
mod pipeline;
mod post_install;
mod probe;
mod program;
pub(crate) mod resume;
mod save;
mod signatures;
mod sink;
pub mod sources;
pub(crate) mod stream;
mod tool_lock;
mod unpack;
mod uv;
pub mod venv;
pub(crate) mod wheel;
pub(crate) mod written;

#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
#[cfg(test)]
pub(crate) mod testutil;

pub(crate) use error::{ChecksumFrom, InstallError};
pub use extract::{ExtractError, ExtractLimits};
pub(crate) use fetch::FetchError;
pub use installed::cached;
pub use live::LiveSink;
pub use options::InstallOptions;
pub use outcome::{Outcome, Terminal, served_by};
pub use pipeline::install;
pub use sink::{Cancellable, LineSink, NullSink, ProgressSink, Retry, SaidLines};

#[cfg(test)]
mod tests;
