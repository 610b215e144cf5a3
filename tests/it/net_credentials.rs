//! Credentials end to end (issue 28): the real `vx sync` against loopback servers that
//! demand them. Basic auth from a netrc file (`NETRC`), a bearer header from the user
//! config's `[http.headers]` with `${VAR}` from the environment, nothing for another
//! host a redirect leads to, and a sweep of everything a sync leaves (its output in
//! every mode, the dump, vx.lock, receipts, caches and logs) for the secrets.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use common::*;
use vx_base::format::ArchiveFormat;
use vx_fixture::sha256_hex;

const PASSWORD: &str = "s3cret-pw-4471";
const TOKEN: &str = "tok-sweep-9913";
/// base64("alice:s3cret-pw-4471"), what netrc's Basic auth sends.
const BASIC: &str = "Basic YWxpY2U6czNjcmV0LXB3LTQ0NzE=";

/// What a [`Server`] does with a request: `(path, Authorization)` → answer.
type Handler = dyn Fn(&str, Option<&str>) -> Answer + Send + Sync;

enum Answer {
    Body(Vec<u8>),
    Status(u16),
    Redirect(String),
}

/// The requests a [`Server`] saw: (path, `Authorization`).
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A loopback server that records the `Authorization` header of every request;
/// stopped on drop.
struct Server {
    port: u16,
    seen: Seen,
    _server: vx_fixture::http::Server,
}

impl Server {
    fn start(handler: impl Fn(&str, Option<&str>) -> Answer + Send + Sync + 'static) -> Server {
        use vx_fixture::http::{Request, Response};
        let handler: Box<Handler> = Box::new(handler);
        let seen: Seen = Arc::default();
        let log = seen.clone();
        let server = vx_fixture::http::Server::start(Arc::new(move |request: &Request| {
            let auth = request.header("Authorization").map(str::to_owned);
            let path = request.url().to_owned();
            log.lock().unwrap().push((path.clone(), auth.clone()));
            match handler(&path, auth.as_deref()) {
                Answer::Body(body) => Response::bytes(200, body),
                Answer::Status(code) => Response::empty(code),
                Answer::Redirect(to) => Response::empty(302).with_header("Location", to),
            }
        }))
        .unwrap();
        Server {
            port: server.port(),
            seen,
            _server: server,
        }
    }

    /// A server for `body` at `/NAME.tar.gz` that answers 401 unless the request
    /// carries `Authorization: expected`.
    fn guarded(name: &str, body: Vec<u8>, expected: &'static str) -> Server {
        let path = format!("/{name}.tar.gz");
        Server::start(move |p, auth| match (p == path, auth == Some(expected)) {
            (true, true) => Answer::Body(body.clone()),
            (true, false) => Answer::Status(401),
            _ => Answer::Status(404),
        })
    }

    fn url(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.port)
    }

    /// The `Authorization` of each request, in order.
    fn authorizations(&self) -> Vec<Option<String>> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|(_, a)| a.clone())
            .collect()
    }
}

/// A workspace whose `vx` runs see `home` as their machine, with the secrets' files
/// (netrc, user config) outside the workspace so a sweep of it finds only what vx
/// wrote.
struct Machine {
    work: Work,
    secrets: tempfile::TempDir,
}

impl Machine {
    fn new() -> Machine {
        Machine {
            work: Work::new(),
            secrets: tempfile::tempdir().unwrap(),
        }
    }

    fn home(&self) -> PathBuf {
        self.work.dir.path().join("home")
    }

    /// A netrc file with `text`, outside the workspace.
    fn netrc(&self, text: &str) -> PathBuf {
        let path = self.secrets.path().join("netrc");
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The user config, outside the workspace (`XDG_CONFIG_HOME` points there).
    fn user_config(&self, text: &str) {
        write_user_config(self.secrets.path(), text);
    }

    fn sync(&self, extra: &[&str]) -> assert_cmd::Command {
        let mut cmd = self.work.sync(extra);
        isolated(&mut cmd, &self.home());
        cmd.env("XDG_CONFIG_HOME", self.secrets.path().join(".config"));
        cmd
    }
}

/// A tool archive and the manifest entry for it at `url`.
fn tool(name: &str, url: &str) -> (Vec<u8>, String) {
    let body = archive(ArchiveFormat::TarGz, format!("{name} payload").into_bytes());
    let toml = tool_toml(name, "1", url, &sha256_hex(&body));
    (body, toml)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_netrc_file_gives_basic_auth_to_its_machine() {
    let m = Machine::new();
    let body = archive(ArchiveFormat::TarGz, b"netrc".to_vec());
    let server = Server::guarded("nt", body.clone(), BASIC);
    m.work.write_manifest(&tool_toml(
        "nt",
        "1",
        &server.url("127.0.0.1", "/nt.tar.gz"),
        &sha256_hex(&body),
    ));
    // Without the netrc file the server refuses: the credential is what makes it work.
    m.sync(&[]).assert().code(1);
    assert_eq!(server.authorizations(), [None]);

    let netrc = m.netrc(&format!(
        "machine other.example login bob password nope\n\nmachine 127.0.0.1\n  login alice\n  password {PASSWORD}\n"
    ));
    let (_, stderr) = output_of(m.sync(&[]).env("NETRC", &netrc), 0);
    assert!(!stderr.contains(PASSWORD), "{stderr}");
    assert_eq!(
        server.authorizations().last().unwrap().as_deref(),
        Some(BASIC)
    );
    assert!(
        crate::common::tree_in(m.work.store(), "nt", "1")
            .join("bin/tool")
            .is_file()
    );
}

#[test]
fn a_netrc_file_that_cannot_be_read_is_a_clear_error() {
    let m = Machine::new();
    let (_, toml) = tool("nr", "http://127.0.0.1:9/nr.tar.gz");
    m.work.write_manifest(&toml);
    let missing = m.secrets.path().join("no-such-netrc");
    let (_, err) = output_of(m.sync(&[]).env("NETRC", &missing), 2);
    assert!(
        err.contains("no-such-netrc: cannot read the netrc file"),
        "{err}"
    );
}

#[test]
fn a_bearer_header_comes_from_the_user_config_with_its_variable_filled_in() {
    let m = Machine::new();
    let body = archive(ArchiveFormat::TarGz, b"bearer".to_vec());
    let server = Server::guarded("bt", body.clone(), "Bearer tok-sweep-9913");
    m.work.write_manifest(&tool_toml(
        "bt",
        "1",
        &server.url("127.0.0.1", "/bt.tar.gz"),
        &sha256_hex(&body),
    ));
    m.user_config("[http.headers.\"127.0.0.1\"]\nAuthorization = \"Bearer ${VX_TEST_TOKEN}\"\n");

    // The variable unset: the tool whose download needs it fails, naming the variable
    // and the host, and nothing is sent.
    let (stdout, stderr) = output_of(m.sync(&[]).env_remove("VX_TEST_TOKEN"), 1);
    let err = format!("{stdout}{stderr}");
    assert!(
        err.contains("[http.headers.\"127.0.0.1\"] Authorization: the environment variable VX_TEST_TOKEN is not set"),
        "{err}"
    );
    assert!(server.authorizations().is_empty());

    m.sync(&[]).env("VX_TEST_TOKEN", TOKEN).assert().code(0);
    assert_eq!(server.authorizations(), [Some(format!("Bearer {TOKEN}"))]);
}

#[test]
fn a_redirect_to_another_host_carries_no_credential() {
    let m = Machine::new();
    let body = archive(ArchiveFormat::TarGz, b"moved".to_vec());
    let sha = sha256_hex(&body);
    // The second server: reached as `localhost`, another host than 127.0.0.1.
    let other = Server::start(move |p, _| match p {
        "/rd.tar.gz" => Answer::Body(body.clone()),
        _ => Answer::Status(404),
    });
    let to = other.url("localhost", "/rd.tar.gz");
    let first = Server::start(move |_, auth| match auth {
        Some("Bearer tok-sweep-9913") => Answer::Redirect(to.clone()),
        _ => Answer::Status(401),
    });
    m.work.write_manifest(&tool_toml(
        "rd",
        "1",
        &first.url("127.0.0.1", "/rd.tar.gz"),
        &sha,
    ));
    m.user_config("[http.headers.\"127.0.0.1\"]\nAuthorization = \"Bearer ${VX_TEST_TOKEN}\"\n");
    let netrc = m.netrc(&format!(
        "machine 127.0.0.1 login alice password {PASSWORD}\n"
    ));
    m.sync(&[])
        .env("VX_TEST_TOKEN", TOKEN)
        .env("NETRC", &netrc)
        .assert()
        .code(0);
    assert_eq!(first.authorizations(), [Some(format!("Bearer {TOKEN}"))]);
    assert_eq!(
        other.authorizations(),
        [None],
        "the other host got no credential"
    );
}

/// Every file under `dir`, recursively, with its bytes.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            out.extend(files(&path));
        } else if kind.is_file() {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

#[test]
fn no_secret_is_found_in_any_output_dump_lock_receipt_or_log() {
    let m = Machine::new();
    // One tool behind netrc's Basic auth, one behind the configured bearer header,
    // one whose server refuses the credential it gets (a failure's messages too).
    let (basic_body, _) = tool("sa", "");
    let basic = Server::guarded("sa", basic_body.clone(), BASIC);
    let (bearer_body, _) = tool("sb", "");
    let bearer = Server::guarded("sb", bearer_body.clone(), "Bearer tok-sweep-9913");
    let refused = Server::start(|_, _| Answer::Status(403));
    let manifest = [
        tool_toml(
            "sa",
            "1",
            &basic.url("127.0.0.1", "/sa.tar.gz"),
            &sha256_hex(&basic_body),
        ),
        tool_toml(
            "sb",
            "1",
            &bearer.url("localhost", "/sb.tar.gz"),
            &sha256_hex(&bearer_body),
        ),
        tool_toml(
            "sc",
            "1",
            &refused.url("127.0.0.1", "/sc.tar.gz"),
            &sha256_hex(b"x"),
        ),
    ]
    .concat();
    m.work.write_manifest(&manifest);
    m.user_config("[http.headers.localhost]\nAuthorization = \"Bearer ${VX_TEST_TOKEN}\"\n");
    let netrc = m.netrc(&format!(
        "machine 127.0.0.1 login alice password {PASSWORD}\n"
    ));
    let dump = m.work.dir.path().join("board.dump");

    let mut outputs = Vec::new();
    for flags in [
        vec!["--json"],
        vec!["-v", "--headless"],
        vec!["--json", "-v", "--dump", dump.to_str().unwrap()],
    ] {
        let out = m
            .sync(&flags)
            .env("VX_TEST_TOKEN", TOKEN)
            .env("NETRC", &netrc)
            .assert()
            .code(1)
            .get_output()
            .clone();
        outputs.push((format!("stdout of {flags:?}"), out.stdout));
        outputs.push((format!("stderr of {flags:?}"), out.stderr));
    }
    // The credentials were used: the two guarded tools installed.
    assert!(
        crate::common::tree_in(m.work.store(), "sa", "1")
            .join("bin/tool")
            .is_file()
    );
    assert!(
        crate::common::tree_in(m.work.store(), "sb", "1")
            .join("bin/tool")
            .is_file()
    );
    assert!(
        refused
            .authorizations()
            .iter()
            .all(|a| a.as_deref() == Some(BASIC))
    );
    let dumped = m
        .work
        .vx()
        .args(["board", "dump", "--json"])
        .arg(&dump)
        .output()
        .unwrap();
    outputs.push(("vx board dump --json".to_owned(), dumped.stdout));
    // Everything vx wrote: the dump, vx.lock, the store (receipts), the home
    // directory's caches, state and logs, the board directory.
    for (path, bytes) in files(m.work.dir.path()) {
        outputs.push((path.display().to_string(), bytes));
    }
    assert!(outputs.iter().any(|(what, _)| what.ends_with("vx.lock")));
    assert!(
        outputs
            .iter()
            .any(|(what, _)| what.ends_with(".vx-receipt.json"))
    );
    assert!(outputs.iter().any(|(what, _)| what.ends_with("board.dump")));
    let base64_password = "czNjcmV0LXB3LTQ0NzE";
    for (what, bytes) in &outputs {
        let seen = text(bytes);
        for secret in [PASSWORD, TOKEN, &BASIC[6..], base64_password] {
            assert!(!seen.contains(secret), "{what} holds a secret: {seen}");
        }
    }
}
