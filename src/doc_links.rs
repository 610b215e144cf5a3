//! Every relative link of README.md and docs/ resolves: the file it names exists and,
//! when it names a heading (`lock.md#the-store`), the heading does. The book CI builds
//! from docs/ (`mdbook build docs`) would otherwise render a broken link silently.
//! Test-only: the binary carries none of it.

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

/// The text of `markdown` outside fenced code blocks and code spans, line by line.
fn prose(markdown: &str) -> Vec<String> {
    let mut fenced = false;
    let mut lines = Vec::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
