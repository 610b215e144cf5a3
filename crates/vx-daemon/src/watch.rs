//! File events: the store (a version appears or goes: `runtime_installed`,
//! `runtime_removed`, and the resolver's caches refreshed) and the `vx.toml`/`vx.lock`
//! of every project the daemon has resolved for (`config_changed`, and that project
//! forgotten).
//!
//! Only directories are watched, never recursively: the store's root (tool directories
//! come and go), each tool's directory (versions are renamed in and out whole), and
//! each project's directory. Installs work in `<store>/.tmp`, which is not watched, so
//! a sync's unpacking costs the daemon nothing. A project is watched by the resolver
//! itself before it answers for it (`Watches::project`), so a change made after an
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
use super::shared::Shared;
use vx_engine::inventory;
use vx_model::lock::LOCAL_LOCK_FILE;
use vx_model::manifest::local::LOCAL_FILE;
use vx_model::manifest::{LOCK_FILE, MANIFEST_FILE};

/// How long events are gathered before they are handled.
pub(crate) const SETTLE: Duration = Duration::from_millis(20);
/// Most project directories watched; past it, new projects are answered for but not
/// cached (nothing would tell the cache they changed).
pub(crate) const MAX_PROJECTS: usize = 256;
/// How often the store is read again when it cannot be watched.
pub(crate) const POLL_WITHOUT_EVENTS: Duration = Duration::from_secs(2);
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
    pub(crate) fn new(store: &Path, log: Arc<Log>) -> (Watches, Events) {
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
    pub(crate) fn project(&self, dir: &Path) -> bool {
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

    /// Watches the directory of each tool of `tools` that has one now, and stops
    /// watching those of the others; `all` says `tools` is every tool of the store (so
    /// watched directories not in it are gone too).
    fn set_tools(&self, tools: &BTreeSet<String>, all: bool) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        let present = |tool: &String| self.store.join(tool).is_dir();
        // Gone: listed but without a directory now, or (reading everything) not listed.
        let gone: Vec<String> = state
            .tools
            .iter()
            .filter(|t| if tools.contains(*t) { !present(t) } else { all })
            .cloned()
            .collect();
        for tool in gone {
            if state.tools.remove(&tool)
                && let Some(watcher) = state.watcher.as_mut()
            {
                // The kernel already dropped the watch of a removed directory.
                let _ = watcher.unwatch(&self.store.join(&tool));
            }
        }
        for tool in tools.iter().filter(|t| present(t)) {
            if !state.tools.contains(tool) && state.watch(&self.store.join(tool), &self.log) {
                state.tools.insert(tool.clone());
            }
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
    /// Read the whole store again (events were lost, or it is not watched).
    all: bool,
    /// The tools whose directories changed.
    tools: BTreeSet<String>,
    configs: BTreeSet<PathBuf>,
}

impl Pending {
    fn any(&self) -> bool {
        self.all || !self.tools.is_empty() || !self.configs.is_empty()
    }
}

/// Runs the watch thread over `watches`, from the store's versions as the resolver
/// first read them, until the daemon exits.
pub(super) fn run(
    shared: &Shared,
    watches: &Watches,
    events: &Events,
    initial: Vec<(String, String)>,
) {
    let mut installed: BTreeSet<(String, String)> = initial.into_iter().collect();
    rescan(shared, watches, &mut installed, None);
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
            recv(poll) -> _ => pending.all = true,
            recv(events) -> event => match event {
                Ok(Ok(event)) => classify(watches, &event, &mut pending),
                Ok(Err(err)) => {
                    shared.log.line(&format!("file event error: {err}"));
                    pending.all = true;
                }
                Err(_) => return,
            },
            recv(timer) -> _ => {
                deadline = None;
                let Pending { all, tools, configs } = std::mem::take(&mut pending);
                if all {
                    rescan(shared, watches, &mut installed, None);
                } else if !tools.is_empty() {
                    rescan(shared, watches, &mut installed, Some(tools));
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
            pending.all = true;
            for dir in watches.projects() {
                shared.resolver.project_changed(&dir.join(MANIFEST_FILE));
            }
        }
        if deadline.is_none() && pending.any() {
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
    let name = |p: &Path| p.file_name().and_then(|n| n.to_str()).map(str::to_owned);
    for path in &event.paths {
        let Some(parent) = path.parent() else {
            continue;
        };
        // `<store>/<tool>` came or went, or a version in it.
        let tool_dir = if parent == store {
            Some(path.as_path())
        } else if parent.parent() == Some(store) {
            Some(parent)
        } else {
            None
        };
        if let Some(tool) = tool_dir.filter(|d| visible(d)).and_then(name) {
            pending.tools.insert(tool);
        }
        let name = path.file_name().and_then(|n| n.to_str());
        if matches!(
            name,
            Some(MANIFEST_FILE | LOCK_FILE | LOCAL_FILE | LOCAL_LOCK_FILE)
        ) && watches.is_project(parent)
        {
            pending.configs.insert(path.clone());
        }
    }
}

/// Reads the store again, all of it or only the directories of `tools`: watches new
/// tool directories first (so a version renamed in meanwhile raises an event), updates
/// the resolver, then tells subscribers what came and went.
fn rescan(
    shared: &Shared,
    watches: &Watches,
    installed: &mut BTreeSet<(String, String)>,
    tools: Option<BTreeSet<String>>,
) {
    let store = &watches.store;
    let all = tools.is_none();
    let tools = tools.unwrap_or_else(|| {
        let listed = inventory::tool_names(store).into_iter();
        // Tools known before but gone now are read too (as having no versions).
        listed
            .chain(installed.iter().map(|(t, _)| t.clone()))
            .collect()
    });
    watches.set_tools(&tools, all);
    let mut came = Vec::new();
    let mut went = Vec::new();
    let mut update = Vec::new();
    for tool in tools {
        let now = inventory::tool_versions(store, &tool);
        let before: Vec<String> = installed
            .range((tool.clone(), String::new())..)
            .take_while(|(t, _)| *t == tool)
            .map(|(_, v)| v.clone())
            .collect();
        went.extend(
            before
                .iter()
                .filter(|v| !now.contains(v))
                .map(|v| (tool.clone(), v.clone())),
        );
        came.extend(
            now.iter()
                .filter(|v| !before.contains(v))
                .map(|v| (tool.clone(), v.clone())),
        );
        update.push((tool, now));
    }
    // The resolver first, so a client told of a change is answered accordingly. Even
    // with the same versions a tree may have been replaced: the resolver's toolchains
    // (their receipts) are refreshed either way.
    shared.resolver.update_inventory(update);
    for (runtime, version) in went {
        installed.remove(&(runtime.clone(), version.clone()));
        shared
            .subscribers
            .broadcast(&Event::RuntimeRemoved { runtime, version });
    }
    for (runtime, version) in came {
        installed.insert((runtime.clone(), version.clone()));
        shared
            .subscribers
            .broadcast(&Event::RuntimeInstalled { runtime, version });
    }
}
