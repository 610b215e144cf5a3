//! Faults `vx sync` must survive, injected for real: flaky, failing, stalled and slow
//! servers, missing checksums, two syncs on one store, and a store that cannot be used.

use crate::common;

use common::*;
use predicates::prelude::*;
use vx_base::format::ArchiveFormat;
use vx_fixture::{Route, TestServer, noise, sha256_hex};

/// A project of `BATCH_FROM` small tools at `-j 1`: one child installs them all, as a
/// batch. `t03`'s server answers 404 and `t07`'s bytes do not match its sha256: each
/// fails with its own reason (and only its own lines of the child's stderr), and every
/// other tool, before and after them in the batch, installs.
#[cfg(unix)]
#[test]
fn in_a_batch_each_failing_tool_fails_alone_with_its_own_reason() {
    use std::sync::Arc;
    let work = Work::new();
    let (_server, tools) = numbered_tools(&work, vx_sync::BATCH_FROM, |name, body| match name {
        "t03" => Some(Route::Status(404)),
        // Slow enough (about a second) for the test to find the board.
        "t15" => Some(Route::Throttled(Arc::new(body), 2 << 10)),
        _ => None,
    });
    let manifest = std::fs::read_to_string(work.manifest())
        .unwrap()
        .replace(&tools[7].sha256, &"0".repeat(64));
    work.write_manifest(&manifest);

    let mut sync = work.spawn_sync(&["--json", "-j", "1"]);
    // Kept mapped: the slots stay readable after the sync removes the board.
    let board = work.wait_board();
    let status = wait_exit(&mut sync);
    let out = std::io::read_to_string(sync.stdout.take().unwrap()).unwrap();
    assert_eq!(status.code(), Some(1), "{out}");
    let events = json_lines(out.as_bytes());
    let summary = summary(&events);
    let missing = summary["t03"]["message"].as_str().unwrap();
    assert_eq!(summary["t03"]["result"], "failed", "{}", summary["t03"]);
    assert!(missing.contains("404"), "{missing}");
    assert!(!missing.contains("checksum"), "{missing}");
    let mismatch = summary["t07"]["message"].as_str().unwrap();
    assert_eq!(summary["t07"]["result"], "failed", "{}", summary["t07"]);
    assert_eq!(summary["t07"]["exit_code"], 11, "{}", summary["t07"]);
    assert!(mismatch.contains("checksum mismatch"), "{mismatch}");
    assert!(!mismatch.contains("404"), "{mismatch}");
    for tool in tools
        .iter()
        .filter(|t| !["t03", "t07"].contains(&t.name.as_str()))
    {
        assert_eq!(summary[&tool.name]["result"], "completed", "{}", tool.name);
        assert_eq!(
            work.installed(&tool.name, "1"),
            expected_tree(&tool.payload)
        );
    }
    // What the parent shows of a failed tool's stderr names no other tool.
    for event in events.iter().filter(|e| e["event"] == "stderr") {
        let tool = event["tool"].as_str().unwrap();
        for line in event["lines"].as_array().unwrap() {
            let line = line.as_str().unwrap();
            assert!(
                !line.contains("vx install: t") || line.contains(&format!("{tool} 1")),
                "{tool}: {line}"
            );
        }
    }
    // All in one child.
    let writers = slot_writers(&board);
    assert_eq!(writers.len(), 1, "{writers:?}");
    work.assert_left_nothing_behind();
}

#[test]
fn a_server_failing_twice_with_503_is_retried_and_the_attempt_shows() {
    let work = Work::new();
    let payload = noise(50_000);
    let body = archive(ArchiveFormat::TarGz, payload.clone());
    let server = TestServer::start([("/f.tar.gz", Route::flaky(2, 503, body.clone()))]);
    work.write_manifest(&tool_toml(
        "flaky",
        "1",
        &server.url("/f.tar.gz"),
        &sha256_hex(&body),
    ));
    let dump = work.dir.path().join("board.dump");
    let out = stdout_of(
        &mut work.sync(&["--headless", "--dump", dump.to_str().unwrap()]),
        0,
    );
    let text = String::from_utf8_lossy(&out);
    assert_eq!(server.hits(), 3, "{text}");
    assert!(text.contains("retry 3/3: HTTP 503"), "{text}");
    assert_eq!(work.installed("flaky", "1"), expected_tree(&payload));
    let tools = work.dump_tools(&dump);
    assert_eq!(tools["flaky"]["attempt"], 3, "{}", tools["flaky"]);
    assert_eq!(tools["flaky"]["result"], "completed");
    assert!(work.store_tmp().is_empty(), "{:?}", work.store_tmp());
}

/// A server that keeps failing (issue 63, item 9): each retry is said before the
/// line that says the install gave up, as they happened, not after it.
#[test]
fn retries_are_said_before_the_install_gives_up() {
    let work = Work::new();
    let body = archive(ArchiveFormat::TarGz, noise(1000));
    let server = TestServer::start([("/f.tar.gz", Route::flaky(100, 503, body.clone()))]);
    work.write_manifest(&tool_toml(
        "down",
        "1",
        &server.url("/f.tar.gz"),
        &sha256_hex(&body),
    ));
    let out = work.sync(&["--headless"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    let at = |what: &str| lines.iter().rposition(|l| l.contains(what));
    let gave_up = lines
        .iter()
        .position(|l| l.contains("gave up after 3 attempts"))
        .unwrap_or_else(|| panic!("{text}"));
    let last_retry = at("retry 3/3").unwrap_or_else(|| panic!("{text}"));
    assert!(last_retry < gave_up, "{text}");
}

/// A failure whose message is longer than a slot's keeps its reason in the dump (`vx
/// board dump` of a CI artifact, another terminal's sync): it showed the first 112
/// bytes of a long URL, cut mid-word, and no reason.
#[test]
fn a_long_failure_keeps_its_reason_in_the_dump() {
    let work = Work::new();
    let body = archive(ArchiveFormat::TarGz, noise(1000));
    let server = TestServer::start([("/other", Route::Ok(body.clone()))]);
    let path = "/a-rather-long-directory-name/another-long-directory-name/nope-tool-release-1-linux.tar.gz";
    work.write_manifest(&tool_toml(
        "nope",
        "1",
        &server.url(path),
        &sha256_hex(&body),
    ));
    let dump = work.dir.path().join("board.dump");
    work.sync(&["--headless", "--dump", dump.to_str().unwrap()])
        .assert()
        .code(1);
    let tools = work.dump_tools(&dump);
    let message = tools["nope"]["message"].as_str().unwrap();
    assert!(message.ends_with("HTTP 404 Not Found"), "{message}");
    assert!(message.contains(" … "), "{message}");
}

#[test]
fn a_404_and_a_checksum_mismatch_are_not_retried() {
    let work = Work::new();
    let body = archive(ArchiveFormat::TarGz, noise(1000));
    let missing = TestServer::start([("/other", Route::Ok(body.clone()))]);
    let wrong = TestServer::start([("/w.tar.gz", Route::Ok(body.clone()))]);
    work.write_manifest(
        &[
            tool_toml("absent", "1", &missing.url("/a.tar.gz"), &sha256_hex(&body)),
            tool_toml("wrong", "1", &wrong.url("/w.tar.gz"), &sha256_hex(b"other")),
        ]
        .concat(),
    );
    let summary = work.sync_summary(&[], 1);
    assert_eq!(summary["absent"]["exit_code"], 10, "{}", summary["absent"]);
    assert_eq!(summary["wrong"]["exit_code"], 11, "{}", summary["wrong"]);
    assert_eq!(missing.hits(), 1, "a 404 is not retried");
    assert_eq!(wrong.hits(), 1, "a checksum mismatch is not retried");
    for name in ["absent", "wrong"] {
        assert_eq!(summary[name]["attempt"], 1, "{}", summary[name]);
        assert!(!work.store().join(name).exists());
    }
}

#[test]
fn a_stalled_server_times_out_while_a_slow_steady_one_does_not() {
    let work = Work::new();
    let stalled = TestServer::stalling(100_000);
    let payload = noise(200_000);
    let slow_body = archive(ArchiveFormat::TarGz, payload.clone());
    // About 1.5 s in all, never a 1 s silence.
    let slow = slow_server("/slow.tar.gz", slow_body.clone());
    work.write_manifest(
        &[
            tool_toml("stuck", "1", &stalled.url("/s.tar.gz"), &sha256_hex(b"s")),
            tool_toml(
                "slow",
                "1",
                &slow.url("/slow.tar.gz"),
                &sha256_hex(&slow_body),
            ),
        ]
        .concat(),
    );
    let start = std::time::Instant::now();
    let summary = work.sync_summary(&["--read-timeout", "1"], 1);
    let stuck = &summary["stuck"];
    assert_eq!(stuck["result"], "failed", "{stuck}");
    assert_eq!(stuck["exit_code"], 10, "{stuck}");
    let message = stuck["message"].as_str().unwrap();
    assert!(message.contains("no data for 1 s"), "{message}");
    assert_eq!(
        summary["slow"]["result"], "completed",
        "{}",
        summary["slow"]
    );
    assert_eq!(work.installed("slow", "1"), expected_tree(&payload));
    // Three attempts of 1 s plus 1.25 s of backoff, not the 30 s default.
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    assert!(work.store_tmp().is_empty(), "{:?}", work.store_tmp());
}

#[test]
fn a_tool_without_sha256_is_trusted_on_first_download_then_pinned_by_the_lock() {
    let work = Work::new();
    let payload = noise(5000);
    let body = archive(ArchiveFormat::TarGz, payload.clone());
    // A local file, so the same URL can later serve other bytes.
    let file = work.dir.path().join("loose.tar.gz");
    std::fs::write(&file, &body).unwrap();
    work.write_manifest(&format!(
        "[tools.loose]\nversion = \"1\"\nurl = \"{}\"\nstrip_components = 1\n",
        file_url(&file)
    ));
    let dump = work.dir.path().join("u.dump");
    let out = stdout_of(
        &mut work.sync(&["--headless", "--dump", dump.to_str().unwrap()]),
        0,
    );
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("completed UNVERIFIED"), "{text}");
    assert_eq!(work.installed("loose", "1"), expected_tree(&payload));
    let tools = work.dump_tools(&dump);
    assert_eq!(tools["loose"]["unverified"], true, "{}", tools["loose"]);

    // The download is now pinned in vx.lock, beside the manifest.
    let lock_path = work.dir.path().join("vx.lock");
    let lock = std::fs::read_to_string(&lock_path).unwrap();
    assert!(lock.contains(&sha256_hex(&body)), "{lock}");
    assert!(lock.contains(&format!("size = {}", body.len())), "{lock}");
    // A re-run is cached, verified by the lock, and leaves the lock byte for byte.
    let summary = work.sync_summary(&["--locked"], 0);
    assert_eq!(summary["loose"]["result"], "cached", "{}", summary["loose"]);
    assert_eq!(std::fs::read_to_string(&lock_path).unwrap(), lock);

    // The same URL now serves other bytes: the lock refuses them.
    std::fs::write(&file, archive(ArchiveFormat::TarGz, noise(10))).unwrap();
    std::fs::remove_dir_all(work.store().join("loose")).unwrap();
    let summary = work.sync_summary(&[], 1);
    assert_eq!(summary["loose"]["exit_code"], 11, "{}", summary["loose"]);
    assert_eq!(
        std::fs::read_to_string(&lock_path).unwrap(),
        lock,
        "a failure changes no entry"
    );
}

#[test]
fn two_syncs_on_one_store_do_not_corrupt_each_other() {
    let work = Work::new();
    let payload = noise(300_000);
    let body = archive(ArchiveFormat::TarGz, payload.clone());
    // About 1.5 s per download, so the two runs overlap.
    let server = slow_server("/t.tar.gz", body.clone());
    work.write_manifest(&tool_toml(
        "shared",
        "1",
        &server.url("/t.tar.gz"),
        &sha256_hex(&body),
    ));
    let mut first = work.spawn_sync(&["--headless"]);
    let mut second = work.spawn_sync(&["--headless"]);
    let mut outputs = String::new();
    for child in [&mut first, &mut second] {
        let status = wait_exit(child);
        let (mut out, mut err) = (String::new(), String::new());
        std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
        std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
        assert_eq!(status.code(), Some(0), "{out}{err}");
        outputs.push_str(&out);
    }
    assert_eq!(work.installed("shared", "1"), expected_tree(&payload));
    assert!(
        outputs.contains("installed by another vx")
            || outputs.contains("waiting for another vx installing shared@1")
            || outputs.contains("already installed"),
        "{outputs}"
    );
    // Whether the second run waited on the lock or started after the first had
    // finished, it found the tree under the lock: one download in all.
    assert_eq!(server.hits(), 1, "{outputs}");
    assert!(work.store_tmp().is_empty(), "{:?}", work.store_tmp());
}

/// A data directory whose path holds `:` (PATH's separator): the tools installed and
/// then every `vx exec` said "command not found" (127) and `vx env` left them off PATH
/// without a word. The store is refused, naming it and the way out, before anything
/// is written.
#[cfg(unix)]
#[test]
fn a_store_path_that_path_cannot_hold_is_refused_before_anything_is_written() {
    let work = Work::new();
    let data = work.dir.path().join("data:home");
    work.write_manifest(&tool_toml(
        "t",
        "1",
        "http://127.0.0.1:9/t.tar.gz",
        &sha256_hex(b"t"),
    ));
    let refused = |args: &[&str]| {
        work.vx()
            .args(args)
            .arg("--manifest")
            .arg(work.manifest())
            .env("XDG_DATA_HOME", &data)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "cannot use the store {}",
                data.join("vx/store").display()
            )))
            .stderr(predicate::str::contains(
                "holds `:`, which a PATH entry cannot",
            ))
            .stderr(predicate::str::contains(
                "pass --store DIR or set XDG_DATA_HOME to a directory without it",
            ));
    };
    refused(&["sync", "--headless"]);
    assert!(!data.exists(), "nothing written under {}", data.display());
    refused(&["exec", "--", "t"]);
    refused(&["env"]);
    // `vx doctor` says the same, not "no store directory is known".
    work.vx()
        .args(["doctor", "--offline", "--manifest"])
        .arg(work.manifest())
        .env("XDG_DATA_HOME", &data)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "holds `:`, which a PATH entry cannot",
        ));
}

#[test]
fn a_store_that_is_a_file_exits_2_naming_it_and_writes_nothing() {
    let work = Work::new();
    std::fs::write(work.store(), b"not a store").unwrap();
    work.write_manifest(&tool_toml(
        "t",
        "1",
        "http://127.0.0.1:9/t.tar.gz",
        &sha256_hex(b"t"),
    ));
    work.sync(&["--headless"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(work.store().to_str().unwrap()))
        .stderr(predicate::str::contains("is not a directory"));
    assert_eq!(std::fs::read(work.store()).unwrap(), b"not a store");
    assert!(work.board_files().is_empty(), "{:?}", work.board_files());

    // Below a file, too.
    let nested = work.store().join("sub");
    work.vx()
        .arg("sync")
        .arg("--manifest")
        .arg(work.manifest())
        .arg("--store")
        .arg(&nested)
        .arg("--headless")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a directory"));

    // `vx install` refuses it the same way, before downloading.
    work.vx()
        .args(["install", "t@1", "--url", "http://127.0.0.1:9/t.tar.gz"])
        .arg("--sha256")
        .arg(sha256_hex(b"t"))
        .arg("--store")
        .arg(work.store())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(work.store().to_str().unwrap()));
}

#[test]
fn a_dump_that_cannot_be_written_fails_the_run_but_the_installs_stand() {
    let work = Work::new();
    let payload = noise(1000);
    let body = archive(ArchiveFormat::TarGz, payload.clone());
    let _server = work.serve_one("dumped", body);
    let dest = work.dir.path().join("no-such-dir").join("board.dump");
    let out = work
        .sync(&["--headless", "--dump", dest.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot write the dump"))
        .stderr(predicate::str::contains("no-such-dir"))
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains("dumped"),
        "the outcome is still printed: {text}"
    );
    assert_eq!(work.installed("dumped", "1"), expected_tree(&payload));
    assert!(!dest.exists());
}

#[test]
fn strip_components_deeper_than_the_archive_fails_with_13_and_installs_nothing() {
    let work = Work::new();
    let body = archive(ArchiveFormat::TarGz, noise(100));
    let _server = work.serve_one("deep", body);
    let text = std::fs::read_to_string(work.manifest()).unwrap();
    work.write_manifest(&text.replace("strip_components = 1", "strip_components = 7"));
    let summary = work.sync_summary(&[], 1);
    assert_eq!(summary["deep"]["exit_code"], 13, "{}", summary["deep"]);
    let message = summary["deep"]["message"].as_str().unwrap();
    assert!(message.contains("nothing left to install"), "{message}");
    assert!(!work.store().join("deep").exists());
}

#[test]
fn a_directory_vx_did_not_create_is_refused_with_15_and_kept() {
    let work = Work::new();
    let body = archive(ArchiveFormat::TarGz, noise(100));
    let server = work.serve_one("mine", body);
    // The tree's place (`<store>/mine/1-<key>`) taken by a user's directory: the
    // install once, then its tree made into files of the user's, without a receipt.
    work.sync_summary(&[], 0);
    let own = crate::common::tree_in(work.store(), "mine", "1");
    std::fs::remove_dir_all(&own).unwrap();
    std::fs::create_dir_all(&own).unwrap();
    std::fs::write(own.join("notes.txt"), b"my work").unwrap();
    let summary = work.sync_summary(&[], 1);
    assert_eq!(summary["mine"]["exit_code"], 15, "{}", summary["mine"]);
    let message = summary["mine"]["message"].as_str().unwrap();
    assert!(message.contains("not installed by vx"), "{message}");
    assert_eq!(server.hits(), 1, "refused before downloading again");
    assert_eq!(std::fs::read(own.join("notes.txt")).unwrap(), b"my work");
}

#[test]
#[cfg(unix)] // Windows paths are UTF-16: no such path can be made there.
fn a_store_path_that_is_not_utf8_is_refused_up_front_with_exit_2() {
    use std::os::unix::ffi::OsStrExt;
    let work = Work::new();
    let body = archive(ArchiveFormat::TarGz, noise(100));
    let server = work.serve_one("u", body);
    let store = work
        .dir
        .path()
        .join(std::ffi::OsStr::from_bytes(b"store-\xff"));
    work.vx()
        .arg("sync")
        .arg("--manifest")
        .arg(work.manifest())
        .arg("--store")
        .arg(&store)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not valid UTF-8"))
        .stderr(predicate::str::contains("frame").not());
    assert_eq!(server.hits(), 0);
}

#[test]
fn a_local_file_that_changes_while_read_fails_once_with_its_cause() {
    let work = Work::new();
    work.write_manifest(&tool_toml(
        "proc",
        "1",
        "file:///proc/self/status",
        &"a".repeat(64),
    ));
    let summary = work.sync_summary(&[], 1);
    let tool = &summary["proc"];
    assert_eq!(tool["exit_code"], 10, "{tool}");
    assert_eq!(tool["attempt"], 1, "a local file is not retried: {tool}");
    let message = tool["message"].as_str().unwrap();
    assert!(message.contains("changed while being read"), "{message}");
}

/// What `vx board dump TARGET` says, failing with exit code 2.
fn refused_dump(target: &str) -> String {
    let out = Work::new()
        .vx()
        .args(["board", "dump", target])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn a_board_error_names_its_path_once() {
    let text = refused_dump("/dev/zero");
    assert_eq!(text.matches("/dev/zero").count(), 1, "{text}");
}

#[test]
fn a_board_id_that_matches_nothing_is_named_once() {
    let text = refused_dump("nosuchboard");
    assert_eq!(text.matches("nosuchboard").count(), 1, "{text}");
    assert!(text.contains("vx board ls"), "{text}");
}

#[test]
fn a_store_disk_filling_up_while_unpacking_is_a_store_error_15() {
    let work = Work::new();
    std::fs::create_dir(work.store()).unwrap();
    let Some(mut cmd) = in_small_tmpfs(&work.store(), "512k") else {
        return;
    };
    // 4 MiB of zeros packs into a few KiB: the download fits, the tree does not.
    let body = archive(ArchiveFormat::TarGz, vec![0; 4 << 20]);
    let _server = work.serve_one("big", body);
    let out = work.sync_args(&mut cmd, &["--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let tools = summary(&json_lines(&out.stdout));
    assert_eq!(tools["big"]["exit_code"], 15, "{}", tools["big"]);
}

#[test]
fn a_download_dropped_mid_body_resumes_where_it_stopped_and_says_so() {
    let work = Work::new();
    let payload = noise(400_000);
    let body = archive(ArchiveFormat::TarGz, payload.clone());
    let cut = body.len() / 2;
    let server = TestServer::resumable(body.clone(), vec![cut], true);
    work.write_manifest(&tool_toml(
        "resumed",
        "1",
        &server.url("/r.tar.gz"),
        &sha256_hex(&body),
    ));
    let out = stdout_of(&mut work.sync(&["--headless"]), 0);
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("retry 2/3: the connection closed"), "{text}");
    assert!(text.contains("resuming at"), "{text}");
    assert_eq!(server.ranges(), [None, Some(format!("bytes={cut}-"))]);
    assert_eq!(work.installed("resumed", "1"), expected_tree(&payload));
}

#[test]
fn a_full_board_directory_is_a_clear_error_and_leaves_nothing() {
    let work = Work::new();
    let Some(mut cmd) = in_small_tmpfs(&work.boards(), "4k") else {
        return;
    };
    // 40 slots need 10 KiB: more than the 4 KiB tmpfs holds.
    let body = archive(ArchiveFormat::TarGz, noise(100));
    let toml: String = (0..40)
        .map(|i| {
            tool_toml(
                &format!("t{i}"),
                "1",
                "https://x.org/t.tar.gz",
                &sha256_hex(&body),
            )
        })
        .collect();
    work.write_manifest(&toml);
    let script = r#""$@"; echo "exit=$?"; echo "left:"; ls -A "$VX_BOARD_DIR""#;
    let out = work
        .sync_args(cmd.args(["sh", "-c", script, "sh"]), &["--headless"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("exit=1\n"),
        "not a crash (135 is SIGBUS): {stdout}{stderr}"
    );
    assert!(
        stdout.ends_with("left:\n"),
        "nothing left in the board dir: {stdout}"
    );
    assert!(stderr.contains("no space for a progress board"), "{stderr}");
    assert!(stderr.contains("VX_BOARD_DIR"), "{stderr}");
    assert!(
        stderr.contains(&work.boards().display().to_string()),
        "{stderr}"
    );
}
