//! mise's task patterns (mise.jdx.dev, "Monorepo Tasks", "Wildcard Patterns"): a
//! name `//PATH:TASK` whose path has a `...` segment (any number of directories, none
//! included: `//projects/...:build` is `projects`' own too, `//...:test` the root's)
//! or whose task name has a `*` (matched as mise matches a task name,
//! [`vx_base::glob::task_matches`]: `*` within one `:` group, `//app:test:*`; `**`
//! any number of groups). Each stands for the tasks of every package (a config root, a
//! workspace package, the root) whose directory and task name it matches.
//!
//! Matching is linear: the tasks are grouped by directory once ([`Matcher::new`]),
//! and a pattern looks at each directory once and at the tasks of those it matches;
//! a directory is matched segment by segment in time of its segments times the
//! pattern's, a task name by its compiled glob.

use std::collections::HashMap;

use vx_base::glob::task_matches;
use vx_workspace::Workspace;

use crate::task::Task;

/// Whether `name` is a pattern of mise's: `//PATH:TASK` with a `...` path segment or
/// a `*` in its task name.
pub fn is_pattern(name: &str) -> bool {
    parse(name).is_some()
}

/// A pattern's path segments and task name.
struct Pattern<'a> {
    path: Vec<&'a str>,
    task: &'a str,
}

fn parse(name: &str) -> Option<Pattern<'_>> {
    let (path, task) = name.strip_prefix("//")?.split_once(':')?;
    let path: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    (path.contains(&"...") || task.contains('*')).then_some(Pattern { path, task })
}

/// Whether the directory `dir` (`/`-separated, `""` the root) is one `path` names,
/// `...` standing for any number of segments.
fn dir_matches(path: &[&str], dir: &str) -> bool {
    let dir: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    // reach[j]: the first i pattern segments can match the first j of dir.
    let mut reach = vec![false; dir.len() + 1];
    reach[0] = true;
    for segment in path {
        let mut next = vec![false; dir.len() + 1];
        if *segment == "..." {
            let mut any = false;
            for j in 0..=dir.len() {
                any |= reach[j];
                next[j] = any;
            }
        } else {
            for j in 1..=dir.len() {
                next[j] = reach[j - 1] && dir[j - 1] == *segment;
            }
        }
        reach = next;
    }
    reach[dir.len()]
}

/// The tasks a pattern may name, by the directory of the package they are of.
pub struct Matcher {
    /// Each directory, with its tasks: the name they are run by and the task's own.
    dirs: Vec<(String, Vec<(String, String)>)>,
    /// Patterns already matched, with what they matched.
    seen: HashMap<String, Vec<String>>,
}

impl Matcher {
    /// The tasks of `tasks` a pattern may name: each package's (`web#build`,
    /// `//apps/api:build`) under its directory, and the project's own (named plainly,
    /// a root vx.toml's or mise file's) under the root's; the root's package.json
    /// scripts (`//#NAME`) only where `root_scripts` (a turbo repository's, which
    /// turbo names; elsewhere the root's `build` is most often the one that runs them
    /// all). Hidden tasks (nodes of turbo's plan that run nothing) are no one's.
    pub fn new(ws: &Workspace, tasks: &[Task], root_scripts: bool) -> Matcher {
        let packages: HashMap<&str, &str> = ws
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.dir.as_str()))
            .collect();
        let mut by_dir: HashMap<&str, usize> = HashMap::new();
        let mut dirs: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for task in tasks.iter().filter(|t| !t.hide) {
            let (dir, own) = match super::split_id(&task.name) {
                Some((vx_workspace::ROOT, _)) if !root_scripts => continue,
                Some((package, own)) => match packages.get(package) {
                    Some(dir) => (*dir, own),
                    None => continue,
                },
                None => ("", task.name.as_str()),
            };
            let at = *by_dir.entry(dir).or_insert_with(|| {
                dirs.push((dir.to_owned(), Vec::new()));
                dirs.len() - 1
            });
            dirs[at].1.push((task.name.clone(), own.to_owned()));
        }
        Matcher {
            dirs,
            seen: HashMap::new(),
        }
    }

    /// The names of the tasks `pattern` matches, in the order of the tasks given;
    /// empty when it matches none (or is no pattern).
    pub fn matches(&mut self, pattern: &str) -> Vec<String> {
        if let Some(found) = self.seen.get(pattern) {
            return found.clone();
        }
        let mut found = Vec::new();
        if let Some(parsed) = parse(pattern) {
            for (dir, tasks) in &self.dirs {
                if !dir_matches(&parsed.path, dir) {
                    continue;
                }
                found.extend(
                    tasks
                        .iter()
                        .filter(|(_, own)| task_matches(parsed.task, own))
                        .map(|(name, _)| name.clone()),
                );
            }
        }
        self.seen.insert(pattern.to_owned(), found.clone());
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ellipsis_is_any_number_of_directories_none_included() {
        fn path(p: &str) -> Vec<&str> {
            p.split('/').filter(|s| !s.is_empty()).collect()
        }
        assert!(dir_matches(&path("..."), ""));
        assert!(dir_matches(&path("..."), "a/b/c"));
        assert!(dir_matches(&path("projects/..."), "projects"));
        assert!(dir_matches(&path("projects/..."), "projects/a/b"));
        assert!(!dir_matches(&path("projects/..."), "apps/a"));
        assert!(dir_matches(&path(".../api"), "projects/x/api"));
        assert!(dir_matches(&path(".../api"), "api"));
        assert!(!dir_matches(&path(".../api"), "projects/api/x"));
        assert!(dir_matches(&path("a/.../b/..."), "a/x/b"));
        assert!(!dir_matches(&path("apps/web"), "apps/web/x"));
    }

    #[test]
    fn patterns_name_the_tasks_of_the_packages_they_match() {
        let mut ws = Workspace::root_only(std::path::Path::new("/repo"));
        for dir in ["projects/a", "projects/a/api", "apps/web"] {
            ws.add_config_root(dir);
        }
        let tasks: Vec<Task> = [
            "//projects/a:build",
            "//projects/a:test",
            "//projects/a:test:unit",
            "//projects/a/api:build",
            "//apps/web:build",
            "//apps/web:lint",
            "deploy",
            "//#build",
        ]
        .iter()
        .map(|n| Task::named(n))
        .collect();
        let mut m = Matcher::new(&ws, &tasks, false);
        assert_eq!(
            m.matches("//projects/...:build"),
            ["//projects/a:build", "//projects/a/api:build"]
        );
        assert_eq!(m.matches("//.../api:build"), ["//projects/a/api:build"]);
        assert_eq!(
            m.matches("//apps/web:*"),
            ["//apps/web:build", "//apps/web:lint"]
        );
        assert_eq!(m.matches("//...:test*"), ["//projects/a:test"]);
        assert_eq!(m.matches("//...:deploy"), ["deploy"]);
        assert!(m.matches("//nowhere/...:build").is_empty());
        assert!(!is_pattern("//apps/web:build") && !is_pattern("build"));
        // The root's package.json build only where its scripts are named so.
        let mut m = Matcher::new(&ws, &tasks, true);
        assert!(m.matches("//...:build").contains(&"//#build".to_owned()));
    }
}
