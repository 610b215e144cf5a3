//! The key is the one judge of "up to date" (issue 75): the real `vx run` against real
//! files. A task is up to date only when its key is the key of its last success on
//! this machine, so every input the key holds (a dependency's key, a tool's lock entry,
//! the salt, the task's arguments) makes it run again, as on a fresh machine; a task
//! with `sources` and no `outputs` (a test, a lint) is kept as its log and status and
//! restored by replaying the log, in this clone and in another.
//!
//! Each case failed before the fix: the stamp hashed only the task's own sources and
//! commands, so the stale result was reported up to date.

use crate::common;

use common::Work;

/// `vx run ARGS` with prefixed output; its exit code must be 0. What it said.
fn run(work: &Work, args: &[&str]) -> String {
    let (code, stdout, stderr) = work.run_tasks(&[&["--output", "prefix"], args].concat());
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    format!("{stdout}{stderr}")
}

/// How many times the tasks ran: lines of the project's `runs` file naming `task`.
fn runs(work: &Work, task: &str) -> usize {
    std::fs::read_to_string(work.dir.path().join("runs"))
        .unwrap_or_default()
        .lines()
        .filter(|l| *l == task)
        .count()
}

fn write(work: &Work, rel: &str, text: &str) {
    let path = work.dir.path().join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn read(work: &Work, rel: &str) -> String {
    std::fs::read_to_string(work.dir.path().join(rel)).unwrap()
}

/// `gen` turns `gen.txt` into `gen/out.txt`; `build` (depending on `gen`) puts it and
/// its own source together into `out/result.txt`. `build`'s `sources` do not name
/// what `gen` writes: only its dependency's key tells it that `gen` changed.
const GRAPH: &str = r#"[tasks.gen]
run = "echo gen >> runs; mkdir -p gen && cp gen.txt gen/out.txt"
sources = ["gen.txt"]
outputs = ["gen/**"]

[tasks.build]
run = "echo build >> runs; mkdir -p out && cat gen/out.txt src/in.txt > out/result.txt"
sources = ["src/**"]
outputs = ["out/**"]
depends = ["gen"]
"#;

#[test]
fn a_dependency_that_changed_makes_its_dependent_run_again() {
    let work = Work::with_tasks(GRAPH);
    write(&work, "gen.txt", "generated one\n");
    write(&work, "src/in.txt", "source\n");
    run(&work, &["build"]);
    assert_eq!(read(&work, "out/result.txt"), "generated one\nsource\n");

    write(&work, "gen.txt", "generated two\n");
    let said = run(&work, &["build"]);
    assert_eq!(runs(&work, "gen"), 2, "{said}");
    assert!(!said.contains("`build` is up to date"), "{said}");
    assert_eq!(runs(&work, "build"), 2, "{said}");
    assert_eq!(
        read(&work, "out/result.txt"),
        "generated two\nsource\n",
        "the output made from the old input was kept: {said}"
    );
    // Unchanged since: up to date, both.
    let said = run(&work, &["build"]);
    assert_eq!((runs(&work, "gen"), runs(&work, "build")), (2, 2), "{said}");
}

/// The same without a results cache (`cache = false`): the stamp alone judges, and it
/// holds the key.
#[test]
fn a_dependency_that_changed_makes_its_dependent_run_again_without_a_cache() {
    let work = Work::with_tasks(&GRAPH.replace("outputs = [", "cache = false\noutputs = ["));
    write(&work, "gen.txt", "one\n");
    write(&work, "src/in.txt", "source\n");
    run(&work, &["build"]);
    write(&work, "gen.txt", "two\n");
    let said = run(&work, &["build"]);
    assert_eq!(read(&work, "out/result.txt"), "two\nsource\n", "{said}");
    assert_eq!(runs(&work, "build"), 2, "{said}");
}

#[test]
fn a_tools_new_lock_entry_under_the_same_version_makes_the_task_run_again() {
    let work = Work::new();
    let archive = |text: &str| {
        vx_fixture::tar_gz(&[vx_fixture::Item::File(
            "bin/hello",
            format!("#!/bin/sh\necho {text}\n").into_bytes(),
            0o755,
        )])
    };
    let path = work.dir.path().join("hello-1.0.tar.gz");
    let manifest = |bytes: &[u8]| {
        format!(
            "[tools.hello]\nversion = \"1.0\"\nurl = \"file://{}\"\nsha256 = \"{}\"\n\n\
             [tasks.greet]\nrun = \"echo greet >> runs; mkdir -p out && hello > out/greeting\"\n\
             sources = [\"src/**\"]\noutputs = [\"out/**\"]\n",
            path.display(),
            vx_fixture::sha256_hex(bytes)
        )
    };
    write(&work, "src/in.txt", "x");
    let first = archive("hello");
    std::fs::write(&path, &first).unwrap();
    work.write_manifest(&manifest(&first));
    run(&work, &["greet"]);
    assert_eq!(read(&work, "out/greeting"), "hello\n");

    // Another archive under the same version: another lock entry, the task runs.
    let second = archive("bye");
    std::fs::write(&path, &second).unwrap();
    work.write_manifest(&manifest(&second));
    let said = run(&work, &["greet"]);
    assert!(!said.contains("`greet` is up to date"), "{said}");
    assert_eq!(runs(&work, "greet"), 2, "{said}");
    assert_eq!(read(&work, "out/greeting"), "bye\n", "{said}");
}

#[test]
fn a_new_salt_makes_the_task_run_again() {
    let task = "[tasks.build]\nrun = \"echo build >> runs; mkdir -p out && cp src/in.txt out/\"\n\
                sources = [\"src/**\"]\noutputs = [\"out/**\"]\n";
    let work = Work::with_tasks(task);
    write(&work, "src/in.txt", "x");
    run(&work, &["build"]);
    assert!(run(&work, &["build"]).contains("`build` is up to date"));
    work.write_manifest(&format!(
        "[settings]\ntask_cache_salt = \"rotated\"\n\n[tools]\n\n{task}"
    ));
    let said = run(&work, &["build"]);
    assert!(!said.contains("`build` is up to date"), "{said}");
    assert_eq!(runs(&work, "build"), 2, "{said}");
}

/// A task's arguments are part of what it does: `vx run test --filter=x` after `vx
/// run test` runs it (it ran nothing before: the words after the name were not in
/// the stamp).
#[test]
fn the_tasks_arguments_make_it_run_again() {
    let work = Work::with_tasks(
        "[tasks.test]\nrun = \"echo test >> runs; echo testing\"\nsources = [\"src/**\"]\n",
    );
    write(&work, "src/in.txt", "x");
    run(&work, &["test"]);
    let said = run(&work, &["test", "--filter=x"]);
    assert!(!said.contains("`test` is up to date"), "{said}");
    assert_eq!(runs(&work, "test"), 2, "{said}");
    assert!(said.contains("[test] testing --filter=x"), "{said}");
    // The same arguments again: up to date.
    let said = run(&work, &["test", "--filter=x"]);
    assert!(said.contains("`test` is up to date"), "{said}");
    assert_eq!(runs(&work, "test"), 2);
}

/// A check with `sources` and no `outputs` is kept as its log and status: after its
/// stamp is gone (another clone of the project, sharing this machine's cache) it is
/// restored by replaying its log, with no command run. The replayed log names the
/// reader's project directory, not the one it was made in.
#[test]
fn a_task_without_outputs_is_kept_as_its_log_and_replayed_in_another_clone() {
    let task = "[tasks.lint]\nrun = \"echo lint >> runs; echo no problems found in $PWD/src\"\nsources = [\"src/**\"]\n";
    let work = Work::with_tasks(task);
    write(&work, "src/in.txt", "x");
    let said = run(&work, &["lint"]);
    assert!(said.contains("`lint` kept (log only, key "), "{said}");

    // Another clone: the same files elsewhere, this machine's cache and data.
    let clone = tempfile::tempdir().unwrap();
    std::fs::copy(work.manifest(), clone.path().join("vx.toml")).unwrap();
    std::fs::create_dir_all(clone.path().join("src")).unwrap();
    std::fs::write(clone.path().join("src/in.txt"), "x").unwrap();
    let (code, stdout, stderr) = work.outcome_with(&["run", "--output", "prefix", "lint"], |cmd| {
        cmd.current_dir(clone.path());
    });
    let said = format!("{stdout}{stderr}");
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("`lint` restored (log only, key "), "{said}");
    let here = clone.path().canonicalize().unwrap();
    assert!(
        said.contains(&format!(
            "[lint] no problems found in {}/src",
            here.display()
        )),
        "{said}"
    );
    let there = work.dir.path().canonicalize().unwrap();
    assert!(!said.contains(&there.display().to_string()), "{said}");
    assert!(
        !clone.path().join("runs").exists(),
        "no command ran: {said}"
    );

    // Its source changed: it runs.
    write(&work, "src/in.txt", "y");
    let said = run(&work, &["lint"]);
    assert_eq!(runs(&work, "lint"), 2, "{said}");
}

/// A failed check is never kept: the next run runs it again.
#[test]
fn a_failed_task_without_outputs_is_not_kept() {
    let work = Work::with_tasks(
        "[tasks.lint]\nrun = \"echo lint >> runs; exit 3\"\nsources = [\"src/**\"]\n",
    );
    write(&work, "src/in.txt", "x");
    for _ in 0..2 {
        let (code, _, _) = work.run_tasks(&["lint"]);
        assert_eq!(code, 3);
    }
    assert_eq!(runs(&work, "lint"), 2);
}

/// Two `vx run build` at once in one project (issue 78): the second waits for the
/// first's turn, then finds its result up to date, instead of writing the same outputs
/// at the same time (`cp: cannot create regular file 'dist/app.txt': File exists`).
/// The task holds its first run at a gate (a file the test makes) until the second
/// run has started.
#[test]
fn two_runs_of_one_task_at_once_take_turns() {
    let work = Work::with_tasks(
        "[tasks.build]\nrun = \"echo build >> runs; while [ ! -e gate ]; do sleep 0.02; done; \
         mkdir -p out && cp src/in.txt out/app.txt\"\nsources = [\"src/**\"]\noutputs = [\"out/**\"]\n",
    );
    write(&work, "src/in.txt", "x");
    let spawn = |output: &str| {
        let mut cmd = work.vx_process(&["run", output, "build"]);
        cmd.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        cmd.spawn().unwrap()
    };
    let first = spawn("--output=prefix");
    common::wait_for("the first run's command", || {
        (runs(&work, "build") == 1).then_some(())
    });
    // The second run says (a `phase` event) that it waits for the first.
    let mut second = spawn("--json");
    let mut events = std::io::BufReader::new(second.stdout.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        use std::io::BufRead;
        if events.read_line(&mut line).unwrap() == 0 {
            panic!("the second run ended without waiting: {seen}");
        }
        seen.push_str(&line);
        if line.contains("\"phase\":\"waiting\"") && line.contains("another run of it") {
            break;
        }
    }
    write(&work, "gate", "");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut events, &mut rest).unwrap();
    seen.push_str(&rest);
    let (first, second) = (
        first.wait_with_output().unwrap(),
        second.wait_with_output().unwrap(),
    );
    let said = |out: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    assert!(first.status.success(), "{}", said(&first));
    assert!(second.status.success(), "{seen}{}", said(&second));
    assert_eq!(runs(&work, "build"), 1, "{seen}");
    assert!(seen.contains("\"phase\":\"up_to_date\""), "{seen}");
}
