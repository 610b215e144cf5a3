//! Proxies, end to end: a real `tinyproxy` started by each test (its log shows every
//! request it got), origins on this machine addressed by its host name (loopback is
//! never proxied), and the real `vx install`: https through a CONNECT tunnel, http
//! forwarded (absolute-form GET, no CONNECT), `NO_PROXY` bypassing, credentials sent
//! and never shown, and a dead or refusing proxy named in the error.

use crate::common;

use common::net::{HttpsServer, Pki, Tinyproxy, assert_installed, install_from, machine_name};
use common::{Work, archive, both};
use vx_base::format::ArchiveFormat;
use vx_fixture::{Route, TestServer, noise};

/// A served tool: the archive's payload and bytes.
fn tool() -> (Vec<u8>, Vec<u8>) {
    let payload = noise(20_000);
    let body = archive(ArchiveFormat::TarGz, payload.clone());
    (payload, body)
}

/// `vx install t@1 --url URL --sha256 …` in `work` with exactly `env` as its network
/// settings.
fn install(work: &Work, url: &str, body: &[u8], env: &[(&str, String)]) -> (Option<i32>, String) {
    let env: Vec<(&str, &std::ffi::OsStr)> = env.iter().map(|(n, v)| (*n, v.as_ref())).collect();
    let out = install_from(work, "t", url, body, &env);
    let text = both(&out);
    (out.status.code(), text)
}

#[test]
fn an_https_origin_goes_through_a_connect_tunnel() {
    let name = machine_name();
    let pki = Pki::new(&[&name]);
    let (payload, body) = tool();
    let origin = HttpsServer::start(&pki, &[("/t.tar.gz", body.clone())]);
    let proxy = Tinyproxy::start(&[origin.port], None);
    let work = Work::new();
    let (code, text) = install(
        &work,
        &origin.url(&name, "/t.tar.gz"),
        &body,
        &[
            ("HTTPS_PROXY", proxy.url()),
            ("SSL_CERT_FILE", pki.ca().display().to_string()),
        ],
    );
    assert_eq!(code, Some(0), "{text}\n{}", proxy.log());
    assert_installed(&work, "t", &payload);
    assert_eq!(
        proxy.requests(1),
        [format!("CONNECT {name}:{} HTTP/1.1", origin.port)],
        "{}",
        proxy.log()
    );
    assert_eq!(origin.requests(), ["GET /t.tar.gz HTTP/1.1"]);
}

#[test]
fn an_http_origin_is_forwarded_not_tunnelled() {
    let name = machine_name();
    let (payload, body) = tool();
    let origin = TestServer::start([("/t.tar.gz", Route::Ok(body.clone()))]);
    // CONNECT would be allowed to the origin's port: the test shows vx does not ask.
    let port = vx_net::url::port(&origin.url("/")).unwrap();
    let proxy = Tinyproxy::start(&[port], None);
    let work = Work::new();
    let url = format!("http://{name}:{port}/t.tar.gz");
    let (code, text) = install(&work, &url, &body, &[("HTTP_PROXY", proxy.url())]);
    assert_eq!(code, Some(0), "{text}\n{}", proxy.log());
    assert_installed(&work, "t", &payload);
    assert_eq!(
        proxy.requests(1),
        [format!("GET {url} HTTP/1.1")],
        "{}",
        proxy.log()
    );
    assert_eq!(origin.hits(), 1);
}

#[test]
fn no_proxy_hosts_bypass_the_proxy() {
    let name = machine_name();
    let pki = Pki::new(&[&name]);
    let (payload, body) = tool();
    let https = HttpsServer::start(&pki, &[("/t.tar.gz", body.clone())]);
    let http = TestServer::start([("/u.tar.gz", Route::Ok(body.clone()))]);
    let proxy = Tinyproxy::start(&[https.port], None);
    let http_url = http.url("/u.tar.gz").replace("127.0.0.1", &name);
    for (url, no_proxy) in [
        (https.url(&name, "/t.tar.gz"), name.clone()),
        (http_url, format!("example.org, .{name}, {name}")),
    ] {
        let work = Work::new();
        let (code, text) = install(
            &work,
            &url,
            &body,
            &[
                ("ALL_PROXY", proxy.url()),
                ("NO_PROXY", no_proxy),
                ("SSL_CERT_FILE", pki.ca().display().to_string()),
            ],
        );
        assert_eq!(code, Some(0), "{url}: {text}");
        assert_installed(&work, "t", &payload);
    }
    assert_eq!(https.requests().len(), 1);
    assert_eq!(http.hits(), 1);
    assert_eq!(proxy.requests(0), Vec::<String>::new(), "{}", proxy.log());
}

#[test]
fn proxy_credentials_are_sent_and_never_shown() {
    let name = machine_name();
    let pki = Pki::new(&[&name]);
    let (payload, body) = tool();
    let http = TestServer::start([("/t.tar.gz", Route::Ok(body.clone()))]);
    let https = HttpsServer::start(&pki, &[("/t.tar.gz", body.clone())]);
    let proxy = Tinyproxy::start(&[https.port], Some(("vx", "pr0xy-s3cret")));
    let http_url = http.url("/t.tar.gz").replace("127.0.0.1", &name);
    let https_url = https.url(&name, "/t.tar.gz");
    let with = |url: &str, credentials: &str| {
        let work = Work::new();
        let proxy_url = proxy
            .url()
            .replace("http://", &format!("http://{credentials}"));
        let (code, text) = install(
            &work,
            url,
            &body,
            &[
                ("ALL_PROXY", proxy_url),
                ("SSL_CERT_FILE", pki.ca().display().to_string()),
            ],
        );
        (work, code, text)
    };
    // Forwarded (http) and tunnelled (https) alike.
    for url in [&http_url, &https_url] {
        let (work, code, text) = with(url, "vx:pr0xy-s3cret@");
        assert_eq!(code, Some(0), "{url}: {text}\n{}", proxy.log());
        assert_installed(&work, "t", &payload);
    }
    // With wrong ones tinyproxy refuses (401; other proxies say 407), and nothing
    // shows the password.
    let (_, code, text) = with(&http_url, "vx:wrong@");
    assert_eq!(code, Some(10), "{text}");
    assert!(
        text.contains("HTTP 401") || text.contains("HTTP 407"),
        "{text}"
    );
    assert!(
        !text.contains("wrong") && !text.contains("pr0xy-s3cret"),
        "{text}"
    );
    let (_, code, text) = with(&https_url, "vx:wrong@");
    assert_eq!(code, Some(10), "{text}");
    assert!(text.contains("refused the tunnel"), "{text}");
    assert!(
        !text.contains("wrong") && !text.contains("pr0xy-s3cret"),
        "{text}"
    );
    assert_eq!(
        http.hits(),
        1,
        "the refused request never reached the origin"
    );
    assert_eq!(https.requests().len(), 1);
}

#[test]
fn a_dead_proxy_is_named_in_the_error() {
    let pki = Pki::new(&[]);
    let (_, body) = tool();
    let dead = common::net::free_port();
    let work = Work::new();
    let url = "https://files.example:8443/t.tar.gz".to_owned();
    let (code, text) = install(
        &work,
        &url,
        &body,
        &[
            (
                "HTTPS_PROXY",
                format!("http://user:hunter2@127.0.0.1:{dead}"),
            ),
            ("SSL_CERT_FILE", pki.ca().display().to_string()),
        ],
    );
    assert_eq!(code, Some(10), "{text}");
    assert!(
        text.contains(&format!(
            "{url}: cannot connect to the proxy http://127.0.0.1:{dead} (HTTPS_PROXY): \
             connection refused"
        )),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn a_proxy_refusing_the_tunnel_is_named_with_its_answer() {
    let name = machine_name();
    let pki = Pki::new(&[&name]);
    let (_, body) = tool();
    let origin = HttpsServer::start(&pki, &[("/t.tar.gz", body.clone())]);
    // CONNECT is allowed to 443 only: the origin's port is refused.
    let proxy = Tinyproxy::start(&[443], None);
    let work = Work::new();
    let url = origin.url(&name, "/t.tar.gz");
    let (code, text) = install(
        &work,
        &url,
        &body,
        &[
            ("https_proxy", proxy.url()),
            ("SSL_CERT_FILE", pki.ca().display().to_string()),
        ],
    );
    assert_eq!(code, Some(10), "{text}");
    assert!(
        text.contains(&format!(
            "{url}: the proxy {} (https_proxy) refused the tunnel to {name}:{}: 403 Forbidden",
            proxy.url(),
            origin.port
        )),
        "{text}"
    );
    assert!(!text.contains("retry"), "a refusal is not retried: {text}");
    assert_eq!(proxy.requests(1).len(), 1, "{}", proxy.log());
    assert_eq!(origin.connections(), 0);
}
