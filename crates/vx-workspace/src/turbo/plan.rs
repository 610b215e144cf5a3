//! The task graph turbo would run: `turbo run TASK…` over the selected packages, each
//! task's `dependsOn` followed across the package graph (`^build` to each direct
//! dependency's `build`, `build` to the same package's, `web#build` to that one).
//! Like turbo, a package that does not have the script still gets the task when
//! turbo.json defines it (it runs nothing: [`PlanTask::command`] is `None`), so the
//! order through it holds.

use std::collections::{HashMap, VecDeque};

use super::{Dep, Task, TaskId, Turbo};
use crate::discover::Workspace;
use crate::error::{Error, Result};
use crate::graph::Graph;

/// One task of the plan.
#[derive(Clone, Debug)]
pub struct PlanTask {
    /// `pkg#task`.
    pub id: TaskId,
    /// The package's index in [`Workspace::packages`].
    pub package: usize,
    /// Its resolved definition.
    pub task: Task,
    /// The package's script of that name, which is what runs; `None` when it has none.
    pub command: Option<String>,
    /// The tasks it waits for, by index in [`Plan::tasks`], sorted.
    pub depends: Vec<usize>,
}

/// The tasks to run and what each waits for.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// The tasks, sorted by id.
    pub tasks: Vec<PlanTask>,
}

impl Plan {}

struct Builder<'a> {
    ws: &'a Workspace,
    graph: &'a Graph,
    turbo: &'a Turbo,
    by_name: HashMap<&'a str, usize>,
    defs: HashMap<(usize, String), Option<Task>>,
}

impl Builder<'_> {
    fn def(&mut self, package: usize, task: &str) -> Result<Option<Task>> {
        let key = (package, task.to_owned());
        if let Some(d) = self.defs.get(&key) {
            return Ok(d.clone());
        }
        let d = self.turbo.task(&self.ws.packages[package].name, task)?;
        self.defs.insert(key, d.clone());
        Ok(d)
    }

    fn invalid(&self, message: String) -> Error {
        Error::Invalid {
            file: self.turbo.root().file.clone(),
            message,
        }
    }
}

/// The plan for `requested` tasks (`build`, or one package's `web#build`) over the
/// packages `selected` marks (by index; the root package `//` runs only tasks turbo.json
/// names `//#task`). A task no turbo.json defines, a dependency on a missing package or
/// task, a dependency on a persistent task and a cycle of tasks are errors naming them.
pub fn plan(
    ws: &Workspace,
    graph: &Graph,
    turbo: &Turbo,
    requested: &[&str],
    selected: &[bool],
) -> Result<Plan> {
    let mut b = Builder {
        ws,
        graph,
        turbo,
        by_name: ws
            .packages
            .iter()
            .enumerate()
            .rev()
            .map(|(i, p)| (p.name.as_str(), i))
            .collect(),
        defs: HashMap::new(),
    };
    let mut nodes = Nodes::default();
    for &req in requested {
        if let Some(id) = TaskId::parse(req) {
            let Some(&p) = b.by_name.get(id.package.as_str()) else {
                return Err(b.invalid(format!("no package is named {:?} (in {req})", id.package)));
            };
            let Some(def) = b.def(p, &id.task)? else {
                return Err(b.invalid(format!("no turbo.json defines {req}")));
            };
            nodes.add(p, &id.task, def);
            continue;
        }
        if !turbo.task_names().contains(req) {
            return Err(b.invalid(format!("no turbo.json defines a task {req:?}")));
        }
        for p in (0..ws.packages.len()).filter(|&p| selected.get(p) == Some(&true)) {
            if let Some(def) = b.def(p, req)? {
                nodes.add(p, req, def);
            }
        }
    }
    while let Some(n) = nodes.queue.pop_front() {
        let (p, name) = (nodes.tasks[n].0, nodes.tasks[n].1.clone());
        // (package, task, whether it must exist: named as `pkg#task`)
        let mut targets: Vec<(usize, String, bool)> = Vec::new();
        for dep in &nodes.tasks[n].2.depends_on {
            match dep {
                Dep::Topological(t) => {
                    for d in b.graph.dependencies(p) {
                        targets.push((d, t.clone(), false));
                    }
                }
                Dep::Same(t) => targets.push((p, t.clone(), false)),
                Dep::Task(id) => {
                    let Some(&q) = b.by_name.get(id.package.as_str()) else {
                        return Err(b.invalid(format!(
                            "{}#{name} depends on {id}, but no package is named {:?}",
                            ws.packages[p].name, id.package
                        )));
                    };
                    targets.push((q, id.task.clone(), true));
                }
            }
        }
        for (q, t, named) in targets {
            let Some(qdef) = b.def(q, &t)? else {
                if named {
                    return Err(b.invalid(format!(
                        "{}#{name} depends on {}#{t}, which no turbo.json defines",
                        ws.packages[p].name, ws.packages[q].name
                    )));
                }
                continue;
            };
            if qdef.persistent && ws.packages[q].scripts.contains_key(&t) {
                return Err(b.invalid(format!(
                    "{}#{name} depends on {}#{t}, a persistent task: nothing may wait for one",
                    ws.packages[p].name, ws.packages[q].name
                )));
            }
            let m = nodes.add(q, &t, qdef);
            nodes.edges[n].push(m);
        }
    }
    finish(ws, nodes.tasks, nodes.edges)
}

/// The tasks met so far, each once, and the ones still to expand.
#[derive(Default)]
struct Nodes {
    index: HashMap<(usize, String), usize>,
    tasks: Vec<(usize, String, Task)>,
    edges: Vec<Vec<usize>>,
    queue: VecDeque<usize>,
}

impl Nodes {
    fn add(&mut self, package: usize, task: &str, def: Task) -> usize {
        if let Some(&n) = self.index.get(&(package, task.to_owned())) {
            return n;
        }
        let n = self.tasks.len();
        self.index.insert((package, task.to_owned()), n);
        self.tasks.push((package, task.to_owned(), def));
        self.edges.push(Vec::new());
        self.queue.push_back(n);
        n
    }
}

/// The plan sorted by id, its edges renumbered; a cycle is an error naming it.
fn finish(
    ws: &Workspace,
    tasks: Vec<(usize, String, Task)>,
    edges: Vec<Vec<usize>>,
) -> Result<Plan> {
    let ids: Vec<TaskId> = tasks
        .iter()
        .map(|(p, t, _)| TaskId::new(&ws.packages[*p].name, t))
        .collect();
    let mut order: Vec<usize> = (0..tasks.len()).collect();
    order.sort_by(|&a, &b| ids[a].cmp(&ids[b]));
    let mut rank = vec![0; tasks.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    let mut out: Vec<PlanTask> = tasks
        .into_iter()
        .zip(edges)
        .zip(ids)
        .map(|(((package, name, task), edges), id)| {
            let mut depends: Vec<usize> = edges.iter().map(|&e| rank[e]).collect();
            depends.sort_unstable();
            depends.dedup();
            PlanTask {
                id,
                package,
                command: ws.packages[package].scripts.get(&name).cloned(),
                task,
                depends,
            }
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    check_acyclic(&out)?;
    Ok(Plan { tasks: out })
}

fn check_acyclic(tasks: &[PlanTask]) -> Result<()> {
    crate::order::topological(tasks.len(), |i| tasks[i].depends.iter().copied())
        .map(drop)
        .map_err(|cycle| Error::Cycle {
            cycle: cycle.into_iter().map(|i| tasks[i].id.to_string()).collect(),
        })
}
