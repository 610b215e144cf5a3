//! Where GitHub is and which token to send it: from the environment first, then the
//! user config's `[github]` ([`vx_model::user_config`]).

use std::fmt;

use super::GithubError;
use crate::github::hosts::GithubHosts;
use vx_base::validate::{self, Scheme};
use vx_model::user_config::UserConfig;

pub use vx_base::secret::Token;

/// The variables a token is read from, in precedence order.
pub const TOKEN_VARIABLES: [&str; 2] = ["GITHUB_TOKEN", "GH_TOKEN"];
/// The variable naming GitHub's web base (a GitHub Enterprise Server's).
pub const URL_VARIABLE: &str = "VX_GITHUB_URL";
/// The variable naming GitHub's API base.
pub const API_URL_VARIABLE: &str = "VX_GITHUB_API_URL";

/// Where the token in use came from, for messages that say which one to change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenSource {
    /// An environment variable (`GITHUB_TOKEN` or `GH_TOKEN`).
    Env(&'static str),
    /// The user config's `[github] token`.
    UserConfig,
}

impl fmt::Display for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::Env(name) => f.write_str(name),
            TokenSource::UserConfig => f.write_str("the user config's [github] token"),
        }
    }
}

/// Where GitHub is and the token for it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GithubConfig {
    /// The web and API bases.
    pub hosts: GithubHosts,
    /// The token, if any.
    pub token: Option<Token>,
    /// Where the token came from.
    pub token_source: Option<TokenSource>,
    /// How long a cached answer (an API answer, a runtime's index or checksum file) is
    /// used without asking its server again: [`FRESH_FOR`], or
    /// [`FRESH_FOR_VARIABLE`]; zero (the default of a config built by hand) always
    /// revalidates.
    pub fresh_for: std::time::Duration,
}

/// The variable that sets [`GithubConfig::fresh_for`]: an age such as `5m`, `30s`, or
/// `0` to revalidate every answer.
pub const FRESH_FOR_VARIABLE: &str = "VX_INDEX_MAX_AGE";

/// How long a cached answer is used without a request, by default: long enough that a
/// `vx lock` then `vx sync` (or a CI job's few commands) ask nothing twice, short
/// enough that a release published a few minutes ago is seen. Adoptium's API says
/// `max-age=120` of its own answers, GitHub's `max-age=60`; a lock is rarely redone
/// within minutes for any other reason than a retry.
pub const FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(5 * 60);

impl GithubConfig {
    /// From this process's environment and `user`: `VX_GITHUB_URL` /
    /// `VX_GITHUB_API_URL`, then `[github] url` / `api_url`; the token from
    /// `GITHUB_TOKEN`, then `GH_TOKEN`, then `[github] token`. An empty variable is
    /// unset.
    pub fn from_env(user: &UserConfig) -> Result<GithubConfig, GithubError> {
        GithubConfig::from_lookup(|name| std::env::var(name).ok(), user)
    }

    /// [`GithubConfig::from_env`] with `env` in place of the environment.
    pub(crate) fn from_lookup(
        env: impl Fn(&str) -> Option<String>,
        user: &UserConfig,
    ) -> Result<GithubConfig, GithubError> {
        let env = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let setting =
            |variable: &'static str, key: &'static str, value: Option<&String>| match env(variable)
            {
                Some(url) => base_url(variable, url).map(Some),
                None => value.map(|url| base_url(key, url.clone())).transpose(),
            };
        let web = setting(URL_VARIABLE, "[github] url", user.github.url.as_ref())?;
        let api = setting(
            API_URL_VARIABLE,
            "[github] api_url",
            user.github.api_url.as_ref(),
        )?;
        let hosts = match (&web, &api) {
            (None, None) => GithubHosts::default(),
            (web, api) => GithubHosts::new(
                web.as_deref().unwrap_or(crate::github::hosts::GITHUB_WEB),
                api.as_deref(),
            ),
        };
        let mut token = None;
        for variable in TOKEN_VARIABLES {
            if let Some(value) = env(variable) {
                let parsed = Token::new(&value).ok_or(GithubError::Setting {
                    setting: variable,
                    problem: "a GitHub token is visible ASCII without spaces",
                })?;
                token = Some((parsed, TokenSource::Env(variable)));
                break;
            }
        }
        if token.is_none() {
            token = user
                .github
                .token
                .clone()
                .map(|t| (t, TokenSource::UserConfig));
        }
        let (token, token_source) = token.unzip();
        let fresh_for = match env(FRESH_FOR_VARIABLE) {
            Some(age) => {
                vx_base::utc::parse_age_or_seconds(&age).map_err(|_| GithubError::Setting {
                    setting: FRESH_FOR_VARIABLE,
                    problem: "an age such as 5m, 30s or 0 (revalidate every answer)",
                })?
            }
            None => FRESH_FOR,
        };
        Ok(GithubConfig {
            hosts,
            token,
            token_source,
            fresh_for,
        })
    }
}

/// A base URL from `setting`: http or https.
fn base_url(setting: &'static str, url: String) -> Result<String, GithubError> {
    match validate::url(&url) {
        Ok(Scheme::Http | Scheme::Https) => Ok(url),
        _ => Err(GithubError::Setting {
            setting,
            problem: "must be an http:// or https:// URL",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vx_model::user_config::GithubSection;

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn the_freshness_window_is_five_minutes_unless_the_variable_says_otherwise() {
        let window = |vars: &[(&str, &str)]| {
            GithubConfig::from_lookup(lookup(vars), &UserConfig::default()).map(|c| c.fresh_for)
        };
        let secs = std::time::Duration::from_secs;
        assert_eq!(window(&[]).unwrap(), FRESH_FOR);
        assert_eq!(window(&[(FRESH_FOR_VARIABLE, "0")]).unwrap(), secs(0));
        assert_eq!(window(&[(FRESH_FOR_VARIABLE, "90")]).unwrap(), secs(90));
        assert_eq!(
            window(&[(FRESH_FOR_VARIABLE, "1h 30m")]).unwrap(),
            secs(5400)
        );
        assert_eq!(window(&[(FRESH_FOR_VARIABLE, " ")]).unwrap(), FRESH_FOR);
        let err = window(&[(FRESH_FOR_VARIABLE, "soon")]).unwrap_err();
        assert!(
            err.to_string().starts_with("VX_INDEX_MAX_AGE: an age"),
            "{err}"
        );
        assert!(window(&[(FRESH_FOR_VARIABLE, "-5m")]).is_err());
    }

    fn user(url: Option<&str>, api: Option<&str>, token: Option<&str>) -> UserConfig {
        UserConfig {
            github: GithubSection {
                url: url.map(str::to_owned),
                api_url: api.map(str::to_owned),
                token: token.and_then(Token::new),
            },
            ..UserConfig::default()
        }
    }

    #[test]
    fn the_environment_comes_before_the_user_config() {
        let user = user(
            Some("https://ghe.corp"),
            Some("https://api.ghe.corp"),
            Some("from-config"),
        );
        let config = GithubConfig::from_lookup(
            lookup(&[
                ("VX_GITHUB_URL", "http://127.0.0.1:9/"),
                ("GH_TOKEN", "gh"),
                ("GITHUB_TOKEN", "github"),
            ]),
            &user,
        )
        .unwrap();
        assert_eq!(config.hosts.web, "http://127.0.0.1:9");
        assert_eq!(config.hosts.api, "https://api.ghe.corp");
        assert_eq!(config.token, Token::new("github"));
        assert_eq!(config.token_source, Some(TokenSource::Env("GITHUB_TOKEN")));

        let config = GithubConfig::from_lookup(lookup(&[("GITHUB_TOKEN", "")]), &user).unwrap();
        assert_eq!(config.hosts.web, "https://ghe.corp");
        assert_eq!(config.token, Token::new("from-config"));
        assert_eq!(config.token_source, Some(TokenSource::UserConfig));

        let config = GithubConfig::from_lookup(lookup(&[]), &UserConfig::default()).unwrap();
        assert_eq!(config.hosts, GithubHosts::default());
        assert_eq!(config.token, None);
    }

    #[test]
    fn a_bad_setting_is_named_and_a_bad_token_not_shown() {
        let err = GithubConfig::from_lookup(
            lookup(&[("VX_GITHUB_URL", "file:///x")]),
            &user(None, None, None),
        )
        .unwrap_err();
        assert!(err.to_string().contains("VX_GITHUB_URL"), "{err}");
        let err = GithubConfig::from_lookup(
            lookup(&[("GH_TOKEN", "secret with spaces")]),
            &UserConfig::default(),
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("GH_TOKEN") && !msg.contains("secret"), "{msg}");
    }

    #[test]
    fn a_token_never_shows() {
        let token = Token::new(" ghp_secret\n").unwrap();
        assert_eq!(format!("{token} {token:?}"), "*** ***");
        assert_eq!(token.bearer(), "Bearer ghp_secret");
        let config = GithubConfig {
            token: Some(token),
            ..GithubConfig::default()
        };
        assert!(!format!("{config:?}").contains("ghp_secret"));
        assert_eq!(Token::new("  "), None);
    }
}
