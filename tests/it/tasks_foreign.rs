//! `vx run` and what the project already has in other runners' files — `justfile`
//! recipes and `package.json` scripts, listed where no vx task has the name and run
//! through their own runner (stand-ins for `just` and `yarn` on `PATH` record how they
//! were called) — and a task's own `tools`, installed before it runs and first on its
//! `PATH` only (a loopback server serves the tool's archives).

// Unix only: the stand-ins and the tool are shell scripts.
#![cfg(unix)]

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::Work;
use vx_fixture::{Item, Route, TestServer, sha256_hex, tar_gz};

/// A directory of stand-ins for `just` and `yarn` that print how they were called.
fn stand_ins(work: &Work) -> PathBuf {
    let bin = work.dir.path().join("stand-ins");
    std::fs::create_dir_all(&bin).unwrap();
    for name in ["just", "yarn", "npm"] {
        let path = bin.join(name);
        std::fs::write(
            &path,
            format!("#!/bin/sh\necho \"{name} called in $(pwd):$*\"\n"),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

/// `vx run ARGS` with the stand-ins first on `PATH`: code, stdout, stderr.
fn run(work: &Work, bin: &Path, args: &[&str]) -> (i32, String, String) {
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    work.outcome_with(&[&["run"], args].concat(), |cmd| {
        cmd.env("PATH", path);
    })
}

const JUSTFILE: &str = r#"set shell := ["sh", "-c"]
version := "1.0"

# Build with just (a vx task has the name)
build:
    echo just-build

# Format the code
fmt *args:
    echo fmt

_helper:
    echo hidden

[private]
secret:
    echo hidden
"#;

const PACKAGE: &str = r#"{
  "name": "demo",
  "scripts": {
    "prelint": "echo before",
    "lint": "eslint .",
    "dev": "vite",
    "fmt": "prettier -w ."
  }
}"#;

#[test]
fn recipes_and_scripts_are_listed_by_source_and_run_through_their_runner() {
    let work = Work::new();
    work.write_manifest("[tools]\n\n[tasks]\nbuild = \"echo vx-build\"\n");
    std::fs::write(work.dir.path().join("justfile"), JUSTFILE).unwrap();
    std::fs::write(work.dir.path().join("package.json"), PACKAGE).unwrap();
    std::fs::write(work.dir.path().join("yarn.lock"), "").unwrap();
    let bin = stand_ins(&work);
    let (code, list, stderr) = run(&work, &bin, &[]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(
        lines,
        [
            "build  echo vx-build",
            "fmt    [justfile] Format the code",
            "lint   [package.json, yarn] eslint .",
            "dev    [package.json, yarn] vite",
        ],
        "{list}"
    );
    // A vx task wins its name; a recipe runs with `just`, a script with the project's
    // package manager, in the project directory, with the words after it.
    let (code, out, stderr) = run(&work, &bin, &["build"]);
    assert_eq!((code, out.as_str()), (0, "vx-build\n"), "{stderr}");
    std::fs::create_dir_all(work.dir.path().join("sub")).unwrap();
    let dir = work.dir.path().canonicalize().unwrap();
    let (code, out, stderr) = run(&work, &bin, &["fmt", "--check"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        out,
        format!("just called in {}:fmt --check\n", dir.display())
    );
    let (code, out, stderr) = run(&work, &bin, &["lint", "--fix"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        out,
        format!("yarn called in {}:run lint -- --fix\n", dir.display())
    );
    // Two at once go through the runner like any tasks.
    let (code, out, stderr) = run(&work, &bin, &["dev", ":::", "build"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        out.contains("[dev] yarn called in") && out.contains("[build] vx-build"),
        "{out}"
    );
    // Private recipes are neither listed nor found; a near name is suggested.
    let (code, _, stderr) = run(&work, &bin, &["secret"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = run(&work, &bin, &["lnit"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("did you mean `lint`?"), "{stderr}");
}

#[test]
fn a_bad_package_json_is_a_note_not_a_failure() {
    let work = Work::new();
    work.write_manifest("[tools]\n\n[tasks]\nhi = \"echo hi\"\n");
    std::fs::write(work.dir.path().join("package.json"), "{ \"scripts\": ").unwrap();
    std::fs::write(work.dir.path().join("justfile"), "fmt:\n    echo\n").unwrap();
    let bin = stand_ins(&work);
    let (code, list, stderr) = run(&work, &bin, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        list.contains("hi   echo hi") && list.contains("fmt  [justfile]"),
        "{list}"
    );
    assert!(
        stderr.contains("package.json cannot be read (not valid JSON")
            && stderr.contains("its scripts are not listed"),
        "{stderr}"
    );
    // A package.json that is a FIFO is not waited on.
    std::fs::remove_file(work.dir.path().join("package.json")).unwrap();
    let fifo = work.dir.path().join("package.json");
    common::mkfifo(&fifo);
    let (code, _, _) = run(&work, &bin, &[]);
    assert_eq!(code, 0);
}

/// `greet`: prints the first `PATH` entry.
const GREET: &str = "#!/bin/sh\necho \"path:${PATH%%:*}\"\n";

#[test]
fn a_tasks_own_tools_are_installed_and_first_on_its_path_only() {
    let archive = tar_gz(&[
        Item::Dir("greet/"),
        Item::File("greet/bin/greet", GREET.as_bytes().to_vec(), 0o755),
    ]);
    let sha = sha256_hex(&archive);
    let server = TestServer::start([
        ("/greet-1.0.tar.gz", Route::Ok(archive.clone())),
        ("/greet-0.9.tar.gz", Route::Ok(archive)),
    ]);
    let work = Work::new();
    work.write_manifest(&format!(
        "[tools.greet]\nversion = \"1.0\"\nurl = \"{}\"\nsha256 = \"{sha}\"\nstrip_components = 1\n\n\
         [tasks]\nold = {{ run = \"greet\", tools = {{ greet = \"0.9\" }} }}\nnew = \"greet\"\n\
         both = {{ depends = [\"old\", \"new\"] }}\n",
        server.url("/greet-{version}.tar.gz"),
    ));
    // One job runs one task at a time, so only lines asked for are prefixed.
    let (code, out, stderr) = work.outcome(&["run", "-j", "1", "--output", "prefix", "both"]);
    assert_eq!(code, 0, "{stderr}");
    let store = work.dir.path().join("xdg/vx/store");
    let old = format!(
        "[old] path:{}",
        crate::common::tree_in(&store, "greet", "0.9")
            .join("bin")
            .display()
    );
    let new = format!(
        "[new] path:{}",
        crate::common::tree_in(&store, "greet", "1.0")
            .join("bin")
            .display()
    );
    assert!(out.contains(&old), "the task's own greet first: {out}");
    assert!(out.contains(&new), "the others keep the project's: {out}");
}

/// Issue 63, item 9: a justfile's recipe run where `just` is not installed says which
/// runner it needs and how to add it (it said only `just: not found`).
#[test]
fn a_recipe_without_just_installed_says_to_add_just() {
    let work = Work::with_tasks("");
    std::fs::write(work.dir.path().join("justfile"), JUSTFILE).unwrap();
    // A PATH without any `just`: the stand-ins' directory holds only yarn and npm.
    let bin = work.dir.path().join("no-just");
    std::fs::create_dir_all(&bin).unwrap();
    let (code, _, stderr) = work.outcome_with(&["run", "fmt"], |cmd| {
        cmd.env("PATH", format!("{}:/usr/bin:/bin", bin.display()));
    });
    assert_ne!(code, 0, "{stderr}");
    assert!(
        stderr.contains("fmt is the justfile's task, and just is not installed: `vx use just` adds it to the project"),
        "{stderr}"
    );
}

/// Issue 64, item 8: a recipe marked for other operating systems (`[windows]` on
/// Linux) was listed and run; it is listed, and found, only where `just` would run it
/// (`[unix]` on any Unix, `[linux]`, `[macos]`, `[windows]` on theirs), and a name two
/// recipes share for two systems is the one of this system.
#[test]
fn justfile_recipes_marked_for_another_system_are_not_listed() {
    let work = Work::new();
    work.write_manifest("[tools]\n");
    std::fs::write(
        work.dir.path().join("justfile"),
        "[windows]\nwin-only:\n    echo win\n\n\
         [linux]\nlinux-only:\n    echo linux\n\n\
         [macos]\nmac-only:\n    echo mac\n\n\
         [unix, group('all')]\nunix-only:\n    echo unix\n\n\
         [group('windows')]\nanywhere:\n    echo any\n\n\
         # Build on Windows\n[windows]\nbuild:\n    echo win-build\n\n\
         # Build on Unix\n[unix]\nbuild:\n    echo unix-build\n",
    )
    .unwrap();
    let bin = stand_ins(&work);
    let (code, list, stderr) = run(&work, &bin, &[]);
    assert_eq!(code, 0, "{stderr}");
    let names: Vec<&str> = list
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let mut expected = Vec::new();
    match std::env::consts::OS {
        "linux" => expected.push("linux-only"),
        "macos" => expected.push("mac-only"),
        _ => {}
    }
    expected.extend(["unix-only", "anywhere", "build"]);
    assert_eq!(names, expected, "{list}");
    assert!(list.contains("[justfile] Build on Unix"), "{list}");
    let (code, _, stderr) = run(&work, &bin, &["win-only"]);
    assert_eq!(code, 2, "not this system's recipe: {stderr}");
}
