//! vx.toml and vx.lock at their edges, through the real `vx`: a password in a URL of
//! vx.toml refused where it is and never shown, a project with no tools, a lock that
//! cannot be read (a merge's conflict markers), command-line arguments' errors said of
//! the argument, and an archive `vx sync` would refuse refused at lock time.

use crate::common;

use common::publishers::node;
use common::*;
use vx_base::format::ArchiveFormat;
use vx_fixture::{Item, Route, TestServer, archive_bytes, noise_seeded};

const PASSWORD: &str = "S3CRETPW";

/// `vx ARGS` in `work`: its exit code and everything it printed (stdout then stderr).
fn run(work: &Work, args: &[&str]) -> (i32, String) {
    code_and_output(work.vx().args(args))
}

#[test]
fn a_password_in_any_url_of_vx_toml_is_refused_at_its_place_and_never_shown() {
    let url = format!("http://bob:{PASSWORD}@127.0.0.1:9/t-{{version}}.tar.gz");
    for (manifest, place) in [
        (
            format!("[tools.t]\nversion = \"1.0\"\nurl = \"{url}\"\n"),
            "vx.toml:3:7",
        ),
        (
            format!(
                "[tools.t]\nversion = \"1.0\"\nurl = \"http://127.0.0.1:9/t.tar.gz\"\n\
                 [tools.t.platforms.linux-x86_64]\nurl = \"{url}\"\n"
            ),
            "vx.toml:5:7",
        ),
        (
            format!(
                "[settings]\nregistries = [{{ name = \"ours\", url = \"{url}\" }}]\n[tools]\nrg = \"14\"\n"
            ),
            "vx.toml:2:38",
        ),
    ] {
        let work = Work::new();
        work.write_manifest(&manifest);
        for args in [
            &["sync", "--json", "--headless"][..],
            &["lock"],
            &["lock", "--check"],
        ] {
            let (code, out) = run(&work, args);
            assert_eq!(code, 2, "{args:?} {manifest}: {out}");
            assert!(out.contains(place), "{args:?} {manifest}: {out}");
            assert!(out.contains("http://***@127.0.0.1:9/"), "{out}");
            assert!(out.contains("netrc"), "{out}");
            assert!(!out.contains(PASSWORD), "{args:?}: {out}");
        }
        assert!(!work.dir.path().join("vx.lock").exists(), "{manifest}");
    }
}

#[test]
fn vx_add_and_vx_use_refuse_a_url_with_a_password_and_leave_vx_toml_as_it_was() {
    let work = Work::new();
    let manifest = "# ours\n[tools]\n";
    work.write_manifest(manifest);
    let url = format!("http://bob:{PASSWORD}@127.0.0.1:9/t-{{version}}.tar.gz");
    for command in ["add", "use"] {
        let (code, out) = run(&work, &[command, "t@1.0", "--url", &url]);
        assert_eq!(code, 2, "{command}: {out}");
        assert!(out.contains("--url: http://***@127.0.0.1:9/"), "{out}");
        assert!(!out.contains(PASSWORD), "{command}: {out}");
        assert!(!out.contains("vx.toml:"), "{command}: {out}");
        assert_eq!(std::fs::read_to_string(work.manifest()).unwrap(), manifest);
        assert!(!work.dir.path().join("vx.lock").exists());
    }
}

#[test]
fn a_project_without_tools_gets_an_empty_lock_that_check_and_doctor_accept() {
    let work = Work::new();
    work.write_manifest("[env]\nRUST_LOG = \"info\"\n\n[scripts]\nhi = \"echo hi\"\n\n[tools]\n");
    let lock = work.dir.path().join("vx.lock");
    let (code, out) = run(&work, &["lock", "--check"]);
    assert_eq!(
        (code, out.contains("is missing; run `vx lock`")),
        (1, true),
        "{out}"
    );
    let (code, out) = run(&work, &["lock"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("locked"), "{out}");
    let text = std::fs::read_to_string(&lock).expect("vx lock wrote vx.lock");
    assert!(text.contains("version = 1"), "{text}");
    let (code, out) = run(&work, &["lock", "--check"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("is up to date"), "{out}");
    let (_, out) = run(&work, &["doctor", "--offline", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "lock")
        .expect("a lock finding");
    assert_eq!(finding["status"], "ok", "{finding}");
    // `vx sync` writes it too, as cargo writes Cargo.lock on a build.
    std::fs::remove_file(&lock).unwrap();
    work.sync(&["--headless"]).assert().code(0);
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), text);
}

/// A project of one tool, `t`, served from a loopback server, and its lock written.
fn locked_project() -> (Work, TestServer) {
    let body = archive(ArchiveFormat::TarGz, noise_seeded(2000, 7));
    let server = TestServer::start(vec![("/t-1.0.tar.gz".to_owned(), Route::Ok(body))]);
    let work = Work::new();
    work.write_manifest(&format!(
        "[tools.t]\nversion = \"1.0\"\nurl = \"{}\"\nstrip_components = 1\n",
        server.url("/t-{version}.tar.gz")
    ));
    let (code, out) = run(&work, &["lock", "--headless"]);
    assert_eq!(code, 0, "{out}");
    (work, server)
}

#[test]
fn a_lock_with_merge_conflict_markers_is_named_so_and_vx_lock_writes_it_again() {
    let (work, _server) = locked_project();
    let path = work.dir.path().join("vx.lock");
    let good = std::fs::read_to_string(&path).unwrap();
    let size = good.lines().find(|l| l.starts_with("size = ")).unwrap();
    let line = good.lines().position(|l| l == size).unwrap() + 1;
    let conflicted = good.replace(
        size,
        &format!("<<<<<<< HEAD\n{size}\n=======\nsize = 1\n>>>>>>> theirs"),
    );
    std::fs::write(&path, &conflicted).unwrap();
    let place = format!("vx.lock:{line}:1: holds a merge's conflict markers");
    let store = work.store();
    let store = store.to_str().unwrap();
    for args in [
        &["sync", "--headless", "--store", store][..],
        &["lock", "--check"],
        &["lock", "--dry-run"],
        &["env"],
    ] {
        let (code, out) = run(&work, args);
        assert_eq!(code, 2, "{args:?}: {out}");
        assert!(out.contains(&place), "{args:?}: {out}");
        assert!(
            out.contains("run `vx lock` to write it again"),
            "{args:?}: {out}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), conflicted);
    }
    // The advice works: vx lock says what it does and writes the lock again.
    let (code, out) = run(&work, &["lock", "--headless"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&place), "{out}");
    assert!(out.contains("every tool is resolved anew"), "{out}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), good);
    let (code, out) = run(&work, &["lock", "--check"]);
    assert_eq!(code, 0, "{out}");
    work.sync(&["--headless", "--locked"]).assert().code(0);
}

/// A `vx.lock` that is a link to a file that is no lock (a cloned repository's
/// `vx.lock -> ~/.bashrc`): `vx lock` refuses and the file it points to is left as it
/// was; writing an unreadable lock again, through the link, would have replaced it.
#[test]
#[cfg(unix)]
fn vx_lock_does_not_write_over_what_a_link_named_vx_lock_points_to() {
    let (work, _server) = locked_project();
    let path = work.dir.path().join("vx.lock");
    let outside = tempfile::tempdir().unwrap();
    let precious = outside.path().join("bashrc");
    std::fs::write(&precious, "export PS1='$ '\n").unwrap();
    std::fs::remove_file(&path).unwrap();
    std::os::unix::fs::symlink(&precious, &path).unwrap();
    let (code, out) = run(&work, &["lock", "--headless"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("is a link"), "{out}");
    assert_eq!(
        std::fs::read_to_string(&precious).unwrap(),
        "export PS1='$ '\n"
    );
    assert!(std::fs::symlink_metadata(&path).unwrap().is_symlink());
}

/// `vx ARGS` on `project`'s machine: its exit code and everything it printed.
fn run_in(project: &Project, args: &[&str]) -> (i32, String) {
    code_and_output(project.vx().args(args))
}

#[test]
fn a_version_named_on_the_command_line_is_said_of_the_argument_not_of_a_vx_toml_line() {
    let dist = node::serve(&[
        node::Release::listed("22.12.0", Some("Jod")),
        node::Release::listed("20.11.1", Some("Iron")),
    ]);
    let manifest = "# ours\n\n[env]\nA = \"1\"\n\n[tools]\nnode = \"22\"\n";
    let project = Project::new(&node::config(&dist), manifest);
    let (code, out) = run_in(&project, &["exec", "node@18.0.0", "--", "node", "-v"]);
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("node@18.0.0: no version of node matches `18.0.0`"),
        "{out}"
    );
    assert!(!out.contains("vx.toml:"), "{out}");
    // Outside any project: no vx.toml to point into.
    std::fs::remove_file(project.work.manifest()).unwrap();
    let (code, out) = run_in(&project, &["x", "node@19", "--", "node", "-v"]);
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("node@19: no version of node matches `19`"),
        "{out}"
    );
    assert!(!out.contains("vx.toml:"), "{out}");
}

#[test]
fn a_bad_flag_of_vx_add_is_named_and_vx_toml_is_left_as_it_was() {
    let work = Work::new();
    let manifest = "# ours\n[tools]\n";
    work.write_manifest(manifest);
    for (flags, said) in [
        (
            &["--sha256", "nothex"][..],
            "--sha256: sha256 \"nothex\" is invalid",
        ),
        (&["--bin", "../up"][..], "--bin: "),
    ] {
        let mut args = vec![
            "add",
            "t@1.0",
            "--url",
            "http://127.0.0.1:9/t-{version}.tar.gz",
        ];
        args.extend_from_slice(flags);
        let (code, out) = run(&work, &args);
        assert_eq!(code, 2, "{flags:?}: {out}");
        assert!(out.contains(said), "{flags:?}: {out}");
        assert!(!out.contains("vx.toml:"), "{flags:?}: {out}");
        assert_eq!(std::fs::read_to_string(work.manifest()).unwrap(), manifest);
    }
}

#[test]
fn an_archive_vx_sync_would_refuse_is_refused_at_lock_time_for_every_platform() {
    for (link, why) in [
        ("/etc/passwd", "symlink target is an absolute path"),
        (
            "../../../etc/passwd",
            "symlink target points outside the destination",
        ),
    ] {
        let body = archive_bytes(
            ArchiveFormat::TarGz,
            &[
                Item::Dir("x/"),
                Item::File("x/ok", b"#!/bin/sh\necho ok\n".to_vec(), 0o755),
                Item::Symlink("x/evil", link),
            ],
        );
        let server = TestServer::start(vec![("/evil.tar.gz".to_owned(), Route::Ok(body))]);
        let work = Work::new();
        // Another platform than this one is locked from the archive's listing alone.
        let manifest = format!(
            "[settings]\nplatforms = [\"linux-x86_64\", \"macos-aarch64\"]\n\n[tools.evil]\n\
             version = \"1.0\"\nurl = \"{}\"\n",
            server.url("/evil.tar.gz")
        );
        work.write_manifest(&manifest);
        let (code, out) = run(&work, &["lock", "--headless"]);
        assert_ne!(code, 0, "{out}");
        assert!(out.contains(&format!("\"x/evil\": {why}")), "{out}");
        assert!(out.contains("not locked for macos-aarch64: evil"), "{out}");
        let lock = std::fs::read_to_string(work.dir.path().join("vx.lock")).unwrap_or_default();
        assert!(!lock.contains("evil.tar.gz"), "{lock}");
        // vx add locks nothing and leaves vx.toml as it was.
        work.write_manifest("[tools]\n");
        let (code, out) = run(
            &work,
            &["add", "evil@1.0", "--url", &server.url("/evil.tar.gz")],
        );
        assert_ne!(code, 0, "{out}");
        assert!(out.contains(why), "{out}");
        assert_eq!(
            std::fs::read_to_string(work.manifest()).unwrap(),
            "[tools]\n"
        );
    }
}

/// A lock that cannot be written is said once: the file, "cannot write the lock",
/// and why (it was wrapped twice: "cannot write the lock: …: cannot write the lock").
#[cfg(unix)]
#[test]
fn a_lock_that_cannot_be_written_is_said_once() {
    let work = Work::new();
    let sha = "a".repeat(64);
    work.write_manifest(&format!(
        "[tools.t]\nversion = \"1\"\nurl = \"http://127.0.0.1:9/t.tar.gz\"\nsha256 = \"{sha}\"\n"
    ));
    let lock = work.dir.path().join("vx.lock");
    std::os::unix::fs::symlink(work.dir.path().join("gone/vx.lock"), &lock).unwrap();
    let (code, out) = run(&work, &["lock"]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(out.matches("cannot write the lock").count(), 1, "{out}");
    assert!(out.contains("does not exist"), "{out}");
}

/// `vx lock` hashes a download no checksum names in a scratch store of its own; one
/// left by a run that was killed (its lock free) is removed by the next run, and the
/// run's own is gone when it ends (a killed run left 50 MB in $TMPDIR for good).
#[test]
fn a_killed_locks_scratch_is_removed_by_the_next_lock() {
    let body = archive_bytes(
        ArchiveFormat::TarGz,
        &[Item::File("t", b"#!/bin/sh\n".to_vec(), 0o755)],
    );
    let server = TestServer::start([("/t.tar.gz", Route::Ok(body))]);
    let work = Work::new();
    work.write_manifest(&format!(
        "[tools.t]\nversion = \"1\"\nurl = \"{}\"\n",
        server.url("/t.tar.gz")
    ));
    let cache = work.dir.path().join("cache");
    let dead = cache.join("scratch/vx-lock-dead");
    std::fs::create_dir_all(dead.join(".partial")).unwrap();
    std::fs::write(dead.join(".lock"), "").unwrap();
    std::fs::write(dead.join(".partial/big.part"), vec![0u8; 4096]).unwrap();
    let (code, out) = code_and_output(work.vx().env("VX_CACHE_DIR", &cache).arg("lock"));
    assert_eq!(code, 0, "{out}");
    assert!(!dead.exists(), "the dead run's scratch is still there");
    let left: Vec<_> = std::fs::read_dir(cache.join("scratch"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
