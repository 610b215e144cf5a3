//! The user config and `vx config` end to end (issue 28): strict reading with
//! file:line:col and "did you mean", `vx config list` with sources and masked secrets,
//! the precedence of the environment over the project over the user config, vx.toml
//! refusing credentials, and `url_replacements` sending a download elsewhere.

use crate::common;

use std::path::PathBuf;

use common::*;
use vx_base::format::ArchiveFormat;
use vx_fixture::{Route, TestServer, sha256_hex};

/// `vx ARGS` on `work`'s machine (its own home, no network settings of the host).
fn vx(work: &Work) -> assert_cmd::Command {
    let mut cmd = work.vx();
    isolated(&mut cmd, &home(work));
    cmd
}

/// `vx sync EXTRA` of `work`'s manifest and store on `work`'s machine.
fn sync(work: &Work, extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = work.sync(extra);
    isolated(&mut cmd, &home(work));
    cmd
}

fn home(work: &Work) -> PathBuf {
    work.dir.path().join("home")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn an_unknown_key_in_the_user_config_is_an_error_at_its_place_with_a_suggestion() {
    let work = Work::new();
    let path = write_user_config(
        &home(&work),
        "[github]\nurl = \"https://ghe.corp\"\n  tokn = \"ghp_x\"\n",
    );
    let expected = format!(
        "{}:3:3: unknown key `tokn` in `[github]`; did you mean `token`?",
        path.display()
    );
    let (_, stderr) = output_of(vx(&work).args(["config", "list"]), 2);
    assert!(stderr.contains(&expected), "{stderr}");
    // A sync says the same, before anything is fetched.
    work.write_manifest(&tool_toml(
        "t",
        "1",
        "http://127.0.0.1:9/t.tar.gz",
        &"0".repeat(64),
    ));
    let (_, stderr) = output_of(&mut sync(&work, &[]), 2);
    assert!(stderr.contains(&expected), "{stderr}");
    assert!(!stderr.contains("ghp_x"));
}

#[test]
fn config_list_says_where_each_setting_came_from_and_masks_secrets() {
    let work = Work::new();
    let path = write_user_config(
        &home(&work),
        "[github]\ntoken = \"ghp_s3cret\"\n\n[http.headers.\"artifacts.corp\"]\nAuthorization = \"Bearer ${ART_TOKEN}\"\n",
    );
    work.write_manifest(
        "[settings]\nmirrors = [\"oci://registry.corp/vx\"]\n\n[tools]\nrg = \"14\"\n",
    );
    let (listed, _) = output_of(
        vx(&work)
            .args(["config", "list"])
            .env("HTTPS_PROXY", "http://bob:pr0xy-pw@proxy.corp:3128")
            .env("VX_GITHUB_URL", "https://ghe.corp"),
        0,
    );
    let line = |key: &str| {
        listed
            .lines()
            .find(|l| l.split_whitespace().next() == Some(key))
            .unwrap_or_else(|| panic!("no {key} in\n{listed}"))
            .to_owned()
    };
    let user = |n: usize| format!("(user {}:{n})", path.display());
    assert!(line("github.token").contains("***"), "{listed}");
    assert!(line("github.token").ends_with(&user(2)), "{listed}");
    assert!(
        line("http.headers.\"artifacts.corp\".Authorization")
            .ends_with(&format!("***  {}", user(5)))
    );
    assert!(
        line("github.url").ends_with("https://ghe.corp  (env VX_GITHUB_URL)"),
        "{listed}"
    );
    // The API base nobody set follows the web base, and says so.
    assert!(
        line("github.api_url").ends_with("https://ghe.corp/api/v3  (env VX_GITHUB_URL)"),
        "{listed}"
    );
    assert!(
        line("proxy.https").contains("http://bob:***@proxy.corp:3128  (env HTTPS_PROXY)"),
        "{listed}"
    );
    assert!(
        line("mirrors").ends_with(&format!("(project {}:2)", work.manifest().display())),
        "{listed}"
    );
    for secret in ["ghp_s3cret", "ART_TOKEN", "pr0xy-pw"] {
        assert!(!listed.contains(secret), "{secret} in\n{listed}");
    }
    // `get` prints the value alone; a known key that is not set exits 1.
    let (stdout, _) = output_of(vx(&work).args(["config", "get", "github.token"]), 0);
    assert_eq!(stdout, "***\n");
    vx(&work)
        .args(["config", "get", "registry.standard_ref"])
        .assert()
        .code(1)
        .stdout("");
    let (_, stderr) = output_of(vx(&work).args(["config", "get", "github.tokn"]), 2);
    assert!(stderr.contains("did you mean `github.token`?"), "{stderr}");
    let (stdout, _) = output_of(vx(&work).args(["config", "path"]), 0);
    assert_eq!(stdout, format!("{}\n", path.display()));
}

#[test]
fn the_environment_comes_before_the_project_which_comes_before_the_user() {
    let work = Work::new();
    let path = write_user_config(
        &home(&work),
        "mirrors = [\"file:///user\"]\n[url_replacements]\n\"https://github.com/\" = \"https://user.corp/\"\n",
    );
    let get = |key: &str, env: Option<&str>| {
        let mut cmd = vx(&work);
        cmd.args(["config", "list", "--json"]);
        if let Some(value) = env {
            cmd.env("VX_MIRRORS", value);
        }
        let out = cmd.assert().code(0).get_output().stdout.clone();
        let all: serde_json::Value = serde_json::from_slice(&out).unwrap();
        all.as_array()
            .unwrap()
            .iter()
            .find(|e| e["key"] == key)
            .cloned()
            .unwrap_or_else(|| panic!("no {key} in {all}"))
    };
    let user = format!("user {}:1", path.display());
    let mirrors = get("mirrors", None);
    assert_eq!(mirrors["value"], serde_json::json!(["file:///user"]));
    assert_eq!(mirrors["sources"], serde_json::json!([user]));
    let rule = get("url_replacements.\"https://github.com/\"", None);
    assert_eq!(rule["value"], "https://user.corp/");

    // The project: its mirror first, then the user's; its rule for the same key wins.
    work.write_manifest(
        "[settings]\nmirrors = [\"file:///project\"]\n\n[settings.url_replacements]\n\"https://github.com/\" = \"https://project.corp/\"\n\n[tools]\nrg = \"14\"\n",
    );
    let project = |line: usize| format!("project {}:{line}", work.manifest().display());
    let mirrors = get("mirrors", None);
    assert_eq!(
        mirrors["value"],
        serde_json::json!(["file:///project", "file:///user"])
    );
    assert_eq!(mirrors["sources"], serde_json::json!([project(2), user]));
    let rule = get("url_replacements.\"https://github.com/\"", None);
    assert_eq!(rule["value"], "https://project.corp/");
    assert_eq!(rule["sources"], serde_json::json!([project(5)]));

    // The environment replaces both.
    let mirrors = get("mirrors", Some("oci://registry.corp/vx"));
    assert_eq!(
        mirrors["value"],
        serde_json::json!(["oci://registry.corp/vx"])
    );
    assert_eq!(mirrors["sources"], serde_json::json!(["env VX_MIRRORS"]));
}

#[test]
fn a_credential_in_vx_toml_is_refused_at_its_place() {
    let work = Work::new();
    let tools = tool_toml("t", "1", "http://127.0.0.1:9/t.tar.gz", &"0".repeat(64));
    for (settings, place, secret) in [
        (
            "[settings]\ntoken = \"ghp_in_vx_toml\"\n\n",
            ":2:1:",
            "ghp_in_vx_toml",
        ),
        (
            "[settings]\nmirrors = [\"https://bob:pw-in-url@cache.corp/{sha256}\"]\n\n",
            ":2:12:",
            "pw-in-url",
        ),
    ] {
        work.write_manifest(&format!("{settings}{tools}"));
        let (_, err) = output_of(&mut sync(&work, &[]), 2);
        assert!(
            err.contains(&format!("{}{place}", work.manifest().display())),
            "{err}"
        );
        assert!(err.contains("belong in the user config"), "{err}");
        assert!(!err.contains(secret), "{err}");
    }
}

#[test]
fn url_replacements_send_downloads_elsewhere_and_verbose_shows_it() {
    let work = Work::new();
    let a = archive(ArchiveFormat::TarGz, b"a".to_vec());
    let b = archive(ArchiveFormat::TarGz, b"b".to_vec());
    // The origin would serve them too: it must not be asked.
    let origin = TestServer::start([
        ("/dl/ta.tar.gz", Route::Ok(a.clone())),
        ("/dl/tb.tar.gz", Route::Ok(b.clone())),
    ]);
    let replacement = TestServer::start([
        ("/project/ta.tar.gz", Route::Ok(a.clone())),
        ("/user/dl/tb.tar.gz", Route::Ok(b.clone())),
    ]);
    let origin_url = origin.url("/dl/");
    let port = origin_url
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    // The project's prefix rule for ta; the user's regex rule for the rest.
    work.write_manifest(&format!(
        "[settings.url_replacements]\n\"{}\" = \"{}\"\n\n{}{}",
        origin.url("/dl/ta"),
        replacement.url("/project/ta"),
        tool_toml("ta", "1", &origin.url("/dl/ta.tar.gz"), &sha256_hex(&a)),
        tool_toml("tb", "1", &origin.url("/dl/tb.tar.gz"), &sha256_hex(&b)),
    ));
    write_user_config(
        &home(&work),
        &format!(
            "[url_replacements]\n'regex:^http://127\\.0\\.0\\.1:{port}/(.*)$' = \"{}$1\"\n",
            replacement.url("/user/")
        ),
    );
    let (_, err) = output_of(&mut sync(&work, &["-v", "--headless"]), 0);
    assert_eq!(origin.hits(), 0, "the origin was asked");
    assert_eq!(replacement.hits(), 2);
    for (from, to) in [
        (
            origin.url("/dl/ta.tar.gz"),
            replacement.url("/project/ta.tar.gz"),
        ),
        (
            origin.url("/dl/tb.tar.gz"),
            replacement.url("/user/dl/tb.tar.gz"),
        ),
    ] {
        let line = format!("vx: {from} → {to}");
        assert_eq!(err.matches(&line).count(), 1, "once: {line} in\n{err}");
    }
    assert!(
        crate::common::tree_in(work.store(), "ta", "1")
            .join("bin/tool")
            .is_file()
    );
    assert!(
        crate::common::tree_in(work.store(), "tb", "1")
            .join("bin/tool")
            .is_file()
    );
}

/// A project whose registry `corp` is served by `origin`, and whose
/// `url_replacements` send `origin`'s URLs to `replacement` (which serves the same
/// file under `/corp/`): (the project, origin, replacement).
fn rewritten_registry() -> (Work, TestServer, TestServer) {
    let work = Work::new();
    let registry = b"packages:\n  - type: github_release\n    repo_owner: acme\n    repo_name: widget\n    asset: widget-{{.Version}}-{{.OS}}-{{.Arch}}.tar.gz\n".to_vec();
    let origin = TestServer::start([("/registry.yaml", Route::Ok(registry.clone()))]);
    let replacement = TestServer::start([("/corp/registry.yaml", Route::Ok(registry))]);
    work.write_manifest(&format!(
        "[settings]\nregistries = [{{ name = \"corp\", url = \"{}\" }}]\n\n[settings.url_replacements]\n\"{}\" = \"{}\"\n\n[tools]\nwidget = \"1\"\n",
        origin.url("/registry.yaml"),
        origin.url("/"),
        replacement.url("/corp/"),
    ));
    (work, origin, replacement)
}

/// The registry file is fetched from the replacement; where it went is said with `-v`
/// only (issue 49, item 8: the lines printed at every run, cut mid-URL).
#[test]
fn url_replacements_apply_to_registry_files_and_the_progress_line_says_so() {
    let (work, origin, replacement) = rewritten_registry();
    let line = format!(
        "vx: {} → {}",
        origin.url("/registry.yaml"),
        replacement.url("/corp/registry.yaml")
    );
    for (verbose, lines) in [(false, 0), (true, 1)] {
        // Releases are asked of a GitHub that is not there: the registry file is what
        // this test is about, and it is fetched first.
        let out = vx(&work)
            .args(["lock", "--dry-run", "--manifest"])
            .arg(work.manifest())
            .args(verbose.then_some("-v"))
            .env("VX_GITHUB_URL", "http://127.0.0.1:9")
            .env(
                "VX_CACHE_DIR",
                work.dir.path().join(format!("cache-{verbose}")),
            )
            .output()
            .unwrap();
        let err = text(&out.stderr);
        assert_eq!(origin.hits(), 0, "the origin was asked: {err}");
        assert_eq!(
            err.matches(&line).count(),
            lines,
            "-v {verbose}: {line} in\n{err}"
        );
    }
    assert_eq!(replacement.hits(), 2);
}

/// The project's `url_replacements` also apply to the registry commands that read the
/// project (`vx outdated`, `vx versions`, `vx add`), not only to sync and lock.
#[test]
fn url_replacements_of_the_project_apply_to_outdated_versions_and_add() {
    let (work, origin, replacement) = rewritten_registry();
    for (n, args) in [
        vec!["outdated"],
        vec!["versions", "widget"],
        vec!["add", "widget@1"],
    ]
    .into_iter()
    .enumerate()
    {
        // Releases are asked of a GitHub that is not there: the registry file comes
        // first, and it is what this test is about.
        let out = vx(&work)
            .args(&args)
            .arg("--manifest")
            .arg(work.manifest())
            .env("VX_GITHUB_URL", "http://127.0.0.1:9")
            .env("VX_CACHE_DIR", work.dir.path().join(format!("cache{n}")))
            .output()
            .unwrap();
        let err = text(&out.stderr);
        assert_eq!(origin.hits(), 0, "vx {args:?} asked the origin: {err}");
        assert_eq!(replacement.hits(), n + 1, "vx {args:?}: {err}");
    }
}

/// A registry named by URL alone is fetched once and kept; `vx registry update` fetches
/// it again, says what changed, and what it now holds is found.
#[test]
fn registry_update_fetches_a_url_registry_again_and_says_it_changed() {
    use vx_fixture::github::{FixtureRelease, GithubFixture};
    let widget = "  - type: github_release\n    repo_owner: acme\n    repo_name: widget\n    asset: widget-{{.Version}}.tar.gz\n";
    let gadget = "  - type: github_release\n    repo_owner: acme\n    repo_name: gadget\n    asset: gadget-{{.Version}}.tar.gz\n";
    let first = format!("packages:\n{widget}").into_bytes();
    let second = format!("packages:\n{widget}{gadget}").into_bytes();
    let old = TestServer::start([("/registry.yaml", Route::Ok(first.clone()))]);
    let new = TestServer::start([("/registry.yaml", Route::Ok(second.clone()))]);
    // aqua-registry's newest release is the one vx pins: only `corp` has news.
    let github = GithubFixture::builder()
        .release(
            "aquaproj",
            "aqua-registry",
            FixtureRelease::new(vx_sources::registry::source::STANDARD_REF),
        )
        .start()
        .unwrap();
    let work = Work::new();
    // The company's host, reached through a replacement that moves from the old copy
    // to the new one, as a company's server changes under the same URL.
    let manifest = |server: &TestServer| {
        format!(
            "[settings]\nregistries = [{{ name = \"corp\", url = \"https://corp.example/vx/registry.yaml\" }}]\n\n[settings.url_replacements]\n\"https://corp.example/vx/\" = \"{}\"\n\n[tools]\nwidget = \"1\"\n",
            server.url("/")
        )
    };
    let search = |term: &str| {
        vx(&work)
            .args(["search", term])
            .env("VX_GITHUB_URL", github.web_url())
            .output()
            .unwrap()
    };
    work.write_manifest(&manifest(&old));
    let first_search = search("widget");
    assert_eq!(
        first_search.status.code(),
        Some(0),
        "{}",
        text(&first_search.stderr)
    );
    work.write_manifest(&manifest(&new));
    // Kept: the copy fetched first still answers.
    assert_eq!(search("gadget").status.code(), Some(1));
    assert_eq!(new.hits(), 0);

    let (_, err) = output_of(
        vx(&work)
            .args(["registry", "update"])
            .env("VX_GITHUB_URL", github.web_url()),
        0,
    );
    assert!(
        err.contains(&format!(
            "registry `corp` changed: sha256 {} → {}",
            sha256_hex(&first),
            sha256_hex(&second)
        )),
        "{err}"
    );
    assert!(err.contains("already at its newest release"), "{err}");
    let found = search("gadget");
    assert_eq!(found.status.code(), Some(0), "{}", text(&found.stderr));
    assert!(text(&found.stdout).contains("acme/gadget"));

    // Again, with nothing new: said so.
    let out = vx(&work)
        .args(["registry", "update"])
        .env("VX_GITHUB_URL", github.web_url())
        .output()
        .unwrap();
    assert!(
        text(&out.stderr).contains("registry `corp` is unchanged"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn config_list_and_get_know_the_task_caches_settings_and_where_each_came_from() {
    let work = Work::new();
    let path = write_user_config(&home(&work), "task_cache = \"oci://user.corp/results\"\n");
    let list = |env: Option<&str>| {
        let mut cmd = vx(&work);
        cmd.args(["config", "list", "--json"]);
        if let Some(value) = env {
            cmd.env("VX_TASK_CACHE", value);
        }
        let out = cmd.assert().code(0).get_output().stdout.clone();
        let all: serde_json::Value = serde_json::from_slice(&out).unwrap();
        all.as_array().unwrap().clone()
    };
    let find = |all: &[serde_json::Value], key: &str| {
        all.iter()
            .find(|e| e["key"] == key)
            .cloned()
            .unwrap_or_else(|| panic!("no {key} in {all:?}"))
    };
    // A project naming none of them: the user's registry, the default size.
    work.write_manifest("[tools]\n");
    let all = list(None);
    let remote = find(&all, "task_cache");
    assert_eq!(remote["value"], "oci://user.corp/results");
    assert_eq!(
        remote["sources"],
        serde_json::json!([format!("user {}:1", path.display())])
    );
    let size = find(&all, "task_cache_size");
    assert_eq!(size["value"], 4u64 << 30);
    assert_eq!(size["sources"], serde_json::json!(["default"]));

    // The project's, each at its line.
    let key = "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3";
    work.write_manifest(&format!(
        "[settings]\ntask_cache = \"oci://project.corp/results\"\ntask_cache_keys = [\"{key}\"]\ntask_cache_size = \"1GiB\"\ntask_cache_salt = \"2026-q3\"\n\n[tools]\n"
    ));
    let project =
        |line: usize| serde_json::json!([format!("project {}:{line}", work.manifest().display())]);
    let all = list(None);
    for (name, value, line) in [
        (
            "task_cache",
            serde_json::json!("oci://project.corp/results"),
            2,
        ),
        ("task_cache_keys", serde_json::json!([key]), 3),
        ("task_cache_size", serde_json::json!(1u64 << 30), 4),
        ("task_cache_salt", serde_json::json!("2026-q3"), 5),
    ] {
        let entry = find(&all, name);
        assert_eq!(entry["value"], value, "{name}");
        assert_eq!(entry["sources"], project(line), "{name}");
    }
    // The environment over both.
    let remote = find(&list(Some("oci://env.corp/results")), "task_cache");
    assert_eq!(remote["value"], "oci://env.corp/results");
    assert_eq!(remote["sources"], serde_json::json!(["env VX_TASK_CACHE"]));

    // `get` prints the value alone; the text listing names the source.
    let out = vx(&work)
        .args(["config", "get", "task_cache_salt"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(text(&out), "2026-q3\n");
    let out = vx(&work)
        .args(["config", "get", "task_cache_keys"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(text(&out), format!("{key}\n"));
    let out = vx(&work)
        .args(["config", "list"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let line = text(&out)
        .lines()
        .find(|l| l.starts_with("task_cache_size"))
        .unwrap()
        .to_owned();
    assert!(
        line.contains("1073741824") && line.contains(":4)"),
        "{line}"
    );
}
