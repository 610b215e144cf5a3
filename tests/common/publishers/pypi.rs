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

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::project::Project;

use vx_fixture::{Route, TestServer};

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
    std::fs::read(downloaded_wheel(&format!("ruff=={RUFF}"), tag, filename)).unwrap()
}

/// The real wheel `filename` of `requirement` (`name==version`) for pip's platform
/// `tag` and CPython 3.12, downloaded once from PyPI (no dependencies) into the
/// fixtures' `pypi/` folder: its path.
pub fn downloaded_wheel(requirement: &str, tag: &str, filename: &str) -> PathBuf {
    let dir = super::fixtures_dir().join("pypi");
    let file = dir.join(filename);
    if !file.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let tmp = tempfile::tempdir_in(&dir).unwrap();
        pip_download(&["--no-deps", "--platform", tag], tmp.path(), requirement);
        std::fs::rename(tmp.path().join(filename), &file).unwrap();
    }
    file
}

/// `pip download --quiet --only-binary=:all: --python-version 3.12 OPTIONS -d DIR
/// REQUIREMENT`: the tests' wheels, real ones from PyPI, for CPython 3.12.
fn pip_download(options: &[&str], dir: &Path, requirement: &str) {
    let status = Command::new("pip")
        .args([
            "download",
            "--quiet",
            "--only-binary=:all:",
            "--python-version",
            "3.12",
        ])
        .args(options)
        .arg("-d")
        .arg(dir)
        .arg(requirement)
        .status()
        .expect("pip runs (the PyPI tests take real wheels from PyPI)");
    assert!(
        status.success(),
        "pip download {} {requirement}",
        options.join(" ")
    );
}

/// `vx` in `project` with no pip or uv index of the machine's (its variables unset).
pub fn vx(project: &Project) -> assert_cmd::Command {
    let mut cmd = project.vx();
    for var in [
        "PIP_INDEX_URL",
        "UV_INDEX_URL",
        "UV_DEFAULT_INDEX",
        "PIP_CONFIG_FILE",
        "PIP_FIND_LINKS",
        "PIP_EXTRA_INDEX_URL",
    ] {
        cmd.env_remove(var);
    }
    cmd
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

/// black, a PyPI tool that runs on python (its wheels are Python code, compiled by
/// mypyc for CPython but never a native program).
pub const BLACK: &str = "24.10.0";

/// black 24.10.0 and its dependencies as pip downloads them for the tests' python
/// (CPython 3.12 on manylinux x86_64: `pip download --only-binary=:all:
/// --python-version 3.12 --implementation cp --platform manylinux_2_17_x86_64
/// black==24.10.0`), plus black's pure wheel (`py3-none-any`, the archive vx checks
/// itself), fetched once into `target/runtime-fixtures/pypi-black-24.10.0/`: each
/// file's name and bytes.
pub fn black_set() -> Vec<(String, Vec<u8>)> {
    black_set_for(&["manylinux_2_17_x86_64", "manylinux2014_x86_64"], "")
}

/// black 24.10.0 and its dependencies as pip downloads them for CPython 3.12 on
/// x86_64 Windows (`--platform win_amd64`: black's mypyc-compiled
/// `cp312-cp312-win_amd64` wheel), plus black's pure wheel, as [`black_set`] fetches
/// the manylinux set (into `target/runtime-fixtures/pypi-black-24.10.0-win_amd64/`:
/// `.ci/windows` fetches it on Linux, where pip is, before the tests run under Wine).
pub fn black_set_windows() -> Vec<(String, Vec<u8>)> {
    black_set_for(&["win_amd64"], "-win_amd64")
}

/// [`black_set`] for pip's `platforms`, kept in `pypi-black-24.10.0{suffix}/`.
fn black_set_for(platforms: &[&str], suffix: &str) -> Vec<(String, Vec<u8>)> {
    let dir = super::built_once(&format!("pypi-black-{BLACK}{suffix}"), |out| {
        std::fs::create_dir_all(out).unwrap();
        let black = format!("black=={BLACK}");
        let mut options = vec!["--implementation", "cp"];
        for platform in platforms {
            options.extend(["--platform", platform]);
        }
        pip_download(&options, out, &black);
        let pure = [
            "--no-deps",
            "--implementation",
            "py",
            "--abi",
            "none",
            "--platform",
            "any",
        ];
        pip_download(&pure, out, &black);
    });
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().into_string().unwrap(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// pypi.org's simple page of `project` (PEP 503 HTML, as pypi.org serves it), fetched
/// once.
fn simple_page(project: &str) -> String {
    let path = super::built_once(&format!("pypi-simple-{project}.html"), |out| {
        let status = Command::new("curl")
            .args(["-sSf", "-o"])
            .arg(out)
            .arg(format!("https://pypi.org/simple/{project}/"))
            .status()
            .expect("curl runs (the PyPI tests read pypi.org's pages)");
        assert!(status.success(), "curl https://pypi.org/simple/{project}/");
    });
    std::fs::read_to_string(path).unwrap()
}

/// A file's project (normalized) and version, from its wheel name.
fn project_and_version(filename: &str) -> (String, String) {
    let mut parts = filename.split('-');
    let dist = parts.next().unwrap();
    let version = parts.next().unwrap();
    (
        dist.to_ascii_lowercase().replace(['_', '.'], "-"),
        version.to_owned(),
    )
}

/// A PyPI mirror as bandersnatch (PyPA's mirror client) publishes one, holding
/// [`black_set`]: each project's page is pypi.org's own, trimmed to the lines of the
/// version pip took (every file of that version, for every platform, with pypi.org's
/// sha256), each `https://files.pythonhosted.org/packages/…` href made
/// `../../packages/…` as bandersnatch's `SimpleAPI._file_url_to_local_url` makes it
/// (pypa/bandersnatch, `src/bandersnatch/simple.py` at 07471f2c); the files of the
/// set served at those paths. `swap` serves, at the first file's path, the second
/// file's bytes (a tampered download). Returns the server and the `(file name,
/// sha256)` of every line kept.
pub fn serve_black(swap: Option<(&str, &str)>) -> (TestServer, Vec<(String, String)>) {
    serve_black_files(black_set(), swap)
}

/// [`serve_black`] holding `files` (a set of [`black_set`]'s kind: another
/// platform's).
pub fn serve_black_files(
    files: Vec<(String, Vec<u8>)>,
    swap: Option<(&str, &str)>,
) -> (TestServer, Vec<(String, String)>) {
    serve_black_files_with(files, swap, None)
}

/// [`serve_black_files`] with the file `slow` (when given) sent at 64 bytes a second:
/// an installer fetching it is held downloading.
pub fn serve_black_files_with(
    files: Vec<(String, Vec<u8>)>,
    swap: Option<(&str, &str)>,
    slow: Option<&str>,
) -> (TestServer, Vec<(String, String)>) {
    let mut routes: Vec<(String, Route)> = Vec::new();
    let mut listed = Vec::new();
    let mut projects: Vec<(String, String)> = files
        .iter()
        .map(|(name, _)| project_and_version(name))
        .collect();
    projects.sort();
    projects.dedup();
    for (project, version) in &projects {
        let page = simple_page(project);
        let mut kept = String::from("<!DOCTYPE html>\n<html>\n<body>\n");
        for line in page.lines().filter(|l| l.contains("<a ")) {
            let text_start = line.find('>').unwrap() + 1;
            let filename = &line[text_start..line[text_start..].find('<').unwrap() + text_start];
            let (p, v) = project_and_version(filename.trim_end_matches(".tar.gz"));
            if p != *project || v != *version {
                continue;
            }
            let relative = line.replace(
                "https://files.pythonhosted.org/packages/",
                "../../packages/",
            );
            let hash_at = relative.find("#sha256=").unwrap() + 8;
            listed.push((
                filename.to_owned(),
                relative[hash_at..hash_at + 64].to_owned(),
            ));
            let href_start = relative.find("href=\"../../").unwrap() + 12;
            let path = &relative[href_start..hash_at - 8];
            let served = swap
                .filter(|(at, _)| *at == filename)
                .map(|(_, other)| other)
                .unwrap_or(filename);
            if let Some((_, bytes)) = files.iter().find(|(n, _)| n == served) {
                let route = match slow == Some(filename) {
                    true => Route::Throttled(std::sync::Arc::new(bytes.clone()), 64),
                    false => Route::Ok(bytes.clone()),
                };
                routes.push((format!("/{path}"), route));
            }
            kept.push_str(&relative);
            kept.push('\n');
        }
        kept.push_str("</body>\n</html>\n");
        routes.push((
            format!("/simple/{project}/"),
            Route::Typed("text/html", kept.into_bytes()),
        ));
    }
    (TestServer::start(routes), listed)
}

/// The user config sending pypi.org (its index and the mirror's `packages/`) to
/// `server`.
pub fn mirror_config(server: &TestServer) -> String {
    format!(
        "[url_replacements]\n{}",
        super::replacement("https://pypi.org/", &server.url("/"))
    )
}

/// rust-just, `just` as a PyPI program: its real 1.40.0 wheel for manylinux x86_64 (as
/// pip downloads it: maturin's layout, the program at `rust_just-1.40.0.data/scripts/just`,
/// a command named otherwise than the package), served under a PEP 503 page written
/// here in pypi.org's form (`<a href="…#sha256=HEX">NAME</a>`, the wheel's own
/// sha256) at `/simple/rust-just/`.
pub fn serve_rust_just() -> TestServer {
    let filename = "rust_just-1.40.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
    let wheel = std::fs::read(downloaded_wheel(
        "rust-just==1.40.0",
        "manylinux_2_17_x86_64",
        filename,
    ))
    .unwrap();
    let sha256 = vx_fixture::sha256_hex(&wheel);
    let page = format!(
        "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n    <title>Links for rust-just</title>\n  </head>\n  <body>\n    <h1>Links for rust-just</h1>\n<a href=\"https://files.pythonhosted.org/packages/rj/{filename}#sha256={sha256}\">{filename}</a><br />\n  </body>\n</html>\n"
    );
    TestServer::start([
        (
            "/simple/rust-just/".to_owned(),
            Route::Ok(page.into_bytes()),
        ),
        (format!("/files/packages/rj/{filename}"), Route::Ok(wheel)),
    ])
}
