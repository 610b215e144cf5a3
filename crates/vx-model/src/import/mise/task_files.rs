//! mise's tasks outside a config's `[tasks]`: the file tasks of its task directories
//! and the TOML files and directories `[task_config] includes` names.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::super::why::TaskError;
use super::super::{ImportedScript, ScriptEntry};
use super::task_config::Defaults;
use super::{Vars, project_relative, strings, task, vars_of};

/// The directories mise reads file tasks from, relative to the config's directory
/// (mise.jdx.dev, "File tasks"), in mise's order (jdx/mise, src/config/mod.rs,
/// `default_task_includes`): a task two of them hold is the later one's.
const FILE_TASK_DIRS: &[&str] = &[
    "mise-tasks",
    ".mise-tasks",
    ".mise/tasks",
    ".config/mise/tasks",
    "mise/tasks",
];

/// mise's file tasks beside a config in `dir`: each executable under the task
/// directories, named by its path (`/` as `:`), its header ([`super::header`]: `#MISE`
/// lines, `# [MISE]`, `//MISE`, …) read as the keys of a TOML task, its `#USAGE`
/// lines as its usage spec; the task runs the file. Bounded: at most 256 files, 64 KiB of each read.
pub(crate) fn file_tasks(dir: &std::path::Path) -> Vec<ScriptEntry> {
    file_tasks_in(dir, FILE_TASK_DIRS, &Vars::new(), &Defaults::default())
}

/// The file tasks of the task directories of `dir`'s subdirectory `below` (a path
/// from `dir`, `/`-separated) and of each directory between them, the deepest first
/// (a task two of them hold is the deeper one's), each run in the directory that
/// holds its task directory unless its header names another: mise reads the task
/// directories of every directory from where it runs up (jdx/mise, src/config/mod.rs,
/// `load_local_tasks_with_context`, over `all_dirs`), a nearer one's task over a
/// farther one's (checked with mise 2026.9.15: kiarina/kiarina-python's
/// `packages/<package>/.mise/tasks/package/current`, run from the package, is that
/// package's, in its directory).
pub(crate) fn file_tasks_below(dir: &std::path::Path, below: &str) -> Vec<ScriptEntry> {
    let parts: Vec<&str> = below.split('/').filter(|p| !p.is_empty()).collect();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for depth in (1..=parts.len()).rev() {
        let sub = parts[..depth].join("/");
        let roots: Vec<String> = FILE_TASK_DIRS
            .iter()
            .map(|d| format!("{sub}/{d}"))
            .collect();
        if !roots.iter().any(|r| dir.join(r).is_dir()) {
            continue;
        }
        let roots: Vec<&str> = roots.iter().map(String::as_str).collect();
        for mut entry in file_tasks_in(dir, &roots, &Vars::new(), &Defaults::dir(&sub)) {
            // That directory is the task's config root and project root, as mise
            // gives them to it (its file then found from there).
            if let Ok(script) = &mut entry.script {
                for name in ["MISE_CONFIG_ROOT", "MISE_PROJECT_ROOT"] {
                    script.env.retain(|(set, _)| set != name);
                    script
                        .env
                        .push((name.to_owned(), format!("{{project}}/{sub}")));
                    script.given_env.push(name.to_owned());
                }
                let from_project = format!("\"${{MISE_CONFIG_ROOT}}\"/{sub}/");
                for run in &mut script.run {
                    if let Some(rest) = run.strip_prefix(&from_project) {
                        *run = format!("\"${{MISE_CONFIG_ROOT}}\"/{rest}");
                    }
                }
            }
            if seen.insert(entry.name.clone()) {
                out.push(entry);
            }
        }
    }
    out
}

/// The tasks a mise file in `dir` (its text `text`) has beyond its own `[tasks]`:
/// those of the files and directories `[task_config] includes` names (mise.jdx.dev,
/// "Task configuration": a TOML file's top-level tables are tasks, a directory holds
/// file tasks; relative to the config's directory; the list replaces the default
/// directories), else the file tasks of the default directories ([`file_tasks`]),
/// each with the file's `[task_config]` defaults ([`Defaults`]). A task two includes
/// define is the later include's, as mise keeps it. An include outside the project,
/// or one that cannot be read, is a task entry saying why, so `vx import` says it.
pub(crate) fn file_and_included_tasks(dir: &std::path::Path, text: &str) -> Vec<ScriptEntry> {
    let defaults = Defaults::of_text(text);
    let vars = DeTable::parse(text)
        .map(|root| vars_of(root.get_ref()))
        .unwrap_or_default();
    let Some(includes) = task_includes(text) else {
        return file_tasks_in(dir, FILE_TASK_DIRS, &vars, &defaults);
    };
    let mut out = Vec::new();
    for include in includes.iter().take(64) {
        let relative =
            match project_relative(include, "[task_config] includes takes paths in the project") {
                Ok(relative) => relative,
                Err(why) => {
                    out.push(ScriptEntry {
                        name: include.clone(),
                        script: Err(TaskError::Include {
                            include: include.clone(),
                            why: why.to_string(),
                        }),
                        line: None,
                        file: None,
                    });
                    continue;
                }
            };
        let path = dir.join(&relative);
        // An entry naming nothing is skipped, as mise skips it (a directory a fresh
        // clone has not made yet): the others are read.
        if std::fs::symlink_metadata(&path).is_err() {
            continue;
        }
        // Not through a link out of the project (an include of `~/secrets.toml`
        // would list its strings as tasks, values and all), nor another user's file.
        if let Err(refused) = vx_base::ownership::check(dir, &path) {
            out.push(ScriptEntry {
                name: include.clone(),
                script: Err(TaskError::Include {
                    include: include.clone(),
                    why: refused.to_string(),
                }),
                line: None,
                file: None,
            });
            continue;
        }
        if path.is_dir() {
            out.extend(file_tasks_in(dir, &[relative.as_str()], &vars, &defaults));
        } else {
            out.extend(included_toml(&path, include, &relative, &vars, &defaults));
        }
    }
    last_wins(out)
}

/// `tasks` with one entry a name: the last given, in the place of the first, as mise
/// keeps the tasks it reads from its task directories and includes, each read in
/// order over the ones before (jdx/mise, src/config/mod.rs,
/// `merge_file_and_config_tasks`: "the later include in the list takes precedence").
fn last_wins(tasks: Vec<ScriptEntry>) -> Vec<ScriptEntry> {
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut out: Vec<ScriptEntry> = Vec::with_capacity(tasks.len());
    for entry in tasks {
        match at.get(&entry.name) {
            Some(&i) => out[i] = entry,
            None => {
                at.insert(entry.name.clone(), out.len());
                out.push(entry);
            }
        }
    }
    out
}

/// `[task_config] includes` of a mise file, when it names any.
fn task_includes(text: &str) -> Option<Vec<String>> {
    let root = DeTable::parse(text).ok()?;
    let config = root.get_ref().get("task_config")?;
    let DeValue::Table(config) = config.get_ref() else {
        return None;
    };
    strings(config.get("includes")?.get_ref(), "includes").ok()
}

/// The tasks of an included TOML file (`include` as written, `relative` its path
/// from the project): each top-level table (or string) is a task, with the including
/// file's `defaults`.
fn included_toml(
    path: &std::path::Path,
    include: &str,
    relative: &str,
    vars: &Vars,
    defaults: &Defaults,
) -> Vec<ScriptEntry> {
    let unreadable = |why: String| {
        vec![ScriptEntry {
            name: include.to_owned(),
            script: Err(TaskError::Include {
                include: include.to_owned(),
                why,
            }),
            line: None,
            file: None,
        }]
    };
    let text = match vx_base::bounded_read::read_to_string(path, super::super::MAX_IMPORT_BYTES) {
        Ok(text) => text,
        Err(e) => return unreadable(e.to_string()),
    };
    let root = match DeTable::parse(&text) {
        Ok(root) => root,
        Err(e) => return unreadable(format!("invalid TOML: {}", e.message().trim())),
    };
    let mut tasks: Vec<_> = root.get_ref().iter().collect();
    tasks.sort_by_key(|(key, _)| key.span().start);
    let lines = super::super::Lines::of(&text);
    let mut scripts: Vec<ScriptEntry> = tasks
        .into_iter()
        .map(|(key, value)| {
            let given = defaults.given(value.get_ref());
            ScriptEntry {
                name: key.get_ref().to_string(),
                script: task(given.as_ref().unwrap_or(value.get_ref()), vars),
                line: Some(lines.line(key.span().start)),
                file: Some(relative.to_owned()),
            }
        })
        .collect();
    // Each gets the file it is defined in, as mise gives it.
    super::given_file(&mut scripts, std::path::Path::new(relative));
    scripts
}

/// The file tasks under each of `roots` (directories relative to `dir`), a task two
/// of them hold the later root's, each with `defaults` where its header sets none.
/// A `.toml` file among them (executable or not; not one named as a mise config,
/// `mise.toml`) is a file of TOML tasks, its top-level tables tasks as an included
/// one's, read before the root's executables, as mise 2026.9 reads its task
/// directories (jdx/mise, src/config/mod.rs, `load_tasks_includes`: railwayapp/railpack's
/// `.mise/tasks/images.toml`).
pub(super) fn file_tasks_in(
    dir: &std::path::Path,
    roots: &[&str],
    vars: &Vars,
    defaults: &Defaults,
) -> Vec<ScriptEntry> {
    let mut out = Vec::new();
    for sub in roots {
        let root = dir.join(sub);
        // A task directory that leads out of the project or is another user's is
        // said once, and none of its files is read.
        if let Err(why) = vx_base::ownership::check(dir, &root) {
            out.push(ScriptEntry {
                name: (*sub).to_owned(),
                script: Err(TaskError::NotOwn { why }),
                line: None,
                file: None,
            });
            continue;
        }
        let mut files = Vec::new();
        walk(&root, &mut files, 0);
        files.sort();
        files.truncate(256);
        let (tomls, files): (Vec<_>, Vec<_>) = files.into_iter().partition(|f| is_toml(f));
        for file in tomls {
            let Ok(rel) = file.strip_prefix(&root) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            // A mise config's name (its file name, or its path from the root) is
            // not a file of tasks, as mise passes it over.
            let file_name = rel.rsplit('/').next().unwrap_or(&rel);
            if ["mise.toml", "mise.local.toml"].contains(&file_name)
                || ["mise/config.toml", "mise/config.local.toml"].contains(&rel.as_str())
            {
                continue;
            }
            let shown = format!("{sub}/{rel}");
            match vx_base::ownership::foreign(&file) {
                Some(why) => out.push(ScriptEntry {
                    name: shown,
                    script: Err(TaskError::NotOwn { why }),
                    line: None,
                    file: None,
                }),
                None => out.extend(included_toml(&file, &shown, &shown, vars, defaults)),
            }
        }
        for file in files {
            let Ok(rel) = file.strip_prefix(&root) else {
                continue;
            };
            let (name, with_extension) = task_name(rel);
            let shown = format!("{sub}/{}", rel.to_string_lossy());
            let script = match vx_base::ownership::foreign(&file) {
                Some(why) => Err(TaskError::NotOwn { why }),
                None => file_task(&file, &shown, defaults),
            };
            let script = script.map(|mut script| {
                if let Some(full) = with_extension {
                    script.alias.push(full);
                }
                script
            });
            out.push(ScriptEntry {
                name,
                script,
                line: None,
                file: Some(shown),
            });
        }
    }
    last_wins(out)
}

/// A file task's name from its path under a task directory, as mise names it
/// (mise.jdx.dev, "File tasks", "Task grouping"): the directories and the file joined
/// by `:` (`db/migrate` is `db:migrate`), the file's extension dropped
/// (`update-version.sh` is `update-version`, as mise 2026.9 lists it), a group's
/// `_default` file named as the group (`docs/_default` is `docs`); and the name with
/// the extension, which mise runs it by too (`mise run update-version.sh`), when it
/// has one.
fn task_name(rel: &std::path::Path) -> (String, Option<String>) {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.len() > 1 && parts.last().is_some_and(|p| p == "_default") {
        parts.pop();
    }
    let name = parts.join(":");
    let stem = match parts.last().and_then(|last| last.rsplit_once('.')) {
        Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() => {
            let stem = stem.to_owned();
            parts.pop();
            parts.push(stem);
            Some(parts.join(":"))
        }
        _ => None,
    };
    match stem {
        Some(stem) => (stem, Some(name)),
        None => (name, None),
    }
}

/// Whether `path` names a TOML file (`images.toml`), which a task directory holds as a
/// file of tasks, as mise reads it.
fn is_toml(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|e| e == "toml")
}

/// The executables and `.toml` files under `dir` (at most 6 directories down) into
/// `out`: a file or a directory whose name starts with `.` is passed over, as mise
/// passes it over (a helper the tasks source, `.private/load-env-vars.sh`, is no task).
fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    if depth > 6 {
        return;
    }
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&path, out, depth + 1),
            Ok(t)
                if t.is_file()
                    && (is_toml(&path) || vx_base::platform::search::is_executable(&path)) =>
            {
                out.push(path)
            }
            _ => {}
        }
    }
}

/// One file task: its header ([`super::header`]) as a task table whose `file` is
/// the script itself. A usage spec vx cannot read is left out, said, and the task
/// takes the words as given, as mise warns of a spec it cannot read ("invalid usage
/// spec") and runs the task without it.
fn file_task(
    path: &std::path::Path,
    shown: &str,
    defaults: &Defaults,
) -> Result<ImportedScript, TaskError> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(64 * 1024).read_to_end(&mut bytes))
        .map_err(|e| TaskError::Read {
            shown: shown.to_owned(),
            source: e.into(),
        })?;
    let text = String::from_utf8_lossy(&bytes);
    let header = super::header::read(&text);
    let toml = folded(&header.entries)?;
    let mut table = DeTable::parse(&toml)
        .map_err(|e| TaskError::HeaderNotToml {
            message: e.message().trim().to_owned(),
        })?
        .into_inner();
    // mise reads a header's `tools` only as a table (`parse_table`): written as a list
    // (`#MISE tools=["pkl"]`, paradox460/djot's `.mise/tasks/update-workflows`) it is
    // no tool at all, and the task is listed and runs.
    let tools_not_table =
        (table.get("tools")).is_some_and(|v| !matches!(v.get_ref(), DeValue::Table(_)));
    if tools_not_table {
        table.remove("tools");
    }
    for key in ["run", "file"] {
        if table.keys().any(|k| k.get_ref() == key) {
            return Err(TaskError::HeaderSets { key });
        }
    }
    defaults.fill(&mut table);
    table.insert(
        Spanned::new(0..0, "file".into()),
        Spanned::new(0..0, DeValue::String(shown.to_owned().into())),
    );
    let unread = unread_usage(&header.usage);
    if !header.usage.is_empty() && unread.is_none() {
        table.insert(
            Spanned::new(0..0, "usage".into()),
            Spanned::new(0..0, DeValue::String(header.usage.into())),
        );
    }
    let mut script = task(&DeValue::Table(table), &Vars::new())?;
    if tools_not_table {
        (script.ignored)
            .push("its header's `tools` that is not a table (mise reads none of it)".into());
    }
    if let Some(why) = unread {
        (script.ignored).push(format!(
            "its usage spec ({why}; the task takes the words as given, as mise runs it)"
        ));
    }
    if text.contains("usage_") {
        super::usage_variables(&mut script);
    }
    super::given_variables(&mut script, Some((&text, shown)));
    Ok(script)
}

/// Why vx cannot read a file task's usage `spec` (none when it can, or it is empty).
fn unread_usage(spec: &str) -> Option<TaskError> {
    if spec.is_empty() {
        return None;
    }
    super::usage::spec(spec, &mut Vec::new(), &mut Vec::new()).err()
}

/// A header's entries read as mise reads them, one by one, folded into one table: the
/// last value of a key winning, tables merged a level deep (`#MISE tools.a="1"` and
/// `#MISE tools.b="2"`; jdx/mise, src/task/mod.rs, `from_path_unrendered_with_cf`).
/// An entry that is not TOML is the error. As TOML text.
fn folded(entries: &[String]) -> Result<String, TaskError> {
    let mut folded = toml::Table::new();
    for entry in entries {
        let table = entry
            .parse::<toml::Table>()
            .map_err(|e| TaskError::HeaderNotToml {
                message: e.message().trim().to_owned(),
            })?;
        for (key, value) in table {
            match (folded.get_mut(&key), value) {
                (Some(toml::Value::Table(existing)), toml::Value::Table(new)) => {
                    existing.extend(new);
                }
                (_, value) => {
                    folded.insert(key, value);
                }
            }
        }
    }
    toml::to_string(&folded).map_err(|e| TaskError::HeaderNotToml {
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::task_name;
    use std::path::Path;

    /// File tasks read from files: an extensionless file is a program on Unix only.
    #[cfg(unix)]
    mod files {
        use super::super::{ScriptEntry, file_and_included_tasks, file_tasks};
        use std::path::Path;

        /// An executable `text` at `path` under `dir`.
        fn script(dir: &Path, path: &str, text: &str) {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
            vx_base::platform::fs::mark_executable(&path).unwrap();
        }

        /// What each task of `tasks` runs, by name.
        fn runs(tasks: &[ScriptEntry]) -> Vec<(String, String)> {
            tasks
                .iter()
                .map(|t| {
                    let run = t.script.as_ref().map(|s| s.run.join(";")).unwrap();
                    (t.name.clone(), run)
                })
                .collect()
        }

        /// A task two task directories (or two includes) hold is the later one's, in
        /// mise's order of its directories (checked with mise 2026.9.15: `mise-tasks`,
        /// `.mise-tasks`, `.mise/tasks`, `.config/mise/tasks`, `mise/tasks`, the last
        /// present wins), one entry in the place of the first.
        #[test]
        fn a_task_two_directories_hold_is_the_later_ones() {
            let dir = tempfile::tempdir().unwrap();
            for sub in ["mise-tasks", ".mise/tasks", "mise/tasks"] {
                script(dir.path(), &format!("{sub}/x"), "#!/bin/sh\n");
            }
            script(dir.path(), "mise-tasks/y", "#!/bin/sh\n");
            let tasks = runs(&file_tasks(dir.path()));
            assert_eq!(tasks.len(), 2, "{tasks:?}");
            assert_eq!(tasks[0].0, "x");
            assert!(tasks[0].1.contains("/mise/tasks/x "), "{tasks:?}");
            assert!(!tasks[0].1.contains(".mise"), "{tasks:?}");
            std::fs::write(dir.path().join("t.toml"), "x = \"echo toml\"\n").unwrap();
            let last = |includes: &str| {
                let text = format!("[task_config]\nincludes = {includes}\n");
                runs(&file_and_included_tasks(dir.path(), &text))
            };
            assert_eq!(last(r#"["mise-tasks", "t.toml"]"#)[0].1, "echo toml");
            assert!(
                last(r#"["t.toml", "mise-tasks"]"#)[0]
                    .1
                    .contains("mise-tasks/x ")
            );
        }
    }

    /// A `.toml` file in a task directory (not executable) is a file of TOML tasks, as
    /// mise 2026.9.15 reads railwayapp/railpack's `.mise/tasks/images.toml`; one named
    /// as a mise config is not; an executable beside it is still a file task.
    #[cfg(unix)]
    #[test]
    fn a_toml_file_in_a_task_directory_holds_tasks() {
        let dir = tempfile::tempdir().unwrap();
        let tasks = dir.path().join(".mise/tasks");
        std::fs::create_dir_all(tasks.join("sub")).unwrap();
        std::fs::write(
            tasks.join("images.toml"),
            "[image-build]\nrun = \"echo build {{vars.tag}}\"\n[image-run]\nrun = \"echo run\"\n",
        )
        .unwrap();
        std::fs::write(tasks.join("sub/more.toml"), "more = \"echo more\"\n").unwrap();
        std::fs::write(tasks.join("mise.toml"), "never = \"echo no\"\n").unwrap();
        std::fs::write(tasks.join("notes.toml.template"), "x = \"echo no\"\n").unwrap();
        std::fs::write(tasks.join("lint"), "#!/bin/sh\necho lint\n").unwrap();
        vx_base::platform::fs::mark_executable(&tasks.join("lint")).unwrap();
        let text = "[vars]\ntag = \"v1\"\n";
        let got = super::file_and_included_tasks(dir.path(), text);
        let names: Vec<_> = got.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            ["image-build", "image-run", "more", "lint"],
            "{names:?}"
        );
        let run = |i: usize| got[i].script.as_ref().unwrap().run.join(";");
        assert_eq!(run(0), "echo build v1");
        assert_eq!(run(2), "echo more");
    }

    #[test]
    fn file_tasks_are_named_as_mise_names_them() {
        let named = |p: &str| task_name(Path::new(p));
        assert_eq!(named("build"), ("build".to_owned(), None));
        assert_eq!(named("db/migrate"), ("db:migrate".to_owned(), None));
        assert_eq!(
            named("update-version.sh"),
            (
                "update-version".to_owned(),
                Some("update-version.sh".to_owned())
            )
        );
        assert_eq!(
            named("test/app.mts"),
            ("test:app".to_owned(), Some("test:app.mts".to_owned()))
        );
        assert_eq!(named("docs/_default"), ("docs".to_owned(), None));
        assert_eq!(named("_default"), ("_default".to_owned(), None));
        assert_eq!(named(".hidden"), (".hidden".to_owned(), None));
    }
}
