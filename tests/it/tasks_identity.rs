//! A task's identity in a run: its name, its arguments and the environment it was
//! asked to run with, as mise's (jdx/mise, src/task/task_identity.rs: `(name, args,
//! env)`). A dependency with variables of its own (`"Z=1 setup"`, `{ task = "setup",
//! env = { Z = "1" } }`) is another run of `setup` than the plain one, each run once;
//! vx ran the plain one and said ``vx: `setup` already ran in this run`` for the
//! others, so `setup` never ran with the variables it was asked for. Its results are
//! kept apart too: the run with `Z=1` never restores the plain one's.

use std::path::{Path, PathBuf};

use crate::common::Work;

/// A work area and its mise project (`mise.toml` holding `toml`).
fn mise_project(toml: &str) -> (Work, PathBuf) {
    let work = Work::new();
    let dir = work.dir.path().join("project");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("mise.toml"), toml).unwrap();
    (work, dir)
}

/// `vx ARGS` in `dir`, which must succeed: its stderr.
fn vx_ok(work: &Work, dir: &Path, args: &[&str]) -> String {
    let out = work
        .vx()
        .current_dir(dir)
        .env_remove("__VX_STATE")
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let text = format!("{}{err}", String::from_utf8_lossy(&out.stdout));
    assert!(out.status.success(), "vx {}: {text}", args.join(" "));
    err
}

/// The lines the project's tasks appended to its `log`, sorted (tasks that may run at
/// once write in either order), and the file removed for the next run.
fn logged(dir: &Path) -> Vec<String> {
    let path = dir.join("log");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let _ = std::fs::remove_file(path);
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

/// `setup`, which logs the `Z` it sees and its words.
const SETUP: &str = "[tasks.setup]\nrun = 'echo \"setup Z=${Z-unset} $*\" >> log'\n\n\
                     [tasks.build]\nrun = 'echo \"build $*\" >> log'\n\n";

/// Each form of a dependency with its own variables or words runs as a run of its
/// own, and the same variables written twice run once: what mise 2026.9.15 logs for
/// this file, task by task (`mise run all` runs `setup` plain, with `Z=1` and with
/// `Z=2`; `mise run same`, whose two entries ask the same, runs it once). A nested run
/// (a `run` step `{ task = "setup" }`) is `setup` plain, whatever variables the task
/// that runs it has: run after `"Z=2 setup"` it runs again (with the task's `Z=2`, as
/// mise passes a task's variables on), after plain `setup` it is done already, as in
/// mise.
#[test]
fn a_dependency_with_its_own_variables_is_a_run_of_its_own() {
    let (work, dir) = mise_project(&format!(
        "{SETUP}[tasks.all]\ndepends = [\"setup\", \"Z=1 setup\", {{ task = \"setup\", env = {{ Z = \"2\" }} }}, \"build --release\", \"build\"]\nrun = \"echo all >> log\"\n\n\
         [tasks.same]\ndepends = [\"Z=1 setup\", {{ task = \"setup\", env = {{ Z = \"1\" }} }}]\nrun = \"echo same >> log\"\n\n\
         [tasks.stepdep]\ndepends = [\"Z=2 setup\"]\nenv = {{ Z = \"2\" }}\nrun = [{{ task = \"setup\" }}, \"echo stepdep >> log\"]\n\n\
         [tasks.stepafter]\ndepends = [\"setup\"]\nenv = {{ Z = \"2\" }}\nrun = [{{ task = \"setup\" }}, \"echo stepafter >> log\"]\n"
    ));
    let err = vx_ok(&work, &dir, &["run", "all"]);
    assert_eq!(
        logged(&dir),
        [
            "all",
            "build ",
            "build  --release",
            "setup Z=1 ",
            "setup Z=2 ",
            "setup Z=unset "
        ],
        "{err}"
    );
    assert!(!err.contains("already ran"), "{err}");
    vx_ok(&work, &dir, &["run", "same"]);
    assert_eq!(logged(&dir), ["same", "setup Z=1 "]);
    vx_ok(&work, &dir, &["run", "stepdep"]);
    assert_eq!(logged(&dir), ["setup Z=2 ", "setup Z=2 ", "stepdep"]);
    vx_ok(&work, &dir, &["run", "stepafter"]);
    assert_eq!(logged(&dir), ["setup Z=unset ", "stepafter"]);
}

/// A task's result is kept by its key, and a run with other variables has another
/// key: `gen` run with `Z=1` (a dependency's variables) runs rather than restore the
/// plain run's result (which wrote `Z=unset`), and each of the two is restored by the
/// next run asking the same, nothing run again.
#[test]
fn a_run_with_other_variables_never_restores_the_plain_ones_result() {
    let (work, dir) = mise_project(
        "[tasks.gen]\nrun = 'echo \"Z=${Z-unset}\" > out/gen.txt; echo \"gen Z=${Z-unset}\" >> log'\n\
         sources = [\"src/**\"]\noutputs = [\"out/**\"]\n\n\
         [tasks.z1]\ndepends = [\"Z=1 gen\"]\nrun = \"cat out/gen.txt >> log\"\n",
    );
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("out")).unwrap();
    std::fs::write(dir.join("src/a.txt"), "a\n").unwrap();
    let made = || std::fs::read_to_string(dir.join("out/gen.txt")).unwrap();

    vx_ok(&work, &dir, &["run", "gen"]);
    assert_eq!(logged(&dir), ["gen Z=unset"]);
    let err = vx_ok(&work, &dir, &["run", "z1"]);
    assert_eq!(logged(&dir), ["Z=1", "gen Z=1"], "{err}");
    // Each restored by the next run asking the same, nothing run.
    let err = vx_ok(&work, &dir, &["run", "gen"]);
    assert_eq!(logged(&dir), Vec::<String>::new(), "{err}");
    assert_eq!(made(), "Z=unset\n");
    let err = vx_ok(&work, &dir, &["run", "z1"]);
    assert_eq!(logged(&dir), ["Z=1"], "{err}");
    assert_eq!(made(), "Z=1\n");
}

/// A `run` step with variables of its own (`{ task = "setup", env = { Z = "3" } }`,
/// mise's) is judged as a dependency is: by its name, `args` and `env`. vx skipped
/// every task holding one (its steps were `task`, `tasks` and `args` only); as mise
/// 2026.9.15 runs them, after plain `setup` the step runs `setup` with `Z=3`, and
/// after `"Z=3 setup"` the same step is done already while one with other words and
/// variables runs.
#[test]
fn a_run_step_with_its_own_variables_is_judged_as_a_dependency_is() {
    let (work, dir) = mise_project(&format!(
        "{SETUP}[tasks.stepenv]\ndepends = [\"setup\"]\nrun = [{{ task = \"setup\", env = {{ Z = \"3\" }} }}, \"echo stepenv >> log\"]\n\n\
         [tasks.stepsame]\ndepends = [\"Z=3 setup\"]\nrun = [{{ task = \"setup\", env = {{ Z = \"3\" }} }}, {{ task = \"setup\", args = [\"w\"], env = {{ Z = \"3 4\" }} }}, \"echo stepsame >> log\"]\n"
    ));
    let err = vx_ok(&work, &dir, &["run", "stepenv"]);
    assert_eq!(
        logged(&dir),
        ["setup Z=3 ", "setup Z=unset ", "stepenv"],
        "{err}"
    );
    let err = vx_ok(&work, &dir, &["run", "stepsame"]);
    assert_eq!(
        logged(&dir),
        ["setup Z=3 ", "setup Z=3 4  w", "stepsame"],
        "{err}"
    );
}
