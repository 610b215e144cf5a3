//! Task results kept by their key, on this machine: the real `vx run` against real
//! files. A result is restored in place of running the task (the task's own marker
//! file shows whether its command ran), byte for byte, modes kept and mtimes fresh;
//! each kind of input changes the key (`--explain-key`'s document); no secret enters a
//! key; `cache = false` opts out; the area is bounded; `vx cache clean` empties it;
//! a hostile archive in the cache is refused and the task runs.

use std::path::{Path, PathBuf};

use crate::common;

use common::Work;

/// A project whose `build` copies `src/in.txt` into `out/` (executable), counting its
/// runs in `runs` (not an output).
const BUILD: &str = r#"[tasks.build]
run = "echo ran >> runs; mkdir -p out/sub && cp src/in.txt out/sub/result.txt && chmod 755 out/sub/result.txt && echo building"
sources = ["src/**"]
outputs = ["out/**"]
"#;

fn project(tasks: &str) -> Work {
    let work = Work::with_tasks(tasks);
    std::fs::create_dir_all(work.dir.path().join("src")).unwrap();
    std::fs::write(work.dir.path().join("src/in.txt"), "input one\n").unwrap();
    work
}

fn runs(work: &Work) -> usize {
    std::fs::read_to_string(work.dir.path().join("runs"))
        .unwrap_or_default()
        .lines()
        .count()
}

fn run(work: &Work, args: &[&str]) -> String {
    let (code, stdout, stderr) = work.run_tasks(&[&["--output", "prefix"], args].concat());
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    format!("{stdout}{stderr}")
}

/// The results area of the workspace's cache directory.
fn area(work: &Work) -> PathBuf {
    work.dir.path().join("cache/vx/tasks")
}

/// The entries kept (keys).
fn entries(work: &Work) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(area(work))
        .map(|read| {
            read.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// `--explain-key`'s answer for `task`: its key and document.
fn explain(work: &Work, task: &str) -> (String, serde_json::Value) {
    let (code, stdout, stderr) = work.run_tasks(&[task, "--explain-key"]);
    assert_eq!(code, 0, "{stderr}");
    let all: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let entry = &all[task];
    (
        entry["key"].as_str().unwrap().to_owned(),
        entry["document"].clone(),
    )
}

#[test]
fn a_result_is_restored_after_its_outputs_are_deleted_byte_for_byte_modes_kept_mtimes_fresh() {
    let work = project(BUILD);
    let said = run(&work, &["build"]);
    assert_eq!(runs(&work), 1);
    assert!(said.contains("`build` kept (key "), "{said}");
    let out = work.dir.path().join("out/sub/result.txt");
    let bytes = std::fs::read(&out).unwrap();
    // What the key is: the document printed, whose canonical text hashes to it.
    let (key, document) = explain(&work, "build");
    assert_eq!(entries(&work), std::slice::from_ref(&key));
    let canonical = serde_json::to_vec(&document).unwrap();
    assert_eq!(vx_fixture::sha256_hex(&canonical), key);

    std::fs::remove_dir_all(work.dir.path().join("out")).unwrap();
    let before = std::time::SystemTime::now();
    let said = run(&work, &["build"]);
    assert_eq!(runs(&work), 1, "the command did not run again: {said}");
    assert!(
        said.contains(&format!("`build` restored (key {}…", &key[..8])),
        "{said}"
    );
    // The task's log is shown again.
    assert!(said.contains("[build] building"), "{said}");
    assert_eq!(std::fs::read(&out).unwrap(), bytes);
    let meta = std::fs::metadata(&out).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(meta.permissions().mode() & 0o777, 0o755);
    assert!(meta.modified().unwrap() >= before, "a fresh mtime");
    // Nothing of the restore is left in the project.
    let stray: Vec<_> = std::fs::read_dir(work.dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".vx-restore"))
        .collect();
    assert!(stray.is_empty());
}

#[test]
fn another_branch_in_between_restores_the_first_result() {
    let work = project(BUILD);
    run(&work, &["build"]);
    std::fs::write(work.dir.path().join("src/in.txt"), "input two\n").unwrap();
    let said = run(&work, &["build"]);
    assert_eq!(runs(&work), 2);
    // The miss names the first input that differs from the last key.
    assert!(
        said.contains("`build` miss: source src/in.txt changed since key "),
        "{said}"
    );
    // Back on the first branch: its result, not a third run.
    std::fs::write(work.dir.path().join("src/in.txt"), "input one\n").unwrap();
    let said = run(&work, &["build"]);
    assert_eq!(runs(&work), 2, "{said}");
    assert_eq!(
        std::fs::read_to_string(work.dir.path().join("out/sub/result.txt")).unwrap(),
        "input one\n"
    );
    assert_eq!(entries(&work).len(), 2);
}

#[test]
fn each_kind_of_input_changes_the_key_and_the_document_says_which() {
    let work = project(&format!(
        "[env]\nLEVEL = \"1\"\n\n[tasks.gen]\nrun = \"echo gen\"\nsources = [\"gen.txt\"]\n\n{}depends = [\"gen\"]\n",
        BUILD.replace(
            "[tasks.build]\n",
            "[tasks.build]\nenv = { MODE = \"fast\" }\n"
        )
    ));
    std::fs::write(work.dir.path().join("gen.txt"), "g1").unwrap();
    let (base, document) = explain(&work, "build");
    assert_eq!(
        document["sources"]["src/in.txt"].as_str().unwrap().len(),
        71
    );
    assert_eq!(document["env"]["LEVEL"], "1");
    assert_eq!(document["env"]["MODE"], "fast");
    assert!(document["depends"]["gen"].is_string());
    let manifest = std::fs::read_to_string(work.manifest()).unwrap();
    let mut seen = vec![base.clone()];
    let mut differs = |what: &str, change: &dyn Fn(), undo: &dyn Fn()| {
        change();
        let (key, _) = explain(&work, "build");
        assert!(!seen.contains(&key), "{what} did not change the key");
        seen.push(key);
        undo();
        assert_eq!(explain(&work, "build").0, base, "{what} undone");
    };
    let dir = work.dir.path().to_owned();
    let edit = |from: &str, to: &str| {
        let text = manifest.replace(from, to);
        assert_ne!(text, manifest, "{from}");
        std::fs::write(dir.join("vx.toml"), text).unwrap();
    };
    let restore = || std::fs::write(dir.join("vx.toml"), &manifest).unwrap();
    differs(
        "a source",
        &|| std::fs::write(dir.join("src/in.txt"), "other").unwrap(),
        &|| std::fs::write(dir.join("src/in.txt"), "input one\n").unwrap(),
    );
    differs(
        "a new source file",
        &|| std::fs::write(dir.join("src/new.txt"), "x").unwrap(),
        &|| std::fs::remove_file(dir.join("src/new.txt")).unwrap(),
    );
    differs(
        "the command",
        &|| edit("echo building", "echo building!"),
        &restore,
    );
    differs(
        "the project's env",
        &|| edit("LEVEL = \"1\"", "LEVEL = \"2\""),
        &restore,
    );
    differs(
        "the task's env",
        &|| edit("MODE = \"fast\"", "MODE = \"slow\""),
        &restore,
    );
    differs(
        "a dependency's source",
        &|| std::fs::write(dir.join("gen.txt"), "g2").unwrap(),
        &|| std::fs::write(dir.join("gen.txt"), "g1").unwrap(),
    );
    differs(
        "the salt",
        &|| {
            let text = format!("[settings]\ntask_cache_salt = \"2026\"\n\n{manifest}");
            std::fs::write(dir.join("vx.toml"), text).unwrap();
        },
        &restore,
    );
}

#[test]
fn a_tools_lock_entry_is_in_the_key_not_its_version_string() {
    // A URL tool served from a file: its lock entry for this platform (URL and
    // sha256) is what the key names.
    let work = project(BUILD);
    let archive = vx_fixture::tar_gz(&[vx_fixture::Item::File(
        "bin/hello",
        b"#!/bin/sh\necho hello\n".to_vec(),
        0o755,
    )]);
    let archive_path = work.dir.path().join("hello-1.0.tar.gz");
    std::fs::write(&archive_path, &archive).unwrap();
    let url = format!("file://{}", archive_path.display());
    let manifest = std::fs::read_to_string(work.manifest()).unwrap().replace(
        "[tools]\n",
        &format!(
            "[tools.hello]\nversion = \"1.0\"\nurl = \"{url}\"\nsha256 = \"{}\"\n",
            vx_fixture::sha256_hex(&archive)
        ),
    );
    work.write_manifest(&manifest);
    let (_, document) = explain(&work, "build");
    let pin = &document["tools"]["hello"];
    assert_eq!(pin["url"], url.as_str(), "{document}");
    assert_eq!(
        pin["sha256"],
        format!("sha256:{}", vx_fixture::sha256_hex(&archive)).as_str()
    );
    let first = explain(&work, "build").0;
    // Another archive under the same version string: another key.
    let other = vx_fixture::tar_gz(&[vx_fixture::Item::File(
        "bin/hello",
        b"#!/bin/sh\necho bye\n".to_vec(),
        0o755,
    )]);
    std::fs::write(&archive_path, &other).unwrap();
    work.write_manifest(&manifest.replace(
        &vx_fixture::sha256_hex(&archive),
        &vx_fixture::sha256_hex(&other),
    ));
    assert_ne!(explain(&work, "build").0, first);
}

#[test]
fn no_secret_of_the_env_file_or_the_environment_enters_a_key_or_a_kept_result() {
    let work = project(&format!(
        "[settings]\nenv_file = \".env\"\n\n[env]\nAPI = \"${{SECRET_TOKEN}}\"\nPLAIN = \"{{project}}/x\"\n\n{BUILD}"
    ));
    std::fs::write(
        work.dir.path().join(".env"),
        "DB_PASSWORD=hunter2-from-dotenv\n",
    )
    .unwrap();
    let secret = "s3cret-from-the-environment";
    let (code, stdout, stderr) = work.outcome_with(&["run", "build", "--explain-key"], |cmd| {
        cmd.env("SECRET_TOKEN", secret);
    });
    assert_eq!(code, 0, "{stderr}");
    let home = work.dir.path().display().to_string();
    assert!(!stdout.contains(secret), "{stdout}");
    assert!(!stdout.contains("hunter2"), "{stdout}");
    assert!(!stdout.contains(&home), "no absolute path: {stdout}");
    assert!(stdout.contains("{project}/x"), "{stdout}");
    let (code, _, stderr) = work.outcome_with(&["run", "--output", "prefix", "build"], |cmd| {
        cmd.env("SECRET_TOKEN", secret);
    });
    assert_eq!(code, 0, "{stderr}");
    let entry = area(&work).join(&entries(&work)[0]);
    for file in ["key.json", "log.v2"] {
        let text = String::from_utf8_lossy(&std::fs::read(entry.join(file)).unwrap()).into_owned();
        assert!(
            !text.contains(secret) && !text.contains("hunter2"),
            "{file}: {text}"
        );
        assert!(!text.contains(&home), "{file}: {text}");
    }
    // The secret still counts: another value, another key.
    let (_, other, _) = work.outcome_with(&["run", "build", "--explain-key"], |cmd| {
        cmd.env("SECRET_TOKEN", "another");
    });
    assert_ne!(other, stdout);
}

/// An `[env]` entry whose template reads a variable of the env file (or of an entry
/// above it) is keyed by the value the task sees: editing `.env` makes the task run
/// again. (The key expanded the template against vx's own environment only, so the
/// edit changed nothing in it, and the run restored the result made with the old
/// value: green, and wrong.)
#[test]
fn an_env_entry_that_reads_the_env_file_is_keyed_by_the_value_the_task_sees() {
    let work = project(
        "[settings]\nenv_file = \".env\"\n\n[env]\nBASE = \"https://${HOST}\"\nURL = \"${BASE}/api\"\n\n\
         [tasks.build]\nrun = \"echo ran >> runs; mkdir -p out && printf '%s' \\\"$URL\\\" > out/url.txt\"\n\
         sources = [\"src/**\"]\noutputs = [\"out/**\"]\n",
    );
    let dotenv = work.dir.path().join(".env");
    let url = work.dir.path().join("out/url.txt");
    std::fs::write(&dotenv, "HOST=one.example\n").unwrap();
    run(&work, &["build"]);
    assert_eq!(
        std::fs::read_to_string(&url).unwrap(),
        "https://one.example/api"
    );
    let (key_one, _) = explain(&work, "build");

    std::fs::write(&dotenv, "HOST=two.example\n").unwrap();
    let (key_two, document) = explain(&work, "build");
    assert_ne!(key_one, key_two, "the env file's value is in the key");
    let text = document.to_string();
    assert!(
        !text.contains("two.example"),
        "hashed, never written: {text}"
    );
    run(&work, &["build"]);
    assert_eq!(runs(&work), 2, "the task ran again");
    assert_eq!(
        std::fs::read_to_string(&url).unwrap(),
        "https://two.example/api"
    );

    // Back to the first value: the first result is restored, not run.
    std::fs::write(&dotenv, "HOST=one.example\n").unwrap();
    run(&work, &["build"]);
    assert_eq!(runs(&work), 2, "restored");
    assert_eq!(
        std::fs::read_to_string(&url).unwrap(),
        "https://one.example/api"
    );
}

/// `outputs` with a `!glob` (turbo's `[".next/**", "!.next/cache/**"]`, which vx
/// reads from turbo.json as it stands): the excluded files are left out of the result,
/// and the result is restored. (Each glob was a root of its own: `!dist/tmp/**`
/// packed an empty archive, every restore refused it, "nothing left to install", and
/// the task ran each time; the excluded files went into the `dist/**` root.)
#[test]
fn outputs_with_a_negated_glob_are_kept_without_its_files_and_restored() {
    let work = project(
        r#"[tasks.build]
run = "echo ran >> runs; mkdir -p dist/tmp && cp src/in.txt dist/app.txt && echo scratch > dist/tmp/scratch.txt"
sources = ["src/**"]
outputs = ["dist/**", "!dist/tmp/**"]
"#,
    );
    let dist = work.dir.path().join("dist");
    run(&work, &["build"]);
    assert_eq!(runs(&work), 1);
    // Up to date as it stands: the root holds a file that no `!glob` takes out.
    run(&work, &["build"]);
    assert_eq!(runs(&work), 1, "up to date");

    std::fs::remove_dir_all(&dist).unwrap();
    let said = run(&work, &["build"]);
    assert_eq!(runs(&work), 1, "restored, not run: {said}");
    assert_eq!(
        std::fs::read_to_string(dist.join("app.txt")).unwrap(),
        "input one\n"
    );
    assert!(
        !dist.join("tmp").exists(),
        "what a !glob names is no output, so not restored"
    );
}

/// A task whose outputs match no file (a check that writes only its log, a mistyped
/// glob) is not kept, and says so, as turbo warns of it: it is not up to date either
/// (every `outputs` glob must match a file), so it runs again, as mise runs it. (Its
/// empty result was kept, then refused at every restore with the unpacker's words.)
#[test]
fn a_task_whose_outputs_match_no_file_is_not_kept_and_runs_again() {
    let work = project(
        r#"[tasks.check]
run = "echo ran >> runs; echo checked"
sources = ["src/**"]
outputs = ["out/**"]
"#,
    );
    for _ in 0..2 {
        let said = run(&work, &["check"]);
        assert!(
            said.contains("`check` not kept: its outputs (out/**) matched no file"),
            "{said}"
        );
        assert!(!said.contains("not restored"), "{said}");
    }
    assert_eq!(runs(&work), 2, "it ran again");
    assert!(entries(&work).is_empty());
}

/// Sources and outputs written with braces and classes, as jdx/usage writes its
/// `build`'s (`{cli/,}src/**/*.rs`, an empty alternative): the key holds the files
/// they name and no other, a change to one runs the task again, a change elsewhere
/// does not, and the result comes back from `{out,dist}/**`. (Braces matched no file:
/// the key held none, and the task stayed up to date whatever changed.)
#[test]
fn brace_and_class_globs_name_their_files_and_a_change_to_one_runs_the_task_again() {
    let work = project(
        r#"[tasks.build]
run = "echo ran >> runs; mkdir -p out dist; cat src/a.rs > out/a.txt; cat lib/*.rs > dist/lib.txt"
sources = ["{cli/,}src/**/*.rs", "lib/[a-m]*.rs"]
outputs = ["{out,dist}/**"]
"#,
    );
    let dir = work.dir.path().to_owned();
    for (file, text) in [
        ("src/a.rs", "a"),
        ("cli/src/c.rs", "c"),
        ("lib/b.rs", "b"),
        ("lib/z.rs", "z"),
        ("docs/d.rs", "d"),
    ] {
        std::fs::create_dir_all(dir.join(file).parent().unwrap()).unwrap();
        std::fs::write(dir.join(file), text).unwrap();
    }
    let (_, document) = explain(&work, "build");
    let named: Vec<&String> = document["sources"].as_object().unwrap().keys().collect();
    assert_eq!(
        named,
        ["cli/src/c.rs", "lib/b.rs", "src/a.rs"],
        "{document}"
    );
    run(&work, &["build"]);
    let said = run(&work, &["build"]);
    assert!(said.contains("`build` is up to date"), "{said}");
    for (file, runs_now) in [
        ("src/a.rs", 2),
        ("cli/src/c.rs", 3),
        ("lib/b.rs", 4),
        ("lib/z.rs", 4),
        ("docs/d.rs", 4),
    ] {
        std::fs::write(dir.join(file), format!("{file} edited")).unwrap();
        let said = run(&work, &["build"]);
        assert_eq!(runs(&work), runs_now, "after editing {file}: {said}");
    }
    std::fs::remove_dir_all(dir.join("out")).unwrap();
    std::fs::remove_dir_all(dir.join("dist")).unwrap();
    let said = run(&work, &["build"]);
    assert!(said.contains("`build` restored"), "{said}");
    assert_eq!(runs(&work), 4);
    assert_eq!(
        std::fs::read_to_string(dir.join("out/a.txt")).unwrap(),
        "src/a.rs edited"
    );
    assert!(dir.join("dist/lib.txt").is_file());
}

/// A kept result for `outputs = ["{out,dist}/**"]` holding a member neither
/// alternative names is refused whole: braces widen what a restore may write by
/// their alternatives, nothing more.
#[test]
fn a_kept_archive_with_a_member_no_alternative_of_its_output_names_is_refused() {
    let work = project(&BUILD.replace(r#"outputs = ["out/**"]"#, r#"outputs = ["{out,dist}/**"]"#));
    std::fs::create_dir_all(work.dir.path().join(".git/hooks")).unwrap();
    plant(
        &work,
        &vx_fixture::tar_zst(&[
            vx_fixture::Item::File("dist/a.txt", b"planted\n".to_vec(), 0o644),
            vx_fixture::Item::File(
                ".git/hooks/pre-commit",
                b"#!/bin/sh\necho owned\n".to_vec(),
                0o755,
            ),
        ]),
    );
    let said = run(&work, &["build"]);
    assert!(
        said.contains(
            "holds .git/hooks/pre-commit, which its output `{out,dist}/**` does not name"
        ),
        "{said}"
    );
    assert_eq!(runs(&work), 1, "the task ran: {said}");
    assert!(!work.dir.path().join(".git/hooks/pre-commit").exists());
    assert!(!work.dir.path().join("dist/a.txt").exists());
}

/// A glob that cannot be read (a `{` never closed, a class never closed) is an error
/// at its line of vx.toml, and nothing runs: not a glob that matches nothing.
#[test]
fn a_glob_that_cannot_be_read_is_an_error_at_its_line() {
    for (glob, why) in [
        ("{src,lib/*.rs", "a `{` is never closed"),
        ("src/[a-", "unclosed character class"),
    ] {
        let work =
            project(&BUILD.replace(r#"sources = ["src/**"]"#, &format!("sources = [{glob:?}]")));
        let (code, stdout, stderr) = work.run_tasks(&["build"]);
        assert_eq!(code, 2, "{stdout}{stderr}");
        assert!(stderr.contains("vx.toml:5:12: "), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "tasks.build.sources: {glob:?} is not a glob vx can read: {why}"
            )),
            "{stderr}"
        );
        assert_eq!(runs(&work), 0);
    }
}

/// A task whose `sources` match no file keys nothing of its own: it runs each time,
/// as mise runs it (saying so), and is neither kept nor restored, so another project
/// with the same command never hands it its result. (Its key held no file, and a
/// result kept under it by one project was restored into the other.)
#[test]
fn a_task_whose_sources_match_no_file_runs_each_time_and_restores_nothing() {
    let tasks = r#"[tasks.build]
run = "echo ran >> runs; mkdir -p out; pwd > out/where"
sources = ["src/**/*.rs"]
outputs = ["out/**"]
"#;
    let work = project(tasks);
    let other = work.dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(
        other.join("vx.toml"),
        format!(
            "[tools]

{tasks}"
        ),
    )
    .unwrap();
    for _ in 0..2 {
        let said = run(&work, &["build"]);
        assert!(
            said.contains(
                "`build` not kept: its sources (src/**/*.rs) matched no file, so it runs each time"
            ),
            "{said}"
        );
    }
    assert_eq!(runs(&work), 2, "it ran each time");
    assert!(entries(&work).is_empty());
    let out = work
        .vx()
        .current_dir(&other)
        .args(["run", "--output", "prefix", "build"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        std::fs::read_to_string(other.join("runs")).unwrap(),
        "ran\n",
        "it ran in the other project"
    );
    std::fs::create_dir_all(work.dir.path().join("src")).unwrap();
    std::fs::write(work.dir.path().join("src/a.rs"), "a").unwrap();
    let said = run(&work, &["build"]);
    assert!(said.contains("`build` kept (key "), "{said}");
}

#[test]
fn cache_false_keeps_nothing_and_runs_each_time() {
    let work = project(&BUILD.replace("outputs = [", "cache = false\noutputs = ["));
    run(&work, &["build"]);
    std::fs::remove_dir_all(work.dir.path().join("out")).unwrap();
    run(&work, &["build"]);
    assert_eq!(runs(&work), 2);
    assert!(entries(&work).is_empty());
}

#[test]
fn force_runs_the_task_instead_of_restoring_it() {
    let work = project(BUILD);
    run(&work, &["build"]);
    std::fs::remove_dir_all(work.dir.path().join("out")).unwrap();
    run(&work, &["--force", "build"]);
    assert_eq!(runs(&work), 2);
}

#[test]
fn the_area_is_bounded_least_recently_used_first() {
    let work = project(&format!(
        "[settings]\ntask_cache_size = 1\n\n{BUILD}\n{}",
        BUILD
            .replace("[tasks.build]", "[tasks.other]")
            .replace("out/", "other/")
            .replace("out/**", "other/**")
    ));
    run(&work, &["build"]);
    let first = entries(&work);
    assert_eq!(first.len(), 1);
    run(&work, &["other"]);
    let second = entries(&work);
    assert_eq!(second.len(), 1, "the older result went: {second:?}");
    assert_ne!(second, first);
    std::fs::remove_dir_all(work.dir.path().join("out")).unwrap();
    run(&work, &["build"]);
    assert_eq!(runs(&work), 3, "evicted: it ran again");
}

#[test]
fn vx_cache_clean_removes_the_results() {
    let work = project(BUILD);
    run(&work, &["build"]);
    let (code, stdout, stderr) = work.outcome(&["cache", "clean"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    std::fs::remove_dir_all(work.dir.path().join("out")).unwrap();
    run(&work, &["build"]);
    assert_eq!(runs(&work), 2);
}

/// A tar.zst whose one entry is `name` (written into the header as is, so `..` and
/// absolute names get through): a file, or a link to `link`.
fn hostile_archive(name: &str, link: Option<&'static str>) -> Vec<u8> {
    let name: &'static str = Box::leak(name.to_owned().into_boxed_str());
    let item = match link {
        Some(target) => vx_fixture::Item::Symlink(name, target),
        None => vx_fixture::Item::File(name, b"owned".to_vec(), 0o644),
    };
    vx_fixture::tar_zst(&[item])
}

/// Puts `archive` in place of the kept result of `build`'s current key.
fn plant(work: &Work, archive: &[u8]) {
    let (key, document) = explain(work, "build");
    let entry = area(work).join(&key);
    std::fs::create_dir_all(&entry).unwrap();
    std::fs::write(
        entry.join("key.json"),
        serde_json::to_vec(&document).unwrap(),
    )
    .unwrap();
    std::fs::write(entry.join("log"), "planted\n").unwrap();
    std::fs::create_dir_all(entry.join("outputs")).unwrap();
    std::fs::write(entry.join("outputs/0.tar.zst"), archive).unwrap();
}

fn refused_and_ran(work: &Work, outside: &Path) {
    let said = run(work, &["build"]);
    assert_eq!(runs(work), 1, "the task ran: {said}");
    assert!(said.contains("was not restored"), "{said}");
    assert!(!outside.exists(), "nothing written outside the project");
    assert_eq!(
        std::fs::read_to_string(work.dir.path().join("out/sub/result.txt")).unwrap(),
        "input one\n"
    );
}

#[test]
fn a_kept_archive_with_dot_dot_is_refused_and_the_task_runs() {
    let work = project(BUILD);
    let outside = work.dir.path().parent().unwrap().join(format!(
        "escaped-{}",
        work.dir.path().file_name().unwrap().to_string_lossy()
    ));
    let name = format!("../{}", outside.file_name().unwrap().to_string_lossy());
    plant(&work, &hostile_archive(&name, None));
    refused_and_ran(&work, &outside);
}

/// A result for `outputs = ["out/**"]` whose archive also holds `.git/hooks/pre-commit`
/// (0755) and `vx.toml` (issue 78): each member is judged against its root's glob, so
/// the whole result is refused, nothing of it is written, and the task runs. (Before,
/// each member was judged only for `..`, absolute names, links and devices, and both
/// were written.)
#[test]
fn a_kept_archive_with_a_member_its_output_does_not_name_is_refused_and_writes_nothing() {
    let work = project(BUILD);
    std::fs::create_dir_all(work.dir.path().join(".git/hooks")).unwrap();
    let manifest = std::fs::read_to_string(work.manifest()).unwrap();
    plant(
        &work,
        &vx_fixture::tar_zst(&[
            vx_fixture::Item::File("out/sub/result.txt", b"planted\n".to_vec(), 0o644),
            vx_fixture::Item::File(
                ".git/hooks/pre-commit",
                b"#!/bin/sh\necho owned\n".to_vec(),
                0o755,
            ),
            vx_fixture::Item::File(
                "vx.toml",
                b"[tasks.x]\nrun = 'echo owned'\n".to_vec(),
                0o644,
            ),
        ]),
    );
    let said = run(&work, &["build"]);
    assert!(
        said.contains("holds .git/hooks/pre-commit, which its output `out/**` does not name"),
        "{said}"
    );
    assert_eq!(runs(&work), 1, "the task ran: {said}");
    assert!(!work.dir.path().join(".git/hooks/pre-commit").exists());
    assert_eq!(std::fs::read_to_string(work.manifest()).unwrap(), manifest);
    assert_eq!(
        std::fs::read_to_string(work.dir.path().join("out/sub/result.txt")).unwrap(),
        "input one\n"
    );
}

/// A kept archive holding a member that a `!glob` of `outputs` takes out is refused
/// whole, as one outside its root is: no run of this task would have put it there.
#[test]
fn a_kept_archive_with_a_member_a_negated_output_takes_out_is_refused() {
    let work = project(&BUILD.replace(
        r#"outputs = ["out/**"]"#,
        r#"outputs = ["out/**", "!out/hooks/**"]"#,
    ));
    plant(
        &work,
        &vx_fixture::tar_zst(&[
            vx_fixture::Item::File("out/sub/result.txt", b"planted\n".to_vec(), 0o644),
            vx_fixture::Item::File("out/hooks/run.sh", b"echo owned\n".to_vec(), 0o755),
        ]),
    );
    let said = run(&work, &["build"]);
    assert!(
        said.contains("holds out/hooks/run.sh, which its output `out/**` does not name"),
        "{said}"
    );
    assert_eq!(runs(&work), 1, "the task ran: {said}");
    assert!(!work.dir.path().join("out/hooks").exists());
}

#[test]
fn a_kept_archive_with_a_link_out_of_the_project_is_refused_and_the_task_runs() {
    let work = project(BUILD);
    let outside = work.dir.path().join("../linked-out-of-project");
    plant(&work, &hostile_archive("out/escape", Some("/etc")));
    refused_and_ran(&work, &outside);
    assert!(!work.dir.path().join("out/escape").exists());
    plant(&work, &hostile_archive("out/up", Some("../../..")));
    std::fs::remove_dir_all(work.dir.path().join("out")).unwrap();
    std::fs::remove_file(work.dir.path().join("runs")).unwrap();
    refused_and_ran(&work, &outside);
    assert!(std::fs::symlink_metadata(work.dir.path().join("out/up")).is_err());
}

#[test]
fn json_events_say_what_the_cache_did() {
    let work = project(BUILD);
    let events = |work: &Work| -> Vec<serde_json::Value> {
        let (code, stdout, stderr) = work.run_tasks(&["--json", "build"]);
        assert_eq!(code, 0, "{stderr}");
        stdout
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    };
    let done = |events: &[serde_json::Value]| {
        events
            .iter()
            .find(|e| e["event"] == "phase" && e["phase"] == "done")
            .and_then(|e| e["cache"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(done(&events(&work)).starts_with("kept (key "));
    std::fs::remove_dir_all(work.dir.path().join("out")).unwrap();
    let restore = events(&work);
    let restored = done(&restore);
    assert!(restored.starts_with("restored (key "), "{restored}");
    assert_eq!(runs(&work), 1);
    // The restore's bytes, from the first to the last of its archive, as the board
    // shows them: a line as it starts and as it ends, never one a chunk.
    let bytes: Vec<(u64, u64)> = restore
        .iter()
        .filter(|e| e["event"] == "restore" && e["task"] == "build")
        .map(|e| {
            assert_eq!(e["stage"], "restoring", "{e}");
            (
                e["bytes_done"].as_u64().unwrap(),
                e["bytes_total"].as_u64().unwrap(),
            )
        })
        .collect();
    let archive = area(&work)
        .join(&entries(&work)[0])
        .join("outputs/0.tar.zst");
    let size = std::fs::metadata(archive).unwrap().len();
    assert_eq!(bytes.first(), Some(&(0, size)), "{bytes:?}");
    assert_eq!(bytes.last(), Some(&(size, size)), "{bytes:?}");
    assert!(bytes.len() <= 12, "{bytes:?}");
    let position = |event: &str| {
        restore
            .iter()
            .position(|e| e["event"] == event && e["task"] == "build")
            .unwrap()
    };
    assert!(
        position("restore") < position("output"),
        "bytes before the log"
    );
}

#[test]
fn a_result_is_never_restored_through_a_link_the_project_holds() {
    let work = project(BUILD);
    run(&work, &["build"]);
    // `out` becomes a link to a directory outside the project: the kept result is not
    // written through it; the task runs (and writes where its own command says).
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::remove_dir_all(work.dir.path().join("out")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), work.dir.path().join("out")).unwrap();
    let (code, stdout, stderr) = work.run_tasks(&["--output", "prefix", "--force", "build"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    std::fs::remove_dir_all(elsewhere.path().join("sub")).unwrap();
    let said = run(&work, &["build"]);
    assert!(said.contains("is a link in the project"), "{said}");
    assert_eq!(runs(&work), 3, "the task ran: {said}");
}

#[test]
fn a_service_is_never_cached() {
    let work = project(&BUILD.replace("outputs = [", "service = true\noutputs = ["));
    run(&work, &["build"]);
    assert!(entries(&work).is_empty());
}

/// What vx keeps of a project between runs (its last run, its stamps, its key
/// documents, under the data directory by a hash of its path) goes with `vx prune`
/// once the project's directory is gone; a project still there keeps its own, and its
/// next run is still up to date.
#[test]
fn prune_removes_what_vx_kept_of_a_project_that_is_gone() {
    let work = project(BUILD);
    run(&work, &["build"]);
    let other = work.dir.path().join("other");
    std::fs::create_dir_all(other.join("src")).unwrap();
    std::fs::write(other.join("vx.toml"), format!("[tools]\n\n{BUILD}")).unwrap();
    std::fs::write(other.join("src/in.txt"), "other\n").unwrap();
    let out = work
        .vx()
        .current_dir(&other)
        .args(["run", "--output", "prefix", "build"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let state = work.dir.path().join("xdg/vx/state");
    let kept = |what: &str| -> usize {
        std::fs::read_dir(state.join(what))
            .map(|dir| dir.flatten().count())
            .unwrap_or(0)
    };
    let kinds = ["runs", "tasks", "keys"];
    for what in kinds {
        assert_eq!(kept(what), 2, "{what}: one a project");
    }
    std::fs::remove_dir_all(&other).unwrap();

    let prune = |args: &[&str]| {
        let out = work.vx().arg("prune").args(args).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let said = prune(&["--dry-run"]);
    let gone = format!("what vx kept of {} (", other.display());
    assert!(said.contains(&format!("would remove {gone}")), "{said}");
    assert!(said.contains("a project that is gone"), "{said}");
    for what in kinds {
        assert_eq!(kept(what), 2, "{what}: a dry run removes nothing");
    }
    let said = prune(&[]);
    assert!(said.contains(&format!("removed {gone}")), "{said}");
    for what in kinds {
        assert_eq!(kept(what), 1, "{what}: this project's stays");
    }
    assert!(prune(&[]).starts_with("nothing to prune"), "once is enough");
    // This project's stamps are still there: its build is up to date.
    let said = run(&work, &["build"]);
    assert_eq!(runs(&work), 1, "{said}");
}

/// A task with no `dir` runs where `vx run` started, so from a subdirectory it makes
/// another result: it runs there instead of being up to date with the root's run
/// (which it was: the key held no trace of the place), and back at the root the root's
/// result is what counts.
#[test]
fn a_task_without_dir_is_keyed_by_where_the_run_started() {
    let work = project(BUILD);
    let sub = work.dir.path().join("sub");
    std::fs::create_dir_all(sub.join("src")).unwrap();
    std::fs::write(sub.join("src/in.txt"), "input of sub\n").unwrap();
    run(&work, &["build"]);
    let (code, out, err) = work.outcome_with(&["run", "--output", "prefix", "build"], |cmd| {
        cmd.current_dir(&sub);
    });
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        std::fs::read_to_string(sub.join("out/sub/result.txt")).unwrap(),
        "input of sub\n",
        "it ran in sub/: {err}"
    );
    run(&work, &["build"]);
    assert_eq!(
        runs(&work),
        1,
        "at the root, the root's result (restored, not run)"
    );
}

/// A task that writes two lines to each stream, in turn, and one output file (its
/// runs counted in `runs`).
const STREAMS: &str = r#"[tasks.gen]
run = "echo ran >> runs; echo out-1; echo err-1 >&2; echo out-2; echo err-2 >&2; mkdir -p out && echo x > out/f"
sources = ["src/**"]
outputs = ["out/**"]

[tasks.other]
run = "echo other-out; echo other-err >&2"

[tasks.both]
depends = ["gen", "other"]
"#;

/// The lines of `text` the tasks wrote (vx's own notes, `vx: …`, left out).
fn task_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| !l.starts_with("vx: ")).collect()
}

/// A restored task's output goes back to the streams it was written to, in the order
/// it was written on each: `vx run gen > data` holds what the task wrote to stdout on a
/// hit as on a miss, and its stderr is on stderr. (It was all replayed to stdout, the
/// stderr lines first.) Alone, its lines go out as it wrote them; beside another task,
/// prefixed on the same streams as a live run's.
#[test]
fn a_restored_tasks_stdout_and_stderr_go_back_to_their_own_streams_in_order() {
    let work = project(STREAMS);
    let (code, stdout, stderr) = work.run_tasks(&["gen"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "out-1\nout-2\n", "run: {stderr}");
    assert_eq!(task_lines(&stderr), ["err-1", "err-2"], "run: {stderr}");
    assert!(stderr.contains("`gen` kept (key "), "{stderr}");

    std::fs::remove_dir_all(work.dir.path().join("out")).unwrap();
    let (code, stdout, stderr) = work.run_tasks(&["gen"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("`gen` restored (key "), "{stderr}");
    assert_eq!(runs(&work), 1, "restored, not run: {stderr}");
    assert_eq!(stdout, "out-1\nout-2\n", "restored: {stderr}");
    assert_eq!(
        task_lines(&stderr),
        ["err-1", "err-2"],
        "restored: {stderr}"
    );
    assert!(
        stderr.starts_with("err-1\nerr-2\n"),
        "the task's lines first: {stderr}"
    );

    // Beside another task: each line prefixed, on its own stream, live and restored.
    let prefixed = |text: &str| -> Vec<String> {
        task_lines(text)
            .into_iter()
            .filter(|l| l.starts_with("[gen] "))
            .map(str::to_owned)
            .collect()
    };
    std::fs::write(work.dir.path().join("src/in.txt"), "input two\n").unwrap();
    let (code, live_out, live_err) = work.run_tasks(&["both"]);
    assert_eq!(code, 0, "{live_err}");
    assert!(live_err.contains("kept (key "), "{live_err}");
    std::fs::remove_dir_all(work.dir.path().join("out")).unwrap();
    let (code, out, err) = work.run_tasks(&["both"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("`gen` restored (key "), "{err}");
    assert_eq!(prefixed(&live_out), ["[gen] out-1", "[gen] out-2"]);
    assert_eq!(prefixed(&live_err), ["[gen] err-1", "[gen] err-2"]);
    assert_eq!(
        prefixed(&out),
        prefixed(&live_out),
        "restored stdout: {out}"
    );
    assert_eq!(
        prefixed(&err),
        prefixed(&live_err),
        "restored stderr: {err}"
    );
}

/// An entry an earlier vx kept (`log`, both streams run together) is restored and its
/// log replayed to stdout, as that vx replayed it; an entry whose `log.v2` is cut short
/// is refused, saying why, and the task runs.
#[test]
fn an_earlier_vxs_entry_is_replayed_to_stdout_and_a_cut_log_is_refused() {
    let work = project(STREAMS);
    let (code, _, stderr) = work.run_tasks(&["gen"]);
    assert_eq!(code, 0, "{stderr}");
    let entry = area(&work).join(&entries(&work)[0]);
    let kept = std::fs::read(entry.join("log.v2")).unwrap();

    std::fs::remove_file(entry.join("log.v2")).unwrap();
    std::fs::write(entry.join("log"), "err-1\nout-1\n").unwrap();
    std::fs::remove_dir_all(work.dir.path().join("out")).unwrap();
    let (code, stdout, stderr) = work.run_tasks(&["gen"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("`gen` restored (key "), "{stderr}");
    assert_eq!(stdout, "err-1\nout-1\n", "{stderr}");
    assert_eq!(runs(&work), 1, "restored, not run: {stderr}");
    assert_eq!(task_lines(&stderr), Vec::<&str>::new(), "{stderr}");

    std::fs::remove_file(entry.join("log")).unwrap();
    std::fs::write(entry.join("log.v2"), &kept[..kept.len() - 3]).unwrap();
    std::fs::remove_dir_all(work.dir.path().join("out")).unwrap();
    let (code, stdout, stderr) = work.run_tasks(&["gen"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("was not restored: its log: it is cut short"),
        "{stderr}"
    );
    assert_eq!(stdout, "out-1\nout-2\n", "it ran: {stderr}");
    assert_eq!(runs(&work), 2, "it ran: {stderr}");
    assert!(stderr.contains("; kept (key "), "kept anew: {stderr}");
    assert!(work.dir.path().join("out/f").is_file());
}
