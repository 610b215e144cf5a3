//! Project files vx must not take for the user's (issue 78, items 3 and 5): another
//! local user's `mise.toml` or `vx.toml` in a world-writable sticky directory above the
//! user's work (the system's temporary directory), another user's files beside the
//! user's own project there, and a clone's includes, task directories and env files
//! linked out of the project. Each attacker's step is made as the attacker makes it:
//! "another user's" file is a file chowned to `nobody` (65534), which needs root (the
//! tests run as root, as CI does); vx then runs as root, whose own files stay its
//! project (root aside: as git, vx takes root's files).
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::common::Work;

/// The uid of `nobody`: another user than the one the tests run as.
const NOBODY: u32 = 65534;

/// A world-writable sticky directory in `work`, as `/tmp` is: where another user can
/// put files next to the user's.
fn shared(work: &Work) -> PathBuf {
    let dir = work.dir.path().join("shared");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o1777)).unwrap();
    dir
}

/// Writes `text` to `path` as another user's file; `false` (the test has nothing to
/// show) where this process may not give a file away (not root).
fn theirs(path: &Path, text: &str) -> bool {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    let given = std::os::unix::fs::chown(path, Some(NOBODY), Some(NOBODY)).is_ok();
    if !given {
        eprintln!(
            "skipped: cannot chown {} to {NOBODY} (not root)",
            path.display()
        );
    }
    given
}

/// `vx ARGS` in `dir`, the hook's state cleared: exit code, stdout, stderr.
fn vx_in(work: &Work, dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = work
        .vx()
        .current_dir(dir)
        .env_remove("__VX_STATE")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The attack of issue 78, item 3: another user writes a `mise.toml` into the shared
/// temporary directory; every directory below it took it for its project (`vx exec`
/// ran with the other user's `LD_PRELOAD`, `vx run` listed and ran their tasks, the
/// hook applied it at `cd`). The walk up now stops at it and says so, once; the same
/// file as root's (the user's own here) is the project again.
#[test]
fn another_users_mise_toml_above_is_no_project_and_the_search_stops_there() {
    let work = Work::new();
    let shared = shared(&work);
    let planted = shared.join("mise.toml");
    if !theirs(
        &planted,
        "[env]\nLD_PRELOAD = \"/planted/evil.so\"\n\n[tasks.planted]\nrun = \"echo planted-ran\"\n",
    ) {
        return;
    }
    let mine = shared.join("work");
    std::fs::create_dir(&mine).unwrap();
    let echo = ["exec", "--", "sh", "-c", "echo \"[$LD_PRELOAD]\""];
    let (_, out, err) = vx_in(&work, &mine, &echo);
    assert!(!out.contains("evil.so"), "{out}{err}");
    assert!(
        err.contains(&format!(
            "{} is another user's (uid {NOBODY})",
            planted.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("the search for a project stopped there"),
        "{err}"
    );
    // Said once: the next command does not say it again.
    let (_, out, err) = vx_in(&work, &mine, &echo);
    assert!(!out.contains("evil.so"), "{out}{err}");
    assert!(!err.contains("another user's"), "{err}");
    // `vx run` lists nothing of theirs, runs nothing, and its error says why.
    let (code, out, err) = vx_in(&work, &mine, &["run"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(!out.contains("planted"), "{out}");
    assert!(err.contains("the search stopped there"), "{err}");
    let (code, out, err) = vx_in(&work, &mine, &["run", "planted"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(!out.contains("planted-ran"), "{out}");
    // The hook applies nothing of it.
    let (_, out, err) = vx_in(&work, &mine, &["hook-env", "--shell", "bash"]);
    assert!(!out.contains("LD_PRELOAD"), "{out}{err}");
    // Root's file (this user's own, here) is the project, as before.
    std::os::unix::fs::chown(&planted, Some(0), Some(0)).unwrap();
    let (code, out, err) = vx_in(&work, &mine, &["run", "planted"]);
    assert_eq!((code, out.trim()), (0, "planted-ran"), "{err}");
}

/// A `vx.toml` another user put above the user's mise project no longer wins over it
/// (the nearest vx.toml up used to beat a mise project below it): the user's own
/// project is read, the other user's tasks are not, and the file is said.
#[test]
fn another_users_vx_toml_above_a_mise_project_does_not_take_it_over() {
    let work = Work::new();
    let shared = shared(&work);
    if !theirs(
        &shared.join("vx.toml"),
        "[tools]\n\n[tasks]\nplanted = \"echo planted-ran\"\n",
    ) {
        return;
    }
    let mine = shared.join("work");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(
        mine.join("mise.toml"),
        "[tasks.mine]\nrun = \"echo mine-ran\"\n",
    )
    .unwrap();
    let (code, out, err) = vx_in(&work, &mine, &["run"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("mine"), "{out}");
    assert!(!out.contains("planted"), "{out}");
    assert!(
        err.contains(&format!(
            "{} is another user's (uid {NOBODY})",
            shared.join("vx.toml").display()
        )),
        "{err}"
    );
    let (code, out, err) = vx_in(&work, &mine, &["run", "mine"]);
    assert_eq!((code, out.trim()), (0, "mine-ran"), "{err}");
}

/// The user's own mise project kept in the shared directory itself: files another
/// user adds beside it (a `mise.local.toml` that wins over the team's file, a
/// `.tool-versions`, an `.env` the project's `_.file` names, a file task) are not the
/// project's: not read, each said.
#[test]
fn another_users_files_beside_ones_own_project_are_not_read() {
    let work = Work::new();
    let shared = shared(&work);
    std::fs::write(
        shared.join("mise.toml"),
        "[env]\nGREETING = \"mine\"\n\n[tasks.mine]\nrun = \"echo mine-ran\"\n",
    )
    .unwrap();
    if !theirs(
        &shared.join("mise.local.toml"),
        "[env]\nGREETING = \"planted\"\n",
    ) {
        return;
    }
    assert!(theirs(
        &shared.join(".tool-versions"),
        "planted-tool 6.6.6\n"
    ));
    let task = shared.join("mise-tasks/planted");
    assert!(theirs(&task, "#!/bin/sh\necho planted-ran\n"));
    std::fs::set_permissions(&task, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (code, out, err) = vx_in(
        &work,
        &shared,
        &["exec", "--", "sh", "-c", "echo \"[$GREETING]\""],
    );
    assert_eq!((code, out.trim()), (0, "[mine]"), "{err}");
    assert!(
        err.contains(&format!(
            "mise.local.toml is owned by another user (uid {NOBODY}): not read"
        )),
        "{err}"
    );
    assert!(
        err.contains(".tool-versions is owned by another user"),
        "{err}"
    );
    assert!(!err.contains("planted-tool"), "{err}");
    let (code, out, err) = vx_in(&work, &shared, &["run"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("mine"), "{out}");
    assert!(!out.contains("planted"), "{out}{err}");
    // An env file of theirs that the project names is refused, its values unread.
    std::fs::write(
        shared.join("mise.toml"),
        "[env]\n_.file = \".env\"\n\n[tasks.mine]\nrun = \"echo mine-ran\"\n",
    )
    .unwrap();
    assert!(theirs(&shared.join(".env"), "PLANTED=planted-value\n"));
    let (code, out, err) = vx_in(&work, &shared, &["env", "--shell", "bash"]);
    assert_ne!(code, 0, "{out}{err}");
    assert!(!out.contains("planted-value"), "{out}");
    assert!(err.contains(".env is another user's"), "{err}");
}

/// Issue 78, item 5: a clone's `[task_config] includes` whose file or directory links
/// out of the project (to a TOML secrets file in the home directory, whose top-level
/// strings became tasks, values and all), its default task directory linked out, and
/// an env file (`_.file`, vx.toml's `env_file`) linked out: none is read, each said.
#[test]
fn includes_task_directories_and_env_files_linked_out_are_not_read() {
    let work = Work::new();
    let home = work.dir.path().join("home");
    std::fs::create_dir_all(home.join("scripts")).unwrap();
    std::fs::write(
        home.join("secrets.toml"),
        "oauth_token = \"s3cr3t-value\"\n",
    )
    .unwrap();
    let script = home.join("scripts/outside");
    std::fs::write(&script, "#!/bin/sh\necho outside-ran\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(home.join("dot-env"), "SECRET=env-s3cr3t\n").unwrap();
    let clone = work.dir.path().join("clone");
    std::fs::create_dir(&clone).unwrap();
    std::fs::write(
        clone.join("mise.toml"),
        "[env]\n_.file = \".env\"\n\n[task_config]\nincludes = [\"inc.toml\", \"incdir\"]\n\n[tasks.mine]\nrun = \"echo mine-ran\"\n",
    )
    .unwrap();
    let link = |target: &Path, name: &str| std::os::unix::fs::symlink(target, clone.join(name));
    link(&home.join("secrets.toml"), "inc.toml").unwrap();
    link(&home.join("scripts"), "incdir").unwrap();
    link(&home.join("dot-env"), ".env").unwrap();
    let (code, out, err) = vx_in(&work, &clone, &["run"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("mine"), "{out}");
    for secret in ["oauth_token", "s3cr3t", "outside"] {
        assert!(!out.contains(secret), "{secret}: {out}");
        assert!(!err.contains("s3cr3t-value"), "{err}");
    }
    assert!(
        err.contains("inc.toml is a link out of the project"),
        "{err}"
    );
    assert!(err.contains("incdir is a link out of the project"), "{err}");
    let (code, out, err) = vx_in(&work, &clone, &["run", "oauth_token"]);
    assert_ne!(code, 0, "{out}{err}");
    assert!(!out.contains("s3cr3t"), "{out}");
    // `vx env` never prints the outside file's values.
    let (code, out, err) = vx_in(&work, &clone, &["env", "--shell", "bash"]);
    assert_ne!(code, 0, "{out}{err}");
    assert!(!out.contains("env-s3cr3t"), "{out}");
    assert!(err.contains(".env is a link out of the project"), "{err}");
    // Nor through a vx.toml's env_file.
    std::fs::remove_file(clone.join("mise.toml")).unwrap();
    std::fs::write(
        clone.join("vx.toml"),
        "[settings]\nenv_file = \".env\"\n\n[tools]\n",
    )
    .unwrap();
    let (code, out, err) = vx_in(&work, &clone, &["env", "--shell", "bash"]);
    assert_ne!(code, 0, "{out}{err}");
    assert!(!out.contains("env-s3cr3t"), "{out}");
    assert!(err.contains(".env is a link out of the project"), "{err}");
    // A default task directory linked out is not read either.
    std::fs::remove_file(clone.join("vx.toml")).unwrap();
    std::fs::write(
        clone.join("mise.toml"),
        "[tasks.mine]\nrun = \"echo mine-ran\"\n",
    )
    .unwrap();
    link(&home.join("scripts"), "mise-tasks").unwrap();
    let (code, out, err) = vx_in(&work, &clone, &["run"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("outside"), "{out}");
    assert!(
        err.contains("mise-tasks is a link out of the project"),
        "{err}"
    );
}

/// The user's own vx.toml kept in the shared directory: another user's
/// `vx.local.toml` beside it (the person's layer, whose `[env]` every command applies)
/// and a file task of theirs under `.vx/tasks` (which `vx run NAME` would run as the
/// user) are refused by name, never read or run.
#[test]
fn another_users_layer_or_file_task_beside_ones_own_vx_toml_is_refused() {
    let work = Work::new();
    let shared = shared(&work);
    std::fs::write(
        shared.join("vx.toml"),
        "[tools]\n\n[tasks]\nmine = \"echo mine-ran\"\n",
    )
    .unwrap();
    let layer = shared.join("vx.local.toml");
    if !theirs(&layer, "[env]\nLD_PRELOAD = \"/planted/evil.so\"\n") {
        return;
    }
    let (code, out, err) = vx_in(
        &work,
        &shared,
        &["exec", "--", "sh", "-c", "echo \"[$LD_PRELOAD]\""],
    );
    assert_ne!(code, 0, "{out}{err}");
    assert!(!out.contains("evil.so"), "{out}");
    assert!(
        err.contains(&format!(
            "{} is another user's (uid {NOBODY})",
            layer.display()
        )),
        "{err}"
    );
    std::fs::remove_file(&layer).unwrap();
    let task = shared.join(".vx/tasks/planted");
    assert!(theirs(&task, "#!/bin/sh\necho planted-ran\n"));
    std::fs::set_permissions(&task, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (code, out, err) = vx_in(&work, &shared, &["run", "planted"]);
    assert_ne!(code, 0, "{out}{err}");
    assert!(!out.contains("planted-ran"), "{out}");
    assert!(err.contains("planted is another user's"), "{err}");
}
