//! What `vx run` alone prints ([`vx_ops::run::Prepared::List`]): the project's
//! tasks (hidden ones aside) with the first line of their descriptions and their
//! aliases; or, through the caller's `note`, how to add one.

use std::path::Path;

use vx_model::task::Task;
use vx_text::sanitize;

/// The tasks of the manifest at `manifest` as stdout's text, the hidden ones only
/// when `hidden` (`vx tasks ls --hidden`); empty when it has none, said through `note`.
pub(crate) fn tasks(manifest: &Path, tasks: &[Task], hidden: bool, note: &dyn Fn(&str)) -> String {
    if tasks.is_empty() {
        note(&format!(
            "vx: {} has no tasks; add one under [tasks], e.g. `lint = \"ruff check .\"`, then `vx run lint`",
            manifest.display()
        ));
        return String::new();
    }
    let shown: Vec<&Task> = tasks.iter().filter(|t| hidden || !t.hide).collect();
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
pub(crate) fn key_documents(documents: &[(String, vx_tasks::cache::Document)]) -> String {
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

/// `vx run --dry-run --json`: one `plan` event, each task with its package,
/// directory, dependencies, command, key and cache state; with `--affected`, the base
/// and each task's reason (`null` for a task only needed by a selected one).
pub(crate) fn plan_json(planned: &vx_ops::run::Planned) -> String {
    let tasks: Vec<serde_json::Value> = planned
        .rows
        .iter()
        .map(|row| {
            let mut task = serde_json::json!({
                "task": row.task,
                "label": row.label,
                "args": row.args,
                "env": row.env,
                "package": row.package,
                "dir": row.dir,
                "depends": row.depends,
                "depends_labels": row.depends_labels,
                "command": row.command,
                "key": row.key,
                "cache": row.cache,
            });
            if planned.base.is_some() {
                task["affected"] = row
                    .affected
                    .as_ref()
                    .map_or(serde_json::Value::Null, reason_json);
            }
            task
        })
        .collect();
    let mut event = serde_json::json!({ "event": "plan", "tasks": tasks });
    if let Some(base) = &planned.base {
        event["affected"] = serde_json::json!({ "base": base.commit, "named": base.named });
    }
    let mut text = event.to_string();
    text.push('\n');
    text
}

/// One task's reason for `--affected`, as JSON: `reason` (the closed set), the
/// `files` behind it, and the `task` it waits for or `why` a lockfile cannot tell.
fn reason_json(reason: &vx_ops::run::Reason) -> serde_json::Value {
    let mut out = serde_json::json!({ "reason": reason.as_str(), "files": reason.files() });
    match reason {
        vx_ops::run::Reason::DependsOnAffected(task) => out["task"] = task.as_str().into(),
        vx_ops::run::Reason::LockfileEntryChanged { why: Some(why), .. } => {
            out["why"] = why.as_str().into()
        }
        _ => {}
    }
    out
}

/// `vx run --dry-run`: a line per planned task, in plan order: its name, what it
/// waits for, and whether this machine holds its result; with `--affected`, why it
/// is selected.
pub(crate) fn plan_text(planned: &vx_ops::run::Planned) -> String {
    let rows = &planned.rows;
    let width = rows.iter().map(|r| r.shown.len()).max().unwrap_or(0);
    let mut out = String::new();
    if let Some(base) = &planned.base {
        let short = &base.commit[..base.commit.len().min(12)];
        out.push_str(&format!(
            "affected since {} ({short})\n",
            sanitize(&base.named)
        ));
    }
    for row in rows {
        let mut line = format!("{:width$}", sanitize(&row.shown));
        if !row.depends_shown.is_empty() {
            let after = row.depends_shown.join(", ");
            line.push_str(&format!("  after {}", sanitize(&after)));
        }
        if row.key.is_some() {
            line.push_str(&format!("  ({})", row.cache));
        }
        if let Some(reason) = &row.affected {
            line.push_str(&format!("  [{}]", sanitize(&reason_text(reason))));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A reason in a few words: `file changed: src/a.ts (+2)`.
fn reason_text(reason: &vx_ops::run::Reason) -> String {
    use vx_ops::run::Reason;
    let files = |what: &str, files: &[String]| match files {
        [] => what.to_owned(),
        [one] => format!("{what}: {one}"),
        [one, rest @ ..] => format!("{what}: {one} (+{})", rest.len()),
    };
    match reason {
        Reason::FileChanged(f) => files("file changed", f),
        Reason::LockfileEntryChanged { files: f, .. } => files("lockfile entry changed", f),
        Reason::GlobalInput(f) => files("global input changed", f),
        Reason::DependsOnAffected(task) => format!("depends on {task}"),
        Reason::DependencyChanged(f) => files("a workspace dependency changed", f),
        Reason::NoInputs => "no sources: cannot tell".to_owned(),
    }
}
