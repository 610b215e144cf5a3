//! Cycles through dependencies with words or variables of their own ([`Call`]s), found
//! when the tasks are read, as a cycle of plain names is ([`super::cycle`]), so that
//! `a` asking `{ task = "b", args = ["x"] }` with `b` depending on `a` is refused
//! before anything runs, named along its nodes (`a → b x → a`). A walk of the tasks
//! cannot judge a call: `depends = ["check"]` with `depends_post = ["check x"]` holds
//! two nodes of `check` and no cycle. So the walk here is of every node a run could
//! hold: each task's plain node, then each call once (by its task, words and
//! variables), each node with its task's edges, as [`super::Plan::build`] gives them.

use std::collections::{BTreeSet, HashMap};

use super::super::{Call, Task};
use super::{Names, cycles_in};
use vx_base::glob::is_glob;

/// A call's identity: its task, words and variables.
type Identity<'t> = (usize, &'t [String], &'t [(String, String)]);

/// Every node a run of `tasks` could hold: node `i` (for `i` below the task count) is
/// task `i`'s plain node, the others calls.
struct Nodes {
    /// What each node waits for (its task's `depends`, calls and `wait_for`, and the
    /// tasks naming it in `depends_post`).
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
        let mut task: Vec<usize> = (0..tasks.len()).collect();
        let mut shown: Vec<String> = tasks.iter().map(|t| t.name.clone()).collect();
        let mut of_task: Vec<Vec<usize>> = (0..tasks.len()).map(|i| vec![i]).collect();
        let mut ids: HashMap<Identity<'_>, usize> = HashMap::new();
        for call in tasks
            .iter()
            .flat_map(|t| t.calls.iter().chain(&t.calls_post))
        {
            let Some(j) = names.position(&call.task) else {
                continue;
            };
            ids.entry((j, &call.words, &call.env)).or_insert_with(|| {
                let named = Call {
                    task: tasks[j].name.clone(),
                    ..call.clone()
                };
                task.push(j);
                shown.push(named.shown());
                of_task[j].push(task.len() - 1);
                task.len() - 1
            });
        }
        let mut edges = vec![BTreeSet::new(); task.len()];
        let node = |call: &Call| {
            let j = names.position(&call.task)?;
            ids.get(&(j, &call.words[..], &call.env[..])).copied()
        };
        for (i, t) in tasks.iter().enumerate() {
            let resolved = |pattern: &String| -> Vec<usize> {
                (names.resolve(tasks, pattern).into_iter())
                    .filter(|&j| j != i || !is_glob(pattern))
                    .collect()
            };
            let mut waits: BTreeSet<usize> = t.depends.iter().flat_map(resolved).collect();
            waits.extend(t.calls.iter().filter_map(node));
            for j in t.wait_for.iter().flat_map(resolved) {
                waits.extend(&of_task[j]);
            }
            for &n in &of_task[i] {
                edges[n].extend(&waits);
            }
            let post = t.depends_post.iter().flat_map(resolved);
            for m in post.chain(t.calls_post.iter().filter_map(node)) {
                edges[m].extend(&of_task[i]);
            }
        }
        for (n, &i) in task.iter().enumerate() {
            if left_out[i] {
                edges[n].clear();
            }
        }
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
