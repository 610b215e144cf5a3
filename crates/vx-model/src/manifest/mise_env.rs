//! Which of mise's config environments a project read in place loads
//! ([`super::in_place`]): the ones `MISE_ENV` names (else `env` in a `.miserc.toml`),
//! and the platform's own when mise's `auto_env` is on — `unix`, then the OS
//! (`linux`, `macos`, `windows`), then OS-arch in mise's spelling (`linux-x64`,
//! `macos-arm64`): what makes `mise.linux.toml` or `mise.macos-arm64.toml` load, each
//! under the explicit environments (mise.jdx.dev/configuration/environments.html,
//! "Platform environments"; mise's `env::platform_env_names`, `AUTO_ENV_NAMES`).
//!
//! `auto_env` is mise's early setting: `MISE_AUTO_ENV` (`true`/`false`, `1`/`0`), else
//! `auto_env` of the first `.miserc.toml`, `.config/miserc.toml` (the project's),
//! `miserc.toml` of the user's mise config directory, `/etc/mise/miserc.toml` that
//! sets it. It is off by default (until mise 2027.6.0): a platform file then is not
//! read, and while the setting is unset that is said ([`Environments::unread`]), as
//! mise from 2026.12.0 warns; `auto_env = false` keeps it unread and quiet.

use std::path::{Path, PathBuf};

use vx_base::ownership;

/// The environments a project's mise files are read for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Environments {
    /// The environments, the lowest first (the platform's, then the explicit ones;
    /// the last named wins).
    pub names: Vec<String>,
    /// The platform's environments, when `auto_env` is unset (off by default): whose
    /// files are not read and are said to be present.
    pub unread: Vec<String>,
    /// The project's miserc files read (what its reading depends on).
    pub read: Vec<PathBuf>,
}

/// mise's early settings this reads ([mise's `MisercSettings`]).
#[derive(Debug, Default, serde::Deserialize)]
struct Miserc {
    env: Option<Vec<String>>,
    auto_env: Option<bool>,
}

/// Most bytes of a miserc file read.
const MAX_MISERC: u64 = 64 * 1024;

/// The environments of the project in `dir`, as the process's environment and the
/// miserc files say.
pub(crate) fn of(dir: &Path) -> Environments {
    of_with(dir, &|name| std::env::var(name).ok(), &user_miserc())
}

/// [`of`] with the environment `var` and the user's and the system's miserc files
/// `global`, the first the higher.
fn of_with(dir: &Path, var: &dyn Fn(&str) -> Option<String>, global: &[PathBuf]) -> Environments {
    let mut read = Vec::new();
    let mut settings: Vec<Miserc> = Vec::new();
    for name in [".miserc.toml", ".config/miserc.toml"] {
        let file = dir.join(name);
        // The project's, as every file read on its behalf: not another user's, not a
        // link out of it.
        if !file.is_file() || ownership::check(dir, &file).is_err() {
            continue;
        }
        if let Some(miserc) = parse(&file) {
            settings.push(miserc);
            read.push(std::path::absolute(&file).unwrap_or(file));
        }
    }
    settings.extend(global.iter().filter_map(|file| parse(file)));
    let explicit: Vec<String> = match var("MISE_ENV") {
        Some(value) => value.split(',').map(str::to_owned).collect(),
        None => settings
            .iter()
            .find_map(|m| m.env.clone())
            .unwrap_or_default(),
    };
    let explicit: Vec<String> = explicit
        .iter()
        .map(|e| e.trim())
        .filter(|e| plain(e))
        .map(str::to_owned)
        .collect();
    let auto_env = match var("MISE_AUTO_ENV").as_deref().map(str::trim) {
        Some("1" | "true" | "yes" | "on") => Some(true),
        Some("0" | "false" | "no" | "off") => Some(false),
        _ => settings.iter().find_map(|m| m.auto_env),
    };
    let platform: Vec<String> = platform_names()
        .into_iter()
        .filter(|name| !explicit.contains(name))
        .collect();
    let (mut names, unread) = match auto_env {
        Some(true) => (platform, Vec::new()),
        Some(false) => (Vec::new(), Vec::new()),
        None => (Vec::new(), platform),
    };
    names.extend(explicit);
    Environments {
        names,
        unread,
        read,
    }
}

/// Whether `env` is a plain environment name (one with a path separator or a dot is
/// passed over).
fn plain(env: &str) -> bool {
    !env.is_empty()
        && env
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A miserc file's settings; `None` when it cannot be read or is not TOML (mise
/// refuses such a file; vx reads on without it).
fn parse(file: &Path) -> Option<Miserc> {
    let bytes = vx_base::bounded_read::read(file, MAX_MISERC).ok()?;
    toml::from_str(std::str::from_utf8(&bytes).ok()?).ok()
}

/// The user's and the system's miserc files: `miserc.toml` in mise's config directory
/// (`MISE_CONFIG_DIR`, else `$XDG_CONFIG_HOME/mise`, else `~/.config/mise`), then
/// `/etc/mise/miserc.toml` (`MISE_SYSTEM_CONFIG_DIR`).
fn user_miserc() -> Vec<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let config = var("MISE_CONFIG_DIR").map(PathBuf::from).or_else(|| {
        var("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| vx_base::platform::fs::home_dir().map(|h| h.join(".config")))
            .map(|c| c.join("mise"))
    });
    let system =
        var("MISE_SYSTEM_CONFIG_DIR").map_or_else(|| PathBuf::from("/etc/mise"), PathBuf::from);
    config
        .into_iter()
        .chain([system])
        .map(|dir| dir.join("miserc.toml"))
        .collect()
}

/// The platform's environments as mise names them, the least specific first: the OS
/// family (`unix`; on Windows none but the OS), the OS, and OS-arch with mise's
/// architecture names (`x86_64` → `x64`, `aarch64` → `arm64`).
pub(crate) fn platform_names() -> Vec<String> {
    names_for(
        std::env::consts::FAMILY,
        std::env::consts::OS,
        std::env::consts::ARCH,
    )
}

fn names_for(family: &str, os: &str, arch: &str) -> Vec<String> {
    let arch = match arch {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        other => other,
    };
    let mut names: Vec<String> = Vec::new();
    for name in [family.to_owned(), os.to_owned(), format!("{os}-{arch}")] {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_names_are_mises() {
        assert_eq!(
            names_for("unix", "linux", "x86_64"),
            ["unix", "linux", "linux-x64"]
        );
        assert_eq!(
            names_for("unix", "macos", "aarch64"),
            ["unix", "macos", "macos-arm64"]
        );
        assert_eq!(
            names_for("windows", "windows", "x86_64"),
            ["windows", "windows-x64"]
        );
    }

    #[test]
    fn auto_env_from_the_variable_then_the_projects_miserc_then_the_users() {
        let dir = tempfile::tempdir().unwrap();
        let user = dir.path().join("user-miserc.toml");
        std::fs::write(&user, "auto_env = true\nenv = [\"ci\"]\n").unwrap();
        let platform = platform_names();
        let none = |_: &str| None;
        // Unset: nothing read for the platform, and its environments are unread.
        let unset = of_with(dir.path(), &none, &[]);
        assert!(unset.names.is_empty());
        assert_eq!(unset.unread, platform);
        // The user's miserc turns it on, and names an environment.
        let on = of_with(dir.path(), &none, std::slice::from_ref(&user));
        let mut expected = platform.clone();
        expected.push("ci".to_owned());
        assert_eq!(on.names, expected);
        // The project's miserc over the user's.
        std::fs::write(dir.path().join(".miserc.toml"), "auto_env = false\n").unwrap();
        let off = of_with(dir.path(), &none, std::slice::from_ref(&user));
        assert_eq!(off.names, ["ci"]);
        assert!(off.unread.is_empty());
        assert_eq!(off.read.len(), 1);
        // The variable over both; MISE_ENV over miserc's env, a name it repeats kept
        // as explicit (the higher).
        let var = |name: &str| match name {
            "MISE_AUTO_ENV" => Some("1".to_owned()),
            "MISE_ENV" => Some(format!("{},staging,../x", platform[0])),
            _ => None,
        };
        let both = of_with(dir.path(), &var, std::slice::from_ref(&user));
        let mut expected: Vec<String> = platform[1..].to_vec();
        expected.extend([platform[0].clone(), "staging".to_owned()]);
        assert_eq!(both.names, expected);
    }
}
