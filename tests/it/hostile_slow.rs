//! Servers that answer and then trickle: headers at once, then a byte now and then, so
//! no single read ever times out. An answer read into memory (here a project registry)
//! has a total deadline, and a download a minimum rate over each read-timeout window;
//! each failure names the limit, within bounded time.

use crate::common;

use std::time::{Duration, Instant};

use common::trickle::Trickle;
use common::*;

/// How long a refusal may take here: the deadline or window (1 to 2 s), its retries,
/// and the slowest machine's start-up. A trickle never ends by itself.
const PATIENCE: Duration = Duration::from_secs(60);

#[test]
fn a_registry_that_trickles_fails_at_the_answer_deadline_naming_it() {
    let work = Work::new();
    let server = Trickle::start(1 << 20, Duration::from_millis(100));
    work.write_manifest(&format!(
        "[settings]\nregistries = [{{ name = \"slow\", url = \"{}\" }}]\n\n[tools]\njq = \"1\"\n",
        server.url("/registry.yaml")
    ));
    let mut cmd = work.vx();
    isolated(&mut cmd, &work.dir.path().join("home"));
    let started = Instant::now();
    let output = cmd
        .env("VX_ANSWER_TIMEOUT", "2")
        .arg("lock")
        .timeout(PATIENCE)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0), "{text}");
    assert!(
        output.status.code().is_some(),
        "killed after {PATIENCE:?}: {text}"
    );
    assert!(
        text.contains("the answer took longer than 2s in all")
            && text.contains("set VX_ANSWER_TIMEOUT"),
        "{text}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_download_that_trickles_fails_below_the_minimum_rate_naming_it() {
    let work = Work::new();
    let server = Trickle::start(1 << 20, Duration::from_millis(100));
    work.write_manifest(&tool_toml(
        "slow",
        "1",
        &server.url("/slow.tar.gz"),
        &"0".repeat(64),
    ));
    let output = work
        .sync(&["--headless", "--read-timeout", "1"])
        .timeout(PATIENCE)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("less than 1.0 KiB/s over 1 s"), "{text}");
}

/// `vx lock` (within [`PATIENCE`]) of a project whose registry's one package, `slow`,
/// is a GitHub release of `acme/slow` on the GitHub (web and API) at `base`, with an
/// answer deadline of `timeout` seconds: its output and stderr.
fn lock_from_github(base: &str, timeout: &str) -> (std::process::Output, String) {
    let work = Work::new();
    std::fs::write(
        work.dir.path().join("registry.yaml"),
        "packages:\n  - type: github_release\n    repo_owner: acme\n    repo_name: slow\n    asset: slow_{{.OS}}_{{.Arch}}.tar.gz\n",
    )
    .unwrap();
    work.write_manifest(
        "[settings]\nregistries = [{ name = \"test\", path = \"registry.yaml\" }]\n\n[tools]\nslow = \"1\"\n",
    );
    let mut cmd = work.vx();
    isolated(&mut cmd, &work.dir.path().join("home"));
    let output = cmd
        .env("VX_GITHUB_URL", base)
        .env("VX_GITHUB_API_URL", base)
        .env("VX_ANSWER_TIMEOUT", timeout)
        .args(["lock", "--headless"])
        .timeout(PATIENCE)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, text)
}

/// GitHub's API (or its web host) answering a byte at a time, in its head or its body:
/// `vx lock` gives up at the answer's deadline, in bounded time, and names the host
/// that was too slow and how to allow more (issue 53, item 7).
#[test]
fn a_github_api_that_trickles_fails_at_the_answer_deadline_naming_the_host() {
    for server in [
        Trickle::start(1 << 20, Duration::from_millis(300)),
        Trickle::head(Duration::from_millis(300)),
    ] {
        let base = server.url("");
        let started = Instant::now();
        let (output, text) = lock_from_github(&base, "2");
        assert!(
            output.status.code().is_some(),
            "killed after {PATIENCE:?}: {text}"
        );
        assert_eq!(output.status.code(), Some(1), "{text}");
        let host = base.trim_start_matches("http://");
        assert!(text.contains(host), "{text}");
        assert!(
            (text.contains("longer than 2s in all") || text.contains("whole within 2s"))
                && text.contains("VX_ANSWER_TIMEOUT"),
            "{text}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{:?}: {text}",
            started.elapsed()
        );
    }
}

/// A loopback GitHub API whose every answer is a page of no releases that takes
/// `page` to arrive (its body trickled) and links a next page, without end.
fn endless_pages(page: Duration) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = served.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let count = count.clone();
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                let body = format!("[{}]", " ".repeat(18));
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nLink: <http://127.0.0.1:{port}/repos/acme/slow/releases?per_page=100&page={}>; rel=\"next\"\r\nConnection: close\r\n\r\n",
                    body.len(),
                    n + 1
                );
                if stream.write_all(answer.as_bytes()).is_err() {
                    return;
                }
                let every = page / body.len() as u32;
                for b in body.bytes() {
                    std::thread::sleep(every);
                    if stream.write_all(&[b]).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, served)
}

/// Each page of a listing arriving within the deadline is not enough: the whole
/// listing (every page GitHub links) shares one deadline, so a GitHub API that hands
/// out slow pages without end cannot hold `vx lock` for twenty pages' worth of
/// deadlines (issue 53, item 7).
#[test]
fn a_github_listing_of_slow_pages_shares_one_deadline() {
    let (port, served) = endless_pages(Duration::from_millis(1500));
    let (output, text) = lock_from_github(&format!("http://127.0.0.1:{port}"), "4");
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!("127.0.0.1:{port}")) && text.contains("longer than 4s"),
        "{text}"
    );
    let pages = served.load(std::sync::atomic::Ordering::SeqCst);
    assert!(pages <= 4, "{pages} pages served: {text}");
}
