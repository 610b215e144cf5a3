//! Arbitrary bytes as a project's tasks, the first byte choosing how they are written,
//! each read and planned as `vx run` reads and plans them:
//!
//! 0. a `vx.toml` (its `[tasks]`: names, aliases, `depends`, `depends_post`,
//!    `wait_for`, globs, declared arguments; `Manifest::from_bytes`, which refuses
//!    unknown names and cycles at their lines);
//! 1. a file task's header (`.vx/tasks/NAME`'s `#VX` lines,
//!    `task_files::header_toml` then `manifest::file_task`).
//!
//! Then, for every task (at most 64): the plan of a run of it (`graph::Plan::build`:
//! every node after those it waits for, each task once), the plan of all of them,
//! `graph::cycle`, and its arguments parsed from a few command lines
//! (`tasks::args::parse`, `fill`, `env`, `help`). Nothing may panic or hang; a plan
//! lists each task once, dependencies first.
#![no_main]

use std::ffi::OsString;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use vx_model::manifest::Manifest;
use vx_model::task::{Task, graph};
use vx_tasks::args;

/// Command lines a task's arguments are parsed from.
const WORDS: [&[&str]; 7] = [
    &[],
    &["--help"],
    &["a", "b"],
    &["--flag", "--name=x", "-v", "--", "rest"],
    &["--name", "x y", "--count", "3"],
    &["-nv", "-l3", "-f=x", "-", "-h", "-é"],
    &["a", "--no-flag", "-vvv", "--unknown", "b", "c"],
];

/// What `vx run` does with `tasks` before it runs them.
fn plan(tasks: &[Task]) {
    let _ = graph::cycle(tasks);
    let _ = graph::first_unknown(tasks);
    for task in tasks.iter().take(64) {
        if let Ok(plan) = graph::Plan::build(tasks, std::slice::from_ref(&task.name)) {
            let mut seen = std::collections::HashSet::new();
            for (at, node) in plan.nodes.iter().enumerate() {
                assert!(seen.insert(node.task), "a task planned twice");
                assert!(
                    node.after.iter().all(|&n| n < at),
                    "a node before what it waits for"
                );
            }
        }
        for words in WORDS {
            let words: Vec<OsString> = words.iter().map(OsString::from).collect();
            let _ = args::wants_help(task, &words);
            // Some variables set (an argument's `env`), others not.
            let lookup = |name: &str| (name.len() % 2 == 0).then(|| name.to_owned());
            if let Ok(values) = args::parse(task, &words, &lookup) {
                for run in &task.run {
                    let _ = args::fill(run, task, &values, &|s| format!("'{s}'"));
                    let _ = args::fill(run, task, &values.keyed(), &|s| format!("'{s}'"));
                }
                let _ = args::env(&values);
            }
        }
        let _ = args::help(task);
        let _ = task.about();
    }
    let all: Vec<String> = tasks.iter().take(64).map(|t| t.name.clone()).collect();
    let _ = graph::Plan::build(tasks, &all);
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    match which % 2 {
        0 => {
            if let Ok(manifest) = Manifest::from_bytes(Path::new("vx.toml"), rest) {
                plan(&manifest.environment.tasks);
            }
        }
        _ => {
            let text = String::from_utf8_lossy(rest);
            let header = vx_model::manifest::task_files::header_toml(&text, "#VX");
            if let Ok(task) =
                vx_model::manifest::file_task(Path::new(".vx/tasks/t"), &header, "t", ".vx/tasks/t")
            {
                plan(&[task]);
            }
        }
    }
});
