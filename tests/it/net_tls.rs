//! Trust, end to end: a real HTTPS server on loopback with a certificate from a CA the
//! test makes (`openssl`), and the real `vx install` refusing it without trust (at
//! once, naming the host and the trust) and accepting it with `SSL_CERT_FILE` and
//! `SSL_CERT_DIR`.

use crate::common;

use common::net::{HttpsServer, Pki, assert_installed, install_from};
use common::{Work, archive, both};
use vx_base::format::ArchiveFormat;
use vx_fixture::noise;

/// A served tool: the archive's payload and bytes.
fn tool() -> (Vec<u8>, Vec<u8>) {
    let payload = noise(20_000);
    let body = archive(ArchiveFormat::TarGz, payload.clone());
    (payload, body)
}

/// `vx install secure@1 --url URL --sha256 …` in `work`, isolated from the
/// environment's network settings, with `env` set.
fn install(
    work: &Work,
    url: &str,
    body: &[u8],
    env: &[(&str, &std::path::Path)],
) -> std::process::Output {
    let env: Vec<(&str, &std::ffi::OsStr)> = env.iter().map(|(n, v)| (*n, v.as_os_str())).collect();
    install_from(work, "secure", url, body, &env)
}

#[test]
fn a_server_of_an_unknown_ca_is_refused_at_once_naming_the_host_and_the_trust() {
    let pki = Pki::new(&[]);
    let (_, body) = tool();
    let server = HttpsServer::start(&pki, &[("/secure.tar.gz", body.clone())]);
    let work = Work::new();
    let url = server.url("localhost", "/secure.tar.gz");
    let out = install(&work, &url, &body, &[]);
    let text = both(&out);
    assert_eq!(out.status.code(), Some(10), "download failed: {text}");
    assert!(
        text.contains(&format!(
            "{url}: the TLS certificate of localhost is not trusted (UnknownIssuer); \
             vx trusts the system store; add the CA with SSL_CERT_FILE or [http] ca_certificates"
        )),
        "{text}"
    );
    // Asked once: a refusal is not retried.
    assert_eq!(server.connections(), 1, "{text}");
    assert!(!text.contains("retry"), "{text}");
    assert!(server.requests().is_empty());
    assert!(!work.store().join("secure").exists());
}

#[test]
fn ssl_cert_file_makes_the_server_trusted() {
    let pki = Pki::new(&[]);
    let (payload, body) = tool();
    let server = HttpsServer::start(&pki, &[("/secure.tar.gz", body.clone())]);
    let work = Work::new();
    let ca = pki.ca();
    let out = install(
        &work,
        &server.url("127.0.0.1", "/secure.tar.gz"),
        &body,
        &[("SSL_CERT_FILE", &ca)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_installed(&work, "secure", &payload);
    assert_eq!(server.requests(), ["GET /secure.tar.gz HTTP/1.1"]);
}

#[test]
fn a_hashed_ssl_cert_dir_makes_the_server_trusted() {
    let pki = Pki::new(&[]);
    let (payload, body) = tool();
    let server = HttpsServer::start(&pki, &[("/secure.tar.gz", body.clone())]);
    let work = Work::new();
    let dir = pki.hashed_dir();
    let out = install(
        &work,
        &server.url("localhost", "/secure.tar.gz"),
        &body,
        &[("SSL_CERT_DIR", &dir)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_installed(&work, "secure", &payload);
}

#[test]
fn a_ca_file_that_cannot_be_read_is_an_error_naming_it() {
    let pki = Pki::new(&[]);
    let (_, body) = tool();
    let server = HttpsServer::start(&pki, &[("/secure.tar.gz", body.clone())]);
    let work = Work::new();
    let missing = work.dir.path().join("corp-ca.pem");
    let out = install(
        &work,
        &server.url("localhost", "/secure.tar.gz"),
        &body,
        &[("SSL_CERT_FILE", &missing)],
    );
    let text = both(&out);
    assert_eq!(out.status.code(), Some(10), "download failed: {text}");
    assert!(
        text.contains(&format!(
            "SSL_CERT_FILE {}: cannot read it",
            missing.display()
        )),
        "{text}"
    );
    assert_eq!(
        server.connections(),
        0,
        "nothing is asked without trust: {text}"
    );
}

#[test]
fn the_user_configs_ca_certificates_make_the_server_trusted() {
    let pki = Pki::new(&[]);
    let (payload, body) = tool();
    let server = HttpsServer::start(&pki, &[("/secure.tar.gz", body.clone())]);
    let work = Work::new();
    let config = work.dir.path().join("config").join("vx");
    std::fs::create_dir_all(&config).unwrap();
    let ca = pki.ca();
    std::fs::write(
        config.join("config.toml"),
        format!("[http]\nca_certificates = [{:?}]\n", ca.to_str().unwrap()),
    )
    .unwrap();
    let out = install(
        &work,
        &server.url("localhost", "/secure.tar.gz"),
        &body,
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_installed(&work, "secure", &payload);
}

#[test]
fn a_name_that_does_not_resolve_fails_at_once_naming_it() {
    let (_, body) = tool();
    let work = Work::new();
    // `.invalid` never resolves (RFC 2606).
    let url = "https://files.vx-test.invalid/secure.tar.gz";
    let out = install(&work, url, &body, &[]);
    let text = both(&out);
    assert_eq!(out.status.code(), Some(10), "download failed: {text}");
    assert!(
        text.contains(&format!("{url}: cannot resolve files.vx-test.invalid: ")),
        "{text}"
    );
    assert!(!text.contains("retry"), "not retried: {text}");
}
