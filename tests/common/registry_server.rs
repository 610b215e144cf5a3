//! A real OCI registry for the tests: the CNCF distribution registry (Debian's
//! `docker-registry`), started on a free loopback port with filesystem storage in a
//! temp dir, optionally behind htpasswd basic auth; stopped on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The registry's binary, from the Debian package `docker-registry`.
const BINARY: &str = "/usr/bin/docker-registry";

/// Fails the test, naming the package, when `program` is missing.
pub fn require(program: &str, package: &str) {
    let found = Path::new(program).is_file()
        || std::env::var_os("PATH").is_some_and(|paths| {
            std::env::split_paths(&paths).any(|dir| dir.join(program).is_file())
        });
    assert!(
        found,
        "{program} is missing: install the `{package}` package (apt-get install {package}); .ci/run does"
    );
}

/// A running registry.
pub struct Registry {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Registry {
    /// An anonymous registry.
    pub fn start() -> Registry {
        Registry::launch(None)
    }

    /// A registry that asks for `user`/`password` (HTTP basic, htpasswd with bcrypt).
    pub fn with_basic_auth(user: &str, password: &str) -> Registry {
        Registry::launch(Some((user, password)))
    }

    fn launch(login: Option<(&str, &str)>) -> Registry {
        require(BINARY, "docker-registry");
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let auth = match login {
            Some((user, password)) => {
                let htpasswd = dir.path().join("htpasswd");
                std::fs::write(&htpasswd, format!("{user}:{}\n", bcrypt(password))).unwrap();
                format!(
                    "auth:\n  htpasswd:\n    realm: vx-test\n    path: {}\n",
                    htpasswd.display()
                )
            }
            None => String::new(),
        };
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n{auth}",
                dir.path().join("data").display()
            ),
        )
        .unwrap();
        let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
        let child = Command::new(BINARY)
            .arg("serve")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {BINARY}: {e}"));
        let mut registry = Registry { child, port, dir };
        registry.wait_ready();
        registry
    }

    /// Waits until the registry answers `/v2/` (200, or 401 behind auth).
    fn wait_ready(&mut self) {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("docker-registry exited with {status}:\n{}", self.log());
            }
            if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
                use std::io::{Read, Write};
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let _ = stream.write_all(b"GET /v2/ HTTP/1.0\r\nHost: x\r\n\r\n");
                let mut head = [0u8; 12];
                if stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.") {
                    return;
                }
            }
            assert!(
                start.elapsed() < super::DEADLINE,
                "docker-registry never answered:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `oci://127.0.0.1:PORT/REPO`.
    pub fn mirror(&self, repo: &str) -> String {
        format!("oci://127.0.0.1:{}/{repo}", self.port)
    }

    /// `http://127.0.0.1:PORT/v2/REPO/blobs/sha256:HEX`.
    pub fn blob_url(&self, repo: &str, sha256: &str) -> String {
        format!(
            "http://127.0.0.1:{}/v2/{repo}/blobs/sha256:{sha256}",
            self.port
        )
    }

    /// Where the registry keeps the bytes of blob `sha256`.
    pub fn blob_file(&self, sha256: &str) -> PathBuf {
        self.dir
            .path()
            .join("data/docker/registry/v2/blobs/sha256")
            .join(&sha256[..2])
            .join(sha256)
            .join("data")
    }

    /// The registry's log so far (its access log included).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// How many requests of `method` on a path containing `part` the log shows.
    pub fn requests(&self, method: &str, part: &str) -> usize {
        self.log()
            .lines()
            .filter(|l| l.contains("response completed"))
            .filter(|l| l.contains(&format!("http.request.method={method} ")))
            .filter(|l| l.contains(part))
            .count()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port free on 127.0.0.1 (the registry cannot listen on port 0).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A bcrypt hash of `password`, as htpasswd writes it, from python3's `crypt`.
fn bcrypt(password: &str) -> String {
    require("python3", "python3");
    let out = Command::new("python3")
        .args([
            "-W",
            "ignore",
            "-c",
            "import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))",
            password,
        ])
        .output()
        .unwrap();
    let hash = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(
        out.status.success() && hash.starts_with("$2"),
        "python3 could not make a bcrypt hash (its crypt module needs bcrypt support): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    hash
}

/// A registry that speaks the bearer-token flow, as Docker Hub, GHCR and Harbor do
/// (the distribution registry's own token auth needs a signed-JWT service): blobs
/// answer 401 with `WWW-Authenticate: Bearer realm=…,service=…,scope=…` until asked
/// with the token, which its realm gives for `user:password` (basic); a blob GET then
/// redirects to a "storage" server on another origin. Every request is logged as
/// `METHOD PATH AUTH` (AUTH: `none`, `basic`, `bearer`, or `wrong`), storage's too.
pub struct TokenRegistry {
    /// The registry's port on 127.0.0.1.
    pub port: u16,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    _servers: [vx_fixture::http::Server; 2],
}

/// The token the fake realm hands out.
const TOKEN: &str = "tok-0123456789";

impl TokenRegistry {
    /// Serves `blobs` (by sha256) in repository `repo` to `user`/`password`.
    pub fn start(repo: &str, user: &str, password: &str, blobs: Vec<Vec<u8>>) -> TokenRegistry {
        use base64::Engine;
        use std::net::TcpListener;
        use std::sync::{Arc, Mutex};
        use vx_fixture::http::{Request, Response, Server};
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        );
        let blobs: Arc<std::collections::HashMap<String, Vec<u8>>> = Arc::new(
            blobs
                .into_iter()
                .map(|b| (vx_fixture::sha256_hex(&b), b))
                .collect(),
        );
        let log = Arc::new(Mutex::new(Vec::new()));
        let registry = TcpListener::bind("127.0.0.1:0").unwrap();
        let storage = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = registry.local_addr().unwrap().port();
        let storage_port = storage.local_addr().unwrap().port();
        let auth_of = move |request: &Request, basic: &str| -> &'static str {
            match request.header("Authorization") {
                None => "none",
                Some(v) if v == basic => "basic",
                Some(v) if v == format!("Bearer {TOKEN}") => "bearer",
                Some(_) => "wrong",
            }
        };
        let registry = {
            let (log, blobs) = (log.clone(), blobs.clone());
            let prefix = format!("/v2/{repo}/blobs/sha256:");
            let challenge = format!(
                r#"Bearer realm="http://127.0.0.1:{port}/token",service="fake-registry",scope="repository:{repo}:pull""#
            );
            Server::serve(
                registry,
                Arc::new(move |request: &Request| {
                    let auth = auth_of(request, &basic);
                    let url = request.url();
                    let method = request.method();
                    log.lock().unwrap().push(format!("{method} {url} {auth}"));
                    if url.starts_with("/token?") {
                        if auth == "basic" && url.contains("scope=repository%3A") {
                            Response::bytes(200, format!(r#"{{"token":"{TOKEN}"}}"#).into_bytes())
                        } else {
                            Response::bytes(401, b"{}".to_vec())
                        }
                    } else if let Some(sha) = url.strip_prefix(&prefix) {
                        if auth != "bearer" {
                            Response::empty(401).with_header("WWW-Authenticate", challenge.clone())
                        } else if let Some(body) = blobs.get(sha) {
                            if method == "HEAD" {
                                Response::bytes(200, body.clone())
                            } else {
                                Response::empty(307).with_header(
                                    "Location",
                                    format!("http://127.0.0.1:{storage_port}/s/{sha}?sig=x"),
                                )
                            }
                        } else {
                            Response::empty(404)
                        }
                    } else {
                        Response::empty(404)
                    }
                }),
            )
        };
        let storage = {
            let log = log.clone();
            Server::serve(
                storage,
                Arc::new(move |request: &Request| {
                    let auth = auth_of(request, "");
                    let url = request.url();
                    log.lock().unwrap().push(format!("storage {url} {auth}"));
                    let sha = url
                        .strip_prefix("/s/")
                        .and_then(|s| s.split('?').next())
                        .unwrap_or("");
                    match blobs.get(sha) {
                        Some(body) => Response::bytes(200, body.clone()),
                        None => Response::empty(404),
                    }
                }),
            )
        };
        TokenRegistry {
            port,
            log,
            _servers: [registry, storage],
        }
    }

    /// The requests so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}
