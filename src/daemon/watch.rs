//! File events: the store (a version appears or goes: `runtime_installed`,
//! `runtime_removed`, and the resolver's caches refreshed) and the `vx.toml`/`vx.lock`
//! of every project the daemon has resolved for (`config_changed`, and that project
//! forgotten).
//!
//! Only directories are watched, never recursively: the store's root (tool directories
//! come and go), each tool's directory (versions are renamed in and out whole), and
//! each project's directory. Installs work in `<store>/.tmp`, which is not watched, so
//! a sync's unpacking costs the daemon nothing. A project is watched by the resolver
//! itself before it answers for it ([`Watches::project`]), so a change made after an
//! answer is always reported. Events are gathered for [`SETTLE`] after the first,
//! then handled at once (a save is several events).

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, select};
use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode, Watcher};

use super::log::Log;
use super::protocol::Event;
use super::server::Shared;
use crate::inventory;
use crate::manifest::{LOCK_FILE, MANIFEST_FILE};

/// How long events are gathered before they are handled.
pub const SETTLE: Duration = Duration::from_millis(20);
/// Most project directories watched; past it, new projects are answered for but not
/// cached (nothing would tell the cache they changed).
pub const MAX_PROJECTS: usize = 256;
/// How often the store is read again when it cannot be watched.
pub const POLL_WITHOUT_EVENTS: Duration = Duration::from_secs(2);
/// Most file events waiting; past it they are dropped and everything is re-read.
const EVENT_QUEUE: usize = 4096;

/// The file events of the watched directories, as they arrive.
pub(super) type Events = Receiver<notify::Result<notify::Event>>;

/// What is watched, shared by the resolver (projects) and the watch thread (the
/// store).
pub(super) struct Watches {
    state: Mutex<State>,
    log: Arc<Log>,
    /// Set when events were dropped (the queue was full).
    overflow: Arc<AtomicBool>,
    store: PathBuf,
    /// Whether the store's root is watched; if not, it is read again every
    /// [`POLL_WITHOUT_EVENTS`] (and no project is cached).
    store_watched: bool,
}

struct State {
    watcher: Option<notify::RecommendedWatcher>,
    tools: HashSet<String>,
    projects: HashSet<PathBuf>,
}

impl Watches {
    /// A watcher of `store`'s root; the events go to the returned receiver. Without
    /// file events (the system refuses), nothing is watched and the log says so.
    pub fn new(store: &Path, log: Arc<Log>) -> (Watches, Events) {
        let (tx, events) = crossbeam_channel::bounded(EVENT_QUEUE);
        let overflow = Arc::new(AtomicBool::new(false));
        let handler = {
            let overflow = Arc::clone(&overflow);
            move |event: notify::Result<notify::Event>| {
                if tx.try_send(event).is_err() {
                    overflow.store(true, Ordering::Relaxed);
                }
            }
        };
        let watcher = notify::recommended_watcher(handler)
            .map_err(|err| log.line(&format!("file events unavailable: {err}")))
            .ok();
        let mut state = State {
            watcher,
            tools: HashSet::new(),
            projects: HashSet::new(),
        };
        let store_watched = state.watch(store, &log);
        let watches = Watches {
            state: Mutex::new(state),
            overflow,
            store: store.to_path_buf(),
            store_watched,
            log,
        };
        (watches, events)
    }

    /// Watches the directory of a project (once); whether it is watched, i.e. whether
    /// its answers may be cached.
    pub fn project(&self, dir: &Path) -> bool {
        let Ok(mut state) = self.state.lock() else {
            return false;
        };
        if state.projects.contains(dir) {
            return true;
        }
        if !self.store_watched
            || state.projects.len() >= MAX_PROJECTS
            || !state.watch(dir, &self.log)
        {
            return false;
        }
        state.projects.insert(dir.to_path_buf());
        true
    }

    /// Whether `dir` is a watched project's directory.
    fn is_project(&self, dir: &Path) -> bool {
        self.state
            .lock()
            .is_ok_and(|state| state.projects.contains(dir))
    }

    /// The watched projects' directories.
    fn projects(&self) -> Vec<PathBuf> {
        self.state
            .lock()
            .map(|state| state.projects.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Watches the tool directories `tools` holds and no others.
    fn set_tools(&self, tools: &HashSet<String>) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        for tool in tools.difference(&state.tools.clone()) {
            if state.watch(&self.store.join(tool), &self.log) {
                state.tools.insert(tool.clone());
            }
        }
        for gone in state.tools.difference(tools).cloned().collect::<Vec<_>>() {
            if let Some(watcher) = state.watcher.as_mut() {
                // The kernel already dropped the watch of a removed directory.
                let _ = watcher.unwatch(&self.store.join(&gone));
            }
            state.tools.remove(&gone);
        }
    }
}

impl State {
    /// Starts watching `dir` (not recursively); false if it cannot be.
    fn watch(&mut self, dir: &Path, log: &Log) -> bool {
        let Some(watcher) = self.watcher.as_mut() else {
            return false;
        };
        match watcher.watch(dir, RecursiveMode::NonRecursive) {
            Ok(()) => true,
            Err(err) => {
                log.line(&format!("cannot watch {}: {err}", dir.display()));
                false
            }
        }
    }
}

/// What changed, gathered until [`SETTLE`] has passed.
#[derive(Default)]
struct Pending {
    store: bool,
    configs: BTreeSet<PathBuf>,
}

/// Runs the watch thread, from the store's versions as the resolver first read them,
/// until the daemon exits.
pub(super) fn run(shared: &Arc<Shared>, events: &Events, initial: Vec<(String, String)>) {
    let watches = &shared.watches;
    let mut installed: BTreeSet<(String, String)> = initial.into_iter().collect();
    rescan(shared, &mut installed);
    let mut pending = Pending::default();
    let mut deadline: Option<Instant> = None;
    let poll = if watches.store_watched {
        crossbeam_channel::never()
    } else {
        crossbeam_channel::tick(POLL_WITHOUT_EVENTS)
    };
    loop {
        let timer = deadline.map_or_else(crossbeam_channel::never, crossbeam_channel::at);
        select! {
            recv(poll) -> _ => pending.store = true,
            recv(events) -> event => match event {
                Ok(Ok(event)) => classify(watches, &event, &mut pending),
                Ok(Err(err)) => {
                    shared.log.line(&format!("file event error: {err}"));
                    pending.store = true;
                }
                Err(_) => return,
            },
            recv(timer) -> _ => {
                deadline = None;
                let Pending { store, configs } = std::mem::take(&mut pending);
                if store {
                    rescan(shared, &mut installed);
                }
                for path in configs {
                    if let Some(manifest) = path.parent().map(|d| d.join(MANIFEST_FILE)) {
                        shared.resolver.project_changed(&manifest);
                    }
                    shared.subscribers.broadcast(&Event::ConfigChanged {
                        path: path.to_string_lossy().into_owned(),
                    });
                }
            },
        }
        if watches.overflow.swap(false, Ordering::Relaxed) {
            // Some events were lost: read the store again and drop every project.
            shared
                .log
                .line("file events overflowed; re-reading everything");
            pending.store = true;
            for dir in watches.projects() {
                shared.resolver.project_changed(&dir.join(MANIFEST_FILE));
            }
        }
        if deadline.is_none() && (pending.store || !pending.configs.is_empty()) {
            deadline = Some(Instant::now() + SETTLE);
        }
    }
}

/// Notes what `event` changed: the store, or a project's files.
fn classify(watches: &Watches, event: &notify::Event, pending: &mut Pending) {
    // Opening and reading (the daemon's own scans among them) change nothing.
    if let EventKind::Access(kind) = event.kind
        && kind != AccessKind::Close(AccessMode::Write)
    {
        return;
    }
    let store = watches.store.as_path();
    let visible = |p: &Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| !n.starts_with('.'))
    };
    for path in &event.paths {
        let Some(parent) = path.parent() else {
            continue;
        };
        if parent == store && visible(path) || parent.parent() == Some(store) && visible(parent) {
            pending.store = true;
        }
        let name = path.file_name().and_then(|n| n.to_str());
        if matches!(name, Some(MANIFEST_FILE | LOCK_FILE)) && watches.is_project(parent) {
            pending.configs.insert(path.clone());
        }
    }
}

/// Reads the store again: watches new tool directories first (so a version renamed in
/// meanwhile raises an event), updates the resolver, then tells subscribers what came
/// and went.
fn rescan(shared: &Shared, installed: &mut BTreeSet<(String, String)>) {
    let store = &shared.watches.store;
    let tools: HashSet<String> = inventory::tool_names(store).into_iter().collect();
    shared.watches.set_tools(&tools);
    let now: BTreeSet<(String, String)> = inventory::versions(store).into_iter().collect();
    // The resolver first, so a client told of a change is answered accordingly. Even
    // with the same versions a tree may have been replaced: the resolver's toolchains
    // (their receipts) are refreshed either way.
    shared.resolver.set_inventory(now.iter().cloned().collect());
    for (runtime, version) in installed.difference(&now) {
        shared.subscribers.broadcast(&Event::RuntimeRemoved {
            runtime: runtime.clone(),
            version: version.clone(),
        });
    }
    for (runtime, version) in now.difference(installed) {
        shared.subscribers.broadcast(&Event::RuntimeInstalled {
            runtime: runtime.clone(),
            version: version.clone(),
        });
    }
    *installed = now;
}
