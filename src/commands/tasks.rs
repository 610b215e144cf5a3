//! `vx tasks [ls] [--json] [--hidden]` and `vx tasks info TASK [--json]` (also `vx
//! tasks TASK`): the project's tasks as `vx run` knows them, listed as `vx run` alone
//! lists them, or one shown, as mise's `tasks` does. Nothing runs: a task named `ls`
//! or `info` runs with `vx run ls`.

use vx_base::exit::Error;

use crate::cli::{TasksArgs, TasksAsked};

/// Runs `vx tasks`.
pub(crate) fn run(args: &TasksArgs) -> Result<i32, Error> {
    let asked = args.asked();
    let manifest = match &asked {
        TasksAsked::List { manifest, .. } | TasksAsked::Info { manifest, .. } => *manifest,
    };
    let session = super::open(&vx_ops::session::Opening::new(
        manifest,
        vx_ops::session::Want::Tasks,
    ))?;
    let note = |line: &str| vx_base::note!("{line}");
    let text = match asked {
        TasksAsked::Info { task, json, .. } => {
            let described = vx_ops::run::described(&session, task, &note)?;
            match json {
                true => crate::present::tasks::info_json(&described),
                false => crate::present::tasks::info(&described),
            }
        }
        TasksAsked::List { json, hidden, .. } => {
            let listed = vx_ops::run::listed(&session, &note)?;
            let shown: Vec<&vx_ops::run::Described> =
                (listed.iter()).filter(|d| hidden || !d.task.hide).collect();
            match json {
                true => crate::present::tasks::list_json(&shown),
                false => {
                    let tasks: Vec<vx_model::task::Task> =
                        shown.iter().map(|d| d.task.clone()).collect();
                    let path = &session.project()?.path;
                    crate::present::run::tasks(path, &tasks, hidden, &super::note)
                }
            }
        }
    };
    super::print(&text)?;
    Ok(vx_base::exit::OK)
}
