//! `vx` as a library: everything the `vx` binary does, in testable pieces.
//!
//! The binary (`src/main.rs`) stays a thin shell over this crate so that the install
//! engine, the manifest parser and the parent→child config pipe can be unit-tested
//! without spawning processes, and reused by the integration tests and benchmarks.
//!
//! - [`manifest`]: parse `vx.toml` into an ordered list of [`manifest::ToolSpec`]s.
//! - [`config_frame`]: the one framed message a `vx sync` parent writes to a child.
//! - [`install`]: download, verify, extract, post-install and move into the store,
//!   reporting through a [`install::ProgressSink`].
//! - [`mod@format`] and [`validate`]: small rules shared by the manifest and the frame.
#![forbid(unsafe_code)]

pub mod config_frame;
pub mod format;
pub mod install;
pub mod manifest;
pub mod validate;
