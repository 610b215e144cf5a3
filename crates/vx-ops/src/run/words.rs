//! The words of `vx run`'s command line after the first task's name, read as mise
//! reads them: the tasks named, each with its own words (`:::` starts the next), up
//! to the first `--`, which is dropped; the words after it (a second `--` among them)
//! are the tasks' as they are (no `:::`, no `--help`, no flag of the run's), and go
//! to every task named, after its own. Outside a monorepo (whose patterns are
//! `super::monorepo`'s), a name that is a glob (`lint:*`) stands for the tasks it
//! matches ([`globbed`]).

use std::ffi::OsString;

use vx_base::glob::{is_glob, task_matches};
use vx_model::task::Task;
use vx_model::task::graph;

/// Separates tasks on the command line (mise's spelling).
pub(crate) const NEXT_TASK: &str = ":::";

/// Ends what vx reads of the line: every word after it is the tasks'.
pub(crate) const END: &str = "--";

/// What a command line names: the tasks, each with its own words, and the words
/// after its `--`, which each of them gets too ([`Named::joined`]).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Named {
    /// The tasks named, each with the words before the `--` that follow it.
    pub tasks: Vec<(String, Vec<OsString>)>,
    /// The words after the `--`.
    pub trailing: Vec<OsString>,
}

impl Named {
    /// `first` and the words after it: `first ARGS [::: NAME ARGS]... [-- WORDS]`.
    pub(crate) fn read(first: &str, rest: &[OsString]) -> Named {
        let end = rest.iter().position(|w| w == END);
        let (own, trailing) = match end {
            Some(end) => (&rest[..end], rest[end + 1..].to_vec()),
            None => (rest, Vec::new()),
        };
        let mut tasks = vec![(first.to_owned(), Vec::new())];
        let mut words = own.iter();
        while let Some(word) = words.next() {
            if word == NEXT_TASK {
                if let Some(name) = words.next() {
                    tasks.push((name.to_string_lossy().into_owned(), Vec::new()));
                }
                continue;
            }
            tasks.last_mut().expect("one at least").1.push(word.clone());
        }
        Named { tasks, trailing }
    }

    /// Whether the words after the `--` hold `--help` or `-h`: mise then reads no
    /// named task's declared arguments but passes its words on as they are
    /// (`args::unread`), so that `mise run pytest -- --help` reaches the tool the task
    /// wraps; before the `--`, `--help` is the task's help.
    pub(crate) fn help_passed_through(&self) -> bool {
        (self.trailing.iter()).any(|w| w == "--help" || w == "-h")
    }

    /// `tasks` (these, or what they became: a monorepo's package tasks), each with
    /// the words after the `--` after its own, as mise gives them to every task named.
    pub(crate) fn joined(
        tasks: Vec<(String, Vec<OsString>)>,
        trailing: &[OsString],
    ) -> Vec<(String, Vec<OsString>)> {
        tasks
            .into_iter()
            .map(|(name, mut words)| {
                words.extend(trailing.iter().cloned());
                (name, words)
            })
            .collect()
    }
}

/// `requested` with each name that is no task (nor alias) of `tasks` but a glob
/// (`lint:*`, `test-?`) put as the tasks it matches, as a `depends` glob matches them
/// (hidden ones too), in name order, each with the glob's words: as `mise run
/// 'lint:*'` runs every task it matches. A glob that matches none stays as it is: the
/// run then fails saying no task matches it.
pub(crate) fn globbed(
    requested: Vec<(String, Vec<OsString>)>,
    tasks: &[Task],
) -> Vec<(String, Vec<OsString>)> {
    let mut out = Vec::with_capacity(requested.len());
    for (name, words) in requested {
        if !is_glob(&name) || graph::find(tasks, &name).is_some() {
            out.push((name, words));
            continue;
        }
        let mut matched: Vec<&str> = tasks
            .iter()
            .filter(|task| task_matches(&name, &task.name))
            .map(|task| task.name.as_str())
            .collect();
        if matched.is_empty() {
            out.push((name, words));
            continue;
        }
        matched.sort_unstable();
        out.extend(matched.into_iter().map(|m| (m.to_owned(), words.clone())));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<OsString> {
        w.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_first_dashes_end_the_tasks_and_what_follows_goes_to_each() {
        let named = Named::read("t", &words(&["a", ":::", "u", "b"]));
        assert_eq!(
            named.tasks,
            [("t".into(), words(&["a"])), ("u".into(), words(&["b"]))]
        );
        assert!(named.trailing.is_empty());
        // After `--`: no `:::`, a second `--` is a word.
        let named = Named::read("t", &words(&["a", "--", "--verbose", ":::", "u", "--"]));
        assert_eq!(named.tasks, [("t".into(), words(&["a"]))]);
        assert_eq!(named.trailing, words(&["--verbose", ":::", "u", "--"]));
        assert!(!named.help_passed_through());
        let named = Named::read("t", &words(&["--help", "--", "x", "-h"]));
        assert!(named.help_passed_through(), "`-h` after the dashes");
        let named = Named::read("t", &words(&["--help", "--", "x"]));
        assert!(
            !named.help_passed_through(),
            "`--help` before them is the task's help"
        );
        let named = Named::read("t", &words(&["a", ":::", "u", "--", "x"]));
        let joined = Named::joined(named.tasks, &named.trailing);
        assert_eq!(
            joined,
            [
                ("t".into(), words(&["a", "x"])),
                ("u".into(), words(&["x"]))
            ],
            "every task named gets them, after its own"
        );
    }

    #[test]
    fn a_glob_is_the_tasks_it_matches_in_name_order_each_with_its_words() {
        // `lint:*` stays within one group, as mise's: not `lint:a:deep`.
        let tasks: Vec<Task> = ["lint:b", "lint:a", "lint:a:deep", "test", "odd*"]
            .into_iter()
            .map(Task::named)
            .collect();
        let globbed = globbed(
            vec![
                ("lint:*".into(), words(&["x"])),
                ("test".into(), Vec::new()),
                ("odd*".into(), Vec::new()),
                ("none:*".into(), Vec::new()),
            ],
            &tasks,
        );
        assert_eq!(
            globbed,
            [
                ("lint:a".into(), words(&["x"])),
                ("lint:b".into(), words(&["x"])),
                ("test".into(), Vec::new()),
                // A task of that very name is that task.
                ("odd*".into(), Vec::new()),
                // Left for the run to refuse by name.
                ("none:*".into(), Vec::new()),
            ]
        );
    }
}
