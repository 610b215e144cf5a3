//! A mise project read in place (issue 64): a directory with `mise.toml` (or
//! `.tool-versions`, a single-tool file) and no vx.toml is a project to `vx run`,
//! `vx exec`, `vx sync`, `vx lock` and the hook, read as mise reads it, with nothing
//! written into the team's files (vx.lock, beside them, is the only file a command
//! writes); what cannot be mapped is said once per state of the files; a malformed
//! file is an error that loses nothing; an untrusted project's own environment is not
//! applied by the hook; the commands that edit vx.toml refuse it.
//! (The runtime end of it, a `.python-version` edited between two `vx exec`, is in
//! runtime_python.rs, where the python publisher's fixture lives.)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::Work;

/// A mise project as a team keeps it: its mise.toml (env, a directive, tasks with a
/// dependency and one vx cannot take), a file task, and a package.json with a script
/// of the same name as a mise task.
const MISE_TOML: &str = r#"[env]
GREETING = "hello from mise"
SHELL_OUT = "{{exec(command='id')}}"
_.path = "bin"

[tasks.lint]
run = "echo linted"

[tasks.test]
description = "the tests"
depends = ["lint"]
run = ["echo testing $GREETING", "false", "echo not reached"]

[tasks.ship]
run = "echo {{foo.bar}}"
"#;

/// A work area and the team's mise project ([`MISE_TOML`], its package.json and its
/// file task) in its directory `project` (the work area's `xdg/`, `cache/`, … stay
/// beside it).
fn project() -> (Work, PathBuf) {
    let (work, dir) = project_with("mise.toml", MISE_TOML);
    std::fs::write(
        dir.join("package.json"),
        r#"{"scripts": {"test": "echo WRONG RUNNER", "ship": "echo WRONG RUNNER"}}"#,
    )
    .unwrap();
    executable(
        &dir.join("mise-tasks/hello"),
        "#!/bin/sh\n#MISE description=\"says hello\"\necho hello \"$@\"\n",
    );
    (work, dir)
}

/// A work area and its project directory holding one file, `name` (`mise.toml`,
/// `vx.toml`, `.mise/config.toml`), with `text`.
fn project_with(name: &str, text: impl AsRef<[u8]>) -> (Work, PathBuf) {
    let work = Work::new();
    let dir = work.dir.path().join("project");
    let file = dir.join(name);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
    (work, dir)
}

/// An executable file at `path` (its directory made) holding `text`: a script.
fn executable(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// What the project's tasks wrote to its `log`.
fn log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("log")).unwrap()
}

/// `vx ARGS` in `dir`, which must succeed: stdout, stderr.
fn vx_ok(work: &Work, dir: &Path, args: &[&str]) -> (String, String) {
    let (code, out, err) = vx_in(work, dir, args);
    assert_eq!(code, 0, "vx {}: {out}{err}", args.join(" "));
    (out, err)
}

/// `vx ARGS` in `dir` fails as mise fails the task: exit 1, saying `said`, nothing run
/// (no `log` written).
fn fails_without_running(work: &Work, dir: &Path, args: &[&str], said: &str) {
    let (code, out, err) = vx_in(work, dir, args);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains(said), "{err}");
    assert!(!dir.join("log").exists());
}

/// Every file under `dir` with its bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// `vx ARGS` in `dir`: exit code, stdout, stderr.
fn vx_in(work: &Work, dir: &Path, args: &[&str]) -> (i32, String, String) {
    vx_in_with(work, dir, args, |_| {})
}

/// [`vx_in`] with `configure` setting more of the command (its environment) first.
fn vx_in_with(
    work: &Work,
    dir: &Path,
    args: &[&str],
    configure: impl FnOnce(&mut assert_cmd::Command),
) -> (i32, String, String) {
    let mut cmd = work.vx();
    cmd.current_dir(dir).env_remove("__VX_STATE").args(args);
    configure(&mut cmd);
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn mise_tasks_env_and_file_tasks_run_in_place_and_nothing_is_written() {
    let (work, dir) = project();
    let before = files(&dir);

    // Listed: mise's tasks and its file task, not package.json's script of a mise
    // task's name.
    let (code, listed, said) = vx_in(&work, &dir, &["run"]);
    assert_eq!(code, 0, "{said}");
    for task in ["lint", "test", "hello"] {
        assert!(
            listed.lines().any(|l| l.starts_with(task)),
            "{task}: {listed}"
        );
    }
    assert!(!listed.contains("WRONG RUNNER"), "{listed}");
    // What cannot be mapped is said, each with its file and line.
    assert!(
        said.contains("skipped env SHELL_OUT from mise.toml:3"),
        "{said}"
    );
    assert!(
        said.contains("skipped task ship from mise.toml:14"),
        "{said}"
    );

    // Run as mise runs it: the dependency first, the env applied, and a failing line
    // stops the task (mise's `sh -o errexit`).
    let (code, out, err) = vx_in(&work, &dir, &["run", "test"]);
    assert_eq!(code, 1, "{out}{err}");
    let lint = out.find("linted").expect(&out);
    let test = out.find("testing hello from mise").expect(&out);
    assert!(lint < test, "{out}");
    assert!(!out.contains("not reached"), "{out}");
    assert!(!out.contains("WRONG RUNNER"), "{out}");
    // Said once: a second command says nothing of it again.
    assert!(!err.contains("skipped env SHELL_OUT"), "{err}");

    // The file task, with its arguments.
    let (code, out, err) = vx_in(&work, &dir, &["run", "hello", "world"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("hello world"), "{out}");

    // The task vx cannot take is not replaced by package.json's script of its name:
    // the run fails saying why.
    let (code, out, err) = vx_in(&work, &dir, &["run", "ship"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(!out.contains("WRONG RUNNER"), "{out}");
    assert!(
        err.contains("`ship` is a task of mise.toml that vx cannot run as written")
            && err.contains("{{foo.bar}}"),
        "{err}"
    );

    // vx exec: the project's [env].
    let (code, out, err) = vx_in(&work, &dir, &["exec", "--", "sh", "-c", "echo $GREETING"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "hello from mise");

    // vx sync and vx lock: nothing to install; no file but vx.lock is written.
    for args in [&["sync", "--headless"][..], &["lock"]] {
        let (code, _, err) = vx_in(&work, &dir, args);
        assert_eq!(code, 0, "{args:?}: {err}");
    }
    let after = files(&dir);
    for (path, bytes) in &before {
        assert_eq!(after.get(path), Some(bytes), "{} changed", path.display());
    }
    let new: Vec<&PathBuf> = after.keys().filter(|p| !before.contains_key(*p)).collect();
    assert!(
        new.iter().all(|p| p.file_name().unwrap() == "vx.lock"),
        "written into the team's project: {new:?}"
    );

    // An edit of the file is a new state of it: what it cannot map is said again.
    std::fs::write(
        dir.join("mise.toml"),
        MISE_TOML.replace("hello from mise", "hello again"),
    )
    .unwrap();
    let (_, _, said) = vx_in(&work, &dir, &["run"]);
    assert!(
        said.contains("skipped env SHELL_OUT from mise.toml:3"),
        "{said}"
    );
}

#[test]
fn a_malformed_mise_toml_is_an_error_at_its_line_and_nothing_is_written() {
    let (work, dir) = project();
    std::fs::write(dir.join("mise.toml"), "[tasks.test]\nrun = \"echo\n").unwrap();
    let before = files(&dir);
    for args in [
        &["run", "test"][..],
        &["exec", "--", "true"],
        &["lock"],
        &["sync"],
    ] {
        let (code, out, err) = vx_in(&work, &dir, args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(
            err.contains("mise.toml:2") && err.contains("invalid TOML"),
            "{args:?}: {err}"
        );
        assert!(!out.contains("WRONG RUNNER"), "{out}");
    }
    assert_eq!(
        files(&dir),
        before,
        "a malformed project lost or gained a file"
    );
}

#[test]
fn the_hook_applies_a_mise_project_env_only_once_it_is_trusted() {
    let (work, dir) = project();
    let (code, out, err) = vx_in(&work, &dir, &["hook-env", "--shell", "bash"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        !out.contains("GREETING"),
        "an untrusted clone's env applied: {out}"
    );
    assert!(err.contains("is not trusted"), "{err}");
    let bin = dir.join("bin").display().to_string();
    assert!(
        !out.contains(&bin),
        "an untrusted clone's _.path applied: {out}"
    );

    let (code, _, err) = vx_in(&work, &dir, &["trust"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = vx_in(&work, &dir, &["hook-env", "--shell", "bash"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("export GREETING='hello from mise'"),
        "{out}\n{err}"
    );
    let path = out
        .lines()
        .find(|l| l.starts_with("export PATH="))
        .unwrap_or_default();
    assert!(path.contains(&bin), "{out}");
    assert!(files(&dir).keys().all(|p| !p.ends_with("vx.toml")));
}

#[test]
fn commands_that_edit_vx_toml_refuse_a_mise_project_and_import_moves_it_beside() {
    let (work, dir) = project();
    let before = files(&dir);
    for args in [
        &["add", "ripgrep@14"][..],
        &["remove", "lint"],
        &["use", "jq@1"],
    ] {
        let (code, _, err) = vx_in(&work, &dir, args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("is read in place") && err.contains("`vx import`"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(files(&dir), before);
    // `vx import` makes the vx.toml beside the files, for a team that moves over.
    let (_, _, err) = vx_in(&work, &dir, &["import", "--offline"]);
    assert!(dir.join("vx.toml").is_file(), "{err}");
    assert_eq!(
        std::fs::read(dir.join("mise.toml")).unwrap(),
        MISE_TOML.as_bytes()
    );
}

#[test]
fn a_vx_toml_above_wins_over_mise_files_below() {
    let work = Work::new();
    let top = work.dir.path().join("top");
    let below = top.join("app");
    std::fs::create_dir_all(&below).unwrap();
    std::fs::write(top.join("vx.toml"), "[env]\nWHO = \"vx\"\n").unwrap();
    std::fs::write(below.join("mise.toml"), "[env]\nWHO = \"mise\"\n").unwrap();
    let (code, out, err) = vx_in(&work, &below, &["exec", "--", "sh", "-c", "echo $WHO"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "vx");
}

/// Issue 64, item 3: `depends_post` with arguments runs after the task, with them (mise
/// runs the task so); `wait_for` with arguments waits for the task of that name; mise's
/// `[hooks]` and the `[settings]` that change how tasks run (`jobs`, `task.output`)
/// are named once as not honoured. The tasks log to a file: the stand-ins for what a
/// project's tasks call.
#[test]
fn depends_post_and_wait_for_with_arguments_and_what_is_not_honoured() {
    let (work, dir) = project_with(
        "mise.toml",
        r#"[settings]
jobs = 2
[settings.task]
output = "interleave"

[hooks]
enter = "echo entered"

[tasks.build]
run = "echo build >> log"

[tasks.report]
run = 'echo report {{option(name="profile")}} >> log'

[tasks.test]
run = "echo test >> log"
depends_post = ["report --profile final"]
wait_for = ["build --release"]
"#,
    );
    let (_, err) = vx_ok(&work, &dir, &["run", "test", ":::", "build"]);
    assert_eq!(log(&dir), "build\ntest\nreport final\n", "{err}");
    for said in [
        "not honoured, from mise.toml:2: [settings] jobs",
        "not honoured, from mise.toml:4: [settings] task.output",
        "not honoured, from mise.toml:6: [hooks] enter: vx runs no hook",
        "wait_for `build --release` (vx waits for `build` whatever its arguments)",
    ] {
        assert_eq!(err.matches(said).count(), 1, "{said}: {err}");
    }
    // Once: the next run says none of it.
    let (_, err) = vx_ok(&work, &dir, &["run", "test"]);
    assert!(!err.contains("not honoured"), "{err}");
    let logged = log(&dir);
    assert!(
        logged.ends_with("build\ntest\nreport final\ntest\nreport final\n"),
        "{logged}"
    );
}

/// A cloned repository whose `.tool-versions` links out of the project (to a file of
/// the user's) is not read: its lines never reach vx's messages; the link is said and
/// the rest of the project works.
#[test]
fn a_mise_file_linking_out_of_the_project_is_not_read() {
    let (work, dir) = project();
    let secret = work.dir.path().join("secret");
    std::fs::write(&secret, "hunter2-token 1.0\n").unwrap();
    std::os::unix::fs::symlink(&secret, dir.join(".tool-versions")).unwrap();
    let (out, err) = vx_ok(&work, &dir, &["run", "lint"]);
    assert!(out.contains("linted"), "{out}");
    assert!(!err.contains("hunter2"), "{err}");
    assert!(
        err.contains(".tool-versions is a link out of the project"),
        "{err}"
    );
}

/// A person's `mise.local.toml` is read over the team's mise.toml (its variable wins),
/// and an edit of it — not the project's first file — is what the next `vx exec`
/// applies (the recorded toolchain depends on every file read).
#[test]
fn mise_local_toml_wins_and_its_edits_apply_at_the_next_exec() {
    let (work, dir) = project();
    let echo = ["exec", "--", "sh", "-c", "echo $GREETING"];
    std::fs::write(dir.join("mise.local.toml"), "[env]\nGREETING = \"mine\"\n").unwrap();
    let (code, out, err) = vx_in(&work, &dir, &echo);
    assert_eq!((code, out.trim()), (0, "mine"), "{err}");
    std::fs::write(
        dir.join("mise.local.toml"),
        "[env]\nGREETING = \"mine, edited\"\n",
    )
    .unwrap();
    let (code, out, err) = vx_in(&work, &dir, &echo);
    assert_eq!((code, out.trim()), (0, "mine, edited"), "{err}");
    std::fs::remove_file(dir.join("mise.local.toml")).unwrap();
    let (code, out, err) = vx_in(&work, &dir, &echo);
    assert_eq!((code, out.trim()), (0, "hello from mise"), "{err}");
}

/// mise's `~/.tool-versions` is a person's global list, not a project: a directory
/// under the home directory with no files of its own is no project to `vx run`.
#[test]
fn the_home_directory_tool_versions_is_no_project() {
    let work = Work::new();
    let home = work.dir.path().join("home");
    let code = home.join("code");
    std::fs::create_dir_all(&code).unwrap();
    std::fs::write(home.join(".tool-versions"), "nodejs 20\n").unwrap();
    let out = work
        .vx()
        .current_dir(&code)
        .env("HOME", &home)
        .args(["run"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("no vx.toml"), "{err}");
}

/// `vx ARGS` in `dir` with `bin` first on PATH: a directory of stand-ins for the
/// commands a project's tasks call. Exit code, stdout, stderr.
fn vx_with(work: &Work, dir: &Path, bin: &Path, args: &[&str]) -> (i32, String, String) {
    let path = std::env::join_paths(std::iter::once(bin.to_owned()).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    vx_in_with(work, dir, args, |cmd| {
        cmd.env("PATH", path);
    })
}

/// A stand-in `name` in `bin`: appends its name and arguments to `bin/../log`.
fn standin(bin: &Path, name: &str) {
    executable(
        &bin.join(name),
        &format!("#!/bin/sh\necho \"{name} $*\" >> \"$(dirname \"$0\")/../log\"\n"),
    );
}

/// A task whose tool is not installed (offline: nothing can be) runs as mise runs it,
/// with the command on PATH, and vx says which tool is missing; a vx.toml project
/// keeps refusing (its tools are vx's to install, and the task would run another).
#[test]
fn a_mise_task_whose_tool_is_missing_runs_with_what_is_on_path_and_says_so() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tools]\nnode = \"20.11.1\"\n\n[tasks.check]\nrun = \"node --check index.js\"\n",
    );
    let bin = work.dir.path().join("bin");
    standin(&bin, "node");
    let (code, out, err) = vx_with(&work, &dir, &bin, &["run", "--offline", "check"]);
    assert_eq!(code, 0, "{out}{err}");
    let log = std::fs::read_to_string(work.dir.path().join("log")).unwrap();
    assert_eq!(log, "node --check index.js\n", "{err}");
    assert_eq!(
        err.matches("not installed: node 20.11.1 (--offline)")
            .count(),
        1,
        "{err}"
    );
    assert!(err.contains("what is on PATH"), "{err}");

    // vx's own project: the missing tool stops the task.
    std::fs::remove_file(dir.join("mise.toml")).unwrap();
    std::fs::write(
        dir.join("vx.toml"),
        "[tools]\nnode = \"20.11.1\"\n\n[tasks.check]\nrun = \"node --check index.js\"\n",
    )
    .unwrap();
    let (code, out, err) = vx_with(&work, &dir, &bin, &["run", "--offline", "check"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("not installed: node"), "{err}");
    let log = std::fs::read_to_string(work.dir.path().join("log")).unwrap();
    assert_eq!(log, "node --check index.js\n", "ran again: {err}");
}

/// A task whose `dir` is missing (a fresh clone without its generated `docs/`) fails
/// as mise fails it: exit 1, the directory named, nothing run.
#[test]
fn a_mise_task_whose_dir_is_missing_fails_with_exit_1() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.site]\ndir = \"docs\"\nrun = \"echo built >> ../log\"\n",
    );
    fails_without_running(&work, &dir, &["run", "site"], "docs is not a directory");
    std::fs::create_dir(dir.join("docs")).unwrap();
    vx_ok(&work, &dir, &["run", "site"]);
    assert_eq!(log(&dir), "built\n");
}

/// A task whose `dir` its dependency makes (a configure step creating `build/`) runs
/// there, as under mise: the directory is looked for when the task starts, not when
/// the run is planned. One missing still after its dependency ran fails the task
/// (exit 1, named), what it waited for having run.
#[test]
fn a_task_runs_in_the_dir_its_dependency_made() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.configure]\nrun = \"mkdir -p build && echo configured >> log\"\n\n\
         [tasks.compile]\ndir = \"build\"\ndepends = [\"configure\"]\n\
         run = \"echo compiled in $(basename $PWD) >> ../log\"\n\n\
         [tasks.package]\ndir = \"dist\"\ndepends = [\"configure\"]\nrun = \"echo packaged >> ../log\"\n",
    );
    vx_ok(&work, &dir, &["run", "compile"]);
    assert_eq!(log(&dir), "configured\ncompiled in build\n");
    std::fs::remove_file(dir.join("log")).unwrap();
    let (code, out, err) = vx_in(&work, &dir, &["run", "package"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("dist is not a directory"), "{err}");
    assert_eq!(log(&dir), "configured\n", "package ran: {err}");
}

/// A project whose mise config is kept in `.mise/config.toml` (or `.config/mise.toml`,
/// `mise/config.toml`, `.config/mise/config.toml`) is read in place from the directory
/// above, its tasks' paths from there; `mise.ENV.toml` files join when `MISE_ENV`
/// names them, over the shared file, as mise's config order has it.
#[test]
fn mise_configs_kept_in_mise_directories_and_mise_env_files_are_read_in_place() {
    let (work, dir) = project_with(
        ".mise/config.toml",
        "[tasks.build]\ndir = \"web\"\nrun = \"pwd >> ../log\"\n\n[tasks.deploy]\nrun = \"echo deploy shared >> log\"\n",
    );
    std::fs::create_dir_all(dir.join("web")).unwrap();
    std::fs::write(
        dir.join("mise.staging.toml"),
        "[tasks.deploy]\nrun = \"echo deploy staging >> log\"\n",
    )
    .unwrap();
    let (code, listed, err) = vx_in(&work, &dir, &["run"]);
    assert_eq!(code, 0, "{err}");
    assert!(listed.lines().any(|l| l.starts_with("build")), "{listed}");
    vx_ok(&work, &dir, &["run", "build"]);
    vx_ok(&work, &dir, &["run", "deploy"]);
    let (code, out, err) = vx_in_with(&work, &dir, &["run", "deploy"], |cmd| {
        cmd.env("MISE_ENV", "staging");
    });
    assert_eq!(code, 0, "{out}{err}");
    let web = dir.join("web").canonicalize().unwrap();
    assert_eq!(
        log(&dir),
        format!("{}\ndeploy shared\ndeploy staging\n", web.display())
    );
    // vx.lock, if any, beside the project, never inside `.mise/`.
    assert!(!dir.join(".mise/vx.lock").exists());

    // `.config/mise/config.toml` alone names the project too.
    std::fs::remove_dir_all(dir.join(".mise")).unwrap();
    std::fs::create_dir_all(dir.join(".config/mise")).unwrap();
    std::fs::write(
        dir.join(".config/mise/config.toml"),
        "[tasks.lint]\nrun = \"echo linted >> log\"\n",
    )
    .unwrap();
    vx_ok(&work, &dir, &["run", "lint"]);
    assert!(
        std::fs::read_to_string(dir.join("log"))
            .unwrap()
            .ends_with("linted\n")
    );
}

/// Issue 79, item 5: `mise.<os>.toml` and `mise.<os>-<arch>.toml` (`mise.linux.toml`,
/// `mise.macos-arm64.toml`), as teams commit them beside their mise.toml, were never
/// read. mise reads them as "platform environments" only with its `auto_env` setting,
/// set in `.miserc.toml` or `MISE_AUTO_ENV` and off by default
/// (https://mise.jdx.dev/configuration/environments.html#platform-environments): the
/// OS's file over the shared one, OS-arch's over the OS's, `MISE_ENV`'s over both.
/// While the setting is unset they are not read, and that is said once.
#[test]
fn platform_config_files_are_read_with_mises_auto_env_and_said_once_while_it_is_off() {
    let os = std::env::consts::OS;
    let arch = match std::env::consts::ARCH {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        other => other,
    };
    let (work, dir) = project_with("mise.toml", "[tasks.hello]\nrun = \"echo shared >> log\"\n");
    std::fs::write(
        dir.join(format!("mise.{os}.toml")),
        "[tasks.hello]\nrun = \"echo os >> log\"\n\n[tasks.only-here]\nrun = \"echo only here >> log\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join(format!("mise.{os}-{arch}.toml")),
        "[tasks.hello]\nrun = \"echo os-arch >> log\"\n",
    )
    .unwrap();
    // auto_env unset (mise's default): the platform's files are not read, said once.
    let (code, _, err) = vx_in(&work, &dir, &["run", "hello"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(log(&dir), "shared\n");
    let said = format!(
        "mise.{os}.toml, mise.{os}-{arch}.toml not read: mise reads a platform's config file only with its auto_env setting"
    );
    assert_eq!(err.matches(&said).count(), 1, "{err}");
    let (code, _, err) = vx_in(&work, &dir, &["run", "hello"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("not read"), "said once: {err}");
    // On, as a team turns it on: OS-arch's file over the OS's over the shared one.
    std::fs::write(dir.join(".miserc.toml"), "auto_env = true\n").unwrap();
    std::fs::remove_file(dir.join("log")).unwrap();
    vx_ok(&work, &dir, &["run", "hello"]);
    vx_ok(&work, &dir, &["run", "only-here"]);
    assert_eq!(log(&dir), "os-arch\nonly here\n");
    // MISE_ENV's file over the platform's.
    std::fs::write(
        dir.join("mise.staging.toml"),
        "[tasks.hello]\nrun = \"echo staging >> log\"\n",
    )
    .unwrap();
    let (code, out, err) = vx_in_with(&work, &dir, &["run", "hello"], |cmd| {
        cmd.env("MISE_ENV", "staging");
    });
    assert_eq!(code, 0, "{out}{err}");
    assert!(log(&dir).ends_with("only here\nstaging\n"), "{}", log(&dir));
    // Off on purpose: not read, and nothing said; MISE_AUTO_ENV over the file.
    std::fs::write(dir.join(".miserc.toml"), "auto_env = false\n").unwrap();
    std::fs::remove_file(dir.join("log")).unwrap();
    let (code, _, err) = vx_in(&work, &dir, &["run", "hello"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("not read"), "{err}");
    let (code, out, err) = vx_in_with(&work, &dir, &["run", "hello"], |cmd| {
        cmd.env("MISE_AUTO_ENV", "true");
    });
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(log(&dir), "shared\nos-arch\n");
}

/// File tasks in a directory `[task_config] includes` names are named as mise 2026.9
/// lists them, without their extension (`coverage.sh` is `coverage`), and answer to
/// the name with it too.
#[test]
fn included_file_tasks_are_named_without_their_extension() {
    let (work, dir) = project_with("mise.toml", "[task_config]\nincludes = [\"tasks\"]\n");
    executable(
        &dir.join("tasks/coverage.sh"),
        "#!/bin/sh\necho covered \"$@\" >> log\n",
    );
    let (code, listed, err) = vx_in(&work, &dir, &["run"]);
    assert_eq!(code, 0, "{err}");
    let names: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(names.contains(&"coverage"), "{listed}");
    assert!(!names.contains(&"coverage.sh"), "{listed}");
    for name in ["coverage", "coverage.sh"] {
        let (code, out, err) = vx_in(&work, &dir, &["run", name, "x"]);
        assert_eq!(code, 0, "{name}: {out}{err}");
    }
    assert_eq!(log(&dir), "covered x\ncovered x\n");
}

/// A `run` script with its own `#!` line runs as mise runs it: written to a file and
/// started by that line (here `#!/usr/bin/env bash`, so bash's `set -o pipefail`
/// works, where `sh -c` would refuse it). One that goes through mise
/// (`#!/usr/bin/env -S mise exec -- bash`) runs through mise when a mise is on PATH
/// (a stand-in here, which logs how it was called), else with the interpreter after
/// `--`. A `run` step `{ task = …, args = […] }` runs that task with the words.
#[test]
fn run_scripts_with_their_own_shebang_and_task_steps_with_args_run_as_mise_runs_them() {
    let (work, dir) = project_with(
        "mise.toml",
        r#"[tasks.strict]
run = '''
#!/usr/bin/env bash
set -euo pipefail
echo "strict $0" >> log
'''

[tasks.viamise]
run = '''
#!/usr/bin/env -S mise -E dev exec -- bash
set -euo pipefail
echo "via mise" >> log
'''

[tasks.greet]
usage = 'arg "<who>"'
run = '''
#!/usr/bin/env bash
set -euo pipefail
echo "hello ${usage_who?}" >> log
'''

[tasks.both]
run = [{ task = "greet", args = ["world"] }]

[tasks.exits]
run = '''
#!/usr/bin/env bash
echo exiting >> log
exit 3
'''
"#,
    );
    let bin = work.dir.path().join("bin");
    let log = || std::fs::read_to_string(dir.join("log")).unwrap_or_default();
    vx_ok(&work, &dir, &["run", "strict"]);
    assert!(log().starts_with("strict /"), "{}", log());
    assert!(log().trim_end().ends_with("/script"), "{}", log());
    // The file was vx's to remove once the task ended (a lone task's last command
    // replaced vx and left it behind).
    let script = log().trim_end().trim_start_matches("strict ").to_owned();
    assert!(
        !std::path::Path::new(&script).exists(),
        "{script} left behind"
    );
    // And the task's status is the run's.
    let (code, out, err) = vx_with(&work, &dir, &bin, &["run", "exits"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(log().contains("exiting\n"), "{}", log());

    // No mise on PATH: the interpreter after `--` runs the script.
    std::fs::remove_file(dir.join("log")).unwrap();
    vx_ok(&work, &dir, &["run", "viamise"]);
    assert_eq!(log(), "via mise\n");

    // A mise on PATH: the `#!` line runs through it.
    std::fs::remove_file(dir.join("log")).unwrap();
    executable(&bin.join("mise"), "#!/bin/sh\necho \"mise $*\" >> log\n");
    let (code, out, err) = vx_with(&work, &dir, &bin, &["run", "viamise"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(log().starts_with("mise -E dev exec -- bash /"), "{}", log());

    std::fs::remove_file(dir.join("log")).unwrap();
    vx_ok(&work, &dir, &["run", "both"]);
    assert_eq!(log(), "hello world\n");
}

/// The words after the name of a task whose `run` script starts with `#!` are the
/// script's arguments (`$1`…), as mise gives them (finos/morphir's `[tasks.init]`:
/// `mise run init --ci` prints "CI mode"). They were pasted into the script's text, so
/// `--ci` ran as a command of it ("command not found", exit 127), and a python script
/// failed with an IndentationError.
#[test]
fn the_words_after_a_shebang_scripts_task_are_its_arguments() {
    let (work, dir) = project_with(
        "mise.toml",
        r#"[tasks.init]
run = """
#!/usr/bin/env bash
if [[ "$1" == "--ci" ]]; then echo "CI mode"; else echo "dev mode"; fi
"""

[tasks.argv]
run = """
#!/bin/sh
for a in "$@"; do printf '[%s]' "$a"; done
echo
"""
"#,
    );
    let (out, err) = vx_ok(&work, &dir, &["run", "init", "--ci"]);
    assert_eq!(out, "CI mode\n", "{err}");
    let (out, err) = vx_ok(&work, &dir, &["run", "init"]);
    assert_eq!(out, "dev mode\n", "{err}");
    // Each word as it was given, whatever a shell would make of it.
    let words = ["two words", "it's", "$HOME", "a;b", "-n", ""];
    let (out, err) = vx_ok(&work, &dir, &[&["run", "argv"][..], &words].concat());
    assert_eq!(out, "[two words][it's][$HOME][a;b][-n][]\n", "{err}");
    // Through the runner too.
    let (out, err) = vx_ok(&work, &dir, &["run", "--output", "prefix", "argv", "a b"]);
    assert_eq!(out, "[argv] [a b]\n", "{err}");
}

/// With a list of `run` commands, the words after the task's name go to the last one,
/// as mise gives them (jdx/pitchfork's `[tasks.test]`: `mise run t A B` prints `first`,
/// `second A B`), where every command got them; a script of several lines gets them on
/// its last line, and a step running a task is not the command that gets them. A task
/// with a usage spec, or an `{{arg()}}` in a command, reads them instead: none gets
/// them appended (all checked against mise 2026.9.15).
#[test]
fn the_words_after_a_task_of_several_commands_go_to_its_last() {
    let (work, dir) = project_with(
        "mise.toml",
        r#"[tasks.t]
run = ["echo first", "echo second"]

[tasks.lines]
run = """
echo line1
echo line2
"""

[tasks.other]
run = "echo other"

[tasks.stepped]
run = ["echo own", { task = "other" }]

[tasks.usage]
usage = 'arg "[x]"'
run = ["echo one", "echo two"]

[tasks.template]
run = ["echo one {{arg(name='x', default='d')}}", "echo two"]
"#,
    );
    let out = |args: &[&str]| vx_ok(&work, &dir, &[&["run"], args].concat()).0;
    assert_eq!(out(&["t", "A", "B"]), "first\nsecond A B\n");
    assert_eq!(out(&["lines", "A"]), "line1\nline2 A\n");
    assert_eq!(out(&["stepped", "A"]), "own A\nother\n");
    assert_eq!(out(&["usage", "A"]), "one\ntwo\n");
    assert_eq!(out(&["template", "A"]), "one A\ntwo\n");
}

/// A `--` after the task's name is dropped, as mise drops it, and every word after it
/// goes to each task named as it is: `mise run t2 -- --verbose -k foo` prints
/// `--verbose -k foo`, and a file task that runs its arguments (jdx/mise's
/// `xtasks/show-output-on-failure`) runs the command after `--`. The `--` reached
/// the task (`-- --verbose -k foo`; the file task ran `--`, exit 127). A second `--`
/// is a word (checked against mise 2026.9.15).
#[test]
fn the_dashes_after_a_task_are_dropped_and_what_follows_goes_to_each_task() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.t2]\nrun = \"echo\"\n\n[tasks.t]\nrun = \"printf '<%s>' \\\"$@\\\"; echo\"\n\n\
         [tasks.logged]\nrun = \"echo logged >> log; echo\"\n",
    );
    executable(
        &dir.join("mise-tasks/show-output-on-failure"),
        "#!/usr/bin/env bash\nset -euo pipefail\noutput=$(\"$@\" 2>&1)\nstatus=$?\n\
         if ((status)); then echo \"$output\" >&2; fi\nexit $status\n",
    );
    let out = |args: &[&str]| vx_ok(&work, &dir, &[&["run"], args].concat()).0;
    assert_eq!(
        out(&["t2", "--", "--verbose", "-k", "foo"]),
        "--verbose -k foo\n"
    );
    assert_eq!(out(&["t", "--", "--", "x"]), "<>-- x\n");
    assert_eq!(out(&["t", "a", "--", "b", ":::", "t2"]), "<>a b ::: t2\n");
    assert_eq!(out(&["t2", "--", "--help"]), "--help\n");
    assert_eq!(out(&["show-output-on-failure", "--", "echo", "hi"]), "");
    let (code, _, err) = vx_in(
        &work,
        &dir,
        &["run", "show-output-on-failure", "--", "false"],
    );
    assert_eq!(code, 1, "{err}");
    // Each task named gets them, after its own.
    let (out, err) = vx_ok(&work, &dir, &["run", "t", "a", ":::", "logged", "--", "x"]);
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["[logged] x", "[t] <>a x"], "{err}");
}

/// `mise run 'lint:*'` runs every task the glob matches (jdx/mise
/// docs/tasks/running-tasks.md); `vx run 'lint:*'` said "no task `lint:*`", exit 2. A
/// glob that matches no task is an error that says so.
#[test]
fn a_glob_on_the_command_line_runs_the_mise_tasks_it_matches() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.\"lint:a\"]\nrun = \"echo lint-a\"\n[tasks.\"lint:b\"]\nrun = \"echo lint-b\"\n",
    );
    let (out, err) = vx_ok(&work, &dir, &["run", "lint:*"]);
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["[lint:a] lint-a", "[lint:b] lint-b"], "{err}");
    let (code, _, err) = vx_in(&work, &dir, &["run", "nomatch:*"]);
    assert_eq!(code, 2, "{err}");
    let said = format!("no task matches `nomatch:*` in {}", dir.display());
    assert!(err.contains(&said), "{err}");
}

/// mise's `*` in a task name stays within one `:` group and its `**` spans any
/// number of them, on the command line and in `depends` alike (mise 2026.9.15: `mise
/// run 'lint:*'` runs `lint:a` and `lint:b`, never `lint:b:deep`, which `lint:**`
/// takes). vx's `*` crossed `:` in both places: `vx run 'lint:*'` ran `lint:b:deep`
/// too, and so did a task depending on `lint:*`.
#[test]
fn a_star_in_a_task_glob_stays_within_one_group_as_in_mise() {
    let task = |name: &str| format!("[tasks.\"{name}\"]\nrun = \"echo {name} >> ran\"\n");
    let mut toml: String = ["lint:a", "lint:b", "lint:b:deep", "x:lint"]
        .iter()
        .map(|name| task(name))
        .collect();
    toml.push_str("[tasks.one]\ndepends = [\"lint:*\"]\nrun = \"echo one >> ran\"\n");
    toml.push_str("[tasks.all]\ndepends = [\"lint:**\"]\nrun = \"echo all >> ran\"\n");
    let (work, dir) = project_with("mise.toml", toml);
    let ran = |args: &[&str]| {
        let _ = std::fs::remove_file(dir.join("ran"));
        let (_, err) = vx_ok(&work, &dir, &[&["run", "-j", "1"][..], args].concat());
        let ran = std::fs::read_to_string(dir.join("ran")).unwrap_or_default();
        let mut ran: Vec<String> = ran.lines().map(str::to_owned).collect();
        ran.sort_unstable();
        (ran, err)
    };
    let (got, err) = ran(&["lint:*"]);
    assert_eq!(got, ["lint:a", "lint:b"], "{err}");
    let (got, err) = ran(&["lint:**"]);
    assert_eq!(got, ["lint:a", "lint:b", "lint:b:deep"], "{err}");
    let (got, err) = ran(&["*:lint"]);
    assert_eq!(got, ["x:lint"], "{err}");
    let (got, err) = ran(&["one"]);
    assert_eq!(got, ["lint:a", "lint:b", "one"], "{err}");
    let (got, err) = ran(&["all"]);
    assert_eq!(got, ["all", "lint:a", "lint:b", "lint:b:deep"], "{err}");
}

/// `mise run t -- --help` runs `t` (mise 2026.9.15): after the `--`, `--help` or
/// `-h` makes mise read none of the task's usage spec and give every word to its last
/// script as it is (`t a -- --help` runs `echo got a --help`), so a task wrapping a
/// tool reaches the tool's help; `mise run t --help` shows the task's usage. vx said
/// "task `t` has no option --help", exit 2.
#[test]
fn help_after_the_dashes_is_the_mise_tasks_word() {
    let (work, dir) = project_with(
        "mise.toml",
        r#"[tasks.t]
usage = """
arg "[x]" default="none"
flag "-v --verbose"
"""
run = "echo got"
"#,
    );
    let (out, err) = vx_ok(&work, &dir, &["run", "t", "--", "--help"]);
    assert_eq!(out, "got --help\n", "{err}");
    let (out, err) = vx_ok(&work, &dir, &["run", "t", "a", "--", "--help"]);
    assert_eq!(out, "got a --help\n", "{err}");
    let (out, err) = vx_ok(&work, &dir, &["run", "t", "--", "-v", "-h"]);
    assert_eq!(out, "got -v -h\n", "{err}");
    // Read as the usage says without them: the words are the arguments'.
    let (out, err) = vx_ok(&work, &dir, &["run", "t", "--", "a"]);
    assert_eq!(out, "got\n", "{err}");
    let (help, _) = vx_ok(&work, &dir, &["run", "t", "--help"]);
    assert!(
        help.contains("Usage: vx run t [x] [-v, --verbose]"),
        "{help}"
    );
}

/// With its words passed on unread (`-- --help`), a mise task sees its arguments as
/// mise 2026.9.15 gives them: `$usage_NAME` unset and `{{arg()}}` (`option()`,
/// `flag()`) empty, as usage never read the words, while `{{usage.NAME}}` is still
/// its default. A `raw_args` task's words are never read, so its `$usage_NAME` is
/// unset even without words; a file task gets `--help` once. vx gave `$usage_x` and
/// `{{arg()}}` the default (`ux=dx arg=[dx]`), and a file task `--help --help`.
#[test]
fn unread_words_leave_usage_variables_unset_as_under_mise() {
    let (work, dir) = project_with(
        "mise.toml",
        r#"[tasks.t]
usage = '''
arg "[x]" default="dx"
flag "-v --verbose"
flag "-n --name <name>" default="nm"
'''
run = '''echo "ux=${usage_x-UNSET} un=${usage_name-UNSET} uv=${usage_verbose-UNSET} arg=[{{arg(name="x")}}] opt=[{{option(name="name")}}] fl=[{{flag(name="verbose")}}] tx={{usage.x}} tn={{usage.name}}"'''
[tasks.r]
raw_args = true
usage = 'arg "[x]" default="dx"'
run = 'echo "ux=${usage_x-UNSET} tx={{usage.x}}"'
"#,
    );
    executable(
        &dir.join("mise-tasks/f"),
        "#!/bin/sh\n#USAGE arg \"[x]\" default=\"dx\"\necho \"f ux=${usage_x-UNSET} args=$*\"\n",
    );
    for (args, said) in [
        (
            &["t", "--", "--help"][..],
            "ux=UNSET un=UNSET uv=UNSET arg=[] opt=[] fl=[] tx=dx tn=nm --help",
        ),
        (
            &["t"],
            "ux=dx un=nm uv=UNSET arg=[dx] opt=[nm] fl=[false] tx=dx tn=nm",
        ),
        (&["r", "--", "--help"], "ux=UNSET tx=dx --help"),
        (&["r"], "ux=UNSET tx=dx"),
        (&["f", "--", "--help"], "f ux=UNSET args=--help"),
        (&["f"], "f ux=dx args="),
    ] {
        let (out, err) = vx_ok(&work, &dir, &[&["run"], args].concat());
        assert_eq!(out, format!("{said}\n"), "{args:?}: {err}");
    }
}

/// A `run` step `{ task = "a" }` runs `a` without the task's own words, as mise does
/// (2026.9.15: `mise run t w1` gives `a` no `$usage_x`; mise removes the `usage_*` a
/// task inherits). vx's `a` saw `t`'s `usage_x=w1`, exported for `t`'s commands.
#[test]
fn a_run_step_gives_the_task_none_of_its_callers_words() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.a]\nrun = 'echo \"a ${usage_x-unset}\" >> log'\n\n\
         [tasks.t]\nusage = 'arg \"[x]\"'\nrun = [{ task = \"a\" }, 'echo \"t ${usage_x-unset}\" >> log']\n",
    );
    let (_, err) = vx_ok(&work, &dir, &["run", "t", "w1"]);
    let log = std::fs::read_to_string(dir.join("log")).unwrap();
    assert_eq!(log, "a unset\nt w1\n", "{err}");
}

/// `vx tasks ls` lists the tasks as `vx tasks` does, and `vx tasks info NAME` (`vx
/// tasks NAME`) shows one, as mise's `tasks ls` and `tasks info` do; both read `ls`
/// and `info` as task names ("no task `ls`", exit 2). A task named `ls` still runs
/// with `vx run ls`.
#[test]
fn vx_tasks_ls_lists_and_vx_tasks_info_shows_one_task() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.a]\ndescription = \"says a\"\nrun = \"echo a\"\n\n[tasks.ls]\nrun = \"echo listing\"\n",
    );
    let (listed, _) = vx_ok(&work, &dir, &["tasks"]);
    assert_eq!(vx_ok(&work, &dir, &["tasks", "ls"]).0, listed);
    let names: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(names, ["a", "ls"], "{listed}");
    let (out, err) = vx_ok(&work, &dir, &["tasks", "info", "a"]);
    let source = format!("Source: {}\n", dir.join("mise.toml").display());
    assert!(
        out.starts_with(&format!("Task: a\nDescription: says a\n{source}")),
        "{out}{err}"
    );
    assert!(out.contains("\nRun:\n  echo a\n"), "{out}");
    assert_eq!(vx_ok(&work, &dir, &["tasks", "a"]).0, out);
    let (out, _) = vx_ok(&work, &dir, &["tasks", "info", "a", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["name"], "a");
    assert_eq!(json["run"], serde_json::json!(["echo a"]));
    let (code, _, err) = vx_in(&work, &dir, &["tasks", "info", "nope"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no task `nope`"), "{err}");
    assert_eq!(vx_ok(&work, &dir, &["run", "ls"]).0, "listing\n");
}

/// `vx tasks info NAME` shows a mise task as its user wrote it, as `mise tasks info`
/// (2026.9.15) does: its `run` lines as written (`{{arg(name="x")}}` and `run` steps
/// as `task: a`), its `env` as written, then, apart, the `MISE_*` variables vx sets
/// as mise does. vx showed its own lines (`export usage_x={{read.x}} …`, `{{x}}`)
/// and the `MISE_*` variables among the task's environment.
#[test]
fn vx_tasks_info_shows_a_mise_task_as_written() {
    let (work, dir) = project_with(
        "mise.toml",
        r#"[tasks.a]
run = "echo a"
[tasks.t]
usage = 'arg "[x]" default="dx"'
env = { FOO = "bar" }
run = ['echo "$usage_x {{arg(name="x")}}"', { task = "a" }]
"#,
    );
    let (out, err) = vx_ok(&work, &dir, &["tasks", "info", "t"]);
    let written = "\nRun:\n  echo \"$usage_x {{arg(name=\"x\")}}\"\n  task: a\n\n\
                   Environment Variables:\n  FOO=bar\n\n\
                   Set by vx, as mise sets them:\n  MISE_PROJECT_ROOT\n  MISE_CONFIG_ROOT\n  MISE_TASK_NAME\n";
    assert!(out.contains(written), "{out}{err}");
    assert!(!out.contains("export") && !out.contains("read."), "{out}");
    let (out, _) = vx_ok(&work, &dir, &["tasks", "info", "t", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json["run"],
        serde_json::json!(["echo \"$usage_x {{arg(name=\"x\")}}\"", "task: a"])
    );
    assert_eq!(json["env"], serde_json::json!(["FOO=bar"]));
    assert_eq!(
        json["given_env"],
        serde_json::json!(["MISE_PROJECT_ROOT", "MISE_CONFIG_ROOT", "MISE_TASK_NAME"])
    );
    let (out, err) = vx_ok(&work, &dir, &["run", "t", "v"]);
    assert_eq!(out, "v v\na\n", "runs as before: {err}");
}

/// `vx tasks info` names the file a mise task is defined in as its source, as `mise
/// tasks info` (2026.9.15) does: a file task's own file (`Source: …/mise-tasks/build`),
/// a task directory's TOML file, and mise.toml for mise.toml's own. vx said
/// `Source: …/mise.toml` for all three.
#[test]
fn vx_tasks_info_names_the_file_a_mise_task_is_defined_in() {
    let (work, dir) = project_with("mise.toml", "[tasks.own]\nrun = \"echo own\"\n");
    executable(
        &dir.join("mise-tasks/build"),
        "#!/bin/sh\n#MISE description=\"Build it\"\necho hi\n",
    );
    std::fs::create_dir_all(dir.join(".mise/tasks")).unwrap();
    std::fs::write(
        dir.join(".mise/tasks/more.toml"),
        "[images]\nrun = \"echo images\"\n",
    )
    .unwrap();
    for (task, file) in [
        ("build", "mise-tasks/build"),
        ("images", ".mise/tasks/more.toml"),
        ("own", "mise.toml"),
    ] {
        let (out, err) = vx_ok(&work, &dir, &["tasks", "info", task]);
        let source = format!("Source: {}\n", dir.join(file).display());
        assert!(out.contains(&source), "{task}: {out}{err}");
        let (out, _) = vx_ok(&work, &dir, &["tasks", "info", task, "--json"]);
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        let want = dir.join(file).display().to_string();
        assert_eq!(json["source"].as_str(), Some(want.as_str()), "{task}");
    }
}

/// A task's `dir` may name the file's `[vars]` (`dir = "{{vars.api_dir}}"`), as in
/// its commands: the task runs there.
#[test]
fn a_mise_task_dir_naming_vars_runs_there() {
    let (work, dir) = project_with(
        "mise.toml",
        "[vars]\napi_dir = \"api-go\"\n\n[tasks.build]\ndir = \"{{vars.api_dir}}\"\nrun = \"echo built >> log\"\n",
    );
    std::fs::create_dir_all(dir.join("api-go")).unwrap();
    vx_ok(&work, &dir, &["run", "build"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("api-go/log")).unwrap(),
        "built\n"
    );
}

/// A file task starts by its full path (its `$0`), as mise starts it, and sees the
/// variables mise gives a task: `MISE_PROJECT_ROOT`, `MISE_CONFIG_ROOT`,
/// `MISE_TASK_NAME`.
#[test]
fn a_mise_file_task_starts_by_its_full_path_and_sees_mise_task_variables() {
    let (work, dir) = project_with("mise.toml", "[tools]\n");
    executable(
        &dir.join(".mise/tasks/where"),
        "#!/bin/sh\nset -u\necho \"$0|$MISE_PROJECT_ROOT|$MISE_CONFIG_ROOT|$MISE_TASK_NAME\" > \"$MISE_PROJECT_ROOT/log\"\n",
    );
    vx_ok(&work, &dir, &["run", "where"]);
    let root = std::path::absolute(&dir).unwrap();
    let root = root.display();
    assert_eq!(
        log(&dir),
        format!("{root}/.mise/tasks/where|{root}|{root}|where\n")
    );
}

/// A mise task run without a required argument fails as mise fails it: exit 1,
/// naming the argument, nothing run.
#[test]
fn a_mise_task_missing_its_required_argument_fails_with_exit_1() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.call]\nusage = 'arg \"<method>\"'\nrun = 'echo {{arg(name=\"method\")}} >> log'\n",
    );
    fails_without_running(&work, &dir, &["run", "call"], "method");
    vx_ok(&work, &dir, &["run", "call", "get"]);
    assert_eq!(log(&dir), "get\n");
}

/// An offline run's tasks are offline too: a vx a task starts (a mise run step, a
/// dependency with arguments: `"$VX" run …`) gets `VX_OFFLINE=1` and fetches and
/// installs nothing, where it would try the network (and wait on it) before.
#[test]
fn the_vx_a_task_of_an_offline_run_starts_is_offline_too() {
    let (work, dir) = project_with(
        "vx.toml",
        format!(
            "{}[tasks.inner]\nrun = \"echo inner >> log\"\n\n[tasks.outer]\nrun = '\"$VX\" run inner'\n",
            crate::common::tool_toml("t", "1", "http://127.0.0.1:9/t.tar.gz", &"a".repeat(64))
        ),
    );
    let (_, err) = vx_ok(&work, &dir, &["run", "--offline", "outer"]);
    assert_eq!(log(&dir), "inner\n");
    assert_eq!(
        err.matches("running without t 1 (--offline)").count(),
        2,
        "{err}"
    );
}

/// `{{arg(name='t', var=true, default='test')}}`: the words given, else the default,
/// as mise renders it.
#[test]
fn a_variadic_mise_argument_takes_its_default_when_no_word_is_given() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.bats]\nrun = \"printf '[%s]' {{arg(name='t', var=true, default='test')}} >> log\"\n",
    );
    vx_ok(&work, &dir, &["run", "bats"]);
    vx_ok(&work, &dir, &["run", "bats", "a b", "c"]);
    assert_eq!(log(&dir), "[test][a b][c]");
}

/// A file task whose `#USAGE` spec is one variadic argument with a default reads
/// `$usage_NAME` as mise gives it: the words given, else the default. A spec with
/// `option "--name <value>"`, which mise refuses ("unsupported spec key option"), is
/// as mise 2026.9.15 takes it (jdx/hk's `mise-tasks/pre-release`): a TOML task's is
/// listed, and a run that holds it (named, or as a dependency) fails with exit 1
/// before anything runs (vx ran its dependencies first); a file task's is said and
/// the file runs without it, the words passed as given (vx failed it).
#[test]
fn a_variadic_usage_argument_reaches_the_task_and_a_spec_mise_refuses_fails_as_under_mise() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.render]\nrun = 'echo rendered >> log'\n\n[tasks.release]\ndepends = [\"render\"]\nusage = 'option \"--version <version>\"'\nrun = 'echo \"release $usage_version\" >> log'\n\n[tasks.ship]\ndepends = [\"release\"]\nrun = 'echo shipped >> log'\n",
    );
    executable(
        &dir.join("mise-tasks/bats"),
        "#!/usr/bin/env bash\n#USAGE arg \"<test>...\" default=\"test\"\nset -eu\necho \"bats ${usage_test}\" >> log\n",
    );
    let (code, listed, err) = vx_in(&work, &dir, &["run"]);
    assert_eq!(code, 0, "{err}");
    assert!(listed.lines().any(|l| l.starts_with("release")), "{listed}");
    for args in [
        &["run", "release", "--version", "1.2"][..],
        &["run", "ship"],
    ] {
        fails_without_running(&work, &dir, args, "unsupported spec key option");
    }
    for args in [&["run", "bats"][..], &["run", "bats", "a", "b"]] {
        let (code, out, err) = vx_in(&work, &dir, args);
        assert_eq!(code, 0, "{args:?}: {out}{err}");
    }
    assert_eq!(log(&dir), "bats test\nbats a b\n");
    executable(
        &dir.join("mise-tasks/pre"),
        "#!/usr/bin/env bash\n#MISE depends=[\"render\"]\n#USAGE option \"--version <version>\"\necho \"version=${usage_version:-UNSET} args=$*\" >> log\n",
    );
    let (_, err) = vx_ok(&work, &dir, &["run", "pre", "--version", "1.2"]);
    assert!(err.contains("unsupported spec key option"), "{err}");
    assert_eq!(
        log(&dir),
        "bats test\nbats a b\nrendered\nversion=UNSET args=--version 1.2\n"
    );
}

/// A variadic usage argument's `$usage_NAME` holds the words given each quoted as mise
/// quotes them (usage-lib joins them with `shell_words::join`: a plain word as it is,
/// any other in single quotes), so `eval "set -- $usage_names"` gives the words back,
/// as under mise 2026.9.15; with none given it is its default quoted so, and unset
/// without one. vx joined the words with spaces (`a b c` for `"a b" c`), and a script
/// that split them back got three words.
#[test]
fn a_variadic_usage_arguments_variable_quotes_each_word_as_mise_does() {
    let (work, dir) = project_with(
        "mise.toml",
        r#"[tasks.greet]
usage = 'arg "[names]" var=#true'
run = 'printf "u=%s\n" "${usage_names-unset}" >> log; eval "set -- $usage_names"; for n in "$@"; do printf "[%s]\n" "$n" >> log; done'

[tasks.hello]
usage = '''arg "[names]" var=#true default="it's me"'''
run = 'printf "u=%s\n" "$usage_names" >> log'
"#,
    );
    let words = ["a b", "c", "it's", "", "a=b", "$HOME", "~", "a,b@c+d"];
    vx_ok(&work, &dir, &[&["run", "greet"][..], &words].concat());
    vx_ok(&work, &dir, &["run", "greet"]);
    vx_ok(&work, &dir, &["run", "hello"]);
    vx_ok(&work, &dir, &["run", "hello", "you"]);
    assert_eq!(
        log(&dir),
        "u='a b' c 'it'\\''s' '' 'a=b' '$HOME' '~' a,b@c+d\n\
         [a b]\n[c]\n[it's]\n[]\n[a=b]\n[$HOME]\n[~]\n[a,b@c+d]\n\
         u=unset\n\
         u='it'\\''s me'\nu=you\n"
    );
}

/// A task whose `usage` field declares its arguments and whose `run` also names them
/// with the older `{{arg()}}` reads them as the field declares them, as mise merges
/// the two (usage-lib's `SpecCommand::merge`: the field's args replace the templates',
/// its flags their `option()`s and `flag()`s): `arg "<names>" var=#true` takes every
/// word, `{{arg(name="names")}}` being those words (else the field's default); the
/// field's default wins over the template's; a name only a template gives is nothing
/// and takes no word. vx declared the template's argument beside the field's and
/// refused the second word ("task `greet` takes 1 positional argument; `c` is one
/// too many").
#[test]
fn a_usage_fields_arguments_win_over_the_arg_templates_of_its_run() {
    let (work, dir) = project_with(
        "mise.toml",
        r#"[tasks.greet]
usage = 'arg "<names>" var=#true'
run = 'for n in {{arg(name="names")}}; do echo "[$n]" >> log; done; echo "u=$usage_names" >> log'

[tasks.each]
usage = 'arg "[names]" var=#true default="x y"'
run = "printf '<%s>' {{arg(name='names')}} >> log; echo >> log"

[tasks.pick]
usage = 'arg "[x]" default="u"'
run = 'echo "x={{arg(name="x", default="t")}} y=[{{arg(name="y")}}]" >> log'

[tasks.flags]
usage = 'flag "--f"'
run = 'echo "x={{arg(name="x")}} o=[{{option(name="o")}}] f=${usage_f-unset}" >> log'
"#,
    );
    vx_ok(&work, &dir, &["run", "greet", "a b", "c"]);
    vx_ok(&work, &dir, &["run", "each"]);
    vx_ok(&work, &dir, &["run", "each", "a", "b c"]);
    vx_ok(&work, &dir, &["run", "pick"]);
    vx_ok(&work, &dir, &["run", "pick", "v"]);
    vx_ok(&work, &dir, &["run", "flags", "X", "--f"]);
    let refused = [
        (&["run", "pick", "v", "w"][..], "`w` is one too many"),
        (&["run", "flags", "X", "--o", "1"], "has no option --o"),
    ];
    for (args, said) in refused {
        let (code, out, err) = vx_in(&work, &dir, args);
        assert_eq!(code, 1, "{args:?}: {out}{err}");
        assert!(err.contains(said), "{err}");
    }
    assert_eq!(
        log(&dir),
        "[a b]\n[c]\nu='a b' c\n<x y>\n<a><b c>\nx=u y=[]\nx=v y=[]\nx=X o=[] f=true\n"
    );
}

/// `{{arg()}}` renders a plain word as it is, as mise does, so a value inside the
/// script's own double quotes reads as typed; a word with spaces or quotes is still
/// one shell word.
#[test]
fn an_arg_inside_double_quotes_reads_as_typed() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.greet]\nrun = 'echo \"hello {{arg(name=\"who\")}}!\" {{arg(name=\"rest\", default=\"x\")}} >> log'\n",
    );
    vx_ok(&work, &dir, &["run", "greet", "world", "it's a b"]);
    vx_ok(&work, &dir, &["run", "greet", "v1.2.3-rc.1+build/x@y:z,%"]);
    assert_eq!(
        log(&dir),
        "hello world! it's a b\nhello v1.2.3-rc.1+build/x@y:z,%! x\n"
    );
}

/// A mise task whose own tools cannot be had (offline, never resolved: jdx/hk's
/// `benchmark`, `#MISE tools = { lefthook = "latest" }`) runs with what is on PATH and
/// ends with its own status, as mise runs it, saying why; in a vx.toml project the
/// same task stops the run (exit 1), as its missing project tools do.
#[test]
fn a_mise_tasks_own_tools_that_cannot_be_had_offline_leave_it_to_path() {
    let (work, dir) = project_with("mise.toml", "[tools]\n");
    executable(
        &dir.join("mise-tasks/benchmark"),
        "#!/usr/bin/env bash\n#MISE tools = { lefthook = \"latest\" }\necho benched >> log\nexit 3\n",
    );
    let (code, out, err) = vx_in(&work, &dir, &["run", "--offline", "benchmark"]);
    assert_eq!(code, 3, "{out}{err}");
    assert_eq!(log(&dir), "benched\n");
    assert!(
        err.contains("running `benchmark` without its own tools: offline"),
        "{err}"
    );

    let (work, dir) = project_with(
        "vx.toml",
        "[tools]\n\n[tasks]\nbenchmark = { run = \"echo benched >> log\", tools = { lefthook = \"latest\" } }\n",
    );
    let (code, out, err) = vx_in(&work, &dir, &["run", "--offline", "benchmark"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(!dir.join("log").exists(), "it did not run");
}

/// Issue 78, item 6: a mise.toml of 10,000 one-line tasks and one vx refuses (its name
/// has a space) is read in one pass: the refused task is said once, with its reason
/// and its line in the file, and the other 10,000 are listed. It took minutes: the
/// import parsed the whole growing vx.toml text again for each task once one failed
/// (2,500 tasks: 41 s; 10,000: not done after 120 s). The deadline only stops a
/// regression from hanging the suite; docs/BENCHMARKS.md has the figure.
#[test]
fn ten_thousand_tasks_and_one_refused_are_listed_and_the_refused_one_said_once() {
    let mut text = String::from("[tasks]\n");
    for i in 0..10_000 {
        text.push_str(&format!("t{i} = \"echo {i}\"\n"));
    }
    text.push_str("\"two words\" = \"echo refused\"\n");
    let (work, dir) = project_with("mise.toml", text);
    let list = |work: &Work| {
        let out = work
            .vx()
            .current_dir(&dir)
            .env_remove("__VX_STATE")
            .arg("run")
            .timeout(std::time::Duration::from_secs(120))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = list(&work);
    assert_eq!(code, Some(0), "{err}");
    let listed = out.lines().filter(|l| l.starts_with('t')).count();
    assert_eq!(listed, 10_000, "{err}");
    assert!(!out.contains("two words"), "{out}");
    assert_eq!(
        err.matches(
            "skipped task two words from mise.toml:10002: task name `two words` is invalid"
        )
        .count(),
        1,
        "{err}"
    );
    let (code, _, err) = list(&work);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("two words"), "said once: {err}");
}

/// mise reads every file of `.config/mise/conf.d`; vx reads the first 64 by name and
/// says the cut (it was silent: the 65th file's tasks were just not there).
#[test]
fn the_cut_of_conf_d_at_64_files_is_said() {
    let (work, dir) = project_with("mise.toml", "[tasks.lint]\nrun = \"echo linted\"\n");
    let confd = dir.join(".config/mise/conf.d");
    std::fs::create_dir_all(&confd).unwrap();
    for i in 0..65 {
        std::fs::write(
            confd.join(format!("{i:03}.toml")),
            format!("[tasks.c{i}]\nrun = \"echo {i}\"\n"),
        )
        .unwrap();
    }
    let (out, err) = vx_ok(&work, &dir, &["run"]);
    assert!(out.contains("c63"), "{out}");
    assert!(!out.contains("c64"), "{out}");
    assert!(
        err.contains(
            ".config/mise/conf.d holds 65 files: the first 64 by name are read, the other 1 are not"
        ),
        "{err}"
    );
}

/// Issue 79, item 4: a task's `tools` as teams write them: a version from `[vars]`
/// (rust-lang/rustup's mise.toml: `rust = "{{vars.rust_version}}"`) and a name with
/// its backend (mitsuhiko/insta's `"cargo:cargo-insta"`, `"cargo:zizmor" =
/// "latest"`, an `aqua:` package). vx refused to start the task ("is not TOOL or TOOL@VERSION"); offline,
/// where they cannot be had, the task runs with what is on PATH, as mise runs it.
#[test]
fn a_mise_tasks_tools_with_templates_and_backends_are_read() {
    let (work, dir) = project_with(
        "mise.toml",
        "[vars]\nrust_version = \"1.83.0\"\n\n[tasks.check]\ntools = { rust = \"{{vars.rust_version}}\", \"cargo:cargo-insta\" = \"1.40\", \"cargo:zizmor\" = \"latest\", \"aqua:koalaman/shellcheck\" = \"0.10.0\" }\nrun = \"echo checked >> log\"\n",
    );
    let (code, out, err) = vx_in(&work, &dir, &["run", "--offline", "check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(log(&dir), "checked\n");
    assert!(!err.contains("is not TOOL"), "{err}");
    assert!(err.contains("without its own tools"), "{err}");
}

/// Issue 79, item 4: Tera's `get_env(name=…, default=…)` in a task's command is the
/// variable, else its default (as in jdx/mise's own tasks); the task was skipped.
#[test]
fn a_mise_tasks_get_env_is_the_variable_or_its_default() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.tag]\nrun = \"echo tag={{get_env(name='RELEASE_TAG', default='dev')}} extra={{ get_env(name=\\\"EXTRA\\\", default=\\\"\\\") }}. >> log\"\n",
    );
    vx_in_with(&work, &dir, &["run", "tag"], |cmd| {
        cmd.env_remove("RELEASE_TAG").env_remove("EXTRA");
    });
    vx_in_with(&work, &dir, &["run", "tag"], |cmd| {
        cmd.env("RELEASE_TAG", "v1.2").env("EXTRA", "x");
    });
    assert_eq!(log(&dir), "tag=dev extra=.\ntag=v1.2 extra=x.\n");
}

/// Issue 79, item 4: `[task_config] includes` naming a directory that does not exist
/// (a fresh clone's generated one) is skipped, as mise skips it; the file's other tasks
/// and includes stay (every task of the file was refused).
#[test]
fn a_missing_task_include_is_skipped_and_the_rest_is_read() {
    let (work, dir) = project_with(
        "mise.toml",
        "[task_config]\nincludes = [\"generated/tasks\", \"tasks\"]\n\n[tasks.own]\nrun = \"echo own >> log\"\n",
    );
    executable(
        &dir.join("tasks/included"),
        "#!/bin/sh\necho included >> log\n",
    );
    let (_, err) = vx_ok(&work, &dir, &["run", "own"]);
    // Nothing to say: mise skips it too (vx said "skipped task generated/tasks …: No
    // such file or directory", a task that is none).
    assert!(!err.contains("generated"), "{err}");
    vx_ok(&work, &dir, &["run", "included"]);
    assert_eq!(log(&dir), "own\nincluded\n");
    let (out, err) = vx_ok(&work, &dir, &["tasks"]);
    assert!(out.contains("own") && out.contains("included"), "{out}");
    assert!(!format!("{out}{err}").contains("generated"), "{out}{err}");
}

/// A task two `[task_config] includes` define is the later include's, as mise keeps
/// it (jdx/mise's own repository: `test:e2e` in `tasks.toml` and in
/// `xtasks/test/e2e`; mise 2026.9.15 runs the file, by its name and its alias); vx
/// ran the first, and its alias was no task. So is a task two default task
/// directories hold (mise's order: `mise-tasks`, …, `mise/tasks` last).
#[test]
fn a_task_two_includes_define_is_the_later_ones() {
    let (work, dir) = project_with(
        "mise.toml",
        "[task_config]\nincludes = [\"tasks.toml\", \"xtasks\"]\n",
    );
    std::fs::write(
        dir.join("tasks.toml"),
        "[\"t:e\"]\ndescription = \"toml desc\"\nrun = \"echo from-toml >> log\"\n",
    )
    .unwrap();
    executable(
        &dir.join("xtasks/t/e"),
        "#!/bin/sh\n#MISE alias=[\"e\"]\n#MISE description=\"file desc\"\necho from-file >> log\n",
    );
    let (out, _) = vx_ok(&work, &dir, &["tasks"]);
    assert!(
        out.contains("file desc") && !out.contains("toml desc"),
        "{out}"
    );
    vx_ok(&work, &dir, &["run", "t:e"]);
    vx_ok(&work, &dir, &["run", "e"]);
    assert_eq!(log(&dir), "from-file\nfrom-file\n");

    let (work, dir) = project_with("mise.toml", "[tools]\n");
    for sub in ["mise-tasks", ".mise/tasks", "mise/tasks"] {
        executable(
            &dir.join(sub).join("x"),
            &format!("#!/bin/sh\necho {sub} >> log\n"),
        );
    }
    vx_ok(&work, &dir, &["run", "x"]);
    assert_eq!(log(&dir), "mise/tasks\n");
}

/// Issue 79, item 4: a `#MISE` header that repeats a key is listed and run, the last
/// value winning and tables merged, as mise folds its header entries one by one
/// (jdx/mise, src/task/mod.rs); vx refused it ("duplicate key").
#[test]
fn a_mise_header_repeating_a_key_is_read_as_mise_reads_it() {
    let (work, dir) = project_with("mise.toml", "[tools]\n");
    executable(
        &dir.join("mise-tasks/build"),
        "#!/bin/sh\n#MISE description=\"first\"\n#MISE description=\"builds it\"\n#MISE env.A=\"a\"\n#MISE env.B=\"b\"\necho \"built $A$B\" >> log\n",
    );
    let (out, _) = vx_ok(&work, &dir, &["tasks"]);
    assert!(out.contains("builds it") && !out.contains("first"), "{out}");
    vx_ok(&work, &dir, &["run", "build"]);
    assert_eq!(log(&dir), "built ab\n");
}

/// Issue 79, item 4 (found again on the corpus kept apart): a usage spec whose
/// variadic argument has its ellipsis inside the brackets (`arg "[names...]"`,
/// KnickKnackLabs/shiv's `.mise/tasks/outdated`, read so by usage since jdx/usage#481)
/// is listed and takes every word given; a header's `tools` written as a list
/// (`#MISE tools=["pkl"]`, paradox460/djot's `.mise/tasks/update-workflows`) is no
/// tool, as mise reads only a table there, and the task is listed and runs. vx left
/// both tasks out.
#[test]
fn file_tasks_with_usage_and_header_forms_mise_accepts_are_listed_and_run() {
    let (work, dir) = project_with("mise.toml", "[tools]\n");
    executable(
        &dir.join(".mise/tasks/outdated"),
        "#!/bin/sh\n#MISE description=\"Check packages\"\n#USAGE arg \"[names...]\" help=\"Packages\"\necho \"names=${usage_names:-} $#\" >> log\n",
    );
    executable(
        &dir.join(".mise/tasks/workflows"),
        "#!/bin/sh\n#MISE description=\"Generate workflows\"\n#MISE tools=[\"pkl\"]\necho generated >> log\n",
    );
    let (out, _) = vx_ok(&work, &dir, &["tasks"]);
    assert!(
        out.contains("Check packages") && out.contains("Generate workflows"),
        "{out}"
    );
    vx_ok(&work, &dir, &["run", "outdated", "a", "b"]);
    vx_ok(&work, &dir, &["run", "outdated"]);
    vx_ok(&work, &dir, &["run", "workflows"]);
    assert_eq!(log(&dir), "names=a b 2\nnames= 0\ngenerated\n");
}

/// A file or folder under a task directory whose name starts with `.` holds no task,
/// as mise passes it over (bamaas/HomeLab-2.0's `.mise/tasks/.private/load-env-vars.sh`,
/// a helper its tasks source; mise 2026.9.15 neither lists nor runs it); vx listed
/// and ran both. The task that sources it runs.
#[test]
fn dot_files_under_a_task_directory_are_no_tasks() {
    let (work, dir) = project_with("mise.toml", "[tools]\n");
    executable(
        &dir.join(".mise/tasks/.private/load-env-vars.sh"),
        "#!/bin/sh\nFROM_HELPER=loaded\n",
    );
    executable(
        &dir.join(".mise/tasks/.hidden"),
        "#!/bin/sh\necho hidden >> log\n",
    );
    executable(
        &dir.join(".mise/tasks/ok"),
        "#!/bin/sh\n. \"$(dirname \"$0\")/.private/load-env-vars.sh\"\necho \"ok $FROM_HELPER\" >> log\n",
    );
    let (out, _) = vx_ok(&work, &dir, &["run"]);
    assert!(out.lines().any(|l| l.starts_with("ok ")), "{out}");
    assert!(!out.contains("hidden") && !out.contains("private"), "{out}");
    for name in [".hidden", ".private:load-env-vars"] {
        let (code, out, err) = vx_in(&work, &dir, &["run", name]);
        assert_eq!(code, 2, "{name}: {out}{err}");
        assert!(err.contains("no task"), "{err}");
    }
    vx_ok(&work, &dir, &["run", "ok"]);
    assert_eq!(log(&dir), "ok loaded\n");
}

/// Header lines spelled with a space after the comment (`# MISE`, `# USAGE`) or in
/// brackets (`// [MISE]`) are read, as mise 2026.9.15 reads them; vx read only
/// `#MISE` and `#USAGE`, so the task had no description and `--archive` was no
/// option. A line that does not start at the first column is no header, nor is a
/// `#USAGE` line after the spec's run of lines has ended (`--late` is no option of
/// the task: mise refuses it, "unexpected word"), as under mise.
#[test]
fn header_lines_with_a_space_after_the_comment_are_read_as_mise_reads_them() {
    let (work, dir) = project_with("mise.toml", "[tools]\n");
    executable(
        &dir.join("mise-tasks/verify"),
        "#!/bin/sh\n# MISE description=\"spaced header form\"\n# USAGE flag \"--archive <archive>\"\n\
         #  [MISE] alias=\"v\"\n  #MISE description=\"indented\"\n# a comment\n#USAGE flag \"--late <late>\"\n\
         echo \"archive=${usage_archive-unset} late=${usage_late-unset} args=$*\" >> log\n",
    );
    let (out, _) = vx_ok(&work, &dir, &["tasks"]);
    assert!(out.contains("spaced header form"), "{out}");
    assert!(!out.contains("indented"), "{out}");
    vx_ok(&work, &dir, &["run", "v", "--archive", "a.tgz"]);
    let (code, out, err) = vx_in(&work, &dir, &["run", "verify", "--late", "x"]);
    assert_ne!(code, 0, "{out}{err}");
    assert!(err.contains("--late"), "{err}");
    assert_eq!(log(&dir), "archive=a.tgz late=unset args=--archive a.tgz\n");
}

/// A `#MISE` line that is no `key = value` (tuist/tuist's `#MISE description "Deploy
/// cache with Kamal"`) is a usage line to mise, which warns that it cannot read the
/// spec and runs the task without it; vx left the task out ("not TOML", exit 2). Now
/// the task is listed and runs with the words as given, and the line is said, once,
/// sanitized, as what vx left out. So is a spec with `option`, which mise cannot read
/// in a file task either.
#[test]
fn a_header_line_mise_cannot_read_leaves_the_task_and_is_said() {
    let (work, dir) = project_with("mise.toml", "[tools]\n");
    executable(
        &dir.join("mise-tasks/deploy"),
        "#!/bin/sh\n#MISE description \"Deploy \u{1b}[31mcache\"\n#USAGE arg \"<x>\"\necho \"deploy $* x=${usage_x-unset}\" >> log\n",
    );
    executable(
        &dir.join("mise-tasks/opt"),
        "#!/bin/sh\n#USAGE option \"--x <x>\"\necho \"opt $* x=${usage_x-unset}\" >> log\n",
    );
    let (out, err) = vx_ok(&work, &dir, &["run"]);
    assert!(out.lines().any(|l| l.starts_with("deploy ")), "{out}");
    assert!(out.lines().any(|l| l.starts_with("opt ")), "{out}");
    assert!(
        err.contains("task deploy from") && err.contains("spec key description"),
        "{err}"
    );
    assert!(!err.contains('\u{1b}'), "sanitized: {err:?}");
    assert!(
        err.contains("task opt from") && err.contains("option"),
        "{err}"
    );
    vx_ok(&work, &dir, &["run", "deploy", "a"]);
    vx_ok(&work, &dir, &["run", "opt", "--x", "1"]);
    assert_eq!(log(&dir), "deploy a x=unset\nopt --x 1 x=unset\n");
}

/// An argument or flag not given (and with no default) leaves its `usage_NAME`
/// unset, as mise leaves it: paradox460/djot's fish task asks `set -q
/// usage_dry_run` to drop its `-o` output option, and under vx (which exported it
/// empty) dropped it always. Given, it is its value.
#[test]
fn a_usage_variable_not_given_is_unset_as_under_mise() {
    let (work, dir) = project_with("mise.toml", "[tools]\n");
    executable(
        &dir.join(".mise/tasks/gen"),
        "#!/bin/sh\n#USAGE flag \"-n --dry-run\"\n#USAGE flag \"--level <level>\"\n#USAGE arg \"[out]\"\n\
         echo \"dry=${usage_dry_run-unset} level=${usage_level-unset} out=${usage_out-unset}\" >> log\n",
    );
    vx_ok(&work, &dir, &["run", "gen"]);
    vx_ok(
        &work,
        &dir,
        &["run", "gen", "--dry-run", "--level", "3", "o"],
    );
    assert_eq!(
        log(&dir),
        "dry=unset level=unset out=unset\ndry=true level=3 out=o\n"
    );
}

/// A usage flag's short form is taken as mise takes it: `-n` for `flag "-n --dry-run"`,
/// clustered (`-nl 3`) and with an option's value joined (`-l3`); vx took `-n` for a
/// positional word ("`x` is one too many"). `--help` shows both forms.
#[test]
fn a_usage_flags_short_form_is_taken_as_mise_takes_it() {
    let (work, dir) = project_with("mise.toml", "[tools]\n");
    executable(
        &dir.join(".mise/tasks/gen"),
        "#!/bin/sh\n#USAGE flag \"-n --dry-run\" help=\"Print only\"\n#USAGE flag \"-l --level <level>\"\n\
         #USAGE arg \"[out]\"\necho \"dry=${usage_dry_run-unset} level=${usage_level-unset} out=${usage_out-unset}\" >> log\n",
    );
    vx_ok(&work, &dir, &["run", "gen", "-n", "x"]);
    vx_ok(&work, &dir, &["run", "gen", "-nl", "3", "y"]);
    vx_ok(&work, &dir, &["run", "gen", "-l3"]);
    assert_eq!(
        log(&dir),
        "dry=true level=unset out=x\ndry=true level=3 out=y\ndry=unset level=3 out=unset\n"
    );
    let (help, _) = vx_ok(&work, &dir, &["run", "gen", "--help"]);
    assert!(
        help.contains("-n, --dry-run") && help.contains("Print only"),
        "{help}"
    );
    let (code, _, err) = vx_in(&work, &dir, &["run", "gen", "-nz"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("task `gen` has no option -z"), "{err}");
}

/// An `[env]` entry's template sees the entries above it, as mise renders
/// `{{env.NAME}}` against the environment built so far (chezmoi-sh/kubevault's
/// `.mise.toml`: `KUBECONFIG = "{{env.DIRENV_LAYOUTDIR}}/kubernetes/…"` below
/// `DIRENV_LAYOUTDIR`); vx expanded it against the inherited environment alone and
/// gave `/kubernetes/…`. The same in vx.toml's `[env]`, for `vx env`, `vx exec` and
/// a task.
#[test]
fn an_env_template_sees_the_entries_above_it() {
    let (work, dir) = project_with(
        "mise.toml",
        "[env]\nLAYOUT = \"{{config_root}}/.direnv\"\nKUBECONFIG = \"{{env.LAYOUT}}/kube\"\n\n\
         [tasks.show]\nrun = \"echo $KUBECONFIG >> log\"\n",
    );
    let want = format!("{}/.direnv/kube", dir.canonicalize().unwrap().display());
    let (out, _) = vx_ok(&work, &dir, &["env", "--shell", "json"]);
    let env: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(env["KUBECONFIG"].as_str(), Some(want.as_str()), "{out}");
    vx_ok(&work, &dir, &["run", "show"]);
    assert_eq!(log(&dir), format!("{want}\n"));
    std::fs::remove_file(dir.join("mise.toml")).unwrap();
    std::fs::write(
        dir.join("vx.toml"),
        "[env]\nLAYOUT = \"{project}/.direnv\"\nKUBECONFIG = \"${LAYOUT}/kube\"\n",
    )
    .unwrap();
    let (out, _) = vx_ok(&work, &dir, &["exec", "--", "sh", "-c", "echo $KUBECONFIG"]);
    assert_eq!(out, format!("{want}\n"));
}

/// A task both in mise.toml and a file task, as mise 2026.9.15 keeps it: a block with
/// its own `run` is the task, the file not read, its alias neither (`mise run xx`:
/// "no task xx found"); vx ran the file (and took its alias). A block without a
/// command is laid over the file task (its description, its aliases added); vx left
/// such a block out ("neither `run`, `file` nor `depends`") and with it its alias. One
/// with neither, and no file task under it, is still no task.
#[test]
fn a_task_both_in_mise_toml_and_a_file_is_kept_as_mise_keeps_it() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.x]\ndescription = \"toml desc\"\nalias = \"t\"\nrun = \"echo toml >> log\"\n\n\
         [tasks.lint]\ndescription = \"lints from toml\"\nalias = \"l\"\n\n\
         [tasks.bare]\ndescription = \"nothing\"\n",
    );
    executable(
        &dir.join("mise-tasks/x"),
        "#!/bin/sh\n#MISE description=\"file desc\"\n#MISE alias=[\"xx\"]\necho file >> log\n",
    );
    executable(
        &dir.join("mise-tasks/lint"),
        "#!/bin/sh\n#MISE description=\"lints from the file\"\n#MISE alias=\"li\"\necho file-lint >> log\n",
    );
    let (out, err) = vx_ok(&work, &dir, &["tasks"]);
    assert!(
        out.contains("toml desc") && !out.contains("file desc"),
        "{out}"
    );
    assert!(out.contains("lints from toml"), "{out}");
    assert!(!out.contains("bare"), "{out}");
    assert!(err.contains("skipped task bare"), "{err}");
    vx_ok(&work, &dir, &["run", "x"]);
    vx_ok(&work, &dir, &["run", "t"]);
    vx_ok(&work, &dir, &["run", "l"]);
    vx_ok(&work, &dir, &["run", "li"]);
    assert_eq!(log(&dir), "toml\ntoml\nfile-lint\nfile-lint\n");
    let (code, out, err) = vx_in(&work, &dir, &["run", "xx"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("no task `xx`"), "{err}");
}

/// Issue 79, item 4: an optional argument given nothing is no word at all, as mise
/// renders it (`--tag {{option(name="tag")}}` is `--tag`, the command one argument
/// fewer); vx gave the command an empty word (`''`).
#[test]
fn an_optional_argument_given_nothing_renders_nothing() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.count]\nusage = 'arg \"[name]\"'\nrun = 'set -- {{option(name=\"tag\")}} {{usage.name}}; echo \"$#\" >> log'\n",
    );
    vx_ok(&work, &dir, &["run", "count"]);
    vx_ok(&work, &dir, &["run", "count", "--tag", "v1", "n"]);
    assert_eq!(log(&dir), "0\n2\n");
}

/// Issue 79, item 4: a dependency that fails is named as the failed task, as mise
/// names it; a dependency with arguments (run first, by a nested `vx run`) left only
/// the task that asked for it named.
#[test]
fn a_failing_dependency_is_named_as_the_failed_task() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.gen]\nrun = \"exit 3\"\n\n[tasks.build]\ndepends = [\"gen --all\"]\nrun = \"echo built >> log\"\n",
    );
    let (code, out, err) = vx_in(&work, &dir, &["run", "build"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(err.contains("task `gen` failed: exit status 3"), "{err}");
    assert!(!dir.join("log").exists(), "{err}");
}

/// `sh meet.sh FILE` waits (at most 30 s) for FILE, which a sibling task makes, and
/// fails saying so when it never comes: a task that runs it finishes only when the
/// sibling runs at the same time.
const MEET: &str = "i=0; while [ ! -f \"$1\" ]; do i=$((i+1)); \
                    if [ $i -gt 600 ]; then echo \"never met $1\" >&2; exit 1; fi; sleep 0.05; done\n";

/// The project of the defect: `lint` depends on `other` and on `check --test`, whose
/// commands each wait for the other's file (so they pass only when they run at
/// once); `check` then exits `status`.
fn lint_with_check_test(status: u8) -> (Work, PathBuf) {
    let (work, dir) = project_with(
        "mise.toml",
        format!(
            "[tasks.check]\nusage = 'flag \"--test\"'\n\
             run = 'touch check.up; sh meet.sh other.up; echo \"check test=${{usage_test:-}}\"; exit {status}'\n\n\
             [tasks.other]\nrun = 'touch other.up; sh meet.sh check.up; echo other'\n\n\
             [tasks.lint]\ndepends = [\"other\", \"check --test\"]\nrun = \"echo lint\"\n"
        ),
    );
    std::fs::write(dir.join("meet.sh"), MEET).unwrap();
    (work, dir)
}

/// A dependency with arguments (`depends = ["other", "check --test"]`) is a task of
/// the run of its own, as mise 2026.9.15 runs it: beside `other` (each of the two
/// waits for the other's file, so both pass only when they run at once), its lines
/// after `[check] `, before `lint`. vx ran it as `lint`'s first command, `"$VX" run
/// check --test`, after `other` had finished (here: `other` never met it and failed),
/// its lines without a prefix.
#[test]
fn a_dependency_with_arguments_runs_as_its_own_task_beside_its_siblings() {
    let (work, dir) = lint_with_check_test(0);
    let (out, err) = vx_ok(&work, &dir, &["run", "lint"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.contains(&"[check] check test=true"), "{out}{err}");
    assert!(lines.contains(&"[other] other"), "{out}{err}");
    assert_eq!(lines.last(), Some(&"[lint] lint"), "{out}{err}");
    assert_eq!(lines.len(), 3, "{out}{err}");
    // The plan shows it by its name and words, beside `other`.
    let (out, err) = vx_ok(&work, &dir, &["run", "--dry-run", "lint"]);
    assert!(out.contains("check --test"), "{out}{err}");
    assert!(out.contains("after other, check --test"), "{out}{err}");
}

/// A dependency with arguments that fails is named as the task that failed, as mise
/// names it (`[check] ERROR task failed`, exit 3): `vx: task `check` failed: exit
/// status 3`, `lint` not started. vx said ``task `lint` failed: command 1 of 2
/// exited with status 3``, a command the user never wrote.
#[test]
fn a_failing_dependency_with_arguments_is_named_as_its_task() {
    let (work, dir) = lint_with_check_test(3);
    let (code, out, err) = vx_in(&work, &dir, &["run", "lint"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(err.contains("task `check` failed: exit status 3"), "{err}");
    assert!(
        err.contains("cancelled `lint` (not started): `check` failed"),
        "{err}"
    );
    assert!(!err.contains("command 1 of"), "{err}");
    assert!(out.contains("[check] check test=true"), "{out}");
    assert!(!out.contains("lint"), "{out}");
}

/// The project of the labels' tests: `setup` (`sh setup.sh`, its words appended, as
/// mise appends them) says its word and `Z`, and fails with exit 3 for the word `b`.
const SETUP_NODES: &str = r#"[tasks.setup]
run = "sh setup.sh"

[tasks.two]
depends = ["setup a", "setup c", "Z=1 setup", "setup"]
run = "echo two"

[tasks.one]
depends = ["setup a"]
run = "echo one"

[tasks.bad]
depends = ["setup a", "setup b"]
run = "echo bad"
"#;

/// Two nodes of one task are told apart in the run's lines and notes, as mise
/// 2026.9.15 tells them apart (`mise run two`: `[setup a] ran a Z=`, `[setup c] ran c
/// Z=`, and `[setup]` for both `setup` and `Z=1 setup`): by their words when the run
/// holds the task more than once, by their variables too when only those differ
/// (`[Z=1 setup]`, where mise shows `[setup]` twice), and a task in the run once by
/// its name alone (`[setup]` for a lone `setup a`, as mise). A failure and what it
/// cancelled name the node. vx prefixed every node `[setup]` and said ``task `setup`
/// failed``.
#[test]
fn nodes_of_one_task_are_told_apart_in_the_runs_lines_and_notes() {
    let (work, dir) = project_with("mise.toml", SETUP_NODES);
    let script = "echo \"ran${1:+ $1} Z=${Z-}\"; [ \"${1-}\" != b ] || exit 3\n";
    std::fs::write(dir.join("setup.sh"), script).unwrap();
    let (out, err) = vx_ok(&work, &dir, &["run", "-j", "4", "two"]);
    let mut lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.pop(), Some("[two] two"), "{out}{err}");
    lines.sort_unstable();
    assert_eq!(
        lines,
        [
            "[Z=1 setup] ran Z=1",
            "[setup a] ran a Z=",
            "[setup c] ran c Z=",
            "[setup] ran Z=",
        ],
        "{out}{err}"
    );
    let (out, err) = vx_ok(&work, &dir, &["run", "--output", "prefix", "one"]);
    assert_eq!(out, "[setup] ran a Z=\n[one] one\n", "{err}");
    let (code, out, err) = vx_in(&work, &dir, &["run", "-j", "4", "bad"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.contains("[setup b] ran b Z=\n"), "{out}");
    assert!(
        err.contains("vx: task `setup b` failed: exit status 3"),
        "{err}"
    );
    assert!(
        err.contains("`bad` (not started): `setup b` failed"),
        "{err}"
    );
}

/// A `depends_post` entry with arguments is a task of the run of its own after the
/// task, beside a plain `depends` on the same task before it, as mise 2026.9.15 runs
/// `depends = ["check"]` with `depends_post = ["check x"]`: `check`, `lint`, then
/// `check x` (its words appended to its command, as mise appends them).
#[test]
fn a_post_dependency_with_arguments_runs_after_the_task() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.check]\nrun = 'echo \"check $*\" >> log'\n\n\
         [tasks.lint]\ndepends = [\"check\"]\ndepends_post = [\"check x\"]\nrun = \"echo lint >> log\"\n",
    );
    vx_ok(&work, &dir, &["run", "lint"]);
    assert_eq!(log(&dir), "check \nlint\ncheck  x\n");
}

/// A dependency whose arguments are the task's own usage values (firezone's
/// `rust/tests/fuzz/mise-tasks/fuzz.sh`: `#MISE depends=["unpack {{usage.target}}"]`
/// with `#USAGE arg "<target>"`) runs with the values given, as mise renders it
/// (mise 2026.9.15: `mise run fuzz t1` runs `unpack t1`, then `fuzz t1`); vx left
/// `fuzz` out and exited 2. The words given to a task are its own, not its
/// dependency's: `vx run build extra` made the dependency's command a syntax error.
#[test]
fn a_dependency_with_the_tasks_usage_values_runs_with_them() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.gen]\nrun = \"echo gen >> log\"\n\n[tasks.build]\ndepends = [\"gen --all\"]\nrun = \"echo built >> log\"\n",
    );
    executable(
        &dir.join("mise-tasks/fuzz"),
        "#!/bin/sh\n#MISE depends=[\"unpack {{usage.target}}\"]\n#USAGE arg \"<target>\"\necho \"fuzz $usage_target\" >> log\n",
    );
    executable(
        &dir.join("mise-tasks/unpack"),
        "#!/bin/sh\n#USAGE arg \"<target>\"\necho \"unpack $usage_target\" >> log\n",
    );
    let (out, _) = vx_ok(&work, &dir, &["run"]);
    assert!(out.lines().any(|l| l.starts_with("fuzz ")), "{out}");
    vx_ok(&work, &dir, &["run", "fuzz", "t1"]);
    vx_ok(&work, &dir, &["run", "build", "extra"]);
    assert_eq!(log(&dir), "unpack t1\nfuzz t1\ngen --all\nbuilt extra\n");
    let (code, out, err) = vx_in(&work, &dir, &["run", "fuzz"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("target"), "{err}");
}

/// mise's other forms of a dependency (jdx/mise, src/task/task_dep.rs): a table with
/// `task`, `args`, `env` and `optional`, and a list of a name and its words. vx
/// left each such task out ("`depends` lists strings", exit 2). As mise 2026.9.15
/// runs them: `{ task = "a", args = ["q"], env = { Z = "1" } }` runs `a q` with
/// `Z=1` first; an optional glob matching a task depends on it, one matching none is
/// no dependency (the task runs); `vx import` writes the optional one only where it
/// matches.
#[test]
fn a_dependency_table_with_args_env_and_optional_runs_as_mise_runs_it() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.\"web:clean\"]\nrun = \"echo web-clean >> log\"\n\n\
         [tasks.a]\nrun = 'echo a \"Z=${Z-unset}\" >> log'\n\n\
         [tasks.t2]\ndepends = [{ task = \"*:clean\", optional = true }, { task = \"gone\", optional = true }]\nrun = \"echo t2 >> log\"\n\n\
         [tasks.dobj]\ndepends = [{ task = \"a\", args = [\"q\"], env = { Z = \"1\" } }]\nrun = \"echo dobj >> log\"\n\n\
         [tasks.arr]\ndepends_post = [[\"a\", \"r s\"]]\nrun = \"echo arr >> log\"\n",
    );
    let (out, err) = vx_ok(&work, &dir, &["run"]);
    for task in ["t2", "dobj", "arr"] {
        assert!(
            out.lines().any(|l| l.starts_with(task)),
            "{task}: {out}{err}"
        );
    }
    vx_ok(&work, &dir, &["run", "t2"]);
    vx_ok(&work, &dir, &["run", "dobj"]);
    vx_ok(&work, &dir, &["run", "arr"]);
    assert_eq!(
        log(&dir),
        "web-clean\nt2\na Z=1 q\ndobj\narr\na Z=unset r s\n"
    );
    vx_ok(&work, &dir, &["import", "mise.toml"]);
    let written = std::fs::read_to_string(dir.join("vx.toml")).unwrap();
    let t2 = written.lines().find(|l| l.starts_with("t2 ")).unwrap();
    assert!(t2.contains(r#"depends = ["*:clean"]"#), "{written}");
    assert!(!t2.contains("gone"), "{written}");
}

/// Variables before a dependency's name (`"NODE_ENV=test setup"`) are its
/// environment, as mise splits the string (mise 2026.9.15 runs `setup` with
/// `NODE_ENV=test`); vx took `NODE_ENV=test` for a task name and failed. Variables
/// without a task are refused, said, as mise refuses them.
#[test]
fn variables_before_a_dependencys_name_are_its_environment() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.setup]\nrun = 'echo \"setup NODE_ENV=${NODE_ENV-unset} $*\" >> log'\n\n\
         [tasks.t1]\ndepends = [\"NODE_ENV=test setup 'a b'\"]\nrun = \"echo t1 >> log\"\n\n\
         [tasks.bad]\ndepends = [\"A=1 B=2\"]\nrun = \"echo bad >> log\"\n",
    );
    let (_, err) = vx_ok(&work, &dir, &["run", "t1"]);
    assert_eq!(log(&dir), "setup NODE_ENV=test  a b\nt1\n");
    assert!(
        err.contains("skipped task bad")
            && err.contains("`A=1 B=2`: a dependency with variables and no task"),
        "{err}"
    );
}

/// Issue 79, item 5: `[task_templates]` and a task's `extends` (mise 2026.9): the
/// task's own fields, then the template's; maps (`env`) merged, lists (`depends`)
/// and `run` the task's when it has them, as mise's `merge_template` has it.
#[test]
fn a_mise_task_extends_its_template() {
    let (work, dir) = project_with(
        "mise.toml",
        "[task_templates.cargo]\ndescription = \"from the template\"\nenv = { A = \"t\", B = \"t\" }\ndepends = [\"prep\"]\nrun = 'echo \"tmpl $A $B\" >> log'\n\n[tasks.prep]\nrun = \"echo prep >> log\"\n\n[tasks.build]\nextends = \"cargo\"\nenv = { B = \"own\" }\n\n[tasks.lint]\nextends = \"cargo\"\ndepends = []\nrun = 'echo \"own $A\" >> log'\n",
    );
    let (out, err) = vx_ok(&work, &dir, &["tasks"]);
    assert!(out.contains("from the template"), "{out}{err}");
    assert!(!err.contains("extends"), "{err}");
    vx_ok(&work, &dir, &["run", "build"]);
    vx_ok(&work, &dir, &["run", "lint"]);
    assert_eq!(log(&dir), "prep\ntmpl t own\nown t\n");
}

/// Issue 79, item 5: mise's `[daemons.NAME]` (mise 2026.9) is a service of vx's: its
/// `run`, its readiness by `ready_port`, and a task's `daemons = ["NAME"]` starts
/// after it is ready (the task connects to it); `auto` is said as left out, a
/// `preset` as not honoured, each once.
#[test]
fn a_mise_daemon_is_a_service_its_tasks_wait_for() {
    let port = crate::common::net::free_port();
    let (work, dir) = project_with(
        "mise.toml",
        format!(
            "[daemons.api]\nrun = \"exec python3 -c 'import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((\\\"127.0.0.1\\\", {port})); s.listen(); time.sleep(300)'\"\nready_port = {port}\nauto = true\n\n[daemons.db]\npreset = \"postgres\"\n\n[tasks.check]\ndaemons = [\"api\"]\nrun = \"python3 -c 'import socket; socket.create_connection((\\\"127.0.0.1\\\", {port}))' && echo reached >> log\"\n"
        ),
    );
    let (code, out, err) = vx_in(&work, &dir, &["run", "--output", "prefix", "check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(log(&dir), "reached\n", "{err}");
    assert_eq!(err.matches("auto").count(), 1, "{err}");
    assert!(err.contains("preset `postgres`"), "{err}");
}

/// Issue 79, item 7: a task runs once per run, as mise runs it, however the run reaches
/// it. `ci` depends on `gen` and its `run` step `{ task = "test" }` runs `test`, which
/// depends on `gen` too: the nested `vx run` that step becomes saw nothing of the outer
/// run and wrote `gen` a second time. A nested run of `gen` alone (a lone task, run in
/// the foreground) does not run it again either; a run started anew does.
#[test]
fn a_dependency_the_outer_run_ran_is_not_run_again_by_a_nested_run() {
    let (work, dir) = project_with(
        "mise.toml",
        r#"[tasks.gen]
run = "echo gen >> log"

[tasks.test]
depends = ["gen"]
run = "echo test >> log"

[tasks.ci]
depends = ["gen"]
run = [{ task = "test" }, { task = "gen" }, "echo ci >> log"]
"#,
    );
    vx_ok(&work, &dir, &["run", "ci"]);
    assert_eq!(log(&dir), "gen\ntest\nci\n");
    vx_ok(&work, &dir, &["run", "ci"]);
    assert_eq!(log(&dir), "gen\ntest\nci\ngen\ntest\nci\n");
}

/// Each entry of a project read in place passes the checks vx.toml's parser gives it,
/// one by one: a variable vx.toml refuses (`PATH`, which vx builds; a value whose
/// `${` never closes), a `_.path` leaving the project and a task vx.toml refuses cost
/// only themselves, each said with its file and line, and the rest runs (the whole
/// project failed to load: the entries were written as one vx.toml text and parsed
/// together).
#[test]
fn an_entry_vx_toml_refuses_costs_only_itself() {
    let (work, dir) = project_with(
        "mise.toml",
        concat!(
            "[env]\n",
            "PATH = \"/opt/bin\"\n",
            "OPEN = \"${NOT_CLOSED\"\n",
            "GREETING = \"hello\"\n",
            "_.path = [\"bin\", \"../outside\"]\n",
            "\n",
            "[tasks.greet]\n",
            "run = \"echo $GREETING > log\"\n",
            "\n",
            "[tasks.stray]\n",
            "run = \"echo stray\"\n",
            "sources = [\"../elsewhere/*\"]\n",
        ),
    );
    let (_, err) = vx_ok(&work, &dir, &["run", "greet"]);
    assert_eq!(log(&dir), "hello\n");
    for said in [
        "skipped env PATH from mise.toml:2: [env]: `PATH` cannot be set by a project",
        "skipped env OPEN from mise.toml:3: env.OPEN:",
        "skipped path ../outside from mise.toml:5:",
        "skipped task stray from mise.toml:10: tasks.stray.sources: \"../elsewhere/*\" must stay inside the project directory",
    ] {
        assert!(err.contains(said), "{said:?} missing: {err}");
    }
    let (listed, _) = vx_ok(&work, &dir, &["run"]);
    assert!(listed.lines().any(|l| l.starts_with("greet")), "{listed}");
    assert!(!listed.contains("stray"), "{listed}");
}

/// A task the project read in place does not have is said in the project's directory,
/// not in whichever file made it a project: a `.nvmrc` beside a package.json was named
/// as where the tasks were (`no task \`nope\` in …/.nvmrc`).
#[test]
fn an_unknown_task_names_the_project_directory_not_its_version_file() {
    let (work, dir) = project_with(".nvmrc", "20.11.1\n");
    std::fs::write(
        dir.join("package.json"),
        r#"{"scripts": {"build": "true"}}"#,
    )
    .unwrap();
    let (code, _, stderr) = vx_in(&work, &dir, &["run", "nope"]);
    assert_eq!(code, 2, "{stderr}");
    let said = format!("no task `nope` in {}; `vx run` lists them", dir.display());
    assert!(stderr.contains(&said), "{stderr}");
    let (work, dir) = project_with("mise.toml", "[tools]\n");
    let (code, _, stderr) = vx_in(&work, &dir, &["run", "nope"]);
    assert_eq!(code, 2, "{stderr}");
    let said = format!("no task `nope` in {}; it has no tasks", dir.display());
    assert!(stderr.contains(&said), "{stderr}");
}

/// `outputs = { auto = true }` (mise's documented form: no files named, the task
/// skipped while its `sources` are as at its last success) is read as a task with
/// `sources` and no `outputs`: it runs, is up to date while `src/` is as it was, and
/// runs again after an edit. (vx refused the task: "`outputs` is a string or a list of
/// strings".)
#[test]
fn auto_outputs_skip_the_task_while_its_sources_are_unchanged() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.build]\nrun = \"echo built >> log\"\nsources = [\"src/**\"]\noutputs = { auto = true }\n",
    );
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/a.txt"), "one\n").unwrap();
    vx_ok(&work, &dir, &["run", "build"]);
    let (_, err) = vx_ok(&work, &dir, &["run", "build"]);
    assert_eq!(log(&dir), "built\n", "skipped: {err}");
    std::fs::write(dir.join("src/a.txt"), "two\n").unwrap();
    vx_ok(&work, &dir, &["run", "build"]);
    assert_eq!(log(&dir), "built\nbuilt\n");
}

/// A task whose command reads where `vx run` started (`{{cwd}}`) keeps a result per
/// place: started from `sub/` after a run from the project's root, it runs (its output
/// names `sub`) instead of being up to date with the root's; back at the root, the
/// root's result is restored. The place is in the key as a path from the project, so
/// a clone elsewhere shares its results.
#[test]
fn a_task_that_reads_its_cwd_is_keyed_by_where_the_run_started() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.where]\nrun = \"echo ran >> {{config_root}}/log; mkdir -p {{config_root}}/out && echo {{cwd}} > {{config_root}}/out/cwd.txt\"\n\
         sources = [\"src/**\"]\noutputs = [\"out/**\"]\n",
    );
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("src/a.txt"), "one\n").unwrap();
    let written = || std::fs::read_to_string(dir.join("out/cwd.txt")).unwrap();
    let real = dir.canonicalize().unwrap();
    vx_ok(&work, &dir, &["run", "where"]);
    vx_ok(&work, &dir.join("sub"), &["run", "where"]);
    assert_eq!(log(&dir), "ran\nran\n", "ran again from sub/");
    assert_eq!(written().trim(), real.join("sub").display().to_string());
    let (out, _) = vx_ok(&work, &dir, &["run", "where", "--explain-key"]);
    assert!(out.contains(r#""VX_CWD": ".""#), "{out}");
    vx_ok(&work, &dir, &["run", "where"]);
    assert_eq!(log(&dir), "ran\nran\n", "restored, not run");
    assert_eq!(written().trim(), real.display().to_string());
}

/// mise gives every task `MISE_ORIGINAL_CWD` (where `mise run` started),
/// `MISE_TASK_DIR` and, for a file task, `MISE_TASK_FILE` (checked with mise
/// 2026.9.15: run from `sub/`, a mise.toml task sees `MISE_ORIGINAL_CWD=<project>/sub`
/// and `MISE_TASK_DIR=<project>`; `mise-tasks/ci/check` sees `MISE_TASK_DIR=<project>/mise-tasks/ci`
/// and `MISE_TASK_FILE=<project>/mise-tasks/ci/check`). A script that reads them ran
/// with them empty under vx. The task that reads where the run started is keyed by it:
/// run again from elsewhere, it runs again.
#[test]
fn a_task_reading_mises_own_variables_gets_them_and_is_keyed_by_where_the_run_started() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.where]\nrun = 'echo \"$MISE_ORIGINAL_CWD|$MISE_TASK_DIR\" > \"$MISE_CONFIG_ROOT/out/where.txt\"; echo ran >> \"$MISE_CONFIG_ROOT/log\"'\n\
         sources = [\"src/**\"]\noutputs = [\"out/**\"]\n",
    );
    for sub in ["src", "sub", "out", "mise-tasks/ci"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    std::fs::write(dir.join("src/a.txt"), "one\n").unwrap();
    let check = dir.join("mise-tasks/ci/check");
    executable(
        &check,
        "#!/bin/sh\necho \"$MISE_ORIGINAL_CWD|$MISE_TASK_DIR|$MISE_TASK_FILE\"\n",
    );
    let real = dir.canonicalize().unwrap();
    let shown = |p: &std::path::Path| p.display().to_string();
    let written = || std::fs::read_to_string(dir.join("out/where.txt")).unwrap();

    vx_ok(&work, &dir.join("sub"), &["run", "where"]);
    assert_eq!(
        written().trim(),
        format!("{}|{}", shown(&real.join("sub")), shown(&dir))
    );
    vx_ok(&work, &dir, &["run", "where"]);
    assert_eq!(log(&dir), "ran\nran\n", "ran again from the project");
    assert_eq!(
        written().trim(),
        format!("{}|{}", shown(&real), shown(&dir))
    );
    vx_ok(&work, &dir.join("sub"), &["run", "where"]);
    assert_eq!(log(&dir), "ran\nran\n", "sub/'s result restored, not run");
    assert_eq!(
        written().trim(),
        format!("{}|{}", shown(&real.join("sub")), shown(&dir))
    );

    let (out, _) = vx_ok(&work, &dir.join("sub"), &["run", "ci:check"]);
    assert!(
        out.contains(&format!(
            "{}|{}|{}",
            shown(&real.join("sub")),
            shown(&dir.join("mise-tasks/ci")),
            shown(&check)
        )),
        "{out}"
    );
}

/// mise gives a task of a mise file `MISE_TASK_FILE`, the file it is defined in
/// (checked with mise 2026.9.15: `<project>/mise.toml`, `<project>/mise.local.toml`,
/// `<project>/tasks.toml` for a task of `[task_config] includes`), and a task whose
/// `file` is a script that script (`<project>/scripts/x.sh`); vx gave it to file
/// tasks only, so `echo $MISE_TASK_FILE` printed an empty line. Its key holds the file
/// from the project (`{project}/mise.toml`), never this machine's path.
#[test]
fn a_mise_file_task_gets_the_file_it_is_defined_in() {
    let (work, dir) = project_with(
        "mise.toml",
        "[task_config]\nincludes = [\"tasks.toml\"]\n\n\
         [tasks.a]\nrun = 'echo \"a=$MISE_TASK_FILE\"'\n\n\
         [tasks.f]\nfile = \"scripts/x.sh\"\n",
    );
    executable(
        &dir.join("scripts/x.sh"),
        "#!/bin/sh\necho \"f=$MISE_TASK_FILE\"\n",
    );
    let (out, _) = vx_ok(&work, &dir, &["run", "f"]);
    assert_eq!(out, format!("f={}\n", dir.join("scripts/x.sh").display()));
    std::fs::write(
        dir.join("tasks.toml"),
        "[inc]\nrun = 'echo \"inc=$MISE_TASK_FILE\"'\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("mise.local.toml"),
        "[tasks.loc]\nrun = 'echo \"loc=$MISE_TASK_FILE\"'\n",
    )
    .unwrap();
    let shown = |name: &str| dir.join(name).display().to_string();
    let (out, err) = vx_ok(&work, &dir, &["run", "a"]);
    assert_eq!(out, format!("a={}\n", shown("mise.toml")), "{err}");
    let (out, _) = vx_ok(&work, &dir, &["run", "inc"]);
    assert_eq!(out, format!("inc={}\n", shown("tasks.toml")));
    let (out, _) = vx_ok(&work, &dir, &["run", "loc"]);
    assert_eq!(out, format!("loc={}\n", shown("mise.local.toml")));
    let (document, _) = vx_ok(&work, &dir, &["run", "a", "--explain-key"]);
    assert!(
        document.contains(r#""MISE_TASK_FILE": "{project}/mise.toml""#),
        "{document}"
    );
    assert!(!document.contains(&shown("mise.toml")), "{document}");
}

/// `[task_config] dir` and `shell` are the defaults of every task of the file that
/// sets neither itself (its `[tasks]`, its file tasks), as mise 2026.9.15 runs them:
/// `dir = "{{cwd}}"` runs them where `vx run` started, `shell = "bash -c"` runs
/// their lines under bash (a bash array, which `sh` refuses). vx left both out,
/// silently: the tasks ran in the project directory, under `sh`. A task's own `dir`
/// stays its own; a file task is started by its `#!` line.
#[test]
fn task_config_dir_and_shell_are_every_tasks_defaults() {
    let (work, dir) = project_with(
        "mise.toml",
        "[task_config]\ndir = \"{{cwd}}\"\nshell = \"bash -c\"\n\n\
         [tasks.where]\nrun = \"pwd -P >> {{config_root}}/log\"\n\n\
         [tasks.own]\ndir = \"{{config_root}}\"\nrun = \"pwd -P >> log\"\n\n\
         [tasks.arr]\nrun = 'arr=(1 2); echo \"n=${arr[1]}\" >> {{config_root}}/log'\n",
    );
    executable(
        &dir.join("mise-tasks/file"),
        "#!/bin/sh\npwd -P >> \"$MISE_CONFIG_ROOT/log\"\n",
    );
    let sub = dir.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    let sub_real = sub.canonicalize().unwrap();
    let dir_real = dir.canonicalize().unwrap();
    for task in ["where", "own", "arr", "file"] {
        let (code, out, err) = vx_in(&work, &sub, &["run", task]);
        assert_eq!(code, 0, "{task}: {out}{err}");
    }
    assert_eq!(
        log(&dir),
        format!(
            "{}\n{}\nn=2\n{}\n",
            sub_real.display(),
            dir_real.display(),
            sub_real.display()
        )
    );
}

/// mise's `shell` (checked with mise 2026.9.15): `shell = "bash -c"` runs the task's
/// lines under bash (`[[`, which `sh` lacks), without its default shell's `-o
/// errexit` (a failing line does not stop the next); vx read it as left out and ran
/// them under `sh`. `vx import` writes it as vx.toml's `shell`.
#[test]
fn a_mise_tasks_shell_runs_its_lines_as_mise_runs_them() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.b]\nshell = \"bash -c\"\nrun = \"\"\"\nfalse\n[[ -n $BASH_VERSION ]] && echo under-bash\n\"\"\"\n",
    );
    let (out, err) = vx_ok(&work, &dir, &["run", "b"]);
    assert_eq!(out, "under-bash\n", "{err}");
    assert!(!err.contains("shell"), "not said as left out: {err}");

    vx_ok(&work, &dir, &["import", "mise.toml"]);
    let written = std::fs::read_to_string(dir.join("vx.toml")).unwrap();
    assert!(written.contains(r#"shell = ["bash", "-c"]"#), "{written}");
    std::fs::remove_file(dir.join("mise.toml")).unwrap();
    let (out, err) = vx_ok(&work, &dir, &["run", "b"]);
    assert_eq!(out, "under-bash\n", "{err}");
}

/// mise's `run_windows`, read in place: here (not Windows) `run` runs; `vx import`
/// writes it as vx.toml's `run_windows`, which Windows runs instead
/// (tests/it/windows_tasks.rs).
#[test]
fn a_mise_tasks_run_windows_is_kept_for_windows() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.t]\nrun = \"echo unix\"\nrun_windows = \"echo windows\"\n",
    );
    let (out, err) = vx_ok(&work, &dir, &["run", "t"]);
    assert_eq!(out, "unix\n", "{err}");
    assert!(!err.contains("run_windows"), "not said as left out: {err}");
    vx_ok(&work, &dir, &["import", "mise.toml"]);
    let written = std::fs::read_to_string(dir.join("vx.toml")).unwrap();
    assert!(
        written.contains(r#"run_windows = "echo windows""#),
        "{written}"
    );
}

/// mise's `timeout` (checked with mise 2026.9.15: `timeout = "1s"` on a task that
/// sleeps fails it, "timed out after 1s", exit 1), read in place (`"1h30m"` too); one
/// that is no duration is said as left out, and the task runs without it.
#[test]
fn a_mise_tasks_timeout_fails_it_as_mise_does() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.slow]\ntimeout = \"1s\"\nrun = \"echo start; sleep 60; echo end\"\n\
         [tasks.long]\ntimeout = \"1h30m\"\nrun = \"echo long\"\n\
         [tasks.odd]\ntimeout = \"soon\"\nrun = \"echo odd\"\n",
    );
    let (code, out, err) = vx_in(&work, &dir, &["run", "slow"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("timed out after 1s"), "{err}");
    assert!(out.contains("start") && !out.contains("end"), "{out}");
    assert!(
        err.contains("`timeout = \"soon\"`"),
        "said as left out, once: {err}"
    );
    assert!(!err.contains("1h30m"), "{err}");
    // A lone task: its line as mise prints it, no `[long] ` before it.
    let (out, err) = vx_ok(&work, &dir, &["run", "long"]);
    assert_eq!(out, "long\n", "{err}");
    let (out, err) = vx_ok(&work, &dir, &["run", "odd"]);
    assert_eq!(out, "odd\n", "{err}");
}

/// A lone mise task that the runner runs (its `sources` and `outputs`) prints its lines
/// as `mise run` prints them (checked with mise 2026.9.15: `hello` on stdout, `err` on
/// stderr, no `[build] ` before them), when it runs, is up to date, is forced and
/// fails; vx's own lines stay on stderr.
#[test]
fn a_lone_mise_task_with_sources_prints_its_lines_as_mise_does() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.build]\nrun = \"echo hello; echo err >&2; touch out.o\"\n\
         sources = [\"*.txt\"]\noutputs = [\"out.o\"]\n\
         [tasks.bad]\nrun = \"echo half; echo broken >&2; exit 2\"\nsources = [\"*.txt\"]\n",
    );
    std::fs::write(dir.join("in.txt"), "x\n").unwrap();
    let (out, err) = vx_ok(&work, &dir, &["run", "build"]);
    assert_eq!(out, "hello\n");
    assert!(err.starts_with("err\nvx: `build` kept (key "), "{err}");
    let (out, err) = vx_ok(&work, &dir, &["run", "build"]);
    assert_eq!(
        (out.as_str(), err.as_str()),
        ("", "vx: `build` is up to date\n")
    );
    let (out, err) = vx_ok(&work, &dir, &["run", "--force", "build"]);
    assert_eq!(out, "hello\n");
    assert!(err.starts_with("err\nvx: `build` kept (key "), "{err}");
    let (code, out, err) = vx_in(&work, &dir, &["run", "bad"]);
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(out, "half\n");
    assert_eq!(err, "broken\nvx: task `bad` failed: exit status 2\n");
}

/// A mise task's `sources` written with braces (jdx/usage's `build` has
/// `{cli/,}src/**/*.rs`), read in place: `--explain-key` lists the files they name,
/// and an edit of one runs the task again, as under mise 2026.9.15. (The braces
/// matched no file: the key held none and the task stayed up to date.) A glob that
/// cannot be read is said where the task is, and the task is not run as if it matched
/// nothing.
#[test]
fn a_mise_tasks_brace_glob_sources_name_their_files_and_an_edit_runs_it_again() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.build]\nsources = ['{src,lib}/*.rs', '{cli/,}app/**/*.rs']\n\
         outputs = ['out.txt']\nrun = 'echo built >> log; touch out.txt'\n\
         [tasks.odd]\nsources = ['{src,lib/*.rs']\nrun = 'echo odd >> log'\n",
    );
    for file in [
        "src/a.rs",
        "lib/b.rs",
        "app/c.rs",
        "cli/app/d.rs",
        "doc/e.rs",
    ] {
        std::fs::create_dir_all(dir.join(file).parent().unwrap()).unwrap();
        std::fs::write(dir.join(file), file).unwrap();
    }
    let (out, _) = vx_ok(&work, &dir, &["run", "--explain-key", "build"]);
    let all: serde_json::Value = serde_json::from_str(&out).unwrap();
    let sources: Vec<&String> = all["build"]["document"]["sources"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        sources,
        ["app/c.rs", "cli/app/d.rs", "lib/b.rs", "src/a.rs"],
        "{out}"
    );
    vx_ok(&work, &dir, &["run", "build"]);
    let (_, err) = vx_ok(&work, &dir, &["run", "build"]);
    assert!(err.contains("`build` is up to date"), "{err}");
    for (file, built) in [("src/a.rs", 2), ("cli/app/d.rs", 3), ("doc/e.rs", 3)] {
        std::fs::write(dir.join(file), "edited").unwrap();
        vx_ok(&work, &dir, &["run", "build"]);
        assert_eq!(log(&dir).lines().count(), built, "after editing {file}");
    }
    let (code, out, err) = vx_in(&work, &dir, &["run", "odd"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains(
            r#"`odd` is a task of mise.toml that vx cannot run as written (`sources`: "{src,lib/*.rs" is not a glob vx can read: a `{` is never closed"#
        ),
        "{err}"
    );
    assert!(!log(&dir).contains("odd"));
}

/// A bare `$VAR` in a mise project's `[env]` (and a task's `env`), read in place, is
/// expanded as mise 2026.9.15 expands it by default (`env_shell_expand`): the
/// environment's value or an entry's above it, `$$` one `$`, an unset variable kept
/// as written, `$1` and `$(…)` themselves; the task's key holds the template and the
/// SHA-256 of the value, never the value. `vx import` writes the same into vx.toml.
/// (`C1 = "$BASE/x"` was the text `$BASE/x`.)
#[test]
fn a_bare_variable_in_a_mise_env_is_expanded_as_mise_expands_it() {
    let (work, dir) = project_with(
        "mise.toml",
        r#"[env]
C1 = "$BASE/x"
C2 = "${BASE}/y"
C3 = "$C1+$$BASE $$ $1 $(x) $NOT_SET_ANYWHERE/z"
[tasks.show]
env = { T1 = "$C1/t" }
run = 'echo "C1=$C1 C2=$C2"; echo "C3=$C3"; echo "T1=$T1"'
"#,
    );
    let with_base = |base: &'static str| {
        move |cmd: &mut assert_cmd::Command| {
            cmd.env("BASE", base).env_remove("NOT_SET_ANYWHERE");
        }
    };
    let expected = "C1=/b/x C2=/b/y\nC3=/b/x+$BASE $ $1 $(x) $NOT_SET_ANYWHERE/z\nT1=/b/x/t\n";
    let (code, out, err) = vx_in_with(&work, &dir, &["run", "show"], with_base("/b"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, expected, "{err}");
    let key = |base: &'static str| {
        let (code, out, err) = vx_in_with(
            &work,
            &dir,
            &["run", "--explain-key", "show"],
            with_base(base),
        );
        assert_eq!(code, 0, "{err}");
        let all: serde_json::Value = serde_json::from_str(&out).unwrap();
        all["show"].clone()
    };
    let (b, c) = (key("/b"), key("/c"));
    let c1 = b["document"]["env"]["C1"].as_str().unwrap();
    assert!(c1.starts_with("${BASE-$BASE}/x (value sha256:"), "{b}");
    assert!(
        !b.to_string().contains("/b/x"),
        "the value is never written: {b}"
    );
    assert_ne!(b["key"], c["key"], "another value, another key");

    vx_ok(&work, &dir, &["import", "mise.toml"]);
    std::fs::remove_file(dir.join("mise.toml")).unwrap();
    let (code, out, err) = vx_in_with(&work, &dir, &["run", "show"], with_base("/b"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, expected, "from vx.toml: {err}");
}

/// A reference's word that names a variable (`${CACHE:-$HOME/.cache}`, the usual
/// fallback for an XDG directory) is that variable's value: in a mise project read in
/// place, as mise 2026.9.15 gives it (an unset one kept as written), and in vx.toml
/// (`${CACHE:-${HOME}/.cache}`) as a shell gives it. (They were the texts
/// `$BASE/.cache` and `${BASE}/y`.) A word nested past vx's bound is refused where the
/// file is read, never expanded without end.
#[test]
fn a_defaults_variable_is_expanded_as_mise_and_a_shell_expand_it() {
    let (work, dir) = project_with(
        "mise.toml",
        r#"[env]
D1 = "${NOT_SET_ANYWHERE:-$BASE/.cache}"
D2 = "${NOT_SET_ANYWHERE:-${BASE}/y}"
D3 = "${NOT_SET_ANYWHERE:-$NOT_SET_EITHER}"
D4 = "${BASE:-$NOT_SET_EITHER}"
[tasks.show]
run = 'echo "D1=$D1 D2=$D2 D3=$D3 D4=$D4"'
"#,
    );
    let with_base = |cmd: &mut assert_cmd::Command| {
        cmd.env("BASE", "/b")
            .env_remove("NOT_SET_ANYWHERE")
            .env_remove("NOT_SET_EITHER");
    };
    let expected = "D1=/b/.cache D2=/b/y D3=$NOT_SET_EITHER D4=/b\n";
    let (code, out, err) = vx_in_with(&work, &dir, &["run", "show"], with_base);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, expected, "{err}");

    std::fs::remove_file(dir.join("mise.toml")).unwrap();
    std::fs::write(
        dir.join("vx.toml"),
        r#"[env]
D1 = "${NOT_SET_ANYWHERE:-${BASE}/.cache}"
D2 = "${NOT_SET_ANYWHERE:-{project}/${BASE:+set}}"
[tasks.show]
run = 'echo "D1=$D1 D2=$D2"'
"#,
    )
    .unwrap();
    let (code, out, err) = vx_in_with(&work, &dir, &["run", "show"], with_base);
    assert_eq!(code, 0, "{err}");
    let project = dir.canonicalize().unwrap();
    assert_eq!(
        out,
        format!("D1=/b/.cache D2={}/set\n", project.display()),
        "{err}"
    );

    let deep = format!("{}x{}", "${A:-".repeat(40), "}".repeat(40));
    std::fs::write(dir.join("vx.toml"), format!("[env]\nD = \"{deep}\"\n")).unwrap();
    let (code, _, err) = vx_in_with(&work, &dir, &["env"], with_base);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("more than 8 deep"), "{err}");
}

/// A variadic argument after other arguments and flags takes every positional word
/// left, as mise 2026.9.15 gives it (jdx/mise's `xtasks/test-tool-retry.py`: `flag
/// "--grace-period"` and `arg "<tools>..."`; firezone's `grow.sh`: `arg "<target>"` and
/// `arg "[libfuzzer_args]…" var=#true`), a flag among its words still a flag, a word
/// that is no option of the task one of its words; a required one given none fails the
/// task with exit 1, as mise fails it. vx refused every word ("takes 0 positional
/// arguments"), and ran the task without its required words.
#[test]
fn a_variadic_argument_after_other_arguments_and_flags_takes_the_words_left() {
    let (work, dir) = project_with("mise.toml", "");
    executable(
        &dir.join("mise-tasks/retry"),
        "#!/usr/bin/env bash\n#USAGE flag \"--grace-period\"\n#USAGE arg \"<tools>...\"\n\
         echo \"tools=[${usage_tools-UNSET}] grace=[${usage_grace_period-UNSET}]\"\n",
    );
    executable(
        &dir.join("mise-tasks/grow"),
        "#!/usr/bin/env bash\n#USAGE arg \"<target>\"\n#USAGE arg \"[libfuzzer_args]…\" var=#true\n\
         echo \"target=${usage_target-UNSET} extra=[${usage_libfuzzer_args-UNSET}]\"\n",
    );
    for (args, said) in [
        (
            &["retry", "node", "python"][..],
            "tools=[node python] grace=[UNSET]",
        ),
        (
            &["retry", "node", "--grace-period", "python"],
            "tools=[node python] grace=[true]",
        ),
        (
            &["retry", "node", "--x", "y"],
            "tools=[node --x y] grace=[UNSET]",
        ),
        (&["retry", "--", "--x"], "tools=[--x] grace=[UNSET]"),
        (
            &["grow", "t1", "-runs=5", "x"],
            "target=t1 extra=['-runs=5' x]",
        ),
        (&["grow", "t1"], "target=t1 extra=[UNSET]"),
    ] {
        let (out, err) = vx_ok(&work, &dir, &[&["run"], args].concat());
        assert_eq!(out, format!("{said}\n"), "{args:?}: {err}");
    }
    for (task, argument) in [("retry", "tools"), ("grow", "target")] {
        let (code, out, err) = vx_in(&work, &dir, &["run", task]);
        assert_eq!((code, out.as_str()), (1, ""), "{task}: {err}");
        assert!(err.contains(&format!("`{argument}`")), "{err}");
    }
    // A variadic argument named `args`, a name vx keeps for every word given (`{{args}}`)
    // but for a variadic argument (the tester's reduction of an `update` task).
    executable(
        &dir.join("mise-tasks/update"),
        "#!/usr/bin/env bash\n#USAGE arg \"[args]\" var=#true help=\"Additional arguments\"\n\
         set -euo pipefail\nupdate_args=()\n\
         if [ -n \"${usage_args:-}\" ]; then eval \"update_args=(${usage_args})\"; fi\n\
         printf '<%s>' \"${update_args[@]}\"; echo \" n=${#update_args[@]}\"\n",
    );
    for (args, said) in [(&["a b", "c"][..], "<a b><c> n=2"), (&[], "<> n=0")] {
        let (out, err) = vx_ok(&work, &dir, &[&["run", "update"], args].concat());
        assert_eq!(out, format!("{said}\n"), "{args:?}: {err}");
    }
    let (help, _) = vx_ok(&work, &dir, &["run", "grow", "--help"]);
    assert!(
        help.contains("Usage: vx run grow <target> [libfuzzer_args]..."),
        "{help}"
    );
}

/// A flag that names its value in a block (aaronmallen/dir_spec's `tasks/test`: `flag
/// "--filter" { arg "<filter>" }`) takes a value, as mise gives it: `--filter foo` and
/// `--filter=foo` are `$usage_filter=foo`, none leaves it unset. vx took it for an
/// on/off flag ("`foo` is one too many", "--filter takes no value").
#[test]
fn a_usage_flag_whose_block_names_its_value_takes_one() {
    let (work, dir) = project_with("mise.toml", "");
    executable(
        &dir.join("mise-tasks/test"),
        "#!/usr/bin/env sh\n#USAGE flag \"--filter\" help=\"Filter tests by name\" {\n#USAGE   arg \"<filter>\"\n#USAGE }\n\
         echo \"filter=[${usage_filter-UNSET}]\"\n",
    );
    for (args, said) in [
        (&["--filter", "foo"][..], "filter=[foo]"),
        (&["--filter=foo"], "filter=[foo]"),
        (&[], "filter=[UNSET]"),
    ] {
        let (out, err) = vx_ok(&work, &dir, &[&["run", "test"], args].concat());
        assert_eq!(out, format!("{said}\n"), "{args:?}: {err}");
    }
    let (help, _) = vx_ok(&work, &dir, &["run", "test", "--help"]);
    assert!(help.contains("[--filter <VALUE>]"), "{help}");
}

/// `--flag=VALUE` on a usage flag: mise 2026.9.15 takes any value as the flag given
/// (`mise run t --verbose=false` gives `$usage_verbose` `true`). vx takes `=true` and
/// `=1` as mise does, and refuses a value that says otherwise (`=false`, `=0`) rather
/// than run with the flag on against what was written: a mise task fails with exit
/// 1 as mise's usage errors do, nothing run. vx refused every value ("--verbose of
/// task `t` takes no value", exit 2).
#[test]
fn a_flag_given_true_or_1_is_on_and_a_value_saying_off_is_refused() {
    let (work, dir) = project_with(
        "mise.toml",
        r#"[tasks.t]
usage = 'flag "-v --verbose"'
run = 'echo "v=${usage_verbose-UNSET}" >> log'
"#,
    );
    vx_ok(&work, &dir, &["run", "t", "--verbose=true"]);
    vx_ok(&work, &dir, &["run", "t", "--verbose=1"]);
    vx_ok(&work, &dir, &["run", "t"]);
    for value in ["false", "0"] {
        let word = format!("--verbose={value}");
        let (code, out, err) = vx_in(&work, &dir, &["run", "t", &word]);
        assert_eq!(code, 1, "{word}: {out}{err}");
        assert!(err.contains("it takes `=true` or `=1`"), "{err}");
    }
    assert_eq!(log(&dir), "v=true\nv=true\nv=UNSET\n");
}

/// A flag mise requires (`flag "-y --yes" required=#true`, the guard a destructive
/// task puts before itself) is required by vx too: without it the run fails with exit 1,
/// as under mise 2026.9.15 ("Missing required flag: --yes"), and nothing runs; with
/// it the task runs. `vx import` writes `required = true`, which vx.toml reads the same
/// (exit 2 there, as any argument of vx.toml's missing).
/// (The task ran without it.)
#[test]
fn a_flag_mise_requires_must_be_given_before_anything_runs() {
    let (work, dir) = project_with(
        "mise.toml",
        r#"[tasks.reset]
usage = 'flag "-y --yes" required=#true'
run = 'echo reset > done.txt; echo yes=$usage_yes'
"#,
    );
    let refused = |work: &Work, dir: &Path, exit: i32| {
        let (code, out, err) = vx_in(work, dir, &["run", "reset"]);
        assert_eq!(code, exit, "{out}{err}");
        assert!(err.contains("needs its argument `--yes`"), "{err}");
        assert!(!dir.join("done.txt").exists(), "nothing ran");
    };
    refused(&work, &dir, 1);
    let (out, _) = vx_ok(&work, &dir, &["run", "reset", "-y"]);
    assert_eq!(out, "yes=true\n");

    std::fs::remove_file(dir.join("done.txt")).unwrap();
    vx_ok(&work, &dir, &["import", "mise.toml"]);
    std::fs::remove_file(dir.join("mise.toml")).unwrap();
    let manifest = std::fs::read_to_string(dir.join("vx.toml")).unwrap();
    assert!(manifest.contains("required = true"), "{manifest}");
    refused(&work, &dir, 2);
    let (out, _) = vx_ok(&work, &dir, &["run", "reset", "--yes"]);
    assert_eq!(out, "yes=true\n", "from vx.toml");
}

/// Words a mise task's usage does not take fail the task as mise 2026.9.15 fails them,
/// with exit 1 and nothing run (`mise run t a -vz`: "unexpected word: -vz"; `-vh`,
/// its help inside a cluster, the usage as an error; `--zz`, a word too many, an
/// option without its value and a missing argument alike); vx exited 2 for all but
/// the missing argument. The same task imported into vx.toml keeps vx's exit 2.
#[test]
fn words_a_mise_tasks_usage_does_not_take_fail_with_exit_1_as_under_mise() {
    let (work, dir) = project_with(
        "mise.toml",
        r#"[tasks.t]
usage = '''
arg "<x>"
flag "-v --verbose"
flag "-n --name <name>"
'''
run = 'echo ran > done.txt'
"#,
    );
    let refused = [
        (&["a", "-vh"][..], "no option -h"),
        (&["a", "-vz"], "no option -z"),
        (&["a", "--zz"], "no option --zz"),
        (&["a", "b"], "`b` is one too many"),
        (&["a", "--name"], "--name of task `t` needs a value"),
        (&[], "needs its argument `x`"),
    ];
    let check = |exit: i32| {
        for (args, said) in refused {
            let (code, out, err) = vx_in(&work, &dir, &[&["run", "t"], args].concat());
            assert_eq!(code, exit, "{args:?}: {out}{err}");
            assert!(err.contains(said), "{args:?}: {err}");
            assert!(!dir.join("done.txt").exists(), "{args:?}: nothing ran");
        }
    };
    check(1);
    vx_ok(&work, &dir, &["import", "mise.toml"]);
    std::fs::remove_file(dir.join("mise.toml")).unwrap();
    check(2);
    vx_ok(&work, &dir, &["run", "t", "a", "-v"]);
    assert!(dir.join("done.txt").exists());
}

/// usage's values as mise 2026.9.15 gives them: a flag's `default=#false`/`#true` is
/// `false`/`true` (vx gave the text `#false`), `default=""` sets the variable empty (vx
/// left it unset, and `set -u` failed), a counted flag is its count (`-vvv`: 3, not
/// `true`), a `negate` word turns its flag off (vx refused `--no-on`); a declared flag
/// not given is `false` where `{{flag()}}` names it (vx rendered `''`).
#[test]
fn usage_defaults_counts_and_negations_are_the_values_mise_gives() {
    let (work, dir) = project_with(
        "mise.toml",
        r#"[tasks.f]
usage = '''
flag "--check" default=#false
flag "--on" default=#true negate="--no-on"
flag "-v --verbose" count=#true
flag "--name <text>" default=""
flag "-g --go"
'''
run = 'echo "check=${usage_check-UNSET} on=${usage_on-UNSET} verbose=${usage_verbose-UNSET} name=[${usage_name-UNSET}] go=${usage_go-UNSET} {{flag(name="go")}}"'
[tasks.acc]
usage = 'arg "<version>" default=""'
run = 'set -u; echo "v=[${usage_version}]"'
"#,
    );
    for (args, said) in [
        (
            &["f"][..],
            "check=false on=true verbose=UNSET name=[] go=UNSET false",
        ),
        (
            &["f", "-vvv"],
            "check=false on=true verbose=3 name=[] go=UNSET false",
        ),
        (
            &["f", "--no-on", "-g"],
            "check=false on=false verbose=UNSET name=[] go=true true",
        ),
        (
            &["f", "--check", "-v", "--verbose", "--name", "n"],
            "check=true on=true verbose=2 name=[n] go=UNSET false",
        ),
        (&["acc"], "v=[]"),
    ] {
        let (out, err) = vx_ok(&work, &dir, &[&["run"], args].concat());
        assert_eq!(out, format!("{said}\n"), "{args:?}: {err}");
    }
}

/// An argument's or flag's `env="VAR"` gives its value when it is not given, before its
/// default, as mise gives it (grafana/oats' `.mise/tasks/test`: `arg "[profile]"
/// env="COVERAGE_PROFILE"`): from vx's environment, the project's `[env]` or the task's
/// `env`, even set empty (an on/off flag on when it is `1` or `true`, else off); the
/// task's key holds the variable and the value's hash, never the value. vx ignored it.
#[test]
fn a_usage_env_variable_gives_the_value_and_its_hash_keys_the_task() {
    let (work, dir) = project_with(
        "mise.toml",
        r#"[env]
AWS_REGION = "eu-central-1"
[tasks.test]
usage = 'arg "[profile]" env="COVERAGE_PROFILE" default="coverage.out"'
run = 'echo "profile=${usage_profile}"'
[tasks.region]
usage = 'flag "--region <region>" env="AWS_REGION" default="us-east-1"'
run = 'echo "region=${usage_region}"'
[tasks.own]
env = { PROFILE = "own.out" }
usage = '''
arg "<profile>" env="PROFILE"
flag "--fast" env="FAST"
'''
run = 'echo "profile=${usage_profile} fast=${usage_fast-UNSET}"'
"#,
    );
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let (code, out, err) = vx_in_with(&work, &dir, &[&["run"], args].concat(), |cmd| {
            cmd.env_remove("COVERAGE_PROFILE").env_remove("FAST");
            for (name, value) in env {
                cmd.env(name, value);
            }
        });
        assert_eq!(code, 0, "{args:?}: {out}{err}");
        out
    };
    let profile = [("COVERAGE_PROFILE", "env.out")];
    assert_eq!(run(&["test"], &profile), "profile=env.out\n");
    assert_eq!(run(&["test", "given.out"], &profile), "profile=given.out\n");
    assert_eq!(run(&["test"], &[]), "profile=coverage.out\n");
    assert_eq!(run(&["test"], &[("COVERAGE_PROFILE", "")]), "profile=\n");
    assert_eq!(
        run(&["region"], &[("AWS_REGION", "x")]),
        "region=eu-central-1\n"
    );
    assert_eq!(run(&["region", "--region", "y"], &[]), "region=y\n");
    assert_eq!(
        run(&["own"], &[("PROFILE", "p")]),
        "profile=own.out fast=UNSET\n"
    );
    assert_eq!(
        run(&["own"], &[("FAST", "1")]),
        "profile=own.out fast=true\n"
    );
    assert_eq!(
        run(&["own"], &[("FAST", "yes")]),
        "profile=own.out fast=false\n"
    );
    // The key: the variable and the value's SHA-256, never the value.
    let keyed = |value: &str| run(&["test", "--explain-key"], &[("COVERAGE_PROFILE", value)]);
    let document = keyed("s3cr3t-value");
    assert!(!document.contains("s3cr3t-value"), "{document}");
    let hash = {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(b"s3cr3t-value");
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let said = format!("\"VX_ARG_PROFILE\": \"${{COVERAGE_PROFILE}} (value sha256:{hash})\"");
    assert!(document.contains(&said), "{document}");
    let key = |document: &str| {
        let json: serde_json::Value = serde_json::from_str(document).unwrap();
        json["test"]["key"].as_str().unwrap().to_owned()
    };
    assert_ne!(key(&document), key(&keyed("other")));
}

/// A `.toml` file in a task directory holds TOML tasks, as mise 2026.9.15 reads
/// railwayapp/railpack's `.mise/tasks/images.toml` (not executable): each top-level
/// table a task, listed and run, beside the directory's file tasks. Before, vx read
/// only the executables, and `vx run image-build` said there was no such task.
#[test]
fn a_toml_file_in_a_task_directory_holds_tasks_as_mise_reads_it() {
    let (work, dir) = project_with("mise.toml", "[vars]\ntag = \"v1\"\n");
    std::fs::create_dir_all(dir.join(".mise/tasks")).unwrap();
    std::fs::write(
        dir.join(".mise/tasks/images.toml"),
        "[image-build]\ndescription = \"Build the image\"\nrun = \"echo built {{vars.tag}} >> log\"\n\n[image-push]\ndepends = [\"image-build\"]\nrun = \"echo pushed >> log\"\n",
    )
    .unwrap();
    executable(
        &dir.join(".mise/tasks/lint"),
        "#!/bin/sh\necho linted >> log\n",
    );
    let (listed, _) = vx_ok(&work, &dir, &["tasks", "ls"]);
    assert!(
        listed.contains("image-build") && listed.contains("Build the image"),
        "{listed}"
    );
    assert!(
        listed.contains("image-push") && listed.contains("lint"),
        "{listed}"
    );
    vx_ok(&work, &dir, &["run", "image-push"]);
    vx_ok(&work, &dir, &["run", "lint"]);
    assert_eq!(log(&dir), "built v1\npushed\nlinted\n");
}

/// A task directory of a directory below the project, between it and where vx runs,
/// holds tasks over the project's of the same name, each run in that directory, as
/// mise 2026.9.15 reads the task directories of every directory from where it runs
/// up: kiarina/kiarina-python's `packages/<package>/.mise/tasks/package/current`, run
/// from the package, is the package's. Before, vx ran the root's task from anywhere,
/// and a package's own task was no task.
#[test]
fn a_task_directory_below_the_project_holds_tasks_run_from_there() {
    let (work, dir) = project_with("mise.toml", "[tasks.hello]\nrun = \"echo hello >> log\"\n");
    executable(
        &dir.join(".mise/tasks/which"),
        "#!/bin/sh\necho root >> \"$MISE_PROJECT_ROOT/log\"\n",
    );
    executable(
        &dir.join("pkg/a/.mise/tasks/which"),
        "#!/bin/sh\n#MISE description=\"the package's\"\necho \"a in $(basename \"$PWD\") $(basename \"$MISE_CONFIG_ROOT\")\" >> ../../log\n",
    );
    executable(
        &dir.join("pkg/mise-tasks/only-pkg"),
        "#!/bin/sh\necho only-pkg >> ../log\n",
    );
    let deep = dir.join("pkg/a/src");
    std::fs::create_dir_all(&deep).unwrap();
    vx_ok(&work, &dir, &["run", "which"]);
    vx_ok(&work, &dir.join("pkg/a"), &["run", "which"]);
    vx_ok(&work, &deep, &["run", "which"]);
    vx_ok(&work, &deep, &["run", "only-pkg"]);
    vx_ok(&work, &deep, &["run", "hello"]);
    let (listed, _) = vx_ok(&work, &dir.join("pkg/a"), &["tasks", "ls"]);
    assert!(listed.contains("the package's"), "{listed}");
    let (code, _, err) = vx_in(&work, &dir, &["run", "only-pkg"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(log(&dir), "root\na in a a\na in a a\nonly-pkg\nhello\n");
}

/// usage's `double_dash="automatic"` on an argument: after its first word, every word
/// is its own, an option's name too, as mise 2026.9.15 runs railwayapp/railpack's
/// `retry`: `retry echo --attempts 5` retries `echo --attempts 5`. Before, vx left the
/// key out and read `--attempts 5` as the task's option, so it ran `echo` alone.
#[test]
fn an_argument_with_automatic_double_dash_takes_the_words_after_it() {
    let (work, dir) = project_with("mise.toml", "");
    executable(
        &dir.join(".mise/tasks/retry"),
        "#!/usr/bin/env bash\n#USAGE flag \"--attempts <attempts>\" default=\"3\"\n#USAGE arg \"<command>\" var=#true double_dash=\"automatic\"\necho \"attempts=$usage_attempts command=$usage_command\" >> log\n",
    );
    let (_, err) = vx_ok(&work, &dir, &["run", "retry", "echo", "--attempts", "5"]);
    assert!(!err.contains("double_dash"), "{err}");
    vx_ok(
        &work,
        &dir,
        &["run", "retry", "--attempts", "2", "echo", "-n"],
    );
    assert_eq!(
        log(&dir),
        "attempts=3 command=echo --attempts 5\nattempts=2 command=echo -n\n"
    );
}

/// A task with mise's `raw_args = true` gets its words as they are, `--help` too, as
/// mise 2026.9.15 runs matcra587/slack-cli's `run` and `fmt:file`: `vx run cli --help`
/// runs the command with `--help`. Before, vx left the key out and printed the task's
/// help instead, running nothing.
#[test]
fn a_raw_args_task_gets_help_as_a_word() {
    let (work, dir) = project_with(
        "mise.toml",
        "[tasks.cli]\nraw_args = true\nrun = \"echo cli >> log\"\n\n[tasks.cliu]\nraw_args = true\nusage = 'arg \"[x]\"'\nrun = \"echo cliu >> log\"\n\n[tasks.plain]\nrun = \"echo plain >> log\"\n",
    );
    let (_, err) = vx_ok(&work, &dir, &["run", "cli", "--help"]);
    assert!(!err.contains("raw_args"), "{err}");
    vx_ok(&work, &dir, &["run", "cli", "-h", "x"]);
    vx_ok(&work, &dir, &["run", "cliu", "a", "--help"]);
    let (help, _) = vx_ok(&work, &dir, &["run", "plain", "--help"]);
    assert!(help.contains("Usage"), "{help}");
    assert_eq!(log(&dir), "cli --help\ncli -h x\ncliu a --help\n");
}

/// mise's `{{ read_file(path=…) }}` in `[env]` (railwayapp/railpack's
/// `RAILPACK_MISE_VERSION`-like pins), as mise 2026.9.15 gives it (`mise env`): the
/// file's whole text, its newline kept (`| trim` drops it), its `$HOME` expanded, the
/// path read from the config file's directory (`.config/mise/config.toml`'s `v` is
/// `.config/mise/v`). vx skipped such a variable ("mise's template … vx's [env]
/// knows …"). A file outside the project, or a FIFO, is refused with why and the
/// rest of the environment still applies; nothing hangs.
#[test]
fn read_file_in_env_gives_the_files_text_as_mise_does() {
    let (work, dir) = project_with(
        "mise.toml",
        "[env]\nPIN = \"{{read_file(path='.mise-version')}}\"\n\
         TRIMMED = \"[{{ read_file(path=\\\"sub/v\\\") | trim }}]\"\n\
         HOMED = \"{{read_file(path='h')}}\"\n\
         OUT = \"{{read_file(path='../outside')}}\"\n\
         PIPE = \"{{read_file(path='fifo')}}\"\n\
         KEPT = \"yes\"\n",
    );
    std::fs::write(dir.join(".mise-version"), "1.2.3\n").unwrap();
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/v"), "  sub\n\n").unwrap();
    std::fs::write(dir.join("h"), "$HOME/x").unwrap();
    std::fs::write(dir.join("../outside"), "secret\n").unwrap();
    let fifo = dir.join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let (out, err) = vx_ok(&work, &dir, &["env", "--shell", "json"]);
    let env: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(env["PIN"].as_str(), Some("1.2.3\n"), "{out}");
    assert_eq!(env["TRIMMED"].as_str(), Some("[sub]"), "{out}");
    let home = std::env::var("HOME").unwrap();
    assert_eq!(env["HOMED"].as_str(), Some(format!("{home}/x").as_str()));
    assert_eq!(env["KEPT"].as_str(), Some("yes"));
    assert!(
        env.get("OUT").is_none() && env.get("PIPE").is_none(),
        "{out}"
    );
    assert!(!out.contains("secret"), "{out}");
    assert!(
        err.contains("env OUT") && err.contains("not inside the project"),
        "{err}"
    );
    assert!(
        err.contains("env PIPE") && err.contains("a FIFO, not a regular file"),
        "{err}"
    );
    // A config kept in `.config/mise/` reads beside itself.
    let (work, dir) = project_with(
        ".config/mise/config.toml",
        "[env]\nA = \"{{read_file(path='v')}}\"\n",
    );
    std::fs::write(dir.join("v"), "root\n").unwrap();
    std::fs::write(dir.join(".config/mise/v"), "inner\n").unwrap();
    let (out, _) = vx_ok(&work, &dir, &["env", "--shell", "json"]);
    let env: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(env["A"].as_str(), Some("inner\n"), "{out}");
}

/// A `depends` glob with `/` reads it as a group's end, as mise 2026.9.15 does
/// (`mise run --jobs 1 all` runs `lint:a`, `lint:b`, then `all`; `lint/**` takes
/// `lint:b:deep` too); vx skipped the task ("`lint/*` is not a task name or a glob of
/// them"). A plain `lint/a` is no task to mise either (`task not found: lint/a`).
#[test]
fn a_depends_glob_with_a_slash_is_read_as_mise_reads_it() {
    let (work, dir) = project_with(
        "mise.toml",
        r#"[tasks."lint:a"]
run = "echo lint-a >> log"
[tasks."lint:b"]
run = "echo lint-b >> log"
[tasks."lint:b:deep"]
run = "echo deep >> log"
[tasks.all]
depends = ["lint/*"]
run = "echo all >> log"
[tasks.every]
depends = [{ task = "lint/**" }]
run = "echo every >> log"
"#,
    );
    vx_ok(&work, &dir, &["run", "-j", "1", "all"]);
    assert_eq!(log(&dir), "lint-a\nlint-b\nall\n");
    std::fs::remove_file(dir.join("log")).unwrap();
    let (_, err) = vx_ok(&work, &dir, &["run", "-j", "1", "every"]);
    assert_eq!(log(&dir), "lint-a\nlint-b\ndeep\nevery\n", "{err}");
    assert!(!err.contains("skipped"), "{err}");
}

/// `vx tasks ls` (and `vx tasks`, `--json`, `vx run` alone) lists a mise project's
/// tasks by name, as
/// `mise tasks ls` 2026.9.15 sorts them (by bytes: `Beta`, `_under`, `a10`, `a9`, …,
/// `m`, `m-a`, `m:b`), its file tasks (`.mise/tasks/`, `mise-tasks/`) among the
/// others; vx listed them in file order, the file tasks last. A vx.toml's tasks keep
/// the file's order.
#[test]
fn vx_tasks_ls_lists_a_mise_projects_tasks_by_name_as_mise_does() {
    let toml: String = [
        "zeta", "alpha", "\"m:b\"", "Beta", "\"m-a\"", "m", "_under", "a10", "a9",
    ]
    .iter()
    .map(|name| format!("[tasks.{name}]\nrun = \"echo\"\n"))
    .collect();
    let (work, dir) = project_with("mise.toml", &toml);
    for file in [
        ".mise/tasks/cfile",
        ".mise/tasks/bfile",
        "mise-tasks/aaa",
        "mise-tasks/db/migrate",
        "mise-tasks/yfile",
    ] {
        executable(&dir.join(file), "#!/bin/sh\necho hi\n");
    }
    let mise_lists = [
        "Beta",
        "_under",
        "a10",
        "a9",
        "aaa",
        "alpha",
        "bfile",
        "cfile",
        "db:migrate",
        "m",
        "m-a",
        "m:b",
        "yfile",
        "zeta",
    ];
    let names = |listed: &str| -> Vec<String> {
        listed
            .lines()
            .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
            .collect()
    };
    let (listed, err) = vx_ok(&work, &dir, &["tasks", "ls"]);
    assert_eq!(names(&listed), mise_lists, "{listed}{err}");
    assert_eq!(vx_ok(&work, &dir, &["tasks"]).0, listed);
    assert_eq!(
        vx_ok(&work, &dir, &["run"]).0,
        listed,
        "`vx run` alone alike"
    );
    let (json, _) = vx_ok(&work, &dir, &["tasks", "ls", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let json_names: Vec<&str> = (json.as_array().unwrap().iter())
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(json_names, mise_lists);

    std::fs::remove_file(dir.join("mise.toml")).unwrap();
    std::fs::write(
        dir.join("vx.toml"),
        "[tasks]\nzeta = \"echo\"\nalpha = \"echo\"\n",
    )
    .unwrap();
    let (listed, _) = vx_ok(&work, &dir, &["tasks", "ls"]);
    assert_eq!(names(&listed), ["zeta", "alpha"], "vx.toml's own order");
    assert_eq!(vx_ok(&work, &dir, &["run"]).0, listed);
}

/// What vx leaves out of a file task (a `#MISE` key it has no counterpart for) is
/// said with the file the task comes from (`task quiet from .mise/tasks/quiet: …`),
/// as a `[tasks]` block's is said with its line of mise.toml; vx said "from
/// mise.toml", a file that holds no such task. A file task vx skips, and a task of an
/// included TOML file, are named by their file too.
#[test]
fn a_file_tasks_note_names_its_own_file() {
    let (work, dir) = project_with("mise.toml", "[tasks.x]\nrun = \"echo x\"\nsilent = true\n");
    executable(
        &dir.join(".mise/tasks/quiet"),
        "#!/bin/sh\n#MISE silent=true\necho hi\n",
    );
    executable(
        &dir.join(".mise/tasks/broken"),
        "#!/bin/sh\n#MISE depends=[1]\necho hi\n",
    );
    std::fs::write(
        dir.join(".mise/tasks/more.toml"),
        "[images]\nrun = \"echo i\"\nraw = true\n",
    )
    .unwrap();
    let (_, err) = vx_ok(&work, &dir, &["tasks", "ls"]);
    for said in [
        "task x from mise.toml:1: vx has no counterpart for silent: left out",
        "task quiet from .mise/tasks/quiet: vx has no counterpart for silent: left out",
        "skipped task broken from .mise/tasks/broken: ",
        "task images from .mise/tasks/more.toml:1: vx has no counterpart for raw: left out",
    ] {
        assert!(err.contains(said), "{said}: {err}");
    }
    assert!(!err.contains("quiet from mise.toml"), "{err}");
}

/// A cycle through a dependency with arguments (`a` depends on `"b x"`, `b` on `a`) is
/// taken as a cycle of names is, when mise.toml is read: the task closing it is
/// skipped, said with the path and its words (`a → b x → a`), and left out of the
/// list; the other tasks run. vx listed `b` and found the cycle only in a run's plan.
#[test]
fn a_cycle_through_a_dependency_with_arguments_is_said_when_mise_toml_is_read() {
    for (depends, path) in [("b x", "a → b x → a"), ("b", "a → b → a")] {
        let (work, dir) = project_with(
            "mise.toml",
            format!(
                "[tasks.a]\nrun = \"touch ran-a\"\ndepends = [\"{depends}\"]\n\n\
                 [tasks.b]\nrun = \"touch ran-b\"\ndepends = [\"a\"]\n\n\
                 [tasks.c]\nrun = \"touch ran-c\"\n"
            ),
        );
        let said = format!(
            "skipped task b from mise.toml:5: the tasks' dependencies form a cycle: {path}"
        );
        // Said once, at the first command that reads the file; every run of `a` fails.
        let (code, out, err) = vx_in(&work, &dir, &["run", "a"]);
        assert_eq!(code, 2, "{depends}: {out}{err}");
        assert!(err.contains(&said), "{depends}: {err}");
        let (code, out, err) = vx_in(&work, &dir, &["run", "--dry-run", "a"]);
        assert_eq!(code, 2, "{depends}: {out}{err}");
        assert!(
            err.contains("task `b` (needed by a) does not exist"),
            "{err}"
        );
        let (out, err) = vx_ok(&work, &dir, &["tasks", "ls"]);
        let listed: Vec<&str> = (out.lines())
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        assert_eq!(listed, ["a", "c"], "{depends}: {out}{err}");
        assert!(!dir.join("ran-a").exists() && !dir.join("ran-b").exists());
        vx_ok(&work, &dir, &["run", "c"]);
        assert!(dir.join("ran-c").exists(), "{depends}");
    }
}
