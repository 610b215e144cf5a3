//! The project environment applied: `[env]` expanded against the inherited
//! environment and `[settings] path` made absolute, for `vx exec`, `vx CMD`, `vx env`,
//! `vx run`, the shell hook and the daemon (docs/guide/environment.md, "The project environment").
//!
//! One piece of code computes what a project sets, so every way in sees the same
//! values: [`Declared`] is what a manifest asks for (kept unexpanded by the activation
//! record and the daemon), [`Changes::of`] gives the variables to set or remove, in the
//! manifest's order, and [`path_dirs`] the directories that follow the tools' bin
//! directories ([`Declared::search_path`] puts them together). [`venv`]: the
//! project's virtual environment; [`requires_python`]: pyproject.toml's python range.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::manifest::Manifest;
use crate::manifest::environment::{self, ProjectEnvironment, Resolved};
use crate::task::EnvVar;

pub mod env_file;
pub mod requires_python;
pub mod venv;

pub use env_file::EnvFileError;

/// The files the toolchain of `manifest` depends on beside it and its lock, absolute:
/// its tools' version files (`version_file = ".nvmrc"`), and every file a mise project
/// read in place was read from ([`crate::manifest::in_place`]).
pub fn version_files(manifest: &Manifest) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = manifest
        .tools
        .iter()
        .filter_map(|t| t.version_file.as_ref())
        .map(|f| std::path::absolute(f).unwrap_or_else(|_| f.clone()))
        .collect();
    if let Some(in_place) = &manifest.in_place {
        files.extend(in_place.files.iter().cloned());
    }
    files
}

/// What a project adds to the environment, as its manifest declares it: `[env]`
/// unexpanded (a template's `${VAR}` is the environment of whoever applies it) and
/// `[settings] path` made absolute. Small and serializable: the activation record and
/// the daemon's `toolchain` answer carry it, so applying it needs no manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declared {
    /// The project directory (`{project}`): the manifest's directory, absolute.
    pub project: PathBuf,
    /// The variables of `[settings] env_file`'s files, then `[env]`, each in order (a
    /// later entry of a name wins, so `[env]` wins over the files).
    #[serde(default)]
    pub vars: Vec<EnvVar>,
    /// `[settings] path`, absolute, in order.
    #[serde(default)]
    pub path: Vec<PathBuf>,
    /// The files tools keep their versions in (`version_file = ".nvmrc"`): what the
    /// toolchain depends on beside vx.toml and vx.lock.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub version_files: Vec<PathBuf>,
    /// What the toolchain's runtimes set (`JAVA_HOME` = the JDK's home in the store),
    /// absolute, literal (never expanded): applied before `[env]`, whose entries win.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<(String, PathBuf)>,
    /// `[settings] python_venv`, absolute: `VIRTUAL_ENV` names it and its `bin`
    /// (`Scripts` on Windows) goes first on `PATH`, before the tools' directories, as
    /// its `activate` script does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venv: Option<PathBuf>,
    /// The env files read into `vars` and what they held, for [`Declared::files_unchanged`];
    /// never serialized (a digest of a secrets file has no business on a socket).
    #[serde(skip)]
    pub env_files: Vec<env_file::Read>,
}

impl Declared {
    /// What `manifest` declares, its env files read (the only part that can fail: a
    /// file missing, unreadable or not dotenv).
    pub fn of(manifest: &Manifest) -> Result<Declared, EnvFileError> {
        let project = project_dir(&manifest.path);
        let (mut vars, env_files) = env_file::load(&manifest.environment.env_files, &project)?;
        vars.extend(manifest.environment.vars.iter().cloned());
        Ok(Declared {
            vars,
            path: path_dirs(&manifest.environment, &project),
            version_files: version_files(manifest),
            venv: manifest
                .environment
                .python_venv
                .as_ref()
                .map(|dir| project.join(dir)),
            project,
            tools: Vec::new(),
            env_files,
        })
    }

    /// What of `manifest` the shell hook and the shims apply to a project the user has
    /// not trusted (`vx trust`): nothing of its own (`[env]`, env files, `[settings]
    /// path` and the virtual environment are neither read nor applied), only what its
    /// tools set,
    /// added by [`Declared::with_tools`].
    pub(crate) fn untrusted(manifest: &Manifest) -> Declared {
        Declared {
            project: project_dir(&manifest.path),
            version_files: version_files(manifest),
            ..Declared::default()
        }
    }

    /// The same without the project's own environment: what [`Declared::untrusted`]
    /// keeps (its tools' variables).
    pub fn tools_only(&self) -> Declared {
        Declared {
            project: self.project.clone(),
            version_files: self.version_files.clone(),
            tools: self.tools.clone(),
            ..Declared::default()
        }
    }

    /// Whether `manifest` declares an environment of its own to apply: `[env]`, env
    /// files or `[settings] path` (what [`Declared::untrusted`] leaves out).
    pub fn declares_own(manifest: &Manifest) -> bool {
        let env = &manifest.environment;
        !(env.vars.is_empty()
            && env.path.is_empty()
            && env.env_files.is_empty()
            && env.python_venv.is_none())
    }

    /// What `manifest` declares when the project is trusted ([`Declared::of`]), else
    /// only what [`Declared::untrusted`] keeps.
    pub fn of_trusted(manifest: &Manifest, trusted: bool) -> Result<Declared, EnvFileError> {
        if trusted {
            Declared::of(manifest)
        } else {
            Ok(Declared::untrusted(manifest))
        }
    }

    /// The env files `manifest` names, absolute: what the shell hook watches beside
    /// vx.toml (stamped before [`Declared::of`] reads them).
    pub fn env_file_paths(manifest: &Manifest) -> Vec<PathBuf> {
        env_file::paths(
            &manifest.environment.env_files,
            &project_dir(&manifest.path),
        )
    }

    /// Whether every env file still holds what was read into `vars`.
    pub fn files_unchanged(&self) -> bool {
        self.env_files.iter().all(env_file::Read::unchanged)
    }

    /// The same, with `tools` (the toolchain's variables, `vx_project::toolchain::Toolchain::env`)
    /// in place of any it held.
    pub fn with_tools(mut self, tools: Vec<(String, PathBuf)>) -> Declared {
        self.tools = tools;
        self
    }

    /// Whether it changes nothing but what the tools put on `PATH`.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.vars.is_empty() && self.path.is_empty() && self.tools.is_empty() && self.venv.is_none()
    }

    /// The variables: the tools' first, then `[env]` expanded against them and this
    /// process's environment (so a project's own value of a name wins), as the shell
    /// hook applies [`Declared::all_vars`].
    pub fn changes(&self) -> Changes {
        Changes::from_process(&self.all_vars(), &self.project)
    }

    /// The variables set to a path, literal: the tools', then `VIRTUAL_ENV`.
    fn literal(&self) -> impl Iterator<Item = (&str, &Path)> {
        let tools = self.tools.iter().map(|(n, p)| (n.as_str(), p.as_path()));
        tools.chain(self.venv.iter().map(|v| (venv::VAR, v.as_path())))
    }

    /// The variables as entries of `[env]`, the tools' first: for the shell hook,
    /// which applies entries itself.
    pub fn all_vars(&self) -> Vec<EnvVar> {
        let tools = self.literal().map(|(name, path)| EnvVar {
            name: name.to_owned(),
            value: Some(path.to_string_lossy().into_owned()),
            line: 0,
            literal: true,
        });
        tools.chain(self.vars.iter().cloned()).collect()
    }

    /// `PATH`: `bin_dirs` (the tools'), then `[settings] path`, then `inherited`
    /// without them (so applying it twice changes nothing).
    pub fn search_path(&self, bin_dirs: &[PathBuf], inherited: Option<&OsStr>) -> OsString {
        joined_path(&self.front(bin_dirs), inherited)
    }

    /// Whether the project names a virtual environment that is to be made: not there
    /// yet, or made with a python that is gone or is not the first python of
    /// `bin_dirs` (the toolchain's, [`venv::stale`]). A command that makes it resolves
    /// in full rather than from the activation record.
    pub fn venv_to_make(&self, bin_dirs: &[PathBuf]) -> bool {
        self.venv.as_deref().is_some_and(|v| {
            !venv::exists(v)
                || venv::find_python(bin_dirs)
                    .is_some_and(|python| venv::stale(v, &python).is_some())
        })
    }

    /// `program` in the virtual environment's executables, when the project has one
    /// and it holds `program`: it wins over the tools' own (`python`, `pip`), as it is
    /// first on `PATH`.
    pub fn in_venv(&self, program: &OsStr) -> Option<PathBuf> {
        let venv = self.venv.as_deref()?;
        vx_base::platform::search::find(program, venv::bin_dir(venv).as_os_str())
    }

    /// The directories that go first on `PATH`: the virtual environment's, then
    /// `bin_dirs`, then `[settings] path`.
    pub fn front(&self, bin_dirs: &[PathBuf]) -> Vec<PathBuf> {
        let venv = self.venv.as_deref().map(venv::bin_dir);
        venv.iter()
            .chain(bin_dirs)
            .chain(&self.path)
            .cloned()
            .collect()
    }
}

/// The project directory of the manifest at `manifest`: its directory, absolute.
pub fn project_dir(manifest: &Path) -> PathBuf {
    let absolute = std::path::absolute(manifest).unwrap_or_else(|_| manifest.to_owned());
    absolute
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// What a project does to the environment: variables set (`Some`) or removed (`None`),
/// in the order the manifest gives them (a later entry of the same name wins).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// `(name, value)`: `None` removes the variable.
    pub vars: Vec<(String, Option<String>)>,
}

impl Changes {
    /// The expanded `vars` of a project whose directory is `project`, in order: a
    /// template's `${VAR}` is the value an entry before it gave `VAR` (removed: unset),
    /// else the inherited environment's, `lookup` (the environment vx was started
    /// with). So `KUBECONFIG = "${LAYOUT}/kube"` after `LAYOUT = "{project}/.direnv"`
    /// sees it, as mise's `{{env.LAYOUT}}` sees the entries above it, and
    /// `PATH`-like `X = "${X}:more"` appends to the inherited `X`.
    pub fn of(vars: &[EnvVar], project: &Path, lookup: &dyn Fn(&str) -> Option<String>) -> Changes {
        let mut set: HashMap<&str, Option<String>> = HashMap::new();
        let mut out = Vec::with_capacity(vars.len());
        for var in vars {
            let value = match &var.value {
                Some(text) if var.literal => Some(text.clone()),
                Some(template) => {
                    let seen = |name: &str| set.get(name).cloned().unwrap_or_else(|| lookup(name));
                    Some(expand(template, project, &seen))
                }
                None => None,
            };
            set.insert(&var.name, value.clone());
            out.push((var.name.clone(), value));
        }
        Changes { vars: out }
    }

    /// [`Changes::of`] against this process's environment.
    pub(crate) fn from_process(vars: &[EnvVar], project: &Path) -> Changes {
        Changes::of(vars, project, &|name| std::env::var(name).ok())
    }

    /// Applies the changes to a command about to be spawned.
    pub fn apply_to(&self, command: &mut std::process::Command) {
        for (name, value) in &self.vars {
            match value {
                Some(value) => command.env(name, value),
                None => command.env_remove(name),
            };
        }
    }

    /// What these changes leave `name` as: `None` when they do not touch it,
    /// `Some(None)` when they remove it, else its last value.
    pub fn value(&self, name: &str) -> Option<Option<&str>> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_deref())
    }

    /// The variables as they end up (a name given twice: its last entry), in the
    /// order of their first appearance.
    pub fn resolved(&self) -> Vec<(&str, Option<&str>)> {
        let mut out: Vec<(&str, Option<&str>)> = Vec::with_capacity(self.vars.len());
        for (name, value) in &self.vars {
            match out.iter_mut().find(|(n, _)| n == name) {
                Some(slot) => slot.1 = value.as_deref(),
                None => out.push((name, value.as_deref())),
            }
        }
        out
    }
}

/// Expands a value template: `{project}` is the project directory, `${VAR}` the
/// inherited value (empty when unset), `${VAR:-default}` the inherited value unless it
/// is unset or empty, and the other forms of [`environment::Reference`] (`-`, `+`,
/// `:+`). A word is a template itself, expanded when taken, as a shell expands it
/// (`${XDG_CACHE_HOME:-${HOME}/.cache}`), to [`environment::MAX_NESTING`] levels.
/// Anything else is kept as written. Templates are checked when the manifest is parsed
/// ([`crate::manifest::environment::template_problem`]); an unclosed `${` left here is
/// kept literally, and so is a word nested deeper than the checks let through.
pub(crate) fn expand(
    template: &str,
    project: &Path,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> String {
    expand_nested(template, &project.to_string_lossy(), lookup, 0)
}

/// [`expand`] of a template `depth` words deep.
fn expand_nested(
    template: &str,
    project: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    depth: usize,
) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    loop {
        let next_var = rest.find("${");
        let next_project = rest.find("{project}");
        match (next_var, next_project) {
            (Some(v), p) if p.is_none_or(|p| v < p) => {
                out.push_str(&rest[..v]);
                let after = &rest[v + 2..];
                let Some(end) = environment::closing_brace(after) else {
                    out.push_str(&rest[v..]);
                    return out;
                };
                // Checked when read: one that does not parse is kept as written.
                match environment::Reference::parse(&after[..end]) {
                    Ok(reference) => match reference.resolve(lookup(reference.name)) {
                        Resolved::Value(value) => out.push_str(&value),
                        Resolved::Word(word) if depth < environment::MAX_NESTING => {
                            out.push_str(&expand_nested(word, project, lookup, depth + 1))
                        }
                        Resolved::Word(word) => out.push_str(word),
                        Resolved::Nothing => {}
                    },
                    Err(_) => out.push_str(&rest[v..v + 2 + end + 1]),
                }
                rest = &after[end + 1..];
            }
            (_, Some(p)) => {
                out.push_str(&rest[..p]);
                out.push_str(project);
                rest = &rest[p + "{project}".len()..];
            }
            _ => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

/// `[settings] path` as absolute directories under `project`, in order.
pub(crate) fn path_dirs(environment: &ProjectEnvironment, project: &Path) -> Vec<PathBuf> {
    environment
        .path
        .iter()
        .map(|dir| project.join(dir))
        .collect()
}

/// `PATH` with `first` (the tools' bin directories, then `[settings] path`) in front
/// of `inherited`, each directory once (a later copy of a directory already in front
/// is dropped from `inherited`).
pub fn joined_path(first: &[PathBuf], inherited: Option<&std::ffi::OsStr>) -> OsString {
    let mut dirs: Vec<PathBuf> = Vec::with_capacity(first.len());
    for dir in first {
        if !dirs.contains(dir) {
            dirs.push(dir.clone());
        }
    }
    vx_base::platform::search::prepend(&dirs, inherited)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> Option<String> {
        match name {
            "HOME" => Some("/home/u".to_owned()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn a_runtime_s_variables_come_first_so_the_project_s_own_win() {
        let java = ("JAVA_HOME".to_owned(), PathBuf::from("/s/java/21.0.8+9"));
        let bare = Declared::default().with_tools(vec![java.clone()]);
        assert!(!bare.is_empty());
        assert_eq!(
            bare.changes().resolved(),
            [("JAVA_HOME", Some("/s/java/21.0.8+9"))]
        );
        let declared = Declared {
            vars: vec![EnvVar {
                name: "JAVA_HOME".into(),
                value: Some("/opt/jdk".into()),
                line: 4,
                literal: false,
            }],
            ..Declared::default()
        }
        .with_tools(vec![java]);
        assert_eq!(
            declared.changes().resolved(),
            [("JAVA_HOME", Some("/opt/jdk"))]
        );
        let all = declared.all_vars();
        assert_eq!(all[0].value.as_deref(), Some("/s/java/21.0.8+9"));
        assert_eq!(
            all[1].value.as_deref(),
            Some("/opt/jdk"),
            "the hook's order"
        );
    }

    #[test]
    fn templates_expand_against_the_inherited_environment() {
        let project = Path::new("/p");
        assert_eq!(expand("{project}/target", project, &lookup), "/p/target");
        assert_eq!(expand("${HOME}/.x", project, &lookup), "/home/u/.x");
        assert_eq!(expand("${NOPE}", project, &lookup), "");
        assert_eq!(expand("${NOPE:-info}", project, &lookup), "info");
        assert_eq!(expand("${EMPTY:-{project}/d}", project, &lookup), "/p/d");
        assert_eq!(expand("${HOME:-x}", project, &lookup), "/home/u");
        assert_eq!(
            expand("${NOPE:-${HOME}/.cache}", project, &lookup),
            "/home/u/.cache",
            "a word's reference"
        );
        assert_eq!(
            expand("${NOPE-${EMPTY:-${HOME:+{project}}}}", project, &lookup),
            "/p",
            "a word's word"
        );
        assert_eq!(expand("${HOME:+${NOPE}}x", project, &lookup), "x");
        assert_eq!(
            expand("{json} $HOME ${", project, &lookup),
            "{json} $HOME ${"
        );
    }

    /// An `[env]` entry `name = value` (`None`: removed), a template.
    fn var(name: &str, value: Option<&str>) -> EnvVar {
        EnvVar {
            name: name.to_owned(),
            value: value.map(str::to_owned),
            line: 1,
            literal: false,
        }
    }

    /// An entry's template sees the entries above it (a removed one as unset), then
    /// the inherited environment: chezmoi-sh/kubevault's `.mise.toml` sets
    /// `KUBECONFIG = "{{env.DIRENV_LAYOUTDIR}}/kubernetes/…"` below `DIRENV_LAYOUTDIR`,
    /// and vx gave `/kubernetes/…`.
    #[test]
    fn a_template_sees_the_entries_above_it() {
        let changes = Changes::of(
            &[
                var("LAYOUT", Some("{project}/.direnv")),
                var("KUBE", Some("${LAYOUT}/kube")),
                var("HOME", Some("${HOME}/sub")),
                var("AFTER", Some("${HOME}")),
                var("HOME", None),
                var("GONE", Some("${HOME:-none}")),
            ],
            Path::new("/p"),
            &lookup,
        );
        assert_eq!(
            changes.resolved(),
            vec![
                ("LAYOUT", Some("/p/.direnv")),
                ("KUBE", Some("/p/.direnv/kube")),
                ("HOME", None),
                ("AFTER", Some("/home/u/sub")),
                ("GONE", Some("none")),
            ]
        );
    }

    #[test]
    fn the_last_entry_of_a_name_wins() {
        let changes = Changes::of(
            &[var("A", Some("1")), var("B", None), var("A", Some("2"))],
            Path::new("/p"),
            &lookup,
        );
        assert_eq!(changes.resolved(), vec![("A", Some("2")), ("B", None)]);
    }
}
