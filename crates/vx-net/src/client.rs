//! The one HTTP client ([`Client::send`]): a request's URL rewritten
//! ([`super::rewrite`]), routed direct or through a proxy ([`super::proxy`]) over the
//! trust in force ([`super::trust`]), with the host's credentials
//! ([`super::credentials`]); redirects followed here, hop by hop, so that each is
//! checked, routed on its own, and credentials go only where they belong. The
//! [`Response`] says which URL was asked after the rewrites and which route the
//! answer came by, for `-v`.

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex};

use ureq::http::HeaderMap;

use super::NetError;
pub use super::agent::Timeouts;
use super::agent::{self, AgentKey, BuildError};
use super::config::NetConfig;
use super::proxy::Route;
use super::url::{MAX_REDIRECTS, display_url, origin, redirect_refusal, resolve};
use vx_base::secret::Secret;
use vx_base::validate::{self, Scheme};

/// An HTTP method vx uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// HEAD.
    Head,
    /// PUT.
    Put,
    /// POST.
    Post,
    /// PATCH.
    Patch,
}

impl Method {
    fn as_http(self) -> ureq::http::Method {
        match self {
            Method::Get => ureq::http::Method::GET,
            Method::Head => ureq::http::Method::HEAD,
            Method::Put => ureq::http::Method::PUT,
            Method::Post => ureq::http::Method::POST,
            Method::Patch => ureq::http::Method::PATCH,
        }
    }
}

/// A request's body.
pub enum Body<'a> {
    /// None.
    Empty,
    /// These bytes.
    Bytes(&'a [u8]),
    /// `len` bytes read from `reader` (sent with that `Content-Length`).
    Reader {
        /// The bytes.
        reader: &'a mut dyn Read,
        /// How many.
        len: u64,
    },
}

/// One request. Redirects are followed for GET and HEAD; a request with a body gets
/// the 3xx answer.
pub struct Request<'a> {
    method: Method,
    url: &'a str,
    headers: Vec<(String, String)>,
    secret_headers: Vec<(String, Secret)>,
    body: Body<'a>,
    follow: bool,
    credentials: bool,
    rewrite: bool,
    /// When the whole answer (every hop's head and the body read into memory) must
    /// have come: `None` is [`Timeouts::answer`] from the send.
    by: Option<std::time::Instant>,
}

impl<'a> Request<'a> {
    /// A `method` request to `url`.
    pub fn new(method: Method, url: &'a str) -> Request<'a> {
        Request {
            method,
            url,
            headers: Vec::new(),
            secret_headers: Vec::new(),
            body: Body::Empty,
            follow: matches!(method, Method::Get | Method::Head),
            credentials: true,
            rewrite: true,
            by: None,
        }
    }

    /// A GET of `url`.
    pub fn get(url: &'a str) -> Request<'a> {
        Request::new(Method::Get, url)
    }

    /// A HEAD of `url`.
    pub fn head(url: &'a str) -> Request<'a> {
        Request::new(Method::Head, url)
    }

    /// A header, sent on every hop.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// A secret header (a token), sent only while the request stays on the origin of
    /// the URL first asked (after rewriting), never across a redirect to another.
    pub fn secret_header(mut self, name: impl Into<String>, value: Secret) -> Self {
        self.secret_headers.push((name.into(), value));
        self
    }

    /// The body.
    pub fn body(mut self, body: Body<'a>) -> Self {
        self.body = body;
        self
    }

    /// Marks the URL as already rewritten ([`Client::rewritten`]): a caller that had
    /// to see the URL that will be fetched (to decide where a token may go).
    pub fn already_rewritten(mut self) -> Self {
        self.rewrite = false;
        self
    }

    /// Shares a deadline already running (an answer of several requests, such as the
    /// pages of a listing): the answer must be whole by `deadline`, not
    /// [`Timeouts::answer`] after this request.
    pub fn by(mut self, deadline: std::time::Instant) -> Self {
        self.by = Some(deadline);
        self
    }
}

/// A final answer (any status).
pub struct Response {
    /// The URL that answered (after rewrites and redirects).
    pub url: String,
    /// The URL first asked, after `url_replacements` (before any redirect).
    pub rewritten_url: String,
    /// How the answer came: direct, or through which proxy ([`Route::proxy_for_display`]
    /// for "via proxy http://proxy:3128").
    pub route: Route,
    /// The status.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    body: ureq::Body,
    /// When [`Response::read_to_vec`] must be done: [`Timeouts::answer`] from the send
    /// (or the request's own [`Request::by`]), head included.
    deadline: std::time::Instant,
    /// [`Timeouts::answer`], for a message.
    allowed: std::time::Duration,
}

impl Response {
    /// A header's value as text, when present and printable.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The body's length, when announced.
    pub fn content_length(&self) -> Option<u64> {
        self.body.content_length()
    }

    /// The body as a reader (no size limit: the caller counts).
    pub fn into_reader(self) -> impl Read + 'static {
        self.body.into_reader()
    }

    /// The whole body, at most `limit` bytes, within the client's
    /// [`Timeouts::answer`] in all, counted from the send (a server that trickles its
    /// head then its body is cut off at the one deadline, give or take one read
    /// timeout); a larger `Content-Length` is refused before a byte is read.
    pub fn read_to_vec(self, limit: u64) -> Result<Vec<u8>, NetError> {
        let url = display_url(&self.url);
        if self.content_length().is_some_and(|len| len > limit) {
            return Err(NetError::TooLarge { url, limit });
        }
        let mut reader = self.body.into_reader();
        let mut bytes = Vec::new();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            if std::time::Instant::now() > self.deadline {
                return Err(NetError::Deadline {
                    url,
                    deadline: self.allowed,
                    got: bytes.len() as u64,
                });
            }
            let n = match reader.read(&mut chunk) {
                Ok(0) => return Ok(bytes),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(source) => return Err(NetError::Read { url, source }),
            };
            if (bytes.len() + n) as u64 > limit {
                return Err(NetError::TooLarge { url, limit });
            }
            bytes.extend_from_slice(&chunk[..n]);
        }
    }
}

/// `request` with its head due within `left` (what is left of its answer's deadline).
fn head_within<S: ureq::AsSendBody>(
    agent: &ureq::Agent,
    request: ureq::http::Request<S>,
    left: std::time::Duration,
) -> ureq::http::Request<S> {
    agent
        .configure_request(request)
        .timeout_recv_response(Some(left))
        .build()
}

/// The HTTP client. Cheap to clone; clones share connections.
#[derive(Clone)]
pub struct Client {
    config: Arc<NetConfig>,
    timeouts: Timeouts,
    agents: Arc<Mutex<HashMap<AgentKey, ureq::Agent>>>,
}

impl Client {
    /// A client for `config` with `timeouts`.
    pub fn new(config: Arc<NetConfig>, timeouts: Timeouts) -> Client {
        Client {
            config,
            timeouts,
            agents: Arc::default(),
        }
    }

    /// The deadline of a whole answer ([`Timeouts::answer`]), for a caller whose answer
    /// takes several requests ([`Request::by`]).
    pub fn answer_timeout(&self) -> std::time::Duration {
        self.timeouts.answer
    }

    /// `url` as it will be fetched: after `url_replacements`.
    pub fn rewritten(&self, url: &str) -> String {
        self.config.rewrites.apply(url).into_owned()
    }

    /// Sends `request` (see the module's doc). Any status is an answer; an error is a
    /// request that got none.
    pub fn send(&self, mut request: Request<'_>) -> Result<Response, NetError> {
        let first = if request.rewrite {
            self.rewritten(request.url)
        } else {
            request.url.to_owned()
        };
        let first_scheme = match validate::url(&first) {
            Ok(scheme @ (Scheme::Http | Scheme::Https)) => scheme,
            _ => {
                return Err(NetError::BadUrl {
                    url: display_url(&first),
                });
            }
        };
        let first_origin = origin(&first);
        let deadline = request
            .by
            .unwrap_or_else(|| std::time::Instant::now() + self.timeouts.answer);
        let mut current = first.clone();
        for _ in 0..=MAX_REDIRECTS {
            // Each hop's head within what is left of the one deadline.
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(NetError::Deadline {
                    url: display_url(&current),
                    deadline: self.timeouts.answer,
                    got: 0,
                });
            }
            let route =
                self.config
                    .proxies
                    .route(&current)
                    .map_err(|source| NetError::ProxySetting {
                        url: display_url(&current),
                        source,
                    })?;
            let agent = self.agent_for(&current, &route)?;
            let same_origin = origin(&current) == first_origin;
            let builder = self.builder(&request, &current, &route, same_origin)?;
            let left = left.min(self.timeouts.answer);
            let response = self.run(&agent, builder, &mut request.body, left, &current, &route)?;
            let status = response.status().as_u16();
            if request.follow && matches!(status, 301 | 302 | 303 | 307 | 308) {
                let to = response
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .map(|location| resolve(&current, location.trim()));
                if let Some(to) = to {
                    if let Some(reason) = redirect_refusal(first_scheme, &to) {
                        return Err(NetError::BadRedirect {
                            url: display_url(&first),
                            to: display_url(&to),
                            reason,
                        });
                    }
                    current = to;
                    continue;
                }
            }
            let (parts, body) = response.into_parts();
            return Ok(Response {
                url: current,
                rewritten_url: first,
                route,
                status,
                headers: parts.headers,
                body,
                deadline,
                allowed: self.timeouts.answer,
            });
        }
        Err(NetError::BadRedirect {
            url: display_url(&first),
            to: display_url(&current),
            reason: "too many redirects",
        })
    }

    /// The agent one hop to `url` goes through `route` with (TLS when `url` is
    /// https); a trust or proxy setting that cannot be built is an error naming
    /// `url`.
    fn agent_for(&self, url: &str, route: &Route) -> Result<ureq::Agent, NetError> {
        let tls = validate::url(url) == Ok(Scheme::Https);
        let agent = self.agent(AgentKey {
            route: route.clone(),
            tls,
        });
        agent.map_err(|err| match err {
            BuildError::Trust(source) => NetError::Trust {
                url: display_url(url),
                source,
            },
            BuildError::Proxy(source) => NetError::ProxySetting {
                url: display_url(url),
                source,
            },
        })
    }

    /// The head of `request`'s hop to `url`: its method, the proxy's authorization,
    /// its headers, its secret headers only while the hop stays on the first URL's
    /// origin (`same_origin`), and the configured credentials for `url` that none of
    /// those already sent.
    fn builder(
        &self,
        request: &Request<'_>,
        url: &str,
        route: &Route,
        same_origin: bool,
    ) -> Result<ureq::http::request::Builder, NetError> {
        let mut builder = ureq::http::Request::builder()
            .method(request.method.as_http())
            .uri(url);
        if let Route::Forward(proxy) = route
            && let Some(auth) = proxy.authorization()
        {
            builder = builder.header("Proxy-Authorization", auth.expose());
        }
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let mut sent: Vec<String> = request
            .headers
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        if same_origin {
            for (name, value) in &request.secret_headers {
                builder = builder.header(name.as_str(), value.expose());
                sent.push(name.to_ascii_lowercase());
            }
        }
        if request.credentials {
            let configured =
                self.config
                    .credentials
                    .for_url(url)
                    .map_err(|source| NetError::Credentials {
                        url: display_url(url),
                        source,
                    })?;
            for (name, value) in configured {
                if !sent.contains(&name.to_ascii_lowercase()) {
                    builder = builder.header(name.as_str(), value.expose());
                }
            }
        }
        Ok(builder)
    }

    /// Sends one hop (`builder`, with `body`) to `url` through `agent`, its head due
    /// within `left`: the answer, or the error naming `url` and `route`.
    fn run(
        &self,
        agent: &ureq::Agent,
        builder: ureq::http::request::Builder,
        body: &mut Body<'_>,
        left: std::time::Duration,
        url: &str,
        route: &Route,
    ) -> Result<ureq::http::Response<ureq::Body>, NetError> {
        let bad_header = |_| NetError::BadUrl {
            url: display_url(url),
        };
        let result = match body {
            Body::Empty => agent.run(head_within(
                agent,
                builder.body(()).map_err(bad_header)?,
                left,
            )),
            Body::Bytes(bytes) => agent.run(head_within(
                agent,
                builder.body(*bytes).map_err(bad_header)?,
                left,
            )),
            Body::Reader { reader, len } => {
                let builder = builder.header("Content-Length", len.to_string());
                let send = ureq::SendBody::from_reader(&mut **reader);
                agent.run(head_within(
                    agent,
                    builder.body(send).map_err(bad_header)?,
                    left,
                ))
            }
        };
        result.map_err(|source| {
            NetError::from_ureq(url, route, &self.config.trust, &self.timeouts, source)
        })
    }

    /// The agent for `key`, made once per client.
    fn agent(&self, key: AgentKey) -> Result<ureq::Agent, BuildError> {
        let mut agents = self.agents.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(agent) = agents.get(&key) {
            return Ok(agent.clone());
        }
        let agent = agent::build(&key, &self.config, self.timeouts)?;
        agents.insert(key, agent.clone());
        Ok(agent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::ProxySettings;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    /// A loopback server answering one request with `answer`, handing back the
    /// request's head.
    fn answering_once(answer: Vec<u8>) -> (u16, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream);
            let mut head = String::new();
            while reader.read_line(&mut head).unwrap() > 2 && !head.ends_with("\r\n\r\n") {}
            reader.into_inner().write_all(&answer).unwrap();
            head
        });
        (port, handle)
    }

    /// A one-request HTTP proxy on loopback that answers `ok` and hands back the head
    /// of the request it received.
    fn one_shot_proxy() -> (u16, std::thread::JoinHandle<String>) {
        answering_once(
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".to_vec(),
        )
    }

    fn client_with(vars: &[(&str, String)]) -> Client {
        let proxies = ProxySettings::from_vars(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        });
        let config = NetConfig {
            proxies,
            ..NetConfig::default()
        };
        Client::new(Arc::new(config), Timeouts::default())
    }

    #[test]
    fn an_http_url_is_forwarded_by_the_proxy_and_the_response_says_so() {
        let (port, proxy) = one_shot_proxy();
        let client = client_with(&[("HTTP_PROXY", format!("http://me:s3cret@127.0.0.1:{port}"))]);
        // A host that resolves nowhere: the proxy, not vx, would look it up.
        let url = "http://files.vx-test.invalid:8080/a.tgz?x=1";
        let response = client.send(Request::get(url)).unwrap();
        let head = proxy.join().unwrap();
        assert!(
            head.starts_with("GET http://files.vx-test.invalid:8080/a.tgz?x=1 HTTP/1.1\r\n"),
            "{head}"
        );
        let header = |name: &str| {
            head.lines().find_map(|line| {
                let (n, value) = line.split_once(':')?;
                n.eq_ignore_ascii_case(name)
                    .then(|| value.trim().to_owned())
            })
        };
        assert_eq!(
            header("host").as_deref(),
            Some("files.vx-test.invalid:8080")
        );
        assert_eq!(
            header("proxy-authorization").as_deref(),
            Some("Basic bWU6czNjcmV0")
        );
        assert_eq!(response.status, 200);
        assert_eq!(response.rewritten_url, url);
        assert_eq!(
            response.route.proxy_for_display().as_deref(),
            Some(format!("http://127.0.0.1:{port}").as_str())
        );
        assert!(matches!(response.route, Route::Forward(_)));
        assert_eq!(response.read_to_vec(10).unwrap(), b"ok");
    }

    /// A loopback server answering one request with `body`: its URL at `path`.
    fn answering_body(body: &[u8], path: &str) -> String {
        let mut answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        answer.extend_from_slice(body);
        let (port, _) = answering_once(answer);
        format!("http://127.0.0.1:{port}{path}")
    }

    /// A loopback server answering one request with a head of `head_bytes` (one long
    /// header) and `ok`, handing back the request's head.
    fn answering_with_head(head_bytes: usize) -> (u16, std::thread::JoinHandle<String>) {
        let start = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\nX-Long: ";
        let filler = "a".repeat(head_bytes.saturating_sub(start.len() + 4));
        answering_once(format!("{start}{filler}\r\n\r\nok").into_bytes())
    }

    /// The connection's buffers are sized to what a request needs (issue 54), not
    /// ureq's 128 KiB: an answer's head up to 64 KiB, ureq's own limit, is still read,
    /// and a request with a 16 KiB header (a long token) still goes out whole.
    #[test]
    fn long_heads_still_fit_the_buffers() {
        let (port, server) = answering_with_head(60 << 10);
        let token = "t".repeat(16 << 10);
        let url = format!("http://127.0.0.1:{port}/a");
        let request = Request::get(&url).header("Authorization", format!("Bearer {token}"));
        let response = client_with(&[]).send(request).unwrap();
        assert_eq!(response.read_to_vec(10).unwrap(), b"ok");
        assert!(server.join().unwrap().contains(&token));
    }

    #[test]
    fn a_direct_answer_says_it_came_direct() {
        let url = answering_body(b"direct", "/a");
        // Loopback is never proxied, whatever the settings.
        let client = client_with(&[("ALL_PROXY", "http://127.0.0.1:9".to_owned())]);
        let response = client.send(Request::get(&url)).unwrap();
        assert_eq!(response.route, Route::Direct);
        assert_eq!(response.route.proxy_for_display(), None);
        assert_eq!(response.read_to_vec(10).unwrap(), b"direct");
    }

    #[test]
    fn plain_http_never_loads_the_trust() {
        let url = answering_body(b"plain", "/a");
        // A CA file that cannot be read: loading the trust would fail the request.
        let config = NetConfig {
            trust: crate::trust::TrustSettings {
                ca_certificates: vec!["/nonexistent/vx-test-ca.pem".into()],
                ..Default::default()
            },
            ..NetConfig::default()
        };
        let client = Client::new(Arc::new(config), Timeouts::default());
        let response = client.send(Request::get(&url)).unwrap();
        assert_eq!(response.read_to_vec(10).unwrap(), b"plain");
        let err = client
            .send(Request::get("https://127.0.0.1:9/a"))
            .err()
            .expect("no trust");
        assert!(!err.is_transient());
        assert!(
            err.to_string().starts_with(
                "https://127.0.0.1:9/a: [http] ca_certificates /nonexistent/vx-test-ca.pem: \
                 cannot read it"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_name_that_does_not_resolve_fails_at_once_naming_it() {
        let client = client_with(&[]);
        let err = client
            .send(Request::get("https://files.vx-test.invalid/x.tgz"))
            .err()
            .expect("no answer");
        assert!(!err.is_transient(), "{err:?}");
        let text = err.to_string();
        assert!(
            text.starts_with(
                "https://files.vx-test.invalid/x.tgz: cannot resolve files.vx-test.invalid: "
            ),
            "{text}"
        );
    }

    #[test]
    fn a_dead_proxy_is_named_with_its_variable() {
        let client = client_with(&[("HTTPS_PROXY", "http://user:pw@127.0.0.1:9".to_owned())]);
        let err = client
            .send(Request::get("https://files.vx-test.invalid/x.tgz"))
            .err()
            .expect("no answer");
        let text = err.to_string();
        assert_eq!(
            text,
            "https://files.vx-test.invalid/x.tgz: cannot connect to the proxy \
             http://127.0.0.1:9 (HTTPS_PROXY): connection refused"
        );
        assert!(err.is_transient(), "a refused connection may come back");
        assert_eq!(
            err.cause(),
            "cannot connect to the proxy http://127.0.0.1:9 (HTTPS_PROXY): connection refused"
        );
    }
}
