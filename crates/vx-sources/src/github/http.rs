//! One GET to GitHub (or to any URL, for [`super::Github::fetch`]) through the
//! network's client ([`vx_net::Client`]), which follows redirects hop by hop. The
//! token goes only where it may: a GitHub host ([`GithubHosts::is_github`]), after
//! `url_replacements`, and only while the request stays on that origin.
//!
//! [`GithubHosts::is_github`]: crate::github::hosts::GithubHosts::is_github

use ureq::http::HeaderMap;

use super::GithubError;
use super::config::GithubConfig;
use vx_base::secret::Secret;
use vx_net::{Client, NetError, Request};

pub use vx_net::url::encode_component as encode_segment;
pub(crate) use vx_net::url::{display_url, origin};

/// The most bytes of an error answer read for its message.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

/// The media type of the REST API's JSON.
const ACCEPT: &str = "application/vnd.github+json";
/// The REST API version vx is written against.
const API_VERSION: &str = "2022-11-28";

/// A final (non-redirect) answer.
pub(super) struct Answer {
    /// The URL that answered: after `url_replacements` (a company's mirror of the API)
    /// and redirects. What a message names, and what a token hint is judged by.
    pub url: String,
    /// Its status.
    pub status: u16,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body: whole for a 200 (within the limit asked), the start of any other.
    pub body: Vec<u8>,
    /// The proxy that forwarded the request (plain http, so the proxy itself may be
    /// what answered), for a message; `None` when direct or tunnelled.
    pub forwarded_by: Option<String>,
}

impl Answer {
    /// A header's value as text, when present and printable.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }
}

/// What to ask for.
pub(super) struct Get<'a> {
    /// The URL.
    pub url: &'a str,
    /// Whether it is an API request (GitHub's `Accept` and API version headers).
    pub api: bool,
    /// An `If-None-Match` validator.
    pub etag: Option<&'a str>,
    /// An `If-Modified-Since` validator (a `Last-Modified` date given earlier).
    pub last_modified: Option<&'a str>,
    /// The largest 200 body accepted.
    pub max_bytes: u64,
    /// A deadline shared with the other requests of one answer (a listing's pages);
    /// `None`: the client's own for this request.
    pub by: Option<std::time::Instant>,
}

/// Sends `get` (see the module's doc).
pub(super) fn get(
    client: &Client,
    config: &GithubConfig,
    get: &Get<'_>,
) -> Result<Answer, GithubError> {
    let url = client.rewritten(get.url);
    let mut request = Request::get(&url).already_rewritten();
    if get.api {
        request = request
            .header("Accept", ACCEPT)
            .header("X-GitHub-Api-Version", API_VERSION);
    }
    if let Some(etag) = get.etag {
        request = request.header("If-None-Match", etag);
    }
    if let Some(date) = get.last_modified {
        request = request.header("If-Modified-Since", date);
    }
    if let Some(by) = get.by {
        request = request.by(by);
    }
    if let Some(token) = &config.token
        && config.hosts.is_github(&url)
    {
        request = request.secret_header("Authorization", Secret::from(token));
    }
    let response = client.send(request).map_err(GithubError::from_net)?;
    let status = response.status;
    let headers = response.headers.clone();
    let answered = response.url.clone();
    let forwarded_by = match &response.route {
        vx_net::proxy::Route::Forward(_) => response.route.proxy_for_display(),
        _ => None,
    };
    let limit = if status == 200 {
        get.max_bytes
    } else {
        ERROR_BODY_LIMIT
    };
    let body = match response.read_to_vec(limit) {
        Ok(body) => body,
        Err(err) if status == 200 => return Err(GithubError::from_net(err)),
        // An error answer's body only adds to the message.
        Err(_) => Vec::new(),
    };
    Ok(Answer {
        url: answered,
        status,
        headers,
        body,
        forwarded_by,
    })
}

impl GithubError {
    /// A request that got no answer, or an answer too large.
    pub(super) fn from_net(err: NetError) -> GithubError {
        match err {
            NetError::BadUrl { url } => GithubError::BadUrl { url },
            NetError::BadRedirect { url, to, reason } => {
                GithubError::BadRedirect { url, to, reason }
            }
            NetError::TooLarge { url, limit } => GithubError::TooLarge { url, limit },
            other => GithubError::Request(other),
        }
    }
}

/// The `rel="next"` target of a `Link` header.
pub(super) fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        let is_next = params.split(';').any(|param| {
            param.split_once('=').is_some_and(|(name, value)| {
                name.trim().eq_ignore_ascii_case("rel")
                    && value
                        .trim()
                        .trim_matches('"')
                        .split_ascii_whitespace()
                        .any(|rel| rel.eq_ignore_ascii_case("next"))
            })
        });
        is_next.then(|| target.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_link_is_found_among_the_others() {
        let link = r#"<https://api.github.com/r?page=1>; rel="prev", <https://api.github.com/r?per_page=100&page=3>; rel="next", <https://api.github.com/r?page=9>; rel="last""#;
        assert_eq!(
            next_link(link).as_deref(),
            Some("https://api.github.com/r?per_page=100&page=3")
        );
        assert_eq!(next_link(r#"<https://a/r?page=9>; rel="last""#), None);
        assert_eq!(next_link("garbage"), None);
    }

    #[test]
    fn segments_are_encoded_whole() {
        assert_eq!(encode_segment("cli/v1.2+3"), "cli%2Fv1.2%2B3");
        assert_eq!(encode_segment("v1.0.0-rc_1~x"), "v1.0.0-rc_1~x");
        assert_eq!(encode_segment("é"), "%C3%A9");
    }
}
