//! `vx run`'s live views in a real terminal (tmux runs the real `vx`; `capture-pane`
//! reads the screen): the inline view (a row per running task with its last line,
//! ended tasks scrolled up as lines, a failure's tail whole, task text made safe) and
//! `--tui` (a pane per task: pick, search, q stops the run and leaves no process).
//! Every wait is on what the screen or a file shows, with a deadline.

// Unix only: tmux drives a real terminal.
#![cfg(unix)]

use crate::common;

use common::tmux::{SESSION, Terminal};
use common::{Work, process_exists, wait_for};

/// `vx ARGS` for `work` in a new terminal of `size` named `tag` ([`Work::shell_line`]).
fn start(work: &Work, tag: &str, size: (u16, u16), args: &str) -> Terminal {
    Terminal::start(tag, size, None, &work.shell_line(args))
}

/// Waits for a task to write its pid to `file` in the project; returns it.
fn pid_in(work: &Work, file: &str) -> u32 {
    wait_for(file, || {
        std::fs::read_to_string(work.dir.path().join(file))
            .ok()?
            .trim()
            .parse()
            .ok()
    })
}

/// Waits until the screen shows every one of `texts`; returns it.
fn wait_screen(terminal: &Terminal, texts: &[&str]) -> String {
    wait_for(&format!("the screen to show {texts:?}"), || {
        let screen = terminal.screen();
        texts.iter().all(|t| screen.contains(t)).then_some(screen)
    })
}

/// Waits for the shell's `EXIT=` line; returns the history and the code.
fn wait_exit(terminal: &Terminal) -> (String, i32) {
    wait_for("vx to exit", || {
        let history = terminal.history(Some(400));
        let code = history
            .lines()
            .find_map(|l| l.trim().strip_prefix("EXIT="))?
            .parse()
            .ok()?;
        Some((history, code))
    })
}

/// Whether the program is on the alternate screen (a full-screen UI is up).
fn alternate_screen(terminal: &Terminal) -> bool {
    let out = terminal
        .tmux()
        .args(["display-message", "-p", "-t", SESSION, "#{alternate_on}"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "1"
}

/// `sh hold.sh` waits (up to 60 s) for the file `go`.
const HOLD: &str =
    "i=0; while [ ! -f go ]; do i=$((i+1)); [ $i -gt 1200 ] && exit 1; sleep 0.05; done\n";

#[test]
fn inline_rows_show_running_tasks_then_each_ends_as_a_line() {
    if !Terminal::available() {
        return;
    }
    let work = Work::with_tasks(
        r#"[tasks]
fetch = { run = "echo fetching 1; echo 'fetch is on step 2'; sh hold.sh" }
build = { run = "echo 'build is compiling'; sh hold.sh; echo built" }
all = { depends = ["fetch", "build"] }
"#,
    );
    std::fs::write(work.dir.path().join("hold.sh"), HOLD).unwrap();
    let terminal = start(&work, "tasks-inline", (100, 30), "run -j 4 all");
    // A row per running task: its phase and its last line.
    let screen = wait_screen(
        &terminal,
        &["2 running", "fetch is on step 2", "build is compiling"],
    );
    assert!(
        screen.contains("fetch") && screen.contains("running"),
        "{screen}"
    );
    assert!(
        !screen.contains("[fetch]"),
        "no prefix lines on a terminal: {screen}"
    );
    std::fs::write(work.dir.path().join("go"), "").unwrap();
    let (history, code) = wait_exit(&terminal);
    assert_eq!(code, 0, "{history}");
    for line in ["✓ fetch", "✓ build", "✓ all"] {
        assert!(history.contains(line), "{line}: {history}");
    }
    assert!(
        !history.contains("2 running"),
        "the region is cleared: {history}"
    );
}

#[test]
fn inline_prints_a_failed_tasks_tail_whole_and_task_text_made_safe() {
    if !Terminal::available() {
        return;
    }
    let work = Work::with_tasks(
        r#"[tasks]
bad = { run = '''for i in 1 2 3 4 5; do echo "bad line $i of the failure"; done; printf 'evil \033]0;title\007 \033[2J gone\n'; exit 4''' }
ok = "echo fine"
both = { depends = ["ok", "bad"] }
"#,
    );
    let terminal = start(&work, "tasks-fail", (100, 30), "run -j 1 both");
    let (history, code) = wait_exit(&terminal);
    assert_eq!(code, 4, "the failed task's status: {history}");
    assert!(history.contains("✓ ok"), "{history}");
    assert!(
        history.contains("✗ bad  failed") && history.contains("exit status 4"),
        "{history}"
    );
    for i in 1..=5 {
        assert!(
            history.contains(&format!("│ bad line {i} of the failure")),
            "the whole tail: {history}"
        );
    }
    // The escapes are shown, not obeyed: the screen was not cleared, nor retitled.
    assert!(history.contains("\\x1b[2J gone"), "{history}");
    assert!(history.contains("\\x1b]0;title\\x07"), "{history}");
}

#[test]
fn tui_shows_a_pane_per_task_searches_and_q_stops_the_run_leaving_nothing() {
    if !Terminal::available() {
        return;
    }
    let work = Work::with_tasks(
        r#"[tasks]
left = { run = "echo $$ > left.pid; echo 'left says hello'; echo 'a needle in left'; while :; do sleep 0.1; done" }
right = { run = "echo $$ > right.pid; echo 'right says hello'; while :; do sleep 0.1; done" }
both = { depends = ["left", "right"] }
"#,
    );
    let terminal = start(&work, "tasks-tui", (120, 30), "run --tui -j 4 both");
    let screen = wait_screen(&terminal, &["tasks", "left", "right", "q stop the run"]);
    assert!(alternate_screen(&terminal), "full screen: {screen}");
    let pids: Vec<u32> = ["left.pid", "right.pid"]
        .iter()
        .map(|file| pid_in(&work, file))
        .collect();
    // The first task is picked; its log is in the pane beside the list.
    terminal.keys(&["Up"]);
    wait_screen(&terminal, &["left says hello", "left ·"]);
    terminal.keys(&["j"]);
    let screen = wait_screen(&terminal, &["right says hello", "right ·"]);
    assert!(!screen.contains("left says hello"), "{screen}");
    // A search in the picked task's log.
    terminal.keys(&["k"]);
    terminal.keys(&["/"]);
    terminal.keys(&["-l", "needle"]);
    terminal.keys(&["Enter"]);
    wait_screen(&terminal, &["a needle in left", "lines 1-"]);
    terminal.keys(&["-l", "q"]);
    let (history, code) = wait_exit(&terminal);
    assert_eq!(code, 130, "q stops the run: {history}");
    assert!(!alternate_screen(&terminal), "the terminal is back");
    assert!(
        history.contains("⊘ left") && history.contains("⊘ right"),
        "what each task ended with: {history}"
    );
    for pid in pids {
        wait_for(&format!("task process {pid} to be gone"), || {
            (!process_exists(pid)).then_some(())
        });
    }
}

#[test]
fn tui_without_a_terminal_says_so_and_prints_prefix_lines() {
    let work = Work::with_tasks("[tasks]\na = \"echo from-a\"\nb = \"echo from-b\"\n");
    let (code, stdout, stderr) = work.outcome(&["run", "--tui", "a", ":::", "b"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("--tui needs a terminal"), "{stderr}");
    assert!(
        stdout.contains("[a] from-a") && stdout.contains("[b] from-b"),
        "{stdout}"
    );
}

#[test]
fn inline_follows_a_task_printing_100_mb_to_its_end() {
    if !Terminal::available() {
        return;
    }
    // The view reads the ring at its own pace and skips ahead: the task runs to its end
    // and its row showed its output while it ran.
    let work = Work::with_tasks(
        r#"[tasks]
loud = { run = "yes 'loud line' | head -c 100000000; echo; echo 'loud is done'" }
quiet = { run = "echo quiet; sh hold.sh" }
both = { depends = ["loud", "quiet"] }
"#,
    );
    std::fs::write(work.dir.path().join("hold.sh"), HOLD).unwrap();
    let terminal = start(&work, "tasks-loud", (100, 30), "run -j 2 both");
    wait_screen(&terminal, &["✓ loud", "quiet  running"]);
    std::fs::write(work.dir.path().join("go"), "").unwrap();
    let (history, code) = wait_exit(&terminal);
    assert_eq!(code, 0, "{history}");
    assert!(
        history.contains("✓ quiet") && history.contains("✓ both"),
        "{history}"
    );
}

#[test]
fn a_closed_terminal_under_either_view_leaves_no_task_behind() {
    if !Terminal::available() {
        return;
    }
    for (tag, flags, shows) in [
        ("hup-inline", "", "2 running"),
        ("hup-tui", "--tui", "q stop the run"),
    ] {
        let work = Work::with_tasks(
            r#"[tasks]
one = { run = "echo $$ > one.pid; echo one up; while :; do sleep 0.1; done" }
two = { run = "echo $$ > two.pid; echo two up; while :; do sleep 0.1; done" }
both = { depends = ["one", "two"] }
"#,
        );
        let terminal = start(&work, tag, (100, 25), &format!("run {flags} -j 4 both"));
        wait_screen(&terminal, &[shows]);
        let pids: Vec<u32> = ["one.pid", "two.pid"]
            .iter()
            .map(|file| pid_in(&work, file))
            .collect();
        // The terminal goes (tmux closes the pane's terminal and starts another there):
        // vx gets SIGHUP.
        let status = terminal
            .tmux()
            .args(["respawn-pane", "-k", "-t", SESSION, "sleep 60"])
            .status()
            .unwrap();
        assert!(status.success());
        for pid in pids {
            wait_for(&format!("{tag}: task process {pid} to be gone"), || {
                (!process_exists(pid)).then_some(())
            });
        }
    }
}

#[test]
fn ctrl_c_in_the_tui_stops_the_run() {
    if !Terminal::available() {
        return;
    }
    let work = Work::with_tasks(
        r#"[tasks]
spin = { run = "echo $$ > spin.pid; echo spinning; while :; do sleep 0.1; done" }
all = { depends = ["spin"] }
"#,
    );
    let terminal = start(&work, "tasks-tui-ctrl-c", (100, 25), "run --tui all");
    wait_screen(&terminal, &["spinning", "q stop the run"]);
    let pid: u32 = pid_in(&work, "spin.pid");
    terminal.keys(&["C-c"]);
    let (history, code) = wait_exit(&terminal);
    assert_eq!(code, 130, "{history}");
    assert!(history.contains("⊘ spin  cancelled"), "{history}");
    wait_for("the task process to be gone", || {
        (!process_exists(pid)).then_some(())
    });
}

/// Issue 63, item 4: a run with a service (a dev server and a worker) streams their
/// lines with a `[task]` prefix on a terminal, as `mise run` shows them: the worker's
/// traceback stays in view (the live view showed one line per running task and the
/// traceback never appeared). `[settings] task_output = "live"` keeps the live view.
#[test]
fn a_run_with_a_service_streams_its_tasks_lines_on_a_terminal() {
    if !Terminal::available() {
        return;
    }
    let tasks = r#"[tasks]
web = { run = "echo 'web listening on 8000'; while :; do sleep 1; done", service = true, ready = { log = "listening", timeout = "20s" } }
worker = { run = "echo 'Traceback (most recent call last):'; echo 'ValueError: boom'; sh hold.sh" }
dev = { depends = ["web", "worker"] }
"#;
    let work = Work::with_tasks(tasks);
    std::fs::write(work.dir.path().join("hold.sh"), HOLD).unwrap();
    let terminal = start(&work, "tasks-service-lines", (100, 30), "run dev");
    wait_screen(
        &terminal,
        &["[web] web listening on 8000", "[worker] ValueError: boom"],
    );
    std::fs::write(work.dir.path().join("go"), "").unwrap();
    terminal.keys(&["C-c"]);
    let (history, _) = wait_exit(&terminal);
    assert!(history.contains("[worker] Traceback"), "{history}");

    // The project's setting keeps the live view.
    let live = Work::with_tasks(
        &tasks.replace("[tasks]", "[settings]\ntask_output = \"live\"\n\n[tasks]"),
    );
    std::fs::write(live.dir.path().join("hold.sh"), HOLD).unwrap();
    let terminal = start(&live, "tasks-service-live", (100, 30), "run dev");
    let screen = wait_screen(&terminal, &["ValueError: boom"]);
    assert!(!screen.contains("[worker]"), "the live view: {screen}");
    std::fs::write(live.dir.path().join("go"), "").unwrap();
    terminal.keys(&["C-c"]);
    wait_exit(&terminal);
}

/// `vx run --watch test` of one task on a terminal (issue 63, item 9): the task's lines
/// stream (pytest's summary stays in view after each run), as in a run of one without
/// --watch, not the live view's one row that a finished run scrolls away.
#[test]
fn a_watched_lone_task_streams_its_lines() {
    if !Terminal::available() {
        return;
    }
    let work = Work::new();
    work.write_manifest(
        "[tasks]\ntest = { run = \"echo collected 3 items; echo '=== 3 passed in 0.01s ==='\", sources = [\"*.py\"] }\n",
    );
    std::fs::write(work.dir.path().join("a.py"), "x = 1\n").unwrap();
    let terminal = start(&work, "watch-lone", (100, 30), "run --watch test");
    let screen = wait_screen(&terminal, &["=== 3 passed in 0.01s ==="]);
    assert!(screen.contains("collected 3 items"), "{screen}");
}

/// A run of one task through the runner (its `sources`) on a terminal shows the task's
/// lines as it wrote them, as the same task without `sources` (run in vx's place) shows
/// them: no live region, no `[build] ` before them, vx's own line after. A failing one
/// shows its lines, then vx's line, and exits with its status; `--tui` still shows the
/// panes of a lone task.
#[test]
fn a_lone_task_on_a_terminal_shows_its_lines_as_it_wrote_them() {
    if !Terminal::available() {
        return;
    }
    let work = Work::new();
    work.write_manifest(
        "[tasks]\nbuild = { run = \"echo 'build says hello'; echo 'build warns' >&2\", sources = [\"*.txt\"] }\n\
         bad = { run = \"echo 'bad says half'; exit 5\", timeout = \"60s\" }\n",
    );
    std::fs::write(work.dir.path().join("in.txt"), "x\n").unwrap();
    let terminal = start(&work, "lone-lines", (100, 30), "run build");
    let (history, code) = wait_exit(&terminal);
    assert_eq!(code, 0, "{history}");
    let lines: Vec<&str> = history.lines().map(str::trim_end).collect();
    // Its stdout and stderr, each line whole (in either order: two pipes), then vx's.
    let at = |line: &str| {
        lines
            .iter()
            .position(|l| *l == line)
            .unwrap_or_else(|| panic!("{line:?}, whole: {history}"))
    };
    let last = at("build says hello").max(at("build warns"));
    assert!(
        lines[last + 1].starts_with("vx: `build` kept (log only, key "),
        "{history}"
    );
    assert!(
        !history.contains("[build]") && !history.contains("✓ build"),
        "no prefix, no live view: {history}"
    );

    let terminal = start(&work, "lone-fails", (100, 30), "run bad");
    let (history, code) = wait_exit(&terminal);
    assert_eq!(code, 5, "{history}");
    let lines: Vec<&str> = history.lines().map(str::trim_end).collect();
    let at = lines
        .iter()
        .position(|l| *l == "bad says half")
        .unwrap_or_else(|| panic!("the task's line, whole: {history}"));
    assert_eq!(
        lines[at + 1],
        "vx: task `bad` failed: exit status 5",
        "{history}"
    );

    let terminal = start(&work, "lone-tui", (100, 30), "run --tui bad");
    wait_screen(&terminal, &["bad says half", "q leave"]);
    terminal.keys(&["q"]);
    let (history, code) = wait_exit(&terminal);
    assert_eq!(code, 5, "{history}");
    assert!(history.contains("✗ bad  failed"), "{history}");
}

/// The inline view names the nodes of one task as the run's lines do: by their words
/// when the run holds the task more than once (`✓ setup a`, `✓ setup b`), by their
/// variables too when only those differ (`✓ Z=1 setup` beside `✓ setup`), and a task
/// in the run once by its name alone (`✓ setup` for a lone `setup a`, as mise names
/// it). The board named a lone node `setup a` while its lines said `[setup]`.
#[test]
fn inline_names_the_nodes_of_one_task_as_the_lines_do() {
    if !Terminal::available() {
        return;
    }
    let work = Work::with_tasks(
        r#"[tasks]
setup = "true"
two = { run = "true", depends = [
  "setup",
  { task = "setup", args = ["a"] },
  { task = "setup", args = ["b"] },
  { task = "setup", env = { Z = "1" } },
] }
one = { run = "true", depends = [{ task = "setup", args = ["a"] }] }
"#,
    );
    let terminal = start(&work, "tasks-labels", (100, 30), "run -j 4 two");
    let (history, code) = wait_exit(&terminal);
    assert_eq!(code, 0, "{history}");
    for line in ["✓ setup a", "✓ setup b", "✓ Z=1 setup", "✓ two"] {
        assert!(history.contains(line), "{line}: {history}");
    }
    // One line for the plain node: `✓ setup` and its time, no word after the name.
    let words = |l: &str| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    let plain = history
        .lines()
        .map(words)
        .filter(|w| w.len() == 3 && w[..2] == ["✓", "setup"]);
    assert_eq!(plain.count(), 1, "{history}");
    let terminal = start(&work, "tasks-label-one", (100, 30), "run one");
    let (history, code) = wait_exit(&terminal);
    assert_eq!(code, 0, "{history}");
    assert!(history.contains("✓ setup"), "{history}");
    assert!(!history.contains("setup a"), "{history}");
}
