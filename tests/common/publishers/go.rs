//! go.dev's download list (`/dl/?mode=json&include=all`: newest first, `stable`,
//! each file's `filename`, `os`, `arch`, `sha256`, `size` and `kind`) and
//! dl.google.com's `/go/` archives, with the real Go that Debian's `golang-go` package
//! installs (`/usr/lib/go-1.NN`) laid out as go.dev's `goV.linux-amd64.tar.gz` is:
//! `go/bin/go`, `go/bin/gofmt`, `go/pkg/tool/linux_amd64/…` (what `go` finds its
//! GOROOT by) and `go/VERSION`. The layout's source: golang/go's
//! `src/cmd/distpack/pack.go` (at 0cbc596d), whose `main` makes that archive from
//! GOROOT: `bin/go` and `bin/gofmt`, `pkg/tool/$GOOS_$GOARCH` (the build tools),
//! `pkg/include`, no other `pkg/`, every name under the prefix `go/` (`AddPrefix("go")`),
//! mode 0755 for `bin/` and `pkg/tool/` (its `mode`).

use std::path::{Path, PathBuf};

use vx_fixture::{Route, TestServer, noise_seeded, sha256_hex};

/// Debian's Go: its root and the version its `go` reports (`1.19.8`).
pub fn debian_go() -> (PathBuf, String) {
    let mut roots: Vec<PathBuf> = std::fs::read_dir("/usr/lib")
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("go-"))
                && p.join("bin/go").is_file()
        })
        .collect();
    roots.sort();
    let root = roots.pop().expect(
        "Debian's golang-go is installed (/usr/lib/go-1.NN/bin/go): apt-get install golang-go",
    );
    let out = std::process::Command::new(root.join("bin/go"))
        .arg("version")
        .env("GOTOOLCHAIN", "local")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    // `go version go1.19.8 linux/amd64`
    let version = text
        .split_whitespace()
        .nth(2)
        .and_then(|v| v.strip_prefix("go"))
        .unwrap_or_else(|| panic!("unexpected `go version`: {text}"))
        .to_owned();
    (root, version)
}

/// The real `go{V}.linux-amd64.tar.gz`, built from Debian's Go once.
pub fn real_archive() -> (String, PathBuf) {
    let (root, version) = debian_go();
    let archive = super::built_once(&format!("go{version}.linux-amd64.tar.gz"), |out| {
        let work = tempfile::tempdir().unwrap();
        let top = work.path().join("go");
        std::fs::create_dir_all(top.join("pkg")).unwrap();
        let from = |p: &str| root.join(p).to_str().unwrap().to_owned();
        super::run("cp", &["-rL", &from("bin"), "go/"], work.path());
        super::run("cp", &["-rL", &from("pkg/tool"), "go/pkg/"], work.path());
        if root.join("VERSION").exists() {
            super::run("cp", &["-L", &from("VERSION"), "go/"], work.path());
        }
        super::run("tar", &["czf", out.to_str().unwrap(), "go"], work.path());
    });
    (version, archive)
}

/// One release of the fake list.
pub struct Release {
    /// Go's name of it (`go1.23.8`).
    pub id: String,
    pub stable: bool,
    /// Archives served (`go1.23.8.linux-amd64.tar.gz` → bytes); the others are listed
    /// with made-up hashes, never served.
    pub served: Vec<(String, Vec<u8>)>,
}

impl Release {
    pub fn listed(id: &str) -> Release {
        Release {
            id: id.to_owned(),
            stable: !id.contains("rc") && !id.contains("beta"),
            served: Vec::new(),
        }
    }
}

/// The files each release lists: (os, arch, suffix, kind).
const FILES: [(&str, &str, &str, &str); 7] = [
    ("", "", "src.tar.gz", "source"),
    ("darwin", "arm64", "darwin-arm64.pkg", "installer"),
    ("darwin", "arm64", "darwin-arm64.tar.gz", "archive"),
    ("linux", "amd64", "linux-amd64.tar.gz", "archive"),
    ("linux", "arm64", "linux-arm64.tar.gz", "archive"),
    ("windows", "amd64", "windows-amd64.msi", "installer"),
    ("windows", "amd64", "windows-amd64.zip", "archive"),
];

/// The list as go.dev serves it.
pub fn list(releases: &[Release]) -> Vec<u8> {
    let mut list = Vec::new();
    for (n, release) in releases.iter().enumerate() {
        let files: Vec<serde_json::Value> = FILES
            .iter()
            .enumerate()
            .map(|(i, (os, arch, suffix, kind))| {
                let filename = format!("{}.{suffix}", release.id);
                let (hash, size) = match release.served.iter().find(|(f, _)| *f == filename) {
                    Some((_, body)) => (sha256_hex(body), body.len()),
                    None => (sha256_hex(&noise_seeded(64, (n * 10 + i) as u64)), 64),
                };
                serde_json::json!({
                    "filename": filename, "os": os, "arch": arch, "version": release.id,
                    "sha256": hash, "size": size, "kind": kind,
                })
            })
            .collect();
        list.push(serde_json::json!({
            "version": release.id, "stable": release.stable, "files": files,
        }));
    }
    serde_json::to_vec_pretty(&list).unwrap()
}

/// The path of the list on the fake go.dev.
pub const LIST_PATH: &str = "/dl/?mode=json&include=all";

/// go.dev's `/dl/` for `releases` (newest first) and dl.google.com's `/go/`. The list
/// comes with no validator, as go.dev's does: golang/website's
/// `internal/dl/server.go` (at 02275151) `serveJSON` encodes it afresh for each
/// request and sets only `Content-Type` and CORS headers (no `ETag`, `Last-Modified`
/// or `Cache-Control`), so a client can only ask for it whole again.
pub fn serve(releases: &[Release]) -> TestServer {
    let mut routes: Vec<(String, Route)> = vec![(LIST_PATH.to_owned(), Route::Ok(list(releases)))];
    for release in releases {
        for (file, body) in &release.served {
            routes.push((format!("/go/{file}"), Route::Ok(body.clone())));
        }
    }
    TestServer::start(routes)
}

/// go.dev listing release `go{version}` and serving its Linux x86_64 archive, the file
/// `archive`: the server and the release's id (`go1.23.8`).
pub fn serve_linux(version: &str, archive: &Path) -> (TestServer, String) {
    let id = format!("go{version}");
    let mut release = Release::listed(&id);
    release.served = vec![(
        format!("{id}.linux-amd64.tar.gz"),
        std::fs::read(archive).unwrap(),
    )];
    (serve(&[release]), id)
}

/// A server answering the list with `body` (a broken one).
pub fn serve_list(body: Vec<u8>) -> TestServer {
    TestServer::start([(LIST_PATH, Route::Ok(body))])
}

/// The user config lines sending go.dev's list and dl.google.com's archives to
/// `server`.
pub fn config(server: &TestServer) -> String {
    format!(
        "[url_replacements]\n{}{}",
        super::replacement("https://go.dev/dl/", &server.url("/dl/")),
        super::replacement("https://dl.google.com/go/", &server.url("/go/"))
    )
}
