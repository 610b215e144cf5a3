//! `vx daemon` end to end with the real binary: its life (start, a second start, a
//! killed daemon replaced, stop, a removed socket), who may talk to it, every request
//! of the protocol, bad, random and over-long lines, many clients at once, a
//! subscriber that never reads, events seen by the Python client during a real
//! `vx sync`, and `vx which`/`vx env` answered through it as they are without it.
//!
//! Each test has its own socket directory (`VX_DAEMON_SOCKET`), store and board
//! directory, so tests never meet each other's daemon; a guard stops the daemon when
//! the test ends, failing or not. Nothing waits on time: every wait is for something
//! observable, with [`common::DEADLINE`].

#![cfg(unix)]

use crate::common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;

use common::{
    DEADLINE, Work, archive, pin_standard_registry, standard_registry, tool_toml, wait_for,
};
use rustix::process::{Pid, Signal, kill_process};
use serde_json::{Value, json};
use vx_base::format::ArchiveFormat;
use vx_fixture::{Route, TestServer, sha256_hex};

/// A workspace with a daemon of its own (started by [`Daemon::start`]), and a loopback
/// GitHub serving a standard registry (the tests' fixture registry, pinned by the
/// user config) with releases of `acme/fd`: the registry a daemon's `list_versions`
/// reads for a tool not installed.
struct Daemon {
    work: Work,
    github: vx_fixture::github::GithubFixture,
}

impl Daemon {
    fn new() -> Daemon {
        use vx_fixture::github::{FixtureRelease, GithubFixture};
        let registry = std::fs::read(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/registry.yaml"),
        )
        .unwrap();
        let sha = vx_fixture::sha256_hex(&registry);
        let github = standard_registry(GithubFixture::builder(), registry)
            .release("acme", "fd", FixtureRelease::new("v10.1.0"))
            .release("acme", "fd", FixtureRelease::new("v10.2.0"))
            .start()
            .unwrap();
        let work = Work::new();
        pin_standard_registry(&work.dir.path().join("config"), &sha);
        Daemon { work, github }
    }

    fn socket_dir(&self) -> PathBuf {
        self.work.dir.path().join("d")
    }

    fn socket(&self) -> PathBuf {
        self.socket_dir().join("daemon.sock")
    }

    fn lock(&self) -> PathBuf {
        self.socket_dir().join("daemon.lock")
    }

    /// `vx` with this workspace's socket, boards and store (`XDG_DATA_HOME` too, so a
    /// command without `--store` finds it).
    fn vx(&self) -> assert_cmd::Command {
        let mut cmd = self.work.vx();
        cmd.env("VX_DAEMON_SOCKET", self.socket())
            .env("XDG_DATA_HOME", self.work.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.work.dir.path().join("config"))
            .env("VX_CACHE_DIR", self.work.dir.path().join("cache"))
            .env("VX_GITHUB_URL", self.github.web_url())
            .env_remove("GITHUB_TOKEN")
            .env_remove("GH_TOKEN")
            .timeout(DEADLINE);
        cmd
    }

    /// `vx daemon start --store S`: its stdout.
    fn start(&self) -> String {
        let out = self
            .vx()
            .args(["daemon", "start", "--store"])
            .arg(self.work.store())
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap()
    }

    /// `vx daemon status --json`, and its exit code.
    fn status(&self) -> (Value, i32) {
        let out = self
            .vx()
            .args(["daemon", "status", "--json"])
            .output()
            .unwrap();
        let status = serde_json::from_slice(&out.stdout).unwrap();
        (status, out.status.code().unwrap())
    }

    /// The running daemon's pid.
    fn pid(&self) -> u32 {
        let (status, code) = self.status();
        assert_eq!(code, 0, "{status}");
        status["pid"].as_u64().unwrap() as u32
    }

    /// Whether a process holds the lock.
    fn lock_held(&self) -> bool {
        let Ok(file) = std::fs::File::open(self.lock()) else {
            return false;
        };
        file.try_lock_shared().is_err()
    }

    fn connect(&self) -> Conn {
        Conn::new(UnixStream::connect(self.socket()).unwrap())
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = std::fs::read_to_string(self.socket_dir().join("daemon.log"));
            eprintln!("the daemon's log:\n{}", log.unwrap_or_default());
        }
        if !self.lock_held() {
            return;
        }
        let pid = std::fs::read_to_string(self.lock()).unwrap_or_default();
        let stopped = self.vx().args(["daemon", "stop"]).output();
        if self.lock_held() {
            eprintln!("the daemon did not stop ({stopped:?}); killing it");
            let _ = Command::new("kill").args(["-9", pid.trim()]).status();
        }
    }
}

/// One client connection, reading lines with the test deadline.
struct Conn {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Conn {
    fn new(stream: UnixStream) -> Conn {
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        Conn {
            writer: stream.try_clone().unwrap(),
            reader: BufReader::new(stream),
        }
    }

    fn send(&mut self, line: &[u8]) {
        self.writer.write_all(line).unwrap();
        self.writer.write_all(b"\n").unwrap();
    }

    /// The next line, parsed; `None` at the end of the stream.
    fn recv(&mut self) -> Option<Value> {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(0) => None,
            // A connection the daemon closed with a request of ours unread.
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => None,
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {
                panic!("nothing more from the daemon within {DEADLINE:?}")
            }
            Err(err) => panic!("reading from the daemon: {err}"),
            Ok(_) => Some(serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))),
        }
    }

    fn ask(&mut self, request: Value) -> Value {
        self.send(request.to_string().as_bytes());
        self.recv().expect("an answer")
    }

    /// Events until `done` says the ones seen are enough.
    fn events_until(&mut self, mut done: impl FnMut(&[Value]) -> bool) -> Vec<Value> {
        let mut seen = Vec::new();
        while !done(&seen) {
            seen.push(self.recv().expect("another event"));
        }
        seen
    }
}

fn is_type(value: &Value, kind: &str) -> bool {
    value["type"] == kind
}

/// A project of `count` tools (`t0`, `t1`, …) served from loopback, each archive of
/// `payload` bytes sent at `rate` bytes/s (0: at once).
fn project(work: &Work, count: usize, payload: usize, rate: u64) -> (TestServer, Vec<String>) {
    let body = archive(ArchiveFormat::TarGz, vx_fixture::noise(payload));
    let sha = sha256_hex(&body);
    let names: Vec<String> = (0..count).map(|i| format!("t{i}")).collect();
    let routes: Vec<(String, Route)> = names
        .iter()
        .map(|name| {
            let route = if rate == 0 {
                Route::Ok(body.clone())
            } else {
                Route::Throttled(std::sync::Arc::new(body.clone()), rate)
            };
            (format!("/{name}.tar.gz"), route)
        })
        .collect();
    let server = TestServer::start(routes);
    let manifest: String = names
        .iter()
        .map(|name| tool_toml(name, "1", &server.url(&format!("/{name}.tar.gz")), &sha))
        .collect();
    work.write_manifest(&manifest);
    (server, names)
}

/// The resident memory of process `pid`, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn start_status_and_stop() {
    let d = Daemon::new();
    let (status, code) = d.status();
    assert_eq!(code, 1, "not running yet: {status}");
    assert_eq!(status["running"], false);

    let out = d.start();
    assert!(out.contains("vx daemon started (pid "), "{out}");
    let (status, code) = d.status();
    assert_eq!(code, 0, "{status}");
    assert_eq!(status["running"], true);
    assert_eq!(status["answering"], true);
    assert_eq!(status["socket"], d.socket().to_str().unwrap());
    let log = PathBuf::from(status["log"].as_str().unwrap());
    assert_eq!(log, d.socket_dir().join("daemon.log"));
    assert!(std::fs::read_to_string(&log).unwrap().contains("started"));
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&d.socket_dir()), 0o700);
    assert_eq!(mode(&d.socket()), 0o600);
    assert!(status["uptime_secs"].is_u64());
    let text = d.vx().args(["daemon", "status"]).assert().success();
    let text = String::from_utf8_lossy(&text.get_output().stdout).into_owned();
    assert!(
        text.contains("running (pid ") && text.contains("log:"),
        "{text}"
    );

    let out = d.vx().args(["daemon", "stop"]).assert().success();
    let out = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(out.contains("vx daemon stopped"), "{out}");
    // `stop` returns once the daemon is gone: no wait needed.
    assert!(!d.lock_held());
    assert!(!d.socket().exists(), "the socket goes with the daemon");
    let (status, code) = d.status();
    assert_eq!((status["running"].clone(), code), (json!(false), 1));
    let out = d.vx().args(["daemon", "stop"]).assert().success();
    assert!(String::from_utf8_lossy(&out.get_output().stdout).contains("not running"));
}

#[test]
fn a_second_start_leaves_the_running_daemon_alone() {
    let d = Daemon::new();
    d.start();
    let pid = d.pid();
    let out = d.start();
    assert_eq!(out.trim(), format!("vx daemon already running (pid {pid})"));
    let out = d
        .vx()
        .args(["daemon", "start", "--foreground"])
        .assert()
        .success();
    let out = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(out.contains("already running"), "{out}");
    assert_eq!(d.pid(), pid);
}

#[test]
fn a_killed_daemon_is_replaced_with_its_stale_socket() {
    let d = Daemon::new();
    d.start();
    let old = d.pid();
    Command::new("kill")
        .args(["-KILL", &old.to_string()])
        .status()
        .unwrap();
    wait_for("the killed daemon's lock to be free", || {
        (!d.lock_held()).then_some(())
    });
    assert!(d.socket().exists(), "SIGKILL leaves the socket behind");
    assert!(UnixStream::connect(d.socket()).is_err(), "nobody listens");
    assert_eq!(d.status().0["running"], false);

    let out = d.start();
    assert!(out.contains("started"), "{out}");
    let new = d.pid();
    assert_ne!(new, old);
    let pong = d.connect().ask(json!({"type": "ping"}));
    assert!(is_type(&pong, "pong"), "{pong}");
}

/// The pid in `start`'s "vx daemon started (pid N); …", failing with its output when it
/// says anything else (such as "already running" for a daemon just killed).
fn started_pid(out: &str) -> u32 {
    out.strip_prefix("vx daemon started (pid ")
        .and_then(|rest| rest.split(')').next())
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("not a start: {out}"))
}

#[test]
fn a_daemon_killed_and_started_at_once_is_replaced_every_time() {
    let d = Daemon::new();
    let mut pid = started_pid(&d.start());
    for round in 0..50 {
        // No wait between the kill and the start: the dying daemon may still hold its
        // lock for a moment (its threads exit after the leader).
        kill_process(Pid::from_raw(pid as i32).unwrap(), Signal::KILL).unwrap();
        let out = d.start();
        let new = started_pid(&out);
        assert_ne!(new, pid, "round {round}: {out}");
        let pong = UnixStream::connect(d.socket())
            .map(|s| Conn::new(s).ask(json!({"type": "ping"})))
            .unwrap_or_else(|e| panic!("round {round}: no daemon after {out:?}: {e}"));
        assert!(is_type(&pong, "pong"), "round {round}: {pong}");
        pid = new;
    }
}

/// A Python that another user can run (not one under root's home).
fn system_python() -> Option<&'static str> {
    ["/usr/bin/python3", "/usr/local/bin/python3"]
        .into_iter()
        .find(|p| Path::new(p).exists())
}

#[test]
fn a_peer_of_another_uid_is_refused() {
    if !rustix::process::geteuid().is_root() {
        eprintln!("skipped: needs root to run a client as another user");
        return;
    }
    let (Some(python), true) = (system_python(), Path::new("/usr/bin/setpriv").exists()) else {
        eprintln!("skipped: needs /usr/bin/setpriv and a system python3");
        return;
    };
    let d = Daemon::new();
    d.start();
    // Open the way to the socket for everyone, so only the daemon's own check can
    // refuse the other user (the daemon made its directory 0700 and the socket 0600).
    let open = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    open(d.work.dir.path(), 0o711);
    open(&d.socket_dir(), 0o711);
    open(&d.socket(), 0o666);
    let client = r#"
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
print("connected", flush=True)
s.sendall(b'{"type":"ping"}\n')
print(s.makefile().readline(), end="")
"#;
    let out = Command::new("/usr/bin/setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            python,
            "-c",
            client,
        ])
        .arg(d.socket())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.starts_with("connected\n"),
        "the file permissions let it connect: {stdout} {stderr}"
    );
    let answer: Value = serde_json::from_str(stdout.lines().nth(1).unwrap_or("null")).unwrap();
    assert!(is_type(&answer, "error"), "{answer}");
    let message = answer["message"].as_str().unwrap();
    assert!(
        message.contains("refused") && message.contains("uid 65534"),
        "{message}"
    );
    let log = std::fs::read_to_string(d.socket_dir().join("daemon.log")).unwrap();
    assert!(log.contains("refused a peer of uid 65534"), "{log}");
    // The same user is still served.
    assert!(is_type(&d.connect().ask(json!({"type": "ping"})), "pong"));
}

#[test]
fn a_runtimes_versions_carry_its_lts_lines_for_a_version_picker() {
    use common::publishers::node;
    let nodejs = node::serve(&[
        node::Release::listed("22.12.0", Some("Jod")),
        node::Release::listed("21.7.3", None),
        node::Release::listed("20.11.1", Some("Iron")),
    ]);
    let d = Daemon::new();
    // nodejs.org reached through the user config, as a company mirror would be.
    let config = d.work.dir.path().join("config/vx/config.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!("\n{}", node::config(&nodejs)));
    std::fs::write(&config, text).unwrap();
    d.start();
    let picker = d
        .connect()
        .ask(json!({"type": "list_versions", "runtime": "node"}));
    assert_eq!(
        picker,
        json!({
            "type": "versions",
            "versions": ["22.12.0", "21.7.3", "20.11.1"],
            "source": "registry",
            "lts": {"22.12.0": "Jod", "20.11.1": "Iron"},
        })
    );
}

#[test]
fn every_request_type_is_answered() {
    let d = Daemon::new();
    let (_server, _names) = project(&d.work, 2, 100, 0);
    d.work.sync(&["--headless"]).assert().success();
    d.start();
    let mut c = d.connect();
    let store = d.work.store();
    let cwd = d.work.dir.path().to_str().unwrap();

    let pong = c.ask(json!({"type": "ping"}));
    assert_eq!(pong["cached_runtimes"], 2, "{pong}");
    assert!(pong["uptime_secs"].is_u64());
    // How a client tells a newer daemon (docs/PROTOCOL.md).
    assert_eq!(pong["protocol"], 2, "{pong}");
    assert_eq!(pong["version"], env!("CARGO_PKG_VERSION"), "{pong}");

    let versions = c.ask(json!({"type": "list_versions", "runtime": "t0"}));
    assert_eq!(versions, json!({"type": "versions", "versions": ["1"]}));
    let none = c.ask(json!({"type": "list_versions", "runtime": "nope"}));
    assert_eq!(none["versions"], json!([]));
    // A tool not installed: the registry's versions, newest first (a version picker).
    let picker = c.ask(json!({"type": "list_versions", "runtime": "fd"}));
    assert_eq!(
        picker,
        json!({"type": "versions", "versions": ["10.2.0", "10.1.0"], "source": "registry"})
    );

    let resolved = c.ask(json!({"type": "resolve", "runtime": "t0", "version": null, "cwd": cwd}));
    assert!(is_type(&resolved, "resolved"), "{resolved}");
    assert_eq!(resolved["version"], "1");
    let exe = crate::common::tree_in(&store, "t0", "1").join("bin/tool");
    assert_eq!(resolved["executable"], exe.to_str().unwrap());
    let path = resolved["env"]["PATH"].as_str().unwrap();
    assert!(
        path.starts_with(&format!(
            "{}:",
            crate::common::tree_in(&store, "t0", "1")
                .join("bin")
                .display()
        )),
        "{path}"
    );
    assert!(
        path.contains(
            &crate::common::tree_in(&store, "t1", "1")
                .join("bin")
                .display()
                .to_string()
        )
    );
    // Outside a project: the newest installed, with its own directory only.
    let alone = c.ask(json!({"type": "resolve", "runtime": "t1"}));
    assert_eq!(
        alone["executable"],
        crate::common::tree_in(&store, "t1", "1")
            .join("bin/tool")
            .to_str()
            .unwrap()
    );

    // The toolchain, in the daemon's store when the client names none.
    let toolchain = c.ask(json!({"type": "toolchain", "cwd": cwd}));
    assert_eq!(
        toolchain["manifest"],
        d.work.manifest().to_str().unwrap(),
        "{toolchain}"
    );
    assert_eq!(
        toolchain["bin_dirs"],
        json!([
            crate::common::tree_in(&store, "t0", "1").join("bin"),
            crate::common::tree_in(&store, "t1", "1").join("bin")
        ]),
        "{toolchain}"
    );
    assert_eq!(toolchain["missing"], json!([]));
    let elsewhere = c.ask(json!({"type": "toolchain", "cwd": cwd, "store": "/elsewhere"}));
    assert!(is_type(&elsewhere, "error"), "{elsewhere}");

    let env = c.ask(json!({"type": "get_environment", "runtime": "t0", "cwd": cwd}));
    assert_eq!(env, json!({"type": "environment", "env": resolved["env"]}));

    for bad in [
        json!({"type": "resolve", "runtime": "nope", "cwd": cwd}),
        json!({"type": "resolve", "runtime": "t0", "version": "2"}),
        json!({"type": "resolve", "runtime": "../t0"}),
        json!({"type": "get_environment", "runtime": "t0", "cwd": "relative/dir"}),
    ] {
        let answer = c.ask(bad.clone());
        assert!(is_type(&answer, "error"), "{bad} gave {answer}");
    }

    let subscribed = c.ask(json!({"type": "subscribe", "event_types":
        ["runtime_installed", "runtime_removed", "config_changed"]}));
    assert!(is_type(&subscribed, "subscribed"), "{subscribed}");
    assert!(!subscribed["subscription_id"].as_str().unwrap().is_empty());

    // The project was resolved, so its files are watched.
    let mut text = std::fs::read_to_string(d.work.manifest()).unwrap();
    text.push_str("# edited\n");
    std::fs::write(d.work.manifest(), text).unwrap();
    let seen = c.events_until(|e| e.iter().any(|e| is_type(e, "config_changed")));
    let changed = seen.iter().find(|e| is_type(e, "config_changed")).unwrap();
    assert_eq!(changed["path"], d.work.manifest().to_str().unwrap());

    d.vx()
        .args(["uninstall", "t1@1", "--store"])
        .arg(&store)
        .assert()
        .success();
    let seen = c.events_until(|e| e.iter().any(|e| is_type(e, "runtime_removed")));
    let removed = seen.iter().find(|e| is_type(e, "runtime_removed")).unwrap();
    assert_eq!(
        *removed,
        json!({"type": "runtime_removed", "runtime": "t1", "version": "1"})
    );
    assert_eq!(c.ask(json!({"type": "ping"}))["cached_runtimes"], 1);

    d.work.sync(&["--headless"]).assert().success();
    let seen = c.events_until(|e| e.iter().any(|e| is_type(e, "runtime_installed")));
    let installed = seen
        .iter()
        .find(|e| is_type(e, "runtime_installed"))
        .unwrap();
    assert_eq!(installed["runtime"], "t1");
    // The answer follows the store.
    let resolved = c.ask(json!({"type": "resolve", "runtime": "t1", "cwd": cwd}));
    assert!(is_type(&resolved, "resolved"), "{resolved}");

    let pong = c.ask(json!({"type": "shutdown"}));
    assert!(is_type(&pong, "pong"), "{pong}");
    assert!(
        c.recv().is_none(),
        "the daemon closes the connection as it exits"
    );
    wait_for("the daemon to exit", || (!d.lock_held()).then_some(()));
}

#[test]
fn a_malformed_line_is_answered_and_the_connection_goes_on() {
    let d = Daemon::new();
    d.start();
    let mut c = d.connect();
    for bad in [
        &b"garbage"[..],
        b"{}",
        b"{\"type\":\"resolve\"}",
        b"\xff\xfe\x00",
        b"[1,2,3]",
        b"{\"type\":\"subscribe\",\"event_types\":[\"nonsense\"]}",
    ] {
        c.send(bad);
        let answer = c.recv().unwrap();
        assert!(is_type(&answer, "error"), "{answer}");
        assert!(!answer["message"].as_str().unwrap().is_empty());
    }
    // A blank line is no request: nothing comes back for it.
    c.send(b"");
    assert!(is_type(&c.ask(json!({"type": "ping"})), "pong"));
}

#[test]
fn an_over_long_line_closes_only_its_connection() {
    let d = Daemon::new();
    d.start();
    let mut other = d.connect();
    assert!(is_type(&other.ask(json!({"type": "ping"})), "pong"));

    let mut long = d.connect();
    let mut line = vec![b'a'; 64 * 1024 + 1];
    line.push(b'\n');
    // The socket buffer holds it all: the write does not wait for the daemon.
    long.writer.write_all(&line).unwrap();
    let answer = long.recv().expect("an error before the close");
    assert!(is_type(&answer, "error"), "{answer}");
    assert!(answer["message"].as_str().unwrap().contains("longer than"));
    assert!(long.recv().is_none(), "then the connection is closed");

    assert!(is_type(&other.ask(json!({"type": "ping"})), "pong"));
    assert!(is_type(&d.connect().ask(json!({"type": "ping"})), "pong"));
    // Exactly the limit is a line like any other (here, not JSON).
    let mut edge = d.connect();
    edge.send(&vec![b' '; 64 * 1024]);
    assert!(is_type(&edge.ask(json!({"type": "ping"})), "pong"));
}

#[test]
fn fifty_clients_are_served_at_once() {
    let d = Daemon::new();
    let (_server, _names) = project(&d.work, 1, 100, 0);
    d.work.sync(&["--headless"]).assert().success();
    d.start();
    let cwd = d.work.dir.path().to_str().unwrap().to_owned();
    let clients = 50;
    let barrier = std::sync::Barrier::new(clients);
    std::thread::scope(|scope| {
        for _ in 0..clients {
            scope.spawn(|| {
                let mut c = d.connect();
                // Every client is connected before any asks.
                barrier.wait();
                for _ in 0..20 {
                    let got = c.ask(json!({"type": "resolve", "runtime": "t0", "cwd": cwd}));
                    assert!(is_type(&got, "resolved"), "{got}");
                    let got = c.ask(json!({"type": "list_versions", "runtime": "t0"}));
                    assert_eq!(got["versions"], json!(["1"]));
                }
            });
        }
    });
    assert!(is_type(&d.connect().ask(json!({"type": "ping"})), "pong"));
}

#[test]
fn a_subscriber_that_never_reads_holds_up_no_one() {
    let d = Daemon::new();
    let (_server, names) = project(&d.work, 40, 64 * 1024, 256 * 1024);
    d.start();
    let pid = d.pid();
    let before = rss_kib(pid);

    let mut stuck = d.connect();
    let answer = stuck.ask(json!({"type": "subscribe", "event_types": []}));
    assert!(is_type(&answer, "subscribed"));
    let mut reader = d.connect();
    assert!(is_type(
        &reader.ask(json!({"type": "subscribe", "event_types": []})),
        "subscribed"
    ));

    let mut sync = d.work.spawn_sync(&["--headless", "-j", "16"]);
    let wanted: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    let mut most_rss = before;
    let seen = reader.events_until(|seen| {
        most_rss = most_rss.max(rss_kib(pid));
        let installed: BTreeSet<&str> = seen
            .iter()
            .filter(|e| is_type(e, "runtime_installed"))
            .filter_map(|e| e["runtime"].as_str())
            .collect();
        installed == wanted
    });
    assert!(common::wait_exit(&mut sync).success());
    assert!(
        seen.iter().any(|e| is_type(e, "sync_progress")),
        "progress came too"
    );
    // Still answering, and its memory bounded by the queues, not by what it sent.
    assert!(is_type(&d.connect().ask(json!({"type": "ping"})), "pong"));
    let after = rss_kib(pid);
    eprintln!("daemon RSS: {before} KiB before, {most_rss} KiB at most, {after} KiB after");
    assert!(most_rss < 64 * 1024, "{most_rss} KiB");
    // What the stuck one gets, once it reads, is still well-formed.
    let first = stuck.recv().expect("its events were kept or counted");
    assert!(first["type"].is_string(), "{first}");
}

#[test]
fn the_python_client_sees_a_real_sync() {
    let d = Daemon::new();
    let (_server, names) = project(&d.work, 5, 256 * 1024, 512 * 1024);
    d.start();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/vx-daemon-client.py");
    let mut client = Command::new("python3")
        .arg(script)
        .args(["--json", "subscribe"])
        .env("VX_DAEMON_SOCKET", d.socket())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = client.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let next = || -> Value {
        let line = lines
            .recv_timeout(DEADLINE)
            .expect("a line from the client");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    };
    assert!(is_type(&next(), "subscribed"), "it subscribed first");

    d.work.sync(&["--headless"]).assert().success();
    let mut installed = BTreeSet::new();
    let mut progress_tools = BTreeSet::new();
    let mut phases = BTreeSet::new();
    let wanted: BTreeSet<String> = names.iter().cloned().collect();
    while installed != wanted {
        let event = next();
        match event["type"].as_str() {
            Some("runtime_installed") => {
                installed.insert(event["runtime"].as_str().unwrap().to_owned());
            }
            Some("sync_progress") => {
                assert_eq!(event["label"], d.work.manifest().to_str().unwrap());
                for tool in event["tools"].as_array().unwrap() {
                    progress_tools.insert(tool["tool"].as_str().unwrap().to_owned());
                    phases.insert(tool["phase"].as_str().unwrap().to_owned());
                }
            }
            _ => {}
        }
    }
    let _ = client.kill();
    let _ = client.wait();
    assert_eq!(progress_tools, wanted, "every tool's row was pushed");
    assert!(phases.contains("downloading"), "{phases:?}");
}

#[test]
fn the_last_progress_of_a_sync_shows_every_tool_ended_and_is_marked_final() {
    let d = Daemon::new();
    // Downloads slow enough (about half a second) for the daemon to follow the board.
    let (server, names) = project(&d.work, 3, 256 * 1024, 512 * 1024);
    let mut manifest = std::fs::read_to_string(d.work.manifest()).unwrap();
    manifest.push_str(&tool_toml(
        "bad",
        "1",
        &server.url("/t0.tar.gz"),
        &"0".repeat(64),
    ));
    d.work.write_manifest(&manifest);
    d.start();
    let mut c = d.connect();
    let subscribed = c.ask(json!({"type": "subscribe", "event_types": ["sync_progress"]}));
    assert!(is_type(&subscribed, "subscribed"), "{subscribed}");

    let out = d.work.sync(&["--headless"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "bad's checksum fails");
    // The sync is over and its board gone: what a subscriber sees last must say so.
    let label = d.work.manifest().to_str().unwrap().to_owned();
    let seen = c.events_until(|seen| {
        seen.last()
            .is_some_and(|e| e["label"] == label && e["final"] == true)
    });
    let (last, before) = seen.split_last().unwrap();
    assert!(
        before
            .iter()
            .all(|e| e["board"] == last["board"] && e["final"] == false),
        "one board, final once: {before:?}"
    );
    let phases: Vec<(String, String)> = last["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["tool"].as_str().unwrap().into(),
                t["phase"].as_str().unwrap().into(),
            )
        })
        .collect();
    let mut wanted: Vec<(String, String)> = names
        .iter()
        .map(|n| (n.clone(), "completed".to_owned()))
        .collect();
    wanted.push(("bad".into(), "failed".into()));
    assert_eq!(phases, wanted, "{last}");
}

#[test]
fn a_task_run_is_followed_as_task_progress_until_its_end() {
    let d = Daemon::new();
    d.start();
    let mut c = d.connect();
    let subscribed = c.ask(json!({"type": "subscribe", "event_types": ["task_progress"]}));
    assert!(is_type(&subscribed, "subscribed"), "{subscribed}");
    // A run as `vx run`'s board sink publishes it (the same writer).
    let run =
        vx_shm::TaskBoard::create(&d.work.boards(), "/p/vx.toml", &["build", "dev"], 4096).unwrap();
    let mut build = run.writer(0).unwrap();
    build.set_phase(vx_shm::TaskPhase::Running);
    let seen = c.events_until(|seen| {
        seen.last()
            .is_some_and(|e| e["tasks"][0]["phase"] == "running")
    });
    assert!(
        seen.iter().all(|e| e["type"] == "task_progress"),
        "{seen:?}"
    );
    build.output(b"built\n");
    build.finish(vx_shm::TaskPhase::Done, Some(0), "");
    let mut dev = run.writer(1).unwrap();
    dev.set_phase(vx_shm::TaskPhase::Ready);
    let seen = c.events_until(|seen| {
        seen.last()
            .is_some_and(|e| e["tasks"][1]["phase"] == "ready")
    });
    let last = seen.last().unwrap();
    assert_eq!(last["tasks"][0]["phase"], "done", "{last}");
    assert_eq!(last["tasks"][0]["exit_code"], 0, "{last}");
    assert_eq!(last["tasks"][0]["output_bytes"], 6, "{last}");
    assert_eq!(last["state"], "running", "{last}");
    dev.finish(vx_shm::TaskPhase::Cancelled, None, "interrupted");
    run.finish(true);
    let seen = c.events_until(|seen| seen.last().is_some_and(|e| e["final"] == true));
    let last = seen.last().unwrap();
    assert_eq!(last["state"], "interrupted", "{last}");
    assert_eq!(last["tasks"][1]["message"], "interrupted", "{last}");
}

#[test]
fn which_and_env_ask_a_running_daemon_and_agree_with_resolving_directly() {
    let d = Daemon::new();
    let (_server, _names) = project(&d.work, 3, 100, 0);
    d.work.sync(&["--headless"]).assert().success();
    let store = d.work.store();
    let run = |daemon: bool, args: &[&str]| -> (i32, String) {
        let mut cmd = d.vx();
        if !daemon {
            cmd.env("VX_DAEMON_SOCKET", d.work.dir.path().join("nowhere.sock"));
        }
        let out = cmd.args(args).arg("--store").arg(&store).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        (out.status.code().unwrap(), text)
    };
    let asks: [&[&str]; 4] = [
        &["which", "tool"],
        &["which", "sh"],
        &["which", "no-such-command"],
        &["env", "--shell", "json"],
    ];
    let direct: Vec<_> = asks.iter().map(|a| run(false, a)).collect();
    assert_eq!(direct[0].0, 0);
    assert!(
        crate::common::unkeyed(&direct[0].1).contains("/t0/1/bin/tool"),
        "{direct:?}"
    );
    d.start();
    let via: Vec<_> = asks.iter().map(|a| run(true, a)).collect();
    assert_eq!(via, direct);
    let log = std::fs::read_to_string(d.socket_dir().join("daemon.log")).unwrap();
    let read = format!("reading the project in {}", d.work.dir.path().display());
    assert!(log.contains(&read), "the daemon answered: {log}");

    // Right after a change the daemon may not know of yet, the answer is still right.
    d.vx()
        .args(["uninstall", "t0@1", "--store"])
        .arg(&store)
        .assert()
        .success();
    let after = run(true, &["which", "tool"]);
    assert_eq!(after, run(false, &["which", "tool"]));
    assert!(
        crate::common::unkeyed(&after.1).contains("/t1/1/bin/tool"),
        "{after:?}"
    );
    let env = run(true, &["env", "--shell", "json"]);
    assert_eq!(env.0, 1, "t0 is missing: {env:?}");
    assert_eq!(env, run(false, &["env", "--shell", "json"]));

    // A project edited a moment ago is answered as it is now.
    d.vx()
        .args(["sync", "--headless", "--store"])
        .arg(&store)
        .assert()
        .success();
    assert_eq!(run(true, &["env", "--shell", "json"]).0, 0);
    let manifest = std::fs::read_to_string(d.work.manifest()).unwrap();
    let one = manifest.split("\n\n").next().unwrap().to_owned() + "\n";
    std::fs::write(d.work.manifest(), &one).unwrap();
    let env = run(true, &["env", "--shell", "json"]);
    assert_eq!(env, run(false, &["env", "--shell", "json"]));
    assert!(
        !crate::common::unkeyed(&env.1).contains("/t1/1/bin"),
        "only t0 is left: {env:?}"
    );
}

#[test]
fn a_daemon_whose_socket_is_removed_exits() {
    let d = Daemon::new();
    d.start();
    std::fs::remove_file(d.socket()).unwrap();
    // Nobody can reach it any more: it notices within seconds and goes.
    wait_for("the daemon to exit", || (!d.lock_held()).then_some(()));
    let log = std::fs::read_to_string(d.socket_dir().join("daemon.log")).unwrap();
    assert!(log.contains("the socket is gone"), "{log}");
}

#[test]
fn random_bytes_are_answered_with_errors_and_never_stop_the_daemon() {
    let d = Daemon::new();
    d.start();
    let mut c = d.connect();
    let mut writer = c.writer.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        for seed in 0..16 {
            let noise = vx_fixture::noise_seeded(16 * 1024, seed);
            writer.write_all(&noise).unwrap();
        }
        writer.write_all(b"\n{\"type\":\"ping\"}\n").unwrap();
    });
    // Every line back is an error, until the pong that follows the noise.
    let mut errors = 0;
    loop {
        let answer = c.recv().expect("an answer");
        if is_type(&answer, "pong") {
            break;
        }
        assert!(is_type(&answer, "error"), "{answer}");
        errors += 1;
    }
    sender.join().unwrap();
    assert!(errors > 100, "{errors}");
    assert!(is_type(&d.connect().ask(json!({"type": "ping"})), "pong"));
}

/// A stand-in daemon: Python listening at `sys.argv[1]`, answering every line with
/// `sys.argv[2]` (a toolchain whose first directory is another user's, as an
/// attacker's daemon would answer `vx env`).
const FOREIGN_DAEMON: &str = r#"
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
print("listening", flush=True)
while True:
    c, _ = s.accept()
    f = c.makefile("rb")
    if f.readline():
        c.sendall(sys.argv[2].encode() + b"\n")
    c.close()
"#;

/// A running [`FOREIGN_DAEMON`], killed when dropped (a failed assertion too).
struct Foreign(std::process::Child);

impl Drop for Foreign {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts [`FOREIGN_DAEMON`] at `socket` answering `answer`, as `uid` (through
/// setpriv) or as this user, once it listens.
fn foreign_daemon(python: &str, socket: &Path, answer: &str, uid: Option<u32>) -> Foreign {
    let mut cmd = match uid {
        Some(uid) => {
            let mut cmd = Command::new("/usr/bin/setpriv");
            cmd.args([
                &format!("--reuid={uid}"),
                &format!("--regid={uid}"),
                "--clear-groups",
                python,
            ]);
            cmd
        }
        None => Command::new(python),
    };
    let mut child = Foreign(
        cmd.args(["-c", FOREIGN_DAEMON])
            .arg(socket)
            .arg(answer)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "listening\n");
    child
}

/// Issue 53, item 1: `vx env` never takes an answer from a daemon that is not this
/// user's: a socket another user owns, a socket in a directory others can write, and
/// (the socket file made to look like this user's) a listener of another uid, which
/// `SO_PEERCRED` names. Each is refused, said, and the environment is assembled here.
#[test]
fn vx_env_refuses_a_daemon_socket_that_is_not_this_users() {
    if !rustix::process::geteuid().is_root() {
        eprintln!("skipped: needs root to make another user's socket");
        return;
    }
    let (Some(python), true) = (system_python(), Path::new("/usr/bin/setpriv").exists()) else {
        eprintln!("skipped: needs /usr/bin/setpriv and a system python3");
        return;
    };
    let work = Work::new();
    work.write_manifest("[tools]\n");
    let evil = tempfile::tempdir().unwrap();
    let answer = json!({
        "type": "toolchain",
        "manifest": work.manifest(),
        "bin_dirs": [evil.path()],
        "missing": [],
        "environment": {"project": work.dir.path()},
        "trusted": true,
    })
    .to_string();
    let evil_dir = evil.path().display().to_string();
    let env = |socket: &Path| {
        let out = work
            .vx()
            .env("VX_DAEMON_SOCKET", socket)
            .args(["env", "--shell", "bash"])
            .output()
            .unwrap();
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let chown = |path: &Path, uid: u32| {
        let status = Command::new("chown")
            .arg(format!("{uid}:{uid}"))
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    };

    // This user's own socket, in this user's private directory: its answer is taken
    // (what shows the stand-in is believed when nothing is wrong).
    let mine = dir.path().join("mine.sock");
    let daemon = foreign_daemon(python, &mine, &answer, None);
    let (stdout, stderr) = env(&mine);
    assert!(stdout.contains(&evil_dir), "{stdout}{stderr}");

    // The same socket, owned by another user.
    chown(&mine, 65534);
    let (stdout, stderr) = env(&mine);
    assert!(!stdout.contains(&evil_dir), "{stdout}");
    assert!(
        stderr.contains("belongs to uid 65534") && stderr.contains("refusing"),
        "{stderr}"
    );
    chown(&mine, 0);

    // In a directory other users can write to.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let (stdout, stderr) = env(&mine);
    assert!(!stdout.contains(&evil_dir), "{stdout}");
    assert!(stderr.contains("can be written by other users"), "{stderr}");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    drop(daemon);

    // A listener of another user, its socket moved into this user's directory and
    // given to this user: only the kernel's word on the peer tells.
    let theirs = tempfile::tempdir().unwrap();
    chown(theirs.path(), 65534);
    let made = theirs.path().join("d.sock");
    let _daemon = foreign_daemon(python, &made, &answer, Some(65534));
    let moved = dir.path().join("moved.sock");
    std::fs::rename(&made, &moved).unwrap();
    chown(&moved, 0);
    let (stdout, stderr) = env(&moved);
    assert!(!stdout.contains(&evil_dir), "{stdout}");
    assert!(
        stderr.contains("runs as uid 65534") && stderr.contains("refusing"),
        "{stderr}"
    );
}
