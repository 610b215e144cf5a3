//! A task's commands as processes to start: its `run` lines through the platform's
//! shell (or its file), with the toolchain's `PATH`, `[env]`, the task's `env` and
//! arguments, in its `dir`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use std::collections::BTreeMap;

use crate::cache::{Recipe, ToolPin};
use vx_model::project_env::Changes;
use vx_model::task::EnvVar;

use super::args::{self, ArgsError, Values};
use vx_model::task::Task;

/// The variable every task's commands get holding the directory `vx run` started
/// from (a task without `dir` runs there; one with `dir` may still want it).
pub(crate) const CWD_VARIABLE: &str = "VX_CWD";

/// The variable every task's commands get holding the path of the vx that runs them
/// (as make's `MAKE`, cargo's `CARGO`): what a mise `run` step `{ task = … }` becomes.
pub(crate) const EXE_VARIABLE: &str = "VX";

/// The variable every task's commands get holding the project's file (its vx.toml, or
/// the mise file of a project read in place): what a mise `run` step `{ task = … }`
/// and a dependency with arguments run with `"$VX" run --manifest`.
pub(crate) const MANIFEST_VARIABLE: &str = "VX_PROJECT_FILE";

/// What every task of a run shares: `PATH`, `[env]`, the project directory.
pub struct Shell {
    /// `PATH` with the toolchain's bin directories first.
    pub path: OsString,
    /// `[env]` (and env files) expanded.
    pub changes: Changes,
    /// The project directory.
    pub project: PathBuf,
    /// The project's file, absolute ([`MANIFEST_VARIABLE`]).
    pub manifest: PathBuf,
    /// What the tasks that declare `tools` of their own get instead of `path` and
    /// `changes`, by task name.
    pub own: Vec<(String, Own)>,
    /// What the tasks' keys take of the run ([`crate::cache::key`]).
    pub keyed: Keyed,
    /// The script files of the `run` scripts that start with `#!` (`Shell::script`),
    /// removed when the run ends.
    pub scripts: std::sync::Mutex<Vec<tempfile::TempDir>>,
    /// The run is offline (`--offline`): its tasks get `VX_OFFLINE=1`, so a vx they
    /// start (`"$VX" run …`, a dependency with arguments) installs and fetches nothing
    /// either.
    pub offline: bool,
    /// The run's [ledger](crate::runner::ledger), named to every task's commands (a `vx run`
    /// they start runs nothing this run has run); `None` when none could be made.
    pub ledger: Option<crate::runner::ledger::Ledger>,
}

/// A task's own `PATH` and environment: its `tools` first.
pub struct Own {
    /// `PATH` with its own tools' bin directories first, then the toolchain's.
    pub path: OsString,
    /// `[env]` with its own tools' variables (a `JAVA_HOME`) first.
    pub changes: Changes,
    /// The tools on its `PATH` as its key names them.
    pub tools: BTreeMap<String, ToolPin>,
}

/// What every task's key takes of the run: the project's `[env]` as declared (never
/// its env files' entries themselves: secrets live there; a template that reads one is
/// keyed by the hash of its value, [`Shell::recipe`]), the tools on `PATH` as the lock
/// pins them, the platform and the team's salt.
#[derive(Clone, Debug, Default)]
pub struct Keyed {
    /// vx.toml's `[env]`, unexpanded.
    pub env: Vec<EnvVar>,
    /// The project's tools by name.
    pub tools: BTreeMap<String, ToolPin>,
    /// The platform (`linux-x86_64`).
    pub platform: String,
    /// `[settings] task_cache_salt`.
    pub salt: Option<String>,
}

impl Shell {
    /// The commands that run `task` with argument `values`, in order.
    pub fn commands(&self, task: &Task, values: &Values) -> Result<Vec<Command>, ArgsError> {
        let cwd = std::env::current_dir().ok();
        let exe = std::env::current_exe().ok();
        let (path, changes) = self.environment(task);
        let first;
        let path = match task.path_first.is_empty() {
            true => path,
            false => {
                let dirs = task.path_first.iter().map(|dir| self.project.join(dir));
                let search = std::env::split_paths(path);
                first = std::env::join_paths(dirs.chain(search)).unwrap_or_else(|_| path.clone());
                &first
            }
        };
        // Looked for when the task starts ([`missing_dir`]), not here: a dependency may
        // make it (`dir = "build"` that a configure step creates), as under mise.
        let dir = task.dir.as_ref().map(|dir| self.project.join(dir));
        let mut commands: Vec<Command> = match &task.file {
            Some(file) => {
                let mut command = self.file(&self.project.join(file), path);
                command.args(&values.raw);
                vec![command]
            }
            None => lines(task, values)
                .into_iter()
                .map(|Line { text, argv }| {
                    match (text.starts_with("#!"), task.shell.split_first()) {
                        (true, _) => self.script(task, &text, path).map(|mut command| {
                            command.args(argv);
                            command
                        }),
                        // Its own shell: the program (looked for on the task's PATH)
                        // and its words, the command last, as mise starts it.
                        (false, Some((program, words))) => {
                            let mut command = Command::new(program);
                            command.args(words).arg(&text);
                            Ok(command)
                        }
                        (false, None) => Ok(vx_base::platform::process::shell(&text)),
                    }
                })
                .collect::<Result<_, _>>()?,
        };
        let here = cwd.as_ref().map(|cwd| cwd.to_string_lossy().into_owned());
        let own = self.own_env(task, changes, here.as_deref());
        let inherited = inherited_arguments(std::env::vars_os().map(|(name, _)| name));
        for command in &mut commands {
            for name in &inherited {
                command.env_remove(name);
            }
            changes.apply_to(command);
            own.apply_to(command);
            for (name, value, _) in args::env(values) {
                command.env(name, value);
            }
            command.env("PATH", path);
            command.env("VX_TASK_NAME", &task.name);
            // What signs and pushes results is the run's, never its tasks': a task
            // (a pull request's build step) never sees where the signing key is.
            command.env_remove(super::cache::SIGNING_KEY_ENV);
            command.env_remove(super::cache::PUSH_ENV);
            if self.offline {
                command.env("VX_OFFLINE", "1");
            }
            // Where `vx run` started (mise's `{{cwd}}`), whatever the task's `dir`.
            if let Some(cwd) = &cwd {
                command.env(CWD_VARIABLE, cwd);
            }
            command.env(MANIFEST_VARIABLE, &self.manifest);
            // The run's ledger, and this task among the callers of a `vx run` it starts.
            if let Some(ledger) = &self.ledger {
                command.env(crate::runner::ledger::LEDGER_VARIABLE, ledger.dir());
                command.env(
                    crate::runner::ledger::CALLERS_VARIABLE,
                    ledger.callers_for(&self.identity(task, values)),
                );
            }
            // The vx running it, for a task that runs tasks (`"$VX" run NAME`).
            if let Some(exe) = &exe {
                command.env(EXE_VARIABLE, exe);
            }
            if let Some(dir) = &dir {
                command.current_dir(dir);
            }
        }
        Ok(commands)
    }

    /// The `PATH` and the project's environment changes `task` runs with: its own
    /// when its tools differ from the project's, else the shell's.
    fn environment(&self, task: &Task) -> (&OsString, &Changes) {
        let own = self.own.iter().find(|(name, _)| *name == task.name);
        own.map_or((&self.path, &self.changes), |(_, own)| {
            (&own.path, &own.changes)
        })
    }

    /// Where `vx run` started, as the key records it: a path from the project
    /// (`/`-separated, `.` for the project itself), else the SHA-256 of the whole path,
    /// so no path of this machine is written.
    fn started_in(&self) -> String {
        let Ok(cwd) = std::env::current_dir() else {
            return "unknown".to_owned();
        };
        let project = self
            .project
            .canonicalize()
            .unwrap_or_else(|_| self.project.clone());
        let cwd = cwd.canonicalize().unwrap_or(cwd);
        match cwd.strip_prefix(&project) {
            Ok(rel) if rel.as_os_str().is_empty() => ".".to_owned(),
            Ok(rel) => crate::cache::key::slashed(rel),
            Err(_) => {
                use sha2::Digest;
                let hash = sha2::Sha256::digest(cwd.to_string_lossy().as_bytes());
                format!("outside the project (sha256:{})", hex::encode(hash))
            }
        }
    }

    /// `task`'s own `env` expanded as the project's is ([`Changes::of`]): a `${VAR}`
    /// in it is what the project gives `VAR` (`changes`: env files, `[env]`, its
    /// tools'), else vx's environment's, as mise's task `env` sees `{{env.VAR}}` of the
    /// project's. `${VX_CWD}` is `here`, where the run started (the task's commands
    /// get it only as they start, so the project's changes never hold it): the path
    /// itself to run the task, the path from the project to key it.
    fn own_env(&self, task: &Task, changes: &Changes, here: Option<&str>) -> Changes {
        Changes::of(&task.env, &self.project, &|name| match name {
            CWD_VARIABLE => here.map(str::to_owned),
            _ => seen(&[changes], name),
        })
    }

    /// `task`'s identity in the run's ledger, given `values` ([`crate::runner::ledger::identity`]).
    pub(crate) fn identity(&self, task: &Task, values: &Values) -> String {
        crate::runner::ledger::identity(&self.manifest, &task.name, &values.raw, &task.env)
    }

    /// `task`'s entry in the run's ledger, given `values`: none for a service (it runs
    /// until its run ends) or without a ledger.
    pub fn once(&self, task: &Task, values: &Values) -> Option<crate::runner::ledger::Entry> {
        let ledger = self.ledger.as_ref().filter(|_| !task.service)?;
        Some(ledger.entry(&task.name, &self.identity(task, values)))
    }

    /// The command that starts the file `file` on a task's `path`: the file itself, as
    /// its `#!` line says, unless that line goes through mise and no mise is on
    /// `path`: then the interpreter after `--` runs it ([`through_mise`]).
    fn file(&self, file: &Path, path: &OsString) -> Command {
        let mise = vx_project::toolchain::search::find(std::ffi::OsStr::new("mise"), path);
        match through_mise(file).filter(|_| mise.is_none()) {
            Some(interpreter) => {
                let mut command = Command::new(&interpreter[0]);
                command.args(&interpreter[1..]).arg(file);
                command
            }
            None => Command::new(file),
        }
    }

    /// A `run` script that starts with `#!` as mise runs it: written to a file of its
    /// own (kept until the run ends) and started as its `#!` line says ([`Shell::file`]).
    fn script(&self, task: &Task, text: &str, path: &OsString) -> Result<Command, ArgsError> {
        let failed = |source: std::io::Error| ArgsError::Script {
            task: task.name.clone(),
            source,
        };
        let dir = tempfile::Builder::new().tempdir().map_err(failed)?;
        let file = dir.path().join("script");
        std::fs::write(&file, text)
            .and_then(|()| vx_base::platform::fs::mark_executable(&file))
            .map_err(failed)?;
        let command = self.file(&file, path);
        if let Ok(mut scripts) = self.scripts.lock() {
            scripts.push(dir);
        } else {
            // Kept: the command needs its file.
            let _ = dir.keep();
        }
        Ok(command)
    }

    /// Whether the commands made so far run script files this shell owns (removed
    /// when it drops).
    pub fn has_scripts(&self) -> bool {
        self.scripts
            .lock()
            .map_or(true, |scripts| !scripts.is_empty())
    }

    /// What `task`'s key is made of with argument `values` (before its sources are
    /// read): its commands after templating, the environment it sees of the project's
    /// (`[env]`, its `env`, its named arguments), the tools on its `PATH`, the
    /// platform and the salt.
    pub fn recipe(&self, task: &Task, values: &Values) -> Recipe {
        // Each variable by the value the task sees ([`Shell::commands`]): its own `env`
        // over the project's (env files, `[env]`, its tools'), over vx's environment.
        let (_, changes) = self.environment(task);
        let here = self.started_in();
        let own = self.own_env(task, changes, Some(&here));
        let mut env = BTreeMap::new();
        for var in self.keyed.env.iter().chain(&task.env) {
            let value = seen(&[&own, changes], &var.name);
            env.insert(
                var.name.clone(),
                Recipe::env_value(var.value.as_deref(), var.literal, value.as_deref()),
            );
        }
        // An argument's value taken from the environment: its variable and the value's
        // hash, as `[env]`'s templates are keyed; the commands hold the variable too.
        for (name, value, var) in args::env(values) {
            let template = var.map(|var| format!("${{{var}}}"));
            let keyed = match &template {
                Some(template) => Recipe::env_value(Some(template), false, Some(&value)),
                None => Some(value),
            };
            env.insert(name, keyed);
        }
        let keyed = values.keyed();
        let commands = match &task.file {
            Some(file) => {
                let mut words = vec![file.clone()];
                words.extend(values.raw.iter().cloned());
                vec![words.join(" ")]
            }
            None => lines(task, &keyed).into_iter().map(Line::keyed).collect(),
        };
        // A task that runs where `vx run` started (no `dir`), or reads that place
        // (mise's `{{cwd}}`), makes another result elsewhere: that place, as a path
        // from the project, is in its key.
        if task.dir.is_none() || commands.iter().any(|c| c.contains(CWD_VARIABLE)) {
            env.insert(CWD_VARIABLE.to_owned(), Some(here));
        }
        let sources = task.inputs();
        let tools = match self.own.iter().find(|(name, _)| *name == task.name) {
            Some((_, own)) => own.tools.clone(),
            None => self.keyed.tools.clone(),
        };
        Recipe {
            task: task.name.clone(),
            project: self.project.clone(),
            platform: self.keyed.platform.clone(),
            salt: self.keyed.salt.clone(),
            commands,
            shell: task.shell.clone(),
            dir: task.dir.clone(),
            env,
            tools,
            sources,
            tracked_sources: task.tracked_sources.clone(),
            outputs: task.outputs.clone(),
            locked: task.locked.clone(),
            hashed_env: Recipe::hashed_env(&task.hashed_env, std::env::vars()),
        }
    }
}

/// Of the names of the variables vx runs with, those that carry another task's
/// arguments: mise's `usage_*` and vx's `VX_ARG_*`, which a task whose `run` step
/// (`"$VX" run a`, a mise `{ task = "a" }`) started this run set for its own commands.
/// Each command goes without them (what `[env]`, the task's `env` and its own
/// arguments set is set again after), as mise removes inherited `usage_*` from a
/// task's environment: a task sees its own arguments, never its caller's words.
fn inherited_arguments(names: impl Iterator<Item = OsString>) -> Vec<OsString> {
    let carries = |name: &str| name.starts_with("usage_") || name.starts_with("VX_ARG_");
    names
        .filter(|name| name.to_str().is_some_and(carries))
        .collect()
}

/// One of a task's `run` commands with the task's arguments in it ([`lines`]).
struct Line {
    /// Its text: the declared arguments' values and `{args}` put in, and for a command
    /// of the shell the words passed on appended.
    text: String,
    /// The words passed on to a script that starts with `#!`: its own arguments
    /// (`$1`…, `sys.argv[1:]`), as mise starts it, never pasted into its text.
    argv: Vec<String>,
}

impl Line {
    /// The command as the task's key records it: a script's arguments after its text.
    fn keyed(self) -> String {
        match self.argv.is_empty() {
            true => self.text,
            false => {
                let words = self.argv.iter().map(|w| quote(w)).collect::<Vec<_>>();
                format!("{} {}", self.text, words.join(" "))
            }
        }
    }
}

/// `task`'s `run` commands with argument `values` put in ([`args::fill`]). The words
/// a task passes on ([`args::passed_on`]) go to its last command that is no step
/// running tasks ([`runs_tasks`]), as mise gives them to its last script only:
/// appended to a command of the shell, quoted (after its trailing blank lines, so a
/// script's last line gets them, as mise trims its scripts), or given to a `#!`
/// script as its arguments.
fn lines(task: &Task, values: &Values) -> Vec<Line> {
    let passed = args::passed_on(task, values) && !values.raw.is_empty();
    let receiver = passed
        .then(|| task.run.iter().rposition(|run| !runs_tasks(run)))
        .flatten();
    task.run
        .iter()
        .enumerate()
        .map(|(i, run)| {
            let text = args::fill(run, task, values, &quote);
            match (receiver == Some(i), text.starts_with("#!")) {
                (false, _) => Line {
                    text,
                    argv: Vec::new(),
                },
                (true, true) => Line {
                    text,
                    argv: values.raw.clone(),
                },
                (true, false) => Line {
                    text: format!("{} {}", text.trim_end(), args::joined(values, &quote)),
                    argv: Vec::new(),
                },
            }
        })
        .collect()
}

/// Whether the `run` command `run` is a step that runs tasks, `"$VX" run …` after any
/// variables it sets (`Z=1 "$VX" run a`: what a mise `run` step `{ task = … }` and a
/// mise dependency with arguments or variables become): not one of the task's own
/// commands, so never the one its words go to, as mise gives them to its scripts only.
fn runs_tasks(run: &str) -> bool {
    let exe = EXE_VARIABLE;
    let spellings = [format!("${{{exe}}}"), format!("${exe}")];
    // Read as the shell splits words, quotes removed: the first word that sets no
    // variable is the program.
    let Some(words) = shlex::split(run.lines().next().unwrap_or_default()) else {
        return false;
    };
    let mut words = words.iter().skip_while(|word| sets_a_variable(word));
    words
        .next()
        .is_some_and(|program| spellings.contains(program))
        && words.next().is_some_and(|word| word == "run")
}

/// Whether the shell word `word` is a variable's assignment (`NAME=value`).
fn sets_a_variable(word: &str) -> bool {
    word.split_once('=')
        .is_some_and(|(name, _)| vx_base::validate::var_name(name))
}

/// The interpreter of a file task whose `#!` line starts it through mise
/// (`#!/usr/bin/env -S mise -E dev exec -- bash`): the words after `--`, which vx runs
/// the file with itself, the task's toolchain already on its PATH (mise is no tool
/// of the project's and need not be installed). `None` for any other file, which
/// starts as its own `#!` line says.
fn through_mise(file: &Path) -> Option<Vec<String>> {
    use std::io::{BufRead, Read};
    let mut line = String::new();
    std::io::BufReader::new(std::fs::File::open(file).ok()?.take(512))
        .read_line(&mut line)
        .ok()?;
    let words: Vec<&str> = line.strip_prefix("#!")?.split_whitespace().collect();
    let mise = words
        .iter()
        .position(|w| *w == "mise" || w.ends_with("/mise"))?;
    // `env -S mise …` or `/path/to/mise …`: mise is the program, not an argument.
    let program = words[..mise]
        .iter()
        .all(|w| w.ends_with("/env") || *w == "env" || w.starts_with('-'));
    let dashes = words[mise..].iter().position(|w| *w == "--")? + mise;
    let interpreter: Vec<String> = words[dashes + 1..]
        .iter()
        .map(|w| (*w).to_owned())
        .collect();
    (program && words[mise..dashes].contains(&"exec") && !interpreter.is_empty())
        .then_some(interpreter)
}

/// One argument as one word of the platform's shell: a plain word (letters, digits,
/// `_@%+:,./-`) as it is, as mise renders `{{arg()}}`, so a value inside the
/// script's own double quotes reads as typed; any other in single quotes. (`=` is
/// not plain: `A=b` first on a line would be an assignment.)
#[cfg(not(windows))]
pub(crate) fn quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_@%+:,./-".contains(&b));
    match plain {
        true => arg.to_owned(),
        false => vx_project::toolchain::shell::sh_quote(arg),
    }
}

/// One argument as one word of `cmd`: in double quotes, a `"` doubled. (`cmd`
/// expands `%VAR%` even inside quotes: that cannot be prevented there.)
#[cfg(windows)]
pub(crate) fn quote(arg: &str) -> String {
    format!("\"{}\"", arg.replace('"', "\"\""))
}

/// The working directory `command` is set to (its task's `dir`) when that is not a
/// directory: the task fails before it starts, said as its failure (exit 1, as mise
/// fails it) rather than as the machine's "No such file or directory". Asked when the
/// task is about to start, so that what a dependency made counts.
pub fn missing_dir(command: &Command) -> Option<&Path> {
    command.get_current_dir().filter(|dir| !dir.is_dir())
}

/// The value a task sees of `name` under `layers` (the first that sets or removes it
/// wins), else vx's own environment's.
fn seen(layers: &[&Changes], name: &str) -> Option<String> {
    match layers.iter().find_map(|changes| changes.value(name)) {
        Some(value) => value.map(str::to_owned),
        None => std::env::var(name).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::CWD_VARIABLE;

    #[test]
    fn another_tasks_argument_variables_are_the_ones_left_out() {
        let names = [
            "usage_x",
            "VX_ARG_X",
            "PATH",
            "USAGE",
            "VX_CWD",
            "my_usage_x",
        ];
        let inherited = super::inherited_arguments(names.iter().map(Into::into));
        assert_eq!(inherited, ["usage_x", "VX_ARG_X"]);
    }

    #[test]
    fn a_file_started_through_mise_exec_runs_with_the_interpreter_after_the_dashes() {
        let dir = tempfile::tempdir().unwrap();
        let first = |line: &str| {
            let file = dir.path().join("task");
            std::fs::write(&file, format!("{line}\necho hi\n")).unwrap();
            super::through_mise(&file)
        };
        let bash = Some(vec!["bash".to_owned()]);
        assert_eq!(first("#!/usr/bin/env -S mise -E dev exec -- bash"), bash);
        assert_eq!(
            first("#!/usr/local/bin/mise exec node@20 -- bash -e"),
            Some(vec!["bash".to_owned(), "-e".to_owned()])
        );
        assert_eq!(first("#!/usr/bin/env bash"), None);
        assert_eq!(first("#!/usr/bin/env -S mise x"), None);
        assert_eq!(first("#!/bin/sh mise exec -- bash"), None);
        assert_eq!(first("echo mise exec -- bash"), None);
    }

    /// A mise `run` step (`{ tasks = ["b", "c"] }`) is a command that runs tasks, at its
    /// place in the list; a dependency with words (`"d --x"`) is no command of the
    /// task at all, but a dependency of its own (a node of the run's graph).
    #[test]
    fn mise_task_steps_import_as_the_vx_tasks_get() {
        let imported = vx_model::import::mise::parse(
            "[tasks.a]\ndepends = [\"d --x\"]\nrun = [\"echo own\", { tasks = [\"b\", \"c\"] }]\n",
        )
        .unwrap();
        let script = imported.scripts[0].script.as_ref().unwrap();
        assert!(
            script.run[1].starts_with(&format!("\"${{{}}}\" run ", super::EXE_VARIABLE)),
            "{:?}",
            script.run
        );
        let steps: Vec<bool> = script.run.iter().map(|r| super::runs_tasks(r)).collect();
        assert_eq!(steps, [false, true], "{:?}", script.run);
        assert_eq!(script.calls.len(), 1);
        assert_eq!(
            (&script.calls[0].task[..], &script.calls[0].args[..]),
            ("d", &["--x".to_owned()][..])
        );
    }

    #[test]
    fn the_words_go_to_the_last_command_that_runs_no_tasks() {
        use vx_model::task::Task;
        let mut task = Task::named("t");
        let mut values = crate::args::Values::default();
        values.raw = vec!["a b".to_owned(), "c".to_owned()];
        let texts = |task: &Task| -> Vec<(String, Vec<String>)> {
            super::lines(task, &values)
                .into_iter()
                .map(|l| (l.text, l.argv))
                .collect()
        };
        let own = |text: &str| (text.to_owned(), Vec::new());
        task.run = vec!["echo 1".into(), "echo 2\n\n".into(), "\"$VX\" run x".into()];
        let appended = format!("echo 2 {} {}", super::quote("a b"), super::quote("c"));
        assert_eq!(
            texts(&task),
            [own("echo 1"), own(&appended), own("\"$VX\" run x")]
        );
        task.run = vec!["echo 1".into(), "#!/bin/sh\necho \"$@\"\n".into()];
        assert_eq!(
            texts(&task)[1],
            ("#!/bin/sh\necho \"$@\"\n".to_owned(), values.raw.clone())
        );
        // Only steps: no command of its own gets them.
        task.run = vec!["$VX run x".into(), "${VX} run".into()];
        assert_eq!(texts(&task), [own("$VX run x"), own("${VX} run")]);
        // `$VXX run`, `"$VX" running`: commands of its own.
        for command in ["$VXX run", "\"$VX\" running", "echo Z=1 \"$VX\" run"] {
            assert!(!super::runs_tasks(command), "{command}");
        }
        // A step that sets variables first (a mise dependency's `env`) is a step.
        assert!(super::runs_tasks("Z='1 2' _A=x \"${VX}\" run a || exit 1"));
    }

    #[test]
    fn mise_cwd_template_imports_as_the_variable_tasks_get() {
        let imported = vx_model::import::mise::parse("[tasks.a]\nrun = \"ls {{cwd}}\"\n").unwrap();
        let script = imported.scripts[0].script.as_ref().unwrap();
        assert_eq!(script.run, [format!("ls ${{{CWD_VARIABLE}}}")]);
    }
}
