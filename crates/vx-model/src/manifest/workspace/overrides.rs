//! What a mise monorepo root's `[monorepo]` tables change (mise.jdx.dev, "Monorepo
//! Tasks"): `[monorepo.projects."<id>"]` corrects the package graph before it is built
//! ([`projects`]: `remove`, `depends`, `depends_add`, `depends_remove`, an id
//! `node:@acme/web` naming the npm package `@acme/web`, `cargo:`, `uv:`, `go:` a
//! crate, a uv project or a Go module), and `[monorepo.task_defaults.<name>]` fills
//! what a task of that name leaves unsaid ([`fill`]): the task's own word wins.

use std::collections::HashMap;

use vx_workspace::{Declared, DepKind, Target, Workspace};

use crate::import::mise::monorepo_tables::{Project, TaskDefaults};
use crate::task::{EnvVar, Task};

/// Each package's id (`PROVIDER:NAME`: its ecosystem and the name its manifest gives
/// it) to its index, the first package of an id kept: built once, so an override's ids
/// are each looked up in constant time, however many a file lists.
fn ids(ws: &Workspace) -> HashMap<String, usize> {
    let mut ids = HashMap::new();
    for (i, p) in ws.packages.iter().enumerate().filter(|(_, p)| !p.is_root()) {
        let name = p.manifest_name.as_deref().unwrap_or(&p.name);
        ids.entry(format!("{}:{name}", p.ecosystem.as_str()))
            .or_insert(i);
    }
    ids
}

/// `ws` with `projects`' overrides applied: edges added and taken away as declared
/// dependencies (so the graph, `^task` and the scripts' order all follow), then the
/// removed packages taken out (their tasks and every edge to them go with them). An
/// id that names no package is a line of `problems` and changes nothing; in one pass
/// over the overrides, each id looked up in a table made once.
pub(super) fn projects(ws: &mut Workspace, projects: &[Project], problems: &mut Vec<String>) {
    // Each package's index in `ws.packages`: whether it stays.
    let mut stays = vec![true; ws.packages.len()];
    let ids = ids(ws);
    let find = |id: &str| ids.get(id).copied();
    let unknown = |id: &str, problems: &mut Vec<String>| {
        problems.push(format!(
            "[monorepo.projects] `{id}` names no package of this workspace (ids are `node:NAME`, `cargo:`, `uv:`, `go:`; a project of vx's own cannot be added): not applied"
        ));
    };
    for project in projects {
        let Some(at) = find(&project.id) else {
            unknown(&project.id, problems);
            continue;
        };
        let targets = |ids: &[String], problems: &mut Vec<String>| -> Vec<usize> {
            ids.iter()
                .filter_map(|id| {
                    let found = find(id);
                    if found.is_none() {
                        unknown(id, problems);
                    }
                    found
                })
                .collect()
        };
        let replace = project.depends.as_deref().map(|d| targets(d, problems));
        let add = targets(&project.depends_add, problems);
        let take = targets(&project.depends_remove, problems);
        let declare = |ws: &Workspace, to: usize| {
            let package = &ws.packages[to];
            Declared {
                ecosystem: package.ecosystem,
                name: package
                    .manifest_name
                    .clone()
                    .unwrap_or(package.name.clone()),
                target: Target::Dir(package.dir.clone()),
                kind: DepKind::Normal,
            }
        };
        if let Some(replace) = replace {
            let declared: Vec<Declared> = replace.iter().map(|&to| declare(ws, to)).collect();
            ws.packages[at].declared = declared;
        }
        let take: Vec<Declared> = take.iter().map(|&to| declare(ws, to)).collect();
        ws.packages[at].declared.retain(|d| {
            !take
                .iter()
                .any(|t| d.ecosystem == t.ecosystem && (d.name == t.name || d.target == t.target))
        });
        let add: Vec<Declared> = add.iter().map(|&to| declare(ws, to)).collect();
        ws.packages[at].declared.extend(add);
        if project.remove {
            stays[at] = false;
        }
    }
    let mut stays = stays.into_iter();
    ws.packages.retain(|_| stays.next().unwrap_or(true));
}

/// `task` (as its package's file writes it, relative to the package's directory)
/// with what `defaults` gives where the task says nothing: `sources`, `outputs`,
/// `dir`, `depends`, `description`, `timeout` (not a service's) when it has none; `env`
/// and `tools` under its own; `cache = false` when given so.
pub(super) fn fill(task: &mut Task, defaults: &TaskDefaults) {
    if task.sources.is_empty() {
        task.sources = defaults.sources.clone();
    }
    if task.outputs.is_empty() {
        task.outputs = defaults.outputs.clone();
    }
    if task.dir.is_none() {
        task.dir = defaults.dir.clone();
    }
    if task.depends.is_empty() {
        task.depends = defaults.depends.clone();
    }
    if task.description.is_none() {
        task.description = defaults.description.clone();
    }
    if defaults.cache == Some(false) {
        task.cache = false;
    }
    if task.timeout.is_none() && !task.service {
        task.timeout = defaults.timeout;
    }
    let mut env: Vec<EnvVar> = (defaults.env.iter())
        .filter(|(name, _)| !task.env.iter().any(|v| v.name == *name))
        .map(|(name, value)| EnvVar {
            name: name.clone(),
            value: Some(value.clone()),
            line: 0,
            literal: true,
        })
        .collect();
    env.append(&mut task.env);
    task.env = env;
    tools_under(task, &defaults.tools);
}

/// `task`'s `tools` over `under` (a config root's or the task defaults'): each of
/// `under` whose name the task does not give, then the task's own.
pub(super) fn tools_under(task: &mut Task, under: &[(String, String)]) {
    let mut tools: Vec<(String, String)> = (under.iter())
        .filter(|(name, _)| !task.tools.iter().any(|(own, _)| own == name))
        .cloned()
        .collect();
    tools.append(&mut task.tools);
    task.tools = tools;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_default_fills_only_what_the_task_leaves_unsaid() {
        let defaults = TaskDefaults {
            name: "build".into(),
            sources: vec!["src/**".into()],
            outputs: vec!["dist/**".into()],
            env: vec![
                ("A".into(), "default".into()),
                ("B".into(), "default".into()),
            ],
            description: Some("builds".into()),
            cache: Some(false),
            timeout: Some(std::time::Duration::from_secs(60)),
            ..TaskDefaults::default()
        };
        let mut task = Task::named("build");
        task.outputs = vec!["out/**".into()];
        task.env = vec![EnvVar {
            name: "B".into(),
            value: Some("own".into()),
            line: 1,
            literal: false,
        }];
        fill(&mut task, &defaults);
        assert_eq!(task.sources, ["src/**"]);
        assert_eq!(task.outputs, ["out/**"]);
        assert_eq!(task.description.as_deref(), Some("builds"));
        assert!(!task.cache);
        assert_eq!(task.timeout, Some(std::time::Duration::from_secs(60)));
        let env: Vec<(&str, &str)> = (task.env.iter())
            .map(|v| (v.name.as_str(), v.value.as_deref().unwrap()))
            .collect();
        assert_eq!(env, [("A", "default"), ("B", "own")]);
    }
}
