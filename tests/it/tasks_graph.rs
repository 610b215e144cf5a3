//! `vx run` as a parallel task runner, end to end with the real binary and real `sh`
//! processes: graph order and parallelism observed through files the tasks write (a
//! task that waits for its sibling's file can only finish when both run at once),
//! globs, `depends_post`, a failure stopping what runs and cancelling what has not
//! started (named, with the reason), `--continue`, unknown names and cycles with their
//! path, declared arguments and `--help`, file tasks, `--json` and `--output grouped`.

use crate::common;

use common::Work;

fn read(work: &Work, file: &str) -> String {
    std::fs::read_to_string(work.dir.path().join(file)).unwrap_or_default()
}

/// `sh meet.sh FILE` waits up to 30 s for FILE, else exits 1: what a task runs that
/// needs its sibling to be running at the same time.
const MEET: &str =
    "i=0; while [ ! -f \"$1\" ]; do i=$((i+1)); [ $i -gt 600 ] && exit 1; sleep 0.05; done\n";

/// [`project`] with `meet.sh` beside it.
fn meeting(tasks: &str) -> Work {
    let work = Work::with_tasks(tasks);
    std::fs::write(work.dir.path().join("meet.sh"), MEET).unwrap();
    work
}

#[test]
fn independent_tasks_run_at_once_and_dependencies_first() {
    let work = meeting(
        r#"[tasks]
left = { run = "touch left.up; sh meet.sh right.up; echo left >> order" }
right = { run = "touch right.up; sh meet.sh left.up; echo right >> order" }
both = { run = "echo both >> order", depends = ["left", "right"] }
"#,
    );
    // Each of left and right finishes only once the other has started: they ran in
    // parallel; `both` came after them.
    let (code, _, stderr) = work.run_tasks(&["-j", "2", "both"]);
    assert_eq!(code, 0, "{stderr}");
    let order = read(&work, "order");
    assert!(order.ends_with("both\n"), "{order}");
    assert_eq!(order.lines().count(), 3, "each task once: {order}");
}

#[test]
fn jobs_bound_how_many_run_at_once() {
    // With -j 1, `a` and `b` never overlap: each records the other's marker absent.
    let work = Work::with_tasks(
        r#"[tasks]
a = { run = "touch a.running; [ -f b.running ] && echo overlap >> bad; rm a.running; echo a >> order" }
b = { run = "touch b.running; [ -f a.running ] && echo overlap >> bad; rm b.running; echo b >> order" }
all = { depends = ["a", "b"] }
"#,
    );
    let (code, _, stderr) = work.run_tasks(&["-j", "1", "all"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(read(&work, "bad"), "");
    assert_eq!(read(&work, "order").lines().count(), 2);
}

#[test]
fn globs_depends_post_and_each_task_once() {
    let work = Work::with_tasks(
        r#"[tasks]
"lint:sh" = "echo lint:sh >> order"
"lint:toml" = "echo lint:toml >> order"
build = "echo build >> order"
test = { run = ["echo test1 >> order", "echo test2 >> order"], depends = ["build"] }
ci = { depends = ["lint:*", "test", "build"], depends_post = ["report"] }
report = { run = "echo report >> order", hide = true }
"#,
    );
    let (code, stdout, stderr) = work.run_tasks(&["-j", "1", "ci"]);
    assert_eq!(code, 0, "{stderr}");
    let order: Vec<String> = read(&work, "order").lines().map(str::to_owned).collect();
    let at = |name: &str| {
        order
            .iter()
            .position(|l| l == name)
            .unwrap_or_else(|| panic!("{name} missing: {order:?}"))
    };
    assert!(at("build") < at("test1") && at("test1") < at("test2"));
    assert!(at("test2") < at("report") && at("lint:sh") < at("report"));
    assert_eq!(order.len(), 6, "{order:?}");
    assert_eq!(stdout, "");
    // The listing leaves hidden tasks out and describes a depends-only one.
    let (_, list, _) = work.run_tasks(&[]);
    assert!(!list.contains("report"), "{list}");
    assert!(
        list.contains("ci         runs lint:*, test, build"),
        "{list}"
    );
}

#[test]
fn a_failure_stops_what_runs_and_cancels_what_has_not_started_saying_so() {
    let work = meeting(
        r#"[tasks]
slow = { run = "trap 'echo stopped > slow.stopped; exit 9' TERM; touch slow.up; while :; do sleep 0.05; done" }
fail = { run = "sh meet.sh slow.up; echo boom >&2; exit 3" }
later = { run = "touch later.ran", depends = ["fail"] }
all = { depends = ["slow", "later"] }
"#,
    );
    let (code, stdout, stderr) = work.run_tasks(&["all"]);
    assert_eq!(code, 3, "the failed task's status: {stderr}");
    assert!(stderr.contains("[fail] boom\n"), "{stderr}");
    assert!(
        stderr.contains("vx: task `fail` failed: exit status 3\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "vx: stopped `slow` (running); cancelled `later`, `all` (not started): `fail` failed\n"
        ),
        "{stderr}"
    );
    assert_eq!(read(&work, "slow.stopped"), "stopped\n", "slow got SIGTERM");
    assert!(!work.dir.path().join("later.ran").exists());
    assert_eq!(stdout, "");

    // --continue: what does not depend on the failure still runs.
    let work = Work::with_tasks(
        r#"[tasks]
fail = "exit 4"
other = "touch other.ran"
after-fail = { run = "touch after.ran", depends = ["fail"] }
all = { depends = ["after-fail", "other"] }
"#,
    );
    let (code, _, stderr) = work.run_tasks(&["--continue", "-j", "1", "all"]);
    assert_eq!(code, 4, "{stderr}");
    assert!(work.dir.path().join("other.ran").exists(), "{stderr}");
    assert!(!work.dir.path().join("after.ran").exists());
    assert!(
        stderr.contains("cancelled `after-fail`, `all` (not started): `fail` failed"),
        "{stderr}"
    );
}

/// A `depends` glob that matches no task (a typo) fails the run naming it, nothing of
/// the run started; it was dropped without a word, and the task ran green without what
/// it needed. A glob matching tasks still runs them first.
#[test]
fn a_depends_glob_matching_no_task_fails_the_run() {
    let work = Work::with_tasks(
        "[tasks]\n\"lint:rust\" = \"touch lint.ran\"\n\
         ci = { run = \"touch ci.ran\", depends = [\"lnit:*\"] }\n\
         all = { run = \"true\", depends = [\"lint:*\"] }\n",
    );
    let (code, _, stderr) = work.run_tasks(&["ci"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("no task matches `lnit:*` (needed by ci)"),
        "{stderr}"
    );
    assert!(!work.dir.path().join("ci.ran").exists());
    let (code, _, stderr) = work.run_tasks(&["all"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(work.dir.path().join("lint.ran").exists(), "{stderr}");
}

/// A glob on the command line (`vx run 'lint:*'`) runs every task it matches, as a
/// `depends` glob pulls them in and as `mise run 'lint:*'` runs them, each with the
/// words after it; one that matches no task fails saying so (exit 2), nothing run. It
/// was "no task `lint:*`", exit 2.
#[test]
fn a_glob_on_the_command_line_runs_every_task_it_matches() {
    let work = Work::with_tasks(
        "[tasks]\n\"lint:rust\" = \"echo rust >> ran\"\n\"lint:sh\" = \"echo sh >> ran\"\n\
         other = \"echo other >> ran\"\n",
    );
    let (code, _, stderr) = work.run_tasks(&["lint:*", "-x"]);
    assert_eq!(code, 0, "{stderr}");
    let mut ran: Vec<String> = read(&work, "ran").lines().map(str::to_owned).collect();
    ran.sort_unstable();
    assert_eq!(ran, ["rust -x", "sh -x"], "{stderr}");
    let (code, _, stderr) = work.run_tasks(&["lnit:*"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "no task matches `lnit:*` in {}",
            work.dir.path().join("vx.toml").display()
        )),
        "{stderr}"
    );
    assert_eq!(read(&work, "ran").lines().count(), 2, "nothing ran");
}

/// `vx tasks info` shows a vx.toml task (found by an alias too) with its
/// dependencies, commands, environment and arguments, and a file task with its file;
/// `--json` holds the same. `vx tasks ls --hidden` lists the hidden ones too, `--json`
/// as one array.
#[test]
fn vx_tasks_info_shows_a_task_and_ls_lists_hidden_ones_on_request() {
    let work = Work::with_tasks(
        "[tasks]\nbuild = \"true\"\n\
         greet = { run = [\"echo {{greeting}}\", \"echo {{name}}\"], depends = [\"build\"], alias = \"g\", \
         env = { LOUD = \"1\" }, description = \"says hello\", args = [\
         { name = \"name\", default = \"world\", help = \"who\" }, \
         { name = \"greeting\", option = true, default = \"hello\" }] }\n\
         secret = { run = \"true\", hide = true }\n",
    );
    let script = work.dir.path().join(".vx/tasks/deploy");
    std::fs::create_dir_all(script.parent().unwrap()).unwrap();
    std::fs::write(&script, "#!/bin/sh\necho deployed\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let vx = |args: &[&str]| {
        let (code, stdout, stderr) = work.outcome(args);
        assert_eq!(code, 0, "vx {args:?}: {stderr}");
        stdout
    };
    let manifest = work.dir.path().join("vx.toml");
    assert_eq!(
        vx(&["tasks", "info", "g"]),
        format!(
            "Task: greet\nAliases: g\nDescription: says hello\nSource: {}\nDepends on: build\n\n\
             Run:\n  echo {{{{greeting}}}}\n  echo {{{{name}}}}\n\n\
             Environment Variables:\n  LOUD=1\n\n\
             Usage: vx run greet [name] [--greeting <VALUE>]\n\n\
             Arguments:\n  name                who [default: world]\n  --greeting <VALUE>  [default: hello]\n",
            manifest.display()
        )
    );
    let json: serde_json::Value =
        serde_json::from_str(&vx(&["tasks", "info", "greet", "--json"])).unwrap();
    assert_eq!(json["depends"], serde_json::json!(["build"]));
    assert_eq!(json["args"][1]["kind"], "option");
    assert_eq!(json["source"], manifest.display().to_string());
    let deploy = vx(&["tasks", "info", "deploy"]);
    assert!(
        deploy.contains(&format!("Source: {}\n", script.display()))
            && deploy.contains("File: .vx/tasks/deploy\n"),
        "{deploy}"
    );
    // The listing is `vx run`'s; hidden tasks on request.
    assert_eq!(vx(&["tasks", "ls"]), vx(&["run"]));
    assert!(!vx(&["tasks"]).contains("secret"));
    assert!(vx(&["tasks", "ls", "--hidden"]).contains("secret"));
    let all: serde_json::Value =
        serde_json::from_str(&vx(&["tasks", "--json", "--hidden"])).unwrap();
    let names: Vec<&str> = (all.as_array().unwrap().iter())
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["build", "greet", "secret", "deploy"]);
}

#[test]
fn unknown_names_and_cycles_are_errors_with_their_path() {
    let work = Work::with_tasks(
        "[tasks]\na = { run = \"true\", depends = [\"b\"] }\nb = { run = \"true\", depends = [\"bulid\"] }\nbuild = \"true\"\n",
    );
    let (code, _, stderr) = work.run_tasks(&["a"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("task `bulid` (needed by a → b) does not exist; did you mean `build`?"),
        "{stderr}"
    );
    // Issue 64, item 7: the missing dependency stops only what needs it (it was a
    // manifest error that stopped every task): the tasks are listed, the others run.
    let (code, list, stderr) = work.run_tasks(&[]);
    assert_eq!(code, 0, "{stderr}");
    let names: Vec<&str> = list
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(names, ["a", "b", "build"], "{list}");
    let (code, _, stderr) = work.run_tasks(&["build"]);
    assert_eq!(code, 0, "{stderr}");
    let work = Work::with_tasks(
        "[tasks]\na = { run = \"true\", depends = [\"b\"], depends_post = [\"c\"] }\nb = { depends = [\"c\"] }\nc = \"true\"\n",
    );
    let (code, _, stderr) = work.run_tasks(&["a"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("form a cycle: a → b → c → a"), "{stderr}");
    let (code, _, stderr) = Work::with_tasks("[tasks]\nbuild = \"true\"\n").run_tasks(&["biuld"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no task `biuld`") && stderr.contains("did you mean `build`?"),
        "{stderr}"
    );
    // A malformed entry names the task and the key.
    let (code, _, stderr) =
        Work::with_tasks("[tasks]\nsrv = { run = \"x\", ready = { port = 3000 } }\n")
            .run_tasks(&["srv"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("tasks.srv.ready: only a service has a ready check"),
        "{stderr}"
    );
}

#[test]
fn declared_arguments_defaults_help_and_several_tasks() {
    let work = Work::with_tasks(
        r#"[tasks]
greet = { run = "echo {{greeting}}, {{name}}! >> said", description = "Says hello", args = [
  { name = "name", default = "world", help = "Who to greet" },
  { name = "greeting", option = true, default = "hello" },
] }
other = "echo other >> said"
"#,
    );
    let (code, _, stderr) = work.run_tasks(&["greet", "you all", "--greeting=hi", ":::", "other"]);
    assert_eq!(code, 0, "{stderr}");
    let said = read(&work, "said");
    assert!(
        said.contains("hi, you all!\n") && said.contains("other\n"),
        "{said}"
    );
    let (code, help, _) = work.run_tasks(&["greet", "--help"]);
    assert_eq!(code, 0);
    assert!(
        help.starts_with("Says hello\n\nUsage: vx run greet [name] [--greeting <VALUE>]\n"),
        "{help}"
    );
    assert!(help.contains("Who to greet [default: world]"), "{help}");
    let (code, _, stderr) = work.run_tasks(&["greet", "a", "b"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("`b` is one too many"), "{stderr}");
}

/// `-j1`, `-j=1` and `--jobs=1` are `-j 1`, as mise's clap reads them (mise
/// 2026.9.15 runs `mise run -j1 c`); vx read `-j1` as the task's name: "no task
/// `-j1`", exit 2.
#[test]
fn jobs_glued_to_their_flag_bound_the_run_as_mise_reads_them() {
    let work = Work::with_tasks(
        r#"[tasks]
a = { run = "touch a.running; [ -f b.running ] && echo overlap >> bad; rm a.running; echo a >> order" }
b = { run = "touch b.running; [ -f a.running ] && echo overlap >> bad; rm b.running; echo b >> order" }
all = { depends = ["a", "b"] }
"#,
    );
    for jobs in ["-j1", "-j=1", "--jobs=1"] {
        let (code, _, stderr) = work.run_tasks(&[jobs, "all"]);
        assert_eq!(code, 0, "{jobs}: {stderr}");
    }
    assert_eq!(read(&work, "bad"), "");
    assert_eq!(
        read(&work, "order").lines().count(),
        6,
        "each run ran a and b"
    );
    // After the task's name, `-j1` is the task's word.
    let (code, _, stderr) = work.run_tasks(&["all", "-j1"]);
    assert_eq!(code, 0, "{stderr}");
}

/// `--help` (or `-h`) after the `--` is the task's word, as mise 2026.9.15 passes it
/// (`mise run t -- --help` runs `t`, its usage spec not read, the words given to its
/// last command as they are): a wrapper task reaches its tool's own help. Before the
/// `--` it is still the task's help. vx refused it: "task `t` has no option --help",
/// exit 2.
#[test]
fn help_after_the_dashes_reaches_a_task_with_declared_arguments() {
    let work = Work::with_tasks(
        r#"[tasks]
t = { run = ["echo first >> said", "echo {{target}} >> said; echo"], args = [
  { name = "target", default = "dev" },
  { name = "mode", option = true, short = "m" },
] }
"#,
    );
    let (code, out, stderr) = work.run_tasks(&["t", "prod", "--", "--help"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        out, "prod --help\n",
        "the words passed on, unread: {stderr}"
    );
    assert_eq!(
        read(&work, "said"),
        "first\ndev\n",
        "the argument its default"
    );
    let (code, out, stderr) = work.run_tasks(&["t", "--", "-h"]);
    assert_eq!((code, out.as_str()), (0, "-h\n"), "{stderr}");
    let (code, help, _) = work.run_tasks(&["t", "--help"]);
    assert_eq!(code, 0);
    assert!(help.contains("Usage: vx run t [target]"), "{help}");
}

/// A task that runs another through `"$VX" run` (what a mise `run` step `{ task =
/// "a" }` becomes) gives it none of its own words: `a` sees its own arguments, as
/// under mise. `a` saw the caller's `VX_ARG_TARGET` (`a got prod`).
#[test]
fn a_task_run_by_another_sees_none_of_its_callers_arguments() {
    let work = Work::with_tasks(
        r#"[tasks]
t = { run = ['"$VX" run a', 'echo "t got $VX_ARG_TARGET" >> said'], args = [{ name = "target" }] }
a = 'echo "a got ${VX_ARG_TARGET-nothing}" >> said'
"#,
    );
    let (code, _, stderr) = work.run_tasks(&["t", "prod"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        read(&work, "said"),
        "a got nothing\nt got prod\n",
        "{stderr}"
    );
}

#[test]
fn file_tasks_run_with_their_header() {
    let work = Work::with_tasks("[tasks]\nbuild = \"echo built >> log\"\n");
    let dir = work.dir.path().join(".vx/tasks/db");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("migrate");
    std::fs::write(
        &file,
        "#!/bin/sh\n#VX description = \"Migrate the database\"\n#VX depends = [\"build\"]\n#VX args = [{ name = \"target\", default = \"dev\" }]\necho \"migrated $VX_ARG_TARGET $*\" >> log\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (code, _, stderr) = work.run_tasks(&["db:migrate", "prod"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(read(&work, "log"), "built\nmigrated prod prod\n");
    let (_, list, _) = work.run_tasks(&[]);
    assert!(list.contains("db:migrate  Migrate the database"), "{list}");
    // A bad header is an error at its line.
    std::fs::write(&file, "#!/bin/sh\n#VX depend = []\n").unwrap();
    let (code, _, stderr) = work.run_tasks(&["db:migrate"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("migrate:2") && stderr.contains("did you mean `depends`"),
        "{stderr}"
    );
}

/// vx.toml's file tasks as docs/guide/tasks.md has them beside mise's: a file or folder
/// under `.vx/tasks/` whose name starts with `.` is no task (a helper the tasks
/// source, as mise passes it over), and a name vx.toml gives too is an error naming
/// both, not one of them dropped silently.
#[test]
fn file_tasks_pass_over_dot_files_and_a_name_given_twice_is_an_error() {
    use std::os::unix::fs::PermissionsExt;
    let work = Work::with_tasks("[tasks]\nbuild = \"echo built >> log\"\n");
    let tasks = work.dir.path().join(".vx/tasks");
    for (name, text) in [
        (".private/helper.sh", "#!/bin/sh\nHELPED=yes\n"),
        (".hidden", "#!/bin/sh\necho hidden >> log\n"),
        (
            "ok",
            "#!/bin/sh\n. \"$(dirname \"$0\")/.private/helper.sh\"\necho \"ok $HELPED\" >> log\n",
        ),
    ] {
        let file = tasks.join(name);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, text).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let (_, list, _) = work.run_tasks(&[]);
    assert!(
        !list.contains("hidden") && !list.contains("private"),
        "{list}"
    );
    let (code, _, stderr) = work.run_tasks(&[".hidden"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = work.run_tasks(&["ok"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(read(&work, "log"), "ok yes\n");
    std::fs::write(tasks.join("build"), "#!/bin/sh\necho file >> log\n").unwrap();
    std::fs::set_permissions(tasks.join("build"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let (code, _, stderr) = work.run_tasks(&["build"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("task `build` is both in"), "{stderr}");
}

#[test]
fn json_events_and_grouped_output() {
    let work = Work::with_tasks(
        r#"[tasks]
a = "echo a1; echo a2"
b = { run = "echo b1", depends = ["a"] }
"#,
    );
    let (code, stdout, _) = work.run_tasks(&["--json", "b"]);
    assert_eq!(code, 0);
    let events = common::json_lines(stdout.as_bytes());
    assert_eq!(events[0]["event"], "plan");
    assert_eq!(events[0]["tasks"][1]["depends"][0], "a");
    assert_eq!(events.last().unwrap()["event"], "summary");
    assert_eq!(events.last().unwrap()["done"], 2);
    for task in ["a", "b"] {
        let terminal: Vec<_> = events
            .iter()
            .filter(|e| e["event"] == "phase" && e["task"] == task)
            .filter(|e| {
                ["done", "failed", "cancelled", "up_to_date"]
                    .contains(&e["phase"].as_str().unwrap())
            })
            .collect();
        assert_eq!(terminal.len(), 1, "one terminal event for {task}");
        // Its output came before it.
        let last_output = events
            .iter()
            .rposition(|e| e["event"] == "output" && e["task"] == task)
            .unwrap();
        let end = events
            .iter()
            .position(|e| std::ptr::eq(e, terminal[0]))
            .unwrap();
        assert!(last_output < end);
    }
    let (code, stdout, _) = work.run_tasks(&["--output", "grouped", "b"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, "── a ──\na1\na2\n── b ──\nb1\n");
    let (code, stdout, _) = work.run_tasks(&["--output", "prefix", "b"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, "[a] a1\n[a] a2\n[b] b1\n");
}

#[test]
fn prefix_output_cuts_an_endless_line_and_a_progress_bar_shows_its_last_state() {
    // 40 MB in one line without a newline, then a 42 MB `\r` progress bar: each is one
    // printed line, cut at the cap with a note (the bar at its last state), never held
    // or printed whole (issue 66, item 3).
    let work = Work::with_tasks(
        r#"[tasks]
long = { run = "head -c 41943040 /dev/zero | tr '\\0' x" }
bar = { run = "yes 'progress 50%' | head -c 42000000 | tr '\\n' '\\r'; printf '\\rdone 100%%\\n'", depends = ["long"] }
"#,
    );
    let started = std::time::Instant::now();
    let (code, stdout, stderr) = work.run_tasks(&["--output", "prefix", "bar"]);
    let took = started.elapsed();
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{:?}", &stdout[..stdout.len().min(300)]);
    let cap = 64 << 10;
    assert_eq!(
        lines[0],
        format!("[long] {} … (line cut at 64 KiB)", "x".repeat(cap))
    );
    assert_eq!(lines[1], "[bar] done 100%");
    // Linear: 80 MB through a debug build's loop, far from the quadratic minutes.
    assert!(took < std::time::Duration::from_secs(60), "{took:?}");
}

/// `--output grouped` and `--output quiet` print a task's held output made safe as
/// `prefix` does (issue 66, item 14): a window title and OSC 52 reached the terminal
/// raw there; colours pass, and a progress bar's carriage returns show its last state.
#[test]
fn grouped_and_quiet_output_keep_colours_and_show_other_escapes_made_visible() {
    let work = Work::with_tasks(
        r#"[tasks]
esc = { run = "printf '\\033]0;pwned\\007\\033]52;c;aGk=\\007\\033[31mred\\033[0m\\n10%%\\r99%%\\n'; exit 3" }
"#,
    );
    let shown = "\\x1b]0;pwned\\x07\\x1b]52;c;aGk=\\x07\x1b[31mred\x1b[0m\n99%\n";
    for mode in ["grouped", "quiet"] {
        let (code, stdout, stderr) = work.run_tasks(&["--output", mode, "esc"]);
        assert_eq!(code, 3, "{mode}: {stderr}");
        assert!(
            stdout.ends_with(shown) && !stdout.contains('\x07'),
            "{mode}: {stdout:?}"
        );
    }
}

#[test]
fn prefix_output_keeps_colours_and_shows_other_escapes_made_visible() {
    // A window title and a clipboard write (OSC 52) must not reach the terminal raw;
    // colours do (issue 66, item 14).
    let work = Work::with_tasks(
        r#"[tasks]
esc = { run = "printf '\\033]0;pwned\\007\\033]52;c;aGk=\\007\\033[31mred\\033[0m\\n'" }
"#,
    );
    let (code, stdout, stderr) = work.run_tasks(&["--output", "prefix", "esc"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "[esc] \\x1b]0;pwned\\x07\\x1b]52;c;aGk=\\x07\x1b[31mred\x1b[0m\n"
    );
}

/// Issue 79, item 7: a task whose command runs `"$VX" run` of a task that depends on
/// what the outer run already ran (here `gen`, which appends a line) does not run it
/// again: the outer run names its ledger to its tasks, and the inner run finds `gen`
/// done there. A task that runs itself through `vx run` fails at once, saying so.
#[test]
fn a_nested_vx_run_runs_nothing_the_outer_run_ran() {
    let work = meeting(
        r#"[tasks]
gen = { run = "echo gen >> log" }
test = { depends = ["gen"], run = "echo test >> log" }
ci = { depends = ["gen"], run = ['"$VX" run test', "echo ci >> log"] }
again = { depends = ["gen"], run = '"$VX" run again' }
"#,
    );
    work.vx()
        .args(["run", "--output", "prefix", "ci"])
        .assert()
        .success();
    assert_eq!(read(&work, "log"), "gen\ntest\nci\n");
    let out = work
        .vx()
        .args(["run", "--output", "prefix", "again"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("a task that runs itself through `vx run`"),
        "{err}"
    );
}

/// vx.toml's `depends` takes a table `{ task, args, env }` (mise's form): a node of
/// the run of its own, run beside the task's other dependencies (`check` and `other`
/// each wait for the other's file), with its words and variables; the same table
/// twice is one node, other words or variables another, and the plan shows each by
/// its name and words. vx.toml's `depends` took names only (a table was a manifest
/// error), and a mise dependency with arguments became a command of the task.
#[test]
fn a_depends_table_with_args_and_env_is_a_node_of_its_own() {
    let work = meeting(
        r#"[tasks]
check = { run = 'touch check.up; sh meet.sh other.up; echo "check Z=${Z-unset} test={{test}}" >> order', args = [{ name = "test", flag = true }] }
other = { run = "touch other.up; sh meet.sh check.up; echo other >> order" }
plain = { run = 'echo "check Z=${Z-unset} plain" >> order' }
lint = { run = "echo lint >> order", depends = [
  "other",
  { task = "check", args = ["--test"], env = { Z = "1" } },
  { task = "check", args = ["--test"], env = { Z = "1" } },
  { task = "check", args = ["--test"], env = { Z = "2" } },
] }
"#,
    );
    let (code, _, stderr) = work.run_tasks(&["-j", "4", "lint"]);
    assert_eq!(code, 0, "{stderr}");
    let order = read(&work, "order");
    let mut lines: Vec<&str> = order.lines().collect();
    assert_eq!(lines.pop(), Some("lint"), "{order}");
    lines.sort_unstable();
    assert_eq!(
        lines,
        ["check Z=1 test=true", "check Z=2 test=true", "other"],
        "{order}"
    );
    let out = work
        .vx()
        .args(["run", "--dry-run", "lint"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("after other, Z=1 check --test, Z=2 check --test"),
        "{text}"
    );
    // A table naming no task, or with a key of its own, is a manifest error at it.
    std::fs::write(
        work.dir.path().join("vx.toml"),
        "[tasks]\nlint = { run = \"true\", depends = [{ task = \"check\", when = 1 }] }\n",
    )
    .unwrap();
    let out = work.vx().args(["run", "lint"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("when"));
}

/// `--json` tells two tasks of one name apart: each plan entry keeps `task` (the
/// name) and `depends` (names) and adds `label` (as the run's lines name it), `args`
/// (the words a dependency gave it), `env` (the names of the variables it set) and
/// `depends_labels`; every phase and output event adds its `label`. vx's events said
/// `"task":"setup"` for all three of `setup`, `setup a` and `Z=1 setup`.
#[test]
fn json_events_tell_the_tasks_of_one_name_apart() {
    let work = Work::with_tasks(
        r#"[tasks]
setup = { run = "echo set up" }
all = { run = "true", depends = [
  "setup",
  { task = "setup", args = ["a"] },
  { task = "setup", env = { Z = "1" } },
] }
"#,
    );
    let (code, stdout, stderr) = work.run_tasks(&["--json", "-j", "4", "all"]);
    assert_eq!(code, 0, "{stderr}");
    let events: Vec<serde_json::Value> = (stdout.lines())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events[0]["event"], "plan", "{stdout}");
    let plan = events[0]["tasks"].as_array().unwrap();
    let entry = |label: &str| {
        let found = plan.iter().find(|t| t["label"] == label);
        found.unwrap_or_else(|| panic!("{label}: {stdout}")).clone()
    };
    for (label, args, env) in [
        ("setup", serde_json::json!([]), serde_json::json!([])),
        ("setup a", serde_json::json!(["a"]), serde_json::json!([])),
        ("Z=1 setup", serde_json::json!([]), serde_json::json!(["Z"])),
    ] {
        let t = entry(label);
        assert_eq!(t["task"], "setup", "{t}");
        assert_eq!((&t["args"], &t["env"]), (&args, &env), "{t}");
        // Each ran and said so under its own label.
        let done = events
            .iter()
            .any(|e| e["event"] == "phase" && e["label"] == label && e["phase"] == "done");
        let said = events
            .iter()
            .any(|e| e["event"] == "output" && e["label"] == label && e["task"] == "setup");
        assert!(done && said, "{label}: {stdout}");
    }
    let all = entry("all");
    assert_eq!(
        all["depends"],
        serde_json::json!(["setup", "setup", "setup"])
    );
    let mut labels: Vec<&str> = (all["depends_labels"].as_array().unwrap().iter())
        .filter_map(|l| l.as_str())
        .collect();
    labels.sort_unstable();
    assert_eq!(labels, ["Z=1 setup", "setup", "setup a"], "{all}");
}

/// A dry run's `--json` plan names each node as the live run's plan does: `task` the
/// task's name, `label`, `args`, `env` (names only) and `depends_labels` beside it.
/// The dry run put the node as written in `task` (`Z=1 setup`), so a reader of both
/// saw two names for one task. A word holding a space is quoted in a label
/// (`setup 'a b'`), so `["a b"]` and `["a", "b"]` are two labels: the run named both
/// `setup a b`, and its board refused the second ("this run has no board").
#[test]
fn a_dry_runs_json_names_the_nodes_as_the_live_run_and_a_spaced_word_is_quoted() {
    let work = Work::with_tasks(
        r#"[tasks]
setup = { run = "echo set up" }
all = { run = "true", depends = [
  "setup",
  { task = "setup", args = ["a b"] },
  { task = "setup", args = ["a", "b"] },
  { task = "setup", env = { Z = "x y" } },
] }
"#,
    );
    let (code, stdout, stderr) = work.run_tasks(&["--dry-run", "--json", "all"]);
    assert_eq!(code, 0, "{stderr}");
    let plan: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let tasks = plan["tasks"].as_array().unwrap();
    let mut seen: Vec<(String, String, String, String)> = (tasks.iter())
        .map(|t| {
            let s = |v: &serde_json::Value| v.to_string();
            (s(&t["task"]), s(&t["label"]), s(&t["args"]), s(&t["env"]))
        })
        .collect();
    seen.sort();
    let want = [
        (r#""all""#, r#""all""#, "[]", "[]"),
        (r#""setup""#, r#""Z='x y' setup""#, "[]", r#"["Z"]"#),
        (r#""setup""#, r#""setup""#, "[]", "[]"),
        (r#""setup""#, r#""setup 'a b'""#, r#"["a b"]"#, "[]"),
        (r#""setup""#, r#""setup a b""#, r#"["a","b"]"#, "[]"),
    ];
    let mut want: Vec<(String, String, String, String)> = (want.iter())
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    want.sort();
    assert_eq!(seen, want, "{stdout}");
    let all = tasks.iter().find(|t| t["task"] == "all").unwrap();
    assert_eq!(
        all["depends"],
        serde_json::json!(["setup", "setup", "setup", "setup"]),
        "{all}"
    );

    let (code, _, stderr) = work.run_tasks(&["-j", "1", "all"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("no board"), "{stderr}");
}

/// A cycle through a dependency with arguments (`a` asks `{ task = "b", args =
/// ["x"] }`, `b` depends on `a`) is refused when vx.toml is read, as a cycle of names
/// is: the file and line, the path with the words (`a → b x → a`), exit 2 for every
/// run, a dry run too, nothing run. vx found it only when a run's plan held it, and
/// ran the project's other tasks (`vx run c`).
#[test]
fn a_cycle_through_a_dependency_with_arguments_is_refused_when_the_manifest_is_read() {
    let work = Work::with_tasks(
        r#"[tasks]
a = { run = "touch ran-a", depends = [{ task = "b", args = ["x"] }] }
b = { run = "touch ran-b", depends = ["a"] }
c = { run = "touch ran-c" }
"#,
    );
    let plain = Work::with_tasks(
        "[tasks]\na = { run = \"touch ran-a\", depends = [\"b\"] }\nb = { run = \"touch ran-b\", depends = [\"a\"] }\nc = { run = \"touch ran-c\" }\n",
    );
    for (work, path) in [(&work, "a → b x → a"), (&plain, "a → b → a")] {
        for args in [&["c"][..], &["a"], &["--dry-run", "a"], &["b"]] {
            let (code, out, stderr) = work.run_tasks(args);
            assert_eq!(code, 2, "{args:?}: {out}{stderr}");
            let said = format!("vx.toml:4:1: the tasks' dependencies form a cycle: {path}");
            assert!(stderr.contains(&said), "{args:?}: {stderr}");
        }
        for file in ["ran-a", "ran-b", "ran-c"] {
            assert!(!work.dir.path().join(file).exists(), "{file} ran");
        }
    }
}
