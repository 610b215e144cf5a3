//! The template language against shapes the standard registry uses, its errors, its
//! limits, and arbitrary input.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::{MAX_DEPTH, MAX_OUTPUT_BYTES, MAX_TEMPLATE_BYTES, Pos, Template, TemplateError, Vars};

/// What aqua passes for a `files[].src` of a package on Linux x86-64 whose
/// `replacements` map `amd64` to `x86_64`.
fn linux() -> Vars {
    Vars {
        version: Some("v14.1.0".into()),
        semver: Some("14.1.0".into()),
        os: Some("linux".into()),
        arch: Some("x86_64".into()),
        goos: Some("linux".into()),
        goarch: Some("amd64".into()),
        format: Some("tar.gz".into()),
        asset: Some("ripgrep-14.1.0-x86_64-linux.tar.gz".into()),
        asset_without_ext: Some("ripgrep-14.1.0-x86_64-linux".into()),
        file_name: Some("rg".into()),
        vars: BTreeMap::from([("channel".to_owned(), "stable".to_owned())]),
    }
}

/// Asserts each template of `cases` renders, with [`linux`]'s values, as its pair says.
fn renders_on_linux(cases: &[(&str, &str)]) {
    for (template, expected) in cases {
        assert_eq!(
            render(template, &linux()).as_deref(),
            Ok(*expected),
            "template {template:?}"
        );
    }
}

fn with_version(version: &str) -> Vars {
    Vars {
        version: Some(version.into()),
        semver: Some(version.into()),
        ..linux()
    }
}

fn render(template: &str, vars: &Vars) -> Result<String, TemplateError> {
    Template::parse(template)?.render(vars)
}

#[test]
fn renders_the_registry_s_shapes() {
    let darwin = Vars {
        os: Some("darwin".into()),
        goos: Some("darwin".into()),
        goarch: Some("arm64".into()),
        arch: Some("arm64".into()),
        ..linux()
    };
    let cases: &[(&str, &Vars, &str)] = &[
        (
            "ripgrep-{{trimV .Version}}-{{.Arch}}-{{.OS}}.{{.Format}}",
            &linux(),
            "ripgrep-14.1.0-x86_64-linux.tar.gz",
        ),
        ("{{.Version}}", &linux(), "v14.1.0"),
        ("{{ .Version }}", &linux(), "v14.1.0"),
        ("{{.Version|trimV}}", &linux(), "14.1.0"),
        ("{{ trimV .Version }}", &linux(), "14.1.0"),
        ("{{trimV .SemVer}}", &with_version("v2.0.0"), "2.0.0"),
        (
            "{{.AssetWithoutExt}}/rg{{if eq .GOOS \"windows\"}}.exe{{end}}",
            &linux(),
            "ripgrep-14.1.0-x86_64-linux/rg",
        ),
        (
            "kor-{{.GOOS}}-{{if eq .GOOS \"darwin\"}}amd64{{else}}{{.GOARCH}}{{end}}",
            &darwin,
            "kor-darwin-amd64",
        ),
        (
            "kor-{{.GOOS}}-{{if eq .GOOS \"darwin\"}}amd64{{else}}{{.GOARCH}}{{end}}",
            &linux(),
            "kor-linux-amd64",
        ),
        ("{{.FileName}}_{{title .OS}}", &darwin, "rg_Darwin"),
        (
            "{{.Asset}}.sha256",
            &linux(),
            "ripgrep-14.1.0-x86_64-linux.tar.gz.sha256",
        ),
        (
            "{{.AssetWithoutExt | trimSuffix \"-linux\"}}",
            &linux(),
            "ripgrep-14.1.0-x86_64",
        ),
        (
            "{{trimSuffix \".gz\" .Asset}}",
            &linux(),
            "ripgrep-14.1.0-x86_64-linux.tar",
        ),
        (
            "{{trimPrefix \"cli-v\" .Version}}",
            &with_version("cli-v1.4.2"),
            "1.4.2",
        ),
        (
            "{{trimPrefix \"rc/\" .Version | trimV}}",
            &with_version("rc/v0.9.1"),
            "0.9.1",
        ),
        (
            "{{replace \".\" \"\" .Version}}",
            &with_version("3.2.1"),
            "321",
        ),
        (
            "{{replace \"-\" \"_\" .Version}}",
            &with_version("1.0-beta-2"),
            "1.0_beta_2",
        ),
        (
            "{{trimV .Version | replace \".0-RC\" \"-rc-\" | replace \".0-M\" \"-milestone-\" | trimSuffix \".0\"}}",
            &with_version("v9.0.0-RC1"),
            "9.0-rc-1",
        ),
        (
            "{{ trimV .Version | replace \".\" \"\" }}",
            &with_version("v1.2.3"),
            "123",
        ),
        (
            "validator-v{{(semver .Version).Major}}.{{(semver .Version).Minor}}-{{.OS}}",
            &with_version("v2.31.7"),
            "validator-v2.31-linux",
        ),
        (
            "maven-{{(semver .SemVer).Major}}/{{.SemVer}}",
            &with_version("3.9.6"),
            "maven-3/3.9.6",
        ),
        (
            "go-{{.Version | regexFind \"^[^-]+\"}}-{{.OS}}",
            &with_version("1.22.0-20240101"),
            "go-1.22.0-linux",
        ),
        (
            "bat-extras-{{ index (splitList \".\" (trimV .Version)) 0 }}{{ index (splitList \".\" (trimV .Version)) 1 }}.{{ index (splitList \".\" (trimV .Version)) 2 }}.zip",
            &with_version("v2024.08.24"),
            "bat-extras-202408.24.zip",
        ),
        ("{{.Vars.channel}}/tool", &linux(), "stable/tool"),
        ("{{index .Vars \"channel\"}}", &linux(), "stable"),
        ("{{upper .OS}}-{{lower \"AMD64\"}}", &linux(), "LINUX-amd64"),
    ];
    for (template, vars, expected) in cases {
        assert_eq!(
            render(template, vars).as_deref(),
            Ok(*expected),
            "template {template:?}"
        );
    }
}

#[test]
fn conditions_follow_go_s_truth_and_comparisons() {
    let cases = [
        ("{{if .Version}}set{{else}}empty{{end}}", "set"),
        ("{{if \"\"}}set{{else}}empty{{end}}", "empty"),
        ("{{if 0}}a{{else if 2}}b{{else}}c{{end}}", "b"),
        (
            "{{if eq .GOOS \"windows\" \"linux\"}}one of{{end}}",
            "one of",
        ),
        (
            "{{if eq .GOOS \"windows\" \"darwin\"}}one of{{else}}none{{end}}",
            "none",
        ),
        ("{{if ne .GOARCH \"arm64\"}}not arm{{end}}", "not arm"),
        (
            "{{if not (eq .OS \"linux\")}}x{{else}}linux{{end}}",
            "linux",
        ),
        ("{{and .OS .Arch}}", "x86_64"),
        ("{{and \"\" .Arch}}|", "|"),
        ("{{or \"\" .OS}}", "linux"),
        ("{{.Arch | or \"\"}}", "x86_64"),
        (
            "{{eq 1 1}} {{lt 1 2}} {{ge \"a\" \"b\"}}",
            "true true false",
        ),
        ("{{len .OS}} {{len (splitList \"-\" \"a-b-c\")}}", "5 3"),
        (
            "{{if eq .GOOS \"darwin\"}}mac{{else if eq .GOOS \"linux\"}}{{if eq .GOARCH \"amd64\"}}x64{{end}}{{end}}",
            "x64",
        ),
        (
            "{{hasPrefix \"v\" .Version}} {{contains \"14\" .Version}}",
            "true true",
        ),
        ("{{splitList \".\" \"1.2\"}}", "[1 2]"),
        ("{{semver \"v1.2.3-rc.1+build\"}}", "1.2.3-rc.1+build"),
    ];
    renders_on_linux(&cases);
}

#[test]
fn and_or_stop_at_the_deciding_argument() {
    // `.Asset` is unset: reading it would fail, so these prove it is never read.
    let vars = Vars {
        asset: None,
        ..linux()
    };
    assert_eq!(render("{{or .OS .Asset}}", &vars).as_deref(), Ok("linux"));
    assert_eq!(render("{{and \"\" .Asset}}|", &vars).as_deref(), Ok("|"));
    assert!(render("{{and .OS .Asset}}", &vars).is_err());
}

#[test]
fn literals_take_go_s_escapes_and_raw_strings() {
    let cases = [
        (r#"{{"a\tb\n\"q\"\\"}}"#, "a\tb\n\"q\"\\"),
        (r#"{{"\x41\101\u00e9\U0001F600"}}"#, "AAé😀"),
        ("{{`raw \\n {{ }}`}}", "raw \\n {{ }}"),
        ("{{`a\r\nb`}}", "a\nb"),
        ("{{\"}}\"}}", "}}"),
        ("{{-3}}", "-3"),
        ("{{true}}", "true"),
    ];
    renders_on_linux(&cases);
}

#[test]
fn trim_markers_remove_white_space_around_actions() {
    let cases = [
        ("a  {{- .OS}}  b", "alinux  b"),
        ("a  {{.OS -}}  \n\t b", "a  linuxb"),
        ("a \n {{- .OS -}} \n b", "alinuxb"),
        ("x {{- /* a comment */ -}} y", "xy"),
        ("x{{/* a comment */}}y", "xy"),
        (
            "{{if eq .GOOS \"linux\" -}}\n  gnu\n{{- else -}}\n  other\n{{- end}}",
            "gnu",
        ),
        // Without a space after it, the dash is a negative number, not a trim marker.
        ("a {{-1}} b", "a -1 b"),
    ];
    renders_on_linux(&cases);
}

#[test]
fn text_outside_actions_is_verbatim() {
    let template = "https://example.com/a b/{ }/}}/%20/é";
    assert_eq!(render(template, &linux()).as_deref(), Ok(template));
    assert_eq!(render("", &linux()).as_deref(), Ok(""));
}

/// The error `template` gives, parsing then rendering with [`linux`].
fn error(template: &str) -> TemplateError {
    match render(template, &linux()) {
        Ok(out) => panic!("{template:?} rendered {out:?}"),
        Err(e) => e,
    }
}

#[test]
fn unknown_names_are_errors_that_name_them() {
    let e = error("x-{{.Verison}}");
    assert_eq!(
        e,
        TemplateError::UnknownField {
            pos: Pos { line: 1, column: 5 },
            name: "Verison".into()
        }
    );
    assert_eq!(e.to_string(), "1:5: unknown field .Verison");

    let e = error("{{ toLower .OS }}");
    assert_eq!(e.to_string(), "1:4: unknown function \"toLower\"");
    // Functions aqua deletes from sprig for security are unknown too.
    assert!(matches!(
        error("{{env \"HOME\"}}"),
        TemplateError::UnknownFunction { .. }
    ));
    assert!(matches!(
        error("{{.OS | nope}}"),
        TemplateError::UnknownFunction { name, .. } if name == "nope"
    ));
}

#[test]
fn a_field_without_a_value_here_is_an_error_not_empty() {
    let vars = Vars {
        asset: None,
        ..linux()
    };
    let e = render("{{.Asset}}.sha256", &vars).unwrap_err();
    assert_eq!(e.to_string(), "1:3: .Asset has no value here");
    let e = error("{{.Vars.missing}}");
    assert_eq!(e.to_string(), "1:3: .Vars.missing has no value here");
    assert!(matches!(error("{{.Vars}}"), TemplateError::Eval { .. }));
    assert!(matches!(
        error("{{.Version.Major}}"),
        TemplateError::Eval { .. }
    ));
    assert!(matches!(
        error("{{(semver .Version).Build}}"),
        TemplateError::Eval { .. }
    ));
}

#[test]
fn wrong_argument_counts_are_parse_errors() {
    let e = error("{{trimPrefix .Version}}");
    assert_eq!(
        e.to_string(),
        "1:3: trimPrefix takes 2 argument(s), given 1"
    );
    // The piped value counts as the last argument.
    assert!(matches!(
        error("{{.Version | trimV \"v\"}}"),
        TemplateError::Arity {
            name: "trimV",
            given: 2,
            ..
        }
    ));
    assert!(matches!(
        error("{{eq .OS}}"),
        TemplateError::Arity {
            name: "eq",
            given: 1,
            ..
        }
    ));
    // A function named as an argument is called with none.
    assert!(matches!(
        error("{{trimV trimV}}"),
        TemplateError::Arity { given: 0, .. }
    ));
}

#[test]
fn malformed_templates_are_syntax_errors_with_a_position() {
    let cases = [
        ("ab{{.OS", "1:3: unclosed action: no \"}}\""),
        ("{{end}}", "1:3: {{end}} without {{if}}"),
        ("{{else}}", "1:3: {{else}} without {{if}}"),
        ("x\n  {{if .OS}}y", "2:5: {{if}} without {{end}}"),
        ("{{}}", "1:3: empty action"),
        ("{{\"open}}", "1:3: unterminated string"),
        ("{{`open}}", "1:3: unterminated raw string"),
        ("{{/* open", "1:1: unclosed comment"),
        (
            "{{range .OS}}{{end}}",
            "1:3: {{range}} is not supported in aqua's templates",
        ),
        ("{{$x := 1}}", "1:3: variables ($name) are not supported"),
        ("{{.}}", "1:3: \".\" alone is not supported; name a field"),
        ("{{(trimV .OS}}", "1:13: unclosed \"(\""),
        ("{{.OS .Arch}}", "1:3: only a function can take arguments"),
        (
            "{{.OS | .Arch}}",
            "1:9: a value is piped into something not a function",
        ),
        ("{{\"\\q\"}}", "1:4: invalid escape in a string"),
        (
            "{{1.5}}",
            "1:3: unsupported number \"1.5\": only decimal integers",
        ),
        (
            "{{if .OS}}a{{else}}b{{else}}c{{end}}",
            "1:23: {{else}} after the last {{else}}",
        ),
    ];
    for (template, expected) in cases {
        assert_eq!(
            error(template).to_string(),
            expected,
            "template {template:?}"
        );
    }
}

#[test]
fn semver_reads_versions_as_sprig_does() {
    let cases = [
        ("{{(semver \"v1\").Minor}}", "0"),
        ("{{(semver \"1.2\").Patch}}", "0"),
        ("{{semver \"v1.2\"}}", "1.2.0"),
        ("{{(semver \"2.0.0-rc.1\").Prerelease}}", "rc.1"),
        ("{{(semver \"v3.1.4+abc\").Original}}", "v3.1.4+abc"),
    ];
    renders_on_linux(&cases);
    for bad in ["1.2.3.4", "1..2", "v", "1.2.3-01", "1.2.3-", "x1.2"] {
        let template = format!("{{{{semver \"{bad}\"}}}}");
        assert!(render(&template, &linux()).is_err(), "{bad:?}");
    }
}

#[test]
fn failing_functions_are_render_errors() {
    assert!(
        error("{{semver \"latest\"}}")
            .to_string()
            .contains("not a semantic version")
    );
    assert!(
        error("{{regexFind \"(\" .OS}}")
            .to_string()
            .contains("invalid regular expression")
    );
    assert!(
        error("{{index (splitList \".\" \"1.2\") 2}}")
            .to_string()
            .contains("out of range")
    );
    assert!(
        error("{{trimV 3}}")
            .to_string()
            .contains("must be a string")
    );
    assert!(error("{{eq .OS 1}}").to_string().contains("cannot compare"));
}

#[test]
fn limits_stop_hostile_templates() {
    let long = "a".repeat(MAX_TEMPLATE_BYTES + 1);
    assert_eq!(
        Template::parse(&long).unwrap_err(),
        TemplateError::TooLong {
            len: MAX_TEMPLATE_BYTES + 1,
            limit: MAX_TEMPLATE_BYTES
        }
    );

    let nested_ifs = "{{if 1}}".repeat(MAX_DEPTH + 1) + &"{{end}}".repeat(MAX_DEPTH + 1);
    assert!(matches!(
        Template::parse(&nested_ifs),
        Err(TemplateError::TooDeep { .. })
    ));
    let ok_ifs = "{{if 1}}".repeat(MAX_DEPTH) + "x" + &"{{end}}".repeat(MAX_DEPTH);
    assert_eq!(render(&ok_ifs, &linux()).as_deref(), Ok("x"));

    let parens = format!(
        "{{{{{}.OS{}}}}}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    assert!(matches!(
        Template::parse(&parens),
        Err(TemplateError::TooDeep { .. })
    ));

    // Each replace multiplies the length by 65: unchecked, four of them would make
    // hundreds of megabytes.
    let grow = "replace \"\" \"0123456789012345678901234567890123456789012345678901234567890123\"";
    let bomb = format!("{{{{.Version | {grow} | {grow} | {grow} | {grow}}}}}");
    let result = render(&bomb, &linux());
    assert!(
        matches!(
            result,
            Err(TemplateError::TooLarge {
                limit: MAX_OUTPUT_BYTES,
                ..
            })
        ),
        "{bomb:?}: {result:?}"
    );
}

/// Pieces that make up templates, for the property below.
const TOKENS: &[&str] = &[
    "{{",
    "}}",
    "{{- ",
    " -}}",
    "{{/*",
    "*/}}",
    "(",
    ")",
    "|",
    " ",
    "\"",
    "`",
    "\\",
    ".",
    ".Version",
    ".OS",
    ".Vars.channel",
    ".Vars",
    ".Nope",
    "if ",
    "else ",
    "end",
    "range",
    "eq ",
    "and ",
    "or ",
    "not ",
    "index ",
    "trimV ",
    "replace ",
    "\"\" ",
    "\"x\" ",
    "1 ",
    "-1 ",
    "splitList ",
    "semver ",
    ".Major",
    "regexFind ",
    "\"(\" ",
    "title ",
    "$",
    "é",
    "\n",
    "text",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,64}") {
        if let Ok(template) = Template::parse(&text) {
            let _ = template.render(&linux());
        }
    }

    #[test]
    fn arbitrary_token_soup_never_panics(
        pieces in proptest::collection::vec(proptest::sample::select(TOKENS), 0..40)
    ) {
        let text = pieces.concat();
        if let Ok(template) = Template::parse(&text) {
            match template.render(&linux()) {
                Ok(out) => prop_assert!(out.len() <= MAX_OUTPUT_BYTES),
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }
    }

    #[test]
    fn text_without_actions_renders_as_itself(text in "[^{]{0,64}") {
        prop_assert_eq!(render(&text, &linux()), Ok(text.clone()));
    }
}
