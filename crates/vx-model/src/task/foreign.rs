//! Tasks the project already has in another runner's file: `justfile` recipes and
//! `package.json` scripts. `vx run` lists them (marked by their source) where no vx
//! task of that name exists, and runs one as a task whose command is the other
//! runner's: `just NAME ARGS…`, or `PM run NAME -- ARGS…` with the project's package
//! manager (`PM`: `packageManager` in package.json, else the lockfile present, else
//! npm).
//!
//! Both files are read within [`MAX_FILE`] bytes; one that cannot be read or parsed is
//! a note (its entries are not listed), never a failure of `vx run`. The justfile is
//! parsed conservatively: a recipe is a line at column 0 of the form `name args*:`
//! (not `:=`), private ones (`_name`, `[private]`) and those marked for another
//! operating system (`[windows]` on Linux: [`attributes`]) left out, its doc comment
//! (the `#` line just above it) its description. Names that would need quoting for a
//! shell are left out too: the command is built from the name.

pub(crate) mod attributes;

use std::path::Path;

use super::Task;

/// Most bytes of a justfile or package.json read.
pub(crate) const MAX_FILE: u64 = 1 << 20;
/// The names `just` looks for, in its order.
const JUSTFILES: [&str; 3] = ["justfile", "Justfile", ".justfile"];

/// Where a foreign task comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A recipe of the project's justfile (the file's name).
    Just(String),
    /// A script of package.json, run with this package manager (`npm`, `pnpm`,
    /// `yarn`, `bun`).
    Package(&'static str),
}

/// A recipe or script, as `vx run` lists and runs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Foreign {
    /// Its name.
    pub name: String,
    /// Its source.
    pub source: Source,
    /// The recipe's doc comment, or the script's command.
    pub about: String,
}

impl Foreign {
    /// The command that runs it (the task's arguments are appended).
    pub(crate) fn command(&self) -> String {
        match &self.source {
            Source::Just(_) => format!("just {}", self.name),
            Source::Package(pm) => format!("{pm} run {} --", self.name),
        }
    }

    /// The program that runs it: `just`, or the package manager.
    pub fn runner(&self) -> &str {
        match &self.source {
            Source::Just(_) => "just",
            Source::Package(pm) => pm,
        }
    }

    /// The source as the listing marks it.
    pub(crate) fn marker(&self) -> String {
        match &self.source {
            Source::Just(file) => format!("[{file}]"),
            Source::Package(pm) => format!("[package.json, {pm}]"),
        }
    }

    /// It as a task: its command run in the project directory, described by its
    /// source and what it does.
    pub fn task(&self) -> Task {
        let mut task = Task::named(&self.name);
        task.run = vec![self.command()];
        task.dir = Some(".".into());
        task.description = Some(
            format!("{} {}", self.marker(), self.about)
                .trim_end()
                .into(),
        );
        task
    }
}

/// The project's recipes and scripts, and a note for each file that could not be
/// read (said by the caller).
pub fn discover(project: &Path) -> (Vec<Foreign>, Vec<String>) {
    let mut found = Vec::new();
    let mut notes = Vec::new();
    if let Some(name) = JUSTFILES.iter().find(|n| project.join(n).is_file()) {
        let path = project.join(name);
        match vx_base::bounded_read::read_to_string(&path, MAX_FILE) {
            Ok(text) => found.extend(
                just_recipes(&text, attributes::Host::current())
                    .into_iter()
                    .map(|(recipe, about)| Foreign {
                        name: recipe,
                        source: Source::Just((*name).to_owned()),
                        about,
                    }),
            ),
            Err(error) => notes.push(format!(
                "{} cannot be read ({error}): its recipes are not listed",
                path.display()
            )),
        }
    }
    let package = project.join("package.json");
    if package.is_file() {
        match vx_base::bounded_read::read_to_string(&package, MAX_FILE)
            .map_err(PackageJsonError::from)
            .and_then(|text| package_scripts(&text))
        {
            Ok((scripts, declared)) => {
                let pm = package_manager(declared.as_deref(), project);
                found.extend(scripts.into_iter().map(|(name, about)| Foreign {
                    name,
                    source: Source::Package(pm),
                    about,
                }));
            }
            Err(error) => notes.push(format!(
                "{} cannot be read ({error}): its scripts are not listed",
                package.display()
            )),
        }
    }
    // One entry per name: the justfile's first (it is listed first).
    let mut seen = std::collections::HashSet::new();
    found.retain(|f| seen.insert(f.name.clone()));
    (found, notes)
}

/// A task of the project's mise configuration that vx.toml does not have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MiseTask {
    /// The file (or the file task's directory) that has it, relative to the project.
    pub file: String,
    /// Why `vx import` cannot take it, when it cannot.
    pub why_not: Option<String>,
}

/// `name` as a task of the project's mise configuration (a `[tasks]` entry of the
/// team's config files, [`crate::import::mise::layout::task_files`], the first in
/// mise's precedence, or a file task of `mise-tasks/`, `.mise/tasks/`): a mise user's
/// `vx run NAME` means that task, never another runner's script of the same name. A
/// file that cannot be read or parsed has no tasks here.
pub fn mise_task(project: &Path, name: &str) -> Option<MiseTask> {
    let mut configured = false;
    for file in crate::import::mise::layout::task_files(project) {
        let Ok(text) = vx_base::bounded_read::read_to_string(&project.join(&file), MAX_FILE) else {
            continue;
        };
        configured = true;
        let Ok(imported) = crate::import::mise::parse(&text) else {
            continue;
        };
        // Its tasks with its includes (or the default file-task directories), kept
        // as `vx import` keeps them (a block with a command over a file task of its
        // name, the file's aliases gone).
        let mut scripts = imported.scripts;
        let own = scripts.len();
        scripts.extend(crate::import::mise::file_and_included_tasks(project, &text));
        crate::import::mise::overlay_file_tasks(&mut scripts, own);
        crate::import::mise::settle_commandless(&mut scripts);
        crate::import::mise::settle_aliases(&mut scripts);
        if let Some(at) = scripts.iter().position(|s| answers(s, name)) {
            let file = match at < own {
                true => file,
                false => format!("{file}'s file tasks and includes"),
            };
            return Some(MiseTask {
                file,
                why_not: scripts[at].script.as_ref().err().map(ToString::to_string),
            });
        }
    }
    // Without a mise file, mise still reads the default file-task directories.
    let entry = crate::import::mise::file_tasks(project)
        .into_iter()
        .find(|s| !configured && answers(s, name))?;
    Some(MiseTask {
        file: "mise's file tasks".to_owned(),
        why_not: entry.script.as_ref().err().map(ToString::to_string),
    })
}

/// Whether a mise task answers to `name`: its name or one of its aliases (a file
/// task's name without its extension).
fn answers(entry: &crate::import::ScriptEntry, name: &str) -> bool {
    entry.name == name
        || entry
            .script
            .as_ref()
            .is_ok_and(|s| s.alias.iter().any(|a| a == name))
}

/// Whether `name` can go into a command unquoted (on every platform's shell).
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.' | '/' | '@'))
}

/// The public recipes of a justfile's text that run on `host`, with their doc
/// comments, in file order.
pub(crate) fn just_recipes(text: &str, host: attributes::Host<'_>) -> Vec<(String, String)> {
    let mut recipes = Vec::new();
    let mut comment: Option<String> = None;
    // The attributes of the lines above the recipe.
    let mut marks: Vec<String> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            comment = None;
            marks.clear();
            continue;
        }
        if line.starts_with([' ', '\t']) {
            // A recipe's body (or a continuation): not a recipe line.
            comment = None;
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('#') {
            comment = (!rest.starts_with('!')).then(|| rest.trim().to_owned());
            continue;
        }
        if let Some(inner) = trimmed.strip_prefix('[') {
            // `[private]`, `[group('x'), private]`, `[linux]`, …
            marks.extend(attributes::names(inner).into_iter().map(str::to_owned));
            continue;
        }
        let doc = comment.take();
        let marked = std::mem::take(&mut marks);
        let Some(name) = recipe_name(trimmed) else {
            continue;
        };
        let private = marked.iter().any(|m| m == "private");
        if private
            || !attributes::runs_on(&marked, host)
            || name.starts_with('_')
            || !plain_name(&name)
        {
            continue;
        }
        recipes.push((name, doc.unwrap_or_default()));
    }
    recipes
}

/// The recipe a column-0 line starts (`name args*:` or `@name …:`, not `:=`), if it
/// is one.
fn recipe_name(line: &str) -> Option<String> {
    let line = line.strip_prefix('@').unwrap_or(line);
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(line.len());
    let (name, rest) = line.split_at(end);
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return None;
    }
    if matches!(
        name,
        "set" | "alias" | "export" | "import" | "mod" | "unexport"
    ) {
        return None;
    }
    // The first `:` outside quotes ends the parameters; it must not be `:=`.
    let mut quote: Option<char> = None;
    for (at, c) in rest.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, ':') => {
                return (!rest[at + 1..].starts_with('=')).then(|| name.to_owned());
            }
            (None, '=' | '(' | ')' | '{' | '}') if !rest[..at].contains(' ') => return None,
            (None, _) => {}
        }
    }
    None
}

/// package.json's scripts (name, first line of the command) and its `packageManager`.
pub(crate) type Scripts = (Vec<(String, String)>, Option<String>);

/// package.json's scripts (name, command) in file order, lifecycle hooks of another
/// listed script (`prebuild` of `build`) left out; and its `packageManager`.
pub(crate) fn package_scripts(text: &str) -> Result<Scripts, PackageJsonError> {
    let package: Package = serde_json::from_str(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => PackageJsonError::Data(e),
        _ => PackageJsonError::Syntax(e),
    })?;
    let manager = package
        .package_manager
        .as_ref()
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    let Some(Ordered(scripts)) = package.scripts else {
        return Ok((Vec::new(), manager));
    };
    let names: Vec<&String> = scripts.iter().map(|(name, _)| name).collect();
    let hook = |name: &str| {
        ["pre", "post"].iter().any(|prefix| {
            name.strip_prefix(prefix)
                .is_some_and(|base| names.iter().any(|n| n.as_str() == base))
        })
    };
    Ok((
        scripts
            .iter()
            .filter(|(name, _)| plain_name(name) && !hook(name))
            .filter_map(|(name, command)| {
                let command = command.as_str()?;
                Some((
                    name.clone(),
                    command.lines().next().unwrap_or("").to_owned(),
                ))
            })
            .collect(),
        manager,
    ))
}

/// Why package.json's scripts cannot be listed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PackageJsonError {
    /// The file cannot be read.
    #[error(transparent)]
    Read(#[from] vx_base::bounded_read::ReadError),
    /// Not JSON.
    #[error("not valid JSON: {0}")]
    Syntax(#[source] serde_json::Error),
    /// JSON, but not package.json's shape.
    #[error("not what package.json holds: {0}")]
    Data(#[source] serde_json::Error),
}

/// The parts of package.json read here.
#[derive(serde::Deserialize)]
struct Package {
    #[serde(rename = "packageManager")]
    package_manager: Option<serde_json::Value>,
    scripts: Option<Ordered>,
}

/// A JSON object's entries in the file's order (serde_json's map sorts them).
struct Ordered(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Ordered, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Ordered(entries))
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

/// The package manager that runs the project's scripts: the one `packageManager`
/// names (`pnpm@9.1.0`), else the one whose lockfile is there, else npm.
pub(crate) fn package_manager(declared: Option<&str>, project: &Path) -> &'static str {
    const KNOWN: [&str; 4] = ["npm", "pnpm", "yarn", "bun"];
    if let Some(declared) = declared {
        let name = declared.split('@').next().unwrap_or("");
        if let Some(known) = KNOWN.iter().find(|k| **k == name) {
            return known;
        }
    }
    for (lockfile, manager) in [
        ("pnpm-lock.yaml", "pnpm"),
        ("yarn.lock", "yarn"),
        ("bun.lock", "bun"),
        ("bun.lockb", "bun"),
        ("package-lock.json", "npm"),
    ] {
        if project.join(lockfile).is_file() {
            return manager;
        }
    }
    "npm"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A mise task is named by the file whose task mise runs (`.mise.toml` over
    /// `mise.toml`), and found in any team config of mise's layout (a conf.d file, a
    /// `.config/mise/mise.toml`), never in a person's file.
    #[test]
    fn a_mise_task_is_the_one_mise_runs_from_any_team_config() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path();
        let write = |name: &str, text: &str| {
            let path = project.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("mise.toml", "[tasks.build]\nrun = \"make\"\n");
        write(".mise.toml", "[tasks.build]\nrun = \"make all\"\n");
        write(
            ".config/mise/conf.d/lint.toml",
            "[tasks.lint]\nrun = \"lint\"\n",
        );
        write(".config/mise/mise.toml", "[tasks.fmt]\nrun = \"fmt\"\n");
        write("mise.local.toml", "[tasks.mine]\nrun = \"echo\"\n");
        let file = |name: &str| mise_task(project, name).map(|t| t.file);
        assert_eq!(file("build").as_deref(), Some(".mise.toml"));
        assert_eq!(
            file("lint").as_deref(),
            Some(".config/mise/conf.d/lint.toml")
        );
        assert_eq!(file("fmt").as_deref(), Some(".config/mise/mise.toml"));
        assert_eq!(file("mine"), None);
    }

    #[test]
    fn recipes_are_column_zero_lines_and_private_ones_are_left_out() {
        let text = r#"
set shell := ["bash", "-c"]
alias b := build
version := "1.0"
export RUST_LOG := "info"

# Build everything
build target='all' *flags:
    cargo build {{flags}}

@test: build
    cargo test

_helper:
    echo hidden

[private]
secret:
    echo hidden

[group('ci'), private]
also-secret:
    echo hidden

[no-cd]
deploy env="prod:eu" $TOKEN: (build "x")
    ./deploy {{env}}

    not-a-recipe:
#!/usr/bin/env bash
weird = 1
"#;
        let recipes = just_recipes(text, attributes::Host::current());
        assert_eq!(
            recipes,
            [
                ("build".to_owned(), "Build everything".to_owned()),
                ("test".to_owned(), String::new()),
                ("deploy".to_owned(), String::new()),
            ]
        );
    }

    #[test]
    fn scripts_come_in_order_without_hooks_and_bad_json_is_an_error() {
        let (scripts, manager) = package_scripts(
            r#"{"packageManager": "pnpm@9.1.0", "scripts": {"prebuild": "rm -rf dist", "build": "vite build", "dev": "vite", "precommit": "lint-staged", "has space": "x"}}"#,
        )
        .unwrap();
        let names: Vec<&str> = scripts.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["build", "dev", "precommit"]);
        assert_eq!(manager.as_deref(), Some("pnpm@9.1.0"));
        assert!(
            package_scripts("{")
                .unwrap_err()
                .to_string()
                .contains("not valid JSON")
        );
        assert!(
            package_scripts(r#"{"scripts": []}"#)
                .unwrap_err()
                .to_string()
                .contains("not what package.json holds")
        );
        assert_eq!(package_scripts("{}").unwrap().0, []);
    }

    #[test]
    fn the_package_manager_is_the_declared_one_else_the_lockfiles() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(package_manager(None, dir.path()), "npm");
        std::fs::write(dir.path().join("yarn.lock"), "").unwrap();
        assert_eq!(package_manager(None, dir.path()), "yarn");
        assert_eq!(package_manager(Some("bun@1.1.0"), dir.path()), "bun");
        assert_eq!(package_manager(Some("cnpm@1"), dir.path()), "yarn");
    }

    #[test]
    fn unreadable_files_are_notes_and_names_become_commands() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("justfile"), "fmt:\n    cargo fmt\n").unwrap();
        std::fs::write(dir.path().join("package.json"), "{ not json").unwrap();
        let (found, notes) = discover(dir.path());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].command(), "just fmt");
        assert_eq!(found[0].task().description.as_deref(), Some("[justfile]"));
        assert_eq!(notes.len(), 1);
        assert!(
            notes[0].contains("package.json cannot be read (not valid JSON"),
            "{notes:?}"
        );
        let npm = Foreign {
            name: "dev".into(),
            source: Source::Package("npm"),
            about: "vite".into(),
        };
        assert_eq!(npm.command(), "npm run dev --");
        assert_eq!(
            npm.task().description.as_deref(),
            Some("[package.json, npm] vite")
        );
    }
}
