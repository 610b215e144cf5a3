//! Tools by name (issue 27), end to end with the real binary: a registry in aqua's
//! format (`tests/data/registry.yaml`) and a loopback GitHub in the API's shapes
//! (`vx_fixture::github`), whose request log shows what vx fetched. `vx add` by short
//! name, locks for three platforms without downloading an archive, sync and `vx CMD`,
//! constraint bumps, `vx outdated`/`upgrade`, `vx x` outside a project, name errors,
//! unsupported packages, offline, rate limits, `min_release_age`, and a standard
//! registry that is not the one pinned.

use crate::common;

use std::path::PathBuf;

use common::*;
use vx_base::format::ArchiveFormat;
use vx_fixture::github::{FixtureChange, FixtureRelease, GithubFixture};
use vx_fixture::{Item, archive_bytes, sha256_hex};

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// A script that says its tool and version and echoes its arguments.
fn script(tool: &str, version: &str) -> Vec<u8> {
    format!("#!/bin/sh\necho \"{tool} {version} $*\"\n").into_bytes()
}

/// A tar.gz (zip on Windows) holding `path` as an executable script.
fn archive_with(path: &str, format: ArchiveFormat, body: Vec<u8>) -> Vec<u8> {
    archive_bytes(format, &[Item::File(leak(path.to_owned()), body, 0o755)])
}

/// The ripgrep release `version`'s assets and their `.sha256` files, per platform as
/// the registry spells them.
fn ripgrep_release(version: &str, published: &str) -> FixtureRelease {
    let mut release = FixtureRelease::new(version).published(published);
    for platform in locked_platforms() {
        let (os, arch) = go_names(&platform);
        let triple_os = match os {
            "linux" => "unknown-linux-musl",
            "darwin" => "apple-darwin",
            _ => "pc-windows-msvc",
        };
        let triple_arch = if arch == "amd64" { "x86_64" } else { "aarch64" };
        let (format, ext, exe) = if os == "windows" {
            (ArchiveFormat::Zip, "zip", ".exe")
        } else {
            (ArchiveFormat::TarGz, "tar.gz", "")
        };
        let stem = format!("ripgrep-{version}-{triple_arch}-{triple_os}");
        let bytes = archive_with(&format!("{stem}/rg{exe}"), format, script("rg", version));
        let name = format!("{stem}.{ext}");
        let sums = format!("{}  {name}\n", sha256_hex(&bytes));
        release = release
            .asset_without_digest(&format!("{name}.sha256"), sums.into_bytes())
            .asset_without_digest(&name, bytes);
    }
    release
}

/// The fd release `tag` with a goreleaser `checksums.txt`.
fn fd_release(tag: &str) -> FixtureRelease {
    let version = tag.trim_start_matches('v');
    let mut release = FixtureRelease::new(tag).published("2024-01-01T00:00:00Z");
    let mut sums = String::new();
    for platform in locked_platforms() {
        let (os, arch) = go_names(&platform);
        let (format, ext, file) = if os == "windows" {
            (ArchiveFormat::Zip, "zip", "fd.exe")
        } else {
            (ArchiveFormat::TarGz, "tar.gz", "fd")
        };
        let name = format!("fd_{version}_{os}_{arch}.{ext}");
        let bytes = archive_with(file, format, script("fd", version));
        sums.push_str(&format!("{}  {name}\n", sha256_hex(&bytes)));
        release = release.asset_without_digest(&name, bytes);
    }
    release.asset_without_digest("checksums.txt", sums.into_bytes())
}

/// The jq release `tag`: bare executables, checksummed by GitHub's digests only.
fn jq_release(tag: &str) -> FixtureRelease {
    let version = tag.trim_start_matches("jq-");
    let mut release = FixtureRelease::new(tag).published("2024-01-01T00:00:00Z");
    for platform in locked_platforms() {
        let (os, arch) = go_names(&platform);
        let os = if os == "darwin" { "macos" } else { os };
        let exe = if os == "windows" { ".exe" } else { "" };
        release = release.asset(&format!("jq-{os}-{arch}{exe}"), script("jq", version));
    }
    release
}

/// The yq release `tag`: a file named by platform inside, a raw `checksums.txt`.
fn yq_release(tag: &str) -> FixtureRelease {
    let mut release = FixtureRelease::new(tag).published("2024-01-01T00:00:00Z");
    let mut sums = String::new();
    for platform in locked_platforms() {
        let (os, arch) = go_names(&platform);
        let name = format!("yq_{os}_{arch}.tar.gz");
        let bytes = archive_with(
            &format!("yq_{os}_{arch}"),
            ArchiveFormat::TarGz,
            script("yq", tag),
        );
        sums.push_str(&format!("{}  {name}\n", sha256_hex(&bytes)));
        release = release.asset_without_digest(&name, bytes);
    }
    release.asset_without_digest("checksums.txt", sums.into_bytes())
}

/// A project whose registry is `tests/data/registry.yaml`, served by a loopback GitHub
/// with releases of its packages.
struct World {
    work: Work,
    github: GithubFixture,
}

/// A time `days` ago, as GitHub writes it.
fn days_ago(days: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    vx_base::utc::rfc3339(now - days * 86_400)
}

impl World {
    fn new() -> World {
        World::with(|b| b)
    }

    /// With more of the fixture set by `extra`.
    fn with(
        extra: impl FnOnce(
            vx_fixture::github::GithubFixtureBuilder,
        ) -> vx_fixture::github::GithubFixtureBuilder,
    ) -> World {
        let terraform = |version: &str| {
            archive_with(
                "terraform",
                ArchiveFormat::Zip,
                script("terraform", version),
            )
        };
        let mut builder = GithubFixture::builder()
            .release(
                "acme",
                "ripgrep",
                FixtureRelease::new("1.0.0").published("2019-01-01T00:00:00Z"),
            )
            .release(
                "acme",
                "ripgrep",
                ripgrep_release("14.0.0", "2024-01-01T00:00:00Z"),
            )
            .release("acme", "ripgrep", ripgrep_release("14.1.1", &days_ago(1)))
            .release(
                "acme",
                "ripgrep",
                ripgrep_release("15.0.0-rc.1", "2024-06-01T00:00:00Z").prerelease(),
            )
            .release("acme", "fd", fd_release("v10.1.0"))
            .release("acme", "fd", fd_release("v10.2.0"))
            .release("acme", "jq", jq_release("jq-1.7.1"))
            .release("acme", "yq", yq_release("v4.44.0"))
            .release("acme", "oldtool", FixtureRelease::new("v1.0.0"))
            .tag("acme", "terraform", "v1.9.0")
            .tag("acme", "terraform", "v1.10.0")
            .page_size(2);
        let here = vx_model::manifest::Platform::current().to_string();
        let (os, arch) = go_names(&here);
        builder = builder.file(
            &format!("/terraform/1.10.0/terraform_1.10.0_{os}_{arch}.zip"),
            terraform("1.10.0"),
        );
        let github = extra(builder).start().unwrap();
        let work = Work::new();
        let host = github.web_url().trim_start_matches("http://").to_owned();
        let registry = std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/registry.yaml"),
        )
        .unwrap()
        .replace("@HTTP_HOST@", &host);
        std::fs::write(work.dir.path().join("registry.yaml"), registry).unwrap();
        std::fs::create_dir_all(work.dir.path().join("config")).unwrap();
        World { work, github }
    }

    fn settings(&self) -> String {
        let list: Vec<String> = locked_platforms()
            .iter()
            .map(|p| format!("\"{p}\""))
            .collect();
        format!(
            "[settings]\nplatforms = [{}]\nregistries = [{{ name = \"test\", path = \"registry.yaml\" }}]\n",
            list.join(", ")
        )
    }

    /// Writes vx.toml: the test registry's [`World::settings`], then `tools` (the
    /// lines of its `[tools]` table).
    fn write_tools(&self, tools: &str) {
        self.work
            .write_manifest(&format!("{}\n[tools]\n{tools}", self.settings()));
    }

    /// Runs `vx ARGS` and checks it prints `expected` (stderr shown when not).
    fn prints(&self, args: &[&str], expected: &str) {
        let out = self.vx(args).output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            expected,
            "{}",
            stderr_of(&out)
        );
    }

    /// The version vx.lock pins `tool` at.
    fn locked_version(&self, tool: &str) -> Option<String> {
        self.lock()["tools"][tool]["version"]
            .as_str()
            .map(str::to_owned)
    }

    /// `vx ARGS` against the fixture, with its own cache, config and store.
    fn vx(&self, args: &[&str]) -> assert_cmd::Command {
        vx_against(&self.work, &self.github.web_url(), args)
    }

    /// The JSON `vx ARGS` prints, which must exit 0.
    fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_slice(&stdout_of(&mut self.vx(args), 0)).unwrap()
    }

    fn downloads(&self) -> Vec<String> {
        self.github
            .requests()
            .into_iter()
            .filter(|r| {
                r.is_download()
                    && !r.path.ends_with(".sha256")
                    && !r.path.ends_with("checksums.txt")
            })
            .map(|r| r.path)
            .collect()
    }

    fn lock(&self) -> toml::Table {
        let text = std::fs::read_to_string(self.work.dir.path().join("vx.lock")).unwrap();
        text.parse().unwrap()
    }

    fn toml(&self) -> String {
        std::fs::read_to_string(self.work.manifest()).unwrap()
    }
}

/// A JSON value's text, empty when it is not a string (the assertion then shows it).
fn text(value: &serde_json::Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// `vx registry show --json`'s entry for `platform` in `shown`, checked to download a
/// URL ending in `suffix`.
fn platform_shown<'v>(
    shown: &'v serde_json::Value,
    platform: &str,
    suffix: &str,
) -> &'v serde_json::Value {
    let entry = &shown["platforms"][platform];
    assert!(text(&entry["url"]).ends_with(suffix), "{platform}: {entry}");
    entry
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn platform_entry<'t>(lock: &'t toml::Table, tool: &str, platform: &str) -> &'t toml::Table {
    lock["tools"][tool]["platforms"][platform]
        .as_table()
        .unwrap_or_else(|| panic!("{tool} has no {platform} in the lock"))
}

#[test]
fn three_tools_added_by_name_lock_every_platform_without_downloading_an_archive() {
    let w = World::new();
    w.work
        .write_manifest(&format!("# our tools\n{}", w.settings()));
    for tool in ["ripgrep", "fd@10", "jq"] {
        w.vx(&["add", tool, "--headless"]).assert().code(0);
    }
    let toml = w.toml();
    assert!(toml.starts_with("# our tools\n"), "{toml}");
    for line in ["ripgrep = \"14\"", "fd = \"10\"", "jq = \"1\""] {
        assert!(toml.contains(line), "{line} in:\n{toml}");
    }
    assert!(
        w.downloads().is_empty(),
        "archives fetched: {:?}",
        w.downloads()
    );
    let lock = w.lock();
    assert_eq!(lock["tools"]["ripgrep"]["version"].as_str(), Some("14.1.1"));
    assert_eq!(lock["tools"]["ripgrep"]["constraint"].as_str(), Some("14"));
    assert_eq!(
        lock["tools"]["ripgrep"]["package"].as_str(),
        Some("test:acme/ripgrep")
    );
    assert_eq!(lock["tools"]["fd"]["tag"].as_str(), Some("v10.2.0"));
    assert_eq!(lock["tools"]["jq"]["version"].as_str(), Some("1.7.1"));
    for platform in locked_platforms() {
        let rg = platform_entry(&lock, "ripgrep", &platform);
        assert!(
            rg["checksum"]
                .as_str()
                .unwrap()
                .starts_with("checksum-file:"),
            "{rg:?}"
        );
        let fd = platform_entry(&lock, "fd", &platform);
        assert!(
            fd["checksum"].as_str().unwrap().ends_with("/checksums.txt"),
            "{fd:?}"
        );
        let jq = platform_entry(&lock, "jq", &platform);
        assert_eq!(jq["checksum"].as_str(), Some("github-digest"), "{jq:?}");
        assert_eq!(jq["format"].as_str(), Some("raw"));
    }
    let linux = platform_entry(&lock, "ripgrep", "linux-x86_64");
    assert!(
        linux["url"].as_str().unwrap().ends_with(
            "/acme/ripgrep/releases/download/14.1.1/ripgrep-14.1.1-x86_64-unknown-linux-musl.tar.gz"
        ),
        "{linux:?}"
    );

    // A sync of the locked project asks GitHub nothing but this platform's archives.
    w.github.clear_requests();
    w.vx(&["sync", "--headless"]).assert().code(0);
    let asked = w.github.requests();
    assert!(asked.iter().all(|r| r.is_download()), "{asked:?}");
    assert_eq!(asked.len(), 3, "{asked:?}");
    #[cfg(unix)]
    {
        w.prints(&["rg", "hello"], "rg 14.1.1 hello\n");
        w.prints(&["jq", "-n"], "jq 1.7.1 -n\n");
    }
}

#[test]
fn a_constraint_bump_relocks_every_platform_and_upgrade_moves_within_it() {
    let w = World::new();
    w.write_tools("ripgrep = \"14.0\"  # the LTS\n");
    w.vx(&["lock", "--headless"]).assert().code(0);
    assert_eq!(w.locked_version("ripgrep").as_deref(), Some("14.0.0"));

    // outdated: locked 14.0.0, wanted 14.0.0, latest 14.1.1 (the rc is a pre-release).
    let value = w.json(&["outdated", "--json"]);
    let rg = &value["tools"][0];
    assert_eq!(rg["name"], "ripgrep");
    assert_eq!(rg["locked"], "14.0.0");
    assert_eq!(rg["wanted"], "14.0.0");
    assert_eq!(rg["latest"], "14.1.1");

    // A plain upgrade stays within "14.0".
    w.vx(&["upgrade", "--headless"]).assert().code(0);
    assert_eq!(w.locked_version("ripgrep").as_deref(), Some("14.0.0"));

    // --latest moves the constraint (comment kept) and the lock, for every platform.
    w.github.clear_requests();
    w.vx(&["upgrade", "--latest", "--headless"])
        .assert()
        .code(0);
    let toml = w.toml();
    assert!(toml.contains("ripgrep = \"14\"  # the LTS"), "{toml}");
    let lock = w.lock();
    assert_eq!(lock["tools"]["ripgrep"]["version"].as_str(), Some("14.1.1"));
    for platform in locked_platforms() {
        let url = platform_entry(&lock, "ripgrep", &platform)["url"]
            .as_str()
            .unwrap();
        assert!(url.contains("/14.1.1/"), "{platform}: {url}");
        assert!(
            platform_entry(&lock, "ripgrep", &platform)
                .get("stale")
                .is_none()
        );
    }
    assert!(w.downloads().is_empty(), "{:?}", w.downloads());

    // Naming the pre-release exactly picks it.
    w.write_tools("ripgrep = \"15.0.0-rc.1\"\n");
    w.vx(&["lock", "--headless"]).assert().code(0);
    assert_eq!(w.locked_version("ripgrep").as_deref(), Some("15.0.0-rc.1"));
}

#[test]
fn versions_search_and_dry_run_answer_from_the_registry() {
    let w = World::new();
    w.write_tools("ripgrep = \"14\"\nterraform = \"1\"\n");
    let value = w.json(&["lock", "--dry-run", "--json"]);
    let tools = value["tools"].as_array().unwrap();
    assert_eq!(tools[0]["name"], "ripgrep");
    assert_eq!(tools[0]["version"], "14.1.1");
    assert_eq!(tools[0]["package"], "test:acme/ripgrep");
    let linux = &tools[0]["platforms"]["linux-x86_64"];
    assert!(
        text(&linux["checksum_source"]).starts_with("checksum-file:"),
        "{linux}"
    );
    // terraform: a URL of its own, versions from tags, no checksum published.
    assert_eq!(tools[1]["version"], "1.10.0");
    assert_eq!(
        tools[1]["platforms"]["linux-x86_64"]["checksum_source"],
        "download"
    );
    assert!(
        !w.work.dir.path().join("vx.lock").exists(),
        "a dry run writes nothing"
    );
    assert!(w.downloads().is_empty(), "{:?}", w.downloads());

    let value = w.json(&["versions", "ripgrep", "--json"]);
    let versions: Vec<&str> = value["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap())
        .collect();
    // Newest first; the rc is listed; 1.0.0 is not offered: the registry says it has
    // no asset (as aqua's own version lists leave it out).
    assert_eq!(versions, ["15.0.0-rc.1", "14.1.1", "14.0.0"]);

    // The project's registry's hits (the standard one, shipped in vx, has its own).
    let value = w.json(&["search", "linter", "--json"]);
    let mut names: Vec<&str> = value["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["registry"] == "test")
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["alpha/lint", "beta/lint"]);

    // Runtimes rank as packages do (issue 49, item 8): `rg` is ripgrep's command, and
    // node's description only happens to hold the letters ("nodejs.org").
    let value = w.json(&["search", "rg", "--json"]);
    let results = value["results"].as_array().unwrap();
    let at = |name: &str| results.iter().position(|v| v["name"] == name);
    assert_eq!(results[0]["short_name"], "ripgrep", "{value}");
    let (ripgrep, node) = (at("BurntSushi/ripgrep").unwrap(), at("node"));
    assert!(node.is_none_or(|n| n > ripgrep), "{value}");
    // A runtime's own name still comes first.
    let value = w.json(&["search", "node", "--json"]);
    assert_eq!(value["results"][0]["name"], "node", "{value}");
}

#[test]
fn ambiguous_unknown_and_unsupported_names_are_refused_before_vx_toml_changes() {
    // The standard registry is pinned by the lock to one the fixture serves.
    let standard = b"packages:\n  - type: github_release\n    repo_owner: acme\n    repo_name: standard-only\n    asset: x.tar.gz\n".to_vec();
    let standard_sha = sha256_hex(&standard);
    let w = World::with(|b| standard_registry(b, standard.clone()));
    let start = format!("{}\n[tools]\nripgrep = \"14\"\n", w.settings());
    w.work.write_manifest(&start);
    std::fs::write(
        w.work.dir.path().join("vx.lock"),
        format!("version = 1\n\n[registries.standard]\nref = \"v9.9.9\"\nsha256 = \"sha256:{standard_sha}\"\n"),
    )
    .unwrap();

    let out = w.vx(&["add", "lint"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("ambiguous") && err.contains("alpha/lint") && err.contains("beta/lint"),
        "{err}"
    );

    let out = w.vx(&["add", "ripgrpe"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("ripgrpe") && err.contains("acme/ripgrep"),
        "{err}"
    );

    let out = w.vx(&["add", "gotool"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains("go_install"), "{err}");
    assert_eq!(w.toml(), start, "vx.toml is untouched");

    // A name only the standard registry has is found there.
    let out = w
        .vx(&["search", "standard-only", "--json"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("acme/standard-only"));

    // In vx.toml, the name's place is given.
    w.write_tools("ripgrep = \"14\"\nlint = \"1\"\n");
    let out = w.vx(&["sync", "--headless"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("vx.toml:7:1: lint: `lint` is ambiguous"),
        "{err}"
    );
}

#[test]
fn a_standard_registry_that_is_not_the_pinned_one_is_refused() {
    let w = World::with(|b| standard_registry(b, b"packages: []\n".to_vec()));
    // The user config pins v9.9.9 to another file's digest than the one served.
    let pinned = sha256_hex(b"packages: [] # the file meant\n");
    pin_standard_registry(&w.work.dir.path().join("config"), &pinned);
    w.work.write_manifest("[tools]\nnot-in-any = \"1\"\n");
    let out = w.vx(&["lock"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(err.contains("refused") && err.contains(&pinned), "{err}");
    assert!(!w.work.dir.path().join("vx.lock").exists());
}

/// Need GitHub less (issue 43, item 8): the standard registry vx pins ships inside vx,
/// so on a first run, offline and with GitHub out of reach, every name of it is known.
#[test]
fn the_pinned_standard_registry_ships_in_vx_and_needs_no_network() {
    let w = World::new();
    // A loopback port nothing listens on.
    let closed = common::net::free_port();
    for offline in [true, false] {
        let mut cmd = w.vx(&["search", "ripgrep", "--json"]);
        cmd.env("VX_GITHUB_URL", format!("http://127.0.0.1:{closed}"));
        if offline {
            cmd.env("VX_OFFLINE", "1");
        }
        let out = cmd.output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        assert!(text.contains("BurntSushi/ripgrep"), "{text}");
        assert!(!stderr_of(&out).contains("fetching"), "{}", stderr_of(&out));
    }
}

#[test]
fn offline_serves_the_cache_and_says_what_is_missing_without_it() {
    let w = World::new();
    w.write_tools("fd = \"10\"\n");
    w.vx(&["versions", "fd"]).assert().code(0);
    w.github.clear_requests();
    let out = w
        .vx(&["versions", "fd", "--offline", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("10.2.0"));
    assert!(w.github.requests().is_empty(), "{:?}", w.github.requests());

    let out = w.vx(&["versions", "yq", "--offline"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(err.contains("offline"), "{err}");
    assert!(w.github.requests().is_empty());
}

/// GitHub out of reach: `vx outdated` says so (it showed "-" for every version, as if
/// there were none, and exited 0), and its advice works: the command takes no
/// `--offline`, which the advice named; `VX_OFFLINE=1` answers from the cache an
/// earlier run filled.
#[test]
fn the_advice_when_github_is_out_of_reach_works_for_the_command_that_gave_it() {
    let w = World::new();
    w.write_tools("fd = \"10\"\n");
    w.vx(&["lock"]).assert().code(0);
    let answer = |cmd: &mut assert_cmd::Command| {
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr_of(&out),
        )
    };
    let (_, online, _) = answer(&mut w.vx(&["outdated"]));
    let closed = common::net::free_port();
    let (code, said, err) = answer(
        w.vx(&["outdated"])
            .env("VX_GITHUB_URL", format!("http://127.0.0.1:{closed}"))
            .env("VX_GITHUB_API_URL", format!("http://127.0.0.1:{closed}")),
    );
    assert_eq!(code, Some(1), "{said}{err}");
    assert!(err.contains("`VX_OFFLINE=1`"), "{err}");
    w.github.clear_requests();
    let (code, offline, err) = answer(w.vx(&["outdated"]).env("VX_OFFLINE", "1"));
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(offline, online);
    assert!(w.github.requests().is_empty(), "{:?}", w.github.requests());
}

#[test]
fn a_rate_limit_says_when_it_resets_and_how_to_set_a_token() {
    let w = World::new();
    w.write_tools("fd = \"10\"\n");
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 600;
    w.github.set_rate_limited(Some(reset));
    let out = w.vx(&["lock"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(err.contains("rate limit"), "{err}");
    assert!(err.contains("GITHUB_TOKEN"), "{err}");
    assert!(err.contains("UTC"), "{err}");
}

#[test]
fn min_release_age_skips_a_fresh_release() {
    let w = World::new();
    w.work.write_manifest(&format!(
        "{}min_release_age = \"3d\"\n\n[tools]\nripgrep = \"14\"\n",
        w.settings()
    ));
    let out = w.vx(&["lock", "--headless"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    // 14.1.1 was published a day ago: skipped, and named.
    assert_eq!(w.locked_version("ripgrep").as_deref(), Some("14.0.0"));
    let skipped =
        "acme/ripgrep: 14.1.1 skipped (published less than 3d ago: min_release_age); 14.0.0 picked";
    assert!(stderr_of(&out).contains(skipped), "{}", stderr_of(&out));
}

/// Item 7 of issue 29: `min_release_age` also gates `vx add` and `vx upgrade`, and
/// names what it skipped.
#[test]
fn min_release_age_gates_add_and_upgrade_naming_what_it_skipped() {
    let w = World::new();
    w.work
        .write_manifest(&format!("{}min_release_age = \"3d\"\n", w.settings()));
    let skipped =
        "acme/ripgrep: 14.1.1 skipped (published less than 3d ago: min_release_age); 14.0.0 picked";
    let out = w.vx(&["add", "ripgrep", "--headless"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains(skipped), "{}", stderr_of(&out));
    assert_eq!(w.locked_version("ripgrep").as_deref(), Some("14.0.0"));
    // `vx upgrade` re-resolves within `14` and skips the same release.
    let out = w.vx(&["upgrade", "--headless"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains(skipped), "{}", stderr_of(&out));
    assert_eq!(w.locked_version("ripgrep").as_deref(), Some("14.0.0"));
}

#[test]
fn a_file_named_by_platform_becomes_its_command() {
    let w = World::new();
    w.write_tools("yq = \"4\"\n");
    w.vx(&["sync", "--headless"]).assert().code(0);
    let lock = w.lock();
    let here = vx_model::manifest::Platform::current().to_string();
    let (os, arch) = go_names(&here);
    let bin = platform_entry(&lock, "yq", &here)["bin"]
        .as_array()
        .unwrap()[0]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(bin, format!("yq=yq_{os}_{arch}"));
    assert!(w.downloads().len() == 1, "{:?}", w.downloads());
    #[cfg(unix)]
    {
        w.prints(&["yq", "."], "yq v4.44.0 .\n");
    }
}

#[cfg(unix)]
#[test]
fn vx_x_runs_a_registry_tool_outside_any_project() {
    // No vx.toml: the standard registry is the only one; the user config pins it to
    // the one the fixture serves (the test registry itself).
    let standard =
        std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/registry.yaml"))
            .unwrap();
    let sha = sha256_hex(&standard);
    let w = World::with(|b| standard_registry(b, standard.clone()));
    pin_standard_registry(&w.work.dir.path().join("config"), &sha);
    w.prints(&["x", "jq@1.7", "--", "a", "b"], "jq 1.7.1 a b\n");
    assert!(!w.work.manifest().exists());
    // Installed and resolved a moment ago: the next run asks GitHub nothing.
    w.github.clear_requests();
    w.prints(&["jq@1.7", "c"], "jq 1.7.1 c\n");
    assert!(w.github.requests().is_empty(), "{:?}", w.github.requests());
    // A name no registry has.
    let out = w.vx(&["x", "nosuchtool"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
}

#[test]
fn registry_show_renders_every_platform_and_update_pins_the_newest_standard() {
    let standard = b"packages:\n  - type: github_release\n    repo_owner: acme\n    repo_name: standard-only\n    asset: x.tar.gz\n".to_vec();
    let w = World::with(|b| {
        standard_registry(b, standard.clone()).release(
            "aquaproj",
            "aqua-registry",
            FixtureRelease::new("v9.9.9"),
        )
    });
    w.write_tools("ripgrep = \"14\"\n");
    let value = w.json(&["registry", "show", "ripgrep", "--json"]);
    assert_eq!(value["package"], "test:acme/ripgrep");
    assert_eq!(value["version"], "14.1.1");
    let windows = platform_shown(
        &value,
        "windows-x86_64",
        "ripgrep-14.1.1-x86_64-pc-windows-msvc.zip",
    );
    assert_eq!(windows["format"], "zip");
    // Not in supported_envs.
    assert!(
        value["platforms"]["windows-aarch64"]["unsupported"].is_string(),
        "{value}"
    );
    // Rosetta 2 and Windows' arm64 emulation run the amd64 build; Linux arm64 has none.
    let value = w.json(&["registry", "show", "oldtool", "--json"]);
    let mac = platform_shown(&value, "macos-aarch64", "/oldtool_darwin_amd64.tar.gz");
    assert_eq!(mac["emulated"], "rosetta2");
    let win = platform_shown(&value, "windows-aarch64", "/oldtool_windows_amd64.tar.gz");
    assert_eq!(win["emulated"], "windows_arm_emulation");
    assert!(
        value["platforms"]["linux-aarch64"]["unsupported"].is_string(),
        "{value}"
    );
    // An old version falls to the override without assets.
    let out = w
        .vx(&[
            "registry",
            "show",
            "ripgrep",
            "--version",
            "1.0.0",
            "--json",
        ])
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(0),
        "1.0.0 is no installable version"
    );

    w.vx(&["registry", "update"]).assert().code(0);
    let lock = w.lock();
    assert_eq!(
        lock["registries"]["standard"]["ref"].as_str(),
        Some("v9.9.9")
    );
    assert_eq!(
        lock["registries"]["standard"]["sha256"].as_str(),
        Some(format!("sha256:{}", sha256_hex(&standard)).as_str())
    );
    // The standard registry is now the fixture's: its package is found.
    let out = w
        .vx(&["versions", "standard-only", "--json"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(!err.contains("no package"), "{err}");
}

/// The standard registry vx ships (at its pinned ref), and the same with one package
/// added at the end: a release of aqua-registry as small as they come.
fn standard_and_next() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let mut old = Vec::new();
    std::io::Read::read_to_end(
        &mut liblzma::read::XzDecoder::new(
            &include_bytes!("../../assets/aqua-registry/registry-v4.554.0.yaml.xz")[..],
        ),
        &mut old,
    )
    .unwrap();
    let package = b"  - type: github_release\n    repo_owner: acme\n    repo_name: standard-only\n    asset: x.tar.gz\n".to_vec();
    let new = [old.clone(), package.clone()].concat();
    (old, new, package)
}

/// A world whose aqua-registry has a release `v9.9.9` holding `new`, and a compare
/// from vx's pinned ref listing `changes`.
fn next_standard(new: &[u8], changes: Vec<FixtureChange>) -> World {
    let w = World::with(|b| {
        standard_registry(b, new.to_vec())
            .release("aquaproj", "aqua-registry", FixtureRelease::new("v9.9.9"))
            .compare(
                "aquaproj",
                "aqua-registry",
                vx_sources::registry::source::STANDARD_REF,
                "v9.9.9",
                changes,
            )
    });
    w.write_tools("ripgrep = \"14\"\n");
    w
}

/// Requests for the whole `registry.yaml` at `v9.9.9`.
fn whole_fetches(w: &World) -> usize {
    w.github
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/raw/v9.9.9/registry.yaml"))
        .count()
}

#[test]
fn registry_update_fetches_only_what_changed_when_github_s_compare_allows() {
    let (old, new, package) = standard_and_next();
    let pinned = format!("sha256:{}", sha256_hex(&new));
    let changes = || {
        vec![
            FixtureChange::new("registry.yaml", Some(old.clone()), Some(new.clone())),
            FixtureChange::new(
                "pkgs/acme/standard-only/registry.yaml",
                None,
                Some(package.clone()),
            ),
        ]
    };

    // The compare's patch applied to the shipped file: the new file without fetching it.
    let w = next_standard(&new, changes());
    let out = w.vx(&["registry", "update"]).output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("v9.9.9 built from v4.554.0 and GitHub's compare of the two ("),
        "{err}"
    );
    // The figure the report quotes (`--nocapture` shows it).
    println!("{err}");
    assert_eq!(whole_fetches(&w), 0, "{:?}", w.github.requests());
    let compares: Vec<_> = w
        .github
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/compare/"))
        .collect();
    assert_eq!(compares.len(), 1, "{compares:?}");
    assert_eq!(
        compares[0].path,
        "/api/v3/repos/aquaproj/aqua-registry/compare/v4.554.0...v9.9.9"
    );
    assert_eq!(
        w.lock()["registries"]["standard"]["sha256"].as_str(),
        Some(pinned.as_str())
    );
    // The package the new release adds is known.
    let out = w
        .vx(&["versions", "standard-only", "--json"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(err.contains("acme/standard-only"), "{err}");
    assert!(!err.contains("no package"), "{err}");

    // Where the compare cannot give the file, it is fetched whole, the line says why,
    // and the same file is pinned.
    let fetched_whole = |changes: Vec<FixtureChange>, why: &str| {
        let w = next_standard(&new, changes);
        let out = w.vx(&["registry", "update"]).output().unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(0), "{err}");
        assert!(
            err.contains(&format!("v9.9.9 fetched whole: {why}")),
            "{err}"
        );
        assert_eq!(whole_fetches(&w), 1, "{why}");
        assert_eq!(
            w.lock()["registries"]["standard"]["sha256"].as_str(),
            Some(pinned.as_str()),
            "{why}"
        );
    };
    // No patch (GitHub leaves out a diff too large to show).
    let mut no_patch = changes();
    no_patch[0] = no_patch[0].clone().without_patch();
    fetched_whole(
        no_patch,
        "GitHub's compare shows no patch for registry.yaml",
    );
    // A patch made from another file (the shipped one with its last line changed)
    // does not apply to the shipped one.
    let mut other = old.clone();
    let last = other.len() - 2;
    other[last] = b'X';
    let mut stale = changes();
    stale[0] = FixtureChange::new("registry.yaml", Some(other), Some(new.clone()));
    fetched_whole(stale, "GitHub's patch of registry.yaml");
    // 300 files or more: GitHub's list may be cut, so it is not trusted.
    let mut many = changes();
    many.extend((0..300).map(|i| {
        FixtureChange::new(
            &format!("pkgs/acme/t{i}/registry.yaml"),
            None,
            Some(b"x\n".to_vec()),
        )
    }));
    fetched_whole(many, "300 files changed");
}

#[test]
fn registry_show_prints_one_line_per_platform_and_escapes_only_control_characters() {
    let w = World::with(|b| b.release("acme", "painted", FixtureRelease::new("v1.0.0")));
    // A package whose description carries a terminal escape (YAML's `\e`).
    let registry = w.work.dir.path().join("registry.yaml");
    let mut text = std::fs::read_to_string(&registry).unwrap();
    text.push_str(concat!(
        "  - type: github_release\n",
        "    repo_owner: acme\n",
        "    repo_name: painted\n",
        "    description: \"paints \\e[31mred\"\n",
        "    asset: painted_{{.OS}}_{{.Arch}}.tar.gz\n",
    ));
    std::fs::write(&registry, text).unwrap();
    w.write_tools("ripgrep = \"14\"\n");
    let out = w.vx(&["registry", "show", "painted"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains("\\x0a"), "line breaks escaped:\n{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("painted (test:acme/painted) 1.0.0 (tag v1.0.0)"),
        "{stdout}"
    );
    // The outside text's escape is shown, not sent to the terminal.
    assert_eq!(lines[1], "  paints \\x1b[31mred", "{stdout}");
    assert!(!stdout.contains('\x1b'), "{stdout:?}");
    assert!(
        lines.iter().any(|l| l.starts_with("  linux-x86_64: ")),
        "{stdout}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("  windows-x86_64: ")),
        "{stdout}"
    );
}

#[test]
fn a_checksum_vx_cannot_check_is_said_not_silently_trusted() {
    let w = World::new();
    // terraform's entry, with the SHA-512 checksum file some publishers give.
    let registry = w.work.dir.path().join("registry.yaml");
    let text = std::fs::read_to_string(&registry).unwrap().replace(
        "    version_source: github_tag\n    format: zip\n",
        "    version_source: github_tag\n    format: zip\n    checksum:\n      type: http\n      url: http://example.invalid/terraform_{{trimV .Version}}_SHA512SUMS\n      algorithm: sha512\n",
    );
    assert!(text.contains("algorithm: sha512"));
    std::fs::write(&registry, text).unwrap();
    let here = vx_model::manifest::Platform::current().to_string();
    w.work.write_manifest(&format!(
        "[settings]\nplatforms = [\"{here}\"]\nregistries = [{{ name = \"test\", path = \"registry.yaml\" }}]\n\n[tools]\nterraform = \"1\"\n"
    ));
    let out = w.vx(&["lock", "--headless"]).output().unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: test:acme/terraform: the registry's checksum is sha512, which vx does not check; the archive's sha256 is recorded when it is first downloaded"),
        "{stderr}"
    );
    let lock = w.lock();
    let entry = platform_entry(&lock, "terraform", &here);
    assert_eq!(entry["checksum"].as_str(), Some("download"), "{entry:?}");
}

#[test]
fn a_tool_without_a_published_checksum_is_downloaded_once_to_lock_it() {
    let w = World::new();
    let here = vx_model::manifest::Platform::current().to_string();
    w.work.write_manifest(&format!(
        "[settings]\nplatforms = [\"{here}\"]\nregistries = [{{ name = \"test\", path = \"registry.yaml\" }}]\n\n[tools]\nterraform = \"1\"\n"
    ));
    w.vx(&["lock", "--headless"]).assert().code(0);
    let lock = w.lock();
    let entry = platform_entry(&lock, "terraform", &here);
    assert_eq!(entry["checksum"].as_str(), Some("download"), "{entry:?}");
    assert_eq!(
        lock["tools"]["terraform"]["version"].as_str(),
        Some("1.10.0")
    );
    let fetched: Vec<String> = w
        .github
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/terraform/"))
        .map(|r| r.path)
        .collect();
    assert_eq!(fetched.len(), 1, "{fetched:?}");
    #[cfg(unix)]
    {
        w.vx(&["sync", "--headless"]).assert().code(0);
        w.prints(&["terraform", "plan"], "terraform 1.10.0 plan\n");
    }
}

#[test]
fn a_registry_tool_the_lock_does_not_pin_is_refused_by_locked_and_frozen() {
    let w = World::new();
    w.write_tools("ripgrep = \"14\"\n");
    let out = w.vx(&["sync", "--locked", "--headless"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains("vx.lock is out of date for ripgrep"), "{err}");
    let out = w.vx(&["sync", "--frozen", "--headless"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains("vx.lock has no ripgrep"), "{err}");
    assert!(w.github.requests().is_empty(), "{:?}", w.github.requests());
    assert!(!w.work.dir.path().join("vx.lock").exists());
    // Locked, --locked installs it without asking the registry again.
    w.vx(&["lock", "--headless"]).assert().code(0);
    w.github.clear_requests();
    w.vx(&["sync", "--locked", "--headless"]).assert().code(0);
    assert!(w.github.requests().iter().all(|r| r.is_download()));
}

/// Resolution and installs of tools named in vx.toml, through a real proxy: every
/// request the loopback GitHub answered (releases, checksum files, archives) went
/// through tinyproxy, forwarded (absolute-form GETs, no CONNECT), and none went around
/// it. The fixture is addressed by this machine's name, which is not loopback to vx.
#[cfg(unix)]
#[test]
fn a_sync_by_name_goes_through_the_proxy_request_by_request() {
    let name = common::net::machine_name();
    let w = World::with(|b| b.host(&name));
    let proxy = common::net::Tinyproxy::start(&[], None);
    w.write_tools("ripgrep = \"14\"\nfd = \"10\"\n");
    let mut cmd = w.vx(&["sync", "--headless", "-v"]);
    common::net::isolate(&mut cmd, &w.work.dir.path().join("config"));
    let out = cmd.env("HTTP_PROXY", proxy.url()).output().unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // `-v` says where each download goes.
    assert_eq!(
        stderr
            .matches(&format!("through the proxy {}", proxy.url()))
            .count(),
        2,
        "{stderr}"
    );
    let answered = w.github.requests();
    assert!(
        answered.iter().any(|r| r.is_download()) && answered.iter().any(|r| r.is_api()),
        "resolved and downloaded: {answered:?}"
    );
    let through_proxy = proxy.requests(answered.len());
    let web = w.github.web_url();
    let mut expected: Vec<String> = answered
        .iter()
        .map(|r| format!("{} {web}{} HTTP/1.1", r.method, r.path))
        .collect();
    let mut seen = through_proxy.clone();
    expected.sort();
    seen.sort();
    assert_eq!(seen, expected, "the proxy's log:\n{}", proxy.log());
    assert!(
        !through_proxy.iter().any(|r| r.starts_with("CONNECT")),
        "http is forwarded, not tunnelled: {through_proxy:?}"
    );
}

/// Another version, everywhere (issue 43, item 7): `vx exec T@V` of a registry tool of
/// the project, and `vx x T@V` / `vx T@V` inside a project, resolve through the
/// project's own registries and URL tools, as `vx add` does.
#[cfg(unix)]
#[test]
fn another_version_resolves_through_the_project_for_exec_x_and_tool_at_version() {
    use vx_fixture::{Route, TestServer};
    let w = World::new();
    let greet = |v: &str| archive_with("greet", ArchiveFormat::TarGz, script("greet", v));
    let server = TestServer::start([
        ("/greet/1.0/greet.tar.gz", Route::Ok(greet("1.0"))),
        ("/greet/1.1/greet.tar.gz", Route::Ok(greet("1.1"))),
    ]);
    w.work.write_manifest(&format!(
        "{}\n[tools]\nfd = \"10\"\n\n[tools.greet]\nversion = \"1.0\"\nurl = \"{}\"\n",
        w.settings(),
        server.url("/greet/{version}/greet.tar.gz")
    ));
    let out = w.vx(&["sync", "--headless"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let stdout = |args: &[&str]| {
        let out = w.vx(args).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        (text, stderr_of(&out))
    };

    // The project's registry tool at a version its lock does not pin.
    let (out, err) = stdout(&["exec", "fd@10.1.0", "--", "fd", "a"]);
    assert_eq!(out, "fd 10.1.0 a\n", "{err}");
    // The project's URL tool at another version: as before.
    let (out, err) = stdout(&["exec", "greet@1.1", "--", "greet", "b"]);
    assert_eq!(out, "greet 1.1 b\n", "{err}");
    // `vx x` and `vx T@V`: a name of the project's registry, which the standard
    // registry (not served here) is never asked for.
    let (out, err) = stdout(&["x", "ripgrep@14.0.0", "--", "c"]);
    assert_eq!(out, "rg 14.0.0 c\n", "{err}");
    let (out, err) = stdout(&["ripgrep@14.0.0", "d"]);
    assert_eq!(out, "rg 14.0.0 d\n", "{err}");
    // And the project's URL tool.
    let (out, err) = stdout(&["x", "greet@1.1", "--", "e"]);
    assert_eq!(out, "greet 1.1 e\n", "{err}");
    let (out, err) = stdout(&["greet@1.1", "f"]);
    assert_eq!(out, "greet 1.1 f\n", "{err}");
}

/// A search that found nothing while a registry could not be read says so, not "no
/// package matches" (which would tell the user the name does not exist).
#[test]
fn a_search_with_an_unreadable_registry_is_no_answer() {
    let w = World::new();
    let closed = common::net::free_port();
    w.work.write_manifest(&format!(
        "[settings]\nregistries = [{{ name = \"ours\", url = \"http://127.0.0.1:{closed}/registry.yaml\" }}]\n[tools]\n"
    ));
    let out = w.vx(&["search", "zzqqxx"]).output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("could not be"), "{err}");
    assert!(err.contains(&format!("127.0.0.1:{closed}")), "{err}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("no package matches"));
}

/// A Mac developer's lock of aqua packages (each checksummed another way: a
/// `.sha256` file, a goreleaser `checksums.txt`, GitHub's digests), synced on this
/// machine (issue 49): this platform is locked from the checksums alone, the Mac's
/// entries stay as they were, no archive of another platform is fetched, and the tools
/// run, without an edit of vx.toml.
#[test]
fn a_lock_made_on_a_mac_syncs_here_from_the_checksums_alone() {
    let w = World::new();
    let here = vx_model::manifest::Platform::current().to_string();
    if here == "macos-aarch64" {
        return;
    }
    let manifest = "[settings]\nplatforms = [\"macos-aarch64\"]\nregistries = [{ name = \"test\", path = \"registry.yaml\" }]\n\n[tools]\nripgrep = \"14\"\nfd = \"10\"\njq = \"1\"\n";
    w.work.write_manifest(manifest);
    w.vx(&["lock", "--headless"]).assert().code(0);
    let mac = w.lock();
    for tool in ["ripgrep", "fd", "jq"] {
        let platforms = mac["tools"][tool]["platforms"].as_table().unwrap();
        assert_eq!(platforms.keys().collect::<Vec<_>>(), ["macos-aarch64"]);
    }
    w.github.clear_requests();
    let out = w.vx(&["sync", "--headless"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let lock = w.lock();
    for tool in ["ripgrep", "fd", "jq"] {
        platform_entry(&lock, tool, &here);
        assert_eq!(
            platform_entry(&lock, tool, "macos-aarch64"),
            platform_entry(&mac, tool, "macos-aarch64"),
            "{tool}: the Mac's entry is kept"
        );
    }
    let foreign: Vec<String> = w
        .downloads()
        .into_iter()
        .filter(|p| p.contains("darwin") || p.contains("macos") || p.contains("apple"))
        .collect();
    assert!(
        foreign.is_empty(),
        "archives of the Mac fetched: {foreign:?}"
    );
    assert_eq!(w.toml(), manifest);
    #[cfg(unix)]
    {
        w.prints(&["rg", "hello"], "rg 14.1.1 hello\n");
    }
}
