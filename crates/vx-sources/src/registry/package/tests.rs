use super::*;
use crate::registry::expr;
use proptest::prelude::*;

const FIXTURE: &str = r#"
packages:
  # A GitHub release with per-OS formats, replacements, a per-OS override, checksums,
  # version overrides and aliases.
  - type: github_release
    repo_owner: example
    repo_name: tool
    description: An example tool
    link: https://example.com
    search_words: [example]
    aliases:
      - name: example/tool-old
    asset: tool_{{trimV .Version}}_{{.OS}}_{{.Arch}}.{{.Format}}
    format: tar.gz
    format_overrides:
      - goos: windows
        format: zip
    replacements:
      amd64: x86_64
      darwin: macOS
      386: i386
    files:
      - name: tool
        src: tool_{{.OS}}/tool
    supported_envs: [linux, darwin, windows/amd64]
    rosetta2: true
    windows_arm_emulation: true
    complete_windows_ext: false
    windows_ext: .exe
    version_prefix: v
    version_filter: 'Version startsWith "v"'
    version_source: github_tag
    checksum:
      type: github_release
      asset: checksums.txt
      algorithm: sha256
      file_format: regexp
      pattern:
        checksum: ^(\b[A-Fa-f0-9]{64}\b)
        file: "^\\b[A-Fa-f0-9]{64}\\b\\s+(\\S+)$"
      enabled: true
      cosign:
        opts: []
    overrides:
      - goos: windows
        format: zip
        files:
          - name: tool
            src: tool.exe
      - goos: darwin
        goarch: arm64
        asset: tool_{{.Version}}_universal.{{.Format}}
        replacements:
          darwin: mac
    version_constraint: semver(">= 2.0.0")
    version_overrides:
      - version_constraint: semver("< 1.0.0")
        no_asset: true
        error_message: versions before 1.0.0 are not published
      - version_constraint: semver("< 2.0.0")
        asset: tool-{{.Version}}-{{.OS}}.{{.Format}}
        format: raw
        rosetta2: false
        overrides:
          - goos: linux
            asset: tool-{{.Version}}-linux-static
  - name: example.com/http-tool
    type: http
    url: https://example.com/dl/{{.Version}}/http-tool-{{.OS}}-{{.Arch}}
    format: raw
    checksum:
      type: http
      url: https://example.com/dl/{{.Version}}/SHA256SUMS
      algorithm: sha256
  - type: github_archive
    repo_owner: example
    repo_name: scripts
    files:
      - name: run
        src: scripts-{{trimV .Version}}/bin/run
  - type: github_content
    repo_owner: example
    repo_name: one-file
    path: bin/one-file
  - type: go_install
    repo_owner: example
    repo_name: go-tool
    path: example.com/go-tool/cmd/go-tool
  - type: github_release
    repo_owner: example
    repo_name: fancy
    asset: fancy.tar.gz
    vars:
      - name: flavour
        required: true
    overrides:
      - goos: linux
        variants:
          - key: libc
            value: musl
        asset: fancy-musl.tar.gz
    files:
      - name: fancy
        dir: libexec
"#;

fn parse(text: &str) -> Result<Registry, RegistryError> {
    Registry::from_str(text, Path::new("registry.yaml"))
}

#[test]
fn fixture_parses_every_field() {
    let reg = parse(FIXTURE).unwrap();
    assert_eq!(reg.packages.len(), 6);
    let p = &reg.packages[0];
    let f = &p.fields;
    assert_eq!(p.full_name().as_deref(), Some("example/tool"));
    assert_eq!(p.short_name().as_deref(), Some("tool"));
    assert_eq!(f.kind, Some(PackageType::GithubRelease));
    assert_eq!(
        p.aliases,
        [Alias {
            name: "example/tool-old".into()
        }]
    );
    assert_eq!(p.description.as_deref(), Some("An example tool"));
    assert_eq!(f.format.as_deref(), Some("tar.gz"));
    assert_eq!(
        f.format_overrides.as_deref(),
        Some(
            &[FormatOverride {
                goos: "windows".into(),
                format: "zip".into()
            }][..]
        )
    );
    let repl = f.replacements.as_ref().unwrap();
    assert_eq!(repl["amd64"], "x86_64");
    assert_eq!(repl["darwin"], "macOS");
    assert_eq!(repl["386"], "i386"); // an integer key, as in the standard registry
    let files = f.files.as_ref().unwrap();
    assert_eq!(files[0].name, "tool");
    assert_eq!(files[0].src.as_deref(), Some("tool_{{.OS}}/tool"));
    assert_eq!(
        f.supported_envs.as_deref().unwrap(),
        ["linux", "darwin", "windows/amd64"]
    );
    assert_eq!(f.rosetta2, Some(true));
    assert_eq!(f.windows_arm_emulation, Some(true));
    assert_eq!(f.complete_windows_ext, Some(false));
    assert_eq!(f.windows_ext.as_deref(), Some(".exe"));
    assert_eq!(f.version_prefix.as_deref(), Some("v"));
    assert_eq!(
        f.version_filter.as_deref(),
        Some("Version startsWith \"v\"")
    );
    assert_eq!(f.version_source, Some(VersionSource::GithubTag));
    let c = f.checksum.as_ref().unwrap();
    assert_eq!(c.kind.as_deref(), Some("github_release"));
    assert_eq!(c.asset.as_deref(), Some("checksums.txt"));
    assert_eq!(c.algorithm.as_deref(), Some("sha256"));
    assert_eq!(c.file_format.as_deref(), Some("regexp"));
    assert_eq!(c.enabled, Some(true));
    let pat = c.pattern.as_ref().unwrap();
    assert_eq!(pat.checksum, r"^(\b[A-Fa-f0-9]{64}\b)");
    assert_eq!(pat.file.as_deref(), Some(r"^\b[A-Fa-f0-9]{64}\b\s+(\S+)$"));

    assert_eq!(p.overrides.len(), 2);
    assert_eq!(p.overrides[0].goos.as_deref(), Some("windows"));
    assert_eq!(p.overrides[0].goarch, None);
    assert_eq!(p.overrides[0].fields.format.as_deref(), Some("zip"));
    assert_eq!(p.overrides[1].goarch.as_deref(), Some("arm64"));
    assert_eq!(
        p.overrides[1].fields.replacements.as_ref().unwrap()["darwin"],
        "mac"
    );

    assert_eq!(
        p.version_constraint.as_deref(),
        Some("semver(\">= 2.0.0\")")
    );
    let vo = &p.version_overrides;
    assert_eq!(vo.len(), 2);
    assert_eq!(vo[0].fields.no_asset, Some(true));
    assert!(
        vo[0]
            .fields
            .error_message
            .as_deref()
            .unwrap()
            .contains("1.0.0")
    );
    assert_eq!(vo[1].fields.format.as_deref(), Some("raw"));
    assert_eq!(vo[1].fields.rosetta2, Some(false));
    let vo_ov = vo[1].overrides.as_ref().unwrap();
    assert_eq!(
        vo_ov[0].fields.asset.as_deref(),
        Some("tool-{{.Version}}-linux-static")
    );
    // description, link, search_words and checksum.cosign do not change the download.
    assert_eq!(p.unsupported(), None);

    let http = &reg.packages[1];
    assert_eq!(http.fields.kind, Some(PackageType::Http));
    assert_eq!(http.full_name().as_deref(), Some("example.com/http-tool"));
    assert_eq!(http.short_name().as_deref(), Some("http-tool"));
    assert!(
        http.fields
            .url
            .as_deref()
            .unwrap()
            .starts_with("https://example.com/dl/")
    );
    assert_eq!(http.fields.format.as_deref(), Some("raw"));
    assert_eq!(
        http.fields.checksum.as_ref().unwrap().kind.as_deref(),
        Some("http")
    );
    assert_eq!(http.unsupported(), None);

    assert_eq!(
        reg.packages[2].fields.kind,
        Some(PackageType::GithubArchive)
    );
    assert_eq!(reg.packages[2].unsupported(), None);
    assert_eq!(
        reg.packages[3].fields.kind,
        Some(PackageType::GithubContent)
    );
    assert_eq!(reg.packages[3].fields.path.as_deref(), Some("bin/one-file"));
    assert_eq!(reg.packages[3].unsupported(), None);
}

#[test]
fn unsupported_types_and_keys_are_reported() {
    let reg = parse(FIXTURE).unwrap();
    let go = &reg.packages[4];
    assert_eq!(
        go.fields.kind,
        Some(PackageType::Other("go_install".into()))
    );
    assert_eq!(
        go.unsupported().as_deref(),
        Some("type `go_install` is not supported")
    );
    let fancy = reg.packages[5].unsupported().unwrap();
    assert_eq!(
        fancy, "unsupported keys: vars, files[0].dir",
        "an override's keys are judged where it applies"
    );
}

#[test]
fn missing_type_and_name_are_reported() {
    let reg = parse("packages:\n  - asset: x\n").unwrap();
    let why = reg.packages[0].unsupported().unwrap();
    assert!(why.contains("neither `name`"), "{why}");
    assert!(why.contains("no `type`"), "{why}");
    let reg = parse(
        "packages:\n  - type: github_release\n    repo_owner: a\n    repo_name: b\n    \
         version_source: gitlab\n    version_overrides:\n      - version_constraint: \"true\"\n        \
         type: cargo\n",
    )
    .unwrap();
    let why = reg.packages[0].unsupported().unwrap();
    assert!(!why.contains("cargo"), "judged where it applies: {why}");
    assert!(why.contains("version_source `gitlab`"), "{why}");
}

#[test]
fn a_type_vx_cannot_install_in_some_entries_only_leaves_the_package_installable() {
    // eza-community/eza's shape: `cargo` on macOS only.
    let reg = parse(
        "packages:\n  - type: github_release\n    repo_owner: eza-community\n    repo_name: eza\n    \
         asset: eza_{{.Arch}}-{{.OS}}.tar.gz\n    overrides:\n      - goos: darwin\n        \
         type: cargo\n        crate: eza\n",
    )
    .unwrap();
    assert_eq!(reg.packages[0].unsupported(), None);
    // A type vx cannot install everywhere, no entry replacing it: refused whole.
    let reg = parse(
        "packages:\n  - type: cargo\n    repo_owner: a\n    repo_name: b\n    overrides:\n      \
         - goos: darwin\n        type: go_install\n",
    )
    .unwrap();
    assert_eq!(
        reg.packages[0].unsupported().as_deref(),
        Some("type `cargo` is not supported")
    );
    // Replaced by a version override for newer versions: those install.
    let reg = parse(
        "packages:\n  - type: go_install\n    repo_owner: a\n    repo_name: b\n    \
         version_constraint: \"false\"\n    version_overrides:\n      \
         - version_constraint: \"true\"\n        type: github_release\n        asset: b\n",
    )
    .unwrap();
    assert_eq!(reg.packages[0].unsupported(), None);
}

#[test]
fn fixture_constraints_compile_and_agree_with_expr() {
    let reg = parse(FIXTURE).unwrap();
    let p = &reg.packages[0];
    let top = p.version_constraint.as_deref().unwrap();
    let vos: Vec<&str> = p
        .version_overrides
        .iter()
        .map(|v| v.version_constraint.as_str())
        .collect();
    for c in std::iter::once(top).chain(vos.iter().copied()) {
        expr::Expr::parse(c).unwrap_or_else(|e| panic!("{c}: {e}"));
    }
    // Which definition applies: the top level, else the first matching override.
    let pick = |v: &str| -> usize {
        if expr::eval(top, v).unwrap() {
            return 0;
        }
        1 + vos.iter().position(|c| expr::eval(c, v).unwrap()).unwrap()
    };
    assert_eq!(pick("2.3.0"), 0);
    assert_eq!(pick("0.9.0"), 1);
    assert_eq!(pick("1.5.0"), 2);
}

#[test]
fn the_empty_document_has_no_packages() {
    assert!(parse("").unwrap().packages.is_empty());
    assert!(parse("packages: []\n").unwrap().packages.is_empty());
}

#[test]
fn malformed_documents_fail_with_a_position() {
    let err = parse("packages:\n  - type: http\n    url: [unclosed\n").unwrap_err();
    let RegistryError::Invalid { line, column, .. } = &err else {
        panic!("{err:?}");
    };
    assert!(line.is_some() && column.is_some(), "{err}");
    assert!(err.to_string().starts_with("registry.yaml:"), "{err}");

    // A value of the wrong type: a list where the asset's name belongs.
    let err = parse("packages:\n  - type: http\n    files: 3\n").unwrap_err();
    assert!(matches!(err, RegistryError::Invalid { .. }), "{err}");

    // An unknown top-level key.
    let err = parse("packgaes: []\n").unwrap_err();
    assert!(err.to_string().contains("packgaes"), "{err}");
}

#[test]
fn over_large_documents_are_refused_before_parsing() {
    let mut big = b"packages: []\n#".to_vec();
    big.resize(MAX_BYTES + 1, b'x');
    let err = Registry::from_slice(&big, Path::new("big.yaml")).unwrap_err();
    assert!(
        matches!(err, RegistryError::TooLarge { len, .. } if len == MAX_BYTES + 1),
        "{err}"
    );
}

#[test]
fn alias_bombs_and_deep_nesting_fail_quickly() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..20 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    bomb.push_str("packages: *a19\n");
    let start = std::time::Instant::now();
    assert!(parse(&bomb).is_err());
    let deep = format!("packages: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    assert!(parse(&deep).is_err());
    let deep_block: String = (0..10_000)
        .map(|i| format!("{}- \n", " ".repeat(i * 2)))
        .collect();
    assert!(parse(&format!("packages:\n{deep_block}")).is_err());
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn not_utf8_is_an_error() {
    let err = Registry::from_slice(b"packages: [\xff]\n", Path::new("r.yaml")).unwrap_err();
    assert!(err.to_string().contains("UTF-8"), "{err}");
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Registry::from_slice(&bytes, Path::new("r.yaml"));
    }

    #[test]
    fn arbitrary_yaml_like_text_never_panics(
        text in "(packages:|  - |type: |[a-z_]{1,8}: |\\{\\{|\\[|\\]|&a |\\*a|\n|'|\"|#| ){0,60}"
    ) {
        let _ = parse(&text);
    }
}

/// The standard registry loads. Needs a copy of aqua-registry's `registry.yaml` (not
/// part of the repo, and CI has no network): `VX_AQUA_REGISTRY=PATH cargo test --lib
/// registry -- --ignored`.
#[test]
#[ignore = "needs a copy of the standard registry at $VX_AQUA_REGISTRY"]
fn the_standard_registry_loads() {
    let path = std::env::var("VX_AQUA_REGISTRY")
        .expect("VX_AQUA_REGISTRY names a copy of aqua-registry's registry.yaml");
    let bytes = std::fs::read(&path).unwrap();
    let reg = Registry::from_slice(&bytes, Path::new(&path)).unwrap();
    let unsupported = reg
        .packages
        .iter()
        .filter(|p| p.unsupported().is_some())
        .count();
    eprintln!("{} packages, {unsupported} unsupported", reg.packages.len());
    assert!(reg.packages.len() > 1000);
    // Every attestation and provenance declaration is in the shape vx reads.
    let mut declared = 0;
    for pkg in &reg.packages {
        let levels = std::iter::once(&pkg.fields)
            .chain(pkg.overrides.iter().map(|o| &o.fields))
            .chain(pkg.version_overrides.iter().flat_map(|vo| {
                std::iter::once(&vo.fields).chain(vo.overrides.iter().flatten().map(|o| &o.fields))
            }));
        for fields in levels {
            for malformed in [
                matches!(
                    fields.github_artifact_attestations,
                    Some(Declared::Malformed(_))
                ),
                matches!(fields.slsa_provenance, Some(Declared::Malformed(_))),
                matches!(fields.minisign, Some(Declared::Malformed(_))),
                matches!(fields.cosign, Some(Declared::Malformed(_))),
            ] {
                assert!(!malformed, "{:?}", pkg.full_name());
            }
            declared += usize::from(fields.github_artifact_attestations.is_some())
                + usize::from(fields.slsa_provenance.is_some())
                + usize::from(fields.minisign.is_some())
                + usize::from(fields.cosign.is_some());
        }
    }
    eprintln!("{declared} signature, attestation and provenance declarations of assets");
    assert!(declared > 100);
}

#[test]
fn a_malformed_provenance_declaration_spoils_neither_the_document_nor_the_index() {
    let reg = parse(
        r#"packages:
  - type: github_release
    repo_owner: acme
    repo_name: tool
    asset: tool.tar.gz
    github_artifact_attestations: [not, a, mapping]
    slsa_provenance:
      type: github_release
      asset: tool.intoto.jsonl
      source_uri: {1: 2}
  - type: github_release
    repo_owner: acme
    repo_name: other
    asset: other.tar.gz
"#,
    )
    .unwrap();
    assert_eq!(reg.packages.len(), 2);
    let tool = &reg.packages[0];
    assert!(tool.unsupported().is_none());
    fn malformed<T>(d: &Option<Declared<T>>) -> String {
        match d {
            Some(Declared::Malformed(why)) => why.clone(),
            _ => panic!("not malformed"),
        }
    }
    let attestations = malformed(&tool.fields.github_artifact_attestations);
    let slsa = malformed(&tool.fields.slsa_provenance);
    // Written into the index and read back: the same verdicts.
    let json = serde_json::to_vec(tool).unwrap();
    let back: Package = serde_json::from_slice(&json).unwrap();
    assert_eq!(
        malformed(&back.fields.github_artifact_attestations),
        attestations
    );
    assert_eq!(malformed(&back.fields.slsa_provenance), slsa);
}

#[test]
fn yaml_1_1_booleans_are_strings_as_in_aqua() {
    // goccy/go-yaml, aqua's parser, is YAML 1.2: `no` and `on` are plain strings.
    let reg = parse(
        "packages:\n  - type: github_release\n    repo_owner: on\n    repo_name: no\n    asset: x.tar.gz\n",
    )
    .unwrap();
    assert_eq!(reg.packages[0].fields.repo_owner.as_deref(), Some("on"));
    assert_eq!(reg.packages[0].fields.repo_name.as_deref(), Some("no"));
}

#[test]
fn deep_nesting_is_said_to_be_too_deep() {
    for deep in [
        format!(
            "packages:\n  - a: {}1{}\n",
            "{a: ".repeat(100_000),
            "}".repeat(100_000)
        ),
        format!("packages: {}{}\n", "[".repeat(100_000), "]".repeat(100_000)),
    ] {
        let err = parse(&deep).unwrap_err().to_string();
        assert!(
            err.contains("too deeply nested (at most 64 levels)"),
            "{err}"
        );
    }
}
