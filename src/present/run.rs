//! What `vx run` alone prints ([`vx_ops::run::Prepared::List`]): the project's
//! tasks (hidden ones aside) with the first line of their descriptions and their
//! aliases; or, through the caller's `note`, how to add one.

use std::path::Path;

use vx_tasks::model::Task;
use vx_text::sanitize;

/// The tasks of the manifest at `manifest` as stdout's text (empty when it has none,
/// said through `note`).
pub fn tasks(manifest: &Path, tasks: &[Task], note: &dyn Fn(&str)) -> String {
    if tasks.is_empty() {
        note(&format!(
            "vx: {} has no tasks; add one under [tasks], e.g. `lint = \"ruff check .\"`, then `vx run lint`",
            manifest.display()
        ));
        return String::new();
    }
    let shown: Vec<&Task> = tasks.iter().filter(|t| !t.hide).collect();
    let width = shown.iter().map(|t| t.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for task in shown {
        let about = task.about();
        let mut about = sanitize(about.lines().next().unwrap_or("")).into_owned();
        if !task.alias.is_empty() {
            about.push_str(&format!(" (alias: {})", task.alias.join(", ")));
        }
        out.push_str(format!("{:width$}  {about}", task.name).trim_end());
        out.push('\n');
    }
    out
}

/// `vx run --explain-key`: each planned task's key and the document it is the SHA-256
/// of, as one JSON object by task name (indented, so two runs' texts diff well).
pub fn key_documents(documents: &[(String, vx_tasks::cache::Document)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = documents
        .iter()
        .map(|(name, document)| {
            (
                name.clone(),
                serde_json::json!({ "key": document.key(), "document": document }),
            )
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&map).expect("JSON serializes");
    text.push('\n');
    text
}

/// `vx run --dry-run --json`: the plan as one `plan` event (docs/guide/tasks.md,
/// "Events"), each task with its package, directory, dependencies, command, key and
/// cache state, on one line.
pub fn plan_json(rows: &[vx_ops::run::PlanRow]) -> String {
    let tasks: Vec<serde_json::Value> = rows
        .iter()
        .map(|row| {
            serde_json::json!({
                "task": row.task,
                "package": row.package,
                "dir": row.dir,
                "depends": row.depends,
                "command": row.command,
                "key": row.key,
                "cache": row.cache,
            })
        })
        .collect();
    let mut text = serde_json::json!({ "event": "plan", "tasks": tasks }).to_string();
    text.push('\n');
    text
}

/// `vx run --dry-run`: a line per planned task, in plan order: its name, what it
/// waits for, and whether this machine holds its result.
pub fn plan_text(rows: &[vx_ops::run::PlanRow]) -> String {
    let width = rows.iter().map(|r| r.task.len()).max().unwrap_or(0);
    let mut out = String::new();
    for row in rows {
        let mut line = format!("{:width$}", sanitize(&row.task));
        if !row.depends.is_empty() {
            line.push_str(&format!("  after {}", sanitize(&row.depends.join(", "))));
        }
        if row.key.is_some() {
            line.push_str(&format!("  ({})", row.cache));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
