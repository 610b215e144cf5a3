//! `vx ps` and `vx logs` against task boards: written here in the test process (a
//! `vx_shm::TaskBoard`, the same writer `vx run`'s board sink uses), read by the real
//! `vx` binary from its board directory.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::Work;
use crate::common::tmux::Terminal;
use vx_shm::{TaskBoard, TaskPhase};

fn board(work: &Work, tasks: &[&str], capacity: usize) -> TaskBoard {
    TaskBoard::create(&work.boards(), "proj/vx.toml", tasks, capacity).unwrap()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn ps_lists_each_live_run_with_its_tasks_and_phases() {
    let work = Work::new();
    let run = board(
        &work,
        &[
            "lint",
            "test",
            "build:frontend:storybook:static-site",
            "gen",
        ],
        4096,
    );
    let mut lint = run.writer(0).unwrap();
    lint.set_phase(TaskPhase::Running);
    lint.output(b"ok\n");
    lint.finish(TaskPhase::Done, Some(0), "");
    let mut test = run.writer(1).unwrap();
    test.set_phase(TaskPhase::Running);
    test.output(&[b'x'; 3000]);
    let mut site = run.writer(2).unwrap();
    site.set_message("waiting for test");
    site.set_phase(TaskPhase::Waiting);
    // A kept result restored in place of running the task: its bytes so far.
    let mut generated = run.writer(3).unwrap();
    generated.set_phase(TaskPhase::Starting);
    generated.set_restore(12 << 10, 64 << 10, "restoring");

    let output = work.vx().arg("ps").output().unwrap();
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    assert!(text.contains(&format!("run {}", &run.id()[..12])), "{text}");
    assert!(text.contains("proj/vx.toml"), "{text}");
    let line = |name: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .to_owned()
    };
    assert!(line("lint").contains("done"), "{text}");
    assert!(
        line("test ").contains("running") && line("test ").contains("2.9 KiB"),
        "{text}"
    );
    let site = line("build:frontend:storybook:static-site");
    assert!(
        site.contains("waiting") && site.contains("waiting for test"),
        "{text}"
    );
    assert!(
        line("gen").contains("restoring 12.0 KiB/64.0 KiB"),
        "{text}"
    );

    let output = work.vx().args(["ps", "--json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(json["kind"], "run");
    assert_eq!(json["state"], "running");
    assert_eq!(json["tasks"][0]["phase"], "done");
    assert_eq!(json["tasks"][0]["exit_code"], 0);
    assert_eq!(json["tasks"][1]["output_bytes"], 3000);
    assert_eq!(json["tasks"][2]["exit_code"], serde_json::Value::Null);
    assert_eq!(json["tasks"][2]["restore"], serde_json::Value::Null);
    assert_eq!(
        json["tasks"][3]["restore"],
        serde_json::json!({"done": 12 << 10, "total": 64 << 10})
    );

    // `vx board` knows task runs too.
    let output = work
        .vx()
        .args(["board", "dump", &run.id()[..8]])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(
        text.contains("waiting for test") && text.contains("done"),
        "{text}"
    );
    let output = work.vx().args(["board", "ls"]).output().unwrap();
    assert!(stdout(&output).contains("1/4"), "{}", stdout(&output));

    drop(run);
    let output = work.vx().arg("ps").output().unwrap();
    assert!(
        stdout(&output).contains("nothing running"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn logs_prints_a_finished_tasks_output_and_says_what_the_ring_lost() {
    let work = Work::new();
    let run = board(&work, &["gen"], 64);
    let mut gen_ = run.writer(0).unwrap();
    gen_.set_phase(TaskPhase::Running);
    for i in 0..20 {
        gen_.output(format!("line {i:02}\n").as_bytes());
    }
    gen_.finish(TaskPhase::Done, Some(0), "");
    let output = work.vx().args(["logs", "gen"]).output().unwrap();
    assert!(output.status.success());
    // 160 bytes into a 64-byte ring: the last 64 (eight lines) are kept.
    let text = stdout(&output);
    assert!(
        text.starts_with("line 12\n") && text.ends_with("line 19\n"),
        "{text}"
    );
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("96 B of gen's output not kept"), "{err}");

    let output = work.vx().args(["logs", "nope"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("no task \"nope\"") && err.contains("gen (done)"),
        "{err}"
    );
}

#[test]
fn logs_follow_prints_output_as_it_comes_and_ends_with_the_task() {
    let work = Work::new();
    let run = board(&work, &["serve"], 1 << 16);
    let mut serve = run.writer(0).unwrap();
    serve.set_phase(TaskPhase::Running);
    serve.output(b"starting\n");
    let mut follower = Command::new(assert_cmd::cargo::cargo_bin("vx"))
        .args(["logs", "-f", "serve"])
        .envs(work.vx_env())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(follower.try_wait().unwrap().is_none(), "it follows");
    for i in 0..1000 {
        serve.output(format!("request {i}\n").as_bytes());
    }
    serve.finish(TaskPhase::Done, Some(0), "");
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = follower.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "vx logs -f did not end with the task"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
    let mut text = String::new();
    follower.stdout.unwrap().read_to_string(&mut text).unwrap();
    assert!(
        text.starts_with("starting\nrequest 0\n"),
        "{}",
        &text[..100]
    );
    assert!(text.ends_with("request 999\n"));
    assert_eq!(text.lines().count(), 1001, "every line once");
}

#[test]
fn two_runs_with_the_task_need_a_run_id() {
    let work = Work::new();
    let first = board(&work, &["dev"], 64);
    let second = board(&work, &["dev"], 64);
    second.writer(0).unwrap().output(b"second\n");
    let output = work.vx().args(["logs", "dev"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("2 live runs") && err.contains("--run"),
        "{err}"
    );
    let output = work
        .vx()
        .args(["logs", "dev", "--run", &second.id()[..10]])
        .output()
        .unwrap();
    assert_eq!(stdout(&output), "second\n");
    drop(first);
}

/// Helper role: a run that holds a task board until it is killed.
#[test]
#[ignore = "helper process of ps_logs; runs only when started by it"]
fn ps_logs_dying_run() {
    let Ok(dir) = std::env::var("VX_TEST_BOARD_DIR") else {
        return;
    };
    let run = TaskBoard::create(
        std::path::Path::new(&dir),
        "dying/vx.toml",
        &["serve"],
        4096,
    )
    .unwrap();
    let mut serve = run.writer(0).unwrap();
    serve.set_phase(TaskPhase::Running);
    serve.output(b"listening\n");
    println!("READY");
    std::thread::sleep(Duration::from_secs(300));
}

#[test]
fn a_killed_run_is_dead_to_ps_and_logs() {
    let work = Work::new();
    let mut helper = Command::new(std::env::current_exe().unwrap())
        .args([
            "ps_logs::ps_logs_dying_run",
            "--exact",
            "--include-ignored",
            "--nocapture",
        ])
        .env("VX_TEST_BOARD_DIR", work.boards())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = helper.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut byte = [0u8];
    while !String::from_utf8_lossy(&seen).contains("READY") {
        assert_eq!(out.read(&mut byte).unwrap(), 1, "helper ended");
        seen.push(byte[0]);
    }
    let follower = Command::new(assert_cmd::cargo::cargo_bin("vx"))
        .args(["logs", "-f", "serve"])
        .envs(work.vx_env())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    helper.kill().unwrap();
    helper.wait().unwrap();
    let output = follower.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "listening\n");
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("died") && err.contains("before the task ended"),
        "{err}"
    );

    let output = work.vx().arg("ps").output().unwrap();
    assert!(
        stdout(&output).contains("nothing running"),
        "{}",
        stdout(&output)
    );
    let output = work.vx().args(["ps", "--all"]).output().unwrap();
    let text = stdout(&output);
    assert!(text.contains("dead") && text.contains("serve"), "{text}");
    let id = text.split_whitespace().nth(1).unwrap().to_owned();
    let output = work
        .vx()
        .args(["logs", "serve", "--run", &id])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(stdout(&output), "listening\n");
    assert!(String::from_utf8_lossy(&output.stderr).contains("is dead"));
}

#[test]
fn logs_on_a_terminal_shows_escape_sequences_escaped_and_colours_as_colours() {
    if !Terminal::available() {
        return;
    }
    let work = Work::new();
    let run = board(&work, &["evil"], 4096);
    let mut evil = run.writer(0).unwrap();
    evil.output(b"\x1b]0;pwned\x07\x1b[2Jbefore\x1b[31mred\x1b[0m after\n");
    evil.finish(TaskPhase::Done, Some(0), "");
    let vx = assert_cmd::cargo::cargo_bin("vx");
    let line = format!(
        "{} {} logs evil; echo EXIT=$?; exec sleep 300",
        work.vx_env_words(),
        vx.display()
    );
    let terminal = Terminal::start("logs-evil", (100, 10), None, &line);
    let deadline = Instant::now() + Duration::from_secs(60);
    let screen = loop {
        let screen = terminal.screen();
        if screen.contains("EXIT=") {
            break screen;
        }
        assert!(Instant::now() < deadline, "vx logs never ended: {screen}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(
        screen.contains(r"\x1b]0;pwned\x07\x1b[2Jbeforered after"),
        "{screen}"
    );
}

#[test]
fn board_watch_shows_a_task_run_and_leaves_when_it_finishes() {
    if !Terminal::available() {
        return;
    }
    let work = Work::new();
    let run = board(&work, &["build", "serve"], 4096);
    let mut build = run.writer(0).unwrap();
    build.set_phase(TaskPhase::Running);
    build.output(b"compiling 12 crates\n");
    let vx = assert_cmd::cargo::cargo_bin("vx");
    let line = format!(
        "{} {} board watch --exit-on-done {}; echo EXIT=$?; exec sleep 300",
        work.vx_env_words(),
        vx.display(),
        &run.id()[..8]
    );
    let terminal = Terminal::start("watch-tasks", (100, 20), None, &line);
    let wait = |texts: &[&str]| {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let screen = terminal.history(Some(100));
            if texts.iter().all(|t| screen.contains(t)) {
                return screen;
            }
            assert!(Instant::now() < deadline, "waiting for {texts:?}: {screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait(&[
        " build · following ",
        "compiling 12 crates",
        "running",
        "queued",
    ]);
    build.output(b"finished dev profile\n");
    build.finish(TaskPhase::Done, Some(0), "");
    let mut serve = run.writer(1).unwrap();
    serve.set_phase(TaskPhase::Running);
    serve.output(b"listening on :3000\n");
    wait(&[" serve · following ", "listening on :3000"]);
    serve.finish(TaskPhase::Cancelled, None, "interrupted");
    run.finish(true);
    let screen = wait(&["EXIT="]);
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(
        screen.contains("interrupted") && screen.contains("done"),
        "{screen}"
    );
}

/// The whole path with a real `vx run`: its board sink publishes the run, and from
/// "another terminal" `vx ps` lists it, `vx logs` prints a finished task and `vx logs -f`
/// follows a running one to its end; when the run ends its board is gone.
#[test]
fn a_real_vx_run_is_seen_by_ps_and_followed_by_logs() {
    let work = Work::new();
    work.write_manifest(
        "[tasks]\n\
         build = \"echo compiling; printf '\\\\033]0;title\\\\007built\\\\n'\"\n\
         serve = { run = \"echo listening; for i in 1 2 3 4 5 6; do echo tick $i; sleep 0.25; done\", depends = [\"build\"] }\n",
    );
    let mut run = work
        .vx_process(&["run", "serve"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until `vx ps` shows serve running.
    let deadline = Instant::now() + Duration::from_secs(60);
    let ps = loop {
        let output = work.vx().args(["ps", "--json"]).output().unwrap();
        let text = stdout(&output);
        if let Some(line) = text.lines().next()
            && let Ok(json) = serde_json::from_str::<serde_json::Value>(line)
            && json["tasks"][1]["phase"] == "running"
        {
            break json;
        }
        assert!(
            Instant::now() < deadline,
            "vx ps never showed serve running: {text}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(ps["kind"], "run");
    assert_eq!(ps["pid"], run.id());
    assert_eq!(ps["tasks"][0]["name"], "build");
    assert_eq!(ps["tasks"][0]["phase"], "done");
    assert_eq!(ps["tasks"][0]["exit_code"], 0);
    assert_eq!(ps["tasks"][1]["message"], "", "no longer waiting for build");
    // A pipe gets the bytes as the task wrote them.
    let output = work.vx().args(["logs", "build"]).output().unwrap();
    assert_eq!(stdout(&output), "compiling\n\x1b]0;title\x07built\n");
    let followed = work.vx().args(["logs", "-f", "serve"]).output().unwrap();
    assert!(followed.status.success());
    let text = stdout(&followed);
    assert!(text.starts_with("listening\ntick 1\n"), "{text}");
    assert!(text.ends_with("tick 6\n"), "followed to the end: {text}");
    let status = run.wait().unwrap();
    assert!(status.success());
    let output = work.vx().arg("ps").output().unwrap();
    assert!(
        stdout(&output).contains("nothing running"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        std::fs::read_dir(work.boards()).unwrap().count(),
        0,
        "the run removed its board and output"
    );
}

/// A run whose output segment was replaced by garbage: `vx ps` says so and goes on,
/// `vx logs` is a clear error; neither panics.
#[test]
fn a_corrupt_output_segment_is_said_not_shown() {
    let work = Work::new();
    let run = board(&work, &["t"], 64);
    let healthy = board(&work, &["ok"], 64);
    let output = run.output_path().to_owned();
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 256) as u8).collect();
    let tmp = output.with_extension("tmp");
    std::fs::write(&tmp, &garbage).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    std::fs::rename(&tmp, &output).unwrap();
    let ps = work.vx().arg("ps").output().unwrap();
    assert!(ps.status.success());
    assert!(
        stdout(&ps).contains("ok"),
        "the healthy run is listed: {}",
        stdout(&ps)
    );
    let err = String::from_utf8_lossy(&ps.stderr);
    assert!(
        err.contains("cannot be read") && err.contains("bad magic"),
        "{err}"
    );
    let logs = work
        .vx()
        .args(["logs", "t", "--run", &run.id()[..8]])
        .output()
        .unwrap();
    assert_eq!(logs.status.code(), Some(2));
    let err = String::from_utf8_lossy(&logs.stderr);
    assert!(
        err.contains("cannot be read") && err.contains("bad magic"),
        "{err}"
    );
    drop(healthy);
}

/// A dev server and a worker, stopped with Ctrl-C after the worker printed a traceback:
/// `vx logs` still shows what each wrote once the run is over, saying it is the last
/// run's; the next run of the project takes its place (issue 63, item 4).
#[cfg(unix)]
#[test]
fn the_last_runs_logs_stay_readable_after_ctrl_c() {
    let work = Work::new();
    work.write_manifest(
        "[tasks]\n\
         web = { run = \"echo listening on 8000; while :; do sleep 1; done\", service = true }\n\
         worker = { run = \"echo starting; echo 'Traceback (most recent call last):' >&2; echo 'ValueError: boom' >&2; while :; do sleep 1; done\", service = true }\n\
         dev = { run = \"true\", depends = [\"web\", \"worker\"] }\n\
         a = \"echo a\"\n\
         b = \"echo b\"\n\
         both = { run = \"true\", depends = [\"a\", \"b\"] }\n",
    );
    let mut run = work
        .vx_process(&["run", "dev"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // While it runs, the live board has the worker's traceback.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let output = work.vx().args(["logs", "worker"]).output().unwrap();
        if stdout(&output).contains("ValueError: boom") {
            break;
        }
        assert!(
            Instant::now() < deadline && run.try_wait().unwrap().is_none(),
            "the worker's traceback never reached its board: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = rustix::process::Pid::from_raw(run.id() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    run.wait().unwrap();
    assert_eq!(
        std::fs::read_dir(work.boards()).unwrap().count(),
        0,
        "the run removed its live board"
    );

    let output = work.vx().args(["logs", "worker"]).output().unwrap();
    let (text, note) = (stdout(&output), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{text}{note}");
    // Two pipes (stdout, stderr): their lines' order between them is not kept.
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        [
            "Traceback (most recent call last):",
            "ValueError: boom",
            "starting"
        ],
        "{note}"
    );
    assert!(note.contains("the last run of worker ended"), "{note}");
    let web = work.vx().args(["logs", "web"]).output().unwrap();
    assert_eq!(stdout(&web), "listening on 8000\n");

    // The next run of the project is the one kept: the worker's is gone.
    let next = work.vx().args(["run", "both"]).output().unwrap();
    assert!(next.status.success());
    let output = work.vx().args(["logs", "b"]).output().unwrap();
    assert_eq!(stdout(&output), "b\n");
    let gone = work.vx().args(["logs", "worker"]).output().unwrap();
    assert_eq!(gone.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&gone.stderr).contains("no task \"worker\""));
}

/// Issue 79, item 7: `VX_BOARD_DIR` naming a directory that does not exist yet is made
/// (private, 0700), as `vx sync` makes its own, and the run has its board (`vx logs`
/// reads it); it said "this run has no board".
#[test]
fn a_run_makes_a_board_dir_that_is_not_there_yet() {
    use std::os::unix::fs::PermissionsExt;
    let work = Work::with_tasks("[tasks]\nhello = \"echo hello from the board\"\n");
    let dir = work.dir.path().join("boards/new");
    let out = work
        .vx()
        .env("VX_BOARD_DIR", &dir)
        .args(["run", "--output", "prefix", "hello"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("no board"), "{err}");
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    let out = work
        .vx()
        .env("VX_BOARD_DIR", &dir)
        .args(["logs", "hello"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("hello from the board"),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
}
