//! `vx run --task-env NAME=VALUE`: variables set for the tasks named, over their own
//! `env`, as a mise dependency's `env` (`"Z=1 setup"`, `{ task = "setup", env = { Z =
//! "1" } }`) is set for that run of the task alone, not for what it depends on. They
//! become entries of the task's own `env`, taken as written (never expanded), so
//! that they are part of what makes it this run of it (its identity in the run's
//! ledger, `vx_tasks::runner::ledger::identity`) and of its key: a run of `setup`
//! with `Z=1` is not the plain one's, and never restores its result.

//!
//! A dependency with variables of its own (a [`Call`]) is a node of the plan with
//! them ([`graph::Node::env`]): its task is [`of_node`], given them the same way, so
//! that it is the same run of the task as `vx run --task-env` would start (one
//! identity in the ledger, one key).

use std::borrow::Cow;
use std::ffi::OsString;

use vx_model::task::graph::{self, Node, Plan};
use vx_model::task::{Call, EnvVar, Task};
use vx_tasks::args;

/// `tasks` with each of `requested` (the tasks named) given `given`'s variables.
pub(super) fn give(
    tasks: &mut [Task],
    requested: &[(String, Vec<OsString>)],
    given: &[(String, String)],
) {
    if given.is_empty() {
        return;
    }
    for (name, _) in requested {
        let Some(found) = graph::find(tasks, name).map(|t| t.name.clone()) else {
            continue;
        };
        let Some(task) = tasks.iter_mut().find(|t| t.name == found) else {
            continue;
        };
        set(task, given);
    }
}

/// `given`'s variables set for `task`, over its own entries of their names, taken as
/// written.
fn set(task: &mut Task, given: &[(String, String)]) {
    for (var, value) in given {
        task.env.retain(|e| e.name != *var);
        task.env.push(EnvVar {
            name: var.clone(),
            value: Some(value.clone()),
            line: 0,
            literal: true,
        });
    }
}

/// The task `node` runs: its task, given the variables a dependency set for it.
pub(super) fn of_node<'t>(tasks: &'t [Task], node: &Node) -> Cow<'t, Task> {
    let task = &tasks[node.task];
    if node.env.is_empty() {
        return Cow::Borrowed(task);
    }
    let mut task = task.clone();
    set(&mut task, &node.env);
    Cow::Owned(task)
}

/// Whether a word or a variable of `node` is the asking task's argument (`{{NAME}}`):
/// filled in from that task's values ([`fill_call`]).
pub(super) fn templated(node: &Node) -> bool {
    let values = node.env.iter().map(|(_, value)| value);
    node.words.iter().chain(values).any(|w| w.contains("{{"))
}

/// The words and variables of the plan's node `n` with the asking task's arguments
/// filled in (each one word, as given): from the first node whose task asks for it
/// (a [`Call`] of its `depends` or `depends_post` with those words and variables) and
/// whose values are known in `values`.
pub(super) fn fill_call(
    plan: &mut Plan,
    n: usize,
    tasks: &[Task],
    values: &[Option<args::Values>],
) {
    let node = &plan.nodes[n];
    let asks = |call: &Call| {
        call.words == node.words
            && call.env == node.env
            && graph::find(tasks, &call.task).is_some_and(|t| t.name == tasks[node.task].name)
    };
    let asker = plan.nodes.iter().zip(values).find_map(|(m, values)| {
        let task = &tasks[m.task];
        let mut calls = task.calls.iter().chain(&task.calls_post);
        calls.any(asks).then_some((task, values.as_ref()?))
    });
    let Some((task, values)) = asker else {
        return;
    };
    let filled = |word: &String| args::fill(word, task, values, &|value| value.to_owned());
    let words = node.words.iter().map(filled).collect();
    let env = (node.env.iter())
        .map(|(var, value)| (var.clone(), filled(value)))
        .collect();
    let node = &mut plan.nodes[n];
    node.words = words;
    node.env = env;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tasks named (by name or alias) get the variables, over an entry of their
    /// own of that name; the others keep theirs.
    #[test]
    fn the_tasks_named_get_the_variables_over_their_own() {
        let mut setup = Task::named("setup");
        setup.alias = vec!["s".into()];
        setup.env.push(EnvVar {
            name: "Z".into(),
            value: Some("own".into()),
            line: 3,
            literal: false,
        });
        let mut tasks = vec![setup, Task::named("pre")];
        let given = [("Z".to_owned(), "1 ${X}".to_owned())];
        give(&mut tasks, &[("s".into(), Vec::new())], &given);
        let env: Vec<_> = tasks[0]
            .env
            .iter()
            .map(|e| (&e.name[..], e.value.as_deref(), e.literal))
            .collect();
        assert_eq!(env, [("Z", Some("1 ${X}"), true)]);
        assert!(tasks[1].env.is_empty());
    }
}
