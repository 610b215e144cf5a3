//! The command line: clap types only. `main.rs` parses them and hands each subcommand
//! to its file in `commands/`; exit codes are in [`vx_base::exit`].
// The doc comments here are `--help`'s text, where `[tasks]` names a TOML table.
#![allow(rustdoc::broken_intra_doc_links)]

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use vx_project::toolchain::Request;
use vx_project::toolchain::shell::Shell;

/// Your project's tools and tasks: language runtimes and CLI tools pinned in vx.toml, locked for every platform, installed in parallel.
#[derive(Debug, Parser)]
///
/// Any other command that is an executable of a project tool runs it with the
/// project's tools on PATH: `vx rg -n foo` is `vx exec -- rg -n foo`.
#[command(
    name = "vx",
    version = vx_base::build_info::VERSION_LINE,
    about,
    allow_external_subcommands = true,
    // Help is wrapped at spaces to the terminal's width (clap's `wrap_help`: the
    // terminal's, else `COLUMNS`), but no wider than 100 columns, to stay readable.
    max_term_width = 100
)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Install every tool of a vx.toml, in parallel.
    Sync(SyncArgs),
    /// Record each tool's download (URL, SHA-256, size) per platform in vx.lock.
    Lock(LockArgs),
    /// Add a tool to vx.toml by its registry name (or with its own URL) and lock it.
    Add(AddArgs),
    /// Remove a tool from vx.toml and vx.lock.
    Remove(RemoveArgs),
    /// Add tools to the project (or with -g to your global toolset), lock and
    /// install them in one step: `vx use -g ripgrep@14`.
    Use(UseArgs),
    /// Add the tools of .tool-versions, mise.toml, .nvmrc, .node-version,
    /// .python-version or aqua.yaml to vx.toml and lock them.
    Import(ImportArgs),
    /// Create a commented vx.toml here and import what the directory's version files
    /// list.
    Init(InitArgs),
    /// Install one tool (standalone), or run as a `vx sync` child.
    Install(InstallArgs),
    /// Run a command with the project's tools first on PATH, installing missing ones.
    Exec(ExecArgs),
    /// Print the path of the executable `vx exec` would run for CMD.
    Which(WhichArgs),
    /// Print what puts the project's tools on PATH and sets its [env]: `eval "$(vx env)"`.
    Env(EnvArgs),
    /// Run tasks of vx.toml's [tasks] (or [scripts]) and `.vx/tasks/` in parallel with
    /// what they depend on, with the toolchain and [env]; alone, list them (`vx tasks`,
    /// as mise users type it, lists them too).
    Run(ScriptArgs),
    /// List the project's tasks (`vx tasks`, `vx tasks ls`: as `vx run` alone lists
    /// them) or show one (`vx tasks info TASK`, `vx tasks TASK`), as mise's `tasks`
    /// does; `vx run` runs them (`vx run ls` a task named `ls`).
    Tasks(TasksArgs),
    /// What `vx run` starts each task's command under: it stops the command's whole
    /// process tree when asked or when `vx run` dies.
    #[command(hide = true)]
    TaskGuard(TaskGuardArgs),
    /// What vx starts a program under that must end with vx even when vx is
    /// SIGKILLed (the project venv's maker): it asks for its parent's death signal and
    /// ends the program's process group on it.
    #[command(hide = true)]
    Tied(TiedArgs),
    /// Print a hook for the shell's rc file that applies each project's tools and
    /// [env] as cd enters it and restores the shell on leaving:
    /// `eval "$(vx activate bash)"`.
    Activate(ActivateArgs),
    /// Let the hook and the shims apply this project's own [env], env files and
    /// [settings] path (they apply only its tools until then); --revoke stops it.
    Trust(TrustArgs),
    /// What the hook of `vx activate` runs before each prompt: prints what changes the
    /// shell to the working directory's project (nothing when nothing changed).
    #[command(hide = true)]
    HookEnv(HookEnvArgs),
    /// List the tool versions in the store.
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Remove one tool version from the store.
    Uninstall(UninstallArgs),
    /// Remove the versions no project using the store pins, what interrupted
    /// installs left, and what vx kept of projects that are gone.
    Prune(PruneArgs),
    /// Print a shell completion script: `source <(vx completions bash)`.
    Completions {
        /// The shell.
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// List the task runs (and syncs) alive on this machine, with their tasks and
    /// phases.
    Ps(PsArgs),
    /// Print a task's output from its run's board (running or finished); -f follows
    /// it until the task ends.
    Logs(LogsArgs),
    /// Inspect the progress boards of this user.
    Board {
        /// What to do with boards.
        #[command(subcommand)]
        command: BoardCommand,
    },
    /// Run the per-user daemon that answers editors and the CLI over a socket.
    Daemon {
        /// What to do with the daemon.
        #[command(subcommand)]
        command: DaemonCommand,
    },
    /// Find tools in the registries by name, alias or description.
    Search(SearchArgs),
    /// List a tool's versions, newest first, marking the locked one.
    Versions(VersionsArgs),
    /// Compare each registry tool's locked version with the newest its constraint
    /// allows and the newest there is.
    Outdated(OutdatedArgs),
    /// Re-resolve registry tools within their constraints and lock the result.
    Upgrade(UpgradeArgs),
    /// Run any registry tool, no project needed: `vx x ripgrep@14 -- --version`.
    X(XArgs),
    /// The registries: show a package as vx reads it, move to the newest standard one.
    Registry {
        /// What to do.
        #[command(subcommand)]
        command: RegistryCommand,
    },
    /// Show the effective settings (network, GitHub) and where each came from; set
    /// and unset them in the user config.
    Config {
        /// What to show.
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// vx's cache: where it is, its size, cleaning it (never the installed tools).
    Cache {
        /// What to do.
        #[command(subcommand)]
        command: CacheCommand,
    },
    /// Say what is wrong with this vx, shell, machine and project, and how to fix it.
    Doctor(DoctorArgs),
    /// Content-addressed mirrors: upload the project's locked downloads to a registry.
    Mirror {
        /// What to do.
        #[command(subcommand)]
        command: MirrorCommand,
    },
    /// Air-gapped bundles: the project's locked downloads as an OCI image layout.
    Bundle {
        /// What to do.
        #[command(subcommand)]
        command: BundleCommand,
    },
    /// vx itself: where it came from, update it in place, uninstall it.
    #[command(name = "self")]
    SelfCmd {
        /// What to do.
        #[command(subcommand)]
        command: SelfCommand,
    },
    /// An executable of a project tool, with its arguments.
    #[command(external_subcommand)]
    External(Vec<OsString>),
}

/// Whether the arguments (without the program's name) ask for `vx --version
/// --verbose` (in either order, `-V` for `--version`): the version with the commit,
/// date, target and what is built in. Read before clap, whose own `--version` takes no
/// other flag.
pub(crate) fn verbose_version(args: &[OsString]) -> bool {
    let [a, b] = args else {
        return false;
    };
    let is = |arg: &OsString, names: &[&str]| names.iter().any(|n| arg == n);
    let version = ["--version", "-V"];
    let verbose = ["--verbose", "-v"];
    (is(a, &version) && is(b, &verbose)) || (is(a, &verbose) && is(b, &version))
}

/// Whether `args` (without the program name) are exactly what a `vx sync` parent
/// spawns each child with (`install --from-parent`, `crates/vx-sync/src/children.rs`): such a
/// child skips clap, whose command tree of every subcommand cost each child about 120
/// page faults and 0.3 ms of CPU (issue 54, 100 tiny tools; docs/BENCHMARKS.md §22).
/// Any other spelling goes through [`Cli`] as before.
pub(crate) fn is_sync_child(args: &[OsString]) -> bool {
    matches!(args, [a, b] if a == "install" && b == "--from-parent")
}

/// `vx self` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum SelfCommand {
    /// Where this vx came from (its channel: installer, pip, npm, homebrew, cargo or
    /// manual), its version, target and path.
    Info {
        /// One JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Replace this vx with the newest release (or VERSION), checked against the
    /// release's minisign signature, its sha256 and what the new binary reports.
    Update(SelfUpdateArgs),
    /// Remove the vx the installer put here, its receipt and the PATH lines it added.
    Uninstall {
        /// Do not ask (there is no prompt without a terminal either).
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

/// `vx self update` options.
#[derive(Debug, Args)]
pub(crate) struct SelfUpdateArgs {
    /// The version to install (`1.2.3` or `v1.2.3`; default: the latest release).
    #[arg(value_name = "VERSION")]
    pub version: Option<String>,
    /// Only say whether there is a newer release; change nothing (exit 0 either way).
    #[arg(long)]
    pub check: bool,
    /// Install an older version than this one.
    #[arg(long)]
    pub allow_downgrade: bool,
    /// Update a vx that no installer placed (no receipt), or reinstall the same version.
    #[arg(long)]
    pub force: bool,
    /// One JSON object of what was found and done.
    #[arg(long)]
    pub json: bool,
}

/// `vx search` options.
#[derive(Debug, Args)]
pub(crate) struct SearchArgs {
    /// What to look for (a name, an alias, a word of a description).
    #[arg(value_name = "TERM")]
    pub term: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// The manifest whose registries are searched too (default: the nearest vx.toml).
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// Use only what is cached; fetch nothing.
    #[arg(long)]
    pub offline: bool,
}

/// `vx versions` options.
#[derive(Debug, Args)]
pub(crate) struct VersionsArgs {
    /// A tool of vx.toml or any registry name.
    #[arg(value_name = "TOOL")]
    pub tool: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// The manifest (default: `$VX_MANIFEST`, else the nearest `vx.toml`).
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// Use only what is cached; fetch nothing.
    #[arg(long)]
    pub offline: bool,
}

/// `vx outdated` options.
#[derive(Debug, Args)]
pub(crate) struct OutdatedArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// The manifest (default: `$VX_MANIFEST`, else the nearest `vx.toml`).
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
}

/// `vx upgrade` options.
#[derive(Debug, Args)]
pub(crate) struct UpgradeArgs {
    /// Lock a new version of a tool even when its locked version was verified and the
    /// new one offers no verification or another signer (the lock records it).
    #[arg(long)]
    pub allow_provenance_loss: bool,
    /// The tools to upgrade (default: every registry tool).
    #[arg(value_name = "TOOL")]
    pub tools: Vec<String>,
    /// Also move each constraint in vx.toml to the newest version there is.
    #[arg(long)]
    pub latest: bool,
    /// The manifest (default: `$VX_MANIFEST`, else the nearest `vx.toml`).
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// How the locking shows itself.
    #[command(flatten)]
    pub run: RunArgs,
}

/// `vx x` options.
#[derive(Debug, Args)]
pub(crate) struct XArgs {
    /// The tool, `NAME[@CONSTRAINT]` (a registry name).
    #[arg(value_name = "TOOL[@CONSTRAINT]")]
    pub tool: String,
    /// The command to run (default: the executable named like the tool, else its first).
    #[arg(long, value_name = "CMD")]
    pub command: Option<String>,
    /// The store (default: `$XDG_DATA_HOME/vx/store`; on Windows `%LOCALAPPDATA%\vx\store`).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Use only what is cached and installed; fetch nothing.
    #[arg(long)]
    pub offline: bool,
    /// The arguments.
    #[arg(last = true, value_name = "ARGS")]
    pub args: Vec<OsString>,
}

/// `vx registry` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum RegistryCommand {
    /// Print a package's definition as vx understands it, for each platform.
    Show {
        /// The package (a name, alias, `owner/repo` or command).
        #[arg(value_name = "NAME")]
        name: String,
        /// The version to render for (default: the newest release).
        #[arg(long, value_name = "VERSION")]
        version: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// The manifest whose registries are read too (default: the nearest vx.toml).
        #[arg(long, value_name = "PATH")]
        manifest: Option<PathBuf>,
    },
    /// Move the project to the standard registry's newest release (recorded in vx.lock),
    /// and fetch again the project's registries named by URL (kept once fetched).
    Update {
        /// The manifest (default: `$VX_MANIFEST`, else the nearest `vx.toml`).
        #[arg(long, value_name = "PATH")]
        manifest: Option<PathBuf>,
    },
}

/// `vx config` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Every setting in effect, with its source (env, project, user, default);
    /// secrets as ***.
    List {
        /// Print JSON: an array of {key, value, sources}.
        #[arg(long)]
        json: bool,
        /// The manifest (default: `$VX_MANIFEST`, else the nearest `vx.toml`).
        #[arg(long, value_name = "PATH")]
        manifest: Option<PathBuf>,
    },
    /// Print one setting's value (a list one item per line); exit 1 when it is unset.
    Get {
        /// The key, as `vx config list` names it (`github.url`, `mirrors`, …).
        #[arg(value_name = "KEY")]
        key: String,
        /// The manifest (default: `$VX_MANIFEST`, else the nearest `vx.toml`).
        #[arg(long, value_name = "PATH")]
        manifest: Option<PathBuf>,
    },
    /// Print the user config's path (whether or not the file exists).
    Path,
    /// Set KEY to VALUE in the user config, keeping its comments; refused (and the
    /// file unchanged) when vx would not read the result.
    Set {
        /// The key as a TOML dotted key (`github.url`,
        /// `http.headers."artifacts.corp".Authorization`, `url_replacements."https://a/"`).
        #[arg(value_name = "KEY")]
        key: String,
        /// The value: a string, or a TOML array when it starts with `[`
        /// (`mirrors`, `http.ca_certificates`, `self_update.keys`).
        #[arg(value_name = "VALUE", allow_hyphen_values = true)]
        value: String,
    },
    /// Remove KEY (or a whole table) from the user config, keeping its comments.
    Unset {
        /// The key, as for `set`.
        #[arg(value_name = "KEY")]
        key: String,
    },
}

/// `vx cache` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum CacheCommand {
    /// Print vx's cache directory.
    Dir,
    /// Print how much each area of the cache takes (downloads, registries, API
    /// answers, vx's uv's cache, interrupted downloads).
    Size {
        /// Print JSON: {dir, areas: [{name, path, what, bytes, size, files}], bytes, size}.
        #[arg(long)]
        json: bool,
        /// The store whose interrupted downloads count (default: `$XDG_DATA_HOME/vx/store`).
        #[arg(long, value_name = "DIR")]
        store: Option<PathBuf>,
    },
    /// Remove what the cache holds (never an installed tool).
    Clean {
        /// Only what was last written at least this long ago: `30d`, `12h`, `2w`.
        #[arg(long, value_name = "AGE")]
        older_than: Option<String>,
        /// Print JSON: {files, bytes, size, failed: [{path, error}]}.
        #[arg(long)]
        json: bool,
        /// The store whose interrupted downloads go too (default: `$XDG_DATA_HOME/vx/store`).
        #[arg(long, value_name = "DIR")]
        store: Option<PathBuf>,
    },
}

/// `vx doctor` options.
#[derive(Debug, Args)]
pub(crate) struct DoctorArgs {
    /// Print JSON: {healthy, findings: [{check, status, what, why, fix}], ...}
    /// (docs/EVERYDAY.md).
    #[arg(long)]
    pub json: bool,
    /// Ask nothing of the network (the GitHub rate-limit check is skipped).
    #[arg(long)]
    pub offline: bool,
    /// The manifest (default: `$VX_MANIFEST`, else the nearest `vx.toml`).
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// The store (default: `$XDG_DATA_HOME/vx/store`).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
}

/// `vx mirror` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum MirrorCommand {
    /// Upload every locked download of the project, vx.lock and an OCI image manifest
    /// (tagged `lock-<digest>` and each `--tag`) to an OCI registry.
    Push {
        /// The repository: `oci://HOST[:PORT]/REPO` (`oci+http://` for plain http off
        /// loopback).
        #[arg(value_name = "oci://HOST/REPO")]
        target: String,
        /// What to push.
        #[command(flatten)]
        content: ContentArgs,
    },
}

/// `vx bundle` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum BundleCommand {
    /// Write every locked download of the project, vx.lock and a manifest as an OCI
    /// image layout: a directory, or a tar when PATH ends in `.tar`.
    Export {
        /// The directory or `.tar` file to write.
        #[arg(value_name = "PATH")]
        path: PathBuf,
        /// What to export.
        #[command(flatten)]
        content: ContentArgs,
    },
    /// Copy a bundle's downloads (a layout directory or tar), each checked, into vx's
    /// cache, which every install consults first (so `vx sync --offline` can use them).
    Import {
        /// The layout directory or `.tar` file.
        #[arg(value_name = "PATH")]
        path: PathBuf,
    },
}

/// What `vx mirror push` and `vx bundle export` carry.
#[derive(Debug, Args)]
pub(crate) struct ContentArgs {
    /// Only this platform's downloads (repeatable; default: every locked platform).
    #[arg(long = "platform", value_name = "OS-ARCH")]
    pub platforms: Vec<vx_model::manifest::Platform>,
    /// Tag the manifest with TAG too (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// The manifest whose vx.lock is used (default: `$VX_MANIFEST`, else the nearest
    /// `vx.toml`).
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// How the downloads the target lacks run and report (as for `vx sync`).
    #[command(flatten)]
    pub run: RunArgs,
    /// Fail a download, or a request to the registry, when its server sends (or takes)
    /// nothing for SECS seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=86_400))]
    pub read_timeout: u32,
}

/// Which project and store the toolchain commands look at.
#[derive(Debug, Args)]
pub(crate) struct ProjectFlags {
    /// The manifest (default: `$VX_MANIFEST`, else the nearest `vx.toml`).
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// The store (default: `$XDG_DATA_HOME/vx/store`; on Windows `%LOCALAPPDATA%\vx\store`).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
}

/// `vx exec` options.
#[derive(Debug, Args)]
pub(crate) struct ExecArgs {
    /// Tools to put first on PATH besides the project's: a tool of vx.toml (at another
    /// version, installed from its URL) or a version in the store.
    #[arg(value_name = "TOOL[@VERSION]")]
    pub tools: Vec<Request>,
    /// Install nothing and reach no network: run with what is installed (a missing
    /// tool the command needs fails, named).
    #[arg(long)]
    pub offline: bool,
    /// Install nothing: run with what is installed, naming what is missing (as
    /// `[settings] auto_install = false`); a missing tool the command needs fails.
    #[arg(long)]
    pub no_install: bool,
    /// Which project and store.
    #[command(flatten)]
    pub project: ProjectFlags,
    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<OsString>,
}

/// `vx run` options.
#[derive(Debug, Args)]
pub(crate) struct ScriptArgs {
    /// Install nothing and reach no network: run with what is installed, naming
    /// what is missing.
    #[arg(long)]
    pub offline: bool,
    /// Install nothing: run with what is installed, naming what is missing (as
    /// `[settings] auto_install = false`).
    #[arg(long)]
    pub no_install: bool,
    /// At most N tasks at once (services aside); default: the number of CPUs.
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    pub jobs: Option<usize>,
    /// After a task fails, still run what does not depend on it.
    #[arg(long = "continue")]
    pub keep_going: bool,
    /// How tasks' output is shown: prefix (each line after `[task]`), grouped (each
    /// task's output whole when it ends, in graph order), quiet (only failures).
    #[arg(long, value_name = "MODE", value_parser = ["prefix", "grouped", "quiet"])]
    pub output: Option<String>,
    /// One JSON object per event on stdout (plan, phase, output, summary).
    #[arg(long, conflicts_with = "output")]
    pub json: bool,
    /// Run tasks even when their sources are unchanged since their last success (and
    /// restore no kept result in their place).
    #[arg(long)]
    pub force: bool,
    /// Push the results this run makes to the team's registry (`[settings]
    /// task_cache`), signed with the key `VX_TASK_CACHE_SIGNING_KEY` names (as
    /// `VX_TASK_CACHE_PUSH=1`).
    #[arg(long)]
    pub push: bool,
    /// Print the document each planned task's key is made of (JSON), and run
    /// nothing: what to compare when a result was not restored. Also taken after
    /// the task's name.
    #[arg(long)]
    pub explain_key: bool,
    /// In a monorepo: the packages whose tasks run, in turbo's syntax (`web`,
    /// `@acme/*`, `web...` with its dependencies, `...ui` with its dependents,
    /// `./apps/*`, `!docs`, `[main]` changed since a ref); several are their union.
    /// In a monorepo also taken after the task's name (before `--`).
    #[arg(long = "filter", short = 'F', value_name = "FILTER")]
    pub filters: Vec<String>,
    /// Only the named tasks a change can affect, with what they need: the changes
    /// since REF's merge base with HEAD (default: VX_AFFECTED_BASE, else on GitHub
    /// Actions the pull request's base or the push's `before`, else the default
    /// branch), committed or not. A task is selected when a changed file matches its
    /// `sources`, a lockfile entry of its package or a global input changed, or it
    /// waits for a selected task. In a monorepo also taken after the task's name.
    #[arg(long, value_name = "REF", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    pub affected: Option<String>,
    /// With --affected: run nothing, print the plan, and exit 0 when nothing is
    /// affected, 1 when something is (2: an error).
    #[arg(long)]
    pub exit_code: bool,
    /// Print the plan (each task, its package, directory, dependencies, command, key
    /// and whether this machine's cache holds its result) and run nothing; with
    /// `--json`, one `plan` event. In a monorepo also taken after the task's name
    /// (before `--`), with `--json`.
    #[arg(long)]
    pub dry_run: bool,
    /// A variable set for the tasks named (not what they depend on), over their own
    /// `env`, as a mise dependency's `env` (`"Z=1 setup"`): part of what makes them
    /// this run of them (a run of `setup` with `Z=1` is not the plain one's) and of
    /// their key.
    #[arg(long = "task-env", value_name = "NAME=VALUE", value_parser = task_env)]
    pub task_env: Vec<(String, String)>,
    /// Answer yes to the tasks' `confirm` questions.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Run the tasks again each time a file of their `sources` changes (debounced),
    /// cancelling a run in progress; until Ctrl-C.
    #[arg(long)]
    pub watch: bool,
    /// Full screen, a pane per task: pick one (↑/↓) to read its log, follow it (f),
    /// search it (/, n, N); q stops the run. On a terminal the default is a live row
    /// per running task under the prompt.
    #[arg(long, conflicts_with_all = ["output", "json", "watch"])]
    pub tui: bool,
    /// Which project and store.
    #[command(flatten)]
    pub project: ProjectFlags,
    /// The task and its arguments (none: list the tasks). The arguments are the
    /// task's declared ones, else put where it says `{args}`, else appended to its
    /// last command (a `#!` script's own arguments), each quoted for the shell. `:::`
    /// starts another task: `vx run lint ::: test --verbose`. `vx run TASK --help`
    /// shows a task's arguments. A `--` after the task is dropped: every word after
    /// it goes to each task named as it is (`-- --` passes a `--`).
    #[arg(id = "script", value_name = "TASK [ARGS]", trailing_var_arg = true)]
    pub words: Vec<OsString>,
}

/// A `--task-env` word: `NAME=VALUE`, the name one a task's `env` may set (read by
/// vx.toml's own rule: not `PATH`, not vx's own `__VX_…`, a name every shell takes).
fn task_env(word: &str) -> Result<(String, String), String> {
    use vx_model::manifest::environment::{reserved_problem, valid_var_name};
    let (name, value) = word
        .split_once('=')
        .ok_or_else(|| format!("`{word}` is no NAME=VALUE"))?;
    if let Some(why) = reserved_problem(name) {
        return Err(why);
    }
    match valid_var_name(name) {
        true => Ok((name.to_owned(), value.to_owned())),
        false => Err(format!("`{name}` is no variable a task may be given")),
    }
}

impl ScriptArgs {
    /// The first task named, if any.
    pub(crate) fn script(&self) -> Option<String> {
        self.words.first().map(|w| w.to_string_lossy().into_owned())
    }

    /// The words after the first task's name.
    pub(crate) fn args(&self) -> &[OsString] {
        self.words.get(1..).unwrap_or(&[])
    }

    /// The words after the first task's name up to a `--` (after which every word is
    /// the tasks', and `vx_ops::run` drops the `--`, as mise does).
    fn before_dashes(&self) -> &[OsString] {
        let args = self.args();
        let end = args.iter().position(|w| w == "--").unwrap_or(args.len());
        &args[..end]
    }

    /// Whether the key documents are asked for: `--explain-key` before the task or
    /// among its words (before a `--`).
    pub(crate) fn explains_key(&self) -> bool {
        self.explain_key || self.before_dashes().iter().any(|w| w == "--explain-key")
    }

    /// The words after the first task's name, without `--explain-key` before a `--`.
    /// (In a monorepo, `vx run` takes `--filter`, `--affected`, `--exit-code`,
    /// `--dry-run` and `--json` from them too, before a `--`: `vx_ops::run`.)
    pub(crate) fn task_words(&self) -> Vec<OsString> {
        let before = self.before_dashes().len();
        let (own, rest) = self.args().split_at(before);
        own.iter()
            .filter(|w| *w != "--explain-key")
            .chain(rest)
            .cloned()
            .collect()
    }
}

/// `vx tasks` options: what to do, else the task to show (as `vx tasks info TASK`),
/// else the listing.
#[derive(Debug, Args)]
pub(crate) struct TasksArgs {
    /// What to do (none: show TASK, or list the tasks).
    #[command(subcommand)]
    pub command: Option<TasksCommand>,
    /// A task to show, as `vx tasks info TASK` shows it.
    #[arg(value_name = "TASK")]
    pub task: Option<String>,
    /// The listing's options (`--json` also TASK's).
    #[command(flatten)]
    pub list: TasksListArgs,
}

/// What `vx tasks` does.
#[derive(Debug, Subcommand)]
pub(crate) enum TasksCommand {
    /// List the tasks (not hidden ones), as `vx run` alone lists them.
    Ls(TasksListArgs),
    /// Show one task: where it comes from, what it depends on, its commands,
    /// environment and arguments.
    Info(TasksInfoArgs),
}

/// `vx tasks ls` options.
#[derive(Debug, Args)]
pub(crate) struct TasksListArgs {
    /// One JSON array of the tasks, each an object as `vx tasks info --json` prints it.
    #[arg(long, short = 'J')]
    pub json: bool,
    /// The hidden tasks (`hide = true`) too.
    #[arg(long)]
    pub hidden: bool,
    /// The project's file (default: `$VX_MANIFEST`, else the nearest `vx.toml` or
    /// mise file).
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
}

/// `vx tasks info` options.
#[derive(Debug, Args)]
pub(crate) struct TasksInfoArgs {
    /// The task: its name or an alias.
    #[arg(value_name = "TASK")]
    pub task: String,
    /// One JSON object: its name, aliases, description, source, depends, depends_post,
    /// wait_for, env, dir, hide, sources, outputs, run, file, shell, quiet, tools,
    /// service and args.
    #[arg(long, short = 'J')]
    pub json: bool,
    /// The project's file (default: `$VX_MANIFEST`, else the nearest `vx.toml` or
    /// mise file).
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
}

/// What `vx tasks` is asked, its flags before and after a subcommand taken together.
pub(crate) enum TasksAsked<'a> {
    /// The listing.
    List {
        /// As JSON.
        json: bool,
        /// Hidden tasks too.
        hidden: bool,
        /// `--manifest`.
        manifest: Option<&'a std::path::Path>,
    },
    /// One task.
    Info {
        /// Its name.
        task: &'a str,
        /// As JSON.
        json: bool,
        /// `--manifest`.
        manifest: Option<&'a std::path::Path>,
    },
}

impl TasksArgs {
    /// What is asked: `vx tasks info TASK` (or `vx tasks TASK`), else the listing.
    pub(crate) fn asked<'a>(&'a self) -> TasksAsked<'a> {
        let outer = &self.list;
        let manifest = |inner: &'a Option<PathBuf>| -> Option<&'a std::path::Path> {
            inner.as_deref().or(outer.manifest.as_deref())
        };
        match (&self.command, &self.task) {
            (Some(TasksCommand::Info(info)), _) => TasksAsked::Info {
                task: &info.task,
                json: info.json || outer.json,
                manifest: manifest(&info.manifest),
            },
            (None, Some(task)) => TasksAsked::Info {
                task,
                json: outer.json,
                manifest: manifest(&outer.manifest),
            },
            (Some(TasksCommand::Ls(ls)), _) => TasksAsked::List {
                json: ls.json || outer.json,
                hidden: ls.hidden || outer.hidden,
                manifest: manifest(&ls.manifest),
            },
            (None, None) => TasksAsked::List {
                json: outer.json,
                hidden: outer.hidden,
                manifest: manifest(&outer.manifest),
            },
        }
    }
}

/// `vx task-guard` options (started by `vx run`, not by people: its requests come on a
/// socket as its stdin).
#[derive(Debug, Args)]
pub(crate) struct TaskGuardArgs {
    /// The `vx run` process: when it is gone, the guard stops the task.
    #[arg(long)]
    pub parent: u32,
    /// Milliseconds between the polite signal and SIGKILL.
    #[arg(long, default_value_t = 3000)]
    pub grace_ms: u64,
    /// Find what tasks leave outside their process groups by scanning this user's
    /// processes for their marks, as on macOS, rather than as a subreaper (Linux): how
    /// the tests run that path on Linux, and how a lone task in the foreground is
    /// watched (it is `vx run`'s child, not the guard's).
    #[arg(long)]
    pub scan: bool,
}

/// `vx tied` options (started by vx, not by people: `vx_base::tie`).
#[derive(Debug, Args)]
pub(crate) struct TiedArgs {
    /// The vx process the program ends with.
    #[arg(long)]
    pub parent: u32,
    /// The program and its arguments.
    #[arg(last = true, required = true, value_name = "PROGRAM")]
    pub command: Vec<OsString>,
}

/// `vx which` options.
#[derive(Debug, Args)]
pub(crate) struct WhichArgs {
    /// The command.
    #[arg(value_name = "CMD")]
    pub command: OsString,
    /// Which project and store.
    #[command(flatten)]
    pub project: ProjectFlags,
}

/// `vx env` options.
#[derive(Debug, Args)]
pub(crate) struct EnvArgs {
    /// The output form (default: the shell `$SHELL` names, else bash).
    #[arg(long, value_name = "SHELL",
          value_parser = clap::builder::PossibleValuesParser::new(Shell::ALL.map(|(name, _)| name)))]
    pub shell: Option<String>,
    /// Which project and store.
    #[command(flatten)]
    pub project: ProjectFlags,
}

/// `vx trust` options.
#[derive(Debug, Args)]
pub(crate) struct TrustArgs {
    /// The project's vx.toml, or its directory (default: `$VX_MANIFEST`, else the
    /// nearest `vx.toml`).
    #[arg(value_name = "PATH")]
    pub path: Option<PathBuf>,
    /// Stop trusting it.
    #[arg(long)]
    pub revoke: bool,
}

/// `vx activate` options.
#[derive(Debug, Args)]
pub(crate) struct ActivateArgs {
    /// The shell whose rc file reads the hook.
    #[arg(value_name = "SHELL",
          value_parser = clap::builder::PossibleValuesParser::new(vx_hook::render::SHELLS.map(|(name, _)| name)))]
    pub shell: String,
    /// Print the line that puts vx's shims directory first on `PATH` instead of the
    /// hook (for a profile read by IDEs and login shells).
    #[arg(long)]
    pub shims: bool,
}

/// `vx hook-env` options.
#[derive(Debug, Args)]
pub(crate) struct HookEnvArgs {
    /// The shell that evaluates the output.
    #[arg(long, value_name = "SHELL",
          value_parser = clap::builder::PossibleValuesParser::new(vx_hook::render::SHELLS.map(|(name, _)| name)))]
    pub shell: String,
}

/// The hook shell named `name` (one of [`vx_hook::render::SHELLS`], as clap checked).
pub(crate) fn hook_shell(name: &str) -> Shell {
    vx_hook::render::SHELLS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(Shell::Bash, |(_, shell)| *shell)
}

/// `vx list` options.
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// One JSON object per version, one per line.
    #[arg(long)]
    pub json: bool,
    /// Which project (to mark the versions it uses) and store.
    #[command(flatten)]
    pub project: ProjectFlags,
}

/// `vx uninstall` options.
#[derive(Debug, Args)]
pub(crate) struct UninstallArgs {
    /// The tool and version, `TOOL@VERSION`.
    #[arg(value_name = "TOOL@VERSION")]
    pub tool: String,
    /// The store (default: `$XDG_DATA_HOME/vx/store`; on Windows `%LOCALAPPDATA%\vx\store`).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
}

/// `vx prune` options.
#[derive(Debug, Args)]
pub(crate) struct PruneArgs {
    /// Print what would be removed and what is kept (and which project keeps it),
    /// and remove nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Ignore the other projects that use the store (and the global toolset): remove
    /// every version this project does not use.
    #[arg(long)]
    pub all: bool,
    /// Which project (whose versions are kept) and store.
    #[command(flatten)]
    pub project: ProjectFlags,
}

/// `vx sync` options.
#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    /// Lock a new version of a tool even when its locked version was verified and the
    /// new one offers no verification or another signer (the lock records it).
    #[arg(long)]
    pub allow_provenance_loss: bool,
    /// The manifest to install from (default: `$VX_MANIFEST`, else the nearest
    /// `vx.toml` in this directory or a parent, else outside any project the global
    /// toolset's).
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// Install the global toolset (`vx.toml` beside the user config, which `vx use -g`
    /// writes), wherever this runs.
    #[arg(short = 'g', long, conflicts_with = "manifest")]
    pub global: bool,
    /// How the run shows itself.
    #[command(flatten)]
    pub run: RunArgs,
    /// Write the board's final bytes to PATH at the end of the run.
    #[arg(long, value_name = "PATH")]
    pub dump: Option<PathBuf>,
    /// Where and how to install.
    #[command(flatten)]
    pub install: InstallFlags,
    /// Refuse to change vx.lock (exit 2 naming the tools whose entries are stale): for CI.
    #[arg(long, conflicts_with = "frozen")]
    pub locked: bool,
    /// Use vx.lock as it is, without checking it against the manifest.
    #[arg(long)]
    pub frozen: bool,
    /// Run a demo sync against a built-in loopback server, into a temporary store.
    #[arg(long, conflicts_with_all = ["manifest", "global", "store", "locked", "frozen"])]
    pub demo: bool,
    /// Use no network: every download from vx's cache (`vx bundle import`) or a
    /// `file://` mirror, and fail naming what is missing (also `VX_OFFLINE=1`).
    #[arg(long)]
    pub offline: bool,
    /// Try this content-addressed mirror first (repeatable, before those of vx.toml and
    /// the user config): `oci://HOST/REPO`, `https://…/{sha256}` or `file:///DIR`.
    #[arg(long = "mirror", value_name = "URL")]
    pub mirrors: Vec<String>,
}

/// `vx lock` options.
#[derive(Debug, Args)]
pub(crate) struct LockArgs {
    /// Lock a new version of a tool even when its locked version was verified and the
    /// new one offers no verification or another signer (the lock records it).
    #[arg(long)]
    pub allow_provenance_loss: bool,
    /// The manifest to lock (default: `$VX_MANIFEST`, else the nearest `vx.toml`).
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// Lock for this platform (repeatable; default: `[settings] platforms`, else this
    /// machine's), and list it in `[settings] platforms` so the next `vx lock` keeps it.
    #[arg(long = "platform", value_name = "OS-ARCH")]
    pub platforms: Vec<vx_model::manifest::Platform>,
    /// Exit 1, naming the tools, when vx.lock is missing or stale; write nothing.
    #[arg(long)]
    pub check: bool,
    /// Resolve everything and print, per tool and platform, the version, URL and where
    /// the checksum would come from (`--json`: as JSON); download no archive, write
    /// nothing.
    #[arg(long, conflicts_with = "check")]
    pub dry_run: bool,
    /// The store a runtime is installed into when pinning a runtime tool's
    /// environment needs it (`npm:prettier` needs node) (default: `$XDG_DATA_HOME/vx/store`;
    /// on Windows `%LOCALAPPDATA%\vx\store`).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// How the run shows itself.
    #[command(flatten)]
    pub run: RunArgs,
}

/// `vx add` options.
#[derive(Debug, Args)]
pub(crate) struct AddArgs {
    /// The tool: `NAME[@CONSTRAINT]` from the registries (`ripgrep`, `ripgrep@14`,
    /// `cli/cli@latest`), or `NAME@VERSION` with `--url`.
    #[arg(value_name = "NAME[@VERSION]")]
    pub tool: String,
    /// A download of its own instead of the registries'.
    #[command(flatten)]
    pub source: UrlToolArgs,
    /// The manifest to edit (default: `$VX_MANIFEST`, else the nearest `vx.toml`, else
    /// a new `vx.toml` here).
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// How the locking download shows itself.
    #[command(flatten)]
    pub run: RunArgs,
}

/// The `--url` form of `vx add` and `vx use`: a tool with a download of its own.
#[derive(Debug, Args)]
pub(crate) struct UrlToolArgs {
    /// Where to download it (`{version}`, `{os}`, `{arch}` are filled in); without
    /// it the tool is looked up in the registries.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Its SHA-256, when known (else `vx` downloads it once to lock it).
    #[arg(long, value_name = "HEX")]
    pub sha256: Option<String>,
    /// One of its executables, a path inside the install (repeatable).
    #[arg(long = "bin", value_name = "PATH")]
    pub bins: Vec<String>,
}

impl UrlToolArgs {
    /// The flags as the edit takes them.
    pub(crate) fn as_source(&self) -> vx_ops::edit::UrlSource<'_> {
        vx_ops::edit::UrlSource {
            url: self.url.as_deref(),
            sha256: self.sha256.as_deref(),
            bins: &self.bins,
        }
    }
}

/// `vx use` options.
#[derive(Debug, Args)]
pub(crate) struct UseArgs {
    /// The tools: `NAME[@CONSTRAINT]` from the registries, or one `NAME@VERSION` with
    /// `--url`.
    #[arg(value_name = "NAME[@VERSION]", required = true)]
    pub tools: Vec<String>,
    /// Into the global toolset (`vx.toml` beside the user config), used outside any
    /// project and under every project that does not list the tool itself.
    #[arg(short = 'g', long, conflicts_with = "manifest")]
    pub global: bool,
    /// A download of its own instead of the registries' (one tool).
    #[command(flatten)]
    pub source: UrlToolArgs,
    /// The project's manifest (default: `$VX_MANIFEST`, else the nearest `vx.toml`).
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// How the lock and the install show themselves.
    #[command(flatten)]
    pub run: RunArgs,
}

/// `vx import` options.
#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The file to import (default: every known file in this directory: mise.toml,
    /// .mise.toml, .tool-versions, aqua.yaml, aqua.yml, .nvmrc, .node-version,
    /// .python-version, in that order; a tool two of them name comes from the first).
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// FILE's kind when its name does not say it: mise, asdf, aqua, nvm,
    /// node-version, python-version.
    #[arg(long, value_name = "KIND", requires = "file")]
    pub format: Option<String>,
    /// The manifest to edit (default: `$VX_MANIFEST`, else the nearest `vx.toml`, else
    /// a new `vx.toml` here).
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// Use only what is cached; fetch nothing.
    #[arg(long)]
    pub offline: bool,
    /// How the locking shows itself.
    #[command(flatten)]
    pub run: RunArgs,
}

/// `vx init` options.
#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Use only what is cached; fetch nothing.
    #[arg(long)]
    pub offline: bool,
    /// How the locking shows itself.
    #[command(flatten)]
    pub run: LockRunArgs,
}

/// How a lock that only fetches shows itself (`vx init`): a sync's knobs less its
/// views (no dashboard, no JSON events: the lock writes lines).
#[derive(Clone, Debug, Args)]
pub(crate) struct LockRunArgs {
    /// At most this many downloads at once.
    #[arg(short = 'j', long = "jobs", value_name = "N", default_value_t = 8,
          value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: u32,
    /// Print failures and the final line only.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print URLs, exit codes and the board's publish count.
    #[arg(short, long)]
    pub verbose: bool,
}

impl LockRunArgs {
    /// These as a sync's [`RunArgs`]: headless, the rest as the defaults.
    pub(crate) fn run_args(&self) -> RunArgs {
        RunArgs {
            jobs: self.jobs,
            quiet: self.quiet,
            verbose: self.verbose,
            ..RunArgs::headless()
        }
    }
}

/// `vx remove` options.
#[derive(Debug, Args)]
pub(crate) struct RemoveArgs {
    /// The tool's name.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// From the global toolset (`vx.toml` beside the user config) that `vx use -g`
    /// adds to.
    #[arg(short = 'g', long, conflicts_with = "manifest")]
    pub global: bool,
    /// The manifest to edit (default: `$VX_MANIFEST`, else the nearest `vx.toml`).
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
}

/// How a run that downloads shows itself: shared by `vx sync` and `vx lock`.
#[derive(Clone, Debug, Args)]
pub(crate) struct RunArgs {
    /// At most this many downloads at once.
    #[arg(short = 'j', long = "jobs", value_name = "N", default_value_t = 8,
          value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: u32,
    /// Show the full-screen dashboard (on a terminal the default is live progress
    /// under the prompt).
    #[arg(long, conflicts_with = "headless")]
    pub tui: bool,
    /// Print progress lines instead of live progress, even on a terminal.
    #[arg(long)]
    pub headless: bool,
    /// Print one JSON object per event on stdout (implies headless).
    #[arg(long)]
    pub json: bool,
    /// Print failures and the final line only.
    #[arg(short, long, conflicts_with_all = ["verbose", "tui"])]
    pub quiet: bool,
    /// Also print URLs, exit codes and the board's publish count.
    #[arg(short, long)]
    pub verbose: bool,
    /// Print the periodic progress line (or JSON `progress` event) every SECS seconds,
    /// fractions allowed (0.1 to 3600; default: from 3 s, doubling up to 60 s).
    #[arg(long, value_name = "SECS", value_parser = progress_interval, allow_negative_numbers = true)]
    pub progress_interval: Option<Duration>,
    /// Dashboard options.
    #[command(flatten)]
    pub dashboard: DashboardArgs,
}

/// Shortest `--progress-interval`: a sync looks at its board ten times a second, so a
/// shorter interval could not be kept.
const MIN_PROGRESS_INTERVAL: Duration = Duration::from_millis(100);
/// Longest `--progress-interval`: an hour.
const MAX_PROGRESS_INTERVAL: Duration = Duration::from_secs(3600);

/// Parses `--progress-interval`: seconds, fractions allowed (`0.25`), between
/// [`MIN_PROGRESS_INTERVAL`] and [`MAX_PROGRESS_INTERVAL`].
fn progress_interval(text: &str) -> Result<Duration, IntervalError> {
    let secs: f64 = text
        .trim()
        .parse()
        .ok()
        .filter(|secs: &f64| secs.is_finite())
        .ok_or(IntervalError::NotANumber)?;
    if secs <= 0.0 {
        return Err(IntervalError::NotPositive);
    }
    if secs > MAX_PROGRESS_INTERVAL.as_secs_f64() {
        return Err(IntervalError::TooLong);
    }
    let interval = Duration::from_secs_f64(secs);
    if interval < MIN_PROGRESS_INTERVAL {
        return Err(IntervalError::TooShort);
    }
    Ok(interval)
}

/// Why a `--progress-interval` is refused.
#[derive(Debug, thiserror::Error)]
enum IntervalError {
    /// Not a finite number.
    #[error("expected a number of seconds, such as 2 or 0.25")]
    NotANumber,
    /// Zero or less.
    #[error("the interval must be more than 0 seconds")]
    NotPositive,
    /// Past [`MAX_PROGRESS_INTERVAL`].
    #[error("the interval must be at most {} seconds", MAX_PROGRESS_INTERVAL.as_secs_f64())]
    TooLong,
    /// Under [`MIN_PROGRESS_INTERVAL`].
    #[error(
        "the interval must be at least {} seconds (progress is read ten times a second)",
        MIN_PROGRESS_INTERVAL.as_secs_f64()
    )]
    TooShort,
}

/// The visible subcommand `name` is most likely a misspelling of: at most one edit
/// away (a letter added, dropped, changed, or two neighbours swapped: `synk`, `lsit`),
/// two for names of eight letters or more (`unistal`). Stricter than clap's own
/// similarity, which takes a tool's name for a subcommand (`ninja` for `uninstall`).
pub(crate) fn similar_subcommand(name: &str) -> Option<String> {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    cmd.build();
    let len = name.chars().count();
    // Two edits from eight letters on, or from six when the first four letters are the
    // subcommand's (`versoin`: a transposition and a letter left out); one otherwise.
    let allowed = |sub: &str| {
        let shared = name
            .chars()
            .zip(sub.chars())
            .take_while(|(a, b)| a == b)
            .count();
        if len >= 8 || (len >= 6 && shared >= 4) {
            2
        } else {
            1
        }
    };
    cmd.get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .map(|sub| {
            (
                strsim::damerau_levenshtein(name, sub.get_name()),
                sub.get_name(),
            )
        })
        .filter(|(distance, sub)| *distance <= allowed(sub))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, sub)| sub.to_owned())
}

/// Clap's error for the unknown subcommand `name` with its "a similar subcommand
/// exists" tip for `similar` (clap makes it only while external subcommands are
/// refused, and `vx` accepts them to run tools).
pub(crate) fn unknown_subcommand(name: &str, similar: String) -> clap::Error {
    use clap::CommandFactory;
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let mut cmd = Cli::command();
    cmd.build();
    let mut err = clap::Error::new(ErrorKind::InvalidSubcommand).with_cmd(&cmd);
    err.insert(
        ContextKind::InvalidSubcommand,
        ContextValue::String(name.to_owned()),
    );
    err.insert(
        ContextKind::SuggestedSubcommand,
        ContextValue::Strings(vec![similar]),
    );
    err.insert(
        ContextKind::Usage,
        ContextValue::StyledStr(cmd.render_usage()),
    );
    err
}

impl RunArgs {
    /// The flags' defaults with `--headless`: how a sync that only prepares another
    /// command (`vx exec`) shows itself.
    pub(crate) fn headless() -> RunArgs {
        /// Parses [`RunArgs`] alone, so the defaults are written once, in the flags.
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            run: RunArgs,
        }
        Only::parse_from(["vx", "--headless"]).run
    }
}

/// Where and how tools are installed: shared by `vx sync` and `vx install`.
#[derive(Clone, Debug, Args)]
pub(crate) struct InstallFlags {
    /// The store to install into (default: `$XDG_DATA_HOME/vx/store`; on Windows `%LOCALAPPDATA%\vx\store`).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Install tools that have no sha256, unchecked (marked UNVERIFIED).
    #[arg(long)]
    pub allow_unverified: bool,
    /// Fail a download when its server sends nothing for SECS seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=86_400))]
    pub read_timeout: u32,
}

/// Options of the live dashboard (`vx sync --tui`, `vx board watch`).
#[derive(Clone, Copy, Debug, Args)]
pub(crate) struct DashboardArgs {
    /// Dashboard refresh rate, in frames per second.
    #[arg(long, value_name = "N", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=120))]
    pub fps: u32,
    /// Leave the dashboard as soon as the sync finishes (or its owner dies: exit 1),
    /// instead of waiting for `q`.
    #[arg(long)]
    pub exit_on_done: bool,
}

/// `vx install` options.
#[derive(Debug, Args)]
pub(crate) struct InstallArgs {
    /// The tool and version, `TOOL@VERSION`.
    #[arg(value_name = "TOOL@VERSION", required_unless_present = "from_parent")]
    pub tool: Option<String>,
    /// Where to download the tool from (`{version}` is substituted).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The expected SHA-256 of the download.
    #[arg(long, value_name = "HEX")]
    pub sha256: Option<String>,
    /// Leading path components to drop from every archive entry.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub strip_components: u32,
    /// The download's format, when the URL does not say: an archive (tar.gz, tar.xz,
    /// tar.bz2, tar.zst, tar, zip) or raw, a bare executable installed as the tool's
    /// executable (default: sniffed from the download's first bytes).
    #[arg(long, value_name = "FORMAT",
          value_parser = clap::builder::PossibleValuesParser::new(vx_base::format::NAMES))]
    pub format: Option<String>,
    /// One of its executables, a path inside the install (repeatable; default: the
    /// executables of `bin/`, else of the top level).
    #[arg(long = "bin", value_name = "PATH")]
    pub bins: Vec<String>,
    /// Where and how to install.
    #[command(flatten)]
    pub install: InstallFlags,
    /// Child mode: read the config as one frame on stdin and report into the board.
    #[arg(long, hide = true,
          conflicts_with_all = ["tool", "url", "sha256", "store", "allow_unverified",
                                "strip_components", "format", "bins"])]
    pub from_parent: bool,
}

/// `vx ps` options.
#[derive(Debug, Args)]
pub(crate) struct PsArgs {
    /// One JSON object per run or sync, one per line.
    #[arg(long)]
    pub json: bool,
    /// Also the runs whose `vx run` died without removing its board (until `vx board
    /// clean`).
    #[arg(long)]
    pub all: bool,
}

/// `vx logs` options.
#[derive(Debug, Args)]
pub(crate) struct LogsArgs {
    /// The task, by its full name.
    #[arg(value_name = "TASK")]
    pub task: String,
    /// Follow the output until the task ends.
    #[arg(short, long)]
    pub follow: bool,
    /// The run (a board id or unambiguous prefix, as `vx ps` shows it), when several
    /// live runs have the task; also reaches a dead run.
    #[arg(long, value_name = "ID")]
    pub run: Option<String>,
}

/// `vx board` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum BoardCommand {
    /// List this user's live boards.
    Ls {
        /// One JSON object per board, one per line.
        #[arg(long)]
        json: bool,
    },
    /// Print one snapshot of a live board (by id) or of a dump file (by path).
    Dump {
        /// A board id (or unambiguous prefix) or a dump file; default: the only live board.
        #[arg(value_name = "ID|PATH")]
        target: Option<String>,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Attach the live dashboard to a running sync (read-only but for cancel requests),
    /// or to a task run (`vx run`): its tasks' phases and the picked task's output.
    Watch {
        /// A board id (or unambiguous prefix); default: the only live board.
        #[arg(value_name = "ID")]
        id: Option<String>,
        /// Dashboard options.
        #[command(flatten)]
        dashboard: DashboardArgs,
    },
    /// Remove boards whose owner is gone.
    Clean,
}

/// `vx daemon` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum DaemonCommand {
    /// Start the daemon in the background; returns once it answers (a running one is
    /// left as it is).
    Start(DaemonStartArgs),
    /// Stop the daemon; returns once it has exited.
    Stop,
    /// Whether the daemon runs: its pid, uptime, socket and log (exit 1 if not).
    Status {
        /// One JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// `vx daemon start` options.
#[derive(Debug, Args)]
pub(crate) struct DaemonStartArgs {
    /// Run in this process, until stopped (SIGINT, SIGTERM, `vx daemon stop`).
    #[arg(long)]
    pub foreground: bool,
    /// The store whose tools it resolves and watches (default: `$XDG_DATA_HOME/vx/store`).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// The background daemon itself: a new session, stdio on the log.
    #[arg(long, hide = true, requires = "foreground")]
    pub detach: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn version_verbose_is_recognised_in_either_order() {
        let args = |list: &[&str]| list.iter().map(OsString::from).collect::<Vec<_>>();
        assert!(verbose_version(&args(&["--version", "--verbose"])));
        assert!(verbose_version(&args(&["--verbose", "-V"])));
        assert!(!verbose_version(&args(&["--version"])));
        assert!(!verbose_version(&args(&["sync", "--verbose"])));
        assert!(!verbose_version(&args(&["--version", "--verbose", "x"])));
    }

    #[test]
    fn self_update_takes_a_version_and_flags() {
        let cli = Cli::try_parse_from(["vx", "self", "update", "1.2.3", "--check"]).unwrap();
        let Command::SelfCmd {
            command: SelfCommand::Update(args),
        } = cli.command
        else {
            panic!("not self update")
        };
        assert_eq!(args.version.as_deref(), Some("1.2.3"));
        assert!(args.check && !args.force && !args.allow_downgrade);
    }

    #[test]
    fn sync_defaults_and_flags() {
        let cli = Cli::try_parse_from(["vx", "sync"]).unwrap();
        let Command::Sync(args) = cli.command else {
            panic!("not sync")
        };
        assert_eq!(args.run.jobs, 8);
        assert_eq!(args.manifest, None);
        assert!(Cli::try_parse_from(["vx", "sync", "--tui", "--headless"]).is_err());
        assert!(Cli::try_parse_from(["vx", "sync", "-j", "0"]).is_err());
        let cli = Cli::try_parse_from(["vx", "sync", "-j", "3", "--json", "--dump", "d"]).unwrap();
        let Command::Sync(args) = cli.command else {
            panic!("not sync")
        };
        assert_eq!((args.run.jobs, args.run.json), (3, true));
        assert!(Cli::try_parse_from(["vx", "sync", "--locked", "--frozen"]).is_err());
        let cli =
            Cli::try_parse_from(["vx", "lock", "--platform", "macos-aarch64", "--check"]).unwrap();
        let Command::Lock(args) = cli.command else {
            panic!("not lock")
        };
        assert_eq!(args.platforms[0].to_string(), "macos-aarch64");
        assert!(Cli::try_parse_from(["vx", "lock", "--platform", "linux-pdp11"]).is_err());
    }

    #[test]
    fn the_progress_interval_takes_fractional_seconds_within_bounds() {
        let interval = |text: &str| {
            let cli = Cli::try_parse_from(["vx", "sync", "--progress-interval", text])?;
            let Command::Sync(args) = cli.command else {
                panic!("not sync")
            };
            Ok::<_, clap::Error>(args.run.progress_interval)
        };
        assert_eq!(interval("0.25").unwrap(), Some(Duration::from_millis(250)));
        assert_eq!(interval("2").unwrap(), Some(Duration::from_secs(2)));
        assert_eq!(interval("3600").unwrap(), Some(Duration::from_secs(3600)));
        for bad in ["0", "-1", "-0.5", "NaN", "inf", "3600.5", "0.05", "", "1s"] {
            assert!(interval(bad).is_err(), "{bad:?} was taken");
        }
    }

    #[test]
    fn only_a_near_miss_is_taken_for_a_misspelt_subcommand() {
        let similar = |name| similar_subcommand(name);
        assert_eq!(similar("synk").as_deref(), Some("sync"));
        assert_eq!(similar("lsit").as_deref(), Some("list"));
        assert_eq!(similar("exce").as_deref(), Some("exec"));
        assert_eq!(similar("ad").as_deref(), Some("add"));
        assert_eq!(
            similar("unistal").as_deref(),
            None,
            "two edits, seven letters"
        );
        assert_eq!(similar("unistall").as_deref(), Some("uninstall"));
        assert_eq!(
            similar("versoin").as_deref(),
            Some("versions"),
            "two edits, the first four letters"
        );
        // Tools' names that only look alike from afar.
        for tool in [
            "ninja", "greet", "deno", "eslint", "exa", "fd", "sd", "bat", "rg",
        ] {
            assert_eq!(similar(tool), None, "{tool}");
        }
        // Clap's own `help` is a subcommand too.
        assert_eq!(similar("hepl").as_deref(), Some("help"));
    }

    #[test]
    fn install_needs_a_tool_unless_it_is_a_child() {
        assert!(Cli::try_parse_from(["vx", "install"]).is_err());
        assert!(Cli::try_parse_from(["vx", "install", "--from-parent"]).is_ok());
        assert!(Cli::try_parse_from(["vx", "install", "--from-parent", "a@1"]).is_err());
        let args = |words: &[&str]| words.iter().map(OsString::from).collect::<Vec<_>>();
        assert!(is_sync_child(&args(&["install", "--from-parent"])));
        assert!(!is_sync_child(&args(&["install", "--from-parent", "a@1"])));
        assert!(!is_sync_child(&args(&["--from-parent", "install"])));
        assert!(!is_sync_child(&args(&["install"])));
        assert!(Cli::try_parse_from(["vx", "install", "rg@14", "--url", "http://x/a.tgz"]).is_ok());
    }

    #[test]
    fn exec_takes_tools_then_the_command_after_the_dashes() {
        let cli = Cli::try_parse_from(["vx", "exec", "node@20", "--", "node", "-v"]).unwrap();
        let Command::Exec(args) = cli.command else {
            panic!("not exec")
        };
        assert_eq!(args.tools[0].version.as_deref(), Some("20"));
        assert_eq!(args.command, ["node", "-v"]);
        assert!(
            Cli::try_parse_from(["vx", "exec", "node"]).is_err(),
            "no command"
        );
        assert!(Cli::try_parse_from(["vx", "exec", "a b", "--", "x"]).is_err());
        let cli = Cli::try_parse_from(["vx", "rg", "-n", "foo"]).unwrap();
        let Command::External(args) = cli.command else {
            panic!("not external")
        };
        assert_eq!(args, ["rg", "-n", "foo"]);
        assert!(Cli::try_parse_from(["vx", "env", "--shell", "tcsh"]).is_err());
    }

    #[test]
    fn run_passes_everything_after_the_script_to_it() {
        let cli = Cli::try_parse_from(["vx", "run", "--offline", "test", "-k", "--offline"]);
        let Command::Run(args) = cli.unwrap().command else {
            panic!("not run")
        };
        assert!(args.offline);
        assert_eq!(args.script().as_deref(), Some("test"));
        assert_eq!(args.args(), ["-k", "--offline"]);
        // After the task, --help is the task's (`vx run TASK --help`).
        let cli = Cli::try_parse_from(["vx", "run", "test", "--help"]);
        let Command::Run(args) = cli.unwrap().command else {
            panic!("not run")
        };
        assert_eq!(args.args(), ["--help"]);
        let cli = Cli::try_parse_from(["vx", "run"]).unwrap();
        let Command::Run(args) = cli.command else {
            panic!("not run")
        };
        assert_eq!(args.script(), None);
        // `-j1` is `-j 1`, as mise's clap reads it; after the task, the task's word.
        for jobs in ["-j1", "-j=1", "--jobs=1"] {
            let cli = Cli::try_parse_from(["vx", "run", jobs, "c", "-j2"]);
            let Command::Run(args) = cli.unwrap().command else {
                panic!("not run")
            };
            assert_eq!(args.jobs, Some(1), "{jobs}");
            assert_eq!(args.script().as_deref(), Some("c"));
            assert_eq!(args.args(), ["-j2"]);
        }
    }

    /// `--task-env` takes a name a task's `env` may set, by vx.toml's own rule: not
    /// `PATH`, not vx's own `__VX_…` (the hook's state), a name every shell takes.
    #[test]
    fn task_env_takes_what_a_tasks_env_may_set() {
        let given = |word: &str| Cli::try_parse_from(["vx", "run", "--task-env", word, "t"]);
        let Command::Run(args) = given("Z=1 2").unwrap().command else {
            panic!("not run")
        };
        assert_eq!(args.task_env, [("Z".to_owned(), "1 2".to_owned())]);
        for (word, said) in [
            ("PATH=/evil", "cannot be set by a project"),
            ("__VX_STATE=x", "vx's own variable"),
            ("__vx_hook=x", "vx's own variable"),
            ("1X=2", "no variable a task may be given"),
            ("NOEQ", "no NAME=VALUE"),
        ] {
            let err = given(word).expect_err(word).to_string();
            assert!(err.contains(said), "{word}: {err}");
        }
    }

    #[test]
    fn tasks_lists_or_shows_one_its_flags_before_or_after_the_subcommand() {
        let asked = |words: &[&str]| {
            let cli = Cli::try_parse_from([&["vx", "tasks"][..], words].concat()).unwrap();
            let Command::Tasks(args) = cli.command else {
                panic!("not tasks")
            };
            match args.asked() {
                TasksAsked::List {
                    json,
                    hidden,
                    manifest,
                } => {
                    format!("list {json} {hidden} {manifest:?}")
                }
                TasksAsked::Info {
                    task,
                    json,
                    manifest,
                } => {
                    format!("info {task} {json} {manifest:?}")
                }
            }
        };
        assert_eq!(asked(&[]), "list false false None");
        assert_eq!(asked(&["ls", "--hidden"]), "list false true None");
        assert_eq!(asked(&["--json", "ls"]), "list true false None");
        assert_eq!(asked(&["info", "ls"]), "info ls false None");
        assert_eq!(asked(&["a", "--json"]), "info a true None");
        assert_eq!(
            asked(&["--manifest", "m.toml", "info", "a"]),
            "info a false Some(\"m.toml\")"
        );
    }

    #[test]
    fn after_the_dashes_explain_key_is_the_tasks() {
        let run = |words: &[&str]| {
            let cli = Cli::try_parse_from([&["vx", "run"][..], words].concat()).unwrap();
            let Command::Run(args) = cli.command else {
                panic!("not run")
            };
            args
        };
        let args = run(&["t", "--explain-key", "a"]);
        assert!(args.explains_key());
        assert_eq!(args.task_words(), ["a"]);
        // The dashes stay for `vx_ops::run`, which drops them.
        let args = run(&["t", "a", "--", "--explain-key", "--"]);
        assert!(!args.explains_key());
        assert_eq!(args.task_words(), ["a", "--", "--explain-key", "--"]);
    }
}
