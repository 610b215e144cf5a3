//! The task model: what one entry of vx.toml's `[tasks]` (or `[scripts]`, its old
//! name) or one file task under `.vx/tasks/` declares, checked.
//!
//! The manifest parser ([`crate::manifest`]) reads the TOML into these types so that
//! its errors point at the task and key; the graph ([`graph`]) resolves
//! `depends` patterns into tasks; the runner (`vx_tasks::runner`) runs them.
//! [`foreign`]: the tasks a project already has in another runner's file (`justfile`
//! recipes, `package.json` scripts), as tasks.

pub mod foreign;
pub mod graph;

use std::path::Path;
use std::time::Duration;

/// The directory of file tasks (executables, each a task), relative to the project
/// directory; read by [`crate::manifest::task_files`].
pub(crate) const FILE_TASKS: &str = ".vx/tasks";

/// Whether `name` is a file task of the project at `project` (a cheap check for the
/// graph's dependency validation).
pub(crate) fn is_file_task(project: &Path, name: &str) -> bool {
    if name.contains("..") {
        return false;
    }
    project
        .join(FILE_TASKS)
        .join(name.replace(':', "/"))
        .is_file()
}

/// One `[env]` (or a task's `env`) entry. Serializable: the activation record and
/// the daemon's `toolchain` answer carry `[env]` unexpanded.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EnvVar {
    /// The variable's name (`[A-Za-z_][A-Za-z0-9_]*`, never `PATH`).
    pub name: String,
    /// The value template (`{project}`, `${VAR}`, `${VAR:-default}`), or `None` for
    /// `NAME = false`: the variable is removed.
    pub value: Option<String>,
    /// The 1-based line of the entry in vx.toml (or in its env file), for messages.
    #[serde(default)]
    pub line: usize,
    /// The value is taken as written, never expanded: a single-quoted value of an env
    /// file, a path a runtime sets.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub literal: bool,
}

/// How long a service may take to pass its `ready` check when `timeout` is not given.
pub(crate) const DEFAULT_READY_TIMEOUT: Duration = Duration::from_secs(60);

/// One task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    /// Its name, as `vx run NAME` takes it (`lint:rust`).
    pub name: String,
    /// Shell commands run in order (`sh -c`, `cmd /C` on Windows), each after the
    /// previous one exited 0: on Windows its `run_windows` when it has one. Empty: a
    /// depends-only task (unless it is a file task).
    pub run: Vec<String>,
    /// The program and words each `run` command starts under instead of the
    /// platform's shell, the command given as the last word (`["bash", "-c"]`: `bash -c
    /// COMMAND`, as mise's `shell`). Empty: `sh -c` (`cmd /C` on Windows). A command
    /// that starts with `#!` is started by that line whatever this says.
    pub shell: Vec<String>,
    /// A file task's executable, relative to the project directory
    /// (`.vx/tasks/deploy`): run directly, with the arguments after it.
    pub file: Option<String>,
    /// Patterns of tasks that must be done (or ready, for a service) before this one
    /// starts: names, or globs with `*` (`lint:*`).
    pub depends: Vec<String>,
    /// Patterns of tasks run after this one, in the same run.
    pub depends_post: Vec<String>,
    /// Dependencies that run their task with words or variables of their own (vx.toml's
    /// `depends = [{ task = "check", args = ["--test"] }]`, mise's `"check --test"`):
    /// each a node of the run's graph of its own, beside the plain ones of `depends`.
    pub calls: Vec<Call>,
    /// The same for `depends_post`: run after this one, each a node of its own.
    pub calls_post: Vec<Call>,
    /// Patterns of tasks this one waits for when they are part of the run anyway,
    /// without pulling them in.
    pub wait_for: Vec<String>,
    /// Variables set for this task only, after `[env]`.
    pub env: Vec<EnvVar>,
    /// The working directory, relative to the project directory (default: the
    /// directory `vx run` was started in). `cwd` is its old name.
    pub dir: Option<String>,
    /// One line shown by `vx run` alone.
    pub description: Option<String>,
    /// Other names `vx run` takes for it.
    pub alias: Vec<String>,
    /// Left out of `vx run`'s listing (still runnable).
    pub hide: bool,
    /// Globs (relative to the project directory) of the files whose content decides
    /// whether the task is up to date.
    pub sources: Vec<String>,
    /// Globs of the files it makes: all must exist for it to be up to date.
    pub outputs: Vec<String>,
    /// Its declared arguments, positional ones in order.
    pub args: Vec<TaskArg>,
    /// Extra tools for this task only (`name → version constraint`).
    pub tools: Vec<(String, String)>,
    /// A long-lived task: once its `ready` check passes its dependents start, and it
    /// keeps running until the run ends.
    pub service: bool,
    /// When a service counts as ready (none: as soon as it started).
    pub ready: Option<Ready>,
    /// How long it may run, from its first command's start, before it is stopped and
    /// fails (`timed out after 30s`), as mise's `timeout`; none: no limit. Not in its
    /// key: it changes no result that is kept.
    pub timeout: Option<Duration>,
    /// vx prints no lines of its own about it (its output is still shown).
    pub quiet: bool,
    /// Its words are never vx's to read: a `--help` or `-h` among them is passed on
    /// to its command, not `vx run TASK --help` (mise's `raw_args`).
    pub raw_args: bool,
    /// A question asked before it runs; a run that cannot ask (no terminal) needs
    /// `--yes`.
    pub confirm: Option<String>,
    /// Whether its results are kept by their key (`vx_tasks::cache`): `cache =
    /// false` opts a task with `sources` and `outputs` out (a deploy, a publish).
    pub cache: bool,
    /// Directories (relative to the project) put first on the task's `PATH`, as a
    /// package manager's `run` puts a package's and the workspace's
    /// `node_modules/.bin` there: set for a monorepo's package tasks, never by vx.toml.
    pub path_first: Vec<String>,
    /// What its package manager's lockfile resolves for its package (a monorepo's
    /// package task): its key holds these entries, not the whole lockfile, so a
    /// lockfile change reaches the packages it changes only. Never set by vx.toml.
    pub locked: Vec<String>,
    /// Variables of the environment vx runs in whose values its key holds, hashed and
    /// never written (turbo's `env` and `globalEnv`: names, `*` wildcards, `!`
    /// exclusions): set for a monorepo's package tasks, never by vx.toml.
    pub hashed_env: Vec<String>,
    /// Those of `sources` that stand for turbo's default inputs (a package's files): of
    /// what they match, a file the project's `.gitignore` files ignore is left out
    /// unless another glob of `sources` names it, as turbo hashes the files git tracks
    /// or would track (`vx_base::gitignore`). Set for a monorepo's package tasks, never
    /// by vx.toml.
    pub tracked_sources: Vec<String>,
    /// Why a run that holds it fails before anything of it runs (exit 1), as mise's
    /// check of a task's usage spec fails the run of a task whose spec it refuses
    /// (`option "--x <x>"` in a TOML task's `usage`): set for a mise task, never by
    /// vx.toml.
    pub refused: Option<String>,
    /// Its commands as its user wrote them, where vx runs lines of its own (a mise
    /// task read in place: `run` holds vx's `export usage_…` lines, `{{arg()}}` as
    /// `{{read.NAME}}`; none for a file task, whose file is what was written):
    /// what `vx tasks info` shows. None: `run` is as written (vx.toml).
    pub written_run: Option<Vec<String>>,
    /// The variables of `env` vx gives the task itself, not written by its user (a
    /// mise task's `MISE_PROJECT_ROOT`, `MISE_TASK_NAME`, …, as mise sets them): shown
    /// apart by `vx tasks info`. An entry of the same name written by the user comes
    /// after them and wins.
    pub given_env: Vec<String>,
    /// The file it is defined in, relative to the project, when another than the
    /// project's file: a mise file task's own file (`mise-tasks/build`), a TOML file
    /// of a task directory or an include (`.mise/tasks/images.toml`). What `vx tasks
    /// info` names as its source, as `mise tasks info` does.
    pub defined_in: Option<String>,
    /// The 1-based line of the entry in vx.toml (0 for a file task).
    pub line: usize,
}

impl Task {
    /// A task called `name` with nothing declared yet.
    pub fn named(name: &str) -> Task {
        Task {
            name: name.to_owned(),
            run: Vec::new(),
            shell: Vec::new(),
            file: None,
            depends: Vec::new(),
            depends_post: Vec::new(),
            calls: Vec::new(),
            calls_post: Vec::new(),
            wait_for: Vec::new(),
            env: Vec::new(),
            dir: None,
            description: None,
            alias: Vec::new(),
            hide: false,
            sources: Vec::new(),
            outputs: Vec::new(),
            args: Vec::new(),
            tools: Vec::new(),
            service: false,
            ready: None,
            timeout: None,
            quiet: false,
            raw_args: false,
            confirm: None,
            cache: true,
            path_first: Vec::new(),
            locked: Vec::new(),
            hashed_env: Vec::new(),
            tracked_sources: Vec::new(),
            refused: None,
            written_run: None,
            given_env: Vec::new(),
            defined_in: None,
            line: 0,
        }
    }

    /// Whether the task runs nothing itself (it only gathers its dependencies).
    pub fn depends_only(&self) -> bool {
        self.run.is_empty() && self.file.is_none()
    }

    /// What its key hashes of the project's files, as globs relative to the project:
    /// its own file (a file task's) and its `sources`. `--affected` matches a changed
    /// file against the same globs.
    pub fn inputs(&self) -> Vec<String> {
        self.file.iter().chain(&self.sources).cloned().collect()
    }

    /// Whether `name` is this task's name or one of its aliases.
    pub(crate) fn answers_to(&self, name: &str) -> bool {
        self.name == name || self.alias.iter().any(|a| a == name)
    }

    /// What `vx run` shows beside its name: the description, else the first command.
    pub fn about(&self) -> String {
        if let Some(text) = &self.description {
            return text.clone();
        }
        if let Some(file) = &self.file {
            return file.clone();
        }
        match self.run.first() {
            Some(run) => run.clone(),
            None => {
                let called = self.calls.iter().map(Call::shown);
                let all: Vec<String> = self.depends.iter().cloned().chain(called).collect();
                format!("runs {}", all.join(", "))
            }
        }
    }
}

/// A dependency that runs its task with words or variables of its own: what it is in
/// a run is its name, its words and its variables together (as mise's task identity is
/// `(name, args, env)`), so `check --test` and `Z=1 setup` are nodes of the graph apart
/// from the plain `check` and `setup`, run beside the task's other dependencies.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Call {
    /// The task's name (or alias); never a glob.
    pub task: String,
    /// The words it runs with, as `vx run TASK WORDS` gives them; a word may be the
    /// asking task's argument (`{{target}}`), filled in when the run is planned.
    pub words: Vec<String>,
    /// Variables set for it alone (not for what it depends on), over its own `env`,
    /// taken as written: `vx run --task-env NAME=VALUE`'s.
    pub env: Vec<(String, String)>,
}

impl Call {
    /// As mise writes it (`Z=1 setup --test`): for the plan's views and its
    /// dependents' keys.
    pub fn shown(&self) -> String {
        let env = (self.env.iter()).map(|(k, v)| format!("{k}={}", quoted(v)));
        let words: Vec<String> = env
            .chain([self.task.clone()])
            .chain(self.words.iter().map(|w| quoted(w).into_owned()))
            .collect();
        words.join(" ")
    }
}

/// `word` as a shell reads it back, quoted when it must be (`'a b'`), so that a call
/// with the word `a b` and one with the words `a` and `b` are never shown alike.
fn quoted(word: &str) -> std::borrow::Cow<'_, str> {
    shlex::try_quote(word).unwrap_or(std::borrow::Cow::Borrowed(word))
}

/// One declared argument of a task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskArg {
    /// Its name: `{{NAME}}` in `run` is its value, quoted for the shell.
    pub name: String,
    /// How it is given on the command line.
    pub kind: ArgKind,
    /// Its value when not given; `None` with no default makes it required (a flag's
    /// default is off).
    pub default: Option<String>,
    /// One line for `vx run TASK --help`.
    pub help: Option<String>,
    /// An option's or flag's one-letter form (`-n` for `--dry-run`), if it has one.
    pub short: Option<char>,
    /// A positional argument that takes every positional word from its place on
    /// (mise's `arg "<files>..."`): `{{NAME}}` is the words, each quoted; its default,
    /// when none is given, is one word (none when empty).
    pub variadic: bool,
    /// The environment variable whose value it takes when not given, before its
    /// default (mise's `env="VAR"`): a flag's is on when the value is `1` or `true`.
    pub env: Option<String>,
    /// The word that turns a flag off (`--no-color`, mise's `negate`): its value is then
    /// `false`.
    pub negate: Option<String>,
    /// A flag that must be given (mise's `required=#true`, a guard such as `--yes`):
    /// a run without it fails before anything runs. A positional argument or an
    /// option is required by having no default.
    pub required: bool,
    /// A positional argument after whose first word every word is positional, an
    /// option's name too, as after `--` (mise's `double_dash="automatic"`: `vx run
    /// retry curl --retry 3` gives `curl --retry 3` to the command).
    pub rest: bool,
}

impl TaskArg {
    /// An argument called `name` of `kind`, with nothing else said of it.
    pub fn new(name: &str, kind: ArgKind) -> TaskArg {
        TaskArg {
            name: name.to_owned(),
            kind,
            default: None,
            help: None,
            short: None,
            variadic: false,
            env: None,
            negate: None,
            required: false,
            rest: false,
        }
    }
}

/// How an argument is given after `vx run TASK`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// By position, in declaration order.
    Positional,
    /// `--NAME VALUE` or `--NAME=VALUE`.
    Option,
    /// `--NAME`: its value is `true` when given, else empty.
    Flag,
    /// `--NAME` counted (`-vvv`): its value is how many times it is given, else empty
    /// (mise's `count=#true`).
    Count,
}

/// When a service is ready.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ready {
    /// The check.
    pub check: ReadyCheck,
    /// How long it may take from the start; past it the service fails.
    pub timeout: Duration,
}

/// A service's readiness check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadyCheck {
    /// A line of its output (stdout or stderr) matches this regular expression.
    Log(String),
    /// A TCP connection to this port on localhost (127.0.0.1 or ::1) succeeds.
    Port(u16),
    /// A GET of this `http://` URL answers 2xx.
    Http(String),
    /// This shell command exits 0 (tried every 250 ms).
    Command(String),
}

impl ReadyCheck {
    /// The check in words, for messages (`port 3000`, `a line matching "listening"`).
    pub fn describe(&self) -> String {
        match self {
            ReadyCheck::Log(re) => format!("a line matching {re:?}"),
            ReadyCheck::Port(port) => format!("port {port} accepting connections"),
            ReadyCheck::Http(url) => format!("{url} answering 2xx"),
            ReadyCheck::Command(cmd) => format!("`{cmd}` exiting 0"),
        }
    }
}
