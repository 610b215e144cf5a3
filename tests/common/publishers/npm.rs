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

use vx_fixture::{Route, TestServer};

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

/// A package of a private registry, made for a test (no public registry holds one):
/// laid out as `npm pack` lays a tarball out (every file under `package/`, as the
/// real prettier tarball above), with its version document as a registry serves it
/// (npm/registry's `docs/REGISTRY-API.md`: `name`, `version`, `dependencies`, `bin`,
/// `dist.tarball`, `dist.integrity` the sha512 of the tarball).
pub struct Made {
    /// The tarball's bytes.
    pub tarball: Vec<u8>,
    /// Its version document.
    pub doc: serde_json::Value,
}

/// `name@version` with `files` (beside its `package.json`, made from `manifest`, which
/// gains `name` and `version`), its tarball served at `registry`'s `/NAME/-/BASE-VERSION.tgz`.
pub fn make(
    name: &str,
    version: &str,
    mut manifest: serde_json::Value,
    files: &[(&str, &str)],
    registry: &str,
) -> Made {
    use base64::Engine;
    use sha2::Digest;
    manifest["name"] = name.into();
    manifest["version"] = version.into();
    let mut items = vec![vx_fixture::Item::File(
        "package/package.json".to_owned().leak(),
        serde_json::to_vec_pretty(&manifest).unwrap(),
        0o644,
    )];
    for (path, text) in files {
        items.push(vx_fixture::Item::File(
            format!("package/{path}").leak(),
            text.as_bytes().to_vec(),
            0o644,
        ));
    }
    let tarball = vx_fixture::tar_gz(&items);
    let integrity = format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha512::digest(&tarball))
    );
    let base = name.rsplit('/').next().unwrap();
    let mut doc = manifest;
    doc["dist"] = serde_json::json!({
        "tarball": format!("{}/{name}/-/{base}-{version}.tgz", registry.trim_end_matches('/')),
        "integrity": integrity,
    });
    Made { tarball, doc }
}

/// The routes of a registry serving `made` (one version each): each packument at
/// `/NAME` (and `/@SCOPE%2fNAME`, as npm asks for a scoped one), its tarball at its
/// `dist.tarball` path under `registry`.
pub fn routes(made: &[&Made], registry: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for m in made {
        let name = m.doc["name"].as_str().unwrap();
        let version = m.doc["version"].as_str().unwrap();
        let packument = serde_json::json!({
            "name": name,
            "dist-tags": { "latest": version },
            "versions": { version: m.doc },
            "time": { version: "2025-01-01T00:00:00.000Z" },
        });
        let body = serde_json::to_vec(&packument).unwrap();
        out.push((format!("/{name}"), body.clone()));
        if name.starts_with('@') {
            out.push((format!("/{}", name.replacen('/', "%2f", 1)), body));
        }
        let tarball = m.doc["dist"]["tarball"].as_str().unwrap();
        let path = tarball
            .strip_prefix(registry.trim_end_matches('/'))
            .unwrap()
            .to_owned();
        out.push((path, m.tarball.clone()));
    }
    out
}

/// A private npm registry on loopback, as a company's registry (verdaccio,
/// Artifactory) serves one to a token: every path answers 401 without
/// `Authorization: Bearer TOKEN`. Logs `PATH AUTH` (AUTH: `token`, `none`, `wrong`).
pub struct PrivateRegistry {
    /// Its URL, `http://127.0.0.1:PORT` (no trailing `/`).
    pub url: String,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    _server: vx_fixture::http::Server,
}

impl PrivateRegistry {
    /// A registry on a free port (its URL known before its routes: `routes` makes them).
    pub fn start(
        token: &str,
        routes: impl FnOnce(&str) -> Vec<(String, Vec<u8>)>,
    ) -> PrivateRegistry {
        use std::sync::{Arc, Mutex};
        use vx_fixture::http::{Request, Response, Server};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let routes: std::collections::HashMap<String, Vec<u8>> = routes(&url).into_iter().collect();
        let log = Arc::new(Mutex::new(Vec::new()));
        let bearer = format!("Bearer {token}");
        let logged = log.clone();
        let server = Server::serve(
            listener,
            Arc::new(move |request: &Request| {
                let auth = match request.header("Authorization") {
                    None => "none",
                    Some(value) if value == bearer => "token",
                    Some(_) => "wrong",
                };
                let path = request.url().split('?').next().unwrap_or("").to_owned();
                logged.lock().unwrap().push(format!("{path} {auth}"));
                match (auth, routes.get(&path)) {
                    ("token", Some(body)) => Response::bytes(200, body.clone()),
                    ("token", None) => Response::empty(404),
                    _ => Response::bytes(401, b"{\"error\":\"unauthorized\"}".to_vec()),
                }
            }),
        );
        PrivateRegistry {
            url,
            log,
            _server: server,
        }
    }

    /// Every request so far: `PATH AUTH`.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}
