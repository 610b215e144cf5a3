//! The graph of a run: which tasks `vx run A B` runs and in what order.
//!
//! A task's `depends` (names or globs) must finish (or, for a service, be ready)
//! before it starts, and are pulled into the run; `depends_post` tasks are pulled in
//! and run after it; `wait_for` tasks are waited for only when something else pulled
//! them in. Each task runs once however often it is named; a dependency with words or
//! variables of its own (a [`Call`]) is a node of its own, once per name, words and
//! variables. A name that is no task
//! (or alias) and a cycle are errors that show the path that led there.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};

use thiserror::Error;

mod calls;

use super::{Call, Task};
use vx_base::glob::{is_glob, task_matches};

/// Why a graph cannot be made.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum GraphError {
    /// A name that is neither a task nor an alias.
    #[error("{}", unknown_message(.name, .path, .suggestion.as_deref()))]
    Unknown {
        /// The name as written.
        name: String,
        /// The tasks that led to it (the first one named on the command line first).
        path: Vec<String>,
        /// A close task name.
        suggestion: Option<String>,
    },
    /// Tasks that need each other.
    #[error("the tasks' dependencies form a cycle: {}", .0.join(" → "))]
    Cycle(Vec<String>),
}

fn unknown_message(name: &str, path: &[String], suggestion: Option<&str>) -> String {
    let mut text = match (path.last(), is_glob(name)) {
        (None, _) => format!("no task `{name}`"),
        (Some(_), false) => format!(
            "task `{name}` (needed by {}) does not exist",
            path.join(" → ")
        ),
        (Some(_), true) => format!("no task matches `{name}` (needed by {})", path.join(" → ")),
    };
    if let Some(s) = suggestion {
        text.push_str(&format!("; did you mean `{s}`?"));
    }
    text
}

/// The task called `name`, or aliased so.
pub fn find<'a>(tasks: &'a [Task], name: &str) -> Option<&'a Task> {
    tasks
        .iter()
        .find(|t| t.name == name)
        .or_else(|| tasks.iter().find(|t| t.answers_to(name)))
}

/// The tasks by name, then by alias: a plain name found in constant time, so that a
/// graph of many tasks is read in time linear in its edges (issue 66, item 13).
pub(crate) struct Names<'a> {
    index: HashMap<&'a str, usize>,
}

impl<'a> Names<'a> {
    /// The names and aliases of `tasks`: a name wins over another task's alias, the
    /// first task over a later one, as [`position`] finds them.
    pub(crate) fn of(tasks: &'a [Task]) -> Names<'a> {
        let mut index = HashMap::with_capacity(tasks.len());
        for (i, task) in tasks.iter().enumerate() {
            index.entry(task.name.as_str()).or_insert(i);
        }
        for (i, task) in tasks.iter().enumerate() {
            for alias in &task.alias {
                index.entry(alias.as_str()).or_insert(i);
            }
        }
        Names { index }
    }

    /// The index of the task called (or aliased) `name`.
    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// What [`resolve`] gives, with plain names looked up here.
    pub(crate) fn resolve(&self, tasks: &[Task], pattern: &str) -> Vec<usize> {
        if is_glob(pattern) {
            (0..tasks.len())
                .filter(|&i| task_matches(pattern, &tasks[i].name))
                .collect()
        } else {
            self.position(pattern).into_iter().collect()
        }
    }
}

/// The plain names in `task`'s `depends` and `depends_post` that are no task of
/// `tasks` (nor a file task of the project at `project`): running it fails naming the
/// first ([`Plan::build`]).
#[cfg(test)]
pub(crate) fn missing<'a>(
    tasks: &[Task],
    task: &'a Task,
    project: &std::path::Path,
) -> Vec<&'a str> {
    Names::of(tasks).missing(task, project)
}

impl Names<'_> {
    /// [`missing`] with the tasks' names looked up here: for each of many tasks, in
    /// time of its own dependencies, not of all the tasks.
    pub(crate) fn missing<'t>(&self, task: &'t Task, project: &std::path::Path) -> Vec<&'t str> {
        let called = task.calls.iter().chain(&task.calls_post).map(|c| &c.task);
        task.depends
            .iter()
            .chain(&task.depends_post)
            .chain(called)
            .filter(|name| {
                !is_glob(name)
                    && self.position(name).is_none()
                    && !super::is_file_task(project, name)
            })
            .map(String::as_str)
            .collect()
    }
}

/// The line that says a task `task` depends on `dependency`, a name no task answers
/// to: it is listed all the same, and running it fails naming the name, as mise takes
/// it (both sanitized for the terminal).
pub fn missing_line(task: &str, dependency: &str) -> String {
    format!(
        "task {} depends on `{}`, which is no task here: it is listed, and running it fails naming it (as in mise)",
        vx_text::sanitize(task),
        vx_text::sanitize(dependency)
    )
}

/// For each task of `tasks` that `judged` picks (by index), the first name in its
/// `depends` and `depends_post` that no task of `tasks` answers to, nor a file task
/// of the project at `project` ([`Plan::build`] fails on it when the task runs):
/// the task's name and that name, in the tasks' order.
pub fn unresolved<'t>(
    tasks: &'t [Task],
    judged: impl Fn(usize) -> bool,
    project: &std::path::Path,
) -> Vec<(&'t str, &'t str)> {
    let names = Names::of(tasks);
    (tasks.iter().enumerate())
        .filter(|&(i, _)| judged(i))
        .filter_map(|(_, task)| Some((task.name.as_str(), *names.missing(task, project).first()?)))
        .collect()
}

/// The task whose name is closest to `name`, when close enough to be a typo.
pub fn similar<'a>(tasks: &'a [Task], name: &str) -> Option<&'a Task> {
    tasks
        .iter()
        .map(|t| (strsim::jaro_winkler(name, &t.name), t))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, t)| t)
}

/// The edges of every task: what must be finished before it starts (its `depends`,
/// its `wait_for`, and every task naming it in `depends_post`), as indexes.
fn before(tasks: &[Task]) -> Vec<BTreeSet<usize>> {
    let names = Names::of(tasks);
    let mut edges = vec![BTreeSet::new(); tasks.len()];
    for (i, task) in tasks.iter().enumerate() {
        for pattern in task.depends.iter().chain(&task.wait_for) {
            edges[i].extend(
                names
                    .resolve(tasks, pattern)
                    .into_iter()
                    .filter(|&j| j != i || !is_glob(pattern)),
            );
        }
        for pattern in &task.depends_post {
            for j in names.resolve(tasks, pattern) {
                if j != i || !is_glob(pattern) {
                    edges[j].insert(i);
                }
            }
        }
    }
    edges
}

/// The first cycle among the tasks, as the names along it (the first repeated at the
/// end), or `None`: [`cycle_at`]'s.
pub fn cycle(tasks: &[Task]) -> Option<Vec<String>> {
    cycle_at(tasks).map(|(_, path)| path)
}

/// The first cycle among the tasks, with the task it starts at: one of names, else
/// one through a dependency with words or variables of its own, shown along its
/// nodes (`a → b x → a`), so that both are found when the tasks are read.
pub fn cycle_at(tasks: &[Task]) -> Option<(usize, Vec<String>)> {
    let edges = before(tasks);
    match cycles_in(&edges, true).into_iter().next() {
        Some((_, path)) => Some((path[0], names_of(tasks, path))),
        None => calls::first(tasks),
    }
}

/// The tasks to leave out so that no cycle is left, found in one depth-first walk
/// (each edge followed once, however many cycles): each task whose dependency closes
/// a cycle, with the names along that cycle (the first repeated at the end). The rest
/// of the graph is then acyclic.
/// Then, the rest judged by its nodes, each task closing a cycle through a dependency
/// with words or variables of its own, with the nodes along it (`a → b x → a`).
pub(crate) fn break_cycles(tasks: &[Task]) -> Vec<(usize, Vec<String>)> {
    let edges = before(tasks);
    let mut out: Vec<(usize, Vec<String>)> = cycles_in(&edges, false)
        .into_iter()
        .map(|(at, path)| (at, names_of(tasks, path)))
        .collect();
    let mut left_out = vec![false; tasks.len()];
    for (at, _) in &out {
        left_out[*at] = true;
    }
    out.extend(calls::breaks(tasks, &left_out));
    out
}

fn names_of(tasks: &[Task], path: Vec<usize>) -> Vec<String> {
    path.into_iter().map(|i| tasks[i].name.clone()).collect()
}

/// The cycles of the graph `edges` one depth-first walk finds (from each node in order,
/// each edge in order): each as the node whose edge closes it and the nodes along it,
/// the first repeated at the end. With `first`, the walk stops at the first; otherwise
/// the node closing a cycle is left (its other edges not followed) and the walk goes
/// on, so the rest is acyclic. The walk keeps its own stack: a chain of any depth costs
/// no call stack.
fn cycles_in(edges: &[BTreeSet<usize>], first: bool) -> Vec<(usize, Vec<usize>)> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut marks = vec![Mark::New; edges.len()];
    let mut out = Vec::new();
    // The open nodes, each with the edges it has still to follow.
    let mut trail: Vec<(usize, std::collections::btree_set::Iter<'_, usize>)> = Vec::new();
    for start in 0..edges.len() {
        if marks[start] != Mark::New {
            continue;
        }
        marks[start] = Mark::Open;
        trail.push((start, edges[start].iter()));
        while let Some((at, next)) = trail.last_mut() {
            let at = *at;
            match next.next().copied() {
                Some(next) => match marks[next] {
                    Mark::Open => {
                        let from = trail.iter().position(|(i, _)| *i == next).unwrap_or(0);
                        let mut path: Vec<usize> = trail[from..].iter().map(|(i, _)| *i).collect();
                        path.push(next);
                        out.push((at, path));
                        if first {
                            return out;
                        }
                        marks[at] = Mark::Done;
                        trail.pop();
                    }
                    Mark::New => {
                        marks[next] = Mark::Open;
                        trail.push((next, edges[next].iter()));
                    }
                    Mark::Done => {}
                },
                None => {
                    marks[at] = Mark::Done;
                    trail.pop();
                }
            }
        }
    }
    out
}

/// A plain (non-glob) dependency of some task that names no task, with the task
/// naming it: what the manifest refuses.
pub fn first_unknown(tasks: &[Task]) -> Option<(&Task, &str)> {
    let names = Names::of(tasks);
    tasks.iter().find_map(|task| {
        let called = task.calls.iter().chain(&task.calls_post).map(|c| &c.task);
        task.depends
            .iter()
            .chain(&task.depends_post)
            .chain(&task.wait_for)
            .chain(called)
            .find(|p| !is_glob(p) && names.position(p).is_none())
            .map(|p| (task, p.as_str()))
    })
}

/// One task of a run's plan: a task with the words and variables a dependency gave
/// it (a [`Call`]'s), or none (its plain node: the command line's words, when it is
/// named there). Two dependencies asking the same task with the same words and
/// variables are one node; with other words or variables, two.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Its index in the task list.
    pub task: usize,
    /// The words a dependency asked it to run with ([`Call::words`]).
    pub words: Vec<String>,
    /// The variables a dependency set for it ([`Call::env`]).
    pub env: Vec<(String, String)>,
    /// The plan's nodes (indexes into [`Plan::nodes`]) that must be done (or ready)
    /// before it starts.
    pub after: Vec<usize>,
}

impl Node {
    /// Whether a dependency's words or variables made it (a [`Call`]'s node).
    pub fn called(&self) -> bool {
        !self.words.is_empty() || !self.env.is_empty()
    }

    /// As the plan's views show it: the task's name, after it the words a dependency
    /// gave it and before it the variables (`Z=1 setup --test`, as mise writes it).
    pub fn shown(&self, tasks: &[Task]) -> String {
        Call {
            task: tasks[self.task].name.clone(),
            words: self.words.clone(),
            env: self.env.clone(),
        }
        .shown()
    }
}

/// What a run runs, in graph order: every node after the nodes it waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The nodes, dependencies first; among independent tasks, the order they were
    /// named.
    pub nodes: Vec<Node>,
}

/// A node's identity in a plan: its task, words and variables.
type Identity = (usize, Vec<String>, Vec<(String, String)>);

/// The plain node of task `i`.
fn plain(i: usize) -> Identity {
    (i, Vec::new(), Vec::new())
}

/// The nodes a plan reaches, each once, in the order a depth-first walk first reaches
/// them, each with the node it was reached from (for messages: the path back).
struct Reached<'t> {
    tasks: &'t [Task],
    names: Names<'t>,
    ids: HashMap<Identity, usize>,
    nodes: Vec<Identity>,
    from: Vec<Option<usize>>,
}

impl<'t> Reached<'t> {
    /// The names along the path that led to node `at`, the first named first.
    fn path_to(&self, mut at: Option<usize>) -> Vec<String> {
        let mut path = Vec::new();
        while let Some(n) = at {
            path.push(self.tasks[self.nodes[n].0].name.clone());
            at = self.from[n];
        }
        path.reverse();
        path
    }

    /// The error for `name`, which no task answers to, needed by node `at`.
    fn unknown(&self, name: &str, at: Option<usize>) -> GraphError {
        GraphError::Unknown {
            name: name.to_owned(),
            path: self.path_to(at),
            suggestion: similar(self.tasks, name).map(|t| t.name.clone()),
        }
    }

    /// The nodes node `n` pulls into the run, in the order written: its `depends`,
    /// its calls, its `depends_post`, its post calls. A pattern that matches no task
    /// fails as a name that names none (as mise's `task not found`): a typo is never
    /// a dependency quietly dropped.
    fn needs(&self, n: usize) -> Result<Vec<Identity>, GraphError> {
        let i = self.nodes[n].0;
        let task = &self.tasks[i];
        let mut out = Vec::new();
        let plain_ones = |patterns: &[String], out: &mut Vec<Identity>| {
            for pattern in patterns {
                let found = self.names.resolve(self.tasks, pattern);
                if found.is_empty() {
                    return Err(self.unknown(pattern, Some(n)));
                }
                out.extend(found.into_iter().filter(|&j| j != i).map(plain));
            }
            Ok(())
        };
        let called = |calls: &[Call], out: &mut Vec<Identity>| {
            for call in calls {
                let j = (self.names.position(&call.task))
                    .ok_or_else(|| self.unknown(&call.task, Some(n)))?;
                out.push((j, call.words.clone(), call.env.clone()));
            }
            Ok(())
        };
        plain_ones(&task.depends, &mut out)?;
        called(&task.calls, &mut out)?;
        plain_ones(&task.depends_post, &mut out)?;
        called(&task.calls_post, &mut out)?;
        Ok(out)
    }

    /// Every node that `requested` (names or aliases) reaches.
    fn walk(tasks: &'t [Task], requested: &[String]) -> Result<Reached<'t>, GraphError> {
        let mut reached = Reached {
            tasks,
            names: Names::of(tasks),
            ids: HashMap::new(),
            nodes: Vec::new(),
            from: Vec::new(),
        };
        let mut stack: Vec<(Identity, Option<usize>)> = Vec::new();
        for name in requested.iter().rev() {
            let i = (reached.names.position(name)).ok_or_else(|| reached.unknown(name, None))?;
            stack.push((plain(i), None));
        }
        while let Some((identity, parent)) = stack.pop() {
            if reached.ids.contains_key(&identity) {
                continue;
            }
            let n = reached.nodes.len();
            reached.ids.insert(identity.clone(), n);
            reached.nodes.push(identity);
            reached.from.push(parent);
            for need in reached.needs(n)?.into_iter().rev() {
                stack.push((need, Some(n)));
            }
        }
        Ok(reached)
    }

    /// What each node waits for, as pairs (waiting node, node waited for):
    /// [`node_edges`] over the nodes reached.
    fn edges(&self) -> Vec<(usize, usize)> {
        let nodes: Vec<NodeRef<'_>> = (self.nodes.iter())
            .map(|(i, words, env)| (*i, &words[..], &env[..]))
            .collect();
        node_edges(self.tasks, &self.names, &nodes)
    }
}

/// A node's task, words and variables, borrowed.
type NodeRef<'a> = (usize, &'a [String], &'a [(String, String)]);

/// What each of `nodes` waits for, as pairs (waiting node, node waited for): its
/// task's `depends` (their plain nodes), calls (their nodes) and `wait_for` (every
/// node of the tasks named); and the plain nodes and calls its task's `depends_post`
/// and post calls name wait for it. Edges to a node not among `nodes` are left out.
/// One reading for a run's plan ([`Plan::build`], the nodes it reached) and for the
/// cycles of every node a run could hold ([`calls`]). A node waiting for itself (a
/// task whose dependency asks it with the words it runs with) stays: it is a cycle.
fn node_edges(tasks: &[Task], names: &Names<'_>, nodes: &[NodeRef<'_>]) -> Vec<(usize, usize)> {
    let mut ids: HashMap<NodeRef<'_>, usize> = HashMap::new();
    let mut by_task: HashMap<usize, Vec<usize>> = HashMap::new();
    for (n, &node) in nodes.iter().enumerate() {
        ids.entry(node).or_insert(n);
        by_task.entry(node.0).or_default().push(n);
    }
    let plain_node = |j: usize| ids.get(&(j, &[][..], &[][..])).copied();
    let call_node = |call: &Call| {
        let j = names.position(&call.task)?;
        ids.get(&(j, &call.words[..], &call.env[..])).copied()
    };
    let mut pairs = Vec::new();
    for (n, &(i, _, _)) in nodes.iter().enumerate() {
        let task = &tasks[i];
        let resolved = |pattern: &String| -> Vec<usize> {
            (names.resolve(tasks, pattern).into_iter())
                .filter(|&j| j != i || !is_glob(pattern))
                .collect()
        };
        for j in task.depends.iter().flat_map(resolved) {
            pairs.extend(plain_node(j).map(|m| (n, m)));
        }
        for j in task.wait_for.iter().flat_map(resolved) {
            let waited = by_task.get(&j).into_iter().flatten();
            pairs.extend(waited.map(|&m| (n, m)));
        }
        pairs.extend(task.calls.iter().filter_map(call_node).map(|m| (n, m)));
        for j in task.depends_post.iter().flat_map(resolved) {
            pairs.extend(plain_node(j).map(|m| (m, n)));
        }
        pairs.extend(task.calls_post.iter().filter_map(call_node).map(|m| (m, n)));
    }
    pairs
}

impl Plan {
    /// The plan that runs `requested` (names or aliases) with what they need. Its
    /// work is linear in the tasks and edges it reaches (a log factor aside): a chain
    /// thousands deep plans at once (issue 66, item 13).
    pub fn build(tasks: &[Task], requested: &[String]) -> Result<Plan, GraphError> {
        let reached = Reached::walk(tasks, requested)?;
        let mut included: Vec<usize> = reached.nodes.iter().map(|(i, _, _)| *i).collect();
        included.sort_unstable();
        included.dedup();
        if let Some(cycle) = cycle_among(tasks, &included) {
            return Err(GraphError::Cycle(cycle));
        }
        let count = reached.nodes.len();
        let mut before: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); count];
        for (n, m) in reached.edges() {
            before[n].insert(m);
        }
        // Graph order: repeatedly take, in the order reached, a node whose
        // predecessors are all placed: the ready nodes kept by their rank (the order
        // reached), each edge counted down once.
        let mut waiting: Vec<usize> = before.iter().map(BTreeSet::len).collect();
        let mut after: Vec<Vec<usize>> = vec![Vec::new(); count];
        for (n, set) in before.iter().enumerate() {
            for &m in set {
                after[m].push(n);
            }
        }
        let mut ready: BinaryHeap<Reverse<usize>> = (0..count)
            .filter(|&n| waiting[n] == 0)
            .map(Reverse)
            .collect();
        let mut placed: Vec<usize> = Vec::with_capacity(count);
        let mut at: Vec<Option<usize>> = vec![None; count];
        while let Some(Reverse(n)) = ready.pop() {
            at[n] = Some(placed.len());
            placed.push(n);
            for &k in &after[n] {
                waiting[k] -= 1;
                if waiting[k] == 0 {
                    ready.push(Reverse(k));
                }
            }
        }
        if placed.len() < count {
            // Only a cycle leaves a node unplaced: one through a dependency with words
            // or variables of its own (the tasks' cycles were refused above), shown
            // along its nodes (`a → b x → a`).
            let shown = |n: usize| {
                let (task, words, env) = reached.nodes[n].clone();
                let task = tasks[task].name.clone();
                Call { task, words, env }.shown()
            };
            let path = cycles_in(&before, true).into_iter().next();
            let rest = path.map_or_else(
                || (0..count).filter(|&n| at[n].is_none()).collect(),
                |(_, path)| path,
            );
            return Err(GraphError::Cycle(rest.into_iter().map(shown).collect()));
        }
        let nodes = placed
            .iter()
            .map(|&n| {
                let (task, words, env) = reached.nodes[n].clone();
                let after = before[n].iter().filter_map(|&m| at[m]).collect();
                Node {
                    task,
                    words,
                    env,
                    after,
                }
            })
            .collect();
        Ok(Plan { nodes })
    }
}

impl Plan {
    /// How a live run names each node to a user (its lines' prefix, its notes, its row
    /// on the board), by index: the task's name when the run holds the task once, with
    /// words or without, as mise 2026.9.15 names it; the name and the node's words
    /// (`setup a`) when the run holds the task more than once, as mise names each of
    /// them then; and, for nodes that would still share a label (apart only by their
    /// variables, which mise names alike: `Z=1 setup` beside `setup` are both
    /// `[setup]` there), the node as written with its variables (`Z=1 setup`), so
    /// that no two of a run's lines or notes name two nodes alike.
    pub fn labels(&self, tasks: &[Task]) -> Vec<String> {
        let mut count: HashMap<usize, usize> = HashMap::new();
        for node in &self.nodes {
            *count.entry(node.task).or_default() += 1;
        }
        let worded = |node: &Node| match count[&node.task] {
            1 => tasks[node.task].name.clone(),
            _ => Call {
                task: tasks[node.task].name.clone(),
                words: node.words.clone(),
                env: Vec::new(),
            }
            .shown(),
        };
        let first: Vec<String> = self.nodes.iter().map(worded).collect();
        let mut alike: HashMap<&str, usize> = HashMap::new();
        for label in &first {
            *alike.entry(label.as_str()).or_default() += 1;
        }
        (self.nodes.iter().zip(&first))
            .map(|(node, label)| match alike[label.as_str()] {
                1 => label.clone(),
                _ => node.shown(tasks),
            })
            .collect()
    }
}

/// A cycle among `included` tasks only.
fn cycle_among(tasks: &[Task], included: &[usize]) -> Option<Vec<String>> {
    let sub: Vec<Task> = included.iter().map(|&i| tasks[i].clone()).collect();
    // Patterns resolve against the subset, so edges to tasks outside it vanish.
    cycle(&sub)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(name: &str, depends: &[&str]) -> Task {
        let mut t = Task::named(name);
        t.run = vec!["true".into()];
        t.depends = depends.iter().map(|d| (*d).to_owned()).collect();
        t
    }

    fn names(tasks: &[Task], plan: &Plan) -> Vec<String> {
        plan.nodes
            .iter()
            .map(|n| tasks[n.task].name.clone())
            .collect()
    }

    #[test]
    fn dependencies_come_first_each_once() {
        let tasks = vec![
            task("test", &["lint", "build"]),
            task("build", &["gen", "lint"]),
            task("lint", &["gen"]),
            task("gen", &[]),
        ];
        let plan = Plan::build(&tasks, &["test".into()]).unwrap();
        assert_eq!(names(&tasks, &plan), ["gen", "lint", "build", "test"]);
        let test = &plan.nodes[3];
        assert_eq!(test.after.len(), 2);
    }

    #[test]
    fn globs_post_and_wait_for() {
        let mut ci = task("ci", &["lint:*"]);
        ci.depends_post = vec!["report".into()];
        let mut slow = task("slow", &[]);
        slow.wait_for = vec!["lint:rust".into(), "absent-but-fine".into()];
        let tasks = vec![
            ci,
            task("lint:rust", &[]),
            task("lint:sh", &[]),
            task("report", &[]),
            slow,
        ];
        let plan = Plan::build(&tasks, &["ci".into()]).unwrap();
        assert_eq!(
            names(&tasks, &plan),
            ["lint:rust", "lint:sh", "ci", "report"]
        );
        let plan = Plan::build(&tasks, &["slow".into(), "lint:rust".into()]).unwrap();
        assert_eq!(names(&tasks, &plan), ["lint:rust", "slow"]);
        let plan = Plan::build(&tasks, &["slow".into()]).unwrap();
        assert_eq!(names(&tasks, &plan), ["slow"], "wait_for pulls nothing in");
    }

    /// A `depends` pattern that matches no task (a typo, `lnit:*`) fails the run naming
    /// it, as mise's `task not found`; one that matches only the task itself is no
    /// dependency and no error (mise drops the task from its own).
    #[test]
    fn a_pattern_matching_no_task_fails_naming_it() {
        let tasks = vec![task("ci", &["lnit:*"]), task("lint:rust", &[])];
        let err = Plan::build(&tasks, &["ci".into()]).unwrap_err();
        assert_eq!(err.to_string(), "no task matches `lnit:*` (needed by ci)");
        let mut post = task("ci", &[]);
        post.depends_post = vec!["report:*".into()];
        let err = Plan::build(&[post], &["ci".into()]).unwrap_err();
        assert_eq!(err.to_string(), "no task matches `report:*` (needed by ci)");
        let tasks = vec![task("lint:all", &["lint:*"])];
        let plan = Plan::build(&tasks, &["lint:all".into()]).unwrap();
        assert_eq!(names(&tasks, &plan), ["lint:all"]);
    }

    /// Issue 66, item 13: a chain 100,000 deep (each task depending on the one before)
    /// plans in time linear in its edges; it was cubic (a 4,000-deep one took 6 to 20 s,
    /// this one would take days), and its cycle check walks it without recursion.
    #[test]
    fn a_deep_chain_plans_in_linear_time() {
        const DEPTH: usize = 100_000;
        let tasks: Vec<Task> = (0..DEPTH)
            .map(|i| match i {
                0 => task("t0", &[]),
                i => task(&format!("t{i}"), &[&format!("t{}", i - 1)]),
            })
            .collect();
        let started = std::time::Instant::now();
        assert_eq!(cycle(&tasks), None);
        assert_eq!(first_unknown(&tasks).map(|(t, _)| t.name.clone()), None);
        let plan = Plan::build(&tasks, &[format!("t{}", DEPTH - 1)]).unwrap();
        assert_eq!(plan.nodes.len(), DEPTH);
        assert_eq!(plan.nodes[0].task, 0);
        assert_eq!(plan.nodes[DEPTH - 1].after, [DEPTH - 2]);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
        // A cycle closed at the far end is found, named along its path.
        let mut closed = tasks;
        closed[0].depends = vec![format!("t{}", DEPTH - 1)];
        let found = cycle(&closed).unwrap();
        assert_eq!(found.len(), DEPTH + 1);
        assert_eq!(found.first(), found.last());
    }

    fn call(task: &str, words: &[&str], env: &[(&str, &str)]) -> Call {
        Call {
            task: task.into(),
            words: words.iter().map(|w| (*w).to_owned()).collect(),
            env: (env.iter())
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    /// A dependency with words or variables of its own is a node of its own, beside
    /// the task's plain node, waiting for nothing its siblings are (so it runs beside
    /// them, as mise runs `depends = ["other", "check --test"]`); the same call twice
    /// is one node, other words or variables another; the task that asks waits for
    /// each. vx made it a command of the asking task, run after its other
    /// dependencies.
    #[test]
    fn a_dependency_with_words_or_variables_is_a_node_of_its_own() {
        let mut lint = task("lint", &["other", "check"]);
        lint.calls = vec![
            call("check", &["--test"], &[]),
            call("check", &[], &[("Z", "1")]),
            call("check", &["--test"], &[]),
            call("check", &["--test"], &[("Z", "1")]),
        ];
        let tasks = vec![
            lint,
            task("other", &[]),
            task("check", &["gen"]),
            task("gen", &[]),
        ];
        let plan = Plan::build(&tasks, &["lint".into()]).unwrap();
        let shown: Vec<String> = plan.nodes.iter().map(|n| n.shown(&tasks)).collect();
        assert_eq!(
            shown,
            [
                "other",
                "gen",
                "check",
                "check --test",
                "Z=1 check",
                "Z=1 check --test",
                "lint"
            ]
        );
        let at = |name: &str| shown.iter().position(|s| s == name).unwrap();
        // Each node of `check` waits for `gen` alone, not for its siblings.
        for node in ["check", "check --test", "Z=1 check", "Z=1 check --test"] {
            assert_eq!(plan.nodes[at(node)].after, [at("gen")], "{node}");
        }
        assert_eq!(plan.nodes[at("other")].after, Vec::<usize>::new());
        let mut waited = plan.nodes[at("lint")].after.clone();
        waited.sort_unstable();
        assert_eq!(waited, [0, 2, 3, 4, 5]);
        assert!(plan.nodes[at("check --test")].called());
        assert!(!plan.nodes[at("check")].called());
        assert_eq!(
            plan.nodes[at("Z=1 check")].env,
            [("Z".to_owned(), "1".to_owned())]
        );
    }

    /// A call of `depends_post` runs after the task that asks for it, even when the
    /// task's plain node runs before it (mise runs `check`, `lint`, `check x`); a call
    /// of a name no task answers to fails naming it and the path to it; a task that
    /// asks itself with words, or another task that asks it back, is a cycle shown
    /// along its nodes.
    #[test]
    fn post_calls_unknown_calls_and_cycles_through_calls() {
        let mut ci = task("ci", &["report"]);
        ci.calls_post = vec![call("report", &["--full"], &[])];
        let tasks = vec![ci, task("report", &[])];
        assert_eq!(cycle(&tasks), None);
        let plan = Plan::build(&tasks, &["ci".into()]).unwrap();
        let shown: Vec<String> = plan.nodes.iter().map(|n| n.shown(&tasks)).collect();
        assert_eq!(shown, ["report", "ci", "report --full"]);
        assert_eq!(plan.nodes[1].after, [0]);
        assert_eq!(plan.nodes[2].after, [1]);

        let mut lint = task("lint", &[]);
        lint.calls = vec![call("chekc", &["--test"], &[])];
        let tasks = vec![lint, task("check", &[])];
        let err = Plan::build(&tasks, &["lint".into()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "task `chekc` (needed by lint) does not exist; did you mean `check`?"
        );
        assert_eq!(
            first_unknown(&tasks).map(|(t, n)| (t.name.clone(), n)),
            Some(("lint".into(), "chekc"))
        );

        let mut again = task("again", &[]);
        again.calls = vec![call("again", &["x"], &[])];
        let mut a = task("a", &[]);
        a.calls = vec![call("b", &["x"], &[])];
        let tasks = vec![again, a, task("b", &["a"])];
        assert_eq!(
            Plan::build(&tasks, &["again".into()]),
            Err(GraphError::Cycle(vec!["again x".into(), "again x".into()]))
        );
        assert_eq!(
            Plan::build(&tasks, &["a".into()]),
            Err(GraphError::Cycle(vec![
                "a".into(),
                "b x".into(),
                "a".into()
            ]))
        );
    }

    /// A run's labels: a task in the run once is its name, words or not (mise's
    /// `[setup]` for a lone `setup a`); several nodes of one task are each its name and
    /// words (mise's `[setup a]`, `[setup b]`, and `[setup]` for the plain one); nodes
    /// apart only by their variables, which mise labels alike, are written with them.
    /// vx labelled every node by its task's name alone.
    #[test]
    fn labels_tell_the_nodes_of_one_task_apart() {
        let labels = |calls: Vec<Call>, depends: &[&str]| {
            let mut main = task("main", depends);
            main.calls = calls;
            let tasks = vec![main, task("setup", &[])];
            Plan::build(&tasks, &["main".into()])
                .unwrap()
                .labels(&tasks)
        };
        let one = labels(vec![call("setup", &["a"], &[])], &[]);
        assert_eq!(one, ["setup", "main"]);
        let two = labels(
            vec![call("setup", &["a"], &[]), call("setup", &["b"], &[])],
            &[],
        );
        assert_eq!(two, ["setup a", "setup b", "main"]);
        let vars = labels(vec![call("setup", &[], &[("Z", "1")])], &["setup"]);
        assert_eq!(vars, ["setup", "Z=1 setup", "main"]);
        let mixed = labels(
            vec![
                call("setup", &["a"], &[("Z", "1")]),
                call("setup", &["a"], &[]),
            ],
            &["setup"],
        );
        assert_eq!(mixed, ["setup", "Z=1 setup a", "setup a", "main"]);
    }

    /// A cycle through a call is found when the tasks are read, as a cycle of names is
    /// (`cycle`, `break_cycles`), along its nodes with their words; two nodes of one
    /// task that wait for each other only by name are none. `cycle` saw names only.
    #[test]
    fn a_cycle_through_a_call_is_found_with_the_tasks() {
        let mut a = task("a", &[]);
        a.calls = vec![call("b", &["x"], &[])];
        let tasks = vec![task("c", &[]), a, task("b", &["a"])];
        let path: Vec<String> = ["a", "b x", "a"].map(String::from).into();
        assert_eq!(cycle_at(&tasks), Some((1, path.clone())));
        assert_eq!(break_cycles(&tasks), [(2, path)]);
        let mut env = task("a", &[]);
        env.calls_post = vec![call("a", &[], &[("Z", "1")])];
        let tasks = vec![env];
        let path: Vec<String> = ["Z=1 a", "Z=1 a"].map(String::from).into();
        assert_eq!(cycle(&tasks), Some(path));
        // `lint` depends on `check` and runs `check x` after it: no cycle.
        let mut lint = task("lint", &["check"]);
        lint.calls_post = vec![call("check", &["x"], &[])];
        let tasks = vec![lint, task("check", &[])];
        assert_eq!(cycle(&tasks), None);
        assert_eq!(break_cycles(&tasks), []);
    }

    #[test]
    fn unknown_names_and_cycles_say_the_path() {
        let tasks = vec![
            task("a", &["b"]),
            task("b", &["c"]),
            task("c", &["bulid"]),
            task("build", &[]),
        ];
        let err = Plan::build(&tasks, &["a".into()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "task `bulid` (needed by a → b → c) does not exist; did you mean `build`?"
        );
        let tasks = vec![task("x", &["y"]), task("y", &["x"])];
        assert_eq!(
            cycle(&tasks),
            Some(vec!["x".to_owned(), "y".to_owned(), "x".to_owned()])
        );
        assert!(matches!(
            Plan::build(&tasks, &["x".into()]),
            Err(GraphError::Cycle(_))
        ));
        let err = Plan::build(&tasks, &["z".into()]).unwrap_err();
        assert_eq!(err.to_string(), "no task `z`");
    }
}
