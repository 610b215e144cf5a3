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
