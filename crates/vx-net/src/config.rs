//! The network settings the client works with ([`NetConfig`]). Where they come from,
//! layer by layer (flags, the environment, the project, the user config), is
//! the business of the settings room above (`settings::network`).

use super::credentials::Credentials;
use super::proxy::ProxySettings;
use super::rewrite::UrlRewrites;
use super::trust::TrustSettings;

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
