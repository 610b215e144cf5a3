//! Registries that answer wrong (issue 52): npm's and PyPI's real documents altered the
//! way a broken or hostile mirror would serve them. Each is a clear error at `vx lock`,
//! naming the document, and nothing is written: never a panic, never a lock entry that
//! points at this machine's files, carries credentials or pins nothing.

use crate::common;

use common::project::Project;
use common::publishers::{npm, pypi};
use vx::demo::fixture::{Route, TestServer};

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
