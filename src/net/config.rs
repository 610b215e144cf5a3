//! The effective network settings: flags over the environment over the project
//! (`[settings]` of vx.toml) over the user config ([`crate::user_config`]).

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::credentials::Credentials;
use super::proxy::ProxySettings;
use super::rewrite::UrlRewrites;
use super::trust::TrustSettings;
use crate::user_config::{UserConfig, UserConfigError};

/// The network settings a project may hold (vx.toml's `[settings]`), never
/// credentials. A `vx sync` child receives them in its config frame.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectNet {
    /// `url_replacements`, in the file's order: (key, replacement).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub url_replacements: Vec<(String, String)>,
    /// `mirrors`, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mirrors: Vec<String>,
}

impl ProjectNet {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.url_replacements.is_empty() && self.mirrors.is_empty()
    }
}

/// Why the network settings could not be made.
#[derive(Debug, Error)]
pub enum NetConfigError {
    /// The user config is unreadable or invalid.
    #[error(transparent)]
    UserConfig(#[from] UserConfigError),
    /// A setting is invalid (an environment variable, a project setting).
    #[error("{0}")]
    Invalid(String),
}

/// Everything the client needs to know about the network it is on.
#[derive(Clone, Debug, Default)]
pub struct NetConfig {
    /// Which certificate authorities are trusted.
    pub trust: TrustSettings,
    /// Which proxy each URL goes through.
    pub proxies: ProxySettings,
    /// Credentials per host.
    pub credentials: Credentials,
    /// `url_replacements`.
    pub rewrites: UrlRewrites,
    /// Content-addressed mirrors, in the order they are tried.
    pub mirrors: Vec<String>,
}

impl NetConfig {
    /// The settings of this process's environment and `user`'s config.
    pub fn from_env(user: &UserConfig) -> NetConfig {
        let _ = user;
        NetConfig {
            // `[http] ca_certificates` of the user config joins here once it has it.
            trust: TrustSettings::from_env(Vec::new()),
            proxies: ProxySettings::from_env(),
            ..NetConfig::default()
        }
    }

    /// The settings of this process's environment, the project's `project` and the
    /// user config (read from its file).
    pub fn load(project: &ProjectNet) -> Result<NetConfig, NetConfigError> {
        let user = UserConfig::load()?;
        let mut config = NetConfig::from_env(&user);
        config.mirrors = project.mirrors.clone();
        Ok(config)
    }
}
