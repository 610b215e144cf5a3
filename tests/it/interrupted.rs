//! Interrupted runs past `vx sync`'s own supervision (the interrupt audit): a push
//! stopped while it uploads, a sync stopped while a killed run's leftovers are being
//! removed, `vx self update` stopped while it checks the new binary, a standalone
//! install closed by its terminal. Each gets a real signal at a real event and must
//! exit 130 leaving nothing behind.

// Unix only: signals.
#![cfg(unix)]

use crate::common;

use std::io::{BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use rustix::process::{Pid, Signal, kill_process};
use vx_base::format::ArchiveFormat;
use vx_fixture::noise_seeded;

/// The repository pushed to.
const REPO: &str = "vx/tools";

/// Bytes a second [`SlowRegistry`] reads of a blob's upload.
const UPLOAD_RATE: u64 = 64 << 10;

/// A loopback OCI registry that has no blob, accepts every upload and manifest, and
/// reads an upload's body at [`UPLOAD_RATE`]: a push of a few MiB is still sending
/// when the test interrupts it. Records each request line and the upload bytes read.
struct SlowRegistry {
    port: u16,
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<String>>>,
    uploaded: Arc<AtomicU64>,
}

impl SlowRegistry {
    fn start() -> SlowRegistry {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let registry = SlowRegistry {
            port,
            stop: Arc::new(AtomicBool::new(false)),
            seen: Arc::new(Mutex::new(Vec::new())),
            uploaded: Arc::new(AtomicU64::new(0)),
        };
        let (stop, seen, uploaded) = (
            registry.stop.clone(),
            registry.seen.clone(),
            registry.uploaded.clone(),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (stop, seen, uploaded) = (stop.clone(), seen.clone(), uploaded.clone());
                std::thread::spawn(move || answer(stream, &stop, &seen, &uploaded));
            }
        });
        registry
    }

    fn mirror(&self) -> String {
        format!("oci://127.0.0.1:{}/{REPO}", self.port)
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for SlowRegistry {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// One request of [`SlowRegistry`] (one a connection): HEAD 404, POST 202 with a
/// Location, PUT 201 once its body is read (a blob's slowly).
fn answer(stream: TcpStream, stop: &AtomicBool, seen: &Mutex<Vec<String>>, uploaded: &AtomicU64) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let Some((method, path, length)) = common::raw_registry::read_head(&mut reader, seen) else {
        return;
    };
    let head = common::raw_registry::accepting(&method, &path);
    let blob = method == "PUT" && path.contains("/blobs/uploads/");
    let mut left = length;
    let mut chunk = vec![0u8; (UPLOAD_RATE / 8) as usize];
    while left > 0 && !stop.load(Ordering::SeqCst) {
        let want = left.min(chunk.len() as u64) as usize;
        match reader.read(&mut chunk[..want]) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                left -= n as u64;
                if blob {
                    uploaded.fetch_add(n as u64, Ordering::SeqCst);
                    // The registry's pace, not a wait for an event.
                    std::thread::sleep(Duration::from_millis(125));
                }
            }
        }
    }
    let mut stream = stream;
    let _ = stream.write_all(format!("{head}Connection: close\r\n\r\n").as_bytes());
}

/// `vx ARGS` in `work` as a plain child (for signals), with `home` as the user's
/// home, cache and docker config, and `tmp` as its TMPDIR; stderr piped.
fn spawn_vx(work: &Work, home: &Path, tmp: &Path, args: &[&str]) -> Child {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("vx"));
    cmd.args(args)
        .current_dir(work.dir.path())
        .env("VX_BOARD_DIR", work.boards())
        .env("VX_DAEMON_SOCKET", work.dir.path().join("no-daemon.sock"))
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("DOCKER_CONFIG", home.join("docker"))
        .env("TMPDIR", tmp)
        .env_remove("VX_CACHE_DIR")
        .env_remove("COLUMNS")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for key in NETWORK_VARS {
        cmd.env_remove(key);
    }
    cmd.spawn().unwrap()
}

/// The entries of `dir`, names only.
fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Audit finding 1: once its downloads are gathered, `vx mirror push` still stops on
/// SIGTERM (it went on uploading and exited 0): exit 130 soon, no manifest pushed, the
/// upload cut short, and its scratch copies of the blobs removed.
#[test]
fn sigterm_while_a_push_uploads_exits_130_pushing_no_manifest_and_leaving_no_copies() {
    let work = Work::new();
    // 6 MiB of noise: at 64 KiB/s the upload takes minutes.
    let _origin = work.serve_one(
        "big",
        archive(ArchiveFormat::TarGz, noise_seeded(6 << 20, 7)),
    );
    work.sync(&["--headless"]).assert().code(0);
    let registry = SlowRegistry::start();
    let home = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut push = spawn_vx(
        &work,
        home.path(),
        tmp.path(),
        &["mirror", "push", &registry.mirror()],
    );
    wait_for("the blob's upload to be under way", || {
        (registry.uploaded.load(Ordering::SeqCst) > 0).then_some(())
    });
    let asked = Instant::now();
    kill_process(Pid::from_raw(push.id() as i32).unwrap(), Signal::TERM).unwrap();
    let status = wait_exit(&mut push);
    let took = asked.elapsed();
    let said = std::io::read_to_string(push.stderr.take().unwrap()).unwrap();
    assert_eq!(status.code(), Some(130), "{said}");
    assert!(took < Duration::from_secs(10), "{took:?}: {said}");
    assert!(said.contains("interrupted"), "{said}");
    let seen = registry.seen();
    assert!(
        !seen.iter().any(|line| line.contains("/manifests/")),
        "{seen:#?}"
    );
    assert!(
        registry.uploaded.load(Ordering::SeqCst) < 6 << 20,
        "the upload went on to the end"
    );
    assert!(
        entries(tmp.path()).is_empty(),
        "scratch left in TMPDIR: {:?}",
        entries(tmp.path())
    );
    assert!(work.board_files().is_empty(), "{:?}", work.board_files());
}

/// Audit finding 8: a standalone `vx install` whose terminal closes (SIGHUP) cancels
/// as on Ctrl-C: exit 130 and no work directory left in the store (it was killed by
/// the signal and left `<store>/.tmp/install-*`).
#[test]
fn sighup_cancels_a_standalone_install_and_leaves_no_work_directory() {
    use vx_fixture::{Route, TestServer, sha256_hex};
    let work = Work::new();
    let body = archive(ArchiveFormat::TarGz, noise_seeded(3 << 20, 8));
    let sha = sha256_hex(&body);
    // 24 s at 128 KiB/s: under way when the terminal "closes".
    let server = TestServer::start([("/slow.tar.gz", Route::Throttled(Arc::new(body), 128 << 10))]);
    let home = tempfile::tempdir().unwrap();
    let url = server.url("/slow.tar.gz");
    let store = work.store();
    let mut install = spawn_vx(
        &work,
        home.path(),
        home.path(),
        &[
            "install",
            "slow@1",
            "--url",
            &url,
            "--sha256",
            &sha,
            "--store",
            store.to_str().unwrap(),
        ],
    );
    wait_for("the install's work directory", || {
        (!work.store_tmp().is_empty()).then_some(())
    });
    kill_process(Pid::from_raw(install.id() as i32).unwrap(), Signal::HUP).unwrap();
    let status = wait_exit(&mut install);
    let said = std::io::read_to_string(install.stderr.take().unwrap()).unwrap();
    assert_eq!(status.code(), Some(130), "{said}");
    assert!(work.store_tmp().is_empty(), "{:?}", work.store_tmp());
    assert!(!crate::common::has_tree(&store, "slow", "1"));
}
