//! Which Python package index to read, as pip and uv are configured (pip's
//! "Configuration" docs, uv's "Package indexes"): `PIP_INDEX_URL`, then uv's
//! `UV_INDEX_URL` / `UV_DEFAULT_INDEX`, then pip's configuration files as pip loads
//! them (pip's `configuration.py`, `iter_config_files`; a later file wins a key), read
//! here from the one that wins down: the file `PIP_CONFIG_FILE` names (`/dev/null`:
//! none at all), the user's (`%APPDATA%\pip\pip.ini`, `$XDG_CONFIG_HOME/pip/pip.conf`
//! or `~/.config/pip/pip.conf`, then `~/.pip/pip.conf`; skipped when `PIP_CONFIG_FILE`
//! names a file that exists), then the site-wide ones managed laptops and CI images
//! use (`/etc/pip.conf`, then `pip/pip.conf` in each of `$XDG_CONFIG_DIRS`, default
//! `/etc/xdg`, the last first; `/Library/Application Support/pip/pip.conf` on macOS,
//! `%PROGRAMDATA%\pip\pip.ini` on Windows): `index-url` of `[global]` (or
//! `[install]`), else PyPI. [`located`] also says where the index came from, for `-v`.
//!
//! An index URL may carry credentials (`https://user:token@host/simple/`): they are
//! taken out of it into an `Authorization` header ([`Secret`]), so no URL that reaches
//! a lock, a message or a board holds them.

use std::path::PathBuf;

use base64::Engine;

use super::npmrc::Registry;
use vx_base::secret::Secret;

/// PyPI's simple index.
pub(crate) const PYPI: &str = "https://pypi.org/simple";

/// The largest pip configuration file read.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Where the index came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IndexFrom {
    /// An environment variable (`PIP_INDEX_URL`, `UV_INDEX_URL`, `UV_DEFAULT_INDEX`).
    Variable(&'static str),
    /// A pip configuration file.
    File(PathBuf),
    /// Nothing names one: PyPI.
    Default,
}

impl std::fmt::Display for IndexFrom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IndexFrom::Variable(name) => write!(f, "${name}"),
            IndexFrom::File(path) => write!(f, "{} (pip's configuration)", path.display()),
            IndexFrom::Default => {
                f.write_str("PyPI, which no variable or pip configuration overrides")
            }
        }
    }
}

/// The index and where it came from.
#[derive(Clone, Debug)]
pub struct Located {
    /// The index, credentials split out.
    pub registry: Registry,
    /// Where it came from.
    pub from: IndexFrom,
}

/// The index the environment and pip's files name, credentials split out.
pub fn index(env: &dyn Fn(&str) -> Option<String>) -> Registry {
    located(env).registry
}

/// [`index`], and where it came from.
pub fn located(env: &dyn Fn(&str) -> Option<String>) -> Located {
    located_in(env, std::path::Path::new("/"))
}

/// The index URL to fetch for `recorded`, an index as a lock records it
/// ([`Registry::shown`]): the configured index's URL when that is what the lock
/// recorded (`${PIP_INDEX_URL}` on the machine that sets it), else `recorded` as it
/// stands (never expanded: a lock is the project's text).
pub fn fetched(recorded: &str, env: &dyn Fn(&str) -> Option<String>) -> String {
    let configured = index(env);
    match configured.shown == recorded {
        true => configured.url,
        false => recorded.to_owned(),
    }
}

/// [`located`] with the site-wide files under `root` (`/` but in tests).
fn located_in(env: &dyn Fn(&str) -> Option<String>, root: &std::path::Path) -> Located {
    const VARIABLES: [&str; 3] = ["PIP_INDEX_URL", "UV_INDEX_URL", "UV_DEFAULT_INDEX"];
    let named = VARIABLES.iter().find_map(|k| {
        env(k)
            .filter(|v| !v.trim().is_empty())
            .map(|v| (v, IndexFrom::Variable(k)))
    });
    let named = named.or_else(|| {
        files(env, root).into_iter().find_map(|file| {
            let text = vx_base::bounded_read::read(&file, MAX_CONFIG_BYTES).ok()?;
            index_url(&String::from_utf8_lossy(&text)).map(|url| (url, IndexFrom::File(file)))
        })
    });
    match named {
        // A URL a variable gives whole is shown by the variable's name: a token may
        // sit anywhere in it (`https://host/TOKEN/simple`), and no part of it can be
        // told safe (`crate::backend::npmrc::Registry::shown`).
        Some((url, from @ IndexFrom::Variable(name))) => Located {
            registry: Registry {
                shown: format!("${{{name}}}"),
                ..split_credentials(&url)
            },
            from,
        },
        // A file's URL whose path holds more than the index (`/TOKEN/simple`,
        // `/api/pypi/corp/simple`) is shown by where it came from: a token may sit in
        // that path, and the file is the user's, not the project's (issue 78, item 7).
        Some((url, from @ IndexFrom::File(_))) => {
            let registry = split_credentials(&url);
            Located {
                registry: match holds_more_than_the_index(&registry.url) {
                    true => Registry {
                        shown: FROM_FILE.to_owned(),
                        ..registry
                    },
                    false => registry,
                },
                from,
            }
        }
        Some((url, from)) => Located {
            registry: split_credentials(&url),
            from,
        },
        None => Located {
            registry: split_credentials(PYPI),
            from: IndexFrom::Default,
        },
    }
}

/// How a lock, a receipt or a message records an index a pip configuration file gives
/// when its path may hold a secret (`holds_more_than_the_index`): by where it came
/// from, as `${PIP_INDEX_URL}` records a variable's; on another machine, the index its
/// own pip configuration names ([`fetched`]).
pub(crate) const FROM_FILE: &str = "${pip.conf}";

/// Whether the path of the index URL `url` (credentials taken out) holds more than an
/// index's own name: anything but nothing, `/` or `/simple`.
fn holds_more_than_the_index(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = rest.find('/').map_or("", |at| &rest[at..]);
    !matches!(path.trim_end_matches('/'), "" | "/simple")
}

/// pip's configuration files, the one that wins first; the site-wide ones under `root`.
fn files(env: &dyn Fn(&str) -> Option<String>, root: &std::path::Path) -> Vec<PathBuf> {
    let set = |name: &str| env(name).filter(|v| !v.is_empty());
    let mut out = Vec::new();
    let env_file = set("PIP_CONFIG_FILE").map(PathBuf::from);
    if let Some(file) = &env_file {
        // pip loads no file at all when it names the null device.
        if file == std::path::Path::new("/dev/null") || file.as_os_str().eq_ignore_ascii_case("nul")
        {
            return out;
        }
        out.push(file.clone());
    }
    // The user's files are not read when PIP_CONFIG_FILE names one that exists.
    if !env_file.as_ref().is_some_and(|f| f.is_file()) {
        if let Some(appdata) = set("APPDATA") {
            out.push(PathBuf::from(appdata).join("pip").join("pip.ini"));
        }
        let home = set("HOME");
        match set("XDG_CONFIG_HOME").filter(|x| x.starts_with('/')) {
            Some(xdg) => out.push(PathBuf::from(xdg).join("pip/pip.conf")),
            None => {
                if let Some(home) = &home {
                    out.push(PathBuf::from(home).join(".config/pip/pip.conf"));
                }
            }
        }
        if let Some(home) = &home {
            out.push(PathBuf::from(home).join(".pip/pip.conf"));
        }
    }
    // Site-wide: pip loads `$XDG_CONFIG_DIRS`'s in order, then `/etc`'s, a later file
    // winning; read here the other way round.
    if let Some(data) = set("PROGRAMDATA") {
        out.push(PathBuf::from(data).join("pip").join("pip.ini"));
    }
    if cfg!(unix) {
        let under_root = |path: &str| root.join(path.trim_start_matches('/'));
        out.push(under_root("/Library/Application Support/pip/pip.conf"));
        out.push(under_root("/etc/pip.conf"));
        let dirs = set("XDG_CONFIG_DIRS").unwrap_or_else(|| "/etc/xdg".to_owned());
        let dirs: Vec<&str> = dirs.split(':').filter(|d| d.starts_with('/')).collect();
        for dir in dirs.iter().rev() {
            out.push(under_root(dir).join("pip/pip.conf"));
        }
    }
    out
}

/// `index-url` of a pip configuration file's `[global]` or `[install]` section.
pub(crate) fn index_url(text: &str) -> Option<String> {
    let mut section = String::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_owned();
            continue;
        }
        if !matches!(section.as_str(), "global" | "install") {
            continue;
        }
        if let Some((key, value)) = line.split_once(['=', ':'])
            && matches!(key.trim(), "index-url" | "index_url")
        {
            return Some(value.trim().to_owned());
        }
    }
    None
}

/// `url` without its `user:password@`, and those as a basic `Authorization`.
pub(crate) fn split_credentials(url: &str) -> Registry {
    let url = url.trim().trim_end_matches('/');
    let Some((scheme, rest)) = url.split_once("://") else {
        return Registry {
            url: url.to_owned(),
            shown: url.to_owned(),
            authorization: None,
        };
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((userinfo, host)) => {
            let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            let decode = |s: &str| {
                String::from_utf8_lossy(&vx_base::validate::percent_decoded(s)).into_owned()
            };
            let basic = base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                decode(user),
                decode(password)
            ));
            let url = format!("{scheme}://{host}{}", &rest[authority_end..]);
            Registry {
                shown: url.clone(),
                url,
                authorization: Some(Secret::new(format!("Basic {basic}"))),
            }
        }
        None => Registry {
            url: url.to_owned(),
            shown: url.to_owned(),
            authorization: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 66, item 5: an index a variable gives is shown by the variable's name,
    /// and that name, recorded in a lock, is this machine's index again at install; a
    /// recorded URL is never expanded.
    #[test]
    fn an_index_a_variable_gives_is_shown_by_its_name_and_fetched_by_its_value() {
        let env = |k: &str| {
            (k == "PIP_INDEX_URL").then(|| "https://u:p@pip.example/TOKEN/simple/".to_owned())
        };
        let located = located_in(&env, std::path::Path::new("/nonexistent"));
        assert_eq!(located.registry.url, "https://pip.example/TOKEN/simple");
        assert_eq!(located.registry.shown, "${PIP_INDEX_URL}");
        assert_eq!(
            located
                .registry
                .show("https://pip.example/TOKEN/simple/ruff/"),
            "${PIP_INDEX_URL}/ruff/"
        );
        assert_eq!(
            fetched("${PIP_INDEX_URL}", &env),
            "https://pip.example/TOKEN/simple"
        );
        assert_eq!(fetched("${OTHER}", &env), "${OTHER}");
    }

    /// Issue 78, item 7: an index URL a pip configuration file gives with more than
    /// the index in its path (a token there) is shown by where it came from, and
    /// fetched again from this machine's file; a plain index is shown as it is.
    #[test]
    fn a_file_given_index_with_more_in_its_path_is_shown_by_where_it_came_from() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pip.conf");
        let env = |k: &str| (k == "PIP_CONFIG_FILE").then(|| file.display().to_string());
        std::fs::write(
            &file,
            "[global]\nindex-url = https://pip.example/TOKEN/simple/\n",
        )
        .unwrap();
        let located = located_in(&env, dir.path());
        assert_eq!(located.registry.url, "https://pip.example/TOKEN/simple");
        assert_eq!(located.registry.shown, "${pip.conf}");
        assert_eq!(
            located
                .registry
                .show("https://pip.example/TOKEN/simple/ruff/"),
            "${pip.conf}/ruff/"
        );
        assert_eq!(
            fetched("${pip.conf}", &env),
            "https://pip.example/TOKEN/simple"
        );
        for plain in ["https://pip.example/simple/", "https://pip.example"] {
            std::fs::write(&file, format!("[global]\nindex-url = {plain}\n")).unwrap();
            let located = located_in(&env, dir.path());
            assert_eq!(located.registry.shown, plain.trim_end_matches('/'));
        }
    }

    #[test]
    fn the_index_is_read_as_pip_and_uv_read_it() {
        let none = |_: &str| None;
        assert_eq!(index(&none).url, PYPI);
        let uv = |k: &str| (k == "UV_INDEX_URL").then(|| "https://uv.example/simple/".to_owned());
        assert_eq!(index(&uv).url, "https://uv.example/simple");
        let both = |k: &str| match k {
            "UV_INDEX_URL" => Some("https://uv.example/simple/".to_owned()),
            "PIP_INDEX_URL" => Some("https://alice:s%40cret@pip.example/simple/".to_owned()),
            _ => None,
        };
        let registry = index(&both);
        assert_eq!(registry.url, "https://pip.example/simple");
        let auth = registry.authorization.unwrap();
        assert_eq!(
            auth.expose(),
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("alice:s@cret")
            )
        );
        assert_eq!(
            index_url("[global]\ntimeout = 60\nindex-url = https://corp.example/pypi/simple\n")
                .as_deref(),
            Some("https://corp.example/pypi/simple")
        );
        assert_eq!(index_url("[freeze]\nindex-url = x\n"), None);
    }

    /// Issue 63, item 6: the site-wide files (`/etc/pip.conf`, `$XDG_CONFIG_DIRS`'s)
    /// name the company index where the user names none; the user's file wins over
    /// them, `PIP_CONFIG_FILE` over both, and the variables over every file.
    #[test]
    #[cfg(unix)]
    fn site_wide_files_are_read_after_the_users_as_pip_reads_them() {
        let root = tempfile::tempdir().unwrap();
        let home = root.path().join("home");
        let write = |path: &std::path::Path, url: &str| {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, format!("[global]\nindex-url = {url}\n")).unwrap();
        };
        let vars = |extra: Vec<(&'static str, String)>| {
            let home = home.display().to_string();
            move |k: &str| match k {
                "HOME" => Some(home.clone()),
                _ => extra.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()),
            }
        };
        let at = |env: &dyn Fn(&str) -> Option<String>| located_in(env, root.path());
        let plain = vars(Vec::new());
        assert_eq!(at(&plain).from, IndexFrom::Default);

        let xdg_default = root.path().join("etc/xdg/pip/pip.conf");
        write(&xdg_default, "https://xdg.example/simple");
        assert_eq!(at(&plain).registry.url, "https://xdg.example/simple");
        let etc = root.path().join("etc/pip.conf");
        write(&etc, "https://etc.example/simple");
        let found = at(&plain);
        assert_eq!(found.registry.url, "https://etc.example/simple");
        assert_eq!(found.from, IndexFrom::File(etc.clone()));

        // `$XDG_CONFIG_DIRS`: the last directory wins among them; `/etc` over them.
        let (a, b) = (
            root.path().join("a/pip/pip.conf"),
            root.path().join("b/pip/pip.conf"),
        );
        write(&a, "https://a.example/simple");
        write(&b, "https://b.example/simple");
        std::fs::remove_file(&etc).unwrap();
        let dirs = vars(vec![("XDG_CONFIG_DIRS", "/a:/b".to_owned())]);
        assert_eq!(at(&dirs).registry.url, "https://b.example/simple");

        let user = home.join(".config/pip/pip.conf");
        write(&user, "https://user.example/simple");
        assert_eq!(at(&plain).registry.url, "https://user.example/simple");

        // PIP_CONFIG_FILE wins, and skips the user's files (not the site-wide ones).
        let own = root.path().join("own.conf");
        std::fs::write(&own, "[global]\ntimeout = 1\n").unwrap();
        let named = vars(vec![("PIP_CONFIG_FILE", own.display().to_string())]);
        assert_eq!(at(&named).registry.url, "https://xdg.example/simple");
        write(&own, "https://own.example/simple");
        assert_eq!(at(&named).registry.url, "https://own.example/simple");
        let null = vars(vec![("PIP_CONFIG_FILE", "/dev/null".to_owned())]);
        assert_eq!(at(&null).from, IndexFrom::Default);

        let variable = vars(vec![(
            "PIP_INDEX_URL",
            "https://var.example/simple".to_owned(),
        )]);
        assert_eq!(at(&variable).from, IndexFrom::Variable("PIP_INDEX_URL"));
    }
}
