//! Every rule of aqua's resolution on fixtures in aqua's format, and arbitrary input.

use std::path::Path;

use proptest::prelude::*;

use super::*;
use crate::registry::package::Registry;

const LINUX: &str = "linux-x86_64";
const LINUX_ARM: &str = "linux-aarch64";
const MAC: &str = "macos-x86_64";
const MAC_ARM: &str = "macos-aarch64";
const WIN: &str = "windows-x86_64";
const WIN_ARM: &str = "windows-aarch64";
const ALL: [&str; 6] = [LINUX, LINUX_ARM, MAC, MAC_ARM, WIN, WIN_ARM];

/// The only package of a one-package registry.
fn package(yaml: &str) -> Package {
    let text = format!("packages:\n{yaml}");
    let mut reg = Registry::from_str(&text, Path::new("fixture.yaml")).unwrap();
    assert_eq!(reg.packages.len(), 1, "one package per fixture");
    reg.packages.remove(0)
}

/// The package `o/tool`, a GitHub release, with the rest of its keys (`rest`, indented
/// as the item's).
fn tool(rest: &str) -> Package {
    package(&format!(
        "  - type: github_release\n    repo_owner: o\n    repo_name: tool\n{rest}"
    ))
}

fn at(pkg: &Package, tag: &str, platform: &str) -> Resolution {
    resolve(
        pkg,
        tag,
        &platform.parse().unwrap(),
        &GithubHosts::default(),
    )
    .unwrap()
}

fn download(pkg: &Package, tag: &str, platform: &str) -> Download {
    match at(pkg, tag, platform) {
        Resolution::Download(d) => *d,
        Resolution::Unsupported(why) => panic!("{tag} {platform}: unsupported: {why}"),
    }
}

fn url(pkg: &Package, tag: &str, platform: &str) -> String {
    download(pkg, tag, platform).url
}

fn unsupported(pkg: &Package, tag: &str, platform: &str) -> String {
    match at(pkg, tag, platform) {
        Resolution::Unsupported(why) => why,
        Resolution::Download(d) => panic!("{tag} {platform}: expected unsupported, got {}", d.url),
    }
}

const GH: &str = "https://github.com";

#[test]
fn replacements_format_and_format_overrides_shape_the_asset() {
    let rg = package(
        r#"
  - type: github_release
    repo_owner: BurntSushi
    repo_name: ripgrep
    asset: ripgrep-{{.Version}}-{{.Arch}}-{{.OS}}.{{.Format}}
    format: tar.gz
    format_overrides:
      - goos: windows
        format: zip
    replacements:
      amd64: x86_64
      arm64: aarch64
      darwin: apple-darwin
      linux: unknown-linux-musl
      windows: pc-windows-msvc
    files:
      - name: rg
        src: "{{.AssetWithoutExt}}/rg"
"#,
    );
    let base = format!("{GH}/BurntSushi/ripgrep/releases/download/14.1.1");
    for (platform, asset) in [
        (LINUX, "ripgrep-14.1.1-x86_64-unknown-linux-musl.tar.gz"),
        (
            LINUX_ARM,
            "ripgrep-14.1.1-aarch64-unknown-linux-musl.tar.gz",
        ),
        (MAC_ARM, "ripgrep-14.1.1-aarch64-apple-darwin.tar.gz"),
        (WIN, "ripgrep-14.1.1-x86_64-pc-windows-msvc.zip"),
    ] {
        let d = download(&rg, "14.1.1", platform);
        assert_eq!(d.url, format!("{base}/{asset}"), "{platform}");
        assert_eq!(d.asset, asset);
    }
    let linux = download(&rg, "14.1.1", LINUX);
    assert_eq!(linux.format, Some(ArchiveFormat::TarGz));
    assert_eq!(
        linux.bins,
        [Bin {
            name: "rg".into(),
            src: "ripgrep-14.1.1-x86_64-unknown-linux-musl/rg".into(),
            hard: false
        }]
    );
    let win = download(&rg, "14.1.1", WIN);
    assert_eq!(win.format, Some(ArchiveFormat::Zip));
    assert_eq!(
        win.bins[0].src, "ripgrep-14.1.1-x86_64-pc-windows-msvc/rg.exe",
        "a file src without extension gets .exe on Windows"
    );
}

#[test]
fn overrides_match_by_os_arch_or_both_first_wins_and_merge_field_by_field() {
    let pkg = tool(
        r#"
    asset: tool_{{.OS}}_{{.Arch}}.{{.Format}}
    format: tar.gz
    replacements:
      amd64: x64
    overrides:
      - goos: darwin
        goarch: arm64
        asset: tool_{{.OS}}_universal.{{.Format}}
      - goos: darwin
        replacements:
          darwin: macos
        format: zip
      - goarch: arm64
        asset: tool_{{.OS}}_{{.Arch}}_arm.{{.Format}}
      - goos: linux
        asset: tool_linux_only
"#,
    );
    let base = format!("{GH}/o/tool/releases/download/v1");
    for (platform, asset) in [
        // Only the first matching override applies: goos+goarch beats goos alone.
        (MAC_ARM, "tool_darwin_universal.tar.gz"),
        // Replacements merge: amd64 stays x64, darwin becomes macos; format replaced.
        (MAC, "tool_macos_x64.zip"),
        (LINUX_ARM, "tool_linux_arm64_arm.tar.gz"),
        (LINUX, "tool_linux_only.tar.gz"),
        (WIN, "tool_windows_x64.tar.gz"),
    ] {
        assert_eq!(
            url(&pkg, "v1", platform),
            format!("{base}/{asset}"),
            "{platform}"
        );
    }
}

#[test]
fn an_override_replaces_the_format_that_format_overrides_chose() {
    let pkg = tool(
        r#"
    asset: tool_{{.OS}}.{{.Format}}
    format: tar.gz
    format_overrides:
      - goos: windows
        format: zip
      - goos: windows
        format: tar.xz
    overrides:
      - goos: linux
        format: tar.xz
"#,
    );
    assert!(
        url(&pkg, "v1", WIN).ends_with("tool_windows.zip"),
        "first format_override wins"
    );
    assert!(url(&pkg, "v1", LINUX).ends_with("tool_linux.tar.xz"));
    assert_eq!(
        download(&pkg, "v1", LINUX).format,
        Some(ArchiveFormat::TarXz)
    );
}

#[test]
fn version_overrides_pick_the_definition_of_the_version() {
    let pkg = tool(
        r#"
    asset: tool_{{trimV .Version}}_{{.OS}}_{{.Arch}}.tar.gz
    version_constraint: semver(">= 2.0.0")
    version_overrides:
      - version_constraint: semver("< 1.0.0")
        no_asset: true
      - version_constraint: Version == "v1.5.0"
        error_message: v1.5.0 was withdrawn; use v1.5.1
      - version_constraint: semver("< 2.0.0")
        asset: tool-{{.OS}}-{{.Arch}}
        format: raw
        replacements:
          amd64: x86_64
      - version_constraint: "true"
        asset: never
"#,
    );
    let base = format!("{GH}/o/tool/releases/download");
    assert_eq!(
        url(&pkg, "v2.1.0", LINUX),
        format!("{base}/v2.1.0/tool_2.1.0_linux_amd64.tar.gz")
    );
    assert_eq!(
        url(&pkg, "v1.2.0", LINUX),
        format!("{base}/v1.2.0/tool-linux-x86_64"),
        "the first matching override replaces asset, format and replacements"
    );
    assert_eq!(
        download(&pkg, "v1.2.0", LINUX).format,
        Some(ArchiveFormat::Raw)
    );
    assert!(unsupported(&pkg, "v0.9.0", LINUX).contains("no_asset"));
    assert!(unsupported(&pkg, "v1.5.0", MAC).contains("v1.5.0 was withdrawn; use v1.5.1"));
}

#[test]
fn without_a_top_level_constraint_version_overrides_are_never_consulted() {
    let pkg = tool(
        r#"
    asset: top.tar.gz
    version_overrides:
      - version_constraint: "true"
        asset: override.tar.gz
"#,
    );
    assert!(url(&pkg, "v1", LINUX).ends_with("/top.tar.gz"));
}

#[test]
fn no_matching_version_override_falls_back_to_the_top_level() {
    let pkg = tool(
        r#"
    asset: top.tar.gz
    version_constraint: "false"
    version_overrides:
      - version_constraint: semver("< 1.0.0")
        asset: old.tar.gz
"#,
    );
    assert!(url(&pkg, "v2.0.0", LINUX).ends_with("/top.tar.gz"));
    assert!(url(&pkg, "v0.1.0", LINUX).ends_with("/old.tar.gz"));
}

#[test]
fn version_prefix_gives_semver_and_gates_constraints() {
    let pkg = package(
        r#"
  - type: github_release
    repo_owner: jqlang
    repo_name: jq
    version_prefix: jq-
    asset: jq-{{.SemVer}}-{{.OS}}
    format: raw
    version_constraint: semver(">= 1.7")
    version_overrides:
      - version_constraint: "true"
        version_prefix: cli-
        asset: cli-{{.SemVer}}
      - version_constraint: "true"
        asset: old-jq-{{.SemVer}}
"#,
    );
    let base = format!("{GH}/jqlang/jq/releases/download");
    assert_eq!(
        url(&pkg, "jq-1.7.1", LINUX),
        format!("{base}/jq-1.7.1/jq-1.7.1-linux")
    );
    // The override's own prefix applies to its constraint and to `.SemVer`.
    assert_eq!(
        url(&pkg, "cli-0.3", LINUX),
        format!("{base}/cli-0.3/cli-0.3")
    );
    assert_eq!(
        url(&pkg, "jq-1.6", LINUX),
        format!("{base}/jq-1.6/old-jq-1.6")
    );
}

#[test]
fn aqua_never_reads_a_top_level_error_message() {
    let pkg = tool(
        r#"
    asset: tool.tar.gz
    error_message: ignored by aqua (its field is yaml:"-")
"#,
    );
    assert!(url(&pkg, "v1", LINUX).ends_with("/tool.tar.gz"));
}

#[test]
fn supported_envs_admit_an_os_an_arch_a_pair_or_all() {
    let cases: [(&str, &[&str]); 5] = [
        ("[linux]", &[LINUX, LINUX_ARM]),
        ("[darwin/arm64, windows]", &[MAC_ARM, WIN, WIN_ARM]),
        ("[amd64]", &[LINUX, MAC, WIN]),
        ("[all]", &ALL),
        ("[]", &[]),
    ];
    for (envs, supported) in cases {
        let pkg = package(&format!(
            "  - type: github_release\n    repo_owner: o\n    repo_name: t\n    asset: t.tar.gz\n    supported_envs: {envs}\n"
        ));
        for platform in ALL {
            let ok = matches!(at(&pkg, "v1", platform), Resolution::Download(_));
            assert_eq!(ok, supported.contains(&platform), "{envs} on {platform}");
        }
    }
}

#[test]
fn rosetta2_serves_darwin_arm64_with_the_amd64_build() {
    let pkg = tool(
        r#"
    asset: tool_{{.OS}}_{{.Arch}}_{{.GOARCH}}.tar.gz
    rosetta2: true
    supported_envs: [darwin/amd64, linux]
    replacements:
      amd64: x86_64
"#,
    );
    let d = download(&pkg, "v1", MAC_ARM);
    assert!(
        d.url.ends_with("/tool_darwin_x86_64_arm64.tar.gz"),
        "`.Arch` is amd64's (replaced), `.GOARCH` stays arm64: {}",
        d.url
    );
    assert_eq!(d.emulated, Some("rosetta2"));
    assert_eq!(download(&pkg, "v1", MAC).emulated, None);
    assert_eq!(download(&pkg, "v1", LINUX_ARM).emulated, None);
    assert!(
        download(&pkg, "v1", LINUX_ARM)
            .url
            .ends_with("/tool_linux_arm64_arm64.tar.gz")
    );
    // Without the flag, darwin/amd64 does not admit darwin/arm64.
    let plain = package(
        "  - type: github_release\n    repo_owner: o\n    repo_name: t\n    asset: t.tar.gz\n    supported_envs: [darwin/amd64]\n",
    );
    assert!(unsupported(&plain, "v1", MAC_ARM).contains("supported_envs: darwin/amd64"));
}

#[test]
fn windows_arm_emulation_serves_windows_arm64_with_the_amd64_build() {
    let pkg = tool(
        r#"
    asset: tool_{{.OS}}_{{.Arch}}.zip
    windows_arm_emulation: true
    supported_envs: [windows/amd64]
"#,
    );
    let d = download(&pkg, "v1", WIN_ARM);
    assert!(d.url.ends_with("/tool_windows_amd64.zip"), "{}", d.url);
    assert_eq!(d.emulated, Some("windows_arm_emulation"));
}

#[test]
fn windows_gets_exe_where_aqua_adds_it() {
    let raw = |extra: &str| {
        package(&format!(
            "  - type: github_release\n    repo_owner: o\n    repo_name: tool\n    asset: tool-{{{{.Version}}}}-{{{{.OS}}}}\n{extra}"
        ))
    };
    let cases = [
        // No format, no extension once the version is taken out: `.exe`.
        ("", "tool-1.2.3-windows.exe"),
        ("    format: raw\n", "tool-1.2.3-windows.exe"),
        (
            "    format: raw\n    windows_ext: .cmd\n",
            "tool-1.2.3-windows.cmd",
        ),
        (
            "    format: raw\n    complete_windows_ext: false\n",
            "tool-1.2.3-windows",
        ),
        // An archive format: nothing added, but append_ext adds the format.
        ("    format: zip\n", "tool-1.2.3-windows.zip"),
        (
            "    format: zip\n    append_ext: false\n",
            "tool-1.2.3-windows",
        ),
    ];
    for (extra, asset) in cases {
        let pkg = raw(extra);
        let d = download(&pkg, "1.2.3", WIN);
        assert_eq!(d.asset, asset, "{extra:?}");
        assert_eq!(
            d.url,
            format!("{GH}/o/tool/releases/download/1.2.3/{asset}")
        );
    }
    // Other platforms get nothing added.
    assert_eq!(download(&raw(""), "1.2.3", LINUX).asset, "tool-1.2.3-linux");
}

#[test]
fn a_bare_executable_is_its_own_bin_under_the_assets_name() {
    let pkg = package(
        r#"
  - type: github_release
    repo_owner: jqlang
    repo_name: jq
    asset: jq-{{.OS}}-{{.Arch}}
    files:
      - name: jq
        src: ignored-for-raw
"#,
    );
    let d = download(&pkg, "jq-1.7.1", LINUX);
    assert_eq!(d.format, Some(ArchiveFormat::Raw));
    assert_eq!(
        d.bins,
        [Bin {
            name: "jq".into(),
            src: "jq-linux-amd64".into(),
            hard: false
        }]
    );
    let win = download(&pkg, "jq-1.7.1", WIN);
    assert_eq!(win.asset, "jq-windows-amd64.exe");
    assert_eq!(win.bins[0].src, "jq-windows-amd64.exe");
}

#[test]
fn without_files_the_command_is_the_last_segment_of_the_name() {
    let named = package(
        "  - name: kubernetes/kubernetes/kubectl\n    type: http\n    url: https://dl.k8s.io/{{.Version}}/bin/{{.OS}}/{{.Arch}}/kubectl\n",
    );
    let d = download(&named, "v1.30.0", LINUX);
    assert_eq!(d.url, "https://dl.k8s.io/v1.30.0/bin/linux/amd64/kubectl");
    assert_eq!(d.asset, "kubectl");
    assert_eq!(d.bins[0].name, "kubectl");
    let win = download(&named, "v1.30.0", WIN);
    assert_eq!(
        win.url,
        "https://dl.k8s.io/v1.30.0/bin/windows/amd64/kubectl.exe"
    );
    assert_eq!(win.bins[0].src, "kubectl.exe");
    let repo = package(
        "  - type: github_release\n    repo_owner: cli\n    repo_name: cli\n    asset: gh.tar.gz\n",
    );
    assert_eq!(download(&repo, "v2", LINUX).bins[0].name, "cli");
    assert_eq!(download(&repo, "v2", LINUX).bins[0].src, "cli");
}

#[test]
fn each_package_type_has_its_url() {
    let archive = package(
        "  - type: github_archive\n    repo_owner: tfutils\n    repo_name: tfenv\n    files:\n      - name: tfenv\n        src: tfenv-{{trimV .Version}}/bin/tfenv\n",
    );
    let d = download(&archive, "v3.0.0", LINUX);
    assert_eq!(
        d.url,
        format!("{GH}/tfutils/tfenv/archive/refs/tags/v3.0.0.tar.gz")
    );
    assert_eq!(d.format, Some(ArchiveFormat::TarGz));
    assert_eq!(d.bins[0].src, "tfenv-3.0.0/bin/tfenv");
    assert_eq!(
        download(&archive, "v3.0.0", WIN).bins[0].src,
        "tfenv-3.0.0/bin/tfenv.sh",
        "aqua's Windows extension for sources is .sh"
    );

    let content = package(
        "  - type: github_content\n    repo_owner: o\n    repo_name: scripts\n    path: bin/tool-{{.OS}}\n",
    );
    let d = download(&content, "v1", LINUX);
    assert_eq!(
        d.url,
        "https://raw.githubusercontent.com/o/scripts/v1/bin/tool-linux"
    );
    assert_eq!(d.format, Some(ArchiveFormat::Raw));
    assert_eq!(
        download(&content, "v1", WIN).url,
        "https://raw.githubusercontent.com/o/scripts/v1/bin/tool-windows",
        "no .exe for github_content unless complete_windows_ext says so"
    );

    // Another GitHub (Enterprise Server, or the tests' loopback fixture) moves them all.
    let hosts = GithubHosts::new("http://127.0.0.1:9000", None);
    let platform = LINUX.parse().unwrap();
    let Resolution::Download(d) = resolve(&content, "v1", &platform, &hosts).unwrap() else {
        panic!("unsupported");
    };
    assert_eq!(
        d.url,
        "http://127.0.0.1:9000/o/scripts/raw/v1/bin/tool-linux"
    );
}

#[test]
fn a_type_change_in_a_version_override_clears_the_old_types_fields() {
    let pkg = tool(
        r#"
    asset: tool.tar.gz
    version_constraint: semver(">= 1.0.0")
    version_overrides:
      - version_constraint: "true"
        type: http
        url: https://example.com/tool-{{.Version}}.tar.gz
"#,
    );
    let d = download(&pkg, "v0.5.0", LINUX);
    assert_eq!(d.url, "https://example.com/tool-v0.5.0.tar.gz");
    assert_eq!(d.asset, "tool-v0.5.0.tar.gz");
}

#[test]
fn formats_map_to_what_vx_unpacks_and_the_rest_is_unsupported() {
    let with = |format: &str, asset: &str| {
        package(&format!(
            "  - type: github_release\n    repo_owner: o\n    repo_name: t\n    asset: {asset}\n    format: '{format}'\n"
        ))
    };
    for (format, asset, want) in [
        ("tar.gz", "t.tar.gz", Some(ArchiveFormat::TarGz)),
        ("tgz", "t.tgz", Some(ArchiveFormat::TarGz)),
        ("tar.xz", "t.tar.xz", Some(ArchiveFormat::TarXz)),
        ("tar.bz2", "t.tar.bz2", Some(ArchiveFormat::TarBz2)),
        ("tar.zst", "t.tar.zst", Some(ArchiveFormat::TarZst)),
        ("tar", "t.tar", Some(ArchiveFormat::Tar)),
        ("zip", "t.zip", Some(ArchiveFormat::Zip)),
        ("raw", "t", Some(ArchiveFormat::Raw)),
        // No format: from the name, else sniffed.
        ("", "t.tar.xz", Some(ArchiveFormat::TarXz)),
        ("", "t.exe", Some(ArchiveFormat::Raw)),
        ("", "t-linux", Some(ArchiveFormat::Raw)),
        ("", "t-1.2.3-linux", None),
        // One compressed executable (taplo's `.gz`), named or from the name.
        ("gz", "t.gz", Some(ArchiveFormat::Gz)),
        ("", "t.gz", Some(ArchiveFormat::Gz)),
        ("xz", "t.xz", Some(ArchiveFormat::Xz)),
        ("", "t.bz2", Some(ArchiveFormat::Bz2)),
        ("zst", "t.zst", Some(ArchiveFormat::Zst)),
    ] {
        assert_eq!(
            download(&with(format, asset), "1.2.3", LINUX).format,
            want,
            "{format} {asset}"
        );
    }
    for (format, asset) in [
        ("dmg", "t.dmg"),
        ("pkg", "t.pkg"),
        ("lz4", "t.lz4"),
        ("", "t.tar.lz4"),
    ] {
        let why = unsupported(&with(format, asset), "v1", MAC);
        assert!(why.contains("vx cannot unpack"), "{format} {asset}: {why}");
    }
}

#[test]
fn what_vx_cannot_install_is_unsupported_with_a_reason() {
    let go = package("  - type: go_install\n    repo_owner: o\n    repo_name: t\n");
    assert!(unsupported(&go, "v1", LINUX).contains("type `go_install` is not supported"));
    let keys = package(
        "  - type: github_release\n    repo_owner: o\n    repo_name: t\n    asset: t.tar.gz\n    vars:\n      - name: x\n",
    );
    assert!(unsupported(&keys, "v1", LINUX).contains("vars"));
    let ok = package(
        "  - type: github_release\n    repo_owner: o\n    repo_name: t\n    asset: t.tar.gz\n",
    );
    let riscv = Platform::new("linux", "riscv64");
    let got = resolve(&ok, "v1", &riscv, &GithubHosts::default()).unwrap();
    assert!(matches!(got, Resolution::Unsupported(why) if why.contains("linux-riscv64")));
    let no_asset = package("  - type: github_release\n    repo_owner: o\n    repo_name: t\n");
    assert!(unsupported(&no_asset, "v1", LINUX).contains("`asset`"));
}

#[test]
fn checksum_files_are_located_per_platform() {
    let pkg = tool(
        r#"
    asset: tool_{{.OS}}_{{.Arch}}.tar.gz
    replacements:
      amd64: x86_64
    checksum:
      type: github_release
      asset: "{{.Asset}}.{{.Arch}}.sha256"
      algorithm: sha256
      replacements:
        amd64: x64
    overrides:
      - goos: windows
        checksum:
          type: http
          url: https://sums.example.com/{{.Version}}/SHA256SUMS
          file_format: regexp
          pattern:
            checksum: ^(\w+)
            file: ^\w+\s+(\S+)$
      - goos: darwin
        checksum:
          type: github_release
          asset: sums.txt
          enabled: false
"#,
    );
    let linux = download(&pkg, "v1", LINUX).checksum.unwrap();
    assert_eq!(
        linux,
        ChecksumSource {
            // `.Asset` is the package's (its replacements); `.Arch` the checksum's own.
            url: format!("{GH}/o/tool/releases/download/v1/tool_linux_x86_64.tar.gz.x64.sha256"),
            format: ChecksumFormat::Raw,
            algorithm: "sha256".into(),
            signatures: Vec::new(),
            provenance: Vec::new(),
        }
    );
    let win = download(&pkg, "v1", WIN).checksum.unwrap();
    assert_eq!(win.url, "https://sums.example.com/v1/SHA256SUMS");
    assert_eq!(
        win.format,
        ChecksumFormat::Regexp {
            checksum: r"^(\w+)".into(),
            file: Some(r"^\w+\s+(\S+)$".into())
        }
    );
    assert_eq!(download(&pkg, "v1", MAC).checksum, None, "enabled: false");
}

#[test]
fn broken_templates_and_expressions_are_errors_naming_package_and_field() {
    let tpl = package(
        "  - type: github_release\n    repo_owner: o\n    repo_name: t\n    asset: t_{{.Nope}}.tar.gz\n",
    );
    let err = resolve(&tpl, "v1", &LINUX.parse().unwrap(), &GithubHosts::default()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("o/t") && text.contains("`asset`") && text.contains("Nope"),
        "{text}"
    );

    let src = package(
        "  - type: github_release\n    repo_owner: o\n    repo_name: t\n    asset: t.tar.gz\n    files:\n      - name: t\n        src: '{{.FileName'\n",
    );
    let err = resolve(&src, "v1", &LINUX.parse().unwrap(), &GithubHosts::default()).unwrap_err();
    assert!(err.to_string().contains("`files[0].src`"), "{err}");

    let expr = package(
        "  - type: github_release\n    repo_owner: o\n    repo_name: t\n    asset: t.tar.gz\n    version_constraint: 'semver(\"<= 1\"'\n",
    );
    let err = resolve(
        &expr,
        "v1",
        &LINUX.parse().unwrap(),
        &GithubHosts::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("`version_constraint`"), "{err}");
}

#[test]
fn version_allowed_follows_prefix_filter_and_no_asset() {
    let pkg = tool(
        r#"
    asset: t.tar.gz
    version_prefix: tool-
    version_filter: not (Version contains "-rc")
    version_constraint: semver(">= 1.0.0")
    version_overrides:
      - version_constraint: semver("< 0.5.0")
        no_asset: true
      - version_constraint: semver("< 1.0.0")
"#,
    );
    for (tag, allowed) in [
        ("tool-1.2.0", true),
        ("tool-0.7.0", true),
        ("tool-0.1.0", false),
        ("1.2.0", false),
        ("other-1.2.0", false),
        ("tool-1.3.0-rc1", false),
    ] {
        assert_eq!(version_allowed(&pkg, tag).unwrap(), allowed, "{tag}");
    }
    let bad = package(
        "  - type: github_release\n    repo_owner: o\n    repo_name: t\n    asset: t\n    version_filter: 'Version ==='\n",
    );
    let err = version_allowed(&bad, "v1").unwrap_err();
    assert!(err.to_string().contains("`version_filter`"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever the registry says, resolution returns (a download, unsupported, or an
    /// error) and never panics.
    #[test]
    fn resolve_never_panics(
        asset in "[a-z{}. |\"_-]{0,40}|\\{\\{\\.[A-Za-z]{0,8}\\}\\}[a-z.]{0,8}",
        format in "(raw|zip|tar\\.gz|gz|dmg|)",
        tag in "[v0-9.a-z-]{0,12}",
        constraint in "(semver\\(\"[<>=]{0,2} ?[0-9.]{0,6}\"\\)|true|false|Version == \"v1\"|[a-z()\" ]{0,12})",
        envs in "(linux|darwin/arm64|amd64|all|windows)",
        kind in "(github_release|http|github_archive|github_content)",
        flags in proptest::collection::vec(any::<bool>(), 4),
        platform in 0usize..6,
    ) {
        let yaml = format!(
            "packages:\n  - type: {kind}\n    repo_owner: o\n    repo_name: t\n    asset: {asset:?}\n    url: {asset:?}\n    path: {asset:?}\n    format: {format:?}\n    rosetta2: {}\n    windows_arm_emulation: {}\n    complete_windows_ext: {}\n    append_ext: {}\n    supported_envs: [{envs}]\n    version_constraint: {constraint:?}\n    version_overrides:\n      - version_constraint: 'true'\n        asset: {asset:?}\n        no_asset: {}\n",
            flags[0], flags[1], flags[2], flags[3], flags[0] && flags[1],
        );
        if let Ok(reg) = Registry::from_str(&yaml, Path::new("p.yaml")) {
            for pkg in &reg.packages {
                let _ = resolve(pkg, &tag, &ALL[platform].parse().unwrap(), &GithubHosts::default());
                let _ = version_allowed(pkg, &tag);
            }
        }
    }
}

#[test]
fn only_the_entries_that_apply_must_be_installable() {
    let pkg = tool(
        r#"
    asset: tool_{{.OS}}_{{.Arch}}.tar.gz
    version_constraint: semver(">= 1.0.0")
    version_overrides:
      - version_constraint: "true"
        type: go_install
        path: example.com/o/tool
    overrides:
      - goos: linux
        goarch: arm64
        variants:
          - key: libc
            value: musl
        asset: tool_linux_arm64_musl.tar.gz
"#,
    );
    assert!(url(&pkg, "v1.2.0", LINUX).ends_with("/tool_linux_amd64.tar.gz"));
    assert!(url(&pkg, "v1.2.0", MAC_ARM).ends_with("/tool_darwin_arm64.tar.gz"));
    assert!(
        unsupported(&pkg, "v0.9.0", LINUX).contains("type `go_install` is not supported"),
        "old versions are go_install"
    );
    assert!(
        url(&pkg, "v1.2.0", LINUX_ARM).ends_with("/tool_linux_arm64.tar.gz"),
        "a musl variant does not apply to glibc"
    );
    assert!(
        url(&pkg, "v1.2.0", "linux-aarch64-musl").ends_with("/tool_linux_arm64_musl.tar.gz"),
        "it applies to musl"
    );
    let pkg = tool(
        r#"
    asset: tool_{{.OS}}_{{.Arch}}.tar.gz
    overrides:
      - goos: linux
        variants:
          - key: gpu
            value: cuda
        asset: tool_linux_cuda.tar.gz
"#,
    );
    assert!(
        unsupported(&pkg, "v1.2.0", LINUX_ARM).contains("overrides[0].variants (key `gpu`)"),
        "an override that may apply holds a condition vx does not know"
    );
    assert!(url(&pkg, "v1.2.0", MAC_ARM).ends_with("/tool_darwin_arm64.tar.gz"));
}

#[test]
fn an_overrides_envs_restrict_the_platforms_it_applies_to() {
    // eza's shape: no darwin build, so aqua builds it with cargo there.
    let pkg = package(
        r#"
  - type: github_release
    repo_owner: eza-community
    repo_name: eza
    asset: eza_{{.Arch}}-{{.OS}}.tar.gz
    windows_arm_emulation: true
    overrides:
      - envs: [darwin, windows/arm64]
        type: cargo
        crate: eza
      - goos: linux
        replacements:
          linux: unknown-linux-gnu
"#,
    );
    assert!(url(&pkg, "v0.23.4", LINUX).ends_with("/eza_amd64-unknown-linux-gnu.tar.gz"));
    assert!(url(&pkg, "v0.23.4", WIN).ends_with("/eza_amd64-windows.tar.gz"));
    for platform in [MAC, MAC_ARM, WIN_ARM] {
        assert!(
            unsupported(&pkg, "v0.23.4", platform).contains("type `cargo` is not supported"),
            "{platform}"
        );
    }
}

#[test]
fn signatures_over_the_checksum_file_are_rendered_as_declared() {
    let pkg = tool(
        r#"
    asset: tool_{{.Version}}_{{.OS}}_{{.Arch}}.tar.gz
    checksum:
      type: github_release
      asset: checksums.txt
      minisign:
        type: github_release
        asset: checksums.txt.minisig
        public_key: RWQ/i9xseZwBVE7pEniCNjlNOeeyp4BQgdZDLQcAohxEAH5Uj5DEKjv6
      cosign:
        opts:
          - --certificate-identity-regexp
          - "^https://github\\.com/o/tool/\\.github/workflows/.+@refs/tags/{{.Version}}$"
          - --certificate-oidc-issuer
          - https://token.actions.githubusercontent.com
        bundle:
          type: github_release
          asset: checksums.txt.sigstore.json
"#,
    );
    let signatures = download(&pkg, "v1.2.0", LINUX).checksum.unwrap().signatures;
    assert_eq!(
        signatures,
        vec![
            SignatureSource::Minisign {
                url: format!("{GH}/o/tool/releases/download/v1.2.0/checksums.txt.minisig"),
                public_key: "RWQ/i9xseZwBVE7pEniCNjlNOeeyp4BQgdZDLQcAohxEAH5Uj5DEKjv6".into(),
            },
            SignatureSource::CosignKeyless {
                bundle_url: Some(format!(
                    "{GH}/o/tool/releases/download/v1.2.0/checksums.txt.sigstore.json"
                )),
                signature_url: None,
                certificate_url: None,
                identity: Identity::Regexp(
                    r"^https://github\.com/o/tool/\.github/workflows/.+@refs/tags/v1.2.0$".into()
                ),
                issuer: Identity::Exact("https://token.actions.githubusercontent.com".into()),
            },
        ]
    );
}

#[test]
fn cosign_keys_come_from_opts_or_files_and_strange_options_verify_nothing() {
    let with = |cosign: &str| {
        let pkg = package(&format!(
            r#"
  - type: github_release
    repo_owner: o
    repo_name: tool
    asset: tool.tar.gz
    checksum:
      type: github_release
      asset: checksums.txt
      cosign:
{cosign}
"#
        ));
        download(&pkg, "v1", LINUX).checksum.unwrap().signatures
    };
    assert_eq!(
        with(
            "        opts: [--key, https://keys.example.com/cosign.pub, --signature, \"https://github.com/o/tool/releases/download/{{.Version}}/checksums.txt.sig\", --insecure-ignore-tlog]"
        ),
        vec![SignatureSource::CosignKey {
            key_url: "https://keys.example.com/cosign.pub".into(),
            signature_url: format!("{GH}/o/tool/releases/download/v1/checksums.txt.sig"),
        }]
    );
    assert_eq!(
        with(
            "        key: {type: github_release, asset: cosign.pub}\n        signature: {type: github_release, asset: checksums.txt.sig}"
        ),
        vec![SignatureSource::CosignKey {
            key_url: format!("{GH}/o/tool/releases/download/v1/cosign.pub"),
            signature_url: format!("{GH}/o/tool/releases/download/v1/checksums.txt.sig"),
        }]
    );
    for (opts, why) in [
        ("[--key, cosign.pub, --signature, x]", "not a URL"),
        (
            "[--certificate-github-workflow-trigger, push]",
            "not one vx checks",
        ),
        ("[--certificate-identity]", "has no value"),
        (
            "[--certificate-oidc-issuer, https://i]",
            "no certificate identity",
        ),
    ] {
        match &with(&format!("        opts: {opts}"))[..] {
            [SignatureSource::Unverifiable(reason)] => assert!(reason.contains(why), "{reason}"),
            other => panic!("{opts}: {other:?}"),
        }
    }
}

/// The attestations and provenance a download declares, per version and platform.
fn provenance(pkg: &Package, tag: &str, platform: &str) -> Vec<ProvenanceSource> {
    download(pkg, tag, platform).provenance
}

#[test]
fn attestations_and_provenance_merge_like_every_field_and_render_per_platform() {
    let pkg = package(
        r#"
  - type: github_release
    repo_owner: acme
    repo_name: tool
    asset: tool_{{.OS}}_{{.Arch}}.tar.gz
    replacements:
      amd64: x86_64
    version_constraint: semver(">= 2.0.0")
    github_artifact_attestations:
      signer_workflow: acme/tool/\.github/workflows/release\.yml
    slsa_provenance:
      type: github_release
      asset: "{{.Asset}}.intoto.jsonl"
    overrides:
      - goos: windows
        slsa_provenance:
          type: http
          url: https://slsa.example/{{.Version}}/{{.OS}}-{{.Arch}}.sigstore.json
          source_uri: github.com/acme/tool-builds
    version_overrides:
      - version_constraint: "true"
        github_artifact_attestations:
          signer-workflow: acme/old/.github/workflows/release.yml
          predicate_type: https://example.org/other/v1
        slsa_provenance:
          enabled: false
          type: github_release
          asset: x
"#,
    );
    let attested = |signer: &str, predicate: &str| ProvenanceSource::GithubAttestations {
        repo: "acme/tool".to_owned(),
        signer_workflow: signer.to_owned(),
        predicate_type: predicate.to_owned(),
    };
    let current = attested(
        r"acme/tool/\.github/workflows/release\.yml",
        "https://slsa.dev/provenance/v1",
    );
    assert_eq!(
        provenance(&pkg, "v2.1.0", LINUX),
        vec![
            current.clone(),
            ProvenanceSource::Slsa {
                url: format!(
                    "{GH}/acme/tool/releases/download/v2.1.0/tool_linux_x86_64.tar.gz.intoto.jsonl"
                ),
                source_uri: "github.com/acme/tool".to_owned(),
            }
        ]
    );
    // The Windows override replaces the provenance only; the attestations stay.
    assert_eq!(
        provenance(&pkg, "v2.1.0", WIN),
        vec![
            current,
            ProvenanceSource::Slsa {
                url: "https://slsa.example/v2.1.0/windows-x86_64.sigstore.json".to_owned(),
                source_uri: "github.com/acme/tool-builds".to_owned(),
            }
        ]
    );
    // Older versions: another signer (aqua's old spelling), another predicate, and
    // provenance turned off.
    assert_eq!(
        provenance(&pkg, "v1.0.0", MAC_ARM),
        vec![attested(
            "acme/old/.github/workflows/release.yml",
            "https://example.org/other/v1"
        )]
    );
}

#[test]
fn provenance_defaults_and_what_cannot_be_checked() {
    let pkg = package(
        r#"
  - type: github_release
    repo_owner: acme
    repo_name: tool
    asset: tool.tar.gz
    github_artifact_attestations: {}
    slsa_provenance:
      type: github_release
      repo_owner: acme
      repo_name: builds
      asset: multiple.intoto.jsonl
"#,
    );
    assert_eq!(
        provenance(&pkg, "v1.0.0", LINUX),
        vec![
            // No signer named: any workflow of the package's repository.
            ProvenanceSource::GithubAttestations {
                repo: "acme/tool".to_owned(),
                signer_workflow: "acme/tool/.+".to_owned(),
                predicate_type: "https://slsa.dev/provenance/v1".to_owned(),
            },
            // Another repository's asset; the source defaults to that repository.
            ProvenanceSource::Slsa {
                url: format!("{GH}/acme/builds/releases/download/v1.0.0/multiple.intoto.jsonl"),
                source_uri: "github.com/acme/builds".to_owned(),
            },
        ]
    );

    let off = package(
        r#"
  - type: github_release
    repo_owner: acme
    repo_name: tool
    asset: tool.tar.gz
    github_artifact_attestations:
      enabled: false
    slsa_provenance:
      asset: no-type-so-off.intoto.jsonl
"#,
    );
    assert_eq!(provenance(&off, "v1.0.0", LINUX), Vec::new());

    let unverifiable = package(
        r#"
  - type: github_release
    repo_owner: acme
    repo_name: tool
    asset: tool.tar.gz
    github_artifact_attestations: true
    slsa_provenance:
      type: http
"#,
    );
    let found = provenance(&unverifiable, "v1.0.0", LINUX);
    assert!(
        matches!(&found[..], [
            ProvenanceSource::Unverifiable(a),
            ProvenanceSource::Unverifiable(s),
        ] if a.contains("github_artifact_attestations is malformed")
            && s.contains("http names no url")),
        "{found:?}"
    );
    // The malformed package still installs: the declaration changes no download.
    assert!(unverifiable.unsupported().is_none());
}

#[test]
fn a_filter_starting_with_a_literal_prefix_declares_it_when_nothing_else_lets_tags_through() {
    for (filter, prefix) in [
        (r#"Version startsWith "go""#, Some("go")),
        (
            r#"Version startsWith "go" and not (Version contains "rc" or Version contains "beta")"#,
            Some("go"),
        ),
        (r#"Version startsWith "go" && Version != "go1""#, Some("go")),
        // An `or` outside parentheses lets other tags through: no prefix.
        (
            r#"Version startsWith "go" and true or Version == "x""#,
            None,
        ),
        (r#"Version startsWith "go" || true"#, None),
        (r#"Version startsWith "go" == false"#, None),
        (r#"Version contains "go""#, None),
    ] {
        assert_eq!(starts_with_literal(filter), prefix, "{filter}");
    }
}
