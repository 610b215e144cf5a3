//! The keys a run knows before any task starts, and the fetch ahead of their results
//! (issue 75): a task's key waits for its dependencies only when its `sources` may
//! match what one of them writes (its `outputs`, transitively); every other key is made
//! now from the sources as they are, and the results of those that are not up to date
//! here are asked of the registry at once ([`cache::prefetch`](super::super::cache::prefetch)).
//!
//! A key made here is a guess for the fetch alone: each task's key is still made when
//! it is about to start, and a guess that differs from it costs one fetch, never a
//! wrong restore.

use std::collections::BTreeMap;

use super::super::cache::prefetch;
use super::Job;
use vx_base::glob::may_overlap;
use vx_model::task::graph::Plan;

/// Most output globs followed upstream of one task: past it, its key waits for its
/// dependencies (a chain thousands deep plans in linear time).
const MAX_UPSTREAM: usize = 1024;

/// Starts fetching ahead the results of `jobs` (one per node of `plan`) whose keys are
/// known now, when their results may come from a registry and may be restored.
pub(super) fn start(plan: &Plan, jobs: &[Job]) {
    let Some(results) = jobs.iter().find_map(|job| {
        let cache = job.cache.as_ref().filter(|c| c.restore)?;
        cache.results.clone().filter(|r| r.remote.is_some())
    }) else {
        return;
    };
    let n = jobs.len();
    let mut keys: Vec<Option<String>> = vec![None; n];
    // The `outputs` globs of each task's dependencies, transitively (`None`: too many).
    let mut upstream: Vec<Option<Vec<String>>> = vec![Some(Vec::new()); n];
    let mut wanted = Vec::new();
    for (i, (node, job)) in plan.nodes.iter().zip(jobs).enumerate() {
        let mut up = Some(Vec::new());
        for &a in &node.after {
            up = match (up, &upstream[a], &jobs[a].cache) {
                (Some(mut up), Some(theirs), Some(cache)) => {
                    up.extend(theirs.iter().cloned());
                    // A `!glob` of them takes files out: no more to overlap.
                    let outputs = cache.recipe.outputs.iter();
                    up.extend(outputs.filter(|o| !o.starts_with('!')).cloned());
                    up.sort();
                    up.dedup();
                    (up.len() <= MAX_UPSTREAM).then_some(up)
                }
                _ => None,
            };
        }
        upstream[i] = up;
        let Some(cache) = &job.cache else { continue };
        let Some(up) = &upstream[i] else { continue };
        if cache
            .recipe
            .sources
            .iter()
            .filter(|source| !source.starts_with('!'))
            .any(|source| up.iter().any(|output| may_overlap(source, output)))
        {
            continue;
        }
        let depends: Option<BTreeMap<String, String>> = node
            .after
            .iter()
            .map(|&a| Some((jobs[a].keyed_as().to_owned(), keys[a].clone()?)))
            .collect();
        let Some(depends) = depends else { continue };
        let document = cache.recipe.document(depends);
        let key = document.key();
        let up_to_date = job.stamp.as_ref().is_some_and(|stamp| stamp.check(&key));
        let keyed = !cache.recipe.matches_no_source(&document);
        if cache.results.is_some() && cache.restore && keyed && !up_to_date {
            wanted.push(key.clone());
        }
        keys[i] = Some(key);
    }
    prefetch::start(&results, wanted);
}
