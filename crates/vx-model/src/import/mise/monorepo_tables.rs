//! The tables of a mise monorepo root's `[monorepo]` beside `config_roots`
//! (mise.jdx.dev, "Monorepo Tasks"): `[monorepo.task_defaults.<name>]`, shared
//! defaults for the tasks of that name in every package, and
//! `[monorepo.projects."<id>"]`, corrections of the package graph. Read here as
//! written; what vx does not take is a key named in [`Tables::unmapped`], said once
//! by the monorepo's reader.

use toml::de::{DeTable, DeValue};

/// The defaults `[monorepo.task_defaults.<name>]` gives the tasks named `name`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TaskDefaults {
    /// The task name they are for.
    pub name: String,
    /// `sources`, relative to each package's directory.
    pub sources: Vec<String>,
    /// `outputs`, relative to each package's directory.
    pub outputs: Vec<String>,
    /// `env`, each `(NAME, VALUE)`.
    pub env: Vec<(String, String)>,
    /// `dir`, relative to each package's directory.
    pub dir: Option<String>,
    /// `depends`, as a package's task writes them.
    pub depends: Vec<String>,
    /// `description`.
    pub description: Option<String>,
    /// `cache` (`false`: the result is never kept).
    pub cache: Option<bool>,
    /// `tools`, each `(NAME, VERSION)`.
    pub tools: Vec<(String, String)>,
    /// `timeout`: how long each of those tasks may run.
    pub timeout: Option<std::time::Duration>,
}

/// What `[monorepo.projects."<id>"]` says of one project.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Project {
    /// The id as written (`node:@acme/web`).
    pub id: String,
    /// `remove = true`: the project, its tasks and its edges go.
    pub remove: bool,
    /// `depends`: the whole set of projects it depends on, replacing the inferred.
    pub depends: Option<Vec<String>>,
    /// `depends_add`.
    pub depends_add: Vec<String>,
    /// `depends_remove`.
    pub depends_remove: Vec<String>,
}

/// Both tables, and what of them is not taken.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tables {
    pub task_defaults: Vec<TaskDefaults>,
    pub projects: Vec<Project>,
    /// Each key not taken, as `monorepo.TABLE."NAME".KEY` with why.
    pub unmapped: Vec<String>,
}

/// Most entries read from either table: a bound on what a hostile file costs.
const MAX_ENTRIES: usize = 10_000;

/// The two tables of `monorepo` (the `[monorepo]` table of a root mise.toml).
pub(crate) fn read(monorepo: &DeTable<'_>) -> Tables {
    let mut out = Tables::default();
    if let Some(DeValue::Table(defaults)) = monorepo.get("task_defaults").map(|v| v.get_ref()) {
        for (name, table) in defaults.iter().take(MAX_ENTRIES) {
            let DeValue::Table(table) = table.get_ref() else {
                out.unmapped.push(format!(
                    "monorepo.task_defaults.\"{}\" (not a table)",
                    name.get_ref()
                ));
                continue;
            };
            out.task_defaults
                .push(task_defaults(name.get_ref(), table, &mut out.unmapped));
        }
    }
    if let Some(DeValue::Table(projects)) = monorepo.get("projects").map(|v| v.get_ref()) {
        for (id, table) in projects.iter().take(MAX_ENTRIES) {
            let DeValue::Table(table) = table.get_ref() else {
                out.unmapped.push(format!(
                    "monorepo.projects.\"{}\" (not a table)",
                    id.get_ref()
                ));
                continue;
            };
            out.projects
                .push(project(id.get_ref(), table, &mut out.unmapped));
        }
    }
    out
}

fn task_defaults(name: &str, table: &DeTable<'_>, unmapped: &mut Vec<String>) -> TaskDefaults {
    let mut out = TaskDefaults {
        name: name.to_owned(),
        ..TaskDefaults::default()
    };
    for (key, value) in table.iter() {
        let value = value.get_ref();
        let taken = match &**key.get_ref() {
            "sources" => globs(value).map(|v| out.sources = v),
            "outputs" => globs(value).map(|v| out.outputs = v),
            "depends" => strings(value).map(|v| out.depends = v),
            "dir" => string(value).map(|v| out.dir = Some(v)),
            "description" => string(value).map(|v| out.description = Some(v)),
            "cache" => boolean(value).map(|b| out.cache = Some(b)),
            "env" => pairs(value)
                .filter(|v| v.iter().all(|(name, _)| env_name(name)))
                .map(|v| out.env = v),
            "tools" => pairs(value).map(|v| out.tools = v),
            "timeout" => string(value)
                .and_then(|v| vx_base::utc::parse_age_or_seconds(&v).ok())
                .map(|d| out.timeout = Some(d)),
            _ => None,
        };
        if taken.is_none() {
            unmapped.push(format!(
                "monorepo.task_defaults.\"{name}\".{}",
                key.get_ref()
            ));
        }
    }
    out
}

fn project(id: &str, table: &DeTable<'_>, unmapped: &mut Vec<String>) -> Project {
    let mut out = Project {
        id: id.to_owned(),
        ..Project::default()
    };
    for (key, value) in table.iter() {
        let value = value.get_ref();
        let taken = match &**key.get_ref() {
            "remove" => boolean(value).map(|b| out.remove = b),
            "depends" => strings(value).map(|v| out.depends = Some(v)),
            "depends_add" => strings(value).map(|v| out.depends_add = v),
            "depends_remove" => strings(value).map(|v| out.depends_remove = v),
            _ => None,
        };
        if taken.is_none() {
            unmapped.push(format!("monorepo.projects.\"{id}\".{}", key.get_ref()));
        }
    }
    out
}

/// Whether `name` can be a variable of a task's env (`[A-Za-z_][A-Za-z0-9_]*`, not
/// `PATH`, which vx builds).
fn env_name(name: &str) -> bool {
    vx_base::validate::var_name(name) && name != "PATH"
}

fn boolean(value: &DeValue<'_>) -> Option<bool> {
    match value {
        DeValue::Boolean(b) => Some(*b),
        _ => None,
    }
}

fn string(value: &DeValue<'_>) -> Option<String> {
    match value {
        DeValue::String(s) => Some(s.to_string()),
        _ => None,
    }
}

/// A string or a list of strings, as mise takes `sources`, `outputs` and `depends`.
fn strings(value: &DeValue<'_>) -> Option<Vec<String>> {
    match value {
        DeValue::String(s) => Some(vec![s.to_string()]),
        DeValue::Array(items) => items
            .iter()
            .take(MAX_ENTRIES)
            .map(|item| string(item.get_ref()))
            .collect(),
        _ => None,
    }
}

/// `sources` or `outputs`: [`strings`] that are all globs vx can read (one that
/// cannot be read leaves the key unread, and said so, rather than matching nothing).
fn globs(value: &DeValue<'_>) -> Option<Vec<String>> {
    strings(value).filter(|globs| globs.iter().all(|g| vx_base::glob::check(g).is_ok()))
}

/// A table of strings (`env`, `tools`), in the file's order.
fn pairs(value: &DeValue<'_>) -> Option<Vec<(String, String)>> {
    let DeValue::Table(table) = value else {
        return None;
    };
    table
        .iter()
        .take(MAX_ENTRIES)
        .map(|(k, v)| string(v.get_ref()).map(|v| (k.get_ref().to_string(), v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(text: &str) -> Tables {
        let table = DeTable::parse(text).unwrap();
        let Some(DeValue::Table(monorepo)) = table.get_ref().get("monorepo").map(|m| m.get_ref())
        else {
            panic!("no [monorepo]")
        };
        read(monorepo)
    }

    #[test]
    fn task_defaults_and_project_overrides_are_read_and_the_rest_named() {
        let read = tables(
            "[monorepo.task_defaults.build]\nsources = [\"src/**\"]\noutputs = \"dist/**\"\ncache = false\nenv = { NODE_ENV = \"production\" }\ntimeout = \"1m\"\nretry = 2\n\n\
             [monorepo.projects.\"node:@acme/web\"]\nremove = true\ndepends_add = [\"node:ui\"]\nroot = \"apps/web\"\n",
        );
        let build = &read.task_defaults[0];
        assert_eq!(build.name, "build");
        assert_eq!(build.sources, ["src/**"]);
        assert_eq!(build.outputs, ["dist/**"]);
        assert_eq!(build.cache, Some(false));
        assert_eq!(build.timeout, Some(std::time::Duration::from_secs(60)));
        assert_eq!(
            build.env,
            [("NODE_ENV".to_owned(), "production".to_owned())]
        );
        let web = &read.projects[0];
        assert_eq!(web.id, "node:@acme/web");
        assert!(web.remove);
        assert_eq!(web.depends_add, ["node:ui"]);
        assert_eq!(
            read.unmapped,
            [
                "monorepo.task_defaults.\"build\".retry",
                "monorepo.projects.\"node:@acme/web\".root"
            ]
        );
    }
}
