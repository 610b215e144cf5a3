//! Downloads interrupted in one `vx sync` and continued in the next: the partial file
//! kept under `<store>/.partial/`, the `Range` + `If-Range` request that continues it,
//! the servers that refuse to (no ranges any more, a changed file), `vx prune` of a
//! stale partial, and the bytes an interrupted sync reports as downloaded.

// Unix only: the first sync is interrupted with SIGINT. (Windows interruption is
// covered by tests/it/windows.rs.)
#![cfg(unix)]

use crate::common;

use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::*;
use rustix::process::{Pid, Signal, kill_process};
use vx_base::format::ArchiveFormat;
use vx_fixture::{noise_seeded, sha256_hex};
use vx_shm::Phase;

/// What the server serves now, and how.
struct Served {
    body: Arc<Vec<u8>>,
    etag: String,
    /// Answer `Range` + a matching `If-Range` with 206; else every answer is a 200.
    honour_ranges: bool,
    /// Bytes per second of every body.
    rate: u64,
}

/// One request as the server saw it: its `Range` and `If-Range`, and the status sent.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Seen {
    range: Option<String>,
    if_range: Option<String>,
    status: u16,
}

/// A loopback server of one file that offers byte ranges (`Accept-Ranges: bytes`, a
/// strong `ETag`), throttled, counting every body byte it hands to a connection.
struct RangeServer {
    port: u16,
    served: Arc<Mutex<Served>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    sent: Arc<AtomicU64>,
    _server: vx_fixture::http::Server,
}

/// A body handed out at a rate, counted as it goes.
struct Paced {
    body: Arc<Vec<u8>>,
    pos: usize,
    rate: u64,
    sent: Arc<AtomicU64>,
}

impl Read for Paced {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (self.body.len() - self.pos).min(buf.len()).min(32 * 1024);
        if n == 0 {
            return Ok(0);
        }
        std::thread::sleep(Duration::from_nanos(
            n as u64 * 1_000_000_000 / self.rate.max(1),
        ));
        buf[..n].copy_from_slice(&self.body[self.pos..self.pos + n]);
        self.pos += n;
        self.sent.fetch_add(n as u64, Ordering::SeqCst);
        Ok(n)
    }
}

impl RangeServer {
    fn start(body: Vec<u8>, rate: u64) -> RangeServer {
        use vx_fixture::http::{Request, Response, Server};
        let served = Arc::new(Mutex::new(Served {
            body: Arc::new(body),
            etag: "\"v1\"".to_owned(),
            honour_ranges: true,
            rate,
        }));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sent = Arc::new(AtomicU64::new(0));
        let (state, log, count) = (served.clone(), seen.clone(), sent.clone());
        // Each connection on a thread of its own: a client that stops reading holds
        // up no other.
        let server = Server::start(Arc::new(move |request: &Request| {
            let header = |name: &str| request.header(name).map(str::to_owned);
            let (range, if_range) = (header("Range"), header("If-Range"));
            let (body, etag, honour, rate) = {
                let s = state.lock().unwrap();
                (s.body.clone(), s.etag.clone(), s.honour_ranges, s.rate)
            };
            let len = body.len();
            let start = range
                .as_deref()
                .filter(|_| honour && if_range.as_deref() == Some(etag.as_str()))
                .and_then(|r| r.strip_prefix("bytes=")?.strip_suffix('-')?.parse().ok())
                .filter(|start: &usize| *start < len);
            let status = if start.is_some() { 206 } else { 200 };
            log.lock().unwrap().push(Seen {
                range,
                if_range,
                status,
            });
            let from = start.unwrap_or(0);
            let reader = Paced {
                body,
                pos: from,
                rate,
                sent: count.clone(),
            };
            let mut response = Response::reader(status, Box::new(reader), (len - from) as u64)
                .with_header("Accept-Ranges", "bytes")
                .with_header("ETag", etag);
            if start.is_some() {
                response = response
                    .with_header("Content-Range", format!("bytes {from}-{}/{len}", len - 1));
            }
            response
        }))
        .unwrap();
        RangeServer {
            port: server.port(),
            served,
            seen,
            sent,
            _server: server,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/tool.tar.gz", self.port)
    }

    fn set(&self, change: impl FnOnce(&mut Served)) {
        change(&mut self.served.lock().unwrap());
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Body bytes handed to connections so far.
    fn sent(&self) -> u64 {
        self.sent.load(Ordering::SeqCst)
    }
}

/// 2 MiB that do not compress, as `archive` packs them.
fn payload(seed: u64) -> Vec<u8> {
    noise_seeded(2 << 20, seed)
}

/// The bytes a first, slow download gets before it is interrupted.
const INTERRUPT_AFTER: u64 = 300 << 10;
/// The first sync's rate: the 2 MiB take about 8 s, so the interrupt lands mid-way.
const SLOW: u64 = 256 << 10;
/// The rate of the syncs that finish.
const FAST: u64 = 64 << 20;
/// The rate of a resumed download whose "resuming at" message a test reads: the rest
/// (about 1 MB) takes about a second, many of the reporter's polls.
const RESUMED: u64 = 1 << 20;

/// The download files kept in `<store>/.partial/`, with their sizes.
fn partials(work: &Work) -> Vec<(PathBuf, u64)> {
    let Ok(entries) = std::fs::read_dir(work.store().join(".partial")) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "part"))
        .map(|p| {
            let len = std::fs::metadata(&p).unwrap().len();
            (p, len)
        })
        .collect()
}

/// Runs `vx sync --json`, interrupts it (SIGINT) once tool `tool` has downloaded
/// [`INTERRUPT_AFTER`] bytes, and returns the tool's summary entry.
fn interrupted_sync(work: &Work, tool: &str) -> serde_json::Value {
    let mut sync = work.spawn_sync(&["--json"]);
    let board = work.wait_board();
    wait_for("some bytes to arrive", || {
        slots(&board)
            .into_iter()
            .find(|s| {
                s.record.tool() == tool
                    && s.record.phase() == Some(Phase::Downloading)
                    && s.record.bytes_done >= INTERRUPT_AFTER
            })
            .map(drop)
    });
    drop(board);
    kill_process(Pid::from_raw(sync.id() as i32).unwrap(), Signal::INT).unwrap();
    let status = wait_exit(&mut sync);
    let out = std::io::read_to_string(sync.stdout.take().unwrap()).unwrap();
    assert_eq!(status.code(), Some(130), "{out}");
    let summary = summary(&json_lines(out.as_bytes()));
    let entry = summary[tool].clone();
    assert_eq!(entry["result"], "cancelled", "{entry}");
    entry
}

/// A workspace with one tool `t` served slowly by a range server.
fn slow_tool(seed: u64) -> (Work, RangeServer, Vec<u8>, Vec<u8>) {
    let work = Work::new();
    let payload = payload(seed);
    let body = archive(ArchiveFormat::TarGz, payload.clone());
    let server = RangeServer::start(body.clone(), SLOW);
    work.write_manifest(&tool_toml("t", "1", &server.url(), &sha256_hex(&body)));
    (work, server, payload, body)
}

/// `vx sync --json` to its end (exit 0): the events.
/// [`finishing_sync`], which must ask `server` once more, for the bytes after the
/// `kept` already on disk: its events and what `server` saw.
fn resumed(work: &Work, server: &RangeServer, kept: u64) -> (Vec<serde_json::Value>, Vec<Seen>) {
    let events = finishing_sync(work);
    let seen = server.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(
        seen[1].range.as_deref(),
        Some(format!("bytes={kept}-").as_str()),
        "{seen:?}"
    );
    (events, seen)
}

fn finishing_sync(work: &Work) -> Vec<serde_json::Value> {
    json_lines(&stdout_of(&mut work.sync(&["--json"]), 0))
}

/// The `bytes` of tool `t` in the summary of `events`.
fn summary_bytes(events: &[serde_json::Value]) -> u64 {
    let summary = summary(events);
    assert_eq!(summary["t"]["result"], "completed", "{}", summary["t"]);
    summary["t"]["bytes"].as_u64().unwrap()
}

/// Asserts tool `t` 1 is installed in `work` as `payload`, its receipt naming the
/// sha256 of `body` (the archive).
fn assert_installed(work: &Work, payload: &[u8], body: &[u8]) {
    assert_eq!(work.installed("t", "1"), expected_tree(payload));
    assert_eq!(receipt_sha(work), sha256_hex(body));
}

/// [`assert_installed`], and no partial download is left.
fn assert_whole(work: &Work, payload: &[u8], body: &[u8]) {
    assert_installed(work, payload, body);
    assert!(partials(work).is_empty(), "{:?}", partials(work));
}

/// Whether the receipt of `t` 1 records `body`'s sha256.
fn receipt_sha(work: &Work) -> String {
    let receipt =
        vx_engine::store::read_receipt(&crate::common::tree_in(work.store(), "t", "1")).unwrap();
    receipt.sha256
}

#[test]
fn an_interrupted_download_continues_in_the_next_sync_from_the_kept_bytes() {
    let (work, server, payload, body) = slow_tool(1);
    let cancelled = interrupted_sync(&work, "t");

    // The bytes so far are kept, under .partial, and nothing else is left behind.
    let kept = partials(&work);
    assert_eq!(kept.len(), 1, "{kept:?}");
    let kept_len = kept[0].1;
    assert!(kept_len >= INTERRUPT_AFTER, "{kept_len}");
    assert!(kept_len < body.len() as u64 / 2, "{kept_len}");
    assert!(work.store_tmp().is_empty(), "{:?}", work.store_tmp());
    // The interrupted tool's row says what it downloaded: the bytes kept.
    assert_eq!(cancelled["bytes"], kept_len, "{cancelled}");

    // The rest comes at a pace the reporter's polls see (a phase's message is shown
    // when a poll finds the phase; a phase shorter than a poll is named without it).
    server.set(|s| s.rate = RESUMED);
    let (events, seen) = resumed(&work, &server, kept_len);
    assert_eq!(seen[1].if_range.as_deref(), Some("\"v1\""), "{seen:?}");
    assert_eq!(seen[1].status, 206);
    // The resume is announced, and only the rest counts as downloaded by this run.
    assert!(
        events.iter().any(|e| e["event"] == "phase"
            && e["phase"] == "downloading"
            && e["message"].as_str().unwrap().contains("resuming at")),
        "{events:?}"
    );
    assert_eq!(summary_bytes(&events), body.len() as u64 - kept_len);
    // The tar.gz unpacked whole and verified over the whole file.
    assert_whole(&work, &payload, &body);
}

/// Overwrites bytes in the middle of the one kept partial: a disk's corruption, or
/// bytes of another file.
fn corrupt_the_kept_bytes(work: &Work) {
    use std::io::{Seek, SeekFrom, Write};
    let kept = partials(work);
    assert_eq!(kept.len(), 1, "{kept:?}");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(&kept[0].0)
        .unwrap();
    file.seek(SeekFrom::Start(kept[0].1 / 2)).unwrap();
    file.write_all(b"XXXXXXXXXXXXXXXX").unwrap();
}

/// Kept bytes that do not verify: the download starts over once, saying so, and the
/// tool installs (the sync failed with "checksum mismatch" instead).
#[test]
fn kept_bytes_that_do_not_verify_are_downloaded_again_from_the_start() {
    let (work, server, payload, body) = slow_tool(5);
    interrupted_sync(&work, "t");
    corrupt_the_kept_bytes(&work);
    server.set(|s| s.rate = RESUMED);
    let events = finishing_sync(&work);
    let seen = server.seen();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(
        seen[1].range.is_some() && seen[2].range.is_none(),
        "{seen:?}"
    );
    assert!(
        events.iter().any(|e| e["event"] == "phase"
            && e["message"]
                .as_str()
                .unwrap()
                .contains("did not verify; downloading from the start")),
        "{events:?}"
    );
    assert_whole(&work, &payload, &body);
}

/// A tool whose sha256 is not known yet (trust on first download: what arrives is
/// what vx.lock pins) continues no kept bytes: corrupted ones were resumed, installed
/// and pinned, and every teammate then met a checksum mismatch.
#[test]
fn a_download_trusted_on_first_use_continues_no_kept_bytes_that_changed() {
    let (work, server, payload, body) = slow_tool(6);
    interrupted_sync(&work, "t");
    corrupt_the_kept_bytes(&work);
    work.write_manifest(&format!(
        "[tools.t]\nversion = \"1\"\nurl = \"{}\"\n",
        server.url()
    ));
    server.set(|s| s.rate = FAST);
    finishing_sync(&work);
    let seen = server.seen();
    assert!(seen[1].range.is_none(), "{seen:?}");
    assert_installed(&work, &payload, &body);
    let lock = std::fs::read_to_string(work.dir.path().join("vx.lock")).unwrap();
    assert!(lock.contains(&sha256_hex(&body)), "{lock}");
}

#[test]
fn a_server_that_no_longer_serves_ranges_makes_the_download_start_over() {
    let (work, server, payload, body) = slow_tool(2);
    interrupted_sync(&work, "t");
    let kept_len = partials(&work)[0].1;

    server.set(|s| {
        s.rate = FAST;
        s.honour_ranges = false;
    });
    let events = finishing_sync(&work);
    let seen = server.seen();
    assert_eq!(
        seen[1].range.as_deref(),
        Some(format!("bytes={kept_len}-").as_str())
    );
    assert_eq!(seen[1].status, 200, "the server sent the whole file");
    assert_eq!(seen.len(), 2, "no retry was needed: {seen:?}");
    assert_eq!(summary_bytes(&events), body.len() as u64);
    assert_whole(&work, &payload, &body);
}

#[test]
fn a_file_changed_since_the_partial_was_kept_is_downloaded_whole() {
    let (work, server, _, _) = slow_tool(3);
    interrupted_sync(&work, "t");
    assert_eq!(partials(&work).len(), 1);

    // The release was rebuilt: other bytes under the same URL, a new ETag, and the
    // manifest's sha256 updated to match.
    let payload = payload(4);
    let body = archive(ArchiveFormat::TarGz, payload.clone());
    server.set(|s| {
        s.body = Arc::new(body.clone());
        s.etag = "\"v2\"".to_owned();
        s.rate = FAST;
    });
    work.write_manifest(&tool_toml("t", "1", &server.url(), &sha256_hex(&body)));
    let events = finishing_sync(&work);
    let seen = server.seen();
    assert_eq!(seen[1].if_range.as_deref(), Some("\"v1\""), "{seen:?}");
    assert_eq!(seen[1].status, 200, "If-Range did not match: {seen:?}");
    assert_eq!(summary_bytes(&events), body.len() as u64);
    assert_whole(&work, &payload, &body);
}

#[test]
fn prune_removes_a_stale_partial_and_keeps_a_recent_one() {
    let (work, _server, _, _) = slow_tool(5);
    interrupted_sync(&work, "t");
    let kept = partials(&work);
    assert_eq!(kept.len(), 1);
    let prune = |args: &[&str]| {
        let out = stdout_of(
            work.vx()
                .arg("prune")
                .arg("--manifest")
                .arg(work.manifest())
                .arg("--store")
                .arg(work.store())
                .args(args),
            0,
        );
        String::from_utf8(out).unwrap()
    };

    // Interrupted moments ago: a later sync may still continue it.
    let out = prune(&[]);
    assert!(out.starts_with("nothing to prune"), "{out}");
    assert_eq!(partials(&work), kept);

    // Eight days later, it is stale.
    let old = SystemTime::now() - Duration::from_secs(8 * 86_400);
    for entry in std::fs::read_dir(work.store().join(".partial")).unwrap() {
        let file = std::fs::File::options()
            .write(true)
            .open(entry.unwrap().path())
            .unwrap();
        file.set_modified(old).unwrap();
    }
    let out = prune(&["--dry-run"]);
    assert!(out.contains("would remove"), "{out}");
    assert!(out.contains("interrupted download"), "{out}");
    assert_eq!(partials(&work), kept, "a dry run removes nothing");
    let out = prune(&[]);
    assert!(out.contains("removed"), "{out}");
    assert!(out.lines().last().unwrap().starts_with("freed "), "{out}");
    assert!(partials(&work).is_empty(), "{out}");
    let names: Vec<_> = std::fs::read_dir(work.store().join(".partial"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn an_interrupted_syncs_summary_counts_the_bytes_it_downloaded_not_the_file_size() {
    let (work, server, _, body) = slow_tool(6);
    let cancelled = interrupted_sync(&work, "t");
    let bytes = cancelled["bytes"].as_u64().unwrap();
    let sent = server.sent();
    assert!(bytes >= INTERRUPT_AFTER, "{cancelled}");
    assert!(bytes < body.len() as u64 / 2, "{cancelled}");
    // What the server handed out, less at most what was in flight when it stopped.
    assert!(
        bytes <= sent && sent - bytes <= 256 << 10,
        "summary {bytes}, server {sent}"
    );
}

/// Issue 49, item 6: Ctrl-C in a terminal sends SIGINT to the whole foreground process
/// group — the sync and its install children at once — not to the sync alone. The
/// bytes so far are kept all the same, and the next `vx sync` asks for the rest.
/// `manifest` writes the project around the server's URL and the archive's sha256.
fn ctrl_c_then_resume(format: ArchiveFormat, manifest: impl Fn(&str, &str) -> String) {
    use std::os::unix::process::CommandExt;
    let work = Work::new();
    let body = archive(format, payload(7));
    let server = RangeServer::start(body.clone(), SLOW);
    work.write_manifest(&manifest(&server.url(), &sha256_hex(&body)));
    let mut launcher = std::process::Command::new("sh");
    launcher.args(["-c", "exec \"$@\"", "sh"]).process_group(0);
    let mut sync = work
        .sync_args(&mut launcher, &[])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    if let Some(status) = sync.try_wait().unwrap() {
        let err = std::io::read_to_string(sync.stderr.take().unwrap()).unwrap();
        let out = std::io::read_to_string(sync.stdout.take().unwrap()).unwrap();
        panic!("ended early: {status:?}\n{out}\n{err}");
    }
    let board = work.wait_board();
    wait_for("some bytes to arrive", || {
        slots(&board)
            .into_iter()
            .find(|s| s.record.tool() == "t" && s.record.bytes_done >= INTERRUPT_AFTER)
            .map(drop)
    });
    drop(board);
    // The group: what a terminal's Ctrl-C reaches.
    rustix::process::kill_process_group(Pid::from_raw(sync.id() as i32).unwrap(), Signal::INT)
        .unwrap();
    let status = wait_exit(&mut sync);
    let err = std::io::read_to_string(sync.stderr.take().unwrap()).unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    let kept = partials(&work);
    assert_eq!(kept.len(), 1, "{kept:?}\n{err}");
    let kept_len = kept[0].1;
    assert!(kept_len >= INTERRUPT_AFTER, "{kept_len}");

    server.set(|s| s.rate = FAST);
    let (events, _) = resumed(&work, &server, kept_len);
    assert_eq!(summary_bytes(&events), body.len() as u64 - kept_len);
}

#[test]
fn ctrl_c_to_the_process_group_keeps_the_bytes_for_the_next_sync() {
    ctrl_c_then_resume(ArchiveFormat::TarGz, |url, sha| {
        tool_toml("t", "1", url, sha)
    });
}

#[test]
fn ctrl_c_keeps_the_bytes_of_a_zip_a_wheel() {
    ctrl_c_then_resume(ArchiveFormat::Zip, |url, sha| {
        format!(
            "{}\nformat = \"zip\"\n",
            tool_toml("t", "1", url, sha).trim_end()
        )
    });
}

/// The case of the issue: a tool whose sha256 vx.toml does not give (`vx add --url`
/// writes none; the lock pins what the first download gives). Its kept bytes carry
/// the digest of what was kept, so the next sync continues them only when they are
/// still those bytes.
#[test]
fn ctrl_c_keeps_the_bytes_of_a_download_trusted_on_first_use() {
    ctrl_c_then_resume(ArchiveFormat::TarGz, |url, _| {
        format!("[tools.t]\nversion = \"1\"\nurl = \"{url}\"\nstrip_components = 1\n")
    });
}

/// The same through a mirror (`[settings] mirrors`): its bytes are kept and continued
/// as the origin's are (a mirror's download once started over at every run).
#[test]
fn ctrl_c_keeps_the_bytes_a_mirror_sent_for_the_next_sync() {
    ctrl_c_then_resume(ArchiveFormat::TarGz, |url, sha| {
        let mirror = url.replace("/tool.tar.gz", "/blobs/{sha256}");
        format!(
            "[settings]\nmirrors = [\"{mirror}\"]\n\n{}",
            tool_toml("t", "1", "http://127.0.0.1:9/gone/tool.tar.gz", sha)
        )
    });
}
