//! Data that must not be lost or left half-written (issue 43, item 6), end to end with
//! the real binary on a project of its own: a failed `vx add` leaves vx.toml and
//! vx.lock as they were; `vx remove` of the last tool leaves a vx.toml `vx sync`
//! accepts; a download wrapped in one top-level folder is unwrapped, and one that
//! holds no executable fails its install saying what it holds. And (item 8) a proxy's
//! own 401 is said as the proxy's, with no GitHub token suggested.

use crate::common;

use common::*;
use vx_fixture::{Item, Route, TestServer, sha256_hex, tar_gz};

/// A tool table with no `strip_components` and no `bin`: what vx finds is what runs.
fn plain_tool(name: &str, url: &str, sha256: &str) -> String {
    format!("[tools.{name}]\nversion = \"1.0\"\nurl = \"{url}\"\nsha256 = \"{sha256}\"\n\n")
}

fn script(text: &str) -> Vec<u8> {
    format!("#!/bin/sh\necho {text} \"$@\"\n").into_bytes()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_failed_add_leaves_vx_toml_and_the_lock_as_they_were() {
    let body = tar_gz(&[Item::File("greet", script("hi"), 0o755)]);
    let server = TestServer::start([
        ("/greet.tar.gz", Route::Ok(body.clone())),
        ("/gone.tar.gz", Route::Status(404)),
    ]);
    let manifest = format!(
        "# our tools\n{}",
        plain_tool("greet", &server.url("/greet.tar.gz"), &sha256_hex(&body))
    );
    let p = Project::new("", &manifest);
    p.vx().arg("lock").assert().code(0);
    let lock = p.lock_text().unwrap();

    let out = p
        .vx()
        .args(["add", "gone@1.0", "--url", &server.url("/gone.tar.gz")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("left as they were"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        p.manifest_text(),
        manifest,
        "vx.toml is byte for byte the same"
    );
    assert_eq!(
        p.lock_text().unwrap(),
        lock,
        "vx.lock is byte for byte the same"
    );

    // Beside a project that has no vx.toml yet, a failed add creates none.
    let bare = Project::new("", "");
    std::fs::remove_file(bare.work.manifest()).unwrap();
    let out = bare
        .vx()
        .args(["add", "gone@1.0", "--url", &server.url("/gone.tar.gz")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!bare.work.manifest().exists());
    assert!(bare.lock_text().is_none());

    // The same add that can be locked writes both.
    let out = p
        .vx()
        .args(["add", "again@1.0", "--url", &server.url("/greet.tar.gz")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(p.manifest_text().contains("[tools.again]"));
    assert!(p.lock()["tools"].get("again").is_some());
}

#[test]
fn removing_the_last_tool_leaves_a_vx_toml_that_sync_accepts() {
    let body = tar_gz(&[Item::File("greet", script("hi"), 0o755)]);
    let server = TestServer::start([("/greet.tar.gz", Route::Ok(body.clone()))]);
    let p = Project::new(
        "",
        &plain_tool("greet", &server.url("/greet.tar.gz"), &sha256_hex(&body)),
    );
    p.vx().arg("sync").assert().code(0);
    p.vx().args(["remove", "greet"]).assert().code(0);
    assert!(
        p.manifest_text().contains("[tools]"),
        "{}",
        p.manifest_text()
    );
    let out = p.vx().arg("sync").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // And a tool can be added to it again.
    p.vx()
        .args(["add", "greet@1.0", "--url", &server.url("/greet.tar.gz")])
        .assert()
        .code(0);
}

#[test]
fn a_download_in_one_top_level_folder_is_unwrapped_and_one_without_an_executable_fails() {
    let wrapped = tar_gz(&[
        Item::File("greet-1.0-linux/greet", script("wrapped"), 0o755),
        Item::File("greet-1.0-linux/README.md", b"read me\n".to_vec(), 0o644),
    ]);
    let empty = tar_gz(&[
        Item::File("docs/README.md", b"read me\n".to_vec(), 0o644),
        Item::File("docs/guide.txt", b"guide\n".to_vec(), 0o644),
        Item::File("LICENSE", b"MIT\n".to_vec(), 0o644),
    ]);
    let server = TestServer::start([
        ("/wrapped.tar.gz", Route::Ok(wrapped.clone())),
        ("/empty.tar.gz", Route::Ok(empty.clone())),
    ]);
    let p = Project::new(
        "",
        &plain_tool(
            "greet",
            &server.url("/wrapped.tar.gz"),
            &sha256_hex(&wrapped),
        ),
    );
    let out = p.vx().arg("sync").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = p
        .vx()
        .args(["exec", "--", "greet", "there"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "wrapped there\n",
        "{}",
        stderr(&out)
    );

    let p = Project::new(
        "",
        &plain_tool("docs", &server.url("/empty.tar.gz"), &sha256_hex(&empty)),
    );
    let out = p.vx().args(["sync", "--headless"]).output().unwrap();
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("no executable"), "{all}");
    assert!(
        all.contains("LICENSE") && all.contains("docs/README.md"),
        "it says what the download holds: {all}"
    );
    // Nothing is installed that a hint could then fail to run.
    let out = p
        .vx()
        .args(["exec", "--offline", "--", "docs"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
}

/// A forwarding proxy that answers every request itself with HTTP 401 (as one that
/// wants credentials does): a loopback server, one thread.
fn refusing_proxy() -> u16 {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            // The request's head, to its empty line.
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                line.clear();
            }
            let _ = reader.get_mut().write_all(
                b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    port
}

#[test]
fn a_proxy_asking_for_credentials_is_named_and_no_github_token_is_suggested() {
    let proxy = refusing_proxy();
    // A name of this machine that is not loopback to vx, so the proxy applies.
    let host = common::net::machine_name();
    let work = Work::new();
    let home = work.dir.path().join("home");
    let mut cmd = work.vx();
    isolated(&mut cmd, &home);
    let out = cmd
        .args(["versions", "python"])
        .env("VX_GITHUB_URL", format!("http://{host}:9"))
        .env("HTTP_PROXY", format!("http://127.0.0.1:{proxy}"))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("the proxy http://127.0.0.1:"), "{err}");
    assert!(err.contains("HTTP 401, not GitHub"), "{err}");
    assert!(!err.contains("GITHUB_TOKEN"), "no token would help: {err}");
}

/// The bytes of the project's `name` (vx.toml, vx.lock), or `None`.
fn bytes(p: &Project, name: &str) -> Option<Vec<u8>> {
    std::fs::read(p.work.dir.path().join(name)).ok()
}

/// `vx use` of a tool that locks but cannot be installed (issue 49, item 3): vx.toml
/// and vx.lock stay as they were, and it says so.
#[test]
fn a_use_whose_install_fails_leaves_vx_toml_and_the_lock_as_they_were() {
    let body = tar_gz(&[Item::File("greet", script("hi"), 0o755)]);
    let empty = tar_gz(&[Item::File("docs/README.md", b"read me\n".to_vec(), 0o644)]);
    let server = TestServer::start([
        ("/greet.tar.gz", Route::Ok(body.clone())),
        ("/empty.tar.gz", Route::Ok(empty)),
    ]);
    let p = Project::new(
        "",
        &plain_tool("greet", &server.url("/greet.tar.gz"), &sha256_hex(&body)),
    );
    p.vx().arg("lock").assert().code(0);
    let (toml, lock) = (bytes(&p, "vx.toml"), bytes(&p, "vx.lock"));
    let out = p
        .vx()
        .args(["use", "empty@1.0", "--url", &server.url("/empty.tar.gz")])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("as they were before this command"),
        "{}",
        stderr(&out)
    );
    assert_eq!(bytes(&p, "vx.toml"), toml, "{}", stderr(&out));
    assert_eq!(bytes(&p, "vx.lock"), lock, "{}", stderr(&out));
}

/// `vx remove` beside a vx.lock it cannot read fails and leaves vx.toml as it was (it
/// once wrote vx.toml first, then failed on the lock).
#[test]
fn a_remove_that_fails_leaves_vx_toml_as_it_was() {
    let body = tar_gz(&[Item::File("greet", script("hi"), 0o755)]);
    let server = TestServer::start([("/greet.tar.gz", Route::Ok(body.clone()))]);
    let p = Project::new(
        "",
        &plain_tool("greet", &server.url("/greet.tar.gz"), &sha256_hex(&body)),
    );
    std::fs::write(p.work.dir.path().join("vx.lock"), "this is [not a lock\n").unwrap();
    let (toml, lock) = (bytes(&p, "vx.toml"), bytes(&p, "vx.lock"));
    let out = p.vx().args(["remove", "greet"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("vx.lock"), "{}", stderr(&out));
    assert_eq!(bytes(&p, "vx.toml"), toml, "{}", stderr(&out));
    assert_eq!(bytes(&p, "vx.lock"), lock);
}

/// nodejs.org's index for 20.11.1 without its `SHASUMS256.txt`: the version is found,
/// its lock cannot be made.
fn node_without_sums() -> (TestServer, TestServer) {
    let full = publishers::node::serve(&[publishers::node::Release::listed("20.11.1", None)]);
    let index = std::process::Command::new("curl")
        .args(["-sf", &full.url("/dist/index.json")])
        .output()
        .unwrap()
        .stdout;
    assert!(!index.is_empty());
    let mirror = TestServer::start([("/dist/index.json", Route::Ok(index))]);
    (full, mirror)
}

/// `vx import` and `vx init` whose lock fails (issue 49, item 3): vx.toml and vx.lock
/// as they were, none for `vx init`.
#[test]
fn an_import_or_init_whose_lock_fails_leaves_the_files_as_they_were() {
    let (_full, mirror) = node_without_sums();
    let config = publishers::node::config(&mirror);
    let manifest = "# ours\n[tools]\n";
    let p = Project::new(&config, manifest);
    std::fs::write(p.work.dir.path().join(".nvmrc"), "20.11.1\n").unwrap();
    let out = p.vx().args(["import", ".nvmrc"]).output().unwrap();
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("SHASUMS256.txt"), "{}", stderr(&out));
    assert_eq!(p.manifest_text(), manifest, "{}", stderr(&out));
    assert_eq!(p.lock_text(), None);

    std::fs::remove_file(p.work.manifest()).unwrap();
    let out = p.vx().arg("init").output().unwrap();
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!p.work.manifest().exists(), "{}", stderr(&out));
    assert_eq!(p.lock_text(), None);
    // Nothing said as made or imported when nothing was kept (issue 63, item 5).
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(
        !said.contains("created") && !said.contains("imported"),
        "{said}"
    );
}

/// mise's habits (issue 49, item 8): `vx ls` is `vx list`, `vx tasks` lists the
/// scripts as `vx run` does, `vx install node` says which commands do what mise's does,
/// and a near miss of six letters or more (`versoin`) gets its "did you mean".
#[test]
fn mise_habits_get_an_alias_or_the_command_meant() {
    let p = Project::new("", "[tools]\n\n[scripts]\nhello = \"echo hello\"\n");
    let out = |args: &[&str]| {
        let out = p.vx().args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr(&out),
        )
    };
    assert_eq!(out(&["ls"]), out(&["list"]));
    let (code, listed, err) = out(&["tasks"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!((code, listed.clone()), {
        let (c, l, _) = out(&["run"]);
        (c, l)
    });
    assert!(listed.contains("hello"), "{listed}");
    let (code, _, err) = out(&["install", "node"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("run `vx use node`") && err.contains("`vx sync` installs the project's tools"),
        "{err}"
    );
    let (code, _, err) = out(&["versoin"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("a similar subcommand exists: 'versions'"),
        "{err}"
    );
}

/// A one-tool `vx use`, piped (issue 49, item 8): what it did and each run's final
/// line, not a line and a table row for every tool the project already has; `-v` for
/// the whole report.
#[test]
fn a_one_tool_use_says_what_it_did_and_not_the_whole_project() {
    let body = tar_gz(&[Item::File("greet", script("hi"), 0o755)]);
    let server = TestServer::start([("/greet.tar.gz", Route::Ok(body.clone()))]);
    let url = server.url("/greet.tar.gz");
    let sha = sha256_hex(&body);
    let p = Project::new(
        "",
        &format!(
            "{}{}",
            plain_tool("first", &url, &sha),
            plain_tool("second", &url, &sha)
        ),
    );
    p.vx().arg("sync").assert().code(0);
    let out = p
        .vx()
        .args(["use", "third@1.0", "--url", &url])
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("added third 1.0"), "{said}");
    assert!(said.contains("3 tools in"), "the final line: {said}");
    for noise in ["first 1.0", "second 1.0", "TOOL  VERSION"] {
        assert!(!said.contains(noise), "{noise}: {said}");
    }
    let out = p
        .vx()
        .args(["use", "fourth@1.0", "--url", &url, "-v"])
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(
        said.contains("first 1.0") && said.contains("TOOL"),
        "{said}"
    );
}

/// A relative `XDG_CONFIG_HOME`, `XDG_DATA_HOME` or `XDG_CACHE_HOME` is ignored, as
/// the XDG spec says, for `$HOME`'s defaults: it would be resolved from the current
/// directory, so a cloned repository could supply the global toolset, a user config
/// or a `trusted.json` that trusts itself (issue 53, item 9).
#[test]
fn relative_xdg_directories_are_ignored_for_homes_defaults() {
    let work = common::Work::new();
    work.write_manifest("[tools]\n");
    let home = work.dir.path().join("home");
    // What the clone would supply, at the relative paths.
    let clone = work.dir.path();
    for dir in ["cfg/vx", "data/vx", "cache/vx"] {
        std::fs::create_dir_all(clone.join(dir)).unwrap();
    }
    let vx = |args: &[&str]| {
        let mut cmd = work.vx();
        common::isolated(&mut cmd, &home);
        cmd.current_dir(clone)
            .env("XDG_CONFIG_HOME", "cfg")
            .env("XDG_DATA_HOME", "data")
            .env("XDG_CACHE_HOME", "cache")
            .args(args)
            .output()
            .unwrap()
    };
    let out = vx(&["config", "set", "github.url", "https://ghe.corp"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(home.join(".config/vx/config.toml").is_file());
    assert!(!clone.join("cfg/vx/config.toml").exists());
    let out = vx(&["trust"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(home.join(".local/share/vx/trusted.json").is_file());
    assert!(!clone.join("data/vx/trusted.json").exists());
    let out = vx(&["cache", "dir"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim_end(),
        home.join(".cache/vx").display().to_string()
    );
}

/// A version constraint that walks paths (`1.0/../../x`, `/x`, `a//b`) is refused up
/// front as a bad argument (exit 2), by `vx x` as by `vx exec`, before any registry is
/// asked; it was refused only by the install child (issue 53, item 20). Git refuses
/// such a tag too (`git check-ref-format`).
#[test]
fn a_constraint_that_walks_paths_is_refused_up_front() {
    let work = common::Work::new();
    let home = work.dir.path().join("home");
    for tool in ["jq@1.0/../../x", "jq@../x", "jq@/x", "jq@a//b", "jq@x/"] {
        for args in [&["x", tool][..], &["exec", tool, "--", "true"]] {
            let mut cmd = work.vx();
            common::isolated(&mut cmd, &home);
            let (_, stderr) = output_of(
                cmd.args(args)
                    .env("VX_GITHUB_URL", "http://127.0.0.1:9")
                    .env("VX_GITHUB_API_URL", "http://127.0.0.1:9")
                    .timeout(std::time::Duration::from_secs(60)),
                2,
            );
            let version = tool.split_once('@').unwrap().1;
            assert!(stderr.contains(version), "{args:?}: {stderr}");
            assert!(!stderr.contains("127.0.0.1"), "{args:?}: {stderr}");
        }
    }
}

/// Issue 66, item 18: `vx x` of a path (`/bin/sh`, `../../../bin/sh`) or of a name with
/// an escape sequence is refused up front as a bad argument (exit 2), naming it
/// sanitized, before any registry is asked: it was exit 1 from the lookup, echoing
/// the name raw.
#[test]
fn vx_x_of_a_path_or_an_escape_is_refused_up_front_and_shown_safe() {
    let work = common::Work::new();
    let home = work.dir.path().join("home");
    for tool in [
        "/bin/sh",
        "../../../bin/sh",
        "./sh",
        "evil\u{1b}]0;pwned\u{7}",
    ] {
        let mut cmd = work.vx();
        common::isolated(&mut cmd, &home);
        let (_, stderr) = output_of(
            cmd.args(["x", tool])
                .env("VX_GITHUB_URL", "http://127.0.0.1:9")
                .env("VX_GITHUB_API_URL", "http://127.0.0.1:9")
                .timeout(std::time::Duration::from_secs(60)),
            2,
        );
        assert!(
            stderr.contains("name a registry tool"),
            "{tool:?}: {stderr}"
        );
        assert!(!stderr.contains('\u{1b}'), "{tool:?}: {stderr:?}");
        assert!(!stderr.contains("127.0.0.1"), "{tool:?}: {stderr}");
    }
}

/// A project whose lock fails (issue 63, item 5): the first command says why and runs
/// with what is installed; the next ones, while vx.toml and vx.lock are as they were,
/// ask the network nothing and say it in a line; `vx sync` tries again and says why.
#[test]
fn a_failed_lock_is_said_once_and_not_tried_at_every_command() {
    let (_full, mirror) = node_without_sums();
    let config = publishers::node::config(&mirror);
    let p = Project::new(&config, "[tools]\nnode = \"20.11.1\"\n");
    let exec = || {
        let out = p.vx().args(["exec", "--", "true"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stderr(&out)
    };
    let first = exec();
    assert!(first.contains("SHASUMS256.txt"), "{first}");
    let asked = mirror.hits();
    let second = exec();
    assert_eq!(
        mirror.hits(),
        asked,
        "the network was asked again: {second}"
    );
    assert!(
        second.contains("running without node 20.11.1")
            && second.contains("(the project's lock failed when a command tried it; `vx lock` says why); `vx sync` tries again")
            && !second.contains("SHASUMS256.txt"),
        "{second}"
    );
    let out = p.vx().arg("sync").output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("SHASUMS256.txt"), "{}", stderr(&out));
    assert!(mirror.hits() > asked);
    // An edit of vx.toml is a new request: tried again.
    std::fs::write(p.work.manifest(), "[tools]\nnode = \"20.11\"\n").unwrap();
    let asked = mirror.hits();
    let again = exec();
    assert!(mirror.hits() > asked, "{again}");
}
