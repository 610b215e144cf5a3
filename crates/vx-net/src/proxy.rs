//! Which proxy a URL goes through, and how:
//!
//! - `http_proxy` / `HTTP_PROXY` for http URLs, `https_proxy` / `HTTPS_PROXY` for https,
//!   `all_proxy` / `ALL_PROXY` for either when its own is unset; when both cases of a
//!   name are set, the lower-case one wins, as with curl. Upper-case `HTTP_PROXY` is
//!   ignored when `REQUEST_METHOD` is set (a CGI program, where a request's `Proxy:`
//!   header arrives as `HTTP_PROXY`).
//! - `no_proxy` / `NO_PROXY` ([`super::no_proxy`]): hosts, domain suffixes, addresses,
//!   CIDRs, `host:port`, `*`; and loopback is never proxied.
//! - A proxy is `http://[user:password@]host[:port]` (no scheme: http; no port: 80).
//!   Its credentials go as `Proxy-Authorization: Basic …` to the proxy only and are
//!   never shown ([`Proxy`]'s `Debug` and [`Route::proxy_for_display`] leave them out).
//!
//! **https goes through a CONNECT tunnel** ([`Route::Tunnel`]): ureq's own proxy
//! support, which asks the proxy for `CONNECT host:port` and speaks TLS to the server
//! inside it, so certificates are checked end to end.
//!
//! **http is forwarded, not tunnelled** ([`Route::Forward`]). ureq 3.5 sends every
//! proxied request through CONNECT, even for an http:// target, and squid, tinyproxy
//! and most corporate proxies refuse CONNECT to port 80. A forwarded request is the
//! classic form: the connection goes to the proxy and the request line carries the
//! absolute URL (`GET http://host:port/path HTTP/1.1`). ureq 3.5 has no option for
//! it, and its `http` crate refuses a URI whose path is an absolute URL, so vx builds
//! it from ureq's public transport API ([`super::forward`]): the forwarding agent's
//! resolver answers the proxy's addresses for any host (so ureq's own TCP connector
//! connects to the proxy, and vx never looks the target host up: the proxy does),
//! and a transport wrapper turns the request line into absolute form as it is sent.
//! That agent keeps no idle connection, so every connection carries exactly one
//! request and its first bytes are that request's line. The request keeps the
//! target's `Host`, and gets the proxy's `Proxy-Authorization` ([`Proxy::authorization`]).

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::no_proxy::{NoProxy, is_loopback};
use super::url::{host, port};
use vx_base::secret::Secret;
use vx_base::validate::percent_decoded;

/// The proxy settings of the environment. `Default`: no proxy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProxySettings {
    /// The proxy for http URLs (from its own variable or `ALL_PROXY`).
    http: Option<Result<Proxy, ProxyError>>,
    /// The proxy for https URLs.
    https: Option<Result<Proxy, ProxyError>>,
    /// `NO_PROXY`.
    no_proxy: NoProxy,
}

/// How one request reaches its server.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    /// Straight to the server.
    Direct,
    /// An http URL forwarded by this proxy (absolute-form request line).
    Forward(Proxy),
    /// An https URL through a CONNECT tunnel of this proxy.
    Tunnel(Proxy),
}

/// A proxy: where it is, its credentials (never shown), and the variable that named
/// it, for messages.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Proxy {
    /// The host, lower case, an IPv6 address without brackets.
    host: String,
    /// The port.
    port: u16,
    /// User name and password, percent-decoded.
    credentials: Option<(Secret, Secret)>,
    /// The variable it came from (`HTTPS_PROXY`, `all_proxy`, …).
    var: &'static str,
}

/// A proxy variable vx cannot use. The value is not repeated: it may hold a password.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{var} is not usable: {reason}")]
pub struct ProxyError {
    /// The variable.
    pub var: &'static str,
    /// Why.
    pub reason: &'static str,
}

impl ProxySettings {
    /// The settings of this process's environment.
    pub fn from_env() -> ProxySettings {
        let cgi = std::env::var_os("REQUEST_METHOD").is_some();
        ProxySettings::from_vars(|name| {
            if cgi && name == "HTTP_PROXY" {
                return None;
            }
            std::env::var(name).ok()
        })
    }

    /// The settings of the variables `lookup` gives (the environment, or a test's).
    pub(crate) fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> ProxySettings {
        let var = |lower: &'static str, upper: &'static str| {
            let set = |name: &'static str| {
                lookup(name)
                    .filter(|value| !value.trim().is_empty())
                    .map(|value| (name, value))
            };
            set(lower).or_else(|| set(upper))
        };
        let all = var("all_proxy", "ALL_PROXY");
        let proxy = |own: Option<(&'static str, String)>| {
            own.or_else(|| all.clone())
                .map(|(name, value)| Proxy::parse(name, &value))
        };
        ProxySettings {
            http: proxy(var("http_proxy", "HTTP_PROXY")),
            https: proxy(var("https_proxy", "HTTPS_PROXY")),
            no_proxy: var("no_proxy", "NO_PROXY")
                .map(|(_, list)| NoProxy::parse(&list))
                .unwrap_or_default(),
        }
    }

    /// How a request to `url` goes; an error when the proxy it should take is set to
    /// something vx cannot use.
    pub fn route(&self, url: &str) -> Result<Route, ProxyError> {
        let (Some(host), Some(port)) = (host(url), port(url)) else {
            return Ok(Route::Direct);
        };
        if is_loopback(&host) || self.no_proxy.matches(&host, port) {
            return Ok(Route::Direct);
        }
        let https = url
            .get(..8)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"));
        let (setting, route): (_, fn(Proxy) -> Route) = if https {
            (&self.https, Route::Tunnel)
        } else {
            (&self.http, Route::Forward)
        };
        match setting {
            None => Ok(Route::Direct),
            Some(Ok(proxy)) => Ok(route(proxy.clone())),
            Some(Err(err)) => Err(err.clone()),
        }
    }
}

impl Route {
    /// The proxy, if any.
    pub(crate) fn proxy(&self) -> Option<&Proxy> {
        match self {
            Route::Direct => None,
            Route::Forward(proxy) | Route::Tunnel(proxy) => Some(proxy),
        }
    }

    /// The proxy, fit for a message (`http://proxy:3128`, no credentials); `None` when
    /// direct.
    pub fn proxy_for_display(&self) -> Option<String> {
        self.proxy().map(Proxy::to_string)
    }
}

impl Proxy {
    /// Parses the value of `var`.
    fn parse(var: &'static str, value: &str) -> Result<Proxy, ProxyError> {
        let err = |reason| ProxyError { var, reason };
        let value = value.trim();
        let rest = match value.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some(_) => return Err(err("vx supports http:// proxies only")),
            None => value,
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((userinfo, hostport)) => (Some(userinfo), hostport),
            None => (None, authority),
        };
        let url = format!("http://{hostport}/");
        let (Some(host), Some(port)) = (host(&url), port(&url)) else {
            return Err(err("it has no host, or an invalid port"));
        };
        if host.contains(|c: char| c.is_whitespace() || c.is_control()) {
            return Err(err("its host is not a host name"));
        }
        let decode = |text: &str| Secret::new(String::from_utf8_lossy(&percent_decoded(text)));
        let credentials = userinfo.map(|userinfo| match userinfo.split_once(':') {
            Some((user, password)) => (decode(user), decode(password)),
            None => (decode(userinfo), Secret::new("")),
        });
        let proxy = Proxy {
            host,
            port,
            credentials,
            var,
        };
        if proxy.uri().is_none() || proxy.to_ureq().is_err() {
            return Err(err("its host is not a host name"));
        }
        Ok(proxy)
    }

    /// The variable that named it (`HTTPS_PROXY`, `all_proxy`, …).
    pub(crate) fn var(&self) -> &'static str {
        self.var
    }

    /// `host:port`, an IPv6 address in brackets.
    pub(crate) fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The `Proxy-Authorization` value when the proxy has credentials.
    pub(crate) fn authorization(&self) -> Option<Secret> {
        let (user, password) = self.credentials.as_ref()?;
        let pair = format!("{}:{}", user.expose(), password.expose());
        Some(Secret::new(format!("Basic {}", BASE64.encode(pair))))
    }

    /// The proxy for ureq's CONNECT tunnels.
    pub(crate) fn to_ureq(&self) -> Result<ureq::Proxy, ureq::Error> {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let mut builder = ureq::Proxy::builder(ureq::ProxyProtocol::Http)
            .host(&host)
            .port(self.port);
        if let Some((user, password)) = &self.credentials {
            builder = builder.username(user.expose()).password(password.expose());
        }
        builder.build()
    }

    /// `http://host:port/`, the proxy as a URI (what the forwarding agent resolves and
    /// connects to).
    pub(crate) fn uri(&self) -> Option<ureq::http::Uri> {
        format!("http://{}/", self.authority()).parse().ok()
    }
}

impl fmt::Display for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http://{}", self.authority())
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self} ({})", self.var)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> ProxySettings {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ProxySettings::from_vars(|name| vars.get(name).cloned())
    }

    fn via(settings: &ProxySettings, url: &str) -> Option<String> {
        let route = settings.route(url).unwrap();
        route.proxy().map(|p| {
            format!(
                "{} {p} {}",
                if matches!(route, Route::Tunnel(_)) {
                    "tunnel"
                } else {
                    "forward"
                },
                p.var()
            )
        })
    }

    #[test]
    fn each_scheme_takes_its_own_proxy_then_all_proxy() {
        let s = settings(&[("HTTP_PROXY", "http://web:3128"), ("ALL_PROXY", "all:8080")]);
        assert_eq!(
            via(&s, "http://a.org/x").as_deref(),
            Some("forward http://web:3128 HTTP_PROXY")
        );
        assert_eq!(
            via(&s, "https://a.org/x").as_deref(),
            Some("tunnel http://all:8080 ALL_PROXY")
        );
        let none = settings(&[("HTTPS_PROXY", "http://sec:1")]);
        assert_eq!(via(&none, "http://a.org/x"), None);
        assert_eq!(
            via(&none, "https://a.org/x").as_deref(),
            Some("tunnel http://sec:1 HTTPS_PROXY")
        );
    }

    #[test]
    fn lower_case_wins_over_upper_case() {
        let s = settings(&[
            ("https_proxy", "http://lower:1"),
            ("HTTPS_PROXY", "http://upper:2"),
            ("no_proxy", "a.org"),
            ("NO_PROXY", "b.org"),
        ]);
        assert_eq!(
            via(&s, "https://c.org/").as_deref(),
            Some("tunnel http://lower:1 https_proxy")
        );
        assert_eq!(via(&s, "https://a.org/"), None);
        assert!(via(&s, "https://b.org/").is_some());
        // An empty lower-case value counts as unset.
        let s = settings(&[("https_proxy", ""), ("HTTPS_PROXY", "http://upper:2")]);
        assert_eq!(
            via(&s, "https://c.org/").as_deref(),
            Some("tunnel http://upper:2 HTTPS_PROXY")
        );
    }

    #[test]
    fn loopback_and_no_proxy_go_direct() {
        let s = settings(&[
            ("ALL_PROXY", "http://p:1"),
            ("NO_PROXY", "corp.example,10.0.0.0/8"),
        ]);
        for url in [
            "http://localhost:8080/a",
            "https://127.0.0.1/a",
            "http://[::1]:80/",
            "http://demo.localhost/",
            "https://files.corp.example/x",
            "http://10.1.2.3/x",
        ] {
            assert_eq!(via(&s, url), None, "{url}");
        }
        assert!(via(&s, "http://vm:8080/a").is_some());
        assert!(via(&s, "http://192.0.2.2/a").is_some());
    }

    #[test]
    fn credentials_are_sent_as_basic_and_never_shown() {
        let s = settings(&[("HTTPS_PROXY", "http://us%40er:p%3Ass@Proxy.Corp:3128/")]);
        let route = s.route("https://github.com/x").unwrap();
        let proxy = route.proxy().unwrap();
        assert_eq!(
            route.proxy_for_display().as_deref(),
            Some("http://proxy.corp:3128")
        );
        assert_eq!(
            proxy.authorization().unwrap().expose(),
            format!("Basic {}", BASE64.encode("us@er:p:ss"))
        );
        let shown = format!("{route:?} {proxy} {:?}", s);
        assert!(
            !shown.contains("p%3Ass") && !shown.contains("p:ss"),
            "{shown}"
        );
        assert!(
            !shown.contains("us@er") && !shown.contains("us%40er"),
            "{shown}"
        );
    }

    #[test]
    fn a_proxy_vx_cannot_use_is_an_error_for_the_urls_it_serves() {
        let s = settings(&[
            ("HTTPS_PROXY", "socks5://user:secret@p:1080"),
            ("HTTP_PROXY", "http://:x"),
        ]);
        let err = s.route("https://a.org/").unwrap_err();
        assert_eq!(
            err.to_string(),
            "HTTPS_PROXY is not usable: vx supports http:// proxies only"
        );
        assert!(
            s.route("http://a.org/")
                .unwrap_err()
                .to_string()
                .starts_with("HTTP_PROXY")
        );
        assert_eq!(s.route("http://localhost/").unwrap(), Route::Direct);
    }

    #[test]
    fn proxies_are_read_as_curl_reads_them() {
        let v6 = Proxy::parse("HTTP_PROXY", "[fd00::1]:3128").unwrap();
        assert_eq!(v6.to_string(), "http://[fd00::1]:3128");
        assert_eq!(v6.uri().unwrap().to_string(), "http://[fd00::1]:3128/");
        let bare = Proxy::parse("HTTP_PROXY", "Proxy.Corp").unwrap();
        assert_eq!(bare.to_string(), "http://proxy.corp:80");
        assert_eq!(bare.authorization(), None);
        let path = Proxy::parse("HTTP_PROXY", "http://p:8/ignored?x").unwrap();
        assert_eq!(path.to_string(), "http://p:8");
    }
}
