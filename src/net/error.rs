//! What can go wrong with a request, said so a user can act on it: the URL (without
//! credentials or query), the proxy it went through, and whether a retry may help.

use thiserror::Error;

/// Why a request got no answer (an answer with any status is not an error here).
#[derive(Debug, Error)]
pub enum NetError {
    /// A URL vx will not fetch (not http or https).
    #[error("{url}: not an http:// or https:// URL")]
    BadUrl {
        /// The URL, for a message.
        url: String,
    },
    /// A redirect led somewhere other than http or https, from https to http, or on
    /// past [`super::url::MAX_REDIRECTS`].
    #[error("{url}: refusing the redirect to {to}: {reason}")]
    BadRedirect {
        /// The URL requested, for a message.
        url: String,
        /// Where the redirect pointed, for a message.
        to: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The answer's body is larger than the caller accepts.
    #[error("{url}: the answer is larger than the {limit}-byte limit")]
    TooLarge {
        /// The URL, for a message.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// The request failed before an answer (DNS, connect, TLS, proxy, timeout).
    #[error("{url}: {source}{}", via(proxy.as_deref()))]
    Request {
        /// The URL requested, for a message.
        url: String,
        /// The proxy it went through, for a message (without credentials).
        proxy: Option<String>,
        /// The client's error.
        #[source]
        source: Box<ureq::Error>,
    },
    /// Reading the answer's body failed.
    #[error("{url}: reading the answer failed: {source}")]
    Read {
        /// The URL, for a message.
        url: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

fn via(proxy: Option<&str>) -> String {
    proxy
        .map(|p| format!(" (through the proxy {p})"))
        .unwrap_or_default()
}

impl NetError {
    /// True for failures worth another attempt: the connection refused, reset or
    /// dropped, a timeout. Never for a bad URL or redirect, a size limit, TLS or DNS.
    pub fn is_transient(&self) -> bool {
        match self {
            NetError::Request { source, .. } => matches!(
                **source,
                ureq::Error::Io(_) | ureq::Error::Timeout(_) | ureq::Error::ConnectionFailed
            ),
            NetError::Read { .. } => true,
            _ => false,
        }
    }

    /// Why, short and without the URL: what a retry announces.
    pub fn cause(&self) -> String {
        match self {
            NetError::Request { source, proxy, .. } => format!("{source}{}", via(proxy.as_deref())),
            NetError::Read { source, .. } => format!("the connection failed: {source}"),
            other => other.to_string(),
        }
    }

    /// True when the server sent nothing for the read timeout before answering.
    pub fn is_read_timeout(&self) -> bool {
        matches!(self, NetError::Request { source, .. }
            if matches!(**source, ureq::Error::Timeout(ureq::Timeout::PerRead)))
    }
}
