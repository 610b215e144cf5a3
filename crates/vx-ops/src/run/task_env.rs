//! `vx run --task-env NAME=VALUE`: variables set for the tasks named, over their own
//! `env`, as a mise dependency's `env` (`"Z=1 setup"`, `{ task = "setup", env = { Z =
//! "1" } }`) is set for that run of the task alone, not for what it depends on. They
//! become entries of the task's own `env`, taken as written (never expanded), so
//! that they are part of what makes it this run of it (its identity in the run's
//! ledger, `vx_tasks::runner::ledger::identity`) and of its key: a run of `setup`
//! with `Z=1` is not the plain one's, and never restores its result.

use std::ffi::OsString;

use vx_model::task::graph;
use vx_model::task::{EnvVar, Task};

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
