//! One GET to GitHub (or to any URL, for [`super::Github::fetch`]): redirects followed
//! here rather than by the client, so that each hop is checked (http or https only,
//! never https down to http, at most [`MAX_REDIRECTS`]) and the token goes only where
//! it may: a GitHub host ([`GithubHosts::is_github`]) of the same origin as the URL
//! first asked for, never across a redirect to another host.

use std::time::Duration;

use ureq::http::HeaderMap;

use super::GithubError;
use super::config::GithubConfig;
use crate::install::InstallOptions;
use crate::install::fetch::MAX_REDIRECTS;
use crate::validate::{self, Scheme};

/// The most bytes of an error answer read for its message.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

/// The media type of the REST API's JSON.
const ACCEPT: &str = "application/vnd.github+json";
/// The REST API version vx is written against.
const API_VERSION: &str = "2022-11-28";

/// A final (non-redirect) answer.
pub(super) struct Answer {
    /// Its status.
    pub status: u16,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body: whole for a 200 (within the limit asked), the start of any other.
    pub body: Vec<u8>,
}

impl Answer {
    /// A header's value as text, when present and printable.
    pub fn header(&self, name: &str) -> Option<&str> {
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
    /// The largest 200 body accepted.
    pub max_bytes: u64,
}

/// The HTTP client: the install engine's timeouts and user agent; statuses and
/// redirects are handled here.
pub(super) fn agent() -> ureq::Agent {
    let opts = InstallOptions::default();
    agent_with(opts.connect_timeout, opts.read_timeout)
}

fn agent_with(connect: Duration, read: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_resolve(Some(connect))
        .timeout_connect(Some(connect))
        .timeout_per_read(Some(read))
        .max_redirects(0)
        .user_agent(concat!("vx/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Sends `get`, following redirects (see the module's doc).
pub(super) fn get(
    agent: &ureq::Agent,
    config: &GithubConfig,
    get: &Get<'_>,
) -> Result<Answer, GithubError> {
    let first = get.url;
    let first_scheme = match validate::url(first) {
        Ok(scheme @ (Scheme::Http | Scheme::Https)) => scheme,
        _ => {
            return Err(GithubError::BadUrl {
                url: display_url(first),
            });
        }
    };
    let mut current = first.to_owned();
    for hop in 0..=MAX_REDIRECTS {
        let mut request = agent.get(&current);
        if get.api {
            request = request
                .header("Accept", ACCEPT)
                .header("X-GitHub-Api-Version", API_VERSION);
        }
        if hop == 0
            && let Some(etag) = get.etag
        {
            request = request.header("If-None-Match", etag);
        }
        if let Some(token) = &config.token
            && config.hosts.is_github(&current)
            && origin(&current) == origin(first)
        {
            request = request.header("Authorization", token.bearer());
        }
        let mut response = request.call().map_err(|source| GithubError::Request {
            url: display_url(&current),
            source: Box::new(source),
        })?;
        let status = response.status().as_u16();
        if matches!(status, 301 | 302 | 303 | 307 | 308) {
            let to = response
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(|location| resolve(&current, location.trim()));
            let Some(to) = to else {
                return Err(GithubError::Status {
                    url: display_url(&current),
                    status,
                    message: Some("a redirect without a Location".to_owned()),
                });
            };
            if let Some(reason) = refusal(first_scheme, &to) {
                return Err(GithubError::BadRedirect {
                    url: display_url(first),
                    to: display_url(&to),
                    reason,
                });
            }
            current = to;
            continue;
        }
        let limit = if status == 200 {
            get.max_bytes
        } else {
            ERROR_BODY_LIMIT
        };
        let body = response.body_mut().with_config().limit(limit).read_to_vec();
        let body = match body {
            Ok(body) => body,
            Err(ureq::Error::BodyExceedsLimit(limit)) if status == 200 => {
                return Err(GithubError::TooLarge {
                    url: display_url(&current),
                    limit,
                });
            }
            Err(source) if status == 200 => {
                return Err(GithubError::Request {
                    url: display_url(&current),
                    source: Box::new(source),
                });
            }
            // An error answer's body only adds to the message.
            Err(_) => Vec::new(),
        };
        return Ok(Answer {
            status,
            headers: response.headers().clone(),
            body,
        });
    }
    Err(GithubError::BadRedirect {
        url: display_url(first),
        to: display_url(&current),
        reason: "too many redirects",
    })
}

/// Why a request first made with `scheme` must not follow a redirect to `to`.
fn refusal(scheme: Scheme, to: &str) -> Option<&'static str> {
    match validate::url(to) {
        Ok(Scheme::Https) => None,
        Ok(Scheme::Http) if scheme == Scheme::Https => Some("it downgrades https to http"),
        Ok(Scheme::Http) => None,
        _ => Some("only http:// and https:// are followed"),
    }
}

/// `scheme://host[:port]` of `url`, lower-cased; `None` for a URL without a scheme.
pub(super) fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    Some(format!(
        "{}://{}",
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase()
    ))
}

/// A redirect's `Location` resolved against the URL that answered it.
fn resolve(base: &str, location: &str) -> String {
    let has_scheme = location.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    });
    if has_scheme {
        return location.to_owned();
    }
    let scheme = base.split_once("://").map_or("http", |(s, _)| s);
    if let Some(rest) = location.strip_prefix("//") {
        return format!("{scheme}://{rest}");
    }
    let origin = origin(base).unwrap_or_default();
    if location.starts_with('/') {
        return format!("{origin}{location}");
    }
    let path = base
        .split(['?', '#'])
        .next()
        .unwrap_or(base)
        .get(origin.len()..)
        .unwrap_or("/");
    let dir = path.rfind('/').map_or("/", |i| &path[..=i]);
    format!("{origin}{dir}{location}")
}

/// `url` fit for a message: without credentials, query or fragment, sanitized.
pub(super) fn display_url(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or(url);
    let url = match url.split_once("://") {
        Some((scheme, rest)) => {
            let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
            format!("{scheme}://{host}{path}")
        }
        None => url.to_owned(),
    };
    vx_tui::text::sanitize(&validate::shorten(&url)).into_owned()
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

/// `segment` percent-encoded for a URL path: every byte but ASCII letters, digits and
/// `-._~` escaped, so a tag such as `cli/v1.2+3` stays one segment.
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_resolve_against_the_url_that_answered() {
        let base = "https://api.github.com/repos/o/r/releases?page=2";
        assert_eq!(resolve(base, "https://x.org/a"), "https://x.org/a");
        assert_eq!(resolve(base, "//x.org/a"), "https://x.org/a");
        assert_eq!(resolve(base, "/b?c"), "https://api.github.com/b?c");
        assert_eq!(
            resolve(base, "tags"),
            "https://api.github.com/repos/o/r/tags"
        );
        assert_eq!(resolve("http://h:1", "a"), "http://h:1/a");
    }

    #[test]
    fn urls_in_messages_lose_credentials_and_queries() {
        assert_eq!(
            display_url("https://user:pw@h.org/a/b?token=s#f"),
            "https://h.org/a/b"
        );
        assert_eq!(display_url("http://h/\x1b[2J"), "http://h/\\x1b[2J");
        assert_eq!(origin("HTTP://u@H:8/x"), Some("http://h:8".to_owned()));
    }

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

    #[test]
    fn redirects_stay_on_http() {
        assert_eq!(refusal(Scheme::Https, "https://a"), None);
        assert_eq!(refusal(Scheme::Http, "http://a"), None);
        assert!(refusal(Scheme::Https, "http://a").is_some());
        assert!(refusal(Scheme::Http, "file:///etc/passwd").is_some());
    }
}
