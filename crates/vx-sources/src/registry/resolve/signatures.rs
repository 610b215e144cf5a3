//! The signatures a registry declares over a package's checksum file
//! (`checksum.minisign`, `checksum.cosign`) or over the asset itself (`minisign`,
//! `cosign`), rendered for one version and platform into what [`vx_engine::resolution`]
//! fetches and checks when it locks the version.
//!
//! aqua writes cosign's declaration as the `cosign verify-blob` command line it runs
//! (`opts`), beside `key`, `signature`, `certificate` and `bundle` files. vx reads the
//! options it can honour and refuses to call anything else verified: an option it does
//! not know becomes [`SignatureSource::Unverifiable`] with the reason, so the lock
//! records no verification rather than a wrong one.

use super::{ResolveError, Resolver};
use crate::registry::package::{CosignDecl, Declared, FileRef, MinisignDecl};
use crate::registry::template::Vars;

/// A signature over a checksum file, ready to be fetched and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureSource {
    /// A minisign signature file and the key that must have made it.
    Minisign {
        /// The `.minisig` file's URL.
        url: String,
        /// The minisign public key (`RWQ…`).
        public_key: String,
    },
    /// A cosign blob signature made with a key.
    CosignKey {
        /// The PEM public key's URL.
        key_url: String,
        /// The base64 signature's URL.
        signature_url: String,
    },
    /// A keyless cosign signature: a Sigstore bundle (or a signature and a
    /// certificate) from Fulcio, for an identity and issuer.
    CosignKeyless {
        /// The Sigstore bundle's URL, when published as one.
        bundle_url: Option<String>,
        /// The signature's URL (older releases without a bundle).
        signature_url: Option<String>,
        /// The certificate's URL (older releases without a bundle).
        certificate_url: Option<String>,
        /// The certificate identity (SAN) required: exact or a regular expression.
        identity: Identity,
        /// The OIDC issuer required: exact or a regular expression.
        issuer: Identity,
    },
    /// A declaration vx cannot check soundly; why, for the user.
    Unverifiable(String),
}

/// Why a declared signature (or provenance) file has no URL vx can fetch: the reason
/// its source is unverifiable.
#[derive(Debug, thiserror::Error)]
pub(super) enum Unfetchable {
    /// A `github_release` file without its asset.
    #[error("its {field} names no asset")]
    NoAsset {
        /// The declaration's field (`checksum.minisign`, `key`).
        field: String,
    },
    /// An `http` file whose URL is not http(s).
    #[error("its {field} URL is not http(s)")]
    NotWeb {
        /// The declaration's field.
        field: String,
    },
    /// A file of a type aqua does not read.
    #[error(
        "its {field} type `{}` is not one aqua reads",
        vx_base::validate::shorten(kind)
    )]
    Kind {
        /// The declaration's field.
        field: String,
        /// The type as declared.
        kind: String,
    },
    /// A cosign option naming a file by something other than a web URL.
    #[error(
        "its cosign {field} {} is not a URL vx can fetch",
        vx_base::validate::shorten(given)
    )]
    Given {
        /// The file (`key`, `signature`).
        field: String,
        /// What the option gave.
        given: String,
    },
}

/// An identity a certificate must carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    /// Exactly this text.
    Exact(String),
    /// Matched by this regular expression (Go's RE2 syntax, as cosign takes it).
    Regexp(String),
}

impl Resolver<'_, '_> {
    /// The signatures declared over the checksum file, rendered with `vars` (those
    /// the checksum asset's name was rendered with).
    pub(super) fn signatures(
        &self,
        at: &str,
        minisign: Option<&MinisignDecl>,
        cosign: Option<&CosignDecl>,
        vars: &Vars,
    ) -> Result<Vec<SignatureSource>, ResolveError> {
        let mut out = Vec::new();
        if let Some(decl) = minisign.filter(|d| d.enabled != Some(false)) {
            out.push(match decl.public_key.as_deref().filter(|k| !k.is_empty()) {
                None => SignatureSource::Unverifiable(format!(
                    "its {at}minisign declaration gives no public_key"
                )),
                Some(key) => match self.file_url(&format!("{at}minisign"), &decl.file, vars)? {
                    Ok(url) => SignatureSource::Minisign {
                        url,
                        public_key: key.to_owned(),
                    },
                    Err(why) => SignatureSource::Unverifiable(why.to_string()),
                },
            });
        }
        if let Some(decl) = cosign.filter(|d| d.enabled != Some(false)) {
            out.push(self.cosign(at, decl, vars)?);
        }
        Ok(out)
    }

    /// The signatures declared over the asset itself (`minisign`, `cosign`), rendered
    /// with `vars` (the asset's); a declaration not in aqua's shape is unverifiable.
    pub(super) fn asset_signatures(
        &self,
        vars: &Vars,
    ) -> Result<Vec<SignatureSource>, ResolveError> {
        let mut out = Vec::new();
        let minisign = read(self.info.minisign, &mut out);
        let cosign = read(self.info.cosign, &mut out);
        out.extend(self.signatures("", minisign, cosign, vars)?);
        Ok(out)
    }

    /// One `cosign` declaration: its `opts` read as `cosign verify-blob` would.
    fn cosign(
        &self,
        at: &str,
        decl: &CosignDecl,
        vars: &Vars,
    ) -> Result<SignatureSource, ResolveError> {
        let unverifiable = |why: String| Ok(SignatureSource::Unverifiable(why));
        let mut opts = Vec::with_capacity(decl.opts.len());
        for (i, opt) in decl.opts.iter().enumerate() {
            opts.push(self.render(&format!("{at}cosign.opts[{i}]"), opt, vars)?);
        }
        let mut given = Options::default();
        let mut words = opts.iter().map(String::as_str);
        while let Some(word) = words.next() {
            let (flag, inline) = match word.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => (flag, Some(value)),
                _ => (word, None),
            };
            let slot = match flag {
                "--key" => &mut given.key,
                "--signature" => &mut given.signature,
                "--certificate" => &mut given.certificate,
                "--bundle" => &mut given.bundle,
                "--certificate-identity" => &mut given.identity,
                "--certificate-identity-regexp" => &mut given.identity_regexp,
                "--certificate-oidc-issuer" => &mut given.issuer,
                "--certificate-oidc-issuer-regexp" => &mut given.issuer_regexp,
                // Without a transparency log the key alone vouches: what a key check
                // is anyway. `--new-bundle-format` only says how the bundle is laid
                // out, which the bundle itself tells.
                "--insecure-ignore-tlog" | "--new-bundle-format" => continue,
                other => {
                    return unverifiable(format!(
                        "its cosign option `{}` is not one vx checks",
                        vx_base::validate::shorten(other)
                    ));
                }
            };
            match inline.or_else(|| words.next()) {
                Some(value) => *slot = Some(value.to_owned()),
                None => return unverifiable(format!("its cosign option `{flag}` has no value")),
            }
        }
        let file =
            |field: &str, decl_file: Option<&FileRef>, opt: Option<&String>| match (decl_file, opt)
            {
                (Some(f), _) => self.file_url(field, f, vars).map(Some),
                (None, Some(url)) if vx_net::url::is_web(url) => Ok(Some(Ok(url.clone()))),
                (None, Some(other)) => Ok(Some(Err(Unfetchable::Given {
                    field: field.to_owned(),
                    given: other.clone(),
                }))),
                (None, None) => Ok(None),
            };
        let key = file("key", decl.key.as_ref(), given.key.as_ref())?;
        let signature = file(
            "signature",
            decl.signature.as_ref(),
            given.signature.as_ref(),
        )?;
        let certificate = file(
            "certificate",
            decl.certificate.as_ref(),
            given.certificate.as_ref(),
        )?;
        let bundle = file("bundle", decl.bundle.as_ref(), given.bundle.as_ref())?;
        let (key, signature, certificate, bundle) = match (
            key.transpose(),
            signature.transpose(),
            certificate.transpose(),
            bundle.transpose(),
        ) {
            (Ok(k), Ok(s), Ok(c), Ok(b)) => (k, s, c, b),
            (Err(why), ..) | (_, Err(why), ..) | (_, _, Err(why), _) | (.., Err(why)) => {
                return unverifiable(why.to_string());
            }
        };
        if let Some(key_url) = key {
            return match (signature, bundle) {
                (Some(signature_url), _) => Ok(SignatureSource::CosignKey {
                    key_url,
                    signature_url,
                }),
                (None, Some(_)) => unverifiable(
                    "its cosign key signature is published as a Sigstore bundle, which vx does not read for key signatures"
                        .to_owned(),
                ),
                (None, None) => unverifiable("its cosign declaration names a key but no signature".to_owned()),
            };
        }
        let identity = match (given.identity, given.identity_regexp) {
            (Some(exact), _) => Identity::Exact(exact),
            (None, Some(re)) => Identity::Regexp(re),
            (None, None) => {
                return unverifiable(
                    "its keyless cosign declaration names no certificate identity".to_owned(),
                );
            }
        };
        let issuer = match (given.issuer, given.issuer_regexp) {
            (Some(exact), _) => Identity::Exact(exact),
            (None, Some(re)) => Identity::Regexp(re),
            (None, None) => {
                return unverifiable(
                    "its keyless cosign declaration names no OIDC issuer".to_owned(),
                );
            }
        };
        if bundle.is_none() && (signature.is_none() || certificate.is_none()) {
            return unverifiable(
                "its keyless cosign declaration names neither a bundle nor a signature and a certificate"
                    .to_owned(),
            );
        }
        Ok(SignatureSource::CosignKeyless {
            bundle_url: bundle,
            signature_url: signature,
            certificate_url: certificate,
            identity,
            issuer,
        })
    }

    /// The URL of a declared file, or why it has none vx can fetch.
    pub(super) fn file_url(
        &self,
        field: &str,
        file: &FileRef,
        vars: &Vars,
    ) -> Result<Result<String, Unfetchable>, ResolveError> {
        match file.kind.as_deref() {
            Some("github_release") => {
                let Some(asset) = file.asset.as_deref().filter(|a| !a.is_empty()) else {
                    return Ok(Err(Unfetchable::NoAsset {
                        field: field.to_owned(),
                    }));
                };
                let name = self.render(&format!("{field}.asset"), asset, vars)?;
                Ok(Ok(self.hosts.release_download(
                    file.repo_owner
                        .as_deref()
                        .or(self.info.repo_owner)
                        .unwrap_or_default(),
                    file.repo_name
                        .as_deref()
                        .or(self.info.repo_name)
                        .unwrap_or_default(),
                    self.tag,
                    &name,
                )))
            }
            Some("http") => {
                let url = self.render(
                    &format!("{field}.url"),
                    file.url.as_deref().unwrap_or(""),
                    vars,
                )?;
                Ok(if vx_net::url::is_web(&url) {
                    Ok(url)
                } else {
                    Err(Unfetchable::NotWeb {
                        field: field.to_owned(),
                    })
                })
            }
            other => Ok(Err(Unfetchable::Kind {
                field: field.to_owned(),
                kind: other.unwrap_or("").to_owned(),
            })),
        }
    }
}

/// The declaration as read, or `None` (with why in `out`) when it is not in aqua's
/// shape.
fn read<'d, T>(declared: Option<&'d Declared<T>>, out: &mut Vec<SignatureSource>) -> Option<&'d T> {
    match declared? {
        Declared::Read(decl) => Some(decl),
        Declared::Malformed(why) => {
            out.push(SignatureSource::Unverifiable(format!(
                "its signature declaration is not in aqua's shape: {why}"
            )));
            None
        }
    }
}

/// The options of a `cosign verify-blob` command line vx reads.
#[derive(Default)]
struct Options {
    key: Option<String>,
    signature: Option<String>,
    certificate: Option<String>,
    bundle: Option<String>,
    identity: Option<String>,
    identity_regexp: Option<String>,
    issuer: Option<String>,
    issuer_regexp: Option<String>,
}
