//! mise's files in a project, in one table ([`FILES`]): each file's name, its format,
//! whether it is a person's (`.local`, kept out of the repository), and its rank in
//! mise's precedence. Every reader of mise's layout takes its list from here: a
//! project read in place (which files name it, [`project_names`]; in what order they
//! are read, [`precedence`]), `vx import` (the files at the top of a directory,
//! [`at_top`]) and the mise tasks `vx run` will not shadow ([`task_files`]).
//!
//! The precedence is mise's (mise's `LOCAL_CONFIG_FILENAMES` and
//! `env_config_patterns` in `src/config/mod.rs`, later wins; reversed here, the first
//! wins; docs/configuration.md, "`mise.toml`"): an environment's files above all
//! others, the last environment named first; then the person's files, then the team's
//! `.mise.toml`, `mise.toml`, `mise/config.toml`, `.mise/config.toml`,
//! `.config/mise.toml`, `.config/mise/mise.toml`, `.config/mise/config.toml` and
//! `.config/mise/conf.d/*.toml` (a later name first); `.tool-versions`; then the
//! single-tool files (mise's idiomatic version files) last.

use std::path::Path;

use crate::import::Format;

/// One file of mise's layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct File {
    /// Its path relative to the project, `/`-separated: `{env}` stands for a config
    /// environment's name ([`File::is_environment`]), `*` for every file of a
    /// directory (conf.d's, read in name order).
    pub name: &'static str,
    /// How it is read.
    pub format: Format,
    /// A person's file (mise's `.local` files), out of the repository: `vx import`
    /// writes what it lists into the person's `vx.local.toml`.
    pub personal: bool,
    /// Its place in mise's precedence, `0` the highest: of two files naming a tool, a
    /// variable or a task, the lower rank wins. An environment's files rank among
    /// themselves, and all of them above the others.
    pub rank: u8,
}

impl File {
    /// Whether mise reads tasks from it: every config file of its own (`[tasks]`,
    /// `[task_config]`), not `.tool-versions` nor a single tool's version file.
    pub(crate) fn has_tasks(&self) -> bool {
        self.format == Format::Mise
    }

    /// Whether it is a config environment's (`mise.{env}.toml`), read only for an
    /// environment named (`MISE_ENV`, the platform's under `auto_env`).
    pub(crate) fn is_environment(&self) -> bool {
        self.name.contains("{env}")
    }

    /// Whether it is a directory's files (`conf.d/*.toml`).
    pub(crate) fn is_glob(&self) -> bool {
        self.name.contains('*')
    }

    /// Whether it lies at the top of the project (not in `.mise/`, `mise/` or
    /// `.config/`).
    pub(crate) fn is_at_top(&self) -> bool {
        !self.name.contains('/')
    }

    /// What names the project when it is present: the file itself, or for a file in a
    /// directory of mise's, that directory (`.mise`, `mise`, `.config`).
    pub(crate) fn project_name(&self) -> &'static str {
        self.name.split('/').next().unwrap_or(self.name)
    }
}

/// A row of [`FILES`].
const fn file(name: &'static str, format: Format, personal: bool, rank: u8) -> File {
    File {
        name,
        format,
        personal,
        rank,
    }
}

/// mise's files in a project, in the order they name it (the first present is the
/// project's file: the team's own `mise.toml` before the rest), each with its rank in
/// mise's precedence ([`File::rank`]).
pub(crate) const FILES: &[File] = &[
    file("mise.toml", Format::Mise, false, 6),
    file(".mise.toml", Format::Mise, false, 5),
    file("mise.local.toml", Format::Mise, true, 1),
    file(".mise.local.toml", Format::Mise, true, 0),
    file(".mise/config.toml", Format::Mise, false, 8),
    file(".mise/config.local.toml", Format::Mise, true, 2),
    file("mise/config.toml", Format::Mise, false, 7),
    file(".config/mise.toml", Format::Mise, false, 9),
    file(".config/mise.local.toml", Format::Mise, true, 3),
    file(".config/mise/config.toml", Format::Mise, false, 11),
    file(".config/mise/mise.toml", Format::Mise, false, 10),
    file(".config/mise/config.local.toml", Format::Mise, true, 4),
    file(".config/mise/conf.d/*.toml", Format::Mise, false, 12),
    file(".tool-versions", Format::ToolVersions, false, 13),
    file(".nvmrc", Format::Nvmrc, false, 14),
    file(".node-version", Format::NodeVersion, false, 15),
    file(".python-version", Format::PythonVersion, false, 16),
    file(".ruby-version", Format::RubyVersion, false, 17),
    file(".go-version", Format::GoVersion, false, 18),
    file(".java-version", Format::JavaVersion, false, 19),
    file(".sdkmanrc", Format::Sdkmanrc, false, 20),
    file(".mise.{env}.local.toml", Format::Mise, true, 0),
    file("mise.{env}.local.toml", Format::Mise, true, 1),
    file(".mise.{env}.toml", Format::Mise, false, 2),
    file(".mise/config.{env}.toml", Format::Mise, false, 3),
    file("mise.{env}.toml", Format::Mise, false, 4),
    file("mise/config.{env}.toml", Format::Mise, false, 5),
    file(".config/mise.{env}.toml", Format::Mise, false, 6),
    file(".config/mise/config.{env}.toml", Format::Mise, false, 7),
];

/// Most of a conf.d directory's files read, the first by name: the others are said,
/// not read.
pub(crate) const MAX_CONFD: usize = 64;

/// What names a project read in place, in [`FILES`]' order, once each: its files at
/// the top and mise's directories (`.mise`, `mise`, `.config`) that keep a config.
pub(crate) fn project_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    for file in FILES.iter().filter(|f| !f.is_environment()) {
        if !names.contains(&file.project_name()) {
            names.push(file.project_name());
        }
    }
    names
}

/// Whether a project named by `project_name` ([`project_names`]) is named by a config
/// file of mise's own, one mise reads tasks from ([`File::has_tasks`]), not by a
/// `.tool-versions` or a single tool's version file.
pub(crate) fn names_tasks(project_name: &str) -> bool {
    FILES
        .iter()
        .any(|f| !f.is_environment() && f.project_name() == project_name && f.has_tasks())
}

/// The team's own config files of mise (no person's, no environment's, no conf.d
/// file), in [`FILES`]' order: where a project-wide setting such as a monorepo root
/// is declared.
pub(crate) fn team_configs() -> impl Iterator<Item = &'static str> {
    FILES
        .iter()
        .filter(|f| f.has_tasks() && !f.personal && !f.is_environment() && !f.is_glob())
        .map(|f| f.name)
}

/// The files [`FILES`] lists in mise's directory `dir` (`.mise`, `mise`, `.config`),
/// in its order, environments' left out.
pub(crate) fn kept_in(dir: &str) -> impl Iterator<Item = &'static File> + '_ {
    FILES
        .iter()
        .filter(move |f| !f.is_environment() && !f.is_at_top() && f.project_name() == dir)
}

/// The files at the top of a directory that `vx import` finds by their name, in
/// [`FILES`]' order: the team's (`personal` false) or the person's.
pub(crate) fn at_top(personal: bool) -> impl Iterator<Item = (&'static str, Format)> {
    FILES
        .iter()
        .filter(move |f| f.is_at_top() && !f.is_environment() && f.personal == personal)
        .map(|f| (f.name, f.format))
}

/// The files of mise's config environment `env`, relative to the project, the first
/// the highest.
pub(crate) fn environment_files(env: &str) -> Vec<(String, Format, bool)> {
    ranked(true)
        .map(|f| (f.name.replace("{env}", env), f.format, f.personal))
        .collect()
}

/// The files of the project in `dir` as mise takes them, relative to it, the first
/// the highest (a tool or a task two files name is taken from the first), each with
/// its format: the files of each environment of `envs` (the last named first), then
/// the others in their rank, conf.d's by name (a later name first). Also how many of
/// conf.d's files were past the [`MAX_CONFD`] read (`0`: none). Files that are not
/// there are listed all the same: the caller reads those present.
pub(crate) fn precedence(dir: &Path, envs: &[String]) -> (Vec<(String, Format)>, usize) {
    let mut out: Vec<(String, Format)> = Vec::new();
    for env in envs.iter().rev() {
        out.extend(
            environment_files(env)
                .into_iter()
                .map(|(name, format, _)| (name, format)),
        );
    }
    let mut cut = 0;
    for file in ranked(false) {
        if !file.is_glob() {
            out.push((file.name.to_owned(), file.format));
            continue;
        }
        let (files, past) = glob(dir, file.name);
        cut += past;
        out.extend(files.into_iter().rev().map(|name| (name, file.format)));
    }
    (out, cut)
}

/// The mise config files whose tasks a project's team keeps (not a person's file, not
/// an environment's), relative to `dir`, in mise's precedence (the first's task is
/// the one mise runs); conf.d's as they are there.
pub(crate) fn task_files(dir: &Path) -> Vec<String> {
    precedence(dir, &[])
        .0
        .into_iter()
        .filter(|(name, _)| {
            FILES.iter().any(|f| {
                f.has_tasks() && !f.personal && !f.is_environment() && matches(f.name, name)
            })
        })
        .map(|(name, _)| name)
        .collect()
}

/// The rows of [`FILES`] of environments (`true`) or the others, by rank.
fn ranked(environment: bool) -> impl Iterator<Item = &'static File> {
    let mut rows: Vec<&'static File> = FILES
        .iter()
        .filter(|f| f.is_environment() == environment)
        .collect();
    rows.sort_by_key(|f| f.rank);
    rows.into_iter()
}

/// The files of `dir` a `DIR/*.EXT` pattern names, relative to `dir`, by name (at
/// most [`MAX_CONFD`]), and how many more there were.
fn glob(dir: &Path, pattern: &str) -> (Vec<String>, usize) {
    let (folder, ext) = pattern
        .rsplit_once("/*")
        .expect("a glob row names a directory's files");
    let mut names: Vec<String> = std::fs::read_dir(dir.join(folder))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|name| name.ends_with(ext))
        .map(|name| format!("{folder}/{name}"))
        .collect();
    names.sort();
    let cut = names.len().saturating_sub(MAX_CONFD);
    names.truncate(MAX_CONFD);
    (names, cut)
}

/// Whether the file `name` (relative to the project) is the row `pattern`'s: the same
/// name, or a file of its glob's directory.
fn matches(pattern: &str, name: &str) -> bool {
    match pattern.rsplit_once("/*") {
        Some((folder, ext)) => name
            .strip_prefix(folder)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|rest| !rest.contains('/') && rest.ends_with(ext)),
        None => pattern == name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each user's order, as it needs it: the in-place reading mise's precedence; the
    /// project named by the team's `mise.toml` first; `vx import` the files at the
    /// top; the task lister the team's configs in precedence.
    #[test]
    fn each_user_takes_its_order_from_the_one_table() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".config/mise/conf.d")).unwrap();
        for name in ["a.toml", "b.toml", "notes.txt"] {
            std::fs::write(dir.path().join(".config/mise/conf.d").join(name), "").unwrap();
        }
        let (order, cut) = precedence(dir.path(), &["ci".to_owned(), "dev".to_owned()]);
        let names: Vec<&str> = order.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(cut, 0);
        assert_eq!(
            names,
            [
                ".mise.dev.local.toml",
                "mise.dev.local.toml",
                ".mise.dev.toml",
                ".mise/config.dev.toml",
                "mise.dev.toml",
                "mise/config.dev.toml",
                ".config/mise.dev.toml",
                ".config/mise/config.dev.toml",
                ".mise.ci.local.toml",
                "mise.ci.local.toml",
                ".mise.ci.toml",
                ".mise/config.ci.toml",
                "mise.ci.toml",
                "mise/config.ci.toml",
                ".config/mise.ci.toml",
                ".config/mise/config.ci.toml",
                ".mise.local.toml",
                "mise.local.toml",
                ".mise/config.local.toml",
                ".config/mise.local.toml",
                ".config/mise/config.local.toml",
                ".mise.toml",
                "mise.toml",
                "mise/config.toml",
                ".mise/config.toml",
                ".config/mise.toml",
                ".config/mise/mise.toml",
                ".config/mise/config.toml",
                ".config/mise/conf.d/b.toml",
                ".config/mise/conf.d/a.toml",
                ".tool-versions",
                ".nvmrc",
                ".node-version",
                ".python-version",
                ".ruby-version",
                ".go-version",
                ".java-version",
                ".sdkmanrc",
            ]
        );
        assert_eq!(order[16].1, Format::Mise);
        assert_eq!(order[30].1, Format::ToolVersions);
        assert_eq!(order[31].1, Format::Nvmrc);
        assert_eq!(
            project_names(),
            [
                "mise.toml",
                ".mise.toml",
                "mise.local.toml",
                ".mise.local.toml",
                ".mise",
                "mise",
                ".config",
                ".tool-versions",
                ".nvmrc",
                ".node-version",
                ".python-version",
                ".ruby-version",
                ".go-version",
                ".java-version",
                ".sdkmanrc",
            ]
        );
        let kept: Vec<&str> = kept_in(".config").map(|f| f.name).collect();
        assert_eq!(
            kept,
            [
                ".config/mise.toml",
                ".config/mise.local.toml",
                ".config/mise/config.toml",
                ".config/mise/mise.toml",
                ".config/mise/config.local.toml",
                ".config/mise/conf.d/*.toml",
            ]
        );
        let team: Vec<&str> = at_top(false).map(|(n, _)| n).collect();
        assert_eq!(
            team,
            [
                "mise.toml",
                ".mise.toml",
                ".tool-versions",
                ".nvmrc",
                ".node-version",
                ".python-version",
                ".ruby-version",
                ".go-version",
                ".java-version",
                ".sdkmanrc",
            ]
        );
        let tasks: Vec<&str> = project_names()
            .into_iter()
            .filter(|n| names_tasks(n))
            .collect();
        assert_eq!(
            tasks,
            [
                "mise.toml",
                ".mise.toml",
                "mise.local.toml",
                ".mise.local.toml",
                ".mise",
                "mise",
                ".config"
            ]
        );
        assert_eq!(
            team_configs().collect::<Vec<_>>(),
            [
                "mise.toml",
                ".mise.toml",
                ".mise/config.toml",
                "mise/config.toml",
                ".config/mise.toml",
                ".config/mise/config.toml",
                ".config/mise/mise.toml",
            ]
        );
        let personal: Vec<&str> = at_top(true).map(|(n, _)| n).collect();
        assert_eq!(personal, ["mise.local.toml", ".mise.local.toml"]);
        assert_eq!(
            task_files(dir.path()),
            [
                ".mise.toml",
                "mise.toml",
                "mise/config.toml",
                ".mise/config.toml",
                ".config/mise.toml",
                ".config/mise/mise.toml",
                ".config/mise/config.toml",
                ".config/mise/conf.d/b.toml",
                ".config/mise/conf.d/a.toml",
            ]
        );
    }

    /// Ranks are a strict order within each group, so no two files tie.
    #[test]
    fn no_two_files_share_a_rank() {
        for environment in [false, true] {
            let ranks: Vec<u8> = ranked(environment).map(|f| f.rank).collect();
            let expected: Vec<u8> = (0..ranks.len() as u8).collect();
            assert_eq!(ranks, expected, "environment files: {environment}");
        }
    }

    /// A conf.d past [`MAX_CONFD`] files: the first by name read, the others counted.
    #[test]
    fn a_long_conf_d_is_cut_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let confd = dir.path().join(".config/mise/conf.d");
        std::fs::create_dir_all(&confd).unwrap();
        for i in 0..MAX_CONFD + 3 {
            std::fs::write(confd.join(format!("{i:03}.toml")), "").unwrap();
        }
        let (order, cut) = precedence(dir.path(), &[]);
        assert_eq!(cut, 3);
        let confd: Vec<&str> = order
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| n.contains("conf.d"))
            .collect();
        assert_eq!(confd.len(), MAX_CONFD);
        assert_eq!(confd[0], ".config/mise/conf.d/063.toml");
        assert_eq!(confd[MAX_CONFD - 1], ".config/mise/conf.d/000.toml");
    }
}
