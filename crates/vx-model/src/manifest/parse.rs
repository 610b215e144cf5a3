//! The `vx.toml` parser: walks [`toml::de::DeTable`] (which keeps the byte span of
//! every key and value) so each error points at the offending key or value, tools keep
//! the manifest's order, and every table accepts exactly its documented keys.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::environment::{self, EnvFile, ProjectEnvironment};
use super::network::ProjectNet;
use super::platform::Platform;
use super::tool::{
    Override, PLACEHOLDERS, ToolTable, fill, has_platform_placeholders, unknown_placeholder,
};
use super::{Location, ManifestError, Problem, RegistrySource, RegistryWhere};
use crate::task::EnvVar;
use vx_base::format::ArchiveFormat;
use vx_base::validate::{self, FieldError};
use vx_base::validate::{self as check, has_userinfo};

pub(super) mod entry;
mod errors;
mod tasks;
pub use tasks::MAX_TASKS;

use errors::{KeyFileError, VersionFileError};

/// Keys of the top level.
const TOP_KEYS: &[&str] = &["settings", "tools", "env", "tasks", "scripts"];
/// Keys of `[settings]`.
const SETTINGS_KEYS: &[&str] = &[
    "platforms",
    "registries",
    "min_release_age",
    "url_replacements",
    "mirrors",
    "verify",
    "path",
    "env_file",
    "auto_install",
    "python_venv",
    "task_output",
    "task_cache",
    "task_cache_salt",
    "task_cache_size",
    "task_cache_keys",
];
/// Keys of loonghao/vx's `[settings]` (its `vx-config` crate's `SettingsConfig`, and
/// the older `update_interval`/`check_updates`), the upstream project that also names
/// its file `vx.toml`, with why this vx ignores each: its file is read, not refused.
pub(super) const UPSTREAM_SETTINGS: &[(&str, &str)] = &[
    (
        "parallel_install",
        "vx sync installs in parallel always (-j N)",
    ),
    (
        "cache_duration",
        "vx revalidates what it caches with ETags instead of a duration",
    ),
    (
        "update_interval",
        "vx checks for new versions when asked (vx outdated)",
    ),
    (
        "check_updates",
        "vx checks for new versions when asked (vx outdated)",
    ),
    (
        "shell",
        "vx activate and vx env take the shell as an argument",
    ),
    ("log_level", "vx takes -q and -v"),
    (
        "isolation",
        "vx puts the project's tools first on PATH and keeps the rest",
    ),
    ("passenv", "vx keeps the environment and adds the project's"),
    ("setenv", "vx's [env] sets variables"),
    ("experimental", "no experimental features here"),
];

/// Keys of a `[settings] env_file` entry written as a table.
const ENV_FILE_KEYS: &[&str] = &["path", "optional"];
/// Most `[env]` entries, `[settings] path` entries or scripts one manifest may hold.
const MAX_ENVIRONMENT_ENTRIES: usize = 4096;
/// Keys that hold credentials in the user config: refused in vx.toml, which is shared.
const CREDENTIAL_KEYS: &[&str] = &["http", "headers", "token", "netrc"];
/// Keys of a `[settings] registries` entry.
const REGISTRY_SOURCE_KEYS: &[&str] = &["name", "path", "url", "runtimes"];
/// Most runtime declarations one registry entry may name.
const MAX_REGISTRY_RUNTIMES: usize = 64;
/// Keys of a registry tool's table (one without a `url`).
/// loonghao/vx's value of a rust tool whose toolchain rustup's `rust-toolchain.toml`
/// names ([`Parser::rustup_managed`]).
const RUSTUP_MANAGED: &str = "rustup-managed";

const REGISTRY_TOOL_KEYS: &[&str] = &[
    "version",
    "version_file",
    "package",
    "os",
    "bin",
    "verify",
    "allow_builds",
];
/// Keys only a tool with a `url` of its own may have.
const URL_ONLY_KEYS: &[&str] = &[
    "url",
    "sha256",
    "format",
    "strip_components",
    "replacements",
    "platforms",
    "post_install",
    "options",
    "verify",
];
/// Keys of a `[tools.NAME]` table.
const TOOL_KEYS: &[&str] = &[
    "version",
    "url",
    "sha256",
    "format",
    "strip_components",
    "bin",
    "post_install",
    "options",
    "replacements",
    "platforms",
    "os",
    "verify",
];
/// Keys of a `[tools.NAME.verify]` table: the signature kinds.
const VERIFY_KEYS: &[&str] = &[
    "minisign",
    "cosign",
    "sigstore",
    "github_attestations",
    "slsa",
];
/// Keys of `verify.sigstore`.
const SIGSTORE_KEYS: &[&str] = &["bundle", "identity", "identity_regexp", "issuer"];
/// Keys of `verify.github_attestations`.
const ATTESTATION_KEYS: &[&str] = &["repo", "signer_workflow", "predicate_type"];
/// Keys of `verify.slsa`.
const SLSA_KEYS: &[&str] = &["provenance", "source_uri"];
/// A sub-table of a table, with its dotted name and its span.
type SubTable<'t, 'i> = (&'t Table<'i>, String, Range<usize>);
/// Keys of one signature kind's table.
const CHECK_KEYS: &[&str] = &["public_key", "signature"];
/// Largest cosign key file read (a PEM public key is a few hundred bytes).
const MAX_KEY_FILE: u64 = 16 * 1024;
/// Keys of a `[tools.NAME.platforms.<os>-<arch>]` table.
const OVERRIDE_KEYS: &[&str] = &["url", "sha256", "format", "strip_components", "bin"];
/// Keys of a tool's `replacements` map: the canonical platform names.
const REPLACEABLE: &[&str] = &["linux", "macos", "windows", "x86_64", "aarch64"];

type Key<'i> = Spanned<std::borrow::Cow<'i, str>>;
type Entry<'i> = (&'i Key<'i>, &'i Spanned<DeValue<'i>>);
type Table<'i> = toml::map::Map<Key<'i>, Spanned<DeValue<'i>>>;

/// The parsed document: `[settings]` and the tools in manifest order.
pub(super) struct Document {
    pub platforms: Vec<Platform>,
    pub registries: Vec<RegistrySource>,
    pub min_release_age: Option<std::time::Duration>,
    pub network: ProjectNet,
    pub network_lines: BTreeMap<String, usize>,
    pub verify: vx_net::verify::Policy,
    pub auto_install: bool,
    pub tools: Vec<ToolTable>,
    pub environment: ProjectEnvironment,
    pub ignored: Vec<String>,
}

pub(super) struct Parser<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    /// Where each line after the first starts, built at the first line asked for: a
    /// line is then a binary search, not a count from the file's start (which, for
    /// each of 4096 `[env]` entries of a large file, took seconds).
    pub line_starts: std::cell::OnceCell<Vec<usize>>,
    /// `Some` to leave out a task that is refused (alone, or with the others: a name
    /// taken, a cycle) and note it here rather than fail the document
    /// ([`super::Manifest::parse_sparing_tasks`]).
    pub spared: Option<std::cell::RefCell<Vec<super::Spared>>>,
}

impl Parser<'_> {
    /// The line (from 1) of byte `offset` of the text.
    fn line_of(&self, offset: usize) -> usize {
        let starts = self.line_starts.get_or_init(|| {
            self.text
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1)
                .collect()
        });
        starts.partition_point(|&start| start <= offset) + 1
    }

    fn err(&self, span: Option<Range<usize>>, problem: Problem) -> ManifestError {
        ManifestError::Invalid {
            path: self.path.into(),
            location: span.map(|s| Location::from_offset(self.text, s.start)),
            problem,
        }
    }

    fn wrong_type(
        &self,
        value: &Spanned<DeValue<'_>>,
        key: String,
        expected: &'static str,
    ) -> ManifestError {
        self.err(
            Some(value.span()),
            Problem::WrongType {
                key,
                expected,
                found: type_name(value.get_ref()),
            },
        )
    }

    /// Refuses any key of `table` not in `allowed`, suggesting the closest one; a
    /// credential key is refused as such.
    fn known_keys(
        &self,
        table: &Table<'_>,
        allowed: &[&str],
        at: &str,
    ) -> Result<(), ManifestError> {
        for key in table.keys() {
            let name = key.get_ref().as_ref();
            if CREDENTIAL_KEYS.contains(&name) && (at.is_empty() || at == "settings") {
                return Err(self.err(Some(key.span()), Problem::Credentials(name.to_owned())));
            }
            if !allowed.contains(&name) {
                return Err(self.err(
                    Some(key.span()),
                    Problem::UnknownKey {
                        key: validate::shorten(name),
                        table: at.to_owned(),
                        suggestion: suggest(name, allowed),
                    },
                ));
            }
        }
        Ok(())
    }

    pub(crate) fn document(&self) -> Result<Document, ManifestError> {
        let root = DeTable::parse(self.text).map_err(|e| {
            let message = e.message().trim().replace('\n', "; ");
            self.err(Some(e.span().unwrap_or(0..0)), Problem::Syntax(message))
        })?;
        let root = root.get_ref();
        self.known_keys(root, TOP_KEYS, "")?;
        let mut doc = Document {
            platforms: Vec::new(),
            registries: Vec::new(),
            min_release_age: None,
            network: ProjectNet::default(),
            network_lines: BTreeMap::new(),
            verify: vx_net::verify::Policy::default(),
            auto_install: true,
            tools: Vec::new(),
            environment: ProjectEnvironment::default(),
            ignored: Vec::new(),
        };
        if let Some(value) = root.get("env") {
            doc.environment.vars = self.env_table(value, "env")?;
        }
        for table in ["tasks", "scripts"] {
            if let Some(value) = root.get(table) {
                let tasks = self.tasks(value, table)?;
                doc.environment.tasks.extend(tasks);
            }
        }
        self.check_tasks(&mut doc.environment.tasks)?;
        if let Some(value) = root.get("settings") {
            let settings = as_table(value)
                .ok_or_else(|| self.wrong_type(value, "settings".to_owned(), "a table"))?;
            self.settings(settings, &mut doc)?;
        }
        doc.tools = self.tools_of(root, &doc.environment)?;
        Ok(doc)
    }

    /// `[settings]` (`settings`) read into `doc`: its platforms, registries, release
    /// age, verify policy, auto-install, network, project environment and task cache,
    /// each key checked; upstream keys vx does not apply said in `doc.ignored`.
    fn settings(&self, settings: &Table<'_>, doc: &mut Document) -> Result<(), ManifestError> {
        let mut known: Vec<&str> = SETTINGS_KEYS.to_vec();
        for (key, why) in UPSTREAM_SETTINGS {
            if settings.keys().any(|k| k.get_ref().as_ref() == *key) {
                doc.ignored.push(format!("{key} ({why})"));
                known.push(key);
            }
        }
        self.known_keys(settings, &known, "settings")?;
        if let Some(list) = settings.get("platforms") {
            doc.platforms = self.platform_list(list)?;
        }
        if let Some(list) = settings.get("registries") {
            doc.registries = self.registry_sources(list)?;
        }
        if let Some((age, span)) = self.string(settings, "min_release_age", "settings")? {
            let parsed = vx_base::utc::parse_age(age)
                .map_err(|_| self.err(Some(span), Problem::BadAge(validate::shorten(age))))?;
            doc.min_release_age = Some(parsed);
        }
        if let Some((name, span)) = self.string(settings, "verify", "settings")? {
            doc.verify = vx_net::verify::Policy::from_name(name)
                .ok_or_else(|| self.err(Some(span), Problem::BadPolicy(validate::shorten(name))))?;
        }
        match settings.get("auto_install").map(|v| (v, v.get_ref())) {
            None => {}
            Some((_, DeValue::Boolean(b))) => doc.auto_install = *b,
            Some((v, _)) => {
                return Err(self.wrong_type(v, "settings.auto_install".to_owned(), "a boolean"));
            }
        }
        if let Some(value) = settings.get("url_replacements") {
            doc.network.url_replacements = self.url_replacements(value, &mut doc.network_lines)?;
        }
        if let Some(value) = settings.get("path") {
            doc.environment.path = self.path_list(value)?;
        }
        if let Some(value) = settings.get("env_file") {
            doc.environment.env_files = self.env_files(value)?;
        }
        if let Some(value) = settings.get("python_venv") {
            doc.environment.python_venv = Some(self.python_venv(value)?);
        }
        if let Some(value) = settings.get("task_output") {
            match value.get_ref() {
                DeValue::String(mode) if environment::TASK_OUTPUTS.contains(&mode.as_ref()) => {
                    doc.environment.task_output = Some(mode.to_string());
                }
                _ => {
                    return Err(self.wrong_type(
                        value,
                        "settings.task_output".to_owned(),
                        "one of \"live\", \"prefix\", \"grouped\", \"quiet\"",
                    ));
                }
            }
        }
        self.task_cache(settings, &mut doc.environment.task_cache)?;
        for key in environment::TASK_CACHE_KEYS {
            if let Some(value) = settings.get(key) {
                let line = self.line_of(value.span().start);
                doc.network_lines.insert(key.to_owned(), line);
            }
        }
        if let Some(value) = settings.get("mirrors") {
            doc.network.mirrors = self.mirrors(value)?;
            let line = self.line_of(value.span().start);
            doc.network_lines.insert("mirrors".to_owned(), line);
        }
        Ok(())
    }

    /// `[tools]` (absent: none, when the file is a project of its environment alone),
    /// each entry read in the manifest's order, a name twice refused.
    fn tools_of(
        &self,
        root: &Table<'_>,
        environment: &ProjectEnvironment,
    ) -> Result<Vec<ToolTable>, ManifestError> {
        let tools_table =
            match root.get("tools") {
                None => None,
                Some(value) => Some(as_table(value).ok_or_else(|| {
                    self.wrong_type(value, "tools".to_owned(), "a table of tools")
                })?),
            };
        // A file with no `[tools]` table and no project environment is not a vx.toml
        // yet; an empty `[tools]` (what `vx init` writes) or a project of `[env]` and
        // `[scripts]` alone is one with no tools.
        let empty = toml::map::Map::new();
        let tools_table = match tools_table {
            Some(table) => table,
            None if environment.is_empty() => return Err(self.err(None, Problem::NoTools)),
            None => &empty,
        };
        entry::tool_count(tools_table.len()).map_err(|p| self.err(None, p))?;
        // The map is sorted by name; the key spans give back the manifest's order.
        let mut entries: Vec<Entry<'_>> = tools_table.iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        let mut tools: Vec<ToolTable> = Vec::with_capacity(entries.len());
        for entry in entries {
            let tool = self.tool(entry)?;
            if tools.iter().any(|t| t.name == tool.name) {
                return Err(self.err(
                    Some(entry.0.span()),
                    Problem::DuplicateTool(tool.name.clone()),
                ));
            }
            tools.push(tool);
        }
        Ok(tools)
    }

    /// An `[env]` table (or a script's `env`): names checked, values strings
    /// (templates checked) or `false`, in the file's order.
    fn env_table(
        &self,
        value: &Spanned<DeValue<'_>>,
        at: &str,
    ) -> Result<Vec<EnvVar>, ManifestError> {
        let table =
            as_table(value).ok_or_else(|| self.wrong_type(value, at.to_owned(), "a table"))?;
        entry::env_count(at, table.len()).map_err(|p| self.err(Some(value.span()), p))?;
        let mut entries: Vec<Entry<'_>> = table.iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        let mut vars = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            let name = key.get_ref().as_ref();
            entry::var_name(at, name).map_err(|p| self.err(Some(key.span()), p))?;
            let template = match value.get_ref() {
                DeValue::String(text) => Some(text.as_ref().to_owned()),
                DeValue::Boolean(false) => None,
                _ => {
                    return Err(self.wrong_type(
                        value,
                        format!("{at}.{name}"),
                        "a string, or false to unset it",
                    ));
                }
            };
            if let Some(template) = &template {
                entry::var_value(at, name, template)
                    .map_err(|p| self.err(Some(value.span()), p))?;
            }
            vars.push(EnvVar {
                name: name.to_owned(),
                value: template,
                line: self.line_of(key.span().start),
                literal: false,
            });
        }
        Ok(vars)
    }

    /// `[settings] env_file`: a path, or an array of paths and `{ path, optional }`
    /// tables.
    fn env_files(&self, value: &Spanned<DeValue<'_>>) -> Result<Vec<EnvFile>, ManifestError> {
        let at = "settings.env_file";
        let expected = "a path, or an array of paths and { path, optional } tables";
        let items: Vec<&Spanned<DeValue<'_>>> = match value.get_ref() {
            DeValue::Array(items) => items.iter().collect(),
            _ => vec![value],
        };
        if items.len() > MAX_ENVIRONMENT_ENTRIES {
            return Err(self.err(
                Some(value.span()),
                Problem::Environment("[settings] env_file has too many entries".to_owned()),
            ));
        }
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let (path, optional) = match item.get_ref() {
                DeValue::String(path) => (path.as_ref(), false),
                DeValue::Table(table) => {
                    self.known_keys(table, ENV_FILE_KEYS, at)?;
                    let (path, _) = self.string(table, "path", at)?.ok_or_else(|| {
                        self.err(
                            Some(item.span()),
                            Problem::Environment(format!("an entry of [{at}] has no `path`")),
                        )
                    })?;
                    let optional = match table.get("optional").map(|v| (v, v.get_ref())) {
                        None => false,
                        Some((_, DeValue::Boolean(b))) => *b,
                        Some((v, _)) => {
                            return Err(self.wrong_type(v, format!("{at}.optional"), "a boolean"));
                        }
                    };
                    (path, optional)
                }
                _ => return Err(self.wrong_type(item, at.to_owned(), expected)),
            };
            entry::env_file_entry(path).map_err(|p| self.err(Some(item.span()), p))?;
            out.push(EnvFile {
                path: path.to_owned(),
                optional,
                line: self.line_of(item.span().start),
            });
        }
        Ok(out)
    }

    /// `[settings] python_venv`: the project's virtual environment, a relative
    /// directory inside the project (`.venv`).
    fn python_venv(&self, value: &Spanned<DeValue<'_>>) -> Result<String, ManifestError> {
        let DeValue::String(dir) = value.get_ref() else {
            return Err(self.wrong_type(
                value,
                "settings.python_venv".to_owned(),
                "a directory inside the project, such as \".venv\"",
            ));
        };
        entry::python_venv(dir)
            .map(|()| dir.to_string())
            .map_err(|p| self.err(Some(value.span()), p))
    }

    /// `[settings] path`: relative directories inside the project.
    fn path_list(&self, value: &Spanned<DeValue<'_>>) -> Result<Vec<String>, ManifestError> {
        let items = self.string_list(value, "settings.path")?;
        if items.len() > MAX_ENVIRONMENT_ENTRIES {
            return Err(self.err(
                Some(value.span()),
                Problem::Environment("[settings] path has too many entries".to_owned()),
            ));
        }
        items
            .into_iter()
            .map(|(dir, span)| {
                entry::path_entry(dir)
                    .map(|()| dir.to_owned())
                    .map_err(|p| self.err(Some(span), p))
            })
            .collect()
    }

    /// Leaves out the task `name` for `error` when tasks are spared (`true`: noted);
    /// `false` when they are not, and `error` stands.
    pub(super) fn spare(&self, name: &str, error: &ManifestError) -> bool {
        let Some(spared) = &self.spared else {
            return false;
        };
        spared.borrow_mut().push(super::Spared {
            name: name.to_owned(),
            problem: match error.problem() {
                Some(problem) => problem.to_string(),
                None => error.to_string(),
            },
        });
        true
    }

    /// The tasks together: names and aliases unique, no cycle. Errors point at the
    /// task's line. When tasks are spared, a task whose name is taken or that closes
    /// a cycle is left out instead (each cycle found by one walk of the graph).
    fn check_tasks(&self, tasks: &mut Vec<crate::task::Task>) -> Result<(), ManifestError> {
        if self.spared.is_some() {
            return self.spare_tasks(tasks);
        }
        let at_line = |line: usize| {
            let start = self
                .text
                .split_inclusive('\n')
                .take(line.saturating_sub(1))
                .map(str::len)
                .sum::<usize>();
            Some(start..start)
        };
        // Each name and alias of the tasks before: the first task that answers to it.
        let mut taken: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (i, task) in tasks.iter().enumerate() {
            for name in std::iter::once(&task.name).chain(&task.alias) {
                if let Some(other) = taken.get(name.as_str()).map(|&j| &tasks[j]) {
                    return Err(self.err(
                        at_line(task.line),
                        Problem::Environment(format!(
                            "task `{}`: the name `{name}` is taken by task `{}` (line {})",
                            task.name, other.name, other.line
                        )),
                    ));
                }
            }
            for name in std::iter::once(&task.name).chain(&task.alias) {
                taken.entry(name.as_str()).or_insert(i);
            }
        }
        // A dependency that is no task is not an error here: the task is listed, and
        // running it fails naming the missing one (`task::graph::Plan::build`), as
        // mise takes it, so one bad entry does not stop the project's other commands.
        if let Some((at, cycle)) = crate::task::graph::cycle_at(tasks) {
            let line = tasks[at].line;
            return Err(self.err(
                at_line(line),
                Problem::Environment(format!(
                    "the tasks' dependencies form a cycle: {}",
                    cycle.join(" → ")
                )),
            ));
        }
        Ok(())
    }

    /// [`Parser::check_tasks`] leaving out (and noting) what it would refuse.
    fn spare_tasks(&self, tasks: &mut Vec<crate::task::Task>) -> Result<(), ManifestError> {
        spare_tasks(tasks, &mut |name, problem| {
            self.spare(name, &self.err(None, problem));
        });
        Ok(())
    }

    /// `[settings] url_replacements`: rules in the file's order, each checked
    /// ([`vx_net::rewrite::check`]) and without credentials; their lines go into
    /// `lines` as `url_replacements.KEY`.
    fn url_replacements(
        &self,
        value: &Spanned<DeValue<'_>>,
        lines: &mut BTreeMap<String, usize>,
    ) -> Result<Vec<(String, String)>, ManifestError> {
        let at = "settings.url_replacements";
        let table =
            as_table(value).ok_or_else(|| self.wrong_type(value, at.to_owned(), "a table"))?;
        let mut entries: Vec<Entry<'_>> = table.iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        let mut out = Vec::new();
        for (key, _) in entries {
            let name = key.get_ref().as_ref();
            let (to, span) = self
                .string(table, name, at)?
                .expect("the key is in the table");
            self.no_credentials(name, key.span())?;
            self.no_credentials(to, span.clone())?;
            vx_net::rewrite::check(name, to)
                .map_err(|e| self.err(Some(key.span()), Problem::Network(e.to_string())))?;
            // A cloned repository's rules point at the web only: a replacement that
            // names another scheme (file://) is refused here, and whatever a `regex:`
            // rule makes of a URL is checked again by the client after rewriting.
            if !vx_net::rewrite::is_web_target(to) {
                return Err(self.err(
                    Some(span),
                    Problem::Network(
                        "a project's url_replacements may rewrite to http:// or https:// URLs only"
                            .to_owned(),
                    ),
                ));
            }
            let line = self.line_of(key.span().start);
            lines.insert(format!("url_replacements.{name}"), line);
            out.push((name.to_owned(), to.to_owned()));
        }
        Ok(out)
    }

    /// `[settings] mirrors`: each of a known form ([`vx_base::validate::mirror`]) and without
    /// credentials.
    fn mirrors(&self, value: &Spanned<DeValue<'_>>) -> Result<Vec<String>, ManifestError> {
        let mut out: Vec<String> = Vec::new();
        for (mirror, span) in self.string_list(value, "settings.mirrors")? {
            self.no_credentials(mirror, span.clone())?;
            check::mirror(mirror)
                .map_err(|why| self.err(Some(span), Problem::Network(why.to_owned())))?;
            if !out.iter().any(|m| m == mirror) {
                out.push(mirror.to_owned());
            }
        }
        Ok(out)
    }

    /// `[settings] registries = [{ name, path } | { name, url }]`.
    fn registry_sources(
        &self,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<Vec<RegistrySource>, ManifestError> {
        let at = "settings.registries";
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.wrong_type(value, at.to_owned(), "an array of tables"));
        };
        let mut out: Vec<RegistrySource> = Vec::new();
        for item in items {
            let table = as_table(item)
                .ok_or_else(|| self.wrong_type(item, at.to_owned(), "an array of tables"))?;
            self.known_keys(table, REGISTRY_SOURCE_KEYS, at)?;
            let (name, name_span) = self.string(table, "name", at)?.ok_or_else(|| {
                self.err(Some(item.span()), Problem::RegistrySource("has no `name`"))
            })?;
            validate::tool_name(name).map_err(|e| self.err(Some(name_span.clone()), e.into()))?;
            if name == "standard" || out.iter().any(|r| r.name == name) {
                return Err(self.err(
                    Some(name_span),
                    Problem::RegistrySource("has a name already taken (`standard` is aqua's)"),
                ));
            }
            let place = match (
                self.string(table, "path", at)?,
                self.string(table, "url", at)?,
            ) {
                (Some((path, _)), None) => RegistryWhere::Path(path.into()),
                (None, Some((url, span))) => {
                    self.no_credentials(url, span.clone())?;
                    validate::url(url).map_err(|e| self.err(Some(span), e.into()))?;
                    RegistryWhere::Url(url.to_owned())
                }
                _ if table.contains_key("runtimes") => {
                    return Err(self.err(
                        Some(item.span()),
                        Problem::RegistrySource(
                            "needs exactly one of `path` and `url`, even for runtimes alone: its `runtimes` are read relative to it (a registry.yaml of `packages: []` will do)",
                        ),
                    ));
                }
                _ => {
                    return Err(self.err(
                        Some(item.span()),
                        Problem::RegistrySource("needs exactly one of `path` and `url`"),
                    ));
                }
            };
            let runtimes = match table.get("runtimes") {
                Some(value) => self.registry_runtimes(value)?,
                None => Vec::new(),
            };
            out.push(RegistrySource {
                name: name.to_owned(),
                place,
                runtimes,
            });
        }
        Ok(out)
    }

    /// A registry entry's `runtimes = ["runtimes/corp-jdk.toml", "https://…/x.toml"]`:
    /// each a path or an http(s) URL naming a `NAME.toml` declaration. A `file://` URL
    /// is refused: a project names local files by path, and a URL registry's entries
    /// stay on the web (as its packages' downloads do).
    fn registry_runtimes(
        &self,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<Vec<String>, ManifestError> {
        let items = self.string_list(value, "settings.registries.runtimes")?;
        if items.len() > MAX_REGISTRY_RUNTIMES {
            return Err(self.err(
                Some(value.span()),
                Problem::RegistryRuntime(format!("list is longer than {MAX_REGISTRY_RUNTIMES}")),
            ));
        }
        let mut out: Vec<String> = Vec::new();
        for (item, span) in items {
            let bad = |why: String| {
                self.err(
                    Some(span.clone()),
                    Problem::RegistryRuntime(format!("{:?} {why}", validate::shorten(item))),
                )
            };
            if item.contains("://") {
                self.no_credentials(item, span.clone())?;
                match validate::url(item).map_err(|e| bad(format!("is not a URL vx reads: {e}")))? {
                    validate::Scheme::File => {
                        return Err(bad(
                            "is a file:// URL: name a file of the project by its path, or a declaration on the web by http(s)".to_owned(),
                        ));
                    }
                    validate::Scheme::Http | validate::Scheme::Https => {}
                }
            } else if item.is_empty() || item.chars().any(char::is_control) {
                return Err(bad("is not a path".to_owned()));
            }
            if RegistrySource::runtime_name(item).is_none() {
                return Err(bad(
                    "must name a declaration file NAME.toml (its runtime's name)".to_owned(),
                ));
            }
            if out.iter().any(|o| o == item) {
                return Err(bad("is listed twice".to_owned()));
            }
            out.push(item.to_owned());
        }
        Ok(out)
    }

    /// `NAME = "CONSTRAINT"`, or a table without a `url`: a tool to find in the
    /// registries. Its name is the key's last `/` segment (`cli/cli` → `cli`).
    fn registry_tool(
        &self,
        key: &Key<'_>,
        constraint: (&str, Range<usize>),
        table: Option<&Table<'_>>,
    ) -> Result<ToolTable, ManifestError> {
        let written = key.get_ref().as_ref();
        let at = format!("tools.{written}");
        let (name, mut lookup) =
            entry::registry_key(written).map_err(|p| self.err(Some(key.span()), p))?;
        let (text, span) = constraint;
        entry::constraint(text).map_err(|p| self.err(Some(span), p))?;
        let (mut os, mut bin, mut verify_off) = (Vec::new(), None, false);
        let mut options = BTreeMap::new();
        if let Some(table) = table {
            self.known_keys(table, REGISTRY_TOOL_KEYS, &at)?;
            // A runtime tool's packages whose install scripts may run (mise's
            // `allow_builds`), passed on as an option (`vx_sources::backend::environment`).
            if let Some(value) = table.get("allow_builds") {
                let json = to_json(value.get_ref()).map_err(|reason| {
                    self.err(
                        Some(value.span()),
                        Problem::BadOption("allow_builds".to_owned(), reason),
                    )
                })?;
                if !json
                    .as_array()
                    .is_some_and(|l| l.iter().all(|v| v.is_string()))
                {
                    return Err(self.wrong_type(
                        value,
                        format!("{at}.allow_builds"),
                        "a list of package names",
                    ));
                }
                options.insert("allow_builds".to_owned(), json);
            }
            if let Some((package, span)) = self.string(table, "package", &at)? {
                lookup = entry::package_lookup(package).map_err(|p| self.err(Some(span), p))?;
            }
            if let Some(value) = table.get("os") {
                os = self.os_list(value, &format!("{at}.os"))?;
            }
            bin = self.bin(table, &at)?;
            verify_off = self.verify_off(table, &at)?;
        }
        let mut tool = ToolTable::registry_tool(name, lookup, text);
        tool.bin = bin;
        tool.options = options;
        tool.os = os;
        tool.verify_off = verify_off;
        if let Some(request) = &mut tool.registry {
            request.at = Some(Location::from_offset(self.text, key.span().start));
        }
        Ok(tool)
    }

    /// A tool's `verify = "off"`: whether it is there. Any other string is an error;
    /// a table is the caller's (a URL tool's signatures), never this one's.
    fn verify_off(&self, table: &Table<'_>, at: &str) -> Result<bool, ManifestError> {
        match table.get("verify") {
            None => Ok(false),
            Some(value) if off_value(Some(value.get_ref())) => Ok(true),
            Some(value) => Err(self.wrong_type(
                value,
                format!("{at}.verify"),
                "\"off\" (a registry tool's signatures are its registry's), or for a tool with a url a table of signatures",
            )),
        }
    }

    /// `file` (relative to vx.toml) as vx.toml's directory holds it.
    fn project_file(&self, file: &str) -> std::path::PathBuf {
        let dir = self.path.parent().unwrap_or(Path::new(""));
        dir.join(file)
    }

    /// loonghao/vx's `rust = "rustup-managed"`: rustup's `rust-toolchain.toml` (else the
    /// legacy `rust-toolchain`) beside vx.toml owns the toolchain, so the rust tool takes
    /// its version from that file, as `version_file` would; without one it is an error
    /// that says so.
    fn rustup_managed(
        &self,
        key: &Key<'_>,
        span: Range<usize>,
    ) -> Result<ToolTable, ManifestError> {
        let name = key.get_ref().as_ref();
        let file = ["rust-toolchain.toml", "rust-toolchain"]
            .into_iter()
            .find(|f| self.project_file(f).is_file())
            .ok_or_else(|| {
                self.err(
                    Some(span.clone()),
                    Problem::VersionFile(format!(
                        "`{RUSTUP_MANAGED}`: rust-toolchain.toml owns the toolchain, and there is no rust-toolchain.toml or rust-toolchain beside vx.toml"
                    )),
                )
            })?;
        let constraint = self
            .version_file(name, file)
            .map_err(|why| self.err(Some(span.clone()), Problem::VersionFile(why.to_string())))?;
        let mut tool = self.registry_tool(key, (&constraint, span), None)?;
        tool.version_file = Some(self.project_file(file));
        Ok(tool)
    }

    /// The constraint a tool's `version_file` gives (an `.nvmrc`, `.python-version`,
    /// `go.mod`, `rust-toolchain.toml`, `.tool-versions`…: its format by its name, else
    /// the one-version file of the runtime `lookup` names), read as `vx import` reads
    /// it; or why not.
    fn version_file(&self, lookup: &str, file: &str) -> Result<String, VersionFileError> {
        use crate::import::{self, Format};
        if file.is_empty()
            || Path::new(file).is_absolute()
            || Path::new(file)
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir))
        {
            return Err(VersionFileError::Outside);
        }
        let path = self.project_file(file);
        // Nor through a link: a cloned repository's `.nvmrc -> ~/.npmrc` would put
        // another file's first line into vx's messages (and a CI job's log).
        // Nor another user's (one put beside vx.toml in a shared directory).
        let dir = self.path.parent().unwrap_or(Path::new("."));
        match vx_base::ownership::check(dir, &path) {
            Ok(()) => {}
            Err(vx_base::ownership::NotOwn::Outside { real, .. }) => {
                return Err(VersionFileError::Link {
                    file: file.to_owned(),
                    real,
                });
            }
            Err(vx_base::ownership::NotOwn::Foreign { uid, .. }) => {
                return Err(VersionFileError::Foreign {
                    file: file.to_owned(),
                    uid,
                });
            }
        }
        let runtime = import::names::runtime_of(lookup);
        let format = Format::of_file(&path)
            .or(match runtime {
                Some("node") => Some(Format::NodeVersion),
                Some("python") => Some(Format::PythonVersion),
                Some("ruby") => Some(Format::RubyVersion),
                Some("go") => Some(Format::GoVersion),
                Some("java") => Some(Format::JavaVersion),
                Some("rust") => Some(Format::RustToolchain),
                _ => None,
            })
            .ok_or_else(|| VersionFileError::Format {
                file: file.to_owned(),
            })?;
        let imported = import::read(&path, format)?;
        let same = |name: &str| {
            name == lookup || (runtime.is_some() && import::names::runtime_of(name) == runtime)
        };
        let entry =
            match imported.tools.as_slice() {
                [one] => one,
                many => many.iter().find(|e| same(&e.name)).ok_or_else(|| {
                    VersionFileError::NoVersion {
                        file: file.to_owned(),
                        lookup: lookup.to_owned(),
                    }
                })?,
            };
        entry
            .version
            .clone()
            .map_err(|source| VersionFileError::Version {
                file: file.to_owned(),
                source,
            })
    }

    fn platform_list(&self, value: &Spanned<DeValue<'_>>) -> Result<Vec<Platform>, ManifestError> {
        let items = self.string_list(value, "settings.platforms")?;
        let mut platforms = Vec::new();
        for (name, span) in items {
            let platform = self.platform(name, span)?;
            if !platforms.contains(&platform) {
                platforms.push(platform);
            }
        }
        Ok(platforms)
    }

    fn platform(&self, name: &str, span: Range<usize>) -> Result<Platform, ManifestError> {
        name.parse::<Platform>()
            .map_err(|e| self.err(Some(span), Problem::Platform(e)))
    }

    fn tool(&self, (key, value): Entry<'_>) -> Result<ToolTable, ManifestError> {
        let name = key.get_ref().as_ref();
        if let DeValue::String(constraint) = value.get_ref() {
            if constraint.as_ref() == RUSTUP_MANAGED
                && crate::import::names::runtime_of(name) == Some("rust")
            {
                return self.rustup_managed(key, value.span());
            }
            return self.registry_tool(key, (constraint, value.span()), None);
        }
        let at = format!("tools.{name}");
        let table = as_table(value)
            .ok_or_else(|| self.wrong_type(value, at.clone(), "a version constraint or a table"))?;
        let has = |k: &str| table.get(k).is_some();
        // `verify = "off"` is any tool's; a `verify` table (the signatures to check)
        // only a URL tool's.
        let url_only =
            |k: &&str| has(k) && !(*k == "verify" && off_value(table.get(*k).map(|v| v.get_ref())));
        if has("package") || !URL_ONLY_KEYS.iter().any(url_only) {
            return self.registry_table_tool(key, table, &at);
        }
        self.url_tool(key, table, &at)
    }

    /// A registry tool written as a table (`{ version = "14", package = … }`, or
    /// `version_file` naming the file that gives its version); a `url` beside a
    /// `package` is an error.
    fn registry_table_tool(
        &self,
        key: &Key<'_>,
        table: &Table<'_>,
        at: &str,
    ) -> Result<ToolTable, ManifestError> {
        let name = key.get_ref().as_ref();
        if table.get("url").is_some() {
            let span = table.get("url").map(|v| v.span());
            return Err(self.err(span, Problem::UrlAndPackage(name.to_owned())));
        }
        let from_file = match self.string(table, "version_file", at)? {
            Some((file, span)) => {
                if table.get("version").is_some() {
                    return Err(self.err(
                        Some(span),
                        Problem::VersionFile(format!(
                            "`{}` and `version` both give the version: keep one",
                            validate::shorten(file)
                        )),
                    ));
                }
                let lookup = match self.string(table, "package", at)? {
                    Some((package, _)) => package,
                    None => name,
                };
                let constraint = self.version_file(lookup, file).map_err(|why| {
                    self.err(Some(span.clone()), Problem::VersionFile(why.to_string()))
                })?;
                Some((file, constraint, span))
            }
            None => None,
        };
        if let Some((file, constraint, span)) = from_file {
            let mut tool = self.registry_tool(key, (&constraint, span), Some(table))?;
            tool.version_file = Some(self.project_file(file));
            return Ok(tool);
        }
        let constraint = self.string(table, "version", at)?.ok_or_else(|| {
            self.err(
                Some(key.span()),
                Problem::MissingKey {
                    tool: name.to_owned(),
                    key: "version",
                },
            )
        })?;
        self.registry_tool(key, constraint, Some(table))
    }

    /// A URL tool (`{ version, url, sha256, … }`): every key checked here, at its
    /// line, so a bad value is an error before anything is downloaded.
    fn url_tool(
        &self,
        key: &Key<'_>,
        table: &Table<'_>,
        at: &str,
    ) -> Result<ToolTable, ManifestError> {
        let name = key.get_ref().as_ref();
        validate::tool_name(name).map_err(|e| self.err(Some(key.span()), e.into()))?;
        self.known_keys(table, TOOL_KEYS, at)?;
        let field = |span: Range<usize>, e: FieldError| self.err(Some(span), e.into());
        let missing = |k: &'static str| {
            self.err(
                Some(key.span()),
                Problem::MissingKey {
                    tool: name.to_owned(),
                    key: k,
                },
            )
        };

        let (version, span) = self
            .string(table, "version", at)?
            .ok_or_else(|| missing("version"))?;
        validate::version(version).map_err(|e| field(span, e))?;

        let replacements = match table.get("replacements") {
            None => BTreeMap::new(),
            Some(value) => self.replacements(value, at)?,
        };
        let platforms = match table.get("platforms") {
            None => BTreeMap::new(),
            Some(value) => self.overrides(value, at, version, &replacements)?,
        };
        let url = match self.string(table, "url", at)? {
            Some((url, span)) => {
                self.check_url(url, span, version, &replacements)?;
                Some(url.to_owned())
            }
            None if platforms.values().any(|o| o.url.is_some()) => None,
            None => return Err(missing("url")),
        };
        let sha256 = match self.string(table, "sha256", at)? {
            Some((hex, span)) => {
                if url.as_deref().is_some_and(has_platform_placeholders) {
                    return Err(self.err(Some(span), Problem::ShaForEveryPlatform(name.to_owned())));
                }
                Some(validate::sha256(hex).map_err(|e| field(span, e))?)
            }
            None => None,
        };
        let format = self.format(table, at)?;
        if let (Some(url), None) = (&url, format) {
            self.inferable_format(table, url, version, &replacements)?;
        }
        let strip_components = self.strip_components(table, at)?.unwrap_or(0);
        let bin = self.bin(table, at)?;
        let os = match table.get("os") {
            None => Vec::new(),
            Some(value) => self.os_list(value, &format!("{at}.os"))?,
        };
        let post_install = match self.string(table, "post_install", at)? {
            Some((cmd, span)) => {
                validate::command(cmd).map_err(|e| field(span, e))?;
                Some(cmd.to_owned())
            }
            None => None,
        };
        let options = match table.get("options") {
            None => BTreeMap::new(),
            Some(value) => self.tool_options(value, at)?,
        };
        let verify_off = off_value(table.get("verify").map(|v| v.get_ref()));
        let verify = match table.get("verify") {
            None => None,
            Some(_) if verify_off => None,
            Some(value) => Some(self.verify(value, &format!("{at}.verify"))?),
        };
        Ok(ToolTable {
            name: name.to_owned(),
            version: version.to_owned(),
            url,
            sha256,
            format,
            strip_components,
            bin,
            post_install,
            options,
            replacements,
            platforms,
            os,
            registry: None,
            verify,
            verify_off,
            version_file: None,
        })
    }

    /// `[tools.NAME.options]`: a table whose values are carried to the install as
    /// JSON; a value JSON cannot hold is an error at its line.
    fn tool_options(
        &self,
        value: &Spanned<DeValue<'_>>,
        at: &str,
    ) -> Result<BTreeMap<String, serde_json::Value>, ManifestError> {
        let options = as_table(value)
            .ok_or_else(|| self.wrong_type(value, format!("{at}.options"), "a table"))?;
        let mut json = BTreeMap::new();
        for (k, v) in options.iter() {
            let converted = to_json(v.get_ref()).map_err(|reason| {
                self.err(
                    Some(v.span()),
                    Problem::BadOption(validate::shorten(k.get_ref()), reason),
                )
            })?;
            json.insert(k.get_ref().to_string(), converted);
        }
        validate::options(&json).map_err(|e| self.err(Some(value.span()), e.into()))?;
        Ok(json)
    }

    /// `[tools.NAME.verify]`: `minisign` and `cosign` tables, each with a
    /// `public_key` (checked here: a bad key is an error at its line) and an optional
    /// `signature` URL template. A cosign key that is not PEM text is a path relative
    /// to vx.toml, read now.
    fn verify(
        &self,
        value: &Spanned<DeValue<'_>>,
        at: &str,
    ) -> Result<vx_net::verify::Checks, ManifestError> {
        use vx_net::verify::{COSIGN_DEFAULT, Check, Checks, MINISIGN_DEFAULT};
        let table =
            as_table(value).ok_or_else(|| self.wrong_type(value, at.to_owned(), "a table"))?;
        self.known_keys(table, VERIFY_KEYS, at)?;
        let mut checks = Checks::default();
        for (kind, default) in [("minisign", MINISIGN_DEFAULT), ("cosign", COSIGN_DEFAULT)] {
            let Some(value) = table.get(kind) else {
                continue;
            };
            let here = format!("{at}.{kind}");
            let entry =
                as_table(value).ok_or_else(|| self.wrong_type(value, here.clone(), "a table"))?;
            self.known_keys(entry, CHECK_KEYS, &here)?;
            let (key, key_span) = self.string(entry, "public_key", &here)?.ok_or_else(|| {
                self.err(
                    Some(value.span()),
                    Problem::Verify(format!("{here} needs a public_key")),
                )
            })?;
            let bad = |reason: String| self.err(Some(key_span.clone()), Problem::Verify(reason));
            let public_key = if kind == "cosign" && !key.contains("-----BEGIN") {
                self.key_file(key).map_err(|e| bad(e.to_string()))?
            } else {
                key.to_owned()
            };
            let parsed = if kind == "minisign" {
                vx_net::verify::minisign::Key::parse(&public_key).map(|_| ())
            } else {
                vx_net::verify::cosign::Key::parse(&public_key).map(|_| ())
            };
            parsed.map_err(|e| bad(format!("{here}.public_key: {e}")))?;
            let signature = match self.string(entry, "signature", &here)? {
                Some((template, span)) => {
                    self.no_credentials(template, span.clone())?;
                    let sample = vx_net::verify::signature_url(template, "https://example.org/a");
                    validate::url(&sample).map_err(|e| self.err(Some(span), e.into()))?;
                    template.to_owned()
                }
                None => default.to_owned(),
            };
            let check = Check {
                public_key,
                signature,
            };
            match kind {
                "minisign" => checks.minisign = Some(check),
                _ => checks.cosign = Some(check),
            }
        }
        self.sigstore_checks(table, at, &mut checks)?;
        if checks.is_empty() {
            return Err(self.err(
                Some(value.span()),
                Problem::Verify(format!(
                    "{at} names no signature: add minisign, cosign, sigstore, \
                     github_attestations or slsa"
                )),
            ));
        }
        Ok(checks)
    }

    /// The Sigstore checks of a `verify` table: `sigstore`, `github_attestations` and
    /// `slsa` ([`vx_net::verify::sigstore`]), each checked for its required keys and
    /// the form of its values.
    fn sigstore_checks(
        &self,
        table: &Table<'_>,
        at: &str,
        checks: &mut vx_net::verify::Checks,
    ) -> Result<(), ManifestError> {
        use vx_net::verify::attestation::{AttestationCheck, DEFAULT_PREDICATE_TYPE};
        use vx_net::verify::sigstore::{SIGSTORE_DEFAULT, SigstoreCheck, identity_pattern};
        use vx_net::verify::slsa::SlsaCheck;
        let entry =
            |kind: &str, keys: &[&str]| -> Result<Option<SubTable<'_, '_>>, ManifestError> {
                let Some(value) = table.get(kind) else {
                    return Ok(None);
                };
                let here = format!("{at}.{kind}");
                let entry = as_table(value)
                    .ok_or_else(|| self.wrong_type(value, here.clone(), "a table"))?;
                self.known_keys(entry, keys, &here)?;
                Ok(Some((entry, here, value.span())))
            };
        let required = |entry: &Table<'_>, key: &str, here: &str, span: &Range<usize>| {
            self.string(entry, key, here)?
                .map(|(v, _)| v.to_owned())
                .ok_or_else(|| {
                    self.err(
                        Some(span.clone()),
                        Problem::Verify(format!("{here} needs {key}")),
                    )
                })
        };
        let template = |entry: &Table<'_>,
                        key: &str,
                        here: &str,
                        default: Option<&str>,
                        span: &Range<usize>| {
            match self.string(entry, key, here)? {
                Some((template, at)) => {
                    self.no_credentials(template, at.clone())?;
                    let sample = vx_net::verify::signature_url(template, "https://example.org/a");
                    validate::url(&sample).map_err(|e| self.err(Some(at), e.into()))?;
                    Ok(template.to_owned())
                }
                None => default.map(str::to_owned).ok_or_else(|| {
                    self.err(
                        Some(span.clone()),
                        Problem::Verify(format!("{here} needs {key}")),
                    )
                }),
            }
        };
        if let Some((entry, here, span)) = entry("sigstore", SIGSTORE_KEYS)? {
            let identity = self.string(entry, "identity", &here)?;
            let pattern = self.string(entry, "identity_regexp", &here)?;
            if identity.is_some() == pattern.is_some() {
                return Err(self.err(
                    Some(span),
                    Problem::Verify(format!("{here} needs identity or identity_regexp (one)")),
                ));
            }
            if let Some((pattern, at)) = &pattern {
                identity_pattern(pattern).map_err(|why| {
                    self.err(
                        Some(at.clone()),
                        Problem::Verify(format!("{here}.identity_regexp: {why}")),
                    )
                })?;
            }
            checks.sigstore = Some(SigstoreCheck {
                bundle: template(entry, "bundle", &here, Some(SIGSTORE_DEFAULT), &span)?,
                identity: identity.map(|(v, _)| v.to_owned()),
                identity_regexp: pattern.map(|(v, _)| v.to_owned()),
                issuer: required(entry, "issuer", &here, &span)?,
            });
        }
        if let Some((entry, here, span)) = entry("github_attestations", ATTESTATION_KEYS)? {
            let repo = required(entry, "repo", &here, &span)?;
            let workflow = required(entry, "signer_workflow", &here, &span)?;
            let parts = |text: &str| text.split('/').filter(|p| !p.is_empty()).count();
            if parts(&repo) != 2 || repo.split('/').count() != 2 {
                return Err(self.err(
                    Some(span),
                    Problem::Verify(format!("{here}.repo: `{repo}` is not owner/name")),
                ));
            }
            if parts(&workflow) < 3 || workflow.contains('@') || workflow.contains("://") {
                return Err(self.err(
                    Some(span),
                    Problem::Verify(format!(
                        "{here}.signer_workflow: `{workflow}` is not owner/name/path/to/workflow.yml"
                    )),
                ));
            }
            checks.github_attestations = Some(AttestationCheck {
                repo,
                signer_workflow: workflow,
                predicate_type: self
                    .string(entry, "predicate_type", &here)?
                    .map_or(DEFAULT_PREDICATE_TYPE.to_owned(), |(v, _)| v.to_owned()),
            });
        }
        if let Some((entry, here, span)) = entry("slsa", SLSA_KEYS)? {
            checks.slsa = Some(SlsaCheck {
                provenance: template(entry, "provenance", &here, None, &span)?,
                source_uri: required(entry, "source_uri", &here, &span)?,
            });
        }
        Ok(())
    }

    /// A cosign key file, `path` relative to vx.toml's directory.
    fn key_file(&self, path: &str) -> Result<String, KeyFileError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let full = dir.join(path);
        let text = vx_base::bounded_read::read_to_string(&full, MAX_KEY_FILE)
            .map_err(|source| KeyFileError { path: full, source })?;
        Ok(text)
    }

    /// `os = [...]`: each an OS (`linux`) or an `os-arch`; at least one.
    fn os_list(
        &self,
        value: &Spanned<DeValue<'_>>,
        key: &str,
    ) -> Result<Vec<String>, ManifestError> {
        let items = self.string_list(value, key)?;
        if items.is_empty() {
            return Err(self.wrong_type(value, key.to_owned(), "a non-empty array of platforms"));
        }
        let mut out: Vec<String> = Vec::new();
        for (name, span) in items {
            if !super::platform::OSES.contains(&name) {
                self.platform(name, span.clone())?;
            }
            if !out.iter().any(|o| o == name) {
                out.push(name.to_owned());
            }
        }
        Ok(out)
    }

    /// Refuses a `{name}` in a template that is not a placeholder, at its own column.
    fn known_placeholders(&self, template: &str, span: &Range<usize>) -> Result<(), ManifestError> {
        let Some((offset, name)) = unknown_placeholder(template) else {
            return Ok(());
        };
        // The value's span starts at its opening quote.
        let at = span.start + 1 + offset;
        Err(self.err(
            Some(at..at),
            Problem::UnknownPlaceholder {
                name: validate::shorten(name),
                suggestion: suggest(name, &PLACEHOLDERS),
            },
        ))
    }

    /// A URL of vx.toml holds no user name or password: vx.toml is shared (and its URLs
    /// reach the lock, receipts and messages), credentials live in the user's own files.
    /// The refusal shows the URL with them hidden.
    fn no_credentials(&self, url: &str, span: Range<usize>) -> Result<(), ManifestError> {
        if !has_userinfo(url) {
            return Ok(());
        }
        let shown = validate::hide_userinfo(url);
        Err(self.err(
            Some(span),
            Problem::CredentialsInUrl(vx_text::sanitize(&validate::shorten(&shown)).into_owned()),
        ))
    }

    /// A URL template must make a valid URL once filled ([`sample_url`]).
    fn check_url(
        &self,
        template: &str,
        span: Range<usize>,
        version: &str,
        replacements: &BTreeMap<String, String>,
    ) -> Result<(), ManifestError> {
        self.no_credentials(template, span.clone())?;
        self.known_placeholders(template, &span)?;
        let url = sample_url(template, version, replacements);
        validate::url(&url).map_err(|e| self.err(Some(span), e.into()))?;
        Ok(())
    }

    /// Without a `format`, the URL must not end in an archive type `vx` cannot unpack.
    fn inferable_format(
        &self,
        table: &Table<'_>,
        template: &str,
        version: &str,
        replacements: &BTreeMap<String, String>,
    ) -> Result<(), ManifestError> {
        let span = table.get("url").map(|v| v.span());
        let url = sample_url(template, version, replacements);
        ArchiveFormat::from_url(&url)
            .map(|_| ())
            .map_err(|suffix| self.err(span, Problem::UnsupportedArchive(suffix)))
    }

    fn overrides(
        &self,
        value: &Spanned<DeValue<'_>>,
        at: &str,
        version: &str,
        replacements: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<Platform, Override>, ManifestError> {
        let at = format!("{at}.platforms");
        let table = as_table(value).ok_or_else(|| self.wrong_type(value, at.clone(), "a table"))?;
        let mut out = BTreeMap::new();
        for (key, value) in table.iter() {
            let platform = self.platform(key.get_ref(), key.span())?;
            let here = format!("{at}.{platform}");
            let table =
                as_table(value).ok_or_else(|| self.wrong_type(value, here.clone(), "a table"))?;
            self.known_keys(table, OVERRIDE_KEYS, &here)?;
            let url = match self.string(table, "url", &here)? {
                Some((url, span)) => {
                    self.check_url(url, span, version, replacements)?;
                    Some(url.to_owned())
                }
                None => None,
            };
            let format = self.format(table, &here)?;
            if let (Some(url), None) = (&url, format) {
                self.inferable_format(table, url, version, replacements)?;
            }
            let sha256 = match self.string(table, "sha256", &here)? {
                Some((hex, span)) => {
                    Some(validate::sha256(hex).map_err(|e| self.err(Some(span), e.into()))?)
                }
                None => None,
            };
            let over = Override {
                url,
                sha256,
                format,
                strip_components: self.strip_components(table, &here)?,
                bin: self.bin(table, &here)?,
                ..Override::default()
            };
            out.insert(platform, over);
        }
        Ok(out)
    }

    fn replacements(
        &self,
        value: &Spanned<DeValue<'_>>,
        at: &str,
    ) -> Result<BTreeMap<String, String>, ManifestError> {
        let at = format!("{at}.replacements");
        let table = as_table(value).ok_or_else(|| self.wrong_type(value, at.clone(), "a table"))?;
        self.known_keys(table, REPLACEABLE, &at)?;
        let mut out = BTreeMap::new();
        for key in table.keys() {
            let (spelling, span) = self
                .string(table, key.get_ref(), &at)?
                .expect("the key is in the table");
            // The spelling goes into URLs: the URL rules check it once filled in;
            // here only what could never be part of one.
            if spelling.is_empty()
                || spelling.len() > 64
                || spelling.contains(['/', '?', '#', '{', '}'])
            {
                return Err(self.err(
                    Some(span),
                    Problem::BadReplacement(validate::shorten(spelling)),
                ));
            }
            out.insert(key.get_ref().to_string(), spelling.to_owned());
        }
        Ok(out)
    }

    fn format(&self, table: &Table<'_>, at: &str) -> Result<Option<ArchiveFormat>, ManifestError> {
        match self.string(table, "format", at)? {
            Some((f, span)) => Ok(Some(ArchiveFormat::from_name(f).ok_or_else(|| {
                self.err(Some(span), Problem::UnknownFormat(validate::shorten(f)))
            })?)),
            None => Ok(None),
        }
    }

    fn strip_components(&self, table: &Table<'_>, at: &str) -> Result<Option<u32>, ManifestError> {
        let Some(v) = table.get("strip_components") else {
            return Ok(None);
        };
        let n = match v.get_ref() {
            DeValue::Integer(i) => u64::from_str_radix(i.as_str(), i.radix()).ok(),
            _ => None,
        };
        let n = n.ok_or_else(|| {
            self.wrong_type(
                v,
                format!("{at}.strip_components"),
                "a non-negative integer",
            )
        })?;
        validate::strip_components(n)
            .map(Some)
            .map_err(|e| self.err(Some(v.span()), e.into()))
    }

    fn bin(&self, table: &Table<'_>, at: &str) -> Result<Option<Vec<String>>, ManifestError> {
        let Some(value) = table.get("bin") else {
            return Ok(None);
        };
        let items = self.string_list(value, &format!("{at}.bin"))?;
        for (entry, span) in &items {
            self.known_placeholders(entry, span)?;
        }
        let paths: Vec<String> = items.iter().map(|(p, _)| (*p).to_owned()).collect();
        validate::bin(&paths).map_err(|e| self.err(Some(value.span()), e.into()))?;
        Ok(Some(paths))
    }

    /// A string at `key`, with its span; `None` when absent.
    fn string<'t>(
        &self,
        table: &'t Table<'_>,
        key: &str,
        at: &str,
    ) -> Result<Option<(&'t str, Range<usize>)>, ManifestError> {
        match table.get(key) {
            None => Ok(None),
            Some(v) => match v.get_ref() {
                DeValue::String(s) => Ok(Some((s.as_ref(), v.span()))),
                _ => Err(self.wrong_type(v, format!("{at}.{key}"), "a string")),
            },
        }
    }

    /// `[settings] task_cache`, `task_cache_salt`, `task_cache_size` and
    /// `task_cache_keys` into `out`.
    fn task_cache(
        &self,
        settings: &Table<'_>,
        out: &mut environment::TaskCacheSettings,
    ) -> Result<(), ManifestError> {
        if let Some((remote, span)) = self.string(settings, "task_cache", "settings")? {
            let oci = ["oci://", "oci+http://", "oci+https://"];
            if !oci.iter().any(|p| remote.starts_with(p)) || has_userinfo(remote) {
                return Err(self.err(
                    Some(span),
                    Problem::Environment(format!(
                        "settings.task_cache: {:?} is not an `oci://HOST/REPO` without credentials",
                        validate::shorten(&validate::hide_userinfo(remote))
                    )),
                ));
            }
            out.remote = Some(remote.to_owned());
        }
        if let Some((salt, _)) = self.string(settings, "task_cache_salt", "settings")? {
            out.salt = Some(salt.to_owned());
        }
        if let Some(value) = settings.get("task_cache_size") {
            let size = match value.get_ref() {
                DeValue::Integer(n) => u64::from_str_radix(n.as_str(), n.radix()).ok(),
                DeValue::String(text) => environment::parse_size(text),
                _ => None,
            };
            out.size = Some(size.ok_or_else(|| {
                self.wrong_type(
                    value,
                    "settings.task_cache_size".to_owned(),
                    "a size in bytes or with a unit (\"5GiB\", \"500MB\")",
                )
            })?);
        }
        if let Some(value) = settings.get("task_cache_keys") {
            for (key, span) in self.string_list(value, "settings.task_cache_keys")? {
                if let Err(why) = vx_net::verify::minisign::Key::parse(key) {
                    return Err(self.err(
                        Some(span),
                        Problem::Environment(format!("settings.task_cache_keys: {why}")),
                    ));
                }
                out.keys.push(key.trim().to_owned());
            }
        }
        Ok(())
    }

    /// An array of strings, with their spans.
    fn string_list<'t>(
        &self,
        value: &'t Spanned<DeValue<'_>>,
        key: &str,
    ) -> Result<Vec<(&'t str, Range<usize>)>, ManifestError> {
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.wrong_type(value, key.to_owned(), "an array of strings"));
        };
        items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::String(s) => Ok((s.as_ref(), item.span())),
                _ => Err(self.wrong_type(item, key.to_owned(), "an array of strings")),
            })
            .collect()
    }
}

/// The tasks together, each one refused alone left out and given to `spare` with why:
/// a task whose name (or alias) another task before it has, then each task that closes
/// a cycle of dependencies (each cycle found by one walk of the graph).
pub(super) fn spare_tasks(
    tasks: &mut Vec<crate::task::Task>,
    spare: &mut dyn FnMut(&str, Problem),
) {
    let mut taken: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut keep = vec![true; tasks.len()];
    for (i, task) in tasks.iter().enumerate() {
        let clash = std::iter::once(&task.name)
            .chain(&task.alias)
            .find_map(|name| taken.get(name.as_str()).map(|&j| (name, j)));
        if let Some((name, j)) = clash {
            spare(
                &task.name,
                Problem::Environment(format!(
                    "the name `{name}` is taken by task `{}`",
                    tasks[j].name
                )),
            );
            keep[i] = false;
            continue;
        }
        for name in std::iter::once(&task.name).chain(&task.alias) {
            taken.entry(name.clone()).or_insert(i);
        }
    }
    let mut i = 0;
    tasks.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    let broken = crate::task::graph::break_cycles(tasks);
    let mut keep = vec![true; tasks.len()];
    for (at, cycle) in broken {
        spare(
            &tasks[at].name,
            Problem::Environment(format!(
                "the tasks' dependencies form a cycle: {}",
                cycle.join(" → ")
            )),
        );
        keep[at] = false;
    }
    let mut i = 0;
    tasks.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// A URL template filled for linux-x86_64: the platforms differ only in the names
/// filled in, so one sample shows whether the template makes a usable URL.
fn sample_url(template: &str, version: &str, replacements: &BTreeMap<String, String>) -> String {
    let sample = Platform::new("linux", "x86_64");
    fill(template, version, &sample, replacements).unwrap_or_default()
}

fn as_table<'t, 'i>(value: &'t Spanned<DeValue<'i>>) -> Option<&'t Table<'i>> {
    match value.get_ref() {
        DeValue::Table(table) => Some(table),
        _ => None,
    }
}

/// The allowed key closest to `key`, when one is close enough to be a typo
/// (`strip-components` → `strip_components`, `verison` → `version`).
pub fn suggest(key: &str, allowed: &[&str]) -> Option<String> {
    let normal = key.to_ascii_lowercase().replace('-', "_");
    allowed
        .iter()
        .map(|candidate| (strsim::jaro_winkler(&normal, candidate), *candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate.to_owned())
}

/// The TOML type name of a value, for "found …" in messages.
fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// Converts a TOML value to JSON for the free-form tool options.
fn to_json(value: &DeValue<'_>) -> Result<serde_json::Value, &'static str> {
    use serde_json::Value as J;
    Ok(match value {
        DeValue::String(s) => J::String(s.to_string()),
        DeValue::Integer(i) => {
            if let Ok(n) = i64::from_str_radix(i.as_str(), i.radix()) {
                J::from(n)
            } else if let Ok(n) = u64::from_str_radix(i.as_str(), i.radix()) {
                J::from(n)
            } else {
                return Err("the integer does not fit in 64 bits");
            }
        }
        DeValue::Float(f) => {
            let n: f64 = f.as_str().parse().map_err(|_| "the float does not parse")?;
            J::Number(serde_json::Number::from_f64(n).ok_or("NaN and infinity have no JSON form")?)
        }
        DeValue::Boolean(b) => J::Bool(*b),
        DeValue::Datetime(d) => J::String(d.to_string()),
        DeValue::Array(items) => J::Array(
            items
                .iter()
                .map(|v| to_json(v.get_ref()))
                .collect::<Result<_, _>>()?,
        ),
        DeValue::Table(table) => J::Object(
            table
                .iter()
                .map(|(k, v)| Ok((k.get_ref().to_string(), to_json(v.get_ref())?)))
                .collect::<Result<_, &'static str>>()?,
        ),
    })
}

/// Whether a tool's `verify` is the string `"off"`.
fn off_value(value: Option<&DeValue<'_>>) -> bool {
    matches!(value, Some(DeValue::String(text)) if text.as_ref() == "off")
}

#[cfg(test)]
mod tests {
    use super::suggest;

    #[test]
    fn typos_get_the_closest_key_and_strangers_get_none() {
        let keys = super::TOOL_KEYS;
        assert_eq!(
            suggest("strip-components", keys).as_deref(),
            Some("strip_components")
        );
        assert_eq!(suggest("verison", keys).as_deref(), Some("version"));
        assert_eq!(suggest("URL", keys).as_deref(), Some("url"));
        assert_eq!(suggest("bins", keys).as_deref(), Some("bin"));
        assert_eq!(suggest("components", keys), None);
    }
}
