//! The operating system's certificate store on macOS: the keychains' certificates, read
//! through `/usr/bin/security find-certificate -a -p KEYCHAIN`, which prints each
//! certificate of a keychain as a PEM block (security(1): `-a` all matches, `-p` "Output
//! certificate in pem format").
//!
//! Why not `rustls-native-certs` as on Linux and Windows: on macOS it calls the Security
//! framework, which cannot be linked without Apple's SDK, and vx's macOS builds are
//! linked on Linux (`.ci/dist`). The `security` tool is part of every macOS and reads the
//! same keychains; Go's `crypto/x509` read its roots the same way for years.
//!
//! The keychains, in order: Apple's roots
//! ([`SYSTEM_ROOTS`]), the administrator's (`/Library/Keychains/System.keychain`,
//! where a company's CA is installed for every user), and the user's login keychain.
//! Unlike the Security framework, vx does not read the keychains' trust settings: a
//! certificate in one of them is trusted whether or not it was marked "Always Trust",
//! and one marked "Never Trust" there is trusted too. When the keychains give no
//! certificate at all (no `security`, a sandbox), [`FALLBACK_BUNDLE`] is read: the CA
//! bundle macOS ships for its LibreSSL, Mozilla's roots.
//!
//! The parsing ([`parse`]) and the order of the sources ([`collect`]) are plain
//! functions, built and unit-tested on every platform; only [`load`] runs on macOS.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// Apple's root certificates (what the Security framework calls the system domain).
pub(crate) const SYSTEM_ROOTS: &str = "/System/Library/Keychains/SystemRootCertificates.keychain";
/// The administrator's keychain: certificates installed for every user of the Mac.
pub(crate) const SYSTEM_KEYCHAIN: &str = "/Library/Keychains/System.keychain";
/// The PEM bundle of macOS's LibreSSL (`/etc` is `/private/etc`), read when the
/// keychains give nothing.
pub(crate) const FALLBACK_BUNDLE: &str = "/etc/ssl/cert.pem";

/// What one source gave.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Parsed {
    /// The certificates that rustls takes as trust anchors.
    pub certs: Vec<CertificateDer<'static>>,
    /// What was wrong with the others, for a message.
    pub errors: Vec<String>,
}

/// The certificates of `output`, the concatenated PEM blocks `security find-certificate
/// -a -p` prints (or a PEM bundle), from `source` (named in errors). A block that is not
/// valid PEM ends the reading there; a certificate rustls cannot use as a trust anchor
/// is left out; each is said in [`Parsed::errors`], and the rest is kept: one odd
/// certificate in a keychain must not cost the user every other one.
pub(crate) fn parse(source: &str, output: &[u8]) -> Parsed {
    let mut parsed = Parsed::default();
    for (index, cert) in CertificateDer::pem_slice_iter(output).enumerate() {
        let cert = match cert {
            Ok(cert) => cert,
            Err(e) => {
                parsed
                    .errors
                    .push(format!("{source}: block {}: not valid PEM: {e}", index + 1));
                break;
            }
        };
        match rustls::RootCertStore::empty().add(cert.clone()) {
            Ok(()) => parsed.certs.push(cert),
            Err(e) => parsed.errors.push(format!(
                "{source}: certificate {} is not usable: {e}",
                index + 1
            )),
        }
    }
    parsed
}

/// One place certificates are read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// A keychain, read with `security find-certificate -a -p`.
    Keychain(PathBuf),
    /// A PEM file, read as it is.
    Bundle(PathBuf),
}

/// The keychains of the user whose home is `home` (if known), in the order they are read.
pub(crate) fn keychains(home: Option<&Path>) -> Vec<PathBuf> {
    let mut list = vec![PathBuf::from(SYSTEM_ROOTS), PathBuf::from(SYSTEM_KEYCHAIN)];
    if let Some(home) = home {
        list.push(home.join("Library/Keychains/login.keychain-db"));
    }
    list
}

/// The certificates of every `keychain` read by `read` (each certificate once, in the
/// order first seen), or those of `fallback` when the keychains give none; with every
/// problem met. `read` gives a source's bytes or why it could not.
pub(crate) fn collect(
    keychains: &[PathBuf],
    fallback: &Path,
    mut read: impl FnMut(&Source) -> Result<Vec<u8>, String>,
) -> Parsed {
    let mut all = Parsed::default();
    let mut seen = HashSet::new();
    let mut add = |all: &mut Parsed, source: &Source, name: &str| match read(source) {
        Ok(bytes) => {
            let parsed = parse(name, &bytes);
            all.errors.extend(parsed.errors);
            for cert in parsed.certs {
                if seen.insert(cert.as_ref().to_vec()) {
                    all.certs.push(cert);
                }
            }
        }
        Err(e) => all.errors.push(format!("{name}: {e}")),
    };
    for keychain in keychains {
        let source = Source::Keychain(keychain.clone());
        add(&mut all, &source, &keychain.display().to_string());
    }
    if all.certs.is_empty() {
        let source = Source::Bundle(fallback.to_owned());
        add(&mut all, &source, &fallback.display().to_string());
    }
    all
}

/// The keychains' certificates on this Mac (or the fallback bundle's), with the problems
/// met. A keychain file that does not exist (a user without a login keychain) is
/// passed over without a word.
#[cfg(target_os = "macos")]
pub(crate) fn load() -> Parsed {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let keychains: Vec<PathBuf> = keychains(home.as_deref())
        .into_iter()
        .filter(|keychain| keychain.exists())
        .collect();
    collect(
        &keychains,
        Path::new(FALLBACK_BUNDLE),
        |source| match source {
            Source::Keychain(keychain) => {
                let output = std::process::Command::new("/usr/bin/security")
                    .args(["find-certificate", "-a", "-p"])
                    .arg(keychain)
                    .stdin(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .output()
                    .map_err(|e| format!("cannot run /usr/bin/security: {e}"))?;
                if !output.status.success() {
                    return Err(format!("/usr/bin/security {}", output.status));
                }
                Ok(output.stdout)
            }
            Source::Bundle(file) => {
                vx_base::bounded_read::read(file, super::certs::MAX_CERT_FILE_BYTES)
                    .map_err(|e| e.to_string())
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two real roots as `security find-certificate -a -p` prints a keychain's
    /// certificates: see tests/data/keychain/README.md for where they come from.
    const OUTPUT: &[u8] =
        include_bytes!("../../../tests/data/keychain/security-find-certificate.pem");

    #[test]
    fn every_block_of_the_output_is_a_root() {
        let parsed = parse("keychain", OUTPUT);
        assert_eq!(parsed.errors, Vec::<String>::new());
        assert_eq!(parsed.certs.len(), 2);
        // The certificates are the blocks' DER, in order: the first is ISRG Root X1.
        let first = CertificateDer::pem_slice_iter(OUTPUT)
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(parsed.certs[0], first);
    }

    #[test]
    fn a_bad_block_is_reported_and_the_others_kept() {
        // A certificate whose DER is not a certificate, between the two real ones.
        let text = std::str::from_utf8(OUTPUT).unwrap();
        let split = text.find("-----END CERTIFICATE-----\n").unwrap() + 26;
        let bogus = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        let mixed = format!("{}{bogus}{}", &text[..split], &text[split..]);
        let parsed = parse("login.keychain-db", mixed.as_bytes());
        assert_eq!(parsed.certs.len(), 2);
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        assert!(
            parsed.errors[0].starts_with("login.keychain-db: certificate 2 is not usable"),
            "{:?}",
            parsed.errors
        );
    }

    #[test]
    fn nothing_printed_is_no_certificate_and_no_error() {
        assert_eq!(parse("keychain", b""), Parsed::default());
    }

    #[test]
    fn the_keychains_are_apples_the_administrators_and_the_users() {
        assert_eq!(
            keychains(Some(Path::new("/Users/a"))),
            vec![
                PathBuf::from("/System/Library/Keychains/SystemRootCertificates.keychain"),
                PathBuf::from("/Library/Keychains/System.keychain"),
                PathBuf::from("/Users/a/Library/Keychains/login.keychain-db"),
            ]
        );
        assert_eq!(keychains(None).len(), 2);
    }

    /// A certificate in two keychains counts once; a keychain that cannot be read is
    /// said and the others still count; the fallback bundle is not read while the
    /// keychains gave something.
    #[test]
    fn keychains_are_merged_and_the_bundle_left_alone() {
        let list = keychains(Some(Path::new("/Users/a")));
        let mut asked = Vec::new();
        let parsed = collect(&list, Path::new(FALLBACK_BUNDLE), |source| {
            asked.push(source.clone());
            match source {
                Source::Keychain(path) if path.ends_with("System.keychain") => {
                    Err("/usr/bin/security exit status: 50".to_owned())
                }
                _ => Ok(OUTPUT.to_vec()),
            }
        });
        assert_eq!(parsed.certs.len(), 2);
        assert_eq!(
            parsed.errors,
            vec!["/Library/Keychains/System.keychain: /usr/bin/security exit status: 50"]
        );
        assert_eq!(
            asked,
            list.iter()
                .cloned()
                .map(Source::Keychain)
                .collect::<Vec<_>>()
        );
    }

    /// Keychains that give nothing (no `security`) leave the bundle to serve.
    #[test]
    fn the_bundle_serves_when_the_keychains_give_nothing() {
        let list = keychains(None);
        let parsed = collect(&list, Path::new(FALLBACK_BUNDLE), |source| match source {
            Source::Keychain(_) => Err("cannot run /usr/bin/security: not found".to_owned()),
            Source::Bundle(path) => {
                assert_eq!(path, Path::new("/etc/ssl/cert.pem"));
                Ok(OUTPUT.to_vec())
            }
        });
        assert_eq!(parsed.certs.len(), 2);
        assert_eq!(parsed.errors.len(), 2);
    }
}
