//! File events: the store (a version appears or goes: `runtime_installed`,
//! `runtime_removed`, and the resolver's caches refreshed) and the `vx.toml`/`vx.lock`
//! of every project the daemon has resolved for (`config_changed`, and that project
//! forgotten).
//!
//! Only directories are watched, never recursively: the store's root (tool directories
//! come and go), each tool's directory (versions are renamed in and out whole), and
//! each project's directory. Installs work in `<store>/.tmp`, which is not watched, so
//! a sync's unpacking costs the daemon nothing. Events are gathered for
//! [`SETTLE`] after the first, then handled at once (a save is several events).

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, select};
use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode, Watcher};

use super::protocol::Event;
use super::server::Shared;
use crate::inventory;
use crate::manifest::{LOCK_FILE, MANIFEST_FILE};

/// How long events are gathered before they are handled.
pub const SETTLE: Duration = Duration::from_millis(20);
/// Most project directories watched; past it, new projects are resolved but not
/// watched (their cache entries are then dropped at once, see [`Watched::project`]).
pub const MAX_PROJECTS: usize = 256;
/// Most file events waiting; past it they are dropped and everything is re-read.
const EVENT_QUEUE: usize = 4096;

/// What the watch thread watches and knows.
struct Watched {
    watcher: Option<notify::RecommendedWatcher>,
    store: PathBuf,
    tools: HashSet<String>,
    projects: HashSet<PathBuf>,
    installed: BTreeSet<(String, String)>,
}

/// Runs the watch thread: until the daemon exits.
pub(super) fn run(shared: &Arc<Shared>, requests: &Receiver<PathBuf>) {
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
        .map_err(|err| shared.log.line(&format!("file events unavailable: {err}")))
        .ok();
    let mut watched = Watched {
        watcher,
        store: shared.resolver.store().to_path_buf(),
        tools: HashSet::new(),
        projects: HashSet::new(),
        installed: inventory::versions(shared.resolver.store())
            .into_iter()
            .collect(),
    };
    let store = watched.store.clone();
    watched.watch(&store, shared);
    watched.rescan(shared);

    let mut store_dirty = false;
    let mut configs: BTreeSet<PathBuf> = BTreeSet::new();
    let mut deadline: Option<Instant> = None;
    loop {
        let timer = deadline.map_or_else(crossbeam_channel::never, crossbeam_channel::at);
        select! {
            recv(events) -> event => match event {
                Ok(Ok(event)) => watched.classify(&event, &mut store_dirty, &mut configs),
                Ok(Err(err)) => {
                    shared.log.line(&format!("file event error: {err}"));
                    store_dirty = true;
                }
                Err(_) => return,
            },
            recv(requests) -> dir => match dir {
                Ok(dir) => watched.project(dir, shared),
                Err(_) => return,
            },
            recv(timer) -> _ => {
                deadline = None;
                if std::mem::take(&mut store_dirty) {
                    watched.rescan(shared);
                }
                for path in std::mem::take(&mut configs) {
                    if let Some(manifest) = path.parent().map(|d| d.join(MANIFEST_FILE)) {
                        shared.resolver.project_changed(&manifest);
                    }
                    shared.subscribers.broadcast(&Event::ConfigChanged {
                        path: path.to_string_lossy().into_owned(),
                    });
                }
            },
        }
        if overflow.swap(false, Ordering::Relaxed) {
            // Some events were lost: read the store again and drop every project.
            shared
                .log
                .line("file events overflowed; re-reading everything");
            store_dirty = true;
            for dir in &watched.projects {
                shared.resolver.project_changed(&dir.join(MANIFEST_FILE));
            }
        }
        if deadline.is_none() && (store_dirty || !configs.is_empty()) {
            deadline = Some(Instant::now() + SETTLE);
        }
    }
}

impl Watched {
    /// Starts watching `dir` (not recursively); false if it cannot be.
    fn watch(&mut self, dir: &Path, shared: &Shared) -> bool {
        let Some(watcher) = self.watcher.as_mut() else {
            return false;
        };
        match watcher.watch(dir, RecursiveMode::NonRecursive) {
            Ok(()) => true,
            Err(err) => {
                shared
                    .log
                    .line(&format!("cannot watch {}: {err}", dir.display()));
                false
            }
        }
    }

    /// Watches the directory of a project just loaded (once).
    fn project(&mut self, dir: PathBuf, shared: &Shared) {
        if self.projects.contains(&dir) {
            return;
        }
        if self.projects.len() >= MAX_PROJECTS || !self.watch(&dir, shared) {
            // Unwatched, it must not be answered from a cache that nothing refreshes.
            shared.resolver.project_changed(&dir.join(MANIFEST_FILE));
            return;
        }
        self.projects.insert(dir);
    }

    /// Notes what `event` changed: the store, or a project's files.
    fn classify(
        &self,
        event: &notify::Event,
        store_dirty: &mut bool,
        configs: &mut BTreeSet<PathBuf>,
    ) {
        // Opening and reading (the daemon's own scans among them) change nothing.
        if let EventKind::Access(kind) = event.kind
            && kind != AccessKind::Close(AccessMode::Write)
        {
            return;
        }
        for path in &event.paths {
            let Some(parent) = path.parent() else {
                continue;
            };
            let visible = |p: &Path| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !n.starts_with('.'))
            };
            if parent == self.store && visible(path)
                || parent.parent() == Some(self.store.as_path()) && visible(parent)
            {
                *store_dirty = true;
            }
            let name = path.file_name().and_then(|n| n.to_str());
            if matches!(name, Some(MANIFEST_FILE | LOCK_FILE)) && self.projects.contains(parent) {
                configs.insert(path.clone());
            }
        }
    }

    /// Reads the store again: watches new tool directories first (so a version renamed
    /// in meanwhile raises an event), then tells subscribers what came and went.
    fn rescan(&mut self, shared: &Shared) {
        let tools: HashSet<String> = inventory::tool_names(&self.store).into_iter().collect();
        for tool in tools.difference(&self.tools.clone()) {
            let dir = self.store.join(tool);
            if self.watch(&dir, shared) {
                self.tools.insert(tool.clone());
            }
        }
        for gone in self.tools.difference(&tools).cloned().collect::<Vec<_>>() {
            if let Some(watcher) = self.watcher.as_mut() {
                // The kernel already dropped the watch of a removed directory.
                let _ = watcher.unwatch(&self.store.join(&gone));
            }
            self.tools.remove(&gone);
        }
        let now: BTreeSet<(String, String)> =
            inventory::versions(&self.store).into_iter().collect();
        for (runtime, version) in self.installed.difference(&now) {
            shared.subscribers.broadcast(&Event::RuntimeRemoved {
                runtime: runtime.clone(),
                version: version.clone(),
            });
        }
        for (runtime, version) in now.difference(&self.installed) {
            shared.subscribers.broadcast(&Event::RuntimeInstalled {
                runtime: runtime.clone(),
                version: version.clone(),
            });
        }
        // Even with the same versions, a tree may have been replaced: the resolver's
        // toolchains (their receipts) are refreshed either way.
        shared.resolver.set_inventory(now.iter().cloned().collect());
        self.installed = now;
    }
}
