//! What can go wrong with a request, said so a user can act on it: the URL (without
//! credentials or query), the host, the proxy it went through and the trust in use,
//! and whether a retry may help. [`NetError::from_ureq`] sorts the HTTP client's
//! errors: an untrusted certificate, a failed TLS handshake or a name that does not
//! resolve fails at once (another attempt would meet the same answer), a proxy that
//! cannot be reached or refuses a tunnel is named with the variable that set it.

use std::fmt;
use std::sync::Arc;

use thiserror::Error;

use super::proxy::{ProxyError, Route};
use super::trust::{TrustError, TrustSettings};

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
    /// The server's certificate is not signed by a CA vx trusts.
    #[error(
        "{url}: the TLS certificate of {host} is not trusted (UnknownIssuer){}; vx trusts \
         {trust}; add the CA with SSL_CERT_FILE or [http] ca_certificates",
        via(proxy.as_deref())
    )]
    UntrustedCertificate {
        /// The URL requested, for a message.
        url: String,
        /// The server's host.
        host: String,
        /// The trust in use ([`TrustSettings::describe`]).
        trust: String,
        /// The proxy whose tunnel it went through, for a message.
        proxy: Option<String>,
    },
    /// The TLS handshake failed for another reason (an expired certificate, one for
    /// another name, a server that does not speak TLS).
    #[error("{url}: the TLS connection to {host} failed: {reason}{}", via(proxy.as_deref()))]
    Tls {
        /// The URL requested, for a message.
        url: String,
        /// The server's host.
        host: String,
        /// rustls's reason.
        reason: String,
        /// The proxy whose tunnel it went through, for a message.
        proxy: Option<String>,
    },
    /// A host name did not resolve: the server's, or the proxy's when `proxy` is set.
    #[error("{url}: cannot resolve {}{host}: {reason}", proxy_of(proxy.as_ref()))]
    Dns {
        /// The URL requested, for a message.
        url: String,
        /// The name that did not resolve.
        host: String,
        /// The proxy whose host it is, when it is one.
        proxy: Option<ProxyName>,
        /// The resolver's reason.
        reason: String,
    },
    /// The proxy could not be reached, or did not answer the tunnel's request.
    #[error("{url}: cannot connect to the proxy {proxy}: {reason}")]
    ProxyConnect {
        /// The URL requested, for a message.
        url: String,
        /// The proxy.
        proxy: ProxyName,
        /// Why ("connection refused").
        reason: String,
    },
    /// The proxy answered the CONNECT with a refusal.
    #[error("{url}: the proxy {proxy} refused the tunnel to {target}: {}", status_line(*code))]
    ProxyRefused {
        /// The URL requested, for a message.
        url: String,
        /// The proxy.
        proxy: ProxyName,
        /// `host:port` asked for.
        target: String,
        /// The proxy's answer (403).
        code: u16,
    },
    /// The proxy variable for this URL is set to something vx cannot use.
    #[error("{url}: {source}")]
    ProxySetting {
        /// The URL requested, for a message.
        url: String,
        /// What is wrong.
        #[source]
        source: ProxyError,
    },
    /// The configured trust could not be loaded (an unreadable CA file, an empty
    /// system store).
    #[error("{url}: {source}")]
    Trust {
        /// The URL requested, for a message.
        url: String,
        /// What is wrong.
        #[source]
        source: Arc<TrustError>,
    },
    /// A header the user config gives this host cannot be sent (a variable it names is
    /// not set): said before anything is sent.
    #[error("{url}: {source}")]
    Credentials {
        /// The URL requested, for a message.
        url: String,
        /// What is wrong (the host, the header, the variable; never a value).
        #[source]
        source: super::credentials::CredentialsError,
    },
    /// The answer's body, read into memory, took longer than its deadline in all.
    #[error(
        "{url}: the answer took longer than {} in all ({} read); a slow link can set {} (seconds)",
        vx_text::duration(deadline.as_secs()),
        vx_text::bytes(*got),
        super::ANSWER_TIMEOUT_ENV
    )]
    Deadline {
        /// The URL, for a message.
        url: String,
        /// The deadline.
        deadline: std::time::Duration,
        /// How much had come.
        got: u64,
    },
    /// The server held the exchange without progress a timeout catches: its answer's
    /// head trickled past [`super::Timeouts::answer`], or it stopped taking what vx
    /// sends for [`super::Timeouts::read`].
    #[error("{url}: {why}")]
    Stalled {
        /// The URL, for a message.
        url: String,
        /// What the server did, and what a user can set.
        why: String,
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

fn proxy_of(proxy: Option<&ProxyName>) -> String {
    proxy
        .map(|p| format!("the host of the proxy {p}: "))
        .unwrap_or_default()
}

/// A proxy named for a message: `http://proxy:3128 (HTTPS_PROXY)`, no credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyName {
    /// `http://host:port`.
    pub url: String,
    /// The variable that set it.
    pub var: &'static str,
}

impl fmt::Display for ProxyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.url, self.var)
    }
}

/// A host name that did not resolve, as the client's resolver reports it (inside
/// `ureq::Error::Other`) so that it is told apart from other I/O errors.
#[derive(Debug, Error)]
#[error("cannot resolve {host}: {reason}")]
pub(crate) struct DnsFailure {
    /// The name.
    pub host: String,
    /// Why.
    pub reason: String,
}

impl NetError {
    /// The error for `source`, which a request to `url` (as displayed) over `route`
    /// with `trust` met before any answer.
    pub(crate) fn from_ureq(
        url: &str,
        route: &Route,
        trust: &TrustSettings,
        timeouts: &super::Timeouts,
        source: ureq::Error,
    ) -> NetError {
        let url_text = super::url::display_url(url);
        let host = super::url::host(url).unwrap_or_default();
        let proxy = route.proxy();
        let proxy_name = || {
            proxy.map(|p| ProxyName {
                url: p.to_string(),
                var: p.var(),
            })
        };
        let shown = |text: &str| vx_text::sanitize(text).into_owned();
        if let Some(tls) = rustls_error(&source) {
            return match tls {
                rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer) => {
                    NetError::UntrustedCertificate {
                        url: url_text,
                        host,
                        trust: trust.describe(),
                        proxy: route.proxy_for_display(),
                    }
                }
                rustls::Error::InvalidCertificate(cert) => NetError::Tls {
                    url: url_text,
                    host,
                    reason: shown(&format!("its certificate is not valid: {cert}")),
                    proxy: route.proxy_for_display(),
                },
                other => NetError::Tls {
                    url: url_text,
                    host,
                    reason: shown(&other.to_string()),
                    proxy: route.proxy_for_display(),
                },
            };
        }
        let source = match source {
            ureq::Error::Other(other) => match other.downcast::<DnsFailure>() {
                Ok(failure) => {
                    return NetError::Dns {
                        url: url_text,
                        proxy: proxy_name().filter(|_| failure.host != host),
                        host: shown(&failure.host),
                        reason: shown(&failure.reason),
                    };
                }
                Err(other) => ureq::Error::Other(other),
            },
            ureq::Error::HostNotFound => {
                return NetError::Dns {
                    url: url_text,
                    host,
                    proxy: proxy_name(),
                    reason: "no address".to_owned(),
                };
            }
            other => other,
        };
        let stalled = match &source {
            ureq::Error::Timeout(ureq::Timeout::RecvResponse) => Some(format!(
                "the answer's head did not arrive whole within {}; a slow link can set {} (seconds)",
                vx_text::duration(timeouts.answer.as_secs()),
                super::ANSWER_TIMEOUT_ENV
            )),
            ureq::Error::Timeout(ureq::Timeout::PerWrite) => Some(format!(
                "the server took nothing of what vx sends for {}",
                vx_text::duration(timeouts.read.as_secs())
            )),
            _ => None,
        };
        if let Some(why) = stalled {
            return NetError::Stalled {
                url: url_text,
                why: format!("{why}{}", via(route.proxy_for_display().as_deref())),
            };
        }
        // Through a proxy: the connection that failed to open was the proxy's (the
        // proxy makes the one to the server), and a CONNECT refusal is its answer.
        if let Some(proxy) = proxy_name() {
            let failure = match &source {
                ureq::Error::ConnectProxyFailed(reason) => Some(match refusal_code(reason) {
                    Some(code) => NetError::ProxyRefused {
                        url: url_text.clone(),
                        proxy,
                        target: format!("{host}:{}", super::url::port(url).unwrap_or(443)),
                        code,
                    },
                    None => NetError::ProxyConnect {
                        url: url_text.clone(),
                        proxy,
                        reason: shown(reason),
                    },
                }),
                ureq::Error::Io(io) if is_connect_error(io) => Some(NetError::ProxyConnect {
                    url: url_text.clone(),
                    proxy,
                    reason: connect_reason(io),
                }),
                _ => None,
            };
            if let Some(failure) = failure {
                return failure;
            }
        }
        NetError::Request {
            url: url_text,
            proxy: route.proxy_for_display(),
            source: Box::new(source),
        }
    }

    /// True for failures worth another attempt: the connection refused, reset or
    /// dropped, a timeout, a proxy that cannot be reached or answers a tunnel with a
    /// 5xx. Never for a bad URL or redirect, a size limit, TLS, DNS, a proxy's
    /// refusal or a setting vx cannot use.
    pub fn is_transient(&self) -> bool {
        match self {
            NetError::Request { source, .. } => matches!(
                **source,
                ureq::Error::Io(_) | ureq::Error::Timeout(_) | ureq::Error::ConnectionFailed
            ),
            NetError::ProxyConnect { .. } | NetError::Read { .. } | NetError::Stalled { .. } => {
                true
            }
            NetError::ProxyRefused { code, .. } => *code >= 500,
            _ => false,
        }
    }

    /// Why, short and without the URL: what a retry announces.
    pub fn cause(&self) -> String {
        match self {
            NetError::Request { source, proxy, .. } => format!("{source}{}", via(proxy.as_deref())),
            NetError::Read { source, .. } => format!("the connection failed: {source}"),
            NetError::UntrustedCertificate { url, .. }
            | NetError::Tls { url, .. }
            | NetError::Dns { url, .. }
            | NetError::ProxyConnect { url, .. }
            | NetError::ProxyRefused { url, .. }
            | NetError::ProxySetting { url, .. }
            | NetError::Stalled { url, .. }
            | NetError::Credentials { url, .. }
            | NetError::Trust { url, .. } => {
                let text = self.to_string();
                text.strip_prefix(url.as_str())
                    .and_then(|rest| rest.strip_prefix(": "))
                    .map_or_else(|| text.clone(), str::to_owned)
            }
            other => other.to_string(),
        }
    }

    /// True when the server sent nothing for the read timeout before answering.
    pub fn is_read_timeout(&self) -> bool {
        matches!(self, NetError::Request { source, .. }
            if matches!(**source, ureq::Error::Timeout(ureq::Timeout::PerRead)))
    }
}

/// The rustls error inside `source`, if the failure was TLS.
fn rustls_error(source: &ureq::Error) -> Option<&rustls::Error> {
    match source {
        ureq::Error::Rustls(tls) => Some(tls),
        ureq::Error::Io(io) => io.get_ref()?.downcast_ref::<rustls::Error>(),
        _ => None,
    }
}

/// The status code in ureq's "proxy server responded 403/…" (its only way of telling
/// a CONNECT refusal: a test with a real proxy pins it).
fn refusal_code(reason: &str) -> Option<u16> {
    let after = reason.split_once("responded ")?.1;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// `403 Forbidden`.
fn status_line(code: u16) -> String {
    let reason = ureq::http::StatusCode::from_u16(code)
        .ok()
        .and_then(|status| status.canonical_reason());
    match reason {
        Some(reason) => format!("{code} {reason}"),
        None => code.to_string(),
    }
}

/// Whether `io` is a failure to open a connection (rather than one dropped later).
fn is_connect_error(io: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        io.kind(),
        ConnectionRefused | HostUnreachable | NetworkUnreachable | AddrNotAvailable | TimedOut
    )
}

/// "connection refused", in the words of a message.
fn connect_reason(io: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match io.kind() {
        ConnectionRefused => "connection refused".to_owned(),
        HostUnreachable => "host unreachable".to_owned(),
        NetworkUnreachable => "network unreachable".to_owned(),
        TimedOut => "timed out".to_owned(),
        _ => io.to_string(),
    }
}
