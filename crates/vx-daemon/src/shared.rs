//! What the daemon's threads share: the log, the resolver, the subscribers, the stop
//! signal and the count of connections. The server makes it once; the connection,
//! watch and boards threads each hold an `Arc` of it. It lives in its own module so
//! that those threads' modules depend on it and the server on them, never back.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Instant;

use crossbeam_channel::Sender;

use super::log::Log;
use super::resolver::Resolver;
use super::subscribers::Subscribers;

/// What every thread of the daemon shares.
pub(super) struct Shared {
    /// When the daemon started (`pong`'s uptime).
    pub started: Instant,
    /// The daemon's log.
    pub log: Arc<Log>,
    /// Answers from cached projects and the store's inventory.
    pub resolver: Resolver,
    /// Every subscription and its queue.
    pub subscribers: Subscribers,
    /// Asks the daemon to stop (a `shutdown` request).
    pub stop: Sender<()>,
    /// This daemon's user, as [`vx_base::platform::ipc::me`] names it.
    pub me: String,
    /// Clients connected now (at most [`super::server::MAX_CONNECTIONS`]).
    pub connections: AtomicUsize,
}
