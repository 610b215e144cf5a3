//! Mirrors that misbehave: one that announces far more than the size the lock pins is
//! refused before a byte is read, one that serves other bytes is named as corrupt; in
//! every output mode, the origin then serves.

use crate::common;

use std::time::Duration;

use common::trickle::Trickle;
use common::*;
use vx_base::format::ArchiveFormat;
use vx_fixture::{Route, TestServer, sha256_hex};

/// A workspace whose tool is locked (with its size) from `origin`, and its store
/// emptied, so the next sync downloads again.
fn locked(work: &Work) -> (TestServer, Vec<u8>) {
    let body = archive(ArchiveFormat::TarGz, b"a small tool".to_vec());
    let origin = work.serve_one("tool", body.clone());
    work.sync(&["--headless"]).assert().code(0);
    let lock = std::fs::read_to_string(work.dir.path().join("vx.lock")).unwrap();
    assert!(lock.contains(&format!("size = {}", body.len())), "{lock}");
    std::fs::remove_dir_all(work.store()).unwrap();
    (origin, body)
}

/// A sync of `work` through the mirror `template`, which serves more than the `size`
/// bytes locked: it succeeds from the origin and says what the mirror did.
fn origin_serves_past_an_oversized_mirror(work: &Work, template: &str, size: usize) {
    let output = work
        .sync(&["--headless", "--mirror", template])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let text = both(&output);
    assert_eq!(output.status.code(), Some(0), "the origin serves: {text}");
    assert!(
        text.contains(&format!("has more than the {size} bytes the lock records")),
        "{text}"
    );
}

#[test]
fn a_mirror_announcing_more_than_the_locked_size_is_refused_before_reading() {
    let work = Work::new();
    let (_origin, body) = locked(&work);
    // 1 GiB announced, a byte a second sent: only a refusal up front ends it quickly.
    let mirror = Trickle::start(1 << 30, Duration::from_secs(1));
    let template = mirror.url("/{sha256}");
    origin_serves_past_an_oversized_mirror(&work, &template, body.len());
}

#[test]
fn a_mirror_sending_more_than_the_locked_size_is_cut_off_there() {
    let work = Work::new();
    let (_origin, body) = locked(&work);
    // No length announced: the body itself is cut at the locked size.
    let mut long = body.clone();
    long.extend(std::iter::repeat_n(0u8, 4 << 20));
    let mirror = TestServer::start([(format!("/{}", sha256_hex(&body)), Route::Chunked(long))]);
    let template = format!("{}/{{sha256}}", mirror.url(""));
    origin_serves_past_an_oversized_mirror(&work, &template, body.len());
}

#[test]
fn a_mirror_serving_other_bytes_is_said_in_every_output_mode() {
    let work = Work::new();
    let (_origin, body) = locked(&work);
    let mirror = TestServer::start([(
        format!("/{}", sha256_hex(&body)),
        Route::Ok(b"not the tool".to_vec()),
    )]);
    let template = format!("{}/{{sha256}}", mirror.url(""));
    let output = work
        .sync(&["--headless", "--mirror", &template])
        .output()
        .unwrap();
    let text = both(&output);
    assert_eq!(output.status.code(), Some(0), "the origin serves: {text}");
    let line = format!("vx: tool 1: retry 2/3: {template}: ");
    assert!(
        text.lines()
            .any(|l| l.starts_with(&line) && l.contains("checksum mismatch")),
        "{text}"
    );

    std::fs::remove_dir_all(work.store()).unwrap();
    let output = work
        .sync(&["--json", "--mirror", &template])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", both(&output));
    let events = json_lines(&output.stdout);
    let retry = events
        .iter()
        .find(|e| e["event"] == "retry")
        .unwrap_or_else(|| panic!("no retry event: {events:#?}"));
    assert_eq!(retry["tool"], "tool");
    let message = retry["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("retry 2/3: {template}: "))
            && message.contains("checksum mismatch"),
        "{message}"
    );
}
