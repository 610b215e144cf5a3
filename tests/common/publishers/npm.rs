//! registry.npmjs.org as npm serves it, on loopback: packuments and version documents
//! saved from the real registry (tests/data/npm; `esbuild.json` is
//! `https://registry.npmjs.org/esbuild` trimmed to versions 0.23.1, 0.24.0 and
//! 0.28.2 with their `time` entries, every other byte as served; each
//! `esbuild-PLATFORM-VERSION.json` is `https://registry.npmjs.org/@esbuild/PLATFORM/VERSION`
//! whole), and the real tarball of `@esbuild/linux-x64@0.24.0`, fetched once with
//! `npm pack` into `target/runtime-fixtures/`. `prettier.json` is
//! `https://registry.npmjs.org/prettier` trimmed to its `latest` version (3.10.1),
//! a package that runs on node (tests/it/runtime_tools.rs installs it with node). Paths are the registry's own
//! (`/NAME`, `/NAME/VERSION`, `/@SCOPE/NAME/-/NAME-VERSION.tgz`, as each document's
//! `dist.tarball` names them), so the user config's `url_replacements` sends
//! `https://registry.npmjs.org/` here and the lock keeps the registry's real URLs.

use std::path::PathBuf;

use vx::demo::fixture::{Route, TestServer};

/// The version whose linux-x64 tarball is served.
pub const ESBUILD: &str = "0.24.0";
/// The platform packages whose version documents are served.
pub const PLATFORMS: [&str; 4] = ["linux-x64", "linux-arm64", "darwin-arm64", "win32-x64"];

/// A saved document of tests/data/npm.
pub fn data(file: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/npm")
        .join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The registry's own `dist.integrity` of `@esbuild/PLATFORM@VERSION`.
pub fn integrity(platform: &str, version: &str) -> String {
    let doc: serde_json::Value =
        serde_json::from_slice(&data(&format!("esbuild-{platform}-{version}.json"))).unwrap();
    doc["dist"]["integrity"].as_str().unwrap().to_owned()
}

/// The real `@esbuild/linux-x64@0.24.0` tarball, as the registry serves it.
pub fn linux_tarball() -> Vec<u8> {
    std::fs::read(super::npm_package("@esbuild/linux-x64", ESBUILD)).unwrap()
}

/// The registry, serving `tarball` as `@esbuild/linux-x64@0.24.0`'s (the real one,
/// or a tampered one).
pub fn serve_with(tarball: Vec<u8>) -> TestServer {
    let mut routes: Vec<(String, Route)> = vec![
        ("/esbuild".to_owned(), Route::Ok(data("esbuild.json"))),
        ("/prettier".to_owned(), Route::Ok(data("prettier.json"))),
    ];
    for platform in PLATFORMS {
        for version in ["0.24.0", "0.28.2"] {
            routes.push((
                format!("/@esbuild/{platform}/{version}"),
                Route::Ok(data(&format!("esbuild-{platform}-{version}.json"))),
            ));
        }
    }
    routes.push((
        format!("/@esbuild/linux-x64/-/linux-x64-{ESBUILD}.tgz"),
        Route::Ok(tarball),
    ));
    TestServer::start(routes)
}

/// The registry with the real tarball.
pub fn serve() -> TestServer {
    serve_with(linux_tarball())
}

/// The user config line sending registry.npmjs.org to `server`.
pub fn config(server: &TestServer) -> String {
    format!(
        "[url_replacements]\n{}",
        super::replacement("https://registry.npmjs.org/", &server.url("/"))
    )
}

/// prettier's version in `prettier.json`: a package that runs on node, with no
/// dependencies (its `package.json` names none), so its whole set is itself.
pub const PRETTIER: &str = "3.10.1";

/// The real `prettier@3.10.1` tarball, fetched once with `npm pack` from
/// registry.npmjs.org (the bytes its packument's `dist.integrity` names).
pub fn prettier_tarball() -> Vec<u8> {
    std::fs::read(super::npm_package("prettier", PRETTIER)).unwrap()
}

/// The registry's own `dist.integrity` of `prettier@3.10.1`.
pub fn prettier_integrity() -> String {
    let doc: serde_json::Value = serde_json::from_slice(&data("prettier.json")).unwrap();
    doc["versions"][PRETTIER]["dist"]["integrity"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The registry serving prettier's packument and `tarball` at the packument's own
/// `dist.tarball` path (`/prettier/-/prettier-3.10.1.tgz`): the real one, or a
/// tampered one.
pub fn serve_prettier(tarball: Vec<u8>) -> TestServer {
    TestServer::start(vec![
        ("/prettier".to_owned(), Route::Ok(data("prettier.json"))),
        (
            format!("/prettier/-/prettier-{PRETTIER}.tgz"),
            Route::Ok(tarball),
        ),
    ])
}
