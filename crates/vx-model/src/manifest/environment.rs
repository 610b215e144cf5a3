//! The project environment a manifest declares: `[env]` variables, `[settings] path`
//! directories, `[settings] env_file` files and `[tasks]` (docs/guide/environment.md, "The project environment").
//!
//! This module holds what the file says, checked: names, value templates, relative
//! directories, task dependencies that exist and form no cycle. Expanding the
//! templates against an inherited environment is [`crate::project_env`]'s job.
//!
//! ```toml
//! [env]
//! DATABASE_URL = "postgres://localhost/dev"
//! CARGO_TARGET_DIR = "{project}/target"
//! RUST_LOG = "${RUST_LOG:-info}"
//! LEGACY = false                       # unset it
//!
//! [settings]
//! path = ["scripts", "node_modules/.bin"]
//! env_file = [".env", { path = ".env.local", optional = true }]
//!
//! [tasks]
//! lint = "ruff check ."
//! test = { run = "pytest {args}", depends = ["lint"], env = { CI = "1" } }
//! ```

use crate::task::{EnvVar, Task};

/// One `[settings] env_file` entry: a dotenv file ([`super::dotenv`]) whose variables
/// go under `[env]`'s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvFile {
    /// The path as written: relative to the project directory, or absolute.
    pub path: String,
    /// Whether a missing file is skipped (`{ path = "…", optional = true }`); else it
    /// is an error.
    pub optional: bool,
    /// The 1-based line of the entry in vx.toml.
    pub line: usize,
}

/// `[env]`, `[settings] path` and `[tasks]` of a manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectEnvironment {
    /// `[env]`, in the file's order.
    pub vars: Vec<EnvVar>,
    /// `[settings] path`: directories relative to the project directory, put on
    /// `PATH` after the tools' bin directories, in this order.
    pub path: Vec<String>,
    /// `[tasks]` (and `[scripts]`, their old name), in the file's order
    /// (`vx_tasks`). File tasks under `.vx/tasks/` are not here: `vx run`
    /// adds them ([`super::task_files`]).
    pub tasks: Vec<Task>,
    /// `[settings] env_file`, in order (a later file's variable wins over an earlier
    /// one's, `[env]` over them all).
    pub env_files: Vec<EnvFile>,
    /// `[settings] python_venv`: the project's virtual environment, a directory
    /// relative to the project directory (`.venv`): made with the project's python by
    /// `vx sync`, `vx exec` and `vx run` when missing, and activated wherever the
    /// project environment is applied ([`crate::project_env::venv`]).
    pub python_venv: Option<String>,
    /// `[settings] task_output`: how `vx run` shows its tasks on a terminal when no
    /// flag says (`live`, `prefix`, `grouped`, `quiet`); `None`: live, but lines for a
    /// run with a service and a lone task's output as it wrote it.
    pub task_output: Option<String>,
    /// `[settings] task_cache*`: where and how task results are kept by their key.
    pub task_cache: TaskCacheSettings,
}

/// The `[settings]` keys of the task cache, as `vx config list` shows them.
pub(crate) const TASK_CACHE_KEYS: [&str; 4] = [
    "task_cache",
    "task_cache_keys",
    "task_cache_size",
    "task_cache_salt",
];

/// The variable naming the task cache's registry over vx.toml and the user config.
pub const TASK_CACHE_ENV: &str = "VX_TASK_CACHE";

/// The size results on this machine are kept under when the project does not say
/// (`task_cache_size`): 4 GiB.
pub const DEFAULT_TASK_CACHE_SIZE: u64 = 4 << 30;

/// `[settings] task_cache`, `task_cache_salt`, `task_cache_size` and
/// `task_cache_keys`: the project's word on its task results (`vx_tasks::cache`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskCacheSettings {
    /// `task_cache`: the team's OCI repository of results (`oci://HOST/REPO`).
    pub remote: Option<String>,
    /// `task_cache_salt`: a team's salt, part of every key (changing it disowns every
    /// earlier result).
    pub salt: Option<String>,
    /// `task_cache_size`: most bytes of results kept on this machine.
    pub size: Option<u64>,
    /// `task_cache_keys`: the minisign public keys (`RW…` lines) whose signature a
    /// result of the remote needs to be restored.
    pub keys: Vec<String>,
}

impl TaskCacheSettings {
    /// Whether nothing is set.
    pub(crate) fn is_empty(&self) -> bool {
        self == &TaskCacheSettings::default()
    }
}

/// A size as `[settings] task_cache_size` takes it: a number of bytes, or a number
/// with a unit (`500MB`, `5GiB`, `1.5 GB`; K, M, G, T, decimal or binary).
pub(crate) fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok().filter(|n: &f64| n.is_finite())?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        "t" | "tb" => 1_000_000_000_000,
        "tib" => 1 << 40,
        _ => return None,
    };
    let bytes = number * factor as f64;
    (bytes >= 0.0 && bytes < u64::MAX as f64).then_some(bytes as u64)
}

/// The values `[settings] task_output` takes.
pub(crate) const TASK_OUTPUTS: [&str; 4] = ["live", "prefix", "grouped", "quiet"];

impl ProjectEnvironment {
    /// Whether the manifest declares no environment at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.vars.is_empty()
            && self.path.is_empty()
            && self.tasks.is_empty()
            && self.env_files.is_empty()
            && self.python_venv.is_none()
            && self.task_output.is_none()
            && self.task_cache.is_empty()
    }

    /// The task called `name` (or aliased so).
    #[cfg(test)]
    pub(crate) fn task(&self, name: &str) -> Option<&Task> {
        crate::task::graph::find(&self.tasks, name)
    }
}

/// Whether `name` can be an environment variable's name in every shell vx writes for.
pub fn valid_var_name(name: &str) -> bool {
    vx_base::validate::var_name(name) && name.len() <= 128
}

/// Why a project cannot set `name` (in `[env]` or an env file), if it cannot: `PATH`,
/// which vx builds from the tools and `[settings] path`, and vx's own variables
/// (`__VX_STATE`, `__VX_HOOK`, any `__VX_…`), whose values the hook and the shell
/// functions rely on (a project's `__VX_STATE` left the hook unable to restore the
/// shell). Compared ignoring ASCII case, as Windows does.
pub fn reserved_problem(name: &str) -> Option<String> {
    let shown = vx_base::validate::shorten(name);
    if name.eq_ignore_ascii_case("path") {
        return Some(format!(
            "`{shown}` cannot be set by a project: vx builds PATH from the tools' bin directories and [settings] path"
        ));
    }
    let upper = name.to_ascii_uppercase();
    if upper.starts_with("__VX_") {
        return Some(format!(
            "`{shown}` is vx's own variable (what the hook keeps between prompts): a project cannot set it"
        ));
    }
    None
}

/// Whether `name` can be a task's name: what a user types after `vx run`.
pub(crate) fn valid_script_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
}

/// Whether `name` may stand in a task's `depends` (with its globs' `*`/`?` already
/// replaced): a task name, or a monorepo's spelling of one (docs/guide/monorepos.md):
/// `^NAME` (that task of the packages this one's depends on), `:NAME` (mise's: the same
/// package's), `PKG#NAME` (turbo's: a package's; `//#NAME` the root's) or
/// `//dir:NAME` (mise's: the package in `dir`'s).
pub(crate) fn valid_dependency_name(name: &str) -> bool {
    let package = |p: &str| {
        !p.is_empty()
            && p.len() <= 214
            && p.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '@' | '/' | '.' | '_' | '-' | '~')
            })
    };
    if let Some(task) = name.strip_prefix('^').or_else(|| name.strip_prefix(':')) {
        return valid_script_name(task);
    }
    if let Some((owner, task)) = name.rsplit_once('#') {
        return package(owner) && valid_script_name(task);
    }
    if let Some((dir, task)) = name.strip_prefix("//").and_then(|r| r.split_once(':')) {
        return (dir.is_empty() || package(dir)) && valid_script_name(task);
    }
    valid_script_name(name)
}

/// What is wrong with a value template, if anything: every `${` closes with a valid
/// name, optionally followed by one of the [`Reference`] forms; no NUL. The problem
/// names the variable and the form, never the rest of the value (a `.env` holds
/// secrets, and the hook says its errors at every prompt).
pub fn template_problem(value: &str) -> Option<String> {
    if value.contains('\0') {
        return Some("the value holds a NUL character".to_owned());
    }
    nested_problem(value, 0)
}

/// How deep a reference's word may hold references (`${A:-${B:-${C}}}` is two): the
/// expansion recurses once per level, so a file's nesting is bounded where it is read.
pub(crate) const MAX_NESTING: usize = 8;

/// [`template_problem`] of a template `depth` words deep: each reference's word is
/// checked as a template too.
fn nested_problem(value: &str, depth: usize) -> Option<String> {
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = closing_brace(after) else {
            return Some("`${` is not closed by `}`".to_owned());
        };
        match Reference::parse(&after[..end]) {
            Err(why) => return Some(why.to_string()),
            Ok(Reference {
                word: Some(word),
                name,
            }) if word.text.contains("${") => {
                if depth + 1 >= MAX_NESTING {
                    return Some(format!(
                        "`${{{name}…}}` nests references more than {MAX_NESTING} deep"
                    ));
                }
                if let Some(why) = nested_problem(word.text, depth + 1) {
                    return Some(why);
                }
            }
            Ok(_) => {}
        }
        rest = &after[end + 1..];
    }
    None
}

/// What a `${…}` holds, as shells and dotenv tools (docker compose, python-dotenv)
/// read it: `${NAME}`, `${NAME-word}` (the word when `NAME` is unset), `${NAME:-word}`
/// (also when it is empty), `${NAME+word}` (the word when `NAME` is set, else
/// nothing), `${NAME:+word}` (when it is set and not empty). Assigning (`=`, `:=`) and
/// failing (`?`, `:?`) forms are refused: vx sets no variable of the caller's, and an
/// error at expansion would come at every prompt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Reference<'a> {
    /// The variable.
    pub name: &'a str,
    /// Its word and when it applies, if any.
    pub word: Option<Word<'a>>,
}

/// What a [`Reference`] stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Resolved<'a> {
    /// The variable's value, as it is.
    Value(String),
    /// The reference's word (a template itself, expanded when taken).
    Word(&'a str),
    /// Nothing (unset, or an alternative not taken).
    Nothing,
}

/// Why a `${…}` is not a reference vx reads: names the variable and the form, never
/// the word (a `.env` holds secrets).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ReferenceError {
    /// No variable name first.
    #[error(
        "`${{…}}` does not start with a variable name: use ${{NAME}}, ${{NAME:-default}}, ${{NAME-default}}, ${{NAME:+alternative}} or ${{NAME+alternative}}"
    )]
    NoName,
    /// An assigning (`=`, `:=`) or failing (`?`, `:?`) form.
    #[error(
        "`${{{name}{}{op}…}}` {}, which vx does not support: use ${{{name}}}, ${{{name}:-default}}, ${{{name}-default}}, ${{{name}:+alternative}} or ${{{name}+alternative}}",
        if *colon { ":" } else { "" },
        if *op == '?' { "fails when the variable is unset" } else { "assigns the variable" }
    )]
    Unsupported {
        /// The variable.
        name: String,
        /// Whether `:` came before the operator.
        colon: bool,
        /// The operator.
        op: char,
    },
    /// What follows the name is not an operator: perhaps no reference at all.
    #[error(
        "`${{…}}` is not a form vx reads: use ${{NAME}}, ${{NAME:-default}}, ${{NAME-default}}, ${{NAME:+alternative}} or ${{NAME+alternative}}"
    )]
    NotAForm,
    /// An operator vx does not read.
    #[error(
        "`${{{name}{shown}…}}` is not a form vx reads: use ${{{name}}}, ${{{name}:-default}}, ${{{name}-default}}, ${{{name}:+alternative}} or ${{{name}+alternative}}"
    )]
    NotAFormOf {
        /// The variable.
        name: String,
        /// The operator as written.
        shown: String,
    },
}

/// The word of a [`Reference`] and when it replaces the variable's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Word<'a> {
    /// The word (a template itself: `{project}` and references in it are expanded).
    pub text: &'a str,
    /// `+` or `:+`: the word when set, rather than when unset (`-`, `:-`).
    pub alternative: bool,
    /// `:-` or `:+`: an empty value counts as unset.
    pub colon: bool,
}

impl<'a> Reference<'a> {
    /// Reads what is between `${` and `}`; the error names the variable and the form,
    /// never the word.
    pub(crate) fn parse(inner: &'a str) -> Result<Reference<'a>, ReferenceError> {
        let name_end = inner
            .find(|c: char| c != '_' && !c.is_ascii_alphanumeric())
            .unwrap_or(inner.len());
        let (name, form) = inner.split_at(name_end);
        if !valid_var_name(name) {
            return Err(ReferenceError::NoName);
        }
        let (colon, after) = match form.strip_prefix(':') {
            Some(after) => (true, after),
            None => (false, form),
        };
        let mut chars = after.chars();
        let op = chars.next();
        let word = |alternative| {
            Ok(Reference {
                name,
                word: Some(Word {
                    text: chars.as_str(),
                    alternative,
                    colon,
                }),
            })
        };
        match op {
            None if !colon => Ok(Reference { name, word: None }),
            Some('-') => word(false),
            Some('+') => word(true),
            Some(op @ ('?' | '=')) => Err(ReferenceError::Unsupported {
                name: name.to_owned(),
                colon,
                op,
            }),
            _ => {
                let shown: String = form.chars().take(if colon { 2 } else { 1 }).collect();
                if !shown.chars().all(|c| c.is_ascii_punctuation()) {
                    // Not an operator: what looked like a name may be a value's start.
                    return Err(ReferenceError::NotAForm);
                }
                Err(ReferenceError::NotAFormOf {
                    name: name.to_owned(),
                    shown,
                })
            }
        }
    }

    /// What this reference stands for, given the variable's value (`None`: unset).
    pub(crate) fn resolve(&self, value: Option<String>) -> Resolved<'a> {
        let Some(word) = self.word else {
            return value.map_or(Resolved::Nothing, Resolved::Value);
        };
        let set = value
            .as_ref()
            .is_some_and(|v| !(word.colon && v.is_empty()));
        match (word.alternative, set, value) {
            (false, true, Some(value)) => Resolved::Value(value),
            (false, false, _) | (true, true, _) => Resolved::Word(word.text),
            _ => Resolved::Nothing,
        }
    }
}

/// The index in `text` (what follows a `${`) of the `}` that closes it: braces
/// opened inside (a default's `{project}`) close first.
pub(crate) fn closing_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Whether `dir` is a usable `[settings] path` or script `cwd` entry: relative, not
/// empty, no control character (a newline would forge another line of
/// `$GITHUB_PATH`) or `PATH` separator (`:`, `;`: one entry would become two), not
/// leaving the project by `..`.
pub(crate) fn relative_dir_problem(dir: &str) -> Option<&'static str> {
    if dir
        .chars()
        .any(|c| (c.is_control() && c != '\0') || c == ':' || c == ';')
    {
        Some("holds a control character or a PATH separator (`:`, `;`)")
    } else if dir.starts_with('\\') {
        Some("must be relative to the project directory")
    } else {
        inside_project_problem(dir)
    }
}

/// What is wrong with `path`, a path or glob of vx.toml meant relative to the project
/// directory, if anything: empty, a NUL character, absolute, or leaving the project by
/// `..`.
pub(crate) fn inside_project_problem(path: &str) -> Option<&'static str> {
    let parsed = std::path::Path::new(path);
    if path.is_empty() || path.contains('\0') {
        Some("is empty or holds a NUL character")
    } else if parsed.is_absolute() || path.starts_with('/') {
        Some("must be relative to the project directory")
    } else if parsed
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        Some("must stay inside the project directory (no `..`)")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_dependency_may_name_another_packages_task_in_turbos_and_mises_spellings() {
        for ok in [
            "lint",
            "^build",
            ":lint",
            "web#build",
            "@acme/ui#build",
            "//#lint",
            "//apps/web:build",
            "//:deploy",
            "example.com/lib#test",
            "lint:x",
        ] {
            assert!(valid_dependency_name(ok), "{ok}");
        }
        for bad in [
            "",
            "^",
            "web#",
            "#build",
            "//apps web:build",
            "a b",
            "^^x",
            "-x",
            "web#$(x)",
        ] {
            assert!(!valid_dependency_name(bad), "{bad}");
        }
    }

    use super::*;

    #[test]
    fn templates_and_names_are_checked() {
        assert!(template_problem("${HOME}/x ${RUST_LOG:-info} {project}").is_none());
        assert!(template_problem("${HOME").is_some());
        assert!(template_problem("${1X}").is_some());
        assert!(template_problem("${A:-${B:-${C}}}").is_none(), "words nest");
        assert!(
            template_problem("${A:-${B:?x}}").is_some(),
            "a word's reference is checked"
        );
        let nested = |n: usize| format!("{}x{}", "${A:-".repeat(n), "}".repeat(n));
        assert!(template_problem(&nested(MAX_NESTING)).is_none());
        let deep = template_problem(&nested(MAX_NESTING + 1)).unwrap();
        assert!(deep.contains("more than 8 deep"), "{deep}");
        assert!(template_problem(&nested(100_000)).is_some(), "no overflow");
        assert!(valid_var_name("_A1") && !valid_var_name("1A") && !valid_var_name("A-B"));
        assert!(relative_dir_problem("scripts").is_none());
        assert!(relative_dir_problem("/usr/bin").is_some());
        assert!(relative_dir_problem("../elsewhere").is_some());
        assert!(relative_dir_problem("bin\n/opt/evil").is_some());
        assert!(relative_dir_problem("bin:/opt/evil").is_some());
        assert!(relative_dir_problem("node_modules/.bin").is_none());
        assert!(valid_script_name("test:unit") && !valid_script_name("-x"));
    }
}
