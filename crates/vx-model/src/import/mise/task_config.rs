//! A mise file's `[task_config]` defaults for its tasks (mise.jdx.dev, "Task
//! configuration"): `dir`, the directory a task runs in, and `shell`, what its
//! commands run under, each for a task that does not say its own, as mise gives them
//! to the file's `[tasks]`, its included tasks and its file tasks (jdx/mise,
//! src/config/mod.rs, `load_config_tasks`, `load_task_file`, `load_tasks_includes`:
//! `if t.dir.is_none() { t.dir = task_config.dir }`). A file task runs its file, which
//! its `#!` line starts: the `shell` is none of its business (mise starts an
//! executable file directly).

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A file's `[task_config] dir` and `shell`, as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Defaults {
    /// `dir`: a string, templates and all.
    dir: Option<String>,
    /// `shell`: a string (`"bash -c"`).
    shell: Option<String>,
}

impl Defaults {
    /// The defaults of a mise file's root table (none when `[task_config]` gives
    /// none, or gives them as something other than a string, which the task's own
    /// reading would refuse in a task).
    pub(super) fn of(root: &DeTable<'_>) -> Defaults {
        let Some(DeValue::Table(config)) = root.get("task_config").map(|c| c.get_ref()) else {
            return Defaults::default();
        };
        let text = |key: &str| match config.get(key).map(|v| v.get_ref()) {
            Some(DeValue::String(text)) => Some(text.to_string()),
            _ => None,
        };
        Defaults {
            dir: text("dir"),
            shell: text("shell"),
        }
    }

    /// Only `dir`: the directory a task runs in when it names none.
    pub(super) fn dir(dir: &str) -> Defaults {
        Defaults {
            dir: Some(dir.to_owned()),
            shell: None,
        }
    }

    /// The defaults of the mise file whose text is `text` (none when it is not TOML).
    pub(super) fn of_text(text: &str) -> Defaults {
        DeTable::parse(text)
            .map(|root| Defaults::of(root.get_ref()))
            .unwrap_or_default()
    }

    /// `task` (a `[tasks]` entry: a table, or a command or list of commands, which is
    /// its `run`) with each default it does not set itself; `None` when there is
    /// nothing to give it.
    pub(super) fn given<'a>(&self, task: &DeValue<'a>) -> Option<DeValue<'a>> {
        if self.dir.is_none() && self.shell.is_none() {
            return None;
        }
        let mut table = match task {
            DeValue::Table(table) => table.clone(),
            DeValue::String(_) | DeValue::Array(_) => {
                let mut table = DeTable::new();
                table.insert(
                    Spanned::new(0..0, "run".into()),
                    Spanned::new(0..0, task.clone()),
                );
                table
            }
            _ => return None,
        };
        self.fill(&mut table);
        Some(DeValue::Table(table))
    }

    /// Sets in `table` each default it does not set itself.
    pub(super) fn fill(&self, table: &mut DeTable<'_>) {
        for (key, value) in [("dir", &self.dir), ("shell", &self.shell)] {
            if let Some(value) = value
                && !table.contains_key(key)
            {
                table.insert(
                    Spanned::new(0..0, key.into()),
                    Spanned::new(0..0, DeValue::String(value.clone().into())),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A task without `dir` or `shell` gets the file's; one with its own keeps it; a
    /// task written as a command becomes a table whose `run` it is.
    #[test]
    fn a_task_gets_the_defaults_it_does_not_set() {
        let root = DeTable::parse(
            "[task_config]\ndir = \"{{cwd}}\"\nshell = \"bash -c\"\n[tasks]\na = \"pwd\"\nb = { run = \"pwd\", dir = \"sub\" }\n",
        )
        .unwrap();
        let defaults = Defaults::of(root.get_ref());
        let Some(DeValue::Table(tasks)) = root.get_ref().get("tasks").map(|t| t.get_ref()) else {
            panic!("no tasks");
        };
        let text = |task: &DeValue<'_>, key: &str| match task {
            DeValue::Table(t) => match t.get(key).map(|v| v.get_ref()) {
                Some(DeValue::String(s)) => s.to_string(),
                _ => String::new(),
            },
            _ => String::new(),
        };
        let a = defaults.given(tasks.get("a").unwrap().get_ref()).unwrap();
        assert_eq!(
            (text(&a, "run"), text(&a, "dir"), text(&a, "shell")),
            ("pwd".into(), "{{cwd}}".into(), "bash -c".into())
        );
        let b = defaults.given(tasks.get("b").unwrap().get_ref()).unwrap();
        assert_eq!(text(&b, "dir"), "sub");
        assert!(Defaults::of_text("[tools]\n").given(&a).is_none());
    }
}
