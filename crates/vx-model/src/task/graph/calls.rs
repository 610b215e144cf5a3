//! Cycles through dependencies with words or variables of their own ([`Call`]s), found
//! when the tasks are read, as a cycle of plain names is ([`super::cycle`]), so that
//! `a` asking `{ task = "b", args = ["x"] }` with `b` depending on `a` is refused
//! before anything runs, named along its nodes (`a → b x → a`). A walk of the tasks
//! cannot judge a call: `depends = ["check"]` with `depends_post = ["check x"]` holds
//! two nodes of `check` and no cycle. So the walk here is of every node a run could
//! hold: each task's plain node, then each call once (by its task, words and
//! variables), each node with its task's edges, as [`super::Plan::build`] gives them.

use std::collections::{BTreeSet, HashSet};

use super::super::{Call, Task};
use super::{Names, NodeRef, cycles_in, node_edges};

/// Every node a run of `tasks` could hold: node `i` (for `i` below the task count) is
/// task `i`'s plain node, the others calls.
struct Nodes {
    /// What each node waits for ([`node_edges`]).
    edges: Vec<BTreeSet<usize>>,
    /// Each node's task.
    task: Vec<usize>,
    /// Each node as written (`Z=1 b x`).
    shown: Vec<String>,
}

impl Nodes {
    /// The nodes of `tasks`, those of a task `left_out` (a cycle of names already
    /// broke there) waiting for nothing.
    fn of(tasks: &[Task], left_out: &[bool]) -> Nodes {
        let names = Names::of(tasks);
        let mut nodes: Vec<NodeRef<'_>> = (0..tasks.len()).map(|i| (i, &[][..], &[][..])).collect();
        let mut shown: Vec<String> = tasks.iter().map(|t| t.name.clone()).collect();
        let mut seen: HashSet<NodeRef<'_>> = nodes.iter().copied().collect();
        for call in tasks
            .iter()
            .flat_map(|t| t.calls.iter().chain(&t.calls_post))
        {
            let Some(j) = names.position(&call.task) else {
                continue;
            };
            if seen.insert((j, &call.words, &call.env)) {
                nodes.push((j, &call.words, &call.env));
                let named = Call {
                    task: tasks[j].name.clone(),
                    ..call.clone()
                };
                shown.push(named.shown());
            }
        }
        let mut edges = vec![BTreeSet::new(); nodes.len()];
        for (n, m) in node_edges(tasks, &names, &nodes) {
            if !left_out[nodes[n].0] {
                edges[n].insert(m);
            }
        }
        let task = nodes.iter().map(|node| node.0).collect();
        Nodes { edges, task, shown }
    }
}

/// Whether a task of `tasks` has a call: else there is no node but the tasks' own.
fn any_call(tasks: &[Task]) -> bool {
    tasks
        .iter()
        .any(|t| !t.calls.is_empty() || !t.calls_post.is_empty())
}

/// The first cycle through a call among `tasks` (none of names: [`super::cycle`]
/// looked first), as the task of its first node and the nodes along it, the first
/// repeated at the end.
pub(super) fn first(tasks: &[Task]) -> Option<(usize, Vec<String>)> {
    if !any_call(tasks) {
        return None;
    }
    let nodes = Nodes::of(tasks, &vec![false; tasks.len()]);
    let (_, path) = cycles_in(&nodes.edges, true).into_iter().next()?;
    let at = nodes.task[path[0]];
    Some((
        at,
        path.into_iter().map(|n| nodes.shown[n].clone()).collect(),
    ))
}

/// The tasks to leave out, besides those `left_out` (where cycles of names broke), so
/// that no cycle through a call is left: each task one of whose nodes closes such a
/// cycle, once, with the nodes along it.
pub(super) fn breaks(tasks: &[Task], left_out: &[bool]) -> Vec<(usize, Vec<String>)> {
    if !any_call(tasks) {
        return Vec::new();
    }
    let nodes = Nodes::of(tasks, left_out);
    let mut seen = vec![false; tasks.len()];
    let mut out = Vec::new();
    for (at, path) in cycles_in(&nodes.edges, false) {
        let at = nodes.task[at];
        if !std::mem::replace(&mut seen[at], true) {
            out.push((
                at,
                path.into_iter().map(|n| nodes.shown[n].clone()).collect(),
            ));
        }
    }
    out
}
