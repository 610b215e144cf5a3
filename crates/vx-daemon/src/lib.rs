//! The daemon: one process per user that serves boards, resolutions and the project's
//! environment over a socket.
//!
//! `vx daemon`: one long-lived process per user that answers "which tool, which
//! version, what environment" over a local socket in microseconds, and pushes events
//! (store changes, project file changes, the progress of every running sync) to
//! editors and other clients (docs/guide/daemon.md; its wire format docs/PROTOCOL.md; RFC 0034 Phase 3).
//! The transport is [`vx_base::platform::ipc`]: a Unix socket, or a per-user named pipe
//! on Windows; everything else is the same on every platform.
//!
//! - [`paths`]: where the socket, lock and log live; the lock marks the live daemon.
//! - [`protocol`]: the newline-delimited JSON requests, responses and events.
//! - [`server`]: taking the lock, listening, the threads, shutting down.
//! - `shared`: what those threads share (the log, the resolver, the subscribers).
//! - [`connection`]: one client: the peer check, bounded lines, answers, its events.
//! - [`resolver`]: answers from cached manifests, lock and store state.
//! - [`subscribers`]: bounded per-subscriber queues; a slow one only lags.
//! - [`watch`]: file events (the store, the projects' `vx.toml`/`vx.lock`).
//! - [`boards`]: `sync_progress` from every live board of the user.
//! - [`client`]: the blocking client the CLI uses.
//! - [`control`]: the daemon started, bound, stopped and looked at (`vx daemon`).
//! - [`log`]: the size-capped log file.
#![forbid(unsafe_code)]
// Only the face is `pub`; the rooms' docs link to what the crate keeps to itself, which
// `cargo doc --document-private-items` (the contributors' view) shows.
#![allow(rustdoc::private_intra_doc_links)]

pub mod active;
pub(crate) mod boards;
pub(crate) mod client;
pub(crate) mod connection;
pub mod control;
pub(crate) mod log;
pub mod paths;
pub mod protocol;
pub(crate) mod resolver;
pub(crate) mod server;
mod shared;
pub(crate) mod subscribers;
pub(crate) mod watch;

use std::io;
use std::path::PathBuf;

pub use client::{Client, Presence, presence};
pub use paths::{LockState, Paths};
pub use server::{Config, Daemon, Stopper};

/// Why the daemon cannot start, or a client cannot talk to it.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// The socket's directory cannot be created or used (on Unix: also when it belongs
    /// to another user, who made it first).
    #[error("cannot use the daemon directory {}", path.display())]
    Dir {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// Another daemon holds the lock.
    #[error("a vx daemon is already running{}", pid.map(|p| format!(" (pid {p})")).unwrap_or_default())]
    AlreadyRunning {
        /// Its pid, when the lock file names it.
        pid: Option<u32>,
    },
    /// A daemon file (lock, log, socket) cannot be set up.
    #[error("cannot set up {}", path.display())]
    Setup {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// No daemon answers on the socket.
    #[error("cannot reach the vx daemon at {}", socket.display())]
    Connect {
        /// The socket.
        socket: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The connection failed mid-request.
    #[error("the vx daemon connection failed")]
    Io(#[from] io::Error),
    /// The daemon could not answer the request (its `error` response).
    #[error("the vx daemon answered: {0}")]
    Refused(String),
    /// The daemon sent something that is not an answer.
    #[error("the vx daemon sent an unexpected answer: {0}")]
    Unexpected(String),
}
