//! Reading CA certificates from the files a user names: a PEM file (`SSL_CERT_FILE`,
//! `[http] ca_certificates`) or an OpenSSL hashed directory (`SSL_CERT_DIR`). Strict,
//! because a CA the user configured and vx silently skipped would surface later as an
//! unexplained "UnknownIssuer": a file that cannot be read, is too large, holds no
//! certificate or holds one that is not a usable trust anchor is an error naming it.

use std::path::{Path, PathBuf};

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use thiserror::Error;

/// The largest certificate file read (the biggest system bundles are under 1 MiB); a
/// larger one, or a device that never ends, is refused rather than read forever.
pub(crate) const MAX_CERT_FILE_BYTES: u64 = 16 << 20;

/// Why the configured trust could not be loaded. Each names the setting and the file.
#[derive(Debug, Error)]
pub enum TrustError {
    /// A file or directory could not be read.
    #[error("{setting} {}: cannot read it: {source}", path.display())]
    Read {
        /// Which setting named it (`SSL_CERT_FILE`, `[http] ca_certificates`, …).
        setting: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file was read but does not hold usable CA certificates.
    #[error("{setting} {}: {problem}", path.display())]
    Invalid {
        /// Which setting named it.
        setting: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// The operating system's store has no certificate and nothing else is configured:
    /// every https server would be refused as "UnknownIssuer".
    #[error(
        "the system certificate store is empty{detail}: install the CA certificates \
         (the ca-certificates package), or name a CA with SSL_CERT_FILE or \
         [http] ca_certificates"
    )]
    EmptySystemStore {
        /// What the store's loader reported, if anything (` (…)`).
        detail: String,
    },
}

/// The certificates of the PEM file `path`, named by `setting` in errors. Sections
/// other than certificates (a private key next to them) are passed over; a file with
/// no certificate, or with one that is not a valid trust anchor, is an error.
pub(crate) fn pem_file(
    setting: &'static str,
    path: &Path,
) -> Result<Vec<CertificateDer<'static>>, TrustError> {
    let read_err = |source| TrustError::Read {
        setting,
        path: path.to_owned(),
        source,
    };
    let invalid = |problem: String| TrustError::Invalid {
        setting,
        path: path.to_owned(),
        problem,
    };
    let bytes = match vx_base::bounded_read::read(path, MAX_CERT_FILE_BYTES) {
        Ok(bytes) => bytes,
        Err(vx_base::bounded_read::ReadError::TooLarge { .. }) => {
            return Err(invalid(format!(
                "larger than {} MiB: not a certificate file",
                MAX_CERT_FILE_BYTES >> 20
            )));
        }
        Err(e) => return Err(read_err(e.into())),
    };
    let mut certs = Vec::new();
    for (index, cert) in CertificateDer::pem_slice_iter(&bytes).enumerate() {
        let cert = cert.map_err(|e| invalid(format!("not valid PEM: {e}")))?;
        rustls::RootCertStore::empty()
            .add(cert.clone())
            .map_err(|e| invalid(format!("certificate {} is not usable: {e}", index + 1)))?;
        certs.push(cert);
    }
    if certs.is_empty() {
        return Err(invalid(
            "holds no PEM certificate (-----BEGIN CERTIFICATE-----)".to_owned(),
        ));
    }
    Ok(certs)
}

/// The certificates of the OpenSSL hashed directory `dir` (as `openssl rehash` makes
/// it): the files named `HHHHHHHH.N`, where OpenSSL looks a CA up. Other files (a
/// bundle, the originals the hash names link to) are not read, as OpenSSL does not; a
/// directory without any hashed name is an error that says to run `openssl rehash`.
pub(crate) fn hashed_dir(
    setting: &'static str,
    dir: &Path,
) -> Result<Vec<CertificateDer<'static>>, TrustError> {
    let read_err = |source| TrustError::Read {
        setting,
        path: dir.to_owned(),
        source,
    };
    let mut names: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        if entry.file_name().to_str().is_some_and(is_hash_name) {
            names.push(entry.path());
        }
    }
    if names.is_empty() {
        return Err(TrustError::Invalid {
            setting,
            path: dir.to_owned(),
            problem: "has no hashed certificate names (HHHHHHHH.0): run `openssl rehash` on it"
                .to_owned(),
        });
    }
    names.sort();
    let mut certs = Vec::new();
    for path in names {
        certs.extend(pem_file(setting, &path)?);
    }
    Ok(certs)
}

/// Whether `name` is an OpenSSL hash name for a certificate: 8 hexadecimal digits, a
/// dot and a decimal sequence number (`.rN`, a revocation list, is not one).
fn is_hash_name(name: &str) -> bool {
    name.split_once('.').is_some_and(|(hash, n)| {
        hash.len() == 8
            && hash.bytes().all(|b| b.is_ascii_hexdigit())
            && !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_openssl_hash_names_are_certificates() {
        assert!(is_hash_name("9d66eef0.0"));
        assert!(is_hash_name("9D66EEF0.12"));
        assert!(!is_hash_name("9d66eef0.r0"));
        assert!(!is_hash_name("ca-certificates.crt"));
        assert!(!is_hash_name("9d66eef.0"));
        assert!(!is_hash_name("9d66eef0."));
    }

    #[test]
    fn a_file_that_is_not_a_certificate_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("corp.pem");
        std::fs::write(&path, "not a certificate\n").unwrap();
        let err = pem_file("[http] ca_certificates", &path).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("[http] ca_certificates "), "{text}");
        assert!(
            text.contains("corp.pem: holds no PEM certificate"),
            "{text}"
        );

        let garbage = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        std::fs::write(&path, garbage).unwrap();
        let text = pem_file("SSL_CERT_FILE", &path).unwrap_err().to_string();
        assert!(text.contains("certificate 1 is not usable"), "{text}");

        let missing = dir.path().join("missing.pem");
        let text = pem_file("SSL_CERT_FILE", &missing).unwrap_err().to_string();
        assert!(text.contains("missing.pem: cannot read it"), "{text}");
    }

    #[test]
    fn a_directory_without_hash_names_says_to_rehash_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("corp.pem"), "x").unwrap();
        let text = hashed_dir("SSL_CERT_DIR", dir.path())
            .unwrap_err()
            .to_string();
        assert!(text.contains("openssl rehash"), "{text}");
    }
}
