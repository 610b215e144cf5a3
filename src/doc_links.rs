//! Every relative link of README.md and docs/ resolves: the file it names exists and,
//! when it names a heading (`lock.md#the-store`), the heading does. The book CI builds
//! from docs/ (`mdbook build docs`) would otherwise render a broken link silently.
//! And every file or folder of the repository that the map of the code
//! (docs/ARCHITECTURE.md, CONTRIBUTING.md) names in a code span exists, so the map
//! cannot point at code that moved. Test-only: the binary carries none of it.

use std::path::{Path, PathBuf};

/// The Markdown files checked: README.md and every `.md` under docs/.
fn documents(root: &Path) -> Vec<PathBuf> {
    let mut found = vec![root.join("README.md")];
    let mut dirs = vec![root.join("docs")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The lines of `markdown` outside fenced code blocks (the fences' own lines left out
/// too).
fn unfenced(markdown: &str) -> impl Iterator<Item = &str> {
    let mut fenced = false;
    markdown.lines().filter(move |line| {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            return false;
        }
        !fenced
    })
}

/// The text of `markdown` outside fenced code blocks and code spans, line by line.
fn prose(markdown: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for line in unfenced(markdown) {
        let mut text = String::new();
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 0 {
                text.push_str(part);
            }
        }
        lines.push(text);
    }
    lines
}

/// The link targets of `markdown`'s inline links, `[text](target)`.
fn links(markdown: &str) -> Vec<String> {
    let pattern = regex::Regex::new(r#"\]\(([^)\s]+)(?:\s+"[^"]*")?\)"#).unwrap();
    prose(markdown)
        .iter()
        .flat_map(|line| {
            pattern
                .captures_iter(line)
                .map(|c| c[1].to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The anchors of `markdown`'s headings, as GitHub and mdBook make them: lower case,
/// spaces as `-`, punctuation other than `-` and `_` dropped.
fn anchors(markdown: &str) -> Vec<String> {
    let mut fenced = false;
    let mut found = Vec::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        if fenced || !line.starts_with('#') {
            continue;
        }
        let title = line.trim_start_matches('#').trim();
        let anchor: String = title
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                _ => None,
            })
            .collect();
        found.push(anchor);
    }
    found
}

/// What is wrong with `target`, a link in the document `from`; `None` when it resolves
/// or is not a relative link.
fn broken(from: &Path, target: &str) -> Option<String> {
    if target.contains("://") || target.starts_with("mailto:") {
        return None;
    }
    let (file, anchor) = match target.split_once('#') {
        Some((file, anchor)) => (file, Some(anchor)),
        None => (target, None),
    };
    let path = if file.is_empty() {
        from.to_path_buf()
    } else {
        from.parent().unwrap().join(file)
    };
    if !path.exists() {
        return Some(format!("{target}: no such file"));
    }
    let anchor = anchor.filter(|a| !a.is_empty())?;
    if path.extension().is_none_or(|e| e != "md") {
        return None;
    }
    let text = std::fs::read_to_string(&path).unwrap();
    (!anchors(&text).iter().any(|a| a == anchor))
        .then(|| format!("{target}: no heading #{anchor} in {}", path.display()))
}

/// The design card the project was started from lives outside the repository: a
/// source or a document citing it sends a reader nowhere.
const DESIGN: &str = "DESIGN.md";

/// The documents that map the code: what each path they name must be.
const MAPS: &[&str] = &["docs/ARCHITECTURE.md", "CONTRIBUTING.md"];

/// The folders at the top of the repository whose paths a map names (`crates/vx-tasks/src/`,
/// `tui/src/inline.rs`, `scripts/dist/`).
const TOP: &[&str] = &[
    "src", "crates", "tests", "docs", "tui", "shm", "text", "fixture", "scripts", "bindings",
    "editors", "benches", "examples", "fuzz", "npm", "pypi", ".ci",
];

/// The repository paths `markdown` names in code spans: a span that starts with one of
/// [`TOP`]'s folders and names a folder (`crates/vx-tasks/src/`) or a file (`src/lib.rs`).
/// Placeholders (`crates/vx-ops/src/NAME.rs`) and patterns (`tests/it/tasks_*.rs`,
/// `src/**/*.rs`) are not paths; nor is Go's `text/template`, which names neither.
fn named_paths(markdown: &str) -> Vec<String> {
    let span = regex::Regex::new(r"`([^`\s]+)`").unwrap();
    let mut found = Vec::new();
    for line in unfenced(markdown) {
        for c in span.captures_iter(line) {
            let path = &c[1];
            let Some((top, _)) = path.split_once('/') else {
                continue;
            };
            let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
            let a_file_or_folder = path.ends_with('/') || last.contains('.');
            let placeholder = path.contains(['*', '{', '<']) || path.contains("NAME");
            if TOP.contains(&top) && a_file_or_folder && !placeholder {
                found.push(path.to_owned());
            }
        }
    }
    found
}

/// The Rust files `markdown` names by their last parts in code spans (`runner.rs`,
/// `extract/xz.rs`), as the rooms' rows name the files of a room, that no path of
/// `files` ends with. Spans starting with one of [`TOP`]'s folders are [`named_paths`]'
/// to check; placeholders (`commands/NAME.rs`) are no file.
fn unknown_rust_files(markdown: &str, files: &[String]) -> Vec<String> {
    let span = regex::Regex::new(r"`([A-Za-z0-9_./-]+\.rs)`").unwrap();
    let mut unknown = Vec::new();
    for line in unfenced(markdown) {
        for name in span.captures_iter(line).map(|c| c[1].to_owned()) {
            let top = TOP.contains(&name.split('/').next().unwrap_or(""));
            let tail = format!("/{name}");
            if !top && !name.contains("NAME") && !files.iter().any(|f| f.ends_with(&tail)) {
                unknown.push(name);
            }
        }
    }
    unknown
}

/// Every `.rs` file of the repository (outside `.git`, `target`, `node_modules`), as a
/// path from its root with `/`.
fn rust_files(root: &Path) -> Vec<String> {
    let (mut found, mut dirs) = (Vec::new(), vec![root.to_path_buf()]);
    while let Some(dir) = dirs.pop() {
        for path in std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()) {
            let name = path.file_name().unwrap_or_default();
            if [".git", "target", "node_modules"]
                .iter()
                .any(|skip| name == *skip)
            {
                continue;
            }
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                found.push(format!("/{rel}"));
            }
        }
    }
    found
}

/// The Rust example of CONTRIBUTING.md's "Writing a command", its lines trimmed, without
/// its comments (`// …` marks what it leaves out).
fn command_example(contributing: &str) -> Vec<String> {
    let section = &contributing[contributing.find("## Writing a command").unwrap_or(0)..];
    let code = section.split("```rust\n").nth(1).unwrap_or("");
    let code = code.split("```").next().unwrap_or("");
    (code.lines().map(str::trim))
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .map(String::from)
        .collect()
}

/// Whether every line of `example` is a line of `file` (trimmed), in the same order.
fn lines_in_order(example: &[String], file: &str) -> bool {
    let mut lines = file.lines().map(str::trim);
    example.iter().all(|want| lines.any(|l| l == want))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_of_writing_a_command_is_the_real_prune_command() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
        let example = command_example(&read("CONTRIBUTING.md"));
        assert!(
            example.len() > 10,
            "CONTRIBUTING.md's example is gone: {example:?}"
        );
        let prune = read("src/commands/prune.rs");
        assert!(
            lines_in_order(&example, &prune),
            "CONTRIBUTING.md's \"Writing a command\" is no longer src/commands/prune.rs \
             abridged: change the one with the other"
        );
        // A line the command does not have is found.
        let mut changed = example.clone();
        changed[3] = "vx::session::Session::open(),".to_owned();
        assert!(!lines_in_order(&changed, &prune));
    }

    #[test]
    fn every_relative_link_in_the_readme_and_docs_resolves() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut problems = Vec::new();
        for document in documents(root) {
            let text = std::fs::read_to_string(&document).unwrap();
            for target in links(&text) {
                if let Some(problem) = broken(&document, &target) {
                    let name = document.strip_prefix(root).unwrap_or(&document);
                    problems.push(format!("{}: {problem}", name.display()));
                }
            }
        }
        assert!(
            problems.is_empty(),
            "broken links:\n{}",
            problems.join("\n")
        );
    }

    #[test]
    fn links_in_code_are_not_links_and_anchors_follow_the_headings() {
        let text = "# The lock\n## `vx board dump`\n## Mirrors, fleets and bundles\n\
                    See [a](a.md#x) and `[b](b.md)`.\n```\n[c](c.md)\n```\n";
        assert_eq!(links(text), ["a.md#x"]);
        assert_eq!(
            anchors(text),
            ["the-lock", "vx-board-dump", "mirrors-fleets-and-bundles"]
        );
    }

    #[test]
    fn a_missing_file_or_heading_is_reported() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let readme = root.join("README.md");
        assert!(broken(&readme, "docs/no-such-page.md").is_some());
        assert!(broken(&readme, "docs/guide/lock.md#no-such-heading").is_some());
        assert_eq!(broken(&readme, "docs/guide/lock.md#the-store"), None);
        assert_eq!(broken(&readme, "https://example.org/x"), None);
    }

    #[test]
    fn every_path_the_map_of_the_code_names_exists() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        for map in MAPS {
            let text = std::fs::read_to_string(root.join(map)).unwrap();
            for path in named_paths(&text) {
                if !root.join(&path).exists() {
                    missing.push(format!("{map}: `{path}`"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "paths the map of the code names that do not exist (moved or renamed?):\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn every_rust_file_the_map_names_by_its_last_parts_exists() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let files = rust_files(root);
        let mut missing = Vec::new();
        for map in MAPS {
            let text = std::fs::read_to_string(root.join(map)).unwrap();
            let unknown = unknown_rust_files(&text, &files);
            missing.extend(unknown.iter().map(|name| format!("{map}: `{name}`")));
        }
        assert!(
            missing.is_empty(),
            "Rust files the map of the code names that no path of the repository ends with:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn a_moved_or_unknown_rust_file_is_found() {
        let files = ["/crates/vx-engine/src/install/extract/xz.rs".to_owned()];
        let text = "`xz.rs`, `extract/xz.rs`, `extract/gz.rs`, `scheduler.rs`, \
                    `src/gone.rs`, `commands/NAME.rs`";
        assert_eq!(
            unknown_rust_files(text, &files),
            ["extract/gz.rs", "scheduler.rs"]
        );
    }

    #[test]
    fn the_paths_of_a_map_are_its_code_spans_that_name_files_or_folders() {
        let text = "| `crates/vx-tasks/src/` | `src/gone.rs`, `tui/src/inline.rs`, Go's `text/template`, \
                    `crates/vx-ops/src/NAME.rs`, `tests/it/tasks_*.rs`, `src/**/*.rs`, `vx.lock`, \
                    `crate::net` |\n```\n`src/in_a_fence.rs`\n```\n";
        assert_eq!(
            named_paths(text),
            ["crates/vx-tasks/src/", "src/gone.rs", "tui/src/inline.rs"]
        );
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let missing: Vec<String> = named_paths(text)
            .into_iter()
            .filter(|p| !root.join(p).exists())
            .collect();
        assert_eq!(missing, ["src/gone.rs"]);
    }

    #[test]
    fn no_source_or_document_cites_a_design_md_the_repository_lacks() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut citing = Vec::new();
        let mut dirs: Vec<PathBuf> = ["src", "docs", "tui", "shm", "text", "fixture", "tests"]
            .iter()
            .map(|d| root.join(d))
            .collect();
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs" || e == "md")
                    && std::fs::read_to_string(&path).is_ok_and(|t| t.contains(DESIGN))
                {
                    citing.push(path.strip_prefix(root).unwrap().display().to_string());
                }
            }
        }
        citing.sort();
        // This file names it to look for it.
        citing.retain(|p| !p.ends_with("doc_links.rs"));
        assert!(
            root.join(DESIGN).exists() || citing.is_empty(),
            "files that cite a {DESIGN} the repository does not hold (cite a document \
             of docs/ or say the thing): {citing:?}"
        );
    }
}
