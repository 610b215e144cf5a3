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
//! - [`cli`]: the command line; [`sync`] (the parent), [`child`] (`vx install`),
//!   [`board_sink`] (a child's slot as a progress sink), [`report`] (headless and JSON
//!   output, summary tables), [`board_cmd`] (`vx board …`), [`demo`] (`vx sync --demo`)
//!   and [`fixture`] (generated archives and a loopback server, for the demo and tests).
#![forbid(unsafe_code)]

pub mod board_cmd;
pub mod board_sink;
pub mod child;
pub mod cli;
pub mod config_frame;
pub mod demo;
pub mod fixture;
pub mod format;
pub mod install;
pub mod manifest;
pub mod report;
pub mod sync;
pub mod validate;
