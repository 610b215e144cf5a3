//! `vx mirror push` against registries that misbehave (issue 39, "not yet tried"): one
//! that redirects in a loop, one whose token realm is on another origin, one whose
//! answers trickle in. Each push ends in bounded time with a clear reason, and docker's
//! credentials for the registry reach no other origin.

use crate::common;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use vx_base::format::ArchiveFormat;
use vx_fixture::TestServer;

/// The repository pushed to.
const REPO: &str = "vx/tools";

/// A project whose one tool is locked against a loopback origin (kept alive: a push
/// gathers the download from it).
fn project() -> (Work, TestServer) {
    let work = Work::new();
    let origin = work.serve_one("tool", archive(ArchiveFormat::TarGz, b"a tool".to_vec()));
    work.sync(&["--headless"]).assert().code(0);
    (work, origin)
}

/// `vx mirror push MIRROR --tag latest` with `home` as the user's home (docker's
/// config under `home/docker`), `env` added; its exit code, what it said, how long.
fn push(
    work: &Work,
    mirror: &str,
    home: &Path,
    env: &[(&str, &str)],
) -> (Option<i32>, String, Duration) {
    let mut cmd = work.vx();
    cmd.args(["mirror", "push", mirror, "--tag", "latest"])
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("DOCKER_CONFIG", home.join("docker"))
        .env_remove("VX_CACHE_DIR")
        .timeout(Duration::from_secs(120));
    for key in NETWORK_VARS {
        cmd.env_remove(key);
    }
    for (key, value) in env {
        cmd.env(key, value);
    }
    let started = Instant::now();
    let out = cmd.output().unwrap();
    let said = both(&out);
    (out.status.code(), said, started.elapsed())
}

/// docker's `config.json` under `home/docker` with `user:password` for each authority.
fn docker_config(home: &Path, logins: &[(&str, &str)]) {
    use base64::Engine;
    let auths: Vec<String> = logins
        .iter()
        .map(|(authority, pair)| {
            let auth = base64::engine::general_purpose::STANDARD.encode(pair);
            format!(r#""http://{authority}": {{"auth": "{auth}"}}"#)
        })
        .collect();
    std::fs::create_dir_all(home.join("docker")).unwrap();
    std::fs::write(
        home.join("docker/config.json"),
        format!(r#"{{"auths": {{{}}}}}"#, auths.join(", ")),
    )
    .unwrap();
}

/// One request as a fake server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    url: String,
    authorization: Option<String>,
}

/// An answer: status, headers, body.
type Answer = (u16, Vec<(String, String)>, Vec<u8>);

/// A loopback HTTP server answering every request with `answer(request, own port)`,
/// logging what it saw; stopped on drop.
struct Fake {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    _server: vx_fixture::http::Server,
}

impl Fake {
    fn start(answer: impl Fn(&Seen, u16) -> Answer + Send + Sync + 'static) -> Fake {
        use vx_fixture::http::{Request, Response, Server};
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let server = Server::serve(
            listener,
            Arc::new(move |request: &Request| {
                let one = Seen {
                    method: request.method().to_owned(),
                    url: request.url().to_owned(),
                    authorization: request.header("Authorization").map(str::to_owned),
                };
                log.lock().unwrap().push(one.clone());
                let (status, headers, body) = answer(&one, port);
                let mut response = Response::bytes(status, body);
                for (key, value) in headers {
                    response = response.with_header(&key, value);
                }
                response
            }),
        );
        Fake {
            port,
            seen,
            _server: server,
        }
    }

    fn authority(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn header(key: &str, value: &str) -> (String, String) {
    (key.to_owned(), value.to_owned())
}

/// What a registry that accepts every push answers, for a request already allowed:
/// no blob yet (404 to a HEAD), uploads started (202) and finished (201), manifests
/// stored (201).
fn accepting(request: &Seen) -> Answer {
    let uploads = format!("/v2/{REPO}/blobs/uploads/");
    match request.method.as_str() {
        "HEAD" => (404, vec![], vec![]),
        "POST" if request.url == uploads => (
            202,
            vec![header("Location", &format!("{uploads}u1"))],
            vec![],
        ),
        "PUT" => (201, vec![], vec![]),
        _ => (404, vec![], vec![]),
    }
}

/// A registry that answers every request with a redirect to another path of its own,
/// which redirects back: the push stops after a bounded number of hops and says so.
#[test]
fn a_push_to_a_registry_redirecting_in_a_loop_stops_and_says_so() {
    let (work, _origin) = project();
    let registry = Fake::start(|request, port| {
        let to = if request.url.starts_with("/loop-a") {
            "/loop-b"
        } else {
            "/loop-a"
        };
        (
            307,
            vec![header("Location", &format!("http://127.0.0.1:{port}{to}"))],
            vec![],
        )
    });
    let home = tempfile::tempdir().unwrap();
    let mirror = format!("oci://{}/{REPO}", registry.authority());
    let (code, said, took) = push(&work, &mirror, home.path(), &[]);
    assert_ne!(code, Some(0), "{said}");
    assert!(took < Duration::from_secs(60), "{took:?}: {said}");
    assert!(said.contains("too many redirects"), "{said}");
    assert!(registry.seen().len() < 50, "{:#?}", registry.seen());
}

/// A registry whose `WWW-Authenticate: Bearer realm=` names another origin: docker's
/// credentials for the registry are not sent there (the token is asked anonymously,
/// and the refusal says why); credentials config.json gives for the realm's own
/// origin are, and the push then goes through.
#[test]
fn a_token_realm_on_another_origin_never_gets_the_registrys_credentials() {
    let (work, _origin) = project();
    let realm = Fake::start(|request, _| {
        if request.authorization.as_deref() == Some(&realm_login()) {
            (200, vec![], br#"{"token": "realm-token"}"#.to_vec())
        } else {
            (401, vec![], b"{}".to_vec())
        }
    });
    let realm_url = format!("http://{}/token", realm.authority());
    let registry = Fake::start(move |request, _| {
        if request.authorization.as_deref() == Some("Bearer realm-token") {
            accepting(request)
        } else {
            let challenge = format!(r#"Bearer realm="{realm_url}",service="fake""#);
            (401, vec![header("WWW-Authenticate", &challenge)], vec![])
        }
    });
    let mirror = format!("oci://{}/{REPO}", registry.authority());
    let home = tempfile::tempdir().unwrap();
    docker_config(
        home.path(),
        &[(&registry.authority(), "pusher:registry-s3cret")],
    );
    let (code, said, took) = push(&work, &mirror, home.path(), &[]);
    assert_ne!(code, Some(0), "{said}");
    assert!(took < Duration::from_secs(60), "{took:?}: {said}");
    let registry_login = basic("pusher:registry-s3cret");
    let leaked: Vec<Seen> = realm
        .seen()
        .into_iter()
        .filter(|s| s.authorization.as_deref() == Some(&registry_login))
        .collect();
    assert!(
        leaked.is_empty(),
        "the realm got the registry's login: {leaked:#?}"
    );
    assert!(
        said.contains(&format!(
            "token realm is on another origin ({})",
            realm.authority()
        )) && said.contains("config.json"),
        "{said}"
    );
    assert!(!said.contains("registry-s3cret"), "{said}");

    // The realm's own origin in docker's config: its credentials go there, and only
    // those; the push completes.
    docker_config(
        home.path(),
        &[
            (&registry.authority(), "pusher:registry-s3cret"),
            (&realm.authority(), "realm-user:realm-pass"),
        ],
    );
    let (code, said, _) = push(&work, &mirror, home.path(), &[]);
    assert_eq!(code, Some(0), "{said}");
    let sent: Vec<Option<String>> = realm.seen().into_iter().map(|s| s.authorization).collect();
    assert!(sent.contains(&Some(realm_login())), "{sent:?}");
    assert!(!sent.contains(&Some(registry_login)), "{sent:?}");
}

fn basic(pair: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

fn realm_login() -> String {
    basic("realm-user:realm-pass")
}

/// A registry whose answer's head arrives a byte a second: the push fails once the
/// answer timeout (here 3 s, `VX_ANSWER_TIMEOUT`) is spent, naming it, rather than
/// waiting as long as the server trickles.
#[test]
fn a_push_to_a_registry_trickling_its_answer_times_out_and_says_so() {
    let (work, _origin) = project();
    let slow = common::trickle::Trickle::head(Duration::from_secs(1));
    let home = tempfile::tempdir().unwrap();
    let mirror = format!(
        "oci://{}/{REPO}",
        slow.url("").trim_start_matches("http://")
    );
    let (code, said, took) = push(&work, &mirror, home.path(), &[("VX_ANSWER_TIMEOUT", "3")]);
    assert_ne!(code, Some(0), "{said}");
    assert!(took < Duration::from_secs(60), "{took:?}: {said}");
    assert!(
        said.contains("did not arrive whole within 3s") && said.contains("VX_ANSWER_TIMEOUT"),
        "{said}"
    );
}

/// How [`RawRegistry`] answers a request (method, path, `Content-Length`): the status
/// line and headers of an empty answer, or `None` to read nothing more and never
/// answer (at most two minutes, then the connection closes).
type Script = fn(&str, &str, usize) -> Option<String>;

/// A loopback registry written on raw sockets, one request a connection, so it can
/// say what a well-behaved server library would not: no `Content-Length`, or nothing.
/// Records every request line.
struct RawRegistry {
    port: u16,
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<String>>>,
}

impl RawRegistry {
    fn start(script: Script) -> RawRegistry {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (stopping, log) = (stop.clone(), seen.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (stopping, log) = (stopping.clone(), log.clone());
                std::thread::spawn(move || answer_raw(stream, script, &stopping, &log));
            }
        });
        RawRegistry { port, stop, seen }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for RawRegistry {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// One request of [`RawRegistry`]: its head read, then `script`'s answer (after the
/// body), or a stall.
fn answer_raw(stream: TcpStream, script: Script, stop: &AtomicBool, seen: &Mutex<Vec<String>>) {
    use std::io::Read;
    let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
    let Some((method, path, length)) = common::raw_registry::read_head(&mut reader, seen) else {
        return;
    };
    let length = length as usize;
    let (method, path) = (method.as_str(), path.as_str());
    let Some(head) = script(method, path, length) else {
        for _ in 0..1200 {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        return;
    };
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    let mut stream = stream;
    let _ = stream.write_all(format!("{head}Connection: close\r\n\r\n").as_bytes());
}

/// A registry that stops reading a blob upload mid-way: the push fails after the read
/// timeout (here `--read-timeout 2`), saying the server took nothing, rather than
/// blocking on a write for as long as the registry holds the connection.
#[test]
fn a_push_to_a_registry_that_stops_reading_an_upload_times_out_and_says_so() {
    let work = Work::new();
    // Larger than what the loopback's socket buffers take, so the upload must block.
    let big = vx_fixture::noise_seeded(24 << 20, 7);
    let _origin = work.serve_one("tool", archive(ArchiveFormat::TarGz, big));
    work.sync(&["--headless"]).assert().code(0);
    // Small uploads taken, a large one's body never read and never answered.
    let registry = RawRegistry::start(|method, path, length| {
        (method != "PUT" || length <= 1 << 20)
            .then(|| common::raw_registry::accepting(method, path))
    });
    let home = tempfile::tempdir().unwrap();
    let mirror = format!("oci://127.0.0.1:{}/{REPO}", registry.port);
    let mut cmd = work.vx();
    cmd.args(["mirror", "push", &mirror, "--read-timeout", "2"])
        .env("HOME", home.path())
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("DOCKER_CONFIG", home.path().join("docker"))
        .env_remove("VX_CACHE_DIR")
        .timeout(Duration::from_secs(100));
    for key in NETWORK_VARS {
        cmd.env_remove(key);
    }
    let started = Instant::now();
    let out = cmd.output().unwrap();
    let took = started.elapsed();
    let said = both(&out);
    assert_ne!(out.status.code(), Some(0), "{said}");
    assert!(took < Duration::from_secs(60), "{took:?}: {said}");
    assert!(
        said.contains("the server took nothing of what vx sends for 2s"),
        "{said}"
    );
}

/// Issue 39's leftover: a registry that answers a manifest PUT with 200 (the spec's
/// answer is 201 Created; a server answering everything 200 stored nothing) has not
/// taken the push, which fails saying so.
#[test]
fn a_manifest_put_answered_200_is_not_a_push() {
    let (work, _origin) = project();
    let registry = RawRegistry::start(|method, path, _| {
        if method == "PUT" && path.contains("/manifests/") {
            Some("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n".to_owned())
        } else {
            Some(common::raw_registry::accepting(method, path))
        }
    });
    let home = tempfile::tempdir().unwrap();
    let mirror = format!("oci://127.0.0.1:{}/{REPO}", registry.port);
    let (code, said, _) = push(&work, &mirror, home.path(), &[]);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("putting the manifest (the spec's answer is 201) answered HTTP 200"),
        "{said}"
    );
    assert!(!said.contains("tagged"), "no push is announced: {said}");
}

/// Issue 39's leftover: a registry whose HEAD says 200 with no `Content-Length` claims
/// a blob at no size. A lock that records no size (a checksum file's, here the size
/// line taken out) cannot check the claim, so the blob is sent, not skipped as
/// "already there" at 0 bytes.
#[test]
fn a_blob_claimed_without_a_size_is_sent() {
    let (work, _origin) = project();
    let lock_path = work.dir.path().join("vx.lock");
    let lock = std::fs::read_to_string(&lock_path).unwrap();
    let unsized_lock: String = lock
        .lines()
        .filter(|l| !l.trim_start().starts_with("size = "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(lock, unsized_lock, "the lock had a size: {lock}");
    std::fs::write(&lock_path, unsized_lock).unwrap();
    let registry = RawRegistry::start(|method, path, _| {
        if method == "HEAD" {
            Some("HTTP/1.1 200 OK\r\n".to_owned())
        } else {
            Some(common::raw_registry::accepting(method, path))
        }
    });
    let home = tempfile::tempdir().unwrap();
    let mirror = format!("oci://127.0.0.1:{}/{REPO}", registry.port);
    let (code, said, _) = push(&work, &mirror, home.path(), &[]);
    assert_eq!(code, Some(0), "{said}");
    assert!(!said.contains("already there (sha256:"), "{said}");
    let archive = archive(ArchiveFormat::TarGz, b"a tool".to_vec());
    let digest = vx_fixture::sha256_hex(&archive);
    let puts: Vec<String> = registry
        .seen()
        .into_iter()
        .filter(|l| l.starts_with("PUT ") && l.contains(&digest))
        .collect();
    assert_eq!(
        puts.len(),
        1,
        "the tool's blob is uploaded: {:#?}",
        registry.seen()
    );
}
