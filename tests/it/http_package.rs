//! A company registry's aqua `type: http` package that names no GitHub repository (an
//! internal tool on an intranet server): named by an exact version, it locks, installs
//! and imports from aqua.yaml. It was refused everywhere, for want of a repository to
//! list versions from, though an exact version needs no list.
#![cfg(unix)]

use crate::common;

use common::{Work, both};
use vx_fixture::{Item, Route, TestServer, tar_gz};

/// The tool's archive for each platform a new vx.toml lists (`vx import` locks them
/// all), at the path the registry's template makes (`mytool.exe` on Windows).
fn serve() -> TestServer {
    let mut routes = Vec::new();
    for os in ["linux", "darwin", "windows"] {
        for arch in ["amd64", "arm64"] {
            let file = if os == "windows" {
                "mytool.exe"
            } else {
                "mytool"
            };
            let body = tar_gz(&[Item::File(
                file,
                b"#!/bin/sh\necho mytool 1.0.0\n".to_vec(),
                0o755,
            )]);
            routes.push((
                format!("/mytool/1.0.0/mytool-{os}-{arch}.tar.gz"),
                Route::Ok(body),
            ));
        }
    }
    TestServer::start(routes)
}

fn registry(server: &TestServer) -> String {
    format!(
        "packages:\n  - type: http\n    name: mytool\n    url: {}mytool/{{{{.Version}}}}/mytool-{{{{.OS}}}}-{{{{.Arch}}}}.tar.gz\n    format: tar.gz\n    files:\n      - name: mytool\n",
        server.url("/")
    )
}

#[test]
fn an_http_package_without_a_repository_is_named_by_its_exact_version() {
    let server = serve();
    let work = Work::new();
    std::fs::write(work.dir.path().join("registry.yaml"), registry(&server)).unwrap();
    let here = vx_model::manifest::Platform::current();
    work.write_manifest(&format!(
        "[settings]\nplatforms = [\"{here}\"]\nregistries = [{{ name = \"ours\", path = \"registry.yaml\" }}]\n\n[tools]\n"
    ));
    let out = work.vx().args(["add", "mytool@1.0.0"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    work.sync(&["--headless"]).assert().code(0);
    let exe = crate::common::tree_in(work.store(), "mytool", "1.0.0").join("mytool");
    assert!(exe.is_file(), "{:?}", exe);

    // A range still needs the list the package cannot give, and says what to write.
    let out = work.vx().args(["add", "mytool@1"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("name an exact version"), "{err}");

    // Written into the manifest, it is said at the manifest's own path and line (the
    // global toolset's vx.toml and a project's look alike by name alone).
    let text = std::fs::read_to_string(work.manifest()).unwrap();
    std::fs::write(work.manifest(), text.replace("\"1.0.0\"", "\"1\"")).unwrap();
    let out = work.vx().arg("lock").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let place = format!("{}:6:1: mytool: ", work.manifest().display());
    assert!(err.contains(&place), "{place}: {err}");
}

#[test]
fn aqua_yaml_naming_an_http_package_of_a_local_registry_imports() {
    let server = serve();
    let work = Work::new();
    std::fs::write(work.dir.path().join("registry.yaml"), registry(&server)).unwrap();
    std::fs::write(
        work.dir.path().join("aqua.yaml"),
        "registries:\n  - type: standard\n    ref: v4.300.0\n  - name: local\n    type: local\n    path: registry.yaml\npackages:\n  - name: mytool@1.0.0\n    registry: local\n",
    )
    .unwrap();
    let out = work.vx().args(["import", "aqua.yaml"]).output().unwrap();
    let said = both(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    let manifest = std::fs::read_to_string(work.manifest()).unwrap();
    assert!(
        manifest.contains("mytool = \"1.0.0\""),
        "{manifest}\n{said}"
    );
    assert!(manifest.contains("registry.yaml"), "{manifest}");
}

/// A registry whose URL template carries credentials (`user:password@host`) would have
/// put them into vx.lock, a shared file: `vx add` refuses the package by its name, with
/// the password hidden, and leaves vx.toml as it was and no lock.
#[test]
fn a_package_whose_url_carries_credentials_is_not_locked() {
    let server = serve();
    let work = Work::new();
    let registry = registry(&server).replace("http://", "http://deploy:s3cret@");
    std::fs::write(work.dir.path().join("registry.yaml"), registry).unwrap();
    let here = vx_model::manifest::Platform::current();
    let manifest = format!(
        "[settings]\nplatforms = [\"{here}\"]\nregistries = [{{ name = \"ours\", path = \"registry.yaml\" }}]\n\n[tools]\n"
    );
    work.write_manifest(&manifest);
    let out = work.vx().args(["add", "mytool@1.0.0"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("registry package ours:mytool"), "{err}");
    assert!(err.contains("http://***@127.0.0.1"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");
    assert_eq!(std::fs::read_to_string(work.manifest()).unwrap(), manifest);
    assert!(!work.dir.path().join("vx.lock").exists());
}
