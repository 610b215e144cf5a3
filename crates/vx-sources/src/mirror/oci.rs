//! A small, blocking OCI distribution client over [`vx_net::Client`]: blobs by
//! digest (HEAD, GET through the install engine, monolithic upload) and manifests
//! (PUT), with the registry's authentication: anonymous, basic, or the bearer-token
//! flow of `WWW-Authenticate: Bearer realm=…,service=…,scope=…`, with credentials from
//! docker's `config.json` ([`super::docker_config`]). Every request goes through the one
//! HTTP client, so trust, proxies and `url_replacements` apply to registries too; the
//! `Authorization` is a secret header, never sent past a redirect to another origin
//! (a registry's redirect of a blob to its storage carries a signed URL instead).
//! docker's credentials for the registry go to its token realm only when the realm is
//! on the registry's own origin (scheme, host and port; https for an https registry)
//! or its own site over https (one registrable domain: `auth.docker.io` for
//! `registry-1.docker.io`); a realm elsewhere gets the credentials `config.json` has
//! for that origin itself, else none (a registry cannot send the user's login to a
//! host of its choosing).

use std::sync::Mutex;

use thiserror::Error;

use super::source::OciRef;
use vx_base::secret::Secret;
use vx_net::{Body, Client, Method, NetError, Request, Response};

/// The media type of an OCI image manifest.
pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// Largest token or manifest answer read.
const MAX_ANSWER: u64 = 4 << 20;

/// Why a registry request failed.
#[derive(Debug, Error)]
pub enum OciError {
    /// No answer.
    #[error(transparent)]
    Net(#[from] NetError),
    /// An answer other than the one expected.
    #[error("{registry}: {what} answered HTTP {status}")]
    Status {
        /// The mirror.
        registry: String,
        /// The request.
        what: String,
        /// The status.
        status: u16,
    },
    /// The registry refused us (401 or 403) or its token service did.
    #[error("{registry}: not authorized: {why}")]
    Unauthorized {
        /// The mirror.
        registry: String,
        /// Why, without any secret.
        why: String,
    },
}

/// What a registry says of a blob ([`Registry::blob_head`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlobHead {
    /// It has none (404).
    Missing,
    /// It has one (200), at the size its `Content-Length` says, if it says one.
    Present(Option<u64>),
}

/// A blob's bytes as they arrive, and the length the registry announced.
pub(crate) type BlobStream = (Box<dyn std::io::Read + 'static>, Option<u64>);

/// One repository of a registry, with the authorization it has earned so far.
pub struct Registry {
    client: Client,
    target: OciRef,
    /// `pull` or `pull,push`: what the token is asked for.
    actions: &'static str,
    /// docker's credentials for the registry, `None` when it has none.
    basic: Option<Secret>,
    /// The `Authorization` the registry accepted (or the one to try next).
    auth: Mutex<Option<Secret>>,
    /// The origin of a token realm the registry's credentials were kept from
    /// ([`Registry::realm_login`]), for the refusal's message.
    withheld: Mutex<Option<String>>,
}

impl Registry {
    /// The repository `target` through `client`, asking to `push` too when set.
    /// Reads docker's `config.json` for the registry's credentials (an unreadable one
    /// is an error).
    pub fn new(client: Client, target: OciRef, push: bool) -> Result<Registry, OciError> {
        let basic = super::docker_config::basic_for(&target.authority).map_err(|why| {
            OciError::Unauthorized {
                registry: target.label.clone(),
                why: why.to_string(),
            }
        })?;
        Ok(Registry {
            client,
            target,
            actions: if push { "pull,push" } else { "pull" },
            basic,
            auth: Mutex::new(None),
            withheld: Mutex::new(None),
        })
    }

    /// The repository.
    pub fn target(&self) -> &OciRef {
        &self.target
    }

    /// `scheme://authority/v2/REPO/`.
    fn base(&self) -> String {
        format!(
            "{}://{}/v2/{}/",
            self.target.scheme, self.target.authority, self.target.repo
        )
    }

    /// The URL of the blob `digest` (`sha256:…`).
    pub fn blob_url(&self, digest: &str) -> String {
        format!("{}blobs/{digest}", self.base())
    }

    /// The `Authorization` to send, when one was earned.
    pub fn authorization(&self) -> Option<Secret> {
        self.auth.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Whether the registry has the blob `digest`, and at what size (a HEAD: 200 or
    /// 404). A 200 without a readable `Content-Length` claims the blob at no size:
    /// [`BlobHead::Present`] with `None`, which a push does not take as the blob.
    pub fn blob_head(&self, digest: &str) -> Result<BlobHead, OciError> {
        let url = self.blob_url(digest);
        let response = self.send(|| Request::head(&url))?;
        match response.status {
            200 => Ok(BlobHead::Present(
                response
                    .header("content-length")
                    .and_then(|n| n.trim().parse().ok()),
            )),
            404 => Ok(BlobHead::Missing),
            status => Err(self.status("HEAD of a blob", status)),
        }
    }

    /// Uploads `len` bytes of `reader` as the blob `digest`: POST an upload, then PUT
    /// it whole with `?digest=` (the monolithic upload every registry supports).
    pub fn upload_blob(
        &self,
        digest: &str,
        reader: &mut dyn std::io::Read,
        len: u64,
    ) -> Result<(), OciError> {
        let start = format!("{}blobs/uploads/", self.base());
        let response = self.send(|| Request::new(Method::Post, &start))?;
        if response.status != 202 {
            return Err(self.status("starting an upload", response.status));
        }
        let location = response
            .header("location")
            .ok_or_else(|| OciError::Status {
                registry: self.target.label.clone(),
                what: "starting an upload (no Location)".to_owned(),
                status: 202,
            })?;
        let upload = vx_net::url::resolve(&response.url, location);
        let separator = if upload.contains('?') { '&' } else { '?' };
        let put = format!("{upload}{separator}digest={}", digest.replace(':', "%3A"));
        let request = self
            .authorized(Request::new(Method::Put, &put))
            .header("Content-Type", "application/octet-stream")
            .body(Body::Reader { reader, len });
        let response = self.client.send(request)?;
        match response.status {
            201 => Ok(()),
            401 | 403 => Err(self.unauthorized(&response)),
            status => Err(self.status("uploading a blob", status)),
        }
    }

    /// Puts `manifest` (of `media_type`) under `reference` (a tag or digest).
    pub fn put_manifest(
        &self,
        reference: &str,
        media_type: &str,
        manifest: &[u8],
    ) -> Result<(), OciError> {
        let url = format!("{}manifests/{reference}", self.base());
        let response = self.send(|| {
            Request::new(Method::Put, &url)
                .header("Content-Type", media_type)
                .body(Body::Bytes(manifest))
        })?;
        // The distribution spec's answer is 201 Created; a 200 is not it (a server that
        // answers everything 200 has stored nothing).
        match response.status {
            201 => Ok(()),
            status => Err(self.status("putting the manifest (the spec's answer is 201)", status)),
        }
    }

    /// The manifest under `reference` (a tag or `sha256:…`) as the registry holds it,
    /// at most `MAX_ANSWER` (4 MiB) bytes, asked as `accept`; `None` when it has none (404).
    /// The bytes are the registry's: a caller that trusts a digest checks it.
    pub fn get_manifest(&self, reference: &str, accept: &str) -> Result<Option<Vec<u8>>, OciError> {
        let url = format!("{}manifests/{reference}", self.base());
        let response = self.send(|| Request::get(&url).header("Accept", accept))?;
        match response.status {
            200 => Ok(Some(response.read_to_vec(MAX_ANSWER)?)),
            404 => Ok(None),
            status => Err(self.status("GET of a manifest", status)),
        }
    }

    /// The blob `digest` as a stream, with its announced length; `None` when the
    /// registry has none (404). Unchecked: the caller hashes what it reads.
    pub fn get_blob(&self, digest: &str) -> Result<Option<BlobStream>, OciError> {
        let url = self.blob_url(digest);
        let response = self.send(|| Request::get(&url))?;
        match response.status {
            200 => {
                let len = response.content_length();
                Ok(Some((Box::new(response.into_reader()), len)))
            }
            404 => Ok(None),
            status => Err(self.status("GET of a blob", status)),
        }
    }

    /// Sends `make()`'s request with the authorization earned so far; when the
    /// registry answers 401, earns one from its challenge and sends it once more.
    fn send<'u>(&self, make: impl Fn() -> Request<'u>) -> Result<Response, OciError> {
        let response = self.client.send(self.authorized(make()))?;
        if response.status != 401 {
            return Ok(response);
        }
        let challenge = response.header("www-authenticate").unwrap_or("").to_owned();
        self.authenticate(&challenge)?;
        let response = self.client.send(self.authorized(make()))?;
        match response.status {
            401 | 403 => Err(self.unauthorized(&response)),
            _ => Ok(response),
        }
    }

    /// `request` with the authorization earned so far, if any.
    fn authorized<'u>(&self, request: Request<'u>) -> Request<'u> {
        match self.authorization() {
            Some(auth) => request.secret_header("Authorization", auth),
            None => request,
        }
    }

    /// Earns an authorization from a 401's `WWW-Authenticate`: docker's credentials for
    /// `Basic`, a token from the realm for `Bearer` (asked with those credentials when
    /// there are some, anonymously otherwise).
    fn authenticate(&self, challenge: &str) -> Result<(), OciError> {
        let refused = |why: String| OciError::Unauthorized {
            registry: self.target.label.clone(),
            why,
        };
        let (scheme, params) = challenge
            .trim()
            .split_once(' ')
            .unwrap_or((challenge.trim(), ""));
        let auth = if scheme.eq_ignore_ascii_case("basic") {
            self.basic.clone().ok_or_else(|| {
                refused(format!(
                    "it asks for a login and docker's config.json has none for {}",
                    self.target.authority
                ))
            })?
        } else if scheme.eq_ignore_ascii_case("bearer") {
            let params = challenge_params(params);
            let realm = params
                .iter()
                .find(|(k, _)| k == "realm")
                .map(|(_, v)| v.clone())
                .ok_or_else(|| refused("its Bearer challenge names no realm".to_owned()))?;
            let mut query = vec![(
                "scope".to_owned(),
                format!("repository:{}:{}", self.target.repo, self.actions),
            )];
            if let Some((_, service)) = params.iter().find(|(k, _)| k == "service") {
                query.insert(0, ("service".to_owned(), service.clone()));
            }
            self.token(&realm, &query)?
        } else {
            return Err(refused(format!(
                "it answered 401 without a challenge vx knows ({})",
                vx_text::sanitize(&vx_base::validate::shorten(scheme))
            )));
        };
        *self.auth.lock().unwrap_or_else(|e| e.into_inner()) = Some(auth);
        Ok(())
    }

    /// A bearer token from the token service at `realm`.
    fn token(&self, realm: &str, query: &[(String, String)]) -> Result<Secret, OciError> {
        let mut url = realm.to_owned();
        for (i, (key, value)) in query.iter().enumerate() {
            url.push(if i == 0 && !realm.contains('?') {
                '?'
            } else {
                '&'
            });
            url.push_str(&format!("{key}={}", vx_net::url::encode_component(value)));
        }
        let mut request = Request::get(&url);
        if let Some(login) = self.realm_login(realm)? {
            request = request.secret_header("Authorization", login);
        }
        let response = self.client.send(request)?;
        if response.status != 200 {
            return Err(OciError::Unauthorized {
                registry: self.target.label.clone(),
                why: format!(
                    "its token service answered HTTP {}{}",
                    response.status,
                    self.withheld_note()
                ),
            });
        }
        #[derive(serde::Deserialize)]
        struct TokenAnswer {
            token: Option<String>,
            access_token: Option<String>,
        }
        let body = response.read_to_vec(MAX_ANSWER)?;
        let answer: TokenAnswer =
            serde_json::from_slice(&body).map_err(|_| OciError::Unauthorized {
                registry: self.target.label.clone(),
                why: "its token service's answer is not JSON with a token".to_owned(),
            })?;
        answer
            .token
            .or(answer.access_token)
            .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_graphic()))
            .map(|t| Secret::new(format!("Bearer {t}")))
            .ok_or_else(|| OciError::Unauthorized {
                registry: self.target.label.clone(),
                why: "its token service gave no usable token".to_owned(),
            })
    }

    /// The login to ask the token realm at `realm` with: docker's credentials for the
    /// registry when the realm is on the registry's origin; for a realm on another
    /// origin, those `config.json` has for that origin (the user's explicit word),
    /// else none, and the origin is remembered for the message.
    fn realm_login(&self, realm: &str) -> Result<Option<Secret>, OciError> {
        use vx_net::url::{host, port};
        let base = self.base();
        let downgrade = self.target.scheme == "https" && !realm.starts_with("https://");
        if !downgrade && host(realm) == host(&base) && port(realm) == port(&base) {
            return Ok(self.basic.clone());
        }
        if same_site(&base, realm) {
            return Ok(self.basic.clone());
        }
        let Some(origin) = vx_net::url::origin(realm) else {
            return Ok(None);
        };
        let authority = origin.split_once("://").map_or(&*origin, |(_, a)| a);
        let own =
            super::docker_config::basic_for(authority).map_err(|why| OciError::Unauthorized {
                registry: self.target.label.clone(),
                why: why.to_string(),
            })?;
        if own.is_none() && self.basic.is_some() {
            *self.withheld.lock().unwrap_or_else(|e| e.into_inner()) =
                Some(vx_text::sanitize(&vx_base::validate::shorten(authority)).into_owned());
        }
        Ok(own)
    }

    /// Why a refusal may have come without credentials: `; its token realm is on
    /// another origin (HOST): …`, when [`Registry::realm_login`] kept them back.
    fn withheld_note(&self) -> String {
        match &*self.withheld.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(authority) => format!(
                "; its token realm is on another origin ({authority}), which gets no \
                 credentials of {}: add {authority}'s own to docker's config.json to log in there",
                self.target.authority
            ),
            None => String::new(),
        }
    }

    fn status(&self, what: &str, status: u16) -> OciError {
        OciError::Status {
            registry: self.target.label.clone(),
            what: what.to_owned(),
            status,
        }
    }

    fn unauthorized(&self, response: &Response) -> OciError {
        OciError::Unauthorized {
            registry: self.target.label.clone(),
            why: format!(
                "HTTP {}{}{}",
                response.status,
                if self.basic.is_none() {
                    " (docker's config.json has no credentials for it)"
                } else if self
                    .withheld
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .is_some()
                {
                    ""
                } else {
                    " (with docker's config.json credentials)"
                },
                self.withheld_note()
            ),
        }
    }
}

/// The `key="value"` parameters of a challenge, in order.
fn challenge_params(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else {
            break;
        };
        let key = key
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let after = after.trim_start();
        let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
            match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => (quoted, ""),
            }
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        out.push((key, value.to_owned()));
        rest = next.trim_start().trim_start_matches(',').trim_start();
    }
    out
}

/// Whether a token realm on another host is the registry's own site: both over https
/// and in one registrable domain by the Public Suffix List (`registry.gitlab.com` and
/// `gitlab.com`, `registry-1.docker.io` and `auth.docker.io`), never two sites under a
/// shared suffix (`a.github.io`, `b.github.io`) nor an IP address.
fn same_site(registry: &str, realm: &str) -> bool {
    use vx_net::url::host;
    if !registry.starts_with("https://") || !realm.starts_with("https://") {
        return false;
    }
    let site = |url: &str| {
        let host = host(url)?;
        if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
            return None;
        }
        psl::domain_str(&host).map(str::to_owned)
    };
    matches!((site(registry), site(realm)), (Some(a), Some(b)) if a == b)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_realm_of_the_registrys_own_site_gets_its_login_and_no_other() {
        for (registry, realm) in [
            (
                "https://registry-1.docker.io",
                "https://auth.docker.io/token",
            ),
            ("https://registry.gitlab.com", "https://gitlab.com/jwt/auth"),
            (
                "https://registry.corp.example.com:5000",
                "https://login.corp.example.com/t",
            ),
        ] {
            assert!(same_site(registry, realm), "{registry} {realm}");
        }
        for (registry, realm) in [
            ("https://a.github.io", "https://b.github.io/token"),
            (
                "https://registry.example.com",
                "https://evil.example.net/token",
            ),
            (
                "https://registry.example.com",
                "http://auth.example.com/token",
            ),
            (
                "http://registry.example.com",
                "http://auth.example.com/token",
            ),
            ("https://127.0.0.1:5000", "https://127.0.0.2/token"),
            (
                "https://registry.example.com",
                "https://example.com.evil.net/token",
            ),
        ] {
            assert!(!same_site(registry, realm), "{registry} {realm}");
        }
    }

    use super::*;

    #[test]
    fn bearer_challenges_are_read_as_registries_write_them() {
        let params = challenge_params(
            r#"realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(
            params,
            vec![
                ("realm".into(), "https://auth.docker.io/token".into()),
                ("service".into(), "registry.docker.io".into()),
                ("scope".into(), "repository:a/b:pull,push".into()),
            ]
        );
        assert_eq!(
            challenge_params("realm=x, service=y"),
            vec![("realm".into(), "x".into()), ("service".into(), "y".into())]
        );
        assert_eq!(
            vx_net::url::encode_component("repository:a/b:pull,push"),
            "repository%3Aa%2Fb%3Apull%2Cpush"
        );
    }
}
