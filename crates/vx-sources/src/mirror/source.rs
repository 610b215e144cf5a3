//! One content-addressed mirror as the user wrote it (`mirrors = [...]`): an OCI
//! registry (`oci://HOST[:PORT]/REPO`), an HTTP template (`https://…/{sha256}`) or a
//! directory (`file:///DIR`, an OCI image layout or flat `<sha256>` files).

use std::path::{Path, PathBuf};

use thiserror::Error;

use vx_base::validate::{self, Scheme};

/// The placeholder an HTTP template's sha256 goes in.
pub const SHA256_PLACEHOLDER: &str = "{sha256}";

/// A mirror, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// An OCI registry's repository: blobs by digest through the distribution API.
    Oci(OciRef),
    /// An HTTP(S) URL with `{sha256}` in it.
    Template {
        /// The URL, `{sha256}` unfilled.
        template: String,
        /// The mirror as written, without credentials.
        label: String,
    },
    /// A local directory: `DIR/blobs/sha256/<hex>` (an OCI image layout), else
    /// `DIR/<hex>`.
    Dir {
        /// The directory.
        dir: PathBuf,
        /// The mirror as written.
        label: String,
    },
}

/// An OCI repository: where its registry is and how it is reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OciRef {
    /// `http` or `https`.
    pub scheme: &'static str,
    /// `HOST[:PORT]`, as docker's `config.json` keys its credentials.
    pub authority: String,
    /// The repository (`vx`, `team/tools`).
    pub repo: String,
    /// The mirror as written.
    pub label: String,
}

/// Why a mirror cannot be used.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("mirror `{mirror}`: {reason}")]
pub struct SourceError {
    /// The mirror, shortened and without credentials.
    pub mirror: String,
    /// What is wrong.
    pub reason: String,
}

impl Source {
    /// Parses one mirror: `oci://HOST[:PORT]/REPO` (plain http when HOST is loopback;
    /// `oci+http://` asks for http anywhere, `oci+https://` for https even on
    /// loopback), `http(s)://…{sha256}…`, or `file:///DIR`.
    pub fn parse(text: &str) -> Result<Source, SourceError> {
        let label = without_credentials(text);
        let bad = |reason: &str| SourceError {
            mirror: validate::shorten(&label),
            reason: reason.to_owned(),
        };
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| bad("not a URL: use oci://, https://…{sha256} or file:///DIR"))?;
        match scheme.to_ascii_lowercase().as_str() {
            "oci" | "oci+http" | "oci+https" => {
                let (authority, repo) = rest
                    .split_once('/')
                    .ok_or_else(|| bad("no repository: write oci://HOST[:PORT]/REPO"))?;
                if authority.contains('@') {
                    return Err(bad(
                        "credentials do not go in a mirror: docker's config.json holds them",
                    ));
                }
                let repo = repo.trim_end_matches('/');
                if authority.is_empty() || !authority_ok(authority) {
                    return Err(bad("the registry's host is not HOST[:PORT]"));
                }
                if !repository_ok(repo) {
                    return Err(bad(
                        "the repository must be lower-case path components of [a-z0-9._-]",
                    ));
                }
                let loopback = is_loopback(authority);
                let scheme = match scheme.to_ascii_lowercase().as_str() {
                    "oci+http" => "http",
                    "oci+https" => "https",
                    _ if loopback => "http",
                    _ => "https",
                };
                Ok(Source::Oci(OciRef {
                    scheme,
                    authority: authority.to_ascii_lowercase(),
                    repo: repo.to_owned(),
                    label,
                }))
            }
            "http" | "https" => {
                if !text.contains(SHA256_PLACEHOLDER) {
                    return Err(bad("an HTTP mirror needs `{sha256}` where the digest goes"));
                }
                let filled = text.replace(SHA256_PLACEHOLDER, &"0".repeat(64));
                match validate::url(&filled) {
                    Ok(Scheme::Http | Scheme::Https) => Ok(Source::Template {
                        template: text.to_owned(),
                        label,
                    }),
                    _ => Err(bad("not a valid http(s) URL")),
                }
            }
            "file" => match validate::url(text) {
                Ok(Scheme::File) => Ok(Source::Dir {
                    dir: vx_net::url::file_path(text),
                    label,
                }),
                _ => Err(bad("not a valid file:///DIR URL")),
            },
            _ => Err(bad(
                "unknown kind of mirror: use oci://, https://…{sha256} or file:///DIR",
            )),
        }
    }

    /// The local directory `dir` as a mirror (vx's blob cache, an imported bundle).
    #[cfg(test)]
    pub(crate) fn dir(dir: &Path) -> Source {
        Source::Dir {
            dir: dir.to_owned(),
            label: file_url(dir),
        }
    }

    /// The mirror as written, without credentials: what `-v` and the JSON `source`
    /// field show.
    pub fn label(&self) -> &str {
        match self {
            Source::Oci(oci) => &oci.label,
            Source::Template { label, .. } | Source::Dir { label, .. } => label,
        }
    }

    /// Whether the mirror needs no network (a directory).
    pub fn is_local(&self) -> bool {
        matches!(self, Source::Dir { .. })
    }

    /// A directory mirror's file for `sha256`, when it has one.
    pub fn local_blob(&self, sha256: &str) -> Option<PathBuf> {
        let Source::Dir { dir, .. } = self else {
            return None;
        };
        [blob_path(dir, sha256), dir.join(sha256)]
            .into_iter()
            .find(|path| path.is_file())
    }
}

/// Where an OCI image layout rooted at `root` keeps the blob of `sha256`.
pub(crate) fn blob_path(root: &Path, sha256: &str) -> PathBuf {
    root.join("blobs").join("sha256").join(sha256)
}

/// `text` with any `user:password@` of its authority removed.
fn without_credentials(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_owned();
    };
    let end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    format!("{scheme}://{authority}{path}")
}

/// Whether `authority` is `HOST[:PORT]` (an IPv6 literal in brackets allowed).
fn authority_ok(authority: &str) -> bool {
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((host, rest)) => (host, rest.strip_prefix(':')),
            None => return false,
        },
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'));
    host_ok && port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0))
}

/// Whether `repo` is an OCI repository name (lower-case components of `[a-z0-9._-]`
/// separated by `/`).
fn repository_ok(repo: &str) -> bool {
    !repo.is_empty()
        && repo.len() <= 255
        && repo.split('/').all(|part| {
            !part.is_empty()
                && part.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
                })
        })
}

/// Whether `authority`'s host is this machine: `localhost`, 127.0.0.0/8 or `::1`.
pub(crate) fn is_loopback(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A `file://` URL of `path` (absolute), percent-encoded where a URL needs it.
pub fn file_url(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut url = String::from("file://");
    if !text.starts_with('/') {
        url.push('/');
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~' | b':') {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_mirror_parses_and_loopback_registries_use_http() {
        let Source::Oci(oci) = Source::parse("oci://127.0.0.1:5000/vx/tools").unwrap() else {
            panic!()
        };
        assert_eq!(
            (oci.scheme, oci.authority.as_str(), oci.repo.as_str()),
            ("http", "127.0.0.1:5000", "vx/tools")
        );
        let Source::Oci(oci) = Source::parse("oci://registry.corp/vx").unwrap() else {
            panic!()
        };
        assert_eq!(oci.scheme, "https");
        let Source::Oci(oci) = Source::parse("oci+http://registry.corp:80/vx").unwrap() else {
            panic!()
        };
        assert_eq!(oci.scheme, "http");
        let Source::Oci(oci) = Source::parse("oci+https://localhost:5000/vx").unwrap() else {
            panic!()
        };
        assert_eq!(oci.scheme, "https");
        assert!(matches!(
            Source::parse("https://cache.corp/vx/{sha256}"),
            Ok(Source::Template { .. })
        ));
        let dir = Source::parse("file:///mnt/v%20x").unwrap();
        assert!(dir.is_local());
        assert_eq!(dir.label(), "file:///mnt/v%20x");
    }

    #[test]
    fn bad_mirrors_say_what_is_wrong_and_never_show_a_password() {
        let err = |text: &str| Source::parse(text).unwrap_err().to_string();
        assert!(err("oci://registry.corp").contains("no repository"));
        assert!(err("oci://registry.corp/Upper").contains("lower-case"));
        assert!(err("oci://u:pw@registry.corp/vx").contains("config.json"));
        assert!(!err("oci://u:pw@registry.corp/vx").contains("pw"));
        assert!(err("https://cache.corp/vx").contains("{sha256}"));
        assert!(!err("https://u:secret@cache.corp/vx").contains("secret"));
        assert!(err("ftp://x/{sha256}").contains("unknown kind"));
        assert!(err("registry.corp/vx").contains("not a URL"));
        let template = Source::parse("https://u:secret@cache.corp/{sha256}").unwrap();
        assert_eq!(template.label(), "https://cache.corp/{sha256}");
    }

    #[test]
    fn a_directory_serves_a_layout_blob_or_a_flat_file() {
        let dir = tempfile::tempdir().unwrap();
        let source = Source::dir(dir.path());
        let (a, b) = ("a".repeat(64), "b".repeat(64));
        assert_eq!(source.local_blob(&a), None);
        std::fs::create_dir_all(dir.path().join("blobs/sha256")).unwrap();
        std::fs::write(blob_path(dir.path(), &a), b"x").unwrap();
        std::fs::write(dir.path().join(&b), b"y").unwrap();
        assert_eq!(source.local_blob(&a), Some(blob_path(dir.path(), &a)));
        assert_eq!(source.local_blob(&b), Some(dir.path().join(&b)));
    }

    #[test]
    fn file_urls_round_trip_through_the_engines_reading() {
        let path = Path::new("/tmp/a dir/ü#x");
        let url = file_url(path);
        assert_eq!(vx_net::url::file_path(&url), path);
    }
}
