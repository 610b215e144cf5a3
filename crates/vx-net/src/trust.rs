//! Which certificate authorities vx trusts for https, so that a private CA or a
//! TLS-inspecting proxy works as it does for curl:
//!
//! - **the operating system's store** (`rustls-native-certs`: the bundle and hashed
//!   directory OpenSSL would use on Linux and the BSDs, the ROOT store on Windows; on
//!   macOS the keychains read through `/usr/bin/security`, `super::keychain`),
//!   unless `SSL_CERT_FILE` or `SSL_CERT_DIR` is set;
//! - **`SSL_CERT_FILE`**: a PEM file that *replaces* the system store (OpenSSL's meaning
//!   of a CA file named explicitly);
//! - **`SSL_CERT_DIR`**: hashed directories (`openssl rehash`), `:`-separated (`;` on
//!   Windows), that also replace the system store; with `SSL_CERT_FILE`, both count;
//! - **`[http] ca_certificates`** (user config): PEM files *added* to whichever of the
//!   above is in force: the way to trust a company CA on top of the system's.
//!
//! The store is loaded once per set of settings and only when an https request is made
//! ([`TrustSettings::tls_config`]), so a run that fetches nothing over https never
//! pays for it; the loaded roots live with the settings (every clone of them shares
//! them), not in a process-wide registry. A configured file that cannot be read or holds no usable certificate
//! is an error naming it ([`TrustError`]); an empty system store with nothing else
//! configured is said as such rather than left to fail as "UnknownIssuer".

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use rustls::pki_types::CertificateDer;
use ureq::tls::{Certificate, RootCerts, TlsConfig};

pub use super::certs::TrustError;
use super::certs::{hashed_dir, pem_file};

/// Where trusted certificates come from. `Default`: the system store alone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustSettings {
    /// `SSL_CERT_FILE`: a PEM file replacing the system store.
    pub cert_file: Option<PathBuf>,
    /// `SSL_CERT_DIR`: hashed directories replacing the system store.
    pub cert_dirs: Vec<PathBuf>,
    /// `[http] ca_certificates`: PEM files of extra CAs, added to the rest.
    pub ca_certificates: Vec<PathBuf>,
    /// The roots these settings loaded, once, shared by every clone.
    pub loaded: LoadedRoots,
}

/// The certificates one [`TrustSettings`] loaded, or why it could not.
type Loaded = Result<Arc<Vec<Certificate<'static>>>, Arc<TrustError>>;

/// The roots a [`TrustSettings`] loaded on its first https request, shared by its
/// clones (the network settings are cloned into every client of a run). Not part of
/// what the settings say: two settings naming the same sources are equal whether or
/// not either has loaded them.
#[derive(Clone, Default)]
pub struct LoadedRoots(Arc<OnceLock<Loaded>>);

impl PartialEq for LoadedRoots {
    fn eq(&self, _: &LoadedRoots) -> bool {
        true
    }
}

impl Eq for LoadedRoots {}

impl std::fmt::Debug for LoadedRoots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = if self.0.get().is_some() {
            "loaded"
        } else {
            "not loaded"
        };
        f.write_str(state)
    }
}

/// What the operating system's store gave: its certificates, and the problems its
/// loader met (reported only when they leave it empty).
pub(crate) struct SystemStore {
    /// The certificates.
    pub certs: Vec<CertificateDer<'static>>,
    /// Problems met while loading, for a message.
    pub errors: Vec<String>,
}

impl SystemStore {
    /// The operating system's store, read now: `rustls-native-certs` on Linux and
    /// Windows.
    #[cfg(not(target_os = "macos"))]
    fn load() -> SystemStore {
        let result = rustls_native_certs::load_native_certs();
        SystemStore {
            certs: result.certs,
            errors: result.errors.iter().map(ToString::to_string).collect(),
        }
    }

    /// The operating system's store, read now: the keychains on macOS
    /// ([`super::keychain`]).
    #[cfg(target_os = "macos")]
    fn load() -> SystemStore {
        let result = super::keychain::load();
        SystemStore {
            certs: result.certs,
            errors: result.errors,
        }
    }
}

impl TrustSettings {
    /// The settings of this process's environment (`SSL_CERT_FILE`, `SSL_CERT_DIR`;
    /// an empty value is unset) with the user config's `ca_certificates`.
    pub fn from_env(ca_certificates: Vec<PathBuf>) -> TrustSettings {
        let set = |name| std::env::var_os(name).filter(|value| !value.is_empty());
        TrustSettings {
            cert_file: set("SSL_CERT_FILE").map(PathBuf::from),
            cert_dirs: set("SSL_CERT_DIR")
                .map(|dirs| {
                    std::env::split_paths(&dirs)
                        .filter(|dir| !dir.as_os_str().is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            ca_certificates,
            loaded: LoadedRoots::default(),
        }
    }

    /// Whether the operating system's store is part of the trust (neither
    /// `SSL_CERT_FILE` nor `SSL_CERT_DIR` replaces it).
    pub(crate) fn uses_system_store(&self) -> bool {
        self.cert_file.is_none() && self.cert_dirs.is_empty()
    }

    /// The trust in use, for a message: "the system store",
    /// "SSL_CERT_FILE=/x.pem", "the system store and `[http] ca_certificates` /a.pem".
    pub(crate) fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.uses_system_store() {
            parts.push("the system store".to_owned());
        }
        if let Some(file) = &self.cert_file {
            parts.push(format!("SSL_CERT_FILE={}", file.display()));
        }
        if !self.cert_dirs.is_empty() {
            let dirs = std::env::join_paths(&self.cert_dirs)
                .map(|joined| joined.to_string_lossy().into_owned())
                .unwrap_or_else(|_| format!("{:?}", self.cert_dirs));
            parts.push(format!("SSL_CERT_DIR={dirs}"));
        }
        if !self.ca_certificates.is_empty() {
            let files: Vec<String> = self
                .ca_certificates
                .iter()
                .map(|file| file.display().to_string())
                .collect();
            parts.push(format!("[http] ca_certificates {}", files.join(", ")));
        }
        vx_text::sanitize(&parts.join(" and ")).into_owned()
    }

    /// The TLS configuration for the HTTP client: the roots of these settings, loaded
    /// on the first call and shared by every later one (and every clone).
    pub(crate) fn tls_config(&self) -> Result<TlsConfig, Arc<TrustError>> {
        let roots = self.roots()?;
        Ok(TlsConfig::builder()
            .root_certs(RootCerts::Specific(roots))
            .build())
    }

    /// The trusted roots, loaded once for these settings.
    fn roots(&self) -> Loaded {
        self.loaded
            .0
            .get_or_init(|| {
                self.load(SystemStore::load)
                    .map(|certs| {
                        let certs = certs.iter().map(|c| Certificate::from_der(c).to_owned());
                        Arc::new(certs.collect())
                    })
                    .map_err(Arc::new)
            })
            .clone()
    }

    /// Reads every source these settings name, with `system` for the operating
    /// system's store (read only when it is in force).
    pub(crate) fn load(
        &self,
        system: impl FnOnce() -> SystemStore,
    ) -> Result<Vec<CertificateDer<'static>>, TrustError> {
        let mut certs = Vec::new();
        if self.uses_system_store() {
            let store = system();
            if store.certs.is_empty() && self.ca_certificates.is_empty() {
                let detail = if store.errors.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", store.errors.join("; "))
                };
                return Err(TrustError::EmptySystemStore {
                    detail: vx_text::sanitize(&detail).into_owned(),
                });
            }
            certs.extend(store.certs);
        }
        if let Some(file) = &self.cert_file {
            certs.extend(pem_file("SSL_CERT_FILE", file)?);
        }
        for dir in &self.cert_dirs {
            certs.extend(hashed_dir("SSL_CERT_DIR", dir)?);
        }
        certs.extend(ca_certificates(&self.ca_certificates)?);
        Ok(certs)
    }
}

/// The certificates of the `[http] ca_certificates` files, each read and checked:
/// what [`TrustSettings::load`] adds, and what `vx config set` checks before it writes
/// such a file's path.
pub fn ca_certificates(files: &[PathBuf]) -> Result<Vec<CertificateDer<'static>>, TrustError> {
    let mut certs = Vec::new();
    for file in files {
        certs.extend(pem_file("[http] ca_certificates", file)?);
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// A self-signed CA certificate (tests/data/test-ca.pem, made once with
    /// `openssl req -x509 -newkey ec`, valid for a century; its key was not kept) copied
    /// into `dir`: a PEM file on every platform, Wine included, with no tool to run.
    fn test_ca(dir: &Path) -> PathBuf {
        let cert = dir.join("ca.pem");
        std::fs::write(&cert, include_str!("../../../tests/data/test-ca.pem")).unwrap();
        cert
    }

    fn no_system() -> SystemStore {
        SystemStore {
            certs: Vec::new(),
            errors: Vec::new(),
        }
    }

    #[test]
    fn the_trust_is_described_by_what_is_in_force() {
        let mut settings = TrustSettings::default();
        assert_eq!(settings.describe(), "the system store");
        settings.ca_certificates = vec!["/a.pem".into(), "/b.pem".into()];
        assert_eq!(
            settings.describe(),
            "the system store and [http] ca_certificates /a.pem, /b.pem"
        );
        settings.cert_file = Some("/x.pem".into());
        settings.ca_certificates.clear();
        assert_eq!(settings.describe(), "SSL_CERT_FILE=/x.pem");
        settings.cert_dirs = vec!["/d".into()];
        assert_eq!(
            settings.describe(),
            "SSL_CERT_FILE=/x.pem and SSL_CERT_DIR=/d"
        );
    }

    #[test]
    fn ca_certificates_are_added_to_the_system_store() {
        let dir = tempfile::tempdir().unwrap();
        let ca = test_ca(dir.path());
        let ca_der = pem_file("test", &ca).unwrap();
        let system_cert = ca_der[0].clone();
        let settings = TrustSettings {
            ca_certificates: vec![ca.clone()],
            ..TrustSettings::default()
        };
        let certs = settings
            .load(|| SystemStore {
                certs: vec![system_cert.clone()],
                errors: Vec::new(),
            })
            .unwrap();
        assert_eq!(certs.len(), 2, "the system's and the configured one");
        // With the system store empty, the configured CA alone is enough.
        assert_eq!(settings.load(no_system).unwrap(), ca_der);
        assert!(settings.tls_config().is_ok());
    }

    #[test]
    fn the_store_is_loaded_once_per_process() {
        let dir = tempfile::tempdir().unwrap();
        let ca = test_ca(dir.path());
        let settings = TrustSettings {
            cert_file: Some(ca.clone()),
            ..TrustSettings::default()
        };
        assert!(settings.tls_config().is_ok());
        // Gone from disk, yet the process keeps what it loaded: it is not read again.
        std::fs::remove_file(&ca).unwrap();
        assert!(settings.clone().tls_config().is_ok());
    }

    #[test]
    fn ssl_cert_file_replaces_the_system_store() {
        let dir = tempfile::tempdir().unwrap();
        let ca = test_ca(dir.path());
        let settings = TrustSettings {
            cert_file: Some(ca.clone()),
            ..TrustSettings::default()
        };
        let certs = settings
            .load(|| panic!("the system store is not read when SSL_CERT_FILE is set"))
            .unwrap();
        assert_eq!(certs, pem_file("test", &ca).unwrap());
    }

    #[test]
    fn an_empty_system_store_with_nothing_else_is_said_so() {
        let err = TrustSettings::default().load(no_system).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("the system certificate store is empty"),
            "{text}"
        );
        assert!(
            text.contains("SSL_CERT_FILE or [http] ca_certificates"),
            "{text}"
        );
        let err = TrustSettings::default()
            .load(|| SystemStore {
                certs: Vec::new(),
                errors: vec!["opening directory: denied at '/etc/ssl/certs'".into()],
            })
            .unwrap_err();
        assert!(
            err.to_string().contains("(opening directory: denied"),
            "{err}"
        );
    }

    #[test]
    fn an_unreadable_ca_file_is_an_error_naming_it() {
        let settings = TrustSettings {
            ca_certificates: vec!["/nonexistent/corp-ca.pem".into()],
            ..TrustSettings::default()
        };
        let err = settings.tls_config().unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("[http] ca_certificates /nonexistent/corp-ca.pem: cannot read it"),
            "{text}"
        );
    }
}
