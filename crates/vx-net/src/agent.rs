//! The ureq agents the client sends through: one per [`Route`] and per need of TLS,
//! made on first use. An agent for https carries the trusted roots
//! ([`super::trust::TrustSettings::tls_config`]), which is what loads them, so a run
//! that makes no https request never reads the certificate store; an agent for plain
//! http trusts nothing, so no default roots can slip in. Names are resolved through
//! its resolver, which marks a failed lookup ([`DnsFailure`]) so that it is told apart
//! from a connection error and not retried. An agent for a forwarding proxy connects
//! to the proxy for every host ([`super::forward`]).

use std::sync::Arc;
use std::time::Duration;

use ureq::config::Config;
use ureq::tls::{RootCerts, TlsConfig};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver as Resolve};
use ureq::unversioned::transport::{Connector, DefaultConnector, NextTimeout};

use super::NetConfig;
use super::error::DnsFailure;
use super::forward::AbsoluteForm;
use super::proxy::{Proxy, ProxyError, Route};
use super::trust::TrustError;

/// How long to wait for the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Longest wait to resolve and connect to a server (or proxy).
    pub connect: Duration,
    /// Longest wait for any single read, or for a server to take any of what vx
    /// sends (a registry that stops reading an upload).
    pub read: Duration,
    /// Longest time, in all, to read an answer's body into memory
    /// ([`super::Response::read_to_vec`]: GitHub's API, registry, checksum and
    /// signature files, OCI answers). A server that trickles a byte now and then never
    /// trips [`Timeouts::read`]; this it does. Also the longest wait for an answer's
    /// head, which such a server could otherwise trickle for days.
    pub answer: Duration,
}

pub(crate) use super::ANSWER_TIMEOUT_ENV;

/// [`Timeouts::answer`] unless [`ANSWER_TIMEOUT_ENV`] says otherwise: two minutes, a
/// 16 MiB registry at 140 KiB/s.
pub(crate) const DEFAULT_ANSWER_TIMEOUT: Duration = Duration::from_secs(120);

impl Default for Timeouts {
    /// 30 s to connect, 30 s for any read, [`answer_timeout`] for a whole answer.
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(30),
            read: Duration::from_secs(30),
            answer: answer_timeout(),
        }
    }
}

/// [`ANSWER_TIMEOUT_ENV`] when it holds 1 to 86 400 (seconds), else
/// [`DEFAULT_ANSWER_TIMEOUT`].
pub(crate) fn answer_timeout() -> Duration {
    std::env::var(ANSWER_TIMEOUT_ENV)
        .ok()
        .and_then(|text| text.trim().parse::<u32>().ok())
        .filter(|secs| vx_base::validate::read_timeout(*secs).is_ok())
        .map_or(DEFAULT_ANSWER_TIMEOUT, |secs| {
            Duration::from_secs(u64::from(secs))
        })
}

/// Bytes of a connection's input buffer, and the largest answer head read (ureq's
/// default limit, 64 KiB): an answer's head must fit in the buffer, which never grows.
/// ureq's default buffer is 128 KiB, zeroed when a connection first reads; every `vx
/// sync` child pays for its buffers in page faults, so they are only as large as a head
/// needs (issue 54; docs/BENCHMARKS.md §22). A body is read a chunk at a time anyway.
const INPUT_BUFFER: usize = 64 << 10;
/// Bytes of a connection's output buffer, which holds a request's head (and an
/// upload's body a piece at a time): twice the whole head Node.js accepts, above any
/// common server's limit on one header line (ureq's default: 128 KiB).
const OUTPUT_BUFFER: usize = 32 << 10;

/// Which agent a request needs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct AgentKey {
    /// How the request goes.
    pub route: Route,
    /// Whether the connection speaks TLS (an https URL, direct or tunnelled).
    pub tls: bool,
}

/// Why an agent could not be made.
#[derive(Debug)]
pub(crate) enum BuildError {
    /// The trust for TLS could not be loaded.
    Trust(Arc<TrustError>),
    /// The proxy is not one ureq accepts.
    Proxy(ProxyError),
}

/// A new agent for `key`.
pub(crate) fn build(
    key: &AgentKey,
    net: &NetConfig,
    timeouts: Timeouts,
) -> Result<ureq::Agent, BuildError> {
    let tls = if key.tls {
        net.trust.tls_config().map_err(BuildError::Trust)?
    } else {
        TlsConfig::builder()
            .root_certs(RootCerts::Specific(Arc::default()))
            .build()
    };
    let builder = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_resolve(Some(timeouts.connect))
        .timeout_connect(Some(timeouts.connect))
        .timeout_per_read(Some(timeouts.read))
        .timeout_per_write(Some(timeouts.read))
        .timeout_recv_response(Some(timeouts.answer))
        .max_redirects(0)
        .max_response_header_size(INPUT_BUFFER)
        .input_buffer_size(INPUT_BUFFER)
        .output_buffer_size(OUTPUT_BUFFER)
        .user_agent(concat!("vx/", env!("CARGO_PKG_VERSION")))
        .tls_config(tls);
    let unusable = |proxy: &Proxy| {
        BuildError::Proxy(ProxyError {
            var: proxy.var(),
            reason: "its host is not a host name",
        })
    };
    Ok(match &key.route {
        Route::Direct => ureq::Agent::with_parts(
            builder.proxy(None).build(),
            DefaultConnector::default(),
            Resolver::default(),
        ),
        Route::Tunnel(proxy) => ureq::Agent::with_parts(
            builder
                .proxy(Some(proxy.to_ureq().map_err(|_| unusable(proxy))?))
                .build(),
            DefaultConnector::default(),
            Resolver::default(),
        ),
        // See `super::forward`: connect to the proxy whatever the host, one request per
        // connection, the request line in absolute form.
        Route::Forward(proxy) => ureq::Agent::with_parts(
            builder
                .proxy(None)
                .max_idle_connections(0)
                .max_idle_connections_per_host(0)
                .build(),
            DefaultConnector::default().chain(AbsoluteForm),
            Resolver {
                proxy: Some(proxy.uri().ok_or_else(|| unusable(proxy))?),
                ..Resolver::default()
            },
        ),
    })
}

/// ureq's resolver, with a failed lookup reported as [`DnsFailure`] (in
/// `ureq::Error::Other`) naming the host. A forwarding agent's resolves its proxy
/// whatever the request's host.
#[derive(Debug, Default)]
struct Resolver {
    /// ureq's.
    system: DefaultResolver,
    /// The proxy every request of a forwarding agent connects to.
    proxy: Option<ureq::http::Uri>,
}

impl Resolve for Resolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let uri = self.proxy.as_ref().unwrap_or(uri);
        // An address needs no lookup: ureq's own resolver starts a thread for every
        // lookup that has a timeout, an address's too (a `vx sync` child would start
        // one per tool from a loopback or LAN server).
        if let Some(addr) = literal_address(uri)
            && config
                .ip_family()
                .keep_wanted(std::iter::once(addr))
                .next()
                .is_some()
        {
            let mut addrs = self.empty();
            addrs.push(addr);
            return Ok(addrs);
        }
        let failure = |reason: String| {
            ureq::Error::Other(Box::new(DnsFailure {
                host: uri.host().unwrap_or_default().to_owned(),
                reason,
            }))
        };
        match self.system.resolve(uri, config, timeout) {
            Ok(addrs) => Ok(addrs),
            Err(ureq::Error::Io(io)) => Err(failure(lookup_reason(&io))),
            Err(ureq::Error::HostNotFound) => Err(failure("no address".to_owned())),
            Err(other) => Err(other),
        }
    }
}

/// The socket address of `uri` when its host is an IP address (`127.0.0.1`, `[::1]`)
/// of an http(s) URL, its port the URL's or the scheme's.
fn literal_address(uri: &ureq::http::Uri) -> Option<std::net::SocketAddr> {
    let host = uri.host()?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let ip: std::net::IpAddr = host.parse().ok()?;
    let scheme = uri.scheme()?;
    let port = match uri.port_u16() {
        Some(port) => port,
        None if *scheme == ureq::http::uri::Scheme::HTTP => 80,
        None if *scheme == ureq::http::uri::Scheme::HTTPS => 443,
        None => return None,
    };
    Some(std::net::SocketAddr::new(ip, port))
}

/// The resolver's reason without the standard library's prefix ("failed to lookup
/// address information: Name or service not known" → "Name or service not known").
fn lookup_reason(io: &std::io::Error) -> String {
    let text = io.to_string();
    text.strip_prefix("failed to lookup address information: ")
        .map_or(text.clone(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(text: &str) -> ureq::http::Uri {
        text.parse().unwrap()
    }

    #[test]
    fn an_address_is_its_own_resolution_and_a_name_is_looked_up() {
        let addr = |text: &str| literal_address(&uri(text)).map(|a| a.to_string());
        assert_eq!(
            addr("http://127.0.0.1:8080/t.tgz").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(
            addr("https://10.0.0.2/t.tgz").as_deref(),
            Some("10.0.0.2:443")
        );
        assert_eq!(addr("http://[::1]/t.tgz").as_deref(), Some("[::1]:80"));
        assert_eq!(addr("http://localhost:8080/t.tgz"), None);
        assert_eq!(addr("http://example.org/t.tgz"), None);
        assert_eq!(addr("socks5://127.0.0.1"), None);

        let config = ureq::Agent::config_builder().build();
        let timeout = NextTimeout {
            after: ureq::unversioned::transport::time::Duration::from_secs(1),
            reason: ureq::Timeout::Resolve,
            ..NextTimeout::default()
        };
        let resolver = Resolver::default();
        let got = resolver
            .resolve(&uri("http://127.0.0.1:9/t.tgz"), &config, timeout)
            .unwrap();
        let got: Vec<std::net::SocketAddr> = got.iter().copied().collect();
        assert_eq!(got, ["127.0.0.1:9".parse().unwrap()]);
        // Only the family asked for: another family's address is not made up.
        let v4 = ureq::Agent::config_builder()
            .ip_family(ureq::config::IpFamily::Ipv4Only)
            .build();
        assert!(
            resolver
                .resolve(&uri("http://[::1]:9/t.tgz"), &v4, timeout)
                .is_err()
        );
    }
}
