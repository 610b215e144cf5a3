//! What can go wrong talking to GitHub, each said so a user can act on it. No message
//! carries a token, a URL's query or credentials, or unsanitized text from a server.

use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

use super::config::TokenSource;

/// Why a GitHub request failed.
#[derive(Debug, Error)]
pub enum GithubError {
    /// A setting (an environment variable or a user-config key) is unusable.
    #[error("{setting}: {problem}")]
    Setting {
        /// The variable or key.
        setting: &'static str,
        /// What is wrong (the value is not shown: it may be a secret).
        problem: &'static str,
    },
    /// An owner, repository or tag that cannot name anything on GitHub.
    #[error("`{value}` is not a GitHub {what}")]
    BadName {
        /// "owner", "repository" or "tag".
        what: &'static str,
        /// The value, sanitized and shortened.
        value: String,
    },
    /// The API's rate limit is used up.
    #[error("{}", rate_limit_message(reset, *retry_after, token))]
    RateLimited {
        /// When the limit resets, when the server said.
        reset: Option<Reset>,
        /// How long to wait (`Retry-After`, seconds), when the server said.
        retry_after: Option<u64>,
        /// Where the token in use came from; `None` without one.
        token: Option<TokenSource>,
    },
    /// HTTP 401: the token was refused (or, without one, one is needed).
    #[error("{url}: {}", unauthorized_message(token, message))]
    Unauthorized {
        /// The URL that answered (after `url_replacements`), without query or credentials.
        url: String,
        /// Where the token sent came from (never the token); `None`: none was sent.
        token: Option<TokenSource>,
        /// GitHub's message, sanitized.
        message: Option<String>,
    },
    /// HTTP 401 from the proxy that forwarded the request, not from GitHub (its
    /// answer lacks GitHub's headers): the proxy wants credentials, no GitHub token
    /// would help.
    #[error(
        "{url}: the proxy {proxy} answered HTTP 401, not GitHub: it asks for credentials; put them in the proxy's URL (http://USER:PASSWORD@HOST:PORT) or reach GitHub without it (NO_PROXY)"
    )]
    ProxyUnauthorized {
        /// The URL requested, without query or credentials.
        url: String,
        /// The proxy, without credentials.
        proxy: String,
    },
    /// HTTP 401 from a server that is not GitHub (`url_replacements` sent the request
    /// to a company's mirror of the API): a GitHub token, never sent there, would not
    /// help; the mirror's own credentials would.
    #[error(
        "{url}: HTTP 401: this server is not GitHub (url_replacements sent the request here) and asks for credentials; give them for its host in netrc or the user config's [http.headers.\"HOST\"]"
    )]
    ElsewhereUnauthorized {
        /// The URL that answered, without query or credentials.
        url: String,
    },
    /// HTTP 404.
    #[error("{what}: not found (HTTP 404 from {url}){}", if *token_hint { "; a private repository needs a token: set GITHUB_TOKEN" } else { "" })]
    NotFound {
        /// What was asked for: "release v1 of owner/repo".
        what: String,
        /// The URL that answered (after `url_replacements`), without query or credentials.
        url: String,
        /// Whether to say that a token may help: a GitHub URL asked without one.
        token_hint: bool,
    },
    /// Another status than 200 (or 304 to a revalidation).
    #[error("{url}: the server answered HTTP {status}{}", server_suffix(message))]
    Status {
        /// The URL that answered (after `url_replacements`), without query or credentials.
        url: String,
        /// The status.
        status: u16,
        /// GitHub's message, sanitized.
        message: Option<String>,
    },
    /// The request failed before an answer (DNS, connect, TLS, proxy, timeout).
    #[error(transparent)]
    Request(vx_net::NetError),
    /// A URL vx will not fetch (not http or https).
    #[error("{url}: not an http:// or https:// URL")]
    BadUrl {
        /// The URL, without query or credentials.
        url: String,
    },
    /// Offline, and a file (not an API answer) was asked for.
    #[error("offline (--offline or VX_OFFLINE=1): not fetching {url}")]
    Offline {
        /// The URL, without query or credentials.
        url: String,
    },
    /// The answer is larger than the limit for its kind.
    #[error("{url}: the answer is larger than {limit} bytes")]
    TooLarge {
        /// The URL requested, without query or credentials.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// A file (not an API answer: a publisher's index, a checksum list) that is not
    /// text: said as the file's fault, not GitHub's.
    #[error("{url}: the answer is not text (not UTF-8)")]
    NotText {
        /// The URL requested, without query or credentials.
        url: String,
    },
    /// The answer is not what the API sends.
    #[error("{url}: the answer is not GitHub's JSON: {problem}")]
    Malformed {
        /// The URL requested, without query or credentials.
        url: String,
        /// What is wrong, sanitized.
        problem: String,
    },
    /// A redirect or a pagination link vx will not follow.
    #[error("{url}: not following {to}: {reason}")]
    BadRedirect {
        /// The URL requested, without query or credentials.
        url: String,
        /// Where it pointed, without query or credentials.
        to: String,
        /// Why not.
        reason: &'static str,
    },
    /// Offline, and the answer is not in the cache.
    #[error("offline (--offline or VX_OFFLINE=1) and {what} is not in the cache{}", match cache {
        Some(dir) => format!(" ({}); a run with the network fills it", dir.display()),
        None => ": no cache directory is known (set VX_CACHE_DIR)".to_owned(),
    })]
    NotCached {
        /// What is missing: "the releases of owner/repo".
        what: String,
        /// The cache directory, when there is one.
        cache: Option<PathBuf>,
    },
    /// A cached answer could not be read.
    #[error("{}: the cached answer for {what} is unreadable ({problem}); remove the file and run again with the network", path.display())]
    BadCache {
        /// The cache file.
        path: PathBuf,
        /// What it held.
        what: String,
        /// What is wrong.
        problem: String,
    },
}

impl GithubError {
    /// Whether the request got no answer (DNS, connect, TLS, proxy, timeout): no token
    /// would help, the network is at fault.
    pub fn unreachable(&self) -> bool {
        matches!(self, GithubError::Request(_))
    }

    /// Whether no answer could be had without the network: it failed
    /// ([`GithubError::unreachable`]), or the run is offline and the cache lacks it.
    pub(crate) fn without_network(&self) -> bool {
        self.unreachable()
            || matches!(
                self,
                GithubError::Offline { .. } | GithubError::NotCached { .. }
            )
    }
}

/// When a rate limit resets: seconds since the epoch, and how far that is from now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reset {
    /// `X-RateLimit-Reset`: seconds since the epoch.
    pub at: u64,
    /// Seconds from when the answer came.
    pub in_secs: u64,
}

impl fmt::Display for Reset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "it resets at {} (in {} min)",
            utc(self.at),
            self.in_secs.div_ceil(60)
        )
    }
}

fn rate_limit_message(
    reset: &Option<Reset>,
    retry_after: Option<u64>,
    token: &Option<TokenSource>,
) -> String {
    let when = match (reset, retry_after) {
        (Some(reset), _) => format!("; {reset}"),
        (None, Some(secs)) => format!("; try again in {secs} s"),
        (None, None) => String::new(),
    };
    let what = match token {
        Some(source) => format!(
            "the rate limit of the token from {source} is used up{when}; wait, or use another token"
        ),
        None => format!(
            "GitHub's API rate limit for unauthenticated requests is used up{when}; \
             set GITHUB_TOKEN (or GH_TOKEN, or `token` under [github] in the user config) \
             to a GitHub token for a higher limit"
        ),
    };
    format!("GitHub: {what}")
}

fn unauthorized_message(token: &Option<TokenSource>, message: &Option<String>) -> String {
    let server = server_suffix(message);
    match token {
        Some(source) => format!(
            "GitHub refused the token from {source} (HTTP 401{server}); check or replace it"
        ),
        None => format!(
            "GitHub asks for a token (HTTP 401{server}); set GITHUB_TOKEN (or GH_TOKEN, or \
             `token` under [github] in the user config)"
        ),
    }
}

fn server_suffix(message: &Option<String>) -> String {
    message
        .as_deref()
        .map(|m| format!(": {m}"))
        .unwrap_or_default()
}

/// `secs` since the epoch as `YYYY-MM-DD HH:MM UTC` (the proleptic Gregorian
/// calendar; days to civil date after Howard Hinnant's algorithm).
pub fn utc(secs: u64) -> String {
    let (year, month, day, hour, minute, _) = vx_base::utc::date_time(secs);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc(1_735_689_599), "2024-12-31 23:59 UTC");
        assert_eq!(utc(1_709_210_096), "2024-02-29 12:34 UTC");
    }
}
