//! A run of one task through the runner (a task with `sources`, `outputs` or a
//! `timeout`; a plain one runs in vx's place): its output is what the task wrote, byte
//! for byte, stdout to stdout and stderr to stderr, with no `[name] ` prefix (as `mise
//! run` shows a lone task, and as the same task without `sources` shows), whether it
//! runs, runs again with `--force`, fails, or is restored from the results cache (its
//! kept log replayed); vx's own lines stay on stderr. So does a run of tasks that run one
//! after another (a chain, or `-j 1`). A run of tasks that can run at once, and
//! `--output prefix` asked, keep their prefixes.

use crate::common;

use common::Work;

/// What `build` writes to stdout: colours, a progress bar's carriage return and a last
/// line without its newline, each of which prefix lines would change.
const SHOWN: &str = "compiling\n\x1b[32mok\x1b[0m 10%\r100%\ndone";

/// A project whose `build` writes [`SHOWN`] and its output `out/o`, counting its runs
/// in `runs` (not an output).
const BUILD: &str = r#"[tasks.build]
run = "echo ran >> runs; mkdir -p out && echo built > out/o && printf 'compiling\\n\\033[32mok\\033[0m 10%%\\r100%%\\ndone'"
sources = ["src/*"]
outputs = ["out/**"]
"#;

/// `vx run ARGS` in `work`, which must exit `code`: stdout and stderr.
fn run(work: &Work, args: &[&str], code: i32) -> (String, String) {
    let (got, stdout, stderr) = work.run_tasks(args);
    assert_eq!(
        got,
        code,
        "vx run {}: {stdout:?} {stderr:?}",
        args.join(" ")
    );
    (stdout, stderr)
}

/// The first characters of `task`'s key, as vx's lines say it (`--explain-key`).
fn short_key(work: &Work, task: &str) -> String {
    let (stdout, _) = run(work, &[task, "--explain-key"], 0);
    let all: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let key = all[task]["key"].as_str().unwrap();
    format!("{}…", &key[..8])
}

/// How many times `build` ran.
fn runs(work: &Work) -> usize {
    std::fs::read_to_string(work.dir.path().join("runs"))
        .unwrap_or_default()
        .lines()
        .count()
}

#[test]
fn a_lone_cached_task_prints_what_it_wrote_when_it_runs_is_forced_and_is_restored() {
    let work = Work::with_tasks(BUILD);
    std::fs::create_dir_all(work.dir.path().join("src")).unwrap();
    std::fs::write(work.dir.path().join("src/in.txt"), "input\n").unwrap();
    let key = short_key(&work, "build");
    let kept = format!("vx: `build` kept (key {key})\n");

    let (stdout, stderr) = run(&work, &["build"], 0);
    assert_eq!(stdout, SHOWN);
    assert_eq!(stderr, kept);

    // Up to date: nothing of the task, vx's line alone.
    let (stdout, stderr) = run(&work, &["build"], 0);
    assert_eq!(stdout, "");
    assert_eq!(stderr, "vx: `build` is up to date\n");

    let (stdout, stderr) = run(&work, &["--force", "build"], 0);
    assert_eq!(stdout, SHOWN);
    assert_eq!(stderr, kept);
    assert_eq!(runs(&work), 2);

    // Restored: the kept log replayed as the task wrote it, the command not run.
    std::fs::remove_dir_all(work.dir.path().join("out")).unwrap();
    let (stdout, stderr) = run(&work, &["build"], 0);
    assert_eq!(runs(&work), 2, "restored, not run");
    assert_eq!(stdout, SHOWN);
    let restored = format!("vx: `build` restored (key {key}, ");
    assert!(
        stderr.starts_with(&restored) && stderr.ends_with(" s)\n") && stderr.lines().count() == 1,
        "{stderr:?}"
    );
    assert_eq!(
        std::fs::read_to_string(work.dir.path().join("out/o")).unwrap(),
        "built\n"
    );
}

#[test]
fn a_lone_task_with_a_timeout_keeps_its_streams_apart_and_fails_as_itself() {
    let work = Work::with_tasks(
        r#"[tasks]
check = { run = "echo out; echo 'warning: x' >&2", timeout = "60s" }
fail = { run = "echo partial; echo 'error: broken' >&2; exit 3", timeout = "60s" }
both = { run = "echo both", depends = ["check"], timeout = "60s" }
"#,
    );
    let (stdout, stderr) = run(&work, &["check"], 0);
    assert_eq!(stdout, "out\n");
    assert_eq!(stderr, "warning: x\n");

    let (stdout, stderr) = run(&work, &["fail"], 3);
    assert_eq!(stdout, "partial\n");
    assert_eq!(
        stderr,
        "error: broken\nvx: task `fail` failed: exit status 3\n"
    );

    // Two tasks at once (neither waits for the other): each line says whose it is.
    let (stdout, _) = run(&work, &["check", ":::", "fail"], 3);
    assert!(
        stdout.contains("[fail] partial\n") && !stdout.contains("\npartial"),
        "{stdout:?}"
    );

    // Prefix lines asked for: a lone task's too.
    let (stdout, stderr) = run(&work, &["--output", "prefix", "check"], 0);
    assert_eq!(stdout, "[check] out\n");
    assert_eq!(stderr, "[check] warning: x\n");
}

/// Tasks that run one after another (a chain: each waits for the one before it; or any
/// plan with `-j 1`) write one at a time: nothing to tell apart, so their output comes
/// as they wrote it, as `mise run` prints a linear graph's (and `--jobs 1`'s); tasks
/// that can run at once keep their prefixes.
#[test]
fn tasks_that_run_one_after_another_print_what_they_wrote_and_tasks_at_once_are_prefixed() {
    let work = Work::with_tasks(
        r#"[tasks]
a = { run = "echo a; echo 'warning: a' >&2", timeout = "60s" }
b = { run = "echo b", depends = ["a"] }
c = { run = "printf 'c\\033[32m ok\\033[0m'", depends = ["b", "a"] }
x = { run = "echo x" }
both = { run = "echo both", depends = ["a", "x"] }
"#,
    );
    // mise's shape (`b` depends on `a`), and a chain of three.
    let (stdout, stderr) = run(&work, &["b"], 0);
    assert_eq!(
        (stdout.as_str(), stderr.as_str()),
        ("a\nb\n", "warning: a\n")
    );
    let (stdout, _) = run(&work, &["c"], 0);
    assert_eq!(stdout, "a\nb\nc\x1b[32m ok\x1b[0m");
    // `a` and `x` may run at once: prefixed, whatever order they ran in.
    let (stdout, stderr) = run(&work, &["both"], 0);
    let mut lines: Vec<&str> = stdout.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["[a] a", "[both] both", "[x] x"], "{stdout:?}");
    assert_eq!(stderr, "[a] warning: a\n");
    // One job: one task at a time, in the plan's order.
    let (stdout, stderr) = run(&work, &["-j", "1", "both"], 0);
    let mut lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.pop(), Some("both"), "{stdout:?}");
    lines.sort_unstable();
    assert_eq!((lines, stderr.as_str()), (vec!["a", "x"], "warning: a\n"));
    // Prefix lines asked for: a chain's too.
    let (stdout, _) = run(&work, &["--output", "prefix", "b"], 0);
    assert_eq!(stdout, "[a] a\n[b] b\n");
}

/// The project's `task_output = "live"` keeps the live view on a terminal; elsewhere (a
/// pipe) a lone task's lines still come as it wrote them.
#[test]
fn a_lone_task_in_a_pipe_prints_what_it_wrote_with_the_live_setting() {
    let work = Work::new();
    work.write_manifest(
        "[settings]\ntask_output = \"live\"\n\n[tasks]\ncheck = { run = \"echo out; echo err >&2\", timeout = \"60s\" }\n",
    );
    let (stdout, stderr) = run(&work, &["check"], 0);
    assert_eq!(stdout, "out\n");
    assert_eq!(stderr, "err\n");
}
