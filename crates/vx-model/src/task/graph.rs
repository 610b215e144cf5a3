//! The graph of a run: which tasks `vx run A B` runs and in what order.
//!
//! A task's `depends` (names or globs) must finish (or, for a service, be ready)
//! before it starts, and are pulled into the run; `depends_post` tasks are pulled in
//! and run after it; `wait_for` tasks are waited for only when something else pulled
//! them in. Each task runs once however often it is named. A name that is no task
//! (or alias) and a cycle are errors that show the path that led there.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};

use thiserror::Error;

use super::Task;
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
        task.depends
            .iter()
            .chain(&task.depends_post)
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
/// end), or `None`.
pub fn cycle(tasks: &[Task]) -> Option<Vec<String>> {
    let edges = before(tasks);
    let (_, path) = cycles_in(&edges, true).into_iter().next()?;
    Some(names_of(tasks, path))
}

/// The tasks to leave out so that no cycle is left, found in one depth-first walk
/// (each edge followed once, however many cycles): each task whose dependency closes
/// a cycle, with the names along that cycle (the first repeated at the end). The rest
/// of the graph is then acyclic.
pub(crate) fn break_cycles(tasks: &[Task]) -> Vec<(usize, Vec<String>)> {
    let edges = before(tasks);
    cycles_in(&edges, false)
        .into_iter()
        .map(|(at, path)| (at, names_of(tasks, path)))
        .collect()
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
        task.depends
            .iter()
            .chain(&task.depends_post)
            .chain(&task.wait_for)
            .find(|p| !is_glob(p) && names.position(p).is_none())
            .map(|p| (task, p.as_str()))
    })
}

/// One task of a run's plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Its index in the task list.
    pub task: usize,
    /// The plan's nodes (indexes into [`Plan::nodes`]) that must be done (or ready)
    /// before it starts.
    pub after: Vec<usize>,
}

/// What a run runs, in graph order: every node after the nodes it waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The nodes, dependencies first; among independent tasks, the order they were
    /// named.
    pub nodes: Vec<Node>,
}

impl Plan {
    /// The plan that runs `requested` (names or aliases) with what they need. Its
    /// work is linear in the tasks and edges it reaches (a log factor aside): a chain
    /// thousands deep plans at once (issue 66, item 13).
    pub fn build(tasks: &[Task], requested: &[String]) -> Result<Plan, GraphError> {
        let names = Names::of(tasks);
        // Which tasks are in: the requested, their `depends` and `depends_post`,
        // transitively, in the order a depth-first walk first reaches them; each
        // reached from `from` (for messages: the path is followed back).
        let mut rank: Vec<Option<usize>> = vec![None; tasks.len()];
        let mut included: Vec<usize> = Vec::new();
        let mut from: Vec<Option<usize>> = vec![None; tasks.len()];
        let mut stack: Vec<(usize, Option<usize>)> = Vec::new();
        for name in requested.iter().rev() {
            let i = names.position(name).ok_or_else(|| GraphError::Unknown {
                name: name.clone(),
                path: Vec::new(),
                suggestion: similar(tasks, name).map(|t| t.name.clone()),
            })?;
            stack.push((i, None));
        }
        let path_to = |from: &[Option<usize>], mut at: Option<usize>| {
            let mut path = Vec::new();
            while let Some(i) = at {
                path.push(tasks[i].name.clone());
                at = from[i];
            }
            path.reverse();
            path
        };
        while let Some((i, parent)) = stack.pop() {
            if rank[i].is_some() {
                continue;
            }
            rank[i] = Some(included.len());
            included.push(i);
            from[i] = parent;
            for pattern in tasks[i].depends.iter().chain(&tasks[i].depends_post).rev() {
                // A pattern that matches no task fails as a name that names none (as
                // mise's `task not found`): a typo is never a dependency quietly dropped.
                let found = names.resolve(tasks, pattern);
                if found.is_empty() {
                    return Err(GraphError::Unknown {
                        name: pattern.clone(),
                        path: path_to(&from, Some(i)),
                        suggestion: similar(tasks, pattern).map(|t| t.name.clone()),
                    });
                }
                for j in found.into_iter().rev() {
                    if j != i {
                        stack.push((j, Some(i)));
                    }
                }
            }
        }
        if let Some(cycle) = cycle_among(tasks, &included) {
            return Err(GraphError::Cycle(cycle));
        }
        let edges = before(tasks);
        // Graph order: repeatedly take, in inclusion order, a task whose
        // predecessors (within the run) are all placed: the ready tasks kept by
        // their rank, each edge counted down once.
        let mut waiting: Vec<usize> = vec![0; tasks.len()];
        let mut after: Vec<Vec<usize>> = vec![Vec::new(); tasks.len()];
        for &i in &included {
            for &j in &edges[i] {
                if rank[j].is_some() {
                    waiting[i] += 1;
                    after[j].push(i);
                }
            }
        }
        let mut ready: BinaryHeap<Reverse<usize>> = included
            .iter()
            .filter(|&&i| waiting[i] == 0)
            .filter_map(|&i| rank[i].map(Reverse))
            .collect();
        let mut placed: Vec<usize> = Vec::with_capacity(included.len());
        let mut node: Vec<Option<usize>> = vec![None; tasks.len()];
        while let Some(Reverse(r)) = ready.pop() {
            let i = included[r];
            node[i] = Some(placed.len());
            placed.push(i);
            for &k in &after[i] {
                waiting[k] -= 1;
                if waiting[k] == 0
                    && let Some(r) = rank[k]
                {
                    ready.push(Reverse(r));
                }
            }
        }
        if placed.len() < included.len() {
            // Only a cycle leaves a task unplaced, and cycles were refused above.
            let rest: Vec<String> = included
                .iter()
                .filter(|&&i| node[i].is_none())
                .map(|&i| tasks[i].name.clone())
                .collect();
            return Err(GraphError::Cycle(rest));
        }
        let nodes = placed
            .iter()
            .map(|&i| Node {
                task: i,
                after: edges[i].iter().filter_map(|&j| node[j]).collect(),
            })
            .collect();
        Ok(Plan { nodes })
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
