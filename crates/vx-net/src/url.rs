//! URL helpers shared by the client and its callers: origins, redirect targets, the
//! redirect scheme rule, and URLs fit for a message.

use std::path::PathBuf;

use vx_base::validate::{self, Scheme};

/// The most redirects followed for one request.
pub const MAX_REDIRECTS: u32 = 5;

/// A URL reference split into RFC 3986's five parts (its Appendix B): the one parser
/// under [`origin`], [`host`], [`port`] and [`resolve`]. Nothing is decoded or
/// checked here (`validate::url` checks); a part is `None` when its delimiter is absent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Reference<'a> {
    /// Before the first `:`, when that is a scheme (`ALPHA *( ALPHA / DIGIT / "+" /
    /// "-" / "." )`) and comes before any `/`, `?` or `#`.
    scheme: Option<&'a str>,
    /// After `//`, up to the next `/`, `?` or `#`: `[userinfo@]host[:port]`.
    authority: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

impl<'a> Reference<'a> {
    fn parse(text: &'a str) -> Reference<'a> {
        let (rest, fragment) = match text.split_once('#') {
            Some((rest, f)) => (rest, Some(f)),
            None => (text, None),
        };
        let (rest, query) = match rest.split_once('?') {
            Some((rest, q)) => (rest, Some(q)),
            None => (rest, None),
        };
        let scheme = rest.split_once(':').map(|(s, _)| s).filter(|s| {
            s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        });
        let rest = scheme.map_or(rest, |s| &rest[s.len() + 1..]);
        let (authority, path) = match rest.strip_prefix("//") {
            Some(after) => {
                let end = after.find('/').unwrap_or(after.len());
                (Some(&after[..end]), &after[end..])
            }
            None => (None, rest),
        };
        Reference {
            scheme,
            authority,
            path,
            query,
            fragment,
        }
    }

    /// The authority without its userinfo: `host[:port]`.
    fn host_port(&self) -> Option<&'a str> {
        let authority = self.authority?;
        Some(authority.rsplit_once('@').map_or(authority, |(_, h)| h))
    }

    /// The host (brackets kept off an IPv6 literal) and the port as written (empty
    /// when there is none).
    fn host_and_port(&self) -> Option<(&'a str, &'a str)> {
        let host_port = self.host_port()?;
        match host_port.strip_prefix('[') {
            Some(v6) => {
                let (host, after) = v6.split_once(']')?;
                Some((host, after.strip_prefix(':').unwrap_or(after)))
            }
            None => Some(host_port.split_once(':').unwrap_or((host_port, ""))),
        }
    }
}

impl std::fmt::Display for Reference<'_> {
    /// RFC 3986's recomposition (5.3).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(scheme) = self.scheme {
            write!(f, "{scheme}:")?;
        }
        if let Some(authority) = self.authority {
            write!(f, "//{authority}")?;
        }
        f.write_str(self.path)?;
        if let Some(query) = self.query {
            write!(f, "?{query}")?;
        }
        if let Some(fragment) = self.fragment {
            write!(f, "#{fragment}")?;
        }
        Ok(())
    }
}

/// Whether `url` names a place on the web: `https://` or `http://`, the scheme in any
/// case as RFC 3986 has it (what a registry, a checksum or a signature may name;
/// `file://` would read this machine).
pub fn is_web(url: &str) -> bool {
    let has = |scheme: &str| {
        url.get(..scheme.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
    };
    has("https://") || has("http://")
}

/// `scheme://host[:port]` of `url`, lower-cased, without credentials; `None` for a URL
/// without a scheme or an authority (`mailto:x`).
pub fn origin(url: &str) -> Option<String> {
    let url = Reference::parse(url);
    Some(format!(
        "{}://{}",
        url.scheme?.to_ascii_lowercase(),
        url.host_port()?.to_ascii_lowercase()
    ))
}

/// The host of `url` (lower-case, without port, brackets kept off an IPv6 literal);
/// `None` for a URL without one.
pub fn host(url: &str) -> Option<String> {
    let url = Reference::parse(url);
    url.scheme?;
    let (host, _) = url.host_and_port()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// The port of `url`: explicit, or the scheme's default (80, 443).
pub fn port(url: &str) -> Option<u16> {
    let url = Reference::parse(url);
    let scheme = url.scheme?;
    let (_, port) = url.host_and_port()?;
    if port.is_empty() {
        match scheme.to_ascii_lowercase().as_str() {
            "http" => Some(80),
            "https" => Some(443),
            _ => None,
        }
    } else {
        port.parse().ok()
    }
}

/// A redirect's `Location` resolved against the URL that answered it, as RFC 3986
/// resolves a reference (5.2.2, strict): `../` and `./` segments removed, a reference
/// of only `?query` keeping the base's path, an empty one the base's query too.
pub fn resolve(base: &str, location: &str) -> String {
    let base = Reference::parse(base);
    let r = Reference::parse(location);
    let owned_path;
    let target = if r.scheme.is_some() {
        owned_path = remove_dot_segments(r.path);
        Reference {
            path: &owned_path,
            ..r
        }
    } else {
        let (authority, path, query) = if r.authority.is_some() {
            owned_path = remove_dot_segments(r.path);
            (r.authority, owned_path.as_str(), r.query)
        } else if r.path.is_empty() {
            (base.authority, base.path, r.query.or(base.query))
        } else if r.path.starts_with('/') {
            owned_path = remove_dot_segments(r.path);
            (base.authority, owned_path.as_str(), r.query)
        } else {
            // Merged with the base's directory (5.2.3).
            let merged = if base.authority.is_some() && base.path.is_empty() {
                format!("/{}", r.path)
            } else {
                let dir = base.path.rfind('/').map_or("", |i| &base.path[..=i]);
                format!("{dir}{}", r.path)
            };
            owned_path = remove_dot_segments(&merged);
            (base.authority, owned_path.as_str(), r.query)
        };
        Reference {
            scheme: Some(base.scheme.unwrap_or("http")),
            authority,
            path,
            query,
            fragment: r.fragment,
        }
    };
    target.to_string()
}

/// RFC 3986's `remove_dot_segments` (5.2.4): `.` and `..` segments taken out of a
/// path, `..` removing the segment before it (never above the root).
fn remove_dot_segments(path: &str) -> String {
    let mut input = path;
    let mut output = String::with_capacity(path.len());
    // The last segment of the output and its `/`, gone.
    let pop = |output: &mut String| output.truncate(output.rfind('/').unwrap_or(0));
    while !input.is_empty() {
        if let Some(rest) = input.strip_prefix("../") {
            input = rest;
        } else if let Some(rest) = input.strip_prefix("./") {
            input = rest;
        } else if input.starts_with("/./") {
            input = &input[2..];
        } else if input == "/." {
            input = "/";
        } else if input.starts_with("/../") {
            input = &input[3..];
            pop(&mut output);
        } else if input == "/.." {
            input = "/";
            pop(&mut output);
        } else if input == "." || input == ".." {
            input = "";
        } else {
            // The first segment, with its leading `/` if any, up to the next `/`.
            let end = input.as_bytes()[1..]
                .iter()
                .position(|&b| b == b'/')
                .map_or(input.len(), |i| i + 1);
            output.push_str(&input[..end]);
            input = &input[end..];
        }
    }
    output
}

/// Why a request first made with `scheme` must not follow a redirect to `to`, if it
/// must not: only http and https are followed, and https never down to http.
pub(crate) fn redirect_refusal(scheme: Scheme, to: &str) -> Option<&'static str> {
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
    vx_text::sanitize(&validate::shorten(&url)).into_owned()
}

/// The local path of a `file://` URL (already validated), percent-decoded.
pub fn file_path(url: &str) -> PathBuf {
    let rest = &url[url.find("://").map_or(0, |i| i + 3)..];
    // Validation allowed only an empty host or `localhost` (any case).
    let rest = &rest[rest.find('/').unwrap_or(0)..];
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let bytes = validate::percent_decoded(rest);
    // A path Windows cannot name (not UTF-8) is shown as best it can be and not found.
    vx_base::platform::fs::file_url_path(&bytes)
        .unwrap_or_else(|| PathBuf::from(String::from_utf8_lossy(&bytes).into_owned()))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn a_web_url_is_told_by_its_scheme_in_any_case() {
        for web in [
            "https://a.example/x",
            "http://a",
            "HTTPS://A.example/",
            "Http://a",
        ] {
            assert!(is_web(web), "{web}");
        }
        for not in [
            "file:///etc/passwd",
            "FILE:///x",
            "ftp://a",
            "https:/a",
            "http",
            "",
            "é",
        ] {
            assert!(!is_web(not), "{not}");
        }
    }

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

    /// RFC 3986's examples (5.4.1 normal, 5.4.2 abnormal) against its base.
    #[test]
    fn references_resolve_as_rfc_3986_says() {
        let base = "http://a/b/c/d;p?q";
        for (reference, target) in [
            ("g:h", "g:h"),
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q#s"),
            ("g#s", "http://a/b/c/g#s"),
            ("g?y#s", "http://a/b/c/g?y#s"),
            (";x", "http://a/b/c/;x"),
            ("g;x?y#s", "http://a/b/c/g;x?y#s"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("./", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../", "http://a/"),
            ("../../g", "http://a/g"),
            ("../../../g", "http://a/g"),
            ("../../../../g", "http://a/g"),
            ("/./g", "http://a/g"),
            ("/../g", "http://a/g"),
            ("g.", "http://a/b/c/g."),
            (".g", "http://a/b/c/.g"),
            ("g..", "http://a/b/c/g.."),
            ("..g", "http://a/b/c/..g"),
            ("./../g", "http://a/b/g"),
            ("./g/.", "http://a/b/c/g/"),
            ("g/./h", "http://a/b/c/g/h"),
            ("g/../h", "http://a/b/c/h"),
            ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
            ("g;x=1/../y", "http://a/b/c/y"),
            ("g?y/./x", "http://a/b/c/g?y/./x"),
            ("g?y/../x", "http://a/b/c/g?y/../x"),
            ("g#s/./x", "http://a/b/c/g#s/./x"),
            ("http:g", "http:g"),
            // Beyond the RFC's table: non-ASCII segments and a dotted absolute URL.
            ("é/../ü", "http://a/b/c/ü"),
            ("https://x/a/./b/../c", "https://x/a/c"),
        ] {
            assert_eq!(resolve(base, reference), target, "{reference:?}");
        }
    }

    #[test]
    fn urls_in_messages_lose_credentials_and_queries() {
        assert_eq!(
            display_url("https://user:pw@h.org/a/b?token=s#f"),
            "https://h.org/a/b"
        );
        assert_eq!(display_url("http://h/\x1b[2J"), "http://h/\\x1b[2J");
        assert_eq!(origin("HTTP://u@H:8/x"), Some("http://h:8".to_owned()));
        assert_eq!(origin("file:///x"), Some("file://".to_owned()));
        assert_eq!(origin("mailto:a@b"), None);
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
