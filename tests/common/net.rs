//! The network tests' real components: a CA and a server certificate made with the
//! `openssl` tool, an HTTPS server (rustls) on loopback that counts connections and
//! requests, a real `tinyproxy` with its own config and log, and a name for this
//! machine that is not loopback to vx (loopback is never proxied).
//!
//! A missing tool fails the test with the package to install: never a silent skip.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::DEADLINE;

/// Runs `program ARGS`, failing the test with `package` to install when it is absent.
pub fn run_tool(program: &str, package: &str, args: &[&str], dir: &Path) {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{program}` ({e}): install the {package} package"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and a server certificate it signed, made by the `openssl` command-line tool in
/// a directory of their own.
pub struct Pki {
    /// Holds the files.
    pub dir: tempfile::TempDir,
}

impl Pki {
    /// A CA, and a certificate for `localhost`, `127.0.0.1` and `names`.
    pub fn new(names: &[&str]) -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        let mut ca = vec!["req", "-x509", "-days", "2", "-subj", "/CN=vx test CA"];
        ca.extend(ec);
        ca.extend(["-keyout", "ca.key", "-out", "ca.pem"]);
        run_tool("openssl", "openssl", &ca, d);
        let mut alt = vec!["DNS:localhost".to_owned(), "IP:127.0.0.1".to_owned()];
        for name in names {
            let kind = if name.parse::<IpAddr>().is_ok() {
                "IP"
            } else {
                "DNS"
            };
            alt.push(format!("{kind}:{name}"));
        }
        let ext = format!(
            "subjectAltName={}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
            alt.join(",")
        );
        std::fs::write(d.join("server.ext"), ext).unwrap();
        let mut req = vec!["req", "-new", "-subj", "/CN=localhost"];
        req.extend(ec);
        req.extend(["-keyout", "server.key", "-out", "server.csr"]);
        run_tool("openssl", "openssl", &req, d);
        run_tool(
            "openssl",
            "openssl",
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                "server.ext",
                "-out",
                "server.pem",
            ],
            d,
        );
        Pki { dir }
    }

    /// The CA's PEM file.
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// A directory holding the CA under its OpenSSL hash name (`openssl rehash`).
    pub fn hashed_dir(&self) -> PathBuf {
        let dir = self.dir.path().join("certs");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(self.ca(), dir.join("vx-test-ca.pem")).unwrap();
        run_tool("openssl", "openssl", &["rehash", "."], &dir);
        dir
    }
}

/// An HTTPS server on 127.0.0.1 serving fixed bodies by path, with the certificate of
/// a [`Pki`]; it counts the connections it accepted and the requests it answered.
pub struct HttpsServer {
    /// Its port.
    pub port: u16,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HttpsServer {
    /// Serves `routes` (path → body; anything else is a 404).
    pub fn start(pki: &Pki, routes: &[(&str, Vec<u8>)]) -> HttpsServer {
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(pki.dir.path().join("server.pem"))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
        let key = PrivateKeyDer::from_pem_file(pki.dir.path().join("server.key")).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
        let config = Arc::new(config);
        let routes: Arc<HashMap<String, Vec<u8>>> = Arc::new(
            routes
                .iter()
                .map(|(path, body)| ((*path).to_owned(), body.clone()))
                .collect(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (connections, requests, stop) =
                (connections.clone(), requests.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    connections.fetch_add(1, Ordering::SeqCst);
                    let (config, routes, requests) =
                        (config.clone(), routes.clone(), requests.clone());
                    std::thread::spawn(move || serve(stream, config, &routes, &requests));
                }
            })
        };
        HttpsServer {
            port,
            connections,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    /// `https://HOST:PORT{path}`.
    pub fn url(&self, host: &str, path: &str) -> String {
        format!("https://{host}:{}{path}", self.port)
    }

    /// The TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The request lines answered so far (after a TLS handshake that succeeded).
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        drop(TcpStream::connect(("127.0.0.1", self.port)));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers one request on `stream` over TLS (a failed handshake just ends it).
fn serve(
    stream: TcpStream,
    config: Arc<rustls::ServerConfig>,
    routes: &HashMap<String, Vec<u8>>,
    requests: &Mutex<Vec<String>>,
) {
    let _ = stream.set_read_timeout(Some(DEADLINE));
    let Ok(conn) = rustls::ServerConnection::new(config) else {
        return;
    };
    let mut tls = BufReader::new(rustls::StreamOwned::new(conn, stream));
    let mut line = String::new();
    if tls.read_line(&mut line).is_err() || line.is_empty() {
        return;
    }
    let request_line = line.trim_end().to_owned();
    loop {
        let mut header = String::new();
        match tls.read_line(&mut header) {
            Ok(n) if n > 0 && header != "\r\n" => continue,
            _ => break,
        }
    }
    requests.lock().unwrap().push(request_line.clone());
    let path = request_line.split(' ').nth(1).unwrap_or("");
    let mut tls = tls.into_inner();
    let answer = match routes.get(path) {
        Some(body) => {
            let mut answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            answer.extend_from_slice(body);
            answer
        }
        None => {
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
        }
    };
    let _ = tls.write_all(&answer);
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

/// A name of this machine that vx does not take for loopback (so a proxy applies to
/// it) but that reaches the servers the tests bind on 127.0.0.1: the host name, which
/// resolves to 127.0.0.1 through /etc/hosts on the CI image. Fails the test, saying
/// why, when it does not.
pub fn machine_name() -> String {
    let out = Command::new("hostname")
        .output()
        .expect("cannot run `hostname`: install the hostname package");
    let name = String::from_utf8_lossy(&out.stdout)
        .trim()
        .to_ascii_lowercase();
    assert!(
        !name.is_empty() && name != "localhost" && !name.ends_with(".localhost"),
        "this machine's host name {name:?} is loopback to vx: the proxy tests need a name \
         that is not, resolving to 127.0.0.1 (add one to /etc/hosts)"
    );
    let addrs: Vec<IpAddr> = (name.as_str(), 0)
        .to_socket_addrs()
        .map(|addrs| addrs.map(|a| a.ip()).collect())
        .unwrap_or_default();
    assert!(
        addrs.iter().any(|ip| *ip == IpAddr::from([127, 0, 0, 1])),
        "the host name {name:?} resolves to {addrs:?}, not 127.0.0.1, where the test \
         servers listen: the proxy tests need it in /etc/hosts as 127.0.0.1"
    );
    name
}

/// A free TCP port on 127.0.0.1 (free when asked; the caller binds it next).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A real `tinyproxy` on 127.0.0.1, in the foreground, with its own config and log;
/// killed on drop.
pub struct Tinyproxy {
    /// Its port.
    pub port: u16,
    dir: tempfile::TempDir,
    child: Child,
}

impl Tinyproxy {
    /// Starts it, allowing CONNECT to `connect_ports` only, and requiring
    /// `basic_auth` (user, password) when given.
    pub fn start(connect_ports: &[u16], basic_auth: Option<(&str, &str)>) -> Tinyproxy {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut config = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 30\nLogFile \"{}\"\nLogLevel Info\n\
             Allow 127.0.0.1\nMaxClients 50\n",
            dir.path().join("tinyproxy.log").display()
        );
        for connect in connect_ports {
            config.push_str(&format!("ConnectPort {connect}\n"));
        }
        if let Some((user, password)) = basic_auth {
            config.push_str(&format!("BasicAuth {user} {password}\n"));
        }
        let file = dir.path().join("tinyproxy.conf");
        std::fs::write(&file, config).unwrap();
        let child = Command::new("tinyproxy")
            .arg("-d")
            .arg("-c")
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run `tinyproxy` ({e}): install the tinyproxy package")
            });
        let mut proxy = Tinyproxy { port, dir, child };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = proxy.child.try_wait() {
                panic!("tinyproxy exited ({status}): {}", proxy.log());
            }
            assert!(
                start.elapsed() < DEADLINE,
                "tinyproxy did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        proxy
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Its log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("tinyproxy.log")).unwrap_or_default()
    }

    /// The requests its log shows (`GET http://…`, `CONNECT host:port …`), waiting
    /// until `count` are there (tinyproxy writes each as it reads it).
    pub fn requests(&self, count: usize) -> Vec<String> {
        let start = Instant::now();
        loop {
            let requests: Vec<String> = self
                .log()
                .lines()
                .filter_map(|line| {
                    let (_, rest) = line.split_once("]: Request (file descriptor ")?;
                    Some(rest.split_once("): ")?.1.to_owned())
                })
                .collect();
            if requests.len() >= count || start.elapsed() > Duration::from_secs(5) {
                return requests;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `vx` command cleared of the environment's network settings (proxies, CA
/// variables) and of the user's config, so each test sets exactly what it tests.
pub fn isolate(cmd: &mut assert_cmd::Command, config_home: &Path) {
    for name in super::NETWORK_VARS {
        cmd.env_remove(name);
    }
    cmd.env("XDG_CONFIG_HOME", config_home);
}

/// `vx install TOOL@1 --url URL --sha256 …` into `work`'s store, with the machine's
/// network settings cleared ([`isolate`]) and exactly `env` set.
pub fn install_from(
    work: &super::Work,
    tool: &str,
    url: &str,
    body: &[u8],
    env: &[(&str, &std::ffi::OsStr)],
) -> std::process::Output {
    let mut cmd = work.vx();
    isolate(&mut cmd, &work.dir.path().join("config"));
    cmd.arg("install")
        .arg(format!("{tool}@1"))
        .args(["--url", url, "--sha256", &vx_fixture::sha256_hex(body)])
        .arg("--store")
        .arg(work.store());
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd.output().unwrap()
}

/// Checks that `payload` is installed as `tool` 1 in `work` by [`install_from`] (the
/// archive's `lib/data.bin`), without printing the whole tree of noise when it is not.
pub fn assert_installed(work: &super::Work, tool: &str, payload: &[u8]) {
    let installed = work.installed(tool, "1");
    let data = super::file_entry("644", &String::from_utf8_lossy(payload));
    assert!(
        // `vx install` without `--strip-components`: the archive's one top-level
        // folder `pkg/` is unwrapped, its executable being inside it.
        installed.get("lib/data.bin") == Some(&data),
        "not installed: {:?}",
        installed.keys().collect::<Vec<_>>()
    );
}
