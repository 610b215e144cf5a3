//! URL helpers shared by the client and its callers: origins, redirect targets, the
//! redirect scheme rule, and URLs fit for a message.

use std::path::PathBuf;

use crate::validate::{self, Scheme};

/// The most redirects followed for one request.
pub const MAX_REDIRECTS: u32 = 5;

/// `scheme://host[:port]` of `url`, lower-cased, without credentials; `None` for a URL
/// without a scheme.
pub fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    Some(format!(
        "{}://{}",
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase()
    ))
}

/// The host of `url` (lower-case, without port, brackets kept off an IPv6 literal);
/// `None` for a URL without one.
pub fn host(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        authority.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// The port of `url`: explicit, or the scheme's default (80, 443).
pub fn port(url: &str) -> Option<u16> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let after_host = match authority.strip_prefix('[') {
        Some(v6) => v6.split_once(']')?.1,
        None => authority.split_once(':').map_or("", |(_, p)| p),
    };
    let explicit = after_host.strip_prefix(':').unwrap_or(after_host);
    if explicit.is_empty() {
        match scheme.to_ascii_lowercase().as_str() {
            "http" => Some(80),
            "https" => Some(443),
            _ => None,
        }
    } else {
        explicit.parse().ok()
    }
}

/// A redirect's `Location` resolved against the URL that answered it.
pub fn resolve(base: &str, location: &str) -> String {
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

/// Why a request first made with `scheme` must not follow a redirect to `to`, if it
/// must not: only http and https are followed, and https never down to http.
pub fn redirect_refusal(scheme: Scheme, to: &str) -> Option<&'static str> {
    match validate::url(to) {
        Ok(Scheme::Https) => None,
        Ok(Scheme::Http) if scheme == Scheme::Https => Some("it downgrades https to http"),
        Ok(Scheme::Http) => None,
        _ => Some("only http:// and https:// are followed"),
    }
}

/// `text` percent-encoded as one URL component (a path segment, a query value):
/// every byte but ASCII letters, digits and `-._~` escaped, so a tag such as
/// `cli/v1.2+3` stays one segment and a scope's `:` and `,` survive a query.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `url` fit for a message: without credentials, query or fragment, sanitized and
/// shortened.
pub fn display_url(url: &str) -> String {
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

/// The local path of a `file://` URL (already validated), percent-decoded.
pub fn file_path(url: &str) -> PathBuf {
    let rest = &url[url.find("://").map_or(0, |i| i + 3)..];
    // Validation allowed only an empty host or `localhost` (any case).
    let rest = &rest[rest.find('/').unwrap_or(0)..];
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let bytes = validate::percent_decoded(rest);
    // A path Windows cannot name (not UTF-8) is shown as best it can be and not found.
    crate::platform::fs::file_url_path(&bytes)
        .unwrap_or_else(|| PathBuf::from(String::from_utf8_lossy(&bytes).into_owned()))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

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
    fn hosts_and_ports_are_read_as_a_client_connects() {
        assert_eq!(
            host("https://u:p@Files.Corp:8443/a").as_deref(),
            Some("files.corp")
        );
        assert_eq!(host("http://[::1]:80/").as_deref(), Some("::1"));
        assert_eq!(port("http://[::1]:8080/"), Some(8080));
        assert_eq!(port("https://h/x"), Some(443));
        assert_eq!(port("http://h?x"), Some(80));
        assert_eq!(host("file:///etc/passwd"), None);
    }

    #[test]
    fn redirects_stay_on_http() {
        assert_eq!(redirect_refusal(Scheme::Https, "https://a"), None);
        assert_eq!(redirect_refusal(Scheme::Http, "http://a"), None);
        assert!(redirect_refusal(Scheme::Https, "http://a").is_some());
        assert!(redirect_refusal(Scheme::Http, "file:///etc/passwd").is_some());
    }

    #[test]
    fn file_urls_name_local_paths() {
        assert_eq!(file_path("file:///a/b.zip"), Path::new("/a/b.zip"));
        assert_eq!(file_path("file://localhost/a/b"), Path::new("/a/b"));
        assert_eq!(file_path("FILE://LocalHost/a/b"), Path::new("/a/b"));
        assert_eq!(file_path("file:///a%2"), Path::new("/a%2"));
        assert_eq!(file_path("file:///a%zz"), Path::new("/a%zz"));
        assert_eq!(file_path("file:///a?x#y"), Path::new("/a"));
    }
}
