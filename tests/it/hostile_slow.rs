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
