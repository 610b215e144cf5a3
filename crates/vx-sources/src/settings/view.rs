//! What `vx config list` and `vx config get` show: every effective setting of the
//! network, GitHub and the task cache, key by key, with the layer it came from (the environment, the
//! project's vx.toml at a line, the user config at a line, or vx's default) and every
//! secret masked as `***`: tokens, header values, passwords in URLs. The precedence is
//! the one the settings are used with (`vx_net::config`,
//! [`crate::github::GithubConfig`]): flags over the environment over the
//! project over the user config.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::github::GithubError;
use crate::github::{API_URL_VARIABLE, GithubConfig, TokenSource, URL_VARIABLE};
use crate::settings::network::{Layer, MIRRORS_ENV, mirrors, replacements};
use vx_model::manifest::Manifest;
use vx_model::manifest::network::ProjectNet;
use vx_model::user_config::{KeyError, UserConfig, check_key, dotted_key, split_key};

/// The mask a secret is shown as.
pub(crate) const MASK: &str = "***";

/// The fixed keys `vx config` knows (besides `http.headers.HOST.NAME` and
/// `url_replacements.KEY`), for `get`'s "did you mean".
pub(crate) const KEYS: &[&str] = &[
    "http.ca_certificates",
    "github.url",
    "github.api_url",
    "github.token",
    "registry.standard_ref",
    "registry.standard_sha256",
    "verify.trusted_root",
    "verify.attestations_unavailable",
    "mirrors",
    "proxy.http",
    "proxy.https",
    "proxy.all",
    "proxy.no",
    "netrc",
    "task_cache",
    "task_cache_keys",
    "task_cache_size",
    "task_cache_salt",
];

/// The proxy keys and their variables, lower case first as curl reads them.
const PROXY_VARIABLES: &[(&str, [&str; 2])] = &[
    ("proxy.http", ["http_proxy", "HTTP_PROXY"]),
    ("proxy.https", ["https_proxy", "HTTPS_PROXY"]),
    ("proxy.all", ["all_proxy", "ALL_PROXY"]),
    ("proxy.no", ["no_proxy", "NO_PROXY"]),
];

/// Where a value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// vx's own default.
    Default,
    /// A command-line flag.
    Flag(String),
    /// An environment variable.
    Env(String),
    /// The project's vx.toml, at a line.
    Project(PathBuf, usize),
    /// The user config, at a line.
    User(PathBuf, usize),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::Flag(name) => write!(f, "flag {name}"),
            Source::Env(name) => write!(f, "env {name}"),
            Source::Project(path, line) => write!(f, "project {}:{line}", path.display()),
            Source::User(path, line) => write!(f, "user {}:{line}", path.display()),
        }
    }
}

/// One effective setting.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Its key as a TOML dotted key, a part quoted where TOML needs it (`github.url`,
    /// `http.headers."artifacts.corp".Authorization`, `url_replacements."https://a/"`):
    /// what `vx config get`, `set` and `unset` take.
    pub key: String,
    /// Its value, secrets masked: a string, or an array of strings for a list.
    pub value: Value,
    /// Where it came from (a list merged from layers has several).
    pub sources: Vec<Source>,
}

impl Entry {
    /// The value as `vx config get` prints it: a string as it is, a list one item
    /// per line, each sanitized for a terminal.
    pub fn plain(&self) -> String {
        let clean = |s: &str| vx_text::sanitize(s).into_owned();
        match &self.value {
            Value::String(s) => clean(s),
            Value::Array(items) => items
                .iter()
                .map(|v| clean(v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join("\n"),
            other => clean(&other.to_string()),
        }
    }

    /// The sources, comma-separated.
    pub fn source_text(&self) -> String {
        self.sources
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What the view is made of: the user config (and its path), the project's manifest if
/// there is one, and the environment.
pub struct Layers<'a> {
    /// The user config.
    pub user: &'a UserConfig,
    /// Its path (for sources).
    pub user_path: &'a Path,
    /// The project's manifest, if any.
    pub manifest: Option<&'a Manifest>,
    /// The environment (a non-empty value counts as set).
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

impl Layers<'_> {
    fn env(&self, name: &str) -> Option<String> {
        (self.env)(name).filter(|v| !v.trim().is_empty())
    }

    fn user_at(&self, key: &str) -> Source {
        Source::User(
            self.user_path.to_owned(),
            self.user.lines.get(key).copied().unwrap_or(0),
        )
    }

    fn project_at(&self, key: &str) -> Source {
        let manifest = self.manifest.expect("a project layer has a manifest");
        Source::Project(
            manifest.path.clone(),
            manifest.network_lines.get(key).copied().unwrap_or(0),
        )
    }

    fn layer_source(&self, layer: Layer, key: &str) -> Source {
        match layer {
            Layer::Flag(name) => Source::Flag(name.to_owned()),
            Layer::Env(name) => Source::Env(name.to_owned()),
            Layer::Project => self.project_at(key),
            Layer::User => self.user_at(key),
        }
    }

    /// Every effective setting, in a stable order; an error when a setting of the
    /// environment or the user config cannot be used (a bad GitHub URL).
    pub fn entries(&self) -> Result<Vec<Entry>, GithubError> {
        let mut out = Vec::new();
        let user = self.user;
        if !user.http.ca_certificates.is_empty() {
            let paths = user
                .http
                .ca_certificates
                .iter()
                .map(|p| Value::String(p.display().to_string()))
                .collect();
            out.push(entry(
                "http.ca_certificates".into(),
                Value::Array(paths),
                vec![self.user_at("http.ca_certificates")],
            ));
        }
        for (host, headers) in &user.http.headers {
            for name in headers.keys() {
                let source = self.user_at(&format!("http.headers.{host}.{name}"));
                let key = dotted_key(&["http", "headers", host, name]);
                out.push(entry(key, MASK.into(), vec![source]));
            }
        }
        let github = GithubConfig::from_lookup(|name| (self.env)(name), user)?;
        for (key, variable, set, value) in [
            (
                "github.url",
                URL_VARIABLE,
                user.github.url.is_some(),
                &github.hosts.web,
            ),
            (
                "github.api_url",
                API_URL_VARIABLE,
                user.github.api_url.is_some(),
                &github.hosts.api,
            ),
        ] {
            let source = if self.env(variable).is_some() {
                Source::Env(variable.to_owned())
            } else if set {
                self.user_at(key)
            } else if let Some(web) = out.iter().find(|e| e.key == "github.url") {
                // An API base nobody set follows the web base (`URL/api/v3`).
                web.sources[0].clone()
            } else {
                Source::Default
            };
            out.push(entry(key.into(), mask_url(value).into(), vec![source]));
        }
        if let Some(source) = github.token_source {
            let source = match source {
                TokenSource::Env(name) => Source::Env(name.to_owned()),
                TokenSource::UserConfig => self.user_at("github.token"),
            };
            out.push(entry("github.token".into(), MASK.into(), vec![source]));
        }
        for (key, value) in [
            ("registry.standard_ref", &user.registry.standard_ref),
            ("registry.standard_sha256", &user.registry.standard_sha256),
        ] {
            if let Some(value) = value {
                let source = self.user_at(key);
                out.push(entry(key.into(), value.clone().into(), vec![source]));
            }
        }
        if let Some(root) = &user.verify.trusted_root {
            let key = "verify.trusted_root";
            let value = root.display().to_string();
            out.push(entry(key.into(), value.into(), vec![self.user_at(key)]));
        }
        let key = "verify.attestations_unavailable";
        let env = vx_net::verify::Unavailable::ENV;
        let unavailable = match ((self.env)(env), user.verify.attestations_unavailable) {
            (Some(value), _) => Some((value, Source::Env(env.to_owned()))),
            (None, Some(value)) => Some((value.name().to_owned(), self.user_at(key))),
            (None, None) => None,
        };
        if let Some((value, source)) = unavailable {
            out.push(entry(key.into(), value.into(), vec![source]));
        }
        let no_project = ProjectNet::default();
        let project = self.manifest.map_or(&no_project, |m| &m.network);
        for (rule, to, layer) in replacements(project, user) {
            let source = self.layer_source(layer, &format!("url_replacements.{rule}"));
            let key = dotted_key(&["url_replacements", rule]);
            out.push(entry(key, mask_url(to).into(), vec![source]));
        }
        let listed = mirrors(project, user, (self.env)(MIRRORS_ENV).as_deref());
        if !listed.is_empty() {
            let mut sources: Vec<Source> = Vec::new();
            for (_, layer) in &listed {
                let source = self.layer_source(*layer, "mirrors");
                if !sources.contains(&source) {
                    sources.push(source);
                }
            }
            let values = listed
                .iter()
                .map(|(m, _)| Value::String(mask_url(m)))
                .collect();
            out.push(entry("mirrors".into(), Value::Array(values), sources));
        }
        for (key, variables) in PROXY_VARIABLES {
            if let Some((variable, value)) = variables
                .iter()
                .find_map(|v| self.env(v).map(|value| (*v, value)))
            {
                out.push(entry(
                    (*key).into(),
                    mask_url(&value).into(),
                    vec![Source::Env(variable.to_owned())],
                ));
            }
        }
        if let Some((path, named)) = vx_net::credentials::netrc_path() {
            let source = if named {
                Source::Env("NETRC".to_owned())
            } else {
                Source::Default
            };
            out.push(entry(
                "netrc".into(),
                path.display().to_string().into(),
                vec![source],
            ));
        }
        self.task_cache(&mut out);
        Ok(out)
    }

    /// The task cache's settings (`vx_tasks::cache`): the registry from
    /// `VX_TASK_CACHE`, else the project, else the user config; the trusted keys, the
    /// salt and the size from the project (the size's default otherwise).
    fn task_cache(&self, out: &mut Vec<Entry>) {
        use vx_model::manifest::environment::{DEFAULT_TASK_CACHE_SIZE, TASK_CACHE_ENV};
        let settings = self.manifest.map(|m| &m.environment.task_cache);
        let remote = if let Some(value) = self.env(TASK_CACHE_ENV) {
            Some((value, Source::Env(TASK_CACHE_ENV.to_owned())))
        } else if let Some(value) = settings.and_then(|s| s.remote.clone()) {
            Some((value, self.project_at("task_cache")))
        } else {
            self.user
                .task_cache
                .clone()
                .map(|value| (value, self.user_at("task_cache")))
        };
        if let Some((value, source)) = remote {
            out.push(entry(
                "task_cache".into(),
                mask_url(&value).into(),
                vec![source],
            ));
        }
        let Some(settings) = settings else {
            out.push(entry(
                "task_cache_size".into(),
                DEFAULT_TASK_CACHE_SIZE.into(),
                vec![Source::Default],
            ));
            return;
        };
        if !settings.keys.is_empty() {
            let keys = settings
                .keys
                .iter()
                .map(|k| Value::String(vx_text::sanitize(k).into_owned()))
                .collect();
            out.push(entry(
                "task_cache_keys".into(),
                Value::Array(keys),
                vec![self.project_at("task_cache_keys")],
            ));
        }
        let size = match settings.size {
            Some(size) => (size, self.project_at("task_cache_size")),
            None => (DEFAULT_TASK_CACHE_SIZE, Source::Default),
        };
        out.push(entry("task_cache_size".into(), size.0.into(), vec![size.1]));
        if let Some(salt) = &settings.salt {
            out.push(entry(
                "task_cache_salt".into(),
                vx_text::sanitize(salt).into_owned().into(),
                vec![self.project_at("task_cache_salt")],
            ));
        }
    }
}

fn entry(key: String, value: Value, sources: Vec<Source>) -> Entry {
    Entry {
        key,
        value,
        sources,
    }
}

/// Whether `parts` (a key split by [`split_key`]) names one setting `vx config get`
/// knows, set or not; else why not (the reader's words for a key of the user config,
/// else the closest known key), the key itself not repeated.
pub(crate) fn check_known(parts: &[String]) -> Result<(), GetKeyError> {
    let names: Vec<&str> = parts.iter().map(String::as_str).collect();
    let fixed = KEYS.iter().any(|k| k.split('.').eq(names.iter().copied()));
    if fixed
        || matches!(
            names[..],
            ["http", "headers", _, _] | ["url_replacements", _]
        )
    {
        return Ok(());
    }
    let top_known = names.first().is_some_and(|top| check_key(&[top]).is_ok());
    if top_known && check_key(&names).is_ok() {
        return Err(GetKeyError::Table);
    }
    let nested = matches!(
        names[..],
        ["http", "headers", ..] | ["url_replacements", ..]
    );
    if !nested && let Some(k) = vx_model::manifest::suggest(&dotted_key(parts), KEYS) {
        return Err(GetKeyError::Unknown {
            suggestion: Some(k),
        });
    }
    if top_known {
        // The reader's words for a key of the user config's.
        check_key(&names)?;
    }
    Err(GetKeyError::Unknown { suggestion: None })
}

/// Why a key is not one setting `vx config get` knows (the key itself not repeated).
#[derive(Debug, thiserror::Error)]
pub enum GetKeyError {
    /// Not a key of the user config: the reader's words.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A table, where one setting is asked.
    #[error("a table: `vx config get` takes one setting (`vx config list` shows them all)")]
    Table,
    /// No setting of that name, perhaps a typo of one.
    #[error(
        "unknown key{} (`vx config list` shows the keys set)",
        suggestion.as_ref().map(|k| format!("; did you mean `{k}`?")).unwrap_or_default()
    )]
    Unknown {
        /// The closest known key.
        suggestion: Option<String>,
    },
}

/// `key` (as the user gave it) split by [`split_key`] and checked by [`check_known`],
/// in the form [`Entry::key`] has; else the message for it.
pub fn known_key(key: &str) -> Result<String, GetKeyError> {
    let parts = split_key(key)?;
    check_known(&parts)?;
    Ok(dotted_key(&parts))
}

/// `url` with any password (or a lone token) before its host masked, sanitized.
pub(crate) fn mask_url(url: &str) -> String {
    let masked = match url.split_once("://") {
        Some((scheme, rest)) => {
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let (authority, tail) = rest.split_at(end);
            match authority.rsplit_once('@') {
                Some((userinfo, host)) => {
                    let user = match userinfo.split_once(':') {
                        Some((user, _)) => format!("{user}:{MASK}"),
                        None => MASK.to_owned(),
                    };
                    format!("{scheme}://{user}@{host}{tail}")
                }
                None => url.to_owned(),
            }
        }
        None => url.to_owned(),
    };
    vx_text::sanitize(&masked).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_masked() {
        assert_eq!(
            mask_url("http://bob:s3cret@proxy.corp:3128"),
            "http://bob:***@proxy.corp:3128"
        );
        assert_eq!(mask_url("https://tok@h/x@y"), "https://***@h/x@y");
        assert_eq!(mask_url("https://h/x"), "https://h/x");
    }

    #[test]
    fn every_setting_says_where_it_came_from_and_hides_secrets() {
        let path = Path::new("/home/u/.config/vx/config.toml");
        let user = UserConfig::parse(
            path,
            "mirrors = [\"file:///u\"]\n[github]\ntoken = \"ghp_s3cret\"\n[http.headers.\"a.corp\"]\nAuthorization = \"Bearer s3cret\"\n",
        )
        .unwrap();
        let env = |name: &str| match name {
            "HTTPS_PROXY" => Some("http://bob:s3cret@proxy:3128".to_owned()),
            "VX_GITHUB_URL" => Some("https://ghe.corp".to_owned()),
            _ => None,
        };
        let layers = Layers {
            user: &user,
            user_path: path,
            manifest: None,
            env: &env,
        };
        let entries = layers.entries().unwrap();
        let find = |key: &str| entries.iter().find(|e| e.key == key).unwrap().clone();
        assert_eq!(find("github.token").plain(), "***");
        assert_eq!(
            find("github.token").source_text(),
            "user /home/u/.config/vx/config.toml:3"
        );
        assert_eq!(find("http.headers.\"a.corp\".Authorization").plain(), "***");
        assert_eq!(find("github.url").source_text(), "env VX_GITHUB_URL");
        assert_eq!(find("github.api_url").plain(), "https://ghe.corp/api/v3");
        assert_eq!(find("proxy.https").plain(), "http://bob:***@proxy:3128");
        assert_eq!(find("proxy.https").source_text(), "env HTTPS_PROXY");
        assert_eq!(
            find("mirrors").source_text(),
            "user /home/u/.config/vx/config.toml:1"
        );
        assert!(!format!("{entries:?}").contains("s3cret"));
        assert_eq!(
            known_key("http.headers.'a.corp'.Authorization").unwrap(),
            "http.headers.\"a.corp\".Authorization"
        );
        assert_eq!(known_key("proxy.https").unwrap(), "proxy.https");
        assert!(
            known_key("github.tokn")
                .unwrap_err()
                .to_string()
                .contains("did you mean `github.token`")
        );
        assert!(
            known_key("proxy.htps")
                .unwrap_err()
                .to_string()
                .contains("did you mean `proxy.https`")
        );
        assert!(
            known_key("github")
                .unwrap_err()
                .to_string()
                .contains("a table")
        );
        assert!(
            known_key("http.headers.a.corp.Authorization")
                .unwrap_err()
                .to_string()
                .contains("did you mean `http.headers.\"a.corp\".Authorization`")
        );
    }
}
