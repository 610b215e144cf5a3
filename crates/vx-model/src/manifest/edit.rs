//! `vx add` and `vx remove` on the manifest's text: one `[tools.NAME]` table added,
//! updated or removed with `toml_edit`, so the rest of the file (comments, order,
//! formatting) stays as the user wrote it. The caller re-parses the result with the
//! strict parser before writing it.

use toml_edit::{Array, DocumentMut, Item, Table, value};

/// What `vx init` writes, and `vx import` when it creates vx.toml: every table
/// explained in comments, `[settings] platforms` set to `platforms` (what `vx lock`
/// locks, so a lock made on one machine serves the others), `[tools]` last for what
/// is imported or added.
pub fn starter(platforms: &[crate::manifest::Platform]) -> String {
    let listed: Vec<String> = platforms.iter().map(|p| format!("\"{p}\"")).collect();
    format!(
        "{STARTER}\n[settings]\n# what `vx lock` locks; a machine not listed locks its own on first use\nplatforms = [{}]\n\n[tools]\n",
        listed.join(", ")
    )
}

/// [`starter`]'s comments.
const STARTER: &str = r#"# vx.toml: this project's tools. `vx lock` records their downloads in vx.lock (commit
# both); `vx sync` installs them; `vx exec -- CMD` and `vx CMD` run with them on PATH.
#
# [settings]: `platforms` (below) is what `vx lock` locks
# registries = [{ name = "ours", path = "registry.yaml" }]         # before the standard one
# path = ["scripts", "node_modules/.bin"]     # project directories after the tools' bins
# env_file = ".env"                          # dotenv files under [env]: read, never run
#
# [env]: set for `vx exec`, `vx run`, `vx env` and the shell hook
# DATABASE_URL = "postgres://localhost/dev"
# CARGO_TARGET_DIR = "{project}/target"       # {project}: this file's directory
# RUST_LOG = "${RUST_LOG:-info}"              # ${VAR}, ${VAR:-default}; NAME = false unsets
#
# [tasks]: `vx run NAME [ARGS]` runs one and what it depends on (docs/guide/tasks.md)
# lint = "ruff check ."
# test = { run = "pytest {args}", depends = ["lint"], env = { CI = "1" } }
#
# [tools], short form: a registry package and a version constraint ("14.1.1" exact,
# "14" the newest 14.x, "latest", "^1.2", "~1.2"); `vx use NAME` writes one.
# ripgrep = "14"
# "cli/cli" = "latest"                        # owner/repo when the short name is ambiguous
#
# [tools.NAME], long form: any download, its checksums recorded by `vx lock`.
# [tools.mytool]
# version = "1.2.3"
# url = "https://example.org/mytool-{version}-{os}-{arch}.tar.gz"
# bin = ["mytool"]
"#;

/// A tool as `vx add` names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTool {
    /// The tool's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The download URL template.
    pub url: String,
    /// The expected SHA-256, when known.
    pub sha256: Option<String>,
    /// Its executables (empty: found after install).
    pub bin: Vec<String>,
}

/// A tool given on the command line (`vx add NAME@VERSION --url … --sha256 … --bin …`)
/// that vx.toml could not hold, said of the argument or flag that brought the bad value
/// rather than of a vx.toml line the user never wrote.
#[derive(Debug, thiserror::Error)]
#[error("{argument}: {problem}")]
pub struct ArgumentError {
    /// The argument (`NAME@VERSION`) or flag (`--url`, `--sha256`, `--bin`).
    pub argument: String,
    /// What is wrong with it, as the strict parser says it (never with a position).
    pub problem: String,
}

impl NewTool {
    /// Checks the tool alone, as the strict parser would read its table in a vx.toml
    /// at `path`, and names the flag of whatever it refuses: the one place where a
    /// command line's tool becomes vx.toml's text. Problems that come from the rest of
    /// the project (its platforms, its replacements) are the caller's parse's.
    pub fn check(&self, path: &std::path::Path) -> Result<(), ArgumentError> {
        let (text, _) = add("", self).map_err(|e| ArgumentError {
            argument: self.argument(),
            problem: e.to_string(),
        })?;
        let Err(err) = super::Manifest::parse(path, &text) else {
            return Ok(());
        };
        let key = err
            .location()
            .and_then(|at| text.lines().nth(at.line.saturating_sub(1)))
            .and_then(|line| line.split_once(" = "))
            .map(|(key, _)| key.trim());
        let argument = match key {
            Some("url") => "--url".to_owned(),
            Some("sha256") => "--sha256".to_owned(),
            Some("bin") => "--bin".to_owned(),
            _ => self.argument(),
        };
        let problem = match err.problem() {
            Some(problem) => problem.to_string(),
            None => err.to_string(),
        };
        Err(ArgumentError { argument, problem })
    }

    /// `NAME@VERSION`, as the command line named the tool.
    fn argument(&self) -> String {
        vx_text::sanitize(&vx_base::validate::shorten(&format!(
            "{}@{}",
            self.name, self.version
        )))
        .into_owned()
    }
}

/// Why the manifest text cannot be edited.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The text is not TOML.
    #[error("invalid TOML: {0}")]
    Syntax(String),
    /// `tools` (or the tool's entry) is not a table.
    #[error("`{0}` is not a table")]
    NotATable(String),
    /// `vx remove` of a tool the manifest does not list.
    #[error("no tool `{name}` in the manifest{}", .suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    NotListed {
        /// The name asked for.
        name: String,
        /// The listed name it is probably a typo of.
        suggestion: Option<String>,
    },
}

/// Takes the comments of a document that holds nothing else (toml_edit keeps them as
/// its trailing text, which is written after every table), so that they can go above
/// the first table added: a file of comments keeps them on top.
fn take_lone_comments(doc: &mut DocumentMut) -> Option<String> {
    if !doc.as_table().is_empty() {
        return None;
    }
    let trailing = doc.trailing().as_str()?.to_owned();
    if trailing.trim().is_empty() {
        return None;
    }
    doc.set_trailing("");
    Some(trailing)
}

fn document(text: &str) -> Result<DocumentMut, EditError> {
    text.parse::<DocumentMut>()
        .map_err(|e| EditError::Syntax(e.message().trim().to_owned()))
}

/// The top-level table `name` of `doc` (`[env]`, `[settings]`, …), made at the end when
/// there is none; an error when `name` holds a value instead.
fn top_table<'d>(
    doc: &'d mut DocumentMut,
    name: &str,
) -> Result<&'d mut dyn toml_edit::TableLike, EditError> {
    doc.entry(name)
        .or_insert_with(|| Item::Table(Table::new()))
        .as_table_like_mut()
        .ok_or_else(|| EditError::NotATable(name.to_owned()))
}

/// `text` with `tool`'s table added at the end of `[tools]`, or, when it is already
/// listed, with its `version`, `url` (and `sha256`/`bin` when given) replaced and its
/// other keys kept. Returns the new text and whether the tool was new.
pub fn add(text: &str, tool: &NewTool) -> Result<(String, bool), EditError> {
    let mut doc = document(text)?;
    let comments = take_lone_comments(&mut doc);
    let tools = doc
        .entry("tools")
        .or_insert_with(|| {
            let mut table = Table::new();
            table.set_implicit(true);
            Item::Table(table)
        })
        .as_table_mut()
        .ok_or_else(|| EditError::NotATable("tools".to_owned()))?;
    let new = !tools.contains_key(&tool.name);
    let item = tools
        .entry(&tool.name)
        .or_insert_with(|| Item::Table(Table::new()));
    if let (Some(comments), Some(table)) = (comments, item.as_table_mut()) {
        table.decor_mut().set_prefix(comments);
    }
    let entry = item
        .as_table_like_mut()
        .ok_or_else(|| EditError::NotATable(format!("tools.{}", tool.name)))?;
    // Replacing only the value keeps the key's comments and position.
    let mut set = |key: &str, new: Item| match entry.get_mut(key) {
        Some(item) => *item = new,
        None => {
            entry.insert(key, new);
        }
    };
    set("version", value(&tool.version));
    set("url", value(&tool.url));
    if let Some(sha256) = &tool.sha256 {
        set("sha256", value(sha256));
    }
    if !tool.bin.is_empty() {
        let bins: Array = tool.bin.iter().map(String::as_str).collect();
        set("bin", value(bins));
    }
    if tool.sha256.is_none() {
        // A new URL makes an old checksum wrong.
        entry.remove("sha256");
    }
    Ok((doc.to_string(), new))
}

/// The `url` of the tool `name`'s own table in `[tools]`, when it is a tool with a URL
/// of its own (not a registry tool); `None` otherwise, or when `text` is no TOML.
pub fn url_of(text: &str, name: &str) -> Option<String> {
    let doc = document(text).ok()?;
    let url = doc
        .get("tools")?
        .as_table_like()?
        .get(name)?
        .as_table_like()?
        .get("url")?;
    url.as_str().map(str::to_owned)
}

/// `text` with the registry tool `key` at `constraint`: a new `key = "constraint"`
/// line in `[tools]`, or an existing entry's constraint replaced (one listed under
/// `key`, or under `owner/key`) (the string of a short
/// form, the `version` of a table), everything else kept. Returns the new text and
/// whether the tool was new.
pub fn set_constraint(
    text: &str,
    key: &str,
    constraint: &str,
) -> Result<(String, bool), EditError> {
    let mut doc = document(text)?;
    let comments = take_lone_comments(&mut doc);
    let tools = doc
        .entry("tools")
        .or_insert_with(|| Item::Table(Table::new()))
        .as_table_mut()
        .ok_or_else(|| EditError::NotATable("tools".to_owned()))?;
    if let Some(comments) = comments {
        tools.decor_mut().set_prefix(comments);
    }
    // A short form goes in the `[tools]` section itself, which must then be written.
    tools.set_implicit(false);
    let key = listed_key(&*tools, key);
    let key = key.as_str();
    let new = !tools.contains_key(key);
    match tools.get_mut(key) {
        Some(Item::Value(toml_edit::Value::String(old))) => {
            let decor = old.decor().clone();
            let mut fresh = toml_edit::Formatted::new(constraint.to_owned());
            *fresh.decor_mut() = decor;
            *old = fresh;
        }
        Some(item) => {
            let table = item
                .as_table_like_mut()
                .ok_or_else(|| EditError::NotATable(format!("tools.{key}")))?;
            match table.get_mut("version") {
                Some(version) => *version = value(constraint),
                None => {
                    table.insert("version", value(constraint));
                }
            }
        }
        None => {
            tools.insert(key, value(constraint));
        }
    }
    Ok((doc.to_string(), new))
}

/// `text` with a new registry tool `key = { version_file = "FILE" }` in `[tools]`: its
/// version kept in that file (an `.nvmrc`, `.python-version`, `.tool-versions`,
/// `mise.toml`…), everything else kept. An entry listed under `key` already has its
/// version replaced by the file.
pub fn set_version_file(text: &str, key: &str, file: &str) -> Result<String, EditError> {
    let mut doc = document(text)?;
    let comments = take_lone_comments(&mut doc);
    let tools = doc
        .entry("tools")
        .or_insert_with(|| Item::Table(Table::new()))
        .as_table_mut()
        .ok_or_else(|| EditError::NotATable("tools".to_owned()))?;
    if let Some(comments) = comments {
        tools.decor_mut().set_prefix(comments);
    }
    tools.set_implicit(false);
    let key = listed_key(&*tools, key);
    let mut table = toml_edit::InlineTable::new();
    table.insert("version_file", file.into());
    tools.insert(&key, value(table));
    Ok(doc.to_string())
}

/// The key `[tools]` lists the tool `name` under: `name` itself, else the one key whose
/// last `/` segment is `name` (a registry tool written `"cli/cli"` is named `cli`),
/// else `name` (not listed).
fn listed_key(tools: &dyn toml_edit::TableLike, name: &str) -> String {
    if tools.contains_key(name) {
        return name.to_owned();
    }
    let mut by_segment = tools.iter().map(|(k, _)| k).filter(|k| {
        // A language registry's package is named by its command
        // (`"npm:esbuild"` is the tool `esbuild`).
        match crate::package_name::Name::parse(k) {
            Ok(Some(package)) => package.short_name() == name,
            _ => k.rsplit('/').next() == Some(name),
        }
    });
    match (by_segment.next(), by_segment.next()) {
        (Some(one), None) => one.to_owned(),
        _ => name.to_owned(),
    }
}

/// `text` with `NAME = "value"` (or `NAME = false`, unset, for `None`) added to
/// `[env]` (made at the end when there is none), unless `[env]` already has `name`:
/// then `text` is returned unchanged and `false` (`vx import` leaves what is there).
pub(crate) fn add_env(
    text: &str,
    name: &str,
    value: Option<&str>,
) -> Result<(String, bool), EditError> {
    let mut doc = document(text)?;
    let env = top_table(&mut doc, "env")?;
    if env.contains_key(name) {
        return Ok((text.to_owned(), false));
    }
    env.insert(
        name,
        value.map_or_else(|| toml_edit::value(false), toml_edit::value),
    );
    Ok((doc.to_string(), true))
}

/// `text` with task `name` added to `[tasks]` (to `[scripts]`, its old name, when
/// the file has that table and no `[tasks]`; made at the end when there is neither):
/// `NAME = "RUN"` when it has nothing else, else an inline table of its fields; unless
/// either table already has `name`: then `text` unchanged and `false` (`vx import`
/// leaves what is there).
pub(crate) fn add_script(
    text: &str,
    name: &str,
    script: &crate::import::ImportedScript,
) -> Result<(String, bool), EditError> {
    let mut doc = document(text)?;
    match script_into(&mut doc, name, script)? {
        true => Ok((doc.to_string(), true)),
        false => Ok((text.to_owned(), false)),
    }
}

/// [`add_script`] of every one of `scripts` in order, the text parsed and printed
/// once (a project of hundreds of tasks read in place): the new text, and for each
/// whether it was added.
pub(crate) fn add_scripts(
    text: &str,
    scripts: &[(&str, &crate::import::ImportedScript)],
) -> Result<(String, Vec<bool>), EditError> {
    let mut doc = document(text)?;
    let mut added = Vec::with_capacity(scripts.len());
    for (name, script) in scripts {
        added.push(script_into(&mut doc, name, script)?);
    }
    Ok((doc.to_string(), added))
}

/// A `depends` (or `depends_post`) list as vx.toml reads it: the names and globs,
/// then a table `{ task, args, env }` for each dependency with words or variables of
/// its own, which the run makes a node of its own.
fn dependencies(names: &[String], calls: &[crate::import::ImportedCall]) -> toml_edit::Value {
    let mut array: Array = names.iter().map(String::as_str).collect();
    for call in calls {
        let mut table = toml_edit::InlineTable::new();
        table.insert("task", call.task.as_str().into());
        if !call.args.is_empty() {
            let args: Array = call.args.iter().map(String::as_str).collect();
            table.insert("args", toml_edit::Value::Array(args));
        }
        if !call.env.is_empty() {
            let mut env = toml_edit::InlineTable::new();
            for (var, value) in &call.env {
                env.insert(var, value.as_str().into());
            }
            table.insert("env", toml_edit::Value::InlineTable(env));
        }
        array.push(toml_edit::Value::InlineTable(table));
    }
    toml_edit::Value::Array(array)
}

/// An imported task's commands written into its entry: `run`, `shell`, `run_windows`
/// (a command alone as a string, several as a list).
fn commands_into(table: &mut toml_edit::InlineTable, script: &crate::import::ImportedScript) {
    let commands = |list: &[String]| -> Option<toml_edit::Value> {
        match list {
            [] => None,
            [one] => Some(one.as_str().into()),
            many => Some(toml_edit::Value::Array(
                many.iter().map(String::as_str).collect::<Array>(),
            )),
        }
    };
    if let Some(run) = commands(&script.run) {
        table.insert("run", run);
    }
    if !script.shell.is_empty() {
        let words = script.shell.iter().map(String::as_str).collect::<Array>();
        table.insert("shell", toml_edit::Value::Array(words));
    }
    if let Some(windows) = commands(&script.run_windows) {
        table.insert("run_windows", windows);
    }
}

/// Adds task `name` to `doc` as [`add_script`] says; `false` when it has it already.
fn script_into(
    doc: &mut toml_edit::DocumentMut,
    name: &str,
    script: &crate::import::ImportedScript,
) -> Result<bool, EditError> {
    for table in ["tasks", "scripts"] {
        if doc
            .get(table)
            .and_then(Item::as_table_like)
            .is_some_and(|t| t.contains_key(name))
        {
            return Ok(false);
        }
    }
    let table_name = if doc.contains_key("scripts") && !doc.contains_key("tasks") {
        "scripts"
    } else {
        "tasks"
    };
    let tasks = top_table(doc, table_name)?;
    let strings = |list: &[String]| -> toml_edit::Value {
        toml_edit::Value::Array(list.iter().map(String::as_str).collect::<Array>())
    };
    let plain = script.run.len() == 1
        && script.shell.is_empty()
        && script.run_windows.is_empty()
        && script.timeout.is_none()
        && script.depends.is_empty()
        && script.depends_post.is_empty()
        && script.calls.is_empty()
        && script.calls_post.is_empty()
        && script.wait_for.is_empty()
        && script.env.is_empty()
        && script.cwd.is_none()
        && script.description.is_none()
        && script.alias.is_empty()
        && !script.hide
        && script.sources.is_empty()
        && script.outputs.is_empty()
        && script.args.is_empty()
        && script.confirm.is_none()
        && !script.quiet
        && !script.raw_args
        && !script.service
        && script.tools.is_empty();
    if plain {
        tasks.insert(name, toml_edit::value(script.run[0].as_str()));
        return Ok(true);
    }
    let mut table = toml_edit::InlineTable::new();
    commands_into(&mut table, script);
    for (key, list, calls) in [
        ("depends", &script.depends, &script.calls),
        ("depends_post", &script.depends_post, &script.calls_post),
    ] {
        if !list.is_empty() || !calls.is_empty() {
            table.insert(key, dependencies(list, calls));
        }
    }
    for (key, list) in [
        ("wait_for", &script.wait_for),
        ("alias", &script.alias),
        ("sources", &script.sources),
        ("outputs", &script.outputs),
    ] {
        if !list.is_empty() {
            table.insert(key, strings(list));
        }
    }
    if !script.env.is_empty() {
        let mut env = toml_edit::InlineTable::new();
        for (var, value) in &script.env {
            env.insert(var, value.as_str().into());
        }
        table.insert("env", toml_edit::Value::InlineTable(env));
    }
    if let Some(cwd) = &script.cwd {
        table.insert("dir", cwd.as_str().into());
    }
    if let Some(description) = &script.description {
        table.insert("description", description.as_str().into());
    }
    if script.hide {
        table.insert("hide", true.into());
    }
    if script.quiet {
        table.insert("quiet", true.into());
    }
    if script.raw_args {
        table.insert("raw_args", true.into());
    }
    if !script.tools.is_empty() {
        let mut tools = toml_edit::InlineTable::new();
        for (tool, version) in &script.tools {
            tools.insert(tool, version.as_str().into());
        }
        table.insert("tools", toml_edit::Value::InlineTable(tools));
    }
    if let Some(confirm) = &script.confirm {
        table.insert("confirm", confirm.as_str().into());
    }
    if script.service {
        table.insert("service", true.into());
    }
    if let Some(timeout) = &script.timeout {
        table.insert("timeout", timeout.as_str().into());
    }
    if let Some(port) = script.ready_port {
        let mut ready = toml_edit::InlineTable::new();
        ready.insert("port", i64::from(port).into());
        table.insert("ready", toml_edit::Value::InlineTable(ready));
    }
    if !script.args.is_empty() {
        let args: Array = (script.args.iter())
            .map(|arg| toml_edit::Value::InlineTable(arg_table(arg)))
            .collect();
        table.insert("args", toml_edit::Value::Array(args));
    }
    tasks.insert(name, toml_edit::value(table));
    Ok(true)
}

/// One declared argument as vx.toml's `args` entry writes it: its name, its kind's
/// key, and each thing said of it.
fn arg_table(arg: &crate::import::ImportedArg) -> toml_edit::InlineTable {
    let mut one = toml_edit::InlineTable::new();
    one.insert("name", arg.name.as_str().into());
    // A positional argument is one by saying nothing; the others by their kind's key.
    if matches!(arg.kind, "option" | "flag" | "count") {
        one.insert(arg.kind, true.into());
    }
    let said = [
        ("variadic", arg.variadic),
        ("required", arg.required),
        ("rest", arg.rest),
    ];
    for (key, _) in said.into_iter().filter(|(_, on)| *on) {
        one.insert(key, true.into());
    }
    if let Some(d) = &arg.default {
        one.insert("default", d.as_str().into());
    }
    if let Some(h) = &arg.help {
        one.insert("help", h.as_str().into());
    }
    if let Some(c) = arg.short {
        one.insert("short", c.to_string().into());
    }
    for (key, value) in [("negate", &arg.negate), ("env", &arg.env)] {
        if let Some(value) = value {
            one.insert(key, value.as_str().into());
        }
    }
    one
}

/// `text` with `dir` added to `[settings] path` (made when missing), unless it is
/// listed already: then `text` unchanged and `false` (`vx import` of mise's `_.path`).
pub(crate) fn add_path(text: &str, dir: &str) -> Result<(String, bool), EditError> {
    add_to_settings_list(text, "path", dir)
}

/// `text` with `{ path = FILE, optional = true }` added to `[settings] env_file` (made
/// when missing; a single path becomes a list), unless it names `file` already: then
/// `text` unchanged and `false` (`vx import` of mise's `_.file`: mise skips a file that
/// is not there, as a fresh clone's git-ignored `.env`).
pub(crate) fn add_optional_env_file(text: &str, file: &str) -> Result<(String, bool), EditError> {
    let (added, changed) = add_to_settings_list(text, "env_file", file)?;
    if !changed {
        return Ok((added, false));
    }
    let mut doc = document(&added)?;
    let settings = top_table(&mut doc, "settings")?;
    if let Some(list) = settings.get_mut("env_file").and_then(|e| e.as_array_mut())
        && let Some(last) = list.len().checked_sub(1)
    {
        let mut entry = toml_edit::InlineTable::new();
        entry.insert("path", file.into());
        entry.insert("optional", true.into());
        list.replace(last, entry);
    }
    Ok((doc.to_string(), true))
}

/// `text` with `[settings] python_venv = DIR` (`vx import` of mise's
/// `_.python.venv` or a python's `virtualenv`), unless it names one already: then
/// `text` unchanged and `false` (the project's own choice stays).
pub(crate) fn set_python_venv(text: &str, dir: &str) -> Result<(String, bool), EditError> {
    let mut doc = document(text)?;
    let settings = top_table(&mut doc, "settings")?;
    if settings.contains_key("python_venv") {
        return Ok((text.to_owned(), false));
    }
    settings.insert("python_venv", value(dir));
    Ok((doc.to_string(), true))
}

/// `text` with `platform` added to `[settings] platforms` (made when missing), unless
/// it is listed already: then `text` unchanged and `false` (`vx lock --platform P`,
/// `vx init`, `vx import`).
pub fn add_platform(text: &str, platform: &str) -> Result<(String, bool), EditError> {
    add_to_settings_list(text, "platforms", platform)
}

/// `text` with `[settings] platforms` set to `platforms` when it lists none: then
/// `true` (`vx import` into a vx.toml without the list); else `text` unchanged.
pub fn list_platforms_if_unset(
    text: &str,
    platforms: &[crate::manifest::Platform],
) -> Result<(String, bool), EditError> {
    let doc = document(text)?;
    let listed = doc
        .get("settings")
        .and_then(|s| s.as_table_like())
        .is_some_and(|s| s.contains_key("platforms"));
    if listed {
        return Ok((text.to_owned(), false));
    }
    let mut text = text.to_owned();
    for platform in platforms {
        text = add_platform(&text, &platform.to_string())?.0;
    }
    Ok((text, true))
}

/// `text` with the string `item` added to the list `[settings] KEY`, as
/// [`add_path`] and [`add_optional_env_file`] say.
fn add_to_settings_list(text: &str, key: &str, item: &str) -> Result<(String, bool), EditError> {
    let mut doc = document(text)?;
    let settings = top_table(&mut doc, "settings")?;
    let entry = settings.entry(key).or_insert_with(|| value(Array::new()));
    if let Some(one) = entry.as_str().map(str::to_owned) {
        *entry = value(Array::from_iter([one]));
    }
    let list = entry
        .as_array_mut()
        .ok_or_else(|| EditError::NotATable(format!("settings.{key}")))?;
    let named = |v: &toml_edit::Value| {
        v.as_str()
            .or_else(|| v.as_inline_table()?.get("path")?.as_str())
            == Some(item)
    };
    if list.iter().any(named) {
        return Ok((text.to_owned(), false));
    }
    list.push(item);
    Ok((doc.to_string(), true))
}

/// `text` with `{ name = NAME, path = PATH }` added to `[settings] registries` (made
/// when missing), unless a registry `name` is listed already: then `text` unchanged
/// and `false` (`vx import` of an aqua.yaml's local registries).
pub fn add_registry(text: &str, name: &str, path: &str) -> Result<(String, bool), EditError> {
    let mut doc = document(text)?;
    let settings = top_table(&mut doc, "settings")?;
    let list = settings
        .entry("registries")
        .or_insert_with(|| value(Array::new()))
        .as_array_mut()
        .ok_or_else(|| EditError::NotATable("settings.registries".to_owned()))?;
    let listed = list.iter().any(|r| {
        r.as_inline_table()
            .and_then(|t| t.get("name"))
            .and_then(|n| n.as_str())
            == Some(name)
    });
    if listed {
        return Ok((text.to_owned(), false));
    }
    let mut entry = toml_edit::InlineTable::new();
    entry.insert("name", name.into());
    entry.insert("path", path.into());
    list.push(entry);
    Ok((doc.to_string(), true))
}

/// `text` without the `[tools.NAME]` table (and its sub-tables), or the registry tool
/// `NAME` (its key, or the `owner/NAME` key it is named by).
pub fn remove(text: &str, name: &str) -> Result<String, EditError> {
    let mut doc = document(text)?;
    let tools = doc.get_mut("tools").and_then(Item::as_table_like_mut);
    let Some(tools) = tools else {
        return Err(EditError::NotListed {
            name: name.to_owned(),
            suggestion: None,
        });
    };
    let key = listed_key(&*tools, name);
    if tools.remove(&key).is_none() {
        let listed: Vec<&str> = tools.iter().map(|(k, _)| k).collect();
        return Err(EditError::NotListed {
            name: name.to_owned(),
            suggestion: super::parse::suggest(name, &listed),
        });
    }
    // The last tool gone: `[tools]` stays, written out (a table only its tools'
    // headers made would vanish with them), so the file is still a vx.toml that
    // `vx sync` accepts, as `vx init` writes it.
    if tools.is_empty()
        && let Some(table) = doc.get_mut("tools").and_then(Item::as_table_mut)
    {
        table.set_implicit(false);
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# our tools\n[settings]\nplatforms = [\"linux-x86_64\"]  # CI runs here\n\n\
        [tools.rg]\n# pinned for the LTS\nversion = \"14\"\nurl = \"https://x.org/rg.tar.gz\"\noptions = { a = 1 }\n\n\
        [tools.rg.platforms.linux-x86_64]\nsha256 = \"ab\"\n\n[tools.jq]\nversion = \"1\"\nurl = \"https://x.org/jq.zip\"\n";

    fn tool(name: &str) -> NewTool {
        NewTool {
            name: name.to_owned(),
            version: "2".to_owned(),
            url: "https://x.org/{version}/fd.zip".to_owned(),
            sha256: None,
            bin: vec!["fd".to_owned()],
        }
    }

    #[test]
    fn adding_keeps_every_comment_and_appends_one_table() {
        let (text, new) = add(TEXT, &tool("fd")).unwrap();
        assert!(new);
        assert!(text.starts_with(TEXT), "the old text is untouched:\n{text}");
        assert!(
            text.ends_with("\n[tools.fd]\nversion = \"2\"\nurl = \"https://x.org/{version}/fd.zip\"\nbin = [\"fd\"]\n"),
            "{text}"
        );
        let (empty, _) = add("", &tool("fd")).unwrap();
        assert!(empty.starts_with("[tools.fd]\n"), "{empty}");
    }

    #[test]
    fn adding_a_listed_tool_updates_it_in_place() {
        let (text, new) = add(TEXT, &tool("rg")).unwrap();
        assert!(!new);
        assert!(
            text.contains("# pinned for the LTS\nversion = \"2\""),
            "{text}"
        );
        assert!(
            text.contains("options = { a = 1 }"),
            "other keys kept: {text}"
        );
        assert!(text.contains("# CI runs here"), "{text}");
    }

    #[test]
    fn removing_takes_the_table_and_its_platform_tables() {
        let text = remove(TEXT, "rg").unwrap();
        assert!(!text.contains("tools.rg"), "{text}");
        assert!(
            text.contains("# our tools") && text.contains("[tools.jq]"),
            "{text}"
        );
        let err = remove(TEXT, "jqq").unwrap_err();
        assert_eq!(
            err.to_string(),
            "no tool `jqq` in the manifest; did you mean `jq`?"
        );
        assert!(matches!(
            remove("[tools]\n", "x"),
            Err(EditError::NotListed { .. })
        ));
    }

    #[test]
    fn removing_the_last_tool_keeps_an_empty_tools_table() {
        let text = remove(&remove(TEXT, "rg").unwrap(), "jq").unwrap();
        assert!(text.contains("[tools]\n"), "{text}");
        assert!(!text.contains("tools.jq"), "{text}");
        crate::manifest::Manifest::parse(std::path::Path::new("vx.toml"), &text)
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        let text = remove("[tools]\nrg = \"14\"\n", "rg").unwrap();
        assert_eq!(text, "[tools]\n");
    }

    #[test]
    fn a_constraint_is_added_or_replaced_in_place() {
        let (text, new) = set_constraint(TEXT, "ripgrep", "14").unwrap();
        assert!(new);
        assert!(text.contains("[tools]\nripgrep = \"14\"\n"), "{text}");
        assert!(text.contains("# pinned for the LTS"), "{text}");
        let (text, new) = set_constraint(&text, "ripgrep", "15").unwrap();
        assert!(!new);
        assert!(text.contains("ripgrep = \"15\""), "{text}");
        let (text, _) = set_constraint(&text, "cli/cli", "latest").unwrap();
        assert!(text.contains("\"cli/cli\" = \"latest\""), "{text}");
        // By its name, a tool listed as `owner/name` is the one changed.
        let (text, new) = set_constraint(&text, "cli", "2").unwrap();
        assert!(!new);
        assert!(
            text.contains("\"cli/cli\" = \"2\"") && !text.contains("\ncli ="),
            "{text}"
        );
        let (text, new) = set_constraint(&text, "jq", "^1.7").unwrap();
        assert!(!new);
        assert!(text.contains("[tools.jq]\nversion = \"^1.7\""), "{text}");
        let (empty, _) = set_constraint("", "fd", "10").unwrap();
        assert_eq!(empty, "[tools]\nfd = \"10\"\n");
        let (inline, _) = set_constraint(
            "[tools]\nfd = { version = \"9\", os = [\"linux\"] } # x\n",
            "fd",
            "10",
        )
        .unwrap();
        assert_eq!(
            inline,
            "[tools]\nfd = { version = \"10\", os = [\"linux\"] } # x\n"
        );
    }

    #[test]
    fn an_env_variable_is_added_once_keeping_the_rest() {
        let (text, new) = add_env(TEXT, "NODE_ENV", Some("production")).unwrap();
        assert!(new);
        assert!(text.starts_with(TEXT), "{text}");
        assert!(
            text.ends_with("\n[env]\nNODE_ENV = \"production\"\n"),
            "{text}"
        );
        let (again, new) = add_env(&text, "NODE_ENV", Some("dev")).unwrap();
        assert!(!new);
        assert_eq!(again, text);
        let (unset, _) = add_env(&text, "GONE", None).unwrap();
        assert!(
            unset.ends_with("NODE_ENV = \"production\"\nGONE = false\n"),
            "{unset}"
        );
    }

    #[test]
    fn a_registry_tool_is_removed_by_its_name_or_its_key() {
        let text = "[tools]\n\"cli/cli\" = \"latest\"\nripgrep = \"14\"\n";
        assert_eq!(remove(text, "cli").unwrap(), "[tools]\nripgrep = \"14\"\n");
        assert_eq!(
            remove(text, "cli/cli").unwrap(),
            "[tools]\nripgrep = \"14\"\n"
        );
        assert_eq!(
            remove(text, "ripgrep").unwrap(),
            "[tools]\n\"cli/cli\" = \"latest\"\n"
        );
    }
}

#[cfg(test)]
mod placement {
    use super::*;

    #[test]
    fn a_language_registry_tool_is_edited_under_the_key_it_is_written_as() {
        let text =
            "[tools]\n\"pipx:ruff\" = \"0.8\" # the linter\n\"npm:@biomejs/biome\" = \"1\"\n";
        let (edited, new) = set_constraint(text, "ruff", "0.9").unwrap();
        assert!(!new);
        assert!(
            edited.contains("\"pipx:ruff\" = \"0.9\" # the linter"),
            "{edited}"
        );
        let (edited, _) = set_constraint(&edited, "biome", "2").unwrap();
        assert!(
            edited.contains("\"npm:@biomejs/biome\" = \"2\""),
            "{edited}"
        );
        assert_eq!(edited.matches(" = ").count(), 2, "{edited}");
    }

    #[test]
    fn a_short_form_added_to_a_file_without_tools_goes_below_its_comments() {
        let text = "# Our project's tools.\n# Keep this header first.\n[settings]\nplatforms = [\"linux-x86_64\"]\n";
        let (edited, new) = set_constraint(text, "ripgrep", "14").unwrap();
        assert!(new);
        assert!(edited.starts_with(text), "{edited}");
        assert!(edited.ends_with("[tools]\nripgrep = \"14\"\n"), "{edited}");
        let (bare, _) = set_constraint("# just a comment\n", "jq", "1").unwrap();
        assert_eq!(bare, "# just a comment\n[tools]\njq = \"1\"\n");
        let (table, _) = add(
            "# just a comment\n",
            &NewTool {
                name: "fd".to_owned(),
                version: "2".to_owned(),
                url: "https://x.org/fd.zip".to_owned(),
                sha256: None,
                bin: Vec::new(),
            },
        )
        .unwrap();
        assert!(
            table.starts_with("# just a comment\n[tools.fd]\n"),
            "{table}"
        );
    }
}
