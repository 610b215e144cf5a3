//! Which directories are a monorepo's root, beside the Node markers of
//! [`super::root_file`]: a Cargo, uv or Go workspace's root (`Cargo.toml` with
//! `[workspace]`, `pyproject.toml` with `[tool.uv.workspace]`, `go.work`), which is a
//! monorepo when a vx.toml or mise file stands beside it, and mise's monorepo root
//! (a mise.toml with `monorepo_root = true`), whose `[monorepo] config_roots` name
//! directories that become packages ([`config_roots`]).

use std::path::{Path, PathBuf};

use crate::import::mise::monorepo::{self, Root};

/// Most bytes of a root file read to tell whether it makes a workspace's root.
const MAX_MARKER: u64 = 1 << 20;

/// Whether `dir` is a Cargo, uv or Go workspace's root.
pub(super) fn tool_workspace(dir: &Path) -> bool {
    let holds = |file: &str, line: &str| {
        vx_base::bounded_read::read_to_string(&dir.join(file), MAX_MARKER)
            .is_ok_and(|text| text.lines().any(|l| l.trim() == line))
    };
    holds("Cargo.toml", "[workspace]")
        || holds("pyproject.toml", "[tool.uv.workspace]")
        || dir.join("go.work").is_file()
}

/// mise's monorepo root declared in `dir`'s mise file, and that file; `None` when
/// it declares none (or its file does not parse: the in-place reader says why).
pub(super) fn mise(dir: &Path) -> Option<(PathBuf, Root)> {
    // The first of the team's mise files present (`layout::team_configs`).
    let file = crate::import::mise::layout::team_configs()
        .map(|name| dir.join(name))
        .find(|file| file.is_file())?;
    let text = vx_base::bounded_read::read_to_string(&file, MAX_MARKER).ok()?;
    let root = monorepo::root(&text).ok()??;
    Some((file, root))
}

/// Most directories one `config_roots` pattern may name.
const MAX_ROOTS: usize = 10_000;

/// The directories (relative to `root`, `/`-separated, sorted) that `patterns` name
/// and that hold a mise file (or a vx.toml, vx's own), as mise reads `config_roots`: each segment a name or a
/// glob of one level (`services/*`; `**` is refused by mise and matches one level
/// here); a pattern climbing out of the root names nothing.
pub(super) fn config_roots(root: &Path, patterns: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for pattern in patterns {
        let segments: Vec<&str> = pattern
            .trim_matches('/')
            .split('/')
            .filter(|s| !s.is_empty() && *s != ".")
            .collect();
        if segments.contains(&"..") {
            continue;
        }
        let mut dirs = vec![String::new()];
        for segment in segments {
            dirs = dirs
                .iter()
                .flat_map(|dir| matching(root, dir, segment))
                .take(MAX_ROOTS)
                .collect();
        }
        out.extend(
            dirs.into_iter()
                .filter(|d| !d.is_empty() && holds_project_file(&root.join(d))),
        );
    }
    out.sort();
    out.dedup();
    out
}

/// The directories under `root/dir` that `segment` (a name or a one-level glob) names.
fn matching(root: &Path, dir: &str, segment: &str) -> Vec<String> {
    let join = |name: &str| match dir {
        "" => name.to_owned(),
        dir => format!("{dir}/{name}"),
    };
    if !vx_base::glob::is_glob(segment) {
        return vec![join(segment)];
    }
    let mut names: Vec<String> = std::fs::read_dir(root.join(dir))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|name| !name.starts_with('.') || segment.starts_with('.'))
        .filter(|name| vx_base::glob::pattern_matches(segment, name))
        .take(MAX_ROOTS)
        .collect();
    names.sort();
    names.iter().map(|n| join(n)).collect()
}

/// Whether `dir` holds a vx.toml or a mise file (one of [`super::own`]'s).
fn holds_project_file(dir: &Path) -> bool {
    dir.join(super::super::MANIFEST_FILE).is_file() || super::own::mise_file(dir).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_roots_are_directories_or_one_level_globs_that_hold_a_mise_file() {
        let root = tempfile::tempdir().unwrap();
        for dir in ["packages/a", "packages/b", "packages/empty", "tools/cli"] {
            std::fs::create_dir_all(root.path().join(dir)).unwrap();
        }
        for dir in ["packages/a", "packages/b", "tools/cli"] {
            std::fs::write(root.path().join(dir).join("mise.toml"), "").unwrap();
        }
        let roots = |list: &[&str]| {
            let list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
            config_roots(root.path(), &list)
        };
        assert_eq!(
            roots(&["packages/*", "tools/cli", "tools/cli"]),
            ["packages/a", "packages/b", "tools/cli"]
        );
        assert!(roots(&["../outside", "packages/empty", "nothing/*"]).is_empty());
    }
}
