//! The rest of aqua's registry format (issue 38, items 1–4 and 10), end to end with
//! the real binary: a registry written here in aqua's format (from aqua's
//! documentation, "Registry Config"), listed in the project's `[settings]
//! registries`, and a loopback GitHub serving the releases. What `vx lock` picks and
//! locks per platform, and what its errors say.

use crate::common;

use common::*;
use vx_fixture::github::{FixtureRelease, GithubFixture, GithubFixtureBuilder};

/// A release `tag` whose assets are `name(os, arch)` (and `.exe` on Windows, as aqua
/// names a bare executable there), each a small script.
fn release(tag: &str, name: impl Fn(&str, &str) -> String) -> FixtureRelease {
    let mut release = FixtureRelease::new(tag).published("2024-01-01T00:00:00Z");
    for platform in locked_platforms() {
        let (os, arch) = go_names(&platform);
        let body = format!("#!/bin/sh\necho {tag}\n").into_bytes();
        let exe = if os == "windows" { ".exe" } else { "" };
        release = release.asset(&format!("{}{exe}", name(os, arch)), body);
    }
    release
}

/// A project using `registry` (aqua's format) as its registry `fx`, and a loopback
/// GitHub set up by `github`.
struct World {
    work: Work,
    github: GithubFixture,
}

impl World {
    fn new(
        registry: &str,
        github: impl FnOnce(GithubFixtureBuilder) -> GithubFixtureBuilder,
    ) -> World {
        let github = github(GithubFixture::builder()).start().unwrap();
        let work = Work::new();
        std::fs::write(work.dir.path().join("registry.yaml"), registry).unwrap();
        World { work, github }
    }

    /// vx.toml locking every test platform, with `tools` as its `[tools]`.
    fn manifest(&self, tools: &str) {
        let list: Vec<String> = locked_platforms()
            .iter()
            .map(|p| format!("\"{p}\""))
            .collect();
        self.work.write_manifest(&format!(
            "[settings]\nplatforms = [{}]\nregistries = [{{ name = \"fx\", path = \"registry.yaml\" }}]\n\n[tools]\n{tools}",
            list.join(", ")
        ));
    }

    fn vx(&self, args: &[&str]) -> std::process::Output {
        vx_against(&self.work, &self.github.web_url(), args)
            .output()
            .unwrap()
    }

    fn lock(&self) -> toml::Table {
        let text = std::fs::read_to_string(self.work.dir.path().join("vx.lock")).unwrap();
        text.parse().unwrap()
    }
}

fn both(out: &std::process::Output) -> String {
    format!(
        "{}\n--- stderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// golang/go's shape in aqua's standard registry: tags `go1.23.8`, chosen by a
/// `version_filter`, no `version_prefix`; lycheeverse/lychee's: a `version_prefix`
/// that only a `version_overrides` entry sets.
const PREFIXES: &str = r#"packages:
  - type: github_release
    repo_owner: golang
    repo_name: go
    version_filter: Version startsWith "go"
    asset: '{{.Version}}.{{.OS}}-{{.Arch}}'
    format: raw
    files:
      - name: go
  - type: github_release
    repo_owner: lycheeverse
    repo_name: lychee
    asset: 'lychee-{{.OS}}-{{.Arch}}'
    format: raw
    version_constraint: "false"
    version_overrides:
      - version_constraint: Version startsWith "lychee-"
        version_prefix: lychee-v
      - version_constraint: "true"
  - type: github_release
    repo_owner: acme
    repo_name: filtered
    version_filter: Version startsWith "stable-"
    asset: 'filtered-{{.OS}}-{{.Arch}}'
    format: raw
"#;

#[test]
fn a_tags_own_prefix_is_read_as_aqua_reads_it() {
    let w = World::new(PREFIXES, |b| {
        let go_asset = |tag: &'static str| move |os: &str, arch: &str| format!("{tag}.{os}-{arch}");
        let lychee = |os: &str, arch: &str| format!("lychee-{os}-{arch}");
        b.release("golang", "go", release("go1.22.0", go_asset("go1.22.0")))
            .release("golang", "go", release("go1.23.8", go_asset("go1.23.8")))
            .release("golang", "go", release("go1.23.7", go_asset("go1.23.7")))
            .release("golang", "go", release("go1.24rc1", go_asset("go1.24rc1")))
            .release(
                "golang",
                "go",
                release("weekly.2012-03-27", go_asset("weekly.2012-03-27")),
            )
            .release("lycheeverse", "lychee", release("lychee-v0.15.1", lychee))
            .release("lycheeverse", "lychee", release("lychee-v0.16.0", lychee))
            .release(
                "acme",
                "filtered",
                release("v1.0.0", |o, a| format!("filtered-{o}-{a}")),
            )
            .release(
                "acme",
                "filtered",
                release("v1.1.0", |o, a| format!("filtered-{o}-{a}")),
            )
    });
    for (constraint, version) in [
        ("latest", "1.23.8"),
        ("1.23", "1.23.8"),
        ("1.22.0", "1.22.0"),
    ] {
        w.manifest(&format!(
            "\"golang/go\" = \"{constraint}\"\n\"lycheeverse/lychee\" = \"0.15\"\n"
        ));
        let out = w.vx(&["lock"]);
        assert_eq!(out.status.code(), Some(0), "{constraint}: {}", both(&out));
        let lock = w.lock();
        assert_eq!(
            lock["tools"]["go"]["version"].as_str(),
            Some(version),
            "{constraint}"
        );
        let here = vx_model::manifest::Platform::current().to_string();
        let (os, arch) = go_names(&here);
        let url = lock["tools"]["go"]["platforms"][&here]["url"]
            .as_str()
            .unwrap();
        assert!(
            url.ends_with(&format!("/go{version}.{os}-{arch}")),
            "the tag, prefix and all, is the asset's: {url}"
        );
        assert_eq!(lock["tools"]["lychee"]["version"].as_str(), Some("0.15.1"));
    }

    // Nothing matches: only tags vx reads as versions are offered.
    w.manifest("\"golang/go\" = \"1.30\"\n");
    let out = w.vx(&["lock"]);
    let all = both(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains("the newest are go1.23.8, go1.23.7, go1.22.0"),
        "{all}"
    );
    assert!(
        !all.contains("weekly") && !all.contains("go1.24rc1"),
        "{all}"
    );

    // Tags existed, but the registry's filter left them all out: said so.
    w.manifest("\"acme/filtered\" = \"latest\"\n");
    let out = w.vx(&["lock"]);
    let all = both(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains(
            "no version of acme/filtered matches `latest`; the registry's version_filter `Version startsWith \"stable-\"` leaves out all 2 of its tags (v1."
        ),
        "{all}"
    );
    assert!(!all.contains("it has no releases or tags"), "{all}");
}

/// eza-community/eza's shape in aqua's standard registry: a release binary on Linux and
/// Windows, `type: cargo` (which vx does not install) on macOS only; and a package
/// whose old versions were `go_install`.
const PER_PLATFORM: &str = r#"packages:
  - type: github_release
    repo_owner: eza-community
    repo_name: eza
    asset: 'eza_{{.Arch}}-{{.OS}}'
    format: raw
    overrides:
      - goos: darwin
        type: cargo
        crate: eza
  - type: go_install
    repo_owner: acme
    repo_name: was-go
    version_constraint: semver("< 2.0.0")
    version_overrides:
      - version_constraint: "true"
        type: github_release
        asset: 'was-go-{{.OS}}-{{.Arch}}'
        format: raw
"#;

#[test]
fn an_entry_vx_cannot_install_refuses_only_where_it_applies() {
    let w = World::new(PER_PLATFORM, |b| {
        b.release(
            "eza-community",
            "eza",
            release("v0.20.0", |o, a| format!("eza_{a}-{o}")),
        )
        .release(
            "acme",
            "was-go",
            release("v1.0.0", |o, a| format!("was-go-{o}-{a}")),
        )
        .release(
            "acme",
            "was-go",
            release("v2.1.0", |o, a| format!("was-go-{o}-{a}")),
        )
    });
    w.manifest("eza = \"0.20\"\n\"acme/was-go\" = \"2\"\n");
    let out = w.vx(&["lock"]);
    let all = both(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    let lock = w.lock();
    for platform in locked_platforms() {
        let eza = &lock["tools"]["eza"];
        if platform.starts_with("macos") {
            let why = eza["unsupported"][&platform]
                .as_str()
                .unwrap_or_else(|| panic!("{lock:#?}"));
            assert!(why.contains("type `cargo` is not supported"), "{why}");
        } else {
            assert!(
                eza["platforms"][&platform]["url"].as_str().is_some(),
                "{platform}: {lock:#?}"
            );
        }
        assert!(
            lock["tools"]["was-go"]["platforms"][&platform]["url"]
                .as_str()
                .is_some(),
            "{platform}: {lock:#?}"
        );
    }
    assert_eq!(lock["tools"]["was-go"]["version"].as_str(), Some("2.1.0"));

    // The old versions are the `go_install` ones: refused with that reason.
    w.manifest("\"acme/was-go\" = \"1.0.0\"\n");
    let out = w.vx(&["lock"]);
    let all = both(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains("acme/was-go 1.0.0 cannot be installed by vx on any platform locked"),
        "{all}"
    );
    assert!(all.contains("type `go_install` is not supported"), "{all}");
}

/// nodejs/node's shape in aqua's standard registry: an override per libc on Linux
/// (aqua's `variants`, `key: libc`), the musl one from another host; and a variant
/// of a key vx does not know.
const VARIANTS: &str = r#"packages:
  - type: github_release
    repo_owner: acme
    repo_name: node
    asset: 'node-{{.Version}}-{{.OS}}-{{.Arch}}'
    format: raw
    overrides:
      - goos: linux
        variants:
          - key: libc
            value: glibc
      - goos: linux
        variants:
          - key: libc
            value: musl
        asset: 'node-{{.Version}}-{{.OS}}-{{.Arch}}-musl'
  - type: github_release
    repo_owner: acme
    repo_name: gpu
    asset: 'gpu-{{.OS}}-{{.Arch}}'
    format: raw
    overrides:
      - goos: linux
        variants:
          - key: cuda
            value: "12"
        asset: 'gpu-{{.OS}}-{{.Arch}}-cuda12'
"#;

#[test]
fn variants_choose_the_download_by_the_platforms_libc_and_the_lock_says_which() {
    let w = World::new(VARIANTS, |b| {
        let node = |os: &str, arch: &str| format!("node-v20.11.1-{os}-{arch}");
        let mut node_release = release("v20.11.1", node);
        for arch in ["amd64", "arm64"] {
            node_release = node_release.asset(
                &format!("node-v20.11.1-linux-{arch}-musl"),
                b"#!/bin/sh\necho musl\n".to_vec(),
            );
        }
        b.release("acme", "node", node_release).release(
            "acme",
            "gpu",
            release("v1.0.0", |o, a| format!("gpu-{o}-{a}")),
        )
    });
    let mut platforms = locked_platforms();
    platforms.push("linux-x86_64-musl".to_owned());
    let list: Vec<String> = platforms.iter().map(|p| format!("\"{p}\"")).collect();
    w.work.write_manifest(&format!(
        "[settings]\nplatforms = [{}]\nregistries = [{{ name = \"fx\", path = \"registry.yaml\" }}]\n\n[tools]\n\"acme/node\" = \"20\"\n\"acme/gpu\" = \"1\"\n",
        list.join(", ")
    ));
    let out = w.vx(&["lock"]);
    let all = both(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    let lock = w.lock();
    let node = &lock["tools"]["node"]["platforms"];
    let musl = node["linux-x86_64-musl"]
        .as_table()
        .unwrap_or_else(|| panic!("{lock:#?}"));
    assert!(
        musl["url"]
            .as_str()
            .unwrap()
            .ends_with("/node-v20.11.1-linux-amd64-musl"),
        "{musl:?}"
    );
    assert_eq!(musl["variant"].as_str(), Some("libc musl"));
    let glibc = node["linux-x86_64"].as_table().unwrap();
    assert!(
        glibc["url"]
            .as_str()
            .unwrap()
            .ends_with("/node-v20.11.1-linux-amd64"),
        "{glibc:?}"
    );
    assert_eq!(glibc["variant"].as_str(), Some("libc glibc"));
    let mac = node["macos-aarch64"].as_table().unwrap();
    assert!(
        mac.get("variant").is_none(),
        "no override chose it: {mac:?}"
    );

    // A variant vx cannot evaluate: unsupported where it may apply, not elsewhere.
    let gpu = &lock["tools"]["gpu"];
    let why = gpu["unsupported"]["linux-x86_64"]
        .as_str()
        .unwrap_or_else(|| panic!("{lock:#?}"));
    assert!(why.contains("variants (key `cuda`)"), "{why}");
    assert!(
        gpu["platforms"]["macos-aarch64"]["url"].as_str().is_some(),
        "{lock:#?}"
    );
}

/// A lone compressed executable (taplo's `taplo-linux-x86_64.gz`) in each compression
/// aqua reads, named by `format` or by the asset's extension; and pnpm's `files[].hard`
/// for a bare executable (the command is the file itself).
const ONE_FILE: &str = r#"packages:
  - type: github_release
    repo_owner: acme
    repo_name: taplo
    asset: taplo-{{.OS}}-{{.Arch}}.{{.Format}}
    format: gz
    files:
      - name: taplo
        src: taplo-{{.OS}}-{{.Arch}}
  - type: github_release
    repo_owner: acme
    repo_name: xzed
    asset: xzed-{{.OS}}-{{.Arch}}.xz
  - type: github_release
    repo_owner: acme
    repo_name: bzed
    asset: bzed-{{.OS}}-{{.Arch}}.{{.Format}}
    format: bz2
  - type: github_release
    repo_owner: acme
    repo_name: zsted
    asset: zsted-{{.OS}}-{{.Arch}}.zst
  - type: github_release
    repo_owner: acme
    repo_name: pnpm
    asset: pnpm-{{.OS}}-{{.Arch}}
    format: raw
    files:
      - name: pnpm
        link: pnpm
        hard: true
"#;

/// Issue 38 item 4.
#[test]
fn a_lone_compressed_file_is_the_executable_and_hard_links_are_honoured() {
    use vx_base::format::ArchiveFormat;
    use vx_fixture::compressed_bytes;
    let w = World::new(ONE_FILE, |mut b| {
        for (repo, format) in [
            ("taplo", ArchiveFormat::Gz),
            ("xzed", ArchiveFormat::Xz),
            ("bzed", ArchiveFormat::Bz2),
            ("zsted", ArchiveFormat::Zst),
        ] {
            let mut rel = FixtureRelease::new("v1.0.0").published("2024-01-01T00:00:00Z");
            for platform in locked_platforms() {
                let (os, arch) = go_names(&platform);
                let body = format!("#!/bin/sh\necho {repo} says $1\n");
                rel = rel.asset(
                    &format!("{repo}-{os}-{arch}.{}", format.name()),
                    compressed_bytes(format, body.as_bytes()),
                );
            }
            b = b.release("acme", repo, rel);
        }
        b.release(
            "acme",
            "pnpm",
            release("v9.0.0", |o, a| format!("pnpm-{o}-{a}")),
        )
    });
    w.manifest(
        "\"acme/taplo\" = \"1\"\n\"acme/xzed\" = \"1\"\n\"acme/bzed\" = \"1\"\n\"acme/zsted\" = \"1\"\n\"acme/pnpm\" = \"9\"\n",
    );
    let out = w.vx(&["lock"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let lock = w.lock();
    let here = vx_model::manifest::Platform::current().to_string();
    for (tool, format) in [
        ("taplo", "gz"),
        ("xzed", "xz"),
        ("bzed", "bz2"),
        ("zsted", "zst"),
    ] {
        let entry = &lock["tools"][tool]["platforms"][here.as_str()];
        assert_eq!(entry["format"].as_str(), Some(format), "{lock:#?}");
    }
    let out = w.vx(&["sync"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    for tool in ["taplo", "xzed", "bzed", "zsted"] {
        let out = w.vx(&["exec", "--", tool, "hi"]);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{tool} says hi\n"),
            "{}",
            both(&out)
        );
    }
    let out = w.vx(&["exec", "--", "sh", "-c", "command -v pnpm"]);
    let path = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let meta = std::fs::symlink_metadata(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(
        meta.file_type().is_file(),
        "pnpm is the file itself, not a symbolic link: {path}"
    );
    let out = w.vx(&["exec", "--", "pnpm"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "v9.0.0\n",
        "{}",
        both(&out)
    );
}

/// pnpm ≥ 11's entry as the standard registry writes it: one `pnpm` executable in
/// the archive, `pn` a (symbolic) link to it, and `pnpx`/`pnx` hard links, because
/// pnpm, a Node single-executable application, dispatches on the name of its resolved
/// own path, which a symbolic link would resolve to `pnpm`.
const PNPM_11: &str = r#"packages:
  - type: github_release
    repo_owner: acme
    repo_name: pnpm
    asset: pnpm-{{.OS}}-{{.Arch}}.{{.Format}}
    format: tar.gz
    files:
      - name: pnpm
      - name: pn
        src: pnpm
        link: pn
      - name: pnpx
        src: pnpm
        link: pnpx
        hard: true
      - name: pnx
        src: pnpm
        link: pnx
        hard: true
    replacements:
      amd64: x64
      windows: win32
    overrides:
      - goos: windows
        format: zip
"#;

/// Issue 38 item 4: `files[].hard` for a renamed command is locked as `NAME==PATH` and
/// installed as a hard link, so the program sees its own name even when it resolves
/// its path (as `readlink -f "$0"` does here, and Node's `process.execPath`).
#[test]
fn a_hard_linked_command_sees_its_own_name() {
    use vx_base::format::ArchiveFormat;
    use vx_fixture::{Item, archive_bytes};
    // Prints the name of the file it runs from, links resolved.
    let script = b"#!/bin/sh\nbasename \"$(readlink -f \"$0\")\"\n".to_vec();
    let w = World::new(PNPM_11, |b| {
        let mut rel = FixtureRelease::new("v11.1.0").published("2024-01-01T00:00:00Z");
        for platform in locked_platforms() {
            let (os, arch) = go_names(&platform);
            let arch = if arch == "amd64" { "x64" } else { arch };
            let (os, format, file) = match os {
                "windows" => ("win32", ArchiveFormat::Zip, "pnpm.exe"),
                other => (other, ArchiveFormat::TarGz, "pnpm"),
            };
            let bytes = archive_bytes(format, &[Item::File(file, script.clone(), 0o755)]);
            rel = rel.asset(&format!("pnpm-{os}-{arch}.{}", format.name()), bytes);
        }
        b.release("acme", "pnpm", rel)
    });
    w.manifest("\"acme/pnpm\" = \"11\"\n");
    let out = w.vx(&["lock"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let lock = w.lock();
    for platform in locked_platforms() {
        // aqua names the file `pnpm.exe` on Windows.
        let exe = if platform.starts_with("windows") {
            ".exe"
        } else {
            ""
        };
        let bin = &lock["tools"]["pnpm"]["platforms"][platform.as_str()]["bin"];
        let bin: Vec<&str> = bin
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|b| b.as_str())
            .collect();
        let want = ["pnpm", "pn=pnpm", "pnpx==pnpm", "pnx==pnpm"].map(|e| format!("{e}{exe}"));
        assert_eq!(bin, want, "{platform}: {lock:#?}");
    }
    let out = w.vx(&["sync"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    for (command, sees) in [
        ("pnpm", "pnpm"),
        ("pnpx", "pnpx"),
        ("pnx", "pnx"),
        // A symbolic link, as aqua makes it: the program sees the file's name.
        ("pn", "pnpm"),
    ] {
        let out = w.vx(&["exec", "--", command]);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{sees}\n"),
            "{command}: {}",
            both(&out)
        );
    }
}

/// Issue 39 item 9 (issue 38 item 10): a release whose asset answers 404, among
/// hostile tags, is not locked, and the line that says so carries why.
#[test]
fn a_tool_not_locked_is_said_with_its_reason() {
    let registry = r#"packages:
  - type: github_release
    repo_owner: acme
    repo_name: gone
    asset: gone-{{.OS}}-{{.Arch}}
    format: raw
"#;
    let w = World::new(registry, |b| {
        b.release(
            "acme",
            "gone",
            FixtureRelease::new("v1.0.0").published("2024-01-01T00:00:00Z"),
        )
        .tag("acme", "gone", "v1.0.0")
        .tag("acme", "gone", "v2.0.0\u{1b}[2J")
        .tag("acme", "gone", "v9.9.9/../../x")
        .tag("acme", "gone", &"9".repeat(300))
    });
    w.manifest("\"acme/gone\" = \"1\"\n");
    // In every output mode (a `--json` report goes to stdout, away from the line), the
    // line naming the tool not locked says why on its own.
    for args in [&["lock"][..], &["lock", "--json"], &["lock", "--quiet"]] {
        let out = w.vx(args);
        let all = both(&out);
        assert_ne!(out.status.code(), Some(0), "{all}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("not locked for"))
            .collect();
        assert_eq!(lines.len(), locked_platforms().len(), "{args:?}: {all}");
        for line in lines {
            assert!(
                line.contains(": gone: ") && line.contains("HTTP 404 Not Found"),
                "{args:?}: {line}"
            );
            assert!(!line.contains('\u{1b}'), "{line:?}");
        }
    }
}

/// aquaproj/aqua-registry's `pkgs/golang/go/registry.yaml` at 4d86e12d (2026-08-22),
/// with a `checksum` added (go.dev's `.sha256` beside each archive) so nothing is
/// downloaded to lock it.
const GOLANG: &str = r#"packages:
  - repo_owner: golang
    repo_name: go
    type: http
    url: https://golang.org/dl/go{{trimPrefix "go" .Version}}.{{.OS}}-{{.Arch}}.{{.Format}}
    description: The Go programming language
    format: tar.gz
    version_source: github_tag
    version_filter: Version startsWith "go" and not (Version contains "rc" or Version contains "beta")
    checksum:
      type: http
      url: https://golang.org/dl/{{.Version}}.{{.OS}}-{{.Arch}}.{{.Format}}.sha256
      algorithm: sha256
    files:
      - name: go
        src: go/bin/go
      - name: gofmt
        src: go/bin/gofmt
    overrides:
      - goos: windows
        format: zip
"#;

/// A project using [`GOLANG`] as its registry, GitHub listing go's tags (`weekly.…`,
/// `go1.22.0`, `go1.23.2`, `go1.23.3`, `go1.24rc1`) and go.dev (behind
/// `url_replacements`) serving the `.sha256` of the tags in `summed` only.
fn golang(summed: &[&str]) -> (World, vx_fixture::TestServer) {
    let w = World::new(GOLANG, |b| {
        [
            "weekly.2012-03-27",
            "go1.22.0",
            "go1.23.2",
            "go1.23.3",
            "go1.24rc1",
        ]
        .iter()
        .fold(b, |b, tag| b.tag("golang", "go", tag))
    });
    let mut routes = Vec::new();
    for tag in summed {
        for platform in locked_platforms() {
            let (os, arch) = go_names(&platform);
            let sum = vx_fixture::sha256_hex(format!("{tag}{os}{arch}").as_bytes());
            let ext = if os == "windows" { "zip" } else { "tar.gz" };
            routes.push((
                format!("/dl/{tag}.{os}-{arch}.{ext}.sha256"),
                vx_fixture::Route::Ok(sum.into_bytes()),
            ));
        }
    }
    let dl = vx_fixture::TestServer::start(routes);
    let config = w.work.dir.path().join("config/vx");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        format!(
            "[url_replacements]\n\"https://golang.org/dl/\" = \"{}\"\n",
            dl.url("/dl/")
        ),
    )
    .unwrap();
    (w, dl)
}

/// golang/go as aqua's standard registry declares it now (issue 48, item 5): an `http`
/// package whose versions are the repository's tags (`version_source: github_tag`,
/// tags `go1.23.3`), chosen by a `version_filter` that starts with `Version
/// startsWith "go"` and leaves out release candidates, its URL rendered as aqua 2.63.0
/// renders it (`https://golang.org/dl/go1.23.3.linux-amd64.tar.gz`); the entry is
/// [`GOLANG`].
#[test]
fn an_http_package_versioned_by_tags_with_a_prefix_resolves_as_aqua_does() {
    let (w, _dl) = golang(&["go1.22.0", "go1.23.2", "go1.23.3"]);
    for (constraint, version) in [("latest", "1.23.3"), ("1.23", "1.23.3"), ("1.22", "1.22.0")] {
        w.manifest(&format!("\"golang/go\" = \"{constraint}\"\n"));
        let out = w.vx(&["lock"]);
        assert_eq!(out.status.code(), Some(0), "{constraint}: {}", both(&out));
        let lock = w.lock();
        let entry = &lock["tools"]["go"];
        assert_eq!(entry["version"].as_str(), Some(version), "{constraint}");
        let here = vx_model::manifest::Platform::current().to_string();
        let (os, arch) = go_names(&here);
        assert_eq!(
            entry["platforms"][&here]["url"].as_str(),
            Some(format!("https://golang.org/dl/go{version}.{os}-{arch}.tar.gz").as_str()),
            "{constraint}"
        );
    }
}

/// `vx upgrade --latest` whose lock fails (issue 49, item 3): the constraint it moved
/// is put back, vx.toml and vx.lock byte for byte as they were, and it says so; every
/// later command still runs.
#[test]
fn an_upgrade_whose_lock_fails_leaves_vx_toml_and_vx_lock_as_they_were() {
    // go.dev has no checksum for 1.23.x: they cannot be locked.
    let (w, _dl) = golang(&["go1.22.0"]);
    w.manifest("\"golang/go\" = \"1.22\"\n");
    let out = w.vx(&["lock"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let read = |name: &str| std::fs::read(w.work.dir.path().join(name)).unwrap();
    let (toml, lock) = (read("vx.toml"), read("vx.lock"));
    let out = w.vx(&["upgrade", "--latest"]);
    let all = both(&out);
    assert_ne!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("constraint 1.22 → 1"), "it was moved: {all}");
    assert!(
        all.contains("vx.toml is as it was before this command"),
        "{all}"
    );
    assert_eq!(read("vx.toml"), toml, "vx.toml: {all}");
    assert_eq!(read("vx.lock"), lock, "vx.lock: {all}");
    let out = w.vx(&["lock", "--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
}
