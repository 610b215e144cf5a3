//! Interrupts and crashes: SIGINT to `vx sync`, and a child killed with SIGKILL.

// Unix only: SIGINT and SIGKILL. Windows interruption is covered by tests/it/windows.rs.
#![cfg(unix)]

use crate::common;

use std::sync::Arc;

use common::*;
use rustix::process::{Pid, Signal, kill_process};
use vx_base::format::ArchiveFormat;
use vx_fixture::{Route, TestServer, noise_seeded, sha256_hex};
use vx_shm::Phase;

/// Slow tools (1.5 MiB each, served at `rate` bytes/s) in the manifest, and the server.
fn slow_tools(work: &Work, names: &[&str], rate: u64) -> TestServer {
    let mut routes = Vec::new();
    let mut toml = String::new();
    for (i, name) in names.iter().enumerate() {
        let body = Arc::new(archive(
            ArchiveFormat::TarGz,
            noise_seeded(3 << 19, i as u64),
        ));
        toml.push_str(&tool_toml(
            name,
            "1",
            &format!("{{url}}/{name}.tar.gz"),
            &sha256_hex(&body),
        ));
        routes.push((format!("/{name}.tar.gz"), Route::Throttled(body, rate)));
    }
    let server = TestServer::start(routes);
    work.write_manifest(&toml.replace("{url}", &server.url("")));
    server
}

/// Waits until every slot named in `names` is downloading with some bytes in.
fn wait_downloading(board: &vx_shm::BoardReader, names: &[&str]) -> Vec<vx_shm::SlotSnapshot> {
    wait_for("downloads to be under way", || {
        let slots = slots(board);
        let all = names.iter().all(|name| {
            slots.iter().any(|s| {
                s.record.tool() == *name
                    && s.record.phase() == Some(Phase::Downloading)
                    && s.record.bytes_done > 0
            })
        });
        all.then_some(slots)
    })
}

#[test]
fn sigint_cancels_every_child_and_exits_130_leaving_nothing_behind() {
    let work = Work::new();
    let names = ["a", "b", "c"];
    // 12 s per download: nothing can finish before the interrupt.
    let _server = slow_tools(&work, &names, 128 << 10);
    let dump = work.dir.path().join("interrupted.dump");
    let mut sync = work.spawn_sync(&["--json", "-j", "2", "--dump", dump.to_str().unwrap()]);
    let board = work.wait_board();
    let slots = wait_downloading(&board, &names[..2]);
    let children: Vec<u32> = slots
        .iter()
        .filter_map(|s| s.record.writer())
        .map(|w| w.pid)
        .collect();
    assert_eq!(children.len(), 2, "two children at -j 2");
    drop(board);

    kill_process(Pid::from_raw(sync.id() as i32).unwrap(), Signal::INT).unwrap();
    let status = wait_exit(&mut sync);
    assert_eq!(status.code(), Some(130));
    let out = std::io::read_to_string(sync.stdout.take().unwrap()).unwrap();
    let events = json_lines(out.as_bytes());
    let summary = summary(&events);
    assert_eq!(events.last().unwrap()["interrupted"], true);
    for name in names {
        assert_eq!(summary[name]["result"], "cancelled", "{}", summary[name]);
    }
    for pid in children {
        assert!(!process_exists(pid), "child {pid} is still there");
    }
    work.assert_left_nothing_behind();
    for name in names {
        assert!(!work.store().join(name).exists());
    }
    // The dump is written on interrupt too, and says so.
    let value = work.dump_json(&dump);
    assert_eq!(value["state"], "interrupted");
    assert!(
        value["tools"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["result"] == "cancelled")
    );
}

/// `work`'s project of `BATCH_FROM` small tools (`t00`, `t01`, …), enough for one
/// child to take them as a batch, whose first, `t00`, is 1.5 MiB served at 128 KiB/s
/// (12 s; its bytes from `seed`; the manifest names its sha256): the server, to keep
/// alive, and the tools as [`numbered_tools`] made them.
fn batch_with_a_slow_first_tool(work: &Work, seed: u64) -> (TestServer, Vec<Numbered>) {
    let body = Arc::new(archive(ArchiveFormat::TarGz, noise_seeded(3 << 19, seed)));
    let (server, tools) = numbered_tools(work, vx_sync::BATCH_FROM, |name, _| {
        (name == "t00").then(|| Route::Throttled(body.clone(), 128 << 10))
    });
    let manifest = std::fs::read_to_string(work.manifest())
        .unwrap()
        .replace(&tools[0].sha256, &sha256_hex(&body));
    work.write_manifest(&manifest);
    (server, tools)
}

/// A project of `BATCH_FROM` small tools at `-j 1`, one child taking them all as a
/// batch: SIGINT while its first tool downloads cancels that one and every tool of the
/// batch not started yet (none is started after the interrupt), exit 130, nothing left.
#[test]
fn sigint_during_a_batch_cancels_each_of_its_tools() {
    let work = Work::new();
    let (_server, tools) = batch_with_a_slow_first_tool(&work, 3);
    let mut sync = work.spawn_sync(&["--json", "-j", "1"]);
    let board = work.wait_board();
    let child = wait_downloading(&board, &["t00"])
        .iter()
        .find(|s| s.record.tool() == "t00")
        .and_then(|s| s.record.writer())
        .expect("t00's writer")
        .pid;

    kill_process(Pid::from_raw(sync.id() as i32).unwrap(), Signal::INT).unwrap();
    let status = wait_exit(&mut sync);
    assert_eq!(status.code(), Some(130));
    let out = std::io::read_to_string(sync.stdout.take().unwrap()).unwrap();
    let summary = summary(&json_lines(out.as_bytes()));
    for tool in &tools {
        let entry = &summary[&tool.name];
        assert_eq!(entry["result"], "cancelled", "{}: {entry}", tool.name);
        assert!(!work.store().join(&tool.name).exists(), "{}", tool.name);
    }
    // No tool started after the interrupt: nothing else was downloaded.
    for snap in slots(&board) {
        assert_eq!(snap.record.phase(), Some(Phase::Cancelled));
        if snap.record.tool() != "t00" {
            assert_eq!(snap.record.bytes_done, 0, "{}", snap.record.tool());
        }
    }
    assert!(!process_exists(child), "child {child} is still there");
    work.assert_left_nothing_behind();
}

/// The dashboard's cancel of one tool of a batch (a request on its slot) cancels that
/// tool only: the child goes on with the rest of its batch, which installs.
#[test]
fn cancelling_one_tool_of_a_batch_leaves_the_others_to_install() {
    let work = Work::new();
    let (_server, tools) = batch_with_a_slow_first_tool(&work, 4);
    let mut sync = work.spawn_sync(&["--json", "-j", "1"]);
    let board = work.wait_board();
    wait_downloading(&board, &["t00"]);
    work.cancel_tool("t00");
    let status = wait_exit(&mut sync);
    let out = std::io::read_to_string(sync.stdout.take().unwrap()).unwrap();
    assert_eq!(status.code(), Some(1), "{out}");
    let summary = summary(&json_lines(out.as_bytes()));
    assert_eq!(summary["t00"]["result"], "cancelled", "{}", summary["t00"]);
    for tool in &tools[1..] {
        assert_eq!(summary[&tool.name]["result"], "completed", "{}", tool.name);
        assert_eq!(
            work.installed(&tool.name, "1"),
            expected_tree(&tool.payload)
        );
    }
    // One child did it all.
    let writers = slot_writers(&board);
    assert_eq!(writers.len(), 1, "{writers:?}");
    work.assert_left_nothing_behind();
}

#[test]
fn a_child_killed_mid_download_is_reported_failed_while_the_others_complete() {
    let work = Work::new();
    let names = ["victim", "other"];
    let server = slow_tools(&work, &names, 512 << 10);
    let small = archive(ArchiveFormat::Zip, noise_seeded(50_000, 99));
    // A fast third tool on a second server.
    let fast = TestServer::start([("/fast.zip", Route::Ok(small.clone()))]);
    let mut toml = std::fs::read_to_string(work.manifest()).unwrap();
    toml.push_str(&tool_toml(
        "fast",
        "1",
        &fast.url("/fast.zip"),
        &sha256_hex(&small),
    ));
    work.write_manifest(&toml);

    let mut sync = work.spawn_sync(&["--json"]);
    let board = work.wait_board();
    let slots = wait_downloading(&board, &["victim"]);
    let victim = slots
        .iter()
        .find(|s| s.record.tool() == "victim")
        .and_then(|s| s.record.writer())
        .expect("the victim's writer pid");
    drop(board);
    kill_process(Pid::from_raw(victim.pid as i32).unwrap(), Signal::KILL).unwrap();

    let status = wait_exit(&mut sync);
    assert_eq!(status.code(), Some(1));
    let out = std::io::read_to_string(sync.stdout.take().unwrap()).unwrap();
    let summary = summary(&json_lines(out.as_bytes()));
    let killed = &summary["victim"];
    assert_eq!(killed["result"], "failed", "{killed}");
    assert_eq!(killed["exit_code"], 137, "{killed}");
    assert!(
        killed["message"].as_str().unwrap().contains("SIGKILL"),
        "{killed}"
    );
    assert_eq!(summary["other"]["result"], "completed");
    assert_eq!(summary["fast"]["result"], "completed");
    assert!(!work.store().join("victim").exists());
    assert!(
        work.store_tmp().is_empty(),
        "the killed child's work dir is removed: {:?}",
        work.store_tmp()
    );
    assert!(work.board_files().is_empty());
    drop(server);
}

#[test]
fn an_interrupted_syncs_lines_say_cancelled_once_and_count_in_the_singular() {
    let work = Work::new();
    // 12 s of download: nothing finishes before the interrupt.
    let _server = slow_tools(&work, &["only"], 128 << 10);
    let mut sync = work.spawn_sync(&["--headless"]);
    let board = work.wait_board();
    wait_downloading(&board, &["only"]);
    drop(board);
    kill_process(Pid::from_raw(sync.id() as i32).unwrap(), Signal::INT).unwrap();
    assert_eq!(wait_exit(&mut sync).code(), Some(130));
    let out = std::io::read_to_string(sync.stdout.take().unwrap()).unwrap();
    // The result is said once: its reason adds nothing to it.
    assert!(!out.contains("cancelled: cancelled"), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.contains(&"vx: only 1: cancelled"), "{out}");
    assert!(!lines.contains(&"only 1: cancelled"), "{out}");
    assert!(lines.iter().any(|l| l.starts_with("1 tool in ")), "{out}");
    assert!(!out.contains("1 tools"), "{out}");
}

/// Issue 63, item 7: a tool whose install Ctrl-C cancelled is not remembered as a
/// failure. `vx exec` after the interrupted sync installs it and runs it; it answered
/// `not installed: a (its install failed: cancelled)`.
#[test]
fn a_cancelled_install_is_not_remembered_as_a_failure() {
    let work = Work::new();
    // About 3 s to download: under way when interrupted, quick to install after.
    let server = slow_tools(&work, &["a"], 512 << 10);
    let mut sync = work.vx_std();
    sync.current_dir(work.dir.path())
        .args(["sync", "--headless"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut sync = sync.spawn().unwrap();
    let board = work.wait_board();
    wait_downloading(&board, &["a"]);
    drop(board);
    kill_process(Pid::from_raw(sync.id() as i32).unwrap(), Signal::INT).unwrap();
    assert_eq!(wait_exit(&mut sync).code(), Some(130));
    let hits = server.hits();

    let out = work
        .vx()
        .current_dir(work.dir.path())
        .args(["exec", "--", "tool"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hi\n");
    assert!(server.hits() > hits, "installed by vx exec");
}
