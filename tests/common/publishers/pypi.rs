//! PyPI on loopback: pypi.org's real simple page of ruff (tests/data/pypi-ruff.html,
//! `https://pypi.org/simple/ruff/` as pypi.org serves it to a client that asks for
//! no other format — PEP 503 HTML, each `<a href="…#sha256=HEX">` — trimmed to the
//! files of 0.8.3 and 0.8.4, every kept line as served) and ruff 0.8.4's real wheels
//! for linux-x86_64, macos-aarch64 and windows-x86_64, fetched once with `pip download
//! --only-binary=:all: --no-deps --platform TAG` into `target/runtime-fixtures/pypi/`
//! and served at the page's own `files.pythonhosted.org` paths. The user config's
//! `url_replacements` sends pypi.org and files.pythonhosted.org here, so the lock keeps
//! the real URLs. A wheel's layout is maturin's (`bindings = "bin"`: the program in
//! `ruff-0.8.4.data/scripts/`, ruff's own `pyproject.toml`), as pip downloads it.

use std::path::PathBuf;
use std::process::Command;

use vx::demo::fixture::{Route, TestServer};

/// The version whose wheels are served.
pub const RUFF: &str = "0.8.4";

/// The three wheels: (pip's `--platform` tag, the wheel's file name).
pub const WHEELS: [(&str, &str); 3] = [
    (
        "manylinux_2_17_x86_64",
        "ruff-0.8.4-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    ),
    (
        "macosx_11_0_arm64",
        "ruff-0.8.4-py3-none-macosx_11_0_arm64.whl",
    ),
    ("win_amd64", "ruff-0.8.4-py3-none-win_amd64.whl"),
];

/// The saved page.
pub fn page() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/pypi-ruff.html");
    std::fs::read_to_string(path).unwrap()
}

/// The page's href of `filename`: its URL and sha256.
pub fn href(filename: &str) -> (String, String) {
    let page = page();
    let end = page.find(&format!("/{filename}#sha256=")).expect("listed");
    let start = page[..end].rfind("href=\"").unwrap() + 6;
    let url = format!("{}/{filename}", &page[start..end]);
    let hash_at = end + filename.len() + 9;
    (url, page[hash_at..hash_at + 64].to_owned())
}

/// The real wheel for pip's platform `tag`, downloaded once.
pub fn wheel(tag: &str, filename: &str) -> Vec<u8> {
    let dir = super::fixtures_dir().join("pypi");
    let file = dir.join(filename);
    if !file.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let tmp = tempfile::tempdir_in(&dir).unwrap();
        let status = Command::new("pip")
            .args([
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "--python-version",
                "3.12",
                "--platform",
                tag,
                "-d",
            ])
            .arg(tmp.path())
            .arg(format!("ruff=={RUFF}"))
            .status()
            .expect("pip runs (the PyPI tests take real wheels from PyPI)");
        assert!(
            status.success(),
            "pip download ruff=={RUFF} --platform {tag}"
        );
        std::fs::rename(tmp.path().join(filename), &file).unwrap();
    }
    std::fs::read(file).unwrap()
}

/// The index and files, `linux_wheel` served as the linux-x86_64 wheel (the real one,
/// or a tampered one); the page is served at `/simple/ruff/` and at
/// `/corp/simple/ruff/` (an index a PIP_INDEX_URL names).
pub fn serve_with(linux_wheel: Vec<u8>) -> TestServer {
    let mut routes: Vec<(String, Route)> = vec![
        ("/simple/ruff/".to_owned(), Route::Ok(page().into_bytes())),
        (
            "/corp/simple/ruff/".to_owned(),
            Route::Ok(page().into_bytes()),
        ),
    ];
    for (i, (tag, filename)) in WHEELS.iter().enumerate() {
        let (url, _) = href(filename);
        let path = url.trim_start_matches("https://files.pythonhosted.org");
        let body = if i == 0 {
            linux_wheel.clone()
        } else {
            wheel(tag, filename)
        };
        routes.push((format!("/files{path}"), Route::Ok(body)));
    }
    TestServer::start(routes)
}

/// The index with the real wheels.
pub fn serve() -> TestServer {
    serve_with(wheel(WHEELS[0].0, WHEELS[0].1))
}

/// The user config lines sending pypi.org and files.pythonhosted.org to `server`.
pub fn config(server: &TestServer) -> String {
    format!(
        "[url_replacements]\n{}{}",
        super::replacement("https://pypi.org/simple/", &server.url("/simple/")),
        super::replacement("https://files.pythonhosted.org/", &server.url("/files/"))
    )
}
