//! Services and up-to-date tasks, end to end: a service's dependents start once its
//! `ready` check passes (a log line, a TCP port, an HTTP URL answering 2xx), a service
//! that never becomes ready fails with its last lines, `vx run dev` keeps services in
//! the foreground until Ctrl-C, and a task whose `sources` are unchanged since its last
//! success (outputs present) is skipped as up to date unless `--force`.

#![cfg(unix)]

use crate::common;

use std::process::{Command, Stdio};

use common::{Work, wait_for};

/// A port nobody listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `vx` child that is killed if the test fails before it ends it.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn python() -> bool {
    let ok = Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: no python3");
    }
    ok
}

#[test]
fn dependents_start_when_a_log_line_says_ready() {
    // The service announces (file) just before its ready line; the client checks the
    // announcement exists, so it can only pass if it started after the line.
    let work = Work::with_tasks(
        r#"[tasks]
srv = { run = "echo booting; sleep 0.3; touch announced; echo 'listening on 1234'; while :; do sleep 1; done", service = true, ready = { log = "listening on \\d+", timeout = "20s" } }
client = { run = "test -f announced && touch client.ok", depends = ["srv"] }
"#,
    );
    let (code, _, stderr) = work.run_tasks(&["client"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(work.dir.path().join("client.ok").exists(), "{stderr}");
}

#[test]
fn dependents_start_when_a_port_or_an_http_url_answers() {
    if !python() {
        return;
    }
    let (port, http) = (free_port(), free_port());
    let work = Work::with_tasks(&format!(
        r#"[tasks]
tcp = {{ run = "sleep 0.3; exec python3 -c 'import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((\"127.0.0.1\", {port})); s.listen(); time.sleep(300)'", service = true, ready = {{ port = {port}, timeout = "30s" }} }}
web = {{ run = "sleep 0.3; exec python3 -m http.server {http} --bind 127.0.0.1", service = true, ready = {{ http = "http://127.0.0.1:{http}/", timeout = "30s" }} }}
client = {{ run = "python3 -c 'import socket,urllib.request; socket.create_connection((\"127.0.0.1\", {port})); urllib.request.urlopen(\"http://127.0.0.1:{http}/\")' && touch client.ok", depends = ["tcp", "web"] }}
"#
    ));
    let (code, _, stderr) = work.run_tasks(&["client"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(work.dir.path().join("client.ok").exists());
    // The services were stopped at the end of the run: the ports are free again.
    wait_for("the port to be free", || {
        std::net::TcpListener::bind(("127.0.0.1", port))
            .ok()
            .map(|_| ())
    });
}

#[test]
fn a_service_never_ready_fails_with_its_last_lines() {
    let work = Work::with_tasks(
        r#"[tasks]
srv = { run = "echo booting; echo 'still booting'; while :; do sleep 1; done", service = true, ready = { port = 9, timeout = "1s" } }
client = { run = "touch client.ran", depends = ["srv"] }
"#,
    );
    let (code, _, stderr) = work.run_tasks(&["client"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("vx: task `srv` failed: not ready after 1s: no port 9 accepting connections; its last lines:\n  booting\n  still booting\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("cancelled `client` (not started): `srv` failed"),
        "{stderr}"
    );
    assert!(!work.dir.path().join("client.ran").exists());
}

#[test]
fn dev_keeps_services_in_the_foreground_until_ctrl_c() {
    let work = Work::with_tasks(
        r#"[tasks]
api = { run = "trap 'touch api.stopped; exit 0' INT; touch api.up; echo ready; while :; do sleep 0.05; done", service = true, ready = { log = "ready" } }
web = { run = "trap 'touch web.stopped; exit 0' INT; touch web.up; echo ready; while :; do sleep 0.05; done", service = true, ready = { log = "ready" } }
dev = { depends = ["api", "web"] }
"#,
    );
    let mut vx = work.vx_process(&["run", "dev"]);
    vx.stdout(Stdio::null()).stderr(Stdio::null());
    let mut vx = Running(vx.spawn().unwrap());
    wait_for("both services", || {
        (work.dir.path().join("api.up").exists() && work.dir.path().join("web.up").exists())
            .then_some(())
    });
    assert!(vx.0.try_wait().unwrap().is_none(), "vx keeps running");
    // A second `vx run dev` of the project is told the services are up (the board
    // says so), instead of starting copies that would clash on their ports.
    let (code, _, err) = work.run_tasks(&["dev"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("is already running in this project")
            && err.contains(&format!("pid {}", vx.0.id()))
            && err.contains("vx logs -f"),
        "{err}"
    );
    let pid = rustix::process::Pid::from_raw(vx.0.id() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    let status = common::wait_exit(&mut vx.0);
    assert_eq!(status.code(), Some(130));
    assert!(work.dir.path().join("api.stopped").exists());
    assert!(work.dir.path().join("web.stopped").exists());
}

#[test]
fn unchanged_sources_are_up_to_date_until_they_change() {
    let work = Work::with_tasks(
        r#"[tasks]
build = { run = "echo run >> runs; mkdir -p out; cat src/*.txt > out/all", sources = ["src/**/*.txt"], outputs = ["out/all"] }
"#,
    );
    let src = work.dir.path().join("src");
    std::fs::create_dir_all(src.join("sub")).unwrap();
    std::fs::write(src.join("a.txt"), "a\n").unwrap();
    std::fs::write(src.join("sub/b.txt"), "b\n").unwrap();
    let runs = || {
        std::fs::read_to_string(work.dir.path().join("runs"))
            .unwrap_or_default()
            .lines()
            .count()
    };
    assert_eq!(work.run_tasks(&["build"]).0, 0);
    assert_eq!(runs(), 1);
    let (code, _, stderr) = work.run_tasks(&["build"]);
    assert_eq!((code, runs()), (0, 1), "{stderr}");
    assert!(stderr.contains("vx: `build` is up to date"), "{stderr}");
    // A change deep in the sources runs it again.
    std::fs::write(src.join("sub/b.txt"), "b2\n").unwrap();
    assert_eq!(work.run_tasks(&["build"]).0, 0);
    assert_eq!(runs(), 2);
    // A missing output is not up to date; its result, kept by its key
    // (tests/it/tasks_cache.rs), is restored rather than made again.
    std::fs::remove_file(work.dir.path().join("out/all")).unwrap();
    let (code, _, stderr) = work.run_tasks(&["build"]);
    assert_eq!((code, runs()), (0, 2), "{stderr}");
    assert!(stderr.contains("vx: `build` restored (key "), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(work.dir.path().join("out/all")).unwrap(),
        "a\n",
        "what the task wrote"
    );
    // --force runs it whatever.
    assert_eq!(work.run_tasks(&["--force", "build"]).0, 0);
    assert_eq!(runs(), 3);
    // A failure records nothing: the next run tries again.
    std::fs::write(src.join("a.txt"), "changed\n").unwrap();
    work.write_manifest(
        "[tools]\n\n[tasks]\nbuild = { run = \"echo run >> runs; exit 1\", sources = [\"src/**/*.txt\"] }\n",
    );
    assert_eq!(work.run_tasks(&["build"]).0, 1);
    assert_eq!(work.run_tasks(&["build"]).0, 1);
    assert_eq!(runs(), 5);
}

#[test]
fn watch_runs_again_when_a_source_changes_cancelling_a_run_in_progress() {
    // Each run appends a line, then (while `src/hold` exists) waits, stopped by a
    // signal it records; a change while it waits cancels it and starts it again. The
    // trap takes a moment, so that a stop signal delivered twice (the guard once
    // signalled the task's shell with its group, then again on its own) shows as two
    // `cancelled` lines rather than only under load.
    let work = Work::with_tasks(
        r#"[tasks]
build = { run = "trap 'echo cancelled >> runs; sleep 0.2; exit 1' INT TERM; echo run >> runs; while [ -f src/hold ]; do sleep 0.05; done; echo done >> runs", sources = ["src/*.txt"] }
"#,
    );
    let src = work.dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("a.txt"), "1").unwrap();
    std::fs::write(src.join("hold"), "").unwrap();
    let runs = || std::fs::read_to_string(work.dir.path().join("runs")).unwrap_or_default();
    let mut vx = work.vx_process(&["run", "--watch", "build"]);
    vx.stdout(Stdio::null())
        .stderr(std::fs::File::create(work.dir.path().join("vx.err")).unwrap());
    let mut vx = Running(vx.spawn().unwrap());
    // Waits for `runs` to read `expected`; a timeout shows what it reads and what vx said.
    let until = |what: &str, expected: &str| {
        let start = std::time::Instant::now();
        while runs() != expected {
            assert!(
                start.elapsed() < common::DEADLINE,
                "timed out waiting for {what}: runs {:?}, vx said {:?}",
                runs(),
                std::fs::read_to_string(work.dir.path().join("vx.err")).unwrap_or_default()
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    until("the first run", "run\n");
    // A change while it runs: cancelled, run again.
    std::fs::write(src.join("a.txt"), "2").unwrap();
    until("the second run", "run\ncancelled\nrun\n");
    // Let it finish; a later change runs it once more.
    std::fs::remove_file(src.join("hold")).unwrap();
    until("the second run's end", "run\ncancelled\nrun\ndone\n");
    std::fs::write(src.join("a.txt"), "3").unwrap();
    until("the third run", "run\ncancelled\nrun\ndone\nrun\ndone\n");
    let pid = rustix::process::Pid::from_raw(vx.0.id() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    assert_eq!(common::wait_exit(&mut vx.0).code(), Some(130));
}

/// Issue 79, item 7: `--watch` of a task whose `sources` reach everything (`**/*`) and
/// whose `outputs` are `dist/**` started itself again by writing its outputs, and by
/// vx's own writes where they lie in the project (its state, results cache and boards:
/// here all in the workspace, as a `.cache` in a home-directory project would be).
/// What the run writes itself never counts: it runs once per change of a source.
#[test]
fn watch_is_not_started_again_by_what_the_run_writes_itself() {
    let outside = tempfile::tempdir().unwrap();
    let runs_file = outside.path().join("runs");
    let err_file = outside.path().join("vx.err");
    let work = Work::with_tasks(&format!(
        r#"[tasks]
build = {{ run = "mkdir -p dist/js && echo built > dist/js/app.js && echo run >> '{}'", sources = ["**/*"], outputs = ["dist/**"] }}
"#,
        runs_file.display()
    ));
    std::fs::write(work.dir.path().join("a.txt"), "1").unwrap();
    let runs = || std::fs::read_to_string(&runs_file).unwrap_or_default();
    let said = || std::fs::read_to_string(&err_file).unwrap_or_default();
    let mut vx = work.vx_process(&["run", "--watch", "build"]);
    vx.stdout(Stdio::null())
        .stderr(std::fs::File::create(&err_file).unwrap());
    let mut vx = Running(vx.spawn().unwrap());
    let watching = |n: usize| said().matches("watching the tasks' sources").count() >= n;
    wait_for("the first run's end", || watching(1).then_some(()));
    std::fs::write(work.dir.path().join("a.txt"), "2").unwrap();
    wait_for("the second run's end", || watching(2).then_some(()));
    let pid = rustix::process::Pid::from_raw(vx.0.id() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    assert_eq!(common::wait_exit(&mut vx.0).code(), Some(130));
    let said = said();
    assert_eq!(runs(), "run\nrun\n", "{said}");
    assert_eq!(said.matches("changed: running again").count(), 1, "{said}");
    assert!(said.contains("a.txt changed: running again"), "{said}");
}

#[test]
fn an_http_check_that_trickles_is_given_up_on_at_the_timeout() {
    // A server that answers a byte every 1.5 s: each read is quick enough, the answer
    // never is. The check gives up at the service's timeout, not after the twelve
    // reads (issue 66, item 2).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                use std::io::Write;
                let mut stream = stream;
                for byte in b"HTTP/1.0 200 OK\r\n\r\n" {
                    if stream.write_all(&[*byte]).is_err() {
                        return;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(1500));
                }
            });
        }
    });
    let work = Work::with_tasks(&format!(
        r#"[tasks]
srv = {{ run = "while :; do sleep 1; done", service = true, ready = {{ http = "http://127.0.0.1:{port}/", timeout = "2s" }} }}
client = {{ run = "touch client.ran", depends = ["srv"] }}
"#
    ));
    let started = std::time::Instant::now();
    let (code, _, stderr) = work.run_tasks(&["client"]);
    let took = started.elapsed();
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("not ready after 2s"), "{stderr}");
    assert!(took < std::time::Duration::from_secs(12), "{took:?}");
    assert!(!work.dir.path().join("client.ran").exists());
}

#[test]
fn sources_are_the_projects_regular_files_only() {
    // A FIFO, a link to /dev/zero and a linked directory out of the project under
    // `sources`: the run neither blocks, nor reads without end, nor follows the link
    // out (issue 66, item 4).
    let work = Work::with_tasks(
        r#"[tasks]
build = { run = "echo run >> runs", sources = ["src/**", "linked/**"] }
"#,
    );
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("x.txt"), "x\n").unwrap();
    let src = work.dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("a.txt"), "a\n").unwrap();
    common::mkfifo(&src.join("pipe"));
    std::os::unix::fs::symlink("/dev/zero", src.join("zero")).unwrap();
    std::os::unix::fs::symlink(outside.path(), src.join("out")).unwrap();
    std::os::unix::fs::symlink(outside.path(), work.dir.path().join("linked")).unwrap();
    let runs = || {
        std::fs::read_to_string(work.dir.path().join("runs"))
            .unwrap_or_default()
            .lines()
            .count()
    };
    // Each run within a minute, or the test fails (and kills it) rather than hangs.
    let run = || {
        let mut vx = Running(
            work.vx_process(&["run", "build"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let started = std::time::Instant::now();
        loop {
            if let Some(status) = vx.0.try_wait().unwrap() {
                return status.code();
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(60),
                "vx run hangs on its sources"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    };
    assert_eq!(run(), Some(0));
    assert_eq!(runs(), 1);
    assert_eq!(run(), Some(0));
    assert_eq!(runs(), 1, "up to date");
    // What is out of the project is not the task's: a change there is not seen.
    std::fs::write(outside.path().join("x.txt"), "changed\n").unwrap();
    assert_eq!(run(), Some(0));
    assert_eq!(
        runs(),
        1,
        "a file behind a link out of the project is not read"
    );
    // The project's own files are.
    std::fs::write(src.join("a.txt"), "changed\n").unwrap();
    assert_eq!(run(), Some(0));
    assert_eq!(runs(), 2);
}
