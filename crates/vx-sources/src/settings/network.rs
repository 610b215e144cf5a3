//! The effective network settings ([`NetConfig`]): flags over the environment over the
//! project (`[settings]` of vx.toml) over the user config ([`vx_model::user_config`]).
//!
//! How the layers combine, key by key:
//!
//! - `url_replacements`: the project's rules first, then the user's (a key the project
//!   has is not taken again from the user); the first rule that matches a URL wins.
//! - `mirrors`: `vx sync --mirror` first; then `VX_MIRRORS` (comma- or
//!   space-separated; empty: none), which replaces both configured lists; else the
//!   project's, then the user's; duplicates dropped.
//! - `[http]` (`ca_certificates`, per-host `headers`), netrc, `[github]` and
//!   `[registry]`: the user config and the environment only; vx.toml never holds
//!   credentials.
//! - Proxies and `SSL_CERT_FILE`/`SSL_CERT_DIR`: the environment.

use thiserror::Error;

use crate::github::GithubConfig;
use vx_base::validate;
use vx_model::manifest::network::ProjectNet;
use vx_model::user_config::{UserConfig, UserConfigError};
use vx_net::NetConfig;
use vx_net::credentials::{Credentials, CredentialsError, read_netrc};
use vx_net::proxy::ProxySettings;
use vx_net::rewrite::UrlRewrites;
use vx_net::trust::TrustSettings;

/// The environment variable whose mirrors replace the configured ones.
pub(crate) const MIRRORS_ENV: &str = "VX_MIRRORS";

/// Why the network settings could not be made.
#[derive(Debug, Error)]
pub enum NetConfigError {
    /// The user config is unreadable or invalid.
    #[error(transparent)]
    UserConfig(#[from] UserConfigError),
    /// The credentials cannot be made (netrc unreadable, a header's variable unset).
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    /// A setting is invalid (an environment variable, a project setting).
    #[error("{0}")]
    Invalid(String),
    /// A `[github]` setting cannot be used.
    #[error(transparent)]
    Github(#[from] crate::github::GithubError),
    /// A `[http] ca_certificates` file cannot be used.
    #[error(transparent)]
    Trust(#[from] vx_net::trust::TrustError),
}

/// Where an effective value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layer {
    /// A command-line flag.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// The project's vx.toml.
    Project,
    /// The user config.
    User,
}

/// The settings of this process's environment, the project's `project` and the user
/// config (read from its file, once).
pub fn load(project: &ProjectNet) -> Result<NetConfig, NetConfigError> {
    merged(project, &UserConfig::load()?)
}

/// The settings of this process's environment, `project` and `user`, combined as the
/// module's doc says.
pub fn merged(project: &ProjectNet, user: &UserConfig) -> Result<NetConfig, NetConfigError> {
    let env = |name: &str| std::env::var(name).ok();
    let netrc = read_netrc()?;
    combine(
        project,
        user,
        &env,
        netrc.as_ref().map(|(p, t)| (p.as_path(), t.as_str())),
    )
}

/// Whether the user config's own network and GitHub settings can be used, whatever the
/// environment and the project: its `url_replacements`, `mirrors` and `[http] headers`
/// through the code every command makes the settings with ([`merged`], with no
/// environment and no netrc: a header's `${VAR}` is needed only by a request to its
/// host), its `[github]` URLs through [`GithubConfig`]'s, and its `[http]
/// ca_certificates` read as an https request reads them. What `vx config set` and
/// `unset` check before they write the file, and what `vx doctor` reports.
pub(crate) fn check_user(user: &UserConfig) -> Result<(), NetConfigError> {
    combine(&ProjectNet::default(), user, &|_| None, None)?;
    GithubConfig::from_lookup(|_| None, user)?;
    vx_net::trust::ca_certificates(&user.http.ca_certificates)?;
    Ok(())
}

/// What [`check_user`] refuses in `user`, setting by setting (each `[github]` URL,
/// each header, each CA file, each `url_replacements` rule, the mirrors), each checked
/// by [`check_user`] alone: every problem, not only the first, so that an edit can be
/// told to add one (refused) from one that leaves or removes those already there
/// (allowed: `unset` is the way out of a file that holds two).
pub fn problems(user: &UserConfig) -> Vec<String> {
    use vx_model::user_config::{GithubSection, HttpSection};
    let mut parts = vec![
        UserConfig {
            github: GithubSection {
                url: user.github.url.clone(),
                ..GithubSection::default()
            },
            ..UserConfig::default()
        },
        UserConfig {
            github: GithubSection {
                api_url: user.github.api_url.clone(),
                ..GithubSection::default()
            },
            ..UserConfig::default()
        },
        UserConfig {
            mirrors: user.mirrors.clone(),
            ..UserConfig::default()
        },
    ];
    for rule in &user.url_replacements {
        parts.push(UserConfig {
            url_replacements: vec![rule.clone()],
            ..UserConfig::default()
        });
    }
    for ca in &user.http.ca_certificates {
        parts.push(UserConfig {
            http: HttpSection {
                ca_certificates: vec![ca.clone()],
                ..HttpSection::default()
            },
            ..UserConfig::default()
        });
    }
    for (host, headers) in &user.http.headers {
        for (name, value) in headers {
            let one = [(name.clone(), value.clone())].into_iter().collect();
            parts.push(UserConfig {
                http: HttpSection {
                    headers: [(host.clone(), one)].into_iter().collect(),
                    ..HttpSection::default()
                },
                ..UserConfig::default()
            });
        }
    }
    let mut out: Vec<String> = Vec::new();
    for part in &parts {
        if let Err(err) = check_user(part) {
            let err = err.to_string();
            if !out.contains(&err) {
                out.push(err);
            }
        }
    }
    out
}

/// [`merged`] with `env` for the environment and `netrc` (its path and text) for the
/// netrc file.
fn combine(
    project: &ProjectNet,
    user: &UserConfig,
    env: &dyn Fn(&str) -> Option<String>,
    netrc: Option<(&std::path::Path, &str)>,
) -> Result<NetConfig, NetConfigError> {
    let rules = replacements(project, user);
    let rewrites = UrlRewrites::new(rules.iter().map(|(k, v, _)| (*k, *v)))
        .map_err(|e| NetConfigError::Invalid(format!("url_replacements: {e}")))?;
    let env_mirrors = env(MIRRORS_ENV);
    let mirrors = mirrors(project, user, env_mirrors.as_deref())
        .into_iter()
        .map(|(m, _)| m)
        .collect::<Vec<_>>();
    if env_mirrors.is_some() {
        for mirror in &mirrors {
            validate::mirror(mirror).map_err(|why| {
                NetConfigError::Invalid(format!(
                    "{MIRRORS_ENV}: {}: {why}",
                    vx_net::url::display_url(mirror)
                ))
            })?;
        }
    }
    let headers = user.http.headers.iter().flat_map(|(host, names)| {
        names
            .iter()
            .map(move |(name, value)| (host.as_str(), name.as_str(), value))
    });
    // npm's tokens of the user's `.npmrc` (`//host/path/:_authToken=…`) go to the
    // URLs under their prefix: a private registry's documents and tarballs alike.
    let npm_tokens = crate::backend::npmrc::Npmrc::load(None, env).auth_prefixes();
    let credentials = Credentials::new(headers, env, netrc)?.with_prefixes(npm_tokens);
    Ok(NetConfig {
        trust: TrustSettings::from_env(user.http.ca_certificates.clone()),
        proxies: ProxySettings::from_env(),
        credentials,
        rewrites,
        mirrors,
    })
}

/// The `url_replacements` rules in the order they are tried, with their layer: the
/// project's, then the user's whose keys the project does not have.
pub(crate) fn replacements<'a>(
    project: &'a ProjectNet,
    user: &'a UserConfig,
) -> Vec<(&'a str, &'a str, Layer)> {
    let mut out: Vec<(&str, &str, Layer)> = project
        .url_replacements
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str(), Layer::Project))
        .collect();
    for (k, v) in &user.url_replacements {
        if !out.iter().any(|(key, _, _)| key == k) {
            out.push((k, v, Layer::User));
        }
    }
    out
}

/// The mirrors in the order they are tried, each with its layer: `env` (the value of
/// [`MIRRORS_ENV`], when set) alone, else the project's then the user's, duplicates
/// dropped.
pub(crate) fn mirrors(
    project: &ProjectNet,
    user: &UserConfig,
    env: Option<&str>,
) -> Vec<(String, Layer)> {
    let flags = project
        .flag_mirrors
        .iter()
        .map(|m| (m.clone(), Layer::Flag("--mirror")));
    let configured: Vec<(String, Layer)> = match env {
        Some(value) => value
            .split([',', ' ', '\t', '\n'])
            .filter(|m| !m.is_empty())
            .map(|m| (m.to_owned(), Layer::Env(MIRRORS_ENV)))
            .collect(),
        None => project
            .mirrors
            .iter()
            .map(|m| (m.clone(), Layer::Project))
            .chain(user.mirrors.iter().map(|m| (m.clone(), Layer::User)))
            .collect(),
    };
    let listed = flags.chain(configured);
    let mut out: Vec<(String, Layer)> = Vec::new();
    for (mirror, layer) in listed {
        if !out.iter().any(|(m, _)| *m == mirror) {
            out.push((mirror, layer));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(text: &str) -> UserConfig {
        UserConfig::parse(std::path::Path::new("/c/config.toml"), text).unwrap()
    }

    #[test]
    fn every_refused_network_setting_is_a_problem_of_its_own() {
        let both = user(
            "[github]\nurl = \"notaurl\"\napi_url = \"ftp://x\"\n[http.headers.\"a.corp\"]\nX = \"${UNSET_HERE}\"\n[http.headers.\"b corp\"]\nX = \"v\"\n",
        );
        let found = problems(&both);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].starts_with("[github] url:"), "{found:?}");
        assert!(found[1].starts_with("[github] api_url:"), "{found:?}");
        assert!(
            found[2].contains("the key must be a host name"),
            "{found:?}"
        );
        assert!(check_user(&both).is_err());
        // A header's unset variable is a request's business, not the file's.
        let fine = user("[http.headers.\"a.corp\"]\nX = \"Bearer ${UNSET_HERE}\"\n");
        assert!(problems(&fine).is_empty() && check_user(&fine).is_ok());
    }

    #[test]
    fn the_project_comes_before_the_user() {
        let project = ProjectNet {
            url_replacements: vec![("https://a/".into(), "https://p/".into())],
            mirrors: vec!["file:///p".into(), "file:///both".into()],
            flag_mirrors: Vec::new(),
        };
        let user = user(
            "mirrors = [\"file:///both\", \"file:///u\"]\n[url_replacements]\n\"https://a/\" = \"https://u/\"\n\"https://b/\" = \"https://u2/\"\n",
        );
        let rules = replacements(&project, &user);
        assert_eq!(
            rules,
            vec![
                ("https://a/", "https://p/", Layer::Project),
                ("https://b/", "https://u2/", Layer::User)
            ]
        );
        let listed: Vec<String> = mirrors(&project, &user, None)
            .into_iter()
            .map(|m| m.0)
            .collect();
        assert_eq!(listed, ["file:///p", "file:///both", "file:///u"]);
        let env = mirrors(&project, &user, Some("file:///e, oci://r.corp/vx"));
        assert_eq!(
            env,
            vec![
                ("file:///e".to_owned(), Layer::Env(MIRRORS_ENV)),
                ("oci://r.corp/vx".to_owned(), Layer::Env(MIRRORS_ENV))
            ]
        );
        assert!(mirrors(&project, &user, Some("")).is_empty());
        // `--mirror` comes first, whatever VX_MIRRORS says.
        let flagged = ProjectNet {
            flag_mirrors: vec!["file:///f".into()],
            ..project
        };
        let listed: Vec<(String, Layer)> = mirrors(&flagged, &user, Some("file:///e"));
        assert_eq!(
            listed,
            vec![
                ("file:///f".to_owned(), Layer::Flag("--mirror")),
                ("file:///e".to_owned(), Layer::Env(MIRRORS_ENV))
            ]
        );
    }
}
