//! `vx import`: the tool lists other version managers keep in a project (asdf's
//! `.tool-versions`, mise's `mise.toml`, aqua's `aqua.yaml`) and the version files of
//! each language's own managers (nvm's `.nvmrc`, `.node-version`, pyenv's
//! `.python-version`, `.ruby-version`, `.go-version`, `go.mod`, `.java-version`,
//! `.sdkmanrc`, `rust-toolchain.toml`/`rust-toolchain`: [`idiomatic`]), read into
//! entries vx can look up among its runtimes and registries.
//!
//! One module per format turns a file's text into [`Imported`]: each tool as written
//! ([`Entry`]), what to look it up by ([`names::Lookup`]) and its version as a vx
//! constraint ([`version::map`]), or why either cannot be had; mise's `[env]` as
//! [`EnvEntry`]s. A file that does not follow its format is a [`ImportError`] at its
//! line. Looking the names up in the registries and editing vx.toml is the command's
//! work (`vx import`, `vx init`); nothing here reaches the network.

pub mod aqua;
pub(crate) mod follow;
pub(crate) mod idiomatic;
pub mod mise;
pub mod names;
pub(crate) mod nvm;
pub(crate) mod python_version;
pub(crate) mod tool_versions;
pub mod version;
pub(crate) mod why;

use std::path::{Path, PathBuf};

use thiserror::Error;

pub(crate) use names::Lookup;
pub(crate) use why::{DirError, EnvError, LookupError, TaskError, VersionError};

/// Largest file read: these files are a few lines; anything bigger is not one of them.
pub(crate) const MAX_IMPORT_BYTES: u64 = 1 << 20;

/// Most entries one file may hold (the manifest's own limit).
pub(crate) const MAX_ENTRIES: usize = vx_base::validate::MAX_TOOLS;

/// The kinds of file `vx import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// mise's `mise.toml` / `.mise.toml`: `[tools]` and `[env]`.
    Mise,
    /// asdf's `.tool-versions`: `TOOL VERSION [VERSION…]` per line.
    ToolVersions,
    /// aqua's `aqua.yaml`: `packages: - name: owner/repo@tag`.
    Aqua,
    /// nvm's `.nvmrc`: one Node.js version or alias.
    Nvmrc,
    /// `.node-version` (nodenv, fnm, volta…): one Node.js version.
    NodeVersion,
    /// pyenv's `.python-version`: Python versions, one a line.
    PythonVersion,
    /// rbenv's `.ruby-version`.
    RubyVersion,
    /// goenv's `.go-version`.
    GoVersion,
    /// Go's `go.mod` (`toolchain`, else `go`).
    GoMod,
    /// jenv's `.java-version`.
    JavaVersion,
    /// SDKMAN!'s `.sdkmanrc`.
    Sdkmanrc,
    /// rustup's `rust-toolchain.toml` or `rust-toolchain`.
    RustToolchain,
}

/// The files `vx import` looks for without FILE, in the order they are read (a tool
/// two of them name is taken from the first): the files listing many tools before the
/// files of one, mise's before asdf's (mise reads `.tool-versions` too, and its own
/// file wins there: mise's files at the top of a directory, [`mise::layout::at_top`]),
/// aqua's, then the single-tool files (mise's, then go.mod and rustup's files).
pub fn known_files() -> Vec<(&'static str, Format)> {
    let (many, single): (Vec<_>, Vec<_>) = mise::layout::at_top(false)
        .partition(|(_, format)| matches!(format, Format::Mise | Format::ToolVersions));
    many.into_iter()
        .chain(AQUA_FILES.iter().copied())
        .chain(single)
        .chain(OTHER_VERSION_FILES.iter().copied())
        .collect()
}

/// aqua's files, in aqua's order.
const AQUA_FILES: &[(&str, Format)] = &[
    ("aqua.yaml", Format::Aqua),
    ("aqua.yml", Format::Aqua),
    (".aqua.yaml", Format::Aqua),
    (".aqua.yml", Format::Aqua),
    ("aqua/aqua.yaml", Format::Aqua),
    ("aqua/aqua.yml", Format::Aqua),
    (".aqua/aqua.yaml", Format::Aqua),
    (".aqua/aqua.yml", Format::Aqua),
];

/// The version files `vx import` reads that a project read in place does not (mise
/// has no such file of its layout).
const OTHER_VERSION_FILES: &[(&str, Format)] = &[
    ("go.mod", Format::GoMod),
    ("rust-toolchain.toml", Format::RustToolchain),
    ("rust-toolchain", Format::RustToolchain),
];

/// Whether `path` is one of mise's personal files, by its name (beside its
/// `mise.toml` and out of the repository, [`mise::layout::at_top`]): `vx import`
/// writes what they list into the person's `vx.local.toml`
/// ([`crate::manifest::local`]), never into the team's vx.toml.
pub fn is_personal(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|name| mise::layout::at_top(true).any(|(known, _)| known == name))
}

/// The names `--format` takes.
pub const FORMAT_NAMES: &str = "mise, asdf, aqua, nvm, node-version, python-version, ruby-version, go-version, go-mod, java-version, sdkmanrc, rust-toolchain";

impl Format {
    /// The format of a file, from its name (one of [`known_files`], or a person's
    /// file of mise's).
    pub fn of_file(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?;
        known_files()
            .into_iter()
            .chain(mise::layout::at_top(true))
            .find(|(known, _)| *known == name)
            .map(|(_, format)| format)
    }

    /// The format `--format NAME` names (see [`FORMAT_NAMES`]).
    pub fn from_name(name: &str) -> Option<Format> {
        Some(match name {
            "mise" => Format::Mise,
            "asdf" | "tool-versions" => Format::ToolVersions,
            "aqua" => Format::Aqua,
            "nvm" | "nvmrc" => Format::Nvmrc,
            "node-version" => Format::NodeVersion,
            "python-version" | "pyenv" => Format::PythonVersion,
            "ruby-version" | "rbenv" => Format::RubyVersion,
            "go-version" | "goenv" => Format::GoVersion,
            "go-mod" | "go.mod" => Format::GoMod,
            "java-version" | "jenv" => Format::JavaVersion,
            "sdkmanrc" | "sdkman" => Format::Sdkmanrc,
            "rust-toolchain" | "rustup" => Format::RustToolchain,
            _ => return None,
        })
    }
}

/// The known files present in `dir`, in [`known_files`] order, then mise's personal
/// files.
pub fn found_in(dir: &Path) -> Vec<(PathBuf, Format)> {
    known_files()
        .into_iter()
        .chain(mise::layout::at_top(true))
        .map(|(name, format)| (dir.join(name), format))
        .filter(|(path, _)| path.is_file())
        .collect()
}

/// One tool of a file, as it was written and as vx would ask for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The tool's name as written (from outside: sanitize before printing).
    pub name: String,
    /// The version as written (the first, when several are listed).
    pub written: String,
    /// What to look it up by in the registries, or why it cannot be.
    pub lookup: Result<Lookup, LookupError>,
    /// Its version as a vx constraint, or why it has none.
    pub version: Result<String, VersionError>,
    /// Its line in the file, when known.
    pub line: Option<usize>,
    /// What was left out (`18.19.0 also listed; the first is imported`).
    pub notes: Vec<String>,
    /// The file it is from, when another than the one imported (an aqua.yaml's
    /// `import:`), as the import line shows it.
    pub file: Option<String>,
    /// The aqua registry it is from, when not `standard`.
    pub registry: Option<String>,
}

impl Entry {
    /// An entry for `name` at `version` (as written; mapped by [`version::map`]).
    pub(crate) fn new(name: &str, version: &str, line: Option<usize>) -> Entry {
        Entry {
            name: name.to_owned(),
            written: version.to_owned(),
            lookup: names::lookup_of(name),
            version: version::map(version),
            line,
            notes: names::backend_note(name).into_iter().collect(),
            file: None,
            registry: None,
        }
    }

    /// Notes the versions after the first (`others`), which vx does not import.
    pub(crate) fn also_listed(mut self, others: &[&str]) -> Entry {
        if !others.is_empty() {
            self.notes.push(format!(
                "{} also listed; the first is imported",
                others.join(", ")
            ));
        }
        self
    }
}

/// An environment variable's value in vx's `[env]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvValue {
    /// `NAME = "value"`.
    Set(String),
    /// `NAME = false`: unset.
    Unset,
}

/// One variable of mise's `[env]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvEntry {
    /// Its name as written.
    pub name: String,
    /// Its value for vx, or why it cannot be imported.
    pub value: Result<EnvValue, EnvError>,
    /// Its line in the file.
    pub line: Option<usize>,
}

/// One task of mise's `[tasks]` (or a file task), as a vx `[tasks]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptEntry {
    /// Its name as written.
    pub name: String,
    /// The script for vx, or why it cannot be imported.
    pub script: Result<ImportedScript, TaskError>,
    /// Its line in the file.
    pub line: Option<usize>,
    /// The file it is read from, relative to the project, when another than the config
    /// file whose tasks hold it: a file task's own file (`mise-tasks/build`), an
    /// included TOML file (`.mise/tasks/images.toml`).
    pub file: Option<String>,
}

impl ScriptEntry {
    /// Where it is read, as a line says it (`mise.toml:3`, `mise-tasks/build`): its own
    /// [`ScriptEntry::file`], else `listed_in` (the config file whose tasks hold it),
    /// with its line; made safe for a terminal (a file task's name is the
    /// repository's).
    pub fn at(&self, listed_in: &str) -> String {
        let file = self.file.as_deref().unwrap_or(listed_in);
        let at = match self.line {
            Some(line) => format!("{file}:{line}"),
            None => file.to_owned(),
        };
        vx_text::sanitize(&at).into_owned()
    }
}

/// A task's fields as vx.toml's `[tasks]` holds them (see `docs/guide/tasks.md`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportedScript {
    /// The shell commands, run in order (empty: a depends-only task).
    pub run: Vec<String>,
    /// The program and words its commands start under (mise's `shell`, split into
    /// words); empty: the platform's shell.
    pub shell: Vec<String>,
    /// What runs on Windows instead of `run` (mise's `run_windows`); empty: `run`.
    pub run_windows: Vec<String>,
    /// How long it may run before it fails (mise's `timeout`), as written (`"30s"`).
    pub timeout: Option<String>,
    /// The tasks run first (names or globs).
    pub depends: Vec<String>,
    /// The tasks run after it.
    pub depends_post: Vec<String>,
    /// The tasks it waits for when they run anyway.
    pub wait_for: Vec<String>,
    /// Dependencies that run their task with words or variables of their own (mise's
    /// `"check --test"`, `"Z=1 setup"`, `{ task, args, env }`): vx.toml's `depends`
    /// tables, each a node of the run's graph of its own.
    pub calls: Vec<ImportedCall>,
    /// The same for `depends_post`.
    pub calls_post: Vec<ImportedCall>,
    /// Optional dependencies (mise's `{ task = "…", optional = true }`), each with the
    /// key that lists it (`depends`, `depends_post`, `wait_for`): one a task of the
    /// project answers to joins that list, the others are left out, as mise skips
    /// them (`mise::settle_optional`, once every file is read).
    pub optional_depends: Vec<(&'static str, String)>,
    /// Variables set for it.
    pub env: Vec<(String, String)>,
    /// Its working directory, relative to the project directory.
    pub cwd: Option<String>,
    /// Its one-line description.
    pub description: Option<String>,
    /// Its other names.
    pub alias: Vec<String>,
    /// Left out of the listing.
    pub hide: bool,
    /// Globs of the files that decide whether it is up to date.
    pub sources: Vec<String>,
    /// Globs of the files it makes.
    pub outputs: Vec<String>,
    /// Its declared arguments.
    pub args: Vec<ImportedArg>,
    /// Why mise refuses to run it (its `usage` spec has a node mise refuses): a run of
    /// it fails before anything runs, as under mise; `run` then fails saying so, for a
    /// vx.toml that has no counterpart.
    pub refused: Option<String>,
    /// Its commands as written in the mise file (a `run` step table as mise's `tasks
    /// info` shows it, `task: a`), where `run` holds vx's own lines; none: `run` is
    /// as written. Empty for a task that runs a file.
    pub written_run: Option<Vec<String>>,
    /// The variables of `env` vx gives it, as mise gives them, not written by its user.
    pub given_env: Vec<String>,
    /// The question asked before it runs.
    pub confirm: Option<String>,
    /// vx prints nothing of its own about it.
    pub quiet: bool,
    /// Its words are passed on as they are, `--help` too (mise's `raw_args`).
    pub raw_args: bool,
    /// Tools for this task only (`name → version`), installed and first on its PATH.
    pub tools: Vec<(String, String)>,
    /// A long-lived service (a mise `[daemons.NAME]`): its dependents start when it is
    /// ready.
    pub service: bool,
    /// A service's readiness: a TCP port on localhost accepting connections.
    pub ready_port: Option<u16>,
    /// What the task said that vx has no counterpart for (said in the import line).
    pub ignored: Vec<String>,
    /// It has no command of its own (a mise task without `run` or `file`): laid over a
    /// file task of its name, which it describes, rather than taking its place.
    pub commandless: bool,
}

/// A dependency with words or variables of its own, as vx.toml's `depends` table
/// `{ task, args, env }` holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportedCall {
    /// The task's name.
    pub task: String,
    /// Its words; `{{NAME}}` is the asking task's argument `NAME`, filled in when the
    /// run is planned.
    pub args: Vec<String>,
    /// Variables set for it alone, taken as written.
    pub env: Vec<(String, String)>,
}

/// A declared argument of an imported task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedArg {
    /// Its name (`{{NAME}}` in the commands).
    pub name: String,
    /// `positional`, `option` (`--NAME VALUE`), `flag` (`--NAME`) or `count` (a flag
    /// counted: `-vvv`).
    pub kind: &'static str,
    /// Its default value.
    pub default: Option<String>,
    /// Its help line.
    pub help: Option<String>,
    /// A flag's or option's one-letter form (usage's `flag "-n --dry-run"`).
    pub short: Option<char>,
    /// A positional argument taking every positional word left (`arg "<files>..."`).
    pub variadic: bool,
    /// The variable it takes its value from when not given (usage's `env="VAR"`).
    pub env: Option<String>,
    /// The word that turns a flag off (usage's `negate="--no-x"`).
    pub negate: Option<String>,
    /// A flag that must be given (usage's `required=#true` on a flag).
    pub required: bool,
    /// A positional argument after whose first word every word is positional (usage's
    /// `double_dash="automatic"`).
    pub rest: bool,
    /// Its `$usage_NAME` is unset when it has no value (usage gives it no default): a
    /// flag's when it is not on.
    pub(crate) unset_without_value: bool,
}

impl ImportedArg {
    /// An argument called `name` of `kind`, with nothing else said of it.
    pub(crate) fn new(name: &str, kind: &'static str) -> ImportedArg {
        ImportedArg {
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
            unset_without_value: false,
        }
    }
}

/// What a file lists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    /// Its tools, in file order.
    pub tools: Vec<Entry>,
    /// Its environment variables (mise only), in file order.
    pub env: Vec<EnvEntry>,
    /// Its tasks as scripts (mise only), in file order.
    pub scripts: Vec<ScriptEntry>,
    /// Directories its `[env] _.path` puts on `PATH` (mise only): each relative to the
    /// project directory as vx's `[settings] path` takes it, or why it cannot be.
    pub path: Vec<(String, Result<String, DirError>, Option<usize>)>,
    /// Dotenv files its `[env] _.file` reads (mise only): each relative to the project
    /// directory as vx's `[settings] env_file` takes it, or why it cannot be.
    pub env_files: Vec<(String, Result<String, DirError>, Option<usize>)>,
    /// The virtual environment its `[env] _.python.venv` or a python's `virtualenv`
    /// names (mise only): relative to the project directory as vx's `[settings]
    /// python_venv` takes it, or why it cannot be.
    pub python_venv: Vec<(String, Result<String, DirError>, Option<usize>)>,
    /// What the file says that vx does not honour, said once, with its line (mise's
    /// `[hooks]`, and its `[settings]` that change how tasks run: `jobs`,
    /// `task.output`).
    pub not_honoured: Vec<(String, Option<usize>)>,
}

/// What an aqua.yaml adds to its packages: the registries it declares other than
/// `standard`, by name (a local one's path made absolute by [`read_all`]).
pub(crate) type Registries = Vec<(String, aqua::DeclaredRegistry)>;

/// A file pattern a file pulls in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Include {
    /// The pattern, relative to the file naming it (`aqua/*.yaml`).
    pub pattern: String,
    /// Its line.
    pub line: Option<usize>,
    /// Whether naming no file is fine (`import_dir`'s two patterns).
    pub optional: bool,
}

/// Where a file breaks its format: a line when known, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    /// The 1-based line.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl Malformed {
    /// A problem at `line`.
    pub(crate) fn at(line: Option<usize>, message: impl Into<String>) -> Malformed {
        Malformed {
            line,
            message: message.into(),
        }
    }
}

/// Why a file cannot be imported.
#[derive(Debug, Error)]
pub enum ImportError {
    /// It cannot be read.
    #[error("{}: cannot read it: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// It is larger than [`MAX_IMPORT_BYTES`].
    #[error("{}: over {MAX_IMPORT_BYTES} bytes; that is not a version manager's file", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// It does not follow its format (`file:line: problem`, as manifest errors read).
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The 1-based line, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
}

/// Reads `path` as `format`: at most [`MAX_IMPORT_BYTES`], UTF-8, parsed; an
/// aqua.yaml's imports followed and registries bound ([`follow::aqua`]).
pub fn read(path: &Path, format: Format) -> Result<Imported, ImportError> {
    read_all(path, format).map(|(imported, _)| imported)
}

/// [`read`], and the registries the file declares (aqua's).
pub fn read_all(path: &Path, format: Format) -> Result<(Imported, Registries), ImportError> {
    match format {
        Format::Aqua => {
            let parsed = aqua_file(path)?;
            let (imported, registries) = follow::aqua(path, parsed)?;
            bounded(&imported).map_err(|m| invalid(path, m))?;
            Ok((imported, registries))
        }
        Format::Mise => {
            let mut imported = read_one(path, format)?;
            // Its tasks get the file they are defined in, as mise gives it.
            let root = config_root(path);
            mise::given_file(
                &mut imported.scripts,
                path.strip_prefix(root).unwrap_or(path),
            );
            // The directory's file tasks are the team's: read with its mise.toml, not
            // again with a person's file.
            if !is_personal(path) {
                let dir = root;
                let text = vx_base::bounded_read::read_to_string(path, MAX_IMPORT_BYTES)
                    .unwrap_or_default();
                let own = imported.scripts.len();
                imported
                    .scripts
                    .extend(mise::file_and_included_tasks(dir, &text));
                mise::overlay_file_tasks(&mut imported.scripts, own);
            }
            mise::settle_commandless(&mut imported.scripts);
            mise::settle_aliases(&mut imported.scripts);
            bounded(&imported).map_err(|m| invalid(path, m))?;
            Ok((imported, Vec::new()))
        }
        _ => Ok((read_one(path, format)?, Vec::new())),
    }
}

/// The directory a mise config file belongs to (mise's `config_root`): where its
/// file tasks, includes and relative paths start. The project directory above
/// `.mise/`, `mise/`, `.config/` or `.config/mise/` (its `conf.d/` too) for a config
/// kept there (`config.toml`, `config.local.toml`, `config.ENV.toml`, `mise.toml`),
/// else the file's own directory.
pub(crate) fn config_root(path: &Path) -> &Path {
    let here = path.parent().unwrap_or(Path::new("."));
    let name = |p: &Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned()
    };
    let up = |p: &Path, n: usize| p.ancestors().nth(n).unwrap_or(p).to_owned();
    let file = name(path);
    let config = file.starts_with("config.") || file.starts_with("mise.");
    let (parent, grand) = (name(here), name(&up(here, 1)));
    let levels = match (grand.as_str(), parent.as_str()) {
        ("mise", "conf.d") if name(&up(here, 2)) == ".config" => 3,
        (".config", "mise") if config => 2,
        (_, ".mise" | "mise") if file.starts_with("config.") => 1,
        (_, ".config") if file.starts_with("mise.") => 1,
        _ => 0,
    };
    here.ancestors().nth(levels).unwrap_or(here)
}

/// One aqua file, parsed, its imports not followed.
fn aqua_file(path: &Path) -> Result<aqua::Parsed, ImportError> {
    let text = read_text(path)?;
    no_nul(&text)
        .and_then(|()| aqua::parse_all(&text))
        .map_err(|m| invalid(path, m))
}

/// `m` as the error of the file `path`.
fn invalid(path: &Path, m: Malformed) -> ImportError {
    ImportError::Invalid {
        path: path.to_owned(),
        line: m.line,
        message: m.message,
    }
}

/// Reads one file as `format`, following nothing; a mise file's `read_file` reads
/// beside it, inside its project ([`config_root`]).
fn read_one(path: &Path, format: Format) -> Result<Imported, ImportError> {
    let text = read_text(path)?;
    let place = mise::Place {
        dir: path.parent().unwrap_or(Path::new(".")),
        project: config_root(path),
    };
    parse_at(format, &text, Some(place)).map_err(|m| invalid(path, m))
}

/// The text of `path`: at most [`MAX_IMPORT_BYTES`], UTF-8, no NUL.
fn read_text(path: &Path) -> Result<String, ImportError> {
    let read_err = |source| ImportError::Read {
        path: path.to_owned(),
        source,
    };
    let bytes = match vx_base::bounded_read::read(path, MAX_IMPORT_BYTES) {
        Ok(bytes) => bytes,
        Err(vx_base::bounded_read::ReadError::TooLarge { .. }) => {
            return Err(ImportError::TooLarge {
                path: path.to_owned(),
            });
        }
        Err(e) => return Err(read_err(e.into())),
    };
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        ImportError::Invalid {
            path: path.to_owned(),
            line: Some(line),
            message: "the file is not valid UTF-8 text".to_owned(),
        }
    })?;
    Ok(text.to_owned())
}

/// Parses `text` as `format`, read from no file.
pub fn parse(format: Format, text: &str) -> Result<Imported, Malformed> {
    parse_at(format, text, None)
}

/// [`parse`] of a file at `place` (a mise file's `read_file` reads there).
fn parse_at(
    format: Format,
    text: &str,
    place: Option<mise::Place<'_>>,
) -> Result<Imported, Malformed> {
    no_nul(text)?;
    let imported = match format {
        Format::Mise => mise::parse_at(text, place)?,
        Format::ToolVersions => tool_versions::parse(text)?,
        Format::Aqua => aqua::parse(text)?,
        Format::Nvmrc | Format::NodeVersion => nvm::parse(text)?,
        Format::PythonVersion => python_version::parse(text)?,
        Format::RubyVersion => idiomatic::ruby_version(text)?,
        Format::GoVersion => idiomatic::go_version(text)?,
        Format::GoMod => idiomatic::go_mod(text)?,
        Format::JavaVersion => idiomatic::java_version(text)?,
        Format::Sdkmanrc => idiomatic::sdkmanrc(text)?,
        Format::RustToolchain => idiomatic::rust_toolchain(text)?,
    };
    bounded(&imported)?;
    Ok(imported)
}

/// A NUL byte is no text file's.
fn no_nul(text: &str) -> Result<(), Malformed> {
    match text.find('\0') {
        Some(at) => Err(Malformed::at(
            Some(text[..at].matches('\n').count() + 1),
            "a NUL byte: this is not a text file",
        )),
        None => Ok(()),
    }
}

/// Most entries a file may hold, as a [`Malformed`].
fn bounded(imported: &Imported) -> Result<(), Malformed> {
    if imported.tools.len() + imported.env.len() > MAX_ENTRIES {
        return Err(Malformed::at(
            None,
            format!("more than {MAX_ENTRIES} entries; that is not a project's tool list"),
        ));
    }
    Ok(())
}

/// The text of `line` without a `#` comment, trimmed (the comment syntax of
/// `.tool-versions`, `.nvmrc` and `.python-version`).
pub(crate) fn uncommented(line: &str) -> &str {
    line.split('#').next().unwrap_or("").trim()
}

/// Where each line of a text starts: the line of an offset by a binary search, for a
/// file whose every entry asks (10,000 tasks counted from the file's start each took
/// seconds).
pub(crate) struct Lines(Vec<usize>);

impl Lines {
    /// The line starts of `text`.
    pub(crate) fn of(text: &str) -> Lines {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Lines(starts)
    }

    /// The 1-based line of byte `offset`, as [`line_of`] counts it.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|start| *start <= offset).max(1)
    }
}

/// The 1-based line of byte `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests;
