//! The daemon process: takes the lock (one daemon per user), replaces a stale socket,
//! listens, and runs its threads until asked to stop.
//!
//! Threads: the caller's (waits for the stop), one accepting connections, one per
//! connection (plus one writer per subscribed connection), one for file events
//! ([`super::watch`]) and one for boards ([`super::boards`]). Everything is bounded:
//! [`MAX_CONNECTIONS`] connections, each subscriber's queue, the caches.

use std::fs::{self, File};
use std::io::{Seek, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use super::log::Log;
use super::paths::{LockState, Paths};
use super::resolver::Resolver;
use super::shared::Shared;
use super::subscribers::Subscribers;
use super::watch::{self, Watches};
use super::{DaemonError, boards, connection};
use vx_base::platform::ipc::{self, Listener};

/// Most clients connected at once; more are answered with an error and closed.
pub(crate) const MAX_CONNECTIONS: usize = 128;

/// What a daemon serves.
#[derive(Clone, Debug)]
pub struct Config {
    /// Its socket, lock and log.
    pub paths: Paths,
    /// The store whose tools it resolves and watches (created if missing).
    pub store: PathBuf,
    /// Where the user's boards are (`sync_progress`).
    pub board_dir: PathBuf,
}

/// A daemon holding the lock and listening, not yet serving.
pub struct Daemon {
    listener: Listener,
    /// Held (exclusive `flock`) until the daemon is gone.
    lock: File,
    shared: Arc<Shared>,
    stopped: Receiver<()>,
    /// What the watch thread watches (the resolver adds projects to it).
    watches: Arc<Watches>,
    events: watch::Events,
    /// The store's versions when the daemon started.
    initial: Vec<(String, String)>,
    wake_boards: Receiver<()>,
    config: Config,
}

/// Stops a daemon from another thread (signals, tests).
#[derive(Clone)]
pub struct Stopper(Sender<()>);

impl Stopper {
    /// Asks the daemon to stop; it removes its socket and releases its lock.
    pub fn stop(&self) {
        let _ = self.0.try_send(());
    }
}

impl Daemon {
    /// Takes the lock and listens on the socket: [`DaemonError::AlreadyRunning`] if a
    /// live daemon holds the lock. A socket left by a dead daemon (its lock is free) is
    /// replaced.
    pub fn bind(config: Config) -> Result<Daemon, DaemonError> {
        let paths = &config.paths;
        paths.prepare_dir()?;
        let setup = |path: &PathBuf| {
            let path = path.clone();
            move |source| DaemonError::Setup { path, source }
        };
        let mut lock = paths.open_lock().map_err(setup(&paths.lock))?;
        if lock.try_lock().is_err() {
            let pid = match paths.lock_state() {
                LockState::Held(pid) => pid,
                LockState::Free => None,
            };
            return Err(DaemonError::AlreadyRunning { pid });
        }
        // We hold the lock: whatever socket is there is a dead daemon's.
        let listener = Listener::bind(&paths.socket).map_err(setup(&paths.socket))?;
        lock.set_len(0)
            .and_then(|()| lock.rewind())
            .and_then(|()| writeln!(lock, "{}", std::process::id()))
            .map_err(setup(&paths.lock))?;
        fs::create_dir_all(&config.store).map_err(setup(&config.store))?;
        let log = Arc::new(Log::open(&paths.log).map_err(setup(&paths.log))?);

        let (stop, stopped) = crossbeam_channel::bounded(1);
        let (wake, wake_boards) = crossbeam_channel::bounded(1);
        // Watching first, so no change after the first read goes unseen.
        let (watches, events) = Watches::new(&config.store, Arc::clone(&log));
        let watches = Arc::new(watches);
        let initial = vx_engine::inventory::versions(&config.store);
        let resolver = {
            let (watches, log) = (Arc::clone(&watches), Arc::clone(&log));
            Resolver::new(config.store.clone(), initial.clone(), move |dir| {
                log.line(&format!("reading the project in {}", dir.display()));
                watches.project(dir)
            })
        };
        let shared = Arc::new(Shared {
            started: Instant::now(),
            log,
            resolver,
            subscribers: Subscribers::new(wake),
            stop,
            me: ipc::me(),
            connections: AtomicUsize::new(0),
        });
        Ok(Daemon {
            listener,
            lock,
            shared,
            stopped,
            watches,
            events,
            initial,
            wake_boards,
            config,
        })
    }

    /// A handle that stops this daemon.
    pub fn stopper(&self) -> Stopper {
        Stopper(self.shared.stop.clone())
    }

    /// Serves until stopped (a `shutdown` request or [`Stopper::stop`]), then removes
    /// the socket and releases the lock.
    pub fn serve(self) -> Result<(), DaemonError> {
        let Daemon {
            listener,
            lock,
            shared,
            stopped,
            watches,
            events,
            initial,
            wake_boards,
            config,
        } = self;
        shared.log.line(&format!(
            "started: socket {}, store {}, boards {}",
            ipc::address(&config.paths.socket),
            config.store.display(),
            config.board_dir.display()
        ));
        spawn("vx-daemon-watch", {
            let shared = Arc::clone(&shared);
            move || watch::run(&shared, &watches, &events, initial)
        })?;
        spawn("vx-daemon-boards", {
            let shared = Arc::clone(&shared);
            let dir = config.board_dir.clone();
            move || boards::run(&shared.subscribers, &dir, &wake_boards)
        })?;
        spawn("vx-daemon-accept", {
            let shared = Arc::clone(&shared);
            move || accept(&listener, &shared)
        })?;
        let ours = ipc::endpoint_id(&config.paths.socket);
        while let Err(crossbeam_channel::RecvTimeoutError::Timeout) =
            stopped.recv_timeout(SOCKET_CHECK)
        {
            if ipc::endpoint_id(&config.paths.socket) != ours {
                // Removed (its directory deleted, a test's temporary one) or replaced:
                // no client can reach this daemon any more.
                shared.log.line("the socket is gone; stopping");
                drop(lock);
                return Ok(());
            }
        }
        shared.log.line("stopping");
        // The socket goes while the lock is still held, so a daemon started next never
        // sees its own socket removed.
        let _ = fs::remove_file(&config.paths.socket);
        drop(lock);
        Ok(())
    }
}

/// How often the daemon checks that its socket is still there.
const SOCKET_CHECK: Duration = Duration::from_secs(5);

/// Spawns a daemon thread.
fn spawn(name: &str, work: impl FnOnce() + Send + 'static) -> Result<(), DaemonError> {
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(work)
        .map(drop)
        .map_err(DaemonError::Io)
}

/// Accepts connections for as long as the process lives, one thread each.
fn accept(listener: &Listener, shared: &Arc<Shared>) {
    loop {
        let stream = match listener.accept() {
            Ok(stream) => stream,
            Err(err) => {
                // Out of descriptors or memory: say so, and do not spin.
                shared.log.line(&format!("accept failed: {err}"));
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        if shared.connections.fetch_add(1, Ordering::AcqRel) >= MAX_CONNECTIONS {
            shared.connections.fetch_sub(1, Ordering::AcqRel);
            // No lingering here: the accept loop must not wait on anyone.
            connection::refuse(stream, "too many connections; try again later", false);
            continue;
        }
        let for_thread = Arc::clone(shared);
        let spawned = std::thread::Builder::new()
            .name("vx-daemon-conn".to_owned())
            // Manifests are parsed here (the parser's nesting is bounded).
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                connection::serve(stream, &for_thread);
                for_thread.connections.fetch_sub(1, Ordering::AcqRel);
            });
        if let Err(err) = spawned {
            shared.connections.fetch_sub(1, Ordering::AcqRel);
            shared
                .log
                .line(&format!("cannot start a connection thread: {err}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Client;
    use crate::protocol::{Event, EventType, Incoming, Request, Response};

    fn config(dir: &std::path::Path) -> Config {
        Config {
            paths: Paths::at(dir.join("d/daemon.sock")),
            store: dir.join("store"),
            board_dir: dir.join("boards"),
        }
    }

    fn subscribe(socket: &std::path::Path) -> Client {
        let mut client = Client::connect(socket).unwrap();
        let request = Request::Subscribe {
            event_types: vec![EventType::RuntimeInstalled],
        };
        let answer = client.request(&request).unwrap();
        assert!(matches!(answer, Response::Subscribed { .. }), "{answer:?}");
        client
    }

    /// Reads events until `total` are accounted for (received or reported dropped);
    /// the events received and the drops reported.
    fn account(client: &mut Client, total: u64) -> (Vec<u64>, u64) {
        let (mut got, mut dropped) = (Vec::new(), 0);
        while got.len() as u64 + dropped < total {
            match client.receive().unwrap() {
                Incoming::Event(Event::RuntimeInstalled { version, .. }) => {
                    got.push(version.parse().unwrap());
                }
                Incoming::Event(Event::Lagged { dropped: n }) => dropped += n,
                other => panic!("{other:?}"),
            }
        }
        (got, dropped)
    }

    #[test]
    fn a_second_daemon_is_refused_and_the_first_cleans_up() {
        let tmp = tempfile::tempdir().unwrap();
        let daemon = Daemon::bind(config(tmp.path())).unwrap();
        assert!(matches!(
            Daemon::bind(config(tmp.path())),
            Err(DaemonError::AlreadyRunning { pid: Some(pid) }) if pid == std::process::id()
        ));
        let socket = config(tmp.path()).paths.socket;
        let stopper = daemon.stopper();
        let server = std::thread::spawn(move || daemon.serve());
        Client::connect(&socket).unwrap().ping().unwrap();
        stopper.stop();
        server.join().unwrap().unwrap();
        assert!(!socket.exists());
        assert_eq!(config(tmp.path()).paths.lock_state(), LockState::Free);
    }

    #[test]
    fn a_stalled_subscriber_only_lags_and_every_event_is_accounted_for() {
        let tmp = tempfile::tempdir().unwrap();
        let daemon = Daemon::bind(config(tmp.path())).unwrap();
        let shared = Arc::clone(&daemon.shared);
        let stopper = daemon.stopper();
        let socket = config(tmp.path()).paths.socket;
        let server = std::thread::spawn(move || daemon.serve());

        let mut stuck = subscribe(&socket);
        let mut live = subscribe(&socket);
        // About 3 MiB of events: more than a socket buffer and a queue hold.
        let total = 3000u64;
        let name = "x".repeat(1000);
        let reader = std::thread::spawn(move || account(&mut live, total));
        for i in 0..total {
            shared.subscribers.broadcast(&Event::RuntimeInstalled {
                runtime: name.clone(),
                version: i.to_string(),
            });
        }
        let (live_got, live_dropped) = reader.join().unwrap();
        // Only now does the stuck one read: what it was sent, then how much it lost.
        let (stuck_got, stuck_dropped) = account(&mut stuck, total);
        assert!(stuck_dropped > 0, "the stuck subscriber lagged");
        for got in [&live_got, &stuck_got] {
            assert!(got.windows(2).all(|w| w[0] < w[1]), "in order, none twice");
        }
        assert_eq!(live_got.len() as u64 + live_dropped, total);
        assert_eq!(stuck_got.len() as u64 + stuck_dropped, total);
        // The daemon still answers.
        Client::connect(&socket).unwrap().ping().unwrap();
        stopper.stop();
        server.join().unwrap().unwrap();
    }
}
