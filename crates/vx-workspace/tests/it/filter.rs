//! `--filter` evaluated over the pnpm workspaces, compared with turbo 2.11's own
//! `turbo ls --filter … --output=json` (and, for the root package, which `turbo ls`
//! never lists, `turbo run build --filter … --dry=json`'s `packages`), kept by
//! tests/data/make.sh.

use super::common::{data, workspace};
use vx_workspace::Graph;
use vx_workspace::filter::{self, FilterError};

/// The file make.sh wrote turbo's `ls` answer to for `filter` in the pnpm workspace.
fn expected_file(filter: &str) -> String {
    format!("pnpm/expected/ls-{}.json", safe(filter))
}

/// `filter` as make.sh spells it in a file name.
fn safe(filter: &str) -> String {
    let safe: String = filter
        .chars()
        .map(|c| match c {
            '/' => 'S',
            '*' => 'A',
            '.' => 'P',
            '{' => 'L',
            '}' => 'R',
            '!' => 'X',
            '^' => 'C',
            '@' => 'T',
            '[' => 'Q',
            ']' => 'E',
            c => c,
        })
        .collect();
    safe
}

fn turbo_answer(file: &str) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(data(file)).unwrap();
    if text.trim() == "error" {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut names: Vec<String> = v["packages"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    Some(names)
}

/// Ours for `filters`, with `HEAD^1` changing packages/utils alone (as make.sh's
/// second commit does); the root left out as `turbo ls` leaves it out.
fn ours(filters: &[&str]) -> Result<Vec<String>, FilterError> {
    Ok(without_root(ours_in("pnpm", "packages/utils", filters)?))
}

/// Ours for `filters` in the fixture `name`, with `HEAD^1` changing the package at
/// `changed_dir` alone; the root (`//`) listed when selected.
fn ours_in(name: &str, changed_dir: &str, filters: &[&str]) -> Result<Vec<String>, FilterError> {
    let ws = workspace(name);
    let graph = Graph::new(&ws);
    let mut changed = |from: &str, to: Option<&str>| {
        assert_eq!((from, to), ("HEAD^1", None));
        Ok(vec![changed_dir.to_owned()])
    };
    let picked = filter::select(&ws, &graph, filters, &mut changed)?;
    let mut names: Vec<String> = picked
        .into_iter()
        .map(|i| ws.packages[i].name.clone())
        .collect();
    names.sort();
    Ok(names)
}

fn without_root(names: Vec<String>) -> Vec<String> {
    names.into_iter().filter(|n| n != "//").collect()
}

/// The packages of turbo's `--dry=json` answer in `file`, the root (`//`) among them.
fn turbo_dry_packages(file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(data(file)).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut names: Vec<String> = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn each_filter_selects_what_turbo_selects() {
    for f in [
        "web",
        "web...",
        "...@acme/utils",
        "@acme/ui^...",
        "...^@acme/utils",
        "./apps/*",
        "{./packages/*}",
        "!docs",
        "@acme/*",
        "*",
        "//",
        "...{./packages/ui}",
        ".",
        "[HEAD^1]",
        "...[HEAD^1]",
        "[HEAD^1]...",
        "web...[HEAD^1]",
        "docs...[HEAD^1]",
        "...^[HEAD^1]",
        "{./packages/*}[HEAD^1]",
        "{./apps/*}[HEAD^1]",
        "@acme/*...[HEAD^1]",
    ] {
        let theirs = turbo_answer(&expected_file(f)).expect(f);
        assert_eq!(ours(&[f]).unwrap(), theirs, "--filter={f}");
    }
}

#[test]
fn several_filters_union_and_exclusions_subtract() {
    let theirs = turbo_answer("pnpm/expected/ls-union.json").unwrap();
    assert_eq!(ours(&["web", "!@acme/ui", "@acme/*"]).unwrap(), theirs);
    let theirs = turbo_answer("pnpm/expected/ls-ref-minus-web.json").unwrap();
    assert_eq!(ours(&["...[HEAD^1]", "!web"]).unwrap(), theirs);
}

#[test]
fn a_name_no_package_has_is_an_error_as_in_turbo() {
    assert_eq!(
        turbo_answer(&expected_file("ui")),
        None,
        "turbo refuses it too"
    );
    let err = ours(&["ui"]).unwrap_err();
    assert_eq!(
        err,
        FilterError::NoSuchPackage {
            selector: "ui".into(),
            name: "ui".into()
        }
    );
    assert!(err.to_string().contains("no package is named \"ui\""));
    // A pattern matching nothing selects nothing.
    assert_eq!(ours(&["@nope/*"]).unwrap(), Vec::<String>::new());
}

#[test]
fn the_root_is_selected_only_when_named() {
    let ws = workspace("pnpm");
    let graph = Graph::new(&ws);
    let mut none = |_: &str, _: Option<&str>| Ok(Vec::new());
    let all = filter::select(&ws, &graph, &[], &mut none).unwrap();
    assert!(!all.contains(&0) && all.len() == ws.packages.len() - 1);
    for f in ["//", ".", "{.}"] {
        assert_eq!(
            filter::select(&ws, &graph, &[f], &mut none).unwrap(),
            [0],
            "--filter={f}"
        );
    }
}

#[test]
fn a_failing_change_lookup_is_an_error_naming_the_ref() {
    let ws = workspace("pnpm");
    let graph = Graph::new(&ws);
    let mut fails = |_: &str, _: Option<&str>| Err("unknown revision".to_owned());
    let err = filter::select(&ws, &graph, &["[origin/main...HEAD]"], &mut fails).unwrap_err();
    assert!(
        err.to_string()
            .contains("since origin/main: unknown revision"),
        "{err}"
    );
}

/// The packages the root depends on (`@kit/config`, and `@kit/base` through it) are
/// every package's dependencies to turbo: `...` from one of them reaches every package
/// and the root, and `app...` holds them though app does not depend on them.
#[test]
fn the_roots_dependencies_are_every_packages_as_turbo_walks_them() {
    for f in [
        "...@kit/base",
        "...@kit/config",
        "...^@kit/base",
        "@kit/base...",
        "app...",
        "app^...",
        "other...",
        "...app",
        "...kit",
        "...other...",
        "./apps/*",
        "@kit/types",
        "...other",
        "site...",
        "...@kit/types",
    ] {
        let theirs = turbo_dry_packages(&format!("rootdeps/expected/dry-build-{}.json", safe(f)));
        assert_eq!(
            ours_in("rootdeps", "packages/base", &[f]).unwrap(),
            theirs,
            "--filter={f}"
        );
    }
}

/// A change to a package the root depends on is a change to every package.
#[test]
fn a_change_to_a_root_dependency_changes_every_package() {
    for f in [
        "[HEAD^1]",
        "{./apps/*}[HEAD^1]",
        "other...[HEAD^1]",
        "...^[HEAD^1]",
    ] {
        let theirs = turbo_answer(&format!("rootdeps/expected/ls-{}.json", safe(f))).expect(f);
        let ours = ours_in("rootdeps", "packages/base", &[f]).unwrap();
        assert_eq!(without_root(ours), theirs, "--filter={f}");
    }
}

/// Filters that select no package at all select nothing, as turbo's (empty) answer has it.
#[test]
fn filters_may_select_no_package() {
    let theirs = turbo_dry_packages("rootdeps/expected/dry-build-none.json");
    assert!(theirs.is_empty());
    let ours = ours_in("rootdeps", "packages/base", &["./apps/*", "!app", "!other"]).unwrap();
    assert_eq!(ours, theirs);
}
