//! Files a cloned repository or a config names that are not what they claim: a lock
//! that is a symlink to `/dev/zero`, a FIFO where a registry, netrc or CA file should
//! be, a registry far over its bound. Each is refused by name, promptly, having read
//! nothing of it: no hang, no memory growing until the machine gives out.
#![cfg(unix)]

use crate::common;

use std::path::Path;
use std::time::Duration;

use common::*;

/// Longer than any of these commands takes when it refuses; a read of `/dev/zero` or
/// an `open` of a FIFO without a writer never ends, so the command is killed first and
/// the assertions on its message fail.
const PATIENCE: Duration = Duration::from_secs(30);

/// `vx ARGS` in `work`, isolated from this machine's config, killed after [`PATIENCE`];
/// its exit code and what it said (stdout, where `--headless` reports, then stderr).
fn run(work: &Work, args: &[&str], env: &[(&str, &Path)]) -> (Option<i32>, String) {
    let mut cmd = work.vx();
    isolated(&mut cmd, &work.dir.path().join("home"));
    for (var, value) in env {
        cmd.env(var, value);
    }
    let output = cmd.args(args).timeout(PATIENCE).output().unwrap();
    (
        output.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

#[test]
fn a_lock_that_is_a_symlink_to_dev_zero_is_refused_by_every_way_in() {
    let work = Work::new();
    work.write_manifest("[tools]\n");
    std::os::unix::fs::symlink("/dev/zero", work.dir.path().join("vx.lock")).unwrap();
    for args in [
        &["env"][..],
        &["exec", "--", "true"],
        &["hook-env", "--shell", "bash"],
        &["lock"],
        &["sync", "--headless"],
    ] {
        let (code, stderr) = run(&work, args, &[]);
        assert!(
            stderr
                .contains("vx.lock: cannot read the lock: a character device, not a regular file"),
            "vx {args:?} (exit {code:?}):\n{stderr}"
        );
    }
}

#[test]
fn a_lock_that_is_a_fifo_is_refused_without_waiting_for_a_writer() {
    let work = Work::new();
    work.write_manifest("[tools]\n");
    mkfifo(&work.dir.path().join("vx.lock"));
    let (code, stderr) = run(&work, &["env"], &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("a FIFO, not a regular file"), "{stderr}");
    // The commands that keep a copy to roll back to read it bounded too (issue 53,
    // item 14: one reader for every file).
    let (code, stderr) = run(
        &work,
        &["add", "--url", "https://example.invalid/x.tar.gz", "x"],
        &[],
    );
    assert_ne!(code, Some(0), "{stderr}");
    assert!(code.is_some(), "killed: {stderr}");
    assert!(stderr.contains("a FIFO, not a regular file"), "{stderr}");
}

#[test]
fn a_manifest_that_is_a_fifo_is_refused_without_waiting_for_a_writer() {
    let work = Work::new();
    mkfifo(&work.manifest());
    // Found, refused by name (not passed over for a parent's project), not waited on.
    let (code, stderr) = run(&work, &["env"], &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("a FIFO, not a regular file"), "{stderr}");
    let (code, stderr) = run(&work, &["env", "--manifest", "vx.toml"], &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("a FIFO, not a regular file"), "{stderr}");
}

/// A manifest whose project registry is the file `registry` (relative to it) and that
/// asks for one tool of it.
fn with_registry(work: &Work, registry: &str) {
    work.write_manifest(&format!(
        "[settings]\nregistries = [{{ name = \"test\", path = \"{registry}\" }}]\n\n[tools]\njq = \"1\"\n"
    ));
}

#[test]
fn a_project_registry_that_is_a_device_or_a_fifo_is_refused_by_name() {
    let work = Work::new();
    let depth = work.dir.path().components().count();
    let zero = format!("{}dev/zero", "../".repeat(depth + 2));
    for (registry, kind) in [
        (zero.as_str(), "a character device, not a regular file"),
        ("fifo.yaml", "a FIFO, not a regular file"),
    ] {
        if registry == "fifo.yaml" {
            mkfifo(&work.dir.path().join(registry));
        }
        with_registry(&work, registry);
        let (code, stderr) = run(&work, &["lock"], &[]);
        assert!(code.is_some_and(|c| c != 0), "{stderr}");
        assert!(stderr.contains(kind), "registry {registry}:\n{stderr}");
    }
}

#[test]
fn a_project_registry_over_the_bound_is_refused_before_it_is_read() {
    let work = Work::new();
    // 200 MB, sparse: reading it whole would take time and memory the test would see.
    let file = std::fs::File::create(work.dir.path().join("big.yaml")).unwrap();
    file.set_len(200_000_000).unwrap();
    with_registry(&work, "big.yaml");
    let (code, stderr) = run(&work, &["lock"], &[]);
    assert!(code.is_some_and(|c| c != 0), "{stderr}");
    assert!(
        stderr.contains("big.yaml") && stderr.contains("larger than 16.0 MiB"),
        "{stderr}"
    );
}

#[test]
fn a_netrc_that_is_a_fifo_is_refused_by_name() {
    let work = Work::new();
    let body = archive(vx_base::format::ArchiveFormat::TarGz, b"payload".to_vec());
    let _server = work.serve_one("tool", body);
    let netrc = work.dir.path().join("netrc");
    mkfifo(&netrc);
    let (code, stderr) = run(&work, &["sync", "--headless"], &[("NETRC", &netrc)]);
    assert!(code.is_some_and(|c| c != 0), "{stderr}");
    assert!(stderr.contains("a FIFO, not a regular file"), "{stderr}");
}

#[test]
fn a_ca_file_that_is_a_fifo_is_refused_by_name() {
    let work = Work::new();
    // The CA files are read for an https download, before any connection.
    work.write_manifest(&tool_toml(
        "tool",
        "1",
        "https://127.0.0.1:9/tool.tar.gz",
        &"0".repeat(64),
    ));
    let ca = work.dir.path().join("ca.pem");
    mkfifo(&ca);
    write_user_config(
        &work.dir.path().join("home"),
        &format!("[http]\nca_certificates = [{:?}]\n", ca.to_str().unwrap()),
    );
    let (code, stderr) = run(&work, &["sync", "--headless"], &[]);
    assert!(code.is_some_and(|c| c != 0), "{stderr}");
    assert!(stderr.contains("a FIFO, not a regular file"), "{stderr}");
}

/// A version file (`node = { version_file = … }`) is the project's own: one named
/// through `..`, or a link inside the project to a file outside it (a token file, a
/// shadow file), is refused, and the outside file's text never reaches the output (or
/// a CI job's log).
#[test]
fn a_version_file_outside_the_project_is_refused_and_never_quoted() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("token");
    std::fs::write(&secret, "ghp_S3CRETTOKEN\n").unwrap();
    let work = Work::new();
    let link = work.dir.path().join(".nvmrc");
    std::os::unix::fs::symlink(&secret, &link).unwrap();
    let relative = pathdiff(&secret, work.dir.path());
    for manifest in [
        format!("[tools]\nnode = {{ version_file = \"{relative}\" }}\n"),
        "[tools]\nnode = { version_file = \".nvmrc\" }\n".to_owned(),
    ] {
        work.write_manifest(&manifest);
        for args in [&["env"][..], &["lock"], &["exec", "--", "true"]] {
            let (code, said) = run(&work, args, &[]);
            assert_eq!(code, Some(2), "{args:?} {manifest}: {said}");
            assert!(!said.contains("S3CRET"), "{args:?} {manifest}: {said}");
            assert!(
                said.contains("no `..`") || said.contains("leads outside the project"),
                "{args:?} {manifest}: {said}"
            );
        }
    }
}

/// `target` relative to `base` through `..` (both absolute, on one file system).
fn pathdiff(target: &Path, base: &Path) -> String {
    let up = base.components().count() - 1;
    format!(
        "{}{}",
        "../".repeat(up),
        target.strip_prefix("/").unwrap().display()
    )
}

/// The global `vx.toml` as a FIFO or a link to `/dev/zero` is refused by name, not
/// read as "no global toolset" (issue 53, item 18): outside a project, where it is the
/// toolchain, and inside one, where it is layered under the project's.
#[test]
fn a_global_vx_toml_that_is_not_a_file_is_refused_by_name() {
    for fifo in [true, false] {
        let work = Work::new();
        let project = work.dir.path().join("project");
        std::fs::create_dir_all(&project).unwrap();
        std::fs::write(project.join("vx.toml"), "[tools]\n").unwrap();
        let outside = work.dir.path().join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        let config = work.dir.path().join("home/.config/vx");
        std::fs::create_dir_all(&config).unwrap();
        let global = config.join("vx.toml");
        let kind = if fifo {
            mkfifo(&global);
            "a FIFO"
        } else {
            std::os::unix::fs::symlink("/dev/zero", &global).unwrap();
            "a character device"
        };
        for (dir, args) in [
            (&outside, &["list"][..]),
            (&outside, &["exec", "--", "true"]),
            (&project, &["exec", "--", "true"]),
            (&project, &["env"]),
            (&project, &["hook-env", "--shell", "bash"]),
        ] {
            let mut cmd = work.vx();
            isolated(&mut cmd, &work.dir.path().join("home"));
            let out = cmd
                .current_dir(dir)
                .args(args)
                .timeout(PATIENCE)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.code().is_some(), "killed: {args:?}");
            // The hook says it and leaves the shell as it was, exiting 0 (a prompt
            // goes on); every command fails.
            if args[0] != "hook-env" {
                assert_ne!(out.status.code(), Some(0), "{args:?}: {stderr}");
            }
            assert!(
                stderr.contains(&global.display().to_string()) && stderr.contains(kind),
                "{args:?} in {}: {stderr}",
                dir.display()
            );
        }
    }
}

/// Issue 78, item 7: a clone's `.tool-versions` whose tool name is a megabyte long was
/// quoted whole by every command that says what it skipped (a 1 MB stderr line for
/// `vx exec`, `vx run`, `vx sync`; a 1 MB line of `vx import`'s report): the name is
/// shortened where it is said.
#[test]
fn a_megabyte_tool_name_in_tool_versions_is_said_shortened() {
    let work = Work::new();
    let name = "a".repeat(1_000_000);
    std::fs::write(
        work.dir.path().join(".tool-versions"),
        format!("{name} 1.0\n"),
    )
    .unwrap();
    for args in [&["exec", "--", "true"][..], &["run"], &["import"]] {
        // Each in a fresh home: what the first said is not said again.
        let home = tempfile::tempdir().unwrap();
        let mut cmd = work.vx();
        isolated(&mut cmd, home.path());
        let output = cmd.args(args).timeout(PATIENCE).output().unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(said.contains("aaaaaaaa…"), "vx {args:?}: {said:.300}");
        assert!(said.len() < 4096, "vx {args:?} said {} bytes", said.len());
    }
}
