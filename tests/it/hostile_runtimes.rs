//! Hostile runtime indexes (issue 39, "not yet tried"): a publisher, or a mirror of it,
//! answering with a 500 MB `index.json`, a channel manifest of 10^6 targets, or a
//! `builds.txt` full of carriage returns and NULs. Each is served by a loopback server
//! that generates its answer as it sends it (tests/common/stream.rs), reached through
//! the user config's `url_replacements` as the real publishers are in the runtime
//! tests; each must end in a clear error or a correct answer, in bounded time, with
//! nothing written.
#![cfg(unix)]

use crate::common;

/// Target tables in the hostile channel manifest.
const COUNT: u64 = 100_000;

use std::time::{Duration, Instant};

use common::publishers::{self, rustlang};
use common::stream::{Body, Stream};
use common::*;

/// Runs `vx lock` in `project`; returns its exit code and stderr, asserting it ended
/// within a minute (the machine may be loaded: the bound catches a hang or a read of
/// everything, not a slow run).
fn lock(project: &Project) -> (Option<i32>, String) {
    let started = Instant::now();
    let out = project
        .vx()
        .arg("lock")
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(took < Duration::from_secs(60), "{took:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code(), stderr)
}

/// nodejs.org's `dist/` sent to `server`.
fn node_config(server: &Stream) -> String {
    format!(
        "[url_replacements]\n{}",
        publishers::replacement("https://nodejs.org/dist/", &server.url("/dist/"))
    )
}

#[test]
fn a_500_mb_node_index_is_refused_at_the_cap_without_reading_it_all() {
    for announced in [true, false] {
        let server = Stream::start(Body {
            head: b"[".to_vec(),
            unit:
                br#"{"version":"v20.11.1","date":"2024-02-14","files":["linux-x64"],"lts":"Iron"},"#
                    .to_vec(),
            total: 500 << 20,
            announced,
        });
        let project = Project::new(&node_config(&server), "[tools]\nnode = \"20\"\n");
        let (code, stderr) = lock(&project);
        assert_eq!(code, Some(1), "{stderr}");
        assert!(
            stderr.contains("index.json") && stderr.contains("larger than"),
            "announced {announced}: {stderr}"
        );
        assert_eq!(project.lock_text(), None);
        assert!(
            server.sent() < 100 << 20,
            "announced {announced}: vx was made to read {} bytes",
            server.sent()
        );
    }
}

#[test]
fn a_channel_manifest_of_a_hundred_thousand_targets_ends_in_bounded_time() {
    // Under the index cap (32 MiB): COUNT short target tables, none of them the
    // platform's. vx reads it whole and refuses the version, which no locked platform
    // can install, in bounded time, writing nothing. (A million tables took 72 s in a
    // debug build on a loaded 2-core machine, 10^5 took 8 s: linear; the test keeps
    // 10^5 to stay quick.)
    let head = b"manifest-version = \"2\"\ndate = \"2024-11-28\"\n[pkg.rust]\nversion = \"1.83.0 (90b35a623 2024-11-26)\"\n".to_vec();
    // `[pkg.rust.target.tN]` for N up to a million: 26 bytes each, 25 MB in all.
    let head_len = head.len() as u64;
    let server = Stream::start(Body {
        head,
        unit: b"[pkg.rust.target.t{n}]\n".to_vec(),
        total: (0..COUNT)
            .map(|n| 20 + n.to_string().len() as u64)
            .sum::<u64>()
            + head_len,
        announced: true,
    });
    let github = rustlang::github(&["1.83.0"]);
    let config = format!(
        "[github]\nurl = \"{}\"\n\n[url_replacements]\n{}",
        github.web_url(),
        publishers::replacement("https://static.rust-lang.org/dist/", &server.url("/dist/"))
    );
    let project = Project::new(
        &config,
        "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\nrust = \"1.83.0\"\n",
    );
    let (code, stderr) = lock(&project);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("rust 1.83.0 cannot be installed by vx on any platform locked")
            && stderr.contains("channel-rust-1.83.0.toml"),
        "{stderr}"
    );
    assert_eq!(project.lock_text(), None);
}

#[test]
fn a_builds_txt_with_carriage_returns_and_nuls_is_read_or_refused_cleanly() {
    // builds.hex.pm's line, `NAME REF DATE SHA256`, ended by CRLF, with NULs and
    // escape sequences among the lines.
    let sha = "a".repeat(64);
    let text = format!(
        "OTP-27.1.2 1234567 2024-10-17T12:00:00Z {sha}\r\n\0\0\0\r\nOTP-9\0\x1b[2J 1 2 3\r\n\r\r\r\nOTP-27.1.1\r 1 2 {sha}\r\n"
    );
    let server = Stream::start(Body {
        head: text.clone().into_bytes(),
        unit: Vec::new(),
        total: text.len() as u64,
        announced: true,
    });
    let config = format!(
        "[url_replacements]\n{}",
        publishers::replacement("https://builds.hex.pm/builds/", &server.url("/builds/"))
    );
    let project = Project::new(
        &config,
        "[settings]\nplatforms = [\"linux-x86_64\"]\n[tools]\nerlang = \"OTP-27.1.1\"\n",
    );
    let (code, stderr) = lock(&project);
    assert_ne!(code, Some(0), "no such build is listed cleanly: {stderr}");
    assert!(
        !stderr.contains('\0') && !stderr.contains('\u{1b}') && !stderr.contains('\r'),
        "control characters reach the terminal: {stderr:?}"
    );
    assert_eq!(project.lock_text(), None);
}

/// A publisher that cannot be reached (nothing listens where `url_replacements` sends
/// nodejs.org): one clear error that names the index's URL once, not once per layer
/// that passed the failure on.
#[test]
fn an_unreachable_node_index_is_named_once() {
    let port = common::net::free_port();
    let dist = format!("http://127.0.0.1:{port}/dist/");
    let config = format!(
        "[url_replacements]\n{}",
        publishers::replacement("https://nodejs.org/dist/", &dist)
    );
    let project = Project::new(&config, "[tools]\nnode = \"20\"\n");
    let (code, stderr) = lock(&project);
    assert_eq!(code, Some(1), "{stderr}");
    let index = format!("{dist}index.json");
    assert_eq!(stderr.matches(&index).count(), 1, "{stderr}");
    assert_eq!(
        stderr.matches("https://nodejs.org/dist/index.json").count(),
        0,
        "{stderr}"
    );
    assert_eq!(project.lock_text(), None);
}

/// A mirror of nodejs.org whose `index.json` is not text (issue 53, item 12): the
/// error names the file and says what is wrong with it, not "GitHub's JSON".
#[test]
fn a_node_index_that_is_not_text_is_said_as_the_files_fault() {
    let server = vx_fixture::TestServer::start([(
        "/dist/index.json",
        vx_fixture::Route::Ok(b"[\xff\xfe{\"version\":\"v20.11.1\"}]".to_vec()),
    )]);
    let config = format!(
        "[url_replacements]\n{}",
        publishers::replacement("https://nodejs.org/dist/", &server.url("/dist/"))
    );
    let project = Project::new(&config, "[tools]\nnode = \"20\"\n");
    let (code, stderr) = lock(&project);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("index.json") && stderr.contains("not text (not UTF-8)"),
        "{stderr}"
    );
    assert!(!stderr.contains("GitHub"), "{stderr}");
    assert_eq!(project.lock_text(), None);
}

/// A node `index.json` under the size cap whose one entry's `files` holds seven million
/// strings (28 MB): `vx lock` refuses it, naming the entry, within half a gigabyte of
/// data (`prlimit --data`); reading that entry as one tree cost about a gigabyte
/// (issue 66, item 15), so under the limit it died of a failed allocation.
#[test]
fn a_node_index_entry_of_millions_of_files_is_refused_within_bounded_memory() {
    const FILES: usize = 7_000_000;
    let mut index = String::with_capacity(FILES * 4 + 128);
    index.push_str(r#"[{"version":"v20.11.1","date":"2024-02-14","lts":"Iron","files":["#);
    for _ in 1..FILES {
        index.push_str(r#""x","#);
    }
    index.push_str(r#""linux-x64"]}]"#);
    let server = vx_fixture::TestServer::start(vec![(
        "/dist/index.json".to_owned(),
        vx_fixture::Route::Ok(index.into_bytes()),
    )]);
    let config = format!(
        "[url_replacements]\n{}",
        publishers::replacement("https://nodejs.org/dist/", &server.url("/dist/"))
    );
    let project = Project::new(&config, "[tools]\nnode = \"20\"\n");
    let home = project.work.dir.path().join("home");
    let (set, removed) = common::isolation(&home);
    let mut cmd = std::process::Command::new("prlimit");
    cmd.arg(format!("--data={}", 512u64 << 20))
        .arg("--")
        .arg(assert_cmd::cargo::cargo_bin("vx"))
        .arg("lock")
        .envs(project.work.vx_env())
        .envs(set)
        .current_dir(project.work.dir.path())
        .stdin(std::process::Stdio::null());
    for var in removed {
        cmd.env_remove(var);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("index.json") && stderr.contains("entry 1 takes"),
        "{stderr}"
    );
    assert_eq!(project.lock_text(), None);
}
