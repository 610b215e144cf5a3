//! The map names what exists: every file or folder of the repository that
//! docs/ARCHITECTURE.md or CONTRIBUTING.md names in backticks is there, so a newcomer
//! who follows either document lands on real code (issue 65: six rows once pointed at
//! moved files).
//!
//! Two kinds of name are held. A path from the root of the repository (`src/tasks/`,
//! `scripts/dist/build.sh`) must exist as written. A Rust file named by its last parts
//! (`runner.rs`, `extract/xz.rs`), as the rooms' rows name the files of their room, must
//! exist as the end of some `.rs` path of the repository. A name that is neither a
//! folder (`…/`) nor a file (an extension) is not taken for a path (Go's
//! `text/template` is no folder of the `text` crate). Names with a placeholder
//! (`NAME`, `*`) or of files that live in a user's project (`vx.toml`, `.vx/…`) are not
//! the repository's and are left alone.

use std::path::Path;

use super::ROOT;

/// The top-level entries of the repository that a path in the documents may start with.
fn roots(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !super::NOT_SOURCES.contains(&n.as_str()))
        .collect();
    names.sort();
    names
}

/// Every `.rs` file of the repository, as paths relative to its root with `/`.
fn rust_files(root: &Path) -> Vec<String> {
    let mut paths = Vec::new();
    super::sources(root, &mut paths);
    paths
        .iter()
        .map(|path| {
            let rel = path.strip_prefix(root).unwrap();
            rel.to_string_lossy().replace('\\', "/")
        })
        .collect()
}

/// The names in backticks of `doc` that do not exist: a path from one of `roots` that
/// `exists` denies, or a Rust file named by its last parts that ends none of
/// `rust_files`.
fn missing(
    doc: &str,
    roots: &[String],
    rust_files: &[String],
    exists: &dyn Fn(&str) -> bool,
) -> Vec<String> {
    let mut out = Vec::new();
    for (i, part) in doc.split('`').enumerate() {
        // Odd parts are inside backticks.
        if i % 2 == 0 || part.is_empty() || part.contains(char::is_whitespace) {
            continue;
        }
        let placeholder = part.contains("NAME")
            || part.contains('*')
            || part.contains('$')
            || part.contains('<')
            || part.contains("...")
            || part.contains('…');
        if placeholder {
            continue;
        }
        let first = part.split('/').next().unwrap_or_default();
        // A folder ends in `/`, a file has an extension: `text/template` (Go's) is neither.
        let last = part
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default();
        let file_like = part.ends_with('/') || last.contains('.');
        let from_root = file_like && part.contains('/') && roots.iter().any(|r| r == first);
        if from_root {
            if !exists(part.trim_end_matches('/')) {
                out.push(part.to_owned());
            }
        } else if part.ends_with(".rs")
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_/.-".contains(c))
        {
            let tail = format!("/{part}");
            if !rust_files.iter().any(|f| f.ends_with(&tail) || f == part) {
                out.push(part.to_owned());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn every_file_the_architecture_and_contributing_name_exists() {
    let root = Path::new(ROOT);
    let (roots, rust) = (roots(root), rust_files(root));
    let exists = |p: &str| root.join(p).exists();
    let mut found = Vec::new();
    for doc in ["docs/ARCHITECTURE.md", "CONTRIBUTING.md"] {
        let text = std::fs::read_to_string(root.join(doc)).unwrap();
        for name in missing(&text, &roots, &rust, &exists) {
            found.push(format!("{doc}: `{name}`"));
        }
    }
    assert!(
        found.is_empty(),
        "names the documents give that are not in the repository:\n{}",
        found.join("\n")
    );
}

#[test]
fn a_moved_file_a_stale_folder_and_an_unknown_rust_file_are_found() {
    let roots = ["src".to_owned(), "scripts".to_owned()];
    let rust = [
        "src/tasks/runner.rs".to_owned(),
        "src/install/extract/xz.rs".to_owned(),
    ];
    let exists = |p: &str| ["src/tasks", "src/tasks/runner.rs", "scripts/dist"].contains(&p);
    let doc = "| `src/tasks/` | `runner.rs`, `extract/xz.rs`; `scripts/dist/` |\n\
        moved: `src/tasks/graph.rs`, `src/lock/`, `scheduler.rs`, `extract/gz.rs`.\n\
        not ours: `vx.toml`, `.vx/runtimes/NAME.toml`, `src/commands/NAME.rs`, \
        `vx run build`, `docs/x.md` (docs is no root here), `src/template` (no file).";
    assert_eq!(
        missing(doc, &roots, &rust, &exists),
        [
            "extract/gz.rs",
            "scheduler.rs",
            "src/lock/",
            "src/tasks/graph.rs"
        ]
    );
}
