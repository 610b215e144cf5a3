//! SIGKILL at the phases `tests/it/signals.rs` does not reach: a child killed while it
//! extracts or runs its post-install step, and the parent killed mid-sync.

// Unix only: SIGKILL and process groups. The Windows process tree (a Job Object) is
// covered by tests/it/windows.rs.
#![cfg(unix)]

use crate::common;

use std::sync::Arc;

use common::*;
use rustix::process::{Pid, Signal, kill_process};
use vx_base::format::ArchiveFormat;
use vx_fixture::{Item, Route, TestServer, noise_seeded, sha256_hex, tar_gz};
use vx_shm::{Access, BoardReader, Phase};

fn kill9(pid: u32) {
    kill_process(Pid::from_raw(pid as i32).unwrap(), Signal::KILL).unwrap();
}

/// Whether `pid` is gone or a zombie (exited, not yet reaped by whoever adopted it).
fn dead(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // `pid (comm) S ...`: the state follows the last `)`.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
    }
}

/// Waits until slot `tool` is in `phase` and returns its writer's pid.
fn wait_phase(board: &BoardReader, tool: &str, phase: Phase) -> u32 {
    wait_for(&format!("{tool} to reach {phase:?}"), || {
        slots(board)
            .into_iter()
            .find(|s| s.record.tool() == tool && s.record.phase() == Some(phase))
            .and_then(|s| s.record.writer())
            .map(|w| w.pid)
    })
}

/// A small tool on its own fast server, as a manifest table.
fn bystander() -> (TestServer, String, Vec<u8>) {
    let payload = noise_seeded(40_000, 5);
    let body = archive(ArchiveFormat::TarGz, payload.clone());
    let server = TestServer::start([("/b.tar.gz", Route::Ok(body.clone()))]);
    let toml = tool_toml(
        "bystander",
        "1",
        &server.url("/b.tar.gz"),
        &sha256_hex(&body),
    );
    (server, toml, payload)
}

/// Runs `vx sync --json --dump` on the manifest, SIGKILLs the child of `victim` once
/// its slot is in `phase` and `ready` has returned, and checks what must hold after:
/// the victim Failed with the signal, no tree and no temp dir for it, the bystander
/// installed, exit 1, and a readable dump. Returns the victim's final summary entry.
fn kill_child_in(
    work: &Work,
    victim: &str,
    phase: Phase,
    ready: impl FnOnce(),
    payload: &[u8],
) -> serde_json::Value {
    let dump = work.dir.path().join("killed.dump");
    let mut sync = work.spawn_sync(&["--json", "--dump", dump.to_str().unwrap()]);
    let board = work.wait_board();
    let pid = wait_phase(&board, victim, phase);
    drop(board);
    ready();
    kill9(pid);

    let status = wait_exit(&mut sync);
    let out = std::io::read_to_string(sync.stdout.take().unwrap()).unwrap();
    assert_eq!(status.code(), Some(1), "{out}");
    let summary = summary(&json_lines(out.as_bytes()));
    let killed = summary[victim].clone();
    assert_eq!(killed["result"], "failed", "{killed}");
    assert_eq!(killed["exit_code"], 137, "{killed}");
    assert!(
        killed["message"].as_str().unwrap().contains("SIGKILL"),
        "{killed}"
    );
    assert_eq!(
        summary["bystander"]["result"], "completed",
        "{}",
        summary["bystander"]
    );
    assert_eq!(work.installed("bystander", "1"), expected_tree(payload));
    assert!(!crate::common::has_tree(work.store(), victim, "1"));
    assert!(
        work.store_tmp().is_empty(),
        "the killed child's work dir is removed: {:?}",
        work.store_tmp()
    );
    assert!(work.board_files().is_empty(), "{:?}", work.board_files());
    let tools = work.dump_tools(&dump);
    assert_eq!(tools[victim]["result"], "failed", "{}", tools[victim]);
    assert_eq!(tools["bystander"]["result"], "completed");
    killed
}

#[test]
fn a_child_killed_while_extracting_fails_with_the_signal_and_leaves_nothing() {
    let work = Work::new();
    // 100 000 small files in 100 directories: seconds of file creation, from a file://
    // URL so the download phase is over at once.
    let mut items = Vec::new();
    for i in 0..100_000 {
        let name = format!("pkg/d{}/f{i}", i % 100);
        items.push(Item::File(
            Box::leak(name.into_boxed_str()),
            format!("{i}\n").into_bytes(),
            0o644,
        ));
    }
    let big = tar_gz(&items);
    let path = work.dir.path().join("many.tar.gz");
    std::fs::write(&path, &big).unwrap();
    let (_server, mut toml, payload) = bystander();
    toml.push_str(&tool_toml("many", "1", &file_url(&path), &sha256_hex(&big)));
    work.write_manifest(&toml);
    kill_child_in(&work, "many", Phase::Extracting, || (), &payload);
}

/// A project of `BATCH_FROM` small tools at `-j 1`: one child takes them all as a
/// batch. `t01`'s download is slow, and its child is killed (SIGKILL) during it. `t00`,
/// installed before by the same child, stays Completed; `t01` fails with the signal
/// (as a tool alone in a killed child does); the tools the child never started run
/// again, each in a child of its own, once, and install.
#[test]
fn a_batched_child_killed_mid_batch_fails_its_current_tool_and_the_rest_run_again_alone() {
    let work = Work::new();
    let count = vx_sync::BATCH_FROM;
    // t01's archive is a larger one: 1.5 MiB at 64 KiB/s, 24 s, under way when its
    // child is killed.
    let big = Arc::new(archive(ArchiveFormat::TarGz, noise_seeded(3 << 19, 1)));
    let (_server, tools) = numbered_tools(&work, count, |name, _| {
        (name == "t01").then(|| Route::Throttled(big.clone(), 64 << 10))
    });
    let manifest = std::fs::read_to_string(work.manifest())
        .unwrap()
        .replace(&tools[1].sha256, &sha256_hex(&big));
    work.write_manifest(&manifest);

    let dump = work.dir.path().join("batch.dump");
    let mut sync = work.spawn_sync(&["--json", "-j", "1", "--dump", dump.to_str().unwrap()]);
    // Kept mapped: the slots stay readable after the sync removes the board.
    let board = work.wait_board();
    let pid = wait_phase(&board, "t01", Phase::Downloading);
    let before = slots(&board);
    let slot = |snaps: &[vx_shm::SlotSnapshot], name: &str| {
        snaps
            .iter()
            .find(|s| s.record.tool() == name)
            .cloned()
            .unwrap()
    };
    // One child for the batch: t00 done by it, t02 not started yet.
    let first = slot(&before, "t00");
    assert_eq!(first.record.phase(), Some(Phase::Completed));
    assert_eq!(first.record.writer().map(|w| w.pid), Some(pid));
    assert_eq!(slot(&before, "t02").record.phase(), Some(Phase::Queued));
    kill9(pid);

    let status = wait_exit(&mut sync);
    let out = std::io::read_to_string(sync.stdout.take().unwrap()).unwrap();
    assert_eq!(status.code(), Some(1), "{out}");
    let summary = summary(&json_lines(out.as_bytes()));
    let killed = &summary["t01"];
    assert_eq!(killed["result"], "failed", "{killed}");
    assert_eq!(killed["exit_code"], 137, "{killed}");
    assert!(
        killed["message"].as_str().unwrap().contains("SIGKILL"),
        "{killed}"
    );
    assert!(!crate::common::has_tree(work.store(), "t01", "1"));
    let after = slots(&board);
    for tool in tools.iter().filter(|tool| tool.name != "t01") {
        assert_eq!(summary[&tool.name]["result"], "completed", "{}", tool.name);
        assert_eq!(
            work.installed(&tool.name, "1"),
            expected_tree(&tool.payload),
            "{}",
            tool.name
        );
        if tool.name == "t00" {
            continue;
        }
        // Run again, once, by another child.
        let snap = slot(&after, &tool.name);
        assert_ne!(
            snap.record.writer().map(|w| w.pid),
            Some(pid),
            "{}",
            tool.name
        );
        assert_eq!(snap.record.attempt, 1, "{}", tool.name);
    }
    assert!(work.store_tmp().is_empty(), "{:?}", work.store_tmp());
    assert!(work.board_files().is_empty(), "{:?}", work.board_files());
    let dumped = work.dump_tools(&dump);
    assert_eq!(dumped["t01"]["result"], "failed", "{}", dumped["t01"]);
    assert_eq!(dumped["t15"]["result"], "completed", "{}", dumped["t15"]);
}

#[test]
fn a_child_killed_during_post_install_fails_and_its_command_is_killed_too() {
    let work = Work::new();
    let body = archive(ArchiveFormat::TarXz, noise_seeded(30_000, 3));
    let server = TestServer::start([("/p.tar.xz", Route::Ok(body.clone()))]);
    let pid_file = work.dir.path().join("post.pid");
    let (_bystander, mut toml, payload) = bystander();
    toml.push_str(&tool_toml(
        "post",
        "1",
        &server.url("/p.tar.xz"),
        &sha256_hex(&body),
    ));
    work.write_manifest(&toml);
    work.set_post_install(
        "post",
        &format!("\"echo $$ > '{}'; exec sleep 300\"", pid_file.display()),
    );
    // The slot shows PostInstall just before the child spawns the command, so a kill
    // at once could come before the spawn (and leave nothing to check). The kill waits
    // until the command has written its pid: it is surely running then.
    let mut sleeper = 0;
    let start = std::time::Instant::now();
    let killed = kill_child_in(
        &work,
        "post",
        Phase::PostInstall,
        || sleeper = sleeper_pid(&pid_file),
        &payload,
    );
    assert!(start.elapsed().as_secs() < 25, "{:?}", start.elapsed());
    assert!(killed["message"].as_str().unwrap().contains("SIGKILL"));
    // The post-install command (its shell exec'd into `sleep 300`, longer than any wait
    // here) went with the child: the parent killed the child's process group.
    wait_for("the post-install command to be killed", || {
        dead(sleeper).then_some(())
    });
}

#[test]
fn a_killed_parent_stops_its_children_and_a_rerun_completes() {
    let work = Work::new();
    let names = ["p1", "p2"];
    let mut bodies = Vec::new();
    let mut routes = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let payload = noise_seeded(3 << 19, 40 + i as u64);
        let body = Arc::new(archive(ArchiveFormat::TarGz, payload.clone()));
        // 24 s per download at 64 KiB/s: nothing finishes before the kill.
        routes.push((
            format!("/{name}.tar.gz"),
            Route::Throttled(body.clone(), 64 << 10),
        ));
        bodies.push((*name, payload, body));
    }
    let slow = TestServer::start(routes);
    let manifest = |server: &TestServer| -> String {
        bodies
            .iter()
            .map(|(name, _, body)| {
                tool_toml(
                    name,
                    "1",
                    &server.url(&format!("/{name}.tar.gz")),
                    &sha256_hex(body),
                )
            })
            .collect()
    };
    work.write_manifest(&manifest(&slow));

    let mut sync = work.spawn_sync(&["--headless"]);
    let board = work.wait_board();
    let segment = work.board_files();
    let children: Vec<u32> = names
        .iter()
        .map(|name| {
            wait_for("downloads under way", || {
                slots(&board)
                    .into_iter()
                    .find(|s| {
                        s.record.tool() == *name
                            && s.record.phase() == Some(Phase::Downloading)
                            && s.record.bytes_done > 0
                    })
                    .and_then(|s| s.record.writer())
                    .map(|w| w.pid)
            })
        })
        .collect();
    kill9(sync.id());
    assert!(wait_exit(&mut sync).code().is_none(), "killed by a signal");

    // The children get their parent-death signal, cancel, clean up and exit.
    for &pid in &children {
        wait_for(&format!("child {pid} to stop"), || dead(pid).then_some(()));
    }
    // They removed their own work dirs (nothing was left for a next run to clean).
    assert!(work.store_tmp().is_empty(), "{:?}", work.store_tmp());
    for name in names {
        assert!(!work.store().join(name).exists());
    }
    // The orphaned segment is still there, with each child's last word in it.
    assert_eq!(work.board_files(), segment);
    for snap in slots(&board) {
        assert_eq!(
            snap.record.phase(),
            Some(Phase::Cancelled),
            "{}: {}",
            snap.record.tool(),
            snap.record.message()
        );
    }
    drop(board);
    let path = work.boards().join(&segment[0]);
    assert!(BoardReader::open(&path, Access::ReadOnly).is_ok());
    // `vx board dump` says its sync is gone (it said "running").
    let id = segment[0].trim_start_matches("vx-board-");
    let out = work
        .vx()
        .args(["board", "dump", id, "--json"])
        .output()
        .unwrap();
    let dumped: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(dumped["state"], "abandoned", "{dumped}");
    // The next sync removes it, one with nothing to install too (`vx board clean`
    // does as much by hand: tests/it/sync.rs).
    work.write_manifest("[tools]\n");
    work.sync(&["--headless"]).assert().code(0);
    assert!(work.board_files().is_empty(), "{:?}", work.board_files());

    // A re-run against a fast server installs exact trees.
    let fast = TestServer::start(
        bodies
            .iter()
            .map(|(name, _, body)| (format!("/{name}.tar.gz"), Route::Ok(body.to_vec()))),
    );
    work.write_manifest(&manifest(&fast));
    work.sync(&["--headless"]).assert().code(0);
    for (name, payload, _) in &bodies {
        assert_eq!(work.installed(name, "1"), expected_tree(payload), "{name}");
    }
    work.assert_left_nothing_behind();
}

/// One tool whose `post_install` forks `sleep 300` (the shell stays, so the sleeper is a
/// grandchild of the installer), writes the sleeper's pid to a file and waits for it.
/// The command starts with `first` (`trap …; ` or nothing). Returns the server and
/// the pid file.
fn forking_post_install_after(work: &Work, first: &str) -> (TestServer, std::path::PathBuf) {
    let body = archive(ArchiveFormat::TarGz, noise_seeded(1000, 9));
    let pid_file = work.dir.path().join("sleeper.pid");
    let server = work.serve_one("post", body);
    work.set_post_install(
        "post",
        &format!(
            "\"{first}sleep 300 & echo $! > '{}'; wait\"",
            pid_file.display()
        ),
    );
    (server, pid_file)
}

/// The pid a post-install command wrote to `pid_file`, once it has.
fn sleeper_pid(pid_file: &std::path::Path) -> u32 {
    wait_for("the post-install command to start", || {
        std::fs::read_to_string(pid_file).ok()?.trim().parse().ok()
    })
}

/// Runs a sync whose `post_install` forks a sleeper, applies `interrupt` to the sync
/// once the sleeper runs, and waits until the sleeper has been killed too. Returns the
/// sync's exit status.
fn interrupt_post_install(
    work: &Work,
    interrupt: impl FnOnce(&mut std::process::Child),
) -> std::process::ExitStatus {
    interrupt_post_install_after(work, "", interrupt)
}

/// [`interrupt_post_install`] with the command starting with `first`.
fn interrupt_post_install_after(
    work: &Work,
    first: &str,
    interrupt: impl FnOnce(&mut std::process::Child),
) -> std::process::ExitStatus {
    let (_server, pid_file) = forking_post_install_after(work, first);
    let mut sync = work.spawn_sync(&["--headless"]);
    let sleeper = sleeper_pid(&pid_file);
    interrupt(&mut sync);
    let status = wait_exit(&mut sync);
    wait_for("the forked post-install process to be killed", || {
        dead(sleeper).then_some(())
    });
    status
}

#[test]
fn sigint_during_post_install_exits_130_and_leaves_no_command_running() {
    let work = Work::new();
    let status = interrupt_post_install(&work, |sync| {
        kill_process(Pid::from_raw(sync.id() as i32).unwrap(), Signal::INT).unwrap();
    });
    assert_eq!(status.code(), Some(130));
    assert!(!work.store().join("post").exists());
}

#[test]
fn cancelling_a_tool_during_post_install_leaves_no_command_running() {
    let work = Work::new();
    let status = interrupt_post_install(&work, |_| work.cancel_tool("post"));
    assert_eq!(status.code(), Some(1));
    assert!(!work.store().join("post").exists());
}

#[test]
fn a_parent_killed_during_post_install_leaves_no_command_running() {
    let work = Work::new();
    // Nobody is left to kill the child's process group: the child must end it.
    let status = interrupt_post_install(&work, |sync| kill9(sync.id()));
    assert_eq!(status.code(), None, "killed by a signal");
}

/// Audit finding 6: with the parent gone, a `post_install` whose command ignores
/// SIGTERM (the cancel the child sends its group) is killed with SIGKILL after the
/// grace, forks included.
#[test]
fn a_parent_killed_during_a_post_install_ignoring_sigterm_leaves_no_command_running() {
    let work = Work::new();
    let status =
        interrupt_post_install_after(&work, "trap '' TERM INT HUP; ", |sync| kill9(sync.id()));
    assert_eq!(status.code(), None, "killed by a signal");
}

/// Issue 79, item 6: with `vx sync` SIGKILLed, what an install child started and that
/// rolls back or ignores SIGTERM (`npm ci` undoing its `node_modules`, here a
/// `post_install` that traps it) ends within a second and a half of the kill, not
/// after the 2 to 3 s of grace a cancel that someone watches gets: `npm ci` was still
/// running 3 s after the kill.
#[test]
fn a_parent_killed_ends_an_install_command_ignoring_sigterm_at_once() {
    let work = Work::new();
    let (_server, pid_file) = forking_post_install_after(&work, "trap '' TERM INT HUP; ");
    let mut sync = work.spawn_sync(&["--headless"]);
    let sleeper = sleeper_pid(&pid_file);
    kill9(sync.id());
    let killed = std::time::Instant::now();
    wait_exit(&mut sync);
    let bound = std::time::Duration::from_millis(1500);
    while !dead(sleeper) && killed.elapsed() < bound {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        dead(sleeper),
        "the install's command still runs {:?} after vx sync was killed",
        killed.elapsed()
    );
}
