use super::*;
use crate::spec::ToolSpec;
use serde_json::json;
use vx_base::format::ArchiveFormat;

const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn parse(text: &str) -> Result<Manifest, ManifestError> {
    Manifest::parse(Path::new("vx.toml"), text)
}

fn problem(text: &str) -> (Problem, Option<Location>, String) {
    let err = parse(text).expect_err("manifest should be rejected");
    (
        err.problem().cloned().expect("an Invalid error"),
        err.location(),
        err.to_string(),
    )
}

fn at(line: usize, column: usize) -> Option<Location> {
    Some(Location { line, column })
}

fn platform(name: &str) -> Platform {
    name.parse().unwrap()
}

/// The manifest's tools resolved for linux-x86_64, by name.
fn resolved(m: &Manifest) -> std::collections::BTreeMap<String, ToolSpec> {
    m.resolve(&platform("linux-x86_64"))
        .unwrap()
        .into_iter()
        .map(|spec| (spec.name.clone(), spec))
        .collect()
}

#[test]
fn parses_the_design_example_in_manifest_order() {
    let text = format!(
        r#"
[tools.ripgrep]
version = "14.1.1"
url = "https://example.org/ripgrep-{{version}}-x86_64-unknown-linux-musl.tar.gz"
sha256 = "{upper}"
strip_components = 1

[tools.msvc]
version = "14.42"
url = "https://example.org/msvc/{{version}}/pkg.zip"
sha256 = "{SHA}"
options = {{ components = ["spectre"], nested = {{ a = 1, b = [true, 2.5], when = 1979-05-27T07:32:00Z }} }}

[tools.aaa]
version = "1"
url = "file:///srv/aaa"
format = "txz"
post_install = "./configure && make"
"#,
        upper = SHA.to_ascii_uppercase()
    );
    let m = parse(&text).unwrap();
    assert_eq!(m.path, Path::new("vx.toml"));
    let names: Vec<_> = m.tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["ripgrep", "msvc", "aaa"],
        "manifest order, not sorted"
    );

    assert!(m.tool("ripgrep").is_some() && m.tool("nope").is_none());
    let specs = resolved(&m);
    let rg = &specs["ripgrep"];
    assert_eq!(rg.version, "14.1.1");
    assert_eq!(
        rg.url,
        "https://example.org/ripgrep-14.1.1-x86_64-unknown-linux-musl.tar.gz"
    );
    assert_eq!(rg.sha256.as_deref(), Some(SHA), "lower-cased");
    assert_eq!(rg.format, Some(ArchiveFormat::TarGz));
    assert_eq!(rg.strip_components, 1);
    assert_eq!(rg.post_install, None);
    assert!(rg.options.is_empty());

    let msvc = &specs["msvc"];
    assert_eq!(msvc.url, "https://example.org/msvc/14.42/pkg.zip");
    assert_eq!(msvc.format, Some(ArchiveFormat::Zip));
    assert_eq!(msvc.strip_components, 0);
    assert_eq!(msvc.options["components"], json!(["spectre"]));
    assert_eq!(
        msvc.options["nested"],
        json!({"a": 1, "b": [true, 2.5], "when": "1979-05-27T07:32:00Z"})
    );
    assert_eq!(msvc.options.len(), 2);

    let aaa = &specs["aaa"];
    assert_eq!(aaa.format, Some(ArchiveFormat::TarXz), "format key wins");
    assert_eq!(aaa.sha256, None);
    assert_eq!(aaa.post_install.as_deref(), Some("./configure && make"));
}

#[test]
fn inline_tables_and_dotted_keys_work_and_unknown_format_urls_are_sniffed_later() {
    let m = parse(
        "tools.b = { version = \"2\", url = \"https://x.org/dl?id=2\" }\n\
         tools.a.version = \"1\"\ntools.a.url = \"https://x.org/a.zip\"\n",
    )
    .unwrap();
    let names: Vec<_> = m.tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["b", "a"]);
    assert_eq!(
        m.resolve(&platform("macos-aarch64")).unwrap()[0].format,
        None
    );
}

#[test]
fn syntax_errors_name_file_line_and_column() {
    let (p, loc, msg) = problem("[tools.a]\nversion = \"1\"\nurl = \n");
    assert!(matches!(p, Problem::Syntax(_)), "{p:?}");
    assert_eq!(loc.map(|l| l.line), Some(3));
    assert!(msg.starts_with("vx.toml:3:"), "{msg}");

    let (p, loc, _) = problem("[tools.a]\nversion = \"1\"\nversion = \"2\"\n");
    assert!(matches!(p, Problem::Syntax(_)), "duplicate key: {p:?}");
    assert_eq!(loc.map(|l| l.line), Some(3));
}

#[test]
fn missing_keys_point_at_the_tool() {
    let (p, loc, msg) = problem("\n[tools.rg]\nurl = \"https://x.org/a.zip\"\n");
    assert_eq!(
        p,
        Problem::MissingKey {
            tool: "rg".into(),
            key: "version"
        }
    );
    assert_eq!(loc, at(2, 8));
    assert_eq!(msg, "vx.toml:2:8: tool `rg` has no `version`");

    // A table with keys only a URL tool has, but no URL.
    let (p, _, _) = problem("[tools.rg]\nversion = \"1\"\nformat = \"zip\"\n");
    assert_eq!(
        p,
        Problem::MissingKey {
            tool: "rg".into(),
            key: "url"
        }
    );
}

#[test]
fn wrong_types_point_at_the_value() {
    let (p, loc, msg) = problem("[tools.rg]\nversion = 14\nurl = \"https://x.org/a.zip\"\n");
    assert_eq!(
        p,
        Problem::WrongType {
            key: "tools.rg.version".into(),
            expected: "a string",
            found: "an integer"
        }
    );
    assert_eq!(loc, at(2, 11));
    assert!(msg.contains("`tools.rg.version` must be a string, found an integer"));

    for (bad, key) in [
        ("strip_components = -1", "strip_components"),
        ("strip_components = \"1\"", "strip_components"),
        ("sha256 = 5", "sha256"),
        ("post_install = [\"x\"]", "post_install"),
        ("format = 1", "format"),
    ] {
        let text = format!("[tools.rg]\nversion = \"1\"\nurl = \"https://x.org/a.zip\"\n{bad}\n");
        let (p, loc, _) = problem(&text);
        assert!(
            matches!(&p, Problem::WrongType { key: k, .. } if k == &format!("tools.rg.{key}")),
            "{bad}: {p:?}"
        );
        assert_eq!(loc.map(|l| l.line), Some(4), "{bad}");
    }

    let (p, _, _) = problem("tools = 3\n");
    assert!(matches!(p, Problem::WrongType { .. }), "{p:?}");
    let (p, _, _) = problem("[tools]\nrg = 14\n");
    assert!(matches!(p, Problem::WrongType { .. }), "{p:?}");
}

#[test]
fn field_rules_are_enforced_with_locations() {
    let base = |extra: &str| {
        format!("[tools.rg]\nversion = \"1\"\nurl = \"https://x.org/a.zip\"\n{extra}\n")
    };
    let (p, loc, _) = problem(&base("sha256 = \"abc\""));
    assert!(matches!(p, Problem::Field(FieldError::Sha256(_))), "{p:?}");
    assert_eq!(loc, at(4, 10));
    let (p, _, _) = problem(&base(&format!("sha256 = \"{}\"", "z".repeat(64))));
    assert!(matches!(p, Problem::Field(FieldError::Sha256(_))), "{p:?}");
    let (p, _, _) = problem(&base("strip_components = 100"));
    assert!(matches!(
        p,
        Problem::Field(FieldError::StripComponents(100))
    ));
    let (p, _, _) = problem(&base("post_install = \"\""));
    assert!(matches!(p, Problem::Field(FieldError::Command(_))));
    let (p, loc, msg) = problem(&base("format = \"rar\""));
    assert_eq!(p, Problem::UnknownFormat("rar".into()));
    assert_eq!(loc, at(4, 10));
    assert!(msg.contains("supported: tar.gz"), "{msg}");
    let (p, _, _) = problem(&base("options = { nan = nan }"));
    assert!(matches!(p, Problem::BadOption(..)), "{p:?}");
    let (p, _, _) = problem(&base(&format!(
        "options = {{ blob = \"{}\" }}",
        "x".repeat(20_000)
    )));
    assert!(matches!(p, Problem::Field(FieldError::OptionsTooLarge(_))));

    let (p, loc, _) = problem("[tools.rg]\nversion = \"1/2\"\nurl = \"https://x.org/a.zip\"\n");
    assert!(matches!(p, Problem::Field(FieldError::Version(_))));
    assert_eq!(loc, at(2, 11));
    let long = "9".repeat(vx_base::validate::MAX_VERSION + 1);
    let (p, _, _) = problem(&format!(
        "[tools.rg]\nversion = \"{long}\"\nurl = \"https://x.org/a.zip\"\n"
    ));
    assert!(matches!(p, Problem::Field(FieldError::Version(_))));

    let (p, loc, _) = problem("[tools.rg]\nversion = \"1\"\nurl = \"ftp://x.org/a.zip\"\n");
    assert!(matches!(p, Problem::Field(FieldError::Url { .. })), "{p:?}");
    assert_eq!(loc, at(3, 7));
    let (p, _, msg) = problem("[tools.rg]\nversion = \"1\"\nurl = \"https://x.org/a.7z\"\n");
    assert_eq!(p, Problem::UnsupportedArchive(".7z"));
    assert!(msg.contains(".tar.zst") && msg.contains("raw"), "{msg}");
    // An explicit format overrides an unhelpful suffix.
    let m = parse("[tools.rg]\nversion = \"1\"\nurl = \"https://x.org/a.bin\"\nformat = \"zip\"\n");
    assert_eq!(
        m.unwrap().tools[0].format,
        Some(ArchiveFormat::Zip),
        "named"
    );
}

#[test]
fn tool_names_must_fit_a_slot() {
    for bad in ["\"a b\"", "\"..\"", "\".tmp\"", "\"é\"", &"n".repeat(33)] {
        let text = format!("[tools.{bad}]\nversion = \"1\"\nurl = \"https://x.org/a.zip\"\n");
        let (p, loc, _) = problem(&text);
        assert!(
            matches!(p, Problem::Field(FieldError::ToolName(_))),
            "{bad}: {p:?}"
        );
        assert_eq!(loc, at(1, 8), "{bad}");
    }
    let ok = "n".repeat(32);
    let text = format!("[tools.{ok}]\nversion = \"1\"\nurl = \"https://x.org/a.zip\"\n");
    assert_eq!(parse(&text).unwrap().tools[0].name, ok);
}

#[test]
fn whole_file_problems() {
    let (p, loc, msg) = problem("");
    assert_eq!(p, Problem::NoTools);
    assert_eq!(loc, None);
    assert!(msg.starts_with("vx.toml: no tools"), "{msg}");
    // An empty `[tools]` (what `vx init` writes) and a project of scripts alone are
    // manifests without tools.
    assert!(parse("[tools]\n").unwrap().tools.is_empty());
    let scripts = parse("[scripts]\nlint = \"true\"\n").unwrap();
    assert!(scripts.tools.is_empty() && scripts.environment.task("lint").is_some());
    let (p, loc, msg) = problem("\n[tool.rg]\nversion = \"1\"\n");
    assert_eq!(
        p,
        Problem::UnknownKey {
            key: "tool".into(),
            table: String::new(),
            suggestion: Some("tools".into())
        }
    );
    assert_eq!(loc, at(2, 2));
    assert!(
        msg.ends_with("unknown key `tool` at the top level; did you mean `tools`?"),
        "{msg}"
    );

    let mut many = String::new();
    for i in 0..=MAX_TOOLS {
        many.push_str(&format!(
            "[tools.t{i}]\nversion = \"1\"\nurl = \"https://x.org/a.zip\"\n"
        ));
    }
    assert_eq!(problem(&many).0, Problem::TooManyTools(MAX_TOOLS + 1));
}

#[test]
fn non_utf8_and_oversized_files_are_refused() {
    let err =
        Manifest::from_bytes(Path::new("m.toml"), b"[tools.a]\nversion = \"\xff\"\n").unwrap_err();
    assert_eq!(err.problem(), Some(&Problem::NotUtf8));
    assert_eq!(err.location(), at(2, 12));
    assert!(err.to_string().starts_with("m.toml:2:12: "), "{err}");

    let big = vec![b'#'; MAX_MANIFEST_BYTES as usize + 1];
    let err = Manifest::from_bytes(Path::new("m.toml"), &big).unwrap_err();
    assert!(matches!(err, ManifestError::TooLarge { .. }), "{err}");
}

#[test]
fn load_reads_files_and_reports_missing_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vx.toml");
    std::fs::write(
        &path,
        "[tools.a]\nversion = \"1\"\nurl = \"https://x.org/a.zip\"\n",
    )
    .unwrap();
    let m = Manifest::load(&path).unwrap();
    assert_eq!(m.path, path);
    assert_eq!(m.tools.len(), 1);

    let missing = dir.path().join("absent.toml");
    let err = Manifest::load(&missing).unwrap_err();
    assert!(matches!(err, ManifestError::Read { .. }));
    assert!(
        err.to_string().contains("absent.toml: cannot read"),
        "{err}"
    );

    let big = dir.path().join("big.toml");
    std::fs::write(&big, vec![b'#'; MAX_MANIFEST_BYTES as usize + 10]).unwrap();
    assert!(matches!(
        Manifest::load(&big),
        Err(ManifestError::TooLarge { .. })
    ));
}

#[test]
fn location_counts_characters_not_bytes() {
    for (text, offset, line, column) in [
        ("", 0, 1, 1),
        ("ab\ncd", 4, 2, 2),
        ("éé\nx", 4, 1, 3),
        ("ab", 99, 1, 3),
    ] {
        assert_eq!(
            Location::from_offset(text, offset),
            Location { line, column },
            "{text:?} at {offset}"
        );
    }
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
            let _ = parse(&text);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = Manifest::from_bytes(Path::new("x"), &bytes);
        }
    }
}

#[test]
fn an_unknown_key_is_an_error_with_the_closest_known_one() {
    let (p, loc, msg) = problem(
        "[tools.clap]\nversion = \"1\"\nurl = \"https://x.org/a.zip\"\nstrip-components = 1\n",
    );
    assert!(matches!(p, Problem::UnknownKey { .. }), "{p:?}");
    assert_eq!(loc, at(4, 1));
    assert_eq!(
        msg,
        "vx.toml:4:1: unknown key `strip-components` in `[tools.clap]`; did you mean `strip_components`?"
    );
    // Free-form options live in `options`; a stray one is not silently kept.
    let (_, _, msg) =
        problem("[tools.a]\nversion = \"1\"\nurl = \"https://x.org/a.zip\"\ncomponents = []\n");
    assert!(
        msg.ends_with("unknown key `components` in `[tools.a]`"),
        "{msg}"
    );
    let (_, loc, msg) = problem(
        "[settings]\nplatform = []\n[tools.a]\nversion = \"1\"\nurl = \"https://x.org/a.zip\"\n",
    );
    assert_eq!(loc, at(2, 1));
    assert!(msg.ends_with("did you mean `platforms`?"), "{msg}");
    let (_, _, msg) = problem(
        "[tools.a]\nversion = \"1\"\nurl = \"https://x.org/a.zip\"\n[tools.a.platforms.linux-x86_64]\nsha = \"\"\n",
    );
    assert!(
        msg.ends_with(
            "unknown key `sha` in `[tools.a.platforms.linux-x86_64]`; did you mean `sha256`?"
        ),
        "{msg}"
    );
}

const PLATFORM_MANIFEST: &str = r#"
[settings]
platforms = ["linux-x86_64", "macos-aarch64", "windows-x86_64", "linux-x86_64"]

[tools.rg]
version = "14.1.1"
url = "https://x.org/rg/{version}/rg-{version}-{arch}-{os}.tar.gz"
replacements = { linux = "unknown-linux-musl", macos = "apple-darwin", x86_64 = "amd64" }
strip_components = 1
bin = ["rg"]

[tools.rg.platforms.macos-aarch64]
sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
bin = ["bin/rg"]

[tools.rg.platforms.windows-x86_64]
url = "https://x.org/rg/{version}/rg-{version}-windows.zip"
strip_components = 0
"#;

#[test]
fn placeholders_replacements_and_overrides_resolve_per_platform() {
    let m = parse(PLATFORM_MANIFEST).unwrap();
    assert_eq!(
        m.platforms,
        [
            platform("linux-x86_64"),
            platform("macos-aarch64"),
            platform("windows-x86_64")
        ],
        "in order, once each"
    );
    let one = |name: &str| m.resolve(&platform(name)).unwrap().remove(0);

    let linux = one("linux-x86_64");
    assert_eq!(
        linux.url,
        "https://x.org/rg/14.1.1/rg-14.1.1-amd64-unknown-linux-musl.tar.gz"
    );
    assert_eq!((linux.sha256, linux.strip_components), (None, 1));
    assert_eq!(linux.bin, Some(vec!["rg".to_owned()]));
    assert_eq!(linux.format, Some(ArchiveFormat::TarGz));

    let mac = one("macos-aarch64");
    assert_eq!(
        mac.url,
        "https://x.org/rg/14.1.1/rg-14.1.1-aarch64-apple-darwin.tar.gz"
    );
    assert_eq!(mac.sha256.as_deref(), Some(SHA));
    assert_eq!(mac.bin, Some(vec!["bin/rg".to_owned()]));

    let windows = one("windows-x86_64");
    assert_eq!(windows.url, "https://x.org/rg/14.1.1/rg-14.1.1-windows.zip");
    assert_eq!(
        (windows.format, windows.strip_components),
        (Some(ArchiveFormat::Zip), 0)
    );

    let odd = Platform::new("linux", "riscv64");
    let err = m.resolve(&odd).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("vx.toml: rg has no download for linux-riscv64; if it is not for linux-riscv64, list the platforms it is for with `os = [...]`"),
        "{err}"
    );
}

#[test]
fn platform_rules_are_enforced_with_locations() {
    let base = "[tools.rg]\nversion = \"1\"\n";
    let (p, loc, _) = problem(&format!(
        "{base}url = \"https://x.org/{{os}}.zip\"\nsha256 = \"{SHA}\"\n"
    ));
    assert_eq!(p, Problem::ShaForEveryPlatform("rg".into()));
    assert_eq!(loc, at(4, 10));
    let (p, loc, _) = problem(&format!(
        "{base}url = \"https://x.org/a.zip\"\n[tools.rg.platforms.linux-riscv64]\nurl = \"https://x.org/b.zip\"\n"
    ));
    assert!(matches!(p, Problem::Platform(_)), "{p:?}");
    assert_eq!(loc, at(4, 21));
    let (p, _, _) = problem(
        "[settings]\nplatforms = [\"beos-x86\"]\n[tools.a]\nversion = \"1\"\nurl = \"https://x.org/a.zip\"\n",
    );
    assert!(matches!(p, Problem::Platform(_)), "{p:?}");
    let (p, _, msg) = problem(&format!(
        "{base}url = \"https://x.org/a.zip\"\nreplacements = {{ solaris = \"x\" }}\n"
    ));
    assert!(matches!(p, Problem::UnknownKey { .. }), "{msg}");
    let (p, _, _) = problem(&format!(
        "{base}url = \"https://x.org/{{os}}.zip\"\nreplacements = {{ linux = \"a/b\" }}\n"
    ));
    assert!(matches!(p, Problem::BadReplacement(_)), "{p:?}");
    // A tool whose downloads are all per platform: none for the others.
    let m = parse(&format!(
        "{base}[tools.rg.platforms.macos-aarch64]\nurl = \"https://x.org/m.zip\"\n"
    ))
    .unwrap();
    assert!(m.resolve(&platform("macos-aarch64")).is_ok());
    let err = m.resolve(&platform("linux-x86_64")).unwrap_err();
    assert!(
        err.to_string()
            .contains("rg has no download for linux-x86_64; "),
        "{err}"
    );
    // Without any url but with a URL tool's keys, the tool is told to get one.
    let (p, _, _) = problem(&format!("{base}strip_components = 1\n"));
    assert_eq!(
        p,
        Problem::MissingKey {
            tool: "rg".into(),
            key: "url"
        }
    );
}

#[test]
fn bin_entries_must_stay_inside_the_install() {
    let base = "[tools.rg]\nversion = \"1\"\nurl = \"https://x.org/a.zip\"\n";
    for bad in ["\"../rg\"", "\"/usr/bin/rg\"", "\"a/../../b\"", "\"\""] {
        let (p, loc, _) = problem(&format!("{base}bin = [{bad}]\n"));
        assert!(
            matches!(p, Problem::Field(FieldError::Bin { .. })),
            "{bad}: {p:?}"
        );
        assert_eq!(loc, at(4, 7), "{bad}");
    }
    let (p, _, _) = problem(&format!("{base}bin = \"rg\"\n"));
    assert!(matches!(p, Problem::WrongType { .. }), "{p:?}");
    let m = parse(&format!("{base}bin = [\"rg\", \"complete/rg.bash\"]\n")).unwrap();
    assert_eq!(m.tools[0].bin.as_ref().unwrap().len(), 2);
}

#[test]
fn the_nearest_manifest_up_the_tree_is_found_and_flags_win() {
    let root = tempfile::tempdir().unwrap();
    let deep = root.path().join("a/b");
    std::fs::create_dir_all(&deep).unwrap();
    // Nothing in the tree yet: whatever is above the temp dir, if anything.
    assert_eq!(find(&deep), find(root.path().parent().unwrap()));
    std::fs::write(root.path().join(MANIFEST_FILE), "").unwrap();
    assert_eq!(find(&deep), Some(root.path().join(MANIFEST_FILE)));
    std::fs::write(deep.join(MANIFEST_FILE), "").unwrap();
    assert_eq!(
        find(&deep),
        Some(deep.join(MANIFEST_FILE)),
        "the nearest wins"
    );
    let explicit = Path::new("/elsewhere/vx.toml");
    assert_eq!(locate(Some(explicit), &deep).unwrap(), explicit);
    // A directory named vx.toml is found, not passed over for a parent's project,
    // and then refused by name when read.
    let other = tempfile::tempdir().unwrap();
    let dir = other.path().join(MANIFEST_FILE);
    std::fs::create_dir(&dir).unwrap();
    assert_eq!(find(other.path()), Some(dir.clone()));
    let err = Manifest::load(&dir).unwrap_err().to_string();
    assert!(err.contains("a directory, not a regular file"), "{err}");
}

#[test]
fn os_names_the_platforms_a_tool_is_for() {
    let m = parse(
        "[tools.sc]\nversion = \"1\"\nurl = \"https://x.org/sc-{os}-{arch}.tgz\"\nos = [\"linux\", \"macos-aarch64\"]\n",
    )
    .unwrap();
    let sc = m.tool("sc").unwrap();
    assert!(sc.is_for(&platform("linux-aarch64")));
    assert!(sc.is_for(&platform("macos-aarch64")));
    assert!(!sc.is_for(&platform("macos-x86_64")));
    assert!(!sc.is_for(&platform("windows-x86_64")));
    let (p, loc, _) = problem(
        "[tools.sc]\nversion = \"1\"\nurl = \"https://x.org/sc.tgz\"\nos = [\"linux\", \"darwin\"]\n",
    );
    assert!(matches!(p, Problem::Platform(_)), "{p:?}");
    assert_eq!(loc, at(4, 16));
    let (p, loc, _) =
        problem("[tools.sc]\nversion = \"1\"\nurl = \"https://x.org/sc.tgz\"\nos = []\n");
    assert!(matches!(p, Problem::WrongType { .. }), "{p:?}");
    assert_eq!(loc, at(4, 6));
}

#[test]
fn unknown_placeholders_are_refused_where_they_stand() {
    let (p, loc, message) =
        problem("[tools.e]\nversion = \"1\"\nurl = \"https://x.org/e-{verison}.tgz\"\n");
    assert_eq!(
        p,
        Problem::UnknownPlaceholder {
            name: "verison".into(),
            suggestion: Some("version".into())
        }
    );
    assert_eq!(loc, at(3, 24));
    assert!(message.contains("did you mean `{version}`?"), "{message}");
    let (p, loc, _) = problem(
        "[tools.e]\nversion = \"1\"\nurl = \"https://x.org/e.tgz\"\nbin = [\"e-{platform}/e\"]\n",
    );
    assert!(matches!(p, Problem::UnknownPlaceholder { .. }), "{p:?}");
    assert_eq!(loc, at(4, 11));
}

#[test]
fn bin_entries_are_filled_like_the_url() {
    let m = parse(
        "[tools.ruff]\nversion = \"0.7.4\"\nurl = \"https://x.org/ruff-{version}-{os}.whl\"\nformat = \"zip\"\nbin = [\"ruff-{version}.data/scripts/ruff\", \"{os}-{arch}/r\"]\nreplacements = { linux = \"manylinux\" }\n",
    )
    .unwrap();
    let spec = &resolved(&m)["ruff"];
    assert_eq!(
        spec.bin.as_deref().unwrap(),
        ["ruff-0.7.4.data/scripts/ruff", "manylinux-x86_64/r"]
    );
}

#[test]
fn a_layout_edit_changes_the_layout_hash_alone() {
    let base = "[tools.t]\nversion = \"1\"\nurl = \"https://x.org/t-{os}.tgz\"\n";
    let a = parse(base).unwrap();
    let b = parse(&format!("{base}bin = [\"t\"]\nstrip_components = 1\n")).unwrap();
    let c = parse(&base.replace("t-{os}", "t2-{os}")).unwrap();
    let (a, b, c) = (&a.tools[0], &b.tools[0], &c.tools[0]);
    assert_eq!(a.download_inputs(), b.download_inputs());
    assert_ne!(a.layout_inputs(), b.layout_inputs());
    assert_ne!(a.download_inputs(), c.download_inputs());
    assert_eq!(a.layout_inputs(), c.layout_inputs());
}

#[test]
fn a_tool_named_by_a_registry_has_a_constraint_and_no_url() {
    let m = parse(
        "[settings]\nmin_release_age = \"3d\"\nregistries = [{ name = \"corp\", path = \"reg.yaml\" }]\n\n[tools]\nripgrep = \"14\"\n\"cli/cli\" = \"latest\"\nshellcheck = { version = \"^0.10\", os = [\"linux\"], bin = [\"shellcheck\"] }\n\n[tools.fd]\nversion = \">=9, <11\"\npackage = \"sharkdp/fd\"\n",
    )
    .unwrap();
    let names: Vec<&str> = m.tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["ripgrep", "cli", "shellcheck", "fd"]);
    let req = |i: usize| m.tools[i].registry.clone().unwrap();
    assert_eq!(
        (req(0).lookup, req(0).constraint),
        ("ripgrep".into(), "14".into())
    );
    assert_eq!(req(0).at, Some(Location { line: 6, column: 1 }));
    assert_eq!(req(1).lookup, "cli/cli");
    assert_eq!(m.tools[2].os, ["linux"]);
    assert_eq!(
        m.tools[2].bin.as_deref(),
        Some(&["shellcheck".to_owned()][..])
    );
    assert_eq!(req(3).lookup, "sharkdp/fd");
    assert_eq!(
        m.min_release_age,
        Some(std::time::Duration::from_secs(3 * 86_400))
    );
    assert_eq!(
        m.registries,
        [RegistrySource {
            name: "corp".into(),
            place: RegistryWhere::Path("reg.yaml".into()),
            runtimes: Vec::new(),
        }]
    );
    // The name looked up and the constraint decide the lock entry; `bin` its layout.
    assert_ne!(m.tools[0].download_inputs(), m.tools[3].download_inputs());
}

#[test]
fn registry_tool_mistakes_are_pointed_at() {
    let (p, loc, _) = problem("[tools]\nripgrep = \"^^1\"\n");
    assert!(matches!(p, Problem::Constraint(_)), "{p:?}");
    assert_eq!(loc, at(2, 11));
    let (p, _, _) = problem("[tools]\n\"cli/cli\" = \"1\"\ncli = \"2\"\n");
    assert_eq!(p, Problem::DuplicateTool("cli".into()));
    let (p, _, _) =
        problem("[tools.x]\nversion = \"1\"\npackage = \"o/r\"\nurl = \"https://x.org/a.zip\"\n");
    assert_eq!(p, Problem::UrlAndPackage("x".into()));
    let (p, _, _) = problem("[tools.x]\nversion = \"1\"\npackage = \"nope\"\n");
    assert!(matches!(p, Problem::Package(_)), "{p:?}");
    let (p, _, _) = problem("[settings]\nmin_release_age = \"3 fortnights\"\n[tools]\nx = \"1\"\n");
    assert!(matches!(p, Problem::BadAge(_)), "{p:?}");
    let (p, _, _) = problem(
        "[settings]\nregistries = [{ name = \"standard\", path = \"x\" }]\n[tools]\nx = \"1\"\n",
    );
    assert!(matches!(p, Problem::RegistrySource(_)), "{p:?}");
    let (p, _, _) = problem("[settings]\nregistries = [{ name = \"a\" }]\n[tools]\nx = \"1\"\n");
    assert!(matches!(p, Problem::RegistrySource(_)), "{p:?}");
    let (p, _, msg) = problem("[tools.x]\nversion = \"1\"\nbinn = [\"x\"]\n");
    assert!(matches!(p, Problem::UnknownKey { .. }), "{msg}");
    assert!(msg.contains("did you mean `bin`"), "{msg}");
}

#[test]
fn settings_hold_url_replacements_in_order_and_mirrors() {
    let m = parse(
        "[settings]\nmirrors = [\"oci://r.corp/vx\", \"https://cache.corp/{sha256}\", \"oci://r.corp/vx\"]\n\
         [settings.url_replacements]\n\"https://z.org/\" = \"https://p/z/\"\n\"https://a.org/\" = \"https://p/a/\"\n\
         [tools]\nrg = \"14\"\n",
    )
    .unwrap();
    assert_eq!(
        m.network.mirrors,
        ["oci://r.corp/vx", "https://cache.corp/{sha256}"],
        "duplicates dropped"
    );
    assert_eq!(
        m.network.url_replacements,
        [
            ("https://z.org/".to_owned(), "https://p/z/".to_owned()),
            ("https://a.org/".to_owned(), "https://p/a/".to_owned())
        ]
    );
    assert_eq!(m.network_lines["mirrors"], 2);
    assert_eq!(m.network_lines["url_replacements.https://a.org/"], 5);
}

#[test]
fn credentials_in_vx_toml_are_refused_where_they_are() {
    let tools = "[tools]\nrg = \"14\"\n";
    for (text, location) in [
        ("[settings]\nplatforms = []\ntoken = \"ghp_x\"\n", at(3, 1)),
        (
            "[http.headers.\"a.corp\"]\nAuthorization = \"Bearer x\"\n",
            at(1, 2),
        ),
        ("[settings]\n  netrc = \"/home/u/.netrc\"\n", at(2, 3)),
        ("[settings.headers]\nx = \"y\"\n", at(1, 11)),
    ] {
        let (problem, loc, msg) = self::problem(&format!("{text}{tools}"));
        assert!(matches!(problem, Problem::Credentials(_)), "{text}: {msg}");
        assert_eq!(loc, location, "{text}");
        assert!(msg.contains("belong in the user config"), "{msg}");
        assert!(!msg.contains("Bearer x") && !msg.contains("ghp_x"), "{msg}");
    }
    let (problem, loc, msg) = self::problem(&format!(
        "[settings]\nmirrors = [\"file:///m\", \"https://u:s3cret@cache.corp/{{sha256}}\"]\n{tools}"
    ));
    assert!(matches!(problem, Problem::CredentialsInUrl(_)), "{msg}");
    assert_eq!(loc, at(2, 25));
    assert!(!msg.contains("s3cret"), "{msg}");
    let (problem, loc, _) = self::problem(&format!(
        "[settings.url_replacements]\n\"https://a/\" = \"https://u:p@b/\"\n{tools}"
    ));
    assert_eq!(
        (problem, loc),
        (
            Problem::CredentialsInUrl("https://***@b/".to_owned()),
            at(2, 16)
        )
    );
}

#[test]
fn bad_rules_and_mirrors_in_settings_say_why_at_their_place() {
    let tools = "[tools]\nrg = \"14\"\n";
    let (_, loc, msg) = problem(&format!(
        "[settings.url_replacements]\n\"regex:(\" = \"https://b/\"\n{tools}"
    ));
    assert_eq!(loc, at(2, 1));
    assert!(msg.contains("bad regex"), "{msg}");
    let (_, loc, msg) = problem(&format!("[settings]\nmirrors = [\"cache.corp\"]\n{tools}"));
    assert_eq!(loc, at(2, 12));
    assert!(msg.contains("oci://HOST[:PORT]/REPO"), "{msg}");
    let (_, _, msg) = problem(&format!("[settings]\nmirror = []\n{tools}"));
    assert!(msg.ends_with("did you mean `mirrors`?"), "{msg}");
}

/// A minisign public key line (42 bytes of base64: `Ed`, the key id, the key).
fn minisign_key() -> String {
    use base64::Engine;
    let mut bytes = b"Ed".to_vec();
    bytes.extend([1u8; 40]);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn verify_tables_parse_with_default_signature_urls_and_change_the_download_inputs() {
    let plain = "[tools.t]\nversion = \"1\"\nurl = \"https://example.org/t.tar.gz\"\n";
    let signed = format!(
        "{plain}[tools.t.verify]\nminisign = {{ public_key = \"{}\" }}\n",
        minisign_key()
    );
    let m = parse(&signed).unwrap();
    let checks = m.tools[0].verify.as_ref().unwrap();
    assert_eq!(checks.minisign.as_ref().unwrap().signature, "{url}.minisig");
    assert!(checks.cosign.is_none());
    assert_eq!(m.verify, vx_net::verify::Policy::Warn);
    let spec = &resolved(&m)["t"];
    assert_eq!(spec.verify.as_ref(), Some(checks));
    // Adding a verify table makes the lock entry stale (the bytes are verified again).
    let before = parse(plain).unwrap().tools[0].download_inputs();
    assert_ne!(m.tools[0].download_inputs(), before);
}

#[test]
fn bad_verify_settings_and_tables_are_errors_at_their_place() {
    let url = "[tools.t]\nversion = \"1\"\nurl = \"https://example.org/t.tar.gz\"\n";
    let (problem_, location, _) = problem(&format!("[settings]\nverify = \"sometimes\"\n{url}"));
    assert_eq!(problem_, Problem::BadPolicy("sometimes".to_owned()));
    assert_eq!(location, at(2, 10));

    let (problem_, location, message) = problem(&format!("{url}verify = {{}}\n"));
    assert!(matches!(problem_, Problem::Verify(_)), "{message}");
    assert_eq!(location, at(4, 10));

    let (_, location, message) = problem(&format!(
        "{url}[tools.t.verify]\ncosign = {{ public_key = \"-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----\" }}\n"
    ));
    assert!(message.contains("not a cosign public key"), "{message}");
    assert_eq!(location, at(5, 25));

    let (_, location, message) = problem(&format!(
        "{url}[tools.t.verify]\nminisign = {{ public_key = \"{}\", signature = \"ftp://x/{{url}}\" }}\n",
        minisign_key()
    ));
    assert!(message.contains("url"), "{message}");
    assert_eq!(location.map(|l| l.line), Some(5));
}

#[test]
fn env_path_and_scripts_are_read_in_order() {
    let text = r#"
[env]
DATABASE_URL = "postgres://localhost/dev"
CARGO_TARGET_DIR = "{project}/target"
LEGACY = false

[settings]
path = ["scripts", "node_modules/.bin"]

[scripts]
lint = "ruff check ."
test = { run = "pytest {args}", depends = ["lint"], env = { CI = "1" }, description = "the tests" }

[tools.a]
version = "1"
url = "https://example.org/a-{version}.tar.gz"
"#;
    let m = Manifest::parse(Path::new("vx.toml"), text).unwrap();
    let env = &m.environment;
    let names: Vec<_> = env.vars.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["DATABASE_URL", "CARGO_TARGET_DIR", "LEGACY"]);
    assert_eq!(env.vars[2].value, None);
    assert_eq!(env.vars[1].line, 4);
    assert_eq!(env.path, ["scripts", "node_modules/.bin"]);
    let test = env.task("test").unwrap();
    assert_eq!(test.depends, ["lint"]);
    assert_eq!(test.env[0].name, "CI");
    assert_eq!(test.description.as_deref(), Some("the tests"));
    assert_eq!(env.task("lint").unwrap().run, ["ruff check ."]);
}

#[test]
fn env_files_are_a_path_or_a_list_and_alone_make_a_project() {
    let m = Manifest::parse(
        Path::new("vx.toml"),
        "[settings]\nenv_file = [\".env\",\n  { path = \"../shared.env\", optional = true }]\n",
    )
    .unwrap();
    let files: Vec<_> = m
        .environment
        .env_files
        .iter()
        .map(|f| (f.path.as_str(), f.optional, f.line))
        .collect();
    assert_eq!(files, [(".env", false, 2), ("../shared.env", true, 3)]);
    assert!(m.tools.is_empty());
    let one = Manifest::parse(Path::new("vx.toml"), "[settings]\nenv_file = \".env\"\n").unwrap();
    assert_eq!(one.environment.env_files[0].path, ".env");
}

#[test]
fn bad_environment_entries_are_errors_at_their_line() {
    let tool = "\n[tools.a]\nversion = \"1\"\nurl = \"https://example.org/a-{version}.tar.gz\"\n";
    let cases = [
        ("[env]\nPATH = \"/x\"\n", 2, "cannot be set"),
        ("[env]\n\"A-B\" = \"x\"\n", 2, "not a variable name"),
        ("[env]\nA = true\n", 2, "or false to unset it"),
        ("[env]\nA = \"${B\"\n", 2, "not closed"),
        ("[settings]\npath = [\"/usr/bin\"]\n", 2, "relative"),
        (
            "[scripts]\na = { depends = [\"b\"], run = \"x\" }\nb = { run = \"y\", depends = [\"a\"] }\n",
            2,
            "cycle: a → b → a",
        ),
        ("[scripts]\na = { runn = \"x\" }\n", 2, "did you mean `run`"),
        ("[settings]\nenv_file = 1\n", 2, "a path, or an array"),
        (
            "[settings]\nenv_file = [{ path = \".env\", optinal = true }]\n",
            2,
            "did you mean `optional`",
        ),
        (
            "[settings]\nenv_file = [{ optional = true }]\n",
            2,
            "has no `path`",
        ),
        ("[settings]\nenv_file = \"\"\n", 2, "is empty"),
    ];
    for (text, line, needle) in cases {
        let err = Manifest::parse(Path::new("vx.toml"), &format!("{text}{tool}")).unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains(needle), "{text}: {shown}");
        assert_eq!(
            err.location().map(|l| l.line),
            Some(line),
            "{text}: {shown}"
        );
    }
}

#[test]
fn a_registry_names_runtime_declarations_by_path_or_http_url() {
    let m = parse(
        "[settings]\nregistries = [{ name = \"corp\", url = \"https://corp.example/vx/registry.yaml\", runtimes = [\"runtimes/corp-jdk.toml\", \"https://cdn.corp.example/py.toml\"] }]\n[tools]\nx = \"1\"\n",
    )
    .unwrap();
    assert_eq!(
        m.registries[0].runtimes,
        ["runtimes/corp-jdk.toml", "https://cdn.corp.example/py.toml"]
    );
    let entry = |item: &str| {
        format!(
            "[settings]\nregistries = [{{ name = \"corp\", path = \"r.yaml\", runtimes = [{item}] }}]\n[tools]\nx = \"1\"\n"
        )
    };
    for (item, says) in [
        ("\"file:///etc/x.toml\"", "is a file:// URL"),
        ("\"ftp://x.org/x.toml\"", "is not a URL vx reads"),
        (
            "\"runtimes/x.yaml\"",
            "must name a declaration file NAME.toml",
        ),
        ("\"runtimes/\"", "must name a declaration file NAME.toml"),
        ("\"\"", "is not a path"),
        ("\"a.toml\", \"a.toml\"", "is listed twice"),
    ] {
        let (p, loc, msg) = problem(&entry(item));
        assert!(matches!(p, Problem::RegistryRuntime(_)), "{item}: {p:?}");
        assert_eq!(loc.map(|l| l.line), Some(2), "{item}");
        assert!(msg.contains(says), "{item}: {msg}");
    }
    let (_, _, msg) = problem(
        "[settings]\nregistries = [{ name = \"corp\", runtimes = [\"https://x.org/a.toml\"] }]\n[tools]\nx = \"1\"\n",
    );
    assert!(msg.contains("even for runtimes alone"), "{msg}");
    let (p, _, _) = problem(&entry("1"));
    assert!(matches!(p, Problem::WrongType { .. }), "{p:?}");
}

#[test]
fn vx_toml_names_them_by_their_commands() {
    let text = "[tools]\n\"npm:@biomejs/biome\" = \"1\"\n\"pipx:Black[jupyter]\" = \"^24.3\"\n\"cargo:cargo-nextest\" = \"latest\"\n\"go:golang.org/x/tools/gopls\" = \"0.16\"\n\n[tools.fmt]\npackage = \"npm:prettier\"\nversion = \"3\"\n";
    let m = Manifest::parse(std::path::Path::new("vx.toml"), text).unwrap();
    let got: Vec<(&str, &str, &str)> = m
        .tools
        .iter()
        .map(|t| {
            let r = t.registry.as_ref().unwrap();
            (t.name.as_str(), r.lookup.as_str(), r.constraint.as_str())
        })
        .collect();
    assert_eq!(
        got,
        [
            ("biome", "npm:@biomejs/biome", "1"),
            ("black", "pypi:black[jupyter]", "^24.3"),
            ("cargo-nextest", "cargo:cargo-nextest", "latest"),
            ("gopls", "go:golang.org/x/tools/gopls", "0.16"),
            ("fmt", "npm:prettier", "3"),
        ]
    );
    let err = Manifest::parse(
        std::path::Path::new("vx.toml"),
        "[tools]\n\"go:gopls\" = \"1\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("vx.toml:2:1") && err.contains("host name with a dot"),
        "{err}"
    );
}

/// A dependency that is no task is not a manifest error (issue 64): the manifest reads,
/// and the task graph names the missing one for the run to fail with.
#[test]
fn a_missing_dependency_is_left_to_the_run() {
    let text = "[tools]\n\n[scripts]\na = { run = \"x\", depends = [\"lnt\", \"lint:*\"] }\nlint = \"y\"\n";
    let manifest = Manifest::parse(Path::new("vx.toml"), text).unwrap();
    let tasks = &manifest.environment.tasks;
    let missing = crate::task::graph::missing(tasks, &tasks[0], Path::new("."));
    assert_eq!(missing, ["lnt"]);
}

/// Issue 78, item 6: one parse leaves out each task vx.toml would refuse, alone (a
/// name, a NUL) or with the others (a name taken, a cycle: each cycle broken at the
/// task that closes it), and says why; the rest are read.
#[test]
fn parsing_sparing_tasks_leaves_out_each_refused_one_and_says_why() {
    let text = "[tools]\n\n[tasks]\nok = \"echo ok\"\n\"two words\" = \"echo\"\na = { run = \"echo\", depends = [\"b\"] }\nb = { run = \"echo\", depends = [\"a\"] }\nc = { run = \"echo\", alias = \"ok\" }\nself = { run = \"echo\", depends = [\"self\"] }\n";
    assert!(parse(text).is_err(), "refused whole without sparing");
    let (parsed, spared) = Manifest::parse_sparing_tasks(Path::new("vx.toml"), text);
    let manifest = parsed.unwrap();
    let names: Vec<&str> = manifest
        .environment
        .tasks
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(names, ["ok", "a"]);
    let said: Vec<(&str, &str)> = spared
        .iter()
        .map(|s| (s.name.as_str(), s.problem.as_str()))
        .collect();
    assert_eq!(said.len(), 4, "{said:?}");
    assert!(
        said[0].0 == "two words" && said[0].1.contains("is invalid"),
        "{said:?}"
    );
    assert!(
        said[1] == ("c", "the name `ok` is taken by task `ok`"),
        "{said:?}"
    );
    assert!(
        said.contains(&("b", "the tasks' dependencies form a cycle: a → b → a")),
        "{said:?}"
    );
    assert!(
        said.contains(&("self", "the tasks' dependencies form a cycle: self → self")),
        "{said:?}"
    );
}

/// Thousands of cycles are broken in one walk of the graph, not one walk per cycle.
#[test]
fn many_cycles_are_broken_in_one_walk() {
    let mut text = String::from("[tools]\n\n[tasks]\n");
    for i in 0..5_000 {
        text.push_str(&format!(
            "x{i} = {{ run = \"echo\", depends = [\"y{i}\"] }}\ny{i} = {{ run = \"echo\", depends = [\"x{i}\"] }}\n"
        ));
    }
    let (parsed, spared) = Manifest::parse_sparing_tasks(Path::new("vx.toml"), &text);
    assert_eq!(parsed.unwrap().environment.tasks.len(), 5_000);
    assert_eq!(spared.len(), 5_000);
    assert!(
        spared.iter().all(|s| s.name.starts_with('y')),
        "{:?}",
        &spared[..2]
    );
}

/// A `depends` (or `depends_post`) entry may be a table `{ task, args, env }`: a
/// dependency with words or variables of its own ([`crate::task::Call`]), beside the
/// names; one with neither is its task's name; another key, a glob, or an `env` value
/// that unsets is an error at the task.
#[test]
fn a_depends_table_is_a_call_of_its_task() {
    let text = r#"
[tasks]
check = "true"
report = "true"
lint = { run = "true", depends = ["check", { task = "check", args = ["--test"], env = { Z = "1" } }, { task = "check" }], depends_post = [{ task = "report", args = ["x"] }] }
"#;
    let m = parse(text).unwrap();
    let lint = m.environment.task("lint").unwrap();
    assert_eq!(lint.depends, ["check", "check"]);
    let call = crate::task::Call {
        task: "check".into(),
        words: vec!["--test".into()],
        env: vec![("Z".into(), "1".into())],
    };
    assert_eq!(lint.calls, std::slice::from_ref(&call));
    assert_eq!(call.shown(), "Z=1 check --test");
    assert_eq!(lint.calls_post[0].words, ["x"]);
    for bad in [
        r#"{ task = "check", when = 1 }"#,
        r#"{ task = "c*", args = ["x"] }"#,
        r#"{ task = "check", env = { Z = false } }"#,
        r#"{ args = ["x"] }"#,
    ] {
        let text =
            format!("[tasks]\ncheck = \"true\"\nlint = {{ run = \"true\", depends = [{bad}] }}\n");
        assert!(parse(&text).is_err(), "{bad}");
    }
}
