//! Results fetched from the team's registry ahead of the tasks that restore them
//! (issue 75): a fresh clone's run knows most keys before any task starts (every key
//! that does not wait on a dependency's outputs), so their results are asked for all at
//! once, a few requests in flight, and kept on this machine as they arrive; each task
//! then restores from there, or waits for its own fetch to end. Along a chain of
//! dependencies, the dependents' fetches no longer wait for their dependencies' restores.
//!
//! A fetch ahead is the same fetch a task would make (signature, digests, bounds): what
//! it ends with (a result kept here, none there, or why not) is what the task's restore
//! says, so nothing is asked of the registry twice.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};

/// Fetches in flight at once.
const PARALLEL: usize = 8;

/// How one key's fetch ahead ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Fetched {
    /// Kept on this machine already: not asked for.
    Here,
    /// Believed and kept on this machine.
    Kept,
    /// The registry has nothing under the key.
    Absent,
    /// Not believed or not read: the line a miss says.
    Failed(String),
}

/// The fetches ahead of one run, by key.
#[derive(Default)]
pub struct Prefetch {
    state: Mutex<HashMap<String, Option<Fetched>>>,
    ended: Condvar,
}

impl Prefetch {
    /// Marks `keys` as being fetched (those not marked already); the ones to fetch.
    pub(super) fn claim(&self, keys: Vec<String>) -> Vec<String> {
        let mut state = self.lock();
        keys.into_iter()
            .filter(|key| {
                let new = !state.contains_key(key);
                if new {
                    state.insert(key.clone(), None);
                }
                new
            })
            .collect()
    }

    /// `key`'s fetch ended with `how`: its waiters are woken.
    pub(super) fn end(&self, key: &str, how: Fetched) {
        self.lock().insert(key.to_owned(), Some(how));
        self.ended.notify_all();
    }

    /// `keys` will not be fetched ahead after all: their tasks fetch their own.
    pub(super) fn release(&self, keys: &[String]) {
        let mut state = self.lock();
        for key in keys {
            state.remove(key);
        }
        self.ended.notify_all();
    }

    /// How `key`'s fetch ahead ended, waiting for it while it runs (each fetch is
    /// bounded by the registry's deadline); `None` when no fetch ahead was made for it.
    pub(crate) fn wait(&self, key: &str) -> Option<Fetched> {
        let mut state = self.lock();
        loop {
            match state.get(key) {
                None => return None,
                Some(Some(how)) => return Some(how.clone()),
                Some(None) => {
                    state = self.ended.wait(state).unwrap_or_else(|e| e.into_inner());
                }
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Option<Fetched>>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Starts fetching `keys` from `results`' registry into this machine's cache, at most
/// `PARALLEL` (eight) at once, on threads of their own; returns at once. Keys already kept
/// here end as [`Fetched::Here`] without a request.
pub(crate) fn start(results: &Arc<super::Results>, keys: Vec<String>) {
    if results.remote.is_none() || results.local.is_none() {
        return;
    }
    let keys = results.prefetch.claim(keys);
    if keys.is_empty() {
        return;
    }
    let (tx, rx) = crossbeam_channel::unbounded::<String>();
    for key in &keys {
        let _ = tx.send(key.clone());
    }
    drop(tx);
    for n in 0..PARALLEL.min(keys.len()) {
        let rx = rx.clone();
        let fetcher = Arc::clone(results);
        let spawned = std::thread::Builder::new()
            .name(format!("vx-prefetch-{n}"))
            .spawn(move || {
                for key in rx {
                    // Every claimed key ends, whatever happens: its task waits for it.
                    let how = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        fetcher.fetch_ahead(&key)
                    }))
                    .unwrap_or_else(|_| Fetched::Failed("the fetch ahead failed".into()));
                    fetcher.prefetch.end(&key, how);
                }
            });
        if spawned.is_err() {
            // No thread at all: each task fetches its own, as without a fetch ahead
            // (with one, it takes every key in turn).
            if n == 0 {
                results.prefetch.release(&keys);
            }
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_waiter_wakes_when_its_fetch_ends_and_a_key_never_claimed_waits_for_nothing() {
        let prefetch = Arc::new(Prefetch::default());
        assert_eq!(prefetch.claim(vec!["a".into(), "a".into()]), ["a"]);
        assert!(prefetch.claim(vec!["a".into()]).is_empty(), "claimed once");
        assert_eq!(prefetch.wait("b"), None);
        let waiter = {
            let prefetch = Arc::clone(&prefetch);
            std::thread::spawn(move || prefetch.wait("a"))
        };
        prefetch.end("a", Fetched::Absent);
        assert_eq!(waiter.join().unwrap(), Some(Fetched::Absent));
    }
}
