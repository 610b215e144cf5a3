//! Which certificate authorities vx trusts for https: the operating system's store,
//! `SSL_CERT_FILE`, `SSL_CERT_DIR`, and the user config's `[http] ca_certificates`.

use std::path::PathBuf;

/// Where trusted certificates come from, beyond the operating system's store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustSettings {
    /// `[http] ca_certificates`: PEM files of extra CAs.
    pub ca_certificates: Vec<PathBuf>,
}

impl TrustSettings {
    /// The TLS configuration for the HTTP client.
    pub fn tls_config(&self) -> ureq::tls::TlsConfig {
        ureq::tls::TlsConfig::default()
    }

    /// The trust in use, for an error message ("the system store and /etc/corp.pem").
    pub fn describe(&self) -> String {
        "the certificates built into vx".to_owned()
    }
}
