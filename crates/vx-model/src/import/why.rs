//! Why one entry of another manager's file is not imported: a tool's name or version,
//! a mise task, an `[env]` variable or a `_.path`/`_.file`/`_.python.venv` directory.
//! Each reason is a value (the entry keeps it beside what was written) and is said in
//! the import's `skipped … : WHY` line; one entry's reason never stops the others.

use thiserror::Error;

/// Why a tool's version has no vx constraint ([`super::version::map`]).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum VersionError {
    /// Nothing was written.
    #[error("no version given")]
    Missing,
    /// Control characters in the version.
    #[error("the version holds control characters")]
    ControlCharacters,
    /// `system`: the copy outside the version manager.
    #[error(
        "`system` is the copy installed outside the version manager; vx installs its own: name a version"
    )]
    System,
    /// `lts`, `lts/*`: the newest LTS, which moves.
    #[error("`{written}` moves with each LTS release; vx pins a major: write it, e.g. `22`")]
    MovingLts {
        /// The version as written.
        written: String,
    },
    /// `lts/NAME` for a code name vx does not know.
    #[error("`{written}` is no Node.js LTS line vx knows")]
    UnknownLts {
        /// The version as written.
        written: String,
    },
    /// `ref:…`: built from source.
    #[error("a git ref is built from source; vx installs released versions")]
    GitRef,
    /// `path:…`: a local directory.
    #[error("a local directory; vx installs released versions")]
    LocalDirectory,
    /// The mapped text is no vx constraint.
    #[error(transparent)]
    Constraint(#[from] vx_base::version::ConstraintError),
    /// mise's version is not a string (`what` says which part).
    #[error("{what}; mise's versions are strings")]
    NotAString {
        /// What is not a string.
        what: &'static str,
    },
}

/// Why a tool's name cannot be looked up ([`super::names::lookup_of`]).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum LookupError {
    /// An empty name.
    #[error("the tool has no name")]
    NoName,
    /// A name over the limit.
    #[error("the name is over {limit} bytes")]
    TooLong {
        /// The limit in bytes.
        limit: usize,
    },
    /// Control or space characters in the name.
    #[error("the name holds control or space characters")]
    ControlCharacters,
    /// `asdf:…`/`vfox:…` whose last part is empty.
    #[error("`{rest}` names no plugin")]
    NoPlugin {
        /// What follows the backend's prefix.
        rest: String,
    },
    /// A language registry's prefix with no package after it.
    #[error("`{name}` names no package")]
    NoPackage {
        /// The name as read (`npm:`).
        name: String,
    },
    /// A language registry's name that breaks its rules.
    #[error(transparent)]
    PackageName(#[from] crate::package_name::NameError),
    /// A mise backend that builds from source, with no release binary known.
    #[error(
        "mise's `{backend}` backend {needs}; vx installs release binaries, and no registry package is known to ship `{rest}` as one (`vx search {tool}` may find one)"
    )]
    BuildBackend {
        /// The backend (`gem`).
        backend: String,
        /// What it would need (`would need Ruby`).
        needs: &'static str,
        /// What follows the backend's prefix.
        rest: String,
        /// The tool's own name, to search for.
        tool: String,
    },
    /// A mise backend vx has nothing like.
    #[error("mise's `{backend}` backend has no counterpart in vx")]
    NoCounterpart {
        /// The backend.
        backend: String,
    },
    /// An aqua `import:` with a wildcard in a directory.
    #[error("`import: {pattern}`: vx follows `*` and `?` in the file name only")]
    WildDirectory {
        /// The pattern.
        pattern: String,
    },
    /// An aqua `import:` that names no file.
    #[error("`import: {pattern}` matches no file")]
    NoFile {
        /// The pattern.
        pattern: String,
    },
    /// More aqua `import:`s than are followed.
    #[error("more than {files} files or {levels} levels of `import:`; the rest is not read")]
    TooManyImports {
        /// Most files followed.
        files: usize,
        /// Most levels followed.
        levels: usize,
    },
    /// A package of an aqua registry of a type vx does not read.
    #[error(
        "from aqua's registry `{registry}` (type `{kind}`); vx reads a registry from a path or a URL: add it to [settings] registries"
    )]
    RegistryType {
        /// The registry's name.
        registry: String,
        /// Its type.
        kind: String,
    },
    /// A package of an aqua registry the file does not declare.
    #[error("from aqua's registry `{registry}`, which the aqua.yaml does not declare")]
    UndeclaredRegistry {
        /// The registry's name.
        registry: String,
    },
    /// Not `owner/repo`.
    #[error("`{name}` is not a package name such as `owner/repo`")]
    NotPackageName {
        /// The name as written.
        name: String,
    },
}

/// Why a mise task (a `[tasks]` entry or a file task) is no vx task.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum TaskError {
    /// Neither a string, a list nor a table.
    #[error("a task is a command, a list of commands or a table")]
    NotATask,
    /// A `[daemons]` entry that is one of mise's presets (a managed Postgres, Redis).
    #[error(
        "the daemon is mise's preset `{preset}`, which vx does not honour: give it a `run` command"
    )]
    DaemonPreset {
        /// The preset.
        preset: String,
    },
    /// A `[daemons]` entry without a command.
    #[error("a daemon without `run`")]
    DaemonWithoutRun,
    /// `extends` names no `[task_templates]` entry.
    #[error("`extends = \"{name}\"`: the file has no [task_templates.{name}]")]
    NoTemplate {
        /// The template named.
        name: String,
    },
    /// A key that must be a string is not.
    #[error("`{key}` must be a string")]
    NotAString {
        /// The key.
        key: &'static str,
    },
    /// A key that must be a table is not.
    #[error("`{key}` must be a table")]
    NotATable {
        /// The key.
        key: &'static str,
    },
    /// A key that must be a boolean is not.
    #[error("`{key}` must be a boolean")]
    NotABoolean {
        /// The key.
        key: &'static str,
    },
    /// Control characters in a text key.
    #[error("`{key}` holds control characters")]
    ControlCharacters {
        /// The key.
        key: &'static str,
    },
    /// A list with something other than strings.
    #[error("`{key}` lists strings")]
    NotStrings {
        /// The key.
        key: &'static str,
    },
    /// Neither a string nor a list.
    #[error("`{key}` is a string or a list of strings")]
    NotStringOrList {
        /// The key.
        key: &'static str,
    },
    /// A `sources` or `outputs` glob vx cannot read (mise fails such a task).
    #[error("`{key}`: {error}")]
    Glob {
        /// The key.
        key: &'static str,
        /// What is wrong with the glob.
        error: vx_base::glob::GlobError,
    },
    /// Both `run` and `file`.
    #[error("a task with both `run` and `file`")]
    RunAndFile,
    /// Nothing to run or depend on.
    #[error("a task with neither `run`, `file` nor `depends`")]
    NothingToRun,
    /// A dependency written with arguments.
    #[error(
        "`{name}`: a dependency with arguments vx cannot pass on (a `depends` or `depends_post` entry runs as `\"$VX\" run NAME ARGS` only when its words are plain)"
    )]
    DependsWithArguments {
        /// The dependency as written.
        name: String,
    },
    /// A dependency entry of none of mise's forms.
    #[error(
        "`{key}` lists task names (`\"build --release\"`), lists of a name and its words, or tables with `task` and `args`, `env`, `optional`"
    )]
    DependencyShape {
        /// The key.
        key: &'static str,
    },
    /// A dependency string of variables only (`"A=1 B=2"`).
    #[error("`{written}`: a dependency with variables and no task (mise refuses it)")]
    DependencyWithoutTask {
        /// The dependency as written.
        written: String,
    },
    /// An `env` value vx's `[env]` cannot hold.
    #[error(transparent)]
    Env(#[from] EnvError),
    /// `env.NAME = false`.
    #[error("`env.{name}` unsets a variable, which a vx task cannot")]
    UnsetsVariable {
        /// The variable.
        name: String,
    },
    /// A `dir` template other than `{{config_root}}`.
    #[error("`dir` holds a template vx does not know: {dir}")]
    DirTemplate {
        /// The directory as written.
        dir: String,
    },
    /// A `run` list step that is not a string.
    #[error(
        "`run` lists commands (strings) and `{{ task = \"NAME\" }}` or `{{ tasks = [\"NAME\", …] }}` steps"
    )]
    RunStep,
    /// A `{ task = … }` step naming something vx cannot pass to `vx run` as a name.
    #[error("`run` step `{name}`: not a task name vx can run (arguments are not taken)")]
    RunTaskName {
        /// The name as written.
        name: String,
    },
    /// `run` neither a string nor a non-empty list.
    #[error("`run` is a command or a list of commands")]
    RunShape,
    /// An empty command.
    #[error("an empty command")]
    EmptyCommand,
    /// A NUL in a command.
    #[error("the command holds a NUL character")]
    Nul,
    /// `{{` without `}}`.
    #[error("a `{{{{` template that is not closed")]
    UnclosedTemplate,
    /// `{{usage.NAME}}` for an argument the usage spec does not declare.
    #[error("`{{{{usage.{name}}}}}` names no argument of the task's `usage`")]
    UsageArgument {
        /// The argument's name.
        name: String,
    },
    /// A `[task_config] includes` entry that cannot be read.
    #[error("[task_config] includes {include:?}: {why}")]
    Include {
        /// The entry as written.
        include: String,
        /// Why it cannot be read.
        why: String,
    },
    /// A directory of file tasks (or a file task) that is another user's, or whose
    /// real path leaves the project: not read.
    #[error("{why}: its tasks are not read")]
    NotOwn {
        /// Why.
        why: vx_base::ownership::NotOwn,
    },
    /// A template other than the argument ones.
    #[error("the template `{{{{{inner}}}}}` has no vx counterpart")]
    Template {
        /// The template's inside.
        inner: String,
    },
    /// An argument template's parameter vx has no counterpart for.
    #[error("the template `{{{{{inner}}}}}`: `{param}` has no vx counterpart")]
    TemplateParameter {
        /// The template's inside.
        inner: String,
        /// The parameter.
        param: String,
    },
    /// An argument template without `name`.
    #[error("the template `{{{{{inner}}}}}` names no argument")]
    TemplateName {
        /// The template's inside.
        inner: String,
    },
    /// An argument name vx does not take.
    #[error("the argument name `{name}` is not one vx takes")]
    ArgumentName {
        /// The name.
        name: String,
    },
    /// Template parameters without `=`.
    #[error("cannot read `{text}`")]
    Parameters {
        /// The parameters as written.
        text: String,
    },
    /// Template parameters with an unclosed quote.
    #[error("an unclosed quote in `{text}`")]
    UnclosedQuote {
        /// The parameters as written.
        text: String,
    },
    /// A usage node vx has no counterpart for (`cmd`: subcommands).
    #[error("usage's `{line}` has no vx counterpart")]
    UsageLine {
        /// The node, shortly (`cmd "sub"`).
        line: String,
    },
    /// A usage spec vx cannot read as KDL.
    #[error("its usage spec is no KDL vx reads: {why}")]
    UsageKdl {
        /// Why.
        why: String,
    },
    /// A usage spec mise itself refuses (`option "--x <x>"`: "unsupported spec key
    /// option"): a TOML task is listed and a run of it fails before anything runs, a
    /// file task runs without it, as under mise.
    #[error("mise refuses its usage spec ({why})")]
    UsageRefused {
        /// What usage says is wrong with it, in its words.
        why: String,
    },
    /// A file task that cannot be read.
    #[error("cannot read {shown}: {source}")]
    Read {
        /// The file as the import line shows it.
        shown: String,
        /// The I/O error.
        source: SharedIo,
    },
    /// A file task's `#MISE` header that is not TOML.
    #[error("its #MISE header is not TOML: {message}")]
    HeaderNotToml {
        /// The TOML parser's message.
        message: String,
    },
    /// A file task's header setting `run` or `file` (the file is what runs).
    #[error("its #MISE header sets `{key}`")]
    HeaderSets {
        /// The key.
        key: &'static str,
    },
}

/// Why an `[env]` variable of mise's is not one of vx's `[env]`.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum EnvError {
    /// `_` written as a variable.
    #[error(
        "mise's directives (`_.path`, `_.file`, `_.source`) have no counterpart here; `_.path` is vx's [settings] path, `_.file` its env_file"
    )]
    Directives,
    /// `_` that is not a table.
    #[error("mise's directives (`_.path`, `_.file`, `_.source`) are a table")]
    DirectivesTable,
    /// A directive vx has nothing like (`_.source`).
    #[error(
        "mise's `_.{name}` directive has no counterpart in vx's [env] (vx runs no script to make an environment)"
    )]
    Directive {
        /// The directive's name.
        name: String,
    },
    /// Not letters, digits and `_`.
    #[error("not an environment variable name (letters, digits and `_`)")]
    NotAName,
    /// A table without a string `value`.
    #[error("a table without a string `value`")]
    NoValue,
    /// A value that is neither a string, a number nor a boolean.
    #[error("a value vx's [env] cannot hold (a string, or false to unset)")]
    CannotHold,
    /// Control characters in the value.
    #[error("the value holds control characters")]
    ControlCharacters,
    /// `{{` without `}}`.
    #[error("an unclosed `{{{{` template")]
    UnclosedTemplate,
    /// A literal `$` before a `{` (mise's `$${NAME}`, the text `${NAME}`): vx's
    /// templates cannot spell it.
    #[error(
        "a literal `$` before `{{` (mise's `$${{…}}`) has no spelling in vx's [env], where `${{` always names a variable"
    )]
    LiteralDollarBrace,
    /// A `{{ read_file(path=…) }}` whose file vx does not read.
    #[error("mise's `read_file(path={path:?})`: {why}")]
    ReadFile {
        /// The path as written.
        path: String,
        /// Why it is not read.
        why: String,
    },
    /// A template vx's `[env]` does not know.
    #[error(
        "mise's template `{{{{ {inner} }}}}`; vx's [env] knows {{project}}, ${{VAR}} and ${{VAR:-default}}"
    )]
    Template {
        /// The template's inside.
        inner: String,
    },
}

/// Why a `_.path`, `_.file` or `_.python.venv` entry is not one of vx's `[settings]`.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum DirError {
    /// A template or variable in the path.
    #[error("`{dir}` holds a template or variable; vx's {what}")]
    Template {
        /// The path as written (trimmed).
        dir: String,
        /// What the setting takes.
        what: &'static str,
    },
    /// Absolute, empty or escaping the project.
    #[error("`{dir}` is not inside the project; vx's {what}")]
    Outside {
        /// The path as written (trimmed).
        dir: String,
        /// What the setting takes.
        what: &'static str,
    },
    /// A `_.file` mise reads as JSON, YAML or TOML.
    #[error(
        "mise reads `{file}` by its extension (JSON, YAML or TOML); vx's [settings] env_file reads dotenv files"
    )]
    NotDotenv {
        /// The file as written.
        file: String,
    },
    /// A list item that is not a string.
    #[error("`_.{name}` lists paths (strings)")]
    NotStrings {
        /// The directive's name.
        name: String,
    },
    /// `_.python` without a `venv` directory.
    #[error(
        "mise's `_.python` directive names its virtual environment as `venv = \"DIR\"` or `venv = {{ path = \"DIR\" }}`"
    )]
    Venv,
}

/// An I/O error kept in a reason that is cloned and compared: shared, equal when of
/// the same kind.
#[derive(Clone, Debug)]
pub struct SharedIo(pub std::sync::Arc<std::io::Error>);

impl From<std::io::Error> for SharedIo {
    fn from(e: std::io::Error) -> SharedIo {
        SharedIo(std::sync::Arc::new(e))
    }
}

impl PartialEq for SharedIo {
    fn eq(&self, other: &SharedIo) -> bool {
        self.0.kind() == other.0.kind()
    }
}

impl Eq for SharedIo {}

impl std::fmt::Display for SharedIo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SharedIo {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}
