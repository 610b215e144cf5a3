//! `vx sync`, `vx install --from-parent` and `vx board` end to end: the real binary,
//! real child processes, a real loopback HTTP server, real files.

use crate::common;

use std::sync::Arc;

use common::*;
use predicates::prelude::*;
use vx_base::format::ArchiveFormat;
use vx_fixture::{Route, TestServer, noise, noise_seeded, sha256_hex};
use vx_model::config_frame::{
    EXIT_BAD_CONFIG, HEADER_LEN, InstallConfig, MAGIC, MAX_PAYLOAD, VERSION, write_frame,
};
use vx_model::spec::ToolSpec;

/// A served tool: name, payload inside its archive, archive bytes.
type Served = (&'static str, Vec<u8>, Vec<u8>);

/// Three tools, one per format, served with a Content-Length.
fn three_formats() -> (TestServer, Vec<Served>) {
    let tools: Vec<(&str, Vec<u8>, Vec<u8>)> = [
        ("gz", ArchiveFormat::TarGz),
        ("xz", ArchiveFormat::TarXz),
        ("zipped", ArchiveFormat::Zip),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (name, format))| {
        let payload = noise_seeded(200_000 + i * 50_000, i as u64 + 7);
        let archive = archive(format, payload.clone());
        (name, payload, archive)
    })
    .collect();
    let server = TestServer::start(
        tools
            .iter()
            .map(|(name, _, archive)| (format!("/{name}.bin"), Route::Ok(archive.clone()))),
    );
    (server, tools)
}

/// The manifest of [`three_formats`] plus one tool whose URL is missing on the server.
fn manifest_with_a_missing_tool(
    server: &TestServer,
    tools: &[Served],
    name: &str,
    version: &str,
) -> String {
    let mut toml = manifest_for(server, tools);
    toml.push_str(&tool_toml(
        name,
        version,
        &server.url(&format!("/{name}.tar.gz")),
        &sha256_hex(name.as_bytes()),
    ));
    toml
}

fn manifest_for(server: &TestServer, tools: &[Served]) -> String {
    tools
        .iter()
        .map(|(name, _, archive)| {
            tool_toml(
                name,
                "1.0",
                &server.url(&format!("/{name}.bin")),
                &sha256_hex(archive),
            )
        })
        .collect()
}

#[test]
fn a_multi_format_sync_installs_exact_trees_then_reports_them_cached() {
    let work = Work::new();
    let (server, tools) = three_formats();
    work.write_manifest(&manifest_for(&server, &tools));

    let out = stdout_of(&mut work.sync(&["--headless"]), 0);
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains("3 tools in ") && text.contains(": 3 installed, 0 cached, 0 failed"),
        "{text}"
    );
    // Each install says what it unpacked: the bytes of its files.
    for (name, payload, _) in &tools {
        let files = unpacked_bytes(payload);
        let row = text
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap();
        assert!(row.contains(&vx_tui::text::bytes(files)), "{name}: {row}");
    }
    for (name, payload, _) in &tools {
        assert_eq!(
            work.installed(name, "1.0"),
            expected_tree(payload),
            "{name}"
        );
        assert!(
            text.contains(&format!("vx: {name} 1.0: completed")),
            "{text}"
        );
    }
    work.assert_left_nothing_behind();
    assert_eq!(server.hits(), 3);

    let out = stdout_of(&mut work.sync(&["--json"]), 0);
    let events = json_lines(&out);
    let summary = summary(&events);
    assert_eq!(summary.len(), 3);
    for tool in summary.values() {
        assert_eq!(tool["result"], "cached", "{tool}");
        assert_eq!(tool["ok"], true);
    }
    assert_eq!(server.hits(), 3, "cached tools are not downloaded again");
}

#[test]
fn json_events_parse_and_the_summary_matches_the_store() {
    let work = Work::new();
    let (server, tools) = three_formats();
    work.write_manifest(&manifest_with_a_missing_tool(
        &server, &tools, "missing", "2.0",
    ));

    let out = stdout_of(&mut work.sync(&["--json", "-j", "2"]), 1);
    let events = json_lines(&out);
    assert_eq!(events[0]["event"], "start");
    assert_eq!(events[0]["tools"], 4);
    assert!(events.iter().all(|e| e["event"].is_string()));
    let phases: Vec<_> = events.iter().filter(|e| e["event"] == "phase").collect();
    // Every phase each tool went through, in order, however short (these installs
    // take milliseconds; the reporter polls every 50).
    for (name, _, _) in &tools {
        let seen: Vec<&str> = phases
            .iter()
            .filter(|e| e["tool"].as_str() == Some(name.to_string().as_str()))
            .map(|e| e["phase"].as_str().unwrap())
            .collect();
        assert_eq!(
            seen,
            ["resolving", "downloading", "extracting", "completed"],
            "{name}"
        );
    }
    let summary = summary(&events);
    assert_eq!(
        summary["gz"]["unpacked"].as_u64(),
        Some(unpacked_bytes(&tools[0].1))
    );
    assert!(events.last().unwrap()["took_ms"].is_u64());
    for (name, tool) in &summary {
        let installed =
            crate::common::has_tree(work.store(), name, tool["version"].as_str().unwrap());
        assert_eq!(tool["ok"].as_bool().unwrap(), installed, "{name}: {tool}");
    }
    assert_eq!(summary["missing"]["result"], "failed");
    assert_eq!(summary["missing"]["exit_code"], 10);
    assert!(
        summary["missing"]["message"]
            .as_str()
            .unwrap()
            .contains("404"),
        "{}",
        summary["missing"]
    );
    assert_eq!(summary["gz"]["bytes"], tools[0].2.len());
    assert_eq!(events.last().unwrap()["exit_code"], 1);
}

#[test]
fn a_checksum_mismatch_fails_only_that_tool() {
    let work = Work::new();
    let (server, tools) = three_formats();
    let mut toml = manifest_for(&server, &tools);
    let wrong = sha256_hex(b"something else");
    toml = toml.replace(&sha256_hex(&tools[1].2), &wrong);
    work.write_manifest(&toml);

    let out = stdout_of(&mut work.sync(&[]), 1);
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains(" FAILED ") && !text.contains("FAILED (11)"),
        "{text}"
    );
    assert!(text.contains("checksum mismatch"), "{text}");
    assert!(text.contains(": 2 installed, 0 cached, 1 failed"), "{text}");
    assert!(!work.store().join("xz").exists());
    assert_eq!(work.installed("gz", "1.0"), expected_tree(&tools[0].1));
    assert_eq!(work.installed("zipped", "1.0"), expected_tree(&tools[2].1));
    assert!(work.store_tmp().is_empty());

    // The reason (both hashes and the URL: far over a slot's 112 bytes) is whole in
    // the failure line and the table, one fact a line, and said once: no stderr tail
    // repeating it.
    let expected = format!("expected {wrong}");
    let facts = format!(
        "checksum mismatch\n    got sha256 {}\n    {expected}\n    from {}\n",
        sha256_hex(&tools[1].2),
        server.url("/xz.bin")
    );
    assert!(
        text.contains(&format!("\nvx: xz 1.0: failed: {facts}")),
        "{text}"
    );
    assert!(text.contains(&format!("\nxz 1.0: {facts}")), "{text}");
    assert_eq!(text.matches(&expected).count(), 2, "{text}");
    assert!(!text.contains("last lines of its stderr"), "{text}");
    let events = json_lines(&stdout_of(&mut work.sync(&["--json"]), 1));
    let failed = events
        .iter()
        .find(|e| e["event"] == "phase" && e["phase"] == "failed")
        .unwrap();
    let reason = failed["message"].as_str().unwrap();
    assert!(reason.len() > 112 && reason.contains(&expected), "{reason}");
    assert_eq!(summary(&events)["xz"]["message"], reason);

    // -q: the failure and the final line, nothing else; -v: codes, URLs, counts.
    let quiet = String::from_utf8(stdout_of(&mut work.sync(&["-q"]), 1)).unwrap();
    let quiet: Vec<&str> = quiet.lines().collect();
    assert_eq!(quiet.len(), 5, "{quiet:#?}");
    assert_eq!(
        quiet[0], "vx: xz 1.0: failed: checksum mismatch",
        "{quiet:#?}"
    );
    assert!(
        quiet[1..4].iter().all(|l| l.starts_with("    ")),
        "{quiet:#?}"
    );
    assert!(
        quiet[4].starts_with("vx: 3 tools in ") && quiet[4].ends_with(": 2 cached, 1 failed"),
        "{quiet:#?}"
    );
    let verbose = String::from_utf8(stdout_of(&mut work.sync(&["-v"]), 1)).unwrap();
    assert!(verbose.contains("FAILED (11)"), "{verbose}");
    assert!(
        verbose.contains("progress records published on the board"),
        "{verbose}"
    );
    assert!(
        !text.contains("downloading: http://") && !text.contains("progress records"),
        "{text}"
    );
}

#[test]
fn a_404_and_a_dropped_connection_fail_cleanly() {
    let work = Work::new();
    let good = archive(ArchiveFormat::TarGz, noise(10_000));
    let server = TestServer::start([("/good.tar.gz", Route::Ok(good.clone()))]);
    let dropping = TestServer::dropping_after(1_000_000, 10_000);
    let toml = [
        tool_toml("good", "1", &server.url("/good.tar.gz"), &sha256_hex(&good)),
        tool_toml(
            "absent",
            "1",
            &server.url("/absent.tar.gz"),
            &sha256_hex(b"a"),
        ),
        tool_toml("cut", "1", &dropping.url("/cut.tar.gz"), &sha256_hex(b"c")),
    ]
    .concat();
    work.write_manifest(&toml);

    let summary = work.sync_summary(&[], 1);
    assert_eq!(summary["good"]["result"], "completed");
    for name in ["absent", "cut"] {
        assert_eq!(summary[name]["result"], "failed", "{}", summary[name]);
        assert_eq!(summary[name]["exit_code"], 10, "{}", summary[name]);
        assert!(!work.store().join(name).exists());
    }
    assert!(
        summary["absent"]["message"]
            .as_str()
            .unwrap()
            .contains("404")
    );
    assert!(work.store_tmp().is_empty(), "{:?}", work.store_tmp());
    assert!(work.board_files().is_empty());
}

#[test]
fn a_bad_manifest_exits_2_naming_file_and_line() {
    let work = Work::new();
    work.write_manifest("[tools.rg]\nversion = 14\nurl = \"http://x/a.tar.gz\"\n");
    work.sync(&[])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("vx.toml:2:"))
        .stderr(predicate::str::contains("version"));
    assert!(work.board_files().is_empty(), "no board for a bad manifest");

    // Hostile manifests: (contents, `file:line:` or `file:`, what the message names).
    let sha = "0".repeat(64);
    let good =
        format!("[tools.rg]\nversion = \"1\"\nurl = \"http://x/a.tar.gz\"\nsha256 = \"{sha}\"\n");
    let mut huge = good.clone().into_bytes();
    huge.resize((1 << 20) + 1, b'#');
    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (
            format!("colour = \"red\"\n{good}").into_bytes(),
            "vx.toml:1:",
            "unknown key `colour` at the top level",
        ),
        (
            format!("{good}strip-components = 1\n").into_bytes(),
            "vx.toml:5:1:",
            "unknown key `strip-components` in `[tools.rg]`; did you mean `strip_components`?",
        ),
        (
            format!("{good}strip_components = \"one\"\n").into_bytes(),
            "vx.toml:5:",
            "must be a non-negative integer, found a string",
        ),
        (
            format!("{good}post_install = 5\n").into_bytes(),
            "vx.toml:5:",
            "must be a string, found an integer",
        ),
        (
            b"[tools]\nrg = 3\n".to_vec(),
            "vx.toml:2:",
            "`tools.rg` must be a version constraint or a table",
        ),
        (
            format!("{good}\n[tools.rg]\nversion = \"2\"\n").into_bytes(),
            "vx.toml:6:",
            "duplicate key",
        ),
        (
            b"[tools.rg]\nversion = \"1\xff\xfe\"\n".to_vec(),
            "vx.toml:2:",
            "not valid UTF-8",
        ),
        (huge, "vx.toml: ", "over 1048576 bytes"),
    ];
    for (bytes, place, problem) in cases {
        std::fs::write(work.manifest(), &bytes).unwrap();
        let (stdout, stderr) = output_of(&mut work.sync(&["--headless"]), 2);
        assert!(stderr.contains(place), "{place}: {stderr}");
        assert!(stderr.contains(problem), "{problem}: {stderr}");
        assert!(stdout.is_empty(), "{problem}");
        assert!(work.board_files().is_empty(), "{problem}: no board");
        assert!(!work.store().exists(), "{problem}: no store");
    }

    let missing = Work::new();
    missing
        .sync(&[])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read the manifest"));
}

#[test]
fn usage_errors_exit_2() {
    let work = Work::new();
    work.vx()
        .args(["sync", "--tui", "--headless"])
        .assert()
        .code(2);
    work.vx().args(["install", "rg"]).assert().code(2);
    work.vx()
        .args(["install", "rg@1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--url"));
    work.vx().args(["board", "watch"]).assert().code(2);
}

fn child_frame(work: &Work, url: String, sha256: String) -> InstallConfig {
    let spec = ToolSpec {
        sha256: Some(sha256),
        strip_components: 1,
        ..ToolSpec::new("t", "1", url)
    };
    InstallConfig {
        board: Some(work.boards().join("vx-board-none")),
        ..InstallConfig::new(spec, work.store())
    }
}

#[test]
fn bad_config_frames_exit_with_their_code_and_install_nothing() {
    let work = Work::new();
    std::fs::create_dir(work.store()).unwrap();
    let body = archive(ArchiveFormat::TarGz, noise(1000));
    let server = TestServer::start([("/t.tar.gz", Route::Ok(body.clone()))]);
    let mut good = Vec::new();
    write_frame(
        &mut good,
        &child_frame(&work, server.url("/t.tar.gz"), sha256_hex(&body)),
    )
    .unwrap();

    let mut oversized = Vec::new();
    oversized.extend_from_slice(&MAGIC);
    oversized.extend_from_slice(&VERSION.to_le_bytes());
    oversized.extend_from_slice(&0u16.to_le_bytes());
    oversized.extend_from_slice(&(MAX_PAYLOAD + 1).to_le_bytes());
    let mut malformed = good[..HEADER_LEN].to_vec();
    let junk = b"{\"tool\": 12}";
    malformed[8..12].copy_from_slice(&(junk.len() as u32).to_le_bytes());
    malformed.extend_from_slice(junk);

    let cases: [(&str, Vec<u8>); 6] = [
        ("empty", Vec::new()),
        ("garbage", b"hello, this is not a frame".to_vec()),
        ("truncated header", good[..5].to_vec()),
        ("truncated payload", good[..good.len() - 3].to_vec()),
        ("oversized", oversized),
        ("malformed", malformed),
    ];
    for (what, bytes) in cases {
        work.vx()
            .args(["install", "--from-parent"])
            .write_stdin(bytes)
            .assert()
            .code(EXIT_BAD_CONFIG)
            .stderr(predicate::str::contains("config"));
        assert_eq!(
            std::fs::read_dir(work.store()).unwrap().count(),
            0,
            "{what}"
        );
    }
    // A well-formed frame naming a board that does not exist: bad config too.
    work.vx()
        .args(["install", "--from-parent"])
        .write_stdin(good.clone())
        .assert()
        .code(EXIT_BAD_CONFIG);
    // The same lone frame (flags 0: no frame follows) with the pipe left open: the child
    // reads that one frame and goes on, it does not wait for the pipe to close.
    let mut child = work
        .vx_std()
        .args(["install", "--from-parent"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut open_pipe = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut open_pipe, &good).unwrap();
    assert_eq!(wait_exit(&mut child).code(), Some(EXIT_BAD_CONFIG));
    drop(open_pipe);
    assert_eq!(std::fs::read_dir(work.store()).unwrap().count(), 0);
    assert_eq!(server.hits(), 0, "nothing was downloaded");
}

#[test]
fn standalone_install_prints_lines_and_installs() {
    let work = Work::new();
    let payload = noise(300_000);
    let body = archive(ArchiveFormat::Zip, payload.clone());
    let server = TestServer::start([("/t-2.0.zip", Route::Ok(body.clone()))]);
    // What a killed install left (moved aside, its deletion cut short) goes too.
    let trash = work.store().join(".tmp/trash-left-by-a-killed-run");
    std::fs::create_dir_all(trash.join("bin")).unwrap();
    std::fs::write(trash.join("bin/tool"), b"half").unwrap();
    work.vx()
        .args(["install", "t@2.0", "--url"])
        .arg(server.url("/t-{version}.zip"))
        .arg("--sha256")
        .arg(sha256_hex(&body))
        .arg("--store")
        .arg(work.store())
        .assert()
        .code(0)
        .stderr(predicate::str::contains("vx: t 2.0: completed"));
    assert!(!trash.exists(), "{trash:?} stayed");
    // strip_components is 0 by default, but the archive's one top-level directory
    // holds the executable and nothing else is beside it: it is unwrapped (issue 43).
    // On Windows no file mode marks `bin/tool` as the executable, so the folder stays.
    if cfg!(unix) {
        assert_eq!(work.installed("t", "2.0"), expected_tree(&payload));
    } else {
        // The same tree, one folder down.
        let installed = work.installed("t", "2.0");
        let folder = installed
            .keys()
            .next()
            .expect("something installed")
            .clone();
        assert_eq!(installed[&folder], "dir");
        let prefix = format!("{folder}/");
        let inner: std::collections::BTreeMap<String, String> = installed
            .into_iter()
            .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|k| (k.to_owned(), v)))
            .collect();
        assert_eq!(inner, expected_tree(&payload));
    }

    // What a manifest can say, on the command line: a URL that names no format,
    // components to strip and the executables.
    let server = TestServer::start([("/download", Route::Ok(body.clone()))]);
    work.vx()
        .args([
            "install",
            "t@3.0",
            "--format",
            "zip",
            "--strip-components",
            "1",
        ])
        .args(["--bin", "bin/tool", "--url"])
        .arg(server.url("/download"))
        .arg("--sha256")
        .arg(sha256_hex(&body))
        .arg("--store")
        .arg(work.store())
        .assert()
        .code(0);
    let tree = vx_fixture::tree(&crate::common::tree_in(work.store(), "t", "3.0"));
    let mut expected = expected_tree(&payload);
    expected.insert(".vx-receipt.json".into(), tree[".vx-receipt.json"].clone());
    assert_eq!(tree, expected);
    let receipt: serde_json::Value = serde_json::from_slice(
        &std::fs::read(crate::common::tree_in(work.store(), "t", "3.0").join(".vx-receipt.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(receipt["bin"], serde_json::json!(["bin/tool"]));
    assert_eq!(receipt["strip_components"], 1);
}

#[test]
fn a_dump_shows_the_final_states_through_vx_board_dump() {
    let work = Work::new();
    let (server, tools) = three_formats();
    work.write_manifest(&manifest_with_a_missing_tool(
        &server, &tools, "absent", "1",
    ));
    let dump = work.dir.path().join("board.dump");

    work.sync(&["--dump", dump.to_str().unwrap()])
        .assert()
        .code(1);
    assert!(dump.is_file());
    assert!(work.board_files().is_empty(), "the live segment is gone");

    let out = stdout_of(work.vx().args(["board", "dump"]).arg(&dump), 0);
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("dump of board "), "{text}");
    assert!(text.contains(", finished"), "{text}");
    assert!(text.contains(": 3 installed, 0 cached, 1 failed"), "{text}");

    let value = work.dump_json(&dump);
    assert_eq!(value["dump"], true);
    assert_eq!(value["state"], "finished");
    let results: Vec<_> = value["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["result"].clone())
        .collect();
    assert_eq!(results, ["completed", "completed", "completed", "failed"]);
}

#[test]
#[cfg(unix)] // It ends the sync with SIGINT.
fn board_ls_dump_and_clean_see_a_live_board_and_remove_a_dead_one() {
    let work = Work::new();
    // 20 s of download: the board stays live while we look at it, then SIGINT ends it.
    let body = Arc::new(archive(ArchiveFormat::TarGz, noise(2_000_000)));
    let server = TestServer::start([("/slow.tar.gz", Route::Throttled(body.clone(), 100_000))]);
    work.write_manifest(&tool_toml(
        "slow",
        "1",
        &server.url("/slow.tar.gz"),
        &sha256_hex(&body),
    ));
    let mut sync = work.spawn_sync(&["--json"]);
    let board = work.wait_board();
    let id = board.info().id.clone();

    let out = stdout_of(work.vx().args(["board", "ls", "--json"]), 0);
    let boards = json_lines(&out);
    assert_eq!(boards.len(), 1);
    assert_eq!(boards[0]["id"], id.as_str());
    assert_eq!(boards[0]["pid"], sync.id());
    assert_eq!(boards[0]["total"], 1);
    work.vx()
        .args(["board", "ls"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(&id));
    work.vx()
        .args(["board", "dump", &id[..8]])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("slow"));
    work.vx()
        .args(["board", "dump"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(", running"));
    work.vx()
        .args(["board", "clean"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("nothing to clean"));
    work.vx().args(["board", "dump", "nope"]).assert().code(2);
    drop(board);
    let pid = rustix::process::Pid::from_raw(sync.id() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    assert_eq!(wait_exit(&mut sync).code(), Some(130));
    work.vx()
        .args(["board", "ls"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no live boards"));

    // A board whose creator is gone: a copy of a segment, which nobody holds.
    let stale = work.boards().join(format!("vx-board-{}", "0".repeat(32)));
    let created = vx_shm::Board::create(
        &work.boards(),
        "stale",
        &[vx_shm::ToolEntry {
            name: "a",
            version: "1",
        }],
    )
    .unwrap();
    std::fs::copy(created.path(), &stale).unwrap();
    drop(created);
    work.vx()
        .args(["board", "clean"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("removed"));
    assert!(!stale.exists());
}

#[test]
fn sync_finds_the_manifest_two_directories_up_and_names_it() {
    let work = Work::new();
    let payload = noise(1000);
    let _server = work.serve_one("found", archive(ArchiveFormat::TarGz, payload.clone()));
    let deep = work.dir.path().join("src/deep");
    std::fs::create_dir_all(&deep).unwrap();
    let out = stdout_of(
        work.vx()
            .current_dir(&deep)
            .env_remove("VX_MANIFEST")
            .args(["sync", "--headless", "--store"])
            .arg(work.store()),
        0,
    );
    let text = String::from_utf8_lossy(&out);
    let named = work.manifest().display().to_string();
    assert!(text.contains(&named), "names {named}: {text}");
    assert_eq!(work.installed("found", "1"), expected_tree(&payload));

    // VX_MANIFEST overrides the search; a missing one is named.
    let elsewhere = work.dir.path().join("other.toml");
    work.vx()
        .current_dir(&deep)
        .env("VX_MANIFEST", &elsewhere)
        .args(["sync", "--headless"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(elsewhere.display().to_string()));
}

#[test]
fn without_a_manifest_anywhere_up_the_tree_sync_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    if vx_model::manifest::find(dir.path()).is_some() {
        // A vx.toml above the temp dir would be found, rightly.
        return;
    }
    let mut vx = assert_cmd::Command::cargo_bin("vx").unwrap();
    // No global toolset of the user's stands in for the missing project.
    common::isolated(&mut vx, &dir.path().join("home"));
    vx.current_dir(dir.path())
        .env_remove("VX_MANIFEST")
        .args(["sync", "--headless"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no vx.toml in"))
        .stderr(predicate::str::contains("--manifest PATH"));
}

/// The receipt of `tool@1` in the workspace's store.
fn receipt(work: &Work, tool: &str) -> serde_json::Value {
    let path = crate::common::tree_in(work.store(), tool, "1").join(vx_engine::store::RECEIPT_FILE);
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn os_and_arch_placeholders_pick_this_platforms_asset_and_bins_are_recorded() {
    let work = Work::new();
    let payload = noise(2000);
    let body = archive(ArchiveFormat::TarGz, payload.clone());
    let here = vx_model::manifest::Platform::current();
    let spelled = |name: &str| match name {
        "linux" => "unknown-linux-gnu".to_owned(),
        "x86_64" => "amd64".to_owned(),
        other => other.to_owned(),
    };
    let asset = format!("/t-{}-{}.tar.gz", spelled(&here.arch), spelled(&here.os));
    let server = TestServer::start([(asset.as_str(), Route::Ok(body.clone()))]);
    // Listed bins need not be executables: the link `tool` (Unix; the archive has none
    // on Windows, see `archive`) and a README.
    let listed_bin = if cfg!(unix) { "tool" } else { "bin/tool" };
    work.write_manifest(&format!(
        r#"[tools.plat]
version = "1"
url = "{base}/t-{{arch}}-{{os}}.tar.gz"
replacements = {{ linux = "unknown-linux-gnu", x86_64 = "amd64" }}
strip_components = 1

[tools.plat.platforms.{here}]
sha256 = "{sha}"

[tools.listed]
version = "1"
url = "{base}{asset}"
sha256 = "{sha}"
strip_components = 1
bin = ["{listed_bin}", "doc/README"]

[tools.wrong]
version = "1"
url = "{base}{asset}"
sha256 = "{sha}"
strip_components = 1
bin = ["bin/missing"]
"#,
        base = server.url(""),
        sha = sha256_hex(&body),
    ));
    let summary = work.sync_summary(&[], 1);
    assert_eq!(
        summary["plat"]["result"], "completed",
        "{}",
        summary["plat"]
    );
    assert_eq!(work.installed("plat", "1"), expected_tree(&payload));
    // Found ones are executables: on Windows a file needs a `PATHEXT` extension, which
    // `bin/tool` lacks.
    let found = if cfg!(unix) {
        serde_json::json!(["bin/tool"])
    } else {
        serde_json::json!([])
    };
    assert_eq!(receipt(&work, "plat")["bin"], found);
    assert_eq!(
        receipt(&work, "listed")["bin"],
        serde_json::json!([listed_bin, "doc/README"])
    );
    assert_eq!(summary["wrong"]["exit_code"], 13, "{}", summary["wrong"]);
    let message = summary["wrong"]["message"].as_str().unwrap();
    assert!(
        message.contains("bin `bin/missing` is not in the archive"),
        "{message}"
    );
    assert!(!work.store().join("wrong").exists());
}

#[test]
fn an_installed_tool_is_recorded_cached_by_the_parent_without_a_child() {
    let work = Work::new();
    let payload = noise(1000);
    let _server = work.serve_one("done", archive(ArchiveFormat::TarGz, payload));
    work.sync(&["--headless"]).assert().code(0);

    let dump = work.dir.path().join("again.dump");
    let mut sync = work.spawn_sync(&["--headless", "--dump", dump.to_str().unwrap()]);
    assert!(wait_exit(&mut sync).success());
    let board = vx_shm::BoardReader::open(&dump, vx_shm::Access::ReadOnly).unwrap();
    let slot = board.read_slot(0).unwrap().unwrap();
    assert_eq!(slot.record.phase(), Some(vx_shm::Phase::Skipped));
    // The writer is the board's creator, the `vx sync` process itself.
    assert_eq!(
        slot.record.writer_pid,
        board.info().creator.pid,
        "the parent recorded it: no child was started"
    );
    let tools = work.dump_tools(&dump);
    assert_eq!(tools["done"]["result"], "cached", "{}", tools["done"]);
    let message = tools["done"]["message"].as_str().unwrap();
    assert!(message.starts_with("already installed"), "{message}");
}

#[test]
fn progress_events_come_at_the_interval_asked() {
    let work = Work::new();
    let body = archive(ArchiveFormat::TarGz, noise(3 << 20));
    let sha = sha256_hex(&body);
    // About 4 s of download: the default cadence (3 s, then 6 s more) says it once.
    let server = TestServer::start([("/t.tar.gz", Route::Throttled(Arc::new(body), 800 << 10))]);
    work.write_manifest(&tool_toml("slow", "1.0", &server.url("/t.tar.gz"), &sha));
    let events = json_lines(&stdout_of(
        &mut work.sync(&["--json", "--progress-interval", "1"]),
        0,
    ));
    let at: Vec<u64> = events
        .iter()
        .filter(|e| e["event"] == "progress")
        .map(|e| e["elapsed_ms"].as_u64().unwrap())
        .collect();
    assert!(at.len() >= 2, "{at:?}");
    for pair in at.windows(2) {
        assert!(pair[1] - pair[0] < 2_500, "{at:?}");
    }
}

#[test]
fn a_fractional_progress_interval_is_taken_and_nonsense_is_refused() {
    let work = Work::new();
    let body = archive(ArchiveFormat::TarGz, noise(1 << 20));
    let sha = sha256_hex(&body);
    // At least 1.5 s of download: six quarters of a second.
    let server = slow_server("/t.tar.gz", body);
    work.write_manifest(&tool_toml("slow", "1.0", &server.url("/t.tar.gz"), &sha));
    let events = json_lines(&stdout_of(
        &mut work.sync(&["--json", "--progress-interval", "0.25"]),
        0,
    ));
    let progress = events.iter().filter(|e| e["event"] == "progress").count();
    // The default cadence says nothing before 3 s; a whole-second one at most once.
    assert!(progress >= 4, "{progress} progress events: {events:#?}");

    for (bad, why) in [
        ("0", "more than 0"),
        ("-1", "more than 0"),
        ("NaN", "a number of seconds"),
        ("inf", "a number of seconds"),
        ("1e9", "at most 3600"),
        ("0.01", "at least 0.1"),
        ("soon", "a number of seconds"),
    ] {
        work.sync(&["--progress-interval", bad])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--progress-interval"))
            .stderr(predicate::str::contains(why));
    }
}

#[test]
fn a_checksum_mismatch_keeps_within_columns_and_says_each_fact_whole() {
    let work = Work::new();
    let body = archive(ArchiveFormat::TarGz, noise(10_000));
    // A release-style path: the URL alone is wider than 80 columns.
    let path = "/releases/download/v14.1.1/ripgrep-14.1.1-x86_64-unknown-linux-musl.tar.gz";
    let server = TestServer::start([(path, Route::Ok(body.clone()))]);
    let url = server.url(path);
    assert!(url.len() > 80);
    let wrong = sha256_hex(b"something else");
    work.write_manifest(&tool_toml("ripgrep", "14.1.1", &url, &wrong));
    let got = sha256_hex(&body);

    let out = work
        .sync(&["--headless"])
        .env("COLUMNS", "80")
        .assert()
        .code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    for line in text.lines() {
        let width = line.chars().count();
        // Over 80 only when the line is one word: a hash or URL is never cut.
        assert!(
            width <= 80 || !line.trim_start().contains(' '),
            "{width} columns: {line:?}\n{text}"
        );
    }
    // Each fact on a line of its own, whole, in the failure line and in the summary.
    let words: Vec<&str> = text.split_whitespace().collect();
    for fact in [got.as_str(), wrong.as_str(), url.as_str()] {
        assert_eq!(
            words.iter().filter(|w| **w == fact).count(),
            2,
            "{fact} whole, twice:\n{text}"
        );
    }
    assert!(
        text.contains("vx: ripgrep 14.1.1: failed: checksum mismatch\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("\n    got sha256 {got}\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!("\n    expected {wrong}\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!("\n    from\n        {url}\n")),
        "{text}"
    );

    // JSON keeps the reason whole: one string with the three facts.
    let events = json_lines(&stdout_of(work.sync(&["--json"]).env("COLUMNS", "80"), 1));
    let message = summary(&events)["ripgrep"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!message.contains('\n'), "{message}");
    for fact in [&got, &wrong, &url] {
        assert!(message.contains(fact.as_str()), "{fact}: {message}");
    }
}

#[test]
fn vx_install_without_a_sha256_says_which_flags_to_pass() {
    let work = Work::new();
    let body = archive(ArchiveFormat::Zip, noise(1000));
    let server = TestServer::start([("/t.zip", Route::Ok(body))]);
    let (_, stderr) = output_of(
        work.vx()
            .args(["install", "t@1", "--url"])
            .arg(server.url("/t.zip"))
            .arg("--store")
            .arg(work.store()),
        12,
    );
    // The command line is where the sha256 goes: no manifest is involved.
    assert!(stderr.contains("--sha256 HEX"), "{stderr}");
    assert!(stderr.contains("--allow-unverified"), "{stderr}");
    assert!(!stderr.contains("vx.toml"), "{stderr}");
    assert_eq!(server.hits(), 0, "nothing was downloaded");
    assert!(!work.store().join("t").exists());
}
