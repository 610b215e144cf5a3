//! The graph of a run: which tasks `vx run A B` runs and in what order.
//!
//! A task's `depends` (names or globs) must finish (or, for a service, be ready)
//! before it starts, and are pulled into the run; `depends_post` tasks are pulled in
//! and run after it; `wait_for` tasks are waited for only when something else pulled
//! them in. Each task runs once however often it is named. A name that is no task
//! (or alias) and a cycle are errors that show the path that led there.

use std::collections::BTreeSet;

use thiserror::Error;

use super::task::{Task, is_glob, pattern_matches};

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
    let mut text = match path.last() {
        None => format!("no task `{name}`"),
        Some(_) => format!(
            "task `{name}` (needed by {}) does not exist",
            path.join(" → ")
        ),
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

/// The index of the task called (or aliased) `name`.
pub fn position(tasks: &[Task], name: &str) -> Option<usize> {
    tasks
        .iter()
        .position(|t| t.name == name)
        .or_else(|| tasks.iter().position(|t| t.answers_to(name)))
}

/// The tasks a pattern names: a glob matches names (not aliases), in the tasks'
/// order; a plain name is the task or alias. Empty when nothing matches.
pub fn resolve(tasks: &[Task], pattern: &str) -> Vec<usize> {
    if is_glob(pattern) {
        (0..tasks.len())
            .filter(|&i| pattern_matches(pattern, &tasks[i].name))
            .collect()
    } else {
        position(tasks, pattern).into_iter().collect()
    }
}

/// The plain names in `task`'s `depends` and `depends_post` that are no task of
/// `tasks` (nor a file task of the project at `project`): running it fails naming the
/// first ([`Plan::build`]).
pub fn missing<'a>(tasks: &[Task], task: &'a Task, project: &std::path::Path) -> Vec<&'a str> {
    task.depends
        .iter()
        .chain(&task.depends_post)
        .filter(|name| {
            !is_glob(name)
                && position(tasks, name).is_none()
                && !super::task_files::exists(project, name)
        })
        .map(String::as_str)
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
    let mut edges = vec![BTreeSet::new(); tasks.len()];
    for (i, task) in tasks.iter().enumerate() {
        for pattern in task.depends.iter().chain(&task.wait_for) {
            edges[i].extend(
                resolve(tasks, pattern)
                    .into_iter()
                    .filter(|&j| j != i || !is_glob(pattern)),
            );
        }
        for pattern in &task.depends_post {
            for j in resolve(tasks, pattern) {
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
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        at: usize,
        edges: &[BTreeSet<usize>],
        marks: &mut [Mark],
        trail: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        marks[at] = Mark::Open;
        trail.push(at);
        for &next in &edges[at] {
            match marks[next] {
                Mark::Open => {
                    let from = trail.iter().position(|&i| i == next).unwrap_or(0);
                    let mut path = trail[from..].to_vec();
                    path.push(next);
                    return Some(path);
                }
                Mark::New => {
                    if let Some(path) = visit(next, edges, marks, trail) {
                        return Some(path);
                    }
                }
                Mark::Done => {}
            }
        }
        trail.pop();
        marks[at] = Mark::Done;
        None
    }
    let mut marks = vec![Mark::New; tasks.len()];
    for start in 0..tasks.len() {
        if marks[start] == Mark::New
            && let Some(path) = visit(start, &edges, &mut marks, &mut Vec::new())
        {
            return Some(path.into_iter().map(|i| tasks[i].name.clone()).collect());
        }
    }
    None
}

/// A plain (non-glob) dependency of some task that names no task, with the task
/// naming it: what the manifest refuses.
pub fn first_unknown(tasks: &[Task]) -> Option<(&Task, &str)> {
    tasks.iter().find_map(|task| {
        task.depends
            .iter()
            .chain(&task.depends_post)
            .chain(&task.wait_for)
            .find(|p| !is_glob(p) && position(tasks, p).is_none())
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
    /// The plan that runs `requested` (names or aliases) with what they need.
    pub fn build(tasks: &[Task], requested: &[String]) -> Result<Plan, GraphError> {
        // Which tasks are in: the requested, their `depends` and `depends_post`,
        // transitively; each reached first along `path` (for messages).
        let mut included: Vec<usize> = Vec::new();
        let mut stack: Vec<(usize, Vec<String>)> = Vec::new();
        for name in requested.iter().rev() {
            let i = position(tasks, name).ok_or_else(|| GraphError::Unknown {
                name: name.clone(),
                path: Vec::new(),
                suggestion: similar(tasks, name).map(|t| t.name.clone()),
            })?;
            stack.push((i, Vec::new()));
        }
        while let Some((i, path)) = stack.pop() {
            if included.contains(&i) {
                continue;
            }
            if path.contains(&tasks[i].name) {
                let mut cycle = path.clone();
                cycle.push(tasks[i].name.clone());
                let from = cycle.iter().position(|n| *n == tasks[i].name).unwrap_or(0);
                return Err(GraphError::Cycle(cycle[from..].to_vec()));
            }
            included.push(i);
            let mut here = path.clone();
            here.push(tasks[i].name.clone());
            for pattern in tasks[i].depends.iter().chain(&tasks[i].depends_post).rev() {
                let found = resolve(tasks, pattern);
                if found.is_empty() && !is_glob(pattern) {
                    return Err(GraphError::Unknown {
                        name: pattern.clone(),
                        path: here,
                        suggestion: similar(tasks, pattern).map(|t| t.name.clone()),
                    });
                }
                for j in found.into_iter().rev() {
                    if j != i {
                        stack.push((j, here.clone()));
                    }
                }
            }
        }
        if let Some(cycle) = cycle_among(tasks, &included) {
            return Err(GraphError::Cycle(cycle));
        }
        let edges = before(tasks);
        // Graph order: repeatedly take, in inclusion order, a task whose
        // predecessors (within the run) are all placed.
        let mut placed: Vec<usize> = Vec::new();
        while placed.len() < included.len() {
            let next = included
                .iter()
                .copied()
                .find(|i| {
                    !placed.contains(i)
                        && edges[*i]
                            .iter()
                            .all(|j| !included.contains(j) || placed.contains(j))
                })
                .expect("no cycle among the included tasks");
            placed.push(next);
        }
        let nodes = placed
            .iter()
            .map(|&i| Node {
                task: i,
                after: edges[i]
                    .iter()
                    .filter_map(|j| placed.iter().position(|p| p == j))
                    .collect(),
            })
            .collect();
        Ok(Plan { nodes })
    }

    /// The node running task `task`.
    pub fn node_of(&self, task: usize) -> Option<usize> {
        self.nodes.iter().position(|n| n.task == task)
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
